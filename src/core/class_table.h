/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtheap core, RTHEAP_CLASS_TABLE (the default on cores without CLZ): the
 * size class of every block of fewer than 256 granules, computed at compile
 * time by rtheap_class_of's own formula, in a 256-byte table in flash.
 * Included by internal.h.
 */
#ifndef RTHEAP_CORE_CLASS_TABLE_H
#define RTHEAP_CORE_CLASS_TABLE_H

/* rtheap_class_of's formula for g < 256 as a constant expression: its bit
 * scan by comparisons, then the shift and the class. */
#define FLS8_(x)                                                                                   \
    ((x) >> 7 ? 7u                                                                                 \
     : (x) >> 6 ? 6u                                                                               \
     : (x) >> 5 ? 5u                                                                               \
     : (x) >> 4 ? 4u                                                                               \
     : (x) >> 3 ? 3u                                                                               \
     : (x) >> 2 ? 2u                                                                               \
     : (x) >> 1 ? 1u                                                                               \
                : 0u)
#define SHIFT8_(g) (FLS8_((g) | SL_COUNT) - RTHEAP_SL_LOG2)
#define CLASS8_(g) ((SHIFT8_(g) << RTHEAP_SL_LOG2) + ((g) >> SHIFT8_(g)))
#define CLASS8_X4_(g) CLASS8_(g), CLASS8_((g) + 1u), CLASS8_((g) + 2u), CLASS8_((g) + 3u)
#define CLASS8_X16_(g) CLASS8_X4_(g), CLASS8_X4_((g) + 4u), CLASS8_X4_((g) + 8u), CLASS8_X4_((g) + 12u)
#define CLASS8_X64_(g)                                                                             \
    CLASS8_X16_(g), CLASS8_X16_((g) + 16u), CLASS8_X16_((g) + 32u), CLASS8_X16_((g) + 48u)
/* Class of g granules for g < 256 (RTHEAP_CLASS_TABLE). */
static const uint8_t rtheap_class_table[256] = {CLASS8_X64_(0u), CLASS8_X64_(64u),
                                                CLASS8_X64_(128u), CLASS8_X64_(192u)};
_Static_assert(CLASS8_(255u) < 256u, "the class table's entries fit a byte");

/* The shift that takes a block of 256 or more granules, below 256 << CLASS_STEP, into the
 * table: what is left of it (at least 256 >> CLASS_STEP = SL_COUNT) is above row 0. */
#define CLASS_STEP (8u - RTHEAP_SL_LOG2)
_Static_assert((256u >> CLASS_STEP) == SL_COUNT, "a shifted block stays above row 0");

#endif /* RTHEAP_CORE_CLASS_TABLE_H */
