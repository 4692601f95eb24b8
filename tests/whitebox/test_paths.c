/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* White-box: the paths of rtheap.c that only damage, rare layouts or other build
 * options reach. Compiles rtheap.c in (#include) to damage the heap precisely.
 *
 * Each case damages one thing and asserts what the call that meets it must do: the
 * documented error reported once (the hook counts reports), the damaged block taken
 * out of service (quarantine_count), the rest of the heap serving, rtheap_check()
 * naming the invariant or passing. Built four times (tests/whitebox/CMakeLists.txt): the
 * default options run the damage cases; RTHEAP_CHECKS=2, RTHEAP_POISON=1 and
 * RTHEAP_FIT_SCAN=8 each run the cases of their option only.
 * Arena: 6 KiB (fits the micro:bit). */
#include "rtheap.c"

#include "../core/core_util.h"

static unsigned char arena[6144] __attribute__((aligned(64)));
static cu_hook_t hook;

static rtheap_t *fresh(size_t bytes)
{
    return cu_init_hooked(arena, bytes, &hook);
}

static block_t *blk(const void *p)
{
    return rtheap_block_of(p);
}

static uintptr_t tsize(const void *p)
{
    return rtheap_size(blk(p)->header);
}

static rtheap_stats_t stats_of(rtheap_t *h)
{
    static const rtheap_stats_t none;
    rtheap_stats_t s = none;
    TH_CHECK(rtheap_get_stats(h, &s));
    return s;
}

/* Allocates whatever is left, so that only the blocks a case frees are free. */
static unsigned fill_rest(rtheap_t *h, void **held, unsigned max)
{
    unsigned n = 0;
    size_t l;
    while (n < max && (l = cu_largest(h)) != 0 && (held[n] = rtheap_alloc(h, l)) != NULL) {
        n++;
    }
    return n;
}

static void free_all(rtheap_t *h, void **held, unsigned n)
{
    while (n > 0) {
        rtheap_free(h, held[--n]);
    }
}

/* A payload size whose block is exactly t bytes. */
static size_t payload_for(uintptr_t t)
{
    return (size_t)(t - WORD);
}

#if RTHEAP_CHECKS == 1 && RTHEAP_FIT_SCAN == 1 && !RTHEAP_POISON

/* Overwrites a free block's links with a string (a write after free). */
static void scribble_links(void *p)
{
    const char *s = "a string after free, long enough";
    unsigned char *d = p;
    for (uintptr_t i = 0; i < 2u * WORD; i++) {
        d[i] = (unsigned char)s[i];
    }
}


/* ---- the control structure and the lists, as rtheap_check() sees them ---- */

static void check_names_damage(void)
{
    th_println("rtheap_check: control, accounting, statistics, lists");
    rtheap_t *h = fresh(3072);
    void *a = rtheap_alloc(h, 40);
    void *f = rtheap_alloc(h, 100);
    void *c = rtheap_alloc(h, 40);
    TH_CHECK(a != NULL && f != NULL && c != NULL);
    rtheap_free(h, f);
    block_t *fb = blk(f);
    uint32_t cf = rtheap_class_of_size(tsize(f));
    TH_CHECK_PTR_EQ(h->heads[cf], fb);
    CU_CHECK_HEAP(h);

    /* The control structure. */
    uint32_t rc = h->region_count;
    h->region_count = 0;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_CONTROL);
    h->region_count = RTHEAP_MAX_REGIONS + 1u;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_CONTROL);
    h->region_count = rc;
    uint32_t fc = h->fl_count;
    h->fl_count = 0;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_CONTROL);
    h->fl_count = 33u - RTHEAP_SL_LOG2;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_CONTROL);
    h->fl_count = fc;
    h->max_block += ALIGN;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_CONTROL);
    h->max_block -= ALIGN;
    CU_CHECK_HEAP(h);

    /* Accounting and statistics. */
    h->quarantined_bytes += ALIGN;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_ACCOUNTING);
    h->quarantined_bytes -= ALIGN;
    h->alloc_count++;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_STATS);
    h->alloc_count--;
    size_t peak = h->peak_total;
    h->peak_total = h->used_total - 1u;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_STATS);
    h->peak_total = peak;
    CU_CHECK_HEAP(h);

    /* List heads that do not lead to a free block of the chain. */
    h->heads[cf] = rtheap_block_at((uintptr_t)(arena + sizeof arena)); /* no region */
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_BAD_FREE_LIST);
    h->heads[cf] = rtheap_block_at(rtheap_addr(fb) + WORD); /* not a header position */
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_BAD_FREE_LIST);
    h->heads[cf] = blk(a); /* a used block */
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_BAD_FREE_LIST);
    /* A header position inside f's payload (zeroed): no block at all. */
    block_t *inner = rtheap_block_at(rtheap_addr(fb) + 2u * ALIGN);
    size_t inner_saved = inner->header;
    inner->header = 0;
    h->heads[cf] = inner;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_BAD_FREE_LIST);
    /* ... a plausible free header there whose footer is not it */
    inner->header = rtheap_hdr(MIN_BLOCK, FLAG_FREE, KIND_BLOCK);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_BAD_FREE_LIST);
    inner->header = inner_saved;
    h->heads[cf] = fb;
    /* A head whose prev link is not NULL. */
    fb->prev_free = fb;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_BAD_FREE_LIST);
    fb->prev_free = NULL;
    CU_CHECK_HEAP(h);

    /* f listed twice, the second time in a list after every other free block:
     * more blocks listed than the chains hold (what also stops a cycle). */
    uint32_t top = h->fl_count * SL_COUNT - 1u;
    uint32_t big = rtheap_class_of_size(rtheap_size(rtheap_block_at(rtheap_addr(blk(c)) + tsize(c))->header));
    TH_CHECK(top > big && top > cf && h->heads[top] == NULL);
    h->heads[top] = fb;
    h->sl_bitmap[top / SL_COUNT] |= 1u << (top % SL_COUNT);
    uint32_t fl_saved = h->fl_bitmap;
    h->fl_bitmap |= 1u << (top / SL_COUNT);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_FREE_COUNT);
    h->heads[top] = NULL;
    h->sl_bitmap[top / SL_COUNT] &= ~(1u << (top % SL_COUNT));
    h->fl_bitmap = fl_saved;
    CU_CHECK_HEAP(h);

    /* Headers in the chain: a sound header with a stray flag bit (where the
     * alignment leaves one), a used block turned into one nobody owns (the bytes
     * no longer add up), a quarantined block that says FREE, a header whose tag
     * does not hold. */
    block_t *ab = blk(a);
    size_t saved = ab->header;
    if (ALIGN > 8u) {
        ab->header = rtheap_hdr(tsize(a), 8u, KIND_BLOCK);
        TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_CHAIN);
    }
    ab->header = rtheap_hdr(tsize(a), 0, KIND_FENCE);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_ACCOUNTING);
    ab->header = rtheap_hdr(tsize(a), FLAG_FREE, KIND_FENCE);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_CHAIN);
    ab->header = rtheap_hdr(tsize(a), 0, KIND_BLOCK) ^ ((size_t)1 << TAG_SHIFT);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_CHAIN);
    unsigned all = 0, part = 0;
    ab->header = saved;
    rtheap_walk(h, cu_walk_count, &all);
    ab->header = rtheap_hdr(h->max_block + ALIGN, 0, KIND_FENCE);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_CHAIN);
    rtheap_walk(h, cu_walk_count, &part);
    TH_CHECK(part < all); /* the walk stops at what it cannot step over */
    ab->header = saved;
    /* A size the index can hold that runs past the region's end. */
    block_t *cb = blk(c);
    saved = cb->header;
    TH_CHECK(h->regions[0].sentinel - rtheap_addr(cb) < h->max_block);
    cb->header = rtheap_hdr(h->max_block, 0, KIND_BLOCK);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_CHAIN);
    cb->header = saved;
    TH_CHECK_EQ(hook.calls, 0);
    CU_CHECK_HEAP(h);
}

