/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* exit() on newlib with the repository's startup code and no system calls of the
 * firmware's own (no newlib_sys.c): the startup's weak _exit and _fini let it link, the
 * atexit handler runs and frees its rtheap block, and QEMU exits with exit()'s status,
 * 5, only when the block was rtheap's and came back. */
#include <malloc.h>
#include <stdlib.h>

#include "semihost.h"

static char *kept;

static void at_exit(void)
{
    struct mallinfo before = mallinfo();
    free(kept);
    struct mallinfo after = mallinfo();
    /* rtheap's mallinfo: uordblks, the bytes in use, fall by the block's size. */
    semihost_puts(before.uordblks > after.uordblks ? "newlib_exit: atexit freed the block"
                                                   : "newlib_exit: FAILED: block not freed");
}

int main(void)
{
    kept = malloc(100);
    if (kept == NULL || atexit(at_exit) != 0) {
        return 1;
    }
    exit(5);
}
