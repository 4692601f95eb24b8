/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The full check (rtheap_check()) and the walk (rtheap_walk()): O(blocks),
 * for tests, debugging and tools, never on a hot path. Both follow each
 * region's physical chain with one step function.
 */
#include "internal.h"
#include "lock.h"

/* The word past the last row: sl_bitmap[fl_count] is either padding before
 * the heads (zeroed by init, never written) or the first word of heads[0],
 * the list of class 0: blocks of 0 granules, which do not exist (every block
 * has at least MIN_BLOCK bytes), so it is NULL for ever. The search reads
 * that word for a size whose rounded class is one row past the index, and
 * finds nothing there; rtheap_check() checks that it is 0. */
_Static_assert(MIN_BLOCK >= RTHEAP_ALIGNMENT, "class 0 (0 granules) never holds a block");
_Static_assert(sizeof(void *) >= sizeof(uint32_t), "the word past the last row lies in heads[0]");

/**
 * Size of the block at h, the next header of region r's chain, when its
 * header is plausible: sound, no stray flag bits, a size from MIN_BLOCK to
 * max_block that stays inside the region. 0 when it is not: the chain is
 * broken at h.
 */
RTHEAP_PRIVATE uintptr_t rtheap_chain_step(const rtheap_t *heap, const region_t *r, uintptr_t h)
{
    size_t hd = rtheap_block_at(h)->header;
    uintptr_t t = rtheap_size(hd);
    bool ok = rtheap_sound(hd) &&
              (hd & FLAG_BITS & ~(FLAG_FREE | FLAG_PREV_FREE | FLAG_FENCE)) == 0 &&
              t >= MIN_BLOCK && t <= heap->max_block && t <= r->sentinel - h;
    return ok ? t : 0;
}

typedef struct chain_totals {
    uintptr_t bytes;       /* in ordinary blocks */
    uintptr_t fence_bytes; /* in fences (dividers and quarantined blocks) */
    uintptr_t used_bytes;
    uintptr_t used_blocks;
    uintptr_t free_blocks;
} chain_totals_t;

#if RTHEAP_POISON
RTHEAP_PRIVATE bool rtheap_poison_intact(const block_t *b)
{
    const size_t *w = (const size_t *)(rtheap_addr(b) + 3u * WORD);
    const size_t *end = (const size_t *)(rtheap_addr(b) + rtheap_size(b->header) - WORD);
    for (; w < end; w++) { /* wcet-loop: poison-words bytes / 4 */
        if (*w != POISON_WORD) {
            return false;
        }
    }
    return true;
}
#endif

/** Walks one region's physical chain, checking every block. */
RTHEAP_PRIVATE rtheap_error_t rtheap_check_region(const rtheap_t *heap, const region_t *r,
                                                  chain_totals_t *totals)
{
    uintptr_t h = r->first;
    bool prev_free = false;
    for (uintptr_t t; h != r->sentinel; h += t) { /* wcet-loop: check-chain blocks, per call */
        const block_t *b = rtheap_block_at(h);
        size_t hd = b->header;
        t = rtheap_chain_step(heap, r, h);
        if (rtheap_prev_is_free(hd) != prev_free || t == 0) {
            return RTHEAP_ERR_CHAIN;
        }
        bool free = rtheap_is_free(hd);
        if (rtheap_is_fence(hd)) {
            /* A fence: in use, owned by nobody. */
            if (free) {
                return RTHEAP_ERR_CHAIN;
            }
            totals->fence_bytes += t;
            prev_free = false;
            continue;
        }
        if (free) {
            if (prev_free) {
                return RTHEAP_ERR_COALESCE;
            }
            if (*rtheap_footer(h + t) != b) {
                return RTHEAP_ERR_CHAIN;
            }
#if RTHEAP_POISON
            if (!rtheap_poison_intact(b)) {
                return RTHEAP_ERR_POISON;
            }
#endif
            totals->free_blocks++;
        } else {
            totals->used_bytes += t;
            totals->used_blocks++;
        }
        totals->bytes += t;
        prev_free = free;
    }
    size_t sd = rtheap_block_at(h)->header;
    if (sd != rtheap_hdr(0, prev_free ? FLAG_PREV_FREE : 0u, KIND_BLOCK)) {
        return RTHEAP_ERR_CHAIN;
    }
    return RTHEAP_OK;
}