/* ---- arguments and pointers refused ---------------------------------------- */

static void refusals(void)
{
    th_println("refused arguments, headers with forged sizes, walk and names");
    /* Regions that wrap the address space, or whose start cannot be aligned. */
    TH_CHECK_NULL(rtheap_init(arena, SIZE_MAX));
    TH_CHECK_NULL(rtheap_init((void *)(UINTPTR_MAX - 5u), 4));
    TH_CHECK_EQ(rtheap_control_size(0) > 0u, 1);

    rtheap_t *h = fresh(2048);
    rtheap_set_error_hook(NULL, cu_hook_fn, &hook); /* no heap: nothing happens */
    rtheap_stats_t s;
    TH_CHECK(!rtheap_get_stats(h, NULL));
    TH_CHECK(!rtheap_get_stats(NULL, &s));
    TH_CHECK_EQ(rtheap_walk(h, NULL, NULL), 0);
    TH_CHECK_EQ(rtheap_walk(NULL, cu_walk_count, NULL), 0);

    void *a = rtheap_alloc(h, 64);
    void *b = rtheap_alloc(h, 64);
    TH_CHECK(a != NULL && b != NULL);
    cu_fill(a, 64, 3);
    unsigned seen = 0;
    TH_CHECK_EQ(rtheap_walk(h, cu_walk_count_first, &seen), 1);
    TH_CHECK_EQ(seen, 1);

    /* A used header with a kind-consistent size below MIN_BLOCK, then one running
     * past the region: refused as a bad header, nothing changed. */
    block_t *ab = blk(a);
    size_t saved = ab->header;
    rtheap_stats_t before = stats_of(h);
    ab->header = rtheap_hdr(ALIGN, 0, KIND_BLOCK);
    rtheap_free(h, a);
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_HEADER);
    ab->header = rtheap_hdr(4096u, 0, KIND_BLOCK);
    TH_CHECK_EQ(rtheap_usable_size(h, a), 0);
    TH_CHECK_EQ(hook.calls, 2);
    TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_HEADER);
    ab->header = saved;
    TH_CHECK_EQ(stats_of(h).free_count, before.free_count);
    TH_CHECK_EQ(cu_verify(a, 64, 3), 64);
    CU_CHECK_HEAP(h);

    /* A quarantined block is nobody's: the walk steps over it. */
    seen = 0;
    rtheap_walk(h, cu_walk_count, &seen);
    rtheap_free(h, a);
    block_t *q = blk(a);
    uintptr_t tq = rtheap_size(q->header);
    rtheap_quarantine(h, q, tq);
    unsigned after = 0;
    rtheap_walk(h, cu_walk_count, &after);
    TH_CHECK_EQ(after, seen - 1u);
    TH_CHECK_EQ(stats_of(h).quarantined_bytes, tq);
    CU_CHECK_HEAP(h);
    rtheap_free(h, b);
    CU_CHECK_HEAP(h);

    /* Every error has a name of its own; a value outside the enum has one too. */
    const char *unknown = rtheap_error_name((rtheap_error_t)99);
    TH_CHECK(unknown != NULL && unknown[0] != '\0');
    TH_CHECK_PTR_EQ(rtheap_error_name(RTHEAP_ERR_FORCE_INT_), unknown);
    for (int e = RTHEAP_OK; e <= RTHEAP_ERR_NO_HEAP; e++) {
        const char *n = rtheap_error_name((rtheap_error_t)e);
        TH_CHECK(n != unknown);
        for (int o = RTHEAP_OK; o < e; o++) {
            TH_CHECK(rtheap_error_name((rtheap_error_t)o) != n);
        }
    }
}

