r"""Marginal vectors, the Weber set and the vertices of the core.

For an order :math:`\sigma` of the players, the *marginal vector*
:math:`m^\sigma` pays each player what it adds to its predecessors:
:math:`m^\sigma_{\sigma(k)} = v(P_k) - v(P_{k-1})` with :math:`P_k` the first
:math:`k` players. The **Weber set** is the convex hull of the :math:`n!`
marginal vectors; it always contains the core, and the Shapley value is the
average of the marginal vectors, each counted once per order (their
barycentre weighted by multiplicity).

A game is **convex** when :math:`v(S \cup T) + v(S \cap T) \ge v(S) + v(T)`.
Then the core equals the Weber set and its vertices are exactly the
distinct marginal vectors (Shapley 1971; Ichiishi 1981); when the game is
strictly convex there are :math:`n!` of them, all distinct. The core
vertices of a convex game are therefore enumerated without any polytope
algorithm (the ``"marginal"`` method, chosen automatically after
:attr:`~gametheory.tu.game.TUGame.is_convex`).

Other games go through exact polytope geometry (``"polytope"``): the
core :math:`\{x : x(N) = v(N),\ x(S) \ge v(S)\}` is first reduced to its
affine hull (the implicit equalities, the constraints tight at every core
point, are found by a short sequence of LPs that push every other slack
above zero), then its vertices are those of a full-dimensional polytope in
that hull, computed by Qhull's halfspace intersection from a Chebyshev
centre. Every vertex returned is checked against all :math:`2^n`
constraints, and a point is kept only when the constraints tight at it have full
rank in the hull (so a point Qhull reports inside an edge of a degenerate core is
dropped).

References
----------
Shapley, L. S. (1971). Cores of convex games. *International Journal of Game
Theory* 1, 11-26.
Ichiishi, T. (1981). Super-modularity: applications to convex games and the
greedy algorithm for LP. *Journal of Economic Theory* 25, 283-286.
Weber, R. J. (1988). Probabilistic values for games. In *The Shapley Value*,
101-119. Cambridge University Press.
Barber, C. B., Dobkin, D. P. and Huhdanpaa, H. (1996). The Quickhull
algorithm for convex hulls. *ACM Transactions on Mathematical Software*
22(4), 469-483.
"""

from __future__ import annotations

from math import factorial
from typing import Any

import numpy as np

from ..coalitions import require_dense
from ..errors import GameTooLargeError, InvalidArgumentError, SolverError
from ..results import PointSetResult
from ._lp import coalition_sums, rows_of, solve_lp
from .game import TUGame
from .values import _check_game

__all__ = ["marginal_vectors", "weber_set", "core_vertices", "MAX_MARGINAL_PLAYERS",
           "MAX_POLYTOPE_PLAYERS"]

#: Largest n whose n! marginal vectors are enumerated (10! = 3,628,800).
MAX_MARGINAL_PLAYERS = 10
#: Largest n for the polytope method (2**n - 2 facets in n - 1 dimensions).
MAX_POLYTOPE_PLAYERS = 9


