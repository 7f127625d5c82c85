"""chainrule.mc beyond the benchmark: the estimator API, integrals, compare, examples, CLI, docs."""

from __future__ import annotations

import doctest
import importlib
import json
import re
import shlex
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from chainrule import mc
from chainrule.cli.estimate_command import parse_params, register
from chainrule.errors import ChainruleError
from chainrule.mc import examples

DOCS = Path(__file__).resolve().parents[1] / "docs" / "mc.md"


def square(z):
    return (z - 3.0) ** 2


# -- estimators ---------------------------------------------------------------------------

def test_estimate_fields_and_shapes():
    est = mc.score_function(square, mc.Normal(1.0, 2.0), n=5000, seed=0)
    assert set(est.grad) == set(est.variance) == set(est.stderr) == {"loc", "scale"}
    assert est.per_sample["loc"].shape == (5000,)
    assert est.grad["loc"] == pytest.approx(est.per_sample["loc"].mean())
    assert est.variance["loc"] == pytest.approx(np.var(est.per_sample["loc"], ddof=1))
    assert 1 <= est.ess["loc"] <= 5000
    assert est.value == pytest.approx(np.mean(square(mc.Normal(1.0, 2.0).sample(5000, seed=0))))
    assert "d/dloc" in str(est) and json.dumps(est.to_dict())


def test_ess_is_n_for_equal_weights_and_small_when_one_sample_dominates():
    flat = mc.score_function(lambda b: np.ones_like(b), mc.Bernoulli(probs=0.5), n=1000, seed=0)
    assert flat.ess["probs"] == pytest.approx(1000)  # |gᵢ| = 2 for every sample
    rare = mc.score_function(lambda z: (z > 3.0) * 1.0, mc.Normal(0.0, 1.0), n=10_000, seed=0)
    assert 1 <= rare.ess["loc"] < 30


def test_vector_parameters_give_per_entry_gradients():
    d = mc.MultivariateNormalDiag([0.0, 1.0], [1.0, 2.0])
    f = lambda z: np.sum(z**2, axis=-1)  # noqa: E731 - E f = Σ μ² + σ²: ∇ = 2μ, 2σ
    for est in (mc.score_function(f, d, n=400_000, baseline="optimal", seed=1),
                mc.pathwise(f, d, n=400_000, seed=1)):
        assert est.grad["loc"].shape == (2,) and est.per_sample["scale"].shape == (400_000, 2)
        assert np.all(np.abs(est.grad["loc"] - [0.0, 2.0]) < 4 * est.stderr["loc"] + 1e-12)
        assert np.all(np.abs(est.grad["scale"] - [2.0, 4.0]) < 4 * est.stderr["scale"])


def test_categorical_score_function_gradient():
    logits = np.array([0.5, -0.5, 0.0])
    d = mc.Categorical(logits)
    values = np.array([1.0, 4.0, -2.0])
    p = d.probs
    exact = p * (values - p @ values)  # ∂/∂logits Σ pₖ vₖ
    est = mc.score_function(lambda k: values[k], d, n=200_000, baseline="mean", seed=2)
    assert np.all(np.abs(est.grad["logits"] - exact) < 4 * est.stderr["logits"])


def test_exponential_and_gamma_rate_pathwise_and_score_agree():
    for d, wrt, exact in [(mc.Exponential(2.0), ["rate"], -4.0 / 8.0),  # E z² = 2/λ²
                          (mc.Gamma(3.0, 2.0), ["rate"], -2 * 12 / 8.0)]:  # E z² = a(a+1)/b²
        f = lambda z: z**2  # noqa: E731
        pw = mc.pathwise(f, d, wrt=wrt, n=300_000, seed=3)
        sf = mc.score_function(f, d, wrt=wrt, n=300_000, baseline="optimal", seed=3)
        for est in (pw, sf):
            assert abs(est.grad["rate"] - exact) < 4 * est.stderr["rate"]


def test_poisson_and_gamma_concentration_by_score_function():
    est = mc.score_function(lambda k: k**2, mc.Poisson(3.0), n=300_000, baseline="mean", seed=4)
    assert abs(est.grad["rate"] - 7.0) < 4 * est.stderr["rate"]  # E k² = λ + λ²
    gam = mc.score_function(lambda z: z, mc.Gamma(3.0, 2.0), wrt=["concentration"],
                            n=300_000, baseline="optimal", seed=4)
    assert abs(gam.grad["concentration"] - 0.5) < 4 * gam.stderr["concentration"]


def test_pathwise_with_df_equals_traced_pathwise():
    d = mc.Normal(0.5, 1.5)
    traced = mc.pathwise(square, d, n=1000, seed=5)
    given = mc.pathwise(square, d, n=1000, seed=5, df=lambda z: 2.0 * (z - 3.0))
    for k in traced.grad:
        assert np.allclose(traced.per_sample[k], given.per_sample[k], rtol=1e-12)


