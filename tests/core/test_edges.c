/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* API edges no other program reaches: NULL heap or walker for rtheap_set_error_hook and
 * rtheap_walk (harmless no-ops), a walk stopped by its walker, stats into NULL, and a
 * name for every rtheap_error_t, the default-heap
 * and the int-sizing ones included. Host and every board. */
#include "core_util.h"

static uint8_t arena[2048] __attribute__((aligned(16)));
static cu_hook_t hook;

int main(void)
{
    th_println("core_edges: NULL arguments, error names");
    rtheap_set_error_hook(NULL, cu_hook_fn, &hook); /* no heap: nothing to do */
    unsigned n = 0;
    TH_CHECK_EQ(rtheap_walk(NULL, cu_walk_count, &n), 0);
    TH_CHECK_EQ(n, 0);
    rtheap_t *heap = rtheap_init(arena, sizeof arena);
    if (!TH_CHECK_NOT_NULL(heap)) {
        return th_summary();
    }
    TH_CHECK_EQ(rtheap_walk(heap, NULL, &n), 0);
    TH_CHECK_EQ(rtheap_walk(heap, cu_walk_count, &n), 1); /* one free block */
    TH_CHECK_EQ(n, 1);
    /* A walker that returns false stops the walk, whatever is left. */
    void *a = rtheap_alloc(heap, 32);
    void *b = rtheap_alloc(heap, 32);
    n = 0;
    TH_CHECK_EQ(rtheap_walk(heap, cu_walk_count_first, &n), 1);
    TH_CHECK_EQ(n, 1);
    rtheap_free(heap, a);
    rtheap_free(heap, b);
    TH_CHECK(!rtheap_get_stats(heap, NULL));
    /* Every kind has its own non-empty name; anything else is "unknown". */
    const char *unknown = rtheap_error_name((rtheap_error_t)99);
    TH_CHECK(unknown != NULL && unknown[0] != '\0');
    for (int k = 0; k <= RTHEAP_ERR_NO_HEAP; k++) {
        const char *name = rtheap_error_name((rtheap_error_t)k);
        TH_CHECK(name != NULL && name[0] != '\0' && name != unknown);
    }
    TH_CHECK_PTR_EQ(rtheap_error_name(RTHEAP_ERR_FORCE_INT_), unknown);
    TH_CHECK_EQ(hook.calls, 0);
    return th_summary();
}
