/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Minimal startup for the vendor-style test scripts (cubemx_style.ld,
 * cortex_m_rt_style.ld): the vector table where each style wants it, .data
 * copied and .bss zeroed with each style's own symbols, main()'s return value
 * as the exit status (semihosting), faults exit 3. VENDOR_CUBEMX or
 * VENDOR_CORTEX_M_RT selects the style.
 */
#include <stdint.h>

#include "semihost.h"

int main(void);
void Reset_Handler(void);
void Fault_Handler(void);

#if VENDOR_CUBEMX
extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];
#define DATA_LOAD _sidata
#define DATA_START _sdata
#define DATA_END _edata
#define BSS_START _sbss
#define BSS_END _ebss
#elif VENDOR_CORTEX_M_RT
extern uint32_t __sidata[], __sdata[], __edata[], __sbss[], __ebss[];
#define DATA_LOAD __sidata
#define DATA_START __sdata
#define DATA_END __edata
#define BSS_START __sbss
#define BSS_END __ebss
#else
#error "define VENDOR_CUBEMX or VENDOR_CORTEX_M_RT"
#endif

static void copy_words(uint32_t *dst, const uint32_t *src, const uint32_t *end)
{
    uintptr_t lo = (uintptr_t)dst;
    uintptr_t hi = (uintptr_t)end;
    __asm__("" : "+r"(lo), "+r"(hi)); /* distinct symbols: no folded compare */
    for (uint32_t *d = (uint32_t *)lo; (uintptr_t)d < hi;) {
        *d++ = *src++;
    }
}

static void zero_words(uint32_t *dst, const uint32_t *end)
{
    uintptr_t lo = (uintptr_t)dst;
    uintptr_t hi = (uintptr_t)end;
    __asm__("" : "+r"(lo), "+r"(hi));
    for (uint32_t *d = (uint32_t *)lo; (uintptr_t)d < hi;) {
        *d++ = 0;
    }
}

__attribute__((used, noreturn)) void Reset_Handler(void)
{
    copy_words(DATA_START, DATA_LOAD, DATA_END);
    zero_words(BSS_START, BSS_END);
    semihost_exit(main());
}

__attribute__((used, noreturn)) void Fault_Handler(void)
{
    semihost_puts("vendor_startup: fault");
    semihost_exit(3);
}

typedef void (*vector_t)(void);

#if VENDOR_CUBEMX
/* .isr_vector: initial SP, then reset and the 14 system exceptions. */
__attribute__((section(".isr_vector"), used)) const vector_t g_pfnVectors[16] = {
    (vector_t)(uintptr_t)_estack, Reset_Handler, Fault_Handler, Fault_Handler,
    Fault_Handler, Fault_Handler, Fault_Handler, 0, 0, 0, 0, Fault_Handler,
    Fault_Handler, 0, Fault_Handler, Fault_Handler,
};
#else
/* cortex-m-rt: the script writes the initial SP; then the reset vector and the
 * 14 exception vectors, in sections of their own. */
__attribute__((noreturn)) void Reset(void) __attribute__((alias("Reset_Handler")));
__attribute__((section(".vector_table.reset_vector"), used)) const vector_t __RESET_VECTOR =
    Reset_Handler;
__attribute__((section(".vector_table.exceptions"), used)) const vector_t __EXCEPTIONS[14] = {
    Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler, 0, 0, 0, 0,
    Fault_Handler, Fault_Handler, 0, Fault_Handler, Fault_Handler,
};
#endif
