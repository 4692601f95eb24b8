/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Resizing: in place (shrink, or grow into a free next block), realloc
 * (in place, else allocate, copy and free), calloc (allocate and zero) and
 * the usable size of a live block.
 */
#include "internal.h"
#include "lock.h"

/* The core must not call memcpy (RTHEAP_NO_STORE_PATTERN). */
RTHEAP_PRIVATE void rtheap_copy_words(uintptr_t dst, uintptr_t src, uintptr_t bytes)
{
    size_t *d = (size_t *)dst;
    const size_t *s = (const size_t *)src;
    size_t *end = d + bytes / WORD;
    while (d != end) { /* wcet-loop: copy-words bytes / 4 */
        *d = *s;
        d++;
        s++;
        RTHEAP_NO_STORE_PATTERN(d);
    }
}

/** Validates and reports; returns the block or NULL. */
RTHEAP_PRIVATE block_t *rtheap_lookup(rtheap_t *heap, const void *ptr, const region_t **rp,
                                      size_t *ndp)
{
    rtheap_error_t e = rtheap_validate_used(heap, ptr, rp, ndp);
    if (RTHEAP_CHECKS && e != RTHEAP_OK) {
        rtheap_refuse(heap, e, ptr);
        return NULL;
    }
    return rtheap_block_of(ptr);
}

/*
 * What rtheap_resize_ptr returns besides a block size (a multiple of ALIGN,
 * so even): odd values. RESIZE_REFUSED for a pointer it refused; for a live
 * block it could not resize, the block's region with its lowest bit set
 * (rtheap_not_done), which a moving realloc then needs and need not look up
 * again.
 */
#define RESIZE_REFUSED ((uintptr_t)1)
_Static_assert(_Alignof(region_t) >= 2, "a region's address has a free lowest bit");

RTHEAP_PRIVATE uintptr_t rtheap_not_done(const region_t *r)
{
    /* Without the checks the region is not handed on (no refusal either). */
    return RTHEAP_CHECKS ? (uintptr_t)r | 1u : 1u;
}

/* At -Os a cut tail is freed by the release that merges (free's), which
 * handles the common case too and joins a free block after it, rather than
 * by a copy of that case and of the join here: 168 bytes less for about 9
 * instructions more per resize in place, on the mix. */
#if defined(__OPTIMIZE_SIZE__)
#define TAIL_BY_MERGE 1
#else
#define TAIL_BY_MERGE 0
#endif

/**
 * Resizes used block b (checked, in region r) in place to block size t.
 * A growth takes in the free block after b; a shrink joins what it cuts off
 * to a free block after b. Past t, what is left is freed when it can be a
 * block of its own (the tail), else b keeps it. Returns b's size now, or
 * rtheap_not_done(r), b untouched, if it would have to move. A damaged free
 * block after b is taken out of service (reported): a growth then finds no
 * room, a shrink frees its tail on its own.
 */
