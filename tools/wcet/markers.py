# SPDX-License-Identifier: MIT OR Apache-2.0
"""The loop bounds and steady-state facts written in the source, next to the code:

  /* wcet-loop: <name> <bound> */            on a loop's line or the line before it
  /* wcet-loop: <name> <bound>, per call */  the bound counts the rounds of the loop
                                             over the whole call, not per entry
  /* wcet-once: <function> [why] */          calls of <function> run once in a
                                             program's life (building a heap): they are
                                             left out of the steady-state bounds
  /* wcet-nonnull: <variable> [why] */       the pointer <variable> (its first word) is
                                             not NULL in the steady state (the heap has
                                             been built)

<bound> is an expression of integers, configuration macros (RTHEAP_MAX_REGIONS, ...)
and work parameters (PARAMS): the most times the loop's body runs each time the loop
is entered. The analysis allows that many returns to the loop's top when the loop
tests its condition there, one fewer when it tests at the bottom (its top is then the
body's first block)."""

import os
import re

from .poly import parse_bound

PARAMS = {
    "bytes": "bytes copied, zeroed or filled by the call",
    "blocks": "blocks in the heap (used, free and fences)",
    "chunks": "chunks a region is cut into when it is larger than the index's largest block",
    "regions": "regions in the array handed to vPortDefineHeapRegions()",
}

LOOP_RE = re.compile(r"/\*\s*wcet-loop:\s*([A-Za-z0-9_.-]+)\s+(.*?)\s*\*/")
ONCE_RE = re.compile(r"/\*\s*wcet-once:\s*([A-Za-z_][A-Za-z0-9_]*)\b[^*]*\*/")
NONNULL_RE = re.compile(r"/\*\s*wcet-nonnull:\s*([A-Za-z_][A-Za-z0-9_]*)\b[^*]*\*/")

# The files whose loops the analysis bounds from markers (the core and its front ends).
SOURCE_GLOBS = [
    ("core", (".c", ".h")),
    (".", ("rtheap_default.c", "rtheap_rust.c", "rtheap.c")),
    ("libc", ("rtheap_malloc.c",)),
    ("freertos", ("rtheap_freertos.c",)),
]


class Marker:
    def __init__(self, name, text, bound, per_call, path, marker_line, loop_line):
        self.name = name
        self.text = text
        self.bound = bound
        self.per_call = per_call
        self.path = path
        self.marker_line = marker_line
        self.loop_line = loop_line

    @property
    def key(self):
        return (os.path.basename(self.path), self.loop_line)

    def where(self):
        return "%s:%d" % (self.path, self.loop_line)


class MarkerError(Exception):
    pass


def source_files(src):
    """The files under src (the library's sources) that may hold markers, relative to
    src's parent (so: src/core/alloc.c)."""
    root = os.path.dirname(os.path.abspath(src))
    src = os.path.abspath(src)
    out = []
    for d, names in SOURCE_GLOBS:
        full = os.path.normpath(os.path.join(src, d))
        for n in sorted(os.listdir(full)):
            p = os.path.join(full, n)
            if os.path.isfile(p) and (n in names or n.endswith(tuple(x for x in names
                                                                     if x.startswith(".")))):
                out.append(os.path.relpath(p, root))
    return out


def marker_names(src):
    """Every identifier in the markers' bounds (to look up as macros)."""
    root = os.path.dirname(os.path.abspath(src))
    names = set()
    for rel in source_files(src):
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            for line in f:
                for m in LOOP_RE.finditer(line):
                    names.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", m.group(2)))
    return sorted(n for n in names if n not in PARAMS and n != "per" and n != "call")


def collect(src, macros):
    """(loop markers by (basename, loop line), once-functions, list of markers,
    pointers assumed not NULL in the steady state)."""
    root = os.path.dirname(os.path.abspath(src))
    by_line = {}
    once = {}
    nonnull = {}
    allm = []
    for rel in source_files(src):
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            lines = f.read().split("\n")
        for i, line in enumerate(lines):
            for m in ONCE_RE.finditer(line):
                once[m.group(1)] = "%s:%d" % (rel, i + 1)
            for m in NONNULL_RE.finditer(line):
                nonnull[m.group(1)] = "%s:%d" % (rel, i + 1)
            for m in LOOP_RE.finditer(line):
                name, text = m.group(1), m.group(2)
                per_call = False
                t = text
                if t.endswith(", per call"):
                    per_call = True
                    t = t[: -len(", per call")]
                try:
                    bound = parse_bound(t, macros, PARAMS)
                except (ValueError, SyntaxError) as e:
                    raise MarkerError("%s:%d: wcet-loop %s: bad bound '%s': %s" %
                                      (rel, i + 1, name, t, e))
                # The loop is on this line when code precedes the comment on it, else
                # on the next line that holds code.
                code = line[: m.start()].strip()
                j = i
                if not code or code.startswith("/*") or code.startswith("*"):
                    j = i + 1
                    while j < len(lines) and (not lines[j].strip() or
                                              lines[j].strip().startswith(("/*", "*", "//"))):
                        j += 1
                mk = Marker(name, t, bound, per_call, rel, i + 1, j + 1)
                key = mk.key
                if key in by_line:
                    raise MarkerError("%s:%d: two wcet-loop markers for one line" % (rel, j + 1))
                by_line[key] = mk
                allm.append(mk)
    names = [m.name for m in allm]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise MarkerError("wcet-loop names used twice: %s" % ", ".join(sorted(dup)))
    return by_line, once, allm, nonnull
