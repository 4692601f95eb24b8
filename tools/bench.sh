#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# rtheap: THE benchmark command. Separate from tools/test.sh.
#
# Measures every allocator at the two levels firmware ships with, -O2 and -Os, in one
# invocation: each allocator's objects (and its thin wrapper) are built at both levels
# and linked, with the same harness (bench/bench.c and the board code, always -O2), into
# one firmware per allocator, level and CPU (and once more as the "mix" firmware). Every
# workload runs under QEMU with -icount (SysTick then counts executed instructions), all
# runs are done a second time and the bench fails unless both printed identical numbers.
# It then writes under bench/results/:
#   results.md     per CPU: the mix and C API tables at -O2 and at -Os (per-call
#                  instructions, failures; utilization beside -O2), code size of the five
#                  __rust_* entry points, of the C API and of the core at both levels, RAM
#   results.json   the same numbers, machine-readable: <cpu> -> "O2" / "Os" -> mix, calls,
#                  fails; <cpu> -> util, code (level-independent or keyed by level)
#   calls-<cpu>.png   C API per-call instruction distributions and maxima (-O2)
#   mix-<cpu>.png     the __rust_* mix (-O2): distributions per entry point, utilization
# The raw firmware output stays in build/bench/raw (first run) and build/bench/raw.2, one
# folder per firmware: <cpu>/<allocator>-<level>/ and <cpu>/mix-<allocator>-<level>/.
# The library is built from a copy of src/ taken at the start (build/bench/src), so that
# an edit saved during a run cannot mix two versions.
#
# What runs at which level:
#   -O2   every allocator: info, the six C API traces, their five growth variants, the mix
#   -Os   every allocator but the C libraries: info, the six C API traces, the mix; the
#         growth variants are not run again (placement does not depend on the level: the
#         analysis checks that every -Os trace ends with the -O2 run's failures and peak,
#         so the -O2 utilization holds for both)
#   C libraries (picolibc, newlib, newlib-nano) are prebuilt: their C API firmware is the
#         same at both levels, so it runs once (the -Os tables repeat its figures, marked);
#         their mix goes through bench/libc_rust.c, which is built and run at both levels
#   none  (the baseline) at -O2 only
#
# Allocators (each linked into its own firmware, same arena, same op traces):
#   rtheap          src/rtheap.c, default config (O(1) checks + stats + lock)
#   rtheap-nochk    src/rtheap.c with -DRTHEAP_CHECKS=0 -DRTHEAP_STATS=0
#   rtheap-small    src/rtheap.c with -DRTHEAP_SMALL=1 (the small configuration of
#                   src/rtheap_config.h: checks and statistics off, one region)
#   rtheap-nocheck, rtheap-nostats, rtheap-nolock: the default config less one of its
#                   costs (-DRTHEAP_CHECKS=0, -DRTHEAP_STATS=0, -DRTHEAP_LOCK_NONE=1);
#                   only when named in --backends (where the instructions go)
#   rtheap-alignedfit  the default config with -DRTHEAP_ALIGNED_FIT=1; only when named
#   o1heap          o1heap 2.2 (<peers>/o1heap), wrapper bench/peers/o1heap_wrap.c
#   tlsf            mattconte/tlsf 3.1 (<peers>/tlsf), wrapper bench/peers/tlsf_wrap.c
#   heap_4          FreeRTOS V11.2.0 heap_4 (<freertos>/portable/MemMang/heap_4.c),
#                   wrapper bench/peers/heap4_wrap.c (see bench/peers/README.md)
#   picolibc        Debian picolibc-arm-none-eabi malloc (grows via sbrk over the arena)
#   newlib          Debian libnewlib-arm-none-eabi libc.a malloc (_sbrk over the arena)
#   newlib-nano     the same package's libc_nano.a malloc
#   (none)          no allocator: the baseline for code and RAM deltas
# The peers' sources are read from --peers / --freertos (never copied into the tree);
# a peer whose source is absent is skipped with a note (also in results.md).
# Workloads: six C API traces (uniform, log-uniform, FIFO, realloc growth, aligned,
# adversarial) plus their growth-to-failure variants (utilization) on a 64 KiB arena,
# and "mix": 20,000 operations through the five __rust_* entry points (alloc 42 %, free
# 38 %, realloc 15 %, resize in place 5 %, 8-1024 B, alignment mostly <= 8, some up to
# 256), rtheap on its default heap (two regions on mps2-an385/an386), the others on a
# 1 MiB arena through thin wrappers.
# Code size: probes (bench/size_core.c, never run) linked with each allocator's objects
# at -Os and at -O2: the five entry points, the C API, the core.
# CPUs/boards: cortex-m3 (mps2-an385), cortex-m0 (microbit: 16 KiB RAM, so an 8 KiB heap
# and blocks capped at 512 B there), cortex-m4f (mps2-an386), cortex-m7 (mps2-an500),
# cortex-m33 (mps2-an505). Host (x86-64): rtheap vs glibc under callgrind (-O2).
# Compiling and linking run as many at a time as there are cores (xargs -P), the QEMU
# runs four per core.
#
# Usage: tools/bench.sh [--quick] [--mix] [--cpus "cortex-m3 ..."] [--backends "rtheap tlsf ..."]
#                       [--no-host] [--peers DIR] [--freertos DIR]
#                       [--m0-workload]
#        tools/bench.sh --gate [--update]
#        tools/bench.sh --locks     only the cost of each lock (tools/bench-locks.sh), which
#                                   a full run also prints at its end
#   --quick     1000 ops per C API trace instead of 4000, Cortex-M3 only, no host run
#   --mix       only the __rust_* mix (and the code sizes), at both levels: `--quick --mix`
#               measures Cortex-M3 in about 15 s
#   --m0-workload   every CPU runs the Cortex-M0 firmware's workload: its traces (8 KiB,
#               160 slots) and, for rtheap's mix, a default heap of the size the
#               microbit's link leaves (11,880 B, as the cortex-m0 info line says), so
#               that Cortex-M0 and Cortex-M3 figures compare the same paths
#               (`--quick --mix --cpus "cortex-m3 cortex-m0" --m0-workload`)
#               A full run makes this Cortex-M3 run too, for the Cortex-M0 targets
#               (in build/bench-m0work).
#   --out DIR   build and raw results in DIR instead of build/bench
#   --peers DIR     o1heap/ and tlsf/ sources (default: ../shared/peers from the root)
#   --freertos DIR  FreeRTOS kernel sources (default: ../shared/freertos)
#   --gate      the CI regression gate (tools/bench-gate.sh, run by tools/test.sh):
#               rtheap's default build at -O2 and at -Os on Cortex-M3 and Cortex-M0, the
#               six C API traces of 1000 ops and the mix (no growth variants, no
#               baseline runs), compared with the ceilings in bench/ceilings.txt (every
#               mean and max per workload and entry point at both levels, the code size
#               of the entry points at -Os and -O2 and of the C API at -Os, and that of
#               the small configuration's entry points at -Os, built but not run); prints one
#               line per figure and "N passed, N failed" last; output in build/bench-gate
#   --update    with --gate: rewrite bench/ceilings.txt from this run (figure + 3 %)
# Exit status 0 only if everything built, ran and the two runs were identical (and,
# with --gate, no figure is above its ceiling).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. "$root/tools/deps.sh"

