/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* A write after free that changes the footer (last word) of a freed
 * block must never make a later call on a valid neighbour fault.
 *
 *     a = alloc(64); c = alloc(64); free(a);
 *     ((size_t *)a)[usable / sizeof(size_t) - 1] += 1;   // a's footer, now misaligned
 *     free(c);                                           // c says "previous free"
 *
 * Before the fix, rtheap_validate_used() loaded through the forged footer before
 * anything proved it aligned: HardFault on Armv6-M (microbit), UBSan "misaligned
 * address" on the host, silently "refused" elsewhere. Required: no fault; the call on c
 * reports exactly one error (BAD_NEIGHBOUR or BAD_FREE_LIST); and the heap goes on
 * serving: at most one further report (the allocation that meets the damaged block and
 * takes it out of service), after which allocations succeed with no report and
 * largest_guaranteed is honoured. Every footer forgery below, every call that validates
 * a pointer (free, realloc, usable_size, resize_in_place) on c. Also a zeroed prev link
 * after free (the same containment). Host and every board. */
#include "../core/core_util.h"

#define NFORGE 9u
#define NAPI 4u

static uint8_t arena[4096] __attribute__((aligned(64)));
static cu_hook_t hook;
static rtheap_t *heap;
static unsigned cases;

static const char *const api_names[NAPI] = {"free", "realloc", "usable_size",
                                            "resize_in_place"};

/* The forged footer value for case k, from the true one. */
static size_t forged(size_t footer, unsigned k)
{
    switch (k) {
    case 0: return footer + 1u; /* the sketch */
    case 1: return footer + 2u;
    case 2: return footer + CU_WORD / 2u;
    case 3: return footer + CU_WORD + 1u;
    case 4: return footer - 1u;
    case 5: return footer ^ 0x80u; /* a flipped bit: aligned, elsewhere in the arena */
    case 6: return footer + CU_WORD; /* aligned, inside a: not a header */
    case 7: return 0;
    default: return (size_t)0x61616161u; /* string bytes "aaaa" */
    }
}

/* The call that validates c, one of four APIs. Whether it refuses c or goes ahead
 * without merging into the damaged block is the core's choice: only its report and what
 * follows are checked. */
static void call_on(unsigned api, uint8_t *c)
{
    switch (api) {
    case 0: rtheap_free(heap, c); break;
    case 1: (void)rtheap_realloc(heap, c, 200); break;
    case 2: (void)rtheap_usable_size(heap, c); break;
    default: (void)rtheap_resize_in_place(heap, c, 8); break;
    }
}

static void scenario(unsigned k, unsigned api)
{
    heap = rtheap_init(arena, sizeof arena);
    if (!TH_CHECK_NOT_NULL(heap)) {
        return;
    }
    cu_install_hook(heap, &hook);
    uint8_t *a = rtheap_alloc(heap, 64);
    uint8_t *c = rtheap_alloc(heap, 64);
    uint8_t *d = rtheap_alloc(heap, 64); /* keeps c away from the big free block */
    if (!TH_CHECK_NOT_NULL(a) || !TH_CHECK_NOT_NULL(c) || !TH_CHECK_NOT_NULL(d)) {
        return;
    }
    size_t usable = rtheap_usable_size(heap, a);
    cu_fill(c, 64, 3);
    cu_fill(d, 64, 4);
    rtheap_free(heap, a);
    size_t *footer = (size_t *)(void *)a + (usable / sizeof(size_t) - 1u);
    *footer = forged(*footer, k);
    cases++;
    int ok = 1;

    cu_hook_reset(&hook);
    call_on(api, c);
    /* free and a moving realloc release c, so they meet the footer and report it; the
     * size query and a shrink in place never look at c's previous block: they report
     * nothing, and the damage is found (once) by the allocations below. */
    bool looks_back = api <= 1u;
    ok &= TH_CHECK_EQ(hook.calls, looks_back ? 1u : 0u);
    ok &= TH_CHECK(!looks_back || hook.kind == RTHEAP_ERR_BAD_NEIGHBOUR ||
                   hook.kind == RTHEAP_ERR_BAD_FREE_LIST);
    ok &= TH_CHECK_EQ(cu_verify(d, 64, 4), 64);

    /* The heap goes on serving: after at most one more report, eight allocations of
     * 64 bytes succeed (a 4 KiB heap has room for them besides the damaged block). */
    uint32_t reports = hook.calls;
    void *q[12];
    unsigned got = 0, failed_late = 0;
    for (unsigned i = 0; i < 12; i++) {
        uint32_t before = hook.calls;
        q[i] = rtheap_alloc(heap, 64);
        if (q[i] != NULL) {
            got++;
            cu_fill(q[i], 64, 100u + i);
        } else if (i >= 4u) {
            failed_late++;
        }
        if (i >= 4u && hook.calls != before) {
            failed_late++; /* still reporting once the damage should be out of service */
        }
    }
    ok &= TH_CHECK(hook.calls - reports <= 1u);
    ok &= TH_CHECK(got >= 11u);
    ok &= TH_CHECK_EQ(failed_late, 0);
    /* largest_guaranteed is a promise: an allocation of that size succeeds. */
    size_t big = cu_largest(heap);
    uint32_t before = hook.calls;
    void *g = big != 0 ? rtheap_alloc(heap, big) : NULL;
    ok &= TH_CHECK(big >= 1024u);
    ok &= TH_CHECK_NOT_NULL(g);
    ok &= TH_CHECK_EQ(hook.calls, before);
    for (unsigned i = 0; i < 12; i++) {
        if (q[i] != NULL) {
            ok &= TH_CHECK_EQ(cu_verify(q[i], 64, 100u + i), 64);
        }
    }
    ok &= TH_CHECK_EQ(cu_verify(d, 64, 4), 64);
    if (!ok) {
        th_print("  ... forged footer case ");
        th_print_u(k);
        th_print(", call ");
        th_print(api_names[api]);
        th_print(": reports ");
        th_print_u(hook.calls);
        th_print(", last ");
        th_println(rtheap_error_name(hook.kind));
    }
}

