/*
 * rtheap core: two-level segregated fit (TLSF) allocator.
 *
 * Freestanding: includes only compiler headers and calls nothing it does not
 * define (checked in CI with `nm -u`).
 *
 * Block layout (W = sizeof(size_t), A = RTHEAP_ALIGNMENT):
 *
 *     block b                                           next block n = b + T
 *     | header W | payload (T - W bytes) ............... | header of n |
 *                ^ returned pointer, aligned to A
 *
 *   header = tag << (8W - 8) | T | flags. T is the total block size, a
 *   multiple of A below 2^(8W - 8) (16 MiB on Cortex-M); the flags are FREE,
 *   PREV_FREE and NOBODY (a fence or a quarantined block, which nobody owns);
 *   the other bits below A stay clear. The tag byte makes the XOR of the
 *   header's bytes equal one constant, the same for every header: changing
 *   any one byte of a header breaks it, so a one-byte overflow into the next
 *   header (a string's NUL) is always caught; a longer one slips through
 *   only when its bytes keep the XOR, 1 time in 256, and then still has to
 *   pass the size and neighbour checks.
 *
 *   A free block keeps in its payload: next_free, prev_free (first two
 *   words) and a footer (last word, just before n's header) pointing back
 *   to b, so that n can find it when n is freed (n has FLAG_PREV_FREE).
 *   A used block keeps nothing but its header: one word of overhead.
 *
 *   Every region ends with a sentinel: an ordinary header with T = 0.
 *   A region larger than the largest block the index can hold is cut into
 *   chunks separated by fences: blocks of MIN_BLOCK bytes that nobody owns,
 *   so no merge can exceed max_block and two free blocks never touch.
 *
 * Damage. Every pointer handed in, every header and every free-list link is
 * checked before it is used (RTHEAP_CHECKS >= 1). A free block that fails a
 * check is taken out of service where it is found, once: it leaves its list
 * (with the blocks behind it when its links cannot be trusted) and, when its
 * extent is known, its header becomes a quarantine header: a block nobody
 * owns, which no pointer is accepted for and nothing merges with.
 */
#include "rtheap.h"

#if !RTHEAP_PRIVATE_IS_DEFAULT_
/* RTHEAP_PRIVATE defined empty gives the helpers external linkage so that
 * tests can call them; they have no declarations elsewhere, on purpose. */
#pragma GCC diagnostic ignored "-Wmissing-declarations"
#endif

/* ------------------------------------------------------------------------ */
/* Layout constants                                                          */
/* ------------------------------------------------------------------------ */

#define WORD ((uintptr_t)sizeof(size_t))
#define ALIGN ((uintptr_t)RTHEAP_ALIGNMENT)
#define SL_COUNT (1u << RTHEAP_SL_LOG2)
/* A free block holds header, two links and a footer. */
#define MIN_BLOCK ((4 * WORD + ALIGN - 1) & ~(ALIGN - 1))
#define FLAG_FREE ((size_t)1)
#define FLAG_PREV_FREE ((size_t)2)
#define FLAG_BITS ((size_t)(ALIGN - 1))
/* The tag is the header's top byte; sizes live below it. */
#define TAG_SHIFT (sizeof(size_t) * 8u - 8u)
#define SIZE_BITS ((((size_t)1 << TAG_SHIFT) - 1u) & ~FLAG_BITS)
/* What the XOR of a sound header's bytes equals. Zeroed, all-ones and poisoned
 * memory (bytes all alike) XOR to 0: never sound. One constant for every
 * header, so that no change of a single byte can turn a sound header into
 * another sound one. */
#define TAG_XOR 0x5Bu
/* A block nobody owns (a fence between chunks, or a damaged block taken out
 * of service): no pointer is accepted for it and nothing merges with it. */
#define FLAG_NOBODY ((size_t)4)
/* The kinds of a header, as rtheap_kind() tells them (and rtheap_hdr() takes
 * them): the flag bits that make them, or KIND_BAD for an unsound header.
 * Fences and quarantined blocks share the header; the statistics tell their
 * bytes apart. */
#define KIND_BLOCK 0u                     /* an ordinary block or a sentinel */
#define KIND_FENCE ((uint32_t)FLAG_NOBODY) /* a fence between chunks */
#define KIND_QUARANTINE KIND_FENCE         /* a damaged block taken out of service */
#define KIND_BAD 0xFFu
/* fl rows are limited so that bit masks like ~0u << (fl + 1) stay defined. */
#define FL_MAX 31u
/* Granule counts are scanned as uint32_t (below 2^31) and sizes must stay
 * below the tag byte. */
#if UINTPTR_MAX > 0xFFFFFFFFu
#define MAX_GRANULES ((uintptr_t)1 << 31)
#define MAX_REGION_BYTES ((MAX_GRANULES - 1u) << ALIGN_LOG2)
#else
#define MAX_GRANULES ((uintptr_t)1 << (TAG_SHIFT - ALIGN_LOG2))
#define MAX_REGION_BYTES UINTPTR_MAX
#endif
#define HEAP_MAGIC ((uintptr_t)0x72746870u) /* "rthp" */

#if RTHEAP_ALIGNMENT == 8
#define ALIGN_LOG2 3u
#elif RTHEAP_ALIGNMENT == 16
#define ALIGN_LOG2 4u
#elif RTHEAP_ALIGNMENT == 32
#define ALIGN_LOG2 5u
#elif RTHEAP_ALIGNMENT == 64
#define ALIGN_LOG2 6u
#else
#error "RTHEAP_ALIGNMENT: only 8, 16, 32 and 64 are supported"
#endif

/* Hot paths are inlined into each public call when optimising for speed
 * (always_inline needs the helpers' default storage class, static inline);
 * at -Os they stay shared. */
#if defined(__OPTIMIZE_SIZE__) || !defined(__OPTIMIZE__) || !RTHEAP_PRIVATE_IS_DEFAULT_
#define RTHEAP_HOT
#define RTHEAP_SHARED RTHEAP_PRIVATE
#else
#define RTHEAP_HOT __attribute__((always_inline))
/* The one out-of-line copy of a hot path that the paths where it is not the
 * main cost (realloc, trim, calloc, an over-aligned retry) share, so that
 * -O2 does not paste it into each of them. */
#define RTHEAP_SHARED static __attribute__((noinline))
#endif

#if defined(__GNUC__)
#define RTHEAP_LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define RTHEAP_LIKELY(x) (x)
#endif

typedef struct block {
    size_t header;
    struct block *next_free; /* valid only while free */
    struct block *prev_free; /* valid only while free */
} block_t;

typedef struct region {
    uintptr_t first;    /* header address of the first block */
    uintptr_t sentinel; /* header address of the sentinel */
} region_t;

struct rtheap {
    uintptr_t magic;    /* HEAP_MAGIC ^ address of the heap */
    uint32_t fl_bitmap; /* bit fl set: row fl has a non-empty list */
    uint32_t fl_count;  /* rows in the index */
    size_t max_block;   /* largest block (T) the index can hold */
    block_t **heads;    /* fl_count * SL_COUNT list heads, after sl_bitmap */
    region_t regions[RTHEAP_MAX_REGIONS]; /* the hot paths look at regions[0] first */
    rtheap_error_hook_t hook;
    void *hook_user;
    uint32_t region_count;
    uint32_t error_count;
    uintptr_t lo;   /* lowest block header of all regions */
    uintptr_t span; /* highest sentinel - lo */
    size_t heap_bytes;  /* bytes handed to init/add_region */
    size_t arena_bytes; /* bytes in blocks */
    /* Damage taken out of service (see rtheap_quarantine). */
    size_t quarantined_bytes;
    uint32_t quarantine_count;
    uint32_t lost_lists;    /* lists (or their tails) cut off behind a damaged block */
    uintptr_t last_damage;  /* header address of the damage reported last */
#if RTHEAP_STATS
    size_t used_total; /* sum of T over live blocks */
    size_t peak_total;
    /* Live blocks are alloc_count - free_count (modulo 2^32): every block
     * handed out counts one allocation, every block taken back one free. */
    uint32_t alloc_count;
    uint32_t free_count;
    uint32_t realloc_count;
    uint32_t failed_count;
#endif
    uint32_t sl_bitmap[]; /* fl_count words, then the heads (pointer-aligned) */
};

/* The word past the last row: sl_bitmap[fl_count] is either
 * padding before the heads (zeroed by init, never written) or the first word
 * of heads[0], the list of class 0: blocks of 0 granules, which do not exist
 * (every block has at least MIN_BLOCK bytes), so it is NULL for ever. The
 * search reads that word for a size whose rounded class is one row past the
 * index, and finds nothing there; rtheap_check() checks that it is 0. */
_Static_assert(MIN_BLOCK >= RTHEAP_ALIGNMENT, "class 0 (0 granules) never holds a block");
_Static_assert(sizeof(void *) >= sizeof(uint32_t), "the word past the last row lies in heads[0]");

_Static_assert((RTHEAP_ALIGNMENT & (RTHEAP_ALIGNMENT - 1)) == 0, "alignment is a power of two");
_Static_assert(RTHEAP_ALIGNMENT >= 2 * sizeof(void *), "alignment holds two words");
_Static_assert(sizeof(size_t) == sizeof(void *), "size_t and pointers have one width");
_Static_assert(sizeof(rtheap_error_t) == sizeof(int), "rtheap_error_t is int-sized everywhere");
_Static_assert(sizeof(block_t) == 3 * sizeof(size_t), "block_t is three words");
_Static_assert(sizeof(struct rtheap) % sizeof(void *) == 0, "heads stay pointer-aligned");
_Static_assert(SL_COUNT <= 32, "second-level bitmap is one uint32_t");
_Static_assert(MIN_BLOCK >= 4 * sizeof(size_t) && MIN_BLOCK % RTHEAP_ALIGNMENT == 0,
               "minimum block holds header, links and footer");
_Static_assert(ALIGN_LOG2 + RTHEAP_SL_LOG2 < TAG_SHIFT, "the smallest row fits below the tag");
_Static_assert(TAG_XOR != 0 && TAG_XOR != 0xFFu, "memory whose bytes are alike is never sound");
_Static_assert(FLAG_NOBODY < ALIGN, "the nobody flag sits below the smallest size bit");

/* ------------------------------------------------------------------------ */
/* Bit scans                                                                 */
/* ------------------------------------------------------------------------ */

#if !RTHEAP_USE_CLZ
/* Index tables for de Bruijn-sequence multiplies: branch-free and free of
 * libgcc calls on Armv6-M (MULS is a plain 32-bit multiply). */
static const uint8_t rtheap_ffs_table[32] = {0,  1,  28, 2,  29, 14, 24, 3,  30, 22, 20,
                                             15, 25, 17, 4,  8,  31, 27, 13, 23, 21, 19,
                                             16, 7,  26, 12, 18, 6,  11, 5,  10, 9};
static const uint8_t rtheap_fls_table[32] = {0,  9,  1,  10, 13, 21, 2,  29, 11, 14, 16,
                                             18, 22, 25, 3,  30, 8,  12, 20, 28, 15, 17,
                                             24, 7,  19, 27, 23, 6,  26, 5,  4,  31};
#endif

/** Index of the highest set bit of x; x must not be 0. */
RTHEAP_PRIVATE uint32_t rtheap_fls(uint32_t x)
{
#if RTHEAP_USE_CLZ
    return 31u - (uint32_t)__builtin_clz(x);
#else
    x |= x >> 1;
    x |= x >> 2;
    x |= x >> 4;
    x |= x >> 8;
    x |= x >> 16;
    return rtheap_fls_table[(uint32_t)(x * 0x07C4ACDDu) >> 27];
#endif
}

/** Index of the lowest set bit of x; x must not be 0. */
RTHEAP_PRIVATE uint32_t rtheap_ffs(uint32_t x)
{
#if RTHEAP_USE_CLZ
    return (uint32_t)__builtin_ctz(x);
#else
    return rtheap_ffs_table[(uint32_t)((x & (0u - x)) * 0x077CB531u) >> 27];
#endif
}

