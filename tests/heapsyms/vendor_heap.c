/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The default heap under a vendor-style linker script (tests/heapsyms/):
 *   HEAP_STYLE_CUBEMX     cubemx_style.ld + linker/rtheap-cubemx.ld, newlib-nano and
 *                         rtheap::libc: the heap is [ALIGN(_end, 8),
 *                         (_estack - _Min_Stack_Size) & ~7), malloc and printf use it
 *   HEAP_STYLE_CORTEX_M_RT cortex_m_rt_style.ld + linker/rtheap-cortex-m-rt.ld: the heap
 *                         is [ALIGN(__sheap, 8), (_stack_start - __stack_size) & ~7)
 *   HEAP_STYLE_NONE       cortex_m_rt_style.ld alone, newlib-nano and rtheap::libc: no
 *                         heap, said clearly: RTHEAP_ERR_NO_HEAP, the no-heap count,
 *                         malloc NULL with ENOMEM
 * Exit status 0 when every check passed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "rtheap.h"

extern char __heap_start[] __attribute__((weak));
extern char __heap_end[] __attribute__((weak));

static uintptr_t addr(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    __asm__("" : "+r"(a)); /* linker symbols: no folded compare */
    return a;
}

#if HEAP_STYLE_CUBEMX || HEAP_STYLE_CORTEX_M_RT
static void check_heap(uintptr_t want_start, uintptr_t want_end)
{
    th_print("heap symbols: ");
    th_print_x(addr(__heap_start));
    th_print(" .. ");
    th_print_x(addr(__heap_end));
    th_print("\n");
    TH_CHECK_EQ(addr(__heap_start), want_start);
    TH_CHECK_EQ(addr(__heap_end), want_end);
    rtheap_t *heap = rtheap_default();
    TH_CHECK_NOT_NULL(heap);
    TH_CHECK_EQ(rtheap_default_status(), RTHEAP_OK);
    rtheap_stats_t s;
    TH_CHECK(rtheap_get_stats(heap, &s));
    TH_CHECK_EQ(s.heap_bytes, want_end - want_start);
    void *big = rtheap_alloc(heap, 1024u * 1024u);
    TH_CHECK_NOT_NULL(big);
    TH_CHECK(addr(big) >= want_start && addr(big) + 1024u * 1024u <= want_end);
    rtheap_free(heap, big);
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    TH_CHECK_EQ(rtheap_default_no_heap_count(), 0u);
}
#endif

#if HEAP_STYLE_CUBEMX
extern char _end[], _estack[], _Min_Stack_Size[];

int main(void)
{
    uintptr_t start = (addr(_end) + 7u) & ~(uintptr_t)7u;
    uintptr_t end = (addr(_estack) - addr(_Min_Stack_Size)) & ~(uintptr_t)7u;
    check_heap(start, end);
    /* newlib-nano's printf and malloc on it. */
    rtheap_stats_t s0, s1;
    TH_CHECK(rtheap_get_stats(rtheap_default(), &s0));
    printf("cubemx-style firmware: printf through newlib-nano\n");
    char *p = malloc(100);
    TH_CHECK(rtheap_get_stats(rtheap_default(), &s1));
    TH_CHECK_NOT_NULL(p);
    TH_CHECK(addr(p) >= start && addr(p) < end);
    TH_CHECK(s1.alloc_count >= s0.alloc_count + 2); /* stdout's buffer and p */
    free(p);
    return th_summary();
}
#elif HEAP_STYLE_CORTEX_M_RT
extern char __sheap[], _stack_start[], __stack_size[];

int main(void)
{
    uintptr_t start = (addr(__sheap) + 7u) & ~(uintptr_t)7u;
    uintptr_t end = (addr(_stack_start) - addr(__stack_size)) & ~(uintptr_t)7u;
    check_heap(start, end);
    return th_summary();
}
#elif HEAP_STYLE_NONE
int main(void)
{
    TH_CHECK_EQ(addr(__heap_start), 0u); /* the script defines no heap */
    TH_CHECK_EQ(rtheap_default_status(), RTHEAP_ERR_NO_HEAP);
    TH_CHECK_EQ(rtheap_default_no_heap_count(), 0u); /* asking is not allocating */
    for (unsigned i = 1; i <= 3; i++) {
        errno = 0;
        TH_CHECK_NULL(malloc(16));
        TH_CHECK_EQ(errno, ENOMEM);
        TH_CHECK_EQ(rtheap_default_no_heap_count(), i);
    }
    TH_CHECK_NULL(rtheap_default());
    TH_CHECK_EQ(rtheap_default_status(), RTHEAP_ERR_NO_HEAP);
    /* A region given later still makes the heap. */
    static uint64_t pool[512];
    TH_CHECK_NOT_NULL(rtheap_default_init(pool, sizeof pool));
    TH_CHECK_EQ(rtheap_default_status(), RTHEAP_OK);
    void *p = malloc(16);
    TH_CHECK_NOT_NULL(p);
    free(p);
    return th_summary();
}
#else
#error "define HEAP_STYLE_CUBEMX, HEAP_STYLE_CORTEX_M_RT or HEAP_STYLE_NONE"
#endif
