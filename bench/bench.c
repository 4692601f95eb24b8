/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtheap benchmark firmware. One firmware per allocator, selected at compile
 * time (BENCH_BACKEND_*); one workload per run, selected by the semihosting command line
 * (QEMU: -semihosting-config ...,arg=bench,arg=<workload>), so every workload starts on a
 * fresh heap. Built and run by tools/bench.sh; the host side (bench/analyze.py) turns the
 * raw output into tables and plots.
 *
 * Timing: SysTick counts down from 0xFFFFFF on the processor clock; under QEMU with
 * -icount the clock advances with executed instructions, so the tick difference around a
 * call is a deterministic instruction count (ticks per instruction is calibrated with a
 * run of 1000 NOPs). Each measured call sits in its own noinline wrapper; the same wrapper
 * around an empty function of the same signature gives the cost to subtract.
 *
 * The op trace is generated from a fixed seed and depends only on the RNG and on the
 * sizes requested, never on what the allocator returned: every allocator sees exactly
 * the same sequence of calls (a failed allocation keeps its slot with a NULL pointer; a
 * later free of it is skipped).
 *
 * Output lines (semihosting console):
 *   I key=value ...            information (calibration, heap, RAM, strides)
 *   W <workload>               a timed trace starts
 *   a<t> f<t> r<t> m<t>        one timed call: alloc / free / realloc / aligned alloc,
 *                              t = raw SysTick ticks (host subtracts the empty call)
 *   A<t> B<t> D<t> R<t> P<t>   mix firmware (BENCH_MIX): one timed call of __rust_allocate
 *                              (A: align <= 8, B: above), __rust_deallocate,
 *                              __rust_reallocate, __rust_reallocate_inplace
 *   E <workload> ops=N fails=N peak=N     trace end; fails = NULL results
 *   U <workload> peak=N heap=N ops=N      growth trace: peak live payload at first failure
 *
 * Backends: rtheap (src/rtheap.c), the C library's malloc (picolibc, newlib, newlib-nano),
 * a peer allocator through its wrapper in bench/peers/ (o1heap, tlsf, heap_4), or none.
 * BENCH_MIX builds the firmware of the "mix" workload instead: a 20,000-operation mix
 * through the five __rust_* entry points, on rtheap's default heap (the linker's
 * __heap_start/__heap_end plus __heap2_start/__heap2_end where the board has RAM2) or,
 * for the others, the same entry points as thin wrappers (bench/libc_rust.c,
 * bench/peers/) over a BENCH_MIX_HEAP arena.
 */
#include <stddef.h>
#include <stdint.h>

#include "bench_empty.h"

#if defined(BENCH_HOST)
/* x86-64 host build for callgrind: no SysTick (callgrind counts), stdout output. */
#include <stdio.h>
#include <stdlib.h>
static void semihost_write(const char *s, size_t len) { fwrite(s, 1, len, stdout); }
__attribute__((unused)) static void semihost_puts(const char *s) { puts(s); }
__attribute__((unused)) static void semihost_exit(int code) { exit(code); }
#else
#include "semihost.h"
#endif

#ifndef BENCH_HEAP_BYTES
#define BENCH_HEAP_BYTES 65536u
#endif
#ifndef BENCH_SLOTS
#define BENCH_SLOTS 2048u
#endif
#ifndef BENCH_OPS
#define BENCH_OPS 4000u
#endif

#ifndef BENCH_MIX_OPS
#define BENCH_MIX_OPS 20000u
#endif
#ifndef BENCH_MIX_HEAP
#define BENCH_MIX_HEAP (1024u * 1024u)
#endif

#if defined(BENCH_MIX)
/* The mix sizes and caps its live set by the arena the peers get (rtheap's default heap
 * is larger): the trace must not depend on the allocator. */
#define H BENCH_MIX_HEAP
#if defined(BENCH_BACKEND_RTHEAP)
#define ARENA_BYTES 16u /* rtheap uses its default heap; only the calibration needs this */
#else
#define ARENA_BYTES BENCH_MIX_HEAP
#endif
#else
#define H BENCH_HEAP_BYTES
#define ARENA_BYTES BENCH_HEAP_BYTES
#endif
/* Largest block any workload asks for: 4 KiB, or H/16 on small heaps. */
#define CAP(n) ((n) < H / 16u ? (n) : H / 16u)

#if defined(BENCH_BACKEND_HEAP4)
/* heap_4 (configAPPLICATION_ALLOCATED_HEAP) takes its heap from the array ucHeap. */
#define bench_arena ucHeap
uint8_t ucHeap[ARENA_BYTES] __attribute__((aligned(8)));
#else
static uint8_t bench_arena[ARENA_BYTES] __attribute__((aligned(8)));
#endif

