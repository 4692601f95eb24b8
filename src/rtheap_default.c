/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The default heap: built on first use from the linker symbols
 * __heap_start/__heap_end (picolibc's names; our linker/cortex-m.ld and
 * picolibc.ld both define them), plus __heap2_start/__heap2_end when the
 * script defines a second RAM region. This is the only file of the library
 * that reads linker symbols.
 *
 * No heap (symbols missing, or a first region under RTHEAP_DEFAULT_MIN_BYTES
 * or too small for rtheap_init) is said once and clearly: the first call
 * reports RTHEAP_ERR_NO_HEAP through RTHEAP_ERROR_HOOK(NULL, ...), every call
 * that finds no heap is counted (rtheap_default_no_heap_count()), and the
 * front ends tell it from "out of memory" with rtheap_default_status().
 * rtheap_default_init() may still give the heap a region afterwards.
 */
#include "rtheap.h"
#include "core/units.h" /* rtheap_default_heap and rtheap_default_first, for rtheap_rust.c */

/* Weak: a firmware that only ever calls rtheap_default_init() need not
 * define them (undefined weak symbols are 0: an empty region, no heap). */
extern char __heap_start[] __attribute__((weak));
extern char __heap_end[] __attribute__((weak));
#if RTHEAP_DEFAULT_SECOND_REGION
/* Weak: scripts without a second region (picolibc.ld) still link. */
extern char __heap2_start[] __attribute__((weak));
extern char __heap2_end[] __attribute__((weak));
#endif

/*
 * RTHEAP_DEFAULT_MIN_BYTES: a first region smaller than this is no heap
 * (RTHEAP_ERR_NO_HEAP), even where rtheap_init() could squeeze a few bytes of
 * arena out of it: a heap of a few hundred bytes is a linker script mistake
 * (a stack or section size eating RAM), not a plan. linker/cortex-m.ld asserts
 * a larger minimum (__heap_min_size, 1 KiB) at link time.
 */
#ifndef RTHEAP_DEFAULT_MIN_BYTES
#define RTHEAP_DEFAULT_MIN_BYTES 256u
#endif

/* Written once, under the lock; read without it once set. Not static: the
 * Rust entry points (rtheap_rust.c) read it directly, sparing every call a
 * call of rtheap_default(). */
/* wcet-nonnull: rtheap_default_heap (set once, by the first call: the steady state) */
rtheap_t *volatile rtheap_default_heap;
/* The symbols gave no heap: said once (the error hook), then only counted.
 * One object, so that the code reaches both through one address. */
static struct {
    volatile uint32_t count; /* calls that found no heap */
    volatile bool tried;     /* the symbols were read: a heap is not built twice */
} rtheap_default_missing;

static size_t rtheap_span(const char *start, const char *end)
{
    uintptr_t lo = (uintptr_t)start;
    uintptr_t hi = (uintptr_t)end;
    /* Hide where the values come from: compilers may fold comparisons of
     * two symbols' addresses as if they were distinct objects. */
    __asm__("" : "+r"(lo), "+r"(hi));
    return hi > lo ? (size_t)(hi - lo) : 0u;
}

/* Runs once: cold, so optimised for size, and out of line (the code that
 * takes the lock keeps fewer registers) when it adds a second region; with
 * one region, inlined (smaller). */
#if RTHEAP_DEFAULT_SECOND_REGION
#define BUILD_INLINE __attribute__((noinline, cold))
#else
#define BUILD_INLINE inline __attribute__((cold))
#endif
/* wcet-once: rtheap_build_default (the first call builds the heap: bounded apart) */
static BUILD_INLINE rtheap_t *rtheap_build_default(void)
{
    size_t first = rtheap_span(__heap_start, __heap_end);
    size_t second = 0;
#if RTHEAP_DEFAULT_SECOND_REGION
    second = rtheap_span(__heap2_start, __heap2_end);
#endif
    if (first < RTHEAP_DEFAULT_MIN_BYTES) {
        return NULL;
    }
    /* Index sized for the larger region, so that neither is cut up. A first
     * region too small for that index gets the largest index it holds:
     * the size asked for is halved (a row less each time) down to the first
     * region's own, and the second region is then cut into blocks that index
     * holds, separated by fences. */
    rtheap_t *heap;
    size_t largest = second;
    do {
        /* wcet-once: rtheap_init_for (the build's, as above) */
        heap = rtheap_init_for(__heap_start, first, largest);
        largest /= 2u;
    } while (heap == NULL && largest > first / 2u);
#if RTHEAP_DEFAULT_SECOND_REGION
    /* A second region as small as no first one may be is no region either:
     * left out without a word (a script that leaves a few bytes of RAM2). */
    if (heap != NULL && second >= RTHEAP_DEFAULT_MIN_BYTES) {
        /* wcet-once: rtheap_add_region (as above) */
        (void)rtheap_add_region(heap, __heap2_start, second);
    }
#endif
    return heap;
}

/* The first call builds the heap; a call that finds none is counted (when
 * `count`), and the first such call reports RTHEAP_ERR_NO_HEAP once through
 * the default error hook (there is no heap to hold a runtime hook). Out of
 * line and cold: the calls after the first only read the pointer. */
__attribute__((noinline, cold)) static rtheap_t *rtheap_default_get(bool count)
{
    bool report = false;
    RTHEAP_LOCK_TYPE state = RTHEAP_LOCK((rtheap_t *)NULL);
    rtheap_t *heap = rtheap_default_heap;
    if (heap == NULL && !rtheap_default_missing.tried) {
        /* Set first: a call from inside the build (an error hook's) finds no
         * heap instead of building one again. */
        rtheap_default_missing.tried = true;
        heap = rtheap_build_default();
        rtheap_default_heap = heap;
        report = heap == NULL;
    }
    if (heap == NULL) {
        rtheap_default_missing.count = rtheap_default_missing.count + count;
    }
    RTHEAP_UNLOCK((rtheap_t *)NULL, state);
    if (report) {
        RTHEAP_ERROR_HOOK((rtheap_t *)NULL, RTHEAP_ERR_NO_HEAP, (const void *)NULL);
    }
    return heap;
}

/* What rtheap_default() does once it has read NULL, for the Rust entry points
 * (rtheap_rust.c), which read the pointer themselves. */
rtheap_t *rtheap_default_first(void)
{
    return rtheap_default_get(true);
}

rtheap_t *rtheap_default(void)
{
    rtheap_t *heap = rtheap_default_heap;
    return heap != NULL ? heap : rtheap_default_get(true);
}

uint32_t rtheap_default_no_heap_count(void)
{
    return rtheap_default_missing.count;
}

rtheap_t *rtheap_default_init(void *mem, size_t bytes)
{
    RTHEAP_LOCK_TYPE state = RTHEAP_LOCK((rtheap_t *)NULL);
    rtheap_t *heap = NULL;
    if (rtheap_default_heap == NULL) {
        heap = rtheap_init(mem, bytes);
        rtheap_default_heap = heap;
        if (heap != NULL) {
            rtheap_default_missing.count = 0; /* the heap exists now */
        }
    }
    RTHEAP_UNLOCK((rtheap_t *)NULL, state);
    return heap;
}

rtheap_error_t rtheap_default_status(void)
{
    rtheap_t *heap = rtheap_default_heap;
    if (__builtin_expect(heap == NULL, 0)) {
        heap = rtheap_default_get(false);
    }
    return heap != NULL ? RTHEAP_OK : RTHEAP_ERR_NO_HEAP;
}
