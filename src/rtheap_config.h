/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtheap compile-time options.
 *
 * Every option has a default here. To change one, write your own header
 * with the #defines you want and build rtheap with
 *     -DRTHEAP_CONFIG_HEADER='"my_rtheap_config.h"'
 * (CMake: -DRTHEAP_CONFIG_HEADER=path/to/my_rtheap_config.h). The same
 * settings must be seen by every file that includes rtheap.h.
 */
#ifndef RTHEAP_CONFIG_H
#define RTHEAP_CONFIG_H

#ifdef RTHEAP_CONFIG_HEADER
#include RTHEAP_CONFIG_HEADER
#endif

/*
 * RTHEAP_SMALL: 1 changes the defaults below to the smallest build, for
 * firmware that trusts every pointer it frees and has little flash:
 * RTHEAP_CHECKS 0 (no O(1) checks and no containment: a bad pointer or a
 * write after free corrupts the heap), RTHEAP_STATS 0 (no counters),
 * RTHEAP_MAX_REGIONS 1 and RTHEAP_DEFAULT_SECOND_REGION 0 (one region: no
 * region search). These are the options that cost code on every path; the
 * lock stays (every call remains ISR-safe). An option defined explicitly
 * still wins (RTHEAP_CHECKS 2 then needs RTHEAP_STATS 1 too). Also, a plain allocation takes the over-aligned one's path
 * (its search), so that the plain path is not linked; what an allocation
 * cuts off its block, and a region's one block, is freed by the release
 * that merges, the one copy of the list work, which every free goes
 * through too; __rust_reallocate builds the default heap if it does not
 * exist yet (an allocation is a reallocation of NULL), while
 * __rust_deallocate and __rust_reallocate_inplace take the default heap as
 * it is (before it is built no block of it exists: nothing to free or
 * resize). With one region, a heap uses at most the largest block its
 * index holds, so that no code cuts a region into blocks: the first 16 MiB
 * of its memory on 32-bit targets, and for region sizes just past what an
 * index row fewer serves (that index then, whose block is at least as
 * large) up to a row's bytes and a granule less than the region.
 * On Cortex-M3 at -Os the five Rust entry points take 1060 B less than
 * with the same options and RTHEAP_SMALL 0, for about 84 instructions more
 * per allocation, 31 per realloc, 1 per resize in place and 2 per free (the
 * bench's mix, means).
 * Default 0.
 */
#ifndef RTHEAP_SMALL
#define RTHEAP_SMALL 0
#endif

/*
 * RTHEAP_SL_LOG2: log2 of the number of second-level subdivisions of each
 * power-of-two size range. 4 (16 lists per range) bounds the waste of a
 * good-fit search to 1/16 of a block; 5 halves it and doubles the index.
 * Range 2..5.
 */
#ifndef RTHEAP_SL_LOG2
#define RTHEAP_SL_LOG2 4
#endif

/*
 * RTHEAP_ALIGNMENT: alignment of every pointer returned and granule of every
 * block size. Default: two pointers (8 on 32-bit: AAPCS and Rust's u64 need
 * 8; 16 on 64-bit hosts, like max_align_t). 8, 16, 32 or 64, at least
 * 2 * sizeof(void *).
 */
#ifndef RTHEAP_ALIGNMENT
#define RTHEAP_ALIGNMENT (2 * __SIZEOF_POINTER__)
#endif

/*
 * RTHEAP_MAX_REGIONS: how many regions (init + add_region) a heap may have.
 * Each costs two pointers in the control structure; pointer checks loop over
 * them, so keep it small. Range 1..32.
 */
#ifndef RTHEAP_MAX_REGIONS
#define RTHEAP_MAX_REGIONS (RTHEAP_SMALL ? 1 : 4)
#endif

/*
 * RTHEAP_FIT_SCAN: when no size class that guarantees a fit has a free
 * block, how many blocks of the request's own class (which may or may not
 * be large enough) are examined, first fit. Bounds the search, so
 * allocation stays O(1); larger values let allocations succeed closer to a
 * full heap. 1 looks at the head only. Range 1..64.
 */
