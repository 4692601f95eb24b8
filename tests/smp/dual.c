/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Two cores, one heap (mps2-an521: SSE-200, two Cortex-M33). Both cores run the same
 * mixed workload at once on one shared rtheap heap, and CPU0's SysTick handler runs it
 * too, so the lock also meets an interrupt handler of a core that holds it: alloc, calloc,
 * aligned alloc (16 to 128), realloc, resize in place and free of 0 to 319 bytes, on
 * 12 slots per core (4 for the handler). Every byte of every block is filled with its
 * owner's pattern, and checked before every free and realloc, after every realloc (the
 * kept bytes) and at the end. Then CPU0 checks:
 *   - no block changed under its owner (two cores served the same bytes), calloc zeroed;
 *   - rtheap_check() of the whole heap;
 *   - the statistics against the three ledgers: live blocks, used bytes, alloc, free
 *     and realloc counts (a counter update lost between two cores shows here);
 *   - no error reported (hook and error_count), nothing quarantined, no failed
 *     allocation (28 blocks of at most 447 bytes never fill 32 KiB).
 *
 * With RTHEAP_LOCK_SPIN or a user lock it must pass; with the single-core PRIMASK lock
 * it must fail, and with exit status 1 from these checks (the negative control), not
 * with a fault (3) or a hang (2).
 *
 * Run under QEMU with -icount shift=0,sleep=off and the semihosting command line
 * "ops=N period=P" (-append): N operations per core. CPU0's SysTick runs with reload P,
 * which makes QEMU switch cores every 50 * (P + 1) instructions, so the race is
 * fine-grained and every run identical; its handler takes one step about every 10,000
 * instructions. (Under QEMU's single-threaded schedulers CPU1 stopped running once its
 * own SysTick interrupt was enabled, so the handler is CPU0's.) Exit: 0 passed, 1 a
 * check failed, 2 CPU1 did not start or finish or the handler never ran, 3 a fault
 * (startup.c). */
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "harness.h"
#include "rtheap.h"
#include "smp.h"

#ifndef SMP_LOCK_NAME
#define SMP_LOCK_NAME "?"
#endif

#define SLOTS 12
#define ISR_SLOTS 4
#define HEAP_BYTES (32u * 1024u)
#define MAX_SIZE 320u
#define EXIT_SETUP 2

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

typedef struct {
    unsigned char *p[SLOTS];
    size_t usable[SLOTS];
    uint32_t slots;
    unsigned char tag;
    uint32_t rng;
    /* The ledger: what this side did, to compare with the heap's statistics. */
    uint32_t ops, allocs, frees, reallocs, failed, bad;
} side_t;

static rtheap_t *heap;
static uintptr_t heap_lo, heap_hi; /* the heap's bytes */
static side_t cpu0 = {.slots = SLOTS, .tag = 0x11, .rng = 0x12345u};
static side_t cpu1 = {.slots = SLOTS, .tag = 0x77, .rng = 0x9E3779B9u};
static side_t isr0 = {.slots = ISR_SLOTS, .tag = 0xC3, .rng = 0xBEEFu};
static volatile uint32_t errors_reported;
static volatile uint32_t ready1, go, stop0, done1, irqs0;
static uint32_t ops_per_core = 5000u, period = 100u, isr_every = 1u;

static void hook(rtheap_t *h, rtheap_error_t kind, const void *ptr, void *user)
{
    (void)h, (void)kind, (void)ptr, (void)user;
    errors_reported = errors_reported + 1u;
}

static unsigned char pattern(const side_t *s, uint32_t i)
{
    return (unsigned char)(s->tag ^ i);
}

static void fill(side_t *s, uint32_t i)
{
    unsigned char *p = s->p[i];
    for (size_t k = 0; k < s->usable[i]; k++) {
        p[k] = pattern(s, i);
    }
}

/* The first n bytes of slot i still hold its pattern. */
static int intact(const side_t *s, uint32_t i, size_t n)
{
    const unsigned char *p = s->p[i];
    for (size_t k = 0; k < n; k++) {
        if (p[k] != pattern(s, i)) {
            return 0;
        }
    }
    return 1;
}

/* A block of n bytes at p lies inside the heap. A damaged heap can hand out anything:
 * the test must not write outside the heap itself (over a stack), or the damage would
 * show as a fault instead of being reported. */
static int inside(const unsigned char *p, size_t n)
{
    uintptr_t a = (uintptr_t)p;
    return a >= heap_lo && a < heap_hi && n <= heap_hi - a;
}

/* Slot i now holds p (usable bytes n), or is dropped, counted bad, if that is not
 * inside the heap. */
static void keep(side_t *s, uint32_t i, unsigned char *p, size_t n)
{
    if (!inside(p, n)) {
        s->bad++;
        s->p[i] = NULL;
        return;
    }
    s->p[i] = p;
    s->usable[i] = n;
    fill(s, i);
}

static void got(side_t *s, uint32_t i, unsigned char *p, size_t size, size_t align)
{
    if (p == NULL) {
        s->failed++;
        return;
    }
    s->allocs++;
    size_t n = rtheap_usable_size(heap, p);
    if (n < size || ((uintptr_t)p & (align - 1u)) != 0) {
        s->bad++;
    }
    keep(s, i, p, n);
}

static void step(side_t *s)
{
    uint32_t r = th_rand(&s->rng);
    uint32_t i = r % s->slots;
    uint32_t op = (r >> 4) & 7u;
    size_t size = (r >> 12) % MAX_SIZE;
    if (s->p[i] == NULL) {
        if (op < 3u) {
            got(s, i, rtheap_alloc(heap, size), size, 8u);
        } else if (op < 5u) {
            unsigned char *p = rtheap_calloc(heap, 1, size);
            for (size_t k = 0; p != NULL && inside(p, size) && k < size; k++) {
                if (p[k] != 0) {
                    s->bad++;
                    break;
                }
            }
            got(s, i, p, size, 8u);
        } else {
            size_t align = (size_t)16u << ((r >> 8) & 3u);
            got(s, i, rtheap_alloc_aligned(heap, size, align), size, align);
        }
    } else if (op < 3u) {
        size_t old = s->usable[i];
        if (!intact(s, i, old)) {
            s->bad++;
        }
        unsigned char *p = rtheap_realloc(heap, s->p[i], size);
        if (p == NULL) {
            s->failed++;
        } else {
            s->reallocs++;
            if (p != s->p[i]) {
                s->allocs++;
                s->frees++;
            }
            s->p[i] = p;
            if (!inside(p, size < old ? size : old) || !intact(s, i, size < old ? size : old)) {
                s->bad++;
            }
            size_t n = rtheap_usable_size(heap, p);
            if (n < size) {
                s->bad++;
            }
            keep(s, i, p, n);
        }
    } else if (op == 3u) {
        if (!intact(s, i, s->usable[i])) {
            s->bad++;
        }
        size_t now = rtheap_resize_in_place(heap, s->p[i], size);
        if (now != 0) {
            s->reallocs++;
            keep(s, i, s->p[i], now);
        }
    } else {
        if (!intact(s, i, s->usable[i])) {
            s->bad++;
        }
        rtheap_free(heap, s->p[i]);
        s->frees++;
        s->p[i] = NULL;
    }
    s->ops++;
}

void SysTick_Handler(void);
void SysTick_Handler(void)
{
    uint32_t n = irqs0 + 1u;
    irqs0 = n;
    if (!stop0 && n % isr_every == 0) {
        step(&isr0);
    }
}

static void cpu1_main(void)
{
    ready1 = 1u;
    while (!go) {
    }
    while (cpu1.ops < ops_per_core) {
        step(&cpu1);
    }
    done1 = 1u;
}

/* The semihosting command line (SYS_GET_CMDLINE): QEMU gives the kernel's path and
 * -append's text. */
static const char *cmdline(void)
{
    static char buf[160];
    static struct {
        char *buf;
        uint32_t len;
    } arg;
    arg.buf = buf;
    arg.len = sizeof buf - 1u;
    register uint32_t r0 __asm__("r0") = 0x15u;
    register void *r1 __asm__("r1") = &arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0 == 0 ? buf : "";
}

/* The value of " key=" in s, or dflt. */
static uint32_t option(const char *s, const char *key, uint32_t dflt)
{
    for (; *s != '\0'; s++) {
        if (*s != ' ') {
            continue;
        }
        const char *a = s + 1, *k = key;
        while (*k != '\0' && *a == *k) {
            a++, k++;
        }
        if (*k != '\0' || *a != '=' || a[1] < '0' || a[1] > '9') {
            continue;
        }
        uint32_t v = 0;
        for (a++; *a >= '0' && *a <= '9'; a++) {
            v = v * 10u + (uint32_t)(*a - '0');
        }
        return v;
    }
    return dflt;
}

static void totals(const side_t *s, size_t *live, size_t *used, uint32_t *allocs,
                   uint32_t *frees, uint32_t *reallocs)
{
    for (uint32_t i = 0; i < s->slots; i++) {
        if (s->p[i] != NULL) {
            (*live)++;
            *used += s->usable[i];
            TH_CHECK(intact(s, i, s->usable[i]));
        }
    }
    *allocs += s->allocs;
    *frees += s->frees;
    *reallocs += s->reallocs;
    TH_CHECK_EQ(s->bad, 0);
    TH_CHECK_EQ(s->failed, 0);
}

static int wait_for(volatile uint32_t *flag)
{
    for (uint32_t n = 0; n < 50000000u; n++) {
        if (*flag) {
            return 1;
        }
    }
    return 0;
}

int main(void)
{
    const char *line = cmdline();
    ops_per_core = option(line, "ops", ops_per_core);
    period = option(line, "period", period);
    /* The handler's share: one step about every 10,000 instructions, whatever P. */
    isr_every = 1u + 200u / (period + 1u);

    void *mem;
    size_t bytes = board_heap(&mem);
    bytes = bytes < HEAP_BYTES ? bytes : HEAP_BYTES;
    heap_lo = (uintptr_t)mem;
    heap_hi = heap_lo + bytes;
    heap = rtheap_init(mem, bytes);
    if (!TH_CHECK_NOT_NULL(heap)) {
        return th_summary();
    }
    rtheap_set_error_hook(heap, hook, NULL);

    smp_start_cpu1(cpu1_main);
    if (!wait_for(&ready1)) {
        th_println("smp_dual: CPU1 did not start");
        return EXIT_SETUP;
    }
    /* The running SysTick also sets QEMU's next switch of cores. */
    SYST_RVR = period;
    SYST_CVR = 0;
    SYST_CSR = 7u; /* enable, interrupt, processor clock */
    go = 1u;
    while (cpu0.ops < ops_per_core) {
        step(&cpu0);
    }
    if (!wait_for(&done1)) {
        th_println("smp_dual: CPU1 did not finish");
        return EXIT_SETUP;
    }
    stop0 = 1u;
    SYST_CSR = 0;
    __asm__ volatile("dsb\n\tisb" ::: "memory");

    th_print("smp_dual lock=" SMP_LOCK_NAME " period=");
    th_print_u(period);
    th_print(": operations cpu0 ");
    th_print_u(cpu0.ops);
    th_print(", cpu1 ");
    th_print_u(cpu1.ops);
    th_print(", cpu0 SysTick handler ");
    th_print_u(isr0.ops);
    th_print(" (");
    th_print_u(irqs0);
    th_println(" interrupts)");

    if (isr0.ops == 0) {
        th_println("smp_dual: the SysTick handler never ran a step");
        return EXIT_SETUP;
    }
    size_t live = 0, used = 0;
    uint32_t allocs = 0, frees = 0, reallocs = 0;
    totals(&cpu0, &live, &used, &allocs, &frees, &reallocs);
    totals(&cpu1, &live, &used, &allocs, &frees, &reallocs);
    totals(&isr0, &live, &used, &allocs, &frees, &reallocs);
    TH_CHECK_EQ(errors_reported, 0);
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    rtheap_stats_t st;
    TH_CHECK(rtheap_get_stats(heap, &st));
    TH_CHECK_EQ(st.live_blocks, live);
    TH_CHECK_EQ(st.used_bytes, used);
    TH_CHECK_EQ(st.alloc_count, allocs);
    TH_CHECK_EQ(st.free_count, frees);
    TH_CHECK_EQ(st.realloc_count, reallocs);
    TH_CHECK_EQ(st.error_count, 0);
    TH_CHECK_EQ(st.failed_count, 0);
    TH_CHECK_EQ(st.quarantine_count, 0);
    side_t *sides[] = {&cpu0, &cpu1, &isr0};
    for (uint32_t k = 0; k < 3u; k++) {
        for (uint32_t i = 0; i < sides[k]->slots; i++) {
            rtheap_free(heap, sides[k]->p[i]);
        }
    }
    TH_CHECK(rtheap_get_stats(heap, &st));
    TH_CHECK_EQ(st.live_blocks, 0);
    TH_CHECK_EQ(st.used_bytes, 0);
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    int failed = th_summary();
    th_println(failed ? "smp_dual: the heap was damaged or its accounting is wrong"
                      : "smp_dual: OK");
    return failed;
}
