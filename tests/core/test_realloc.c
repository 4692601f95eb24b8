/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap_realloc / rtheap_realloc_aligned / rtheap_resize_in_place / rtheap_calloc, as
 * rtheap.h promises them: contents kept, sizes, counts, failures that leave the block
 * intact. Where a resized block lies (in place or moved) is not asserted here:
 * tests/whitebox/test_placement.c does, for this implementation's placement. */
#include "core_util.h"

#if TH_IS_TARGET
#define ARENA_CAP (8u * 1024u)
#else
#define ARENA_CAP (64u * 1024u)
#endif

static uint8_t host_arena[64u * 1024u] __attribute__((aligned(16)));
static rtheap_t *heap;
static size_t initial_largest;
static cu_hook_t hook;

static rtheap_stats_t stats(void)
{
    return cu_stats(heap);
}

static void finish(const char *what)
{
    cu_finish(heap, &hook, initial_largest, what);
}

/* Grow, then shrink: the contents are kept, a shrink stays in place and gives the tail
 * back (by less than a minimum block: the block stays as it is), and an in-place resize
 * counts as a realloc only, a move also as one allocation and one free. Whether a block
 * grows in place depends on where the blocks lie: tests/whitebox/test_placement.c. */
static void test_grow_shrink(void)
{
    void *a = rtheap_alloc(heap, 100);
    void *b = rtheap_alloc(heap, 100);
    TH_CHECK(a != NULL && b != NULL);
    cu_fill(a, 100, 1);
    rtheap_free(heap, b);
    rtheap_stats_t s0 = stats();
    void *a2 = rtheap_realloc(heap, a, 300);
    if (!TH_CHECK_NOT_NULL(a2)) {
        rtheap_free(heap, a);
        return;
    }
    TH_CHECK(rtheap_usable_size(heap, a2) >= 300u);
    TH_CHECK_EQ(cu_verify(a2, 100, 1), 100);
    rtheap_stats_t s1 = stats();
    uint32_t moved = a2 != a ? 1u : 0u;
    TH_CHECK_EQ(s1.realloc_count, s0.realloc_count + 1u);
    TH_CHECK_EQ(s1.alloc_count, s0.alloc_count + moved);
    TH_CHECK_EQ(s1.free_count, s0.free_count + moved);
    TH_CHECK_EQ(s1.used_bytes, rtheap_usable_size(heap, a2));
    CU_CHECK_HEAP(heap);
    cu_fill(a2, 300, 2);
    /* shrink: same pointer, the tail goes back to the heap */
    void *a4 = rtheap_realloc(heap, a2, 40);
    TH_CHECK_PTR_EQ(a4, a2);
    TH_CHECK_EQ(rtheap_usable_size(heap, a4), rtheap_request_usable_size(40, 1));
    TH_CHECK_EQ(cu_verify(a4, 40, 2), 40);
    /* shrinking by less than a minimum block keeps the block as it is */
    size_t u = rtheap_usable_size(heap, a4);
    TH_CHECK_PTR_EQ(rtheap_realloc(heap, a4, u - 1u), a4);
    TH_CHECK_EQ(rtheap_usable_size(heap, a4), u);
    CU_CHECK_HEAP(heap);
    rtheap_free(heap, a4);
    finish("grow/shrink");
}

/* A realloc to 1000 bytes with another block allocated after it: moved or not (the
 * placement's choice), every usable byte of the old block is kept, a move counts as one
 * allocation and one free too, and a shrink stays in place. */
static void test_move(void)
{
    void *a = rtheap_alloc(heap, 100);
    void *b = rtheap_alloc(heap, 10);
    TH_CHECK(a != NULL && b != NULL);
    size_t ua = rtheap_usable_size(heap, a);
    cu_fill(a, ua, 3);
    cu_fill(b, 10, 4);
    rtheap_stats_t s0 = stats();
    void *m = rtheap_realloc(heap, a, 1000);
    TH_CHECK_NOT_NULL(m);
    TH_CHECK(cu_aligned(m, CU_ALIGN));
    TH_CHECK(rtheap_usable_size(heap, m) >= 1000u);
    /* every usable byte of the old block was kept */
    TH_CHECK_EQ(cu_verify(m, ua, 3), ua);
    TH_CHECK_EQ(cu_verify(b, 10, 4), 10);
    rtheap_stats_t s1 = stats();
    uint32_t moved = m != a ? 1u : 0u;
    TH_CHECK_EQ(s1.alloc_count, s0.alloc_count + moved);
    TH_CHECK_EQ(s1.free_count, s0.free_count + moved);
    TH_CHECK_EQ(s1.realloc_count, s0.realloc_count + 1u);
    TH_CHECK_EQ(s1.live_blocks, 2);
    CU_CHECK_HEAP(heap);
    /* moving shrink is never needed: a shrink stays */
    void *m2 = rtheap_realloc(heap, m, 8);
    TH_CHECK_PTR_EQ(m2, m);
    TH_CHECK_EQ(cu_verify(m2, 8, 3), 8);
    rtheap_free(heap, m2);
    rtheap_free(heap, b);
    finish("move");
}

