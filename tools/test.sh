#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# rtheap: THE test command. Builds and runs every test:
#   host      native build (64-bit)
#   host32    native build with -m32 (skipped, with the reason, if gcc -m32 cannot link)
#   host-asan native build with -fsanitize=address,undefined -fno-sanitize-recover=all
#             (same tests; the fuzz replay also runs on an ASan-poisoned arena)
#   cortex-*  one cross build per CPU fragment in toolchain/cpu/, tests under QEMU
#   matrix    every documented option (and a few combinations) built with GCC and clang,
#             warnings as errors, each running a short stress (tools/matrix.sh)
#   coverage  native build with --coverage: host tests + fuzz corpus replay, then the lcov
#             line/branch summary of the core, src/rtheap.c and src/core/ (tools/coverage.sh)
#   lint      cppcheck + clang-tidy on src/, warnings as errors (tools/lint.sh)
#   fuzz      libFuzzer run of both tests/fuzz targets (misuse; header overwrites) for ~80 s
#             (tools/fuzz.sh; --hours N for long runs)
#   docs      Doxygen API reference of src/rtheap.h, warnings as errors, in build/docs/html
#             (tools/docs.sh)
#   bench-gate  speed regression gate: rtheap's per-call instruction counts (QEMU -icount)
#             on Cortex-M3 and M0, objects at -O2 and -Os, against the ceilings in
#             bench/ceilings.txt, about 10 s
#             (tools/bench-gate.sh; regenerate with tools/bench.sh --gate --update)
# On a fresh Debian 12 as root it first installs what is missing (tools/deps.sh).
#
# Usage: tools/test.sh [TREE...]     e.g. tools/test.sh host cortex-m3
# Build trees live in build/<tree>. Exit status 0 only if every tree configured, built
# and passed all its tests. The last line is "<N> passed, <N> failed" (all trees).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
. "$root/tools/deps.sh"

start=$(date +%s.%N)
rtheap_install_deps || { echo "test.sh: dependencies missing" >&2; exit 1; }

