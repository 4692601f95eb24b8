/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtheap_libc test firmware, built with picolibc (crt0-hosted, semihost) or
 * with newlib / newlib-nano (boards/common startup, newlib_sys.c): the malloc
 * family's standard semantics on rtheap_default(), and the C library's own
 * users of malloc (strdup, asprintf, fmemopen, tsearch, setenv, regcomp; with
 * newlib also printf's stdout buffer and fopen) getting rtheap memory, and
 * newlib's _r entry points reporting errno through their struct _reent.
 * Prints "N passed, N failed"; exit status 0 only if nothing failed. picolibc:
 * linked twice per board, with picolibc.ld and with linker/cortex-m.ld
 * (LIBC_SCRIPT says which).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* newlib: asprintf, strndup, reallocarray */
#endif
#include <errno.h>
#include <malloc.h>
#include "rtheap_libc.h" /* RTHEAP_LIBC_NEWLIB */
#if !RTHEAP_LIBC_NEWLIB
#include <regex.h> /* newlib for arm-none-eabi has no regcomp */
#endif
#include <search.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rtheap.h"
#include "rtheap_libc.h"

#ifndef RTHEAP_BOARD_NAME
#define RTHEAP_BOARD_NAME "?"
#endif
#ifndef LIBC_SCRIPT
#define LIBC_SCRIPT "?"
#endif

void *reallocarray(void *ptr, size_t count, size_t size);
void *reallocf(void *ptr, size_t size);
void *valloc(size_t size);
int getpagesize(void);

extern char __heap_start[], __heap_end[];
#ifdef LIBC_PICOLIBC_LD
/* picolibc.ld's top of RAM and the stack below it (an absolute symbol: its address). */
extern char __stack[], __stack_size[];
#endif
extern char __heap2_start[] __attribute__((weak));
extern char __heap2_end[] __attribute__((weak));

static unsigned passed, failed;

static void check(int ok, const char *what, int line)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL libc_test.c:%d: %s\n", line, what);
    }
}
#define CHECK(c) check((c) ? 1 : 0, #c, __LINE__)

static unsigned hook_errors;
static rtheap_error_t hook_last;
static void count_errors(rtheap_t *heap, rtheap_error_t kind, const void *ptr, void *user)
{
    (void)heap;
    (void)ptr;
    (void)user;
    hook_errors++;
    hook_last = kind;
}

#if RTHEAP_LIBC_NEWLIB
#include <reent.h>
#define LIBC_NAME "newlib"
#else
#define LIBC_NAME "picolibc"
#endif

static rtheap_stats_t stats(void)
{
    rtheap_stats_t s;
    memset(&s, 0, sizeof s);
    (void)rtheap_get_stats(rtheap_default(), &s);
    return s;
}

static int aligned(const void *p, size_t a)
{
    return ((uintptr_t)p & (a - 1u)) == 0;
}

/* In one of the default heap's regions (for pointers into a block, not to it). */
static int in_heap_range(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    int inside = (a >= (uintptr_t)__heap_start && a < (uintptr_t)__heap_end);
    if (__heap2_start != NULL && __heap2_end != NULL) {
        inside |= (a >= (uintptr_t)__heap2_start && a < (uintptr_t)__heap2_end);
    }
    return inside;
}

/* In one of the default heap's regions (linker symbols) and a live rtheap block. */
static int in_rtheap(const void *p)
{
    return in_heap_range(p) && rtheap_usable_size(rtheap_default(), p) != 0;
}

static void fill(void *p, size_t n, unsigned seed)
{
    unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        b[i] = (unsigned char)(seed + i * 7u);
    }
}

static int same(const void *p, size_t n, unsigned seed)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != (unsigned char)(seed + i * 7u)) {
            return 0;
        }
    }
    return 1;
}

