/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Negative control for the link check: picolibc's strdup without rtheap::libc
 * links picolibc's nano-malloc and sbrk, and link_check.cmake must say so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char *d = strdup("nano");
    printf("%s\n", d != NULL ? d : "(null)");
    free(d);
    return 0;
}
