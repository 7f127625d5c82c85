"""The base of chainrule.mc's distributions: seeded sampling, scores from AD, Fisher.

The concrete distributions are in :mod:`chainrule.mc.distributions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

import numpy as np

from chainrule.autodiff.tracing import Box, value_of
from chainrule.errors import ChainruleError
from chainrule.mc.per_sample import SymbolicDerivatives, forward_derivatives

Seed = int | np.random.Generator | None
ScoreMethod = Literal["auto", "symbolic", "forward"]
_SYMBOLIC = SymbolicDerivatives()


def rng_from(seed: Seed) -> np.random.Generator:
    """A NumPy generator from a seed (an existing generator is used as is)."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


class Distribution:
    """A parametric distribution p(z; θ). Subclasses define the ``_``-methods below."""

    param_names: tuple[str, ...] = ()
    reparameterised: ClassVar[tuple[str, ...]] = ()
    """The parameters the pathwise estimator can differentiate through ``z = g(ε; θ)``."""
    event_ndim: ClassVar[int] = 0

    def __init__(self, **params: Any):
        self.params = {name: _param(v) for name, v in params.items()}
        self.param_names = tuple(params)

    # -- the public interface ------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        """The parameters as plain numbers / arrays."""
        return {k: value_of(v) for k, v in self.params.items()}

    def sample(self, n: int, seed: Seed = None) -> np.ndarray:
        """``n`` independent draws (shape ``(n,)``, or ``(n, d)`` for vector events)."""
        rng = rng_from(seed)
        if self.reparameterised:  # the same draws as rsample with this seed
            return np.asarray(self._transform(self._noise(_count(n), rng), **self.values))
        return self._sample(_count(n), rng)

    def log_prob(self, z: Any) -> Any:
        """ln p(z; θ), one value per sample; differentiable in the parameters."""
        return self._log_density(z, **self.params) + self._log_base(value_of(z))

    def score(self, z: Any, wrt: Sequence[str] | None = None,
              method: ScoreMethod = "auto") -> dict[str, np.ndarray]:
        """∇θ ln p(zᵢ; θ) for every sample: ``{name: array (n, *param_shape)}``.

        ``method``: "symbolic" (compiled symbolic partials; univariate distributions),
        "forward" (forward-mode AD, one pass per parameter entry) or "auto" (the first that
        applies). Both come from chainrule's one rule table.
        """
        names = self.check_wrt(wrt)
        z = np.asarray(z)
        if method not in ("auto", "symbolic", "forward"):
            raise ChainruleError(f"unknown score method {method!r}; use auto, symbolic or forward")
        if method != "forward" and self.event_ndim == 0:
            key = (type(self), self.param_names)
            fast = _SYMBOLIC(key, self._log_density, z, self.params, names)
            if fast is not None:
                return fast
            if method == "symbolic":
                raise ChainruleError(f"{self.name}'s log-density has no symbolic derivative here")
        return forward_derivatives(lambda **p: self._log_density(z, **p), self.params, names,
                                   n=len(z))

    def noise(self, n: int, seed: Seed = None) -> np.ndarray:
        """ε, the parameter-free randomness of a reparameterisable distribution."""
        self._need_reparameterised(())
        return self._noise(_count(n), rng_from(seed))

    def transform(self, eps: Any, **params: Any) -> Any:
        """z = g(ε; θ) — with this distribution's parameters unless others are given."""
        return self._transform(eps, **{**self.params, **params})

    def rsample(self, n: int, seed: Seed = None) -> np.ndarray:
        """Reparameterised draws g(ε; θ); the same draws as :meth:`sample` with that seed."""
        return np.asarray(value_of(self.transform(self.noise(n, seed))))

    def fisher_information(self) -> np.ndarray:
        """E[∇ln p ∇ln pᵀ], closed form, over all parameter entries in declaration order."""
        return np.atleast_2d(np.asarray(self._fisher(**self.values), dtype=float))

    def empirical_fisher(self, n: int = 100_000, seed: Seed = None) -> np.ndarray:
        """The Monte Carlo estimate (1/n) Σ sᵢ sᵢᵀ of the Fisher information."""
        flat = self.flat_score(self.sample(n, seed))
        return flat.T @ flat / len(flat)

    def flat_score(self, z: Any) -> np.ndarray:
        """Per-sample scores as an ``(n, P)`` matrix, parameters in declaration order."""
        scores = self.score(z)
        n = len(np.asarray(z))
        return np.concatenate([scores[k].reshape(n, -1) for k in self.param_names], axis=1)

    def check_wrt(self, wrt: Sequence[str] | str | None) -> list[str]:
        """The parameter names asked for, checked (None: all of them)."""
        if wrt is None:
            return list(self.param_names)
        names = [wrt] if isinstance(wrt, str) else list(wrt)
        for name in names:
            if name not in self.param_names:
                raise ChainruleError(f"{self.name} has no parameter {name!r}; its parameters "
                                     f"are {', '.join(self.param_names)}")
        if not names:
            raise ChainruleError("wrt names no parameter; give at least one")
        return names

    def _need_reparameterised(self, names: Sequence[str]) -> None:
        if not self.reparameterised:
            raise ChainruleError(f"{self.name} is not reparameterisable: its samples are not a "
                                 "differentiable function of its parameters; use the "
                                 "score-function estimator")
        bad = [n for n in names if n not in self.reparameterised]
        if bad:
            raise ChainruleError(f"{self.name} is reparameterisable in "
                                 f"{', '.join(self.reparameterised)} only, not in "
                                 f"{', '.join(bad)}; use the score-function estimator for it")

    @property
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={_show(v)}" for k, v in self.values.items())
        return f"{self.name}({inner})"

    # -- what subclasses write -----------------------------------------------------------
    def _log_density(self, z: Any, **params: Any) -> Any:
        """The part of ln p(z; θ) that depends on θ, in plain NumPy (traced by AD)."""
        raise NotImplementedError

    def _log_base(self, z: np.ndarray) -> Any:
        """The rest of ln p(z; θ), free of θ (e.g. −ln z! for the Poisson)."""
        return 0.0

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def _noise(self, n: int, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def _transform(self, eps: Any, **params: Any) -> Any:
        raise NotImplementedError

    def _fisher(self, **values: Any) -> Any:
        raise NotImplementedError


# -- checks and conversions -------------------------------------------------------------

def _param(v: Any) -> Any:
    if isinstance(v, Box):
        return v
    if isinstance(v, np.ndarray | list | tuple):
        return np.asarray(v, dtype=float)
    if isinstance(v, int | float | np.number):
        return float(v)
    raise ChainruleError(f"a parameter must be a number or an array, not {type(v).__name__}")


def count_samples(n: int) -> int:
    """``n`` checked to be a whole number of samples ≥ 1."""
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
        raise ChainruleError(f"the number of samples must be a whole number ≥ 1, got {n!r}")
    return int(n)


_count = count_samples  # the short name used in this module and by the distributions


def _positive(dist: str, name: str, v: Any) -> None:
    if not np.all(np.asarray(value_of(v)) > 0):
        raise ChainruleError(f"{dist}'s {name} must be > 0, got {_show(value_of(v))}")


def _scalar(dist: str, **params: Any) -> None:
    for name, v in params.items():
        if np.ndim(value_of(v)) != 0:
            raise ChainruleError(f"{dist}'s {name} must be a single number (for vectors use "
                                 "MultivariateNormalDiag or Categorical)")


def _show(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else np.array2string(np.asarray(v), precision=4)


# -- the distributions ------------------------------------------------------------------
