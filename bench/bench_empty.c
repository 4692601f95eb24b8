/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap benchmark: see bench_empty.h. Each function is a bare `bx lr` (plus the return
 * value): the wrappers in bench.c time a call to one of these to get the fixed cost. */
#include "bench_empty.h"

void *empty_alloc1(size_t n) { (void)n; return NULL; }
void *empty_alloc2(void *h, size_t n) { (void)h; (void)n; return NULL; }
void empty_free1(void *p) { (void)p; }
void empty_free2(void *h, void *p) { (void)h; (void)p; }
void *empty_realloc2(void *p, size_t n) { (void)p; (void)n; return NULL; }
void *empty_realloc3(void *h, void *p, size_t n) { (void)h; (void)p; (void)n; return NULL; }
void *empty_memalign2(size_t a, size_t n) { (void)a; (void)n; return NULL; }
void *empty_memalign3(void *h, size_t n, size_t a) { (void)h; (void)n; (void)a; return NULL; }
void bench_nops0(void) { }
void bench_nops1000(void) { __asm__ volatile(".rept 1000\n\tnop\n\t.endr"); }
void *empty_ralloc2(size_t n, size_t a) { (void)n; (void)a; return NULL; }
void empty_rfree3(void *p, size_t o, size_t a) { (void)p; (void)o; (void)a; }
void *empty_rrealloc4(void *p, size_t o, size_t n, size_t a) { (void)p; (void)o; (void)n; (void)a; return NULL; }
size_t empty_rinplace4(void *p, size_t o, size_t n, size_t a) { (void)p; (void)o; (void)n; (void)a; return 0; }