/* ----------------------------------------------------------------------------------- */
/* Backends                                                                             */
/* ----------------------------------------------------------------------------------- */

#if defined(BENCH_BACKEND_RTHEAP)
#include "rtheap.h"
#define BENCH_NAME "rtheap"
static rtheap_t *g_heap;
static void be_init(void)
{
#if defined(BENCH_MIX)
    /* Built here, before any timed call: the first use of the default heap builds it
     * (or, with BENCH_DEFAULT_HEAP, tools/bench.sh --m0-workload, it is given a region of
     * that size, as small as the Cortex-M0 board's). */
#if defined(BENCH_DEFAULT_HEAP)
    static uint8_t default_region[BENCH_DEFAULT_HEAP] __attribute__((aligned(8)));
    g_heap = rtheap_default_init(default_region, sizeof default_region);
#else
    g_heap = rtheap_default();
#endif
#else
    g_heap = rtheap_init(bench_arena, sizeof bench_arena);
#endif
    if (g_heap == NULL) {
        semihost_puts("I error=rtheap_init");
        semihost_exit(2);
    }
}
#define BE_ALLOC(n) rtheap_alloc(g_heap, (n))
#define BE_FREE(p) rtheap_free(g_heap, (p))
#define BE_REALLOC(p, n) rtheap_realloc(g_heap, (p), (n))
#define BE_MEMALIGN(a, n) rtheap_alloc_aligned(g_heap, (n), (a))
#define EM_ALLOC(n) empty_alloc2(g_heap, (n))
#define EM_FREE(p) empty_free2(g_heap, (p))
#define EM_REALLOC(p, n) empty_realloc3(g_heap, (p), (n))
#define EM_MEMALIGN(a, n) empty_memalign3(g_heap, (n), (a))

#elif defined(BENCH_BACKEND_PEER)
/* o1heap / tlsf / heap_4 through their wrappers (bench/peers/). */
#include "peer.h"
#ifndef BENCH_NAME
#define BENCH_NAME "peer"
#endif
#define BENCH_HINTS 1
static void be_init(void)
{
    peer_init(bench_arena, sizeof bench_arena);
}
#define BE_ALLOC(n) peer_malloc(n)
#define BE_FREE(p) peer_free(p)
#define BE_REALLOC(p, n) peer_realloc((p), (n))
#define BE_MEMALIGN(a, n) peer_memalign((a), (n))
#define EM_ALLOC(n) empty_alloc1(n)
#define EM_FREE(p) empty_free1(p)
#define EM_REALLOC(p, n) empty_realloc2((p), (n))
#define EM_MEMALIGN(a, n) empty_memalign2((a), (n))

#elif defined(BENCH_BACKEND_LIBC)
/* picolibc / newlib / newlib-nano: the C library's malloc over the same fixed arena,
 * handed out by sbrk (picolibc) / _sbrk (newlib). */
#ifndef BENCH_NAME
#define BENCH_NAME "libc"
#endif
void *malloc(size_t n);
void free(void *p);
void *realloc(void *p, size_t n);
void *memalign(size_t align, size_t n);
void *sbrk(ptrdiff_t incr);
void *_sbrk(ptrdiff_t incr);
#if !defined(BENCH_HOST)
static uint8_t *g_brk = bench_arena;
void *sbrk(ptrdiff_t incr)
{
    uint8_t *old = g_brk;
    if (incr > (uint8_t *)bench_arena + sizeof bench_arena - old ||
        incr < (uint8_t *)bench_arena - old) {
        return (void *)-1;
    }
    g_brk = old + incr;
    return old;
}
void *_sbrk(ptrdiff_t incr)
{
    return sbrk(incr);
}
#endif
#if defined(BENCH_PICOLIBC)
/* picolibc keeps errno in TLS: give it a thread pointer (only errno lives there). */
static uint8_t bench_tls[256] __attribute__((aligned(8), used));
__attribute__((naked)) void *__aeabi_read_tp(void);
__attribute__((naked)) void *__aeabi_read_tp(void)
{
    __asm__ volatile("ldr r0, 1f\n\tbx lr\n\t.align 2\n1:\t.word bench_tls\n");
}
#endif
static void be_init(void)
{
}
#define BE_ALLOC(n) malloc(n)
#define BE_FREE(p) free(p)
#define BE_REALLOC(p, n) realloc((p), (n))
#define BE_MEMALIGN(a, n) memalign((a), (n))
#define EM_ALLOC(n) empty_alloc1(n)
#define EM_FREE(p) empty_free1(p)
#define EM_REALLOC(p, n) empty_realloc2((p), (n))
#define EM_MEMALIGN(a, n) empty_memalign2((a), (n))