#ifndef RTHEAP_FIT_SCAN
#define RTHEAP_FIT_SCAN 1
#endif

/*
 * RTHEAP_STATS: 1 keeps the byte and call counters of rtheap_stats_t up to
 * date (a few additions per call); 0 leaves them at zero (capacity, region
 * count and the largest guaranteed allocation are still reported).
 */
#ifndef RTHEAP_STATS
#define RTHEAP_STATS (!RTHEAP_SMALL)
#endif

/*
 * RTHEAP_CHECKS: 0 trusts every pointer passed in (smallest, fastest; bad
 *   input corrupts the heap; none of the damage handling is linked; headers
 *   carry no tag, so rtheap_check() finds only damage that breaks the
 *   heap's structure);
 * 1 (default, 0 with RTHEAP_SMALL) validates each pointer in O(1): region, alignment, header
 *   plausibility, neighbour agreement, free-list links; bad input is refused
 *   and reported;
 * 2 also runs the full rtheap_check() after every call that changes the heap
 *   (O(blocks): debugging only) and reports RTHEAP_ERR_* from it.
 */
#ifndef RTHEAP_CHECKS
#define RTHEAP_CHECKS (!RTHEAP_SMALL)
#endif

/*
 * RTHEAP_DEBUG: 1 makes the default error action a trap (so a debugger stops
 * at the culprit), checks the size/alignment the Rust ABI passes to
 * __rust_deallocate, and turns RTHEAP_POISON on by default where the checks
 * that verify it are on (not with RTHEAP_SMALL's defaults).
 */
#ifndef RTHEAP_DEBUG
#define RTHEAP_DEBUG 0
#endif

/*
 * RTHEAP_POISON: 1 fills freed payloads with RTHEAP_POISON_BYTE (O(size) per
 * free) and makes rtheap_check() verify that no free byte changed, catching
 * writes after free.
 */
#ifndef RTHEAP_POISON
#define RTHEAP_POISON (RTHEAP_DEBUG && RTHEAP_CHECKS)
#endif

#ifndef RTHEAP_POISON_BYTE
#define RTHEAP_POISON_BYTE 0xA5u
#endif

/*
 * RTHEAP_ERROR_HOOK(heap, kind, ptr): what happens on bad input when no
 * runtime hook was installed with rtheap_set_error_hook(). The error is
 * counted either way. Default: a trap with RTHEAP_DEBUG, nothing otherwise.
 */
#ifndef RTHEAP_ERROR_HOOK
#if RTHEAP_DEBUG
#define RTHEAP_ERROR_HOOK(heap, kind, ptr) __builtin_trap()
#else
#define RTHEAP_ERROR_HOOK(heap, kind, ptr) ((void)(heap), (void)(kind), (void)(ptr))
#endif
#endif

