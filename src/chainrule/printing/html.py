"""Small HTML building blocks for notebook displays: escaped text, tables, collapsible lists.

Every ``_repr_html_`` of a result object (gradient checks, verifications, answer checks,
numerical derivatives, Monte Carlo comparisons, Taylor tables, critical points) goes through
:func:`html_table`, so they share one look and one escaping rule: every cell is text and is
escaped, unless it is wrapped in :class:`Markup` (already-safe HTML such as MathML).

>>> table = html_table([("x", 1.5), ("<y>", 2)], header=("name", "value"))
>>> table.count("<tr>"), "<td>&lt;y&gt;</td>" in table
(3, True)
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any


class Markup(str):
    """A string that is already HTML: :func:`cell` puts it in unescaped."""

    __slots__ = ()


def escape(text: Any) -> str:
    """``text`` as HTML text: ``&``, ``<``, ``>`` and both quotes escaped.

    >>> escape('a < b & "c"')
    'a &lt; b &amp; &quot;c&quot;'
    """
    return html.escape(str(text), quote=True)


def cell(value: Any) -> str:
    """One table cell's content: floats to 6 significant digits, ``None`` empty, objects with
    an HTML repr (expressions) as that HTML, anything else as escaped text.

    >>> cell(2 / 3), cell(None), cell(True), cell(Markup("<b>1</b>"))
    ('0.666667', '', '✓', '<b>1</b>')
    """
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    shown = getattr(value, "_repr_html_", None)  # an expression shows as its MathML
    if callable(shown) and not isinstance(value, type):
        markup = shown()
        if markup is not None:
            return str(markup)
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, float) and math.isfinite(value):
        return escape(format(value, ".6g"))
    return escape(value)


def html_table(rows: Iterable[Sequence[Any]], header: Sequence[Any] | None = None,
               caption: Any = None) -> str:
    """An HTML table of ``rows`` (sequences of cells), with an optional header and caption."""
    parts = ['<table class="chainrule">']
    if caption is not None:
        parts.append(f"<caption>{cell(caption)}</caption>")
    if header is not None:
        parts.append("<thead><tr>" + "".join(f"<th>{cell(h)}</th>" for h in header)
                     + "</tr></thead>")
    parts.append("<tbody>")
    parts += ["<tr>" + "".join(f"<td>{cell(c)}</td>" for c in row) + "</tr>" for row in rows]
    parts.append("</tbody></table>")
    return "".join(parts)


def details(summary: Any, body: str = "", open_: bool = False) -> str:
    """A collapsible ``<details>`` block; ``summary`` is escaped unless it is :class:`Markup`.

    >>> details("Sum rule", "<ul></ul>")
    '<details><summary>Sum rule</summary><ul></ul></details>'
    """
    attr = " open" if open_ else ""
    return f"<details{attr}><summary>{cell(summary)}</summary>{body}</details>"