RTHEAP_PRIVATE RTHEAP_HOT uintptr_t rtheap_resize_block(rtheap_t *heap, const region_t *r,
                                                        block_t *b, uintptr_t t)
{
    uintptr_t h = rtheap_addr(b);
    size_t hd = b->header;
    uintptr_t old = rtheap_size(hd);
    block_t *n = rtheap_block_at(h + old);
    size_t nd = n->header;
    bool grow = t > old;
    if (grow) {
        if (!rtheap_is_free(nd) || old + rtheap_size(nd) < t) {
            return rtheap_not_done(r);
        }
    } else if (old - t < MIN_BLOCK) {
        rtheap_count_realloc(heap); /* no tail to cut: b stays as it is */
        return old;
    }
    uintptr_t total = old; /* b's extent, with n once n joins it */
    if (rtheap_is_free(nd) && (grow || !TAIL_BY_MERGE)) {
        uintptr_t tn = rtheap_detach_next(heap, n, nd, r->sentinel - h - old);
        if (tn != 0) {
            n->header = 0; /* no stale header left behind */
            rtheap_poison(h + old, 3u * WORD);
            total += tn;
            nd = rtheap_block_at(h + total)->header; /* says PREV_FREE: n was free */
        } else if (grow) {
            if (RTHEAP_CHECKS) {
                rtheap_contain_neighbour(heap, r, n, rtheap_payload(n));
            }
            return rtheap_not_done(r);
        }
        /* A shrink next to damage: the tail's release below meets it. */
    }
    block_t *after = rtheap_block_at(h + total);
    uintptr_t now = total;
    if (total - t < MIN_BLOCK) {
        /* Taken whole (a growth): the block after has no free block before it now. */
        b->header = rtheap_hdr(total, hd & FLAG_PREV_FREE, KIND_BLOCK);
        rtheap_clear_prev_free(h + total);
    } else {
        now = t;
        b->header = rtheap_hdr(t, hd & FLAG_PREV_FREE, KIND_BLOCK);
        uintptr_t tt = total - t;
        block_t *tail = rtheap_block_at(h + t);
        if (!grow) {
            rtheap_poison(h + t + WORD, old - t - WORD); /* the rest is poisoned */
        }
        if (TAIL_BY_MERGE || rtheap_is_free(nd)) {
            /* A free block after the tail (after a shrink, one that failed
             * its checks above), or -Os: the release that merges joins it,
             * or takes it out of service. */
            tail->header = rtheap_hdr(tt, 0, KIND_BLOCK);
            rtheap_release_merging(rtheap_payload(b), tail, r, heap);
        } else {
            rtheap_free_block_at(h + t, tt, 0);
            if (!rtheap_prev_is_free(nd)) {
                after->header = rtheap_toggle(nd, FLAG_PREV_FREE);
            }
            rtheap_push(heap, tail, rtheap_class_of_size(tt));
        }
    }
#if RTHEAP_STATS
    rtheap_count_used(heap, heap->used_total - old + now);
#endif
    rtheap_count_realloc(heap);
    return now;
}

/**
 * The one body of a resize, which realloc and resize in place share: ptr
 * validated (refused and reported if it is not a live block), then its
 * block resized in place to hold `size` bytes if it can be. Returns the
 * block's new size; rtheap_not_done(its region) if it was not resized;
 * RESIZE_REFUSED if ptr was refused (only with the checks).
 */
RTHEAP_BODY uintptr_t rtheap_resize_ptr(rtheap_t *heap, void *ptr, size_t size)
{
    /* Without the checks nothing reads the region: the first stands for any,
     * and no search is made for it. */
    const region_t *r = &heap->regions[0];
    if (RTHEAP_CHECKS) {
        size_t nd;
        rtheap_error_t e = rtheap_validate(heap, ptr, &r, &nd, true);
        if (e == RTHEAP_OK && rtheap_prev_is_free(nd)) {
            e = RTHEAP_ERR_BAD_NEIGHBOUR; /* b is in use: its next block must say so */
        }
        if (e != RTHEAP_OK) {
            rtheap_refuse(heap, e, ptr);
            return RESIZE_REFUSED;
        }
        /* The first region's bounds, read by the check above, are read
         * again by the link checks of a join: kept in two registers across
         * the resize they cost spills (-O2: 1.6 instructions a resize on
         * the mix, 9 on its worst path). */
        RTHEAP_RELOAD(heap);
    }
    uintptr_t t = rtheap_block_size_for(size);
    if (t == 0 || t > heap->max_block) {
        return rtheap_not_done(r);
    }
    return rtheap_resize_block(heap, r, rtheap_block_of(ptr), t);
}

/**
 * Realloc inside the lock: ptr's block resized in place to `size` bytes
 * when it is aligned to `align` and can be, else moved: the usable bytes the
 * two blocks have in common are copied, or only the first `keep` of them.
 */
