"""Text → expression: the calculator syntax of DESIGN.md §5, with clear errors and no ``eval``.

>>> str(parse("2x^2 + sin x cos x"))
'cos(x)*sin(x) + 2x^2'
>>> interpret("1/2x")[1]
'x/2'

Conventions (the CLI echoes the interpreted form, so every choice is visible):

* **Numbers.** Integers and fractions are exact (``1/3`` stays a ``Fraction``); a decimal point
  or an exponent makes a float (``0.5``, ``1e-3``, ``2.5E+3``). ``2e3`` is 2000.0, while ``2e``
  and ``2e^x`` multiply by the constant e. ``inf``/``nan`` and non-finite values are refused.
* **Powers.** ``^`` and ``**`` are right-associative (``x^x^x = x^(x^x)``) and bind tighter than
  a leading minus (``-x^2 = -(x^2)``); an exponent may carry a sign (``2^-x``, ``x^-2``).
  ``x^2y = x^2·y`` and ``e^2x = e^2·x``: write ``e^(2x)`` for the other reading.
* **Implicit multiplication** (``2x``, ``x y``, ``2 sin(x)``, ``(x+1)(x-1)``, ``2(x+1)``,
  ``x(x+1)``) binds exactly like ``*``, left to right, so ``1/2x = (1/2)·x = x/2`` and
  ``x/2y = xy/2``. A number is never juxtaposed after a factor (``2 3``, ``x 2`` are errors),
  nor are ``|...|`` bars (write ``2*|x|`` or ``2abs(x)``).
* **Functions.** With parentheses, ``sin(x)^2 = (sin x)^2``. Without them a function takes
  the next power-level operand: ``sin x^2 = sin(x^2)``, ``sin x y = sin(x)·y``,
  ``sin x cos x = sin(x)·cos(x)``, ``ln x/x = ln(x)/x``, ``sin -x = sin(-x)``; a number
  written against a name or parenthesis goes with it: ``sin 2x = sin(2x)`` (also
  ``sin 2 x``), ``sin 2(x+1) = sin(2x + 2)``, but ``sin 2 cos x = sin(2)·cos(x)``.
  ``sin^2 x = sin^2(x) = (sin x)^2`` for any positive number; ``sin^-1 x`` is refused.
* **Logarithms.** ``log`` is the natural log like ``ln``; ``log(x, b)`` is base ``b``,
  ``log10(x)`` and ``log2(x)`` are bases 10 and 2.
* **Names.** ``e``, ``pi``, ``π`` are constants; identifiers start with a letter (any
  alphabet) and go on with letters, digits and ``_`` (``theta``, ``w_1``, ``θ``, ``x2``). A
  name that begins with a function name (``sinx``, ``lnx``, ``sin2x``) is refused with a hint,
  and so is a multi-letter name written like a call (``foo(x)``: unknown function).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedToken

from chainrule.core import build
from chainrule.core.abstract import ABSTRACT_NAMES
from chainrule.core.expr import Const, Expr
from chainrule.errors import ChainruleError, DomainError, ParseError
from chainrule.limits import MAX_NESTING, deep_recursion
from chainrule.parsing.names import CONSTANTS, FUNCTIONS, abstract_call, check_name
from chainrule.parsing.scan import prescan, syntax_error
from chainrule.printing.text import to_text

_LARK: Lark | None = None


def _lark() -> Lark:
    """The Lark LALR parser, built on first use and then shared."""
    global _LARK
    if _LARK is None:
        grammar = (Path(__file__).with_name("grammar.lark")).read_text(encoding="utf-8")
        # cache=True: Lark keeps the analysed grammar in a file in the temp directory (keyed by
        # the grammar, the options and Lark's version); building it takes ~75 ms, a third of
        # the command line's start, and loading it ~7 ms
        _LARK = Lark(grammar, parser="lalr", lexer="basic", maybe_placeholders=False,
                      lexer_callbacks={"NAME": _classify_name}, cache=True)
    return _LARK


def _classify_name(tok: Token) -> Token:
    if tok.value in CONSTANTS:
        tok.type = "CONST"
    elif tok.value in FUNCTIONS():
        tok.type = "FUNC"
    return tok


def parse(text: str) -> Expr:
    """Parse ``text`` into a canonical expression node; :class:`ParseError` when it is not one.

    >>> from chainrule.core.build import symbol, mul
    >>> parse("2x") is mul(2, symbol("x"))
    True
    >>> parse("sin(x")
    Traceback (most recent call last):
    ...
    chainrule.errors.ParseError: missing ')' at column 4 (hint: this '(' is never closed)
    """
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}", column=1)
    source = prescan(text)
    tokens = _abstract_calls(_lex(source, text))
    _check_names(tokens, text)
    tree = _run_parser(tokens, source, text)
    with deep_recursion():
        return _Converter(text).convert(tree.children[0], 0)


def interpret(text: str) -> tuple[Expr, str]:
    """The expression and how it was understood, printed back: what the CLI echoes.

    >>> interpret("sin^2 x")
    (Expr('sin(x)^2'), 'sin(x)^2')
    """
    expr = parse(text)
    return expr, to_text(expr)


def _lex(source: str, text: str) -> list[Token]:
    try:
        return list(_lark().lex(source))
    except UnexpectedCharacters as err:
        char = source[err.pos_in_stream]
        raise ParseError(f'unexpected character "{char}"', column=err.pos_in_stream + 1,
                         hint="a number cannot start or end with it" if char == "."
                         else "check the expression near here", text=text) from None


def _abstract_calls(tokens: list[Token]) -> list[Token]:
    """``f(``, ``g(``, ``h(``, ``u(``, ``v(`` (no space) call an abstract function: the name
    becomes a function token (known function names keep their meaning)."""
    for tok, nxt in zip(tokens, tokens[1:], strict=False):
        if (tok.type == "NAME" and tok.value in ABSTRACT_NAMES and nxt.type == "LPAR"
                and nxt.start_pos == tok.end_pos):
            tok.type = "FUNC"
    return tokens


def _check_names(tokens: list[Token], text: str) -> None:
    seen: set[str] = set()
    for i, tok in enumerate(tokens):
        if tok.type != "NAME":
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        adjacent = nxt is not None and nxt.type == "LPAR" and nxt.start_pos == tok.end_pos
        if adjacent or tok.value not in seen:
            check_name(tok.value, adjacent, column=tok.start_pos + 1, text=text)
            seen.add(tok.value)


def _run_parser(tokens: list[Token], source: str, text: str) -> Tree:
    """Feed the already-lexed tokens to the LALR parser (lexing once, not twice)."""
    interactive = _lark().parse_interactive("")
    for i, tok in enumerate(tokens):
        try:
            interactive.feed_token(tok)
        except UnexpectedToken:
            raise syntax_error(tok, tokens[:i], source, text) from None
    end = Token.new_borrow_pos("$END", "", tokens[-1])
    try:
        return interactive.feed_token(end)
    except UnexpectedToken:
        raise syntax_error(end, tokens, source, text) from None


class _Converter:
    """Lark tree → nodes through :mod:`chainrule.core.build`, tracking nesting depth."""

    def __init__(self, text: str) -> None:
        self.text = text

    def fail(self, message: str, column: int | None, hint: str | None = None) -> ParseError:
        return ParseError(message, column=column, hint=hint, text=self.text)

    def build(self, where: Tree | Token, fn: Any, *args: Any) -> Expr:
        """Call a builder; its refusals (``1/0``, overflow) become errors at ``where``."""
        try:
            return fn(*args)
        except ParseError:
            raise
        except (ChainruleError, ArithmeticError, ValueError) as err:
            message = "number too large" if isinstance(err, ArithmeticError) else str(err)
            if isinstance(err, DomainError) and isinstance(where, Token) and where.type == "SLASH":
                message = "division by zero"
            raise self.fail(message, _column(where), "check the numbers here") from None

    def convert(self, node: Tree | Token, depth: int) -> Expr:
        if depth > MAX_NESTING:
            raise self.fail(f"expression nested too deeply (limit {MAX_NESTING})",
                            _column(node), "simplify the nesting")
        return getattr(self, "on_" + node.data)(node, depth)

    # -- flat levels -------------------------------------------------------------------
    def on_sum(self, node: Tree, depth: int) -> Expr:
        """One flat sum, built once (a 2,000-term sum costs one sort, not 2,000 merges)."""
        kids = node.children  # product (PLUS|MINUS product)*: ``product`` is never inlined
        terms = [self.on_product(kids[0], depth)]
        for op, term in zip(kids[1::2], kids[2::2], strict=True):
            terms.append(self.on_product(term, depth, negated=op.type == "MINUS"))
        return terms[0] if len(terms) == 1 else self.build(node, build.add, *terms)

    def on_product(self, node: Tree, depth: int, negated: bool = False) -> Expr:
        """One flat product: ``-a*b/c d`` is ``mul(-1, a, b, c^-1, d)``, built once; in a sum,
        ``- a*b`` is ``mul(-1, a, b)`` too (so ``-1.0x`` keeps its float coefficient)."""
        kids = node.children
        factors: list[Expr] = [build.NEG_ONE] if negated else []
        i = 0
        while i < len(kids):
            kid, divide = kids[i], False
            if isinstance(kid, Token):  # STAR or SLASH; juxtaposed factors come bare
                kid, divide = kids[i + 1], kid.type == "SLASH"
                i += 1
            value = self.signed_factor(kid, depth, factors)
            if divide:
                value = self.build(kids[i - 1], build.power, value, build.NEG_ONE)
            factors.append(value)
            i += 1
        return factors[0] if len(factors) == 1 else self.build(node, build.mul, *factors)

    def signed_factor(self, node: Tree, depth: int, factors: list[Expr]) -> Expr:
        """A factor whose leading signs become a -1 factor of the product (not a negated
        sum: ``-(x + 1)/y`` keeps its sum, as the printer wrote it)."""
        while node.data in ("negate", "posate"):
            if node.data == "negate":
                factors.append(build.NEG_ONE)
            node, depth = node.children[1], depth + 1
            if depth > MAX_NESTING:
                return self.convert(node, depth)
        return self.convert(node, depth)

    # -- nesting levels ----------------------------------------------------------------
    def on_negate(self, node: Tree, depth: int) -> Expr:
        return self.build(node, build.neg, self.convert(node.children[1], depth + 1))

    def on_posate(self, node: Tree, depth: int) -> Expr:
        return self.convert(node.children[1], depth + 1)

    def on_pow(self, node: Tree, depth: int) -> Expr:
        base_node, op, exp_node = node.children
        base = self.convert(base_node, depth)
        exp = self.convert(exp_node, depth + 1)
        return self.build(op, build.power, base, exp)

    def on_group(self, node: Tree, depth: int) -> Expr:
        return self.convert(node.children[1], depth + 1)

    def on_bars(self, node: Tree, depth: int) -> Expr:
        inner = self.convert(node.children[1], depth + 1)
        return self.build(node, build.apply, "abs", inner)

    def on_coef(self, node: Tree, depth: int) -> Expr:
        number, target = node.children
        return self.build(node, build.mul, self.on_number(number, depth),
                          self.convert(target, depth))

    def on_coef_target(self, node: Tree, depth: int) -> Expr:
        if len(node.children) == 1:
            return self.convert(node.children[0], depth)
        return self.on_pow(node, depth)

    # -- functions ---------------------------------------------------------------------
    def on_call(self, node: Tree, depth: int) -> Expr:
        kids = [k for k in node.children if not (isinstance(k, Token) and k.type in
                                                 ("LPAR", "RPAR"))]
        fname, fpow = kids[0], _find(kids, "fpow")
        arg_tree = _find(kids, "args")
        args = [] if arg_tree is None else [
            self.convert(a, depth + 1) for a in arg_tree.children if isinstance(a, Tree)]
        return self.apply(fname, fpow, args, depth)

    def on_call_np(self, node: Tree, depth: int) -> Expr:
        fname, *rest = node.children
        fpow = rest[0] if len(rest) == 2 else None
        return self.apply(fname, fpow, [self.convert(rest[-1], depth + 1)], depth)

    def apply(self, fname: Token, fpow: Tree | None, args: list[Expr], depth: int) -> Expr:
        fn = FUNCTIONS().get(fname.value) or abstract_call(fname.value)
        column = fname.start_pos + 1
        problem = fn.arity_error(len(args))
        if problem:
            raise self.fail(problem, column, f"write {fn.name}({', '.join(['x'] * fn.min_args)})")
        value = self.build(fname, fn.build, args)
        if fpow is None:
            return value
        return self.build(fname, build.power, value, self.function_power(fn, fpow, depth))

    def function_power(self, fn: Any, fpow: Tree, depth: int) -> Expr:
        """The ``2`` of ``sin^2 x``: a positive number; ``sin^-1 x`` is ambiguous, refused."""
        op, fexp = fpow.children
        parts = [k for k in fexp.children if not (isinstance(k, Token) and k.type in
                                                  ("LPAR", "RPAR", "MINUS"))]
        negative = isinstance(fexp.children[0], Token) and fexp.children[0].type == "MINUS"
        value = self.convert(parts[0], depth + 1) if isinstance(parts[0], Tree) \
            else self.on_number(parts[0], depth)
        if negative:
            value = build.neg(value)
        column = op.start_pos + 1
        if not isinstance(value, Const):
            raise self.fail("the power after a function name must be a number", column,
                            f"write ({fn.name} x)^(...) for other powers")
        if value.value == 0:
            raise self.fail("the power after a function name must be positive", column,
                            f"write {fn.name}^2(x) for a square")
        if value.value < 0:
            power_text = self.text[column:_last_token(fexp).end_pos].strip()
            raise self.fail(f"{fn.name}^{power_text} is ambiguous", column,
                            fn.inverse_hint(power_text))
        return value

    # -- atoms -------------------------------------------------------------------------
    def on_number(self, node: Tree | Token, depth: int) -> Expr:
        tok = node.children[0] if isinstance(node, Tree) else node
        return self.build(tok, _number, tok.value)

    def on_name(self, node: Tree, depth: int) -> Expr:
        return build.symbol(node.children[0].value)

    def on_named_const(self, node: Tree, depth: int) -> Expr:
        return CONSTANTS[node.children[0].value]


def _number(literal: str) -> Expr:
    if any(c in literal for c in ".eE"):
        value = float(literal)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{literal} is too large to be a finite number")
        return build.const(value)
    if len(literal) > _MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(literal)} digits is too long")
    return build.const(int(literal))


_MAX_INT_DIGITS = 1_000


def _find(kids: list, data: str) -> Tree | None:
    return next((k for k in kids if isinstance(k, Tree) and k.data == data), None)


def _column(node: Tree | Token) -> int | None:
    """1-based column of the first token of ``node`` (computed only when an error needs it)."""
    while isinstance(node, Tree):
        if not node.children:
            return None
        node = node.children[0]
    return node.start_pos + 1


def _last_token(node: Tree | Token) -> Token:
    while isinstance(node, Tree):
        node = node.children[-1]
    return node
