/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap fuzz harness: bytes -> heap operations, checked against a shadow model.
 *
 * Built three ways from this one file:
 *   - libFuzzer target (tools/fuzz.sh):  clang -fsanitize=fuzzer,address,undefined
 *   - replay program (FUZZ_REPLAY_MAIN): runs the seed corpus and FUZZ_RANDOM_INPUTS
 *     pseudo-random inputs; a plain host test (host, host32, host-asan, coverage trees)
 *   - FUZZ_CORRUPT=1: also overflows a few bytes past a live block into the next header
 *     and checks the documented behaviour: the next call that trusts that header is
 *     refused and reported, or, if it goes ahead, the heap is still consistent once the
 *     damage is undone. Anything else is a finding (the harness aborts with details).
 *
 * Input format (every read past the end yields 0, so any byte string is valid):
 *   byte 0        init: bits 0-5 start offset in the arena, bit 6 tiny region
 *   bytes 1-2     init size (little endian)
 *   then ops:     one opcode byte + operands, at most FUZZ_MAX_OPS ops.
 *
 * Model checks after every operation: rtheap_check() == RTHEAP_OK; statistics equal the
 * model (live_blocks, used_bytes == sum of usable sizes, alloc/free/realloc/failed/error
 * counts); the error hook was called exactly when misuse was done, with the expected
 * kind; live blocks are inside a region, aligned, never overlapping, usable_size is
 * what the model says, and their contents survive (realloc keeps the common prefix). */
#define _GNU_SOURCE /* MAP_FIXED_NOREPLACE */
#ifdef FUZZ_REPLAY_MAIN
#define _FILE_OFFSET_BITS 64 /* readdir() on a 64-bit file system from an -m32 build */
#endif
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "asan_arena.h"
#include "rtheap.h"

#ifndef FUZZ_CORRUPT
#define FUZZ_CORRUPT 0
#endif

#define W sizeof(size_t)
#define A ((size_t)RTHEAP_ALIGNMENT)
#define MINB ((4 * W + A - 1) & ~(A - 1))
#define ARENA_BYTES (64u * 1024u)
#define SLICE (ARENA_BYTES / 4u)
#define NSLOTS 64
#define NSTALE 16
#define FUZZ_MAX_OPS 400

/* Reproducibility: every input starts from the same state. The
 * arena is zeroed before each input, and it sits at a fixed address, so that the
 * pointer values the heap stores in it (free-list links, footers), which overwrites and
 * stale pointers interact with, are the same in every process: libFuzzer's fork-mode
 * children, a replay of the crash file alone, the replay program. Only if that address
 * cannot be mapped does a static array stand in (and say so). */
#define ARENA_AT ((uintptr_t)0x10000000u)
static _Alignas(64) unsigned char arena_fallback[ARENA_BYTES];
static unsigned char *arena;

static void arena_setup(void)
{
    if (arena != NULL) {
        return;
    }
    void *p = mmap((void *)ARENA_AT, ARENA_BYTES, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == (void *)ARENA_AT) {
        arena = (unsigned char *)p;
    } else {
        if (p != MAP_FAILED) {
            (void)munmap(p, ARENA_BYTES);
        }
        fprintf(stderr, "fuzz_heap: note: arena not at its fixed address %#lx; inputs that "
                        "depend on addresses may replay differently\n",
                (unsigned long)ARENA_AT);
        arena = arena_fallback;
    }
}
static unsigned char foreign_object[64];

/* ---- input reader ---- */
typedef struct {
    const uint8_t *d;
    size_t n, i;
} rd_t;

static unsigned rd8(rd_t *r)
{
    return r->i < r->n ? r->d[r->i++] : 0u;
}

static unsigned rd16(rd_t *r)
{
    unsigned lo = rd8(r);
    return lo | (rd8(r) << 8);
}

static size_t rd_size(rd_t *r)
{
    unsigned sel = rd8(r);
    switch (sel & 7u) {
    case 0: case 1: case 2: return sel >> 3;             /* 0..31 */
    case 3: case 4: return rd8(r);                       /* 0..255 */
    case 5: return rd16(r) % 4096u;
    case 6: return rd16(r);                              /* up to 64 KiB: often too big */
    default:
        switch (sel >> 3) {
        case 0: return SIZE_MAX;
        case 1: return SIZE_MAX / 2;
        case 2: return SIZE_MAX / 2 + 1;
        case 3: return SIZE_MAX - W;
        default: return (size_t)rd16(r) * 8u;
        }
    }
}

static size_t rd_align(rd_t *r)
{
    unsigned v = rd8(r);
    return (size_t)1 << (v % 13u); /* 1 .. 4096 */
}

/* ---- model ---- */
typedef struct {
    unsigned char *p; /* NULL: empty slot */
    size_t usable;
    size_t align;
    unsigned seed;
} slot_t;

static struct {
    rtheap_t *heap;
    slot_t s[NSLOTS];
    struct {
        uintptr_t lo, hi;
    } region[8];
    unsigned nregion;
    void *stale[NSTALE]; /* recently freed pointers */
    unsigned nstale;
    void *just_freed; /* freed by the previous op: an exact double free */
    size_t live, used;
    uint32_t allocs, frees, reallocs, failed, errors;
    /* error hook record */
    unsigned hook_calls;
    rtheap_error_t hook_kind;
    const void *hook_ptr;
    unsigned long ops;
    bool damaged; /* FUZZ_CORRUPT: an overwrite went undetected; stop */
    uint64_t digest; /* of everything the heap answered: equal digests, equal replays */
} m;

/* FNV-1a over 64-bit values. Addresses go in as offsets into the arena. */
static void dig(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        m.digest = (m.digest ^ ((v >> (8 * i)) & 0xFFu)) * 0x100000001B3u;
    }
}

static uint64_t arena_offset(const void *p)
{
    return p == NULL ? UINT64_MAX : (uint64_t)((uintptr_t)p - (uintptr_t)arena);
}

static unsigned long fuzz_total_ops, fuzz_total_misuse, fuzz_double_free_as_bad_header;
#if FUZZ_CORRUPT
/* Every overwrite (that changed a bit) is one of: refused by the call that used it,
 * harmless (heap consistent and model intact afterwards), inside the documented window. */