/* ------------------------------------------------------------------------ */
/* Size classes                                                              */
/* ------------------------------------------------------------------------ */

/** First-level row of a block of g granules (g > 0). */
RTHEAP_PRIVATE uint32_t rtheap_fl_of(uint32_t g)
{
    return g < SL_COUNT ? 0u : rtheap_fls(g) - RTHEAP_SL_LOG2 + 1u;
}

/**
 * Shift that brings the top bit of g into the second-level range: 0 for
 * row 0 (g < SL_COUNT), fls(g) - SL_LOG2 above it.
 */
RTHEAP_PRIVATE uint32_t rtheap_sl_shift(uint32_t g)
{
    return rtheap_fls(g | SL_COUNT) - RTHEAP_SL_LOG2;
}

/**
 * Class (fl * SL_COUNT + sl) of a block of g granules, g < 2^31 (0 is
 * class 0: rtheap_class_up relies on it).
 * Row 0 holds sizes 0..SL_COUNT-1 one per list; row fl > 0 splits
 * [2^(fl+SL_LOG2-1), 2^(fl+SL_LOG2)) into SL_COUNT equal lists. Classes are
 * numbered in size order, so class + 1 is the next larger one.
 * Branch-free: with s = rtheap_sl_shift(g), g >> s is SL_COUNT + sl on
 * rows above 0, which makes (s << SL_LOG2) + (g >> s) = fl * SL_COUNT + sl.
 */
#if RTHEAP_CLASS_TABLE
/* rtheap_class_of's formula for g < 256 as a constant expression: its bit
 * scan by comparisons, then the shift and the class. */
#define FLS8_(x)                                                                                   \
    ((x) >> 7 ? 7u                                                                                 \
     : (x) >> 6 ? 6u                                                                               \
     : (x) >> 5 ? 5u                                                                               \
     : (x) >> 4 ? 4u                                                                               \
     : (x) >> 3 ? 3u                                                                               \
     : (x) >> 2 ? 2u                                                                               \
     : (x) >> 1 ? 1u                                                                               \
                : 0u)
#define SHIFT8_(g) (FLS8_((g) | SL_COUNT) - RTHEAP_SL_LOG2)
#define CLASS8_(g) ((SHIFT8_(g) << RTHEAP_SL_LOG2) + ((g) >> SHIFT8_(g)))
#define CLASS8_X4_(g) CLASS8_(g), CLASS8_((g) + 1u), CLASS8_((g) + 2u), CLASS8_((g) + 3u)
#define CLASS8_X16_(g) CLASS8_X4_(g), CLASS8_X4_((g) + 4u), CLASS8_X4_((g) + 8u), CLASS8_X4_((g) + 12u)
#define CLASS8_X64_(g)                                                                             \
    CLASS8_X16_(g), CLASS8_X16_((g) + 16u), CLASS8_X16_((g) + 32u), CLASS8_X16_((g) + 48u)
/* Class of g granules for g < 256 (RTHEAP_CLASS_TABLE). */
static const uint8_t rtheap_class_table[256] = {CLASS8_X64_(0u), CLASS8_X64_(64u),
                                                CLASS8_X64_(128u), CLASS8_X64_(192u)};
_Static_assert(CLASS8_(255u) < 256u, "the class table's entries fit a byte");
#endif

RTHEAP_PRIVATE uint32_t rtheap_class_of(uint32_t g)
{
#if RTHEAP_CLASS_TABLE
    if (g < 256u) {
        return rtheap_class_table[g];
    }
#endif
    uint32_t s = rtheap_sl_shift(g);
    return (s << RTHEAP_SL_LOG2) + (g >> s);
}

/**
 * The smallest class all of whose blocks have at least g granules (g > 0):
 * g's own class if g is that class's smallest size, else the next one. That
 * is the class after g - 1's: every class above g - 1's starts above g - 1,
 * and g - 1's own does not.
 */
RTHEAP_PRIVATE uint32_t rtheap_class_up(uint32_t g)
{
    return rtheap_class_of(g - 1u) + 1u;
}

/** Rows the index needs for blocks of up to `bytes` bytes. */
RTHEAP_PRIVATE uint32_t rtheap_rows_for(uintptr_t bytes)
{
    uintptr_t g = bytes >> ALIGN_LOG2;
    if (g >= MAX_GRANULES) {
        g = MAX_GRANULES - 1u;
    }
    if (g == 0) {
        g = 1;
    }
    uint32_t rows = rtheap_fl_of((uint32_t)g) + 1u;
    return rows > FL_MAX ? FL_MAX : rows;
}

/** Largest block size (bytes) an index of `rows` rows can hold. */
RTHEAP_PRIVATE uintptr_t rtheap_max_block_for(uint32_t rows)
{
    /* rows <= 32 - SL_LOG2 (rtheap_rows_for; rtheap_check refuses more), so
     * bits <= 31; the clamp keeps the shift defined whatever the caller.
     * MAX_GRANULES bounds the result below on 32-bit targets. */
    uint32_t bits = rows + RTHEAP_SL_LOG2 - 1u;
    bits = bits < 31u ? bits : 31u;
    uintptr_t max_g = ((uintptr_t)1 << bits) - 1u;
    max_g = max_g < MAX_GRANULES ? max_g : MAX_GRANULES - 1u;
    return max_g << ALIGN_LOG2;
}

/** Block size T for a request of `size` payload bytes; 0 if it cannot exist. */
RTHEAP_PRIVATE uintptr_t rtheap_block_size_for(size_t size)
{
    if (size > (SIZE_MAX >> 1)) {
        return 0; /* larger than any heap; also keeps the rounding from wrapping */
    }
    uintptr_t t = ((uintptr_t)size + WORD + ALIGN - 1u) & ~(ALIGN - 1u);
    return t < MIN_BLOCK ? MIN_BLOCK : t;
}

/* ------------------------------------------------------------------------ */
/* Headers and blocks                                                        */
/* ------------------------------------------------------------------------ */

/** XOR of the bytes of a header word: TAG_XOR when the header is sound. */
RTHEAP_PRIVATE uint32_t rtheap_fold(size_t header)
{
#if UINTPTR_MAX > 0xFFFFFFFFu
    header ^= header >> 32;
#endif
    uint32_t x = (uint32_t)header;
    x ^= x >> 16;
    x ^= x >> 8;
    return x & 0xFFu;
}

/** True if a header word's tag holds (whatever it says). */
RTHEAP_PRIVATE bool rtheap_sound(size_t header)
{
    return rtheap_fold(header) == TAG_XOR;
}

/** What a header is: KIND_BLOCK, KIND_FENCE (= KIND_QUARANTINE), or KIND_BAD. */
RTHEAP_PRIVATE uint32_t rtheap_kind(size_t header)
{
    return rtheap_sound(header) ? (uint32_t)(header & FLAG_NOBODY) : KIND_BAD;
}

/** Header word of kind `kind` for a block of t bytes with flags (FREE, PREV_FREE). */
RTHEAP_PRIVATE size_t rtheap_hdr(uintptr_t t, size_t flags, uint32_t kind)
{
    size_t v = (size_t)t | flags | (size_t)kind;
    return v | ((size_t)(rtheap_fold(v) ^ TAG_XOR) << TAG_SHIFT);
}

/** Header with flag bits f flipped, still sound: the tag flips with them. */
RTHEAP_PRIVATE size_t rtheap_toggle(size_t header, size_t f)
{
    return header ^ (f | (f << TAG_SHIFT));
}

RTHEAP_PRIVATE uintptr_t rtheap_size(size_t header)
{
    return header & SIZE_BITS;
}

RTHEAP_PRIVATE bool rtheap_is_free(size_t header)
{
    return (header & FLAG_FREE) != 0;
}

RTHEAP_PRIVATE bool rtheap_prev_is_free(size_t header)
{
    return (header & FLAG_PREV_FREE) != 0;
}

/** A sound header of an ordinary block: the only kind that can be free or owned. */
RTHEAP_PRIVATE bool rtheap_is_block(size_t header)
{
    return rtheap_sound(header) && (header & FLAG_NOBODY) == 0;
}

/** A sound header of a free block (FREE set, not a block nobody owns). */
RTHEAP_PRIVATE bool rtheap_is_free_block(size_t header)
{
    return rtheap_sound(header) && (header & (FLAG_FREE | FLAG_NOBODY)) == FLAG_FREE;
}

/** A sound header of a block nobody owns: a fence or a quarantined block. */
RTHEAP_PRIVATE bool rtheap_is_ownerless(size_t header)
{
    return rtheap_sound(header) && (header & FLAG_NOBODY) != 0;
}

RTHEAP_PRIVATE block_t *rtheap_block_at(uintptr_t addr)
{
    return (block_t *)addr;
}

RTHEAP_PRIVATE uintptr_t rtheap_addr(const block_t *b)
{
    return (uintptr_t)b;
}

/** The footer word of a free block: the last word before its next block. */
RTHEAP_PRIVATE block_t **rtheap_footer(uintptr_t next_header)
{
    return (block_t **)(next_header - WORD);
}

RTHEAP_PRIVATE void *rtheap_payload(const block_t *b)
{
    return (void *)(rtheap_addr(b) + WORD);
}

RTHEAP_PRIVATE block_t *rtheap_block_of(const void *ptr)
{
    return rtheap_block_at((uintptr_t)ptr - WORD);
}

RTHEAP_PRIVATE uint32_t rtheap_granules(uintptr_t t)
{
    return (uint32_t)(t >> ALIGN_LOG2);
}

RTHEAP_PRIVATE uint32_t rtheap_class_of_size(uintptr_t t)
{
    return rtheap_class_of(rtheap_granules(t));
}

/* ------------------------------------------------------------------------ */
/* Word loops (written here: the core must not call memcpy/memset)           */
/* ------------------------------------------------------------------------ */

#if defined(__GNUC__) && !defined(__clang__)
#define RTHEAP_NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define RTHEAP_NO_LIBCALLS
#endif

RTHEAP_PRIVATE RTHEAP_NO_LIBCALLS void rtheap_fill_words(uintptr_t dst, size_t value,
                                                         uintptr_t bytes)
{
    size_t *d = (size_t *)dst;
    for (uintptr_t i = 0; i < bytes / WORD; i++) {
        d[i] = value;
    }
}

RTHEAP_PRIVATE RTHEAP_NO_LIBCALLS void rtheap_copy_words(uintptr_t dst, uintptr_t src,
                                                         uintptr_t bytes)
{
    size_t *d = (size_t *)dst;
    const size_t *s = (const size_t *)src;
    for (uintptr_t i = 0; i < bytes / WORD; i++) {
        d[i] = s[i];
    }
}

#if RTHEAP_POISON
#define POISON_WORD ((size_t)(RTHEAP_POISON_BYTE * (SIZE_MAX / 0xFFu)))
RTHEAP_PRIVATE void rtheap_poison(uintptr_t addr, uintptr_t bytes)
{
    rtheap_fill_words(addr, POISON_WORD, bytes);
}
#else
#define rtheap_poison(addr, bytes) ((void)(addr), (void)(bytes))
#endif

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/* Out of line and cold: errors must cost the hot paths nothing. */
__attribute__((noinline, cold)) static void rtheap_report(rtheap_t *heap, rtheap_error_t kind,
                                                          const void *ptr)
{
    heap->error_count++;
    if (heap->hook != NULL) {
        heap->hook(heap, kind, ptr, heap->hook_user);
    } else {
        RTHEAP_ERROR_HOOK(heap, kind, ptr);
    }
}

/* ------------------------------------------------------------------------ */
/* Regions and links                                                         */
/* ------------------------------------------------------------------------ */

/** The region after the first whose blocks contain header address h, or NULL. */
__attribute__((noinline)) static const region_t *rtheap_region_slow(const rtheap_t *heap,
                                                                     uintptr_t h)
{
    for (uint32_t i = 1; i < heap->region_count; i++) {
        const region_t *r = &heap->regions[i];
        if (h - r->first < r->sentinel - r->first) {
            return r;
        }
    }
    return NULL;
}

