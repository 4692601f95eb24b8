/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Statistics: the counters the hot paths keep, and what rtheap_get_stats()
 * reports from them and from the bitmaps. Included before the hot paths.
 */
#include "internal.h"
#include "lock.h"

/* ------------------------------------------------------------------------ */
/* Counters the hot paths keep                                               */
/* ------------------------------------------------------------------------ */

/** Bytes in live blocks are now `used`: the peak follows. */
RTHEAP_PRIVATE void rtheap_count_used(rtheap_t *heap, size_t used)
{
#if RTHEAP_STATS
    heap->used_total = used;
    if (used > heap->peak_total) {
        heap->peak_total = used;
    }
#else
    (void)heap, (void)used;
#endif
}

RTHEAP_PRIVATE void rtheap_count_alloc(rtheap_t *heap, uintptr_t t)
{
#if RTHEAP_STATS
    /* Read before written: the neighbouring words load as a pair. */
    size_t used = heap->used_total + t;
    size_t peak = heap->peak_total;
    uint32_t n = heap->alloc_count;
    heap->used_total = used;
    heap->peak_total = used > peak ? used : peak;
    heap->alloc_count = n + 1u;
#else
    (void)heap, (void)t;
#endif
}

RTHEAP_PRIVATE void rtheap_count_free(rtheap_t *heap, uintptr_t t)
{
#if RTHEAP_STATS && defined(__thumb2__) && !defined(__clang__) && UINTPTR_MAX == 0xFFFFFFFFu
    /* The pair in one load and one store, which GCC schedules apart into
     * two of each (2 instructions a free; clang pairs them itself). The
     * "m" operands tell it which fields are read and written. */
    _Static_assert(offsetof(rtheap_t, used_total) == offsetof(rtheap_t, free_count) + 4u &&
                       offsetof(rtheap_t, free_count) % 4u == 0 &&
                       offsetof(rtheap_t, free_count) <= 1020u,
                   "free_count and used_total are a pair LDRD and STRD reach");
    uint32_t n;
    size_t used;
    __asm__("ldrd %0, %1, [%2, #%c5]"
            : "=r"(n), "=r"(used)
            : "r"(heap), "m"(heap->free_count), "m"(heap->used_total),
              "i"(offsetof(rtheap_t, free_count)));
    n += 1u;
    used -= t;
    __asm__("strd %2, %3, [%4, #%c5]"
            : "=m"(heap->free_count), "=m"(heap->used_total)
            : "r"(n), "r"(used), "r"(heap), "i"(offsetof(rtheap_t, free_count)));
#elif RTHEAP_STATS
    uint32_t n = heap->free_count;
    size_t used = heap->used_total;
    heap->free_count = n + 1u;
    heap->used_total = used - t;
#else
    (void)heap, (void)t;
#endif
}

RTHEAP_PRIVATE void rtheap_count_realloc(rtheap_t *heap)
{
#if RTHEAP_STATS
    heap->realloc_count++;
#else
    (void)heap;
#endif
}

RTHEAP_PRIVATE void rtheap_count_failed(rtheap_t *heap)
{
#if RTHEAP_STATS
    heap->failed_count++;
#else
    (void)heap;
#endif
}

/* ------------------------------------------------------------------------ */
/* rtheap_get_stats()                                                        */
/* ------------------------------------------------------------------------ */

/**
 * Usable bytes of the largest request rtheap_alloc() cannot fail on now. The
 * head of the top class is checked as an allocation would check it; a
 * damaged one is taken out of service first, so that nothing is promised
 * that an allocation would refuse (bounded: each round removes one).
 */
RTHEAP_PRIVATE size_t rtheap_largest_guaranteed(rtheap_t *heap)
{
    /* wcet-loop: largest-rounds 4 */
    for (uint32_t round = 0; round < 4u && heap->fl_bitmap != 0; round++) {
        uint32_t fl = rtheap_fls(heap->fl_bitmap);
        uint32_t c = fl * SL_COUNT + rtheap_fls(heap->sl_bitmap[fl]);
        block_t *b = heap->heads[c];
        /* Any request up to the head block of the top class is found: by the
         * rounded search when its rounded class is not above the top class,
         * else by the check of its own class's head (see rtheap_find). */
        uintptr_t size = rtheap_entry_ok(heap, b, MIN_BLOCK, true);
        if (size != 0) {
            return (size_t)(size - WORD);
        }
        if (!RTHEAP_CHECKS) {
            break;
        }
        rtheap_contain_listed(heap, b, c);
    }
    return 0;
}

/** Copies the statistics into *s, field by field (a struct copy could become a memcpy call). */
RTHEAP_PRIVATE bool rtheap_get_stats_unlocked(rtheap_t *heap, rtheap_stats_t *s)
{
    s->heap_bytes = heap->heap_bytes;
    s->arena_bytes = heap->arena_bytes;
    s->largest_guaranteed = rtheap_largest_guaranteed(heap);
    s->error_count = heap->error_count;
    s->region_count = heap->region_count;
    s->quarantine_count = heap->quarantine_count;
    s->quarantined_bytes = heap->quarantined_bytes;
#if RTHEAP_STATS
    s->used_bytes_with_overhead = heap->used_total;
    size_t live = (size_t)(uint32_t)(heap->alloc_count - heap->free_count);
    s->used_bytes = heap->used_total - live * WORD;
    /* Quarantined blocks sized by a forged header could overlap live ones:
     * never let that wrap the free count. */
    size_t unused = heap->arena_bytes - heap->used_total;
    s->free_bytes = unused > heap->quarantined_bytes ? unused - heap->quarantined_bytes : 0u;
    s->peak_used_bytes = heap->peak_total;
    s->live_blocks = live;
    s->alloc_count = heap->alloc_count;
    s->free_count = heap->free_count;
    s->realloc_count = heap->realloc_count;
    s->failed_count = heap->failed_count;
#else
    /* Runs of at most two zeros: clang makes a longer one a call of
     * __aeabi_memclr4. */
    s->used_bytes_with_overhead = 0;
    s->used_bytes = 0;
    RTHEAP_NO_STORE_PATTERN(s);
    s->free_bytes = 0;
    s->peak_used_bytes = 0;
    RTHEAP_NO_STORE_PATTERN(s);
    s->live_blocks = 0;
    s->alloc_count = 0;
    RTHEAP_NO_STORE_PATTERN(s);
    s->free_count = 0;
    s->realloc_count = 0;
    RTHEAP_NO_STORE_PATTERN(s);
    s->failed_count = 0;
#endif
    return true;
}

bool rtheap_get_stats(rtheap_t *heap, rtheap_stats_t *out)
{
    if (heap == NULL || out == NULL) {
        return false;
    }
    LOCKED_CALL(heap, false, rtheap_get_stats_unlocked(heap, out));
}
