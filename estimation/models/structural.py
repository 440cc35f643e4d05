r"""The structural model: the proposal-and-vote likelihood over all regions, vectorised.

For region :math:`g` with feasible configurations :math:`c \in C_g`, observed
configuration :math:`c_g` (and votes :math:`v_g` on it, when observed),
appointment situations :math:`s` and observed concession roles :math:`n_{gkj}`
(kind :math:`k`, member :math:`j` of the chosen configuration's committee),

.. math::

    \log p(y \mid \psi) = \sum_g \big[\log P(c_g) + \log P(v_g \mid c_g)\big]
    + \sum_s \Big[w\cdot z_{s d_s} - \log\sum_{d \in D_s} e^{w\cdot z_{sd}}\Big]
    + \sum_{g,k} \log\text{Multinomial}(n_{gk\cdot} \mid N_{gk}, p_{gk\cdot}(\omega,
    \phi, \delta_p)),

with :math:`P(c) \propto e^{\lambda\theta\cdot x(c)} P_{\text{pass}}(c)` (exact
weighted Poisson-binomial pass probabilities of the management group's
stochastic votes), :math:`w = (\alpha, \mu, \eta)` and :math:`p_{gk\cdot}` the
committee's bargaining equilibrium (:func:`spec.concession_probabilities
<gametheory.restratification.spec.concession_probabilities>`). Every quantity is computed
by :mod:`gametheory.restratification.spec` on the pytensor backend: the very
functions that ``restrat run``, :func:`estimation.simulate`, the MLE and
:meth:`~estimation.FitResults.predict` run on numpy. Index and mask arrays are
numpy constants and every shape is static, so the graph compiles to C, numba and
JAX alike. For samplers that run the model on JAX (nutpie's JAX backend) the
likelihood can instead enter as one Op (``likelihood="jax"``, :func:`loglik_op`):
the same :func:`spec.log_likelihood
<gametheory.restratification.spec.log_likelihood>` traced by JAX directly, which
compiles in seconds and differentiates much faster than the graph translated op by
op; :func:`estimation.fit` chooses it for nutpie on JAX. There the configuration term
(:func:`gametheory.formation.formation_log_likelihood`), the appointment logit and the
committee's concessions each run as one compiled loop with its exact gradient
(numba, comes with pytensor), tested equal to the graph.

Free parameters (the estimands of :data:`gametheory.restratification.spec.ESTIMANDS`):
``lam_theta`` (:math:`\lambda\theta`, dims ``config_feature``; only the product is
identified), ``kappa``, ``delta``, ``rho``, ``support``,
``stake_commissioners``, ``stake_ambulance`` (the vote; utility in hundreds of
cases a year), ``alpha`` (dims ``capital``), ``mu``, ``eta``, and the bargaining
parameters ``harm_weight``, ``proposer_advantage`` and ``patience`` (held at
:data:`~gametheory.restratification.spec.DEFAULT_FIXED` unless ``fixed`` frees it).
``veto=False`` fixes :math:`\delta = 0`: the nested model without the bloc's veto.

The hierarchical variant adds non-centred group effects (groups = network
types, or regions): :math:`(\lambda\theta)_j = \lambda\theta + \sigma z_j`,
:math:`\alpha_j = \alpha + \sigma_\alpha z^\alpha_j`,
:math:`\phi_j = \phi + \sigma_\phi z^\phi_j`, :math:`z \sim N(0, 1)`.

References
----------
Baron, D. P. and Ferejohn, J. A. (1989). Bargaining in legislatures. *APSR*
83(4), 1181-1206. McFadden, D. (1974). Conditional logit analysis of qualitative
choice behavior. In *Frontiers in Econometrics*, 105-142. Papaspiliopoulos, O.,
Roberts, G. O., Skold, M. (2007). A general framework for the parametrization
of hierarchical models. *Statistical Science* 22(1), 59-73.

Examples
--------
>>> from estimation import simulate
>>> from estimation.models import structural_model
>>> m = structural_model(simulate(n_regions=4, seed=0))
>>> sorted(v.name for v in m.free_RVs)[:4]
['alpha', 'delta', 'eta', 'harm_weight']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from gametheory.errors import InvalidTypeError
from gametheory.formation import pytensor_backend
from gametheory.restratification import spec
from gametheory.restratification.concessions import (
    ROLE_KINDS,
    chosen_committee,
    observed_cells_log_likelihood,
)

from .._jaxop import backend_loglik_op
from ..data import AllocationData, StructuralArrays
from ..errors import EstimationError
from .priors import resolve_priors

__all__ = ["structural_model", "hierarchical_model", "categorical_logp", "fixed_estimands",
           "categorical_random", "as_arrays", "population_parameters", "MASKED_LOGIT",
           "IMPUTED", "imputation_index", "imputed_design", "filled_design", "loglik_op",
           "LIKELIHOODS"]

#: logit of padded alternatives in the reduced-form models
MASKED_LOGIT = -np.inf


def as_arrays(data: AllocationData | StructuralArrays) -> StructuralArrays:
    if isinstance(data, StructuralArrays):
        return data
    if isinstance(data, AllocationData):
        return data.arrays()
    raise InvalidTypeError("data", type(data).__name__, "not AllocationData",
                           "Give an AllocationData (estimation.AllocationData or simulate())")


def categorical_logp(n_alt: int) -> Any:
    """logp of a chosen slot under row-wise log-probabilities or logits (static width)."""
    xp = pytensor_backend()
    slots = np.arange(n_alt)

    def logp(value: Any, logits: Any, *extra: Any) -> Any:
        onehot = xp.equal(xp.asarray(value)[..., None], slots)
        picked = xp.sum(xp.where(onehot, logits, 0.0), axis=-1)
        out = picked - xp.logsumexp(logits, axis=-1)
        for e in extra:
            out = out + e
        return out

    return logp


def categorical_random(logits: np.ndarray, *extra: Any, rng: np.random.Generator | None = None,
                       size: tuple[int, ...] | None = None) -> np.ndarray:
    """Gumbel-max draws of the chosen slot (for prior and posterior predictive checks)."""
    rng = rng or np.random.default_rng()
    logits = np.asarray(logits)
    if size is not None and tuple(size) != logits.shape[:-1]:
        logits = np.broadcast_to(logits, (*tuple(size), logits.shape[-1]))
    return np.argmax(logits + rng.gumbel(size=logits.shape), axis=-1)


def _coords(a: StructuralArrays) -> dict[str, Any]:
    return {"config_feature": list(spec.CONFIG_FEATURES), "capital": list(spec.CAPITAL),
            "region": list(a.region_names), "director_role": list(spec.DIRECTOR_ROLES),
            "organisation_slot": np.arange(a.design.org_mask.shape[1]),
            "member_slot": np.arange(a.design.bodies.n_members),
            "role_kind": list(ROLE_KINDS)}


def fixed_estimands(fixed: Mapping[str, float | None] | None = None, veto: bool = True
                    ) -> dict[str, float]:
    """Scalar estimands held fixed: :data:`~gametheory.restratification.spec.DEFAULT_FIXED`
    updated with *fixed* (a value ``None`` frees a parameter: ``{"patience": None}``),
    and ``delta = 0`` without the veto."""
    merged = {**spec.DEFAULT_FIXED, **dict(fixed or {})}
    out = {k: float(v) for k, v in merged.items() if v is not None}
    scalars = [n for n, lab in spec.ESTIMANDS.items() if not lab]
    bad = sorted(set(out) - set(scalars))
    if bad:
        raise EstimationError("fixed", bad, "not scalar estimands", f"Fix any of {scalars}")
    if not veto:
        out["delta"] = 0.0
    return out


def population_parameters(pr: Mapping[str, Any], veto: bool = True,
                          fixed: Mapping[str, float] | None = None) -> dict[str, Any]:
    """Build the structural parameters' priors in the current pymc model.

    Returns the estimands by name (constants where held fixed: ``delta = 0`` when
    ``veto`` is false, and :func:`fixed_estimands`); shared by every structural
    variant so that they name and shape them alike.
    """
    import pytensor.tensor as pt

    held = fixed_estimands(fixed, veto)
    out: dict[str, Any] = {}
    for name, labels in spec.ESTIMANDS.items():
        if name in held:
            out[name] = pt.constant(held[name])
            continue
        dims = {"lam_theta": "config_feature", "alpha": "capital"}.get(name)
        out[name] = pr[name].build(name, dims=dims) if labels else pr[name].build(name)
    return out


def _region_axis(par: Mapping[str, Any]) -> dict[str, Any]:
    """Give every parameter the spec's region axis (size 1)."""
    return {k: v[None, ...] for k, v in par.items()}