/** Region whose blocks contain header address h, or NULL: the first region first. */
RTHEAP_PRIVATE const region_t *rtheap_region_of(const rtheap_t *heap, uintptr_t h)
{
    const region_t *r = &heap->regions[0];
    if (RTHEAP_LIKELY(h - r->first < r->sentinel - r->first)) {
        return r;
    }
    return heap->region_count > 1 ? rtheap_region_slow(heap, h) : NULL;
}

/** True if h is a block header position (aligned like one) inside region r. */
RTHEAP_PRIVATE bool rtheap_header_pos_ok(const region_t *r, uintptr_t h)
{
    uintptr_t d = h - r->first;
    return d < r->sentinel - r->first && (d & (ALIGN - 1u)) == 0;
}

/**
 * True if a free-list link read from heap memory may be followed: a block
 * header position inside a region. A write after free can leave any value
 * in a link, so every link is checked before it is read through.
 */
RTHEAP_PRIVATE bool rtheap_link_ok(const rtheap_t *heap, const block_t *x)
{
    uintptr_t h = rtheap_addr(x);
    if (rtheap_header_pos_ok(&heap->regions[0], h)) {
        return true;
    }
    if (heap->region_count == 1) {
        return false;
    }
    const region_t *r = rtheap_region_slow(heap, h);
    return r != NULL && rtheap_header_pos_ok(r, h);
}

/* ------------------------------------------------------------------------ */
/* Free lists                                                                */
/* ------------------------------------------------------------------------ */

/** Puts b at the head of list c; the bitmaps change only if the list was empty. */
RTHEAP_PRIVATE void rtheap_push(rtheap_t *heap, block_t *b, uint32_t c)
{
    block_t **head = &heap->heads[c];
    block_t *old = *head;
    b->next_free = old;
    b->prev_free = NULL;
    *head = b;
    if (old != NULL) {
        old->prev_free = b;
    } else {
        uint32_t fl = c / SL_COUNT;
        heap->sl_bitmap[fl] |= 1u << (c % SL_COUNT);
        heap->fl_bitmap |= 1u << fl;
    }
}

/**
 * Inserts b second in its list, behind the head, or as the head of an empty
 * list. Regions added later go in this way, so that blocks already in the
 * lists, the first region's above all (usually the fastest RAM), are used
 * before a new region of the same size class.
 */
RTHEAP_PRIVATE void rtheap_push_behind(rtheap_t *heap, block_t *b, uint32_t c)
{
    block_t *head = heap->heads[c];
    if (head == NULL) {
        rtheap_push(heap, b, c);
        return;
    }
    b->prev_free = head;
    b->next_free = head->next_free;
    if (head->next_free != NULL) {
        head->next_free->prev_free = b;
    }
    head->next_free = b;
}

/** List c has just become empty: clears its bit, and its row's if that empties too. */
RTHEAP_PRIVATE void rtheap_list_emptied(rtheap_t *heap, uint32_t c)
{
    uint32_t fl = c / SL_COUNT;
    heap->sl_bitmap[fl] &= ~(1u << (c % SL_COUNT));
    if (heap->sl_bitmap[fl] == 0) {
        heap->fl_bitmap &= ~(1u << fl);
    }
}

/** Unlinks the block whose links are prev and next from list c. */
RTHEAP_PRIVATE void rtheap_unlink_between(rtheap_t *heap, block_t *prev, block_t *next, uint32_t c)
{
    if (next != NULL) {
        next->prev_free = prev;
    }
    if (prev != NULL) {
        prev->next_free = next;
    } else {
        heap->heads[c] = next;
        if (next == NULL) {
            rtheap_list_emptied(heap, c);
        }
    }
}

/** Unlinks b, whose links were checked, from list c. */
RTHEAP_PRIVATE void rtheap_unlink(rtheap_t *heap, block_t *b, uint32_t c)
{
    rtheap_unlink_between(heap, b->prev_free, b->next_free, c);
}

/** True if b's next link is NULL or a block that links back to b. */
RTHEAP_PRIVATE bool rtheap_next_link_ok(const rtheap_t *heap, const block_t *b)
{
    const block_t *next = b->next_free;
    return next == NULL || (rtheap_link_ok(heap, next) && next->prev_free == b);
}

/* ------------------------------------------------------------------------ */
/* Quarantine                                                                */
/* ------------------------------------------------------------------------ */

/**
 * Takes free block b of list c out of that list as far as its links can be
 * trusted: whatever sound pointer leads to b (the head of c, or a previous
 * block that links back) is made to skip it when b's own next link is
 * sound, and ends the list there when it is not; the blocks behind are
 * lost with b. Nothing is written through a link that fails its check.
 */
static void rtheap_unlink_salvage(rtheap_t *heap, block_t *b, uint32_t c)
{
    block_t *prev = b->prev_free;
    block_t *next = b->next_free;
    if (!rtheap_next_link_ok(heap, b)) {
        next = NULL;
        heap->lost_lists++;
    }
    block_t **into = NULL;
    if (heap->heads[c] == b) {
        into = &heap->heads[c];
        prev = NULL;
    } else if (prev != NULL && rtheap_link_ok(heap, prev) && prev->next_free == b) {
        into = &prev->next_free;
    }
    if (into == NULL) {
        /* Nothing sound leads to b: the blocks behind it are cut off with it.
         * They still link back to b, which is quarantined next, and are known
         * as such when met (rtheap_behind_quarantined). */
        if (next != NULL) {
            heap->lost_lists++;
        }
        return;
    }
    *into = next;
    if (next != NULL) {
        next->prev_free = prev;
    } else if (prev == NULL) {
        rtheap_list_emptied(heap, c);
    }
}

/**
 * Quarantines b, a block of t bytes that claims to be free, whose extent
 * the caller checked lies inside its region: out of its list, its header a
 * quarantine header, the next block told that its previous block is not
 * free. Counted; reporting is the caller's.
 */
static void rtheap_quarantine(rtheap_t *heap, block_t *b, uintptr_t t)
{
    if (rtheap_is_free_block(b->header)) {
        rtheap_unlink_salvage(heap, b, rtheap_class_of_size(t));
    }
    b->header = rtheap_hdr(t, b->header & FLAG_PREV_FREE, KIND_QUARANTINE);
    block_t *n = rtheap_block_at(rtheap_addr(b) + t);
    if (rtheap_sound(n->header) && rtheap_prev_is_free(n->header)) {
        n->header = rtheap_toggle(n->header, FLAG_PREV_FREE); /* a fence's too */
    }
    heap->quarantine_count++;
    heap->quarantined_bytes += t;
}

/**
 * Cold path of a failed next-link check: if b's next link leads to a block
 * already quarantined (damage found and reported before, which could not be
 * unlinked from this side), b's list is cut there instead of reporting b:
 * true then. The blocks behind the quarantined one were lost with it.
 */
__attribute__((noinline, cold)) static bool rtheap_cut_dead_next(rtheap_t *heap, block_t *b)
{
    block_t *q = b->next_free;
    if (q == NULL || !rtheap_link_ok(heap, q) || !rtheap_is_ownerless(q->header)) {
        return false;
    }
    b->next_free = NULL;
    heap->lost_lists++;
    return true;
}

/**
 * True if free block b was cut off behind a block already quarantined: its
 * previous link leads to one (damage reported when that block was found,
 * whose next link could not be followed to b). Taking b out of service then
 * is a consequence of that damage, not news.
 */
static bool rtheap_behind_quarantined(const rtheap_t *heap, const block_t *b)
{
    const block_t *prev = b->prev_free;
    return prev != NULL && rtheap_link_ok(heap, prev) &&
           rtheap_is_ownerless(prev->header);
}

/**
 * Reports damage found at header address `at` on behalf of `ptr`, unless
 * that damage was the last one reported (it is then known and contained).
 */
static void rtheap_report_damage(rtheap_t *heap, rtheap_error_t kind, uintptr_t at,
                                 const void *ptr)
{
    if (at != 0 && at == heap->last_damage) {
        return;
    }
    heap->last_damage = at;
    rtheap_report(heap, kind, ptr);
}

/* ------------------------------------------------------------------------ */
/* Allocation                                                                */
/* ------------------------------------------------------------------------ */

RTHEAP_PRIVATE void rtheap_count_alloc(rtheap_t *heap, uintptr_t t)
{
#if RTHEAP_STATS
    size_t used = heap->used_total + t;
    heap->used_total = used;
    heap->alloc_count++;
    if (used > heap->peak_total) {
        heap->peak_total = used;
    }
#else
    (void)heap, (void)t;
#endif
}

RTHEAP_PRIVATE void rtheap_count_free(rtheap_t *heap, uintptr_t t)
{
#if RTHEAP_STATS
    heap->used_total -= t;
    heap->free_count++;
#else
    (void)heap, (void)t;
#endif
}

RTHEAP_PRIVATE void rtheap_count_failed(rtheap_t *heap)
{
#if RTHEAP_STATS
    heap->failed_count++;
#else
    (void)heap;
#endif
}

/**
 * The head of the first non-empty list at or above class c (every block of
 * which has at least class c's smallest size), or NULL; *cls gets its class.
 * c may be one row past the index (the class_up of a size near max_block):
 * sl_bitmap[fl_count] is then read, the word after the last row, which is
 * always 0 (see the note after struct rtheap), so no range check.
 */
RTHEAP_PRIVATE RTHEAP_HOT block_t *rtheap_search(const rtheap_t *heap, uint32_t c, uint32_t *cls)
{
    uint32_t fl = c / SL_COUNT; /* <= fl_count <= 32 - SL_LOG2 <= 30 (rtheap_rows_for) */
    uint32_t sl_bits = heap->sl_bitmap[fl] & (~0u << (c % SL_COUNT));
    if (sl_bits == 0) {
        uint32_t fl_bits = heap->fl_bitmap & (~0u << (fl + 1u)); /* fl + 1 < 32 */
        if (fl_bits == 0) {
            return NULL;
        }
        fl = rtheap_ffs(fl_bits);
        sl_bits = heap->sl_bitmap[fl];
    }
    c = fl * SL_COUNT + rtheap_ffs(sl_bits);
    *cls = c;
    return heap->heads[c];
}

/**
 * Size of b, a block reached through free list c (a checked link or a list
 * head), if it holds up as a free block of at least `least` bytes (at least
 * MIN_BLOCK) inside its region with a footer pointing back at it; 0 if it
 * does not. Reads nothing outside the region.
 */
RTHEAP_PRIVATE RTHEAP_HOT uintptr_t rtheap_sized_at_least(const rtheap_t *heap, const block_t *b,
                                                          uintptr_t least)
{
    if (!RTHEAP_CHECKS) {
        return rtheap_size(b->header);
    }
    /* The region first: a damaged list head may point anywhere. */
    uintptr_t h = rtheap_addr(b);
    const region_t *r = rtheap_region_of(heap, h);
    if (r == NULL) {
        return 0;
    }
    size_t hd = b->header;
    uintptr_t size = rtheap_size(hd);
    if (!rtheap_is_free_block(hd) || size < least || size > r->sentinel - h ||
        *rtheap_footer(h + size) != b) {
        return 0;
    }
    return size;
}

/** rtheap_sized_at_least for any block that can be free: MIN_BLOCK. */
RTHEAP_PRIVATE RTHEAP_HOT uintptr_t rtheap_listed_size(const rtheap_t *heap, const block_t *b)
{
    return rtheap_sized_at_least(heap, b, MIN_BLOCK);
}

/**
 * True if b, free with a bad footer, is damage already reported: the block
 * after it no longer says that b is free (a neighbour freed next to it
 * found the footer and disowned it).
 */
RTHEAP_PRIVATE bool rtheap_disowned(const block_t *b, uintptr_t t)
{
    /* The callers checked that b's t bytes lie inside its region. */
    size_t nd = rtheap_block_at(rtheap_addr(b) + t)->header;
    return rtheap_is_block(nd) && !rtheap_prev_is_free(nd);
}

/** Takes list c out of service whole: nothing in it can be reached safely. */
static void rtheap_drop_list(rtheap_t *heap, uint32_t c)
{
    heap->heads[c] = NULL;
    rtheap_list_emptied(heap, c);
    heap->quarantine_count++;
    heap->lost_lists++;
}

