/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* With RTHEAP_FIT_SCAN > 1 an allocation that no size class can
 * guarantee scans its own class first fit. A damaged link met in that scan (a write after
 * free into the next link of the list's head) must be reported once, like every other
 * damaged link, not counted as running out of memory; and the heap goes on serving.
 * Built with RTHEAP_FIT_SCAN=8 and rtheap.c compiled in; host and every board.
 *
 * Layout (A = RTHEAP_ALIGNMENT, default SL_LOG2 4: the list of 32 and 33 granules):
 *   [head: 32*A, free] [x used] [second: 33*A, free] [y used] [filler used]
 * the list holds head then second; a request of 33*A bytes (block) finds no class that
 * guarantees it, looks at head (too small) and follows head's next link to second. */
#include "../core/core_util.h"

#if RTHEAP_FIT_SCAN < 2 || RTHEAP_SL_LOG2 != 4
#error "build with RTHEAP_FIT_SCAN >= 2 and the default RTHEAP_SL_LOG2"
#endif

static uint8_t arena[4096] __attribute__((aligned(64)));
static cu_hook_t hook;

#define HEAD_T (32u * CU_ALIGN)
#define SECOND_T (33u * CU_ALIGN)

typedef struct {
    rtheap_t *heap;
    uint8_t *head, *second, *x, *y, *filler;
} layout_t;

static bool build(layout_t *l)
{
    l->heap = rtheap_init(arena, sizeof arena);
    if (!TH_CHECK_NOT_NULL(l->heap)) {
        return false;
    }
    cu_install_hook(l->heap, &hook);
    l->head = rtheap_alloc(l->heap, HEAD_T - CU_WORD);
    l->x = rtheap_alloc(l->heap, 16);
    l->second = rtheap_alloc(l->heap, SECOND_T - CU_WORD);
    l->y = rtheap_alloc(l->heap, 16);
    l->filler = rtheap_alloc(l->heap, cu_largest(l->heap));
    if (!TH_CHECK(l->head && l->x && l->second && l->y && l->filler)) {
        return false;
    }
    cu_fill(l->x, 16, 1);
    cu_fill(l->y, 16, 2);
    rtheap_free(l->heap, l->second); /* then head: head is the list's head */
    rtheap_free(l->heap, l->head);
    return TH_CHECK_EQ(hook.calls, 0) && CU_CHECK_HEAP(l->heap);
}

int main(void)
{
    th_println("corruption_fitscan: a damaged link in the bounded first fit");
    layout_t l;
    /* Control: undamaged, the scan finds second. */
    if (build(&l)) {
        uint8_t *p = rtheap_alloc(l.heap, SECOND_T - CU_WORD);
        TH_CHECK_PTR_EQ(p, l.second);
        TH_CHECK_EQ(hook.calls, 0);
        CU_CHECK_HEAP(l.heap);
    }
    /* Damaged: head's next link (its first payload word) overwritten after free. */
    static const uintptr_t forged[] = {0x61616161u, 1u, 0u};
    for (unsigned k = 0; k < sizeof forged / sizeof forged[0]; k++) {
        if (!build(&l)) {
            continue;
        }
        uintptr_t *next = (uintptr_t *)(void *)l.head;
        uintptr_t saved = *next;
        /* The statistics first: their largest_guaranteed checks the block it promises,
         * which may find the damage before the allocation does; either way it is
         * reported once. */
        rtheap_stats_t s0, s1;
        TH_CHECK(rtheap_get_stats(l.heap, &s0));
        cu_hook_reset(&hook);
        *next = forged[k] != 0 ? forged[k] : (uintptr_t)(l.x + 8); /* 0: into x's data */
        void *p = rtheap_alloc(l.heap, SECOND_T - CU_WORD);
        TH_CHECK(rtheap_get_stats(l.heap, &s1));
        int ok = 1;
        ok &= TH_CHECK_NULL(p); /* second is reachable only through the damaged link */
        ok &= TH_CHECK_EQ(hook.calls, 1);
        ok &= TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_FREE_LIST);
        ok &= TH_CHECK_EQ(s1.error_count, s0.error_count + 1u);
        /* The heap goes on serving: the live blocks are intact and can be freed, and
         * once they are, allocations succeed again (at most one more report). */
        ok &= TH_CHECK_EQ(cu_verify(l.x, 16, 1), 16);
        ok &= TH_CHECK_EQ(cu_verify(l.y, 16, 2), 16);
        cu_hook_reset(&hook);
        rtheap_free(l.heap, l.filler);
        ok &= TH_CHECK_EQ(hook.calls, 0);
        void *q = rtheap_alloc(l.heap, 1024);
        ok &= TH_CHECK_NOT_NULL(q);
        ok &= TH_CHECK(hook.calls <= 1u);
        if (!ok) {
            th_print("  ... forged link case ");
            th_print_u(k);
            th_print(": reports ");
            th_print_u(hook.calls);
            th_print(", last ");
            th_println(rtheap_error_name(hook.kind));
        }
        *next = saved;
    }
    return th_summary();
}