#elif defined(BENCH_BACKEND_NONE)
/* No allocator: the baseline for the code and RAM size deltas. */
#define BENCH_NAME "none"
static void be_init(void)
{
}
#define BE_ALLOC(n) empty_alloc1(n)
#define BE_FREE(p) empty_free1(p)
#define BE_REALLOC(p, n) empty_realloc2((p), (n))
#define BE_MEMALIGN(a, n) empty_memalign2((a), (n))
#define EM_ALLOC(n) empty_alloc1(n)
#define EM_FREE(p) empty_free1(p)
#define EM_REALLOC(p, n) empty_realloc2((p), (n))
#define EM_MEMALIGN(a, n) empty_memalign2((a), (n))
#else
#error "define one BENCH_BACKEND_*"
#endif

#ifndef BENCH_HINTS
#define BENCH_HINTS 0
#endif
#if !BENCH_HINTS
static size_t peer_hint_align, peer_hint_old; /* only the peers read them */
#endif

/* The five __rust_* entry points (mix firmware): every backend but none defines them
 * (src/rtheap_rust.c, bench/libc_rust.c, bench/peers/). */
#if defined(BENCH_BACKEND_NONE)
#define RU_ALLOC(n, a) empty_ralloc2((n), (a))
#define RU_FREE(p, o, a) empty_rfree3((p), (o), (a))
#define RU_REALLOC(p, o, n, a) empty_rrealloc4((p), (o), (n), (a))
#define RU_INPLACE(p, o, n, a) empty_rinplace4((p), (o), (n), (a))
#else
void *__rust_allocate(size_t size, size_t align);
void __rust_deallocate(void *ptr, size_t old_size, size_t align);
void *__rust_reallocate(void *ptr, size_t old_size, size_t size, size_t align);
size_t __rust_reallocate_inplace(void *ptr, size_t old_size, size_t size, size_t align);
#define RU_ALLOC(n, a) __rust_allocate((n), (a))
#define RU_FREE(p, o, a) __rust_deallocate((p), (o), (a))
#define RU_REALLOC(p, o, n, a) __rust_reallocate((p), (o), (n), (a))
#define RU_INPLACE(p, o, n, a) __rust_reallocate_inplace((p), (o), (n), (a))
#endif

/* ----------------------------------------------------------------------------------- */
/* SysTick and the timed wrappers                                                       */
/* ----------------------------------------------------------------------------------- */

#if defined(BENCH_HOST)
static volatile uint32_t host_systick[3];
#define SYST_CSR host_systick[0]
#define SYST_RVR host_systick[1]
#define SYST_CVR host_systick[2]
#else
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#endif

static void systick_start(void)
{
    SYST_CSR = 0;
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 5u; /* enable, processor clock, no interrupt */
}

#define NOINLINE __attribute__((noinline))
#define BARRIER() __asm__ volatile("" ::: "memory")

/* Each pair of wrappers has the same shape; only the callee differs. */
#define TIMED(name, ret, params, call)                                                     \
    static NOINLINE uint32_t name params                                                   \
    {                                                                                      \
        uint32_t t0 = SYST_CVR;                                                            \
        BARRIER();                                                                         \
        *out = call;                                                                       \
        BARRIER();                                                                         \
        uint32_t t1 = SYST_CVR;                                                            \
        return (t0 - t1) & 0xFFFFFFu;                                                      \
    }

TIMED(t_alloc, void *, (void **out, size_t n), BE_ALLOC(n))
TIMED(e_alloc, void *, (void **out, size_t n), EM_ALLOC(n))
TIMED(t_realloc, void *, (void **out, void *p, size_t n), BE_REALLOC(p, n))
TIMED(e_realloc, void *, (void **out, void *p, size_t n), EM_REALLOC(p, n))
TIMED(t_memalign, void *, (void **out, size_t a, size_t n), BE_MEMALIGN(a, n))
TIMED(e_memalign, void *, (void **out, size_t a, size_t n), EM_MEMALIGN(a, n))

#if defined(BENCH_MIX)
TIMED(t_ralloc, void *, (void **out, size_t n, size_t a), RU_ALLOC(n, a))
TIMED(e_ralloc, void *, (void **out, size_t n, size_t a), empty_ralloc2(n, a))
TIMED(t_rrealloc, void *, (void **out, void *p, size_t o, size_t n, size_t a), RU_REALLOC(p, o, n, a))
TIMED(e_rrealloc, void *, (void **out, void *p, size_t o, size_t n, size_t a), empty_rrealloc4(p, o, n, a))
TIMED(t_rinplace, size_t, (size_t *out, void *p, size_t o, size_t n, size_t a), RU_INPLACE(p, o, n, a))
TIMED(e_rinplace, size_t, (size_t *out, void *p, size_t o, size_t n, size_t a), empty_rinplace4(p, o, n, a))

