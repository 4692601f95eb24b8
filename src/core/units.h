/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The calls between the library's translation units (src/rtheap.c,
 * src/rtheap_default.c, src/rtheap_rust.c): internal, not part of the API.
 * They exist so that the Rust entry points reach the default heap and the
 * core's bodies without a second NULL test or an argument shuffle on every
 * call. Nothing outside the library may use them; the Rust crate, built from
 * these sources, calls rtheap_rust_realloc_aligned for the over-aligned
 * realloc of its Heap.
 */
#ifndef RTHEAP_CORE_UNITS_H
#define RTHEAP_CORE_UNITS_H

#include "../rtheap.h"

/* src/rtheap_default.c: the default heap's pointer, written once under the
 * lock and read without it once set; and what rtheap_default() does once it
 * has read NULL (build the heap, or count a call without one). */
extern rtheap_t *volatile rtheap_default_heap;
rtheap_t *rtheap_default_first(void);

/* src/core/alloc.c: rtheap_alloc on a heap known to exist. */
void *rtheap_alloc_nonnull(rtheap_t *heap, size_t size);
/* src/core/aligned.c: rtheap_alloc_aligned on a heap that exists, with
 * __rust_allocate's arguments where they came and the heap third: its call
 * for a layout that is not a plain one (over-aligned, or a bad alignment,
 * reported), and for any layout on its first call. */
void *rtheap_rust_alloc_other(size_t size, size_t align, rtheap_t *heap);
/* src/core/free.c: rtheap_free on a heap known to exist, with
 * __rust_deallocate's arguments where they came and the heap fourth. */
void rtheap_rust_free(void *ptr, size_t old_size, size_t align, rtheap_t *heap);

/* src/core/resize.c: __rust_reallocate's call for a plain layout and
 * __rust_reallocate_inplace's call, on a heap that exists: the entry point's
 * own arguments in their registers, the heap in place of the alignment.
 * rtheap_rust_resize returns the new usable size, or old_size if the block
 * could not be resized (a NULL ptr included, and with RTHEAP_SMALL a NULL
 * heap, which it is then passed). */
void *rtheap_rust_realloc(void *ptr, size_t old_size, size_t size, rtheap_t *heap);
/* src/core/resize.c: __rust_reallocate's call for any other layout (for
 * every layout with RTHEAP_SMALL; heap NULL or not): rtheap_realloc_aligned,
 * a move copying min(old_size, size). */
void *rtheap_rust_realloc_aligned(rtheap_t *heap, void *ptr, size_t old_size, size_t size,
                                  size_t align);
size_t rtheap_rust_resize(void *ptr, size_t old_size, size_t size, rtheap_t *heap);

#endif /* RTHEAP_CORE_UNITS_H */
