r"""Concessions as committee bargaining: played by ``run``, drawn by ``simulate``, fitted.

The network has no statutory authority, so the network director must keep the
hospitals that lost work participating (triage, stabilisation, transfer,
rehabilitation). The director proposes a division of a scarce **pool of
roles** to the **clinical committee**, which bargains in the manner of Baron
and Ferejohn (1989) with reservation values (:mod:`gametheory.bargaining.committee`).

Who sits on the committee
    The network director (the proposer's side: what it keeps stays with the
    network, held by doctors of the centre and the host) and one representative
    of every hospital that loses work under the chosen configuration, except
    the host and the centre (the centre loses nothing; the host's compensation
    is the host role, and its doctor is the director who proposes).

The pool (a documented parameter of the network's :class:`~.actors.RoleSet`)
    :data:`ROLE_KINDS`: the portfolio leads (one per portfolio, each with its
    value), committee seats (``seat_pool``; 0 means one per committee hospital)
    and rotation places at the centre (``rotation_pool``). Values are in
    **value units**: hundreds of trauma cases a year, the work a role is worth
    to a hospital's doctors (the unit of the losses). The pool's value
    :math:`W = \sum_k N_k \bar u_k` (:math:`N_k` roles of kind :math:`k`,
    mean value :math:`\bar u_k`).

Harm, the participation game and the reservation values
    A hospital's **harm** :math:`h_i` is the trauma work the network needs from
    it after the reorganisation, in hundreds of cases a year: every case
    arriving there is triaged and stabilised (its previous volume), and the
    patients transferred away come back for rehabilitation
    (``rehabilitation_return`` of its loss :math:`L_i`):
    :math:`h_i = \text{volume}_i / 100 + \text{rehabilitation\_return}\,L_i`.
    A coalition :math:`S` of committee hospitals withdrawing costs the network
    :math:`v(S) = \omega\, H(S)\,[c(S) + p\,(1 - c(S))]` value units, with
    :math:`H(S) = \sum_{i\in S} h_i`, :math:`c(S) = 1` when :math:`S` holds at
    least ``credible_share`` of the committee's harm (the network cannot
    reroute around it) and :math:`p` = ``partial_hold`` otherwise, and
    :math:`\omega` = ``harm_weight`` (value units per hundred cases). With a
    declared cooperation graph a coalition's worth is the sum of its connected
    parts' (:func:`~.blocs.restrict_game`). A hospital's **reservation value**
    is its own worth as a share of the pool, :math:`r_i = v(\{i\}) / W`.

Recognition, patience and the voting rule
    Hospital :math:`i` is recognised in proportion to its voting power
    :math:`\pi_i` in the management group (the parameters' ``power_index``,
    normalised, with the district bloc as one merged player whose power is
    shared among its members in proportion to weight times harm), and the
    director with :math:`e^{\phi}` times the committee's total power
    (``proposer_advantage`` :math:`\phi`, the director's log-odds of being
    recognised, unitless): :math:`\rho_0 = e^\phi / (1 + e^\phi)` and
    :math:`\rho_i = \pi_i / ((1 + e^\phi) \sum_j \pi_j)`. A bloc without power
    gets no proposals in; when no committee hospital has power the director
    proposes every time. Every member discounts a round by the
    ``patience`` :math:`\delta`. The rule is the region's ``committee_quota``
    (share of the members' votes, one each): 1, the default, is unanimity
    (every loser can withdraw), solved in closed form
    (:func:`~gametheory.bargaining.unanimity_values`); a lower quota uses the
    quantal proposer (:func:`~gametheory.bargaining.quantal_values`) with
    smoothing ``committee_smoothing``.

From shares to roles
    The equilibrium gives member :math:`j` the expected share :math:`v_j` of
    the pool. Roles are indivisible: each role of kind :math:`k` goes to
    hospital :math:`j` with probability :math:`p_{kj} = v_j e_{kj}` and stays
    with the network otherwise (:math:`p_{k0} = 1 - \sum_{j\ge1} p_{kj}`),
    where :math:`e_{kj}` says whether :math:`j` can hold that kind (rotation
    places need a district hospital with a practice elite). Observed counts are
    **multinomial**, :math:`n_{k\cdot} \sim \text{Multinomial}(N_k, p_{k\cdot})`
    (:func:`draw_packages`, :func:`package_log_likelihood`), so the expected
    package is :math:`N_k p_{kj}` exactly. The report shows the Hamilton
    apportionment of those expectations (:func:`apportion`: every member gets
    the floor or the ceiling of its expected count).

Who holds which role (:func:`assign_roles`)
    Portfolio leads go to the doctor whose domain capital matches the
    portfolio (:data:`PORTFOLIO_PROFILES`: its domain and the clinical service
    it needs; a portfolio that needs a service goes only to a hospital that has
    it), rotation places to the hospital's practice elites, committee seats to
    its clinical lead (a doctor flagged ``clinical_lead``, else its
    policy-active doctor of most social capital). What the network keeps is
    held by doctors of the centre (clinical portfolios) and the host.

Everything from parameters to probabilities is written once against an array
namespace (:func:`role_probabilities`), so ``run``, ``simulate``, the
likelihood and ``predict`` execute the same code. On JAX the likelihood of unanimous
committees runs that chain as one compiled loop with its exact gradient when numba is
installed (:func:`package_log_likelihood`; tested equal to the graph).

References
----------
Baron, D. P. and Ferejohn, J. A. (1989). Bargaining in legislatures. *APSR*
83(4), 1181-1206. Binmore, K., Shaked, A. and Sutton, J. (1989). An outside
option experiment. *QJE* 104(4), 753-770. Balinski, M. L. and Young, H. P.
(2001). *Fair Representation*, 2nd ed. (Hamilton's method). Waring, J. et al.,
the case study in ``shared/case-study.txt``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from ..bargaining.committee import quantal_values, unanimity_values, winning_coalitions
from ..errors import InvalidArgumentError
from ..formation.backend import NUMPY, ArrayBackend, compiled_on_jax
from .region import Region

__all__ = [
    "ROLE_KINDS", "UNITS", "PORTFOLIO_PROFILES", "BARGAINING_PARAMETERS", "REGION_COLUMNS",
    "ORGANISATION_COLUMNS", "committee_tables", "committee_design_from_tables", "CommitteeDesign",
    "committee_design", "bargaining_parameters", "committee_values", "role_probabilities",
    "package_log_likelihood", "observed_cells_log_likelihood", "chosen_committee",
    "committees_at",
    "draw_packages", "apportion",
    "solve_committee", "CommitteeOutcome", "units_line", "VALUE_UNIT", "services_of",
    "practice_elites",
    "assign_roles", "portfolio_match", "clinical_lead", "participation_game", "stability",
    "Stability", "hierarchy_table", "hierarchy_graph", "hierarchy_positions", "draw_hierarchy",
    "ConcessionAnalysis", "concession_analysis",
]

#: kinds of concession role, in the order of every array's kind axis
ROLE_KINDS = ("portfolio", "seat", "rotation")

#: units of the quantities the concession tables report
UNITS: dict[str, str] = {
    "loss": "100 cases/yr",
    "harm": "100 cases/yr",
    "worth": "value units",
    "reservation": "value units",
    "expected_value": "value units",
    "package_value": "value units",
    "deficit": "value units",
    "shortfall": "value units",
    "recognition": "unitless",
    "power": "unitless",
    "share": "unitless",
    "price": "pool share",
    "keeps": "pool share",
    "myerson_share": "unitless",
    "patience": "per round, unitless",
    "roles": "roles",
    "value_per_role": "value units",
    "value": "value units",
    **{f"expected_{k}": "roles" for k in ROLE_KINDS},
    **{f"{k}_roles": "roles" for k in ROLE_KINDS},
}
def units_line(columns: Sequence[str], units: Mapping[str, str] | None = None) -> str:
    """A line giving the unit of every listed column that has one, grouped by unit.

    Examples
    --------
    >>> units_line(["loss", "harm", "share"])
    'units: loss, harm: 100 cases/yr; share: unitless'
    """
    table = {**UNITS, **(units or {})}
    groups: dict[str, list[str]] = {}
    for c in columns:
        if c in table:
            groups.setdefault(table[c], []).append(str(c))
    return "units: " + "; ".join(f"{', '.join(cs)}: {u}" for u, cs in groups.items())


#: what a value unit is (printed in reports)
VALUE_UNIT = ("value units: hundreds of trauma cases a year, the work a role is worth to a "
              "hospital's doctors (the unit of the losses)")

#: portfolio name -> (domain of activity it needs, clinical service it needs or None,
#: the director it reports to: "network" or "centre"). Unknown portfolios: practice,
#: no service, the network director.
PORTFOLIO_PROFILES: dict[str, tuple[str, str | None, str]] = {
    # trauma
    "education and training": ("research_education", None, "network"),
    "research": ("research_education", None, "network"),
    "information governance": ("policy", None, "network"),
    "service improvement": ("policy", None, "network"),
    "rehabilitation": ("practice", "rehabilitation", "centre"),
    "paediatrics": ("practice", "paediatrics", "centre"),
    "critical care": ("practice", "critical care", "centre"),
    "pre-hospital": ("practice", None, "centre"),
    "transfer course": ("research_education", None, "centre"),
    # stroke
    "thrombectomy pathway": ("practice", "interventional neuroradiology", "centre"),
    "audit and data": ("policy", None, "network"),
    "community stroke care": ("practice", None, "network"),
    # cancer
    "chemotherapy": ("practice", "chemotherapy", "centre"),
    "radiotherapy": ("practice", "radiotherapy", "centre"),
    "early diagnosis": ("practice", None, "network"),
}

#: the bargaining parameters (fields of :class:`~.model.ModelParameters`)
BARGAINING_PARAMETERS = ("harm_weight", "proposer_advantage", "patience")
#: numerical settings (not estimated)
SETTING_DEFAULTS: dict[str, float] = {
    "committee_smoothing": 0.01,  # the quantal proposer's logit scale, pool shares
}
#: largest committee a quota rule below unanimity enumerates coalitions for
MAX_QUOTA_COMMITTEE = 12


def _setting(obj: Any, name: str, default: Any) -> Any:
    return getattr(obj, name, default) if obj is not None else default


def _params(params: Any) -> Any:
    if params is not None:
        return params
    from .model import ModelParameters

    return ModelParameters()


def bargaining_parameters(params: Any = None) -> dict[str, np.ndarray]:
    """The bargaining parameters of a ModelParameters as numpy arrays of shape (1,).

    The layout of every function below: scalars with a region axis of size 1 (a
    leading draw axis and a region axis of size G are allowed too).
    """
    params = _params(params)
    return {k: np.array([float(getattr(params, k))]) for k in BARGAINING_PARAMETERS}


# ------------------------------------------------------------------ region data
def _portfolio_profile(name: str) -> tuple[str, str | None, str]:
    return PORTFOLIO_PROFILES.get(name, ("practice", None, "network"))


def services_of(org: Any) -> frozenset[str]:
    """Clinical services an organisation runs (``services`` and its super-specialist ones)."""
    return frozenset(_setting(org, "services", frozenset())) | frozenset(org.super_specialist)


def practice_elites(region: Region, org: str) -> list[Any]:
    """The organisation's practice elites (not opinion leaders), most cultural capital first."""
    return sorted((d for d in region.doctors_of(org) if d.practice_elite
                   and not d.opinion_leader), key=lambda d: -d.cultural)


