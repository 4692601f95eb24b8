# SPDX-License-Identifier: MIT OR Apache-2.0
"""What is known of the registers at each point of a function (a constant, "not 0",
unsigned bounds, the flags, the stack slots), to drop the edges a call's values make
impossible: rtheap_alloc hands its body the plain alignment, so the body's
over-aligned branches cannot be taken from it.

Sound by construction: a fact about a register holds only when every instruction that
may have written it, on every way there, is one this module computes exactly; any
other write (or a call, which clobbers r0-r3, r12 and the flags) forgets it. r4-r11
and sp survive calls (AAPCS). Stack slots are forgotten at a store that may reach
them: an sp-relative store that overlaps them, a store through a pointer or a call
when the frame's address was handed out below them (frame_escapes), a call of a
function that writes its caller's frame (writes_incoming)."""

import re

from .isa import REG_ALIAS as REG_ALIAS_MAP
from .isa import regs_in

MASK = 0xFFFFFFFF
_PARSED = {}  # id(insn) -> (insn, operands, registers): parsed once
_ONE_REG = re.compile(r"^(r1[0-2]|r[0-9]|sb|sl|fp|ip)$")
ARG_REGS = ("r0", "r1", "r2", "r3")


class State:
    __slots__ = ("regs", "flags", "sp", "slots", "nz", "zsrc", "rng")

    def __init__(self, regs=None, flags=None, sp=0, slots=None, nz=None, zsrc=None, rng=None):
        self.regs = regs if regs is not None else {}
        self.flags = flags if flags is not None else {}  # 'N','Z','C','V' -> bool
        self.sp = sp  # offset from the entry sp, or None when unknown
        self.slots = slots if slots is not None else {}  # sp offset -> value
        self.nz = nz if nz is not None else set()  # registers known not to be 0
        # The register whose comparison with 0 set the Z flag last (cmp rX, #0;
        # tst rX, rX; movs rX, rY), so that a branch on Z tells whether it is 0.
        self.zsrc = zsrc
        # Unsigned bounds (lo, hi) of registers whose value is not known exactly (a
        # bit field, a byte, one of a few constants).
        self.rng = rng if rng is not None else {}

    def copy(self):
        return State(dict(self.regs), dict(self.flags), self.sp, dict(self.slots), set(self.nz),
                     self.zsrc, dict(self.rng))

    def urange(self, r):
        v = self.regs.get(r)
        if v is not None:
            return (v, v)
        lo, hi = self.rng.get(r, (0, MASK))
        if r in self.nz and lo == 0:
            lo = 1
        return (lo, hi)

    def nonzero(self, r):
        return self.urange(r)[0] >= 1

    def __eq__(self, o):
        return (self.regs == o.regs and self.flags == o.flags and self.sp == o.sp
                and self.slots == o.slots and self.nz == o.nz and self.zsrc == o.zsrc
                and self.rng == o.rng)


def meet(a, b):
    if a is None:
        return b.copy()
    if b is None:
        return a.copy()
    regs = {r: v for r, v in a.regs.items() if b.regs.get(r) == v}
    flags = {f: v for f, v in a.flags.items() if b.flags.get(f) == v}
    sp = a.sp if a.sp == b.sp else None
    slots = {k: v for k, v in a.slots.items() if b.slots.get(k) == v} if sp is not None else {}
    cand = set(a.nz) | set(b.nz) | set(a.regs) | set(b.regs) | set(a.rng) | set(b.rng)
    nz = set()
    rng = {}
    for r in cand:
        if r in regs:
            continue
        la, ha = a.urange(r)
        lb, hb = b.urange(r)
        lo, hi = min(la, lb), max(ha, hb)
        if lo >= 1:
            nz.add(r)
        if (lo, hi) != (0, MASK) and hi != MASK:
            rng[r] = (lo, hi)
    zsrc = a.zsrc if a.zsrc == b.zsrc else None
    return State(regs, flags, sp, slots, nz, zsrc, rng)


