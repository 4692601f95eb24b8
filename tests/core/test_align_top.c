/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The largest alignments on a 32-bit host, on a heap that holds the address 2^31
 * (the one address aligned to 2^31 that can be a block's, 0 being NULL): 2^30 is
 * served there, with the usable bytes rtheap_request_usable_size() names for it;
 * 2^31, for which that function says 0 ("never satisfiable"), is refused as an
 * allocation that fails (NULL, counted, no error). The heap is address space mapped
 * at a fixed address around 2^31 (host32 tree only: a 64-bit process cannot map
 * memory at 2^63); a process where that range is taken says so and checks nothing. */
#include <stdint.h>
#include <sys/mman.h>

#include "core_util.h"

#define AROUND ((uintptr_t)1 << 31)
#define SPAN ((size_t)128 << 10)

int main(void)
{
    th_println("test_align_top: alignments 2^30 and 2^31 on a heap holding the address 2^31");
    void *want = (void *)(AROUND - SPAN / 2u);
    void *mem = mmap(want, SPAN, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (mem != want) {
        /* Taken in this process (a huge stack limit puts ld.so there) or out of
         * user space (a 2 GiB/2 GiB kernel split): nothing to check it on. */
        if (mem != MAP_FAILED) {
            munmap(mem, SPAN); /* a kernel without MAP_FIXED_NOREPLACE: a hint */
        }
        th_println("  (the address 2^31 cannot be mapped in this process: not checked)");
        return th_summary();
    }
    cu_hook_t hook;
    rtheap_t *h = cu_init_hooked(mem, SPAN, &hook);
    rtheap_stats_t before;
    rtheap_stats_t after;

    size_t a30 = (size_t)1 << 30;
    void *p = rtheap_alloc_aligned(h, 16, a30);
    TH_CHECK(p == (void *)AROUND);
    TH_CHECK(rtheap_request_usable_size(16, a30) != 0);
    TH_CHECK(rtheap_usable_size(h, p) >= rtheap_request_usable_size(16, a30));
    rtheap_free(h, p);

    size_t a31 = (size_t)1 << 31;
    TH_CHECK_EQ(rtheap_request_usable_size(16, a31), 0);
    TH_CHECK(rtheap_get_stats(h, &before));
    TH_CHECK_NULL(rtheap_alloc_aligned(h, 16, a31));
    TH_CHECK(rtheap_get_stats(h, &after));
    TH_CHECK_EQ(after.failed_count, before.failed_count + 1u);
    TH_CHECK_EQ(after.live_blocks, before.live_blocks);
    TH_CHECK_EQ(hook.calls, 0);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
    munmap(mem, SPAN);
    return th_summary();
}