/*
 * Locking. Every public call of every heap (rtheap_init heaps, the default
 * heap and its first build, and through them the malloc family, the Rust
 * entry points and the FreeRTOS heap) runs between RTHEAP_LOCK(heap), which
 * evaluates to a value of RTHEAP_LOCK_TYPE, and RTHEAP_UNLOCK(heap, state),
 * which gets that value back. The lock nests: rtheap takes it again inside
 * itself (the default heap's first build, the FreeRTOS heap's statistics, an
 * error hook that calls rtheap). Choose one of the following; choosing two
 * is an #error. docs/multicore.md says which to use on which chip.
 *
 * RTHEAP_LOCK_PRIMASK 1: save PRIMASK, mask interrupts, restore. ISR-safe
 *   on one core: interrupts are masked for one call. It does nothing against
 *   another core. Default 1 on Cortex-M when nothing else is chosen.
 *
 * RTHEAP_LOCK_SPIN 1: for cores that share a heap and have exclusive
 *   accesses (Armv7-M, Armv8-M): PRIMASK as above, then a spinlock on one
 *   word, rtheap_lock_owner (LDREX/STREX and DMB on Armv7-M, LDAEX/STREX and
 *   STL on Armv8-M). Interrupts are masked before it spins, so a handler on
 *   the core that holds it never deadlocks on it. The word holds
 *   RTHEAP_CORE_ID() + 1 of the core that holds it, which is how a nested
 *   call knows it holds it already. The word is in section
 *   .bss.rtheap_lock_owner: the cores' exclusive accesses to it must be
 *   arbitrated between them (a global exclusive monitor on that RAM; see the
 *   chip's reference manual). Armv6-M (Cortex-M0/M0+) has no exclusive
 *   accesses and no spinlock: use RTHEAP_LOCK_USER there.
 *
 * RTHEAP_CORE_ID(): with RTHEAP_LOCK_SPIN, this core's number, different on
 *   every core that shares a heap, below 0xFFFFFFFF. Default: a call of
 *   uint32_t rtheap_core_id(void), which the firmware defines. As a macro it
 *   is inlined: a register read such as the SSE-200's CPU_IDENTITY,
 *       #define RTHEAP_CORE_ID() (*(volatile uint32_t *)0x5001F000u)
 *   or a constant in firmware built once per core.
 *
 * RTHEAP_LOCK_USER 1: the firmware's own lock, two C functions it defines:
 *       uint32_t rtheap_user_lock_acquire(void);
 *       void rtheap_user_lock_release(uint32_t state);
 *   Acquire returns what release needs to restore the state before it.
 *   Together they must (docs/multicore.md has the details):
 *   - exclude every other core that uses rtheap until the release;
 *   - mask, on this core, every interrupt whose handler calls rtheap;
 *   - nest: an acquire on the core that holds the lock returns at once, and
 *     its release leaves the lock held and interrupts masked;
 *   - order memory: a barrier (DMB) after taking the lock and before
 *     giving it back, so that no access of the heap leaves the section.
 *   For hardware locks (RP2040 SIO spinlocks, STM32H7 HSEM, nRF5340
 *   MUTEX), software ones (Peterson's algorithm on Armv6-M), Rust's
 *   critical-section implementations and FreeRTOS SMP critical sections.
 *
 * RTHEAP_LOCK_NONE 1: no lock (single-threaded use, or one heap per thread
 *   and no interrupt handler that allocates).
 *
 * Or define all three macros yourself, e.g. for an RTOS mutex, which must
 * be a recursive one (the lock nests: the default heap's first build takes
 * it twice) and which interrupt handlers then cannot take; in FreeRTOS, from
 * xSemaphoreCreateRecursiveMutex():
 *     #define RTHEAP_LOCK_TYPE int
 *     #define RTHEAP_LOCK(heap) (xSemaphoreTakeRecursive(heap_mutex, portMAX_DELAY), 0)
 *     #define RTHEAP_UNLOCK(heap, state) ((void)(state), xSemaphoreGiveRecursive(heap_mutex))
 * Elsewhere than on Cortex-M (host builds) the default is no lock.
 */
/* Whether the three macros are the configuration's own (for the checks). */
#ifdef RTHEAP_LOCK
#define RTHEAP_LOCK_CUSTOM_ 1
#else
#define RTHEAP_LOCK_CUSTOM_ 0
#endif
#ifndef RTHEAP_LOCK_NONE
#define RTHEAP_LOCK_NONE 0
#endif
#ifndef RTHEAP_LOCK_SPIN
#define RTHEAP_LOCK_SPIN 0
#endif
#ifndef RTHEAP_LOCK_USER
#define RTHEAP_LOCK_USER 0
#endif

#ifndef RTHEAP_LOCK_PRIMASK
#if !RTHEAP_LOCK_CUSTOM_ && !RTHEAP_LOCK_NONE && !RTHEAP_LOCK_SPIN && !RTHEAP_LOCK_USER &&         \
    defined(__ARM_ARCH_PROFILE)
#if __ARM_ARCH_PROFILE == 'M'
#define RTHEAP_LOCK_PRIMASK 1
#endif
#endif
#endif
#ifndef RTHEAP_LOCK_PRIMASK
#define RTHEAP_LOCK_PRIMASK 0
#endif

