/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* FreeRTOS on rtheap under the real kernel: tasks of four priorities
 * create and delete tasks, queues and timers (which the kernel allocates through
 * pvPortMalloc) and allocate and free buffers, two of them CPU-bound at the same
 * priority (time slicing), one freeing what another allocated; meanwhile the
 * board's hardware timer interrupt (priority 0, above
 * configMAX_SYSCALL_INTERRUPT_PRIORITY: never masked by the kernel) and the tick
 * hook (SysTick, the kernel's interrupt) allocate and free too.
 *
 * At the end every task has been joined (it notified the coordinator and deleted
 * itself, and the idle task reclaimed it), every kernel object deleted, and:
 *   - the heap's counts (vPortGetHeapStats, rtheap_get_stats, traceMALLOC/traceFREE)
 *     agree with each other and with a ledger of every allocation this program
 *     made or caused (two per task, one per queue and per timer);
 *   - the live blocks and bytes are exactly those before the workload: nothing leaked;
 *   - rtheap_check() is OK (also at every wake-up of the coordinator during the run);
 *   - no allocation failed and every buffer kept its contents.
 * Prints the number of heap operations and the interrupts' share of them. */
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
#include "timers.h"

/* 1: the consumer leaks one message; the test must then fail (negative control). */
#ifndef STRESS_LEAK
#define STRESS_LEAK 0
#endif
#ifndef STRESS_ITERATIONS
#define STRESS_ITERATIONS 20000u
#endif
/* Timer-interrupt period in timer clocks: about 10^4 instructions under -icount. */
#ifndef STRESS_TIMER_PERIOD
#define STRESS_TIMER_PERIOD 8000u
#endif
#define N_SLOTS 6
/* Buffers scale with the heap: 64 KiB -> up to 256 bytes, 13 KiB -> 52. */
#define MAX_BUF (configTOTAL_HEAP_SIZE / 256u)
#define N_CHURN 2
#define N_WORKERS (N_CHURN + 2)
#define N_MESSAGES (STRESS_ITERATIONS / 2u)
#define CHILD_STACK 100
#define WORKER_STACK 160

/* A set of buffers owned by one context (a task, the timer task, an interrupt). */
typedef struct {
    uint8_t *p[N_SLOTS];
    size_t n[N_SLOTS];
    uint8_t tag;
    uint32_t rng;
    uint32_t ops, allocs, frees, bad;
} owner_t;

/* Allocations this program made or caused, and their frees (kernel objects
 * included); updated with interrupts masked. */
typedef struct {
    uint32_t tasks, queues, timers; /* created (each later deleted) */
    uint32_t buf_allocs, buf_frees; /* buffers outside owner_t */
    uint32_t slices;                /* time slices seen between the churn tasks */
    uint32_t bad;
} ledger_t;

static ledger_t ledger;
static owner_t churn_owner[N_CHURN], timer_owner, irq_owner, tick_owner;
static TaskHandle_t coordinator;
static QueueHandle_t msgq;
static volatile uint32_t irq_count, tick_count, timer_callbacks, child_runs, irq_in_critical;

static void ledger_add(uint32_t *field, uint32_t n)
{
    uint32_t s = fw_irq_save();
    *field += n;
    fw_irq_restore(s);
}

/* ---- buffers: filled with a pattern that depends on the owner and the slot ---- */
static uint8_t pattern(uint8_t tag, size_t i, size_t n)
{
    return (uint8_t)(tag ^ (uint8_t)(i * 7u) ^ (uint8_t)n);
}

static void fill(uint8_t *p, size_t n, uint8_t tag)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = pattern(tag, i, n);
    }
}

static int intact(const uint8_t *p, size_t n, uint8_t tag)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != pattern(tag, i, n)) {
            return 0;
        }
    }
    return 1;
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0) {
            return 0;
        }
    }
    return 1;
}