static void test_malloc_free(void)
{
    rtheap_stats_t s0 = stats();
    void *a = malloc(0);
    void *b = malloc(0);
    CHECK(a != NULL && b != NULL && a != b); /* malloc(0): unique pointers */
    CHECK(in_rtheap(a) && in_rtheap(b));
    free(a);
    free(b);
    for (size_t n = 1; n <= 200; n += 13) {
        void *p = malloc(n);
        CHECK(p != NULL && aligned(p, 8) && in_rtheap(p));
        CHECK(malloc_usable_size(p) >= n);
        fill(p, malloc_usable_size(p), (unsigned)n);
        CHECK(same(p, malloc_usable_size(p), (unsigned)n));
        free(p);
    }
    rtheap_stats_t s1 = stats();
    free(NULL); /* no-op */
    rtheap_stats_t s2 = stats();
    CHECK(s2.free_count == s1.free_count && s2.error_count == s1.error_count);
    CHECK(s1.live_blocks == s0.live_blocks);
    CHECK(s1.alloc_count >= s0.alloc_count + 2);

    errno = 0;
    CHECK(malloc(SIZE_MAX) == NULL && errno == ENOMEM);
    errno = 0;
    CHECK(malloc(s1.heap_bytes) == NULL && errno == ENOMEM);
    CHECK(stats().failed_count == s1.failed_count + 2);
    CHECK(malloc_usable_size(NULL) == 0);
}

static void test_calloc(void)
{
    void *p = malloc(300);
    CHECK(p != NULL);
    memset(p, 0xAA, 300);
    free(p);
    unsigned char *z = calloc(30, 10);
    CHECK(z != NULL && in_rtheap(z));
    int zero = 1;
    for (size_t i = 0; z != NULL && i < 300; i++) {
        zero &= z[i] == 0;
    }
    CHECK(zero);
    free(z);
    void *c0 = calloc(0, 16);
    void *c1 = calloc(16, 0);
    CHECK(c0 != NULL && c1 != NULL && c0 != c1);
    free(c0);
    free(c1);
    errno = 0;
    CHECK(calloc(SIZE_MAX / 2 + 1, 2) == NULL && errno == ENOMEM); /* product overflows */
    errno = 0;
    CHECK(calloc(SIZE_MAX, SIZE_MAX) == NULL && errno == ENOMEM);
    errno = 0;
    CHECK(calloc(65536, 65536) == NULL && errno == ENOMEM);
}

static void test_realloc(void)
{
    rtheap_stats_t s0 = stats();
    char *p = realloc(NULL, 40); /* = malloc */
    CHECK(p != NULL && in_rtheap(p));
    fill(p, 40, 1);
    char *q = realloc(p, 4000);
    CHECK(q != NULL && same(q, 40, 1));
    fill(q, 4000, 2);
    p = realloc(q, 100); /* shrink keeps the prefix */
    CHECK(p != NULL && same(p, 100, 2));

    /* Out of memory: NULL, ENOMEM, the old block intact. */
    errno = 0;
    CHECK(realloc(p, SIZE_MAX - 64) == NULL && errno == ENOMEM);
    CHECK(malloc_usable_size(p) >= 100 && same(p, 100, 2));

    /* realloc(p, 0): picolibc frees p and returns NULL, errno untouched. */
    rtheap_stats_t s1 = stats();
    errno = 1234;
    CHECK(realloc(p, 0) == NULL);
    CHECK(errno == 1234);
    rtheap_stats_t s2 = stats();
    CHECK(s2.live_blocks == s1.live_blocks - 1 && s2.free_count == s1.free_count + 1);
    CHECK(s2.live_blocks == s0.live_blocks);

    void *n0 = realloc(NULL, 0); /* = malloc(0): a unique block */
    CHECK(n0 != NULL && in_rtheap(n0));
    free(n0);

    /* reallocarray */
    int *v = reallocarray(NULL, 10, sizeof(int));
    CHECK(v != NULL);
    for (int i = 0; v != NULL && i < 10; i++) {
        v[i] = i * i;
    }
    errno = 0;
    CHECK(reallocarray(v, SIZE_MAX / 2, 4) == NULL && errno == ENOMEM); /* overflow */
    CHECK(malloc_usable_size(v) >= 10 * sizeof(int) && v[9] == 81);
    int *w = reallocarray(v, 1000, sizeof(int));
    CHECK(w != NULL && w[9] == 81 && w[3] == 9);
    s1 = stats();
    errno = 55;
    CHECK(reallocarray(w, 0, sizeof(int)) == NULL && errno == 55); /* = realloc(w, 0) */
    CHECK(stats().live_blocks == s1.live_blocks - 1);

    /* reallocf frees the block when it fails. */
    void *f = malloc(32);
    s1 = stats();
    errno = 0;
    CHECK(reallocf(f, SIZE_MAX - 64) == NULL && errno == ENOMEM);
    CHECK(stats().live_blocks == s1.live_blocks - 1);
    CHECK(stats().live_blocks == s0.live_blocks);
}