#if RTHEAP_LOCK_PRIMASK || RTHEAP_LOCK_SPIN || RTHEAP_LOCK_USER
#include <stdint.h>
#endif

#if RTHEAP_LOCK_PRIMASK || RTHEAP_LOCK_SPIN
/* Saves PRIMASK and masks interrupts; nests, so ISRs may allocate too. */
static inline __attribute__((always_inline)) uint32_t rtheap_primask_lock(void)
{
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    return primask;
}
static inline __attribute__((always_inline)) void rtheap_primask_unlock(uint32_t primask)
{
    __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
}
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if RTHEAP_LOCK_SPIN && defined(__ARM_FEATURE_LDREX)
#ifndef RTHEAP_CORE_ID
uint32_t rtheap_core_id(void);
#define RTHEAP_CORE_ID() rtheap_core_id()
#endif
/* RTHEAP_CORE_ID() + 1 of the core that holds the lock, 0 when it is free. */
extern volatile uint32_t rtheap_lock_owner;

/* The state rtheap_spin_lock returns when this core held the lock already:
 * its unlock must leave the lock held. PRIMASK's own bit is bit 0. */
#define RTHEAP_SPIN_NESTED 2u

/* The register class of the lock's operands that CBZ/CBNZ do not read: any
 * register in Thumb-2, a low one on Armv8-M Baseline (16-bit encodings only).
 * Five low registers at once were more than clang could find inlined on the
 * Cortex-M7 ("inline assembly requires more registers than available"). */
#if __ARM_ARCH_ISA_THUMB >= 2
#define RTHEAP_SPIN_REG_ "r"
#else
#define RTHEAP_SPIN_REG_ "l"
#endif

static inline __attribute__((always_inline)) uint32_t rtheap_spin_lock(void)
{
    uint32_t me = (uint32_t)RTHEAP_CORE_ID() + 1u;
    uint32_t primask, seen, failed;
    /* Masked first, then spin: a handler of this core cannot preempt the
     * holder. Low registers where they are needed (CBZ/CBNZ, and all of them
     * on Armv8-M Baseline) and no CBZ backwards: the same text assembles for
     * every Armv7-M and Armv8-M core. The nested path sets bit 1 of the saved
     * state. */
    __asm__ volatile(".syntax unified\n\t" /* GCC's Armv8-M Baseline inline asm is divided */
                     "mrs %[primask], primask\n\t"
                     "cpsid i\n"
                     "1:\n\t"
#if __ARM_ARCH >= 8
                     "ldaex %[seen], [%[word]]\n\t"
#else
                     "ldrex %[seen], [%[word]]\n\t"
#endif
                     "cbnz %[seen], 2f\n\t"
                     "strex %[failed], %[me], [%[word]]\n\t"
                     "cbz %[failed], 3f\n\t"
                     "b 1b\n"
                     "2:\n\t"
                     "cmp %[seen], %[me]\n\t"
                     "bne 1b\n\t"
                     "movs %[seen], #2\n\t"
                     "orrs %[primask], %[primask], %[seen]\n"
                     "3:\n\t"
#if __ARM_ARCH < 8
                     /* LDREX has no acquire: the heap's accesses stay after it. */
                     "dmb\n\t"
#endif
                     : [primask] "=&" RTHEAP_SPIN_REG_(primask), [seen] "=&l"(seen),
                       [failed] "=&l"(failed)
                     : [word] RTHEAP_SPIN_REG_(&rtheap_lock_owner), [me] RTHEAP_SPIN_REG_(me)
                     : "cc", "memory");
    return primask;
}

