/*
 * The malloc family on rtheap_default() (see rtheap_libc.h for the
 * semantics). Everything the C library itself may call lives in this one
 * object file: any reference to one of these names (the library's
 * interface link option -u malloc forces one) brings in all of them, so no
 * member of picolibc's nano-malloc is ever pulled in next to it (which would
 * be a duplicate definition or, worse, a second heap fed by sbrk).
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "rtheap.h"
#include "rtheap_libc.h"

/* Prototypes picolibc declares only in some modes (or not at all). */
void *reallocarray(void *ptr, size_t count, size_t size);
void *reallocf(void *ptr, size_t size);
void *valloc(size_t size);
void cfree(void *ptr);
int getpagesize(void);

#if (RTHEAP_LIBC_PAGE_SIZE & (RTHEAP_LIBC_PAGE_SIZE - 1u)) != 0 || RTHEAP_LIBC_PAGE_SIZE < 8
#error "RTHEAP_LIBC_PAGE_SIZE must be a power of two >= 8"
#endif

static void *rtheap_libc_nomem(void)
{
    errno = ENOMEM;
    return NULL;
}

static int rtheap_libc_pow2(size_t v)
{
    return v != 0 && (v & (v - 1u)) == 0;
}

void *malloc(size_t size)
{
    void *p = rtheap_alloc(rtheap_default(), size);
    return p != NULL ? p : rtheap_libc_nomem();
}

void free(void *ptr)
{
    if (ptr != NULL) {
        rtheap_free(rtheap_default(), ptr);
    }
}

void cfree(void *ptr)
{
    free(ptr);
}

void *calloc(size_t count, size_t size)
{
    /* rtheap_calloc returns NULL (a failed allocation) when count * size overflows. */
    void *p = rtheap_calloc(rtheap_default(), count, size);
    return p != NULL ? p : rtheap_libc_nomem();
}

void *realloc(void *ptr, size_t size)
{
    if (ptr == NULL) {
        return malloc(size);
    }
    if (size == 0) {
        /* picolibc's (nano-malloc's) definition: free and return NULL. */
        rtheap_free(rtheap_default(), ptr);
        return NULL;
    }
    void *p = rtheap_realloc(rtheap_default(), ptr, size);
    return p != NULL ? p : rtheap_libc_nomem();
}

void *reallocarray(void *ptr, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size) {
        return rtheap_libc_nomem();
    }
    return realloc(ptr, count * size);
}

void *reallocf(void *ptr, size_t size)
{
    void *p = realloc(ptr, size);
    if (p == NULL && ptr != NULL && size != 0) {
        free(ptr);
    }
    return p;
}

void *memalign(size_t align, size_t size)
{
    if (align == 0) {
        align = RTHEAP_ALIGNMENT;
    }
    if (!rtheap_libc_pow2(align)) {
        errno = EINVAL;
        return NULL;
    }
    void *p = rtheap_alloc_aligned(rtheap_default(), size, align);
    return p != NULL ? p : rtheap_libc_nomem();
}

void *aligned_alloc(size_t align, size_t size)
{
    return memalign(align, size);
}

int posix_memalign(void **memptr, size_t align, size_t size)
{
    if (!rtheap_libc_pow2(align) || align % sizeof(void *) != 0) {
        return EINVAL;
    }
    void *p = rtheap_alloc_aligned(rtheap_default(), size, align);
    if (p == NULL) {
        return ENOMEM;
    }
    *memptr = p;
    return 0;
}

int getpagesize(void)
{
    return (int)RTHEAP_LIBC_PAGE_SIZE;
}

void *valloc(size_t size)
{
    return memalign(RTHEAP_LIBC_PAGE_SIZE, size);
}

void *pvalloc(size_t size)
{
    if (size > SIZE_MAX - (RTHEAP_LIBC_PAGE_SIZE - 1u)) {
        return rtheap_libc_nomem();
    }
    return valloc((size + RTHEAP_LIBC_PAGE_SIZE - 1u) & ~(size_t)(RTHEAP_LIBC_PAGE_SIZE - 1u));
}

size_t malloc_usable_size(void *ptr)
{
    return ptr != NULL ? rtheap_usable_size(rtheap_default(), ptr) : 0u;
}

int mallopt(int param, int value)
{
    (void)param;
    (void)value;
    return 0;
}

int malloc_trim(size_t pad)
{
    (void)pad;
    return 0;
}

/* newlib's reentrant entry points. */
void *_malloc_r(void *reent, size_t size)
{
    (void)reent;
    return malloc(size);
}

void _free_r(void *reent, void *ptr)
{
    (void)reent;
    free(ptr);
}

void *_calloc_r(void *reent, size_t count, size_t size)
{
    (void)reent;
    return calloc(count, size);
}

void *_realloc_r(void *reent, void *ptr, size_t size)
{
    (void)reent;
    return realloc(ptr, size);
}

void *_memalign_r(void *reent, size_t align, size_t size)
{
    (void)reent;
    return memalign(align, size);
}

size_t _malloc_usable_size_r(void *reent, void *ptr)
{
    (void)reent;
    return malloc_usable_size(ptr);
}
