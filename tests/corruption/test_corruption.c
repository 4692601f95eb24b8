/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Corruption tests: each kind of misuse and an overwrite of each header field
 * gets the documented behaviour: refused, reported through the error hook with the right
 * rtheap_error_t, counted; while deliberate damage is left in place rtheap_check()
 * reports it (and does not crash); once it is undone the heap is consistent and usable.
 * Host and every board (no libc). */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "rtheap.h"

#define W sizeof(size_t)
#define A ((size_t)RTHEAP_ALIGNMENT)
/* A header's size bits: above the flags, below its top byte (the tag). */
#define SIZE_MASK ((((size_t)1 << (8u * W - 8u)) - 1u) & ~(A - 1u))

static _Alignas(16) unsigned char arena[4096];
static unsigned char foreign_object[64];
static rtheap_t *heap;
static unsigned hook_calls;
static rtheap_error_t hook_kind;
static const void *hook_ptr;
static unsigned cases;

static void hook(rtheap_t *h, rtheap_error_t kind, const void *ptr, void *user)
{
    (void)h, (void)user;
    hook_calls++;
    hook_kind = kind;
    hook_ptr = ptr;
}

static void fresh(void)
{
    heap = rtheap_init(arena, sizeof arena);
    TH_CHECK_NOT_NULL(heap);
    rtheap_set_error_hook(heap, hook, NULL);
    hook_calls = 0;
}

static size_t *header_of(void *p)
{
    return (size_t *)((uintptr_t)p - W);
}

static void fill(void *p, unsigned char v)
{
    size_t n = rtheap_usable_size(heap, p);
    for (size_t i = 0; i < n; i++) {
        ((unsigned char *)p)[i] = v;
    }
}

/* Expect exactly one report of `kind` for `ptr` since the last call. */
static void expect(rtheap_error_t kind, const void *ptr, unsigned line)
{
    cases++;
    if (!TH_CHECK_EQ(hook_calls, 1) || !TH_CHECK_EQ(hook_kind, kind)) {
        th_print("  (case at line ");
        th_print_u(line);
        th_println(")");
    }
    TH_CHECK_PTR_EQ(hook_ptr, ptr);
    hook_calls = 0;
}
#define EXPECT(kind, ptr) expect(kind, ptr, __LINE__)

/* The heap still works: allocations, frees, a full check. */
static void usable_after(void)
{
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    void *q[8];
    for (int i = 0; i < 8; i++) {
        q[i] = rtheap_alloc(heap, (size_t)(16 + 24 * i));
        TH_CHECK_NOT_NULL(q[i]);
    }
    for (int i = 0; i < 8; i += 2) {
        rtheap_free(heap, q[i]);
    }
    for (int i = 1; i < 8; i += 2) {
        rtheap_free(heap, q[i]);
    }
    TH_CHECK_EQ(hook_calls, 0);
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
}

/* Every call that validates a pointer refuses `bad` with `kind`. */
static void refused_everywhere(void *bad, rtheap_error_t kind, unsigned line)
{
    rtheap_stats_t before, after;
    rtheap_get_stats(heap, &before);
    rtheap_free(heap, bad);
    expect(kind, bad, line);
    TH_CHECK_NULL(rtheap_realloc(heap, bad, 40));
    expect(kind, bad, line);
    TH_CHECK_NULL(rtheap_realloc_aligned(heap, bad, 40, 64));
    expect(kind, bad, line);
    TH_CHECK_EQ(rtheap_usable_size(heap, bad), 0);
    expect(kind, bad, line);
    TH_CHECK_EQ(rtheap_resize_in_place(heap, bad, 8), 0);
    expect(kind, bad, line);
    rtheap_get_stats(heap, &after);
    TH_CHECK_EQ(after.error_count, before.error_count + 5u);
    TH_CHECK_EQ(after.live_blocks, before.live_blocks);
    TH_CHECK_EQ(after.used_bytes, before.used_bytes);
    TH_CHECK_EQ(after.free_count, before.free_count);
    TH_CHECK_EQ(after.alloc_count, before.alloc_count);
}