/* rtheap_realloc_sized keeps the first min(old_size, size) bytes, moved or not; old_size
 * above the block's usable size keeps the whole block; NULL allocates; a bad pointer is
 * refused and reported. */
static void test_realloc_sized(void)
{
    void *a = rtheap_alloc(heap, 100);
    void *b = rtheap_alloc(heap, 10);
    if (!TH_CHECK(a != NULL && b != NULL)) {
        return;
    }
    cu_fill(a, 100, 5);
    void *m = rtheap_realloc_sized(heap, a, 60, 1000);
    TH_CHECK_NOT_NULL(m);
    TH_CHECK(cu_aligned(m, CU_ALIGN));
    TH_CHECK(rtheap_usable_size(heap, m) >= 1000u);
    TH_CHECK_EQ(cu_verify(m, 60, 5), 60);
    void *s = rtheap_realloc_sized(heap, m, 1000, 30);
    TH_CHECK_PTR_EQ(s, m); /* a shrink stays */
    TH_CHECK_EQ(cu_verify(s, 30, 5), 30);
    size_t us = rtheap_usable_size(heap, s);
    cu_fill(s, us, 6);
    void *g = rtheap_realloc_sized(heap, s, SIZE_MAX, 3000);
    TH_CHECK_NOT_NULL(g);
    TH_CHECK_EQ(cu_verify(g, us, 6), us);
    void *n = rtheap_realloc_sized(heap, NULL, 0, 50);
    TH_CHECK_NOT_NULL(n);
    TH_CHECK(rtheap_usable_size(heap, n) >= 50u);
    cu_fill(n, 50, 7);
    TH_CHECK_NULL(rtheap_realloc_sized(heap, (uint8_t *)n + 1, 50, 60));
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(hook.kind, RTHEAP_ERR_MISALIGNED);
    TH_CHECK_EQ(cu_verify(n, 50, 7), 50);
    TH_CHECK_NULL(rtheap_realloc_sized(NULL, n, 50, 60));
    cu_hook_reset(&hook);
    CU_CHECK_HEAP(heap);
    rtheap_free(heap, n);
    rtheap_free(heap, g);
    rtheap_free(heap, b);
    finish("realloc_sized");
}

static void test_null_and_zero(void)
{
    rtheap_stats_t s0 = stats();
    void *p = rtheap_realloc(heap, NULL, 50);
    TH_CHECK_NOT_NULL(p);
    TH_CHECK_EQ(rtheap_usable_size(heap, p), rtheap_request_usable_size(50, 1));
    rtheap_stats_t s1 = stats();
    TH_CHECK_EQ(s1.alloc_count, s0.alloc_count + 1u);
    cu_fill(p, 50, 5);
    /* realloc(p, 0) keeps a valid minimum block (never frees) */
    void *z = rtheap_realloc(heap, p, 0);
    TH_CHECK_PTR_EQ(z, p);
    TH_CHECK_EQ(rtheap_usable_size(heap, z), rtheap_request_usable_size(0, 1));
    TH_CHECK_EQ(cu_verify(z, rtheap_request_usable_size(0, 1), 5), rtheap_request_usable_size(0, 1));
    rtheap_stats_t s2 = stats();
    TH_CHECK_EQ(s2.live_blocks, 1);
    TH_CHECK_EQ(s2.free_count, s1.free_count);
    CU_CHECK_HEAP(heap);
    rtheap_free(heap, z);
    /* realloc(NULL, 0) is alloc(0) */
    void *q = rtheap_realloc(heap, NULL, 0);
    TH_CHECK_NOT_NULL(q);
    rtheap_free(heap, q);
    finish("realloc NULL / 0");
}

