#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# quickstart_clang.sh ROOT: the README's C quick start built by clang instead of
# arm-none-eabi-gcc, as a firmware without a C library (boards/common/minilibc.c,
# compiled with no special flags), linked by arm-none-eabi-gcc -nostdlib, and run under
# QEMU on a Cortex-M3 (mps2-an385) and a Cortex-M0 (microbit) board at -O2 and -Os. It
# must print "rtheap: OK" and exit 0. clang calls __aeabi_memcpy and friends for copies
# it makes itself, which minilibc must define without calling itself back.
root=$1
if ! command -v clang >/dev/null 2>&1; then
    echo "quickstart_clang: clang not installed: FAILED"
    exit 1
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
sed -n '/<!-- snippet: c-quickstart -->/,/^```$/p' "$root/README.md" | sed '1,2d;$d' >"$tmp/main.c"
fail=0 runs=0
for pair in cortex-m3:mps2-an385 cortex-m0:microbit; do
    cpu=${pair%%:*} board=${pair#*:}
    for level in -O2 -Os; do
        objs=
        for src in "$tmp/main.c" "$root/src/rtheap.c" "$root/src/rtheap_default.c" \
            "$root/boards/common/startup.c" "$root/boards/common/semihost.c" \
            "$root/boards/common/minilibc.c"; do
            o="$tmp/$(basename "$src" .c).o"
            clang --target=arm-none-eabi -mcpu="$cpu" -mthumb "$level" -I"$root/src" \
                -I"$root/boards/common" -c "$src" -o "$o" || { fail=1; continue 2; }
            objs="$objs $o"
        done
        runs=$((runs + 1))
        # shellcheck disable=SC2086
        if ! arm-none-eabi-gcc -mcpu="$cpu" -mthumb -nostartfiles -nostdlib $objs \
            -T "$root/linker/cortex-m.ld" -L "$root/boards/$board" -lgcc -o "$tmp/fw.elf" \
            2>"$tmp/link.log"; then
            grep -v "warning" "$tmp/link.log" | head -n 5
            echo "quickstart_clang: $cpu $level: link FAILED"
            fail=1
            continue
        fi
        out=$(timeout -k 5 20 qemu-system-arm -M "$board" -nographic -monitor none -serial none \
            -semihosting-config enable=on,target=native,chardev=sh0 -chardev stdio,id=sh0 \
            -kernel "$tmp/fw.elf" 2>&1)
        status=$?
        if [ "$status" != 0 ] || [ "$out" != "rtheap: OK" ]; then
            echo "quickstart_clang: $cpu $level on $board: exit $status, output: $out: FAILED"
            fail=1
        else
            echo "quickstart_clang: $cpu $level on $board: rtheap: OK"
        fi
    done
done
[ "$fail" = 0 ] && echo "quickstart_clang: OK ($runs runs)"
exit $fail
