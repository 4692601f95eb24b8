/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap as the FreeRTOS heap: the heap interface of FreeRTOS's portable.h
 * (what the kernel's heap_1.c ... heap_5.c implement) on one rtheap heap.
 * Build this file instead of heap_N.c, with the application's FreeRTOSConfig.h
 * and the kernel's include paths (CMake: link rtheap::freertos).
 *
 * The heap is ucHeap[configTOTAL_HEAP_SIZE] (a static array here, or the
 * application's own when configAPPLICATION_ALLOCATED_HEAP is 1), built on the
 * first call, or the regions given to vPortDefineHeapRegions() (heap_5's
 * interface, any number of regions up to RTHEAP_MAX_REGIONS).
 *
 * Locking: rtheap's own lock, a PRIMASK critical section, and nothing else
 * (on cores that share the heap, rtheap's spinlock or the firmware's user
 * lock, which mask interrupts the same way and also exclude the other cores:
 * docs/multicore.md).
 * The kernel's heaps suspend the scheduler (vTaskSuspendAll), which makes them
 * unusable from interrupt handlers; their walks are O(n), so masking
 * interrupts instead would cost an unbounded latency. rtheap's calls are O(1)
 * (a few hundred instructions at most), so masking every interrupt for one
 * call is a small, bounded latency, and it buys:
 *   - pvPortMalloc/vPortFree from any interrupt handler, including those above
 *     configMAX_SYSCALL_INTERRUPT_PRIORITY, which the kernel never masks (its
 *     critical sections only raise BASEPRI) and which may not call any other
 *     FreeRTOS API. A BASEPRI section (taskENTER_CRITICAL_FROM_ISR) would let
 *     such an interrupt preempt a half-done allocation: it could not be allowed
 *     to allocate. The price is that those interrupts, too, wait for at most one
 *     heap call: count it in their worst-case latency.
 *   - the same code on every core: Armv6-M (Cortex-M0/M0+/M23) has no BASEPRI
 *     and its port masks with PRIMASK anyway.
 *   - correct nesting with the kernel: the lock saves and restores PRIMASK and
 *     leaves BASEPRI alone, so a heap call inside taskENTER_CRITICAL() (or from
 *     an ISR) returns with the kernel's mask as it found it.
 * Calls that are not O(1) keep their linear part outside the lock where they
 * can: pvPortCalloc zeroes after the allocation, with interrupts enabled.
 * vPortGetHeapStats with RTHEAP_FREERTOS_STATS_WALK 1 is the exception (see
 * there). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "FreeRTOS.h"
#include "rtheap.h"
#include "rtheap_freertos.h"

#if !RTHEAP_LOCK_PRIMASK && !RTHEAP_LOCK_SPIN && !RTHEAP_LOCK_USER
#error "rtheap_freertos.c needs rtheap's PRIMASK lock (the default on Cortex-M), its spinlock or the user lock: see the comment above"
#endif
/* xPortGetFreeHeapSize(), the minimum ever free and vPortGetHeapStats() are
 * rtheap's counters, which RTHEAP_STATS 0 (and RTHEAP_SMALL's default) leaves
 * out: they would all read 0. */
#if !RTHEAP_STATS
#error "rtheap_freertos.c needs RTHEAP_STATS 1 (FreeRTOS's heap figures are rtheap's statistics); with RTHEAP_SMALL define RTHEAP_STATS 1 too"
#endif

#ifndef RTHEAP_FREERTOS_UCHEAP
#ifdef configTOTAL_HEAP_SIZE
#define RTHEAP_FREERTOS_UCHEAP 1
#else
#define RTHEAP_FREERTOS_UCHEAP 0
#endif
#endif

#ifndef RTHEAP_FREERTOS_STATS_WALK
#define RTHEAP_FREERTOS_STATS_WALK 1
#endif

#ifndef RTHEAP_FREERTOS_ALIGNMENT
#define RTHEAP_FREERTOS_ALIGNMENT portBYTE_ALIGNMENT
#endif

#if (RTHEAP_FREERTOS_ALIGNMENT & (RTHEAP_FREERTOS_ALIGNMENT - 1)) != 0
#error "RTHEAP_FREERTOS_ALIGNMENT must be a power of two"
#endif

#if RTHEAP_FREERTOS_UCHEAP
#if configAPPLICATION_ALLOCATED_HEAP == 1
/* The application defines it: uint8_t ucHeap[configTOTAL_HEAP_SIZE]; */
extern uint8_t ucHeap[configTOTAL_HEAP_SIZE];
#else
/* Aligned so that none of it is lost to rounding up. */
PRIVILEGED_DATA static uint8_t ucHeap[configTOTAL_HEAP_SIZE] __attribute__((aligned(8)));
#endif
#endif

typedef struct {
    rtheap_t *volatile heap;
    /* After xPortResetHeapMinimumEverFreeHeapSize(): the minimum is kept here,
     * updated by every allocation; before, rtheap's peak gives it for free. */
    volatile bool track_min;
    volatile size_t min_free;
} port_state_t;

/* wcet-nonnull: port (its heap, once built: the steady state) */
PRIVILEGED_DATA static port_state_t port;

/* rtheap's lock itself, which nests: the calls made inside it take it again. */
static inline uint32_t port_lock(void)
{
    return RTHEAP_LOCK((rtheap_t *)NULL);
}

static inline void port_unlock(uint32_t state)
{
    RTHEAP_UNLOCK((rtheap_t *)NULL, state);
}

#if configASSERT_DEFINED == 1
/* A pointer rtheap refused (double free, foreign, overwritten header): the
 * kernel's heaps stop at configASSERT for the same misuse. */
static void port_bad_pointer(rtheap_t *heap, rtheap_error_t kind, const void *ptr, void *user)
{
    (void)heap, (void)ptr, (void)user;
    configASSERT(kind == RTHEAP_OK);
}
#endif

static void port_publish(rtheap_t *heap)
{
#if configASSERT_DEFINED == 1
    rtheap_set_error_hook(heap, port_bad_pointer, NULL);
#endif
    port.track_min = false;
    port.heap = heap;
}

/* The heap, built from ucHeap on first use (inside the lock: an interrupt may
 * make the first call). NULL in regions-only builds before the regions. */
static rtheap_t *port_heap(void)
{
    rtheap_t *heap = port.heap;
#if RTHEAP_FREERTOS_UCHEAP
    if (heap == NULL) {
        uint32_t state = port_lock();
        heap = port.heap;
        if (heap == NULL) {
            /* wcet-once: rtheap_init (the first call builds the heap: bounded apart) */
            heap = rtheap_init(ucHeap, configTOTAL_HEAP_SIZE);
            configASSERT(heap != NULL); /* configTOTAL_HEAP_SIZE too small */
            if (heap != NULL) {
                port_publish(heap);
            }
        }
        port_unlock(state);
    }
#endif
    return heap;
}

rtheap_t *rtheap_freertos_heap(void)
{
    return port_heap();
}

static size_t port_free_bytes(rtheap_t *heap)
{
    rtheap_stats_t st;
    return rtheap_get_stats(heap, &st) ? st.free_bytes : 0;
}

static void *port_alloc(rtheap_t *heap, size_t size)
{
#if RTHEAP_FREERTOS_ALIGNMENT > RTHEAP_ALIGNMENT
    return rtheap_alloc_aligned(heap, size, RTHEAP_FREERTOS_ALIGNMENT);
#else
    return rtheap_alloc(heap, size);
#endif
}

/* The allocation and the reading of what is left in one critical section, so
 * that no free in between hides the minimum. Only after a reset of the
 * minimum: O(1), but about twice the work of an allocation. */
static void *port_alloc_tracked(rtheap_t *heap, size_t size)
{
    uint32_t state = port_lock();
    void *p = port_alloc(heap, size);
    if (p != NULL) {
        size_t left = port_free_bytes(heap);
        if (left < port.min_free) {
            port.min_free = left;
        }
    }
    port_unlock(state);
    return p;
}

void *pvPortMalloc(size_t xWantedSize)
{
    void *p = NULL;
    rtheap_t *heap = port_heap();
    configASSERT(heap != NULL); /* regions-only build: vPortDefineHeapRegions() first */
    /* Zero bytes gets NULL, as from the kernel's heaps. */
    if (heap != NULL && xWantedSize > 0) {
        p = port.track_min ? port_alloc_tracked(heap, xWantedSize) : port_alloc(heap, xWantedSize);
    }
    /* The size argument is evaluated only by a traceMALLOC that uses it. */
    traceMALLOC(p, p != NULL ? rtheap_usable_size(heap, p) : 0u);
#if configUSE_MALLOC_FAILED_HOOK == 1
    if (p == NULL) {
        vApplicationMallocFailedHook();
    }
#endif
    configASSERT(((uintptr_t)p & (uintptr_t)(RTHEAP_FREERTOS_ALIGNMENT - 1)) == 0);
    return p;
}

void vPortFree(void *pv)
{
    rtheap_t *heap = port.heap;
    if (pv == NULL) {
        return;
    }
    configASSERT(heap != NULL); /* a block, but never a heap */
    if (heap != NULL) {
        traceFREE(pv, rtheap_usable_size(heap, pv)); /* before: it is the caller's block */
        rtheap_free(heap, pv);
    }
}

void *pvPortCalloc(size_t xNum, size_t xSize)
{
    /* Overflow gets NULL without the hook, as from heap_4. */
    if (xSize != 0 && xNum > SIZE_MAX / xSize) {
        return NULL;
    }
    size_t bytes = xNum * xSize;
    void *p = pvPortMalloc(bytes);
    if (p != NULL) {
        /* Outside the heap lock: the zeroing is O(bytes). */
        (void)memset(p, 0, bytes);
    }
    return p;
}

void vPortInitialiseBlocks(void)
{
    /* Nothing to do: the heap is built on first use (kept for the API). */
}

void vPortDefineHeapRegions(const HeapRegion_t *const pxHeapRegions)
{
    /* As heap_5: before any allocation, once (after vPortHeapResetState()
     * again). Regions may come in any order; the first holds the control
     * structure and is preferred for blocks of equal class. O(regions). */
    configASSERT(port.heap == NULL);
    if (port.heap != NULL || pxHeapRegions == NULL || pxHeapRegions[0].xSizeInBytes == 0) {
        return;
    }
    size_t largest = 0;
    /* wcet-loop: define-largest regions */
    for (const HeapRegion_t *r = pxHeapRegions; r->xSizeInBytes > 0; r++) {
        largest = r->xSizeInBytes > largest ? r->xSizeInBytes : largest;
    }
    /* The index covers the largest region, so it is never cut into chunks. */
    rtheap_t *heap =
        rtheap_init_for(pxHeapRegions[0].pucStartAddress, pxHeapRegions[0].xSizeInBytes, largest);
    configASSERT(heap != NULL); /* first region too small for the control structure */
    if (heap == NULL) {
        return;
    }
    /* wcet-loop: define-add regions */
    for (const HeapRegion_t *r = pxHeapRegions + 1; r->xSizeInBytes > 0; r++) {
        bool added = rtheap_add_region(heap, r->pucStartAddress, r->xSizeInBytes);
        configASSERT(added); /* too small, overlapping, or more than RTHEAP_MAX_REGIONS */
        (void)added;
    }
    port_publish(heap);
}

size_t xPortGetFreeHeapSize(void)
{
    rtheap_t *heap = port_heap();
    return heap != NULL ? port_free_bytes(heap) : 0u;
}

/* rtheap's peak of used bytes gives the minimum since the heap was built;
 * after a reset the allocations keep it (port_alloc_tracked). O(1). */
static size_t port_min_ever(rtheap_t *heap, const rtheap_stats_t *st)
{
    (void)heap;
    if (port.track_min) {
        return port.min_free;
    }
    return st->arena_bytes - st->peak_used_bytes;
}

size_t xPortGetMinimumEverFreeHeapSize(void)
{
    rtheap_t *heap = port_heap();
    rtheap_stats_t st;
    if (heap == NULL || !rtheap_get_stats(heap, &st)) {
        return 0u;
    }
    return port_min_ever(heap, &st);
}

void xPortResetHeapMinimumEverFreeHeapSize(void)
{
    rtheap_t *heap = port_heap();
    if (heap == NULL) {
        return;
    }
    uint32_t state = port_lock();
    port.min_free = port_free_bytes(heap);
    port.track_min = true;
    port_unlock(state);
}

#if !RTHEAP_FREERTOS_STATS_WALK
/* The largest pvPortMalloc that cannot fail now, in O(1): rtheap's
 * largest_guaranteed, less the worst alignment gap when pvPortMalloc aligns
 * above rtheap's own alignment (rtheap_alloc_aligned then searches for room
 * for the request and that gap: RTHEAP_MIN_BLOCK - RTHEAP_ALIGNMENT bytes
 * more than the alignment, for a gap that must hold a free block). A request
 * below a minimum block's payload takes a whole minimum block, so what is
 * left must be at least that payload, or nothing is guaranteed (0): then
 * every request up to the figure cannot fail. */
static size_t port_largest_guaranteed(const rtheap_stats_t *st)
{
#if RTHEAP_FREERTOS_ALIGNMENT > RTHEAP_ALIGNMENT
    size_t gap = RTHEAP_FREERTOS_ALIGNMENT + RTHEAP_MIN_BLOCK - RTHEAP_ALIGNMENT;
    size_t least = gap + RTHEAP_MIN_BLOCK - sizeof(void *); /* a minimum block's payload */
    return st->largest_guaranteed >= least ? st->largest_guaranteed - gap : 0u;
#else
    return st->largest_guaranteed;
#endif
}
#endif

#if RTHEAP_FREERTOS_STATS_WALK
typedef struct {
    size_t largest, smallest, count;
} port_free_scan_t;

static bool port_scan_free(const rtheap_block_info_t *block, void *user)
{
    port_free_scan_t *scan = user;
    if (!block->used) {
        scan->count++;
        scan->largest = block->size > scan->largest ? block->size : scan->largest;
        scan->smallest = block->size < scan->smallest ? block->size : scan->smallest;
    }
    return true;
}
#endif

/* Sizes of free blocks are their usable bytes, not counting the 4-byte
 * header as heap_4 does. With RTHEAP_FREERTOS_STATS_WALK 1 the largest, the
 * smallest and the number of free blocks are exact, from a walk of every
 * block: O(blocks), with interrupts masked for the walk (as for
 * rtheap_check()), so keep it out of time-critical code, as with the
 * kernel's heaps (their walk of the free list suspends the scheduler). A
 * pvPortMalloc of the largest can still fail: the search looks at the head
 * of that block's list only, and an alignment above rtheap's needs room for
 * a gap. With 0 it is O(1) and bounded: the largest is the largest
 * pvPortMalloc that cannot fail now (port_largest_guaranteed), the smallest
 * and the number of free blocks are not known and reported as 0. Every other
 * field is O(1) and exact. */
void vPortGetHeapStats(HeapStats_t *pxHeapStats)
{
    rtheap_t *heap = port_heap();
    rtheap_stats_t st = {0};
    size_t largest = 0, smallest = 0, count = 0;
    uint32_t state = port_lock(); /* one snapshot: no interrupt between the two reads */
    if (heap != NULL) {
        (void)rtheap_get_stats(heap, &st);
#if RTHEAP_FREERTOS_STATS_WALK
        port_free_scan_t scan = {0, SIZE_MAX, 0};
        (void)rtheap_walk(heap, port_scan_free, &scan);
        largest = scan.largest;
        smallest = scan.count > 0 ? scan.smallest : 0u;
        count = scan.count;
#else
        largest = port_largest_guaranteed(&st);
#endif
    }
    pxHeapStats->xAvailableHeapSpaceInBytes = st.free_bytes;
    pxHeapStats->xSizeOfLargestFreeBlockInBytes = largest;
    pxHeapStats->xSizeOfSmallestFreeBlockInBytes = smallest;
    pxHeapStats->xNumberOfFreeBlocks = count;
    pxHeapStats->xMinimumEverFreeBytesRemaining = heap != NULL ? port_min_ever(heap, &st) : 0u;
    pxHeapStats->xNumberOfSuccessfulAllocations = st.alloc_count;
    pxHeapStats->xNumberOfSuccessfulFrees = st.free_count;
    port_unlock(state);
}

void vPortHeapResetState(void)
{
    /* As heap_4/heap_5: forget the heap (before restarting the scheduler); the
     * next call builds it again from ucHeap, or needs vPortDefineHeapRegions(). */
    port.heap = NULL;
    port.track_min = false;
    port.min_free = 0;
}