def committee_losers(region: Region, chosen: tuple[str, str],
                     losses: Mapping[str, float]) -> list[str]:
    """Hospitals that bargain for concessions: they lose work, and are neither host nor centre."""
    return [o.name for o in region.organisations
            if losses.get(o.name, 0.0) > 1e-12 and o.name not in chosen]


# ------------------------------------------------------------------ compiled design
@dataclass(frozen=True, eq=False)
class CommitteeDesign:
    r"""The committees of ``G`` regions under each of ``C`` configurations (numpy).

    Member slot 0 is the network director; slot ``1 + i`` is the region's
    organisation ``i`` (in the region's order), a member when it is on the
    committee under that configuration: ``M`` is one more than the largest
    number of organisations. This layout does not depend on the configuration,
    so observed role counts keep their places whichever configuration is
    chosen (or drawn).

    Attributes
    ----------
    names : (G, C, M) object
        Organisation of each slot ("" for the director and padding).
    member : (G, C, M) bool
        Real slots (the director included).
    power : (G, C, M) float
        Voting power :math:`\pi` of each hospital (0 for the director).
    reservation_base : (G, C, M) float
        :math:`h_i\,[c_i + p(1 - c_i)] / W`: the reservation share per unit of
        ``harm_weight``.
    eligible : (G, C, K, M) bool
        Who may hold each kind of role (slot 0: whether the network may keep it;
        it keeps no committee seat).
    pool_count : (G, C, K) int; pool_value : (G, C, K) float
        Pool sizes and mean values per kind (the seat pool may depend on the
        committee).
    quota_options : (G, C, M, 2**M - 1) bool or None
        The coalitions each member may buy under a quota rule (None when every
        committee is unanimous).
    coalitions : (2**M - 1, M) float or None
    unanimous : (G,) bool
    loss, harm, worth_single : (G, C, M) float
        Each slot's loss and harm (hundreds of cases a year) and its own worth
        :math:`v(\{i\})` per unit of ``harm_weight`` (value units).
    cfg_mask : (G, C) bool
        Real configurations (a padded one is a director-only committee).
    """

    names: np.ndarray
    member: np.ndarray
    power: np.ndarray
    reservation_base: np.ndarray
    eligible: np.ndarray
    pool_count: np.ndarray
    pool_value: np.ndarray
    unanimous: np.ndarray
    loss: np.ndarray
    harm: np.ndarray
    worth_single: np.ndarray
    cfg_mask: np.ndarray
    quota_options: np.ndarray | None = None
    coalitions: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(self.member.shape)  # type: ignore[return-value]


def _losses_under(region: Region, chosen: tuple[str, str]) -> dict[str, float]:
    from .model import designations_and_losses

    d = designations_and_losses(region, chosen)
    return {str(k): float(v) for k, v in d["loss"].items()}


#: columns of the regions table the committees read (all optional, defaults from the
#: network's role set): pool sizes (roles) and mean values (value units) per kind,
#: the rehabilitation return and the committee's quota
REGION_COLUMNS = ("portfolio_pool", "portfolio_value", "seat_pool", "seat_value",
                  "rotation_pool", "rotation_value", "rehabilitation_return",
                  "committee_quota")
#: columns of the organisations table the committees read
ORGANISATION_COLUMNS = ("kind", "trauma_volume", "practice_elites")


def committee_tables(regions: Sequence[Region], names: Sequence[str] | None = None
                     ) -> dict[str, pd.DataFrame]:
    """The tables :func:`committee_design_from_tables` reads, from Region objects.

    ``regions`` (region, quota, network and :data:`REGION_COLUMNS`),
    ``organisations`` (region, organisation and :data:`ORGANISATION_COLUMNS`;
    ``practice_elites`` counts the practice elites who are not opinion leaders)
    and ``members`` (region, member, organisation, weight, bloc). *names*
    replaces the regions' names.
    """
    reg, orgs, mem = [], [], []
    for r, rname in zip(regions, names or [r.name for r in regions], strict=True):
        ro = r.roles
        ports = np.array(list(ro.portfolios.values()), dtype=float)
        reg.append({"region": rname, "quota": float(r.quota), "network": ro.network,
                    "portfolio_pool": float(len(ports)),
                    "portfolio_value": float(ports.mean()) if len(ports) else 0.0,
                    "seat_pool": float(ro.seat_pool), "seat_value": float(ro.seat_value),
                    "rotation_pool": float(ro.rotation_pool),
                    "rotation_value": float(ro.rotation_value),
                    "rehabilitation_return": float(ro.rehabilitation_return),
                    "committee_quota": float(r.committee_quota)})
        for o in r.organisations:
            orgs.append({"region": rname, "organisation": o.name, "kind": o.kind,
                         "trauma_volume": float(o.trauma_volume),
                         "practice_elites": float(len(practice_elites(r, o.name)))})
        for m in r.management_group:
            mem.append({"region": rname, "member": m.name, "organisation": m.organisation or "",
                        "weight": float(m.weight), "bloc": bool(m.bloc)})
    return {"regions": pd.DataFrame(reg), "organisations": pd.DataFrame(orgs),
            "members": pd.DataFrame(mem)}


def committee_design(regions: Sequence[Region], configurations: Sequence[Sequence[tuple[str,
                     str]]], params: Any = None) -> CommitteeDesign:
    """Compile the committees of *regions* under each of their *configurations*.

    The Region objects are turned into tables (:func:`committee_tables`) and the
    losses into an array (:func:`~.model.designations_and_losses`), then compiled
    by the one builder, :func:`committee_design_from_tables`.

    Parameters
    ----------
    regions : sequence of Region
        The regions.
    configurations : sequence of sequence of tuple of str
        One list of (host, centre) pairs per region.
    params : ModelParameters, optional
        Reads ``power_index``, ``credible_share`` and ``partial_hold``.

    Returns
    -------
    CommitteeDesign
        The compiled committee arrays.
    """
    G = len(regions)
    C = max((len(c) for c in configurations), default=1) or 1
    O = max((len(r.organisations) for r in regions), default=1) or 1
    host = np.zeros((G, C), np.int64)
    centre = np.zeros((G, C), np.int64)
    cfg_mask = np.zeros((G, C), bool)
    loss = np.zeros((G, C, O))
    org_names = np.full((G, O), "", dtype=object)
    for g, region in enumerate(regions):
        names = [o.name for o in region.organisations]
        org_names[g, :len(names)] = names
        for c, chosen in enumerate(configurations[g]):
            L = _losses_under(region, tuple(chosen))
            cfg_mask[g, c] = True
            host[g, c], centre[g, c] = names.index(chosen[0]), names.index(chosen[1])
            loss[g, c, :len(names)] = [L[n] for n in names]
    return committee_design_from_tables(committee_tables(regions), [r.name for r in regions],
                                        org_names, host, centre, cfg_mask, loss, params)


