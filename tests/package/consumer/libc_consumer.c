/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* A newlib firmware of the package test's consumer: printf and strdup, whose
 * memory must come from rtheap through rtheap::libc (built for the toolchain's
 * C library). Exit status 0 when it did. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtheap.h"

int main(void)
{
    rtheap_stats_t s0, s1;
    if (rtheap_default() == NULL || !rtheap_get_stats(rtheap_default(), &s0)) {
        return 2;
    }
    char *d = strdup("consumer");
    printf("libc consumer: %s\n", d != NULL ? d : "(null)");
    int ok = d != NULL && rtheap_usable_size(rtheap_default(), d) != 0 &&
             rtheap_get_stats(rtheap_default(), &s1) && s1.alloc_count >= s0.alloc_count + 2;
    free(d);
    printf("libc consumer: %s\n", ok ? "rtheap memory" : "NOT rtheap memory");
    return ok ? 0 : 1;
}