static NOINLINE uint32_t t_rfree(void *p, size_t o, size_t a)
{
    uint32_t t0 = SYST_CVR;
    BARRIER();
    RU_FREE(p, o, a);
    BARRIER();
    uint32_t t1 = SYST_CVR;
    return (t0 - t1) & 0xFFFFFFu;
}
static NOINLINE uint32_t e_rfree(void *p, size_t o, size_t a)
{
    uint32_t t0 = SYST_CVR;
    BARRIER();
    empty_rfree3(p, o, a);
    BARRIER();
    uint32_t t1 = SYST_CVR;
    return (t0 - t1) & 0xFFFFFFu;
}
#endif

static NOINLINE uint32_t t_free(void *p)
{
    uint32_t t0 = SYST_CVR;
    BARRIER();
    BE_FREE(p);
    BARRIER();
    uint32_t t1 = SYST_CVR;
    return (t0 - t1) & 0xFFFFFFu;
}
static NOINLINE uint32_t e_free(void *p)
{
    uint32_t t0 = SYST_CVR;
    BARRIER();
    EM_FREE(p);
    BARRIER();
    uint32_t t1 = SYST_CVR;
    return (t0 - t1) & 0xFFFFFFu;
}
static NOINLINE uint32_t e_nops(uint32_t with)
{
    uint32_t t0 = SYST_CVR;
    BARRIER();
    if (with) {
        bench_nops1000();
    } else {
        bench_nops0();
    }
    BARRIER();
    uint32_t t1 = SYST_CVR;
    return (t0 - t1) & 0xFFFFFFu;
}

/* ----------------------------------------------------------------------------------- */
/* Output                                                                               */
/* ----------------------------------------------------------------------------------- */

/* The buffered writer, where bench.c defined it before: its buffer's place fixes the
 * arenas' addresses, on which the gate's maxima of aligned requests depend. */
#include "bench_out.h"

static void out_kv(const char *k, uint32_t v)
{
    out_c(' ');
    out_s(k);
    out_c('=');
    out_u(v);
}

/* ----------------------------------------------------------------------------------- */
/* Trace state                                                                          */
/* ----------------------------------------------------------------------------------- */

static uint32_t g_rng;
static uint32_t rnd(void)
{
    /* xorshift32 */
    uint32_t x = g_rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    g_rng = x;
    return x;
}
static uint32_t uni(uint32_t lo, uint32_t hi)
{
    return lo + rnd() % (hi - lo + 1u);
}
/* Log-uniform in [lo, hi) for powers of two lo < hi (piecewise linear in each octave). */
static uint32_t logu(uint32_t lo, uint32_t hi)
{
    uint32_t octaves = 0;
    while ((lo << octaves) < hi) {
        octaves++;
    }
    uint32_t x = rnd() % (octaves * 256u);
    uint32_t base = lo << (x >> 8);
    return base + ((base * (x & 255u)) >> 8);
}

static void *g_ptr[BENCH_SLOTS];
static uint32_t g_size[BENCH_SLOTS];  /* logical size: what the trace asked for last */
static uint32_t g_real[BENCH_SLOTS];  /* size of the block the slot holds now */
static uint16_t g_align[BENCH_SLOTS]; /* its alignment (0: plain alloc) */
static uint32_t g_nslots;   /* live slots (logical: also those whose allocation failed) */
static uint32_t g_logical;  /* requested bytes of the logical live set (drives the trace) */
static uint32_t g_live;     /* requested bytes actually allocated now */
static uint32_t g_peak;     /* highest g_live */
static uint32_t g_fails;
static uint32_t g_ops;
#if defined(BENCH_MIX)
static uint32_t g_inplace_ok; /* resizes in place that grew a block (mix) */
#endif
static int g_grow;          /* growth mode: stop at the first failure, no samples */
static int g_stop;

static void sample(char kind, uint32_t ticks)
{
    if (g_grow) {
        return;
    }
    out_c(kind);
    out_u(ticks);
    out_c('\n');
}

static void note_fail(void)
{
    g_fails++;
    if (g_grow) {
        g_stop = 1;
    }
}

static void live_add(uint32_t n)
{
    g_live += n;
    if (g_live > g_peak) {
        g_peak = g_live;
    }
}

