/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* mps2-an521 (SSE-200) firmware support: starting CPU1 (see smp.h). */
#include <stddef.h>
#include <stdint.h>

#include "smp.h"

/* SSE-200 System Control (Secure only): INITSVTOR1 is where CPU1 takes its vector table
 * from at reset; CPUWAIT bit 1 holds CPU1 in reset (set at power-up). */
#define SSE_INITSVTOR1 (*(volatile uint32_t *)0x50021114u)
#define SSE_CPUWAIT (*(volatile uint32_t *)0x50021118u)
#define SSE_CPUWAIT_CPU1 2u
#define SMP_NUM_IRQS 48

/* boards/common/startup.c: fault reports and the default handler, shared by both cores. */
void Default_Handler(void);
void NMI_Handler(void);
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);
void SecureFault_Handler(void);
void smp_cpu1_reset(void);

static void (*volatile cpu1_entry)(void);

/* CPU1's stack: .bss, zeroed by CPU0 before CPU1 starts. */
static uint64_t cpu1_stack[SMP_CPU1_STACK_BYTES / sizeof(uint64_t)];

__attribute__((weak)) void SysTick1_Handler(void)
{
    Default_Handler();
}

typedef void (*smp_vector_fn)(void);

/* CPU1's vector table: VTOR needs it aligned to its size rounded up to a power of two
 * (64 words: 256 bytes); 512 leaves room for more IRQs. */
__attribute__((aligned(512), used)) static const smp_vector_fn smp_cpu1_vectors[16 + SMP_NUM_IRQS] = {
    [0] = (smp_vector_fn)(uintptr_t)&cpu1_stack[SMP_CPU1_STACK_BYTES / sizeof(uint64_t)],
    [1] = smp_cpu1_reset,
    [2] = NMI_Handler,
    [3] = HardFault_Handler,
    [4] = MemManage_Handler,
    [5] = BusFault_Handler,
    [6] = UsageFault_Handler,
    [7] = SecureFault_Handler,
    [11] = Default_Handler,
    [12] = Default_Handler,
    [14] = Default_Handler,
    [15] = SysTick1_Handler,
    [16 ... 16 + SMP_NUM_IRQS - 1] = Default_Handler,
};

/* CPU1's reset: SP and VTOR are already CPU1's own; .data and .bss are CPU0's work. */
__attribute__((noreturn)) void smp_cpu1_reset(void)
{
    cpu1_entry();
    for (;;) {
        __asm__ volatile("wfi");
    }
}

void smp_start_cpu1(void (*entry)(void))
{
    cpu1_entry = entry;
    /* The table first: releasing CPU1 resets it, and it loads SP and PC from there. */
    SSE_INITSVTOR1 = (uint32_t)(uintptr_t)smp_cpu1_vectors;
    __asm__ volatile("dsb" ::: "memory");
    SSE_CPUWAIT = SSE_CPUWAIT & ~SSE_CPUWAIT_CPU1;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
}
