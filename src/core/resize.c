/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Resizing: in place (shrink, or grow into a free next block), realloc
 * (in place, else allocate, copy and free), calloc (allocate and zero) and
 * the usable size of a live block.
 */
#include "internal.h"
#include "lock.h"

/* The core must not call memcpy. */
RTHEAP_PRIVATE RTHEAP_NO_LIBCALLS void rtheap_copy_words(uintptr_t dst, uintptr_t src,
                                                         uintptr_t bytes)
{
    size_t *d = (size_t *)dst;
    const size_t *s = (const size_t *)src;
    for (uintptr_t i = 0; i < bytes / WORD; i++) { /* wcet-loop: copy-words bytes / 4 */
        d[i] = s[i];
    }
}

/** Validates and reports; returns the block or NULL. */
RTHEAP_PRIVATE block_t *rtheap_lookup(rtheap_t *heap, const void *ptr,
                                                 const region_t **rp, size_t *ndp)
{
    rtheap_error_t e = rtheap_validate_used(heap, ptr, rp, ndp);
    if (RTHEAP_CHECKS && e != RTHEAP_OK) {
        rtheap_refuse(heap, e, ptr);
        return NULL;
    }
    return rtheap_block_of(ptr);
}

/**
 * Cuts used block b (checked, in region r), `total` bytes long (its header
 * may still give its size before a growth), down to t bytes when the tail
 * can be a block of its own, and releases the tail (merged with a free
 * next block). b keeps its flags.
 */
RTHEAP_PRIVATE void rtheap_trim(rtheap_t *heap, const region_t *r, block_t *b, uintptr_t total,
                                uintptr_t t)
{
    size_t hd = b->header;
    if (total - t < MIN_BLOCK) {
        return;
    }
    b->header = rtheap_hdr(t, hd & FLAG_PREV_FREE, KIND_BLOCK);
    block_t *tail = rtheap_block_at(rtheap_addr(b) + t);
#if defined(__OPTIMIZE_SIZE__) && !RTHEAP_CHECKS
    /* Small and unchecked: the release that merges, which handles the
     * common case too and writes the tail's final header. It reads only the
     * size and flags of the one written here: without checks no tag is read,
     * and nothing is reported (no error hook runs) before it is replaced. */
    tail->header = (size_t)(total - t);
    rtheap_release_merging(heap, r, tail, rtheap_payload(b));
#else
    size_t th = rtheap_hdr(total - t, 0, KIND_BLOCK); /* its previous block (b) is used */
    tail->header = th;
    size_t nd = rtheap_block_at(rtheap_addr(b) + total)->header;
    rtheap_release(heap, r, tail, th, nd, rtheap_payload(b));
#endif
}

/* Whether a growth's tail is cut by the one trim a shrink uses, or by one of
 * its own: at -O2 (checks on) the second copy makes the shrink's path
 * shorter (the mix's resize in place and realloc). */
#if defined(__OPTIMIZE_SIZE__) || !RTHEAP_CHECKS
#define RESIZE_ONE_TRIM 1
#else
#define RESIZE_ONE_TRIM 0
#endif

/**
 * Resizes used block b (checked, in region r) in place to block size t.
 * Returns false, b untouched, if it would have to move. A damaged free
 * neighbour it would grow into is taken out of service (reported) and
 * counts as no room.
 */
RTHEAP_PRIVATE RTHEAP_HOT bool rtheap_resize_block(rtheap_t *heap, const region_t *r, block_t *b,
                                                  uintptr_t t)
{
    uintptr_t h = rtheap_addr(b);
    uintptr_t old = rtheap_size(b->header);
    uintptr_t total = old;
    if (t > old) {
        block_t *n = rtheap_block_at(h + old);
        size_t nd = n->header;
        if (!rtheap_is_free(nd) || old + rtheap_size(nd) < t) {
            return false;
        }
        uintptr_t tn = rtheap_detach_next(heap, n, nd, r->sentinel - h - old);
        if (tn == 0) {
            if (RTHEAP_CHECKS) {
                rtheap_contain_neighbour(heap, r, n, rtheap_payload(n));
            }
            return false;
        }
        uintptr_t joined = old + tn;
        n->header = 0;
        rtheap_clear_prev_free(h + joined);
        if (joined - t < MIN_BLOCK) {
            /* Taken whole: no tail to cut. */
            b->header = rtheap_hdr(joined, b->header & FLAG_PREV_FREE, KIND_BLOCK);
        } else if (!RESIZE_ONE_TRIM) {
            rtheap_trim(heap, r, b, joined, t);
        }
        total = RESIZE_ONE_TRIM ? joined : t; /* t: nothing left to cut below */
    }
    rtheap_trim(heap, r, b, total, t);
#if RTHEAP_STATS
    rtheap_count_used(heap, heap->used_total - old + rtheap_size(b->header));
#endif
    rtheap_count_realloc(heap);
    return true;
}

