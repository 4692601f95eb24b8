/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap_init(): NULL and tiny regions, misaligned starts, control-structure sizes,
 * the state right after init, larger regions never giving smaller blocks, and heaps
 * as large as the RAM at hand. */
#include "core_util.h"

#define GUARD 64u
#define GUARD_BYTE 0xC3u

#if TH_IS_TARGET
#define TINY_MAX 700u
static uint8_t host_big[8]; /* unused on targets: the linker heap is used */
#else
#define TINY_MAX 900u
static uint8_t host_big[16u * 1024u * 1024u] __attribute__((aligned(64)));
#endif

static uint8_t buf[GUARD + 4096u + 64u + GUARD] __attribute__((aligned(64)));

static void fill_guards(void)
{
    cu_set(buf, GUARD_BYTE, sizeof buf);
}

/* Bytes outside [GUARD + off, GUARD + off + n) are untouched. */
static bool guards_ok(size_t off, size_t n)
{
    return cu_all(buf, GUARD_BYTE, GUARD + off) &&
           cu_all(buf + GUARD + off + n, GUARD_BYTE, sizeof buf - GUARD - off - n);
}

/* Everything the header promises right after init of `n` bytes. */
static void check_fresh(rtheap_t *heap, void *mem, size_t n, const char *what)
{
    rtheap_stats_t s;
    if (!TH_CHECK(rtheap_get_stats(heap, &s))) {
        return;
    }
    int ok = 1;
    ok &= TH_CHECK((uintptr_t)heap >= (uintptr_t)mem && (uintptr_t)heap < (uintptr_t)mem + CU_ALIGN);
    ok &= TH_CHECK_EQ(s.heap_bytes, n);
    ok &= TH_CHECK(s.arena_bytes >= CU_MIN_BLOCK && s.arena_bytes < n);
    /* overhead: control (with its worst-case padding) + sentinel word + end padding */
    ok &= TH_CHECK(n - s.arena_bytes <= rtheap_control_size(n) + CU_WORD + CU_ALIGN - 1u);
    ok &= TH_CHECK(s.arena_bytes % CU_ALIGN == 0);
    ok &= TH_CHECK_EQ(s.used_bytes, 0);
    ok &= TH_CHECK_EQ(s.used_bytes_with_overhead, 0);
    ok &= TH_CHECK_EQ(s.free_bytes, s.arena_bytes);
    ok &= TH_CHECK_EQ(s.peak_used_bytes, 0);
    ok &= TH_CHECK_EQ(s.live_blocks, 0);
    ok &= TH_CHECK_EQ(s.alloc_count + s.free_count + s.realloc_count + s.failed_count, 0);
    ok &= TH_CHECK_EQ(s.error_count, 0);
    ok &= TH_CHECK_EQ(s.region_count, 1);
    /* one free block: everything but its header is guaranteed */
    ok &= TH_CHECK_EQ(s.largest_guaranteed, s.arena_bytes - CU_WORD);
    ok &= CU_CHECK_HEAP(heap);

    /* an allocation of exactly largest_guaranteed succeeds ... */
    size_t big = s.largest_guaranteed;
    void *p = rtheap_alloc(heap, big);
    ok &= TH_CHECK_NOT_NULL(p);
    if (p != NULL) {
        ok &= TH_CHECK(cu_aligned(p, CU_ALIGN));
        ok &= TH_CHECK_EQ(rtheap_usable_size(heap, p), big);
        /* the whole payload is writable (guards catch writes past the region) */
        cu_set(p, 0x5A, big);
        ok &= TH_CHECK_EQ(cu_largest(heap), 0);
        ok &= CU_CHECK_HEAP(heap);
        rtheap_free(heap, p);
    }
    /* ... one ALIGN (or one byte) larger fails and is counted */
    uint32_t failed = cu_failed_count(heap);
    ok &= TH_CHECK_NULL(rtheap_alloc(heap, big + CU_ALIGN));
    ok &= TH_CHECK_NULL(rtheap_alloc(heap, big + 1u));
    ok &= TH_CHECK_EQ(cu_failed_count(heap), failed + 2u);
    ok &= TH_CHECK_EQ(cu_largest(heap), big);
    ok &= TH_CHECK_EQ(cu_error_count(heap), 0);
    ok &= CU_CHECK_HEAP(heap);
    if (!ok) {
        th_print("  ... in ");
        th_print(what);
        th_print(", bytes=");
        th_print_u(n);
        th_println("");
    }
}

