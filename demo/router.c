/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtheap demo: a message router on the default heap, through the C library's
 * malloc family (rtheap::libc, picolibc, semihosting console).
 *
 * Commands arrive as JSON-like text in random-sized chunks over a simulated
 * UART; each line is assembled in a receive buffer that grows with realloc,
 * parsed into a heap-allocated message (variable size), and queued for one of
 * six destinations. Destinations drain at different rates; "log" appends what
 * it delivers to an outbox that grows with realloc and is flushed (freed)
 * when full. Every delivered message is freed.
 *
 * The workload scales with the heap: bodies up to heap/2048 bytes (24..1024)
 * and a burst that fills 40 % of the heap. Then half the queues are drained
 * (leaving holes: fragmentation), then the rest. The firmware prints heap
 * statistics, a map of every region, the largest guaranteed allocation, and
 * the instructions spent per malloc/free/realloc call, measured with SysTick
 * under `qemu -icount` (calibrated against a loop of known length, the cost
 * of an empty measurement subtracted). Exit status 0 iff the heap checks out.
 */
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtheap.h"

#ifndef RTHEAP_BOARD_NAME
#define RTHEAP_BOARD_NAME "?"
#endif

extern char __heap_start[], __heap_end[];
extern char __heap2_start[] __attribute__((weak));
extern char __heap2_end[] __attribute__((weak));

/* ---------------------------------------------------------------------- */
/* Instruction counting: SysTick, clocked by the CPU clock, which QEMU's   */
/* -icount ties to executed instructions.                                  */
/* ---------------------------------------------------------------------- */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static inline uint32_t ticks_now(void)
{
    __asm__ volatile("" ::: "memory");
    uint32_t v = SYST_CVR;
    __asm__ volatile("" ::: "memory");
    return v;
}

/* SysTick counts down, 24 bits. */
static inline uint32_t ticks_since(uint32_t t0, uint32_t t1)
{
    return (t0 - t1) & 0xFFFFFFu;
}

static uint32_t ticks_per_kinsn; /* SysTick ticks per 1000 instructions */
static uint32_t empty_ticks;     /* cost of an empty measurement */

typedef struct {
    const char *name;
    uint32_t calls;
    uint64_t insns;
    uint32_t max;
} timing_t;

static timing_t t_malloc = {"malloc", 0, 0, 0};
static timing_t t_free = {"free", 0, 0, 0};
static timing_t t_realloc_in = {"realloc (in place)", 0, 0, 0};
static timing_t t_realloc_mv = {"realloc (moved)", 0, 0, 0};

static void record(timing_t *t, uint32_t ticks)
{
    uint32_t net = ticks > empty_ticks ? ticks - empty_ticks : 0u;
    uint32_t insns = ticks_per_kinsn ? (uint32_t)(((uint64_t)net * 1000u + ticks_per_kinsn / 2u) / ticks_per_kinsn) : 0u;
    t->calls++;
    t->insns += insns;
    if (insns > t->max) {
        t->max = insns;
    }
}

__attribute__((noinline)) static void *empty_call(size_t n)
{
    __asm__ volatile("" : "+r"(n));
    return (void *)n;
}

static void calibrate(void)
{
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0u;
    SYST_CSR = 5u; /* enable, CPU clock, no interrupt */
    /* A loop of exactly 2 instructions per iteration (subs + taken bne). */
    uint32_t n = 50000u;
    uint32_t t0 = ticks_now();
#if defined(__thumb2__)
    __asm__ volatile("1: subs %0, %0, #1\n\tbne 1b" : "+l"(n) : : "cc");
#else /* Armv6-M: GCC's inline assembly is in divided syntax, where sub sets the flags */
    __asm__ volatile("1: sub %0, #1\n\tbne 1b" : "+l"(n) : : "cc");
#endif
    uint32_t t1 = ticks_now();
    uint32_t loop = ticks_since(t0, t1);
    uint32_t e0 = ticks_now();
    uint32_t e1 = ticks_now();
    uint32_t base = ticks_since(e0, e1);
    ticks_per_kinsn = (uint32_t)(((uint64_t)(loop > base ? loop - base : 0u) * 1000u) / 100000u);
    /* The empty measurement: the same bracket around a call that does nothing. */
    uint32_t best = 0xFFFFFFFFu;
    for (int i = 0; i < 8; i++) {
        uint32_t a = ticks_now();
        void *volatile r = empty_call((size_t)i);
        uint32_t b = ticks_now();
        (void)r;
        uint32_t d = ticks_since(a, b);
        best = d < best ? d : best;
    }
    empty_ticks = best;
}

