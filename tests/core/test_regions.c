/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap_add_region: several non-contiguous regions, refused regions, the region limit,
 * a region larger than the first (carved), rtheap_walk, and the board's second RAM. */
#include "core_util.h"

#if TH_IS_TARGET
#define AREA_CAP (10u * 1024u)
#else
#define AREA_CAP (160u * 1024u)
#endif

static uint8_t host_area[160u * 1024u] __attribute__((aligned(16)));
static uint8_t *area;
static size_t area_bytes;
static rtheap_t *heap;
static cu_hook_t hook;

/* Piece i of the area (pieces of `piece` bytes separated by 64-byte gaps). */
static uint8_t *piece_at(size_t piece, int i)
{
    return area + (size_t)i * (piece + 64u);
}

typedef struct walk_state {
    uint32_t blocks[RTHEAP_MAX_REGIONS];
    uintptr_t last;
    bool ordered;
    size_t used, free_bytes;
} walk_state_t;

static bool walker(const rtheap_block_info_t *b, void *user)
{
    walk_state_t *w = (walk_state_t *)user;
    if (b->region < RTHEAP_MAX_REGIONS) {
        w->blocks[b->region]++;
    }
    w->ordered = w->ordered && ((uintptr_t)b->ptr > w->last || b->region > 0);
    w->last = (uintptr_t)b->ptr;
    if (b->used) {
        w->used += b->size;
    } else {
        w->free_bytes += b->size;
    }
    return true;
}

static void expect_refused(void *mem, size_t bytes, const char *what)
{
    rtheap_stats_t s0, s1;
    TH_CHECK(rtheap_get_stats(heap, &s0));
    cu_hook_reset(&hook);
    bool ok = !rtheap_add_region(heap, mem, bytes);
    TH_CHECK(rtheap_get_stats(heap, &s1));
    ok = ok && hook.calls == 1 && hook.kind == RTHEAP_ERR_BAD_ARGUMENT &&
         s1.error_count == s0.error_count + 1u && s1.region_count == s0.region_count &&
         s1.heap_bytes == s0.heap_bytes && s1.arena_bytes == s0.arena_bytes;
    if (!TH_CHECK(ok)) {
        th_print("  ... region not refused: ");
        th_println(what);
    }
    CU_CHECK_HEAP(heap);
}

