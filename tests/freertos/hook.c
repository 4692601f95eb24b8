/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The malloc-failed hook and the heap_4-style options of rtheap's FreeRTOS heap,
 * built with configAPPLICATION_ALLOCATED_HEAP 1 (ucHeap is defined
 * here), RTHEAP_FREERTOS_STATS_WALK 0 (O(1) vPortGetHeapStats) and
 * RTHEAP_FREERTOS_ALIGNMENT 32 (the rtheap_alloc_aligned path). Checks:
 *   - the heap is built in the application's ucHeap on first use;
 *   - pvPortMalloc(0), an exhausted heap, a task or queue too large for the heap
 *     (before and under the scheduler) call vApplicationMallocFailedHook() once
 *     each; a pvPortCalloc whose size overflows returns NULL without it, as heap_4;
 *   - every block is 32-byte aligned and inside ucHeap; pvPortCalloc zeroes;
 *   - the O(1) statistics: the largest free block is rtheap's largest_guaranteed
 *     less the worst 32-byte alignment gap (0 if less than a minimum block's
 *     payload is left), and every pvPortMalloc up to it succeeds, also with one
 *     small hole in a full heap;
 *     the smallest and the number of free blocks 0 ("unknown");
 *   - vPortHeapResetState() starts a new heap on the next call;
 *   - nothing leaks from a failed task or queue creation. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "FreeRTOS.h"
#include "fw.h"
#include "harness.h"
#include "queue.h"
#include "rtheap_freertos.h"
#include "semihost.h"
#include "task.h"

uint8_t ucHeap[configTOTAL_HEAP_SIZE];

static int in_ucheap(const void *p, size_t n)
{
    uintptr_t a = (uintptr_t)p, s = (uintptr_t)ucHeap;
    return a >= s && a + n <= s + sizeof ucHeap;
}

/* Allocates `size`-byte blocks until the heap is exhausted (chained through their
 * first word), checking each; returns the chain. */
static void main_task(void *arg);

static void **fill(size_t size, int *count)
{
    void **head = NULL;
    void **p;
    *count = 0;
    while ((p = pvPortMalloc(size)) != NULL) {
        TH_CHECK(in_ucheap(p, size));
        TH_CHECK_EQ((uintptr_t)p % 32u, 0);
        *p = head;
        head = p;
        (*count)++;
    }
    return head;
}

static void release(void **head)
{
    while (head != NULL) {
        void **next = *head;
        vPortFree(head);
        head = next;
    }
}

static void check_o1_stats(rtheap_t *heap)
{
    rtheap_stats_t st;
    HeapStats_t hs;
    TH_CHECK(rtheap_get_stats(heap, &st));
    vPortGetHeapStats(&hs);
    TH_CHECK_EQ(hs.xAvailableHeapSpaceInBytes, st.free_bytes);
    /* Less the worst alignment gap, if a minimum block's payload is left. */
    size_t gap = 32u + RTHEAP_MIN_BLOCK - RTHEAP_ALIGNMENT;
    size_t least = gap + RTHEAP_MIN_BLOCK - sizeof(void *);
    size_t largest = st.largest_guaranteed >= least ? st.largest_guaranteed - gap : 0u;
    TH_CHECK_EQ(hs.xSizeOfLargestFreeBlockInBytes, largest);
    TH_CHECK_EQ(hs.xSizeOfSmallestFreeBlockInBytes, 0);
    TH_CHECK_EQ(hs.xNumberOfFreeBlocks, 0);
    TH_CHECK_EQ(hs.xMinimumEverFreeBytesRemaining, st.arena_bytes - st.peak_used_bytes);
    TH_CHECK_EQ(hs.xNumberOfSuccessfulAllocations, st.alloc_count);
    TH_CHECK_EQ(hs.xNumberOfSuccessfulFrees, st.free_count);
    /* What it promises: a request of the largest succeeds now, wherever the
     * block that serves it lies (hooks: none). */
    if (largest != 0) {
        uint32_t hooks = fw_malloc_failed;
        void *p = pvPortMalloc(largest);
        TH_CHECK_NOT_NULL(p);
        TH_CHECK_EQ(fw_malloc_failed, hooks);
        vPortFree(p);
    }
}

/* The O(1) largest free block's promise: every pvPortMalloc up to it
 * succeeds now (each freed again, which gives the heap back as it was). */
static void check_largest_promise(void)
{
    HeapStats_t hs;
    vPortGetHeapStats(&hs);
    size_t largest = hs.xSizeOfLargestFreeBlockInBytes;
    uint32_t hooks = fw_malloc_failed;
    for (size_t n = 1; n <= largest; n = n < 64u || n == largest ? n + 1u : largest) {
        void *p = pvPortMalloc(n);
        if (!TH_CHECK_NOT_NULL(p)) {
            th_print("  pvPortMalloc failed: ");
            th_print_u((uint32_t)n);
            th_print(" bytes, reported largest ");
            th_print_u((uint32_t)largest);
            th_println("");
            break;
        }
        vPortFree(p);
    }
    TH_CHECK_EQ(fw_malloc_failed, hooks);
}

/* A heap full of small blocks with one hole of a few sizes: the largest it
 * reports must hold, down to requests that take a minimum block. */
