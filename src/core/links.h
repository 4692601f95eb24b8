/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtheap core, shared part: the O(1) checks of addresses and links that the
 * hot paths share. Which region holds an address; whether a link read from
 * heap memory may be followed; whether a block met through a list holds up
 * as a free block. Included by internal.h, after the helpers it uses.
 */
#ifndef RTHEAP_CORE_LINKS_H
#define RTHEAP_CORE_LINKS_H

#include "internal.h"

/** The region after the first whose blocks contain header address h, or NULL. Callers
 * do not test the region count first: only a later region's block or a bad pointer or
 * link gets here, and with one region the loop is not entered. Inlined into free's
 * validation at -O2 (rtheap_region_far), a call everywhere else (rtheap_region_slow). */
RTHEAP_PRIVATE const region_t *rtheap_region_scan(const rtheap_t *heap, uintptr_t h)
{
    /* The count is a word of heap memory: a stray store to it must not send
     * the scan past the array, so the array's size bounds it too. */
    /* wcet-loop: region-scan RTHEAP_MAX_REGIONS - 1 */
    for (uint32_t i = 1; i < RTHEAP_MAX_REGIONS && i < heap->region_count; i++) {
        const region_t *r = &heap->regions[i];
        if (h - r->first < r->sentinel - r->first) {
            return r;
        }
    }
    return NULL;
}

/** rtheap_region_scan as one out-of-line copy: the checks that call it are cold or
 * rarely reach it. */
__attribute__((noinline)) static const region_t *rtheap_region_slow(const rtheap_t *heap,
                                                                    uintptr_t h)
{
    return rtheap_region_scan(heap, h);
}

/** Region whose blocks contain header address h, or NULL: the first region first. */
RTHEAP_PRIVATE const region_t *rtheap_region_of(const rtheap_t *heap, uintptr_t h)
{
    if (RTHEAP_LIKELY((h - heap->first) >> ALIGN_LOG2 < heap->granules)) {
        return &heap->regions[0];
    }
    return RTHEAP_MAX_REGIONS > 1 ? rtheap_region_slow(heap, h) : NULL;
}

/**
 * Index of the header position at offset d from a region's first header
 * (d / ALIGN), or, when d is not a multiple of ALIGN, a value above any
 * region's size in granules: the rotation moves a misalignment into the top
 * bits. One compare of it then checks both range and alignment.
 */
RTHEAP_PRIVATE uintptr_t rtheap_position_index(uintptr_t d)
{
    return d >> ALIGN_LOG2 | d << (sizeof(uintptr_t) * 8u - ALIGN_LOG2);
}

/** True if h is a block header position (aligned like one) inside region r. */
RTHEAP_PRIVATE bool rtheap_header_pos_ok(const region_t *r, uintptr_t h)
{
    /* first and sentinel are header positions: their distance is whole granules. */
    return rtheap_position_index(h - r->first) < (r->sentinel - r->first) >> ALIGN_LOG2;
}

/**
 * True if a free-list link read from heap memory may be followed: a block
 * header position inside a region. A write after free can leave any value
 * in a link, so every link is checked before it is read through.
 */
RTHEAP_PRIVATE bool rtheap_link_ok(const rtheap_t *heap, const block_t *x)
{
    /* In the first region and aligned like a header, in one compare. */
    if (rtheap_position_index(rtheap_addr(x) - heap->first) < heap->granules) {
        return true;
    }
    const region_t *r = RTHEAP_MAX_REGIONS > 1 ? rtheap_region_slow(heap, rtheap_addr(x)) : NULL;
    return r != NULL && rtheap_header_pos_ok(r, rtheap_addr(x));
}

/** True if b's next link is NULL or a block that links back to b. */
RTHEAP_PRIVATE bool rtheap_next_link_ok(const rtheap_t *heap, const block_t *b)
{
    const block_t *next = b->next_free;
    return next == NULL || (rtheap_link_ok(heap, next) && next->prev_free == b);
}

/**
 * Size of b, a block reached through a free list (a checked link or a list
 * head), if it holds up as a free block of at least `least` bytes (at least
 * MIN_BLOCK) inside its region with a footer pointing back at it; 0 if it
 * does not. Reads nothing outside the region.
 */
RTHEAP_PRIVATE RTHEAP_HOT uintptr_t rtheap_sized_at_least(const rtheap_t *heap, const block_t *b,
                                                          uintptr_t least)
{
    if (!RTHEAP_CHECKS) {
        uintptr_t s = rtheap_size(b->header);
        RTHEAP_ASSUME(s >= MIN_BLOCK); /* trusted: a listed block's size, never 0 */
        return s;
    }
    /* The region first: a damaged list head may point anywhere. In the
     * first region the room left to its sentinel comes from its size in
     * granules, without another load. */
    uintptr_t h = rtheap_addr(b);
    uintptr_t d = h - heap->first;
    uintptr_t room;
    if (RTHEAP_LIKELY(d >> ALIGN_LOG2 < heap->granules)) {
        room = (heap->granules << ALIGN_LOG2) - d;
    } else {
        const region_t *r = rtheap_region_of(heap, h);
        if (r == NULL) {
            return 0;
        }
        room = r->sentinel - h;
    }
    size_t hd = b->header;
    uintptr_t size = rtheap_size(hd);
    if (!rtheap_is_free_block(hd) || size < least || size > room || *rtheap_footer(h + size) != b) {
        return 0;
    }
    return size;
}

/** rtheap_sized_at_least for any block that can be free: MIN_BLOCK. */
RTHEAP_PRIVATE RTHEAP_HOT uintptr_t rtheap_listed_size(const rtheap_t *heap, const block_t *b)
{
    return rtheap_sized_at_least(heap, b, MIN_BLOCK);
}

/**
 * Size of b, met in a free list as its head (`head`) or through a checked
 * next link, when it holds up as an allocation needs: a free block of at
 * least `least` bytes inside its region with its footer, no previous link
 * if it is the head, and a sound next link; 0 otherwise.
 */
RTHEAP_PRIVATE RTHEAP_HOT uintptr_t rtheap_entry_ok(const rtheap_t *heap, const block_t *b,
                                                    uintptr_t least, bool head)
{
    /* "At least" is checked with the size, before the footer is read. */
    uintptr_t s = rtheap_sized_at_least(heap, b, least);
#if !RTHEAP_USE_CLZ
    /* Armv6-M and Armv8-M Baseline (no CLZ, eight low registers): the
     * region bounds the link check needs are loaded again rather than kept
     * from the block's check, which spilled and reloaded them (an empty
     * barrier: it emits nothing). */
    __asm__ volatile("" ::: "memory");
#endif
    if (RTHEAP_CHECKS &&
        (s == 0 || (head && b->prev_free != NULL) || !rtheap_next_link_ok(heap, b))) {
        return 0;
    }
    return s;
}

#endif /* RTHEAP_CORE_LINKS_H */