static unsigned long fuzz_refused, fuzz_harmless, fuzz_window, fuzz_window_kinds[32];
#endif
#if FUZZ_CORRUPT || defined(FUZZ_REPLAY_MAIN)
static unsigned long fuzz_total_corrupt;
#endif

/* A failure aborts (libFuzzer and the replay record the input), except in the order
 * check, where it ends the input: its outcome is then the failure, which must be the
 * same in every order too. */
#include <setjmp.h>
static jmp_buf *fuzz_fail_jmp;
static unsigned long fuzz_failed_inputs;
static void dig(uint64_t v);

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        if (fuzz_fail_jmp == NULL || fuzz_trace > 0) {                                             \
            fprintf(stderr, "fuzz_heap: FAIL at op %lu (%s:%d): ", m.ops, __FILE__, __LINE__);     \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
        }                                                                                          \
        if (fuzz_fail_jmp != NULL) {                                                               \
            dig(0xFA11u), dig(m.ops), dig((uint64_t)__LINE__);                                     \
            fuzz_failed_inputs++;                                                                  \
            longjmp(*fuzz_fail_jmp, 1);                                                            \
        }                                                                                          \
        abort();                                                                                   \
    } while (0)
#define REQUIRE(c)                                                                                 \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            FAIL("%s", #c);                                                                        \
        }                                                                                          \
    } while (0)

static int fuzz_trace = -1;
#define TRACE(...)                                                                                 \
    do {                                                                                           \
        if (fuzz_trace) {                                                                          \
            fprintf(stderr, __VA_ARGS__);                                                          \
        }                                                                                          \
    } while (0)

static void hook(rtheap_t *heap, rtheap_error_t kind, const void *ptr, void *user)
{
    (void)user;
    REQUIRE(heap == m.heap);
    TRACE("    error hook: %d (%s) %p\n", (int)kind, rtheap_error_name(kind), ptr);
    m.hook_calls++;
    m.hook_kind = kind;
    m.hook_ptr = ptr;
}

static unsigned char pattern(unsigned seed, size_t i)
{
    /* Bytes >= 0x80: no word of user data looks like a plausible block header. */
    return (unsigned char)(0x80u | ((seed + i * 37u + (i >> 7)) & 0x7Fu));
}

static void fill(slot_t *s)
{
    for (size_t i = 0; i < s->usable; i++) {
        s->p[i] = pattern(s->seed, i);
    }
}

static void verify(const slot_t *s, size_t n)
{
    for (size_t i = 0; i < n && i < s->usable; i++) {
        if (s->p[i] != pattern(s->seed, i)) {
            FAIL("block %p (usable %zu): byte %zu is 0x%02x, expected 0x%02x", (void *)s->p,
                 s->usable, i, s->p[i], pattern(s->seed, i));
        }
    }
}

static void verify_all(void)
{
    for (int i = 0; i < NSLOTS; i++) {
        if (m.s[i].p != NULL) {
            verify(&m.s[i], m.s[i].usable);
        }
    }
}

static void check_heap(void)
{
    rtheap_error_t e;
    AA_CALL(m.heap, e = rtheap_check(m.heap));
    if (e != RTHEAP_OK) {
        FAIL("rtheap_check: %d (%s)", (int)e, rtheap_error_name(e));
    }
    rtheap_stats_t st;
    bool ok;
    AA_CALL(m.heap, ok = rtheap_get_stats(m.heap, &st));
    REQUIRE(ok);
    if (st.live_blocks != m.live || st.used_bytes != m.used || st.alloc_count != m.allocs ||
        st.free_count != m.frees || st.realloc_count != m.reallocs ||
        st.failed_count != m.failed || st.error_count != m.errors) {
        FAIL("stats: live %zu/%zu used %zu/%zu alloc %u/%u free %u/%u realloc %u/%u failed "
             "%u/%u errors %u/%u (heap/model)",
             st.live_blocks, m.live, st.used_bytes, m.used, st.alloc_count, m.allocs,
             st.free_count, m.frees, st.realloc_count, m.reallocs, st.failed_count, m.failed,
             st.error_count, m.errors);
    }
    dig(st.largest_guaranteed), dig(st.free_bytes), dig(st.error_count), dig(st.failed_count);
    dig(st.quarantine_count), dig(st.quarantined_bytes), dig(m.hook_calls);
    for (int i = 0; i < NSLOTS; i++) {
        dig(arena_offset(m.s[i].p)), dig(m.s[i].usable);
    }
    REQUIRE(st.used_bytes_with_overhead == m.used + m.live * W);
    REQUIRE(st.free_bytes == st.arena_bytes - st.used_bytes_with_overhead);
    REQUIRE(st.peak_used_bytes >= st.used_bytes_with_overhead);
    REQUIRE(st.region_count == m.nregion);
}

/* A block the heap just handed out (or moved): inside a region, aligned, no overlap. */
static void check_new_block(int self, unsigned char *p, size_t usable, size_t align)
{
    uintptr_t a = (uintptr_t)p;
    REQUIRE(p != NULL);
    if (a % A != 0 || a % align != 0) {
        FAIL("%p not aligned to %zu", (void *)p, align);
    }
    bool inside = false;
    for (unsigned r = 0; r < m.nregion; r++) {
        if (a - W >= m.region[r].lo && a + usable <= m.region[r].hi) {
            inside = true;
        }
    }
    if (!inside) {
        FAIL("%p + %zu is outside every region", (void *)p, usable);
    }
    for (int i = 0; i < NSLOTS; i++) {
        const slot_t *o = &m.s[i];
        if (i == self || o->p == NULL) {
            continue;
        }
        if (a - W < (uintptr_t)o->p + o->usable && (uintptr_t)o->p - W < a + usable) {
            FAIL("%p + %zu overlaps live %p + %zu", (void *)p, usable, (void *)o->p, o->usable);
        }
    }
    size_t u;
    AA_CALL(m.heap, u = rtheap_usable_size(m.heap, p));
    if (u != usable) {
        FAIL("usable_size(%p) = %zu, expected %zu", (void *)p, u, usable);
    }
}

