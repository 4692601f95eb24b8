# SPDX-License-Identifier: MIT OR Apache-2.0
"""What each Thumb instruction does to control flow and registers, and what it costs
in cycles on each core, from objdump's unified-syntax text.

Cycle models (zero wait states for instruction fetch and data; see docs/wcet.md):
  armv6m   Cortex-M0 technical reference manual: data processing 1, MULS 32 (the
           small multiplier: the larger of its two options), LDR/STR 2, LDM/STM/PUSH/
           POP 1+N, POP with PC 4+N, taken branch 3, not taken 1, BL 4, BX/BLX 3,
           MRS/MSR 4, CPSID 1.
  armv7m   Cortex-M3 and M4 technical reference manuals, the pipeline refill P taken
           at its maximum, 3: data processing 1, LDR/STR 2 plus 1 when its address
           comes from the instruction just before (no forwarding path; charged at a
           block's first instruction too), LDRD/STRD 3 (+1), LDM/STM/PUSH/POP 1+N,
           with PC 1+N+P, taken branch 1+P, not taken 1, BL/BX/BLX 1+P, MRS/MSR/CPSID
           2, MLA 2, UMULL 5, UDIV 12 (M3; the M4 does the multiplies in 1, charged
           as the M3 all the same). M33 is costed as this (the same three-stage
           pipeline; a model, Arm publishes no table for it).
  m7       A model: the M4's costs with every branch, taken or not, call and return
           charged as a misprediction, 1+8 cycles (the Cortex-M7 has a six-stage
           dual-issue pipeline and a branch predictor; Arm publishes no cycle table:
           dual issue is ignored and every branch assumed mispredicted).
"""

import re

CONDS = ("eq", "ne", "cs", "hs", "cc", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge",
         "lt", "gt", "le", "al")
REG_ALIAS = {"sb": "r9", "sl": "r10", "fp": "r11", "ip": "r12"}
REG_RE = re.compile(r"\b(r1[0-5]|r[0-9]|sb|sl|fp|ip|sp|lr|pc)\b")
CORE_REGS = ["r%d" % i for i in range(13)]

# Base mnemonics (no condition, no .n/.w) that write no core register (besides a
# base register written back with "!" or a post-index, handled apart).
NO_WRITE = {"cmp", "cmn", "tst", "teq", "b", "bl", "blx", "bx", "cbz", "cbnz", "it",
            "nop", "cpsid", "cpsie", "msr", "dmb", "dsb", "isb", "bkpt", "svc", "udf",
            "wfi", "wfe", "sev", "pld", "str", "strb", "strh", "strd", "stm", "stmia",
            "stmdb", "stmea", "stmfd", "push", "tbb", "tbh", "yield"}
# Mnemonics that write their first two register operands.
WRITE_TWO = {"umull", "smull", "umlal", "smlal", "umaal", "ldrd", "ldrexd"}
# Flag-setting compares.
COMPARES = {"cmp", "cmn", "tst", "teq"}


def split_op(op):
    """'bne.w' -> ('b', 'ne', 'w'); 'movcc.w' -> ('mov', 'cc', 'w');
    'ldmia.w' -> ('ldmia', None, 'w'); 'itete' -> ('itete', None, None)."""
    width = None
    if "." in op:
        op, width = op.split(".", 1)
    if op.startswith("it") and set(op[2:]) <= {"t", "e"}:
        return op, None, width
    for base in _BASES:
        if op == base:
            return base, None, width
    for base in _BASES:
        if op.startswith(base) and op[len(base):] in CONDS:
            return base, op[len(base):], width
        # 'addseq' style: the S, then the condition
        if op.startswith(base + "s") and op[len(base) + 1:] in CONDS:
            return base + "s", op[len(base) + 1:], width
    return op, None, width


# Longest first, so that 'bls' is B + LS, not 'bl' + 's'... handled by the
# exact-match pass first; 'bl' + cond exists only inside IT blocks (rare).
_BASES = sorted([
    "adc", "adcs", "add", "adds", "addw", "adr", "and", "ands", "asr", "asrs", "b",
    "bfc", "bfi", "bic", "bics", "bkpt", "bl", "blx", "bx", "cbnz", "cbz", "clz", "cmn",
    "cmp", "cpsid", "cpsie", "dmb", "dsb", "eor", "eors", "isb", "ldm", "ldmia", "ldmdb",
    "ldmfd", "ldr", "ldrb", "ldrd", "ldrh", "ldrsb", "ldrsh", "ldrex", "lsl", "lsls",
    "lsr", "lsrs", "mla", "mls", "mov", "movs", "movt", "movw", "mrs", "msr", "mul",
    "muls", "mvn", "mvns", "neg", "negs", "nop", "orn", "orns", "orr", "orrs", "pop",
    "push", "rbit", "rev", "rev16", "revsh", "ror", "rors", "rrx", "rrxs", "rsb", "rsbs",
    "sbc", "sbcs", "sbfx", "sdiv", "smlal", "smull", "stm", "stmia", "stmdb", "str",
    "strb", "strd", "strh", "strex", "sub", "subs", "subw", "svc", "sxtb", "sxth", "tbb",
    "tbh", "teq", "tst", "ubfx", "udf", "udiv", "umlal", "umull", "uxtb", "uxth", "wfe",
    "wfi", "sev", "umaal", "usat", "ssat", "uadd8", "sel", "yield", "pld",
], key=len, reverse=True)


