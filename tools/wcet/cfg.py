# SPDX-License-Identifier: MIT OR Apache-2.0
"""Control-flow graph of one function: basic blocks, their edges, dominators and
natural loops."""

import re

from .isa import CORE_REGS, decode_function, regs_in

RETURN = "return"


class AnalysisError(Exception):
    """Something the analysis refuses: it names the function and the address."""


class Edge:
    __slots__ = ("src", "dst", "taken", "tailcall", "indirect")

    def __init__(self, src, dst, taken, tailcall=None, indirect=False):
        self.src = src  # block start address
        self.dst = dst  # block start address, or RETURN
        self.taken = taken  # True when the terminating branch is taken along it
        self.tailcall = tailcall  # callee name when the edge leaves by a tail call
        self.indirect = indirect  # True when it leaves by a tail call through a pointer

    def __repr__(self):
        return "%x->%s%s" % (self.src, self.dst if self.dst == RETURN else "%x" % self.dst,
                             " (tail %s)" % self.tailcall if self.tailcall else "")


class Block:
    __slots__ = ("start", "items", "succs", "preds", "falloff")

    def __init__(self, start):
        self.start = start
        self.items = []  # (Insn, Decoded)
        self.succs = []
        self.preds = []
        # Execution would run past the function's end (unreachable padding, or a
        # call that never returns): refused if a path of the analysis gets here.
        self.falloff = False

    @property
    def last(self):
        return self.items[-1]

    @property
    def end(self):
        insn = self.items[-1][0]
        return insn.addr + insn.size


class CFG:
    def __init__(self, fw, func):
        self.fw = fw
        self.func = func
        if not func.insns:
            raise AnalysisError("%s at 0x%x: no instructions" % (func.name, func.addr))
        decoded = decode_function(func.insns)
        self.items = list(zip(func.insns, decoded))
        self.blocks = {}
        self._build()

    def where(self, addr):
        return "%s at 0x%x" % (self.func.name, addr)

    def _outside_target(self, insn):
        """The function a branch out of this one enters (a tail call), by name."""
        callee = self.fw.by_addr.get(insn.target)
        if callee is None:
            raise AnalysisError("%s: branch to 0x%x, neither in the function nor a function's "
                                "entry" % (self.where(insn.addr), insn.target))
        return callee.name

    def _inside(self, addr):
        f = self.func
        return f.addr <= addr < f.addr + f.size

    def _build(self):
        items = self.items
        leaders = {items[0][0].addr}
        for i, (insn, dec) in enumerate(items):
            if dec.kind in ("jump", "cjump"):
                if insn.target is None:
                    raise AnalysisError("%s: branch without a target (%s %s)" %
                                        (self.where(insn.addr), insn.op, insn.args))
                if self._inside(insn.target):
                    leaders.add(insn.target)
            # A call ends its block too: what follows it may be analysed once per kind of
            # result the callee returns.
            if dec.kind in ("jump", "cjump", "ret", "cret", "trap", "ijump", "itail", "call",
                            "icall") and i + 1 < len(items):
                leaders.add(items[i + 1][0].addr)
            if dec.kind == "ijump":
                raise AnalysisError("%s: indirect jump (%s %s): the analysis follows no computed "
                                    "branch" % (self.where(insn.addr), insn.op, insn.args))
        addrs = {insn.addr for insn, _ in items}
        for l in leaders:
            if l not in addrs:
                raise AnalysisError("%s: branch into the middle of an instruction" % self.where(l))
        block = None
        for insn, dec in items:
            if insn.addr in leaders:
                block = Block(insn.addr)
                self.blocks[insn.addr] = block
            block.items.append((insn, dec))
        order = sorted(self.blocks)
        for k, start in enumerate(order):
            b = self.blocks[start]
            insn, dec = b.last
            nxt = order[k + 1] if k + 1 < len(order) else None
            fall_ok = nxt is not None and nxt == b.end

            def fall():
                if fall_ok:
                    b.succs.append(Edge(start, nxt, False))
                else:
                    b.falloff = True

            if dec.kind == "jump":
                if self._inside(insn.target):
                    b.succs.append(Edge(start, insn.target, True))
                else:
                    b.succs.append(Edge(start, RETURN, True, self._outside_target(insn)))
            elif dec.kind == "cjump":
                if self._inside(insn.target):
                    b.succs.append(Edge(start, insn.target, True))
                else:
                    b.succs.append(Edge(start, RETURN, True, self._outside_target(insn)))
                fall()
            elif dec.kind == "ret":
                b.succs.append(Edge(start, RETURN, True))
            elif dec.kind == "cret":
                b.succs.append(Edge(start, RETURN, True))
                fall()
            elif dec.kind == "itail":
                b.succs.append(Edge(start, RETURN, True, None, True))
            elif dec.kind == "trap":
                pass
            else:
                fall()
        for b in self.blocks.values():
            for e in b.succs:
                if e.dst != RETURN:
                    self.blocks[e.dst].preds.append(e)

    @property
    def entry(self):
        return self.func.addr

    def live_in(self):
        """Per block: the registers (and whether the flags) may be read before being
        written from its start on (a superset: liveness over every edge)."""
        if getattr(self, "_live", None) is not None:
            return self._live
        ud = {}
        for a, b in self.blocks.items():
            use, defs = set(), set()
            for insn, dec in b.items:
                r, w = _uses(insn, dec), _defs(dec)
                use |= (r - defs)
                defs |= w
            term = b.last[1]
            if any(e.dst == RETURN for e in b.succs) or term.kind in ("ret", "cret", "itail"):
                use |= ({"r0", "r1", "r2", "r3"} if b.succs and any(e.tailcall or e.indirect
                                                                    for e in b.succs)
                        else {"r0", "r1"}) - defs
            ud[a] = (use, defs)
        live = {a: set(ud[a][0]) for a in self.blocks}
        changed = True
        while changed:
            changed = False
            for a, b in self.blocks.items():
                out = set()
                for e in b.succs:
                    if e.dst != RETURN:
                        out |= live[e.dst]
                new = ud[a][0] | (out - ud[a][1])
                if new != live[a]:
                    live[a] = new
                    changed = True
        self._live = live
        return live


