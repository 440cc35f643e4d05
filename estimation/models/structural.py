r"""The structural model: one joint likelihood over all regions, vectorised.

For region :math:`g` with feasible configurations :math:`c \in C_g`,
appointment situations :math:`s` (candidates :math:`d \in D_s`) and hospitals
:math:`i` that lost work,

.. math::

    \log p(y \mid \psi) = \sum_g \Big[\lambda U_g(c_g) - \log\sum_{c \in C_g}
    e^{\lambda U_g(c)}\Big]
    + \sum_s \Big[w\cdot z_{s d_s} - \log\sum_{d \in D_s} e^{w\cdot z_{sd}}\Big]
    + \sum_i \log\text{Poisson}(n_i \mid e^{\gamma_0 + \gamma L_i}),

with :math:`U_g(c) = \theta\cdot x(c) - \beta\,\pi_g k(c)`,
:math:`\theta = (1, \theta_1, \theta_2, \theta_3)` (the host track-record
weight is the numeraire, since only :math:`\lambda\theta` and
:math:`\lambda\beta` are identified) and :math:`w = (\alpha, \mu, \eta)`.

Ragged choice sets are padded to the largest and masked (logit
:math:`-10^{10}` in padded slots), so the likelihood is a handful of tensor
operations over static shapes with no loop over regions; every index and
mask is a numpy constant, so the graph compiles to C, numba and JAX alike.

The hierarchical variant adds non-centred group effects (groups = network
types, or regions): :math:`\theta_{j} = \theta + \sigma_\theta z_j`,
:math:`\alpha_j = \alpha + \sigma_\alpha z^\alpha_j`,
:math:`\gamma_{0j} = \gamma_0 + \sigma_{\gamma_0} z^\gamma_j`, :math:`z \sim N(0, 1)`.

References
----------
McFadden, D. (1974). Conditional logit analysis of qualitative choice
behavior. In *Frontiers in Econometrics*, 105-142. Papaspiliopoulos, O.,
Roberts, G. O., Skold, M. (2007). A general framework for the
parametrization of hierarchical models. *Statistical Science* 22(1), 59-73.

Examples
--------
>>> from estimation import simulate
>>> from estimation.models import structural_model
>>> m = structural_model(simulate(n_regions=4, seed=0))
>>> sorted(v.name for v in m.free_RVs)
['alpha', 'beta', 'eta', 'gamma', 'gamma0', 'lam', 'mu', 'theta']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from gametheory.errors import InvalidTypeError
from gametheory.restratification.model import ALPHA_NAMES

from ..data import AllocationData, StructuralArrays
from ..errors import EstimationError
from ..simulate import THETA_FREE
from .priors import resolve_priors

__all__ = ["structural_model", "hierarchical_model", "MASKED_LOGIT", "categorical_logp",
           "categorical_random", "as_arrays"]

#: logit given to padded alternatives
MASKED_LOGIT = -1e10


def as_arrays(data: AllocationData | StructuralArrays) -> StructuralArrays:
    if isinstance(data, StructuralArrays):
        return data
    if isinstance(data, AllocationData):
        return data.arrays()
    raise InvalidTypeError("data", type(data).__name__, "not AllocationData",
                          "Give an AllocationData (estimation.AllocationData or simulate())")


def categorical_logp(n_alt: int) -> Any:
    """logp of a chosen slot under row-wise logits (one-hot gather, static width)."""
    import pytensor.tensor as pt
    from pymc.math import logsumexp

    slots = np.arange(n_alt)

    def logp(value: Any, logits: Any) -> Any:
        onehot = pt.eq(value[..., None], slots)
        picked = pt.sum(pt.where(onehot, logits, 0.0), axis=-1)
        return picked - logsumexp(logits, axis=-1, keepdims=False)

    return logp


def categorical_random(logits: np.ndarray, rng: np.random.Generator | None = None,
                       size: tuple[int, ...] | None = None) -> np.ndarray:
    """Gumbel-max draws of the chosen slot (for prior and posterior predictive checks)."""
    rng = rng or np.random.default_rng()
    logits = np.asarray(logits)
    if size is not None and tuple(size) != logits.shape[:-1]:
        logits = np.broadcast_to(logits, (*tuple(size), logits.shape[-1]))
    return np.argmax(logits + rng.gumbel(size=logits.shape), axis=-1)


def _coords(a: StructuralArrays) -> dict[str, Any]:
    return {"theta_free": list(THETA_FREE), "capital": list(ALPHA_NAMES),
            "region": list(a.region_names), "situation": np.arange(len(a.app_chosen)),
            "hospital": np.arange(len(a.con_count))}


def _likelihood(a: StructuralArrays, lam: Any, theta_r: Any, beta: Any, w_s: Any,
                gamma0_h: Any, gamma: Any) -> None:
    """Add the three observed components (``theta_r``: (4,) or (G, 4); ``w_s``: (5,) or (S, 5))."""
    import pymc as pm
    import pytensor.tensor as pt

    G, C = a.cfg_mask.shape
    pk = a.bloc_power[:, None] * a.cfg_k                    # (G, C), numpy
    if theta_r.ndim == 1:
        v = pt.tensordot(a.cfg_x, theta_r, axes=[[2], [0]])
    else:
        v = pt.sum(a.cfg_x * theta_r[:, None, :], axis=2)
    u = lam * (v - beta * pk)
    logits = pt.where(a.cfg_mask, u, MASKED_LOGIT)
    pm.CustomDist("configuration", logits, logp=categorical_logp(C),
                  random=categorical_random, signature="(c)->()",
                  dtype="int64", observed=a.cfg_chosen, dims="region")
    S, D = a.app_mask.shape
    if S:
        if w_s.ndim == 1:
            ua = pt.tensordot(a.app_z, w_s, axes=[[2], [0]])
        else:
            ua = pt.sum(a.app_z * w_s[:, None, :], axis=2)
        pm.CustomDist("appointment", pt.where(a.app_mask, ua, MASKED_LOGIT),
                      logp=categorical_logp(D), random=categorical_random,
                      signature="(c)->()", dtype="int64", observed=a.app_chosen,
                      dims="situation")
    if len(a.con_count):
        pm.Poisson("concessions", mu=pt.exp(gamma0_h + gamma * a.con_loss),
                   observed=a.con_count, dims="hospital")


def population_parameters(pr: Mapping[str, Any]) -> tuple[Any, ...]:
    """Build the structural parameters' priors in the current pymc model.

    Returns ``(lam, theta, beta, alpha, mu, eta, gamma0, gamma)``; shared by
    every structural variant so that they name and shape them alike.
    """
    lam = pr["lam"].build("lam")
    theta = pr["theta"].build("theta", dims="theta_free")
    beta = pr["beta"].build("beta")
    alpha = pr["alpha"].build("alpha", dims="capital")
    mu = pr["mu"].build("mu")
    eta = pr["eta"].build("eta")
    gamma0 = pr["gamma0"].build("gamma0")
    gamma = pr["gamma"].build("gamma")
    return lam, theta, beta, alpha, mu, eta, gamma0, gamma


def structural_model(data: AllocationData | StructuralArrays,
                     priors: Mapping[str, Any] | None = None) -> Any:
    """The pooled structural model (see the module docstring).

    Parameters
    ----------
    data : AllocationData or StructuralArrays
    priors : mapping, optional
        Overrides of :data:`~estimation.models.priors.DEFAULT_PRIORS`.

    Returns
    -------
    pymc.Model
        Free parameters ``lam``, ``theta`` (dims ``theta_free``), ``beta``,
        ``alpha`` (dims ``capital``), ``mu``, ``eta``, ``gamma0``, ``gamma``;
        observed ``configuration``, ``appointment``, ``concessions``.
    """
    import pymc as pm
    import pytensor.tensor as pt

    a = as_arrays(data)
    pr = resolve_priors(priors)
    with pm.Model(coords=_coords(a)) as model:
        lam, theta, beta, alpha, mu, eta, gamma0, gamma = population_parameters(pr)
        theta_full = pt.concatenate([pt.ones(1), theta])
        w = pt.concatenate([alpha, pt.stack([mu, eta])])
        _likelihood(a, lam, theta_full, beta, w, gamma0, gamma)
    return model


def hierarchical_model(data: AllocationData | StructuralArrays,
                       priors: Mapping[str, Any] | None = None, *,
                       group: str = "network") -> Any:
    """Structural model with non-centred group effects on theta, alpha and gamma0.

    Parameters
    ----------
    data : AllocationData or StructuralArrays
    priors : mapping, optional
    group : {"network", "region"}
        Groups are the regions' network types (``regions.network``) or the
        regions themselves.

    Returns
    -------
    pymc.Model
        The structural parameters (population means) plus ``sigma_theta``,
        ``sigma_alpha``, ``sigma_gamma0``, standard-normal ``z_*`` and the
        deterministic group deviations ``theta_dev`` (group, theta_free),
        ``alpha_dev`` (group, capital), ``gamma0_dev`` (group).
    """
    import pymc as pm
    import pytensor.tensor as pt

    a = as_arrays(data)
    pr = resolve_priors(priors)
    if group == "network":
        levels, gi = list(a.group_names), a.group_idx
    elif group == "region":
        levels, gi = list(a.region_names), np.arange(a.n_regions)
    else:
        raise EstimationError("group", group, "unknown grouping", "Use 'network' or 'region'")
    coords = _coords(a)
    coords["group"] = levels
    with pm.Model(coords=coords) as model:
        lam, theta, beta, alpha, mu, eta, gamma0, gamma = population_parameters(pr)
        s_th = pr["sigma_theta"].build("sigma_theta")
        s_al = pr["sigma_alpha"].build("sigma_alpha")
        s_g0 = pr["sigma_gamma0"].build("sigma_gamma0")
        z_th = pm.Normal("z_theta", 0.0, 1.0, dims=("group", "theta_free"))
        z_al = pm.Normal("z_alpha", 0.0, 1.0, dims=("group", "capital"))
        z_g0 = pm.Normal("z_gamma0", 0.0, 1.0, dims="group")
        th_dev = pm.Deterministic("theta_dev", s_th * z_th, dims=("group", "theta_free"))
        al_dev = pm.Deterministic("alpha_dev", s_al * z_al, dims=("group", "capital"))
        g0_dev = pm.Deterministic("gamma0_dev", s_g0 * z_g0, dims="group")
        theta_g = pt.concatenate([pt.ones((len(levels), 1)), theta[None, :] + th_dev], axis=1)
        theta_r = theta_g[gi]                                  # (G, 4)
        w_g = pt.concatenate([alpha[None, :] + al_dev,
                              pt.ones((len(levels), 1)) * mu,
                              pt.ones((len(levels), 1)) * eta], axis=1)
        w_s = w_g[gi[a.app_region]] if len(a.app_region) else w_g[:0]
        g0_h = (gamma0 + g0_dev)[gi[a.con_region]] if len(a.con_region) else gamma0
        _likelihood(a, lam, theta_r, beta, w_s, g0_h, gamma)
    return model
