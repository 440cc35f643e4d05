"""Parameter draws of a fitted model as :class:`~gametheory.restratification.ModelParameters`.

What ``restrat sensitivity --posterior FIT.nc`` averages the scenario's outcome
probabilities over: a sample of the posterior's draws, each turned back into
the model's parameters (the estimands' normalisation undone by the estimation
module's own inverse, the settings the fit does not estimate taken from
*base*).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .errors import EstimationError

__all__ = ["parameter_draws"]


def _flat_draws(posterior: Any, idx: np.ndarray) -> list[dict[str, float]]:
    """One {estimand[label]: value} mapping per selected draw."""
    out: list[dict[str, float]] = [{} for _ in idx]
    for name, da in posterior.data_vars.items():
        dims = [d for d in da.dims if d != "sample"]
        if len(dims) > 1:
            continue                      # group effects and the like: not a parameter
        vals = np.asarray(da.transpose("sample", *dims).isel(sample=idx))
        if not dims:
            for k, v in enumerate(vals):
                out[k][str(name)] = float(v)
            continue
        labels = [str(x) for x in np.asarray(da[dims[0]])]
        for k, row in enumerate(vals):
            for lab, v in zip(labels, row, strict=True):
                out[k][f"{name}[{lab}]"] = float(v)
    return out


def _to_params(values: Mapping[str, float], base: Any) -> Any:
    from dataclasses import fields, replace

    try:
        from .simulate import params_from_estimands as inverse
    except ImportError:                                   # pragma: no cover - newer layout
        from gametheory.restratification.spec import (  # type: ignore[import-not-found]
            model_parameters as inverse,
        )
    p = inverse(values, base)
    extra = {f.name: float(values[f.name]) for f in fields(p)
             if f.name in values and isinstance(getattr(p, f.name), float)}
    return replace(p, **extra) if extra else p


def parameter_draws(fit: Any, n_draws: int = 100, seed: int = 0, base: Any = None
                    ) -> list[Any]:
    """Up to *n_draws* posterior draws of a fit (a FitResults or a saved ``.nc`` file),
    each as :class:`~gametheory.restratification.ModelParameters`.

    Parameters the fit does not estimate come from *base* (default: the model's
    defaults).
    """
    from gametheory.restratification import ModelParameters

    from .fit import FitResults

    if isinstance(fit, str | Path):
        fit = FitResults.load(fit)
    if not hasattr(fit, "idata") or not hasattr(fit.idata, "posterior"):
        raise EstimationError("fit", type(fit).__name__, "holds no posterior draws",
                              "Give a FitResults from est.fit or a file from `restrat fit "
                              "--out`")
    if int(n_draws) < 1:
        raise EstimationError("n_draws", n_draws, "must be at least 1", "Give n_draws >= 1")
    post = fit.idata.posterior.stack(sample=("chain", "draw"))
    n = int(post.sizes["sample"])
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(n, size=min(int(n_draws), n), replace=False))
    base = base or ModelParameters()
    try:
        return [_to_params(v, base) for v in _flat_draws(post, idx)]
    except (KeyError, ValueError) as exc:
        raise EstimationError("fit", getattr(fit, "model_name", "?"),
                              f"its posterior does not hold the model's parameters ({exc})",
                              "Give a fit of the structural or hierarchical model") from None
