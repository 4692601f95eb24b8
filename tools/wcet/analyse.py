# SPDX-License-Identifier: MIT OR Apache-2.0
"""The bound of a function: the longest path through its control-flow graph and,
at every call, through its callee, in instructions and in cycles.

Values: a function is analysed once per set of constant (or known non-zero) arguments
its callers pass; constants propagate into it and cut the branches they decide
(values.py). A callee's bound is kept apart by what it returns (0, not 0, unknown),
and the caller goes on after the call once per such kind of result, with r0 known: the
caller's test of the result then takes only the way that result leads to (a resize that
succeeded does not go on to move the block).

Loops: every loop needs a bound from a source marker (markers.py); a loop with none is
refused. A loop is collapsed into one node whose exits cost its iterations (bound x the
longest iteration) plus the longest way out; the path is then the longest in the
remaining acyclic graph. Costs are polynomials in the work parameters (bytes, blocks,
...), maximised term by term."""

from .cfg import CFG, RETURN, AnalysisError, natural_loops
from .extern import PARAM_ARGS
from .poly import Poly
from .values import ARG_REGS, Propagator, State, frame_escapes, state_key, writes_incoming

# The damage handling, left out of the bounds on a sound heap.
DAMAGE_FILE = "damage.c"

# Where the display of a worst path evaluates size-dependent costs to pick a branch.
REFERENCE_ENV = {"bytes": 1024, "blocks": 64, "chunks": 1, "regions": 4}

# Past this many nodes a function's graph stops splitting paths after calls (the
# merged states are used instead: sound, less precise).
MAX_NODES = 4000

START = ("start",)
# A callee's paths are kept apart by what they return in r0: its exact value when the
# analysis knows it, "nz" when only known not to be 0, "?" when unknown. More exact
# values than this are merged into "0" / "nz".
MAX_RETURN_VALUES = 6


def _closure(start, pairs):
    """The nodes reached from `start` along the (from, to) pairs."""
    reached = set(start)
    changed = True
    while changed:
        changed = False
        for a, b in pairs:
            if a in reached and b not in reached:
                reached.add(b)
                changed = True
    return reached


def sink(cls):
    return ("ret", cls)


class Cost:
    """Instructions and cycles, bounded separately (each its own maximum)."""

    __slots__ = ("i", "c")

    def __init__(self, i=None, c=None):
        self.i = i if i is not None else Poly()
        self.c = c if c is not None else Poly()

    def __add__(self, o):
        return Cost(self.i + o.i, self.c + o.c)

    def times(self, p):
        return Cost(self.i * p, self.c * p)

    def max(self, o):
        return Cost(self.i.max(o.i), self.c.max(o.c))

    def ref(self):
        return self.i.at(REFERENCE_ENV)


ZERO = Cost()


class NoPath(AnalysisError):
    """A function has no way from its entry to a return under a call's values."""


class Result:
    def __init__(self, name, ctx, cost, ret, path, loops):
        self.name = name
        self.ctx = ctx
        self.cost = cost  # the bound, whatever it returns
        self.ret = ret  # value / "nz" / "?" -> bound of the paths that return that
        self.path = path  # worst path (instructions): steps, see Analyser._expand
        self.loops = loops  # [(header addr, marker, back edges allowed)]


