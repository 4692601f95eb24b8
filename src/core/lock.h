/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtheap core: the lock around every public call (RTHEAP_LOCK and
 * RTHEAP_UNLOCK of rtheap_config.h, which also holds the lock primitives),
 * the spinlock's word, and the full check after every change
 * when RTHEAP_CHECKS is 2. Part of the unit src/rtheap.c.
 */
#ifndef RTHEAP_CORE_LOCK_H
#define RTHEAP_CORE_LOCK_H

#include "internal.h"

#if RTHEAP_LOCK_SPIN
/* The spinlock's word (rtheap_config.h), one for every heap: nested calls
 * across heaps (an error hook of one heap that calls another) nest in one
 * lock. A section of its own, so that a linker script can place it in RAM
 * whose exclusive accesses the cores arbitrate between them. */
__attribute__((section(".bss.rtheap_lock_owner"))) volatile uint32_t rtheap_lock_owner;
#endif

static rtheap_error_t rtheap_check_unlocked(rtheap_t *heap);
RTHEAP_COLD static void rtheap_report(rtheap_t *heap, rtheap_error_t kind, const void *ptr);

#if RTHEAP_CHECKS == 2
/* After every call that changes the heap: the full check, its verdict reported. */
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

/*
 * The body of a public call that returns `call`'s value, once the caller
 * has refused a NULL heap: `call` inside the lock, followed by the full
 * check when RTHEAP_CHECKS is 2 and `changes` (the call may change the heap).
 */
#define LOCKED_CALL(heap, changes, call)                                                           \
    do {                                                                                           \
        RTHEAP_LOCK_TYPE lock_state_ = RTHEAP_LOCK(heap);                                          \
        __typeof__(call) result_ = call;                                                           \
        if (changes) {                                                                             \
            AFTER_CHANGE(heap);                                                                    \
        }                                                                                          \
        RTHEAP_UNLOCK(heap, lock_state_);                                                          \
        return result_;                                                                            \
    } while (0)

/* The same for a call that returns nothing. */
#define LOCKED_VOID(heap, changes, call)                                                           \
    do {                                                                                           \
        RTHEAP_LOCK_TYPE lock_state_ = RTHEAP_LOCK(heap);                                          \
        call;                                                                                      \
        if (changes) {                                                                             \
            AFTER_CHANGE(heap);                                                                    \
        }                                                                                          \
        RTHEAP_UNLOCK(heap, lock_state_);                                                          \
    } while (0)

#endif /* RTHEAP_CORE_LOCK_H */
