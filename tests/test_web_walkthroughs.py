"""The walkthrough explorers (chain-rule, integration, steps, tutor) and the home page's graph,
higher-order and phone fixes, in headless Chromium: each page loads its state from the URL,
answers one interaction, and shows the number chainrule's Python API gives; all work at 390 px
wide and fetch nothing from anywhere but the local server."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, quote, urlparse

import numpy as np
import pytest

import chainrule as cr
import web_harness
from chainrule import mc
from chainrule.web.lessons import HANDLERS, log_recipe
from web_harness import finish, needs_chromium, serve

LINE_TUTOR = "tutor" in HANDLERS  # the line-by-line tutor engine is installed

pytestmark = needs_chromium

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
expect.set_options(timeout=30_000)  # the machine may be busy: wait for answers, not a clock

NEURON = "(relu(w*x + b) - y)^2"


@pytest.fixture(scope="module")
def server():
    with serve(workers=1) as (url, _):
        yield url


def open_page(browser, server, path, width=1280, height=900):
    # reduced motion: the animations jump to their end, so the test reads final numbers
    return web_harness.open_page(browser, server, path, width, height, reduced_motion="reduce")


def partial(pg, name: str) -> float:
    return float(pg.locator(f"#gradient .partial[data-name='{name}']").get_attribute("data-value"))


def dL(name: str, **point: float) -> float:
    return float(cr.diff(cr.parse(NEURON), name).evaluate(**point))


def test_chain_rule_forward_then_backward_and_the_dead_relu(browser, server):
    at = "w=3, x=2, b=0, y=1"
    pg = open_page(browser, server, f"/explore/chain-rule?f={quote(NEURON)}&at={quote(at)}"
                                    f"&step=0")
    expect(pg.locator("#phase")).to_contain_text("forward pass: 0 of 9")
    expect(pg.locator("#gradient")).to_contain_text("play both passes")
    pg.locator("#play-forward").press("Enter")  # keyboard: values, node by node
    expect(pg.locator("#phase")).to_contain_text("forward pass: 9 of 9")
    expect(pg.locator("#nodes tr[data-name='L'] td").nth(2)).to_have_text("25")  # (6 − 1)²
    pg.locator("#next").press("Enter")  # the first edge of the backward flow: L ← v4
    expect(pg.locator("#phase")).to_contain_text("backward pass: 1 of 8")
    expect(pg.locator("#graph path.edge.flowing")).to_have_count(1)
    pg.locator("#play-backward").press("Enter")
    expect(pg.locator("#gradient .partial")).to_have_count(4)
    point = {"w": 3.0, "x": 2.0, "b": 0.0, "y": 1.0}
    for name in point:
        assert partial(pg, name) == pytest.approx(dL(name, **point))  # 20, 30, 10, −10
    # every edge carries its local derivative: ∂v1/∂w = x = 2
    expect(pg.locator("#graph .edge-label text.local", has_text="∂v1/∂w = 2")).to_have_count(1)
    expect(pg.locator("#graph text.formula", has_text="v1 = w · x")).to_have_count(1)
    expect(pg.locator("#dead")).to_be_hidden()
    # the learner pushes b down: w·x + b < 0, the ReLU is dead and no gradient reaches w, x, b
    pg.locator("#var-b").fill("-7")
    pg.locator("#var-b").press("Enter")
    expect(pg.locator("#dead")).to_contain_text("Dead ReLU")
    expect(pg.locator("#gradient .partial[data-name='w']")).to_have_attribute("data-value", "0")
    dead = {"w": 3.0, "x": 2.0, "b": -7.0, "y": 1.0}
    for name in dead:
        assert partial(pg, name) == pytest.approx(dL(name, **dead))  # 0, 0, 0 and 2
    assert "b%3D-7" in pg.url or "b=-7" in pg.url
    pg.reload()  # the URL holds the whole state
    expect(pg.locator("#dead")).to_contain_text("Dead ReLU")
    finish(pg, "explore-chain-rule")


def hit_or_miss(n: int, seed: int) -> mc.MonteCarloResult:
    """∫₀¹ x² by counting uniform points of the box [0, 1] × [0, 1.1] under the curve (the
    box's area times the fraction under it): the page's estimator, computed here with
    chainrule.mc (the box is the curve's range plus 10 %)."""
    return mc.integrate(lambda p: (p[:, 1] < p[:, 0] ** 2).astype(float),
                        [(0.0, 1.0), (0.0, 1.1)], n=n, seed=seed)


def test_integration_estimate_and_error_bar(browser, server):
    pg = open_page(browser, server, "/explore/integration?f=x%5E2&from=0&to=1&n=1000&seed=3")
    estimate = pg.locator("#estimate")
    expect(estimate).to_have_attribute("data-n", "1000")
    assert float(pg.locator("#exact").get_attribute("data-value")) == pytest.approx(1 / 3)
    assert float(estimate.get_attribute("data-value")) == pytest.approx(
        hit_or_miss(1000, 3).value, rel=1e-12)
    pg.select_option("#n", "10000")  # keyboard-usable picker: more points, a smaller bar
    expect(estimate).to_have_attribute("data-n", "10000")
    assert "n=10000" in pg.url
    r = hit_or_miss(10_000, 3)
    value = float(estimate.get_attribute("data-value"))
    stderr = float(estimate.get_attribute("data-stderr"))
    assert value == pytest.approx(r.value, rel=1e-12)
    assert stderr == pytest.approx(r.stderr, rel=1e-9)
    assert abs(value - 1 / 3) < 4 * stderr
    pg.locator("#play").press("Enter")  # the points drop; reduced motion shows the end at once
    expect(pg.locator("#estimate")).to_have_attribute("data-n", "10000")
    finish(pg, "explore-integration")


def test_integration_refuses_an_unbounded_integrand(browser, server):
    pg = open_page(browser, server, "/explore/integration?f=1%2Fx&from=-1&to=1")
    expect(pg.locator("#status")).to_contain_text("not defined (or not finite) at x = 0")
    finish(pg, "explore-integration-error")


def test_steps_four_step_recipe_and_the_value_at_1(browser, server):
    pg = open_page(browser, server, "/explore/steps?f=x%5Ex&x=1&step=2")
    expect(pg.locator("#stages li[data-step]")).to_have_count(2)
    expect(pg.locator("#progress")).to_contain_text("step 2 of")
    total = int(pg.locator("#progress").inner_text().split()[-1])  # 4, or 3 without a no-op
    assert total == len(log_recipe(cr.parse("x^x"), "x", None)["stages"])
    for _ in range(total - 2):  # keyboard: on to the last step
        pg.locator("#next").press("Enter")
    expect(pg.locator("#stages li[data-step]")).to_have_count(total)
    expect(pg.locator("#stages li[data-step='1'] h2")).to_have_text(
        "Step 1: Take ln of both sides")
    expect(pg.locator(f"#stages li[data-step='{total}'] h2")).to_contain_text("Multiply by y")
    assert f"step={total}" in pg.url
    for k in range(1, total + 1):  # each step gives its reason
        expect(pg.locator(f"#stages li[data-step='{k}'] .why")).not_to_be_empty()
    # at x = 1 the recipe's answer used to divide by ln 1 = 0 (the defect: "undefined"); in
    # textbook form it is x^x(ln x + 1), and the page shows f′(1) = 1
    shown = float(pg.locator("#value").get_attribute("data-value"))
    assert shown == pytest.approx(float(cr.diff(cr.parse("x^x"), "x").evaluate(x=1.0)))
    pg.select_option("#pick", "x^(1/x)")
    expect(pg.locator("#stages li[data-step]")).to_have_count(1)  # a new function starts over
    finish(pg, "explore-steps")


@pytest.mark.skipif(LINE_TUTOR, reason="the page uses the line-by-line tutor instead")
def test_tutor_checks_each_step(browser, server):
    answers = quote(json.dumps(["2x"]))
    pg = open_page(browser, server, f"/explore/tutor?f=x%5E2%20sin(x)&answers={answers}")
    expect(pg.locator("#verdict-0")).to_contain_text("✓ right")  # replayed from the URL
    pg.locator("#answer-1").fill("cos x")
    pg.locator("#answer-1").press("Enter")
    expect(pg.locator("#verdict-1")).to_contain_text("✓ right")
    pg.locator("#answer-2").fill("2x cos(x)")  # the product of the derivatives
    pg.locator("#answer-2").press("Enter")
    verdict = pg.locator("#verdict-2")
    expect(verdict).to_have_attribute("data-mistake", "product_of_derivatives")
    x = json.loads(verdict.get_attribute("data-counterexample"))["x"]
    said = re.search(r"the derivative is (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)",
                     verdict.inner_text()).group(1)
    exact = float(cr.diff(cr.parse("x^2 sin(x)"), "x").evaluate(x=x))
    assert float(said) == pytest.approx(exact, rel=1e-5)
    state = parse_qs(urlparse(pg.url).query)
    assert json.loads(state["answers"][0]) == ["2x", "cos x", "2x cos(x)"]
    pg.locator("#answer-2").fill("2x sin(x) + x^2 cos(x)")
    pg.locator("#answer-2").press("Enter")
    expect(pg.locator("#done")).to_contain_text("Done")
    finish(pg, "explore-tutor")


@pytest.mark.skipif(not LINE_TUTOR, reason="the line-by-line tutor engine "
                    "(chainrule.tutor.respond) is not installed")
def test_tutor_line_by_line(browser, server):
    lines = quote(json.dumps(["cos(x^2) * d/dx [x^2]"]))
    pg = open_page(browser, server, f"/explore/tutor?f=sin(x%5E2)&lines={lines}")
    expect(pg.locator("#tasks li[data-line]")).to_have_count(1)  # restored from the URL
    expect(pg.locator("#intro")).to_contain_text("d/dx [sin(x^2)] = ?")
    pg.locator("#hint").press("Enter")  # keyboard: a hint names the next rule
    expect(pg.locator("#verdict")).to_contain_text("Hint 1: Power rule")
    pg.locator("#line").fill("x cos(x^2)")  # the power rule's factor 2 left out
    pg.locator("#line").press("Enter")
    verdict = pg.locator("#verdict")
    expect(verdict).to_have_attribute("data-mistake", "power_rule_missing_coefficient")
    x = json.loads(verdict.get_attribute("data-counterexample"))["x"]
    said = re.search(r"the derivative is (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)",
                     verdict.inner_text()).group(1)
    exact = float(cr.diff(cr.parse("sin(x^2)"), "x").evaluate(x=x))
    assert float(said) == pytest.approx(exact, rel=1e-5)
    pg.locator("#line").fill("2x cos(x^2)")
    pg.locator("#line").press("Enter")
    expect(pg.locator("#done")).to_contain_text("Done")
    assert json.loads(parse_qs(urlparse(pg.url).query)["lines"][0]) == [
        "cos(x^2) * d/dx [x^2]", "2x cos(x^2)"]
    finish(pg, "explore-tutor-lines")


PAGES = {
    "chain-rule": f"/explore/chain-rule?f={quote(NEURON)}&at={quote('w=3, x=2, b=-7, y=1')}",
    "integration": "/explore/integration?f=sin(x)&from=0&to=3.14159&n=1000",
    "steps": "/explore/steps?f=x%5E2%20(x%2B1)%5E3%20sin(x)&x=1&step=9",
    "tutor": f"/explore/tutor?f=e%5E(3x)%20cos(x)&answers={quote(json.dumps(['-sin x']))}",
}
READY = {"chain-rule": "#gradient .partial", "integration": "#estimate",
         "steps": "#value", "tutor": "#tasks li"}


@pytest.mark.parametrize("name", PAGES)
def test_walkthrough_on_a_phone_offline(browser, server, name):
    pg = open_page(browser, server, PAGES[name], width=390, height=844)
    expect(pg.locator(READY[name]).first).to_be_visible()
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name} is {width} px wide at 390 px"
    finish(pg, f"explore-{name}-phone")


def test_home_links_the_walkthroughs(browser, server):
    pg = open_page(browser, server, "/")
    for name in PAGES:
        expect(pg.locator("#explorers a", has_text=name)).to_have_count(1)
    pg.locator("#explorers a", has_text="chain-rule").click()
    expect(pg.locator("#gradient .partial")).to_have_count(4)
    assert partial(pg, "w") == pytest.approx(20.0)
    finish(pg, "explore-chain-rule-from-home")


def test_home_graph_view_labels_and_edges(browser, server):
    """Nodes show their operation (w · x, not mul(w, x)) and values; every edge is drawn
    over the nodes, labelled with its local derivative, and lies inside the drawing."""
    pg = open_page(browser, server, "/")
    nodes = pg.locator("#graph g.node")
    expect(nodes).to_have_count(9)
    texts = pg.locator("#graph").text_content() + pg.locator("#graph-table").inner_text()
    assert "mul(" not in texts and "add(" not in texts
    expect(pg.locator("#graph text.formula", has_text="v1 = w · x")).to_have_count(1)
    expect(pg.locator("#graph .edge-label")).to_have_count(8)
    layers = pg.evaluate("[...document.querySelector('#graph').children].map(c => c.getAttribute"
                         "('class'))")
    assert layers.index("edges") > layers.index("nodes")  # edges on top: never hidden
    inside = pg.evaluate("""() => {
      const svg = document.querySelector('#graph'), box = svg.viewBox.baseVal;
      return [...svg.querySelectorAll('path.edge, .edge-label')].every((el) => {
        const b = el.getBBox();
        return b.x >= box.x - 1 && b.y >= box.y - 1 && b.x + b.width <= box.x + box.width + 1
          && b.y + b.height <= box.y + box.height + 1;
      });
    }""")
    assert inside, "an edge or its label is clipped by the drawing's edge"
    local = pg.locator("#graph .edge-label text.local", has_text="∂v1/∂x =").text_content()
    assert float(local.split("=")[1]) == pytest.approx(3.0)  # ∂(w·x)/∂x = w
    finish(pg, "home-graph")


def test_home_third_derivative_readable_on_a_phone(browser, server):
    pg = open_page(browser, server, "/", width=390, height=844)
    expect(pg.locator("#derivative-text")).not_to_be_empty()
    pg.select_option("#order", "3")
    expect(pg.locator("#ladder li")).to_have_count(3)  # f′, f″, f‴ each on its own line
    f = cr.parse("x^x")
    for k in (1, 2, 3):
        shown = cr.parse(pg.locator(f"#ladder li[data-order='{k}']").get_attribute(
            "data-derivative"))
        assert float(shown.evaluate(x=1.3)) == pytest.approx(
            float(cr.diff(f, "x", k).evaluate(x=1.3)), rel=1e-12)
    # the earlier orders are folded, the last is open
    expect(pg.locator("#steps > details").nth(0)).not_to_have_attribute("open", "")
    expect(pg.locator("#steps > details").nth(2)).to_have_attribute("open", "")
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"order-3 steps make the page {width} px wide at 390 px"
    finish(pg, "home-order-3-phone")


def test_hit_or_miss_oracle_is_unbiased():
    """The oracle above estimates ∫₀¹ x² = 1/3 (so the page's numbers it matches do too)."""
    r = hit_or_miss(200_000, 0)
    assert abs(r.value - 1 / 3) < 4 * r.stderr
    assert np.isfinite(r.stderr)
