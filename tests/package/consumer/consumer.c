/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtheap package test: a consumer program that only knows rtheap through its
 * installed or imported interface (#include "rtheap.h", link rtheap::rtheap or
 * `pkg-config rtheap`). Builds a heap over a static array, allocates, frees and
 * checks. Exit status 0 on success, 1 on failure (host: the process; cross: the
 * firmware's main, reported through semihosting).
 */
#include <stddef.h>
#include <stdint.h>

#include "rtheap.h"

/* Built with RTHEAP_CONFIG_HEADER=consumer_options.h: this file must see its
 * settings through rtheap.h alone, and the library must have them too. */
#if defined(RTHEAP_CONSUMER_EXPECT_OPTIONS) && !defined(RTHEAP_CONSUMER_OPTIONS)
#error "rtheap.h does not see the options header rtheap was built with"
#endif
#if defined(RTHEAP_CONSUMER_OPTIONS) && RTHEAP_ALIGNMENT != 32
#error "the options header's RTHEAP_ALIGNMENT is not in effect"
#endif

static uint8_t ram[4096] __attribute__((aligned(8)));

/* Plain allocations of odd sizes are RTHEAP_ALIGNMENT-aligned only if the library
 * was built with the alignment this file sees. */
static int aligned_like_header(rtheap_t *heap)
{
    void *p[6];
    int ok = 1;
    for (size_t i = 0; i < 6; i++) {
        p[i] = rtheap_alloc(heap, 4 + 12 * i);
        ok &= p[i] != NULL && ((uintptr_t)p[i] & (RTHEAP_ALIGNMENT - 1u)) == 0;
    }
    for (size_t i = 0; i < 6; i++) {
        rtheap_free(heap, p[i]);
    }
    return ok;
}

int main(void)
{
    rtheap_t *heap = rtheap_init(ram, sizeof ram);
    if (heap == NULL || !aligned_like_header(heap))
        return 1;
    unsigned char *a = rtheap_alloc(heap, 100);
    void *b = rtheap_alloc_aligned(heap, 64, 64);
    if (a == NULL || b == NULL || ((uintptr_t)b & 63u) != 0)
        return 1;
    for (size_t i = 0; i < 100; i++)
        a[i] = (unsigned char)i;
    rtheap_stats_t st;
    if (!rtheap_get_stats(heap, &st) || st.live_blocks != 2)
        return 1;
    rtheap_free(heap, a);
    rtheap_free(heap, b);
    if (!rtheap_get_stats(heap, &st) || st.live_blocks != 0)
        return 1;
    return rtheap_check(heap) == RTHEAP_OK ? 0 : 1;
}
