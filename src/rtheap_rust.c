/*
 * The classic Rust allocator ABI (the five __rust_* entry points) on the
 * default heap. Ordinary strong symbols: linking a second allocator that
 * defines them is a link error, as the ABI intends.
 */
#include "rtheap.h"

/* rtheap_default.c's pointer to the default heap, once built. */
extern rtheap_t *volatile rtheap_default_heap;

/* The default heap: the pointer once it exists, rtheap_default() to build it. */
static inline rtheap_t *default_heap(void)
{
    rtheap_t *heap = rtheap_default_heap;
    return heap != NULL ? heap : rtheap_default();
}

/* A power of two no larger than RTHEAP_ALIGNMENT. */
static inline bool plain_alignment(size_t align)
{
    return align - 1u < RTHEAP_ALIGNMENT && (align & (align - 1u)) == 0;
}

void *__rust_allocate(size_t size, size_t align)
{
    /* Most Rust layouts ask for no more than the heap's own alignment: the
     * plain path then, without the gap logic (anything else, a bad alignment
     * included, goes the aligned way and gets its documented result). */
    if (plain_alignment(align)) {
        return rtheap_alloc(default_heap(), size);
    }
    return rtheap_alloc_aligned(default_heap(), size, align);
}

void __rust_deallocate(void *ptr, size_t old_size, size_t align)
{
    rtheap_t *heap = default_heap();
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

void *__rust_reallocate(void *ptr, size_t old_size, size_t size, size_t align)
{
    (void)old_size;
    if (plain_alignment(align)) {
        return rtheap_realloc(default_heap(), ptr, size);
    }
    return rtheap_realloc_aligned(default_heap(), ptr, size, align);
}

size_t __rust_reallocate_inplace(void *ptr, size_t old_size, size_t size, size_t align)
{
    (void)align; /* the block does not move, so it keeps its alignment */
    size_t usable = rtheap_resize_in_place(default_heap(), ptr, size);
    return usable != 0 ? usable : old_size;
}

size_t __rust_usable_size(size_t size, size_t align)
{
    return rtheap_request_usable_size(size, align);
}
