/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* White-box: a stray store over the heap's region count (a word of the control
 * structure). The region scan that places a pointer outside the first region is
 * bounded by the regions array too, so it never reads past it: a pointer in no region
 * (in a buffer that holds a sound-looking used block) is still refused as foreign,
 * and nothing is written there. Without that bound the scan read the control
 * structure's own words after the array as regions (its byte counters, on every
 * target), took the buffer for one, and freed the fake block into the heap
 * (#include "rtheap.c"; every board). */
#include "rtheap.c"

#include "../core/core_util.h"

static unsigned char arena[8192] __attribute__((aligned(64)));
static unsigned char outside[256] __attribute__((aligned(64)));
static cu_hook_t hook;

int main(void)
{
    th_println("test_region_count: a damaged region count does not widen the region scan");
    rtheap_t *h = cu_init_hooked(arena, 4096, &hook);
    TH_CHECK(rtheap_add_region(h, arena + 4096, 4096));
    unsigned char *q = rtheap_alloc(h, 128);
    TH_CHECK_NOT_NULL(q);
    /* A used block of 64 bytes in `outside`, and a sound used header after it. */
    block_t *fake = rtheap_block_at((uintptr_t)outside + 64u - WORD);
    fake->header = rtheap_hdr(64, 0, KIND_BLOCK);
    rtheap_block_at(rtheap_addr(fake) + 64)->header = rtheap_hdr(32, 0, KIND_BLOCK);
    size_t fake_header = fake->header;
    void *p = rtheap_payload(fake);

    uint32_t count = h->region_count;
    h->region_count = 0xFFFFFFFFu; /* the stray store */
    TH_CHECK_EQ(rtheap_usable_size(h, p), 0);
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(hook.kind, RTHEAP_ERR_FOREIGN_POINTER);
    rtheap_free(h, p);
    TH_CHECK_EQ(hook.calls, 2);
    TH_CHECK_EQ(hook.kind, RTHEAP_ERR_FOREIGN_POINTER);
    TH_CHECK_EQ(fake->header, fake_header); /* nothing written there */
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_CONTROL);

    h->region_count = count;
    rtheap_free(h, q);
    CU_CHECK_HEAP(h);
    TH_CHECK_EQ(hook.calls, 2);
    return th_summary();
}