def cond_holds(cond, fl):
    """True/False when the flags decide the condition, None when they do not."""
    if cond is None or cond == "al":
        return True
    n, z, c, v = fl.get("N"), fl.get("Z"), fl.get("C"), fl.get("V")

    def known(*xs):
        return all(x is not None for x in xs)

    table = {
        "eq": (lambda: z, (z,)), "ne": (lambda: not z, (z,)),
        "cs": (lambda: c, (c,)), "hs": (lambda: c, (c,)),
        "cc": (lambda: not c, (c,)), "lo": (lambda: not c, (c,)),
        "mi": (lambda: n, (n,)), "pl": (lambda: not n, (n,)),
        "vs": (lambda: v, (v,)), "vc": (lambda: not v, (v,)),
        "hi": (lambda: c and not z, (c, z)), "ls": (lambda: (not c) or z, (c, z)),
        "ge": (lambda: n == v, (n, v)), "lt": (lambda: n != v, (n, v)),
        "gt": (lambda: (not z) and n == v, (z, n, v)),
        "le": (lambda: z or n != v, (z, n, v)),
    }
    f, deps = table[cond]
    # Short cuts that need only one flag.
    if cond == "hi" and (c is False or z is True):
        return False
    if cond == "ls" and (c is False or z is True):
        return True
    if not known(*deps):
        return None
    return bool(f())


def _imm(text):
    t = text.strip()
    if not t.startswith("#"):
        return None
    t = t[1:].strip()
    try:
        return int(t, 0) & MASK
    except ValueError:
        return None


def _sub_flags(a, b):
    r = (a - b) & MASK
    sa, sb, sr = a >> 31, b >> 31, r >> 31
    return r, {"N": bool(sr), "Z": r == 0, "C": a >= b, "V": bool((sa != sb) and (sr != sa))}


def _add_flags(a, b):
    full = a + b
    r = full & MASK
    sa, sb, sr = a >> 31, b >> 31, r >> 31
    return r, {"N": bool(sr), "Z": r == 0, "C": full > MASK, "V": bool(sa == sb and sr != sa)}


NO_ESCAPE = None
ALL_ESCAPED = float("-inf")


def _sp_address(insn, dec):
    """The offset from sp of a frame address the instruction puts in a register
    (add rX, sp, #k; mov rX, sp; a store of sp), or False if it makes none, or None
    when it makes one at an offset it does not say."""
    base = dec.base
    if base in ("push", "pop", "vpush", "vpop"):
        return False
    text = re.sub(r"\[[^\]]*\]", "", insn.args)
    if "sp" not in regs_in(text):
        return False
    args = [a.strip() for a in _split_args(insn.args)]
    if args and args[0] in ("sp", "sp!") and (base in ("add", "addw", "sub", "subw") or
                                              dec.mem in ("multi", "vmulti")):
        return False
    if base in ("add", "adds", "addw") and len(args) == 3 and args[1] == "sp":
        return _imm(args[2])
    if base in ("mov", "movs") and len(args) == 2 and args[1] == "sp":
        return 0
    return None


def frame_escapes(cfg, keeps_frame=None):
    """The lowest frame offset (from the entry sp) whose address the function hands
    out in a register, NO_ESCAPE if none, ALL_ESCAPED if one is at an unknown place.
    An object whose address escapes lies at or above that address (C's object
    bounds), so the stack slots below it are out of reach of stores through
    pointers and of callees."""
    prop = Propagator(cfg, ALL_ESCAPED, keeps_frame)
    inn, _ = prop.run(State())
    floor = NO_ESCAPE
    for a, st in inn.items():
        b = cfg.blocks[a]
        for (insn, dec), before in zip(b.items, prop.block_states(b, st)):
            k = _sp_address(insn, dec)
            if k is False:
                continue
            if k is None or before.sp is None:
                return ALL_ESCAPED
            off = before.sp + k
            floor = off if floor is None else min(floor, off)
    return floor


def writes_incoming(cfg, tail_callees_write):
    """True if the function may store into its incoming argument area (at or above
    the sp it was entered with), which is its caller's frame; tail_callees_write(name)
    says the same of a function it tail-calls (which inherits that area)."""
    prop = Propagator(cfg, ALL_ESCAPED)
    inn, feasible = prop.run(State())
    for a, st in inn.items():
        b = cfg.blocks[a]
        for (insn, dec), before in zip(b.items, prop.block_states(b, st)):
            if dec.mem in ("store", "store2", "vstore", "multi", "vmulti") and (
                    dec.mem != "multi" or not insn.op.startswith(("push", "stmdb"))):
                m = _mem_operand(insn.args)
                if dec.mem in ("multi", "vmulti"):
                    if insn.op.startswith(("vpush",)):
                        continue
                    if "sp" in regs_in(insn.args):
                        return True
                    continue
                if m and m[0] == "sp":
                    if before.sp is None or before.sp + (m[1] or 0) >= 0:
                        return True
        for e in b.succs:
            if e.tailcall and tail_callees_write(e.tailcall):
                return True
            if e.indirect:
                return True
    return False


