/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* White-box: first regions of every size from nothing to a few hundred bytes, at every
 * start offset within an alignment, with the index options that give short rows
 * (RTHEAP_SL_LOG2 2 and 3) and with RTHEAP_SMALL, where a region is one block. For
 * each: init accepts every region from the smallest it accepts up (and every one of
 * rtheap_control_size(n) + RTHEAP_MIN_BLOCK bytes), writes nothing outside it, and
 * builds a heap that rtheap_check() finds sound: every block between a minimum block
 * and the largest the index holds; then the heap is filled with minimum allocations
 * and emptied, checked after each. Regions of a one-row index used to be cut into a
 * chunk smaller than a minimum block (RTHEAP_SL_LOG2 2), and RTHEAP_SMALL's one block
 * could be larger than its index (the list head written past the index)
 * (#include "rtheap.c"). */
#include "rtheap.c"

#include "../core/core_util.h"

#define GUARD 64u
#define GUARD_BYTE 0xC3u
#if TH_IS_TARGET
#define TINY_MAX 520u
#else
#define TINY_MAX 900u
#endif

static unsigned char buf[GUARD + TINY_MAX + 64u + GUARD] __attribute__((aligned(64)));

static bool walk_block(const rtheap_block_info_t *b, void *user)
{
    const rtheap_t *h = user;
    uintptr_t t = b->size + WORD; /* the block, its header included */
    return TH_CHECK(t >= MIN_BLOCK && t <= h->max_block);
}

/* Fills the fresh heap h with minimum blocks until one fails, then frees them, with
 * rtheap_check() after every call; false at the first thing wrong. */
static bool fill_and_empty(rtheap_t *h)
{
    void *live[TINY_MAX / 16u + 1u];
    uint32_t n = 0;
    while (n < sizeof live / sizeof live[0]) {
        void *p = rtheap_alloc(h, 1);
        if (p == NULL) {
            break;
        }
        live[n++] = p;
        if (!CU_CHECK_HEAP(h)) {
            return false;
        }
    }
    if (!TH_CHECK(n >= 1u)) {
        return false;
    }
    while (n > 0) {
        rtheap_free(h, live[--n]);
        if (!CU_CHECK_HEAP(h)) {
            return false;
        }
    }
    return TH_CHECK_EQ(cu_error_count(h), 0);
}

/* Every size at start offset `off`: false at the first size that goes wrong. */
static bool scan(size_t off)
{
    size_t first_ok = 0;
    for (size_t n = 0; n <= TINY_MAX; n++) {
        cu_set(buf, GUARD_BYTE, sizeof buf);
        rtheap_t *h = rtheap_init(buf + GUARD + off, n);
        bool ok = true;
        if (h == NULL) {
            ok &= TH_CHECK(first_ok == 0);                             /* no dip */
            ok &= TH_CHECK(n < rtheap_control_size(n) + CU_MIN_BLOCK); /* rtheap.h */
        } else {
            first_ok = first_ok != 0 ? first_ok : n;
            ok &= CU_CHECK_HEAP(h);
            ok &= TH_CHECK(rtheap_walk(h, walk_block, h) >= 1u);
            ok &= fill_and_empty(h);
        }
        ok &= TH_CHECK(cu_all(buf, GUARD_BYTE, GUARD + off));
        ok &= TH_CHECK(cu_all(buf + GUARD + off + n, GUARD_BYTE, sizeof buf - GUARD - off - n));
        if (!ok) {
            th_print("  ... at a region of ");
            th_print_u(n);
            th_print(" bytes, start offset ");
            th_print_u(off);
            th_println("");
            return false;
        }
    }
    return TH_CHECK(first_ok != 0);
}

int main(void)
{
    th_print("test_tiny_regions: RTHEAP_SL_LOG2 ");
    th_print_u(RTHEAP_SL_LOG2);
    th_print(", RTHEAP_SMALL ");
    th_print_u(RTHEAP_SMALL);
    th_print(", index rows at least ");
    th_print_u(MIN_ROWS);
    th_println("");
    for (size_t off = 0; off < ALIGN; off++) {
        if (!scan(off)) {
            break;
        }
    }
    return th_summary();
}
