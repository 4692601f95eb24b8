/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * mallinfo() called from a library linked after rtheap_libc
 * (late_mallinfo.c), and malloc_stats()/mstats() called from here, before
 * it: all of them rtheap's, with the C library's allocator never linked
 * (the link check).
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "rtheap.h"

size_t late_arena(void);

int main(void)
{
    int passed = 0;
    int failed = 0;
    void *p = malloc(100);
    rtheap_stats_t s;
    int ok = p != NULL && rtheap_get_stats(rtheap_default(), &s) && s.arena_bytes != 0 &&
             late_arena() == s.arena_bytes;
    printf("late mallinfo: arena %lu, rtheap %lu: %s\n", (unsigned long)late_arena(),
           (unsigned long)s.arena_bytes, ok ? "ok" : "FAILED");
    ok ? passed++ : failed++;
    malloc_stats();
    mstats("mstats title");
    free(p);
    passed++; /* both printed without a fault: their output is in the log */
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
