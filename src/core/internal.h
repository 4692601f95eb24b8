/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtheap core, shared part: layout constants, the control structure and the
 * inline helpers every concern uses. docs/design.md explains the block
 * layout, the header tag and the damage model.
 *
 * The core is one translation unit: src/rtheap.c includes this header and
 * then the files of src/core/ in order, so that every helper here can be
 * inlined into each hot path without LTO. Never compile src/core/ alone.
 *
 * Freestanding: only compiler headers, and no call to anything the core does
 * not define (checked in CI with `nm -u`).
 */
#ifndef RTHEAP_CORE_INTERNAL_H
#define RTHEAP_CORE_INTERNAL_H

#include "../rtheap.h"
#include "units.h" /* the calls the other units make into the core */

/*
 * Test hook, not an option: the storage class of the internal helpers.
 * White-box tests reach them by compiling rtheap.c into the test itself
 * (#include "rtheap.c"), or build with -DRTHEAP_PRIVATE= to give them
 * external linkage (they have no declarations elsewhere, on purpose).
 */
#ifndef RTHEAP_PRIVATE
#define RTHEAP_PRIVATE static inline
#define RTHEAP_PRIVATE_IS_DEFAULT_ 1
#else
#define RTHEAP_PRIVATE_IS_DEFAULT_ 0
#pragma GCC diagnostic ignored "-Wmissing-declarations"
#endif

/* ------------------------------------------------------------------------ */
/* Layout constants                                                          */
/* ------------------------------------------------------------------------ */

#define WORD ((uintptr_t)sizeof(size_t))
#define ALIGN ((uintptr_t)RTHEAP_ALIGNMENT)
#define SL_COUNT RTHEAP_SL_COUNT
#define MIN_BLOCK ((uintptr_t)RTHEAP_MIN_BLOCK)
#define FLAG_FREE ((size_t)1)
#define FLAG_PREV_FREE ((size_t)2)
/* A fence: a block nobody owns, either a divider between the chunks of a
 * large region or a damaged block taken out of service (quarantined). No
 * pointer is accepted for it and nothing merges with it. */
#define FLAG_FENCE ((size_t)4)
#define FLAG_BITS ((size_t)(ALIGN - 1))
/* The tag is the header's top byte; sizes live below it. */
#define TAG_SHIFT (sizeof(size_t) * 8u - 8u)
#define SIZE_BITS ((((size_t)1 << TAG_SHIFT) - 1u) & ~FLAG_BITS)
/* What the XOR of a sound header's bytes equals. Zeroed, all-ones and poisoned
 * memory (bytes all alike) XOR to 0: never sound. One constant for every
 * header, so that no change of a single byte can turn a sound header into
 * another sound one. */
#define TAG_XOR 0x5Bu
/* Tags are a check: without RTHEAP_CHECKS headers carry none (a top byte of
 * 0 is sound then), and the heap's magic says so to a debugger. */
#define TAGGED (RTHEAP_CHECKS != 0)
/* The kinds of a header, as rtheap_kind() tells them (and rtheap_hdr() takes
 * them): the flag bits that make them, or KIND_BAD for an unsound header. */
#define KIND_BLOCK 0u                     /* an ordinary block or a sentinel */
#define KIND_FENCE ((uint32_t)FLAG_FENCE) /* a fence (see FLAG_FENCE) */
#define KIND_BAD 0xFFu
/* fl rows are limited so that bit masks like ~0u << (fl + 1) stay defined. */
#define FL_MAX 31u
#define HEAP_MAGIC ((uintptr_t)(TAGGED ? 0x72746870u : 0x7274686Eu)) /* "rthp", "rthn" */

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

/* Granule counts are scanned as uint32_t (below 2^31) and sizes must stay
 * below the tag byte. */
#if UINTPTR_MAX > 0xFFFFFFFFu
#define MAX_GRANULES ((uintptr_t)1 << 31)
#else
#define MAX_GRANULES ((uintptr_t)1 << (TAG_SHIFT - ALIGN_LOG2))
#endif
/* The largest alignment a new block is given: 2^(bits - 2). A larger one
 * could be met only by a block at the address 2^(bits - 1) (0 is NULL), so
 * an allocation asking for it fails as never satisfiable (NULL, a failed
 * allocation), as rtheap_request_usable_size says of it. */
#define MAX_ALIGN ((uintptr_t)1 << (sizeof(uintptr_t) * 8u - 2u))
/* The most of a region that is used. A region larger than the largest block
 * is cut into blocks with fences between them (rtheap_register_region),
 * except with RTHEAP_SMALL and one region: no more of it is used than one
 * block holds (16 MiB on 32-bit targets), and no such code is linked. */
