#!/usr/bin/env python3
"""rtheap benchmark analysis (run by tools/bench.sh): raw firmware output -> tables + plots.

Per-call instructions = round((ticks - empty_ticks[kind]) / ticks_per_insn) + callee_len[kind]
where ticks_per_insn comes from timing 1000 NOPs (cal1000 - cal0), empty_ticks[kind] is the
same timed wrapper around an empty function with the allocator's signature, and callee_len
adds back the instructions of that empty function (`movs r0,#0; bx lr` = 2, `bx lr` = 1), so
the figure is the number of instructions executed from the allocator's first instruction to
its return, inclusive, including everything it calls (locks, memcpy, sbrk).
"""
import argparse
import json
import math
import os
import re
import sys

BACKENDS = ["rtheap", "rtheap-nochk", "picolibc", "newlib", "newlib-nano"]
WORKLOADS = ["small", "logu", "fifo", "realloc", "aligned", "adversarial"]
GROWTH = ["small", "logu", "fifo", "realloc", "aligned"]
KINDS = [("a", "alloc"), ("f", "free"), ("r", "realloc"), ("m", "aligned")]
CALLEE_LEN = {"a": 2, "f": 1, "r": 2, "m": 2}
CPU_LABEL = {"cortex-m0": "Cortex-M0", "cortex-m3": "Cortex-M3", "cortex-m4f": "Cortex-M4F",
             "cortex-m4": "Cortex-M4", "cortex-m7": "Cortex-M7", "cortex-m33": "Cortex-M33"}
WL_LABEL = {"small": "uniform 8-256 B", "logu": "log-uniform 16 B-4 KiB", "fifo": "FIFO messages",
            "realloc": "realloc growth + small", "aligned": "aligned 16-1024",
            "adversarial": "adversarial"}
UTIL_TARGET = {"small": 93.0, "logu": 92.5, "fifo": 95.0, "realloc": 65.0}


def kv(line):
    return {k: v for k, v in re.findall(r"(\w+)=(\S+)", line)}


def pct(vals, p):
    if not vals:
        return None
    s = sorted(vals)
    i = max(0, math.ceil(p / 100.0 * len(s)) - 1)
    return s[i]


def load_cpu(raw, cpu):
    d = {}
    for b in ["none"] + BACKENDS:
        bd = os.path.join(raw, cpu, b)
        info = {}
        with open(os.path.join(bd, "info.txt")) as f:
            for line in f:
                if line.startswith("I backend="):
                    info.update(kv(line))
                elif line.startswith("I ram"):
                    info.update({"ram_" + k: v for k, v in kv(line).items()})
        ratio = (int(info["cal1000"]) - int(info["cal0"])) / 1000.0
        empty = {k: int(info["empty_" + k]) for k in "afrm"}
        rec = {"info": info, "ratio": ratio, "wl": {}, "growth": {}}
        for w in WORKLOADS:
            samples = {k: [] for k in "afrm"}
            end = {}
            with open(os.path.join(bd, w + ".txt")) as f:
                for line in f:
                    c = line[:1]
                    if c in samples and line[1:2].isdigit():
                        t = int(line[1:])
                        samples[c].append(int(round((t - empty[c]) / ratio)) + CALLEE_LEN[c])
                    elif line.startswith("E "):
                        end = kv(line)
            rec["wl"][w] = {"samples": samples, "end": end}
        for w in GROWTH:
            with open(os.path.join(bd, "g_" + w + ".txt")) as f:
                u = {}
                for line in f:
                    if line.startswith("U "):
                        u = kv(line)
                    if line.startswith("I slots_exhausted"):
                        u["slots_exhausted"] = "1"
            rec["growth"][w] = u
        d[b] = rec
    return d


def load_sizes(build, cpu):
    sizes = {}
    with open(os.path.join(build, cpu, "sizes.txt")) as f:
        for line in f:
            b, t, dd = line.split()
            sizes[b] = int(t) + int(dd)
    syms = {}
    with open(os.path.join(build, cpu, "symbols.txt")) as f:
        for line in f:
            b, name, n = line.split()
            syms.setdefault(b, {})[name] = int(n)
    return sizes, syms