def regs_in(text):
    return [REG_ALIAS.get(r, r) for r in REG_RE.findall(text)]


def reglist(args):
    """Registers of a '{r4, r5, lr}' list (ranges 'r4-r7' expanded)."""
    m = re.search(r"\{([^}]*)\}", args)
    if not m:
        return []
    out = []
    for part in m.group(1).split(","):
        part = part.strip()
        if "-" in part:
            a, b = part.split("-")
            a, b = REG_ALIAS.get(a, a), REG_ALIAS.get(b, b)
            for i in range(int(a[1:]), int(b[1:]) + 1):
                out.append("r%d" % i)
        elif part:
            out.append(REG_ALIAS.get(part, part))
    return out


class Decoded:
    """Control-flow and data-flow facts about one instruction.

    kind: 'plain', 'jump' (direct, unconditional), 'cjump' (direct, conditional:
    B<cc>, CBZ, CBNZ), 'call' (BL), 'icall' (BLX register), 'ret' (BX LR, POP/LDM
    with PC, LDR PC), 'cret' (a conditional return inside an IT block), 'trap'
    (UDF: no way on), 'itail' (BX to a register other than LR: a tail call through a
    pointer), 'ijump' (any other write of PC: refused).
    cond: the condition the instruction executes under (IT block or B<cc>), or None.
    writes: core registers it may write (a conservative superset).
    """

    __slots__ = ("base", "cond", "kind", "writes", "sets_flags", "nregs", "mem",
                 "addr_regs", "it_conds")

    def __init__(self, insn, it_cond):
        base, cond, _ = split_op(insn.op)
        self.base = base
        self.cond = cond or it_cond
        self.kind = "plain"
        self.nregs = 0
        self.mem = None  # 'load', 'store', 'load2', 'store2', 'multi'
        self.addr_regs = []
        self.it_conds = None
        args = insn.args
        regs = regs_in(args)
        writes = set()
        if base.startswith("it") and set(base[2:]) <= {"t", "e"}:
            first = args.strip()
            inv = _INVERSE[first]
            self.it_conds = [first] + [first if c == "t" else inv for c in base[2:]]
        if base == "b":
            self.kind = "cjump" if cond else "jump"
        elif base in ("cbz", "cbnz"):
            self.kind = "cjump"
        elif base == "bl":
            self.kind = "call"
            writes.update(["r0", "r1", "r2", "r3", "r12", "lr"])
        elif base == "blx":
            self.kind = "icall" if regs else "call"
            writes.update(["r0", "r1", "r2", "r3", "r12", "lr"])
        elif base == "bx":
            # BX LR returns; BX to another register is a tail call through a pointer
            self.kind = "ret" if regs == ["lr"] else "itail"
        elif base in ("pop", "ldm", "ldmia", "ldmfd", "ldmdb"):
            lst = reglist(args)
            self.nregs = len(lst)
            self.mem = "multi"
            writes.update(r for r in lst if r in CORE_REGS)
            if "pc" in lst:
                self.kind = "ret" if (base == "pop" or args.startswith("sp")) else "ijump"
            if base != "pop" and "!" in args:
                writes.add(regs[0])
        elif base in ("push", "stm", "stmia", "stmdb", "stmea", "stmfd"):
            lst = reglist(args)
            self.nregs = len(lst)
            self.mem = "multi"
            if base != "push" and "!" in args:
                writes.add(regs[0])
        elif insn.op.startswith("v"):
            # Floating-point unit: loads and stores of its registers (GCC keeps pairs of
            # constants in d8 to store them at once), VPUSH/VPOP. Only VMOV to core
            # registers writes one; the stack moves with VPUSH/VPOP (values.py).
            self.base = base = insn.op.split(".")[0]
            words = 0
            for r in reglist(args) or [args.split(",")[0].strip()]:
                words += 2 if r.startswith("d") else 1
            self.nregs = words
            if base in ("vpush", "vpop", "vldm", "vstm", "vldmia", "vstmia", "vstmdb"):
                self.mem = "vmulti"
            elif base == "vldr":
                self.mem = "vload"
            elif base == "vstr":
                self.mem = "vstore"
            elif base == "vmov" and regs and not args.split(",")[0].strip().startswith(("s", "d")):
                writes.update(regs[:2] if len(regs) >= 2 and args.count(",") >= 2 else regs[:1])
            m = re.search(r"\[([^\]]*)\]", args)
            if m:
                self.addr_regs = [r for r in regs_in(m.group(1)) if r not in ("sp", "pc")]
        elif base in ("tbb", "tbh"):
            self.kind = "ijump"
        elif base == "udf":
            self.kind = "trap"
        else:
            if base in NO_WRITE:
                pass
            elif base in WRITE_TWO:
                writes.update(regs[:2])
            elif regs and base not in COMPARES:
                writes.add(regs[0])
            if regs and regs[0] == "pc" and base not in NO_WRITE | COMPARES:
                # ldr pc, [sp], #4 returns; any other write of PC is an indirect jump
                self.kind = "ret" if (base == "ldr" and "[sp]" in args) else "ijump"
            if base.startswith("ldr") or base.startswith("str"):
                two = base in ("ldrd", "strd")
                self.mem = ("load" if base.startswith("ldr") else "store") + ("2" if two else "")
                m = re.search(r"\[([^\]]*)\]", args)
                if m:
                    self.addr_regs = [r for r in regs_in(m.group(1)) if r not in ("sp", "pc")]
                if "!" in args or re.search(r"\],\s*#", args):
                    mm = re.search(r"\[\s*(\w+)", args)
                    if mm:
                        writes.add(REG_ALIAS.get(mm.group(1), mm.group(1)))
        if self.cond and self.kind == "ret":
            self.kind = "cret"
        if self.cond and self.kind == "jump":
            self.kind = "cjump"
        self.sets_flags = base in COMPARES or (base.endswith("s") and base[:-1] in _FLAG_BASES)
        self.writes = {r for r in writes if r in CORE_REGS or r in ("sp", "lr")}


