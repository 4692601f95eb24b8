/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtheap core: a two-level segregated fit (TLSF) heap with O(1) checks.
 *
 * The core is one translation unit built from one file per concern in
 * src/core/ (mimalloc's static.c does the same): every helper of
 * core/internal.h can then be inlined into each hot path, so the split costs
 * no instruction and needs no LTO. Build this file, never those on their own.
 * docs/design.md explains the block layout, the tag and the damage model.
 */
#include "core/internal.h" /* layout, control structure, inline helpers */
#include "core/lock.h"     /* the lock around every public call */

/* NOLINTBEGIN(bugprone-suspicious-include): the parts of one unit, on purpose */
#include "core/damage.c"  /* reporting, refusal, quarantine (cold) */
#include "core/stats.c"   /* counters, rtheap_get_stats */
#include "core/alloc.c"   /* search, find, carve: rtheap_alloc */
#include "core/free.c"    /* validation, release, merge: rtheap_free */
#include "core/aligned.c" /* over-aligned allocation */
#include "core/resize.c"  /* resize in place, realloc, calloc */
#include "core/init.c"    /* control structure, regions */
#include "core/check.c"   /* rtheap_check, rtheap_walk, error names */
/* NOLINTEND(bugprone-suspicious-include) */