def dominators(entry, blocks, succs_of):
    """Immediate dominators of the nodes reachable from entry (the iterative algorithm
    of Cooper, Harvey and Kennedy), as a function dom(a, b): does a dominate b; and the
    predecessor lists."""
    order = []
    seen = {entry}
    stack = [(entry, iter(succs_of(entry)))]
    while stack:
        n, it = stack[-1]
        for s in it:
            if s not in seen:
                seen.add(s)
                stack.append((s, iter(succs_of(s))))
                break
        else:
            order.append(n)
            stack.pop()
    order.reverse()  # reverse post-order
    index = {n: i for i, n in enumerate(order)}
    preds = {n: [] for n in order}
    for n in order:
        for s in succs_of(n):
            if s in preds:
                preds[s].append(n)
    idom = {entry: entry}
    changed = True
    while changed:
        changed = False
        for n in order[1:]:
            new = None
            for p in preds[n]:
                if p not in idom:
                    continue
                if new is None:
                    new = p
                    continue
                a, b = p, new
                while a != b:
                    while index[a] > index[b]:
                        a = idom[a]
                    while index[b] > index[a]:
                        b = idom[b]
                new = a
            if new is not None and idom.get(n) != new:
                idom[n] = new
                changed = True

    def dominates(a, b):
        while True:
            if a == b:
                return True
            if b == entry:
                return False
            b = idom[b]

    return dominates, preds


def natural_loops(entry, nodes, succs_of, where):
    """Loops as {header: (body set, [latches])}, from the back edges t->h (h dominates
    t). Refuses an irreducible loop (a cycle whose entry does not dominate it)."""
    dominates, preds = dominators(entry, nodes, succs_of)
    loops = {}
    for t in preds:
        for h in succs_of(t):
            if h in preds and dominates(h, t):
                body = {h}
                stack = [t]
                while stack:
                    n = stack.pop()
                    if n not in body:
                        body.add(n)
                        stack.extend(preds[n])
                if h in loops:
                    loops[h][0].update(body)
                    loops[h][1].append(t)
                else:
                    loops[h] = (body, [t])
    # Irreducible: a cycle left once the back edges are removed.
    back = {(t, h) for h, (_, ls) in loops.items() for t in ls}
    state = {}
    for root in preds:
        if root in state:
            continue
        stack = [(root, iter(succs_of(root)))]
        state[root] = 1
        while stack:
            n, it = stack[-1]
            for s in it:
                if (n, s) in back or s not in preds:
                    continue
                if state.get(s) == 1:
                    raise AnalysisError("%s: irreducible loop (a cycle entered other than "
                                        "through one header)" % where(s))
                if s not in state:
                    state[s] = 1
                    stack.append((s, iter(succs_of(s))))
                    break
            else:
                state[n] = 2
                stack.pop()
    return loops, dominates


_NO_READ_DEST = {"mov", "movs", "movw", "mvn", "mvns", "adr", "ldr", "ldrb", "ldrh", "ldrsb",
                 "ldrsh", "ldrd", "mrs", "ubfx", "sbfx", "uxtb", "uxth", "sxtb", "sxth", "clz",
                 "rbit", "rev", "rev16", "neg", "negs"}
_FLAG_READERS = {"adc", "adcs", "sbc", "sbcs", "rrx", "rrxs"}


def _uses(insn, dec):
    """Registers (and "flags") the instruction may read."""
    regs = set(r for r in regs_in(insn.args) if r in CORE_REGS)
    out = set()
    if dec.kind in ("call", "icall"):
        out |= {"r0", "r1", "r2", "r3"}
    if dec.cond or dec.base in _FLAG_READERS:
        out.add("flags")
    if dec.cond:
        # a conditional instruction that does not run leaves its destination as it was
        return out | regs
    if dec.mem in ("load", "load2", "multi", "vload", "vmulti") and dec.base.startswith(("ldr", "pop",
                                                                                         "ldm", "v")):
        m = re.search(r"\[([^\]]*)\]", insn.args)
        if m:
            out |= set(r for r in regs_in(m.group(1)) if r in CORE_REGS)
        if dec.base.startswith("ldm"):
            out |= set(regs_in(insn.args.split(",")[0])) & set(CORE_REGS)
        return out
    if dec.base in _NO_READ_DEST and dec.writes:
        first = regs_in(insn.args.split(",")[0])
        return out | (regs - set(first[:1])) | (regs & set(regs_in(",".join(
            insn.args.split(",")[1:]))))
    return out | regs


def _defs(dec):
    """Registers (and "flags") the instruction certainly writes (none if conditional)."""
    if dec.cond:
        return set()
    d = set(r for r in dec.writes if r in CORE_REGS)
    if dec.kind in ("call", "icall"):
        d |= {"r0", "r1", "r2", "r3", "r12"}
    if dec.sets_flags or dec.kind in ("call", "icall"):
        d.add("flags")
    return d
