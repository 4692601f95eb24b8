/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Support for rtheap's FreeRTOS test firmware (see fw.h). */
#include "fw.h"

#include "FreeRTOS.h"
#include "harness.h"
#include "semihost.h"
#include "task.h"

fw_trace_t fw_trace;
volatile uint32_t fw_malloc_failed;
void (*volatile fw_tick_fn)(void);
static void (*volatile timer_fn)(void);

void fw_assert_failed(const char *file, int line)
{
    __asm__ volatile("cpsid i" ::: "memory");
    th_print("configASSERT failed: ");
    th_print(file);
    th_print(":");
    th_print_u((unsigned long long)line);
    th_println("");
    semihost_exit(FW_EXIT_ASSERT);
}

void fw_trace_malloc(void *p, size_t size)
{
    uint32_t s = fw_irq_save();
    if (p != NULL) {
        fw_trace.mallocs++;
        fw_trace.live_bytes += (uint32_t)size;
    } else {
        fw_trace.malloc_nulls++;
    }
    fw_irq_restore(s);
}

void fw_trace_free(void *p, size_t size)
{
    (void)p;
    uint32_t s = fw_irq_save();
    fw_trace.frees++;
    fw_trace.live_bytes -= (uint32_t)size;
    fw_irq_restore(s);
}

void vApplicationMallocFailedHook(void)
{
    fw_malloc_failed++;
}

void vApplicationStackOverflowHook(TaskHandle_t xTask, char *pcTaskName)
{
    (void)xTask;
    __asm__ volatile("cpsid i" ::: "memory");
    th_print("stack overflow in task ");
    th_println(pcTaskName);
    semihost_exit(FW_EXIT_STACK_OVERFLOW);
}

void vApplicationTickHook(void)
{
    void (*fn)(void) = fw_tick_fn;
    if (fn != NULL) {
        fn();
    }
}

/* ---- the board's timer ---- */
#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)
#define NVIC_ICER0 (*(volatile uint32_t *)0xE000E180u)
#define NVIC_IPR ((volatile uint32_t *)0xE000E400u)

#if !defined(FW_TIMER_BASE) || !defined(FW_TIMER_IRQ)
#error "FW_TIMER_BASE, FW_TIMER_IRQ (and FW_TIMER_NRF51 on nRF51) come from CMake"
#endif
#define TIMER_REG(off) (*(volatile uint32_t *)(FW_TIMER_BASE + (off)))

#ifdef FW_TIMER_NRF51
/* nRF51 TIMER0: 32-bit timer at 16 MHz, COMPARE0 event clears it. */
const char fw_timer_name[] = "nRF51 TIMER0";
static void timer_hw_start(uint32_t cycles)
{
    TIMER_REG(0x504) = 0;      /* MODE: timer */
    TIMER_REG(0x508) = 3;      /* BITMODE: 32 bit */
    TIMER_REG(0x510) = 0;      /* PRESCALER: 16 MHz */
    TIMER_REG(0x540) = cycles; /* CC[0] */
    TIMER_REG(0x200) = 1u;     /* SHORTS: COMPARE0 -> CLEAR */
    TIMER_REG(0x304) = 1u << 16; /* INTENSET: COMPARE0 */
    TIMER_REG(0x00C) = 1;      /* TASKS_CLEAR */
    TIMER_REG(0x000) = 1;      /* TASKS_START */
}
static void timer_hw_stop(void)
{
    TIMER_REG(0x004) = 1;       /* TASKS_STOP */
    TIMER_REG(0x308) = 1u << 16; /* INTENCLR */
}
static void timer_hw_ack(void)
{
    TIMER_REG(0x140) = 0; /* EVENTS_COMPARE[0] */
}
#else
/* CMSDK APB timer: counts RELOAD..0 on the peripheral clock, interrupts at 0. */
const char fw_timer_name[] = "CMSDK timer 0";
static void timer_hw_start(uint32_t cycles)
{
    TIMER_REG(0x00) = 0;      /* CTRL: stopped */
    TIMER_REG(0x08) = cycles; /* RELOAD */
    TIMER_REG(0x04) = cycles; /* VALUE */
    TIMER_REG(0x0C) = 1;      /* INTCLEAR */
    TIMER_REG(0x00) = 1u | 8u; /* CTRL: enable, interrupt enable */
}
static void timer_hw_stop(void)
{
    TIMER_REG(0x00) = 0;
}
static void timer_hw_ack(void)
{
    TIMER_REG(0x0C) = 1; /* INTCLEAR */
}
#endif

void fw_timer_start(uint32_t cycles, void (*fn)(void))
{
    timer_fn = fn;
    /* Priority 0 (word access: Armv6-M has no byte access to the IPRs). */
    uint32_t shift = 8u * (FW_TIMER_IRQ % 4u);
    NVIC_IPR[FW_TIMER_IRQ / 4u] &= ~(0xFFu << shift);
    timer_hw_start(cycles);
    NVIC_ISER0 = 1u << FW_TIMER_IRQ;
}

void fw_timer_stop(void)
{
    NVIC_ICER0 = 1u << FW_TIMER_IRQ;
    timer_hw_stop();
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    timer_fn = NULL;
}

/* Every IRQ of boards/common/startup.c's vector table lands here. */
void IRQ_Handler(void);
void IRQ_Handler(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    if ((ipsr & 0x1FFu) != 16u + FW_TIMER_IRQ) {
        th_print("unexpected interrupt ");
        th_print_u(ipsr & 0x1FFu);
        th_println("");
        semihost_exit(4);
    }
    timer_hw_ack();
    void (*fn)(void) = timer_fn;
    if (fn != NULL) {
        fn();
    }
}