/**
 * The one body of a resize, which realloc and resize in place share: ptr
 * validated (refused and reported if it is not a live block), then its
 * block resized in place to hold `size` bytes if it can be. Returns the
 * block's new size, or 0 if it was not resized: *rp is then NULL if ptr was
 * refused, else the block's region (with the checks; without them *rp is
 * not written: the caller's first region stands for any).
 */
RTHEAP_BODY uintptr_t rtheap_resize_ptr(rtheap_t *heap, void *ptr, size_t size,
                                               const region_t **rp)
{
    if (RTHEAP_CHECKS) {
        size_t nd;
        rtheap_error_t e = rtheap_validate_used(heap, ptr, rp, &nd);
        if (e != RTHEAP_OK) {
            rtheap_refuse(heap, e, ptr);
            *rp = NULL;
            return 0;
        }
    }
    /* Nothing reads the region without the checks: no search for it, and
     * *rp is left as it is. */
    const region_t *r = RTHEAP_CHECKS ? *rp : &heap->regions[0];
    uintptr_t t = rtheap_block_size_for(size);
    block_t *b = rtheap_block_of(ptr);
    if (t != 0 && t <= heap->max_block && rtheap_resize_block(heap, r, b, t)) {
        return rtheap_size(b->header);
    }
    return 0;
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
    const region_t *r; /* set by rtheap_resize_ptr with the checks */
    if (!RTHEAP_CHECKS) {
        r = &heap->regions[0];
    }
    if (rtheap_resize_ptr(heap, ptr, aligned ? size : SIZE_MAX, &r) != 0) {
        return ptr;
    }
    if (RTHEAP_CHECKS && r == NULL) {
        return NULL; /* refused */
    }
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
    rtheap_release_merging(heap, r, b, ptr);
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

/** rtheap_realloc_aligned's body, inside the lock. */
RTHEAP_PRIVATE void *rtheap_realloc_aligned_checked(rtheap_t *heap, void *ptr, size_t size,
                                                    size_t align)
{
    if (!rtheap_is_pow2(align)) {
        rtheap_report(heap, RTHEAP_ERR_BAD_ARGUMENT, ptr);
        return NULL;
    }
    return rtheap_realloc_unlocked(heap, ptr, size, align < ALIGN ? ALIGN : align, SIZE_MAX);
}

void *rtheap_realloc_aligned(rtheap_t *heap, void *ptr, size_t size, size_t align)
{
    if (heap == NULL) {
        return NULL;
    }
    LOCKED_CALL(heap, true, rtheap_realloc_aligned_checked(heap, ptr, size, align));
}

/* __rust_reallocate's call for a plain layout on a heap that exists
 * (src/rtheap_rust.c): its own arguments in their registers, the heap in
 * place of the alignment. */
extern void *rtheap_rust_realloc(void *ptr, size_t old_size, size_t size, rtheap_t *heap);
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

/** rtheap_resize_in_place's body, inside the lock: the new usable size, or 0. */
RTHEAP_PRIVATE size_t rtheap_resize_in_place_unlocked(rtheap_t *heap, void *ptr, size_t size)
{
    const region_t *r;
    uintptr_t t = rtheap_resize_ptr(heap, ptr, size, &r);
    return t != 0 ? (size_t)(t - WORD) : 0u;
}

/** rtheap_resize_in_place on a heap that exists and a pointer that is not NULL. */
RTHEAP_PRIVATE size_t rtheap_resize_in_place_locked(rtheap_t *heap, void *ptr, size_t size)
{
    LOCKED_CALL(heap, true, rtheap_resize_in_place_unlocked(heap, ptr, size));
}

size_t rtheap_resize_in_place(rtheap_t *heap, void *ptr, size_t size)
{
    if (heap == NULL || ptr == NULL) {
        return 0;
    }
    return rtheap_resize_in_place_locked(heap, ptr, size);
}

/* __rust_reallocate_inplace's call on a heap that exists (src/rtheap_rust.c):
 * its own arguments in their registers, the heap in place of the alignment
 * (the block does not move, so it keeps its alignment). The new usable size,
 * or old_size if the block could not be resized. */
extern size_t rtheap_rust_resize(void *ptr, size_t old_size, size_t size, rtheap_t *heap);
size_t rtheap_rust_resize(void *ptr, size_t old_size, size_t size, rtheap_t *heap)
{
    if (ptr == NULL) {
        return old_size;
    }
    size_t usable = rtheap_resize_in_place_locked(heap, ptr, size);
    return usable != 0 ? usable : old_size;
}

/** rtheap_calloc's body, inside the lock. */
RTHEAP_PRIVATE void *rtheap_calloc_unlocked(rtheap_t *heap, size_t count, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        rtheap_count_failed(heap);
        return NULL;
    }
    void *p = rtheap_alloc_aligned_unlocked(heap, bytes, ALIGN); /* zeroing dominates */
    if (p != NULL) {
        rtheap_fill_words((uintptr_t)p, 0, rtheap_size(rtheap_block_of(p)->header) - WORD);
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
