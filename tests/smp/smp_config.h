/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap options of the two-core tests (RTHEAP_CONFIG_HEADER). The lock itself is chosen
 * on the command line (-DRTHEAP_LOCK_SPIN=1, -DRTHEAP_LOCK_USER=1, or neither: PRIMASK);
 * the spinlock's core number is the SSE-200's CPU_IDENTITY register, read inline. */
#ifndef SMP_CONFIG_H
#define SMP_CONFIG_H

#include "smp.h"

#define RTHEAP_CORE_ID() smp_core_id()

#endif
