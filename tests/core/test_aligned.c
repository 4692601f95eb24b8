/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap_alloc_aligned: every power-of-two alignment 1..4096 with many sizes, over-large
 * and bad alignments, aligned blocks through realloc/resize/free like any other. */
#include "core_util.h"

#if TH_IS_TARGET
#define ARENA_CAP (12u * 1024u)
#else
#define ARENA_CAP (64u * 1024u)
#endif

static uint8_t host_arena[64u * 1024u] __attribute__((aligned(16)));
static rtheap_t *heap;
static size_t initial_largest;
static cu_hook_t hook;

static const size_t sizes[] = {0, 1, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 63, 64, 65, 100, 127,
                               128, 200, 255, 256, 257, 500, 511, 513, 1000, 1500};

static bool block_ok(const void *p, size_t size, size_t align)
{
    size_t a = align < CU_ALIGN ? CU_ALIGN : align;
    size_t u = rtheap_usable_size(heap, p);
    size_t r = rtheap_request_usable_size(size, align);
    return p != NULL && cu_aligned(p, a) && u >= size && u >= r && u - r < CU_MIN_BLOCK;
}

static void test_all_alignments(void)
{
    uint32_t bad = 0;
    uint32_t seed = 42;
    for (size_t align = 1; align <= 4096u; align <<= 1) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            size_t s = sizes[i];
            /* a small plain block before it shifts where free space starts */
            void *pad = rtheap_alloc(heap, (size_t)(th_rand(&seed) % 100u));
            void *p = rtheap_alloc_aligned(heap, s, align);
            void *q = rtheap_alloc_aligned(heap, s + 8u, align);
            if (!block_ok(p, s, align) || !block_ok(q, s + 8u, align) || pad == NULL) {
                if (bad++ < 5) {
                    th_print("  bad aligned block: align ");
                    th_print_u(align);
                    th_print(" size ");
                    th_print_u(s);
                    th_print(" -> ");
                    th_print_x((uintptr_t)p);
                    th_print(", ");
                    th_print_x((uintptr_t)q);
                    th_println("");
                }
                rtheap_free(heap, pad);
                rtheap_free(heap, p);
                rtheap_free(heap, q);
                continue;
            }
            size_t up = rtheap_usable_size(heap, p);
            size_t uq = rtheap_usable_size(heap, q);
            if (cu_overlap(p, up, q, uq) || cu_overlap(p, up, pad, 1) || cu_overlap(q, uq, pad, 1)) {
                bad++;
            }
            cu_fill(p, up, (uint32_t)(align + s));
            cu_fill(q, uq, (uint32_t)(align * 3u + s));
            rtheap_free(heap, pad);
            /* grow the aligned block through realloc (in place or moved) */
            void *p2 = rtheap_realloc(heap, p, up + 40u);
            if (p2 == NULL || cu_verify(p2, up, (uint32_t)(align + s)) != up) {
                bad++;
            } else {
                p = p2;
            }
            /* shrink in place keeps the pointer */
            if (rtheap_resize_in_place(heap, q, 1) == 0 || cu_verify(q, 1, (uint32_t)(align * 3u + s)) != 1) {
                bad++;
            }
            if (rtheap_check(heap) != RTHEAP_OK && bad++ < 5) {
                th_print("  rtheap_check failed: align ");
                th_print_u(align);
                th_print(" size ");
                th_print_u(s);
                th_println("");
            }
            rtheap_free(heap, q);
            rtheap_free(heap, p);
        }
    }
    TH_CHECK_EQ(bad, 0);
    TH_CHECK_EQ(hook.calls, 0);
    CU_CHECK_HEAP(heap);
    TH_CHECK_EQ(cu_largest(heap), initial_largest);
}

/* Many aligned blocks live at once, freed in a scrambled order. */
static void test_mixed_live(void)
{
    enum { N = 24 };
    void *p[N];
    size_t al[N];
    uint32_t seed = 5;
    uint32_t bad = 0;
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < N; i++) {
            al[i] = (size_t)1 << (th_rand(&seed) % 10u);
            size_t s = (size_t)(th_rand(&seed) % 200u);
            p[i] = rtheap_alloc_aligned(heap, s, al[i]);
            if (p[i] != NULL) {
                if (!block_ok(p[i], s, al[i])) {
                    bad++;
                }
                cu_fill(p[i], s, (uint32_t)i);
            }
        }
        if (rtheap_check(heap) != RTHEAP_OK) {
            bad++;
        }
        for (int i = 0; i < N; i++) {
            int k = (i * 7 + round) % N;
            rtheap_free(heap, p[k]);
        }
    }
    TH_CHECK_EQ(bad, 0);
    CU_CHECK_HEAP(heap);
    TH_CHECK_EQ(cu_largest(heap), initial_largest);
}

static uintptr_t arena_lo, arena_hi;

