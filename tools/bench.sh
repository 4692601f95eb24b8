#!/bin/sh
# rtheap: THE benchmark command (issue #7). Separate from tools/test.sh.
#
# Builds bench/bench.c once per allocator and CPU, runs every workload under QEMU with
# -icount (SysTick then counts executed instructions), runs everything a second time and
# fails unless both runs printed identical numbers, then writes under bench/results/:
#   results.md     the tables (per-call instructions, utilization, failures, code, RAM)
#   results.json   the same numbers, machine-readable
#   calls-<cpu>.png   per-call instruction distributions and maxima per allocator
# The raw firmware output stays in build/bench/raw (first run) and build/bench/raw.2.
#
# Allocators (each linked into its own firmware, same 64 KiB arena, same op traces):
#   rtheap          src/rtheap.c, default config (O(1) checks + stats), -O2
#   rtheap-nochk    src/rtheap.c with -DRTHEAP_CHECKS=0 -DRTHEAP_STATS=0
#   picolibc        Debian picolibc-arm-none-eabi malloc (grows via sbrk over the arena)
#   newlib          Debian libnewlib-arm-none-eabi libc.a malloc (_sbrk over the arena)
#   newlib-nano     the same package's libc_nano.a malloc
#   (none)          no allocator: the baseline for code and RAM deltas
# CPUs/boards: cortex-m3 (mps2-an385), cortex-m0 (microbit: 16 KiB RAM, so an 8 KiB heap
# and blocks capped at 512 B there), cortex-m4f (mps2-an386), cortex-m7 (mps2-an500),
# cortex-m33 (mps2-an505). Host (x86-64): rtheap vs glibc under callgrind.
#
# Usage: tools/bench.sh [--quick] [--cpus "cortex-m3 cortex-m0 ..."] [--no-host]
#   --quick   1000 ops per trace instead of 4000, Cortex-M3 only, no host run (< 2 minutes)
# Exit status 0 only if everything built, ran and the two runs were identical.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. "$root/tools/deps.sh"

qemu_machine() {
    sed -n 's/^set(BOARD_QEMU_MACHINE \(.*\))/\1/p' "boards/$1/board.cmake"
}

# One QEMU run: run1 <rawdir> <cpu> <backend> <workload> (firmware in build/bench/<cpu>/)
run1() {
    rd=$1 cpu=$2 b=$3 w=$4
    board=$(cat "build/bench/$cpu/board")
    m=$(qemu_machine "$board")
    f=$rd/$cpu/$b/$(echo "$w" | tr : _).txt
    mkdir -p "$(dirname "$f")"
    if ! timeout 300 qemu-system-arm -M "$m" -nographic -monitor none -serial none \
        -icount shift=10,sleep=off \
        -semihosting-config "enable=on,target=native,chardev=sh0,arg=bench,arg=$w" \
        -chardev stdio,id=sh0 -kernel "build/bench/$cpu/$b.elf" >"$f" 2>&1; then
        echo "bench.sh: FAILED: $cpu $b $w (see $f)" >&2
        echo "RUN FAILED" >>"$f"
        return 1
    fi
}
if [ "${1:-}" = --run1 ]; then
    shift
    run1 "$@"
    exit $?
fi

quick=0
cpus="cortex-m3 cortex-m0 cortex-m4f cortex-m7 cortex-m33"
host=1
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --cpus) shift; cpus=$1 ;;
        --no-host) host=0 ;;
        -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
        *) echo "bench.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
if [ "$quick" -eq 1 ]; then
    ops=1000
    host=0
    case "$cpus" in "cortex-m3 cortex-m0 cortex-m4f cortex-m7 cortex-m33") cpus="cortex-m3" ;; esac
else
    ops=4000
fi