class Analyser:
    def __init__(self, fw, timing, markers, once, icalls, nonnull=()):
        self.fw = fw
        self.timing = timing
        self.markers = markers  # (file, line) -> Marker
        self.once = once  # names of functions left out of steady-state bounds
        self.icalls = icalls  # function name -> why its indirect call is not followed
        self.cache = {}
        self.stack = []
        self.cfgs = {}
        self.loop_uses = {}  # marker key -> set of function names where it bounds a loop
        self.excluded_calls = set()  # (caller, callee) left out (steady state)
        self.indirect = set()  # (function, addr, why)
        self._frame_memo = {}
        self._damage_memo = {}
        self.nonnull = set(nonnull)  # addresses of pointers not NULL in the steady state

    # ------------------------------------------------------------------ helpers
    def cfg(self, name):
        c = self.cfgs.get(name)
        if c is None:
            f = self.fw.functions.get(name)
            if f is None:
                raise AnalysisError("%s: no such function in the firmware" % name)
            c = CFG(self.fw, f)
            self.cfgs[name] = c
        return c

    def is_damage_handling(self, name):
        """True if `name` is a function of src/core/damage.c: some of its code comes
        from there. Its first instruction may come from a helper inlined into it (an
        internal.h check), and no damage.c function is inlined elsewhere (all are
        noinline and cold), so any line of damage.c in its range tells."""
        f = self.fw.functions.get(name)
        if f is None:
            return False
        memo = self._damage_memo
        if name not in memo:
            memo[name] = any(ln is not None and ln[0] == DAMAGE_FILE
                             for ln in self.fw.lines_in(f.addr, f.addr + f.size))
        return memo[name]

    def _left_out(self, callee, mode):
        if mode not in ("rt", "sound"):
            return False
        return callee in self.once or (mode == "sound" and self.is_damage_handling(callee))

    def keeps_frame(self, name):
        """True if calling `name` leaves the caller's stack frame as it was (it writes
        nothing at or above the sp it is entered with, nor do its tail callees)."""
        if name is None or name not in self.fw.functions:
            return False
        memo = self._frame_memo
        if name in memo:
            return memo[name] is False
        memo[name] = True  # a tail-call cycle: assume it writes
        try:
            w = writes_incoming(self.cfg(name), lambda n: not self.keeps_frame(n))
        except AnalysisError:
            w = True
        memo[name] = w
        return not w

    def line_text(self, addr):
        ln = self.fw.line_of(addr)
        return "%s:%d" % ln if ln else "?"

    def where(self, addr):
        f = self.fw.function_at(addr)
        return "%s at 0x%x (%s)" % (f.name if f else "?", addr, self.line_text(addr))

    def _callee_of(self, insn):
        f = self.fw.by_addr.get(insn.target) if insn.target is not None else None
        if f is None:
            raise AnalysisError("%s: call of 0x%x, which is no function's entry" %
                                (self.where(insn.addr), insn.target or 0))
        return f.name

    # ------------------------------------------------------------------ analysis
    def function(self, name, ctx=(None, None, None, None), mode="rt"):
        key = (name, ctx, mode)
        if key in self.cache:
            hit = self.cache[key]
            if isinstance(hit, NoPath):
                raise hit
            return hit
        if any(k[0] == name for k in self.stack):
            chain = " -> ".join(k[0] for k in self.stack) + " -> " + name
            raise AnalysisError("%s: recursive call (%s): no bound for a recursion" %
                                (name, chain))
        self.stack.append(key)
        try:
            res = self._analyse(name, ctx, mode)
        except NoPath as e:
            self.cache[key] = e
            raise
        finally:
            self.stack.pop()
        self.cache[key] = res
        return res

    def _analyse(self, name, ctx, mode):
        cfg = self.cfg(name)
        blocks = cfg.blocks
        prop = Propagator(cfg, frame_escapes(cfg, self.keeps_frame), self.keeps_frame,
                          self.fw.words, self.nonnull if mode in ("rt", "sound") else ())
        entry = State(regs={r: v for r, v in zip(ARG_REGS, ctx) if isinstance(v, int)},
                      nz={r for r, v in zip(ARG_REGS, ctx) if v == "nz"})
        # Steady state: a block that calls a function that runs once (the heap's
        # construction) is not part of a steady-state call. On a sound heap with valid
        # arguments ("sound"), nothing calls the damage handling (src/core/damage.c:
        # reporting, refusing, containment) either.
        excluded = set()
        if mode in ("rt", "sound"):
            for a, b in blocks.items():
                insn, dec = b.last
                if dec.kind == "call" and self._left_out(self._callee_of(insn), mode):
                    excluded.add(a)
                    self.excluded_calls.add((name, self._callee_of(insn)))
        inn, feasible = prop.run(entry, excluded)
        estates = prop.edge_states
        nodes = {a for a in inn if a not in excluded}

        def edge_ok(e):
            if (e.src, e.dst, e.taken) not in feasible:
                return False
            if e.tailcall and self._left_out(e.tailcall, mode):
                self.excluded_calls.add((name, e.tailcall))
                return False
            return e.dst == RETURN or e.dst in nodes

        for a in nodes:
            b = blocks[a]
            insn, dec = b.last
            if b.falloff and dec.kind not in ("call", "icall"):
                raise AnalysisError("%s: execution runs off the end of the function" %
                                    self.where(insn.addr))
            if dec.kind == "icall" or any(e.indirect and edge_ok(e) for e in b.succs):
                why = self.icalls.get(name)
                if why is None:
                    raise AnalysisError("%s: call through a pointer (%s %s): the analysis "
                                        "does not know what it calls" %
                                        (self.where(insn.addr), insn.op, insn.args))
                self.indirect.add((name, insn.addr, why))

        # Loop headers of the code as it is (they are never split: a loop keeps one
        # entry).
        cfg_loops, _ = natural_loops(
            cfg.entry, nodes, lambda n: [e.dst for e in blocks[n].succs
                                         if edge_ok(e) and e.dst != RETURN], self.where)
        headers = set(cfg_loops)

        # ---- the graph: nodes are blocks, or copies of a block under particular values
        # (after a call, per kind of result; a block ending with a call, per way in).
        node_block = {}
        node_state = {}
        out_edges = {}  # node -> [(dst node, Cost, extra steps)]
        own_memo = {}
        todo = []
        splitting = [True]

        def own(a, st):
            key = (a, _state_key(st))
            c = own_memo.get(key)
            if c is None:
                c = self._own_cost(blocks[a], st)
                own_memo[key] = c
            return c

        live = cfg.live_in()

        def node_for(a, st, split=False):
            # Every block is kept apart by the values it is reached with (path
            # sensitivity), but a loop's header (one entry per loop) and anything past
            # MAX_NODES, which take the values merged over every way in. Only what the
            # block may read tells blocks apart.
            if a in headers or not splitting[0]:
                nid = ("o", a)
                st = inn[a]
            else:
                st = _restrict(st, live[a])
                nid = ("s", a, _state_key(st))
            if nid not in node_block:
                node_block[nid] = a
                node_state[nid] = st
                todo.append(nid)
                if len(node_block) > MAX_NODES:
                    splitting[0] = False
            return nid

        def add(src, dst, w, extra=()):
            out_edges.setdefault(src, []).append((dst, w, list(extra)))

        first = node_for(cfg.entry, entry, split=True)
        node_state[first] = entry if first[0] == "s" else inn[cfg.entry]
        add(START, first, own(cfg.entry, node_state[first]))
        while todo:
            n = todo.pop()
            a = node_block[n]
            st = node_state[n]
            b = blocks[a]
            insn, dec = b.last
            if dec.kind == "call":
                fall = [e for e in b.succs if edge_ok(e)]
                if not fall:
                    continue
                cont = fall[0].dst
                callee_name = self._callee_of(insn)
                for before in prop.pre_last_variants(b, st):
                    self._after_call(prop, n, insn, dec, before, callee_name, cont, mode,
                                     node_for, node_state, own, add)
                continue
            for e, se in prop.out_variants(b, st):
                if not edge_ok(e):
                    continue
                w = ZERO
                if dec.base in ("b", "cbz", "cbnz", "bx") and dec.kind in (
                        "jump", "cjump", "ret", "cret", "itail"):
                    w = Cost(Poly(), Poly.const(self.timing.branch_cost(dec, e.taken)))
                if e.tailcall:
                    try:
                        callee = self.function(e.tailcall, _ctx_of(se), mode)
                    except NoPath:
                        continue
                    for cls, rc in callee.ret.items():
                        add(n, sink(cls), w + rc, [("tail", callee)])
                    continue
                if e.indirect:
                    add(n, sink("?"), w)
                    continue
                if e.dst == RETURN:
                    for cls in _r0_classes(se):
                        add(n, sink(cls), w)
                    continue
                d = node_for(e.dst, se)
                add(n, d, w + own(e.dst, node_state[d]))

        # ---- keep what lies on a way from the entry to a return
        edges = [(s, d, w, x) for s, lst in out_edges.items() for (d, w, x) in lst]
        sinks = {d for (s, d, w, x) in edges if d[0] == "ret"}
        pairs = [(s, d) for (s, d, w, x) in edges]
        fwd = _closure({START}, pairs)
        back_ok = _closure(sinks, [(d, s) for (s, d) in pairs])
        if START not in back_ok:
            raise NoPath("%s: no way from its entry to a return (under the analysis' "
                         "assumptions)" % name)
        edges = [e for e in edges if e[0] in fwd and e[0] in back_ok and e[1] in back_ok]
        alive = {e[0] for e in edges} | {e[1] for e in edges}
        alive -= sinks
        succ = {n: [] for n in alive}
        for (s, d, w, x) in edges:
            succ[s].append(d)

        # ---- loops: every one needs its bound
        inner = alive - {START}
        loops, _ = natural_loops(START, alive, lambda n: [d for d in succ[n] if d not in sinks],
                                 lambda nd: self.where(node_block.get(nd, cfg.entry)))
        order = sorted(loops.items(), key=lambda kv: len(kv[1][0]))
        marks = {}
        for h, (body, latches) in order:
            if h == START:
                raise AnalysisError("%s: a loop through the entry" % name)
            marks[h] = self._loop_marker(name, cfg, node_block[h],
                                         [node_block[l] for l in latches])
        for h, (body, _) in order:
            for h2, (body2, _) in order:
                if h2 != h and h2 in body and body2 < body and marks[h][0] is marks[h2][0]:
                    raise AnalysisError(
                        "%s: the loops at 0x%x and 0x%x (one inside the other) both matched "
                        "the marker '%s': cannot tell which loop it bounds" %
                        (name, node_block[h], node_block[h2], marks[h][0].name))
        del inner

        global_cost = ZERO
        rep = {n: n for n in alive}
        node_cost = {n: ZERO for n in alive}
        loop_nodes = {}
        loop_info = []
        for h, (body, latches) in order:
            marker, bound = marks[h]
            hb = node_block[h]
            has_exit = any(e.dst == RETURN or e.dst not in {node_block[x] for x in body}
                           for e in blocks[hb].succs if edge_ok(e))
            if blocks[hb].last[1].kind in ("call", "icall"):
                # a header ending with a call leaves the loop only after its callee
                has_exit = True
            if not has_exit and bound.is_const():
                back = Poly.const(max(bound.constant() - 1, 0))
            else:
                back = bound
            loop_info.append((hb, marker, back))
            inside = {rep[x] for x in body}
            lid = ("loop", h)
            it_cost, it_path, exits = self._loop_paths(h, inside, node_cost, edges, sinks)
            total = it_cost.times(back)
            new_edges = []
            for (s, d, w, x) in edges:
                if s in inside:
                    continue
                if d in inside:
                    if d != h:
                        raise AnalysisError("%s: the loop at 0x%x is entered at 0x%x, not at its "
                                            "header" % (name, hb, node_block.get(d, 0)))
                    new_edges.append((s, lid, w, x))
                else:
                    new_edges.append((s, d, w, x))
            for dst, (ecost, epath) in exits.items():
                if marker.per_call:
                    new_edges.append((lid, dst, ecost, [("exitpath", epath)]))
                else:
                    new_edges.append((lid, dst, ecost + total, [("exitpath", epath)]))
            if marker.per_call:
                global_cost = global_cost + total
            edges = new_edges
            for x in inside:
                node_cost.pop(x, None)
            node_cost[lid] = ZERO
            loop_nodes[lid] = (hb, back, it_path, marker)
            for x in body:
                rep[x] = lid
        node_cost[START] = ZERO
        best = self._dag_longest(START, node_cost, edges, sinks)
        ret = {}
        for sk, (c, _) in best.items():
            ret[sk[1]] = c + global_cost
        ints = [k for k in ret if isinstance(k, int)]
        if len(ints) > MAX_RETURN_VALUES:
            for k in ints:
                c = ret.pop(k)
                kk = 0 if k == 0 else "nz"
                ret[kk] = c if kk not in ret else ret[kk].max(c)
        total = None
        path = []
        for s, (c, p) in best.items():
            if total is None or c.ref() > total.ref():
                path = p
            total = c if total is None else total.max(c)
        cost = total + global_cost
        steps = self._expand(path, loop_nodes, node_block)
        return Result(name, ctx, cost, ret, steps, loop_info)

    def _after_call(self, prop, n, insn, dec, before, callee_name, cont, mode, node_for,
                    node_state, own, add):
        """The edges out of node n, whose block ends with a call: the callee's bound,
        then the block after the call once per kind of value the callee returns (r0
        known then). A call in an IT block that the values do not decide may also be
        skipped."""
        cases = [(before, True)]
        if dec.cond:
            from .values import _assume, cond_holds
            h = cond_holds(dec.cond, before.flags)
            if h is False:
                cases = [(before, False)]
            elif h is None:
                cases = [(_assume(before, dec.cond, True), True),
                         (_assume(before, dec.cond, False), False)]
        for st0, called in cases:
            if not called:
                d = node_for(cont, st0, split=True)
                add(n, d, own(cont, node_state[d]))
                continue
            try:
                callee = self.function(callee_name, _ctx_of(st0), mode)
            except NoPath:
                continue  # it cannot return under these values: no way on
            after = prop.step(st0, insn, dec)
            for cls, rc in callee.ret.items():
                s2 = after.copy()
                if isinstance(cls, int):
                    s2.regs["r0"] = cls
                    s2.rng.pop("r0", None)
                elif cls == "nz":
                    s2.nz.add("r0")
                rc = _subst_params(rc, callee_name, st0)
                w = rc + Cost(Poly(), Poly.const(self.timing.branch_cost(dec, True)))
                d = node_for(cont, s2, split=True)
                add(n, d, w + own(cont, node_state[d]), [("call", callee)])

    def _loop_marker(self, name, cfg, h, latches):
        """(Marker, bound) for the loop with header block h: the marker whose line is
        the back edge's, else a line of a latch block, else of the header block."""
        blocks = cfg.blocks
        levels = [
            [blocks[l].last[0].addr for l in latches],
            [i.addr for l in latches for i, _ in blocks[l].items],
            [i.addr for i, _ in blocks[h].items],
        ]
        for addrs in levels:
            found = {}
            for a in addrs:
                ln = self.fw.line_of(a)
                if ln is None:
                    continue
                m = self.markers.get(ln)
                if m is not None:
                    found[id(m)] = m
            if len(found) > 1:
                raise AnalysisError("%s: the loop at 0x%x matches %d markers (%s): cannot tell "
                                    "which bounds it" % (self.where(h), h, len(found),
                                                         ", ".join(m.name for m in found.values())))
            if found:
                m = next(iter(found.values()))
                self.loop_uses.setdefault(m.key, set()).add(name)
                return m, m.bound
        back = blocks[latches[0]].last[0].addr
        raise AnalysisError("%s: loop (header 0x%x, back edge at 0x%x, %s) has no "
                            "wcet-loop marker: every loop needs its bound in the source" %
                            (self.where(h), h, back, self.line_text(back)))

    def _loop_paths(self, h, inside, node_cost, edges, sinks):
        """Longest iteration (header to a back edge) and longest way out to each exit,
        inside the loop's nodes (inner loops already collapsed)."""
        out = {}
        for e in edges:
            if e[0] in inside:
                out.setdefault(e[0], []).append(e)
        back = {}
        exits = {}
        _relax(h, inside, out, node_cost,
               lambda dst: back if dst == h else (None if dst in inside else exits))
        if h not in back:
            raise AnalysisError("loop at %s: no way around it" % (h,))
        return back[h][0], back[h][1], exits

    def _dag_longest(self, entry, node_cost, edges, sinks):
        """{sink: (Cost, path)} for every sink reached."""
        out = {}
        for e in edges:
            out.setdefault(e[0], []).append(e)
        best = {}
        _relax(entry, set(node_cost), out, node_cost, lambda dst: best if dst in sinks else None)
        if not best:
            raise NoPath("no path to a return")
        return best

    def _expand(self, path, loop_nodes, node_block):
        """Worst path as steps: ('block', addr), ('loop', header, back edges,
        [iteration steps], marker), ('call', Result), ('tail', Result)."""
        out = []
        for n in path:
            if isinstance(n, tuple) and n and n[0] == "loop":
                h, back, it_path, marker = loop_nodes[n]
                out.append(("loop", h, back, self._expand(it_path, loop_nodes, node_block),
                            marker))
            elif isinstance(n, tuple) and n and n[0] in ("call", "tail"):
                out.append(n)
            elif isinstance(n, tuple) and n and n[0] == "exitpath":
                out.extend(self._expand(n[1], loop_nodes, node_block))
            elif n == START:
                continue
            elif n in node_block:
                out.append(("block", node_block[n]))
        return out

    def _own_cost(self, block, st):
        """The block's own instructions and cycles (a call's callee is on the edges
        that leave the block; a branch's cycles too: taken or not)."""
        timing = self.timing
        ninsn = 0
        cyc = 0
        prev_writes = ALL_REGS
        for insn, dec in block.items:
            ninsn += 1
            if dec.kind in ("jump", "cjump", "itail", "call") or (
                    dec.kind in ("ret", "cret") and dec.base == "bx"):
                pass  # on the edges
            elif dec.kind == "icall":
                cyc += timing.branch_cost(dec, True)
            else:
                cyc += timing.cost(insn, dec, prev_writes)
            prev_writes = dec.writes
        return Cost(Poly.const(ninsn), Poly.const(cyc))

    # ------------------------------------------------------------------ display
    def path_lines(self, res, indent=0, depth=0, max_depth=8):
        """The worst path as text: source lines per block, callees indented."""
        out = []
        pad = "  " * indent
        out.append("%s%s  [%s instructions]" % (pad, res.name, _fmt(res.cost.i)))
        if depth > max_depth:
            return out
        line = []

        def flush():
            if line:
                out.append(pad + "  " + " ".join(line))
                line.clear()

        def walk(steps):
            for s in steps:
                if s[0] == "block":
                    ln = self.line_text(s[1])
                    if not line or line[-1] != ln:
                        line.append(ln)
                elif s[0] == "loop":
                    flush()
                    out.append("%s  loop %s (0x%x): %s more round(s) after the first, each:" %
                               (pad, s[4].name, s[1], _fmt(s[2])))
                    walk(s[3])
                    flush()
                    out.append("%s  loop %s: then out" % (pad, s[4].name))
                elif s[0] in ("call", "tail"):
                    flush()
                    out.extend(self.path_lines(s[1], indent + 1, depth + 1))
        walk(res.path)
        flush()
        return out


