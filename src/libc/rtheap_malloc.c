/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The malloc family on rtheap_default() (see rtheap_libc.h for the
 * semantics), for picolibc, newlib and newlib-nano. Everything the C library
 * itself may call lives in this one object file: any reference to one of
 * these names (the library's interface link option -u malloc forces one)
 * brings in all of them, so no member of the C library's own allocator
 * (picolibc's or newlib-nano's nano-malloc, newlib's mallocr, and the sbrk
 * they grow through) is ever pulled in next to it - which would be a
 * duplicate definition or, worse, a second heap fed by sbrk.
 *
 * Each call is written once, as the reentrant form taking the C library's
 * reent pointer (newlib: errno lives there; picolibc: none, NULL); the plain
 * names pass newlib's _REENT, which is exactly what newlib's own malloc does.
 */
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "rtheap.h"
#include "rtheap_libc.h"

#if RTHEAP_LIBC_NEWLIB
#include <reent.h>
#define RTHEAP_LIBC_SELF _REENT
#else
#define RTHEAP_LIBC_SELF NULL
#endif

typedef RTHEAP_LIBC_REENT reent_t;

/* Prototypes the C libraries declare only in some modes (or not at all). */
void *reallocarray(void *ptr, size_t count, size_t size);
void *reallocf(void *ptr, size_t size);
void *valloc(size_t size);
void *pvalloc(size_t size);
void cfree(void *ptr);
int getpagesize(void);

#if (RTHEAP_LIBC_PAGE_SIZE & (RTHEAP_LIBC_PAGE_SIZE - 1u)) != 0 || RTHEAP_LIBC_PAGE_SIZE < 8
#error "RTHEAP_LIBC_PAGE_SIZE must be a power of two >= 8"
#endif

static void rtheap_libc_set_errno(reent_t *r, int e)
{
#if RTHEAP_LIBC_NEWLIB
    if (r != NULL) {
        __errno_r(r) = e;
        return;
    }
#endif
    (void)r;
    errno = e;
}

static void *rtheap_libc_nomem(reent_t *r)
{
    rtheap_libc_set_errno(r, ENOMEM);
    return NULL;
}

static int rtheap_libc_pow2(size_t v)
{
    return v != 0 && (v & (v - 1u)) == 0;
}

/* ---- the reentrant forms: the one implementation of each call ---- */

void *_malloc_r(reent_t *r, size_t size)
{
    /* No heap (rtheap_default() == NULL, reported once by rtheap_default.c):
     * rtheap_alloc(NULL, ...) fails like an exhausted heap, ENOMEM. */
    void *p = rtheap_alloc(rtheap_default(), size);
    return p != NULL ? p : rtheap_libc_nomem(r);
}

void _free_r(reent_t *r, void *ptr)
{
    (void)r;
    if (ptr != NULL) {
        rtheap_free(rtheap_default(), ptr);
    }
}

void *_calloc_r(reent_t *r, size_t count, size_t size)
{
    /* rtheap_calloc returns NULL (a failed allocation) when count * size overflows. */
    void *p = rtheap_calloc(rtheap_default(), count, size);
    return p != NULL ? p : rtheap_libc_nomem(r);
}

void *_realloc_r(reent_t *r, void *ptr, size_t size)
{
    if (ptr == NULL) {
        return _malloc_r(r, size);
    }
    if (size == 0) {
        /* picolibc's and newlib's definition: free and return NULL. */
        rtheap_free(rtheap_default(), ptr);
        return NULL;
    }
    void *p = rtheap_realloc(rtheap_default(), ptr, size);
    return p != NULL ? p : rtheap_libc_nomem(r);
}

void *_reallocf_r(reent_t *r, void *ptr, size_t size)
{
    if (ptr == NULL || size == 0) {
        return _realloc_r(r, ptr, size);
    }
    /* A pointer that is no live block is refused (reported) here, once:
     * neither reallocated nor freed, each of which would report it again. */
    if (rtheap_usable_size(rtheap_default(), ptr) == 0) {
        return rtheap_libc_nomem(r);
    }
    void *p = _realloc_r(r, ptr, size);
    if (p == NULL) {
        _free_r(r, ptr); /* out of memory: reallocf frees the block */
    }
    return p;
}

void *_memalign_r(reent_t *r, size_t align, size_t size)
{
    if (align == 0) {
        align = RTHEAP_ALIGNMENT;
    }
    if (!rtheap_libc_pow2(align)) {
        rtheap_libc_set_errno(r, EINVAL);
        return NULL;
    }
    void *p = rtheap_alloc_aligned(rtheap_default(), size, align);
    return p != NULL ? p : rtheap_libc_nomem(r);
}

void *_valloc_r(reent_t *r, size_t size)
{
    return _memalign_r(r, RTHEAP_LIBC_PAGE_SIZE, size);
}

void *_pvalloc_r(reent_t *r, size_t size)
{
    if (size > SIZE_MAX - (RTHEAP_LIBC_PAGE_SIZE - 1u)) {
        return rtheap_libc_nomem(r);
    }
    size_t rounded = (size + RTHEAP_LIBC_PAGE_SIZE - 1u) & ~(size_t)(RTHEAP_LIBC_PAGE_SIZE - 1u);
    return _valloc_r(r, rounded);
}

size_t _malloc_usable_size_r(reent_t *r, void *ptr)
{
    (void)r;
    return ptr != NULL ? rtheap_usable_size(rtheap_default(), ptr) : 0u;
}

int _mallopt_r(reent_t *r, int param, int value)
{
    (void)r;
    (void)param;
    (void)value;
    return 0;
}

int _malloc_trim_r(reent_t *r, size_t pad)
{
    (void)r;
    (void)pad;
    return 0;
}

static bool rtheap_libc_count_free(const rtheap_block_info_t *block, void *user)
{
    if (!block->used) {
        ++*(size_t *)user;
    }
    return true;
}

struct mallinfo _mallinfo_r(RTHEAP_LIBC_REENT *reent)
{
    (void)reent;
    struct mallinfo mi = {0};
    rtheap_t *heap = rtheap_default();
    rtheap_stats_t s;
    if (heap == NULL || !rtheap_get_stats(heap, &s)) {
        return mi;
    }
    size_t free_blocks = 0;
    (void)rtheap_walk(heap, rtheap_libc_count_free, &free_blocks);
    mi.arena = s.arena_bytes;
    mi.ordblks = free_blocks;
    mi.usmblks = s.peak_used_bytes;
    mi.uordblks = s.used_bytes_with_overhead;
    mi.fordblks = s.free_bytes;
    mi.keepcost = s.largest_guaranteed;
    return mi;
}

/* ---- the standard names ---- */

void *malloc(size_t size)
{
    return _malloc_r(RTHEAP_LIBC_SELF, size);
}

void free(void *ptr)
{
    _free_r(RTHEAP_LIBC_SELF, ptr);
}

void cfree(void *ptr)
{
    _free_r(RTHEAP_LIBC_SELF, ptr);
}

void *calloc(size_t count, size_t size)
{
    return _calloc_r(RTHEAP_LIBC_SELF, count, size);
}

void *realloc(void *ptr, size_t size)
{
    return _realloc_r(RTHEAP_LIBC_SELF, ptr, size);
}

void *reallocarray(void *ptr, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size) {
        return rtheap_libc_nomem(RTHEAP_LIBC_SELF);
    }
    return _realloc_r(RTHEAP_LIBC_SELF, ptr, count * size);
}

void *reallocf(void *ptr, size_t size)
{
    return _reallocf_r(RTHEAP_LIBC_SELF, ptr, size);
}

void *memalign(size_t align, size_t size)
{
    return _memalign_r(RTHEAP_LIBC_SELF, align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
    return _memalign_r(RTHEAP_LIBC_SELF, align, size);
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
    return _valloc_r(RTHEAP_LIBC_SELF, size);
}

void *pvalloc(size_t size)
{
    return _pvalloc_r(RTHEAP_LIBC_SELF, size);
}

size_t malloc_usable_size(void *ptr)
{
    return _malloc_usable_size_r(RTHEAP_LIBC_SELF, ptr);
}

int mallopt(int param, int value)
{
    return _mallopt_r(RTHEAP_LIBC_SELF, param, value);
}

int malloc_trim(size_t pad)
{
    return _malloc_trim_r(RTHEAP_LIBC_SELF, pad);
}

struct mallinfo mallinfo(void)
{
    return _mallinfo_r(RTHEAP_LIBC_SELF);
}
