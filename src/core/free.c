/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Free: the O(1) validation of a pointer handed in, and the release of its
 * block, merged with the free neighbours that hold up.
 */
#include "internal.h"
#include "lock.h"

/**
 * The XOR folds of two header words side by side: a's in bits 0-7, b's in
 * bits 16-23 (both tags hold when those bytes are TAG_XOR). On 32-bit
 * targets a and b's half-folds share one word and one more fold step
 * finishes both.
 */
RTHEAP_PRIVATE uint32_t rtheap_folds(size_t a, size_t b)
{
#if UINTPTR_MAX > 0xFFFFFFFFu
    return rtheap_fold(a) | rtheap_fold(b) << 16;
#else
    uint32_t x = ((a ^ (a >> 16)) & 0xFFFFu) | ((b ^ (b >> 16)) << 16);
    return x ^ (x >> 8);
#endif
}

/**
 * Region whose blocks contain header address h, or NULL, for an h that is
 * no header position of the first region: a later region's block, or a bad
 * pointer (the first region for a misaligned one inside it). -O2 inlines
 * the search: as a call, it made free's path spill the values it keeps
 * live across it, a stack frame on every free (2 instructions).
 */
RTHEAP_PRIVATE RTHEAP_HOT const region_t *rtheap_region_far(const rtheap_t *heap, uintptr_t h)
{
#if defined(__OPTIMIZE_SIZE__)
    return rtheap_region_of(heap, h);
#else
    if ((h - heap->first) >> ALIGN_LOG2 < heap->granules) {
        return &heap->regions[0]; /* misaligned */
    }
    return rtheap_region_scan(heap, h);
#endif
}

/**
 * O(1) validation of a pointer handed in as a live block: inside a region,
 * aligned, a sound used header whose size stays in the region, and a next
 * header that is sound and says its previous block is in use. Returns
 * RTHEAP_OK (with the region in *rp and the next header in *ndp) or the
 * error to report (RTHEAP_ERR_BAD_HEADER for any header the fast checks
 * refuse: rtheap_refuse names what is wrong with it).
 * `fused` (a constant): both tags checked at once, after the size, and nd's
 * PREV_FREE left to the caller (free, which tests it with the flags that
 * ask for a merge); else the block's tag first, so that an unsound header
 * is refused before the next one is read (the bound of a refusal, as in
 * rtheap_usable_size, stays where it was).
 */
RTHEAP_PRIVATE RTHEAP_HOT rtheap_error_t rtheap_validate(const rtheap_t *heap, const void *ptr,
                                                         const region_t **rp, size_t *ndp,
                                                         bool fused)
{
    uintptr_t h = (uintptr_t)ptr - WORD;
    *ndp = 0;
    if (!RTHEAP_CHECKS) {
        *rp = rtheap_region_of(heap, h);
        *ndp = rtheap_block_at(h + rtheap_size(rtheap_block_at(h)->header))->header;
        return RTHEAP_OK;
    }
    /* In the first region and aligned like a header, in one compare; the
     * room left to its sentinel then comes from its size in granules (-O2:
     * one instruction less than the sentinel's load and subtraction). */
    const region_t *r = &heap->regions[0];
    uintptr_t d = h - heap->first;
    uintptr_t room = (heap->granules << ALIGN_LOG2) - d;
    if (!RTHEAP_LIKELY(rtheap_position_index(d) < heap->granules)) {
        r = rtheap_region_far(heap, h);
        if (r == NULL) {
            return RTHEAP_ERR_FOREIGN_POINTER;
        }
        if (((uintptr_t)ptr & (ALIGN - 1u)) != 0) {
            return RTHEAP_ERR_MISALIGNED;
        }
        room = r->sentinel - h;
    }
#if defined(__OPTIMIZE_SIZE__)
    room = r->sentinel - h; /* less code at -Os, for the same count */
#endif
    *rp = r;
    size_t hd = rtheap_block_at(h)->header;
    uintptr_t t = rtheap_size(hd);
    if ((!fused && !rtheap_sound(hd)) || (hd & (FLAG_FREE | FLAG_FENCE)) != 0 || t < MIN_BLOCK ||
        t > room) {
        return RTHEAP_ERR_BAD_HEADER;
    }
    /* The extent is inside the region whatever the tag says: the next
     * header can be read before the tags are checked. */
    size_t nd = rtheap_block_at(h + t)->header;
    *ndp = nd;
    if (!fused) {
        return rtheap_prev_is_free(nd) || !rtheap_sound(nd) ? RTHEAP_ERR_BAD_NEIGHBOUR : RTHEAP_OK;
    }
    uint32_t folds = rtheap_folds(hd, nd);
    if ((folds & 0x00FF00FFu) != (TAG_XOR | TAG_XOR << 16)) {
        return (folds & 0xFFu) == TAG_XOR ? RTHEAP_ERR_BAD_NEIGHBOUR : RTHEAP_ERR_BAD_HEADER;
    }
    return RTHEAP_OK; /* the caller checks nd's PREV_FREE */
}