#: names of the model's data containers (the observations, swappable between fits)
OBSERVED_DATA = ("cfg_chosen", "votes", "vote_mask", "director", "director_mask",
                 "concessions", "concession_mask")


def observed_data(obs: spec.Observations) -> dict[str, np.ndarray]:
    """The values of the model's observation containers (``pm.Data``) for *obs*."""
    return {f"obs_{k}": np.asarray(v, dtype=np.int64 if k in ("cfg_chosen", "director")
                                   else float)
            for k, v in obs.as_dict().items()}


def _masked_categorical_logp(n_alt: int) -> Any:
    base = categorical_logp(n_alt)
    xp = pytensor_backend()

    def logp(value: Any, logits: Any, mask: Any) -> Any:
        return xp.where(mask > 0.5, base(value, logits), 0.0)

    return logp


def _package_logp(value: Any, p: Any, pool: Any, mask: Any) -> Any:
    """Multinomial logp of one region's counts (K, O) given the committee's role
    probabilities (K, M), pool (K) and which cells are observed and on the committee
    (K, O) (:func:`~gametheory.restratification.concessions.observed_cells_log_likelihood`)."""
    return observed_cells_log_likelihood(p, pool, value, mask > 0.5, pytensor_backend())


def _package_random(p: np.ndarray, pool: np.ndarray, mask: np.ndarray,
                    rng: np.random.Generator | None = None,
                    size: tuple[int, ...] | None = None) -> np.ndarray:
    """Counts (..., K, O) drawn from the committee's equilibrium (observed cells only)."""
    from gametheory.restratification.concessions import draw_packages

    rng = rng or np.random.default_rng()
    p, pool, mask = np.asarray(p), np.asarray(pool), np.asarray(mask)
    if size is not None and tuple(size) != p.shape[:-2]:
        p = np.broadcast_to(p, (*tuple(size), *p.shape[-2:]))
    pool = np.broadcast_to(pool, p.shape[:-1])
    out = draw_packages(rng, p, np.round(pool).astype(np.int64))[..., 1:]
    return np.where(np.broadcast_to(mask > 0.5, out.shape), out, 0).astype(float)


