/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Bad input: every kind of bad pointer is refused by free, usable_size, realloc,
 * realloc_aligned and resize_in_place; reported once through the hook with the right
 * kind; counted in error_count; and the heap stays intact and fully usable. Damage
 * planted next to a block (overflows, links and sizes of free blocks overwritten) and
 * the exact kind of a double free depend on where the blocks lie:
 * tests/whitebox/test_misuse_layout.c. */
#include "misuse_util.h"

static void test_null_is_noop(void)
{
    fresh_heap();
    rtheap_free(heap, NULL);
    TH_CHECK_EQ(rtheap_usable_size(heap, NULL), 0);
    TH_CHECK_EQ(rtheap_resize_in_place(heap, NULL, 8), 0);
    TH_CHECK_EQ(hook.calls, 0);
    TH_CHECK_EQ(cu_error_count(heap), 0);
    CU_CHECK_HEAP(heap);
}

static void test_foreign(void)
{
    fresh_heap();
    void *live = rtheap_alloc(heap, 32);
    int on_stack[8] = {0};
    void *stack_ptr = &on_stack[0];
    expect_refused(stack_ptr, K(RTHEAP_ERR_FOREIGN_POINTER), "stack pointer");
    expect_refused(other_static + 16, K(RTHEAP_ERR_FOREIGN_POINTER), "static pointer");
    /* just outside the region, and the control structure at its start */
    expect_refused((uint8_t *)arena_mem + arena_bytes + 16u, K(RTHEAP_ERR_FOREIGN_POINTER),
                   "past the region");
    expect_refused((uint8_t *)heap + 16u, K(RTHEAP_ERR_FOREIGN_POINTER), "control structure");
    expect_refused((void *)(uintptr_t)CU_ALIGN, K(RTHEAP_ERR_FOREIGN_POINTER), "low address");
    expect_refused((void *)(UINTPTR_MAX & ~(uintptr_t)15u), K(RTHEAP_ERR_FOREIGN_POINTER),
                   "top of the address space");
    expect_recovered(&live, 1, "foreign pointers");
}

static void test_misaligned(void)
{
    fresh_heap();
    uint8_t *p = rtheap_alloc(heap, 64);
    cu_fill(p, 64, 1);
    for (uintptr_t off = 1; off < CU_ALIGN; off++) {
        expect_refused(p + off, K(RTHEAP_ERR_MISALIGNED), "misaligned pointer");
    }
    TH_CHECK_EQ(cu_verify(p, 64, 1), 64);
    void *blocks[] = {p};
    expect_recovered(blocks, 1, "misaligned pointers");
}

static void test_interior(void)
{
    fresh_heap();
    uint8_t *p = rtheap_alloc(heap, 256);
    uint8_t *q = rtheap_alloc(heap, 256);
    TH_CHECK(p != NULL && q != NULL);
    /* zeroed payload, then pattern, then all-ones */
    for (int fill = 0; fill < 3; fill++) {
        if (fill == 0) {
            cu_set(p, 0, 256);
        } else if (fill == 1) {
            cu_fill(p, 256, 9);
        } else {
            cu_set(p, 0xFF, 256);
        }
        for (uintptr_t off = CU_ALIGN; off < 256u; off += CU_ALIGN) {
            expect_refused(p + off, ANY_PTR_ERROR, "interior pointer");
        }
    }
    void *blocks[] = {p, q};
    expect_recovered(blocks, 2, "interior pointers");
}

/* Double frees: the pointer of a block freed alone, and of blocks freed one after
 * another (which may have merged), is refused and reported each time (which kind
 * depends on where the blocks lie and what merged: tests/whitebox/test_misuse_layout.c),
 * and the heap stays whole. */
static void test_double_free(void)
{
    fresh_heap();
    void *a = rtheap_alloc(heap, 48);
    void *b = rtheap_alloc(heap, 48);
    void *c = rtheap_alloc(heap, 48);
    void *d = rtheap_alloc(heap, 48);
    rtheap_free(heap, b);
    TH_CHECK_EQ(hook.calls, 0);
    expect_refused(b, ANY_PTR_ERROR, "double free");
    rtheap_free(heap, c);
    expect_refused(c, ANY_PTR_ERROR, "double free of the second of two freed blocks");
    expect_refused(b, ANY_PTR_ERROR, "double free of the first of two freed blocks");
    rtheap_free(heap, d);
    expect_refused(d, ANY_PTR_ERROR, "double free of the third of three freed blocks");
    expect_refused(b, ANY_PTR_ERROR, "double free of the first of three freed blocks");
    void *e = rtheap_alloc(heap, 48);
    void *f = rtheap_alloc(heap, 48);
    rtheap_free(heap, f);
    expect_refused(f, ANY_PTR_ERROR, "double free of a block freed after others");
    void *blocks[] = {a, e};
    expect_recovered(blocks, 2, "double frees");
}

/* Errors reported by a layer above (rtheap_report_error) are counted and forwarded. */
static void test_report_error(void)
{
    fresh_heap();
    rtheap_report_error(heap, RTHEAP_ERR_BAD_ARGUMENT, other_static);
    TH_CHECK_EQ(hook.calls, 1);
    TH_CHECK_EQ(hook.kind, RTHEAP_ERR_BAD_ARGUMENT);
    TH_CHECK_PTR_EQ(hook.ptr, other_static);
    TH_CHECK_EQ(cu_error_count(heap), 1);
    rtheap_report_error(NULL, RTHEAP_ERR_BAD_ARGUMENT, NULL); /* no-op */
    /* without a hook: counted, nothing else (release default) */
    rtheap_set_error_hook(heap, NULL, NULL);
    rtheap_free(heap, other_static);
    TH_CHECK_EQ(cu_error_count(heap), 2);
    TH_CHECK_EQ(hook.calls, 1);
    CU_CHECK_HEAP(heap);
    /* every kind has a name */
    for (int k = 0; k <= RTHEAP_ERR_CONTROL; k++) {
        const char *name = rtheap_error_name((rtheap_error_t)k);
        TH_CHECK(name != NULL && name[0] != '\0');
    }
    TH_CHECK_NOT_NULL(rtheap_error_name((rtheap_error_t)99));
}

int main(void)
{
    th_println("test_misuse");
    misuse_setup();
    test_null_is_noop();
    test_foreign();
    test_misaligned();
    test_interior();
    test_double_free();
    test_report_error();
    return th_summary();
}
