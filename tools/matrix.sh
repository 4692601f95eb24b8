#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# rtheap: the build matrix. Every documented option of
# src/rtheap_config.h varied on its own, plus a few combinations, each built with GCC and
# with clang, warnings as errors (-Wall -Wextra -Werror and the warning flags of the top
# CMakeLists.txt), straight with the compiler (no CMake): src/rtheap.c + the stress rig
# (tests/core/test_matrix.c, stress.c, the harness) into one host binary per
# configuration, which then runs a short shadow-model stress with rtheap_check() after
# every operation. 64-bit host, and -m32 for the 32-bit configurations (ALIGNMENT 8).
#
# Usage: tools/matrix.sh [NAME-REGEX]     (e.g. tools/matrix.sh private)
#   MATRIX_CC="gcc clang"  compilers;  MATRIX_OPS  stress operations (default 20000)
#   MATRIX_JOBS            parallel builds (default 2); MATRIX_EXTRA  more compiler flags
# Per configuration one line "  <cc> <name>: OK" or "FAILED (...)" with the warnings; logs in build/matrix/. Last line: "N passed, N failed" (builds x compilers).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
out=build/matrix
mkdir -p "$out"

# name | flags. Each option on its own, then combinations.
configs() {
    cat <<'LIST'
default|
m32|-m32
checks0|-DRTHEAP_CHECKS=0
checks2|-DRTHEAP_CHECKS=2
stats0|-DRTHEAP_STATS=0
align16-m32|-m32 -DRTHEAP_ALIGNMENT=16
align32|-DRTHEAP_ALIGNMENT=32
align64|-DRTHEAP_ALIGNMENT=64
sl2|-DRTHEAP_SL_LOG2=2
sl3|-DRTHEAP_SL_LOG2=3
sl5|-DRTHEAP_SL_LOG2=5
debug|-DRTHEAP_DEBUG=1
poison|-DRTHEAP_POISON=1
regions1|-DRTHEAP_MAX_REGIONS=1
regions32|-DRTHEAP_MAX_REGIONS=32
noclz|-DRTHEAP_USE_CLZ=0
noclz-notable|-DRTHEAP_USE_CLZ=0 -DRTHEAP_CLASS_TABLE=0
table-clz|-DRTHEAP_CLASS_TABLE=1 -DRTHEAP_SL_LOG2=5
alignedfit|-DRTHEAP_ALIGNED_FIT=1
private|-DRTHEAP_PRIVATE=
fitscan8|-DRTHEAP_FIT_SCAN=8
fitscan64|-DRTHEAP_FIT_SCAN=64
locknone|-DRTHEAP_LOCK_NONE=1
Os|-Os
Os-paranoid|-Os -DRTHEAP_CHECKS=2 -DRTHEAP_POISON=1
Os-small|-Os -DRTHEAP_SMALL=1
O0|-O0
minimal|-DRTHEAP_CHECKS=0 -DRTHEAP_STATS=0 -DRTHEAP_USE_CLZ=0 -DRTHEAP_MAX_REGIONS=1
paranoid|-DRTHEAP_CHECKS=2 -DRTHEAP_POISON=1 -DRTHEAP_SL_LOG2=5 -DRTHEAP_ALIGNMENT=64 -DRTHEAP_FIT_SCAN=64
small-m32|-m32 -DRTHEAP_SL_LOG2=2 -DRTHEAP_USE_CLZ=0 -DRTHEAP_FIT_SCAN=4 -DRTHEAP_PRIVATE=
debug-m32|-m32 -DRTHEAP_DEBUG=1 -DRTHEAP_CHECKS=2 -DRTHEAP_MAX_REGIONS=32
checks0-private|-DRTHEAP_CHECKS=0 -DRTHEAP_PRIVATE= -DRTHEAP_STATS=0
small|-DRTHEAP_SMALL=1
small-debug|-DRTHEAP_SMALL=1 -DRTHEAP_DEBUG=1
small-checked|-DRTHEAP_SMALL=1 -DRTHEAP_CHECKS=2 -DRTHEAP_STATS=1
small-regions|-DRTHEAP_SMALL=1 -DRTHEAP_CHECKS=2 -DRTHEAP_STATS=1 -DRTHEAP_MAX_REGIONS=4 -DRTHEAP_POISON=1
LIST
}