qemu_machine() {
    sed -n 's/^set(BOARD_QEMU_MACHINE \(.*\))/\1/p' "boards/$1/board.cmake"
}

# One QEMU run: run1 <rawdir> <cpu> <firmware> <workload> (firmware in <rawdir>/../<cpu>/)
run1() {
    rd=$1 cpu=$2 b=$3 w=$4
    d=$(dirname "$rd")/$cpu
    board=$(cat "$d/board")
    m=$(qemu_machine "$board")
    f=$rd/$cpu/$b/$(echo "$w" | tr : _).txt
    mkdir -p "$(dirname "$f")"
    if ! timeout 300 qemu-system-arm -M "$m" -nographic -monitor none -serial none \
        -icount shift=10,sleep=off \
        -semihosting-config "enable=on,target=native,chardev=sh0,arg=bench,arg=$w" \
        -chardev stdio,id=sh0 -kernel "$d/$b.elf" >"$f" 2>&1; then
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
mixonly=0
gate=0
update=0
cpus=
host=1
m0work=0
outdir=
want_backends=
peers=$root/../shared/peers
freertos=$root/../shared/freertos
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --mix) mixonly=1 ;;
        --gate) gate=1 ;;
        --update) update=1 ;;
        --cpus) shift; cpus=$1 ;;
        --backends) shift; want_backends=$1 ;;
        --peers) shift; peers=$1 ;;
        --freertos) shift; freertos=$1 ;;
        --no-host) host=0 ;;
        --m0-workload) m0work=1 ;;
        --out) shift; outdir=$1 ;;
        --locks) exec "$root/tools/bench-locks.sh" ;;
        -h|--help) sed -n '2,/^set -eu/p' "$root/tools/bench.sh" | sed '$d'; exit 0 ;;
        *) echo "bench.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
