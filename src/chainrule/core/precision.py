"""How accurately a value at a point is computed, and the value where float64 cannot give it.

:func:`rounding_bound` is the first-order bound of float64's rounding error in evaluating an
expression (running error analysis: every operation rounds its result and passes on its
arguments' errors times its partial derivatives). :func:`value_at` evaluates at one point,
judges the float64 value by that bound, and where float64 keeps fewer than 12 digits, or
overflows or underflows on the way, computes the value again in higher precision with mpmath
(optional: ``pip install chainrule[precise]``), each record giving its mpmath meaning
(``Primitive.mpmath``). Without mpmath the float64 value comes back flagged as unreliable with
its error bound. The answer is a :class:`PointValue`: a float that says how it was computed.

>>> from chainrule.parsing import parse
>>> v = value_at(parse("x^2 + 1"), {"x": 3.0})
>>> v, v.digits, v.reliable
(10.0, None, True)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

# modules, not names: expr.py binds this module at its end, so evaluate may be importing
from chainrule.core import evaluate as evaluation
from chainrule.core import kinks as kink_policy  # module, not name: a core cycle
from chainrule.core import walk
from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.errors import ChainruleError, DomainError
from chainrule.limits.budget import charge

EPS = float(np.finfo(float).eps)
ETA = 2.0**-1074
"""The absolute error of a result that underflows (the smallest subnormal): 0 from e^−800 is
off by at most this, which an amplifying operation after it then shows."""

RELIABLE = 1e-12
"""A float64 value is given as it is when its rounding bound is at most this, relative (or
below :data:`TINY`: a value that is 0 to float64's range, as e^−800 is)."""

TINY = float(np.finfo(float).tiny)

DIGITS = 50
"""Decimal digits of the higher-precision evaluation (checked against twice as many)."""

EXTRA = "pip install 'chainrule[precise]'"


class PointValue(float):
    """A value at a point that says how it was computed; use it as a float.

    ``digits``: None for float64, else the mpmath precision (decimal digits) that gave it;
    ``error``: a bound on its distance from the true value (NaN: not judged, a value read
    from both sides of a kink); ``reliable``: whether it keeps about 12 digits; ``note``: what
    happened, in words ('' for an ordinary float64 value). Arithmetic on it gives plain floats.

    >>> v = PointValue(2.5, 1e-3, reliable=False, note="float64 is sure of about 3 digits")
    >>> v + 1, v.reliable, v.note
    (3.5, False, 'float64 is sure of about 3 digits')
    """

    digits: int | None
    error: float
    reliable: bool
    note: str

    def __new__(cls, value: float, error: float, digits: int | None = None,
                reliable: bool = True, note: str = "") -> PointValue:
        self = super().__new__(cls, value)
        self.error, self.digits, self.reliable, self.note = float(error), digits, reliable, note
        return self

    def __reduce__(self) -> tuple:  # pickles whole (a worker process hands it back)
        return (PointValue, (float(self), self.error, self.digits, self.reliable, self.note))

    def to_dict(self) -> dict[str, Any]:
        """How the value was computed, for JSON (error: None where not finite)."""
        error = self.error if math.isfinite(self.error) else None
        return {"computed_with": "float64" if self.digits is None else f"{self.digits} digits",
                "error_bound": error, "reliable": self.reliable, "note": self.note}


class ValueOutOfRange(DomainError):
    """A value that exists but is beyond float64's range (about 1.8e308)."""


def rounding_bound(expr: Expr, values: dict[str, Any], as_written: bool = False) -> Any:
    """First-order bound of the rounding error of evaluating ``expr`` at ``values`` in float64.

    Every operation rounds its result (ε·|v|, and underflow's :data:`ETA`) and passes on its
    arguments' errors times its partial derivatives (running error analysis): where a sum
    cancels or a function amplifies, the bound grows with it. Symbols' values count as exact,
    and so do decimal constants (they are the floats written); π, e and fractions such as
    1/3 carry their own rounding. NaN where undefined. ``as_written``: every node as written,
    as automatic differentiation computes it (1 − tanh²(u) by subtraction), not the
    evaluator's stable forms (1/cosh²(u)).

    >>> from chainrule.parsing import parse
    >>> float(rounding_bound(parse("x + 1"), {"x": 1.0})) == EPS * 2 + ETA
    True
    >>> bool(rounding_bound(parse("(x + 1)^2 - x^2"), {"x": 1e8}) > 1)  # 2e8 + 1, cancelled
    True
    """
    memo: dict[Any, Any] = {}
    # (the partials are slopes for an error bound, not a derivative answered: at a kink the
    # subgradient serves, with no KinkWarning)
    with np.errstate(all="ignore"), kink_policy.kinks("subgradient"):
        evaluation.evaluate(expr, values, memo=memo, undefined="nan")
        return bound_from(expr, memo, as_written)


def bound_from(expr: Expr, memo: dict[Any, Any], as_written: bool = False) -> Any:
    """:func:`rounding_bound` from the values of an evaluation already done (``memo``: node →
    value, as :func:`~chainrule.core.evaluate.evaluate` fills it).

    >>> from chainrule.parsing import parse
    >>> e, memo = parse("x*y - 1"), {}
    >>> evaluation.evaluate(e, {"x": 3.0, "y": 1 / 3}, memo=memo)
    0.0
    >>> bool(bound_from(e, memo) > 1e-16)  # the 0 is rounding's: 3·(1/3) − 1
    True
    """
    bounds: dict[Any, Any] = {}

    def bound(node: Expr, errors: tuple) -> Any:
        v = np.abs(np.asarray(memo[node], float))
        if not isinstance(node, Apply):
            return _leaf_error(node, v)
        total = EPS * v + ETA
        stable = None if as_written else _complement_slope(node, memo)
        if stable is not None:  # computed as a function of u alone (core.evaluate's forms)
            u, slope = stable
            return total + slope * bounds[u] if u in bounds else total
        args = tuple(memo[a] for a in node.args)
        for i, err in enumerate(errors):
            if np.any(err):
                slope = np.abs(np.asarray(node.prim.partial(i, args, memo[node]), float))
                total = total + np.where(err == 0, 0.0, slope * err)
        return total

    with np.errstate(all="ignore"):
        return walk.rewrite(expr, bound, bounds)


def _leaf_error(node: Expr, v: Any) -> Any:
    inexact = isinstance(node, NamedConst) or (
        isinstance(node, Const) and node.is_exact and float(node.value) != node.value)
    return EPS / 2 * v if inexact else np.zeros_like(v)


def _complement_slope(node: Apply, memo: dict[Any, Any]) -> tuple[Expr, Any] | None:
    """(u, |dv/du|) for the nodes the evaluator computes as a function of u alone:
    ``c − c·tanh²(u)`` as c/cosh²(u) and ``1 − σ(u)`` as σ(−u); None for any other node."""
    tanh = evaluation.tanh_complement(node)
    if tanh is not None:
        u = tanh[1].args[0]
        return u, np.abs(2 * np.tanh(np.asarray(memo[u], float)) * memo[node])
    one, term = node.args if node.prim.name == "add" and len(node.args) == 2 else (None, None)
    if (isinstance(one, Const) and one.value == 1 and isinstance(term, Apply)
            and term.prim.name == "mul" and len(term.args) == 2
            and term.args[0] == Const(-1) and isinstance(term.args[1], Apply)
            and term.args[1].prim.name == "sigmoid"):
        sig = term.args[1]
        return sig.args[0], np.abs(np.asarray(memo[sig], float) * memo[node])
    return None


def has_mpmath() -> bool:
    """Whether mpmath (the ``precise`` extra) is installed.

    >>> has_mpmath()  # the test extra installs it
    True
    """
    try:
        import mpmath  # noqa: F401  (optional: only the check)
    except ImportError:
        return False
    return True


def evaluate_mp(expr: Expr, values: dict[str, Any], digits: int = DIGITS) -> Any:
    """``expr`` at ``values`` (numbers) as an mpmath number of ``digits`` decimal digits,
    each node by its record's mpmath meaning; DomainError where undefined (not a finite real).

    >>> from chainrule.parsing import parse
    >>> import mpmath
    >>> mpmath.nstr(evaluate_mp(parse("exp(x)"), {"x": 1.0}, 30), 25)
    '2.718281828459045235360287'
    """
    try:
        import mpmath  # optional: the precise extra
    except ImportError:
        raise ChainruleError(f"higher precision needs mpmath: {EXTRA}") from None
    with mpmath.workdps(digits):
        point = {k: mpmath.mpf(float(v)) for k, v in values.items()}

        def value(node: Expr, args: tuple) -> Any:
            charge(1, "evaluating in higher precision")
            if isinstance(node, Symbol):
                if node.name not in point:
                    raise DomainError(f"no value given for {node.name}")
                return point[node.name]
            if isinstance(node, NamedConst):
                return {"pi": mpmath.pi, "e": mpmath.e}.get(node.name, node.value) + 0
            if isinstance(node, Const):
                v = node.value
                return (mpmath.mpf(v.numerator) / v.denominator if node.is_exact
                        else mpmath.mpf(v))
            assert isinstance(node, Apply)
            return _apply_mp(mpmath, node, args, values)

        return +walk.rewrite(expr, value, {})


class NoMpmathMeaning(ChainruleError):
    """A record without an mpmath meaning: the value cannot be computed in higher precision."""


def _apply_mp(mpmath: Any, node: Apply, args: tuple, values: dict[str, Any]) -> Any:
    meaning = node.prim.mpmath
    if meaning is None:
        raise NoMpmathMeaning(f"{node.prim.name} has no mpmath meaning (Primitive.mpmath), so "
                              f"it cannot be evaluated in higher precision")
    try:
        out = (getattr(mpmath, meaning)(*args) if isinstance(meaning, str)
               else meaning(mpmath, *args))
    except (ZeroDivisionError, ValueError, OverflowError):
        out = None
    if not isinstance(out, mpmath.mpf) or not mpmath.isfinite(out):
        point = ", ".join(f"{k} = {float(v):g}" for k, v in values.items())
        raise DomainError(f"{node} is undefined at {point} (in higher precision)")
    if out and mpmath.mag(out) > MAX_MAGNITUDE_BITS:
        # exp of a number this large would need ln 2 to as many digits as the number has
        # (exp(exp(exp(x))) at x = 7.5: hours): refuse instead of hanging. A result that
        # float64 can hold never needs an intermediate this large except by cancellation.
        point = ", ".join(f"{k} = {float(v):g}" for k, v in values.items())
        raise DomainError(f"{node} at {point} is about 10^{_decimal_exponent(mpmath, out)}, "
                          f"beyond 10^{MAX_MAGNITUDE_DIGITS}: too large to compute with")
    return out


MAX_MAGNITUDE_BITS = 1 << 14
"""Largest intermediate (in binary digits before the point) computed in higher precision:
2^16384, about 10^4932, the range of extended precision."""
MAX_MAGNITUDE_DIGITS = int(MAX_MAGNITUDE_BITS * math.log10(2))


def _decimal_exponent(mpmath: Any, v: Any) -> str:
    """The decimal exponent of ``v``, written out, or as 10^k when it is itself huge (the
    binary exponent of exp(exp(exp(7.5))) has 785 digits: no float holds it)."""
    bits = int(mpmath.mag(v))
    if bits < 1 << 50:
        return f"{int(bits * math.log10(2)):,}"
    return f"(10^{int((bits.bit_length() - 1) * math.log10(2))})"


def value_at(expr: Expr, values: dict[str, Any], digits: int = DIGITS) -> PointValue:
    """``expr`` at one point, computed to about 12 digits or flagged (see the module).

    >>> from chainrule.parsing import parse
    >>> v = value_at(parse("logaddexp(exp(50) x, 0)"), {"x": 1.0})
    >>> f"{v:.4g}", v.reliable
    ('5.185e+21', True)
    """
    point = {k: _number(k, v) for k, v in values.items()}
    memo: dict[Any, Any] = {}
    try:
        value = float(evaluation.evaluate(expr, point, memo=memo))
    except evaluation.OneSided:  # sign(u) met u = 0: a kink, or float64 rounded u to 0
        if has_mpmath():  # u = 1/700^700 is not 0: there the value is computed, not judged
            try:
                return _precise(expr, point, digits, "float64 rounds onto a kink", None, memo)
            except (DomainError, NoMpmathMeaning):
                pass  # a kink in exact arithmetic too (mpmath's sign(0) is undefined)
        # read from both sides of the kink: that evaluation's judgement
        return PointValue(float(evaluation.evaluate(expr, point)), math.nan)
    except DomainError as err:  # overflow, or a domain that rounding may have left
        overflow = evaluation.OVERFLOWS in str(err) or evaluation.TOO_LARGE in str(err)
        if not has_mpmath():
            if not overflow:
                raise  # as a rule the point is outside the domain: no hint to mislead
            raise DomainError(f"{err} (in float64; {EXTRA} to compute it in higher "
                              f"precision)") from None
        why = "overflows" if overflow else "rounds outside the domain"
        try:
            return _precise(expr, point, digits, f"float64 {why} on the way", err, memo)
        except NoMpmathMeaning:
            raise err from None  # float64's own reason (an abstract f(x) has no value)
    error = float(bound_from(expr, memo))
    if math.isnan(error):  # the bound itself broke (inf·0 where a factor overflowed)
        error = math.inf
    if error <= RELIABLE * abs(value) + TINY:
        return PointValue(value, error)
    kept = digits_kept(error, value)
    if not has_mpmath():
        return PointValue(value, error, reliable=False,
                          note=f"float64 {kept} here (error bound {error:.1e}); {EXTRA} "
                               f"to compute it in higher precision")
    try:
        return _precise(expr, point, digits, f"float64 {kept} here", None, memo)
    except NoMpmathMeaning as why:
        return PointValue(value, error, reliable=False,
                          note=f"float64 {kept} here (error bound {error:.1e}); {why}")


def digits_kept(error: float, value: float) -> str:
    """How many digits a float64 value keeps, in words.

    >>> digits_kept(1e-9, 1.0), digits_kept(10.0, 1.0)
    ('is sure of only about 9 digits', 'may lose every digit')
    """
    if not math.isfinite(error) or error >= abs(value):
        return "may lose every digit"
    return f"is sure of only about {int(-math.log10(error / abs(value)))} digits"


def _number(name: str, v: Any) -> float:
    if np.ndim(v) != 0:
        raise ChainruleError(f"a value at a point needs a number for {name}, not an array "
                             f"(Expr.evaluate takes arrays)")
    return float(v)


def _precise(expr: Expr, point: dict[str, float], digits: int, why: str,
             err: DomainError | None, memo: dict[Any, Any] | None = None) -> PointValue:
    """The value in ``digits`` (plus the digits its largest numbers take up: cos(10³⁰⁹·x)
    needs 309 more to keep any), then in twice and four times as many, until two in a row
    agree to 12 digits; a value that shrinks with every precision is 0 (a sum that cancels
    exactly); else refused (rounding decides it at every precision tried)."""
    extra = _extra_digits(expr, point, memo or {})
    levels = [digits + extra, 2 * (digits + extra), 4 * (digits + extra)]
    values: list[Any] = []
    try:
        for work in levels:
            values.append(evaluate_mp(expr, point, work))
            if len(values) > 1 and _agree(values[-2], values[-1]):
                break
    except DomainError:
        if err is not None:
            raise err from None
        raise
    if len(values) > 1 and _agree(values[-2], values[-1]):
        return _in_range(expr, point, values[-1], abs(values[-1] - values[-2]),
                         levels[len(values) - 2], why)
    if all(abs(v) <= 10.0 ** (extra - work // 2) for v, work in zip(values, levels, strict=True)):
        # 10⁻⁵¹ with 51 digits, 10⁻¹⁰² with 102, 10⁻²⁰⁴ with 204: 0 (x/(x/2) − 2)
        return PointValue(0.0, float(max(abs(values[-1]), abs(values[-2]))),
                          digits=levels[-1],
                          note=f"computed with {levels[-1]} digits: 0 to that precision "
                               f"({why})")
    shown = ", ".join(f"{_magnitude(v)} with {work}"
                      for v, work in zip(values, levels, strict=True))
    raise DomainError(f"{_named(expr)} cannot be computed reliably here: its value depends "
                      f"on rounding even with {levels[-1]} digits ({shown}): undefined "
                      f"there, or a pole that rounding moves")


def _agree(low: Any, high: Any) -> bool:
    return bool(abs(high - low) <= RELIABLE * abs(high))


def _in_range(expr: Expr, point: dict[str, float], v: Any, spread: Any, work: int,
              why: str) -> PointValue:
    value = float(v)
    if math.isinf(value):
        where = ", ".join(f"{k} = {x:g}" for k, x in point.items())
        raise ValueOutOfRange(f"{_named(expr)} at {where} is about {_magnitude(v)}, "
                              f"beyond float64's range (about 1.8e308)")
    return PointValue(value, max(float(spread), abs(value) * EPS / 2), digits=work,
                      note=f"computed with {work} digits: {why}")


MAX_EXTRA = 2000
"""Most digits added for the size of the numbers involved."""


def _extra_digits(expr: Expr, point: dict[str, float], memo: dict[Any, Any]) -> int:
    """Decimal digits before the point of the largest number met: exact constants, the
    point, and float64's values of the nodes (where it computed them)."""
    sizes = [abs(v) for v in point.values()]
    sizes += [abs(float(v)) for v in memo.values() if np.ndim(v) == 0]
    digits = max((math.log10(v) for v in sizes if 1 < v < math.inf), default=0.0)
    for node in expr.walk():
        if isinstance(node, Const) and node.is_exact:
            size = node.value.numerator.bit_length() + node.value.denominator.bit_length()
            digits = max(digits, size * math.log10(2))
    return min(MAX_EXTRA, int(digits))


def _named(expr: Expr) -> str:
    text = str(expr)
    return text if len(text) <= 60 else "the value"


def _magnitude(v: Any) -> str:
    import mpmath  # present: v is one of its numbers
    return mpmath.nstr(v, 4, min_fixed=0, max_fixed=0).replace("e+", "e")
