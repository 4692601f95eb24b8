/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Only the C library allocates here (strdup, asprintf): this firmware makes
 * no direct call to malloc/free. Linked with rtheap::libc, those calls must
 * still reach rtheap (the library's `-u malloc` pulls rtheap's malloc in
 * before picolibc is searched); the link check then finds no nano-malloc.
 * Linked without it (the "nano" negative control) picolibc's malloc is used
 * and the link check must fail.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* newlib: asprintf */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtheap.h"

int main(void)
{
    char *d = strdup("only libc allocates");
    char *a = NULL;
    int n = asprintf(&a, "%d", 12345);
    rtheap_stats_t s;
    int ok = d != NULL && a != NULL && n == 5 && rtheap_get_stats(rtheap_default(), &s) &&
             s.alloc_count >= 2 && rtheap_usable_size(rtheap_default(), d) != 0 &&
             rtheap_usable_size(rtheap_default(), a) != 0;
    printf("libc_only: strdup=%p asprintf=%p rtheap allocs=%lu: %s\n", (void *)d, (void *)a,
           (unsigned long)s.alloc_count, ok ? "rtheap memory" : "NOT rtheap memory");
    printf("%d passed, %d failed\n", ok, !ok);
    return ok ? 0 : 1;
}
