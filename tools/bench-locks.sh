#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# rtheap: what each lock costs per call (docs/multicore.md). Builds bench/lock_cost.c with
# each lock of rtheap_config.h, rtheap at -O2 and at -Os (the harness always -O2), for
# Cortex-M33 (mps2-an521, CPU1 held in reset), Cortex-M3 (mps2-an385) and Cortex-M0
# (microbit), runs each under QEMU with -icount twice (the two runs must print the same)
# and prints, in instructions (uncontended: one core runs):
#   lock   one lock + unlock pair, as every public call takes it
#   pair   one rtheap_alloc(heap, 64) + rtheap_free pair, the lock included
#   vs PRIMASK   the pair's cost over the PRIMASK lock's
# Locks: none (RTHEAP_LOCK_NONE), primask (the default), spin (RTHEAP_LOCK_SPIN: not on
# Armv6-M, which has no exclusive accesses), user (RTHEAP_LOCK_USER with
# tests/smp/peterson_lock.c, Peterson's algorithm). The spinlock and Peterson read the
# core number with one load (CPU_IDENTITY on the SSE-200, a RAM word elsewhere).
# Usage: tools/bench-locks.sh [--cpus "cortex-m33 cortex-m3 cortex-m0"]
# Output in build/bench-locks (the table: locks.md); tools/bench.sh runs it too.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=build/bench-locks
CC=arm-none-eabi-gcc

board_of() {
    case "$1" in
        cortex-m33) echo mps2-an521 ;;
        cortex-m3) echo mps2-an385 ;;
        cortex-m0) echo microbit ;;
        *) echo "bench-locks.sh: no board for $1" >&2; return 1 ;;
    esac
}

# --one CPU LOCK LEVEL: build and run one firmware, twice; prints its L line.
if [ "${1:-}" = --one ]; then
    cpu=$2 lock=$3 level=$4
    n=$out/$cpu-$lock-$level
    board=$(board_of "$cpu")
    F=$(sed -n 's/^set(RTHEAP_CPU_FLAGS "\(.*\)")/\1/p' "toolchain/cpu/$cpu.cmake")
    inc="-Ibench -Isrc -Iboards/common"
    [ "$board" = mps2-an521 ] && inc="$inc -Iboards/mps2-an521 -DLOCK_COST_SSE200"
    defs=
    user=
    case "$lock" in
        none) defs=-DRTHEAP_LOCK_NONE=1 ;;
        spin) defs=-DRTHEAP_LOCK_SPIN=1 ;;
        user) defs=-DRTHEAP_LOCK_USER=1; user=tests/smp/peterson_lock.c ;;
    esac
    C="$CC $F -g -std=gnu11 -Wall -Wextra -Werror -ffunction-sections -fdata-sections $inc"
    C="$C -DRTHEAP_CONFIG_HEADER=\"lock_cost_config.h\" $defs"
    FREE="-ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns"
    mkdir -p "$n"
    {
        $C -O2 "-DLOCK_COST_NAME=\"$lock\"" -c bench/lock_cost.c -o "$n/main.o" &&
        $C -O2 -c bench/bench_empty.c -o "$n/empty.o" &&
        $C -O2 -c boards/common/startup.c -o "$n/startup.o" &&
        $C -O2 -c boards/common/semihost.c -o "$n/semihost.o" &&
        $C -O2 $FREE -c boards/common/minilibc.c -o "$n/minilibc.o" &&
        $C "-$level" $FREE -c src/rtheap.c -o "$n/rtheap.o" &&
        { [ -z "$user" ] || $C "-$level" -c "$user" -o "$n/user.o"; } &&
        $CC $F -nostdlib -nostartfiles -T linker/cortex-m.ld "-Lboards/$board" -Wl,--gc-sections \
            "$n"/*.o -lgcc -o "$n/fw.elf"
    } >"$n/build.log" 2>&1 || { echo "bench-locks.sh: build failed: $n/build.log" >&2; exit 1; }
    m=$(sed -n 's/^set(BOARD_QEMU_MACHINE \(.*\))/\1/p' "boards/$board/board.cmake")
    for run in 1 2; do
        timeout 120 qemu-system-arm -M "$m" -nographic -monitor none -serial none \
            -icount shift=10,sleep=off -semihosting-config enable=on,target=native,chardev=sh0 \
            -chardev stdio,id=sh0 -kernel "$n/fw.elf" >"$n/run$run.txt" 2>&1 ||
            { echo "bench-locks.sh: run failed: $n/run$run.txt" >&2; exit 1; }
    done
    if ! cmp -s "$n/run1.txt" "$n/run2.txt"; then
        echo "bench-locks.sh: NOT DETERMINISTIC: $n/run1.txt and run2.txt differ" >&2
        exit 1
    fi
    line=$(grep '^L ' "$n/run1.txt") || { echo "bench-locks.sh: no result in $n/run1.txt" >&2; exit 1; }
    echo "$cpu $level $line"
    exit 0
fi

cpus="cortex-m33 cortex-m3 cortex-m0"
if [ "${1:-}" = --cpus ]; then
    cpus=$2
fi
. "$root/tools/deps.sh"
rtheap_install_deps || { echo "bench-locks.sh: dependencies missing" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
for cpu in $cpus; do
    locks="none primask spin user"
    [ "$cpu" = cortex-m0 ] && locks="none primask user"
    for level in O2 Os; do
        for lock in $locks; do
            echo "$cpu $lock $level"
        done
    done
done >"$out/list"
jobs=$(nproc 2>/dev/null || echo 2)
xargs -P "$jobs" -L 1 "$root/tools/bench-locks.sh" --one <"$out/list" >"$out/raw.txt"

# The table: per CPU and level, each lock's figures and the pair's cost over PRIMASK.
awk '
function tenths(v) { return sprintf("%d.%d", int(v / 10), v % 10) }
{
    cpu = $1; level = $2; sub(/^lock=/, "", $4); lock = $4
    sub(/^lock10=/, "", $5); sub(/^pair10=/, "", $6)
    key = cpu " " level
    if (!(key in seen)) { seen[key] = 1; order[n++] = key }
    lk[key, lock] = $5; pr[key, lock] = $6
}
END {
    print "| CPU | level | lock | lock + unlock | alloc + free pair | pair vs PRIMASK |"
    print "|---|---|---|---|---|---|"
    split("none primask spin user", locks, " ")
    for (i = 0; i < n; i++) {
        key = order[i]; split(key, k, " ")
        for (j = 1; j <= 4; j++) {
            l = locks[j]
            if (!((key, l) in pr)) continue
            d = pr[key, l] - pr[key, "primask"]
            sign = d < 0 ? "-" : "+"
            if (d < 0) d = -d
            printf "| %s | -%s | %s | %s | %s | %s%s |\n", k[1], k[2], l, tenths(lk[key, l]), tenths(pr[key, l]), sign, tenths(d)
        }
    }
}' "$(sort -k1,1r -k2,2 "$out/raw.txt" >"$out/sorted.txt"; echo "$out/sorted.txt")" >"$out/locks.md"
cat "$out/locks.md"
echo "bench-locks.sh: $(wc -l <"$out/raw.txt") firmware, each run twice (identical); table in $out/locks.md"