/* ---- heads that fail one by one: bounded search, bounded statistics --------- */

/* Frees `count` blocks of growing size (each alone in its own list, kept apart by
 * used blocks), fills the rest and damages the first `bad` of them. */
static void damaged_heads_layout(rtheap_t *h, void **f, unsigned count, unsigned bad,
                                 void **held, unsigned *nheld)
{
    void *sp[8];
    for (unsigned i = 0; i < count; i++) {
        f[i] = rtheap_alloc(h, 40u + 160u * i);
        sp[i] = rtheap_alloc(h, 16);
        TH_CHECK(f[i] != NULL && sp[i] != NULL);
    }
    *nheld = fill_rest(h, held, 8);
    for (unsigned i = 0; i < count; i++) {
        rtheap_free(h, f[i]);
    }
    for (unsigned i = 1; i < count; i++) {
        TH_CHECK(rtheap_class_of_size(tsize(f[i])) > rtheap_class_of_size(tsize(f[i - 1])));
    }
    for (unsigned i = 0; i < bad; i++) {
        switch (i % 3u) {
        case 0: scribble_links(f[i]); break;
        case 1: blk(f[i])->next_free = blk(sp[i]); break; /* a sound position, wrong block */
        default: *rtheap_footer(rtheap_addr(blk(f[i])) + tsize(f[i])) = blk(sp[i]); break;
        }
    }
}

static void damaged_heads(void)
{
    th_println("damaged heads: searches and largest_guaranteed stay bounded");
    void *f[6], *held[8];
    unsigned n;
    /* Two damaged heads on the way, then a sound one: served, two reports. */
    rtheap_t *h = fresh(sizeof arena);
    damaged_heads_layout(h, f, 3, 2, held, &n);
    void *x = rtheap_alloc(h, 40);
    TH_CHECK_PTR_EQ(x, f[2]);
    TH_CHECK_EQ(hook.calls, 2);
    TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_FREE_LIST);
    TH_CHECK_EQ(stats_of(h).quarantine_count, 2);
    CU_CHECK_HEAP(h);

    /* Six damaged heads: the allocation gives up after five (bounded work), each
     * reported once; the next one takes out the sixth and fails too (nothing else
     * is free), then the heap serves again once memory comes back. */
    h = fresh(sizeof arena);
    damaged_heads_layout(h, f, 6, 6, held, &n);
    uint32_t failed0 = h->failed_count; /* (rtheap_get_stats would meet the damage) */
    TH_CHECK_NULL(rtheap_alloc(h, 40));
    TH_CHECK_EQ(hook.calls, 5);
    TH_CHECK_NULL(rtheap_alloc(h, 40));
    TH_CHECK_EQ(hook.calls, 6);
    rtheap_stats_t s1 = stats_of(h);
    TH_CHECK_EQ(s1.failed_count, failed0 + 2u);
    TH_CHECK_EQ(s1.quarantine_count, 6);
    TH_CHECK_EQ(s1.largest_guaranteed, 0);
    CU_CHECK_HEAP(h);
    free_all(h, held, n);
    x = rtheap_alloc(h, 40);
    TH_CHECK_NOT_NULL(x);
    rtheap_free(h, x);
    TH_CHECK_EQ(hook.calls, 6);
    CU_CHECK_HEAP(h);

    /* largest_guaranteed meets the damage first, from the top: four per call. */
    h = fresh(sizeof arena);
    damaged_heads_layout(h, f, 6, 6, held, &n);
    TH_CHECK_EQ(stats_of(h).largest_guaranteed, 0);
    TH_CHECK_EQ(hook.calls, 4);
    TH_CHECK_EQ(stats_of(h).largest_guaranteed, 0);
    TH_CHECK_EQ(hook.calls, 6);
    TH_CHECK_EQ(stats_of(h).quarantine_count, 6);
    CU_CHECK_HEAP(h);
    free_all(h, held, n);
    size_t l = cu_largest(h);
    x = rtheap_alloc(h, l);
    TH_CHECK(l > 0u && x != NULL);
    rtheap_free(h, x);
    TH_CHECK_EQ(hook.calls, 6);
}

