"""The JSON endpoints of the explorers of two variables: ``/api/surface``, ``/api/hessian``,
``/api/jacobian`` and ``/api/optimize``, in-process. Values are checked against SymPy, NumPy,
finite differences and recurrences written out here; bad requests get a 4xx that names the
field."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainrule.web import create_app
from chainrule.web.surfaces import contours

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

sp = pytest.importorskip("sympy")
pytestmark = pytest.mark.filterwarnings("ignore:.*httpx.*")
X, Y = sp.symbols("x y")


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(workers=0, warm_up=False), base_url="http://127.0.0.1")


def ok(client, name, body):
    r = client.post(f"/api/{name}", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def sympy_value(e, x, y):
    return float(e.subs({X: x, Y: y}))


def test_surface_partials_slices_and_field(client):
    s = ok(client, "surface", {"expr": "x^2 y + 3y", "x": 2, "y": 1, "points": 21})
    f = X**2 * Y + 3 * Y
    assert s["partials"]["x"]["text"] == "2x*y" and s["partials"]["y"]["text"] == "x^2 + 3"
    assert s["partials"]["x"]["mathml"].startswith("<math")
    assert s["point"]["fx"] == 4 and s["point"]["fy"] == 7 and s["point"]["f"] == 7
    assert s["point"]["descent"] == pytest.approx([-4 / math.hypot(4, 7), -7 / math.hypot(4, 7)])
    # the slice y = 1 is f(x, 1) = x² + 3, the slice x = 2 is f(2, y) = 7y
    xs, fs = np.array(s["slices"]["y"]["x"]), np.array(s["slices"]["y"]["f"])
    assert fs == pytest.approx(xs**2 + 3)
    ys, gs = np.array(s["slices"]["x"]["y"]), np.array(s["slices"]["x"]["f"])
    assert gs == pytest.approx(7 * ys)
    z = np.array(s["z"], dtype=float)
    gx, gy = np.meshgrid(s["xs"], s["ys"])
    assert z.shape == (21, 21) and z == pytest.approx(gx**2 * gy + 3 * gy, rel=1e-6)
    a = s["arrows"]
    for x, y, u, v in list(zip(a["x"], a["y"], a["gx"], a["gy"], strict=True))[::17]:
        assert u == pytest.approx(sympy_value(sp.diff(f, X), x, y), rel=1e-7, abs=1e-9)
        assert v == pytest.approx(sympy_value(sp.diff(f, Y), x, y), rel=1e-7, abs=1e-9)


def test_surface_without_the_field_is_the_same_point(client):
    whole = ok(client, "surface", {"expr": "x^2 y + 3y", "x": 0.3, "y": -1.1, "points": 9})
    point = ok(client, "surface", {"expr": "x^2 y + 3y", "x": 0.3, "y": -1.1, "field": False})
    assert "z" not in point and "contours" not in point and "arrows" not in point
    assert point["point"] == whole["point"] and point["slices"] == whole["slices"]
    assert point["point"]["fx"] == 2 * 0.3 * -1.1  # full precision: every bit of 2xy


def test_contour_points_lie_on_their_level(client):
    s = ok(client, "surface", {"expr": "x^2 + y^2", "x": 1, "y": 1, "points": 81})
    assert len(s["contours"]) >= 8
    for c in s["contours"]:
        pts = [(x, y) for x, y in zip(c["x"], c["y"], strict=True) if x is not None]
        assert pts, c["level"]
        r2 = np.array([x * x + y * y for x, y in pts])
        # linear interpolation on a grid of step 0.075: within h²/4 · f'' of the level
        assert r2 == pytest.approx(c["level"], abs=0.075**2)


def test_marching_squares_saddle_cell_and_gaps():
    xs = ys = np.array([0.0, 1.0])
    z = np.array([[1.0, -1.0], [-1.0, 1.0]])  # a saddle cell, centre value 0 → one pairing
    (c,) = contours(xs, ys, z, [0.0])
    segments = [(c["x"][i:i + 2], c["y"][i:i + 2]) for i in range(0, len(c["x"]), 3)]
    assert len(segments) == 2
    z[0, 0] = np.nan  # an undefined corner: the cell is skipped, not guessed
    assert contours(xs, ys, z, [0.0])[0]["x"] == []


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.floats(-2, 2), st.floats(-2, 2))
def test_surface_partials_agree_with_central_differences(client, x, y):
    s = ok(client, "surface", {"expr": "sin(x) cos(2y) + x y^2", "x": x, "y": y, "points": 5})

    def f(a, b):
        return math.sin(a) * math.cos(2 * b) + a * b * b

    h = 1e-5
    assert s["point"]["fx"] == pytest.approx((f(x + h, y) - f(x - h, y)) / (2 * h), abs=1e-7)
    assert s["point"]["fy"] == pytest.approx((f(x, y + h) - f(x, y - h)) / (2 * h), abs=1e-7)


def test_surface_kink_is_no_slope(client):
    s = ok(client, "surface", {"expr": "abs(x) + y", "x": 0, "y": 1, "points": 5})
    assert s["point"]["fx"] is None and s["point"]["fy"] == 1  # not a flat tangent
    assert s["point"]["descent"] is None


def test_surface_gaps_where_f_is_undefined(client):
    s = ok(client, "surface", {"expr": "ln(x) + y", "x": 1, "y": 0, "points": 11})
    z = s["z"]
    assert z[0][0] is None and z[0][-1] is not None  # x = −3 is outside the domain of ln
    assert s["point"]["fx"] == 1


def test_hessian_eigen_shape_and_quadratic_model(client):
    f = X**3 + Y**3 - 6 * X * Y
    h = ok(client, "hessian", {"expr": "x^3 + y^3 - 6x y", "x": 2, "y": 2, "points": 31,
                               "xmin": -2, "xmax": 4, "ymin": -2, "ymax": 4})
    expected = np.array(sp.hessian(f, (X, Y)).subs({X: 2, Y: 2}), dtype=float)
    assert h["hessian"]["at"] == expected.tolist()
    assert h["eigenvalues"] == pytest.approx(np.linalg.eigvalsh(expected))  # 6, 18
    for lam, vec in zip(h["eigenvalues"], h["eigenvectors"], strict=True):
        assert expected @ vec == pytest.approx(lam * np.array(vec))
    assert h["shape"] == "minimum" and h["critical"] is True
    kinds = {(round(c["x"], 6), round(c["y"], 6)): c["kind"] for c in h["critical_points"]}
    assert kinds == {(0, 0): "saddle", (2, 2): "minimum"}
    # the quadratic model's contours pass through points where q equals the level
    for c in h["quadratic"][:3]:
        for x, y in [p for p in zip(c["x"], c["y"], strict=True) if p[0] is not None][:5]:
            d = np.array([x - 2, y - 2])
            q = -8 + 0.5 * d @ expected @ d
            assert q == pytest.approx(c["level"], abs=0.1)
    saddle = ok(client, "hessian", {"expr": "x^2 - y^2", "x": 1, "y": 0})
    assert saddle["shape"] == "saddle" and saddle["critical"] is False
    top = ok(client, "hessian", {"expr": "-(x^2 + y^2)", "x": 0, "y": 0})
    assert top["shape"] == "maximum" and top["critical"] is True
    flat = ok(client, "hessian", {"expr": "x^4 + y^2", "x": 0, "y": 0})
    assert flat["shape"] == "degenerate"


def test_jacobian_matrix_determinant_and_image(client):
    j = ok(client, "jacobian", {"u": "x^2 - y^2", "v": "2x y", "x": 1, "y": 0.5, "h": 0.001})
    m = sp.Matrix([X**2 - Y**2, 2 * X * Y]).jacobian([X, Y])
    assert j["at"] == np.array(m.subs({X: 1, Y: 0.5}), dtype=float).tolist()
    assert j["determinant"] == pytest.approx(float(m.det().subs({X: 1, Y: 0.5})))
    assert j["area_ratio"] == pytest.approx(j["determinant"], rel=2e-3)  # → det J as h → 0
    assert [[c["text"] for c in row] for row in j["formula"]] == [["2x", "-2y"], ["2y", "2x"]]
    # the sampled image of the square is the map applied to the square's boundary
    for x, y, u, v in list(zip(j["square"]["x"], j["square"]["y"], j["image"]["u"],
                               j["image"]["v"], strict=True))[::7]:
        assert (u, v) == pytest.approx((x * x - y * y, 2 * x * y))
    polar = ok(client, "jacobian", {"u": "x cos(y)", "v": "x sin(y)", "x": 2, "y": 0.3})
    assert polar["determinant"] == pytest.approx(2.0)  # r for polar coordinates
    flip = ok(client, "jacobian", {"u": "y", "v": "x", "x": 0, "y": 0})
    assert flip["determinant"] == -1 and flip["area_ratio"] == pytest.approx(-1)


def test_optimize_learning_rates(client):
    def run(rate, steps=40, **extra):
        return ok(client, "optimize", {"expr": "x^2", "x": 1, "rate": rate, "steps": steps,
                                       **extra})["runs"]

    small = run(0.1)
    xs = [r["x"]["x"] for r in small["gd"]["trace"]]
    assert xs[:4] == pytest.approx([1, 0.8, 0.64, 0.512])  # x ← x − 0.1·2x
    assert small["gd"]["verdict"] == "converges"
    assert run(1.0)["gd"]["verdict"] == "oscillates"  # x ← −x forever
    big = run(1.1)["gd"]
    assert big["verdict"] == "diverges" and big["end"]["x"]["x"] == pytest.approx(1.2**40)
    assert small["newton"]["iterations"] == 1 and small["newton"]["verdict"] == "converges"
    heavy = run(0.1, 5, momentum=0.5)["momentum"]["trace"]
    x, v = 1.0, 0.0
    for row in heavy[1:]:
        v = 0.5 * v - 0.1 * 2 * x
        x += v
        assert row["x"]["x"] == pytest.approx(x)
    two = ok(client, "optimize", {"expr": "x^2 + 3y^2", "x": 2, "y": 1.5, "rate": 0.3})
    assert two["variables"] == ["x", "y"] and two["runs"]["gd"]["zigzag"] > 5


@pytest.mark.parametrize(("name", "body", "field", "words"), [
    ("surface", {"expr": "x + z"}, None, "also has z"),
    ("surface", {"expr": "x^2", "xmin": 2, "xmax": 1}, "xmin", "less than"),
    ("surface", {"expr": "x^2", "points": 1000}, "points", "between 5 and 101"),
    ("surface", {"expr": "x^2 +"}, "expr", "syntax error"),
    ("surface", {"expr": "ln(x)", "x": -1, "y": 0}, None, "not defined"),
    ("surface", {"expr": "x", "colour": 1}, "colour", "unknown field"),
    ("hessian", {"expr": "abs(x) + y", "x": 0, "y": 0}, None, "second derivatives"),
    ("hessian", {"expr": "x abs(x) + y", "x": 0, "y": 0}, None, "second derivatives"),
    ("jacobian", {"u": "abs(x)", "v": "y", "x": 0, "y": 1}, None, "not differentiable"),
    ("hessian", {"expr": "x", "ymax": 1e9}, "ymax", "finite number"),
    ("jacobian", {"u": "x", "v": "y +"}, "v", "syntax error"),
    ("jacobian", {"u": "x", "v": "y", "h": 0}, "h", "positive"),
    ("jacobian", {"u": "x", "v": "t"}, None, "'v' must be a function of x and y"),
    ("optimize", {"expr": "x^2", "rate": -1}, "rate", "positive"),
    ("optimize", {"expr": "x^2", "momentum": 1}, "momentum", "not including"),
    ("optimize", {"expr": "x^2", "steps": 10_000}, "steps", "between 1 and 500"),
    ("optimize", {"expr": "ln(x)", "x": -1}, None, "undefined at the start"),
])
def test_bad_requests_name_the_problem(client, name, body, field, words):
    r = client.post(f"/api/{name}", json=body)
    assert 400 <= r.status_code < 500, r.text
    answer = r.json()
    assert words in answer["error"]
    if field is not None:
        assert answer.get("field") == field


def test_endpoints_are_listed(client):
    listed = client.get("/api").json()["endpoints"]
    for name in ("surface", "hessian", "jacobian", "optimize"):
        assert f"/api/{name}" in listed and listed[f"/api/{name}"]
    for name in ("partials", "gradient", "jacobian", "hessian", "optimization"):
        page = client.get(f"/explore/{name}")
        assert page.status_code == 200 and f"/static/explore/{name}.js" in page.text
        assert client.get(f"/static/explore/{name}.js").status_code == 200
