r"""Axiomatic bargaining solutions for n players: Nash, Kalai–Smorodinsky, egalitarian.

Representation
--------------
A bargaining problem is a pair :math:`(S, d)`: a feasible set
:math:`S \subset \mathbb{R}^n` of utility vectors and a disagreement point
:math:`d`. The feasible set is given in one of two ways (see
:class:`FeasibleSet`):

* **vertices** — an ``(m, n)`` array of utility vectors :math:`x^1,\dots,x^m`;
  the set is their convex hull with free disposal,
  :math:`S = \{u : u \le x \text{ for some } x \in \operatorname{conv}\{x^j\}\}`.
  Every solution below lies on the Pareto frontier of the hull, so free
  disposal changes none of them; it only makes "strictly dominated" and the
  egalitarian point well defined. For **two players** (a polygon) every
  solution is computed in closed form: the strong Pareto frontier is
  extracted once (sort plus a vectorised convex-chain pruning), the Nash
  product is maximised analytically on each Pareto edge (a concave function
  of one variable whose stationary point is explicit), and the ideal,
  Kalai–Smorodinsky and egalitarian points are ray–halfspace intersections;
  the cost is linear in the number of vertices after one sort (20,001
  vertices take milliseconds) and the results are exact to rounding. For
  **three or more players** the ideal, Kalai–Smorodinsky and egalitarian
  points are linear programs (HiGHS) and the Nash product is a concave
  maximisation (SLSQP as a starting point, then Newton on the active face),
  certified optimal by the first-order test of :func:`nash`.
* **frontier** — a function :math:`f` giving the last player's utility on the
  Pareto frontier, :math:`u_n = f(u_1, \dots, u_{n-1})`, on a box of the
  first :math:`n-1` utilities; the set is
  :math:`S = \{u : u_{-n} \le x,\ u_n \le f(x),\ x \in \text{box}\}`. The
  function must be concave (else :math:`S` is not convex and the solutions
  lose their meaning: an error is raised) and non-increasing.

The disagreement point must be strictly dominated by some feasible point
(:math:`u > d` for some :math:`u \in S`); otherwise there is nothing to
bargain over and an error is raised.

Results are :class:`~gametheory.results.AllocationResult` objects holding the
agreed utility vector, one number per player.

References
----------
Nash, J. (1950). The bargaining problem. *Econometrica* 18, 155–162.
Kalai, E. and Smorodinsky, M. (1975). Other solutions to Nash's bargaining
problem. *Econometrica* 43, 513–518.
Kalai, E. (1977). Proportional solutions to bargaining situations:
interpersonal utility comparisons. *Econometrica* 45, 1623–1630.
Roth, A. E. (1979). *Axiomatic Models of Bargaining*. Springer.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize

from ..coalitions import validate_players
from ..errors import InvalidArgumentError, InvalidTypeError, SolverError
from ..results import AllocationResult
from ._checks import as_finite_array

__all__ = ["FeasibleSet", "nash", "kalai_smorodinsky", "egalitarian", "ideal_point"]

_TOL = 1e-9


@dataclass(frozen=True, eq=False)
class FeasibleSet:
    r"""The feasible set of a bargaining problem.

    Build it with :meth:`from_vertices` or :meth:`from_frontier`; the solvers
    also accept a plain ``(m, n)`` array (vertices) or a callable (frontier,
    with ``bounds=``) and build the set themselves.

    Attributes
    ----------
    n : int
        Number of players.
    vertices : ndarray or None
        ``(m, n)`` utility vectors whose convex hull (with free disposal) is
        the set.
    frontier : callable or None
        :math:`f(u_1,\dots,u_{n-1})` giving :math:`u_n` on the Pareto frontier.
    bounds : ndarray or None
        ``(n-1, 2)`` lower and upper limits of the first :math:`n-1`
        utilities for a frontier.

    Examples
    --------
    >>> S = FeasibleSet.from_vertices([[1, 0], [0, 1]])
    >>> S.n
    2
    >>> T = FeasibleSet.from_frontier(lambda x: 1 - x ** 2, bounds=(0, 1))
    >>> T.n
    2
    """

    n: int
    vertices: np.ndarray | None = None
    frontier: Callable[..., Any] | None = None
    bounds: np.ndarray | None = None

    @classmethod
    def from_vertices(cls, points: Any) -> FeasibleSet:
        """Convex hull (with free disposal) of the rows of *points* (``(m, n)``)."""
        V = as_finite_array(points, "vertices", ndim=2)
        if V.shape[1] < 2 or V.shape[0] < 1:
            raise InvalidArgumentError("vertices", points,
                                       f"need an (m, n) array with n >= 2, got {V.shape}",
                                       "Give one row per feasible utility vector, one "
                                       "column per player")
        V = V.copy()
        V.flags.writeable = False
        return cls(n=V.shape[1], vertices=V)

    @classmethod
    def from_frontier(cls, f: Callable[..., Any], bounds: Any, check: bool = True,
                      grid: int = 41) -> FeasibleSet:
        r"""Set below a concave, non-increasing Pareto frontier :math:`u_n = f(u_{-n})`.

        Parameters
        ----------
        f : callable
            For two players a function of one float; for :math:`n > 2` a
            function of a length-``n-1`` array.
        bounds : (lo, hi) or sequence of (lo, hi)
            Domain of each of the first :math:`n-1` utilities.
        check : bool
            Check concavity and monotonicity on a grid (``grid`` points per
            axis, at most about 4000 points in all). A failed check raises
            :class:`~gametheory.errors.InvalidArgumentError`: a non-concave
            frontier makes the set non-convex.
        """
        if not callable(f):
            raise InvalidTypeError("frontier", f, "not callable",
                                   "Pass a function u_n = f(u_1, ..., u_{n-1})")
        b = as_finite_array(bounds, "bounds")
        if b.ndim == 1:
            b = b.reshape(1, -1)
        if b.ndim != 2 or b.shape[1] != 2 or np.any(b[:, 0] >= b[:, 1]):
            raise InvalidArgumentError("bounds", bounds,
                                       "expected (lo, hi) pairs with lo < hi",
                                       "Pass e.g. bounds=(0, 1) for two players")
        b = b.copy()
        b.flags.writeable = False
        S = cls(n=b.shape[0] + 1, frontier=f, bounds=b)
        if check:
            S._check_frontier(grid)
        return S

    # frontier helpers -------------------------------------------------
    def _f(self, x: np.ndarray) -> float:
        """Frontier value at x (clipped into the box: free disposal)."""
        assert self.frontier is not None and self.bounds is not None
        xc = np.clip(x, self.bounds[:, 0], self.bounds[:, 1])
        arg: Any = float(xc[0]) if self.n == 2 else xc
        val = float(self.frontier(arg))
        if not np.isfinite(val):
            raise InvalidArgumentError("frontier", self.frontier,
                                       f"returned {val} at {xc.tolist()}",
                                       "The frontier must be finite on its whole domain")
        return val

    def _check_frontier(self, grid: int) -> None:
        assert self.bounds is not None
        k = self.n - 1
        per_axis = max(3, min(grid, int(round(4000 ** (1.0 / k)))))
        axes = [np.linspace(lo, hi, per_axis) for lo, hi in self.bounds]
        mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, k)
        vals = np.array([self._f(x) for x in mesh]).reshape((per_axis,) * k)
        scale = max(1.0, float(np.max(np.abs(vals))))
        tol = 1e-9 * scale
        for ax in range(k):
            d1 = np.diff(vals, axis=ax)
            if np.any(d1 > tol):
                raise InvalidArgumentError(
                    "frontier", self.frontier,
                    f"increases along utility {ax}: not a Pareto frontier",
                    "Give the non-increasing upper boundary of the feasible set")
            d2 = np.diff(vals, n=2, axis=ax)
            if np.any(d2 > tol):
                raise InvalidArgumentError(
                    "frontier", self.frontier,
                    "is not concave, so the feasible set below it is not convex",
                    "Pass a concave frontier, or give the vertices of the set's convex "
                    "hull with FeasibleSet.from_vertices")
        if k > 1:
            # midpoint concavity along diagonals of the grid
            flat = vals.reshape(-1)
            rng_idx = np.arange(mesh.shape[0])
            for shift in (1, per_axis + 1):
                a, c = rng_idx[:-2 * shift], rng_idx[2 * shift:]
                mid = (mesh[a] + mesh[c]) / 2.0
                fm = np.array([self._f(x) for x in mid[:200]])
                if np.any((flat[a][:200] + flat[c][:200]) / 2.0 - fm > tol):
                    raise InvalidArgumentError(
                        "frontier", self.frontier,
                        "is not concave, so the feasible set below it is not convex",
                        "Pass a concave frontier")


def _as_feasible(feasible: Any, bounds: Any) -> FeasibleSet:
    if isinstance(feasible, FeasibleSet):
        return feasible
    if callable(feasible):
        if bounds is None:
            raise InvalidArgumentError("bounds", None,
                                       "a frontier function needs the domain of its arguments",
                                       "Pass bounds=(lo, hi) (or one pair per argument)")
        return FeasibleSet.from_frontier(feasible, bounds)
    return FeasibleSet.from_vertices(feasible)


def _disagreement(d: Any, n: int) -> np.ndarray:
    if d is None:
        return np.zeros(n)
    arr = as_finite_array(d, "disagreement", ndim=1)
    if arr.shape[0] != n:
        raise InvalidArgumentError("disagreement", d,
                                   f"{arr.shape[0]} entries for a {n}-player problem",
                                   f"Give one disagreement utility per player ({n})")
    return arr


def _linprog(c: np.ndarray, A_ub: np.ndarray, b_ub: np.ndarray, A_eq: np.ndarray,
             b_eq: np.ndarray, bounds: Any, what: str) -> np.ndarray:
    res = optimize.linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds,
                           method="highs")
    if res.status != 0:
        raise SolverError(what, res.status, res.message,
                          "Check that the feasible set is bounded and non-empty")
    return np.asarray(res.x)


# ------------------------------------------------------------- polygons (two players)
def _pareto_chain(V: np.ndarray) -> np.ndarray:
    r"""Vertices of the strong Pareto frontier of :math:`\operatorname{conv} V` (2 players).

    Ordered from the point with the largest :math:`u_2` (ties: largest
    :math:`u_1`) to the point with the largest :math:`u_1` (ties: largest
    :math:`u_2`), so :math:`u_1` increases and :math:`u_2` decreases strictly
    along it. The points between the two ends are sorted by :math:`u_1` and
    every point not strictly above the chord of its two neighbours is dropped,
    all at once, until none is (each pass is vectorised; points in convex
    position need one pass). A single point when one vertex dominates the rest.
    """
    top = V[np.lexsort((V[:, 0], V[:, 1]))[-1]]
    right = V[np.lexsort((V[:, 1], V[:, 0]))[-1]]
    if top[0] >= right[0] or right[1] >= top[1]:
        return (top if top[0] >= right[0] else right).reshape(1, 2).astype(float)
    # only points in the box spanned by the two ends can lie on the chain between them
    P = V[(V[:, 0] >= top[0]) & (V[:, 1] >= right[1])].astype(float)
    P = P[np.lexsort((-P[:, 1], P[:, 0]))]         # u1 ascending, then u2 descending
    P = P[np.append(True, P[1:, 0] != P[:-1, 0])]  # one point (the highest) per u1
    while P.shape[0] > 2:
        a, b, c = P[:-2], P[1:-1], P[2:]
        cross = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (
            c[:, 0] - a[:, 0])
        keep = cross < 0                           # strictly above the chord a-c
        if keep.all():
            break
        P = np.vstack([P[:1], b[keep], P[-1:]])
    return P


_CHAIN_CACHE: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _chain_of(V: np.ndarray) -> np.ndarray:
    """:func:`_pareto_chain` of a (read-only) vertex array, remembered for the last array."""
    hit = _CHAIN_CACHE.get(id(V))
    if hit is not None and hit[0] is V:
        return hit[1]
    C = _pareto_chain(V)
    _CHAIN_CACHE.clear()
    _CHAIN_CACHE[id(V)] = (V, C)
    return C


def _polygon_halfspaces(C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Outer normals (rows, >= 0) and offsets describing the comprehensive hull of a chain."""
    e = np.diff(C, axis=0)
    nrm = np.column_stack([-e[:, 1], e[:, 0]])                    # both entries > 0
    normals = np.vstack([[[0.0, 1.0], [1.0, 0.0]], nrm])
    offsets = np.concatenate([[C[0, 1], C[-1, 0]], np.einsum("ij,ij->i", nrm, C[:-1])])
    return normals, offsets