/**
 * Takes damaged block b, found through list c, out of service (cold path):
 * quarantined when its header is a free block's and its extent lies inside
 * its region, else list c is dropped. Reported once, unless it was known.
 */
__attribute__((noinline, cold)) static void rtheap_contain_listed(rtheap_t *heap, block_t *b,
                                                                  uint32_t c)
{
    uintptr_t h = rtheap_addr(b);
    const region_t *r = rtheap_region_of(heap, h);
    if (r == NULL) {
        /* A list head outside every region (the control structure damaged):
         * nothing of it is read, the list is dropped. */
        rtheap_drop_list(heap, c);
        rtheap_report_damage(heap, RTHEAP_ERR_BAD_FREE_LIST, h, rtheap_payload(b));
        return;
    }
    size_t hd = b->header;
    uintptr_t t = rtheap_size(hd);
    const block_t *prev = b->prev_free;
    bool led_to = prev == NULL ? heap->heads[c] == b
                               : rtheap_link_ok(heap, prev) && prev->next_free == b;
    if (led_to && rtheap_listed_size(heap, b) != 0 && rtheap_cut_dead_next(heap, b)) {
        return; /* b is sound: only what followed it was damage, known already */
    }
    bool known = h == heap->last_damage || rtheap_is_ownerless(hd);
    if (rtheap_is_free_block(hd) && t >= MIN_BLOCK && t <= r->sentinel - h) {
        known = known || rtheap_behind_quarantined(heap, b);
        known = known || (*rtheap_footer(h + t) != b && rtheap_disowned(b, t));
        rtheap_quarantine(heap, b, t);
    } else {
        rtheap_drop_list(heap, c);
    }
    if (!known) {
        rtheap_report_damage(heap, RTHEAP_ERR_BAD_FREE_LIST, h, rtheap_payload(b));
    }
}

/**
 * Size of b, the head of a list found by the good-fit search, when it holds
 * up as an allocation needs (a free block of at least t bytes inside its
 * region, its footer, no previous link, a sound next link); 0 otherwise.
 */
RTHEAP_PRIVATE RTHEAP_HOT uintptr_t rtheap_head_ok(const rtheap_t *heap, const block_t *b,
                                                   uintptr_t t)
{
    /* "At least t" (t >= MIN_BLOCK) is checked with the size, before the
     * footer is read: the minimum is then implied. */
    uintptr_t s = rtheap_sized_at_least(heap, b, t);
    if (RTHEAP_CHECKS && (s == 0 || b->prev_free != NULL || !rtheap_next_link_ok(heap, b))) {
        return 0;
    }
    return s;
}

/**
 * The rest of rtheap_find, out of the hot path: damaged heads taken out of
 * service and the search done again, and the bounded first fit in t's own
 * class when no class guarantees a fit. Bounded: every round takes one
 * list or block out of service, and there are at most four.
 */
typedef struct found {
    uintptr_t size;
    uint32_t cls;
} found_t;

/* Cold: optimised for size; a heap that needs it often is nearly full or damaged. */
__attribute__((noinline, cold)) static block_t *rtheap_find_slow(rtheap_t *heap, uintptr_t t,
                                                           block_t *damaged, uint32_t dc,
                                                           found_t *out)
{
    uint32_t *cls = &out->cls;
    uintptr_t *size = &out->size;
    uint32_t g = rtheap_granules(t);
    if (damaged != NULL) {
        rtheap_contain_listed(heap, damaged, dc);
    }
    for (uint32_t round = 0; round < 4u; round++) {
        uint32_t c;
        block_t *b = rtheap_search(heap, rtheap_class_up(g), &c);
        if (b != NULL) {
            uintptr_t s = rtheap_head_ok(heap, b, t);
            if (s != 0) {
                *cls = c;
                *size = s;
                return b;
            }
            rtheap_contain_listed(heap, b, c);
            continue;
        }
        /* Nothing in a class that guarantees a fit: a bounded first fit in
         * the request's own class, whose blocks may or may not fit. */
        c = rtheap_class_of(g);
        b = heap->heads[c];
        bool damage = false;
        for (uint32_t n = 0; !damage && b != NULL && n < RTHEAP_FIT_SCAN; n++) {
            /* The head must have no previous link; a block further down was
             * reached through a next link whose back link was checked. */
            uintptr_t s = rtheap_listed_size(heap, b);
            bool head_linked = b == heap->heads[c] && b->prev_free != NULL;
            damage = s == 0 ||
                     (RTHEAP_CHECKS != 0 && (head_linked || !rtheap_next_link_ok(heap, b)));
            if (!damage && s >= t) {
                *cls = c;
                *size = s;
                return b;
            }
            if (!damage) {
                b = b->next_free; /* checked above */
            }
        }
        if (!damage) {
            return NULL;
        }
        rtheap_contain_listed(heap, b, c);
    }
    return NULL;
}

/**
 * A free block of at least t bytes (t <= max_block) that holds up, left in
 * its list, or NULL; *cls gets its list and *size its size. Good fit: the
 * rounded class guarantees any block found is large enough; when it finds
 * nothing, up to RTHEAP_FIT_SCAN blocks of t's own class are tried (the
 * first often fits, and it makes a request of exactly the largest free
 * block succeed). A damaged block met on the way is taken out of service
 * and the search goes on (rtheap_find_slow).
 */
RTHEAP_PRIVATE RTHEAP_HOT block_t *rtheap_find(rtheap_t *heap, uintptr_t t, uint32_t *cls,
                                               uintptr_t *size)
{
    uint32_t c = 0;
    block_t *b = rtheap_search(heap, rtheap_class_up(rtheap_granules(t)), &c);
    if (b != NULL) {
        uintptr_t s = rtheap_head_ok(heap, b, t);
        if (s != 0) {
            *cls = c;
            *size = s;
            return b;
        }
    }
    /* Its own out-parameters, so that the fast path's stay in registers. */
    found_t slow = {0, 0};
    b = rtheap_find_slow(heap, t, b, c, &slow);
    *cls = slow.cls;
    *size = slow.size;
    return b;
}

/** Clears the PREV_FREE flag of the header at h, if set (keeping it sound). */
RTHEAP_PRIVATE void rtheap_clear_prev_free(uintptr_t h)
{
    block_t *n = rtheap_block_at(h);
    if (rtheap_prev_is_free(n->header)) {
        n->header = rtheap_toggle(n->header, FLAG_PREV_FREE);
    }
}

/**
 * Cuts a used block of t bytes from the front of free block b (`size`
 * bytes, in list c, checked). The rest, when it can be a block, stays free:
 * in b's place in list c when its class is still c (no bitmap or list
 * change), else at the head of its own list. Returns the used block's size.
 */
RTHEAP_PRIVATE RTHEAP_HOT uintptr_t rtheap_take(rtheap_t *heap, block_t *b, uint32_t c,
                                                uintptr_t size, uintptr_t t)
{
    uintptr_t h = rtheap_addr(b);
    block_t *prev = b->prev_free;
    block_t *next = b->next_free;
    size_t prev_flag = b->header & FLAG_PREV_FREE;
    uintptr_t rest = size - t;
    if (rest < MIN_BLOCK) {
        rtheap_unlink_between(heap, prev, next, c);
        b->header = rtheap_toggle(b->header, FLAG_FREE);
        rtheap_clear_prev_free(h + size);
        return size;
    }
    /* The block after b still says "previous free"; only the rest's own
     * fields are new. */
    block_t *tail = rtheap_block_at(h + t);
    tail->header = rtheap_hdr(rest, FLAG_FREE, KIND_BLOCK);
    *rtheap_footer(h + size) = tail;
    uint32_t ct = rtheap_class_of_size(rest);
    if (ct == c) {
        tail->prev_free = prev;
        tail->next_free = next;
        if (next != NULL) {
            next->prev_free = tail;
        }
        /* b is a list head here (a block found deeper by the first fit leaves
         * a rest below its class), but the pointer that led to it is set
         * either way. */
        *(prev != NULL ? &prev->next_free : &heap->heads[c]) = tail;
    } else {
        rtheap_unlink_between(heap, prev, next, c);
        rtheap_push(heap, tail, ct);
    }
    b->header = rtheap_hdr(t, prev_flag, KIND_BLOCK);
    return t;
}

/** rtheap_find, out of line: for the over-aligned retry. */
RTHEAP_SHARED block_t *rtheap_find_shared(rtheap_t *heap, uintptr_t t, uint32_t *cls,
                                          uintptr_t *size)
{
    return rtheap_find(heap, t, cls, size);
}

/**
 * Bytes to skip at the start of free block h so that the payload is aligned
 * to `align`: 0, or a gap large enough to become a free block itself.
 */
RTHEAP_PRIVATE uintptr_t rtheap_align_gap(uintptr_t h, uintptr_t align)
{
    /* Modular arithmetic: no overflow even for payloads near the top of
     * the address space (a gap that runs past it simply will not fit). */
    uintptr_t gap = (0u - (h + WORD)) & (align - 1u);
    if (gap != 0 && gap < MIN_BLOCK) {
        gap += align; /* gap and align are multiples of ALIGN: stays aligned */
    }
    return gap;
}

#if RTHEAP_ALIGNED_FIT
/**
 * The head of the first list that guarantees t bytes, if it holds up and
 * happens to be placed well for `align` (its size in *size), else NULL;
 * *probed tells whether a sound head was looked at.
 */
RTHEAP_PRIVATE block_t *rtheap_probe_placed(rtheap_t *heap, uintptr_t t, uintptr_t align,
                                            uint32_t *cls, uintptr_t *size, bool *probed)
{
    *probed = false;
    block_t *b = rtheap_search(heap, rtheap_class_up(rtheap_granules(t)), cls);
    if (b == NULL) {
        return NULL;
    }
    uintptr_t s = rtheap_head_ok(heap, b, t);
    uintptr_t gap = rtheap_align_gap(rtheap_addr(b), align);
    *probed = s != 0;
    if (s == 0 || gap > s || s - gap < t) {
        return NULL;
    }
    *size = s;
    return b;
}
#endif

/**
 * Allocation with align > ALIGN. One search for the request plus the
 * largest alignment gap, which any block found can hold; only if that
 * fails (a nearly full heap), the plain-size block is tried in case it
 * happens to be placed well. With RTHEAP_ALIGNED_FIT the best-fitting
 * block is tried first.
 */
RTHEAP_PRIVATE void *rtheap_alloc_over_aligned(rtheap_t *heap, uintptr_t t, uintptr_t align)
{
    uint32_t c = 0;
    uintptr_t size = 0;
    uintptr_t pad = align + MIN_BLOCK - ALIGN;
#if RTHEAP_ALIGNED_FIT
    bool probed;
    block_t *b = rtheap_probe_placed(heap, t, align, &c, &size, &probed);
    if (b == NULL && pad <= heap->max_block - t) {
        b = rtheap_find(heap, t + pad, &c, &size);
    }
    if (b == NULL && !probed) {
        /* (A probed head did not fit: the plain search would find it again.) */
        b = rtheap_find_shared(heap, t, &c, &size);
    }
#else
    block_t *b = NULL;
    if (pad <= heap->max_block - t) {
        b = rtheap_find(heap, t + pad, &c, &size);
    }
    if (b == NULL) {
        b = rtheap_find_shared(heap, t, &c, &size);
    }
#endif
    uintptr_t h = rtheap_addr(b);
    uintptr_t gap = b != NULL ? rtheap_align_gap(h, align) : 0;
    if (b == NULL || gap > size || size - gap < t) {
        rtheap_count_failed(heap);
        return NULL;
    }
    if (gap == 0) {
        rtheap_count_alloc(heap, rtheap_take(heap, b, c, size, t));
        return rtheap_payload(b);
    }
    /* The leading gap becomes a free block of its own (b's previous block is
     * in use: free blocks never touch), the aligned block follows it. */
    size_t prev_flag = b->header & FLAG_PREV_FREE;
    rtheap_unlink(heap, b, c);
    b->header = rtheap_hdr(gap, FLAG_FREE | prev_flag, KIND_BLOCK);
    *rtheap_footer(h + gap) = b;
    rtheap_push(heap, b, rtheap_class_of_size(gap));
    block_t *a = rtheap_block_at(h + gap);
    uintptr_t rest = size - gap - t;
    uintptr_t used = size - gap;
    if (rest >= MIN_BLOCK) {
        block_t *tail = rtheap_block_at(h + gap + t);
        tail->header = rtheap_hdr(rest, FLAG_FREE, KIND_BLOCK);
        *rtheap_footer(h + size) = tail;
        rtheap_push(heap, tail, rtheap_class_of_size(rest));
        used = t;
    } else {
        rtheap_clear_prev_free(h + size);
    }
    a->header = rtheap_hdr(used, FLAG_PREV_FREE, KIND_BLOCK);
    rtheap_count_alloc(heap, used);
    return rtheap_payload(a);
}

