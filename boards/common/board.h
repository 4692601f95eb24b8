/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap firmware support: the linker-script symbols of linker/cortex-m.ld as
 * plain addresses. Not part of the library.
 *
 * Use these instead of comparing the symbols' addresses directly: GCC assumes two
 * distinct objects never share an address and may fold `&__heap2_start ==
 * &__heap2_end` to false, or `&sym == 0` to false. The asm laundering stops that. */
#ifndef RTHEAP_BOARD_H
#define RTHEAP_BOARD_H

#include <stddef.h>
#include <stdint.h>

extern char __heap_start[], __heap_end[];   /* main heap, 8-aligned start */
extern char __heap2_start[], __heap2_end[]; /* RAM2 heap; both 0 when the board has none */
extern char __data_start[], __data_end[], __data_load[];
extern char __bss_start[], __bss_end[];
extern char __stack_limit[], _stack_top[];

static inline uintptr_t board_addr_(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    __asm__("" : "+r"(a));
    return a;
}

/* The main heap region [*start, *start + return value). */
static inline size_t board_heap(void **start)
{
    uintptr_t s = board_addr_(__heap_start), e = board_addr_(__heap_end);
    *start = (void *)s;
    return (size_t)(e - s);
}

/* The RAM2 heap region; returns 0 (and *start = NULL) on boards without RAM2. */
static inline size_t board_heap2(void **start)
{
    uintptr_t s = board_addr_(__heap2_start), e = board_addr_(__heap2_end);
    *start = s == e ? NULL : (void *)s;
    return (size_t)(e - s);
}

#endif