static void misuse(void)
{
    fresh();
    unsigned char *a = rtheap_alloc(heap, 40);
    unsigned char *b = rtheap_alloc(heap, 40);
    unsigned char *c = rtheap_alloc(heap, 40);
    fill(a, 0x5A), fill(b, 0x5A), fill(c, 0x5A);
    /* double free (neighbours used: its successor says PREV_FREE) */
    rtheap_free(heap, b);
    TH_CHECK_EQ(hook_calls, 0);
    refused_everywhere(b, RTHEAP_ERR_DOUBLE_FREE, __LINE__);
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    /* foreign: a static object, a stack object, the control structure */
    unsigned char local[32];
    refused_everywhere(foreign_object + 16, RTHEAP_ERR_FOREIGN_POINTER, __LINE__);
    refused_everywhere(local + 16, RTHEAP_ERR_FOREIGN_POINTER, __LINE__);
    refused_everywhere((unsigned char *)heap + 2 * A, RTHEAP_ERR_FOREIGN_POINTER, __LINE__);
    /* misaligned and interior */
    refused_everywhere(a + 1, RTHEAP_ERR_MISALIGNED, __LINE__);
    refused_everywhere(a + A / 2, RTHEAP_ERR_MISALIGNED, __LINE__);
    refused_everywhere(a + A, RTHEAP_ERR_BAD_HEADER, __LINE__);
    /* a pointer into the free block b left */
    refused_everywhere(b + A, RTHEAP_ERR_BAD_HEADER, __LINE__);
    /* bad arguments */
    TH_CHECK_NULL(rtheap_alloc_aligned(heap, 16, 24));
    EXPECT(RTHEAP_ERR_BAD_ARGUMENT, NULL);
    TH_CHECK_NULL(rtheap_alloc_aligned(heap, 16, 0));
    EXPECT(RTHEAP_ERR_BAD_ARGUMENT, NULL);
    TH_CHECK_NULL(rtheap_realloc_aligned(heap, a, 16, 3));
    EXPECT(RTHEAP_ERR_BAD_ARGUMENT, a);
    TH_CHECK(!rtheap_add_region(heap, arena + 512, 512)); /* overlaps */
    EXPECT(RTHEAP_ERR_BAD_ARGUMENT, arena + 512);
    TH_CHECK(!rtheap_add_region(heap, foreign_object, 8)); /* too small */
    EXPECT(RTHEAP_ERR_BAD_ARGUMENT, foreign_object);
    TH_CHECK(!rtheap_add_region(heap, NULL, 4096));
    EXPECT(RTHEAP_ERR_BAD_ARGUMENT, NULL);
    /* freeing NULL is not an error */
    rtheap_free(heap, NULL);
    TH_CHECK_EQ(hook_calls, 0);
    for (int i = 0; i < 40; i++) {
        TH_CHECK_EQ(a[i], 0x5A);
        TH_CHECK_EQ(c[i], 0x5A);
    }
    rtheap_free(heap, a);
    rtheap_free(heap, c);
    usable_after();
}