/* Allocate into slot i (i == g_nslots appends). align 0 = plain alloc. */
static void op_alloc(uint32_t i, uint32_t size, uint32_t align)
{
    void *p;
    uint32_t t = align ? t_memalign(&p, align, size) : t_alloc(&p, size);
    g_ops++;
    sample(align ? 'm' : 'a', t);
    g_ptr[i] = p;
    g_size[i] = size;
    g_real[i] = size;
    g_align[i] = (uint16_t)align;
    g_logical += size;
    if (p == NULL) {
        note_fail();
    } else {
        live_add(size);
    }
}
static void op_free_slot(uint32_t i)
{
    void *p = g_ptr[i];
    g_logical -= g_size[i];
    if (p != NULL) {
        peer_hint_align = g_align[i];
        uint32_t t = t_free(p);
        g_ops++;
        sample('f', t);
        g_live -= g_real[i];
    }
    g_ptr[i] = NULL;
}
/* Free slot i and move the last slot into its place. */
static void op_free_swap(uint32_t i)
{
    op_free_slot(i);
    g_nslots--;
    g_ptr[i] = g_ptr[g_nslots];
    g_size[i] = g_size[g_nslots];
    g_real[i] = g_real[g_nslots];
    g_align[i] = g_align[g_nslots];
}
static void op_realloc(uint32_t i, uint32_t size)
{
    void *p;
    peer_hint_align = g_align[i];
    peer_hint_old = g_ptr[i] != NULL ? g_real[i] : 0u;
    uint32_t t = t_realloc(&p, g_ptr[i], size);
    g_ops++;
    sample('r', t);
    g_logical += size - g_size[i];
    if (p == NULL) {
        note_fail();
    } else {
        if (g_ptr[i] != NULL) {
            g_live -= g_real[i];
        }
        live_add(size);
        g_ptr[i] = p;
        g_real[i] = size;
    }
    g_size[i] = size; /* logical size: the trace goes on identically */
}

static uint32_t target_live(void)
{
    return H / 2u; /* timed traces keep the logical live set at about half the heap */
}
/* Alloc with probability pct (percent) while under the live target and slots remain. */
static int want_alloc(uint32_t pct)
{
    uint32_t r = rnd() % 100u;
    if (g_nslots == 0) {
        return 1;
    }
    if (g_nslots >= BENCH_SLOTS - 8u) {
        return 0;
    }
    if (!g_grow && g_logical >= target_live()) {
        return 0;
    }
    return r < pct;
}

/* ----------------------------------------------------------------------------------- */
/* Workloads                                                                            */
/* ----------------------------------------------------------------------------------- */

static uint32_t steps(void)
{
    return g_grow ? 0xFFFFFFFFu : BENCH_OPS;
}

/* Random sizes with random frees. kind 0: uniform 8-256 B; 1: log-uniform 16 B-4 KiB;
 * 2: aligned (16-1024 B aligned to 16-1024). */
static void wl_random(int kind)
{
    uint32_t pct = g_grow ? 70u : 60u;
    for (uint32_t s = 0; s < steps() && !g_stop; s++) {
        if (g_grow && g_nslots >= BENCH_SLOTS - 8u) {
            out_s("I slots_exhausted=1\n");
            break;
        }
        if (want_alloc(pct)) {
            if (kind == 0) {
                op_alloc(g_nslots++, uni(8, 256), 0);
            } else if (kind == 1) {
                op_alloc(g_nslots++, logu(16, CAP(4096u)), 0);
            } else {
                uint32_t align = 16u << (rnd() % 7u);
                if (align > CAP(1024u)) {
                    align = CAP(1024u);
                }
                op_alloc(g_nslots++, uni(16, CAP(1024u)), align);
            }
        } else {
            op_free_swap(rnd() % g_nslots);
        }
    }
}

/* FIFO of message buffers (32-512 B): enqueue at the tail, dequeue the oldest. */
static void wl_fifo(void)
{
    uint32_t head = 0, tail = 0; /* ring over the slots */
    uint32_t pct = g_grow ? 70u : 55u;
    for (uint32_t s = 0; s < steps() && !g_stop; s++) {
        uint32_t r = rnd() % 100u;
        uint32_t n = tail - head;
        int enq = n == 0 || (n < BENCH_SLOTS - 8u && (g_grow || g_logical < target_live()) && r < pct);
        if (g_grow && n >= BENCH_SLOTS - 8u) {
            out_s("I slots_exhausted=1\n");
            break;
        }
        if (enq) {
            op_alloc(tail % BENCH_SLOTS, uni(32, CAP(512u)), 0);
            tail++;
        } else {
            op_free_slot(head % BENCH_SLOTS);
            head++;
        }
    }
}

/* Realloc growth: 4 vectors doubling from 16 B up to 4 KiB, mixed with small (8-64 B)
 * allocations and random frees. Timed: a vector at the cap is freed and restarts; growth:
 * it is kept (the live set keeps growing) and a new vector starts. Vectors live in slots
 * 0..3; the small blocks follow. */
