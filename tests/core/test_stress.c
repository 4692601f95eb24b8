/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The stress rig (stress.c) on rtheap: every operation followed by rtheap_check().
 * STRESS_OPS overrides the operation count (the RTHEAP_CHECKS=2 variant runs fewer). */
#include "stress_rtheap.h"

#if TH_IS_TARGET
#define ARENA_CAP (16u * 1024u)
#ifndef STRESS_OPS
#if defined(__ARM_ARCH_6M__)
#define STRESS_OPS 200000u /* microbit: ~3-5 s under QEMU */
#else
#define STRESS_OPS 300000u /* ~4-5 s under QEMU */
#endif
#endif
#define MAX_LIVE 48u
#define MAX_SIZE 1024u
#else
#define ARENA_CAP (64u * 1024u)
#ifndef STRESS_OPS
#define STRESS_OPS 1000000u
#endif
#define MAX_LIVE 256u
#define MAX_SIZE 4096u
#endif

static uint8_t host_arena[64u * 1024u] __attribute__((aligned(16)));
static cu_hook_t hook;

int main(void)
{
    th_print("test_stress: RTHEAP_POISON=");
    th_print_u(RTHEAP_POISON);
    th_print(" RTHEAP_CHECKS=");
    th_print_u(RTHEAP_CHECKS);
    th_println("");
    size_t bytes;
    void *mem = cu_big_area(host_arena, sizeof host_arena, ARENA_CAP, &bytes);
    rtheap_t *heap = rtheap_init(mem, bytes);
    if (!TH_CHECK_NOT_NULL(heap)) {
        return th_summary();
    }
    cu_install_hook(heap, &hook);
    size_t initial = cu_largest(heap);
    stress_rtheap_t sr = {heap, &hook};
    stress_allocator_t a = stress_rtheap(&sr);
    stress_config_t c = {0x5EED1234u, STRESS_OPS, MAX_LIVE, MAX_SIZE, bytes / 3u, 10u,
                         RTHEAP_ALIGNMENT, 1u};
    stress_result_t r;
    TH_CHECK_EQ(stress_run(&a, &c, &r), 0);
    th_print("ops ");
    th_print_u(r.ops);
    th_print(", allocs ");
    th_print_u(r.allocs);
    th_print(", frees ");
    th_print_u(r.frees);
    th_print(", reallocs ");
    th_print_u(r.reallocs);
    th_print(", failed ");
    th_print_u(r.failed);
    th_print(", checks ");
    th_print_u(r.checks);
    th_print(", peak live ");
    th_print_u(r.peak_live);
    th_println("");
    TH_CHECK_EQ(r.ops, STRESS_OPS);
    TH_CHECK_EQ(hook.calls, 0);
    rtheap_stats_t s;
    TH_CHECK(rtheap_get_stats(heap, &s));
    th_print("final stats: alloc ");
    th_print_u(s.alloc_count);
    th_print(" free ");
    th_print_u(s.free_count);
    th_print(" realloc ");
    th_print_u(s.realloc_count);
    th_print(" failed ");
    th_print_u(s.failed_count);
    th_print(" peak ");
    th_print_u(s.peak_used_bytes);
    th_print(" of ");
    th_print_u(s.arena_bytes);
    th_println("");
    /* the rig's counts and the heap's agree (moving reallocs count as alloc + free) */
    TH_CHECK_EQ(s.failed_count, r.failed);
    TH_CHECK_EQ(s.alloc_count - s.free_count, r.allocs - r.frees);
    TH_CHECK_EQ(s.live_blocks, 0);
    TH_CHECK_EQ(s.free_bytes, s.arena_bytes);
    TH_CHECK_EQ(cu_largest(heap), initial);
    CU_CHECK_HEAP(heap);
    return th_summary();
}