if [ "$update" -eq 1 ] && [ "$gate" -eq 0 ]; then
    echo "bench.sh: --update goes with --gate" >&2
    exit 2
fi
if [ "$gate" -eq 1 ] && [ "$mixonly" -eq 1 ]; then
    echo "bench.sh: --gate measures the C API traces too: no --mix" >&2
    exit 2
fi
ops=4000
mixops=20000
out=build/bench
if [ "$gate" -eq 1 ]; then
    # The CI gate: rtheap's default build (short C API traces, the mix), and the small
    # configuration's code size (built, not run).
    ops=1000
    host=0
    cpus=${cpus:-cortex-m3 cortex-m0}
    want_backends="none rtheap rtheap-small"
    out=build/bench-gate
elif [ "$quick" -eq 1 ]; then
    ops=1000
    host=0
    cpus=${cpus:-cortex-m3}
fi
[ "$gate" -eq 0 ] && [ -n "$outdir" ] && out=$outdir
cpus=${cpus:-cortex-m3 cortex-m0 cortex-m4f cortex-m7 cortex-m33}
[ "$mixonly" -eq 1 ] && host=0

start=$(date +%s)
rtheap_install_deps || { echo "bench.sh: dependencies missing" >&2; exit 1; }
# Bench-only packages (not in RTHEAP_PACKAGES): the plot and the host instruction counts.
extra=
if [ "$gate" -eq 0 ]; then
    /usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1 || extra="$extra python3-matplotlib"
    [ "$host" -eq 1 ] && ! command -v valgrind >/dev/null 2>&1 && extra="$extra valgrind"
fi
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

# Only a full run rewrites the committed results; --quick / --mix / --cpus / --backends
# write theirs under build/.
res=bench/results
if [ "$quick" -eq 1 ] || [ "$mixonly" -eq 1 ] || [ -n "$want_backends" ] || \
   [ "$cpus" != "cortex-m3 cortex-m0 cortex-m4f cortex-m7 cortex-m33" ]; then
    res=$out/results
fi
rm -rf "$out/raw" "$out/raw.2" "$out/gate.log"
mkdir -p "$out"
# The library is built from a copy of src/ taken now: src/ may change while the bench
# runs (an edit saved meanwhile), and every object, like the sources' sha1 in
# results.json, must be of one version.
S=$out/src
rm -rf "$S"
cp -R src "$S"
[ "$gate" -eq 0 ] && mkdir -p "$res"
ncpu=$(nproc 2>/dev/null || echo 2)
# QEMU runs are short and mostly start-up latency: run several per core.
jobs=$((ncpu * 4))
CC=arm-none-eabi-gcc
# The optimization levels every allocator is measured at (speed and code size).
levels="O2 Os"

# Which allocators: the peers only when their sources are there.
notes=$out/notes.txt
: >"$notes"
all_backends="none rtheap rtheap-nochk rtheap-small"
# The cost breakdown of rtheap's default build: only when asked for by name.
breakdown="rtheap-nocheck rtheap-nostats rtheap-nolock rtheap-alignedfit"
if [ -f "$peers/o1heap/o1heap.c" ]; then
    all_backends="$all_backends o1heap"
