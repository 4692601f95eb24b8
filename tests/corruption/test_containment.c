/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Containment: for every kind of damage the O(1) checks can see in a free
 * block (links, footer, a forged size, a forged FREE bit) and for a double free after a
 * merge, the damage is detected, reported exactly once, taken out of service (counted in
 * quarantine_count), and the heap goes on serving requests from its undamaged part:
 * the neighbours of the damaged block can be freed, allocations of the damaged block's
 * size succeed elsewhere, largest_guaranteed is never a promise that fails.
 * Host and every board. */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "rtheap.h"

#define W sizeof(size_t)
#define A ((size_t)RTHEAP_ALIGNMENT)
#define TAG_SHIFT (8u * W - 8u)
#define SIZE_MASK ((((size_t)1 << TAG_SHIFT) - 1u) & ~(A - 1u))

static _Alignas(16) unsigned char arena[6144];
static rtheap_t *heap;
static unsigned reports;
static rtheap_error_t last_kind;

static void hook(rtheap_t *h, rtheap_error_t kind, const void *ptr, void *user)
{
    (void)h, (void)ptr, (void)user;
    reports++;
    last_kind = kind;
}

/* The XOR of a header's bytes: what rtheap.c's tag makes it equal. */
static unsigned kind_of(size_t header)
{
    unsigned k = 0;
    for (unsigned i = 0; i < W; i++) {
        k ^= (unsigned)(header >> (8u * i)) & 0xFFu;
    }
    return k;
}

/* A header as the allocator would write it: size, flags and a consistent tag byte
 * (a forgery that slips past the tag, the 1-in-256 case of a longer overwrite). */
static size_t forge(size_t size, size_t flags, size_t like)
{
    size_t v = size | flags;
    size_t tag = (size_t)(kind_of(like) ^ kind_of(v));
    return v | (tag << TAG_SHIFT);
}

typedef struct layout {
    unsigned char *a, *f, *c, *d; /* f free between used a and used c; d keeps c apart */
    size_t *hf;                   /* f's header */
    size_t tf;                    /* f's block size */
} layout_t;

static layout_t fresh(void)
{
    layout_t l;
    heap = rtheap_init(arena, sizeof arena);
    TH_CHECK_NOT_NULL(heap);
    rtheap_set_error_hook(heap, hook, NULL);
    l.a = rtheap_alloc(heap, 40);
    l.f = rtheap_alloc(heap, 72);
    l.c = rtheap_alloc(heap, 40);
    l.d = rtheap_alloc(heap, 40);
    TH_CHECK(l.a != NULL && l.f != NULL && l.c != NULL && l.d != NULL);
    rtheap_free(heap, l.f);
    l.hf = (size_t *)(void *)(l.f - W);
    l.tf = *l.hf & SIZE_MASK;
    reports = 0;
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    return l;
}

static void write_string(void *dst, const char *s)
{
    unsigned char *d = dst;
    while (*s != '\0') {
        *d++ = (unsigned char)*s++;
    }
    *d = 0;
}

static rtheap_stats_t stats(void)
{
    rtheap_stats_t s;
    TH_CHECK(rtheap_get_stats(heap, &s));
    return s;
}

/* The heap after containment: no further report, requests served, every promise kept. */
static void serves(const layout_t *l, const char *what)
{
    unsigned before = reports;
    void *held[12];
    unsigned n = 0;
    for (unsigned i = 0; i < 12; i++) {
        held[n] = rtheap_alloc(heap, 8u + 24u * i);
        TH_CHECK_NOT_NULL(held[n]);
        /* nothing handed out overlaps the damaged block */
        uintptr_t p = (uintptr_t)held[n];
        TH_CHECK(p + 8u + 24u * i <= (uintptr_t)l->hf || p >= (uintptr_t)l->hf + l->tf);
        n++;
    }
    while (n > 0) {
        rtheap_free(heap, held[--n]);
    }
    rtheap_stats_t s = stats();
    void *big = rtheap_alloc(heap, s.largest_guaranteed);
    TH_CHECK_NOT_NULL(big); /* largest_guaranteed holds */
    rtheap_free(heap, big);
    int ok = TH_CHECK_EQ(reports, before);
    ok &= TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    s = stats();
    ok &= TH_CHECK(s.quarantine_count >= 1u);
    ok &= TH_CHECK(s.free_bytes + s.quarantined_bytes + s.used_bytes_with_overhead == s.arena_bytes);
    if (!ok) {
        th_print("  ... after ");
        th_println(what);
    }
}

