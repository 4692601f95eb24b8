/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap firmware support: Cortex-M startup for linker/cortex-m.ld. Not part of the
 * library. Armv6-M, Armv7-M (with or without FPU) and Armv8-M Mainline.
 *
 * Reset_Handler: enables the FPU when compiled for one, copies .data, zeroes .bss,
 * runs the init arrays, calls main() and exits through semihosting with main's
 * return value (QEMU's exit status); a weak _exit() (and empty _init/_fini) lets a
 * C library's exit() link and end the same way.
 * On Armv8-M Mainline it first sets MSPLIM to __stack_limit, the bottom of the stack and
 * the end of the heap in linker/cortex-m.ld: a main stack that outgrows __stack_size then
 * faults (reported "stack overflow") instead of writing over the top of the heap.
 * Faults (HardFault, MemManage, BusFault, UsageFault, SecureFault, NMI) print
 *   HardFault: PC=0x........ LR=0x........
 * (the stacked PC and LR of the faulting code) and exit with status 3 (STARTUP_FAULT_EXIT).
 * SysTick_Handler, the other system handlers and the IRQ handlers are weak aliases of
 * Default_Handler (itself weak), which reports "Unhandled exception N" and exits 4. */
#include <stddef.h>
#include <stdint.h>

#include "semihost.h"

#define STARTUP_FAULT_EXIT 3
#define STARTUP_UNHANDLED_EXIT 4
#define STARTUP_NUM_IRQS 48
/* The IRQ entries, written out: a range designator is a GNU extension (-pedantic). */
#define STARTUP_IRQ_X4 IRQ_Handler, IRQ_Handler, IRQ_Handler, IRQ_Handler
#define STARTUP_IRQ_X16 STARTUP_IRQ_X4, STARTUP_IRQ_X4, STARTUP_IRQ_X4, STARTUP_IRQ_X4
#define STARTUP_IRQS STARTUP_IRQ_X16, STARTUP_IRQ_X16, STARTUP_IRQ_X16 /* 48 */

extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t _stack_top[];
#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
#define STARTUP_STACK_LIMIT 1
extern uint32_t __stack_limit[];
/* CFSR's UsageFault part: STKOF, a stack limit reached (MSPLIM or PSPLIM). */
#define STARTUP_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define STARTUP_CFSR_STKOF (1u << 20)
#else
#define STARTUP_STACK_LIMIT 0
#endif
typedef void (*startup_fn)(void);
extern startup_fn __preinit_array_start[], __preinit_array_end[];
extern startup_fn __init_array_start[], __init_array_end[];

int main(void);

void Reset_Handler(void);
void Default_Handler(void);
void NMI_Handler(void);
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);
void SecureFault_Handler(void);
void SVC_Handler(void);
void DebugMon_Handler(void);
void PendSV_Handler(void);
void SysTick_Handler(void);
void IRQ_Handler(void);
__attribute__((noreturn, used)) void startup_fault_report(const uint32_t *frame, uint32_t exc_return,
                                                          uint32_t kind);

void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));
void IRQ_Handler(void) __attribute__((weak, alias("Default_Handler")));

/* The handle C++ registers its static destructors under (crtbegin.o defines it,
 * which -nostartfiles leaves out; weak, so that one wins where it is linked). */
extern void *__dso_handle;
__attribute__((weak)) void *__dso_handle = &__dso_handle;

/* What a C library's exit() reaches that -nostartfiles leaves out: newlib's
 * calls _fini (crti.o's) and ends in _exit, a system call. Weak, so that a
 * definition in the firmware's own objects (its system calls) wins; an
 * archive member that defines only _exit (librdimon's, picolibc's
 * libsemihost's) is then not pulled in, and this one is used instead. It
 * leaves through semihosting with the status, as a return from main does. */
void _init(void);
void _fini(void);
__attribute__((noreturn)) void _exit(int code);
__attribute__((weak)) void _init(void) {}
__attribute__((weak)) void _fini(void) {}
__attribute__((weak, noreturn)) void _exit(int code)
{
    semihost_exit(code);
}

typedef void (*vector_fn)(void);

__attribute__((section(".vectors"), used)) const vector_fn startup_vectors[16 + STARTUP_NUM_IRQS] = {
    [0] = (vector_fn)(uintptr_t)_stack_top,
    [1] = Reset_Handler,
    [2] = NMI_Handler,
    [3] = HardFault_Handler,
    [4] = MemManage_Handler,
    [5] = BusFault_Handler,
    [6] = UsageFault_Handler,
    [7] = SecureFault_Handler,
    [11] = SVC_Handler,
    [12] = DebugMon_Handler,
    [14] = PendSV_Handler,
    [15] = SysTick_Handler,
    [16] = STARTUP_IRQS,
};
/* STARTUP_IRQS writes out 48 entries (a C99 compile-time check: -std=c99 -pedantic). */
typedef char startup_irqs_are_48[STARTUP_NUM_IRQS == 48 ? 1 : -1];

