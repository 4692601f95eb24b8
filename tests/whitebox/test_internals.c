/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* White-box: bit scans, size classes, index sizing, block sizes.
 * Compiles rtheap.c into itself to reach the RTHEAP_PRIVATE helpers. Built on the host
 * as is (CLZ) and with -DRTHEAP_USE_CLZ=0 (software de Bruijn scans and the class table,
 * the path cortex-m0 and Armv8-M Baseline use), that one also with RTHEAP_SL_LOG2 2 and 5. */
#include "rtheap.c"

#include "../core/core_util.h"

#if TH_IS_TARGET
#define N_RANDOM 20000u
#define G_EXHAUSTIVE 4096u
#define G_RANDOM 20000u
#else
#define N_RANDOM 2000000u
#define G_EXHAUSTIVE (1u << 20)
#define G_RANDOM 2000000u
#endif

/* Smallest granule count of class c: the inverse of rtheap_class_of, written
 * out plainly as the reference the branch-free class functions are held to. */
static uint32_t rtheap_class_min(uint32_t c)
{
    uint32_t fl = c / SL_COUNT;
    uint32_t sl = c % SL_COUNT;
    if (fl == 0) {
        return sl;
    }
    return (SL_COUNT + sl) << (fl - 1u);
}

static uint32_t ref_fls(uint32_t x)
{
    uint32_t i = 31;
    while ((x & (1u << i)) == 0) {
        i--;
    }
    return i;
}

static uint32_t ref_ffs(uint32_t x)
{
    uint32_t i = 0;
    while ((x & (1u << i)) == 0) {
        i++;
    }
    return i;
}

static void test_bit_scans(void)
{
    th_print("bit scans: RTHEAP_USE_CLZ=");
    th_print_u(RTHEAP_USE_CLZ);
    th_println("");
    for (uint32_t i = 0; i < 32; i++) {
        TH_CHECK_EQ(rtheap_fls(1u << i), i);
        TH_CHECK_EQ(rtheap_ffs(1u << i), i);
        /* all bits from i up / all bits up to i */
        TH_CHECK_EQ(rtheap_ffs(~0u << i), i);
        TH_CHECK_EQ(rtheap_fls(~0u >> (31u - i)), i);
        TH_CHECK_EQ(rtheap_fls((1u << i) | 1u), i);
        TH_CHECK_EQ(rtheap_ffs((1u << i) | 0x80000000u), i);
    }
    uint32_t seed = 0x1234567u;
    uint32_t bad = 0;
    for (uint32_t n = 0; n < N_RANDOM; n++) {
        uint32_t x = th_rand(&seed);
        /* spread the magnitudes: shift right by a random amount */
        x >>= th_rand(&seed) % 32u;
        if (x == 0) {
            continue;
        }
        if (rtheap_fls(x) != ref_fls(x) || rtheap_ffs(x) != ref_ffs(x)) {
            if (bad++ < 5) {
                th_print("  scan mismatch for x=");
                th_print_x(x);
                th_println("");
            }
        }
    }
    TH_CHECK_EQ(bad, 0);
}

/* Last valid class: the index has at most FL_MAX rows and classes below 2^31 granules. */
static void check_class_of(uint32_t g, uint32_t *bad)
{
    uint32_t c = rtheap_class_of(g);
    bool ok = rtheap_class_min(c) <= g;
    /* the next class starts above g */
    ok = ok && (g >= (1u << 30) || rtheap_class_min(c + 1u) > g);
    ok = ok && rtheap_fl_of(g) == c / SL_COUNT;
    ok = ok && rtheap_class_of(rtheap_class_min(c)) == c;
    /* search class: the smallest class whose minimum is >= g */
    uint32_t cr = rtheap_class_up(g);
    uint32_t r = rtheap_class_min(cr);
    ok = ok && r >= g && (cr == 0 || rtheap_class_min(cr - 1u) < g);
    ok = ok && (cr == c || cr == c + 1u);
    if (g > 1) {
        ok = ok && rtheap_class_of(g - 1u) <= c && rtheap_class_up(g - 1u) <= cr;
    }
    if (!ok && (*bad)++ < 5) {
        th_print("  class mismatch for g=");
        th_print_u(g);
        th_print(" class=");
        th_print_u(c);
        th_print(" min=");
        th_print_u(rtheap_class_min(c));
        th_print(" rounded=");
        th_print_u(r);
        th_print(" rounded class=");
        th_print_u(cr);
        th_println("");
    }
}

