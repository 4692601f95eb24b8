/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The worst-case driver (tools/wcet --drive): firmware that builds, for each entry point,
 * the heap states that drive the paths the bound analysis names as longest, and measures
 * each call in instructions under QEMU -icount, the way bench/bench.c does (SysTick
 * counts instructions; a run of 1000 NOPs calibrates ticks per instruction; the same
 * timed wrapper around an empty function gives the cost to subtract).
 *
 * The paths (docs/wcet.md): every block the call looks at lies in the last of four
 * regions (each region check scans the region table), the free-list links it checks
 * lead into that region too, merges take both neighbours out of lists where they have a
 * predecessor and a successor, bitmaps change; with damage: list heads met by the
 * search are damaged, round after round, neighbours of a freed block are damaged.
 *
 * One heap of four regions over static arenas serves every front end: the C API on it
 * directly, the __rust_* entry points and the malloc family on it as the default heap
 * (rtheap_default_init() on the first arena, the same address after each rebuild), and
 * the FreeRTOS heap (vPortDefineHeapRegions() over the same arenas).
 *
 * Output (semihosting console), read by tools/wcet/drive.py:
 *   C <cal0> <cal1000> <empty>            calibration: ticks of 0 and 1000 NOPs, of the
 *                                         empty call
 *   D <entry> <sound|any> <bytes> <ticks> one measured call: its entry point, whether the
 *                                         heap was sound or damaged, the bytes it copied
 *                                         or zeroed, the ticks of the timed wrapper
 *   F <what>                              a check failed (the run exits 1)
 *   E <calls>                             the end
 * Every scenario checks that the call did what the path needs (the block it returned,
 * the damage it reported), so that a changed heap cannot make it measure another path.
 */
#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>

#include "rtheap.h"
#include "semihost.h"
#include "bench_out.h"
#if WCET_FREERTOS
#include "FreeRTOS.h"
#include "rtheap_freertos.h"
#endif

/* The malloc family's names the C library declares only in some modes. */
void *reallocarray(void *ptr, size_t count, size_t size);
void *reallocf(void *ptr, size_t size);
void *valloc(size_t size);
void *pvalloc(size_t size);
void cfree(void *ptr);
int getpagesize(void);

#define NOINLINE __attribute__((noinline))
#define BARRIER() __asm__ volatile("" ::: "memory")
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

/* ----------------------------------------------------------------------------------- */
/* Output                                                                               */
/* ----------------------------------------------------------------------------------- */

static uint32_t g_failed;
static uint32_t g_calls;

static void fail(const char *scenario, const char *what)
{
    out_s("F ");
    out_s(scenario);
    out_s(": ");
    out_s(what);
    out_c('\n');
    out_flush();
    g_failed++;
}

/* ----------------------------------------------------------------------------------- */
/* Timing                                                                               */
/* ----------------------------------------------------------------------------------- */

/* Every entry point is called through one pointer type: all their arguments are words
 * passed in r0-r3 (AAPCS), extra ones are ignored, and the wrapper is the same code for
 * every call, so that subtracting the empty call's ticks leaves the callee's own. */
typedef uintptr_t (*call4_t)(uintptr_t, uintptr_t, uintptr_t, uintptr_t);
#define FN(f) ((call4_t)(void (*)(void))(f))
#define W(x) ((uintptr_t)(x))

NOINLINE uintptr_t wcet_empty(uintptr_t a, uintptr_t b, uintptr_t c, uintptr_t d);
NOINLINE uintptr_t wcet_empty(uintptr_t a, uintptr_t b, uintptr_t c, uintptr_t d)
{
    (void)a, (void)b, (void)c, (void)d;
    return 0;
}

NOINLINE uintptr_t wcet_nops0(uintptr_t a, uintptr_t b, uintptr_t c, uintptr_t d);
NOINLINE uintptr_t wcet_nops0(uintptr_t a, uintptr_t b, uintptr_t c, uintptr_t d)
{
    (void)a, (void)b, (void)c, (void)d;
    return 0;
}

NOINLINE uintptr_t wcet_nops1000(uintptr_t a, uintptr_t b, uintptr_t c, uintptr_t d);
NOINLINE uintptr_t wcet_nops1000(uintptr_t a, uintptr_t b, uintptr_t c, uintptr_t d)
{
    (void)a, (void)b, (void)c, (void)d;
    __asm__ volatile(".rept 1000\n\tnop\n\t.endr");
    return 0;
}

static uintptr_t g_ret;

static NOINLINE uint32_t timed(call4_t f, uintptr_t a, uintptr_t b, uintptr_t c, uintptr_t d)
{
    uint32_t t0 = SYST_CVR;
    BARRIER();
    uintptr_t r = f(a, b, c, d);
    BARRIER();
    uint32_t t1 = SYST_CVR;
    g_ret = r;
    return (t0 - t1) & 0xFFFFFFu;
}

static void systick_start(void)
{
    SYST_CSR = 0;
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 5u; /* enable, processor clock, no interrupt */
}

/* Calls `entry` (named as the analysis names it) and prints its ticks; returns what it
 * returned. `sound`: the heap holds no damage (compared with the sound-heap bound);
 * `bytes`: the bytes the call copies or zeroes (its bound's parameter). */
static uintptr_t measure(const char *entry, int sound, uint32_t bytes, call4_t f, uintptr_t a,
                         uintptr_t b, uintptr_t c, uintptr_t d)
{
    uint32_t t = timed(f, a, b, c, d);
    out_s("D ");
    out_s(entry);
    out_s(sound ? " sound " : " any ");
    out_u(bytes);
    out_c(' ');
    out_u(t);
    out_c('\n');
    g_calls++;
    return g_ret;
}

/* ----------------------------------------------------------------------------------- */
/* The heap: four regions over static arenas                                           */
/* ----------------------------------------------------------------------------------- */

#define NREG 4
/* The first region holds the control structure; the last one the blocks the paths
 * visit (the region checks scan the table up to it). */
