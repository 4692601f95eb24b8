/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* A region larger than the index can describe (64-bit hosts; issue 6/12): rtheap_init
 * clamps it to the largest region it supports instead of refusing it or writing past
 * what it registers, and the heap it builds is whole and serves. The region is 33 GiB
 * of address space reserved with mmap(MAP_NORESERVE); only the pages the heap writes
 * (control structure, headers, footers) are ever touched. Host only; a host that
 * cannot reserve that much address space (or a 32-bit one, where no region is too
 * large) says so and checks nothing else. */
#include <stdint.h>
#include <sys/mman.h>

#include "core_util.h"

int main(void)
{
    th_println("test_huge: a region larger than the largest the heap supports");
#if UINTPTR_MAX > 0xFFFFFFFFu
    size_t bytes = (size_t)33 << 30;
    void *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                     -1, 0);
    if (mem == MAP_FAILED) {
        th_println("  (cannot reserve 33 GiB of address space: not checked)");
        return th_summary();
    }
    /* Sizes stay below 2^31 granules: the most the heap registers. */
    size_t most = (((size_t)1 << 31) - 1u) * RTHEAP_ALIGNMENT;
    TH_CHECK(most < bytes);
    rtheap_t *h = rtheap_init(mem, bytes);
    TH_CHECK_NOT_NULL(h);
    if (h != NULL) {
        cu_hook_t hook;
        cu_install_hook(h, &hook);
        rtheap_stats_t s;
        TH_CHECK(rtheap_get_stats(h, &s));
        TH_CHECK_EQ(s.heap_bytes, most);
        TH_CHECK(s.arena_bytes <= most && s.arena_bytes > most - 4096u);
        TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
        /* All of it in one request, then a small one after it is back. */
        size_t l = s.largest_guaranteed;
        TH_CHECK(l > ((size_t)16 << 30));
        void *all = rtheap_alloc(h, l);
        TH_CHECK_NOT_NULL(all);
        TH_CHECK(rtheap_usable_size(h, all) >= l);
        TH_CHECK((uintptr_t)all + l <= (uintptr_t)mem + most);
        TH_CHECK_NULL(rtheap_alloc(h, 64));
        rtheap_free(h, all);
        void *p = rtheap_alloc(h, 1u << 20);
        TH_CHECK_NOT_NULL(p);
        rtheap_free(h, p);
        TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
        TH_CHECK_EQ(hook.calls, 0);
    }
    munmap(mem, bytes);
#else
    th_println("  (32-bit: every region fits the index; nothing to check)");
#endif
    return th_summary();
}
