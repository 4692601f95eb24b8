/*
 * The default heap: built on first use from the linker symbols
 * __heap_start/__heap_end (picolibc's names; our linker/cortex-m.ld and
 * picolibc.ld both define them), plus __heap2_start/__heap2_end when the
 * script defines a second RAM region. This is the only file of the library
 * that reads linker symbols.
 */
#include "rtheap.h"

/* Weak: a firmware that only ever calls rtheap_default_init() need not
 * define them (undefined weak symbols are 0: an empty region, no heap). */
extern char __heap_start[] __attribute__((weak));
extern char __heap_end[] __attribute__((weak));
#if RTHEAP_DEFAULT_SECOND_REGION
/* Weak: scripts without a second region (picolibc.ld) still link. */
extern char __heap2_start[] __attribute__((weak));
extern char __heap2_end[] __attribute__((weak));
#endif

/* Written once, under the lock; read without it once set. */
static rtheap_t *volatile rtheap_default_heap;

static size_t rtheap_span(const char *start, const char *end)
{
    uintptr_t lo = (uintptr_t)start;
    uintptr_t hi = (uintptr_t)end;
    /* Hide where the values come from: compilers may fold comparisons of
     * two symbols' addresses as if they were distinct objects. */
    __asm__("" : "+r"(lo), "+r"(hi));
    return hi > lo ? (size_t)(hi - lo) : 0u;
}

static rtheap_t *rtheap_build_default(void)
{
    size_t first = rtheap_span(__heap_start, __heap_end);
    size_t second = 0;
#if RTHEAP_DEFAULT_SECOND_REGION
    second = rtheap_span(__heap2_start, __heap2_end);
#endif
    /* Index sized for the larger region, so that neither is cut up. */
    rtheap_t *heap = first != 0 ? rtheap_init_for(__heap_start, first, second) : NULL;
#if RTHEAP_DEFAULT_SECOND_REGION
    if (heap != NULL && second != 0) {
        (void)rtheap_add_region(heap, __heap2_start, second);
    }
#endif
    return heap;
}

rtheap_t *rtheap_default(void)
{
    rtheap_t *heap = rtheap_default_heap;
    if (heap != NULL) {
        return heap;
    }
    RTHEAP_LOCK_TYPE state = RTHEAP_LOCK((rtheap_t *)NULL);
    heap = rtheap_default_heap;
    if (heap == NULL) {
        heap = rtheap_build_default();
        rtheap_default_heap = heap;
    }
    RTHEAP_UNLOCK((rtheap_t *)NULL, state);
    return heap;
}

rtheap_t *rtheap_default_init(void *mem, size_t bytes)
{
    RTHEAP_LOCK_TYPE state = RTHEAP_LOCK((rtheap_t *)NULL);
    rtheap_t *heap = NULL;
    if (rtheap_default_heap == NULL) {
        heap = rtheap_init(mem, bytes);
        rtheap_default_heap = heap;
    }
    RTHEAP_UNLOCK((rtheap_t *)NULL, state);
    return heap;
}

rtheap_error_t rtheap_default_status(void)
{
    return rtheap_default() != NULL ? RTHEAP_OK : RTHEAP_ERR_NO_HEAP;
}