RTHEAP_PRIVATE void *rtheap_realloc_unlocked(rtheap_t *heap, void *ptr, size_t size,
                                             uintptr_t align, size_t keep)
{
    if (ptr == NULL) {
        return rtheap_alloc_aligned_unlocked(heap, size, align);
    }
    /* A block not aligned to `align` must move: no size fits it in place. */
    bool aligned = ((uintptr_t)ptr & (align - 1u)) == 0;
    uintptr_t done = rtheap_resize_ptr(heap, ptr, aligned ? size : SIZE_MAX);
    if ((done & 1u) == 0) {
        return ptr; /* resized */
    }
    if (RTHEAP_CHECKS && done == RESIZE_REFUSED) {
        return NULL;
    }
    /* Not resized: its region (without the checks the first stands for any). */
    const region_t *r = RTHEAP_CHECKS ? (const region_t *)(done - 1u) : &heap->regions[0];
    /* Move: the alloc, the copy and the free, nothing more. A size no block
     * can have fails in the allocation (counted there). */
    block_t *b = rtheap_block_of(ptr);
    void *fresh = rtheap_alloc_aligned_unlocked(heap, size, align);
    if (fresh == NULL) {
        return NULL;
    }
    /* Re-read: taking damage out of service in the allocation may have
     * changed b's PREV_FREE flag or its next block. */
    size_t hd = b->header;
    uintptr_t copy = rtheap_size(hd) - WORD;
    uintptr_t room = rtheap_size(rtheap_block_of(fresh)->header) - WORD;
    copy = room < copy ? room : copy;
    copy = keep < copy ? (keep + WORD - 1u) & ~(WORD - 1u) : copy; /* whole words, <= room */
    rtheap_copy_words((uintptr_t)fresh, (uintptr_t)ptr, copy);
    rtheap_count_free(heap, rtheap_size(hd));
#if defined(__OPTIMIZE_SIZE__)
    /* At -Os the release that merges, which does what the common case does
     * too: free keeps the one copy of that case (-O2 a copy here too, which
     * keeps its copy loop tight). */
    rtheap_poison(rtheap_addr(b) + WORD, rtheap_size(hd) - WORD);
    rtheap_release_merging(ptr, b, r, heap);
#else
    size_t nd = rtheap_block_at(rtheap_addr(b) + rtheap_size(hd))->header;
    rtheap_release(heap, r, b, hd, nd, ptr);
#endif
    rtheap_count_realloc(heap);
    return fresh;
}

void *rtheap_realloc(rtheap_t *heap, void *ptr, size_t size)
{
    if (heap == NULL) {
        return NULL;
    }
    LOCKED_CALL(heap, true, rtheap_realloc_unlocked(heap, ptr, size, ALIGN, SIZE_MAX));
}

/** rtheap_realloc_aligned's body, inside the lock; a move keeps `keep` bytes. */
RTHEAP_PRIVATE void *rtheap_realloc_aligned_checked(rtheap_t *heap, void *ptr, size_t size,
                                                    size_t align, size_t keep)
{
    if (!rtheap_is_pow2(align)) {
        rtheap_report(heap, RTHEAP_ERR_BAD_ARGUMENT, ptr);
        return NULL;
    }
    return rtheap_realloc_unlocked(heap, ptr, size, align < ALIGN ? ALIGN : align, keep);
}

/* __rust_reallocate's call for any other layout (for every layout with
 * RTHEAP_SMALL; src/rtheap_rust.c): a move copies min(old_size, size) bytes,
 * as for a plain one. */
void *rtheap_rust_realloc_aligned(rtheap_t *heap, void *ptr, size_t old_size, size_t size,
                                  size_t align)
{
    if (heap == NULL) {
        return NULL;
    }
    LOCKED_CALL(heap, true, rtheap_realloc_aligned_checked(heap, ptr, size, align, old_size));
}

void *rtheap_realloc_aligned(rtheap_t *heap, void *ptr, size_t size, size_t align)
{
    return rtheap_rust_realloc_aligned(heap, ptr, SIZE_MAX, size, align);
}

/* __rust_reallocate's call for a plain layout on a heap that exists
 * (src/rtheap_rust.c): its own arguments in their registers, the heap in
 * place of the alignment. */
void *rtheap_rust_realloc(void *ptr, size_t old_size, size_t size, rtheap_t *heap)
{
    /* A block that shrinks stays: only a growing one moves, and keeps old_size. */
    LOCKED_CALL(heap, true, rtheap_realloc_unlocked(heap, ptr, size, ALIGN, old_size));
}

void *rtheap_realloc_sized(rtheap_t *heap, void *ptr, size_t old_size, size_t size)
{
    if (heap == NULL) {
        return NULL;
    }
    return rtheap_rust_realloc(ptr, old_size, size, heap);
}

/** The usable size of a block resized to t bytes, or `otherwise` if it was
 * not (t odd: refused, or not resized). */
RTHEAP_PRIVATE size_t rtheap_usable_or(uintptr_t t, size_t otherwise)
{
    return (t & 1u) == 0 ? (size_t)(t - WORD) : otherwise;
}