# The warning flags of the top CMakeLists.txt (rtheap_warnings), so the two stay in step.
warn=$(sed -n '/target_compile_options(rtheap_warnings/,/)/p' CMakeLists.txt |
       grep -oE -- '-W[a-z][a-z-]*' | grep -v -- '-Werror' | sort -u | tr '\n' ' ')
[ -n "$warn" ] || warn="-Wall -Wextra -Wconversion -Wsign-conversion -Wcast-align -Wundef -Wmissing-declarations -Wshadow"
base="-std=gnu11 -O2 -g0 $warn -Werror ${MATRIX_EXTRA:-} -Isrc -Itests/harness -Itests/core -DMATRIX_OPS=${MATRIX_OPS:-20000}u"
srcs="src/rtheap.c tests/core/test_matrix.c tests/core/stress.c tests/harness/harness.c"

if [ "${1:-}" = --one ]; then
    # --one CC NAME FLAGS...: one build and run (called in parallel by the loop below).
    cc=$2 name=$3; shift 3
    log=$out/$cc-$name.log
    bin=$out/$cc-$name
    # shellcheck disable=SC2086
    if ! $cc $base "$@" -o "$bin" $srcs >"$log" 2>&1; then
        kinds=$(grep -oE '\[-W[^]]*\]' "$log" | sort | uniq -c | sed -E 's/^ *([0-9]+) /\1 x /' | tr '\n' ' ')
        first=$(grep -E 'warning:|error:' "$log" | sed -E 's|^[^ ]*/||' | head -n 1)
        echo "  $cc $name: FAILED to build: ${kinds:-}; first: $first (log $log)"
        exit 1
    fi
    if ! "$bin" >>"$log" 2>&1; then
        echo "  $cc $name: FAILED the stress: $(grep -E 'CHECK failed|stress:' "$log" | head -n 2 | tr '\n' ' ')(log $log)"
        exit 1
    fi
    echo "  $cc $name: OK ($(grep -E '^matrix stress' "$log" | sed 's/^matrix stress: //'))"
    exit 0
fi

filter=${1:-.}
ccs=${MATRIX_CC:-gcc clang}
start=$(date +%s)
list=$out/list
: >"$list"
printf 'int main(void) { return 0; }\n' >"$out/m32.c"
for cc in $ccs; do
    command -v "$cc" >/dev/null 2>&1 || { echo "matrix: $cc not found"; echo "0 passed, 1 failed"; exit 1; }
    # The 32-bit configurations need a -m32 toolchain (gcc-multilib, x86 only).
    skip='^$'
    if ! $cc -m32 -o "$out/m32" "$out/m32.c" >/dev/null 2>&1 || ! "$out/m32"; then
        echo "matrix: $cc cannot build and run -m32 programs here: skipping the -m32 configurations"
        skip=' -m32'
    fi
    configs | grep -E "^[^|]*($filter)[^|]*\|" | grep -vE -- "$skip" | while IFS='|' read -r name flags; do
        # No trailing blank: xargs -L would join the next line to this one.
        printf '%s %s%s\n' "$cc" "$name" "${flags:+ $flags}" >>"$list"
    done
done
# Two at a time (the machine has two cores); xargs runs each line as one --one call.
xargs -P "${MATRIX_JOBS:-2}" -L 1 sh "$0" --one <"$list" >"$out/results" 2>&1
sort "$out/results"
pass=$(grep -c ': OK (' "$out/results")
fail=$(grep -c ': FAILED' "$out/results")
total=$(wc -l <"$list")
missing=$((total - pass - fail))
[ $missing -gt 0 ] && { echo "matrix: $missing builds gave no result"; fail=$((fail + missing)); }
echo "  flags: $base"
echo "matrix: $total builds in $(( $(date +%s) - start )) s, $fail failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
