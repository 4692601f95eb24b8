/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Support for rtheap's FreeRTOS test firmware: the kernel's hooks, a hardware timer
 * interrupt per board, and counters of every heap call (traceMALLOC/traceFREE). */
#ifndef FW_H
#define FW_H

#include <stddef.h>
#include <stdint.h>

/* Exit statuses besides the harness's 0/1. */
#define FW_EXIT_ASSERT 2
#define FW_EXIT_STACK_OVERFLOW 5

/* What traceMALLOC/traceFREE saw (successful calls and usable bytes). */
typedef struct {
    volatile uint32_t mallocs, malloc_nulls, frees;
    volatile uint32_t live_bytes;
} fw_trace_t;
extern fw_trace_t fw_trace;

/* Calls of vApplicationMallocFailedHook(). */
extern volatile uint32_t fw_malloc_failed;

/* Runs fn in the board's timer interrupt every `cycles` timer clocks, at the highest
 * priority (0): above configMAX_SYSCALL_INTERRUPT_PRIORITY, never masked by the
 * kernel. mps2-an385/an505: CMSDK APB timer 0; microbit: nRF51 TIMER0. */
void fw_timer_start(uint32_t cycles, void (*fn)(void));
void fw_timer_stop(void);
/* The board's name of that timer, for the output. */
extern const char fw_timer_name[];

/* Called from vApplicationTickHook() (the SysTick interrupt) when set. */
extern void (*volatile fw_tick_fn)(void);

/* Masks interrupts (PRIMASK) around fw_trace updates and test bookkeeping. */
static inline uint32_t fw_irq_save(void)
{
    uint32_t s;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(s)::"memory");
    return s;
}
static inline void fw_irq_restore(uint32_t s)
{
    __asm__ volatile("msr primask, %0" ::"r"(s) : "memory");
}

#endif
