/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap benchmark: thin wrapper of o1heap 2.2 (read from the peers directory at build
 * time, never copied here). o1heap aligns every block to O1HEAP_ALIGNMENT (16 on
 * 32-bit) and rounds it up to a power of two (request + 16 B header); it has no realloc
 * and no resize in place. Larger alignments are over-allocated (peer.h). No lock. */
#include "o1heap.h"
#include "peer.h"

size_t peer_hint_align;
size_t peer_hint_old;
static O1HeapInstance *g_o1;

void peer_init(void *mem, size_t bytes)
{
    /* o1heapInit wants a base aligned to O1HEAP_ALIGNMENT. */
    uintptr_t base = ((uintptr_t)mem + O1HEAP_ALIGNMENT - 1u) & ~(uintptr_t)(O1HEAP_ALIGNMENT - 1u);
    g_o1 = o1heapInit((void *)base, bytes - (size_t)(base - (uintptr_t)mem));
}

static void *o1_alloc(size_t n, size_t align)
{
    if (align <= O1HEAP_ALIGNMENT) {
        return o1heapAllocate(g_o1, n);
    }
    return n > SIZE_MAX - align ? NULL : peer_align_up(o1heapAllocate(g_o1, n + align), align);
}
static void o1_free(void *p, size_t align)
{
    o1heapFree(g_o1, (p != NULL && align > O1HEAP_ALIGNMENT) ? peer_raw_of(p) : p);
}
/* No realloc in o1heap: allocate, copy, free. */
static void *o1_move(void *p, size_t old, size_t n, size_t align)
{
    void *q = o1_alloc(n, align);
    if (q != NULL && p != NULL) {
        peer_copy(q, p, old < n ? old : n);
        o1_free(p, align);
    }
    return q;
}

void *peer_malloc(size_t n) { return o1heapAllocate(g_o1, n); }
void peer_free(void *p) { o1_free(p, peer_hint_align); }
void *peer_realloc(void *p, size_t n) { return o1_move(p, peer_hint_old, n, peer_hint_align); }
void *peer_memalign(size_t align, size_t n) { return o1_alloc(n, align); }

void *__rust_allocate(size_t size, size_t align) { return o1_alloc(size, align); }
void __rust_deallocate(void *ptr, size_t old_size, size_t align)
{
    (void)old_size;
    o1_free(ptr, align);
}
void *__rust_reallocate(void *ptr, size_t old_size, size_t size, size_t align)
{
    return o1_move(ptr, old_size, size, align);
}
/* Refuses: o1heap cannot resize a block. */
size_t __rust_reallocate_inplace(void *ptr, size_t old_size, size_t size, size_t align)
{
    (void)ptr;
    (void)size;
    (void)align;
    return old_size;
}
size_t __rust_usable_size(size_t size, size_t align)
{
    (void)align;
    return size;
}