/* ---- damage met by the first fit in the request's own class ----------------- */

static void first_fit_damage(void)
{
    th_println("first fit in the request's own class meets damage");
    /* A block whose class holds larger sizes too: the rounded search skips it. */
    uintptr_t t = (2u * SL_COUNT + 1u) * ALIGN;
    TH_CHECK(rtheap_class_up(rtheap_granules(t)) != rtheap_class_of_size(t));
    for (unsigned way = 0; way < 3; way++) {
        rtheap_t *h = fresh(sizeof arena);
        void *a = rtheap_alloc(h, 40);
        void *f = rtheap_alloc(h, payload_for(t));
        void *c = rtheap_alloc(h, 40);
        void *held[8];
        unsigned n = fill_rest(h, held, 8);
        TH_CHECK(a != NULL && f != NULL && c != NULL && tsize(f) == t);
        rtheap_free(h, f);
        block_t *fb = blk(f);
        switch (way) {
        case 0: fb->prev_free = rtheap_block_at((uintptr_t)arena + sizeof arena); break;
        case 1: fb->prev_free = blk(c); break; /* a block that does not link back */
        default: *rtheap_footer(rtheap_addr(fb) + t) = blk(a); break;
        }
        /* (not rtheap_get_stats: its largest_guaranteed would meet f first) */
        uint32_t failed0 = h->failed_count;
        TH_CHECK_NULL(rtheap_alloc(h, payload_for(t))); /* f was the only candidate */
        TH_CHECK_EQ(hook.calls, 1);
        TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_FREE_LIST);
        rtheap_stats_t s1 = stats_of(h);
        TH_CHECK_EQ(s1.quarantine_count, 1);
        TH_CHECK_EQ(s1.quarantined_bytes, t);
        TH_CHECK_EQ(s1.failed_count, failed0 + 1u);
        CU_CHECK_HEAP(h);
        rtheap_free(h, a);
        rtheap_free(h, c);
        free_all(h, held, n);
        void *y = rtheap_alloc(h, payload_for(t));
        TH_CHECK(y != NULL && (uintptr_t)y != (uintptr_t)f);
        rtheap_free(h, y);
        TH_CHECK_EQ(hook.calls, 1);
        CU_CHECK_HEAP(h);
    }
}

/* ---- a damaged block in the middle of its list, found by a merge ------------- */

/* Three free blocks of one class (P, F, N in list order), used blocks between. */
typedef struct mid {
    void *p, *f, *n;  /* the free blocks */
    void *before_f;   /* used, just before F, after a used block */
    void *sp[4];
} mid_t;

static mid_t mid_layout(rtheap_t *h)
{
    mid_t m;
    void *blocks[3];
    for (unsigned i = 0; i < 3; i++) {
        m.sp[i] = rtheap_alloc(h, 24);
        if (i == 1) {
            m.before_f = rtheap_alloc(h, 24); /* freed, it merges with F only */
        }
        blocks[i] = rtheap_alloc(h, 72);
        TH_CHECK(m.sp[i] != NULL && blocks[i] != NULL);
    }
    m.sp[3] = rtheap_alloc(h, 24); /* keeps N from the free rest */
    TH_CHECK_NOT_NULL(m.sp[3]);
    m.p = blocks[0], m.f = blocks[1], m.n = blocks[2];
    rtheap_free(h, m.n);
    rtheap_free(h, m.f);
    rtheap_free(h, m.p); /* pushed last: list P, F, N */
    uint32_t c = rtheap_class_of_size(tsize(m.f));
    TH_CHECK_PTR_EQ(h->heads[c], blk(m.p));
    TH_CHECK_PTR_EQ(blk(m.p)->next_free, blk(m.f));
    TH_CHECK_PTR_EQ(blk(m.f)->next_free, blk(m.n));
    CU_CHECK_HEAP(h);
    return m;
}