static void test_classes(void)
{
    uint32_t bad = 0;
    for (uint32_t g = 1; g < G_EXHAUSTIVE; g++) {
        check_class_of(g, &bad);
    }
    uint32_t seed = 99;
    for (uint32_t n = 0; n < G_RANDOM; n++) {
        uint32_t g = th_rand(&seed) >> (1u + th_rand(&seed) % 31u); /* < 2^31 */
        if (g != 0) {
            check_class_of(g, &bad);
        }
    }
    /* every power of two and its neighbours */
    for (uint32_t k = 1; k < 31; k++) {
        check_class_of((1u << k) - 1u, &bad);
        check_class_of(1u << k, &bad);
        check_class_of((1u << k) + 1u, &bad);
    }
    check_class_of(0x7FFFFFFFu, &bad);
    TH_CHECK_EQ(bad, 0);
    /* class minimum is strictly increasing over every class the index can have */
    uint32_t prev = 0;
    bad = 0;
    for (uint32_t c = 1; c < (32u - RTHEAP_SL_LOG2) * SL_COUNT; c++) {
        uint32_t m = rtheap_class_min(c);
        if (m <= prev || rtheap_class_of(m) != c) {
            bad++;
        }
        prev = m;
    }
    TH_CHECK_EQ(bad, 0);
    /* row 0 is one granule count per list */
    for (uint32_t g = 1; g < SL_COUNT; g++) {
        TH_CHECK_EQ(rtheap_class_of(g), g);
        TH_CHECK_EQ(rtheap_class_up(g), g);
    }
}

static void check_rows(uintptr_t bytes, uint32_t *bad)
{
    uint32_t rows = rtheap_rows_for(bytes);
    uintptr_t gbytes = bytes & ~(ALIGN - 1u);
    uintptr_t cap = (MAX_GRANULES - 1u) << ALIGN_LOG2;
    bool ok = rows >= 1 && rows <= FL_MAX && rows <= 32u - RTHEAP_SL_LOG2;
    uintptr_t mb = rtheap_max_block_for(rows);
    ok = ok && mb % ALIGN == 0;
    /* big enough for the whole region (up to what the index can describe) ... */
    ok = ok && mb >= (gbytes < cap ? gbytes : cap);
    /* ... and minimal */
    ok = ok && (rows == 1 || rtheap_max_block_for(rows - 1u) < gbytes);
    /* every block size up to max_block has a class inside the index */
    ok = ok && rtheap_class_of(rtheap_granules(mb)) < rows * SL_COUNT;
    if (!ok && (*bad)++ < 5) {
        th_print("  rows mismatch for bytes=");
        th_print_u(bytes);
        th_print(" rows=");
        th_print_u(rows);
        th_print(" max_block=");
        th_print_u(mb);
        th_println("");
    }
}

static void test_rows(void)
{
    uint32_t bad = 0;
    for (uintptr_t b = 0; b < 70000u; b += 8) {
        check_rows(b, &bad);
    }
    for (uint32_t k = 3; k < sizeof(uintptr_t) * 8u; k++) {
        uintptr_t p = (uintptr_t)1 << k;
        check_rows(p - 1u, &bad);
        check_rows(p, &bad);
        check_rows(p + ALIGN, &bad);
    }
    check_rows(UINTPTR_MAX, &bad);
    check_rows(UINTPTR_MAX / 2u, &bad);
    TH_CHECK_EQ(bad, 0);
    TH_CHECK_EQ(rtheap_rows_for(0), 1);
    TH_CHECK_EQ(rtheap_max_block_for(1), (uintptr_t)(SL_COUNT - 1u) * ALIGN);
    /* the index never exceeds the rows rtheap_check() accepts */
    TH_CHECK(rtheap_rows_for(UINTPTR_MAX) <= 32u - RTHEAP_SL_LOG2);
    TH_CHECK((rtheap_max_block_for(rtheap_rows_for(UINTPTR_MAX)) >> ALIGN_LOG2) < MAX_GRANULES);
}

