/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Config for no_heap.c's own build of the library: count the default error hook. */
#ifndef NO_HEAP_CONFIG_H
#define NO_HEAP_CONFIG_H
void no_heap_hook(const void *heap, int kind, const void *ptr);
#define RTHEAP_ERROR_HOOK(heap, kind, ptr) no_heap_hook((heap), (int)(kind), (ptr))
#endif
