/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* heap_5's interface on rtheap: vPortDefineHeapRegions() with two
 * regions (two static arrays with other data between them), no ucHeap (RTHEAP_FREERTOS_UCHEAP 0). Checks that
 *   - there is no heap before the regions are defined;
 *   - blocks come from both regions, each block wholly inside one;
 *   - the exact statistics (walk) agree with a walk of our own, before and after;
 *   - xPortResetHeapMinimumEverFreeHeapSize() restarts the minimum;
 *   - under the scheduler, a task whose stack cannot fit in the first region gets
 *     it from the second, runs, and is reclaimed;
 * and ends with the heap as it began. */
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

#define REGION_A_BYTES 2048u
#define REGION_B_BYTES 6144u
#define BIG_STACK_WORDS 700u /* 2800 bytes: more than region A can hold */
#define N_BLOCKS 64

static uint8_t region_a[REGION_A_BYTES] __attribute__((aligned(8)));
static uint8_t gap[64] __attribute__((used));
static uint8_t region_b[REGION_B_BYTES] __attribute__((aligned(8)));
static uint8_t *b_start;
static size_t b_bytes;
static TaskHandle_t main_handle;
static volatile uintptr_t big_task_sp;

static int in_range(const void *p, size_t n, const uint8_t *start, size_t bytes)
{
    uintptr_t a = (uintptr_t)p, s = (uintptr_t)start;
    return a >= s && a + n <= s + bytes;
}

typedef struct {
    size_t largest, smallest, count, bytes;
} walk_t;

static bool walk_free(const rtheap_block_info_t *b, void *user)
{
    walk_t *w = user;
    if (!b->used) {
        w->count++;
        w->bytes += b->size + sizeof(size_t);
        w->largest = b->size > w->largest ? b->size : w->largest;
        w->smallest = b->size < w->smallest ? b->size : w->smallest;
    }
    return true;
}

static void check_stats(rtheap_t *heap)
{
    rtheap_stats_t st;
    HeapStats_t hs;
    walk_t w = {0, SIZE_MAX, 0, 0};
    TH_CHECK(rtheap_get_stats(heap, &st));
    vPortGetHeapStats(&hs);
    (void)rtheap_walk(heap, walk_free, &w);
    TH_CHECK_EQ(hs.xAvailableHeapSpaceInBytes, st.free_bytes);
    TH_CHECK_EQ(w.bytes, st.free_bytes);
    TH_CHECK_EQ(hs.xNumberOfFreeBlocks, w.count);
    TH_CHECK_EQ(hs.xSizeOfLargestFreeBlockInBytes, w.count ? w.largest : 0u);
    TH_CHECK_EQ(hs.xSizeOfSmallestFreeBlockInBytes, w.count ? w.smallest : 0u);
    TH_CHECK_EQ(hs.xNumberOfSuccessfulAllocations, st.alloc_count);
    TH_CHECK_EQ(hs.xNumberOfSuccessfulFrees, st.free_count);
    TH_CHECK_EQ(hs.xMinimumEverFreeBytesRemaining, xPortGetMinimumEverFreeHeapSize());
}

/* Fills the heap with 200-byte blocks: both regions must serve some. */
static void fill_both_regions(rtheap_t *heap)
{
    static uint8_t *blocks[N_BLOCKS];
    int n = 0, in_a = 0, in_b = 0;
    uint32_t failed = fw_malloc_failed;
    while (n < N_BLOCKS && (blocks[n] = pvPortMalloc(200)) != NULL) {
        int a = in_range(blocks[n], 200, region_a, sizeof region_a);
        int b = in_range(blocks[n], 200, b_start, b_bytes);
        TH_CHECK(a != b); /* in exactly one region */
        in_a += a;
        in_b += b;
        memset(blocks[n], n, 200);
        n++;
    }
    TH_CHECK(n < N_BLOCKS);                /* it ran out ... */
    TH_CHECK_EQ(fw_malloc_failed, failed + 1u); /* ... and the hook said so once */
    TH_CHECK(in_a >= 2 && in_b >= 2);
    check_stats(heap);
    for (int i = 0; i < n; i += 2) { /* holes in both regions */
        vPortFree(blocks[i]);
    }
    check_stats(heap);
    for (int i = 1; i < n; i += 2) {
        TH_CHECK(blocks[i][0] == (uint8_t)i && blocks[i][199] == (uint8_t)i);
        vPortFree(blocks[i]);
    }
    check_stats(heap);
}

