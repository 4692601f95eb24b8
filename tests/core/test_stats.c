/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Statistics agree with what the test did, call by call; largest_guaranteed is a real
 * guarantee at many states of a fragmented heap. */
#include "core_util.h"

#if TH_IS_TARGET
#define ARENA_CAP (8u * 1024u)
#define OPS 3000u
#define LIVE 48u
#else
#define ARENA_CAP (64u * 1024u)
#define OPS 100000u
#define LIVE 200u
#endif

static uint8_t host_arena[64u * 1024u] __attribute__((aligned(16)));
static rtheap_t *heap;
static cu_hook_t hook;
static void *live[LIVE];

typedef struct expect {
    uint32_t alloc, free, realloc, failed, error;
} expect_t;
static expect_t ex;
static size_t max_seen_used;

static size_t sum_usable(size_t *count)
{
    size_t sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < LIVE; i++) {
        if (live[i] != NULL) {
            sum += rtheap_usable_size(heap, live[i]);
            n++;
        }
    }
    *count = n;
    return sum;
}

static bool compare(uint32_t op_index, int op)
{
    rtheap_stats_t s;
    size_t n;
    size_t used = sum_usable(&n);
    if (!rtheap_get_stats(heap, &s)) {
        return false;
    }
    if (s.used_bytes_with_overhead > max_seen_used) {
        max_seen_used = s.used_bytes_with_overhead;
    }
    bool ok = s.alloc_count == ex.alloc && s.free_count == ex.free &&
              s.realloc_count == ex.realloc && s.failed_count == ex.failed &&
              s.error_count == ex.error && s.live_blocks == n && s.used_bytes == used &&
              s.used_bytes_with_overhead == used + n * CU_WORD &&
              s.free_bytes == s.arena_bytes - s.used_bytes_with_overhead &&
              s.peak_used_bytes >= max_seen_used && s.peak_used_bytes <= s.arena_bytes &&
              s.region_count == 1 && s.largest_guaranteed <= s.free_bytes;
    if (!ok) {
        th_print("  stats mismatch after op ");
        th_print_u(op_index);
        th_print(" (kind ");
        th_print_u((unsigned long long)op);
        th_println(")");
        TH_CHECK_EQ(s.alloc_count, ex.alloc);
        TH_CHECK_EQ(s.free_count, ex.free);
        TH_CHECK_EQ(s.realloc_count, ex.realloc);
        TH_CHECK_EQ(s.failed_count, ex.failed);
        TH_CHECK_EQ(s.error_count, ex.error);
        TH_CHECK_EQ(s.live_blocks, n);
        TH_CHECK_EQ(s.used_bytes, used);
        TH_CHECK_EQ(s.used_bytes_with_overhead, used + n * CU_WORD);
        TH_CHECK_EQ(s.free_bytes, s.arena_bytes - s.used_bytes_with_overhead);
        TH_CHECK(s.peak_used_bytes >= max_seen_used);
        TH_CHECK(s.largest_guaranteed <= s.free_bytes);
    }
    return ok;
}

static size_t rand_size(uint32_t *seed)
{
    uint32_t r = th_rand(seed);
    if (r % 50u == 0) {
        return (size_t)(th_rand(seed) % (ARENA_CAP / 4u));
    }
    uint32_t bits = th_rand(seed) % 10u;
    return (size_t)(th_rand(seed) & ((1u << bits) - 1u));
}

/* An allocation of exactly largest_guaranteed must succeed, now; with the
 * default RTHEAP_FIT_SCAN (the head of a list only) one byte more must fail:
 * it is then the largest request that can succeed, whatever the largest free
 * block (a larger one behind the head of its list is not reached). */
static bool guarantee_holds(uint32_t op_index)
{
    rtheap_stats_t s;
    if (!rtheap_get_stats(heap, &s)) {
        return false;
    }
    if (s.largest_guaranteed == 0) {
        return true;
    }
    void *p = rtheap_alloc(heap, s.largest_guaranteed);
    if (p == NULL) {
        th_print("  largest_guaranteed ");
        th_print_u(s.largest_guaranteed);
        th_print(" failed to allocate after op ");
        th_print_u(op_index);
        th_print(" (free bytes ");
        th_print_u(s.free_bytes);
        th_println(")");
        ex.failed++;
        return false;
    }
    bool ok = rtheap_usable_size(heap, p) >= s.largest_guaranteed;
    rtheap_free(heap, p);
#if RTHEAP_FIT_SCAN == 1
    void *more = rtheap_alloc(heap, s.largest_guaranteed + 1u);
    if (more == NULL) {
        ex.failed++;
    } else {
        th_print("  largest_guaranteed + 1 allocated after op ");
        th_print_u(op_index);
        th_println("");
        rtheap_free(heap, more);
        ex.alloc++;
        ex.free++;
        ok = false;
    }
#endif
    rtheap_stats_t t;
    ok = ok && rtheap_get_stats(heap, &t) && t.used_bytes == s.used_bytes &&
         t.largest_guaranteed == s.largest_guaranteed;
    ex.alloc++;
    ex.free++;
    return ok;
}