#define NVEC 4u
static void wl_realloc(void)
{
    g_nslots = NVEC;
    for (uint32_t v = 0; v < NVEC; v++) {
        g_ptr[v] = NULL;
        g_size[v] = 0;
    }
    for (uint32_t s = 0; s < steps() && !g_stop; s++) {
        if (g_nslots >= BENCH_SLOTS - 8u) {
            if (g_grow) {
                out_s("I slots_exhausted=1\n");
                break;
            }
        }
        uint32_t r = rnd() % 100u;
        if (r < 25u) {
            uint32_t v = rnd() % NVEC;
            if (g_size[v] == 0) {
                op_alloc(v, 16, 0);
            } else if (g_size[v] * 2u > CAP(4096u)) {
                if (g_grow) {
                    /* retire: keep it live as an ordinary slot, start a new vector */
                    g_ptr[g_nslots] = g_ptr[v];
                    g_size[g_nslots] = g_size[v];
                    g_real[g_nslots] = g_real[v];
                    g_align[g_nslots] = g_align[v];
                    g_nslots++;
                    g_ptr[v] = NULL;
                    g_size[v] = 0;
                } else {
                    op_free_slot(v);
                    g_size[v] = 0;
                }
            } else {
                op_realloc(v, g_size[v] * 2u);
            }
        } else {
            uint32_t pct = g_grow ? 70u : 55u;
            uint32_t r2 = rnd() % 100u;
            int alloc = g_nslots == NVEC ||
                        (g_nslots < BENCH_SLOTS - 8u && (g_grow || g_logical < target_live()) && r2 < pct);
            if (alloc) {
                op_alloc(g_nslots++, uni(8, 64), 0);
            } else {
                op_free_swap(NVEC + rnd() % (g_nslots - NVEC));
            }
        }
    }
}

/* Adversarial: (1) a fresh heap, small requests (deepest bitmap search + split for
 * TLSF); (2) pairs of 8 B blocks up to 40% of the heap in payload (~80% in blocks); (3) every first block of a pair
 * freed, in address order: a free list of hundreds of unmergeable blocks; (4) rounds of a
 * 600 B request (fits none of them: linear allocators walk the whole list, TLSF searches
 * up to the top block and splits), an 8 B request (fits a freed 8 B block: no search), an aligned 512/512 request, and frees
 * of a pair's second block (merges with free blocks on both sides) and of the new blocks
 * at the top (end of an address-ordered list). */
static void wl_adversarial(void)
{
    uint32_t pairs = 0;
    op_alloc(g_nslots++, 8, 0);
    op_free_swap(0);
    while (g_logical < (H * 2u) / 5u && g_nslots + 16u < BENCH_SLOTS) {
        op_alloc(g_nslots++, 8, 0);
        op_alloc(g_nslots++, 8, 0);
        pairs++;
    }
    for (uint32_t i = 0; i < pairs; i++) {
        op_free_slot(2u * i);
    }
    uint32_t base = g_nslots; /* slots base..base+2 are reused every round */
    for (uint32_t k = 0; k < 64u && !g_stop; k++) {
        op_alloc(base + 0u, 600, 0);
        op_alloc(base + 1u, 8, 0);
        op_alloc(base + 2u, 512, 512);
        uint32_t j = 1u + rnd() % (pairs - 2u);
        if (g_ptr[2u * j + 1u] != NULL) {
            op_free_slot(2u * j + 1u);
        }
        op_free_slot(base + 2u);
        op_free_slot(base + 0u);
        /* the 8 B block stays: the list keeps changing */
        g_ptr[base + 1u] = NULL;
    }
}

#if defined(BENCH_MIX)
/* The issue-13 mix through the five __rust_* entry points: alloc 42 %, free 38 %,
 * realloc 15 %, resize in place 5 %; sizes 8-1024 B log-uniform (at most H/16 on small
 * heaps); alignment 1-8 for 90 % of the allocations, 16-256 for the rest; a reallocation
 * keeps the block's alignment. An alloc drawn while the logical live set is at half the
 * arena (or the slots are full) frees instead; a free, realloc or resize drawn with no
 * live slot allocates. A slot whose allocation failed is never passed back (as Rust
 * would not), so every allocator sees the same sequence of requests. */
