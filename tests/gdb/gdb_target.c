/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Target firmware for the GDB extension test (tests/gdb/run_gdb_test.py).
 *
 * Builds two heaps with known content - the default heap (both RAM regions of the board)
 * and a small heap of two static buffers whose second region is cut into chunks by
 * fences - prints its own view of them over semihosting (rtheap_get_stats() numbers and
 * rtheap_walk() lines in the heap map dump format), then stops in gdb_stop_here(), where
 * GDB inspects the heaps with tools/gdb/rtheap.py. Each later stop follows a round in
 * which GDB damaged the heap: the firmware prints what rtheap_check() says of it, so the
 * test can compare it with `rtheap check`. Without GDB it runs straight through (0 rounds).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "harness.h"
#include "rtheap.h"

/* Read by GDB (the test's command file). */
rtheap_t *gdb_default;
rtheap_t *gdb_small;
void *gdb_victim;      /* a live block of the default heap, in region 0 */
void *gdb_free_victim; /* the payload of a free block of the default heap, in region 0 */
void *gdb_big;         /* a live block in region 1 of the default heap */
void *gdb_small_free;  /* the payload of a free block of the small heap */
/* Written by GDB: how many damage-and-check rounds follow the first stop. */
volatile uint32_t gdb_rounds;

static uint8_t small_a[2048] __attribute__((aligned(8)));
static uint8_t small_b[8192] __attribute__((aligned(8)));

/* GDB's breakpoint. */
void gdb_stop_here(void);
__attribute__((noinline, used)) void gdb_stop_here(void)
{
    __asm__ volatile("" ::: "memory");
}

static void print_kv(const char *key, unsigned long long v)
{
    th_print("stats ");
    th_print(key);
    th_print(" ");
    th_print_u(v);
    th_print("\n");
}

static void print_stats(const char *name, rtheap_t *heap)
{
    rtheap_stats_t s;
    (void)rtheap_get_stats(heap, &s);
    th_print("== stats ");
    th_println(name);
    print_kv("heap_bytes", s.heap_bytes);
    print_kv("arena_bytes", s.arena_bytes);
    print_kv("used_bytes", s.used_bytes);
    print_kv("used_bytes_with_overhead", s.used_bytes_with_overhead);
    print_kv("free_bytes", s.free_bytes);
    print_kv("peak_used_bytes", s.peak_used_bytes);
    print_kv("largest_guaranteed", s.largest_guaranteed);
    print_kv("live_blocks", s.live_blocks);
    print_kv("alloc_count", s.alloc_count);
    print_kv("free_count", s.free_count);
    print_kv("realloc_count", s.realloc_count);
    print_kv("failed_count", s.failed_count);
    print_kv("error_count", s.error_count);
    print_kv("region_count", s.region_count);
    print_kv("quarantine_count", s.quarantine_count);
    print_kv("quarantined_bytes", s.quarantined_bytes);
}

typedef struct {
    uint32_t region, index;
} walk_pos_t;

static bool dump_block(const rtheap_block_info_t *b, void *user)
{
    walk_pos_t *w = (walk_pos_t *)user;
    if (b->region != w->region) {
        w->region = b->region;
        w->index = 0;
    }
    th_print_u(b->region);
    th_print(" ");
    th_print_u(w->index++);
    th_print(" ");
    th_print_x((uintptr_t)b->ptr);
    th_print(" ");
    th_print_u(b->size);
    th_print(b->used ? " 1\n" : " 0\n");
    return true;
}

static void print_region(unsigned i, const void *lo, size_t bytes)
{
    th_print("# region ");
    th_print_u(i);
    th_print(" ");
    th_print_x((uintptr_t)lo);
    th_print(" ");
    th_print_x((uintptr_t)lo + bytes);
    th_print("\n");
}

static void print_walk(const char *name, rtheap_t *heap, const void *const lo[2], const size_t bytes[2])
{
    th_print("== walk ");
    th_println(name);
    th_println("# rtheap heapmap v1");
    for (unsigned i = 0; i < 2; i++) {
        if (bytes[i] != 0) {
            print_region(i, lo[i], bytes[i]);
        }
    }
    walk_pos_t w = {0, 0};
    (void)rtheap_walk(heap, dump_block, &w);
    th_println("== end");
}

