"""The explorer pages (``/explore/<name>``) in headless Chromium: each loads its state from the
URL, answers one interaction, and shows the number chainrule's Python API gives; the pages
work at 390 px wide and fetch nothing from anywhere but the local server."""

from __future__ import annotations

import re

import pytest

import chainrule as cr
from web_harness import finish, needs_chromium, open_page, serve

pytestmark = needs_chromium

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
expect.set_options(timeout=30_000)  # a busy machine: wait for answers, not a clock


@pytest.fixture(scope="module")
def server():
    with serve(workers=1) as (url, _):
        yield url


def slope_on_page(pg) -> float:
    return float(pg.locator("#slope").get_attribute("data-value"))


def test_derivative_explorer_state_interaction_and_value(browser, server):
    pg = open_page(browser, server, "/explore/derivative?f=x%5E3%20-%203x&x=0.5&from=-3&to=3")
    expect(pg.locator("#slope")).to_have_attribute("data-value", re.compile(r"\d"))
    assert pg.locator("#f").input_value() == "x^3 - 3x"  # the URL's state
    f = cr.parse("x^3 - 3x")
    assert slope_on_page(pg) == pytest.approx(float(cr.diff(f, "x").evaluate(x=0.5)))
    # the critical points (±1) are listed and marked; f′ there reads 0 in green
    expect(pg.locator("#critical li")).to_have_count(2)
    pg.locator("#x").fill("2")  # keyboard interaction: move the probe
    pg.locator("#x").press("Enter")
    expect(pg.locator("#readout")).to_contain_text("x = 2")
    assert slope_on_page(pg) == pytest.approx(float(cr.diff(f, "x").evaluate(x=2.0)))
    assert "x=2" in pg.url  # the state follows, so a reload restores it
    pg.reload()
    expect(pg.locator("#readout")).to_contain_text("x = 2")
    pg.locator("#critical button").first.click()
    expect(pg.locator("#slope")).to_have_class("zero")
    finish(pg, "explore-derivative")


def test_derivative_explorer_kink_is_not_a_slope(browser, server):
    pg = open_page(browser, server, "/explore/derivative?f=abs(x)&x=0")
    expect(pg.locator("#slope")).to_have_text("f′(x): not differentiable here")
    assert pg.locator("#slope").get_attribute("data-value") is None  # no number, no tangent
    finish(pg, "explore-derivative-kink")


def test_limits_explorer_secant_approaches_the_tangent(browser, server):
    pg = open_page(browser, server, "/explore/limits?f=sin(x)&x=1&h=0.5")
    expect(pg.locator("#quotient")).to_have_attribute("data-value", re.compile(r"\d"))
    f = cr.parse("sin(x)")
    at = float(f.evaluate(x=1.0))
    exact = (float(f.evaluate(x=1.5)) - at) / 0.5  # the secant slope, computed here
    assert float(pg.locator("#quotient").get_attribute("data-value")) == pytest.approx(exact)
    expect(pg.locator("#table tr")).to_have_count(10)  # a header and h = 1 … 10⁻⁸
    slider = pg.locator("#h")
    slider.focus()
    for _ in range(30):  # keyboard: h toward 0, a tenth of a decade a press
        slider.press("ArrowLeft")
    h_text = pg.evaluate("String(Number((10 ** Number(document.getElementById('h').value))"
                         ".toPrecision(3)))")
    h = float(h_text)
    assert h < 0.002
    expect(pg.locator("#quotient")).to_have_attribute("data-h", h_text)
    assert f"h={h_text}" in pg.url
    exact = (float(f.evaluate(x=1.0 + h)) - at) / h
    value = float(pg.locator("#quotient").get_attribute("data-value"))
    assert value == pytest.approx(exact, rel=1e-9)
    assert value == pytest.approx(float(cr.diff(f, "x").evaluate(x=1.0)), abs=1e-3)  # → f′(1)
    finish(pg, "explore-limits")


