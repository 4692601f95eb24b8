#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# spin_builds.sh ROOT: the spinlock (RTHEAP_LOCK_SPIN) compiles wherever it is offered,
# by arm-none-eabi-gcc and, when present, clang: every Armv7-M and Armv8-M CPU (Armv8-M
# Baseline's 16-bit encodings too), -O0, -Os, -O2 and -O3, with RTHEAP_CORE_ID() as the
# firmware's function, as a register read (the macro of rtheap_config.h's comment) and
# as a constant, warnings as errors. Its inline assembly must find the registers it asks
# for in every function it is inlined into. Prints each failing build; exit status 1 if
# any fails. Both compilers must be installed (clang found what GCC did not).
root=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0 builds=0
for cc in arm-none-eabi-gcc clang; do
    if ! command -v "$cc" >/dev/null 2>&1; then
        echo "FAIL spin_builds: $cc not installed"
        fail=1
        continue
    fi
    for cpu in "cortex-m3" "cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16" \
        "cortex-m7 -mfloat-abi=hard -mfpu=fpv5-d16" "cortex-m23" "cortex-m33"; do
        target=
        [ "$cc" = clang ] && target=--target=arm-none-eabi
        for level in -O0 -Os -O2 -O3; do
            for id in function "(*(volatile uint32_t *)0x5001F000u)" 0u; do
                def=
                [ "$id" = function ] || def="-DRTHEAP_CORE_ID()=$id"
                builds=$((builds + 1))
                # shellcheck disable=SC2086
                if ! "$cc" $target -mcpu=$cpu -mthumb $level -ffreestanding -Wall -Wextra \
                    -Werror -DRTHEAP_LOCK_SPIN=1 ${def:+"$def"} -I"$root/src" \
                    -c "$root/src/rtheap.c" -o "$tmp/rtheap.o" 2>"$tmp/err"; then
                    echo "FAIL $cc $cpu $level RTHEAP_CORE_ID: $id"
                    head -n 5 "$tmp/err"
                    fail=1
                fi
            done
        done
    done
done
echo "spin_builds: $builds builds, $([ $fail = 0 ] && echo "all compile" || echo "some FAILED")"
exit $fail
