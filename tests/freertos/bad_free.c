/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Negative control: a double free through vPortFree must stop at
 * configASSERT, as with the kernel's heaps (exit status 2, FW_EXIT_ASSERT), and
 * not corrupt the heap silently. */
#include <stddef.h>

#include "FreeRTOS.h"
#include "fw.h"
#include "harness.h"

int main(void)
{
    void *p = pvPortMalloc(16);
    if (p == NULL) {
        return 1;
    }
    vPortFree(p);
    th_println("freertos_bad_free: freeing the block again");
    vPortFree(p);
    th_println("freertos_bad_free: the double free was not caught");
    return 1;
}