static void *timed_malloc(size_t n)
{
    uint32_t a = ticks_now();
    void *p = malloc(n);
    uint32_t b = ticks_now();
    record(&t_malloc, ticks_since(a, b));
    return p;
}

static void timed_free(void *p)
{
    uint32_t a = ticks_now();
    free(p);
    uint32_t b = ticks_now();
    record(&t_free, ticks_since(a, b));
}

static void *timed_realloc(void *p, size_t n)
{
    if (p == NULL) { /* realloc(NULL, n) is a malloc: count it as one */
        return timed_malloc(n);
    }
    uint32_t a = ticks_now();
    void *q = realloc(p, n);
    uint32_t b = ticks_now();
    record(q == p ? &t_realloc_in : &t_realloc_mv, ticks_since(a, b));
    return q;
}

/* ---------------------------------------------------------------------- */
/* The router                                                              */
/* ---------------------------------------------------------------------- */
#define NDEST 6
static const char *const dest_names[NDEST] = {"uart", "radio", "log", "flash", "net", "ctrl"};
/* Out of 16 ticks, how many a destination delivers one message in the burst. */
static const unsigned dest_rate[NDEST] = {3, 1, 2, 1, 2, 4};

typedef struct msg {
    struct msg *next;
    uint32_t seq;
    uint16_t dest;
    uint16_t prio;
    size_t len;
    char body[];
} msg_t;

typedef struct {
    msg_t *head, *tail;
    uint32_t queued, delivered;
} queue_t;

static queue_t queues[NDEST];
static char *outbox;         /* "log" destination: delivered bodies, grows with realloc */
static size_t outbox_len, outbox_cap, outbox_flushes;
static uint32_t rng = 0x2545F491u;
static uint32_t parsed, dropped, rx_chunks;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static uint32_t rnd_range(uint32_t lo, uint32_t hi)
{
    return lo + rnd() % (hi - lo + 1u);
}

/* Builds the text of one command into buf (at most cap bytes, NUL included). */
static size_t make_command(char *buf, size_t cap, uint32_t seq, size_t body_len)
{
    unsigned d = (unsigned)(rnd() % NDEST);
    int n = snprintf(buf, cap, "{\"to\":\"%s\",\"seq\":%lu,\"prio\":%u,\"body\":\"", dest_names[d],
                     (unsigned long)seq, (unsigned)(rnd() % 4u));
    size_t len = (size_t)n;
    for (size_t i = 0; i < body_len && len + 3 < cap; i++) {
        buf[len++] = (char)('a' + (seq + i) % 26u);
    }
    buf[len++] = '"';
    buf[len++] = '}';
    buf[len] = '\0';
    return len;
}

static const char *field(const char *line, const char *key)
{
    const char *p = strstr(line, key);
    return p != NULL ? p + strlen(key) : NULL;
}

/* Parses one line into a queued message; false if malformed or out of memory. */
static bool parse_and_route(const char *line)
{
    const char *to = field(line, "\"to\":\"");
    const char *seq = field(line, "\"seq\":");
    const char *prio = field(line, "\"prio\":");
    const char *body = field(line, "\"body\":\"");
    if (to == NULL || seq == NULL || prio == NULL || body == NULL) {
        return false;
    }
    int d = -1;
    for (int i = 0; i < NDEST; i++) {
        size_t n = strlen(dest_names[i]);
        if (strncmp(to, dest_names[i], n) == 0 && to[n] == '"') {
            d = i;
        }
    }
    const char *end = strchr(body, '"');
    if (d < 0 || end == NULL) {
        return false;
    }
    size_t len = (size_t)(end - body);
    msg_t *m = timed_malloc(sizeof(msg_t) + len + 1u);
    if (m == NULL) {
        dropped++;
        return false;
    }
    m->next = NULL;
    m->seq = (uint32_t)strtoul(seq, NULL, 10);
    m->prio = (uint16_t)strtoul(prio, NULL, 10);
    m->dest = (uint16_t)d;
    m->len = len;
    memcpy(m->body, body, len);
    m->body[len] = '\0';
    queue_t *q = &queues[d];
    if (q->tail != NULL) {
        q->tail->next = m;
    } else {
        q->head = m;
    }
    q->tail = m;
    q->queued++;
    parsed++;
    return true;
}

