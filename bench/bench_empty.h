/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap benchmark: empty functions with the allocators' signatures (the cost of a call
 * that does nothing, subtracted from every measurement) and the NOP runs that calibrate
 * SysTick ticks per instruction. Compiled in a separate file so that they are real calls. */
#ifndef BENCH_EMPTY_H
#define BENCH_EMPTY_H
#include <stddef.h>

void *empty_alloc1(size_t n);
void *empty_alloc2(void *h, size_t n);
void empty_free1(void *p);
void empty_free2(void *h, void *p);
void *empty_realloc2(void *p, size_t n);
void *empty_realloc3(void *h, void *p, size_t n);
void *empty_memalign2(size_t a, size_t n);
void *empty_memalign3(void *h, size_t n, size_t a);
/* The five __rust_* entry points' shapes (the mix firmware). */
void *empty_ralloc2(size_t n, size_t a);
void empty_rfree3(void *p, size_t o, size_t a);
void *empty_rrealloc4(void *p, size_t o, size_t n, size_t a);
size_t empty_rinplace4(void *p, size_t o, size_t n, size_t a);
void bench_nops0(void);
void bench_nops1000(void);
#endif
