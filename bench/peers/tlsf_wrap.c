/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap benchmark: thin wrapper of mattconte/tlsf 3.1 (read from the peers directory at
 * build time, never copied here). On 32-bit, tlsf guarantees only 4-byte alignment, so
 * every request goes through tlsf_memalign (8 for the C API, the Rust alignment for the
 * entry points); tlsf_realloc keeps only 4-byte alignment when it moves a block, so the
 * wrapper calls it only when it will not move (judged from tlsf's block layout: the
 * size word in front of the payload, bit 0 of the next block's size word = free) and
 * otherwise moves the block itself. Sizes near SIZE_MAX are refused: tlsf_malloc would
 * wrap them to a small request. No lock. */
#include "peer.h"
#include "tlsf.h"

size_t peer_hint_align;
size_t peer_hint_old;
static tlsf_t g_tlsf;

#define TLSF_MIN_ALIGN 8u
/* Largest request passed on: tlsf rejects nothing up to its block_size_max (1 GiB). */
#define TLSF_MAX_REQUEST ((size_t)1 << 29)

/* tlsf reports a bad pool with printf (tlsf_create, tlsf_add_pool); the firmware has
 * no stdio, and a failed tlsf_create_with_pool returns NULL, which faults the bench. */
int printf(const char *fmt, ...);
int printf(const char *fmt, ...)
{
    (void)fmt;
    return 0;
}

void peer_init(void *mem, size_t bytes)
{
    g_tlsf = tlsf_create_with_pool(mem, bytes);
}

static void *tl_alloc(size_t n, size_t align)
{
    if (n > TLSF_MAX_REQUEST) {
        return NULL;
    }
    return tlsf_memalign(g_tlsf, align < TLSF_MIN_ALIGN ? TLSF_MIN_ALIGN : align, n);
}
/* Whether tlsf_realloc(p, n) keeps the block where it is: the request (rounded like
 * tlsf does: multiple of 4, at least 12) fits the block, or the block and its free
 * physical successor. */
static int tl_fits_in_place(void *p, size_t n)
{
    size_t cur = tlsf_block_size(p);
    size_t next = *(const size_t *)((const unsigned char *)p + cur);
    size_t want = (n + 3u) & ~(size_t)3u;
    want = want < 12u ? 12u : want;
    return want <= cur || ((next & 1u) != 0 && want <= cur + (next & ~(size_t)3u) + sizeof(size_t));
}
static void *tl_realloc(void *p, size_t old, size_t n, size_t align)
{
    if (p == NULL || n == 0 || n > TLSF_MAX_REQUEST) {
        return p == NULL ? tl_alloc(n, align) : NULL;
    }
    if (tl_fits_in_place(p, n)) {
        return tlsf_realloc(g_tlsf, p, n);
    }
    void *q = tl_alloc(n, align);
    if (q != NULL) {
        peer_copy(q, p, old < n ? old : n);
        tlsf_free(g_tlsf, p);
    }
    return q;
}

void *peer_malloc(size_t n) { return tl_alloc(n, TLSF_MIN_ALIGN); }
void peer_free(void *p) { tlsf_free(g_tlsf, p); }
void *peer_realloc(void *p, size_t n) { return tl_realloc(p, peer_hint_old, n, TLSF_MIN_ALIGN); }
void *peer_memalign(size_t align, size_t n) { return tl_alloc(n, align); }

void *__rust_allocate(size_t size, size_t align) { return tl_alloc(size, align); }
void __rust_deallocate(void *ptr, size_t old_size, size_t align)
{
    (void)old_size;
    (void)align;
    tlsf_free(g_tlsf, ptr);
}
void *__rust_reallocate(void *ptr, size_t old_size, size_t size, size_t align)
{
    return tl_realloc(ptr, old_size, size, align);
}
size_t __rust_reallocate_inplace(void *ptr, size_t old_size, size_t size, size_t align)
{
    (void)align;
    if (size == 0 || size > TLSF_MAX_REQUEST || !tl_fits_in_place(ptr, size)) {
        return old_size;
    }
    (void)tlsf_realloc(g_tlsf, ptr, size);
    return tlsf_block_size(ptr);
}
size_t __rust_usable_size(size_t size, size_t align)
{
    (void)align;
    return size;
}