#define A0_BYTES 1536u
#define A1_BYTES 128u
#define A2_BYTES 128u
#define A3_BYTES 4608u
static uint8_t g_a0[A0_BYTES] __attribute__((aligned(8)));
static uint8_t g_a1[A1_BYTES] __attribute__((aligned(8)));
static uint8_t g_a2[A2_BYTES] __attribute__((aligned(8)));
static uint8_t g_a3[A3_BYTES] __attribute__((aligned(8)));
static uint8_t *const g_arena[NREG] = {g_a0, g_a1, g_a2, g_a3};
static const size_t g_arena_bytes[NREG] = {A0_BYTES, A1_BYTES, A2_BYTES, A3_BYTES};

/* Front ends: the C API; the __rust_* entry points and the malloc family (on the default
 * heap); the FreeRTOS heap. */
enum { FE_C, FE_RUST, FE_LIBC, FE_RTOS };

static rtheap_t *g_heap;
static const char *g_sc; /* the scenario running, for failure messages */

/* Builds the four-region heap afresh for front end fe; NULL (reported) on failure. */
static rtheap_t *build(int fe)
{
    rtheap_t *h = NULL;
#if WCET_FREERTOS
    if (fe == FE_RTOS) {
        vPortHeapResetState();
        HeapRegion_t r[NREG + 1];
        for (int i = 0; i < NREG; i++) {
            r[i].pucStartAddress = g_arena[i];
            r[i].xSizeInBytes = g_arena_bytes[i];
        }
        r[NREG].pucStartAddress = NULL;
        r[NREG].xSizeInBytes = 0;
        vPortDefineHeapRegions(r);
        h = rtheap_freertos_heap();
    } else
#endif
    {
        /* The index covers the last region: it is not cut into chunks. */
        h = rtheap_init_for(g_a0, A0_BYTES, A3_BYTES);
        for (int i = 1; h != NULL && i < NREG; i++) {
            if (!rtheap_add_region(h, g_arena[i], g_arena_bytes[i])) {
                h = NULL;
            }
        }
        /* The default heap was built on the same first arena: the same address. */
        if (h != NULL && (fe == FE_RUST || fe == FE_LIBC) && h != rtheap_default()) {
            h = NULL;
        }
    }
    if (h == NULL) {
        fail(g_sc, "building the heap");
        return NULL;
    }
    g_heap = h;
    return h;
}

/* The used 16-byte blocks of the last region, by address (after fill()). */
#define MAXB 300
static void *g_blk[MAXB];
static uint32_t g_nblk;

static bool collect_last(const rtheap_block_info_t *b, void *user)
{
    (void)user;
    if (b->used && b->region == NREG - 1 && b->size == 12u && g_nblk < MAXB) {
        g_blk[g_nblk++] = b->ptr;
    }
    return true;
}

/* Every byte of the heap in 16-byte blocks (the smallest): then any run of them can be
 * freed into one free block of a chosen place and size (area()). */
static int fill(void)
{
    while (rtheap_alloc(g_heap, 12) != NULL) {
    }
    rtheap_stats_t st;
    g_nblk = 0;
    (void)rtheap_walk(g_heap, collect_last, NULL);
    if (!rtheap_get_stats(g_heap, &st) || st.largest_guaranteed != 0 || g_nblk < 200) {
        fail(g_sc, "filling the heap");
        return 0;
    }
    return 1;
}

/* Frees the 16-byte blocks [first, first + n) of the last region (one free block of
 * 2n granules), then allocates blocks of the given granules from it, in order (each is
 * carved from its front: it is the only free block). The sizes add up to 2n. */
static int area16(uint32_t first, uint32_t n, const uint16_t *gran, uint32_t count,
                  void **out);

static int area(uint32_t first, uint32_t n, const uint8_t *gran, uint32_t count, void **out)
{
    uint16_t g[48];
    if (count > 48) {
        fail(g_sc, "area(): too many blocks");
        return 0;
    }
    for (uint32_t i = 0; i < count; i++) {
        g[i] = gran[i];
    }
    return area16(first, n, g, count, out);
}

static int area16(uint32_t first, uint32_t n, const uint16_t *gran, uint32_t count,
                  void **out)
{
    uint32_t total = 0;
    for (uint32_t i = 0; i < count; i++) {
        total += gran[i];
    }
    if (first + n > g_nblk || total != 2u * n) {
        fail(g_sc, "area() out of the last region");
        return 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        rtheap_free(g_heap, g_blk[first + i]);
    }
    uint8_t *at = (uint8_t *)g_blk[first];
    for (uint32_t i = 0; i < count; i++) {
        void *p = rtheap_alloc(g_heap, gran[i] * 8u - 4u);
        if (p != at) {
            fail(g_sc, "area(): a block not where it was meant");
            return 0;
        }
        out[i] = p;
        at += gran[i] * 8u;
    }
    return 1;
}

#define PAYLOAD(g) ((size_t)(g) * 8u - 4u)

/* The free-list links of a free block, at the start of its payload. */
static void **links(void *p)
{
    return (void **)p;
}

/* ----------------------------------------------------------------------------------- */
/* Operations: one entry point each, with the arguments it takes                       */
/* ----------------------------------------------------------------------------------- */

/* How an entry point takes (heap, pointer, old size, size, alignment). */
enum form { HN, H1N, N, NA, HNA, AN, QAN, HP, P, PO8, HPN, HPON, HPN8, PON8, PN, P1N, ON, HPNA,
             PONA };

struct op {
    const char *entry;
    int fe;
    call4_t fn;
    enum form form;
};

static void *g_q; /* posix_memalign's result */