def test_taylor_explorer_order_slider(browser, server):
    import mpmath

    pg = open_page(browser, server, "/explore/taylor?f=e%5Ex&a=0.5&n=2")
    expect(pg.locator("#poly")).to_contain_text("P2(x) =")
    slider = pg.locator("#n")
    slider.focus()
    slider.press("ArrowRight")  # keyboard: order 3
    expect(pg.locator("#poly")).to_contain_text("P3(x) =")
    assert "n=3" in pg.url
    row = pg.locator("#table tr[data-x='1.5']")  # a + 1
    expect(row).to_have_count(1)
    shown = float(row.get_attribute("data-p"))
    # independent oracle: the Taylor series of e^x about 1/2, by mpmath
    coefficients = mpmath.taylor(mpmath.exp, 0.5, 3)
    assert shown == pytest.approx(float(mpmath.polyval(coefficients[::-1], 1.0)), rel=1e-12)
    finish(pg, "explore-taylor")


def test_numerical_explorer_best_step_sizes(browser, server):
    pg = open_page(browser, server, "/explore/numerical?f=e%5Ex&x=1")
    expect(pg.locator("#best-central")).to_have_attribute("data-h", re.compile(r"\d"))
    pg.locator("#x").fill("2")  # keyboard: another point
    pg.locator("#x").press("Enter")
    expect(pg.locator("#best-central")).to_have_attribute("data-slope", re.compile(r"^7\.389"))
    assert "x=2" in pg.url
    slope = float(pg.locator("#best-central").get_attribute("data-slope"))
    assert slope == pytest.approx(float(cr.diff(cr.parse("e^x"), "x").evaluate(x=2.0)))
    central = float(pg.locator("#best-central").get_attribute("data-h"))
    forward = float(pg.locator("#best-forward").get_attribute("data-h"))
    # theory: the best h is about eps^(1/3) ≈ 6e-6 for central and eps^(1/2) ≈ 1.5e-8 for
    # forward differences (within a couple of decades: the constants depend on f)
    assert 1e-8 < central < 1e-3 and 1e-11 < forward < 1e-5 and forward < central
    assert float(pg.locator("#best-central").get_attribute("data-error")) < 1e-8
    finish(pg, "explore-numerical")


def test_logdiff_explorer_finds_the_minimum_of_x_to_the_x(browser, server):
    pg = open_page(browser, server, "/explore/logdiff?f=x%5Ex&x=1&from=0.05&to=4")
    expect(pg.locator("#slope")).to_have_attribute("data-value", re.compile(r"\d"))
    expect(pg.locator("#extrema")).to_contain_text("min at x = 0.367879")  # 1/e
    slider = pg.locator("#x")
    slider.focus()
    pg.evaluate("s => { s.value = '0.368'; s.dispatchEvent(new Event('input')); }",
                slider.element_handle())
    expect(pg.locator("#slope")).to_have_class("zero")  # green at the minimum
    x = float(pg.locator("#slope").get_attribute("data-x"))
    shown = float(pg.locator("#slope").get_attribute("data-value"))
    exact = float(cr.diff(cr.parse("x^x"), "x").evaluate(x=x))
    assert shown == pytest.approx(exact, abs=1e-12) and abs(shown) < 5e-3
    assert "x=0.368" in pg.url
    pg.select_option("#pick", "x^(1/x)")  # keyboard-usable picker: the maximum at e
    expect(pg.locator("#extrema")).to_contain_text("max at x = 2.71828")
    finish(pg, "explore-logdiff")


def test_explorer_on_a_phone(browser, server):
    pg = open_page(browser, server, "/explore/derivative?f=sin(x)&x=1", width=390, height=844)
    expect(pg.locator("#slope")).to_have_attribute("data-value", re.compile(r"\d"))
    assert slope_on_page(pg) == pytest.approx(0.5403023058681398)  # cos 1
    overflow = pg.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 390, f"the page is {overflow} px wide at 390 px"
    finish(pg, "explore-derivative-phone")


def test_home_links_the_explorers_and_unknown_is_404(browser, server):
    pg = open_page(browser, server, "/")
    link = pg.locator("#explorers a", has_text="derivative")
    link.click()
    expect(pg.locator("#slope")).to_be_visible()
    finish(pg, "explore-from-home")
    import httpx
    r = httpx.get(server + "/explore/nope")
    assert r.status_code == 404 and "derivative" in r.json()["error"]
