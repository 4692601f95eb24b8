/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Setting a heap up: the control structure and its index, sized to the
 * first region, and the regions, each filled with free blocks. Runs once
 * per region: cold, so optimised for size.
 */
#include "internal.h"
#include "lock.h"

/* log2 of MAX_GRANULES (a power of two): no block is that large, one
 * granule less can be. */
#if UINTPTR_MAX > 0xFFFFFFFFu
#define MAX_GRANULES_LOG2 31u
#else
#define MAX_GRANULES_LOG2 (TAG_SHIFT - ALIGN_LOG2)
#endif
_Static_assert((MAX_GRANULES >> MAX_GRANULES_LOG2) == 1u, "MAX_GRANULES_LOG2 is its log2");

/* The fewest rows an index has: enough for a block of three minimum blocks,
 * so that a region cut into chunks (rtheap_register_region) always has room
 * for a chunk of at least a minimum block, a fence and a last block. One row
 * holds that but with RTHEAP_SL_LOG2 2 and a minimum block of two granules
 * (the smallest alignment). */
#define ROWS_HOLD_THREE_MIN(r) \
    ((((uintptr_t)1 << ((r) + RTHEAP_SL_LOG2 - 1u)) - 1u) * ALIGN >= 3u * MIN_BLOCK)
#define MIN_ROWS (ROWS_HOLD_THREE_MIN(1u) ? 1u : 2u)
_Static_assert(ROWS_HOLD_THREE_MIN(2u), "two rows hold three minimum blocks");

/** Rows the index needs for blocks of up to `bytes` bytes. */
RTHEAP_PRIVATE uint32_t rtheap_rows_for(uintptr_t bytes)
{
    /* The bound compared in bytes: one immediate on 32-bit Arm. */
    uintptr_t g = bytes < (MAX_GRANULES << ALIGN_LOG2) ? bytes >> ALIGN_LOG2 : MAX_GRANULES - 1u;
    /* Row 0 holds g < SL_COUNT, row r > 0 the g whose top bit is bit
     * r + SL_LOG2 - 1: the rows up to g's. SL_COUNT / 2 puts every g below
     * SL_COUNT (0 included) in row 0; g < 2^31 keeps the rows at most
     * 32 - SL_LOG2, under FL_MAX. */
    return rtheap_fls((uint32_t)g | (SL_COUNT / 2u)) + 2u - RTHEAP_SL_LOG2;
}

/** Largest block size (bytes) an index of `rows` rows can hold. */
RTHEAP_PRIVATE uintptr_t rtheap_max_block_for(uint32_t rows)
{
    /* The last row ends below 2^(rows + SL_LOG2 - 1) granules. The clamp is
     * MAX_GRANULES, and keeps the shift defined whatever rows the caller
     * passes (rtheap_check passes the one it finds). */
    uint32_t bits = rows + RTHEAP_SL_LOG2 - 1u;
    bits = bits < MAX_GRANULES_LOG2 ? bits : MAX_GRANULES_LOG2;
    return (((uintptr_t)1 << bits) - 1u) << ALIGN_LOG2;
}

/** Control-structure bytes for an index of `rows` rows, the heads' alignment pad included. */
RTHEAP_PRIVATE uintptr_t rtheap_control_bytes(uint32_t rows)
{
    return sizeof(struct rtheap) + rows * sizeof(uint32_t) + sizeof(void *) - 1u +
           rows * SL_COUNT * sizeof(block_t *);
}

/* Worst-case padding around the control structure and the blocks: the start
 * rounded up to ALIGN, the first header placed so that its payload is
 * aligned, and the end rounded down with room for the sentinel. */
#define REGION_PADDING (3u * ALIGN + WORD)

/** Offset of the heads (pointer-aligned) from the control structure's start, for `rows` rows. */
RTHEAP_PRIVATE uintptr_t rtheap_heads_offset(uint32_t rows)
{
    return (sizeof(struct rtheap) + rows * sizeof(uint32_t) + sizeof(void *) - 1u) &
           ~(uintptr_t)(sizeof(void *) - 1u);
}

/** Bytes of the control structure with an index of `rows` rows: up to the
 * end of its heads (pointer-aligned after the bitmaps). */
RTHEAP_PRIVATE uintptr_t rtheap_control_offset(uint32_t rows)
{
    return rtheap_heads_offset(rows) + rows * SL_COUNT * sizeof(block_t *);
}

/** Header address of the first block of a region that starts at lo. */
RTHEAP_PRIVATE uintptr_t rtheap_first_header(uintptr_t lo)
{
    return ((lo + WORD + ALIGN - 1u) & ~(ALIGN - 1u)) - WORD;
}

