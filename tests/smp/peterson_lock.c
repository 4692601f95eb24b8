/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* A user lock (RTHEAP_LOCK_USER) for two cores that needs no exclusive accesses, so it
 * builds for Armv6-M: Peterson's algorithm over the core number, after PRIMASK. It is
 * what the contract of rtheap_config.h asks of a user lock:
 *   - mutual exclusion between the two cores (Peterson's want flags and turn);
 *   - interrupts masked on this core first, so a handler here never spins on a lock
 *     its own core holds;
 *   - nesting: the owner word tells a core it holds the lock already (only the holder
 *     writes its own number there), and the nested release leaves everything as is;
 *   - barriers: DMB between the stores of want/turn and the loads of the wait (Peterson
 *     needs that store-load order, which plain DMB-free code does not give), after the
 *     wait (acquire) and before want is cleared (release).
 * The core number is PETERSON_CORE_ID(): the SSE-200's CPU_IDENTITY by default (both
 * cores of mps2-an521); a single-core build (the lock cost bench) defines its own. */
#include <stdint.h>

#include "rtheap.h"

#ifndef PETERSON_CORE_ID
#include "smp.h"
#define PETERSON_CORE_ID() smp_core_id()
#endif

/* Bit 1 of the state: this acquire was nested (bit 0 is PRIMASK's). */
#define PETERSON_NESTED 2u

static volatile uint32_t peterson_want[2];
static volatile uint32_t peterson_turn;
static volatile uint32_t peterson_owner; /* core number + 1 while held, else 0 */

static inline __attribute__((always_inline)) void peterson_dmb(void)
{
    __asm__ volatile("dmb" ::: "memory");
}

uint32_t rtheap_user_lock_acquire(void)
{
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    uint32_t me = (uint32_t)PETERSON_CORE_ID();
    if (peterson_owner == me + 1u) {
        return primask | PETERSON_NESTED;
    }
    uint32_t other = me ^ 1u;
    peterson_want[me] = 1u;
    peterson_turn = other;
    peterson_dmb();
    while (peterson_want[other] != 0u && peterson_turn == other) {
    }
    peterson_dmb();
    peterson_owner = me + 1u;
    return primask;
}

void rtheap_user_lock_release(uint32_t state)
{
    if ((state & PETERSON_NESTED) != 0u) {
        return;
    }
    uint32_t me = (uint32_t)PETERSON_CORE_ID();
    peterson_owner = 0u;
    peterson_dmb();
    peterson_want[me] = 0u;
    __asm__ volatile("msr primask, %0" ::"r"(state & 1u) : "memory");
}
