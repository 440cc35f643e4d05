r"""The Zeuthen–Harsanyi concession process for two players.

Representation
--------------
Two players bargain over a feasible set :math:`S` (vertices with free
disposal, or a concave non-increasing frontier; see
:class:`~gametheory.bargaining.FeasibleSet`) with disagreement point
:math:`d`. Offers are points of the Pareto frontier, discretised into
``grid`` points equally spaced in player 0's utility between :math:`d_0` and
the ideal :math:`a_0` (the "smallest unit" of concession).

Each player starts by proposing its ideal point. Given current offers
:math:`x^1` (player 0's) and :math:`x^2` (player 1's), player :math:`i`'s
risk limit is the largest probability of conflict it would risk rather than
accept the other's offer,

.. math::

    r_i = \frac{u_i(x^i) - u_i(x^j)}{u_i(x^i) - d_i}.

The player with the smaller risk limit concedes (both on a tie), making
Harsanyi's minimal concession: the smallest move along the frontier towards
the other offer after which its risk limit exceeds the other's — equivalently
(for two players) after which its offer has the larger Nash product
:math:`(u_1-d_1)(u_2-d_2)`. The process stops when one player's offer is
acceptable to the other (the offers meet or cross). Nash products of the
offers rise at every concession, the offers straddle the maximiser of the
Nash product, and agreement is within one grid step of the Nash bargaining
solution (Harsanyi 1956), which the tests check.

References
----------
Zeuthen, F. (1930). *Problems of Monopoly and Economic Warfare*. Routledge.
Harsanyi, J. C. (1956). Approaches to the bargaining problem before and after
the theory of games. *Econometrica* 24, 144–157.
Harsanyi, J. C. (1977). *Rational Behavior and Bargaining Equilibrium in
Games and Social Situations*, ch. 8. Cambridge University Press.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..results import frozen_array
from .axiomatic import FeasibleSet, _as_feasible, _disagreement, _ideal, _require_dominated

__all__ = ["ZeuthenResult", "zeuthen", "pareto_frontier_2d"]


@dataclass(frozen=True, eq=False)
class ZeuthenResult:
    """Outcome and history of a Zeuthen–Harsanyi concession process.

    Attributes
    ----------
    agreement : ndarray
        Agreed utilities (player 0, player 1).
    offers : ndarray
        ``(T, 2, 2)``: at round ``t``, ``offers[t, i]`` is player ``i``'s
        offer (a utility pair) before that round's concession.
    risk_limits : ndarray
        ``(T, 2)`` risk limits at each round.
    conceders : tuple
        Who conceded at each round: ``0``, ``1`` or ``"both"``.
    accepted_by : int or str
        The player who accepted the other's offer at the end (``"both"``
        when simultaneous concessions crossed).
    grid : int
        Number of frontier points (concession unit = range / (grid - 1)).
    disagreement : ndarray
    """

    agreement: np.ndarray
    offers: np.ndarray
    risk_limits: np.ndarray
    conceders: tuple[Any, ...]
    accepted_by: Any
    grid: int
    disagreement: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def rounds(self) -> int:
        """Number of concession rounds."""
        return len(self.conceders)


def pareto_frontier_2d(feasible: Any, disagreement: Any = None, grid: int = 10001, *,
                       bounds: Any = None) -> np.ndarray:
    r"""Points of the individually rational Pareto frontier of a two-player set.

    Returns a ``(grid, 2)`` array: player 0's utility equally spaced on
    :math:`[d_0, a_0]` and player 1's best feasible utility
    :math:`f(u_0) = \max\{u_1 : (u_0, u_1) \in S\}` at each.

    Examples
    --------
    >>> pareto_frontier_2d([[2, 0], [0, 2]], grid=3).tolist()
    [[0.0, 2.0], [1.0, 1.0], [2.0, 0.0]]
    """
    S = _as_feasible(feasible, bounds)
    if S.n != 2:
        raise InvalidArgumentError("feasible", feasible, f"a {S.n}-player set",
                                   "The concession process is defined for two players")
    d = _disagreement(disagreement, 2)
    _require_dominated(S, d)
    a = _ideal(S, d)
    xs = np.linspace(d[0], a[0], int(grid))
    return np.column_stack([xs, _frontier_values(S, xs)])


def _frontier_values(S: FeasibleSet, xs: np.ndarray) -> np.ndarray:
    if S.vertices is None:
        return np.array([S._f(np.array([x])) for x in xs])
    V = S.vertices
    # upper concave envelope of the points (monotone chain), then made
    # non-increasing from the right (free disposal)
    pts = sorted({(float(x), float(y)) for x, y in V})
    hull: list[tuple[float, float]] = []
    for p in pts:
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1) >= 0:
                hull.pop()
            else:
                break
        hull.append(p)
    hx = np.array([h[0] for h in hull])
    hy = np.array([h[1] for h in hull])
    # running max from the right of the envelope, evaluated on the grid
    peak = np.maximum.accumulate(hy[::-1])[::-1]
    ys = np.interp(xs, hx, hy, left=np.nan, right=-np.inf)
    # left of the hull: free disposal gives the best value to the right
    ys = np.where(np.isnan(ys), peak[0], ys)
    i_peak = int(np.argmax(hy))
    ys = np.where(xs <= hx[i_peak], hy[i_peak], ys)
    return ys


def zeuthen(feasible: Any, disagreement: Any = None, *, grid: int = 10001,
            bounds: Any = None, max_rounds: int | None = None) -> ZeuthenResult:
    r"""Run the Zeuthen–Harsanyi concession process to agreement.

    At each round the player with the smaller risk limit
    :math:`r_i = (u_i(x^i) - u_i(x^j)) / (u_i(x^i) - d_i)` concedes (both
    if equal), by the minimal move along the discretised frontier that makes
    the opponent's risk limit the smaller one. The process ends when an
    offer gives the other player at least what it asks for.

    Parameters
    ----------
    feasible : FeasibleSet, (m, 2) vertices or frontier callable
    disagreement : pair of floats, optional (default zeros)
    grid : int
        Frontier points (>= 3); the agreement is within about two grid
        steps of the Nash solution.
    bounds : frontier domain when *feasible* is a callable
    max_rounds : int, optional
        Safety cap (default ``grid``; every round moves an offer at least
        one grid step, so the cap is never reached).

    Returns
    -------
    ZeuthenResult

    References
    ----------
    Zeuthen (1930); Harsanyi (1956), *Econometrica* 24, 144–157.

    Examples
    --------
    >>> res = zeuthen([[1, 0], [0, 1]], grid=101)
    >>> res.agreement.round(6).tolist()
    [0.5, 0.5]
    """
    if not isinstance(grid, int | np.integer) or grid < 3:
        raise InvalidArgumentError("grid", grid, "need an integer of at least 3",
                                   "Pass e.g. grid=10001")
    S = _as_feasible(feasible, bounds)
    if S.n != 2:
        raise InvalidArgumentError("feasible", feasible, f"a {S.n}-player set",
                                   "The concession process is defined for two players")
    d = _disagreement(disagreement, 2)
    F = pareto_frontier_2d(S, d, int(grid))
    gains = np.maximum(F - d, 0.0)
    NP = gains[:, 0] * gains[:, 1]
    K = F.shape[0]
    i0, i1 = K - 1, 0  # player 0 proposes its ideal (largest u0), player 1 the smallest u0
    offers: list[np.ndarray] = []
    risks: list[list[float]] = []
    conceders: list[Any] = []
    cap = K if max_rounds is None else int(max_rounds)
    accepted_by: Any = None
    agreement_idx = None

    def risk(own: int, other: int, who: int) -> float:
        gain = F[own, who] - d[who]
        return float((F[own, who] - F[other, who]) / gain) if gain > 0 else 0.0

    while True:
        if i0 <= i1:  # offers met or crossed: each offer satisfies the other
            agreement_idx = i0 if NP[i0] >= NP[i1] else i1
            accepted_by = accepted_by if accepted_by is not None else "both"
            break
        if len(conceders) >= cap:
            raise InvalidArgumentError("max_rounds", max_rounds, "cap reached before agreement",
                                       "Raise max_rounds or leave it at its default")
        r0, r1 = risk(i0, i1, 0), risk(i1, i0, 1)
        offers.append(np.array([F[i0], F[i1]]))
        risks.append([r0, r1])
        # r0 < r1  <=>  NP[i0] < NP[i1] (two players); compare Nash products exactly
        n0, n1 = NP[i0], NP[i1]
        if n0 < n1:
            conceders.append(0)
            j = i0 - 1
            while j > i1 and NP[j] <= n1:
                j -= 1
            if j <= i1:
                agreement_idx, accepted_by = i1, 0
                break
            i0 = j
        elif n1 < n0:
            conceders.append(1)
            j = i1 + 1
            while j < i0 and NP[j] <= n0:
                j += 1
            if j >= i0:
                agreement_idx, accepted_by = i0, 1
                break
            i1 = j
        else:
            conceders.append("both")
            j0 = i0 - 1
            while j0 > i1 and NP[j0] <= n1:
                j0 -= 1
            j1 = i1 + 1
            while j1 < i0 and NP[j1] <= n0:
                j1 += 1
            i0, i1 = j0, j1
    return ZeuthenResult(
        agreement=frozen_array(F[agreement_idx]),
        offers=frozen_array(np.array(offers).reshape(-1, 2, 2)),
        risk_limits=frozen_array(np.array(risks).reshape(-1, 2)),
        conceders=tuple(conceders), accepted_by=accepted_by, grid=int(grid),
        disagreement=frozen_array(d),
        info={"nash_product": float(NP[agreement_idx]),
              "step": float(F[1, 0] - F[0, 0])})
