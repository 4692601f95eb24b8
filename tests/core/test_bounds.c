/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The bounds rtheap_init() promises, and sizes that wrap.
 *
 * 1. rtheap.h: init returns NULL only if the region cannot hold
 *    rtheap_control_size(bytes) + RTHEAP_MIN_BLOCK. So every region of n bytes with
 *    n >= rtheap_control_size(n) + RTHEAP_MIN_BLOCK must be accepted, whatever its start
 *    address: tested for every start offset 0..63 and every n where that bound is tight
 *    (the smallest n of each index size), plus n = rtheap_control_size(x) + MIN_BLOCK for
 *    a range of x. Each heap made must write nothing outside its region and hold a block.
 * 2. rtheap_init(buf, SIZE_MAX), and sizes for which buf + bytes wraps the address
 *    space, must be refused (NULL) by rtheap_init, rtheap_init_for and rtheap_add_region
 *    (reported), without writing anything: the guard zone behind the buffer stays intact
 *    (and host-asan traps any write outside it).
 * Host and every board. */
#include "core_util.h"

#define GUARD 64u
#define GUARD_BYTE 0xC3u
#define MAX_OFF 64u

#if TH_IS_TARGET
#define SCAN_MAX (6u * 1024u) /* tight sizes searched up to here (microbit: 16 KiB RAM) */
#else
#define SCAN_MAX (64u * 1024u)
#endif

/* One object, so that "behind the buffer" is a guard zone and not another variable. */
static struct {
    uint8_t lead[GUARD];
    uint8_t mem[SCAN_MAX + MAX_OFF];
    uint8_t tail[2048]; /* a wrapped size must not even write here */
} zone __attribute__((aligned(64)));
static cu_hook_t hook;

static void guard_fill(size_t off, size_t n)
{
    /* Only what a test can touch: the lead, the region and a stretch behind it. */
    cu_set(zone.lead, GUARD_BYTE, GUARD);
    cu_set(zone.mem, GUARD_BYTE, off);
    size_t behind = sizeof zone.mem - off - n;
    cu_set(zone.mem + off + n, GUARD_BYTE, behind < GUARD ? behind : GUARD);
}

static bool guard_ok(size_t off, size_t n)
{
    size_t behind = sizeof zone.mem - off - n;
    return cu_all(zone.lead, GUARD_BYTE, GUARD) && cu_all(zone.mem, GUARD_BYTE, off) &&
           cu_all(zone.mem + off + n, GUARD_BYTE, behind < GUARD ? behind : GUARD);
}

static size_t promised(size_t n)
{
    return rtheap_control_size(n) + RTHEAP_MIN_BLOCK;
}

static uint32_t bad_reports;

static void note_bad(const char *what, size_t n, size_t off)
{
    if (bad_reports++ < 8u) {
        th_print("  ");
        th_print(what);
        th_print(": bytes=");
        th_print_u(n);
        th_print(" (control_size ");
        th_print_u(rtheap_control_size(n));
        th_print(" + MIN_BLOCK ");
        th_print_u(RTHEAP_MIN_BLOCK);
        th_print(") offset ");
        th_print_u(off);
        th_println("");
    }
}

/* n bytes at every offset: accepted, inside its region, one working block. */
static uint32_t region_all_offsets(size_t n)
{
    uint32_t bad = 0;
    for (size_t off = 0; off < MAX_OFF; off++) {
        guard_fill(off, n);
        rtheap_t *h = rtheap_init(zone.mem + off, n);
        if (h == NULL) {
            note_bad("init refused a region the header promises to accept", n, off);
            bad++;
            continue;
        }
        rtheap_stats_t s;
        bool ok = rtheap_get_stats(h, &s) && s.largest_guaranteed + CU_WORD >= RTHEAP_MIN_BLOCK &&
                  rtheap_check(h) == RTHEAP_OK;
        void *p = ok ? rtheap_alloc(h, s.largest_guaranteed) : NULL;
        if (p != NULL) {
            cu_set(p, 0x5A, s.largest_guaranteed);
            rtheap_free(h, p);
        }
        if (!ok || p == NULL || rtheap_check(h) != RTHEAP_OK) {
            note_bad("heap at the bound does not work", n, off);
            bad++;
        }
        if (!guard_ok(off, n)) {
            note_bad("init or its block wrote outside the region", n, off);
            bad++;
        }
    }
    return bad;
}

