/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap options of bench/lock_cost.c (RTHEAP_CONFIG_HEADER): the lock is chosen on the
 * command line; here is where its core number comes from, for the spinlock
 * (RTHEAP_CORE_ID) and the Peterson user lock (PETERSON_CORE_ID). On mps2-an521 it is
 * the SSE-200's CPU_IDENTITY register, as in the two-core tests; on the single-core
 * boards a word in RAM, read the same way (one load from an address in a register). */
#ifndef LOCK_COST_CONFIG_H
#define LOCK_COST_CONFIG_H

#include <stdint.h>

#ifdef LOCK_COST_SSE200
#include "smp.h"
#define RTHEAP_CORE_ID() smp_core_id()
#define PETERSON_CORE_ID() smp_core_id()
#else
extern volatile uint32_t lock_cost_core_id;
#define RTHEAP_CORE_ID() lock_cost_core_id
#define PETERSON_CORE_ID() lock_cost_core_id
#endif

#endif
