#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# rtheap: code and data size of the library core, measured by linking.
#
# For each CPU, compiles src/rtheap.c at -Os (or $OPT) and links two tiny
# programs with --gc-sections: one that calls the "core" (init, alloc, aligned
# alloc, calloc, realloc, free, usable size, stats) and one that calls nothing.
# The difference is what the core costs a firmware. A third program calls the five
# __rust_* entry points (src/rtheap_rust.c on the default heap, src/rtheap_default.c):
# "rust5.text" is what they cost. Also prints the size of
# the whole object (every function, including rtheap_check/rtheap_walk).
#
# Usage: tools/size.sh [cpu...]      (default: cortex-m0 cortex-m3)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
opt=${OPT:--Os}
# Extra compiler flags, e.g. EXTRA="-DRTHEAP_CHECKS=0 -DRTHEAP_STATS=0"
extra=${EXTRA:-}
cpus=${*:-cortex-m0 cortex-m3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/core.c" <<'C'
#include "rtheap.h"
static char arena[4096] __attribute__((aligned(8)));
void *volatile sink;
int main(void);
int main(void)
{
    rtheap_stats_t st;
    rtheap_t *h = rtheap_init(arena, sizeof arena);
    void *p = rtheap_alloc(h, 10);
    void *q = rtheap_alloc_aligned(h, 10, 64);
    void *r = rtheap_calloc(h, 2, 8);
    p = rtheap_realloc(h, p, 100);
    sink = (void *)rtheap_usable_size(h, q);
    rtheap_get_stats(h, &st);
    rtheap_free(h, p);
    rtheap_free(h, q);
    rtheap_free(h, r);
    return (int)st.live_blocks;
}
C
cat >"$tmp/none.c" <<'C'
static char arena[4096] __attribute__((aligned(8)));
void *volatile sink;
int main(void);
int main(void)
{
    sink = arena;
    return 0;
}
C
cat >"$tmp/rust5.c" <<'C'
#include "rtheap.h"
volatile size_t n = 24, a = 8;
void *volatile sink;
int main(void);
int main(void)
{
    void *p = __rust_allocate(n, a);
    size_t u = __rust_reallocate_inplace(p, n, 2 * n, a);
    p = __rust_reallocate(p, n, 4 * n, a);
    u += __rust_usable_size(n, a);
    __rust_deallocate(p, 4 * n, a);
    sink = p;
    return (int)u;
}
C
cat >"$tmp/start.c" <<'C'
int main(void);
void _start(void);
void _start(void) { (void)main(); for (;;) { } }
C

text_of() { arm-none-eabi-size -A "$1" | awk '$1==".text"{print $2}'; }

printf '%-11s %-4s %9s %9s %9s %11s   %s\n' cpu opt "core.text" "core.data" "core.bss" "rust5.text" "whole rtheap.o (text data bss)"
for cpu in $cpus; do
    flags="-mcpu=$cpu -mthumb -mfloat-abi=soft $opt -std=c11 -ffreestanding -fno-tree-loop-distribute-patterns -ffunction-sections -fdata-sections -I$root/src $extra"
    arm-none-eabi-gcc $flags -c "$root/src/rtheap.c" -o "$tmp/rtheap.o"
    undefined=$(arm-none-eabi-nm -u "$tmp/rtheap.o")
    if [ -n "$undefined" ]; then
        echo "size.sh: rtheap.o for $cpu needs symbols it does not define: $undefined" >&2
        exit 1
    fi
    arm-none-eabi-gcc $flags -c "$root/src/rtheap_rust.c" -o "$tmp/rtheap_rust.o"
    arm-none-eabi-gcc $flags -c "$root/src/rtheap_default.c" -o "$tmp/rtheap_default.o"
    for prog in core none rust5; do
        arm-none-eabi-gcc $flags -nostdlib -nostartfiles -Wl,--gc-sections -Wl,-e,_start \
            "$tmp/$prog.c" "$tmp/start.c" "$tmp/rtheap.o" "$tmp/rtheap_rust.o" "$tmp/rtheap_default.o" \
            -o "$tmp/$prog.elf"
    done
    core=$(( $(text_of "$tmp/core.elf") - $(text_of "$tmp/none.elf") ))
    rust5=$(( $(text_of "$tmp/rust5.elf") - $(text_of "$tmp/none.elf") ))
    # The core has no .data or .bss of its own: the arena is the program's.
    data=$(arm-none-eabi-size -A "$tmp/rtheap.o" | awk '$1 ~ /^\.data/ {s+=$2} END{print s+0}')
    bss=$(arm-none-eabi-size -A "$tmp/rtheap.o" | awk '$1 ~ /^\.bss/ {s+=$2} END{print s+0}')
    whole=$(arm-none-eabi-size "$tmp/rtheap.o" | awk 'NR==2{print $1" "$2" "$3}')
    printf '%-11s %-4s %9s %9s %9s %11s   %s\n' "$cpu" "$opt" "$core" "$data" "$bss" "$rust5" "$whole"
done