def _relax(start, nodes, out, node_cost, sink_of):
    """Longest paths from start through `nodes` (a DAG: out maps a node to its edges),
    in topological order. An edge into dst ends in the dict sink_of(dst) returns, which
    keeps the best (Cost, path) per destination; when it returns None, dst is inside
    and the walk goes on from it."""
    order = _topo(start, nodes, out)
    dist = {start: (ZERO, [])}
    for n in order:
        if n not in dist:
            continue
        d, p = dist[n]
        val = d + node_cost[n]
        here = p + [n]
        for (src, dst, w, extra) in out.get(n, []):
            into = sink_of(dst)
            if into is None:
                into = dist
            into[dst] = _better(into.get(dst), val + w, here + extra)


def _better(old, cand, step):
    if old is None:
        return (cand, step)
    return (old[0].max(cand), step if cand.ref() > old[0].ref() else old[1])


def _subst_params(cost, callee_name, before):
    for param, reg in PARAM_ARGS.get(callee_name, {}).items():
        v = before.regs.get(reg)
        if v is not None:
            cost = Cost(cost.i.subst(param, v), cost.c.subst(param, v))
    return cost


def _r0_classes(st):
    """What a return edge returns: exact values (one, or the few a bound leaves),
    "nz", or "?"."""
    if st is None:
        return ["?"]
    lo, hi = st.urange("r0")
    if hi - lo <= 3:
        return list(range(lo, hi + 1))
    return ["nz"] if lo >= 1 else ["?"]