static void check_largest_holes(void)
{
    static const size_t sizes[] = {4, 12, 20, 28, 36, 44, 60, 92};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int n;
        void **chain = fill(sizes[i], &n);
        TH_CHECK(n > 8);
        /* Take a block from the middle of the chain and free it: the hole. */
        void **prev = chain;
        for (int k = 0; k < n / 2 && prev != NULL && *prev != NULL; k++) {
            prev = *prev;
        }
        void **hole = *prev;
        *prev = *hole;
        vPortFree(hole);
        check_largest_promise();
        release(chain);
    }
}

static void check_hook_and_alignment(rtheap_t *heap)
{
    uint32_t hooks = fw_malloc_failed;
    TH_CHECK_NULL(pvPortMalloc(0));
    TH_CHECK_EQ(fw_malloc_failed, hooks + 1u);
    int n;
    void **chain = fill(500, &n);
    TH_CHECK(n > 4);
    TH_CHECK_EQ(fw_malloc_failed, hooks + 2u);
    check_o1_stats(heap);
    release(chain);
    /* Overflowing pvPortCalloc: NULL, no hook (heap_4 does the same). */
    TH_CHECK_NULL(pvPortCalloc(SIZE_MAX / 2u + 1u, 2));
    TH_CHECK_EQ(fw_malloc_failed, hooks + 2u);
    /* pvPortCalloc zeroes memory that was dirty. */
    uint8_t *d = pvPortMalloc(100);
    TH_CHECK_NOT_NULL(d);
    memset(d, 0xA5, 100);
    vPortFree(d);
    uint8_t *z = pvPortCalloc(25, 4);
    TH_CHECK_PTR_EQ(z, d);
    int zero = 1;
    for (int i = 0; z != NULL && i < 100; i++) {
        zero &= z[i] == 0;
    }
    TH_CHECK(zero);
    vPortFree(z);
    vPortFree(NULL);
    check_o1_stats(heap);
    check_largest_holes();
}

static void check_reset(void)
{
    void *p = pvPortMalloc(64);
    TH_CHECK_NOT_NULL(p);
    vPortHeapResetState(); /* forgets everything, p included */
    rtheap_t *heap = rtheap_freertos_heap();
    TH_CHECK(in_ucheap(heap, sizeof(void *)));
    rtheap_stats_t st;
    TH_CHECK(rtheap_get_stats(heap, &st));
    TH_CHECK_EQ(st.alloc_count, 0);
    TH_CHECK_EQ(st.live_blocks, 0);
    TH_CHECK_EQ(st.free_bytes, st.arena_bytes);
    TH_CHECK_EQ(xPortGetMinimumEverFreeHeapSize(), st.arena_bytes);
}

/* Kernel objects too large for the heap: the kernel's pvPortMalloc call fails,
 * the hook runs, and whatever was allocated on the way is freed. */
static void check_kernel_failures(rtheap_t *heap)
{
    rtheap_stats_t before, after;
    uint32_t hooks = fw_malloc_failed;
    TH_CHECK(rtheap_get_stats(heap, &before));
    TH_CHECK(xTaskCreate(main_task, "huge", configTOTAL_HEAP_SIZE / 4u, NULL, 1, NULL) ==
             errCOULD_NOT_ALLOCATE_REQUIRED_MEMORY);
    TH_CHECK_NULL(xQueueCreate(configTOTAL_HEAP_SIZE / 16u, 16));
    TH_CHECK_EQ(fw_malloc_failed, hooks + 2u);
    TH_CHECK(rtheap_get_stats(heap, &after));
    TH_CHECK_EQ(after.live_blocks, before.live_blocks);
    TH_CHECK_EQ(after.used_bytes, before.used_bytes);
}

static void main_task(void *arg)
{
    rtheap_t *heap = arg;
    rtheap_stats_t before, after;
    TH_CHECK(rtheap_get_stats(heap, &before));
    uint32_t hooks = fw_malloc_failed;
    /* Queues until the heap is exhausted, under the scheduler. */
    static QueueHandle_t queues[160];
    int n = 0;
    while (n < 160 && (queues[n] = xQueueCreate(8, 64)) != NULL) {
        n++;
    }
    TH_CHECK(n > 4 && n < 160);
    TH_CHECK_EQ(fw_malloc_failed, hooks + 1u);
    check_o1_stats(heap);
    while (n > 0) {
        vQueueDelete(queues[--n]);
    }
    check_kernel_failures(heap);
    TH_CHECK(rtheap_get_stats(heap, &after));
    TH_CHECK_EQ(after.live_blocks, before.live_blocks);
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    th_print("freertos_hook on " RTHEAP_BOARD_NAME ": ");
    th_print_u(fw_malloc_failed);
    th_println(" malloc-failed hooks");
    semihost_exit(th_summary());
}

int main(void)
{
    rtheap_t *heap = rtheap_freertos_heap(); /* built on first use, in ucHeap */
    if (!TH_CHECK(in_ucheap(heap, sizeof(void *)))) {
        return th_summary();
    }
    check_hook_and_alignment(heap);
    check_reset();
    heap = rtheap_freertos_heap();
    check_kernel_failures(heap);
    if (xTaskCreate(main_task, "main", 256, heap, 1, NULL) != pdPASS) {
        th_println("freertos_hook: cannot create the main task");
        return 1;
    }
    vTaskStartScheduler();
    return 1;
}