static void middle_of_list(void)
{
    th_println("damaged block in the middle of its list, found by a merge");
    for (unsigned way = 0; way < 5; way++) {
        rtheap_t *h = fresh(3072);
        mid_t m = mid_layout(h);
        block_t *fb = blk(m.f);
        uintptr_t tf = tsize(m.f);
        switch (way) {
        case 0: fb->next_free = blk(m.sp[0]); break; /* next unsound, prev sound */
        case 1: *rtheap_footer(rtheap_addr(fb) + tf) = blk(m.p); break; /* links sound */
        case 2: fb->next_free = rtheap_block_at(rtheap_addr(fb) + WORD); break; /* misaligned */
        case 3: fb->prev_free = rtheap_block_at((uintptr_t)arena + 4096); break; /* no region */
        default: fb->prev_free = blk(m.sp[0]); break; /* sound position, no link back */
        }
        rtheap_free(h, m.before_f); /* meets F as its next block */
        TH_CHECK_EQ(hook.calls, 1);
        TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_FREE_LIST);
        rtheap_stats_t s = stats_of(h);
        TH_CHECK_EQ(s.quarantine_count, 1);
        TH_CHECK_EQ(s.quarantined_bytes, tf);
        if (way >= 3) {
            /* Nothing sound leads to F: N, behind it, is cut off (free, listed
             * nowhere, still linking back to the quarantined F, which marks it
             * as known damage) and the heap stays consistent. P still leads to
             * F: the next allocation from P's list cuts it there and serves P,
             * with no second report. */
            TH_CHECK_PTR_EQ(blk(m.n)->prev_free, fb);
            TH_CHECK(h->lost_lists >= 1u);
            TH_CHECK_PTR_EQ(blk(m.p)->next_free, fb);
            CU_CHECK_HEAP(h);
            TH_CHECK_PTR_EQ(rtheap_alloc(h, 72), m.p);
            TH_CHECK_EQ(hook.calls, 1);
            CU_CHECK_HEAP(h);
            continue;
        }
        /* P now leads past F: to N when F's next link was sound, else nowhere. */
        TH_CHECK_PTR_EQ(blk(m.p)->next_free, way == 1 ? blk(m.n) : NULL);
        if (way == 1) {
            TH_CHECK_PTR_EQ(blk(m.n)->prev_free, blk(m.p));
        }
        CU_CHECK_HEAP(h);
        /* Both other blocks of the class are served (N only if still listed). */
        void *x = rtheap_alloc(h, 72);
        void *y = rtheap_alloc(h, 72);
        TH_CHECK_PTR_EQ(x, m.p);
        TH_CHECK(y != NULL && y != m.f);
        if (way == 1) {
            TH_CHECK_PTR_EQ(y, m.n);
        }
        rtheap_free(h, x);
        rtheap_free(h, y);
        rtheap_free(h, m.sp[0]);
        rtheap_free(h, m.sp[1]);
        /* When F's next link was unsound, N is cut off but still links back to F;
         * N's neighbours stay in use here (test_quarantine.c frees the neighbour
         * of such a block: it is taken out of service with no second report). */
        unsigned live = 2;
        if (way == 1) {
            rtheap_free(h, m.sp[2]);
            rtheap_free(h, m.sp[3]);
            live = 0;
        }
        TH_CHECK_EQ(hook.calls, 1);
        TH_CHECK_EQ(stats_of(h).live_blocks, live);
        CU_CHECK_HEAP(h);
    }
}

/* ---- two regions: links that leave every region ------------------------------ */

static void links_between_regions(void)
{
    th_println("links outside every region of a heap of two");
    for (unsigned way = 0; way < 2; way++) {
        rtheap_t *h = fresh(2048);
        TH_CHECK(rtheap_add_region(h, arena + 3072, 2048));
        void *a = rtheap_alloc(h, 100);
        void *f = rtheap_alloc(h, 100);
        void *c = rtheap_alloc(h, 100);
        TH_CHECK(a != NULL && f != NULL && c != NULL);
        rtheap_free(h, f);
        block_t *fb = blk(f);
        uint32_t cf = rtheap_class_of_size(tsize(f));
        TH_CHECK_PTR_EQ(h->heads[cf], fb);
        /* Between the regions, or inside the second one but not at a header position. */
        fb->next_free = way == 0 ? rtheap_block_at((uintptr_t)arena + 2560)
                                 : rtheap_block_at(h->regions[1].first + WORD);
        void *x = rtheap_alloc(h, 100);
        TH_CHECK(x != NULL && x != f);
        TH_CHECK_EQ(hook.calls, 1);
        TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_FREE_LIST);
        TH_CHECK_EQ(stats_of(h).quarantine_count, 1);
        TH_CHECK(h->heads[cf] != fb);
        CU_CHECK_HEAP(h);
        rtheap_free(h, x);
        rtheap_free(h, a);
        rtheap_free(h, c);
        TH_CHECK_EQ(hook.calls, 1);
        CU_CHECK_HEAP(h);
    }
}

/* ---- a list head that leads outside the heap (control structure damaged) ----- */