class Propagator:
    """Runs the propagation over a CFG (cfg.CFG) from an entry state.

    floor: frame_escapes' result: slots at or above it may be written by stores
    through pointers and by callees; keeps_frame(callee name): the callee writes
    nothing of its caller's frame directly (its incoming arguments)."""

    def __init__(self, cfg, floor=ALL_ESCAPED, keeps_frame=None, words=None, nonnull=()):
        self.cfg = cfg
        self.floor = floor
        self.keeps_frame = keeps_frame or (lambda name: False)
        # the literal pools' words (pc-relative loads give constants), and the
        # addresses of pointers assumed not NULL (wcet-nonnull: steady state)
        self.words = words or {}
        self.nonnull = set(nonnull)
        self._pre_memo = {}
        self._out_memo = {}

    def forget_reachable(self, st):
        """Forget the slots that pointers handed out may reach."""
        if self.floor is NO_ESCAPE:
            return
        st.slots = {k: v for k, v in st.slots.items() if k < self.floor}

    def operand_value(self, st, text):
        text = text.strip()
        v = _imm(text)
        if v is not None:
            return v
        if _ONE_REG.match(text):
            return st.regs.get(regs_in(text)[0])
        return None

    def step(self, st, insn, dec):
        """The state after insn (assumed executed)."""
        st = st.copy()
        base = dec.base
        parsed = _PARSED.get(id(insn))
        if parsed is None or parsed[0] is not insn:
            parsed = (insn, [a.strip() for a in _split_args(insn.args)], regs_in(insn.args))
            _PARSED[id(insn)] = parsed
        args, regs = parsed[1], parsed[2]
        known = {}
        newflags = None
        # --- stack pointer and slots
        if base == "push" or (base in ("stmdb", "stmfd") and args and args[0] == "sp!"):
            lst = _reglist(insn.args)
            if st.sp is not None:
                st.sp -= 4 * len(lst)
                for i, r in enumerate(lst):
                    v = st.regs.get(r)
                    if v is None:
                        st.slots.pop(st.sp + 4 * i, None)
                    else:
                        st.slots[st.sp + 4 * i] = v
        elif base == "pop" or (base in ("ldmia", "ldm", "ldmfd") and args and args[0] == "sp!"):
            lst = _reglist(insn.args)
            for i, r in enumerate(lst):
                v = st.slots.get(st.sp + 4 * i) if st.sp is not None else None
                if v is not None and r not in ("pc", "sp"):
                    known[r] = v
            if st.sp is not None:
                st.sp += 4 * len(lst)
        elif base in ("sub", "subw", "add", "addw") and args and args[0] == "sp" and (
                len(args) == 2 or (len(args) == 3 and args[1] == "sp")):
            imm = _imm(args[-1])
            if imm is None or st.sp is None:
                st.sp = None
                st.slots = {}
            else:
                st.sp = st.sp - imm if base.startswith("sub") else st.sp + imm
        elif dec.mem in ("store", "store2"):
            m = _mem_operand(insn.args)
            if m and m[0] == "sp" and st.sp is not None and m[1] is not None and not m[2]:
                off = st.sp + m[1]
                if base not in ("str", "strd", "strb", "strh"):
                    st.slots = {}
                srcs = regs[:2] if dec.mem == "store2" else regs[:1]
                width = 4 if base in ("str", "strd") else 0
                for i, r in enumerate(srcs):
                    v = st.regs.get(r)
                    if width and v is not None:
                        st.slots[off + 4 * i] = v
                    else:
                        st.slots.pop(off + 4 * i, None)
                        st.slots = {k: x for k, x in st.slots.items()
                                    if not (off - 3 <= k <= off + 4 * i + 3)}
            elif m and m[0] == "sp":
                st.slots = {}
            else:
                self.forget_reachable(st)
        elif dec.mem == "load" and base == "ldr" and "[pc" in insn.args:
            m = re.search(r"\(([0-9a-f]+) <", insn.comment)
            if m and int(m.group(1), 16) in self.words and regs:
                known[regs[0]] = self.words[int(m.group(1), 16)]
        elif dec.mem in ("load", "load2"):
            m = _mem_operand(insn.args)
            if m and m[0] == "sp" and st.sp is not None and m[1] is not None and not m[2] \
                    and base in ("ldr", "ldrd"):
                off = st.sp + m[1]
                dsts = regs[:2] if dec.mem == "load2" else regs[:1]
                for i, r in enumerate(dsts):
                    v = st.slots.get(off + 4 * i)
                    if v is not None:
                        known[r] = v
        elif dec.mem == "multi":
            # stm through another base: it may hit the frame only if the frame escaped
            if dec.base.startswith("st"):
                self.forget_reachable(st)
        elif dec.mem in ("vmulti", "vstore"):
            # the floating-point unit's stores and VPUSH/VPOP: stack slots and, for
            # VPUSH/VPOP, the frame's place are no longer known
            st.slots = {}
            if dec.mem == "vmulti" and base in ("vpush", "vpop"):
                st.sp = None
        elif dec.kind == "icall" or (dec.kind == "call" and
                                     not self.keeps_frame(insn.target_sym)):
            st.slots = {}
        elif dec.kind == "call":
            self.forget_reachable(st)
        sp_moves = base in ("push", "pop", "sub", "subw", "add", "addw") or (
            dec.mem == "multi" and args and args[0] == "sp!")
        if "sp" in dec.writes and not sp_moves:
            # any other write of sp: where the frame is is no longer known
            st.sp = None
            st.slots = {}
        # --- values
        copy_nz = None  # (dst, src) of a register copy: src's not-zero carries over
        zsrc = None  # the register the new Z flag tells about (compared with 0)
        if base in ("mov", "movs", "movw") and len(args) == 2:
            v = self.operand_value(st, args[1])
            if v is not None:
                known[regs[0]] = v
                if base == "movs":
                    newflags = {"N": bool(v >> 31), "Z": v == 0}
            elif _ONE_REG.match(args[1]):
                copy_nz = (regs[0], regs[1])
                if base == "movs":
                    zsrc = regs[0]
                    if st.nonzero(regs[1]):
                        newflags = {"Z": False}
        elif base == "movt" and len(args) == 2:
            old = st.regs.get(regs[0])
            imm = _imm(args[1])
            if old is not None and imm is not None:
                known[regs[0]] = (old & 0xFFFF) | ((imm & 0xFFFF) << 16)
        elif base in ("add", "adds", "sub", "subs", "and", "ands", "orr", "orrs", "eor", "eors",
                      "bic", "bics", "lsl", "lsls", "lsr", "lsrs", "rsb", "rsbs", "addw",
                      "subw") and len(args) in (2, 3) and args[0] not in ("sp", "pc"):
            a_text, b_text = (args[0], args[1]) if len(args) == 2 else (args[1], args[2])
            a = self.operand_value(st, a_text)
            b = self.operand_value(st, b_text)
            if a is not None and b is not None:
                op = base.rstrip("s") if base not in ("lsls", "lsrs", "subs", "adds", "ands",
                                                      "orrs", "eors", "bics", "rsbs") else base[:-1]
                op = {"addw": "add", "subw": "sub"}.get(op, op)
                r, fl = None, None
                if op == "add":
                    r, fl = _add_flags(a, b)
                elif op == "sub":
                    r, fl = _sub_flags(a, b)
                elif op == "rsb":
                    r, fl = _sub_flags(b, a)
                elif op in ("and", "orr", "eor", "bic"):
                    r = {"and": a & b, "orr": a | b, "eor": a ^ b, "bic": a & ~b & MASK}[op]
                    fl = {"N": bool(r >> 31), "Z": r == 0}
                elif op in ("lsl", "lsr"):
                    sh = b & 0xFF
                    r = ((a << sh) & MASK) if op == "lsl" else (a >> sh if sh < 32 else 0)
                    fl = {"N": bool(r >> 31), "Z": r == 0}
                if r is not None:
                    known[regs[0]] = r
                    if base.endswith("s") and base not in ("lsls", "lsrs") or base in ("lsls", "lsrs"):
                        newflags = fl
        elif base in ("neg", "negs") and len(args) == 2:
            a = self.operand_value(st, args[1])
            if a is not None:
                r, fl = _sub_flags(0, a)
                known[regs[0]] = r
                if base == "negs":
                    newflags = fl
        elif base in ("uxtb", "uxth") and len(args) == 2:
            a = self.operand_value(st, args[1])
            if a is not None:
                known[regs[0]] = a & (0xFF if base == "uxtb" else 0xFFFF)
        elif base in ("cmp", "cmn", "tst") and len(args) == 2:
            a = self.operand_value(st, args[0])
            b = self.operand_value(st, args[1])
            if (base == "cmp" and _imm(args[1]) == 0) or (base == "tst" and args[0] == args[1]):
                if _ONE_REG.match(args[0]):
                    zsrc = regs[0]
                    if a is None and st.nonzero(regs[0]):
                        # not 0: Z clear; and for cmp, no borrow (C set)
                        newflags = {"Z": False, "C": True} if base == "cmp" else {"Z": False}
            if a is not None and b is not None:
                if base == "cmp":
                    newflags = _sub_flags(a, b)[1]
                elif base == "cmn":
                    newflags = _add_flags(a, b)[1]
                else:
                    r = a & b
                    newflags = {"N": bool(r >> 31), "Z": r == 0}
        # --- bounds of results that are not known exactly
        newrng = None
        if base == "ldr" and self.nonnull and regs and regs[0] not in known:
            m = _mem_operand(insn.args)
            if m and m[1] is not None and not m[2] and m[0] != "pc":
                a = st.regs.get(REG_ALIAS_MAP.get(m[0], m[0]))
                if a is not None and (a + m[1]) & MASK in self.nonnull:
                    newrng = (1, MASK)
        if regs and regs[0] in dec.writes and regs[0] not in known:
            if base == "ubfx" and len(args) == 4:
                w = _imm(args[3])
                if w is not None and w < 32:
                    newrng = (0, (1 << w) - 1)
            elif base in ("uxtb", "uxth"):
                newrng = (0, 0xFF if base == "uxtb" else 0xFFFF)
            elif base in ("and", "ands") and len(args) == 3 and _imm(args[2]) is not None:
                newrng = (0, _imm(args[2]))
            elif base in ("lsr", "lsrs") and len(args) == 3 and _imm(args[2]) is not None:
                k = _imm(args[2])
                lo, hi = st.urange(regs[1]) if _ONE_REG.match(args[1]) else (0, MASK)
                newrng = (lo >> k, hi >> k) if k < 32 else (0, 0)
            elif base in ("add", "adds", "sub", "subs") and len(args) in (2, 3) and \
                    _imm(args[-1]) is not None and _ONE_REG.match(args[-2]):
                k = _imm(args[-1])
                lo, hi = st.urange(regs[1] if len(args) == 3 else regs[0])
                if base.startswith("add") and hi + k <= MASK:
                    newrng = (lo + k, hi + k)
                elif base.startswith("sub") and lo >= k:
                    newrng = (lo - k, hi - k)
            elif base in ("mov", "movs") and len(args) == 2 and _ONE_REG.match(args[1]):
                lo, hi = st.urange(regs[1])
                if hi != MASK:
                    newrng = (lo, hi)
        if base == "cmp" and len(args) == 2 and newflags is None and _ONE_REG.match(args[0]):
            k = _imm(args[1])
            if k is not None:
                lo, hi = st.urange(regs[0])
                if hi < k:
                    newflags = {"Z": False, "C": False}
                elif lo > k:
                    newflags = {"Z": False, "C": True}
        # --- apply: every register the instruction may write is forgotten, then the
        # values computed exactly are set.
        src_nz = copy_nz is not None and st.nonzero(copy_nz[1])
        for r in dec.writes:
            st.regs.pop(r, None)
            st.nz.discard(r)
            st.rng.pop(r, None)
            if st.zsrc == r:
                st.zsrc = None
        if dec.kind in ("call", "icall"):
            for r in ("r0", "r1", "r2", "r3", "r12", "lr"):
                st.regs.pop(r, None)
                st.nz.discard(r)
                st.rng.pop(r, None)
            st.zsrc = None
        if newrng is not None:
            st.rng[regs[0]] = newrng
            if newrng[0] >= 1:
                st.nz.add(regs[0])
        for r, v in known.items():
            if r in dec.writes or base == "pop" or dec.mem == "multi":
                st.regs[r] = v
        if src_nz:
            st.nz.add(copy_nz[0])
        if dec.sets_flags or dec.kind in ("call", "icall"):
            st.flags = {}
            st.zsrc = zsrc
            if newflags is not None and dec.kind not in ("call", "icall"):
                st.flags = dict(newflags)
        return st

    def run(self, entry_state, excluded_blocks=()):
        """Per block: the state at its start; and the set of edges that can be taken.
        Blocks in excluded_blocks are never entered (steady-state exclusions)."""
        cfg = self.cfg
        blocks = cfg.blocks
        order = _rpo(cfg.entry, lambda a: [e.dst for e in blocks[a].succs if e.dst != "return"])
        inn = {cfg.entry: entry_state}
        feasible = set()
        self.edge_states = {}
        changed = True
        while changed:
            changed = False
            for a in order:
                st = inn.get(a)
                if st is None or a in excluded_blocks:
                    continue
                out_states, edges = self.block_out(blocks[a], st)
                for e, so in zip(blocks[a].succs, out_states):
                    if so is None:
                        continue
                    key = (e.src, e.dst, e.taken)
                    if key not in feasible:
                        feasible.add(key)
                        changed = True
                    self.edge_states[key] = so
                    if e.dst == "return":
                        continue
                    old = inn.get(e.dst)
                    new = meet(old, so) if old is not None else so.copy()
                    if old is not None and new.rng != old.rng:
                        # widening: a bound that moves (a loop's counter) is dropped, so
                        # that the propagation ends
                        for r in list(new.rng):
                            if old.rng.get(r) != new.rng[r]:
                                del new.rng[r]
                    if old is None or not (new == old):
                        inn[e.dst] = new
                        changed = True
        return inn, feasible

    def block_states(self, block, st):
        """The state before each instruction of block (for call sites)."""
        out = []
        for insn, dec in block.items:
            out.append(st)
            st = self.apply(st, insn, dec)
        return out

    def apply(self, st, insn, dec):
        if dec.cond and dec.kind not in ("cjump", "cret"):
            h = cond_holds(dec.cond, st.flags)
            if h is False:
                return st
            if h is None:
                return meet(st, self.step(st, insn, dec))
        return self.step(st, insn, dec)

    def apply_variants(self, st, insn, dec):
        """The states after insn: one, or two when it is conditional (IT block) on
        flags the state does not decide: executed (the condition's flag set
        accordingly) and skipped (cleared)."""
        if dec.cond and dec.kind not in ("cjump", "cret"):
            h = cond_holds(dec.cond, st.flags)
            if h is False:
                return [st]
            if h is None:
                yes, no = _assume(st, dec.cond, True), _assume(st, dec.cond, False)
                return [self.step(yes, insn, dec), no]
        return [self.step(st, insn, dec)]

    def pre_last_variants(self, block, st, cap=8):
        """The states before the block's last instruction, the conditional
        instructions before it taken both ways (up to cap states, then merged)."""
        key = (block.start, state_key(st))
        hit = self._pre_memo.get(key)
        if hit is not None:
            return hit
        hit = self._pre_last_variants(block, st, cap)
        self._pre_memo[key] = hit
        return hit

    def _pre_last_variants(self, block, st, cap):
        states = [st]
        for insn, dec in block.items[:-1]:
            nxt = []
            for s0 in states:
                for s1 in self.apply_variants(s0, insn, dec):
                    if not any(s1 == x for x in nxt):
                        nxt.append(s1)
            if len(nxt) > cap:
                m = nxt[0]
                for x in nxt[1:]:
                    m = meet(m, x)
                nxt = [m]
            states = nxt
        return states

    def out_variants(self, block, st):
        """[(edge, state)] for every edge that can be taken, once per state the
        block's conditional instructions lead to."""
        key = (block.start, state_key(st))
        hit = self._out_memo.get(key)
        if hit is None:
            hit = self._out_variants(block, st)
            self._out_memo[key] = hit
        return hit

    def _out_variants(self, block, st):
        out = []
        insn, dec = block.items[-1]
        for s0 in self.pre_last_variants(block, st):
            outs, _ = self._last(block, s0)
            for e, s1 in zip(block.succs, outs):
                if s1 is not None:
                    out.append((e, s1))
        return out

    def block_out(self, block, st):
        """(state along each successor edge or None if impossible, edges)."""
        items = block.items
        for insn, dec in items[:-1]:
            st = self.apply(st, insn, dec)
        return self._last(block, st)

    def _last(self, block, st):
        """block_out's part for the last instruction, from the state before it."""
        insn, dec = block.items[-1]
        outs = []
        if dec.kind == "cjump":
            zreg = None  # the register this branch tests against 0, and on which edge
            if dec.base in ("cbz", "cbnz"):
                zreg = regs_in(insn.args)[0]
                zero_when_taken = dec.base == "cbz"
                v = st.regs.get(zreg)
                take = None if v is None else ((v == 0) == zero_when_taken)
                if take is None and st.nonzero(zreg):
                    take = not zero_when_taken
            else:
                take = cond_holds(dec.cond, st.flags)
                if dec.cond in ("eq", "ne") and st.zsrc is not None:
                    zreg = st.zsrc
                    zero_when_taken = dec.cond == "eq"
            after = self.step(st, insn, dec)
            for e in block.succs:
                if take is None or take == e.taken:
                    out = after
                    if zreg is not None and take is None:
                        out = after.copy()
                        if e.taken == zero_when_taken:
                            out.regs[zreg] = 0
                            out.nz.discard(zreg)
                            out.rng.pop(zreg, None)
                        else:
                            out.nz.add(zreg)
                    outs.append(out)
                else:
                    outs.append(None)
            return outs, block.succs
        if dec.kind == "cret":
            take = cond_holds(dec.cond, st.flags)
            after = self.step(st, insn, dec)
            for e in block.succs:
                outs.append(after if take is None or take == e.taken else None)
            return outs, block.succs
        after = self.apply(st, insn, dec)
        return [after for _ in block.succs], block.succs