/* The usable size of a fresh block for a request (rtheap_request_usable_size contract). */
static void check_usable_for(size_t usable, size_t size, size_t align)
{
    size_t want = rtheap_request_usable_size(size, align);
    if (want == 0 || usable < want || usable >= want + MINB) {
        FAIL("usable %zu for request (%zu, %zu): request_usable_size says %zu", usable, size,
             align, want);
    }
}

static void expect_no_error(const char *what)
{
    if (m.hook_calls != 0) {
        FAIL("%s: unexpected error %d (%s) on %p", what, (int)m.hook_kind,
             rtheap_error_name(m.hook_kind), m.hook_ptr);
    }
}

static void forget_stale(const unsigned char *p, size_t usable)
{
    /* A stale pointer that now lies in a live block is still misuse (interior or a valid
     * pointer); drop those equal to a live block's start (freeing them is legal). */
    for (unsigned i = 0; i < m.nstale; i++) {
        if (m.stale[i] == p) {
            m.stale[i] = m.stale[--m.nstale];
            i--;
        }
    }
    (void)usable;
}

static void add_stale(void *p)
{
    if (m.nstale < NSTALE) {
        m.stale[m.nstale++] = p;
    } else {
        m.stale[m.ops % NSTALE] = p;
    }
}

static size_t largest_guaranteed(void)
{
    rtheap_stats_t st;
    AA_CALL(m.heap, (void)rtheap_get_stats(m.heap, &st));
    return st.largest_guaranteed;
}

/* ---- operations ---- */

static void take_new(int k, unsigned char *p, size_t size, size_t align, unsigned seed)
{
    slot_t *s = &m.s[k];
    size_t usable;
    AA_CALL(m.heap, usable = rtheap_usable_size(m.heap, p));
    check_new_block(k, p, usable, align);
    check_usable_for(usable, size, align);
    forget_stale(p, usable);
    s->p = p;
    s->usable = usable;
    s->align = align;
    s->seed = seed;
    m.live++;
    m.used += usable;
    fill(s);
}

static void drop(int k)
{
    slot_t *s = &m.s[k];
    m.live--;
    m.used -= s->usable;
    add_stale(s->p);
    m.just_freed = s->p;
    s->p = NULL;
}

static void op_alloc(rd_t *r, int kind)
{
    int k = (int)(rd8(r) % NSLOTS);
    size_t size = rd_size(r);
    size_t align = A;
    size_t count = 1;
    bool bad_align = false;
    if (kind == 1) {
        align = rd_align(r);
        unsigned b = rd8(r);
        if (b >= 0xF8u) { /* not a power of two */
            align = b == 0xFFu ? 0u : (size_t)(b & 7u) * 2u + 3u;
            bad_align = true;
        }
    } else if (kind == 2) {
        count = rd8(r);
        if (count == 0xFF) {
            count = SIZE_MAX / 2;
        }
    }
    if (m.s[k].p != NULL) {
        verify(&m.s[k], m.s[k].usable);
        unsigned char *old = m.s[k].p;
        m.hook_calls = 0;
        AA_CALL(m.heap, rtheap_free(m.heap, old));
        expect_no_error("free before alloc");
        m.frees++;
        drop(k);
    }
    m.just_freed = NULL; /* the alloc below may reuse it */
    size_t guaranteed = largest_guaranteed();
    size_t total = 0;
    bool overflow = __builtin_mul_overflow(count, size, &total);
    unsigned char *p = NULL;
    m.hook_calls = 0;
    if (kind == 0) {
        AA_CALL(m.heap, p = rtheap_alloc(m.heap, size));
    } else if (kind == 1) {
        AA_CALL(m.heap, p = rtheap_alloc_aligned(m.heap, size, align));
    } else {
        AA_CALL(m.heap, p = rtheap_calloc(m.heap, count, size));
    }
    TRACE("    alloc kind %d slot %d count %zu size %zu align %zu -> %p\n", kind, k, count, size,
          align, (void *)p);
    if (bad_align) {
        REQUIRE(p == NULL);
        REQUIRE(m.hook_calls == 1 && m.hook_kind == RTHEAP_ERR_BAD_ARGUMENT);
        m.errors++;
        return;
    }
    expect_no_error("alloc");
    if (p == NULL) {
        if (kind == 0 && size <= guaranteed && guaranteed != 0) {
            FAIL("alloc(%zu) failed though largest_guaranteed is %zu", size, guaranteed);
        }
        m.failed++;
        return;
    }
    REQUIRE(!overflow);
    m.allocs++;
    if (kind == 2) {
        size_t u;
        AA_CALL(m.heap, u = rtheap_usable_size(m.heap, p));
        for (size_t i = 0; i < u; i++) {
            if (p[i] != 0) {
                FAIL("calloc(%zu, %zu) byte %zu not zero", count, size, i);
            }
        }
    }
    take_new(k, p, total, align, rd8(r));
}

