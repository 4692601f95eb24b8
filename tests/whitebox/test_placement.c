/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* White-box: where a fresh heap places blocks, and what follows from it. The cases rely
 * on choices of this implementation that rtheap.h does not promise: blocks allocated one
 * after another on a fresh heap lie next to each other in address order from the start
 * of the region, with the rest of the region one free block behind them; a request is
 * served from the start of the free block it takes. The contract tests (tests/core:
 * test_realloc, test_aligned) make the same calls and check only what rtheap.h promises.
 *   - rtheap_realloc grows in place into the block freed right after it and into all
 *     the rest of the heap; a used block right after it makes it move;
 *   - rtheap_resize_in_place grows into the free block right after it, up to exactly
 *     the room before the next used block;
 *   - an aligned request for all of a one-block heap fails at an alignment the block's
 *     payload (where a first allocation lands) does not have;
 *   - a move by rtheap_realloc_sized copies only what is kept, into the block freed
 *     just before it; so does __rust_reallocate's move of an over-aligned layout.
 * Host and every board. */
#include "../core/core_util.h"
#include "core/units.h" /* __rust_reallocate's call for an over-aligned layout */

#if TH_IS_TARGET
#define REALLOC_CAP (8u * 1024u)  /* the arena of test_realloc */
#define ALIGNED_CAP (12u * 1024u) /* the arena of test_aligned */
#else
#define REALLOC_CAP (64u * 1024u)
#define ALIGNED_CAP (64u * 1024u)
#endif

static uint8_t host_arena[64u * 1024u] __attribute__((aligned(16)));
static rtheap_t *heap;
static size_t initial_largest;
static cu_hook_t hook;

/* A fresh heap on (at most) cap bytes of the arena, with the hook installed. */
static bool fresh(size_t cap)
{
    size_t bytes;
    void *mem = cu_big_area(host_arena, sizeof host_arena, cap, &bytes);
    heap = rtheap_init(mem, bytes);
    if (!TH_CHECK_NOT_NULL(heap)) {
        return false;
    }
    cu_install_hook(heap, &hook);
    initial_largest = cu_largest(heap);
    return true;
}

static rtheap_stats_t stats(void)
{
    return cu_stats(heap);
}

static void finish(const char *what)
{
    cu_finish(heap, &hook, initial_largest, what);
}

/* b, allocated right after a, is a's next block: freed, a grows into it in place (no
 * allocation, no free counted), then into all the rest of the heap (a is the first
 * block); a shrink gives its tail back to the free rest behind it. */
static void realloc_grows_in_place(void)
{
    void *a = rtheap_alloc(heap, 100);
    void *b = rtheap_alloc(heap, 100);
    TH_CHECK(a != NULL && b != NULL);
    cu_fill(a, 100, 1);
    rtheap_free(heap, b); /* a's next neighbour is now free */
    rtheap_stats_t s0 = stats();
    void *a2 = rtheap_realloc(heap, a, 300);
    TH_CHECK_PTR_EQ(a2, a);
    TH_CHECK(rtheap_usable_size(heap, a2) >= 300u);
    TH_CHECK_EQ(cu_verify(a2, 100, 1), 100);
    rtheap_stats_t s1 = stats();
    TH_CHECK_EQ(s1.realloc_count, s0.realloc_count + 1u);
    TH_CHECK_EQ(s1.alloc_count, s0.alloc_count);
    TH_CHECK_EQ(s1.free_count, s0.free_count);
    TH_CHECK_EQ(s1.used_bytes, rtheap_usable_size(heap, a2));
    CU_CHECK_HEAP(heap);
    /* into all the rest of the heap */
    size_t most = initial_largest - 64u;
    void *a3 = rtheap_realloc(heap, a2, most);
    TH_CHECK_PTR_EQ(a3, a);
    TH_CHECK_EQ(cu_verify(a3, 100, 1), 100);
    cu_fill(a3, most, 2);
    /* shrink: same pointer, the tail goes back to the heap */
    void *a4 = rtheap_realloc(heap, a3, 40);
    TH_CHECK_PTR_EQ(a4, a);
    TH_CHECK_EQ(rtheap_usable_size(heap, a4), rtheap_request_usable_size(40, 1));
    TH_CHECK_EQ(cu_verify(a4, 40, 2), 40);
    TH_CHECK(cu_largest(heap) >= initial_largest - rtheap_request_usable_size(40, 1) - 2u * CU_ALIGN);
    /* shrinking by less than a minimum block keeps the block as it is */
    size_t u = rtheap_usable_size(heap, a4);
    TH_CHECK_PTR_EQ(rtheap_realloc(heap, a4, u - 1u), a4);
    TH_CHECK_EQ(rtheap_usable_size(heap, a4), u);
    CU_CHECK_HEAP(heap);
    rtheap_free(heap, a4);
    finish("grow/shrink in place");
}

/* b, right after a, keeps a from growing in place: the realloc moves (counted as one
 * allocation and one free). */
