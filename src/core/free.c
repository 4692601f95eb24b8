/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Free: the O(1) validation of a pointer handed in, and the release of its
 * block, merged with the free neighbours that hold up.
 */
#include "internal.h"
#include "lock.h"

/**
 * O(1) validation of a pointer handed in as a live block: inside a region,
 * aligned, a sound used header whose size stays in the region, and a next
 * header that is sound and says its previous block is in use. Returns
 * RTHEAP_OK (with the region in *rp and the next header in *ndp) or the
 * error to report (RTHEAP_ERR_BAD_HEADER for any header the fast checks
 * refuse: rtheap_refuse names what is wrong with it).
 */
RTHEAP_PRIVATE RTHEAP_HOT rtheap_error_t rtheap_validate_used(const rtheap_t *heap, const void *ptr,
                                                              const region_t **rp, size_t *ndp)
{
    uintptr_t h = (uintptr_t)ptr - WORD;
    const region_t *r = rtheap_region_of(heap, h);
    *rp = r;
    *ndp = 0;
    if (!RTHEAP_CHECKS) {
        *ndp = rtheap_block_at(h + rtheap_size(rtheap_block_at(h)->header))->header;
        return RTHEAP_OK;
    }
    if (r == NULL) {
        return RTHEAP_ERR_FOREIGN_POINTER;
    }
    if (((uintptr_t)ptr & (ALIGN - 1u)) != 0) {
        return RTHEAP_ERR_MISALIGNED;
    }
    size_t hd = rtheap_block_at(h)->header;
    uintptr_t t = rtheap_size(hd);
    if (!rtheap_sound(hd) || (hd & (FLAG_FREE | FLAG_FENCE)) != 0 || t < MIN_BLOCK ||
        t > r->sentinel - h) {
        return RTHEAP_ERR_BAD_HEADER;
    }
    size_t nd = rtheap_block_at(h + t)->header;
    *ndp = nd;
    if (rtheap_prev_is_free(nd) || !rtheap_sound(nd)) {
        return RTHEAP_ERR_BAD_NEIGHBOUR;
    }
    return RTHEAP_OK;
}

/**
 * Takes free block n (t bytes) out of its list if its links agree with the
 * list (each link checked before it is read through): true then; false,
 * nothing changed, if they do not. The class is computed only when n is a
 * list head, the one case that needs it.
 */
RTHEAP_SHARED_FLAT bool rtheap_unlink_checked(rtheap_t *heap, block_t *n, uintptr_t t)
{
    block_t *prev = n->prev_free;
    block_t *next = n->next_free;
    uint32_t c = 0;
    if (prev != NULL) {
        if (RTHEAP_CHECKS && (!rtheap_link_ok(heap, prev) || prev->next_free != n)) {
            return false;
        }
    } else {
        c = rtheap_class_of_size(t);
        if (RTHEAP_CHECKS && heap->heads[c] != n) {
            return false;
        }
    }
    if (RTHEAP_CHECKS && next != NULL && (!rtheap_link_ok(heap, next) || next->prev_free != n)) {
        if (!rtheap_cut_dead_next(heap, n)) {
            return false;
        }
        next = NULL;
    }
    rtheap_unlink_between(heap, prev, next, c);
    return true;
}

/**
 * Detaches free block n for a merge: n is the next block of one that ends
 * at n with `room` bytes left to the sentinel. If it holds up (size inside
 * the region, footer, links) it leaves its list and its size is returned,
 * else 0.
 */
RTHEAP_PRIVATE RTHEAP_HOT uintptr_t rtheap_detach_next(rtheap_t *heap, block_t *n, size_t nd,
                                                       uintptr_t room)
{
    uintptr_t t = rtheap_size(nd);
    if (RTHEAP_CHECKS &&
        (t < MIN_BLOCK || t > room || *rtheap_footer(rtheap_addr(n) + t) != n)) {
        return 0;
    }
    return rtheap_unlink_checked(heap, n, t) ? t : 0;
}

/**
 * Detaches the free block in front of block h (which says PREV_FREE, inside
 * region r) for a merge if it holds up: found through the footer at a
 * header position of r below h (checked before anything is read through
 * it), a free block's header, a size that ends exactly at h, links that
 * agree. Returns it, or NULL.
 */
RTHEAP_PRIVATE RTHEAP_HOT block_t *rtheap_detach_prev(rtheap_t *heap, const region_t *r,
                                                      uintptr_t h)
{
    block_t *p = *rtheap_footer(h);
    uintptr_t ph = rtheap_addr(p);
    if (RTHEAP_CHECKS) {
        if (ph >= h || !rtheap_header_pos_ok(r, ph)) {
            return NULL;
        }
        size_t pd = p->header;
        if (!rtheap_is_free_block(pd) || rtheap_size(pd) != h - ph) {
            return NULL;
        }
    }
    return rtheap_unlink_checked(heap, p, h - ph) ? p : NULL;
}