/* realloc (kind 0), realloc_aligned (1), resize_in_place (2) of slot k. */
static void op_realloc(rd_t *r, int kind)
{
    int k = (int)(rd8(r) % NSLOTS);
    size_t size = rd_size(r);
    size_t align = kind == 1 ? rd_align(r) : A;
    unsigned seed = rd8(r);
    slot_t *s = &m.s[k];
    slot_t old = *s;
    if (old.p != NULL) {
        verify(s, s->usable);
    }
    size_t guaranteed = largest_guaranteed();
    (void)guaranteed;
    m.hook_calls = 0;
    if (kind == 2) {
        size_t got;
        AA_CALL(m.heap, got = rtheap_resize_in_place(m.heap, old.p, size));
        TRACE("    resize slot %d %p (usable %zu) size %zu -> %zu\n", k, (void *)old.p, old.usable,
              size, got);
        expect_no_error("resize_in_place");
        if (old.p == NULL) {
            REQUIRE(got == 0);
            return;
        }
        if (got == 0) {
            verify(s, s->usable);
            return;
        }
        REQUIRE(got >= size);
        m.reallocs++;
        m.used -= old.usable;
        s->p = NULL;
        m.live--;
        check_new_block(k, old.p, got, old.align);
        check_usable_for(got, size, A);
        s->p = old.p;
        s->usable = got;
        m.live++;
        m.used += got;
        verify(s, old.usable < got ? old.usable : got);
        s->seed = seed;
        fill(s);
        return;
    }
    unsigned char *p;
    if (kind == 0) {
        AA_CALL(m.heap, p = rtheap_realloc(m.heap, old.p, size));
    } else {
        AA_CALL(m.heap, p = rtheap_realloc_aligned(m.heap, old.p, size, align));
    }
    TRACE("    realloc kind %d slot %d %p (usable %zu) size %zu align %zu -> %p\n", kind, k,
          (void *)old.p, old.usable, size, align, (void *)p);
    expect_no_error("realloc");
    if (p == NULL) {
        m.failed++;
        if (old.p != NULL) {
            verify(s, s->usable); /* old block intact */
        }
        return;
    }
    if (old.p == NULL) {
        m.allocs++;
        take_new(k, p, size, align, seed);
        return;
    }
    m.reallocs++;
    size_t usable;
    AA_CALL(m.heap, usable = rtheap_usable_size(m.heap, p));
    s->p = NULL;
    m.live--;
    m.used -= old.usable;
    if (p != old.p) {
        m.allocs++;
        m.frees++;
        add_stale(old.p);
        m.just_freed = old.p; /* a move allocates first, then frees the old block */
    }
    check_new_block(k, p, usable, align < A ? A : align);
    check_usable_for(usable, size, align);
    s->p = p;
    s->usable = usable;
    s->align = align < A ? A : align;
    m.live++;
    m.used += usable;
    forget_stale(p, usable);
    /* The common prefix survived. */
    slot_t probe = old;
    probe.p = p;
    verify(&probe, old.usable < usable ? old.usable : usable);
    s->seed = seed;
    fill(s);
}

static void op_free(rd_t *r)
{
    int k = (int)(rd8(r) % NSLOTS);
    slot_t *s = &m.s[k];
    m.hook_calls = 0;
    if (s->p == NULL) {
        AA_CALL(m.heap, rtheap_free(m.heap, NULL));
        expect_no_error("free(NULL)");
        return;
    }
    verify(s, s->usable);
    TRACE("    free slot %d %p (usable %zu)\n", k, (void *)s->p, s->usable);
    AA_CALL(m.heap, rtheap_free(m.heap, s->p));
    expect_no_error("free");
    m.frees++;
    drop(k);
}

/* The bytes the heap really uses of a region given as [lo, lo + bytes): from the first
 * block header (region 0: from the aligned control structure) to the end of the
 * sentinel. Returns false if the region is too small to carve. */
static bool carved(uintptr_t lo, size_t bytes, bool first_region, uintptr_t *c_lo,
                   uintptr_t *c_hi)
{
    uintptr_t first = ((lo + W + A - 1u) & ~(uintptr_t)(A - 1u)) - W;
    uintptr_t sentinel = ((lo + bytes) & ~(uintptr_t)(A - 1u)) - W;
    *c_lo = first_region ? ((lo + A - 1u) & ~(uintptr_t)(A - 1u)) : first;
    *c_hi = sentinel + W;
    return bytes >= MINB + 2u * A && sentinel >= first + MINB;
}

static void op_add_region(rd_t *r)
{
    unsigned sel = rd8(r);
    unsigned slice = 1u + sel % 3u;
    unsigned off = rd8(r) % 64u;
    size_t bytes = rd16(r) % (SLICE - 64u) + 1u;
    unsigned char *mem = arena + slice * SLICE + off;
    if (sel & 0x80u) {
        /* overlapping an existing region */
        mem = (unsigned char *)m.region[sel % m.nregion].lo + off;
        bytes = 256;
    } else if (sel & 0x40u) {
        bytes = rd8(r) % (MINB + 2 * A); /* too small for any block */
    }
    /* Must refuse: too small, too many regions, or the bytes it would use overlap the
     * bytes an existing region uses. Regions whose given ranges overlap only in the
     * alignment slack at their ends may be accepted (nothing is shared). */
    uintptr_t lo, hi;
    bool misuse = !carved((uintptr_t)mem, bytes, false, &lo, &hi) ||
                  m.nregion >= RTHEAP_MAX_REGIONS;
    bool slack_only = false;
    for (unsigned i = 0; i < m.nregion; i++) {
        uintptr_t rlo, rhi;
        (void)carved(m.region[i].lo, m.region[i].hi - m.region[i].lo, i == 0, &rlo, &rhi);
        if (lo < rhi && hi > rlo) {
            misuse = true;
        } else if ((uintptr_t)mem < m.region[i].hi && (uintptr_t)mem + bytes > m.region[i].lo) {
            slack_only = true;
        }
    }
    m.hook_calls = 0;
    bool ok;
    AA_CALL(m.heap, ok = rtheap_add_region(m.heap, mem, bytes));
    TRACE("    add_region %p %zu (misuse %d, slack overlap %d) -> %d\n", (void *)mem, bytes,
          misuse, slack_only, ok);
    if (misuse || (slack_only && !ok)) {
        if (ok) {
            FAIL("add_region(%p, %zu) accepted an overlapping/tiny region", (void *)mem, bytes);
        }
        REQUIRE(m.hook_calls == 1 && m.hook_kind == RTHEAP_ERR_BAD_ARGUMENT);
        m.errors++;
        fuzz_total_misuse++;
        return;
    }
    expect_no_error("add_region");
    REQUIRE(ok);
    m.region[m.nregion].lo = (uintptr_t)mem;
    m.region[m.nregion].hi = (uintptr_t)mem + bytes;
    m.nregion++;
}

/* Is p (a payload pointer) the start of a live block of the model? */
static int live_slot_of(const void *p)
{
    for (int i = 0; i < NSLOTS; i++) {
        if (m.s[i].p != NULL && m.s[i].p == p) {
            return i;
        }
    }
    return -1;
}