static uintptr_t run(const struct op *o, int sound, uint32_t bytes, void *p, size_t old,
                     size_t n, size_t a)
{
    uintptr_t h = W(g_heap), q = W(&g_q);
    uintptr_t x[4] = {0, 0, 0, 0};
    switch (o->form) {
    case HN: x[0] = h, x[1] = n; break;
    case H1N: x[0] = h, x[1] = 1, x[2] = n; break;
    case N: x[0] = n; break;
    case NA: x[0] = n, x[1] = a; break;
    case HNA: x[0] = h, x[1] = n, x[2] = a; break;
    case AN: x[0] = a, x[1] = n; break;
    case QAN: x[0] = q, x[1] = a, x[2] = n; break;
    case HP: x[0] = h, x[1] = W(p); break;
    case P: x[0] = W(p); break;
    case PO8: x[0] = W(p), x[1] = old, x[2] = 8; break;
    case HPN: x[0] = h, x[1] = W(p), x[2] = n; break;
    case HPON: x[0] = h, x[1] = W(p), x[2] = old, x[3] = n; break;
    case HPN8: x[0] = h, x[1] = W(p), x[2] = n, x[3] = 8; break;
    case PON8: x[0] = W(p), x[1] = old, x[2] = n, x[3] = 8; break;
    case PN: x[0] = W(p), x[1] = n; break;
    case P1N: x[0] = W(p), x[1] = 1, x[2] = n; break;
    case ON: x[0] = 1, x[1] = n; break;
    case HPNA: x[0] = h, x[1] = W(p), x[2] = n, x[3] = a; break;
    case PONA: x[0] = W(p), x[1] = old, x[2] = n, x[3] = a; break;
    }
    uintptr_t r = measure(o->entry, sound, bytes, o->fn, x[0], x[1], x[2], x[3]);
    if (o->form == QAN) {
        r = r == 0 ? W(g_q) : 0;
    }
    return r;
}

#define OP(name, fe, form) {#name, fe, FN(name), form}
#define NOPS(t) (sizeof t / sizeof t[0])

static const struct op ALLOC[] = {
    OP(rtheap_alloc, FE_C, HN), OP(__rust_allocate, FE_RUST, NA), OP(malloc, FE_LIBC, N),
#if WCET_FREERTOS
    OP(pvPortMalloc, FE_RTOS, N),
#endif
};
static const struct op FREE[] = {
    OP(rtheap_free, FE_C, HP), OP(__rust_deallocate, FE_RUST, PO8), OP(free, FE_LIBC, P),
    OP(cfree, FE_LIBC, P),
#if WCET_FREERTOS
    OP(vPortFree, FE_RTOS, P),
#endif
};
static const struct op ALIGNED[] = {
    OP(rtheap_alloc_aligned, FE_C, HNA), OP(__rust_allocate, FE_RUST, NA),
    OP(memalign, FE_LIBC, AN), OP(aligned_alloc, FE_LIBC, AN), OP(posix_memalign, FE_LIBC, QAN),
};
static const struct op REALLOC[] = {
    OP(rtheap_realloc, FE_C, HPN), OP(rtheap_realloc_sized, FE_C, HPON),
    OP(rtheap_realloc_aligned, FE_C, HPN8), OP(__rust_reallocate, FE_RUST, PON8),
    OP(realloc, FE_LIBC, PN), OP(reallocarray, FE_LIBC, P1N), OP(reallocf, FE_LIBC, PN),
};
static const struct op REALLOC_ALIGNED[] = {
    OP(rtheap_realloc_aligned, FE_C, HPNA), OP(__rust_reallocate, FE_RUST, PONA),
};
static const struct op RESIZE[] = {
    OP(rtheap_resize_in_place, FE_C, HPN), OP(__rust_reallocate_inplace, FE_RUST, PON8),
};
static const struct op CALLOC[] = {
    OP(rtheap_calloc, FE_C, H1N), OP(calloc, FE_LIBC, ON),
#if WCET_FREERTOS
    OP(pvPortCalloc, FE_RTOS, ON),
#endif
};
static const struct op USABLE[] = {
    OP(rtheap_usable_size, FE_C, HP), OP(malloc_usable_size, FE_LIBC, P),
};
static const struct op STATS[] = {
    OP(rtheap_get_stats, FE_C, HP),
#if WCET_FREERTOS
    OP(xPortGetFreeHeapSize, FE_RTOS, N), OP(xPortGetMinimumEverFreeHeapSize, FE_RTOS, N),
#endif
};

/* ----------------------------------------------------------------------------------- */
/* Scenarios on a sound heap                                                            */
/* ----------------------------------------------------------------------------------- */

/*
 * The first fit in the request's own class: no list that guarantees the size has a
 * block, so the search falls back on the head of the request's own class, which lies in
 * the last region with a successor there (both checks scan the region table), fits, and
 * leaves a rest of another class, pushed onto an empty list (bitmaps set).
 * Blocks of FIT_G granules (class 256-271: 256 granules and more, so that without CLZ
 * the class is computed, not looked up in RTHEAP_CLASS_TABLE's table); the request
 * FIT_T granules (rounded up: the class above, empty); rest 2 granules. Returns the
 * block it took.
 */
#define FIT_G 259u
#define FIT_T 257u

static void *shape_first_fit(uint32_t pattern)
{
    static const uint16_t gran[] = {FIT_G, 2, FIT_G, 2};
    void *b[4];
    if (!fill() || !area16(0, FIT_G + 2u, gran, 4, b)) {
        return NULL;
    }
    uint32_t *w = (uint32_t *)b[0];
    for (uint32_t i = 0; i < PAYLOAD(FIT_G) / 4u; i++) {
        w[i] = pattern; /* (calloc: bytes it must zero) */
    }
    rtheap_free(g_heap, b[2]); /* the successor */
    rtheap_free(g_heap, b[0]); /* the head */
    return b[0];
}

static void sc_alloc(const struct op *o)
{
    g_sc = "alloc";
    if (build(o->fe) == NULL) {
        return;
    }
    void *b = shape_first_fit(0);
    if (b != NULL && run(o, 1, 0, NULL, 0, PAYLOAD(FIT_T), 8) != W(b)) {
        fail(g_sc, o->entry);
    }
}

/* The same, the head without a successor: its list empties (bitmaps cleared). */
static void sc_alloc_alone(const struct op *o)
{
    static const uint16_t gran[] = {FIT_G, 3};
    void *b[2];
    g_sc = "alloc_alone";
    if (build(o->fe) == NULL || !fill() || !area16(0, (FIT_G + 3u) / 2u, gran, 2, b)) {
        return;
    }
    rtheap_free(g_heap, b[0]);
    if (run(o, 1, 0, NULL, 0, PAYLOAD(FIT_T), 8) != W(b[0])) {
        fail(g_sc, o->entry);
    }
}

