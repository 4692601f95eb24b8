/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* FreeRTOSConfig.h of the worst-case firmware (tests/wcet): only src/freertos/
 * rtheap_freertos.c is compiled against it (no kernel is linked). A release build's
 * settings: no assertions, no trace macros, no malloc-failed hook, so that the bound
 * of each heap call is rtheap's own. The heap is the regions the driver hands to
 * vPortDefineHeapRegions() (no ucHeap), so that it can have RTHEAP_MAX_REGIONS of
 * them, as the longest paths need. */
#ifndef WCET_FREERTOS_CONFIG_H
#define WCET_FREERTOS_CONFIG_H

#define configSUPPORT_DYNAMIC_ALLOCATION 1
#define configSUPPORT_STATIC_ALLOCATION 0
#define configUSE_MALLOC_FAILED_HOOK 0
#define configASSERT_DEFINED 0

/* What FreeRTOS.h asks for even though no kernel is built. */
#define configCPU_CLOCK_HZ 25000000u
#define configTICK_RATE_HZ 1000u
#define configTICK_TYPE_WIDTH_IN_BITS TICK_TYPE_WIDTH_32_BITS
#define configMINIMAL_STACK_SIZE 128
#define configMAX_PRIORITIES 4
#define configUSE_PREEMPTION 1
#define configUSE_IDLE_HOOK 0
#define configUSE_TICK_HOOK 0
#define configMAX_SYSCALL_INTERRUPT_PRIORITY 0x20
#define configKERNEL_INTERRUPT_PRIORITY 0xE0
#define configENABLE_MPU 0
#define configENABLE_FPU 0
#define configENABLE_TRUSTZONE 0
#define configRUN_FREERTOS_SECURE_ONLY 0

#endif
