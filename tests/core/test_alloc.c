/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap_alloc/rtheap_free: every small size, alignment, usable size, no overlap,
 * contents kept, zero-size blocks, exhaustion and full recovery. */
#include "core_util.h"

#if TH_IS_TARGET
#define ARENA_CAP (8u * 1024u)
#define SLOTS 512u
#define MAX_SIZE 3000u
#define CHECK_EVERY 16u
#else
#define ARENA_CAP (64u * 1024u)
#define SLOTS 4096u
#define MAX_SIZE 3000u
#define CHECK_EVERY 1u
#endif

static uint8_t host_arena[64u * 1024u] __attribute__((aligned(16)));
static void *slot_ptr[SLOTS];
static size_t slot_size[SLOTS];

static rtheap_t *heap;
static size_t initial_largest;

/* usable size agrees with rtheap_request_usable_size() (exact, or less than a minimum
 * block more when the remainder could not be split off) */
static bool usable_ok(const void *p, size_t size)
{
    size_t u = rtheap_usable_size(heap, p);
    size_t r = rtheap_request_usable_size(size, 1);
    return u >= size && r >= size && u >= r && u - r < CU_MIN_BLOCK;
}

static void test_every_size(size_t max_size)
{
    enum { WINDOW = 8 };
    void *win[WINDOW] = {0};
    size_t win_size[WINDOW] = {0};
    uint32_t bad = 0;
    for (size_t s = 0; s <= max_size; s++) {
        unsigned k = (unsigned)(s % WINDOW);
        if (win[k] != NULL) {
            size_t at = cu_verify(win[k], win_size[k], (uint32_t)(s - WINDOW));
            if (at != win_size[k] && bad++ < 5) {
                th_print("  contents changed, size=");
                th_print_u(s - WINDOW);
                th_print(" at byte ");
                th_print_u(at);
                th_println("");
            }
            rtheap_free(heap, win[k]);
            win[k] = NULL;
        }
        void *p = rtheap_alloc(heap, s);
        if (p == NULL || !cu_aligned(p, CU_ALIGN) || !usable_ok(p, s)) {
            if (bad++ < 5) {
                th_print("  bad block for size ");
                th_print_u(s);
                th_print(": ");
                th_print_x((uintptr_t)p);
                th_print(" usable ");
                th_print_u(p != NULL ? rtheap_usable_size(heap, p) : 0u);
                th_println("");
            }
            continue;
        }
        size_t u = rtheap_usable_size(heap, p);
        for (unsigned j = 0; j < WINDOW; j++) {
            if (win[j] != NULL && cu_overlap(p, u, win[j], win_size[j]) && bad++ < 5) {
                th_print("  overlap, size ");
                th_print_u(s);
                th_println("");
            }
        }
        /* the whole usable size is ours */
        cu_fill(p, u, (uint32_t)s);
        win[k] = p;
        win_size[k] = u;
        if (s % CHECK_EVERY == 0 && rtheap_check(heap) != RTHEAP_OK && bad++ < 5) {
            th_print("  rtheap_check failed after size ");
            th_print_u(s);
            th_println("");
        }
    }
    for (unsigned j = 0; j < WINDOW; j++) {
        rtheap_free(heap, win[j]);
    }
    TH_CHECK_EQ(bad, 0);
    CU_CHECK_HEAP(heap);
    TH_CHECK_EQ(cu_largest(heap), initial_largest);
}

static void test_zero_size(void)
{
    void *p[16];
    for (int i = 0; i < 16; i++) {
        p[i] = rtheap_alloc(heap, 0);
        TH_CHECK_NOT_NULL(p[i]);
        TH_CHECK(cu_aligned(p[i], CU_ALIGN));
        TH_CHECK_EQ(rtheap_usable_size(heap, p[i]), rtheap_request_usable_size(0, 1));
        TH_CHECK(rtheap_usable_size(heap, p[i]) >= 1u);
        for (int j = 0; j < i; j++) {
            TH_CHECK(p[i] != p[j]);
        }
    }
    rtheap_stats_t s;
    TH_CHECK(rtheap_get_stats(heap, &s) && s.live_blocks == 16u);
    for (int i = 0; i < 16; i++) {
        rtheap_free(heap, p[i]);
    }
    TH_CHECK_EQ(cu_error_count(heap), 0);
    CU_CHECK_HEAP(heap);
    TH_CHECK_EQ(cu_largest(heap), initial_largest);
}

