/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* White-box, RTHEAP_CHECKS=2 (rtheap.c compiled in with it): damage the next call does
 * not go near is reported by the full check after it, with the pointer NULL; every call
 * that changes the heap reports it again while it is in place, and nothing more once a
 * call meets the damaged block and takes it out of service. The damage is a zeroed
 * footer in a free block between two live ones, which relies on choices of this
 * implementation that rtheap.h does not promise: blocks allocated one after another
 * lie next to each other, a free block keeps a footer in its last payload word, and an
 * allocation reaches that block through its list in the end. The contract test
 * (tests/core/test_configs.c) checks that a sound heap gets no report. Host and every
 * board. */
#include "../core/core_util.h"

static uint8_t arena[4096] __attribute__((aligned(64)));
static uint8_t second[2048] __attribute__((aligned(64)));
static cu_hook_t hook;
static rtheap_t *heap;

static void fresh(void)
{
    heap = cu_init_hooked(arena, sizeof arena, &hook);
}

static void test_checks2_damage(void)
{
    /* Damage the next call does not go near: the footer of a free block between two live
     * ones (a fresh heap: e, f and g are neighbours). The check after an unrelated
     * allocation reports it. */
    fresh();
    uint8_t *e = rtheap_alloc(heap, 64);
    uint8_t *f = rtheap_alloc(heap, 64);
    uint8_t *g = rtheap_alloc(heap, 64);
    TH_CHECK(e != NULL && f != NULL && g != NULL);
    size_t uf = rtheap_usable_size(heap, f);
    rtheap_free(heap, f);
    TH_CHECK_EQ(hook.calls, 0);
    size_t *footer = (size_t *)(void *)(f + uf - CU_WORD);
    size_t saved = *footer;
    *footer = 0;
    void *x = rtheap_alloc(heap, 200); /* larger than f: served elsewhere */
    TH_CHECK_NOT_NULL(x);
    TH_CHECK(hook.calls >= 1);
    TH_CHECK(hook.kind != RTHEAP_OK);
    TH_CHECK_NULL(hook.ptr); /* from the full check, not from a pointer */
    /* Every other call that changes the heap reports it too, while it is in place; once
     * a call meets the damaged block and takes it out of service (quarantined, reported
     * by that call for its own pointer), the heap is consistent and nothing more is. */
    for (int api = -1; api < 8; api++) {
        rtheap_stats_t st;
        TH_CHECK(rtheap_get_stats(heap, &st));
        bool contained = st.quarantine_count > 0;
        cu_hook_reset(&hook);
        void *r = NULL;
        switch (api) {
        case -1: /* a shrink in place: no search meets the damage */
            TH_CHECK_PTR_EQ(rtheap_realloc_sized(heap, x, 200, 150), x);
            break;
        case 0: (void)rtheap_add_region(heap, second, sizeof second); break;
        case 1: r = rtheap_alloc_aligned(heap, 40, 64); break;
        case 2: r = rtheap_calloc(heap, 2, 20); break;
        case 3: r = rtheap_realloc(heap, NULL, 24); break;
        case 4: r = rtheap_realloc_aligned(heap, NULL, 24, 32); break;
        case 5: r = rtheap_realloc_sized(heap, NULL, 0, 24); break;
        case 6: (void)rtheap_resize_in_place(heap, x, 100); break;
        default: r = rtheap_alloc(heap, 300); break;
        }
        TH_CHECK(rtheap_get_stats(heap, &st));
        bool ok = contained ? hook.calls == 0 && rtheap_check(heap) == RTHEAP_OK
                            : hook.calls >= 1 && (hook.ptr == NULL || st.quarantine_count > 0);
        if (!TH_CHECK(ok)) {
            th_print("  ... CHECKS=2 report after call ");
            th_print_u((unsigned)(api + 1));
            th_println("");
        }
        cu_hook_reset(&hook);
        if (r != NULL) {
            rtheap_free(heap, r);
            TH_CHECK(rtheap_get_stats(heap, &st));
            /* reported again while the damage is still in place, not once contained */
            TH_CHECK(st.quarantine_count > 0 ? hook.calls == 0 : hook.calls >= 1);
        }
    }
    rtheap_stats_t end;
    TH_CHECK(rtheap_get_stats(heap, &end));
    TH_CHECK_EQ(end.quarantine_count, 1); /* an allocation reached f in the end */
    (void)saved; /* f is quarantined: putting its footer back changes nothing now */
    cu_hook_reset(&hook);
    rtheap_free(heap, x);
    rtheap_free(heap, g);
    rtheap_free(heap, e);
    TH_CHECK_EQ(hook.calls, 0);
    CU_CHECK_HEAP(heap);
}

int main(void)
{
    th_print("test_checks2_damage: RTHEAP_CHECKS=");
    th_print_u(RTHEAP_CHECKS);
    th_println("");
    TH_CHECK_EQ(RTHEAP_CHECKS, 2); /* built without the option: a build mistake */
    test_checks2_damage();
    return th_summary();
}
