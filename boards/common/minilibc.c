/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap firmware support: the few string functions GCC may call, for test firmware
 * that links no libc. Byte-wise and simple: correct on Armv6-M (no unaligned access).
 * Must be compiled with -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns
 * so GCC does not turn these loops back into calls to themselves. `used`: with
 * -flto, calls GCC itself makes to them appear only after the LTO step has
 * dropped what the program's code did not call. */
#include <stddef.h>

/* Declared here rather than through <string.h>: this file needs no libc headers. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

__attribute__((used)) void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n-- > 0) {
        *d++ = *s++;
    }
    return dst;
}

__attribute__((used)) void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d == s || n == 0) {
        return dst;
    }
    if (d < s) {
        while (n-- > 0) {
            *d++ = *s++;
        }
    } else {
        d += n;
        s += n;
        while (n-- > 0) {
            *--d = *--s;
        }
    }
    return dst;
}

__attribute__((used)) void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    unsigned char v = (unsigned char)c;
    while (n-- > 0) {
        *d++ = v;
    }
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
        p++;
    }
    return (size_t)(p - s);
}
