/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Damage handling, all cold: reporting, refusing a bad pointer, and taking
 * a damaged free block (or list) out of service where it is found, once.
 *
 * A free block that fails a check leaves its list (with the blocks behind
 * it when its links cannot be trusted) and, when its extent is known, its
 * header becomes a fence: a quarantined block, which no pointer is accepted
 * for and nothing merges with. Damage is reported once: last_damage and the
 * fences already in place tell what was reported before.
 */
#include "internal.h"
#include "lock.h"

/* The containment is only ever called with the checks on (RTHEAP_CHECKS >= 1):
 * with them off, nothing of it is linked. */
#if RTHEAP_CHECKS
#define RTHEAP_CONTAIN static
#else
#define RTHEAP_CONTAIN static __attribute__((unused))
#endif

/* Out of line and cold: errors must cost the hot paths nothing. */
RTHEAP_COLD static void rtheap_report(rtheap_t *heap, rtheap_error_t kind, const void *ptr)
{
    heap->error_count++;
    if (heap->hook != NULL) {
        heap->hook(heap, kind, ptr, heap->hook_user);
    } else {
        RTHEAP_ERROR_HOOK(heap, kind, ptr);
    }
}

/**
 * Reports damage found at header address `at` on behalf of `ptr`, unless
 * that damage was the last one reported (it is then known and contained).
 */
RTHEAP_CONTAIN void rtheap_report_damage(rtheap_t *heap, rtheap_error_t kind, uintptr_t at,
                                 const void *ptr)
{
    if (at != 0 && at == heap->last_damage) {
        return;
    }
    heap->last_damage = at;
    rtheap_report(heap, kind, ptr);
}

/* ------------------------------------------------------------------------ */
/* Bad pointers                                                              */
/* ------------------------------------------------------------------------ */

/**
 * Why the block at header address h (inside region r) is not a live block;
 * called only once the fast checks have failed, so that naming the error
 * costs the hot path nothing.
 */
RTHEAP_COLD RTHEAP_CONTAIN rtheap_error_t rtheap_diagnose(const region_t *r, uintptr_t h)
{
    size_t hd = rtheap_block_at(h)->header;
    uintptr_t t = rtheap_size(hd);
    if (!rtheap_is_block(hd)) {
        /* Only the "previous block is free" flag is wrong: the header
         * disagrees with its neighbour rather than being garbage. */
        return rtheap_is_block(hd ^ FLAG_PREV_FREE) ? RTHEAP_ERR_BAD_NEIGHBOUR
                                                    : RTHEAP_ERR_BAD_HEADER;
    }
    if (t < MIN_BLOCK || t > r->sentinel - h) {
        return RTHEAP_ERR_BAD_HEADER;
    }
    /* Called only when the fast checks failed: what is left is a free block's
     * own header (a double free). */
    return rtheap_is_free(hd) ? RTHEAP_ERR_DOUBLE_FREE : RTHEAP_ERR_BAD_NEIGHBOUR;
}

/**
 * Reports a refused pointer. When what is wrong is its next block's header,
 * that block is remembered as the damage last reported, so that an
 * allocation meeting it through its list later does not report it again
 * (the pointer itself is reported at every call, as bad input is).
 */
RTHEAP_COLD RTHEAP_CONTAIN void rtheap_refuse(rtheap_t *heap, rtheap_error_t e, const void *ptr)
{
    if (e == RTHEAP_ERR_BAD_NEIGHBOUR) {
        size_t hd = rtheap_block_of(ptr)->header;
        if (rtheap_is_block(hd) && !rtheap_is_free(hd)) {
            heap->last_damage = (uintptr_t)ptr - WORD + rtheap_size(hd);
        }
    }
    rtheap_report(heap, e, ptr);
}

/* ------------------------------------------------------------------------ */
/* Taking damage out of service                                              */
/* ------------------------------------------------------------------------ */

/**
 * Takes free block b of list c out of that list as far as its links can be
 * trusted: whatever sound pointer leads to b (the head of c, or a previous
 * block that links back) is made to skip it when b's own next link is
 * sound, and ends the list there when it is not; the blocks behind are
 * lost with b. Nothing is written through a link that fails its check.
 */
