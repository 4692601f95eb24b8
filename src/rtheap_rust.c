/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The classic Rust allocator ABI (the five __rust_* entry points) on the
 * default heap. Ordinary strong symbols: linking a second allocator that
 * defines them is a link error, as the ABI intends.
 */
#include "rtheap.h"
#include "core/units.h" /* the default heap's pointer and the core's bodies */

/*
 * Each entry point reads the default heap's pointer and goes straight on
 * for the common case (the heap exists, the alignment is plain), which then
 * needs no stack frame and no argument shuffling. The first call of all
 * builds the heap out of line (rtheap_default_first) and makes its call on
 * it; without a heap (NULL) the call has the result it has on a NULL heap.
 */

#if RTHEAP_SMALL
/* RTHEAP_SMALL: the core takes one path for every alignment, so every entry
 * point makes one call instead: less code, a few instructions more per call.
 * The reallocation builds the heap if it does not exist yet, and the
 * allocation is a reallocation of NULL. Deallocate and resize in place are
 * further down. */
void *__rust_reallocate(void *ptr, size_t old_size, size_t size, size_t align)
{
    rtheap_t *heap = rtheap_default_heap;
    if (heap == NULL) {
        heap = rtheap_default_first();
    }
    return rtheap_rust_realloc_aligned(heap, ptr, old_size, size, align);
}

void *__rust_allocate(size_t size, size_t align)
{
    return __rust_reallocate(NULL, 0, size, align);
}
#else
/* A power of two no larger than RTHEAP_ALIGNMENT (itself one). Thumb-2
 * tests both at once: align - 1 then shares no bit with align, nor with
 * ~(RTHEAP_ALIGNMENT - 1), which ORN folds into the OR (0 fails: align - 1
 * is all ones). Thumb-1 has no ORN: a compare and a test take fewer
 * instructions there. */
static inline bool plain_alignment(size_t align)
{
#if defined(__thumb__) && !defined(__thumb2__)
    return align - 1u < RTHEAP_ALIGNMENT && (align & (align - 1u)) == 0;
#else
    return ((align - 1u) & (align | ~(size_t)(RTHEAP_ALIGNMENT - 1u))) == 0;
#endif
}

/* __rust_allocate's first call of all: builds the heap and allocates on it,
 * whatever the alignment (without a heap: NULL, as on a NULL heap). */
/* wcet-once: allocate_first (builds the default heap: bounded apart) */
__attribute__((noinline, cold)) static void *allocate_first(size_t size, size_t align)
{
    rtheap_t *heap = rtheap_default_first();
    return heap != NULL ? rtheap_rust_alloc_other(size, align, heap) : NULL;
}

/* An over-aligned layout, a bad alignment (which gets its documented result
 * there) or the first call of all. The entry point's arguments stay where
 * they came. */
__attribute__((noinline)) static void *allocate_other(size_t size, size_t align)
{
    rtheap_t *heap = rtheap_default_heap;
    if (heap == NULL) {
        return allocate_first(size, align);
    }
    return rtheap_rust_alloc_other(size, align, heap);
}

void *__rust_allocate(size_t size, size_t align)
{
    /* Most Rust layouts ask for no more than the heap's own alignment: the
     * plain path then, without the gap logic. */
    if (plain_alignment(align)) {
        rtheap_t *heap = rtheap_default_heap;
        if (heap != NULL) {
            return rtheap_alloc_nonnull(heap, size);
        }
    }
    return allocate_other(size, align);
}

/* __rust_reallocate's call, made as for an over-aligned layout whatever the
 * alignment: the same result here. The heap did not exist when the caller
 * got ptr, so ptr is NULL (an allocation either way) or no block of it
 * (refused either way): no block is copied. */
/* wcet-once: reallocate_first (builds the default heap: bounded apart) */
__attribute__((noinline, cold)) static void *reallocate_first(void *ptr, size_t old_size,
                                                              size_t size, size_t align)
{
    return rtheap_rust_realloc_aligned(rtheap_default_first(), ptr, old_size, size, align);
}

/* An over-aligned layout, or a bad alignment (which gets its documented
 * result there), the first call of all included. Its arguments are the
 * entry point's, so that the entry point moves none of them. */
__attribute__((noinline)) static void *reallocate_other(void *ptr, size_t old_size, size_t size,
                                                        size_t align)
{
    rtheap_t *heap = rtheap_default_heap;
    if (heap == NULL) {
        return reallocate_first(ptr, old_size, size, align);
    }
    return rtheap_rust_realloc_aligned(heap, ptr, old_size, size, align);
}