static inline __attribute__((always_inline)) void rtheap_spin_unlock(uint32_t state)
{
    if (state < RTHEAP_SPIN_NESTED) {
        /* The outermost unlock: the heap's accesses are done before the word
         * is freed (STL, or DMB then STR), then PRIMASK as it was. */
#if __ARM_ARCH >= 8
        __asm__ volatile("stl %1, [%0]\n\t"
                         "msr primask, %2" ::RTHEAP_SPIN_REG_(&rtheap_lock_owner),
                         RTHEAP_SPIN_REG_(0u), RTHEAP_SPIN_REG_(state)
                         : "memory");
#else
        __asm__ volatile("dmb\n\t"
                         "str %1, [%0]\n\t"
                         "msr primask, %2" ::RTHEAP_SPIN_REG_(&rtheap_lock_owner),
                         RTHEAP_SPIN_REG_(0u), RTHEAP_SPIN_REG_(state)
                         : "memory");
#endif
    }
}
#endif /* RTHEAP_LOCK_SPIN */

#if RTHEAP_LOCK_USER
/* Defined by the firmware: see RTHEAP_LOCK_USER above. */
uint32_t rtheap_user_lock_acquire(void);
void rtheap_user_lock_release(uint32_t state);
#endif

#ifdef __cplusplus
}
#endif

#ifndef RTHEAP_LOCK
#if RTHEAP_LOCK_PRIMASK
#define RTHEAP_LOCK_TYPE uint32_t
#define RTHEAP_LOCK(heap) rtheap_primask_lock()
#define RTHEAP_UNLOCK(heap, state) rtheap_primask_unlock(state)
#elif RTHEAP_LOCK_SPIN
#define RTHEAP_LOCK_TYPE uint32_t
#define RTHEAP_LOCK(heap) rtheap_spin_lock()
#define RTHEAP_UNLOCK(heap, state) rtheap_spin_unlock(state)
#elif RTHEAP_LOCK_USER
#define RTHEAP_LOCK_TYPE uint32_t
#define RTHEAP_LOCK(heap) ((void)(heap), rtheap_user_lock_acquire())
#define RTHEAP_UNLOCK(heap, state) ((void)(heap), rtheap_user_lock_release(state))
#else
#define RTHEAP_LOCK_TYPE int
#define RTHEAP_LOCK(heap) ((void)(heap), 0)
#define RTHEAP_UNLOCK(heap, state) ((void)(heap), (void)(state))
#endif
#endif

/*
 * RTHEAP_USE_CLZ: 1 uses the count-leading-zeros instruction for bit scans,
 * 0 a branch-free software scan (Armv6-M and Armv8-M Baseline have no CLZ,
 * and GCC would call libgcc's __clzsi2 there). Default: detected.
 */
#ifndef RTHEAP_USE_CLZ
#if defined(__arm__) || defined(__thumb__)
/* Thumb-1 only (Armv6-M, Armv8-M Baseline): no CLZ, whatever the compiler
 * says (clang defines __ARM_FEATURE_CLZ for Armv8-M Baseline, then calls
 * __clzsi2). */
#if defined(__ARM_FEATURE_CLZ) && !(defined(__ARM_ARCH_ISA_THUMB) && __ARM_ARCH_ISA_THUMB == 1)
#define RTHEAP_USE_CLZ 1
#else
#define RTHEAP_USE_CLZ 0
#endif
#else
#define RTHEAP_USE_CLZ 1
#endif
#endif

/*
 * RTHEAP_CLASS_TABLE: 1 looks the size class of a block of fewer than 256
 * granules (2 KiB with RTHEAP_ALIGNMENT 8) up in a 256-byte table in flash
 * instead of computing it with a bit scan, which saves about 20
 * instructions per class on a core without CLZ (an allocation needs two, a
 * free one). A block of up to 2^(16 - RTHEAP_SL_LOG2) granules (32 KiB by
 * default) takes its class from the same table, its size shifted; only
 * larger ones take the scan, in one out-of-line copy. Default: 1 exactly
 * when RTHEAP_USE_CLZ is 0 (with CLZ the scan is as fast as the lookup).
 */
#ifndef RTHEAP_CLASS_TABLE
#define RTHEAP_CLASS_TABLE (!RTHEAP_USE_CLZ)
#endif

