/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The build matrix's stress (tools/matrix.sh): one binary per option
 * combination, compiled straight from src/rtheap.c with that configuration's -D flags,
 * runs the shadow-model stress rig (stress.c) with rtheap_check() after every operation
 * and checks what holds in every configuration (the counters only where RTHEAP_STATS is
 * on). MATRIX_OPS sets the operation count. Host only. */
#include "stress_rtheap.h"

#ifndef MATRIX_OPS
#define MATRIX_OPS 20000u
#endif

static uint8_t arena[64u * 1024u] __attribute__((aligned(64)));
static cu_hook_t hook;

int main(void)
{
    rtheap_t *heap = rtheap_init(arena, sizeof arena);
    if (!TH_CHECK_NOT_NULL(heap)) {
        return th_summary();
    }
    cu_install_hook(heap, &hook);
    size_t initial = cu_largest(heap);
    /* A second region, so that the region paths run too (when the config allows one). */
    static uint8_t second[8192] __attribute__((aligned(64)));
    TH_CHECK_EQ(rtheap_add_region(heap, second, sizeof second), RTHEAP_MAX_REGIONS > 1);
    if (RTHEAP_MAX_REGIONS == 1) {
        TH_CHECK_EQ(hook.calls, 1); /* refused and reported */
        cu_hook_reset(&hook);
    }
    stress_rtheap_t sr = {heap, &hook};
    stress_allocator_t a = stress_rtheap(&sr);
    stress_config_t c = {0x3A7F1C5Du, MATRIX_OPS, 200u, 2048u, 16384u, 9u, RTHEAP_ALIGNMENT, 1u};
    stress_result_t r;
    TH_CHECK_EQ(stress_run(&a, &c, &r), 0);
    TH_CHECK_EQ(r.ops, MATRIX_OPS);
    TH_CHECK(r.allocs > MATRIX_OPS / 4u);
    TH_CHECK_EQ(hook.calls, 0);
    CU_CHECK_HEAP(heap);
    rtheap_stats_t s;
    TH_CHECK(rtheap_get_stats(heap, &s));
    TH_CHECK_EQ(s.region_count, RTHEAP_MAX_REGIONS > 1 ? 2u : 1u);
    TH_CHECK(cu_largest(heap) >= initial);
#if RTHEAP_STATS
    TH_CHECK_EQ(s.live_blocks, 0);
    TH_CHECK_EQ(s.used_bytes, 0);
    TH_CHECK_EQ(s.free_bytes, s.arena_bytes);
    TH_CHECK_EQ(s.failed_count, r.failed);
    TH_CHECK_EQ(s.alloc_count - s.free_count, 0);
#endif
    th_print("matrix stress: ");
    th_print_u(r.ops);
    th_print(" ops, ");
    th_print_u(r.allocs);
    th_print(" allocs, ");
    th_print_u(r.failed);
    th_println(" failed");
    return th_summary();
}
