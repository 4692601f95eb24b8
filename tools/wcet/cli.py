# SPDX-License-Identifier: MIT OR Apache-2.0
"""Command line of the analyser (see main's doc and --help)."""

import argparse
import os
import sys
import time

from . import build, drive, markers, report
from .analyse import Analyser
from .cfg import AnalysisError
from .elf import Firmware
from .entries import ENTRIES, INDIRECT_CALLS, KIND_PARAMS, NO_SOUND, WALKERS
from .extern import EXTERN_LOOPS
from .isa import Timing
from .poly import Poly

HELP = """\
Worst-case bounds of rtheap's entry points, from the linked firmware.

For each CPU and optimisation level it builds the library (as tools/bench.sh does)
linked with the driver firmware tests/wcet/drive.c, reads the firmware's code
(arm-none-eabi-objdump), and bounds every entry point: the longest path through its
control flow and all its callees, each loop bounded by the wcet-loop marker next to it
in the source (a loop without one is refused). It prints the bound in instructions and
in cycles (zero wait states; the cycle model of each core is in docs/wcet.md).

  --drive   also run the driver under QEMU (-icount): it drives the paths the analysis
            names as longest and measures them; prints the tightness (bound / driven)
  --gate    fail (exit 1) if a bound exceeds its ceiling in bench/wcet-ceilings.txt, a
            measured maximum (the bench's, bench/results/results.json, and the
            driver's) exceeds its bound, or an entry has no bound
  --update  with --gate: rewrite the ceilings from this run (bound + 3 %%)
  --docs    rewrite the tables of docs/wcet.md (between its wcet markers)
  --path E  print the worst path of entry point E (source lines, callees)
  --loops   print the loop table (every marker, its bound, where it was found)
"""