/* Allocation sizes of the exhaustion rounds. */
static size_t pick_size(int mode, uint32_t *seed)
{
    switch (mode) {
    case 0: return 1;
    case 1: return 24;
    case 2: return 100;
    case 3: return (size_t)(th_rand(seed) % 64u);
    case 4: { /* log-uniform up to 2 KiB */
        uint32_t bits = th_rand(seed) % 12u;
        return (size_t)(th_rand(seed) & ((1u << bits) - 1u));
    }
    default: return initial_largest / 5u; /* a few big blocks */
    }
}

static void test_exhaustion(int mode, uint32_t seed)
{
    size_t n = 0;
    uint32_t bad = 0;
    size_t failed_size = 0;
    while (n < SLOTS) {
        size_t s = pick_size(mode, &seed);
        void *p = rtheap_alloc(heap, s);
        if (p == NULL) {
            failed_size = s;
            break;
        }
        if (!cu_aligned(p, CU_ALIGN) || !usable_ok(p, s)) {
            bad++;
        }
        slot_ptr[n] = p;
        slot_size[n] = s;
        cu_fill(p, s, (uint32_t)n);
        n++;
    }
    th_print("  mode ");
    th_print_u((unsigned long long)mode);
    th_print(": ");
    th_print_u(n);
    th_print(" blocks until ");
    th_println(n == SLOTS ? "the table was full" : "NULL");
    TH_CHECK_EQ(bad, 0);
    CU_CHECK_HEAP(heap);
    if (n < SLOTS) {
        /* a failed request is above the guarantee, and failures are counted */
        TH_CHECK(cu_largest(heap) < failed_size || failed_size == 0);
        rtheap_stats_t st;
        TH_CHECK(rtheap_get_stats(heap, &st));
        TH_CHECK(st.failed_count >= 1u);
        /* for small requests the heap is really full: less than a block plus a
         * class step (1/16 of the heap at most) is left in the largest place */
        if (mode <= 3) {
            TH_CHECK(st.largest_guaranteed < failed_size + CU_MIN_BLOCK + CU_WORD);
        }
    }
    /* contents intact; free in random order */
    for (size_t i = 0; i < n; i++) {
        if (cu_verify(slot_ptr[i], slot_size[i], (uint32_t)i) != slot_size[i]) {
            bad++;
        }
    }
    TH_CHECK_EQ(bad, 0);
    for (size_t i = n; i > 1; i--) {
        size_t j = th_rand(&seed) % i;
        void *t = slot_ptr[i - 1];
        slot_ptr[i - 1] = slot_ptr[j];
        slot_ptr[j] = t;
    }
    for (size_t i = 0; i < n; i++) {
        rtheap_free(heap, slot_ptr[i]);
        if (i % (CHECK_EVERY * 8u) == 0 && rtheap_check(heap) != RTHEAP_OK) {
            bad++;
        }
    }
    TH_CHECK_EQ(bad, 0);
    CU_CHECK_HEAP(heap);
    TH_CHECK_EQ(cu_error_count(heap), 0);
    /* full recovery: one block again, as large as at the start */
    TH_CHECK_EQ(cu_largest(heap), initial_largest);
    void *all = rtheap_alloc(heap, initial_largest);
    TH_CHECK_NOT_NULL(all);
    rtheap_free(heap, all);
    rtheap_stats_t st;
    TH_CHECK(rtheap_get_stats(heap, &st));
    TH_CHECK_EQ(st.live_blocks, 0);
    TH_CHECK_EQ(st.used_bytes, 0);
    TH_CHECK_EQ(st.free_bytes, st.arena_bytes);
}

int main(void)
{
    th_println("test_alloc");
    size_t bytes;
    void *mem = cu_big_area(host_arena, sizeof host_arena, ARENA_CAP, &bytes);
    heap = rtheap_init(mem, bytes);
    if (!TH_CHECK_NOT_NULL(heap)) {
        return th_summary();
    }
    initial_largest = cu_largest(heap);
    th_print("arena ");
    th_print_u(bytes);
    th_print(" bytes, largest_guaranteed ");
    th_print_u(initial_largest);
    th_println("");
    /* sizes up to a third of the heap (a window of 8 live blocks must fit) */
    size_t max_size = initial_largest / 24u < MAX_SIZE ? initial_largest / 24u : MAX_SIZE;
    th_print("every size 0..");
    th_print_u(max_size);
    th_println("");
    test_every_size(max_size);
    test_zero_size();
    for (int mode = 0; mode < 6; mode++) {
        test_exhaustion(mode, 1000u + (uint32_t)mode);
    }
    return th_summary();
}
