#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# The Rust two-core firmware (src/bin/dual_core.rs, one build per lock) at 20 SysTick
# periods each, under -icount shift=0,sleep=off: each period is another interleaving of
# the cores, and a run of one period is always the same. One line per run, then a tally
# per lock: passed (exit 0 and "dual_core: OK"), damage detected (exit 1), fault (3),
# CPU1 stuck or the handler idle (2), panic (101), other (a timeout, ...).
# Usage: tests/rust/smp_sweep.sh [BUILD_DIR] [OPS]    (default build/cortex-m33, 5000)
# The firmware comes from the cortex-m33 tree (ninja -C BUILD_DIR rust-firmware-smp).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$root/build/cortex-m33}
ops=${2:-5000}
periods="7 11 13 17 23 29 37 47 61 79 100 131 173 229 307 401 523 701 1000 3001"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for lock in spin user primask; do
    elf=$dir/tests/rust/rust-smp-$lock.mps2-an521.elf
    if [ ! -f "$elf" ]; then
        echo "smp_sweep: $elf missing (build the cortex-m33 tree first)" >&2
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
            0) if grep -q "^dual_core: OK" "$out/run"; then pass=$((pass + 1)); what=passed
               else other=$((other + 1)); what="exit 0 without the OK line"; fi ;;
            1) detected=$((detected + 1)); what=$(grep -m1 "^dual_core: the heap was damaged" "$out/run") ;;
            2) stuck=$((stuck + 1)); what=$(grep -m1 "^dual_core:" "$out/run") ;;
            3) fault=$((fault + 1)); what="fault: $(grep -m1 -o 'HardFault.*' "$out/run")" ;;
            101) panic=$((panic + 1)); what=$(grep -m1 "PANIC" "$out/run") ;;
            *) other=$((other + 1)); what="exit $rc" ;;
        esac
        echo "  $lock period=$p: $what"
    done
    echo "$lock: $pass passed, $((detected + fault + stuck + panic + other)) failed (damage detected $detected, fault $fault, CPU1 stuck or handler idle $stuck, panic $panic, other $other)"
done
