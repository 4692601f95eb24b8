# SPDX-License-Identifier: MIT OR Apache-2.0
"""The linked firmware as the analysis sees it: its functions (from the symbol
table), their instructions (from `arm-none-eabi-objdump -d`) and the source line of
every address (from the DWARF line table, `objdump --dwarf=decodedline`)."""

import bisect
import re
import subprocess

OBJDUMP = "arm-none-eabi-objdump"
NM = "arm-none-eabi-nm"

# "    18b6:\tf7ff fd07 \tbl\t12c8 <rtheap_alloc_unlocked>"
INSN_RE = re.compile(r"^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*\t(\S+)(?:\t(.*))?$")
FUNC_RE = re.compile(r"^([0-9a-f]+) <(.+)>:$")
TARGET_RE = re.compile(r"(?:^|[ ,])([0-9a-f]+) <([^>+]+)(?:\+0x([0-9a-f]+))?>")


class Insn:
    """One instruction: address, size in bytes, mnemonic (as objdump prints it,
    lower case, with its condition and .n/.w suffixes) and operand text."""

    __slots__ = ("addr", "size", "op", "args", "target", "target_sym", "comment")

    def __init__(self, addr, size, op, args):
        self.addr = addr
        self.size = size
        self.op = op
        # objdump appends "@ 0x..." or "; (...)" comments: keep them apart.
        comment = ""
        for sep in ("\t@", "\t;", " @ "):
            if sep in args:
                args, comment = args.split(sep, 1)
        self.args = args.strip()
        self.comment = comment.strip()
        self.target = None
        self.target_sym = None
        m = TARGET_RE.search(self.args)
        if m:
            self.target = int(m.group(1), 16)
            self.target_sym = m.group(2)

    def __repr__(self):
        return "%x: %s %s" % (self.addr, self.op, self.args)


class Function:
    def __init__(self, name, addr, size):
        self.name = name
        self.addr = addr
        self.size = size
        self.insns = []

    def __repr__(self):
        return "<%s @%x+%d>" % (self.name, self.addr, self.size)


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


class Firmware:
    """Functions by name and by address, instructions by address, lines by address."""

    def __init__(self, elf):
        self.elf = elf
        self.functions = {}  # name -> Function
        self.by_addr = {}  # entry address -> Function
        self.data = {}  # data symbol name -> address
        self.words = {}  # address -> value of the literal pools' words
        self._load_symbols()
        self._load_code()
        self._load_lines()

    def _load_symbols(self):
        for line in run([NM, "-S", "--defined-only", self.elf]).splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[2] in "bBdDrR":
                self.data[parts[3]] = int(parts[0], 16)
                continue
            if len(parts) != 4 or parts[2] not in "tTwW":
                continue
            addr = int(parts[0], 16) & ~1
            size = int(parts[1], 16)
            name = parts[3]
            if size == 0:
                continue
            if addr in self.by_addr:
                # Aliases (weak handlers): keep the first name.
                self.functions[name] = self.by_addr[addr]
                continue
            f = Function(name, addr, size)
            self.functions[name] = f
            self.by_addr[addr] = f

    def _load_code(self):
        text = run([OBJDUMP, "-d", self.elf])
        starts = sorted(self.by_addr)
        current = None
        for line in text.splitlines():
            m = FUNC_RE.match(line)
            if m:
                current = self.by_addr.get(int(m.group(1), 16))
                continue
            m = INSN_RE.match(line)
            if not m or current is None:
                continue
            addr = int(m.group(1), 16)
            raw = m.group(2).split()
            op = m.group(3)
            args = m.group(4) or ""
            if op.startswith("."):
                # a literal pool (.word) or padding: data, not code (its words are kept:
                # pc-relative loads read them)
                if op == ".word":
                    try:
                        self.words[addr] = int(args.split()[0], 16)
                    except (ValueError, IndexError):
                        pass
                continue
            size = sum(len(r) for r in raw) // 2
            # A function's code ends at its symbol's size (objdump shows what follows
            # under the same label until the next symbol).
            f = current
            if not (f.addr <= addr < f.addr + f.size):
                i = bisect.bisect_right(starts, addr) - 1
                if i < 0:
                    continue
                f = self.by_addr[starts[i]]
                if not (f.addr <= addr < f.addr + f.size):
                    continue
            f.insns.append(Insn(addr, size, op, args))

    def _load_lines(self):
        """addr -> (file basename, line): the DWARF line table, sorted by address."""
        rows = []
        text = run([OBJDUMP, "--dwarf=decodedline", self.elf])
        for line in text.splitlines():
            parts = line.split()
            if len(parts) < 3 or not parts[2].startswith("0x"):
                continue
            name, num, addr = parts[0], parts[1], int(parts[2], 16)
            rows.append((addr, None if num == "-" else (name, int(num))))
        rows.sort(key=lambda r: r[0])
        # At one address the last row wins (views of the same address).
        self._line_addrs = []
        self._line_vals = []
        for addr, val in rows:
            if self._line_addrs and self._line_addrs[-1] == addr:
                self._line_vals[-1] = val
            else:
                self._line_addrs.append(addr)
                self._line_vals.append(val)

    def line_of(self, addr):
        """(file basename, line) of the code at addr, or None."""
        i = bisect.bisect_right(self._line_addrs, addr) - 1
        return self._line_vals[i] if i >= 0 else None

    def lines_in(self, lo, hi):
        """(file basename, line) of every line-table entry in [lo, hi)."""
        i = bisect.bisect_left(self._line_addrs, lo)
        out = []
        while i < len(self._line_addrs) and self._line_addrs[i] < hi:
            out.append(self._line_vals[i])
            i += 1
        return out

    def function_at(self, addr):
        f = self.by_addr.get(addr)
        if f is not None:
            return f
        starts = sorted(self.by_addr)
        i = bisect.bisect_right(starts, addr) - 1
        if i >= 0:
            f = self.by_addr[starts[i]]
            if f.addr <= addr < f.addr + f.size:
                return f
        return None
