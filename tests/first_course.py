"""A first-course problem set: what a calculus teacher assigns, with worked-solution sizes.

``PROBLEMS`` are explicit derivatives in x (the issue's examples first), ``IMPLICIT`` are
curves for implicit differentiation. ``TEXTBOOK_LINES`` gives, for ten of them, the number of
numbered lines of a worked textbook solution (one line per rule applied that a teacher writes
out, plus the final simplification when there is one), counted from standard first-course
solutions; ``--detail brief`` must stay within 1.3 times that.
"""

from __future__ import annotations

PROBLEMS = [
    # the examples
    "sin(x)/(1 + cos(x))", "atan((1 + x)/(1 - x))", "ln(abs(x))", "ln(cosh(x))", "abs(x)*x",
    "((x + 1)/(x - 1))^3",
    # powers, sums, constant multiples
    "3x^4 - 5x^2 + 7", "x^(1/3) + 2/x", "sqrt(x) + 1/sqrt(x)", "(2x + 1)^5", "5/(x^3)",
    "(x^2 + 1)^2", "x^3 - 6x^2 + 9x - 2", "4x^(-2) + x^(3/2)",
    # products and quotients
    "x^2 sin(x)", "x e^x", "x^3 ln(x)", "sin(x) cos(x)", "(x^2 + 1)(x^3 - x)",
    "sin(x)/x", "(x + 1)/(x - 1)", "x/(x^2 + 1)", "e^x/x^2", "ln(x)/x", "tan(x)/x",
    "(1 - x^2)/(1 + x^2)",
    # the chain rule
    "sin(x^2)", "cos(3x + 1)", "e^(x^2)", "ln(x^2 + 1)", "sqrt(1 - x^2)", "tan(2x)",
    "(3x^2 - 2)^4", "sin(x)^3", "e^(sin(x))", "ln(sin(x))", "cos(sqrt(x))", "1/(1 + e^(-x))",
    "sqrt(x^2 + 4x)", "sin(cos(x))", "e^(-x) sin(2x)", "x sqrt(1 + x^2)",
    # inverse trigonometric, hyperbolic, other bases
    "asin(2x)", "atan(x^2)", "x atan(x)", "acos(x)/x", "sinh(x) cosh(x)", "tanh(3x)",
    "2^x", "x*10^x", "log(x, 2)",
    # logarithmic differentiation
    "x^x", "x^sin(x)", "(x^2 + 1)^3 (x - 2)^2/(x + 5)^4", "sqrt(x) e^x/(x + 1)",
    # multi-step
    "ln((x + 1)/(x - 1))", "e^(2x) cos(3x)", "x^2 e^(-x^2)", "sec(x) tan(x)",
    "ln(x + sqrt(x^2 + 1))",
]

IMPLICIT = [
    ("x^2 + y^2", "25"), ("x^3 + y^3", "6x y"), ("x y", "1"), ("sin(x y)", "x"),
    ("e^y", "x^2 + y"), ("x^2 - x y + y^2", "3"), ("y^2", "x^3 + x"),
    ("sqrt(x) + sqrt(y)", "4"), ("x^2 y + y^3", "2"), ("ln(y) + x", "y"),
]

TEXTBOOK_LINES = {
    "sin(x^2)": 2,            # chain rule; derivative of x^2
    "x^2 sin(x)": 3,          # product rule; two derivatives (one line each: 2)
    "sin(x)/x": 3,            # quotient rule; cos x, 1
    "((x + 1)/(x - 1))^3": 3,  # chain rule; power; quotient rule
    "(2x + 1)^5": 2,          # chain rule; derivative of 2x + 1
    "e^x/x^2": 4,             # quotient rule; e^x; 2x; simplify
    "x^3 ln(x)": 3,           # product rule; 3x^2; 1/x
    "ln(x^2 + 1)": 2,         # chain rule; 2x
    "sqrt(1 - x^2)": 2,       # chain rule; -2x
    "x^x": 4,                 # take ln; differentiate both sides; product rule; solve
}