static uint32_t mix_size(void)
{
    return logu(8, CAP(1024u));
}
static uint32_t mix_align(void)
{
    uint32_t r = rnd();
    return (r % 100u) < 90u ? 1u << ((r >> 8) % 4u) : 16u << ((r >> 8) % 5u);
}
static void mx_alloc(void)
{
    uint32_t size = mix_size();
    uint32_t align = mix_align();
    uint32_t i = g_nslots++;
    void *p;
    uint32_t t = t_ralloc(&p, size, align);
    g_ops++;
    sample(align <= 8u ? 'A' : 'B', t);
    g_ptr[i] = p;
    g_size[i] = size;
    g_real[i] = size;
    g_align[i] = (uint16_t)align;
    g_logical += size;
    if (p == NULL) {
        note_fail();
    } else {
        live_add(size);
    }
}
static void mx_free(uint32_t i)
{
    void *p = g_ptr[i];
    g_logical -= g_size[i];
    if (p != NULL) {
        uint32_t t = t_rfree(p, g_real[i], g_align[i]);
        g_ops++;
        sample('D', t);
        g_live -= g_real[i];
    }
    g_nslots--;
    g_ptr[i] = g_ptr[g_nslots];
    g_size[i] = g_size[g_nslots];
    g_real[i] = g_real[g_nslots];
    g_align[i] = g_align[g_nslots];
}
static void mx_realloc(uint32_t i, uint32_t size)
{
    g_logical += size - g_size[i];
    g_size[i] = size;
    if (g_ptr[i] == NULL) {
        return;
    }
    void *p;
    uint32_t t = t_rrealloc(&p, g_ptr[i], g_real[i], size, g_align[i]);
    g_ops++;
    sample('R', t);
    if (p == NULL) {
        note_fail();
        return;
    }
    g_live -= g_real[i];
    live_add(size);
    g_ptr[i] = p;
    g_real[i] = size;
}
static void mx_inplace(uint32_t i, uint32_t size)
{
    g_logical += size - g_size[i];
    g_size[i] = size;
    if (g_ptr[i] == NULL) {
        return;
    }
    size_t usable;
    uint32_t t = t_rinplace(&usable, g_ptr[i], g_real[i], size, g_align[i]);
    g_ops++;
    sample('P', t);
    if (usable >= size) {
        /* grows that succeeded: an allocator that cannot resize answers only shrinks */
        g_inplace_ok += size > g_real[i];
        g_live -= g_real[i];
        live_add(size);
        g_real[i] = size;
    }
}
static void wl_mix(void)
{
    for (uint32_t s = 0; s < BENCH_MIX_OPS; s++) {
        uint32_t r = rnd() % 100u;
        if (g_nslots == 0) {
            mx_alloc();
        } else if (r < 42u) {
            if (g_nslots < BENCH_SLOTS - 8u && g_logical < H / 2u) {
                mx_alloc();
            } else {
                mx_free(rnd() % g_nslots);
            }
        } else if (r < 80u) {
            mx_free(rnd() % g_nslots);
        } else if (r < 95u) {
            mx_realloc(rnd() % g_nslots, mix_size());
        } else {
            mx_inplace(rnd() % g_nslots, mix_size());
        }
    }
}
#endif

/* ----------------------------------------------------------------------------------- */
/* Info: calibration, empty-call costs, RAM                                              */
/* ----------------------------------------------------------------------------------- */

#if !defined(BENCH_HOST)
extern char __data_start[], __data_end[], __bss_start[], __bss_end[];
#endif

static uint32_t min_of(uint32_t (*fn)(void), int n)
{
    uint32_t m = 0xFFFFFFFFu;
    for (int i = 0; i < n; i++) {
        uint32_t t = fn();
        m = t < m ? t : m;
    }
    return m;
}
static uint32_t cal0(void) { return e_nops(0); }
static uint32_t cal1(void) { return e_nops(1); }
static uint32_t em_a(void) { void *p; return e_alloc(&p, 24); }
static uint32_t em_f(void) { return e_free(bench_arena); }
static uint32_t em_r(void) { void *p; return e_realloc(&p, bench_arena, 24); }
static uint32_t em_m(void) { void *p; return e_memalign(&p, 64, 24); }
#if defined(BENCH_MIX)
static uint32_t em_A(void) { void *p; return e_ralloc(&p, 24, 8); }
static uint32_t em_D(void) { return e_rfree(bench_arena, 24, 8); }
static uint32_t em_R(void) { void *p; return e_rrealloc(&p, bench_arena, 24, 48, 8); }
static uint32_t em_P(void) { size_t u; return e_rinplace(&u, bench_arena, 24, 48, 8); }
#endif

static void info(void)
{
    out_s("I backend=" BENCH_NAME);
    out_kv("heap", H);
    out_kv("cal0", min_of(cal0, 4));
    out_kv("cal1000", min_of(cal1, 4));
    out_kv("empty_a", min_of(em_a, 4));
    out_kv("empty_f", min_of(em_f, 4));
    out_kv("empty_r", min_of(em_r, 4));
    out_kv("empty_m", min_of(em_m, 4));
#if defined(BENCH_MIX) && defined(BENCH_BACKEND_RTHEAP)
    /* What the default heap was built from: one or two regions (RAM2). */
    rtheap_stats_t st;
    rtheap_get_stats(g_heap, &st);
    out_kv("regions", st.region_count);
    out_kv("heap_bytes", (uint32_t)st.heap_bytes);
#endif
#if defined(BENCH_MIX)
    out_kv("empty_A", min_of(em_A, 4));
    out_kv("empty_D", min_of(em_D, 4));
    out_kv("empty_R", min_of(em_R, 4));
    out_kv("empty_P", min_of(em_P, 4));
#endif
    out_c('\n');
}