/** rtheap_validate with the block's tag checked first (resize, realloc, usable size). */
RTHEAP_PRIVATE RTHEAP_HOT rtheap_error_t rtheap_validate_used(const rtheap_t *heap, const void *ptr,
                                                              const region_t **rp, size_t *ndp)
{
    return rtheap_validate(heap, ptr, rp, ndp, false);
}

/**
 * n's next link `*next` checked for an unlink: true if it is NULL or a block
 * that links back to n, or if it leads to a fence (the list is then cut
 * there and *next becomes NULL); false if it fails.
 */
RTHEAP_PRIVATE bool rtheap_next_checked(rtheap_t *heap, block_t *n, block_t **next)
{
    block_t *x = *next;
    if (!RTHEAP_CHECKS || x == NULL || (rtheap_link_ok(heap, x) && x->prev_free == n)) {
        return true;
    }
    if (!rtheap_cut_dead_next(heap, n)) {
        return false;
    }
    *next = NULL;
    return true;
}

/**
 * Takes free block n (t bytes, t > 0) out of its list if its links agree
 * with the list (each link checked before it is read through): returns t
 * then (a merge needs it after the call); 0, nothing changed, if they do
 * not. The class is computed only when n is a list head, the one case that
 * needs it. The two cases are checked apart, and each unlinks knowing
 * whether prev is set (the inlined unlink tests it no more).
 */
RTHEAP_SHARED_FLAT uintptr_t rtheap_unlink_checked(rtheap_t *heap, block_t *n, uintptr_t t)
{
    block_t *prev = n->prev_free;
    block_t *next = n->next_free;
    if (RTHEAP_LIKELY(prev == NULL)) {
        uint32_t c = rtheap_class_of_size(t);
        if ((RTHEAP_CHECKS && heap->heads[c] != n) || !rtheap_next_checked(heap, n, &next)) {
            return 0;
        }
        rtheap_unlink_between(heap, NULL, next, c);
        return t;
    }
    if (RTHEAP_CHECKS && (!rtheap_link_ok(heap, prev) || prev->next_free != n)) {
        return 0;
    }
    if (!rtheap_next_checked(heap, n, &next)) {
        return 0;
    }
    rtheap_unlink_between(heap, prev, next, 0); /* prev is set: no list head changes */
    return t;
}

/** rtheap_unlink_checked for a merge: without the checks the heap is
 * trusted, and the unlink always done (t, a block's size, is not 0). */
RTHEAP_PRIVATE RTHEAP_HOT uintptr_t rtheap_unlink_for_merge(rtheap_t *heap, block_t *n, uintptr_t t)
{
    uintptr_t done = rtheap_unlink_checked(heap, n, t);
    if (!RTHEAP_CHECKS) {
        RTHEAP_ASSUME(done != 0);
    }
    return done;
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
    if (RTHEAP_CHECKS && (t < MIN_BLOCK || t > room || *rtheap_footer(rtheap_addr(n) + t) != n)) {
        return 0;
    }
    return rtheap_unlink_for_merge(heap, n, t);
}

/**
 * Detaches the free block in front of block h (which says PREV_FREE, inside
 * region r) for a merge if it holds up: found through the footer at a
 * header position of r below h (checked before anything is read through
 * it), a free block's header, a size that ends exactly at h, links that
 * agree. Returns its size (it starts that far below h), or 0.
 */
RTHEAP_PRIVATE RTHEAP_HOT uintptr_t rtheap_detach_prev(rtheap_t *heap, const region_t *r,
                                                       uintptr_t h)
{
    block_t *p = *rtheap_footer(h);
    uintptr_t ph = rtheap_addr(p);
    uintptr_t s = h - ph;
    if (RTHEAP_CHECKS) {
        /* A header position of r below h (which is one), in one compare. */
        uintptr_t below = (h - r->first) >> ALIGN_LOG2; /* header positions below h */
        if (rtheap_position_index(ph - r->first) >= below) {
            return 0;
        }
        RTHEAP_ASSUME(s != 0); /* p is below h: the compare above says so */
        /* A free block's header (not a fence's) of exactly s bytes: s is
         * aligned and below the tag, so one masked compare says both. */
        size_t pd = p->header;
        if (!rtheap_sound(pd) || (pd & (SIZE_BITS | FLAG_FREE | FLAG_FENCE)) != (s | FLAG_FREE)) {
            return 0;
        }
    }
    return rtheap_unlink_for_merge(heap, p, s);
}

