r"""Observed allocations simulated from the restratification model.

:func:`simulate` draws regions (by default from
:func:`gametheory.restratification.scenarios.random_region`) and, for given
:class:`~gametheory.restratification.ModelParameters`, draws

1. the configuration :math:`c` with
   :math:`P(c) \propto \exp\{\lambda(\theta\cdot x(c) - \beta\,\pi\,k(c))\}`
   over all (host bidder, centre bidder) pairs;
2. the network director among the host's candidate doctors and the centre
   director among the centre's, each by a conditional logit with utility
   :math:`\alpha\cdot\text{capital} + \mu\,\text{multiplex} + \eta\,\text{endorsed}`
   (opinion leaders are not candidates);
3. for each hospital with loss :math:`L_i > 0` under the drawn configuration
   (:func:`~gametheory.restratification.model.designations_and_losses`), a
   count of concession roles :math:`\sim\text{Poisson}(\exp(\gamma_0 + \gamma L_i))`.

The regions are first compiled into a :class:`RegionBank` (covariates of
every feasible configuration, candidates of every organisation, every
hospital's loss under every possible centre), after which drawing outcomes
is vectorised numpy; the same bank serves recovery studies, simulation-based
calibration, posterior predictive checks and predictions.

Identification
--------------
Only :math:`\lambda\theta` and :math:`\lambda\beta` are identified. The
estimands use the host track-record weight as numeraire,
:math:`\theta_0 \equiv 1`: :func:`normalised_truth` reports
:math:`\lambda\theta_0`, :math:`\theta_k/\theta_0` and :math:`\beta/\theta_0`.

Examples
--------
>>> from estimation import simulate
>>> data = simulate(n_regions=5, seed=1)
>>> data.n_regions, sorted(data.truth)[:3]
(5, ['alpha[cultural]', 'alpha[social]', 'alpha[symbolic]'])
>>> simulate(n_regions=5, seed=1).allocations.equals(data.allocations)
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from gametheory.restratification import ModelParameters, Region
from gametheory.restratification.actors import roles_by_name
from gametheory.restratification.model import (
    ALPHA_NAMES,
    THETA_NAMES,
    _concentration,
    _features,
    bloc_power,
    configurations,
    designations_and_losses,
)

from .data import FRAMES, SCHEMA, AllocationData
from .errors import EstimationError

__all__ = ["simulate", "RegionBank", "normalised_truth", "params_from_estimands",
           "THETA_FREE", "GROUP_EFFECTS"]

#: the thetas estimated freely (host_track_record is the numeraire, fixed at 1)
THETA_FREE = THETA_NAMES[1:]
#: parameters that get group-level (network-type or region) effects in the hierarchical model
GROUP_EFFECTS = ("theta", "alpha", "gamma0")


def _as_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and not isinstance(seed, int | np.integer):
        raise EstimationError("seed", seed, "not an integer or numpy Generator",
                              "Give seed=an int or np.random.default_rng(...)")
    return np.random.default_rng(seed)


def _as_params(params: ModelParameters | Mapping[str, Any] | None) -> ModelParameters:
    if params is None:
        return ModelParameters()
    if isinstance(params, ModelParameters):
        return params
    if isinstance(params, Mapping):
        return ModelParameters.from_dict(dict(params))
    raise EstimationError("params", params, "not ModelParameters or a mapping",
                          "Give ModelParameters(...) or a dict such as {'beta': 1.5}")


def normalised_truth(params: ModelParameters | Mapping[str, Any]) -> dict[str, float]:
    r"""The estimands of the structural model at *params*, in its normalisation.

    :math:`\lambda^* = \lambda\theta_0`, :math:`\theta^*_k = \theta_k/\theta_0`
    (k = 1..3), :math:`\beta^* = \beta/\theta_0`; appointment and concession
    parameters as given. Keys follow arviz's labels (``theta[centre_super]``).

    Examples
    --------
    >>> t = normalised_truth({"theta_host_track_record": 2.0, "lam": 1.0})
    >>> t["lam"], t["theta[centre_super]"], t["beta"]
    (2.0, 0.75, 1.0)
    """
    p = _as_params(params)
    t0 = p.theta[0]
    if not t0 > 0:
        raise EstimationError("params.theta", p.theta,
                              "the numeraire theta[host_track_record] must be > 0",
                              "Give a positive host track-record weight")
    out = {"lam": p.lam * t0}
    for name, v in zip(THETA_NAMES[1:], p.theta[1:], strict=True):
        out[f"theta[{name}]"] = v / t0
    out["beta"] = p.beta / t0
    for name, v in zip(ALPHA_NAMES, p.alpha, strict=True):
        out[f"alpha[{name}]"] = v
    out.update(mu=p.mu, eta=p.eta, gamma0=p.gamma0, gamma=p.gamma)
    return out


def params_from_estimands(est: Mapping[str, float], base: ModelParameters | None = None
                          ) -> ModelParameters:
    """Inverse of :func:`normalised_truth` (theta[host_track_record] = 1)."""
    b = base or ModelParameters()
    return replace(
        b, lam=float(est["lam"]), beta=float(est["beta"]),
        theta=(1.0, *(float(est[f"theta[{n}]"]) for n in THETA_FREE)),
        alpha=tuple(float(est[f"alpha[{n}]"]) for n in ALPHA_NAMES),
        mu=float(est["mu"]), eta=float(est["eta"]), gamma0=float(est["gamma0"]),
        gamma=float(est["gamma"]))


# ----------------------------------------------------------------- bank
@dataclass(frozen=True)
class RegionBank:
    r"""Regions compiled for vectorised simulation and prediction.

    Attributes
    ----------
    regions : tuple of Region
    names, networks : tuple of str
    cfg_x : (G, C, 4) float; cfg_k : (G, C) float; cfg_mask : (G, C) bool
    cfg_host, cfg_centre : (G, C) int
        Index of the host / centre organisation in the region's organisations.
    bloc_power : (G,) float
    cand_z : (G, O, D, 5) float; cand_mask : (G, O, D) bool
        Candidate doctors of every organisation.
    cand_names : (G, O, D) object
    loss : (G, O, O) float
        ``loss[g, m, i]``: loss of organisation i when m is the centre.
    org_mask : (G, O) bool; org_names : (G, O) object
    tier_concentration : float
    """

    regions: tuple[Region, ...]
    names: tuple[str, ...]
    networks: tuple[str, ...]
    cfg_x: np.ndarray
    cfg_k: np.ndarray
    cfg_mask: np.ndarray
    cfg_host: np.ndarray
    cfg_centre: np.ndarray
    bloc_power: np.ndarray
    cand_z: np.ndarray
    cand_mask: np.ndarray
    cand_names: np.ndarray
    loss: np.ndarray
    org_mask: np.ndarray
    org_names: np.ndarray
    tier_concentration: float
    power_index: str

    @classmethod
    def build(cls, regions: Sequence[Region], params: ModelParameters | None = None,
              names: Sequence[str] | None = None) -> RegionBank:
        """Compile *regions* (uses ``params.power_index`` and ``tier_concentration``)."""
        p = _as_params(params)
        regions = tuple(regions)
        if not regions:
            raise EstimationError("regions", regions, "no regions", "Give at least one region")
        names = tuple(names or [r.name for r in regions])
        if len(set(names)) != len(names):
            raise EstimationError("names", names, "region names are not distinct",
                                  "Give each region a distinct name")
        G = len(regions)
        cfgs = [configurations(r) for r in regions]
        C = max(len(c) for c in cfgs)
        O = max(len(r.organisations) for r in regions)
        D = max(max((sum(1 for d in r.doctors_of(o.name) if not d.opinion_leader)
                     for o in r.organisations), default=1) for r in regions)
        D = max(D, 1)
        cfg_x = np.zeros((G, C, 4))
        cfg_k = np.zeros((G, C))
        cfg_mask = np.zeros((G, C), dtype=bool)
        cfg_h = np.zeros((G, C), dtype=np.int64)
        cfg_m = np.zeros((G, C), dtype=np.int64)
        pi = np.zeros(G)
        cand_z = np.zeros((G, O, D, 5))
        cand_mask = np.zeros((G, O, D), dtype=bool)
        cand_names = np.full((G, O, D), "", dtype=object)
        loss = np.zeros((G, O, O))
        org_mask = np.zeros((G, O), dtype=bool)
        org_names = np.full((G, O), "", dtype=object)
        for g, (r, cs) in enumerate(zip(regions, cfgs, strict=True)):
            idx = {o.name: i for i, o in enumerate(r.organisations)}
            pi[g] = bloc_power(r, p)
            for j, c in enumerate(cs):
                cfg_x[g, j] = _features(r, c)
                cfg_k[g, j] = _concentration(r, c, p)
                cfg_mask[g, j] = True
                cfg_h[g, j], cfg_m[g, j] = idx[c[0]], idx[c[1]]
            for i, o in enumerate(r.organisations):
                org_mask[g, i] = True
                org_names[g, i] = o.name
                cands = [d for d in r.doctors_of(o.name) if not d.opinion_leader]
                for k, d in enumerate(cands):
                    cand_z[g, i, k] = (*d.capital, float(d.multiplex), float(d.endorsed))
                    cand_mask[g, i, k] = True
                    cand_names[g, i, k] = d.name
            for m in set(r.bidders("centre")):
                des = designations_and_losses(r, (r.bidders("host")[0], m))
                loss[g, idx[m], :len(r.organisations)] = des["loss"].to_numpy()
        return cls(regions, names, tuple(r.roles.network for r in regions), cfg_x, cfg_k,
                   cfg_mask, cfg_h, cfg_m, pi, cand_z, cand_mask, cand_names, loss, org_mask,
                   org_names, p.tier_concentration, p.power_index)

    @property
    def n_regions(self) -> int:
        return len(self.regions)

    # ------------------------------------------------------------- draws
    def config_logits(self, lam: np.ndarray, theta: np.ndarray, beta: np.ndarray
                      ) -> np.ndarray:
        r""":math:`\lambda(\theta\cdot x(c) - \beta\pi k(c))`, ``-inf`` on padding.

        Parameters broadcast over leading draw axes: ``lam``/``beta`` (..., G) or
        (...,), ``theta`` (..., G, 4) or (..., 4). Returns (..., G, C).
        """
        lam, beta = np.asarray(lam, float), np.asarray(beta, float)
        theta = np.asarray(theta, float)
        if theta.ndim == 1 or theta.shape[-2:] != (self.n_regions, 4):
            theta = theta[..., None, :]
        if lam.ndim == 0 or lam.shape[-1] != self.n_regions:
            lam = lam[..., None]
        if beta.ndim == 0 or beta.shape[-1] != self.n_regions:
            beta = beta[..., None]
        v = np.einsum("...gk,gck->...gc", np.broadcast_to(theta, (*theta.shape[:-2],
                                                                   self.n_regions, 4)),
                      self.cfg_x)
        u = lam[..., None] * (v - beta[..., None] * (self.bloc_power[:, None] * self.cfg_k))
        return np.where(self.cfg_mask, u, -np.inf)

    def draw(self, params: ModelParameters, rng: np.random.Generator,
             offsets: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
        """One draw of every region's outcome.

        ``offsets`` optionally adds region-level deviations: ``theta`` (G, 3)
        to the free thetas, ``alpha`` (G, 3), ``gamma0`` (G,).
        Returns ``cfg`` (G,), ``network_director``/``centre_director`` (G,)
        candidate slots and ``counts`` (G, O) (-1 where no loss).
        """
        G = self.n_regions
        off = dict(offsets or {})
        theta = np.tile(np.asarray(params.theta, float), (G, 1))
        if "theta" in off:
            theta[:, 1:] += off["theta"] * params.theta[0]
        alpha = np.tile(np.asarray(params.alpha, float), (G, 1)) + off.get("alpha", 0.0)
        gamma0 = params.gamma0 + np.asarray(off.get("gamma0", 0.0))
        logits = self.config_logits(np.full(G, params.lam), theta, np.full(G, params.beta))
        cfg = _gumbel_argmax(logits, rng)
        rows = np.arange(G)
        host = self.cfg_host[rows, cfg]
        centre = self.cfg_centre[rows, cfg]
        w = np.concatenate([alpha, np.full((G, 1), params.mu), np.full((G, 1), params.eta)],
                           axis=1)
        out = {"cfg": cfg}
        for role, org in (("network_director", host), ("centre_director", centre)):
            z = self.cand_z[rows, org]                     # (G, D, 5)
            u = np.einsum("gdk,gk->gd", z, w)
            out[role] = _gumbel_argmax(np.where(self.cand_mask[rows, org], u, -np.inf), rng)
        L = self.loss[rows, centre]                        # (G, O)
        rate = np.exp(np.asarray(gamma0).reshape(-1, 1) + params.gamma * L)
        counts = rng.poisson(np.where(L > 0, rate, 0.0))
        out["counts"] = np.where((L > 0) & self.org_mask, counts, -1)
        out["loss"] = L
        return out

    # ------------------------------------------------------------ tables
    def to_data(self, outcome: Mapping[str, np.ndarray], source: str = "") -> AllocationData:
        """Observed-allocation tables for the drawn *outcome* (from :meth:`draw`)."""
        rows: dict[str, list[dict[str, Any]]] = {f: [] for f in FRAMES}
        G = self.n_regions
        for g in range(G):
            r, nm = self.regions[g], self.names[g]
            c = int(outcome["cfg"][g])
            h, m = int(self.cfg_host[g, c]), int(self.cfg_centre[g, c])
            rows["regions"].append({"region": nm, "bloc_power": self.bloc_power[g],
                                    "network": self.networks[g],
                                    "tier_concentration": self.tier_concentration})
            for i, o in enumerate(r.organisations):
                cnt = outcome["counts"][g, i]
                rows["organisations"].append({
                    "region": nm, "organisation": o.name, "kind": o.kind,
                    "track_record": o.track_record, "performance": o.performance,
                    "specialist_breadth": o.specialist_breadth,
                    "n_super_specialist": o.n_super_specialist,
                    "loss": round(float(outcome["loss"][g, i]), 6),
                    "concession_roles": float(cnt) if cnt >= 0 else np.nan})
            for d in r.doctors:
                rows["doctors"].append({
                    "region": nm, "doctor": d.name, "organisation": d.employer,
                    "cultural": d.cultural, "social": d.social, "symbolic": d.symbolic,
                    "multiplex": int(d.multiplex), "endorsed": int(d.endorsed),
                    "opinion_leader": int(d.opinion_leader)})
            seen = set()
            for b in r.bids:
                if (b.organisation, b.role) not in seen:
                    seen.add((b.organisation, b.role))
                    rows["bids"].append({"region": nm, "organisation": b.organisation,
                                         "role": b.role})
            rows["allocations"] += [
                {"region": nm, "role": "host", "holder": str(self.org_names[g, h])},
                {"region": nm, "role": "centre", "holder": str(self.org_names[g, m])},
                {"region": nm, "role": "network_director",
                 "holder": str(self.cand_names[g, h, int(outcome["network_director"][g])])},
                {"region": nm, "role": "centre_director",
                 "holder": str(self.cand_names[g, m, int(outcome["centre_director"][g])])}]
        frames = [pd.DataFrame(rows[f], columns=list(SCHEMA[f])) for f in FRAMES]
        return AllocationData(*frames, source=source)


def _gumbel_argmax(logits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One categorical draw per row of ``logits`` (``-inf`` = impossible)."""
    return np.argmax(logits + rng.gumbel(size=logits.shape), axis=-1)