/*
 * Free of a block between two free neighbours, each in the middle of its list (a
 * predecessor and a successor, all in the last region): both are unlinked with every
 * link checked, merged, and the merged block goes onto an empty list.
 * 16-byte blocks b0..b13 of the last region: free b1, b5 (the successor), b9, b3 (the
 * predecessor's neighbour), b13: the list of 2 granules is b13 b3 b9 b5 b1; then free
 * b4: its neighbours are b3 (before) and b5 (after).
 */
static void sc_free(const struct op *o)
{
    static const uint8_t order[] = {1, 5, 9, 3, 13};
    g_sc = "free";
    if (build(o->fe) == NULL || !fill()) {
        return;
    }
    for (uint32_t i = 0; i < sizeof order; i++) {
        rtheap_free(g_heap, g_blk[order[i]]);
    }
    (void)run(o, 1, 0, g_blk[4], 12, 0, 0);
    rtheap_stats_t st;
    if (!rtheap_get_stats(g_heap, &st) || st.largest_guaranteed != PAYLOAD(6) ||
        rtheap_check(g_heap) != RTHEAP_OK || st.error_count != 0) {
        fail(g_sc, o->entry);
    }
}

/*
 * An over-aligned allocation (32) that finds no block with room for the worst gap (its
 * own class's head is too small for that), searches again for the size alone, takes the
 * same head by the first fit, and splits it three ways: a gap of 16 bytes in front (a
 * free block of its own), the block, a rest of 16 bytes (free too).
 * Blocks of 261 granules (class 256-271, computed without CLZ as in shape_first_fit);
 * the request 257 granules, with the worst gap 262 (the same class: the first fit
 * fails); the block's address leaves a gap of 2 granules for 32-byte alignment.
 */
static void sc_aligned(const struct op *o)
{
    uint16_t gran[] = {2, 261, 2, 261, 2};
    void *b[5];
    g_sc = "aligned";
    if (build(o->fe) == NULL || !fill()) {
        return;
    }
    /* A first separator of 2 to 5 granules that puts the payload 16 bytes after a
     * 32-byte boundary; the last separator, as large, evens the area out. */
    uint16_t sep = 2;
    while (sep < 5 && ((W(g_blk[0]) + 8u * sep) & 31u) != 16u) {
        sep++;
    }
    gran[0] = sep;
    gran[4] = sep;
    if (!area16(0, sep + 262u, gran, 5, b)) {
        return;
    }
    rtheap_free(g_heap, b[3]);
    rtheap_free(g_heap, b[1]);
    uintptr_t r = run(o, 1, 0, NULL, 0, PAYLOAD(257), 32);
    if (r != W(b[1]) + 16u) {
        fail(g_sc, o->entry);
    }
}

/*
 * A realloc that cannot grow in place (the next block is free but too small) and moves:
 * the allocation is the first fit (blocks of 67 granules, the request 65: as
 * shape_first_fit), the copy, and the free of the old block between two free neighbours
 * in the middle of their list (sc_free's layout, the old block of `old` granules in
 * b4's place, its next neighbour N right after it).
 */
static void realloc_move(const struct op *o, uint32_t old)
{
    static const uint8_t fit[] = {67, 2, 67, 2};
    void *b[4];
    void *ob[2]; /* the old block and N */
    g_sc = "realloc";
    if (build(o->fe) == NULL || !fill()) {
        return;
    }
    uint32_t u = old / 2u; /* 16-byte blocks the old block takes */
    const uint8_t gran[2] = {(uint8_t)old, 2};
    if (!area(4, u + 1u, gran, 2, ob) || !area(20 + u, 69, fit, 4, b)) {
        return;
    }
    /* The list of 2 granules: b(13+u) b3 b(9+u) N b1: P (b3) and N in its middle. */
    void *const order[] = {g_blk[1], ob[1], g_blk[9 + u], g_blk[3], g_blk[13 + u]};
    for (uint32_t i = 0; i < NOPS(order); i++) {
        rtheap_free(g_heap, order[i]);
    }
    rtheap_free(g_heap, b[2]);
    rtheap_free(g_heap, b[0]);
    uint32_t copy = old * 8u - 4u;
    uint32_t *w = (uint32_t *)ob[0];
    for (uint32_t i = 0; i < copy / 4u; i++) {
        w[i] = i * 2654435761u;
    }
    uintptr_t r = run(o, 1, copy, ob[0], copy, PAYLOAD(65), 8);
    uint32_t *nw = (uint32_t *)r;
    int ok = r == W(b[0]);
    for (uint32_t i = 0; ok && i < copy / 4u; i++) {
        ok = nw[i] == i * 2654435761u;
    }
    if (!ok || rtheap_check(g_heap) != RTHEAP_OK) {
        fail(g_sc, o->entry);
    }
}

static void sc_realloc(const struct op *o)
{
    realloc_move(o, 2);
    realloc_move(o, 60);
}

/*
 * Resize in place that grows into the free block after it (in the middle of its list,
 * links in the last region) and gives back the tail it does not need.
 */
static void sc_resize(const struct op *o)
{
    static const uint8_t gran[] = {2, 2, 2, 8, 2, 2, 2, 2};
    void *b[8];
    g_sc = "resize";
    if (build(o->fe) == NULL || !fill() || !area(0, 11, gran, 8, b)) {
        return;
    }
    /* the list of 8 granules: its own, then b3 between two others */
    void *o1[2], *o2[2];
    static const uint8_t g2[] = {8, 2};
    if (!area(20, 5, g2, 2, o1) || !area(30, 5, g2, 2, o2)) {
        return;
    }
    rtheap_free(g_heap, o1[0]);
    rtheap_free(g_heap, b[3]);
    rtheap_free(g_heap, o2[0]);
    uintptr_t r = run(o, 1, 0, b[2], 12, PAYLOAD(6), 8);
    if (r != (o->fe == FE_C ? PAYLOAD(6) : PAYLOAD(6))) {
        fail(g_sc, o->entry);
    }
}