/** Offset from the aligned start of a first region to the end of its first
 * block's header, with an index of `rows` rows (the start is aligned, so the
 * first header is where it is at the offset 0). */
RTHEAP_PRIVATE uintptr_t rtheap_first_offset(uint32_t rows)
{
    return rtheap_first_header(rtheap_control_offset(rows)) + WORD;
}

/* The most a first region can exceed its index's largest block by when the
 * index got a row fewer (rtheap_heap_rows): the first block's offset grows
 * by at most a row's bytes, the heads' alignment and a granule from one row
 * to the next. A region larger than the largest block by at most this is
 * used up to that block, the rest left out, rather than cut into chunks. */
#define CUT_REST (sizeof(uint32_t) + SL_COUNT * sizeof(block_t *) + sizeof(void *) + ALIGN)

/**
 * Rows of the index for a heap whose first region has `bytes` and whose
 * largest region will have `largest` (rtheap_init_for). For the first
 * region alone: enough for the largest block it can hold once the control
 * structure is taken out of it. A row fewer than the region size alone asks
 * for is often enough, and on a small heap a row is a large share of it.
 * A larger region to come gets the rows of its whole size. `cut` (not 0:
 * init's own, see below) may give fewer still; without it, the rows
 * rtheap_control_size counts.
 * Inlined (rtheap_init_for above all): there the compiler knows the range of
 * the rows (the largest block's size needs no clamp) and keeps them in a
 * register, which takes less code than a call.
 */
RTHEAP_PRIVATE RTHEAP_INLINE uint32_t rtheap_heap_rows(uintptr_t bytes, uintptr_t largest, uintptr_t cut)
{
    bool later = largest > bytes;
    uint32_t rows = rtheap_rows_for(later ? largest : bytes);
    if (MIN_ROWS > 1u && rows < MIN_ROWS) { /* rtheap_rows_for gives 1 at least */
        rows = MIN_ROWS;
    }
    /* A row fewer when these rows would hold the region's arena in a
     * block of that row. For init, `cut` is the region's bytes from its
     * aligned start, rounded down to a granule: a row fewer then while the
     * block these rows give there is no larger than that row's largest. The
     * region is then used up to that block, which is at least as large (its
     * last bytes, at most CUT_REST, left out: rtheap_register_region), so
     * that a larger region never gives a smaller largest block; the rows
     * without it, which rtheap_control_size counts, stay a bound. Up to three
     * rows in regions of a few hundred bytes, where the control structure is
     * a large share; mostly none or one (counted over every size and option
     * set; a region too small for any block with these rows loses a row
     * too). RTHEAP_SMALL decides with the worst-case padding instead, in
     * less code: still never a smaller block for a larger region, but at
     * some start addresses a row fewer where a row more would give up to
     * three granules more. One loop for both (one round without `cut`): 20 B
     * less than two. Sums stay small: a few KiB, at most MAX_GRANULES granules. */
    /* wcet-loop: row-fewer 3 */
    while (!later && rows > MIN_ROWS &&
           (cut == 0u    ? bytes <= rtheap_control_bytes(rows - 1u) + rtheap_max_block_for(rows - 1u)
            : RTHEAP_SMALL ? bytes <= rtheap_control_bytes(rows) + REGION_PADDING +
                                          rtheap_max_block_for(rows - 1u)
                           : cut <= rtheap_first_offset(rows) + rtheap_max_block_for(rows - 1u))) {
        rows--;
        if (cut == 0u) {
            break;
        }
    }
    /* A region too small for that index and a block: the rows that leave room
     * for one (at any start), so that every region at least as large as the
     * smallest one init accepts is accepted too (its few bytes may then be
     * cut into blocks, as a large region is). At most two rows go (SL_LOG2 2;
     * one for 3 and 4). */
    /* wcet-loop: small-region-rows 2 */
    while (!later && rows > MIN_ROWS &&
           bytes < rtheap_control_bytes(rows) + REGION_PADDING + MIN_BLOCK) {
        rows--;
    }
    return rows;
}

/** Rows of the index for a first region of `bytes`, and no larger region to come. */
RTHEAP_PRIVATE uint32_t rtheap_index_rows(uintptr_t bytes)
{
    return rtheap_heap_rows(bytes, 0, 0);
}

size_t rtheap_control_size(size_t bytes)
{
    return (size_t)(rtheap_control_bytes(rtheap_index_rows(bytes)) + REGION_PADDING);
}

/*
 * The fewest bytes a region (after the control structure, in the first)
 * must have. Enough for a block whatever its alignment: rounding the first
 * header up and the sentinel down takes at most 2 * ALIGN + WORD - 2 bytes,
 * so more than MIN_BLOCK - ALIGN are left between them, a multiple of
 * ALIGN: at least MIN_BLOCK.
 */