/* A move of a plain layout copies only min(old_size, size) bytes: the rest of
 * the block is not the caller's. */
void *__rust_reallocate(void *ptr, size_t old_size, size_t size, size_t align)
{
    if (!plain_alignment(align)) {
        return reallocate_other(ptr, old_size, size, align);
    }
    rtheap_t *heap = rtheap_default_heap;
    if (heap == NULL) {
        /* The alignment is not passed on, so that the heap can take its
         * register: a plain layout is served as one of the heap's own. */
        return reallocate_first(ptr, old_size, size, RTHEAP_ALIGNMENT);
    }
    return rtheap_rust_realloc(ptr, old_size, size, heap);
}
#endif /* RTHEAP_SMALL */

#if RTHEAP_DEBUG
/* wcet-once: deallocate_first (builds the default heap: bounded apart) */
__attribute__((noinline, cold)) static void deallocate_first(void *ptr, size_t old_size,
                                                             size_t align)
{
    if (rtheap_default_first() != NULL) {
        __rust_deallocate(ptr, old_size, align);
    }
}

void __rust_deallocate(void *ptr, size_t old_size, size_t align)
{
    rtheap_t *heap = rtheap_default_heap;
    if (heap == NULL) {
        deallocate_first(ptr, old_size, align);
        return;
    }
    /* The layout handed back must be one this block can have been made for;
     * a mismatch is reported, and the (validated) block is freed anyway. A
     * pointer that is no live block is reported by the size's lookup, once:
     * neither its layout nor a free of it is reported again. */
    if (ptr != NULL) {
        size_t usable = rtheap_usable_size(heap, ptr);
        if (usable == 0) {
            return;
        }
        if (usable < old_size || ((uintptr_t)ptr & (align - 1u)) != 0) {
            rtheap_report_error(heap, RTHEAP_ERR_BAD_ARGUMENT, ptr);
        }
    }
    rtheap_rust_free(ptr, old_size, align, heap);
}
#elif RTHEAP_SMALL
/* RTHEAP_SMALL: on the heap as it is. Before the heap is built no block of
 * it exists, so there is nothing to free, and nothing to build it for. */
void __rust_deallocate(void *ptr, size_t old_size, size_t align)
{
    rtheap_t *heap = rtheap_default_heap;
    if (heap != NULL) {
        rtheap_rust_free(ptr, old_size, align, heap);
    }
}
#else
/* The layout is passed on where it came, unread: the heap then goes fourth,
 * in the register the free's body wants it in. */
/* wcet-once: deallocate_first (builds the default heap: bounded apart) */
__attribute__((noinline, cold)) static void deallocate_first(void *ptr)
{
    rtheap_free(rtheap_default_first(), ptr);
}

void __rust_deallocate(void *ptr, size_t old_size, size_t align)
{
    rtheap_t *heap = rtheap_default_heap;
    if (heap == NULL) {
        deallocate_first(ptr);
        return;
    }
    rtheap_rust_free(ptr, old_size, align, heap);
}
#endif

#if RTHEAP_SMALL
/* On the heap as it is, as deallocate: rtheap_rust_resize answers old_size
 * for a NULL heap, one that holds no block yet. */
size_t __rust_reallocate_inplace(void *ptr, size_t old_size, size_t size, size_t align)
{
    (void)align; /* the block does not move, so it keeps its alignment */
    return rtheap_rust_resize(ptr, old_size, size, rtheap_default_heap);
}
#else
/* wcet-once: resize_first (builds the default heap: bounded apart) */
__attribute__((noinline, cold)) static size_t resize_first(void *ptr, size_t old_size, size_t size)
{
    rtheap_t *heap = rtheap_default_first();
    return heap != NULL ? rtheap_rust_resize(ptr, old_size, size, heap) : old_size;
}

size_t __rust_reallocate_inplace(void *ptr, size_t old_size, size_t size, size_t align)
{
    (void)align; /* the block does not move, so it keeps its alignment */
    rtheap_t *heap = rtheap_default_heap;
    if (heap == NULL) {
        return resize_first(ptr, old_size, size);
    }
    return rtheap_rust_resize(ptr, old_size, size, heap);
}
#endif

size_t __rust_usable_size(size_t size, size_t align)
{
    return rtheap_request_usable_size(size, align);
}
