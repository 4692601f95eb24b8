/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap test harness (see harness.h). */
#include "harness.h"

#include <stddef.h>

#if TH_IS_TARGET
#include "semihost.h"
#else
#include <stdio.h>
#endif

unsigned long th_passed_, th_failed_;

static size_t th_strlen(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0') {
        n++;
    }
    return n;
}

static void th_write(const char *s, size_t n)
{
#if TH_IS_TARGET
    semihost_write(s, n);
#else
    (void)fwrite(s, 1, n, stdout);
    (void)fflush(stdout);
#endif
}

void th_print(const char *s)
{
    th_write(s, th_strlen(s));
}

void th_println(const char *s)
{
    th_print(s);
    th_write("\n", 1);
}

void th_print_u(unsigned long long v)
{
    char buf[24];
    size_t i = sizeof buf;
    do {
        buf[--i] = (char)('0' + (unsigned)(v % 10u));
        v /= 10u;
    } while (v != 0);
    th_write(buf + i, sizeof buf - i);
}

void th_print_x(unsigned long long v)
{
    char buf[20];
    size_t i = sizeof buf;
    do {
        unsigned d = (unsigned)(v & 0xFu);
        buf[--i] = (char)(d < 10u ? '0' + d : 'a' + (d - 10u));
        v >>= 4;
    } while (v != 0);
    buf[--i] = 'x';
    buf[--i] = '0';
    th_write(buf + i, sizeof buf - i);
}

static void th_where(const char *file, int line)
{
    th_print(file);
    th_print(":");
    th_print_u((unsigned long long)(line < 0 ? 0 : line));
    th_print(": ");
}

int th_check_(int ok, const char *file, int line, const char *expr)
{
    if (ok) {
        th_passed_++;
        return 1;
    }
    th_failed_++;
    th_where(file, line);
    th_print("CHECK failed: ");
    th_println(expr);
    return 0;
}

static void th_print_value(const char *text, uintmax_t v)
{
    th_print(text);
    th_print(" = ");
    th_print_x(v);
    th_print(" (");
    th_print_u(v);
    th_print(")");
}

int th_check_eq_(uintmax_t a, uintmax_t b, const char *file, int line, const char *a_text,
                 const char *b_text)
{
    if (a == b) {
        th_passed_++;
        return 1;
    }
    th_failed_++;
    th_where(file, line);
    th_print("CHECK failed: ");
    th_print(a_text);
    th_print(" == ");
    th_println(b_text);
    th_print("    ");
    th_print_value(a_text, a);
    th_print(", ");
    th_print_value(b_text, b);
    th_println("");
    return 0;
}

int th_summary(void)
{
    th_print_u(th_passed_);
    th_print(" passed, ");
    th_print_u(th_failed_);
    th_println(" failed");
    return th_failed_ == 0 ? 0 : 1;
}

uint32_t th_rand(uint32_t *state)
{
    uint32_t x = *state != 0 ? *state : 0x2545F491u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}