#define REGION_MIN (MIN_BLOCK + 2u * ALIGN)

/**
 * Inserts b second in its list, behind the head, or as the head of an empty
 * list. Regions added later go in this way, so that blocks already in the
 * lists, the first region's above all (usually the fastest RAM), are used
 * before a new region of the same size class.
 */
RTHEAP_PRIVATE void rtheap_push_behind(rtheap_t *heap, block_t *b, uint32_t c)
{
    block_t *head = heap->heads[c];
    if (head == NULL) {
        rtheap_push(heap, b, c);
        return;
    }
    b->prev_free = head;
    b->next_free = head->next_free;
    if (head->next_free != NULL) {
        head->next_free->prev_free = b;
    }
    head->next_free = b;
}

/** Makes [pos, pos + t) a free block, in its list, after a used block. */
RTHEAP_PRIVATE void rtheap_add_free_block(rtheap_t *heap, uintptr_t pos, uintptr_t t)
{
    rtheap_poison(pos + WORD, t - WORD);
#if ONE_BLOCK_REGION
    /* The one block of the one region: freed as a used block, by the
     * release that lists every free block of this configuration. */
    rtheap_release_cut(heap, pos, t);
#else
    rtheap_push_behind(heap, rtheap_free_block_at(pos, t, 0), rtheap_class_of_size(t));
#endif
    heap->arena_bytes += t;
}

/** Header address of the sentinel of a region that ends at hi. */
RTHEAP_PRIVATE uintptr_t rtheap_sentinel_header(uintptr_t hi)
{
    return (hi & ~(ALIGN - 1u)) - WORD;
}

/**
 * Makes [lo, hi), at least REGION_MIN bytes, a region of `bytes` bytes of
 * the heap (the first's counts its control structure too) and fills it
 * with free blocks no larger than max_block, with a fence after each but
 * the last: O(bytes / max_block), one block unless a later region is
 * larger than the index (see rtheap_init_for). Blocks of regions after the
 * first go behind the head of their list, so that the first region serves
 * first.
 */
#if RTHEAP_MAX_REGIONS == 1
#define REGISTER_INLINE RTHEAP_INLINE /* init's own: rtheap_add_region has no room for it */
#else
#define REGISTER_INLINE
#endif
RTHEAP_PRIVATE REGISTER_INLINE void rtheap_register_region(rtheap_t *heap, uintptr_t lo,
                                                           uintptr_t hi, uintptr_t bytes)
{
    uintptr_t pos = rtheap_first_header(lo);
    uintptr_t sentinel = rtheap_sentinel_header(hi);
#if ONE_BLOCK_REGION
    /* The region is one block, used up to the largest block the index holds:
     * all of it (MAX_REGION_BYTES) but for the sizes just above a row's
     * worth of control, where the index got a row fewer. */
    if (sentinel - pos > heap->max_block) {
        sentinel = pos + heap->max_block;
    }
#else
    /* Larger than the largest block by at most CUT_REST (a first region
     * whose index got a row fewer): used up to that block, the rest left out.
     * Unsigned wrap: only max_block < size <= max_block + CUT_REST. */
    if (sentinel - pos - heap->max_block - 1u < CUT_REST) {
        sentinel = pos + heap->max_block;
    }
#endif
#if RTHEAP_MAX_REGIONS == 1
    /* One region at most: it is the first, in a zeroed control structure. */
    uint32_t i = 0;
    size_t before = 0;
#else
    uint32_t i = heap->region_count;
    size_t before = heap->heap_bytes;
#endif
    region_t *r = &heap->regions[i];
    r->first = pos;
    r->sentinel = sentinel;
    if (i == 0) {
        heap->first = pos;
        heap->granules = (sentinel - pos) >> ALIGN_LOG2;
    }
    heap->region_count = i + 1u;
    heap->heap_bytes = before + bytes;
#if ONE_BLOCK_REGION
    /* The sentinel first: the release of the block reads it. */
    rtheap_block_at(sentinel)->header = rtheap_hdr(0, FLAG_PREV_FREE, KIND_BLOCK);
    rtheap_add_free_block(heap, pos, sentinel - pos);
#else
    for (;;) { /* wcet-loop: region-chunks chunks */
        uintptr_t left = sentinel - pos;
        uintptr_t t = left;
        if (left > heap->max_block) {
            t = heap->max_block;
            if (left - t < 2u * MIN_BLOCK) {
                t = left - 2u * MIN_BLOCK; /* room for the fence and one block */
            }
        }
        rtheap_add_free_block(heap, pos, t);
        if (t == left) {
            break;
        }
        rtheap_block_at(pos + t)->header = rtheap_hdr(MIN_BLOCK, FLAG_PREV_FREE, KIND_FENCE);
        pos += t + MIN_BLOCK;
    }
    rtheap_block_at(sentinel)->header = rtheap_hdr(0, FLAG_PREV_FREE, KIND_BLOCK);
#endif
}

