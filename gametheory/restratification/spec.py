r"""The one specification of the restratification model, written once.

Everything that turns regions and parameters into probabilities lives here:
the named features of a configuration and of an appointment candidate, the
builder of the compiled design arrays of one or many regions (padded and
masked), and the functions from parameters to proposal logits, vote
utilities, pass and choice probabilities, appointment utilities and the
probabilities of the concession roles. Each function takes an array backend ``xp``
(:mod:`gametheory.formation.backend`), so :func:`~gametheory.restratification.run`,
:func:`estimation.simulate`, the maximum-likelihood fit, the predictions (all
numpy) and the pymc model (pytensor, compiled to C or JAX) execute the same
code. No other module knows the number or order of the features.

The model of one region
-----------------------
**Configurations** :math:`c = (h, m)` pair a bidder for host with a bidder for
centre (the MTC). Features :math:`x(c)` = :data:`CONFIG_FEATURES`: the host's
management track record and performance, the centre's specialist breadth and
number of super-specialist services. The chair proposes :math:`c` with
probability :math:`\propto e^{\lambda V(c)}`, :math:`V(c) = \theta\cdot x(c)`.

**Votes.** Member :math:`j` of the management group (integer weight
:math:`w_j`) supports :math:`c` with probability :math:`\sigma(\kappa u_j(c))`,

.. math::

    u_j(c) = s_{t(j)} + \rho\,[R_j(c) - \bar R_j] - [L_j(c) - \bar L_j]
             - \delta\, b_j\, [k(c) - \bar k],

where :math:`t(j)` is the member's type (commissioners, who represent no
organisation; the ambulance service; any other organisation) with baseline
support :math:`s_t` (``stake_commissioners``, ``stake_ambulance``,
``support``); :math:`R_j(c)` is the number of roles (host, centre) its
organisation wins; :math:`L_j(c)` the trauma work its organisation loses
(hundreds of cases a year: a Trauma Unit keeps ``unit_retained`` of its
volume, a lower-tier unit ``lower_retained``, the centre all of it);
:math:`b_j = 1` for members of the district bloc; and :math:`k(c)` the
concentration (1 when one organisation holds both roles,
``tier_concentration`` when two teaching hospitals share them, else 0). The bars
are means over the region's configurations: a member supports what is better
for it than its expected alternative (the chair's next proposal is uncertain),
plus its baseline. Centring matters: a district hospital loses (nearly) the same
work under every configuration, so the raw loss would make districts oppose
everything; relative to its expectation that loss cancels and the district
votes on what differs, the concentration. The utility scale is fixed by the
work lost (coefficient 1: :math:`u` is in hundreds of cases a year), so
:math:`\kappa` is the votes' precision per hundred cases and
:math:`\rho, \delta, s_t` are in hundreds of cases a year.

A configuration passes when the supporting weight reaches the quota; failed
proposals are replaced (:mod:`gametheory.formation`), so
:math:`P(c) \propto e^{\lambda V(c)} P_{\text{pass}}(c)`. :math:`\delta = 0` is
the nested model without the bloc's veto; :math:`\kappa \to \infty` is the
deterministic veto (support iff :math:`u_j(c) > 0`).

**Appointments.** Among the non-opinion-leader doctors of the host (network
director) and of the centre (centre director), a logit with utility
:math:`\alpha\cdot\text{capital} + \mu\,\text{multiplex} + \eta\,\text{endorsed}`
(:data:`APPOINTMENT_FEATURES`).

**Concessions** (:mod:`.concessions`): under the chosen configuration the
network director and the hospitals that lost work (neither host nor centre)
bargain over the pool of roles (portfolio leads, committee seats, rotation
places) in the manner of Baron and Ferejohn with reservation values: the
reservation value of hospital :math:`i` is :math:`\omega` (``harm_weight``)
times the harm its withdrawal does to the network, recognition follows voting
power with the director's log-odds :math:`\phi` (``proposer_advantage``), and
every member discounts a round by ``patience``. The stationary equilibrium
gives each member an expected share :math:`v_j` of the pool, and each role of
kind :math:`k` goes to member :math:`j` with probability :math:`p_{kj}`
(:func:`~.concessions.role_probabilities`). The observed counts of each kind,
per hospital, are **multinomial**: :math:`n_{k\cdot} \sim
\text{Multinomial}(N_k, p_{k\cdot})`, with the network's cell (and those of
hospitals whose counts are not observed) merged
(:func:`~.concessions.package_log_likelihood`). A multinomial rather than a
Dirichlet-multinomial: the equilibrium shares are the model's prediction, a
region has one committee and pools of a few roles, so an overdispersion
parameter would be learnt from little and would absorb what the bargaining
parameters explain; ``restrat run`` and :func:`draw` draw the same multinomial.

Identification
--------------
Only :math:`\lambda\theta` enters the proposer's logit, so the estimands are
the identified combinations ``lam_theta`` :math:`= \lambda\theta` (one per
feature, no numeraire), with :math:`\kappa`, :math:`\delta`, :math:`\rho`, the
baselines, :math:`\alpha, \mu, \eta` and the bargaining parameters
:math:`\omega, \phi` and ``patience`` as they are (:func:`estimands`;
:data:`ESTIMANDS` lists them with their shapes).

Under unanimity a member whose reservation value does not bind gets exactly
its recognition probability, whatever :math:`\omega` and the patience: those
two are learnt only from committees where some reservation binds. The patience
moves the shares only through the members whose reservation binds, and
weakly, so estimation holds it at :data:`DEFAULT_FIXED` (0.9, a bargaining
round being short against the network's horizon) unless asked to estimate it;
:func:`estimation.identification.diagnose_mle` names it when it is fixed or
flat.

Examples
--------
>>> from gametheory.restratification import ModelParameters, scenarios
>>> d = compile_design(region_frames([scenarios.load("case-region")]))
>>> d.cfg_x.shape[-1] == len(CONFIG_FEATURES), d.n_configurations.tolist()
(True, [6])
>>> pr = probabilities(parameters(ModelParameters()), d)
>>> round(float(pr.choice[0].sum()), 12)
1.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..formation import (
    NUMPY,
    ArrayBackend,
    LinearUtilities,
    VotingBodies,
    choice_probability,
    compiled_on_jax,
    formation_log_likelihood,
    log_choice_probability,
    log_pass_probability,
    log_vote_probability,
    passes_in_limit,
    sample_votes,
)
from .concessions import (
    BARGAINING_PARAMETERS,
    ROLE_KINDS,
    CommitteeDesign,
    chosen_committee,
    committee_design_from_tables,
    committee_tables,
    draw_packages,
    package_log_likelihood,
    role_probabilities,
)

__all__ = [
    "CONFIG_FEATURES", "CONFIG_SOURCES", "APPOINTMENT_FEATURES", "CAPITAL", "VOTE_TERMS",
    "ESTIMANDS", "ORGANISATION_COLUMNS", "Design", "Observations", "compile_design",
    "compile_observations", "region_frames", "concentration", "work_lost",
    "BARGAINING", "DEFAULT_FIXED", "CONCESSION_COLUMNS", "concession_probabilities",
    "expected_packages",
    "parameters", "parameters_from_draws", "estimands", "model_parameters",
    "linear_utilities", "configuration_log_likelihood", "proposal_logits", "vote_utilities",
    "support_logits", "log_pass",
    "config_log_probability", "vote_log_probability", "appointment_logits",
    "chosen_candidates", "appointment_log_probability",
    "concession_log_probability", "log_likelihood", "probabilities", "Probabilities", "draw",
]

#: features x(c) of a configuration, the proposer's valuation is theta . x(c)
CONFIG_FEATURES = ("host_track_record", "host_performance", "centre_breadth", "centre_super")
#: where each feature comes from: (the role whose holder it describes, organisations column)
CONFIG_SOURCES: dict[str, tuple[str, str]] = {
    "host_track_record": ("host", "track_record"),
    "host_performance": ("host", "performance"),
    "centre_breadth": ("centre", "specialist_breadth"),
    "centre_super": ("centre", "n_super_specialist"),
}
#: features of an appointment candidate: alpha's three kinds of capital, mu's, eta's
APPOINTMENT_FEATURES = ("cultural", "social", "symbolic", "multiplex", "endorsed")
CAPITAL = APPOINTMENT_FEATURES[:3]
#: terms of a member's vote utility, with the parameter multiplying each
VOTE_TERMS: tuple[tuple[str, str], ...] = (
    ("commissioners", "stake_commissioners"),
    ("ambulance", "stake_ambulance"),
    ("organisation", "support"),
    ("roles", "rho"),
    ("work_lost", ""),                # coefficient -1: the unit of the vote utility
    ("concentration", "delta"),
)
#: the committee's bargaining parameters (estimands; see :mod:`.concessions`)
BARGAINING = BARGAINING_PARAMETERS
#: estimands: name -> labels of its entries (() for a scalar)
ESTIMANDS: dict[str, tuple[str, ...]] = {
    "lam_theta": CONFIG_FEATURES,
    "kappa": (), "delta": (), "rho": (), "support": (),
    "stake_commissioners": (), "stake_ambulance": (),
    "alpha": CAPITAL, "mu": (), "eta": (),
    "harm_weight": (), "proposer_advantage": (), "patience": (),
}
#: estimands held fixed unless estimation is asked to free them: the patience, which
#: the shares hardly depend on (module docstring), at the ModelParameters default
DEFAULT_FIXED: dict[str, float] = {"patience": 0.9}
#: columns of the organisations table with the observed concession roles of each kind
CONCESSION_COLUMNS = tuple(f"{k}_roles" for k in ROLE_KINDS)
#: columns of the organisations table the model reads
ORGANISATION_COLUMNS = ("kind", *dict.fromkeys(c for _, c in CONFIG_SOURCES.values()),
                        "trauma_volume", "can_be_trauma_unit")


# ----------------------------------------------------------- elementary pieces
def concentration(same: Any, both_teaching: Any, tier: Any) -> Any:
    """k(c): 1 when one organisation holds both roles, ``tier`` for two teaching hospitals."""
    return np.where(same, 1.0, np.where(both_teaching, tier, 0.0))


def work_lost(volume: Any, is_centre: Any, kind_ambulance: Any, can_be_unit: Any,
              unit_retained: Any, lower_retained: Any) -> Any:
    """Trauma work an organisation loses (hundreds of cases a year).

    The centre keeps all of its volume, as does an organisation with no trauma
    volume or the ambulance service; a Trauma Unit keeps ``unit_retained`` of it,
    a hospital too small to be one ``lower_retained``.
    """
    volume = np.asarray(volume, dtype=float)
    kept = np.where(is_centre | (volume <= 0) | kind_ambulance, 1.0,
                    np.where(can_be_unit, unit_retained, lower_retained))
    return volume * (1.0 - kept) / 100.0


# ----------------------------------------------------------- region -> tables
def region_frames(regions: Sequence[Any], *, names: Sequence[str] | None = None,
                  tier_concentration: float = 0.5) -> dict[str, pd.DataFrame]:
    """The tables describing *regions* (what :func:`compile_design` reads).

    Tables ``regions`` (region, quota, network, tier_concentration, unit_retained,
    lower_retained, bloc_kind and the concession pool's columns,
    :data:`~.concessions.REGION_COLUMNS`), ``organisations`` (region, organisation,
    :data:`ORGANISATION_COLUMNS`, ``practice_elites``), ``doctors``, ``bids`` and
    ``members`` (region, member, organisation, weight, bloc). The
    observed-allocation schema of :mod:`estimation.data` is a superset.
    """
    names = list(names or [r.name for r in regions])
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in
                                            ("regions", "organisations", "doctors", "bids",
                                             "members")}
    for r, nm in zip(regions, names, strict=True):
        ro = r.roles
        rows["regions"].append({"region": nm, "quota": float(r.quota), "network": ro.network,
                                "tier_concentration": float(tier_concentration),
                                "unit_retained": ro.unit_retained,
                                "lower_retained": ro.lower_retained,
                                "bloc_kind": getattr(r, "bloc_kind", "district")})
        for o in r.organisations:
            rows["organisations"].append({
                "region": nm, "organisation": o.name, "kind": o.kind,
                "track_record": o.track_record, "performance": o.performance,
                "specialist_breadth": o.specialist_breadth,
                "n_super_specialist": float(o.n_super_specialist),
                "trauma_volume": o.trauma_volume,
                "can_be_trauma_unit": bool(o.can_be_trauma_unit)})
        for d in r.doctors:
            rows["doctors"].append({
                "region": nm, "doctor": d.name, "organisation": d.employer,
                "cultural": d.cultural, "social": d.social, "symbolic": d.symbolic,
                "multiplex": bool(d.multiplex), "endorsed": bool(d.endorsed),
                "opinion_leader": bool(d.opinion_leader)})
        seen: set[tuple[str, str]] = set()
        for b in r.bids:
            if (b.organisation, b.role) not in seen:
                seen.add((b.organisation, b.role))
                rows["bids"].append({"region": nm, "organisation": b.organisation,
                                     "role": b.role})
        for m in r.management_group:
            rows["members"].append({"region": nm, "member": m.name,
                                    "organisation": m.organisation or "",
                                    "weight": float(m.weight), "bloc": bool(m.bloc)})
    out = {k: pd.DataFrame(v) for k, v in rows.items()}
    # the committees' columns: the pool of roles per region, practice elites per hospital
    ct = committee_tables(regions, names)
    extra = [c for c in ct["regions"].columns if c not in out["regions"].columns]
    out["regions"] = out["regions"].merge(ct["regions"][["region", *extra]], on="region",
                                          how="left", sort=False)
    out["organisations"] = out["organisations"].merge(
        ct["organisations"][["region", "organisation", "practice_elites"]],
        on=["region", "organisation"], how="left", sort=False)
    return out


# ----------------------------------------------------------- compiled design
@dataclass(frozen=True, eq=False)
class Design:
    r"""Compiled, padded and masked arrays of ``G`` regions (numpy, built once).

    Attributes
    ----------
    region_names, networks : tuple of str
    org_names : (G, O) object; org_mask : (G, O) bool
    cfg_mask : (G, C) bool
        Real configurations (host bidders x centre bidders, in bid order).
    cfg_host, cfg_centre : (G, C) int
        Index of the host / centre organisation.
    cfg_x : (G, C, F) float
        :data:`CONFIG_FEATURES`.
    cfg_k : (G, C) float
        Concentration :math:`k(c)`.
    loss : (G, C, O) float
        Work each organisation loses under each configuration.
    bodies : VotingBodies
        The management groups: integer weights (G, J), integer quotas (G,).
    member_names : (G, J) object; member_org : (G, J) int (-1: none); member_bloc : (G, J) bool
    vote_base : (G, J, 3) float
        Member type indicators (commissioners, ambulance, other organisation).
    vote_roles, vote_loss, vote_conc : (G, C, J) float
        Centred roles won, work lost and bloc concentration of :data:`VOTE_TERMS`,
        so that :math:`u = \text{vote\_base}\cdot(s_c, s_a, s) + \rho\,\text{roles}
        - \text{loss} - \delta\,\text{conc}` (:attr:`vote_x` stacks them).
    blocks : tuple of (g0, g1, n)
        Runs of regions with ``n`` configurations (regions are ordered by their
        number of configurations, so that the pass probabilities of each run are
        computed without padding).
    cand_z : (G, O, D, A) float; cand_mask : (G, O, D) bool; cand_names : (G, O, D) object
        Candidate doctors of every organisation (:data:`APPOINTMENT_FEATURES`).
    cfg_offset : (G, C) float or None
        When the configurations are a sample of every pair of bidders (winner-only
        data), McFadden's correction :math:`\log \tilde k_c - \log q_c`, added to the
        proposal logits in the choice probability (:func:`config_log_probability`);
        the vote terms stay centred over every configuration. None: all listed.
    committee : CommitteeDesign
        The concession committee of every configuration
        (:func:`~.concessions.committee_design_from_tables`): slot 0 the network
        director, slot ``1 + o`` organisation ``o``.
    """

    region_names: tuple[str, ...]
    networks: tuple[str, ...]
    org_names: np.ndarray
    org_mask: np.ndarray
    cfg_mask: np.ndarray
    cfg_host: np.ndarray
    cfg_centre: np.ndarray
    cfg_x: np.ndarray
    cfg_k: np.ndarray
    loss: np.ndarray
    bodies: VotingBodies
    member_names: np.ndarray
    member_org: np.ndarray
    member_bloc: np.ndarray
    vote_base: np.ndarray
    vote_roles: np.ndarray
    vote_loss: np.ndarray
    vote_conc: np.ndarray
    cand_z: np.ndarray
    cand_mask: np.ndarray
    cand_names: np.ndarray
    blocks: tuple[tuple[int, int, int], ...] = ()
    cfg_offset: np.ndarray | None = None
    committee: CommitteeDesign | None = None

    @property
    def vote_x(self) -> np.ndarray:
        """The terms of :data:`VOTE_TERMS`, stacked: (G, C, J, len(VOTE_TERMS))."""
        G, C, J = self.vote_roles.shape
        base = np.broadcast_to(self.vote_base[:, None], (G, C, J, 3))
        x = np.concatenate([base, np.stack([self.vote_roles, self.vote_loss, self.vote_conc],
                                           axis=-1)], axis=-1)
        return np.where((self.cfg_mask[:, :, None] & (self.member_names != "")[:, None, :])
                        [..., None], x, 0.0)

    @property
    def n_regions(self) -> int:
        return len(self.region_names)

    @property
    def n_configurations(self) -> np.ndarray:
        return self.cfg_mask.sum(axis=1)

    def configurations(self, g: int) -> list[tuple[str, str]]:
        """The (host, centre) names of region ``g``'s configurations."""
        n = int(self.cfg_mask[g].sum())
        return [(str(self.org_names[g, self.cfg_host[g, c]]),
                 str(self.org_names[g, self.cfg_centre[g, c]])) for c in range(n)]