/* Hands a bad pointer to one of the calls that validate it; all must refuse. */
static void misuse_call(rd_t *r, void *bad, rtheap_error_t want, bool exact)
{
    unsigned api = rd8(r) % 5u;
    TRACE("    misuse api %u ptr %p\n", api, bad);
    m.hook_calls = 0;
    rtheap_stats_t before, after;
    AA_CALL(m.heap, (void)rtheap_get_stats(m.heap, &before));
    switch (api) {
    case 0: AA_CALL(m.heap, rtheap_free(m.heap, bad)); break;
    case 1: {
        void *q;
        AA_CALL(m.heap, q = rtheap_realloc(m.heap, bad, 24));
        REQUIRE(q == NULL);
        break;
    }
    case 2: {
        void *q;
        AA_CALL(m.heap, q = rtheap_realloc_aligned(m.heap, bad, 100, 64));
        REQUIRE(q == NULL);
        break;
    }
    case 3: {
        size_t u;
        AA_CALL(m.heap, u = rtheap_usable_size(m.heap, bad));
        REQUIRE(u == 0);
        break;
    }
    default: {
        size_t u;
        AA_CALL(m.heap, u = rtheap_resize_in_place(m.heap, bad, 8));
        REQUIRE(u == 0);
        break;
    }
    }
    if (m.hook_calls != 1) {
        FAIL("misuse (api %u) with %p: %u error reports, expected 1", api, bad, m.hook_calls);
    }
    /* A double free of a block that was merged with both neighbours is reported as a bad
     * header (its stale successor header lacks PREV_FREE): accepted, see the report. */
    if (want == RTHEAP_ERR_DOUBLE_FREE && m.hook_kind == RTHEAP_ERR_BAD_HEADER) {
        fuzz_double_free_as_bad_header++;
    } else if (exact ? m.hook_kind != want
              : (m.hook_kind < RTHEAP_ERR_FOREIGN_POINTER || m.hook_kind > RTHEAP_ERR_BAD_FREE_LIST)) {
        FAIL("misuse (api %u) with %p: reported %d (%s), expected %d (%s)", api, bad,
             (int)m.hook_kind, rtheap_error_name(m.hook_kind), (int)want,
             exact ? rtheap_error_name(want) : "any pointer error");
    }
    REQUIRE(m.hook_ptr == bad);
    AA_CALL(m.heap, (void)rtheap_get_stats(m.heap, &after));
    REQUIRE(after.live_blocks == before.live_blocks && after.used_bytes == before.used_bytes &&
            after.free_bytes == before.free_bytes && after.alloc_count == before.alloc_count &&
            after.free_count == before.free_count && after.failed_count == before.failed_count);
    m.errors++;
    fuzz_total_misuse++;
}

static void op_misuse(rd_t *r)
{
    unsigned what = rd8(r) % 5u;
    int k = (int)(rd8(r) % NSLOTS);
    switch (what) {
    case 0: /* double free: exactly the block freed by the previous op */
        if (m.just_freed != NULL && live_slot_of(m.just_freed) < 0) {
            misuse_call(r, m.just_freed, RTHEAP_ERR_DOUBLE_FREE, true);
        }
        break;
    case 1: /* a stale pointer freed some time ago (maybe inside a live block now) */
        if (m.nstale != 0) {
            void *p = m.stale[(unsigned)k % m.nstale];
            if (live_slot_of(p) < 0) {
                misuse_call(r, p, RTHEAP_OK, false);
            }
        }
        break;
    case 2: { /* foreign: a static object, the stack, an arena slice that is no region */
        unsigned sel = rd8(r) % 4u;
        void *p = foreign_object + 16;
        unsigned char local[32];
        if (sel == 1) {
            p = local + 16;
        } else if (sel == 2) {
            /* an arena address in no region (the end of the arena is never given) */
            p = arena + ARENA_BYTES - 2u * A;
            for (unsigned i = 0; i < m.nregion; i++) {
                if ((uintptr_t)p >= m.region[i].lo && (uintptr_t)p < m.region[i].hi) {
                    p = foreign_object + 16;
                }
            }
        } else if (sel == 3) {
            p = (void *)(uintptr_t)(0x10u * A); /* a low address, never a region */
        }
        misuse_call(r, p, RTHEAP_ERR_FOREIGN_POINTER, true);
        break;
    }
    case 3: /* interior pointer, aligned: the word before it is user data */
    case 4: /* interior pointer, misaligned */
        if (m.s[k].p != NULL && m.s[k].usable > A) {
            size_t off;
            if (what == 3) {
                off = A * (1u + rd8(r) % (unsigned)(m.s[k].usable / A - 0u));
                if (off >= m.s[k].usable) {
                    off = A;
                }
                misuse_call(r, m.s[k].p + off, RTHEAP_ERR_BAD_HEADER, true);
            } else {
                off = 1u + rd8(r) % (unsigned)(A - 1u);
                misuse_call(r, m.s[k].p + off, RTHEAP_ERR_MISALIGNED, true);
            }
        }
        break;
    }
}

static void op_realloc_bad_align(rd_t *r)
{
    int k = (int)(rd8(r) % NSLOTS);
    size_t align = (size_t)(rd8(r) % 7u) * 2u + 3u; /* 3, 5, ..., 15: not powers of two */
    if (m.s[k].p == NULL) {
        return;
    }
    m.hook_calls = 0;
    void *q;
    AA_CALL(m.heap, q = rtheap_realloc_aligned(m.heap, m.s[k].p, 64, align));
    REQUIRE(q == NULL);
    REQUIRE(m.hook_calls == 1 && m.hook_kind == RTHEAP_ERR_BAD_ARGUMENT);
    m.errors++;
    fuzz_total_misuse++;
    verify(&m.s[k], m.s[k].usable);
}

#if FUZZ_CORRUPT
/* Block boundaries (header addresses, and the end of each region's last block) just
 * before an overwrite. */
static uintptr_t bounds[2 * 4096];
static unsigned nbounds;

static bool bound_walker(const rtheap_block_info_t *b, void *user)
{
    (void)user;
    if (nbounds + 2u <= sizeof bounds / sizeof bounds[0]) {
        bounds[nbounds++] = (uintptr_t)b->ptr - W;
        bounds[nbounds++] = (uintptr_t)b->ptr + b->size;
    }
    return true;
}

static void collect_boundaries(void)
{
    nbounds = 0;
    AA_CALL(m.heap, (void)rtheap_walk(m.heap, bound_walker, NULL));
}

