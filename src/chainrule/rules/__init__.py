"""The derivative table, grouped by family. One record per primitive; see DESIGN.md §2.

:func:`register_all` is the one place that puts every record into the registry.

Adding a primitive is one record here and one spec line in the tests' ``primitive_specs``.
``asinh`` is the worked example (in :mod:`chainrule.rules.hyperbolic`)::

    ASINH = unary("asinh", np.arcsinh, lambda x, ans: 1 / ops.sqrt(x**2 + 1),
                  "Inverse hyperbolic sine rule", "d/dx asinh(u) = u′/√(u² + 1)", "hyperbolic",
                  values={F(0): F(0)}, inverse=Inverse("sinh"), **_area("sinh"))

The ufunc ``np.arcsinh`` is its implementation, its NumPy binding (``np.arcsinh(box)``
traces to it) and what compiled code calls; the derivative, written with chainrule's
operations, serves symbolic, forward, reverse and higher-order differentiation; the keywords
give the special value asinh(0) = 0, the inverse, and (through ``_area``) the LaTeX and
MathML heads, the parse alias ``arcsinh``, the ``math`` function for scalar code and the SymPy
name. The parser, the printers, the compiler, NumPy dispatch, the SymPy bridge and the
calculus tools read these fields, and registry-driven tests (``test_records``, the
check_grads specs, the SymPy corpus) cover the new record with no other edit.
"""

from __future__ import annotations

from collections.abc import Callable

from chainrule.core.primitive import Primitive
from chainrule.rules import (
    arithmetic,
    arrays,
    complex_parts,
    decompositions,
    exp_log,
    fourier,
    hyperbolic,
    linalg,
    ml,
    rounding,
    special,
    trig,
)


def register_all(register: Callable[[Primitive], Primitive]) -> None:
    """Register every primitive of every family (the package ``__init__`` makes this the
    registry's loader).

    >>> names = []
    >>> register_all(lambda prim: names.append(prim.name))
    >>> "sin" in names and "matmul" in names
    True
    """
    for family in (arithmetic, exp_log, trig, hyperbolic, ml, rounding, special, arrays, linalg,
                   decompositions, complex_parts, fourier):
        for prim in family.PRIMITIVES:
            register(prim)
