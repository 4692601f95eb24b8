/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtheap: utilization of over-aligned allocations, averaged over seeds.
 *
 * The shape of the bench's "aligned" growth workload (bench/bench.c): 16-1024 B
 * aligned to 16-1024, 70 % allocations and 30 % frees of a random live block, on a
 * 64 KiB heap, until the first allocation fails; utilization = the peak of the live
 * payload / 64 KiB. One seed is one run; the bench measures one. Build it for a
 * 32-bit target (the layout of Cortex-M) with and without RTHEAP_ALIGNED_FIT:
 *
 *     gcc -m32 -O1 -Isrc tools/aligned-util.c src/rtheap.c -o /tmp/au && /tmp/au 300
 *     gcc -m32 -O1 -Isrc -DRTHEAP_ALIGNED_FIT=1 tools/aligned-util.c src/rtheap.c -o /tmp/au && /tmp/au 300
 */
#include "rtheap.h"

#include <stdio.h>
#include <stdlib.h>

#define HEAP_BYTES 65536u
#define SLOTS 4096u

static unsigned char arena[HEAP_BYTES] __attribute__((aligned(1024)));
static void *live_ptr[SLOTS];
static uint32_t live_size[SLOTS];

static uint32_t rnd(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 8;
}

/* Peak live payload (bytes) of one run until the first failed allocation. */
static uint64_t run(uint32_t seed)
{
    rtheap_t *h = rtheap_init(arena, sizeof arena);
    uint32_t n = 0;
    uint64_t live = 0, peak = 0;
    for (;;) {
        if (n == 0 || (n < SLOTS && rnd(&seed) % 100u < 70u)) {
            uint32_t align = 16u << (rnd(&seed) % 7u);
            uint32_t size = 16u + rnd(&seed) % (1024u - 16u + 1u);
            void *p = rtheap_alloc_aligned(h, size, align);
            if (p == NULL) {
                return peak;
            }
            live_ptr[n] = p;
            live_size[n++] = size;
            live += size;
            peak = live > peak ? live : peak;
        } else {
            uint32_t i = rnd(&seed) % n;
            rtheap_free(h, live_ptr[i]);
            live -= live_size[i];
            live_ptr[i] = live_ptr[--n];
            live_size[i] = live_size[n];
        }
    }
}

int main(int argc, char **argv)
{
    uint32_t seeds = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 300u;
    double sum = 0, lo = 100, hi = 0;
    for (uint32_t s = 1; s <= seeds; s++) {
        double u = 100.0 * (double)run(s) / HEAP_BYTES;
        sum += u;
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
    }
    printf("RTHEAP_ALIGNED_FIT=%d: utilization over %u seeds: mean %.1f %%, min %.1f %%, max %.1f %%\n",
           RTHEAP_ALIGNED_FIT, seeds, sum / seeds, lo, hi);
    return 0;
}