def _polygon_max_along(V: np.ndarray, d: np.ndarray, direction: np.ndarray) -> float:
    """Closed form of ``max{t : d + t dir in S}`` for a polygon with free disposal."""
    Nrm, h = _polygon_halfspaces(_chain_of(V))
    rate = Nrm @ direction
    room = h - Nrm @ d
    pos = rate > 0
    if not np.any(pos):  # pragma: no cover - direction >= 0 and not zero
        return np.inf
    return float(np.min(room[pos] / rate[pos]))


def _polygon_ideal(V: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Each player's best utility on the chain given the other gets at least d."""
    C = _chain_of(V)
    # along the chain u1 increases and u2 decreases: interpolate the crossing points
    a1 = C[-1, 0] if C[-1, 1] >= d[1] else float(np.interp(d[1], C[::-1, 1], C[::-1, 0]))
    a2 = C[0, 1] if C[0, 0] >= d[0] else float(np.interp(d[0], C[:, 0], C[:, 1]))
    return np.array([a1, a2], dtype=float)


def _polygon_nash(V: np.ndarray, d: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float]:
    r"""Nash point of a polygon: the product maximised in closed form on each Pareto edge.

    On the edge :math:`u(t) = p + t (q - p)`, :math:`t \in [0, 1]`, with gains
    :math:`g = p - d` and :math:`a = q - p` (:math:`a_1 > 0 > a_2`),
    :math:`\phi(t) = w_1 \log(g_1 + t a_1) + w_2 \log(g_2 + t a_2)` is concave and
    stationary at :math:`t^* = -(w_1 a_1 g_2 + w_2 a_2 g_1) / ((w_1 + w_2) a_1 a_2)`;
    the edge's optimum is :math:`t^*` clipped to the part of the edge where both
    gains are positive, and the solution is the best edge optimum. Returns the
    point and the largest violation of the optimality certificate
    :math:`\nabla\phi \cdot (x^j - u) \le 0` over the chain's vertices.
    """
    C = _chain_of(V)
    G = C - d
    if C.shape[0] == 1:
        u = C[0].astype(float)
    else:
        g, a = G[:-1], np.diff(C, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            t_star = -(w[0] * a[:, 0] * g[:, 1] + w[1] * a[:, 1] * g[:, 0]) / (
                (w[0] + w[1]) * a[:, 0] * a[:, 1])
            lo = np.maximum(0.0, -g[:, 0] / a[:, 0])
            hi = np.minimum(1.0, g[:, 1] / -a[:, 1])
        t = np.clip(t_star, lo, hi)
        U = C[:-1] + t[:, None] * a
        gains = U - d
        with np.errstate(divide="ignore", invalid="ignore"):
            val = np.where(np.all(gains > 0, axis=1) & (lo <= hi),
                           np.log(np.where(gains > 0, gains, 1.0)) @ w, -np.inf)
        # vertices themselves (covers edges whose interior has no positive gains)
        with np.errstate(divide="ignore", invalid="ignore"):
            vval = np.where(np.all(G > 0, axis=1), np.log(np.where(G > 0, G, 1.0)) @ w,
                            -np.inf)
        k, j = int(np.argmax(val)), int(np.argmax(vval))
        u = U[k] if val[k] >= vval[j] else C[j].astype(float)
    grad = w / (u - d)
    gap = float(np.max((C - u) @ grad))
    return u, gap


def _max_along(S: FeasibleSet, d: np.ndarray, direction: np.ndarray) -> float:
    """Largest t with d + t * direction in S (direction >= 0, not all zero)."""
    if S.vertices is not None and S.n == 2:
        return _polygon_max_along(S.vertices, d, direction)
    if S.vertices is not None:
        V = S.vertices
        m, n = V.shape
        # variables: lambda (m), t ; maximise t s.t. d + t*dir <= V^T lambda
        c = np.zeros(m + 1)
        c[-1] = -1.0
        A_ub = np.hstack([-V.T, direction.reshape(-1, 1)])
        b_ub = -d
        A_eq = np.hstack([np.ones((1, m)), np.zeros((1, 1))])
        x = _linprog(c, A_ub, b_ub, A_eq, np.ones(1), [(0, None)] * m + [(None, None)],
                     "bargaining LP (maximal point along a ray)")
        return float(x[-1])
    assert S.bounds is not None
    hi = S.bounds[:, 1]
    dirx = direction[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.where(dirx > 0, (hi - d[:-1]) / dirx, np.inf)
    t_max = float(np.min(room))

    def g(t: float) -> float:
        return S._f(d[:-1] + t * dirx) - d[-1] - t * direction[-1]

    if g(0.0) < 0:
        return -np.inf
    if not np.isfinite(t_max):
        # only the last player's utility moves along the ray
        return g(0.0) / direction[-1]
    if g(t_max) >= 0:
        return t_max
    return float(optimize.brentq(g, 0.0, t_max, xtol=1e-14, rtol=1e-15, maxiter=500))


def _require_dominated(S: FeasibleSet, d: np.ndarray) -> float:
    t = _max_along(S, d, np.ones(S.n))
    scale = max(1.0, float(np.max(np.abs(d))))
    if not t > _TOL * scale:
        raise InvalidArgumentError(
            "disagreement", d.tolist(),
            "no feasible point gives every player strictly more than the disagreement point",
            "Lower the disagreement point or enlarge the feasible set")
    return t


def ideal_point(feasible: Any, disagreement: Any = None, *, bounds: Any = None) -> np.ndarray:
    r"""Ideal (utopia) point: each player's best individually rational utility.

    .. math:: a_i(S, d) = \max\{u_i : u \in S,\ u \ge d\}.

    Parameters
    ----------
    feasible : FeasibleSet, (m, n) array of vertices, or frontier callable
    disagreement : array, optional (default zeros)
    bounds : frontier domain when *feasible* is a callable

    Returns
    -------
    ndarray
        The ideal point :math:`a`.

    References
    ----------
    Kalai and Smorodinsky (1975).

    Examples
    --------
    >>> ideal_point([[1, 0], [0, 1]]).round(6).tolist()
    [1.0, 1.0]
    """
    S = _as_feasible(feasible, bounds)
    d = _disagreement(disagreement, S.n)
    _require_dominated(S, d)
    return _ideal(S, d)


def _ideal(S: FeasibleSet, d: np.ndarray) -> np.ndarray:
    n = S.n
    a = np.empty(n)
    if S.vertices is not None and n == 2:
        return _polygon_ideal(S.vertices, d)
    if S.vertices is not None:
        V = S.vertices
        m = V.shape[0]
        for i in range(n):
            x = _linprog(-V[:, i], -V.T, -d, np.ones((1, m)), np.ones(1), [(0, None)] * m,
                         "ideal point LP")
            a[i] = float(V[:, i] @ x)
        return a
    assert S.bounds is not None
    lo_x = np.maximum(S.bounds[:, 0], d[:-1])
    hi_x = S.bounds[:, 1]
    if n == 2:
        # last player: f non-increasing, so its best IR value is at the smallest x
        a[1] = S._f(lo_x)
        f_hi = S._f(hi_x)
        if f_hi >= d[1]:
            a[0] = float(hi_x[0])
        else:
            a[0] = float(optimize.brentq(lambda x: S._f(np.array([x])) - d[1], lo_x[0],
                                         hi_x[0], xtol=1e-14, rtol=1e-15, maxiter=500))
        return a
    a[-1] = S._f(lo_x)
    for i in range(n - 1):
        x0 = lo_x.copy()
        res = optimize.minimize(lambda x, i=i: -x[i], x0, method="SLSQP",
                                bounds=list(zip(lo_x, hi_x, strict=True)),
                                constraints=[{"type": "ineq",
                                              "fun": lambda x: S._f(x) - d[-1]}],
                                options={"ftol": 1e-14, "maxiter": 500})
        if not res.success:
            raise SolverError("ideal point (SLSQP)", res.status, res.message,
                              "Check the frontier function and its bounds")
        a[i] = float(res.x[i])
    return a


def _weights(weights: Any, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n) / n
    w = as_finite_array(weights, "weights", ndim=1)
    if w.shape[0] != n:
        raise InvalidArgumentError("weights", weights, f"{w.shape[0]} weights for {n} players",
                                   f"Give one bargaining weight per player ({n})")
    if np.any(w <= 0):
        raise InvalidArgumentError("weights", weights, "bargaining weights must be positive",
                                   "Pass positive weights (they are normalised to sum to 1)")
    return w / w.sum()


def _result(u: np.ndarray, players: Any, concept: str, method: str, exact: bool,
            params: dict[str, Any], info: dict[str, Any]) -> AllocationResult:
    labels = validate_players(players, len(u))
    return AllocationResult(values=u, players=labels, concept=concept, method=method,
                            exact=exact, params=params, info=info)


def nash(feasible: Any, disagreement: Any = None, weights: Any = None, *, bounds: Any = None,
         players: Sequence[Hashable] | None = None) -> AllocationResult:
    r"""Nash bargaining solution, symmetric or asymmetric (generalised).

    .. math::

        N(S, d) = \arg\max_{u \in S,\ u > d} \prod_{i=1}^n (u_i - d_i)^{w_i},

    with bargaining weights :math:`w_i > 0` (equal weights give Nash's
    symmetric solution). The maximiser is unique and Pareto optimal.

    For a two-player polygon the maximiser is found in closed form, edge by
    edge along the Pareto frontier (``method="closed-form"``, linear in the
    number of vertices, exact to rounding). For three or more players and a
    set given by vertices :math:`x^1..x^m`, the problem is solved over
    :math:`u = \sum_j \lambda_j x^j`, :math:`\lambda` in the simplex (SLSQP
    as a starting point), then polished by Newton's method on the affine hull
    of the active vertices and certified: :math:`u^*` is optimal iff
    :math:`g \cdot (x^j - u^*) \le 0` for every vertex, where
    :math:`g_i = w_i / (u^*_i - d_i)`. For a two-player frontier function it
    is a bounded one-dimensional concave maximisation (Brent,
    ``xatol=1e-13``); only for frontier functions of three or more players is
    SLSQP the final answer (``exact=False``).

    Parameters
    ----------
    feasible : FeasibleSet, (m, n) array of vertices, or frontier callable
    disagreement : array of n floats, optional
        Disagreement point :math:`d` (default zeros).
    weights : array of n positive floats, optional
        Bargaining weights (normalised to sum to one); default equal.
    bounds : (lo, hi) pairs, optional
        Domain of the frontier when *feasible* is a callable.
    players : sequence of labels, optional

    Returns
    -------
    AllocationResult
        Utilities at the solution; ``info["nash_product"]`` holds
        :math:`\sum_i w_i \log(u_i - d_i)` and ``info["certificate_gap"]``
        the largest :math:`g\cdot(x^j-u^*)` (vertices).

    Raises
    ------
    InvalidArgumentError
        Disagreement point not strictly dominated, non-concave frontier,
        wrong shapes, non-positive weights or non-finite entries.

    References
    ----------
    Nash (1950); Kalai, E. (1977). Nonsymmetric Nash solutions and
    replications of 2-person bargaining. *Int. J. Game Theory* 6, 129–133.

    Examples
    --------
    >>> nash([[4, 0], [0, 2]]).values.round(6).tolist()
    [2.0, 1.0]
    >>> nash(lambda x: 1 - x, bounds=(0, 1), weights=[2, 1]).values.round(6).tolist()
    [0.666667, 0.333333]
    """
    S = _as_feasible(feasible, bounds)
    n = S.n
    d = _disagreement(disagreement, n)
    w = _weights(weights, n)
    t_eg = _require_dominated(S, d)
    params = {"disagreement": d.tolist(), "weights": w.tolist()}
    if S.vertices is not None and n == 2:
        u, gap = _polygon_nash(S.vertices, d, w)
        info = {"nash_product": float(w @ np.log(u - d)), "certificate_gap": max(gap, 0.0)}
        return _result(u, players, "nash-bargaining", "closed-form", True, params, info)
    if S.vertices is not None:
        u, gap, method, exact = _nash_vertices(S.vertices, d, w, d + t_eg)
        info = {"nash_product": float(w @ np.log(u - d)), "certificate_gap": gap}
        return _result(u, players, "nash-bargaining", method, exact, params, info)
    assert S.bounds is not None
    lo = np.maximum(S.bounds[:, 0], d[:-1])
    if n == 2:
        a = _ideal(S, d)
        x_hi = a[0]

        def negobj(x: float) -> float:
            y = S._f(np.array([x]))
            if x <= d[0] or y <= d[1]:
                return 1e300
            return -(w[0] * np.log(x - d[0]) + w[1] * np.log(y - d[1]))

        res = optimize.minimize_scalar(negobj, bounds=(float(lo[0]), float(x_hi)),
                                       method="bounded",
                                       options={"xatol": 1e-13, "maxiter": 2000})
        x = float(res.x)
        u = np.array([x, S._f(np.array([x]))])
        info = {"nash_product": float(w @ np.log(u - d))}
        return _result(u, players, "nash-bargaining", "brent", True, params, info)
    x0 = d[:-1] + 0.5 * t_eg

    def negobj_n(x: np.ndarray) -> float:
        y = S._f(x)
        gains = np.append(x - d[:-1], y - d[-1])
        if np.any(gains <= 0):
            return 1e300
        return -float(w @ np.log(gains))

    res = optimize.minimize(negobj_n, x0, method="SLSQP",
                            bounds=list(zip(lo, S.bounds[:, 1], strict=True)),
                            options={"ftol": 1e-15, "maxiter": 1000})
    if not res.success:
        raise SolverError("Nash bargaining (SLSQP)", res.status, res.message,
                          "Check the frontier function")
    u = np.append(res.x, S._f(res.x))
    info = {"nash_product": float(w @ np.log(u - d))}
    return _result(u, players, "nash-bargaining", "slsqp", False, params, info)


def _nash_vertices(V: np.ndarray, d: np.ndarray, w: np.ndarray,
                   start: np.ndarray) -> tuple[np.ndarray, float, str, bool]:
    m, n = V.shape
    # starting weights: a convex combination reaching the egalitarian point
    lam0 = _linprog(np.zeros(m), -V.T, -start, np.ones((1, m)), np.ones(1),
                    [(0, None)] * m, "Nash bargaining start LP")
    scale = max(1.0, float(np.max(np.abs(V))))

    def f(lam: np.ndarray) -> float:
        gains = V.T @ lam - d
        if np.any(gains <= 0):
            return 1e300
        return -float(w @ np.log(gains))

    def grad(lam: np.ndarray) -> np.ndarray:
        gains = np.maximum(V.T @ lam - d, 1e-300)
        return -(V @ (w / gains))

    res = optimize.minimize(f, lam0, jac=grad, method="SLSQP", bounds=[(0, 1)] * m,
                            constraints=[{"type": "eq", "fun": lambda x: x.sum() - 1.0,
                                          "jac": lambda x: np.ones((1, m))}],
                            options={"ftol": 1e-16, "maxiter": 1000})
    lam = np.clip(res.x, 0, None)
    lam /= lam.sum()
    u_num = V.T @ lam
    if np.any(u_num <= d):
        u_num = V.T @ lam0
    # polish on the affine hull of the active vertices
    support = np.flatnonzero(lam > 1e-9)
    P = V[support]
    u = _newton_on_face(P, d, w, u_num)
    best = u_num
    method = "slsqp"
    if u is not None and _in_hull(P, u, scale) and np.all(u > d):
        best = u
        method = "slsqp+face-newton"
    g = w / (best - d)
    gap = float(np.max((V - best) @ g))
    tol = 1e-9 * max(1.0, float(np.max(np.abs(g))) * scale)
    if gap > tol:
        alt = _frank_wolfe_face(V, d, w, best, scale)
        if alt is not None:
            best, method = alt, "frank-wolfe+face-newton"
            g = w / (best - d)
            gap = float(np.max((V - best) @ g))
            tol = 1e-9 * max(1.0, float(np.max(np.abs(g))) * scale)
    if gap > tol:
        if gap > 1e-6 * max(1.0, float(np.max(np.abs(g))) * scale):
            raise SolverError("Nash bargaining", "uncertified",
                              f"optimality gap {gap:.3g} after polishing",
                              "Rescale the utilities or remove near-duplicate vertices")
        return best, gap, method, False
    return best, max(gap, 0.0), method, True


def _frank_wolfe_face(V: np.ndarray, d: np.ndarray, w: np.ndarray, u0: np.ndarray,
                      scale: float, iters: int = 3000) -> np.ndarray | None:
    """Frank–Wolfe with exact line search, then Newton on the face of the
    vertices that are nearly optimal for the supporting hyperplane."""
    u = u0.copy()
    for _ in range(iters):
        g = w / (u - d)
        j = int(np.argmax(V @ g))
        s_dir = V[j] - u
        if float(s_dir @ g) <= 1e-15 * max(1.0, scale * float(np.max(np.abs(g)))):
            break
        # maximise sum w log(u + t s - d) over t in [0, 1]: derivative is decreasing
        def dphi(t: float, s_dir: np.ndarray = s_dir, u: np.ndarray = u) -> float:
            return float(w @ (s_dir / (u + t * s_dir - d)))
        if dphi(1.0) >= 0 and np.all(u + s_dir - d > 0):
            t = 1.0
        else:
            lo, hi = 0.0, 1.0
            while np.any(u + hi * s_dir - d <= 0):
                hi /= 2.0
            if dphi(hi) >= 0:
                t = hi
            else:
                for _ in range(60):
                    mid = (lo + hi) / 2.0
                    if dphi(mid) > 0:
                        lo = mid
                    else:
                        hi = mid
                t = lo
        u = u + t * s_dir
    g = w / (u - d)
    lin = V @ g
    top = float(lin.max())
    span = max(1e-300, top - float(lin.min()))
    for eps in (1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2):
        J = np.flatnonzero(lin >= top - eps * span)
        cand = _newton_on_face(V[J], d, w, u)
        if cand is None or np.any(cand <= d) or not _in_hull(V[J], cand, scale):
            continue
        gc = w / (cand - d)
        if float(np.max((V - cand) @ gc)) <= 1e-9 * max(1.0, float(np.max(gc)) * scale):
            return cand
    return None


def _newton_on_face(P: np.ndarray, d: np.ndarray, w: np.ndarray,
                    u0: np.ndarray) -> np.ndarray | None:
    base = P[0]
    if P.shape[0] == 1:
        return base.copy()
    D = (P[1:] - base).T
    U, s, _ = np.linalg.svd(D, full_matrices=False)
    rank = int(np.sum(s > 1e-12 * max(1.0, s[0])))
    if rank == 0:
        return base.copy()
    B = U[:, :rank]
    z = B.T @ (u0 - base)
    for _ in range(60):
        u = base + B @ z
        gains = u - d
        if np.any(gains <= 0):
            return None
        grad = B.T @ (w / gains)
        H = -(B.T * (w / gains ** 2)) @ B
        try:
            step = np.linalg.solve(H, -grad)
        except np.linalg.LinAlgError:
            return None
        # keep gains positive
        t = 1.0
        while np.any(base + B @ (z + t * step) - d <= 0) and t > 1e-12:
            t /= 2
        z = z + t * step
        if np.max(np.abs(t * step)) < 1e-15 * max(1.0, float(np.max(np.abs(z)))):
            break
    return base + B @ z


def _in_hull(P: np.ndarray, u: np.ndarray, scale: float) -> bool:
    k = P.shape[0]
    A = np.vstack([P.T, np.ones((1, k))])
    b = np.append(u, 1.0)
    lam, resid = optimize.nnls(A, b)
    return bool(np.linalg.norm(A @ lam - b) <= 1e-10 * scale)


def _ray_method(S: FeasibleSet) -> str:
    if S.vertices is None:
        return "root"
    return "closed-form" if S.n == 2 else "lp"


def kalai_smorodinsky(feasible: Any, disagreement: Any = None, *, bounds: Any = None,
                      players: Sequence[Hashable] | None = None) -> AllocationResult:
    r"""Kalai–Smorodinsky solution: the maximal feasible point on the segment to the ideal point.

    .. math::

        KS(S, d) = d + t^* (a - d), \qquad
        t^* = \max\{t : d + t (a - d) \in S\},

    where :math:`a` is the ideal point (:func:`ideal_point`). Gains are
    proportional to the players' maximal individually rational gains. For
    two players on a comprehensive set it is Pareto optimal; for more players
    it may be only weakly Pareto optimal (Roth 1979).

    Parameters
    ----------
    feasible : FeasibleSet, (m, n) array of vertices, or frontier callable
    disagreement : array of n floats, optional (default zeros)
    bounds : frontier domain when *feasible* is a callable
    players : sequence of labels, optional

    Returns
    -------
    AllocationResult
        ``info["ideal"]`` holds the ideal point and ``info["t"]`` the
        fraction :math:`t^*`.

    References
    ----------
    Kalai and Smorodinsky (1975).

    Examples
    --------
    >>> kalai_smorodinsky([[0, 0], [1, 0], [0.5, 1], [0, 1]]).values.round(6).tolist()
    [0.666667, 0.666667]
    """
    S = _as_feasible(feasible, bounds)
    d = _disagreement(disagreement, S.n)
    _require_dominated(S, d)
    a = _ideal(S, d)
    t = _max_along(S, d, a - d)
    u = d + t * (a - d)
    exact = S.vertices is not None or S.n == 2
    return _result(u, players, "kalai-smorodinsky", _ray_method(S), exact,
                   {"disagreement": d.tolist()}, {"ideal": a.tolist(), "t": float(t)})


def egalitarian(feasible: Any, disagreement: Any = None, *, bounds: Any = None,
                players: Sequence[Hashable] | None = None) -> AllocationResult:
    r"""Egalitarian (proportional with equal weights) solution.

    .. math::

        E(S, d) = d + t^* \mathbf{1}, \qquad
        t^* = \max\{t : d + t \mathbf{1} \in S\}.

    Every player gains the same utility over disagreement; on a comprehensive
    set it is weakly Pareto optimal (Kalai 1977).

    Parameters
    ----------
    feasible : FeasibleSet, (m, n) array of vertices, or frontier callable
    disagreement : array of n floats, optional (default zeros)
    bounds : frontier domain when *feasible* is a callable
    players : sequence of labels, optional

    Returns
    -------
    AllocationResult
        ``info["gain"]`` is the common gain :math:`t^*`.

    References
    ----------
    Kalai (1977), *Econometrica* 45, 1623–1630.

    Examples
    --------
    >>> egalitarian([[2, 0], [0, 1]]).values.round(6).tolist()
    [0.666667, 0.666667]
    """
    S = _as_feasible(feasible, bounds)
    d = _disagreement(disagreement, S.n)
    t = _require_dominated(S, d)
    u = d + t
    return _result(u, players, "egalitarian", _ray_method(S), True,
                   {"disagreement": d.tolist()}, {"gain": float(t)})
