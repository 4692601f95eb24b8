/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Allocation: the good-fit search over the bitmaps, the checks of the block
 * it finds, and the carving of the used block from it.
 */
#include "internal.h"
#include "lock.h"

/**
 * The head of the first non-empty list at or above class c (every block of
 * which has at least class c's smallest size), or NULL; *cls gets its class.
 * c may be one row past the index (the class_up of a size near max_block):
 * sl_bitmap[fl_count] is then read, the word after the last row, which is
 * always 0 (see the note at the head of check.c), so no range check.
 */
RTHEAP_PRIVATE RTHEAP_HOT block_t *rtheap_search(const rtheap_t *heap, uint32_t c, uint32_t *cls)
{
    uint32_t fl = c / SL_COUNT; /* <= fl_count <= 32 - SL_LOG2 <= 30 (rtheap_rows_for) */
    uint32_t sl_bits = heap->sl_bitmap[fl] & (~0u << (c % SL_COUNT));
    if (sl_bits == 0) {
        uint32_t fl_bits = heap->fl_bitmap & (~0u << (fl + 1u)); /* fl + 1 < 32 */
        if (fl_bits == 0) {
            return NULL;
        }
        fl = rtheap_ffs(fl_bits);
        sl_bits = heap->sl_bitmap[fl];
    }
    c = fl * SL_COUNT + rtheap_ffs(sl_bits);
    *cls = c;
    return heap->heads[c];
}

/** Size of b, the head of a list found by the search, if it holds up for t bytes; else 0. */
RTHEAP_PRIVATE RTHEAP_HOT uintptr_t rtheap_head_ok(const rtheap_t *heap, const block_t *b,
                                                   uintptr_t t)
{
    return rtheap_entry_ok(heap, b, t, true);
}

/* What rtheap_find_slow found: the block's size and list. */
typedef struct found {
    uintptr_t size;
    uint32_t cls;
} found_t;

/**
 * Moves b, found behind prev in list c by a walk that checked both links
 * (prev's next and b's next, which link back), to the head of list c, so
 * that the carve always takes a list head. The old head was checked first.
 */
RTHEAP_PRIVATE void rtheap_move_to_front(rtheap_t *heap, block_t *b, block_t *prev, uint32_t c)
{
    block_t *next = b->next_free;
    prev->next_free = next;
    if (next != NULL) {
        next->prev_free = prev;
    }
    block_t *head = heap->heads[c];
    head->prev_free = b;
    b->next_free = head;
    b->prev_free = NULL;
    heap->heads[c] = b;
}

/**
 * The whole search, out of the hot path: the good-fit search, damaged heads
 * taken out of service and the search done again, and the bounded first
 * fit in t's own class when no class guarantees a fit (a block it finds past
 * the head is moved to the front: what it returns is a list head). Bounded:
 * every round takes one list or block out of service, and there are at most four (five
 * with rtheap_find's own first try, which calls it once that try failed).
 * An over-aligned allocation searches with it alone.
 */
__attribute__((noinline)) static block_t *rtheap_find_slow(rtheap_t *heap, uintptr_t t,
                                                           found_t *out)
{
    uint32_t g = rtheap_granules(t);
    uint32_t up = rtheap_class_up(g);
    /* Without the checks nothing is taken out of service: one round. */
    /* wcet-loop: find-rounds 4 */
    for (uint32_t round = 0; round < (RTHEAP_CHECKS ? 4u : 1u); round++) {
        uint32_t c;
        block_t *b = rtheap_search(heap, up, &c);
        if (b != NULL) {
            uintptr_t s = rtheap_head_ok(heap, b, t);
            if (s != 0) {
                out->cls = c;
                out->size = s;
                return b;
            }
            if (RTHEAP_CHECKS) {
                rtheap_contain_listed(heap, b, c);
            }
            continue;
        }
        /* Nothing in a class that guarantees a fit: a bounded first fit in
         * the request's own class, whose blocks may or may not fit. A block
         * past the head was reached through a next link whose back link was
         * checked. */
        c = rtheap_class_of(g);
        b = heap->heads[c];
        block_t *prev = NULL;
        bool damage = false;
        /* wcet-loop: fit-scan RTHEAP_FIT_SCAN */
        for (uint32_t n = 0; !damage && b != NULL && n < RTHEAP_FIT_SCAN; n++) {
            uintptr_t s = rtheap_entry_ok(heap, b, MIN_BLOCK, prev == NULL);
            damage = s == 0;
            if (!damage && s >= t) {
                if (prev != NULL) {
                    rtheap_move_to_front(heap, b, prev, c);
                }
                out->cls = c;
                out->size = s;
                return b;
            }
            if (!damage) {
                prev = b;
                b = b->next_free; /* checked above */
            }
        }
        if (!damage || !RTHEAP_CHECKS) {
            return NULL;
        }
        rtheap_contain_listed(heap, b, c);
    }
    return NULL;
}