/* The window that rtheap documents (rtheap.h "Bad input and damage", docs/design.md): an
 * overwrite the O(1) checks cannot see. The bytes of every sound header XOR to 0x5B
 * (a block nobody owns has a flag bit of its own); a change of one byte always breaks
 * that, a change of two or more bytes leaves a sound header 1 time in 256, and such a
 * header is trusted for what it says. Keep this in step with the documentation:
 * everything outside it that goes undetected fails the fuzzer. */
static unsigned header_kind(size_t w)
{
    unsigned k = 0;
    for (unsigned i = 0; i < W; i++) {
        k ^= (unsigned)(w >> (8u * i)) & 0xFFu;
    }
    return k;
}

static bool in_documented_window(uintptr_t hdr, size_t old_word, size_t new_word)
{
    (void)hdr;
    unsigned changed = 0;
    for (unsigned i = 0; i < W; i++) {
        changed += ((old_word ^ new_word) >> (8u * i) & 0xFFu) != 0;
    }
    return changed >= 2u && header_kind(new_word) == 0x5Bu;
}

/* Overflow n bytes past the usable end of slot k into the next header, then one call
 * that trusts it. Refused: the damage is undone and everything must be as before.
 * Accepted: the damage is undone (bits flipped back) and the heap must still be sound. */
static void op_overflow(rd_t *r)
{
    int k = (int)(rd8(r) % NSLOTS);
    slot_t *s = &m.s[k];
    unsigned n = 1u + rd8(r) % (unsigned)W;
    unsigned char bytes[sizeof(size_t)];
    for (unsigned i = 0; i < n; i++) {
        bytes[i] = (unsigned char)rd8(r);
    }
    unsigned victim = rd8(r) % 4u;
    if (s->p == NULL) {
        return;
    }
    unsigned char *hdr = s->p + s->usable; /* the next block's header */
    unsigned char orig[sizeof(size_t)], flip[sizeof(size_t)];
    bool changed = false;
    size_t old_word, new_word;
    aa_enter();
    memcpy(&old_word, hdr, W);
    aa_leave(m.heap);
    collect_boundaries();
    aa_enter();
    for (unsigned i = 0; i < n; i++) {
        orig[i] = hdr[i];
        flip[i] = (unsigned char)(orig[i] ^ bytes[i]);
        changed |= flip[i] != 0;
        hdr[i] = bytes[i];
    }
    memcpy(&new_word, hdr, W);
    aa_leave(m.heap);
    if (!changed) {
        return;
    }
    fuzz_total_corrupt++;
    bool in_window = in_documented_window((uintptr_t)hdr, old_word, new_word);
    int next = live_slot_of(hdr + W);
    {
        size_t o = 0, c = 0;
        memcpy(&o, orig, n);
        memcpy(&c, bytes, n);
        TRACE("    overflow slot %d %p (usable %zu): %u bytes into next header: low bytes 0x%zx -> "
              "0x%zx, next block %s, victim %u\n",
              k, (void *)s->p, s->usable, n, o, c, next >= 0 ? "live" : "not live", victim);
    }
    m.hook_calls = 0;
    bool refused;
    bool freed_anyway = false; /* reported, and the free went ahead (damage contained) */
    rd_t sub = *r;
    if (victim == 0 || (victim == 3 && next < 0)) {
        /* free the owner: it looks at the damaged next header. A damaged free neighbour
         * is reported and taken out of service, and the owner freed all the same: the
         * heap's free count says which it was. */
        AA_CALL(m.heap, rtheap_free(m.heap, s->p));
        refused = m.hook_calls != 0;
        rtheap_stats_t fs;
        AA_CALL(m.heap, (void)rtheap_get_stats(m.heap, &fs));
        if (!refused || fs.free_count == (uint32_t)(m.frees + 1u)) {
            freed_anyway = refused;
            m.frees++;
            drop(k);
        }
    } else if (victim == 1) {
        /* grow the owner in place (into the damaged neighbour if it looks free) */
        size_t got;
        size_t want = s->usable + A * (1u + rd8(&sub) % 8u);
        AA_CALL(m.heap, got = rtheap_resize_in_place(m.heap, s->p, want));
        refused = m.hook_calls != 0;
        REQUIRE(!refused || got == 0);
        if (got != 0) {
            m.reallocs++;
            m.used += got - s->usable;
            s->usable = got;
            fill(s);
        }
    } else if (victim == 2) {
        size_t u;
        AA_CALL(m.heap, u = rtheap_usable_size(m.heap, s->p));
        refused = m.hook_calls != 0;
        REQUIRE(refused ? u == 0 : u == s->usable);
    } else {
        /* free the damaged block itself */
        AA_CALL(m.heap, rtheap_free(m.heap, m.s[next].p));
        refused = m.hook_calls != 0;
        rtheap_stats_t fs;
        AA_CALL(m.heap, (void)rtheap_get_stats(m.heap, &fs));
        if (!refused || fs.free_count == (uint32_t)(m.frees + 1u)) {
            freed_anyway = refused;
            m.frees++;
            drop(next);
        }
    }
    if (refused) {
        m.errors += m.hook_calls;
        /* A heap that takes damaged blocks out of service (quarantine, or a free that went
         * ahead without the damaged neighbour) may have done so: what it set aside is its
         * own business, not the model's; the refusal counts, the live blocks must be
         * intact, and the input ends here. */
        rtheap_stats_t st;
        AA_CALL(m.heap, (void)rtheap_get_stats(m.heap, &st));
        if (st.quarantine_count != 0 || freed_anyway) {
            fuzz_refused++;
            dig(0x0A2Au), dig(st.quarantined_bytes);
            /* The chain may stay broken at the damage, so the poisoned arena's walk
             * cannot be trusted to open every live block: open it all to verify. */
            aa_enter();
            verify_all();
            aa_leave(m.heap);
            m.damaged = true;
            return;
        }
    }
    /* Undo the damage: flip back the bits we changed (keeps flag bits the heap set). */
    aa_enter();
    for (unsigned i = 0; i < n; i++) {
        hdr[i] = (unsigned char)(hdr[i] ^ flip[i]);
    }
    aa_leave(m.heap);
    rtheap_error_t e;
    AA_CALL(m.heap, e = rtheap_check(m.heap));
    if (e == RTHEAP_OK) {
        if (refused) {
            fuzz_refused++;
        } else {
            verify_all(); /* and check_heap() after this op compares the model */
            fuzz_harmless++;
        }
    }
    dig(refused), dig((uint64_t)e);
    if (e != RTHEAP_OK) {
        if (refused) {
            FAIL("header overwrite: victim call %u refused, but after undoing the damage "
                 "rtheap_check = %d (%s)",
                 victim, (int)e, rtheap_error_name(e));
        }
        /* The call trusted the damaged header and left the heap inconsistent (reported by
         * rtheap_check). Accepted only inside the documented window, and even there it
         * must have written into no live block and stayed inside the arena (ASan); the
         * input ends here with a check of every live block. Outside it: a finding. */
        if (!in_window) {
            FAIL("header overwrite (header %#zx -> %#zx) not detected by victim call %u, "
                 "outside the documented window; rtheap_check then says %d (%s)",
                 old_word, new_word, victim, (int)e, rtheap_error_name(e));
        }
        fuzz_window++;
        if (fuzz_window_kinds[e < 32 ? e : 31]++ == 0 || fuzz_trace) {
            fprintf(stderr,
                    "fuzz_heap: note: header overwrite %#zx -> %#zx (inside the documented "
                    "window) not detected by victim call %u; rtheap_check then says %d (%s)\n",
                    old_word, new_word, victim, (int)e, rtheap_error_name(e));
        }
        /* The chain is broken: the poisoned arena's walk cannot open every live
         * block, so open it all to verify them. */
        aa_enter();
        verify_all();
        aa_leave(m.heap);
        m.damaged = true;
    }
}
#endif

