/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* White-box: rtheap_check(), rtheap_walk() and the paths that only damage reaches.
 *
 * Compiles rtheap.c in (#include) to reach the control structure: each case
 * damages one field or link by hand, expects rtheap_check() to name exactly
 * that invariant (or the call to refuse with the documented error and leave
 * the caller's data alone), then repairs it and expects RTHEAP_OK again.
 * Also: rtheap_init_for() against a region larger than the first, fences in
 * the walk, and a region added below the first one. */
#include "rtheap.c"

#include "../core/core_util.h"

/* Fits the micro:bit's 16 KiB of RAM next to its stack. */
static unsigned char arena[6144] __attribute__((aligned(64)));

static cu_hook_t hook;

static rtheap_t *fresh(size_t bytes)
{
    return cu_init_hooked(arena, bytes, &hook);
}

static uint32_t class_of_block(const void *p)
{
    return rtheap_class_of_size(rtheap_size(rtheap_block_of(p)->header));
}

/* ---- control structure, bitmaps, statistics ---------------------------- */

/* sl_bitmap has one word past the last row, which the search reads for a
 * size whose rounded class is one row past the index: it must stay 0. */
static void past_last_row(void)
{
    /* A heap whose one free block is in the top row's last class, above
     * that class's smallest size: asked for whole, its rounded class is one
     * row past the index, and the first fit in its own class finds it. */
    rtheap_t *h = NULL;
    uintptr_t t = 0;
    for (size_t bytes = 1024; bytes <= sizeof(arena) && h == NULL; bytes += ALIGN) {
        rtheap_t *c = fresh(bytes);
        rtheap_stats_t st;
        TH_CHECK(rtheap_get_stats(c, &st));
        t = (uintptr_t)st.free_bytes;
        if (rtheap_class_up(rtheap_granules(t)) / SL_COUNT == c->fl_count) {
            h = c;
        }
    }
    TH_CHECK_NOT_NULL(h);
    TH_CHECK_EQ(h->sl_bitmap[h->fl_count], 0u);
    void *p = rtheap_alloc(h, (size_t)(t - WORD));
    TH_CHECK_NOT_NULL(p);
    rtheap_free(h, p);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
    h->sl_bitmap[h->fl_count] = 1u;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_BITMAP);
    h->sl_bitmap[h->fl_count] = 0u;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
}

static void damaged_fields(void)
{
    rtheap_t *h = fresh(2048);
    void *a = rtheap_alloc(h, 40);
    void *b = rtheap_alloc(h, 100);
    void *c = rtheap_alloc(h, 40);
    rtheap_free(h, b); /* a free block between two used ones */
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);

    /* An sl bit for an empty list. */
    uint32_t cb = class_of_block(b);
    uint32_t empty = cb == 3u ? 4u : 3u; /* tiny classes: no block of 24/32 B here */
    if (h->heads[empty] == NULL) {
        h->sl_bitmap[empty / SL_COUNT] ^= 1u << (empty % SL_COUNT);
        TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_BITMAP);
        h->sl_bitmap[empty / SL_COUNT] ^= 1u << (empty % SL_COUNT);
    }
    /* A first-level bit above the index. */
    if (h->fl_count < FL_MAX) {
        h->fl_bitmap ^= 1u << h->fl_count;
        TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_BITMAP);
        h->fl_bitmap ^= 1u << h->fl_count;
    }
    /* A first-level bit that disagrees with its row. */
    h->fl_bitmap ^= 1u << (cb / SL_COUNT);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_BITMAP);
    h->fl_bitmap ^= 1u << (cb / SL_COUNT);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);

    /* Statistics and accounting. */
#if RTHEAP_STATS
    h->used_total += ALIGN;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_STATS);
    h->used_total -= ALIGN;