/* calloc: the first fit above, then its block zeroed. */
static void sc_calloc(const struct op *o)
{
    g_sc = "calloc";
    if (build(o->fe) == NULL) {
        return;
    }
#if WCET_FREERTOS
    if (o->fe == FE_RTOS) {
        xPortResetHeapMinimumEverFreeHeapSize(); /* the allocation reads the statistics too */
    }
#endif
    void *b = shape_first_fit(0xA5A5A5A5u);
    if (b == NULL) {
        return;
    }
    uint32_t *w = (uint32_t *)b;
    /* The block is exactly the size asked for: the bytes zeroed either way. */
    uint32_t zeroed = (uint32_t)PAYLOAD(FIT_T);
    uintptr_t r = run(o, 1, zeroed, NULL, 0, PAYLOAD(FIT_T), 8);
    int ok = r == W(b);
    for (uint32_t i = 0; ok && i < PAYLOAD(FIT_T) / 4u; i++) {
        ok = w[i] == 0;
    }
    if (!ok) {
        fail(g_sc, o->entry);
    }
}

/* The usable size of a block in the last region. */
static void sc_usable(const struct op *o)
{
    g_sc = "usable";
    if (build(o->fe) == NULL || !fill()) {
        return;
    }
    if (run(o, 1, 0, g_blk[7], 0, 0, 0) != 12u) {
        fail(g_sc, o->entry);
    }
}

/* The statistics: the largest guaranteed allocation is the head of the top class, in
 * the last region with a successor there (shape_first_fit's). For FreeRTOS, once the
 * minimum is tracked, an allocation reads them too: shape_first_fit's allocation. */
static void sc_stats(int fe)
{
    rtheap_stats_t st;
    g_sc = "stats";
    if (build(fe) == NULL) {
        return;
    }
    void *b = shape_first_fit(0);
    if (b == NULL) {
        return;
    }
    if (fe == FE_C) {
        if (run(&(struct op)OP(rtheap_get_stats, FE_C, HP), 1, 0, &st, 0, 0, 0) != 1 ||
            st.largest_guaranteed != PAYLOAD(FIT_G)) {
            fail(g_sc, "rtheap_get_stats");
        }
    }
#if WCET_FREERTOS
    if (fe == FE_RTOS) {
        (void)run(&(struct op)OP(xPortGetFreeHeapSize, FE_RTOS, N), 1, 0, NULL, 0, 0, 0);
        (void)run(&(struct op)OP(xPortGetMinimumEverFreeHeapSize, FE_RTOS, N), 1, 0, NULL, 0,
                  0, 0);
        (void)run(&(struct op)OP(xPortResetHeapMinimumEverFreeHeapSize, FE_RTOS, N), 1, 0,
                  NULL, 0, 0, 0);
        if (run(&(struct op)OP(pvPortMalloc, FE_RTOS, N), 1, 0, NULL, 0, PAYLOAD(FIT_T), 0) !=
            W(b)) {
            fail(g_sc, "pvPortMalloc (tracked)");
        }
    }
#endif
}

/* ----------------------------------------------------------------------------------- */
/* Scenarios on a damaged heap                                                          */
/* ----------------------------------------------------------------------------------- */

/*
 * Damage met in the search, round after round: five lists above the request's class,
 * each with a head whose successor's back link was overwritten. The search meets each
 * head in turn (the first, then four rounds), takes it out of service (its list is cut
 * behind it, the list empties) and reports it; nothing fits: NULL.
 */
static void sc_alloc_damage(const struct op *o)
{
    static const uint8_t gran[] = {3, 2, 3, 2, 4, 2, 4, 2, 5, 2, 5, 2, 6, 2, 6, 2, 7, 2, 7, 2};
    void *b[20];
    rtheap_stats_t st;
    g_sc = "alloc_damage";
    if (build(o->fe) == NULL || !fill() || !area(0, 35, gran, 20, b)) {
        return;
    }
    for (uint32_t k = 0; k < 5; k++) {
        rtheap_free(g_heap, b[4 * k + 2]); /* the successor */
        rtheap_free(g_heap, b[4 * k]);     /* the head */
        links(b[4 * k + 2])[1] = NULL;     /* its back link no longer leads to the head */
    }
    /* (no statistics before the call: their largest allocation would meet the damage) */
    uintptr_t r = run(o, 0, 0, NULL, 0, PAYLOAD(2), 8);
    if (r != 0 || !rtheap_get_stats(g_heap, &st) || st.error_count != 5u ||
        st.quarantine_count != 5u) {
        fail(g_sc, o->entry);
    }
}

/* Damaged lists, laid out first (every allocation a layout needs must come before any
 * damage: an allocation that meets it takes it out of service) and armed afterwards:
 * for each class in gran[] (granules), a head and its successor, both free, the
 * successor's back link overwritten: the head's next link fails its check. */
struct damaged {
    void *b[4 * 12];
    uint32_t count;
};

static int damaged_layout(struct damaged *d, uint32_t first, const uint8_t *gran, uint32_t count)
{
    uint8_t g[4 * 12];
    uint32_t total = 0;
    for (uint32_t k = 0; k < count; k++) {
        g[4 * k] = gran[k];
        g[4 * k + 1] = 2;
        g[4 * k + 2] = gran[k];
        g[4 * k + 3] = 2;
        total += 2u * gran[k] + 4u;
    }
    d->count = count;
    return area(first, total / 2u, g, 4 * count, d->b);
}

static void damaged_arm(struct damaged *d)
{
    for (uint32_t k = 0; k < d->count; k++) {
        rtheap_free(g_heap, d->b[4 * k + 2]); /* the successor */
        rtheap_free(g_heap, d->b[4 * k]);     /* the head */
        links(d->b[4 * k + 2])[1] = NULL;     /* its back link no longer leads to the head */
    }
}

static int damaged_lists(uint32_t first, const uint8_t *gran, uint32_t count)
{
    struct damaged d;
    if (!damaged_layout(&d, first, gran, count)) {
        return 0;
    }
    damaged_arm(&d);
    return 1;
}

static int errors_are(uint32_t errors, uint32_t quarantined)
{
    rtheap_stats_t st;
    return rtheap_get_stats(g_heap, &st) && st.error_count == errors &&
           st.quarantine_count == quarantined;
}

