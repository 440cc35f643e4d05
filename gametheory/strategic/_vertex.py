r"""Vertex enumeration of best-response polytopes and exact certification (private).

Floating-point stage
--------------------
A polytope :math:`\{z \in \mathbb{R}^d : D z \le b\}` (bounded, the origin a
non-degenerate vertex) is explored by breadth-first search over its feasible
bases: a basis is a set of :math:`d` constraints whose rows are independent and
whose intersection point is feasible. From a basis, dropping constraint
:math:`k` moves along the edge :math:`z + t\,\delta_k` with
:math:`\delta_k = -D_\beta^{-1} e_k`; the minimum-ratio test names the entering
constraint(s). Every pivot of every basis of a BFS level is done at once with
numpy (one batched inverse, one batched product with :math:`D`, one ratio
test), so the cost is a few vectorised operations per level and linear in the
number of bases. Ties in the ratio test (degenerate vertices) are all
followed; since every lexicographic perturbation of the polytope is simple and
its vertices are feasible bases joined by min-ratio pivots (Balinski's theorem
on the perturbed polytope), the search reaches every vertex.

Exact stage
-----------
Payoffs are converted exactly to integers (a common power-of-two denominator
for floats), so a vertex with tight set :math:`T` is the solution of an
integer linear system, solved by fraction-free Gauss–Jordan elimination
(Bareiss 1968; every intermediate is an integer minor, so there is no rational
normalisation) in Python integers. Its labels are then recomputed exactly.

References
----------
Avis, D. and Fukuda, K. (1992). A pivoting algorithm for convex hulls and
vertex enumeration of arrangements and polyhedra. *Discrete & Computational
Geometry* 8, 295–313.
Bareiss, E. H. (1968). Sylvester's identity and multistep integer-preserving
Gaussian elimination. *Mathematics of Computation* 22, 565–578.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations
from math import comb, gcd
from typing import Any

import numpy as np

from ..errors import GameTooLargeError

__all__ = ["Polytope", "enumerate_vertices", "hull_vertices", "integer_matrix",
           "certify_pair", "exact_cluster", "exact_point", "exact_vertex",
           "first_of_equal_rows", "label_set", "q_rows_independent", "to_fractions"]


class Polytope:
    """``{z : D z <= b}`` with a start basis (a non-degenerate vertex; sorted indices)."""

    def __init__(self, D: np.ndarray, b: np.ndarray, start: np.ndarray):
        self.D, self.b = D, b
        self.N, self.d = D.shape
        self.start = start


_TEMPLATES: dict[tuple[int, int], tuple[np.ndarray, ...]] = {}


def _templates(m: int, n: int) -> tuple[np.ndarray, ...]:
    """The parts of the two polytopes that depend only on the shape (cached, read-only):
    ``D`` with its sign-constraint rows filled in, ``b``, the start bases, and the
    interior point ``x = 1/(4m)`` of P (every constraint has slack at least 1/4m)."""
    t = _TEMPLATES.get((m, n))
    if t is None:
        N = m + n
        DP = np.zeros((N, m))
        DQ = np.zeros((N, n))
        DP[np.arange(m), np.arange(m)] = -1.0
        DQ[np.arange(m, N), np.arange(n)] = -1.0
        bP = np.zeros(N)
        bQ = np.zeros(N)
        bP[m:] = 1.0
        bQ[:m] = 1.0
        t = (DP, DQ, bP, bQ, np.arange(m), np.arange(m, N), np.full(m, 0.25 / m))
        for a in t:
            a.flags.writeable = False
        if len(_TEMPLATES) < 256:
            _TEMPLATES[(m, n)] = t
    return t


def _to_unit(M: np.ndarray, out: np.ndarray) -> None:
    """``out = (M - min) / (max - min) + 1`` (all ones for a constant matrix; up to rounding)."""
    lo, hi = float(M.min()), float(M.max())
    if hi == lo:
        out[...] = 1.0
    else:
        s = 1.0 / (hi - lo)
        np.multiply(M, s, out=out)
        out += 1.0 - lo * s


def best_response_polytopes(A: np.ndarray, B: np.ndarray) -> tuple[Polytope, Polytope]:
    """P (row player's x, from B) and Q (column player's y, from A), labels = rows.

    Payoffs are mapped affinely to [1, 2] (equilibria and labels do not change).
    Constraint ``i < m`` of P is ``x_i >= 0`` and ``m + j`` is ``(B'^T x)_j <= 1``;
    constraint ``i < m`` of Q is ``(A' y)_i <= 1`` and ``m + j`` is ``y_j >= 0``.
    """
    m, n = A.shape
    DP0, DQ0, bP, bQ, sP, sQ, _ = _templates(m, n)
    DP = DP0.copy()
    DQ = DQ0.copy()
    _to_unit(B.T, DP[m:])
    _to_unit(A, DQ[:m])
    return Polytope(DP, bP, sP), Polytope(DQ, bQ, sQ)


def _keys(bases: np.ndarray, N: int) -> np.ndarray:
    """One integer key per basis (bitmask; two words when N > 63)."""
    if N <= 63:
        return np.bitwise_or.reduce(np.left_shift(np.int64(1), bases.astype(np.int64)), axis=1)
    lo = np.where(bases < 63, np.left_shift(np.int64(1), np.minimum(bases, 62)), 0)
    hi = np.where(bases >= 63, np.left_shift(np.int64(1), np.maximum(bases - 63, 0)), 0)
    return np.column_stack([np.bitwise_or.reduce(lo, axis=1),
                            np.bitwise_or.reduce(hi, axis=1)]).view(
        np.dtype((np.void, 16))).ravel()


def first_of_equal_rows(key: np.ndarray) -> np.ndarray:
    """Indices (increasing) of the first occurrence of each distinct row of *key*
    (what ``np.unique(key, axis=0, return_index=True)`` gives, sorted; a stable
    lexicographic sort is much cheaper than ``unique`` on rows for small arrays)."""
    if key.shape[0] <= 1:
        return np.arange(key.shape[0])
    order = np.lexsort(key.T[::-1])
    ks = key[order]
    new = np.empty(order.size, dtype=bool)
    new[0] = True
    np.any(ks[1:] != ks[:-1], axis=1, out=new[1:])
    return np.sort(order[new])


def enumerate_vertices(poly: Polytope, *, tol: float = 1e-9, max_bases: int = 2_000_000,
                       chunk: int = 4096) -> dict[str, np.ndarray]:
    """Every vertex of *poly* by batched pivoting (see the module docstring).

    Returns ``points`` (V, d), ``slack`` (V, N) and ``bases`` (V, d): one row per
    distinct vertex (for a degenerate vertex, one of its bases). Raises
    :class:`GameTooLargeError` past *max_bases* feasible bases.
    """
    D, b, d, N = poly.D, poly.b, poly.d, poly.N
    frontier = poly.start.reshape(1, d)
    seen = _keys(frontier, N)
    seen_sorted = np.sort(seen)
    out_bases, out_pts, out_slack = [], [], []
    total = 1
    while frontier.shape[0]:
        new_parts = []
        for s in range(0, frontier.shape[0], chunk):
            fb = frontier[s:s + chunk]
            Mb = D[fb]                                       # (F, d, d)
            inv = np.linalg.inv(Mb)
            z = np.einsum("fij,fj->fi", inv, b[fb])          # (F, d)
            slack = b - z @ D.T                              # (F, N)
            np.maximum(slack, 0.0, out=slack)
            out_bases.append(fb)
            out_pts.append(z)
            out_slack.append(slack)
            R = -np.einsum("rj,fjk->frk", D, inv)            # rate of row r along edge k
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(R > tol, slack[:, :, None] / R, np.inf)   # (F, N, d)
            tmin = ratio.min(axis=1)                         # (F, d)
            hit = ratio <= (tmin + tol)[:, None, :]
            hit &= np.isfinite(ratio)
            f_idx, r_idx, k_idx = np.nonzero(hit)
            nb = fb[f_idx].copy()
            nb[np.arange(nb.shape[0]), k_idx] = r_idx
            nb.sort(axis=1)
            new_parts.append(nb)
        cand = np.concatenate(new_parts) if new_parts else np.empty((0, d), int)
        keys = _keys(cand, N)
        keys, first = np.unique(keys, return_index=True)
        fresh = ~np.isin(keys, seen_sorted, assume_unique=True)
        frontier = cand[first[fresh]]
        seen_sorted = np.sort(np.concatenate([seen_sorted, keys[fresh]]))
        total += frontier.shape[0]
        if total > max_bases:
            raise GameTooLargeError(
                "A", f"{'x'.join(map(str, poly.D.shape))} constraint system",
                f"vertex enumeration passed {max_bases} feasible bases",
                "Use method='lemke-howson' (some equilibria) for games this large")
    bases = np.concatenate(out_bases)
    pts = np.concatenate(out_pts)
    slack = np.concatenate(out_slack)
    # one row per distinct vertex (degenerate vertices have several bases)
    scale = max(1.0, float(np.max(np.abs(pts))))
    key = np.round(pts / (scale * 1e-9)).astype(np.int64)
    first = first_of_equal_rows(key)
    return {"points": pts[first], "slack": slack[first], "bases": bases[first]}


_QHULL: list[Any] = []          # scipy's qhull entry point, found on first use


def _hull_equations(pts: np.ndarray) -> np.ndarray:
    """The facet equations of the convex hull of *pts*, as ``ConvexHull(pts).equations``.

    scipy's qhull wrapper is run directly with ``ConvexHull``'s options (``Qt``, and
    ``Qx`` from 5 dimensions on), skipping the volume, area and vertex bookkeeping a
    ``ConvexHull`` object computes (a quarter of the time on small polytopes); if that
    private interface is missing, ``ConvexHull`` itself is used.
    """
    if not _QHULL:
        try:
            from scipy.spatial._qhull import _Qhull
        except ImportError:  # pragma: no cover - scipy internals
            _Qhull = None
        _QHULL.append(_Qhull)
    Qhull = _QHULL[0]
    if Qhull is not None:
        try:
            q = Qhull(b"i", pts, b"Qx" if pts.shape[1] >= 5 else b"", required_options=b"Qt")
        except TypeError:  # pragma: no cover - a changed private signature
            _QHULL[0] = None
        else:
            try:
                return q.get_simplex_facet_array()[2]
            finally:
                q.close()
    from scipy.spatial import ConvexHull

    return ConvexHull(pts).equations


def hull_vertices(poly: Polytope, *, tol: float = 1e-9,
                  interior: np.ndarray | None = None) -> dict[str, np.ndarray]:
    r"""Every vertex of *poly* from the convex hull of its polar (qhull).

    With :math:`c` an interior point, the vertices of
    :math:`\{z : D z \le b\}` are in one-to-one correspondence with the facets
    of the convex hull of the points :math:`D_k / (b_k - D_k c)`; the facet
    :math:`\{p : a \cdot p = \beta\}` gives the vertex :math:`c + a / \beta`.
    Facets split by qhull's triangulation give the same vertex and are merged;
    labels are read from the vertex's own slacks, so a degenerate vertex keeps
    all its labels. Same return value as :func:`enumerate_vertices`, plus ``near``
    (slack at most 1e-6) and ``simple`` (every vertex has exactly d such constraints:
    then no vertex came from two facets). *interior*, a
    point strictly inside the polytope, may be given when one is known; otherwise the
    start vertex is pushed inside along the mean of its edges.
    """
    D, b = poly.D, poly.b
    if interior is None:
        inv = np.linalg.inv(D[poly.start])
        z0 = inv @ b[poly.start]
        direction = -inv.sum(axis=1)
        rate = D @ direction
        room = b - D @ z0
        with np.errstate(divide="ignore", invalid="ignore"):
            tmax = float(np.min(np.where(rate > 0, room / rate, np.inf)))
        c = z0 + 0.5 * tmax * direction
    else:
        c = np.asarray(interior, dtype=float)
    pts = D / (b - D @ c)[:, None]
    eq = _hull_equations(pts)                             # normal . p + offset = 0
    verts = eq[:, :-1] / eq[:, -1:]
    np.subtract(c, verts, out=verts)
    slack = b - verts @ D.T
    np.maximum(slack, 0.0, out=slack)
    near = slack <= 1e-6
    # only a degenerate vertex (more than d tight constraints: a polar facet with more
    # than d vertices, which qhull triangulates) can come from several facets
    simple = bool((near.sum(axis=1) == poly.d).all())
    if not simple:
        scale = max(1.0, float(np.max(np.abs(verts))))
        key = np.round(verts / (scale * 1e-9)).astype(np.int64)
        first = first_of_equal_rows(key)
        verts, slack, near = verts[first], slack[first], near[first]
    return {"points": verts, "slack": slack, "near": near, "simple": simple}


# ------------------------------------------------------------------ exact part
def integer_matrix(M: np.ndarray) -> list[list[int]]:
    r"""*M* (floats) scaled exactly to integers by a common power of two, then shifted
    so every entry is at least 1 (a positive affine map: same equilibria and labels).

    Every finite double is :math:`p / 2^q` with integers :math:`p` and :math:`q \ge 0`
    in lowest terms (``float.as_integer_ratio``); multiplying by the largest
    :math:`2^q` makes every entry an integer, exactly and with the fewest bits (an
    integer matrix is only shifted).
    """
    M = np.asarray(M, dtype=float)
    rat = [v.as_integer_ratio() for v in M.ravel().tolist()]
    q = max([d for _, d in rat]).bit_length()
    ints = [p << (q - d.bit_length()) for p, d in rat]
    lo = min(ints) - 1
    ints = [v - lo for v in ints]
    k = M.shape[1]
    return [ints[i:i + k] for i in range(0, len(ints), k)]


def _solve_int(rows: list[list[int]], rhs: list[int], ncols: int
               ) -> tuple[list[int], int] | None:
    """Fraction-free Gauss–Jordan on ``rows z = rhs`` (rows in order of preference).

    Pivots on the first row (in the given order) with a non-zero entry in each
    column; returns ``(numerators, denominator)`` with denominator > 0, or None if
    the columns are dependent. Rows not used as pivots are ignored (the caller
    checks every constraint exactly afterwards).
    """
    nr = len(rows)
    if nr == ncols == 1:                      # the common small cases, by Cramer's rule
        a = rows[0][0]
        if a == 0:
            return None
        return ([rhs[0]], a) if a > 0 else ([-rhs[0]], -a)
    if nr == ncols == 2:
        (a, b), (c, d) = rows
        det = a * d - b * c
        if det == 0:
            return None
        r0, r1 = rhs
        num = [r0 * d - b * r1, a * r1 - c * r0]
        return (num, det) if det > 0 else ([-num[0], -num[1]], -det)
    aug = [r[:] + [v] for r, v in zip(rows, rhs, strict=True)]
    prev = 1
    order: list[int] = []
    free = list(range(nr))
    for c in range(ncols):
        p = next((i for i in free if aug[i][c] != 0), None)
        if p is None:
            return None
        free.remove(p)
        order.append(p)
        pr = aug[p]
        pv = pr[c]
        for i in range(nr):
            if i == p:
                continue
            ri = aug[i]
            f = ri[c]
            if f == 0:
                if pv != 1 or prev != 1:
                    aug[i] = [(pv * a) // prev for a in ri]
                continue
            aug[i] = [(pv * a - f * q) // prev for a, q in zip(ri, pr, strict=True)]
        prev = pv
    den = prev
    num = [aug[order[c]][ncols] for c in range(ncols)]
    if den < 0:
        den, num = -den, [-v for v in num]
    return num, den


def exact_point(Mv: list[list[int]], kind: str, tight: list[int], m: int, n: int
                ) -> tuple[tuple[int, ...], int] | None:
    """Exact vertex of P (``kind="P"``, *Mv* = B', m x n ints) or Q (``"Q"``, *Mv* = the
    transpose of A', n x m ints): in both, row ``v`` of *Mv* holds the coefficients of
    variable ``v`` in the payoff constraints.

    *tight* lists the constraints believed tight, most certainly tight first. Returns
    the vertex as coprime non-negative integers proportional to it (the mixed
    strategy is their share of their sum) and its exact label set as a bitmask (bit
    ``k`` for label ``k``), or None when the tight set does not determine a feasible
    vertex other than the origin.
    """
    if kind == "P":                 # x_i >= 0 is label i, (B'^T x)_j <= 1 is label m + j
        d, e, var0, con0 = m, n, 0, m
        zero = {k for k in tight if k < m}
        eqs = [k - m for k in tight if k >= m]
    else:                           # (A' y)_i <= 1 is label i, y_j >= 0 is label m + j
        d, e, var0, con0 = n, m, m, 0
        zero = {k - m for k in tight if k >= m}
        eqs = [k for k in tight if k < m]
    free = [v for v in range(d) if v not in zero]
    if not free:
        return None
    R = [Mv[v] for v in free]
    sol = _solve_int([[r[c] for r in R] for c in eqs], [1] * len(eqs), len(free))
    if sol is None:
        return None
    num, den = sol
    if min(num) < 0:
        return None
    support = [(r, x) for r, x in zip(R, num, strict=True) if x]
    if not support:
        return None
    z = [0] * d
    for v, x in zip(free, num, strict=True):
        z[v] = x
    labels = sum([1 << (var0 + v) for v in range(d) if not z[v]])
    if len(support) == 1:
        row, x = support[0]
        sums = [rc * x for rc in row]
    else:
        scaled = [[rc * x for rc in row] for row, x in support]
        sums = [sum(col) for col in zip(*scaled, strict=True)]
    if max(sums) > den:
        return None
    labels |= sum([1 << (con0 + c) for c in range(e) if sums[c] == den])
    g = gcd(*z)
    return tuple([x // g for x in z]), labels


def exact_cluster(Mv: list[list[int]], kind: str, near: list[int], m: int, n: int,
                  required: tuple[int, ...] = (), limit: int = 200_000
                  ) -> list[tuple[tuple[int, ...], int]]:
    r"""Every exact vertex (as :func:`exact_point`) of P or Q whose tight constraints all
    lie in *near* (the constraints nearly tight at a floating-point vertex, most tight
    first) and include *required*.

    A floating-point vertex stands for the exact vertices within rounding distance of
    it, and each of those has all its tight constraints in *near*. When the vertex solved
    from *required* then *near* has every constraint of *near* exactly tight, it is the
    only one (any other would be the solution of ``d`` of those constraints, all tight at
    it). Otherwise (a constraint is tight in floating point, say a slack of 1e-17, but
    not exactly: several exact vertices, or none, closer together than rounding error)
    every choice of ``d`` constraints of *near* (``d`` = the dimension) is solved
    exactly and the feasible solutions kept. Raises :class:`GameTooLargeError` past
    *limit* choices.
    """
    d = m if kind == "P" else n
    req = 0
    for k in required:
        req |= 1 << k
    order = list(required) + [k for k in near if not req >> k & 1]
    tmask = req
    for k in order:
        tmask |= 1 << k
    first = exact_point(Mv, kind, order, m, n)
    if first is not None and first[1] & tmask == tmask:
        return [first]
    if len(order) < d:
        return []
    count = comb(len(order), d)
    if count > limit:
        raise GameTooLargeError(
            "A", "nearly degenerate game",
            f"a vertex with {len(order)} nearly tight constraints needs {count:,} exact "
            f"constraint choices (limit {limit:,})",
            "Round the payoffs to exact values (integers or fractions)")
    out: dict[tuple[int, ...], int] = {}
    for R in combinations(order, d):
        pt = exact_point(Mv, kind, list(R), m, n)
        if pt is not None and pt[1] & req == req and not pt[1] & ~tmask:
            out[pt[0]] = pt[1]
    return list(out.items())


def certify_pair(Bv: list[list[int]], Av: list[list[int]], S: list[int], J: list[int]
                 ) -> tuple[tuple[int, ...], tuple[int, ...], bool] | None:
    """Exact check of the candidate equilibrium with supports *S* (rows) and *J*
    (columns), ``len(S) == len(J)``: the common case of a non-degenerate vertex of P
    whose complementary point of Q is a non-degenerate vertex too.

    *Bv* is B' (m x n integers, row ``i`` holds x_i's coefficients) and *Av* the
    transpose of A' (n x m, row ``j`` holds y_j's coefficients), as in
    :func:`exact_point`. Both indifference systems, ``B'[S, J]^T x_S = 1`` and
    ``A'[S, J] y_J = 1``, are solved by fraction-free elimination (Cramer's rule up
    to 2 x 2); the pair is an equilibrium when both solutions are non-negative and no
    payoff constraint is violated (then every label is present: ``x_i = 0`` or row
    ``i`` tight, and ``y_j = 0`` or column ``j`` tight). Returns the two vertices as
    coprime integer vectors and whether either carries an extra label (a zero in its
    support or an extra tight constraint: degenerate), or None when the pair is not
    an equilibrium.
    """
    k = len(S)
    x = [0] * len(Bv)
    y = [0] * len(Av)
    if k == 1:                      # pure: x = e_i / B'_ij, y = e_j / A'_ij
        i, j = S[0], J[0]
        cx, cy = Bv[i], Av[j]
        dx, dy = cx[j], cy[i]
        if max(cx) > dx or max(cy) > dy:
            return None
        x[i] = y[j] = 1
        return tuple(x), tuple(y), cx.count(dx) > 1 or cy.count(dy) > 1
    if k == 2:
        (i0, i1), (j0, j1) = S, J
        r0, r1, c0, c1 = Bv[i0], Bv[i1], Av[j0], Av[j1]
        # x: r0[j] x0 + r1[j] x1 = 1 for j in J; y: c0[i] y0 + c1[i] y1 = 1 for i in S
        dx = r0[j0] * r1[j1] - r1[j0] * r0[j1]
        dy = c0[i0] * c1[i1] - c1[i0] * c0[i1]
        if dx == 0 or dy == 0:
            return None
        nx = [r1[j1] - r1[j0], r0[j0] - r0[j1]]
        ny = [c1[i1] - c1[i0], c0[i0] - c0[i1]]
        if dx < 0:
            dx, nx = -dx, [-nx[0], -nx[1]]
        if dy < 0:
            dy, ny = -dy, [-ny[0], -ny[1]]
        if min(nx) < 0 or min(ny) < 0:
            return None
        a, b = nx
        cx = [a * u + b * v for u, v in zip(r0, r1, strict=True)]
        a, b = ny
        cy = [a * u + b * v for u, v in zip(c0, c1, strict=True)]
    else:
        sx = _solve_int([[Bv[i][j] for i in S] for j in J], [1] * k, k)
        if sx is None:
            return None
        nx, dx = sx
        if min(nx) < 0:
            return None
        sy = _solve_int([[Av[j][i] for j in J] for i in S], [1] * k, k)
        if sy is None:
            return None
        ny, dy = sy
        if min(ny) < 0:
            return None
        cx = [sum(c) for c in zip(*[[b * v for b in Bv[i]] for i, v in zip(S, nx, strict=True)],
                                  strict=True)]
        cy = [sum(c) for c in zip(*[[a * v for a in Av[j]] for j, v in zip(J, ny, strict=True)],
                                  strict=True)]
    if max(cx) > dx or max(cy) > dy:
        return None
    degenerate = cx.count(dx) > k or cy.count(dy) > k or not all(nx) or not all(ny)
    gx, gy = gcd(*nx), gcd(*ny)
    for i, v in zip(S, nx, strict=True):
        x[i] = v // gx
    for j, v in zip(J, ny, strict=True):
        y[j] = v // gy
    return tuple(x), tuple(y), degenerate


def label_set(mask: int) -> frozenset[int]:
    """The labels of a bitmask from :func:`exact_point`."""
    return frozenset(k for k in range(mask.bit_length()) if mask >> k & 1)


def to_fractions(z: tuple[int, ...]) -> tuple[Fraction, ...]:
    """The mixed strategy of a vertex from :func:`exact_point` (shares of the sum)."""
    tot = sum(z)
    return tuple([Fraction(v, tot) if v else _ZERO for v in z])


_ZERO = Fraction(0)


def exact_vertex(M: list[list[int]], kind: str, tight: list[int], m: int, n: int
                 ) -> tuple[tuple[Fraction, ...], frozenset[int]] | None:
    """:func:`exact_point` from the payoff matrix as given (``M = B'`` for P, ``A'`` for
    Q, both m x n), with the mixed strategy as fractions and the labels as a set."""
    Mv = M if kind == "P" else [list(col) for col in zip(*M, strict=True)]
    pt = exact_point(Mv, kind, tight, m, n)
    if pt is None:
        return None
    return to_fractions(pt[0]), label_set(pt[1])


def q_rows_independent(Aint: list[list[int]], C: list[int], m: int, n: int) -> bool:
    """Whether the constraints *C* of Q (``(A' y)_i <= 1`` for i < m, ``y_j >= 0`` for
    ``m + j``) have linearly independent rows, decided exactly."""
    rows = [Aint[k][:] if k < m else [-(j == k - m) for j in range(n)] for k in C]
    return _solve_int(rows, [0] * len(rows), n) is not None