def test_leave_one_out_and_callable_baselines():
    d = mc.Normal(1.0, 2.0)
    loo = mc.score_function(square, d, n=1000, baseline="leave_one_out", seed=6)
    z = d.sample(1000, seed=6)
    fz = square(z)
    b = (fz.sum() - fz) / 999
    assert np.allclose(loo.per_sample["loc"], (fz - b) * (z - 1.0) / 4.0)
    const = mc.score_function(square, d, n=1000, baseline=lambda v: 8.0, seed=6)
    assert np.allclose(const.per_sample["loc"], (fz - 8.0) * (z - 1.0) / 4.0)
    number = mc.score_function(square, d, n=1000, baseline=8.0, seed=6)
    assert np.allclose(number.per_sample["loc"], const.per_sample["loc"])


@pytest.mark.parametrize(("call", "message"), [
    (lambda: mc.score_function(square, mc.Normal(), baseline="median", n=10), "unknown baseline"),
    (lambda: mc.score_function(square, mc.Normal(), baseline=[1, 2], n=10), "a baseline must"),
    (lambda: mc.score_function(lambda z: 1.0, mc.Normal(), n=10), "vectorised"),
    (lambda: mc.score_function(lambda z: z[:3], mc.Normal(), n=10), "one value per sample"),
    (lambda: mc.pathwise(square, mc.Bernoulli(probs=0.5), n=10), "not reparameterisable"),
    (lambda: mc.pathwise(square, mc.Gamma(2.0, 1.0), wrt=["concentration"], n=10),
     "reparameterisable in rate only"),
    (lambda: mc.pathwise(lambda z: np.floor(z) * z + np.i0(z), mc.Normal(), n=10),
     "Pass df="),
    (lambda: mc.score_function(square, mc.Normal(), wrt=["mean"], n=10), "no parameter 'mean'"),
    (lambda: mc.compare(square, mc.Normal(), estimators=["magic"], n=10), "unknown estimator"),
    (lambda: mc.integrate(square, bounds=(1, 0)), "a < b"),
    (lambda: mc.integrate(square, bounds="x"), "bounds"),
])
def test_bad_requests_raise_one_clear_error(call, message):
    with pytest.raises(ChainruleError, match=message):
        call()


# -- expectations, integrals, compare -----------------------------------------------------

def test_seed_003_monte_carlo_integral():
    r = mc.integrate(lambda x: x**2, bounds=(0.0, 1.0), n=100_000, seed=0)
    assert r.n == 100_000 and abs(r.value - 1 / 3) < 3 * r.stderr
    assert abs(r.value - 1 / 3) < 1e-3  # "within a thousandth"
    assert r.ci[0] < 1 / 3 < r.ci[1] and r.ci[1] - r.ci[0] == pytest.approx(2 * 1.96 * r.stderr,
                                                                           rel=1e-3)


def test_box_integral_and_expectation():
    r = mc.integrate(lambda p: np.exp(-(p**2).sum(axis=1)), [(-3, 3)] * 2, n=400_000, seed=1)
    assert abs(r.value - np.pi * 0.99997791**2) < 4 * r.stderr  # erf(3)² π
    e = mc.expectation(lambda k: k, mc.Poisson(2.5), n=100_000, seed=2, level=0.99)
    assert abs(e.value - 2.5) < 4 * e.stderr and e.level == 0.99


def test_compare_rows_exact_column_and_defaults():
    table = mc.compare(square, mc.Normal(1.0, 2.0), n=20_000, seed=0,
                       exact={"loc": -4.0, "scale": 4.0})
    names = [r["estimator"] for r in table.rows if r["param"] == "loc"]
    assert names == ["score", "score-mean", "score-loo", "score-optimal", "pathwise"]
    assert all(abs(r["z"]) < 4 for r in table.rows)
    text = table.table()
    assert "error / se" in text and "pathwise" in text
    assert json.dumps(table.to_dict())
    discrete = mc.compare(lambda b: b, mc.Bernoulli(probs=0.4), n=1000, seed=0)
    assert "pathwise" not in discrete.estimates


def test_compare_uses_common_random_numbers():
    table = mc.compare(square, mc.Normal(1.0, 2.0), n=1000, seed=3,
                       estimators=["score", "score-mean"])
    a, b = table.estimates["score"], table.estimates["score-mean"]
    assert a.value == b.value  # the same draws


# -- examples -----------------------------------------------------------------------------

