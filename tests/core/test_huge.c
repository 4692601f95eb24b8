/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* A region larger than the largest block: rtheap_init clamps it to the largest block
 * (64-bit hosts, 33 GiB; and RTHEAP_SMALL on 32-bit, 20 MiB) or, on 32-bit without
 * RTHEAP_SMALL, cuts it into chunks separated by fences. Either way the heap it builds
 * is whole, registers nothing past what it uses, and serves. The region is address
 * space reserved with mmap(MAP_NORESERVE): only the pages the heap writes (control
 * structure, headers, footers) are ever touched. Host only (the `core_huge_region*`
 * tests, one of them with rtheap.c compiled in with RTHEAP_SMALL); a host that cannot
 * reserve that much address space says so and checks nothing else. */
#include <stdint.h>
#include <sys/mman.h>

#include "core_util.h"

#if UINTPTR_MAX > 0xFFFFFFFFu
#define REGION_BYTES ((size_t)33 << 30)
#define LARGEST_BLOCK ((((size_t)1 << 31) - 1u) * RTHEAP_ALIGNMENT) /* 2^31 granules */
#define CLAMPED 1
#else
#define REGION_BYTES ((size_t)20 << 20)
#define LARGEST_BLOCK (((size_t)1 << 24) - RTHEAP_ALIGNMENT) /* below the header's tag */
#define CLAMPED RTHEAP_SMALL
#endif

int main(void)
{
    th_print("test_huge: a region larger than the largest block, RTHEAP_SMALL=");
    th_print_u(RTHEAP_SMALL);
    th_println(CLAMPED ? ": clamped" : ": cut into chunks");
    size_t bytes = REGION_BYTES;
    void *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                     -1, 0);
    if (mem == MAP_FAILED) {
        th_println("  (cannot reserve the address space: not checked)");
        return th_summary();
    }
    size_t most = LARGEST_BLOCK;
    TH_CHECK(most < bytes);
    rtheap_t *h = rtheap_init(mem, bytes);
    TH_CHECK_NOT_NULL(h);
    if (h != NULL) {
        cu_hook_t hook;
        cu_install_hook(h, &hook);
        rtheap_stats_t s;
        TH_CHECK(rtheap_get_stats(h, &s));
        size_t used = CLAMPED ? most : bytes;
        TH_CHECK_EQ(s.heap_bytes, used);
        TH_CHECK(s.arena_bytes <= used && s.arena_bytes > used - 4096u);
        TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
        /* The largest request the index guarantees, then what is left after it: nothing
         * when the region was clamped (one block), the next chunk's worth when it was cut
         * (at least the bytes past the largest block, less a fence and headers). */
        size_t l = s.largest_guaranteed;
        TH_CHECK(l > most / 2 && l < most);
        void *all = rtheap_alloc(h, l);
        TH_CHECK_NOT_NULL(all);
        TH_CHECK(rtheap_usable_size(h, all) >= l);
        TH_CHECK((uintptr_t)all + l <= (uintptr_t)mem + used);
        size_t rest = CLAMPED ? 64u : bytes - most - 4096u;
        void *more = rtheap_alloc(h, rest);
        if (CLAMPED) {
            TH_CHECK_NULL(more);
        } else {
            TH_CHECK_NOT_NULL(more);
            TH_CHECK((uintptr_t)more > (uintptr_t)all + l); /* in the second chunk */
            TH_CHECK((uintptr_t)more + rest <= (uintptr_t)mem + bytes);
            rtheap_free(h, more);
        }
        rtheap_free(h, all);
        void *p = rtheap_alloc(h, 1u << 20);
        TH_CHECK_NOT_NULL(p);
        rtheap_free(h, p);
        TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
        TH_CHECK_EQ(hook.calls, 0);
    }
    munmap(mem, bytes);
    return th_summary();
}
