#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Negative controls of tools/wcet's checks: each breaks one thing and the analyser
must fail, for that reason (its message names it). Exit status 0 only if all three
failed as they should.

  unmarked   a copy of src/ without the wcet-loop marker of the search's rounds: the
             loop is refused, naming rtheap_find_slow, its address and its line
  ceiling    a copy of the ceilings with rtheap_alloc's one below its bound: the gate
             reports that the bound grew past its ceiling
  measured   a copy of the bench's results claiming a maximum above rtheap_alloc's
             sound-heap bound: the soundness check reports it

    negative.py ROOT OUT [--cpu CPU] [--freertos DIR]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys


def run_wcet(root, out, cpu, freertos, extra):
    cmd = [sys.executable, os.path.join(root, "tools", "wcet"), "--cpus", cpu, "--levels", "O2",
           "--out", out, "--freertos", freertos, "-j", "1"] + extra
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("out")
    ap.add_argument("--cpu", default="cortex-m3")
    ap.add_argument("--freertos", default=None)
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    out = os.path.abspath(a.out)
    freertos = a.freertos or os.path.join(os.path.dirname(root), "shared", "freertos")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    failures = 0

    def expect(name, rc, text, pattern):
        nonlocal failures
        if rc != 0 and re.search(pattern, text):
            print("negative %s: OK (refused: %s)" % (name, re.search(pattern, text).group(0)))
        else:
            failures += 1
            print("negative %s: FAILED: exit %d, expected a failure matching /%s/; output:\n%s"
                  % (name, rc, pattern, text[-2000:]))

    # unmarked: the marker of the search's rounds removed
    src = os.path.join(out, "src")
    shutil.copytree(os.path.join(root, "src"), src)
    alloc_c = os.path.join(src, "core", "alloc.c")
    with open(alloc_c, encoding="utf-8") as f:
        text = f.read()
    marked = re.sub(r"\s*/\* wcet-loop: find-rounds [^*]*\*/", "", text)
    if marked == text:
        failures += 1
        print("negative unmarked: FAILED: no find-rounds marker in src/core/alloc.c to remove")
    else:
        with open(alloc_c, "w", encoding="utf-8") as f:
            f.write(marked)
        rc, text = run_wcet(root, os.path.join(out, "b1"), a.cpu, freertos, ["--src", src])
        expect("unmarked", rc, text,
               r"rtheap_find_slow[.\w]* at 0x[0-9a-f]+ \(alloc\.c:\d+\): loop \(header 0x[0-9a-f]+, "
               r"back edge at 0x[0-9a-f]+, alloc\.c:\d+\) has no wcet-loop marker")

    # ceiling: rtheap_alloc's ceiling one below... anything: 1 instruction
    ceil = os.path.join(out, "ceilings.txt")
    with open(os.path.join(root, "bench", "wcet-ceilings.txt"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    done = False
    for i, line in enumerate(lines):
        p = line.split()
        if len(p) > 3 and p[0] == a.cpu and p[1] == "O2" and p[2] == "rtheap_alloc":
            lines[i] = re.sub(r"\bsi=\d+", "si=1", line)
            done = lines[i] != line
    with open(ceil, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    if not done:
        failures += 1
        print("negative ceiling: FAILED: no ceiling of rtheap_alloc to lower")
    else:
        rc, text = run_wcet(root, os.path.join(out, "b2"), a.cpu, freertos,
                            ["--gate", "--ceilings", ceil])
        expect("ceiling", rc, text, r"rtheap_alloc: bound si = \d+ grew past its ceiling 1")

    # measured: a bench maximum far above any bound
    res = os.path.join(out, "results.json")
    with open(os.path.join(root, "bench", "results", "results.json"), encoding="utf-8") as f:
        js = json.load(f)
    try:
        fig = js[a.cpu]["O2"]["calls"]["small"]["rtheap"]["a"]
        fig["max"] = 10 ** 6
        with open(res, "w", encoding="utf-8") as f:
            json.dump(js, f)
        rc, text = run_wcet(root, os.path.join(out, "b3"), a.cpu, freertos, ["--results", res])
        expect("measured", rc, text,
               r"rtheap_alloc: the bench measured 1000000 instructions, above its sound-heap bound")
    except (KeyError, TypeError):
        failures += 1
        print("negative measured: FAILED: no rtheap_alloc maximum in the bench's results for %s"
              % a.cpu)

    print("%d passed, %d failed" % (3 - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
