#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# rtheap demo:  tools/demo.sh [BOARD]     (default mps2-an385; the boards are in boards/)
#               tools/demo.sh --rust [BOARD]   (default mps2-an386)
#
# Builds the message-router firmware (demo/router.c: picolibc's malloc family served by
# rtheap through rtheap::libc) in a CMake cross tree for the board's CPU,
# build/demo-<board>, and runs it under QEMU with -icount, which makes the instruction
# counts it prints exact and repeatable. The firmware's exit status is the script's.
#
# --rust: the Rust demo instead (demo/rust: a no_std firmware on the rtheap crate, with
# collections in two heaps), built with Debian's Rust offline (core and alloc from
# source, in build/demo-rust-<board>; RTHEAP_DEMO_DIR=<dir> builds elsewhere) for
# mps2-an386, mps2-an385, mps2-an505 or microbit.
#
# On a fresh Debian 12, run it as root: it first installs what is
# missing of cmake ninja-build gcc-arm-none-eabi picolibc-arm-none-eabi qemu-system-arm
# (--rust: rustc-web cargo-web rust-web-src gcc-arm-none-eabi qemu-system-arm).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

rust=0
if [ "${1:-}" = --rust ]; then
    rust=1
    shift
fi
if [ "$rust" -eq 1 ]; then
    board=${1:-mps2-an386}
else
    board=${1:-mps2-an385}
fi
if [ ! -f "boards/$board/board.cmake" ]; then
    known=
    for f in boards/*/board.cmake; do
        known="$known $(basename "$(dirname "$f")")"
    done
    echo "demo.sh: unknown board '$board'; boards:$known" >&2
    exit 2
fi
# The Rust demo's boards: those of demo/rust/build.rs.
rust_boards="mps2-an386 mps2-an385 mps2-an505 microbit"
if [ "$rust" -eq 1 ] && ! echo " $rust_boards " | grep -q " $board "; then
    echo "demo.sh: the Rust demo runs on $rust_boards, not on '$board'" >&2
    exit 2
fi

# --- dependencies -----------------------------------------------------------------------
pkgs="cmake ninja-build gcc-arm-none-eabi picolibc-arm-none-eabi qemu-system-arm"
cmds="cmake ninja arm-none-eabi-gcc qemu-system-arm"
if [ "$rust" -eq 1 ]; then
    pkgs="rustc-web cargo-web rust-web-src gcc-arm-none-eabi qemu-system-arm"
    cmds="/usr/bin/cargo /usr/bin/rustc arm-none-eabi-gcc qemu-system-arm"
fi
missing=
if command -v dpkg >/dev/null 2>&1; then
    for p in $pkgs; do
        dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
    done
else
    for c in $cmds; do
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
if [ "$rust" -eq 1 ]; then
    target=$(get RUST_TARGET)
    dir=${RTHEAP_DEMO_DIR:-build/demo-rust-$board}
    case $dir in /*) abs=$dir ;; *) abs=$root/$dir ;; esac
    log=$dir.log
    # Offline: the demo depends on nothing beyond Debian's standard library sources.
    sh "$root/tools/cargo-offline.sh" "$dir/cargo-home"
    echo "demo.sh: building demo/rust for $board ($target) in $dir"
    [ -d "$dir/target/$target" ] || echo "demo.sh: the first build also compiles Rust's core and alloc"
    # Debian's cargo and rustc, never rustup's; nothing from the caller's environment
    # changes the demo's flags (RUSTFLAGS would replace .cargo/config.toml's) or makes
    # the crate compile its C code with a host compiler (CC, CFLAGS, AR).
    if ! (cd demo/rust && env -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS -u CARGO_BUILD_TARGET \
              -u RUSTUP_TOOLCHAIN -u CC -u CFLAGS -u AR \
              RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_HOME="$abs/cargo-home" \
              CARGO_TARGET_DIR="$abs/target" RTHEAP_DEMO_BOARD="$board" \
              /usr/bin/cargo build --release --offline --target "$target") >"$log" 2>&1; then
        cat "$log" >&2
        echo "demo.sh: build failed (log: $log)" >&2
        exit 1
    fi
    elf=$dir/target/$target/release/rtheap-demo
else
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
    elf=$dir/demo/demo.$board.elf
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
        -kernel "$elf"
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
