#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# rtheap: the libFuzzer harness (tests/fuzz/fuzz_heap.c) built with clang
# -fsanitize=fuzzer,address,undefined, two targets:
#   fuzz_heap          bytes -> heap operations and misuse, against a shadow model
#   fuzz_heap_corrupt  the same plus header overwrites (FUZZ_CORRUPT=1)
# Verdict: no crash, no hang (-timeout), no fault or sanitizer error, no model mismatch;
# for the overwrite target also every overwrite refused, harmless or inside the window
# rtheap documents (see fuzz_heap.c). The rates of those three classes are printed from a
# deterministic replay of the target's corpus.
#
# Usage:
#   tools/fuzz.sh                 CI run, about 80 s: FUZZ_SECONDS (default 40) on each target
#   tools/fuzz.sh --hours N       campaign: N hours (may be fractional) on one core, split
#                                 between the two targets; crashes do not stop it
#                                 (-fork=1 -ignore_crashes=1). Ends with executions, libFuzzer
#                                 coverage, line/branch coverage of src/rtheap.c by the final
#                                 corpora (gcc --coverage replay) and the findings
#   tools/fuzz.sh --seconds S     each target for S seconds
#   tools/fuzz.sh --corrupt       (the default now) run the header-overwrite target too
#   tools/fuzz.sh --no-corrupt    only the misuse target
#   tools/fuzz.sh --replay FILE.. run inputs (e.g. a crash-* file or tests/fuzz/findings/*)
#                                 through both targets with FUZZ_TRACE=1
# Work corpus: build/fuzz/corpus-<target> (grows; seeded from tests/fuzz/corpus and, for
# the overwrite target, tests/fuzz/findings). New crashes: build/fuzz/crash-* (minimise
# with the target's -minimize_crash=1, then keep them in tests/fuzz/findings/).
# Exit status non-zero if a target found a failure. Last line "N passed, N failed" (targets).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
out=build/fuzz
mkdir -p "$out"

cc=${FUZZ_CC:-clang}
if ! command -v "$cc" >/dev/null 2>&1; then
    echo "fuzz.sh: $cc not found (apt-get install clang libclang-rt-14-dev)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
san="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
 -Isrc -Itests/fuzz -Wall -Wextra -Werror -Wno-unused-function"
srcs="tests/fuzz/fuzz_heap.c tests/fuzz/asan_arena.c src/rtheap.c"

seconds=${FUZZ_SECONDS:-40}
corrupt_seconds=${FUZZ_CORRUPT_SECONDS:-$seconds}
with_corrupt=1
campaign=0
hours=0
mode=run
while [ $# -gt 0 ]; do
    case "$1" in
        --hours) hours=$2; seconds=$(awk -v h="$2" 'BEGIN { printf "%d", h * 3600 / 2 }')
                 corrupt_seconds=$seconds; campaign=1; shift ;;
        --seconds) seconds=$2; corrupt_seconds=$2; shift ;;
        --corrupt) with_corrupt=1 ;;
        --no-corrupt) with_corrupt=0 ;;
        --replay) mode=replay; shift; break ;;
        *) echo "fuzz.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

