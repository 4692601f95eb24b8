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
 *   header = T | flags, T = total block size, a multiple of A.
 *   A free block keeps in its payload: next_free, prev_free (first two
 *   words) and a footer (last word, just before n's header) pointing back
 *   to b, so that n can find it when n is freed (n has FLAG_PREV_FREE).
 *   A used block keeps nothing but its header: one word of overhead.
 *
 *   Every region ends with a sentinel: a header with T = 0, never free.
 *   A region larger than the largest block the index can hold is cut into
 *   chunks separated by fences: used blocks of MIN_BLOCK bytes that nobody
 *   owns, whose header is FENCE (a check bit deliberately wrong, so that no
 *   pointer to one is ever accepted). No merge can then exceed max_block,
 *   and two free blocks are never neighbours.
 *
 *   FLAG_CHECK is redundancy in the header word: set exactly when the
 *   lowest size bit is clear. An overflow that rewrites a header's low byte
 *   (a string's terminating NUL one past the end, say) breaks it in most
 *   cases, so a forged size is refused instead of trusted.
 */
#include "rtheap.h"

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
#define FLAG_CHECK ((size_t)4)
/* A fence's header (PREV_FREE may be added): MIN_BLOCK with the check bit
 * inverted, see rtheap_hdr(). */
#define FENCE ((size_t)MIN_BLOCK | ((size_t)(MIN_BLOCK & ALIGN) >> (ALIGN_LOG2 - 2u)))
/* Flag bits with no meaning yet (with ALIGN > 8): must be clear. */
#define FLAG_RESERVED (FLAG_BITS & ~(FLAG_FREE | FLAG_PREV_FREE | FLAG_CHECK))
#define FLAG_BITS ((size_t)(ALIGN - 1))
#define SIZE_BITS (~FLAG_BITS)
/* fl rows are limited so that bit masks like ~0u << (fl + 1) stay defined. */
#define FL_MAX 31u
/* Granule counts are scanned as uint32_t: keep them below 2^31. */
#define MAX_GRANULES ((uintptr_t)1 << 31)
/* Largest region init takes: 2^31 granules fit a 32-bit address space anyway. */
#if UINTPTR_MAX > 0xFFFFFFFFu
#define MAX_REGION_BYTES ((MAX_GRANULES - 1u) << ALIGN_LOG2)
#else
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

/* Hot paths are inlined into each public call when optimising for speed, so
 * that a plain allocation folds away the alignment logic; at -Os they stay
 * shared. */
#if defined(__OPTIMIZE_SIZE__) || !defined(__OPTIMIZE__)
#define RTHEAP_HOT
#else
#define RTHEAP_HOT __attribute__((always_inline))
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
    uintptr_t magic;       /* HEAP_MAGIC ^ address of the heap */
    uint32_t fl_bitmap;    /* bit fl set: row fl has a non-empty list */
    uint32_t fl_count;     /* rows in the index */
    size_t max_block;      /* largest block (T) the index can hold */
    block_t **heads;       /* fl_count * SL_COUNT list heads, after sl_bitmap */
    rtheap_error_hook_t hook;
    void *hook_user;
    uint32_t region_count;
    uint32_t error_count;
    uintptr_t lo;   /* lowest block header of all regions */
    uintptr_t span; /* highest sentinel - lo: free-list links must point inside */
    region_t regions[RTHEAP_MAX_REGIONS];
    size_t heap_bytes;  /* bytes handed to init/add_region */
    size_t arena_bytes; /* bytes in blocks */
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
    uint32_t sl_bitmap[]; /* fl_count words, then the heads */
};

_Static_assert((RTHEAP_ALIGNMENT & (RTHEAP_ALIGNMENT - 1)) == 0, "alignment is a power of two");
_Static_assert(RTHEAP_ALIGNMENT >= 2 * sizeof(void *), "alignment holds two words");
_Static_assert(sizeof(size_t) == sizeof(void *), "size_t and pointers have one width");
_Static_assert(sizeof(rtheap_error_t) == sizeof(int), "rtheap_error_t is int-sized everywhere");
_Static_assert(sizeof(block_t) == 3 * sizeof(size_t), "block_t is three words");
_Static_assert(sizeof(struct rtheap) % sizeof(void *) == 0, "heads stay pointer-aligned");
_Static_assert(SL_COUNT <= 32, "second-level bitmap is one uint32_t");
_Static_assert(MIN_BLOCK >= 4 * sizeof(size_t) && MIN_BLOCK % RTHEAP_ALIGNMENT == 0,
               "minimum block holds header, links and footer");

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
 * Class (fl * SL_COUNT + sl) of a block of g granules, 0 < g < 2^31.
 * Row 0 holds sizes 0..SL_COUNT-1 one per list; row fl > 0 splits
 * [2^(fl+SL_LOG2-1), 2^(fl+SL_LOG2)) into SL_COUNT equal lists. Classes are
 * numbered in size order, so class + 1 is the next larger one.
 * Branch-free: with s = rtheap_sl_shift(g), g >> s is SL_COUNT + sl on
 * rows above 0, which makes (s << SL_LOG2) + (g >> s) = fl * SL_COUNT + sl.
 */
RTHEAP_PRIVATE uint32_t rtheap_class_of(uint32_t g)
{
    uint32_t s = rtheap_sl_shift(g);
    return (s << RTHEAP_SL_LOG2) + (g >> s);
}

/**
 * The smallest class all of whose blocks have at least g granules: g's own
 * class if g is that class's smallest size, else the next one.
 */
RTHEAP_PRIVATE uint32_t rtheap_class_up(uint32_t g)
{
    uint32_t s = rtheap_sl_shift(g);
    uint32_t inexact = (g & ((1u << s) - 1u)) != 0;
    return (s << RTHEAP_SL_LOG2) + (g >> s) + inexact;
}

/** Smallest granule count of class c (inverse of rtheap_class_of). */
RTHEAP_PRIVATE uint32_t rtheap_class_min(uint32_t c)
{
    uint32_t fl = c / SL_COUNT;
    uint32_t sl = c % SL_COUNT;
    if (fl == 0) {
        return sl;
    }
    return (SL_COUNT + sl) << (fl - 1u);
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
    uint32_t bits = rows + RTHEAP_SL_LOG2 - 1u;
    if (bits > 31u) {
        bits = 31u; /* MAX_GRANULES bounds it below anyway */
    }
    uintptr_t max_g = ((uintptr_t)1 << bits) - 1u;
    if (max_g >= MAX_GRANULES) {
        max_g = MAX_GRANULES - 1u;
    }
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
/* Block access                                                              */
/* ------------------------------------------------------------------------ */

RTHEAP_PRIVATE block_t *rtheap_block_at(uintptr_t addr)
{
    return (block_t *)addr;
}

RTHEAP_PRIVATE uintptr_t rtheap_addr(const block_t *b)
{
    return (uintptr_t)b;
}

RTHEAP_PRIVATE uintptr_t rtheap_size(const block_t *b)
{
    return b->header & SIZE_BITS;
}

RTHEAP_PRIVATE bool rtheap_is_free(const block_t *b)
{
    return (b->header & FLAG_FREE) != 0;
}

/** Header word for a block of t bytes with flags (FREE, PREV_FREE). */
RTHEAP_PRIVATE size_t rtheap_hdr(uintptr_t t, size_t flags)
{
    return (size_t)t | flags | (size_t)(((t & ALIGN) ^ ALIGN) >> (ALIGN_LOG2 - 2u));
}

/** True if a header word is a fence's, whatever its PREV_FREE flag. */
RTHEAP_PRIVATE bool rtheap_is_fence(size_t header)
{
    return (header & ~FLAG_PREV_FREE) == FENCE;
}

/** True if the header's check bit agrees with its size. */
RTHEAP_PRIVATE bool rtheap_check_bit_ok(size_t header)
{
    return ((header ^ (header >> (ALIGN_LOG2 - 2u))) & FLAG_CHECK) != 0;
}

RTHEAP_PRIVATE bool rtheap_prev_is_free(const block_t *b)
{
    return (b->header & FLAG_PREV_FREE) != 0;
}

RTHEAP_PRIVATE block_t *rtheap_next(const block_t *b)
{
    return rtheap_block_at(rtheap_addr(b) + rtheap_size(b));
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

RTHEAP_PRIVATE void rtheap_set_prev_free(block_t *b, bool prev_free)
{
    b->header = (b->header & ~FLAG_PREV_FREE) | (prev_free ? FLAG_PREV_FREE : 0u);
}

RTHEAP_PRIVATE block_t **rtheap_heads(rtheap_t *heap)
{
    return heap->heads;
}

RTHEAP_PRIVATE uint32_t rtheap_granules(uintptr_t t)
{
    return (uint32_t)(t >> ALIGN_LOG2);
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
/* Free lists                                                                */
/* ------------------------------------------------------------------------ */

RTHEAP_PRIVATE void rtheap_list_insert(rtheap_t *heap, block_t *b)
{
    uint32_t c = rtheap_class_of(rtheap_granules(rtheap_size(b)));
    block_t **head = &rtheap_heads(heap)[c];
    block_t *old = *head;
    b->next_free = old;
    b->prev_free = NULL;
    if (old != NULL) {
        old->prev_free = b;
    }
    *head = b;
    uint32_t fl = c / SL_COUNT;
    heap->sl_bitmap[fl] |= 1u << (c % SL_COUNT);
    heap->fl_bitmap |= 1u << fl;
}

/**
 * Inserts b second in its list, behind the head, or as the head of an empty
 * list. Regions added later go in this way, so that blocks already in the
 * lists, the first region's above all (usually the fastest RAM), are used
 * before a new region of the same size class.
 */
RTHEAP_PRIVATE void rtheap_list_insert_behind(rtheap_t *heap, block_t *b)
{
    uint32_t c = rtheap_class_of(rtheap_granules(rtheap_size(b)));
    block_t *head = rtheap_heads(heap)[c];
    if (head == NULL) {
        rtheap_list_insert(heap, b);
        return;
    }
    b->prev_free = head;
    b->next_free = head->next_free;
    if (head->next_free != NULL) {
        head->next_free->prev_free = b;
    }
    head->next_free = b;
}

/** Region whose blocks contain header address h, or NULL. */
RTHEAP_PRIVATE const region_t *rtheap_region_of(const rtheap_t *heap, uintptr_t h)
{
    for (uint32_t i = 0; i < heap->region_count; i++) {
        const region_t *r = &heap->regions[i];
        if (h >= r->first && h < r->sentinel) {
            return r;
        }
    }
    return NULL;
}

/**
 * True if a free-list link read from heap memory may be followed: a block
 * header address (aligned like one) inside a region. Use after free can
 * overwrite links, and an overflow can forge a free block whose "links" are
 * user data: they are checked before they are read through.
 */
RTHEAP_PRIVATE bool rtheap_link_target_ok(const rtheap_t *heap, const block_t *x)
{
    uintptr_t h = rtheap_addr(x);
    if (h - heap->lo >= heap->span || ((h + WORD) & (ALIGN - 1u)) != 0) {
        return false;
    }
    return heap->region_count == 1 || rtheap_region_of(heap, h) != NULL;
}

/** True if b's links agree with its neighbours in the list (O(1)). */
RTHEAP_PRIVATE bool rtheap_links_ok(rtheap_t *heap, const block_t *b, uint32_t c)
{
#if RTHEAP_CHECKS
    const block_t *prev = b->prev_free;
    const block_t *next = b->next_free;
    if (prev != NULL) {
        if (!rtheap_link_target_ok(heap, prev) || prev->next_free != b) {
            return false;
        }
    } else if (rtheap_heads(heap)[c] != b) {
        return false;
    }
    return next == NULL || (rtheap_link_target_ok(heap, next) && next->prev_free == b);
#else
    (void)heap, (void)b, (void)c;
    return true;
#endif
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

RTHEAP_PRIVATE void rtheap_list_remove(rtheap_t *heap, block_t *b, uint32_t c)
{
    block_t *prev = b->prev_free;
    block_t *next = b->next_free;
    if (next != NULL) {
        next->prev_free = prev;
    }
    if (prev != NULL) {
        prev->next_free = next;
    } else {
        rtheap_heads(heap)[c] = next;
        if (next == NULL) {
            rtheap_list_emptied(heap, c);
        }
    }
}

/** Removes a free block found through a physical neighbour, checking it. */
RTHEAP_PRIVATE bool rtheap_unlink_checked(rtheap_t *heap, block_t *b)
{
    uint32_t c = rtheap_class_of(rtheap_granules(rtheap_size(b)));
    if (!rtheap_links_ok(heap, b, c)) {
        return false;
    }
    rtheap_list_remove(heap, b, c);
    return true;
}

/* ------------------------------------------------------------------------ */
/* Regions and pointer validation                                            */
/* ------------------------------------------------------------------------ */

/** Plausible header of a (non-sentinel) block at h inside region r. */
RTHEAP_PRIVATE bool rtheap_header_plausible(const rtheap_t *heap, const region_t *r, uintptr_t h)
{
    const block_t *b = rtheap_block_at(h);
    uintptr_t t = rtheap_size(b);
    if ((b->header & FLAG_RESERVED) != 0 || !rtheap_check_bit_ok(b->header)) {
        return false;
    }
    return t >= MIN_BLOCK && t <= heap->max_block && t <= r->sentinel - h;
}

/**
 * Why the block at header address h (inside region r) is not a plausible
 * live block; called only once the fast checks below have failed, so that
 * the error path costs the hot path nothing.
 */
#if RTHEAP_CHECKS
static rtheap_error_t rtheap_diagnose(const rtheap_t *heap, const region_t *r, uintptr_t h)
{
    const block_t *b = rtheap_block_at(h);
    if (!rtheap_header_plausible(heap, r, h)) {
        return RTHEAP_ERR_BAD_HEADER;
    }
    if (rtheap_is_free(b)) {
        /* A block freed earlier: the block after it says "previous free",
         * or, when the two were merged, is itself a stale free header. A
         * free bit on a block followed by a used one that says "previous
         * used" is an overwritten header. */
        const block_t *n = rtheap_next(b);
        return (rtheap_prev_is_free(n) || rtheap_is_free(n)) ? RTHEAP_ERR_DOUBLE_FREE
                                                            : RTHEAP_ERR_BAD_HEADER;
    }
    return RTHEAP_ERR_BAD_NEIGHBOUR;
}
#endif

/**
 * O(1) validation of a pointer handed in as a live block: inside a region,
 * aligned, a plausible used header, a next block that agrees it follows a
 * used block (and is the sentinel or plausible itself) and, when the header
 * says the previous block is free, a footer leading to a free block that
 * ends exactly here. Returns RTHEAP_OK or the error to report.
 */
RTHEAP_PRIVATE rtheap_error_t rtheap_validate_used(const rtheap_t *heap, const void *ptr)
{
#if RTHEAP_CHECKS
    uintptr_t h = (uintptr_t)ptr - WORD;
    const region_t *r = rtheap_region_of(heap, h);
    if (r == NULL) {
        return RTHEAP_ERR_FOREIGN_POINTER;
    }
    if (((uintptr_t)ptr & (ALIGN - 1u)) != 0) {
        return RTHEAP_ERR_MISALIGNED;
    }
    size_t header = rtheap_block_at(h)->header;
    uintptr_t t = header & SIZE_BITS;
    uintptr_t room = r->sentinel - h;
    /* FREE and reserved bits clear, check bit right, size within the region. */
    if ((header & (FLAG_FREE | FLAG_RESERVED)) != 0 || !rtheap_check_bit_ok(header) ||
        t < MIN_BLOCK || t > room) {
        return rtheap_diagnose(heap, r, h);
    }
    size_t next = rtheap_block_at(h + t)->header;
    uintptr_t tn = next & SIZE_BITS;
    /* Next: says "previous used", no reserved bits, check bit right, and
     * fits the region (or is the sentinel). */
    if ((next & (FLAG_PREV_FREE | FLAG_RESERVED)) != 0 ||
        (!rtheap_check_bit_ok(next) && !rtheap_is_fence(next)) ||
        (t != room && (tn < MIN_BLOCK || tn > room - t))) {
        return RTHEAP_ERR_BAD_NEIGHBOUR;
    }
    if (t != room) {
        /* The block after next must agree with next's FREE bit (an overflow
         * that sets or clears it is caught here), and a free next block's
         * footer must point back at it before anything trusts its links. */
        uintptr_t nn = h + t + tn;
        bool next_free = (next & FLAG_FREE) != 0;
        if (rtheap_prev_is_free(rtheap_block_at(nn)) != next_free ||
            (next_free && rtheap_addr(*rtheap_footer(nn)) != h + t)) {
            return RTHEAP_ERR_BAD_NEIGHBOUR;
        }
    }
    if ((header & FLAG_PREV_FREE) != 0) {
        /* ph + size == h also makes ph aligned like h and below it. */
        uintptr_t ph = rtheap_addr(*rtheap_footer(h));
        if (ph < r->first || ph >= h || !rtheap_is_free(rtheap_block_at(ph)) ||
            rtheap_size(rtheap_block_at(ph)) != h - ph) {
            return RTHEAP_ERR_BAD_NEIGHBOUR;
        }
    }
#else
    (void)heap, (void)ptr;
#endif
    return RTHEAP_OK;
}

/** Validates and reports; returns the block or NULL. */
RTHEAP_PRIVATE block_t *rtheap_lookup(rtheap_t *heap, const void *ptr)
{
    rtheap_error_t e = rtheap_validate_used(heap, ptr);
    if (e != RTHEAP_OK) {
        rtheap_report(heap, e, ptr);
        return NULL;
    }
    return rtheap_block_of(ptr);
}

/* ------------------------------------------------------------------------ */
/* Release: turn a block (not in any list) into a free block, coalescing     */
/* ------------------------------------------------------------------------ */

/**
 * b is a block not in any list, with a valid header (size and PREV_FREE).
 * Merges it with free neighbours (regions never outgrow max_block, so the
 * result fits the index),
 * inserts the result and updates the next block's PREV_FREE flag.
 * Returns false, changing nothing, if a neighbour's list links are damaged.
 */
RTHEAP_PRIVATE bool rtheap_release(rtheap_t *heap, block_t *b)
{
    uintptr_t t = rtheap_size(b);
    block_t *n = rtheap_next(b);
    block_t *p = NULL;
    uintptr_t tn = 0;
    uintptr_t tp = 0;
    uint32_t cn = 0;
    uint32_t cp = 0;
    /* Check both neighbours before touching either. */
    if (rtheap_is_free(n)) {
        tn = rtheap_size(n);
        cn = rtheap_class_of(rtheap_granules(tn));
        if (!rtheap_links_ok(heap, n, cn)) {
            return false;
        }
    }
    if (rtheap_prev_is_free(b)) {
        p = *rtheap_footer(rtheap_addr(b));
        tp = rtheap_size(p);
        cp = rtheap_class_of(rtheap_granules(tp));
        if (!rtheap_links_ok(heap, p, cp)) {
            return false;
        }
    }
    rtheap_poison(rtheap_addr(b) + WORD, t - WORD);
    size_t flags = b->header & FLAG_PREV_FREE;
    if (tn != 0) {
        rtheap_list_remove(heap, n, cn);
        rtheap_poison(rtheap_addr(n), 3 * WORD);
        t += tn;
    }
    if (tp != 0) {
        rtheap_list_remove(heap, p, cp);
        rtheap_poison(rtheap_addr(b) - WORD, 2 * WORD);
        flags = p->header & FLAG_PREV_FREE;
        b = p;
        t += tp;
    }
    b->header = rtheap_hdr(t, flags | FLAG_FREE);
    uintptr_t next = rtheap_addr(b) + t;
    *rtheap_footer(next) = b;
    rtheap_block_at(next)->header |= FLAG_PREV_FREE;
    rtheap_list_insert(heap, b);
    return true;
}

/**
 * Cuts used block b down to `t` bytes when the tail is large enough to be a
 * block, releasing the tail (which may merge with a free next block). b
 * keeps its flags. Returns false, b left whole, if that next block's list
 * links are damaged.
 */
RTHEAP_PRIVATE bool rtheap_trim(rtheap_t *heap, block_t *b, uintptr_t t)
{
    uintptr_t total = rtheap_size(b);
    if (total - t < MIN_BLOCK) {
        return true;
    }
    size_t header = b->header;
    block_t *tail = rtheap_block_at(rtheap_addr(b) + t);
    size_t overwritten = tail->header; /* the caller's data, until this succeeds */
    b->header = rtheap_hdr(t, header & (FLAG_FREE | FLAG_PREV_FREE));
    tail->header = rtheap_hdr(total - t, 0); /* previous (b) is used */
    if (!rtheap_release(heap, tail)) {
        tail->header = overwritten;
        b->header = header;
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------------ */
/* Allocation                                                                */
/* ------------------------------------------------------------------------ */

/**
 * A free block of at least t bytes (t <= max_block), left in its list, or
 * NULL; *cls gets its class. Good fit: the rounded class guarantees any block
 * found is large enough; if that finds nothing, the first block of t's own
 * class is tried (it often fits, and it makes a request of exactly the
 * largest free block succeed).
 */
RTHEAP_PRIVATE RTHEAP_HOT block_t *rtheap_find(rtheap_t *heap, uintptr_t t, uint32_t *cls)
{
    uint32_t g = rtheap_granules(t);
    uint32_t c = rtheap_class_up(g);
    uint32_t fl = c / SL_COUNT;
    if (fl < heap->fl_count) {
        uint32_t sl_bits = heap->sl_bitmap[fl] & (~0u << (c % SL_COUNT));
        if (sl_bits == 0) {
            uint32_t fl_bits = heap->fl_bitmap & (~0u << (fl + 1u));
            if (fl_bits != 0) {
                fl = rtheap_ffs(fl_bits);
                sl_bits = heap->sl_bitmap[fl];
            }
        }
        if (sl_bits != 0) {
            c = fl * SL_COUNT + rtheap_ffs(sl_bits);
            *cls = c;
            return rtheap_heads(heap)[c];
        }
    }
    /* Nothing in a class that guarantees a fit: a bounded first fit in the
     * request's own class, whose blocks may or may not be large enough. */
    c = rtheap_class_of(g);
    *cls = c;
    block_t *b = rtheap_heads(heap)[c];
    for (uint32_t n = 0; b != NULL && n < RTHEAP_FIT_SCAN; n++) {
        if (rtheap_size(b) >= t) {
            return b;
        }
        b = b->next_free;
#if RTHEAP_CHECKS
        if (b != NULL && !rtheap_link_target_ok(heap, b)) {
            return NULL; /* damaged link: rtheap_check() reports it */
        }
#endif
    }
    return NULL;
}

/**
 * Takes free block b, the head of list c, out of its list. It stays marked
 * free until rtheap_carve() cuts the allocation from it.
 */
RTHEAP_PRIVATE RTHEAP_HOT bool rtheap_take(rtheap_t *heap, block_t *b, uint32_t c, uintptr_t t)
{
#if RTHEAP_CHECKS
    /* A write after free can forge this block's size or links: before
     * carving, the block must be free, linked from its list, at least t
     * bytes, end inside its region and have a footer pointing back at it. */
    uintptr_t h = rtheap_addr(b);
    uintptr_t size = rtheap_size(b);
    bool inside;
    if (heap->region_count == 1) {
        inside = size <= heap->span - (h - heap->lo);
    } else {
        const region_t *r = rtheap_region_of(heap, h);
        inside = r != NULL && size <= r->sentinel - h;
    }
    if (!rtheap_is_free(b) || size < t || !inside || *rtheap_footer(h + size) != b ||
        !rtheap_links_ok(heap, b, c)) {
        rtheap_report(heap, RTHEAP_ERR_BAD_FREE_LIST, rtheap_payload(b));
        return false;
    }
#else
    (void)t;
#endif
    block_t *next = b->next_free;
    if (b->prev_free != NULL) {
        rtheap_list_remove(heap, b, c); /* found deeper by the bounded first fit */
        return true;
    }
    /* The head: the common case, without list_remove's test of prev. */
    rtheap_heads(heap)[c] = next;
    if (next != NULL) {
        next->prev_free = NULL;
    } else {
        rtheap_list_emptied(heap, c);
    }
    return true;
}

/**
 * b is a free block out of any list. Marks its first t bytes used and turns
 * the rest, when it is large enough, into a free block.
 */
RTHEAP_PRIVATE RTHEAP_HOT void rtheap_carve(rtheap_t *heap, block_t *b, uintptr_t t)
{
    uintptr_t total = rtheap_size(b);
    block_t *n = rtheap_block_at(rtheap_addr(b) + total);
    if (total - t < MIN_BLOCK) {
        b->header &= ~FLAG_FREE;
        n->header &= ~FLAG_PREV_FREE;
        return;
    }
    /* n is used (free blocks are never neighbours): it already says
     * "previous free" and the footer slot is the old one, so only the tail's
     * own fields are new. */
    b->header = rtheap_hdr(t, b->header & FLAG_PREV_FREE);
    block_t *tail = rtheap_block_at(rtheap_addr(b) + t);
    tail->header = rtheap_hdr(total - t, FLAG_FREE);
    *rtheap_footer(rtheap_addr(n)) = tail;
    rtheap_list_insert(heap, tail);
}

RTHEAP_PRIVATE void rtheap_count_alloc(rtheap_t *heap, const block_t *b)
{
#if RTHEAP_STATS
    heap->used_total += rtheap_size(b);
    heap->alloc_count++;
    if (heap->used_total > heap->peak_total) {
        heap->peak_total = heap->used_total;
    }
#else
    (void)heap, (void)b;
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
 * Bytes to skip at the start of free block b so that the payload is aligned
 * to `align`: 0, or a gap large enough to become a free block itself.
 */
RTHEAP_PRIVATE uintptr_t rtheap_align_gap(const block_t *b, uintptr_t align)
{
    /* Modular arithmetic: no overflow even for payloads near the top of
     * the address space (a gap that runs past it simply will not fit). */
    uintptr_t gap = (0u - (uintptr_t)rtheap_payload(b)) & (align - 1u);
    if (gap != 0 && gap < MIN_BLOCK) {
        gap += align; /* gap and align are multiples of ALIGN: stays aligned */
    }
    return gap;
}

/** True if t bytes fit in free block b after skipping gap bytes. */
RTHEAP_PRIVATE bool rtheap_fits_after(const block_t *b, uintptr_t gap, uintptr_t t)
{
    uintptr_t size = rtheap_size(b);
    return gap <= size && size - gap >= t;
}

/**
 * Allocation with any power-of-two alignment (ALIGN for a plain request).
 * One search finds a block of the plain size; an over-aligned request that
 * it cannot place is searched again with room for any alignment gap.
 */
RTHEAP_PRIVATE RTHEAP_HOT void *rtheap_alloc_aligned_unlocked(rtheap_t *heap, size_t size,
                                                               uintptr_t align)
{
    uintptr_t t = rtheap_block_size_for(size);
    block_t *b = NULL;
    uintptr_t gap = 0;
    uint32_t c = 0;
    if (t != 0 && t <= heap->max_block) {
        b = rtheap_find(heap, t, &c);
        if (align > ALIGN) {
            /* The plain-size block may happen to be placed well. */
            if (b != NULL) {
                gap = rtheap_align_gap(b, align);
                if (!rtheap_fits_after(b, gap, t)) {
                    b = NULL;
                }
            }
            /* Else one large enough for any placement: the worst gap is
             * MIN_BLOCK + align - ALIGN. */
            if (b == NULL && t + MIN_BLOCK <= heap->max_block &&
                align - ALIGN <= heap->max_block - t - MIN_BLOCK) {
                b = rtheap_find(heap, t + MIN_BLOCK + align - ALIGN, &c);
                if (b != NULL) {
                    gap = rtheap_align_gap(b, align);
                    if (!rtheap_fits_after(b, gap, t)) {
                        b = NULL; /* cannot happen: the padding covers any gap */
                    }
                }
            }
        }
    }
    if (b == NULL || !rtheap_take(heap, b, c, gap + t)) {
        rtheap_count_failed(heap);
        return NULL;
    }
    if (gap != 0) {
        /* The leading gap becomes a free block of its own: carve from the
         * aligned part first (so that the gap cannot merge into it), then
         * release the gap, which may merge backwards. */
        block_t *lead = b;
        b = rtheap_block_at(rtheap_addr(lead) + gap);
        b->header = rtheap_hdr(rtheap_size(lead) - gap, FLAG_FREE | FLAG_PREV_FREE);
        lead->header = rtheap_hdr(gap, lead->header & FLAG_PREV_FREE);
        rtheap_carve(heap, b, t);
        if (!rtheap_release(heap, lead)) {
            rtheap_report(heap, RTHEAP_ERR_BAD_FREE_LIST, rtheap_payload(lead));
        }
    } else {
        rtheap_carve(heap, b, t);
    }
    rtheap_count_alloc(heap, b);
    return rtheap_payload(b);
}

RTHEAP_PRIVATE void *rtheap_alloc_unlocked(rtheap_t *heap, size_t size)
{
    return rtheap_alloc_aligned_unlocked(heap, size, ALIGN);
}

/* ------------------------------------------------------------------------ */
/* Free, resize                                                              */
/* ------------------------------------------------------------------------ */

/** Frees a validated used block; false (reported, b untouched) if a neighbour is damaged. */
RTHEAP_PRIVATE bool rtheap_free_block(rtheap_t *heap, block_t *b)
{
    uintptr_t t = rtheap_size(b);
    b->header |= FLAG_FREE;
    if (!rtheap_release(heap, b)) {
        b->header &= ~FLAG_FREE;
        rtheap_report(heap, RTHEAP_ERR_BAD_FREE_LIST, rtheap_payload(b));
        return false;
    }
    rtheap_count_free(heap, t);
    return true;
}

typedef enum resize_result { RESIZE_DONE, RESIZE_NO_ROOM, RESIZE_DAMAGED } resize_result_t;

/**
 * Resizes used block b in place to block size t. RESIZE_NO_ROOM (b
 * untouched) if it would have to move; RESIZE_DAMAGED (reported, b
 * untouched) if the free neighbour it would grow into or give its tail to
 * has damaged list links: the caller must not go on to move it either.
 */
RTHEAP_PRIVATE resize_result_t rtheap_resize_block(rtheap_t *heap, block_t *b, uintptr_t t)
{
    uintptr_t old = rtheap_size(b);
    if (t > old) {
        block_t *n = rtheap_next(b);
        uintptr_t joined = old + rtheap_size(n);
        if (!rtheap_is_free(n) || joined < t) {
            return RESIZE_NO_ROOM;
        }
        if (!rtheap_unlink_checked(heap, n)) {
            rtheap_report(heap, RTHEAP_ERR_BAD_FREE_LIST, rtheap_payload(n));
            return RESIZE_DAMAGED;
        }
        b->header = rtheap_hdr(joined, b->header & FLAG_PREV_FREE);
        rtheap_set_prev_free(rtheap_next(b), false);
    }
    if (!rtheap_trim(heap, b, t)) {
        rtheap_report(heap, RTHEAP_ERR_BAD_FREE_LIST, rtheap_payload(b));
        return RESIZE_DAMAGED; /* only when shrinking: growing took n out first */
    }
#if RTHEAP_STATS
    heap->used_total = heap->used_total - old + rtheap_size(b);
    if (heap->used_total > heap->peak_total) {
        heap->peak_total = heap->used_total;
    }
    heap->realloc_count++;
#endif
    return RESIZE_DONE;
}

RTHEAP_PRIVATE void *rtheap_move(rtheap_t *heap, block_t *b, size_t size, uintptr_t align)
{
    void *fresh = rtheap_alloc_aligned_unlocked(heap, size, align);
    if (fresh == NULL) {
        return NULL;
    }
    uintptr_t keep = rtheap_size(b) - WORD;
    uintptr_t room = rtheap_size(rtheap_block_of(fresh)) - WORD;
    rtheap_copy_words((uintptr_t)fresh, (uintptr_t)rtheap_payload(b), keep < room ? keep : room);
    if (!rtheap_free_block(heap, b)) {
        /* The old block cannot be freed (damaged neighbour, reported): fail
         * as a whole rather than hand out a copy and leak the original. */
        (void)rtheap_free_block(heap, rtheap_block_of(fresh));
        return NULL;
    }
#if RTHEAP_STATS
    heap->realloc_count++;
#endif
    return fresh;
}

RTHEAP_PRIVATE void *rtheap_realloc_unlocked(rtheap_t *heap, void *ptr, size_t size,
                                             uintptr_t align)
{
    if (ptr == NULL) {
        return rtheap_alloc_aligned_unlocked(heap, size, align);
    }
    block_t *b = rtheap_lookup(heap, ptr);
    if (b == NULL) {
        return NULL;
    }
    uintptr_t t = rtheap_block_size_for(size);
    if (t == 0 || t > heap->max_block) {
        rtheap_count_failed(heap);
        return NULL;
    }
    if (((uintptr_t)ptr & (align - 1u)) == 0) {
        resize_result_t r = rtheap_resize_block(heap, b, t);
        if (r != RESIZE_NO_ROOM) {
            return r == RESIZE_DONE ? ptr : NULL;
        }
    }
    return rtheap_move(heap, b, size, align);
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

size_t rtheap_control_size(size_t bytes)
{
    /* Worst-case padding: start alignment plus the first header's offset. */
    return (size_t)(rtheap_control_bytes(rtheap_index_rows(bytes)) + 2u * ALIGN);
}

/** Header address of the first block and of the sentinel for [lo, hi). */
RTHEAP_PRIVATE bool rtheap_carve_bounds(uintptr_t lo, uintptr_t hi, uintptr_t *first,
                                        uintptr_t *sentinel)
{
    if (hi - lo < MIN_BLOCK + 2u * ALIGN) {
        return false;
    }
    *first = ((lo + WORD + ALIGN - 1u) & ~(ALIGN - 1u)) - WORD;
    *sentinel = (hi & ~(ALIGN - 1u)) - WORD;
    return *sentinel >= *first + MIN_BLOCK;
}

/** Makes [pos, pos + t) a free block, in its list, after a used block. */
RTHEAP_PRIVATE void rtheap_add_free_block(rtheap_t *heap, uintptr_t pos, uintptr_t t)
{
    block_t *b = rtheap_block_at(pos);
    b->header = rtheap_hdr(t, FLAG_FREE);
    rtheap_poison(pos + WORD, t - WORD);
    *rtheap_footer(pos + t) = b;
    rtheap_list_insert_behind(heap, b);
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
        rtheap_block_at(pos + t)->header = FENCE | FLAG_PREV_FREE;
        pos += t + MIN_BLOCK;
    }
    rtheap_add_free_block(heap, pos, sentinel - pos);
    rtheap_block_at(sentinel)->header = rtheap_hdr(0, FLAG_PREV_FREE);
}

rtheap_t *rtheap_init_for(void *mem, size_t bytes, size_t largest_region)
{
    if (mem == NULL) {
        return NULL;
    }
    uintptr_t lo = (uintptr_t)mem;
    uintptr_t hi = lo + bytes;
    if (hi < lo) {
        hi = UINTPTR_MAX;
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
    if (control_end >= hi || !rtheap_carve_bounds(control_end, hi, &first, &sentinel)) {
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

bool rtheap_add_region(rtheap_t *heap, void *mem, size_t bytes)
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
    if (heap == NULL) {
        return NULL;
    }
    LOCK(heap);
    void *p = NULL;
    if (!rtheap_is_pow2(align)) {
        rtheap_report(heap, RTHEAP_ERR_BAD_ARGUMENT, NULL);
    } else {
        p = rtheap_alloc_aligned_unlocked(heap, size, align);
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
        p = rtheap_alloc_unlocked(heap, bytes);
        if (p != NULL) {
            rtheap_fill_words((uintptr_t)p, 0, rtheap_size(rtheap_block_of(p)) - WORD);
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
    block_t *b = rtheap_lookup(heap, ptr);
    uintptr_t t = rtheap_block_size_for(size);
    if (b != NULL && t != 0 && t <= heap->max_block &&
        rtheap_resize_block(heap, b, t) == RESIZE_DONE) {
        usable = (size_t)(rtheap_size(b) - WORD);
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
    block_t *b = rtheap_lookup(heap, ptr);
    if (b != NULL) {
        (void)rtheap_free_block(heap, b);
    }
    AFTER_CHANGE(heap);
    UNLOCK(heap);
}

size_t rtheap_usable_size(rtheap_t *heap, const void *ptr)
{
    if (heap == NULL || ptr == NULL) {
        return 0;
    }
    LOCK(heap);
    const block_t *b = rtheap_lookup(heap, ptr);
    size_t usable = b != NULL ? (size_t)(rtheap_size(b) - WORD) : 0u;
    UNLOCK(heap);
    return usable;
}

size_t rtheap_request_usable_size(size_t size, size_t align)
{
    uintptr_t t = rtheap_block_size_for(size);
    if (t == 0 || !rtheap_is_pow2(align) || align > ((uintptr_t)1 << (sizeof(size_t) * 8 - 2))) {
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

/** Usable bytes of the largest request rtheap_alloc() cannot fail on now. */
RTHEAP_PRIVATE size_t rtheap_largest_guaranteed(rtheap_t *heap)
{
    if (heap->fl_bitmap == 0) {
        return 0;
    }
    uint32_t fl = rtheap_fls(heap->fl_bitmap);
    uint32_t sl = rtheap_fls(heap->sl_bitmap[fl]);
    /* Any request up to the head block of the top class is found: by the
     * rounded search when its rounded class is not above the top class,
     * else by the check of its own class's head (see rtheap_find). */
    const block_t *b = rtheap_heads(heap)[fl * SL_COUNT + sl];
    return (size_t)(rtheap_size(b) - WORD);
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
    s->quarantine_count = 0;
    s->quarantined_bytes = 0;
#if RTHEAP_STATS
    s->used_bytes_with_overhead = heap->used_total;
    size_t live = (size_t)(uint32_t)(heap->alloc_count - heap->free_count);
    s->used_bytes = heap->used_total - live * WORD;
    s->free_bytes = heap->arena_bytes - heap->used_total;
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
    uintptr_t bytes; /* in blocks, fences excluded */
    uintptr_t fence_bytes;
    uintptr_t used_bytes;
    uintptr_t used_blocks;
    uintptr_t free_blocks;
} chain_totals_t;

#if RTHEAP_POISON
RTHEAP_PRIVATE bool rtheap_poison_intact(const block_t *b)
{
    const size_t *w = (const size_t *)(rtheap_addr(b) + 3u * WORD);
    const size_t *end = (const size_t *)(rtheap_addr(b) + rtheap_size(b) - WORD);
    for (; w < end; w++) {
        if (*w != POISON_WORD) {
            return false;
        }
    }
    return true;
}
#endif

/** Walks one region's physical chain, checking every block. */
RTHEAP_PRIVATE rtheap_error_t rtheap_check_region(rtheap_t *heap, const region_t *r,
                                                  chain_totals_t *totals)
{
    uintptr_t h = r->first;
    bool prev_free = false;
    while (h != r->sentinel) {
        const block_t *b = rtheap_block_at(h);
        if (h > r->sentinel || rtheap_prev_is_free(b) != prev_free) {
            return RTHEAP_ERR_CHAIN;
        }
        if (rtheap_is_fence(b->header) && MIN_BLOCK < r->sentinel - h) {
            totals->fence_bytes += MIN_BLOCK;
            prev_free = false;
            h += MIN_BLOCK;
            continue;
        }
        if (!rtheap_header_plausible(heap, r, h)) {
            return RTHEAP_ERR_CHAIN;
        }
        uintptr_t t = rtheap_size(b);
        bool free = rtheap_is_free(b);
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
    const block_t *s = rtheap_block_at(h);
    if (rtheap_size(s) != 0 || rtheap_is_free(s) || rtheap_prev_is_free(s) != prev_free ||
        !rtheap_check_bit_ok(s->header) || (s->header & FLAG_RESERVED) != 0) {
        return RTHEAP_ERR_CHAIN;
    }
    return RTHEAP_OK;
}

/** Walks every free list, checking links, classes and bitmaps. */
RTHEAP_PRIVATE rtheap_error_t rtheap_check_lists(rtheap_t *heap, uintptr_t free_blocks)
{
    uintptr_t listed = 0;
    if (heap->fl_count < FL_MAX && (heap->fl_bitmap >> heap->fl_count) != 0) {
        return RTHEAP_ERR_BITMAP;
    }
    for (uint32_t fl = 0; fl < heap->fl_count; fl++) {
        if (((heap->fl_bitmap >> fl) & 1u) != (heap->sl_bitmap[fl] != 0)) {
            return RTHEAP_ERR_BITMAP;
        }
        for (uint32_t sl = 0; sl < SL_COUNT; sl++) {
            uint32_t c = fl * SL_COUNT + sl;
            const block_t *b = rtheap_heads(heap)[c];
            if (((heap->sl_bitmap[fl] >> sl) & 1u) != (b != NULL)) {
                return RTHEAP_ERR_BITMAP;
            }
            const block_t *prev = NULL;
            for (; b != NULL; prev = b, b = b->next_free) {
                if (++listed > free_blocks) {
                    return RTHEAP_ERR_FREE_COUNT; /* also stops a cycle */
                }
                uintptr_t h = rtheap_addr(b);
                const region_t *r = rtheap_region_of(heap, h);
                if (r == NULL || ((h - r->first) & (ALIGN - 1u)) != 0 ||
                    !rtheap_header_plausible(heap, r, h) || !rtheap_is_free(b) ||
                    *rtheap_footer(h + rtheap_size(b)) != b || b->prev_free != prev) {
                    return RTHEAP_ERR_BAD_FREE_LIST;
                }
                if (rtheap_class_of(rtheap_granules(rtheap_size(b))) != c) {
                    return RTHEAP_ERR_LIST_CLASS;
                }
            }
        }
    }
    return listed == free_blocks ? RTHEAP_OK : RTHEAP_ERR_FREE_COUNT;
}

static rtheap_error_t rtheap_check_unlocked(rtheap_t *heap)
{
    if (heap->magic != (HEAP_MAGIC ^ (uintptr_t)heap) || heap->region_count == 0 ||
        heap->region_count > RTHEAP_MAX_REGIONS || heap->fl_count == 0 ||
        heap->fl_count > 32u - RTHEAP_SL_LOG2 || heap->max_block != rtheap_max_block_for(heap->fl_count)) {
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
    if (totals.bytes + totals.fence_bytes != region_bytes || totals.bytes != heap->arena_bytes) {
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
            uintptr_t t = rtheap_size(b);
            if (rtheap_is_fence(b->header)) {
                h += MIN_BLOCK; /* a fence between chunks: not a block anyone owns */
                continue;
            }
            if (!rtheap_header_plausible(heap, r, h)) {
                break; /* damaged chain: rtheap_check() says more */
            }
            rtheap_block_info_t info = {rtheap_payload(b), (size_t)(t - WORD), !rtheap_is_free(b),
                                        i};
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