static void realloc_moves(void)
{
    void *a = rtheap_alloc(heap, 100);
    void *b = rtheap_alloc(heap, 10); /* blocks growth in place */
    TH_CHECK(a != NULL && b != NULL);
    size_t ua = rtheap_usable_size(heap, a);
    cu_fill(a, ua, 3);
    cu_fill(b, 10, 4);
    rtheap_stats_t s0 = stats();
    void *m = rtheap_realloc(heap, a, 1000);
    TH_CHECK_NOT_NULL(m);
    TH_CHECK(m != a);
    TH_CHECK(cu_aligned(m, CU_ALIGN));
    TH_CHECK(rtheap_usable_size(heap, m) >= 1000u);
    /* every usable byte of the old block was kept */
    TH_CHECK_EQ(cu_verify(m, ua, 3), ua);
    TH_CHECK_EQ(cu_verify(b, 10, 4), 10);
    rtheap_stats_t s1 = stats();
    TH_CHECK_EQ(s1.alloc_count, s0.alloc_count + 1u);
    TH_CHECK_EQ(s1.free_count, s0.free_count + 1u);
    TH_CHECK_EQ(s1.realloc_count, s0.realloc_count + 1u);
    TH_CHECK_EQ(s1.live_blocks, 2);
    /* the old block is gone: freeing it again is a double free */
    CU_CHECK_HEAP(heap);
    /* moving shrink is never needed: a shrink stays */
    void *m2 = rtheap_realloc(heap, m, 8);
    TH_CHECK_PTR_EQ(m2, m);
    TH_CHECK_EQ(cu_verify(m2, 8, 3), 8);
    rtheap_free(heap, m2);
    rtheap_free(heap, b);
    finish("move");
}

/* a, b and c lie next to each other: b used keeps a from growing; b freed, a grows
 * into it, up to exactly the bytes before c's header. */
static void resize_in_place_room(void)
{
    void *a = rtheap_alloc(heap, 64);
    void *b = rtheap_alloc(heap, 64);
    void *c = rtheap_alloc(heap, 64);
    TH_CHECK(a != NULL && b != NULL && c != NULL);
    cu_fill(a, 64, 7);
    size_t ua = rtheap_usable_size(heap, a);
    /* next block used: cannot grow, block untouched, not an error or a failure */
    rtheap_stats_t s0 = stats();
    TH_CHECK_EQ(rtheap_resize_in_place(heap, a, 200), 0);
    rtheap_stats_t s1 = stats();
    TH_CHECK_EQ(rtheap_usable_size(heap, a), ua);
    TH_CHECK_EQ(cu_verify(a, 64, 7), 64);
    TH_CHECK_EQ(s1.error_count, s0.error_count);
    TH_CHECK_EQ(s1.realloc_count, s0.realloc_count);
    TH_CHECK_EQ(s1.used_bytes, s0.used_bytes);
    /* growing to what it already has succeeds */
    TH_CHECK_EQ(rtheap_resize_in_place(heap, a, ua), ua);
    /* next block free: grows, pointer unchanged */
    rtheap_free(heap, b);
    size_t g = rtheap_resize_in_place(heap, a, 100);
    TH_CHECK(g >= 100u && g < 100u + CU_MIN_BLOCK + CU_ALIGN);
    TH_CHECK_EQ(rtheap_usable_size(heap, a), g);
    TH_CHECK_EQ(cu_verify(a, 64, 7), 64);
    /* up to exactly the free room, but not beyond */
    size_t room = rtheap_usable_size(heap, a) + 0u;
    size_t max = (size_t)((uintptr_t)c - (uintptr_t)a) - CU_WORD;
    TH_CHECK_EQ(rtheap_resize_in_place(heap, a, max + 1u), 0);
    TH_CHECK_EQ(rtheap_usable_size(heap, a), room);
    TH_CHECK_EQ(rtheap_resize_in_place(heap, a, max), max);
    CU_CHECK_HEAP(heap);
    /* shrink */
    size_t sh = rtheap_resize_in_place(heap, a, 10);
    TH_CHECK_EQ(sh, rtheap_request_usable_size(10, 1));
    TH_CHECK_EQ(cu_verify(a, 10, 7), 10);
    rtheap_stats_t s2 = stats();
    TH_CHECK_EQ(s2.used_bytes, sh + rtheap_usable_size(heap, c));
    /* huge sizes fail */
    TH_CHECK_EQ(rtheap_resize_in_place(heap, a, SIZE_MAX), 0);
    TH_CHECK_EQ(rtheap_resize_in_place(heap, NULL, 10), 0);
    TH_CHECK_EQ(rtheap_usable_size(heap, a), sh);
    CU_CHECK_HEAP(heap);
    rtheap_free(heap, a);
    rtheap_free(heap, c);
    finish("resize_in_place");
}

/* The one free block of a fresh heap, asked for whole at an alignment its payload does
 * not have (the payload address is where a first small allocation lands): NULL, a
 * failed allocation like the two impossible sizes. */