/* Frees what is left of the layout (the damaged block's neighbours included). */
static void free_rest(const layout_t *l, bool a_live, bool c_live)
{
    unsigned before = reports;
    if (a_live) {
        rtheap_free(heap, l->a);
    }
    if (c_live) {
        rtheap_free(heap, l->c);
    }
    rtheap_free(heap, l->d);
    TH_CHECK_EQ(reports, before);
    TH_CHECK_EQ(stats().live_blocks, 0);
}

/* Links overwritten by a string (a write after free), found by each way in. */
static void links(unsigned way)
{
    static const char *const names[] = {"links, found by an allocation",
                                        "links, found by freeing the block before",
                                        "links, found by freeing the block after",
                                        "links, found by growing the block before",
                                        "links, found by largest_guaranteed"};
    th_println(names[way]);
    layout_t l = fresh();
    write_string(l.f, "a string after free");
    bool a_live = true, c_live = true;
    switch (way) {
    case 0: {
        void *x = rtheap_alloc(heap, 72); /* served elsewhere */
        TH_CHECK(x != NULL && x != l.f);
        rtheap_free(heap, x);
        break;
    }
    case 1: rtheap_free(heap, l.a), a_live = false; break;
    case 2: rtheap_free(heap, l.c), c_live = false; break;
    case 3: TH_CHECK_EQ(rtheap_resize_in_place(heap, l.a, 100), 0); break;
    default: {
        /* make f the top class's head: everything bigger is taken */
        void *rest = rtheap_alloc(heap, stats().largest_guaranteed);
        TH_CHECK_NOT_NULL(rest);
        rtheap_stats_t s = stats();
        TH_CHECK(s.largest_guaranteed < l.tf); /* f was the top head: not promised */
        void *p = rtheap_alloc(heap, s.largest_guaranteed);
        TH_CHECK(s.largest_guaranteed == 0 || p != NULL);
        rtheap_free(heap, p);
        rtheap_free(heap, rest);
        break;
    }
    }
    TH_CHECK_EQ(reports, 1);
    TH_CHECK_EQ(last_kind, RTHEAP_ERR_BAD_FREE_LIST);
    rtheap_stats_t s = stats();
    TH_CHECK_EQ(s.quarantine_count, 1);
    TH_CHECK_EQ(s.quarantined_bytes, l.tf);
    /* the neighbours are freed, with no further report */
    free_rest(&l, a_live, c_live);
    serves(&l, names[way]);
}

/* Footer overwritten: found when the block after is freed, then by an allocation. */
static void footer(unsigned way)
{
    th_println(way == 0 ? "footer, found by freeing the block after"
                        : "footer, found by an allocation first");
    layout_t l = fresh();
    size_t *foot = (size_t *)(void *)((unsigned char *)l.hf + l.tf - W);
    *foot += 1u; /* misaligned: must not be read through (Cortex-M0 would fault) */
    bool c_live = true;
    if (way == 0) {
        rtheap_free(heap, l.c);
        c_live = false;
        TH_CHECK_EQ(reports, 1);
        TH_CHECK_EQ(last_kind, RTHEAP_ERR_BAD_NEIGHBOUR);
    }
    /* f is taken out of service when an allocation reaches it through its list */
    void *x = rtheap_alloc(heap, 72);
    void *y = rtheap_alloc(heap, 72);
    TH_CHECK(x != NULL && y != NULL && x != l.f && y != l.f);
    TH_CHECK_EQ(reports, 1);
    TH_CHECK_EQ(stats().quarantine_count, 1);
    rtheap_free(heap, x);
    rtheap_free(heap, y);
    free_rest(&l, true, c_live);
    serves(&l, "footer");
}

