/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap_default(): built once from the linker symbols __heap_start/__heap_end, plus
 * __heap2_start/__heap2_end on boards with a second RAM (mps2-an385, mps2-an386). */
#include "core_util.h"

extern char __heap_start[], __heap_end[];

static uintptr_t launder(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    __asm__("" : "+r"(a));
    return a;
}

int main(void)
{
    th_println("test_default");
    rtheap_t *h = rtheap_default();
    if (!TH_CHECK_NOT_NULL(h)) {
        return th_summary();
    }
    TH_CHECK_PTR_EQ(rtheap_default(), h);
    /* too late for an explicit region */
    static uint8_t other[4096] __attribute__((aligned(16)));
    TH_CHECK_NULL(rtheap_default_init(other, sizeof other));
    TH_CHECK_PTR_EQ(rtheap_default(), h);
    rtheap_stats_t s;
    TH_CHECK(rtheap_get_stats(h, &s));
    size_t main_bytes = (size_t)(launder(__heap_end) - launder(__heap_start));
    size_t second = 0;
    void *ram2 = NULL;
#if TH_IS_TARGET
    second = board_heap2(&ram2);
#endif
    th_print("default heap: regions ");
    th_print_u(s.region_count);
    th_print(", heap_bytes ");
    th_print_u(s.heap_bytes);
    th_print(" (main ");
    th_print_u(main_bytes);
    th_print(" + second ");
    th_print_u(second);
    th_print("), largest_guaranteed ");
    th_print_u(s.largest_guaranteed);
    th_println("");
    TH_CHECK_EQ(s.region_count, RTHEAP_BOARD_HAS_RAM2 ? 2u : 1u);
    TH_CHECK_EQ(s.heap_bytes, main_bytes + second);
    TH_CHECK((uintptr_t)h >= launder(__heap_start) && (uintptr_t)h < launder(__heap_end));
    TH_CHECK_EQ(s.live_blocks, 0);
    CU_CHECK_HEAP(h);
    void *p = rtheap_alloc(h, 100);
    TH_CHECK_NOT_NULL(p);
    /* from the main region, or from the second one where there is one */
    TH_CHECK(((uintptr_t)p > launder(__heap_start) && (uintptr_t)p < launder(__heap_end)) ||
             (second != 0 && (uintptr_t)p > (uintptr_t)ram2 &&
              (uintptr_t)p < (uintptr_t)ram2 + second));
    void *big = rtheap_alloc(h, s.largest_guaranteed / 2u);
    TH_CHECK_NOT_NULL(big);
    rtheap_free(h, p);
    rtheap_free(h, big);
    CU_CHECK_HEAP(h);
#if RTHEAP_BOARD_HAS_RAM2
    /* memory from the second region is handed out once the first is used up */
    enum { N = 16 };
    void *blocks[N];
    int in2 = 0;
    for (int i = 0; i < N; i++) {
        blocks[i] = rtheap_alloc(h, cu_largest(h));
        in2 += blocks[i] != NULL && (uintptr_t)blocks[i] >= (uintptr_t)ram2 &&
               (uintptr_t)blocks[i] < (uintptr_t)ram2 + second;
    }
    TH_CHECK(in2 > 0);
    for (int i = 0; i < N; i++) {
        rtheap_free(h, blocks[i]);
    }
    CU_CHECK_HEAP(h);
#endif
    return th_summary();
}
