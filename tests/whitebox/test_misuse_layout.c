/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* White-box: bad pointers and damage whose outcome the layout of a fresh heap decides.
 * The cases rely on choices of this implementation that rtheap.h does not promise:
 * blocks allocated one after another lie next to each other in address order (so an
 * overflow past a block's usable size lands on the next block's header, and a freed
 * block merges with the neighbours the test chose), a free block keeps its links in its
 * first two payload words and a footer in its last, and a request takes the block at
 * the head of its own size class's list. The contract test (tests/core/test_misuse.c)
 * checks the refusals that hold whatever the layout.
 *   - double frees: the exact kind reported (RTHEAP_ERR_DOUBLE_FREE) when the stale
 *     pointer is still the start of a free block, after merges forwards and backwards;
 *   - an overflow over the next block's header: freeing that block is refused, or
 *     accepted only where the forged size ends on a real block boundary;
 *   - a free block's links or footer overwritten: reported once by the call that meets
 *     them, the block quarantined, its neighbours freed and resized as usual;
 *   - a free block's size forged to point outside the heap: the allocation that takes
 *     it writes nothing outside the heap, reports it once and is served elsewhere.
 * Host and every board. */
#include "../core/misuse_util.h"

/* a, b, c and d lie in that order with the free rest of the heap after d; e and f are
 * allocated from that rest. A stale pointer that is still the start of a free block
 * (nothing free before it) is reported as RTHEAP_ERR_DOUBLE_FREE. */
static void test_double_free(void)
{
    fresh_heap();
    void *a = rtheap_alloc(heap, 48);
    void *b = rtheap_alloc(heap, 48);
    void *c = rtheap_alloc(heap, 48);
    void *d = rtheap_alloc(heap, 48);
    /* plain double free: both neighbours used */
    rtheap_free(heap, b);
    TH_CHECK_EQ(hook.calls, 0);
    expect_refused(b, K(RTHEAP_ERR_DOUBLE_FREE), "double free");
    /* c merges backwards into b's free block: a stale c is refused too */
    rtheap_free(heap, c);
    expect_refused(c, ANY_PTR_ERROR, "double free of a block merged backwards");
    expect_refused(b, K(RTHEAP_ERR_DOUBLE_FREE), "double free of the merged block");
    /* d merges forwards with the free rest of the heap (and backwards with b+c) */
    rtheap_free(heap, d);
    expect_refused(d, ANY_PTR_ERROR, "double free of a block merged both ways");
    expect_refused(b, K(RTHEAP_ERR_DOUBLE_FREE), "double free after a merge");
    /* a block merged forwards only */
    void *e = rtheap_alloc(heap, 48);
    void *f = rtheap_alloc(heap, 48);
    rtheap_free(heap, f); /* f joins the rest of the heap */
    expect_refused(f, K(RTHEAP_ERR_DOUBLE_FREE), "double free of a block merged forwards");
    void *blocks[] = {a, e};
    expect_recovered(blocks, 2, "double frees");
}

/* An overflow from block a writes `n` bytes of `v` past a's usable size, i.e. over the
 * header of the next block b. Freeing b must then be refused (unless the bytes written
 * equal what was there). */
static void test_overwritten_header(void)
{
    static const size_t sizes[] = {8, 24, 40, 100, 248, 256, 1000};
    static const uint8_t values[] = {0x00, 0xFF, 0x41, 0x10, 0x80};
    uint32_t accepted = 0;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        for (size_t vi = 0; vi < sizeof values / sizeof values[0]; vi++) {
            for (size_t n = 1; n <= CU_WORD; n++) {
                fresh_heap();
                uint8_t *a = rtheap_alloc(heap, 40);
                uint8_t *b = rtheap_alloc(heap, sizes[si]);
                uint8_t *c = rtheap_alloc(heap, 16);
                if (!TH_CHECK(a != NULL && b != NULL && c != NULL)) {
                    return;
                }
                cu_fill(b, rtheap_usable_size(heap, b), (uint32_t)(si * 31u + vi));
                size_t ua = rtheap_usable_size(heap, a);
                uint8_t saved[sizeof(size_t)];
                for (size_t i = 0; i < CU_WORD; i++) {
                    saved[i] = a[ua + i];
                }
                cu_set(a + ua, values[vi], n); /* the overflow */
                bool changed = false;
                for (size_t i = 0; i < CU_WORD; i++) {
                    changed |= a[ua + i] != saved[i];
                }
                if (changed) {
                    size_t forged = *(const size_t *)(const void *)(b - CU_WORD);
                    cu_hook_reset(&hook);
                    rtheap_free(heap, b);
                    if (hook.calls == 0) {
                        /* Accepted. O(1) checks cannot refuse a forged size that lands
                         * exactly on a later block boundary whose header agrees (here:
                         * the end of c); anything else is a miss. The heap is now
                         * damaged: go on with a fresh one. */
                        uintptr_t end_c = (uintptr_t)c + rtheap_request_usable_size(16, 1);
                        bool boundary = (uintptr_t)b - CU_WORD + (forged & ~(size_t)(CU_ALIGN - 1u)) == end_c;
                        th_print("  note: overwritten header accepted (");
                        th_print_u(n);
                        th_print(" bytes of ");
                        th_print_x(values[vi]);
                        th_print(" over the header of a ");
                        th_print_u(sizes[si]);
                        th_print("-byte block: forged size ");
                        th_print_u(forged & ~(size_t)(CU_ALIGN - 1u));
                        th_println(boundary ? ", lands on the next block's end)" : ", NOT on a block boundary!)");
                        if (!boundary) {
                            accepted++;
                        }
                        continue;
                    }
                    TH_CHECK((K(hook.kind) & ANY_PTR_ERROR) != 0);
                    expect_refused_damaged(b, ANY_PTR_ERROR,
                                           "free of a block whose header was overwritten");
                }
                /* repair and recover */
                for (size_t i = 0; i < CU_WORD; i++) {
                    a[ua + i] = saved[i];
                }
                TH_CHECK_EQ(rtheap_usable_size(heap, b), rtheap_usable_size(heap, b));
                void *blocks[] = {a, b, c};
                expect_recovered(blocks, 3, "overwritten header");
            }
        }
    }
    TH_CHECK_EQ(accepted, 0);
}

