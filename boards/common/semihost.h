/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap firmware support: Arm semihosting (console output and exit) for QEMU.
 * Not part of the library. Works on Armv6-M, Armv7-M and Armv8-M (bkpt 0xab). */
#ifndef RTHEAP_SEMIHOST_H
#define RTHEAP_SEMIHOST_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Write len bytes of s to the semihosting console (QEMU: the sh0 chardev / stdout). */
void semihost_write(const char *s, size_t len);
/* Write a NUL-terminated string followed by '\n'. */
void semihost_puts(const char *s);
/* Stop the program; QEMU exits with status (code & 0xff) (SYS_EXIT_EXTENDED). */
__attribute__((noreturn)) void semihost_exit(int code);

#ifdef __cplusplus
}
#endif

#endif