/* One command arrives in chunks; the receive buffer doubles with realloc when full. */
static void receive(uint32_t seq, size_t max_body, char *scratch, size_t scratch_cap)
{
    size_t total = make_command(scratch, scratch_cap, seq, rnd_range(8u, (uint32_t)max_body));
    char *rx = NULL;
    size_t have = 0;
    size_t cap = 0;
    while (have < total) {
        size_t chunk = rnd_range(8u, 64u);
        if (chunk > total - have) {
            chunk = total - have;
        }
        if (have + chunk + 1u > cap) {
            size_t want = cap == 0 ? 48u : cap * 2u;
            while (want < have + chunk + 1u) {
                want *= 2u;
            }
            char *grown = timed_realloc(rx, want);
            if (grown == NULL) {
                dropped++;
                timed_free(rx);
                return;
            }
            rx = grown;
            cap = want;
        }
        memcpy(rx + have, scratch + have, chunk);
        have += chunk;
        rx[have] = '\0';
        rx_chunks++;
    }
    (void)parse_and_route(rx);
    timed_free(rx);
}

static void deliver_one(int d)
{
    queue_t *q = &queues[d];
    msg_t *m = q->head;
    if (m == NULL) {
        return;
    }
    q->head = m->next;
    if (q->head == NULL) {
        q->tail = NULL;
    }
    q->queued--;
    q->delivered++;
    if (d == 2) { /* "log": append to the outbox, flush when full */
        if (outbox_len + m->len > outbox_cap) {
            timed_free(outbox);
            outbox = NULL;
            outbox_len = 0;
            outbox_flushes++;
        }
        char *grown = timed_realloc(outbox, outbox_len + m->len);
        if (grown != NULL) {
            outbox = grown;
            memcpy(outbox + outbox_len, m->body, m->len);
            outbox_len += m->len;
        }
    }
    timed_free(m);
}

/* ---------------------------------------------------------------------- */
/* Reporting                                                               */
/* ---------------------------------------------------------------------- */
#define SLICES 64
typedef struct {
    uintptr_t base, len;
    uint32_t used_blocks, free_blocks;
    size_t used_bytes, free_bytes, largest_free;
    uint32_t slice_free[SLICES];
} region_map_t;

static region_map_t regions[2];
static unsigned region_count;

static void region_setup(void)
{
    regions[0].base = (uintptr_t)__heap_start;
    regions[0].len = (uintptr_t)__heap_end - (uintptr_t)__heap_start;
    region_count = 1;
    if (__heap2_start != NULL && (uintptr_t)__heap2_end > (uintptr_t)__heap2_start) {
        regions[1].base = (uintptr_t)__heap2_start;
        regions[1].len = (uintptr_t)__heap2_end - (uintptr_t)__heap2_start;
        region_count = 2;
    }
}

static bool map_block(const rtheap_block_info_t *b, void *user)
{
    (void)user;
    if (b->region >= region_count) {
        return true;
    }
    region_map_t *r = &regions[b->region];
    if (b->used) {
        r->used_blocks++;
        r->used_bytes += b->size;
        return true;
    }
    r->free_blocks++;
    r->free_bytes += b->size;
    if (b->size > r->largest_free) {
        r->largest_free = b->size;
    }
    uintptr_t lo = (uintptr_t)b->ptr - r->base;
    uintptr_t hi = lo + b->size;
    for (unsigned k = (unsigned)((uint64_t)lo * SLICES / r->len); k < SLICES; k++) {
        uintptr_t s0 = (uintptr_t)((uint64_t)r->len * k / SLICES);
        uintptr_t s1 = (uintptr_t)((uint64_t)r->len * (k + 1u) / SLICES);
        if (s0 >= hi) {
            break;
        }
        uintptr_t a = lo > s0 ? lo : s0;
        uintptr_t e = hi < s1 ? hi : s1;
        if (e > a) {
            r->slice_free[k] += (uint32_t)(e - a);
        }
    }
    return true;
}

static void print_size(size_t n)
{
    if (n >= 10u * 1024u * 1024u) {
        printf("%lu MiB", (unsigned long)(n >> 20));
    } else if (n >= 10u * 1024u) {
        printf("%lu KiB", (unsigned long)(n >> 10));
    } else {
        printf("%lu B", (unsigned long)n);
    }
}