start=$(date +%s)
rtheap_install_deps || { echo "bench.sh: dependencies missing" >&2; exit 1; }
# Bench-only packages (not in RTHEAP_PACKAGES): the plot and the host instruction counts.
extra=
/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1 || extra="$extra python3-matplotlib"
command -v valgrind >/dev/null 2>&1 || extra="$extra valgrind"
if [ -n "$extra" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $extra >/dev/null \
            || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $extra >/dev/null; }
    else
        echo "bench.sh: missing$extra (sudo apt-get install -y --no-install-recommends$extra)" >&2
    fi
fi
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

out=build/bench
res=bench/results
rm -rf "$out/raw" "$out/raw.2"
mkdir -p "$out" "$res"
# QEMU runs are short and mostly start-up latency: run several per core.
jobs=$(( $(nproc 2>/dev/null || echo 2) * 4 ))
backends="none rtheap rtheap-nochk picolibc newlib newlib-nano"
workloads="info small logu fifo realloc aligned adversarial g:small g:logu g:fifo g:realloc g:aligned"
CC=arm-none-eabi-gcc

board_of() {
    case "$1" in
        cortex-m0) echo microbit ;;
        cortex-m3) echo mps2-an385 ;;
        cortex-m4f) echo mps2-an386 ;;
        cortex-m4) echo netduinoplus2 ;;
        cortex-m7) echo mps2-an500 ;;
        cortex-m33) echo mps2-an505 ;;
        *) echo "bench.sh: no board for $1" >&2; return 1 ;;
    esac
}
cpu_flags() {
    sed -n 's/^set(RTHEAP_CPU_FLAGS "\(.*\)")/\1/p' "toolchain/cpu/$1.cmake"
}