/* One operation: allocate (pvPortMalloc or pvPortCalloc) into an empty slot, or
 * check and free a full one. Safe in any context that owns `o`. */
static void owner_step(owner_t *o, size_t max)
{
    uint32_t r = th_rand(&o->rng);
    int i = (int)(r % N_SLOTS);
    if (o->p[i] == NULL) {
        size_t n = 1u + (r >> 8) % max;
        uint8_t *p;
        if (r & 0x10000u) {
            p = pvPortCalloc(1, n);
            if (p != NULL && !all_zero(p, n)) {
                o->bad++;
            }
        } else {
            p = pvPortMalloc(n);
        }
        if (p != NULL) {
            if (((uintptr_t)p & (portBYTE_ALIGNMENT - 1u)) != 0) {
                o->bad++;
            }
            fill(p, n, (uint8_t)(o->tag + i));
            o->p[i] = p;
            o->n[i] = n;
            o->allocs++;
        }
    } else {
        if (!intact(o->p[i], o->n[i], (uint8_t)(o->tag + i))) {
            o->bad++;
        }
        vPortFree(o->p[i]);
        o->p[i] = NULL;
        o->frees++;
    }
    o->ops++;
}

static void owner_release(owner_t *o)
{
    for (int i = 0; i < N_SLOTS; i++) {
        if (o->p[i] != NULL) {
            if (!intact(o->p[i], o->n[i], (uint8_t)(o->tag + i))) {
                o->bad++;
            }
            vPortFree(o->p[i]);
            o->p[i] = NULL;
            o->frees++;
        }
    }
}

/* ---- interrupts ---- */
/* Exception entry leaves BASEPRI alone: non-zero here means the interrupt came
 * inside one of the kernel's critical sections, which do not mask priority 0. */
static void count_kernel_critical(void)
{
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_8M_MAIN__)
    uint32_t basepri;
    __asm__ volatile("mrs %0, basepri" : "=r"(basepri));
    irq_in_critical += basepri != 0;
#endif
}

static void on_timer_irq(void)
{
    irq_count++;
    count_kernel_critical();
    owner_step(&irq_owner, 64);
    owner_step(&irq_owner, 64);
}

static void on_tick(void)
{
    tick_count++;
    owner_step(&tick_owner, 48);
}

/* ---- software timers (callbacks run in the timer task) ---- */
static void on_periodic(TimerHandle_t t)
{
    (void)t;
    timer_callbacks++;
    owner_step(&timer_owner, MAX_BUF);
    owner_step(&timer_owner, MAX_BUF);
}

static void on_oneshot(TimerHandle_t t)
{
    (void)t;
    timer_callbacks++;
    owner_step(&timer_owner, MAX_BUF);
}

/* ---- child tasks: allocate a buffer, hand it to the parent, end ---- */
typedef struct {
    QueueHandle_t reply;
    uint32_t seq;
    int self_delete;
} child_arg_t;

static void child_task(void *arg)
{
    const child_arg_t *a = arg;
    size_t n = 8u + a->seq % MAX_BUF;
    uint8_t *buf = pvPortMalloc(n);
    if (buf != NULL) {
        ledger_add(&ledger.buf_allocs, 1);
        fill(buf, n, (uint8_t)a->seq);
    }
    child_runs++;
    int self_delete = a->self_delete;
    (void)xQueueSend(a->reply, &buf, portMAX_DELAY);
    if (self_delete) {
        vTaskDelete(NULL); /* reclaimed later by the idle task */
    }
    for (;;) {
        (void)ulTaskNotifyTake(pdTRUE, portMAX_DELAY); /* the parent deletes it */
    }
}

