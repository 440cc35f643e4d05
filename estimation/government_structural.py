r"""The structural proposal-and-vote model of cabinet formation, fitted to formation data.

The model is :mod:`gametheory.government.model` (a formateur's logit over
cabinets, an investiture vote in which outside parties support a minority
cabinet with probability :math:`\sigma(\alpha - \kappa d_{jC})`, the exact pass
probability of the generic core :mod:`gametheory.formation`). This module
compiles formation data into its arrays and fits it:

* :func:`build_structural_design` builds the choice sets: parliaments with at
  most ``max_exact`` parties list every cabinet; larger ones get the formed
  cabinet plus ``n_draws`` importance draws from a tempered reduced-form logit
  (:func:`estimation.government.formation_choice_sets` with ``importance``)
  and the sampling correction, which is exact for this model as for any
  logit (the chosen cabinet's probability is a logit in
  :math:`V(C) + \log P_{\text{pass}}(C)`). The minority cabinets' votes are
  grouped by their number of outside parties, so the vote's dynamic programme
  runs over no padded cabinets and no member slots.
* :func:`fit_structural_mle` maximises the likelihood (scipy, numpy backend, with
  the exact gradient and Hessian of :func:`structural_loglik_derivatives`).
* :func:`fit_structural` samples the posterior with pymc (nutpie when
  available), pooled or with a country-level tolerance :math:`\alpha_c \sim
  N(\mu_\alpha, \sigma_\alpha)` (``hierarchical=True``). On nutpie's JAX
  backend the likelihood is one pytensor Op whose JAX implementation is
  :func:`structural_loglik` on the JAX backend (:func:`government_model` with
  ``likelihood="jax"``): the same function the MLE maximises, compiled and
  differentiated by JAX, with one folded loop over the members of each vote
  block (:func:`gametheory.formation.log_pass_probability`), so the graph does
  not grow with the data.
* :func:`structural_score` scores every potential cabinet of a parliament for
  :func:`estimation.government.predictive_accuracy`.

Parameters: ``theta[f]`` for the formateur covariates
(:data:`gametheory.government.PROPOSER_FEATURES`), ``alpha`` (support logit of a
party at the cabinet's position) and ``kappa`` (weight of distance, >= 0).

Examples
--------
>>> from estimation.government import load_parlgov
>>> data = load_parlgov()
>>> small = data.subset(data.n_parties <= 3)
>>> sd = build_structural_design(small, max_exact=3)
>>> m = fit_structural_mle(sd)
>>> m.converged, list(m.table.index[-2:])
(True, ['alpha', 'kappa'])
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from gametheory.errors import InvalidArgumentError, InvalidTypeError
from gametheory.formation import NUMPY, ArrayBackend
from gametheory.government import (
    FEATURES,
    MAX_UNITS,
    PROPOSER_FEATURES,
    CabinetDesign,
    Parliament,
    log_weight,
)
from gametheory.government import log_choice_probability as _log_choice

from ._jaxop import backend_loglik_op
from .government import FormationData, fit_formation, formation_choice_sets, simulate_formation
from .mle import MLEResults, _table

__all__ = ["StructuralDesign", "build_structural_design", "structural_loglik",
           "structural_loglik_derivatives",
           "fit_structural_mle", "government_model", "fit_structural", "structural_score",
           "StructuralFit", "PARAM_NAMES", "simulate_structural", "structural_topk"]

PARAM_NAMES = tuple(f"theta[{f}]" for f in PROPOSER_FEATURES) + ("alpha", "kappa")
_P = len(PROPOSER_FEATURES)


@dataclass(frozen=True, eq=False)
class StructuralDesign:
    """The compiled arrays of many opportunities, in buckets by number of parties.

    Attributes
    ----------
    buckets : list of CabinetDesign
    index : list of (G_b,) int arrays
        Opportunity (row of the data) of each parliament of each bucket.
    countries : tuple of str
        Country names; ``CabinetDesign.group`` indexes them.
    n_opportunities : int
    settings : dict
        How the choice sets were built.
    """

    buckets: list[CabinetDesign]
    index: list[np.ndarray]
    countries: tuple[str, ...]
    n_opportunities: int
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def n_countries(self) -> int:
        return len(self.countries)


def build_structural_design(data: FormationData, *, max_exact: int = 3, n_draws: int = 10,
                            importance: Sequence[float] | str | None = "reduced_form",
                            temper: float = 0.5, seed: int = 0, max_units: int = MAX_UNITS,
                            edges: Sequence[int] = (4, 8)) -> StructuralDesign:
    """Compile formation data for the structural likelihood (module docstring).

    Parameters
    ----------
    data : FormationData
    max_exact : int
        List every cabinet of parliaments with at most this many parties.
    n_draws : int
        Importance draws for larger ones.
    importance : "reduced_form", coefficients, or None
        ``"reduced_form"``: the conditional logit fitted to ``data`` (every
        cabinet listed up to 10 parties), times ``temper``; coefficients over
        :data:`gametheory.government.FEATURES`; None: cabinet size uniform.
    temper : float
        Multiplies the reduced-form coefficients (flatter sampling: better coverage).
    seed : int
    max_units : int
        Voting units per chamber (see :mod:`gametheory.government.model`).
    edges : sequence of int
        Vote blocks by number of outside parties (see
        :meth:`gametheory.government.CabinetDesign.build`).
    """
    if not isinstance(data, FormationData):
        raise InvalidTypeError("data", type(data).__name__, "not FormationData",
                               "Use estimation.government.load_parlgov()")
    imp: np.ndarray | None
    if isinstance(importance, str):
        if importance != "reduced_form":
            raise InvalidArgumentError("importance", importance, "unknown sampler",
                                       "Use 'reduced_form', coefficients, or None")
        imp = temper * fit_formation(data, seed=seed).params.to_numpy()
    else:
        imp = None if importance is None else np.asarray(importance, float)
    fcs = formation_choice_sets(data, max_exact=max_exact, n_draws=n_draws, seed=seed,
                                importance=imp)
    cs = fcs.choice_sets
    cabs = [cs.alternatives[g][cs.mask[g]] for g in range(cs.n_situations)]
    offs = [fcs.offset[g][cs.mask[g]] for g in range(cs.n_situations)]
    countries = tuple(sorted(set(data.opportunities["country"])))
    cidx = data.opportunities["country"].map({c: i for i, c in enumerate(countries)}).to_numpy()
    design = CabinetDesign.build(data.parliaments, cabs, chosen=data.chosen, offsets=offs,
                                 group=cidx, max_units=max_units, block_edges=edges)
    buckets, index = [design], [np.arange(data.n_opportunities)]
    settings = {"max_exact": max_exact, "n_draws": n_draws, "temper": temper,
                "importance": "reduced_form" if isinstance(importance, str) else
                ("size-uniform" if importance is None else "given"),
                "seed": seed, "max_units": max_units, "edges": list(edges)}
    return StructuralDesign(buckets, index, countries, data.n_opportunities, settings)


def simulate_structural(theta: Sequence[float], alpha: float, kappa: float, *,
                        n_opportunities: int = 200, n_parties: int | tuple[int, int] = 5,
                        seed: int = 0,
                        max_units: int = MAX_UNITS) -> FormationData:
    """Formation data drawn from the structural model with known parameters.

    Parliaments as :func:`estimation.government.simulate_formation` (seats
    uniform on 1..60, positions on [0, 10], an outgoing cabinet with probability
    0.8); the formed cabinet is drawn from :math:`P(C)` over all cabinets.
    """
    th = np.asarray(theta, float)
    if th.shape != (_P,):
        raise InvalidArgumentError("theta", theta, f"{th.size} coefficients",
                                   f"Give one per formateur covariate {list(PROPOSER_FEATURES)}")
    base = simulate_formation(np.zeros(len(FEATURES)), n_opportunities=n_opportunities,
                              n_parties=n_parties, seed=seed)
    rng = np.random.default_rng([seed, 1])
    chosen = []
    for p in base.parliaments:
        masks = p.all_cabinets()
        d = CabinetDesign.build([p], [masks], max_units=max_units)
        lp = _log_choice(th, alpha, kappa, d)[0, d.order[0]]
        chosen.append(int(masks[np.argmax(lp + rng.gumbel(size=len(lp)))]))
    par = base.parties.copy()
    ch = dict(zip(base.opportunities["opportunity"], chosen, strict=True))
    par["in_cabinet"] = [(ch[o] >> int(i)) & 1 for o, i in zip(par["opportunity"],
                                                                  par["party_id"], strict=True)]
    return FormationData(base.opportunities, par.drop(columns=["left_right_imputed"]),
                         source="simulated (structural)")


def _unpack(params: Any, xp: ArrayBackend) -> tuple[Any, Any, Any]:
    return params[..., :_P], params[..., _P], params[..., _P + 1]


def structural_loglik(theta: Any, alpha: Any, kappa: Any, design: StructuralDesign,
                      xp: ArrayBackend = NUMPY, *, per_opportunity: bool = False) -> Any:
    """Log-likelihood of the formed cabinets (sum over opportunities, or (G,) numpy).

    ``alpha`` is a scalar or an array over countries (``design.countries``).
    """
    total: Any = 0.0
    per = np.zeros(design.n_opportunities) if per_opportunity else None
    for b, idx in zip(design.buckets, design.index, strict=True):
        a = alpha[..., b.group] if xp.ndim(alpha) >= 1 else alpha
        lp = _log_choice(theta, a, kappa, b, xp)
        ll = lp[..., np.arange(len(b.chosen)), b.chosen]
        if per is not None:
            per[idx] = np.asarray(ll)
        total = total + xp.sum(ll, axis=-1)
    return per if per is not None else total


_PAIRS = ((0, 0), (0, 1), (1, 1))     # second derivatives in (alpha, kappa): aa, ak, kk


def _log_pass_derivatives(alpha: float, kappa: float, block: Any, order: int
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Log pass probability of a vote block and its exact derivatives in
    :math:`(\alpha, \kappa)`, by forward-mode differentiation of the vote's dynamic
    programme (:func:`gametheory.formation.log_pass_probability`, numpy).

    The support logit :math:`a_j = \alpha - \kappa d_j` is linear in the two
    parameters, so with :math:`p = \sigma(a)`, :math:`r = 1 - p`,
    :math:`\partial_u p = p r\,\partial_u a` and :math:`\partial_{uv} p = p r (r - p)
    \partial_u a\,\partial_v a`; each step of the programme, :math:`D \leftarrow D p +
    S(D) r` on the opposing side (:math:`S` moves the opposing weight up by the
    member's weight) or :math:`D \leftarrow D r + L(D) p` on the supporting side
    (:math:`L` moves the weight still needed down, 0 absorbing; the block's
    ``side``), is linear in :math:`D` and is differentiated by the product rule,
    carrying the distribution and its first (and second) derivatives together.
    Returns ``lp`` (N,), ``d1`` (2, N) and ``d2`` (3, N) (pairs :data:`_PAIRS`; zeros
    unless ``order == 2``).
    """
    from gametheory.formation.core import move_index

    bodies = block.bodies
    dist = block.dist[:, 0, :]                                           # (N, J)
    N = bodies.n_bodies
    support = getattr(block, "side", "opposition") == "support"
    a = alpha - kappa * dist
    p, r = 1.0 / (1.0 + np.exp(-a)), 1.0 / (1.0 + np.exp(a))
    da = np.stack([np.ones_like(dist), -dist])                           # (2, N, J)
    n_t = 1 + 2 + (3 if order == 2 else 0)
    # opposition: the opposing weight up to the slack, a member moves it up when it
    # opposes; support: the weight still needed down from the quota (0 absorbing), a
    # member moves it down when it supports (gametheory.formation.log_pass_probability)
    K = int(bodies.quota.max()) + 1 if support else bodies.n_states
    E = np.zeros((n_t, N, 1, K))
    E[0, np.arange(N), 0, bodies.quota if support else 0] = 1.0
    sgn = -1.0 if support else 1.0                # d(stay)/du = sgn * dp_u, d(go) = -that
    for j in bodies.active:
        idx = move_index(np.minimum(bodies.weights[:, j], K), K, support, NUMPY)
        parts = [np.cumsum(E, axis=-1), E, E * 0.0] if support else [E * 0.0, E]
        M = np.take_along_axis(np.concatenate(parts, axis=-1),
                               np.broadcast_to(idx, (n_t, *idx.shape)), axis=-1)
        pj, rj = p[:, j, None, None], r[:, j, None, None]
        stay, go = (rj, pj) if support else (pj, rj)
        pr = pj * rj
        ds = [sgn * pr * da[u][:, j, None, None] for u in range(2)]      # dgo = -ds
        new = np.empty_like(E)
        new[0] = E[0] * stay + M[0] * go
        for u in range(2):
            new[1 + u] = E[1 + u] * stay + E[0] * ds[u] + M[1 + u] * go - M[0] * ds[u]
        if order == 2:
            for t, (u, v) in enumerate(_PAIRS):
                dss = (sgn * pr * (rj - pj) * da[u][:, j, None, None]
                       * da[v][:, j, None, None])
                new[3 + t] = (E[3 + t] * stay + E[1 + u] * ds[v] + E[1 + v] * ds[u]
                              + E[0] * dss + M[3 + t] * go - M[1 + u] * ds[v]
                              - M[1 + v] * ds[u] - M[0] * dss)
        E = new
    tot = E[..., 0, 0] if support else (E * bodies._state_mask[None]).sum(axis=-1)[..., 0]
    P = tot[0]
    d1 = tot[1:3] / P
    d2 = np.zeros((3, N))
    if order == 2:
        for t, (u, v) in enumerate(_PAIRS):
            d2[t] = tot[3 + t] / P - d1[u] * d1[v]
    return np.log(P), d1, d2


