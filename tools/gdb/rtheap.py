# SPDX-License-Identifier: MIT OR Apache-2.0
# rtheap GDB extension: inspect an rtheap heap from GDB without running target code.
#
#   (gdb) source tools/gdb/rtheap.py
#   (gdb) rtheap stats [HEAP]            statistics, as rtheap_get_stats() computes them
#   (gdb) rtheap map [--slices N] [HEAP] one line per region: '#' used, '.' free, '+' both
#   (gdb) rtheap map --dump [HEAP]       one line per block (the heap map dump format, below)
#   (gdb) rtheap check [HEAP]            rtheap_check()'s invariants, walked in Python
#   (gdb) rtheap block ADDR [HEAP]       decode the block at or containing ADDR
#
# HEAP is any expression giving an rtheap_t * (or a struct rtheap); without it, the default
# heap (the static `rtheap_default_heap` of rtheap_default.c). Nothing is called in the
# target: everything is read from target memory, with the layout of struct rtheap taken
# from the debug info (build the library with -g). Works on a live target stopped at a
# breakpoint, a core file or a host process; 32- and 64-bit, either endianness.
#
# Heap map dump format ("rtheap heapmap v1"), also printed by the demo and read by
# tools/heapmap.py:
#   # rtheap heapmap v1                  first line
#   # word <bytes>                       optional: sizeof(size_t), the block header
#   # region <index> <lo> <hi>           optional: the RAM of region <index>, [lo, hi)
#   # title <text>                       optional
#   <region> <index> <address> <size> <used>
# one line per block in address order, as rtheap_walk() reports it: region index, block
# index within the region (from 0), payload address (0x hex), usable bytes (decimal),
# 1 for a live block and 0 for a free one. Other lines starting with '#' are comments.
import re

import gdb

ERRORS = [
    ("RTHEAP_OK", "ok"),
    ("RTHEAP_ERR_FOREIGN_POINTER", "foreign pointer"),
    ("RTHEAP_ERR_MISALIGNED", "misaligned pointer"),
    ("RTHEAP_ERR_DOUBLE_FREE", "double free"),
    ("RTHEAP_ERR_BAD_HEADER", "bad block header"),
    ("RTHEAP_ERR_BAD_NEIGHBOUR", "neighbour mismatch"),
    ("RTHEAP_ERR_BAD_FREE_LIST", "free list damaged"),
    ("RTHEAP_ERR_BAD_ARGUMENT", "bad argument"),
    ("RTHEAP_ERR_CHAIN", "physical chain broken"),
    ("RTHEAP_ERR_ACCOUNTING", "sizes do not add up"),
    ("RTHEAP_ERR_COALESCE", "free neighbours not merged"),
    ("RTHEAP_ERR_LIST_CLASS", "free block in wrong list"),
    ("RTHEAP_ERR_BITMAP", "bitmap mismatch"),
    ("RTHEAP_ERR_FREE_COUNT", "free list count mismatch"),
    ("RTHEAP_ERR_STATS", "statistics mismatch"),
    ("RTHEAP_ERR_POISON", "free memory written"),
    ("RTHEAP_ERR_CONTROL", "control structure damaged"),
    ("RTHEAP_ERR_NO_HEAP", "no heap (heap symbols missing or region too small)"),
]
OK, CHAIN, ACCOUNTING, COALESCE, LIST_CLASS, BITMAP, FREE_COUNT, STATS, CONTROL = (
    0, 8, 9, 10, 11, 12, 13, 14, 16)
BAD_FREE_LIST = 6

FLAG_FREE, FLAG_PREV_FREE, FLAG_FENCE = 1, 2, 4
# What the XOR of a sound header's bytes equals (rtheap.c's TAG_XOR); FLAG_FENCE marks a
# block nobody owns (a fence or a quarantined block).
TAG_XOR = 0x5B
KIND_BLOCK, KIND_FENCE = 0, FLAG_FENCE
HEAP_MAGIC = 0x72746870
# The magic of a heap built without RTHEAP_CHECKS, whose headers carry no tag (a top byte
# of 0 is sound there).
HEAP_MAGIC_UNTAGGED = 0x7274686E
FL_MAX = 31
MAX_GRANULES = 1 << 31
PAGE = 4096


class HeapError(Exception):
    """A problem that stops a command (no heap, no debug info, unreadable memory)."""


def fls(x):
    return x.bit_length() - 1


def size_text(n):
    """The demo's print_size()."""
    if n >= 10 * 1024 * 1024:
        return "%d MiB" % (n >> 20)
    if n >= 10 * 1024:
        return "%d KiB" % (n >> 10)
    return "%d B" % n