static void spawn_child(QueueHandle_t reply, uint32_t seq)
{
    child_arg_t arg = {reply, seq, (seq & 3u) == 0};
    TaskHandle_t child;
    /* Priority 2, above the parent: it runs at once. */
    if (xTaskCreate(child_task, "child", CHILD_STACK, &arg, 2, &child) != pdPASS) {
        ledger_add(&ledger.bad, 1);
        return;
    }
    ledger_add(&ledger.tasks, 1);
    uint8_t *buf = NULL;
    if (xQueueReceive(reply, &buf, 100) != pdPASS || buf == NULL) {
        ledger_add(&ledger.bad, 1);
    } else {
        if (!intact(buf, 8u + seq % MAX_BUF, (uint8_t)seq)) {
            ledger_add(&ledger.bad, 1);
        }
        vPortFree(buf);
        ledger_add(&ledger.buf_frees, 1);
    }
    if (!arg.self_delete) {
        vTaskDelete(child); /* not running: freed here and now */
    }
}

/* A queue that lives for one round trip of an item. */
static void queue_round_trip(uint32_t r)
{
    UBaseType_t len = 1u + r % 5u;
    UBaseType_t item = 4u + (r >> 4) % 29u;
    QueueHandle_t q = xQueueCreate(len, item);
    if (q == NULL) {
        ledger_add(&ledger.bad, 1);
        return;
    }
    ledger_add(&ledger.queues, 1);
    uint8_t out[32], in[32];
    fill(out, item, (uint8_t)r);
    if (xQueueSend(q, out, 0) != pdPASS || xQueueReceive(q, in, 0) != pdPASS ||
        memcmp(in, out, item) != 0) {
        ledger_add(&ledger.bad, 1);
    }
    vQueueDelete(q);
}

/* ---- workers ---- */
/* Blocks until the next multiple of PAUSE_TICKS: both churn tasks wait for the same
 * boundaries, so both are blocked for a while, and the idle task gets to reclaim
 * the tasks that deleted themselves (it has the lowest priority). */
#define PAUSE_TICKS 8u
static void pause_to_boundary(void)
{
    TickType_t now = xTaskGetTickCount();
    vTaskDelay(PAUSE_TICKS - now % PAUSE_TICKS);
}

static void churn_task(void *arg)
{
    owner_t *o = arg;
    QueueHandle_t reply = xQueueCreate(1, sizeof(uint8_t *));
    TimerHandle_t oneshot = NULL;
    if (reply == NULL) {
        ledger_add(&ledger.bad, 1);
    } else {
        ledger_add(&ledger.queues, 1);
    }
    const owner_t *other = &churn_owner[o == &churn_owner[0] ? 1 : 0];
    for (uint32_t it = 1; it <= STRESS_ITERATIONS; it++) {
        /* The other churn task has the same priority: if it makes progress while
         * this one does not block, the tick switched between them (time slicing). */
        uint32_t seen = other->ops;
        owner_step(o, MAX_BUF);
        owner_step(o, MAX_BUF);
        if (other->ops != seen && other->ops < 2u * STRESS_ITERATIONS) {
            ledger_add(&ledger.slices, 1);
        }
        if (it % 16u == 0) {
            queue_round_trip(th_rand(&o->rng));
        }
        if (it % 32u == 0) {
            if (oneshot != NULL) {
                (void)xTimerDelete(oneshot, portMAX_DELAY);
                oneshot = NULL;
            }
            oneshot = xTimerCreate("once", 1, pdFALSE, NULL, on_oneshot);
            if (oneshot == NULL) {
                ledger_add(&ledger.bad, 1);
            } else {
                ledger_add(&ledger.timers, 1);
                (void)xTimerStart(oneshot, portMAX_DELAY);
            }
        }
        if (it % 24u == 0 && reply != NULL) {
            spawn_child(reply, it + o->tag);
        }
        if (it % 16u == 0) {
            pause_to_boundary();
        }
    }
    if (oneshot != NULL) {
        (void)xTimerDelete(oneshot, portMAX_DELAY);
    }
    if (reply != NULL) {
        vQueueDelete(reply);
    }
    owner_release(o);
    xTaskNotifyGive(coordinator);
    vTaskDelete(NULL);
}

