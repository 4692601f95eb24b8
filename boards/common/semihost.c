/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap firmware support: Arm semihosting for QEMU. */
#include "semihost.h"

#include <stdint.h>

#define SYS_WRITE0 0x04u
#define SYS_EXIT 0x18u
#define SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define ADP_STOPPED_RUNTIME_ERROR_UNKNOWN 0x20023u

static uintptr_t semihost_call(uintptr_t op, const volatile void *arg)
{
    register uintptr_t r0 __asm__("r0") = op;
    register const volatile void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void semihost_write(const char *s, size_t len)
{
    /* SYS_WRITE0 needs a NUL-terminated string: send it in chunks. */
    char buf[64];
    while (len > 0) {
        size_t n = 0;
        while (n < sizeof buf - 1 && n < len) {
            buf[n] = s[n];
            n++;
        }
        buf[n] = '\0';
        (void)semihost_call(SYS_WRITE0, buf);
        s += n;
        len -= n;
    }
}

void semihost_puts(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0') {
        n++;
    }
    semihost_write(s, n);
    semihost_write("\n", 1);
}

void semihost_exit(int code)
{
    volatile uint32_t block[2];
    block[0] = ADP_STOPPED_APPLICATION_EXIT;
    block[1] = (uint32_t)code;
    (void)semihost_call(SYS_EXIT_EXTENDED, block);
    /* Fallback for hosts without SYS_EXIT_EXTENDED: status only 0 or 1. */
    (void)semihost_call(SYS_EXIT, (const void *)(uintptr_t)(code == 0 ? ADP_STOPPED_APPLICATION_EXIT
                                                                     : ADP_STOPPED_RUNTIME_ERROR_UNKNOWN));
    for (;;) {
        __asm__ volatile("bkpt 0");
    }
}
