/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Shared helpers of the core tests (tests/core), also included by the white-box and
 * corruption tests (tests/whitebox, tests/corruption) as "../core/core_util.h":
 * error-hook recorder, byte patterns, arenas. Header-only (static inline) so every test
 * program stays one translation unit plus the harness; no libc beyond what
 * boards/common/minilibc.c provides. */
#ifndef RTHEAP_CORE_UTIL_H
#define RTHEAP_CORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "rtheap.h"

#if TH_IS_TARGET
#include "board.h"
#endif

#define CU_ALIGN ((uintptr_t)RTHEAP_ALIGNMENT)
#define CU_WORD ((uintptr_t)sizeof(size_t))
/* Smallest block (header, two links, footer rounded to the alignment). */
#define CU_MIN_BLOCK ((4u * CU_WORD + CU_ALIGN - 1u) & ~(CU_ALIGN - 1u))

/* ---- error hook recorder ---------------------------------------------- */

typedef struct cu_hook {
    uint32_t calls;
    rtheap_error_t kind;   /* last kind reported */
    const void *ptr;       /* last pointer reported */
    const rtheap_t *heap;  /* last heap reported */
} cu_hook_t;

static inline void cu_hook_fn(rtheap_t *heap, rtheap_error_t kind, const void *ptr, void *user)
{
    cu_hook_t *h = (cu_hook_t *)user;
    h->calls++;
    h->kind = kind;
    h->ptr = ptr;
    h->heap = heap;
}

static inline void cu_hook_reset(cu_hook_t *h)
{
    h->calls = 0;
    h->kind = RTHEAP_OK;
    h->ptr = NULL;
    h->heap = NULL;
}

static inline void cu_install_hook(rtheap_t *heap, cu_hook_t *h)
{
    cu_hook_reset(h);
    rtheap_set_error_hook(heap, cu_hook_fn, h);
}

/* A heap in [mem, mem + bytes) with `hook` installed (reset); checked not NULL. */
static inline rtheap_t *cu_init_hooked(void *mem, size_t bytes, cu_hook_t *hook)
{
    rtheap_t *h = rtheap_init(mem, bytes);
    TH_CHECK_NOT_NULL(h);
    if (h != NULL) {
        cu_install_hook(h, hook);
    }
    return h;
}

/* rtheap_walk() walkers that count the blocks in *(unsigned *)user (if not NULL):
 * all of them, or the first only (the walk stops there). */
static inline bool cu_walk_count(const rtheap_block_info_t *b, void *user)
{
    (void)b;
    if (user != NULL) {
        (*(unsigned *)user)++;
    }
    return true;
}

static inline bool cu_walk_count_first(const rtheap_block_info_t *b, void *user)
{
    (void)cu_walk_count(b, user);
    return false;
}

/* ---- small utilities -------------------------------------------------- */

static inline uint32_t cu_error_count(rtheap_t *heap)
{
    rtheap_stats_t s;
    return rtheap_get_stats(heap, &s) ? s.error_count : 0xFFFFFFFFu;
}

static inline uint32_t cu_failed_count(rtheap_t *heap)
{
    rtheap_stats_t s;
    return rtheap_get_stats(heap, &s) ? s.failed_count : 0xFFFFFFFFu;
}

static inline size_t cu_largest(rtheap_t *heap)
{
    rtheap_stats_t s;
    return rtheap_get_stats(heap, &s) ? s.largest_guaranteed : 0u;
}

/* rtheap_check() as a harness check that names the error on failure. */
static inline int cu_check_heap_(rtheap_t *heap, const char *file, int line)
{
    rtheap_error_t e = rtheap_check(heap);
    if (e == RTHEAP_OK) {
        return th_check_(1, file, line, "rtheap_check(heap) == RTHEAP_OK");
    }
    th_print("    rtheap_check: ");
    th_print(rtheap_error_name(e));
    th_print(" (");
    th_print_u((unsigned long long)e);
    th_println(")");
    return th_check_(0, file, line, "rtheap_check(heap) == RTHEAP_OK");
}
#define CU_CHECK_HEAP(heap) cu_check_heap_((heap), __FILE__, __LINE__)

static inline bool cu_aligned(const void *p, uintptr_t a)
{
    return ((uintptr_t)p & (a - 1u)) == 0;
}

/* Byte i of the pattern of seed s: never constant over a block, differs per seed. */
static inline uint8_t cu_pattern_byte(uint32_t s, size_t i)
{
    uint32_t x = s * 0x9E3779B1u + (uint32_t)i * 0x85EBCA77u;
    return (uint8_t)((x >> 24) ^ (x >> 13) ^ (uint8_t)i);
}

static inline void cu_fill(void *p, size_t n, uint32_t seed)
{
    uint8_t *b = (uint8_t *)p;
    for (size_t i = 0; i < n; i++) {
        b[i] = cu_pattern_byte(seed, i);
    }
}

/* Index of the first byte that differs from the pattern, or n if all match. */
static inline size_t cu_verify(const void *p, size_t n, uint32_t seed)
{
    const uint8_t *b = (const uint8_t *)p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != cu_pattern_byte(seed, i)) {
            return i;
        }
    }
    return n;
}

static inline void cu_set(void *p, uint8_t v, size_t n)
{
    volatile uint8_t *b = (volatile uint8_t *)p;
    for (size_t i = 0; i < n; i++) {
        b[i] = v;
    }
}

static inline bool cu_all(const void *p, uint8_t v, size_t n)
{
    const uint8_t *b = (const uint8_t *)p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != v) {
            return false;
        }
    }
    return true;
}

static inline bool cu_overlap(const void *a, size_t na, const void *b, size_t nb)
{
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    return x < y + nb && y < x + na;
}

/* A memory area for "big heap" tests: the linker heap on a board (capped at `cap`
 * bytes to bound run time), else the caller's static buffer. */
static inline void *cu_big_area(void *host_buf, size_t host_bytes, size_t cap, size_t *bytes)
{
#if TH_IS_TARGET
    void *start;
    size_t n = board_heap(&start);
    (void)host_buf, (void)host_bytes;
    *bytes = n < cap ? n : cap;
    return start;
#else
    *bytes = host_bytes < cap ? host_bytes : cap;
    return host_buf;
#endif
}

static inline void cu_print_kv(const char *key, unsigned long long v)
{
    th_print(key);
    th_print_u(v);
    th_println("");
}

/* The statistics, every field poisoned first so that one left unwritten shows. */
static inline rtheap_stats_t cu_stats(rtheap_t *heap)
{
    rtheap_stats_t s;
    cu_set(&s, 0xEE, sizeof s);
    TH_CHECK(rtheap_get_stats(heap, &s));
    return s;
}

/* After a case: no live block, nothing reported, the heap whole and as large as when it
 * was made (initial_largest); `what` names the case if not. */
static inline void cu_finish(rtheap_t *heap, const cu_hook_t *hook, size_t initial_largest,
                             const char *what)
{
    rtheap_stats_t s = cu_stats(heap);
    int ok = TH_CHECK_EQ(s.live_blocks, 0);
    ok &= TH_CHECK_EQ(hook->calls, 0);
    ok &= CU_CHECK_HEAP(heap);
    ok &= TH_CHECK_EQ(s.largest_guaranteed, initial_largest);
    if (!ok) {
        th_print("  ... after ");
        th_println(what);
    }
}

#endif