static void producer_task(void *arg)
{
    (void)arg;
    uint32_t rng = 0xC0FFEEu;
    for (uint32_t seq = 1; seq <= N_MESSAGES; seq++) {
        size_t n = 4u + th_rand(&rng) % MAX_BUF;
        uint8_t *m = pvPortMalloc(n + 4u);
        if (m == NULL) {
            ledger_add(&ledger.bad, 1);
            continue;
        }
        ledger_add(&ledger.buf_allocs, 1);
        memcpy(m, &n, 4u);
        fill(m + 4, n, (uint8_t)seq);
        m[4] = (uint8_t)seq; /* the consumer recomputes the pattern from it */
        (void)xQueueSend(msgq, &m, portMAX_DELAY);
        if (seq % 4u == 0) {
            vTaskDelay(1);
        }
    }
    uint8_t *end = NULL;
    (void)xQueueSend(msgq, &end, portMAX_DELAY);
    xTaskNotifyGive(coordinator);
    vTaskDelete(NULL);
}

static void consumer_task(void *arg)
{
    (void)arg;
    for (;;) {
        uint8_t *m = NULL;
        (void)xQueueReceive(msgq, &m, portMAX_DELAY);
        if (m == NULL) {
            break;
        }
        size_t n;
        memcpy(&n, m, 4u);
        uint8_t seq = m[4];
        m[4] = pattern(seq, 0, n);
        if (n > MAX_BUF + 4u || !intact(m + 4, n, seq)) {
            ledger_add(&ledger.bad, 1);
        }
#if STRESS_LEAK
        if (m[4 + n - 1] == pattern(seq, n - 1, n) && seq == 1) {
            continue; /* the negative control: one message never freed */
        }
#endif
        vPortFree(m); /* allocated by the producer */
        ledger_add(&ledger.buf_frees, 1);
    }
    xTaskNotifyGive(coordinator);
    vTaskDelete(NULL);
}

/* ---- the coordinator ---- */
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

static uint32_t owner_sum(uint32_t (*get)(const owner_t *))
{
    uint32_t n = get(&timer_owner) + get(&irq_owner) + get(&tick_owner);
    for (int i = 0; i < N_CHURN; i++) {
        n += get(&churn_owner[i]);
    }
    return n;
}
static uint32_t get_allocs(const owner_t *o) { return o->allocs; }
static uint32_t get_frees(const owner_t *o) { return o->frees; }
static uint32_t get_bad(const owner_t *o) { return o->bad; }

static int create(TaskFunction_t fn, const char *name, void *arg, UBaseType_t prio)
{
    if (xTaskCreate(fn, name, WORKER_STACK, arg, prio, NULL) != pdPASS) {
        return 0;
    }
    ledger_add(&ledger.tasks, 1);
    return 1;
}

static void check_stats_agree(rtheap_t *heap)
{
    rtheap_stats_t st;
    HeapStats_t hs;
    TH_CHECK(rtheap_get_stats(heap, &st));
    vPortGetHeapStats(&hs);
    walk_t w = {0, SIZE_MAX, 0, 0};
    (void)rtheap_walk(heap, walk_free, &w);
    TH_CHECK_EQ(hs.xAvailableHeapSpaceInBytes, st.free_bytes);
    TH_CHECK_EQ(xPortGetFreeHeapSize(), st.free_bytes);
    TH_CHECK_EQ(w.bytes, st.free_bytes);
    TH_CHECK_EQ(hs.xNumberOfFreeBlocks, w.count);
    TH_CHECK_EQ(hs.xSizeOfLargestFreeBlockInBytes, w.largest);
    TH_CHECK_EQ(hs.xSizeOfSmallestFreeBlockInBytes, w.smallest);
    TH_CHECK(hs.xSizeOfLargestFreeBlockInBytes >= st.largest_guaranteed);
    TH_CHECK_EQ(hs.xMinimumEverFreeBytesRemaining, st.arena_bytes - st.peak_used_bytes);
    TH_CHECK_EQ(xPortGetMinimumEverFreeHeapSize(), hs.xMinimumEverFreeBytesRemaining);
    TH_CHECK(hs.xMinimumEverFreeBytesRemaining <= hs.xAvailableHeapSpaceInBytes);
    TH_CHECK_EQ(hs.xNumberOfSuccessfulAllocations, st.alloc_count);
    TH_CHECK_EQ(hs.xNumberOfSuccessfulFrees, st.free_count);
    TH_CHECK_EQ(fw_trace.mallocs, st.alloc_count);
    TH_CHECK_EQ(fw_trace.frees, st.free_count);
    TH_CHECK_EQ(fw_trace.live_bytes, st.used_bytes);
    TH_CHECK_EQ(st.failed_count, 0);
    TH_CHECK_EQ(st.error_count, 0);
}

