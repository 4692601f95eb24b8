# SPDX-License-Identifier: MIT OR Apache-2.0
"""Costs that depend on the size of a call's work (bytes copied, blocks walked):
polynomials with non-negative coefficients over named parameters. The maximum of two
such costs is taken term by term, which bounds both from above for every value of the
parameters (they are never negative)."""

import ast
from fractions import Fraction


class Poly:
    __slots__ = ("terms",)

    def __init__(self, terms=None):
        # monomial (sorted tuple of parameter names, () for the constant) -> Fraction
        self.terms = {k: v for k, v in (terms or {}).items() if v != 0}

    @staticmethod
    def const(c):
        return Poly({(): Fraction(c)})

    @staticmethod
    def var(name):
        return Poly({(name,): Fraction(1)})

    def __add__(self, other):
        if not isinstance(other, Poly):
            other = Poly.const(other)
        if not other.terms:
            return self
        if not self.terms:
            return other
        t = dict(self.terms)
        for k, v in other.terms.items():
            t[k] = t.get(k, 0) + v
        return Poly(t)

    __radd__ = __add__

    def __mul__(self, other):
        if not isinstance(other, Poly):
            other = Poly.const(other)
        t = {}
        for k1, v1 in self.terms.items():
            for k2, v2 in other.terms.items():
                k = tuple(sorted(k1 + k2))
                t[k] = t.get(k, 0) + v1 * v2
        return Poly(t)

    __rmul__ = __mul__

    def __sub__(self, other):
        return self + other * -1

    def max(self, other):
        t = dict(self.terms)
        for k, v in other.terms.items():
            t[k] = max(t.get(k, 0), v)
        return Poly(t)

    def subst(self, name, value):
        """The polynomial with parameter `name` fixed to `value`."""
        t = {}
        for k, v in self.terms.items():
            n = k.count(name)
            k2 = tuple(p for p in k if p != name)
            t[k2] = t.get(k2, 0) + v * (Fraction(value) ** n)
        return Poly(t)

    def constant(self):
        return self.terms.get((), Fraction(0))

    def params(self):
        return sorted({p for k in self.terms for p in k})

    def is_const(self):
        return all(k == () for k in self.terms)

    def nonneg(self):
        return all(v >= 0 for v in self.terms.values())

    def at(self, env):
        total = Fraction(0)
        for k, v in self.terms.items():
            x = v
            for p in k:
                x *= env[p]
            total += x
        return total

    def ceil(self):
        """The constant rounded up (an upper bound of a whole count); the costs per
        unit of work are kept exact."""
        return Poly({k: (Fraction(-((-v.numerator) // v.denominator)) if k == () else v)
                     for k, v in self.terms.items()})

    def __eq__(self, other):
        return isinstance(other, Poly) and self.terms == other.terms

    def __hash__(self):
        return hash(tuple(sorted(self.terms.items())))

    def key(self):
        """A total order for choosing among equal constants (larger is worse)."""
        return (self.constant(), sorted(self.terms.items()))

    def __repr__(self):
        return fmt(self)


def fmt_num(v):
    if v.denominator == 1:
        return str(v.numerator)
    return ("%.3f" % float(v)).rstrip("0").rstrip(".")


def fmt(p, unit_names=None):
    """'412 + 1.25*bytes' (constant first, then by monomial)."""
    if not p.terms:
        return "0"
    parts = []
    for k in sorted(p.terms, key=lambda k: (len(k), k)):
        v = p.terms[k]
        if k == ():
            parts.append(fmt_num(v))
        else:
            name = "*".join(k)
            parts.append("%s*%s" % (fmt_num(v), name))
    return " + ".join(parts)


def parse_bound(text, macros, params):
    """A loop bound written in a marker: an expression of integers, the configuration's
    macros (their values given) and the parameters (names of size-dependent work), with
    + - * / and parentheses. Division is exact (a fraction): it bounds the loop's
    rounded-down count from above."""
    tree = ast.parse(text.strip(), mode="eval")

    def ev(n):
        if isinstance(n, ast.Expression):
            return ev(n.body)
        if isinstance(n, ast.Constant) and isinstance(n.value, int):
            return Poly.const(n.value)
        if isinstance(n, ast.Constant) and isinstance(n.value, float):
            return Poly.const(Fraction(repr(n.value)))
        if isinstance(n, ast.Name):
            if n.id in params:
                return Poly.var(n.id)
            if n.id in macros:
                return Poly.const(macros[n.id])
            raise ValueError("unknown name '%s' (neither a parameter nor a macro of the "
                             "configuration)" % n.id)
        if isinstance(n, ast.BinOp):
            a, b = ev(n.left), ev(n.right)
            if isinstance(n.op, ast.Add):
                return a + b
            if isinstance(n.op, ast.Sub):
                return a - b
            if isinstance(n.op, ast.Mult):
                return a * b
            if isinstance(n.op, (ast.Div, ast.FloorDiv)):
                if not b.is_const() or b.constant() <= 0:
                    raise ValueError("division by a non-constant or non-positive value")
                return a * Poly.const(1 / b.constant())
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
            return ev(n.operand) * -1
        raise ValueError("unsupported expression '%s'" % ast.dump(n))

    p = ev(tree)
    if not p.nonneg():
        raise ValueError("the bound '%s' has a negative term: %s" % (text, fmt(p)))
    return p