/* Overwrites of a used block's header (a, b, c used, in that order). */
static void used_header(unsigned field)
{
    fresh();
    unsigned char *a = rtheap_alloc(heap, 40);
    unsigned char *b = rtheap_alloc(heap, 40);
    unsigned char *c = rtheap_alloc(heap, 40);
    fill(a, 0), fill(b, 0), fill(c, 0);
    size_t *hb = header_of(b);
    size_t *hc = header_of(c);
    size_t save_b = *hb, save_c = *hc;
    rtheap_error_t want;
    switch (field) {
    case 0: /* size bits: implausibly large */
        *hb = (save_b & (A - 1u)) | ((size_t)1 << (sizeof(size_t) * 8 - 2));
        want = RTHEAP_ERR_BAD_HEADER;
        break;
    case 1: /* size bits: below a minimum block */
        *hb = (save_b & (A - 1u)) | A;
        want = RTHEAP_ERR_BAD_HEADER;
        break;
    case 2: /* size bits: running past the next header into c's payload (the lowest
             * size bit flips, so the header's check bit no longer agrees) */
        *hb = save_b + A;
        want = RTHEAP_ERR_BAD_HEADER;
        break;
    case 3: /* FREE flag set on a used block */
        *hb = save_b | 1u;
        want = RTHEAP_ERR_BAD_HEADER;
        break;
    case 4: /* PREV_FREE set although a is used: the footer slot is a's (zero) data */
        *hb = save_b | 2u;
        want = RTHEAP_ERR_BAD_NEIGHBOUR;
        break;
    case 5: /* the check bit (bit 2) flipped: it no longer agrees with the size */
        *hb = save_b ^ 4u;
        want = RTHEAP_ERR_BAD_HEADER;
        break;
    default: /* the next block's PREV_FREE set although b is used */
        *hc = save_c | 2u;
        want = RTHEAP_ERR_BAD_NEIGHBOUR;
        break;
    }
    refused_everywhere(b, want, 1000u + field);
    TH_CHECK(rtheap_check(heap) != RTHEAP_OK); /* damage in place: reported, no crash */
    *hb = save_b;
    *hc = save_c;
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    rtheap_free(heap, b);
    rtheap_free(heap, a);
    rtheap_free(heap, c);
    TH_CHECK_EQ(hook_calls, 0);
    usable_after();
}

/* Overwrites of a free block f (between used a and used c). */
static void free_block(unsigned field)
{
    fresh();
    unsigned char *a = rtheap_alloc(heap, 40);
    unsigned char *f = rtheap_alloc(heap, 72);
    unsigned char *c = rtheap_alloc(heap, 40);
    unsigned char *d = rtheap_alloc(heap, 40); /* keeps c away from the big free block */
    fill(a, 0), fill(c, 0), fill(d, 0);
    rtheap_free(heap, f);
    size_t *hf = header_of(f);
    size_t tf = *hf & SIZE_MASK;
    size_t *footer = (size_t *)((uintptr_t)hf + tf - W);
    uintptr_t *next_free = (uintptr_t *)(void *)f;
    uintptr_t *prev_free = (uintptr_t *)(void *)(f + W);
    size_t save_h = *hf;
    void *victim = c;
    rtheap_error_t want = RTHEAP_ERR_BAD_NEIGHBOUR;
    switch (field) {
    case 0: /* footer points elsewhere (into a): freeing c checks it */
        *footer = (size_t)(uintptr_t)header_of(a);
        break;
    case 1: /* footer zero */
        *footer = 0;
        break;
    case 2: /* size bits of f: no longer reaches c */
        *hf = save_h - A;
        break;
    case 3: /* FREE flag of f cleared */
        *hf = save_h & ~(size_t)1u;
        break;
    case 4: /* next_free link (a plausible in-arena address): freeing a merges with f */
        *next_free = (uintptr_t)header_of(c);
        victim = a;
        want = RTHEAP_ERR_BAD_FREE_LIST;
        break;
    case 5: /* prev_free link */
        *prev_free = (uintptr_t)header_of(c);
        victim = a;
        want = RTHEAP_ERR_BAD_FREE_LIST;
        break;
    default: /* next_free link, seen when growing a in place into f */
        *next_free = (uintptr_t)header_of(d);
        victim = NULL;
        want = RTHEAP_ERR_BAD_FREE_LIST;
        break;
    }
    rtheap_stats_t before, after;
    rtheap_get_stats(heap, &before);
    if (victim != NULL) {
        rtheap_free(heap, victim);
        EXPECT(want, victim);
    } else {
        TH_CHECK_EQ(rtheap_resize_in_place(heap, a, 80), 0);
        EXPECT(want, f);
    }
    rtheap_get_stats(heap, &after);
    if (field <= 3) {
        /* Found from c through its footer: c is freed on its own, f (whose start
         * or state is no longer known from there) is left where it is, still
         * damaged, and disowned by c. */
        TH_CHECK_EQ(after.live_blocks, before.live_blocks - 1u);
        TH_CHECK_EQ(after.free_count, before.free_count + 1u);
        TH_CHECK(rtheap_check(heap) != RTHEAP_OK); /* damage in place: reported, no crash */
        if (field >= 2) {
            *hf = save_h; /* the header overwrite undone: f can serve again */
        }
        /* An allocation of f's size reaches f through its list: taken out of
         * service without a second report (fields 0, 1) or handed out intact
         * (2, 3). Either way the heap is consistent again. */
        void *g = rtheap_alloc(heap, 72);
        TH_CHECK_NOT_NULL(g);
        TH_CHECK_EQ(hook_calls, 0);
        TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
        rtheap_free(heap, g);
    } else {
        /* f's links are damaged: found from its neighbour, f is quarantined there
         * and then; the neighbour is freed (4, 5) or stays as it was (6). */
        TH_CHECK_EQ(after.quarantine_count, before.quarantine_count + 1u);
        TH_CHECK_EQ(after.quarantined_bytes, before.quarantined_bytes + tf);
        TH_CHECK_EQ(after.live_blocks, before.live_blocks - (victim != NULL ? 1u : 0u));
        TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    }
    if (field > 3 || victim != c) {
        rtheap_free(heap, c);
    }
    if (victim != a) {
        rtheap_free(heap, a);
    }
    rtheap_free(heap, d);
    TH_CHECK_EQ(hook_calls, 0);
    usable_after();
}