static void print_result(uint32_t ops, uint32_t irq_ops, uint32_t checks)
{
    th_print("freertos_stress on " RTHEAP_BOARD_NAME ": ");
    th_print_u(ops);
    th_print(" heap operations (pvPortMalloc/vPortFree), ");
    th_print_u(irq_ops);
    th_print(" in interrupts (");
    th_print_u(irq_ops * 1000u / (ops ? ops : 1u) / 10u);
    th_print(".");
    th_print_u(irq_ops * 1000u / (ops ? ops : 1u) % 10u);
    th_print("%: ");
    th_print_u(irq_count);
    th_print(" ");
    th_print(fw_timer_name);
    th_print(" interrupts, ");
    th_print_u(tick_count);
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_8M_MAIN__)
    th_print(" tick hooks; ");
    th_print_u(irq_in_critical);
    th_print(" timer interrupts inside the kernel's critical sections); ");
#else
    th_print(" tick hooks); ");
#endif
    th_print_u(ledger.tasks);
    th_print(" tasks, ");
    th_print_u(ledger.queues);
    th_print(" queues, ");
    th_print_u(ledger.timers + 1u);
    th_print(" timers created and deleted; ");
    th_print_u(timer_callbacks);
    th_print(" timer callbacks; ");
    th_print_u(ledger.slices);
    th_print(" time slices between equal-priority tasks; ");
    th_print_u(checks);
    th_println(" heap checks during the run");
}