static void test_failed_realloc(void)
{
    void *p = rtheap_alloc(heap, 100);
    void *blk = rtheap_alloc(heap, 16);
    TH_CHECK(p != NULL && blk != NULL);
    cu_fill(p, 100, 6);
    size_t u = rtheap_usable_size(heap, p);
    static const size_t huge[] = {0, SIZE_MAX, SIZE_MAX / 2u, SIZE_MAX - 64u};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        size_t want = i == 0 ? initial_largest : huge[i];
        rtheap_stats_t s0 = stats();
        TH_CHECK_NULL(rtheap_realloc(heap, p, want));
        rtheap_stats_t s1 = stats();
        TH_CHECK_EQ(s1.failed_count, s0.failed_count + 1u);
        TH_CHECK_EQ(s1.error_count, s0.error_count);
        TH_CHECK_EQ(s1.realloc_count, s0.realloc_count);
        TH_CHECK_EQ(s1.live_blocks, 2);
        TH_CHECK_EQ(rtheap_usable_size(heap, p), u);
        TH_CHECK_EQ(cu_verify(p, 100, 6), 100);
        /* realloc_aligned and resize_in_place fail the same way */
        TH_CHECK_NULL(rtheap_realloc_aligned(heap, p, want, 64));
        TH_CHECK_EQ(rtheap_resize_in_place(heap, p, want), 0);
        TH_CHECK_EQ(rtheap_usable_size(heap, p), u);
        TH_CHECK_EQ(cu_verify(p, 100, 6), 100);
    }
    CU_CHECK_HEAP(heap);
    rtheap_free(heap, p);
    rtheap_free(heap, blk);
    finish("failed realloc");
}

static void test_realloc_aligned_move(void)
{
    uint32_t bad = 0;
    for (size_t align = 16; align <= 1024u; align <<= 1) {
        void *pad = rtheap_alloc(heap, 8); /* shifts the next block */
        void *p = rtheap_alloc(heap, 64);
        if (p == NULL || pad == NULL) {
            bad++;
            continue;
        }
        cu_fill(p, 64, (uint32_t)align);
        void *q = rtheap_realloc_aligned(heap, p, 64, align);
        if (q == NULL || !cu_aligned(q, align) || cu_verify(q, 64, (uint32_t)align) != 64 ||
            (cu_aligned(p, align) && q != p)) {
            bad++;
        }
        rtheap_free(heap, q);
        rtheap_free(heap, pad);
    }
    TH_CHECK_EQ(bad, 0);
    finish("realloc_aligned move");
}

/* rtheap_resize_in_place never moves the block: it returns the new usable size (at least
 * the request), or 0 with the block untouched, which is not an error; the size the
 * block has always succeeds, and so does a shrink. Whether a block can grow depends on
 * where the blocks lie: tests/whitebox/test_placement.c. */
static void test_resize_in_place(void)
{
    void *a = rtheap_alloc(heap, 64);
    void *b = rtheap_alloc(heap, 64);
    void *c = rtheap_alloc(heap, 64);
    TH_CHECK(a != NULL && b != NULL && c != NULL);
    cu_fill(a, 64, 7);
    size_t ua = rtheap_usable_size(heap, a);
    /* with b live: grown or refused, either way not an error */
    rtheap_stats_t s0 = stats();
    size_t r = rtheap_resize_in_place(heap, a, 200);
    rtheap_stats_t s1 = stats();
    TH_CHECK(r == 0 || r >= 200u);
    TH_CHECK_EQ(rtheap_usable_size(heap, a), r == 0 ? ua : r);
    TH_CHECK_EQ(cu_verify(a, 64, 7), 64);
    TH_CHECK_EQ(s1.error_count, s0.error_count);
    TH_CHECK_EQ(s1.realloc_count, s0.realloc_count + (r != 0 ? 1u : 0u));
    TH_CHECK_EQ(s1.used_bytes, s0.used_bytes - ua + rtheap_usable_size(heap, a));
    /* growing to what it already has succeeds */
    ua = rtheap_usable_size(heap, a);
    TH_CHECK_EQ(rtheap_resize_in_place(heap, a, ua), ua);
    /* with b freed: grown (at least the request, the pointer unchanged) or refused */
    rtheap_free(heap, b);
    size_t g = rtheap_resize_in_place(heap, a, 100);
    TH_CHECK(g == 0 || g >= 100u);
    TH_CHECK_EQ(rtheap_usable_size(heap, a), g == 0 ? ua : g);
    TH_CHECK_EQ(cu_verify(a, 64, 7), 64);
    CU_CHECK_HEAP(heap);
    /* shrink */
    size_t sh = rtheap_resize_in_place(heap, a, 10);
    TH_CHECK_EQ(sh, rtheap_request_usable_size(10, 1));
    TH_CHECK_EQ(cu_verify(a, 10, 7), 10);
    rtheap_stats_t s2 = stats();
    TH_CHECK_EQ(s2.used_bytes, sh + rtheap_usable_size(heap, c));
    /* huge sizes fail */
    TH_CHECK_EQ(rtheap_resize_in_place(heap, a, SIZE_MAX), 0);
    TH_CHECK_EQ(rtheap_resize_in_place(heap, NULL, 10), 0);
    TH_CHECK_EQ(rtheap_usable_size(heap, a), sh);
    CU_CHECK_HEAP(heap);
    rtheap_free(heap, a);
    rtheap_free(heap, c);
    finish("resize_in_place");
}