/** Walks every free list, checking links, classes and bitmaps. */
RTHEAP_PRIVATE rtheap_error_t rtheap_check_lists(const rtheap_t *heap, uintptr_t free_blocks)
{
    uintptr_t listed = 0;
    if ((heap->fl_count < FL_MAX && (heap->fl_bitmap >> heap->fl_count) != 0) ||
        heap->sl_bitmap[heap->fl_count] != 0) {
        return RTHEAP_ERR_BITMAP;
    }
    /* wcet-loop: check-rows 32 - RTHEAP_SL_LOG2 */
    for (uint32_t fl = 0; fl < heap->fl_count; fl++) {
        if (((heap->fl_bitmap >> fl) & 1u) != (heap->sl_bitmap[fl] != 0)) {
            return RTHEAP_ERR_BITMAP;
        }
        for (uint32_t sl = 0; sl < SL_COUNT; sl++) { /* wcet-loop: check-lists SL_COUNT */
            uint32_t c = fl * SL_COUNT + sl;
            const block_t *b = heap->heads[c];
            if (((heap->sl_bitmap[fl] >> sl) & 1u) != (b != NULL)) {
                return RTHEAP_ERR_BITMAP;
            }
            const block_t *prev = NULL;
            /* wcet-loop: check-listed blocks + 1, per call */
            for (; b != NULL; prev = b, b = b->next_free) {
                uintptr_t h = rtheap_addr(b);
                const region_t *r = rtheap_region_of(heap, h);
                if (heap->quarantine_count != 0 && prev != NULL && r != NULL &&
                    rtheap_header_pos_ok(r, h) && rtheap_is_fence(b->header)) {
                    break; /* the list ends at damage taken out of service (cut there
                            * when an allocation or a merge next meets it) */
                }
                if (++listed > free_blocks) {
                    return RTHEAP_ERR_FREE_COUNT; /* also stops a cycle */
                }
                if (r == NULL || !rtheap_header_pos_ok(r, h) ||
                    rtheap_chain_step(heap, r, h) == 0 || !rtheap_is_free_block(b->header) ||
                    *rtheap_footer(h + rtheap_size(b->header)) != b || b->prev_free != prev) {
                    return RTHEAP_ERR_BAD_FREE_LIST;
                }
                if (rtheap_class_of_size(rtheap_size(b->header)) != c) {
                    return RTHEAP_ERR_LIST_CLASS;
                }
            }
        }
    }
    /* Blocks cut off behind a damaged one (lost_lists) are free but listed
     * nowhere; otherwise every free block is in exactly one list. */
    bool counts_ok = heap->lost_lists != 0 ? listed <= free_blocks : listed == free_blocks;
    return counts_ok ? RTHEAP_OK : RTHEAP_ERR_FREE_COUNT;
}

static rtheap_error_t rtheap_check_unlocked(rtheap_t *heap)
{
    if (heap->magic != (HEAP_MAGIC ^ (uintptr_t)heap) || heap->region_count == 0 ||
        heap->region_count > RTHEAP_MAX_REGIONS || heap->fl_count == 0 ||
        heap->fl_count > 32u - RTHEAP_SL_LOG2 ||
        heap->max_block != rtheap_max_block_for(heap->fl_count) ||
        heap->first != heap->regions[0].first ||
        heap->granules != (heap->regions[0].sentinel - heap->first) >> ALIGN_LOG2) {
        return RTHEAP_ERR_CONTROL;
    }
    /* Field by field: GCC makes a call of memset of an initialiser at -O0
     * on Armv6-M, and the core calls nothing it does not define. */
    chain_totals_t totals;
    totals.bytes = 0;
    totals.fence_bytes = 0;
    totals.used_bytes = 0;
    totals.used_blocks = 0;
    totals.free_blocks = 0;
    uintptr_t region_bytes = 0;
    /* wcet-loop: check-regions RTHEAP_MAX_REGIONS */
    for (uint32_t i = 0; i < heap->region_count; i++) {
        const region_t *r = &heap->regions[i];
        rtheap_error_t e = rtheap_check_region(heap, r, &totals);
        if (e != RTHEAP_OK) {
            return e;
        }
        region_bytes += r->sentinel - r->first;
    }
    /* The fences' bytes are the dividers' and the quarantined blocks' (which
     * stay in arena_bytes). */
    if (totals.bytes + totals.fence_bytes != region_bytes ||
        totals.fence_bytes < heap->quarantined_bytes ||
        totals.bytes + heap->quarantined_bytes != heap->arena_bytes) {
        return RTHEAP_ERR_ACCOUNTING;
    }
    rtheap_error_t e = rtheap_check_lists(heap, totals.free_blocks);
    if (e != RTHEAP_OK) {
        return e;
    }
#if RTHEAP_STATS
    if (heap->used_total != totals.used_bytes ||
        (uint32_t)(heap->alloc_count - heap->free_count) != totals.used_blocks ||
        heap->peak_total < heap->used_total) {
        return RTHEAP_ERR_STATS;
    }
#endif
    return RTHEAP_OK;
}