/*
 * RTHEAP_ALIGNED_FIT: 1 makes an allocation aligned above RTHEAP_ALIGNMENT
 * first try the best-fitting free block (the head of the first list that
 * guarantees its size), taken if its address happens to leave room for the
 * alignment gap; only then is the heap searched for a block with room for
 * the worst gap, as 0 does at once. Better utilization where over-aligned
 * allocations dominate (78.7 -> 81.0 % on average over 300 seeded runs of
 * a workload like the bench's aligned one, 16-1024 B aligned to 16-1024),
 * for about 30 instructions more per over-aligned allocation on Cortex-M3
 * at -O2 and 65 at -Os (the bench's mix, mean / worst: 253 / 293 -> 281 / 364
 * at -O2, 319 / 362 -> 385 / 481 at -Os). Default 0.
 */
#ifndef RTHEAP_ALIGNED_FIT
#define RTHEAP_ALIGNED_FIT 0
#endif

/*
 * RTHEAP_DEFAULT_SECOND_REGION: 1 lets rtheap_default() also add the region
 * [__heap2_start, __heap2_end) when the linker script defines it non-empty
 * (weak symbols: a script without them is fine). Needs RTHEAP_MAX_REGIONS
 * of 2 or more. Default: 1 when the heap may have more than one region,
 * except with RTHEAP_SMALL (one region even when RTHEAP_MAX_REGIONS is
 * raised for rtheap_add_region()).
 */
#ifndef RTHEAP_DEFAULT_SECOND_REGION
#define RTHEAP_DEFAULT_SECOND_REGION (RTHEAP_MAX_REGIONS > 1 && !RTHEAP_SMALL)
#endif

/* ------------------------------------------------------------------------ */
/* Consistency checks                                                        */
/* ------------------------------------------------------------------------ */

#if RTHEAP_SMALL != 0 && RTHEAP_SMALL != 1
#error "RTHEAP_SMALL must be 0 or 1"
#endif
#if RTHEAP_SL_LOG2 < 2 || RTHEAP_SL_LOG2 > 5
#error "RTHEAP_SL_LOG2 must be in 2..5"
#endif
#if (RTHEAP_ALIGNMENT & (RTHEAP_ALIGNMENT - 1)) != 0
#error "RTHEAP_ALIGNMENT must be a power of two"
#endif
#if RTHEAP_ALIGNMENT < 2 * __SIZEOF_POINTER__
#error "RTHEAP_ALIGNMENT must be at least two pointers"
#endif
#if RTHEAP_MAX_REGIONS < 1 || RTHEAP_MAX_REGIONS > 32
#error "RTHEAP_MAX_REGIONS must be in 1..32"
#endif
#if RTHEAP_CHECKS < 0 || RTHEAP_CHECKS > 2
#error "RTHEAP_CHECKS must be 0, 1 or 2"
#endif
#if RTHEAP_FIT_SCAN < 1 || RTHEAP_FIT_SCAN > 64
#error "RTHEAP_FIT_SCAN must be in 1..64"
#endif
#if RTHEAP_STATS != 0 && RTHEAP_STATS != 1
#error "RTHEAP_STATS must be 0 or 1"
#endif
#if RTHEAP_CHECKS == 2 && !RTHEAP_STATS
#error "RTHEAP_CHECKS 2 verifies the statistics: it needs RTHEAP_STATS 1"
#endif
#if RTHEAP_POISON && RTHEAP_CHECKS == 0
#error "RTHEAP_POISON is verified by the checks: it needs RTHEAP_CHECKS >= 1"
#endif
#if RTHEAP_POISON_BYTE > 0xFF
#error "RTHEAP_POISON_BYTE must fit in a byte"
#endif
#if defined(RTHEAP_LOCK) != defined(RTHEAP_UNLOCK) ||                                              \
    defined(RTHEAP_LOCK) != defined(RTHEAP_LOCK_TYPE)
