"""Cheap checks before Lark runs, and the wording of syntax errors after it fails.

:func:`prescan` bounds the work (length, parenthesis depth) and refuses characters that are
never part of an expression, so that hostile input fails fast with a precise column.

>>> prescan("2×x − 1")
'2*x - 1'
>>> try:
...     prescan("x = 1")
... except ParseError as err:
...     print(err)
unexpected character "=" at column 3 (hint: write an expression, not an equation)
"""

from __future__ import annotations

from lark import Token

from chainrule.errors import ParseError
from chainrule.limits import MAX_INPUT_CHARS, MAX_NESTING

# One character for one, so columns in the source are columns in the input.
_SAME_WIDTH = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "−": "-", "×": "*", "·": "*",
                             "⋅": "*", "÷": "/"})
_ALLOWED = frozenset("0123456789 +-*/^(),.|_") | frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_CHAR_HINTS = {
    "=": "write an expression, not an equation",
    "'": "quotes are not part of the syntax", '"': "quotes are not part of the syntax",
    "[": 'use "(" and ")" for grouping', "]": 'use "(" and ")" for grouping',
    "{": 'use "(" and ")" for grouping', "}": 'use "(" and ")" for grouping',
    "²": "write x^2 for a power", "³": "write x^3 for a power",
    "_": "names start with a letter",
}
_OPERATORS = {"PLUS", "MINUS", "STAR", "SLASH", "POW", "COMMA", "LPAR"}
_OPERAND_ENDS = {"NUMBER", "NAME", "CONST", "RPAR"}


def prescan(text: str) -> str:
    """The text Lark will read (same length, same columns), or a :class:`ParseError`."""
    if len(text) > MAX_INPUT_CHARS:
        raise ParseError(f"input is {len(text)} characters; the limit is {MAX_INPUT_CHARS}",
                         column=MAX_INPUT_CHARS + 1, hint="shorten the expression", text=text)
    source = text.translate(_SAME_WIDTH)
    for i, ch in enumerate(source):
        if ch in _ALLOWED or ch.isalpha():
            if ch == "_" and (i == 0 or not (source[i - 1].isalnum() or source[i - 1] == "_")):
                raise _bad_char(ch, i, text)
            continue
        raise _bad_char(ch, i, text)
    if not source.strip():
        raise ParseError("empty expression", column=1, hint="type an expression such as x^2",
                         text=text)
    _check_parentheses(source, text)
    return source


def _bad_char(ch: str, index: int, text: str) -> ParseError:
    shown = f'"{ch}"' if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"
    hint = _CHAR_HINTS.get(ch, "remove it" if not ch.isprintable() or ch.isspace()
                           else "it is not part of the expression syntax")
    return ParseError(f"unexpected character {shown}", column=index + 1, hint=hint, text=text)


def _check_parentheses(source: str, text: str) -> None:
    """Balanced and at most MAX_NESTING deep, before any parsing work."""
    opened: list[int] = []
    for i, ch in enumerate(source):
        if ch == "(":
            opened.append(i)
            if len(opened) > MAX_NESTING:
                raise ParseError(f"parentheses nested too deeply (limit {MAX_NESTING})",
                                 column=i + 1, hint="simplify the nesting", text=text)
        elif ch == ")":
            if not opened:
                raise ParseError('unexpected ")"', column=i + 1,
                                 hint='there is no "(" before it', text=text)
            opened.pop()
    if opened:
        raise ParseError("missing ')'", column=opened[-1] + 1,
                         hint="this '(' is never closed", text=text)


def syntax_error(token: Token, before: list[Token], source: str, text: str) -> ParseError:
    """A :class:`ParseError` for an unexpected ``token``, worded from the token before it."""
    prev = before[-1] if before else None
    if token.type == "$END":
        column = (prev.end_pos if prev is not None else len(source.rstrip())) + 1
        message, shown = "unexpected end of input", None
    else:
        column = token.start_pos + 1
        shown = token.value
        message = f'unexpected "{shown}"'
    hint = _hint(token, shown, prev, before)
    function = _function_waiting(before)
    if function is not None and token.type not in ("LPAR", "POW"):
        message, hint = f"{function} needs an argument", f"write {function}(x)"
    return ParseError(message, column=column, hint=hint, text=text)


def _function_waiting(before: list[Token]) -> str | None:
    """The function name when the input stops right after ``sin`` or ``sin^2``."""
    kinds = [t.type for t in before[-4:]]
    for pattern in (["FUNC"], ["FUNC", "POW", "NUMBER"], ["FUNC", "POW", "MINUS", "NUMBER"]):
        if kinds[-len(pattern):] == pattern:
            return before[-len(pattern)].value
    return None


def _hint(token: Token, shown: str | None, prev: Token | None, before: list[Token]) -> str:
    if prev is not None and prev.type == "POW" and len(before) > 1 \
            and before[-2].type == "FUNC":
        return f"after a function name ^ takes a number, as in {before[-2].value}^2(x)"
    if prev is None or prev.type in _OPERATORS:
        if token.type == "RPAR" and prev is not None and prev.type == "LPAR":
            return "the parentheses are empty"
        where = f'after "{prev.value}"' if prev is not None else "at the start"
        if token.type == "$END":
            return f'"{prev.value}" needs an operand after it' if prev else "it is empty"
        return f'expected a number, a name or "(" {where}'
    if token.type == "NUMBER" and prev.type in _OPERAND_ENDS | {"BAR"}:
        return f'write "*" before a number that follows a factor: *{shown}'
    if token.type == "BAR" and prev.type in _OPERAND_ENDS | {"BAR"}:
        return 'write "*" before |...|, or use abs(...)'
    if token.type == "COMMA":
        return "commas only separate function arguments, as in log(x, 2)"
    if token.type == "$END":
        bars = sum(1 for t in before if t.type == "BAR")
        return 'a "|" is never closed' if bars % 2 else "the expression is incomplete"
    return "check the expression near here"
