/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* fault: executes a permanently undefined instruction; the startup HardFault handler
 * must report the stacked PC and exit with status 3. */
#include "harness.h"

int main(void)
{
    th_println("fault: executing udf, expecting HardFault and exit status 3");
#if TH_IS_TARGET
    __asm__ volatile("udf #0");
#endif
    th_println("fault: still running after udf");
    return 0;
}