#if FUZZ_CORRUPT
/* The verdict's classes, as rates (tools/fuzz.sh --corrupt prints this line). */
static void print_overwrite_rates(FILE *f)
{
    unsigned long n = fuzz_refused + fuzz_harmless + fuzz_window;
    double d = n != 0 ? 100.0 / (double)n : 0.0;
    fprintf(f, "fuzz_heap: overwrites %lu: refused %lu (%.1f%%), harmless %lu (%.1f%%), inside "
               "the documented window %lu (%.1f%%)",
            n, fuzz_refused, (double)fuzz_refused * d, fuzz_harmless, (double)fuzz_harmless * d,
            fuzz_window, (double)fuzz_window * d);
    for (int i = 0; i < 32; i++) {
        if (fuzz_window_kinds[i] != 0) {
            fprintf(f, "; window then %s x%lu", rtheap_error_name((rtheap_error_t)i),
                    fuzz_window_kinds[i]);
        }
    }
    fprintf(f, "\n");
}

#ifndef FUZZ_REPLAY_MAIN
static void print_rates_at_exit(void)
{
    print_overwrite_rates(stderr);
}
#endif
#endif

static void run(const uint8_t *data, size_t size)
{
    memset(&m, 0, sizeof m);
    m.digest = 0xCBF29CE484222325u;
#ifdef FUZZ_ORDER_SELFTEST
    /* Negative control of the order check: carry state from one input to the next. */
    static uint64_t carried;
    m.digest ^= carried;
    carried = (uint64_t)size;
#endif
    if (fuzz_trace < 0) {
        fuzz_trace = getenv("FUZZ_TRACE") != NULL;
    }
    rd_t r = {data, size, 0};
    unsigned b0 = rd8(&r);
    unsigned off = b0 & 63u;
    size_t bytes = rd16(&r);
    if (b0 & 0x40u) {
        bytes %= 512u;
    } else {
        bytes = bytes % (SLICE - 64u) + 1u;
    }
    arena_setup();
    aa_arena(NULL, 0);
    memset(arena, 0, ARENA_BYTES); /* nothing of the previous input survives */
    aa_arena(arena, ARENA_BYTES);
    rtheap_t *heap;
    AA_CALL(NULL, heap = rtheap_init(arena + off, bytes));
    if (heap == NULL) {
        if (bytes >= rtheap_control_size(bytes) + MINB + 2u * A) {
            FAIL("init(%u, %zu) failed; control size %zu", off, bytes, rtheap_control_size(bytes));
        }
        aa_arena(NULL, 0);
        return;
    }
    REQUIRE((uintptr_t)heap >= (uintptr_t)(arena + off) &&
            (uintptr_t)heap < (uintptr_t)(arena + off) + bytes);
    m.heap = heap;
    m.region[0].lo = (uintptr_t)(arena + off);
    m.region[0].hi = (uintptr_t)(arena + off) + bytes;
    m.nregion = 1;
    AA_CALL(heap, rtheap_set_error_hook(heap, hook, NULL));
    check_heap();
    while (r.i < r.n && m.ops < FUZZ_MAX_OPS) {
        unsigned op = rd8(&r);
        TRACE("op %lu: %u (input offset %zu)\n", m.ops + 1, op % 14u, r.i - 1);
        void *was_just_freed = m.just_freed;
        m.just_freed = NULL;
        m.hook_calls = 0;
        m.ops++;
        switch (op % 14u) {
        case 0: case 1: op_alloc(&r, 0); break;
        case 2: op_alloc(&r, 1); break;
        case 3: op_alloc(&r, 2); break;
        case 4: op_realloc(&r, 0); break;
        case 5: op_realloc(&r, 1); break;
        case 6: op_realloc(&r, 2); break;
        case 7: case 8: op_free(&r); break;
        case 9: op_add_region(&r); break;
        case 10:
            m.just_freed = was_just_freed; /* misuse right after a free: exact double free */
            op_misuse(&r);
            m.just_freed = NULL;
            break;
        case 11: op_realloc_bad_align(&r); break;
        case 12: verify_all(); break;
        default:
#if FUZZ_CORRUPT
            op_overflow(&r);
            if (m.damaged) {
                fuzz_total_ops += m.ops;
                aa_arena(NULL, 0);
                return;
            }
#else
            op_misuse(&r);
#endif
            break;
        }
        check_heap();
    }
    fuzz_total_ops += m.ops;
    verify_all();
    /* Free everything: the heap must come back to one free block per region piece. */
    for (int i = 0; i < NSLOTS; i++) {
        if (m.s[i].p != NULL) {
            m.hook_calls = 0;
            AA_CALL(heap, rtheap_free(heap, m.s[i].p));
            expect_no_error("final free");
            m.frees++;
            drop(i);
        }
    }
    check_heap();
    rtheap_stats_t st;
    AA_CALL(heap, (void)rtheap_get_stats(heap, &st));
    REQUIRE(st.used_bytes == 0 && st.live_blocks == 0);
    aa_arena(NULL, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#if FUZZ_CORRUPT && !defined(FUZZ_REPLAY_MAIN)
    static bool registered;
    if (!registered) {
        registered = true;
        atexit(print_rates_at_exit);
    }
#endif
    run(data, size);
    return 0;
}

#ifdef FUZZ_REPLAY_MAIN
/* Replay: every file named on the command line (directories: every file in them), then
 * FUZZ_RANDOM_INPUTS pseudo-random inputs (argument "-n N" overrides). No argument:
 * the seed corpus FUZZ_CORPUS_DIR. */
#include <dirent.h>

#ifndef FUZZ_RANDOM_INPUTS
#define FUZZ_RANDOM_INPUTS 3000
#endif

/* The inputs, loaded first: the order check replays them in several orders. */
typedef struct {
    char name[96];
    uint8_t *d;
    size_t n;
    uint64_t digest;
} input_t;
static input_t *inputs;
static size_t ninputs, cap_inputs;

static void add_input(const char *name, const uint8_t *d, size_t n)
{
    if (ninputs == cap_inputs) {
        cap_inputs = cap_inputs ? 2u * cap_inputs : 256u;
        inputs = realloc(inputs, cap_inputs * sizeof *inputs);
        REQUIRE(inputs != NULL);
    }
    input_t *in = &inputs[ninputs++];
    snprintf(in->name, sizeof in->name, "%s", name);
    in->d = malloc(n ? n : 1u);
    REQUIRE(in->d != NULL);
    memcpy(in->d, d, n);
    in->n = n;
}

static void load_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    static uint8_t buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    const char *base = strrchr(path, '/');
    add_input(base ? base + 1 : path, buf, n);
}