# ------------------------------------------------------------- simulate
def simulate(scenario: str | Region | Sequence[Region] | Callable[[np.random.Generator], Region]
             = "random-region", params: ModelParameters | Mapping[str, Any] | None = None, *,
             n_regions: int = 100, seed: int | np.random.Generator | None = 0,
             networks: Sequence[str] | None = None,
             group_sd: Mapping[str, float] | None = None,
             group: str = "network") -> AllocationData:
    r"""Simulate observed allocations from the model at *params*.

    Parameters
    ----------
    scenario : "random-region", a built-in scenario name, a Region, a list of Regions \
or a callable ``rng -> Region``
        Where regions come from. ``"random-region"`` draws each region from
        :func:`~gametheory.restratification.scenarios.random_region`; a single
        region (or name) is repeated ``n_regions`` times (independent outcomes);
        a list is used as is.
    params : ModelParameters or dict, optional
        True parameters (default ``ModelParameters()``).
    n_regions : int
    seed : int or numpy Generator
        Same seed, same data.
    networks : sequence of str, optional
        Network types (``trauma``, ``stroke``, ``cancer``) assigned to the regions
        in turn; changes the role set (and so the retained shares behind the losses).
    group_sd : mapping, optional
        Standard deviations of group-level effects for the hierarchical model:
        ``theta`` (added to the free thetas, in numeraire units), ``alpha`` and
        ``gamma0``; one deviation per group.
    group : {"network", "region"}
        What a group is when ``group_sd`` is given.

    Returns
    -------
    AllocationData
        With ``.truth`` (the estimands, :func:`normalised_truth`, plus group
        effects when drawn), ``.params`` and ``.bank`` (the :class:`RegionBank`).

    References
    ----------
    McFadden, D. (1974). Conditional logit analysis of qualitative choice
    behavior. In *Frontiers in Econometrics*, 105-142.
    """
    p = _as_params(params)
    rng = _as_rng(seed)
    if not isinstance(n_regions, int | np.integer) or n_regions < 1:
        raise EstimationError("n_regions", n_regions, "not a positive integer",
                              "Give n_regions >= 1")
    regions = _regions(scenario, int(n_regions), rng)
    if networks:
        nets = [str(n) for n in networks]
        roles = {n: roles_by_name(n) for n in set(nets)}
        regions = [replace(r, roles=roles[nets[i % len(nets)]]) for i, r in enumerate(regions)]
    names = [f"sim-{i:05d}" for i in range(len(regions))]
    bank = RegionBank.build(regions, p, names)
    offsets, gtruth = _group_offsets(bank, group_sd, group, rng)
    outcome = bank.draw(p, rng, offsets)
    data = bank.to_data(outcome, source="simulate()")
    truth = normalised_truth(p)
    truth.update(gtruth)
    data.truth = truth
    data.params = p
    data.bank = bank
    return data


