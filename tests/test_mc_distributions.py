"""chainrule.mc distributions: densities, sampling, scores from AD, Fisher information."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

import chainrule
from chainrule import mc
from chainrule.errors import ChainruleError, DomainError
from chainrule.mc.special import digamma, lgamma, log_factorial, trigamma


def scipy_logpdf(dist, z):
    v = dist.values
    if isinstance(dist, mc.Normal):
        return stats.norm.logpdf(z, v["loc"], v["scale"])
    if isinstance(dist, mc.MultivariateNormalDiag):
        return stats.norm.logpdf(z, v["loc"], v["scale"]).sum(axis=-1)
    if isinstance(dist, mc.Bernoulli):
        return stats.bernoulli.logpmf(z, dist.probs)
    if isinstance(dist, mc.Categorical):
        return np.log(dist.probs)[z]
    if isinstance(dist, mc.Exponential):
        return stats.expon.logpdf(z, scale=1 / v["rate"])
    if isinstance(dist, mc.Poisson):
        return stats.poisson.logpmf(z, v["rate"])
    return stats.gamma.logpdf(z, v["concentration"], scale=1 / v["rate"])


def exact_mean_var(dist):
    v = dist.values
    if isinstance(dist, mc.Normal):
        return v["loc"], v["scale"] ** 2
    if isinstance(dist, mc.Bernoulli):
        return dist.probs, dist.probs * (1 - dist.probs)
    if isinstance(dist, mc.Categorical):
        p = dist.probs
        k = np.arange(len(p))
        return p @ k, p @ k**2 - (p @ k) ** 2
    if isinstance(dist, mc.Exponential):
        return 1 / v["rate"], 1 / v["rate"] ** 2
    if isinstance(dist, mc.Poisson):
        return v["rate"], v["rate"]
    a, b = v["concentration"], v["rate"]
    return a / b, a / b**2


UNIVARIATE = [mc.Normal(-0.5, 1.5), mc.Bernoulli(probs=0.3), mc.Bernoulli(logits=1.2),
              mc.Categorical([0.3, -0.2, 1.0, 0.0]), mc.Exponential(0.7), mc.Poisson(4.2),
              mc.Gamma(0.6, 2.0), mc.Gamma(7.5, 0.5)]


@pytest.mark.parametrize("dist", UNIVARIATE, ids=repr)
def test_log_prob_matches_scipy(dist):
    z = dist.sample(1000, seed=1)
    assert np.allclose(dist.log_prob(z), scipy_logpdf(dist, z), rtol=1e-12, atol=1e-12)


def test_mvn_diag_log_prob_and_shape():
    d = mc.MultivariateNormalDiag([0.0, 1.0, -2.0], [1.0, 0.5, 3.0])
    z = d.sample(500, seed=2)
    assert z.shape == (500, 3)
    assert np.allclose(d.log_prob(z), scipy_logpdf(d, z), rtol=1e-12)


@pytest.mark.parametrize("dist", UNIVARIATE, ids=repr)
def test_seeded_sampling_is_reproducible_and_has_the_right_moments(dist):
    n = 400_000
    z = dist.sample(n, seed=5)
    assert np.array_equal(z, dist.sample(n, seed=5))
    assert not np.array_equal(z, dist.sample(n, seed=6))
    mean, var = exact_mean_var(dist)
    assert abs(z.mean() - mean) < 5 * math.sqrt(var / n)
    assert z.var() == pytest.approx(var, rel=0.03)


def closed_form_score(dist, z):
    """The scores written out by hand — a test oracle only; the package has none."""
    v = dist.values
    if isinstance(dist, mc.Normal):
        m, s = v["loc"], v["scale"]
        return {"loc": (z - m) / s**2, "scale": ((z - m) ** 2 - s**2) / s**3}
    if isinstance(dist, mc.Bernoulli):
        p = dist.probs
        return {"probs": (z - p) / (p * (1 - p))} if "probs" in v else {"logits": z - p}
    if isinstance(dist, mc.Categorical):
        return {"logits": np.eye(len(dist.probs))[z] - dist.probs}
    if isinstance(dist, mc.Exponential):
        return {"rate": 1 / v["rate"] - z}
    if isinstance(dist, mc.Poisson):
        return {"rate": z / v["rate"] - 1}
    a, b = v["concentration"], v["rate"]
    return {"concentration": np.log(b) + np.log(z) - special.digamma(a), "rate": a / b - z}


@pytest.mark.parametrize("dist", UNIVARIATE, ids=repr)
def test_score_from_ad_matches_the_closed_form_on_both_paths(dist):
    z = dist.sample(2000, seed=3)
    want = closed_form_score(dist, z)
    for method in ("auto", "forward"):
        got = dist.score(z, method=method)
        assert set(got) == set(want)
        for k in want:
            assert got[k].shape == want[k].shape
            assert np.allclose(got[k], want[k], rtol=1e-11, atol=1e-12), (method, k)


@pytest.mark.parametrize("dist", [mc.Normal(0.0, 2.0), mc.Bernoulli(probs=0.2),
                                  mc.Bernoulli(logits=0.0), mc.Exponential(3.0),
                                  mc.Poisson(2.0)], ids=repr)
def test_univariate_scores_take_the_compiled_symbolic_path(dist):
    z = dist.sample(100, seed=0)
    sym = dist.score(z, method="symbolic")
    fwd = dist.score(z, method="forward")
    for k in sym:
        assert np.allclose(sym[k], fwd[k], rtol=1e-12, atol=1e-14)


def test_gamma_has_no_symbolic_path_and_says_so():
    with pytest.raises(ChainruleError, match="no symbolic derivative"):
        mc.Gamma(2.0, 1.0).score(np.array([1.0]), method="symbolic")


def test_mvn_diag_score_is_per_entry():
    d = mc.MultivariateNormalDiag([0.0, 1.0], [2.0, 0.5])
    z = d.sample(1000, seed=9)
    s = d.score(z)
    loc, scale = np.array([0.0, 1.0]), np.array([2.0, 0.5])
    assert s["loc"].shape == (1000, 2)
    assert np.allclose(s["loc"], (z - loc) / scale**2)
    assert np.allclose(s["scale"], ((z - loc) ** 2 - scale**2) / scale**3)


FISHER = [
    (mc.Normal(0.3, 2.0), [[0.25, 0.0], [0.0, 0.5]]),
    (mc.Bernoulli(probs=0.3), [[1 / 0.21]]),
    (mc.Bernoulli(logits=0.0), [[0.25]]),
    (mc.Exponential(2.0), [[0.25]]),
    (mc.Poisson(4.0), [[0.25]]),
]


@pytest.mark.parametrize(("dist", "want"), FISHER, ids=lambda x: repr(x)[:30])
def test_fisher_information_closed_forms(dist, want):
    assert np.allclose(dist.fisher_information(), want)


def test_gamma_fisher_uses_trigamma_from_ad():
    d = mc.Gamma(2.5, 1.5)
    want = [[special.polygamma(1, 2.5), -1 / 1.5], [-1 / 1.5, 2.5 / 1.5**2]]
    assert np.allclose(d.fisher_information(), want, rtol=1e-13)


def test_categorical_fisher_is_diag_p_minus_ppt():
    d = mc.Categorical([0.0, 1.0, 2.0])
    p = d.probs
    assert np.allclose(d.fisher_information(), np.diag(p) - np.outer(p, p))
    assert np.allclose(d.empirical_fisher(200_000, seed=1), d.fisher_information(), atol=4e-3)


@pytest.mark.parametrize("x", [1e-3, 0.2, 0.5, 1.0, 2.5, 9.99, 10.0, 37.5, 1e4])
def test_lgamma_and_its_ad_derivatives(x):
    assert float(lgamma(x)) == pytest.approx(special.gammaln(x), rel=1e-14, abs=1e-14)
    assert float(digamma(x)) == pytest.approx(special.digamma(x), rel=1e-13, abs=1e-13)
    assert float(trigamma(x)) == pytest.approx(special.polygamma(1, x), rel=1e-13)


def test_lgamma_domain_and_log_factorial():
    with pytest.raises(DomainError):
        lgamma(0.0)
    k = np.array([0, 1, 5, 20, 170])
    assert np.allclose(log_factorial(k), special.gammaln(k + 1.0), rtol=1e-14)


def test_rsample_is_sample_and_reparameterisation_is_differentiable():
    d = mc.Normal(1.0, 2.0)
    assert np.array_equal(d.rsample(100, seed=4), d.sample(100, seed=4))
    eps = d.noise(5, seed=4)
    _, dz = chainrule.jvp(lambda s: d.transform(eps, scale=s), (2.0,), (1.0,))
    assert np.allclose(dz, eps)


@pytest.mark.parametrize("dist", [mc.Bernoulli(probs=0.5), mc.Poisson(1.0),
                                  mc.Categorical([0.0, 1.0])], ids=repr)
def test_discrete_distributions_refuse_rsample(dist):
    with pytest.raises(ChainruleError, match="not reparameterisable"):
        dist.rsample(10, seed=0)


def test_log_likelihood_differentiates_through_parameters():
    x = np.array([0.5, 1.5, 2.0, 4.0])
    g = chainrule.grad(lambda m, s: np.sum(mc.Normal(m, s).log_prob(x)), argnums=(0, 1))(1.0, 2.0)
    assert g[0] == pytest.approx(np.sum(x - 1.0) / 4.0)
    assert g[1] == pytest.approx(np.sum((x - 1.0) ** 2) / 8.0 - 4 / 2.0)


@pytest.mark.parametrize(("make", "message"), [
    (lambda: mc.Normal(0.0, -1.0), "scale must be > 0"),
    (lambda: mc.Normal([0.0, 1.0], 1.0), "single number"),
    (lambda: mc.Bernoulli(probs=1.5), r"in \(0, 1\)"),
    (lambda: mc.Bernoulli(), "exactly one"),
    (lambda: mc.Bernoulli(probs=0.5, logits=0.0), "exactly one"),
    (lambda: mc.Categorical([1.0]), "at least 2"),
    (lambda: mc.Gamma(0.0, 1.0), "concentration must be > 0"),
    (lambda: mc.MultivariateNormalDiag([0.0], [1.0, 2.0]), "one length"),
    (lambda: mc.make("cauchy", loc=0), "unknown distribution 'cauchy'"),
    (lambda: mc.make("normal", mean=0), "no parameter 'mean'; its parameters are loc, scale"),
    (lambda: mc.Normal().score(np.zeros(2), wrt=["rate"]), "Normal has no parameter 'rate'"),
    (lambda: mc.Normal().sample(0), "number of samples"),
])
def test_bad_input_is_one_clear_chainrule_error(make, message):
    with pytest.raises(ChainruleError, match=message):
        make()