/*
 * Free with both neighbours damaged: each is in the middle of its list, its successor's
 * back link overwritten, so that unlinking it fails; each is taken out of service (its
 * list cut behind it) and reported; the block is freed on its own.
 * The layout of sc_free (list of 2 granules b13 b3 b9 b5 b1), with b9's and b1's back
 * links overwritten: b3's and b5's next links fail.
 */
static void sc_free_damage(const struct op *o)
{
    static const uint8_t order[] = {1, 5, 9, 3, 13};
    g_sc = "free_damage";
    if (build(o->fe) == NULL || !fill()) {
        return;
    }
    for (uint32_t i = 0; i < sizeof order; i++) {
        rtheap_free(g_heap, g_blk[order[i]]);
    }
    links(g_blk[9])[1] = NULL;
    links(g_blk[1])[1] = NULL;
    (void)run(o, 0, 0, g_blk[4], 12, 0, 0);
    if (!errors_are(2, 2)) {
        fail(g_sc, o->entry);
    }
}

/*
 * An over-aligned allocation meeting damage in both of its searches: the one with room
 * for the worst gap (classes 7 to 11: the first and four rounds), then the one for the
 * size alone (classes 2 to 5, four rounds): nine damaged lists, nothing fits.
 * 2 granules aligned to 32: the worst gap 5 granules more.
 */
static void sc_aligned_damage(const struct op *o)
{
    static const uint8_t gran[] = {2, 3, 4, 5, 7, 8, 9, 10, 11};
    g_sc = "aligned_damage";
    if (build(o->fe) == NULL || !fill() || !damaged_lists(0, gran, 9)) {
        return;
    }
    uintptr_t r = run(o, 0, 0, NULL, 0, PAYLOAD(2), 32);
    if (r != 0 || !errors_are(9, 9)) {
        fail(g_sc, o->entry);
    }
}

/* The statistics on a heap whose four top lists have damaged heads: each round of the
 * largest guaranteed allocation meets one, takes it out of service, and goes on. */
static void sc_stats_damage(const struct op *o)
{
    static const uint8_t gran[] = {3, 4, 5, 6};
    rtheap_stats_t st;
    g_sc = "stats_damage";
    if (build(o->fe) == NULL || !fill() || !damaged_lists(0, gran, 4)) {
        return;
    }
    (void)run(o, 0, 0, &st, 0, 0, 0);
    if (!errors_are(4, 4)) {
        fail(g_sc, o->entry);
    }
}

/* The usable size of a pointer refused: a block whose next header says its previous
 * block is free (a neighbour mismatch), or a free block (a double free). */
static void sc_usable_damage(const struct op *o)
{
    g_sc = "usable_damage";
    if (build(o->fe) == NULL || !fill()) {
        return;
    }
    uint32_t *next = (uint32_t *)g_blk[8] - 1; /* g_blk[7]'s next header */
    *next ^= 2u | (2u << 24);                  /* PREV_FREE, the tag kept sound */
    (void)run(o, 0, 0, g_blk[7], 0, 0, 0);
    rtheap_free(g_heap, g_blk[20]);
    (void)run(o, 0, 0, g_blk[20], 0, 0, 0);
    if (!errors_are(2, 0)) {
        fail(g_sc, o->entry);
    }
}

/*
 * Resize in place that shrinks: the tail it gives back merges with the free block after
 * it (in the middle of its list, links in the last region).
 */
static void sc_resize_shrink(const struct op *o)
{
    static const uint8_t gran[] = {2, 8, 4, 2, 4, 2, 4, 2};
    void *b[8];
    g_sc = "resize_shrink";
    if (build(o->fe) == NULL || !fill() || !area(0, 14, gran, 8, b)) {
        return;
    }
    rtheap_free(g_heap, b[6]);
    rtheap_free(g_heap, b[2]);
    rtheap_free(g_heap, b[4]); /* list of 4 granules: b4 b2 b6: b2 in the middle */
    uintptr_t r = run(o, 1, 0, b[1], PAYLOAD(8), PAYLOAD(2), 8);
    if (r != PAYLOAD(2) || rtheap_check(g_heap) != RTHEAP_OK) {
        fail(g_sc, o->entry);
    }
}

/*
 * A realloc through all the damage it can meet: the free block after it, which it
 * would grow into, has a successor whose back link was overwritten (taken out of
 * service: no growth); the allocation for the move meets four damaged lists (classes 6
 * to 9) and takes a block of 12 granules in the fifth round; the old block, freed, has
 * a free block in front of it whose successor's back link was overwritten (taken out of
 * service too).
 */
static void sc_realloc_damage(const struct op *o)
{
    static const uint8_t gran[] = {2, 2, 2, 2, 2, 4, 2, 4, 2, 2, 2};
    static const uint8_t dgran[] = {6, 7, 8, 9};
    static const uint8_t ggran[] = {12, 2};
    void *b[11], *g[2];
    struct damaged d;
    g_sc = "realloc_damage";
    if (build(o->fe) == NULL || !fill() || !area(0, 13, gran, 11, b) ||
        !damaged_layout(&d, 20, dgran, 4) || !area(70, 7, ggran, 2, g)) {
        return;
    }
    damaged_arm(&d);
    /* b1 X1, b3 P, b4 old, b5 N (4 granules), b7 N2, b9 X2 */
    rtheap_free(g_heap, b[1]);
    rtheap_free(g_heap, b[3]);
    rtheap_free(g_heap, b[9]); /* list of 2 granules: X2 P X1 */
    links(b[1])[1] = NULL;     /* P's successor no longer links back */
    rtheap_free(g_heap, b[7]);
    rtheap_free(g_heap, b[5]); /* list of 4 granules: N N2 */
    links(b[7])[1] = NULL;     /* N's successor no longer links back */
    rtheap_free(g_heap, g[0]);
    uintptr_t r = run(o, 0, 12, b[4], 12, PAYLOAD(6), 8);
    if (r != W(g[0]) || !errors_are(6, 6)) {
        fail(g_sc, o->entry);
    }
}

/*
 * An allocation that meets four damaged lists (classes 6 to 9: the first and three
 * rounds) and takes a block of 12 granules in the last round; above it, four more
 * damaged lists (classes 13 to 16), which the statistics meet when the front end reads
 * them after the allocation (FreeRTOS, once the minimum is tracked). Returns the
 * block it takes.
 */