/** Plain allocation: RTHEAP_ALIGNMENT. */
RTHEAP_PRIVATE RTHEAP_HOT void *rtheap_alloc_unlocked(rtheap_t *heap, size_t size)
{
    uintptr_t t = rtheap_block_size_for(size);
    uint32_t c = 0;
    uintptr_t s = 0;
    block_t *b = t != 0 && t <= heap->max_block ? rtheap_find(heap, t, &c, &s) : NULL;
    if (b == NULL) {
        rtheap_count_failed(heap);
        return NULL;
    }
    rtheap_count_alloc(heap, rtheap_take(heap, b, c, s, t));
    return rtheap_payload(b);
}

/** Allocation with a power-of-two alignment above RTHEAP_ALIGNMENT. */
RTHEAP_PRIVATE void *rtheap_alloc_big_align_unlocked(rtheap_t *heap, size_t size,
                                                     uintptr_t align)
{
    uintptr_t t = rtheap_block_size_for(size);
    if (t == 0 || t > heap->max_block) {
        rtheap_count_failed(heap);
        return NULL;
    }
    return rtheap_alloc_over_aligned(heap, t, align);
}

/** Allocation with any power-of-two alignment, out of line: realloc and calloc's. */
RTHEAP_SHARED void *rtheap_alloc_aligned_unlocked(rtheap_t *heap, size_t size, uintptr_t align)
{
    if (align <= ALIGN) {
        return rtheap_alloc_unlocked(heap, size);
    }
    return rtheap_alloc_big_align_unlocked(heap, size, align);
}

/* ------------------------------------------------------------------------ */
/* Pointer validation                                                        */
/* ------------------------------------------------------------------------ */

/**
 * Why the block at header address h (inside region r) is not a live block;
 * called only once the fast checks have failed, so that naming the error
 * costs the hot path nothing.
 */
__attribute__((noinline, cold)) static rtheap_error_t rtheap_diagnose(const region_t *r,
                                                                      uintptr_t h)
{
    size_t hd = rtheap_block_at(h)->header;
    uintptr_t t = rtheap_size(hd);
    if (!rtheap_is_block(hd)) {
        /* Only the "previous block is free" flag is wrong: the header
         * disagrees with its neighbour rather than being garbage. */
        return rtheap_is_block(hd ^ FLAG_PREV_FREE) ? RTHEAP_ERR_BAD_NEIGHBOUR
                                                    : RTHEAP_ERR_BAD_HEADER;
    }
    if (t < MIN_BLOCK || t > r->sentinel - h) {
        return RTHEAP_ERR_BAD_HEADER;
    }
    /* Called only when the fast checks failed: what is left is a free block's
     * own header (a double free). */
    return rtheap_is_free(hd) ? RTHEAP_ERR_DOUBLE_FREE : RTHEAP_ERR_BAD_NEIGHBOUR;
}

/**
 * O(1) validation of a pointer handed in as a live block: inside a region,
 * aligned, a sound used header whose size stays in the region, and a next
 * header that is sound and says its previous block is in use. Returns
 * RTHEAP_OK (with the region in *rp and the next header in *ndp) or the
 * error to report.
 */
RTHEAP_PRIVATE RTHEAP_HOT rtheap_error_t rtheap_validate_used(const rtheap_t *heap, const void *ptr,
                                                              const region_t **rp, size_t *ndp)
{
    uintptr_t h = (uintptr_t)ptr - WORD;
    const region_t *r = rtheap_region_of(heap, h);
    *rp = r;
    *ndp = 0;
    if (!RTHEAP_CHECKS) {
        *ndp = rtheap_block_at(h + rtheap_size(rtheap_block_at(h)->header))->header;
        return RTHEAP_OK;
    }
    if (r == NULL) {
        return RTHEAP_ERR_FOREIGN_POINTER;
    }
    if (((uintptr_t)ptr & (ALIGN - 1u)) != 0) {
        return RTHEAP_ERR_MISALIGNED;
    }
    size_t hd = rtheap_block_at(h)->header;
    uintptr_t t = rtheap_size(hd);
    if (!rtheap_sound(hd) || (hd & (FLAG_FREE | FLAG_NOBODY)) != 0 || t < MIN_BLOCK ||
        t > r->sentinel - h) {
        return rtheap_diagnose(r, h);
    }
    size_t nd = rtheap_block_at(h + t)->header;
    *ndp = nd;
    if (rtheap_prev_is_free(nd) || !rtheap_sound(nd)) {
        return RTHEAP_ERR_BAD_NEIGHBOUR;
    }
    return RTHEAP_OK;
}

/**
 * Reports a refused pointer (cold path). When what is wrong is its next
 * block's header, that block is remembered as the damage last reported, so
 * that an allocation meeting it through its list later does not report it
 * again (the pointer itself is reported at every call, as bad input is).
 */
__attribute__((noinline, cold)) static void rtheap_refuse(rtheap_t *heap, rtheap_error_t e,
                                                          const void *ptr)
{
    if (e == RTHEAP_ERR_BAD_NEIGHBOUR) {
        size_t hd = rtheap_block_of(ptr)->header;
        if (rtheap_is_block(hd) && !rtheap_is_free(hd)) {
            heap->last_damage = (uintptr_t)ptr - WORD + rtheap_size(hd);
        }
    }
    rtheap_report(heap, e, ptr);
}

/** Validates and reports; returns the block or NULL. */
RTHEAP_PRIVATE RTHEAP_HOT block_t *rtheap_lookup(rtheap_t *heap, const void *ptr,
                                                 const region_t **rp, size_t *ndp)
{
    rtheap_error_t e = rtheap_validate_used(heap, ptr, rp, ndp);
    if (e != RTHEAP_OK) {
        rtheap_refuse(heap, e, ptr);
        return NULL;
    }
    return rtheap_block_of(ptr);
}

/* ------------------------------------------------------------------------ */
/* Release: merging with free neighbours                                     */
/* ------------------------------------------------------------------------ */

/**
 * A free neighbour n (whose header said FREE) failed its checks: it is
 * quarantined when its extent [n, n + tn) lies inside the region (room
 * bytes from n to the sentinel), and reported once on behalf of `ptr`.
 */
__attribute__((noinline, cold)) static void rtheap_contain_neighbour(rtheap_t *heap,
                                                                     const region_t *r,
                                                                     block_t *n, const void *ptr)
{
    uintptr_t h = rtheap_addr(n);
    uintptr_t tn = rtheap_size(n->header);
    bool known = h == heap->last_damage;
    if (tn >= MIN_BLOCK && tn <= r->sentinel - h) {
        known = known || rtheap_behind_quarantined(heap, n) ||
                (*rtheap_footer(h + tn) != n && rtheap_disowned(n, tn));
        rtheap_quarantine(heap, n, tn);
    }
    if (!known) {
        rtheap_report_damage(heap, RTHEAP_ERR_BAD_FREE_LIST, h, ptr);
    }
}

/**
 * Takes free block n (t bytes) out of its list if its links agree with the
 * list (each link checked before it is read through): true then; false,
 * nothing changed, if they do not. The class is computed only when n is a
 * list head, the one case that needs it.
 */
RTHEAP_PRIVATE RTHEAP_HOT bool rtheap_unlink_checked(rtheap_t *heap, block_t *n, uintptr_t t)
{
    block_t *prev = n->prev_free;
    block_t *next = n->next_free;
    uint32_t c = 0;
    if (prev != NULL) {
        if (RTHEAP_CHECKS && (!rtheap_link_ok(heap, prev) || prev->next_free != n)) {
            return false;
        }
    } else {
        c = rtheap_class_of_size(t);
        if (RTHEAP_CHECKS && heap->heads[c] != n) {
            return false;
        }
    }
    if (RTHEAP_CHECKS && next != NULL && (!rtheap_link_ok(heap, next) || next->prev_free != n)) {
        if (!rtheap_cut_dead_next(heap, n)) {
            return false;
        }
        next = NULL;
    }
    rtheap_unlink_between(heap, prev, next, c);
    return true;
}

/**
 * Takes free block n, the next block of one that ends at n with `room`
 * bytes left to the sentinel, out of its list for a merge if it holds up
 * (size inside the region, footer, links): its size then, else 0.
 */
RTHEAP_PRIVATE RTHEAP_HOT uintptr_t rtheap_take_next(rtheap_t *heap, block_t *n, size_t nd,
                                                     uintptr_t room)
{
    uintptr_t t = rtheap_size(nd);
    if (RTHEAP_CHECKS &&
        (t < MIN_BLOCK || t > room || *rtheap_footer(rtheap_addr(n) + t) != n)) {
        return 0;
    }
    return rtheap_unlink_checked(heap, n, t) ? t : 0;
}

/**
 * The free block in front of block h (which says PREV_FREE) could not be
 * merged (cold path): quarantined when its header and extent hold up (so
 * its links are what is damaged); otherwise the footer, or the header it
 * leads to, was overwritten and where that block starts is unknown: it is
 * left to be found through its list, where h's disowning it (the caller
 * clears its PREV_FREE) shows it was reported. Reported once for `ptr`.
 */
__attribute__((noinline, cold)) static void rtheap_contain_prev(rtheap_t *heap, const region_t *r,
                                                                uintptr_t h, const void *ptr)
{
    block_t *p = *rtheap_footer(h);
    uintptr_t ph = rtheap_addr(p);
    if (ph < h && rtheap_header_pos_ok(r, ph)) {
        size_t pd = p->header;
        if (rtheap_is_free_block(pd) && rtheap_size(pd) == h - ph) {
            rtheap_contain_neighbour(heap, r, p, ptr);
            return;
        }
        rtheap_report_damage(heap, RTHEAP_ERR_BAD_NEIGHBOUR, ph, ptr);
        return;
    }
    rtheap_report_damage(heap, RTHEAP_ERR_BAD_NEIGHBOUR, h, ptr);
}

/**
 * Takes the free block in front of block h (which says PREV_FREE, inside
 * region r) out of its list for a merge if it holds up: found through the
 * footer at a header position of r below h (checked before anything is read
 * through it), a free block's header, a size that ends exactly at h, links
 * that agree. Returns it, or NULL.
 */
RTHEAP_PRIVATE RTHEAP_HOT block_t *rtheap_take_prev(rtheap_t *heap, const region_t *r, uintptr_t h)
{
    block_t *p = *rtheap_footer(h);
    uintptr_t ph = rtheap_addr(p);
    if (RTHEAP_CHECKS) {
        if (ph >= h || !rtheap_header_pos_ok(r, ph)) {
            return NULL;
        }
        size_t pd = p->header;
        if (!rtheap_is_free_block(pd) || rtheap_size(pd) != h - ph) {
            return NULL;
        }
    }
    return rtheap_unlink_checked(heap, p, h - ph) ? p : NULL;
}

/**
 * rtheap_release when a neighbour says it is free (or b's next header says
 * its previous block is): merges with the free neighbours that hold up; a
 * damaged one is taken out of service instead (reported on behalf of `ptr`).
 */
