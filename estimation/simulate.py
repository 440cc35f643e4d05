r"""Observed allocations simulated from the restratification model.

:func:`simulate` draws regions (by default from
:func:`gametheory.restratification.scenarios.random_region`), compiles them with
the model's one specification (:mod:`gametheory.restratification.spec`) and,
for given :class:`~gametheory.restratification.ModelParameters`, draws with
:func:`spec.draw <gametheory.restratification.spec.draw>`

1. the configuration :math:`c` from the proposal-and-vote model,
   :math:`P(c) \propto e^{\lambda\theta\cdot x(c)} P_{\text{pass}}(c)`, and the
   management group's votes on it (from their law given that it passed);
2. the network director among the host's candidate doctors and the centre
   director among the centre's (conditional logits);
3. the concession roles of each kind held by each hospital on the committee
   of :math:`c` (those that lose work, neither host nor centre): one
   multinomial per kind over the committee's bargaining equilibrium
   (:func:`~gametheory.restratification.concessions.role_probabilities`),

which are the same functions that ``restrat run`` reports and the likelihoods
score. The regions' design is compiled once (:class:`SimulationBank`), after
which each draw is vectorised numpy; the same bank serves recovery studies and
simulation-based calibration.

Identification
--------------
Only :math:`\lambda\theta` enters the proposer's logit: the estimands are
``lam_theta`` (one per configuration feature) and the other parameters as
they are (:func:`normalised_truth`, i.e. :func:`spec.estimands
<gametheory.restratification.spec.estimands>`). The vote utility is in hundreds
of trauma cases a year (the work lost has coefficient one), so :math:`\kappa`,
:math:`\delta`, :math:`\rho` and the baselines are identified on that scale.

Examples
--------
>>> from estimation import simulate
>>> data = simulate(n_regions=5, seed=1)
>>> data.n_regions, sorted(data.truth)[:2]
(5, ['alpha[cultural]', 'alpha[social]'])
>>> simulate(n_regions=5, seed=1).allocations.equals(data.allocations)
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from gametheory.restratification import ModelParameters, Region, spec
from gametheory.restratification.actors import roles_by_name

from .data import SCHEMA, AllocationData
from .errors import EstimationError

__all__ = ["simulate", "SimulationBank", "normalised_truth", "params_from_estimands",
           "GROUP_EFFECTS"]

#: parameters that get group-level (network-type or region) effects in the hierarchical model
GROUP_EFFECTS = ("lam_theta", "alpha", "proposer_advantage")


def _as_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
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
                          "Give ModelParameters(...) or a dict such as {'delta': 1.5}")


def normalised_truth(params: ModelParameters | Mapping[str, Any]) -> dict[str, float]:
    r"""The estimands of the structural model at *params* (labels as in arviz).

    ``lam_theta[f]`` :math:`= \lambda\theta_f`; every other estimand as given.

    Examples
    --------
    >>> t = normalised_truth({"theta_host_track_record": 2.0, "lam": 1.5})
    >>> t["lam_theta[host_track_record]"], t["delta"] == ModelParameters().delta
    (3.0, True)
    """
    p = _as_params(params)
    if np.isinf(p.kappa):
        raise EstimationError("params.kappa", p.kappa, "the deterministic limit has no "
                              "likelihood to estimate kappa from",
                              "Give a finite kappa for estimation")
    return spec.estimands(p)


def params_from_estimands(est: Mapping[str, float], base: ModelParameters | None = None
                          ) -> ModelParameters:
    """Inverse of :func:`normalised_truth` (with lam = 1, theta = lam_theta)."""
    return spec.model_parameters(est, base)


# ----------------------------------------------------------------- bank
@dataclass(frozen=True, eq=False)
class SimulationBank:
    """Regions compiled once for repeated draws (simulation, recovery, SBC).

    Attributes
    ----------
    regions : tuple of Region
    names : tuple of str
    frames : dict of DataFrame
        The regions' tables (:func:`spec.region_frames`).
    design : gametheory.restratification.spec.Design
    """

    regions: tuple[Region, ...]
    names: tuple[str, ...]
    frames: Mapping[str, pd.DataFrame]
    design: spec.Design

    @classmethod
    def build(cls, regions: Sequence[Region], params: ModelParameters | None = None,
              names: Sequence[str] | None = None) -> SimulationBank:
        """Compile *regions* (``params`` gives the fixed ``tier_concentration``)."""
        p = _as_params(params)
        regions = tuple(regions)
        if not regions:
            raise EstimationError("regions", regions, "no regions", "Give at least one region")
        names = tuple(names or [r.name for r in regions])
        if len(set(names)) != len(names):
            raise EstimationError("names", names, "region names are not distinct",
                                  "Give each region a distinct name")
        frames = spec.region_frames(regions, names=names,
                                    tier_concentration=p.tier_concentration)
        return cls(regions, names, frames, spec.compile_design(frames, p))

    @property
    def n_regions(self) -> int:
        return len(self.regions)

    def draw(self, params: ModelParameters, rng: np.random.Generator,
             offsets: Mapping[str, np.ndarray] | None = None) -> spec.Outcome:
        """One draw of every region's outcome (:func:`spec.draw`).

        ``offsets`` optionally adds region-level deviations to the estimands:
        ``lam_theta`` (G, F), ``alpha`` (G, 3), ``proposer_advantage`` (G,).
        """
        par = spec.parameters(params)
        for k, dev in (offsets or {}).items():
            par[k] = par[k] + np.asarray(dev, float)
        return spec.draw(par, self.design, rng)

    def to_data(self, outcome: spec.Outcome, source: str = "", votes: bool = False
                ) -> AllocationData:
        """Observed-allocation tables for a drawn *outcome* (votes recorded if ``votes``)."""
        d = self.design
        G = self.n_regions
        rows = np.arange(G)
        names = np.asarray(d.region_names, dtype=object)
        org = self.frames["organisations"].copy()
        gi, oi = np.nonzero(d.org_mask)
        keys = list(zip(org["region"], org["organisation"], strict=True))
        for k, col in enumerate(spec.CONCESSION_COLUMNS):
            c = outcome.counts[gi, k, oi].astype(float)
            count_of = dict(zip(zip(names[gi], d.org_names[gi, oi], strict=True),
                                np.where(c >= 0, c, np.nan), strict=True))
            org[col] = [count_of[key] for key in keys]
        host = d.org_names[rows, d.cfg_host[rows, outcome.cfg]]
        centre = d.org_names[rows, d.cfg_centre[rows, outcome.cfg]]
        nd = d.cand_names[rows, d.cfg_host[rows, outcome.cfg], outcome.network_director]
        cd = d.cand_names[rows, d.cfg_centre[rows, outcome.cfg], outcome.centre_director]
        alloc = pd.DataFrame({
            "region": np.repeat(names, 4),
            "role": np.tile(["host", "centre", "network_director", "centre_director"], G),
            "holder": np.column_stack([host, centre, nd, cd]).ravel().astype(str)})
        vt = pd.DataFrame(columns=list(SCHEMA["votes"]))
        if votes:
            ok = ~outcome.all_blocked[:, None] & (d.member_names != "")
            g_, j_ = np.nonzero(ok)
            vt = pd.DataFrame({"region": names[g_],
                               "member": d.member_names[g_, j_],
                               "vote": outcome.votes[g_, j_].astype(bool)})
        f = self.frames
        return AllocationData(f["regions"], org, f["doctors"], f["bids"], alloc, f["members"],
                              vt, source=source)


# ------------------------------------------------------------- simulate
def simulate(scenario: str | Region | Sequence[Region] | Callable[[np.random.Generator], Region]
             = "random-region", params: ModelParameters | Mapping[str, Any] | None = None, *,
             n_regions: int = 100, seed: int | np.random.Generator | None = 0,
             networks: Sequence[str] | None = None,
             group_sd: Mapping[str, float] | None = None,
             group: str = "network", votes: bool = False) -> AllocationData:
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
        True parameters (default ``ModelParameters()``); ``kappa=inf`` simulates the
        deterministic veto.
    n_regions : int
    seed : int or numpy Generator
        Same seed, same data.
    networks : sequence of str, optional
        Network types (``trauma``, ``stroke``, ``cancer``) assigned to the regions
        in turn; changes the role set (and so the retained shares behind the losses).
    group_sd : mapping, optional
        Standard deviations of group-level effects for the hierarchical model:
        ``lam_theta``, ``alpha`` and ``proposer_advantage``; one deviation per group.
    group : {"network", "region"}
        What a group is when ``group_sd`` is given.
    votes : bool
        Also record every member's vote on the chosen configuration (a ``votes``
        table), drawn from the votes' law given that the configuration passed.

    Returns
    -------
    AllocationData
        With ``.truth`` (the estimands, :func:`normalised_truth`, plus group
        effects when drawn), ``.params`` and ``.bank`` (the :class:`SimulationBank`).

    References
    ----------
    Baron, D. P. and Ferejohn, J. A. (1989). Bargaining in legislatures. *APSR*
    83(4), 1181-1206. McFadden, D. (1974). Conditional logit analysis of
    qualitative choice behavior. In *Frontiers in Econometrics*, 105-142.
    """
    p = _as_params(params)
    rng = _as_rng(seed)
    if isinstance(n_regions, bool) or not isinstance(n_regions, int | np.integer) \
            or n_regions < 1:
        raise EstimationError("n_regions", n_regions, "not a positive integer",
                              "Give n_regions >= 1")
    regions = _regions(scenario, int(n_regions), rng)
    if networks:
        nets = [str(n) for n in networks]
        roles = {n: roles_by_name(n) for n in set(nets)}
        regions = [replace(r, roles=roles[nets[i % len(nets)]]) for i, r in enumerate(regions)]
    names = [f"sim-{i:05d}" for i in range(len(regions))]
    bank = SimulationBank.build(regions, p, names)
    offsets, gtruth = _group_offsets(bank, group_sd, group, rng)
    outcome = bank.draw(p, rng, offsets)
    data = bank.to_data(outcome, source="simulate()", votes=votes)
    truth = spec.estimands(p) if np.isfinite(p.kappa) else {}
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


def _group_offsets(bank: SimulationBank, group_sd: Mapping[str, float] | None, group: str,
                   rng: np.random.Generator) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    if not group_sd:
        return {}, {}
    bad = sorted(set(group_sd) - set(GROUP_EFFECTS))
    if bad:
        raise EstimationError("group_sd", dict(group_sd), f"unknown effects {bad}",
                              f"Use keys among {list(GROUP_EFFECTS)}")
    if group not in ("network", "region"):
        raise EstimationError("group", group, "unknown grouping", "Use 'network' or 'region'")
    labels = bank.design.networks if group == "network" else bank.design.region_names
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
        labs = spec.ESTIMANDS[eff]
        k = max(len(labs), 1)
        dev = rng.normal(0.0, sd, size=(J, k))
        offsets[eff] = dev[gi] if labs else dev[gi, 0]
        truth[f"sigma_{eff}"] = sd
        for j, lev in enumerate(levels):
            for q, nm in enumerate(labs or ("",)):
                key = f"{eff}_dev[{lev}, {nm}]" if nm else f"{eff}_dev[{lev}]"
                truth[key] = float(dev[j, q])
    return offsets, truth
