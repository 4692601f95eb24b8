/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap benchmark: the interface every peer wrapper in bench/peers/ gives bench.c.
 * The peers (o1heap, mattconte/tlsf, FreeRTOS heap_4) are compiled from their own
 * unmodified sources, read at build time from the directories given to tools/bench.sh;
 * these wrappers are ours and as thin as each peer allows (see bench/peers/README.md).
 *
 * C API (the bench's malloc-like workloads): every pointer 8-byte aligned like malloc
 * on AAPCS. The bench passes what a sized free would know through two hints, set
 * before the timed call: the alignment the block was allocated with (peers that must
 * over-allocate for large alignments need it in free) and the block's current size
 * (peers without a realloc copy that many bytes). The five __rust_* entry points are
 * defined by each wrapper too (the Rust ABI passes size and alignment itself). */
#ifndef BENCH_PEER_H
#define BENCH_PEER_H
#include <stddef.h>
#include <stdint.h>

extern size_t peer_hint_align; /* alignment of the block being freed/reallocated (0: plain) */
extern size_t peer_hint_old;   /* its current size in bytes */

void peer_init(void *mem, size_t bytes);
void *peer_malloc(size_t n);
void peer_free(void *p);
void *peer_realloc(void *p, size_t n);
void *peer_memalign(size_t align, size_t n);

/* Helpers for peers whose native alignment is below what a request asks:
 * over-allocate `align` more bytes, return the first aligned address past the raw
 * block and keep the raw pointer in the word in front of it. */
static inline void *peer_align_up(void *raw, size_t align)
{
    if (raw == NULL) {
        return NULL;
    }
    uintptr_t p = ((uintptr_t)raw + align) & ~(uintptr_t)(align - 1u);
    ((void **)p)[-1] = raw;
    return (void *)p;
}
static inline void *peer_raw_of(void *p)
{
    return ((void **)p)[-1];
}
/* The copy of a realloc that moves, word by word like rtheap's own (the firmware's
 * memcpy is a byte loop). Both blocks are 4-aligned and every peer rounds block sizes
 * to at least 4, so copying n rounded up to a word stays inside both. */
static inline void peer_copy(void *dst, const void *src, size_t n)
{
    uint32_t *d = dst;
    const uint32_t *s = src;
    for (size_t i = 0; i < (n + 3u) / 4u; i++) {
        d[i] = s[i];
    }
}
#endif