def _likelihood(a: StructuralArrays, par: Mapping[str, Any]) -> None:
    """Add the observed components in the current model.

    ``par`` gives every parameter a region axis (size 1, or G for group effects).
    The observations are ``pm.Data`` containers (:data:`OBSERVED_DATA`), so a
    compiled model can take another data set of the same design.
    """
    import pymc as pm

    xp = pytensor_backend()
    d = imputed_design(a.design)
    vals = observed_data(a.obs)
    data = {k[4:]: pm.Data(k, v) for k, v in vals.items()}
    obs = spec.Observations(**data, votes_observed=a.obs.has_votes)
    G, C = d.cfg_mask.shape
    lp = spec.log_pass(par, d, xp)
    lc = spec.config_log_probability(par, d, xp, lp)
    extra: tuple[Any, ...] = ()
    signature = "(c)->()"
    if a.obs.has_votes:
        extra = (spec.vote_log_probability(par, d, obs, xp, lp),)
        signature = "(c),()->()"
    pm.CustomDist("configuration", lc, *extra, logp=categorical_logp(C),
                  random=categorical_random, signature=signature, dtype="int64",
                  observed=data["cfg_chosen"], dims="region")
    if np.asarray(a.obs.director_mask).any():
        la = spec.director_logits(par, d, data["cfg_chosen"], xp)
        pm.CustomDist("appointment", la, data["director_mask"],
                      logp=_masked_categorical_logp(d.cand_mask.shape[2]),
                      random=categorical_random, signature="(d),()->()", dtype="int64",
                      observed=data["director"], dims=("region", "director_role"))
    if np.asarray(a.obs.concession_mask).any():
        # only the observed configuration's committee is solved (not every configuration's)
        cc = chosen_committee(d.committee, data["cfg_chosen"], xp,
                              par={k: par[k] for k in spec.BARGAINING})
        on = xp.logical_and(data["concession_mask"] > 0.5, cc["member"][:, None, 1:])
        pm.CustomDist("concessions", cc["p"], cc["pool"], xp.where(on, 1.0, 0.0),
                      logp=_package_logp, random=_package_random,
                      signature="(k,m),(k),(k,o)->(k,o)", observed=data["concessions"],
                      dims=("region", "role_kind", "organisation_slot"))


#: how the likelihood enters the model (see :func:`structural_model`)
LIKELIHOODS = ("graph", "jax")


def _check_likelihood(likelihood: str) -> str:
    if likelihood not in LIKELIHOODS:
        raise EstimationError("likelihood", likelihood, "unknown likelihood",
                              "Use 'graph' (any sampler) or 'jax' (samplers on JAX: "
                              "nutpie's JAX backend)")
    return likelihood


