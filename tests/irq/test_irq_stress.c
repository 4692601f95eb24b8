/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Interrupt stress, boards only: SysTick fires every few thousand cycles and
 * its handler allocates, reallocates and frees on the same heap while the main loop does
 * the same. The default Cortex-M lock (PRIMASK) makes every call atomic with respect to
 * the handler. Runs until IRQ_TOTAL_OPS operations (both sides) are done, then checks
 * the heap (rtheap_check), the contents of every live block and that the statistics
 * balance with what both sides hold. Prints the operation counts. */
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "harness.h"
#include "rtheap.h"

#ifndef IRQ_TOTAL_OPS
#define IRQ_TOTAL_OPS 1000000u
#endif
#define NS 12
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

typedef struct {
    unsigned char *p[NS];
    size_t usable[NS];
    unsigned char tag;
    uint32_t rng;
    volatile uint32_t ops, failed, bad;
} side_t;

static rtheap_t *heap;
static side_t main_side = {.tag = 0x11, .rng = 0x12345u};
static side_t isr_side = {.tag = 0x77, .rng = 0xBEEFu};
static volatile int stop;
static volatile uint32_t irqs;
static volatile uint32_t errors_reported;

static void hook(rtheap_t *h, rtheap_error_t kind, const void *ptr, void *user)
{
    (void)h, (void)kind, (void)ptr, (void)user;
    errors_reported++;
}

static void mark(side_t *s, int i)
{
    unsigned char *p = s->p[i];
    size_t n = s->usable[i];
    p[0] = s->tag;
    p[n / 2] = (unsigned char)(s->tag ^ (unsigned)i);
    p[n - 1] = s->tag;
}

static int marked(const side_t *s, int i, size_t n)
{
    const unsigned char *p = s->p[i];
    return p[0] == s->tag && p[n - 1] == s->tag;
}

static void step(side_t *s)
{
    uint32_t r = th_rand(&s->rng);
    int i = (int)(r % NS);
    size_t size = (r >> 8) % 160u;
    if (s->p[i] == NULL) {
        unsigned char *p = (r & 0x10000u) ? rtheap_calloc(heap, 1, size)
                                          : rtheap_alloc(heap, size);
        if (p == NULL) {
            s->failed++;
        } else {
            s->p[i] = p;
            s->usable[i] = rtheap_usable_size(heap, p);
            if (s->usable[i] < size) {
                s->bad++;
            }
            mark(s, i);
        }
    } else if (r & 0x20000u) {
        size_t old = s->usable[i];
        if (!marked(s, i, old)) {
            s->bad++;
        }
        unsigned char *p = rtheap_realloc(heap, s->p[i], size);
        if (p == NULL) {
            s->failed++;
        } else {
            s->p[i] = p;
            s->usable[i] = rtheap_usable_size(heap, p);
            if (p[0] != s->tag) { /* the first byte always survives */
                s->bad++;
            }
            mark(s, i);
        }
    } else {
        if (!marked(s, i, s->usable[i])) {
            s->bad++;
        }
        rtheap_free(heap, s->p[i]);
        s->p[i] = NULL;
    }
    s->ops++;
}

void SysTick_Handler(void);
void SysTick_Handler(void)
{
    irqs++;
    if (!stop) {
        step(&isr_side);
        step(&isr_side);
    }
}

static void side_totals(const side_t *s, size_t *live, size_t *used)
{
    for (int i = 0; i < NS; i++) {
        if (s->p[i] != NULL) {
            (*live)++;
            *used += s->usable[i];
            TH_CHECK(marked(s, i, s->usable[i]));
            TH_CHECK_EQ(rtheap_usable_size(heap, s->p[i]), s->usable[i]);
        }
    }
}

int main(void)
{
    void *mem;
    size_t bytes = board_heap(&mem);
    if (bytes > 64u * 1024u) {
        bytes = 64u * 1024u;
    }
    heap = rtheap_init(mem, bytes);
    if (!TH_CHECK_NOT_NULL(heap)) {
        return th_summary();
    }
    rtheap_set_error_hook(heap, hook, NULL);
    SYST_RVR = 3000u;
    SYST_CVR = 0;
    SYST_CSR = 7u; /* enable, interrupt, processor clock */
    while (main_side.ops + isr_side.ops < IRQ_TOTAL_OPS || isr_side.ops < 1000u) {
        step(&main_side);
    }
    stop = 1;
    SYST_CSR = 0;
    __asm__ volatile("dsb\n\tisb" ::: "memory");

    th_print("irq_stress on " RTHEAP_BOARD_NAME ": ");
    th_print_u(main_side.ops + isr_side.ops);
    th_print(" operations (main ");
    th_print_u(main_side.ops);
    th_print(", SysTick handler ");
    th_print_u(isr_side.ops);
    th_print(" in ");
    th_print_u(irqs);
    th_print(" interrupts), failed allocations ");
    th_print_u(main_side.failed + isr_side.failed);
    th_println("");

    TH_CHECK(main_side.ops + isr_side.ops >= IRQ_TOTAL_OPS);
    TH_CHECK(isr_side.ops >= 1000u);
    TH_CHECK_EQ(main_side.bad, 0);
    TH_CHECK_EQ(isr_side.bad, 0);
    TH_CHECK_EQ(errors_reported, 0);
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    size_t live = 0, used = 0;
    side_totals(&main_side, &live, &used);
    side_totals(&isr_side, &live, &used);
    rtheap_stats_t st;
    TH_CHECK(rtheap_get_stats(heap, &st));
    TH_CHECK_EQ(st.live_blocks, live);
    TH_CHECK_EQ(st.used_bytes, used);
    TH_CHECK_EQ(st.alloc_count - st.free_count, live);
    TH_CHECK_EQ(st.error_count, 0);
    for (int i = 0; i < NS; i++) {
        rtheap_free(heap, main_side.p[i]);
        rtheap_free(heap, isr_side.p[i]);
    }
    TH_CHECK(rtheap_get_stats(heap, &st));
    TH_CHECK_EQ(st.live_blocks, 0);
    TH_CHECK_EQ(st.used_bytes, 0);
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    return th_summary();
}
