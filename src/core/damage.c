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
RTHEAP_COLD RTHEAP_CONTAIN void rtheap_report_damage(rtheap_t *heap, rtheap_error_t kind,
                                                     uintptr_t at, const void *ptr)
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
 * Reports ptr, refused with error e by the fast checks (rtheap_validate_used).
 * Their RTHEAP_ERR_BAD_HEADER, said of any header they refuse, is named here,
 * off the hot path: a double free (a sound header that says FREE), a header
 * that disagrees with its neighbour only in its "previous block is free"
 * flag, or a bad header. When what is wrong is the next block's header, that
 * block is remembered as the damage last reported, so that an allocation
 * meeting it through its list later does not report it again (the pointer
 * itself is reported at every call, as bad input is). A NULL ptr is not
 * reported: free takes it to the checks untested, and they refuse it as a
 * pointer in no region.
 */
RTHEAP_COLD RTHEAP_CONTAIN void rtheap_refuse(rtheap_t *heap, rtheap_error_t e, const void *ptr)
{
    if (ptr == NULL) {
        return; /* free(NULL) */
    }
    /* Only these two come with a header to read (inside a region, aligned). */
    if (e == RTHEAP_ERR_BAD_HEADER || e == RTHEAP_ERR_BAD_NEIGHBOUR) {
        uintptr_t h = (uintptr_t)ptr - WORD;
        size_t hd = rtheap_block_at(h)->header;
        if (e == RTHEAP_ERR_BAD_NEIGHBOUR) {
            heap->last_damage = h + rtheap_size(hd); /* h's own header passed the checks */
        } else if (rtheap_is_block(hd ^ FLAG_PREV_FREE)) {
            e = RTHEAP_ERR_BAD_NEIGHBOUR;
        } else if (rtheap_is_free_block(hd)) {
            e = RTHEAP_ERR_DOUBLE_FREE;
        }
    }
    rtheap_report(heap, e, ptr);
}

/* ------------------------------------------------------------------------ */
/* Taking damage out of service                                              */
/* ------------------------------------------------------------------------ */

/**
 * Quarantines b, a free block (by its header) of t bytes whose extent the
 * caller checked lies inside its region: its header becomes a fence, the
 * next block is told that its previous block is not free, and b leaves its
 * list as far as the links can be trusted: whatever sound pointer leads to
 * b (the head of its list, or a previous block that links back) is made to
 * skip it when b's next link is sound, and ends the list there when it is
 * not. Nothing is written through a link that fails its check. Counted;
 * reporting is the caller's.
 *
 * True if that damage was known already: b was cut off behind a fence (its
 * previous link leads to one: damage reported when that block was found,
 * whose next link could not be followed to b), or its footer is bad and the
 * block after it no longer calls it free (a neighbour freed next to it
 * found the footer and disowned it).
 */
RTHEAP_COLD RTHEAP_CONTAIN bool rtheap_quarantine(rtheap_t *heap, block_t *b, uintptr_t t)
{
    uintptr_t h = rtheap_addr(b);
    block_t *prev = b->prev_free;
    block_t *n = rtheap_block_at(h + t);
    size_t nd = n->header;
    /* A NULL link is no header position: rtheap_link_ok refuses it. */
    bool prev_ok = rtheap_link_ok(heap, prev);
    bool known = (prev_ok && rtheap_is_fence(prev->header)) ||
                 (*rtheap_footer(h + t) != b && rtheap_is_block(nd) && !rtheap_prev_is_free(nd));
    uint32_t c = rtheap_class_of_size(t);
    block_t *next = b->next_free;
    bool led_to = heap->heads[c] == b;
    if (led_to) {
        prev = NULL;
    } else {
        led_to = prev_ok && prev->next_free == b;
    }
    if (!led_to || !rtheap_next_link_ok(heap, b)) {
        /* The blocks behind b are lost with it. When nothing sound leads to
         * b, they still link back to it, and are known as cut off behind a
         * fence when met. */
        if (next != NULL) {
            heap->lost_lists++;
        }
        next = NULL;
    }
    if (led_to) {
        rtheap_unlink_between(heap, prev, next, c);
    }
    b->header = rtheap_hdr(t, b->header & FLAG_PREV_FREE, KIND_FENCE);
    if (rtheap_sound(nd) && rtheap_prev_is_free(nd)) {
        n->header = rtheap_toggle(nd, FLAG_PREV_FREE); /* a fence's too */
    }
    heap->quarantine_count++;
    heap->quarantined_bytes += t;
    return known;
}

/**
 * Cold path of a failed next-link check: if b's next link leads to a fence
 * (damage found and reported before, which could not be unlinked from this
 * side), b's list is cut there instead of reporting b: true then. The blocks
 * behind the fence were lost with it.
 */
RTHEAP_COLD RTHEAP_CONTAIN bool rtheap_cut_dead_next(rtheap_t *heap, block_t *b)
{
    /* A NULL link is no header position: rtheap_link_ok refuses it. */
    block_t *q = b->next_free;
    if (!rtheap_link_ok(heap, q) || !rtheap_is_fence(q->header)) {
        return false;
    }
    b->next_free = NULL;
    heap->lost_lists++;
    return true;
}

/**
 * Takes b, a block inside region r that says it is free but failed its
 * checks (the free block after one being freed or grown), out of service
 * and reports it for `ptr`: it is quarantined when its header is a free
 * block's and its extent lies inside r, and reported unless that damage was
 * known. Else where b ends is unknown, and it is only reported.
 */