def _fmt(p):
    from .poly import fmt
    return fmt(p)


def _ctx_of(st):
    """A call's context: each argument register's value, "nz" if only known not to
    be 0, or None."""
    if st is None:
        return (None, None, None, None)
    out = []
    for r in ARG_REGS:
        v = st.regs.get(r)
        out.append(v if v is not None else ("nz" if r in st.nz else None))
    return tuple(out)


def _state_key(st):
    return state_key(st)


def _restrict(st, live):
    """st with what is dead at that point forgotten (registers not read before being
    written, the flags likewise); stack slots are kept."""
    st = st.copy()
    for d in (st.regs, st.rng):
        for r in list(d):
            if r not in live:
                del d[r]
    st.nz = {r for r in st.nz if r in live}
    if "flags" not in live:
        st.flags = {}
        st.zsrc = None
    elif st.zsrc is not None and st.zsrc not in live:
        st.zsrc = None
    return st


ALL_REGS = frozenset(["r%d" % i for i in range(13)] + ["sp", "lr"])


def _topo(start, nodes, out):
    """Topological order of the nodes reachable from start through out-edges
    (only edges between members of nodes; edges back to start ignored)."""
    seen = set()
    post = []
    stack = [(start, iter(out.get(start, [])))]
    seen.add(start)
    while stack:
        n, it = stack[-1]
        for e in it:
            d = e[1]
            if d in nodes and d not in seen and d != start:
                seen.add(d)
                stack.append((d, iter(out.get(d, []))))
                break
        else:
            post.append(n)
            stack.pop()
    return list(reversed(post))
