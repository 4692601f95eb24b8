#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# rtheap: the speed regression gate, a script step of tools/test.sh.
# Runs tools/bench.sh --gate: rtheap's default build on Cortex-M3 (mps2-an385) and
# Cortex-M0 (microbit) under QEMU -icount, its objects built at -O2 and at -Os (the
# harness is -O2 at both), every C API workload (1000 ops) and the 20,000-operation mix
# through the five __rust_* entry points, twice (the runs must be identical). It compares
# every mean and worst-case figure per workload and entry point at both levels, the code
# size of the entry points at -Os and -O2 and of the C API at -Os (and of the small
# configuration's entry points at -Os, built but not run), with the ceilings
# committed in bench/ceilings.txt (one line per figure: cpu level figure reached
# ceiling; ceiling = reached + 3 %). One line per figure, a tally per level, then
# "N passed, N failed". About 10 s on 2 cores.
# After a deliberate change to the core: tools/bench.sh --gate --update (commit the
# new bench/ceilings.txt with the change that explains it).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/bench.sh" --gate "$@"
rc=$?
# bench.sh failing before the comparison (build, run, determinism) prints no tally.
if [ "$rc" -ne 0 ] && ! grep -qsE '^[0-9]+ passed, [0-9]+ failed' "$root/build/bench-gate/gate.log"; then
    echo "bench-gate: the bench did not run to the comparison"
    echo "0 passed, 1 failed"
fi
exit "$rc"
