"""Write the example notebooks (``python examples/make_notebooks.py``).

The notebooks are kept as this source, so they stay small, carry no outputs, and a change
shows up as a readable diff; ``tests/test_notebooks.py`` checks the committed ``.ipynb``
files match it and executes each one. Every notebook asserts its key numbers, so running
it is a test.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def md(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text.strip("\n")}


def code(text: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": text.strip("\n")}


LOG_DIFF = [
    md("""
# Logarithmic differentiation

The 4-step recipe on y = x^x: take ln of both sides, differentiate both sides (the left
side by the chain rule), simplify, multiply back by y. chainrule shows each step and checks
the numbers of the worked example.
"""),
    code("""
import math

import chainrule as cr

f = cr.parse("x^x")
f
"""),
    code("""
d = cr.steps("x^x")
d
"""),
    md("The stages of the recipe appear in order (the simplify stage only when it changes "
       "the right side: here ln x + 1 is already simple):"),
    code("""
recipe = ["Take ln of both sides", "Differentiate both sides",
          "Multiply by y and substitute y back"]
assert [rule for rule in d.rules_used() if rule in recipe] == recipe
print(d.text())
"""),
    code("""
value = d.result.evaluate(x=2)
assert abs(value - 4 * (math.log(2) + 1)) < 1e-12
assert round(value, 4) == 6.7726

# The sanity check by a tiny forward step h: a first-order difference is off by about
# h·f″(2)/2 ≈ 0.0067, so it reads 6.779 (not the 6.774 sometimes quoted).
h = 0.001
forward = (f.evaluate(x=2 + h) - f.evaluate(x=2)) / h
second = cr.diff("x^x", order=2).evaluate(x=2)
assert abs(forward - value - h * second / 2) < 1e-5
assert round(forward, 3) == 6.779
d.result
"""),
    md("The master formula f′ = f · d/dx[ln f], and a numerical derivative with its error bound:"),
    code("""
log_derivative = cr.diff("ln(x^x)")
assert abs(f.evaluate(x=2) * log_derivative.evaluate(x=2) - value) < 1e-12

numeric = cr.numeric.derivative(lambda x: x**x, 2.0)
assert abs(numeric.df - value) <= numeric.error + 1e-12
numeric
"""),
    md("## The minimum of x^x is at 1/e"),
    code("""
points = cr.critical_points("x^x", interval=(0.05, 3))
assert points.kinds() == ["min"]
assert abs(points[0].x - 1 / math.e) < 1e-12
assert round(points[0].value, 4) == 0.6922
points
"""),
    code("""
fig = cr.plot("x^x", (0.02, 2.5), at=1 / math.e)
slope_line = fig.axes[0].get_lines()[2]
assert slope_line.get_label() == "f′(x) = x^x*(ln(x) + 1)"
fig
"""),
    md("## Messy products and quotients, and variable exponents"),
    code("""
y = cr.parse("(x + 1)^2 sqrt(x - 1)/(x + 3)^4")
dy = cr.diff(y, method="logdiff")
x0 = 2.0
expected = y.evaluate(x=x0) * (2 / (x0 + 1) + 1 / (2 * (x0 - 1)) - 4 / (x0 + 3))
assert abs(dy.evaluate(x=x0) - expected) < 1e-12
dy
"""),
    code("""
table = {
    "x^sin(x)": "x^sin(x)*(cos(x)*ln(x) + sin(x)/x)",
    "sin(x)^x": "sin(x)^x*(ln(sin(x)) + x*cot(x))",
    "x^(1/x)": "x^(1/x)*(1 - ln(x))/x^2",
}
for function, derivative in table.items():
    assert cr.check_answer(function, derivative).equivalent, function
"""),
    md("Pitfall 3: the power rule does not apply to x^x."),
    code("""
wrong = cr.check_answer("x^x", "x*x^(x-1)")
assert not wrong.equivalent
wrong
"""),
]

EXP_LOG = [
    md("""
# Exponentials, logarithms and stable log-probabilities

e^x is its own derivative, ln x has derivative 1/x, the sigmoid's derivative is
σ(1 − σ), cross-entropy's gradient is p − y, and log-sum-exp never overflows.
"""),
    code("""
import math

import numpy as np

import chainrule as cr
from chainrule import numpy as cnp