#endif
    h->arena_bytes += ALIGN;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_ACCOUNTING);
    h->arena_bytes -= ALIGN;

    /* The sentinel. */
    block_t *s = rtheap_block_at(h->regions[0].sentinel);
    size_t saved = s->header;
    s->header |= FLAG_FREE;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_CHAIN);
    s->header = saved;

    /* The control structure itself. */
    h->magic ^= 1u;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_CONTROL);
    h->magic ^= 1u;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
    /* The first region's bounds as the hot checks read them must match the table. */
    h->first += ALIGN;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_CONTROL);
    h->first -= ALIGN;
    h->granules -= 1u;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_CONTROL);
    h->granules += 1u;
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
    TH_CHECK_EQ(rtheap_check(NULL), RTHEAP_ERR_CONTROL);

    /* A free block in the wrong list, then in none at all. */
    block_t *fb = rtheap_block_of(b);
    uint32_t other = cb + 1u;
    rtheap_unlink(h, fb, cb);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_FREE_COUNT); /* free, but listed nowhere */
    block_t *keep_head = h->heads[other];
    uint32_t keep_sl = h->sl_bitmap[other / SL_COUNT];
    uint32_t keep_fl = h->fl_bitmap;
    fb->next_free = keep_head;
    fb->prev_free = NULL;
    if (keep_head != NULL) {
        keep_head->prev_free = fb;
    }
    h->heads[other] = fb;
    h->sl_bitmap[other / SL_COUNT] |= 1u << (other % SL_COUNT);
    h->fl_bitmap |= 1u << (other / SL_COUNT);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_LIST_CLASS);
    /* Undo by hand, then put it back where it belongs. */
    h->heads[other] = keep_head;
    if (keep_head != NULL) {
        keep_head->prev_free = NULL;
    }
    h->sl_bitmap[other / SL_COUNT] = keep_sl;
    h->fl_bitmap = keep_fl;
    rtheap_push(h, fb, cb);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);

    /* A damaged header stops the walk early instead of running wild. */
    size_t blocks = rtheap_walk(h, cu_walk_count, NULL);
    block_t *ba = rtheap_block_of(a);
    saved = ba->header;
    ba->header ^= (size_t)4u; /* one bit: the header's byte XOR no longer holds */
    TH_CHECK(rtheap_walk(h, cu_walk_count, NULL) < blocks);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_ERR_CHAIN);
    ba->header = saved;
    TH_CHECK_EQ(rtheap_walk(h, cu_walk_count, NULL), blocks);

    rtheap_free(h, a);
    rtheap_free(h, c);
    TH_CHECK_EQ(hook.calls, 0);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
}

/* ---- calls that meet a damaged neighbour -------------------------------- */

/* Makes the free block f's list links fail their O(1) check. */
static block_t *break_links(block_t *f, void *used_elsewhere)
{
    block_t *saved = f->prev_free;
    /* A block header inside the heap whose payload word is not f. */
    f->prev_free = rtheap_block_of(used_elsewhere);
    return saved;
}

static void damaged_neighbours(void)
{
    rtheap_t *h = fresh(3072);
    unsigned char *a = rtheap_alloc(h, 200);
    unsigned char *n = rtheap_alloc(h, 64);
    unsigned char *z = rtheap_alloc(h, 40);
    TH_CHECK(a != NULL && n != NULL && z != NULL);
    cu_fill(a, 200, 0x31);
    cu_fill(z, 40, 0x55);
    rtheap_free(h, n); /* a's next block is free */
    block_t *nb = rtheap_block_of(n);

    /* Shrinking a hands its tail to n, whose links are damaged: n is found
     * damaged (one report) and quarantined, the tail becomes a free block of
     * its own, and a keeps the bytes it keeps. */
    (void)break_links(nb, z);
    hook.calls = 0;
    rtheap_stats_t before;
    rtheap_get_stats(h, &before);
    TH_CHECK_PTR_EQ(rtheap_realloc(h, a, 16), a);
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_FREE_LIST);
    TH_CHECK(cu_verify(a, 16, 0x31) == 16u);
    TH_CHECK_EQ(rtheap_usable_size(h, a), rtheap_request_usable_size(16, 1));
    rtheap_stats_t after;
    rtheap_get_stats(h, &after);
    TH_CHECK_EQ(after.quarantine_count, before.quarantine_count + 1u);
    TH_CHECK_EQ(after.quarantined_bytes, rtheap_size(nb->header));
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);

    /* Growing b must move it, and b's previous neighbour p is free with
     * damaged links: the move goes ahead, p is quarantined when b is freed
     * after the copy (one report), nothing leaks. */
    rtheap_free(h, z);
    unsigned char *p = rtheap_alloc(h, 48);
    unsigned char *b = rtheap_alloc(h, 48);
    unsigned char *q = rtheap_alloc(h, 24);
    TH_CHECK(p != NULL && b != NULL && q != NULL);
    cu_fill(b, 48, 0x77);
    rtheap_free(h, p); /* b's previous block is free */
    block_t *pb = rtheap_block_of(p);
    (void)break_links(pb, q);
    rtheap_get_stats(h, &before);
    hook.calls = 0;
    unsigned char *moved = rtheap_realloc(h, b, 600);
    TH_CHECK(moved != NULL && moved != b);
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_FREE_LIST);
    TH_CHECK(cu_verify(moved, 48, 0x77) == 48u);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
    rtheap_get_stats(h, &after);
    TH_CHECK_EQ(after.live_blocks, before.live_blocks);
    TH_CHECK_EQ(after.quarantine_count, before.quarantine_count + 1u);

    rtheap_free(h, a);
    rtheap_free(h, moved);
    rtheap_free(h, q);
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
}