build() { # output, extra flags...
    o=$1; shift
    # shellcheck disable=SC2086
    $cc $san "$@" -o "$out/$o" $srcs || { echo "fuzz.sh: build of $o failed"; echo "0 passed, 1 failed"; exit 1; }
}
build fuzz_heap -fsanitize=fuzzer
build fuzz_heap_corrupt -fsanitize=fuzzer -DFUZZ_CORRUPT=1
# Deterministic replays of a corpus (the rates come from here).
build replay_corrupt -DFUZZ_REPLAY_MAIN -DFUZZ_CORRUPT=1 -DFUZZ_RANDOM_INPUTS=0

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
summary=
run_target() { # name seconds seed-dirs...
    t=$1
    secs=$2
    shift 2
    corpus=$out/corpus-$t
    mkdir -p "$corpus"
    log=$out/$t.log
    before=$(ls "$out" | grep -cE '^(crash|timeout|oom|leak)-')
    echo "fuzz.sh: $t for ${secs}s (corpus $corpus, seeds $*)"
    if [ $campaign -eq 1 ]; then
        extra="-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1"
    else
        extra=
    fi
    seeds=
    for d in "$@"; do seeds="$seeds $root/$d"; done
    # One process on one core keeps the figures comparable from run to run.
    # shellcheck disable=SC2086
    ( cd "$out" && ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
        "./$t" -max_total_time="$secs" -max_len=2048 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 $extra "corpus-$t" $seeds ) >"$log" 2>&1
    rc=$?
    after=$(ls "$out" | grep -cE '^(crash|timeout|oom|leak)-')
    new=$((after - before))
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{s += $2} END {print s + 0}')
    if [ "$execs" = 0 ]; then # fork mode: the last status line counts all jobs
        execs=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -E 's/^#([0-9]+).*/\1/')
    fi
    cov=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1 | sed -E 's/.*cov: ([0-9]+).*ft: ([0-9]+).*corp: ([0-9]+).*/cov \1, features \2, corpus \3/')
    rates=
    if [ "$t" = fuzz_heap_corrupt ]; then
        "$out/replay_corrupt" "$corpus" >"$out/replay_corrupt.log" 2>&1 || rc=1
        rates=$(grep -E '^fuzz_heap: overwrites' "$out/replay_corrupt.log" | sed 's/^fuzz_heap: //')
        [ -n "$rates" ] || { echo "fuzz.sh: the replay of $corpus failed:"; tail -n 5 "$out/replay_corrupt.log"; rc=1; }
    fi
    if [ $rc -eq 0 ] && { [ $campaign -eq 1 ] || [ $new -eq 0 ]; }; then
        echo "fuzz.sh: $t: OK: ${execs:-?} executions in ${secs}s, $cov${rates:+; $rates}"
    else
        echo "fuzz.sh: $t: FAILED (exit $rc); log $log:"
        grep -E 'fuzz_heap: FAIL|ERROR: |SUMMARY: |runtime error|Test unit written|^==[0-9]+==' "$log" | head -n 20
    fi
    [ $new -ne 0 ] && echo "fuzz.sh: $t: $new new failing inputs in $out (crash-*/timeout-*/oom-*)"
    if [ $rc -eq 0 ] && [ $new -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    summary="$summary
  $t: ${execs:-?} executions, $cov, $new new failing inputs${rates:+
    $rates}"
}

run_target fuzz_heap "$seconds" tests/fuzz/corpus
if [ $with_corrupt -eq 1 ]; then
    run_target fuzz_heap_corrupt "$corrupt_seconds" tests/fuzz/corpus tests/fuzz/findings
fi

if [ $campaign -eq 1 ]; then
    # Source coverage of the final corpora: a gcc --coverage replay of each.
    cov=$out/cov
    rm -rf "$cov"; mkdir -p "$cov"
    gflags="-O0 -g --coverage -Isrc -Itests/fuzz -DFUZZ_REPLAY_MAIN -DFUZZ_RANDOM_INPUTS=0"
    # shellcheck disable=SC2086
    if gcc $gflags -o "$cov/replay" $srcs 2>"$cov/build.log" &&
       gcc $gflags -DFUZZ_CORRUPT=1 -o "$cov/replay_corrupt" $srcs 2>>"$cov/build.log"; then
        ( cd "$cov" && ./replay "$root/$out/corpus-fuzz_heap" >/dev/null 2>&1;
          [ $with_corrupt -eq 1 ] && ./replay_corrupt "$root/$out/corpus-fuzz_heap_corrupt" >/dev/null 2>&1 )
        rcopt="--rc lcov_branch_coverage=1"
        lcov $rcopt --quiet --capture --directory "$cov" --output-file "$cov/all.info" 2>/dev/null &&
        lcov $rcopt --quiet --extract "$cov/all.info" "$root/src/rtheap.c" "$root/src/core/*" --output-file "$cov/rtheap.info" 2>/dev/null &&
        lines=$(lcov $rcopt --summary "$cov/rtheap.info" 2>&1 | grep -E 'lines|branches' | sed -E 's/^ *//' | tr '\n' ' ')
        summary="$summary
  the core (src/rtheap.c, src/core/) covered by the final corpora: ${lines:-(lcov failed)}"
    else
        summary="$summary
  (no gcc --coverage replay: $(head -n 1 "$cov/build.log"))"
    fi
    findings=$(ls "$out" | grep -E '^(crash|timeout|oom|leak)-' | tr '\n' ' ')
    echo
    echo "fuzz.sh: campaign summary (${hours} h requested, one core):$summary"
    echo "  failing inputs in $out: ${findings:-none}"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
