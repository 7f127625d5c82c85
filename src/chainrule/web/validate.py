"""Limits of the web API and the checks every request passes before any work is done.

A request that breaks a rule gets an :class:`ApiError`: a 4xx status and one sentence that
says which field is wrong and what is allowed. Nothing here computes mathematics.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

MAX_BODY_BYTES = 64 * 1024
"""Largest request body accepted."""
MAX_EXPR_CHARS = 1_000
"""Longest expression (or answer) text."""
MAX_NESTING = 40
"""Deepest bracket nesting in an expression."""
MAX_ORDER = 10
"""Highest derivative order (the command line allows more; the page has to stay responsive)."""
MAX_PLOT_POINTS = 2_000
"""Most points of one plot."""
MAX_RANGE = 1e6
"""Largest |x| of a plot range or a probe point."""
MAX_VARIABLES = 8
"""Most variables in one expression of the graph view."""
MAX_HIDE = 40
"""Most rule names in a ``hide`` list."""
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
"""Largest answer sent back; a bigger one is refused with a message."""
TIME_LIMIT_S = 10.0
"""Default time one request may compute before it is stopped."""

LIMITS = {
    "max_body_bytes": MAX_BODY_BYTES, "max_expr_chars": MAX_EXPR_CHARS,
    "max_nesting": MAX_NESTING, "max_order": MAX_ORDER, "max_plot_points": MAX_PLOT_POINTS,
    "max_range": MAX_RANGE, "max_variables": MAX_VARIABLES,
    "max_response_bytes": MAX_RESPONSE_BYTES,
}

_NAME = re.compile(r"^[A-Za-z_\u0370-\u03ff][A-Za-z0-9_\u0370-\u03ff]{0,31}$")
_OPEN, _CLOSE = "([{", ")]}"


@dataclass
class ApiError(Exception):
    """A bad request: HTTP ``status`` and a message for a person (``column`` is 1-based)."""

    status: int
    message: str
    column: int | None = None
    hint: str | None = None
    field: str | None = None

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.message}
        for key in ("column", "hint", "field"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


class Fields:
    """The JSON object of one request, read field by field with clear errors.

    ``allowed`` names every field the endpoint knows; any other is refused, so a typo such as
    ``"oder"`` is reported instead of silently ignored.
    """

    def __init__(self, data: Any, allowed: tuple[str, ...]):
        if not isinstance(data, dict):
            raise ApiError(400, f"the request body must be a JSON object, got {_kind(data)}")
        unknown = sorted(k for k in data if k not in allowed)
        if unknown:
            raise ApiError(422, f"unknown field {unknown[0]!r}; this endpoint takes "
                                f"{', '.join(allowed)}", field=unknown[0])
        self.data = data

    def _get(self, name: str, required: bool) -> Any:
        if name not in self.data or self.data[name] is None:
            if required:
                raise ApiError(422, f"missing field {name!r}", field=name)
            return None
        return self.data[name]

    def expr(self, name: str = "expr", required: bool = True) -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise ApiError(422, f"field {name!r} must be a string, got {_kind(value)}", field=name)
        check_expression_text(value, name)
        return value

    def name(self, name: str) -> str | None:
        value = self._get(name, False)
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not _NAME.match(value):
            raise ApiError(422, f"field {name!r} must be a variable name such as \"x\", got "
                                f"{_short(value)}", field=name)
        return value

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self._get(name, False)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise ApiError(422, f"field {name!r} must be a whole number, got {_short(value)}",
                           field=name)
        if not low <= value <= high:
            raise ApiError(422, f"field {name!r} must be between {low} and {high}, got {value}",
                           field=name)
        return value

    def number(self, name: str, default: float | None, limit: float = MAX_RANGE) -> float:
        value = self._get(name, default is None)
        if value is None:
            return float(default)  # type: ignore[arg-type]
        return finite_number(value, name, limit)

    def boolean(self, name: str, default: bool) -> bool:
        value = self._get(name, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise ApiError(422, f"field {name!r} must be true or false, got {_short(value)}",
                           field=name)
        return value

    def choice(self, name: str, default: str, options: tuple[str, ...]) -> str:
        value = self._get(name, False)
        if value is None:
            return default
        if value not in options:
            raise ApiError(422, f"field {name!r} must be one of {', '.join(options)}, got "
                                f"{_short(value)}", field=name)
        return value

    def names_list(self, name: str) -> list[str]:
        """A list of rule names (or one comma-separated string), e.g. ``["Sum rule"]``."""
        value = self._get(name, False)
        if value is None:
            return []
        if isinstance(value, str):
            value = [v for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ApiError(422, f"field {name!r} must be a list of rule names", field=name)
        if len(value) > MAX_HIDE or any(len(v) > 80 for v in value):
            raise ApiError(422, f"field {name!r} may name at most {MAX_HIDE} rules of at most "
                                f"80 characters", field=name)
        return [v.strip() for v in value]

    def point(self, name: str, required: bool = False) -> dict[str, float] | float | None:
        """A number (the one variable's value) or an object ``{"x": 2, "y": 0.5}``.

        Text such as ``"x=2, y=pi/2"`` (the command line's ``--at``) is accepted too and
        returned as it is, for :func:`chainrule.cli.diff_command.parse_point` to read.
        """
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, str):
            if len(value) > MAX_EXPR_CHARS:
                raise ApiError(413, f"field {name!r} is longer than {MAX_EXPR_CHARS} "
                                    f"characters", field=name)
            return value  # type: ignore[return-value]
        if isinstance(value, dict):
            if not value or len(value) > MAX_VARIABLES:
                raise ApiError(422, f"field {name!r} must give 1 to {MAX_VARIABLES} variables",
                               field=name)
            out = {}
            for key, v in value.items():
                if not _NAME.match(key):
                    raise ApiError(422, f"field {name!r}: {_short(key)} is not a variable "
                                        f"name", field=name)
                out[key] = finite_number(v, f"{name}.{key}", MAX_RANGE)
            return out
        return finite_number(value, name, MAX_RANGE)


def finite_number(value: Any, name: str, limit: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ApiError(422, f"field {name!r} must be a number, got {_short(value)}",
                       field=name.split(".")[0])
    number = float(value)
    if not math.isfinite(number) or abs(number) > limit:
        raise ApiError(422, f"field {name!r} must be a finite number of size at most "
                            f"{limit:g}, got {value!r}", field=name.split(".")[0])
    return number


def check_expression_text(text: str, field: str = "expr") -> None:
    """Length, emptiness and bracket depth, checked before the parser sees the text."""
    if len(text) > MAX_EXPR_CHARS:
        raise ApiError(413, f"the expression is {len(text):,} characters long; the limit is "
                            f"{MAX_EXPR_CHARS:,}", field=field)
    if not text.strip():
        raise ApiError(422, f"field {field!r} is empty: type an expression such as x^x",
                       column=1, field=field)
    depth = 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
            if depth > MAX_NESTING:
                raise ApiError(422, f"brackets are nested more than {MAX_NESTING} deep",
                               column=i + 1, hint="simplify the expression", field=field)
        elif ch in _CLOSE:
            depth -= 1


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "null"}.get(type(value),
                                                                      type(value).__name__)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
