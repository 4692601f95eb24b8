/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The stress rig's adapter for rtheap (stress.h's stress_allocator_t on an rtheap_t):
 * every call goes straight to the rtheap_* function; check() is rtheap_check() (its
 * error named on the output) and no error reported through the hook. Shared by
 * test_stress.c and test_matrix.c. */
#ifndef RTHEAP_STRESS_RTHEAP_H
#define RTHEAP_STRESS_RTHEAP_H

#include "core_util.h"
#include "stress.h"

typedef struct stress_rtheap {
    rtheap_t *heap;
    const cu_hook_t *hook; /* installed on heap: any call it counts is a failure */
} stress_rtheap_t;

static inline rtheap_t *sr_heap(void *ctx)
{
    return ((stress_rtheap_t *)ctx)->heap;
}
static inline void *sr_alloc(void *ctx, size_t size)
{
    return rtheap_alloc(sr_heap(ctx), size);
}
static inline void sr_free(void *ctx, void *p)
{
    rtheap_free(sr_heap(ctx), p);
}
static inline void *sr_realloc(void *ctx, void *p, size_t size)
{
    return rtheap_realloc(sr_heap(ctx), p, size);
}
static inline void *sr_aligned(void *ctx, size_t size, size_t align)
{
    return rtheap_alloc_aligned(sr_heap(ctx), size, align);
}
static inline void *sr_calloc(void *ctx, size_t count, size_t size)
{
    return rtheap_calloc(sr_heap(ctx), count, size);
}
static inline size_t sr_resize(void *ctx, void *p, size_t size)
{
    return rtheap_resize_in_place(sr_heap(ctx), p, size);
}
static inline size_t sr_usable(void *ctx, const void *p)
{
    return rtheap_usable_size(sr_heap(ctx), p);
}
static inline bool sr_check(void *ctx)
{
    rtheap_error_t e = rtheap_check(sr_heap(ctx));
    if (e != RTHEAP_OK) {
        th_print("rtheap_check: ");
        th_println(rtheap_error_name(e));
    }
    return e == RTHEAP_OK && ((stress_rtheap_t *)ctx)->hook->calls == 0;
}

/* The rig's allocator for sr (which must outlive the run): every operation used. */
static inline stress_allocator_t stress_rtheap(stress_rtheap_t *sr)
{
    stress_allocator_t a = {sr,        sr_alloc,  sr_free,   sr_realloc, sr_aligned,
                            sr_calloc, sr_resize, sr_usable, sr_check};
    return a;
}

#endif
