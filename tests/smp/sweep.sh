#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# The two-core tests at 20 SysTick periods per lock (each period is another interleaving
# of the cores under -icount shift=0,sleep=off; a run of one period is always the same).
# Prints one line per run and a tally per configuration: passed (exit 0 and the OK
# line), damage detected (exit 1), fault (3), CPU1 stuck or the handler idle (2), panic
# (101, Rust), other (a timeout, ...).
# Usage: tests/smp/sweep.sh [--rust] [BUILD_DIR] [OPS]    (default build/cortex-m33, 5000)
#   without --rust: the C firmware of tests/smp (smp_dual.c), every lock configuration
#   --rust: the Rust firmware (tests/rust/src/bin/dual_core.rs), one build per lock
#           (ninja -C BUILD_DIR rust-firmware-smp)
# The firmware comes from the cortex-m33 tree.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
rust=0
if [ "${1:-}" = --rust ]; then
    rust=1
    shift
fi
dir=${1:-$root/build/cortex-m33}
ops=${2:-5000}
periods="7 11 13 17 23 29 37 47 61 79 100 131 173 229 307 401 523 701 1000 3001"
if [ $rust = 1 ]; then
    configs="spin user primask"
    elf_of() { echo "$dir/tests/rust/rust-smp-$1.mps2-an521.elf"; }
    tag=dual_core
else
    configs="spin spin_v7m user v6m_user primask v6m_primask"
    elf_of() { echo "$dir/tests/smp/smp_$1.mps2-an521.elf"; }
    tag=smp_dual
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for c in $configs; do
    elf=$(elf_of "$c")
    if [ ! -f "$elf" ]; then
        echo "sweep: $elf missing (build the cortex-m33 tree first)" >&2
        exit 2
    fi
    pass=0 detected=0 fault=0 stuck=0 panic=0 other=0
    for p in $periods; do
        timeout 120 qemu-system-arm -M mps2-an521 -cpu cortex-m33 -nographic -monitor none \
            -serial none -semihosting-config enable=on,target=native,chardev=sh0 \
            -chardev stdio,id=sh0 -kernel "$elf" -icount shift=0,sleep=off \
            -append "ops=$ops period=$p" >"$out/run" 2>&1
        rc=$?
        case $rc in
            0) if grep -q "$tag: OK" "$out/run"; then pass=$((pass + 1)); what=passed
               else other=$((other + 1)); what="exit 0 without the OK line"; fi ;;
            1) detected=$((detected + 1))
               what="damage detected: $(grep -m1 "$tag: the heap was damaged\|CHECK failed" "$out/run")" ;;
            2) stuck=$((stuck + 1)); what="$(grep -m1 "$tag:" "$out/run")" ;;
            3) fault=$((fault + 1)); what="fault: $(grep -m1 -o 'HardFault.*' "$out/run")" ;;
            101) panic=$((panic + 1)); what=$(grep -m1 "PANIC" "$out/run") ;;
            *) other=$((other + 1)); what="exit $rc" ;;
        esac
        echo "  $c period=$p: $what"
    done
    echo "$c: $pass passed, $((detected + fault + stuck + panic + other)) failed (damage detected $detected, fault $fault, CPU1 stuck or handler idle $stuck, panic $panic, other $other)"
done
