# SPDX-License-Identifier: MIT OR Apache-2.0
"""Bounds of the loops of code outside the repository that an entry point calls: the
C library's memset (newlib's memset.c, which pvPortCalloc calls to zero outside the
lock). Keyed like the source markers, by the line of the loop in newlib's memset.c
(its line table is in libc.a); a newlib whose memset differs has other lines, and its
loops are then refused, not guessed. Bounds read from that file: `n` bytes are set
as 0-3 bytes up to a word boundary, 16-byte rounds, 0-3 words, 0-3 bytes."""

EXTERN_LOOPS = {
    ("memset.c", 53): ("memset-head", "3"),
    ("memset.c", 72): ("memset-blocks", "bytes / 16"),
    ("memset.c", 81): ("memset-words", "3"),
    ("memset.c", 92): ("memset-tail", "3"),
}

# Work parameters an external function's arguments give: where a call passes a known
# constant, the callee's bound is evaluated at it (a memset of a structure's size).
PARAM_ARGS = {"memset": {"bytes": "r2"}}
