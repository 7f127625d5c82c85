"""Notebook reprs: expressions as LaTeX and MathML, step trees as collapsible lists, results
as escaped HTML tables."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest

import chainrule as cr
from chainrule import mc
from chainrule.calculus.taylor import taylor_approximation
from chainrule.explain.html import MAX_STEPS, derivation_html, derivation_tree
from chainrule.printing.html import Markup, cell, details, escape, html_table
from chainrule.testing.verification import verify

VOID = {"mspace", "br", "hr", "img", "input", "meta", "link"}


class _Balance(HTMLParser):
    """Checks that every element opened is closed, in order (well-formed markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (self.stack[-5:], tag)
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(markup: str) -> _Balance:
    p = _Balance()
    p.feed(markup)
    p.close()
    assert p.stack == [], p.stack
    return p


# -- the helper module -------------------------------------------------------------------------

def test_table_escapes_every_cell_and_formats_numbers():
    out = html_table([("<script>", 1 / 3), ("a & b", None)], header=("<h>", "v"),
                     caption="x < y")
    p = parse(out)
    assert "script" not in p.tags and "h" not in p.tags
    assert "&lt;script&gt;" in out and "a &amp; b" in out and "x &lt; y" in out
    assert "<td>0.333333</td>" in out and "<td></td>" in out
    assert p.tags.count("tr") == 3 and p.tags.count("th") == 2


def test_cells_markup_bools_and_expressions():
    assert cell(Markup("<b>x</b>")) == "<b>x</b>"
    assert cell(False) == "✗" and cell(float("inf")) == "inf" and cell(7) == "7"
    assert cell(cr.parse("x^2")).startswith("<math")
    assert escape("'\"") == "&#x27;&quot;"
    assert details("<s>", "<p>b</p>", open_=True) == \
        "<details open><summary>&lt;s&gt;</summary><p>b</p></details>"


# -- expressions -------------------------------------------------------------------------------

def test_expr_latex_and_mathml():
    e = cr.parse("sin(x)/(1 + x^2)")
    assert e._repr_latex_() == "$" + e.latex() + "$"
    assert e._repr_latex_() == r"$\frac{\sin\left(x\right)}{x^{2} + 1}$"
    mathml = e._repr_html_()
    assert mathml.startswith('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">')
    assert "<mfrac>" in mathml and "<mi>sin</mi>" in mathml
    parse(mathml)


def test_expr_repr_names_are_escaped():
    e = cr.symbol("a<b>") + 1  # symbols made in code may hold any characters
    assert "<b>" not in e._repr_html_() and "&lt;b&gt;" in e._repr_html_()


def test_too_large_expression_falls_back_to_text():
    big = cr.symbol("x")
    for _ in range(15):  # 46 nodes, but printed as a tree it doubles every level
        big = cr.apply("sin", big) * cr.apply("cos", big)
    assert big._repr_html_() is None and big._repr_latex_() is None
    assert cr.parse("x^2")._repr_latex_() is not None


# -- step trees --------------------------------------------------------------------------------

def test_steps_html_is_a_collapsible_list_of_every_visible_step():
    d = cr.steps("x^2 * sin(x)")
    out = d._repr_html_()
    p = parse(out)
    text = "".join(p.text)
    for rule in ("Product rule", "Power rule", "Sine rule"):
        assert rule in text
    assert p.tags.count("details") >= 1 and p.tags.count("summary") == p.tags.count("details")
    assert p.tags.count("li") == len(re.findall(r"^\s*\d+(\.\d+)*\. ", d.text(), re.M))
    assert out.count("<math") >= 4
    assert "Answer" in text and d._repr_latex_().startswith(r"$\begin{array}")


def test_steps_html_numbers_like_the_text_renderer():
    d = cr.steps("x^x")
    labels = re.findall(r"<b>([\d.]+)\. ([^<]+)</b>", d._repr_html_())
    text_labels = re.findall(r"^\s*([\d.]+)\. ([^:]+):", d.text(), re.M)
    assert labels == text_labels
    assert ("1.1", "Take ln of both sides") in labels


def test_steps_html_higher_order_and_chain_rule_with_u():
    out = cr.steps("sin(x^2)", order=2)._repr_html_()
    parse(out)
    assert "First derivative" in out and "Second derivative" in out
    assert "<mtext>with</mtext>" in out and "<mi>u</mi><mo>=</mo>" in out


def test_steps_html_escapes_names_and_honours_hide():
    d = cr.steps(cr.apply("sin", cr.symbol("q<i>")) * 3, "q<i>")
    out = derivation_html(d)
    assert "<i>" not in out.replace("<i>(as in step", "") and "q&lt;i&gt;" in out
    shown = derivation_html(cr.steps("x^3 + sin(x)"), hide={"Sum rule"})
    assert "Sum rule" not in shown and "Power rule" in shown


def test_steps_html_cuts_long_derivations(monkeypatch):
    import importlib.util
    d = cr.steps("x^x * sin(x)", order=2)
    assert derivation_html(d).count("<li>") > 5
    # the limit lives with the tree builder: this module's, or the explorer's page module
    for name in ("chainrule.explain.html", "chainrule.explain.page"):
        if importlib.util.find_spec(name) is not None:
            module = importlib.import_module(name)
            if hasattr(module, "MAX_STEPS"):
                monkeypatch.setattr(module, "MAX_STEPS", 5)
    out = derivation_html(d)
    parse(out)
    # five nodes drawn: the first derivative's root (its summary) and four steps under it
    assert out.count("<li>") == 4 and "only the first 5 steps" in out
    assert MAX_STEPS == 400


# -- result objects ----------------------------------------------------------------------------

def _rows(markup: str) -> list[list[str]]:
    body = markup.split("<tbody>", 1)[1]
    return [re.findall(r"<td>(.*?)</td>", r) for r in body.split("<tr>")[1:]]


def test_gradcheck_report_table():
    report = cr.check_grads(lambda x: np.sin(x) * x, (1.0,))
    out = report._repr_html_()
    parse(out)
    rows = _rows(out)
    assert len(rows) == len(report.checks)
    assert all(r[0] == "✓" for r in rows) and "all passed" in out


def test_verification_table():
    out = verify("x^x", "x", {"x": 2.0})._repr_html_()
    parse(out)
    rows = _rows(out)
    assert [r[0] for r in rows] == ["symbolic", "forward AD", "reverse AD", "numeric"]
    assert all(r[1] == "6.77259" for r in rows) and "all four agree" in out


def test_answer_check_table():
    out = cr.check_answer("x^2*sin(x)", "2*x*cos(x)")._repr_html_()
    parse(out)
    rows = {r[0]: r[1] for r in _rows(out)}
    assert rows["equivalent"] == "✗" and rows["mistake"] == "product_of_derivatives"
    assert rows["correct derivative"].startswith("<math") and "x = " in rows["counterexample"]


def test_numeric_result_table():
    out = cr.numeric.derivative(np.exp, 0.0)._repr_html_()
    rows = {r[0]: r[1] for r in _rows(out)}
    assert float(rows["df"]) == pytest.approx(1.0) and rows["status"] == "converged"


def test_monte_carlo_tables():
    dist = mc.Normal(1.0, 2.0)
    est = mc.score_function(lambda z: z ** 2, dist, n=20_000, seed=0)
    rows = _rows(est._repr_html_())
    assert [r[0] for r in rows] == ["d/dloc", "d/dscale"]
    assert float(rows[0][1]) == pytest.approx(2.0, abs=0.3)  # d/dμ E[z²] = 2μ
    comparison = mc.compare(lambda z: z ** 2, dist, n=20_000, seed=0)
    out = comparison._repr_html_()
    parse(out)
    assert len(_rows(out)) == len(comparison.rows) and "pathwise" in out


def test_taylor_and_critical_point_tables():
    t = taylor_approximation("exp(x)", 0, 3, at=[0.5])
    out = t._repr_html_()
    parse(out)
    assert "Taylor polynomial of e^x" in out and "<math" in out
    error_row = _rows(out.split("</table>")[-2])[0]
    assert float(error_row[3]) == pytest.approx(np.exp(0.5) - (1 + 0.5 + 0.125 + 0.5 ** 3 / 6),
                                                rel=1e-5)
    crit = cr.critical_points("x^x", interval=(0.1, 3))._repr_html_()
    rows = _rows(crit)
    assert rows[0][0] == "min" and rows[0][1].startswith("1/e") and rows[0][2] == "0.692201"


def test_gradient_jacobian_hessian_reprs():
    from chainrule.calculus import gradient, hessian, jacobian
    g = gradient("x^2*y + 3*y")
    rows = _rows(g._repr_html_())
    assert [r[0] for r in rows] == ["∂/∂x", "∂/∂y"] and all(r[1].startswith("<math") for r in rows)
    assert g._repr_latex_() == r"$\left(2 x y, x^{2} + 3\right)$"
    h = hessian("x^2*y + 3*y")
    assert h._repr_latex_() == r"$\begin{bmatrix}2 y & 2 x \\ 2 x & 0\end{bmatrix}$"
    j = jacobian(["x*y", "sin(x)"])
    out = j._repr_html_()
    parse(out)
    assert [r[0] for r in _rows(out)] == ["x*y", "sin(x)"] and "<th>∂/∂y</th>" in out


def test_monte_carlo_integral_optimisation_and_implicit_reprs():
    r = mc.integrate(lambda x: x ** 2, bounds=(0.0, 1.0), n=20_000, seed=0)
    rows = {row[0]: row[1] for row in _rows(r._repr_html_())}
    assert float(rows["estimate"]) == pytest.approx(1 / 3, abs=4 * r.stderr)
    assert rows["samples"] == "20000"
    newton = cr.minimize("x^2 + 3y^2", start={"x": 1, "y": 1}, method="newton")
    rows = _rows(newton._repr_html_())
    assert [row[0] for row in rows] == ["0", "1"] and rows[1][1] == "x = 0, y = 0"
    slow = cr.minimize("x^2 + 3y^2", start={"x": 1, "y": 1}, method="gd", step=0.01)
    assert slow.iterations > 40
    rows = _rows(slow._repr_html_())
    assert len(rows) == 41 and rows[20][0] == "…" and rows[-1][0] == str(slow.iterations)
    implicit = cr.implicit_diff("x^2 + y^2 = 1")._repr_html_()
    parse(implicit)
    rows = _rows(implicit)
    assert rows[-1][0].startswith("dy/dx") and rows[-1][1].startswith("<math")


def test_computation_graph_and_chain_rule_paths_reprs():
    g = cr.computation_graph(lambda w, x: (w * x) ** 2, 3.0, 2.0)
    out = g._repr_html_()
    parse(out)
    rows = {row[0]: row[1:] for row in _rows(out)}
    assert rows["w"] == ["input", "3", "24"] and rows["L"] == ["pow(v1, 2)", "36", "1"]
    from chainrule.calculus import chain_rule_paths
    paths = chain_rule_paths("z = u*v", {"u": "x^2", "v": "sin(x)"})
    html = paths._repr_html_()
    parse(html)
    assert "<details" in html and "<math" in html


def test_derivation_tree_is_the_explorer_shape():
    data = derivation_tree(cr.steps("sin(x)^2 + sin(x)"), [], "full")
    root = data["orders"][0]
    assert root["id"] == "1" and root["title"] == "First derivative"
    assert root["mathml"].startswith("<math") and not data["truncated"]
    kids = root["substeps"]
    assert kids[0]["rule"] == "Sum rule"
    flat = []
    stack = list(kids)
    while stack:
        n = stack.pop()
        flat.append(n)
        stack.extend(n.get("substeps", []))
    refs = [n for n in flat if "ref" in n]
    assert refs and all(any(m.get("id") == r["ref"] for m in flat) for r in refs)
    assert data["shown"] == len(flat) + 1
