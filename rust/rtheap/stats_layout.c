/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Compiled (never linked) by build.rs: the layout of rtheap_stats_t on 32-bit Arm,
 * as the Rust `Stats` of src/lib.rs asserts it too. If this fails, src/rtheap.h
 * changed the structure: update `Stats` (field order, types) and both sets of
 * numbers.
 */
#include <stddef.h>

#include "rtheap.h"

#define RTHEAP_RUST_LAYOUT(field, offset)                                                         \
    _Static_assert(offsetof(rtheap_stats_t, field) == (offset),                                    \
                   "rtheap_stats_t." #field " moved: update Stats in rust/rtheap/src/lib.rs")

RTHEAP_RUST_LAYOUT(heap_bytes, 0);
RTHEAP_RUST_LAYOUT(arena_bytes, 4);
RTHEAP_RUST_LAYOUT(used_bytes, 8);
RTHEAP_RUST_LAYOUT(used_bytes_with_overhead, 12);
RTHEAP_RUST_LAYOUT(free_bytes, 16);
RTHEAP_RUST_LAYOUT(peak_used_bytes, 20);
RTHEAP_RUST_LAYOUT(largest_guaranteed, 24);
RTHEAP_RUST_LAYOUT(live_blocks, 28);
RTHEAP_RUST_LAYOUT(alloc_count, 32);
RTHEAP_RUST_LAYOUT(free_count, 36);
RTHEAP_RUST_LAYOUT(realloc_count, 40);
RTHEAP_RUST_LAYOUT(failed_count, 44);
RTHEAP_RUST_LAYOUT(error_count, 48);
RTHEAP_RUST_LAYOUT(region_count, 52);
RTHEAP_RUST_LAYOUT(quarantine_count, 56);
RTHEAP_RUST_LAYOUT(quarantined_bytes, 60);
_Static_assert(sizeof(rtheap_stats_t) == 64,
               "rtheap_stats_t changed size: update Stats in rust/rtheap/src/lib.rs");