static void load_path(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL) {
        load_file(path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", path, e->d_name);
        load_file(full);
    }
    closedir(d);
}

static void load_random(long count)
{
    uint32_t x = 0x2545F491u;
    static uint8_t buf[2048];
    for (long k = 0; k < count; k++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        size_t n = 16u + x % (sizeof buf - 16u);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            buf[i] = (uint8_t)(x >> 24);
        }
        buf[0] &= 0x3Fu; /* mostly full-size first regions */
        char name[32];
        snprintf(name, sizeof name, "random-%ld", k);
        add_input(name, buf, n);
    }
}

static uint64_t replay_one(size_t i, bool catch_failures)
{
    if (fuzz_trace > 0) {
        fprintf(stderr, "=== input %s (%zu bytes)\n", inputs[i].name, inputs[i].n);
    }
    jmp_buf env;
    if (catch_failures) {
        fuzz_fail_jmp = &env;
        if (setjmp(env) != 0) {
            fuzz_fail_jmp = NULL;
            aa_arena(NULL, 0);
            return m.digest; /* the failure is part of the outcome */
        }
    }
    run(inputs[i].d, inputs[i].n);
    fuzz_fail_jmp = NULL;
    return m.digest;
}

/* Every input replays identically whatever ran before it. Runs all
 * inputs forward (recording each one's digest), backward, and in a strided order, and
 * compares. Prints the digest of the whole set (same in every process: the arena is at
 * a fixed address), so that two runs can be compared too. */
static int order_check(void)
{
    for (size_t i = 0; i < ninputs; i++) {
        inputs[i].digest = replay_one(i, true);
    }
    size_t stride = 7u;
    while (ninputs > 1u && ninputs % stride == 0) {
        stride += 2u;
    }
    unsigned long mismatches = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < ninputs; k++) {
            size_t i = pass == 0 ? ninputs - 1u - k : (k * stride) % ninputs;
            uint64_t d = replay_one(i, true);
            if (d != inputs[i].digest && mismatches++ < 10u) {
                fprintf(stderr, "fuzz_heap: input %s replays differently in order %d: %#llx, "
                                "first %#llx\n",
                        inputs[i].name, pass + 1, (unsigned long long)d,
                        (unsigned long long)inputs[i].digest);
            }
        }
    }
    uint64_t all = 0xCBF29CE484222325u;
    for (size_t i = 0; i < ninputs; i++) {
        all = (all ^ inputs[i].digest) * 0x100000001B3u;
    }
    printf("fuzz_heap%s: order check: %zu inputs replayed in 3 orders, %lu differ; set digest "
           "%#llx (%lu of the %zu runs failed the harness's checks, the same in every order)\n",
           FUZZ_CORRUPT ? " (corrupt mode)" : "", ninputs, mismatches, (unsigned long long)all,
           fuzz_failed_inputs, 3u * ninputs);
    return mismatches == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    long random_inputs = FUZZ_RANDOM_INPUTS;
    int files = 0;
#ifdef FUZZ_ORDER_CHECK
    bool check_order = true;
#else
    bool check_order = false;
#endif
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            random_inputs = atol(argv[++i]);
        } else if (strcmp(argv[i], "--order-check") == 0) {
            check_order = true;
        } else {
            load_path(argv[i]);
            files++;
        }
    }
#ifdef FUZZ_CORPUS_DIR
    if (files == 0) {
        load_path(FUZZ_CORPUS_DIR);
        if (ninputs == 0) {
            fprintf(stderr, "fuzz_heap: no input found in %s\n", FUZZ_CORPUS_DIR);
            return 1;
        }
    }
#endif
    load_random(random_inputs);
    if (check_order) {
        return order_check();
    }
    for (size_t i = 0; i < ninputs; i++) {
        (void)replay_one(i, false);
    }
    printf("fuzz_heap%s: %zu inputs, %lu operations, %lu misuse calls refused, %lu header "
           "overwrites, %lu double frees reported as bad header\n",
           FUZZ_CORRUPT ? " (corrupt mode)" : "", ninputs, fuzz_total_ops, fuzz_total_misuse,
           fuzz_total_corrupt, fuzz_double_free_as_bad_header);
#if FUZZ_CORRUPT
    print_overwrite_rates(stdout);
#endif
    return 0;
}
#endif
