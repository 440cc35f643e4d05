"""A straightforward per-region-loop version of the structural model (benchmarks only).

Same likelihood and priors as :func:`~estimation.models.structural_model`, but
built the way one would write it first: one pymc ``Categorical`` per region
and per appointment, a Python loop over regions. It exists to measure what the
vectorised model gains; do not use it for real fits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gametheory.restratification.model import ALPHA_NAMES

from ..data import AllocationData, StructuralArrays
from ..simulate import THETA_FREE
from .priors import resolve_priors
from .structural import as_arrays, population_parameters

__all__ = ["naive_structural_model"]


def naive_structural_model(data: AllocationData | StructuralArrays,
                           priors: Mapping[str, Any] | None = None) -> Any:
    """The structural model with a Python loop over regions (for benchmarks)."""
    import pymc as pm
    import pytensor.tensor as pt

    a = as_arrays(data)
    pr = resolve_priors(priors)
    with pm.Model(coords={"theta_free": list(THETA_FREE), "capital": list(ALPHA_NAMES)}) as m:
        lam, theta, beta, alpha, mu, eta, gamma0, gamma = population_parameters(pr)
        theta_full = pt.concatenate([pt.ones(1), theta])
        w = pt.concatenate([alpha, pt.stack([mu, eta])])
        for g in range(a.n_regions):
            n = int(a.cfg_mask[g].sum())
            u = lam * (pt.dot(a.cfg_x[g, :n], theta_full)
                       - beta * a.bloc_power[g] * a.cfg_k[g, :n])
            pm.Categorical(f"cfg_{g}", logit_p=u, observed=int(a.cfg_chosen[g]))
        for s in range(len(a.app_chosen)):
            n = int(a.app_mask[s].sum())
            pm.Categorical(f"app_{s}", logit_p=pt.dot(a.app_z[s, :n], w),
                           observed=int(a.app_chosen[s]))
        for i in range(len(a.con_count)):
            pm.Poisson(f"con_{i}", mu=pt.exp(gamma0 + gamma * a.con_loss[i]),
                       observed=a.con_count[i])
    return m
