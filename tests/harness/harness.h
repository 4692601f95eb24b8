/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap test harness: tiny, printf-free, usable on the host and on Cortex-M targets
 * (output through semihosting there; needs nothing but our own code and libgcc).
 *
 *   #include "harness.h"
 *   int main(void) {
 *       TH_CHECK(1 + 1 == 2);
 *       TH_CHECK_EQ(sizeof(int), 4);
 *       return th_summary();     // prints "N passed, N failed"; 0 if none failed
 *   }
 */
#ifndef RTHEAP_HARNESS_H
#define RTHEAP_HARNESS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when built for a bare-metal Cortex-M target, 0 on the host. */
#if defined(__arm__) && defined(__ARM_ARCH_PROFILE)
#if __ARM_ARCH_PROFILE == 'M'
#define TH_IS_TARGET 1
#endif
#endif
#ifndef TH_IS_TARGET
#define TH_IS_TARGET 0
#endif

/* Output helpers (stdout on the host, semihosting console on the target). */
void th_print(const char *s);
void th_println(const char *s);          /* s followed by '\n' */
void th_print_u(unsigned long long v);   /* decimal */
void th_print_x(unsigned long long v);   /* 0x-prefixed hex */

/* Prints "<passed> passed, <failed> failed" on a line of its own; returns 0 when no
 * check failed, else 1. Use as `return th_summary();` at the end of main. */
int th_summary(void);

/* xorshift32; *state must be non-zero (0 is replaced by a fixed seed). */
uint32_t th_rand(uint32_t *state);

/* Checks: each counts a pass or a fail and returns nonzero on pass, so
 * `if (!TH_CHECK_NOT_NULL(p)) return th_summary();` works. On failure they print
 *   file:line: CHECK failed: <expression>                                         */
#define TH_CHECK(cond) th_check_((cond) ? 1 : 0, __FILE__, __LINE__, #cond)
/* Compares a and b as uintmax_t; on failure prints both in hex and decimal. */
#define TH_CHECK_EQ(a, b)                                                                          \
    th_check_eq_((uintmax_t)(a), (uintmax_t)(b), __FILE__, __LINE__, #a, #b)
#define TH_CHECK_PTR_EQ(a, b)                                                                      \
    th_check_eq_((uintmax_t)(uintptr_t)(const volatile void *)(a),                                 \
                 (uintmax_t)(uintptr_t)(const volatile void *)(b), __FILE__, __LINE__, #a, #b)
#define TH_CHECK_NULL(p)                                                                           \
    th_check_((const volatile void *)(p) == (const volatile void *)0, __FILE__, __LINE__,         \
              #p " == NULL")
#define TH_CHECK_NOT_NULL(p)                                                                       \
    th_check_((const volatile void *)(p) != (const volatile void *)0, __FILE__, __LINE__,         \
              #p " != NULL")

/* Implementation details of the macros. */
int th_check_(int ok, const char *file, int line, const char *expr);
int th_check_eq_(uintmax_t a, uintmax_t b, const char *file, int line, const char *a_text,
                 const char *b_text);
extern unsigned long th_passed_, th_failed_;

#ifdef __cplusplus
}
#endif

#endif