static void print_map(const char *title)
{
    for (unsigned i = 0; i < region_count; i++) {
        memset(regions[i].slice_free, 0, sizeof regions[i].slice_free);
        regions[i].used_blocks = regions[i].free_blocks = 0;
        regions[i].used_bytes = regions[i].free_bytes = regions[i].largest_free = 0;
    }
    (void)rtheap_walk(rtheap_default(), map_block, NULL);
    rtheap_stats_t s;
    (void)rtheap_get_stats(rtheap_default(), &s);
    printf("\n-- %s --\n", title);
    printf("heap map ('#' used, '.' free, '+' both; %u slices per region):\n", SLICES);
    for (unsigned i = 0; i < region_count; i++) {
        region_map_t *r = &regions[i];
        char bar[SLICES + 1];
        for (unsigned k = 0; k < SLICES; k++) {
            uint32_t slen = (uint32_t)((uint64_t)r->len * (k + 1u) / SLICES - (uint64_t)r->len * k / SLICES);
            bar[k] = r->slice_free[k] == 0 ? '#' : r->slice_free[k] >= slen ? '.' : '+';
        }
        bar[SLICES] = '\0';
        printf("  r%u %08lx |%s| ", i, (unsigned long)r->base, bar);
        print_size(r->len);
        printf("\n      used %lu blocks, ", (unsigned long)r->used_blocks);
        print_size(r->used_bytes);
        printf("; free %lu blocks, ", (unsigned long)r->free_blocks);
        print_size(r->free_bytes);
        printf(", largest free ");
        print_size(r->largest_free);
        printf("\n");
    }
    printf("stats: used %lu B (+headers %lu B) in %lu blocks, free %lu B, peak %lu B\n",
           (unsigned long)s.used_bytes, (unsigned long)(s.used_bytes_with_overhead - s.used_bytes),
           (unsigned long)s.live_blocks, (unsigned long)s.free_bytes, (unsigned long)s.peak_used_bytes);
    printf("       calls: %lu alloc, %lu free, %lu realloc, %lu failed, %lu errors\n",
           (unsigned long)s.alloc_count, (unsigned long)s.free_count, (unsigned long)s.realloc_count,
           (unsigned long)s.failed_count, (unsigned long)s.error_count);
    printf("largest guaranteed allocation: %lu B (", (unsigned long)s.largest_guaranteed);
    print_size(s.largest_guaranteed);
    printf(")\n");
    printf("queues:");
    for (int d = 0; d < NDEST; d++) {
        printf(" %s %lu", dest_names[d], (unsigned long)queues[d].queued);
    }
    printf("\n");
}

/* The heap map dump (tools/heapmap.py draws it; `rtheap map --dump` in GDB prints the same
 * format): one line per block, "region index address size used", between markers that
 * tools/demo.sh cuts out of the output. */
typedef struct {
    uint32_t region, index;
} dump_pos_t;

static bool dump_block(const rtheap_block_info_t *b, void *user)
{
    dump_pos_t *d = (dump_pos_t *)user;
    if (b->region != d->region) {
        d->region = b->region;
        d->index = 0;
    }
    printf("%lu %lu %#lx %lu %d\n", (unsigned long)b->region, (unsigned long)d->index++,
           (unsigned long)(uintptr_t)b->ptr, (unsigned long)b->size, b->used ? 1 : 0);
    return true;
}

static void print_heapmap_dump(const char *title)
{
    printf("--- heapmap begin ---\n# rtheap heapmap v1\n# title %s: %s\n# word %u\n",
           RTHEAP_BOARD_NAME, title, (unsigned)sizeof(size_t));
    for (unsigned i = 0; i < region_count; i++) {
        printf("# region %u %#lx %#lx\n", i, (unsigned long)regions[i].base,
               (unsigned long)(regions[i].base + regions[i].len));
    }
    dump_pos_t d = {0, 0};
    (void)rtheap_walk(rtheap_default(), dump_block, &d);
    printf("--- heapmap end ---\n");
}