def _slots(keys: pd.Series) -> np.ndarray:
    return keys.groupby(keys, sort=False).cumcount().to_numpy()


def _integer_quota(q: float) -> int:
    # supporting weight is an integer, so "weight >= q" is "weight >= ceil(q)"
    return int(math.ceil(float(q) - 1e-9))


def compile_design(frames: Mapping[str, pd.DataFrame], params: Any = None) -> Design:
    """Compile the tables of :func:`region_frames` (or validated observed data) into arrays.

    The one builder of the model's arrays, for one region or many. Regions are
    ordered by their number of configurations; organisations, doctors, bids and
    members keep the order of their rows. *params* (a ModelParameters, default
    its defaults) gives the committees' settings that are not estimated
    (``power_index``, ``credible_share``, ``partial_hold``).
    """
    reg = frames["regions"].reset_index(drop=True)
    # order regions by their number of configurations (stable), so that runs of
    # regions with as many configurations are computed without padding
    bids0 = frames["bids"].drop_duplicates(["region", "organisation", "role"])
    n_role = bids0.groupby(["region", "role"]).size().unstack(fill_value=0)
    n_cfg = (n_role.get("host", 0) * n_role.get("centre", 0)).reindex(reg["region"]).fillna(0)
    reg = reg.iloc[np.argsort(n_cfg.to_numpy(), kind="stable")].reset_index(drop=True)
    G = len(reg)
    rid = {r: i for i, r in enumerate(reg["region"])}
    org = frames["organisations"].reset_index(drop=True)
    og = org["region"].map(rid).to_numpy()
    oslot = _slots(org["region"])
    O = int(oslot.max()) + 1 if len(org) else 1
    org_names = np.full((G, O), "", dtype=object)
    org_names[og, oslot] = org["organisation"].to_numpy()
    org_mask = np.zeros((G, O), bool)
    org_mask[og, oslot] = True
    oidx = {(r, o): int(s) for r, o, s in zip(org["region"], org["organisation"], oslot,
                                               strict=True)}

    def org_col(col: str, fill: Any = 0.0, dtype: Any = float) -> np.ndarray:
        a = np.full((G, O), fill, dtype=dtype)
        a[og, oslot] = org[col].to_numpy(dtype=dtype)
        return a

    kind = np.full((G, O), "", dtype=object)
    kind[og, oslot] = org["kind"].to_numpy()
    volume = org_col("trauma_volume")
    can_unit = org_col("can_be_trauma_unit", True, bool)

    # configurations: host bidders x centre bidders, in bid order
    bids = frames["bids"].drop_duplicates(["region", "organisation", "role"])
    host = bids[bids["role"] == "host"][["region", "organisation"]]
    centre = bids[bids["role"] == "centre"][["region", "organisation"]]
    cfg = host.merge(centre, on="region", suffixes=("_h", "_m"), how="inner", sort=False)
    cfg["g"] = cfg["region"].map(rid).to_numpy()
    cfg = cfg.sort_values("g", kind="stable").reset_index(drop=True)
    cfg["slot"] = _slots(cfg["g"])
    C = int(cfg["slot"].max()) + 1 if len(cfg) else 1
    g_, s_ = cfg["g"].to_numpy(), cfg["slot"].to_numpy()
    cfg_mask = np.zeros((G, C), bool)
    cfg_mask[g_, s_] = True
    cfg_host = np.zeros((G, C), np.int64)
    cfg_centre = np.zeros((G, C), np.int64)
    cfg_host[g_, s_] = [oidx[k] for k in zip(cfg["region"], cfg["organisation_h"], strict=True)]
    cfg_centre[g_, s_] = [oidx[k] for k in zip(cfg["region"], cfg["organisation_m"],
                                                strict=True)]
    rows = np.arange(G)[:, None]
    cfg_x = np.zeros((G, C, len(CONFIG_FEATURES)))
    for f, name in enumerate(CONFIG_FEATURES):
        role, col = CONFIG_SOURCES[name]
        holder = cfg_host if role == "host" else cfg_centre
        cfg_x[..., f] = org_col(col)[rows, holder]
    cfg_x = np.where(cfg_mask[..., None], cfg_x, 0.0)
    teach = kind == "teaching"
    tier = reg["tier_concentration"].to_numpy(dtype=float)[:, None]
    cfg_k = np.where(cfg_mask, concentration(cfg_host == cfg_centre,
                                             teach[rows, cfg_host] & teach[rows, cfg_centre],
                                             tier), 0.0)
    unit_ret = reg["unit_retained"].to_numpy(dtype=float)[:, None, None]
    lower_ret = reg["lower_retained"].to_numpy(dtype=float)[:, None, None]
    is_centre = np.arange(O)[None, None, :] == cfg_centre[:, :, None]
    loss = work_lost(volume[:, None, :], is_centre, (kind == "ambulance")[:, None, :],
                     can_unit[:, None, :], unit_ret, lower_ret)
    loss = np.where(cfg_mask[..., None] & org_mask[:, None, :], loss, 0.0)

    # management groups
    mem = frames["members"].reset_index(drop=True)
    mg = mem["region"].map(rid).to_numpy()
    mslot = _slots(mem["region"])
    J = int(mslot.max()) + 1 if len(mem) else 1
    weights = np.zeros((G, J), np.int64)
    weights[mg, mslot] = np.round(mem["weight"].to_numpy(dtype=float)).astype(np.int64)
    member_names = np.full((G, J), "", dtype=object)
    member_names[mg, mslot] = mem["member"].to_numpy()
    member_org = np.full((G, J), -1, np.int64)
    morg = mem["organisation"].fillna("").astype(str).to_numpy()
    member_org[mg, mslot] = [oidx.get((r, o), -1) if o else -1
                             for r, o in zip(mem["region"], morg, strict=True)]
    member_bloc = np.zeros((G, J), bool)
    member_bloc[mg, mslot] = mem["bloc"].to_numpy(dtype=bool)
    member_mask = np.zeros((G, J), bool)
    member_mask[mg, mslot] = True
    quota = [_integer_quota(q) for q in reg["quota"].to_numpy(dtype=float)]
    bodies = VotingBodies(weights, quota)
    vote_base, vote_roles, vote_loss, vote_conc = _vote_terms(
        cfg_mask, cfg_host, cfg_centre, cfg_k, loss, kind, member_org, member_bloc,
        member_mask)
    blocks = _blocks(cfg_mask.sum(axis=1))

    # candidate doctors
    doc = frames["doctors"]
    doc = doc[~doc["opinion_leader"].astype(bool)].reset_index(drop=True)
    dg = doc["region"].map(rid).to_numpy()
    do = np.array([oidx[k] for k in zip(doc["region"], doc["organisation"], strict=True)],
                  dtype=np.int64)
    dslot = (doc.groupby(["region", "organisation"], sort=False).cumcount().to_numpy()
             if len(doc) else np.zeros(0, np.int64))
    D = int(dslot.max()) + 1 if len(doc) else 1
    cand_z = np.zeros((G, O, D, len(APPOINTMENT_FEATURES)))
    cand_z[dg, do, dslot] = doc[list(APPOINTMENT_FEATURES)].to_numpy(dtype=float)
    cand_mask = np.zeros((G, O, D), bool)
    cand_mask[dg, do, dslot] = True
    cand_names = np.full((G, O, D), "", dtype=object)
    cand_names[dg, do, dslot] = doc["doctor"].to_numpy()
    # the concession committees (one builder, from the same tables)
    committee = committee_design_from_tables(
        {"regions": reg, "organisations": org,
         "members": mem.assign(organisation=morg)},
        [str(r) for r in reg["region"]], org_names, cfg_host, cfg_centre, cfg_mask, loss,
        params)
    design = Design(tuple(str(r) for r in reg["region"]),
                    tuple(str(n) for n in reg["network"]), org_names, org_mask, cfg_mask,
                    cfg_host, cfg_centre, cfg_x, cfg_k, loss, bodies, member_names, member_org,
                    member_bloc, vote_base, vote_roles, vote_loss, vote_conc, cand_z, cand_mask,
                    cand_names, blocks, committee=committee)
    alt = frames.get("alternatives")
    if alt is not None and len(alt):
        design = _sampled_configurations(design, alt)
    return design