static void test_too_large_alignment(void)
{
    uint32_t bad = 0;
    size_t a = 1;
    while (a <= initial_largest) {
        a <<= 1;
    }
    /* Alignments above the heap size: impossible when no multiple of the alignment
     * lies in the arena; else the (single) placement may work, and must be right. */
    for (; a != 0; a <<= 1) {
        uint32_t failed = cu_failed_count(heap);
        uintptr_t first = (arena_lo + a - 1u) & ~(uintptr_t)(a - 1u);
        bool possible = first >= arena_lo && first < arena_hi;
        void *p = rtheap_alloc_aligned(heap, 16, a);
        if (p == NULL) {
            bad += cu_failed_count(heap) != failed + 1u;
        } else {
            bad += !possible || !cu_aligned(p, a) || (uintptr_t)p < arena_lo || (uintptr_t)p >= arena_hi;
            rtheap_free(heap, p);
        }
    }
    TH_CHECK_EQ(bad, 0);
    uint32_t failed = cu_failed_count(heap);
    uint32_t errors = cu_error_count(heap);
    /* sizes no heap can hold: failed allocations, not errors (the whole heap at an
     * alignment its one block does not have: tests/whitebox/test_placement.c) */
    TH_CHECK_NULL(rtheap_alloc_aligned(heap, SIZE_MAX, 64));
    TH_CHECK_NULL(rtheap_alloc_aligned(heap, SIZE_MAX / 2u, 64));
    TH_CHECK_EQ(cu_failed_count(heap), failed + 2u);
    TH_CHECK_EQ(cu_error_count(heap), errors);
    TH_CHECK_EQ(hook.calls, 0);
    CU_CHECK_HEAP(heap);
    TH_CHECK_EQ(cu_largest(heap), initial_largest);
    /* a quarter of the heap size as alignment still works on a fresh heap */
    size_t q = 1;
    while (q * 4u <= initial_largest) {
        q <<= 1;
    }
    q >>= 1;
    void *p = rtheap_alloc_aligned(heap, 16, q);
    TH_CHECK_NOT_NULL(p);
    TH_CHECK(cu_aligned(p, q));
    rtheap_free(heap, p);
    CU_CHECK_HEAP(heap);
}

static void test_bad_alignment(void)
{
    static const size_t bad_aligns[] = {0, 3, 5, 6, 12, 24, 48, 100, 4097, SIZE_MAX};
    uint32_t failed = cu_failed_count(heap);
    void *keep = rtheap_alloc(heap, 40);
    TH_CHECK_NOT_NULL(keep);
    cu_fill(keep, 40, 77);
    for (size_t i = 0; i < sizeof bad_aligns / sizeof bad_aligns[0]; i++) {
        uint32_t errors = cu_error_count(heap);
        cu_hook_reset(&hook);
        TH_CHECK_NULL(rtheap_alloc_aligned(heap, 16, bad_aligns[i]));
        TH_CHECK_EQ(hook.calls, 1);
        TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_ARGUMENT);
        TH_CHECK_PTR_EQ(hook.heap, heap);
        TH_CHECK_EQ(cu_error_count(heap), errors + 1u);
        /* realloc_aligned refuses it too, and the old block stays */
        cu_hook_reset(&hook);
        TH_CHECK_NULL(rtheap_realloc_aligned(heap, keep, 100, bad_aligns[i]));
        TH_CHECK_EQ(hook.calls, 1);
        TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_ARGUMENT);
        TH_CHECK_EQ(rtheap_usable_size(heap, keep), rtheap_request_usable_size(40, 1));
        TH_CHECK_EQ(cu_verify(keep, 40, 77), 40);
        TH_CHECK_EQ(rtheap_request_usable_size(16, bad_aligns[i]), 0);
    }
    /* bad arguments are errors, not failed allocations */
    TH_CHECK_EQ(cu_failed_count(heap), failed);
    rtheap_free(heap, keep);
    CU_CHECK_HEAP(heap);
    TH_CHECK_EQ(cu_largest(heap), initial_largest);
}

static void test_realloc_aligned(void)
{
    uint32_t bad = 0;
    for (size_t align = 1; align <= 2048u; align <<= 1) {
        void *p = rtheap_alloc(heap, 50);
        if (p == NULL) {
            bad++;
            continue;
        }
        cu_fill(p, 50, (uint32_t)align);
        void *q = rtheap_realloc_aligned(heap, p, 300, align);
        if (!block_ok(q, 300, align) || cu_verify(q, 50, (uint32_t)align) != 50) {
            bad++;
            rtheap_free(heap, p);
            continue;
        }
        /* already aligned: shrinking stays in place */
        void *r = rtheap_realloc_aligned(heap, q, 20, align);
        if (r != q || cu_verify(r, 20, (uint32_t)align) != 20) {
            bad++;
        }
        rtheap_free(heap, r);
        /* realloc_aligned(NULL) is an aligned allocation */
        void *n = rtheap_realloc_aligned(heap, NULL, 10, align);
        if (!block_ok(n, 10, align)) {
            bad++;
        }
        rtheap_free(heap, n);
    }
    TH_CHECK_EQ(bad, 0);
    TH_CHECK_EQ(hook.calls, 0);
    CU_CHECK_HEAP(heap);
    TH_CHECK_EQ(cu_largest(heap), initial_largest);
}

int main(void)
{
    th_println("test_aligned");
    size_t bytes;
    void *mem = cu_big_area(host_arena, sizeof host_arena, ARENA_CAP, &bytes);
    heap = rtheap_init(mem, bytes);
    if (!TH_CHECK_NOT_NULL(heap)) {
        return th_summary();
    }
    arena_lo = (uintptr_t)mem;
    arena_hi = (uintptr_t)mem + bytes;
    cu_install_hook(heap, &hook);
    initial_largest = cu_largest(heap);
    test_all_alignments();
    test_mixed_live();
    test_too_large_alignment();
    cu_hook_reset(&hook);
    test_bad_alignment();
    cu_hook_reset(&hook);
    test_realloc_aligned();
    return th_summary();
}