static void *shape_alloc_damage(void)
{
    static const uint8_t dgran[] = {6, 7, 8, 9};
    static const uint8_t tgran[] = {13, 14, 15, 16};
    static const uint8_t ggran[] = {12, 2};
    void *g[2];
    struct damaged low, top;
    if (!fill() || !damaged_layout(&low, 0, dgran, 4) || !damaged_layout(&top, 40, tgran, 4) ||
        !area(110, 7, ggran, 2, g)) {
        return NULL;
    }
    damaged_arm(&low);
    damaged_arm(&top);
    rtheap_free(g_heap, g[0]);
    return g[0];
}

static void sc_alloc_damage_found(const struct op *o)
{
    g_sc = "alloc_damage_found";
    if (build(o->fe) == NULL) {
        return;
    }
#if WCET_FREERTOS
    if (o->fe == FE_RTOS) {
        xPortResetHeapMinimumEverFreeHeapSize(); /* (the statistics meet no damage yet) */
    }
#endif
    void *g = shape_alloc_damage();
    if (g == NULL) {
        return;
    }
    uintptr_t r = run(o, 0, 0, NULL, 0, PAYLOAD(6), 8);
    /* four reported by the allocation; four by the statistics (the front end's, or
     * errors_are()'s own) */
    if (r != W(g) || !errors_are(8, 8)) {
        fail(g_sc, o->entry);
    }
}

/* calloc through the same damage, then its block zeroed. */
static void sc_calloc_damage(const struct op *o)
{
    g_sc = "calloc_damage";
    if (build(o->fe) == NULL) {
        return;
    }
#if WCET_FREERTOS
    if (o->fe == FE_RTOS) {
        xPortResetHeapMinimumEverFreeHeapSize();
    }
#endif
    void *g = shape_alloc_damage();
    if (g == NULL) {
        return;
    }
    uint32_t zeroed = (uint32_t)PAYLOAD(6);
    uintptr_t r = run(o, 0, zeroed, NULL, 0, PAYLOAD(6), 8);
    if (r != W(g)) {
        fail(g_sc, o->entry);
    }
}

/* The FreeRTOS minimum's reset reads the statistics: on the damaged top lists. */
static void sc_reset_damage(void)
{
#if WCET_FREERTOS
    static const uint8_t gran[] = {3, 4, 5, 6};
    g_sc = "reset_damage";
    if (build(FE_RTOS) == NULL || !fill() || !damaged_lists(0, gran, 4)) {
        return;
    }
    (void)run(&(struct op)OP(xPortResetHeapMinimumEverFreeHeapSize, FE_RTOS, N), 0, 0, NULL, 0,
              0, 0);
    if (!errors_are(4, 4)) {
        fail(g_sc, "xPortResetHeapMinimumEverFreeHeapSize");
    }
#endif
}

/*
 * An over-aligned realloc that moves (the next block is free but too small): the
 * allocation is sc_aligned's (no room for the worst gap, the same block by the first
 * fit, split three ways), the copy, and the free of the old block between two free
 * neighbours in the middle of their list (sc_free's layout, further on).
 */
static void sc_realloc_aligned(const struct op *o)
{
    uint8_t gran[] = {2, 133, 2, 133, 2};
    void *b[5];
    static const uint8_t order[] = {1, 5, 9, 3, 13};
    g_sc = "realloc_aligned";
    if (build(o->fe) == NULL || !fill()) {
        return;
    }
    uint32_t sep = 2;
    while (sep < 5 && ((W(g_blk[0]) + 8u * sep) & 31u) != 16u) {
        sep++;
    }
    gran[0] = (uint8_t)sep;
    gran[4] = (uint8_t)sep;
    if (!area(0, (2u * sep + 268u) / 2u, gran, 5, b)) {
        return;
    }
    rtheap_free(g_heap, b[3]);
    rtheap_free(g_heap, b[1]);
    const uint32_t at = 150; /* sc_free's b0 */
    for (uint32_t i = 0; i < sizeof order; i++) {
        rtheap_free(g_heap, g_blk[at + order[i]]);
    }
    void *old = g_blk[at + 4];
    *(uint32_t *)old = 0x5A5A5A5Au;
    uintptr_t r = run(o, 1, 12, old, 12, PAYLOAD(129), 32);
    if (r != W(b[1]) + 16u || *(uint32_t *)r != 0x5A5A5A5Au || rtheap_check(g_heap) != RTHEAP_OK) {
        fail(g_sc, o->entry);
    }
}

/* Resize in place into a free next block whose successor's back link was overwritten:
 * the next block is taken out of service, and the block stays as it was. */
static void sc_resize_damage(const struct op *o)
{
    static const uint8_t gran[] = {2, 2, 2, 8, 2, 2, 2, 2};
    static const uint8_t g2[] = {8, 2};
    void *b[8], *o1[2], *o2[2];
    g_sc = "resize_damage";
    if (build(o->fe) == NULL || !fill() || !area(0, 11, gran, 8, b) || !area(20, 5, g2, 2, o1) ||
        !area(30, 5, g2, 2, o2)) {
        return;
    }
    rtheap_free(g_heap, o1[0]);
    rtheap_free(g_heap, b[3]);
    rtheap_free(g_heap, o2[0]);
    links(o1[0])[1] = NULL; /* b3's successor no longer links back */
    uintptr_t r = run(o, 0, 0, b[2], 12, PAYLOAD(6), 8);
    if (r != (o->fe == FE_C ? 0u : 12u) || !errors_are(1, 1)) {
        fail(g_sc, o->entry);
    }
}

/* ----------------------------------------------------------------------------------- */
/* The calls that take no heap state                                                    */
/* ----------------------------------------------------------------------------------- */

