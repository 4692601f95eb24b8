#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# The Rust demo's test: runs `tools/demo.sh --rust BOARD` and checks what it printed,
# so that the demo cannot rot.
#
# Usage: demo/rust/check.sh ROOT DIR [BOARD]
#   ROOT   the rtheap checkout
#   DIR    the demo's build folder (RTHEAP_DEMO_DIR), e.g. in a CMake tree
#   BOARD  default mps2-an386 (a board with two RAM regions: the checks expect them)
#
# Checks: exit status 0; no warning in the build; the three reports in order, each with the map bars of both
# heaps (the default heap's two regions, the packet heap's one) and both heaps'
# statistics and call counters; after the burst both heaps in use, at the end both
# empty; every row of the instruction table, its means and maxima plausible; the final
# "heap check" line; the block dump (heapmap.txt) with its three regions and as many
# used blocks per heap as the fragmented report counts; the picture drawn from it.
# Then the checks must fail on copies of the output with one part broken (a bar, a
# statistics line, the verdict, the dump's blocks): a check that cannot fail is no check.
# Exit status 0 only if all of that holds; the last line is "N passed, N failed".
set -u
root=$1
dir=$2
board=${3:-mps2-an386}
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok: $1"; }
fail() { failed=$((failed + 1)); echo "FAILED: $1"; }

