/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* A FreeRTOS application that does not know which heap it has: three tasks
 * allocate and free, then it checks that the heap is back where it started.
 * Prints "consumer[<heap>]: OK" and exits 0 when it is. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "FreeRTOS.h"
#include "harness.h"
#include "semihost.h"
#include "task.h"
#if __has_include("rtheap_freertos.h")
#include "rtheap_freertos.h" /* only with rtheap::freertos */
#define CONSUMER_RTHEAP 1
#endif

static TaskHandle_t main_handle;

static void worker(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    for (size_t i = 0; i < 300; i++) {
        uint8_t *p = pvPortMalloc(16 + (i * 7 + id * 13) % 200);
        TH_CHECK_NOT_NULL(p);
        if (p != NULL) {
            memset(p, (int)id, 16);
            vPortFree(p);
        }
        if (i % 16 == 0) {
            vTaskDelay(1);
        }
    }
    xTaskNotifyGive(main_handle);
    vTaskDelete(NULL);
}

static void main_task(void *arg)
{
    (void)arg;
    UBaseType_t tasks = uxTaskGetNumberOfTasks();
    size_t free_before = xPortGetFreeHeapSize();
    for (uintptr_t i = 0; i < 3; i++) {
        TH_CHECK(xTaskCreate(worker, "w", 160, (void *)i, 1 + (UBaseType_t)i, NULL) == pdPASS);
    }
    for (int done = 0; done < 3;) {
        done += (int)ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
    }
    /* The idle task frees a deleted task's stack and TCB after it has taken
     * the task off the count, outside its critical section: a tick can wake
     * this task in between. Wait for both (at most 100 ticks). */
    for (int i = 0;
         i < 100 && (uxTaskGetNumberOfTasks() != tasks || xPortGetFreeHeapSize() != free_before);
         i++) {
        vTaskDelay(1);
    }
    TH_CHECK_EQ(xPortGetFreeHeapSize(), free_before);
    HeapStats_t hs;
    vPortGetHeapStats(&hs);
    TH_CHECK(hs.xNumberOfSuccessfulAllocations >= 900u);
#ifdef CONSUMER_RTHEAP
    TH_CHECK_EQ(rtheap_check(rtheap_freertos_heap()), RTHEAP_OK);
#endif
    if (th_summary() == 0) {
        th_println("consumer[" CONSUMER_HEAP "]: OK");
        semihost_exit(0);
    }
    semihost_exit(1);
}

int main(void)
{
    if (xTaskCreate(main_task, "main", 256, NULL, 4, &main_handle) != pdPASS) {
        return 1;
    }
    vTaskStartScheduler();
    return 1;
}