RTHEAP_PRIVATE RTHEAP_HOT void rtheap_release_merging(rtheap_t *heap, const region_t *r,
                                                      block_t *b, size_t hd, size_t nd,
                                                      const void *ptr)
{
    uintptr_t h = rtheap_addr(b);
    uintptr_t t = rtheap_size(hd);
    uintptr_t start = h;
    uintptr_t total = t;
    block_t *n = rtheap_block_at(h + t);
    bool next_merged = false;
    if (rtheap_is_free(nd)) {
        uintptr_t tn = rtheap_take_next(heap, n, nd, r->sentinel - h - t);
        if (tn != 0) {
            n->header = 0; /* no stale header left behind */
            rtheap_poison(h + t, 3u * WORD);
            total += tn;
            next_merged = true;
        } else {
            rtheap_contain_neighbour(heap, r, n, ptr);
        }
    }
    if (rtheap_prev_is_free(hd)) {
        block_t *p = rtheap_take_prev(heap, r, h);
        if (p != NULL) {
            b->header = 0;
            rtheap_poison(h - WORD, 2u * WORD);
            start = rtheap_addr(p);
            total += h - start;
        } else {
            rtheap_contain_prev(heap, r, h, ptr);
        }
    }
    block_t *f = rtheap_block_at(start);
    f->header = rtheap_hdr(total, FLAG_FREE, KIND_BLOCK);
    uintptr_t end = start + total;
    *rtheap_footer(end) = f;
    if (!next_merged) {
        /* The block after (used, a fence, a sentinel or damage) was told
         * "previous used"; after a merge it already says "previous free". */
        block_t *e = rtheap_block_at(end);
        if (!rtheap_prev_is_free(e->header)) {
            e->header = rtheap_toggle(e->header, FLAG_PREV_FREE);
        }
    }
    rtheap_push(heap, f, rtheap_class_of_size(total));
}

/** rtheap_release_merging, out of line: for trim and a moving realloc. */
RTHEAP_SHARED void rtheap_release_merging_shared(rtheap_t *heap, const region_t *r, block_t *b,
                                                 size_t hd, size_t nd, const void *ptr)
{
    rtheap_release_merging(heap, r, b, hd, nd, ptr);
}

/**
 * Turns used block b (header hd, inside region r, checked, in no list;
 * next header nd) into a free block, merged with free neighbours, in its
 * list; the block after it learns that its previous block is free. A
 * damaged neighbour is taken out of service instead of merged (reported on
 * behalf of `ptr`). The merging is inlined when `merge_inline` (free's,
 * whose worst case it sets), else the one shared copy is called.
 */
RTHEAP_PRIVATE RTHEAP_HOT void rtheap_release(rtheap_t *heap, const region_t *r, block_t *b,
                                              size_t hd, size_t nd, const void *ptr,
                                              bool merge_inline)
{
    uintptr_t h = rtheap_addr(b);
    uintptr_t t = rtheap_size(hd);
    rtheap_poison(h + WORD, t - WORD);
    if ((hd & FLAG_PREV_FREE) != 0 || (nd & (FLAG_FREE | FLAG_PREV_FREE)) != 0) {
        if (merge_inline) {
            rtheap_release_merging(heap, r, b, hd, nd, ptr);
        } else {
            rtheap_release_merging_shared(heap, r, b, hd, nd, ptr);
        }
        return;
    }
    /* Neither neighbour is free (the common case): b's header and the next
     * one each flip one flag (their tags flip with it), b's footer is set
     * and b goes into its list. */
    b->header = rtheap_toggle(hd, FLAG_FREE);
    *rtheap_footer(h + t) = b;
    rtheap_block_at(h + t)->header = rtheap_toggle(nd, FLAG_PREV_FREE);
    rtheap_push(heap, b, rtheap_class_of_size(t));
}

/* ------------------------------------------------------------------------ */
/* Free, resize                                                              */
/* ------------------------------------------------------------------------ */

RTHEAP_PRIVATE RTHEAP_HOT void rtheap_free_unlocked(rtheap_t *heap, void *ptr)
{
    const region_t *r;
    size_t nd;
    rtheap_error_t e = rtheap_validate_used(heap, ptr, &r, &nd);
    if (e != RTHEAP_OK) {
        rtheap_refuse(heap, e, ptr);
        return;
    }
    block_t *b = rtheap_block_of(ptr);
    size_t hd = b->header;
    rtheap_count_free(heap, rtheap_size(hd));
    rtheap_release(heap, r, b, hd, nd, ptr, true);
}

/**
 * Cuts used block b (checked, in region r) down to t bytes when the tail
 * can be a block of its own, and releases the tail (merged with a free
 * next block). b keeps its flags.
 */
RTHEAP_PRIVATE void rtheap_trim(rtheap_t *heap, const region_t *r, block_t *b, uintptr_t t)
{
    size_t hd = b->header;
    uintptr_t total = rtheap_size(hd);
    if (total - t < MIN_BLOCK) {
        return;
    }
    b->header = rtheap_hdr(t, hd & FLAG_PREV_FREE, KIND_BLOCK);
    block_t *tail = rtheap_block_at(rtheap_addr(b) + t);
    size_t th = rtheap_hdr(total - t, 0, KIND_BLOCK); /* its previous block (b) is used */
    tail->header = th;
    size_t nd = rtheap_block_at(rtheap_addr(b) + total)->header;
    rtheap_release(heap, r, tail, th, nd, rtheap_payload(b), false);
}

/**
 * Resizes used block b (checked, in region r) in place to block size t.
 * Returns false, b untouched, if it would have to move. A damaged free
 * neighbour it would grow into is taken out of service (reported) and
 * counts as no room.
 */
RTHEAP_PRIVATE bool rtheap_resize_block(rtheap_t *heap, const region_t *r, block_t *b, uintptr_t t)
{
    uintptr_t h = rtheap_addr(b);
    uintptr_t old = rtheap_size(b->header);
    if (t > old) {
        block_t *n = rtheap_block_at(h + old);
        size_t nd = n->header;
        if (!rtheap_is_free(nd) || old + rtheap_size(nd) < t) {
            return false;
        }
        uintptr_t tn = rtheap_take_next(heap, n, nd, r->sentinel - h - old);
        if (tn == 0) {
            rtheap_contain_neighbour(heap, r, n, rtheap_payload(n));
            return false;
        }
        uintptr_t joined = old + tn;
        n->header = 0;
        b->header = rtheap_hdr(joined, b->header & FLAG_PREV_FREE, KIND_BLOCK);
        rtheap_clear_prev_free(h + joined);
    }
    rtheap_trim(heap, r, b, t);
#if RTHEAP_STATS
    size_t used = heap->used_total - old + rtheap_size(b->header);
    heap->used_total = used;
    if (used > heap->peak_total) {
        heap->peak_total = used;
    }
    heap->realloc_count++;
#endif
    return true;
}

RTHEAP_PRIVATE void *rtheap_realloc_unlocked(rtheap_t *heap, void *ptr, size_t size,
                                             uintptr_t align)
{
    if (ptr == NULL) {
        return rtheap_alloc_aligned_unlocked(heap, size, align);
    }
    const region_t *r;
    size_t nd;
    block_t *b = rtheap_lookup(heap, ptr, &r, &nd);
    if (b == NULL) {
        return NULL;
    }
    uintptr_t t = rtheap_block_size_for(size);
    if (t == 0 || t > heap->max_block) {
        rtheap_count_failed(heap);
        return NULL;
    }
    if (((uintptr_t)ptr & (align - 1u)) == 0 && rtheap_resize_block(heap, r, b, t)) {
        return ptr;
    }
    /* Move: the alloc, the copy and the free, nothing more. */
    void *fresh = rtheap_alloc_aligned_unlocked(heap, size, align);
    if (fresh == NULL) {
        return NULL;
    }
    /* Re-read: taking damage out of service in the allocation may have
     * changed b's PREV_FREE flag or its next block. */
    size_t hd = b->header;
    uintptr_t keep = rtheap_size(hd) - WORD;
    uintptr_t room = rtheap_size(rtheap_block_of(fresh)->header) - WORD;
    rtheap_copy_words((uintptr_t)fresh, (uintptr_t)ptr, keep < room ? keep : room);
    rtheap_count_free(heap, rtheap_size(hd));
    rtheap_release(heap, r, b, hd, rtheap_block_at(rtheap_addr(b) + rtheap_size(hd))->header, ptr,
                   false);
#if RTHEAP_STATS
    heap->realloc_count++;
#endif
    return fresh;
}

/* ------------------------------------------------------------------------ */
/* Lock and full check                                                       */
/* ------------------------------------------------------------------------ */

#define LOCK(heap) RTHEAP_LOCK_TYPE rtheap_lock_state_ = RTHEAP_LOCK(heap)
#define UNLOCK(heap) RTHEAP_UNLOCK(heap, rtheap_lock_state_)

static rtheap_error_t rtheap_check_unlocked(rtheap_t *heap);

#if RTHEAP_CHECKS == 2
#define AFTER_CHANGE(heap)                                                                         \
    do {                                                                                           \
        rtheap_error_t e_ = rtheap_check_unlocked(heap);                                           \
        if (e_ != RTHEAP_OK) {                                                                     \
            rtheap_report(heap, e_, NULL);                                                         \
        }                                                                                          \
    } while (0)
#else
#define AFTER_CHANGE(heap) ((void)0)
#endif

RTHEAP_PRIVATE bool rtheap_is_pow2(uintptr_t x)
{
    return x != 0 && (x & (x - 1u)) == 0;
}

/* ------------------------------------------------------------------------ */
/* Init and regions                                                          */
/* ------------------------------------------------------------------------ */

/** Control-structure bytes for an index of `rows` rows, the heads' alignment pad included. */
RTHEAP_PRIVATE uintptr_t rtheap_control_bytes(uint32_t rows)
{
    return sizeof(struct rtheap) + rows * sizeof(uint32_t) + sizeof(void *) - 1u +
           rows * SL_COUNT * sizeof(block_t *);
}

/**
 * Rows of the index for a first region of `bytes`: enough for the largest
 * block the region can hold once the control structure is taken out of it.
 * A row fewer than the region size alone asks for is often enough, and on a
 * small heap a row is a large share of it.
 */
RTHEAP_PRIVATE uint32_t rtheap_index_rows(uintptr_t bytes)
{
    uint32_t rows = rtheap_rows_for(bytes);
    if (rows > 1u) {
        uintptr_t control = rtheap_control_bytes(rows - 1u);
        if (control >= bytes || rtheap_max_block_for(rows - 1u) >= bytes - control) {
            rows--;
        }
    }
    return rows;
}

/* Worst-case padding around the control structure and the blocks: the start
 * rounded up to ALIGN, the first header placed so that its payload is
 * aligned, and the end rounded down with room for the sentinel. */
#define REGION_PADDING (3u * ALIGN + WORD)

size_t rtheap_control_size(size_t bytes)
{
    return (size_t)(rtheap_control_bytes(rtheap_index_rows(bytes)) + REGION_PADDING);
}

/** Header address of the first block and of the sentinel for [lo, hi). */
RTHEAP_PRIVATE bool rtheap_carve_bounds(uintptr_t lo, uintptr_t hi, uintptr_t *first,
                                        uintptr_t *sentinel)
{
    if (hi < lo || hi - lo < MIN_BLOCK + 2u * ALIGN) {
        return false;
    }
    *first = ((lo + WORD + ALIGN - 1u) & ~(ALIGN - 1u)) - WORD;
    *sentinel = (hi & ~(ALIGN - 1u)) - WORD;
    return *sentinel >= *first && *sentinel - *first >= MIN_BLOCK;
}

/** Makes [pos, pos + t) a free block, in its list, after a used block. */
RTHEAP_PRIVATE void rtheap_add_free_block(rtheap_t *heap, uintptr_t pos, uintptr_t t)
{
    block_t *b = rtheap_block_at(pos);
    b->header = rtheap_hdr(t, FLAG_FREE, KIND_BLOCK);
    rtheap_poison(pos + WORD, t - WORD);
    *rtheap_footer(pos + t) = b;
    rtheap_push_behind(heap, b, rtheap_class_of_size(t));
    heap->arena_bytes += t;
}

/**
 * Registers [first, sentinel) as a region and fills it with free blocks no
 * larger than max_block, with a fence after each but the last: O(bytes /
 * max_block), one block unless a later region is larger than the index
 * (see rtheap_init_for). Blocks of regions after the first go behind the
 * head of their list, so that the first region serves first.
 */