def _sampled_configurations(design: Design, alt: pd.DataFrame) -> Design:
    """Keep the sampled configurations of every region (``alternatives``: region, host,
    centre, offset), in the design's order, with their correction offsets.

    Everything that describes a configuration was computed over all of them first (the
    vote terms are centred over every configuration of the region), so the sample only
    selects.
    """
    from dataclasses import replace

    G, C = design.cfg_mask.shape
    gi = {r: g for g, r in enumerate(design.region_names)}
    rows = np.arange(G)[:, None]
    hn = design.org_names[rows, design.cfg_host]
    mn = design.org_names[rows, design.cfg_centre]
    keep = np.zeros((G, C), bool)
    offset = np.zeros((G, C))
    for r, h, m, off in zip(alt["region"], alt["host"], alt["centre"], alt["offset"],
                            strict=True):
        g = gi[r]
        c = int(np.flatnonzero((hn[g] == h) & (mn[g] == m) & design.cfg_mask[g])[0])
        keep[g, c] = True
        offset[g, c] = float(off)
    Cs = int(max(keep.sum(axis=1).max(initial=0), 1))
    # slots of the kept configurations first, in the design's order (stable sort)
    order = np.argsort(~keep, axis=1, kind="stable")[:, :Cs]
    mask = np.take_along_axis(keep, order, axis=1)

    def take(a: np.ndarray) -> np.ndarray:
        extra = (1,) * (a.ndim - 2)
        out = np.take_along_axis(a, order.reshape(order.shape + extra), axis=1)
        return np.where(mask.reshape(mask.shape + extra), out, np.zeros((), a.dtype))

    cm = design.committee
    committee = None
    if cm is not None:
        # the sampled configurations' committees; a padded one is a director-only
        # committee (as the builder pads), so its equilibrium stays defined
        member = take(cm.member)
        member[..., 0] |= ~mask
        eligible = take(cm.eligible)
        eligible[..., 0] |= ~mask[..., None] & cm.eligible[:, :1, :, 0]
        committee = replace(
            cm, names=take(cm.names), member=member, power=take(cm.power),
            reservation_base=take(cm.reservation_base), eligible=eligible,
            pool_count=take(cm.pool_count), pool_value=take(cm.pool_value),
            loss=take(cm.loss), harm=take(cm.harm), worth_single=take(cm.worth_single),
            cfg_mask=mask, quota_options=None if cm.quota_options is None
            else take(cm.quota_options))
    return replace(design, cfg_mask=mask, cfg_host=take(design.cfg_host),
                   cfg_centre=take(design.cfg_centre), cfg_x=take(design.cfg_x),
                   cfg_k=take(design.cfg_k), loss=take(design.loss),
                   vote_roles=take(design.vote_roles), vote_loss=take(design.vote_loss),
                   vote_conc=take(design.vote_conc), blocks=(), cfg_offset=take(offset),
                   committee=committee)