_FLAG_BASES = {"add", "adc", "sub", "sbc", "rsb", "and", "orr", "eor", "bic", "mov", "mvn",
               "lsl", "lsr", "asr", "ror", "rrx", "mul", "neg", "orn"}
_INVERSE = {"eq": "ne", "ne": "eq", "cs": "cc", "hs": "lo", "cc": "cs", "lo": "hs", "mi": "pl",
            "pl": "mi", "vs": "vc", "vc": "vs", "hi": "ls", "ls": "hi", "ge": "lt",
            "lt": "ge", "gt": "le", "le": "gt"}


def decode_function(insns):
    """Decoded facts for each instruction of a function, IT blocks applied."""
    out = []
    pending = []
    for insn in insns:
        it_cond = pending.pop(0) if pending else None
        d = Decoded(insn, it_cond)
        if d.it_conds:
            pending = list(d.it_conds)
        out.append(d)
    return out


# ---------------------------------------------------------------------------- cycles

class Timing:
    """Cycle costs of one core model. cost(insn, dec, prev_writes) gives the cycles of
    a non-branching execution; branch_cost(dec, taken) those of a branch."""

    def __init__(self, model):
        self.model = model

    def cost(self, insn, dec, prev_writes):
        m = self.model
        b = dec.base
        if m == "armv6m":
            if dec.mem == "multi":
                if dec.kind in ("ret", "cret"):
                    return 4 + dec.nregs
                return 1 + dec.nregs
            if dec.mem:
                return 2
            if b == "muls" or b == "mul":
                return 32
            if b in ("mrs", "msr"):
                return 4
            if b in ("dmb", "dsb", "isb"):
                return 4
            return 1
        # armv7m and m7
        if dec.mem in ("vload", "vstore"):
            return 3 + (1 if any(r in prev_writes for r in dec.addr_regs) else 0)
        if dec.mem == "vmulti":
            return 1 + dec.nregs
        if dec.mem == "multi":
            extra = 0
            if dec.kind in ("ret", "cret"):
                extra = 3 if m == "armv7m" else 8
            return 1 + dec.nregs + extra
        if dec.mem:
            base = 3 if dec.mem in ("load2", "store2") else 2
            if any(r in prev_writes for r in dec.addr_regs):
                base += 1
            if dec.kind in ("ret", "cret"):
                base += 3 if m == "armv7m" else 8
            return base
        if b in ("mla", "mls"):
            return 2
        if b in ("umull", "smull"):
            return 5
        if b in ("umlal", "smlal", "umaal"):
            return 7
        if b in ("udiv", "sdiv"):
            return 12
        if b in ("mrs", "msr", "cpsid", "cpsie"):
            return 2
        if b in ("dmb", "dsb", "isb"):
            return 4
        return 1

    def branch_cost(self, dec, taken):
        """Cycles of B/B<cc>/CBZ/CBNZ/BL/BLX/BX (PUSH/POP/LDR to PC are in cost())."""
        m = self.model
        if m == "armv6m":
            if dec.base == "bl":
                return 4
            if dec.base in ("bx", "blx"):
                return 3
            return 3 if taken else 1
        if m == "m7":
            return 9
        return 4 if taken else 1
