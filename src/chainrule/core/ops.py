"""chainrule's own operations: what derivative rules are written in.

``ops.sin(u)`` builds an expression node when ``u`` is an :class:`~chainrule.core.expr.Expr`,
defers to a tracer when ``u`` is a traced value (automatic differentiation), and otherwise
computes numerically with the primitive's NumPy implementation. Python operators behave the
same way, so one rule such as ``lambda x, ans: -ops.sin(x)`` serves every mode.

>>> import numpy as np
>>> from chainrule.core import ops
>>> from chainrule.core.build import symbol
>>> str(ops.cos(symbol("x"))), float(ops.cos(np.float64(0.0)))
('cos(x)', 1.0)
"""

from __future__ import annotations

from typing import Any

from chainrule.core.expr import Expr


def call(prim: Any, *args: Any, **params: Any) -> Any:
    """Apply primitive ``prim`` to ``args`` in whatever mode the arguments call for.

    Expressions build nodes; traced values (automatic differentiation) record the call at
    the innermost trace level; anything else is computed by the primitive's implementation.
    """
    if any(isinstance(a, Expr) for a in args):
        from chainrule.core.build import apply
        if params or not prim.symbolic:
            from chainrule.errors import ChainruleError
            raise ChainruleError(f"{prim.name} is an array operation with no symbolic form")
        return apply(prim, *args)
    from chainrule.autodiff.tracing import bind
    return bind(prim, args, params)


def _op(name: str):
    def op(*args: Any) -> Any:
        from chainrule.core.registry import get
        return call(get(name), *args)

    op.__name__ = name
    op.__doc__ = f"The ``{name}`` primitive in any mode."
    return op


exp = _op("exp")
ln = _op("ln")
log = _op("log")
sqrt = _op("sqrt")
cbrt = _op("cbrt")
abs = _op("abs")  # noqa: A001 - mirrors the primitive's name
sign = _op("sign")
sin = _op("sin")
cos = _op("cos")
tan = _op("tan")
cot = _op("cot")
sec = _op("sec")
csc = _op("csc")
sinh = _op("sinh")
cosh = _op("cosh")
tanh = _op("tanh")
sigmoid = _op("sigmoid")
heaviside = _op("heaviside")