/* A write after free forges the size in a free block's header; the block is then
 * handed out by an allocation. The allocator must not write outside its regions
 * (here: a static "victim" buffer the forged size points at). */
static void test_forged_free_header(void)
{
    static uint8_t victim[64] __attribute__((aligned(16)));
    fresh_heap();
    uint8_t *a = rtheap_alloc(heap, 40);
    uint8_t *b = rtheap_alloc(heap, 40);
    uint8_t *c = rtheap_alloc(heap, 40);
    rtheap_free(heap, b); /* free, between used a and c; the only block of its class */
    size_t *hdr = (size_t *)(void *)(b - CU_WORD);
    size_t saved = *hdr;
    size_t forged = (size_t)((uintptr_t)victim + 32u - (uintptr_t)hdr) & ~(size_t)(CU_ALIGN - 1u);
    *hdr = forged | (saved & (CU_ALIGN - 1u));
    cu_set(victim, 0x10, sizeof victim);
    cu_hook_reset(&hook);
    th_println("forged free-block size, then alloc (a crash here is this bug)");
    void *p = rtheap_alloc(heap, 40);
    /* Nothing written outside the heap; the forged block reported once and taken
     * out of service; the request served from the rest of the heap. */
    int ok = TH_CHECK(cu_all(victim, 0x10, sizeof victim));
    ok &= TH_CHECK_NOT_NULL(p);
    ok &= TH_CHECK(!cu_overlap(p, 40, b - CU_WORD, 48));
    ok &= TH_CHECK_EQ(hook.calls, 1);
    ok &= TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_FREE_LIST);
    if (!ok) {
        th_print("  alloc over a free block with a forged size: returned ");
        th_print_x((uintptr_t)p);
        th_print(" (the forged block: ");
        th_print_x((uintptr_t)b);
        th_print("), errors reported ");
        th_print_u(hook.calls);
        th_println(victim[16] != 0x10 ? ", wrote outside the heap" : "");
        return; /* heap damaged */
    }
    /* Undoing the forgery does not bring b back into its list (it was cut off
     * with it); freeing its neighbours finds it unlisted and quarantines it,
     * without another report. */
    *hdr = saved;
    cu_hook_reset(&hook);
    rtheap_free(heap, a);
    rtheap_free(heap, c);
    rtheap_free(heap, p);
    rtheap_stats_t s;
    TH_CHECK(rtheap_get_stats(heap, &s));
    TH_CHECK_EQ(hook.calls, 0);
    TH_CHECK_EQ(s.live_blocks, 0);
    TH_CHECK(s.quarantine_count >= 1);
    TH_CHECK_EQ(s.free_bytes + s.quarantined_bytes, s.arena_bytes);
    CU_CHECK_HEAP(heap);
}

/* After damage was contained: nothing more is reported, the heap is consistent
 * (the damaged block counted as quarantined) and serves what is left. */
