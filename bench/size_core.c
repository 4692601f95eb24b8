/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap benchmark: code-size probes. Never run: built by tools/bench.sh and measured
 * with arm-none-eabi-size. One program per (probe, allocator); "program minus the same
 * probe calling empty functions of the same shapes (SIZE_NONE)" is the code the
 * allocator costs a firmware.
 *   PROBE_CORE  init + alloc + free
 *   PROBE_CAPI  the C API the bench uses: init, alloc, aligned alloc, realloc, free
 *   PROBE_RUST  the five __rust_* entry points (rtheap: on the default heap)
 * Allocators: SIZE_RTHEAP, SIZE_LIBC (+ SIZE_PICOLIBC), SIZE_PEER (bench/peers/;
 * + SIZE_HEAP4), SIZE_NONE. */
#include <stddef.h>
#include <stdint.h>

#include "bench_empty.h"

#if !defined(PROBE_CAPI) && !defined(PROBE_RUST)
#define PROBE_CORE 1
#endif

#if defined(SIZE_HEAP4)
#define arena ucHeap
uint8_t ucHeap[1024] __attribute__((aligned(8)));
#else
static uint8_t arena[1024] __attribute__((aligned(8)));
#endif
volatile size_t size_core_n = 24;
volatile size_t size_core_a = 64;
void *volatile size_core_p;
volatile size_t size_core_u;

#if defined(SIZE_RTHEAP)
#include "rtheap.h"
static rtheap_t *g_h __attribute__((unused)); /* not used by PROBE_RUST */
#define P_INIT() (g_h = rtheap_init(arena, sizeof arena))
#define P_ALLOC(n) rtheap_alloc(g_h, (n))
#define P_MEMALIGN(a, n) rtheap_alloc_aligned(g_h, (n), (a))
#define P_REALLOC(p, n) rtheap_realloc(g_h, (p), (n))
#define P_FREE(p) rtheap_free(g_h, (p))
#elif defined(SIZE_PEER)
#include "peer.h"
#define P_INIT() peer_init(arena, sizeof arena)
#define P_ALLOC(n) peer_malloc(n)
#define P_MEMALIGN(a, n) peer_memalign((a), (n))
#define P_REALLOC(p, n) peer_realloc((p), (n))
#define P_FREE(p) peer_free(p)
#elif defined(SIZE_LIBC)
void *malloc(size_t n);
void free(void *p);
void *realloc(void *p, size_t n);
void *memalign(size_t align, size_t n);
#define P_INIT() ((void)0)
#define P_ALLOC(n) malloc(n)
#define P_MEMALIGN(a, n) memalign((a), (n))
#define P_REALLOC(p, n) realloc((p), (n))
#define P_FREE(p) free(p)
#else
#define P_INIT() ((void)0)
#define P_ALLOC(n) empty_alloc2(arena, (n))
#define P_MEMALIGN(a, n) empty_memalign3(arena, (n), (a))
#define P_REALLOC(p, n) empty_realloc3(arena, (p), (n))
#define P_FREE(p) empty_free2(arena, (p))
#endif

#if defined(SIZE_NONE)
#define R_ALLOC(n, a) empty_ralloc2((n), (a))
#define R_FREE(p, o, a) empty_rfree3((p), (o), (a))
#define R_REALLOC(p, o, n, a) empty_rrealloc4((p), (o), (n), (a))
#define R_INPLACE(p, o, n, a) empty_rinplace4((p), (o), (n), (a))
#define R_USABLE(n, a) empty_rinplace4(NULL, (n), (a), 0)
#else
void *__rust_allocate(size_t size, size_t align);
void __rust_deallocate(void *ptr, size_t old_size, size_t align);
void *__rust_reallocate(void *ptr, size_t old_size, size_t size, size_t align);
size_t __rust_reallocate_inplace(void *ptr, size_t old_size, size_t size, size_t align);
size_t __rust_usable_size(size_t size, size_t align);
#define R_ALLOC(n, a) __rust_allocate((n), (a))
#define R_FREE(p, o, a) __rust_deallocate((p), (o), (a))
#define R_REALLOC(p, o, n, a) __rust_reallocate((p), (o), (n), (a))
#define R_INPLACE(p, o, n, a) __rust_reallocate_inplace((p), (o), (n), (a))
#define R_USABLE(n, a) __rust_usable_size((n), (a))
#endif

/* The libc mallocs grow through sbrk: give them the arena (never run, but linked). */
void *sbrk(ptrdiff_t incr);
void *_sbrk(ptrdiff_t incr);
static uint8_t *brk_ = arena;
void *sbrk(ptrdiff_t incr)
{
    uint8_t *old = brk_;
    if (incr > arena + sizeof arena - old || incr < arena - old) {
        return (void *)-1;
    }
    brk_ = old + incr;
    return old;
}
void *_sbrk(ptrdiff_t incr)
{
    return sbrk(incr);
}
#if defined(SIZE_PICOLIBC)
static uint8_t size_tls[64] __attribute__((aligned(8), used));
__attribute__((naked)) void *__aeabi_read_tp(void);
__attribute__((naked)) void *__aeabi_read_tp(void)
{
    __asm__ volatile("ldr r0, 1f\n\tbx lr\n\t.align 2\n1:\t.word size_tls\n");
}
#endif

int main(void)
{
#if defined(PROBE_RUST)
    void *p = R_ALLOC(size_core_n, size_core_a);
    size_core_u = R_INPLACE(p, size_core_n, size_core_n * 2u, size_core_a);
    p = R_REALLOC(p, size_core_n, size_core_n * 4u, size_core_a);
    size_core_u += R_USABLE(size_core_n, size_core_a);
    R_FREE(p, size_core_n * 4u, size_core_a);
#else
    P_INIT();
    void *p = P_ALLOC(size_core_n);
#if defined(PROBE_CAPI)
    void *q = P_MEMALIGN(size_core_a, size_core_n);
    p = P_REALLOC(p, size_core_n * 4u);
    P_FREE(q);
#endif
    size_core_p = p;
    P_FREE(p);
#endif
    return 0;
}
