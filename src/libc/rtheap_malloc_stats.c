/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * malloc_stats() and mstats() (and newlib's _malloc_stats_r, _mstats_r):
 * mallinfo()'s figures printed on stderr. Kept apart from rtheap_malloc.c so
 * that a firmware that never asks for them does not pull in stdio; a library
 * that calls them must therefore come before rtheap_libc on the link line
 * (as CMake orders a library that links rtheap::libc itself). O(blocks).
 */
#include <malloc.h>
#include <stdio.h>

#include "rtheap.h"
#include "rtheap_libc.h"

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

void _mstats_r(RTHEAP_LIBC_REENT *reent, char *title)
{
    (void)reent;
    fprintf(stderr, "%s\n", title != NULL ? title : "");
    _malloc_stats_r(NULL);
}

void mstats(char *title)
{
    _mstats_r(NULL, title);
}
