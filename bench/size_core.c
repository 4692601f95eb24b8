/* rtheap benchmark: code-size probe. Links only init + alloc + free of one allocator
 * (SIZE_RTHEAP / SIZE_LIBC / SIZE_NONE), so that "firmware minus the SIZE_NONE firmware"
 * is the core code the allocator costs. Never run: built by tools/bench.sh at -Os. */
#include <stddef.h>
#include <stdint.h>

#include "bench_empty.h"

static uint8_t arena[1024] __attribute__((aligned(8)));
volatile size_t size_core_n = 24;
void *volatile size_core_p;

#if defined(SIZE_RTHEAP)
#include "rtheap.h"
int main(void)
{
    rtheap_t *h = rtheap_init(arena, sizeof arena);
    void *p = rtheap_alloc(h, size_core_n);
    size_core_p = p;
    rtheap_free(h, p);
    return 0;
}
#elif defined(SIZE_LIBC)
void *malloc(size_t n);
void free(void *p);
void *sbrk(ptrdiff_t incr);
void *_sbrk(ptrdiff_t incr);
static uint8_t *brk_ = arena;
void *sbrk(ptrdiff_t incr)
{
    uint8_t *old = brk_;
    if (incr > arena + sizeof arena - old || incr < arena - old) {
        return (void *)-1;
    }
    brk_ = old + incr;
    return old;
}
void *_sbrk(ptrdiff_t incr)
{
    return sbrk(incr);
}
#if defined(SIZE_PICOLIBC)
static uint8_t size_tls[64] __attribute__((aligned(8), used));
__attribute__((naked)) void *__aeabi_read_tp(void);
__attribute__((naked)) void *__aeabi_read_tp(void)
{
    __asm__ volatile("ldr r0, 1f\n\tbx lr\n\t.align 2\n1:\t.word size_tls\n");
}
#endif
int main(void)
{
    void *p = malloc(size_core_n);
    size_core_p = p;
    free(p);
    return 0;
}
#else
void *sbrk(ptrdiff_t incr);
void *_sbrk(ptrdiff_t incr);
static uint8_t *brk_ = arena;
void *sbrk(ptrdiff_t incr)
{
    uint8_t *old = brk_;
    if (incr > arena + sizeof arena - old || incr < arena - old) {
        return (void *)-1;
    }
    brk_ = old + incr;
    return old;
}
void *_sbrk(ptrdiff_t incr)
{
    return sbrk(incr);
}
int main(void)
{
    void *p = empty_alloc2(arena, size_core_n);
    size_core_p = p;
    empty_free2(arena, p);
    return 0;
}
#endif
