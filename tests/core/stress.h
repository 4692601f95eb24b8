/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Seeded random stress rig, independent of the allocator under test: it drives any
 * allocator through a table of callbacks and keeps a shadow of every live block
 * (pointer, size, alignment, pattern seed). After every operation it can run the
 * allocator's own consistency check; on every free/realloc it verifies the block's
 * contents; on every allocation its alignment, usable size and that it overlaps no
 * live block. Needs only the test harness (no libc). */
#ifndef RTHEAP_STRESS_H
#define RTHEAP_STRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

/* Shadow table size (16 bytes an entry on 32-bit: small on boards like microbit). */
#if TH_IS_TARGET
#define STRESS_MAX_LIVE 64u
#else
#define STRESS_MAX_LIVE 512u
#endif

typedef struct stress_allocator {
    void *ctx;
    void *(*alloc)(void *ctx, size_t size);
    void (*free)(void *ctx, void *ptr);
    void *(*realloc)(void *ctx, void *ptr, size_t size);          /* NULL: not used */
    void *(*aligned_alloc)(void *ctx, size_t size, size_t align); /* NULL: not used */
    void *(*calloc)(void *ctx, size_t count, size_t size);        /* NULL: not used */
    size_t (*resize_in_place)(void *ctx, void *ptr, size_t size); /* NULL: not used */
    size_t (*usable_size)(void *ctx, const void *ptr);            /* NULL: not checked */
    bool (*check)(void *ctx);                                     /* NULL: not checked */
} stress_allocator_t;

typedef struct stress_config {
    uint32_t seed;           /* non-zero */
    uint32_t ops;            /* operations to run */
    uint32_t max_live;       /* live blocks at most (<= STRESS_MAX_LIVE) */
    size_t max_size;         /* log-uniform sizes up to this */
    size_t large_size;       /* occasional large blocks up to this */
    uint32_t max_align_log2; /* aligned allocations up to 1 << this */
    size_t base_align;       /* every pointer is aligned to this */
    uint32_t check_every;    /* run check() every n operations (1: after each) */
} stress_config_t;

typedef struct stress_result {
    uint32_t ops;         /* operations done */
    uint32_t allocs;      /* successful allocations of any kind */
    uint32_t frees;
    uint32_t reallocs;    /* successful reallocs and in-place resizes */
    uint32_t failed;      /* allocations that returned NULL */
    uint32_t checks;      /* consistency checks run */
    uint32_t peak_live;   /* most live blocks at once */
    uint32_t problems;    /* anything wrong (the run stops at the first) */
} stress_result_t;

/* Runs the stress; frees every live block at the end. Returns the number of problems
 * (0 or 1: it stops at the first and prints what and where). */
uint32_t stress_run(const stress_allocator_t *a, const stress_config_t *cfg,
                    stress_result_t *out);

#endif