#define ONE_BLOCK_REGION (RTHEAP_SMALL && RTHEAP_MAX_REGIONS == 1)
#if UINTPTR_MAX > 0xFFFFFFFFu || ONE_BLOCK_REGION
#define MAX_REGION_BYTES ((MAX_GRANULES - 1u) << ALIGN_LOG2)
#else
#define MAX_REGION_BYTES UINTPTR_MAX
#endif

/*
 * Where a path's code lives: each hot path exists once, as one function
 * with its helpers inlined into it, at -Os as at -O2, so that -Os runs it
 * about as fast and neither level pastes it into every caller:
 * - RTHEAP_ENTRY: a public call that holds the one copy of its operation
 *   (free): every helper is inlined into it (flatten at -Os; at -O2 the
 *   helpers are marked RTHEAP_HOT).
 * - RTHEAP_BODY: the one body of an operation that several public calls
 *   share, as an out-of-line function with every helper inlined into it (a
 *   plain allocation: alloc, realloc, calloc, aligned alloc; a resize:
 *   realloc and resize in place; the merge with free neighbours: free,
 *   trim and a moving realloc). A copy in each caller would cost more bytes
 *   than the call costs instructions.
 * - RTHEAP_SHARED_FLAT: a part of those, inlined at -O2; at -Os one
 *   out-of-line copy with its helpers inlined (unlink_checked: each merge
 *   runs it once or twice, and the link checks it would call cost more than
 *   their code).
 * - RTHEAP_HOT: inlined into its callers at -O2.
 * - RTHEAP_INLINE: inlined into its callers at both levels: a few
 *   instructions that a call, or the code around one, would cost more than.
 * - RTHEAP_OUTLINE: an out-of-line function where the path is not the main
 *   cost (an over-aligned allocation, realloc's and calloc's).
 * Without optimisation, or with RTHEAP_PRIVATE defined by a test, all are
 * ordinary functions.
 */
#if !RTHEAP_PRIVATE_IS_DEFAULT_ || !defined(__OPTIMIZE__)
#define RTHEAP_HOT
#define RTHEAP_INLINE
#define RTHEAP_ENTRY
#define RTHEAP_OUTLINE RTHEAP_PRIVATE
#define RTHEAP_BODY RTHEAP_PRIVATE
#define RTHEAP_SHARED_FLAT RTHEAP_PRIVATE
#elif defined(__OPTIMIZE_SIZE__)
#define RTHEAP_HOT
#define RTHEAP_INLINE __attribute__((always_inline))
#define RTHEAP_ENTRY __attribute__((flatten))
#define RTHEAP_OUTLINE static __attribute__((noinline))
#define RTHEAP_BODY static __attribute__((noinline, flatten))
#define RTHEAP_SHARED_FLAT static __attribute__((noinline, flatten))
#else
#define RTHEAP_HOT __attribute__((always_inline))
#define RTHEAP_INLINE __attribute__((always_inline))
#define RTHEAP_ENTRY
#define RTHEAP_OUTLINE static __attribute__((noinline))
#define RTHEAP_BODY static __attribute__((noinline, flatten))
#define RTHEAP_SHARED_FLAT RTHEAP_PRIVATE RTHEAP_HOT
#endif

/* Cold paths (damage, set-up, errors): out of line, optimised for size. */
#define RTHEAP_COLD __attribute__((noinline, cold))

#define RTHEAP_LIKELY(x) __builtin_expect(!!(x), 1)
/* What the code before it has proved, told to the compiler (no check is made). */
#define RTHEAP_ASSUME(x) ((x) ? (void)0 : __builtin_unreachable())
/* An empty barrier (it emits nothing): fields read through p after it are
 * loaded again, not kept in registers from reads before it. */
#define RTHEAP_RELOAD(p) __asm__("" : "+r"(p))

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
    /* The first region as the hot checks read it, with one load of a pair:
     * its first header and its size in granules (regions[0] says the same). */
    uintptr_t first;
    uintptr_t granules;
    region_t regions[RTHEAP_MAX_REGIONS]; /* the hot paths look at regions[0] first */
    rtheap_error_hook_t hook;
    void *hook_user;
    uint32_t region_count;
    uint32_t error_count;
    size_t heap_bytes;  /* bytes handed to init/add_region */
    size_t arena_bytes; /* bytes in blocks */
    /* Damage taken out of service (src/core/damage.c). */
    size_t quarantined_bytes;
    uint32_t quarantine_count;
    uint32_t lost_lists;   /* lists (or their tails) cut off behind a damaged block */
    uintptr_t last_damage; /* header address of the damage reported last */
