/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* RTHEAP_DEBUG=1 without an installed hook: the default error action traps. A double
 * free must not return: on a board the trap is a HardFault (exit code 3), on the host
 * SIGILL. Compiles rtheap.c in (the option must reach the allocator). */
#include "core_util.h"

static uint8_t arena[4096] __attribute__((aligned(16)));

int main(void)
{
    th_println("test_debug_trap: RTHEAP_DEBUG=1, double free without a hook must trap");
    rtheap_t *heap = rtheap_init(arena, sizeof arena);
    if (!TH_CHECK_NOT_NULL(heap)) {
        return th_summary();
    }
    void *p = rtheap_alloc(heap, 32);
    rtheap_free(heap, p);
    th_println("first free done; the second must trap");
    rtheap_free(heap, p);
    th_println("ERROR: no trap on a double free");
    return 2;
}
