r"""Cabinet formation as proposal and investiture vote, on the generic formation core.

The structural model of government formation in one parliament (parties
:math:`j` with seats :math:`s_j` and left-right positions :math:`x_j`, chamber
of :math:`T` seats, quota :math:`q = \lfloor T/2 \rfloor + 1`):

1. a formateur proposes cabinet :math:`C` with probability proportional to
   :math:`e^{V(C)}`, :math:`V(C) = \theta \cdot z(C)` over the proposer
   covariates :data:`PROPOSER_FEATURES` (number of parties, ideological range,
   largest party, median party, incumbent; the size covariates *minority* and
   *minimal winning* are not among them: the vote decides whether size matters);
2. the chamber votes (investiture or confidence): the cabinet's parties support
   it; every other party :math:`j` supports it with probability
   :math:`\sigma(a_{jC})`, :math:`a_{jC} = \alpha - \kappa\, d_{jC}`, where
   :math:`d_{jC} = |x_j - \bar x_C|` is its distance to the cabinet's policy (the
   seat-weighted mean position of the members, Laver and Shepsle 1996 use the
   same policy point for a cabinet), :math:`\alpha` the tolerance of a party at the
   cabinet's own position and :math:`\kappa \ge 0` the weight of distance; seats
   that belong to no party (independents, others) vote as one member with logit
   :math:`\alpha`;
3. the cabinet takes office when the supporting seats reach :math:`q`; a failed
   proposal is replaced.

A majority cabinet passes for sure. A minority cabinet passes with the exact
probability that enough outside seats support it: the weighted
Poisson-binomial of :func:`gametheory.formation.log_pass_probability`, on seats
coarsened to at most ``max_units`` voting units per chamber (unit
:math:`u = \lceil T / \text{max\_units} \rceil`, weights :math:`\mathrm{round}(s_j/u)`,
quota a majority of the coarse total). The chosen cabinet has

.. math::

    P(C) = \frac{e^{V(C) + o_C} P_{\text{pass}}(C)}{\sum_{C'} e^{V(C') + o_{C'}}
    P_{\text{pass}}(C')},

:math:`o_C` being the sampling correction of the choice set when it is sampled
(0 when every cabinet is listed). Everything numerical is written once against
an array backend (:mod:`gametheory.formation.backend`): numpy for prediction,
pytensor (and JAX) for the Bayesian fit.

References
----------
Baron, D. P. and Ferejohn, J. A. (1989). Bargaining in legislatures. *American
Political Science Review* 83(4), 1181-1206. Martin, L. W. and Stevenson, R. T.
(2001). Government formation in parliamentary democracies. *American Journal of
Political Science* 45(1), 33-50. Laver, M. and Shepsle, K. A. (1996). *Making
and Breaking Governments*. Cambridge UP.

Examples
--------
>>> from gametheory.government import Parliament
>>> p = Parliament.from_seats([40, 35, 25], [2.0, 5.0, 8.0])
>>> design = CabinetDesign.build([p], [p.all_cabinets()], chosen=[0b011])
>>> lp = log_choice_probability(np.zeros(5), 0.0, 1.0, design)
>>> P = np.exp(lp[0, design.order[0]])        # back to the order of all_cabinets()
>>> round(float(P.sum()), 12)
1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..formation import NUMPY, ArrayBackend, VotingBodies, log_pass_probability
from .parliament import FEATURES, Parliament

__all__ = ["PROPOSER_FEATURES", "CabinetDesign", "VoteBlock", "log_choice_probability",
           "log_weight", "support_logit", "MAX_UNITS"]

#: covariates of the formateur's valuation V(C)
PROPOSER_FEATURES = ("n_parties", "ideological_range", "largest_party", "median_party",
                     "incumbent")
#: default number of voting units per chamber (seats are coarsened to at most this many)
MAX_UNITS = 60
_COLS = [FEATURES.index(f) for f in PROPOSER_FEATURES]


@dataclass(frozen=True, eq=False)
class VoteBlock:
    """The investiture votes on ``N`` minority cabinets with at most ``J`` voting outsiders.

    One voting body per cabinet: its outside parties and the non-party seats
    (coarse seat weights, heaviest first, those of weight 0 left out; the
    cabinet's own parties are left out since they never oppose it), with the
    quota set so that the cabinet passes when the opposing weight is at most the
    chamber's coarse slack.

    Attributes
    ----------
    bodies : VotingBodies
        (N, J) weights and quotas.
    dist : (N, 1, J)
        :math:`d_{jC}` of each voting outsider (0 for the non-party seats and padding).
    owner : (N,) int
        The parliament (row of the design) each cabinet belongs to.
    side : str
        The side of the vote the pass probability is counted on (``"opposition"``
        or ``"support"``, :func:`gametheory.formation.log_pass_probability`).
    """

    bodies: VotingBodies
    dist: np.ndarray
    owner: np.ndarray
    side: str = "opposition"


@dataclass(frozen=True, eq=False)
class CabinetDesign:
    """Numpy constants of ``G`` parliaments' choice sets, split into majority and minority.

    Build with :meth:`build`. Majority cabinets (exact seats) occupy slots
    ``0 .. A-1`` of each row, minority ones slots ``A .. A+B-1``; only the
    minority cabinets go through the vote's dynamic programme, flattened into
    :class:`VoteBlock` s by their number of outside parties (no padded cabinets,
    no slots for the cabinet's own parties).

    Attributes
    ----------
    z_major, z_minor : (G, A, P), (G, B, P)
        Proposer covariates (:data:`PROPOSER_FEATURES`).
    offset : (G, A+B)
        Sampling correction of each slot (0 for listed choice sets).
    mask : (G, A+B) bool
        Real cabinets.
    blocks : tuple of VoteBlock
    minor_index : (G, B) int
        Position of each minority slot's pass probability in the concatenated
        block outputs; the last position (``n_votes``) holds 0 (a padding slot,
        or a cabinet that passes for sure after rounding).
    n_votes : int
        Number of cabinets put to a vote.
    chosen : (G,) int
        Slot of the formed cabinet.
    masks : (G, A+B) int64
        The cabinets (bitmasks over each parliament's parties; 0 = padding).
    order : list of (M_g,) int arrays
        ``order[g][i]`` = slot of the ``i``-th cabinet passed to :meth:`build`.
    group : (G,) int
        A grouping index (e.g. country) for hierarchical parameters.
    unit : (G,) int
        The coarsening unit of each chamber.
    """

    z_major: np.ndarray
    z_minor: np.ndarray
    offset: np.ndarray
    mask: np.ndarray
    blocks: tuple[VoteBlock, ...]
    minor_index: np.ndarray
    n_votes: int
    chosen: np.ndarray
    masks: np.ndarray
    order: list[np.ndarray]
    group: np.ndarray
    unit: np.ndarray

    @property
    def n_major(self) -> int:
        return int(self.z_major.shape[1])

    @classmethod
    def build(cls, parliaments: Sequence[Parliament], cabinets: Sequence[np.ndarray], *,
              chosen: Sequence[int] | None = None, offsets: Sequence[np.ndarray] | None = None,
              group: Sequence[int] | None = None, max_units: int = MAX_UNITS,
              block_edges: Sequence[int] = (4, 8)) -> CabinetDesign:
        """Compile the arrays.

        Parameters
        ----------
        parliaments : sequence of Parliament
        cabinets : sequence of int arrays
            The choice set of each parliament (bitmasks).
        chosen : sequence of int, optional
            The formed cabinet of each parliament (must be in its choice set);
            default the first cabinet of each set.
        offsets : sequence of float arrays, optional
            Sampling corrections, aligned with ``cabinets``.
        group : sequence of int, optional
            Group index per parliament (default 0).
        max_units : int
            At most this many voting units per chamber (module docstring; default
            :data:`MAX_UNITS`).
        block_edges : sequence of int
            Vote blocks by number of outside parties (upper bounds; a last block
            takes the rest).
        """
        G = len(parliaments)
        if len(cabinets) != G or G == 0:
            raise InvalidArgumentError("cabinets", f"<{len(cabinets)} sets>",
                                       f"need one choice set per parliament ({G})",
                                       "Give one array of cabinet bitmasks per parliament")
        if int(max_units) != max_units or max_units < 2:
            raise InvalidArgumentError("max_units", max_units, "not a whole number >= 2",
                                       "Give e.g. 60")
        zA, zB, oA, oB, mA, mB, order = [], [], [], [], [], [], []
        votes: list[tuple[int, int, np.ndarray, np.ndarray, int]] = []   # (g, b, w, d, slack)
        unit = np.zeros(G, dtype=np.int64)
        chosen_slot = np.zeros(G, dtype=np.int64)
        for g, (p, cab) in enumerate(zip(parliaments, cabinets, strict=True)):
            cab = np.asarray(cab, dtype=np.int64)
            off = np.zeros(len(cab)) if offsets is None else np.asarray(offsets[g], float)
            f = p.features(cab)
            major = f[:, FEATURES.index("minority")] == 0
            u = max(1, -(-p.total // int(max_units)))
            unit[g] = u
            w = np.round(p.seats / u).astype(np.int64)
            w_other = int(round((p.total - int(p.seats.sum())) / u))
            # a member never opposes its own cabinet, so a cabinet passes iff the opposing
            # seats are at most T - q: coarsen that slack directly (not the quota)
            slack = int(round((p.total - p.quota) / u))
            ia, ib = np.flatnonzero(major), np.flatnonzero(~major)
            mem = ((cab[ib, None] >> np.arange(p.n)[None, :]) & 1).astype(bool)
            seats = p.seats.astype(float)
            policy = (mem * seats * p.positions).sum(axis=1) / (mem * seats).sum(axis=1)
            for b, (row, x) in enumerate(zip(mem, policy, strict=True)):
                out = np.flatnonzero(~row)
                out = out[np.argsort(-p.seats[out], kind="stable")]
                votes.append((g, b, np.r_[w[out], w_other],
                              np.r_[np.abs(p.positions[out] - x), 0.0], slack))
            zA.append(f[ia][:, _COLS])
            zB.append(f[ib][:, _COLS])
            oA.append(off[ia])
            oB.append(off[ib])
            mA.append(cab[ia])
            mB.append(cab[ib])
            order.append(np.concatenate([ia, ib]))
        A = max(1, max(len(a) for a in mA))
        B = max(1, max(len(b) for b in mB))
        P = len(PROPOSER_FEATURES)
        z_major = np.zeros((G, A, P))
        z_minor = np.zeros((G, B, P))
        offset = np.zeros((G, A + B))
        mask = np.zeros((G, A + B), dtype=bool)
        masks = np.zeros((G, A + B), dtype=np.int64)
        slots = []
        for g in range(G):
            a, b = len(mA[g]), len(mB[g])
            z_major[g, :a], z_minor[g, :b] = zA[g], zB[g]
            offset[g, :a], offset[g, A:A + b] = oA[g], oB[g]
            mask[g, :a], mask[g, A:A + b] = True, True
            masks[g, :a], masks[g, A:A + b] = mA[g], mB[g]
            slot = np.empty(a + b, dtype=np.int64)
            slot[order[g][:a]] = np.arange(a)
            slot[order[g][a:]] = A + np.arange(b)
            slots.append(slot)
            want = int(chosen[g]) if chosen is not None else int(np.asarray(cabinets[g])[0])
            hit = np.flatnonzero(masks[g] == want)
            if not len(hit) or not mask[g, hit[0]]:
                raise InvalidArgumentError(f"chosen[{g}]", want, "is not in the choice set",
                                           "Include the formed cabinet among the cabinets")
            chosen_slot[g] = int(hit[0])
        blocks, where = _vote_blocks(votes, block_edges)
        n_votes = sum(int(bl.owner.size) for bl in blocks)
        minor_index = np.full((G, B), n_votes, dtype=np.int64)
        for (g, b), pos in where.items():
            minor_index[g, b] = pos
        grp = np.zeros(G, dtype=np.int64) if group is None else np.asarray(group, np.int64)
        return cls(z_major, z_minor, offset, mask, tuple(blocks), minor_index, n_votes,
                   chosen_slot, masks, slots, grp, unit)


#: vote blocks are also split by their number of DP states (upper bounds)
STATE_EDGES = (8, 16)


def _vote_blocks(votes: list[tuple[int, int, np.ndarray, np.ndarray, int]],
                 edges: Sequence[int]) -> tuple[list[VoteBlock], dict[tuple[int, int], int]]:
    """Group the votes into blocks of like cost; cabinets that cannot fail (the outside
    weight is within the slack after rounding) get no vote.

    Each vote keeps only its members of positive (coarse) weight, heaviest first, and
    is computed on the side of the vote with fewer states (the opposing weight up to
    the slack, or the weight still needed down from the quota:
    :func:`gametheory.formation.log_pass_probability`); blocks group votes by side,
    number of states (:data:`STATE_EDGES`) and number of members (``edges``), so no
    block pads many members or states.
    """
    live = []
    for g, b, w, d, slack in votes:
        if int(w.sum()) <= slack:
            continue
        keep = np.flatnonzero(w > 0)
        keep = keep[np.argsort(-w[keep], kind="stable")]
        quota = int(w.sum()) - slack
        side = "support" if quota + 1 < slack + 1 else "opposition"
        live.append((g, b, w[keep], d[keep], quota, side, min(quota, slack) + 1))
    m_edges = [0, *sorted(int(e) for e in edges), max([len(v[2]) for v in live], default=0)]
    s_edges = [0, *STATE_EDGES, max([v[6] for v in live], default=0)]
    blocks: list[VoteBlock] = []
    where: dict[tuple[int, int], int] = {}
    pos = 0
    for side in ("opposition", "support"):
        for s_lo, s_hi in zip(s_edges[:-1], s_edges[1:], strict=True):
            for m_lo, m_hi in zip(m_edges[:-1], m_edges[1:], strict=True):
                sel = [v for v in live if v[5] == side and s_lo < v[6] <= s_hi
                       and m_lo < len(v[2]) <= m_hi]
                if not sel:
                    continue
                J = max(len(v[2]) for v in sel)
                W = np.zeros((len(sel), J), dtype=np.int64)
                D = np.zeros((len(sel), 1, J))
                Q = np.zeros(len(sel), dtype=np.int64)
                owner = np.zeros(len(sel), dtype=np.int64)
                for r, (g, b, w, d, quota, _, _) in enumerate(sel):
                    W[r, :len(w)] = w
                    D[r, 0, :len(d)] = d
                    Q[r] = quota
                    owner[r] = g
                    where[(g, b)] = pos + r
                blocks.append(VoteBlock(VotingBodies(W, Q), D, owner, side))
                pos += len(sel)
    return blocks, where


def support_logit(alpha: Any, kappa: Any, block: VoteBlock, xp: ArrayBackend = NUMPY) -> Any:
    r"""Support logits :math:`a_{jC} = \alpha - \kappa d_{jC}` of a vote block: (..., N, 1, J).

    ``alpha`` is a scalar or an array (..., G) (one tolerance per parliament,
    e.g. its country's, gathered by the caller; leading axes are batch axes);
    ``kappa`` a scalar or an array of the batch shape (...).
    """
    a = xp.asarray(alpha)
    k = xp.asarray(kappa)
    if xp.ndim(a) >= 1:
        a = xp.take_along_axis(a, block.owner, axis=-1)[..., None, None]
    k = k[..., None, None, None] if xp.ndim(k) >= 1 else k
    return a - k * block.dist


def log_weight(theta: Any, alpha: Any, kappa: Any, design: CabinetDesign,
               xp: ArrayBackend = NUMPY) -> Any:
    r"""Unnormalised log choice weight :math:`V(C) + o_C + \log P_{\text{pass}}(C)` of every
    slot: (..., G, A+B), ``-inf`` on padding.

    Parameters
    ----------
    theta : (P,) array, optional leading batch axes
        Proposer coefficients (:data:`PROPOSER_FEATURES`).
    alpha, kappa
        Vote parameters (see :func:`support_logit`).
    design : CabinetDesign
    xp : ArrayBackend
    """
    th = xp.asarray(theta)
    vA = xp.sum(design.z_major * th[..., None, None, :], axis=-1)
    vB = xp.sum(design.z_minor * th[..., None, None, :], axis=-1)
    parts = [log_pass_probability(support_logit(alpha, kappa, bl, xp), bl.bodies, xp,
                                  side=bl.side)[..., 0] for bl in design.blocks]
    parts.append(vB[..., 0, :1] * 0.0)                              # "passes for sure": log 1
    flat = xp.concatenate(parts, axis=-1)                            # (..., n_votes + 1)
    lpB = xp.take_along_axis(flat[..., None, :], design.minor_index, axis=-1)
    s = xp.concatenate([vA, vB + lpB], axis=-1) + design.offset
    return xp.where(design.mask, s, -np.inf)


def log_choice_probability(theta: Any, alpha: Any, kappa: Any, design: CabinetDesign,
                           xp: ArrayBackend = NUMPY) -> Any:
    r""":math:`\log P(C)` of every slot: (..., G, A+B) (module docstring; arguments as
    :func:`log_weight`)."""
    s = log_weight(theta, alpha, kappa, design, xp)
    return s - xp.logsumexp(s, axis=-1, keepdims=True)