#: below this many regions the pass probabilities are computed in one block (a smaller
#: graph compiles faster; above it, evaluation time dominates and blocks pay)
BLOCK_MIN_REGIONS = 400


def _blocks(ncfg: np.ndarray, waste: float = 0.2) -> tuple[tuple[int, int, int], ...]:
    """Runs of regions (ordered by their number of configurations) computed together.

    Consecutive runs of equal size are merged while the padded work of the merged
    run exceeds its real work by at most ``waste``; with fewer than
    :data:`BLOCK_MIN_REGIONS` regions, one block (no blocking).
    """
    G = len(ncfg)
    if G < BLOCK_MIN_REGIONS:
        return ()
    starts = list(np.flatnonzero(np.r_[True, ncfg[1:] != ncfg[:-1]]))
    runs = [(int(a), int(b)) for a, b in zip(starts, [*starts[1:], G], strict=True)]
    out: list[tuple[int, int, int]] = []
    for a, b in runs:
        if out:
            a0, _, _ = out[-1]
            c = int(max(ncfg[b - 1], 1))
            real = float(np.maximum(ncfg[a0:b], 1).sum())
            if (b - a0) * c <= (1 + waste) * real:
                out[-1] = (a0, b, c)
                continue
        out.append((a, b, int(max(ncfg[b - 1], 1))))
    return tuple(out) if len(out) > 1 else ()


