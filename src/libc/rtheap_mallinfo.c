/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * mallinfo() and malloc_stats() (and newlib's _mallinfo_r, _malloc_stats_r)
 * on rtheap_default(): reporting only, kept
 * apart from rtheap_malloc.c so that a firmware that never asks for them
 * does not pull in stdio. O(blocks) (the free blocks are counted by a walk).
 */
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>

#include "rtheap.h"
#include "rtheap_libc.h"

static bool rtheap_libc_count_free(const rtheap_block_info_t *block, void *user)
{
    if (!block->used) {
        ++*(size_t *)user;
    }
    return true;
}

struct mallinfo _mallinfo_r(RTHEAP_LIBC_REENT *reent)
{
    (void)reent;
    struct mallinfo mi = {0};
    rtheap_t *heap = rtheap_default();
    rtheap_stats_t s;
    if (heap == NULL || !rtheap_get_stats(heap, &s)) {
        return mi;
    }
    size_t free_blocks = 0;
    (void)rtheap_walk(heap, rtheap_libc_count_free, &free_blocks);
    mi.arena = s.arena_bytes;
    mi.ordblks = free_blocks;
    mi.usmblks = s.peak_used_bytes;
    mi.uordblks = s.used_bytes_with_overhead;
    mi.fordblks = s.free_bytes;
    mi.keepcost = s.largest_guaranteed;
    return mi;
}

struct mallinfo mallinfo(void)
{
    return _mallinfo_r(NULL);
}

void _malloc_stats_r(RTHEAP_LIBC_REENT *reent)
{
    (void)reent;
    struct mallinfo mi = _mallinfo_r(NULL);
    /* picolibc's four lines (the heap never grows: max system = system),
     * then two of rtheap's figures. */
    fprintf(stderr, "max system bytes = %10lu\n", (unsigned long)mi.arena);
    fprintf(stderr, "system bytes     = %10lu\n", (unsigned long)mi.arena);
    fprintf(stderr, "in use bytes     = %10lu\n", (unsigned long)mi.uordblks);
    fprintf(stderr, "free blocks      = %10lu\n", (unsigned long)mi.ordblks);
    fprintf(stderr, "peak in use      = %10lu\n", (unsigned long)mi.usmblks);
    fprintf(stderr, "largest alloc    = %10lu\n", (unsigned long)mi.keepcost);
}

void malloc_stats(void)
{
    _malloc_stats_r(NULL);
}
