/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* What the misuse tests share (tests/core/test_misuse.c, the contract, and
 * tests/whitebox/test_misuse_layout.c, where the layout decides): one heap on a fixed
 * arena, and the checks that every pointer-taking call refuses a bad pointer and that
 * the heap is whole again afterwards. Each program has its own copy of the state. */
#ifndef RTHEAP_TEST_MISUSE_UTIL_H
#define RTHEAP_TEST_MISUSE_UTIL_H

#include "core_util.h"

#if TH_IS_TARGET
#define ARENA_CAP (8u * 1024u)
#else
#define ARENA_CAP (32u * 1024u)
#endif

#define K(kind) (1u << (kind))
/* Any refusal of a bad pointer. */
#define ANY_PTR_ERROR                                                                              \
    (K(RTHEAP_ERR_FOREIGN_POINTER) | K(RTHEAP_ERR_MISALIGNED) | K(RTHEAP_ERR_DOUBLE_FREE) |       \
     K(RTHEAP_ERR_BAD_HEADER) | K(RTHEAP_ERR_BAD_NEIGHBOUR) | K(RTHEAP_ERR_BAD_FREE_LIST))

static uint8_t host_arena[32u * 1024u] __attribute__((aligned(16)));
static uint8_t other_static[64] __attribute__((aligned(16)));
static rtheap_t *heap;
static size_t initial_largest;
static cu_hook_t hook;
static void *arena_mem;
static size_t arena_bytes;

static inline void fresh_heap(void)
{
    heap = rtheap_init(arena_mem, arena_bytes);
    TH_CHECK_NOT_NULL(heap);
    cu_install_hook(heap, &hook);
    initial_largest = cu_largest(heap);
}

static const char *const op_names[] = {"free", "usable_size", "realloc", "realloc_aligned",
                                       "resize_in_place"};

/* Every pointer-taking call refuses ptr, reporting one error of a kind in `kinds`. */
static inline void expect_refused_(void *ptr, uint32_t kinds, const char *what, bool damaged)
{
    for (int op = 0; op < 5; op++) {
        rtheap_stats_t s0, s1;
        TH_CHECK(rtheap_get_stats(heap, &s0));
        cu_hook_reset(&hook);
        bool result_ok = true;
        switch (op) {
        case 0: rtheap_free(heap, ptr); break;
        case 1: result_ok = rtheap_usable_size(heap, ptr) == 0; break;
        case 2: result_ok = rtheap_realloc(heap, ptr, 64) == NULL; break;
        case 3: result_ok = rtheap_realloc_aligned(heap, ptr, 64, 64) == NULL; break;
        default: result_ok = rtheap_resize_in_place(heap, ptr, 8) == 0; break;
        }
        TH_CHECK(rtheap_get_stats(heap, &s1));
        int ok = TH_CHECK(result_ok);
        ok &= TH_CHECK_EQ(hook.calls, 1);
        ok &= TH_CHECK((K(hook.kind) & kinds) != 0);
        ok &= TH_CHECK_PTR_EQ(hook.ptr, ptr);
        ok &= TH_CHECK_PTR_EQ(hook.heap, heap);
        ok &= TH_CHECK_EQ(s1.error_count, s0.error_count + 1u);
        /* nothing was allocated, freed or resized */
        ok &= TH_CHECK_EQ(s1.live_blocks, s0.live_blocks);
        ok &= TH_CHECK_EQ(s1.used_bytes, s0.used_bytes);
        ok &= TH_CHECK_EQ(s1.alloc_count + s1.free_count + s1.realloc_count,
                          s0.alloc_count + s0.free_count + s0.realloc_count);
        if (!damaged) {
            ok &= CU_CHECK_HEAP(heap);
        }
        if (!ok) {
            th_print("  ... ");
            th_print(what);
            th_print(" via ");
            th_print(op_names[op]);
            th_print(": reported ");
            th_print(rtheap_error_name(hook.kind));
            th_println("");
        }
    }
}

/* The heap itself is intact: rtheap_check() must stay OK too. */
static inline void expect_refused(void *ptr, uint32_t kinds, const char *what)
{
    expect_refused_(ptr, kinds, what, false);
}

/* The test damaged the heap on purpose (rtheap_check() would report it). */
static inline void expect_refused_damaged(void *ptr, uint32_t kinds, const char *what)
{
    expect_refused_(ptr, kinds, what, true);
}

/* Frees the given blocks and checks the heap is whole again. */
static inline void expect_recovered(void **blocks, int n, const char *what)
{
    cu_hook_reset(&hook);
    for (int i = 0; i < n; i++) {
        rtheap_free(heap, blocks[i]);
    }
    int ok = TH_CHECK_EQ(hook.calls, 0);
    ok &= CU_CHECK_HEAP(heap);
    ok &= TH_CHECK_EQ(cu_largest(heap), initial_largest);
    void *all = rtheap_alloc(heap, initial_largest);
    ok &= TH_CHECK_NOT_NULL(all);
    rtheap_free(heap, all);
    ok &= TH_CHECK_EQ(hook.calls, 0);
    if (!ok) {
        th_print("  ... recovery after ");
        th_println(what);
    }
}

/* The arena of every fresh_heap(): called once, first thing in main. */
static inline void misuse_setup(void)
{
    arena_mem = cu_big_area(host_arena, sizeof host_arena, ARENA_CAP, &arena_bytes);
}

#endif /* RTHEAP_TEST_MISUSE_UTIL_H */
