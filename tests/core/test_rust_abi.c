/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The five classic Rust allocator entry points, driven from C as a firmware or
 * another language would (no Rust needed): __rust_allocate, __rust_deallocate,
 * __rust_reallocate, __rust_reallocate_inplace and __rust_usable_size on the
 * default heap, with odd sizes and every power-of-two alignment the heap can
 * place. Runs on the host and on every board. */
#include "core_util.h"

static size_t heap_bytes(void)
{
    rtheap_stats_t s;
    return rtheap_get_stats(rtheap_default(), &s) ? s.heap_bytes : 0u;
}

static size_t live_blocks(void)
{
    rtheap_stats_t s;
    return rtheap_get_stats(rtheap_default(), &s) ? s.live_blocks : 0u;
}

/* Sizes and alignments: odd sizes, and alignments up to 4096 where the heap
 * can hold the padding (the micro:bit's is about 10 KiB). */
static const size_t sizes[] = {0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 100, 255, 257, 1000};
static const size_t aligns[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};

static void allocate_everything(void)
{
    size_t biggest_align = heap_bytes() >= 16384u ? 4096u : 2048u;
    for (size_t ai = 0; ai < sizeof aligns / sizeof aligns[0]; ai++) {
        size_t align = aligns[ai];
        if (align > biggest_align) {
            break;
        }
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            size_t size = sizes[si];
            uint8_t *p = __rust_allocate(size, align);
            if (!TH_CHECK_NOT_NULL(p)) {
                continue;
            }
            TH_CHECK(cu_aligned(p, align));
            size_t usable = __rust_usable_size(size, align);
            TH_CHECK(usable >= size);
            TH_CHECK_EQ(usable, rtheap_request_usable_size(size, align));
            /* The block really has those bytes: the heap says so, and writing
             * all of them disturbs nothing (rtheap_check after the free). */
            TH_CHECK(rtheap_usable_size(rtheap_default(), p) >= usable);
            cu_fill(p, usable, (uint32_t)(size * 31u + align));
            TH_CHECK_EQ(cu_verify(p, usable, (uint32_t)(size * 31u + align)), usable);
            __rust_deallocate(p, size, align);
        }
    }
    TH_CHECK_EQ(rtheap_check(rtheap_default()), RTHEAP_OK);
}

static void zero_sized(void)
{
    void *a = __rust_allocate(0, 8);
    void *b = __rust_allocate(0, 8);
    void *c = __rust_allocate(0, 64);
    TH_CHECK(a != NULL && b != NULL && c != NULL);
    TH_CHECK(a != b && a != c && b != c);
    TH_CHECK(cu_aligned(c, 64));
    __rust_deallocate(a, 0, 8);
    __rust_deallocate(b, 0, 8);
    __rust_deallocate(c, 0, 64);
    __rust_deallocate(NULL, 0, 8); /* nothing */
}

static void reallocate(void)
{
    /* Growth by doubling, as Vec does, keeping contents and alignment. */
    const size_t align = 64;
    size_t size = 24;
    uint8_t *p = __rust_allocate(size, align);
    TH_CHECK_NOT_NULL(p);
    cu_fill(p, size, 7u);
    size_t cap = heap_bytes() >= 16384u ? 8192u : 2048u;
    while (p != NULL && size * 2u <= cap) {
        uint8_t *q = __rust_reallocate(p, size, size * 2u, align);
        if (!TH_CHECK_NOT_NULL(q)) {
            break;
        }
        TH_CHECK(cu_aligned(q, align));
        TH_CHECK_EQ(cu_verify(q, size, 7u), size);
        cu_fill(q, size * 2u, 7u);
        p = q;
        size *= 2u;
    }
    /* Shrink, then a reallocate that cannot be served: NULL, block intact. */
    uint8_t *q = __rust_reallocate(p, size, 40, align);
    TH_CHECK_NOT_NULL(q);
    TH_CHECK(cu_aligned(q, align));
    TH_CHECK_EQ(cu_verify(q, 40, 7u), 40u);
    p = q;
    size = 40;
    TH_CHECK_NULL(__rust_reallocate(p, size, heap_bytes() * 2u, align));
    TH_CHECK_EQ(cu_verify(p, 40, 7u), 40u);
    __rust_deallocate(p, size, align);
}

/* In place or not at all: __rust_reallocate_inplace returns the new usable size (at
 * least the request) or old_size with the block untouched; a shrink always works.
 * Whether a can grow depends on where a, b and c lie:
 * tests/whitebox/test_rust_inplace.c. */
