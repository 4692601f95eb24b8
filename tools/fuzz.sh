#!/bin/sh
# rtheap: the libFuzzer harness (tests/fuzz/fuzz_heap.c) built with clang
# -fsanitize=fuzzer,address,undefined and run against the seed corpus.
#
# Usage:
#   tools/fuzz.sh                 CI run: ~60 s in total (FUZZ_SECONDS, default 45 for the
#                                 misuse fuzzer + 10 for the header-overwrite fuzzer)
#   tools/fuzz.sh --hours N       long run (N may be fractional), both targets in turn
#   tools/fuzz.sh --seconds S     run each target for S seconds
#   tools/fuzz.sh --corrupt       include the header-overwrite target (FUZZ_CORRUPT=1) in
#                                 a CI-length run (off by default while findings are open)
#   tools/fuzz.sh --replay FILE.. run inputs (e.g. a crash-* file or tests/fuzz/findings/*)
#                                 through both targets with FUZZ_TRACE=1
# Work corpus: build/fuzz/corpus-<target> (grows; seeded from tests/fuzz/corpus).
# New crashes: build/fuzz/crash-*. Exit status non-zero if a target found a failure.
# The last line is "N passed, N failed" (targets).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
out=build/fuzz
mkdir -p "$out"

cc=${FUZZ_CC:-clang}
if ! command -v "$cc" >/dev/null 2>&1; then
    echo "fuzz.sh: $cc not found (apt-get install clang libclang-rt-14-dev)" >&2
    exit 1
fi
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
 -fno-omit-frame-pointer -Isrc -Itests/fuzz -Wall -Wextra -Werror -Wno-unused-function"
srcs="tests/fuzz/fuzz_heap.c tests/fuzz/asan_arena.c src/rtheap.c"

seconds=${FUZZ_SECONDS:-45}
corrupt_seconds=${FUZZ_CORRUPT_SECONDS:-10}
with_corrupt=0
mode=run
while [ $# -gt 0 ]; do
    case "$1" in
        --hours) seconds=$(awk -v h="$2" 'BEGIN { printf "%d", h * 3600 }'); corrupt_seconds=$seconds
                 with_corrupt=1; shift ;;
        --seconds) seconds=$2; corrupt_seconds=$2; shift ;;
        --corrupt) with_corrupt=1 ;;
        --replay) mode=replay; shift; break ;;
        *) echo "fuzz.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

# shellcheck disable=SC2086
$cc $flags -o "$out/fuzz_heap" $srcs || exit 1
# shellcheck disable=SC2086
$cc $flags -DFUZZ_CORRUPT=1 -o "$out/fuzz_heap_corrupt" $srcs || exit 1

if [ "$mode" = replay ]; then
    rc=0
    for t in fuzz_heap fuzz_heap_corrupt; do
        echo "=== $t"
        FUZZ_TRACE=1 "$out/$t" "$@" || rc=1
    done
    exit $rc
fi

pass=0
fail=0
run_target() { # name seconds
    t=$1
    secs=$2
    corpus=$out/corpus-$t
    mkdir -p "$corpus"
    log=$out/$t.log
    echo "fuzz.sh: $t for ${secs}s (corpus $corpus, seeds tests/fuzz/corpus)"
    # -fork would use both cores, but one process keeps the CI figure simple.
    ( cd "$out" && ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
        "./$t" -max_total_time="$secs" -max_len=2048 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "corpus-$t" "$root/tests/fuzz/corpus" ) >"$log" 2>&1
    rc=$?
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -E 's/.*cov: ([0-9]+).*ft: ([0-9]+).*/cov \1, features \2/')
    if [ $rc -eq 0 ]; then
        echo "fuzz.sh: $t: OK: ${execs:-?} executions in ${secs}s, $cov"
        pass=$((pass + 1))
    else
        echo "fuzz.sh: $t: FAILED (exit $rc); log $log:"
        grep -v '^#' "$log" | tail -n 40
        ls "$out"/crash-* "$out"/timeout-* "$out"/oom-* 2>/dev/null
        fail=$((fail + 1))
    fi
}

run_target fuzz_heap "$seconds"
if [ $with_corrupt -eq 1 ]; then
    run_target fuzz_heap_corrupt "$corrupt_seconds"
else
    echo "fuzz.sh: fuzz_heap_corrupt built, not run (--corrupt or --hours to run it; open" \
         "findings in tests/fuzz/findings/)"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
