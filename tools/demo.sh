#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# rtheap demo:  tools/demo.sh [BOARD]     (default mps2-an385; the boards are in boards/)
#
# Builds the message-router firmware (demo/router.c: picolibc's malloc family served by
# rtheap through rtheap::libc) in a CMake cross tree for the board's CPU,
# build/demo-<board>, and runs it under QEMU with -icount, which makes the instruction
# counts it prints exact and repeatable. The firmware's exit status is the script's.
#
# On a fresh Debian 12, run it as root: it first installs what is
# missing of cmake ninja-build gcc-arm-none-eabi picolibc-arm-none-eabi qemu-system-arm.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

board=${1:-mps2-an385}
if [ ! -f "boards/$board/board.cmake" ]; then
    known=
    for f in boards/*/board.cmake; do
        known="$known $(basename "$(dirname "$f")")"
    done
    echo "demo.sh: unknown board '$board'; boards:$known" >&2
    exit 2
fi

# --- dependencies -----------------------------------------------------------------------
pkgs="cmake ninja-build gcc-arm-none-eabi picolibc-arm-none-eabi qemu-system-arm"
missing=
if command -v dpkg >/dev/null 2>&1; then
    for p in $pkgs; do
        dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
    done
else
    for c in cmake ninja arm-none-eabi-gcc qemu-system-arm; do
        command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
    done
    [ -z "$missing" ] || { echo "demo.sh: missing:$missing (install them; packages: $pkgs)" >&2; exit 1; }
fi
if [ -n "$missing" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "demo.sh: missing packages:$missing" >&2
        echo "demo.sh: run as root, or: sudo apt-get install -y --no-install-recommends$missing" >&2
        exit 1
    fi
    echo "demo.sh: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

# --- build --------------------------------------------------------------------------------
# board.cmake lines look like: set(BOARD_CPU cortex-m3)
get() { sed -n "s/^set(BOARD_$1 \(.*\))$/\1/p" "boards/$board/board.cmake"; }
cpu=$(get CPU)
machine=$(get QEMU_MACHINE)
dir=build/demo-$board
log=$dir.log
mkdir -p build
echo "demo.sh: building demo.$board.elf for $cpu in $dir"
if ! { cmake -G Ninja -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$root/toolchain/arm-none-eabi.cmake" \
          -DRTHEAP_CPU="$cpu" -DRTHEAP_RUST_TESTS=OFF &&
       cmake --build "$dir" --target "demo.$board.elf"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "demo.sh: build failed (log: $log)" >&2
    exit 1
fi

# --- run ----------------------------------------------------------------------------------
# -icount shift=7: each instruction advances virtual time by 128 ns, so SysTick (clocked by
# the CPU clock of every board here, 12..168 MHz) ticks at least once per instruction.
echo "demo.sh: running on QEMU -M $machine -icount shift=7"
echo
# The firmware also prints a heap map dump (tools/heapmap.py's input) between
# "--- heapmap begin ---" and "--- heapmap end ---": it goes to $dir/heapmap.txt, not to
# the terminal, and becomes $dir/heapmap.svg.
dump=$dir/heapmap.txt
rm -f "$dump" "$dir/heapmap.svg"
set +e
{
    timeout 300 qemu-system-arm -M "$machine" -cpu "$(get QEMU_CPU)" -nographic \
        -monitor none -serial none -icount shift=7,sleep=off \
        -semihosting-config enable=on,target=native,chardev=sh0 -chardev stdio,id=sh0 \
        -kernel "$dir/demo/demo.$board.elf"
    echo $? >"$dir/demo.rc"
} | awk -v dump="$dump" '
    $0 == "--- heapmap begin ---" { inmap = 1; next }
    $0 == "--- heapmap end ---"   { inmap = 0; next }
    inmap { print > dump; next }
    { print; fflush() }'
rc=$(cat "$dir/demo.rc" 2>/dev/null || echo 1)
set -e
[ "$rc" -eq 0 ] || echo "demo.sh: the firmware exited with status $rc" >&2
if [ -s "$dump" ]; then
    if command -v python3 >/dev/null 2>&1 &&
       python3 tools/heapmap.py -o "$dir/heapmap.svg" "$dump" >/dev/null; then
        echo
        echo "heap map picture: $dir/heapmap.svg"
    else
        echo "demo.sh: could not draw the heap map (python3 tools/heapmap.py $dump)" >&2
    fi
fi
exit "$rc"
