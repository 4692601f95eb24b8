/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap benchmark: the smallest FreeRTOSConfig.h that compiles FreeRTOS's heap_4.c on
 * its own (no kernel, no port: see portmacro.h and heap4_wrap.c). The heap is the
 * bench's arena (configAPPLICATION_ALLOCATED_HEAP: the bench defines ucHeap), its size
 * given by the build (BENCH_HEAP4_BYTES). Assertions off, as in a release build. */
#ifndef BENCH_FREERTOS_CONFIG_H
#define BENCH_FREERTOS_CONFIG_H

#ifndef BENCH_HEAP4_BYTES
#define BENCH_HEAP4_BYTES 65536u
#endif

#define configTOTAL_HEAP_SIZE ((size_t)BENCH_HEAP4_BYTES)
#define configAPPLICATION_ALLOCATED_HEAP 1
#define configSUPPORT_DYNAMIC_ALLOCATION 1
#define configSUPPORT_STATIC_ALLOCATION 0
#define configUSE_MALLOC_FAILED_HOOK 0
#define configENABLE_HEAP_PROTECTOR 0
#define configHEAP_CLEAR_MEMORY_ON_FREE 0

/* Required by FreeRTOS.h even though no kernel is built. */
#define configCPU_CLOCK_HZ 25000000u
#define configTICK_RATE_HZ 1000u
#define configTICK_TYPE_WIDTH_IN_BITS TICK_TYPE_WIDTH_32_BITS
#define configMINIMAL_STACK_SIZE 128
#define configMAX_PRIORITIES 4
#define configUSE_PREEMPTION 1
#define configUSE_IDLE_HOOK 0
#define configUSE_TICK_HOOK 0
#define configMAX_SYSCALL_INTERRUPT_PRIORITY 0x20

#endif
