/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Allocation with an alignment above RTHEAP_ALIGNMENT: one search for the
 * request plus the largest alignment gap; the gap in front of the aligned
 * block becomes a free block of its own.
 */
#include "internal.h"
#include "lock.h"

RTHEAP_PRIVATE RTHEAP_INLINE bool rtheap_is_pow2(uintptr_t x)
{
    return x != 0 && (x & (x - 1u)) == 0;
}

/**
 * Bytes to skip at the start of free block h so that the payload is aligned
 * to `align`: 0, or a gap large enough to become a free block itself.
 */
RTHEAP_PRIVATE uintptr_t rtheap_align_gap(uintptr_t h, uintptr_t align)
{
    /* Modular arithmetic: no overflow even for payloads near the top of
     * the address space (a gap that runs past it simply will not fit). */
    uintptr_t gap = (0u - (h + WORD)) & (align - 1u);
    if (gap != 0 && gap < MIN_BLOCK) {
        gap += align; /* gap and align are multiples of ALIGN: stays aligned */
    }
    return gap;
}

#if RTHEAP_ALIGNED_FIT
/**
 * The head of the first list that guarantees t bytes, if it holds up and
 * happens to be placed well for `align` (its size in *size), else NULL.
 */
RTHEAP_PRIVATE block_t *rtheap_probe_placed(rtheap_t *heap, uintptr_t t, uintptr_t align,
                                            uint32_t *cls, uintptr_t *size)
{
    block_t *b = rtheap_search(heap, rtheap_class_up(rtheap_granules(t)), cls);
    if (b == NULL) {
        return NULL;
    }
    uintptr_t s = rtheap_head_ok(heap, b, t);
    uintptr_t gap = rtheap_align_gap(rtheap_addr(b), align);
    if (s == 0 || gap > s || s - gap < t) {
        return NULL;
    }
    *size = s;
    return b;
}
#endif

/**
 * Allocation of t bytes from free block b (`size` bytes, in list c,
 * checked) at `gap` bytes from its start (0, or room for a block): the gap
 * becomes a free block of its own (b's previous block is in use: free
 * blocks never touch), the aligned block follows it, and the rest, when it
 * can be a block, is free.
 */
RTHEAP_PRIVATE void *rtheap_alloc_gap(rtheap_t *heap, block_t *b, uint32_t c, uintptr_t size,
                                      uintptr_t t, uintptr_t gap)
{
    uintptr_t h = rtheap_addr(b);
    size_t flag = b->header & FLAG_PREV_FREE;
    /* The links are read again here, out of the search that checked them:
     * checked again as they are used (they hold unless the heap changed
     * under a lock that does not hold, as on two cores with PRIMASK). */
    if (!rtheap_unlink_checked(heap, b, size)) {
        if (RTHEAP_CHECKS) {
            rtheap_contain_listed(heap, b, c);
        }
        rtheap_count_failed(heap);
        return NULL;
    }
    if (gap != 0) {
        rtheap_make_free(heap, h, gap, flag);
        flag = FLAG_PREV_FREE;
    }
    block_t *a = rtheap_block_at(h + gap);
    uintptr_t rest = size - gap - t;
    uintptr_t used = size - gap;
    if (rest >= MIN_BLOCK) {
        rtheap_make_free(heap, h + gap + t, rest, 0);
        used = t;
    } else {
        rtheap_clear_prev_free(h + size);
    }
    a->header = rtheap_hdr(used, flag, KIND_BLOCK);
    rtheap_count_alloc(heap, used);
    return rtheap_payload(a);
}

/** RTHEAP_SMALL: [h, h + t), cut off a block being allocated or made a
 * region's block, freed by the release that merges (the block before it is
 * in use). */
RTHEAP_PRIVATE void rtheap_release_cut(rtheap_t *heap, uintptr_t h, uintptr_t t)
{
    block_t *c = rtheap_block_at(h);
    c->header = rtheap_hdr(t, 0, KIND_BLOCK);
    /* The release reads the region only for a free neighbour, which a cut
     * piece has only on a damaged heap: with the checks and more than one
     * region, its own region then. */
    const region_t *r =
        RTHEAP_CHECKS && RTHEAP_MAX_REGIONS > 1 ? rtheap_region_of(heap, h) : &heap->regions[0];
    if (r != NULL) { /* it is: a search that checked the block found it */
        rtheap_release_merging(rtheap_payload(c), c, r, heap);
    }
}

/**
 * Allocation with any power-of-two alignment inside the lock. A plain one
 * is rtheap_alloc's body (RTHEAP_SMALL: this one's, without a gap). An
 * over-aligned one searches for room for the request and the worst
 * alignment gap (or, on a nearly full heap, for a block that happens to be
 * placed well), and its gap becomes a free block in front of it. Out of
 * line: the over-aligned search is the shared slow one (rtheap_find_slow),
 * so that the plain path keeps its own.
 */