/* A forged FREE bit (the header's tag no longer holds): the list is dropped. */
static void free_bit(void)
{
    th_println("FREE bit cleared on a free block");
    layout_t l = fresh();
    *l.hf &= ~(size_t)1u;
    void *x = rtheap_alloc(heap, 72);
    TH_CHECK(x != NULL && x != l.f);
    TH_CHECK_EQ(reports, 1);
    TH_CHECK_EQ(last_kind, RTHEAP_ERR_BAD_FREE_LIST);
    /* c (after f) is freed on its own; a (before f, whose next header is damaged:
     * typically its own overflow) is refused, once */
    rtheap_free(heap, l.c);
    TH_CHECK_EQ(reports, 1);
    rtheap_free(heap, l.a);
    TH_CHECK_EQ(reports, 2);
    TH_CHECK_EQ(last_kind, RTHEAP_ERR_BAD_NEIGHBOUR);
    rtheap_free(heap, x);
    rtheap_free(heap, l.d);
    rtheap_stats_t s = stats();
    TH_CHECK_EQ(s.live_blocks, 1); /* a */
    TH_CHECK(rtheap_check(heap) != RTHEAP_OK); /* the damaged header stays in the chain */
    /* the rest of the heap serves */
    void *big = rtheap_alloc(heap, s.largest_guaranteed);
    TH_CHECK_NOT_NULL(big);
    rtheap_free(heap, big);
    TH_CHECK_EQ(reports, 2);
}

/* A forged size with a consistent tag, running past the region: the allocation that
 * reaches it drops its list instead of carving outside the heap. */
static void forged_size(void)
{
    th_println("forged size (consistent tag) of a free block");
    layout_t l = fresh();
    size_t saved = *l.hf;
    *l.hf = forge((sizeof arena) & SIZE_MASK, saved & (A - 1u), saved);
    void *x = rtheap_alloc(heap, 72);
    TH_CHECK(x != NULL && x != l.f);
    TH_CHECK_EQ(reports, 1);
    TH_CHECK_EQ(last_kind, RTHEAP_ERR_BAD_FREE_LIST);
    TH_CHECK_EQ(stats().quarantine_count, 1);
    rtheap_free(heap, x);
    rtheap_free(heap, l.c); /* after f: disowns it */
    TH_CHECK_EQ(reports, 1);
    rtheap_free(heap, l.d);
    void *y = rtheap_alloc(heap, 200);
    TH_CHECK_NOT_NULL(y);
    rtheap_free(heap, y);
    TH_CHECK_EQ(reports, 1);
}

/* A double free of a block that was merged: refused once, nothing changes. */
static void double_free_after_merge(void)
{
    th_println("double free after a merge");
    layout_t l = fresh();
    rtheap_free(heap, l.c); /* merges backwards into f */
    rtheap_stats_t s0 = stats();
    rtheap_free(heap, l.c);
    TH_CHECK_EQ(reports, 1);
    rtheap_stats_t s1 = stats();
    TH_CHECK_EQ(s1.free_count, s0.free_count);
    TH_CHECK_EQ(s1.quarantine_count, 0);
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    rtheap_free(heap, l.a);
    rtheap_free(heap, l.d);
    TH_CHECK_EQ(reports, 1);
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    TH_CHECK_EQ(stats().live_blocks, 0);
}

int main(void)
{
    th_println("containment: damage reported once, taken out of service, heap serving");
    for (unsigned way = 0; way < 5; way++) {
        links(way);
    }
    footer(0);
    footer(1);
    free_bit();
    forged_size();
    double_free_after_merge();
    return th_summary();
}
