/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * _sbrk for the negative control only (a newlib firmware without
 * rtheap::libc): newlib's own malloc grows through it, from the end of .bss
 * (linker/cortex-m.ld's __heap_start) to __heap_end.
 */
#include <errno.h>
#include <stddef.h>

extern char __heap_start[], __heap_end[];
void *_sbrk(ptrdiff_t incr);

void *_sbrk(ptrdiff_t incr)
{
    static char *brk;
    if (brk == NULL) {
        brk = __heap_start;
    }
    if (incr > __heap_end - brk) {
        errno = ENOMEM;
        return (void *)-1;
    }
    char *old = brk;
    brk += incr;
    return old;
}
