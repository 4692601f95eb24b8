/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* mps2-an521 (SSE-200) firmware support: the second core. Not part of the library.
 *
 * CPU0 runs the image as on any board (boards/common/startup.c: .data, .bss, main).
 * CPU1 is held at reset until CPU0 calls smp_start_cpu1(entry): CPU1 then starts from
 * its own vector table (smp_cpu1_vectors, given to the SSE-200 as INITSVTOR1), on its
 * own stack (SMP_CPU1_STACK_BYTES in .bss), and calls entry. It shares .data, .bss and
 * the heap with CPU0; only the System Control Space (NVIC, SysTick, PRIMASK) is its own.
 * Faults on CPU1 are reported as on CPU0 (startup.c's handlers, exit status 3);
 * SysTick on CPU1 runs SysTick1_Handler (weak: a firmware defines it to use it). Under
 * QEMU 7.2's single-threaded schedulers (-icount, -accel tcg,thread=single) CPU1 stopped
 * running once its SysTick interrupt was enabled (under the default MTTCG it ran): tests
 * that need -icount take their interrupts on CPU0.
 * CPU0 has neither FPU nor DSP extension: build -mcpu=cortex-m33+nodsp -mfloat-abi=soft.
 * Works in firmware built for Armv6-M too (-mcpu=cortex-m0plus runs on these M33s). */
#ifndef RTHEAP_BOARD_SMP_H
#define RTHEAP_BOARD_SMP_H

#include <stdint.h>

#define SMP_CORES 2u
#define SMP_CPU1_STACK_BYTES 4096u

/* The SSE-200's CPU_IDENTITY register (Secure alias): each core reads its own number,
 * 0 or 1. The SCB's CPUID reads the same on both cores and cannot tell them apart. */
#define SMP_CPU_IDENTITY (*(volatile uint32_t *)0x5001F000u)

static inline uint32_t smp_core_id(void)
{
    return SMP_CPU_IDENTITY;
}

/* CPU0 only, once: start CPU1 at entry (which should not return; if it does, CPU1
 * sleeps). Returns at once; CPU1 runs from then on. */
void smp_start_cpu1(void (*entry)(void));

/* CPU1's SysTick exception (weak; the default reports "Unhandled exception" and exits). */
void SysTick1_Handler(void);

#endif
