/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* White-box: a write after free over all of a smallest free block V (its two links and
 * its footer) is found first by freeing the block after it, which cannot reach V
 * through the footer. V is the smallest block: it is found without the footer, reported
 * once and taken out of service there. V's list neighbours then meet a fence through
 * their links, which is known damage: no second report, and the sound block that meets
 * it stays in service when it is allocated. Before, V was left in its list, each of
 * these reported a second time, and the allocation fenced the sound block in V's place
 * (#include "rtheap.c"; every board). */
#include "rtheap.c"

#include "../core/core_util.h"

static unsigned char arena[4096] __attribute__((aligned(64)));
static cu_hook_t hook;

/* Six smallest blocks and a guard: g0 V W g1 X g2. */
static void *blocks[6];

static rtheap_t *layout(void)
{
    rtheap_t *h = cu_init_hooked(arena, sizeof arena, &hook);
    for (unsigned i = 0; i < 6u; i++) {
        blocks[i] = rtheap_alloc(h, 1);
        TH_CHECK_NOT_NULL(blocks[i]);
    }
    (void)rtheap_alloc(h, 64); /* keeps the rest of the heap away from g2 */
    TH_CHECK_EQ(rtheap_size(rtheap_block_of(blocks[1])->header), MIN_BLOCK);
    return h;
}

/* Overwrites all of free block p's payload, and frees the block after it: p is
 * reported and fenced. */
static void damage_then_free_next(rtheap_t *h, void *p, void *next)
{
    cu_set(p, 0x41, MIN_BLOCK - WORD);
    uint32_t quarantined = h->quarantine_count;
    rtheap_free(h, next);
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(h->quarantine_count, quarantined + 1u);
    TH_CHECK(rtheap_is_fence(rtheap_block_of(p)->header));
}

/* The list is X -> V: allocating X meets V through X's next link. */
static void met_from_the_list_head(void)
{
    th_println("V met through the next link of the head of its list");
    rtheap_t *h = layout();
    void *v = blocks[1];
    void *x = blocks[4];
    rtheap_free(h, v);
    rtheap_free(h, x);
    damage_then_free_next(h, v, blocks[2]);
    uint32_t quarantined = h->quarantine_count;
    (void)rtheap_alloc(h, 1); /* W, the head of its own list */
    TH_CHECK(rtheap_alloc(h, 1) == x); /* X, sound, is handed out */
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(h->quarantine_count, quarantined);
    CU_CHECK_HEAP(h);
}

/* The list is V -> X: freeing g2 merges X, whose back link leads to V. */
static void met_from_a_merge(void)
{
    th_println("V met through the back link of a block a free merges");
    rtheap_t *h = layout();
    void *v = blocks[1];
    void *x = blocks[4];
    rtheap_free(h, x);
    rtheap_free(h, v);
    damage_then_free_next(h, v, blocks[2]);
    rtheap_free(h, blocks[5]); /* X, behind the fence, is not merged: known */
    TH_CHECK_EQ(hook.calls, 1);
    while (rtheap_alloc(h, 1) != NULL) {
    }
    TH_CHECK_EQ(hook.calls, 1);
    CU_CHECK_HEAP(h);
}

int main(void)
{
    th_println("test_disowned: damage disowned by a neighbour is reported once");
    met_from_the_list_head();
    met_from_a_merge();
    return th_summary();
}