RTHEAP_PRIVATE void rtheap_register_region(rtheap_t *heap, uintptr_t first, uintptr_t sentinel)
{
    region_t *r = &heap->regions[heap->region_count];
    r->first = first;
    r->sentinel = sentinel;
    if (heap->region_count == 0) {
        heap->lo = first;
        heap->span = sentinel - first;
    } else {
        uintptr_t top = heap->lo + heap->span;
        if (first < heap->lo) {
            heap->lo = first;
        }
        heap->span = (sentinel > top ? sentinel : top) - heap->lo;
    }
    heap->region_count++;
    uintptr_t pos = first;
    while (sentinel - pos > heap->max_block) {
        uintptr_t left = sentinel - pos;
        uintptr_t t = heap->max_block;
        if (left - t < 2u * MIN_BLOCK) {
            t = left - 2u * MIN_BLOCK; /* room for the fence and one block */
        }
        rtheap_add_free_block(heap, pos, t);
        rtheap_block_at(pos + t)->header = rtheap_hdr(MIN_BLOCK, FLAG_PREV_FREE, KIND_FENCE);
        pos += t + MIN_BLOCK;
    }
    rtheap_add_free_block(heap, pos, sentinel - pos);
    rtheap_block_at(sentinel)->header = rtheap_hdr(0, FLAG_PREV_FREE, KIND_BLOCK);
}

/* Setting a heap up runs once: cold, so optimised for size. */
__attribute__((cold)) rtheap_t *rtheap_init_for(void *mem, size_t bytes, size_t largest_region)
{
    uintptr_t lo = (uintptr_t)mem;
    uintptr_t hi = lo + bytes;
    if (mem == NULL || hi < lo) {
        return NULL; /* a region that wraps the address space is no region */
    }
    if (hi - lo > MAX_REGION_BYTES) {
        hi = lo + MAX_REGION_BYTES;
    }
    uint32_t rows = rtheap_index_rows(hi - lo);
    if (largest_region > hi - lo) {
        uint32_t wanted = rtheap_rows_for(largest_region > MAX_REGION_BYTES ? MAX_REGION_BYTES
                                                                            : largest_region);
        rows = wanted > rows ? wanted : rows;
    }
    uintptr_t base = (lo + ALIGN - 1u) & ~(ALIGN - 1u);
    uintptr_t heads = base + sizeof(struct rtheap) + rows * sizeof(uint32_t);
    heads = (heads + sizeof(void *) - 1u) & ~(uintptr_t)(sizeof(void *) - 1u);
    uintptr_t control_end = heads + rows * SL_COUNT * sizeof(block_t *);
    uintptr_t first;
    uintptr_t sentinel;
    if (base < lo || control_end >= hi || !rtheap_carve_bounds(control_end, hi, &first, &sentinel)) {
        return NULL;
    }
    rtheap_t *heap = (rtheap_t *)base;
    rtheap_fill_words(base, 0, control_end - base);
    heap->magic = HEAP_MAGIC ^ base;
    heap->fl_count = rows;
    heap->max_block = (size_t)rtheap_max_block_for(rows);
    heap->heads = (block_t **)heads;
    heap->heap_bytes = (size_t)(hi - lo);
    rtheap_register_region(heap, first, sentinel);
    return heap;
}

rtheap_t *rtheap_init(void *mem, size_t bytes)
{
    return rtheap_init_for(mem, bytes, 0);
}

RTHEAP_PRIVATE bool rtheap_overlaps(const rtheap_t *heap, uintptr_t lo, uintptr_t hi)
{
    if (lo < heap->regions[0].first && hi > (uintptr_t)heap) {
        return true; /* the control structure */
    }
    for (uint32_t i = 0; i < heap->region_count; i++) {
        const region_t *r = &heap->regions[i];
        if (lo < r->sentinel + WORD && hi > r->first) {
            return true;
        }
    }
    return false;
}

RTHEAP_PRIVATE bool rtheap_add_region_unlocked(rtheap_t *heap, void *mem, size_t bytes)
{
    uintptr_t lo = (uintptr_t)mem;
    uintptr_t hi = lo + bytes;
    uintptr_t first;
    uintptr_t sentinel;
    if (mem == NULL || hi < lo || heap->region_count >= RTHEAP_MAX_REGIONS ||
        !rtheap_carve_bounds(lo, hi, &first, &sentinel) ||
        rtheap_overlaps(heap, first, sentinel + WORD)) {
        return false;
    }
    rtheap_register_region(heap, first, sentinel);
    heap->heap_bytes += bytes;
    return true;
}
__attribute__((cold)) bool rtheap_add_region(rtheap_t *heap, void *mem, size_t bytes)
{
    if (heap == NULL) {
        return false;
    }
    LOCK(heap);
    bool ok = rtheap_add_region_unlocked(heap, mem, bytes);
    if (!ok) {
        rtheap_report(heap, RTHEAP_ERR_BAD_ARGUMENT, mem);
    }
    AFTER_CHANGE(heap);
    UNLOCK(heap);
    return ok;
}

/* ------------------------------------------------------------------------ */
/* Public allocation API                                                     */
/* ------------------------------------------------------------------------ */

void *rtheap_alloc(rtheap_t *heap, size_t size)
{
    if (heap == NULL) {
        return NULL;
    }
    LOCK(heap);
    void *p = rtheap_alloc_unlocked(heap, size);
    AFTER_CHANGE(heap);
    UNLOCK(heap);
    return p;
}

void *rtheap_alloc_aligned(rtheap_t *heap, size_t size, size_t align)
{
    if (align <= ALIGN && rtheap_is_pow2(align)) {
        return rtheap_alloc(heap, size); /* the plain path, and its one copy */
    }
    if (heap == NULL) {
        return NULL;
    }
    LOCK(heap);
    void *p = NULL;
    if (!rtheap_is_pow2(align)) {
        rtheap_report(heap, RTHEAP_ERR_BAD_ARGUMENT, NULL);
    } else {
        p = rtheap_alloc_big_align_unlocked(heap, size, align);
    }
    AFTER_CHANGE(heap);
    UNLOCK(heap);
    return p;
}

void *rtheap_calloc(rtheap_t *heap, size_t count, size_t size)
{
    if (heap == NULL) {
        return NULL;
    }
    size_t bytes;
    bool overflow = __builtin_mul_overflow(count, size, &bytes);
    LOCK(heap);
    void *p = NULL;
    if (overflow) {
        rtheap_count_failed(heap);
    } else {
        p = rtheap_alloc_aligned_unlocked(heap, bytes, ALIGN); /* zeroing dominates */
        if (p != NULL) {
            rtheap_fill_words((uintptr_t)p, 0, rtheap_size(rtheap_block_of(p)->header) - WORD);
        }
    }
    AFTER_CHANGE(heap);
    UNLOCK(heap);
    return p;
}

void *rtheap_realloc(rtheap_t *heap, void *ptr, size_t size)
{
    if (heap == NULL) {
        return NULL;
    }
    LOCK(heap);
    void *p = rtheap_realloc_unlocked(heap, ptr, size, ALIGN);
    AFTER_CHANGE(heap);
    UNLOCK(heap);
    return p;
}

void *rtheap_realloc_aligned(rtheap_t *heap, void *ptr, size_t size, size_t align)
{
    if (heap == NULL) {
        return NULL;
    }
    LOCK(heap);
    void *p = NULL;
    if (!rtheap_is_pow2(align)) {
        rtheap_report(heap, RTHEAP_ERR_BAD_ARGUMENT, ptr);
    } else {
        p = rtheap_realloc_unlocked(heap, ptr, size, align < ALIGN ? ALIGN : align);
    }
    AFTER_CHANGE(heap);
    UNLOCK(heap);
    return p;
}

size_t rtheap_resize_in_place(rtheap_t *heap, void *ptr, size_t size)
{
    if (heap == NULL || ptr == NULL) {
        return 0;
    }
    LOCK(heap);
    size_t usable = 0;
    const region_t *r;
    size_t nd;
    block_t *b = rtheap_lookup(heap, ptr, &r, &nd);
    uintptr_t t = rtheap_block_size_for(size);
    if (b != NULL && t != 0 && t <= heap->max_block && rtheap_resize_block(heap, r, b, t)) {
        usable = (size_t)(rtheap_size(b->header) - WORD);
    }
    AFTER_CHANGE(heap);
    UNLOCK(heap);
    return usable;
}

void rtheap_free(rtheap_t *heap, void *ptr)
{
    if (heap == NULL || ptr == NULL) {
        return;
    }
    LOCK(heap);
    rtheap_free_unlocked(heap, ptr);
    AFTER_CHANGE(heap);
    UNLOCK(heap);
}

size_t rtheap_usable_size(rtheap_t *heap, const void *ptr)
{
    if (heap == NULL || ptr == NULL) {
        return 0;
    }
    LOCK(heap);
    const region_t *r;
    size_t nd;
    const block_t *b = rtheap_lookup(heap, ptr, &r, &nd);
    size_t usable = b != NULL ? (size_t)(rtheap_size(b->header) - WORD) : 0u;
    UNLOCK(heap);
    return usable;
}

size_t rtheap_request_usable_size(size_t size, size_t align)
{
    uintptr_t t = rtheap_block_size_for(size);
    /* No heap on this target holds a block above the largest size a header can
     * carry: such a request could never be satisfied. */
    if (t == 0 || t > ((MAX_GRANULES - 1u) << ALIGN_LOG2) || !rtheap_is_pow2(align) ||
        align > ((uintptr_t)1 << (sizeof(size_t) * 8 - 2))) {
        return 0;
    }
    return (size_t)(t - WORD);
}

void rtheap_set_error_hook(rtheap_t *heap, rtheap_error_hook_t hook, void *user)
{
    if (heap == NULL) {
        return;
    }
    LOCK(heap);
    heap->hook = hook;
    heap->hook_user = user;
    UNLOCK(heap);
}

/* ------------------------------------------------------------------------ */
/* Statistics                                                                */
/* ------------------------------------------------------------------------ */

/**
 * Usable bytes of the largest request rtheap_alloc() cannot fail on now. The
 * head of the top class is checked as an allocation would check it; a
 * damaged one is taken out of service first, so that nothing is promised
 * that an allocation would refuse (bounded: each round removes one).
 */
RTHEAP_PRIVATE size_t rtheap_largest_guaranteed(rtheap_t *heap)
{
    for (uint32_t round = 0; round < 4u && heap->fl_bitmap != 0; round++) {
        uint32_t fl = rtheap_fls(heap->fl_bitmap);
        uint32_t c = fl * SL_COUNT + rtheap_fls(heap->sl_bitmap[fl]);
        block_t *b = heap->heads[c];
        /* Any request up to the head block of the top class is found: by the
         * rounded search when its rounded class is not above the top class,
         * else by the check of its own class's head (see rtheap_find). */
        uintptr_t size = rtheap_listed_size(heap, b);
        if (size != 0 && b->prev_free == NULL && (!RTHEAP_CHECKS || rtheap_next_link_ok(heap, b))) {
            return (size_t)(size - WORD);
        }
        rtheap_contain_listed(heap, b, c);
    }
    return 0;
}