#error "define RTHEAP_LOCK, RTHEAP_UNLOCK and RTHEAP_LOCK_TYPE together"
#endif
#if RTHEAP_LOCK_NONE != 0 && RTHEAP_LOCK_NONE != 1
#error "RTHEAP_LOCK_NONE must be 0 or 1"
#endif
#if RTHEAP_LOCK_PRIMASK != 0 && RTHEAP_LOCK_PRIMASK != 1
#error "RTHEAP_LOCK_PRIMASK must be 0 or 1"
#endif
#if RTHEAP_LOCK_SPIN != 0 && RTHEAP_LOCK_SPIN != 1
#error "RTHEAP_LOCK_SPIN must be 0 or 1"
#endif
#if RTHEAP_LOCK_USER != 0 && RTHEAP_LOCK_USER != 1
#error "RTHEAP_LOCK_USER must be 0 or 1"
#endif
#if RTHEAP_LOCK_NONE + RTHEAP_LOCK_PRIMASK + RTHEAP_LOCK_SPIN + RTHEAP_LOCK_USER > 1
#error "choose one lock: RTHEAP_LOCK_NONE, RTHEAP_LOCK_PRIMASK, RTHEAP_LOCK_SPIN or RTHEAP_LOCK_USER"
#endif
#if RTHEAP_LOCK_CUSTOM_ &&                                                                         \
    (RTHEAP_LOCK_NONE || RTHEAP_LOCK_PRIMASK || RTHEAP_LOCK_SPIN || RTHEAP_LOCK_USER)
#error "RTHEAP_LOCK is defined: it is the lock; RTHEAP_LOCK_NONE/_PRIMASK/_SPIN/_USER must stay 0"
#endif
#if (RTHEAP_LOCK_PRIMASK || RTHEAP_LOCK_SPIN) &&                                                   \
    !(defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M')
#error "RTHEAP_LOCK_PRIMASK and RTHEAP_LOCK_SPIN are for Arm Cortex-M (M profile) only"
#endif
#if RTHEAP_LOCK_SPIN && !defined(__ARM_FEATURE_LDREX)
#error "RTHEAP_LOCK_SPIN needs exclusive accesses (LDREX/STREX: Armv7-M, Armv8-M); Armv6-M (Cortex-M0/M0+) has none: use RTHEAP_LOCK_USER with the chip's hardware lock (RP2040: SIO spinlocks) or a software one (Peterson's algorithm), see docs/multicore.md"
#endif
#if RTHEAP_ALIGNED_FIT != 0 && RTHEAP_ALIGNED_FIT != 1
#error "RTHEAP_ALIGNED_FIT must be 0 or 1"
#endif
#if RTHEAP_CLASS_TABLE != 0 && RTHEAP_CLASS_TABLE != 1
#error "RTHEAP_CLASS_TABLE must be 0 or 1"
#endif
#if RTHEAP_USE_CLZ != 0 && RTHEAP_USE_CLZ != 1
#error "RTHEAP_USE_CLZ must be 0 or 1"
#endif
#if RTHEAP_USE_CLZ == 1 && (defined(__arm__) || defined(__thumb__)) &&                            \
    (!defined(__ARM_FEATURE_CLZ) || (defined(__ARM_ARCH_ISA_THUMB) && __ARM_ARCH_ISA_THUMB == 1))
#error "RTHEAP_USE_CLZ 1 on a core without CLZ (Armv6-M, Armv8-M Baseline) would call libgcc's __clzsi2"
#endif
#if RTHEAP_DEBUG != 0 && RTHEAP_DEBUG != 1
#error "RTHEAP_DEBUG must be 0 or 1"
#endif
#if RTHEAP_POISON != 0 && RTHEAP_POISON != 1
#error "RTHEAP_POISON must be 0 or 1"
#endif
#if RTHEAP_DEFAULT_SECOND_REGION != 0 && RTHEAP_DEFAULT_SECOND_REGION != 1
#error "RTHEAP_DEFAULT_SECOND_REGION must be 0 or 1"
#endif
#if RTHEAP_DEFAULT_SECOND_REGION && RTHEAP_MAX_REGIONS < 2
#error "RTHEAP_DEFAULT_SECOND_REGION 1 adds a second region: it needs RTHEAP_MAX_REGIONS >= 2"
#endif

#endif /* RTHEAP_CONFIG_H */
