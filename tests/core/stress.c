/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Seeded random allocator stress rig (see stress.h). */
#include "stress.h"

#include "harness.h"

typedef struct shadow {
    uint8_t *ptr;
    size_t size;  /* bytes the test asked for (and owns) */
    size_t align;
    uint32_t seed;
} shadow_t;

static shadow_t live[STRESS_MAX_LIVE];
static uint32_t nlive;

static inline uint8_t pattern(uint32_t seed, size_t i)
{
    return (uint8_t)((seed ^ (uint32_t)(i >> 8)) + (uint32_t)i * 0x9Du);
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = pattern(seed, i);
    }
}

static bool verify(const uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != pattern(seed, i)) {
            return false;
        }
    }
    return true;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0) {
            return false;
        }
    }
    return true;
}

static uint32_t problem(stress_result_t *r, uint32_t op, const char *what, const void *p,
                        size_t size)
{
    th_print("stress: op ");
    th_print_u(op);
    th_print(": ");
    th_print(what);
    th_print(" (ptr ");
    th_print_x((uintptr_t)p);
    th_print(", size ");
    th_print_u(size);
    th_println(")");
    r->problems++;
    return 1;
}

static size_t pick_size(const stress_config_t *c, uint32_t *seed)
{
    uint32_t r = th_rand(seed) % 100u;
    if (r < 50u) {
        return (size_t)(th_rand(seed) % 65u); /* small */
    }
    if (r < 97u || c->large_size == 0) { /* log-uniform up to max_size */
        uint32_t bits = 0;
        while (((size_t)1 << bits) < c->max_size) {
            bits++;
        }
        size_t s = (size_t)(th_rand(seed) & ((1u << (th_rand(seed) % (bits + 1u))) - 1u));
        return s <= c->max_size ? s : c->max_size;
    }
    return (size_t)(th_rand(seed) % (uint32_t)(c->large_size + 1u)); /* large */
}

/* New block: aligned, big enough, inside no live block. */
static bool new_block_ok(const stress_allocator_t *a, const stress_config_t *c,
                         const uint8_t *p, size_t size, size_t align, const char **why)
{
    size_t need = align > c->base_align ? align : c->base_align;
    if (((uintptr_t)p & (need - 1u)) != 0) {
        *why = "misaligned block";
        return false;
    }
    if (a->usable_size != NULL && a->usable_size(a->ctx, p) < size) {
        *why = "usable size below the request";
        return false;
    }
    size_t n = size != 0 ? size : 1u;
    for (uint32_t i = 0; i < nlive; i++) {
        size_t m = live[i].size != 0 ? live[i].size : 1u;
        if ((uintptr_t)p < (uintptr_t)live[i].ptr + m && (uintptr_t)live[i].ptr < (uintptr_t)p + n) {
            *why = "block overlaps a live block";
            return false;
        }
    }
    return true;
}

static void drop(uint32_t i)
{
    live[i] = live[--nlive];
}