rtheap_error_t rtheap_check(rtheap_t *heap)
{
    if (heap == NULL) {
        return RTHEAP_ERR_CONTROL;
    }
    LOCKED_CALL(heap, false, rtheap_check_unlocked(heap));
}

/** rtheap_walk's body, inside the lock: fences are not reported; a broken chain ends the walk. */
RTHEAP_PRIVATE size_t rtheap_walk_unlocked(rtheap_t *heap, rtheap_walker_t walker, void *user)
{
    size_t visited = 0;
    /* wcet-loop: walk-regions RTHEAP_MAX_REGIONS */
    for (uint32_t i = 0; i < heap->region_count; i++) {
        const region_t *r = &heap->regions[i];
        /* wcet-loop: walk-chain blocks, per call */
        for (uintptr_t h = r->first, t; h < r->sentinel; h += t) {
            const block_t *b = rtheap_block_at(h);
            t = rtheap_chain_step(heap, r, h);
            if (t == 0) {
                break; /* damaged chain: rtheap_check() says more */
            }
            if (rtheap_is_fence(b->header)) {
                continue;
            }
            rtheap_block_info_t info = {rtheap_payload(b), (size_t)(t - WORD),
                                        !rtheap_is_free(b->header), i};
            visited++;
            if (!walker(&info, user)) {
                return visited;
            }
        }
    }
    return visited;
}

size_t rtheap_walk(rtheap_t *heap, rtheap_walker_t walker, void *user)
{
    if (heap == NULL || walker == NULL) {
        return 0;
    }
    LOCKED_CALL(heap, false, rtheap_walk_unlocked(heap, walker, user));
}

const char *rtheap_error_name(rtheap_error_t kind)
{
    switch (kind) {
    case RTHEAP_OK: return "ok";
    case RTHEAP_ERR_FOREIGN_POINTER: return "foreign pointer";
    case RTHEAP_ERR_MISALIGNED: return "misaligned pointer";
    case RTHEAP_ERR_DOUBLE_FREE: return "double free";
    case RTHEAP_ERR_BAD_HEADER: return "bad block header";
    case RTHEAP_ERR_BAD_NEIGHBOUR: return "neighbour mismatch";
    case RTHEAP_ERR_BAD_FREE_LIST: return "free list damaged";
    case RTHEAP_ERR_BAD_ARGUMENT: return "bad argument";
    case RTHEAP_ERR_CHAIN: return "physical chain broken";
    case RTHEAP_ERR_ACCOUNTING: return "sizes do not add up";
    case RTHEAP_ERR_COALESCE: return "free neighbours not merged";
    case RTHEAP_ERR_LIST_CLASS: return "free block in wrong list";
    case RTHEAP_ERR_BITMAP: return "bitmap mismatch";
    case RTHEAP_ERR_FREE_COUNT: return "free list count mismatch";
    case RTHEAP_ERR_STATS: return "statistics mismatch";
    case RTHEAP_ERR_POISON: return "free memory written";
    case RTHEAP_ERR_CONTROL: return "control structure damaged";
    case RTHEAP_ERR_NO_HEAP: return "no heap (heap symbols missing or region too small)";
    case RTHEAP_ERR_FORCE_INT_: break;
    }
    return "unknown error";
}