def _likelihood_op(a: StructuralArrays, par: Mapping[str, Any]) -> None:
    """Add the log-likelihood as one Op (:func:`loglik_op`) in the current model: a
    ``pm.Potential`` named ``loglik``.

    Missing covariates are latent variables of the model (:func:`imputed_design`) and
    enter the Op as inputs (the covariate arrays with the latents set in them), so
    imputation is covered too.
    """
    import pymc as pm

    d = imputed_design(a.design)
    extra = {f: getattr(d, f) for f in ("cfg_x", "cand_z")
             if not isinstance(getattr(d, f), np.ndarray)}
    op = loglik_op(a.design, a.obs, tuple(extra))
    pm.Potential("loglik", op(*[par[k] for k in spec.ESTIMANDS], *extra.values()))


def loglik_op(design: spec.Design, obs: spec.Observations,
              inputs: tuple[str, ...] = ()) -> Any:
    r"""The structural log-likelihood as one pytensor Op (a scalar).

    Its inputs are the estimands of :data:`gametheory.restratification.spec.ESTIMANDS`,
    in that order, each with the spec's region axis (size 1, or G for group effects),
    then the design arrays named in *inputs* (``cfg_x``, ``cand_z``: covariates with
    imputed entries). Its value is the sum over regions of
    :func:`spec.log_likelihood <gametheory.restratification.spec.log_likelihood>`
    (configuration with the votes, appointments, concessions) of *design* and *obs*:
    computed by the numpy backend in Python, and by the JAX backend
    (:func:`gametheory.formation.jax_backend`) when the graph is compiled to JAX, where
    JAX differentiates it. Everything that does not depend on the parameters (the
    observations, the chosen committees and candidates, the multinomial coefficients)
    is a numpy constant of the compiled function.

    The Op has no pytensor gradient: samplers that differentiate the pytensor graph
    (pymc's NUTS) need ``likelihood="graph"``.

    Examples
    --------
    >>> import numpy as np
    >>> from estimation import simulate
    >>> from gametheory.restratification import ModelParameters, spec
    >>> a = simulate(n_regions=3, seed=0).arrays()
    >>> par = spec.parameters(ModelParameters())
    >>> op = loglik_op(a.design, a.obs)
    >>> v = op(*[par[k] for k in spec.ESTIMANDS]).eval()
    >>> ref = sum(float(np.sum(x)) for x in spec.log_likelihood(par, a.design,
    ...                                                         a.obs).values())
    >>> bool(np.isclose(v, ref, rtol=1e-12))
    True
    """
    bad = sorted(set(inputs) - {"cfg_x", "cand_z"})
    if bad:
        raise EstimationError("inputs", bad, "not design arrays the Op takes",
                              "Give any of 'cfg_x', 'cand_z'")
    inputs = tuple(inputs)

    def fn(args: Any, xp: Any) -> Any:
        return _op_loglik(args, design, obs, inputs, xp)

    return backend_loglik_op(fn, ("restratification", id(design), id(obs), inputs),
                             "Sample with nutpie on JAX (sampler='auto' or 'nutpie-jax' with "
                             "the fast extra), or build the model with likelihood='graph'")


def _op_loglik(args: Any, design: spec.Design, obs: spec.Observations,
               inputs: tuple[str, ...], xp: Any) -> Any:
    from dataclasses import replace

    names = tuple(spec.ESTIMANDS)
    par = dict(zip(names, args[:len(names)], strict=True))
    if inputs:
        design = replace(design, **dict(zip(inputs, args[len(names):], strict=True)))
    ll = spec.log_likelihood(par, design, obs, xp)
    total: Any = 0.0
    for part in ("configuration", "appointment", "concessions"):
        total = total + xp.sum(ll[part])
    return total


# ------------------------------------------------------------ missing covariates
#: names of the latent variables that impute missing covariates
IMPUTED = ("impute_config", "impute_capital")


