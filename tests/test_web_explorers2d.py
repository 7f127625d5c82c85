"""The explorers of two variables (``/explore/partials``, ``gradient``, ``jacobian``, ``hessian``,
``optimization``) and the plot features every explorer shares, in headless Chromium.

Each page is loaded from a URL with a state, driven by one interaction (keyboard or mouse),
and the number it shows is checked against an oracle independent of the page: SymPy for
derivatives, NumPy for eigenvalues, the gradient-descent recurrence written out here. The
pages are also opened 390 px wide, and no request may leave 127.0.0.1.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

import web_harness
from chainrule.calculus import gradient, hessian, jacobian, minimize
from web_harness import finish, needs_chromium, serve

pytestmark = needs_chromium

playwright_api = pytest.importorskip("playwright.sync_api")
sp = pytest.importorskip("sympy")
expect = playwright_api.expect
expect.set_options(timeout=30_000)  # a first answer waits for the worker to start (loaded CI)
X, Y = sp.symbols("x y")


@pytest.fixture(scope="module")
def server():
    with serve(workers=1, warm_up=False) as (url, _):
        yield url


def open_page(browser, server, path, width=1280, height=900, scheme="light"):
    return web_harness.open_page(browser, server, path, width, height, color_scheme=scheme)


def number(pg, selector, key="value"):
    return float(pg.locator(selector).get_attribute(f"data-{key}"))


def url_state(pg):
    return {k: v[0] for k, v in parse_qs(urlparse(pg.url).query).items()}


def enter(pg, selector, value):
    pg.locator(selector).fill(str(value))
    pg.locator(selector).press("Enter")


def test_partials_slices_and_their_slopes(browser, server):
    pg = open_page(browser, server, "/explore/partials?f=x%5E2%20y%20%2B%203y&x=2&y=1")
    expect(pg.locator("#fx")).to_have_attribute("data-value", re.compile(r"\d"))
    f = X**2 * Y + 3 * Y  # seed 003's worked example: ∂f/∂x = 4 and ∂f/∂y = 7 at (2, 1)
    assert number(pg, "#fx") == pytest.approx(float(sp.diff(f, X).subs({X: 2, Y: 1})))
    assert number(pg, "#fy") == pytest.approx(7.0)
    expect(pg.locator("#slice-x")).to_be_visible()
    expect(pg.locator("#slice-y")).to_be_visible()
    enter(pg, "#x", -1.5)  # keyboard: move x₀
    expect(pg.locator("#fx")).to_have_attribute("data-value", "-3")
    assert number(pg, "#fy") == pytest.approx(float(sp.diff(f, Y).subs({X: -1.5, Y: 1})))
    assert number(pg, "#fy") == gradient("x^2 y + 3y").at(x=-1.5, y=1)[1]  # chainrule's API
    assert url_state(pg)["x"] == "-1.5"
    pg.reload()  # the URL holds the whole state
    expect(pg.locator("#fx")).to_have_attribute("data-value", "-3")
    finish(pg, "explore-partials")


def point_on_screen(pg, board_id, name):
    return pg.evaluate("""([id, name]) => {
        const div = document.getElementById(id), b = div.board, r = div.getBoundingClientRect();
        const p = Object.values(b.objects).find((o) => o.elType === 'point' && o.name === name);
        return [r.left + p.coords.scrCoords[1], r.top + p.coords.scrCoords[2],
                (r.width) / (b.getBoundingBox()[2] - b.getBoundingBox()[0])];
    }""", [board_id, name])


def test_gradient_field_and_steepest_descent_at_a_dragged_point(browser, server):
    pg = open_page(browser, server, "/explore/gradient?f=x%5E2%20%2B%203y%5E2&x=2&y=1")
    expect(pg.locator("#grad")).to_have_attribute("data-gx", "4")
    assert number(pg, "#grad", "gy") == pytest.approx(6.0)
    sx, sy, per_unit = point_on_screen(pg, "plane", "(x₀, y₀)")
    pg.mouse.move(sx, sy)  # the mouse: drag the point one unit left and one unit down
    pg.mouse.down()
    pg.mouse.move(sx - per_unit / 2, sy + per_unit / 2, steps=5)
    pg.mouse.move(sx - per_unit, sy + per_unit, steps=5)
    pg.mouse.up()
    expect(pg.locator("#grad")).not_to_have_attribute("data-gx", "4")
    state = url_state(pg)  # the answers come live while dragging: wait for the last one
    expect(pg.locator("#grad")).to_contain_text(f"∇f({state['x']}, {state['y']})")
    x, y = float(state["x"]), float(state["y"])
    assert x == pytest.approx(1.0, abs=0.1) and y == pytest.approx(0.0, abs=0.1)
    f = X**2 + 3 * Y**2
    g = [float(sp.diff(f, v).subs({X: x, Y: y})) for v in (X, Y)]
    assert number(pg, "#grad", "gx") == pytest.approx(g[0])
    assert number(pg, "#grad", "gy") == pytest.approx(g[1])
    norm = float(np.hypot(*g))
    assert number(pg, "#descent", "ux") == pytest.approx(-g[0] / norm)
    assert number(pg, "#descent", "uy") == pytest.approx(-g[1] / norm)
    assert pg.locator("#plane-legend").inner_text().count("steepest descent") == 1
    finish(pg, "explore-gradient")


def test_jacobian_determinant_is_the_area_scale(browser, server):
    pg = open_page(browser, server, "/explore/jacobian?u=x%5E2%20-%20y%5E2&v=2x%20y&x=1&y=0.5"
                                    "&h=0.25")
    expect(pg.locator("#det")).to_have_attribute("data-value", re.compile(r"\d"))
    m = sp.Matrix([X**2 - Y**2, 2 * X * Y]).jacobian([X, Y])
    assert number(pg, "#det") == pytest.approx(float(m.det().subs({X: 1, Y: 0.5})))
    shown = json.loads(pg.locator("#jmatrix").get_attribute("data-values"))
    assert shown == [[2, -1], [1, 2]]
    assert shown == jacobian(["x^2 - y^2", "2x y"], ["x", "y"]).at(x=1, y=0.5).tolist()
    enter(pg, "#h", 0.01)  # keyboard: a smaller square; its image's area / h² → det J
    expect(pg.locator("#area")).to_have_attribute("data-value", re.compile(r"^5\.0"))
    # the image's exact area is the integral of det J over the square (SymPy)
    h = sp.Rational(1, 100)
    area = sp.integrate(m.det(), (X, 1, 1 + h), (Y, sp.Rational(1, 2), sp.Rational(1, 2) + h))
    assert number(pg, "#area") == pytest.approx(float(area / h**2), rel=1e-5)
    enter(pg, "#x", 2)
    expect(pg.locator("#det")).to_have_attribute("data-value", "17")
    assert float(m.det().subs({X: 2, Y: 0.5})) == 17
    assert url_state(pg)["h"] == "0.01"
    finish(pg, "explore-jacobian")


def test_hessian_eigenvalues_and_shape(browser, server):
    pg = open_page(browser, server, "/explore/hessian?f=x%5E3%20%2B%20y%5E3%20-%206x%20y"
                                    "&x=1.5&y=1.5")
    expect(pg.locator("#shape")).to_have_attribute("data-shape", re.compile(r"\w"))
    f = X**3 + Y**3 - 6 * X * Y
    h = sp.hessian(f, (X, Y))

    def eig(x, y):
        return np.linalg.eigvalsh(np.array(h.subs({X: x, Y: y}), dtype=float))

    shown = json.loads(pg.locator("#eigen").get_attribute("data-values"))
    assert shown == pytest.approx(eig(1.5, 1.5))
    assert pg.locator("#shape").get_attribute("data-critical") == "false"
    expect(pg.locator("#critical li")).to_have_count(2)  # the saddle (0, 0), the minimum (2, 2)
    pg.locator("#critical button", has_text="minimum").press("Enter")  # keyboard
    expect(pg.locator("#shape")).to_have_attribute("data-critical", "true")
    assert pg.locator("#shape").get_attribute("data-shape") == "minimum"
    shown = json.loads(pg.locator("#eigen").get_attribute("data-values"))
    assert shown == pytest.approx(eig(2, 2))  # 6 and 18
    assert json.loads(pg.locator("#hmatrix").get_attribute("data-values")) == \
        hessian("x^3 + y^3 - 6x y").at(x=2, y=2).tolist()  # chainrule's API
    pg.locator("#critical button", has_text="saddle").click()
    expect(pg.locator("#shape")).to_have_attribute("data-shape", "saddle")
    assert url_state(pg)["x"] == "0"
    finish(pg, "explore-hessian")


def descent_oracle(x0: float, rate: float, steps: int) -> float:
    """Gradient descent on x² by its recurrence x ← x − η·2x."""
    x = x0
    for _ in range(steps):
        x -= rate * 2 * x
    return x


def test_optimization_learning_rate_slider(browser, server):
    pg = open_page(browser, server, "/explore/optimization?f=x%5E2&x=1&rate=0.1&momentum=0.5"
                                    "&steps=40&k=40")
    expect(pg.locator("#verdict-gd")).to_have_attribute("data-verdict", "converges")
    assert number(pg, "#end-gd", "x") == pytest.approx(descent_oracle(1, 0.1, 40), abs=1e-15)
    expect(pg.locator("#verdict-newton")).to_have_attribute("data-verdict", "converges")
    slider = pg.locator("#rate")
    slider.focus()
    for _ in range(21):  # keyboard: η from 10^-1 to 10^0.05 ≈ 1.12, past the stable 1
        slider.press("ArrowRight")
    expect(pg.locator("#verdict-gd")).to_have_attribute("data-verdict", "diverges")
    rate = float(url_state(pg)["rate"])
    assert rate == pytest.approx(1.12)
    expect(pg.locator("#end-gd")).to_have_attribute("data-iterations", "40")
    assert number(pg, "#end-gd", "x") == pytest.approx(descent_oracle(1, rate, 40), rel=1e-9)
    engine = minimize("x^2", {"x": 1}, method="gd", step=rate, max_iter=40)
    assert number(pg, "#end-gd", "x") == engine.trace[-1].x["x"]  # chainrule's API
    for _ in range(3):  # back to η = 10^-0.1 ≈ 0.794: |1 − 2η| < 1, it oscillates in
        slider.press("ArrowLeft")
    expect(pg.locator("#verdict-gd")).not_to_have_attribute("data-verdict", "diverges")
    pg.goto(server + "/explore/optimization?f=x%5E2&x=1&rate=1&steps=40")
    expect(pg.locator("#verdict-gd")).to_have_attribute("data-verdict", "oscillates")
    finish(pg, "explore-optimization")


def test_optimization_on_two_variables_with_momentum(browser, server):
    pg = open_page(browser, server, "/explore/optimization?f=x%5E2%20%2B%203y%5E2&x=2&y=1.5"
                                    "&rate=0.1&momentum=0.5&steps=60")
    expect(pg.locator("#verdict-momentum")).to_have_attribute("data-verdict", re.compile(r"\w"))
    # heavy ball, written out: v ← βv − η∇f, p ← p + v, until |∇f| ≤ 10⁻⁸ or 60 steps
    p, v, steps = np.array([2.0, 1.5]), np.zeros(2), 0
    while steps < 60 and np.linalg.norm([2 * p[0], 6 * p[1]]) > 1e-8:
        v = 0.5 * v - 0.1 * np.array([2 * p[0], 6 * p[1]])
        p, steps = p + v, steps + 1
    assert number(pg, "#end-momentum", "iterations") == steps
    assert number(pg, "#end-momentum", "x") == pytest.approx(p[0], abs=1e-12)
    assert number(pg, "#end-momentum", "y") == pytest.approx(p[1], abs=1e-12)
    assert number(pg, "#end-newton", "iterations") == 1  # exact on a quadratic
    finish(pg, "explore-optimization-2d")


@pytest.mark.parametrize("path", [
    "/explore/partials?f=sin(x)%20cos(y)&x=1&y=1",
    "/explore/gradient?f=x%5E2%20%2B%203y%5E2&x=2&y=1",
    "/explore/jacobian?u=x%5E2%20-%20y%5E2&v=2x%20y&x=1&y=0.5",
    "/explore/hessian?f=x%5E2%20-%20y%5E2&x=0.5&y=0.5",
    "/explore/optimization?f=x%5E2%20%2B%203y%5E2&x=2&y=1.5",
])
def test_plane_explorers_on_a_phone(browser, server, path):
    pg = open_page(browser, server, path, width=390, height=844)
    expect(pg.locator("#readout")).not_to_be_empty()
    expect(pg.locator(".jxgbox").first).to_be_visible()
    assert pg.locator("#status").inner_text() == ""
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{path} is {width} px wide at 390 px"
    finish(pg, "explore-phone-" + path.split("?")[0].rsplit("/", 1)[1])


def test_plot_tools_y_range_log_axes_and_export(browser, server):
    pg = open_page(browser, server, "/explore/derivative?f=e%5Ex&x=0.5&from=-3&to=3")
    expect(pg.locator("#slope")).to_have_attribute("data-value", re.compile(r"\d"))
    expect(pg.locator("#f-board-legend")).to_contain_text("f")
    enter(pg, "#f-board-ymax", 5)  # the y-range control
    enter(pg, "#f-board-ymin", -1)
    top, bottom = pg.evaluate("(() => { const b = document.getElementById('f-board').board;"
                              " const bb = b.getBoundingBox(); return [bb[1], bb[3]]; })()")
    assert (top, bottom) == pytest.approx((5, -1))
    pg.locator("#f-board-logy").check()  # log y: e^x becomes a straight line of slope log10 e
    slope = pg.evaluate("""(() => {
        const b = document.getElementById('f-board').board, c = b.dataCurves[0];
        const n = c.dataX.length - 1;
        return (c.dataY[n] - c.dataY[0]) / (c.dataX[n] - c.dataX[0]); })()""")
    assert slope == pytest.approx(np.log10(np.e))
    labels = pg.evaluate("[...document.querySelectorAll('#f-board text')].map(t => t.textContent)")
    assert any(t.startswith("1e") for t in labels)
    with pg.expect_download() as download:
        pg.locator("#f-board-tools button", has_text="SVG").click()
    svg = Path(download.value.path()).read_text()
    assert download.value.suggested_filename == "f-board.svg"
    assert svg.startswith("<svg") and "<path" in svg and "1e" in svg  # labels come along
    with pg.expect_download() as download:
        pg.locator("#f-board-tools button", has_text="PNG").click()
    assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finish(pg, "explore-plot-tools")


def test_copy_as_latex_history_and_dark_mode(browser, server):
    import chainrule as cr

    pg = open_page(browser, server, "/explore/partials?f=x%5E2%20y%20%2B%203y&x=2&y=1",
                   scheme="dark")
    pg.context.grant_permissions(["clipboard-read", "clipboard-write"])
    expect(pg.locator("#fx")).to_have_attribute("data-value", re.compile(r"\d"))
    button = pg.locator("#readout .formula").first.locator("button.copy-latex")
    button.click()
    expect(button).to_have_text("copied ✓")
    copied = pg.evaluate("navigator.clipboard.readText()")
    assert copied == cr.diff(cr.parse("x^2 y + 3y"), "x").latex()
    assert pg.locator("#readout math").count() >= 2  # typeset by our MathML printer
    background = pg.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(30, 30, 30)"  # prefers-color-scheme: dark
    pg.locator("#f").fill("x y")
    pg.locator("#f").press("Enter")
    expect(pg.locator("#fx")).to_have_attribute("data-value", "1")
    saved = "JSON.parse(localStorage.getItem('chainrule-history-partials') || '[]')"
    for _ in range(100):  # the history is written 0.8 s after the last change
        searches = [e["search"] for e in pg.evaluate(saved)]
        if any("f=x+y" in e for e in searches):
            break
        pg.wait_for_timeout(100)
    pg.reload()
    pg.locator("#history summary").click()
    links = pg.locator("#history a")
    expect(links.first).to_be_visible()
    assert any("x y" in t for t in links.all_inner_texts())
    assert any("x^2 y + 3y" in t for t in links.all_inner_texts())
    finish(pg, "explore-partials-dark")


def test_home_links_the_plane_explorers(browser, server):
    pg = open_page(browser, server, "/")
    for name in ("partials", "gradient", "jacobian", "hessian", "optimization"):
        expect(pg.locator("#explorers a", has_text=name)).to_have_count(1)
    pg.locator("#explorers a", has_text="hessian").click()
    expect(pg.locator("#shape")).to_have_attribute("data-shape", re.compile(r"\w"))
    finish(pg, "explore-hessian-from-home")