#if !defined(BENCH_MIX)
/* RAM: the first block's offset in the arena and the address stride of equal requests. */
static void ram_info(void)
{
    void *p;
    (void)t_alloc(&p, 8);
    out_s("I ram");
    out_kv("first_offset", p ? (uint32_t)((uint8_t *)p - bench_arena) : 0xFFFFFFFFu);
#if !defined(BENCH_HOST)
    out_kv("static_data_bss", (uint32_t)(__data_end - __data_start) + (uint32_t)(__bss_end - __bss_start) -
                                  (uint32_t)sizeof bench_arena - (uint32_t)sizeof g_ptr -
                                  (uint32_t)sizeof g_size - (uint32_t)sizeof g_real -
                                  (uint32_t)sizeof g_align);
#endif
    static const uint32_t sizes[] = {8, 24, 100, 1000};
    for (uint32_t k = 0; k < 4; k++) {
        void *first = NULL, *last = NULL;
        for (uint32_t i = 0; i < 16; i++) {
            (void)t_alloc(&last, sizes[k]);
            if (i == 0) {
                first = last;
            }
        }
        int32_t d = (int32_t)((uint8_t *)last - (uint8_t *)first);
        if (d < 0) {
            d = -d;
        }
        char key[16] = "stride";
        uint32_t v = sizes[k], n = 6, tmp = v, digits = 0;
        do {
            digits++;
            tmp /= 10u;
        } while (tmp);
        for (uint32_t q = digits; q > 0; q--) {
            key[n + q - 1u] = (char)('0' + v % 10u);
            v /= 10u;
        }
        key[n + digits] = '\0';
        out_kv(key, first && last ? (uint32_t)d / 15u : 0xFFFFFFFFu);
    }
    out_c('\n');
}
#endif

/* ----------------------------------------------------------------------------------- */
/* main                                                                                 */
/* ----------------------------------------------------------------------------------- */

#if !defined(BENCH_HOST)
#define SYS_GET_CMDLINE 0x15u
static uintptr_t sh_call(uintptr_t op, void *arg)
{
    register uintptr_t r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

#endif

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static int bench_main(const char *w);
#if defined(BENCH_HOST)
int main(int argc, char **argv)
{
    return bench_main(argc > 1 ? argv[1] : "info");
}
#else
int main(void)
{
    static char cmd[128];
    struct {
        char *buf;
        uint32_t len;
    } blk = {cmd, sizeof cmd};
    const char *w = "info";
    if (sh_call(SYS_GET_CMDLINE, &blk) == 0) {
        /* the last word */
        const char *last = cmd;
        for (const char *c = cmd; *c; c++) {
            if (*c == ' ' && c[1] != '\0' && c[1] != ' ') {
                last = c + 1;
            }
        }
        w = last;
    }
    return bench_main(w);
}
#endif

static int bench_main(const char *w)
{
    int grow = 0;
    if (w[0] == 'g' && w[1] == ':') {
        grow = 1;
        w += 2;
    }
    systick_start();
    be_init();
    g_rng = 0x2545F491u;
    for (const char *c = w; *c; c++) {
        g_rng = (g_rng ^ (uint8_t)*c) * 0x01000193u;
    }
    if (g_rng == 0) {
        g_rng = 1;
    }
    g_grow = grow;
    if (streq(w, "info")) {
        info();
#if !defined(BENCH_MIX)
        ram_info();
#endif
        out_flush();
        return 0;
    }
    if (!grow) {
        out_s("W ");
        out_s(w);
        out_c('\n');
    }
#if defined(BENCH_MIX)
    if (streq(w, "mix")) {
        wl_mix();
    } else
#endif
    if (streq(w, "small")) {
        wl_random(0);
    } else if (streq(w, "logu")) {
        wl_random(1);
    } else if (streq(w, "aligned")) {
        wl_random(2);
    } else if (streq(w, "fifo")) {
        wl_fifo();
    } else if (streq(w, "realloc")) {
        wl_realloc();
    } else if (streq(w, "adversarial")) {
        wl_adversarial();
    } else {
        out_s("I error=unknown_workload\n");
        out_flush();
        return 2;
    }
    out_s(grow ? "U " : "E ");
    out_s(w);
    out_kv("ops", g_ops);
    out_kv("fails", g_fails);
    out_kv("peak", g_peak);
    out_kv("heap", H);
#if defined(BENCH_MIX)
    out_kv("inplace_grown", g_inplace_ok);
    out_kv("live_end", g_nslots);
#endif
    out_c('\n');
    out_flush();
    return 0;
}