def imputation_index(design: spec.Design) -> dict[str, Any]:
    r"""Where the design's covariates are missing, and one latent value per missing datum.

    A bidder's missing covariate (one value per organisation and feature, shared by
    every configuration it is part of) and a candidate's missing capital. Returns
    ``config`` and ``capital``: each ``(positions, keys, mu, sigma)`` with the
    positions (index tuples into ``cfg_x`` / ``cand_z``), the latent entry of each
    position, and the prior's mean and standard deviation of each latent (the
    observed values of that column: bidders' values over organisations, candidates'
    over doctors; standard deviation 1 when fewer than two are observed).
    """
    out: dict[str, Any] = {}
    G, C, F = design.cfg_x.shape
    holder = np.stack([design.cfg_host if spec.CONFIG_SOURCES[f][0] == "host"
                       else design.cfg_centre for f in spec.CONFIG_FEATURES], axis=-1)
    live = np.broadcast_to(design.cfg_mask[..., None], (G, C, F))
    gg, cc, ff = np.nonzero(live)
    org_key = np.stack([gg, holder[gg, cc, ff], ff], axis=1)
    vals = design.cfg_x[gg, cc, ff]
    miss = ~np.isfinite(vals)
    out["config"] = _index((gg[miss], cc[miss], ff[miss]), org_key[miss], org_key[~miss],
                           vals[~miss], ff, F)
    k = len(spec.CAPITAL)
    cand = np.broadcast_to(design.cand_mask[..., None], design.cand_mask.shape + (k,))
    g2, o2, d2, a2 = np.nonzero(cand)
    z = design.cand_z[g2, o2, d2, a2]
    m2 = ~np.isfinite(z)
    key2 = np.stack([g2, o2, d2, a2], axis=1)
    out["capital"] = _index((g2[m2], o2[m2], d2[m2], a2[m2]), key2[m2], key2[~m2], z[~m2],
                            a2, k)
    return out


def _index(positions: tuple[np.ndarray, ...], miss_keys: np.ndarray, obs_keys: np.ndarray,
           obs_vals: np.ndarray, col: np.ndarray, n_cols: int) -> tuple[Any, ...]:
    if not len(miss_keys):
        return positions, np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    uniq, keys = np.unique(miss_keys, axis=0, return_inverse=True)
    # observed values of each column, one per organisation (or doctor)
    _, first = np.unique(obs_keys, axis=0, return_index=True)
    oc, ov = obs_keys[first, -1], obs_vals[first]
    mu = np.zeros(n_cols)
    sd = np.ones(n_cols)
    for j in range(n_cols):
        v = ov[oc == j]
        if len(v):
            mu[j] = float(v.mean())
        if len(v) > 1 and float(v.std(ddof=1)) > 0:
            sd[j] = float(v.std(ddof=1))
    c = uniq[:, -1]
    return positions, keys.reshape(-1), mu[c], sd[c]


def imputed_design(design: spec.Design) -> spec.Design:
    """The design with every missing covariate replaced by a latent variable of the
    current pymc model (non-negative normal around the column's observed mean).

    Without missing covariates the design itself. The latent values are named
    :data:`IMPUTED` (``impute_config`` for bidders' covariates, ``impute_capital``
    for candidates' capital).
    """
    from dataclasses import replace

    import pymc as pm
    import pytensor.tensor as pt

    idx = imputation_index(design)
    new: dict[str, Any] = {}
    for (name, field), what in zip((("config", "cfg_x"), ("capital", "cand_z")), IMPUTED,
                                   strict=True):
        pos, keys, mu, sd = idx[name]
        if not len(keys):
            continue
        latent = pm.TruncatedNormal(what, mu=mu, sigma=sd, lower=0.0, shape=len(mu))
        base = np.nan_to_num(getattr(design, field), nan=0.0)
        new[field] = pt.set_subtensor(pt.as_tensor_variable(base)[pos], latent[keys])
    return replace(design, **new) if new else design


def filled_design(design: spec.Design, values: Mapping[str, np.ndarray]) -> spec.Design:
    """The design with the missing covariates set to *values* (``IMPUTED`` name -> latent
    values, e.g. posterior means): numpy again, for predictions and checks."""
    from dataclasses import replace

    idx = imputation_index(design)
    new = {}
    for (name, field), what in zip((("config", "cfg_x"), ("capital", "cand_z")), IMPUTED,
                                   strict=True):
        pos, keys, _, _ = idx[name]
        if len(keys):
            arr = np.array(getattr(design, field), dtype=float)
            arr[pos] = np.asarray(values[what], float)[keys]
            new[field] = arr
    return replace(design, **new) if new else design