static void test_aligned(void)
{
    rtheap_stats_t s0 = stats();
    for (size_t a = 1; a <= 1024; a <<= 1) {
        void *p = memalign(a, 24);
        CHECK(p != NULL && aligned(p, a) && aligned(p, 8) && in_rtheap(p));
        CHECK(malloc_usable_size(p) >= 24);
        void *q = aligned_alloc(a, 3 * a + 1); /* size need not be a multiple (C17) */
        CHECK(q != NULL && aligned(q, a) && malloc_usable_size(q) >= 3 * a + 1);
        free(p);
        free(q);
    }
    void *z = aligned_alloc(0, 16); /* 0: the default alignment, like picolibc */
    CHECK(z != NULL && aligned(z, 8));
    free(z);
    void *e = aligned_alloc(64, 0);
    CHECK(e != NULL && aligned(e, 64));
    free(e);
    errno = 0;
    CHECK(aligned_alloc(3, 16) == NULL && errno == EINVAL);
    errno = 0;
    CHECK(memalign(24, 16) == NULL && errno == EINVAL);
    errno = 0;
    CHECK(aligned_alloc(16, SIZE_MAX - 8) == NULL && errno == ENOMEM);

    void *sentinel = (void *)&passed;
    void *m = sentinel;
    errno = 77;
    CHECK(posix_memalign(&m, 2, 8) == EINVAL && m == sentinel); /* < sizeof(void *) */
    CHECK(posix_memalign(&m, 0, 8) == EINVAL && m == sentinel);
    CHECK(posix_memalign(&m, 12, 8) == EINVAL && m == sentinel);
    CHECK(posix_memalign(&m, 64, SIZE_MAX - 8) == ENOMEM && m == sentinel);
    CHECK(errno == 77); /* posix_memalign reports through its result only */
    CHECK(posix_memalign(&m, sizeof(void *), 8) == 0 && m != sentinel && in_rtheap(m));
    free(m);
    CHECK(posix_memalign(&m, 256, 0) == 0 && aligned(m, 256) && in_rtheap(m));
    free(m);
    CHECK(posix_memalign(&m, 128, 100) == 0 && aligned(m, 128) && malloc_usable_size(m) >= 100);
    free(m);

    CHECK(getpagesize() == (int)RTHEAP_LIBC_PAGE_SIZE);
    if (stats().largest_guaranteed >= 3 * RTHEAP_LIBC_PAGE_SIZE) {
        void *v = valloc(10);
        CHECK(v != NULL && aligned(v, RTHEAP_LIBC_PAGE_SIZE));
        void *pv = pvalloc(1);
        CHECK(pv != NULL && aligned(pv, RTHEAP_LIBC_PAGE_SIZE) &&
              malloc_usable_size(pv) >= RTHEAP_LIBC_PAGE_SIZE);
        free(v);
        free(pv);
    } else {
        printf("note: heap too small for valloc/pvalloc of a %u-byte page; checking ENOMEM only\n",
               (unsigned)RTHEAP_LIBC_PAGE_SIZE);
    }
    errno = 0;
    CHECK(pvalloc(SIZE_MAX - 100) == NULL && errno == ENOMEM); /* rounding overflows */
    CHECK(stats().live_blocks == s0.live_blocks);
}