class Memory:
    """Target memory read in cached pages (one remote round trip per 4 KiB)."""

    def __init__(self, word, byteorder):
        self.inferior = gdb.selected_inferior()
        self.word_size = word
        self.byteorder = byteorder
        self.pages = {}

    def _page(self, base):
        data = self.pages.get(base)
        if data is None:
            try:
                data = bytes(self.inferior.read_memory(base, PAGE))
            except gdb.MemoryError:
                data = b""  # a page straddling the end of memory: read what is there
            self.pages[base] = data
        return data

    def read(self, addr, n):
        out = b""
        while n > 0:
            base = addr & ~(PAGE - 1)
            off = addr - base
            take = min(n, PAGE - off)
            page = self._page(base)
            if len(page) < off + take:
                try:
                    chunk = bytes(self.inferior.read_memory(addr, take))
                except gdb.MemoryError:
                    raise HeapError("cannot read target memory at 0x%x" % addr)
            else:
                chunk = page[off:off + take]
            out += chunk
            addr += take
            n -= take
        return out

    def word(self, addr):
        return int.from_bytes(self.read(addr, self.word_size), self.byteorder)

    def u32(self, addr):
        return int.from_bytes(self.read(addr, 4), self.byteorder)


def byteorder():
    text = gdb.execute("show endian", to_string=True)
    return "big" if "big endian" in text else "little"