else
    echo "o1heap skipped: $peers/o1heap/o1heap.c not found (--peers DIR)" >>"$notes"
fi
if [ -f "$peers/tlsf/tlsf.c" ]; then
    all_backends="$all_backends tlsf"
else
    echo "tlsf skipped: $peers/tlsf/tlsf.c not found (--peers DIR)" >>"$notes"
fi
if [ -f "$freertos/portable/MemMang/heap_4.c" ] && [ -f "$freertos/include/FreeRTOS.h" ]; then
    all_backends="$all_backends heap_4"
else
    echo "heap_4 skipped: $freertos/portable/MemMang/heap_4.c not found (--freertos DIR)" >>"$notes"
fi
all_backends="$all_backends picolibc newlib newlib-nano"
if [ -n "$want_backends" ]; then
    backends=none
    for b in $want_backends; do
        case " $all_backends $breakdown " in
            *" $b "*) [ "$b" = none ] || backends="$backends $b" ;;
            *) echo "$b skipped: not available (known: $all_backends)" >>"$notes" ;;
        esac
    done
else
    backends=$all_backends
fi
[ "$gate" -eq 1 ] && : >"$notes"
sed 's/^/bench.sh: NOTE: /' "$notes" >&2

# C API workloads: at -O2 with the growth variants (utilization), at -Os without them.
workloads="info small logu fifo realloc aligned adversarial g:small g:logu g:fifo g:realloc g:aligned"
osworkloads="info small logu fifo realloc aligned adversarial"
# The gate bounds speed only: no growth variants at either level.
[ "$gate" -eq 1 ] && workloads=$osworkloads
mixworkloads="info mix"

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
has() { case " $backends " in *" $1 "*) return 0 ;; esac; return 1; }
is_libc() { case "$1" in picolibc|newlib|newlib-nano) return 0 ;; esac; return 1; }
# variant_defs <backend>: the options an rtheap variant is built with
variant_defs() {
    case "$1" in
        rtheap-nochk) echo "-DRTHEAP_CHECKS=0 -DRTHEAP_STATS=0" ;;
        rtheap-small) echo "-DRTHEAP_SMALL=1" ;;
        rtheap-nocheck) echo "-DRTHEAP_CHECKS=0" ;;
        rtheap-nostats) echo "-DRTHEAP_STATS=0" ;;
        rtheap-nolock) echo "-DRTHEAP_LOCK_NONE=1" ;;
        rtheap-alignedfit) echo "-DRTHEAP_ALIGNED_FIT=1" ;;
    esac
}
# capi_at / mix_at <backend> <level>: whether that backend's C API / mix firmware is built
# and run at that level (see the header: the baseline at -O2 only and not in the gate,
# the C libraries' C API firmware once, the small configuration only sized in the gate).
capi_at() {
    [ "$mixonly" -eq 0 ] || return 1
    case "$1" in
        none) [ "$2" = O2 ] && [ "$gate" -eq 0 ] ;;
        rtheap-small) [ "$gate" -eq 0 ] ;;
        picolibc|newlib|newlib-nano) [ "$2" = O2 ] ;;
        *) return 0 ;;
    esac
}
mix_at() {
    case "$1" in
        none) [ "$2" = O2 ] && [ "$gate" -eq 0 ] ;;
        rtheap-small) [ "$gate" -eq 0 ] ;;
        *) return 0 ;;
    esac
}

# The build is planned first (one shell command a line, one file per phase) and then run
# $ncpu commands at a time: every object, then every link.
qobj=$out/build.objects
qlink=$out/build.links
: >"$qobj"
: >"$qlink"
qo() { printf '%s\n' "$*" >>"$qobj"; }
ql() { printf '%s\n' "$*" >>"$qlink"; }
runq() { # runq <file> <what>
    if ! xargs -d '\n' -P "$ncpu" -n 1 sh -c <"$1"; then
        echo "bench.sh: building the $2 failed (commands in $1)" >&2
        exit 1
    fi
}
# Paths from the command line go into the commands quoted.
qpeers="'$peers'"
qfreertos="'$freertos'"