RTHEAP_COLD RTHEAP_CONTAIN void rtheap_contain_neighbour(rtheap_t *heap, const region_t *r,
                                                         block_t *b, const void *ptr)
{
    uintptr_t h = rtheap_addr(b);
    size_t hd = b->header;
    uintptr_t t = rtheap_size(hd);
    bool listed = rtheap_is_free_block(hd) && t >= MIN_BLOCK && t <= r->sentinel - h;
    /* A link of b that does not link back joins b to a block x whose own
     * link may be the word overwritten. Read before the quarantine changes
     * b's links. */
    block_t *x = NULL;
    if (listed) {
        x = b->next_free;
        if (!rtheap_link_ok(heap, x) || x->prev_free == b) {
            x = b->prev_free;
        }
        x = rtheap_link_ok(heap, x) ? x : NULL;
    }
    if (listed && rtheap_quarantine(heap, b, t)) {
        return;
    }
    /* x reported already: b is the damage seen from its other side (both
     * links of x overwritten, or x the damaged block of a list dropped
     * before, b one of the blocks cut off behind it). */
    if (x == NULL || rtheap_addr(x) != heap->last_damage) {
        rtheap_report_damage(heap, RTHEAP_ERR_BAD_FREE_LIST, h, ptr);
    }
    /* x is remembered as the damage reported, so that meeting it later (its
     * link fails too) does not report the same word again; b itself (a
     * self-link) was reported just now. */
    if (x != NULL) {
        heap->last_damage = rtheap_addr(x);
    }
}

/**
 * Takes damaged block b, found through list c (its head, or through a
 * checked next link), out of service, reported once for b's own pointer:
 * as rtheap_contain_neighbour does when its header is a free block's and
 * its extent lies inside its region; else the list is dropped whole, and a
 * fence (quarantined before, still listed) is known damage. When b holds up
 * but for a next link to a fence, it stays and its list is cut there.
 */
RTHEAP_COLD RTHEAP_CONTAIN void rtheap_contain_listed(rtheap_t *heap, block_t *b, uint32_t c)
{
    uintptr_t h = rtheap_addr(b);
    /* A list head outside every region (the control structure damaged):
     * nothing of it is read, the list is dropped. */
    const region_t *r = rtheap_region_of(heap, h);
    bool known = false;
    if (r != NULL) {
        size_t hd = b->header;
        uintptr_t t = rtheap_size(hd);
        if (rtheap_is_free_block(hd) && t >= MIN_BLOCK && t <= r->sentinel - h) {
            if (*rtheap_footer(h + t) != b || !rtheap_cut_dead_next(heap, b)) {
                rtheap_contain_neighbour(heap, r, b, rtheap_payload(b));
            }
            return;
        }
        known = rtheap_is_fence(hd);
    }
    heap->heads[c] = NULL;
    rtheap_list_emptied(heap, c);
    heap->quarantine_count++;
    heap->lost_lists++;
    if (!known) {
        rtheap_report_damage(heap, RTHEAP_ERR_BAD_FREE_LIST, h, rtheap_payload(b));
    }
}

/** True if header position p of region r holds a free block that ends
 * exactly at h (none above h does: its size would have to wrap). */
RTHEAP_PRIVATE bool rtheap_free_ends_at(const region_t *r, uintptr_t p, uintptr_t h)
{
    if (!rtheap_header_pos_ok(r, p)) {
        return false;
    }
    size_t pd = rtheap_block_at(p)->header;
    return rtheap_is_free_block(pd) && rtheap_size(pd) == h - p;
}

/**
 * The free block in front of block h (inside region r, which says
 * PREV_FREE) could not be merged. If h's footer leads to a free block that
 * ends at h, that block's links are what is damaged: rtheap_contain_neighbour
 * takes it out of service. So it does the damage reported last when that is
 * a free block ending at h: the footer is its own, overwritten with its
 * links (a write after free over a small block); and a smallest free block
 * that ends at h, whose footer went with its links. Otherwise the footer, or
 * the header it leads to, was overwritten and where that block starts is
 * unknown: it is left to be found through its list, where h's disowning it
 * (the caller clears h's PREV_FREE) tells that it was reported. Reported
 * once for `ptr`.
 */
RTHEAP_COLD RTHEAP_CONTAIN void rtheap_contain_prev(rtheap_t *heap, const region_t *r, uintptr_t h,
                                                    const void *ptr)
{
    uintptr_t p = rtheap_addr(*rtheap_footer(h));
    uintptr_t d = heap->last_damage;
    /* A smallest block in front is found without its footer: a write after
     * free over its whole payload overwrites its links and footer at once. */
    uintptr_t m = h - MIN_BLOCK;
    uintptr_t owner = rtheap_free_ends_at(r, d, h)   ? d
                      : rtheap_free_ends_at(r, p, h) ? p
                      : rtheap_free_ends_at(r, m, h) ? m
                                                     : 0;
    if (owner != 0) {
        rtheap_contain_neighbour(heap, r, rtheap_block_at(owner), ptr);
        return;
    }
    /* Reported at the header the footer leads to, or at h when the footer
     * is no header position below it. */
    uintptr_t at = p < h && rtheap_header_pos_ok(r, p) ? p : h;
    rtheap_report_damage(heap, RTHEAP_ERR_BAD_NEIGHBOUR, at, ptr);
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