class Heap:
    """A snapshot of struct rtheap plus the layout constants derived from it."""

    def __init__(self, value, name):
        try:
            rtype = gdb.lookup_type("struct rtheap")
        except gdb.error:
            raise HeapError("no debug info for struct rtheap: build rtheap.c with -g")
        if rtype.sizeof == 0 or not rtype.fields():
            raise HeapError("struct rtheap is incomplete in the debug info: build rtheap.c with -g")
        if value.type.strip_typedefs().code != gdb.TYPE_CODE_PTR:
            if value.type.strip_typedefs().code == gdb.TYPE_CODE_STRUCT:
                value = value.address
            value = value.cast(rtype.pointer())
        ptr = value.cast(rtype.pointer())
        self.name = name
        self.addr = int(ptr)
        if self.addr == 0:
            raise HeapError("%s is NULL (the heap is not built yet?)" % name)
        s = ptr.dereference()
        names = [f.name for f in rtype.fields()]
        self.word = rtype["max_block"].type.sizeof
        self.mem = Memory(self.word, byteorder())
        try:
            self.magic = int(s["magic"])
            self.fl_bitmap = int(s["fl_bitmap"])
            self.fl_count = int(s["fl_count"])
            self.max_block = int(s["max_block"])
            self.heads = int(s["heads"].cast(gdb.lookup_type("unsigned long" if self.word == 8 else "unsigned int")))
            self.region_count = int(s["region_count"])
            self.error_count = int(s["error_count"])
            self.heap_bytes = int(s["heap_bytes"])
            self.quarantined_bytes = int(s["quarantined_bytes"])
            self.quarantine_count = int(s["quarantine_count"])
            self.lost_lists = int(s["lost_lists"])
            self.arena_bytes = int(s["arena_bytes"])
            rng = rtype["regions"].type.strip_typedefs().range()
            self.max_regions = rng[1] - rng[0] + 1
            self.regions = []
            for i in range(min(self.region_count, self.max_regions)):
                r = s["regions"][i]
                self.regions.append((int(r["first"]), int(r["sentinel"])))
            self.has_stats = "used_total" in names
            if self.has_stats:
                self.used_total = int(s["used_total"])
                self.peak_total = int(s["peak_total"])
                self.alloc_count = int(s["alloc_count"])
                self.free_count = int(s["free_count"])
                self.realloc_count = int(s["realloc_count"])
                self.failed_count = int(s["failed_count"])
            self.sl_bitmap_addr = self.addr + rtype["sl_bitmap"].bitpos // 8
        except gdb.MemoryError:
            raise HeapError("cannot read the control structure at 0x%x" % self.addr)
        self.tagged = self.magic != (HEAP_MAGIC_UNTAGGED ^ self.addr)
        self._derive_layout()

    def _derive_layout(self):
        # max_block = (2^(fl_count + SL_LOG2 - 1) - 1) << ALIGN_LOG2 (rtheap_max_block_for):
        # its trailing zeros give the alignment, its width the second-level split.
        w = self.word
        self.layout_ok = True
        mb = self.max_block
        if mb > 0 and (mb & -mb).bit_length() - 1 in (3, 4, 5, 6):
            self.align_log2 = (mb & -mb).bit_length() - 1
            bits = (mb >> self.align_log2).bit_length()
            self.sl_log2 = bits - self.fl_count + 1
            if bits >= 31 or not 2 <= self.sl_log2 <= 5:
                self.sl_log2 = 4  # clamped index or a damaged field: the default
                self.layout_ok = bits >= 31
        else:
            self.align_log2 = 3 if w == 4 else 4  # RTHEAP_ALIGNMENT's defaults
            self.sl_log2 = 4
            self.layout_ok = False
        self.align = 1 << self.align_log2
        if self.align < 2 * w:
            self.align_log2, self.align, self.layout_ok = (3 if w == 4 else 4), 2 * w, False
        self.sl_count = 1 << self.sl_log2
        a = self.align
        self.min_block = (4 * w + a - 1) & ~(a - 1)
        self.flag_bits = a - 1
        self.reserved = self.flag_bits & ~(FLAG_FREE | FLAG_PREV_FREE | FLAG_FENCE)
        self.tag_shift = 8 * w - 8
        self.size_mask = ~self.flag_bits & ((1 << self.tag_shift) - 1)

    # --- header helpers (rtheap.c's) --------------------------------------------------
    def size(self, hdr):
        return hdr & self.size_mask

    def fold(self, hdr):
        k = 0
        for i in range(self.word):
            k ^= (hdr >> (8 * i)) & 0xFF
        return k

    def sound(self, hdr):
        return self.fold(hdr) == TAG_XOR if self.tagged else hdr >> self.tag_shift == 0

    def kind(self, hdr):
        """KIND_BLOCK or KIND_FENCE for a sound header, else None."""
        return (hdr & FLAG_FENCE) if self.sound(hdr) else None

    def check_bit_ok(self, hdr):
        """The header's tag holds and it is an ordinary block's."""
        return self.kind(hdr) == KIND_BLOCK

    def is_fence(self, hdr):
        """A block nobody owns of a fence's size (a quarantined one can look the same)."""
        return self.kind(hdr) == KIND_FENCE and self.size(hdr) == self.min_block

    def is_quarantined(self, hdr):
        return self.kind(hdr) == KIND_FENCE

    def hdr(self, t, flags, kind):
        v = t | flags | kind
        return v | ((self.fold(v) ^ TAG_XOR) << self.tag_shift) if self.tagged else v

    def plausible(self, region, h, hdr, kind=KIND_BLOCK):
        t = self.size(hdr)
        return ((hdr & self.reserved) == 0 and self.kind(hdr) == kind and
                self.min_block <= t <= self.max_block and t <= region[1] - h)

    def why_implausible(self, region, h, hdr):
        t = self.size(hdr)
        if hdr & self.reserved:
            return "reserved flag bits set"
        if self.kind(hdr) is None:
            if not self.tagged:
                return "top byte not 0 in a heap without tags"
            return "tag byte disagrees with the header (bytes XOR to 0x%02x)" % self.fold(hdr)
        if t < self.min_block:
            return "size %d below the minimum block %d" % (t, self.min_block)
        if t > self.max_block:
            return "size %d above the largest block %d" % (t, self.max_block)
        return "size %d runs past the region's sentinel at 0x%x" % (t, region[1])

    def max_block_for(self, rows):
        bits = min(rows + self.sl_log2 - 1, 31)
        max_g = min((1 << bits) - 1, MAX_GRANULES - 1)
        return max_g << self.align_log2

    def class_of(self, g):
        s = fls(g | self.sl_count) - self.sl_log2
        return (s << self.sl_log2) + (g >> s)

    def sl_bitmap(self, fl):
        return self.mem.u32(self.sl_bitmap_addr + 4 * fl)

    def head(self, c):
        return self.mem.word(self.heads + self.word * c)

    def region_of(self, h):
        for i, (first, sentinel) in enumerate(self.regions):
            if first <= h < sentinel:
                return i
        return None

    def region_bounds(self, i):
        """The RAM of region i as the firmware gave it, [lo, hi) (estimated for i > 0)."""
        first, sentinel = self.regions[i]
        lo = self.addr if i == 0 else first + self.word - self.align
        return lo, sentinel + self.word

    # --- statistics (rtheap_get_stats) -------------------------------------------------
    def largest_guaranteed(self):
        if self.fl_bitmap == 0:
            return 0
        fl = fls(self.fl_bitmap)
        slb = self.sl_bitmap(fl) if fl < self.fl_count else 0
        if slb == 0:
            return 0
        b = self.head(fl * self.sl_count + fls(slb))
        if b == 0:
            return 0
        return self.size(self.mem.word(b)) - self.word

    def stats(self):
        st = [("heap_bytes", self.heap_bytes), ("arena_bytes", self.arena_bytes)]
        if self.has_stats:
            live = (self.alloc_count - self.free_count) & 0xFFFFFFFF
            st += [("used_bytes", self.used_total - live * self.word),
                   ("used_bytes_with_overhead", self.used_total),
                   ("free_bytes", self.arena_bytes - self.used_total - self.quarantined_bytes),
                   ("peak_used_bytes", self.peak_total)]
        else:
            live = 0
            st += [("used_bytes", 0), ("used_bytes_with_overhead", 0), ("free_bytes", 0),
                   ("peak_used_bytes", 0)]
        st += [("largest_guaranteed", self.largest_guaranteed()), ("live_blocks", live)]
        if self.has_stats:
            st += [("alloc_count", self.alloc_count), ("free_count", self.free_count),
                   ("realloc_count", self.realloc_count), ("failed_count", self.failed_count)]
        else:
            st += [("alloc_count", 0), ("free_count", 0), ("realloc_count", 0), ("failed_count", 0)]
        st += [("error_count", self.error_count), ("region_count", self.region_count),
               ("quarantine_count", self.quarantine_count),
               ("quarantined_bytes", self.quarantined_bytes)]
        return st

    # --- walking ------------------------------------------------------------------------
    def walk(self, i):
        """rtheap_walk() over region i: yields (header address, size, used); a fence is
        skipped; a damaged chain stops the walk (the last item is (h, None, reason))."""
        first, sentinel = self.regions[i]
        h = first
        while h < sentinel:
            hdr = self.mem.word(h)
            if self.kind(hdr) == KIND_FENCE and self.plausible(self.regions[i], h, hdr, KIND_FENCE):
                h += self.size(hdr)  # a fence or a quarantined block: nobody's
                continue
            if not self.plausible(self.regions[i], h, hdr):
                yield h, None, self.why_implausible(self.regions[i], h, hdr)
                return
            t = self.size(hdr)
            yield h, t, not hdr & FLAG_FREE
            h += t

    # --- rtheap_check() ------------------------------------------------------------------
    def check(self):
        """Returns (error code, detail): rtheap_check_unlocked()'s invariants, in its order."""
        # Any magic but the untagged one's (which self.tagged was read from) must be this.
        if self.tagged and self.magic != (HEAP_MAGIC ^ self.addr):
            return CONTROL, "magic 0x%x, expected 0x%x (0x%x without tags)" % (
                self.magic, HEAP_MAGIC ^ self.addr, HEAP_MAGIC_UNTAGGED ^ self.addr)
        if self.region_count == 0 or self.region_count > self.max_regions:
            return CONTROL, "region_count %d (1..%d)" % (self.region_count, self.max_regions)
        if self.fl_count == 0 or self.fl_count > 32 - self.sl_log2 or not self.layout_ok or \
                self.max_block != self.max_block_for(self.fl_count):
            return CONTROL, "fl_count %d and max_block %d disagree" % (self.fl_count, self.max_block)
        totals = dict(bytes=0, nobody=0, used_bytes=0, used_blocks=0, free_blocks=0)
        region_bytes = 0
        for i in range(self.region_count):
            e = self._check_region(i, totals)
            if e[0] != OK:
                return e
            region_bytes += self.regions[i][1] - self.regions[i][0]
        # Fences and quarantined blocks share a header ("nobody's"): their bytes are told
        # apart by quarantined_bytes, which stays in arena_bytes.
        if totals["bytes"] + totals["nobody"] != region_bytes:
            return ACCOUNTING, "blocks %d B + fences and quarantined %d B != regions %d B" % (
                totals["bytes"], totals["nobody"], region_bytes)
        if totals["nobody"] < self.quarantined_bytes or \
                totals["bytes"] + self.quarantined_bytes != self.arena_bytes:
            return ACCOUNTING, "blocks %d B + quarantined %d B != arena_bytes %d" % (
                totals["bytes"], self.quarantined_bytes, self.arena_bytes)
        totals["fence"] = totals["nobody"] - self.quarantined_bytes
        e = self._check_lists(totals["free_blocks"])
        if e[0] != OK:
            return e
        if self.has_stats:
            live = (self.alloc_count - self.free_count) & 0xFFFFFFFF
            if self.used_total != totals["used_bytes"]:
                return STATS, "used_total %d, live blocks hold %d B" % (self.used_total,
                                                                        totals["used_bytes"])
            if live != totals["used_blocks"]:
                return STATS, "alloc_count - free_count = %d, %d live blocks in the chains" % (
                    live, totals["used_blocks"])
            if self.peak_total < self.used_total:
                return STATS, "peak_total %d < used_total %d" % (self.peak_total, self.used_total)
        return OK, "%d used and %d free blocks in %d region(s)%s" % (
            totals["used_blocks"], totals["free_blocks"], self.region_count,
            "" if not totals["fence"] else ", %d fence(s)" % (totals["fence"] // self.min_block))

    def _check_region(self, i, totals):
        r = self.regions[i]
        first, sentinel = r
        h = first
        prev_free = False
        where = lambda h: "region %d, block 0x%x" % (i, h)  # noqa: E731
        while h != sentinel:
            if h > sentinel:
                return CHAIN, "%s: the chain runs past the sentinel at 0x%x" % (where(h), sentinel)
            hdr = self.mem.word(h)
            if bool(hdr & FLAG_PREV_FREE) != prev_free:
                return CHAIN, "%s: header 0x%x says the previous block is %s, it is %s" % (
                    where(h), hdr, "free" if hdr & FLAG_PREV_FREE else "used",
                    "free" if prev_free else "used (or there is none)")
            if self.kind(hdr) == KIND_FENCE:
                if not self.plausible(r, h, hdr, KIND_FENCE) or hdr & FLAG_FREE:
                    return CHAIN, "%s: header 0x%x of a block nobody owns is damaged" % (
                        where(h), hdr)
                totals["nobody"] += self.size(hdr)
                prev_free = False
                h += self.size(hdr)
                continue
            if not self.plausible(r, h, hdr):
                return CHAIN, "%s: header 0x%x: %s" % (where(h), hdr, self.why_implausible(r, h, hdr))
            t = self.size(hdr)
            free = bool(hdr & FLAG_FREE)
            if free:
                if prev_free:
                    return COALESCE, "%s: free, and so is the block before it" % where(h)
                footer = self.mem.word(h + t - self.word)
                if footer != h:
                    return CHAIN, "%s: free block's footer at 0x%x is 0x%x" % (
                        where(h), h + t - self.word, footer)
                totals["free_blocks"] += 1
            else:
                totals["used_bytes"] += t
                totals["used_blocks"] += 1
            totals["bytes"] += t
            prev_free = free
            h += t
        hdr = self.mem.word(h)
        if hdr != self.hdr(0, FLAG_PREV_FREE if prev_free else 0, KIND_BLOCK):
            return CHAIN, "region %d: sentinel 0x%x has header 0x%x" % (i, h, hdr)
        return OK, ""

    def _check_lists(self, free_blocks):
        listed = 0
        if self.fl_count < FL_MAX and (self.fl_bitmap >> self.fl_count) != 0:
            return BITMAP, "fl_bitmap 0x%x has bits above row %d" % (self.fl_bitmap, self.fl_count - 1)
        for fl in range(self.fl_count):
            slb = self.sl_bitmap(fl)
            if ((self.fl_bitmap >> fl) & 1) != (slb != 0):
                return BITMAP, "fl_bitmap bit %d is %d but sl_bitmap[%d] = 0x%x" % (
                    fl, (self.fl_bitmap >> fl) & 1, fl, slb)
            for sl in range(self.sl_count):
                c = fl * self.sl_count + sl
                b = self.head(c)
                if ((slb >> sl) & 1) != (b != 0):
                    return BITMAP, "sl_bitmap[%d] bit %d is %d but list %d's head is 0x%x" % (
                        fl, sl, (slb >> sl) & 1, c, b)
                prev = 0
                while b != 0:
                    listed += 1
                    if listed > free_blocks:
                        return FREE_COUNT, "more blocks in the lists than the %d free blocks " \
                            "in the chains (at 0x%x in list %d)" % (free_blocks, b, c)
                    ri = self.region_of(b)
                    if ri is None:
                        return BAD_FREE_LIST, "list %d: 0x%x (after 0x%x) is in no region" % (c, b, prev)
                    r = self.regions[ri]
                    hdr = self.mem.word(b)
                    t = self.size(hdr)
                    if ((b - r[0]) & (self.align - 1)) != 0 or not self.plausible(r, b, hdr) or \
                            not hdr & FLAG_FREE or self.mem.word(b + t - self.word) != b or \
                            self.mem.word(b + 2 * self.word) != prev:
                        return BAD_FREE_LIST, "list %d: block 0x%x (after 0x%x), header 0x%x, " \
                            "prev_free 0x%x" % (c, b, prev, hdr, self.mem.word(b + 2 * self.word))
                    cls = self.class_of(t >> self.align_log2)
                    if cls != c:
                        return LIST_CLASS, "block 0x%x of %d B (class %d) is in list %d" % (b, t, cls, c)
                    prev = b
                    b = self.mem.word(b + self.word)
        if listed > free_blocks or (listed != free_blocks and self.lost_lists == 0):
            return FREE_COUNT, "%d blocks in the lists, %d free blocks in the chains" % (
                listed, free_blocks)
        return OK, ""


def default_heap_value():
    try:
        sym = gdb.lookup_static_symbol("rtheap_default_heap")
    except AttributeError:
        sym = None
    if sym is not None:
        return sym.value()
    try:
        return gdb.parse_and_eval("'rtheap_default.c'::rtheap_default_heap")
    except gdb.error:
        pass
    try:
        return gdb.parse_and_eval("*(void **)&rtheap_default_heap")  # no debug info for it
    except gdb.error:
        raise HeapError("no rtheap_default_heap in this program: give a HEAP expression")


def get_heap(expr):
    expr = expr.strip()
    if not expr:
        return Heap(default_heap_value(), "rtheap_default_heap")
    try:
        value = gdb.parse_and_eval(expr)
    except gdb.error as e:
        raise HeapError("cannot evaluate %s: %s" % (expr, e))
    return Heap(value, expr)


def error_text(code):
    return "%s (%s = %d)" % (ERRORS[code][1], ERRORS[code][0], code)


# --- commands -------------------------------------------------------------------------------

class RtheapPrefix(gdb.Command):
    """Inspect an rtheap heap: rtheap stats|map|check|block. HEAP defaults to the default heap."""

    def __init__(self):
        super().__init__("rtheap", gdb.COMMAND_DATA, gdb.COMPLETE_NONE, True)


class RtheapCommand(gdb.Command):
    def invoke(self, arg, from_tty):
        try:
            self.run(arg)
        except HeapError as e:
            raise gdb.GdbError("rtheap: %s" % e)


class RtheapStats(RtheapCommand):
    """rtheap stats [HEAP]: the statistics rtheap_get_stats() would return, and the index."""

    def __init__(self):
        super().__init__("rtheap stats", gdb.COMMAND_DATA)

    def run(self, arg):
        h = get_heap(arg)
        out = ["rtheap heap 0x%x (%s)" % (h.addr, h.name)]
        for name, v in h.stats():
            out.append("  %-26s %d" % (name, v))
        if not h.has_stats:
            out.append("  (built with RTHEAP_STATS 0: the counters are not kept)")
        out.append("index: %d rows x %d lists, largest block %d B, alignment %d, word %d, "
                   "minimum block %d" % (h.fl_count, h.sl_count, h.max_block, h.align, h.word,
                                         h.min_block))
        for i, (first, sentinel) in enumerate(h.regions):
            out.append("region %d: blocks 0x%x..0x%x (%d B), sentinel at 0x%x" % (
                i, first, sentinel, sentinel - first, sentinel))
        gdb.write("\n".join(out) + "\n")


class RtheapMap(RtheapCommand):
    """rtheap map [--slices N] [--dump] [HEAP]: one line per region, like the demo's map
    ('#' all used, '.' all free, '+' both), with block counts; --dump prints one line per
    block instead (the heap map dump format that tools/heapmap.py draws)."""

    def __init__(self):
        super().__init__("rtheap map", gdb.COMMAND_DATA)

    def run(self, arg):
        args = gdb.string_to_argv(arg)
        slices, dump, rest = 64, False, []
        k = 0
        while k < len(args):
            if args[k] == "--dump":
                dump = True
            elif args[k] == "--slices" and k + 1 < len(args):
                slices = int(args[k + 1])
                k += 1
            else:
                rest.append(args[k])
            k += 1
        if slices < 1:
            raise HeapError("--slices must be at least 1")
        h = get_heap(" ".join(rest))
        if dump:
            self.dump(h)
        else:
            self.bars(h, slices)

    def dump(self, h):
        out = ["# rtheap heapmap v1", "# title heap 0x%x (%s)" % (h.addr, h.name), "# word %d" % h.word]
        for i in range(len(h.regions)):
            lo, hi = h.region_bounds(i)
            out.append("# region %d 0x%x 0x%x" % (i, lo, hi))
        for i in range(len(h.regions)):
            n = 0
            for hdr, t, used in h.walk(i):
                if t is None:
                    out.append("# region %d: chain broken at 0x%x: %s" % (i, hdr, used))
                    break
                out.append("%d %d 0x%x %d %d" % (i, n, hdr + h.word, t - h.word, 1 if used else 0))
                n += 1
        gdb.write("\n".join(out) + "\n")

    def bars(self, h, slices):
        out = ["heap map ('#' used, '.' free, '+' both; %d slices per region):" % slices]
        for i in range(len(h.regions)):
            base, end = h.region_bounds(i)
            length = end - base
            ub = fb = ubytes = fbytes = largest = 0
            slice_free = [0] * slices
            broken = None
            for hdr, t, used in h.walk(i):
                if t is None:
                    broken = "chain broken at 0x%x: %s" % (hdr, used)
                    break
                size = t - h.word
                if used:
                    ub += 1
                    ubytes += size
                    continue
                fb += 1
                fbytes += size
                largest = max(largest, size)
                lo = hdr + h.word - base
                hi = lo + size
                for s in range(max(0, lo * slices // length), slices):
                    s0, s1 = length * s // slices, length * (s + 1) // slices
                    if s0 >= hi:
                        break
                    a, e = max(lo, s0), min(hi, s1)
                    if e > a:
                        slice_free[s] += e - a
            bar = ""
            for s in range(slices):
                slen = length * (s + 1) // slices - length * s // slices
                bar += "#" if slice_free[s] == 0 else "." if slice_free[s] >= slen else "+"
            out.append("  r%d %08x |%s| %s" % (i, base, bar, size_text(length)))
            out.append("      used %d blocks, %s; free %d blocks, %s, largest free %s" % (
                ub, size_text(ubytes), fb, size_text(fbytes), size_text(largest)))
            if broken:
                out.append("      (walk stopped: %s)" % broken)
        gdb.write("\n".join(out) + "\n")


class RtheapCheck(RtheapCommand):
    """rtheap check [HEAP]: walks every region's physical chain and every free list (in
    GDB, calling nothing in the target) and reports the first invariant of rtheap_check()
    that is broken, or OK. Poisoned free memory (RTHEAP_POISON builds) is not checked."""

    def __init__(self):
        super().__init__("rtheap check", gdb.COMMAND_DATA)

    def run(self, arg):
        h = get_heap(arg)
        code, detail = h.check()
        if code == OK:
            gdb.write("rtheap check: OK (heap 0x%x: %s)\n" % (h.addr, detail))
        else:
            gdb.write("rtheap check: FAILED: %s: %s\n" % (error_text(code), detail))


class RtheapBlock(RtheapCommand):
    """rtheap block ADDR [HEAP]: decodes the block whose header or payload contains ADDR
    (a pointer from malloc, say): header word, size, flags, free/used, its physical
    neighbours and, for a free block, its footer and free-list links."""

    def __init__(self):
        super().__init__("rtheap block", gdb.COMMAND_DATA)

    def run(self, arg):
        words = arg.split()
        if not words:
            raise HeapError("usage: rtheap block ADDR [HEAP]")
        # ADDR may contain spaces ((char *)p + 5): the longest prefix that evaluates is
        # ADDR, the rest (if any) is HEAP.
        addr = None
        for k in range(len(words), 0, -1):
            try:
                v = gdb.parse_and_eval(" ".join(words[:k]))
                addr = int(v.cast(gdb.lookup_type("unsigned long long"))) if \
                    v.type.strip_typedefs().code != gdb.TYPE_CODE_PTR else int(v)
            except gdb.error:
                continue
            rest = " ".join(words[k:])
            break
        if addr is None:
            raise HeapError("cannot evaluate %s" % arg)
        h = get_heap(rest)
        w = h.word
        out = []
        ri = None
        for i, (first, sentinel) in enumerate(h.regions):
            if first <= addr < sentinel + w:
                ri = i
        if ri is None:
            if h.addr <= addr < (h.regions[0][0] if h.regions else h.addr):
                gdb.write("0x%x is inside the control structure of heap 0x%x (it ends at 0x%x)\n" % (
                    addr, h.addr, h.regions[0][0]))
            else:
                gdb.write("0x%x is in no region of heap 0x%x\n" % (addr, h.addr))
            return
        first, sentinel = h.regions[ri]
        if addr >= sentinel:
            gdb.write("0x%x is the sentinel of region %d (header 0x%x)\n" % (
                addr, ri, h.mem.word(sentinel)))
            return
        prev = None
        n = 0
        pos = first
        found = None
        while pos < sentinel:
            hdr = h.mem.word(pos)
            if h.is_fence(hdr):
                if addr < pos + h.min_block:
                    gdb.write("0x%x is in the fence at 0x%x (header 0x%x) between chunks of region %d\n"
                              % (addr, pos, hdr, ri))
                    return
                prev = (pos, "fence", h.min_block)
                pos += h.min_block
                continue
            if h.is_quarantined(hdr) and h.plausible(h.regions[ri], pos, hdr, KIND_FENCE):
                t = h.size(hdr)
                if addr < pos + t:
                    gdb.write("0x%x is in the quarantined (damaged, out of service) block at 0x%x "
                              "of %d B (header 0x%x) in region %d\n" % (addr, pos, t, hdr, ri))
                    return
                prev = (pos, "quarantined", t)
                pos += t
                continue
            if not h.plausible(h.regions[ri], pos, hdr):
                out.append("the chain of region %d is broken at 0x%x (header 0x%x: %s)" % (
                    ri, pos, hdr, h.why_implausible(h.regions[ri], pos, hdr)))
                prev = None
                break
            t = h.size(hdr)
            if addr < pos + t:
                found = pos
                break
            prev = (pos, "free" if hdr & FLAG_FREE else "used", t)
            pos += t
            n += 1
        if found is None:
            # Damaged chain before ADDR: ADDR is taken as a payload pointer if it is
            # aligned like one, as a header if it is aligned like one and holds a
            # plausible header; anything else cannot be placed without the chain.
            off = addr % h.align
            if off == 0:
                found = addr - w
            elif off == h.align - w and h.plausible(h.regions[ri], addr, h.mem.word(addr)):
                found = addr  # a header position holding a header, not payload data
            else:
                out.append("0x%x is neither a payload address (payloads are %d-aligned) nor "
                           "a plausible header: its block cannot be found without the chain"
                           % (addr, h.align))
                gdb.write("\n".join(out) + "\n")
                return
            out.append("decoding 0x%x as the header of a block, without its chain" % found)
            n = None
        self.decode(h, ri, n, found, addr, prev, out)
        gdb.write("\n".join(out) + "\n")

    def decode(self, h, ri, n, b, addr, prev, out):
        w = h.word
        hdr = h.mem.word(b)
        t = h.size(hdr)
        free = bool(hdr & FLAG_FREE)
        idx = "" if n is None else ", block #%d" % n
        out.append("block 0x%x: region %d%s, payload 0x%x" % (b, ri, idx, b + w))
        if addr != b + w:
            out.append("  0x%x is %s" % (addr, "its header" if b <= addr < b + w else
                                         "%d bytes into the payload" % (addr - b - w)))
        plaus = h.plausible(h.regions[ri], b, hdr)
        out.append("  header 0x%0*x: size %d B, %s, PREV_FREE %d, tag %s%s" % (
            2 * w, hdr, t, "FREE" if free else "used", 1 if hdr & FLAG_PREV_FREE else 0,
            ("ok" if h.check_bit_ok(hdr) else "WRONG") if h.tagged else "none (no checks)",
            "" if plaus else " -- implausible: " + h.why_implausible(h.regions[ri], b, hdr)))
        cls = ""
        if t >= h.align and (t >> h.align_log2) < MAX_GRANULES:
            c = h.class_of(t >> h.align_log2)
            cls = ", size class %d (fl %d, sl %d)" % (c, c // h.sl_count, c % h.sl_count)
        out.append("  %s, %d usable bytes%s" % ("free" if free else "in use", t - w, cls))
        if prev is None:
            if n == 0:
                out.append("  previous: none (first block of region %d)" % ri)
        else:
            out.append("  previous: 0x%x (%s, %d B)" % prev)
        if hdr & FLAG_PREV_FREE:
            f = h.mem.word(b - w)
            out.append("  previous block's footer (0x%x) -> 0x%x" % (b - w, f))
        if not plaus:
            return
        nxt = b + t
        nh = h.mem.word(nxt)
        if nxt == h.regions[ri][1]:
            out.append("  next: 0x%x, the sentinel (header 0x%x)" % (nxt, nh))
        elif h.is_fence(nh):
            out.append("  next: 0x%x, a fence (header 0x%x)" % (nxt, nh))
        else:
            out.append("  next: 0x%x (%s, %d B, PREV_FREE %d)" % (
                nxt, "free" if nh & FLAG_FREE else "used", h.size(nh), 1 if nh & FLAG_PREV_FREE else 0))
        if free:
            footer = h.mem.word(nxt - w)
            nf = h.mem.word(b + w)
            pf = h.mem.word(b + 2 * w)
            c = h.class_of(t >> h.align_log2)
            head = h.head(c) if c < h.fl_count * h.sl_count else None
            out.append("  footer (0x%x) -> 0x%x (%s)" % (nxt - w, footer, "ok" if footer == b else "WRONG"))
            out.append("  free list %d: next_free 0x%x, prev_free 0x%x%s" % (
                c, nf, pf, ", head of its list" if head == b else ""))


RtheapPrefix()
RtheapStats()
RtheapMap()
RtheapCheck()
RtheapBlock()
