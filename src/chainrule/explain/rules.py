"""The rule names a derivation can show: what ``--hide`` accepts and ``chainrule rules`` lists.

Every name comes from where the rule is defined: the records of the rule table (their
``text.name``), the step classes (their ``name``), and the names the detail levels hide
(:data:`chainrule.explain.render.DETAIL_HIDES`). Each has a short form for the command line:
``"Constant multiple rule"`` is ``constant-multiple``. An unknown name is an error that
suggests the nearest known one.

>>> sorted(resolve_hide(["sum", "Constant-Multiple", "quotient rule"]))
['constant multiple rule', 'quotient rule', 'sum rule']
>>> try:
...     resolve_hide(["qoutient"])
... except ChainruleError as err:
...     print(str(err).split(";")[0])
unknown rule 'qoutient' (did you mean quotient?)
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from chainrule.core.registry import all_primitives
from chainrule.errors import ChainruleError
from chainrule.symbolic import calculus_steps  # noqa: F401 - its step kinds name rules too
from chainrule.symbolic.steps import Step

OUTER_FUNCTION = "Outer function"
"""The name that hides a chain rule's outer step ``d/du f(u) = f′(u)`` (the chain rule's own
line already shows f′(u)): a teacher writes ``d/dx sin(x²) = cos(x²)·2x`` in one line."""
LOG_DIFFERENTIATION = "Logarithmic differentiation"
WORKING = "Working"
"""The name that hides the substeps of a step whose class marks them as working
(``Step.working``): the per-term derivatives under "differentiate both sides", which the next
line states whole."""
DEPENDENT = "Dependent variable"

DETAIL_HIDES = {
    "full": frozenset(),
    "normal": frozenset({"Constant rule", "Identity rule", DEPENDENT}),
    "brief": frozenset({"Constant rule", "Identity rule", "Sum rule", "Constant multiple rule",
                        OUTER_FUNCTION, LOG_DIFFERENTIATION, DEPENDENT, WORKING}),
}


@dataclass(frozen=True)
class RuleName:
    """One rule: its name as steps show it, its short form, and where it comes from."""

    name: str
    short: str
    source: str  # "step" (a step kind), "record" (the rule table) or "detail" (a detail level)


def short_name(name: str) -> str:
    """``"Constant multiple rule"`` → ``"constant-multiple"``, as ``--hide`` takes it.

    >>> short_name("Logarithm rule (base b)"), short_name("broadcast_to")
    ('logarithm-base-b', 'broadcast-to')
    """
    out = name.lower().removesuffix(" rule")
    out = re.sub(r" rule \(", " (", out)
    return re.sub(r"[^a-z0-9′]+", "-", out).strip("-")


@cache
def vocabulary() -> tuple[RuleName, ...]:
    """Every rule name, sorted by short form (each short form once)."""
    found: dict[str, RuleName] = {}

    def add(name: str, source: str) -> None:
        short = short_name(name)
        found.setdefault(short, RuleName(name, short, source))

    kinds, stack = [], [Step]
    while stack:
        kind = stack.pop()
        kinds.append(kind)
        stack.extend(kind.__subclasses__())
    for kind in kinds:
        if kind.name != Step.name:
            add(kind.name, "step")
    for prim in all_primitives().values():
        if prim.text is not None:
            add(prim.text.name, "record")
            for text in prim.extra.get("arg_texts") or ():
                add(text.name, "record")
    for names in DETAIL_HIDES.values():
        for name in names:
            add(name, "detail")
    return tuple(sorted(found.values(), key=lambda r: r.short))


def resolve_hide(names: Iterable[str]) -> frozenset[str]:
    """The rule names (lower case) for ``names`` given in full or short form, any case; an
    unknown one raises :class:`ChainruleError` naming the nearest known one."""
    by_key: dict[str, str] = {}
    for r in vocabulary():
        by_key[r.short] = r.name.lower()
        by_key[r.name.lower()] = r.name.lower()
    out = set()
    for given in names:
        key = given.strip().lower()
        if not key:
            continue
        match = by_key.get(key) or by_key.get(short_name(key))
        if match is None:
            shorts = [r.short for r in vocabulary()]
            near = difflib.get_close_matches(short_name(key), shorts, n=1, cutoff=0.6)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise ChainruleError(f"unknown rule {given.strip()!r}{hint}; `chainrule rules` "
                                 f"lists the valid names: {', '.join(shorts)}")
        out.add(match)
    return frozenset(out)