/**
 * A free block of at least t bytes (t <= max_block) that holds up, the head
 * of its list, or NULL; *cls gets its list and *size its size. Good fit:
 * the rounded class guarantees any block found is large enough; when it
 * finds nothing, up to RTHEAP_FIT_SCAN blocks of t's own class are tried
 * (the first often fits, and it makes a request of exactly the largest free
 * block succeed). A damaged block met on the way is taken out of service
 * and the search goes on (rtheap_find_slow).
 *
 * The head the fast path finds is taken as the head it is: its back link is
 * not read (an allocation never follows it: it becomes payload). A head
 * whose back link is not NULL is damage that rtheap_check() reports, and
 * that an over-aligned allocation (rtheap_find_slow) or a merge with the
 * block (rtheap_unlink_checked) refuses.
 */
RTHEAP_PRIVATE RTHEAP_HOT block_t *rtheap_find(rtheap_t *heap, uintptr_t t, uint32_t *cls,
                                               uintptr_t *size)
{
    uint32_t c = 0;
    block_t *b = rtheap_search(heap, rtheap_class_up(rtheap_granules(t)), &c);
    if (b != NULL) {
        uintptr_t s = rtheap_entry_ok(heap, b, t, false);
        if (s != 0) {
            *cls = c;
            *size = s;
            return b;
        }
        if (RTHEAP_CHECKS) {
            rtheap_contain_listed(heap, b, c);
        }
    }
    /* Its own out-parameters, so that the fast path's stay in registers. */
    found_t slow = {0, 0};
    b = rtheap_find_slow(heap, t, &slow);
    *cls = slow.cls;
    *size = slow.size;
    return b;
}

/**
 * Carves a used block of t bytes from the front of free block b, the head of
 * list c (`size` bytes, checked; its back link is not read: see
 * rtheap_find). The rest, when it can be a block, stays free: in b's place
 * at the head of list c when its class is still c (no bitmap change: a large
 * block cut down piece by piece), else at the head of its own list, and b
 * leaves list c. Returns the used block's size.
 */
RTHEAP_PRIVATE RTHEAP_HOT uintptr_t rtheap_carve(rtheap_t *heap, block_t *b, uint32_t c,
                                                 uintptr_t size, uintptr_t t)
{
    uintptr_t h = rtheap_addr(b);
    size_t hd = b->header;
    block_t *next = b->next_free;
    uintptr_t rest = size - t;
    if (rest >= MIN_BLOCK) {
        /* The block after b still says "previous free"; only the rest's own
         * fields are new. */
        block_t *tail = rtheap_free_block_at(h + t, rest, 0);
        uint32_t ct = rtheap_class_of_size(rest);
        b->header = rtheap_hdr(t, hd & FLAG_PREV_FREE, KIND_BLOCK);
        if (ct == c) {
            tail->next_free = next;
            tail->prev_free = NULL;
            if (next != NULL) {
                next->prev_free = tail;
            }
            heap->heads[c] = tail;
            return t;
        }
        rtheap_push(heap, tail, ct);
        size = t;
    } else {
        b->header = rtheap_toggle(hd, FLAG_FREE);
        rtheap_clear_prev_free(h + size);
    }
    rtheap_unlink_between(heap, NULL, next, c);
    return size;
}

/**
 * A plain allocation (alignment RTHEAP_ALIGNMENT) inside the lock: one
 * good-fit search and a carve. Over-aligned requests take their own path
 * (aligned.c).
 */
RTHEAP_BODY void *rtheap_alloc_unlocked(rtheap_t *heap, size_t size)
{
    uintptr_t t = rtheap_block_size_for(size);
    uint32_t c;
    uintptr_t s;
    block_t *b = NULL;
    if (t != 0 && t <= heap->max_block) {
        b = rtheap_find(heap, t, &c, &s);
    }
    if (b == NULL) {
        rtheap_count_failed(heap);
        return NULL;
    }
    rtheap_count_alloc(heap, rtheap_carve(heap, b, c, s, t));
    return rtheap_payload(b);
}

/* aligned.c: any alignment. RTHEAP_SMALL: a plain allocation takes it too,
 * with its one search (the slow one) and its carve, so that the plain path
 * above is not linked. */
RTHEAP_OUTLINE void *rtheap_alloc_aligned_unlocked(rtheap_t *heap, size_t size, uintptr_t align);

/* rtheap_alloc on a heap known to exist: the Rust ABI's plain allocation
 * (src/rtheap_rust.c), which has read the heap's pointer already, calls it
 * straight. */
void *rtheap_alloc_nonnull(rtheap_t *heap, size_t size)
{
    LOCKED_CALL(heap, true,
                RTHEAP_SMALL ? rtheap_alloc_aligned_unlocked(heap, size, ALIGN)
                             : rtheap_alloc_unlocked(heap, size));
}

void *rtheap_alloc(rtheap_t *heap, size_t size)
{
    if (heap == NULL) {
        return NULL;
    }
    return rtheap_alloc_nonnull(heap, size);
}
