/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Setting a heap up: the control structure and its index, sized to the
 * first region, and the regions, each filled with free blocks. Runs once
 * per region: cold, so optimised for size.
 */
#include "internal.h"
#include "lock.h"

/** Rows the index needs for blocks of up to `bytes` bytes. */
RTHEAP_PRIVATE uint32_t rtheap_rows_for(uintptr_t bytes)
{
    uintptr_t g = bytes >> ALIGN_LOG2;
    if (g >= MAX_GRANULES) {
        g = MAX_GRANULES - 1u;
    }
    if (g == 0) {
        g = 1;
    }
    uint32_t rows = rtheap_fl_of((uint32_t)g) + 1u;
    return rows > FL_MAX ? FL_MAX : rows;
}

/** Largest block size (bytes) an index of `rows` rows can hold. */
RTHEAP_PRIVATE uintptr_t rtheap_max_block_for(uint32_t rows)
{
    /* rows <= 32 - SL_LOG2 (rtheap_rows_for; rtheap_check refuses more), so
     * bits <= 31; the clamp keeps the shift defined whatever the caller.
     * MAX_GRANULES bounds the result below on 32-bit targets. */
    uint32_t bits = rows + RTHEAP_SL_LOG2 - 1u;
    bits = bits < 31u ? bits : 31u;
    uintptr_t max_g = ((uintptr_t)1 << bits) - 1u;
    max_g = max_g < MAX_GRANULES ? max_g : MAX_GRANULES - 1u;
    return max_g << ALIGN_LOG2;
}

/** Control-structure bytes for an index of `rows` rows, the heads' alignment pad included. */
RTHEAP_PRIVATE uintptr_t rtheap_control_bytes(uint32_t rows)
{
    return sizeof(struct rtheap) + rows * sizeof(uint32_t) + sizeof(void *) - 1u +
           rows * SL_COUNT * sizeof(block_t *);
}

/**
 * Rows of the index for a first region of `bytes`: enough for the largest
 * block the region can hold once the control structure is taken out of it.
 * A row fewer than the region size alone asks for is often enough, and on a
 * small heap a row is a large share of it.
 */
RTHEAP_PRIVATE uint32_t rtheap_index_rows(uintptr_t bytes)
{
    uint32_t rows = rtheap_rows_for(bytes);
    if (rows > 1u) {
        uintptr_t control = rtheap_control_bytes(rows - 1u);
        if (control >= bytes || rtheap_max_block_for(rows - 1u) >= bytes - control) {
            rows--;
        }
    }
    return rows;
}

/* Worst-case padding around the control structure and the blocks: the start
 * rounded up to ALIGN, the first header placed so that its payload is
 * aligned, and the end rounded down with room for the sentinel. */
#define REGION_PADDING (3u * ALIGN + WORD)

size_t rtheap_control_size(size_t bytes)
{
    return (size_t)(rtheap_control_bytes(rtheap_index_rows(bytes)) + REGION_PADDING);
}

/** Header address of the first block and of the sentinel for [lo, hi). */
RTHEAP_PRIVATE bool rtheap_carve_bounds(uintptr_t lo, uintptr_t hi, uintptr_t *first,
                                        uintptr_t *sentinel)
{
    if (hi < lo || hi - lo < MIN_BLOCK + 2u * ALIGN) {
        return false;
    }
    *first = ((lo + WORD + ALIGN - 1u) & ~(ALIGN - 1u)) - WORD;
    *sentinel = (hi & ~(ALIGN - 1u)) - WORD;
    return *sentinel >= *first && *sentinel - *first >= MIN_BLOCK;
}

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
    rtheap_push_behind(heap, rtheap_free_block_at(pos, t, 0), rtheap_class_of_size(t));
    heap->arena_bytes += t;
}

/**
 * Registers [first, sentinel) as a region and fills it with free blocks no
 * larger than max_block, with a fence after each but the last: O(bytes /
 * max_block), one block unless a later region is larger than the index
 * (see rtheap_init_for). Blocks of regions after the first go behind the
 * head of their list, so that the first region serves first.
 */
