/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Console output of the measuring firmware (bench/bench.c, bench/lock_cost.c,
 * tests/wcet/drive.c): text and decimal numbers gathered in one buffer and written by
 * semihosting when it is full or flushed, so that printing costs few semihosting
 * calls and never runs inside a measured interval. Call out_flush() before exiting.
 * The includer declares semihost_write(): semihost.h, or the bench's host stand-in.
 */
#ifndef RTHEAP_BENCH_OUT_H
#define RTHEAP_BENCH_OUT_H

#include <stdint.h>

static char g_out[512];
static uint32_t g_outn;

static inline void out_flush(void)
{
    if (g_outn != 0) {
        semihost_write(g_out, g_outn);
        g_outn = 0;
    }
}

static inline void out_c(char c)
{
    if (g_outn == sizeof g_out) {
        out_flush();
    }
    g_out[g_outn++] = c;
}

static inline void out_s(const char *s)
{
    while (*s != '\0') {
        out_c(*s++);
    }
}

static inline void out_u(uint32_t v)
{
    char b[10];
    uint32_t n = 0;
    do {
        b[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    while (n != 0) {
        out_c(b[--n]);
    }
}

#endif
