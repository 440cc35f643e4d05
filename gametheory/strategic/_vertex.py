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

import numpy as np

from ..errors import GameTooLargeError

__all__ = ["Polytope", "enumerate_vertices", "hull_vertices", "integer_matrix",
           "exact_vertex", "q_rows_independent"]


class Polytope:
    """``{z : D z <= b}`` with a start basis (a non-degenerate vertex)."""

    def __init__(self, D: np.ndarray, b: np.ndarray, start: np.ndarray):
        self.D, self.b = D, b
        self.N, self.d = D.shape
        self.start = np.sort(start)


def best_response_polytopes(A: np.ndarray, B: np.ndarray) -> tuple[Polytope, Polytope]:
    """P (row player's x, from B) and Q (column player's y, from A), labels = rows.

    Payoffs are mapped affinely to [1, 2] (equilibria and labels do not change).
    Constraint ``i < m`` of P is ``x_i >= 0`` and ``m + j`` is ``(B'^T x)_j <= 1``;
    constraint ``i < m`` of Q is ``(A' y)_i <= 1`` and ``m + j`` is ``y_j >= 0``.
    """
    m, n = A.shape

    def unit(M: np.ndarray) -> np.ndarray:
        lo, hi = float(M.min()), float(M.max())
        return np.ones_like(M) if hi == lo else 1.0 + (M - lo) / (hi - lo)

    Ap, Bp = unit(A), unit(B)
    P = Polytope(np.vstack([-np.eye(m), Bp.T]), np.concatenate([np.zeros(m), np.ones(n)]),
                 np.arange(m))
    Q = Polytope(np.vstack([Ap, -np.eye(n)]), np.concatenate([np.ones(m), np.zeros(n)]),
                 np.arange(m, m + n))
    return P, Q


def _keys(bases: np.ndarray, N: int) -> np.ndarray:
    """One integer key per basis (bitmask; two words when N > 63)."""
    if N <= 63:
        return np.bitwise_or.reduce(np.left_shift(np.int64(1), bases.astype(np.int64)), axis=1)
    lo = np.where(bases < 63, np.left_shift(np.int64(1), np.minimum(bases, 62)), 0)
    hi = np.where(bases >= 63, np.left_shift(np.int64(1), np.maximum(bases - 63, 0)), 0)
    return np.column_stack([np.bitwise_or.reduce(lo, axis=1),
                            np.bitwise_or.reduce(hi, axis=1)]).view(
        np.dtype((np.void, 16))).ravel()


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
    _, first = np.unique(key, axis=0, return_index=True)
    first.sort()
    return {"points": pts[first], "slack": slack[first], "bases": bases[first]}


def hull_vertices(poly: Polytope, *, tol: float = 1e-9) -> dict[str, np.ndarray]:
    r"""Every vertex of *poly* from the convex hull of its polar (qhull).

    With :math:`c` an interior point, the vertices of
    :math:`\{z : D z \le b\}` are in one-to-one correspondence with the facets
    of the convex hull of the points :math:`D_k / (b_k - D_k c)`; the facet
    :math:`\{p : a \cdot p = \beta\}` gives the vertex :math:`c + a / \beta`.
    Facets split by qhull's triangulation give the same vertex and are merged;
    labels are read from the vertex's own slacks, so a degenerate vertex keeps
    all its labels. Same return value as :func:`enumerate_vertices`.
    """
    from scipy.spatial import ConvexHull

    D, b = poly.D, poly.b
    # an interior point: the start vertex pushed inside along the mean of its edges
    inv = np.linalg.inv(D[poly.start])
    z0 = inv @ b[poly.start]
    direction = -inv.sum(axis=1)
    rate = D @ direction
    room = b - D @ z0
    with np.errstate(divide="ignore", invalid="ignore"):
        tmax = float(np.min(np.where(rate > 0, room / rate, np.inf)))
    c = z0 + 0.5 * tmax * direction
    pts = D / (b - D @ c)[:, None]
    hull = ConvexHull(pts)
    eq = hull.equations                                   # normal . p + offset = 0
    verts = c + eq[:, :-1] / (-eq[:, -1:])
    scale = max(1.0, float(np.max(np.abs(verts))))
    key = np.round(verts / (scale * 1e-9)).astype(np.int64)
    _, first = np.unique(key, axis=0, return_index=True)
    first.sort()
    verts = verts[first]
    slack = b - verts @ D.T
    np.maximum(slack, 0.0, out=slack)
    return {"points": verts, "slack": slack}


