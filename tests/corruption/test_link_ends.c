/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* One overwritten free-list link is reported once, whichever of the two blocks it joins
 * is met first (A-C); so are both links of one block (D), and a damaged list head whose
 * list was dropped, met again through a block behind it (E), and a link and the footer
 * of one block (F). Free blocks Y and X of one class are neighbours in a list; a write
 * after free changes one word of X: its previous link (list Y -> X) or its next link
 * (list X -> Y). Y is then met first, through a merge, and its link to X does not link
 * back: Y is taken out of service and reported, for the pointer whose call met it.
 * Meeting X afterwards (freeing its neighbour), whose own link fails too, reports
 * nothing more, and the heap goes on serving. Case C meets both in one free.
 * Host and every board. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/* Both links of B overwritten (list Q -> B -> N, none next to another): the frees next
 * to Q and to N each meet a link to B that does not link back. One damage: reported
 * once, for the first. */
static void both_links_of_one_block(void)
{
    rtheap_t *heap = fresh();
    void *q = rtheap_alloc(heap, 24);
    void *s1 = rtheap_alloc(heap, 24);
    void *t1 = rtheap_alloc(heap, 24);
    void **b = rtheap_alloc(heap, 24);
    void *s2 = rtheap_alloc(heap, 24);
    void *n = rtheap_alloc(heap, 24);
    void *s3 = rtheap_alloc(heap, 24);
    void *live = rtheap_alloc(heap, 100);
    TH_CHECK(q && s1 && t1 && b && s2 && n && s3 && live);
    rtheap_free(heap, n);
    rtheap_free(heap, b);
    rtheap_free(heap, q); /* Q -> B -> N */
    b[0] = (char *)live - sizeof(size_t);
    b[1] = (char *)live - sizeof(size_t);
    rtheap_free(heap, s1); /* merges with Q */
    TH_CHECK_EQ(reports, 1u);
    rtheap_free(heap, s3); /* merges with N */
    after(heap, s1, live);
    rtheap_free(heap, t1);
    rtheap_free(heap, s2);
    TH_CHECK_EQ(reports, 1u);
}

/* An overflow over the header of free block X, the head of list X -> N, and the low
 * byte of its next link: the allocation that meets X drops its list, reported once.
 * N, cut off behind X, is met later by the free of its neighbour: the same damage, not
 * reported again. */
static void block_behind_a_dropped_list(void)
{
    rtheap_t *heap = fresh();
    unsigned char *a = rtheap_alloc(heap, 3u * sizeof(size_t));
    void *x = rtheap_alloc(heap, 24);
    void *s1 = rtheap_alloc(heap, 24);
    void *n = rtheap_alloc(heap, 24);
    void *s2 = rtheap_alloc(heap, 24);
    void *live = rtheap_alloc(heap, 100);
    TH_CHECK(a && x && s1 && n && s2 && live);
    rtheap_free(heap, n);
    rtheap_free(heap, x); /* X -> N */
    size_t u = rtheap_usable_size(heap, a);
    for (size_t i = 0; i <= sizeof(size_t); i++) {
        a[u + i] = 'B'; /* the overflow: one word and one byte past a's end */
    }
    void *y = rtheap_alloc(heap, 24); /* meets X */
    TH_CHECK_EQ(reports, 1u);
    rtheap_free(heap, s2); /* merges with N */
    TH_CHECK_EQ(reports, 1u);
    rtheap_free(heap, y);
    rtheap_free(heap, s1);
    rtheap_free(heap, live);
    TH_CHECK_EQ(reports, 1u);
}

/* A write after free over the previous link and the footer of a small free block B
 * (list Q -> B): the free next to Q meets Q's link to B (reported); the free of the
 * block after B then finds B's footer overwritten: the same damage, not reported
 * again. */
static void link_and_footer_of_one_block(void)
{
    rtheap_t *heap = fresh();
    void *q = rtheap_alloc(heap, 1);
    void *s1 = rtheap_alloc(heap, 1);
    void *t1 = rtheap_alloc(heap, 1);
    unsigned char *b = rtheap_alloc(heap, 1);
    void *s2 = rtheap_alloc(heap, 1);
    void *live = rtheap_alloc(heap, 100);
    TH_CHECK(q && s1 && t1 && b && s2 && live);
    size_t u = rtheap_usable_size(heap, b);
    rtheap_free(heap, b);
    rtheap_free(heap, q); /* Q -> B */
    void *bad = (char *)live - sizeof(size_t); /* a used block's header */
    memcpy(b + sizeof(void *), &bad, sizeof bad);          /* B's previous link */
    memcpy(b + u - sizeof(void *), &bad, sizeof bad);      /* B's footer */
    rtheap_free(heap, s1); /* merges with Q: Q's link to B */
    TH_CHECK_EQ(reports, 1u);
    rtheap_free(heap, s2); /* after B: its footer */
    TH_CHECK_EQ(reports, 1u);
    TH_CHECK_PTR_EQ(reported, s1);
    rtheap_free(heap, t1);
    rtheap_free(heap, live);
    TH_CHECK_EQ(reports, 1u);
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
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
    th_println("D: both links of one block, met from each side");
    both_links_of_one_block();
    th_println("E: a block cut off behind a dropped list, met later");
    block_behind_a_dropped_list();
    th_println("F: a previous link and the footer of one block");
    link_and_footer_of_one_block();
    return th_summary();
}