static void aligned_whole_heap_misaligned(void)
{
    uint32_t failed = cu_failed_count(heap);
    uint32_t errors = cu_error_count(heap);
    /* the whole heap with an alignment its only block's payload does not have */
    void *probe = rtheap_alloc(heap, 16);
    size_t miss = CU_ALIGN;
    while (((uintptr_t)probe & miss) == 0) {
        miss <<= 1;
    }
    miss <<= 1; /* probe is aligned to miss / 2 but not to miss */
    rtheap_free(heap, probe);
    TH_CHECK_NULL(rtheap_alloc_aligned(heap, initial_largest, miss));
    TH_CHECK_NULL(rtheap_alloc_aligned(heap, SIZE_MAX, 64));
    TH_CHECK_NULL(rtheap_alloc_aligned(heap, SIZE_MAX / 2u, 64));
    TH_CHECK_EQ(cu_failed_count(heap), failed + 3u);
    TH_CHECK_EQ(cu_error_count(heap), errors);
    TH_CHECK_EQ(hook.calls, 0);
    CU_CHECK_HEAP(heap);
    TH_CHECK_EQ(cu_largest(heap), initial_largest);
}

/* How many bytes from m on, at most n, hold v: what a move copied into a block that
 * held another pattern. */
static size_t run_of(const uint8_t *m, size_t n, uint8_t v)
{
    size_t k = 0;
    while (k < n && m[k] == v) {
        k++;
    }
    return k;
}

/* A move by rtheap_realloc_sized copies min(old_size, size) bytes rounded up to a word,
 * no more: the block it moves to (the only free one large enough: a block freed just
 * before, filled with another pattern) keeps its old bytes past those. */
static void realloc_sized_copies_what_is_kept(void)
{
    void *a = rtheap_alloc(heap, 200);
    void *wall = rtheap_alloc(heap, 16);
    void *big = rtheap_alloc(heap, 1000);
    void *wall2 = rtheap_alloc(heap, 16);
    void *rest = rtheap_alloc(heap, cu_largest(heap));
    if (!TH_CHECK(a && wall && big && wall2 && rest)) {
        return;
    }
    size_t ua = rtheap_usable_size(heap, a);
    size_t ubig = rtheap_usable_size(heap, big);
    cu_set(a, 0xAA, ua);
    cu_set(big, 0x55, ubig);
    rtheap_free(heap, big);
    uint8_t *m = rtheap_realloc_sized(heap, a, 10, 900);
    TH_CHECK_PTR_EQ(m, big);
    TH_CHECK_EQ(run_of(m, ubig, 0xAA), (10u + CU_WORD - 1u) / CU_WORD * CU_WORD);
    TH_CHECK_EQ(m[ua - 1u], 0x55); /* the old block's last byte was not copied */
    rtheap_free(heap, m);
    rtheap_free(heap, wall);
    rtheap_free(heap, wall2);
    rtheap_free(heap, rest);
    finish("realloc_sized copies what is kept");
}

/* __rust_reallocate's move of an over-aligned layout (its call in the core, on this
 * heap) copies min(old_size, size) bytes rounded up to a word, as a plain one does:
 * a 64-aligned block between a freed block in front (filled with another pattern) and
 * the rest of the heap, used, moves into the freed one. */
static void rust_realloc_aligned_copies_what_is_kept(void)
{
    uint8_t *big = rtheap_alloc(heap, 1200);
    uint8_t *a = rtheap_alloc_aligned(heap, 200, 64);
    void *rest = rtheap_alloc(heap, cu_largest(heap));
    if (!TH_CHECK(big && a && rest)) {
        return;
    }
    size_t ua = rtheap_usable_size(heap, a);
    cu_set(a, 0xAA, ua);
    cu_set(big, 0x55, rtheap_usable_size(heap, big));
    rtheap_free(heap, big);
    uint8_t *m = rtheap_rust_realloc_aligned(heap, a, 10, 900, 64);
    TH_CHECK(m != NULL && m != a && cu_aligned(m, 64));
    TH_CHECK(m >= big && m < big + 1200);
    size_t copied = m != NULL ? run_of(m, 900, 0xAA) : 0u;
    TH_CHECK_EQ(copied, (10u + CU_WORD - 1u) / CU_WORD * CU_WORD);
    rtheap_free(heap, m);
    rtheap_free(heap, rest);
    finish("rust_realloc_aligned copies what is kept");
}

int main(void)
{
    th_println("test_placement: what the placement of a fresh heap's blocks gives");
    if (fresh(REALLOC_CAP)) {
        realloc_grows_in_place();
    }
    if (fresh(REALLOC_CAP)) {
        realloc_moves();
    }
    if (fresh(REALLOC_CAP)) {
        resize_in_place_room();
    }
    if (fresh(ALIGNED_CAP)) {
        aligned_whole_heap_misaligned();
    }
    if (fresh(REALLOC_CAP)) {
        realloc_sized_copies_what_is_kept();
    }
    if (fresh(REALLOC_CAP)) {
        rust_realloc_aligned_copies_what_is_kept();
    }
    return th_summary();
}
