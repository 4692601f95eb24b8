/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Every public call takes the lock (rtheap built with RTHEAP_LOCK_USER, whose two
 * functions here count): each call that touches a heap must acquire it at least once
 * and release it as often, with nothing held afterwards; the default heap's build and
 * the Rust entry points on it take it too; an error hook runs inside the lock, and a call made from the hook nests
 * (the acquire sees the lock held by its own caller, the release leaves it held). The
 * state passed to release must be the one its acquire returned, innermost first. */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "rtheap.h"

#if !RTHEAP_LOCK_USER
#error "lock_cover.c is built with RTHEAP_LOCK_USER=1"
#endif

#define MAX_DEPTH 8u

static uint32_t acquires, releases, depth, max_depth, bad_state;
static uint32_t states[MAX_DEPTH];

uint32_t rtheap_user_lock_acquire(void)
{
    acquires++;
    uint32_t state = 0x5A000000u + acquires; /* a value release must get back */
    if (depth < MAX_DEPTH) {
        states[depth] = state;
    }
    depth++;
    max_depth = depth > max_depth ? depth : max_depth;
    return state;
}

void rtheap_user_lock_release(uint32_t state)
{
    releases++;
    if (depth == 0 || (depth <= MAX_DEPTH && states[depth - 1u] != state)) {
        bad_state++;
    }
    depth = depth > 0 ? depth - 1u : 0;
}

/* What one call did to the lock. */
typedef struct {
    uint32_t acquires, releases;
} mark_t;

static mark_t mark(void)
{
    mark_t m = {acquires, releases};
    return m;
}

/* The call since m took the lock and gave it back, and nothing is held now. */
static int locked_once_or_more(mark_t m, const char *what)
{
    uint32_t a = acquires - m.acquires, r = releases - m.releases;
    if (a == 0 || a != r || depth != 0) {
        th_print("lock_cover: not locked: ");
        th_println(what);
        return TH_CHECK(0);
    }
    return TH_CHECK(1);
}

#define COVER(what, call)                                                                          \
    do {                                                                                           \
        mark_t m_ = mark();                                                                        \
        call;                                                                                      \
        locked_once_or_more(m_, what);                                                             \
    } while (0)

static uint32_t hook_calls, hook_depth, hook_nested_ok;

static void hook(rtheap_t *heap, rtheap_error_t kind, const void *ptr, void *user)
{
    (void)kind, (void)ptr, (void)user;
    hook_calls++;
    hook_depth = depth;
    /* A call from inside the lock: it nests. */
    uint32_t before = depth;
    rtheap_stats_t st;
    hook_nested_ok = rtheap_get_stats(heap, &st) && depth == before && max_depth > before;
}

static bool walker(const rtheap_block_info_t *b, void *user)
{
    (void)b, (void)user;
    return true;
}

static uint64_t arena[4096 / sizeof(uint64_t)];
static uint64_t arena2[2048 / sizeof(uint64_t)];
static uint64_t default_arena[4096 / sizeof(uint64_t)];

int main(void)
{
    rtheap_t *heap = rtheap_init(arena, sizeof arena);
    if (!TH_CHECK_NOT_NULL(heap)) {
        return th_summary();
    }
    void *p = NULL, *q = NULL;
    size_t n = 0;
    bool ok = false;
    rtheap_stats_t st;
    COVER("rtheap_add_region", ok = rtheap_add_region(heap, arena2, sizeof arena2));
    TH_CHECK(ok);
    COVER("rtheap_alloc", p = rtheap_alloc(heap, 40));
    COVER("rtheap_alloc_aligned", q = rtheap_alloc_aligned(heap, 40, 64));
    COVER("rtheap_realloc", p = rtheap_realloc(heap, p, 100));
    COVER("rtheap_realloc_aligned", q = rtheap_realloc_aligned(heap, q, 80, 64));
    COVER("rtheap_realloc_sized", p = rtheap_realloc_sized(heap, p, 100, 200));
    COVER("rtheap_resize_in_place", n = rtheap_resize_in_place(heap, p, 120));
    COVER("rtheap_usable_size", n = rtheap_usable_size(heap, p));
    TH_CHECK(n >= 120u);
    COVER("rtheap_free", rtheap_free(heap, p));
    COVER("rtheap_calloc", p = rtheap_calloc(heap, 4, 10));
    COVER("rtheap_get_stats", ok = rtheap_get_stats(heap, &st));
    TH_CHECK(ok && st.live_blocks == 2u);
    COVER("rtheap_check", TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK));
    COVER("rtheap_walk", n = rtheap_walk(heap, walker, NULL));
    COVER("rtheap_set_error_hook", rtheap_set_error_hook(heap, hook, NULL));
    TH_CHECK_EQ(max_depth, 1);

    /* The hook runs inside the lock, and a call from it nests. */
    COVER("rtheap_report_error", rtheap_report_error(heap, RTHEAP_ERR_BAD_ARGUMENT, NULL));
    TH_CHECK_EQ(hook_calls, 1);
    TH_CHECK_EQ(hook_depth, 1);
    TH_CHECK(hook_nested_ok);
    TH_CHECK_EQ(max_depth, 2);
    COVER("rtheap_free (a refused pointer)", rtheap_free(heap, (char *)p + 8));
    TH_CHECK_EQ(hook_calls, 2);
    TH_CHECK_EQ(hook_depth, 1);
    rtheap_free(heap, p);
    rtheap_free(heap, q);

    /* The default heap: its first build (explicit or on first use) and the Rust entry
     * points on it. */
    COVER("rtheap_default_init", heap = rtheap_default_init(default_arena, sizeof default_arena));
    TH_CHECK_NOT_NULL(heap);
    /* Once built, the default heap is a published pointer, read without the lock (what
     * the heap's calls then do is locked). */
    TH_CHECK_PTR_EQ(rtheap_default(), heap);
    COVER("__rust_allocate", p = __rust_allocate(24, 8));
    COVER("__rust_reallocate", p = __rust_reallocate(p, 24, 300, 8));
    COVER("__rust_reallocate_inplace", n = __rust_reallocate_inplace(p, 300, 100, 8));
    COVER("__rust_deallocate", __rust_deallocate(p, 100, 8));
    TH_CHECK_EQ(bad_state, 0);
    TH_CHECK_EQ(depth, 0);
    th_print("lock_cover: ");
    th_print_u(acquires);
    th_println(" acquires, every one released");
    return th_summary();
}
