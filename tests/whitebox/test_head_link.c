/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* White-box: a list head whose back link is not NULL (a write after free over the
 * head's second word). A plain allocation takes the head without reading that link:
 * it is never followed, and it becomes payload. The damage is caught wherever the
 * link could matter: rtheap_check() reports it while the block is free, and an
 * over-aligned allocation (which searches with rtheap_find_slow) or a merge with the
 * block (rtheap_unlink_checked) refuses it, reports it once and contains it. Nothing
 * is ever written through the link (#include "rtheap.c"; 6 KiB arena, every board). */
#include "rtheap.c"

#include "../core/core_util.h"

static unsigned char arena[6144] __attribute__((aligned(64)));
static cu_hook_t hook;

/* A heap with free block P (`asked` bytes asked) the head of its list, used blocks
 * on both sides, and P's back link pointed at the used block u after it: a
 * plausible block. The only other free block is the heap's large rest. */
typedef struct layout {
    rtheap_t *h;
    block_t *p;
    void *u;
    uint32_t c;
} layout_t;

static layout_t damaged_head(size_t asked)
{
    layout_t l;
    l.h = cu_init_hooked(arena, sizeof arena, &hook);
    (void)rtheap_alloc(l.h, 24);
    void *p = rtheap_alloc(l.h, asked);
    l.u = rtheap_alloc(l.h, 24);
    (void)rtheap_alloc(l.h, 24);
    rtheap_free(l.h, p);
    l.p = rtheap_block_of(p);
    l.c = rtheap_class_of_size(rtheap_size(l.p->header));
    TH_CHECK_PTR_EQ(l.h->heads[l.c], l.p);
    TH_CHECK_PTR_EQ(l.p->prev_free, NULL);
    l.p->prev_free = rtheap_block_of(l.u);
    TH_CHECK_EQ(hook.calls, 0);
    return l;
}

static void plain_allocation_takes_it(void)
{
    th_println("a plain allocation takes the head; its back link becomes payload");
    layout_t l = damaged_head(72);
    TH_CHECK_EQ(rtheap_check(l.h), RTHEAP_ERR_BAD_FREE_LIST); /* seen while free */
    size_t u_next = (size_t)rtheap_block_of(l.u)->next_free;
    void *x = rtheap_alloc(l.h, 72);
    TH_CHECK_PTR_EQ(x, rtheap_payload(l.p));
    TH_CHECK_EQ(hook.calls, 0);
    TH_CHECK_EQ((size_t)rtheap_block_of(l.u)->next_free, u_next); /* not written through */
    TH_CHECK_EQ(l.h->quarantine_count, 0);
    CU_CHECK_HEAP(l.h); /* the heap is sound again */
    rtheap_free(l.h, x);
    CU_CHECK_HEAP(l.h);
    TH_CHECK_EQ(hook.calls, 0);
}

static void aligned_allocation_refuses_it(void)
{
    th_println("an over-aligned allocation reports the head once and contains it");
    layout_t l = damaged_head(200);
    size_t u_next = (size_t)rtheap_block_of(l.u)->next_free;
    /* 40 bytes at 8 * ALIGN: the search for room for the worst gap starts below
     * P's class, and P is the first list it finds. */
    void *x = rtheap_alloc_aligned(l.h, 40, 8u * ALIGN);
    TH_CHECK(x == NULL || x != rtheap_payload(l.p));
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_FREE_LIST);
    TH_CHECK_EQ(l.h->quarantine_count, 1);
    TH_CHECK(l.h->heads[l.c] != l.p);
    TH_CHECK_EQ((size_t)rtheap_block_of(l.u)->next_free, u_next);
    CU_CHECK_HEAP(l.h);
}

static void merge_refuses_it(void)
{
    th_println("freeing the block after it reports the head once and contains it");
    layout_t l = damaged_head(72);
    rtheap_free(l.h, l.u); /* u's previous block is P: a merge would unlink it */
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_FREE_LIST);
    TH_CHECK_EQ(l.h->quarantine_count, 1);
    TH_CHECK(l.h->heads[l.c] != l.p);
    CU_CHECK_HEAP(l.h);
}

int main(void)
{
    th_println("test_head_link: a list head's back link that is not NULL");
    plain_allocation_takes_it();
    aligned_allocation_refuses_it();
    merge_refuses_it();
    return th_summary();
}