# plan <cpu>: queue every object and firmware of one CPU, into $out/<cpu>/
plan() {
    cpu=$1
    board=$(board_of "$cpu")
    F=$(cpu_flags "$cpu")
    d=$out/$cpu
    rm -rf "$d"
    mkdir -p "$d"
    echo "$board" >"$d/board"
    defs="-DBENCH_OPS=${ops}u -DBENCH_MIX_OPS=${mixops}u"
    ld_extra=
    if [ "$cpu" = cortex-m0 ] || [ "$m0work" -eq 1 ]; then
        # microbit has 16 KiB of RAM: 8 KiB heap, 160 trace slots, 1.5 KiB stack.
        heap=8192
        mixheap=8192
        defs="$defs -DBENCH_HEAP_BYTES=8192u -DBENCH_SLOTS=160u -DBENCH_MIX_HEAP=8192u"
        # --m0-workload on another CPU: rtheap's default heap as small as the microbit's.
        [ "$cpu" = cortex-m0 ] || defs="$defs -DBENCH_DEFAULT_HEAP=11880u"
        ld_extra="-Wl,--defsym=__stack_size=1536"
    else
        heap=65536
        mixheap=1048576
        defs="$defs -DBENCH_SLOTS=4096u"
    fi
    W="-Wall -Wextra -Werror"
    BASEF="$F -g -std=gnu11 -ffunction-sections -fdata-sections -fno-builtin -fno-delete-null-pointer-checks"
    # The harness (bench.c, board code): -O2 at both levels, so that only the allocator's
    # level differs between a -O2 and a -Os firmware.
    CF="$BASEF -O2 $W -Ibench -Ibench/peers -Iboards/common -I$S $defs"
    # src/ is not the bench's: its warnings must not stop the bench. The peers' warnings are
    # theirs (-w); their asserts are off (-DNDEBUG), as in a release build.
    FREE="-ffreestanding -fno-tree-loop-distribute-patterns -Wno-error"
    PEERF="-ffreestanding -fno-tree-loop-distribute-patterns -w -DNDEBUG"
    WRAPF="$W -ffreestanding -fno-tree-loop-distribute-patterns -Ibench/peers"
    H4I="-Ibench/peers/freertos -I$qfreertos/include"
    qo "$CC $CF -c boards/common/startup.c -o $d/startup.o"
    qo "$CC $CF -c boards/common/semihost.c -o $d/semihost.o"
    qo "$CC $CF $FREE -c boards/common/minilibc.c -o $d/minilibc.o"
    qo "$CC $CF -c bench/bench_empty.c -o $d/empty.o"
    for o in $levels; do
        for v in rtheap rtheap-nochk rtheap-small $breakdown; do
            has "$v" || continue
            for f in rtheap rtheap_rust rtheap_default; do
                qo "$CC $BASEF -$o -I$S $FREE $(variant_defs "$v") -c $S/$f.c" \
                    "-o $d/$(echo "$f" | sed "s/^rtheap/$v/")-$o.o"
            done
        done
        if has picolibc || has newlib || has newlib-nano; then
            qo "$CC $BASEF -$o $W -Ibench $FREE -c bench/libc_rust.c -o $d/libc_rust-$o.o"
        fi
        if has o1heap; then
            qo "$CC $BASEF -$o $PEERF -I$qpeers/o1heap -c $qpeers/o1heap/o1heap.c -o $d/o1heap-lib-$o.o"
            qo "$CC $BASEF -$o $WRAPF -I$qpeers/o1heap -c bench/peers/o1heap_wrap.c -o $d/o1heap-wrap-$o.o"
        fi
        if has tlsf; then
            qo "$CC $BASEF -$o $PEERF -I$qpeers/tlsf -c $qpeers/tlsf/tlsf.c -o $d/tlsf-lib-$o.o"
            qo "$CC $BASEF -$o $WRAPF -I$qpeers/tlsf -c bench/peers/tlsf_wrap.c -o $d/tlsf-wrap-$o.o"
        fi
        if has heap_4; then
            # heap_4's heap size is a compile-time constant: one object per arena size.
            for hb in $heap $mixheap 1024; do
                qo "$CC $BASEF -$o $PEERF $H4I -DBENCH_HEAP4_BYTES=${hb}u" \
                    "-c $qfreertos/portable/MemMang/heap_4.c -o $d/heap_4-lib$hb-$o.o"
            done
            qo "$CC $BASEF -$o $WRAPF $H4I -c bench/peers/heap4_wrap.c -o $d/heap_4-wrap-$o.o"
        fi
    done
    pico=/usr/lib/picolibc/arm-none-eabi/lib/$($CC $F --specs=picolibc.specs -print-multi-directory)/libc.a
    newlib=$($CC $F -print-file-name=libc.a)
    nano=$($CC $F -print-file-name=libc_nano.a)
    L="$F -nostdlib -nostartfiles -T linker/cortex-m.ld -Lboards/$board -Wl,--gc-sections $ld_extra"
    base="$d/startup.o $d/semihost.o $d/empty.o"
    link() { # link <name> <objects and libraries...>
        n=$1; shift
        ql "$CC $L -Wl,-Map=$d/$n.map $* -o $d/$n.elf"
    }
    # objs_of <backend> <opt> <arena bytes>: the allocator's objects and libraries
    objs_of() {
        case "$1" in
            none) echo "$d/minilibc.o -lgcc" ;;
            rtheap|rtheap-*) echo "$d/minilibc.o $d/$1-$2.o $d/$1_rust-$2.o $d/$1_default-$2.o -lgcc" ;;
            o1heap|tlsf) echo "$d/minilibc.o $d/$1-wrap-$2.o $d/$1-lib-$2.o -lgcc" ;;
            heap_4) echo "$d/minilibc.o $d/heap_4-wrap-$2.o $d/heap_4-lib$3-$2.o -lgcc" ;;
            picolibc) echo "$d/libc_rust-$2.o -Wl,--start-group $pico -lgcc -Wl,--end-group" ;;
            newlib) echo "$d/libc_rust-$2.o -Wl,--start-group $newlib -lgcc -Wl,--end-group" ;;
            newlib-nano) echo "$d/libc_rust-$2.o -Wl,--start-group $nano -lgcc -Wl,--end-group" ;;
        esac
    }
    # bdefs <backend>: how bench.c / size_core.c are compiled for it
    bdefs() {
        case "$1" in
            none) echo "-DBENCH_BACKEND_NONE -DSIZE_NONE" ;;
            rtheap) echo "-DBENCH_BACKEND_RTHEAP -DSIZE_RTHEAP" ;;
            rtheap-*) echo "-DBENCH_BACKEND_RTHEAP -DSIZE_RTHEAP $(variant_defs "$1")" ;;
            o1heap|tlsf) echo "-DBENCH_BACKEND_PEER -DSIZE_PEER '-DBENCH_NAME=\"$1\"'" ;;
            heap_4) echo "-DBENCH_BACKEND_PEER -DBENCH_BACKEND_HEAP4 -DSIZE_PEER -DSIZE_HEAP4 '-DBENCH_NAME=\"heap_4\"'" ;;
            picolibc) echo "-DBENCH_BACKEND_LIBC -DBENCH_PICOLIBC -DSIZE_LIBC -DSIZE_PICOLIBC '-DBENCH_NAME=\"picolibc\"'" ;;
            newlib|newlib-nano) echo "-DBENCH_BACKEND_LIBC -DSIZE_LIBC '-DBENCH_NAME=\"$1\"'" ;;
        esac
    }
    OS="$F -Os -std=gnu11 -ffunction-sections -fdata-sections -fno-builtin -fno-delete-null-pointer-checks $W -Ibench -Ibench/peers -Iboards/common -I$S"
    qo "$CC $OS -c bench/bench_empty.c -o $d/empty-Os.o"
    sbase="$d/startup.o $d/semihost.o $d/empty-Os.o"
    for b in $backends; do
        bd=$(bdefs "$b")
        # The speed firmware: one harness object per allocator (C API, mix), linked with
        # the allocator's objects at each level.
        if capi_at "$b" O2 || capi_at "$b" Os; then
            qo "$CC $CF $bd -c bench/bench.c -o $d/bench-$b.o"
        fi
        if mix_at "$b" O2 || mix_at "$b" Os; then
            qo "$CC $CF $bd -DBENCH_MIX -c bench/bench.c -o $d/bench-mix-$b.o"
        fi
        for o in $levels; do
            if capi_at "$b" "$o"; then
                # shellcheck disable=SC2046
                link "$b-$o" $base "$d/bench-$b.o" $(objs_of "$b" "$o" "$heap")
            fi
            if mix_at "$b" "$o"; then
                # shellcheck disable=SC2046
                link "mix-$b-$o" $base "$d/bench-mix-$b.o" $(objs_of "$b" "$o" "$mixheap")
            fi
        done
        # Code-size probes (never run): core, C API, the five entry points; allocator
        # objects at each level (the probe itself always -Os).
        for probe in core capi rust; do
            P=$(echo "$probe" | tr a-z A-Z)
            qo "$CC $OS $bd -DPROBE_$P -c bench/size_core.c -o $d/size-$probe-$b.o"
            for o in $levels; do
                # shellcheck disable=SC2046
                link "size-$probe-$b-$o" $sbase "$d/size-$probe-$b.o" $(objs_of "$b" "$o" 1024)
            done
        done
    done
}