RTHEAP_OUTLINE void *rtheap_alloc_aligned_unlocked(rtheap_t *heap, size_t size, uintptr_t align)
{
    if (!RTHEAP_SMALL && align <= ALIGN) {
        return rtheap_alloc_unlocked(heap, size);
    }
    uintptr_t t = rtheap_block_size_for(size);
    found_t f = {0, 0};
    block_t *b = NULL;
    if (t != 0 && t <= heap->max_block && align <= MAX_ALIGN) {
        uintptr_t pad = align + MIN_BLOCK - ALIGN; /* the worst gap */
#if RTHEAP_ALIGNED_FIT
        b = rtheap_probe_placed(heap, t, align, &f.cls, &f.size);
        if (b == NULL)
#endif
        {
            /* RTHEAP_SMALL: a plain allocation too, which needs no gap. */
            if ((!RTHEAP_SMALL || align > ALIGN) && pad <= heap->max_block - t) {
                b = rtheap_find_slow(heap, t + pad, &f); /* any such block has room */
            }
            if (b == NULL) {
                b = rtheap_find_slow(heap, t, &f);
            }
        }
    }
    /* A block the search found for t bytes and no gap has room for them. */
    uintptr_t gap = 0;
    if (b != NULL && (!RTHEAP_SMALL || align > ALIGN)) {
        gap = rtheap_align_gap(rtheap_addr(b), align);
        b = gap > f.size || f.size - gap < t ? NULL : b;
    }
    if (b == NULL) {
        rtheap_count_failed(heap);
        return NULL;
    }
    if (!RTHEAP_SMALL) {
        return rtheap_alloc_gap(heap, b, f.cls, f.size, t, gap);
    }
    /* RTHEAP_SMALL: b leaves its list by the merges' unlink, and what is
     * cut off it (the rest, then the gap) is freed by the release that
     * merges, as a used block of its own: the one copy of a free's work.
     * No flag is carried over: b is free, so the block before it is not. */
    uintptr_t h = rtheap_addr(b);
    uintptr_t used = f.size - gap;
    if (rtheap_unlink_checked(heap, b, f.size) == 0 && RTHEAP_CHECKS != 0) {
        rtheap_contain_listed(heap, b, f.cls); /* links that no longer agree */
        rtheap_count_failed(heap);
        return NULL;
    }
    block_t *a = rtheap_block_at(h + gap);
    if (used - t >= MIN_BLOCK) {
        rtheap_release_cut(heap, h + gap + t, used - t);
        used = t;
    } else {
        rtheap_clear_prev_free(h + f.size);
    }
    a->header = rtheap_hdr(used, 0, KIND_BLOCK);
    if (gap != 0) {
        rtheap_release_cut(heap, h, gap); /* a learns its previous block is free */
    }
    rtheap_count_alloc(heap, used);
    return rtheap_payload(a);
}

/** rtheap_alloc_aligned's body, inside the lock, for align not a plain one. */
RTHEAP_PRIVATE RTHEAP_INLINE void *rtheap_alloc_aligned_checked(rtheap_t *heap, size_t size,
                                                                size_t align)
{
    if (!rtheap_is_pow2(align)) {
        rtheap_report(heap, RTHEAP_ERR_BAD_ARGUMENT, NULL);
        return NULL;
    }
    return rtheap_alloc_aligned_unlocked(heap, size, align);
}

/* That body in the lock, for a heap that exists: inlined into both its
 * callers (at -Os a call cost the C API's over-aligned allocation 7
 * instructions). */
RTHEAP_PRIVATE RTHEAP_INLINE void *rtheap_alloc_aligned_locked(rtheap_t *heap, size_t size,
                                                               size_t align)
{
    LOCKED_CALL(heap, true, rtheap_alloc_aligned_checked(heap, size, align));
}

/* __rust_allocate's call for a layout that is not a plain one, on a heap
 * that exists (src/rtheap_rust.c): the entry point's own arguments in their
 * registers, the heap third. A plain alignment (its first call's) takes the
 * plain path inside rtheap_alloc_aligned_unlocked. */
void *rtheap_rust_alloc_other(size_t size, size_t align, rtheap_t *heap)
{
    return rtheap_alloc_aligned_locked(heap, size, align);
}

void *rtheap_alloc_aligned(rtheap_t *heap, size_t size, size_t align)
{
    if (heap == NULL) {
        return NULL;
    }
    /* RTHEAP_SMALL: one path for every alignment. */
    if (!RTHEAP_SMALL && align <= ALIGN && rtheap_is_pow2(align)) {
        return rtheap_alloc_nonnull(heap, size); /* the plain path, and its one copy */
    }
    return rtheap_alloc_aligned_locked(heap, size, align);
}

size_t rtheap_request_usable_size(size_t size, size_t align)
{
    /* No heap on this target holds a block above the largest size a header can
     * carry (its payload: that size less a word): such a request could never
     * be satisfied. align: a power of two up to MAX_ALIGN, so that align - 1
     * is below that bound exactly when align is in 1..MAX_ALIGN. */
    uintptr_t a1 = (uintptr_t)align - 1u;
    if (size > ((MAX_GRANULES - 1u) << ALIGN_LOG2) - WORD || a1 >= MAX_ALIGN ||
        (align & a1) != 0) {
        return 0;
    }
    return (size_t)(rtheap_block_size_for(size) - WORD);
}
