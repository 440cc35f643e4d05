"""A straightforward per-region-loop version of the structural model (benchmarks only).

Same likelihood and priors as :func:`~estimation.models.structural_model`, but
built the way one would write it first: every region compiled on its own and
given its own pymc variables, a Python loop over regions. It exists to measure
what the vectorised model gains; do not use it for real fits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gametheory.formation import pytensor_backend
from gametheory.restratification import spec

from ..data import AllocationData, StructuralArrays
from .priors import resolve_priors
from .structural import _coords, _region_axis, as_arrays, population_parameters

__all__ = ["naive_structural_model"]


def naive_structural_model(data: AllocationData | StructuralArrays,
                           priors: Mapping[str, Any] | None = None) -> Any:
    """The structural model with a Python loop over regions (for benchmarks)."""
    import pymc as pm

    a = as_arrays(data)
    full = AllocationData.from_frame(dict(a.frames))
    pr = resolve_priors(priors)
    xp = pytensor_backend()
    with pm.Model(coords=_coords(a)) as m:
        par = _region_axis(population_parameters(pr))
        for g, name in enumerate(a.region_names):
            sub = full.subset([name]).arrays()
            d, o = sub.design, sub.obs
            parts = spec.log_likelihood(par, d, o, xp)
            lc = spec.config_log_probability(par, d, xp)[0]
            pm.Categorical(f"cfg_{g}", logit_p=lc, observed=int(o.cfg_chosen[0]))
            if o.has_votes:
                pm.Potential(f"votes_{g}", spec.vote_log_probability(par, d, o, xp)[0])
            pm.Potential(f"app_{g}", xp.sum(parts["appointment"]))
            pm.Potential(f"con_{g}", xp.sum(parts["concessions"]))
    return m