int main(void)
{
    th_println("test_stats");
    size_t bytes;
    void *mem = cu_big_area(host_arena, sizeof host_arena, ARENA_CAP, &bytes);
    heap = rtheap_init(mem, bytes);
    if (!TH_CHECK_NOT_NULL(heap)) {
        return th_summary();
    }
    cu_install_hook(heap, &hook);
    uint32_t seed = 2024;
    uint32_t bad = 0, bad_guarantee = 0, guarantee_tests = 0;
    static uint8_t not_heap[32] __attribute__((aligned(16)));
    for (uint32_t i = 0; i < OPS; i++) {
        size_t k = th_rand(&seed) % LIVE;
        int op = (int)(th_rand(&seed) % 10u);
        void *p = live[k];
        switch (op) {
        case 0: case 1: case 2: /* alloc / calloc / aligned into an empty slot, else free */
            if (p == NULL) {
                size_t s = rand_size(&seed);
                void *q = op == 0 ? rtheap_alloc(heap, s)
                          : op == 1 ? rtheap_calloc(heap, 1, s)
                                    : rtheap_alloc_aligned(heap, s, (size_t)1 << (th_rand(&seed) % 9u));
                if (q != NULL) {
                    ex.alloc++;
                } else {
                    ex.failed++;
                }
                live[k] = q;
            } else {
                rtheap_free(heap, p);
                ex.free++;
                live[k] = NULL;
            }
            break;
        case 3: case 4: /* free */
            if (p != NULL) {
                rtheap_free(heap, p);
                ex.free++;
                live[k] = NULL;
            }
            break;
        case 5: case 6: { /* realloc (also of NULL) */
            size_t s = rand_size(&seed);
            void *q = rtheap_realloc(heap, p, s);
            if (q == NULL) {
                ex.failed++;
            } else if (p == NULL) {
                ex.alloc++;
            } else if (q == p) {
                ex.realloc++;
            } else {
                ex.alloc++;
                ex.free++;
                ex.realloc++;
            }
            if (q != NULL) {
                live[k] = q;
            }
            break;
        }
        case 7: /* resize in place */
            if (p != NULL && rtheap_resize_in_place(heap, p, rand_size(&seed)) != 0) {
                ex.realloc++;
            }
            break;
        case 8: /* an impossible request, a bad calloc */
            if (th_rand(&seed) % 2u == 0) {
                (void)rtheap_alloc(heap, bytes);
            } else {
                (void)rtheap_calloc(heap, SIZE_MAX / 2u, 3);
            }
            ex.failed++;
            break;
        default: /* bad input every now and then */
            if (th_rand(&seed) % 8u == 0) {
                rtheap_free(heap, not_heap);
                ex.error++;
            }
            break;
        }
        if (!compare(i, op)) {
            if (++bad > 3) {
                break;
            }
        }
        if (i % 7u == 0) {
            guarantee_tests++;
            if (!guarantee_holds(i) && ++bad_guarantee > 3) {
                break;
            }
        }
    }
    TH_CHECK_EQ(bad, 0);
    TH_CHECK_EQ(bad_guarantee, 0);
    TH_CHECK_EQ(hook.calls, ex.error);
    CU_CHECK_HEAP(heap);
    th_print("largest_guaranteed allocated at ");
    th_print_u(guarantee_tests);
    th_println(" states");
    rtheap_stats_t s;
    TH_CHECK(rtheap_get_stats(heap, &s));
    th_print("final: alloc ");
    th_print_u(s.alloc_count);
    th_print(" free ");
    th_print_u(s.free_count);
    th_print(" realloc ");
    th_print_u(s.realloc_count);
    th_print(" failed ");
    th_print_u(s.failed_count);
    th_print(" errors ");
    th_print_u(s.error_count);
    th_print(" peak ");
    th_print_u(s.peak_used_bytes);
    th_println("");
    for (size_t i = 0; i < LIVE; i++) {
        rtheap_free(heap, live[i]);
    }
    TH_CHECK(rtheap_get_stats(heap, &s));
    TH_CHECK_EQ(s.live_blocks, 0);
    TH_CHECK_EQ(s.used_bytes, 0);
    TH_CHECK_EQ(s.free_bytes, s.arena_bytes);
    TH_CHECK_EQ(s.largest_guaranteed, s.arena_bytes - CU_WORD);
    CU_CHECK_HEAP(heap);
    return th_summary();
}
