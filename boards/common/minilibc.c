/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap firmware support: the few string functions compilers may call, for test
 * firmware that links no libc: memcpy, memmove, memset, memcmp, strlen, and the Arm
 * run-time ABI's __aeabi_memcpy/memmove/memset/memclr family, which clang (not GCC)
 * calls for copies and fills it makes itself. Byte-wise and simple: correct on Armv6-M
 * (no unaligned access). GCC must compile it with -ffreestanding -fno-builtin
 * -fno-tree-loop-distribute-patterns, so that it does not turn these loops back into
 * calls to themselves; with clang each loop moves its pointer through an empty asm
 * statement, which does the same whatever the flags. `used`: with -flto, the calls a
 * compiler makes to them appear only after the LTO step has dropped what the program's
 * code did not call. */
#include <stddef.h>

/* Declared here rather than through <string.h>: this file needs no libc headers. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
void __aeabi_memcpy(void *dst, const void *src, size_t n);
void __aeabi_memcpy4(void *dst, const void *src, size_t n);
void __aeabi_memcpy8(void *dst, const void *src, size_t n);
void __aeabi_memmove(void *dst, const void *src, size_t n);
void __aeabi_memmove4(void *dst, const void *src, size_t n);
void __aeabi_memmove8(void *dst, const void *src, size_t n);
void __aeabi_memset(void *dst, size_t n, int c);
void __aeabi_memset4(void *dst, size_t n, int c);
void __aeabi_memset8(void *dst, size_t n, int c);
void __aeabi_memclr(void *dst, size_t n);
void __aeabi_memclr4(void *dst, size_t n);
void __aeabi_memclr8(void *dst, size_t n);

/* clang: the pointer passes through an empty asm, so the loop is no copy or fill
 * pattern. GCC: its flags say so (and its code stays as it was). */
#if defined(__clang__)
#define OPAQUE(p) __asm__("" : "+r"(p))
#else
#define OPAQUE(p) ((void)0)
#endif

static inline __attribute__((always_inline)) void copy_up(unsigned char *d, const unsigned char *s, size_t n)
{
    while (n-- > 0) {
        OPAQUE(d);
        *d++ = *s++;
    }
}

static inline __attribute__((always_inline)) void copy_down(unsigned char *d, const unsigned char *s, size_t n)
{
    d += n;
    s += n;
    while (n-- > 0) {
        OPAQUE(d);
        *--d = *--s;
    }
}

static inline __attribute__((always_inline)) void move(void *dst, const void *src, size_t n)
{
    if (dst == src || n == 0) {
        return;
    }
    if ((unsigned char *)dst < (const unsigned char *)src) {
        copy_up(dst, src, n);
    } else {
        copy_down(dst, src, n);
    }
}

static inline __attribute__((always_inline)) void fill(unsigned char *d, unsigned char v, size_t n)
{
    while (n-- > 0) {
        OPAQUE(d);
        *d++ = v;
    }
}

__attribute__((used)) void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    copy_up(dst, src, n);
    return dst;
}

__attribute__((used)) void *memmove(void *dst, const void *src, size_t n)
{
    move(dst, src, n);
    return dst;
}

__attribute__((used)) void *memset(void *dst, int c, size_t n)
{
    fill(dst, (unsigned char)c, n);
    return dst;
}

__attribute__((used)) int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a;
    const unsigned char *y = b;
    for (; n > 0; n--, x++, y++) {
        if (*x != *y) {
            return (int)*x - (int)*y;
        }
    }
    return 0;
}

__attribute__((used)) size_t strlen(const char *s)
{
    const char *p = s;
    while (*p != '\0') {
        OPAQUE(p);
        p++;
    }
    return (size_t)(p - s);
}

/* memset's takes the count before the value. The 4 and 8 variants only promise
 * aligned arguments: they are the same functions under other names. */
__attribute__((used)) void __aeabi_memcpy(void *dst, const void *src, size_t n)
{
    copy_up(dst, src, n);
}
__attribute__((used)) void __aeabi_memmove(void *dst, const void *src, size_t n)
{
    move(dst, src, n);
}
__attribute__((used)) void __aeabi_memset(void *dst, size_t n, int c)
{
    fill(dst, (unsigned char)c, n);
}
__attribute__((used)) void __aeabi_memclr(void *dst, size_t n)
{
    fill(dst, 0, n);
}
void __aeabi_memcpy4(void *dst, const void *src, size_t n) __attribute__((alias("__aeabi_memcpy")));
void __aeabi_memcpy8(void *dst, const void *src, size_t n) __attribute__((alias("__aeabi_memcpy")));
void __aeabi_memmove4(void *dst, const void *src, size_t n) __attribute__((alias("__aeabi_memmove")));
void __aeabi_memmove8(void *dst, const void *src, size_t n) __attribute__((alias("__aeabi_memmove")));
void __aeabi_memset4(void *dst, size_t n, int c) __attribute__((alias("__aeabi_memset")));
void __aeabi_memset8(void *dst, size_t n, int c) __attribute__((alias("__aeabi_memset")));
void __aeabi_memclr4(void *dst, size_t n) __attribute__((alias("__aeabi_memclr")));
void __aeabi_memclr8(void *dst, size_t n) __attribute__((alias("__aeabi_memclr")));
