"""End-to-end tests of the web explorer's home page in headless Chromium, against a real
server (``web_harness.py``). Screenshots are saved under ``tests/artifacts/`` (git-ignored) for a
person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from web_harness import ARTIFACTS, close_page, needs_chromium, open_page, serve

pytestmark = needs_chromium

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


@pytest.fixture(scope="module")
def server():
    with serve(start_within=30) as (url, _):
        yield url


@pytest.fixture
def page(browser, server):
    pg = open_page(browser, server, "/", timeout_ms=30_000)
    expect(pg.locator("#derivative-text")).not_to_have_text("", timeout=60_000)  # workers start
    settle(pg)
    yield pg
    close_page(pg)


def settle(page, pause_ms: int = 300) -> None:
    """Wait past the input debounce until no request is in flight."""
    page.wait_for_timeout(pause_ms)
    page.wait_for_selector('body[data-busy="0"]', state="attached")


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def number(page, selector: str) -> float:
    text = page.text_content(selector) or ""
    assert re.fullmatch(r"-?[\d.]+(e-?\d+)?", text.strip()), f"{selector} shows {text!r}"
    return float(text)


def type_expression(page, text: str) -> None:
    box = page.locator("#expr")
    box.click()
    box.press("Control+a")
    box.press("Delete")
    box.press_sequentially(text, delay=20)
    settle(page)


def test_x_to_the_x_shows_its_derivative_and_a_logdiff_step(page):
    type_expression(page, "x^x")
    expect(page.locator("#derivative-text")).to_have_text("x^x*(ln(x) + 1)")
    derivative = page.locator("#derivative math")
    expect(derivative).to_have_count(1)
    assert derivative.locator("msup").count() >= 2  # x^x on both sides, as real powers
    assert "ln" in derivative.text_content()
    expect(page.locator("#preview code")).to_have_text("x^x")
    steps = page.locator("#steps")
    expect(steps.locator("summary", has_text="Logarithmic differentiation")).to_have_count(1)
    expect(steps.locator("summary", has_text="Take ln of both sides")).to_have_count(1)
    assert steps.locator("details").count() >= 4
    shot(page, "x_to_the_x")


def test_hiding_a_rule_and_collapsing_steps(page):
    steps = page.locator("#steps")
    expect(steps.locator(".rule", has_text="Product rule")).to_have_count(1)
    page.locator("#hide-list label", has_text="Product rule").locator("input").check()
    settle(page)
    expect(steps.locator(".rule", has_text="Product rule")).to_have_count(0)
    expect(steps.locator(".rule", has_text="Logarithm rule")).to_have_count(1)  # still there
    page.click("#collapse-all")
    assert steps.locator("details[open]").count() == 0
    page.click("#expand-all")
    assert steps.locator("details[open]").count() == steps.locator("details").count()


def test_probe_dragged_to_the_minimum_of_x_to_the_x_reads_zero_slope(page):
    type_expression(page, "x^x")
    page.fill("#plot-from", "0")
    page.fill("#plot-to", "2")
    page.locator("#plot-to").dispatch_event("change")
    settle(page)
    expect(page.locator("#critical")).to_contain_text("min at x = 0.3678794")
    canvas = page.locator("#plot")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    left, right = (float(canvas.get_attribute(a)) for a in ("data-left", "data-right"))

    def client_x(x: float) -> float:
        return box["x"] + left + (x - 0.0) / 2.0 * (right - left)

    y = box["y"] + box["height"] / 2
    page.mouse.move(client_x(1.5), y)
    page.mouse.down()
    page.mouse.move(client_x(0.3679), y, steps=12)
    page.mouse.up()
    settle(page)
    assert abs(number(page, "#read-x") - 0.3679) < 0.01
    assert abs(number(page, "#read-df")) < 1e-3  # f′ ≈ 0 at the marked minimum
    assert abs(number(page, "#read-f") - 0.6922006) < 1e-4
    assert abs(number(page, "#read-lnf") + 0.3678794) < 1e-4
    expect(page.locator("#check-verdict")).to_contain_text("agree")
    shot(page, "probe_at_minimum")

    page.fill("#probe-x", "0.3679")  # the probe's number box: near, not on, the minimum
    page.locator("#probe-x").press("Tab")
    settle(page)
    assert abs(number(page, "#read-df")) < 1e-3
    assert number(page, "#check-symbolic") == pytest.approx(number(page, "#check-forward"))
    assert number(page, "#check-reverse") == pytest.approx(number(page, "#check-symbolic"))


def test_malformed_input_shows_its_error_and_the_page_keeps_working(page):
    type_expression(page, "sin(x^2")
    error = page.locator("#error")
    expect(error).to_be_visible()
    expect(page.locator("#error-message")).to_contain_text("missing ')'")
    expect(page.locator("#error-message")).to_contain_text("column 4")
    expect(page.locator("#error-where mark")).to_have_text("(")
    assert page.get_attribute("#expr", "aria-invalid") == "true"
    shot(page, "malformed_input")
    type_expression(page, "sin(x^2)")
    expect(error).to_be_hidden()
    expect(page.locator("#derivative-text")).to_have_text("2x*cos(x^2)")
    type_expression(page, "x +* 2")
    expect(error).to_be_visible()
    type_expression(page, "x^3 - 3x")
    expect(page.locator("#derivative-text")).to_have_text("3x^2 - 3")
    expect(page.locator("#critical")).to_contain_text("max at x = -1")


def test_check_my_answer(page):
    page.fill("#answer", "x*x^(x-1)")
    page.click("#answer-form button")
    settle(page)
    result = page.locator("#answer-result")
    expect(result).to_contain_text("Not equivalent")
    expect(result).to_contain_text("power rule")
    assert result.locator("math").count() == 1
    page.fill("#answer", "x^x ln x + x^x")
    page.click("#answer-form button")
    settle(page)
    expect(result).to_contain_text("Equivalent")
    shot(page, "check_my_answer")
    type_expression(page, "sin x")  # another function: the old verdict must not stay
    expect(page.locator("#derivative-text")).to_have_text("cos(x)")
    expect(result).to_have_text("")


def test_a_paste_over_the_limit_says_so_instead_of_truncating(page):
    text = "x + " * 300 + "x"  # 1,201 characters
    page.fill("#expr", text)
    assert page.locator("#expr").input_value() == text  # nothing cut off silently
    expect(page.locator("#error-message")).to_contain_text(
        "the expression is 1,201 characters long; the limit is 1,000")


def test_graph_view_of_seed_003s_neuron(page):
    table = page.locator("#graph-table tbody")
    expect(table.locator("tr")).to_have_count(9)
    adjoint = {row.locator("th").inner_text(): row.locator("td").nth(2).inner_text()
               for row in table.locator("tr").all()}
    assert adjoint["w"] == "20" and adjoint["x"] == "30" and adjoint["b"] == "10"
    assert adjoint["y"] == "-10" and adjoint["L"] == "1"
    assert page.locator("#graph g.node").count() == 9
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#graph-section").screenshot(path=str(ARTIFACTS / "graph.png"))


def test_order_selector(page):
    page.select_option("#order", "2")
    settle(page)
    expect(page.locator("#derivative-text")).to_have_text("x^(x - 1) + x^x*(ln(x) + 1)^2")
    expect(page.locator("#steps summary", has_text="Second derivative")).to_have_count(1)
    expect(page.locator("#answer-label")).to_have_text("my f^(2) =")