@lru_cache(maxsize=4096)
def _power_values(weights: tuple[float, ...], quota: float, power_index: str
                  ) -> tuple[float, ...]:
    """The power index of every player of the weighted voting game (cached: many
    regions share a management group's weights and quota)."""
    from .. import power as _power
    from ..voting import WeightedVotingGame

    game = WeightedVotingGame(list(weights), quota)
    idx = (_power.banzhaf(game, normalized=True) if power_index == "banzhaf"
           else _power.shapley_shubik(game))
    return tuple(np.asarray(idx.values, dtype=float).tolist())


def _member_power(members: pd.DataFrame, region_names: Sequence[str], org_slot: Mapping[
                  tuple[str, str], int], quota: np.ndarray, O: int, power_index: str
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Voting power in every region's management group, by organisation.

    Returns ``org_power`` (G, O), the power of the members outside the district
    bloc summed over each organisation; ``bloc_power`` (G,), the bloc's power as
    one merged player; and the bloc's members, in their rows' order: ``bloc_w``
    (G, B) their weights and ``bloc_slot`` (G, B) their organisations' slots (-1:
    padding, or a member without an organisation of the region, which shares in
    nothing). One power index per region (the game is the region's).
    """
    G = len(region_names)
    org_power = np.zeros((G, O))
    bloc_power = np.zeros(G)
    if not len(members):
        return org_power, bloc_power, np.zeros((G, 1)), np.full((G, 1), -1, np.int64)
    reg = members["region"].astype(str).to_numpy()
    w_all = members["weight"].to_numpy(dtype=float)
    bloc_all = members["bloc"].to_numpy(dtype=bool)
    orgs = members["organisation"].fillna("").astype(str).to_numpy()
    slot = np.array([org_slot.get((r, o), -1) if o else -1
                     for r, o in zip(reg, orgs, strict=True)], np.int64)
    rows = pd.Series(np.arange(len(reg))).groupby(reg, sort=False).indices
    B = max((int(bloc_all[i].sum()) for i in rows.values()), default=0) or 1
    bloc_w = np.zeros((G, B))
    bloc_slot = np.full((G, B), -1, np.int64)
    for g, rname in enumerate(region_names):
        idx = rows.get(rname)
        if idx is None:
            continue
        w, bloc, sl = w_all[idx], bloc_all[idx], slot[idx]
        if w.sum() <= 0:
            continue
        weights = list(w[~bloc])
        if w[bloc].sum() > 0:
            weights.append(float(w[bloc].sum()))
        vals = np.asarray(_power_values(tuple(float(x) for x in weights), float(quota[g]),
                                        power_index))
        if w[bloc].sum() > 0:
            bloc_power[g] = vals[-1]
        free = sl[~bloc]
        own = free >= 0
        np.add.at(org_power[g], free[own], vals[:len(free)][own])
        nb = int(bloc.sum())
        bloc_w[g, :nb] = w[bloc]
        bloc_slot[g, :nb] = sl[bloc]
    return org_power, bloc_power, bloc_w, bloc_slot


def _region_values(reg: pd.DataFrame, networks: np.ndarray) -> dict[str, np.ndarray]:
    """The pool's columns of every region, (G,) each, the network's role set filling
    what the table leaves out (absent or missing)."""
    from .actors import roles_by_name

    sets = {n: roles_by_name(n) for n in dict.fromkeys(networks)}

    def default(fn: Any) -> np.ndarray:
        return np.array([float(fn(sets[n])) for n in networks], dtype=float)

    def col(name: str, dflt: np.ndarray) -> np.ndarray:
        if name not in reg.columns:
            return dflt
        v = pd.to_numeric(reg[name], errors="coerce").to_numpy(dtype=float)
        return np.where(np.isfinite(v), v, dflt)

    def ports(rs: Any) -> np.ndarray:
        return np.array(list(rs.portfolios.values()), dtype=float)

    return {
        "portfolio_pool": col("portfolio_pool", default(lambda rs: len(ports(rs)))),
        "portfolio_value": col("portfolio_value", default(
            lambda rs: ports(rs).mean() if len(ports(rs)) else 0.0)),
        "seat_pool": col("seat_pool", default(lambda rs: rs.seat_pool)),
        "seat_value": col("seat_value", default(lambda rs: rs.seat_value)),
        "rotation_pool": col("rotation_pool", default(lambda rs: rs.rotation_pool)),
        "rotation_value": col("rotation_value", default(lambda rs: rs.rotation_value)),
        "rehabilitation_return": col("rehabilitation_return",
                                     default(lambda rs: rs.rehabilitation_return)),
        "committee_quota": col("committee_quota", np.ones(len(networks))),
    }


def committee_design_from_tables(tables: Mapping[str, pd.DataFrame],
                                 region_names: Sequence[str], org_names: np.ndarray,
                                 host: np.ndarray, centre: np.ndarray, cfg_mask: np.ndarray,
                                 loss: np.ndarray, params: Any = None) -> CommitteeDesign:
    r"""The one builder of the committees' arrays, from tables (observed data or regions).

    Parameters
    ----------
    tables : mapping
        ``regions``, ``organisations`` and ``members`` tables with the columns of
        :func:`committee_tables` (:data:`REGION_COLUMNS` are optional: the
        network's role set fills them; ``practice_elites`` too: 0).
    region_names : the G regions, in the order of the arrays
    org_names : (G, O) object
        Organisation of each slot ("" for padding).
    host, centre : (G, C) int
        Organisation slot of each configuration's host and centre.
    cfg_mask : (G, C) bool
    loss : (G, C, O) float
        Trauma work each organisation loses under each configuration (hundreds of
        cases a year).
    params : ModelParameters, optional

    Returns
    -------
    CommitteeDesign

    Notes
    -----
    Vectorised over regions and configurations: the only loop over regions
    computes each management group's power index (cached by weights and quota).
    Under configuration :math:`c` hospital :math:`i` sits on the committee when it
    loses work (:math:`L_i > 10^{-12}`) and is neither host nor centre; its harm is
    :math:`h_i = \text{volume}_i/100 + \text{rehabilitation\_return}\,L_i`, its
    power :math:`\pi_i` its members' power plus the bloc's power shared among the
    bloc's members in proportion to weight times harm, and its reservation share
    :math:`h_i[c_i + p(1 - c_i)]/W` (module docstring).
    """
    params = _params(params)
    cs, ph, index = params.credible_share, params.partial_hold, params.power_index
    G, C = cfg_mask.shape
    O = org_names.shape[1]
    M, K = O + 1, len(ROLE_KINDS)
    rnames = [str(r) for r in region_names]
    reg = tables["regions"].assign(region=lambda t: t["region"].astype(str))
    reg = reg.drop_duplicates("region").set_index("region").reindex(rnames)
    rv = _region_values(reg, reg["network"].astype(str).to_numpy())
    omask = org_names != ""
    gi, oi = np.nonzero(omask)
    org_slot = {(rnames[g], str(org_names[g, o])): int(o) for g, o in zip(gi, oi, strict=True)}
    # the organisations' columns in the slots of org_names
    org = tables["organisations"]
    key = list(zip(org["region"].astype(str), org["organisation"].astype(str), strict=True))
    at = np.array([org_slot.get(k, -1) for k in key], np.int64)
    rid = {r: g for g, r in enumerate(rnames)}
    rg = np.array([rid.get(k[0], -1) for k in key], np.int64)
    ok = (at >= 0) & (rg >= 0)
    volume = np.zeros((G, O))
    volume[rg[ok], at[ok]] = org["trauma_volume"].to_numpy(dtype=float)[ok]
    kind = np.full((G, O), "", dtype=object)
    kind[rg[ok], at[ok]] = org["kind"].astype(str).to_numpy()[ok]
    elites = np.zeros((G, O))
    if "practice_elites" in org.columns:
        elites[rg[ok], at[ok]] = org["practice_elites"].to_numpy(dtype=float)[ok]
    org_power, bloc_power, bloc_w, bloc_slot = _member_power(
        tables["members"], rnames, org_slot, reg["quota"].to_numpy(dtype=float), O, index)

    live = cfg_mask[:, :, None] & omask[:, None, :]                       # (G, C, O)
    L = np.where(live, loss, 0.0)
    h_all = volume[:, None, :] / 100.0 + rv["rehabilitation_return"][:, None, None] * L
    slots = np.arange(O)
    on = (live & (L > 1e-12) & (slots != host[:, :, None]) & (slots != centre[:, :, None]))
    # the bloc's power shared among its members in proportion to weight times harm,
    # summed member by member in their rows' order (B is small; (G, C) at a time)
    bl = np.arange(G)[:, None]
    stakes = [np.where((bloc_slot[:, b] >= 0)[:, None], bloc_w[:, b, None]
                       * h_all[bl, :, np.maximum(bloc_slot[:, b], 0)[:, None]][:, 0], 0.0)
              for b in range(bloc_w.shape[1])]                           # B x (G, C)
    total_stake = np.zeros((G, C))
    for st in stakes:
        total_stake = total_stake + st
    shared = np.zeros((G, C, O))
    with np.errstate(divide="ignore", invalid="ignore"):
        for b, st in enumerate(stakes):
            part = np.where(total_stake > 0, bloc_power[:, None] * st / total_stake, 0.0)
            shared = shared + np.where(slots == bloc_slot[:, b, None, None], part[..., None],
                                       0.0)
    pw = org_power[:, None, :] + shared
    h = np.where(on, h_all, 0.0)
    h_sum = np.zeros((G, C))
    for o in range(O):
        h_sum = h_sum + h[..., o]
    credible = h >= cs * h_sum[..., None] - 1e-12
    w1 = np.where(on, h * np.where(credible, 1.0, ph), 0.0)
    n_seat = np.where(rv["seat_pool"][:, None] > 0, rv["seat_pool"][:, None],
                      on.sum(axis=-1).astype(float))                     # (G, C)
    counts = np.round(np.stack([np.broadcast_to(rv["portfolio_pool"][:, None], (G, C)), n_seat,
                                np.broadcast_to(rv["rotation_pool"][:, None], (G, C))],
                               axis=-1)).astype(np.int64)                  # (G, C, K)
    values = np.broadcast_to(np.stack([rv["portfolio_value"], rv["seat_value"],
                                       rv["rotation_value"]], axis=-1)[:, None, :], (G, C, K))
    W = np.matmul(counts.astype(float)[..., None, :], values[..., :, None])[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        res = np.where(on & (W > 0), w1 / W, 0.0)

    def with_director(x: np.ndarray, first: Any) -> np.ndarray:
        return np.concatenate([np.full(x.shape[:-1] + (1,), first, dtype=x.dtype), x], axis=-1)

    member = with_director(on, True)          # a padded configuration: director only
    names = with_director(np.where(on, org_names[:, None, :], ""), "")
    k_rot = ROLE_KINDS.index("rotation")
    rot_ok = (kind == "district") & (elites > 0)                          # (G, O)
    elig_h = np.repeat(on[:, :, None, :], K, axis=2)
    elig_h[:, :, k_rot] &= rot_ok[:, None, :]
    # the network may keep portfolios and rotation places, not committee seats
    keeps = np.array([k != "seat" for k in ROLE_KINDS])
    elig = np.concatenate([np.broadcast_to(keeps[None, None, :, None], (G, C, K, 1)), elig_h],
                          axis=-1)
    real = cfg_mask[..., None]
    counts_a = np.where(real, counts, 0)
    values_a = np.where(real, values, 0.0)
    quota = rv["committee_quota"]
    quota_share = np.where(cfg_mask, quota[:, None], 1.0)
    unanimous = ~(cfg_mask & (quota[:, None] < 1.0)).any(axis=1)
    options = coalitions = None
    if not unanimous.all():
        if M > MAX_QUOTA_COMMITTEE:
            raise InvalidArgumentError(
                "committee_quota", float(quota_share.min()),
                f"a quota below unanimity needs the committee's coalitions, and a region "
                f"here has {M - 1} organisations (at most {MAX_QUOTA_COMMITTEE - 1})",
                "Use committee_quota = 1 (unanimity, solved in closed form) for large "
                "regions")
        coalitions, _ = winning_coalitions(np.ones(M), 1.0)
        mf = member.astype(float)
        outside = np.einsum("sm,gcm->gcs", coalitions, 1.0 - mf)
        inside = np.einsum("sm,gcm->gcs", coalitions, mf)
        need = np.ceil(quota_share * mf.sum(axis=-1) - 1e-9)
        wins = (outside == 0) & (inside >= need[..., None])              # (G, C, S)
        options = ((coalitions.T > 0.5)[None, None] & wins[:, :, None, :]
                   & member[..., None])
        # padding slots (never recognised) may buy themselves alone, so that every
        # proposer's logit has an option
        gg, cc, jj = np.nonzero(~member)
        options[gg, cc, jj, (1 << jj) - 1] = True
    return CommitteeDesign(names, member, with_director(np.where(on, pw, 0.0), 0.0),
                           with_director(res, 0.0), elig, counts_a, values_a, unanimous,
                           with_director(np.where(on, L, 0.0), 0.0),
                           with_director(np.where(on, h_all, 0.0), 0.0),
                           with_director(w1, 0.0), cfg_mask.copy(), options, coalitions)


# ------------------------------------------------------------------ the model, once
def _expand(x: Any, nd: int) -> Any:
    """A parameter (..., G) broadcast against arrays (..., G, C, M...) with nd extra axes."""
    return x[(..., *([None] * nd))]


def committee_values(par: Mapping[str, Any], design: CommitteeDesign,
                     xp: ArrayBackend = NUMPY, smoothing: float | None = None) -> Any:
    r"""Recognition, reservation shares and the stationary values of every committee.

    Returns a dict with ``recognition``, ``reservation`` (pool shares),
    ``values`` (expected pool shares), ``prices`` and ``keep``
    (:class:`~gametheory.bargaining.committee.StationaryValues`), each
    (..., G, C, M), and ``covered`` (..., G, C): the pool covers the reservation
    values. ``par`` holds ``harm_weight``, ``proposer_advantage`` and ``patience``,
    each (..., G) or (..., 1).
    """
    # design arrays may be symbolic (one configuration per region picked by observed data,
    # :func:`committees_at`): every operation on them goes through xp
    slot0 = _slot0(design)
    power = xp.where(xp.logical_and(design.member, ~slot0), design.power, 0.0)
    total = xp.maximum(xp.sum(power, axis=-1, keepdims=True), 1e-12)
    weight = xp.where(slot0, _expand(xp.exp(par["proposer_advantage"]), 2) * total, power)
    rho = weight / xp.sum(weight, axis=-1, keepdims=True)
    r = _expand(par["harm_weight"], 2) * design.reservation_base
    delta = _expand(par["patience"], 2)
    out = unanimity_values(rho, delta, r, xp=xp)
    values, covered, prices, keep = out.values, out.covered, out.prices, out.keep
    if design.quota_options is not None:
        tau = SETTING_DEFAULTS["committee_smoothing"] if smoothing is None else smoothing
        q = quantal_values(rho, delta, r, design.coalitions, design.quota_options, tau=tau,
                           xp=xp)
        una = design.unanimous[:, None, None]
        values = xp.where(una, values, q.values)
        prices = xp.where(una, prices, q.prices)
        keep = xp.where(una, keep, q.keep)
        covered = xp.where(una[..., 0], covered, q.covered)
    return {"recognition": rho, "reservation": r, "values": values, "covered": covered,
            "prices": prices, "keep": keep}


def role_probabilities(par: Mapping[str, Any], design: CommitteeDesign,
                       xp: ArrayBackend = NUMPY, values: Any = None) -> Any:
    r"""Probability :math:`p_{kj}` that a role of kind :math:`k` goes to slot :math:`j`.

    (..., G, C, K, M): :math:`p_{kj} = v_j e_{kj}` for the hospitals, slot 0 (the
    network keeps the role) the rest. A kind the network does not keep
    (committee seats: the committee is the hospitals' body) is shared among the
    hospitals in proportion to :math:`v_j e_{kj}`. *values* may be given (from
    :func:`committee_values`).
    """
    if values is None:
        values = committee_values(par, design, xp)["values"]
    v = values[..., None, :]                                          # (..., G, C, 1, M)
    slot0 = _slot0(design)
    hosp = xp.logical_and(design.eligible, ~slot0)
    keeps = design.eligible[..., :1]                     # the network may keep this kind
    p_h = xp.where(hosp, v, 0.0)
    held = xp.sum(p_h, axis=-1, keepdims=True)
    # a kind the network cannot keep (committee seats) goes to the hospitals in
    # proportion to their shares (or stays unfilled when no hospital can hold it)
    scale = xp.where(keeps, 1.0, 1.0 / xp.maximum(held, 1e-300))
    # what the network keeps is the shares of the members who cannot hold the kind (its
    # own included): 1 - held without the cancellation, so that it is exactly 0 when the
    # hospitals' reservation values take the whole pool
    rest = xp.sum(xp.where(hosp, 0.0, v), axis=-1, keepdims=True)
    kept = xp.where(keeps, rest, xp.where(held > 0, 0.0, 1.0))
    return xp.where(slot0, kept, p_h * scale)


def _slot0(design: CommitteeDesign) -> np.ndarray:
    """(M,) bool: the network director's slot (0)."""
    return np.arange(design.names.shape[-1]) == 0


def committees_at(design: CommitteeDesign, chosen: Any, xp: ArrayBackend = NUMPY
                  ) -> CommitteeDesign:
    """The committee of one configuration per region: a CommitteeDesign with ``C = 1``.

    *chosen* (G,) int, numpy or symbolic (the observed configurations, a data
    container of the pymc model). With numpy *chosen* every array is numpy; with a
    symbolic one the numeric arrays are symbolic gathers of the numpy constants
    (no gradient flows through them) and ``names`` is blank. The equilibrium of
    the result equals the equilibrium of every configuration at the chosen ones
    (the committees are solved independently), at a ``C``-th of the cost: the
    likelihood needs only the chosen committee.
    """
    from dataclasses import replace

    G = design.member.shape[0]
    rows = np.arange(G)
    symbolic = xp.is_symbolic(chosen)

    def pick(a: np.ndarray | None) -> Any:
        if a is None:
            return None
        if not symbolic:
            return a[rows, np.asarray(chosen)][:, None]
        return xp.asarray(a)[rows, chosen][:, None]

    names = (pick(design.names) if not symbolic
             else np.full((G, 1, design.names.shape[-1]), "", dtype=object))
    return replace(design, names=names, member=pick(design.member), power=pick(design.power),
                   reservation_base=pick(design.reservation_base),
                   eligible=pick(design.eligible), pool_count=pick(design.pool_count),
                   pool_value=pick(design.pool_value), loss=pick(design.loss),
                   harm=pick(design.harm), worth_single=pick(design.worth_single),
                   cfg_mask=np.ones((G, 1), bool), quota_options=pick(design.quota_options))


def chosen_committee(design: CommitteeDesign, chosen: Any, xp: ArrayBackend = NUMPY,
                     probabilities: Any = None, par: Mapping[str, Any] | None = None
                     ) -> dict[str, Any]:
    """The committee of each region's chosen configuration (numpy or symbolic *chosen*).

    Returns ``p`` (..., G, K, M) (:func:`role_probabilities` at the chosen
    configuration; give *probabilities* of every configuration, or *par*: then only
    the chosen committees are solved, :func:`committees_at`), ``pool`` (G, K) (roles
    of each kind) and ``member`` (G, M) (slots on the committee, the director
    included).
    """
    if probabilities is None:
        at = committees_at(design, chosen, xp)
        p = role_probabilities(par or {}, at, xp)[..., 0, :, :]
        return {"p": p, "pool": at.pool_count[:, 0] * 1.0, "member": at.member[:, 0]}
    C = design.member.shape[1]
    ch = chosen if xp.is_symbolic(chosen) else np.asarray(chosen)
    onehot = xp.equal(ch[:, None], np.arange(C)[None, :])                  # (G, C)
    p = xp.sum(xp.where(onehot[:, :, None, None], probabilities, 0.0), axis=-3)
    pool = xp.sum(xp.where(onehot[:, :, None], design.pool_count.astype(float), 0.0), axis=1)
    member = xp.sum(xp.where(onehot[:, :, None], design.member.astype(float), 0.0),
                    axis=1) > 0.5
    return {"p": p, "pool": pool, "member": member}


def _gammaln(x: Any, xp: ArrayBackend) -> Any:
    r""":math:`\log\Gamma(x)` on the backend *xp* (numpy, pytensor or JAX)."""
    if xp.name == "numpy":
        from scipy.special import gammaln

        return gammaln(x)
    if xp.name == "jax":
        from jax.scipy.special import gammaln as jax_gammaln

        return jax_gammaln(x)
    import pytensor.tensor as pt

    return pt.gammaln(x)


def package_log_likelihood(par: Mapping[str, Any], design: CommitteeDesign, counts: Any,
                           observed: Any, chosen: Any, xp: ArrayBackend = NUMPY,
                           probabilities: Any = None) -> Any:
    r"""Multinomial log-likelihood of observed role counts, (..., G).

    Parameters
    ----------
    par : mapping
        ``harm_weight``, ``proposer_advantage``, ``patience`` ((..., G) or (..., 1)).
    design : CommitteeDesign
    counts : (G, K, O) array (numpy or symbolic)
        Roles of each kind held as concessions by each organisation (slot ``o`` is
        the committee's slot ``1 + o``).
    observed : (G, K, O) bool array
        Which counts are observed.
    chosen : (G,) int array
        The chosen configuration of each region.
    probabilities : (..., G, C, K, M), optional
        :func:`role_probabilities`, if already computed.

    Notes
    -----
    For each region and kind :math:`k` with at least one observed count of a
    committee hospital, the observed counts :math:`n_{kj}` (:math:`j \in S`) and
    the rest of the pool :math:`N_k - \sum_{j\in S} n_{kj}` (kept by the network
    or held by hospitals whose count is not observed) are multinomial with
    probabilities :math:`p_{kj}` and :math:`1 - \sum_{j\in S} p_{kj}` (merging
    cells of a multinomial leaves a multinomial), so a partly observed
    committee is scored exactly. The probability of the rest is summed from its
    cells (no cancellation). Counts of organisations that are not on the chosen
    committee are ignored (the data reader refuses positive ones).

    On JAX, with numpy data, unanimous committees and numba installed, the same
    quantities run as one compiled loop with its exact gradient
    (:func:`_compiled_package_log_likelihood`): differentiable in reverse mode only
    (``jax.grad``, ``jax.value_and_grad``); forward-mode derivatives need the
    pytensor graph or numpy.
    """
    if (xp.name == "jax" and probabilities is None and par is not None
            and not any(xp.is_symbolic(x) for x in (counts, observed, chosen))
            and (design.quota_options is None or bool(np.all(design.unanimous)))):
        out = _compiled_package_log_likelihood(par, design, counts, observed, chosen)
        if out is not None:
            return out
    cc = chosen_committee(design, chosen, xp, probabilities, par)
    obs = xp.logical_and(observed, cc["member"][:, None, 1:])              # (G, K, O)
    return observed_cells_log_likelihood(cc["p"], cc["pool"], counts, obs, xp)


def _compiled_package_log_likelihood(par: Mapping[str, Any], design: CommitteeDesign,
                                     counts: np.ndarray, observed: np.ndarray,
                                     chosen: np.ndarray) -> Any:
    r""":func:`package_log_likelihood` on JAX by one compiled loop (``None`` without numba).

    :func:`gametheory.restratification._concession_kernel.concession_log_likelihood`
    (numba) runs, region by region, the chosen committee's unanimity solution, its role
    probabilities and the multinomial of the observed cells, and with the value the
    exact derivatives in the three bargaining parameters (one call per value and
    gradient: a sampler always wants both). JAX calls it through ``pure_callback``
    under a ``custom_vjp`` rule (reverse mode only; forward-mode derivatives need the
    pytensor graph or numpy). Only for numpy data and unanimous committees (the
    caller checks); the parameters are (..., G) or (..., 1). Everything that does not
    depend on them (the chosen committees, the counts, the multinomial coefficients)
    is computed here once, in numpy.
    """
    try:
        from ._concession_kernel import concession_log_likelihood as kernel
    except ImportError:          # pragma: no cover - numba comes with pytensor
        return None
    import jax.numpy as jnp

    at = committees_at(design, np.asarray(chosen))
    member = at.member[:, 0]                                               # (G, M)
    G = member.shape[0]
    obs = np.asarray(observed, bool) & member[:, None, 1:]
    n, rest_n, _, _, const, scored = _multinomial_data(at.pool_count[:, 0] * 1.0, counts,
                                                       obs, NUMPY)
    # every committee packed at the front of its slots (director first, the members in
    # their order): the loop runs over members only
    size = member.sum(axis=-1)
    order = np.argsort(~member, axis=-1, kind="stable")[:, :int(size.max())]   # (G, Mc)
    packed = np.arange(order.shape[1]) < size[:, None]

    def pack(x: np.ndarray) -> np.ndarray:                  # (G, [K,] M) -> (G, [K,] Mc)
        idx = order if x.ndim == 2 else order[:, None, :]
        keep = packed if x.ndim == 2 else packed[:, None, :]
        return np.ascontiguousarray(np.where(keep, np.take_along_axis(x, idx, axis=-1), 0),
                                    dtype=np.float64)

    slot0 = _slot0(design)
    zero = np.zeros(obs.shape[:-1] + (1,), bool)
    hold = pack(at.eligible[:, 0] & ~slot0)
    unobserved = pack(np.concatenate([zero, ~obs], axis=-1)) * hold
    count = pack(np.concatenate([zero.astype(float), n], axis=-1))
    gi, ki, ji = np.nonzero(count > 0)
    cells = (np.concatenate([[0], np.cumsum(np.bincount(gi, minlength=G))]).astype(np.int64),
             ki.astype(np.int64), ji.astype(np.int64), count[gi, ki, ji])
    data = (pack(np.where(member & ~slot0, at.power[:, 0], 0.0)),
            pack(at.reservation_base[:, 0]), hold,
            np.ascontiguousarray(at.eligible[:, 0, :, 0], np.bool_), unobserved, *cells,
            np.ascontiguousarray(rest_n, np.float64), np.ascontiguousarray(scored, np.bool_),
            np.ascontiguousarray(const, np.float64))
    pars = [jnp.asarray(par[k], dtype=jnp.float64) for k in BARGAINING_PARAMETERS]
    shape = tuple(jnp.broadcast_shapes(*(x.shape[:-1] for x in pars))) + (G,)
    # one input and one output: a callback costs per argument
    theta = jnp.stack([jnp.broadcast_to(x, shape) for x in pars])

    def run(theta: Any, grad: bool) -> np.ndarray:
        theta = np.ascontiguousarray(theta, dtype=np.float64).reshape(3, -1, G)
        out = np.empty(theta.shape[1:] + (4,))
        kernel(theta, *data, grad, out)
        return out.reshape(shape + (4,))

    return compiled_on_jax(run, theta, shape + (4,),
                           lambda d, bar: jnp.moveaxis(bar[..., None] * d, -1, 0))


def observed_cells_log_likelihood(p: Any, pool: Any, counts: Any, observed: Any,
                                  xp: ArrayBackend = NUMPY) -> Any:
    r"""Multinomial log-likelihood of observed cells, the others merged, (...,).

    *p* (..., K, M) role probabilities of one committee (slot 0 the network),
    *pool* (..., K) roles of each kind, *counts* and *observed* (..., K, O)
    (slot ``o`` is member ``1 + o``). For each kind with an observed cell:
    :math:`\log N! - \sum_{j\in S}\log n_j! - \log r! + \sum_{j\in S} n_j\log p_j +
    r \log(1 - \sum_{j\in S} p_j)`, :math:`r = N - \sum_{j\in S} n_j` (see
    :func:`package_log_likelihood`).
    """
    p_o = p[..., 1:]
    # what does not depend on the probabilities (counts, the rest of the pool, the
    # multinomial coefficient) is computed in numpy when the data are numpy, so that a
    # compiled likelihood holds it as constants
    data_xp = xp if any(xp.is_symbolic(x) for x in (pool, counts, observed)) else NUMPY
    n, rest_n, pos, more, const, any_obs = _multinomial_data(pool, counts, observed, data_xp)
    rest_p = xp.maximum(p[..., 0] + xp.sum(xp.where(observed, 0.0, p_o), axis=-1), 0.0)
    ll = xp.sum(xp.where(pos, n * xp.log(xp.where(pos, p_o, 1.0)), 0.0), axis=-1)
    ll = ll + xp.where(more, rest_n * xp.log(xp.where(more, rest_p, 1.0)), 0.0)
    return xp.sum(xp.where(any_obs, ll + const, 0.0), axis=-1)


def _multinomial_data(pool: Any, counts: Any, observed: Any, xp: ArrayBackend
                      ) -> tuple[Any, Any, Any, Any, Any, Any]:
    """What :func:`observed_cells_log_likelihood` needs of the data alone: the observed
    counts ``n`` (..., K, O) (0 elsewhere), the rest of each pool ``rest_n`` (..., K),
    ``n > 0``, ``rest_n > 0.5``, the multinomial coefficients (..., K) and the kinds
    with an observed cell (..., K)."""
    n = xp.where(observed, counts, 0.0)
    rest_n = pool - xp.sum(n, axis=-1)                                     # (..., K)
    const = (_gammaln(pool + 1.0, xp) - xp.sum(_gammaln(n + 1.0, xp), axis=-1)
             - _gammaln(xp.maximum(rest_n, 0.0) + 1.0, xp))
    any_obs = xp.sum(xp.where(observed, 1.0, 0.0), axis=-1) > 0.5          # (..., K)
    return n, rest_n, n > 0, rest_n > 0.5, const, any_obs


def draw_packages(rng: np.random.Generator, probabilities: np.ndarray,
                  pool_count: np.ndarray) -> np.ndarray:
    """Role counts drawn from the equilibrium: one multinomial per kind of role.

    *probabilities* (..., K, M) from :func:`role_probabilities`, *pool_count*
    (..., K); returns integer counts (..., K, M) whose expectation is
    ``pool_count * probabilities`` exactly.
    """
    p = np.clip(np.asarray(probabilities, float), 0.0, None)
    p = p / p.sum(axis=-1, keepdims=True)
    n = np.broadcast_to(np.asarray(pool_count, np.int64), p.shape[:-1])
    return rng.multinomial(n, p)


def apportion(expected: np.ndarray) -> np.ndarray:
    """Hamilton's apportionment of expected counts (..., M) to integers.

    Every entry gets the floor of its expectation; the roles left (the total is
    rounded to an integer) go to the largest remainders, ties to the lower index.
    Each entry is the floor or the ceiling of its expectation and the totals are
    kept (Balinski and Young 2001, the quota property).

    Examples
    --------
    >>> apportion(np.array([2.6, 1.3, 1.1])).tolist()
    [3, 1, 1]
    """
    e = np.asarray(expected, float)
    base = np.floor(e + 1e-12)
    left = np.round(e.sum(axis=-1) - base.sum(axis=-1)).astype(np.int64)
    rem = e - base
    order = np.argsort(-rem, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(e.shape[-1])[None, ...] if e.ndim > 1
                      else np.arange(e.shape[-1]), axis=-1)
    return (base + (ranks < left[..., None])).astype(np.int64)


# ------------------------------------------------------------------ numpy analysis
@dataclass(frozen=True)
class CommitteeOutcome:
    """The committee of one region under one configuration, solved (numpy)."""

    names: list[str]
    recognition: np.ndarray
    reservation: np.ndarray
    values: np.ndarray
    covered: bool
    probabilities: np.ndarray        # (K, M)
    expected: np.ndarray             # (K, M) expected counts
    package: np.ndarray              # (K, M) apportioned counts
    loss: np.ndarray
    harm: np.ndarray
    power: np.ndarray
    pool_count: np.ndarray
    pool_value: np.ndarray
    prices: np.ndarray
    keep: np.ndarray
    worth_single: np.ndarray
    params: dict[str, float] = field(default_factory=dict)


def solve_committee(region: Region, chosen: tuple[str, str], params: Any = None
                    ) -> CommitteeOutcome:
    """The committee under *chosen*, its equilibrium shares and role packages (numpy)."""
    design = committee_design([region], [[tuple(chosen)]], params)
    par = bargaining_parameters(params)
    cv = committee_values(par, design)
    probs = role_probabilities(par, design, values=cv["values"])[0, 0]
    idx = np.flatnonzero(design.member[0, 0])           # the director, then the members
    counts = design.pool_count[0, 0]
    expected = counts[:, None] * probs[:, idx]
    package = apportion(expected)

    def pick(a: Any) -> np.ndarray:
        return np.asarray(a)[0, 0, idx]

    return CommitteeOutcome(
        names=["(network)", *[str(x) for x in design.names[0, 0, idx[1:]]]],
        recognition=pick(cv["recognition"]), reservation=pick(cv["reservation"]),
        values=pick(cv["values"]), covered=bool(cv["covered"][0, 0]),
        probabilities=probs[:, idx], expected=expected, package=package,
        loss=pick(design.loss), harm=pick(design.harm), power=pick(design.power),
        pool_count=counts, pool_value=design.pool_value[0, 0],
        prices=pick(cv["prices"]), keep=pick(cv["keep"]),
        worth_single=pick(design.worth_single) * float(par["harm_weight"][0]),
        params={k: float(v[0]) for k, v in par.items()})


# ------------------------------------------------------------------ who holds which role
def clinical_lead(region: Region, org: str, exclude: set[str] = frozenset()) -> Any:
    """The hospital's clinical lead: a doctor flagged ``clinical_lead``, else its
    policy-active doctor of most social capital, else its doctor of most social capital."""
    docs = [d for d in region.doctors_of(org) if not d.opinion_leader and d.name not in exclude]
    if not docs:
        return None
    flagged = [d for d in docs if _setting(d, "clinical_lead", False)]
    if flagged:
        return flagged[0]
    policy = [d for d in docs if "policy" in d.domains]
    return max(policy or docs, key=lambda d: (d.social, d.cultural))


def portfolio_match(doctor: Any, portfolio: str) -> float:
    r"""How well a doctor's domain capital fits a portfolio (unitless).

    :math:`2\,[\text{service} \in \text{specialties}] + [\text{domain} \in
    \text{domains}] + \kappa_d / 10`, where the portfolio's domain and service
    come from :data:`PORTFOLIO_PROFILES` and :math:`\kappa_d` is the doctor's
    capital in that domain (cultural for practice and research/education,
    social for policy): specialists first, then doctors active in the domain,
    then capital.
    """
    domain, service, _ = _portfolio_profile(portfolio)
    spec = frozenset(_setting(doctor, "specialties", frozenset()))
    cap = doctor.social if domain == "policy" else doctor.cultural
    return (2.0 * (service is not None and service in spec) + 1.0 * (domain in doctor.domains)
            + cap / 10.0)


def assign_roles(region: Region, chosen: tuple[str, str], outcome: CommitteeOutcome,
                 directors: Sequence[str] = ()) -> pd.DataFrame:
    """Who holds each role of the pool (one row per role).

    Columns: ``role``, ``kind`` (portfolio, seat, rotation), ``organisation``
    (the holder's), ``holder``, ``value`` (value units), ``concession`` (held by a
    committee hospital, rather than kept by the network), ``reports_to``
    (``network`` or ``centre``: the director above it), ``note``.

    Portfolios are matched to the hospitals' slots by an assignment that
    maximises the holders' total :func:`portfolio_match`, a portfolio needing a
    clinical service only to a hospital that runs it (:func:`services_of`); a
    slot no remaining portfolio fits goes back to the network (noted). Within a
    hospital each portfolio goes to its best-matching doctor, one lead per
    doctor while doctors remain.
    """
    from scipy.optimize import linear_sum_assignment

    host, centre = chosen
    taken = set(directors)
    network_orgs = [centre, host] if host != centre else [centre]
    k_port, k_seat, k_rot = (ROLE_KINDS.index(k) for k in ROLE_KINDS)
    names = outcome.names
    pk = outcome.package
    orgs = {o.name: o for o in region.organisations}
    rows: list[dict[str, Any]] = []
    ports = list(region.roles.portfolios.items())

    def docs_of(slot: int) -> list[Any]:
        owners = network_orgs if slot == 0 else [names[slot]]
        return [d for o in owners for d in region.doctors_of(o)
                if not d.opinion_leader and d.name not in taken]

    def fits(slot: int, portfolio: str) -> bool:
        service = _portfolio_profile(portfolio)[1]
        return slot == 0 or service is None or service in services_of(orgs[names[slot]])

    # portfolios -> slots (the network's slots fit every portfolio)
    slots = [j for j in range(len(names)) for _ in range(int(pk[k_port, j]))]
    slots += [0] * max(len(ports) - len(slots), 0)
    score = np.full((len(slots), len(ports)), -1e6)
    for a, j in enumerate(slots):
        ds = docs_of(j)
        for b, (pname, _) in enumerate(ports):
            if fits(j, pname):
                score[a, b] = max((portfolio_match(d, pname) for d in ds), default=0.0)
    ra, cb = linear_sum_assignment(score, maximize=True)
    held: dict[int, list[str]] = {}
    notes: dict[str, str] = {}
    for a, b in zip(ra, cb, strict=True):
        j, pname = slots[a], ports[b][0]
        if score[a, b] <= -1e5:
            notes[pname] = (f"returned to the network: {names[j]} runs no "
                            f"{_portfolio_profile(pname)[1]} service")
            j = 0
        held.setdefault(j, []).append(pname)
    value = dict(ports)
    for j in sorted(held):
        ds = docs_of(j)
        used: set[str] = set()
        for pname in sorted(held[j], key=lambda p: -value[p]):
            pool_d = [d for d in ds if d.name not in used] or ds
            best = max(pool_d, key=lambda d: (portfolio_match(d, pname), d.cultural),
                       default=None)
            if best is not None:
                used.add(best.name)
            rows.append({"role": f"{pname} lead", "kind": "portfolio",
                         "organisation": best.employer if best else (names[j] if j else
                                                                      centre),
                         "holder": best.name if best else "(vacant)", "value": value[pname],
                         "concession": j > 0, "reports_to": _portfolio_profile(pname)[2],
                         "note": notes.get(pname, "")})
    # committee seats: each hospital's clinical lead, then its doctors by social capital
    seat_v = float(region.roles.seat_value)
    for j in range(len(names)):
        n = int(pk[k_seat, j])
        if n == 0:
            continue
        owners = network_orgs if j == 0 else [names[j]]
        chosen_docs: list[Any] = []
        for i in range(n):
            org = owners[i % len(owners)]
            d = clinical_lead(region, org, taken | {x.name for x in chosen_docs})
            chosen_docs.append(d) if d is not None else None
            rows.append({"role": "Network Clinical Committee seat", "kind": "seat",
                         "organisation": d.employer if d else org,
                         "holder": d.name if d else f"(a representative of {org})",
                         "value": seat_v, "concession": j > 0, "reports_to": "network",
                         "note": "" if i == 0 else "additional seat"})
    # rotation places: the hospital's practice elites, round-robin
    rot_v = float(region.roles.rotation_value)
    for j in range(len(names)):
        n = int(pk[k_rot, j])
        elites = practice_elites(region, names[j]) if j > 0 else []
        for i in range(n):
            d = elites[i % len(elites)] if elites else None
            rows.append({"role": f"{region.roles.centre} rotation place", "kind": "rotation",
                         "organisation": d.employer if d else (names[j] if j else centre),
                         "holder": d.name if d else "(not allocated: kept by the centre)",
                         "value": rot_v, "concession": j > 0, "reports_to": "centre",
                         "note": ""})
    return pd.DataFrame(rows, columns=["role", "kind", "organisation", "holder", "value",
                                       "concession", "reports_to", "note"])


# ------------------------------------------------------------------ stability
@dataclass(frozen=True)
class Stability:
    """Whether the role packages alone keep every coalition of committee hospitals.

    Attributes
    ----------
    stable : bool
        Every coalition :math:`S` receives at least its worth, :math:`x(S) \\ge v(S)`.
    withdrawing : DataFrame
        The coalitions that would still withdraw (deficit :math:`v(S) - x(S) > 0`,
        value units), largest deficit first (at most 20 listed).
    n_withdrawing : int
    shortfall : float
        The least extra value (value units) that would keep every coalition:
        :math:`\\min \\sum_i s_i` s.t. :math:`x(S) + s(S) \\ge v(S)`, :math:`s \\ge 0`.
    deficit : ndarray
        Each hospital's part of that least extra value (value units).
    exact : bool
        Every coalition was checked (up to 16 hospitals); otherwise singletons,
        the whole committee and the greedy coalitions of largest deficit.
    """

    stable: bool
    withdrawing: pd.DataFrame
    n_withdrawing: int
    shortfall: float
    deficit: np.ndarray
    exact: bool


MAX_EXACT_COALITIONS = 16


def participation_game(region: Region, names: Sequence[str], harm_values: np.ndarray,
                       params: Any = None) -> Any:
    r"""The committee hospitals' participation game (value units).

    :math:`v(S) = \omega H(S)` when :math:`S` holds at least ``credible_share``
    of the committee's harm, ``partial_hold`` of that otherwise (a
    :class:`~gametheory.games.ThresholdGame`), restricted to the declared
    cooperation graph when there is one.
    """
    from ..games import ThresholdGame
    from ..tu.game import TUGame

    params = _params(params)
    omega, cs, ph = params.harm_weight, params.credible_share, params.partial_hold
    h = np.asarray(harm_values, float)
    game = ThresholdGame(omega * h, h, cs * h.sum(), ph, players=list(names))
    if region.cooperation is not None and len(names) <= MAX_EXACT_COALITIONS:
        from .blocs import restrict_game

        game = restrict_game(region, TUGame(game.values, game.players))
    return game


def stability(game: Any, x: np.ndarray) -> Stability:
    """Check packages *x* (value units) against every coalition's worth in *game*."""
    from scipy.optimize import linprog

    from ..errors import SolverError

    x = np.asarray(x, float)
    n = len(x)
    names = list(game.players)
    exact = n <= MAX_EXACT_COALITIONS
    if exact:
        masks = np.arange(1, 1 << n)
        member = ((masks[:, None] >> np.arange(n)) & 1).astype(float)
        worth = np.asarray(game.values, float)[masks]
    else:
        # a threshold game (no graph above 16 players): singletons, the whole committee
        # and the greedy prefixes by individual deficit
        def worths(mem: np.ndarray) -> np.ndarray:
            a, w = mem @ game.claims, mem @ game.weights
            return np.where(w >= game.quota - 1e-12 * max(1.0, game.quota), a,
                            game.partial * a)

        order = np.argsort(-(worths(np.eye(n)) - x))
        member = np.vstack([np.eye(n), np.array([np.isin(np.arange(n), order[:k + 1])
                                                 for k in range(1, n)], float)])
        worth = worths(member)
    deficit_s = worth - member @ x
    bad = np.flatnonzero(deficit_s > 1e-9)
    order = bad[np.argsort(-deficit_s[bad], kind="stable")][:20]
    wd = pd.DataFrame({
        "coalition": [", ".join(names[i] for i in np.flatnonzero(member[k])) for k in order],
        "worth": worth[order], "receives": (member @ x)[order], "deficit": deficit_s[order]})
    if len(bad):
        res = linprog(np.ones(n), A_ub=-member, b_ub=-(worth - member @ x), bounds=(0, None),
                      method="highs")
        if res.status != 0:
            raise SolverError("concession shortfall LP", res.status, str(res.message),
                              "Check the harms and role values are finite")
        s = np.asarray(res.x, float)
    else:
        s = np.zeros(n)
    return Stability(len(bad) == 0, wd, len(bad), float(s.sum()), s, exact)


# ------------------------------------------------------------------ hierarchy
def hierarchy_table(region: Region, appointed: pd.DataFrame, roles: pd.DataFrame
                    ) -> pd.DataFrame:
    """Who reports to whom: one row per position, ``parent`` the row it reports to.

    Level 1: the two directors. Level 2: the portfolio leads (under the director
    their portfolio reports to), the Network Clinical Committee (chaired by the
    network director) and the centre's rotation scheme (under the centre
    director). Level 3: the committee's members and the rotating doctors.
    Columns: ``level``, ``role``, ``holder``, ``organisation``, ``parent``
    (row index, -1 at the top), ``reports_to`` (the parent's role),
    ``concession``.
    """
    rows: list[dict[str, Any]] = []
    r = region.roles
    top: dict[str, int] = {}
    for _, a in appointed[appointed["appointed"]].iterrows():
        key = "network" if a["role"] == r.network_director else "centre"
        top[key] = len(rows)
        rows.append({"level": 1, "role": a["role"], "holder": a["doctor"],
                     "organisation": a["organisation"], "parent": -1, "concession": False})

    def add(level: int, role: str, holder: str, org: str, parent: int, conc: bool) -> int:
        rows.append({"level": level, "role": role, "holder": holder, "organisation": org,
                     "parent": parent, "concession": conc})
        return len(rows) - 1

    for key in ("network", "centre"):
        if key not in top:
            continue
        leads = roles[(roles["kind"] == "portfolio") & (roles["reports_to"] == key)]
        for _, p in leads.iterrows():
            add(2, p["role"], p["holder"], p["organisation"], top[key], bool(p["concession"]))
        body_kind = "seat" if key == "network" else "rotation"
        members = roles[(roles["kind"] == body_kind)
                        & ~roles["holder"].astype(str).str.startswith("(not allocated")]
        if len(members):
            body = ("Network Clinical Committee" if key == "network"
                    else f"{r.centre} rotation scheme")
            head = rows[top[key]]
            b = add(2, body, f"(chaired by {head['holder']})", head["organisation"], top[key],
                    False)
            for _, m in members.iterrows():
                add(3, m["role"], m["holder"], m["organisation"], b, bool(m["concession"]))
    df = pd.DataFrame(rows, columns=["level", "role", "holder", "organisation", "parent",
                                     "concession"])
    df["reports_to"] = [df.at[p, "role"] if p >= 0 else "" for p in df["parent"]]
    return df


def hierarchy_graph(table: pd.DataFrame) -> Any:
    """The hierarchy as a :class:`networkx.DiGraph` (edges from superior to subordinate),
    nodes added depth first so that each layer lists children in their parents' order."""
    import networkx as nx

    g = nx.DiGraph()
    children: dict[int, list[int]] = {}
    for i, p in zip(table.index, table["parent"], strict=True):
        children.setdefault(int(p), []).append(int(i))

    def visit(i: int) -> None:
        label = "\n".join(textwrap.fill(str(table.at[i, c]), 22) for c in ("role", "holder"))
        g.add_node(i, layer=int(table.at[i, "level"]),
                   label=f"{label}\n({textwrap.fill(str(table.at[i, 'organisation']), 24)})",
                   concession=bool(table.at[i, "concession"]))
        for c in children.get(i, []):
            visit(c)
            g.add_edge(i, c)

    for root in children.get(-1, []):
        visit(root)
    return g


def hierarchy_positions(table: pd.DataFrame) -> dict[int, tuple[float, float]]:
    """Layered positions (networkx multipartite layout, level 1 on top)."""
    import networkx as nx

    g = hierarchy_graph(table)
    if g.number_of_nodes() == 0:
        return {}
    pos = nx.multipartite_layout(g, subset_key="layer", align="horizontal")
    # the layout puts the first layer at the bottom: directors go on top
    return {int(k): (float(v[0]), -float(v[1])) for k, v in pos.items()}


def draw_hierarchy(table: pd.DataFrame, ax: Any = None, title: str | None = None) -> Any:
    """Draw the hierarchy as a layered tree without crossing edges; returns the axes.

    Uses matplotlib's object-oriented API only (a new :class:`~matplotlib.figure.Figure`
    when *ax* is None), so the user's backend and open figures are left alone.
    """
    import networkx as nx

    if ax is None:
        from matplotlib.figure import Figure

        widest = int(table.groupby("level").size().max()) if len(table) else 1
        ax = Figure(figsize=(max(8.0, 1.6 * widest), 6)).subplots()
    g = hierarchy_graph(table)
    pos = hierarchy_positions(table)
    if pos:
        nx.draw_networkx_edges(g, pos, ax=ax, arrows=False, edge_color="grey", width=0.6)
        colours = {1: "#f4d35e", 2: "#9fd8cb", 3: "#e5e5e5"}
        for n, (x, y) in pos.items():
            d = g.nodes[n]
            ax.text(x, y, d["label"], ha="center", va="center", fontsize=5.5,
                    bbox={"boxstyle": "round", "fc": colours.get(d["layer"], "#e5e5e5"),
                          "ec": "#c0392b" if d["concession"] else "grey"})
    ax.set_axis_off()
    ax.set_title(title or "Resulting hierarchy (red outline: a concession)")
    return ax


# ------------------------------------------------------------------ the analysis
@dataclass(frozen=True)
class ConcessionAnalysis:
    """Concessions to the hospitals that lost work: bargaining, packages, holders, stability.

    Attributes
    ----------
    table : DataFrame
        One row per committee hospital (:data:`UNITS` gives every column's unit):
        designation, ``loss``, ``harm``, ``recognition``, ``share`` (expected
        share of the pool; the expected number of roles of kind :math:`k` is
        :math:`N_k p_{kj}`), ``<kind>_roles`` (roles held), ``package_value``
        (value of the roles held) and ``shortfall`` (its part of the least extra
        value that would keep every coalition).
    committee_game : DataFrame
        The bargaining: recognition, reservation, price, expected share and
        what each member keeps when it proposes (pool shares); with a declared
        cooperation graph, ``myerson_share`` of the committee's majority game.
    roles : DataFrame
        Every role of the pool and its holder (:func:`assign_roles`).
    packages : DataFrame
        The roles held by committee hospitals (the concessions).
    game : TUGame or None
        The participation game (:func:`participation_game`).
    stable : bool
        The packages alone (no extra payment) give every coalition of committee
        hospitals at least its worth.
    shortfall : float
        The least extra value (value units) that would make them stable.
    withdrawing : DataFrame
        Coalitions that would still withdraw, with their deficits.
    covered : bool
        The pool covers the reservation values (else it is rationed).
    stable_in_expectation : bool
        The expected packages (share times the pool's value) would keep every
        coalition: when this holds and ``stable`` does not, the instability
        comes from indivisible roles.
    pool : DataFrame
        Pool size and value per kind of role.
    outcome : CommitteeOutcome
    """

    table: pd.DataFrame
    packages: pd.DataFrame
    game: Any
    stable: bool
    shortfall: float
    committee_game: pd.DataFrame | None
    roles: pd.DataFrame = field(default_factory=pd.DataFrame)
    withdrawing: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_withdrawing: int = 0
    exact: bool = True
    covered: bool = True
    stable_in_expectation: bool = True
    pool: pd.DataFrame = field(default_factory=pd.DataFrame)
    outcome: CommitteeOutcome | None = field(default=None, repr=False)


def concession_analysis(region: Region, chosen: tuple[str, str], params: Any = None,
                        directors: Sequence[str] = ()) -> ConcessionAnalysis:
    """Solve the committee under *chosen*, hand out the roles and check stability.

    *directors* (doctor names) hold no further role.

    Examples
    --------
    >>> from gametheory.restratification import scenarios
    >>> c = concession_analysis(scenarios.load("case-region"),
    ...                         ("Riverside Care Trust", "Northgate Teaching Hospital"))
    >>> c.stable, c.stable_in_expectation      # indivisible roles leave a hospital out
    (False, True)
    >>> list(c.withdrawing["coalition"])
    ['Fenwick Community Hospital']
    """
    from .model import designations_and_losses

    out = solve_committee(region, chosen, params)
    des = designations_and_losses(region, chosen)
    pool_df = pd.DataFrame({"roles": out.pool_count, "value_per_role": out.pool_value,
                            "value": out.pool_count * out.pool_value},
                           index=pd.Index(ROLE_KINDS, name="kind"))
    roles = assign_roles(region, chosen, out, directors)
    names = out.names[1:]
    packages = roles[roles["concession"]].reset_index(drop=True)
    if not names:
        return ConcessionAnalysis(pd.DataFrame(), packages, None, True, 0.0, None, roles,
                                  pd.DataFrame(), 0, True, out.covered, True, pool_df, out)
    counts = packages.groupby(["organisation", "kind"]).size()
    held = {k: [int(counts.get((n, k), 0)) for n in names] for k in ROLE_KINDS}
    per_org = packages.groupby("organisation")["value"].sum()
    x = np.array([float(per_org.get(n, 0.0)) for n in names])
    game = participation_game(region, names, out.harm[1:], params)
    st = stability(game, x)
    W = float(out.pool_count @ out.pool_value)
    in_expectation = stability(game, out.values[1:] * W).stable
    # columns that another determines by construction are left out: power (the
    # recognition is proportional to it), the expected value and expected counts (the
    # share times the pool, in the pool table), the reservation (proportional to the
    # harm; its pool share is in the committee table)
    table = pd.DataFrame({
        "designation": des.loc[names, "designation"].to_numpy(),
        "loss": out.loss[1:], "harm": out.harm[1:],
        "recognition": out.recognition[1:], "share": out.values[1:],
        **{f"{k}_roles": held[k] for k in ROLE_KINDS},
        "package_value": x, "shortfall": st.deficit,
    }, index=pd.Index(names, name="organisation"))
    committee = pd.DataFrame({
        "organisation": [chosen[0], *names], "recognition": out.recognition,
        "reservation": out.reservation, "price": out.prices, "share": out.values,
        "keeps": out.keep},
        index=pd.Index([region.roles.network_director, *names], name="committee member"))
    from .blocs import committee_myerson

    my = committee_myerson(region, list(committee.index), list(committee["organisation"]))
    if my is not None:
        committee["myerson_share"] = my        # the committee on the cooperation graph
    return ConcessionAnalysis(table, packages, game, st.stable, st.shortfall, committee, roles,
                              st.withdrawing, st.n_withdrawing, st.exact, out.covered,
                              in_expectation, pool_df, out)