# ------------------------------------------------------------------ exact part
def integer_matrix(M: np.ndarray) -> list[list[int]]:
    r"""*M* (floats) scaled exactly to integers by a common power of two, then shifted
    so every entry is at least 1 (a positive affine map: same equilibria and labels).

    Every finite double is :math:`k \cdot 2^e` with an integer :math:`|k| < 2^{53}`
    (``frexp``), so the scaling is exact.
    """
    M = np.asarray(M, dtype=float)
    if np.all(M == np.round(M)) and np.all(np.abs(M) < 2.0 ** 53):
        ints = M.astype(np.int64).tolist()
    else:
        frac, expo = np.frexp(M)
        mant = np.ldexp(frac, 53).astype(np.int64)          # exact: |mant| < 2**53
        shift = (expo - 53) - int(np.min(expo - 53))
        ints = [[int(k) << int(sh) for k, sh in zip(rk, rs, strict=True)]
                for rk, rs in zip(mant.tolist(), shift.tolist(), strict=True)]
    lo = min(min(r) for r in ints)
    return [[v - lo + 1 for v in r] for r in ints]


def _solve_int(rows: list[list[int]], rhs: list[int], ncols: int
               ) -> tuple[list[int], int] | None:
    """Fraction-free Gauss–Jordan on ``rows z = rhs`` (rows in order of preference).

    Pivots on the first row (in the given order) with a non-zero entry in each
    column; returns ``(numerators, denominator)`` with denominator > 0, or None if
    the columns are dependent. Rows not used as pivots are ignored (the caller
    checks every constraint exactly afterwards).
    """
    aug = [r[:] + [v] for r, v in zip(rows, rhs, strict=True)]
    nr = len(aug)
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


def exact_vertex(M: list[list[int]], kind: str, tight: list[int], m: int, n: int
                 ) -> tuple[tuple[Fraction, ...], frozenset[int]] | None:
    """Exact vertex of P (``kind="P"``, M = B' as m x n ints) or Q (``"Q"``, M = A').

    *tight* lists the constraints believed tight, most certainly tight first. Returns
    the normalised mixed strategy and the exact label set, or None when the tight set
    does not determine a feasible vertex.
    """
    if kind == "P":
        d = m
        zero = {k for k in tight if k < m}
        eqs = [k - m for k in tight if k >= m]          # columns j with (B'^T x)_j = 1
        free = [i for i in range(m) if i not in zero]
        rows = [[M[i][j] for i in free] for j in eqs]
    else:
        d = n
        zero = {k - m for k in tight if k >= m}
        eqs = [k for k in tight if k < m]              # rows i with (A' y)_i = 1
        free = [j for j in range(n) if j not in zero]
        rows = [[M[i][j] for j in free] for i in eqs]
    if not free:
        return None
    sol = _solve_int(rows, [1] * len(rows), len(free))
    if sol is None:
        return None
    num_f, den = sol
    z = [0] * d
    for k, v in zip(free, num_f, strict=True):
        z[k] = v
    if any(v < 0 for v in z):
        return None
    labels: set[int] = set()
    if kind == "P":
        labels |= {i for i in range(m) if z[i] == 0}
        for j in range(n):
            s = sum(M[i][j] * z[i] for i in range(m))
            if s > den:
                return None
            if s == den:
                labels.add(m + j)
    else:
        labels |= {m + j for j in range(n) if z[j] == 0}
        for i in range(m):
            s = sum(M[i][j] * z[j] for j in range(n))
            if s > den:
                return None
            if s == den:
                labels.add(i)
    tot = sum(z)
    if tot == 0:
        return None
    return tuple(Fraction(v, tot) for v in z), frozenset(labels)


def q_rows_independent(Aint: list[list[int]], C: list[int], m: int, n: int) -> bool:
    """Whether the constraints *C* of Q (``(A' y)_i <= 1`` for i < m, ``y_j >= 0`` for
    ``m + j``) have linearly independent rows, decided exactly."""
    rows = [Aint[k][:] if k < m else [-(j == k - m) for j in range(n)] for k in C]
    return _solve_int(rows, [0] * len(rows), n) is not None
