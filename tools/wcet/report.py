# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tables, the soundness and ceiling checks, the ceilings file and the generated part
of docs/wcet.md."""

import hashlib
import json
import os
import re
from fractions import Fraction

from .build import CPUS
from .entries import ENTRIES
from .markers import PARAMS
from .poly import Poly, fmt, fmt_num, parse_bound

# The bench's figures and the entry points they time (bench/bench.c): the C API traces
# (a: alloc, f: free, r: realloc, m: aligned alloc) and the __rust_* mix (A/B: allocate,
# D: deallocate, R: reallocate, P: in place).
BENCH_CALLS = {"a": "rtheap_alloc", "f": "rtheap_free", "r": "rtheap_realloc",
               "m": "rtheap_alloc_aligned"}
BENCH_MIX = {"A": "__rust_allocate", "B": "__rust_allocate", "D": "__rust_deallocate",
             "R": "__rust_reallocate", "P": "__rust_reallocate_inplace"}
# The most bytes a realloc of the bench can copy: its largest request is 4096 bytes; a
# block that serves it has at most 1/16 more and a rest too small to split (16 B).
BENCH_MAX_BYTES = 4096 + 4096 // 16 + 16

CEILING_MARGIN = Fraction(103, 100)

BEGIN = "<!-- wcet-tables:begin -->"
END = "<!-- wcet-tables:end -->"


def core_sha1(src):
    """The bench's sha1 of the core's sources (bench/analyze.py source_sha1)."""
    h = hashlib.sha1()
    files = ["rtheap.h", "rtheap_config.h", "rtheap.c"]
    if os.path.isdir(os.path.join(src, "core")):
        files += sorted("core/" + n for n in os.listdir(os.path.join(src, "core")))
    for f in files:
        path = os.path.join(src, f)
        if os.path.isfile(path):
            h.update(("src/" + f).encode() + b"\0")
            with open(path, "rb") as fh:
                h.update(fh.read())
    return h.hexdigest()


def bench_maxima(path):
    """{(cpu, level): {entry: max instructions}} from the bench's results.json, and the
    sha1 of the sources it measured."""
    if not os.path.isfile(path):
        return {}, None
    with open(path, encoding="utf-8") as f:
        js = json.load(f)
    out = {}
    for cpu, per in js.items():
        if not isinstance(per, dict):
            continue
        for level in ("O2", "Os"):
            lv = per.get(level)
            if not isinstance(lv, dict):
                continue
            m = out.setdefault((cpu, level), {})
            for workload, by_alloc in (lv.get("calls") or {}).items():
                fig = (by_alloc or {}).get("rtheap") or {}
                for k, entry in BENCH_CALLS.items():
                    if fig.get(k):
                        m[entry] = max(m.get(entry, 0), fig[k]["max"])
            fig = (lv.get("mix") or {}).get("rtheap") or {}
            for k, entry in BENCH_MIX.items():
                if fig.get(k):
                    m[entry] = max(m.get(entry, 0), fig[k]["max"])
    return out, (js.get("source") or {}).get("core_sha1")


def at(p, nbytes):
    """A bound evaluated where its only parameter is bytes (a whole number)."""
    v = p.at({"bytes": nbytes, "blocks": 0, "chunks": 0, "regions": 0})
    return int(-((-v.numerator) // v.denominator))


def rows(runs, driven, measured):
    """Per (cpu, level): one dict per entry point with every figure."""
    out = {}
    for key, run in runs.items():
        rs = []
        dr = driven.get(key, {})
        ms = measured.get(key, {})
        for name, group, kind, note in ENTRIES:
            r = run["results"].get(name, {})
            row = {"entry": name, "group": group, "kind": kind, "note": note, "r": r}
            d = dr.get(name, {})
            row["driven_sound"] = d.get("sound")
            row["driven_any"] = d.get("any")
            row["driven_sound_all"] = d.get("sound_all", [])
            row["driven_any_all"] = d.get("any_all", [])
            row["measured"] = ms.get(name)
            if "instructions" in r:
                # Tightness: the bound over the longest call driven; for a bound per byte,
                # at that call's bytes, the call that comes closest to its bound.
                ti = []
                for tag, dk in (("sound_", "driven_sound"), ("", "driven_any")):
                    best = None
                    if tag + "instructions" in r:
                        for n, nb in row[dk + "_all"]:
                            t = at(r[tag + "instructions"], nb) / n
                            if best is None or t < best[0]:
                                best = (t, (n, nb))
                    ti.append(best[0] if best else None)
                    if best:
                        row[dk] = best[1]
                row["tight_sound"], row["tight_any"] = ti
            rs.append(row)
        out[key] = rs
    return out


def _b(p):
    """A bound for a table: '412' or '1599 + 1/B' (per byte)."""
    if p is None:
        return "-"
    terms = []
    for k in sorted(p.terms, key=lambda k: (len(k), k)):
        v = p.terms[k]
        if k == ():
            terms.append(fmt_num(v))
        elif k == ("bytes",):
            terms.append("%s/B" % fmt_num(v))
        else:
            terms.append("%s*%s" % (fmt_num(v), "*".join(k)))
    return " + ".join(terms) if terms else "0"


def _pair(a, b):
    if b is None:
        return a
    return "%s / %s" % (a, b)


def _ratio(x):
    return "-" if x is None else "%.2f" % x


def _cells(row):
    r = row["r"]
    if "error" in r:
        return None
    snd = "sound_instructions" in r
    bi = _pair(_b(r["instructions"]), _b(r["sound_instructions"]) if snd else None)
    bc = _pair(_b(r["cycles"]), _b(r["sound_cycles"]) if snd else None)
    ms = "-" if row["measured"] is None else str(row["measured"])
    ds, da = row["driven_sound"], row["driven_any"]
    if da is None:
        dv = "-"
    elif ds is not None and ds[0] != da[0]:
        dv = "%d / %d" % (da[0], ds[0])
    else:
        dv = _pair(str(da[0]), str(ds[0]) if ds is not None else None)
    if row.get("tight_any") is None and row.get("tight_sound") is None:
        tv = "-"
    else:
        tv = _pair(_ratio(row.get("tight_any")), _ratio(row.get("tight_sound")) if snd else None)
    return bi, bc, ms, dv, tv


def table_markdown(cpu, level, rs):
    out = ["| entry point | bound (instructions) | bound (cycles, zero wait states) | "
           "measured max | driven worst | tightness |",
           "|---|---|---|---|---|---|"]
    for row in rs:
        c = _cells(row)
        if c is None:
            out.append("| `%s` | not bounded: %s | | | | |" % (row["entry"], row["r"].get("error", "")))
            continue
        out.append("| `%s` | %s | %s | %s | %s | %s |" % ((row["entry"],) + c))
    return "\n".join(out)


def table_text(cpu, level, rs):
    out = ["%s at -%s: bound any heap / sound heap (instructions; cycles), bench max, "
           "driven (any / sound), tightness (any / sound)" % (cpu, level)]
    w = max([len(r["entry"]) for r in rs] + [10])
    for row in rs:
        c = _cells(row)
        if c is None:
            out.append("  %-*s  NOT BOUNDED: %s" % (w, row["entry"], row["r"].get("error", "")))
            continue
        out.append("  %-*s  %-22s %-24s %6s  %-13s %s" % ((w, row["entry"]) + c))
    return "\n".join(out)


def loop_table(cpu, level, run, markdown=False, uses=None):
    """The markers, their bounds and the functions where they bound a loop (uses: a
    union over several builds, else this build's)."""
    an = run["analyser"]
    if uses is None:
        uses = an.loop_uses
    lines = []
    if markdown:
        lines.append("| loop | bound | where | bounds loops of |")
        lines.append("|---|---|---|---|")
    else:
        lines.append("loops on %s at -%s (marker, bound, source, functions it bounds a loop of):"
                     % (cpu, level))
    for m in run["markers"]:
        used = sorted(uses.get(m.key, ()))
        found = ", ".join("`%s`" % u if markdown else u for u in used) if used else \
            "(no loop in the code: unrolled, or compiled away in this configuration)"
        bound = m.text + (" (per call)" if m.per_call else "")
        if markdown:
            lines.append("| %s | %s | %s | %s |" % (m.name, bound, m.where(), found))
        else:
            lines.append("  %-16s %-28s %-28s %s" % (m.name, bound, m.where(), found))
    return "\n".join(lines)


def check_soundness(runs, rs_all, measured_sha, src, problems):
    """A measured maximum (the bench's, the driver's) above its bound is a failure."""
    stale = ""
    if measured_sha and measured_sha != core_sha1(src):
        stale = (" (bench/results/results.json measured other sources: core sha1 %s; re-run "
                 "the bench)" % measured_sha[:12])
    for (cpu, level), rs in rs_all.items():
        for row in rs:
            r = row["r"]
            if "instructions" not in r:
                continue
            sound = r.get("sound_instructions", r["instructions"])
            if row["measured"] is not None and row["measured"] > at(sound, BENCH_MAX_BYTES):
                problems.append("%s %s: %s: the bench measured %d instructions, above its "
                                "sound-heap bound %s%s" % (cpu, level, row["entry"],
                                                         row["measured"], _b(sound), stale))
            for dk, bk in (("driven_sound", "sound_instructions"), ("driven_any", "instructions")):
                if bk not in r:
                    continue
                for n, nb in row[dk + "_all"]:
                    if n > at(r[bk], nb):
                        problems.append("%s %s: %s: the driver measured %d instructions (%d "
                                        "bytes), above its bound %s" %
                                        (cpu, level, row["entry"], n, nb, _b(r[bk])))


# --------------------------------------------------------------------------- ceilings

def _ceiling_fields(r):
    out = {}
    for tag, short in (("instructions", "i"), ("cycles", "c"), ("sound_instructions", "si"),
                       ("sound_cycles", "sc")):
        if tag in r:
            out[short] = r[tag]
    return out


def _poly_text(p):
    return fmt(p).replace(" ", "")


def read_ceilings(path):
    out = {}
    if not os.path.isfile(path):
        return out
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            cpu, level, entry = parts[:3]
            fields = {}
            for fld in parts[3:]:
                k, v = fld.split("=", 1)
                fields[k] = parse_bound(v, {}, PARAMS)
            out[(cpu, level, entry)] = fields
    return out


def write_ceilings(path, runs, cpus, levels):
    old = read_ceilings(path)
    for (cpu, level), run in runs.items():
        for name, r in run["results"].items():
            if "instructions" not in r:
                continue
            fields = {}
            for k, p in _ceiling_fields(r).items():
                fields[k] = Poly({m: _round_up(v * CEILING_MARGIN, m == ())
                                  for m, v in p.terms.items()})
            old[(cpu, level, name)] = fields
    lines = ["# SPDX-License-Identifier: MIT OR Apache-2.0",
             "# Ceilings of the worst-case bounds (tools/wcet --gate): CI fails when a bound",
             "# grows past its ceiling. Regenerate with `python3 tools/wcet --gate --update`",
             "# (bound + 3 %). Fields: i / c = instructions / cycles on any heap, si / sc = on a",
             "# sound heap; terms in bytes (copied or zeroed), blocks, chunks, regions.",
             "# cpu level entry fields"]
    order = {n: i for i, (n, _, _, _) in enumerate(ENTRIES)}
    for key in sorted(old, key=lambda k: (k[0], k[1], order.get(k[2], 999), k[2])):
        fields = old[key]
        lines.append("%s %s %s %s" % (key[0], key[1], key[2],
                                      " ".join("%s=%s" % (k, _poly_text(fields[k]))
                                               for k in ("i", "c", "si", "sc") if k in fields)))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def _round_up(v, whole):
    """v rounded up: to a whole number (a constant), or to two decimals (a cost per
    unit of work)."""
    v = Fraction(v)
    scale = 1 if whole else 100
    return Fraction(-((-v * scale).numerator // (v * scale).denominator), scale)


def check_ceilings(path, runs, problems):
    ceil = read_ceilings(path)
    n = 0
    for (cpu, level), run in sorted(runs.items()):
        for name, r in run["results"].items():
            if "instructions" not in r:
                continue
            c = ceil.get((cpu, level, name))
            if c is None:
                problems.append("%s %s: %s: no ceiling in %s (python3 tools/wcet --gate "
                                "--update)" % (cpu, level, name, path))
                continue
            for k, p in _ceiling_fields(r).items():
                lim = c.get(k)
                n += 1
                if lim is None:
                    problems.append("%s %s: %s: no ceiling for %s" % (cpu, level, name, k))
                    continue
                over = [m for m, v in p.terms.items() if v > lim.terms.get(m, 0)]
                if over:
                    problems.append("%s %s: %s: bound %s = %s grew past its ceiling %s" %
                                    (cpu, level, name, k, fmt(p), fmt(lim)))
    return n


# --------------------------------------------------------------------------- docs

def docs_text(runs, rs_all):
    cpus = [c for c in CPUS if any(k[0] == c for k in runs)]
    out = [BEGIN, "<!-- generated by `python3 tools/wcet --drive --docs`: do not edit -->", ""]
    for cpu in cpus:
        for level in ("O2", "Os"):
            if (cpu, level) not in rs_all:
                continue
            out.append("#### %s, -%s" % (cpu, level))
            out.append("")
            out.append(table_markdown(cpu, level, rs_all[(cpu, level)]))
            out.append("")
    first = sorted(runs)[0]
    uses = {}
    for run in runs.values():
        for key, names in run["analyser"].loop_uses.items():
            uses.setdefault(key, set()).update(names)
    out.append("#### Loop bounds")
    out.append("")
    out.append("Every loop of the code above, its bound (its `wcet-loop` marker; newlib's "
               "`memset`: tools/wcet/extern.py) and the functions, over all the builds above, "
               "where it bounds a loop:")
    out.append("")
    out.append(loop_table(first[0], first[1], runs[first], markdown=True, uses=uses))
    out.append("")
    out.append(END)
    return "\n".join(out)


def write_docs(path, runs, rs_all):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        raise ValueError("%s: no %s ... %s markers" % (path, BEGIN, END))
    a = text.index(BEGIN)
    b = text.index(END) + len(END)
    new = text[:a] + docs_text(runs, rs_all) + text[b:]
    with open(path, "w", encoding="utf-8") as f:
        f.write(new)


def write_json(path, runs, rs_all):
    js = {}
    for (cpu, level), rs in rs_all.items():
        d = js.setdefault(cpu, {}).setdefault(level, {})
        for row in rs:
            r = row["r"]
            e = {"kind": row["kind"]}
            for k in ("instructions", "cycles", "sound_instructions", "sound_cycles"):
                if k in r:
                    e[k] = fmt(r[k])
            if "error" in r:
                e["error"] = r["error"]
            for k in ("measured", "driven_sound", "driven_any", "tight_sound", "tight_any"):
                if row.get(k) is not None:
                    e[k] = row[k]
            d[row["entry"]] = e
    with open(path, "w", encoding="utf-8") as f:
        json.dump(js, f, indent=1, sort_keys=True)


# The entry points whose tightness every summary line shows (the others: the loosest).
KEY_ENTRIES = ["rtheap_alloc", "rtheap_alloc_aligned", "rtheap_free", "rtheap_realloc",
               "rtheap_resize_in_place", "rtheap_calloc", "rtheap_get_stats"]


def print_tightness(rs_all):
    """Per build: the tightness (bound / longest call driven) of the main C API calls,
    any heap | sound heap, then the loosest of all."""
    lines = []
    for (cpu, level), rs in sorted(rs_all.items()):
        parts = []
        key = []
        for row in rs:
            ta, ts = row.get("tight_any"), row.get("tight_sound")
            if row["entry"] in KEY_ENTRIES and ta is not None:
                key.append("%s %s|%s" % (row["entry"], _ratio(ta), _ratio(ts)))
            for v, what in ((ts, "sound"), (ta, "any")):
                if v is not None:
                    parts.append((v, "%s(%s)" % (row["entry"], what)))
        if not parts:
            continue
        parts.sort(reverse=True)
        lines.append("wcet: tightness %s -%s (any|sound): %s" % (cpu, level, ", ".join(key)))
        lines.append("wcet: tightness %s -%s: %d ratios, the loosest: %s" %
                     (cpu, level, len(parts), ", ".join("%s %.2f" % (n, v)
                                                         for v, n in parts[:4])))
    return lines