static void test_bad_pointers(void)
{
    rtheap_set_error_hook(rtheap_default(), count_errors, NULL);
    int on_stack = 0;
    rtheap_stats_t s0 = stats();
    free(&on_stack); /* refused, reported, heap untouched */
    CHECK(hook_errors == 1 && hook_last == RTHEAP_ERR_FOREIGN_POINTER);
    void *p = malloc(64);
    free(p);
    free(p); /* double free: refused */
    CHECK(hook_errors == 2 && hook_last == RTHEAP_ERR_DOUBLE_FREE);
    CHECK(malloc_usable_size(p) == 0);
    errno = 0;
    CHECK(realloc(&on_stack, 16) == NULL);
    CHECK(stats().error_count >= s0.error_count + 3);
    /* reallocf of a bad pointer: one report, nothing freed, NULL and ENOMEM. */
    unsigned before = hook_errors;
    errno = 0;
    CHECK(reallocf(&on_stack, 16) == NULL && errno == ENOMEM);
    CHECK(hook_errors == before + 1u && hook_last == RTHEAP_ERR_FOREIGN_POINTER);
    CHECK(rtheap_check(rtheap_default()) == RTHEAP_OK);
    rtheap_set_error_hook(rtheap_default(), NULL, NULL);
}

static void test_mallinfo(void)
{
    void *p = malloc(1000);
    struct mallinfo mi = mallinfo();
    rtheap_stats_t s = stats();
    CHECK(mi.arena == s.arena_bytes);
    CHECK(mi.uordblks == s.used_bytes_with_overhead && mi.uordblks >= 1000);
    CHECK(mi.fordblks == s.free_bytes);
    CHECK(mi.ordblks >= 1);
    CHECK(mi.keepcost == s.largest_guaranteed);
    CHECK(mi.usmblks == s.peak_used_bytes);
    free(p);
    CHECK(mallopt(M_TRIM_THRESHOLD, 0) == 0);
    CHECK(malloc_trim(0) == 0);
    malloc_stats();
    fflush(stderr);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a;
    int y = *(const int *)b;
    return (x > y) - (x < y);
}

/* picolibc's own callers of malloc get rtheap memory. */
static void test_libc_users(void)
{
    rtheap_stats_t s0 = stats();
    char *d = strdup("rtheap");
    CHECK(d != NULL && strcmp(d, "rtheap") == 0 && in_rtheap(d));
    CHECK(stats().alloc_count == s0.alloc_count + 1);
    char *nd = strndup("abcdef", 3);
    CHECK(nd != NULL && strcmp(nd, "abc") == 0 && in_rtheap(nd));

    char *as = NULL;
    int n = asprintf(&as, "%s-%d-%x", "msg", 42, 0xbeefu);
    CHECK(n == 11 && as != NULL && strcmp(as, "msg-42-beef") == 0 && in_rtheap(as));

    rtheap_stats_t s1 = stats();
    FILE *f = fmemopen(NULL, 128, "w+");
    CHECK(f != NULL && stats().alloc_count > s1.alloc_count);
    if (f != NULL) {
        CHECK(fputs("hello", f) >= 0);
        fclose(f);
    }
    CHECK(stats().live_blocks == s1.live_blocks);

    static int keys[] = {5, 3, 8};
    void *root = NULL;
    s1 = stats();
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        void *node = tsearch(&keys[i], &root, cmp_int);
        CHECK(node != NULL && in_rtheap(node));
    }
    CHECK(stats().live_blocks == s1.live_blocks + 3);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        (void)tdelete(&keys[i], &root, cmp_int);
    }
    CHECK(stats().live_blocks == s1.live_blocks);

    s1 = stats();
    CHECK(setenv("RTHEAP", "libc", 1) == 0);
    CHECK(getenv("RTHEAP") != NULL && strcmp(getenv("RTHEAP"), "libc") == 0);
    CHECK(stats().alloc_count > s1.alloc_count);

#if !RTHEAP_LIBC_NEWLIB
    regex_t re;
    s1 = stats();
    CHECK(regcomp(&re, "^ms(g|x)-[0-9]+", REG_EXTENDED) == 0);
    CHECK(stats().alloc_count > s1.alloc_count);
    CHECK(regexec(&re, as != NULL ? as : "", 0, NULL, 0) == 0);
    regfree(&re);
#endif

    free(d);
    free(nd);
    free(as);
}

#if RTHEAP_LIBC_NEWLIB
/* newlib's stdio: fopen's FILE (newlib allocates FILEs in groups) and the
 * file's buffer come from rtheap; the buffer comes back at fclose. */
