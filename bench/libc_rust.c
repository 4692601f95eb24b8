/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap benchmark: the five __rust_* entry points as a thin wrapper over the C
 * library's malloc family (picolibc, newlib, newlib-nano), the way Rust's own System
 * allocator does it on Unix: malloc/realloc up to the malloc alignment (8), memalign
 * (+ copy + free for a realloc) above it. No resize in place: it refuses. */
#include <stddef.h>

void *malloc(size_t n);
void free(void *p);
void *realloc(void *p, size_t n);
void *memalign(size_t align, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

#define LIBC_MALLOC_ALIGN 8u

void *__rust_allocate(size_t size, size_t align);
void __rust_deallocate(void *ptr, size_t old_size, size_t align);
void *__rust_reallocate(void *ptr, size_t old_size, size_t size, size_t align);
size_t __rust_reallocate_inplace(void *ptr, size_t old_size, size_t size, size_t align);
size_t __rust_usable_size(size_t size, size_t align);

void *__rust_allocate(size_t size, size_t align)
{
    return align <= LIBC_MALLOC_ALIGN ? malloc(size) : memalign(align, size);
}
void __rust_deallocate(void *ptr, size_t old_size, size_t align)
{
    (void)old_size;
    (void)align;
    free(ptr);
}
void *__rust_reallocate(void *ptr, size_t old_size, size_t size, size_t align)
{
    if (align <= LIBC_MALLOC_ALIGN) {
        return realloc(ptr, size);
    }
    void *q = memalign(align, size);
    if (q != NULL) {
        memcpy(q, ptr, old_size < size ? old_size : size);
        free(ptr);
    }
    return q;
}
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
