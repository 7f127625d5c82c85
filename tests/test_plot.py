"""chainrule.plot: f, ln f and f′ on one figure (matplotlib's Agg backend, no display)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import chainrule as cr
from chainrule.calculus.plot import sample, split_at_poles
from chainrule.errors import ChainruleError

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def _lines(fig):
    return {line.get_label(): line for line in fig.axes[0].get_lines()
            if not line.get_label().startswith("_")}


def test_importing_chainrule_does_not_import_matplotlib():
    code = "import sys, chainrule; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


def test_three_curves_with_derivative_values_from_chainrule():
    fig = cr.plot("x^x", (0.05, 2.5), points=201)
    lines = _lines(fig)
    assert set(lines) == {"f(x) = x^x", "ln f(x)", "f′(x) = x^x*(ln(x) + 1)"}
    xs, dv = lines["f′(x) = x^x*(ln(x) + 1)"].get_data()
    d = cr.diff("x^x")
    for i in (0, 50, 137, 200):
        assert dv[i] == pytest.approx(d.evaluate(x=float(xs[i])), rel=1e-12)
    fx, fy = lines["f(x) = x^x"].get_data()
    assert fy[100] == pytest.approx(fx[100] ** fx[100], rel=1e-12)
    lx, ly = lines["ln f(x)"].get_data()
    assert ly[100] == pytest.approx(lx[100] * np.log(lx[100]), rel=1e-12)
    assert fig.axes[0].get_xlim() == (0.05, 2.5)


def test_gaps_where_f_is_undefined_and_ln_only_where_positive():
    fig = cr.plot("ln(x) * x", (-2, 3), points=101)
    lines = _lines(fig)
    xs, f = lines["f(x) = x*ln(x)"].get_data()
    _, df = lines["f′(x) = ln(x) + 1"].get_data()
    _, lnf = lines["ln f(x)"].get_data()
    assert np.all(np.isnan(f[xs <= 0])) and np.all(np.isfinite(f[xs > 0]))
    assert np.all(np.isnan(df[xs <= 0])) and np.all(np.isfinite(df[xs > 0]))
    # x ln x < 0 on (0, 1): no logarithm there; ln(x ln x) on (1, 3]
    assert np.all(np.isnan(lnf[xs <= 1])) and np.all(np.isfinite(lnf[xs > 1]))
    assert lnf[-1] == pytest.approx(np.log(3 * np.log(3)))


def test_pole_is_not_joined():
    xs, ys = _lines(cr.plot("1/x", (-1, 1), points=100))["f(x) = 1/x"].get_data()
    gap = np.flatnonzero(np.isnan(ys))
    assert len(gap) == 1 and ys[gap[0] - 1] < -10 and ys[gap[0] + 1] > 10
    xs2, ys2 = split_at_poles(np.linspace(0, 1, 5), np.linspace(0, 1, 5))
    assert len(xs2) == 5 and not np.any(np.isnan(ys2))  # continuous curves are untouched


def test_probe_point_and_tangent():
    fig = cr.plot("x^2", (-2, 2), at=1)
    lines = _lines(fig)
    tangent = next(v for k, v in lines.items() if k.startswith("tangent at x = 1"))
    tx, ty = tangent.get_data()
    slope = (ty[1] - ty[0]) / (tx[1] - tx[0])
    assert slope == pytest.approx(2.0) and ty[0] == pytest.approx(1 + 2 * (tx[0] - 1))
    markers = [line for line in fig.axes[0].get_lines() if line.get_marker() == "o"]
    assert sorted(float(m.get_ydata()[0]) for m in markers) == [1.0, 2.0]
    no_tangent = _lines(cr.plot("x^2", (-2, 2), at="1/2", tangent=False))
    assert not any(k.startswith("tangent") for k in no_tangent)


def test_expr_plot_other_variables_and_existing_axes():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    out = cr.parse("a*sin(x)").plot((0, 3), wrt="x", values={"a": 2}, ax=ax, log=False)
    assert out is fig
    lines = _lines(fig)
    assert len(lines) == 2
    xs, ys = lines["f(x) = a*sin(x)"].get_data()
    assert ys[10] == pytest.approx(2 * np.sin(xs[10]))
    plt.close(fig)


def test_bad_input_is_a_clear_error():
    with pytest.raises(ChainruleError, match="one variable"):
        cr.plot("x*y")
    with pytest.raises(ChainruleError, match="interval"):
        cr.plot("x", (1, 0))
    with pytest.raises(ChainruleError, match="undefined at the probe point"):
        cr.plot("ln(x)", (-1, 1), at=-0.5)


def test_missing_matplotlib_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # import fails
    with pytest.raises(ChainruleError, match=r'pip install "chainrule\[plot\]"'):
        cr.plot("x^2")


def test_sample_constant_and_undefined():
    xs = np.linspace(-1, 1, 5)
    assert sample(cr.parse("3"), "x", xs).tolist() == [3.0] * 5
    assert np.isnan(sample(cr.parse("sqrt(x)"), "x", xs)[:2]).all()