static void test_null_and_tiny(void)
{
    TH_CHECK_NULL(rtheap_init(NULL, 4096));
    TH_CHECK_NULL(rtheap_init(NULL, 0));
    /* NULL handle: every call is a harmless no-op */
    TH_CHECK_NULL(rtheap_alloc(NULL, 16));
    TH_CHECK_NULL(rtheap_alloc_aligned(NULL, 16, 64));
    TH_CHECK_NULL(rtheap_calloc(NULL, 1, 16));
    TH_CHECK_NULL(rtheap_realloc(NULL, NULL, 16));
    TH_CHECK_NULL(rtheap_realloc_aligned(NULL, NULL, 16, 8));
    TH_CHECK_EQ(rtheap_resize_in_place(NULL, buf, 16), 0);
    TH_CHECK_EQ(rtheap_usable_size(NULL, buf), 0);
    rtheap_free(NULL, buf);
    TH_CHECK(!rtheap_add_region(NULL, buf, sizeof buf));
    TH_CHECK_EQ(rtheap_check(NULL), RTHEAP_ERR_CONTROL);
    rtheap_stats_t s;
    TH_CHECK(!rtheap_get_stats(NULL, &s));

    /* init succeeds exactly when the region holds the control structure (whose size
     * depends on the region size: rtheap_control_size), one minimum block and the
     * sentinel; and on every region at least as large as the smallest it accepts
     * (a size whose index would not leave room for a block gets fewer rows). */
    size_t min_ok = 0;
    uint32_t bad = 0;
    uint32_t dips = 0;
    for (size_t n = 0; n <= TINY_MAX; n++) {
        fill_guards();
        rtheap_t *h = rtheap_init(buf + GUARD, n);
        if (!guards_ok(0, n)) {
            if (bad++ < 5) {
                th_print("  init wrote outside the region, bytes=");
                th_print_u(n);
                th_println("");
            }
        }
        /* rtheap.h: a region of rtheap_control_size(n) + RTHEAP_MIN_BLOCK bytes is
         * enough at any start address; none smaller than the control structure
         * without its worst-case padding (three alignments and the sentinel)
         * plus a minimum block can be. */
        size_t need_max = rtheap_control_size(n) + CU_MIN_BLOCK;
        size_t need_min = rtheap_control_size(n) - 3u * CU_ALIGN - sizeof(void *) + CU_MIN_BLOCK;
        if ((h == NULL && n >= need_max) || (h != NULL && n < need_min)) {
            if (bad++ < 5) {
                th_print("  init result disagrees with rtheap_control_size, bytes=");
                th_print_u(n);
                th_println(h == NULL ? " (failed)" : " (succeeded)");
            }
        }
        if (h == NULL) {
            if (min_ok != 0 && dips++ < 5) {
                th_print("  init fails at ");
                th_print_u(n);
                th_println(" bytes although a smaller region worked");
            }
            continue;
        }
        if (min_ok == 0) {
            min_ok = n;
        }
        unsigned long before = th_failed_;
        check_fresh(h, buf + GUARD, n, "tiny region");
        if (!guards_ok(0, n)) {
            bad++;
        }
        if (th_failed_ != before) {
            break; /* one report is enough */
        }
    }
    TH_CHECK_EQ(bad, 0);
    TH_CHECK_EQ(dips, 0);
    th_print("smallest region init accepts: ");
    th_print_u(min_ok);
    th_print(" bytes; rtheap_control_size(");
    th_print_u(min_ok);
    th_print(") = ");
    th_print_u(rtheap_control_size(min_ok));
    th_println("");
    TH_CHECK(min_ok != 0);
}

static void test_misaligned_starts(void)
{
    const size_t n = 1024;
    for (size_t off = 0; off < 2u * CU_ALIGN; off++) {
        fill_guards();
        rtheap_t *h = rtheap_init(buf + GUARD + off, n);
        if (!TH_CHECK_NOT_NULL(h)) {
            continue;
        }
        TH_CHECK(cu_aligned(h, sizeof(void *)));
        unsigned long before = th_failed_;
        check_fresh(h, buf + GUARD + off, n, "misaligned start");
        /* several blocks, all aligned */
        void *a = rtheap_alloc(h, 1);
        void *b = rtheap_alloc(h, 100);
        TH_CHECK(a != NULL && b != NULL && cu_aligned(a, CU_ALIGN) && cu_aligned(b, CU_ALIGN));
        TH_CHECK((uintptr_t)a >= (uintptr_t)(buf + GUARD + off));
        rtheap_free(h, a);
        rtheap_free(h, b);
        CU_CHECK_HEAP(h);
        TH_CHECK(guards_ok(off, n));
        if (th_failed_ != before) {
            th_print("  ... at offset ");
            th_print_u(off);
            th_println("");
            break;
        }
    }
}