static void print_check(void)
{
    rtheap_error_t d = rtheap_check(gdb_default);
    rtheap_error_t s = rtheap_check(gdb_small);
    th_print("check default ");
    th_print_u((unsigned)d);
    th_print(" ");
    th_println(rtheap_error_name(d));
    th_print("check small ");
    th_print_u((unsigned)s);
    th_print(" ");
    th_println(rtheap_error_name(s));
}

int main(void)
{
    gdb_default = rtheap_default();
    if (!TH_CHECK_NOT_NULL(gdb_default)) {
        return th_summary();
    }
    /* Default heap: a few blocks, some freed (holes between live ones), one realloc,
     * one aligned block, and a block too large for region 0 (it lands in region 1). */
    void *p[12];
    static const size_t sizes[12] = {24, 100, 8, 300, 48, 1000, 16, 64, 2000, 40, 500, 12};
    for (unsigned i = 0; i < 12; i++) {
        p[i] = rtheap_alloc(gdb_default, sizes[i]);
        TH_CHECK_NOT_NULL(p[i]);
    }
    rtheap_free(gdb_default, p[1]);
    rtheap_free(gdb_default, p[5]);
    rtheap_free(gdb_default, p[6]); /* merges with p[5]'s hole */
    rtheap_free(gdb_default, p[9]);
    p[3] = rtheap_realloc(gdb_default, p[3], 320);
    void *al = rtheap_alloc_aligned(gdb_default, 200, 256);
    TH_CHECK_NOT_NULL(al);
    void *big_size_probe = NULL;
    void *r2 = NULL;
    size_t r2_bytes = board_heap2(&r2);
    if (r2_bytes != 0) {
        gdb_big = rtheap_alloc(gdb_default, 5u << 20); /* larger than region 0 */
        TH_CHECK_NOT_NULL(gdb_big);
        big_size_probe = rtheap_alloc(gdb_default, 777);
    }
    gdb_victim = p[4];
    gdb_free_victim = p[1];
    (void)big_size_probe;

    /* Small heap: 2 KiB with a region four times as large, cut up by fences. */
    gdb_small = rtheap_init(small_a, sizeof small_a);
    TH_CHECK_NOT_NULL(gdb_small);
    TH_CHECK(rtheap_add_region(gdb_small, small_b, sizeof small_b));
    void *q[8];
    for (unsigned i = 0; i < 8; i++) {
        q[i] = rtheap_alloc(gdb_small, 200u + 150u * i);
    }
    rtheap_free(gdb_small, q[2]);
    rtheap_free(gdb_small, q[5]);
    gdb_small_free = q[2] != NULL ? q[2] : q[5];

    TH_CHECK_EQ(rtheap_check(gdb_default), RTHEAP_OK);
    TH_CHECK_EQ(rtheap_check(gdb_small), RTHEAP_OK);

    void *r1 = NULL;
    const void *lo_d[2];
    size_t bytes_d[2];
    bytes_d[0] = board_heap(&r1);
    lo_d[0] = r1;
    lo_d[1] = r2;
    bytes_d[1] = r2_bytes;
    const void *lo_s[2] = {small_a, small_b};
    const size_t bytes_s[2] = {sizeof small_a, sizeof small_b};

    th_print("gdb_target on ");
    th_println(RTHEAP_BOARD_NAME);
    print_stats("default", gdb_default);
    print_walk("default", gdb_default, lo_d, bytes_d);
    print_stats("small", gdb_small);
    print_walk("small", gdb_small, lo_s, bytes_s);

    gdb_stop_here();
    for (uint32_t round = 0; round < gdb_rounds; round++) {
        th_print("== round ");
        th_print_u(round + 1u);
        th_print("\n");
        print_check();
        gdb_stop_here();
    }
    th_println("== final");
    print_check();
    TH_CHECK_EQ(rtheap_check(gdb_default), RTHEAP_OK);
    TH_CHECK_EQ(rtheap_check(gdb_small), RTHEAP_OK);
    return th_summary();
}