def structural_loglik_derivatives(params: np.ndarray, design: StructuralDesign,
                                  order: int = 2
                                  ) -> tuple[float, np.ndarray, np.ndarray | None]:
    r"""The pooled log-likelihood (:func:`structural_loglik`, scalar ``alpha``) with its
    exact gradient and (``order=2``) Hessian in ``(theta, alpha, kappa)`` (numpy).

    With :math:`s_C = V(C) + o_C + \log P_{\text{pass}}(C)` and :math:`P(C) =
    e^{s_C}/\sum e^{s}`, :math:`\nabla\ell = \sum_g (\nabla s_{C^*_g} - \bar{\nabla s}_g)`
    and :math:`\nabla^2\ell = \sum_g (\nabla^2 s_{C^*_g} - \overline{\nabla^2 s}_g
    - \operatorname{Cov}_g(\nabla s))` (means and covariance under :math:`P`);
    :math:`\nabla_\theta s_C` is the cabinet's covariates and the vote's part comes
    from :func:`_log_pass_derivatives`. The same design and the same numbers as
    :func:`structural_loglik`.
    """
    x = np.asarray(params, float)
    th, alpha, kappa = x[:_P], float(x[_P]), float(x[_P + 1])
    Kp = _P + 2
    ll, grad, hess = 0.0, np.zeros(Kp), np.zeros((Kp, Kp))
    for b in design.buckets:
        lps, d1s, d2s = [], [], []
        for bl in b.blocks:
            lp, d1, d2 = _log_pass_derivatives(alpha, kappa, bl, order)
            lps.append(lp)
            d1s.append(d1)
            d2s.append(d2)
        flat = np.concatenate([*lps, [0.0]])
        f1 = np.concatenate([*d1s, np.zeros((2, 1))], axis=1)
        f2 = np.concatenate([*d2s, np.zeros((3, 1))], axis=1)
        G, A = b.z_major.shape[:2]
        lpB = flat[b.minor_index]                                        # (G, B)
        s = np.concatenate([b.z_major @ th, b.z_minor @ th + lpB], axis=1) + b.offset
        s = np.where(b.mask, s, -np.inf)
        m = s.max(axis=1, keepdims=True)
        e = np.exp(s - m)
        lse = (m + np.log(e.sum(axis=1, keepdims=True)))[:, 0]
        prob = e / e.sum(axis=1, keepdims=True)                          # (G, M)
        rows = np.arange(G)
        ll += float((s[rows, b.chosen] - lse).sum())
        ds = np.zeros(s.shape + (Kp,))
        ds[:, :A, :_P] = b.z_major
        ds[:, A:, :_P] = b.z_minor
        ds[:, A:, _P:] = np.moveaxis(f1[:, b.minor_index], 0, -1)
        ds = np.where(b.mask[..., None], ds, 0.0)
        mean = np.einsum("gm,gmk->gk", prob, ds)
        grad += (ds[rows, b.chosen] - mean).sum(axis=0)
        if order == 2:
            d2 = np.zeros(s.shape + (3,))
            d2[:, A:] = np.moveaxis(f2[:, b.minor_index], 0, -1)
            d2 = np.where(b.mask[..., None], d2, 0.0)
            h2 = (d2[rows, b.chosen] - np.einsum("gm,gmt->gt", prob, d2)).sum(axis=0)
            for t, (u, v) in enumerate(_PAIRS):
                hess[_P + u, _P + v] += h2[t]
                if u != v:
                    hess[_P + v, _P + u] += h2[t]
            hess -= np.einsum("gm,gmk,gml->kl", prob, ds, ds) - mean.T @ mean
    return ll, grad, (hess if order == 2 else None)


