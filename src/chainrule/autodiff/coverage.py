"""What automatic differentiation covers, listed from the dispatch tables themselves.

README's list of what is covered is this module's :func:`coverage_markdown`, between the
markers ``<!-- ad-coverage:start -->`` and ``<!-- ad-coverage:end -->``, and a test keeps the
two equal, so the list cannot drift from the code. ``python -m chainrule.autodiff.coverage``
prints it; ``python -m chainrule.autodiff.coverage README.md`` rewrites the block in place.

>>> "`sin`" in coverage_markdown()
True
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from chainrule.autodiff.array_functions import VALUE_ONLY, is_covered
from chainrule.autodiff.complex_numbers import accepts_complex
from chainrule.core.numpy_dispatch import CONSTANT_UFUNCS
from chainrule.core.registry import all_primitives

NAMESPACES: tuple[tuple[str, ModuleType], ...] = (
    ("numpy", np), ("numpy.linalg", np.linalg), ("numpy.fft", np.fft))

EXTENSIONS = ("grad", "value_and_grad", "jvp", "vjp", "jacobian", "hessian", "hvp",
              "elementwise_grad", "directional_derivative", "linearize", "vmap",
              "custom_vjp", "custom_jvp", "stop_gradient", "checkpoint")


FOREIGN = {"expm1x"}
"""Names other libraries add to NumPy's namespace (numexpr, the jit's optional fusion backend,
adds ``numpy.expm1x`` as an alias of ``expm1`` when imported): not NumPy's own surface."""


def numpy_callables(module: ModuleType) -> dict[str, Any]:
    """The public ufuncs and array functions of ``module`` (what traced code can call)."""
    out = {}
    for name in dir(module):
        if name in FOREIGN:
            continue
        func = getattr(module, name, None)
        if not name.startswith("_") and (isinstance(func, np.ufunc)
                                         or hasattr(func, "_implementation")):
            out[name] = func
    return out


def covered(module: ModuleType) -> tuple[list[str], list[str], list[str]]:
    """Names in ``module`` that are differentiated, those answered from values alone, and the
    differentiated ones that take complex input."""
    differentiated, constant, complex_ok = [], [], []
    for name, func in sorted(numpy_callables(module).items()):
        if func in VALUE_ONLY or func in CONSTANT_UFUNCS:
            constant.append(name)
        elif is_covered(func):
            differentiated.append(name)
            if accepts_complex(func):
                complex_ok.append(name)
    return differentiated, constant, complex_ok


def _names(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def coverage_markdown() -> str:
    """The covered NumPy surface as Markdown bullets (README's block)."""
    lines = []
    for prefix, module in NAMESPACES:
        differentiated, constant, complex_ok = covered(module)
        if differentiated:
            lines.append(f"* `{prefix}` ({len(differentiated)}): {_names(differentiated)}")
        if constant:
            lines.append(f"* `{prefix}`, piecewise constant or answered from values "
                         f"({len(constant)}): {_names(constant)}")
        if complex_ok:
            lines.append(f"* `{prefix}`, complex input too ({len(complex_ok)}): "
                         f"{_names(complex_ok)}")
    lines.append(f"* rule records ({len(all_primitives())}): "
                 f"{_names(sorted(all_primitives()))}")
    lines.append(f"* transformations: {_names(list(EXTENSIONS))}")
    return "\n".join(lines) + "\n"


START, END = "<!-- ad-coverage:start -->\n", "<!-- ad-coverage:end -->"


def rewrite(text: str) -> str:
    """``text`` with the block between the markers replaced by the current list.

    >>> rewrite(f"a\\n{START}old\\n{END}\\nb").startswith(f"a\\n{START}* `numpy`")
    True
    """
    if START not in text or END not in text:
        raise ValueError("no coverage block (the markers) in the text")
    head, rest = text.split(START, 1)
    return head + START + coverage_markdown() + END + rest.split(END, 1)[1]


def main(argv: list[str]) -> None:
    """Print the list, or rewrite the block of each file named."""
    if not argv:
        print(coverage_markdown(), end="")
    for name in argv:
        path = Path(name)
        path.write_text(rewrite(path.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
