#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# rtheap: line and branch coverage of src/ by the host tests (which include the replay of
# the fuzz seed corpus, tests/fuzz/corpus, plus pseudo-random fuzz inputs).
#   build tree build/coverage: host build, -O0 --coverage; ctest; lcov; summary.
# The core is src/rtheap.c and the files of src/core/ it includes. The data of every
# program that compiles src/rtheap.c is merged (the `rtheap` library
# and the tests built with other options: RTHEAP_CHECKS=2, RTHEAP_POISON=1,
# RTHEAP_FIT_SCAN=8, RTHEAP_USE_CLZ=0, RTHEAP_DEBUG=1; tests/core/ and tests/whitebox/).
# Prints the lcov summary of the core (and of all of src/), and writes an HTML
# report to build/coverage/html. Last line: "N passed, N failed" (the ctest counts, plus
# one failure for each threshold missed).
# The step fails below COVERAGE_MIN_LINES / COVERAGE_MIN_BRANCHES percent of the lines /
# branches of the core (defaults 99 and 95; 0 = report only).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
dir=build/coverage
for t in lcov gcov; do
    command -v $t >/dev/null 2>&1 || { echo "coverage: $t missing (apt-get install lcov)"; echo "0 passed, 1 failed"; exit 1; }
done
rc="--rc lcov_branch_coverage=1"
CFLAGS="--coverage -fprofile-update=single" LDFLAGS="--coverage" \
    cmake -G Ninja -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O0 -g" \
    >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; echo "0 passed, 1 failed"; exit 1; }
cmake --build "$dir" -j "$(nproc 2>/dev/null || echo 2)" >"$dir.build.log" 2>&1 ||
    { tail -n 40 "$dir.build.log"; echo "0 passed, 1 failed"; exit 1; }
lcov $rc --quiet --zerocounters --directory "$dir"
ctest --test-dir "$dir" -j "$(nproc 2>/dev/null || echo 2)" --output-on-failure >"$dir/ctest.log" 2>&1
line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$dir/ctest.log" | tail -n 1)
nfail=$(echo "$line" | sed -E 's/.*passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
ntot=$(echo "$line" | sed -E 's/.*passed, ([0-9]+) tests? failed out of ([0-9]+).*/\2/')
[ -n "$line" ] || { cat "$dir/ctest.log"; nfail=1; ntot=1; }
[ "$nfail" -ne 0 ] && grep -E 'Failed|\*\*\*' "$dir/ctest.log"
lcov $rc --quiet --capture --directory "$dir" --output-file "$dir/all.info" 2>"$dir/lcov.err"
lcov $rc --quiet --extract "$dir/all.info" "$root/src/*" --output-file "$dir/src.info"
lcov $rc --quiet --extract "$dir/all.info" "$root/src/rtheap.c" "$root/src/core/*" --output-file "$dir/rtheap.info"
echo "coverage: all of src/:"
lcov $rc --summary "$dir/src.info" 2>&1 | grep -E 'lines|functions|branches' | sed 's/^/  /'
sum=$(lcov $rc --summary "$dir/rtheap.info" 2>&1)
lines=$(echo "$sum" | sed -nE 's/.*lines\.+: ([0-9.]+)% \(([0-9]+) of ([0-9]+).*/\1% (\2 of \3)/p')
branches=$(echo "$sum" | sed -nE 's/.*branches\.+: ([0-9.]+)% \(([0-9]+) of ([0-9]+).*/\1% (\2 of \3)/p')
echo "coverage: the core (src/rtheap.c, src/core/): lines $lines, branches $branches"
genhtml $rc --quiet --output-directory "$dir/html" "$dir/src.info" >/dev/null 2>&1 &&
    echo "coverage: HTML report in $dir/html/index.html"
# Uncovered lines of the core (file:line), for the record.
awk -F'[:,]' '/^SF:/{n=split($2, p, "/"); f=p[n]} /^DA:/{ if ($3 == 0) printf "%s:%s ", f, $2 }' "$dir/rtheap.info" >"$dir/uncovered-lines.txt"
[ -s "$dir/uncovered-lines.txt" ] && echo "coverage: uncovered lines of the core: $(cat "$dir/uncovered-lines.txt")"
# Lines with a branch never taken (BRDA count 0 or "-"), each with how many such branches.
awk -F'[:,]' '/^SF:/{k=split($2, p, "/"); f=p[k]} /^BRDA:/{ if ($5 == "0" || $5 == "-") n[f ":" $2]++ }
     END { for (l in n) printf "%s%s ", l, (n[l] > 1 ? "x" n[l] : "") }' "$dir/rtheap.info" |
    tr ' ' '\n' | sort | tr '\n' ' ' >"$dir/uncovered-branches.txt"
[ -s "$dir/uncovered-branches.txt" ] && echo "coverage: lines of the core with a branch never taken: $(cat "$dir/uncovered-branches.txt")"
bad=0
lp=${lines%%%*}; bp=${branches%%%*}
min_l=${COVERAGE_MIN_LINES:-99}
min_b=${COVERAGE_MIN_BRANCHES:-95}
echo "coverage: thresholds for the core: lines ${min_l}%, branches ${min_b}%"
awk -v v="${lp:-0}" -v m="$min_l" 'BEGIN { exit !(v + 0 < m + 0) }' && { echo "coverage: FAILED: lines below ${min_l}%"; bad=$((bad + 1)); }
awk -v v="${bp:-0}" -v m="$min_b" 'BEGIN { exit !(v + 0 < m + 0) }' && { echo "coverage: FAILED: branches below ${min_b}%"; bad=$((bad + 1)); }
echo "$((ntot - nfail)) passed, $((nfail + bad)) failed"
[ "$nfail" -eq 0 ] && [ $bad -eq 0 ]