#if RTHEAP_STATS
    /* Live blocks are alloc_count - free_count (modulo 2^32): every block
     * handed out counts one allocation, every block taken back one free.
     * In the order that lets a free and an allocation update theirs with
     * loads and stores of pairs. */
    uint32_t free_count;
    size_t used_total; /* sum of T over live blocks */
    size_t peak_total;
    uint32_t alloc_count;
    uint32_t realloc_count;
    uint32_t failed_count;
#endif
    uint32_t sl_bitmap[]; /* fl_count words, then the heads (pointer-aligned) */
};

_Static_assert(sizeof(size_t) == sizeof(void *), "size_t and pointers have one width");
_Static_assert(sizeof(rtheap_error_t) == sizeof(int), "rtheap_error_t is int-sized everywhere");
_Static_assert(sizeof(block_t) == 3 * sizeof(size_t), "block_t is three words");
_Static_assert(sizeof(struct rtheap) % sizeof(void *) == 0, "heads stay pointer-aligned");
_Static_assert(SL_COUNT <= 32, "second-level bitmap is one uint32_t");
_Static_assert(MIN_BLOCK >= 4 * sizeof(size_t) && MIN_BLOCK % RTHEAP_ALIGNMENT == 0,
               "minimum block holds header, links and footer");
_Static_assert(ALIGN_LOG2 + RTHEAP_SL_LOG2 < TAG_SHIFT, "the smallest row fits below the tag");
_Static_assert(TAG_XOR != 0 && TAG_XOR != 0xFFu, "memory whose bytes are alike is never sound");
_Static_assert(FLAG_FENCE < ALIGN, "the fence flag sits below the smallest size bit");

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

#if RTHEAP_CLASS_TABLE
#include "class_table.h" /* rtheap_class_table: the classes of blocks under 256 granules */
#endif

/**
 * rtheap_class_of by the bit scan, branch-free: with s = rtheap_sl_shift(g),
 * g >> s is SL_COUNT + sl on rows above 0, which makes
 * (s << SL_LOG2) + (g >> s) = fl * SL_COUNT + sl.
 */
RTHEAP_PRIVATE uint32_t rtheap_class_by_scan(uint32_t g)
{
    uint32_t s = rtheap_sl_shift(g);
    return (s << RTHEAP_SL_LOG2) + (g >> s);
}

#if RTHEAP_CLASS_TABLE
/* The blocks too large for the table (256 << CLASS_STEP granules or more,
 * 32 KiB and up by default): one out-of-line copy of the bit scan. */
RTHEAP_OUTLINE uint32_t rtheap_class_of_large(uint32_t g)
{
    return rtheap_class_by_scan(g);
}
#endif

/**
 * Class (fl * SL_COUNT + sl) of a block of g granules, g < 2^31 (0 is
 * class 0: rtheap_class_up relies on it).
 * Row 0 holds sizes 0..SL_COUNT-1 one per list; row fl > 0 splits
 * [2^(fl+SL_LOG2-1), 2^(fl+SL_LOG2)) into SL_COUNT equal lists. Classes are
 * numbered in size order, so class + 1 is the next larger one.
 */
RTHEAP_PRIVATE uint32_t rtheap_class_of(uint32_t g)
{
#if RTHEAP_CLASS_TABLE
    if (g < 256u) {
        return rtheap_class_table[g];
    }
    /* Shifting g right by k moves it k rows down, its list in the row kept,
     * while g >> k stays above row 0: k = 8 - SL_LOG2 lets the table serve
     * blocks under 2^(16 - SL_LOG2) granules too, with no bit scan (no CLZ
     * here: the scan is the costly part). */
    if (g < (256u << CLASS_STEP)) {
        return rtheap_class_table[g >> CLASS_STEP] + (CLASS_STEP << RTHEAP_SL_LOG2);
    }
    return rtheap_class_of_large(g);
#else
    return rtheap_class_by_scan(g);
#endif
}

/**
 * The smallest class all of whose blocks have at least g granules (g > 0):
 * g's own class if g is that class's smallest size, else the next one. That
 * is the class after g - 1's: every class above g - 1's starts above g - 1,
 * and g - 1's own does not.
 */
