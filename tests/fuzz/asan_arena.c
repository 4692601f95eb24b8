/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap test support: AddressSanitizer-poisoned arena (see asan_arena.h). */
#include "asan_arena.h"

#include <stdbool.h>
#include <stdint.h>

#if RTHEAP_ASAN_POISON
#include <sanitizer/asan_interface.h>

static unsigned char *aa_lo;
static size_t aa_bytes;

void aa_arena(void *mem, size_t bytes)
{
    if (aa_lo != NULL) {
        ASAN_UNPOISON_MEMORY_REGION(aa_lo, aa_bytes);
    }
    aa_lo = (unsigned char *)mem;
    aa_bytes = bytes;
    if (aa_lo != NULL && bytes != 0) {
        ASAN_POISON_MEMORY_REGION(aa_lo, aa_bytes);
    } else {
        aa_lo = NULL;
        aa_bytes = 0;
    }
}

void aa_enter(void)
{
    if (aa_lo != NULL) {
        ASAN_UNPOISON_MEMORY_REGION(aa_lo, aa_bytes);
    }
}

#define AA_MAX_LIVE 8192
static struct {
    void *p;
    size_t n;
} aa_live[AA_MAX_LIVE];
static size_t aa_nlive;

static bool aa_walker(const rtheap_block_info_t *b, void *user)
{
    (void)user;
    if (b->used && aa_nlive < AA_MAX_LIVE) {
        aa_live[aa_nlive].p = b->ptr;
        aa_live[aa_nlive].n = b->size;
        aa_nlive++;
    }
    return true;
}

void aa_leave(rtheap_t *heap)
{
    if (aa_lo == NULL) {
        return;
    }
    aa_nlive = 0;
    if (heap != NULL) {
        (void)rtheap_walk(heap, aa_walker, NULL); /* reads headers: arena still open */
    }
    ASAN_POISON_MEMORY_REGION(aa_lo, aa_bytes);
    for (size_t i = 0; i < aa_nlive; i++) {
        uintptr_t p = (uintptr_t)aa_live[i].p;
        /* Only what lies inside the arena (a damaged heap may report nonsense). */
        if (p >= (uintptr_t)aa_lo && p + aa_live[i].n <= (uintptr_t)aa_lo + aa_bytes &&
            p + aa_live[i].n >= p) {
            ASAN_UNPOISON_MEMORY_REGION(aa_live[i].p, aa_live[i].n);
        }
    }
}

int aa_addressable(const void *p, size_t n)
{
    return __asan_region_is_poisoned((void *)(uintptr_t)p, n) == NULL;
}

#else

void aa_arena(void *mem, size_t bytes)
{
    (void)mem, (void)bytes;
}

void aa_enter(void)
{
}

void aa_leave(rtheap_t *heap)
{
    (void)heap;
}

int aa_addressable(const void *p, size_t n)
{
    (void)p, (void)n;
    return 1;
}

#endif
