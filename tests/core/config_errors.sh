#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# config_errors.sh ROOT: option values rtheap_config.h must refuse, each with its own
# #error (a build that would misbehave or call libgcc is stopped, said why), and a
# control that must build. Compiled with -fsyntax-only by arm-none-eabi-gcc for a
# Cortex-M3 and, for the no-CLZ cores, a Cortex-M0 (gcc) and a Cortex-M23 (clang, which
# claims CLZ there; skipped, said by name, when clang is not installed).
root=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0 cases=0
# expect <compiler flags> <regex of the #error>: must fail with that message ("" builds).
expect() {
    flags=$1 re=$2
    cases=$((cases + 1))
    # shellcheck disable=SC2086
    if $flags -ffreestanding -fsyntax-only -I"$root/src" "$root/src/rtheap.c" \
        "$root/src/rtheap_default.c" >"$tmp/out" 2>&1; then
        [ -z "$re" ] && { echo "ok   builds: $flags"; return; }
        echo "FAIL $flags: built, expected #error /$re/"
        fail=1
    elif [ -n "$re" ] && grep -Eq -- "$re" "$tmp/out"; then
        echo "ok   refused: $flags"
    else
        echo "FAIL $flags: expected ${re:-a build}, got:"; head -n 5 "$tmp/out"
        fail=1
    fi
}
m3="arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb"
m0="arm-none-eabi-gcc -mcpu=cortex-m0 -mthumb"
expect "$m3" ""
expect "$m3 -DRTHEAP_MAX_REGIONS=1" ""
expect "$m3 -DRTHEAP_SMALL=1" ""
expect "$m3 -DRTHEAP_MAX_REGIONS=1 -DRTHEAP_DEFAULT_SECOND_REGION=1" "needs RTHEAP_MAX_REGIONS >= 2"
expect "$m3 -DRTHEAP_SMALL=1 -DRTHEAP_DEFAULT_SECOND_REGION=1" "needs RTHEAP_MAX_REGIONS >= 2"
expect "$m3 -DRTHEAP_DEFAULT_SECOND_REGION=2" "RTHEAP_DEFAULT_SECOND_REGION must be 0 or 1"
expect "$m3 -DRTHEAP_USE_CLZ=2" "RTHEAP_USE_CLZ must be 0 or 1"
expect "$m3 -DRTHEAP_DEBUG=2" "RTHEAP_DEBUG must be 0 or 1"
expect "$m3 -DRTHEAP_POISON=2" "RTHEAP_POISON must be 0 or 1"
expect "$m3 -DRTHEAP_ALIGNMENT=128" "only 8, 16, 32 and 64"
expect "$m3 -DRTHEAP_ALIGNMENT=4" "at least two pointers"
expect "$m3 -DRTHEAP_SL_LOG2=6" "RTHEAP_SL_LOG2 must be in 2..5"
expect "$m3 -DRTHEAP_SMALL=1 -DRTHEAP_CHECKS=2" "needs RTHEAP_STATS 1"
expect "$m0 -DRTHEAP_USE_CLZ=1" "core without CLZ"
if command -v clang >/dev/null 2>&1; then
    expect "clang --target=thumbv8m.base-none-eabi -mcpu=cortex-m23 -DRTHEAP_USE_CLZ=1" \
        "core without CLZ"
    expect "clang --target=thumbv8m.base-none-eabi -mcpu=cortex-m23" ""
else
    echo "config_errors: clang not installed: its Cortex-M23 cases skipped"
fi
if [ "$fail" -ne 0 ]; then
    echo "config_errors: FAILED"
    exit 1
fi
echo "config_errors: OK ($cases cases)"