assert str(cr.diff("e^x")) == "e^x"
assert str(cr.diff("ln(x)")) == "1/x"
for function, derivative, x0 in [("e^(3x)", lambda x: 3 * math.exp(3 * x), 0.4),
                                 ("ln(x^2 + 1)", lambda x: 2 * x / (x * x + 1), 1.5),
                                 ("e^(-x^2)", lambda x: -2 * x * math.exp(-x * x), 0.7)]:
    assert abs(cr.diff(function).evaluate(x=x0) - derivative(x0)) < 1e-12
cr.diff("ln(x^2 + 1)")
"""),
    md("## The sigmoid derivative, derived with the quotient and chain rules"),
    code("""
sigma = cr.parse("1/(1 + e^(-x))")
cr.steps(sigma)
"""),
    code("""
assert cr.check_answer(sigma, "sigmoid(x)*(1 - sigmoid(x))").equivalent
d_sigmoid = cr.diff("sigmoid(x)")
assert d_sigmoid.evaluate(x=0) == 0.25   # the steepest point
assert d_sigmoid.evaluate(x=10) < 1e-4   # vanishing gradient far from 0
d_sigmoid
"""),
    md("## Cross-entropy: the gradient with respect to the logit is p − y"),
    code("""
loss = "-(y*ln(sigmoid(z)) + (1 - y)*ln(1 - sigmoid(z)))"
assert cr.check_answer(loss, "sigmoid(z) - y", "z").equivalent
dp = cr.diff("-(y*ln(p) + (1 - y)*ln(1 - p))", "p")
assert abs(dp.evaluate(p=0.01, y=1.0) + 100.0) < 1e-9  # confidently wrong: a large signal
dp
"""),
    md("## Log-probabilities: log-sum-exp of [1000, 1001, 1002]"),
    code("""
logits = np.array([1000.0, 1001.0, 1002.0])
with np.errstate(over="ignore"):
    naive = np.log(np.sum(np.exp(logits)))
assert naive == np.inf

lse = float(cnp.logsumexp(logits))
assert abs(lse - (1002 + math.log(1 + math.exp(-1) + math.exp(-2)))) < 1e-12
assert round(lse, 3) == 1002.408
lse
"""),
    code("""
gradient = cr.grad(cnp.logsumexp)(logits)   # the gradient of log-sum-exp is softmax
assert np.allclose(gradient, cnp.softmax(logits)) and abs(gradient.sum() - 1) < 1e-12
assert np.all(np.isfinite(cnp.log_softmax(logits)))
bce = float(cnp.binary_cross_entropy_with_logits(np.array(100.0), np.array(0.0)))
assert abs(bce - 100.0) < 1e-9   # from logits: no log(0)
np.round(gradient, 6)
"""),
    code("""
report = cr.check_grads(lambda v: cnp.logsumexp(v), (np.array([1000.0, 1001.0, 1002.0]),))
assert report.ok
report
"""),
]

SCORE = [
    md("""
# The log-derivative trick

∇θ log p(x; θ) = ∇θ p(x; θ) / p(x; θ): the score function. Its expectation is 0, its
variance is the Fisher information, and it turns the gradient of an expectation into an
expectation we can sample — the score-function (REINFORCE) estimator.
"""),
    code("""
import numpy as np

import chainrule as cr
from chainrule import mc

log_p = cr.parse("-(z - mu)^2/(2*sigma^2) - ln(sigma) - ln(2*pi)/2")
score = cr.diff(log_p, "mu")
assert cr.check_answer(log_p, "(z - mu)/sigma^2", "mu").equivalent
score
"""),
    code("""
p = cr.parse("e^(-(z - mu)^2/(2*sigma^2))/(sigma*sqrt(2*pi))")
ratio = cr.diff(p, "mu") / p           # the score ratio ∇p / p
point = {"z": 0.3, "mu": 1.0, "sigma": 2.0}
assert abs(ratio.evaluate(**point) - score.evaluate(**point)) < 1e-12
ratio.evaluate(**point)
"""),
    md("E[score] = 0 and Var[score] = I(μ) = 1/σ² = 0.25, by Monte Carlo:"),
    code("""
n = 200_000
z = np.random.default_rng(0).normal(1.0, 2.0, n)
s = score.evaluate(z=z, mu=1.0, sigma=2.0)
assert abs(s.mean()) < 4 * s.std() / np.sqrt(n)
assert abs(s.var() - 0.25) < 0.01
float(s.mean()), float(s.var())
"""),
    md("""
