/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The debugging configurations, built with rtheap.c compiled in:
 *   RTHEAP_CHECKS=2  every call that changes the heap runs rtheap_check() afterwards and
 *                    reports what it finds (kind from rtheap_check, pointer NULL):
 *                    add_region, aligned allocation, realloc_aligned, realloc_sized,
 *                    calloc, resize, free
 *                    report nothing on a sound heap (damage planted by hand, reported
 *                    by the next change: tests/whitebox/test_checks2_damage.c).
 *   RTHEAP_POISON=1  freed payloads are filled with RTHEAP_POISON_BYTE (links and footer
 *                    excepted); a write after free is RTHEAP_ERR_POISON for rtheap_check();
 *                    the same for the free block of a region added later and for the tail
 *                    a shrinking realloc gives back.
 * One source, two programs (tests/core/CMakeLists.txt); host and every board. */
#include "core_util.h"

static uint8_t arena[4096] __attribute__((aligned(64)));
static uint8_t second[2048] __attribute__((aligned(64)));
static cu_hook_t hook;
static rtheap_t *heap;

static void fresh(void)
{
    heap = cu_init_hooked(arena, sizeof arena, &hook);
}

/* The payload bytes a free block keeps poisoned: after its two links, before its footer. */
static uint8_t *poisoned_part(uint8_t *p, size_t usable, size_t *n)
{
    *n = usable - 3u * CU_WORD;
    return p + 2u * CU_WORD;
}

#if RTHEAP_CHECKS == 2
static void test_checks2(void)
{
    fresh();
    /* A sound heap: nothing is reported by any changing call. */
    TH_CHECK(rtheap_add_region(heap, second, sizeof second));
    uint8_t *a = rtheap_alloc_aligned(heap, 100, 64);
    TH_CHECK(a != NULL && cu_aligned(a, 64));
    cu_fill(a, 100, 1);
    uint8_t *b = rtheap_realloc_aligned(heap, a, 300, 128);
    TH_CHECK(b != NULL && cu_aligned(b, 128));
    TH_CHECK_EQ(cu_verify(b, 100, 1), 100);
    uint8_t *c = rtheap_calloc(heap, 4, 25);
    TH_CHECK(c != NULL && cu_all(c, 0, 100));
    TH_CHECK(rtheap_resize_in_place(heap, b, 40) >= 40);
    uint8_t *d = rtheap_realloc_aligned(heap, NULL, 64, 32);
    TH_CHECK(d != NULL && cu_aligned(d, 32));
    uint8_t *e = rtheap_realloc_sized(heap, NULL, 0, 40);
    TH_CHECK_NOT_NULL(e);
    cu_fill(e, 40, 2);
    e = rtheap_realloc_sized(heap, e, 40, 700);
    TH_CHECK(e != NULL && cu_verify(e, 40, 2) == 40);
    TH_CHECK_NULL(rtheap_realloc_aligned(heap, d, 64, 48)); /* not a power of two */
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_ARGUMENT);
    cu_hook_reset(&hook);
    TH_CHECK(!rtheap_add_region(heap, second, sizeof second)); /* overlaps: refused */
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_ARGUMENT);
    cu_hook_reset(&hook);

    rtheap_free(heap, b);
    rtheap_free(heap, c);
    rtheap_free(heap, d);
    rtheap_free(heap, e);
    TH_CHECK_EQ(hook.calls, 0);
    CU_CHECK_HEAP(heap);
}
#endif

#if RTHEAP_POISON
static void test_poison(void)
{
    fresh();
    uint8_t *a = rtheap_alloc(heap, 64);
    uint8_t *b = rtheap_alloc(heap, 64); /* keeps a apart from the large free block */
    TH_CHECK(a != NULL && b != NULL);
    size_t ua = rtheap_usable_size(heap, a);
    cu_fill(a, ua, 7);
    rtheap_free(heap, a);
    size_t n;
    uint8_t *z = poisoned_part(a, ua, &n);
    TH_CHECK(cu_all(z, RTHEAP_POISON_BYTE, n));
    CU_CHECK_HEAP(heap);
    /* A write after free: one byte in the middle of the freed block. */
    z[n / 2u] = 0x00;
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_ERR_POISON);
    z[n / 2u] = RTHEAP_POISON_BYTE;
    CU_CHECK_HEAP(heap);

    /* A shrinking realloc gives its tail back poisoned. */
    uint8_t *c = rtheap_alloc(heap, 400);
    uint8_t *guard = rtheap_alloc(heap, 16);
    TH_CHECK(c != NULL && guard != NULL);
    cu_fill(c, 400, 9);
    TH_CHECK(rtheap_realloc(heap, c, 40) == c);
    CU_CHECK_HEAP(heap);
    c[200] ^= 0xFFu; /* inside the tail now free */
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_ERR_POISON);
    c[200] ^= 0xFFu;
    CU_CHECK_HEAP(heap);

    /* A region added later: its free block is poisoned from the start. */
    TH_CHECK(rtheap_add_region(heap, second, sizeof second));
    CU_CHECK_HEAP(heap);
    second[sizeof second / 2u] ^= 0x01u;
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_ERR_POISON);
    second[sizeof second / 2u] ^= 0x01u;
    CU_CHECK_HEAP(heap);
    /* realloc_aligned moving a block frees the old one poisoned too. */
    uint8_t *d = rtheap_alloc(heap, 64);
    uint8_t *keep = rtheap_alloc(heap, 16);
    TH_CHECK(d != NULL && keep != NULL);
    uint8_t *e = rtheap_realloc_aligned(heap, d, 200, 256);
    TH_CHECK(e != NULL && cu_aligned(e, 256));
    if (e != NULL && e != d) {
        size_t ud = rtheap_request_usable_size(64, 1);
        uint8_t *zd = poisoned_part(d, ud, &n);
        TH_CHECK(cu_all(zd, RTHEAP_POISON_BYTE, n));
    }
    CU_CHECK_HEAP(heap);
    TH_CHECK_EQ(hook.calls, 0);
}
#endif

int main(void)
{
    th_print("core_configs: RTHEAP_CHECKS=");
    th_print_u(RTHEAP_CHECKS);
    th_print(" RTHEAP_POISON=");
    th_print_u(RTHEAP_POISON);
    th_println("");
    int ran = 0;
#if RTHEAP_CHECKS == 2
    test_checks2();
    ran++;
#endif
#if RTHEAP_POISON
    test_poison();
    ran++;
#endif
    TH_CHECK(ran > 0); /* built without either option: a build mistake */
    (void)poisoned_part;
    return th_summary();
}