/* The control structure is zeroed by a loop of its own, which the compiler
 * must not turn into a call of memset (RTHEAP_NO_STORE_PATTERN).
 * rtheap_fill_words would do, but its call and the registers kept across it
 * take more code than the loop. */
__attribute__((cold)) rtheap_t *rtheap_init_for(void *mem, size_t bytes, size_t largest_region)
{
    uintptr_t lo = (uintptr_t)mem;
    if (mem == NULL || bytes > UINTPTR_MAX - lo) {
        return NULL; /* a region that wraps the address space is no region */
    }
    uintptr_t span = bytes < MAX_REGION_BYTES ? bytes : MAX_REGION_BYTES;
    uintptr_t hi = lo + span;
    /* Offsets from the aligned start, so that nothing wraps: the control
     * structure, then its heads (pointer-aligned), then the first block. */
    uintptr_t pad = (0u - lo) & (ALIGN - 1u);
    /* With one region at most, no region comes later. RTHEAP_SMALL decides
     * with the worst-case padding: any `cut` will do. */
    uint32_t rows = rtheap_heap_rows(span, RTHEAP_MAX_REGIONS > 1 ? largest_region : 0u,
                                     RTHEAP_SMALL ? 1u : span > pad ? (span - pad) & ~(ALIGN - 1u) : 0u);
    uintptr_t control = rtheap_control_offset(rows);
    if (span < pad + control + REGION_MIN) {
        return NULL;
    }
    uintptr_t base = lo + pad;
    rtheap_t *heap = (rtheap_t *)base;
    /* The control structure ends on a word (the heads are pointers). */
    size_t *word = (size_t *)base;
    size_t *end = (size_t *)(base + control);
    do {
        *word = 0;
        word++;
        RTHEAP_NO_STORE_PATTERN(word);
    } while (word != end); /* wcet-loop: control-words bytes / 4 */
    heap->magic = HEAP_MAGIC ^ base;
    heap->fl_count = rows;
    heap->max_block = (size_t)rtheap_max_block_for(rows);
    heap->heads = (block_t **)(base + rtheap_heads_offset(rows));
    rtheap_register_region(heap, base + control, hi, span);
    return heap;
}

rtheap_t *rtheap_init(void *mem, size_t bytes)
{
    return rtheap_init_for(mem, bytes, 0);
}

/**
 * True if a region whose first block and sentinel have their headers at
 * `first` and `sentinel` would overlap the control structure or a region
 * of the heap. Every header position is WORD below a multiple of ALIGN, so
 * two regions overlap exactly when they share one.
 */
RTHEAP_PRIVATE bool rtheap_overlaps(const rtheap_t *heap, uintptr_t first, uintptr_t sentinel)
{
    if (first < heap->regions[0].first && sentinel > (uintptr_t)heap) {
        return true; /* the control structure */
    }
    /* wcet-loop: overlap-regions RTHEAP_MAX_REGIONS */
    for (uint32_t i = 0; i < heap->region_count; i++) {
        const region_t *r = &heap->regions[i];
        if (first <= r->sentinel && sentinel >= r->first) {
            return true;
        }
    }
    return false;
}

RTHEAP_PRIVATE bool rtheap_add_region_unlocked(rtheap_t *heap, void *mem, size_t bytes)
{
    uintptr_t lo = (uintptr_t)mem;
    uintptr_t hi = lo + bytes;
    if (RTHEAP_MAX_REGIONS == 1 || mem == NULL || bytes > UINTPTR_MAX - lo || bytes < REGION_MIN ||
        heap->region_count >= RTHEAP_MAX_REGIONS ||
        rtheap_overlaps(heap, rtheap_first_header(lo), rtheap_sentinel_header(hi))) {
        rtheap_report(heap, RTHEAP_ERR_BAD_ARGUMENT, mem);
        return false;
    }
    rtheap_register_region(heap, lo, hi, bytes);
    return true;
}

__attribute__((cold)) bool rtheap_add_region(rtheap_t *heap, void *mem, size_t bytes)
{
    if (heap == NULL) {
        return false;
    }
    LOCKED_CALL(heap, true, rtheap_add_region_unlocked(heap, mem, bytes));
}