static void test_init_bound(void)
{
    uint32_t bad = 0, sizes = 0;
    /* The tight sizes: n meets the promise and n - 1 does not. */
    for (size_t n = 1; n <= SCAN_MAX; n++) {
        if (n >= promised(n) && n - 1u < promised(n - 1u)) {
            bad += region_all_offsets(n);
            sizes++;
        }
    }
    /* n = control_size(x) + MIN_BLOCK for x across the range (the bound as the issue
     * states it), when that n meets the promise itself. */
    for (size_t x = 64; x <= SCAN_MAX - 512u; x += x / 8u) {
        size_t n = promised(x);
        if (n <= SCAN_MAX && n >= promised(n)) {
            bad += region_all_offsets(n);
            sizes++;
        }
    }
    th_print("init bound: ");
    th_print_u(sizes);
    th_print(" sizes x ");
    th_print_u(MAX_OFF);
    th_print(" offsets, ");
    th_print_u(bad);
    th_println(" failures");
    TH_CHECK(sizes >= 4u);
    TH_CHECK_EQ(bad, 0);
}

/* The tail zone is untouched (a wrapped size wrote nothing past the region it had). */
static bool untouched(void)
{
    return cu_all(zone.mem, GUARD_BYTE, sizeof zone.mem) &&
           cu_all(zone.tail, GUARD_BYTE, sizeof zone.tail);
}

static void reset_zone(void)
{
    cu_set(zone.mem, GUARD_BYTE, sizeof zone.mem);
    cu_set(zone.tail, GUARD_BYTE, sizeof zone.tail);
}

static void test_wrapping_sizes(void)
{
    uint8_t *mem = zone.mem + 8;
    uintptr_t lo = (uintptr_t)mem;
    /* SIZE_MAX, and sizes for which lo + bytes wraps to a little above 0 or to just
     * below lo (which would pass a "hi > lo" test after rounding). */
    const size_t sizes[] = {SIZE_MAX,
                            SIZE_MAX - 1u,
                            SIZE_MAX - 63u,
                            (size_t)(0u - lo),
                            (size_t)(0u - lo) + 1u,
                            (size_t)(0u - lo) + 16u,
                            (size_t)(0u - lo) + 4096u};
    const unsigned n = (unsigned)(sizeof sizes / sizeof sizes[0]);
    for (unsigned i = 0; i < n; i++) {
        size_t bytes = sizes[i];
        if (lo + bytes >= lo) {
            continue; /* cannot happen for these sizes; kept as a guard */
        }
        int ok = 1;
        reset_zone();
        ok &= TH_CHECK_NULL(rtheap_init(mem, bytes));
        ok &= TH_CHECK(untouched());
        reset_zone();
        ok &= TH_CHECK_NULL(rtheap_init_for(mem, bytes, bytes));
        ok &= TH_CHECK(untouched());
        if (!ok) {
            th_print("  ... init with a size that wraps: bytes=");
            th_print_x(bytes);
            th_println("");
        }
    }
    /* add_region: the same sizes are refused and reported; the heap is unchanged. */
    static uint8_t first[2048] __attribute__((aligned(16)));
    rtheap_t *h = rtheap_init(first, sizeof first);
    if (!TH_CHECK_NOT_NULL(h)) {
        return;
    }
    cu_install_hook(h, &hook);
    rtheap_stats_t s0, s1;
    TH_CHECK(rtheap_get_stats(h, &s0));
    for (unsigned i = 0; i < n; i++) {
        size_t bytes = sizes[i];
        if (lo + bytes >= lo) {
            continue;
        }
        reset_zone();
        cu_hook_reset(&hook);
        int ok = TH_CHECK(!rtheap_add_region(h, mem, bytes));
        ok &= TH_CHECK_EQ(hook.calls, 1);
        ok &= TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_ARGUMENT);
        ok &= TH_CHECK(untouched());
        if (!ok) {
            th_print("  ... add_region with a size that wraps: bytes=");
            th_print_x(bytes);
            th_println("");
        }
    }
    TH_CHECK(rtheap_get_stats(h, &s1));
    TH_CHECK_EQ(s1.region_count, s0.region_count);
    TH_CHECK_EQ(s1.heap_bytes, s0.heap_bytes);
    TH_CHECK_EQ(s1.arena_bytes, s0.arena_bytes);
    CU_CHECK_HEAP(h);
    /* A huge largest_region with a real first region is fine: the index is capped. */
    reset_zone();
    rtheap_t *g = rtheap_init_for(zone.mem, sizeof zone.mem, SIZE_MAX);
    if (g != NULL) {
        CU_CHECK_HEAP(g);
        void *p = rtheap_alloc(g, 100);
        TH_CHECK_NOT_NULL(p);
        rtheap_free(g, p);
    }
    TH_CHECK(cu_all(zone.tail, GUARD_BYTE, sizeof zone.tail));
}

int main(void)
{
    th_println("core_bounds: init bound over offsets 0..63; sizes that wrap");
    test_init_bound();
    test_wrapping_sizes();
    return th_summary();
}