def _vote_terms(cfg_mask: np.ndarray, cfg_host: np.ndarray, cfg_centre: np.ndarray,
                cfg_k: np.ndarray, loss: np.ndarray, kind: np.ndarray, member_org: np.ndarray,
                member_bloc: np.ndarray, member_mask: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Member types (G, J, 3) and the centred roles, loss and concentration (G, C, J)."""
    G, C = cfg_mask.shape
    rows = np.arange(G)[:, None]
    has_org = member_org >= 0
    org = np.where(has_org, member_org, 0)
    mkind = np.where(has_org, kind[rows, org], "")
    n_cfg = np.maximum(cfg_mask.sum(axis=1), 1)
    live = cfg_mask[:, :, None] & member_mask[:, None, :]

    first = np.argmax(cfg_mask, axis=1)

    def centred(x: np.ndarray) -> np.ndarray:          # x: (G, C, J)
        # differences from the first real configuration first, so that a term that is
        # the same in every configuration is centred to exactly 0 (members whose terms
        # agree up to a constant become exact twins, one row of the compiled loop)
        d = x - x[np.arange(G), first][:, None, :]
        mean = np.where(cfg_mask[..., None], d, 0.0).sum(axis=1, keepdims=True)
        return np.where(live, d - mean / n_cfg[:, None, None], 0.0)

    roles = ((cfg_host[:, :, None] == org[:, None, :]).astype(float)
             + (cfg_centre[:, :, None] == org[:, None, :]).astype(float)) * has_org[:, None, :]
    lost = np.take_along_axis(loss, np.broadcast_to(org[:, None, :], (G, C, org.shape[1])),
                              axis=2) * has_org[:, None, :]
    conc = cfg_k[:, :, None] * member_bloc[:, None, :]
    types = {"commissioners": ~has_org & member_mask,
             "ambulance": mkind == "ambulance",
             "organisation": has_org & (mkind != "ambulance")}
    base = np.stack([types[t] for t, _ in VOTE_TERMS[:3]], axis=-1).astype(float)
    return base, centred(roles), centred(lost), centred(conc)


# ----------------------------------------------------------- observations
@dataclass(frozen=True, eq=False)
class Observations:
    """Observed outcomes of the regions of a :class:`Design`, in a dense layout.

    Every array has a static shape fixed by the design (not by the outcome), so a
    model built for one set of observations takes any other set of the same design
    (recovery studies and calibration compile once). Entries may be numpy arrays
    or symbolic tensors.

    Attributes
    ----------
    cfg_chosen : (G,) int
        Slot of the observed configuration.
    votes, vote_mask : (G, J)
        Observed votes on the chosen configuration (1 = support) and which are observed.
    director, director_mask : (G, 2)
        Slot of the appointed network director among the host's candidates
        (column 0) and of the centre director among the centre's (column 1), and
        whether each was observed.
    concessions, concession_mask : (G, K, O)
        Observed counts of concession roles of each kind (:data:`~.concessions.ROLE_KINDS`)
        held by each organisation, and which are observed (the model scores a count
        only where the organisation sits on the chosen configuration's committee).
    votes_observed : bool, optional
        Whether votes enter the likelihood (needed when the arrays are symbolic;
        default: whether ``vote_mask`` has a true entry).
    """

    cfg_chosen: Any
    votes: Any
    vote_mask: Any
    director: Any
    director_mask: Any
    concessions: Any
    concession_mask: Any
    votes_observed: bool | None = None

    @property
    def has_votes(self) -> bool:
        """Whether the likelihood has a vote term (given, or: any vote observed)."""
        if self.votes_observed is not None:
            return bool(self.votes_observed)
        return bool(np.asarray(self.vote_mask).any())

    def as_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in ("cfg_chosen", "votes", "vote_mask", "director",
                                              "director_mask", "concessions",
                                              "concession_mask")}


DIRECTOR_ROLES = ("network_director", "centre_director")


def compile_observations(design: Design, frames: Mapping[str, pd.DataFrame]) -> Observations:
    """Observed configuration, votes, directors and concession counts as dense arrays.

    Reads ``allocations`` (region, role, holder), optional ``votes`` (region,
    member, vote) and the optional :data:`CONCESSION_COLUMNS` of
    ``organisations`` (roles of each kind held as concessions; empty = not
    observed).
    """
    G = design.n_regions
    rid = {r: i for i, r in enumerate(design.region_names)}
    al = frames["allocations"]
    wide = al.drop_duplicates(["region", "role"]).pivot(index="region", columns="role",
                                                        values="holder")
    wide = wide.reindex(list(design.region_names))
    rows = np.arange(G)[:, None]
    hn = design.org_names[rows, design.cfg_host]
    mn = design.org_names[rows, design.cfg_centre]
    match = ((hn == wide["host"].to_numpy()[:, None]) & (mn == wide["centre"].to_numpy()[:, None])
             & design.cfg_mask)
    cfg_chosen = match.argmax(axis=1).astype(np.int64)
    J = design.bodies.n_members
    votes = np.zeros((G, J))
    vote_mask = np.zeros((G, J), bool)
    vt = frames.get("votes")
    if vt is not None and len(vt):
        slot = {(g, str(n)): j for g in range(G) for j, n in enumerate(design.member_names[g])
                if n != ""}
        for r, m, v in zip(vt["region"], vt["member"], vt["vote"], strict=True):
            g = rid[r]
            j = slot[(g, str(m))]
            votes[g, j] = float(v)
            vote_mask[g, j] = True
    director = np.zeros((G, 2), np.int64)
    director_mask = np.zeros((G, 2), bool)
    g_all = np.arange(G)
    for role_i, role in enumerate(DIRECTOR_ROLES):
        if role not in wide.columns:
            continue
        org = (design.cfg_host if role_i == 0 else design.cfg_centre)[g_all, cfg_chosen]
        for g, h in enumerate(wide[role].to_numpy()):
            if isinstance(h, str) and h:
                hit = np.flatnonzero((design.cand_names[g, org[g]] == h)
                                     & design.cand_mask[g, org[g]])
                if len(hit):
                    director[g, role_i] = hit[0]
                    director_mask[g, role_i] = True
    O = design.org_mask.shape[1]
    K = len(ROLE_KINDS)
    conc = np.zeros((G, K, O))
    conc_mask = np.zeros((G, K, O), bool)
    org = frames["organisations"]
    og = org["region"].map(rid).to_numpy()
    oslot = _slots(org["region"].reset_index(drop=True))
    for k, col in enumerate(CONCESSION_COLUMNS):
        if col not in org.columns:
            continue
        n = pd.to_numeric(org[col], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(n)
        conc[og[ok], k, oslot[ok]] = n[ok]
        conc_mask[og[ok], k, oslot[ok]] = True
    return Observations(cfg_chosen, votes, vote_mask, director, director_mask, conc, conc_mask)


def observed_situations(design: Design, obs: Observations) -> dict[str, np.ndarray]:
    """The observed appointment situations in compact form (numpy observations).

    Returns ``region``, ``org`` (the organisation the director comes from), ``role``
    (0 network director, 1 centre director), ``chosen`` (slot of the appointed
    candidate), ``z`` (S, D, A) and ``mask`` (S, D) of the candidates.
    """
    g, r = np.nonzero(np.asarray(obs.director_mask))
    cfg = np.asarray(obs.cfg_chosen)[g]
    org = np.where(r == 0, design.cfg_host[g, cfg], design.cfg_centre[g, cfg])
    return {"region": g, "org": org, "role": r, "chosen": np.asarray(obs.director)[g, r],
            "z": design.cand_z[g, org], "mask": design.cand_mask[g, org],
            "names": design.cand_names[g, org]}


def observed_concessions(design: Design, obs: Observations) -> dict[str, np.ndarray]:
    """Observed counts of committee hospitals, compact (numpy observations): ``region``,
    ``kind``, ``org``, ``count`` and ``loss`` (work the hospital lost)."""
    g = np.arange(design.n_regions)
    cfg = np.asarray(obs.cfg_chosen)
    loss = design.loss[g, cfg]                                           # (G, O)
    on = design.committee.member[g, cfg][:, 1:]                          # (G, O)
    keep = np.asarray(obs.concession_mask) & on[:, None, :]
    gi, ki, oi = np.nonzero(keep)
    return {"region": gi, "kind": ki, "org": oi,
            "count": np.asarray(obs.concessions)[gi, ki, oi], "loss": loss[gi, oi]}


# ----------------------------------------------------------- parameters
def estimands(params: Any) -> dict[str, float]:
    r"""The estimands of *params* (a :class:`~gametheory.restratification.ModelParameters`).

    ``lam_theta[f]`` :math:`= \lambda\theta_f` for every feature, and the other
    estimands of :data:`ESTIMANDS` as they are. Labels follow arviz
    (``lam_theta[centre_super]``, ``alpha[social]``).

    Examples
    --------
    >>> from gametheory.restratification import ModelParameters
    >>> e = estimands(ModelParameters(lam=2.0, theta=(1.0, 0.5, 1.0, 1.5)))
    >>> e["lam_theta[host_performance]"], e["kappa"] == ModelParameters().kappa
    (1.0, True)
    """
    out: dict[str, float] = {}
    for name, labels in ESTIMANDS.items():
        if name == "lam_theta":
            vals = [params.lam * t for t in params.theta]
        elif labels:
            vals = list(getattr(params, name))
        else:
            out[name] = float(getattr(params, name))
            continue
        for lab, v in zip(labels, vals, strict=True):
            out[f"{name}[{lab}]"] = float(v)
    return out


def model_parameters(values: Mapping[str, float], base: Any = None) -> Any:
    r"""Inverse of :func:`estimands`: ModelParameters with :math:`\lambda = 1`,
    :math:`\theta = ` ``lam_theta`` (the same probabilities), others from *base*."""
    from dataclasses import replace

    from .model import ModelParameters

    b = base or ModelParameters()
    kw: dict[str, Any] = {"lam": 1.0}
    for name, labels in ESTIMANDS.items():
        key = "theta" if name == "lam_theta" else name
        if labels:
            kw[key] = tuple(float(values[f"{name}[{lab}]"]) for lab in labels)
        elif name in values:
            kw[key] = float(values[name])
        # a scalar estimand the values lack (held fixed in the fit) keeps base's value
    return replace(b, **kw)


def parameters(params: Any) -> dict[str, np.ndarray]:
    """numpy parameter arrays of a ModelParameters, each with a region axis of size 1.

    Scalars become shape (1,), vectors (1, K): the layout every function below takes
    (a leading draw axis and a region axis of size G are allowed too).
    """
    out: dict[str, np.ndarray] = {}
    for name, labels in ESTIMANDS.items():
        if name == "lam_theta":
            out[name] = (params.lam * np.asarray(params.theta, float))[None, :]
        elif labels:
            out[name] = np.asarray(getattr(params, name), float)[None, :]
        else:
            out[name] = np.array([float(getattr(params, name))])
    return out


def parameters_from_draws(draws: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """numpy parameter arrays from posterior draws (``name -> (N,)`` or ``(N, K)``)."""
    out = {}
    for name, labels in ESTIMANDS.items():
        a = np.asarray(draws[name], float)
        out[name] = a[:, None, :] if labels else a[:, None]
    return out


# ----------------------------------------------------------- the model, once
def linear_utilities(par: Mapping[str, Any], design: Design, *, offset: bool = True
                     ) -> LinearUtilities:
    r"""The proposer's logits and the members' vote utilities as linear forms
    (:class:`~gametheory.formation.LinearUtilities`): the one place that says which
    parameter multiplies which term.

    :math:`z_c = \lambda\theta\cdot x(c)` (plus McFadden's correction
    ``design.cfg_offset`` with *offset*, for sampled configurations) and
    :math:`u_j(c) = \text{vote\_base}_j\cdot(s_c, s_a, s) + \rho\,\text{roles}
    - \text{loss} - \delta\,\text{conc}` (:data:`VOTE_TERMS`), :math:`a = \kappa u`.
    """
    member = tuple((design.vote_base[..., t], par[name])
                   for t, (_, name) in enumerate(VOTE_TERMS[:3]))
    config = ((design.vote_roles, par["rho"]), (design.vote_conc, -par["delta"]))
    return LinearUtilities(design.cfg_x, par["lam_theta"], member, config, -design.vote_loss,
                           par["kappa"], design.cfg_offset if offset else None)


def proposal_logits(par: Mapping[str, Any], design: Design, xp: ArrayBackend = NUMPY) -> Any:
    r""":math:`z_c = \lambda\theta\cdot x(c)`, (..., G, C)."""
    return linear_utilities(par, design, offset=False).proposal_logits(xp)


def vote_utilities(par: Mapping[str, Any], design: Design, xp: ArrayBackend = NUMPY) -> Any:
    r""":math:`u_j(c)` (module docstring), (..., G, C, J), in hundreds of cases a year."""
    return linear_utilities(par, design).utilities(xp)


def support_logits(par: Mapping[str, Any], design: Design, xp: ArrayBackend = NUMPY) -> Any:
    r""":math:`\kappa u_j(c)`, (..., G, C, J)."""
    return linear_utilities(par, design).support_logits(xp)


def log_pass(par: Mapping[str, Any], design: Design, xp: ArrayBackend = NUMPY) -> Any:
    r""":math:`\log P_{\text{pass}}(c)`, (..., G, C)."""
    return log_pass_probability(support_logits(par, design, xp), design.bodies, xp,
                                blocks=design.blocks or None)


def config_log_probability(par: Mapping[str, Any], design: Design,
                           xp: ArrayBackend = NUMPY, log_pass_all: Any = None) -> Any:
    r""":math:`\log P(c)` of every configuration, (..., G, C) (``-inf`` on padding)."""
    lp = log_pass(par, design, xp) if log_pass_all is None else log_pass_all
    z = linear_utilities(par, design).proposal_logits(xp)
    return log_choice_probability(z, lp, design.cfg_mask, xp)


def _chosen_onehot(design: Design, cfg_chosen: Any, xp: ArrayBackend) -> Any:
    slots = np.arange(design.cfg_mask.shape[1])
    return xp.equal(_arr(cfg_chosen, xp)[:, None], slots[None, :])           # (G, C)


def _arr(x: Any, xp: ArrayBackend) -> Any:
    return x if xp.is_symbolic(x) else np.asarray(x)


def vote_log_probability(par: Mapping[str, Any], design: Design, obs: Observations,
                         xp: ArrayBackend = NUMPY, log_pass_all: Any = None) -> Any:
    r""":math:`\log P(\text{observed votes} \mid c_{\text{obs}})`, (..., G) (0 without votes).

    ``log_pass_all`` (:func:`log_pass`, (..., G, C)) reuses pass probabilities
    already computed.
    """
    a = support_logits(par, design, xp)                                  # (..., G, C, J)
    oh = _chosen_onehot(design, obs.cfg_chosen, xp)                      # (G, C)
    a_obs = xp.sum(xp.where(oh[:, :, None], a, 0.0), axis=-2)            # (..., G, J)
    lp = None if log_pass_all is None else xp.sum(xp.where(oh, log_pass_all, 0.0), axis=-1)
    return log_vote_probability(a_obs, obs.votes, obs.vote_mask, design.bodies, xp,
                                blocks=design.blocks or None, log_pass=lp)


def appointment_logits(par: Mapping[str, Any], cand_z: Any, cand_mask: Any,
                       xp: ArrayBackend = NUMPY) -> Any:
    r"""Appointment utilities :math:`\alpha\cdot\text{capital} + \mu\,\text{multiplex} +
    \eta\,\text{endorsed}` of candidates ``cand_z`` (..., D, A); ``-inf`` where masked.

    The parameters broadcast against ``cand_z``'s leading axes (give them the
    axes of the situations before their own axis).
    """
    k = len(CAPITAL)
    mu_i, eta_i = (APPOINTMENT_FEATURES.index(f) for f in ("multiplex", "endorsed"))
    u = (xp.sum(cand_z[..., :k] * par["alpha"][..., None, :], axis=-1)
         + cand_z[..., mu_i] * par["mu"][..., None] + cand_z[..., eta_i] * par["eta"][..., None])
    return xp.where(cand_mask, u, -np.inf)


def director_logits(par: Mapping[str, Any], design: Design, cfg_chosen: Any,
                    xp: ArrayBackend = NUMPY) -> Any:
    """Logits of the candidates for network director (from the chosen host) and centre
    director (from the chosen centre): (..., G, 2, D), ``-inf`` on padding."""
    z, m = chosen_candidates(design, cfg_chosen, xp)                      # (G, 2, D, A)
    pr = {k: (v[..., :, None, :] if k == "alpha" else v[..., :, None])
          for k, v in par.items() if k in ("alpha", "mu", "eta")}
    return appointment_logits(pr, z, m, xp)


def chosen_candidates(design: Design, cfg_chosen: Any, xp: ArrayBackend = NUMPY
                      ) -> tuple[Any, Any]:
    """Features (G, 2, D, A) and mask (G, 2, D) of the candidates for network director
    (the chosen host's doctors) and centre director (the chosen centre's).

    With numpy *cfg_chosen* the candidates are gathered by numpy indices (a numpy mask;
    the features stay symbolic when ``design.cand_z`` is, e.g. imputed); with a
    symbolic one they are summed over one-hot organisation indicators.
    """
    if xp.is_symbolic(cfg_chosen):
        oh = _chosen_onehot(design, cfg_chosen, xp)                      # (G, C)
        orgs = np.arange(design.org_mask.shape[1])
        host = (design.cfg_host[:, :, None] == orgs).astype(float)       # (G, C, O)
        centre = (design.cfg_centre[:, :, None] == orgs).astype(float)
        sel = xp.stack([xp.sum(xp.where(oh[:, :, None], host, 0.0), axis=1),
                        xp.sum(xp.where(oh[:, :, None], centre, 0.0), axis=1)], axis=1)
        z = xp.sum(sel[:, :, :, None, None] * design.cand_z[:, None], axis=2)  # (G, 2, D, A)
        m = xp.sum(sel[:, :, :, None] * design.cand_mask[:, None].astype(float), axis=2) > 0.5
        return z, m
    G = design.cfg_mask.shape[0]
    rows = np.arange(G)
    ch = np.asarray(cfg_chosen, np.int64)
    orgs = np.stack([design.cfg_host[rows, ch], design.cfg_centre[rows, ch]], axis=1)  # (G, 2)
    return design.cand_z[rows[:, None], orgs], design.cand_mask[rows[:, None], orgs]


def appointment_log_probability(par: Mapping[str, Any], design: Design, obs: Observations,
                                xp: ArrayBackend = NUMPY) -> Any:
    r"""Log-probability of the observed directors, (..., G, 2) (0 where not observed).

    For each role, :math:`u_d - \log\sum_{d'} e^{u_{d'}}` over the chosen
    organisation's candidates (:func:`chosen_candidates`), :math:`u` the
    :func:`appointment_logits` utilities. Written without infinite logits: a
    situation without candidates (never observed) sums over its padding instead,
    so that value and gradient stay finite and cheap on every backend. On JAX with
    numpy data (and numba) the same logit runs as one compiled loop with its exact
    gradient (:mod:`._appointment_kernel`; reverse mode only).
    """
    if xp.name == "jax":
        out = _appointment_compiled(par, design, obs)
        if out is not None:
            return out
    z, m = chosen_candidates(design, obs.cfg_chosen, xp)
    k = len(CAPITAL)
    mu_i, eta_i = (APPOINTMENT_FEATURES.index(f) for f in ("multiplex", "endorsed"))
    alpha = par["alpha"][..., :, None, None, :]                         # (..., G, 1, 1, k)
    u = (xp.sum(z[..., :k] * alpha, axis=-1) + z[..., mu_i] * par["mu"][..., :, None, None]
         + z[..., eta_i] * par["eta"][..., :, None, None])                # (..., G, 2, D)
    D = design.cand_mask.shape[2]
    director = _arr(obs.director, xp)
    pick = xp.equal(director[..., None], np.arange(D))                  # (G, 2, D)
    if xp.is_symbolic(m):
        some = xp.sum(xp.where(m, 1.0, 0.0), axis=-1, keepdims=True) > 0.5
        live = xp.where(some, m, np.True_)
    else:
        live = m | ~m.any(axis=-1, keepdims=True)
    lse = xp.logsumexp(xp.where(live, u, -np.inf), axis=-1)
    picked = xp.sum(xp.where(pick, u, 0.0), axis=-1)
    return xp.where(obs.director_mask, picked - lse, 0.0)


def _appointment_compiled(par: Mapping[str, Any], design: Design, obs: Observations) -> Any:
    """:func:`appointment_log_probability` on JAX by one compiled loop; ``None`` when it
    does not apply (symbolic data or imputed capital, numba missing)."""
    data = (obs.cfg_chosen, obs.director, obs.director_mask, design.cand_z)
    if any(not isinstance(x, np.ndarray) for x in data):
        return None
    try:
        from ._appointment_kernel import appointment_log_likelihood as kernel
    except ImportError:          # pragma: no cover - numba comes with pytensor
        return None
    import jax.numpy as jnp

    z, m = chosen_candidates(design, obs.cfg_chosen)                      # (G, 2, D, A)
    G, R, D, A = z.shape
    live = m | ~m.any(axis=-1, keepdims=True)
    gs, rs = np.nonzero(np.asarray(obs.director_mask, bool))
    # each observed situation's candidates at the front, the appointed one's position
    order = np.argsort(~live[gs, rs], axis=-1, kind="stable")             # (S, D)
    zs = np.ascontiguousarray(np.take_along_axis(z[gs, rs], order[..., None], axis=1),
                              np.float64)
    pos = np.argmax(order == np.asarray(obs.director)[gs, rs][:, None], axis=1)
    data = (zs, live[gs, rs].sum(axis=-1).astype(np.int64), pos.astype(np.int64),
            gs.astype(np.int64), rs.astype(np.int64))
    # the coefficient of every feature, in APPOINTMENT_FEATURES' order
    named = {"multiplex": par["mu"], "endorsed": par["eta"]}
    coefs = [jnp.asarray(par["alpha"][..., CAPITAL.index(f)] if f in CAPITAL else named[f],
                         dtype=jnp.float64) for f in APPOINTMENT_FEATURES]
    shape = tuple(jnp.broadcast_shapes(*(c.shape[:-1] for c in coefs))) + (G,)
    theta = jnp.stack([jnp.broadcast_to(c, shape) for c in coefs], axis=-1)  # (..., G, K)
    K = len(APPOINTMENT_FEATURES)

    def run(theta: Any, grad: bool) -> np.ndarray:
        theta = np.ascontiguousarray(theta, dtype=np.float64).reshape(-1, G, K)
        out = np.empty((theta.shape[0], G, R, 1 + K))
        kernel(theta, *data, grad, out)
        return out.reshape(shape + (R, 1 + K))

    return compiled_on_jax(run, theta, shape + (R, 1 + K),
                           lambda d, bar: jnp.sum(bar[..., None] * d, axis=-2))


def concession_probabilities(par: Mapping[str, Any], design: Design,
                             xp: ArrayBackend = NUMPY) -> Any:
    r"""Probability :math:`p_{kj}` that a role of kind :math:`k` goes to committee slot
    :math:`j` under each configuration, (..., G, C, K, M) (slot 0: the network keeps
    it; slot ``1 + o``: organisation ``o``): the committee's bargaining equilibrium
    (:func:`~.concessions.role_probabilities`)."""
    return role_probabilities({k: par[k] for k in BARGAINING}, design.committee, xp)


def expected_packages(par: Mapping[str, Any], design: Design) -> np.ndarray:
    """Expected concession roles of each kind held by each organisation under each
    configuration (numpy), (..., G, C, K, O): the pool's size times
    :func:`concession_probabilities`."""
    p = concession_probabilities(par, design)
    return (design.committee.pool_count[..., None] * p)[..., 1:]


def concession_log_probability(par: Mapping[str, Any], design: Design, obs: Observations,
                               xp: ArrayBackend = NUMPY) -> Any:
    r"""Log-probability of the observed concession counts given the observed
    configuration, (..., G): the multinomial of
    :func:`~.concessions.package_log_likelihood` over :func:`concession_probabilities`
    (0 where nothing is observed)."""
    mask = obs.concession_mask
    return package_log_likelihood({k: par[k] for k in BARGAINING}, design.committee,
                                  obs.concessions, mask if xp.is_symbolic(mask)
                                  else np.asarray(mask, bool), obs.cfg_chosen, xp)


def chosen_losses(design: Design, cfg_chosen: Any, xp: ArrayBackend = NUMPY) -> Any:
    """Work every organisation loses under the chosen configuration, (G, O)."""
    oh = _chosen_onehot(design, cfg_chosen, xp)
    return xp.sum(xp.where(oh[:, :, None], design.loss, 0.0), axis=1)


def configuration_log_likelihood(par: Mapping[str, Any], design: Design, obs: Observations,
                                 xp: ArrayBackend = NUMPY) -> Any:
    r""":math:`\log P(c_{\text{obs}}) + \log P(\text{observed votes} \mid c_{\text{obs}})`,
    (..., G): :func:`gametheory.formation.formation_log_likelihood` of
    :func:`linear_utilities` (on JAX one compiled loop with its exact gradient).
    Equals :func:`config_log_probability` at the observed configuration plus
    :func:`vote_log_probability`."""
    votes = (obs.votes, obs.vote_mask) if obs.has_votes else (None, None)
    return formation_log_likelihood(linear_utilities(par, design), design.bodies,
                                    design.cfg_mask, obs.cfg_chosen, *votes, xp,
                                    blocks=design.blocks or None)


def log_likelihood(par: Mapping[str, Any], design: Design, obs: Observations,
                   xp: ArrayBackend = NUMPY) -> dict[str, Any]:
    """Pointwise log-likelihood, 0 where nothing is observed.

    ``configuration`` (..., G) including observed votes; ``appointment``
    (..., G, 2); ``concessions`` (..., G) (the role counts of the chosen
    configuration's committee, :func:`concession_log_probability`).
    """
    out = {"configuration": configuration_log_likelihood(par, design, obs, xp)}
    out["appointment"] = appointment_log_probability(par, design, obs, xp)
    out["concessions"] = concession_log_probability(par, design, obs, xp)
    return out


# ----------------------------------------------------------- numpy outputs
@dataclass(frozen=True)
class Probabilities:
    """Outcome probabilities of every configuration (numpy, (..., G, C) unless noted).

    Attributes
    ----------
    proposal : chair's proposal probability :math:`P_{\\text{prop}}(c)`
    pass_probability : :math:`P_{\\text{pass}}(c)` (0/1 when ``kappa`` is infinite)
    choice : :math:`P(c)`
    all_blocked : (..., G) bool
        No configuration can pass (only in the deterministic limit); ``choice`` is
        then the proposal probability.
    passes_in_limit : (..., G, C) bool
        The deterministic-limit verdict (:math:`\\kappa \\to \\infty`).
    limit_choice : (..., G, C)
        Choice probabilities in that limit.
    limit_all_blocked : (..., G) bool
    """

    proposal: np.ndarray
    pass_probability: np.ndarray
    choice: np.ndarray
    all_blocked: np.ndarray
    passes_in_limit: np.ndarray
    limit_choice: np.ndarray
    limit_all_blocked: np.ndarray


def probabilities(par: Mapping[str, np.ndarray], design: Design) -> Probabilities:
    """Proposal, pass and choice probabilities (numpy), with the deterministic limit beside.

    An infinite ``kappa`` gives the limit itself.
    """
    z = proposal_logits(par, design)
    zm = np.where(design.cfg_mask, z, -np.inf)
    prop = np.exp(zm - zm.max(axis=-1, keepdims=True))
    prop = prop / prop.sum(axis=-1, keepdims=True)
    u = vote_utilities(par, design)
    limit = passes_in_limit(u, design.bodies) & design.cfg_mask
    with np.errstate(divide="ignore"):
        lim_lp = np.log(limit.astype(float))
    lim_choice, lim_blocked = choice_probability(z, lim_lp, design.cfg_mask)
    kappa = np.asarray(par["kappa"], float)
    if np.all(np.isinf(kappa)):
        lp = lim_lp
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            lp = log_pass_probability(kappa[..., None, None] * u, design.bodies,
                                      blocks=design.blocks or None)
    choice, blocked = choice_probability(z, lp, design.cfg_mask)
    return Probabilities(prop, np.where(design.cfg_mask, np.exp(lp), 0.0), choice, blocked,
                         limit, lim_choice, lim_blocked)


@dataclass(frozen=True)
class Outcome:
    """One draw of every region's outcome (see :func:`draw`)."""

    cfg: np.ndarray
    votes: np.ndarray
    network_director: np.ndarray
    centre_director: np.ndarray
    counts: np.ndarray
    loss: np.ndarray
    all_blocked: np.ndarray


def _gumbel_argmax(logits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.argmax(logits + rng.gumbel(size=logits.shape), axis=-1)


def draw(par: Mapping[str, np.ndarray], design: Design, rng: np.random.Generator) -> Outcome:
    """Draw every region's outcome once: configuration, votes, directors, concession counts.

    The configuration from :func:`probabilities` (``choice``), the votes on it from
    their law given that it passed (:func:`gametheory.formation.sample_votes`;
    none where every configuration is blocked), each director by the appointment
    logit, and the concession roles of each kind from the chosen committee's
    equilibrium (one multinomial per kind, :func:`~.concessions.draw_packages`):
    ``counts`` (G, K, O), ``-1`` for organisations not on the committee. Parameters
    may carry a region axis of size G (group effects).
    """
    G = design.n_regions
    rows = np.arange(G)
    pr = probabilities(par, design)
    with np.errstate(divide="ignore"):
        cfg = _gumbel_argmax(np.log(pr.choice), rng)
    u = vote_utilities(par, design)[rows, cfg]                         # (G, J)
    kappa = np.broadcast_to(np.asarray(par["kappa"], float), (G,))
    with np.errstate(over="ignore"):
        p = np.where(np.isinf(kappa)[:, None], (u > 0).astype(float),
                     1.0 / (1.0 + np.exp(-np.where(np.isinf(kappa), 1.0, kappa)[:, None] * u)))
    votes = np.zeros((G, design.bodies.n_members), np.int8)
    ok = ~pr.all_blocked
    if ok.any():
        sub = VotingBodies(design.bodies.weights[ok], design.bodies.quota[ok])
        votes[ok] = sample_votes(rng, p[ok], sub)
    host = design.cfg_host[rows, cfg]
    centre = design.cfg_centre[rows, cfg]
    directors = []
    for org in (host, centre):
        z = design.cand_z[rows, org][:, None]                           # (G, 1, D, A)
        m = design.cand_mask[rows, org]
        par_g = {k: (np.broadcast_to(v, (G, *np.shape(v)[1:]))[:, None]) for k, v in
                 par.items() if k in ("alpha", "mu", "eta")}
        logits = appointment_logits(par_g, z, m[:, None])[:, 0]
        directors.append(_gumbel_argmax(logits, rng))
    L = design.loss[rows, cfg]                                          # (G, O)
    cc = chosen_committee(design.committee, cfg, par={k: par[k] for k in BARGAINING})
    drawn = draw_packages(rng, cc["p"], design.committee.pool_count[rows, cfg])  # (G, K, M)
    on = design.committee.member[rows, cfg][:, None, 1:]                # (G, 1, O)
    counts = np.where(on, drawn[..., 1:], -1)
    return Outcome(cfg, votes, directors[0], directors[1], counts, L, pr.all_blocked)