def parse(argv):
    p = argparse.ArgumentParser(prog="tools/wcet", description=HELP,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p.add_argument("--root", default=root, help="repository root (default: this one)")
    p.add_argument("--src", default=None, help="library sources (default: <root>/src)")
    p.add_argument("--cpus", default=" ".join(build.CPUS), help="CPUs (default: all)")
    p.add_argument("--levels", default="O2 Os", help="optimisation levels (default: O2 Os)")
    p.add_argument("--out", default=None, help="build folder (default: <root>/build/wcet)")
    p.add_argument("--freertos", default=None,
                   help="FreeRTOS kernel sources (default: <root>/../shared/freertos)")
    p.add_argument("--drive", action="store_true")
    p.add_argument("--gate", action="store_true")
    p.add_argument("--update", action="store_true")
    p.add_argument("--docs", action="store_true")
    p.add_argument("--path", action="append", default=[])
    p.add_argument("--loops", action="store_true")
    p.add_argument("--json", default=None, help="write every figure to this JSON file")
    p.add_argument("--ceilings", default=None,
                   help="ceilings file (default: <root>/bench/wcet-ceilings.txt)")
    p.add_argument("--results", default=None,
                   help="the bench's results (default: <root>/bench/results/results.json)")
    p.add_argument("--summary", default=None,
                   help="also write the tightness lines and the verdict to this file")
    p.add_argument("-j", "--jobs", type=int, default=2)
    a = p.parse_args(argv)
    a.src = a.src or os.path.join(a.root, "src")
    a.out = a.out or os.path.join(a.root, "build", "wcet")
    a.freertos = a.freertos or os.path.join(os.path.dirname(a.root), "shared", "freertos")
    a.ceilings = a.ceilings or os.path.join(a.root, "bench", "wcet-ceilings.txt")
    a.results = a.results or os.path.join(a.root, "bench", "results", "results.json")
    a.cpus = a.cpus.split()
    a.levels = a.levels.split()
    for c in a.cpus:
        if c not in build.CPUS:
            p.error("unknown CPU %s (known: %s)" % (c, " ".join(build.CPUS)))
    for lv in a.levels:
        if lv not in build.LEVELS:
            p.error("unknown level %s (known: O2 Os)" % lv)
    if a.update and not a.gate:
        p.error("--update goes with --gate")
    return a


def analyse_one(args, cpu, level, problems):
    """Builds and analyses one CPU at one level: a dict of figures per entry point."""
    root, src = args.root, args.src
    names = markers.marker_names(src)
    macros = build.macro_values(root, src, cpu, names, args.out)
    by_line, once, allm, nonnull = markers.collect(src, macros)
    for key, (name, text) in EXTERN_LOOPS.items():
        mk = markers.Marker(name, text, markers.parse_bound(text, macros, markers.PARAMS),
                            False, "newlib " + key[0], key[1], key[1])
        by_line[key] = mk
        allm.append(mk)
    elf, have_fr = build.build(root, src, cpu, level, args.out, args.freertos, args.jobs)
    fw = Firmware(elf)
    model = build.CPUS[cpu][2]
    missing = [v for v in nonnull if v not in fw.data and
               (have_fr or "freertos" not in nonnull[v])]
    if missing:
        raise markers.MarkerError("wcet-nonnull names %s: no such variable in the firmware" %
                                  ", ".join(missing))
    an = Analyser(fw, Timing(model), by_line, set(once), INDIRECT_CALLS,
                  {fw.data[v] for v in nonnull if v in fw.data})
    results = {}
    for name, group, kind, note in ENTRIES:
        if group == "FreeRTOS" and not have_fr:
            results[name] = {"error": "not built: FreeRTOS kernel headers not found at %s" %
                             args.freertos, "skipped": True}
            continue
        entry = {"kind": kind, "group": group, "note": note}
        try:
            # rt: every heap state (damage met and contained included); sound: a sound
            # heap and valid arguments (the damage handling never runs).
            modes = (("rt", ""), ("sound", "sound_")) if kind == "rt" else (("setup", ""),)
            if name in NO_SOUND:
                modes = (("rt", ""), ("rt", "sound_"))
            for mode, tag in modes:
                res = an.function(name, (None, None, None, None), mode)
                cost = res.cost
                walker = WALKERS.get(name)
                if walker:
                    w = an.function(walker, (None, None, None, None), mode)
                    cost = cost + w.cost.times(Poly.var("blocks"))
                ins, cyc = cost.i.ceil(), cost.c.ceil()
                extra = set(ins.params()) | set(cyc.params())
                bad = extra - KIND_PARAMS[kind]
                if bad:
                    raise AnalysisError("%s: its bound depends on %s: %s" %
                                        (name, ", ".join(sorted(bad)),
                                         "not O(1)" if kind == "rt" else "unexpected"))
                entry[tag + "instructions"] = ins
                entry[tag + "cycles"] = cyc
                entry[tag + "result"] = res
            results[name] = entry
        except AnalysisError as e:
            results[name] = {"error": str(e), "kind": kind, "group": group}
            problems.append("%s %s: %s" % (cpu, level, e))
    return {"results": results, "analyser": an, "fw": fw, "elf": elf, "markers": allm,
            "once": once, "nonnull": nonnull, "macros": macros}


def main(argv):
    args = parse(argv)
    t0 = time.time()
    problems = []
    runs = {}
    for cpu in args.cpus:
        for level in args.levels:
            try:
                runs[(cpu, level)] = analyse_one(args, cpu, level, problems)
            except (build.BuildError, markers.MarkerError) as e:
                print("wcet: %s %s: %s" % (cpu, level, e), file=sys.stderr)
                problems.append("%s %s: %s" % (cpu, level, e))
    t_analysis = time.time() - t0
    driven = {}
    if args.drive:
        for (cpu, level), run in runs.items():
            try:
                driven[(cpu, level)] = drive.run(args.root, cpu, run)
            except drive.DriveError as e:
                problems.append("%s %s: driver: %s" % (cpu, level, e))
    measured, measured_sha = report.bench_maxima(args.results)
    rs_all = report.rows(runs, driven, measured)
    for (cpu, level) in sorted(runs):
        print(report.table_text(cpu, level, rs_all[(cpu, level)]))
        print()
    if args.loops:
        for (cpu, level), run in sorted(runs.items()):
            print(report.loop_table(cpu, level, run))
            print()
    for e in args.path:
        for (cpu, level), run in sorted(runs.items()):
            r = run["results"].get(e)
            if r is None or "result" not in r:
                print("%s %s: %s: %s" % (cpu, level, e, r.get("error") if r else "not an entry"))
                continue
            for tag, what in (("", "any heap"), ("sound_", "sound heap")):
                if tag + "result" in r:
                    print("worst path of %s on %s at -%s (%s):" % (e, cpu, level, what))
                    print("\n".join(run["analyser"].path_lines(r[tag + "result"])))
                    print()
    report.check_soundness(runs, rs_all, measured_sha, args.src, problems)
    if args.gate:
        if args.update:
            report.write_ceilings(args.ceilings, runs, args.cpus, args.levels)
            print("wcet: ceilings written to %s (bound + 3 %%)" % args.ceilings)
        n = report.check_ceilings(args.ceilings, runs, problems)
        print("wcet: %d bounds compared with their ceilings (%s)" % (n, args.ceilings))
    if args.docs:
        report.write_docs(os.path.join(args.root, "docs", "wcet.md"), runs, rs_all)
        print("wcet: docs/wcet.md tables rewritten")
    if args.json:
        report.write_json(args.json, runs, rs_all)
    summary = report.print_tightness(rs_all)
    skipped = sorted({"%s %s: %s" % (c, lv, r["error"]) for (c, lv), run in runs.items()
                      for r in run["results"].values() if r.get("skipped")})
    for s in skipped:
        summary.append("wcet: NOT ANALYSED: %s" % s)
    summary.append("wcet: %d CPU/level builds analysed in %.1f s%s" %
                   (len(runs), t_analysis, (", driven in %.1f s" % (time.time() - t0 - t_analysis))
                    if args.drive else ""))
    summary.append("wcet: FAILED: %d problem(s)" % len(problems) if problems else "wcet: OK")
    for line in summary:
        print(line)
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as f:
            f.write("\n".join(summary + ["  " + p for p in problems]) + "\n")
    if problems:
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    return 0
