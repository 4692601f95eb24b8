/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Compiled (never linked) by build.rs: the layout of rtheap_stats_t, as the
 * Rust `Stats` of src/lib.rs asserts it too, for any width of size_t (W):
 * eight size_t, seven uint32_t, then one size_t after padding to W. On 32-bit
 * Arm that is 64 bytes with the last field at 60. If this fails, rtheap.h
 * changed the structure: update `Stats` (field order, types) and both sets of
 * numbers.
 */
#include <stddef.h>
#include <stdint.h>

#include "rtheap.h"

#define W sizeof(size_t)
#define TAIL (((8 * W + 28) + W - 1) / W * W)

#define RTHEAP_RUST_LAYOUT(field, offset)                                                         \
    _Static_assert(offsetof(rtheap_stats_t, field) == (offset),                                    \
                   "rtheap_stats_t." #field " moved: update Stats in rust/rtheap/src/lib.rs")

RTHEAP_RUST_LAYOUT(heap_bytes, 0 * W);
RTHEAP_RUST_LAYOUT(arena_bytes, 1 * W);
RTHEAP_RUST_LAYOUT(used_bytes, 2 * W);
RTHEAP_RUST_LAYOUT(used_bytes_with_overhead, 3 * W);
RTHEAP_RUST_LAYOUT(free_bytes, 4 * W);
RTHEAP_RUST_LAYOUT(peak_used_bytes, 5 * W);
RTHEAP_RUST_LAYOUT(largest_guaranteed, 6 * W);
RTHEAP_RUST_LAYOUT(live_blocks, 7 * W);
RTHEAP_RUST_LAYOUT(alloc_count, 8 * W);
RTHEAP_RUST_LAYOUT(free_count, 8 * W + 4);
RTHEAP_RUST_LAYOUT(realloc_count, 8 * W + 8);
RTHEAP_RUST_LAYOUT(failed_count, 8 * W + 12);
RTHEAP_RUST_LAYOUT(error_count, 8 * W + 16);
RTHEAP_RUST_LAYOUT(region_count, 8 * W + 20);
RTHEAP_RUST_LAYOUT(quarantine_count, 8 * W + 24);
RTHEAP_RUST_LAYOUT(quarantined_bytes, TAIL);
_Static_assert(sizeof(rtheap_stats_t) == TAIL + W,
               "rtheap_stats_t changed size: update Stats in rust/rtheap/src/lib.rs");
/* The numbers above, as Cortex-M sees them. */
_Static_assert(W != 4 || (TAIL == 60 && sizeof(rtheap_stats_t) == 64),
               "rtheap_stats_t: 64 bytes on 32-bit targets");
/* Field types: size_t and uint32_t, as Stats declares usize and u32. */
_Static_assert(sizeof(((rtheap_stats_t *)0)->alloc_count) == sizeof(uint32_t),
               "rtheap_stats_t.alloc_count is no longer a uint32_t");
