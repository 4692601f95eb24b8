/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A library of the firmware's that asks for mallinfo(), linked after
 * rtheap_libc (it does not link rtheap::libc itself): its reference is met
 * only once the layer's archive has been searched. mallinfo() lives in the
 * object that -u malloc pulls in, so the reference must resolve to it, not
 * to the C library's own (which would bring in its allocator: a link error).
 */
#include <malloc.h>
#include <stddef.h>

size_t late_arena(void);

size_t late_arena(void)
{
    return (size_t)mallinfo().arena;
}