def stat(vals):
    if not vals:
        return None
    return {"n": len(vals), "mean": sum(vals) / len(vals), "p99": pct(vals, 99), "max": max(vals)}


def fmt_stat(s):
    if s is None:
        return "-"
    return "%.0f / %d / %d" % (s["mean"], s["p99"], s["max"])


def host_results(build):
    hd = os.path.join(build, "host")
    if not os.path.isdir(hd):
        return None
    names = {"rtheap": {"a": ["rtheap_alloc"], "f": ["rtheap_free"], "r": ["rtheap_realloc"],
                        "m": ["rtheap_alloc_aligned"]},
             "glibc": {"a": ["malloc"], "f": ["free"], "r": ["realloc"], "m": ["memalign"]}}
    out = {}
    for b in ["rtheap", "glibc"]:
        for w in WORKLOADS:
            ann = os.path.join(hd, "%s.%s.ann" % (b, w))
            txt = os.path.join(hd, "%s.%s.txt" % (b, w))
            if not os.path.exists(ann):
                continue
            counts = {k: 0 for k in "afrm"}
            with open(txt) as f:
                for line in f:
                    if line[:1] in counts and line[1:2].isdigit():
                        counts[line[0]] += 1
            incl = {}
            with open(ann) as f:
                for line in f:
                    m = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+(?:\S*:)?(\S+?)(?:'\d+)?\s+\[", line)
                    if m:
                        fn = m.group(2)
                        incl[fn] = max(incl.get(fn, 0), int(m.group(1).replace(",", "")))
            r = {}
            for k in "afrm":
                tot = sum(incl.get(n, 0) for n in names[b][k])
                r[k] = tot / counts[k] if counts[k] else None
            out.setdefault(b, {})[w] = r
    return out


def plot(cpu, data, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception as e:  # noqa: BLE001
        print("analyze: no plot (%s)" % e, file=sys.stderr)
        return False
    fig, axes = plt.subplots(2, 3, figsize=(17, 9.5))
    colors = {"rtheap": "C0", "rtheap-nochk": "C9", "picolibc": "C3", "newlib": "C2",
              "newlib-nano": "C1"}
    for ax, (k, name) in zip(axes.flat, KINDS):
        for b in BACKENDS:
            vals = sorted(v for w in WORKLOADS for v in data[b]["wl"][w]["samples"][k])
            if not vals:
                continue
            n = len(vals)
            ax.step(vals, [(i + 1) / n for i in range(n)], where="post", color=colors[b],
                    label="%s (max %d)" % (b, vals[-1]))
            ax.plot([vals[-1]], [1.0], "o", color=colors[b])
        ax.set_xscale("log")
        ax.set_xlabel("instructions per call (log)")
        ax.set_ylabel("fraction of calls <= x")
        ax.set_title("%s %s: all workloads" % (CPU_LABEL.get(cpu, cpu), name))
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    # Max per allocator and kind, and the adversarial trace alone.
    for ax, ws, title in [(axes.flat[4], WORKLOADS, "max per call, all workloads"),
                          (axes.flat[5], ["adversarial"], "max per call, adversarial trace")]:
        width = 0.16
        for i, b in enumerate(BACKENDS):
            ys = []
            for k, _ in KINDS:
                vals = [v for w in ws for v in data[b]["wl"][w]["samples"][k]]
                ys.append(max(vals) if vals else 0)
            xs = [j + (i - 2) * width for j in range(len(KINDS))]
            bars = ax.bar(xs, ys, width, color=colors[b], label=b)
            for x, y in zip(xs, ys):
                if y:
                    ax.text(x, y, str(y), ha="center", va="bottom", fontsize=6, rotation=90)
        ax.set_yscale("log")
        ax.set_xticks(range(len(KINDS)))
        ax.set_xticklabels([n for _, n in KINDS])
        ax.set_ylabel("instructions (log)")
        ax.set_title("%s: %s" % (CPU_LABEL.get(cpu, cpu), title))
        ax.legend(fontsize=8)
        ax.grid(True, axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def worst(data, b, k, ws=WORKLOADS):
    vals = [v for w in ws for v in data[b]["wl"][w]["samples"][k]]
    return max(vals) if vals else None


def targets(data, sizes, cj):
    """Issue #7 targets (Cortex-M3, -O2): hit or miss, for both rtheap builds."""
    out = ["\n### Issue #7 targets (Cortex-M3)\n",
           "| target | rtheap (default) | rtheap-nochk | verdict (default / nochk) |",
           "|---|---|---|---|"]

    def row(name, f, goal, better="le"):
        v = [f(b) for b in ("rtheap", "rtheap-nochk")]
        ok = [(x is not None and (x <= goal if better == "le" else x >= goal)) for x in v]
        fmt = lambda x: ("%.1f" % x) if isinstance(x, float) else str(x)
        out.append("| %s | %s | %s | %s |" % (name, fmt(v[0]), fmt(v[1]), " / ".join(
            "hit" if o else "MISS" for o in ok)))
    row("worst alloc <= 93", lambda b: worst(data, b, "a"), 93)
    row("worst free <= 89", lambda b: worst(data, b, "f"), 89)
    row("worst aligned alloc <= 130", lambda b: worst(data, b, "m"), 130)
    for k, name in (("a", "malloc"), ("f", "free"), ("m", "memalign")):
        pw = worst(data, "picolibc", k, ["adversarial"])
        row("picolibc adversarial worst %s (%d) / rtheap worst %s >= 100x" % (name, pw, name),
            lambda b, k=k, pw=pw: pw / worst(data, b, k), 100.0, "ge")
    for w, goal in UTIL_TARGET.items():
        u = data
        row("utilization %s >= %.1f%%" % (WL_LABEL[w], goal),
            lambda b, w=w: 100.0 * int(u[b]["growth"][w]["peak"]) / int(u[b]["growth"][w]["heap"]), goal, "ge")
    for w in GROWTH:
        nl = 100.0 * int(data["newlib"]["growth"][w]["peak"]) / int(data["newlib"]["growth"][w]["heap"])
        row("utilization %s >= newlib (%.1f%%)" % (WL_LABEL[w], nl),
            lambda b, w=w: 100.0 * int(data[b]["growth"][w]["peak"]) / int(data[b]["growth"][w]["heap"]), nl, "ge")
    row("core code (init+alloc+free) at -Os < 1229 B (1.2 KiB)",
        lambda b: sizes["size-" + b] - sizes["size-none"], 1228)
    row("RAM before first allocation < 1024 B",
        lambda b: int(data[b]["info"]["ram_static_data_bss"]) - int(data["none"]["info"]["ram_static_data_bss"])
        + int(data[b]["info"]["ram_first_offset"]) - 8, 1023)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--cpus", required=True)
    ap.add_argument("--ops", default="4000")
    a = ap.parse_args()
    raw = os.path.join(a.build, "raw")
    os.makedirs(a.results, exist_ok=True)
    cpus = a.cpus.split()
    md = []
    js = {}
    md.append("# rtheap benchmark results\n")
    md.append("Generated by `tools/bench.sh` (%s ops per timed trace). QEMU 7.2 `-icount shift=10`, "
              "SysTick calibrated with 1000 NOPs, empty-call cost subtracted; every run done twice "
              "and diffed (identical). Instructions per call are counted from the allocator's "
              "first instruction to its return (locks, memcpy, sbrk included). All allocators: "
              "same op traces, same arena (64 KiB; 8 KiB on Cortex-M0/microbit, blocks capped "
              "at 512 B there). GCC %s, -O2. src/rtheap.c sha1 %s.\n" % (
                  a.ops, os.popen("arm-none-eabi-gcc -dumpversion").read().strip(),
                  os.popen("sha1sum src/rtheap.c").read().split()[0][:12]))
    for cpu in cpus:
        data = load_cpu(raw, cpu)
        sizes, syms = load_sizes(a.build, cpu)
        heap = int(data["rtheap"]["info"]["heap"])
        label = CPU_LABEL.get(cpu, cpu)
        cj = js.setdefault(cpu, {"heap": heap, "calls": {}, "util": {}, "fails": {}, "code": {},
                                  "ram": {}})
        # sanity: the none backend must measure exactly the empty callee lengths
        none_chk = {k: sorted(set(v for w in WORKLOADS for v in data["none"]["wl"][w]["samples"][k]))
                    for k in "afrm"}
        md.append("\n## %s (board %s, heap %d bytes)\n" % (
            label, open(os.path.join(a.build, cpu, "board")).read().strip(), heap))
        md.append("Calibration: %.3f SysTick ticks per instruction; the no-allocator firmware "
                  "measures %s instructions for its empty callee (expected a=2 r=2 m=2; its "
                  "frees are never called since its allocations return NULL).\n" % (
                      data["rtheap"]["ratio"],
                      " ".join("%s=%s" % (k, ",".join(map(str, none_chk[k])) or "-") for k in "afrm")))
        # Worst case summary
        md.append("\n### Worst case over every workload (instructions per call: mean / p99 / max)\n")
        md.append("| allocator | alloc | free | aligned alloc | realloc |")
        md.append("|---|---|---|---|---|")
        for b in BACKENDS:
            row = [b]
            for k, _ in KINDS[:1] + KINDS[1:2] + KINDS[3:4] + KINDS[2:3]:
                vals = [v for w in WORKLOADS for v in data[b]["wl"][w]["samples"][k]]
                s = stat(vals)
                row.append(fmt_stat(s))
            md.append("| " + " | ".join(row) + " |")
        # Per workload
        md.append("\n### Per workload (mean / p99 / max instructions per call; failures = NULL "
                  "results on the trace, whose live set stays at about half the heap)\n")
        md.append("| workload | allocator | alloc | free | aligned | realloc | failures |")
        md.append("|---|---|---|---|---|---|---|")
        for w in WORKLOADS:
            for b in BACKENDS:
                wl = data[b]["wl"][w]
                st = {k: stat(wl["samples"][k]) for k in "afrm"}
                cj["calls"].setdefault(w, {})[b] = st
                fails = int(wl["end"].get("fails", -1))
                cj["fails"].setdefault(w, {})[b] = fails
                md.append("| %s | %s | %s | %s | %s | %s | %d |" % (
                    WL_LABEL[w], b, fmt_stat(st["a"]), fmt_stat(st["f"]), fmt_stat(st["m"]),
                    fmt_stat(st["r"]), fails))
        # Utilization
        md.append("\n### Utilization at first failure (peak live payload / heap size, live set "
                  "growing)\n")
        md.append("| allocator | " + " | ".join(WL_LABEL[w] for w in GROWTH) + " |")
        md.append("|---|" + "---|" * len(GROWTH))
        for b in BACKENDS:
            row = [b]
            for w in GROWTH:
                u = data[b]["growth"][w]
                if not u:
                    row.append("?")
                    continue
                v = 100.0 * int(u["peak"]) / int(u["heap"])
                cj["util"].setdefault(w, {})[b] = v
                row.append("%.1f%%%s" % (v, " (no failure: slots ran out)" if u.get("slots_exhausted") or int(u.get("fails", 0)) == 0 else ""))
            md.append("| " + " | ".join(row) + " |")
        if heap == 65536:
            md.append("| *target (rtheap)* | " + " | ".join(
                ("%.1f%%" % UTIL_TARGET[w]) if w in UTIL_TARGET else "-" for w in GROWTH) + " |")
        # Code and RAM
        md.append("\n### Code size and RAM\n")
        md.append("Code = flash (text + rodata + data image) of the firmware with the allocator "
                  "minus the firmware without one (the baseline links a 0.2 KB minilibc for "
                  "memcpy/memset; the libc firmwares use the libc's own). Static RAM = .data + "
                  ".bss delta. In-heap = offset of the first block's payload in the arena "
                  "(control structure + header). Per-allocation = address stride of 16 equal "
                  "requests minus the request.\n")
        md.append("| allocator | code -O2 (B) | static RAM (B) | first payload at (B) | "
                  "RAM before 1st alloc (B) | per alloc: 8 B / 24 B / 100 B / 1000 B |")
        md.append("|---|---|---|---|---|---|")
        none_static = int(data["none"]["info"]["ram_static_data_bss"])
        for b in BACKENDS:
            inf = data[b]["info"]
            code = sizes[b] - sizes["none"]
            st_ram = int(inf["ram_static_data_bss"]) - none_static
            first = int(inf["ram_first_offset"])
            hdr = 4 if b.startswith("rtheap") else 0
            per = " / ".join(str(int(inf["ram_stride%d" % n]) - n) for n in (8, 24, 100, 1000))
            cj["code"][b] = code
            cj["ram"][b] = {"static": st_ram, "first_offset": first, "per_alloc": per}
            md.append("| %s | %d | %d | %d | %d | %s |" % (b, code, st_ram, first,
                                                            st_ram + first - 8 if b.startswith("rtheap") else st_ram + first - 8,
                                                            per))
        md.append("\n(RAM before the first allocation = static RAM + the arena bytes in front "
                  "of the first 8-byte payload minus the 8-byte alignment of the payload "
                  "itself; it includes the libc's own globals such as newlib's `_impure_data` "
                  "and `__malloc_av_` when the allocator pulls them in.)\n")
        for b in ["rtheap-Os", "rtheap-nochk-Os"]:
            if b in sizes:
                cj["code"][b] = sizes[b] - sizes["none"]
        md.append("Core code size at -Os (a firmware calling only init/alloc/free, minus the same "
                  "firmware calling empty functions): " + ", ".join(
                      "%s %d B" % (b, sizes["size-" + b] - sizes["size-none"]) for b in BACKENDS
                      if "size-" + b in sizes) + ".\n")
        for b in BACKENDS:
            if "size-" + b in sizes:
                cj["code"]["core-Os-" + b] = sizes["size-" + b] - sizes["size-none"]
        md.append("rtheap at -Os, whole API the bench uses (alloc, free, realloc, aligned, init): firmware delta %d B (default config), %d B (checks and stats "
                  "off).\n" % (sizes.get("rtheap-Os", 0) - sizes["none"],
                              sizes.get("rtheap-nochk-Os", 0) - sizes["none"]))
        for b in ["rtheap-Os", "rtheap-nochk-Os", "rtheap", "rtheap-nochk"]:
            if b in syms:
                tot = sum(syms[b].values())
                core = sum(n for f, n in syms[b].items() if f in (
                    "rtheap_alloc", "rtheap_free", "rtheap_init"))
                md.append("- %s: rtheap functions linked %d B (%s); init+alloc+free %d B" % (
                    b, tot, ", ".join("%s %d" % (f, n) for f, n in sorted(
                        syms[b].items(), key=lambda x: -x[1])), core))
                cj["code"][b + "-functions"] = syms[b]
        if cpu == "cortex-m3":
            md.extend(targets(data, sizes, cj))
        md.append("")
        png = os.path.join(a.results, "calls-%s.png" % cpu)
        if plot(cpu, data, png):
            md.append("![%s per-call instructions](calls-%s.png)\n" % (label, cpu))
    host = host_results(a.build)
    if host:
        js["host"] = host
        md.append("\n## Host x86-64 (callgrind, Ir per call = inclusive instructions / calls; "
                  "mean only)\n")
        md.append("| workload | allocator | alloc | free | aligned | realloc |")
        md.append("|---|---|---|---|---|---|")
        for w in WORKLOADS:
            for b in ["rtheap", "glibc"]:
                r = host.get(b, {}).get(w)
                if not r:
                    continue
                md.append("| %s | %s | %s |" % (WL_LABEL[w], b, " | ".join(
                    ("%.0f" % r[k]) if r[k] is not None else "-" for k in "afmr")))
    os.makedirs(a.results, exist_ok=True)
    with open(os.path.join(a.results, "results.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    with open(os.path.join(a.results, "results.json"), "w") as f:
        json.dump(js, f, indent=1, sort_keys=True)
    print("analyze: wrote %s" % os.path.join(a.results, "results.md"))


if __name__ == "__main__":
    main()