static void test_several_regions(void)
{
    size_t piece = (area_bytes - 4u * 64u) / 5u & ~(size_t)15u;
    heap = rtheap_init(piece_at(piece, 0), piece);
    if (!TH_CHECK_NOT_NULL(heap)) {
        return;
    }
    cu_install_hook(heap, &hook);
    size_t first_largest = cu_largest(heap);
    /* B and C: not in address order on purpose (C first) */
    TH_CHECK(rtheap_add_region(heap, piece_at(piece, 2) + 3, piece - 3u)); /* misaligned start */
    TH_CHECK(rtheap_add_region(heap, piece_at(piece, 1), piece));
    rtheap_stats_t s;
    TH_CHECK(rtheap_get_stats(heap, &s));
    TH_CHECK_EQ(s.region_count, 3);
    TH_CHECK_EQ(s.heap_bytes, 3u * piece - 3u);
    TH_CHECK(s.arena_bytes > 3u * piece - rtheap_control_size(piece) - 6u * CU_ALIGN);
    TH_CHECK_EQ(s.free_bytes, s.arena_bytes);
    TH_CHECK_EQ(hook.calls, 0);
    CU_CHECK_HEAP(heap);

    /* refused regions */
    expect_refused(NULL, piece, "NULL");
    expect_refused(piece_at(piece, 3), 0, "empty");
    expect_refused(piece_at(piece, 3), 8, "8 bytes");
    expect_refused(piece_at(piece, 3), CU_MIN_BLOCK, "one minimum block, no room for the sentinel");
    expect_refused(piece_at(piece, 1), piece, "the same region again");
    expect_refused(piece_at(piece, 1) + piece / 2u, piece, "overlapping the end of a region");
    expect_refused(piece_at(piece, 1) - 32, 64, "overlapping the start of a region");
    expect_refused(piece_at(piece, 1) + 64, 128, "inside a region");
    expect_refused(piece_at(piece, 0) - 0, 2u * piece + 64u, "covering two regions");
    expect_refused((uint8_t *)heap, 64, "the control structure");
    expect_refused((uint8_t *)(UINTPTR_MAX - 63u), 128, "wrapping around the address space");

    /* up to RTHEAP_MAX_REGIONS regions */
    int added = 3;
    for (int i = 3; i < 5 && added < RTHEAP_MAX_REGIONS; i++, added++) {
        TH_CHECK(rtheap_add_region(heap, piece_at(piece, i), piece));
    }
    if (added < 5) {
        expect_refused(piece_at(piece, added), piece, "one region too many");
    }
    TH_CHECK(rtheap_get_stats(heap, &s));
    TH_CHECK_EQ(s.region_count, (uint32_t)added);
    size_t all_largest = s.largest_guaranteed;
    TH_CHECK(all_largest >= first_largest);
    cu_hook_reset(&hook);

    /* allocations land in every region; blocks never span two */
    enum { MAXB = 1024 };
    static void *blocks[MAXB];
    int n = 0;
    uint32_t in_region[5] = {0};
    while (n < MAXB) {
        void *p = rtheap_alloc(heap, 200);
        if (p == NULL) {
            break;
        }
        for (int r = 0; r < 5; r++) {
            uint8_t *lo = piece_at(piece, r);
            if ((uint8_t *)p >= lo && (uint8_t *)p + 200 <= lo + piece) {
                in_region[r]++;
            }
        }
        cu_fill(p, 200, (uint32_t)n);
        blocks[n++] = p;
    }
    uint32_t total = 0;
    for (int r = 0; r < added; r++) {
        TH_CHECK(in_region[r] > 0);
        total += in_region[r];
    }
    TH_CHECK_EQ(total, (uint32_t)n);
    CU_CHECK_HEAP(heap);
    walk_state_t w = {{0}, 0, true, 0, 0};
    size_t visited = rtheap_walk(heap, walker, &w);
    TH_CHECK(visited >= (size_t)n);
    TH_CHECK(w.ordered);
    TH_CHECK(rtheap_get_stats(heap, &s));
    TH_CHECK_EQ(w.used, s.used_bytes);
    for (int r = 0; r < added; r++) {
        TH_CHECK(w.blocks[r] > 0);
    }
    /* Past the first region's one-compare check, the search of the later regions tells
     * a misaligned pointer into one of their blocks from one between the regions. */
    uint8_t *later = NULL;
    for (int i = 0; i < n && later == NULL; i++) {
        uint8_t *p = (uint8_t *)blocks[i];
        if (p < piece_at(piece, 0) || p >= piece_at(piece, 0) + piece) {
            later = p;
        }
    }
    if (TH_CHECK_NOT_NULL(later)) {
        rtheap_free(heap, later + CU_ALIGN / 2u);
        TH_CHECK(hook.calls == 1 && hook.kind == RTHEAP_ERR_MISALIGNED);
        rtheap_free(heap, piece_at(piece, 1) - 32);
        TH_CHECK(hook.calls == 2 && hook.kind == RTHEAP_ERR_FOREIGN_POINTER);
        cu_hook_reset(&hook);
    }
    int bad = 0;
    for (int i = 0; i < n; i++) {
        bad += cu_verify(blocks[i], 200, (uint32_t)i) != 200;
        rtheap_free(heap, blocks[i]);
    }
    TH_CHECK_EQ(bad, 0);
    TH_CHECK_EQ(hook.calls, 0);
    CU_CHECK_HEAP(heap);
    /* every region is one free block again (largest_guaranteed is the head of the top
     * class, so it may name another region's block than before: it is bounded by
     * the first region's block below and by a whole piece above) */
    if (!TH_CHECK(cu_largest(heap) >= first_largest && cu_largest(heap) < piece)) {
        th_print("  largest_guaranteed ");
        th_print_u(cu_largest(heap));
        th_print(", first region alone ");
        th_print_u(first_largest);
        th_print(", all regions fresh ");
        th_print_u(all_largest);
        th_println("");
    }
    walk_state_t w2 = {{0}, 0, true, 0, 0};
    size_t nblocks = rtheap_walk(heap, walker, &w2);
    /* one free block per region, or a few where a region is larger than the index's
     * largest block (small first region, as on microbit) */
    TH_CHECK(nblocks >= (size_t)added);
    TH_CHECK_EQ(w2.used, 0);
    TH_CHECK(rtheap_get_stats(heap, &s));
    TH_CHECK_EQ(w2.free_bytes + nblocks * CU_WORD, s.arena_bytes);
    TH_CHECK_EQ(s.free_bytes, s.arena_bytes);
}