uint32_t stress_run(const stress_allocator_t *a, const stress_config_t *c, stress_result_t *r)
{
    stress_result_t zero = {0, 0, 0, 0, 0, 0, 0, 0};
    *r = zero;
    nlive = 0;
    uint32_t seed = c->seed != 0 ? c->seed : 1u;
    uint32_t max_live = c->max_live < STRESS_MAX_LIVE ? c->max_live : STRESS_MAX_LIVE;
    const char *why = "";
    for (uint32_t op = 0; op < c->ops && r->problems == 0; op++) {
        uint32_t kind = th_rand(&seed) % 100u;
        if (nlive >= max_live) {
            kind = 50; /* free */
        } else if (nlive == 0 && kind >= 50u) {
            kind = 0;
        }
        if (kind < 50u) { /* allocate: plain 35, aligned 10, calloc 5 */
            size_t size = pick_size(c, &seed);
            size_t align = 1;
            uint8_t *p;
            bool zeroed = false;
            if (kind < 10u && a->aligned_alloc != NULL) {
                align = (size_t)1 << (th_rand(&seed) % (c->max_align_log2 + 1u));
                p = a->aligned_alloc(a->ctx, size, align);
            } else if (kind < 15u && a->calloc != NULL) {
                size_t count = (size_t)(th_rand(&seed) % 4u) + 1u;
                size = size / count;
                p = a->calloc(a->ctx, count, size);
                size *= count;
                zeroed = true;
            } else {
                p = a->alloc(a->ctx, size);
            }
            if (p == NULL) {
                r->failed++;
            } else {
                if (!new_block_ok(a, c, p, size, align, &why)) {
                    return problem(r, op, why, p, size);
                }
                if (zeroed && !all_zero(p, size)) {
                    return problem(r, op, "calloc block not zeroed", p, size);
                }
                shadow_t s = {p, size, align, th_rand(&seed)};
                fill(p, size, s.seed);
                live[nlive++] = s;
                r->allocs++;
            }
        } else if (kind < 80u) { /* free */
            uint32_t i = th_rand(&seed) % nlive;
            if (!verify(live[i].ptr, live[i].size, live[i].seed)) {
                return problem(r, op, "contents changed before free", live[i].ptr, live[i].size);
            }
            a->free(a->ctx, live[i].ptr);
            drop(i);
            r->frees++;
        } else if (kind < 95u && a->realloc != NULL) { /* realloc */
            uint32_t i = th_rand(&seed) % nlive;
            shadow_t s = live[i];
            if (!verify(s.ptr, s.size, s.seed)) {
                return problem(r, op, "contents changed before realloc", s.ptr, s.size);
            }
            size_t size = th_rand(&seed) % 2u == 0 ? s.size + pick_size(c, &seed)
                                                   : pick_size(c, &seed) % (s.size + 1u);
            drop(i); /* out of the shadow while the allocator moves it */
            uint8_t *p = a->realloc(a->ctx, s.ptr, size);
            if (p == NULL) {
                r->failed++;
                live[nlive++] = s; /* the old block stays */
                if (!verify(s.ptr, s.size, s.seed)) {
                    return problem(r, op, "failed realloc changed the block", s.ptr, s.size);
                }
            } else {
                size_t keep = size < s.size ? size : s.size;
                if (!new_block_ok(a, c, p, size, 1, &why)) {
                    return problem(r, op, why, p, size);
                }
                if (!verify(p, keep, s.seed)) {
                    return problem(r, op, "realloc lost contents", p, keep);
                }
                shadow_t n = {p, size, 1, th_rand(&seed)};
                fill(p, size, n.seed);
                live[nlive++] = n;
                r->reallocs++;
            }
        } else if (a->resize_in_place != NULL) { /* resize in place */
            uint32_t i = th_rand(&seed) % nlive;
            shadow_t *s = &live[i];
            size_t size = th_rand(&seed) % 2u == 0 ? s->size + pick_size(c, &seed) / 4u
                                                   : s->size / 2u;
            size_t got = a->resize_in_place(a->ctx, s->ptr, size);
            if (got != 0) {
                if (got < size) {
                    return problem(r, op, "resize_in_place returned less than asked", s->ptr, got);
                }
                size_t keep = size < s->size ? size : s->size;
                if (!verify(s->ptr, keep, s->seed)) {
                    return problem(r, op, "resize_in_place lost contents", s->ptr, keep);
                }
                shadow_t moved = *s;
                drop(i);
                if (!new_block_ok(a, c, moved.ptr, size, 1, &why)) {
                    return problem(r, op, why, moved.ptr, size);
                }
                moved.size = size;
                fill(moved.ptr, size, moved.seed);
                live[nlive++] = moved;
                r->reallocs++;
            } else if (!verify(s->ptr, s->size, s->seed)) {
                return problem(r, op, "failed resize_in_place changed the block", s->ptr, s->size);
            }
        }
        if (nlive > r->peak_live) {
            r->peak_live = nlive;
        }
        if (a->check != NULL && c->check_every != 0 && op % c->check_every == 0) {
            r->checks++;
            if (!a->check(a->ctx)) {
                return problem(r, op, "consistency check failed", NULL, 0);
            }
        }
        r->ops = op + 1u;
    }
    while (nlive > 0) {
        if (!verify(live[0].ptr, live[0].size, live[0].seed)) {
            return problem(r, r->ops, "contents changed (final free)", live[0].ptr, live[0].size);
        }
        a->free(a->ctx, live[0].ptr);
        drop(0);
        r->frees++;
    }
    if (a->check != NULL && !a->check(a->ctx)) {
        return problem(r, r->ops, "consistency check failed at the end", NULL, 0);
    }
    return r->problems;
}
