/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* White-box, RTHEAP_ALIGNED_FIT: where an over-aligned request goes, depending on the
 * best-fitting free block. Built twice: as is (one search, with room for the worst
 * alignment gap) and with -DRTHEAP_ALIGNED_FIT=1 (the best-fitting block first, when its
 * address leaves room for the gap). Compiles rtheap.c into itself. */
#include "rtheap.c"

#include "../core/core_util.h"

static unsigned char arena[4096] __attribute__((aligned(64)));

#define FIT_ALIGN 64u

/* A fresh heap whose first block (`pad` payload bytes, returned in *a) is sized so
 * that the next block's payload is FIT_ALIGN-aligned plus `off` bytes. */
static rtheap_t *heap_with_pad(uintptr_t off, void **a)
{
    rtheap_t *h = rtheap_init(arena, sizeof arena);
    TH_CHECK_NOT_NULL(h);
    void *p0 = rtheap_alloc(h, 8);
    TH_CHECK_NOT_NULL(p0);
    rtheap_free(h, p0);
    size_t pad = 8;
    while (((uintptr_t)p0 + rtheap_block_size_for(pad)) % FIT_ALIGN != off) {
        pad += ALIGN;
    }
    *a = rtheap_alloc(h, pad);
    TH_CHECK(*a == p0);
    return h;
}

/* A free block of `size` payload bytes between two used ones: it is allocated, then
 * a separator after it, then it is freed. Returns its payload. */
static void *free_between(rtheap_t *h, size_t size)
{
    void *b = rtheap_alloc(h, size);
    void *c = rtheap_alloc(h, 32);
    TH_CHECK(b != NULL && c != NULL);
    rtheap_free(h, b);
    return b;
}

/* The best fit is placed well: taken with the option, passed over without. */
static void best_fit_placed_well(void)
{
    void *a;
    rtheap_t *h = heap_with_pad(0, &a);
    void *b = free_between(h, 200);
    TH_CHECK_EQ((uintptr_t)b % FIT_ALIGN, 0);
    /* 150 B fit b with no gap; b is too small for 150 B plus the worst gap. */
    uintptr_t t = rtheap_block_size_for(150);
    uintptr_t tb = rtheap_block_size_for(200);
    TH_CHECK(t <= tb && t + FIT_ALIGN + MIN_BLOCK - ALIGN > tb);
    void *p = rtheap_alloc_aligned(h, 150, FIT_ALIGN);
    TH_CHECK_NOT_NULL(p);
    TH_CHECK_EQ((uintptr_t)p % FIT_ALIGN, 0);
#if RTHEAP_ALIGNED_FIT
    TH_CHECK(p == b);
#else
    TH_CHECK(p != b);
#endif
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
}

/* The best fit is placed badly (its payload one granule short of the alignment, so
 * the gap is a granule plus FIT_ALIGN): both builds go on to a block with room for
 * the gap. */
static void best_fit_placed_badly(void)
{
    void *a;
    rtheap_t *h = heap_with_pad(FIT_ALIGN - ALIGN, &a);
    void *b = free_between(h, 200);
    void *p = rtheap_alloc_aligned(h, 150, FIT_ALIGN);
    TH_CHECK_NOT_NULL(p);
    TH_CHECK_EQ((uintptr_t)p % FIT_ALIGN, 0);
    TH_CHECK(p != b);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
}

/* The heap's only free block is in the request's own class but below the class that
 * guarantees the request: neither search finds it, the bounded first fit does, and it
 * is placed well. Both builds take it. */
static void only_first_fit_left(void)
{
    void *a;
    rtheap_t *h = heap_with_pad(0, &a);
    /* A size whose class does not guarantee it (not its class's smallest). */
    size_t s = 300;
    while (rtheap_class_up(rtheap_granules(rtheap_block_size_for(s))) ==
           rtheap_class_of_size(rtheap_block_size_for(s))) {
        s += ALIGN;
    }
    void *b = rtheap_alloc(h, s);
    void *c = rtheap_alloc(h, 32);
    TH_CHECK(b != NULL && c != NULL);
    TH_CHECK_EQ((uintptr_t)b % FIT_ALIGN, 0);
    rtheap_stats_t st;
    TH_CHECK(rtheap_get_stats(h, &st));
    void *rest = rtheap_alloc(h, st.free_bytes - WORD); /* the rest, whole */
    TH_CHECK_NOT_NULL(rest);
    rtheap_free(h, b);
    void *p = rtheap_alloc_aligned(h, s, FIT_ALIGN);
    TH_CHECK(p == b);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
}

/* The best fit's gap is larger than the whole block. */
static void gap_larger_than_block(void)
{
    void *a;
    rtheap_t *h = heap_with_pad(FIT_ALIGN - ALIGN, &a);
    void *b = free_between(h, 40);
    TH_CHECK(rtheap_align_gap(rtheap_addr(rtheap_block_of(b)), FIT_ALIGN) >
             rtheap_block_size_for(40));
    void *p = rtheap_alloc_aligned(h, 32, FIT_ALIGN);
    TH_CHECK_NOT_NULL(p);
    TH_CHECK_EQ((uintptr_t)p % FIT_ALIGN, 0);
    TH_CHECK(p != b);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
}

/* The best fit's footer is damaged: it does not hold up, and the request is served
 * from a block with room for the gap. */
static void best_fit_damaged(void)
{
    void *a;
    rtheap_t *h = heap_with_pad(0, &a);
    void *b = free_between(h, 200);
    block_t *bb = rtheap_block_of(b);
    *rtheap_footer(rtheap_addr(bb) + rtheap_size(bb->header)) = NULL;
    void *p = rtheap_alloc_aligned(h, 150, FIT_ALIGN);
    TH_CHECK_NOT_NULL(p);
    TH_CHECK_EQ((uintptr_t)p % FIT_ALIGN, 0);
    TH_CHECK(p != b);
}

/* Nothing can hold the request with its gap: the badly placed best fit is the only
 * free block. NULL, with the alignment's gap computed (a nearly full heap) and with an
 * alignment larger than any block (no room for any gap). */
static void nothing_fits(void)
{
    static const size_t aligns[] = {FIT_ALIGN, (size_t)1 << 20};
    for (uint32_t k = 0; k < 2; k++) {
        void *a;
        rtheap_t *h = heap_with_pad(FIT_ALIGN - ALIGN, &a);
        void *b = rtheap_alloc(h, 200);
        void *c = rtheap_alloc(h, 32);
        TH_CHECK(b != NULL && c != NULL);
        rtheap_stats_t st;
        TH_CHECK(rtheap_get_stats(h, &st));
        TH_CHECK_NOT_NULL(rtheap_alloc(h, st.free_bytes - WORD)); /* the rest, whole */
        rtheap_free(h, b);
        TH_CHECK(rtheap_alloc_aligned(h, 150, aligns[k]) == NULL);
        TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
    }
}

int main(void)
{
    th_println(RTHEAP_ALIGNED_FIT ? "test_aligned_fit: RTHEAP_ALIGNED_FIT=1"
                                  : "test_aligned_fit: RTHEAP_ALIGNED_FIT=0");
    best_fit_placed_well();
    best_fit_placed_badly();
    only_first_fit_left();
    gap_larger_than_block();
    best_fit_damaged();
    nothing_fits();
    return th_summary();
}