# build <cpu>: every firmware of one CPU into $out/<cpu>/
build() {
    cpu=$1
    board=$(board_of "$cpu")
    F=$(cpu_flags "$cpu")
    d=$out/$cpu
    mkdir -p "$d"
    defs="-DBENCH_OPS=${ops}u"
    ld_extra=
    if [ "$cpu" = cortex-m0 ]; then
        # microbit has 16 KiB of RAM: 8 KiB heap, 160 trace slots, 1.5 KiB stack.
        defs="$defs -DBENCH_HEAP_BYTES=8192u -DBENCH_SLOTS=160u"
        ld_extra="-Wl,--defsym=__stack_size=1536"
    else
        defs="$defs -DBENCH_SLOTS=4096u"
    fi
    CF="$F -O2 -g -std=gnu11 -ffunction-sections -fdata-sections -fno-builtin -fno-delete-null-pointer-checks -Wall -Wextra -Werror -Ibench -Iboards/common -Isrc $defs"
    # src/ is not ours: its warnings must not stop the bench.
    FREE="-ffreestanding -fno-tree-loop-distribute-patterns -Wno-error"
    $CC $CF -c boards/common/startup.c -o "$d/startup.o"
    $CC $CF -c boards/common/semihost.c -o "$d/semihost.o"
    $CC $CF $FREE -c boards/common/minilibc.c -o "$d/minilibc.o"
    $CC $CF -c bench/bench_empty.c -o "$d/empty.o"
    $CC $CF $FREE -c src/rtheap.c -o "$d/rtheap.o"
    $CC $CF $FREE -Os -c src/rtheap.c -o "$d/rtheap-Os.o"
    $CC $CF $FREE -DRTHEAP_CHECKS=0 -DRTHEAP_STATS=0 -c src/rtheap.c -o "$d/rtheap-nochk.o"
    $CC $CF $FREE -DRTHEAP_CHECKS=0 -DRTHEAP_STATS=0 -Os -c src/rtheap.c -o "$d/rtheap-nochk-Os.o"
    $CC $CF -DBENCH_BACKEND_NONE -c bench/bench.c -o "$d/bench-none.o"
    $CC $CF -DBENCH_BACKEND_RTHEAP -c bench/bench.c -o "$d/bench-rtheap.o"
    $CC $CF -DBENCH_BACKEND_RTHEAP -DRTHEAP_CHECKS=0 -DRTHEAP_STATS=0 -c bench/bench.c -o "$d/bench-rtheap-nochk.o"
    $CC $CF -DBENCH_BACKEND_LIBC -DBENCH_PICOLIBC '-DBENCH_NAME="picolibc"' -c bench/bench.c -o "$d/bench-picolibc.o"
    $CC $CF -DBENCH_BACKEND_LIBC '-DBENCH_NAME="newlib"' -c bench/bench.c -o "$d/bench-newlib.o"
    $CC $CF -DBENCH_BACKEND_LIBC '-DBENCH_NAME="newlib-nano"' -c bench/bench.c -o "$d/bench-newlib-nano.o"
    pico=/usr/lib/picolibc/arm-none-eabi/lib/$($CC $F --specs=picolibc.specs -print-multi-directory)/libc.a
    newlib=$($CC $F -print-file-name=libc.a)
    nano=$($CC $F -print-file-name=libc_nano.a)
    L="$F -nostdlib -nostartfiles -T linker/cortex-m.ld -Lboards/$board -Wl,--gc-sections $ld_extra"
    base="$d/startup.o $d/semihost.o $d/empty.o"
    link() { # link <name> <objects and libraries...>
        n=$1; shift
        # shellcheck disable=SC2086
        $CC $L -Wl,-Map="$d/$n.map" "$@" -o "$d/$n.elf"
    }
    link none $base "$d/minilibc.o" "$d/bench-none.o" -lgcc
    link rtheap $base "$d/minilibc.o" "$d/bench-rtheap.o" "$d/rtheap.o" -lgcc
    link rtheap-Os $base "$d/minilibc.o" "$d/bench-rtheap.o" "$d/rtheap-Os.o" -lgcc
    link rtheap-nochk $base "$d/minilibc.o" "$d/bench-rtheap-nochk.o" "$d/rtheap-nochk.o" -lgcc
    link rtheap-nochk-Os $base "$d/minilibc.o" "$d/bench-rtheap-nochk.o" "$d/rtheap-nochk-Os.o" -lgcc
    link picolibc $base "$d/bench-picolibc.o" -Wl,--start-group "$pico" -lgcc -Wl,--end-group
    link newlib $base "$d/bench-newlib.o" -Wl,--start-group "$newlib" -lgcc -Wl,--end-group
    link newlib-nano $base "$d/bench-newlib-nano.o" -Wl,--start-group "$nano" -lgcc -Wl,--end-group
    # Core code size probe (init + alloc + free only, -Os), each minus the SIZE_NONE probe.
    OS="$F -Os -std=gnu11 -ffunction-sections -fdata-sections -fno-builtin -fno-delete-null-pointer-checks -Wall -Wextra -Werror -Ibench -Iboards/common -Isrc"
    $CC $OS -c bench/bench_empty.c -o "$d/empty-Os.o"
    $CC $OS -DSIZE_NONE -c bench/size_core.c -o "$d/size-none.o"
    $CC $OS -DSIZE_RTHEAP -c bench/size_core.c -o "$d/size-rtheap.o"
    $CC $OS -DSIZE_RTHEAP -DRTHEAP_CHECKS=0 -DRTHEAP_STATS=0 -c bench/size_core.c -o "$d/size-rtheap-nochk.o"
    $CC $OS -DSIZE_LIBC -DSIZE_PICOLIBC -c bench/size_core.c -o "$d/size-picolibc.o"
    $CC $OS -DSIZE_LIBC -c bench/size_core.c -o "$d/size-libc.o"
    sbase="$d/startup.o $d/semihost.o $d/empty-Os.o"
    link size-none $sbase "$d/minilibc.o" "$d/size-none.o" -lgcc
    link size-rtheap $sbase "$d/minilibc.o" "$d/size-rtheap.o" "$d/rtheap-Os.o" -lgcc
    link size-rtheap-nochk $sbase "$d/minilibc.o" "$d/size-rtheap-nochk.o" "$d/rtheap-nochk-Os.o" -lgcc
    link size-picolibc $sbase "$d/size-picolibc.o" -Wl,--start-group "$pico" -lgcc -Wl,--end-group
    link size-newlib $sbase "$d/size-libc.o" -Wl,--start-group "$newlib" -lgcc -Wl,--end-group
    link size-newlib-nano $sbase "$d/size-libc.o" -Wl,--start-group "$nano" -lgcc -Wl,--end-group
    # Code size: text+rodata+data of each firmware (the analysis subtracts "none") and the
    # -Os sizes of rtheap's own functions.
    for b in $backends rtheap-Os rtheap-nochk-Os size-none size-rtheap size-rtheap-nochk size-picolibc size-newlib size-newlib-nano; do
        arm-none-eabi-size -A "$d/$b.elf" | awk -v b="$b" '
            $1==".vectors"||$1==".text"||$1==".rodata"||$1==".init_array" {t+=$2}
            $1==".data" {dd+=$2} END {print b, t, dd}'
    done >"$d/sizes.txt"
    for b in rtheap rtheap-Os rtheap-nochk rtheap-nochk-Os; do
        arm-none-eabi-nm -S --size-sort "$d/$b.elf" | while read -r _a sz t name; do case "$t$name" in [Tt]rtheap*) echo "$b $name $((0x$sz))" ;; esac; done
    done >"$d/symbols.txt"
    arm-none-eabi-objdump -d "$d/rtheap.elf" >"$d/rtheap.dis"
    echo "$board" >"$d/board"
}

