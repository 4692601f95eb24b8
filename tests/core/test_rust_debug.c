/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* RTHEAP_DEBUG=1 (the library's sources compiled in): __rust_deallocate checks the
 * layout handed back, with a runtime error hook in place of the default trap. A
 * layout the block cannot have been made for is reported (RTHEAP_ERR_BAD_ARGUMENT)
 * and the block freed anyway; a pointer that is no live block (foreign, or freed
 * already) is reported once, as what it is, and nothing else happens. */
#include "core_util.h"

static _Alignas(16) unsigned char pool[2048];
static unsigned reports;
static rtheap_error_t last;

static void hook(rtheap_t *h, rtheap_error_t kind, const void *ptr, void *user)
{
    (void)h, (void)ptr, (void)user;
    reports++;
    last = kind;
}

static size_t live(void)
{
    rtheap_stats_t st;
    TH_CHECK(rtheap_get_stats(rtheap_default(), &st));
    return st.live_blocks;
}

int main(void)
{
    th_println("test_rust_debug: __rust_deallocate's layout check");
    rtheap_t *heap = rtheap_default_init(pool, sizeof pool);
    if (!TH_CHECK_NOT_NULL(heap)) {
        return th_summary();
    }
    rtheap_set_error_hook(heap, hook, NULL);
    void *p = __rust_allocate(24, 8);
    TH_CHECK_NOT_NULL(p);
    __rust_deallocate(p, 24, 8); /* the layout it was made for */
    TH_CHECK_EQ(reports, 0u);
    TH_CHECK_EQ(live(), 0u);
    p = __rust_allocate(24, 8);
    __rust_deallocate(p, 4096, 8); /* larger than the block: reported, freed */
    TH_CHECK_EQ(reports, 1u);
    TH_CHECK_EQ(last, RTHEAP_ERR_BAD_ARGUMENT);
    TH_CHECK_EQ(live(), 0u);
    __rust_deallocate(p, 24, 8); /* freed already: one report */
    TH_CHECK_EQ(reports, 2u);
    TH_CHECK_EQ(last, RTHEAP_ERR_DOUBLE_FREE);
    static _Alignas(16) unsigned char not_heap[64];
    __rust_deallocate(not_heap + 16, 16, 8); /* foreign: one report */
    TH_CHECK_EQ(reports, 3u);
    TH_CHECK_EQ(last, RTHEAP_ERR_FOREIGN_POINTER);
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    return th_summary();
}