static void test_newlib_stdio(void)
{
    rtheap_stats_t s0 = stats();
    FILE *f = fopen("rtheap.txt", "w");
    CHECK(f != NULL);
    if (f == NULL) {
        return;
    }
    rtheap_stats_t s1 = stats();
    /* The FILE is in rtheap memory: allocated now, or (newlib-nano) in the group
     * printf's stdout already allocated. */
    CHECK(in_heap_range(f) && s1.alloc_count >= s0.alloc_count);
    CHECK(fprintf(f, "%s %d\n", "rtheap", 14) == 10);
    rtheap_stats_t s2 = stats();
    CHECK(s2.alloc_count > s1.alloc_count); /* the buffer, on first write */
    CHECK(fclose(f) == 0);
    CHECK(stats().live_blocks == s2.live_blocks - 1);
}

/* The _r entry points set errno in the struct _reent they are given. */
static void test_newlib_reent(void)
{
    static struct _reent other;
    other._errno = 0;
    errno = 0;
    CHECK(_malloc_r(&other, SIZE_MAX) == NULL && other._errno == ENOMEM && errno == 0);
    other._errno = 0;
    CHECK(_calloc_r(&other, SIZE_MAX, 2) == NULL && other._errno == ENOMEM && errno == 0);
    other._errno = 0;
    CHECK(_memalign_r(&other, 24, 8) == NULL && other._errno == EINVAL && errno == 0);
    void *p = _malloc_r(&other, 48);
    CHECK(p != NULL && in_rtheap(p) && _malloc_usable_size_r(&other, p) >= 48);
    other._errno = 0;
    CHECK(_realloc_r(&other, p, SIZE_MAX - 64) == NULL && other._errno == ENOMEM && errno == 0);
    p = _realloc_r(&other, p, 96);
    CHECK(p != NULL && in_rtheap(p));
    _free_r(&other, p);
    /* The plain names are the _r forms on _REENT, like newlib's own. */
    _REENT->_errno = 0;
    CHECK(malloc(SIZE_MAX) == NULL && _REENT->_errno == ENOMEM && errno == ENOMEM);
}
#endif

int main(void)
{
    /* Before anything prints: newlib's printf allocates stdout's buffer. */
    rtheap_stats_t s_print = stats();
    printf("libc test (%s)\n", LIBC_NAME);
#if RTHEAP_LIBC_NEWLIB
    rtheap_stats_t s_printed = stats();
    CHECK(s_printed.alloc_count > s_print.alloc_count &&
          s_printed.live_blocks > s_print.live_blocks);
    printf("printf allocated %lu block(s) from rtheap\n",
           (unsigned long)(s_printed.alloc_count - s_print.alloc_count));
#else
    (void)s_print;
#endif
    rtheap_t *heap = rtheap_default();
    CHECK(heap != NULL);
    if (heap == NULL) {
        printf("no default heap\n");
        return 1;
    }
    rtheap_stats_t s = stats();
    printf("libc test on %s (%s): heap %lu bytes in %lu region(s) [%p, %p)\n", RTHEAP_BOARD_NAME,
           LIBC_SCRIPT, (unsigned long)s.heap_bytes, (unsigned long)s.region_count,
           (void *)__heap_start, (void *)__heap_end);
#ifdef LIBC_PICOLIBC_LD
    /* The stack asked for with --defsym is the one picolibc.ld laid out: the heap ends
     * __stack_size below the top (a --defsym read after the script leaves its default). */
    CHECK((uintptr_t)__stack_size == 4096u &&
          (uintptr_t)__heap_end == (uintptr_t)__stack - (uintptr_t)__stack_size);
#endif
    test_malloc_free();
    test_calloc();
    test_realloc();
    test_aligned();
    test_bad_pointers();
    test_mallinfo();
#if RTHEAP_LIBC_NEWLIB
    test_newlib_stdio(); /* first: newlib keeps the FILE group fopen allocates */
    test_newlib_reent();
#endif
    test_libc_users();
    CHECK(rtheap_check(heap) == RTHEAP_OK);
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0;
}
