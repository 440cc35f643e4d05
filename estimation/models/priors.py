r"""Priors of the estimation models: documented defaults, overridable by name.

A prior is a pymc distribution name and its keyword arguments, e.g.
``Prior("Normal", {"mu": 0.0, "sigma": 2.0})``. Override any of them with
``fit(..., priors={"beta": ("HalfNormal", {"sigma": 5.0})})``.

Default priors of the structural model (the estimands of
:data:`gametheory.restratification.spec.ESTIMANDS`; the vote utility is in
hundreds of trauma cases a year):

=======================  ============================  ====================================
parameter                prior                         reasoning
=======================  ============================  ====================================
``lam_theta`` (4)        Normal(0, 3)                  the proposer's logit coefficients
``kappa``                LogNormal(mu=0.7, sigma=0.5)  vote precision per 100 cases, median 2
``delta``                HalfNormal(3)                 the bloc's aversion, non-negative
``rho``                  Normal(1, 1.5)                value of a role won
``support``              Normal(0, 1)                  baseline of organisations' members
``stake_commissioners``  Normal(1, 1.5)                commissioners' baseline
``stake_ambulance``      Normal(0.5, 1.5)              ambulance service's baseline
``alpha`` (3)            Normal(0, 2)                  logit scale is fixed at 1
``mu``, ``eta``          Normal(0, 2)
``harm_weight``          LogNormal(mu=-1, sigma=0.6)   value units claimed per 100 cases of
                                                       harm, median 0.37: the reservation
                                                       values bind in some committees
``proposer_advantage``   Normal(0, 1)                  the director's log-odds of recognition
``patience``             TruncatedNormal(0.9, 0.05,    per bargaining round; used only when
                         0.5, 0.99)                    estimated (fixed at 0.9 by default,
                                                       ``spec.DEFAULT_FIXED``)
``sigma_*``              HalfNormal(0.5)               group-effect scales (hierarchical)
``b`` (clogit)           Normal(0, 2.5)                reduced-form coefficients
=======================  ============================  ====================================

Examples
--------
>>> p = resolve_priors({"delta": ("HalfNormal", {"sigma": 5.0})})
>>> p["delta"], p["kappa"].dist
(Prior(dist='HalfNormal', params={'sigma': 5.0}), 'LogNormal')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import EstimationError

__all__ = ["Prior", "DEFAULT_PRIORS", "POSITIVE", "ALLOWED_DISTS", "resolve_priors",
           "draw_prior"]


#: The pymc distributions a prior may name (continuous, univariate). Names are looked up
#: in pymc only from this list, so a prior read from a file cannot reach anything else.
ALLOWED_DISTS = frozenset({
    "Normal", "HalfNormal", "LogNormal", "StudentT", "HalfStudentT", "Cauchy", "HalfCauchy",
    "Gamma", "InverseGamma", "Exponential", "Uniform", "Beta", "Laplace", "Logistic",
    "TruncatedNormal", "Weibull", "ChiSquared", "SkewNormal", "Gumbel", "Kumaraswamy",
    "LogitNormal", "Pareto", "Wald", "ExGaussian", "VonMises", "Rice", "Moyal",
    "AsymmetricLaplace", "SkewStudentT", "Triangular",
})


@dataclass(frozen=True)
class Prior:
    """A pymc distribution name (one of :data:`ALLOWED_DISTS`) and its numeric parameters."""

    dist: str
    params: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.dist, str) or self.dist not in ALLOWED_DISTS:
            raise EstimationError("prior", self.dist, "is not an allowed prior distribution",
                                  f"Use one of {sorted(ALLOWED_DISTS)}")
        if not isinstance(self.params, Mapping):
            raise EstimationError(f"prior {self.dist}", self.params, "parameters are not a "
                                  "table", "Give e.g. {'mu': 0.0, 'sigma': 1.0}")
        clean: dict[str, float] = {}
        for k, v in self.params.items():
            if (not isinstance(k, str) or not k.isidentifier() or isinstance(v, bool)
                    or not isinstance(v, int | float | np.integer | np.floating)
                    or not np.isfinite(float(v))):
                raise EstimationError(f"prior {self.dist}", {k: v}, "parameters must be "
                                      "named finite numbers", "Give e.g. {'sigma': 1.0}")
            clean[k] = float(v)
        object.__setattr__(self, "params", clean)

    def build(self, name: str, **kwargs: Any) -> Any:
        """Create the random variable ``name`` in the current pymc model."""
        import pymc as pm

        return getattr(pm, self.dist)(name, **dict(self.params), **kwargs)

    def draw(self, n: int, rng: np.random.Generator, shape: tuple[int, ...] = ()) -> np.ndarray:
        """``n`` draws (shape ``(n, *shape)``) from the prior, reproducibly."""
        import pymc as pm

        dist = getattr(pm, self.dist).dist(**dict(self.params), shape=shape)
        seed = int(rng.integers(2**31 - 1))
        out = pm.draw(dist, draws=n, random_seed=seed)
        return np.asarray(out, dtype=float).reshape((n, *shape))


DEFAULT_PRIORS: dict[str, Prior] = {
    "lam_theta": Prior("Normal", {"mu": 0.0, "sigma": 3.0}),
    "kappa": Prior("LogNormal", {"mu": 0.7, "sigma": 0.5}),
    "delta": Prior("HalfNormal", {"sigma": 3.0}),
    "rho": Prior("Normal", {"mu": 1.0, "sigma": 1.5}),
    "support": Prior("Normal", {"mu": 0.0, "sigma": 1.0}),
    "stake_commissioners": Prior("Normal", {"mu": 1.0, "sigma": 1.5}),
    "stake_ambulance": Prior("Normal", {"mu": 0.5, "sigma": 1.5}),
    "alpha": Prior("Normal", {"mu": 0.0, "sigma": 2.0}),
    "mu": Prior("Normal", {"mu": 0.0, "sigma": 2.0}),
    "eta": Prior("Normal", {"mu": 0.0, "sigma": 2.0}),
    "harm_weight": Prior("LogNormal", {"mu": -1.0, "sigma": 0.6}),
    "proposer_advantage": Prior("Normal", {"mu": 0.0, "sigma": 1.0}),
    "patience": Prior("TruncatedNormal", {"mu": 0.9, "sigma": 0.05, "lower": 0.5,
                                          "upper": 0.99}),
    "sigma_lam_theta": Prior("HalfNormal", {"sigma": 0.5}),
    "sigma_alpha": Prior("HalfNormal", {"sigma": 0.5}),
    "sigma_proposer_advantage": Prior("HalfNormal", {"sigma": 0.5}),
    "b": Prior("Normal", {"mu": 0.0, "sigma": 2.5}),
}

#: parameters that must have a prior on the positive half-line
POSITIVE = ("kappa", "delta", "harm_weight", "sigma_lam_theta", "sigma_alpha",
            "sigma_proposer_advantage")
_POSITIVE_DISTS = {"HalfNormal", "LogNormal", "Gamma", "Exponential", "HalfCauchy",
                   "HalfStudentT", "InverseGamma", "Weibull", "ChiSquared"}


def resolve_priors(priors: Mapping[str, Any] | None = None) -> dict[str, Prior]:
    """Defaults updated with *priors* (values: Prior, ``(dist, params)`` or ``{"dist":...}``)."""
    import pymc as pm

    out = dict(DEFAULT_PRIORS)
    for name, spec in (priors or {}).items():
        if name not in DEFAULT_PRIORS:
            raise EstimationError("priors", name, "unknown parameter",
                                  f"Use one of {sorted(DEFAULT_PRIORS)}")
        if isinstance(spec, Prior):
            pr = spec
        elif isinstance(spec, Mapping) and "dist" in spec:
            pr = Prior(spec["dist"], spec.get("params", {}))
        elif isinstance(spec, tuple | list) and len(spec) == 2:
            pr = Prior(spec[0], spec[1])
        else:
            raise EstimationError(f"priors[{name!r}]", spec, "not a prior",
                                  "Give (\"Normal\", {\"mu\": 0, \"sigma\": 1}) or a Prior")
        if not hasattr(pm, pr.dist):  # pragma: no cover - the allow-list names pymc's own
            raise EstimationError(f"priors[{name!r}]", pr.dist, "unknown pymc distribution",
                                  "Use a pymc distribution name such as 'Normal'")
        if name in POSITIVE and pr.dist not in _POSITIVE_DISTS:
            raise EstimationError(f"priors[{name!r}]", pr.dist,
                                  f"{name} must be positive but this prior is not",
                                  f"Use one of {sorted(_POSITIVE_DISTS)}")
        try:
            getattr(pm, pr.dist).dist(**dict(pr.params))
        except (TypeError, ValueError) as exc:
            raise EstimationError(f"priors[{name!r}]", dict(pr.params),
                                  f"bad parameters for {pr.dist}: {exc}",
                                  f"Give the parameters {pr.dist} takes") from None
        out[name] = pr
    return out


def draw_prior(priors: Mapping[str, Prior], n: int, rng: np.random.Generator,
               shapes: Mapping[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    """Draw ``n`` values of each named parameter from its prior."""
    return {k: priors[k].draw(n, rng, shape) for k, shape in shapes.items()}