def fit_structural_mle(data: FormationData | StructuralDesign, start: Sequence[float] | None
                       = None, **design_kwargs: Any) -> MLEResults:
    """Maximum-likelihood estimates of the pooled structural model.

    L-BFGS-B (``kappa >= 0``) with the exact gradient, then Newton steps with the
    exact Hessian (both from :func:`structural_loglik_derivatives`, forward-mode
    derivatives of the vote's programme); standard errors from the inverse of the
    negative Hessian at the estimate. ``converged`` is True when the information of
    the parameters off their bounds is positive definite and the Newton step that
    remains is below 1% of every standard error (``parts["newton_step_se"]``).
    """
    t0 = time.perf_counter()
    sd = data if isinstance(data, StructuralDesign) else build_structural_design(
        data, **design_kwargs)
    x0 = np.zeros(_P + 2) if start is None else np.asarray(start, float)
    if start is None:
        x0[_P + 1] = 0.5

    def negf(x: np.ndarray) -> tuple[float, np.ndarray]:
        ll, g, _ = structural_loglik_derivatives(x, sd, order=1)
        if not np.isfinite(ll):
            return 1e100, np.zeros_like(x)
        return -ll, -g

    bounds = [(None, None)] * (_P + 1) + [(0.0, None)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = optimize.minimize(negf, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                                options={"maxiter": 500, "ftol": 1e-14, "gtol": 1e-8})
        x = res.x
        ll, g, H = structural_loglik_derivatives(x, sd)
        for _ in range(10):                          # Newton steps off the bound
            free = np.ones(len(x), bool)
            free[_P + 1] = x[_P + 1] > 0.0 or g[_P + 1] > 0.0
            Hf = H[np.ix_(free, free)]
            try:
                np.linalg.cholesky(-Hf)
            except np.linalg.LinAlgError:
                break
            step = np.zeros_like(x)
            step[free] = np.linalg.solve(-Hf, g[free])
            t, moved = 1.0, False
            for _half in range(30):
                y = x + t * step
                y[_P + 1] = max(y[_P + 1], 0.0)
                ly, gy, Hy = structural_loglik_derivatives(y, sd)
                if np.isfinite(ly) and ly >= ll:
                    moved = ly > ll
                    x, ll, g, H = y, ly, gy, Hy
                    break
                t *= 0.5
            if not moved:
                break
    K = len(x)
    names = list(PARAM_NAMES)
    info = -H
    try:
        np.linalg.cholesky(info)
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        cov = np.full((K, K), np.inf)
    se = np.sqrt(np.diag(cov))
    free = np.ones(K, bool)
    free[_P + 1] = x[_P + 1] > 0.0 or g[_P + 1] > 0.0
    step_se = np.inf
    if np.all(np.isfinite(cov)):
        try:
            st = np.linalg.solve(info[np.ix_(free, free)], g[free])
            step_se = float(np.max(np.abs(st) / se[free]))
        except np.linalg.LinAlgError:
            pass
    ok = bool(np.isfinite(ll) and step_se < 1e-2 and np.all(np.diag(cov) > 0))
    return MLEResults(_table(x, cov, names), ll, sd.n_opportunities, ok,
                      time.perf_counter() - t0, pd.DataFrame(cov, names, names),
                      "structural proposal-and-vote MLE",
                      {"design": sd, "optimizer": res, "newton_step_se": step_se})


def government_model(design: StructuralDesign, *, hierarchical: bool = False,
                     prior_scale: float = 2.0, likelihood: str = "graph") -> Any:
    r"""The pymc model of the structural likelihood.

    Priors: :math:`\theta_f \sim N(0, s)`, :math:`\alpha \sim N(0, s)`,
    :math:`\kappa \sim \text{HalfNormal}(s)` with :math:`s` = ``prior_scale``;
    hierarchical: :math:`\alpha_c = \mu_\alpha + \sigma_\alpha z_c`,
    :math:`z_c \sim N(0, 1)`, :math:`\mu_\alpha \sim N(0, s)`,
    :math:`\sigma_\alpha \sim \text{HalfNormal}(1)` (non-centred).

    Parameters
    ----------
    design : StructuralDesign
    hierarchical : bool
    prior_scale : float
    likelihood : {"graph", "jax"}
        How the potential :func:`structural_loglik` enters the model. ``"graph"``:
        written on the pytensor backend (any pymc sampler; its graph grows with the
        number of vote blocks, members and seat weights). ``"jax"``: one pytensor
        Op whose JAX implementation is the same function on the JAX backend
        (:func:`gametheory.formation.jax_backend`) and whose Python implementation
        is the numpy one; JAX differentiates it, so it serves samplers that run
        the model on JAX (nutpie's JAX backend, ``sampler="auto"`` with the
        ``fast`` extra); pymc's own NUTS needs ``"graph"``. Both are the one
        likelihood of :func:`fit_structural_mle`.

    Examples
    --------
    >>> from estimation.government import load_parlgov
    >>> data = load_parlgov()
    >>> sd = build_structural_design(data.subset(data.n_parties <= 3), max_exact=3)
    >>> m = government_model(sd, likelihood="jax")
    >>> ip = m.initial_point()
    >>> ll = m.compile_logp(vars=m.potentials)(ip)
    >>> bool(np.isclose(ll, structural_loglik(ip["theta"], ip["alpha"],
    ...                                       np.exp(ip["kappa_log__"]), sd)))
    True
    """
    import pymc as pm

    from gametheory.formation import pytensor_backend

    if likelihood not in ("graph", "jax"):
        raise InvalidArgumentError("likelihood", likelihood, "unknown likelihood",
                                   "Use 'graph' (any sampler) or 'jax' (samplers on JAX)")
    xp = pytensor_backend()
    coords = {"feature": list(PROPOSER_FEATURES), "country": list(design.countries)}
    with pm.Model(coords=coords) as model:
        theta = pm.Normal("theta", 0.0, prior_scale, dims="feature")
        kappa = pm.HalfNormal("kappa", prior_scale)
        if hierarchical:
            mu = pm.Normal("mu_alpha", 0.0, prior_scale)
            sigma = pm.HalfNormal("sigma_alpha", 1.0)
            z = pm.Normal("z_alpha", 0.0, 1.0, dims="country")
            alpha = pm.Deterministic("alpha", mu + sigma * z, dims="country")
        else:
            alpha = pm.Normal("alpha", 0.0, prior_scale)
        if likelihood == "jax":
            ll = _jax_loglik_op(design)(theta, alpha, kappa)
        else:
            ll = structural_loglik(theta, alpha, kappa, design, xp)
        pm.Potential("cabinets", ll)
    return model


def _jax_loglik_op(design: StructuralDesign) -> Any:
    """A pytensor Op computing :func:`structural_loglik` of ``design``: numpy in Python,
    the JAX backend when the graph is compiled to JAX (JAX differentiates it)."""
    def fn(args: Any, xp: ArrayBackend) -> Any:
        theta, alpha, kappa = args
        if xp.name == "numpy":
            kappa = float(kappa)
        return structural_loglik(theta, alpha, kappa, design, xp)

    return backend_loglik_op(fn, ("government", id(design)),
                             "Sample with nutpie on JAX (sampler='auto' with the fast extra), "
                             "or build the model with likelihood='graph'")


@dataclass
class StructuralFit:
    """A posterior sample of the structural model.

    Attributes
    ----------
    idata : arviz.InferenceData
    summary : DataFrame
        Posterior mean, sd, 94% interval, R-hat and ESS per parameter.
    design : StructuralDesign
    hierarchical : bool
    timing : dict
        Seconds to build, compile and sample.
    settings : dict
    """

    idata: Any
    summary: pd.DataFrame
    design: StructuralDesign
    hierarchical: bool
    timing: dict[str, float]
    settings: dict[str, Any]

    def draws(self, n: int | None = None, seed: int = 0) -> dict[str, np.ndarray]:
        """Posterior draws flattened over chains: ``theta`` (S, P), ``alpha`` (S,) or
        (S, countries), ``kappa`` (S,); ``n`` thins to that many (random) draws."""
        post = self.idata.posterior
        th = post["theta"].stack(s=("chain", "draw")).transpose("s", ...).to_numpy()
        al = post["alpha"].stack(s=("chain", "draw")).transpose("s", ...).to_numpy()
        ka = post["kappa"].stack(s=("chain", "draw")).to_numpy()
        if n is not None and n < len(ka):
            pick = np.random.default_rng(seed).choice(len(ka), n, replace=False)
            th, al, ka = th[pick], al[pick], ka[pick]
        return {"theta": th, "alpha": al, "kappa": ka}


def fit_structural(data: FormationData | StructuralDesign, *, hierarchical: bool = False,
                   sampler: str = "auto", chains: int = 2, draws: int = 500, tune: int = 500,
                   seed: int = 0, progressbar: bool = False, target_accept: float = 0.85,
                   **design_kwargs: Any) -> StructuralFit:
    """Sample the posterior of the structural model (pooled or hierarchical by country).

    ``sampler="auto"`` is nutpie on JAX when nutpie and jax are installed (pymc's
    NUTS otherwise), as :func:`estimation.fit`.
    ``design_kwargs`` go to :func:`build_structural_design` when ``data`` is
    :class:`~estimation.government.FormationData`.
    """
    import arviz as az

    from .fit import _choose_sampler, sample_model

    t0 = time.perf_counter()
    sd = data if isinstance(data, StructuralDesign) else build_structural_design(
        data, **design_kwargs)
    t1 = time.perf_counter()
    name, backend = _choose_sampler(sampler)
    model = government_model(sd, hierarchical=hierarchical,
                             likelihood="jax" if backend == "jax" else "graph")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        idata, timing = sample_model(model, name, backend, chains=chains, draws=draws,
                                     tune=tune, seed=seed, cores=min(chains, 2),
                                     progressbar=progressbar, target_accept=target_accept)
    var = ["theta", "kappa"] + (["mu_alpha", "sigma_alpha"] if hierarchical else ["alpha"])
    summ = az.summary(idata, var_names=var, hdi_prob=0.94)
    timing = {"design": t1 - t0, **timing}
    settings = {"hierarchical": hierarchical, "sampler": name, "backend": backend,
                "likelihood": "jax" if backend == "jax" else "graph", "chains": chains,
                "draws": draws, "tune": tune, "seed": seed, **sd.settings}
    return StructuralFit(idata, summ, sd, hierarchical, timing, settings)


def structural_topk(draws: dict[str, np.ndarray], data: FormationData, *,
                    countries: Sequence[str] | None = None, ks: Sequence[int] = (1, 5),
                    max_units: int = MAX_UNITS, chunk: int = 512) -> pd.DataFrame:
    r"""Posterior expected top-k accuracy: for each opportunity, the average over
    parameter draws of the probability that the formed cabinet is among the ``k``
    most probable of *all* :math:`2^n - 1` cabinets (ties broken at random).

    Exact and fast: since :math:`P_{\text{pass}} \le 1`, a cabinet whose
    formateur weight :math:`V(C)` is below the formed cabinet's log weight
    :math:`V(C^*) + \log P_{\text{pass}}(C^*)` cannot outrank it, so the vote's
    programme runs only for the minority cabinets above that bound (in
    decreasing :math:`V`, stopping once ``max(ks)`` cabinets are known to rank
    above).

    Parameters
    ----------
    draws : dict
        ``theta`` (S, P), ``alpha`` (S,) or (S, countries), ``kappa`` (S,)
        (e.g. :meth:`StructuralFit.draws`; one draw = a plug-in estimate).
    data : FormationData
    countries : sequence of str
        Country order of a per-country ``alpha`` (``fit.design.countries``).

    Returns
    -------
    DataFrame
        ``opportunity``, ``country``, ``top1``, ``top5``... (expectations over draws).
    """
    th = np.atleast_2d(np.asarray(draws["theta"], float))
    ka = np.atleast_1d(np.asarray(draws["kappa"], float))
    al = np.asarray(draws["alpha"], float)
    S = th.shape[0]
    al = al.reshape(S, -1) if al.ndim else np.full((S, 1), float(al))
    if al.shape[1] > 1:
        look = {c: i for i, c in enumerate(countries or [])}
        cidx = data.opportunities["country"].map(look).to_numpy()
        if np.any(pd.isna(cidx)):
            raise InvalidArgumentError("countries", countries, "does not cover the data's "
                                       "countries", "Give the fit's design.countries")
    else:
        cidx = np.zeros(data.n_opportunities, dtype=int)
    kmax = max(ks)
    cols = [FEATURES.index(f) for f in PROPOSER_FEATURES]
    rows = []
    for i, (p, c) in enumerate(zip(data.parliaments, data.chosen, strict=True)):
        masks = p.all_cabinets()
        f = p.features(masks)
        z_all = f[:, cols]
        minority = f[:, FEATURES.index("minority")] == 1
        ci = int(c) - 1
        acc = np.zeros(len(ks))
        for s in range(S):
            a, k, t = al[s, int(cidx[i])], ka[s], th[s]
            v = z_all @ t

            args = (v, t, a, k, max_units, chunk)
            lc = float(_exact_log_weight(p, masks, minority, np.array([ci]), *args)[0])
            tol = 1e-9 * (1.0 + abs(lc))
            cand = np.flatnonzero(v >= lc - 2 * tol)
            cand = cand[cand != ci]
            maj = cand[~minority[cand]]
            above = int(np.sum(v[maj] > lc + tol))
            tied = 1 + int(np.sum(np.abs(v[maj] - lc) <= tol))
            mn = cand[minority[cand]]
            mn = mn[np.argsort(-v[mn], kind="stable")]
            for lo in range(0, len(mn), chunk):
                if above >= kmax:
                    break
                part = np.sort(mn[lo:lo + chunk])
                w = _exact_log_weight(p, masks, minority, part, *args)
                above += int(np.sum(w > lc + tol))
                tied += int(np.sum(np.abs(w - lc) <= tol))
            acc += [min(1.0, max(0.0, (kk - above) / tied)) for kk in ks]
        rows.append(acc / S)
    out = pd.DataFrame(rows, columns=[f"top{k}" for k in ks])
    out.insert(0, "country", data.opportunities["country"].to_numpy())
    out.insert(0, "opportunity", data.opportunities["opportunity"].to_numpy())
    return out


def _exact_log_weight(p: Parliament, masks: np.ndarray, minority: np.ndarray, sel: np.ndarray,
                      v: np.ndarray, theta: np.ndarray, alpha: float, kappa: float,
                      max_units: int, chunk: int) -> np.ndarray:
    """Log weights of the cabinets ``masks[sel]`` (``sel`` ascending): ``v`` for majority
    cabinets, ``v + log P_pass`` (the vote's programme) for minority ones."""
    out = v[sel].copy()
    mn = sel[minority[sel]]
    for lo in range(0, len(mn), chunk):
        part = mn[lo:lo + chunk]
        d = CabinetDesign.build([p], [masks[part]], max_units=max_units)
        out[np.searchsorted(sel, part)] = log_weight(theta, alpha, kappa, d)[0, d.order[0]]
    return out


def structural_score(theta: np.ndarray, alpha: np.ndarray | float, kappa: np.ndarray | float,
                     data: FormationData, *, countries: Sequence[str] | None = None,
                     max_units: int = MAX_UNITS, chunk: int = 4096
                     ) -> Callable[[int, Parliament, np.ndarray], np.ndarray]:
    """Score function for :func:`estimation.government.predictive_accuracy`.

    With one parameter vector, scores are :math:`\\log P(C)` of every potential
    cabinet; with posterior draws (``theta`` (S, P), ``alpha`` (S,) or
    (S, countries), ``kappa`` (S,)), the log of the posterior mean probability
    :math:`\\log \\frac1S \\sum_s P(C \\mid \\theta_s)` (the posterior predictive).
    Every cabinet's pass probability is computed (chunks of ``chunk`` cabinets),
    so very large parliaments take seconds each.
    """
    th = np.atleast_2d(np.asarray(theta, float))
    ka = np.atleast_1d(np.asarray(kappa, float))
    al = np.asarray(alpha, float)
    S = th.shape[0]
    al = al.reshape(S, -1) if al.ndim else np.full((S, 1), float(al))
    cidx = None
    if al.shape[1] > 1:
        look = {c: i for i, c in enumerate(countries or [])}
        cidx = data.opportunities["country"].map(look).to_numpy()
        if np.any(pd.isna(cidx)):
            raise InvalidArgumentError("countries", countries, "does not cover the data's "
                                       "countries", "Give the fit's design.countries")

    def score(i: int, p: Parliament, masks: np.ndarray) -> np.ndarray:
        a = al[:, int(cidx[i])] if cidx is not None else al[:, 0]
        parts = []
        for lo in range(0, len(masks), chunk):
            cab = masks[lo:lo + chunk]
            d = CabinetDesign.build([p], [cab], chosen=[int(cab[0])], max_units=max_units)
            w = log_weight(th, a[:, None], ka, d)[:, 0, :]                   # (S, slots)
            parts.append(w[:, d.order[0]])
        u = np.concatenate(parts, axis=1)                                # (S, M)
        m = u.max(axis=1, keepdims=True)
        lp = u - (m + np.log(np.exp(u - m).sum(axis=1, keepdims=True)))
        mm = lp.max(axis=0)
        return mm + np.log(np.exp(lp - mm).mean(axis=0))

    return score