# check OUT DUMP: the checks on one output and dump; prints the first failure, status 0
# when all hold.
check() {
    out=$1
    dump=$2
    grep -q "^rtheap Rust demo: telemetry hub on $board\$" "$out" || { echo "no title line"; return 1; }
    grep -q "^default heap (global allocator, from the linker script): .* in 2 region(s)\$" "$out" ||
        { echo "no line about the default heap's two regions"; return 1; }
    # The reports: section titles in order, then per section 3 bars and 2 statistics.
    awk '
        function fail(m) { print m; bad = 1; exit 1 }
        /^-- .* --$/ { sec++; title[sec] = $0; next }
        sec && /^  r[0-9] [0-9a-f]+ \|[#.+]+\| [0-9]+ (B|KiB|MiB)$/ {
            split($0, f, "|"); if (length(f[2]) != 64) fail("a bar of " length(f[2]) " slices: " $0)
            bars[sec]++; bar[sec, bars[sec]] = f[2]; next }
        sec && /^      used [0-9]+ blocks, [0-9]+ (B|KiB|MiB); free [0-9]+ blocks, [0-9]+ (B|KiB|MiB), largest free [0-9]+ (B|KiB|MiB)$/ { details[sec]++; next }
        sec && /^  stats: used [0-9]+ B \(\+headers [0-9]+ B\) in [0-9]+ blocks, free [0-9]+ B, peak [0-9]+ B$/ {
            stats[sec]++; used[sec, stats[sec]] = $3; blocks[sec, stats[sec]] = $9; next }
        sec && /^         calls: [0-9]+ alloc, [0-9]+ free, [0-9]+ realloc, [0-9]+ failed, [0-9]+ errors$/ {
            calls[sec]++; if ($2 == 0) fail("section " sec ": no allocation counted"); next }
        sec && /^  largest guaranteed allocation: [0-9]+ B/ { lg[sec]++; next }
        /^MISMATCH/ { fail("a walk and the statistics disagree: " $0) }
        END {
            if (bad) exit 1
            if (sec != 3) fail("3 reports expected, found " sec)
            if (title[1] != "-- after the burst --") fail("first report: " title[1])
            if (title[2] !~ /\(fragmented\) --$/) fail("second report: " title[2])
            if (title[3] != "-- everything sent --") fail("third report: " title[3])
            for (s = 1; s <= 3; s++) {
                if (bars[s] != 3 || details[s] != 3) fail("report " s ": " bars[s] + 0 " bars, " details[s] + 0 " region lines (3 expected)")
                if (stats[s] != 2 || calls[s] != 2 || lg[s] != 2) fail("report " s ": " stats[s] + 0 " statistics, " calls[s] + 0 " call counters, " lg[s] + 0 " guarantees (2 expected)")
            }
            # After the burst both heaps hold blocks; at the end neither does.
            if (used[1, 1] == 0 || used[1, 2] == 0) fail("after the burst a heap is empty")
            if (blocks[3, 1] != 0 || blocks[3, 2] != 0) fail("at the end blocks are left: " blocks[3, 1] " and " blocks[3, 2])
            if (bar[1, 1] ~ /\./) fail("after the burst the default heap'"'"'s first region has free slices: " bar[1, 1])
            for (b = 1; b <= 3; b++) if (bar[3, b] ~ /#/) fail("at the end a slice is all in use: " bar[3, b])
            # For the dump check below: the used blocks of each heap, fragmented.
            print "FRAGMENTED " blocks[2, 1] " " blocks[2, 2]
        }' "$out" >"$out.sections" || { cat "$out.sections"; return 1; }
    # The instruction table: every row, counts plausible.
    awk '
        function fail(m) { print m; bad = 1; exit 1 }
        /^instructions per call/ { table = 1; next }
        table && /^  (default|packets)  / {
            rows++
            call = substr($0, 12, 18); sub(/ +$/, "", call)
            if ($NF != "-") {
                n = split($0, f, " "); max = f[n]; mean = f[n - 1]
                if (mean + 0 <= 0 || mean + 0 > max + 0) fail("row " $0 ": mean not in (0, max]")
                if ((call == "alloc" || call == "free" || call == "allocate" || call == "deallocate") && max + 0 > 2000)
                    fail("row " $0 ": over 2000 instructions for a call of an O(1) heap")
            } else if (call == "alloc" || call == "free" || call == "allocate" || call == "deallocate") {
                fail("row " $0 ": not measured")
            }
        }
        /^  \(calibration: [0-9]+\.[0-9]+ SysTick clocks per instruction/ { cal = 1 }
        END { if (bad) exit 1; if (rows != 10) fail(rows + 0 " rows in the instruction table (10 expected)"); if (!cal) fail("no calibration line") }
    ' "$out" || return 1
    grep -q "^heap check: default OK, packets OK; live blocks 0 and 0; [0-9]* packets: [0-9]* sent, [0-9]* lost\$" "$out" ||
        { echo "no heap check line with both heaps OK and empty"; return 1; }
    # The dump: three regions, and per heap as many used blocks as its statistics.
    set -- $(sed -n 's/^FRAGMENTED //p' "$out.sections")
    awk -v want0="$1" -v want1="$2" '
        function fail(m) { print m; bad = 1; exit 1 }
        /^# rtheap heapmap v1$/ { magic = 1 }
        /^# region [0-2] 0x[0-9a-f]+ 0x[0-9a-f]+$/ { regions++ }
        /^[0-9]+ [0-9]+ 0x[0-9a-f]+ [0-9]+ [01]$/ { if ($5 == 1) { if ($1 < 2) u0++; else u1++ } }
        END {
            if (bad) exit 1
            if (!magic || regions != 3) fail("dump: header or region lines missing (" regions + 0 " regions)")
            if (u0 + 0 != want0 || u1 + 0 != want1) fail("dump: " u0 + 0 " and " u1 + 0 " used blocks, the report counts " want0 " and " want1)
        }' "$dump" || return 1
    return 0
}

mkdir -p "$dir/check"
out=$dir/check/demo.out
RTHEAP_DEMO_DIR=$dir sh "$root/tools/demo.sh" --rust "$board" >"$out" 2>&1
rc=$?
sed 's/^/    /' "$out"
if [ "$rc" -eq 0 ]; then pass "tools/demo.sh --rust $board: exit status 0"; else fail "tools/demo.sh --rust $board: exit status $rc"; fi
if grep -q '^warning' "$dir.log"; then
    grep -A6 '^warning' "$dir.log" | sed 's/^/    /'
    fail "the build warned (log: $dir.log)"
else
    pass "the build: no warnings"
fi
dump=$dir/heapmap.txt
if why=$(check "$out" "$dump"); then
    pass "the demo's output: three reports with both heaps' maps and statistics, the instruction table, both heaps OK and empty at the end, the dump agreeing with the report"
else
    fail "the demo's output: $why"
fi
if grep -q '^<svg' "$dir/heapmap.svg" 2>/dev/null && [ "$(grep -c 'font-weight="bold">r[0-2] ' "$dir/heapmap.svg")" -eq 3 ]; then
    pass "heap map picture $dir/heapmap.svg: three regions"
else
    fail "heap map picture $dir/heapmap.svg: missing, or not three regions"
fi

# Controls: each broken copy must fail the checks.
control() { # $1: what is broken, $2: sed script for the output, $3: for the dump
    sed "$2" "$out" >"$out.broken"
    sed "$3" "$dump" >"$dir/check/heapmap.txt.broken"
    if why=$(check "$out.broken" "$dir/check/heapmap.txt.broken"); then
        fail "control: the checks passed with $1"
    else
        pass "control: $1 fails the checks ($why)"
    fi
}
control "a map bar missing" '0,/^  r1 /{/^  r1 /d}' ''
control "a statistics line missing" '0,/^  stats: /{/^  stats: /d}' ''
control "a heap check failed" 's/^heap check: default OK/heap check: default FAILED (bad header (rtheap error 4))/' ''
control "a used block missing from the dump" '' '0,/ 1$/{/ 1$/d}'
control "the instruction table cut short" '/^  packets  no memory/d' ''
rm -f "$out.broken" "$out.broken.sections" "$dir/check/heapmap.txt.broken"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
