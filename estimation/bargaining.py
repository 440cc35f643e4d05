r"""Maximum likelihood for the concession stage: the committee's bargaining parameters.

Given the chosen configuration of every region, the observed role counts
depend on the bargaining parameters only (``harm_weight`` :math:`\omega`,
``proposer_advantage`` :math:`\phi`, ``patience`` :math:`\delta`), through the
multinomial of :func:`gametheory.restratification.concessions.package_log_likelihood`:
the same function the joint likelihood, ``simulate`` and ``run`` use. Because
the joint log-likelihood is a sum of the configuration, appointment and
concession terms and these parameters enter only the last, its maximum in
:math:`(\omega, \phi, \delta)` is this one.

The fit works on :math:`(\log\omega, \phi, \operatorname{logit}\delta')` with
:math:`\delta' = (\delta - 0.01)/0.98` (the valid range [0.01, 0.99]); standard
errors come from the inverse of a finite-difference Hessian there, and Wald
intervals are mapped back (so they respect the ranges).

Identification: with unanimity and no binding reservation value a member's
share is its recognition :math:`\rho_i`, whatever :math:`\omega` and
:math:`\delta`; those two are learnt only from committees where some
reservation binds (powerless or very harmful hospitals). :func:`recovery`
measures how well they are recovered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from .errors import EstimationError

__all__ = ["BargainingFit", "simulate_counts", "fit_bargaining", "recovery"]

NAMES = ("harm_weight", "proposer_advantage", "patience")


def _to_params(z: np.ndarray) -> dict[str, np.ndarray]:
    return {"harm_weight": np.array([np.exp(z[0])]), "proposer_advantage": np.array([z[1]]),
            "patience": np.array([0.01 + 0.98 / (1 + np.exp(-z[2]))])}


def _to_z(p: Any) -> np.ndarray:
    d = (p.patience - 0.01) / 0.98
    return np.array([np.log(max(p.harm_weight, 1e-12)), p.proposer_advantage,
                     np.log(d / (1 - d))])


@dataclass(frozen=True)
class BargainingFit:
    """Estimates of the bargaining parameters, with standard errors and 95% intervals.

    ``table`` has one row per parameter: ``estimate``, ``se`` (on the working
    scale: log, identity, logit), ``lower`` and ``upper`` (the working-scale
    Wald interval mapped back); ``loglik`` the maximised log-likelihood.
    """

    table: pd.DataFrame
    loglik: float
    converged: bool
    n_regions: int


def simulate_counts(design: Any, params: Any, chosen: np.ndarray,
                    rng: np.random.Generator) -> np.ndarray:
    """Role counts (G, K, M) drawn from the committees' equilibrium under *chosen*."""
    from gametheory.restratification.concessions import (
        bargaining_parameters,
        draw_packages,
        role_probabilities,
    )

    p = role_probabilities(bargaining_parameters(params), design)
    g = np.arange(design.member.shape[0])
    return draw_packages(rng, p[g, chosen], design.pool_count[g, chosen])


def fit_bargaining(design: Any, counts: np.ndarray, chosen: np.ndarray,
                   start: Any = None) -> BargainingFit:
    """Maximum-likelihood estimates of the bargaining parameters from role counts."""
    from scipy.optimize import minimize

    from gametheory.restratification import ModelParameters
    from gametheory.restratification.concessions import package_log_likelihood

    G = design.member.shape[0]
    observed = np.ones(G, bool)

    def nll(z: np.ndarray) -> float:
        if not np.all(np.isfinite(z)) or abs(z[0]) > 12 or abs(z[1]) > 15 or abs(z[2]) > 12:
            return 1e12
        val = -float(np.sum(package_log_likelihood(_to_params(z), design, counts, observed,
                                                   chosen)))
        return val if np.isfinite(val) else 1e12

    z0 = _to_z(start or ModelParameters())
    best = None
    for z_start in (z0, z0 + np.array([0.5, 0.5, 0.5]), z0 - np.array([0.5, 0.5, 0.5])):
        res = minimize(nll, z_start, method="Nelder-Mead",
                       options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 4000})
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    z = best.x
    h = np.array([1e-3, 1e-3, 1e-3])
    H = np.zeros((3, 3))
    f0 = nll(z)
    for i in range(3):
        for j in range(i, 3):
            ei, ej = np.eye(3)[i] * h[i], np.eye(3)[j] * h[j]
            H[i, j] = H[j, i] = (nll(z + ei + ej) - nll(z + ei - ej) - nll(z - ei + ej)
                                 + nll(z - ei - ej)) / (4 * h[i] * h[j])
    try:
        cov = np.linalg.inv(H)
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
        if not np.all(np.isfinite(se)) or np.any(np.diag(cov) <= 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        se = np.full(3, np.inf)
    est = _to_params(z)
    lo = _to_params(z - 1.96 * np.where(np.isfinite(se), se, 1e6))
    hi = _to_params(z + 1.96 * np.where(np.isfinite(se), se, 1e6))
    table = pd.DataFrame({"estimate": [float(est[k][0]) for k in NAMES], "se": se,
                          "lower": [float(lo[k][0]) for k in NAMES],
                          "upper": [float(hi[k][0]) for k in NAMES]},
                         index=pd.Index(NAMES, name="parameter"))
    return BargainingFit(table, -float(f0), bool(best.success), G)


def recovery(n_regions: int, reps: int, params: Any = None, seed: int = 0,
             regions: Sequence[Any] | None = None) -> pd.DataFrame:
    """Simulate role counts *reps* times on *n_regions* random regions and refit.

    The regions (``random_region(seed + g)``) and their chosen configurations
    (the model's modal ones) are drawn once; each replication redraws the
    counts. Returns one row per (replication, parameter): truth, estimate,
    interval and whether it covers the truth.
    """
    from gametheory.restratification import ModelParameters, scenarios
    from gametheory.restratification.concessions import committee_design
    from gametheory.restratification.model import allocation_analysis, configurations

    if n_regions < 1 or reps < 1:
        raise EstimationError("n_regions/reps", (n_regions, reps), "must be at least 1",
                              "Give positive numbers")
    params = params or ModelParameters()
    regions = list(regions) if regions is not None else [
        scenarios.random_region(seed + g) for g in range(n_regions)]
    cfgs = [configurations(r) for r in regions]
    chosen = np.array([cfgs[g].index(allocation_analysis(r, params).chosen)
                       for g, r in enumerate(regions)])
    design = committee_design(regions, cfgs, params)
    rng = np.random.default_rng(seed)
    rows = []
    for rep in range(reps):
        counts = simulate_counts(design, params, chosen, rng)
        fit = fit_bargaining(design, counts, chosen, start=replace(params))
        for k in NAMES:
            t = float(getattr(params, k))
            r = fit.table.loc[k]
            rows.append({"rep": rep, "parameter": k, "truth": t, "estimate": r["estimate"],
                         "se": r["se"], "lower": r["lower"], "upper": r["upper"],
                         "covered": bool(r["lower"] <= t <= r["upper"]),
                         "converged": fit.converged})
    return pd.DataFrame(rows)