/* rtheap_check() names the damage; error names exist for every kind. */
static void check_reports(void)
{
    for (int k = 0; k <= RTHEAP_ERR_CONTROL; k++) {
        const char *n = rtheap_error_name((rtheap_error_t)k);
        TH_CHECK(n != NULL && n[0] != '\0');
    }
    TH_CHECK(rtheap_error_name((rtheap_error_t)99) != NULL);
    fresh();
    unsigned char *a = rtheap_alloc(heap, 40);
    unsigned char *b = rtheap_alloc(heap, 40);
    unsigned char *c = rtheap_alloc(heap, 40);
    (void)c;
    /* the magic word of the control structure */
    size_t *magic = (size_t *)heap;
    size_t save = *magic;
    *magic ^= 1u;
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_ERR_CONTROL);
    *magic = save;
    /* two free neighbours that were not merged: free a, then mark b free by hand */
    rtheap_free(heap, a);
    size_t *hb = header_of(b);
    size_t *hc = header_of(c);
    size_t sb = *hb, sc = *hc;
    /* flags set as the allocator would, the tag byte flipped with them */
    *hb ^= (size_t)1u | ((size_t)1u << (8u * W - 8u));
    *hc ^= (size_t)2u | ((size_t)2u << (8u * W - 8u));
    *(size_t *)((uintptr_t)hb + (sb & SIZE_MASK) - W) = (size_t)(uintptr_t)hb;
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_ERR_COALESCE);
    *hb = sb;
    *hc = sc;
    TH_CHECK_EQ(rtheap_check(heap), RTHEAP_OK);
    rtheap_report_error(heap, RTHEAP_ERR_BAD_ARGUMENT, b);
    EXPECT(RTHEAP_ERR_BAD_ARGUMENT, b);
    TH_CHECK_EQ(rtheap_check(NULL), RTHEAP_ERR_CONTROL);
}

int main(void)
{
    th_println("corruption: misuse and header overwrites");
    misuse();
    for (unsigned f = 0; f <= 6; f++) {
        used_header(f);
    }
    for (unsigned f = 0; f <= 6; f++) {
        free_block(f);
    }
    check_reports();
    th_print("corruption: ");
    th_print_u(cases);
    th_println(" refusals checked");
    return th_summary();
}