all_trees="host host32 host-asan"
for f in toolchain/cpu/*.cmake; do
    all_trees="$all_trees $(basename "$f" .cmake)"
done
all_trees="$all_trees matrix coverage lint fuzz docs bench-gate"
trees=${*:-$all_trees}
jobs=$(nproc 2>/dev/null || echo 2)

total_pass=0
total_fail=0
total_skip=0
report=
failed_trees=

note() { report="$report
$(printf '  %-12s %s' "$1" "$2")"; }

# host32: can we build -m32 programs, and how do we run them? Sets host32_runner
# ("" = natively, "qemu-i386" = under QEMU user mode) or host32_why on failure.
host32_ok() {
    tmp=$(mktemp -d)
    printf 'int main(void){return 0;}\n' >"$tmp/t.c"
    host32_runner=
    if ! ${CC:-cc} -m32 "$tmp/t.c" -o "$tmp/t" >"$tmp/log" 2>&1; then
        host32_why="'${CC:-cc} -m32' cannot link: $(head -n 2 "$tmp/log" | tr '\n' ' ')(gcc-multilib missing?)"
        rm -rf "$tmp"; return 1
    fi
    if "$tmp/t" 2>/dev/null; then
        :
    elif command -v qemu-i386 >/dev/null 2>&1 && qemu-i386 "$tmp/t"; then
        host32_runner=qemu-i386
        echo "test.sh: host32: this kernel cannot run i386 programs; running them under qemu-i386"
    else
        host32_why="-m32 programs build but cannot run here (no i386 support in the kernel, no qemu-i386)"
        rm -rf "$tmp"; return 1
    fi
    rm -rf "$tmp"
    return 0
}

for tree in $trees; do
    tree_flags=
    echo
    echo "=================== $tree ==================="
    case "$tree" in
        host) args= ;;
        host-asan)
            # CFLAGS/LDFLAGS seed CMAKE_C_FLAGS and the link flags of a new build tree.
            tree_flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
            args= ;;
        matrix|coverage|lint|fuzz|docs|bench-gate)
            # Script steps: each prints "N passed, N failed" as its last line.
            log=build/$tree.log
            mkdir -p build
            "$root/tools/$tree.sh" 2>&1 | tee "$log"
            line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
            if [ -n "$line" ]; then
                npass=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
                nfail=$(echo "$line" | sed -E 's/.*passed, ([0-9]+) failed.*/\1/')
            else
                npass=0; nfail=1
            fi
            total_pass=$((total_pass + npass))
            total_fail=$((total_fail + nfail))
            [ "$nfail" -ne 0 ] && failed_trees="$failed_trees $tree"
            extra=$(grep -E '^(coverage|fuzz\.sh|lint|docs|matrix|bench\.sh: gate):.*(lines|OK|FAILED|clean|compared|builds in)' "$log" | tail -n 2 | tr '\n' ' ')
            note "$tree" "$npass passed, $nfail failed $extra"
            continue ;;
        host32)
            if ! host32_ok; then
                echo "test.sh: SKIPPING host32: $host32_why"
                note "$tree" "skipped: $host32_why"
                continue
            fi
            args="-DRTHEAP_HOST_M32=ON -DRTHEAP_HOST_RUNNER=$host32_runner" ;;
        *)
            if [ ! -f "toolchain/cpu/$tree.cmake" ]; then
                echo "test.sh: unknown tree '$tree' (known: $all_trees)" >&2
                total_fail=$((total_fail + 1)); failed_trees="$failed_trees $tree"
                note "$tree" "unknown tree"
                continue
            fi
            args="-DCMAKE_TOOLCHAIN_FILE=$root/toolchain/arm-none-eabi.cmake -DRTHEAP_CPU=$tree" ;;
    esac
    dir=build/$tree
    mkdir -p build
    # shellcheck disable=SC2086
    if ! CFLAGS="$tree_flags" LDFLAGS="$tree_flags" cmake -G Ninja -S . -B "$dir" $args >"$dir.configure.log" 2>&1; then
        cat "$dir.configure.log"
        echo "test.sh: $tree: CONFIGURE FAILED"
        total_fail=$((total_fail + 1)); failed_trees="$failed_trees $tree"
        note "$tree" "configure FAILED"
        continue
    fi
    if ! cmake --build "$dir" -j "$jobs"; then
        echo "test.sh: $tree: BUILD FAILED"
        total_fail=$((total_fail + 1)); failed_trees="$failed_trees $tree"
        note "$tree" "build FAILED"
        continue
    fi
    log=$dir/ctest.log
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" 2>&1 | tee "$log"
    # The worst-case bounds' tightness ratios (tests/wcet, docs/wcet.md): ctest shows a
    # passing test's output only with -V.
    cat "$dir"/tests/wcet/tightness-*.txt 2>/dev/null
    line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
    if [ -n "$line" ]; then
        nfail=$(echo "$line" | sed -E 's/.*passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
        ntot=$(echo "$line" | sed -E 's/.*passed, ([0-9]+) tests? failed out of ([0-9]+).*/\2/')
        # ctest counts a skipped test among those that "passed": count it apart.
        nskip=$(grep -cE '^[[:space:]]*[0-9]+ - .*\(Skipped\)' "$log")
        npass=$((ntot - nfail - nskip))
    elif grep -q 'No tests were found' "$log"; then
        npass=0; nfail=0; nskip=0
    else
        npass=0; nfail=1; nskip=0
    fi
    total_pass=$((total_pass + npass))
    total_fail=$((total_fail + nfail))
    total_skip=$((total_skip + nskip))
    [ "$nfail" -ne 0 ] && failed_trees="$failed_trees $tree"
    if [ "$nskip" -ne 0 ]; then
        note "$tree" "$npass passed, $nfail failed, $nskip skipped"
    else
        note "$tree" "$npass passed, $nfail failed"
    fi
done

end=$(date +%s.%N)
echo
echo "=================== summary ==================="
echo "$report" | sed '/^$/d'
[ -n "$failed_trees" ] && echo "FAILED trees:$failed_trees"
awk -v s="$start" -v e="$end" 'BEGIN { printf "wall time: %.1f s\n", e - s }'
if [ "$total_skip" -ne 0 ]; then
    echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
    echo "$total_pass passed, $total_fail failed"
fi
[ "$total_fail" -eq 0 ]