static void print_timing(const timing_t *t)
{
    if (t->calls == 0) {
        printf("  %-18s %8s\n", t->name, "-");
        return;
    }
    printf("  %-18s %8lu %8lu %8lu\n", t->name, (unsigned long)t->calls,
           (unsigned long)((t->insns + t->calls / 2u) / t->calls), (unsigned long)t->max);
}

static uint32_t live_messages(void)
{
    uint32_t n = 0;
    for (int d = 0; d < NDEST; d++) {
        n += queues[d].queued;
    }
    return n;
}

int main(void)
{
    calibrate();
    rtheap_t *heap = rtheap_default();
    if (heap == NULL) {
        printf("no heap\n");
        return 1;
    }
    region_setup();
    rtheap_stats_t s;
    (void)rtheap_get_stats(heap, &s);
    size_t max_body = s.heap_bytes / 2048u;
    max_body = max_body < 24u ? 24u : max_body > 1024u ? 1024u : max_body;
    size_t target = s.heap_bytes / 5u * 2u;
    outbox_cap = s.heap_bytes / 64u;
    outbox_cap = outbox_cap < 256u ? 256u : outbox_cap > 65536u ? 65536u : outbox_cap;
    static char scratch[1024 + 128];

    printf("rtheap demo: message router on %s, heap ", RTHEAP_BOARD_NAME);
    print_size(s.heap_bytes);
    printf(" in %lu region(s)\n", (unsigned long)s.region_count);
    printf("workload: %d destinations, bodies 8..%lu B, burst until 40%% of the heap is in use\n",
           NDEST, (unsigned long)max_body);

    /* Burst: arrivals outpace deliveries until 40 % of the heap is used. */
    uint32_t seq = 0;
    uint32_t tick = 0;
    while (s.used_bytes_with_overhead < target && dropped == 0) {
        receive(seq++, max_body, scratch, sizeof scratch);
        for (int d = 0; d < NDEST; d++) {
            if ((tick + (unsigned)d * 5u) % 16u < dest_rate[d] && rnd() % 4u == 0) {
                deliver_one(d);
            }
        }
        tick++;
        (void)rtheap_get_stats(heap, &s);
    }
    printf("burst: %lu commands parsed (%lu rx chunks), %lu messages queued, %lu dropped\n",
           (unsigned long)parsed, (unsigned long)rx_chunks, (unsigned long)live_messages(),
           (unsigned long)dropped);
    print_map("after the burst");

    /* Drain uart, log and net: their messages leave holes between the others. */
    for (int d = 0; d < NDEST; d += 2) {
        while (queues[d].head != NULL) {
            deliver_one(d);
        }
    }
    print_map("uart, log and net drained (fragmented)");
    print_heapmap_dump("uart, log and net drained (fragmented)");

    /* A second, smaller burst reuses the holes; then everything is delivered. */
    for (uint32_t i = 0; i < parsed / 4u && dropped == 0; i++) {
        receive(seq++, max_body, scratch, sizeof scratch);
    }
    for (int d = 0; d < NDEST; d++) {
        while (queues[d].head != NULL) {
            deliver_one(d);
        }
    }
    timed_free(outbox);
    outbox = NULL;
    print_map("everything delivered");

    printf("\ninstructions per call (SysTick under qemu -icount, empty call subtracted):\n");
    printf("  %-18s %8s %8s %8s\n", "call", "calls", "mean", "max");
    print_timing(&t_malloc);
    print_timing(&t_free);
    print_timing(&t_realloc_in);
    print_timing(&t_realloc_mv);
    printf("  (calibration: %lu.%03lu SysTick ticks per instruction, empty measurement %lu ticks;\n"
           "   a moved realloc includes copying the old block, up to %lu B here)\n",
           (unsigned long)(ticks_per_kinsn / 1000u), (unsigned long)(ticks_per_kinsn % 1000u),
           (unsigned long)empty_ticks, (unsigned long)(outbox_cap > max_body ? outbox_cap : max_body));

    rtheap_error_t err = rtheap_check(heap);
    (void)rtheap_get_stats(heap, &s);
    bool ok = err == RTHEAP_OK && s.live_blocks == 0 && s.error_count == 0;
    printf("\nheap check: %s (%s), %lu live blocks, %lu messages routed, %lu outbox flushes\n",
           ok ? "OK" : "FAILED", rtheap_error_name(err), (unsigned long)s.live_blocks,
           (unsigned long)parsed, (unsigned long)outbox_flushes);
    return ok ? 0 : 1;
}