/**
 * rtheap_release when a neighbour says it is free (or b's next header says
 * its previous block is): merges with the free neighbours that hold up; a
 * damaged one is taken out of service instead (reported on behalf of `ptr`).
 * One copy at every level, which free, trim and a moving realloc share: the
 * merges are the minority of frees, and a copy in free would double the
 * merge's bytes for about four instructions a free.
 */
RTHEAP_BODY void rtheap_release_merging(rtheap_t *heap, const region_t *r, block_t *b, size_t hd,
                                         size_t nd, const void *ptr)
{
    uintptr_t h = rtheap_addr(b);
    uintptr_t t = rtheap_size(hd);
    uintptr_t start = h;
    uintptr_t total = t;
    block_t *n = rtheap_block_at(h + t);
    bool next_merged = false;
    if (rtheap_is_free(nd)) {
        uintptr_t tn = rtheap_detach_next(heap, n, nd, r->sentinel - h - t);
        if (tn != 0) {
            n->header = 0; /* no stale header left behind */
            rtheap_poison(h + t, 3u * WORD);
            total += tn;
            next_merged = true;
        } else if (RTHEAP_CHECKS) {
            rtheap_contain_neighbour(heap, r, n, ptr);
        }
    }
    if (rtheap_prev_is_free(hd)) {
        block_t *p = rtheap_detach_prev(heap, r, h);
        if (p != NULL) {
            b->header = 0;
            rtheap_poison(h - WORD, 2u * WORD);
            start = rtheap_addr(p);
            total += h - start;
        } else if (RTHEAP_CHECKS) {
            rtheap_contain_prev(heap, r, h, ptr);
        }
    }
    block_t *f = rtheap_free_block_at(start, total, 0);
    uintptr_t end = start + total;
    if (!next_merged) {
        /* The block after (used, a fence, a sentinel or damage) was told
         * "previous used"; after a merge it already says "previous free". */
        block_t *e = rtheap_block_at(end);
        if (!rtheap_prev_is_free(e->header)) {
            e->header = rtheap_toggle(e->header, FLAG_PREV_FREE);
        }
    }
    rtheap_push(heap, f, rtheap_class_of_size(total));
}

/**
 * Turns used block b (header hd, inside region r, checked, in no list;
 * next header nd) into a free block, merged with free neighbours, in its
 * list; the block after it learns that its previous block is free. A
 * damaged neighbour is taken out of service instead of merged (reported on
 * behalf of `ptr`).
 */
RTHEAP_PRIVATE RTHEAP_HOT void rtheap_release(rtheap_t *heap, const region_t *r, block_t *b,
                                              size_t hd, size_t nd, const void *ptr)
{
    uintptr_t h = rtheap_addr(b);
    uintptr_t t = rtheap_size(hd);
    rtheap_poison(h + WORD, t - WORD);
    if ((hd & FLAG_PREV_FREE) != 0 || (nd & (FLAG_FREE | FLAG_PREV_FREE)) != 0) {
        rtheap_release_merging(heap, r, b, hd, nd, ptr);
        return;
    }
    /* Neither neighbour is free (the common case): b's header and the next
     * one each flip one flag (their tags flip with it), b's footer is set
     * and b goes into its list. */
    b->header = rtheap_toggle(hd, FLAG_FREE);
    *rtheap_footer(h + t) = b;
    rtheap_block_at(h + t)->header = rtheap_toggle(nd, FLAG_PREV_FREE);
    rtheap_push(heap, b, rtheap_class_of_size(t));
}

RTHEAP_PRIVATE RTHEAP_HOT void rtheap_free_unlocked(rtheap_t *heap, void *ptr)
{
    const region_t *r;
    size_t nd;
    rtheap_error_t e = rtheap_validate_used(heap, ptr, &r, &nd);
    if (RTHEAP_CHECKS && e != RTHEAP_OK) {
        rtheap_refuse(heap, e, ptr);
        return;
    }
    block_t *b = rtheap_block_of(ptr);
    size_t hd = b->header;
    rtheap_count_free(heap, rtheap_size(hd));
    rtheap_release(heap, r, b, hd, nd, ptr);
}

RTHEAP_ENTRY void rtheap_free(rtheap_t *heap, void *ptr)
{
    if (heap == NULL || ptr == NULL) {
        return;
    }
    LOCKED_VOID(heap, true, rtheap_free_unlocked(heap, ptr));
}
