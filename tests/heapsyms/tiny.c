/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Smallest firmware for the link-only checks of tests/heapsyms: nothing in
 * .data or .bss, so the heap is exactly what the memory map leaves (with
 * TINY_BSS, that many bytes of .bss). */
#ifdef TINY_BSS
char tiny_bss[TINY_BSS];
#endif
void Reset_Handler(void);
void Reset_Handler(void)
{
    for (;;) {
    }
}
void Reset(void) __attribute__((alias("Reset_Handler"))); /* cortex-m-rt's entry name */