static void test_control_sizes(void)
{
    /* grows with log2 of the size: one row (SL_COUNT heads + one bitmap word) per doubling */
    size_t row = (1u << RTHEAP_SL_LOG2) * sizeof(void *) + sizeof(uint32_t);
    /* (up to where the index saturates: 2^31 granules, and on 32-bit targets blocks
     * below 16 MiB: sizes stay below the header's tag byte) */
    for (uint32_t k = 12; k + 1u < sizeof(size_t) * 8u &&
                          ((size_t)1 << (k + 1u)) / CU_ALIGN < ((size_t)1 << 30) &&
                          (sizeof(size_t) > 4u || k + 1u < 24u);
         k++) {
        size_t a = rtheap_control_size((size_t)1 << k);
        size_t b = rtheap_control_size((size_t)1 << (k + 1u));
        TH_CHECK_EQ(b - a, row);
        TH_CHECK(rtheap_control_size(((size_t)1 << (k + 1u)) - 1u) >= a);
    }
    /* pure and bounded for absurd sizes */
    TH_CHECK(rtheap_control_size(SIZE_MAX) < 64u * row + 1024u);
    TH_CHECK(rtheap_control_size(0) > 0);

    static const size_t sizes[] = {4096u, 65536u, 1048576u};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        th_print("control structure for ");
        th_print_u(n);
        th_print(" bytes: rtheap_control_size=");
        th_print_u(rtheap_control_size(n));
        size_t avail;
        void *mem = cu_big_area(host_big, sizeof host_big, n, &avail);
        if (avail < n) {
            th_println(" (no RAM to measure here)");
            continue;
        }
        rtheap_t *h = rtheap_init(mem, n);
        rtheap_stats_t s;
        if (!TH_CHECK_NOT_NULL(h) || !TH_CHECK(rtheap_get_stats(h, &s))) {
            th_println("");
            continue;
        }
        th_print(", measured heap_bytes-arena_bytes=");
        th_print_u(s.heap_bytes - s.arena_bytes);
        th_print(" (incl. sentinel), largest_guaranteed=");
        th_print_u(s.largest_guaranteed);
        th_println("");
        check_fresh(h, mem, n, "control-size region");
    }
}

/* A larger region never gives a smaller largest block, nor a smaller arena, at
 * any start: where a region is a few bytes past what an index row fewer
 * serves, it gets the row fewer (and leaves those bytes out) rather than a
 * row more that would take more than the few bytes give. The fresh heap is
 * still one free block. */
static void test_larger_is_never_smaller(void)
{
#if TH_IS_TARGET
    size_t top = 4096u;
    uint8_t *mem = buf + GUARD;
#else
    size_t top = 70000u;
    uint8_t *mem = host_big;
#endif
    uint32_t bad = 0;
    for (size_t off = 0; off < CU_ALIGN + CU_WORD; off += CU_WORD / 2u) {
        size_t prev_largest = 0;
        size_t prev_arena = 0;
        for (size_t n = 64u; n + off <= top; n += CU_WORD) {
            rtheap_t *h = rtheap_init(mem + off, n);
            rtheap_stats_t s;
            if (h == NULL || !rtheap_get_stats(h, &s)) {
                continue;
            }
            bool ok = s.largest_guaranteed >= prev_largest && s.arena_bytes >= prev_arena &&
                      s.largest_guaranteed == s.arena_bytes - CU_WORD;
            if (!ok && bad++ < 5) {
                th_print("  region of ");
                th_print_u(n);
                th_print(" bytes at offset ");
                th_print_u(off);
                th_print(": largest_guaranteed ");
                th_print_u(s.largest_guaranteed);
                th_print(" (before ");
                th_print_u(prev_largest);
                th_print("), arena ");
                th_print_u(s.arena_bytes);
                th_print(" (before ");
                th_print_u(prev_arena);
                th_println(")");
            }
            prev_largest = s.largest_guaranteed;
            prev_arena = s.arena_bytes;
        }
        TH_CHECK(prev_largest > 0);
    }
    TH_CHECK_EQ(bad, 0);
}

/* The largest region at hand: all of the board's linker heap (or 16 MiB on the host). */
static void test_big_region(void)
{
    size_t n;
    void *mem = cu_big_area(host_big, sizeof host_big, SIZE_MAX, &n);
    th_print("big region: ");
    th_print_u(n);
    th_println(" bytes");
    rtheap_t *h = rtheap_init(mem, n);
    if (!TH_CHECK_NOT_NULL(h)) {
        return;
    }
    check_fresh(h, mem, n, "big region");
    /* carve it into 16 pieces and give them back */
    void *p[16];
    size_t piece = cu_largest(h) / 17u;
    for (int i = 0; i < 16; i++) {
        p[i] = rtheap_alloc(h, piece);
        TH_CHECK_NOT_NULL(p[i]);
    }
    CU_CHECK_HEAP(h);
    for (int i = 0; i < 16; i += 2) {
        rtheap_free(h, p[i]);
    }
    for (int i = 1; i < 16; i += 2) {
        rtheap_free(h, p[i]);
    }
    CU_CHECK_HEAP(h);
    /* re-init on the same memory gives a fresh heap */
    h = rtheap_init(mem, n);
    if (TH_CHECK_NOT_NULL(h)) {
        check_fresh(h, mem, n, "re-init");
    }
}

int main(void)
{
    th_println("test_init");
    test_null_and_tiny();
    test_misaligned_starts();
    test_control_sizes();
    test_larger_is_never_smaller();
    test_big_region();
    return th_summary();
}