/** A resize in place of ptr (not NULL) on a heap that exists: the new
 * usable size, or `otherwise`. */
RTHEAP_PRIVATE size_t rtheap_resize_in_place_locked(rtheap_t *heap, void *ptr, size_t size,
                                                    size_t otherwise)
{
    LOCKED_CALL(heap, true, rtheap_usable_or(rtheap_resize_ptr(heap, ptr, size), otherwise));
}

size_t rtheap_resize_in_place(rtheap_t *heap, void *ptr, size_t size)
{
    if (heap == NULL || ptr == NULL) {
        return 0;
    }
    return rtheap_resize_in_place_locked(heap, ptr, size, 0);
}

/* __rust_reallocate_inplace's call on a heap that exists (src/rtheap_rust.c):
 * its own arguments in their registers, the heap in place of the alignment
 * (the block does not move, so it keeps its alignment). The new usable size,
 * or old_size if the block could not be resized. */
size_t rtheap_rust_resize(void *ptr, size_t old_size, size_t size, rtheap_t *heap)
{
    if ((RTHEAP_SMALL && heap == NULL) || ptr == NULL) {
        return old_size;
    }
    return rtheap_resize_in_place_locked(heap, ptr, size, old_size);
}

/**
 * True if count * size overflows size_t; else the product is in *bytes. In
 * half words, so that nothing needs a wider multiply: clang makes a call of
 * __aeabi_lmul of __builtin_mul_overflow on Armv6-M and Armv8-M Baseline.
 */
RTHEAP_PRIVATE bool rtheap_mul_overflows(size_t count, size_t size, size_t *bytes)
{
    const unsigned half_bits = sizeof(size_t) * 4u;
    const size_t half = (size_t)1 << half_bits;
    *bytes = count * size;
    size_t small = count < size ? count : size;
    size_t big = count < size ? size : count;
    if (big < half) {
        return false; /* both below half: the product fits */
    }
    if (small >= half) {
        return true; /* both at least half */
    }
    /* big * small = (big_hi * small) << half_bits + big_lo * small, each
     * product below half * half. */
    size_t hi = (big >> half_bits) * small;
    size_t lo = (big & (half - 1u)) * small;
    return hi >= half || (hi << half_bits) > SIZE_MAX - lo;
}

/** rtheap_calloc's body, inside the lock. */
RTHEAP_PRIVATE void *rtheap_calloc_unlocked(rtheap_t *heap, size_t count, size_t size)
{
    size_t bytes;
    if (rtheap_mul_overflows(count, size, &bytes)) {
        rtheap_count_failed(heap);
        return NULL;
    }
    void *p = rtheap_alloc_aligned_unlocked(heap, bytes, ALIGN); /* zeroing dominates */
    if (p != NULL) {
        /* Its whole usable size. The block is at most MIN_BLOCK - ALIGN bytes
         * larger than asked (a smaller rest stays with it): the size read
         * back is held to that, so that a header changed meanwhile (a lock
         * that does not hold across cores) cannot send the zeroing past it. */
        uintptr_t t = rtheap_size(rtheap_block_of(p)->header);
        uintptr_t most = rtheap_block_size_for(bytes) + (MIN_BLOCK - ALIGN);
        rtheap_fill_words((uintptr_t)p, 0, (t < most ? t : most) - WORD);
    }
    return p;
}

void *rtheap_calloc(rtheap_t *heap, size_t count, size_t size)
{
    if (heap == NULL) {
        return NULL;
    }
    LOCKED_CALL(heap, true, rtheap_calloc_unlocked(heap, count, size));
}

/** Usable bytes of the live block at ptr, or 0 (refused and reported). */
RTHEAP_PRIVATE size_t rtheap_usable_size_unlocked(rtheap_t *heap, const void *ptr)
{
    const region_t *r;
    size_t nd;
    const block_t *b = rtheap_lookup(heap, ptr, &r, &nd);
    return b != NULL ? (size_t)(rtheap_size(b->header) - WORD) : 0u;
}

size_t rtheap_usable_size(rtheap_t *heap, const void *ptr)
{
    if (heap == NULL || ptr == NULL) {
        return 0;
    }
    LOCKED_CALL(heap, false, rtheap_usable_size_unlocked(heap, ptr));
}
