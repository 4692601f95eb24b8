/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap test support (host only, not part of the library): the heap's memory as an
 * AddressSanitizer-poisoned arena, so that ASan reports any access outside the usable
 * bytes of a live block.
 *
 * Build option RTHEAP_ASAN_POISON (1 by default when the program is built with
 * -fsanitize=address, else 0: everything below is then a no-op).
 *
 * Between heap calls the whole arena is poisoned except exactly the usable bytes
 * (rtheap_usable_size) of each live block. The heap itself reads and writes its own
 * headers, links and footers, so every heap call is bracketed:
 *
 *     aa_enter();                 // unpoison the arena
 *     p = rtheap_alloc(heap, n);  // any rtheap call
 *     aa_leave(heap);             // poison it all, unpoison each live block's usable bytes
 *
 * (AA_CALL(heap, expr) does the three.) aa_leave() finds the live blocks with
 * rtheap_walk(): O(blocks) per call, fine for tests. The library itself stays
 * instrumented by ASan too, so a heap access outside the arena is still caught. */
#ifndef RTHEAP_ASAN_ARENA_H
#define RTHEAP_ASAN_ARENA_H

#include <stddef.h>

#include "rtheap.h"

#ifndef RTHEAP_ASAN_POISON
#if defined(__SANITIZE_ADDRESS__)
#define RTHEAP_ASAN_POISON 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RTHEAP_ASAN_POISON 1
#endif
#endif
#endif
#ifndef RTHEAP_ASAN_POISON
#define RTHEAP_ASAN_POISON 0
#endif

/* Declares [mem, mem + bytes) as the arena (all regions of the heap live in it) and
 * poisons it. bytes == 0 forgets the arena (and unpoisons the old one). */
void aa_arena(void *mem, size_t bytes);
/* Before a heap call: unpoison the arena. */
void aa_enter(void);
/* After a heap call: poison the arena, unpoison the usable bytes of every live block of
 * heap (heap may be NULL: all poisoned). */
void aa_leave(rtheap_t *heap);
/* Is [p, p + n) addressable right now? (always 1 without poisoning) */
int aa_addressable(const void *p, size_t n);

#define AA_CALL(heap, expr) (aa_enter(), (expr), aa_leave(heap))

#endif