static void expect_contained(void **blocks, int n, size_t quarantined, const char *what)
{
    cu_hook_reset(&hook);
    for (int i = 0; i < n; i++) {
        rtheap_free(heap, blocks[i]);
    }
    rtheap_stats_t s;
    TH_CHECK(rtheap_get_stats(heap, &s));
    int ok = TH_CHECK_EQ(hook.calls, 0);
    ok &= CU_CHECK_HEAP(heap);
    ok &= TH_CHECK_EQ(s.live_blocks, 0);
    ok &= TH_CHECK_EQ(s.quarantine_count, 1);
    ok &= TH_CHECK_EQ(s.quarantined_bytes, quarantined);
    ok &= TH_CHECK_EQ(s.free_bytes + s.quarantined_bytes, s.arena_bytes);
    /* everything but the quarantined block can be had again */
    void *all = rtheap_alloc(heap, s.largest_guaranteed);
    ok &= TH_CHECK_NOT_NULL(all);
    ok &= TH_CHECK(s.largest_guaranteed + quarantined + 4u * CU_MIN_BLOCK >= initial_largest);
    rtheap_free(heap, all);
    ok &= TH_CHECK_EQ(hook.calls, 0);
    if (!ok) {
        th_print("  ... containment after ");
        th_println(what);
    }
}

static void test_corrupted_links(void)
{
    /* b free between used a and c; its links, then its footer, are overwritten with
     * pointers to readable memory that does not link back. The damage is reported
     * once, where it is found, and b is taken out of service: its neighbours can
     * still be freed and resized, and every later allocation steers clear of it. */
    for (int what = 0; what < 5; what++) {
        fresh_heap();
        uint8_t *a = rtheap_alloc(heap, 40);
        uint8_t *b = rtheap_alloc(heap, 40);
        uint8_t *c = rtheap_alloc(heap, 40);
        uint8_t *d = rtheap_alloc(heap, 40);
        rtheap_free(heap, b);
        TH_CHECK_EQ(hook.calls, 0);
        size_t ua = rtheap_usable_size(heap, a);
        cu_fill(a, ua, 11);
        size_t ub = rtheap_request_usable_size(40, 1);
        /* payload words: [0] next_free, [1] prev_free, ..., last word: footer */
        /* 0, 1: next/prev link -> readable memory that does not link back;
         * 2, 3: next/prev link -> a wild address (must not even be read: it could
         *       fault on a board); 4: the footer */
        void **slot = what % 2 == 0 && what < 4 ? (void **)(void *)b
                      : what < 4 ? (void **)(void *)(b + sizeof(void *))
                                 : (void **)(void *)(b + ub - sizeof(void *));
        *slot = what < 2 ? (void *)(other_static + 32)
                         : (void *)(uintptr_t)(UINTPTR_MAX - 2u * CU_ALIGN - CU_WORD + 1u);
        rtheap_stats_t s0, s1;
        TH_CHECK(rtheap_get_stats(heap, &s0));
        cu_hook_reset(&hook);
        if (what < 4) {
            /* Growing a in place would take b: the links are found damaged (one
             * report), b is quarantined, a stays as it was. */
            TH_CHECK_EQ(rtheap_resize_in_place(heap, a, ua + 16u), 0);
            TH_CHECK_EQ(hook.calls, 1);
            TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_FREE_LIST);
            TH_CHECK_EQ(rtheap_usable_size(heap, a), ua);
            TH_CHECK_EQ(cu_verify(a, ua, 11), ua);
            /* b's neighbours are freed, with no further report */
            rtheap_free(heap, a);
            rtheap_free(heap, c);
            TH_CHECK_EQ(hook.calls, 1);
        } else {
            /* c's previous-block footer no longer leads to b: freeing c reports it
             * once and frees c on its own; b is taken out of service when an
             * allocation reaches it through its list (no second report). */
            rtheap_free(heap, c);
            TH_CHECK_EQ(hook.calls, 1);
            TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_NEIGHBOUR);
            TH_CHECK(rtheap_check(heap) != RTHEAP_OK); /* b still in its list */
            void *x = rtheap_alloc(heap, 40);
            void *y = rtheap_alloc(heap, 40);
            TH_CHECK(x != NULL && y != NULL && x != b && y != b);
            TH_CHECK_EQ(hook.calls, 1);
            rtheap_free(heap, x);
            rtheap_free(heap, y);
            rtheap_free(heap, a);
        }
        TH_CHECK(rtheap_get_stats(heap, &s1));
        TH_CHECK_EQ(s1.error_count, s0.error_count + 1u);
        TH_CHECK_EQ(s1.quarantine_count, 1);
        TH_CHECK_EQ(s1.live_blocks, 1);
        CU_CHECK_HEAP(heap);
        void *blocks[] = {d};
        expect_contained(blocks, 1, ub + CU_WORD, "corrupted links");
    }
}

int main(void)
{
    th_println("test_misuse_layout: bad pointers and damage where the layout puts them");
    misuse_setup();
    test_double_free();
    test_overwritten_header();
    test_corrupted_links();
    test_forged_free_header();
    return th_summary();
}