RTHEAP_PRIVATE uint32_t rtheap_class_up(uint32_t g)
{
    /* Rows 0 and 1 hold one size per list, in order: up to 2 * SL_COUNT
     * granules the class is g itself, found without the bit scan (most
     * requests are small). */
    if (g <= 2u * SL_COUNT) {
        return g;
    }
    return rtheap_class_of(g - 1u) + 1u;
}

RTHEAP_PRIVATE uint32_t rtheap_granules(uintptr_t t)
{
    return (uint32_t)(t >> ALIGN_LOG2);
}

RTHEAP_PRIVATE uint32_t rtheap_class_of_size(uintptr_t t)
{
    return rtheap_class_of(rtheap_granules(t));
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
    return TAGGED ? rtheap_fold(header) == TAG_XOR : (header >> TAG_SHIFT) == 0;
}

/** What a header is: KIND_BLOCK, KIND_FENCE, or KIND_BAD. */
RTHEAP_PRIVATE uint32_t rtheap_kind(size_t header)
{
    return rtheap_sound(header) ? (uint32_t)(header & FLAG_FENCE) : KIND_BAD;
}

/** Header word of kind `kind` for a block of t bytes with flags (FREE, PREV_FREE). */
RTHEAP_PRIVATE size_t rtheap_hdr(uintptr_t t, size_t flags, uint32_t kind)
{
    size_t v = (size_t)t | flags | (size_t)kind;
    return TAGGED ? v | ((size_t)(rtheap_fold(v) ^ TAG_XOR) << TAG_SHIFT) : v;
}

/** Header with flag bits f flipped, still sound: the tag flips with them. */
RTHEAP_PRIVATE size_t rtheap_toggle(size_t header, size_t f)
{
    return TAGGED ? header ^ (f | (f << TAG_SHIFT)) : header ^ f;
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
    return rtheap_sound(header) && (header & FLAG_FENCE) == 0;
}

/** A sound header of a free block (FREE set, not a fence). */
RTHEAP_PRIVATE bool rtheap_is_free_block(size_t header)
{
    return rtheap_sound(header) && (header & (FLAG_FREE | FLAG_FENCE)) == FLAG_FREE;
}

/** A sound header of a fence. */
RTHEAP_PRIVATE bool rtheap_is_fence(size_t header)
{
    return rtheap_sound(header) && (header & FLAG_FENCE) != 0;
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

/** Clears the PREV_FREE flag of the header at h, if set (keeping it sound). */
RTHEAP_PRIVATE void rtheap_clear_prev_free(uintptr_t h)
{
    block_t *n = rtheap_block_at(h);
    if (rtheap_prev_is_free(n->header)) {
        n->header = rtheap_toggle(n->header, FLAG_PREV_FREE);
    }
}

/* ------------------------------------------------------------------------ */
/* Word fill (written here: the core must not call memset)                  */
/* ------------------------------------------------------------------------ */

/* In a loop that stores words: the compiler no longer knows where p points
 * after it, so it cannot turn the loop into a call of memset or memcpy (GCC)
 * or __aeabi_memclr4 (clang), whatever the build's flags (-ffreestanding or
 * not) and wherever the loop is inlined. It emits nothing. */
#define RTHEAP_NO_STORE_PATTERN(p) __asm__("" : "+r"(p))

RTHEAP_PRIVATE void rtheap_fill_words(uintptr_t dst, size_t value, uintptr_t bytes)
{
    size_t *d = (size_t *)dst;
    size_t *end = d + bytes / WORD;
    while (d != end) { /* wcet-loop: fill-words bytes / 4 */
        *d = value;
        d++;
        RTHEAP_NO_STORE_PATTERN(d);
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
/* Free lists and bitmaps                                                    */
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

/** Makes [h, h + t) a free block with flags `flags` (PREV_FREE), not yet listed. */
RTHEAP_PRIVATE block_t *rtheap_free_block_at(uintptr_t h, uintptr_t t, size_t flags)
{
    block_t *b = rtheap_block_at(h);
    b->header = rtheap_hdr(t, FLAG_FREE | flags, KIND_BLOCK);
    *rtheap_footer(h + t) = b;
    return b;
}

/** Makes [h, h + t) a free block with flags `flags` (PREV_FREE) and lists it. */
RTHEAP_PRIVATE void rtheap_make_free(rtheap_t *heap, uintptr_t h, uintptr_t t, size_t flags)
{
    rtheap_push(heap, rtheap_free_block_at(h, t, flags), rtheap_class_of_size(t));
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

/* The checks of addresses and links the hot paths share. */
#include "links.h"

#endif /* RTHEAP_CORE_INTERNAL_H */
