"""Checking derivatives against each other: the gradient checker and the three-way verifier.

:func:`check_grads` compares every differentiation mode of a Python function with finite
differences, to any order (our test oracle and a public feature); :func:`verify` compares one
expression's symbolic derivative with forward mode, reverse mode and a numerical estimate (the
check behind ``chainrule diff --verify`` and the explorer's three-way panel). Both take their
finite differences from :mod:`chainrule.numeric` and their tolerances from
:mod:`chainrule.testing.tolerance`.

>>> from chainrule.testing import verify
>>> verify("sin(x)^2", "x", {"x": 0.5}).agree
True
"""

from chainrule.testing.gradcheck import (
    Check,
    GradCheckError,
    GradCheckReport,
    check_grads,
    richardson_derivative,
)
from chainrule.testing.verification import Verification, verify

__all__ = ["Check", "GradCheckError", "GradCheckReport", "Verification", "check_grads",
           "richardson_derivative", "verify"]