static void sc_simple(void)
{
    g_sc = "simple";
    if (build(FE_C) == NULL) {
        return;
    }
    static const struct op ops[] = {
        OP(rtheap_request_usable_size, FE_C, NA), OP(__rust_usable_size, FE_C, NA),
        OP(rtheap_control_size, FE_C, N), OP(rtheap_default, FE_C, N),
        OP(rtheap_default_status, FE_C, N), OP(rtheap_default_no_heap_count, FE_C, N),
        OP(mallopt, FE_C, N), OP(malloc_trim, FE_C, N), OP(getpagesize, FE_C, N),
#if WCET_FREERTOS
        OP(vPortInitialiseBlocks, FE_C, N),
#endif
    };
    for (uint32_t i = 0; i < NOPS(ops); i++) {
        (void)run(&ops[i], 1, 0, NULL, 0, 4000, 64);
    }
    for (uint32_t k = 0; k <= 17; k++) {
        (void)run(&(struct op)OP(rtheap_error_name, FE_C, N), 1, 0, NULL, 0, k, 0);
    }
    (void)run(&(struct op)OP(rtheap_set_error_hook, FE_C, HN), 1, 0, NULL, 0, 0, 0);
#if WCET_FREERTOS
    (void)run(&(struct op)OP(rtheap_freertos_heap, FE_C, N), 1, 0, NULL, 0, 0, 0);
    (void)run(&(struct op)OP(vPortHeapResetState, FE_C, N), 1, 0, NULL, 0, 0, 0);
#endif
    /* The report without a hook: the bound leaves a hook's own time out. */
    (void)run(&(struct op)OP(rtheap_report_error, FE_C, HN), 1, 0, NULL, 0,
              RTHEAP_ERR_BAD_ARGUMENT, 0);
}

/* ----------------------------------------------------------------------------------- */

/* Every entry point the analysis bounds is linked, driven or not (the firmware is what
 * the analysis reads). */
typedef void (*any_fn_t)(void);
#define ROOT(f) ((any_fn_t)(f))
const any_fn_t volatile wcet_roots[] = {
    ROOT(rtheap_alloc), ROOT(rtheap_alloc_aligned), ROOT(rtheap_calloc), ROOT(rtheap_realloc),
    ROOT(rtheap_realloc_aligned), ROOT(rtheap_realloc_sized), ROOT(rtheap_resize_in_place),
    ROOT(rtheap_free), ROOT(rtheap_usable_size), ROOT(rtheap_request_usable_size),
    ROOT(rtheap_get_stats), ROOT(rtheap_control_size), ROOT(rtheap_set_error_hook),
    ROOT(rtheap_report_error), ROOT(rtheap_error_name), ROOT(rtheap_default),
    ROOT(rtheap_default_status), ROOT(rtheap_default_no_heap_count), ROOT(rtheap_init),
    ROOT(rtheap_init_for), ROOT(rtheap_add_region), ROOT(rtheap_default_init), ROOT(rtheap_check),
    ROOT(rtheap_walk), ROOT(__rust_allocate), ROOT(__rust_deallocate), ROOT(__rust_reallocate),
    ROOT(__rust_reallocate_inplace), ROOT(__rust_usable_size), ROOT(malloc), ROOT(free),
    ROOT(cfree), ROOT(calloc), ROOT(realloc), ROOT(reallocarray), ROOT(reallocf), ROOT(memalign),
    ROOT(aligned_alloc), ROOT(posix_memalign), ROOT(valloc), ROOT(pvalloc),
    ROOT(malloc_usable_size), ROOT(mallopt), ROOT(malloc_trim), ROOT(getpagesize),
#if WCET_FREERTOS
    ROOT(pvPortMalloc), ROOT(vPortFree), ROOT(pvPortCalloc), ROOT(xPortGetFreeHeapSize),
    ROOT(xPortGetMinimumEverFreeHeapSize), ROOT(xPortResetHeapMinimumEverFreeHeapSize),
    ROOT(vPortInitialiseBlocks), ROOT(vPortHeapResetState), ROOT(rtheap_freertos_heap),
    ROOT(vPortDefineHeapRegions), ROOT(vPortGetHeapStats),
#endif
};

static void calibrate(void)
{
    uint32_t c0 = timed(FN(wcet_nops0), 0, 0, 0, 0);
    uint32_t c1 = timed(FN(wcet_nops1000), 0, 0, 0, 0);
    uint32_t e = timed(FN(wcet_empty), 0, 0, 0, 0);
    out_s("C ");
    out_u(c0);
    out_c(' ');
    out_u(c1);
    out_c(' ');
    out_u(e);
    out_c('\n');
}

#define EACH(table, scenario)                                                               \
    for (uint32_t i_ = 0; i_ < NOPS(table); i_++) {                                          \
        scenario(&table[i_]);                                                               \
    }

int main(void)
{
    systick_start();
    calibrate();
    for (uint32_t i = 0; i < NOPS(wcet_roots); i++) {
        if (wcet_roots[i] == NULL) {
            fail("main", "an entry point is missing");
        }
    }
    /* The default heap on the first arena, before anything else builds it (build()
     * builds it again at the same address). */
    if (rtheap_default_init(g_a0, A0_BYTES) == NULL) {
        fail("main", "rtheap_default_init");
    }
    EACH(ALLOC, sc_alloc);
    EACH(ALLOC, sc_alloc_alone);
    EACH(FREE, sc_free);
    EACH(ALIGNED, sc_aligned);
    EACH(REALLOC, sc_realloc);
    EACH(RESIZE, sc_resize);
    EACH(CALLOC, sc_calloc);
    EACH(USABLE, sc_usable);
    sc_stats(FE_C);
#if WCET_FREERTOS
    sc_stats(FE_RTOS);
#endif
    EACH(ALLOC, sc_alloc_damage);
    EACH(FREE, sc_free_damage);
    EACH(ALIGNED, sc_aligned_damage);
    EACH(REALLOC, sc_realloc_damage);
    EACH(RESIZE, sc_resize_shrink);
    EACH(RESIZE, sc_resize_damage);
    EACH(USABLE, sc_usable_damage);
    EACH(STATS, sc_stats_damage);
    EACH(ALLOC, sc_alloc_damage_found);
    EACH(CALLOC, sc_calloc_damage);
    EACH(REALLOC_ALIGNED, sc_realloc_aligned);
    sc_reset_damage();
    sc_simple();
    out_s("E ");
    out_u(g_calls);
    out_c('\n');
    out_flush();
    return g_failed != 0 ? 1 : 0;
}
