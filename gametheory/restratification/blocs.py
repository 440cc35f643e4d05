r"""Blocs and networks in a region: a priori unions, who can cooperate, which blocs form.

Three readings built on the generic modules (:mod:`gametheory.tu.unions`,
:mod:`gametheory.tu.graphs`, :mod:`gametheory.blocs`); this module adds no
solver of its own.

1. **The bloc's power.** The model's allocation reads the district bloc as
   *one merged player* of the management group's weighted voting game.
   :func:`bloc_power_readings` sets beside it the bloc as an *a priori union*
   of its members (Owen 1977 for Shapley-Shubik, Owen 1982 for Banzhaf), and
   the members voting *separately*. By the quotient-game property the Owen
   total of the bloc equals the merged player's Shapley-Shubik index when
   the other members stay single; what the union reading adds is how the
   bloc's power is shared among its members, and it differs from the merged
   reading as soon as other members also form unions or the Banzhaf index
   is used. The result says which case holds and by how much the readings
   differ.
2. **Who can cooperate.** A region may declare a communication graph
   between organisations (``cooperation``: geography, referral routes). The
   losers' participation game is then restricted to it (a coalition of losers
   can only hold out together along the graph, Myerson 1977), and the
   clinical committee's Myerson value is reported beside its Baron-Ferejohn
   shares. :func:`region_graph` and :func:`restrict_game` are generic and
   can be used by any mechanism that works on organisations.
3. **Which blocs form.** :func:`bloc_preferences` derives an additively
   separable hedonic game among the organisations represented in the
   management group from the model's stakes: shared losses of specialist
   work and shared opposition to concentration in the configurations that
   concentrate both roles, conflict between a configuration's winner and its
   opponents, rivalry between bidders for the same role, and geography (a
   declared cooperation link). :func:`endogenous_blocs` finds the stable
   partitions and reports whether the district bloc emerges;
   :func:`with_endogenous_bloc` returns the region with the bloc that formed,
   which ``restrat run --blocs endogenous`` plays.

References
----------
Owen, G. (1977). Values of games with a priori unions. LNEMS 141, 76-88.
Myerson, R. B. (1977). Graphs and cooperation in games. *Mathematics of
Operations Research* 2(3), 225-229.
Bogomolnaia, A. and Jackson, M. O. (2002). The stability of hedonic coalition
structures. *Games and Economic Behavior* 38(2), 201-230.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .. import power as _power
from ..blocs import HedonicGame
from ..blocs.hedonic import MAX_EXACT_PLAYERS
from ..coalitions import CoalitionStructure
from ..errors import InvalidArgumentError
from ..tu.game import TUGame
from ..tu.graphs import CommunicationGraph, graph_restricted_game
from .region import Region

__all__ = [
    "BlocPowerReadings",
    "bloc_power_readings",
    "region_graph",
    "restrict_game",
    "BlocPreferences",
    "bloc_preferences",
    "EndogenousBlocs",
    "endogenous_blocs",
    "with_endogenous_bloc",
]


# --------------------------------------------------------------- power readings
@dataclass(frozen=True)
class BlocPowerReadings:
    """The district bloc's power read three ways, and how the readings differ.

    Attributes
    ----------
    index : str
        ``"shapley_shubik"`` (Owen value for the union) or ``"banzhaf"``
        (Banzhaf-Owen value, normalised to sum to one over all members).
    merged : float
        The bloc as one merged player.
    union : float
        The bloc's total as an a priori union of its members (others single).
    separate : float
        Sum of the bloc members' indices when they vote separately.
    members : pandas.DataFrame
        Per bloc member: weight, separate index, share inside the union.
    difference : float
        ``union - merged``.
    explanation : str
        Why the readings agree or differ.
    """

    index: str
    merged: float
    union: float
    separate: float
    members: pd.DataFrame
    difference: float
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "merged": self.merged, "union": self.union,
                "separate": self.separate, "difference": self.difference,
                "explanation": self.explanation,
                "members": self.members.reset_index().to_dict(orient="records")}


def bloc_power_readings(region: Region, index: str = "shapley_shubik"
                        ) -> BlocPowerReadings | None:
    """The bloc's power as a merged player, an a priori union, and separate members.

    Returns None when the region has no bloc.

    Examples
    --------
    >>> from gametheory.restratification import scenarios
    >>> r = bloc_power_readings(scenarios.load("case-region"))
    >>> round(r.merged, 4) == round(r.union, 4), round(r.separate, 4) < round(r.union, 4)
    (True, True)
    """
    if index not in ("shapley_shubik", "banzhaf"):
        raise InvalidArgumentError("index", index, "unknown power index",
                                   "Use 'shapley_shubik' or 'banzhaf'")
    bloc = region.bloc_members()
    if not bloc:
        return None
    wvg = region.voting_game()
    merged_game = region.merged_voting_game()
    label = merged_game.players[-1]
    unions = [list(bloc)] + [[p] for p in wvg.players if p not in bloc]
    if index == "shapley_shubik":
        merged = float(_power.shapley_shubik(merged_game)[label])
        sep = _power.shapley_shubik(wvg)
        uni = _power.owen(wvg, unions)
    else:
        merged = float(_power.banzhaf(merged_game, normalized=True)[label])
        sep = _power.banzhaf(wvg, normalized=True)
        uni = _power.banzhaf_owen(wvg, unions, normalized=True)
    idx = [wvg.players.index(b) for b in bloc]
    union_total = float(uni.values[idx].sum())
    separate = float(sep.values[idx].sum())
    weights = np.array([m.weight for m in region.management_group if m.bloc])
    members = pd.DataFrame({"weight": weights, "separate": sep.values[idx],
                            "share_in_union": uni.values[idx],
                            "share_of_bloc": uni.values[idx] / union_total
                            if union_total > 0 else np.zeros(len(idx))},
                           index=pd.Index(bloc, name="member"))
    diff = union_total - merged
    if index == "shapley_shubik":
        why = ("the Owen total of an a priori union equals its Shapley-Shubik index in the "
               "quotient game, which is the merged game when every other member stays "
               "single; the union reading adds how the bloc's power is shared inside it")
    else:
        why = ("the Banzhaf-Owen value counts swings inside the union as well as between "
               "unions, so the bloc's total is not its Banzhaf index as one merged player")
    gain = union_total - separate
    expl = (f"as one merged player the bloc holds {merged:.4f}, as an a priori union "
            f"{union_total:.4f} (difference {diff:+.4f}: {why}); voting separately its "
            f"members would hold {separate:.4f}, so acting together "
            f"{'adds' if gain >= 0 else 'costs'} {abs(gain):.4f}")
    return BlocPowerReadings(index, merged, union_total, separate, members, diff, expl)


# ----------------------------------------------------------------- cooperation
def region_graph(region: Region, organisations: list[str] | None = None
                 ) -> CommunicationGraph | None:
    """The declared cooperation graph over *organisations* (default: all); None if undeclared.

    Links to organisations outside the list are dropped (the induced subgraph).
    """
    links = region.cooperation
    if links is None:
        return None
    names = [o.name for o in region.organisations] if organisations is None else list(
        organisations)
    keep = set(names)
    return CommunicationGraph([(a, b) for a, b in links if a in keep and b in keep], names)


def restrict_game(region: Region, game: TUGame) -> TUGame:
    """*game* (players are organisations) restricted to the region's cooperation graph.

    Unchanged when the region declares no graph. A coalition's worth becomes
    the sum of its connected parts' worths (Myerson 1977).
    """
    graph = region_graph(region, list(game.players))
    if graph is None:
        return game
    return graph_restricted_game(game, graph)


# ---------------------------------------------------------- which blocs form
@dataclass(frozen=True)
class BlocPreferences:
    r"""Weights turning the model's stakes into organisations' preferences over blocs.

    :math:`a_{ij} = w_{\text{loss}}\,\overline{\min(L_i, L_j)}/L_{\max}
    + w_{\text{opp}}\,\overline{o_i o_j} - w_{\text{conflict}}\,\max_c (w_i o_j + w_j o_i)
    - w_{\text{rival}}\,r_{ij} + w_{\text{geo}}\,g_{ij} - w_{\text{far}}\,(1 - g_{ij})`,
    averaged (bars) or maximised over the configurations :math:`c` that give
    both roles to one organisation: :math:`L` the specialist work lost, :math:`o` opposition
    (a non-winner that loses work or bid), :math:`w` winning, :math:`r` the
    number of roles both bid for, :math:`g` a declared cooperation link (the
    geography terms apply only when the region declares a graph).
    """

    loss: float = 1.0
    opposition: float = 1.0
    conflict: float = 1.0
    rival: float = 0.5
    geography: float = 0.5
    far: float = 0.5

    def __post_init__(self) -> None:
        for f in ("loss", "opposition", "conflict", "rival", "geography", "far"):
            val = float(getattr(self, f))
            if not np.isfinite(val) or val < 0:
                raise InvalidArgumentError(f, getattr(self, f), "must be finite and >= 0",
                                           "Give a non-negative weight")
            object.__setattr__(self, f, val)


def _stake_members(region: Region) -> list[tuple[str, str]]:
    return [(m.name, m.organisation) for m in region.management_group
            if m.organisation is not None]


def bloc_preferences(region: Region, prefs: BlocPreferences | None = None) -> HedonicGame:
    """The hedonic game among the management group's organisation members (see the module).

    Players are the members representing organisations (commissioners stay
    out); values are symmetric, so a Nash-stable partition always exists
    (Bogomolnaia and Jackson 2002).
    """
    from .model import designations_and_losses

    prefs = prefs or BlocPreferences()
    members = _stake_members(region)
    orgs = [o for _, o in members]
    n = len(orgs)
    if n < 2:
        raise InvalidArgumentError("region", region.name,
                                   "fewer than two organisations in the management group",
                                   "Blocs need at least two organisations")
    concentrated = [(h, h) for h in region.bidders("host") if h in region.bidders("centre")]
    bids = {o: {b.role for b in region.bids if b.organisation == o} for o in orgs}
    L = np.zeros((max(len(concentrated), 1), n))
    opp = np.zeros_like(L)
    win = np.zeros_like(L)
    for k, c in enumerate(concentrated):
        des = designations_and_losses(region, c)
        for j, o in enumerate(orgs):
            lost = float(des.loc[o, "loss"]) if o in des.index else 0.0
            L[k, j] = lost
            won = o in c
            win[k, j] = float(won)
            opp[k, j] = float(not won and (lost > 0 or bool(bids[o])))
    lmax = max(float(L.max()), 1e-12)
    share = np.minimum(L[:, :, None], L[:, None, :]).mean(axis=0) / lmax
    together = (opp[:, :, None] * opp[:, None, :]).mean(axis=0)
    # a potential concentrator is on the other side of every organisation that opposes
    # its concentration: the worst case over the configurations, not the average
    against = (win[:, :, None] * opp[:, None, :] + opp[:, :, None] * win[:, None, :]).max(axis=0)
    rival = np.array([[len(bids[a] & bids[b]) for b in orgs] for a in orgs], dtype=float)
    a = prefs.loss * share + prefs.opposition * together - prefs.conflict * against \
        - prefs.rival * rival
    graph = region_graph(region, orgs)
    if graph is not None:
        g = np.zeros((n, n))
        for i, j in graph.edge_indices:
            g[i, j] = g[j, i] = 1.0
        a = a + prefs.geography * g - prefs.far * (1.0 - g)
    np.fill_diagonal(a, 0.0)
    return HedonicGame.additively_separable((a + a.T) / 2.0, players=[m for m, _ in members])


@dataclass(frozen=True)
class EndogenousBlocs:
    """Which blocs form among the organisations, and whether the district bloc emerges.

    Attributes
    ----------
    game : HedonicGame
    concept : str
        The stability concept used (``"core"``, or ``"nash"`` when the core
        is empty or the group too large to enumerate).
    partition : CoalitionStructure
        The stable partition reported.
    n_stable : int or None
        Number of stable partitions (None when found by dynamics).
    declared : tuple
        The declared bloc's members.
    formed : tuple
        The block of the partition holding the most district members.
    allies : tuple
        Members of the formed block outside the declared bloc.
    emerges : bool
        Whether the declared bloc's members all sit in one block (possibly
        with allies).
    in_every : bool or None
        Whether they sit together in every stable partition.
    certificate : str
    """

    game: HedonicGame = field(repr=False)
    concept: str
    partition: CoalitionStructure
    n_stable: int | None
    declared: tuple[str, ...]
    formed: tuple[str, ...]
    allies: tuple[str, ...]
    emerges: bool
    in_every: bool | None
    certificate: str

    def summary(self) -> str:
        blocks = "; ".join("{" + ", ".join(b) + "}" for b in self.partition.blocks)
        if self.emerges:
            verdict = "the district bloc emerges" + (
                f", joined by {', '.join(self.allies)}" if self.allies else " on its own")
        else:
            verdict = "the district bloc does not emerge: its members end up apart"
        extra = ""
        if self.in_every is not None and self.n_stable:
            extra = (f"; its members are together in every one of the {self.n_stable} "
                     f"{self.concept}-stable partitions" if self.in_every else
                     f"; they are apart in some of the {self.n_stable} {self.concept}-stable "
                     "partitions")
        return f"{self.concept}-stable partition: {blocks}. {verdict}{extra}."

    def to_dict(self) -> dict[str, Any]:
        return {"concept": self.concept, "partition": [list(b) for b in self.partition.blocks],
                "n_stable": self.n_stable, "declared": list(self.declared),
                "formed": list(self.formed), "allies": list(self.allies),
                "emerges": self.emerges,
                "in_every": self.in_every, "certificate": self.certificate,
                "summary": self.summary()}


def endogenous_blocs(region: Region, prefs: BlocPreferences | None = None, *,
                     seed: int = 0) -> EndogenousBlocs:
    """Stable partitions of :func:`bloc_preferences` and whether the district bloc emerges.

    Exact enumeration (core stability, or Nash stability when the core is
    empty) when at most :data:`~gametheory.blocs.MAX_EXACT_PLAYERS`
    organisations sit in the management group; Nash-stable better-response
    dynamics from *seed* with a certificate otherwise.

    Examples
    --------
    >>> from gametheory.restratification import scenarios
    >>> e = endogenous_blocs(scenarios.load("case-region"))
    >>> e.concept, e.emerges
    ('core', True)
    """
    game = bloc_preferences(region, prefs)
    names = game.players
    districts = {m.name for m in region.management_group if m.organisation is not None
                 and region.organisation(m.organisation).kind == "district"}
    declared = tuple(m for m in region.bloc_members() if m in names)
    n_stable: int | None
    if game.n <= MAX_EXACT_PLAYERS:
        concept = "core"
        stable = game.stable_partitions("core")
        if not stable:
            concept = "nash"
            stable = game.stable_partitions("nash")
        n_stable = len(stable)
        partition = _most_district(stable, districts)
        certificate = f"all partitions enumerated; {n_stable} {concept}-stable"
        in_every = all(_together(p, declared) for p in stable) if declared else None
    else:
        concept = "nash"
        res = game.find_stable_partition("nash", method="dynamics", seed=seed)
        partition, n_stable, in_every = res.partition, None, None
        certificate = res.certificate
    formed = max(partition.blocks, key=lambda b: (len(districts & set(b)), -len(b)))
    formed = formed if districts & set(formed) else ()
    emerges = bool(declared) and _together(partition, declared)
    allies = tuple(m for m in formed if m not in declared)
    return EndogenousBlocs(game, concept, partition, n_stable, declared, tuple(formed),
                           allies, emerges, in_every, certificate)


def _together(p: CoalitionStructure, members: tuple[str, ...]) -> bool:
    return any(set(members) <= set(b) for b in p.blocks)


def _most_district(stable: tuple[CoalitionStructure, ...], districts: set[str]
                   ) -> CoalitionStructure:
    """The stable partition with the largest district block, then the fewest allies in it."""
    def key(p: CoalitionStructure) -> tuple[int, int]:
        best = max(p.blocks, key=lambda b: (len(districts & set(b)), -len(b)))
        return len(districts & set(best)), -len(set(best) - districts)

    return max(stable, key=key)


def with_endogenous_bloc(region: Region, prefs: BlocPreferences | None = None, *,
                         seed: int = 0) -> tuple[Region, EndogenousBlocs]:
    """The region with ``bloc`` flags set by the bloc that forms (see :func:`endogenous_blocs`).

    A bloc that draws in organisations of another kind than the region's
    ``bloc_kind`` makes the region's bloc a mixed one (``bloc_kind="any"``).
    """
    e = endogenous_blocs(region, prefs, seed=seed)
    formed = set(e.formed)
    members = tuple(replace(m, bloc=m.name in formed) for m in region.management_group)
    kinds = {region.organisation(m.organisation).kind for m in members
             if m.bloc and m.organisation is not None}
    kind = region.bloc_kind if kinds <= {region.bloc_kind} else "any"
    return replace(region, management_group=members, bloc_kind=kind), e


def committee_myerson(region: Region, members: list[str], organisations: list[str]
                      ) -> np.ndarray | None:
    """Myerson value of the committee's simple-majority game on the cooperation graph.

    *members* are committee members, *organisations* the organisation each
    represents. None when the region declares no graph or the committee is
    larger than 20.
    """
    if region.cooperation is None or len(members) > 20 or len(members) < 2:
        return None
    from ..tu.graphs import myerson_value

    n = len(members)
    q = n // 2 + 1
    sizes = np.bitwise_count(np.arange(1 << n))
    game = TUGame((sizes >= q).astype(float), members)
    org_of = dict(zip(members, organisations, strict=True))
    links = {(a, b) for a, b in region.cooperation} | {(b, a) for a, b in region.cooperation}
    edges = [(x, y) for i, x in enumerate(members) for y in members[i + 1:]
             if org_of[x] == org_of[y] or (org_of[x], org_of[y]) in links]
    return myerson_value(game, CommunicationGraph(edges, members)).values


def unions_of(region: Region) -> CoalitionStructure:
    """The management group's a priori unions: the bloc, everybody else alone."""
    bloc = region.bloc_members()
    wvg = region.voting_game()
    return CoalitionStructure([list(bloc)] + [[p] for p in wvg.players if p not in bloc]
                              if bloc else [[p] for p in wvg.players], wvg.players)