echo "bench.sh: building for: $cpus (ops per trace: $ops)"
for cpu in $cpus; do
    build "$cpu"
done

runlist=$out/runlist
: >"$runlist"
for pass in raw raw.2; do
    for cpu in $cpus; do
        for b in $backends; do
            for w in $workloads; do
                echo "$pass $cpu $b $w" >>"$runlist"
            done
        done
    done
done
echo "bench.sh: $(wc -l <"$runlist") QEMU runs (every one twice), $jobs at a time"
if ! sed "s|^|--run1 $out/|" "$runlist" | xargs -P "$jobs" -L 1 "$root/tools/bench.sh"; then
    echo "bench.sh: some runs failed" >&2
    exit 1
fi

if ! diff -r "$out/raw" "$out/raw.2" >"$out/determinism.diff"; then
    echo "bench.sh: NOT DETERMINISTIC: the two runs differ (see $out/determinism.diff)" >&2
    exit 1
fi
echo "bench.sh: determinism check passed: two runs, identical output ($(cat "$out"/raw/*/*/*.txt | wc -l) lines)"

if [ "$host" -eq 1 ] && command -v valgrind >/dev/null 2>&1; then
    hd=$out/host
    mkdir -p "$hd"
    HCF="-O2 -g -std=gnu11 -fno-builtin -Wall -Wextra -DBENCH_HOST -DBENCH_OPS=${ops}u -Ibench -Isrc"
    cc $HCF -DBENCH_BACKEND_RTHEAP bench/bench.c bench/bench_empty.c src/rtheap.c -o "$hd/rtheap"
    cc $HCF -DBENCH_BACKEND_LIBC '-DBENCH_NAME="glibc"' bench/bench.c bench/bench_empty.c -o "$hd/glibc"
    for b in rtheap glibc; do
        for w in small logu fifo realloc aligned adversarial; do
            valgrind --tool=callgrind --callgrind-out-file="$hd/$b.$w.cg" "$hd/$b" "$w" \
                >"$hd/$b.$w.txt" 2>"$hd/$b.$w.log"
            callgrind_annotate --inclusive=yes --threshold=100 "$hd/$b.$w.cg" >"$hd/$b.$w.ann" 2>/dev/null
        done
    done
fi

$PY bench/analyze.py --build "$out" --results "$res" --cpus "$cpus" --ops "$ops"
end=$(date +%s)
echo "bench.sh: done in $((end - start)) s; results in $res/results.md"
