/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A missing or too-small default heap is said once, clearly. Built with its own copy of the library (no_heap_config.h routes
 * RTHEAP_ERROR_HOOK here) and, unless HEAP_BYTES is 0, its own __heap_start /
 * __heap_end around a static array of HEAP_BYTES bytes (assembler symbols, so
 * this runs on the host as on a target). HEAP_BYTES 0 (no symbols), 1..255:
 * no heap: rtheap_default() NULL, RTHEAP_ERR_NO_HEAP reported exactly once
 * through the default error hook however often it is asked, each call counted,
 * rtheap_default_status() RTHEAP_ERR_NO_HEAP; rtheap_default_init() then
 * gives it a heap, and the count drops to 0. HEAP_BYTES >= 1024, and on
 * 32-bit targets >= 256: a heap, no report. HEAP2_BYTES: a second region too
 * (__heap2_start / __heap2_end), larger than the index a small first region
 * can hold for it: the heap is built with the largest index that fits, and
 * the second region serves what the first cannot; one under 256 bytes is
 * left out, without a report.
 */
#include <stdint.h>

#include "harness.h"
#include "rtheap.h"

#ifndef HEAP_BYTES
#error "HEAP_BYTES"
#endif
#define STR_(x) #x
#define STR(x) STR_(x)

static unsigned hook_calls, hook_no_heap;
static const void *hook_heap = (const void *)1;

void no_heap_hook(const void *heap, int kind, const void *ptr)
{
    (void)ptr;
    hook_calls++;
    hook_heap = heap;
    if (kind == (int)RTHEAP_ERR_NO_HEAP) {
        hook_no_heap++;
    }
}

#if HEAP_BYTES > 0
__attribute__((used, aligned(16))) static unsigned char no_heap_area[HEAP_BYTES];
__asm__(".globl __heap_start\n\t.set __heap_start, no_heap_area\n\t"
        ".globl __heap_end\n\t.set __heap_end, no_heap_area + " STR(HEAP_BYTES));
#endif
#ifdef HEAP2_BYTES
__attribute__((used, aligned(16))) static unsigned char no_heap_area2[HEAP2_BYTES];
__asm__(".globl __heap2_start\n\t.set __heap2_start, no_heap_area2\n\t"
        ".globl __heap2_end\n\t.set __heap2_end, no_heap_area2 + " STR(HEAP2_BYTES));

/* Both regions serve: blocks larger than the first region's whole arena
 * come from the second, until it is full. */
static void check_second_region(rtheap_t *heap)
{
    rtheap_stats_t st;
    TH_CHECK(rtheap_get_stats(heap, &st));
#if HEAP2_BYTES < 256
    /* Under RTHEAP_DEFAULT_MIN_BYTES: left out, without a report (the caller
     * checks that the hook was not called). */
    TH_CHECK_EQ(st.region_count, 1u);
    return;
#endif
    TH_CHECK_EQ(st.region_count, 2u);
    TH_CHECK(st.arena_bytes > HEAP2_BYTES / 2u);
    void *blocks[64];
    unsigned n = 0;
    size_t size = HEAP_BYTES; /* more than the first region holds */
    while (n < 64u && (blocks[n] = rtheap_alloc(heap, size)) != NULL) {
        uintptr_t p = (uintptr_t)blocks[n];
        uintptr_t area = (uintptr_t)no_heap_area2;
        TH_CHECK(p >= area && p + size <= area + HEAP2_BYTES);
        n++;
    }
    TH_CHECK_EQ(n, 64u);
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    while (n > 0) {
        rtheap_free(heap, blocks[--n]);
    }
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
}
#endif

int main(void)
{
    /* From RTHEAP_DEFAULT_MIN_BYTES (256) up a heap wherever rtheap_init holds
     * the region: on 32-bit targets every such region (the smallest it takes
     * is under 256 bytes, and a larger one is never refused), on 64-bit
     * ones from about 420 bytes. */
    int want_heap = HEAP_BYTES >= 1024 || (HEAP_BYTES >= 256 && UINTPTR_MAX == 0xFFFFFFFFu);
    TH_CHECK_EQ(rtheap_default_status(), want_heap ? RTHEAP_OK : RTHEAP_ERR_NO_HEAP);
    for (unsigned i = 1; i <= 4; i++) {
        rtheap_t *heap = rtheap_default();
        void *p = rtheap_alloc(heap, 16);
        if (want_heap) {
            TH_CHECK_NOT_NULL(heap);
            TH_CHECK_NOT_NULL(p);
            rtheap_free(heap, p);
        } else {
            TH_CHECK_NULL(heap);
            TH_CHECK_NULL(p);
            TH_CHECK_EQ(rtheap_default_no_heap_count(), i);
        }
    }
    TH_CHECK_EQ(rtheap_default_status(), want_heap ? RTHEAP_OK : RTHEAP_ERR_NO_HEAP);
    /* Said once: one report for five questions and four allocations. */
    TH_CHECK_EQ(hook_no_heap, want_heap ? 0u : 1u);
    TH_CHECK_EQ(hook_calls, hook_no_heap);
    if (!want_heap) {
        TH_CHECK(hook_heap == NULL);
        TH_CHECK_EQ(rtheap_default_no_heap_count(), 4u);
        /* A heap given afterwards: the calls that found none are history. */
        static unsigned char pool[4096] __attribute__((aligned(16)));
        rtheap_t *heap = rtheap_default_init(pool, sizeof pool);
        TH_CHECK_NOT_NULL(heap);
        TH_CHECK(rtheap_default() == heap);
        TH_CHECK_EQ(rtheap_default_status(), RTHEAP_OK);
        TH_CHECK_EQ(rtheap_default_no_heap_count(), 0u);
    } else {
        TH_CHECK_EQ(rtheap_default_no_heap_count(), 0u);
#ifdef HEAP2_BYTES
        check_second_region(rtheap_default());
#endif
    }
    th_print("no_heap: HEAP_BYTES=" STR(HEAP_BYTES) ": ");
    th_println(want_heap ? "a heap, no report" : "no heap, said once");
    return th_summary();
}
