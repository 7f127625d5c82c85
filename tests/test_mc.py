"""Monte Carlo gradient estimators against exact values computed by quadrature.

The benchmark of Mohamed, Rosca, Figurnov & Mnih (2020, JMLR 21, §3): ∇ of
E_{N(z|μ,σ²)}[f(z)] in μ and σ for f(z) = (z − k)², exp(−k z²) and cos(k z). For every
estimator the exact mean (the gradient) and exact single-sample variance come from
``scipy.integrate.quad`` over the Normal density, using only the score and reparameterisation
written out here — an oracle independent of chainrule's AD. Then each estimate must be within
4 standard errors of the gradient, and its single-sample variance within 5 % of the exact one
at 10⁶ samples (more where 5 % would be under 4 standard errors of the variance estimate,
which the fourth moment, also by quadrature, tells).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from scipy import integrate

from chainrule import mc

MU, SIGMA = 1.0, 1.0
CASES = [("square", 3.0), ("exp", 0.5), ("exp", 1.0), ("cos", 0.5), ("cos", 2.0)]
ESTIMATORS = ["score", "score-mean", "score-optimal", "pathwise"]
PARAMS = ["loc", "scale"]


def f_and_df(kind: str, k: float):
    if kind == "square":
        return (lambda z: (z - k) ** 2), (lambda z: 2.0 * (z - k))
    if kind == "exp":
        return (lambda z: np.exp(-k * z * z)), (lambda z: -2.0 * k * z * np.exp(-k * z * z))
    return (lambda z: np.cos(k * z)), (lambda z: -k * np.sin(k * z))


def closed_form_gradient(kind: str, k: float) -> dict[str, float]:
    """d/dμ, d/dσ of E[f] from the closed-form expectations (checks the quadrature oracle)."""
    m, s = MU, SIGMA
    if kind == "square":
        return {"loc": 2 * (m - k), "scale": 2 * s}
    if kind == "exp":
        a = 1 + 2 * k * s * s
        e = math.exp(-k * m * m / a) / math.sqrt(a)
        return {"loc": e * (-2 * k * m / a), "scale": e * (-2 * k * s / a + 4 * k**2 * m * m * s
                                                           / a**2)}
    e = math.exp(-k * k * s * s / 2)
    return {"loc": -k * math.sin(k * m) * e, "scale": -k * k * s * math.cos(k * m) * e}


def expect(h) -> float:
    """E_{N(μ, σ²)}[h(z)] by adaptive quadrature over ±14σ."""
    def density(z):
        return math.exp(-0.5 * ((z - MU) / SIGMA) ** 2) / (SIGMA * math.sqrt(2 * math.pi))
    lo, hi = MU - 14 * SIGMA, MU + 14 * SIGMA
    return integrate.quad(lambda z: h(z) * density(z), lo, hi, limit=500, epsabs=1e-13,
                          epsrel=1e-12)[0]


SCORE = {"loc": lambda z: (z - MU) / SIGMA**2,
         "scale": lambda z: ((z - MU) ** 2 - SIGMA**2) / SIGMA**3}
DZ = {"loc": lambda z: 1.0, "scale": lambda z: (z - MU) / SIGMA}  # ∂z/∂θ at z = μ + σε


def per_sample_integrand(kind: str, k: float, estimator: str, param: str):
    f, df = f_and_df(kind, k)
    s = SCORE[param]
    if estimator == "pathwise":
        return lambda z: df(z) * DZ[param](z)
    if estimator == "score":
        b = 0.0
    elif estimator == "score-mean":
        b = expect(f)
    else:  # the variance-minimising constant E[f s²] / E[s²]
        b = expect(lambda z: f(z) * s(z) ** 2) / expect(lambda z: s(z) ** 2)
    return lambda z: (f(z) - b) * s(z)


def exact_moments(kind: str, k: float, estimator: str, param: str) -> dict[str, float]:
    g = per_sample_integrand(kind, k, estimator, param)
    mean = expect(g)
    var = expect(lambda z: (g(z) - mean) ** 2)
    m4 = expect(lambda z: (g(z) - mean) ** 4)
    return {"mean": mean, "variance": var, "m4": m4}


def samples_needed(moments: list[dict[str, float]]) -> int:
    """10⁶, or enough that 5 % is 4 standard errors of every sample variance."""
    need = 1_000_000
    for m in moments:
        rel_se_per_sqrt_n = math.sqrt(m["m4"] / m["variance"] ** 2 - 1.0)
        need = max(need, math.ceil((4.0 * rel_se_per_sqrt_n / 0.05) ** 2))
    return need


@functools.cache
def run_case(kind: str, k: float) -> dict:
    """The exact moments and the four estimates for one f (computed once per session)."""
    exact = {(e, p): exact_moments(kind, k, e, p) for e in ESTIMATORS for p in PARAMS}
    n = samples_needed(list(exact.values()))
    f, _ = f_and_df(kind, k)
    result = mc.compare(f, mc.Normal(MU, SIGMA), n=n, estimators=ESTIMATORS, seed=2020)
    return {"kind": kind, "k": k, "exact": exact, "n": n, "result": result}


def cases(*chosen):
    picked = chosen or CASES
    return pytest.mark.parametrize("case", [pytest.param(c, id=f"{c[0]}-k{c[1]:g}")
                                            for c in picked])


@cases()
def test_quadrature_oracle_matches_closed_forms(case):
    data = run_case(*case)
    want = closed_form_gradient(*case)
    for e in ESTIMATORS:
        for p in PARAMS:
            assert data["exact"][(e, p)]["mean"] == pytest.approx(want[p], abs=1e-9)


@cases()
def test_every_estimator_is_within_4_standard_errors(case):
    data = run_case(*case)
    for e in ESTIMATORS:
        est = data["result"].estimates[e]
        assert est.n == data["n"] >= 1_000_000
        for p in PARAMS:
            exact = data["exact"][(e, p)]["mean"]
            assert abs(est.grad[p] - exact) < 4 * est.stderr[p], (e, p, est.grad[p], exact)


@cases()
def test_single_sample_variances_match_quadrature_within_5_percent(case):
    data = run_case(*case)
    for e in ESTIMATORS:
        est = data["result"].estimates[e]
        for p in PARAMS:
            exact = data["exact"][(e, p)]["variance"]
            assert est.variance[p] == pytest.approx(exact, rel=0.05), (e, p)
            assert est.stderr[p] == pytest.approx(math.sqrt(est.variance[p] / est.n))


@cases()
def test_optimal_baseline_always_reduces_variance(case):
    data = run_case(*case)
    for p in PARAMS:
        exact = {e: data["exact"][(e, p)]["variance"] for e in ESTIMATORS}
        got = {e: data["result"].estimates[e].variance[p] for e in ESTIMATORS}
        assert exact["score-optimal"] <= exact["score-mean"] + 1e-12
        assert exact["score-optimal"] < exact["score"]
        assert got["score-optimal"] < got["score"]


@cases()
def test_estimated_variances_order_the_estimators_as_the_exact_ones_do(case):
    """Where two estimators' exact variances differ by over 10 %, the estimates agree on
    which is lower — including where the mean baseline *raises* the variance (exp(−z²) in σ,
    cos(2z) in μ) and where pathwise loses (cos(2z)), as Mohamed et al. point out."""
    data = run_case(*case)
    for p in PARAMS:
        exact = {e: data["exact"][(e, p)]["variance"] for e in ESTIMATORS}
        got = {e: data["result"].estimates[e].variance[p] for e in ESTIMATORS}
        for a in ESTIMATORS:
            for b in ESTIMATORS:
                if exact[a] < 0.9 * exact[b]:
                    assert got[a] < got[b], (p, a, b)


@cases(("square", 3.0), ("exp", 0.5), ("cos", 0.5))
def test_mean_baseline_reduces_variance_for_slowly_varying_f(case):
    est = run_case(*case)["result"].estimates
    for p in PARAMS:
        assert est["score-mean"].variance[p] < est["score"].variance[p]


def test_mean_baseline_can_raise_the_variance():
    """exp(−z²) at μ = σ = 1, in σ: exact 0.2232 with the mean baseline against 0.1767 without."""
    data = run_case("exp", 1.0)
    exact = {e: data["exact"][(e, "scale")]["variance"] for e in ("score", "score-mean")}
    assert exact["score-mean"] > 1.2 * exact["score"]
    est = data["result"].estimates
    assert est["score-mean"].variance["scale"] > 1.2 * est["score"].variance["scale"]


@cases(("square", 3.0), ("cos", 0.5))
def test_pathwise_beats_every_score_estimator_on_smooth_f(case):
    est = run_case(*case)["result"].estimates
    for p in PARAMS:
        best_score = min(est[e].variance[p] for e in ESTIMATORS if e != "pathwise")
        assert est["pathwise"].variance[p] < 0.5 * best_score


def test_pathwise_loses_on_fast_oscillation():
    """cos(k z) with k = 2: the pathwise variance grows like k², the score's does not."""
    est = run_case("cos", 2.0)["result"].estimates
    for p in PARAMS:
        assert est["pathwise"].variance[p] > 2 * est["score-optimal"].variance[p]