## Score-function estimator of ∇ E[(z − 3)²] with z ~ N(μ = 1, σ = 2)

E[(z − 3)²] = (μ − 3)² + σ², so the exact gradient is (2(μ − 3), 2σ) = (−4, 4).
"""),
    code("""
def f(z):
    return (z - 3.0) ** 2


dist = mc.Normal(1.0, 2.0)
estimate = mc.score_function(f, dist, n=200_000, seed=0)
for name, exact in (("loc", -4.0), ("scale", 4.0)):
    assert abs(estimate.grad[name] - exact) < 4 * estimate.stderr[name], name
estimate
"""),
    md("Control variates (baselines) lower the variance; the pathwise estimator is lower still:"),
    code("""
comparison = mc.compare(f, dist, n=100_000, seed=0, exact={"loc": -4.0, "scale": 4.0})
variance = {(r["estimator"], r["param"]): r["variance"] for r in comparison.rows}
assert variance[("score-mean", "loc")] < variance[("score", "loc")]
assert comparison.lowest_variance("loc") == "pathwise"
assert all(abs(r["z"]) < 4 for r in comparison.rows)
comparison
"""),
]

CALCULUS_ML = [
    md("""
# Calculus for machine learning

Derivatives and their rules, activation derivatives, partial derivatives and the chain
rule of backpropagation, gradients, Jacobians, Hessians and Taylor approximation.
"""),
    code("""
import math

import numpy as np

import chainrule as cr
from chainrule import numpy as cnp
from chainrule.calculus import gradient, hessian, jacobian, taylor_approximation

f = cr.parse("3x^2 + 2x")
df = cr.diff(f)
assert str(df) == "6x + 2" and df.evaluate(x=1) == 8
h = 0.001   # the limit definition with a small h: 8.003
assert round((f.evaluate(x=1 + h) - f.evaluate(x=1)) / h, 6) == 8.003
df
"""),
    md("## Activation derivatives"),
    code("""
assert cr.check_answer("sigmoid(x)", "sigmoid(x)*(1 - sigmoid(x))").equivalent
assert cr.check_answer("tanh(x)", "1 - tanh(x)^2").equivalent
assert str(cr.diff("relu(x)")) == "heaviside(x)"
xs = np.linspace(-6, 6, 1201)
assert abs(cr.diff("sigmoid(x)").evaluate(x=xs).max() - 0.25) < 1e-12
assert abs(cr.diff("tanh(x)").evaluate(x=xs).max() - 1.0) < 1e-12
cr.diff("tanh(x)")
"""),
    md("## Partial derivatives and the gradient of f(x, y) = x²y + 3y"),
    code("""
g = gradient("x^2*y + 3*y")
assert list(g.at(x=2, y=1)) == [4.0, 7.0]
assert cr.grad(lambda x, y: x**2 * y + 3 * y, argnums=(0, 1))(2.0, 1.0) == (4.0, 7.0)
g
"""),
    md("## The chain rule of one neuron: g = wx + b, a = ReLU(g), L = (a − y)²"),
    code("""
def loss(w, b, x, y):
    return (np.maximum(w * x + b, 0.0) - y) ** 2   # plain NumPy code is differentiated


dw, db = cr.grad(loss, argnums=(0, 1))(0.5, 0.1, 2.0, 1.0)
# dL/da = 2(a − y) = 0.2, da/dg = 1 (g > 0), dg/dw = x = 2, dg/db = 1
assert abs(dw - 0.4) < 1e-12 and abs(db - 0.2) < 1e-12
dw, db
"""),
    md("## Jacobian and Hessian"),
    code("""
J = jacobian(["x*y", "sin(x)"])
assert np.allclose(J.at(x=1, y=2), [[2, 1], [math.cos(1), 0]])
numeric_J = cr.jacobian(lambda v: cnp.array([v[0] * v[1], np.sin(v[0])]))(np.array([1.0, 2.0]))
assert np.allclose(numeric_J, J.at(x=1, y=2))
J
"""),
    code("""
