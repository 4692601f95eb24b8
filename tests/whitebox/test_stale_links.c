/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* White-box: an over-aligned allocation reads its block's links again when it unlinks
 * it, out of the search that checked them. If they no longer agree (another core
 * changed the list under a lock that does not hold, such as PRIMASK on two cores), the
 * unlink finds it: the allocation fails, the damage is reported once and contained,
 * and nothing is written through the stale link. The test changes the links between
 * the search and the unlink by hand (#include "rtheap.c"; 6 KiB arena, every board). */
#include "rtheap.c"

#include "../core/core_util.h"

static unsigned char arena[6144] __attribute__((aligned(64)));
static cu_hook_t hook;

static void links_changed_before_the_unlink(void)
{
    th_println("links changed between the search and the unlink of an aligned allocation");
    rtheap_t *h = cu_init_hooked(arena, sizeof arena, &hook);
    /* Free blocks P and N of one class, P the head of its list, N behind it; used
     * blocks around each, u between them. */
    (void)rtheap_alloc(h, 24);
    void *p = rtheap_alloc(h, 72);
    void *u = rtheap_alloc(h, 24);
    void *n = rtheap_alloc(h, 72);
    (void)rtheap_alloc(h, 24);
    rtheap_free(h, n);
    rtheap_free(h, p);
    block_t *b = rtheap_block_of(p);
    uintptr_t s = rtheap_size(b->header);
    uint32_t c = rtheap_class_of_size(s);
    TH_CHECK_PTR_EQ(h->heads[c], b);
    TH_CHECK_PTR_EQ(b->next_free, rtheap_block_of(n));
    /* What the search saw held; now N's back link leads elsewhere. */
    rtheap_block_of(n)->prev_free = rtheap_block_of(u);
    uint32_t failed = h->failed_count;
    uint32_t quarantined = h->quarantine_count;
    void *x = rtheap_alloc_gap(h, b, c, s, MIN_BLOCK, 0);
    TH_CHECK_NULL(x);
    TH_CHECK_EQ(h->failed_count, failed + 1u);
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_FREE_LIST);
    TH_CHECK(h->quarantine_count > quarantined);
    TH_CHECK(h->heads[c] != b); /* P left its list */
    TH_CHECK_PTR_EQ(rtheap_block_of(u)->next_free, NULL); /* nothing written through it */
    CU_CHECK_HEAP(h);
}

int main(void)
{
    th_println("test_stale_links: an over-aligned allocation checks the links it unlinks");
    links_changed_before_the_unlink();
    return th_summary();
}
