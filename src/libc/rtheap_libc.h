/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * \file rtheap_libc.h
 * \brief rtheap_libc — the C library's malloc family on rtheap's default heap.
 *
 * Link the `rtheap::libc` CMake target (library rtheap_libc) into a firmware
 * built with picolibc, newlib or newlib-nano (compile rtheap_libc against the
 * same C library: its CMake build picks the toolchain's) and every
 * allocation in the program - yours and the C library's own (printf's and
 * fopen's buffers, strdup, asprintf, fmemopen, tsearch, regcomp, setenv, ...)
 * - comes from rtheap_default() (see rtheap.h): the C library's malloc
 * (picolibc's or newlib-nano's nano-malloc, newlib's mallocr) and sbrk are
 * not linked at all.
 *
 * Defined here, with picolibc's prototypes (<stdlib.h>, <malloc.h>):
 *   malloc free calloc realloc reallocarray reallocf memalign aligned_alloc
 *   posix_memalign valloc pvalloc malloc_usable_size cfree getpagesize
 *   mallinfo malloc_stats mstats mallopt malloc_trim
 * and newlib's reentrant entry points (_malloc_r, _free_r, ...; declared
 * below with newlib's prototypes), which newlib's own code calls; picolibc's
 * does not.
 *
 * Semantics (those of picolibc's own malloc unless noted; measured on
 * Debian 12's picolibc 1.8):
 *   - malloc(0), calloc(0, n), realloc(NULL, 0): a unique minimum block
 *     (non-NULL; must be freed).
 *   - realloc(p, 0) with p != NULL frees p and returns NULL; errno is left
 *     alone. reallocarray(p, 0, n) likewise (it is realloc(p, n * size)).
 *   - Every allocation that fails for want of memory returns NULL with
 *     errno = ENOMEM; realloc/reallocarray then leave the old block intact.
 *     calloc/reallocarray/pvalloc whose size computation overflows: ENOMEM.
 *   - memalign/aligned_alloc: alignment 0 means the default (8); a
 *     non-power-of-two alignment returns NULL with errno = EINVAL; a size
 *     that is not a multiple of the alignment is accepted (C17, DR 460).
 *   - posix_memalign: returns EINVAL if the alignment is not a power of two
 *     multiple of sizeof(void *), ENOMEM when out of memory; *memptr and
 *     errno are not touched on failure. posix_memalign(&p, a, 0) gives a
 *     unique minimum block.
 *   - valloc(n) = memalign(RTHEAP_LIBC_PAGE_SIZE, n); pvalloc rounds n up
 *     to a multiple of it first (pvalloc(0) is valloc(0), like picolibc).
 *     There is no MMU: the "page" is only an alignment. Default 4096, as in
 *     picolibc's getpagesize(); configurable below.
 *   - free/realloc/malloc_usable_size of a pointer rtheap did not hand out
 *     (or already freed) is refused and reported through rtheap's error hook
 *     (see "Bad input" in rtheap.h) instead of corrupting the heap;
 *     malloc_usable_size(NULL) and of a bad pointer return 0.
 *   - mallinfo: arena = bytes in blocks, ordblks = free blocks,
 *     uordblks = bytes in use (with block headers), fordblks = free bytes,
 *     usmblks = peak bytes in use, keepcost = largest allocation that cannot
 *     fail now (rtheap's largest_guaranteed); the others 0. It walks the
 *     heap to count free blocks: O(blocks), not for real-time paths.
 *   - malloc_stats prints picolibc's four lines (max system bytes = system
 *     bytes = arena: the heap never grows) plus the peak use and the largest
 *     guaranteed allocation to stderr. mallopt does nothing (returns 0), malloc_trim
 *     releases nothing (returns 0).
 * Every call except mallinfo/malloc_stats/mstats is O(1) (+ the copy of a moving
 * realloc and the zeroing of calloc) and ISR-safe with rtheap's default lock.
 */
#ifndef RTHEAP_LIBC_H
#define RTHEAP_LIBC_H

#include <stddef.h>

#include "rtheap.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The "page" of valloc/pvalloc/getpagesize (a power of two). */
#ifndef RTHEAP_LIBC_PAGE_SIZE
#define RTHEAP_LIBC_PAGE_SIZE 4096u
#endif

/*
 * Which C library this is compiled against: picolibc (__PICOLIBC__) or
 * newlib / newlib-nano (_NEWLIB_VERSION without __PICOLIBC__). newlib's
 * reentrant entry points take its `struct _reent *` and report errno through
 * it; picolibc has no reent structure (errno is thread-local there).
 */
#include <stdlib.h>
#if defined(__PICOLIBC__)
/** 1 when compiled against newlib or newlib-nano, 0 for picolibc. */
#define RTHEAP_LIBC_NEWLIB 0
/** The pointee of the `_r` entry points' first argument (picolibc: none, ignored). */
#define RTHEAP_LIBC_REENT void
#elif defined(_NEWLIB_VERSION)
/** 1 when compiled against newlib or newlib-nano, 0 for picolibc. */
#define RTHEAP_LIBC_NEWLIB 1
struct _reent;
/** The pointee of the `_r` entry points' first argument: newlib's struct _reent. */
#define RTHEAP_LIBC_REENT struct _reent
#else
/** 1 when compiled against newlib or newlib-nano, 0 for picolibc (or another). */
#define RTHEAP_LIBC_NEWLIB 0
/** The pointee of the `_r` entry points' first argument (ignored). */
#define RTHEAP_LIBC_REENT void
#endif

/**
 * \name newlib's reentrant variants
 * Same as the functions without `_r`. With newlib, errno is set in `reent`
 * (newlib's own `malloc(n)` is `_malloc_r(_REENT, n)`); a NULL `reent`, or
 * picolibc, sets the caller's errno.
 * @{
 */
/**
 * malloc(size).
 *
 * \param reent newlib's reent structure (errno goes there)
 * \param size bytes wanted
 * \return the block, or NULL
 */
void *_malloc_r(RTHEAP_LIBC_REENT *reent, size_t size);
/**
 * free(ptr).
 *
 * \param reent newlib's reent structure
 * \param ptr a live block, or NULL
 */
void _free_r(RTHEAP_LIBC_REENT *reent, void *ptr);
/**
 * calloc(count, size).
 *
 * \param reent newlib's reent structure (errno goes there)
 * \param count number of elements
 * \param size bytes per element
 * \return the zeroed block, or NULL
 */
void *_calloc_r(RTHEAP_LIBC_REENT *reent, size_t count, size_t size);
/**
 * realloc(ptr, size).
 *
 * \param reent newlib's reent structure (errno goes there)
 * \param ptr a live block, or NULL
 * \param size new size in bytes
 * \return the block, or NULL
 */
void *_realloc_r(RTHEAP_LIBC_REENT *reent, void *ptr, size_t size);
/**
 * reallocf(ptr, size).
 *
 * \param reent newlib's reent structure (errno goes there)
 * \param ptr a live block, or NULL
 * \param size new size in bytes
 * \return the block, or NULL (then ptr was freed)
 */
void *_reallocf_r(RTHEAP_LIBC_REENT *reent, void *ptr, size_t size);
/**
 * memalign(align, size).
 *
 * \param reent newlib's reent structure (errno goes there)
 * \param align alignment, a power of two
 * \param size bytes wanted
 * \return the block, or NULL
 */
void *_memalign_r(RTHEAP_LIBC_REENT *reent, size_t align, size_t size);
/**
 * valloc(size).
 *
 * \param reent newlib's reent structure (errno goes there)
 * \param size bytes wanted
 * \return the block, or NULL
 */
void *_valloc_r(RTHEAP_LIBC_REENT *reent, size_t size);
/**
 * pvalloc(size).
 *
 * \param reent newlib's reent structure (errno goes there)
 * \param size bytes wanted (rounded up to the page)
 * \return the block, or NULL
 */
void *_pvalloc_r(RTHEAP_LIBC_REENT *reent, size_t size);
/**
 * malloc_usable_size(ptr).
 *
 * \param reent newlib's reent structure
 * \param ptr a live block
 * \return its usable bytes, or 0
 */
size_t _malloc_usable_size_r(RTHEAP_LIBC_REENT *reent, void *ptr);
/**
 * mallopt(param, value): does nothing.
 *
 * \param reent newlib's reent structure
 * \param param ignored
 * \param value ignored
 * \return 0
 */
int _mallopt_r(RTHEAP_LIBC_REENT *reent, int param, int value);
/**
 * malloc_trim(pad): releases nothing.
 *
 * \param reent newlib's reent structure
 * \param pad ignored
 * \return 0
 */
int _malloc_trim_r(RTHEAP_LIBC_REENT *reent, size_t pad);
struct mallinfo;
/**
 * mallinfo().
 *
 * \param reent newlib's reent structure
 * \return what mallinfo() returns
 */
struct mallinfo _mallinfo_r(RTHEAP_LIBC_REENT *reent);
/**
 * malloc_stats() (in rtheap_malloc_stats.c, with mstats: stdio's object).
 *
 * \param reent newlib's reent structure
 */
void _malloc_stats_r(RTHEAP_LIBC_REENT *reent);
/**
 * mstats(title): the title on a line of its own, then malloc_stats().
 *
 * \param reent newlib's reent structure
 * \param title printed first (NULL: an empty line)
 */
void _mstats_r(RTHEAP_LIBC_REENT *reent, char *title);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* RTHEAP_LIBC_H */
