/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap benchmark: thin wrapper of FreeRTOS V11.2.0's heap_4 (portable/MemMang/heap_4.c,
 * read from the FreeRTOS directory at build time, never copied here), compiled on its
 * own with bench/peers/freertos/FreeRTOSConfig.h and portmacro.h. heap_4 is a first-fit
 * list in address order (O(free blocks) per call) aligned to portBYTE_ALIGNMENT (8);
 * it has no realloc, no aligned allocation and no resize in place. Larger alignments
 * are over-allocated (peer.h). Its scheduler lock is stubbed: without a kernel,
 * vTaskSuspendAll/xTaskResumeAll are empty functions (a real kernel's cost more). */
#include "FreeRTOS.h"
#include "peer.h"
#include "task.h"

size_t peer_hint_align;
size_t peer_hint_old;

void vTaskSuspendAll(void) {}
BaseType_t xTaskResumeAll(void) { return pdFALSE; }

/* heap_4 builds itself on the first pvPortMalloc from ucHeap (the bench's arena). */
void peer_init(void *mem, size_t bytes)
{
    (void)mem;
    (void)bytes;
}

static void *h4_alloc(size_t n, size_t align)
{
    if (align <= portBYTE_ALIGNMENT) {
        return pvPortMalloc(n);
    }
    return n > SIZE_MAX - align ? NULL : peer_align_up(pvPortMalloc(n + align), align);
}
static void h4_free(void *p, size_t align)
{
    vPortFree((p != NULL && align > portBYTE_ALIGNMENT) ? peer_raw_of(p) : p);
}
/* No realloc in heap_4: allocate, copy, free. */
static void *h4_move(void *p, size_t old, size_t n, size_t align)
{
    void *q = h4_alloc(n, align);
    if (q != NULL && p != NULL) {
        peer_copy(q, p, old < n ? old : n);
        h4_free(p, align);
    }
    return q;
}

void *peer_malloc(size_t n) { return pvPortMalloc(n); }
void peer_free(void *p) { h4_free(p, peer_hint_align); }
void *peer_realloc(void *p, size_t n) { return h4_move(p, peer_hint_old, n, peer_hint_align); }
void *peer_memalign(size_t align, size_t n) { return h4_alloc(n, align); }

void *__rust_allocate(size_t size, size_t align) { return h4_alloc(size, align); }
void __rust_deallocate(void *ptr, size_t old_size, size_t align)
{
    (void)old_size;
    h4_free(ptr, align);
}
void *__rust_reallocate(void *ptr, size_t old_size, size_t size, size_t align)
{
    return h4_move(ptr, old_size, size, align);
}
/* Refuses: heap_4 cannot resize a block. */
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