static void test_block_size_for(void)
{
    TH_CHECK_EQ(rtheap_block_size_for(0), MIN_BLOCK);
    TH_CHECK_EQ(rtheap_block_size_for(1), MIN_BLOCK);
    TH_CHECK_EQ(rtheap_block_size_for(SIZE_MAX), 0);
    TH_CHECK_EQ(rtheap_block_size_for(SIZE_MAX / 2u + 1u), 0);
    TH_CHECK_EQ(rtheap_block_size_for(SIZE_MAX - WORD), 0);
    /* SIZE_MAX/2 is still representable: the rounding must not wrap */
    uintptr_t t = rtheap_block_size_for(SIZE_MAX / 2u);
    TH_CHECK(t == 0 || (t > SIZE_MAX / 2u && t % ALIGN == 0));
    uint32_t bad = 0;
    for (size_t s = 0; s < 5000u; s++) {
        uintptr_t b = rtheap_block_size_for(s);
        bool ok = b % ALIGN == 0 && b >= MIN_BLOCK && b >= s + WORD &&
                  (b == MIN_BLOCK || b < s + WORD + ALIGN);
        ok = ok && rtheap_request_usable_size(s, 1) == b - WORD &&
             rtheap_request_usable_size(s, ALIGN) == b - WORD &&
             rtheap_request_usable_size(s, 4096) == b - WORD;
        if (!ok && bad++ < 5) {
            th_print("  block size mismatch for size=");
            th_print_u(s);
            th_println("");
        }
    }
    TH_CHECK_EQ(bad, 0);
    TH_CHECK_EQ(rtheap_request_usable_size(16, 0), 0);
    TH_CHECK_EQ(rtheap_request_usable_size(16, 3), 0);
    TH_CHECK_EQ(rtheap_request_usable_size(16, 24), 0);
    TH_CHECK_EQ(rtheap_request_usable_size(SIZE_MAX, 8), 0);
    TH_CHECK_EQ(rtheap_request_usable_size(16, (size_t)1 << (sizeof(size_t) * 8u - 1u)), 0);
}

static void test_control_size(void)
{
    /* The documented formula C + FL * (4 + SL_COUNT * sizeof(void *)), padding included
     * (worst case REGION_PADDING: both ends and the first block), where FL (rtheap_index_rows) is enough for the largest
     * block the region can hold once the control structure is taken out of it. */
    size_t fixed = sizeof(struct rtheap) + sizeof(void *) - 1u + REGION_PADDING;
    uint32_t bad = 0;
    size_t prev = 0;
    uint32_t seed = 7;
    for (uint32_t n = 0; n < 200000u; n++) {
        size_t bytes = n < 100000u ? (size_t)n * 8u
                                   : (size_t)(th_rand(&seed) >> (th_rand(&seed) % 32u));
        uint32_t rows = rtheap_index_rows(bytes);
        size_t cs = rtheap_control_size(bytes);
        bool ok = cs == fixed + rows * (SL_COUNT * sizeof(void *) + sizeof(uint32_t));
        size_t ctrl = (size_t)rtheap_control_bytes(rows);
        size_t arena = bytes > ctrl ? (bytes - ctrl) & ~(size_t)(ALIGN - 1u) : 0u;
        size_t cap = (size_t)((MAX_GRANULES - 1u) << ALIGN_LOG2);
        uint32_t need = rtheap_rows_for(bytes);
        ok = ok && rows <= (need > MIN_ROWS ? need : MIN_ROWS);
        /* Never too short to hold a chunk, a fence and a block of the least size. */
        ok = ok && rows >= MIN_ROWS && rtheap_max_block_for(rows) >= 3u * MIN_BLOCK;
        /* An index that leaves room for a block, unless it has the fewest rows. */
        ok = ok && (rows == MIN_ROWS || bytes >= cs + MIN_BLOCK);
        if (bytes >= 1024u) {
            /* Above the small regions whose index loses rows to leave room for
             * a block (and whose few bytes may then be cut into blocks): the
             * index holds the region's arena whole, and the control size is
             * monotonic in the region size. */
            ok = ok && rtheap_max_block_for(rows) >= (arena < cap ? arena : cap);
            ok = ok && rows + 1u >= rtheap_rows_for(bytes);
            if (n < 100000u) {
                ok = ok && cs >= prev;
                prev = cs;
            }
        }
        if (!ok && bad++ < 5) {
            th_print("  control size mismatch for bytes=");
            th_print_u(bytes);
            th_print(" rows=");
            th_print_u(rows);
            th_print(" control_size=");
            th_print_u(cs);
            th_println("");
        }
    }
    TH_CHECK_EQ(bad, 0);
    TH_CHECK(rtheap_control_size(SIZE_MAX) >= rtheap_control_size(SIZE_MAX / 2u));
}

int main(void)
{
    th_println("test_internals");
    test_bit_scans();
    test_classes();
    test_rows();
    test_block_size_for();
    test_control_size();
    return th_summary();
}
