/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * \file rtheap.h
 * \brief rtheap — a real-time heap for bare-metal Arm Cortex-M.
 *
 * Two-level segregated fit (TLSF) with immediate coalescing. Every call
 * below marked O(1) runs in bounded time: no loop depends on the number or
 * the layout of blocks in the heap (the copy of a moving realloc and the
 * zeroing of calloc, linear in the size asked for, are the only exceptions).
 *
 * \par Memory
 *   A heap is one or more regions of RAM. The first region starts with the
 *   control structure, sized to that region: on Cortex-M with the default
 *   options a region loses 536 bytes to it for 4 KiB, 672 for 16 KiB, 808
 *   for 64 KiB and 1080 for 1 MiB (rtheap_control_size() gives the bound).
 *   Each block carries one header word in front of its payload, so a
 *   request of n bytes uses max(RTHEAP_MIN_BLOCK, round_up(n + 4, 8)) bytes
 *   on Cortex-M. docs/design.md describes the layout.
 *
 * \par Alignment
 *   Every pointer returned is aligned to RTHEAP_ALIGNMENT (8 on 32-bit
 *   targets, as AAPCS requires for 64-bit types; 16 on 64-bit hosts). The
 *   *_aligned calls accept any power of two. A new block is never given one
 *   above 2^(bits - 2) (2^30 on 32-bit targets): only a block at the address
 *   2^(bits - 1) could have it, so such an allocation fails as out of memory
 *   (NULL, a failed allocation counted), as rtheap_request_usable_size() says
 *   (0). A realloc keeps a block in place that already has the alignment.
 *
 * \par Concurrency
 *   Every public call runs inside RTHEAP_LOCK()/RTHEAP_UNLOCK(). On Cortex-M
 *   the default masks interrupts with PRIMASK, so every call is ISR-safe on
 *   a single core, with interrupts masked for the call only; it does not
 *   protect a heap from another core. Cores that share a heap need
 *   RTHEAP_LOCK_SPIN (Armv7-M, Armv8-M) or RTHEAP_LOCK_USER, the firmware's
 *   rtheap_user_lock_acquire() and rtheap_user_lock_release() (any core,
 *   Armv6-M included). Elsewhere the default is no lock. See
 *   rtheap_config.h and docs/multicore.md.
 *
 * \par Bad input and damage
 *   Freeing NULL is a no-op. A pointer that is outside every region,
 *   misaligned, already free, not the start of a block, or whose header or
 *   next header fails the O(1) checks is refused (the checks read headers:
 *   see rtheap_init() for a heap built in another heap's block): the heap is
 *   untouched, the error is counted and reported through the error hook
 *   (rtheap_set_error_hook(), else RTHEAP_ERROR_HOOK). Free-list links,
 *   footers and sizes are checked before they are followed, so a write after
 *   free never makes rtheap read, write or fault outside its regions; a
 *   damaged free block is reported once and taken out of service (counted
 *   in quarantine_count and quarantined_bytes) while the rest of the heap
 *   goes on serving. Running out of memory is not an error: the call returns
 *   NULL (or 0) and counts a failed allocation.
 */
#ifndef RTHEAP_H
#define RTHEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtheap_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque heap handle; it lives at the start of the first region. */
typedef struct rtheap rtheap_t;

/** Second-level lists per power-of-two size range. */
#define RTHEAP_SL_COUNT (1u << RTHEAP_SL_LOG2)
/** Smallest block: header, two free-list links and a footer, rounded up. */
#define RTHEAP_MIN_BLOCK                                                                           \
    ((4u * sizeof(size_t) + RTHEAP_ALIGNMENT - 1u) & ~(size_t)(RTHEAP_ALIGNMENT - 1u))

/** What the error hook and rtheap_check() report. */
typedef enum rtheap_error {
    RTHEAP_OK = 0, /**< no error (rtheap_check(): the heap is consistent) */
    /* Reported by free/realloc/usable_size/resize on a bad pointer. */
    RTHEAP_ERR_FOREIGN_POINTER = 1, /**< not inside any region of this heap */
    RTHEAP_ERR_MISALIGNED = 2,      /**< not aligned to RTHEAP_ALIGNMENT */
    RTHEAP_ERR_DOUBLE_FREE = 3,     /**< the block is already free */
    RTHEAP_ERR_BAD_HEADER = 4,      /**< header implausible: interior pointer or overwritten */
    RTHEAP_ERR_BAD_NEIGHBOUR = 5,   /**< a physical neighbour disagrees with the header */
    RTHEAP_ERR_BAD_FREE_LIST = 6,   /**< a free-list link is inconsistent */
    RTHEAP_ERR_BAD_ARGUMENT = 7,    /**< e.g. alignment not a power of two, region too small */
    /* Reported only by rtheap_check(). */
    RTHEAP_ERR_CHAIN = 8,        /**< physical chain broken (size runs past the region) */
    RTHEAP_ERR_ACCOUNTING = 9,   /**< block sizes do not add up to the regions */
    RTHEAP_ERR_COALESCE = 10,    /**< two free blocks are neighbours */
    RTHEAP_ERR_LIST_CLASS = 11,  /**< a free block is in the wrong list */
    RTHEAP_ERR_BITMAP = 12,      /**< bitmaps disagree with the lists */
    RTHEAP_ERR_FREE_COUNT = 13,  /**< free blocks in lists != free blocks in chains */
    RTHEAP_ERR_STATS = 14,       /**< statistics disagree with the heap */
    RTHEAP_ERR_POISON = 15,      /**< a free block was written (RTHEAP_POISON builds) */
    RTHEAP_ERR_CONTROL = 16,     /**< the control structure itself is damaged */
    /* Reported by the default heap (rtheap_default.c). */
    RTHEAP_ERR_NO_HEAP = 17,     /**< no heap: the heap symbols are missing or describe too small a region */
    /** Not an error: keeps the enum int-sized where enums are short
     * (arm-none-eabi-gcc's default), so that the C ABI is the same for every
     * caller and language. */
    RTHEAP_ERR_FORCE_INT_ = 0x7FFFFFFF
} rtheap_error_t;

/**
 * Error hook: called (inside the heap lock) with the kind of error and the
 * pointer that caused it. It must not call back into the same heap.
 */
typedef void (*rtheap_error_hook_t)(rtheap_t *heap, rtheap_error_t kind, const void *ptr,
                                    void *user);

/** Statistics; counters are maintained only when RTHEAP_STATS is 1. */
typedef struct rtheap_stats {
    /** bytes given to init/add_region, each region counted up to the most one can have
     * (on 32-bit targets with RTHEAP_SMALL and one region: 16 MiB less RTHEAP_ALIGNMENT) */
    size_t heap_bytes;
    size_t arena_bytes;         /**< bytes in blocks (heap minus control, sentinels, padding) */
    size_t used_bytes;          /**< usable payload bytes of live blocks */
    size_t used_bytes_with_overhead; /**< used_bytes plus the header word of each live block */
    size_t free_bytes;          /**< arena_bytes - used_bytes_with_overhead - quarantined_bytes */
    size_t peak_used_bytes;     /**< highest used_bytes_with_overhead seen */
    /** a plain rtheap_alloc() of up to this many bytes cannot fail now (0: none is sure to,
     * not even of 0 bytes) */
    size_t largest_guaranteed;
    size_t live_blocks;         /**< blocks allocated and not freed */
    uint32_t alloc_count;       /**< successful allocations (alloc, aligned, calloc, moving realloc) */
    uint32_t free_count;        /**< successful frees (including those of a moving realloc) */
    uint32_t realloc_count;     /**< successful reallocs and in-place resizes */
    uint32_t failed_count;      /**< allocations that returned NULL for want of memory */
    uint32_t error_count;       /**< bad input and damage reported (see rtheap_error_t) */
    uint32_t region_count;      /**< regions in the heap */
    uint32_t quarantine_count;  /**< damaged free blocks (or lists) taken out of service */
    size_t quarantined_bytes;   /**< bytes of the blocks quarantined (see "Damage") */
} rtheap_stats_t;

/** What rtheap_walk() reports for each block, in address order. */
typedef struct rtheap_block_info {
    void *ptr;       /**< payload address (what alloc returned / would return) */
    size_t size;     /**< usable payload bytes */
    bool used;       /**< true for a live block, false for a free one */
    uint32_t region; /**< index of the region (0 = the one given to init) */
} rtheap_block_info_t;

/** Walk callback; return false to stop the walk. */
typedef bool (*rtheap_walker_t)(const rtheap_block_info_t *block, void *user);

/**
 * Bytes the control structure takes for a first region of `bytes` bytes,
 * counting the worst-case alignment padding at both ends of the region and
 * in front of the first block, and the sentinel: rtheap_init() succeeds on
 * every region of at least rtheap_control_size(bytes) + RTHEAP_MIN_BLOCK
 * bytes. Never fails (any `bytes` has an answer); returns no memory, so no
 * alignment. O(1). Pure: touches no memory, so ISR-safe.
 *
 * \param bytes size of the first region in bytes
 * \return control-structure bytes, padding included
 */
size_t rtheap_control_size(size_t bytes);

/**
 * Creates a heap in [mem, mem + bytes). The control structure is placed at
 * the start and sized to the region; the rest becomes one free block (see
 * below for a region larger than a block). A region a few bytes larger than
 * an index row fewer can serve gets that row fewer and leaves those bytes
 * (at most a row's bytes and a granule) unused: a larger region never gives a smaller
 * largest block.
 * `mem` may have any alignment (it is rounded up).
 *
 * Returns the heap handle (inside the region), or NULL if mem is NULL, the
 * region wraps the address space (mem + bytes overflows), or it is too small:
 * any region of at least rtheap_control_size(bytes) + RTHEAP_MIN_BLOCK
 * bytes is large enough, at any start address. A region larger than the
 * largest block (16 MiB on 32-bit targets) is cut into chunks (larger by
 * at most a row's bytes and a granule: used up to that block), or with
 * RTHEAP_SMALL used up to that size (on 64-bit hosts a first region is used
 * up to 32 GiB). O(1) apart from clearing the index, which
 * is proportional to log2(bytes). Not ISR-safe against other calls on the
 * same memory (nothing exists yet to lock).
 *
 * A heap may be built in a block of another heap. Its blocks then carry
 * headers of the same form inside that block, which the outer heap's O(1)
 * checks cannot tell from its own: a pointer of the inner heap handed to the
 * outer one is not refused, and corrupts both. Each block goes back to the
 * heap it came from.
 *
 * \param mem start of the first region (any alignment)
 * \param bytes size of the region in bytes
 * \return the heap, or NULL
 */
rtheap_t *rtheap_init(void *mem, size_t bytes);

/**
 * rtheap_init() with an index large enough for blocks of up to
 * `largest_region` bytes, for a heap that will get a region larger than
 * the first one with rtheap_add_region() (a big PSRAM behind a small SRAM):
 * without it, such a region is cut into chunks no larger than the first
 * region, separated by fences of RTHEAP_MIN_BLOCK bytes, and no allocation
 * can be larger than a chunk. Costs one index row (a 4-byte bitmap word
 * and RTHEAP_SL_COUNT list-head pointers) per doubling beyond the first region's size. Returns as
 * rtheap_init() does (NULL on failure); largest_region <= bytes is
 * rtheap_init(). Same complexity as rtheap_init(); not ISR-safe against
 * other calls on the same memory.
 *
 * \param mem start of the first region (any alignment)
 * \param bytes size of the region in bytes
 * \param largest_region size of the largest region that will be added
 * \return the heap, or NULL
 */
rtheap_t *rtheap_init_for(void *mem, size_t bytes, size_t largest_region);

/**
 * Adds a further, non-contiguous region (second SRAM bank, CCM, PSRAM).
 * The region must not overlap any region of the heap. Blocks never span two
 * regions. A block is never larger than the largest size the index sized
 * by rtheap_init() can hold (about the size of the first region rounded up
 * to a power of two): a larger region is cut into chunks of at most that
 * size, separated by fences of RTHEAP_MIN_BLOCK bytes (see
 * rtheap_init_for() to avoid that); a region larger than that size by less
 * than an index row's bytes and a granule is used up to that size, its
 * last bytes left out.
 *
 * Returns true on success; false if heap is NULL; false (and reports
 * RTHEAP_ERR_BAD_ARGUMENT) if mem is NULL, the region is too small or wraps
 * the address space,
 * overlaps the blocks or the control structure of a region already in the heap (bytes of
 * a region that are never used, the alignment padding at either end and a
 * last few left out, may be shared), or RTHEAP_MAX_REGIONS regions
 * exist already. O(bytes / largest block): one step unless the region is
 * larger than the first. ISR-safe.
 *
 * \param heap the heap (from rtheap_init())
 * \param mem start of the new region (any alignment)
 * \param bytes size of the region in bytes
 * \return true if the region was added
 */
bool rtheap_add_region(rtheap_t *heap, void *mem, size_t bytes);

/**
 * Allocates at least `size` bytes aligned to RTHEAP_ALIGNMENT.
 * A zero size gets a unique minimum block (which must be freed).
 * Returns NULL if the memory cannot be found (counted as failed) or heap is
 * NULL. O(1). ISR-safe.
 *
 * \param heap the heap (from rtheap_init())
 * \param size bytes wanted (0: a minimum block)
 * \return the block, or NULL
 */
void *rtheap_alloc(rtheap_t *heap, size_t size);

/**
 * Allocates at least `size` bytes aligned to `align`, which must be a power
 * of two (values below RTHEAP_ALIGNMENT are raised to it). Returns NULL if
 * heap is NULL, align is not a power of two (RTHEAP_ERR_BAD_ARGUMENT is
 * reported) or memory cannot be found (counted as failed). The block can be freed, reallocated and queried
 * like any other. O(1). ISR-safe.
 *
 * \param heap the heap (from rtheap_init())
 * \param size bytes wanted
 * \param align alignment, a power of two
 * \return the block, or NULL
 */
void *rtheap_alloc_aligned(rtheap_t *heap, size_t size, size_t align);

/**
 * Allocates `count * size` bytes, zeroed, aligned to RTHEAP_ALIGNMENT.
 * Returns NULL if heap is NULL, the product overflows size_t (counted as
 * failed) or memory cannot be found.
 * O(1) + O(bytes) for the zeroing. ISR-safe (interrupts stay masked while
 * zeroing with the default lock).
 *
 * \param heap the heap (from rtheap_init())
 * \param count number of elements
 * \param size bytes per element
 * \return the zeroed block, or NULL
 */
void *rtheap_calloc(rtheap_t *heap, size_t count, size_t size);

/**
 * Changes the size of the block at `ptr` to at least `size` bytes, keeping
 * its contents up to the smaller of the two sizes; the result is aligned to
 * RTHEAP_ALIGNMENT. Shrinks in place, grows
 * in place into a free next neighbour when possible, otherwise allocates a
 * new block, copies and frees the old one.
 *   - ptr == NULL: same as rtheap_alloc(heap, size).
 *   - size == 0: the block is shrunk to the minimum block and returned
 *     (never freed: use rtheap_free).
 * Returns the (possibly moved) pointer, or NULL if heap is NULL or there is
 * no memory: the old block is then left intact. A bad ptr is refused (error hook, NULL returned,
 * nothing freed). O(1) + O(size) for the copy when moving. ISR-safe.
 *
 * \param heap the heap (from rtheap_init())
 * \param ptr a live block, or NULL
 * \param size new size in bytes
 * \return the block (possibly moved), or NULL
 */
void *rtheap_realloc(rtheap_t *heap, void *ptr, size_t size);

/**
 * rtheap_realloc() that also guarantees `align` (a power of two) for the
 * result: in place when ptr is already aligned to it, otherwise moved.
 * Returns NULL if heap is NULL, memory cannot be found (old block intact),
 * the alignment is bad (RTHEAP_ERR_BAD_ARGUMENT) or ptr is bad (refused and
 * reported, nothing freed). O(1) + O(size) for the copy. ISR-safe.
 *
 * \param heap the heap (from rtheap_init())
 * \param ptr a live block, or NULL
 * \param size new size in bytes
 * \param align alignment, a power of two
 * \return the block (possibly moved), or NULL
 */
void *rtheap_realloc_aligned(rtheap_t *heap, void *ptr, size_t size, size_t align);

/**
 * rtheap_realloc() for a caller that knows how many bytes of the block it
 * uses (`old_size`, the size it asked for, as Rust's allocator interface
 * hands it back): a move copies only min(old_size, size) bytes (rounded up
 * to a word, never more than the block holds) instead of the whole block.
 * The result is aligned to RTHEAP_ALIGNMENT. Returns NULL on failure (the
 * old block intact) or a bad pointer (reported). O(1) + O(min(old_size,
 * size)) for the copy. ISR-safe.
 *
 * \param heap the heap (from rtheap_init())
 * \param ptr a live block, or NULL
 * \param old_size bytes of the block in use (only these are kept)
 * \param size new size in bytes
 * \return the block (possibly moved), or NULL
 */
void *rtheap_realloc_sized(rtheap_t *heap, void *ptr, size_t old_size, size_t size);

/**
 * Resizes the block at `ptr` without ever moving it (so it keeps its
 * alignment): shrinks (the tail is
 * returned to the heap when it is large enough to be a block) or grows into
 * the free block that follows it.
 * Returns the new usable size (>= size) on success; 0 if the block cannot
 * be resized in place or ptr is bad (the block is then untouched). O(1).
 * ISR-safe.
 *
 * \param heap the heap (from rtheap_init())
 * \param ptr a live block
 * \param size new size in bytes
 * \return the new usable size, or 0
 */
size_t rtheap_resize_in_place(rtheap_t *heap, void *ptr, size_t size);

/**
 * Frees a block. NULL (or a NULL heap) is a no-op. A bad pointer is refused
 * and reported (see "Bad input and damage" above); the heap is untouched.
 * Returns no memory, so no alignment. O(1). ISR-safe.
 *
 * \param heap the heap (from rtheap_init())
 * \param ptr a live block, or NULL
 */
void rtheap_free(rtheap_t *heap, void *ptr);

/**
 * Usable bytes of the live block at `ptr` (>= the size asked for).
 * Returns 0 for NULL or a bad pointer (reported) or a NULL heap. Returns no
 * memory, so no alignment. O(1). ISR-safe.
 *
 * \param heap the heap (from rtheap_init())
 * \param ptr a live block
 * \return its usable bytes, or 0
 */
size_t rtheap_usable_size(rtheap_t *heap, const void *ptr);

/**
 * Usable bytes that a request of (size, align) gets from this allocator,
 * without allocating: the block that rtheap_alloc(_aligned) hands out for
 * it has exactly this many usable bytes, or more only when the free block
 * it was cut from had a remainder too small to be a block of its own
 * (less than RTHEAP_MIN_BLOCK bytes more). The caller may use all of them.
 * Returns 0 if the request could never be satisfied (too large, bad align):
 * a wrapper that must not return 0 returns size then, and the allocation
 * fails (SQLite's xRoundup, for one: given 0, SQLite calls xRealloc with
 * size 0, which shrinks the block). Pure: touches no heap, so ISR-safe. O(1).
 *
 * \param size bytes a request asks for
 * \param align its alignment, a power of two
 * \return usable bytes it gets, or 0
 */
size_t rtheap_request_usable_size(size_t size, size_t align);

/**
 * Copies the statistics into *out. O(1) (the largest guaranteed allocation
 * is computed from the bitmaps; the block it promises is checked as an
 * allocation would check it, and taken out of service if damaged, so the
 * promise holds). Returns false if heap or out is NULL. No alignment (no
 * memory returned). ISR-safe.
 *
 * \param heap the heap (from rtheap_init())
 * \param out where the statistics are copied
 * \return true on success
 */
bool rtheap_get_stats(rtheap_t *heap, rtheap_stats_t *out);

/**
 * Full consistency check: walks every block of every region and every free
 * list and verifies the physical chain, sizes adding up to the regions, no
 * two free neighbours, every free block in exactly the list its size maps
 * to, bitmaps matching the lists, statistics matching the heap, and (with
 * RTHEAP_POISON) untouched free memory. Returns RTHEAP_OK or the first
 * invariant that broke (RTHEAP_ERR_CONTROL for a NULL heap); no memory is
 * returned, so no alignment. O(blocks), and
 * with RTHEAP_POISON O(blocks + free bytes), every free byte read: for
 * tests and debugging. ISR-safe, but it runs inside the lock: with the
 * default lock, interrupts stay masked for the whole walk.
 *
 * \param heap the heap (from rtheap_init())
 * \return RTHEAP_OK, or the first broken invariant
 */
rtheap_error_t rtheap_check(rtheap_t *heap);

/**
 * Calls `walker` for every block in address order, region by region, and
 * stops early if it returns false. Returns the number of blocks visited, 0
 * for a NULL heap/walker; no memory is returned, so no alignment.
 * O(blocks). ISR-safe like rtheap_check(); the
 * callback runs inside the heap lock and must not call into the same heap.
 *
 * \param heap the heap (from rtheap_init())
 * \param walker called for each block
 * \param user passed to walker
 * \return number of blocks visited
 */
size_t rtheap_walk(rtheap_t *heap, rtheap_walker_t walker, void *user);

/**
 * Installs a per-heap error hook (NULL restores the RTHEAP_ERROR_HOOK
 * default). `user` is passed back to it. Does nothing for a NULL heap
 * (there is no other failure); returns no memory, so no alignment. O(1).
 * ISR-safe.
 *
 * \param heap the heap (from rtheap_init())
 * \param hook the hook, or NULL for the default
 * \param user passed to the hook
 */
void rtheap_set_error_hook(rtheap_t *heap, rtheap_error_hook_t hook, void *user);

/**
 * Counts an error and hands it to the heap's error hook, for layers built on
 * rtheap (the libc and Rust front ends) that detect misuse themselves.
 * Does nothing for a NULL heap (there is no other failure); returns no
 * memory, so no alignment. O(1). ISR-safe.
 *
 * \param heap the heap (from rtheap_init())
 * \param kind the error
 * \param ptr the pointer that caused it
 */
void rtheap_report_error(rtheap_t *heap, rtheap_error_t kind, const void *ptr);

/**
 * Short constant name of an error ("double free", ...); "unknown error"
 * for a value that is none, never NULL (it cannot fail); no heap memory, so
 * no alignment. O(1), pure, ISR-safe.
 *
 * \param kind an error
 * \return its name
 */
const char *rtheap_error_name(rtheap_error_t kind);

/* ------------------------------------------------------------------------ */
/* The default heap (rtheap_default.c)                                       */
/* ------------------------------------------------------------------------ */

/**
 * The default heap, built on first use, exactly once, from the linker
 * symbols `__heap_start` and `__heap_end` (plus `__heap2_start` and
 * `__heap2_end` when RTHEAP_DEFAULT_SECOND_REGION is 1 and that region has
 * at least RTHEAP_DEFAULT_MIN_BYTES; one that overlaps the first is refused
 * and reported, RTHEAP_ERR_BAD_ARGUMENT). Returns NULL if the symbols are missing or describe a region
 * too small for a heap (under RTHEAP_DEFAULT_MIN_BYTES, default 256): the
 * first such call reports RTHEAP_ERR_NO_HEAP once, through
 * RTHEAP_ERROR_HOOK(NULL, RTHEAP_ERR_NO_HEAP, NULL), and every call that
 * finds no heap is counted (rtheap_default_no_heap_count()). The handle is
 * no memory to use, so no alignment. O(1) after the first call. ISR-safe
 * (the first call builds the heap inside the lock).
 *
 * \return the default heap, or NULL
 */
rtheap_t *rtheap_default(void);

/**
 * How many calls of rtheap_default() (so: allocations through the libc and
 * Rust front ends) found no heap. 0 once the heap exists. Cannot fail;
 * returns no memory, so no alignment. O(1). ISR-safe.
 *
 * \return the count
 */
uint32_t rtheap_default_no_heap_count(void);

/**
 * Builds the default heap from an explicit region instead of the linker
 * symbols. Must be called before anything uses the default heap; returns
 * the heap, or NULL if it already exists or the region is too small.
 * Complexity as rtheap_init(); ISR-safe (it runs inside the lock).
 *
 * \param mem start of the region (any alignment)
 * \param bytes size of the region in bytes
 * \return the default heap, or NULL
 */
rtheap_t *rtheap_default_init(void *mem, size_t bytes);

/**
 * Whether the default heap exists: RTHEAP_OK once rtheap_default() has (or
 * can) build it, RTHEAP_ERR_NO_HEAP when the linker symbols are missing or
 * describe a region too small for a heap and rtheap_default_init() was not
 * called. Lets front ends (libc, Rust) tell "no heap" from "out of memory".
 * Cannot fail otherwise; returns no memory, so no alignment. O(1) after the
 * first call. ISR-safe.
 *
 * \return RTHEAP_OK or RTHEAP_ERR_NO_HEAP
 */
rtheap_error_t rtheap_default_status(void);

/* ------------------------------------------------------------------------ */
/* Classic Rust allocator ABI on the default heap (rtheap_rust.c)            */
/* ------------------------------------------------------------------------ */

/**
 * A block of at least `size` bytes aligned to `align` (any power of two;
 * above 2^(bits - 2), NULL: see "Alignment" above), or NULL. A zero size
 * returns a unique, freeable pointer. O(1). ISR-safe.
 *
 * \param size bytes wanted
 * \param align alignment, a power of two
 * \return the block, or NULL
 */
void *__rust_allocate(size_t size, size_t align);

/**
 * Frees `ptr` (NULL is a no-op). `old_size`/`align` are checked against the
 * block in RTHEAP_DEBUG builds (mismatch reported as RTHEAP_ERR_BAD_ARGUMENT)
 * and never trusted for memory safety. A bad pointer is refused and
 * reported, as by rtheap_free(); returns no memory, so no alignment. O(1).
 * ISR-safe.
 *
 * \param ptr a live block, or NULL
 * \param old_size the size it was allocated with
 * \param align the alignment it was allocated with
 */
void __rust_deallocate(void *ptr, size_t old_size, size_t align);

/**
 * Resizes to `size` bytes keeping `align`: in place when possible, else
 * allocate-copy-free, where the copy keeps min(old_size, size) bytes (rounded
 * up to a word). Returns NULL on failure, leaving the old block intact.
 * O(1) + O(min(old_size, size)) for the copy. ISR-safe.
 *
 * \param ptr a live block
 * \param old_size its current size
 * \param size new size in bytes
 * \param align its alignment
 * \return the block (possibly moved), or NULL
 */
void *__rust_reallocate(void *ptr, size_t old_size, size_t size, size_t align);

/**
 * Grows or shrinks without moving (so the block keeps `align`). Returns the
 * new usable size (>= size) on success, `old_size` when it cannot (the
 * block is untouched). O(1). ISR-safe.
 *
 * \param ptr a live block
 * \param old_size its current size
 * \param size new size in bytes
 * \param align its alignment
 * \return the new usable size, or old_size
 */
size_t __rust_reallocate_inplace(void *ptr, size_t old_size, size_t size, size_t align);

/**
 * The number of usable bytes a request of (size, align) gets from
 * __rust_allocate (rtheap_request_usable_size()): every such block has at
 * least that many, all usable by the caller; 0 for a request that can never
 * be satisfied. O(1), pure, ISR-safe.
 *
 * \param size bytes a request asks for
 * \param align its alignment
 * \return usable bytes it gets
 */
size_t __rust_usable_size(size_t size, size_t align);

#ifdef __cplusplus
}
#endif

#endif /* RTHEAP_H */
