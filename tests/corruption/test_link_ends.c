/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* One overwritten free-list link is reported once, whichever of the two blocks it joins
 * is met first. Free blocks Y and X of one class are neighbours in a list; a write
 * after free changes one word of X: its previous link (list Y -> X) or its next link
 * (list X -> Y). Y is then met first, through a merge, and its link to X does not link
 * back: Y is taken out of service and reported, for the pointer whose call met it.
 * Meeting X afterwards (freeing its neighbour), whose own link fails too, reports
 * nothing more, and the heap goes on serving. Case C meets both in one free.
 * Host and every board. */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "rtheap.h"

static _Alignas(16) unsigned char arena[6144];
static unsigned reports;
static const void *reported;

static void hook(rtheap_t *h, rtheap_error_t kind, const void *ptr, void *user)
{
    (void)h, (void)user;
    reports++;
    reported = ptr;
    TH_CHECK_EQ(kind, RTHEAP_ERR_BAD_FREE_LIST);
}

static rtheap_t *fresh(void)
{
    reports = 0;
    reported = NULL;
    rtheap_t *heap = rtheap_init(arena, sizeof arena);
    TH_CHECK_NOT_NULL(heap);
    rtheap_set_error_hook(heap, hook, NULL);
    return heap;
}

/* After the damage is met: reported once, for the call that met it first (the free
 * of `by`); the rest of the heap serves. */
static void after(rtheap_t *heap, void *by, void *live)
{
    TH_CHECK_EQ(reports, 1u);
    TH_CHECK_PTR_EQ(reported, by);
    rtheap_stats_t st;
    TH_CHECK(rtheap_get_stats(heap, &st));
    TH_CHECK(st.quarantine_count >= 1u);
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    void *p = rtheap_alloc(heap, 100);
    TH_CHECK_NOT_NULL(p);
    rtheap_free(heap, p);
    rtheap_free(heap, live);
    TH_CHECK_EQ(reports, 1u);
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
}

/* word 1: X's previous link (list Y -> X); word 0: its next link (list X -> Y). */
static void merge_meets_y_first(size_t word)
{
    rtheap_t *heap = fresh();
    void **x = rtheap_alloc(heap, 100);
    void *m = rtheap_alloc(heap, 100);
    void **y = rtheap_alloc(heap, 100);
    void *n = rtheap_alloc(heap, 100);
    void *live = rtheap_alloc(heap, 100);
    TH_CHECK(x != NULL && m != NULL && y != NULL && n != NULL && live != NULL);
    if (word == 1u) {
        rtheap_free(heap, x);
        rtheap_free(heap, y); /* Y -> X */
    } else {
        rtheap_free(heap, y);
        rtheap_free(heap, x); /* X -> Y */
    }
    x[word] = (char *)live - sizeof(size_t); /* a used block's header */
    rtheap_free(heap, n);                    /* merges with Y: meets the link */
    TH_CHECK_EQ(reports, 1u);
    rtheap_free(heap, m); /* next to X */
    after(heap, n, live);
}

static void one_free_meets_both(void)
{
    rtheap_t *heap = fresh();
    void **x = rtheap_alloc(heap, 100);
    void *n = rtheap_alloc(heap, 100);
    void **y = rtheap_alloc(heap, 100);
    void *live = rtheap_alloc(heap, 100);
    TH_CHECK(x != NULL && n != NULL && y != NULL && live != NULL);
    rtheap_free(heap, x);
    rtheap_free(heap, y); /* Y -> X */
    x[1] = (char *)live - sizeof(size_t);
    rtheap_free(heap, n); /* between X and Y */
    after(heap, n, live);
}

int main(void)
{
    th_println("test_link_ends: one overwritten link, reported once");
    th_println("A: X's previous link");
    merge_meets_y_first(1);
    th_println("B: X's next link");
    merge_meets_y_first(0);
    th_println("C: one free meets both");
    one_free_meets_both();
    return th_summary();
}