RTHEAP_CONTAIN void rtheap_unlink_salvage(rtheap_t *heap, block_t *b, uint32_t c)
{
    block_t *prev = b->prev_free;
    block_t *next = b->next_free;
    if (!rtheap_next_link_ok(heap, b)) {
        next = NULL;
        heap->lost_lists++;
    }
    block_t **into = NULL;
    if (heap->heads[c] == b) {
        into = &heap->heads[c];
        prev = NULL;
    } else if (prev != NULL && rtheap_link_ok(heap, prev) && prev->next_free == b) {
        into = &prev->next_free;
    }
    if (into == NULL) {
        /* Nothing sound leads to b: the blocks behind it are cut off with it.
         * They still link back to b, which is quarantined next, and are known
         * as such when met (rtheap_behind_fence). */
        if (next != NULL) {
            heap->lost_lists++;
        }
        return;
    }
    *into = next;
    if (next != NULL) {
        next->prev_free = prev;
    } else if (prev == NULL) {
        rtheap_list_emptied(heap, c);
    }
}

/**
 * Quarantines b, a block of t bytes that claims to be free, whose extent
 * the caller checked lies inside its region: out of its list, its header a
 * fence, the next block told that its previous block is not free. Counted;
 * reporting is the caller's.
 */
RTHEAP_CONTAIN void rtheap_quarantine(rtheap_t *heap, block_t *b, uintptr_t t)
{
    if (rtheap_is_free_block(b->header)) {
        rtheap_unlink_salvage(heap, b, rtheap_class_of_size(t));
    }
    b->header = rtheap_hdr(t, b->header & FLAG_PREV_FREE, KIND_FENCE);
    block_t *n = rtheap_block_at(rtheap_addr(b) + t);
    if (rtheap_sound(n->header) && rtheap_prev_is_free(n->header)) {
        n->header = rtheap_toggle(n->header, FLAG_PREV_FREE); /* a fence's too */
    }
    heap->quarantine_count++;
    heap->quarantined_bytes += t;
}

/**
 * Cold path of a failed next-link check: if b's next link leads to a fence
 * (damage found and reported before, which could not be unlinked from this
 * side), b's list is cut there instead of reporting b: true then. The blocks
 * behind the fence were lost with it.
 */
RTHEAP_COLD RTHEAP_CONTAIN bool rtheap_cut_dead_next(rtheap_t *heap, block_t *b)
{
    block_t *q = b->next_free;
    if (q == NULL || !rtheap_link_ok(heap, q) || !rtheap_is_fence(q->header)) {
        return false;
    }
    b->next_free = NULL;
    heap->lost_lists++;
    return true;
}

/**
 * True if free block b was cut off behind a fence: its previous link leads
 * to one (damage reported when that block was found, whose next link could
 * not be followed to b). Taking b out of service then is a consequence of
 * that damage, not news.
 */
RTHEAP_CONTAIN bool rtheap_behind_fence(const rtheap_t *heap, const block_t *b)
{
    const block_t *prev = b->prev_free;
    return prev != NULL && rtheap_link_ok(heap, prev) && rtheap_is_fence(prev->header);
}

/**
 * True if b, free with a bad footer, is damage already reported: the block
 * after it no longer says that b is free (a neighbour freed next to it
 * found the footer and disowned it).
 */
RTHEAP_CONTAIN bool rtheap_disowned(const block_t *b, uintptr_t t)
{
    /* The callers checked that b's t bytes lie inside its region. */
    size_t nd = rtheap_block_at(rtheap_addr(b) + t)->header;
    return rtheap_is_block(nd) && !rtheap_prev_is_free(nd);
}

/**
 * Quarantines b, a free block (by its header) of t bytes whose extent lies
 * inside its region; true if that damage was known already (b cut off
 * behind a fence, or disowned by its next block).
 */
RTHEAP_CONTAIN bool rtheap_quarantine_free(rtheap_t *heap, block_t *b, uintptr_t t)
{
    uintptr_t h = rtheap_addr(b);
    bool known = rtheap_behind_fence(heap, b) ||
                 (*rtheap_footer(h + t) != b && rtheap_disowned(b, t));
    rtheap_quarantine(heap, b, t);
    return known;
}

/** Takes list c out of service whole: nothing in it can be reached safely. */
RTHEAP_CONTAIN void rtheap_drop_list(rtheap_t *heap, uint32_t c)
{
    heap->heads[c] = NULL;
    rtheap_list_emptied(heap, c);
    heap->quarantine_count++;
    heap->lost_lists++;
}