static void head_outside(void)
{
    th_println("a list head outside every region");
    rtheap_t *h = fresh(3072);
    void *a = rtheap_alloc(h, 72);
    void *c = rtheap_alloc(h, 40);
    TH_CHECK(a != NULL && c != NULL);
    rtheap_free(h, a);
    uint32_t ca = rtheap_class_of_size(tsize(a));
    /* In this buffer but in no region, with a sound free header of a's size. */
    block_t *outside = rtheap_block_at((uintptr_t)arena + 4096);
    outside->header = rtheap_hdr(tsize(a), FLAG_FREE, KIND_BLOCK);
    h->heads[ca] = outside;
    void *x = rtheap_alloc(h, 72); /* the list is dropped, the request served elsewhere */
    TH_CHECK(x != NULL && x != a);
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_FREE_LIST);
    TH_CHECK_NULL(h->heads[ca]);
    TH_CHECK_EQ(stats_of(h).quarantine_count, 1);
    CU_CHECK_HEAP(h); /* a is free, listed nowhere: one lost list */
    rtheap_free(h, x);
    TH_CHECK_EQ(hook.calls, 1);
    /* c stays in use: freeing it would meet a (cut off, in no list), take it out
     * of service and report it a second time; this case does not assert that. */
    CU_CHECK_HEAP(h);
}

/* ---- forged sizes of free blocks, met by a merge first ---------------------- */

static void forged_free_sizes(void)
{
    th_println("forged sizes of a free block, met by a merge, then by its list");
    for (unsigned way = 0; way < 2; way++) {
        rtheap_t *h = fresh(3072);
        void *a = rtheap_alloc(h, 40);
        void *f = rtheap_alloc(h, 72);
        void *c = rtheap_alloc(h, 40);
        TH_CHECK(a != NULL && f != NULL && c != NULL);
        rtheap_free(h, f);
        block_t *fb = blk(f);
        /* Kind-consistent: below MIN_BLOCK, or past the end of the region. */
        fb->header = rtheap_hdr(way == 0 ? ALIGN : 8192u, FLAG_FREE, KIND_BLOCK);
        rtheap_free(h, a); /* its next block is f: refused as a merge, reported */
        TH_CHECK_EQ(hook.calls, 1);
        TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_FREE_LIST);
        TH_CHECK_EQ(stats_of(h).quarantine_count, 0); /* its extent is not known */
        /* The allocation that reaches f through its list drops it, unreported. */
        void *x = rtheap_alloc(h, 72);
        TH_CHECK(x != NULL && x != f);
        TH_CHECK_EQ(hook.calls, 1);
        TH_CHECK_EQ(stats_of(h).quarantine_count, 1);
        void *y = rtheap_alloc(h, 40);
        TH_CHECK_NOT_NULL(y);
        rtheap_free(h, x);
        rtheap_free(h, y);
        TH_CHECK_EQ(hook.calls, 1);
        TH_CHECK_EQ(stats_of(h).live_blocks, 1); /* c, whose previous block is f */
        rtheap_free(h, c);
    }
}

/* ---- a footer overwritten, met from both sides ------------------------------- */

static void footer_both_sides(void)
{
    th_println("a footer overwritten, met by the block after, then the block before");
    rtheap_t *h = fresh(3072);
    void *a = rtheap_alloc(h, 40);
    void *f = rtheap_alloc(h, 72);
    void *c = rtheap_alloc(h, 40);
    void *d = rtheap_alloc(h, 40);
    TH_CHECK(a != NULL && f != NULL && c != NULL && d != NULL);
    rtheap_free(h, f);
    uintptr_t tf = tsize(f);
    *rtheap_footer(rtheap_addr(blk(f)) + tf) = blk(a); /* a header position, wrong block */
    rtheap_free(h, c);
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_NEIGHBOUR);
    rtheap_free(h, a); /* meets f as its next block: known, not reported again */
    TH_CHECK_EQ(hook.calls, 1);
    rtheap_stats_t s = stats_of(h);
    TH_CHECK_EQ(s.quarantine_count, 1);
    TH_CHECK_EQ(s.quarantined_bytes, tf);
    CU_CHECK_HEAP(h);
    void *x = rtheap_alloc(h, 72);
    TH_CHECK(x != NULL && x != f);
    rtheap_free(h, x);
    rtheap_free(h, d);
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(stats_of(h).live_blocks, 0);
    CU_CHECK_HEAP(h);
}

#endif /* default options */

#if RTHEAP_CHECKS == 2
/* Every call that changes the heap checks it whole afterwards and reports what it
 * finds: damage the statistics (nothing else reads them) and count the reports. */
static void checks2_after_change(void)
{
    th_println("RTHEAP_CHECKS=2: every change is followed by a full check");
    rtheap_t *h = fresh(2048);
    void *a = rtheap_alloc(h, 64);
    void *b = rtheap_alloc_aligned(h, 64, 64);
    TH_CHECK(a != NULL && b != NULL && cu_aligned(b, 64));
    TH_CHECK_EQ(hook.calls, 0);
    TH_CHECK(rtheap_add_region(h, arena + 3072, 1024)); /* sound: no report */
    TH_CHECK(!rtheap_add_region(h, arena + 3072, 1024)); /* overlaps: one report */
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_ARGUMENT);
    CU_CHECK_HEAP(h);

    h->alloc_count++; /* one live block too many: what the check will name */
    uint32_t calls = hook.calls;
