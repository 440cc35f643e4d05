"""A parameter point of the restratification model shared by the model tests, and its
conversions to a pymc point and to the spec's parameter dictionary."""

from __future__ import annotations

import numpy as np

POINT = {"lam_theta": np.array([1.5, 0.8, 2.0, 2.5]), "kappa": 1.7, "delta": 1.2,
         "rho": 0.9, "support": 0.3, "stake_commissioners": 1.4, "stake_ambulance": 0.6,
         "alpha": np.array([1.0, 0.5, -0.3]), "mu": 0.8, "eta": 1.1, "harm_weight": 0.6,
         "proposer_advantage": 0.4, "patience": 0.9}


def value_point(model, point):
    """``point`` as a value of ``model``'s free variables (log-transformed where pymc does)."""
    ip = model.initial_point()
    out = dict(ip)
    for k, v in point.items():
        if f"{k}_log__" in ip:
            out[f"{k}_log__"] = np.log(np.asarray(v, dtype=float))
        elif k in ip:
            out[k] = np.asarray(v, dtype=float)
    return out


def spec_params(point):
    """``point`` as the spec's parameter dictionary (one leading axis of length 1)."""
    return {k: (np.asarray(v, float)[None, :] if np.ndim(v) else np.array([float(v)]))
            for k, v in point.items()}
