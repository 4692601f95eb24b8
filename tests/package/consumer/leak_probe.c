/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Compiled with the consumer's -Wall -Wextra -Wsign-conversion but not -Werror:
 * the sign conversion below warns and must not fail the build. It would if rtheap
 * leaked its warnings-as-errors into the consumer's targets.
 */
#include <stddef.h>

size_t consumer_leak_probe(int n);

size_t consumer_leak_probe(int n)
{
    size_t s = n; /* deliberate -Wsign-conversion warning */
    return s;
}