#define AFTER(call)                                                                                \
    do {                                                                                           \
        call;                                                                                      \
        TH_CHECK_EQ(hook.calls, ++calls);                                                          \
        TH_CHECK_EQ(hook.kind, RTHEAP_ERR_STATS);                                                  \
    } while (0)
    void *c = NULL;
    AFTER(c = rtheap_alloc(h, 32));
    AFTER(rtheap_free(h, c));
    AFTER(c = rtheap_alloc_aligned(h, 32, 32));
    AFTER(c = rtheap_realloc(h, c, 48));
    AFTER(c = rtheap_realloc_aligned(h, c, 200, 64));
    TH_CHECK(c != NULL && cu_aligned(c, 64));
    AFTER(TH_CHECK(rtheap_resize_in_place(h, c, 100) >= 100u));
    AFTER(rtheap_free(h, c));
    AFTER(c = rtheap_calloc(h, 4, 8));
    AFTER(rtheap_free(h, c));
    AFTER(TH_CHECK(rtheap_add_region(h, arena + 4608, 1024)));
    /* With the argument refused as well: two reports, the refusal first. */
    TH_CHECK_NULL(rtheap_realloc_aligned(h, a, 100, 3));
    TH_CHECK_EQ(hook.calls, calls + 2u);
    calls += 2u;
    h->alloc_count--;
    TH_CHECK_NOT_NULL(rtheap_realloc_aligned(h, a, 100, 16));
    TH_CHECK_EQ(hook.calls, calls);
    CU_CHECK_HEAP(h);
#undef AFTER
}
#endif

#if RTHEAP_POISON
static void poison_written(void)
{
    th_println("RTHEAP_POISON=1: a write after free beyond the links");
    rtheap_t *h = fresh(2048);
    void *a = rtheap_alloc(h, 100);
    void *b = rtheap_alloc(h, 40);
    TH_CHECK(a != NULL && b != NULL);
    rtheap_free(h, a);
    CU_CHECK_HEAP(h);
    unsigned char *p = a;
    unsigned char saved = p[2u * WORD + 5u]; /* past the two links, before the footer */
    p[2u * WORD + 5u] = (unsigned char)(saved ^ 0x5Au);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_POISON);
    p[2u * WORD + 5u] = saved;
    CU_CHECK_HEAP(h);
    rtheap_free(h, b);
    TH_CHECK_EQ(hook.calls, 0);
    CU_CHECK_HEAP(h);
}
#endif

#if RTHEAP_FIT_SCAN > 1
/* The scan goes past the head of the request's own class: damage in the second block. */
static void fit_scan_damage(void)
{
    th_println("RTHEAP_FIT_SCAN>1: damage in the second block of the scanned list");
    uintptr_t lo = 2u * SL_COUNT * ALIGN; /* smallest size of its class */
    uintptr_t t = lo + ALIGN;             /* same class, one granule more */
    TH_CHECK_EQ(rtheap_class_of_size(lo), rtheap_class_of_size(t));
    TH_CHECK(rtheap_class_up(rtheap_granules(t)) != rtheap_class_of_size(t));
    for (unsigned way = 0; way < 2; way++) {
        rtheap_t *h = fresh(sizeof arena);
        void *s0 = rtheap_alloc(h, 16);
        void *f2 = rtheap_alloc(h, payload_for(t));
        void *s1 = rtheap_alloc(h, 16);
        void *f1 = rtheap_alloc(h, payload_for(lo));
        void *s2 = rtheap_alloc(h, 16);
        void *held[8];
        unsigned n = fill_rest(h, held, 8);
        TH_CHECK(s0 && f2 && s1 && f1 && s2);
        rtheap_free(h, f2);
        rtheap_free(h, f1); /* list: f1 (too small), f2 */
        block_t *b2 = blk(f2);
        if (way == 0) {
            *rtheap_footer(rtheap_addr(b2) + t) = blk(s0);
        } else {
            b2->next_free = blk(s1);
        }
        TH_CHECK_NULL(rtheap_alloc(h, payload_for(t)));
        TH_CHECK_EQ(hook.calls, 1);
        TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_FREE_LIST);
        TH_CHECK_EQ(stats_of(h).quarantine_count, 1);
        CU_CHECK_HEAP(h);
        void *x = rtheap_alloc(h, payload_for(lo));
        TH_CHECK_PTR_EQ(x, f1);
        rtheap_free(h, x);
        free_all(h, held, n);
        rtheap_free(h, s0);
        rtheap_free(h, s1);
        rtheap_free(h, s2);
        TH_CHECK_EQ(hook.calls, 1);
        CU_CHECK_HEAP(h);
    }
}