/**
 * Takes damaged block b, found through list c, out of service: quarantined
 * when its header is a free block's and its extent lies inside its region,
 * else list c is dropped. Reported once, unless it was known.
 */
RTHEAP_COLD RTHEAP_CONTAIN void rtheap_contain_listed(rtheap_t *heap, block_t *b, uint32_t c)
{
    uintptr_t h = rtheap_addr(b);
    const region_t *r = rtheap_region_of(heap, h);
    if (r == NULL) {
        /* A list head outside every region (the control structure damaged):
         * nothing of it is read, the list is dropped. */
        rtheap_drop_list(heap, c);
        rtheap_report_damage(heap, RTHEAP_ERR_BAD_FREE_LIST, h, rtheap_payload(b));
        return;
    }
    size_t hd = b->header;
    uintptr_t t = rtheap_size(hd);
    const block_t *prev = b->prev_free;
    bool led_to = prev == NULL ? heap->heads[c] == b
                               : rtheap_link_ok(heap, prev) && prev->next_free == b;
    if (led_to && rtheap_listed_size(heap, b) != 0 && rtheap_cut_dead_next(heap, b)) {
        return; /* b is sound: only what followed it was damage, known already */
    }
    bool known = h == heap->last_damage || rtheap_is_fence(hd);
    if (rtheap_is_free_block(hd) && t >= MIN_BLOCK && t <= r->sentinel - h) {
        known = rtheap_quarantine_free(heap, b, t) || known;
    } else {
        rtheap_drop_list(heap, c);
    }
    if (!known) {
        rtheap_report_damage(heap, RTHEAP_ERR_BAD_FREE_LIST, h, rtheap_payload(b));
    }
}

/**
 * A free neighbour n (whose header said FREE) failed its checks: it is
 * quarantined when its extent lies inside region r, and reported once on
 * behalf of `ptr`.
 */
RTHEAP_COLD RTHEAP_CONTAIN void rtheap_contain_neighbour(rtheap_t *heap, const region_t *r, block_t *n,
                                                 const void *ptr)
{
    uintptr_t h = rtheap_addr(n);
    uintptr_t tn = rtheap_size(n->header);
    bool known = h == heap->last_damage;
    if (tn >= MIN_BLOCK && tn <= r->sentinel - h) {
        known = rtheap_quarantine_free(heap, n, tn) || known;
    }
    if (!known) {
        rtheap_report_damage(heap, RTHEAP_ERR_BAD_FREE_LIST, h, ptr);
    }
}

/**
 * The free block in front of block h (which says PREV_FREE) could not be
 * merged: quarantined when its header and extent hold up (so its links are
 * what is damaged); otherwise the footer, or the header it leads to, was
 * overwritten and where that block starts is unknown: it is left to be
 * found through its list, where h's disowning it (the caller clears its
 * PREV_FREE) shows it was reported. Reported once for `ptr`.
 */
RTHEAP_COLD RTHEAP_CONTAIN void rtheap_contain_prev(rtheap_t *heap, const region_t *r, uintptr_t h,
                                            const void *ptr)
{
    block_t *p = *rtheap_footer(h);
    uintptr_t ph = rtheap_addr(p);
    if (ph < h && rtheap_header_pos_ok(r, ph)) {
        size_t pd = p->header;
        if (rtheap_is_free_block(pd) && rtheap_size(pd) == h - ph) {
            rtheap_contain_neighbour(heap, r, p, ptr);
            return;
        }
        rtheap_report_damage(heap, RTHEAP_ERR_BAD_NEIGHBOUR, ph, ptr);
        return;
    }
    rtheap_report_damage(heap, RTHEAP_ERR_BAD_NEIGHBOUR, h, ptr);
}

/* ------------------------------------------------------------------------ */
/* Public calls                                                              */
/* ------------------------------------------------------------------------ */

void rtheap_set_error_hook(rtheap_t *heap, rtheap_error_hook_t hook, void *user)
{
    if (heap == NULL) {
        return;
    }
    LOCKED_VOID(heap, false, (heap->hook = hook, heap->hook_user = user));
}

void rtheap_report_error(rtheap_t *heap, rtheap_error_t kind, const void *ptr)
{
    if (heap == NULL) {
        return;
    }
    LOCKED_VOID(heap, false, rtheap_report(heap, kind, ptr));
}
