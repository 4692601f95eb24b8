#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# Builds tests/freertos/consumer (a FreeRTOS firmware project) with the given heap,
# as a project of its own with rtheap's toolchain file, and runs it on mps2-an385.
#   consumer.sh <heap_4|rtheap> <rtheap root> <FreeRTOS dir> <work dir> [generator]
set -eu
heap=$1 root=$2 kernel=$3 work=$4 gen=${5:-Ninja}
dir=$work/consumer-$heap
rm -rf "$dir"
cmake -G "$gen" -S "$root/tests/freertos/consumer" -B "$dir" \
    -DCMAKE_TOOLCHAIN_FILE="$root/toolchain/arm-none-eabi.cmake" -DRTHEAP_CPU=cortex-m3 \
    -DRTHEAP_DIR="$root" -DFREERTOS_DIR="$kernel" -DFREERTOS_HEAP="$heap" >"$dir.log" 2>&1 ||
    { cat "$dir.log"; exit 1; }
cmake --build "$dir" >>"$dir.log" 2>&1 || { cat "$dir.log"; exit 1; }
exec timeout 30 qemu-system-arm -M mps2-an385 -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native,chardev=sh0 -chardev stdio,id=sh0 \
    -kernel "$dir/fw.elf"