/* The scan finds a block past the head that fits: it is moved to the front of its
 * list and carved from there; the head it passed stays listed and serves next. */
static void fit_scan_past_head(void)
{
    th_println("RTHEAP_FIT_SCAN>1: a fit behind the head is taken from the front");
    uintptr_t lo = 2u * SL_COUNT * ALIGN;
    uintptr_t t = lo + ALIGN;
    rtheap_t *h = fresh(sizeof arena);
    void *s0 = rtheap_alloc(h, 16);
    void *f2 = rtheap_alloc(h, payload_for(t));
    void *s1 = rtheap_alloc(h, 16);
    void *f3 = rtheap_alloc(h, payload_for(lo));
    void *s2 = rtheap_alloc(h, 16);
    void *f1 = rtheap_alloc(h, payload_for(lo));
    void *s3 = rtheap_alloc(h, 16);
    void *held[8];
    unsigned n = fill_rest(h, held, 8);
    TH_CHECK(s0 && f2 && s1 && f3 && s2 && f1 && s3);
    rtheap_free(h, f3);
    rtheap_free(h, f2);
    rtheap_free(h, f1); /* list: f1 (too small), f2, f3 (too small) */
    uint32_t c = rtheap_class_of_size(t);
    TH_CHECK_PTR_EQ(h->heads[c], blk(f1));
    TH_CHECK_PTR_EQ(blk(f1)->next_free, blk(f2));
    void *x = rtheap_alloc(h, payload_for(t));
    TH_CHECK_PTR_EQ(x, f2);
    TH_CHECK_EQ(tsize(x), t);
    TH_CHECK_PTR_EQ(h->heads[c], blk(f1)); /* f1 and f3 stay listed, in order */
    TH_CHECK_PTR_EQ(blk(f1)->next_free, blk(f3));
    TH_CHECK_PTR_EQ(blk(f3)->prev_free, blk(f1));
    CU_CHECK_HEAP(h);
    void *y = rtheap_alloc(h, payload_for(lo));
    void *z = rtheap_alloc(h, payload_for(lo));
    TH_CHECK_PTR_EQ(y, f1);
    TH_CHECK_PTR_EQ(z, f3);
    TH_CHECK_EQ(hook.calls, 0);
    CU_CHECK_HEAP(h);
    rtheap_free(h, x);
    rtheap_free(h, y);
    rtheap_free(h, z);
    free_all(h, held, n);
    rtheap_free(h, s0);
    rtheap_free(h, s1);
    rtheap_free(h, s2);
    rtheap_free(h, s3);
    TH_CHECK_EQ(hook.calls, 0);
    CU_CHECK_HEAP(h);
}
#endif

/* ---- calloc on a block larger than asked ---- */

/* A free block MIN_BLOCK - ALIGN bytes larger than a calloc's block is taken
 * whole (the rest could not be a block of its own): all of its usable size is
 * zeroed, that slack too (calloc holds the length it reads back to it). */
static void calloc_slack(void)
{
    rtheap_t *h = fresh(sizeof arena);
    for (uintptr_t t = MIN_BLOCK; t <= 8u * MIN_BLOCK; t += ALIGN) {
        uintptr_t big = t + MIN_BLOCK - ALIGN;
        void *a = rtheap_alloc(h, payload_for(big));
        void *guard = rtheap_alloc(h, 1); /* a stays apart from the free rest */
        TH_CHECK(a != NULL && guard != NULL);
        if (a == NULL || guard == NULL) {
            return;
        }
        TH_CHECK_EQ(tsize(a), big);
        cu_set(a, 0xFF, payload_for(big));
        rtheap_free(h, a);
        void *z = rtheap_calloc(h, 1, payload_for(t));
        TH_CHECK_PTR_EQ(z, a);
        TH_CHECK_EQ(tsize(z), big);
        TH_CHECK(cu_all(z, 0, payload_for(big)));
        rtheap_free(h, z);
        rtheap_free(h, guard);
    }
    TH_CHECK_EQ(hook.calls, 0);
    CU_CHECK_HEAP(h);
}

int main(void)
{
    th_println("test_paths: damage, refusals and option paths of rtheap.c");
    calloc_slack();
#if RTHEAP_CHECKS == 1 && RTHEAP_FIT_SCAN == 1 && !RTHEAP_POISON
    check_names_damage();
    refusals();
    damaged_heads();
    first_fit_damage();
    middle_of_list();
    links_between_regions();
    head_outside();
    forged_free_sizes();
    footer_both_sides();
#endif
#if RTHEAP_CHECKS == 2
    checks2_after_change();
#endif
#if RTHEAP_POISON
    poison_written();
#endif
#if RTHEAP_FIT_SCAN > 1
    fit_scan_damage();
    fit_scan_past_head();
#endif
    (void)payload_for;
    (void)tsize;
    (void)stats_of;
    (void)fill_rest;
    (void)free_all;
    return th_summary();
}
