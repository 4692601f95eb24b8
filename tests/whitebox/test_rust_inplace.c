/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* White-box: __rust_reallocate_inplace on the default heap where the placement decides
 * the outcome. Three blocks allocated one after another lie next to each other in
 * address order (a choice of this implementation, not a promise of rtheap.h): with b
 * used, a cannot grow and the classic ABI answers old_size; with b freed, a grows into
 * it without moving; a shrink in place always works. The contract test
 * (tests/core/test_rust_abi.c) checks the same calls without the placement. Runs on the
 * host and on every board. */
#include "../core/core_util.h"

static void reallocate_inplace(void)
{
    uint8_t *a = __rust_allocate(100, 8);
    uint8_t *b = __rust_allocate(100, 8);
    uint8_t *c = __rust_allocate(100, 8);
    TH_CHECK(a != NULL && b != NULL && c != NULL);
    cu_fill(a, 100, 1u);
    size_t old = __rust_usable_size(100, 8);

    /* Blocked by b: the classic ABI answers old_size, a untouched. */
    TH_CHECK_EQ(__rust_reallocate_inplace(a, old, old + 200u, 8), old);
    TH_CHECK_EQ(cu_verify(a, 100, 1u), 100u);

    /* b freed: a grows into it, without moving. */
    __rust_deallocate(b, 100, 8);
    size_t grown = __rust_reallocate_inplace(a, old, old + 100u, 8);
    TH_CHECK(grown >= old + 100u);
    TH_CHECK(rtheap_usable_size(rtheap_default(), a) >= grown);
    TH_CHECK_EQ(cu_verify(a, 100, 1u), 100u);
    cu_fill(a, grown, 2u);

    /* Shrink in place: always possible, the usable size is what is left. */
    size_t shrunk = __rust_reallocate_inplace(a, grown, 16, 8);
    TH_CHECK(shrunk >= 16u && shrunk < grown);
    TH_CHECK_EQ(cu_verify(a, 16, 2u), 16u);
    TH_CHECK_EQ(rtheap_check(rtheap_default()), RTHEAP_OK);

    __rust_deallocate(a, shrunk, 8);
    __rust_deallocate(c, 100, 8);
}

int main(void)
{
    th_println("test_rust_inplace: __rust_reallocate_inplace next to used and freed blocks");
    rtheap_stats_t s;
    TH_CHECK(rtheap_get_stats(rtheap_default(), &s));
    size_t live = s.live_blocks;
    reallocate_inplace();
    TH_CHECK(rtheap_get_stats(rtheap_default(), &s));
    TH_CHECK_EQ(s.live_blocks, live);
    TH_CHECK_EQ(rtheap_check(rtheap_default()), RTHEAP_OK);
    return th_summary();
}