/* ---- rtheap_init_for, fences, regions below the first -------------------- */

static void regions_and_fences(void)
{
    /* A small first region, then 4 KiB more: rtheap_init's index holds
     * blocks about as large as the first region only, so the big region is
     * cut into chunks with fences between them. */
    size_t first_bytes = 256u * sizeof(void *); /* 1 KiB on Cortex-M, 2 KiB on 64-bit */
    unsigned char *second = arena + 2048;
    size_t second_bytes = 4096;
    rtheap_t *h = rtheap_init(arena, first_bytes);
    TH_CHECK_NOT_NULL(h);
    TH_CHECK(rtheap_add_region(h, second, second_bytes));
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
    rtheap_stats_t s;
    rtheap_get_stats(h, &s);
    TH_CHECK(s.largest_guaranteed < second_bytes / 2u);
    TH_CHECK_NULL(rtheap_alloc(h, second_bytes - 64u)); /* no chunk is that large */
    size_t chunks = rtheap_walk(h, cu_walk_count, NULL);
    TH_CHECK(chunks >= 3u); /* region 0's block + at least 2 chunks */
    /* Blocks come out of every chunk; fences keep them apart. */
    void *held[8];
    size_t n = 0;
    while (n < 8u && (held[n] = rtheap_alloc(h, 512)) != NULL) {
        n++;
    }
    TH_CHECK(n >= 3u);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
    while (n > 0u) {
        rtheap_free(h, held[--n]);
    }
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
    TH_CHECK_EQ(rtheap_walk(h, cu_walk_count, NULL), chunks);

    /* rtheap_init_for sizes the index for the larger region: one block. */
    h = rtheap_init_for(arena, first_bytes, second_bytes);
    TH_CHECK_NOT_NULL(h);
    TH_CHECK(rtheap_add_region(h, second, second_bytes));
    TH_CHECK_EQ(rtheap_walk(h, cu_walk_count, NULL), 2u);
    void *big = rtheap_alloc(h, second_bytes - 64u);
    TH_CHECK_NOT_NULL(big);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
    rtheap_free(h, big);

    /* A region below the first one. */
    h = rtheap_init(arena + 3072, 1536);
    TH_CHECK_NOT_NULL(h);
    TH_CHECK(rtheap_add_region(h, arena, 1024));
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
    void *lo = rtheap_alloc(h, 600);
    void *hi = rtheap_alloc(h, 600);
    TH_CHECK(lo != NULL && hi != NULL);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
    rtheap_free(h, lo);
    rtheap_free(h, hi);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
}

int main(void)
{
    th_println("test_check: rtheap_check, walk, damaged neighbours, regions");
    past_last_row();
    damaged_fields();
    damaged_neighbours();
    regions_and_fences();
    return th_summary();
}