/* Allocates everything in blocks of the largest guaranteed size; returns the bytes. */
static size_t drain(void **blocks, int max, int *count)
{
    size_t got = 0;
    int n = 0;
    while (n < max) {
        size_t l = cu_largest(heap);
        if (l == 0) {
            break;
        }
        void *p = rtheap_alloc(heap, l);
        if (!TH_CHECK_NOT_NULL(p)) {
            break;
        }
        got += rtheap_usable_size(heap, p) + CU_WORD;
        blocks[n++] = p;
    }
    *count = n;
    return got;
}

static void test_large_second_region(void)
{
    /* a small first region (small index), then one 20 times larger: carved */
    size_t small = 1024;
    uint8_t *second = area + small + 64u;
    size_t big = area_bytes - small - 64u;
    heap = rtheap_init(area, small);
    if (!TH_CHECK_NOT_NULL(heap)) {
        return;
    }
    cu_install_hook(heap, &hook);
    size_t first_largest = cu_largest(heap);
    TH_CHECK(rtheap_add_region(heap, second, big));
    CU_CHECK_HEAP(heap);
    rtheap_stats_t s;
    TH_CHECK(rtheap_get_stats(heap, &s));
    th_print("first region 1024 bytes, second ");
    th_print_u(big);
    th_print(": largest_guaranteed ");
    th_print_u(s.largest_guaranteed);
    th_print(" of arena ");
    th_print_u(s.arena_bytes);
    th_println("");
    /* no block larger than the index can hold */
    TH_CHECK(s.largest_guaranteed < 4u * 1024u);
    TH_CHECK(s.largest_guaranteed >= first_largest);
    enum { MAXB = 512 };
    static void *blocks[MAXB];
    int n;
    size_t got = drain(blocks, MAXB, &n);
    /* all of the arena can be allocated, in pieces (a minimum block may be left here
     * and there where carving left a remainder) */
    TH_CHECK(rtheap_get_stats(heap, &s));
    TH_CHECK(got <= s.arena_bytes);
    TH_CHECK(got + (size_t)(n + 2) * CU_MIN_BLOCK >= s.arena_bytes);
    CU_CHECK_HEAP(heap);
    for (int i = n - 1; i >= 0; i--) {
        rtheap_free(heap, blocks[i]);
    }
    CU_CHECK_HEAP(heap);
    TH_CHECK_EQ(hook.calls, 0);
    TH_CHECK(rtheap_get_stats(heap, &s));
    TH_CHECK_EQ(s.free_bytes, s.arena_bytes);
}

static void test_board_ram2(void)
{
#if TH_IS_TARGET && RTHEAP_BOARD_HAS_RAM2
    void *ram2;
    size_t ram2_bytes = board_heap2(&ram2);
    th_print("board RAM2 region: ");
    th_print_u(ram2_bytes);
    th_println(" bytes");
    heap = rtheap_init(area, area_bytes);
    if (!TH_CHECK_NOT_NULL(heap) || !TH_CHECK(ram2 != NULL)) {
        return;
    }
    cu_install_hook(heap, &hook);
    TH_CHECK(rtheap_add_region(heap, ram2, ram2_bytes));
    CU_CHECK_HEAP(heap);
    enum { MAXB = 64 };
    static void *blocks[MAXB];
    int in_ram2 = 0;
    for (int i = 0; i < MAXB; i++) {
        blocks[i] = rtheap_alloc(heap, 1000);
        if (TH_CHECK_NOT_NULL(blocks[i])) {
            cu_fill(blocks[i], 1000, (uint32_t)i);
            in_ram2 += (uint8_t *)blocks[i] >= (uint8_t *)ram2 &&
                       (uint8_t *)blocks[i] < (uint8_t *)ram2 + ram2_bytes;
        }
    }
    TH_CHECK(in_ram2 > 0);
    int bad = 0;
    for (int i = 0; i < MAXB; i++) {
        bad += blocks[i] != NULL && cu_verify(blocks[i], 1000, (uint32_t)i) != 1000;
        rtheap_free(heap, blocks[i]);
    }
    TH_CHECK_EQ(bad, 0);
    CU_CHECK_HEAP(heap);
    TH_CHECK_EQ(hook.calls, 0);
#else
    th_println("no second RAM on this board");
#endif
}

int main(void)
{
    th_println("test_regions");
    area = cu_big_area(host_area, sizeof host_area, AREA_CAP, &area_bytes);
    test_several_regions();
    test_large_second_region();
    test_board_ram2();
    return th_summary();
}
