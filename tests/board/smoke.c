/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* smoke: the board, the startup code, the linker script and the harness work. */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

#if TH_IS_TARGET
#include "board.h"
#else
#include <stdlib.h>
#endif

static volatile uint32_t smoke_data = 0xC0FFEE42u; /* .data: copied from flash */
static volatile uint32_t smoke_bss[16];             /* .bss: zeroed */

static void check_region(const char *what, void *start, size_t size)
{
    th_print(what);
    th_print(": ");
    th_print_x((uintptr_t)start);
    th_print(" + ");
    th_print_x(size);
    th_print(" (");
    th_print_u(size);
    th_println(" bytes)");
    TH_CHECK(size >= 1024);
    TH_CHECK_EQ((uintptr_t)start % 8u, 0);
    TH_CHECK_EQ(size % 8u, 0);
    if (size < 16) {
        return;
    }
    volatile uint32_t *lo = (volatile uint32_t *)start;
    volatile uint32_t *hi = (volatile uint32_t *)((uintptr_t)start + size - 8u);
    lo[0] = 0xA5A5A5A5u;
    lo[1] = 0x5A5A5A5Au;
    hi[0] = 0x12345678u;
    hi[1] = 0x9ABCDEF0u;
    TH_CHECK_EQ(lo[0], 0xA5A5A5A5u);
    TH_CHECK_EQ(lo[1], 0x5A5A5A5Au);
    TH_CHECK_EQ(hi[0], 0x12345678u);
    TH_CHECK_EQ(hi[1], 0x9ABCDEF0u);
}

int main(void)
{
    uint32_t seed = 1;
    th_print("smoke: board ");
    th_println(RTHEAP_BOARD_NAME);

    TH_CHECK_EQ(smoke_data, 0xC0FFEE42u);
    for (size_t i = 0; i < sizeof smoke_bss / sizeof smoke_bss[0]; i++) {
        TH_CHECK_EQ(smoke_bss[i], 0);
    }
    TH_CHECK(th_rand(&seed) != th_rand(&seed));

#if defined(__ARM_FP)
    /* Hard-float boards: the startup code must have enabled the FPU (else UsageFault). */
    volatile float fa = 1.5f, fb = 2.25f;
    TH_CHECK(fa * fb > 3.37f && fa * fb < 3.38f);
#endif

#if TH_IS_TARGET
    /* The main stack is at the top of RAM, below _stack_top, above the heap. */
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    TH_CHECK(sp > board_addr_(__stack_limit) && sp <= board_addr_(_stack_top));
    TH_CHECK(board_addr_(__heap_end) <= board_addr_(__stack_limit));
    void *heap;
    size_t heap_size = board_heap(&heap);
    check_region("heap", heap, heap_size);
    void *heap2;
    size_t heap2_size = board_heap2(&heap2);
#if RTHEAP_BOARD_HAS_RAM2
    TH_CHECK_NOT_NULL(heap2);
    check_region("heap2", heap2, heap2_size);
#else
    TH_CHECK_NULL(heap2);
    TH_CHECK_EQ(heap2_size, 0);
#endif
#else
    size_t size = 64u * 1024u;
    void *heap = malloc(size);
    TH_CHECK_NOT_NULL(heap);
    if (heap != NULL) {
        check_region("host buffer", heap, size);
    }
    free(heap);
#endif
    return th_summary();
}
