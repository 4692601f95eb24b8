#!/bin/sh
# rtheap demo. Usage: tools/demo.sh [BOARD]   (default mps2-an385; see boards/)
# For now: builds the board smoke firmware for BOARD and runs it under QEMU.
# On a fresh Debian 12 run it as root (sudo tools/demo.sh): it installs what is missing.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. "$root/tools/deps.sh"
board=${1:-mps2-an385}
if [ ! -f "boards/$board/board.cmake" ]; then
    echo "demo.sh: unknown board '$board'; boards: $(cd boards && ls -d */ | tr -d / | grep -v common | tr '\n' ' ')" >&2
    exit 2
fi
rtheap_install_deps
# board.cmake lines look like: set(BOARD_CPU cortex-m3)
get() { sed -n "s/^set(BOARD_$1 \(.*\))$/\1/p" "boards/$board/board.cmake"; }
cpu=$(get CPU)
dir=build/$cpu
cmake -G Ninja -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$root/toolchain/arm-none-eabi.cmake" \
    -DRTHEAP_CPU="$cpu" >/dev/null
cmake --build "$dir" --target "smoke.$board.elf"
echo "demo.sh: running smoke.$board.elf on QEMU -M $(get QEMU_MACHINE)"
set +e
timeout 60 qemu-system-arm -M "$(get QEMU_MACHINE)" -cpu "$(get QEMU_CPU)" -nographic \
    -monitor none -serial none \
    -semihosting-config enable=on,target=native,chardev=sh0 -chardev stdio,id=sh0 \
    -kernel "$dir/tests/smoke.$board.elf"
rc=$?
echo "demo.sh: firmware exit status $rc"
exit $rc