/* A zero written after free over the prev link of a free block that is not the head of
 * its list (a NUL, a cleared field): the block now claims to be the head. Freeing its
 * live neighbour (which would merge with it) must report it once; then the heap goes on
 * serving as above. Both neighbours, one at a time. */
static void zeroed_prev_link(unsigned which)
{
    heap = rtheap_init(arena, sizeof arena);
    if (!TH_CHECK_NOT_NULL(heap)) {
        return;
    }
    cu_install_hook(heap, &hook);
    uint8_t *a = rtheap_alloc(heap, 64);
    uint8_t *x = rtheap_alloc(heap, 16);
    uint8_t *b = rtheap_alloc(heap, 64);
    uint8_t *y = rtheap_alloc(heap, 16);
    uint8_t *z = rtheap_alloc(heap, 16); /* keeps y away from the big free block */
    if (!TH_CHECK(a && x && b && y && z)) {
        return;
    }
    cu_fill(x, 16, 5);
    cu_fill(y, 16, 6);
    rtheap_free(heap, b);
    rtheap_free(heap, a); /* one list: a (head), then b */
    cases++;
    ((uintptr_t *)(void *)b)[1] = 0; /* b's prev link */
    int ok = 1;
    cu_hook_reset(&hook);
    rtheap_free(heap, which == 0 ? x : y); /* both are b's neighbours */
    ok &= TH_CHECK_EQ(hook.calls, 1);
    ok &= TH_CHECK(hook.kind == RTHEAP_ERR_BAD_FREE_LIST || hook.kind == RTHEAP_ERR_BAD_NEIGHBOUR);
    uint8_t *other = which == 0 ? y : x;
    ok &= TH_CHECK_EQ(cu_verify(other, 16, which == 0 ? 6u : 5u), 16);
    uint32_t reports = hook.calls;
    unsigned got = 0, failed_late = 0;
    for (unsigned i = 0; i < 12; i++) {
        uint32_t before = hook.calls;
        void *q = rtheap_alloc(heap, 64);
        got += q != NULL;
        if (i >= 4u && (q == NULL || hook.calls != before)) {
            failed_late++;
        }
    }
    ok &= TH_CHECK(hook.calls - reports <= 1u);
    ok &= TH_CHECK(got >= 11u);
    ok &= TH_CHECK_EQ(failed_late, 0);
    if (!ok) {
        th_print("  ... zeroed prev link, freeing neighbour ");
        th_print_u(which);
        th_print(": reports ");
        th_print_u(hook.calls);
        th_print(", last ");
        th_println(rtheap_error_name(hook.kind));
    }
}

int main(void)
{
    th_println("corruption_findings: forged footer after free");
    for (unsigned k = 0; k < NFORGE; k++) {
        for (unsigned api = 0; api < NAPI; api++) {
            scenario(k, api);
        }
    }
    th_println("corruption_findings: zeroed prev link after free");
    zeroed_prev_link(0);
    zeroed_prev_link(1);
    th_print("corruption_findings: ");
    th_print_u(cases);
    th_println(" cases");
    return th_summary();
}
