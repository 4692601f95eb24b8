/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * \file rtheap_freertos.h
 * \brief rtheap as the FreeRTOS heap: what rtheap_freertos.c adds to the heap
 * interface of FreeRTOS's portable.h (pvPortMalloc, vPortFree, ... are
 * declared there).
 *
 * Options (define them in FreeRTOSConfig.h or on the command line):
 *   RTHEAP_FREERTOS_UCHEAP      1: the heap is ucHeap[configTOTAL_HEAP_SIZE]
 *                               unless vPortDefineHeapRegions() came first
 *                               (default: 1 when configTOTAL_HEAP_SIZE is
 *                               defined); 0: regions only, no ucHeap (heap_5).
 *   RTHEAP_FREERTOS_STATS_WALK  1 (default): vPortGetHeapStats() walks the heap
 *                               for the largest and smallest free block and
 *                               the number of free blocks, O(blocks) with
 *                               interrupts masked; 0: O(1), see docs/freertos.md.
 *   RTHEAP_FREERTOS_ALIGNMENT   alignment of every block (default
 *                               portBYTE_ALIGNMENT).
 */
#ifndef RTHEAP_FREERTOS_H
#define RTHEAP_FREERTOS_H

#include "rtheap.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The rtheap heap behind pvPortMalloc (built from ucHeap on first use), for
 * rtheap_check(), rtheap_walk() and rtheap_get_stats(). NULL while there is
 * none (regions not defined yet). Do not allocate from it directly: blocks
 * must come from pvPortMalloc to keep the FreeRTOS statistics meaningful.
 *
 * \return the heap, or NULL
 */
rtheap_t *rtheap_freertos_heap(void);

#ifdef __cplusplus
}
#endif

#endif /* RTHEAP_FREERTOS_H */
