#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Draws an rtheap heap map from a block dump: an SVG (standard library only), and a PNG
too when python3-matplotlib is installed and --png is given.

usage: tools/heapmap.py [-o OUT.svg] [--png OUT.png] [--title TEXT] [DUMP]   (DUMP or stdin)

The dump ("rtheap heapmap v1") is what `rtheap map --dump` prints in GDB
(tools/gdb/rtheap.py) and what the demo prints between `--- heapmap begin ---` and
`--- heapmap end ---`:
    # rtheap heapmap v1
    # word <bytes>                     optional: the header size (default 4, 8 above 4 GiB)
    # region <index> <lo> <hi>        optional: the RAM of a region, [lo, hi)
    # title <text>                     optional
    <region> <index> <address> <size> <used>
one line per block as rtheap_walk() reports it: payload address (hex), usable bytes,
1 used / 0 free. Without region lines a region spans its blocks.

Picture: one row per region, each row spanning its own region (the rows' scales differ);
used blocks coloured by block size (header included, power-of-two classes), free blocks
light grey and hatched, what no block covers (the control structure, fences between
chunks, padding) dark grey. Blocks narrower than half a pixel are drawn in groups, in
the colour of the kind that covers most of the group.
"""
import argparse
import html
import math
import re
import sys

WIDTH = 1000        # SVG width
LEFT = 20           # bar left edge
BAR_W = WIDTH - 2 * LEFT
BAR_H = 34
ROW_H = 86
MIN_W = 0.5         # narrower segments are grouped
# Sequential palette (viridis-like), small blocks dark to large blocks bright.
PALETTE = ["#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c",
           "#22a884", "#44bf70", "#7ad151", "#bddf26", "#fde725", "#fdae61"]
FREE = "#d9d9d9"
GAP = "#4d4d4d"


def parse(lines):
    word, title, regions, blocks = None, None, {}, []
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            m = re.match(r"#\s*region\s+(\d+)\s+(0x[0-9a-fA-F]+|\d+)\s+(0x[0-9a-fA-F]+|\d+)\s*$", line)
            if m:
                regions[int(m.group(1))] = (int(m.group(2), 0), int(m.group(3), 0))
            m = re.match(r"#\s*word\s+(\d+)\s*$", line)
            if m:
                word = int(m.group(1))
            m = re.match(r"#\s*title\s+(.*)$", line)
            if m:
                title = m.group(1)
            continue
        f = line.split()
        if len(f) != 5:
            raise SystemExit("heapmap: line %d: expected 'region index address size used': %s" % (n, line))
        blocks.append((int(f[0]), int(f[1]), int(f[2], 0), int(f[3], 0), f[4] not in ("0", "free")))
    if word is None:
        word = 8 if any(b[2] >= 1 << 32 for b in blocks) else 4
    for r in {b[0] for b in blocks} - set(regions):
        mine = [b for b in blocks if b[0] == r]
        regions[r] = (min(b[2] for b in mine) - word, max(b[2] + b[3] for b in mine))
    return word, title, regions, blocks


def size_text(n):
    if n >= 10 * 1024 * 1024:
        return "%d MiB" % (n >> 20)
    if n >= 10 * 1024:
        return "%d KiB" % (n >> 10)
    return "%d B" % n


def pow2_text(e):
    return "%d MiB" % (1 << (e - 20)) if e >= 20 else "%d KiB" % (1 << (e - 10)) if e >= 10 else "%d B" % (1 << e)


def size_class(t):
    """log2 bucket of a block of t bytes: blocks in (2^(e-1), 2^e] get e."""
    return max(4, math.ceil(math.log2(max(t, 1))))


def segments(word, lo, hi, blocks):
    """(start, end, kind) covering [lo, hi): kind is ('used', class), ('free',) or ('gap',)."""
    out, pos = [], lo
    for _, _, ptr, size, used in sorted(blocks, key=lambda b: b[2]):
        start, end = ptr - word, ptr + size
        if start > pos:
            out.append((pos, start, ("gap",)))
        out.append((max(start, pos), end, ("used", size_class(size + word)) if used else ("free",)))
        pos = max(pos, end)
    if hi > pos:
        out.append((pos, hi, ("gap",)))
    return out


def rects(segs, lo, hi):
    """Segments to (x, width, kind, single_block) in bar pixels, grouping tiny ones."""
    scale = BAR_W / float(hi - lo)
    out = []
    pend = None  # [x0, x1, {kind: bytes}]

    def flush():
        nonlocal pend
        if pend:
            kind = max(pend[2].items(), key=lambda kv: kv[1])[0]
            out.append((pend[0], pend[1] - pend[0], kind, False))
            pend = None

    for s, e, kind in segs:
        x0, x1 = (s - lo) * scale, (e - lo) * scale
        if x1 - x0 >= MIN_W:
            flush()
            out.append((x0, x1 - x0, kind, True))
            continue
        if pend is None:
            pend = [x0, x1, {}]
        pend[1] = x1
        pend[2][kind] = pend[2].get(kind, 0) + (e - s)
        if pend[1] - pend[0] >= MIN_W:
            flush()
    flush()
    return out


def colour(kind, classes):
    if kind[0] == "free":
        return "url(#free)"
    if kind[0] == "gap":
        return GAP
    lo_c = min(classes) if classes else 4
    return PALETTE[min(kind[1] - lo_c, len(PALETTE) - 1)]


def render_svg(word, title, regions, blocks):
    classes = sorted({size_class(b[3] + word) for b in blocks if b[4]})
    lo_c = classes[0] if classes else 4
    legend_classes = sorted({min(c - lo_c, len(PALETTE) - 1) for c in classes})
    nrows = len(regions)
    legend_h = 30 + 22 * ((len(legend_classes) + 2 + 4) // 5)
    height = 50 + nrows * ROW_H + legend_h
    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
         'font-family="DejaVu Sans Mono, monospace" font-size="12">' % (WIDTH, height, WIDTH, height),
         '<defs><pattern id="free" width="6" height="6" patternUnits="userSpaceOnUse" '
         'patternTransform="rotate(45)"><rect width="6" height="6" fill="%s"/>'
         '<line x1="0" y1="0" x2="0" y2="6" stroke="#a6a6a6" stroke-width="2"/></pattern></defs>' % FREE,
         '<rect width="100%" height="100%" fill="white"/>',
         '<text x="%d" y="26" font-size="16" font-weight="bold">%s</text>' % (
             LEFT, html.escape(title or "rtheap heap map"))]
    y = 50
    for r in sorted(regions):
        lo, hi = regions[r]
        mine = [b for b in blocks if b[0] == r]
        used = [b for b in mine if b[4]]
        free = [b for b in mine if not b[4]]
        o.append('<text x="%d" y="%d" font-weight="bold">r%d  0x%08x..0x%08x  %s</text>' % (
            LEFT, y + 12, r, lo, hi, size_text(hi - lo)))
        o.append('<text x="%d" y="%d">used %d blocks, %s; free %d blocks, %s, largest free %s</text>' % (
            LEFT, y + 27, len(used), size_text(sum(b[3] for b in used)), len(free),
            size_text(sum(b[3] for b in free)), size_text(max([b[3] for b in free] or [0]))))
        by = y + 34
        o.append('<g transform="translate(%d,%d)">' % (LEFT, by))
        for x, w, kind, single in rects(segments(word, lo, hi, mine), lo, hi):
            stroke = ' stroke="white" stroke-width="0.5"' if single and w >= 3 else ""
            o.append('<rect x="%.2f" y="0" width="%.2f" height="%d" fill="%s"%s/>' % (
                x, w, BAR_H, colour(kind, classes), stroke))
        o.append('<rect x="0" y="0" width="%d" height="%d" fill="none" stroke="black" stroke-width="0.8"/>'
                 % (BAR_W, BAR_H))
        o.append('</g>')
        y += ROW_H
    # legend
    o.append('<text x="%d" y="%d">used blocks by size (header included):</text>' % (LEFT, y + 10))
    items = []
    for k in legend_classes:
        e = lo_c + k
        last = k == len(PALETTE) - 1 and max(classes) > e
        label = ("&gt; %s" % pow2_text(e - 1)) if last else (
            "&lt;= %s" % pow2_text(e) if k == 0 else "%s..%s" % (pow2_text(e - 1), pow2_text(e)))
        items.append((PALETTE[k], label))
    items.append(("url(#free)", "free"))
    items.append((GAP, "control, fences, padding"))
    for i, (fill, label) in enumerate(items):
        lx = LEFT + (i % 5) * 190
        ly = y + 22 + (i // 5) * 22
        o.append('<rect x="%d" y="%d" width="16" height="14" fill="%s" stroke="black" stroke-width="0.5"/>'
                 % (lx, ly, fill))
        o.append('<text x="%d" y="%d">%s</text>' % (lx + 22, ly + 12, label))
    o.append('<text x="%d" y="%d" fill="#666">each row spans its own region</text>' % (
        WIDTH - LEFT - 230, y + 10))
    o.append("</svg>")
    return "\n".join(o) + "\n"


def render_png(path, word, title, regions, blocks):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    classes = sorted({size_class(b[3] + word) for b in blocks if b[4]})
    fig, axes = plt.subplots(len(regions), 1, figsize=(12, 1.2 + 0.9 * len(regions)), squeeze=False)
    for ax, r in zip(axes[:, 0], sorted(regions)):
        lo, hi = regions[r]
        for s, e, kind in segments(word, lo, hi, [b for b in blocks if b[0] == r]):
            fill = colour(kind, classes)
            ax.broken_barh([(s - lo, e - s)], (0, 1), facecolors=FREE if kind[0] == "free" else fill,
                           hatch="///" if kind[0] == "free" else None, edgecolor="none")
        ax.set_xlim(0, hi - lo)
        ax.set_yticks([])
        ax.set_ylabel("r%d" % r, rotation=0, labelpad=15)
        ax.set_title("0x%08x..0x%08x  %s" % (lo, hi, size_text(hi - lo)), fontsize=9, loc="left")
    lo_c = classes[0] if classes else 4
    handles = [Patch(facecolor=PALETTE[min(c - lo_c, len(PALETTE) - 1)], label="<= %s" % pow2_text(c))
               for c in classes[:len(PALETTE)]]
    handles += [Patch(facecolor=FREE, hatch="///", label="free"), Patch(facecolor=GAP, label="control/fences")]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 7), fontsize=8)
    fig.suptitle(title or "rtheap heap map")
    fig.tight_layout(rect=(0, 0.12, 1, 0.95))
    fig.savefig(path, dpi=110)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dump", nargs="?", help="dump file (default: stdin)")
    ap.add_argument("-o", "--output", default="heapmap.svg", help="SVG to write (default heapmap.svg)")
    ap.add_argument("--png", help="also write a PNG (needs python3-matplotlib)")
    ap.add_argument("--title", help="title (default: the dump's '# title', else 'rtheap heap map')")
    a = ap.parse_args()
    with (open(a.dump) if a.dump else sys.stdin) as f:
        word, title, regions, blocks = parse(f.readlines())
    if not blocks:
        raise SystemExit("heapmap: no blocks in the dump")
    title = a.title or title
    with open(a.output, "w") as f:
        f.write(render_svg(word, title, regions, blocks))
    print("heapmap: %s (%d blocks in %d regions)" % (a.output, len(blocks), len(regions)))
    if a.png:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print("heapmap: no PNG: python3-matplotlib is not installed", file=sys.stderr)
            return 0
        render_png(a.png, word, title, regions, blocks)
        print("heapmap: %s" % a.png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
