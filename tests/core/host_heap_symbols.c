/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Host builds of test_default: the linker-script symbols rtheap_default() reads
 * (__heap_start/__heap_end around a 64 KiB .bss area). __heap2_* stay undefined:
 * rtheap_default.c declares them weak, as on a board without a second RAM. */
__asm__(".pushsection .bss\n"
        ".balign 16\n"
        ".globl __heap_start\n"
        "__heap_start:\n"
        ".space 65536\n"
        ".globl __heap_end\n"
        "__heap_end:\n"
        ".popsection\n");