def _expand(v: np.ndarray, n: int, masks: np.ndarray, X: np.ndarray, free: np.ndarray,
            orders: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Complete ordered prefixes (bitmasks *masks*, payoffs *X*, remaining *free*)."""
    rows = np.arange(factorial(free.shape[1]))
    for r in range(free.shape[1], 0, -1):               # children per prefix
        player = free.reshape(-1)                       # children, in player order
        parent = np.repeat(masks, r)
        child = parent | np.left_shift(1, player, dtype=np.int32)
        d = v[child]
        d -= v[parent]
        if r > 1:
            X = np.repeat(X, r, axis=0)
            free = np.stack([np.delete(free, c, axis=1) for c in range(r)],
                            axis=1).reshape(-1, r - 1)
        X[rows[: X.shape[0]], player] = d
        if orders is not None:
            orders = np.hstack([np.repeat(orders, r, axis=0), player.astype(np.int8)[:, None]])
        masks = child
    return X, orders


def _marginals(v: np.ndarray, n: int, with_orders: bool = False
               ) -> tuple[np.ndarray, np.ndarray | None]:
    """All ``n!`` marginal vectors (lexicographic order of the orders), level by level.

    Level ``k`` holds every ordered prefix of ``k`` players as a bitmask and
    the payoffs fixed so far; each prefix is repeated once per remaining
    player and the new player's marginal contribution is added, so every
    worth difference is computed once per prefix. The orders starting with
    each player are built separately into one preallocated array, which
    keeps the temporaries to a tenth of the output.
    """
    total = factorial(n)
    out = np.empty((total, n))
    orders = np.empty((total, n), dtype=np.int8) if with_orders else None
    block = total // n
    for f in range(n):
        X = np.zeros((1, n))
        X[0, f] = v[1 << f]
        rest = np.array([[j for j in range(n) if j != f]], dtype=np.int8).reshape(1, n - 1)
        o = np.full((1, 1), f, dtype=np.int8) if with_orders else None
        Xf, of = _expand(v, n, np.array([1 << f], dtype=np.int32), X, rest, o)
        out[f * block:(f + 1) * block] = Xf
        if orders is not None:
            orders[f * block:(f + 1) * block] = of
    return out, orders


def _unique_rows(x: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows (up to ``1e-9 * scale``) and how many rows each stands for."""
    q = np.round(x / (1e-9 * scale)).astype(np.int64)
    rng = np.random.default_rng(12345)
    mult = rng.integers(1, 1 << 62, size=x.shape[1], dtype=np.int64) | 1
    with np.errstate(over="ignore"):
        h = (q * mult).sum(axis=1)
    _, first, inverse, counts = np.unique(h, return_index=True, return_inverse=True,
                                          return_counts=True)
    if not np.array_equal(q[first][inverse], q):         # a hash collision: exact path
        uq, first, counts = np.unique(q, axis=0, return_index=True, return_counts=True)
    return x[first], counts


def _merge_close(pts: np.ndarray, atol: float) -> np.ndarray:
    """Keep one of every group of points within *atol* (max-norm) of each other."""
    keep: list[int] = []
    for k in range(pts.shape[0]):
        if not keep or np.abs(pts[keep] - pts[k]).max(axis=1).min() > atol:
            keep.append(k)
    return pts[keep]


def _second_differences_min(v: np.ndarray, n: int) -> float:
    """Smallest :math:`v(S+i+j) - v(S+i) - v(S+j) + v(S)` over all S and i != j not in S."""
    masks = np.arange(1 << n)
    worst = np.inf
    for i in range(n):
        for j in range(i + 1, n):
            bi, bj = 1 << i, 1 << j
            s = masks[(masks & (bi | bj)) == 0]
            d = v[s | bi | bj] - v[s | bi] - v[s | bj] + v[s]
            worst = min(worst, float(d.min()))
    return worst


def _check_n(game: TUGame, limit: int, what: str, alternative: str) -> None:
    if game.n > limit:
        raise GameTooLargeError("game", game, f"{what} for n = {game.n} (limit n <= {limit})",
                                alternative)


def marginal_vectors(game: TUGame) -> PointSetResult:
    r"""All :math:`n!` marginal vectors, one per order of the players (``n <= 10``).

    Row ``r`` is the marginal vector of the order ``info["orders"][r]``.

    Examples
    --------
    >>> import gametheory as gt
    >>> mv = gt.marginal_vectors(gt.games.glove(["L"], ["R"]))
    >>> mv.points.tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    game = _check_game(game)
    _check_n(game, MAX_MARGINAL_PLAYERS, f"{factorial(game.n)} marginal vectors",
             "Use shapley_value (their average) or core_vertices on a convex game")
    x, perms = _marginals(game.values, game.n, with_orders=True)
    return PointSetResult(x, game.players, "marginal_vectors", "enumeration", True,
                          np.ones(x.shape[0], dtype=np.int64), {"orders": perms})


def weber_set(game: TUGame) -> PointSetResult:
    r"""The distinct marginal vectors, whose convex hull is the Weber set.

    ``multiplicity[k]`` counts the orders giving point ``k`` (they sum to
    :math:`n!`); the multiplicity-weighted barycentre is the Shapley value.

    Examples
    --------
    >>> import gametheory as gt
    >>> ws = gt.weber_set(gt.games.glove(["L"], ["R1", "R2"]))
    >>> len(ws), ws.barycentre(weighted=True).round(4).tolist()
    (3, [0.6667, 0.1667, 0.1667])
    """
    game = _check_game(game)
    _check_n(game, MAX_MARGINAL_PLAYERS, f"{factorial(game.n)} marginal vectors",
             "Use shapley_value (their average)")
    x, _ = _marginals(game.values, game.n)
    pts, counts = _unique_rows(x, max(1.0, float(np.abs(game.values).max())))
    return PointSetResult(pts, game.players, "weber_set", "enumeration", True, counts,
                          {"orders": factorial(game.n)})


def _implicit_equalities(A: np.ndarray, b: np.ndarray, n: int, vN: float,
                         atol: float) -> np.ndarray:
    """Rows of ``A x >= b`` tight at every point of the core (boolean mask)."""
    m = A.shape[0]
    unknown = np.ones(m, dtype=bool)
    A_eq = np.ones((1, n))
    while unknown.any():
        k = int(unknown.sum())
        idx = np.flatnonzero(unknown)
        # variables x (n) and slacks s (k) with A_idx x - s >= b_idx, 0 <= s <= 1
        c = np.concatenate([np.zeros(n), -np.ones(k)])
        A_ub = np.zeros((m, n + k))
        A_ub[:, :n] = -A
        A_ub[idx, n + np.arange(k)] = 1.0
        res = solve_lp(c, A_ub=A_ub, b_ub=-b,
                       A_eq=np.hstack([A_eq, np.zeros((1, k))]), b_eq=[vN],
                       bounds=[(None, None)] * n + [(0.0, 1.0)] * k,
                       what="core affine hull LP")
        pos = res.x[n:] > atol
        if not pos.any():
            break
        unknown[idx[pos]] = False
    return unknown


def _polytope_vertices(v: np.ndarray, n: int, tol: float) -> tuple[np.ndarray, dict]:
    from scipy.spatial import HalfspaceIntersection

    full = (1 << n) - 1
    scale = max(1.0, float(np.abs(v).max()))
    atol = tol * scale
    masks = np.arange(1, full, dtype=np.int64)
    A = rows_of(masks, n)
    b = v[masks]
    if not _feasible(A, b, n, float(v[full]), atol):
        return np.zeros((0, n)), {"dimension": -1, "empty": True}
    implicit = _implicit_equalities(A, b, n, float(v[full]), atol)
    E = np.vstack([np.ones((1, n)), A[implicit]])
    f = np.concatenate([[v[full]], b[implicit]])
    x0, *_ = np.linalg.lstsq(E, f, rcond=None)
    _, sv, Vt = np.linalg.svd(E)
    rank = int((sv > 1e-10 * sv.max()).sum())
    B = Vt[rank:].T                                   # n x k basis of the affine hull
    k = B.shape[1]
    info = {"dimension": k, "empty": False, "implicit_equalities": int(implicit.sum())}
    if k == 0:
        return x0[None, :], info
    G = -(A[~implicit] @ B)                           # G y <= h
    h = A[~implicit] @ x0 - b[~implicit]
    norms = np.linalg.norm(G, axis=1)
    keep = norms > 1e-12
    G, h, norms = G[keep], h[keep], norms[keep]
    # many coalitions project to the same halfspace in the hull; Qhull's dual hull
    # handles repeated halfspaces poorly (it can report a point inside an edge), so
    # keep one copy of each, normalised
    G, h = G / norms[:, None], h / norms
    _, first = np.unique(np.round(np.hstack([G, h[:, None] / scale]), 9), axis=0,
                         return_index=True)
    G, h = G[first], h[first]
    norms = np.ones(G.shape[0])
    if k == 1:
        pts = []
        for sgn in (1.0, -1.0):
            r = solve_lp(np.array([sgn]), A_ub=G, b_ub=h, bounds=[(None, None)],
                         what="core edge LP")
            pts.append(x0 + B[:, 0] * r.x[0])
        return np.array(pts), info
    # Chebyshev centre: max r s.t. G y + r |G_i| <= h
    cres = solve_lp(np.concatenate([np.zeros(k), [-1.0]]),
                    A_ub=np.hstack([G, norms[:, None]]), b_ub=h,
                    bounds=[(None, None)] * k + [(0.0, None)], what="Chebyshev centre LP")
    centre = cres.x[:k]
    if cres.x[k] <= 1e-12 * scale:  # pragma: no cover - implicit equalities missed
        raise SolverError("core vertex enumeration", "flat", "no interior point found",
                          "Rescale the game")
    try:
        hs = HalfspaceIntersection(np.hstack([G, -h[:, None]]), centre)
    except Exception as exc:  # pragma: no cover - Qhull failure
        raise SolverError("core vertex enumeration (Qhull)", "qhull", str(exc).splitlines()[0],
                          "Rescale the game, or report it") from None
    y = hs.intersections
    # a point of the polytope is a vertex iff the halfspaces tight at it span the hull
    # (rank k); anything else Qhull reports on a degenerate face is dropped
    tight = np.abs(y @ G.T - h[None, :]) <= 1e-7 * scale
    is_vertex = np.array([np.linalg.matrix_rank(G[t], tol=1e-9) == k if t.sum() >= k
                          else False for t in tight])
    pts = x0[None, :] + y[is_vertex] @ B.T
    return pts, info


def _feasible(A: np.ndarray, b: np.ndarray, n: int, vN: float, atol: float) -> bool:
    from scipy.optimize import linprog

    res = linprog(np.zeros(n), A_ub=-A, b_ub=-(b - atol), A_eq=np.ones((1, n)), b_eq=[vN],
                  bounds=[(None, None)] * n, method="highs")
    if res.status == 2:
        return False
    if res.status != 0:  # pragma: no cover
        raise SolverError("core feasibility LP", res.status, str(res.message),
                          "Rescale the game")
    return True


def core_vertices(game: TUGame, method: str = "auto", tol: float = 1e-9) -> PointSetResult:
    r"""The vertices (extreme points) of the core.

    .. math:: C(v) = \{x : x(N) = v(N),\ x(S) \ge v(S)\ \forall S\}

    Parameters
    ----------
    game : TUGame
    method : {"auto", "marginal", "polytope"}
        ``"marginal"``: the distinct marginal vectors, valid only for convex
        games (refused otherwise), ``n <= 10``. ``"polytope"``: affine hull
        by LPs, then Qhull halfspace intersection, ``n <= 9``. ``"auto"``:
        ``"marginal"`` when :attr:`~gametheory.tu.game.TUGame.is_convex`,
        else ``"polytope"``.
    tol : float
        Tolerance relative to the largest worth (tight constraints,
        duplicate vertices).

    Returns
    -------
    PointSetResult
        ``concept="core_vertices"``; empty (zero rows) when the core is
        empty. With the marginal method ``multiplicity`` counts the orders
        giving each vertex, and the weighted barycentre is the Shapley
        value. ``info["dimension"]`` is the core's dimension.

    References
    ----------
    Shapley, L. S. (1971). Cores of convex games. *International Journal of
    Game Theory* 1, 11-26.

    Examples
    --------
    A glove market with two left and two right gloves: the core is the
    segment from "left holders take all" to "right holders take all".

    >>> import gametheory as gt
    >>> cv = gt.core_vertices(gt.games.glove(["L1", "L2"], ["R1", "R2"]))
    >>> sorted(cv.points.round(6).tolist())
    [[0.0, 0.0, 1.0, 1.0], [1.0, 1.0, 0.0, 0.0]]
    """
    game = _check_game(game)
    if method not in ("auto", "marginal", "polytope"):
        raise InvalidArgumentError("method", method, "unknown core-vertex method",
                                   "Use 'auto', 'marginal' or 'polytope'")
    n = game.n
    v = game.profit_values()
    sign = -1.0 if game.is_cost_game else 1.0
    scale = max(1.0, float(np.abs(v).max()))
    info: dict[str, Any] = {}
    convex = None
    if method in ("auto", "marginal"):
        require_dense(n, "the convexity check")
        d2 = _second_differences_min(v, n) if n >= 2 else np.inf
        convex = d2 >= -tol * scale
        info["convex"] = bool(convex)
        if method == "marginal" and not convex:
            raise InvalidArgumentError(
                "method", method,
                "the game is not convex, so its marginal vectors need not be core vertices",
                "Use method='auto' or 'polytope'")
    if convex:
        _check_n(game, MAX_MARGINAL_PLAYERS, f"{factorial(n)} marginal vectors",
                 "Use a smaller game")
        x, _ = _marginals(v, n)
        strict = d2 > tol * scale
        if strict:
            pts, counts = x, np.ones(x.shape[0], dtype=np.int64)
        else:
            pts, counts = _unique_rows(x, scale)
        info.update({"strictly_convex": bool(strict), "dimension": None,
                     "shortcut": "convex game: core vertices are the marginal vectors "
                                 "(Shapley 1971)"})
        if sign != 1.0:
            pts = sign * pts
        pts.flags.writeable = False                   # handed over without a copy
        return PointSetResult(pts, game.players, "core_vertices", "marginal", True,
                              counts, info)
    _check_n(game, MAX_POLYTOPE_PLAYERS, "core vertex enumeration by polytope geometry",
             "Use core_contains / least_core for membership, or a convex game")
    if n == 1:
        return PointSetResult(sign * v[1:2][None, :], game.players, "core_vertices",
                              "polytope", True, None, {"dimension": 0, "empty": False})
    pts, pinfo = _polytope_vertices(v, n, tol)
    info.update(pinfo)
    if pts.shape[0]:
        pts = _merge_close(pts, 1e-7 * scale)         # Qhull repeats degenerate vertices
        excess = v[None, :] - np.array([coalition_sums(p) for p in pts])
        if excess.max() > 1e-6 * scale:  # pragma: no cover - numerical trouble
            raise SolverError("core vertex enumeration", "check",
                              f"a vertex violates a core constraint by {excess.max():.2e}",
                              "Rescale the game")
        order = np.lexsort(pts.T[::-1])
        pts = pts[order]
        pts[np.abs(pts) < 1e-12 * scale] = 0.0        # rounding noise of the hull
    return PointSetResult(sign * pts, game.players, "core_vertices", "polytope", True, None,
                          info)