static void coordinator_task(void *arg)
{
    (void)arg;
    rtheap_t *heap = rtheap_freertos_heap();
    rtheap_stats_t base;
    TH_CHECK_NOT_NULL(heap);
    TH_CHECK(rtheap_get_stats(heap, &base));
    UBaseType_t base_tasks = uxTaskGetNumberOfTasks();
    uint32_t base_mallocs = fw_trace.mallocs, base_frees = fw_trace.frees;

    fw_tick_fn = on_tick;
    fw_timer_start(STRESS_TIMER_PERIOD, on_timer_irq);
    msgq = xQueueCreate(4, sizeof(uint8_t *));
    TH_CHECK_NOT_NULL(msgq);
    ledger.queues++;
    TimerHandle_t periodic = xTimerCreate("tick3", 3, pdTRUE, NULL, on_periodic);
    TH_CHECK_NOT_NULL(periodic);
    TH_CHECK(xTimerStart(periodic, portMAX_DELAY) == pdPASS);
    int started = 0;
    for (int i = 0; i < N_CHURN; i++) {
        started += create(churn_task, "churn", &churn_owner[i], 1);
    }
    started += create(producer_task, "prod", NULL, 3);
    started += create(consumer_task, "cons", NULL, 2);
    TH_CHECK_EQ(started, N_WORKERS);

    /* Join: every worker notifies once, just before it deletes itself. */
    uint32_t done = 0, checks = 0, check_failures = 0;
    for (int wait = 0; done < (uint32_t)started && wait < 100000; wait++) {
        done += ulTaskNotifyTake(pdTRUE, 7);
        check_failures += rtheap_check(heap) != RTHEAP_OK;
        checks++;
    }
    TH_CHECK_EQ(done, (uint32_t)started);
    TH_CHECK_EQ(check_failures, 0);
    TH_CHECK(xTimerDelete(periodic, portMAX_DELAY) == pdPASS); /* the timer task runs first */
    fw_tick_fn = NULL;
    fw_timer_stop();
    owner_release(&timer_owner);
    owner_release(&irq_owner);
    owner_release(&tick_owner);
    vQueueDelete(msgq);
    /* The deleted workers and children are freed by the idle task. */
    for (int i = 0; i < 1000 && uxTaskGetNumberOfTasks() != base_tasks; i++) {
        vTaskDelay(1);
    }
    TH_CHECK_EQ(uxTaskGetNumberOfTasks(), base_tasks);
    /* uxTaskGetNumberOfTasks() drops when a task is deleted; its stack and TCB are
     * freed later, when the idle task runs: give it ticks until the heap is back at
     * its starting count (bounded, so a real leak still fails the checks below). */
    rtheap_stats_t st;
    TH_CHECK(rtheap_get_stats(heap, &st));
    for (int i = 0; i < 100 && st.live_blocks != base.live_blocks; i++) {
        vTaskDelay(1);
        TH_CHECK(rtheap_get_stats(heap, &st));
    }
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    TH_CHECK_EQ(st.live_blocks, base.live_blocks);
    TH_CHECK_EQ(st.used_bytes, base.used_bytes);
    check_stats_agree(heap);
    /* The ledger: two allocations per task (stack, TCB), one per queue and timer. */
    uint32_t kernel = 2u * ledger.tasks + ledger.queues + ledger.timers + 1u;
    TH_CHECK_EQ(st.alloc_count - base.alloc_count,
                kernel + owner_sum(get_allocs) + ledger.buf_allocs);
    TH_CHECK_EQ(st.free_count - base.free_count, kernel + owner_sum(get_frees) + ledger.buf_frees);
    TH_CHECK_EQ(owner_sum(get_bad), 0);
    TH_CHECK_EQ(ledger.bad, 0);
    TH_CHECK_EQ(fw_malloc_failed, 0);
    TH_CHECK_EQ(fw_trace.malloc_nulls, 0);
    TH_CHECK(irq_owner.ops > STRESS_ITERATIONS / 8u && tick_owner.ops > STRESS_ITERATIONS / 8u &&
             timer_callbacks > STRESS_ITERATIONS / 8u);
    TH_CHECK(child_runs == ledger.tasks - (uint32_t)N_WORKERS);
    TH_CHECK(ledger.slices > 10u);
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_8M_MAIN__)
    TH_CHECK(irq_in_critical > 0u); /* it allocated where the kernel masks (BASEPRI) */
#endif

    uint32_t ops = (fw_trace.mallocs - base_mallocs) + (fw_trace.frees - base_frees);
    uint32_t irq_ops = irq_owner.ops + tick_owner.ops;
    print_result(ops, irq_ops, checks);
    semihost_exit(th_summary());
}

int main(void)
{
    const uint8_t tags[N_CHURN] = {0x10, 0x20};
    for (int i = 0; i < N_CHURN; i++) {
        churn_owner[i].tag = tags[i];
        churn_owner[i].rng = 0x1234u + (uint32_t)i;
    }
    timer_owner = (owner_t){.tag = 0x30, .rng = 0x5678u};
    irq_owner = (owner_t){.tag = 0x40, .rng = 0x9ABCu};
    tick_owner = (owner_t){.tag = 0x50, .rng = 0xDEF0u};
    if (xTaskCreate(coordinator_task, "coord", 256, NULL, 4, &coordinator) != pdPASS) {
        th_println("freertos_stress: cannot create the coordinator");
        return 1;
    }
    vTaskStartScheduler();
    th_println("freertos_stress: the scheduler returned");
    return 1;
}
