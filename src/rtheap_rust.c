/*
 * The classic Rust allocator ABI (the five __rust_* entry points) on the
 * default heap. Ordinary strong symbols: linking a second allocator that
 * defines them is a link error, as the ABI intends.
 */
#include "rtheap.h"

/* rtheap_default.c's pointer to the default heap, once built. */
extern rtheap_t *volatile rtheap_default_heap;

/* A power of two no larger than RTHEAP_ALIGNMENT. */
static inline bool plain_alignment(size_t align)
{
    return align - 1u < RTHEAP_ALIGNMENT && (align & (align - 1u)) == 0;
}

/*
 * Each entry point reads the default heap's pointer and goes straight on
 * for the common case (the heap exists, the alignment is plain); the rest
 * (an over-aligned layout, and the first call of all, which builds the
 * heap) takes an out-of-line path, so that the common one needs no stack
 * frame and no argument shuffling.
 */

/* The first call of all: builds the default heap (NULL if there is none). */
__attribute__((noinline, cold)) static void *allocate_first(size_t size, size_t align)
{
    rtheap_t *heap = rtheap_default();
    /* Anything but a plain alignment, a bad one included, goes the aligned
     * way and gets its documented result. */
    if (plain_alignment(align)) {
        return rtheap_alloc(heap, size);
    }
    return rtheap_alloc_aligned(heap, size, align);
}

/* heap: the default heap's pointer as read, NULL before the first call. */
__attribute__((noinline)) static void *allocate_other(rtheap_t *heap, size_t size, size_t align)
{
    if (heap == NULL) {
        return allocate_first(size, align);
    }
    return rtheap_alloc_aligned(heap, size, align);
}

void *__rust_allocate(size_t size, size_t align)
{
    /* Most Rust layouts ask for no more than the heap's own alignment: the
     * plain path then, without the gap logic. */
    rtheap_t *heap = rtheap_default_heap;
    if (heap != NULL && plain_alignment(align)) {
        return rtheap_alloc(heap, size);
    }
    return allocate_other(heap, size, align);
}

static void deallocate(rtheap_t *heap, void *ptr, size_t old_size, size_t align)
{
#if RTHEAP_DEBUG
    /* The layout handed back must be one this block can have been made for;
     * a mismatch is reported, and the (validated) block is freed anyway. */
    if (ptr != NULL && (rtheap_usable_size(heap, ptr) < old_size ||
                        ((uintptr_t)ptr & (align - 1u)) != 0)) {
        rtheap_report_error(heap, RTHEAP_ERR_BAD_ARGUMENT, ptr);
    }
#else
    (void)old_size;
    (void)align;
#endif
    rtheap_free(heap, ptr);
}

__attribute__((noinline, cold)) static void deallocate_first(void *ptr, size_t old_size,
                                                             size_t align)
{
    deallocate(rtheap_default(), ptr, old_size, align);
}

void __rust_deallocate(void *ptr, size_t old_size, size_t align)
{
    rtheap_t *heap = rtheap_default_heap;
    if (heap == NULL) {
        deallocate_first(ptr, old_size, align);
        return;
    }
    deallocate(heap, ptr, old_size, align);
}

__attribute__((noinline, cold)) static void *reallocate_first(void *ptr, size_t size,
                                                              size_t align)
{
    rtheap_t *heap = rtheap_default();
    if (plain_alignment(align)) {
        return rtheap_realloc(heap, ptr, size);
    }
    return rtheap_realloc_aligned(heap, ptr, size, align);
}

__attribute__((noinline)) static void *reallocate_other(rtheap_t *heap, void *ptr, size_t size,
                                                        size_t align)
{
    if (heap == NULL) {
        return reallocate_first(ptr, size, align);
    }
    return rtheap_realloc_aligned(heap, ptr, size, align);
}

void *__rust_reallocate(void *ptr, size_t old_size, size_t size, size_t align)
{
    (void)old_size;
    rtheap_t *heap = rtheap_default_heap;
    if (heap != NULL && plain_alignment(align)) {
        return rtheap_realloc(heap, ptr, size);
    }
    return reallocate_other(heap, ptr, size, align);
}

__attribute__((noinline, cold)) static size_t resize_first(void *ptr, size_t size)
{
    return rtheap_resize_in_place(rtheap_default(), ptr, size);
}

size_t __rust_reallocate_inplace(void *ptr, size_t old_size, size_t size, size_t align)
{
    (void)align; /* the block does not move, so it keeps its alignment */
    rtheap_t *heap = rtheap_default_heap;
    size_t usable = heap != NULL ? rtheap_resize_in_place(heap, ptr, size)
                                 : resize_first(ptr, size);
    return usable != 0 ? usable : old_size;
}

size_t __rust_usable_size(size_t size, size_t align)
{
    return rtheap_request_usable_size(size, align);
}