def test_reinforce_example():
    r = examples.reinforce_bernoulli(seed=0)
    assert abs(r.gradient - 0.1) < 4 * r.gradient_stderr
    assert r.variance_mean_baseline < r.variance_no_baseline / 10
    assert r.probs_path[0] < 0.5 and r.final_probs < 0.05
    assert r.final_loss == pytest.approx(0.2025 + 0.1 * r.final_probs)


def test_gaussian_mle_example_matches_the_closed_form():
    g = examples.gaussian_mle()
    assert g.loc == pytest.approx(g.closed_form_loc, abs=1e-10)
    assert g.scale == pytest.approx(g.closed_form_scale, abs=1e-10)
    assert g.product_of_densities == 0.0 and np.isfinite(g.log_likelihood)
    assert g.stderr_loc == pytest.approx(g.scale / np.sqrt(1000))


def test_variational_inference_example_finds_the_posterior():
    v = examples.variational_inference(seed=0)
    assert abs(v.loc - v.exact_loc) < 0.05 * v.exact_scale
    assert v.scale == pytest.approx(v.exact_scale, rel=0.03)


def test_examples_main_prints_all_three(capsys):
    examples.main()
    out = capsys.readouterr().out
    assert "1. REINFORCE" in out and "2. Gaussian MLE" in out and "3. Variational" in out


# -- CLI ------------------------------------------------------------------------------------

def cli_app() -> typer.Typer:
    """A Typer app with only the estimate command (independent of chainrule.cli.main)."""
    app = typer.Typer(pretty_exceptions_enable=False)

    @app.callback()
    def _root() -> None:
        """test app"""

    register(app)
    return app


def invoke(*args: str):
    return CliRunner().invoke(cli_app(), ["estimate", *args], env={"NO_COLOR": "1"})


def test_cli_table_as_documented():
    text = DOCS.read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in text.split("```console\n")[1:]]
    block = next(b for b in blocks if b.startswith("$ chainrule estimate"))
    command, *expected = block.strip("\n").split("\n")
    result = invoke(*shlex.split(command)[3:])
    assert result.exit_code == 0, result.output
    got = result.output.rstrip("\n").split("\n")
    assert len(got) == len(expected)
    drop_time = lambda line: re.sub(r"\s+[\d.]+$", "", line)  # noqa: E731 - times vary
    assert [drop_time(g) for g in got] == [drop_time(e) for e in expected]


def test_cli_json_and_categorical_vector_params():
    r = invoke("--dist", "categorical", "--params", "logits=[0, 1, 2]", "--f", "z^2",
               "--n", "20000", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert {row["param"] for row in data["rows"]} == {"logits[0]", "logits[1]", "logits[2]"}
    assert "pathwise" not in data["estimates"]


@pytest.mark.parametrize(("args", "message"), [
    (["--dist", "cauchy", "--params", "loc=0", "--f", "z"], "unknown distribution"),
    (["--dist", "normal", "--params", "loc=0,width=1", "--f", "z"], "no parameter 'width'"),
    (["--dist", "normal", "--params", "loc=0,scale=1", "--f", "z*y"], "only use the variable z"),
    (["--dist", "bernoulli", "--params", "probs=0.3", "--f", "z", "-e", "pathwise"],
     "not reparameterisable"),
    (["--dist", "normal", "--params", "loc=0,scale=1", "--f", "z", "--wrt", "rate"],
     "no parameter 'rate'"),
    (["--dist", "normal", "--params", "loc", "--f", "z"], "NAME=VALUE"),
    (["--dist", "mvn-diag", "--params", "loc=[0,0],scale=[1,1]", "--f", "z"], "Python API"),
    (["--dist", "normal", "--params", "loc=0,scale=1", "--f", "ln(z)"], "undefined"),
])
def test_cli_errors_are_one_line_and_exit_2(args, message):
    r = invoke(*args)
    assert r.exit_code == 2
    assert message in r.output and "Traceback" not in r.output


def test_parse_params():
    assert parse_params("loc=pi/2, logits=[0, 1/2]") == {"loc": np.pi / 2, "logits": [0.0, 0.5]}


# -- docs -----------------------------------------------------------------------------------

def test_docs_examples_run():
    failures, tried = doctest.testfile(str(DOCS), module_relative=False,
                                       optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 20 and failures == 0


@pytest.mark.parametrize("module", ["chainrule.mc", "chainrule.mc.distributions",
                                    "chainrule.mc.estimators", "chainrule.mc.baselines",
                                    "chainrule.mc.gradient_estimate", "chainrule.mc.integrate",
                                    "chainrule.mc.compare", "chainrule.mc.per_sample",
                                    "chainrule.mc.special", "chainrule.mc.examples",
                                    "chainrule.cli.estimate_command"])
def test_module_docstring_examples_run(module):
    failures, _ = doctest.testmod(importlib.import_module(module))
    assert failures == 0
