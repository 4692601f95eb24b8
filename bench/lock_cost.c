/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * What rtheap's lock costs (tools/bench-locks.sh builds this once per CPU, lock and
 * optimization level, and runs it under QEMU -icount): SysTick counts executed
 * instructions, calibrated with bench/bench_empty.c's 1000 NOPs, as in bench/bench.c.
 *   lock   one RTHEAP_LOCK + RTHEAP_UNLOCK pair, as every public call takes it, minus
 *          the same loop without it
 *   pair   one rtheap_alloc(heap, 64) + rtheap_free(heap, p) on an 8 KiB heap, minus
 *          the same loop calling empty functions of the same signatures
 * Both are means over LOCK_COST_LOOPS iterations, printed in tenths of an instruction:
 *   L lock=<name> lock10=<n> pair10=<n>
 * The lock is the build's (rtheap_config.h): PRIMASK by default, RTHEAP_LOCK_SPIN,
 * RTHEAP_LOCK_USER (tests/smp/peterson_lock.c) or RTHEAP_LOCK_NONE. Uncontended: one
 * core runs; the other core of mps2-an521 stays held in reset.
 */
#include <stddef.h>
#include <stdint.h>

#include "bench_empty.h"
#include "rtheap.h"
#include "semihost.h"
#include "bench_out.h"

#ifndef LOCK_COST_NAME
#define LOCK_COST_NAME "?"
#endif
#define LOCK_COST_LOOPS 500u
#define HEAP_BYTES (8u * 1024u) /* the micro:bit has 16 KiB of RAM */

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define BARRIER() __asm__ volatile("" ::: "memory")

/* Where a core number comes from on a board that has no such register
 * (bench/lock_cost_config.h):
 * a load, as from a register. */
volatile uint32_t lock_cost_core_id;

static uint64_t arena[HEAP_BYTES / sizeof(uint64_t)];

static uint32_t since(uint32_t t0)
{
    return (t0 - SYST_CVR) & 0xFFFFFFu;
}

__attribute__((noinline)) static uint32_t nops(int with)
{
    uint32_t t0 = SYST_CVR;
    BARRIER();
    if (with) {
        bench_nops1000();
    } else {
        bench_nops0();
    }
    BARRIER();
    return since(t0);
}

__attribute__((noinline)) static uint32_t lock_loop(int with)
{
    uint32_t t0 = SYST_CVR;
    BARRIER();
    for (uint32_t i = 0; i < LOCK_COST_LOOPS; i++) {
        if (with) {
            RTHEAP_LOCK_TYPE state = RTHEAP_LOCK((rtheap_t *)NULL);
            BARRIER();
            RTHEAP_UNLOCK((rtheap_t *)NULL, state);
        }
        BARRIER();
    }
    return since(t0);
}

__attribute__((noinline)) static uint32_t heap_loop(rtheap_t *heap, int with)
{
    uint32_t t0 = SYST_CVR;
    BARRIER();
    for (uint32_t i = 0; i < LOCK_COST_LOOPS; i++) {
        if (with) {
            rtheap_free(heap, rtheap_alloc(heap, 64));
        } else {
            empty_free2(heap, empty_alloc2(heap, 64));
        }
        BARRIER();
    }
    return since(t0);
}

/* Tenths of an instruction per iteration: (with - without) ticks over the loops. */
static uint32_t per_loop10(uint32_t with, uint32_t without, uint32_t per1000)
{
    uint64_t d = with > without ? (uint64_t)(with - without) : 0u;
    return (uint32_t)((d * 10000u + (uint64_t)per1000 * LOCK_COST_LOOPS / 2u) /
                      ((uint64_t)per1000 * LOCK_COST_LOOPS));
}

int main(void)
{
    rtheap_t *heap = rtheap_init(arena, sizeof arena);
    if (heap == NULL) {
        out_s("lock_cost: no heap\n");
        out_flush();
        return 1;
    }
    SYST_CSR = 0;
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 5u; /* enable, processor clock, no interrupt */
    /* Each figure twice, the first run warming nothing up but the heap's first carve. */
    uint32_t per1000 = 0, lock_with = 0, lock_without = 0, heap_with = 0, heap_without = 0;
    for (int round = 0; round < 2; round++) {
        per1000 = nops(1) - nops(0);
        lock_with = lock_loop(1);
        lock_without = lock_loop(0);
        heap_with = heap_loop(heap, 1);
        heap_without = heap_loop(heap, 0);
    }
    rtheap_stats_t st;
    if (per1000 == 0 || !rtheap_get_stats(heap, &st) || st.live_blocks != 0 ||
        rtheap_check(heap) != RTHEAP_OK) {
        out_s("lock_cost: the measurement or the heap went wrong\n");
        out_flush();
        return 1;
    }
    out_s("L lock=" LOCK_COST_NAME " lock10=");
    out_u(per_loop10(lock_with, lock_without, per1000));
    out_s(" pair10=");
    out_u(per_loop10(heap_with, heap_without, per1000));
    out_s("\n");
    out_flush();
    return 0;
}