H = hessian("x^2*y + 3*y")
assert H.at(x=2, y=1).tolist() == [[2.0, 4.0], [4.0, 0.0]]
assert np.allclose(cr.hessian(lambda v: v[0] ** 2 * v[1] + 3 * v[1])(np.array([2.0, 1.0])),
                   [[2, 4], [4, 0]])
H
"""),
    md("## Taylor approximation: e^x ≈ 1 + x + x²/2 near 0"),
    code("""
assert str(cr.taylor("e^x", 0, 2)) == "x^2/2 + x + 1"
approx = taylor_approximation("e^x", 0, 2, at=[0.1, 0.5, 1.0])
errors = [row.error for row in approx.rows]
assert abs(errors[0] - (math.exp(0.1) - 1.105)) < 1e-12
assert errors == sorted(errors)   # the error grows away from the centre
approx
"""),
    code("""
report = cr.check_grads(lambda w: cnp.log_sigmoid(w @ np.array([1.0, -2.0])),
                        (np.array([0.3, 0.4]),))
assert report.ok
report
"""),
]

RULES = [
    md("""
# Differentiation rules

Linearity, the product rule, the quotient rule and higher derivatives — and what happens
with the classic mistakes.
"""),
    code("""
import math

import chainrule as cr

assert str(cr.diff("3x^2 + 5x - 2")) == "6x + 5"
assert str(cr.diff("7x^3 - 2x + 4")) == "21x^2 - 2"
cr.steps("3x^2 + 5x - 2")
"""),
    md("## Product rule: (x² sin x)′ = 2x sin x + x² cos x"),
    code("""
d = cr.steps("x^2 sin(x)")
assert "Product rule" in d.rules_used()
x0 = 1.3
assert abs(d.result.evaluate(x=x0) - (2 * x0 * math.sin(x0) + x0**2 * math.cos(x0))) < 1e-12
d
"""),
    code("""
mistake = cr.check_answer("x^2 sin(x)", "2x cos(x)")   # the product of the derivatives
assert not mistake.equivalent and mistake.mistake == "product_of_derivatives"
assert str(cr.diff("x x")) == "2x"                      # (x·x)′ = 2x, not x′·x′ = 1
mistake
"""),
    code("""
three = cr.diff("x e^x sin(x)")   # each factor takes the prime in turn
x0 = 0.8
expected = (math.exp(x0) * math.sin(x0) + x0 * math.exp(x0) * math.sin(x0)
            + x0 * math.exp(x0) * math.cos(x0))
assert abs(three.evaluate(x=x0) - expected) < 1e-12
assert cr.check_answer("e^x ln(x)", "e^x (ln(x) + 1/x)").equivalent
three
"""),
    md("## Quotient rule: (x / (x² + 1))′ = (1 − x²) / (x² + 1)²"),
    code("""
q = cr.steps("x/(x^2 + 1)")
assert str(q.result) == "(1 - x^2)/(x^2 + 1)^2"
assert cr.check_answer("x/(x^2 + 1)", "(1*(x^2 + 1) - x*2x)/(x^2 + 1)^2").equivalent
q
"""),
    md("## Higher derivatives"),
    code("""
assert str(cr.diff("x^4", order=2)) == "12x^2"
assert cr.diff("sin(x)", order=4) is cr.parse("sin(x)")
second = cr.diff("x^3 - 3x", order=2)
assert second.evaluate(x=1) > 0 and cr.diff("x^3 - 3x").evaluate(x=1) == 0  # a minimum at 1
cr.steps("x^3 - 3x", order=2)
"""),
]

NOTEBOOKS = {
    "01_logarithmic_differentiation.ipynb": LOG_DIFF,
    "02_exp_log_stable_log_probabilities.ipynb": EXP_LOG,
    "03_log_derivative_trick.ipynb": SCORE,
    "04_calculus_for_ml.ipynb": CALCULUS_ML,
    "05_differentiation_rules.ipynb": RULES,
}


def notebook(cells: list[dict]) -> dict:
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def render(cells: list[dict]) -> str:
    """The notebook file's text (cell ids are stable so regenerating changes nothing)."""
    numbered = [{**c, "id": f"cell-{k}"} for k, c in enumerate(cells)]
    return json.dumps(notebook(numbered), indent=1, ensure_ascii=False) + "\n"


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        (HERE / name).write_text(render(cells), encoding="utf-8")
        print(f"wrote {name}")


if __name__ == "__main__":
    main()