# -- the score itself (seed 002) ----------------------------------------------------------

SCORE_CASES = [mc.Normal(1.0, 2.0), mc.Bernoulli(probs=0.3), mc.Bernoulli(logits=-0.4),
               mc.Exponential(2.0), mc.Poisson(3.5), mc.Gamma(2.5, 1.5),
               mc.Categorical([0.2, -1.0, 0.5]), mc.MultivariateNormalDiag([0.0, 1.0],
                                                                         [1.0, 0.5])]


@pytest.mark.parametrize("dist", SCORE_CASES, ids=repr)
def test_score_has_mean_zero_and_covariance_the_fisher_information(dist):
    n = 1_000_000
    flat = dist.flat_score(dist.sample(n, seed=7))
    mean, se = flat.mean(axis=0), flat.std(axis=0) / math.sqrt(n)
    assert np.all(np.abs(mean) < 4 * se)
    fisher = dist.fisher_information()
    empirical = flat.T @ flat / n
    scale = np.sqrt(np.outer(np.diag(fisher), np.diag(fisher)))
    assert np.max(np.abs(empirical - fisher) / scale) < 0.02


@pytest.mark.parametrize("dist", [mc.Normal(1.0, 2.0), mc.Bernoulli(probs=0.3)], ids=repr)
def test_score_variance_is_the_fisher_information(dist):
    """V[∇ ln p] = I(θ): Normal I = diag(1/σ², 2/σ²), Bernoulli I = 1/(p(1 − p))."""
    z = dist.sample(1_000_000, seed=11)
    scores = dist.score(z)
    variances = [np.var(scores[k]) for k in dist.param_names]
    assert np.allclose(variances, np.diag(dist.fisher_information()), rtol=0.01)
    if isinstance(dist, mc.Normal):
        assert np.allclose(np.diag(dist.fisher_information()), [1 / 4, 2 / 4])
    else:
        assert dist.fisher_information()[0, 0] == pytest.approx(1 / (0.3 * 0.7))


# -- REBAR's Bernoulli problem ------------------------------------------------------------

@pytest.mark.parametrize("baseline", [None, "mean", "leave_one_out", "optimal", 0.2])
def test_bernoulli_gradient_is_exact_within_error_bars(baseline):
    """d/dp E_{b~Bern(p)}[(b − 0.45)²] = 0.55² − 0.45² = 0.1 at p = 0.3 (and everywhere)."""
    est = mc.score_function(lambda b: (b - 0.45) ** 2, mc.Bernoulli(probs=0.3), n=200_000,
                            baseline=baseline, seed=3)
    assert abs(est.grad["probs"] - 0.1) < 4 * est.stderr["probs"] + 1e-12
    if baseline in ("mean", "leave_one_out", "optimal"):
        plain = mc.score_function(lambda b: (b - 0.45) ** 2, mc.Bernoulli(probs=0.3),
                                  n=200_000, seed=3)
        assert est.variance["probs"] < 0.05 * plain.variance["probs"]