__attribute__((noreturn)) void Reset_Handler(void)
{
#if STARTUP_STACK_LIMIT
    __asm__ volatile("msr msplim, %0" : : "r"(__stack_limit));
#endif
#if defined(__ARM_FP)
    /* CPACR: full access to CP10 and CP11. */
    volatile uint32_t *cpacr = (volatile uint32_t *)0xE000ED88u;
    *cpacr |= (0xFu << 20);
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    /* Word loops through volatile pointers: no memcpy/memset before .data exists. */
    volatile uint32_t *dst = __data_start;
    const volatile uint32_t *src = __data_load;
    while (dst < __data_end) {
        *dst++ = *src++;
    }
    for (volatile uint32_t *p = __bss_start; p < __bss_end; p++) {
        *p = 0;
    }
    for (startup_fn *f = __preinit_array_start; f < __preinit_array_end; f++) {
        (*f)();
    }
    for (startup_fn *f = __init_array_start; f < __init_array_end; f++) {
        (*f)();
    }
    semihost_exit(main());
}

static void startup_put_hex(uint32_t v)
{
    char buf[10];
    buf[0] = '0';
    buf[1] = 'x';
    for (int i = 0; i < 8; i++) {
        uint32_t nib = (v >> (28 - 4 * i)) & 0xFu;
        buf[2 + i] = (char)(nib < 10 ? '0' + nib : 'a' + (nib - 10));
    }
    semihost_write(buf, sizeof buf);
}

static void startup_puts(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0') {
        n++;
    }
    semihost_write(s, n);
}

void startup_fault_report(const uint32_t *frame, uint32_t exc_return, uint32_t kind)
{
    static const char *const names[] = {"NMI", "HardFault", "MemManage", "BusFault", "UsageFault",
                                        "SecureFault"};
    (void)exc_return;
    startup_puts(kind < sizeof names / sizeof names[0] ? names[kind] : "Fault");
    startup_puts(": PC=");
    startup_put_hex(frame[6]);
    startup_puts(" LR=");
    startup_put_hex(frame[5]);
#if STARTUP_STACK_LIMIT
    /* The frame was not stacked then: PC and LR above are not the faulting code's. */
    if ((STARTUP_CFSR & STARTUP_CFSR_STKOF) != 0) {
        startup_puts(" (stack overflow)");
    }
#endif
    startup_puts("\n");
    semihost_exit(STARTUP_FAULT_EXIT);
}

/* Naked entries: pick the stack the exception frame was pushed on (EXC_RETURN bit 2:
 * 0 = MSP, 1 = PSP) and call the reporter. Thumb-1 only, so also valid on Armv6-M. With a
 * stack limit, MSPLIM is lifted first: after an overflow the reporter's own frame lies
 * below it. */
#if STARTUP_STACK_LIMIT
#define STARTUP_LIFT_LIMIT "movs r3, #0\n\tmsr msplim, r3\n\t"
#else
#define STARTUP_LIFT_LIMIT ""
#endif
#define STARTUP_FAULT_ENTRY(name, kind)                                                            \
    __attribute__((naked)) void name(void)                                                         \
    {                                                                                              \
        __asm__ volatile(STARTUP_LIFT_LIMIT "movs r0, #4\n\t"                                      \
                         "mov r1, lr\n\t"                                                          \
                         "tst r0, r1\n\t"                                                          \
                         "beq 1f\n\t"                                                              \
                         "mrs r0, psp\n\t"                                                         \
                         "b 2f\n"                                                                  \
                         "1:\n\t"                                                                  \
                         "mrs r0, msp\n"                                                           \
                         "2:\n\t"                                                                  \
                         "movs r2, #" #kind "\n\t"                                                 \
                         "bl startup_fault_report\n\t");                                           \
    }

STARTUP_FAULT_ENTRY(NMI_Handler, 0)
STARTUP_FAULT_ENTRY(HardFault_Handler, 1)
STARTUP_FAULT_ENTRY(MemManage_Handler, 2)
STARTUP_FAULT_ENTRY(BusFault_Handler, 3)
STARTUP_FAULT_ENTRY(UsageFault_Handler, 4)
STARTUP_FAULT_ENTRY(SecureFault_Handler, 5)

__attribute__((weak)) void Default_Handler(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    startup_puts("Unhandled exception ");
    startup_put_hex(ipsr & 0x1FFu);
    startup_puts("\n");
    semihost_exit(STARTUP_UNHANDLED_EXIT);
}