/**
 * rtheap_release when a neighbour says it is free (or b's next header says
 * its previous block is): merges with the free neighbours that hold up; a
 * damaged one is taken out of service instead (reported on behalf of `ptr`).
 * One copy at every level, which free, trim and a moving realloc share: the
 * merges are the minority of frees, and a copy in free would double the
 * merge's bytes for about four instructions a free.
 */
RTHEAP_BODY void rtheap_release_merging(const void *ptr, block_t *b, const region_t *r,
                                        rtheap_t *heap)
{
    uintptr_t h = rtheap_addr(b);
    size_t hd = b->header;
    uintptr_t t = rtheap_size(hd);
    uintptr_t total = t;
    /* The merged block ends where b ends, or where n ends if n joins it. */
    block_t *n = rtheap_block_at(h + t);
    size_t nd = n->header;
    uintptr_t tn =
        rtheap_is_free(nd) ? rtheap_detach_next(heap, n, nd, r->sentinel - rtheap_addr(n)) : 0;
    if (tn != 0) {
        n->header = 0; /* no stale header left behind */
        rtheap_poison(h + t, 3u * WORD);
        total += tn;
        /* The block after n already says "previous free". */
    } else {
        if (RTHEAP_CHECKS && rtheap_is_free(nd)) {
            rtheap_contain_neighbour(heap, r, n, ptr);
            nd = n->header; /* a fence now, or still the damage */
        }
        /* The block after (used, a fence, a sentinel or damage) was told
         * "previous used". Nothing below writes its header. */
        if (!rtheap_prev_is_free(nd)) {
            n->header = rtheap_toggle(nd, FLAG_PREV_FREE);
        }
    }
    uintptr_t s = 0; /* the bytes of the previous block, if it joins */
    if (rtheap_prev_is_free(hd)) {
        s = rtheap_detach_prev(heap, r, h);
        if (s != 0) {
            b->header = 0;
            rtheap_poison(h - WORD, 2u * WORD);
            total += s;
        } else if (RTHEAP_CHECKS) {
            rtheap_contain_prev(heap, r, h, ptr);
        }
    }
    rtheap_push(heap, rtheap_free_block_at(h - s, total, 0), rtheap_class_of_size(total));
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
    /* b is used: its own FREE flag is clear, so this asks whether b says
     * PREV_FREE or the next block says FREE or PREV_FREE. RTHEAP_SMALL: the
     * merging release handles every case, and is the one copy. */
    if (RTHEAP_SMALL || ((hd | nd) & (FLAG_FREE | FLAG_PREV_FREE)) != 0) {
        rtheap_release_merging(ptr, b, r, heap);
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
    rtheap_error_t e = rtheap_validate(heap, ptr, &r, &nd, true);
    block_t *b = rtheap_block_of(ptr);
    size_t hd = 0;
    /* The next header must not say PREV_FREE (b is in use): tested only
     * when a flag asks for a merge, which rtheap_release asks next. */
    if (e == RTHEAP_OK) {
        hd = b->header;
        if (RTHEAP_CHECKS && ((hd | nd) & (FLAG_FREE | FLAG_PREV_FREE)) != 0 &&
            rtheap_prev_is_free(nd)) {
            e = RTHEAP_ERR_BAD_NEIGHBOUR;
        }
    }
    if (RTHEAP_CHECKS && e != RTHEAP_OK) {
        rtheap_refuse(heap, e, ptr);
        return;
    }
    rtheap_count_free(heap, rtheap_size(hd));
    rtheap_release(heap, r, b, hd, nd, ptr);
}

/* rtheap_free on a heap known to exist: __rust_deallocate's call
 * (src/rtheap_rust.c), with its arguments where they came and the heap
 * fourth, where this body wants it (the layout is not needed). With the
 * checks a NULL ptr needs no test of its own: it is in no region, and
 * rtheap_refuse lets it go without a word. */
RTHEAP_ENTRY void rtheap_rust_free(void *ptr, size_t old_size, size_t align, rtheap_t *heap)
{
    (void)old_size;
    (void)align;
    if (!RTHEAP_CHECKS && ptr == NULL) {
        return;
    }
    LOCKED_VOID(heap, true, rtheap_free_unlocked(heap, ptr));
}

void rtheap_free(rtheap_t *heap, void *ptr)
{
    if (heap != NULL) {
        rtheap_rust_free(ptr, 0, 0, heap);
    }
}