static void reallocate_inplace(void)
{
    uint8_t *a = __rust_allocate(100, 8);
    uint8_t *b = __rust_allocate(100, 8);
    uint8_t *c = __rust_allocate(100, 8);
    TH_CHECK(a != NULL && b != NULL && c != NULL);
    cu_fill(a, 100, 1u);
    size_t old = __rust_usable_size(100, 8);

    /* With b live: grown, or old_size and a untouched. */
    size_t r = __rust_reallocate_inplace(a, old, old + 200u, 8);
    TH_CHECK(r == old || r >= old + 200u);
    TH_CHECK(rtheap_usable_size(rtheap_default(), a) >= r);
    TH_CHECK_EQ(cu_verify(a, 100, 1u), 100u);
    old = r;

    /* b freed: the same, without moving. */
    __rust_deallocate(b, 100, 8);
    size_t grown = __rust_reallocate_inplace(a, old, old + 100u, 8);
    TH_CHECK(grown == old || grown >= old + 100u);
    TH_CHECK(rtheap_usable_size(rtheap_default(), a) >= grown);
    TH_CHECK_EQ(cu_verify(a, 100, 1u), 100u);
    cu_fill(a, grown, 2u);

    /* Shrink in place: always possible, the usable size is what is left. */
    size_t shrunk = __rust_reallocate_inplace(a, grown, 16, 8);
    TH_CHECK(shrunk >= 16u && shrunk < grown);
    TH_CHECK_EQ(cu_verify(a, 16, 2u), 16u);
    TH_CHECK_EQ(rtheap_check(rtheap_default()), RTHEAP_OK);

    __rust_deallocate(a, shrunk, 8);
    __rust_deallocate(c, 100, 8);
}

static void bad_requests(void)
{
    TH_CHECK_NULL(__rust_allocate(heap_bytes() * 2u, 8));
    TH_CHECK_NULL(__rust_allocate((size_t)-1, 8));
    TH_CHECK_NULL(__rust_allocate(16, 3)); /* not a power of two */
    TH_CHECK_EQ(__rust_usable_size(16, 3), 0u);
    TH_CHECK_EQ(__rust_usable_size((size_t)-1, 8), 0u);
    /* A null pointer is no block: nothing resized, old_size back, nothing freed,
     * nothing reported. */
    rtheap_stats_t s0, s1;
    TH_CHECK(rtheap_get_stats(rtheap_default(), &s0));
    TH_CHECK_EQ(__rust_reallocate_inplace(NULL, 24, 48, 8), 24u);
    __rust_deallocate(NULL, 24, 8);
    TH_CHECK(rtheap_get_stats(rtheap_default(), &s1));
    TH_CHECK_EQ(s1.error_count, s0.error_count);
    TH_CHECK_EQ(s1.free_count, s0.free_count);
}

/* The linker script's heap (host_heap_symbols.c on the host). */
extern char __heap_start[], __heap_end[];

/* First of all: a deallocation and a resize in place with no block to act
 * on. In the small configuration they leave the default heap unbuilt (no
 * block of it can exist yet), and rtheap_default_init then builds it over
 * the same memory; otherwise they build it, and rtheap_default_init finds
 * it built. */
static void before_the_heap(void)
{
    __rust_deallocate(NULL, 24, 8);
    TH_CHECK_EQ(__rust_reallocate_inplace(NULL, 24, 48, 8), 24u);
    rtheap_t *set = rtheap_default_init(__heap_start, (size_t)(__heap_end - __heap_start));
    TH_CHECK((set != NULL) == (RTHEAP_SMALL != 0));
    TH_CHECK_NOT_NULL(rtheap_default());
    TH_CHECK_EQ(rtheap_default_no_heap_count(), 0u);
}

/* RUST_ABI_FIRST 1 or 2 (core_rust_abi_first_*): the first call of all is an
 * allocation instead, with an over-aligned layout (1) or a bad alignment (2):
 * it builds the heap, then gets the block (aligned) or NULL and a report. */
#ifndef RUST_ABI_FIRST
#define RUST_ABI_FIRST 0
#endif

static void allocation_first(void)
{
    void *p = __rust_allocate(40, RUST_ABI_FIRST == 1 ? 64u : 3u);
    /* Built by that call: rtheap_default_init refuses a second heap. */
    TH_CHECK_NULL(rtheap_default_init(__heap_start, (size_t)(__heap_end - __heap_start)));
    rtheap_stats_t s;
    TH_CHECK(rtheap_get_stats(rtheap_default(), &s));
    TH_CHECK_EQ(rtheap_default_no_heap_count(), 0u);
    if (RUST_ABI_FIRST == 1) {
        if (TH_CHECK_NOT_NULL(p)) {
            TH_CHECK(cu_aligned(p, 64));
        }
        TH_CHECK_EQ(s.live_blocks, 1u);
        TH_CHECK_EQ(s.error_count, 0u);
        __rust_deallocate(p, 40, 64);
    } else {
        TH_CHECK_NULL(p);
        TH_CHECK_EQ(s.live_blocks, 0u);
        TH_CHECK_EQ(s.error_count, 1u); /* RTHEAP_ERR_BAD_ARGUMENT */
    }
}

int main(void)
{
    th_println("test_rust_abi: the five classic entry points from C");
    if (RUST_ABI_FIRST != 0) {
        allocation_first();
    } else {
        before_the_heap();
    }
    size_t live = live_blocks();
    zero_sized();
    allocate_everything();
    reallocate();
    reallocate_inplace();
    bad_requests();
    TH_CHECK_EQ(live_blocks(), live);
    TH_CHECK_EQ(rtheap_check(rtheap_default()), RTHEAP_OK);
    return th_summary();
}