static void check_min_reset(void)
{
    size_t before = xPortGetMinimumEverFreeHeapSize();
    TH_CHECK(before < xPortGetFreeHeapSize()); /* the fill went lower */
    xPortResetHeapMinimumEverFreeHeapSize();
    size_t now = xPortGetFreeHeapSize();
    TH_CHECK_EQ(xPortGetMinimumEverFreeHeapSize(), now);
    void *p = pvPortMalloc(500);
    TH_CHECK_NOT_NULL(p);
    size_t low = xPortGetFreeHeapSize();
    vPortFree(p);
    TH_CHECK(low < now);
    TH_CHECK_EQ(xPortGetMinimumEverFreeHeapSize(), low);
    TH_CHECK_EQ(xPortGetFreeHeapSize(), now);
}

static void big_task(void *arg)
{
    (void)arg;
    volatile uint32_t local = 0;
    big_task_sp = (uintptr_t)&local;
    xTaskNotifyGive(main_handle);
    vTaskDelete(NULL);
}

static void main_task(void *arg)
{
    rtheap_t *heap = arg;
    rtheap_stats_t base, st;
    TH_CHECK(rtheap_get_stats(heap, &base));
    UBaseType_t tasks = uxTaskGetNumberOfTasks();
    TH_CHECK(xTaskCreate(big_task, "big", BIG_STACK_WORDS, NULL, 2, NULL) == pdPASS);
    TH_CHECK_EQ(ulTaskNotifyTake(pdTRUE, 100), 1);
    TH_CHECK(in_range((const void *)big_task_sp, 4, b_start, b_bytes)); /* stack in region B */
    for (int i = 0; i < 100 && uxTaskGetNumberOfTasks() != tasks; i++) {
        vTaskDelay(1); /* the idle task frees it */
    }
    TH_CHECK_EQ(uxTaskGetNumberOfTasks(), tasks);
    TH_CHECK(rtheap_get_stats(heap, &st));
    TH_CHECK_EQ(st.live_blocks, base.live_blocks);
    TH_CHECK_EQ(st.used_bytes, base.used_bytes);
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    check_stats(heap);
    th_print("freertos_regions on " RTHEAP_BOARD_NAME ": regions of ");
    th_print_u(REGION_A_BYTES);
    th_print(" and ");
    th_print_u(b_bytes);
    th_println(" bytes");
    semihost_exit(th_summary());
}

int main(void)
{
    b_start = region_b;
    b_bytes = sizeof region_b;
    TH_CHECK_NULL(rtheap_freertos_heap()); /* nothing before the regions */
    TH_CHECK_EQ(xPortGetFreeHeapSize(), 0);
    const HeapRegion_t regions[] = {
        {region_a, sizeof region_a},
        {b_start, b_bytes},
        {NULL, 0},
    };
    vPortDefineHeapRegions(regions);
    rtheap_t *heap = rtheap_freertos_heap();
    if (!TH_CHECK_NOT_NULL(heap)) {
        return th_summary();
    }
    rtheap_stats_t st;
    TH_CHECK(rtheap_get_stats(heap, &st));
    TH_CHECK_EQ(st.region_count, 2);
    TH_CHECK_EQ(st.heap_bytes, sizeof region_a + b_bytes);
    TH_CHECK(in_range(heap, sizeof(void *), region_a, sizeof region_a)); /* control in the first */
    TH_CHECK_EQ(xPortGetFreeHeapSize(), st.free_bytes);
    fill_both_regions(heap);
    check_min_reset();
    (void)gap;
    if (xTaskCreate(main_task, "main", 256, heap, 1, &main_handle) != pdPASS) {
        th_println("freertos_regions: cannot create the main task");
        return 1;
    }
    vTaskStartScheduler();
    return 1;
}