static void test_calloc(void)
{
    uint32_t bad = 0;
    static const size_t sizes[] = {1, 7, 8, 24, 100, 255, 1000, 2000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        void *d = rtheap_alloc(heap, n);
        if (d == NULL) {
            bad++;
            continue;
        }
        cu_set(d, 0xFF, rtheap_usable_size(heap, d));
        rtheap_free(heap, d);
        void *z = rtheap_calloc(heap, 1, n);
        void *z2 = rtheap_calloc(heap, n, 1);
        if (z == NULL || z2 == NULL || !cu_all(z, 0, rtheap_usable_size(heap, z)) ||
            !cu_all(z2, 0, rtheap_usable_size(heap, z2))) {
            bad++;
        }
        rtheap_free(heap, z);
        rtheap_free(heap, z2);
    }
    TH_CHECK_EQ(bad, 0);
    /* the whole dirty heap, zeroed */
    void *d = rtheap_alloc(heap, initial_largest);
    TH_CHECK_NOT_NULL(d);
    cu_set(d, 0xA7, initial_largest);
    rtheap_free(heap, d);
    void *z = rtheap_calloc(heap, initial_largest / 8u, 8);
    TH_CHECK_NOT_NULL(z);
    TH_CHECK(cu_all(z, 0, initial_largest / 8u * 8u));
    rtheap_free(heap, z);
    /* zero counts give a unique freeable block */
    void *e1 = rtheap_calloc(heap, 0, 16);
    void *e2 = rtheap_calloc(heap, 16, 0);
    TH_CHECK(e1 != NULL && e2 != NULL && e1 != e2);
    rtheap_free(heap, e1);
    rtheap_free(heap, e2);
    /* overflow of count * size: NULL, counted as failed, not an error */
    static const size_t ov[][2] = {{SIZE_MAX / 2u + 1u, 2},
                                   {2, SIZE_MAX / 2u + 1u},
                                   {SIZE_MAX, SIZE_MAX},
                                   {SIZE_MAX, 2},
                                   {(size_t)1 << (sizeof(size_t) * 4u), (size_t)1 << (sizeof(size_t) * 4u)},
                                   {SIZE_MAX / 3u + 1u, 3}};
    for (size_t i = 0; i < sizeof ov / sizeof ov[0]; i++) {
        rtheap_stats_t s0 = stats();
        TH_CHECK_NULL(rtheap_calloc(heap, ov[i][0], ov[i][1]));
        rtheap_stats_t s1 = stats();
        TH_CHECK_EQ(s1.failed_count, s0.failed_count + 1u);
        TH_CHECK_EQ(s1.error_count, s0.error_count);
        TH_CHECK_EQ(s1.alloc_count, s0.alloc_count);
    }
    /* no overflow but too big */
    rtheap_stats_t s0 = stats();
    TH_CHECK_NULL(rtheap_calloc(heap, initial_largest, 2));
    TH_CHECK_EQ(stats().failed_count, s0.failed_count + 1u);
    finish("calloc");
}

int main(void)
{
    th_println("test_realloc");
    size_t bytes;
    void *mem = cu_big_area(host_arena, sizeof host_arena, ARENA_CAP, &bytes);
    heap = rtheap_init(mem, bytes);
    if (!TH_CHECK_NOT_NULL(heap)) {
        return th_summary();
    }
    cu_install_hook(heap, &hook);
    initial_largest = cu_largest(heap);
    test_grow_shrink();
    test_move();
    test_realloc_sized();
    test_null_and_zero();
    test_failed_realloc();
    test_realloc_aligned_move();
    test_resize_in_place();
    test_calloc();
    return th_summary();
}