# measure <cpu>: code sizes of every firmware (text+rodata+data; the analysis subtracts
# "none") and the sizes of rtheap's own functions.
measure() {
    d=$out/$1
    for e in "$d"/*.elf; do
        n=$(basename "$e" .elf)
        arm-none-eabi-size -A "$e" | awk -v b="$n" '
            $1==".vectors"||$1==".text"||$1==".rodata"||$1==".init_array" {t+=$2}
            $1==".data" {dd+=$2} END {print b, t, dd}'
    done >"$d/sizes.txt"
    for b in rtheap rtheap-nochk rtheap-small $breakdown; do
        has "$b" || continue
        for n in "$b-O2" "$b-Os" "size-capi-$b-Os" "size-rust-$b-Os" "size-rust-$b-O2"; do
            [ -f "$d/$n.elf" ] || continue
            arm-none-eabi-nm -S --size-sort "$d/$n.elf" | while read -r _a sz t name; do
                case "$t$name" in [Tt]rtheap*|[Tt]__rust*) echo "$n $name $((0x$sz))" ;; esac
            done
        done
    done >"$d/symbols.txt"
    for o in $levels; do
        if [ -f "$d/rtheap-$o.elf" ]; then
            arm-none-eabi-objdump -d "$d/rtheap-$o.elf" >"$d/rtheap-$o.dis"
        fi
    done
}

echo "bench.sh: building for: $cpus; allocators: $backends at -O2 and -Os (C API ops per trace: $ops; mix ops: $mixops)"
for cpu in $cpus; do
    plan "$cpu"
done
runq "$qobj" objects
runq "$qlink" firmware
pids=
for cpu in $cpus; do
    measure "$cpu" &
    pids="$pids $!"
done
for p in $pids; do
    wait "$p" || { echo "bench.sh: measuring the code sizes failed" >&2; exit 1; }
done
echo "bench.sh: built $(wc -l <"$qobj") objects and $(wc -l <"$qlink") firmware images in $(( $(date +%s) - start )) s"

runlist=$out/runlist
: >"$runlist"
for pass in raw raw.2; do
    for cpu in $cpus; do
        for b in $backends; do
            for o in $levels; do
                if mix_at "$b" "$o"; then
                    for w in $mixworkloads; do
                        echo "$pass $cpu mix-$b-$o $w" >>"$runlist"
                    done
                fi
                if capi_at "$b" "$o"; then
                    ws=$workloads
                    [ "$o" = O2 ] || ws=$osworkloads
                    for w in $ws; do
                        echo "$pass $cpu $b-$o $w" >>"$runlist"
                    done
                fi
            done
        done
    done
done
nruns=$(wc -l <"$runlist")
echo "bench.sh: $nruns QEMU runs ($((nruns / 2)), every one twice), $jobs at a time"
if ! sed "s|^|--run1 $out/|" "$runlist" | xargs -P "$jobs" -L 1 "$root/tools/bench.sh"; then
    echo "bench.sh: some runs failed" >&2
    exit 1
fi

if ! diff -r "$out/raw" "$out/raw.2" >"$out/determinism.diff"; then
    echo "bench.sh: NOT DETERMINISTIC: the two runs differ (see $out/determinism.diff)" >&2
    exit 1
fi
echo "bench.sh: determinism check passed: two runs, identical output ($(cat "$out"/raw/*/*/*.txt | wc -l) lines)"

if [ "$gate" -eq 1 ]; then
    ceil=bench/ceilings.txt
    upd=
    [ "$update" -eq 1 ] && upd=--update
    rc=0
    $PY bench/analyze.py --build "$out" --cpus "$cpus" --ops "$ops" --mix-ops "$mixops" \
        --backends "$backends" --gate "$ceil" $upd >"$out/gate.log" 2>&1 || rc=$?
    end=$(date +%s)
    echo "bench.sh: gate: built, ran twice (identical) and compared in $((end - start)) s"
    cat "$out/gate.log"
    exit $rc
fi

if [ "$host" -eq 1 ] && command -v valgrind >/dev/null 2>&1; then
    hd=$out/host
    mkdir -p "$hd"
    HCF="-O2 -g -std=gnu11 -fno-builtin -Wall -Wextra -DBENCH_HOST -DBENCH_OPS=${ops}u -Ibench -I$S"
    cc $HCF -DBENCH_BACKEND_RTHEAP bench/bench.c bench/bench_empty.c "$S/rtheap.c" -o "$hd/rtheap"
    cc $HCF -DBENCH_BACKEND_LIBC '-DBENCH_NAME="glibc"' bench/bench.c bench/bench_empty.c -o "$hd/glibc"
    for b in rtheap glibc; do
        for w in small logu fifo realloc aligned adversarial; do
            echo "$b $w"
        done
    done | xargs -P "$ncpu" -L 1 sh -c '
        valgrind --tool=callgrind --callgrind-out-file="$0/$1.$2.cg" "$0/$1" "$2" \
            >"$0/$1.$2.txt" 2>"$0/$1.$2.log"
        callgrind_annotate --inclusive=yes --threshold=100 "$0/$1.$2.cg" >"$0/$1.$2.ann" 2>/dev/null' "$hd"
fi

mode=full
[ "$mixonly" -eq 1 ] && mode=mix
# A full run also refreshes the generated tables of docs/performance.md (between its
# <!-- bench-summary:begin/end --> markers; the same as bench/results/summary.md) and
# the verdicts of bench/results/targets.md. Nothing else in the documentation changes.
docs=
[ "$res" = bench/results ] && docs="--docs docs/performance.md"
# The Cortex-M0 targets compare the same paths: a full run also measures rtheap's mix on
# Cortex-M3 with the Cortex-M0 firmware's workload (--m0-workload), beside the M0's own.
m0ref=
if [ "$res" = bench/results ]; then
    if ! "$root/tools/bench.sh" --quick --mix --cpus cortex-m3 --m0-workload --backends rtheap \
        --out build/bench-m0work >"$out/m0work.log" 2>&1; then
        cat "$out/m0work.log" >&2
        exit 1
    fi
    m0ref="--m0-reference build/bench-m0work/raw"
fi
# shellcheck disable=SC2086
$PY bench/analyze.py --build "$out" --results "$res" --cpus "$cpus" --ops "$ops" --mix-ops "$mixops" \
    --backends "$backends" --mode "$mode" --notes "$notes" $docs $m0ref
[ "$res" = bench/results ] && "$root/tools/bench-locks.sh"
end=$(date +%s)
rname=results.md
[ "$mode" = mix ] && rname=results-mix.md
echo "bench.sh: done in $((end - start)) s; results in $res/$rname"