RTHEAP_PRIVATE void rtheap_register_region(rtheap_t *heap, uintptr_t first, uintptr_t sentinel)
{
    region_t *r = &heap->regions[heap->region_count];
    r->first = first;
    r->sentinel = sentinel;
    if (heap->region_count == 0) {
        heap->first = first;
        heap->granules = (sentinel - first) >> ALIGN_LOG2;
    }
    heap->region_count++;
    uintptr_t pos = first;
    while (sentinel - pos > heap->max_block) { /* wcet-loop: region-chunks chunks */
        uintptr_t left = sentinel - pos;
        uintptr_t t = heap->max_block;
        if (left - t < 2u * MIN_BLOCK) {
            t = left - 2u * MIN_BLOCK; /* room for the fence and one block */
        }
        rtheap_add_free_block(heap, pos, t);
        rtheap_block_at(pos + t)->header = rtheap_hdr(MIN_BLOCK, FLAG_PREV_FREE, KIND_FENCE);
        pos += t + MIN_BLOCK;
    }
    rtheap_add_free_block(heap, pos, sentinel - pos);
    rtheap_block_at(sentinel)->header = rtheap_hdr(0, FLAG_PREV_FREE, KIND_BLOCK);
}

__attribute__((cold)) rtheap_t *rtheap_init_for(void *mem, size_t bytes, size_t largest_region)
{
    uintptr_t lo = (uintptr_t)mem;
    uintptr_t hi = lo + bytes;
    if (mem == NULL || hi < lo) {
        return NULL; /* a region that wraps the address space is no region */
    }
    if (hi - lo > MAX_REGION_BYTES) {
        hi = lo + MAX_REGION_BYTES;
    }
    uint32_t rows = rtheap_index_rows(hi - lo);
    if (largest_region > hi - lo) {
        uint32_t wanted = rtheap_rows_for(largest_region > MAX_REGION_BYTES ? MAX_REGION_BYTES
                                                                            : largest_region);
        rows = wanted > rows ? wanted : rows;
    }
    uintptr_t base = (lo + ALIGN - 1u) & ~(ALIGN - 1u);
    uintptr_t heads = base + sizeof(struct rtheap) + rows * sizeof(uint32_t);
    heads = (heads + sizeof(void *) - 1u) & ~(uintptr_t)(sizeof(void *) - 1u);
    uintptr_t control_end = heads + rows * SL_COUNT * sizeof(block_t *);
    uintptr_t first;
    uintptr_t sentinel;
    if (base < lo || control_end >= hi || !rtheap_carve_bounds(control_end, hi, &first, &sentinel)) {
        return NULL;
    }
    rtheap_t *heap = (rtheap_t *)base;
    rtheap_fill_words(base, 0, control_end - base);
    heap->magic = HEAP_MAGIC ^ base;
    heap->fl_count = rows;
    heap->max_block = (size_t)rtheap_max_block_for(rows);
    heap->heads = (block_t **)heads;
    heap->heap_bytes = (size_t)(hi - lo);
    rtheap_register_region(heap, first, sentinel);
    return heap;
}

rtheap_t *rtheap_init(void *mem, size_t bytes)
{
    return rtheap_init_for(mem, bytes, 0);
}

RTHEAP_PRIVATE bool rtheap_overlaps(const rtheap_t *heap, uintptr_t lo, uintptr_t hi)
{
    if (lo < heap->regions[0].first && hi > (uintptr_t)heap) {
        return true; /* the control structure */
    }
    /* wcet-loop: overlap-regions RTHEAP_MAX_REGIONS */
    for (uint32_t i = 0; i < heap->region_count; i++) {
        const region_t *r = &heap->regions[i];
        if (lo < r->sentinel + WORD && hi > r->first) {
            return true;
        }
    }
    return false;
}

RTHEAP_PRIVATE bool rtheap_add_region_unlocked(rtheap_t *heap, void *mem, size_t bytes)
{
    uintptr_t lo = (uintptr_t)mem;
    uintptr_t hi = lo + bytes;
    uintptr_t first;
    uintptr_t sentinel;
    if (mem == NULL || hi < lo || heap->region_count >= RTHEAP_MAX_REGIONS ||
        !rtheap_carve_bounds(lo, hi, &first, &sentinel) ||
        rtheap_overlaps(heap, first, sentinel + WORD)) {
        rtheap_report(heap, RTHEAP_ERR_BAD_ARGUMENT, mem);
        return false;
    }
    rtheap_register_region(heap, first, sentinel);
    heap->heap_bytes += bytes;
    return true;
}

__attribute__((cold)) bool rtheap_add_region(rtheap_t *heap, void *mem, size_t bytes)
{
    if (heap == NULL) {
        return false;
    }
    LOCKED_CALL(heap, true, rtheap_add_region_unlocked(heap, mem, bytes));
}