def _regions(scenario: Any, n: int, rng: np.random.Generator) -> list[Region]:
    from gametheory.restratification import scenarios

    if isinstance(scenario, str):
        if scenario == "random-region":
            return [scenarios.random_region(rng) for _ in range(n)]
        return [scenarios.load(scenario)] * n
    if isinstance(scenario, Region):
        return [scenario] * n
    if callable(scenario):
        out = [scenario(rng) for _ in range(n)]
        if not all(isinstance(r, Region) for r in out):
            raise EstimationError("scenario", scenario, "the callable did not return Regions",
                                  "Give a callable rng -> Region")
        return out
    if isinstance(scenario, Sequence) and scenario and all(isinstance(r, Region)
                                                           for r in scenario):
        return list(scenario)
    raise EstimationError("scenario", scenario, "not a scenario",
                          "Give 'random-region', a scenario name, a Region, a list of Regions "
                          "or a callable rng -> Region")


def _group_offsets(bank: RegionBank, group_sd: Mapping[str, float] | None, group: str,
                   rng: np.random.Generator) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    if not group_sd:
        return {}, {}
    bad = sorted(set(group_sd) - set(GROUP_EFFECTS))
    if bad:
        raise EstimationError("group_sd", dict(group_sd), f"unknown effects {bad}",
                              f"Use keys among {list(GROUP_EFFECTS)}")
    if group not in ("network", "region"):
        raise EstimationError("group", group, "unknown grouping", "Use 'network' or 'region'")
    labels = bank.networks if group == "network" else bank.names
    levels = sorted(set(labels))
    gi = np.array([levels.index(x) for x in labels])
    J = len(levels)
    offsets: dict[str, np.ndarray] = {}
    truth: dict[str, float] = {}
    for eff, sd in group_sd.items():
        sd = float(sd)
        if not (np.isfinite(sd) and sd >= 0):
            raise EstimationError(f"group_sd[{eff!r}]", sd, "not a finite sd >= 0",
                                  "Give a non-negative standard deviation")
        k = 3 if eff in ("theta", "alpha") else 1
        dev = rng.normal(0.0, sd, size=(J, k))
        offsets[eff] = dev[gi] if k == 3 else dev[gi, 0]
        truth[f"sigma_{eff}"] = sd
        names = THETA_FREE if eff == "theta" else ALPHA_NAMES if eff == "alpha" else ("",)
        for j, lev in enumerate(levels):
            for q, nm in enumerate(names):
                key = f"{eff}_dev[{lev}, {nm}]" if nm else f"{eff}_dev[{lev}]"
                truth[key] = float(dev[j, q])
    return offsets, truth