def structural_model(data: AllocationData | StructuralArrays,
                     priors: Mapping[str, Any] | None = None, *, veto: bool = True,
                     fixed: Mapping[str, float] | None = None,
                     likelihood: str = "graph") -> Any:
    """The pooled structural model (see the module docstring).

    Parameters
    ----------
    data : AllocationData or StructuralArrays
    priors : mapping, optional
        Overrides of :data:`~estimation.models.priors.DEFAULT_PRIORS`.
    veto : bool
        False fixes the bloc's aversion ``delta`` at 0 (the nested no-veto model).
    fixed : mapping, optional
        Scalar estimands held at given values (default
        :data:`~gametheory.restratification.spec.DEFAULT_FIXED`, the patience;
        ``{"patience": None}`` estimates it too).
    likelihood : {"graph", "jax"}
        How the likelihood enters the model. ``"graph"`` (the default): observed
        variables ``configuration`` (with the votes, when observed),
        ``appointment`` and ``concessions`` written on the pytensor backend, for
        any sampler, with ``pm.Data`` observations (swappable between fits), pointwise
        log-likelihoods and posterior predictive draws. ``"jax"``: one Op
        (:func:`loglik_op`, a ``pm.Potential`` named ``loglik``) whose JAX
        implementation is :func:`spec.log_likelihood
        <gametheory.restratification.spec.log_likelihood>` on the JAX backend, the
        observations its constants; JAX compiles and differentiates it in seconds
        where the graph, translated op by op, takes minutes, so it serves samplers
        that run the model on JAX (:func:`estimation.fit` picks it for nutpie on JAX).
        It has no observed variables: :class:`~estimation.FitResults` computes
        pointwise log-likelihoods and predictive draws on the ``"graph"`` model of the
        same data and priors. Missing covariates are imputed in both.

    Returns
    -------
    pymc.Model
        Free parameters named as :data:`gametheory.restratification.spec.ESTIMANDS`;
        observed ``configuration`` (with the votes, when observed), ``appointment``,
        ``concessions`` (``"graph"``) or the potential ``loglik`` (``"jax"``).
    """
    import pymc as pm

    a = as_arrays(data)
    pr = resolve_priors(priors)
    add = _likelihood_op if _check_likelihood(likelihood) == "jax" else _likelihood
    with pm.Model(coords=_coords(a)) as model:
        add(a, _region_axis(population_parameters(pr, veto, fixed)))
    return model


def hierarchical_model(data: AllocationData | StructuralArrays,
                       priors: Mapping[str, Any] | None = None, *,
                       group: str = "network", veto: bool = True,
                       fixed: Mapping[str, float] | None = None,
                       likelihood: str = "graph") -> Any:
    """Structural model with non-centred group effects on lam_theta, alpha and
    proposer_advantage.

    Every region's parameters are the population values plus its group's deviation.

    Parameters
    ----------
    data : AllocationData or StructuralArrays
    priors : mapping, optional
    group : {"network", "region"}
        Groups are the regions' network types (``regions.network``) or the
        regions themselves.
    veto : bool
        False fixes ``delta`` at 0.
    fixed : mapping, optional
        As in :func:`structural_model`.
    likelihood : {"graph", "jax"}
        As in :func:`structural_model` (the Op takes every region's parameters).

    Returns
    -------
    pymc.Model
        The structural parameters (population means) plus ``sigma_lam_theta``,
        ``sigma_alpha``, ``sigma_proposer_advantage``, standard-normal ``z_*`` and
        the deterministic group deviations ``lam_theta_dev`` (group,
        config_feature), ``alpha_dev`` (group, capital), ``proposer_advantage_dev``
        (group).
    """
    import pymc as pm

    a = as_arrays(data)
    pr = resolve_priors(priors)
    add = _likelihood_op if _check_likelihood(likelihood) == "jax" else _likelihood
    if group == "network":
        levels, gi = list(a.group_names), a.group_idx
    elif group == "region":
        levels, gi = list(a.region_names), np.arange(a.n_regions)
    else:
        raise EstimationError("group", group, "unknown grouping", "Use 'network' or 'region'")
    coords = _coords(a)
    coords["group"] = levels
    with pm.Model(coords=coords) as model:
        pop = population_parameters(pr, veto, fixed)
        par = _region_axis(pop)
        for eff, dim in (("lam_theta", "config_feature"), ("alpha", "capital"),
                         ("proposer_advantage", None)):
            s = pr[f"sigma_{eff}"].build(f"sigma_{eff}")
            dims = ("group", dim) if dim else "group"
            z = pm.Normal(f"z_{eff}", 0.0, 1.0, dims=dims)
            dev = pm.Deterministic(f"{eff}_dev", s * z, dims=dims)
            par[eff] = par[eff] + dev[gi]                       # (G, ...) per region
        add(a, par)
    return model
