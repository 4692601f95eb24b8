/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* White-box: containment in three layouts where it is easy to get wrong: a quarantine
 * before a fence, a block cut off behind damage, a quarantined block still listed in
 * its predecessor's list. Each damage is reported once and leaves a consistent heap.
 * (#include "rtheap.c": the cases damage the heap by hand; 6 KiB arena, every board.) */
#include "rtheap.c"

#include "../core/core_util.h"

static unsigned char arena[6144] __attribute__((aligned(64)));
static cu_hook_t hook;

static rtheap_t *fresh(size_t bytes)
{
    return cu_init_hooked(arena, bytes, &hook);
}

/* A damaged free block followed by a fence is quarantined (largest_guaranteed meets
 * it): reported once, and the fence behind it keeps no PREV_FREE flag, so
 * rtheap_check() passes (a stale flag would be RTHEAP_ERR_CHAIN, reported again by
 * every later call with RTHEAP_CHECKS=2). */
static void quarantine_before_fence(void)
{
    th_println("quarantine of the free block before a fence");
    rtheap_t *h = fresh(2048);
    TH_CHECK(rtheap_add_region(h, arena + 2048, 4000)); /* larger than max_block: fences */
    block_t *x = rtheap_block_at(h->regions[1].first);
    uintptr_t t = rtheap_size(x->header);
    TH_CHECK(rtheap_is_free_block(x->header));
    TH_CHECK_EQ(rtheap_kind(rtheap_block_at(rtheap_addr(x) + t)->header), KIND_FENCE);
    x->next_free = rtheap_block_at(rtheap_addr(x) + WORD); /* a write after free */
    rtheap_stats_t s;
    TH_CHECK(rtheap_get_stats(h, &s)); /* largest_guaranteed meets x: quarantined */
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(s.quarantine_count, 1);
    CU_CHECK_HEAP(h);
}

/* Layout: free blocks P, F, N of one class, listed in that order, used blocks around
 * each; u is used and sits just before F, s2 just before N. */
typedef struct pfn {
    void *p, *f, *n, *u, *s2;
} pfn_t;

static pfn_t pfn(rtheap_t *h)
{
    pfn_t l;
    (void)rtheap_alloc(h, 24);
    l.p = rtheap_alloc(h, 72);
    (void)rtheap_alloc(h, 24);
    l.u = rtheap_alloc(h, 24);
    l.f = rtheap_alloc(h, 72);
    l.s2 = rtheap_alloc(h, 24);
    l.n = rtheap_alloc(h, 72);
    (void)rtheap_alloc(h, 24);
    rtheap_free(h, l.n);
    rtheap_free(h, l.f);
    rtheap_free(h, l.p);
    return l;
}

/* F's next link overwritten. Freeing u meets F: reported, quarantined, N cut off.
 * Freeing s2 then meets N, which links back to the quarantined F: N is taken out of
 * service with no second report (merging it would trust a prev link that could as
 * well be forged: a list may still lead to N). */
static void cut_off_block_met_by_merge(void)
{
    th_println("a block cut off behind damage, met by a merge: no second report");
    rtheap_t *h = fresh(sizeof arena);
    pfn_t l = pfn(h);
    rtheap_block_of(l.f)->next_free = rtheap_block_of(l.u); /* sound position, wrong block */
    rtheap_free(h, l.u);
    TH_CHECK_EQ(hook.calls, 1);
    rtheap_free(h, l.s2); /* next to N */
    TH_CHECK_EQ(hook.calls, 1);
    rtheap_stats_t s;
    TH_CHECK(rtheap_get_stats(h, &s));
    TH_CHECK_EQ(s.quarantine_count, 2); /* F, and N behind it */
    CU_CHECK_HEAP(h);
}

/* F's prev link overwritten. Freeing u meets F: reported and quarantined; as no sound
 * link leads to F, it stays in P's list. rtheap_check() passes right after the
 * containment, and the next allocation from that list serves P (never damaged), its
 * list cut at F, with no second report. */
static void quarantined_block_left_listed(void)
{
    th_println("a quarantined block still in its predecessor's list");
    rtheap_t *h = fresh(sizeof arena);
    pfn_t l = pfn(h);
    rtheap_block_of(l.f)->prev_free = rtheap_block_of(l.u);
    rtheap_free(h, l.u);
    TH_CHECK_EQ(hook.calls, 1);
    CU_CHECK_HEAP(h);
    void *x = rtheap_alloc(h, 72);
    TH_CHECK_PTR_EQ(x, l.p); /* P, never damaged, is served; its list cut at F */
    TH_CHECK_EQ(hook.calls, 1);
}

int main(void)
{
    th_println("test_quarantine: containment before a fence and in the middle of a list");
    quarantine_before_fence();
    cut_off_block_met_by_merge();
    quarantined_block_left_listed();
    return th_summary();
}