bool rtheap_get_stats(rtheap_t *heap, rtheap_stats_t *out)
{
    if (heap == NULL || out == NULL) {
        return false;
    }
    /* Field by field: a struct copy could become a memcpy call. */
    LOCK(heap);
    rtheap_stats_t *s = out;
    s->heap_bytes = heap->heap_bytes;
    s->arena_bytes = heap->arena_bytes;
    s->largest_guaranteed = rtheap_largest_guaranteed(heap);
    s->error_count = heap->error_count;
    s->region_count = heap->region_count;
    s->quarantine_count = heap->quarantine_count;
    s->quarantined_bytes = heap->quarantined_bytes;
#if RTHEAP_STATS
    s->used_bytes_with_overhead = heap->used_total;
    size_t live = (size_t)(uint32_t)(heap->alloc_count - heap->free_count);
    s->used_bytes = heap->used_total - live * WORD;
    /* Quarantined blocks sized by a forged header could overlap live ones:
     * never let that wrap the free count. */
    size_t unused = heap->arena_bytes - heap->used_total;
    s->free_bytes = unused > heap->quarantined_bytes ? unused - heap->quarantined_bytes : 0u;
    s->peak_used_bytes = heap->peak_total;
    s->live_blocks = live;
    s->alloc_count = heap->alloc_count;
    s->free_count = heap->free_count;
    s->realloc_count = heap->realloc_count;
    s->failed_count = heap->failed_count;
#else
    s->used_bytes_with_overhead = 0;
    s->used_bytes = 0;
    s->free_bytes = 0;
    s->peak_used_bytes = 0;
    s->live_blocks = 0;
    s->alloc_count = 0;
    s->free_count = 0;
    s->realloc_count = 0;
    s->failed_count = 0;
#endif
    UNLOCK(heap);
    return true;
}

/* ------------------------------------------------------------------------ */
/* Full check and walk                                                       */
/* ------------------------------------------------------------------------ */

typedef struct chain_totals {
    uintptr_t bytes;          /* in ordinary blocks */
    uintptr_t nobodys_bytes;  /* in fences and quarantined blocks */
    uintptr_t used_bytes;
    uintptr_t used_blocks;
    uintptr_t free_blocks;
} chain_totals_t;

/**
 * Sound header of `kind` at h inside region r: no stray flag bits, a size
 * from MIN_BLOCK to max_block that stays inside the region.
 */
RTHEAP_PRIVATE bool rtheap_header_plausible(const rtheap_t *heap, const region_t *r, uintptr_t h,
                                            uint32_t kind)
{
    size_t hd = rtheap_block_at(h)->header;
    uintptr_t t = rtheap_size(hd);
    return rtheap_kind(hd) == kind &&
           (hd & FLAG_BITS & ~(FLAG_FREE | FLAG_PREV_FREE | FLAG_NOBODY)) == 0 &&
           t >= MIN_BLOCK && t <= heap->max_block && t <= r->sentinel - h;
}

#if RTHEAP_POISON
RTHEAP_PRIVATE bool rtheap_poison_intact(const block_t *b)
{
    const size_t *w = (const size_t *)(rtheap_addr(b) + 3u * WORD);
    const size_t *end = (const size_t *)(rtheap_addr(b) + rtheap_size(b->header) - WORD);
    for (; w < end; w++) {
        if (*w != POISON_WORD) {
            return false;
        }
    }
    return true;
}
#endif

/** Walks one region's physical chain, checking every block. */
RTHEAP_PRIVATE rtheap_error_t rtheap_check_region(const rtheap_t *heap, const region_t *r,
                                                  chain_totals_t *totals)
{
    uintptr_t h = r->first;
    bool prev_free = false;
    while (h != r->sentinel) {
        const block_t *b = rtheap_block_at(h);
        size_t hd = b->header;
        if (rtheap_prev_is_free(hd) != prev_free) {
            return RTHEAP_ERR_CHAIN;
        }
        if (rtheap_is_ownerless(hd)) {
            /* A fence or a quarantined block: in use, owned by nobody. */
            if (!rtheap_header_plausible(heap, r, h, KIND_FENCE) || rtheap_is_free(hd)) {
                return RTHEAP_ERR_CHAIN;
            }
            totals->nobodys_bytes += rtheap_size(hd);
            prev_free = false;
            h += rtheap_size(hd);
            continue;
        }
        if (!rtheap_header_plausible(heap, r, h, KIND_BLOCK)) {
            return RTHEAP_ERR_CHAIN;
        }
        uintptr_t t = rtheap_size(hd);
        bool free = rtheap_is_free(hd);
        if (free) {
            if (prev_free) {
                return RTHEAP_ERR_COALESCE;
            }
            if (*rtheap_footer(h + t) != b) {
                return RTHEAP_ERR_CHAIN;
            }
#if RTHEAP_POISON
            if (!rtheap_poison_intact(b)) {
                return RTHEAP_ERR_POISON;
            }
#endif
            totals->free_blocks++;
        } else {
            totals->used_bytes += t;
            totals->used_blocks++;
        }
        totals->bytes += t;
        prev_free = free;
        h += t;
    }
    size_t sd = rtheap_block_at(h)->header;
    if (sd != rtheap_hdr(0, prev_free ? FLAG_PREV_FREE : 0u, KIND_BLOCK)) {
        return RTHEAP_ERR_CHAIN;
    }
    return RTHEAP_OK;
}

/** Walks every free list, checking links, classes and bitmaps. */
RTHEAP_PRIVATE rtheap_error_t rtheap_check_lists(const rtheap_t *heap, uintptr_t free_blocks)
{
    uintptr_t listed = 0;
    if ((heap->fl_count < FL_MAX && (heap->fl_bitmap >> heap->fl_count) != 0) ||
        heap->sl_bitmap[heap->fl_count] != 0) {
        return RTHEAP_ERR_BITMAP;
    }
    for (uint32_t fl = 0; fl < heap->fl_count; fl++) {
        if (((heap->fl_bitmap >> fl) & 1u) != (heap->sl_bitmap[fl] != 0)) {
            return RTHEAP_ERR_BITMAP;
        }
        for (uint32_t sl = 0; sl < SL_COUNT; sl++) {
            uint32_t c = fl * SL_COUNT + sl;
            const block_t *b = heap->heads[c];
            if (((heap->sl_bitmap[fl] >> sl) & 1u) != (b != NULL)) {
                return RTHEAP_ERR_BITMAP;
            }
            const block_t *prev = NULL;
            for (; b != NULL; prev = b, b = b->next_free) {
                uintptr_t h = rtheap_addr(b);
                const region_t *r = rtheap_region_of(heap, h);
                if (heap->quarantine_count != 0 && prev != NULL && r != NULL &&
                    rtheap_header_pos_ok(r, h) && rtheap_is_ownerless(b->header)) {
                    break; /* the list ends at damage taken out of service (cut there
                            * when an allocation or a merge next meets it) */
                }
                if (++listed > free_blocks) {
                    return RTHEAP_ERR_FREE_COUNT; /* also stops a cycle */
                }
                if (r == NULL || !rtheap_header_pos_ok(r, h) ||
                    !rtheap_header_plausible(heap, r, h, KIND_BLOCK) || !rtheap_is_free(b->header) ||
                    *rtheap_footer(h + rtheap_size(b->header)) != b || b->prev_free != prev) {
                    return RTHEAP_ERR_BAD_FREE_LIST;
                }
                if (rtheap_class_of_size(rtheap_size(b->header)) != c) {
                    return RTHEAP_ERR_LIST_CLASS;
                }
            }
        }
    }
    /* Blocks cut off behind a damaged one (lost_lists) are free but listed
     * nowhere; otherwise every free block is in exactly one list. */
    bool counts_ok = heap->lost_lists != 0 ? listed <= free_blocks : listed == free_blocks;
    return counts_ok ? RTHEAP_OK : RTHEAP_ERR_FREE_COUNT;
}

static rtheap_error_t rtheap_check_unlocked(rtheap_t *heap)
{
    if (heap->magic != (HEAP_MAGIC ^ (uintptr_t)heap) || heap->region_count == 0 ||
        heap->region_count > RTHEAP_MAX_REGIONS || heap->fl_count == 0 ||
        heap->fl_count > 32u - RTHEAP_SL_LOG2 ||
        heap->max_block != rtheap_max_block_for(heap->fl_count)) {
        return RTHEAP_ERR_CONTROL;
    }
    chain_totals_t totals = {0, 0, 0, 0, 0};
    uintptr_t region_bytes = 0;
    for (uint32_t i = 0; i < heap->region_count; i++) {
        const region_t *r = &heap->regions[i];
        rtheap_error_t e = rtheap_check_region(heap, r, &totals);
        if (e != RTHEAP_OK) {
            return e;
        }
        region_bytes += r->sentinel - r->first;
    }
    /* Fences and quarantined blocks share a header: the bytes nobody owns are
     * the fences' and the quarantined ones (which stay in arena_bytes). */
    if (totals.bytes + totals.nobodys_bytes != region_bytes ||
        totals.nobodys_bytes < heap->quarantined_bytes ||
        totals.bytes + heap->quarantined_bytes != heap->arena_bytes) {
        return RTHEAP_ERR_ACCOUNTING;
    }
    rtheap_error_t e = rtheap_check_lists(heap, totals.free_blocks);
    if (e != RTHEAP_OK) {
        return e;
    }
#if RTHEAP_STATS
    if (heap->used_total != totals.used_bytes ||
        (uint32_t)(heap->alloc_count - heap->free_count) != totals.used_blocks ||
        heap->peak_total < heap->used_total) {
        return RTHEAP_ERR_STATS;
    }
#endif
    return RTHEAP_OK;
}

rtheap_error_t rtheap_check(rtheap_t *heap)
{
    if (heap == NULL) {
        return RTHEAP_ERR_CONTROL;
    }
    LOCK(heap);
    rtheap_error_t e = rtheap_check_unlocked(heap);
    UNLOCK(heap);
    return e;
}

size_t rtheap_walk(rtheap_t *heap, rtheap_walker_t walker, void *user)
{
    if (heap == NULL || walker == NULL) {
        return 0;
    }
    LOCK(heap);
    size_t visited = 0;
    bool go_on = true;
    for (uint32_t i = 0; go_on && i < heap->region_count; i++) {
        const region_t *r = &heap->regions[i];
        for (uintptr_t h = r->first; go_on && h < r->sentinel;) {
            const block_t *b = rtheap_block_at(h);
            if (rtheap_is_ownerless(b->header) &&
                rtheap_header_plausible(heap, r, h, KIND_FENCE)) {
                h += rtheap_size(b->header); /* nobody's: not reported */
                continue;
            }
            if (!rtheap_header_plausible(heap, r, h, KIND_BLOCK)) {
                break; /* damaged chain: rtheap_check() says more */
            }
            uintptr_t t = rtheap_size(b->header);
            rtheap_block_info_t info = {rtheap_payload(b), (size_t)(t - WORD),
                                        !rtheap_is_free(b->header), i};
            visited++;
            go_on = walker(&info, user);
            h += t;
        }
    }
    UNLOCK(heap);
    return visited;
}

void rtheap_report_error(rtheap_t *heap, rtheap_error_t kind, const void *ptr)
{
    if (heap == NULL) {
        return;
    }
    LOCK(heap);
    rtheap_report(heap, kind, ptr);
    UNLOCK(heap);
}

const char *rtheap_error_name(rtheap_error_t kind)
{
    switch (kind) {
    case RTHEAP_OK: return "ok";
    case RTHEAP_ERR_FOREIGN_POINTER: return "foreign pointer";
    case RTHEAP_ERR_MISALIGNED: return "misaligned pointer";
    case RTHEAP_ERR_DOUBLE_FREE: return "double free";
    case RTHEAP_ERR_BAD_HEADER: return "bad block header";
    case RTHEAP_ERR_BAD_NEIGHBOUR: return "neighbour mismatch";
    case RTHEAP_ERR_BAD_FREE_LIST: return "free list damaged";
    case RTHEAP_ERR_BAD_ARGUMENT: return "bad argument";
    case RTHEAP_ERR_CHAIN: return "physical chain broken";
    case RTHEAP_ERR_ACCOUNTING: return "sizes do not add up";
    case RTHEAP_ERR_COALESCE: return "free neighbours not merged";
    case RTHEAP_ERR_LIST_CLASS: return "free block in wrong list";
    case RTHEAP_ERR_BITMAP: return "bitmap mismatch";
    case RTHEAP_ERR_FREE_COUNT: return "free list count mismatch";
    case RTHEAP_ERR_STATS: return "statistics mismatch";
    case RTHEAP_ERR_POISON: return "free memory written";
    case RTHEAP_ERR_CONTROL: return "control structure damaged";
    case RTHEAP_ERR_NO_HEAP: return "no heap (heap symbols missing or region too small)";
    case RTHEAP_ERR_FORCE_INT_: break;
    }
    return "unknown error";
}
