"""README's list of what automatic differentiation covers is the one the code generates.

The list is regenerated from the dispatch tables (:mod:`chainrule.autodiff.coverage`); names
that the installed NumPy does not have (the pins admit NumPy 1.26 and 2.x) are ignored, so the
test compares what this NumPy can check.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from chainrule.autodiff.coverage import NAMESPACES, coverage_markdown

README = Path(__file__).resolve().parents[1] / "README.md"
MODULES = dict(NAMESPACES)


def _bullets(text: str) -> dict[str, set[str]]:
    """``label -> names`` of each bullet (counts dropped: they vary with NumPy's version)."""
    out = {}
    for line in text.strip().splitlines():
        label, _, names = line.partition(": ")
        out[re.sub(r" \(\d+\)$", "", label)] = set(re.findall(r"`([^`]+)`", names))
    return out


def _readme_block() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("<!-- ad-coverage:start -->\n", 1)[1].split("<!-- ad-coverage:end -->")[0]


def _exists(label: str, name: str) -> bool:
    module = re.match(r"\* `([\w.]+)`", label)
    if module is None or module.group(1) not in MODULES:
        return True
    return hasattr(MODULES[module.group(1)], name)


OLD_NUMPY_ONLY = {"row_stack", "trapz"}
"""Names NumPy 1.x covers that NumPy 2 deprecates (the README's list is NumPy 2's)."""


def test_readme_lists_what_the_code_covers():
    readme, generated = _bullets(_readme_block()), _bullets(coverage_markdown())
    assert set(readme) == set(generated)
    for label, names in generated.items():
        # the README is generated with NumPy 2: names only NumPy 1.x covers are left out
        listed = {n for n in readme[label] if _exists(label, n)} - OLD_NUMPY_ONLY
        names = names - OLD_NUMPY_ONLY
        assert listed == names, (f"{label}: README differs in {sorted(listed ^ names)}; "
                                 "run python -m chainrule.autodiff.coverage README.md")


@pytest.mark.parametrize("name", ["sin", "sum", "einsum", "angle"])
def test_the_list_is_not_empty_of_the_obvious(name):
    assert name in _bullets(coverage_markdown())["* `numpy`"]
    assert hasattr(np, name)