_COND_FLAG = {"eq": ("Z", True), "ne": ("Z", False), "cs": ("C", True), "hs": ("C", True),
              "cc": ("C", False), "lo": ("C", False), "mi": ("N", True), "pl": ("N", False),
              "vs": ("V", True), "vc": ("V", False)}


def _assume(st, cond, holds):
    """st with what `cond` holding (or not) says about the flags, when it is one flag
    (and, for eq/ne on a compare with 0, about that register)."""
    f = _COND_FLAG.get(cond)
    if f is None:
        return st
    st = st.copy()
    flag, val = f
    st.flags[flag] = val if holds else not val
    if flag == "Z" and st.zsrc is not None:
        if st.flags["Z"]:
            st.regs[st.zsrc] = 0
            st.nz.discard(st.zsrc)
            st.rng.pop(st.zsrc, None)
        else:
            st.nz.add(st.zsrc)
    return st


def state_key(st):
    return (tuple(sorted(st.regs.items())), tuple(sorted(st.flags.items())), st.sp,
            tuple(sorted(st.slots.items())), tuple(sorted(st.nz)), st.zsrc,
            tuple(sorted(st.rng.items())))


def _rpo(entry, succs):
    seen = set()
    post = []
    stack = [(entry, iter(succs(entry)))]
    seen.add(entry)
    while stack:
        n, it = stack[-1]
        for s in it:
            if s not in seen:
                seen.add(s)
                stack.append((s, iter(succs(s))))
                break
        else:
            post.append(n)
            stack.pop()
    return list(reversed(post))


def _split_args(text):
    """Operands split at top-level commas ('r3, [r5, #16]' -> ['r3', '[r5, #16]'])."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return out


def _reglist(text):
    from .isa import reglist
    return reglist(text)


def _mem_operand(text):
    """('sp', offset, writeback) for '[sp, #8]' / '[sp]'; None for other forms."""
    import re
    m = re.search(r"\[\s*(\w+)\s*(?:,\s*#(-?\w+))?\s*\](!?)", text)
    if not m:
        return None
    base = m.group(1)
    off = int(m.group(2), 0) if m.group(2) else 0
    post = bool(re.search(r"\]\s*,", text))
    return base, off, bool(m.group(3)) or post
