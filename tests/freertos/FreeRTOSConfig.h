/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* FreeRTOSConfig.h of rtheap's FreeRTOS test firmware (tests/freertos), for the
 * kernel's ARM_CM3 (mps2-an385), ARM_CM0 (microbit) and ARM_CM33_NTZ (mps2-an505,
 * run in the Secure state) ports. The heap options (configTOTAL_HEAP_SIZE, the
 * RTHEAP_FREERTOS_* ones) are set per firmware by tests/freertos/CMakeLists.txt:
 * only the heap reads them, so one kernel build serves every firmware of a board. */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#include <stdint.h>

/* Per board (CMake): SysTick runs on the CPU clock QEMU models for it. */
#ifndef FREERTOS_TEST_CPU_HZ
#error "FREERTOS_TEST_CPU_HZ: the board's CPU clock"
#endif
#define configCPU_CLOCK_HZ FREERTOS_TEST_CPU_HZ
#define configTICK_RATE_HZ 1000
#define configUSE_PREEMPTION 1
#define configUSE_TIME_SLICING 1
#define configUSE_PORT_OPTIMISED_TASK_SELECTION 0
#define configMAX_PRIORITIES 6
#define configMINIMAL_STACK_SIZE 128
#define configMAX_TASK_NAME_LEN 8
#define configTICK_TYPE_WIDTH_IN_BITS TICK_TYPE_WIDTH_32_BITS
#define configIDLE_SHOULD_YIELD 1
#define configUSE_TASK_NOTIFICATIONS 1
#define configUSE_MUTEXES 1
#define configUSE_COUNTING_SEMAPHORES 1
#define configQUEUE_REGISTRY_SIZE 0

/* Only dynamic allocation: every task, queue and timer comes from pvPortMalloc. */
#define configSUPPORT_DYNAMIC_ALLOCATION 1
#define configSUPPORT_STATIC_ALLOCATION 0

#define configUSE_IDLE_HOOK 0
#define configUSE_TICK_HOOK 1
#define configUSE_MALLOC_FAILED_HOOK 1
#define configCHECK_FOR_STACK_OVERFLOW 2
#define configUSE_TRACE_FACILITY 0
#define configGENERATE_RUN_TIME_STATS 0

#define configUSE_TIMERS 1
#define configTIMER_TASK_PRIORITY (configMAX_PRIORITIES - 1)
#define configTIMER_QUEUE_LENGTH 8
#define configTIMER_TASK_STACK_DEPTH 160

#define INCLUDE_vTaskDelete 1
#define INCLUDE_vTaskDelay 1
#define INCLUDE_vTaskSuspend 1
#define INCLUDE_xTaskGetCurrentTaskHandle 1
#define INCLUDE_uxTaskGetStackHighWaterMark 1

/* Interrupt priorities. QEMU implements 8 priority bits on Armv7-M/Armv8-M; a real
 * part has 3 or 4, so only the top 3 are used. The test's timer interrupt runs at
 * priority 0, above configMAX_SYSCALL_INTERRUPT_PRIORITY: the kernel never masks it
 * (and it calls no FreeRTOS API), yet it allocates through pvPortMalloc. */
#define configPRIO_BITS 3
#define configKERNEL_INTERRUPT_PRIORITY (7u << (8 - configPRIO_BITS))
#define configMAX_SYSCALL_INTERRUPT_PRIORITY (2u << (8 - configPRIO_BITS))

/* A failed assertion prints where and exits with status 2 (tests/freertos/fw.c). */
void fw_assert_failed(const char *file, int line);
#define configASSERT(x)                                                                            \
    do {                                                                                           \
        if (!(x)) {                                                                                \
            fw_assert_failed(__FILE__, __LINE__);                                                  \
        }                                                                                          \
    } while (0)

/* Counts every call of the heap interface (the heap calls them), to check the
 * kernel's and the heap's numbers against an independent count. */
void fw_trace_malloc(void *p, size_t size);
void fw_trace_free(void *p, size_t size);
#define traceMALLOC(p, size) fw_trace_malloc((p), (size))
#define traceFREE(p, size) fw_trace_free((p), (size))

/* No MPU (the Armv6-M and Armv8-M ports ask). */
#define configENABLE_MPU 0

#if defined(__ARM_ARCH_7M__)
/* ARM_CM3: the port's handlers under the names of boards/common/startup.c's vector
 * table (their weak defaults are replaced). */
#define vPortSVCHandler SVC_Handler
#define xPortPendSVHandler PendSV_Handler
#define xPortSysTickHandler SysTick_Handler
#elif defined(__ARM_ARCH_8M_MAIN__)
/* ARM_CM33_NTZ: FreeRTOS alone in the Secure state (QEMU starts the CPU secure),
 * no TrustZone calls, FPU (soft-float build) or MVE. Its handlers already
 * have the vector table's names. */
#define configENABLE_TRUSTZONE 0
#define configRUN_FREERTOS_SECURE_ONLY 1
#define configENABLE_FPU 0
#define configENABLE_MVE 0
#endif

#endif /* FREERTOS_CONFIG_H */
