r"""Nash equilibria of two-player normal-form (bimatrix) games.

Representation
--------------
A game is a pair of payoff matrices :math:`A, B \in \mathbb{R}^{m\times n}`:
the row player picks a row, the column player a column, and they receive
:math:`A_{ij}` and :math:`B_{ij}`. ``B=None`` means a zero-sum game,
:math:`B = -A`. Mixed strategies are probability vectors :math:`x \in
\Delta_m`, :math:`y \in \Delta_n`; :math:`(x, y)` is a Nash equilibrium when
:math:`x^\top A y \ge e_i^\top A y` and :math:`x^\top B y \ge x^\top B e_j`
for all pure :math:`i, j`.

Methods
-------
``"exact"`` (the default)
    Every extreme equilibrium, certified in exact arithmetic. The vertices
    of one best-response polytope, :math:`P = \{x \ge 0 : B^\top x \le 1\}`
    (or :math:`Q = \{y \ge 0 : A y \le 1\}` when the column player has
    fewer strategies; payoffs mapped into :math:`[1, 2]`), are enumerated in
    floating point as the facets of the convex hull of the polar polytope
    (qhull), the way the fast vertex-enumeration codes do. For each vertex
    :math:`x` with label set :math:`L`, the complementary labels fix the
    other player's point: :math:`y` solves the :math:`n` tight constraints
    not in :math:`L` (one batched linear solve for all vertices). Every
    candidate pair is then **certified exactly**: payoffs are scaled exactly
    to integers, both points are recomputed from their tight constraints by
    fraction-free (Bareiss) elimination in Python integers, their labels are
    recomputed exactly, and the pair is kept only if together they carry
    every label (when both points are clearly simple in floating point this is
    done on the supports alone: the two square indifference systems, then every
    payoff constraint in integers). **Degeneracy is decided exactly**: vertices with extra or
    nearly tight constraints get their labels from the exact computation;
    when a vertex of :math:`P` has more than :math:`m` labels, or the
    complementary system is singular (decided exactly), the complementary
    points form a face of :math:`Q`, whose vertices are all enumerated and
    certified, so no extreme equilibrium of a degenerate game is missed.
    A constraint tight in floating point need not be tight exactly (with
    payoffs such as 0.1 and 0.3, sums equal in decimal differ in binary by
    about 1e-17): a vertex whose nearly tight constraints are not all exactly
    tight is split into every exact vertex they determine (``d`` of them at a
    time), and a complementary system too ill-conditioned for its floating-point
    point to be trusted is solved exactly.
    Floating-point vertex enumeration that pairs triangulated facets by
    their label sets misses equilibria of degenerate games: on the
    ``10 x 10`` game with payoffs ``default_rng(4).integers(0, 10, (10, 10))``
    (``A`` then ``B``) quantecon's ``vertex_enumeration`` returns 7 of the 31
    extreme equilibria; this method returns all 31, the same rational
    profiles as Gambit's ``enummixed`` (rational). Games whose enumerated
    polytope may have more than :data:`VERTEX_LIMIT` vertices (by the upper
    bound theorem; about 17 x 17 and larger) are refused with
    :class:`~gametheory.errors.GameTooLargeError` before any work starts.
``"exhaustive"``
    The reference enumerator: every choice of tight constraints of both
    polytopes is solved in :class:`fractions.Fraction` arithmetic, labels are
    read off exactly, and the completely labelled pairs are the extreme
    equilibria (Avis, Rosenberg, Savani and von Stengel 2010). Slow
    (combinatorial in :math:`m + n`; limited by :data:`EXACT_LIMIT`), kept
    as an independent check of ``"exact"``.
``"vertex"``
    nashpy's vertex enumeration (floating point).
``"support"``
    nashpy's support enumeration (equal-size supports; may miss equilibria
    of degenerate games).
``"lemke-howson"``
    nashpy's Lemke–Howson from every initial label (finds some, not all,
    equilibria); run only up to :data:`LEMKE_HOWSON_LIMIT` strategies in all,
    since it has no iteration limit.

Every method checks the game's size before any work and refuses a game it
could not finish in reasonable time with
:class:`~gametheory.errors.GameTooLargeError`, naming the size and the
limit; for one approximate equilibrium of a large game,
:func:`~gametheory.strategic.logit_qre` at a large precision follows the
logit QRE branch to its limit in a few hundred steps.

A game is *degenerate* when some mixed strategy with support of size
:math:`k` has more than :math:`k` pure best responses; equivalently a
best-response polytope has a vertex with more tight constraints than its
dimension. :func:`is_degenerate` decides this exactly for the whole game.
The ``degenerate`` flag of an ``"exact"`` result reports degeneracy where
it matters for the equilibria — at a vertex of the enumerated polytope or at
a point complementary to one — which is where continua of equilibria and
extra extreme equilibria come from; :func:`equilibria` then warns
(:class:`DegenerateGameWarning`), since only the extreme points of such
continua are listed.

References
----------
Avis, D., Rosenberg, G. D., Savani, R. and von Stengel, B. (2010).
Enumeration of Nash equilibria for two-player games. *Economic Theory* 42,
9–37.
Bareiss, E. H. (1968). Sylvester's identity and multistep integer-preserving
Gaussian elimination. *Mathematics of Computation* 22, 565–578.
Barber, C. B., Dobkin, D. P. and Huhdanpaa, H. (1996). The Quickhull
algorithm for convex hulls. *ACM Transactions on Mathematical Software* 22,
469–483.
von Stengel, B. (2002). Computing equilibria for two-person games. In
*Handbook of Game Theory* vol. 3, ch. 45.
Knight, V. and Campbell, J. (2018). Nashpy: a Python library for the
computation of Nash equilibria. *JOSS* 3(30), 904.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from math import comb
from typing import Any

import numpy as np

from ..errors import GameTooLargeError, InvalidArgumentError, SolverError
from ..results import frozen_array
from ._payoffs import bimatrix
from ._vertex import (
    _templates,
    best_response_polytopes,
    certify_pair,
    enumerate_vertices,
    exact_cluster,
    exact_point,
    hull_vertices,
    integer_matrix,
    label_set,
    q_rows_independent,
    to_fractions,
)

__all__ = [
    "DegenerateGameWarning",
    "EquilibriaResult",
    "equilibria",
    "is_degenerate",
    "is_equilibrium",
    "METHODS",
]

METHODS = ("exact", "exhaustive", "vertex", "support", "lemke-howson")

#: Largest number of tight-constraint choices the exhaustive method will try.
EXACT_LIMIT = 200_000
#: Largest upper-bound-theorem vertex count of the enumerated best-response polytope
#: (16x16 games pass, 17x17 and larger are refused with a message).
VERTEX_LIMIT = 1_000_000
#: Largest number of support pairs nashpy's support enumeration may try.
SUPPORT_LIMIT = 1_000_000
#: Largest m + n for nashpy's Lemke-Howson (it has no iteration limit).
LEMKE_HOWSON_LIMIT = 24
#: Largest number of constraint choices when completing one degenerate face.
FACE_LIMIT = 200_000
#: A complementary system of order n is solved in floating point when its condition
#: estimate is below ``_COND_SCALE / n**2`` (see :func:`_complementary_points`).
_COND_SCALE = 4.5e8


class DegenerateGameWarning(UserWarning):
    """The game is degenerate: equilibria may form continua (only extreme ones are listed)."""


@dataclass(frozen=True, eq=False)
class EquilibriaResult:
    """Nash equilibria of a bimatrix game and how they were found.

    Iterating yields ``(x, y)`` pairs of read-only arrays.

    Attributes
    ----------
    equilibria : tuple of (ndarray, ndarray)
        The equilibria found (for ``"exact"`` and ``"vertex"``: every extreme
        equilibrium), in lexicographic order.
    method : str
        The method used.
    degenerate : bool or None
        ``"exact"``: whether the game is degenerate at a vertex of the
        enumerated best-response polytope or at a point complementary to one
        (the degeneracy that creates continua of equilibria); ``"exhaustive"``:
        whether the game is degenerate anywhere (as :func:`is_degenerate`);
        ``None`` for the nashpy methods.
    exact : bool
        Whether the profiles were computed in exact arithmetic.
    rational : tuple or None
        For ``"exact"`` and ``"exhaustive"``, the profiles as tuples of
        :class:`fractions.Fraction`, in the same order (``"exact"`` keeps them as
        coprime integer vectors and builds the fractions on first access).
    params : dict
    info : dict
    """

    equilibria: tuple[tuple[np.ndarray, np.ndarray], ...]
    method: str
    degenerate: bool | None
    exact: bool
    # the rational profiles: a tuple of Fraction pairs, or (for "exact") a
    # _IntegerProfiles turned into one on first access of ``rational``
    _rational: Any = field(default=None, repr=False)
    params: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def rational(self) -> tuple[tuple[tuple[Fraction, ...], tuple[Fraction, ...]], ...] | None:
        r = self._rational
        if isinstance(r, _IntegerProfiles):
            r = tuple([(to_fractions(x), to_fractions(y)) for x, y in r.profiles])
            object.__setattr__(self, "_rational", r)      # a cache: same value every time
        return r

    def __len__(self) -> int:
        return len(self.equilibria)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        return iter(self.equilibria)

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return self.equilibria[i]

    def payoffs(self, A: Any, B: Any = None) -> np.ndarray:
        """``(k, 2)`` array of both players' expected payoffs at each equilibrium."""
        Am, Bm = bimatrix(A, B)
        return np.array([[x @ Am @ y, x @ Bm @ y] for x, y in self.equilibria]).reshape(-1, 2)

    def contains(self, x: Any, y: Any, atol: float = 1e-9) -> bool:
        """Whether ``(x, y)`` is (within *atol*) one of the listed equilibria."""
        xa, ya = np.asarray(x, float), np.asarray(y, float)
        return any(np.allclose(xa, ex, atol=atol) and np.allclose(ya, ey, atol=atol)
                   for ex, ey in self.equilibria)


class _IntegerProfiles:
    """Equilibria as pairs of coprime non-negative integer vectors (the mixed strategies
    are their shares of their sums), in lexicographic order of the strategies."""

    __slots__ = ("profiles",)

    def __init__(self, profiles: list[tuple[tuple[int, ...], tuple[int, ...]]]):
        self.profiles = tuple(profiles)


def _exactly_before(p: Any, q: Any) -> bool:
    """Whether the profile of integer vectors *p* comes strictly before *q* in the
    lexicographic order of their shares (compared by cross-multiplication)."""
    for u, v in zip(p, q, strict=True):
        su, sv = sum(u), sum(v)
        for a, b in zip(u, v, strict=True):
            if a * sv != b * su:
                return a * sv < b * su
    return False


def _sorted_profiles(ints: list[Any]) -> tuple[list[Any], list[list[float]], list[list[float]]]:
    """*ints* (pairs of integer vectors) sorted lexicographically by their exact shares,
    with the shares as floats (``int / int`` is correctly rounded, as
    ``float(Fraction)``). The floats order them (rounding is monotone); every adjacent
    pair is then checked exactly, and a full exact sort runs only if one is out of order
    (two shares that differ but round to the same float)."""
    rows = [([v / s for v in x], [v / t for v in y], x, y)
            for x, y in ints for s, t in [(sum(x), sum(y))]]
    rows.sort(key=lambda r: (r[0], r[1]))
    prof = [(r[2], r[3]) for r in rows]
    if not all(_exactly_before(prof[k], prof[k + 1]) for k in range(len(prof) - 1)):
        from functools import cmp_to_key

        prof.sort(key=cmp_to_key(lambda p, q: -1 if _exactly_before(p, q)
                                 else int(_exactly_before(q, p))))
        return _sorted_profiles_floats(prof)
    return prof, [r[0] for r in rows], [r[1] for r in rows]


def _sorted_profiles_floats(prof: list[Any]) -> tuple[list[Any], list[list[float]],
                                                       list[list[float]]]:
    return (prof, [[v / s for v in x] for x, _ in prof for s in [sum(x)]],
            [[v / s for v in y] for _, y in prof for s in [sum(y)]])


# ----------------------------------------------------------------- exact
def _fractions(M: np.ndarray) -> list[list[Fraction]]:
    return [[Fraction(float(v)) for v in row] for row in M]


def _solve_exact(M: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction] | None:
    """Solve a square system exactly (Gauss–Jordan); None if singular."""
    k = len(M)
    aug = [row[:] + [r] for row, r in zip(M, rhs, strict=True)]
    for col in range(k):
        piv = next((r for r in range(col, k) if aug[r][col] != 0), None)
        if piv is None:
            return None
        aug[col], aug[piv] = aug[piv], aug[col]
        pv = aug[col][col]
        aug[col] = [v / pv for v in aug[col]]
        for r in range(k):
            if r != col and aug[r][col] != 0:
                f = aug[r][col]
                aug[r] = [a - f * b for a, b in zip(aug[r], aug[col], strict=True)]
    return [aug[r][k] for r in range(k)]


def _polytope_vertices(M: list[list[Fraction]], nvar: int, ncon: int, var_label0: int,
                       con_label0: int) -> list[tuple[tuple[Fraction, ...], frozenset[int]]]:
    """Vertices of {z >= 0 : M z <= 1}, M is ncon x nvar, with their exact labels.

    Label of z_k = 0 is ``var_label0 + k``; of row r tight is ``con_label0 + r``.
    """
    found: dict[tuple[Fraction, ...], frozenset[int]] = {}
    one = Fraction(1)
    for nzero in range(nvar + 1):
        for zero in itertools.combinations(range(nvar), nzero):
            free = [k for k in range(nvar) if k not in zero]
            for rows in itertools.combinations(range(ncon), len(free)):
                if free:
                    sub = [[M[r][k] for k in free] for r in rows]
                    sol = _solve_exact(sub, [one] * len(free))
                    if sol is None:
                        continue
                else:
                    sol = []
                z = [Fraction(0)] * nvar
                for k, v in zip(free, sol, strict=True):
                    z[k] = v
                if any(v < 0 for v in z):
                    continue
                slack = [sum((M[r][k] * z[k] for k in range(nvar)), Fraction(0))
                         for r in range(ncon)]
                if any(s > 1 for s in slack):
                    continue
                key = tuple(z)
                if key in found:
                    continue
                labels = {var_label0 + k for k in range(nvar) if z[k] == 0}
                labels |= {con_label0 + r for r in range(ncon) if slack[r] == 1}
                found[key] = frozenset(labels)
    return list(found.items())


def _exact_equilibria(A: np.ndarray, B: np.ndarray) -> tuple[list[Any], bool]:
    m, n = A.shape
    _check_size(m, n, "exhaustive")
    # shift payoffs to be positive (equilibria are unchanged)
    Af = _fractions(A)
    Bf = _fractions(B)
    shiftA = 1 - min(min(r) for r in Af)
    shiftB = 1 - min(min(r) for r in Bf)
    Ap = [[v + shiftA for v in row] for row in Af]
    Bp = [[v + shiftB for v in row] for row in Bf]
    # P = {x in R^m: x >= 0, B^T x <= 1}: labels 0..m-1 for x_i = 0, m+j for column j tight
    BT = [[Bp[i][j] for i in range(m)] for j in range(n)]
    P = _polytope_vertices(BT, m, n, 0, m)
    # Q = {y in R^n: y >= 0, A y <= 1}: labels m+j for y_j = 0, i for row i tight
    Q = _polytope_vertices(Ap, n, m, m, 0)
    degenerate = any(len(lab) > m for _, lab in P) or any(len(lab) > n for _, lab in Q)
    full = frozenset(range(m + n))
    eqs = []
    for x, lx in P:
        if not any(x):
            continue
        for y, ly in Q:
            if not any(y):
                continue
            if lx | ly == full:
                sx, sy = sum(x), sum(y)
                eqs.append((tuple(v / sx for v in x), tuple(v / sy for v in y)))
    eqs.sort()
    return eqs, degenerate


# ------------------------------------------------------- fast exact (certified)
def _vertex_bound(d: int, N: int) -> int:
    """Upper bound theorem: most vertices a d-polytope with N facets can have."""
    if N <= d:
        return 1
    h, c = d // 2, (d + 1) // 2
    return comb(N - c, h) + comb(N - h - 1, c - 1)


_LARGE_FIX = ("For one approximate equilibrium of a large game use "
              "gametheory.strategic.logit_qre(A, B, lam=1e6) (the limit of the logit QRE "
              "branch), or reduce the game (e.g. remove dominated strategies)")


def _check_size(m: int, n: int, method: str) -> None:
    if method == "lemke-howson":
        if m + n > LEMKE_HOWSON_LIMIT:
            raise GameTooLargeError(
                "A", f"{m}x{n} game",
                f"nashpy's Lemke-Howson has no iteration limit and can cycle; it is run "
                f"only for m + n <= {LEMKE_HOWSON_LIMIT} (here {m + n})", _LARGE_FIX)
        return
    if method in ("exact", "vertex"):
        bound = _vertex_bound(min(m, n), m + n)
        if method == "vertex":
            bound = max(bound, _vertex_bound(max(m, n), m + n))
        if bound > VERTEX_LIMIT:
            raise GameTooLargeError(
                "A", f"{m}x{n} game",
                f"its best-response polytope may have up to {bound:,} vertices (upper bound "
                f"theorem; limit {VERTEX_LIMIT:,}), so enumerating every equilibrium could "
                "run for hours", _LARGE_FIX)
    elif method == "support":
        pairs = sum(comb(m, k) * comb(n, k) for k in range(1, min(m, n) + 1))
        if pairs > SUPPORT_LIMIT:
            raise GameTooLargeError(
                "A", f"{m}x{n} game",
                f"support enumeration would try {pairs:,} support pairs (limit "
                f"{SUPPORT_LIMIT:,})", "Use method='exact' or method='lemke-howson'")
    elif method == "exhaustive":
        work = comb(m + n, m) * 2
        if work > EXACT_LIMIT:
            raise GameTooLargeError("A", f"{m}x{n} game",
                                    f"exhaustive enumeration would try about {work:,} "
                                    f"constraint sets (limit {EXACT_LIMIT:,})",
                                    "Use method='exact' (same result, much faster)")


def _tight_order(slack: np.ndarray, loose: float = 1e-6) -> list[int]:
    """Constraints with slack below *loose*, most tight first."""
    idx = np.flatnonzero(slack <= loose)
    return [int(k) for k in idx[np.argsort(slack[idx], kind="stable")]]


def _row_polytope_vertices(P: Any) -> dict[str, np.ndarray]:
    """Vertices of the best-response polytope *P* (``{x >= 0 : B'^T x <= 1}``, payoffs
    in [1, 2]) in floating point: qhull, with the interior point ``x = 1/(4m)``
    (where every constraint has slack at least 1/4m)."""
    if P.d >= 2:
        from scipy.spatial import QhullError

        try:
            return hull_vertices(P, interior=_templates(P.d, P.N - P.d)[-1])
        except (QhullError, np.linalg.LinAlgError):  # pragma: no cover - qhull precision
            pass
    V = enumerate_vertices(P)
    V["near"] = V["slack"] <= 1e-6
    V["simple"] = bool((V["near"].sum(axis=1) == P.d).all())
    return V


def _face_points(Q: Any, C: np.ndarray, loose: float) -> list[np.ndarray]:
    """Vertices of the face of Q where the constraints *C* are tight (float)."""
    n = Q.d
    DC = Q.D[C]
    U, sv, Vt = np.linalg.svd(DC) if DC.size else (None, np.zeros(0), np.eye(n))
    rank = int(np.sum(sv > 1e-10 * max(1.0, sv[0]))) if sv.size else 0
    # rows spanning C, then every choice of n - rank further constraints
    basis_rows: list[int] = []
    for k in range(DC.shape[0]):
        trial = basis_rows + [k]
        if np.linalg.matrix_rank(DC[trial], tol=1e-10) == len(trial):
            basis_rows = trial
        if len(basis_rows) == rank:
            break
    base = [int(C[k]) for k in basis_rows]
    others = [k for k in range(Q.N) if k not in set(int(c) for c in C)]
    need = n - rank
    if comb(len(others), need) > FACE_LIMIT:
        raise GameTooLargeError(
            "A", "degenerate game",
            f"a degenerate face needs {comb(len(others), need):,} constraint choices "
            f"(limit {FACE_LIMIT:,})", "Use method='exhaustive' for small games, or "
            "perturb the payoffs slightly")
    out = []
    if need == 0:
        sets = [base]
    else:
        sets = [base + list(S) for S in itertools.combinations(others, need)]
    idx = np.array(sets, dtype=np.int64)
    M = Q.D[idx]
    ok = np.abs(np.linalg.det(M)) > 1e-12
    if not np.any(ok):
        return out
    ys = np.linalg.solve(M[ok], Q.b[idx[ok]][..., None])[..., 0]
    sl = Q.b - ys @ Q.D.T
    feas = np.all(sl >= -loose, axis=1) & np.all(np.abs(sl[:, C]) <= loose, axis=1)
    return list(ys[feas])


def _batched_inverse(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverses of a stack of square matrices; ``ok`` marks those LAPACK could invert."""
    try:
        return np.linalg.inv(M), np.ones(M.shape[0], dtype=bool)
    except np.linalg.LinAlgError:
        inv = np.zeros_like(M)
        ok = np.zeros(M.shape[0], dtype=bool)
        for t in range(M.shape[0]):
            try:
                inv[t] = np.linalg.inv(M[t])
                ok[t] = True
            except np.linalg.LinAlgError:
                pass
        return inv, ok


def _complementary_points(Q: Any, Cidx: np.ndarray, idx: np.ndarray, A2: np.ndarray,
                          face_vertices: list[int], exact_only: list[int],
                          loose: float = 1e-6) -> tuple[np.ndarray, np.ndarray | None]:
    r"""The points of Q where the constraints ``Cidx[t]`` (n of them) are tight, for the
    vertices *idx* of P (one batched inverse).

    Returns the slacks in Q of the points found and the mask of the systems solved
    (None: all of them). A system counts as well-conditioned when
    :math:`\kappa = 2n^2 \max_{ij} |(M^{-1})_{ij}| < 4.5 \cdot 10^8 / n^2`
    (:math:`\kappa` bounds the condition number :math:`\lVert M \rVert_1
    \lVert M^{-1} \rVert_1`, :math:`\lVert M \rVert_1 \le 2n` with entries in
    [-1, 2], and is cheaper than it): then rounding moves a
    slack by at most about :math:`2 n^2 \kappa \epsilon < 10^{-7}`, well inside the
    1e-6 feasibility tolerance (*loose*). An ill-conditioned system whose point
    violates a constraint by more than *loose* plus that error bound is dropped; the
    others, and the systems LAPACK cannot invert, are decided exactly
    (:func:`q_rows_independent`): a singular one adds its vertex to *face_vertices*
    (a degenerate face, completed by the caller), an independent one to *exact_only*
    (its point is solved in exact arithmetic only).
    """
    n = Q.d
    M = Q.D[Cidx]
    bound = _COND_SCALE / (n * n)
    try:
        inv = np.linalg.inv(M)
        ok = None
        fine = 2 * n * n * max(inv.max(), -inv.min()) < bound
    except np.linalg.LinAlgError:
        inv, ok = _batched_inverse(M)
        fine = False
    if fine:
        solved = None
    else:
        kappa = 2 * n * n * np.maximum(inv.max(axis=(1, 2)), -inv.min(axis=(1, 2)))
        if ok is None:
            ok = np.ones(M.shape[0], dtype=bool)
        else:
            kappa[~ok] = np.inf
        solved = kappa < bound
        unsure = ~solved
        if unsure.any():
            # solved in floating point but ill-conditioned: dropped when infeasible by more
            # than the rounding error can explain, else decided exactly
            rough = unsure & ok
            y = (inv[rough] @ Q.b[Cidx[rough]][:, :, None])[:, :, 0]
            err = 4 * n * n * kappa[rough] * np.finfo(float).eps * np.maximum(
                1.0, np.abs(y).max(axis=1))
            unsure[rough] = ((Q.b - y @ Q.D.T).min(axis=1) >= -loose - err)
            if unsure.any():
                Aint = integer_matrix(A2)
                for t in np.flatnonzero(unsure).tolist():
                    if q_rows_independent(Aint, Cidx[t].tolist(), A2.shape[0], n):
                        exact_only.append(int(idx[t]))
                    else:
                        face_vertices.append(int(idx[t]))
        inv, Cidx = inv[solved], Cidx[solved]
    ys = inv @ Q.b[Cidx][:, :, None]
    return Q.b - ys[:, :, 0] @ Q.D.T, solved


def _certified_equilibria(Am: np.ndarray, Bm: np.ndarray, tol: float = 1e-9, *,
                          short_path: bool = True) -> tuple[list[Any], bool, dict[str, Any]]:
    """Extreme equilibria: float vertex enumeration, then exact certification.

    Returns the equilibria as pairs of coprime integer vectors proportional to the
    mixed strategies (unsorted), the degeneracy flag and counters.

    The common case takes a short path: when every vertex of P has exactly m
    constraints within 1e-6 of tight, all within *tol* (P is simple, and clearly so in
    floating point), those are its labels, and a candidate whose complementary point
    has exactly its n complementary constraints nearly tight is checked by
    :func:`certify_pair` (two square integer systems on the supports). Everything
    else (extra or ambiguous labels, singular complementary systems, degenerate
    faces) takes the general path: exact labels from :func:`exact_point`, face
    completion, and :func:`exact_point` on both sides of each candidate.
    ``short_path=False`` sends every game the general way (for tests).
    """
    m0, n0 = Am.shape
    swap = n0 < m0
    A2, B2 = (Bm.T, Am.T) if swap else (Am, Bm)
    m, n = A2.shape
    N = m + n
    full = (1 << N) - 1
    loose = 1e-6
    P, Q = best_response_polytopes(A2, B2)
    V = _row_polytope_vertices(P)
    pts, slack, near = V["points"], V["slack"], V["near"]
    degenerate = False
    face_vertices: list[int] = []
    exact_only: list[int] = []                     # complementary system solved exactly
    ints: list[list[list[int]]] = []               # B' rows, then the rows of A'^T
    xcache: dict[int, Any] = {}

    def exact_x(a: int) -> Any:
        if not ints:
            ints.extend((integer_matrix(B2), integer_matrix(A2.T)))
        if a not in xcache:
            order = np.argsort(slack[a], kind="stable")[:int(np.count_nonzero(near[a]))]
            xcache[a] = exact_point(ints[0], "P", order.tolist(), m, n)
        return xcache[a]

    clean = short_path and V["simple"] and slack[near].max() <= tol
    if clean:
        # labels = the m nearly tight constraints; the origin (labels 0..m-1) is solved
        # too, its complementary point is y = 0, dropped below
        L = near
        idx = np.arange(pts.shape[0])
        Cidx = np.nonzero(~L)[1].reshape(-1, n)
    else:
        n_tight = near.sum(axis=1)
        L = slack <= tol
        n_lab = L.sum(axis=1)
        nonzero = pts.max(axis=1) > loose
        # vertices with extra or ambiguous labels: exact labels decide. A floating-point
        # vertex may stand for several exact vertices closer together than rounding error
        # (or none): every exact vertex whose tight constraints are among its nearly tight
        # ones is kept, the extra ones as extra rows
        extra: list[tuple[np.ndarray, Any]] = []
        for a in np.flatnonzero(nonzero & ((n_tight > n_lab) | (n_lab > m))).tolist():
            if not ints:
                ints.extend((integer_matrix(B2), integer_matrix(A2.T)))
            cluster = exact_cluster(ints[0], "P", _tight_order(slack[a], loose), m, n,
                                    limit=FACE_LIMIT)
            if not cluster:
                nonzero[a] = False
                continue
            for k, ex in enumerate(cluster):
                lab = np.zeros(N, dtype=bool)
                lab[sorted(label_set(ex[1]))] = True
                degenerate |= ex[1].bit_count() > m
                if k == 0:
                    L[a] = lab
                    n_lab[a] = ex[1].bit_count()
                    xcache[a] = ex
                else:
                    extra.append((lab, ex))
        if extra:
            base = L.shape[0]
            L = np.vstack([L] + [lab[None, :] for lab, _ in extra])
            n_lab = np.concatenate([n_lab, [ex[1].bit_count() for _, ex in extra]])
            n_tight = np.concatenate([n_tight, [N + 1] * len(extra)])  # never "simple"
            nonzero = np.concatenate([nonzero, [True] * len(extra)])
            for k, (_, ex) in enumerate(extra):
                xcache[base + k] = ex
        n_comp = N - n_lab
        idx = np.flatnonzero(nonzero & (n_comp == n))
        face_vertices = np.flatnonzero(nonzero & (n_comp < n)).tolist()
        Cidx = np.nonzero(~L[idx])[1].reshape(idx.size, n)
    cand_a: list[np.ndarray] = []
    cand_s: list[np.ndarray] = []                  # the candidates' slacks in Q
    n_solved = 0
    if idx.size:
        sl, solved = _complementary_points(Q, Cidx, idx, A2, face_vertices, exact_only)
        feas = (sl >= -loose).all(axis=1)
        cand_a.append((idx if solved is None else idx[solved])[feas])
        cand_s.append(sl[feas])
        n_solved = len(cand_a[0])
    for a in face_vertices:
        C = np.flatnonzero(~L[a])
        for y in _face_points(Q, C, loose):
            cand_a.append(np.array([a]))
            cand_s.append((Q.b - Q.D @ y)[None, :])
    found: set[Any] = set()
    rejected = origin = 0
    ca = np.concatenate(cand_a) if len(cand_a) > 1 else (cand_a[0] if cand_a else
                                                          np.zeros(0, dtype=np.int64))
    sl = np.concatenate(cand_s) if len(cand_s) > 1 else (cand_s[0] if cand_s else None)
    if sl is not None:
        q_near = sl <= loose
        if clean:
            # exactly the complementary constraints nearly tight (they are tight by
            # construction, so counting suffices)
            simple = (q_near.sum(axis=1) == n).tolist()
        else:
            simple = ((q_near != L[ca]).all(axis=1) & (n_tight[ca] == m)
                      & (n_lab[ca] == m)).tolist()
        # face points, and every candidate when the short path is off, go the general way
        first_general = n_solved if short_path else 0
        simple[first_general:] = [False] * (len(simple) - first_general)
        Lc = L[ca].tolist()
        qorder = None
        if not ints:
            ints.extend((integer_matrix(B2), integer_matrix(A2.T)))
        Bv, Av = ints
        for t, a in enumerate(ca.tolist()):
            lab = Lc[t]
            S = [i for i in range(m) if not lab[i]]
            if not S:                                      # the origin (y = 0)
                origin += 1
                continue
            if simple[t]:
                res = certify_pair(Bv, Av, S, [j for j in range(n) if lab[m + j]])
                if res is None:
                    rejected += 1
                    continue
                x, y, deg = res
                degenerate |= deg
                found.add((y, x) if swap else (x, y))
                continue
            if qorder is None:
                # constraints within *loose* of tight come first, most tight first
                qorder = np.argsort(np.maximum(sl, 0.0), axis=1, kind="stable")
                q_tight = q_near.sum(axis=1).tolist()
            ex = exact_x(a)
            if ex is None:
                rejected += 1
                continue
            # y: every exact vertex of Q near the float point where the labels missing
            # at x are tight (one, unless a constraint is tight in floating point only)
            missing = tuple([k for k in range(N) if not lab[k]])
            eys = [ey for ey in exact_cluster(Av, "Q", qorder[t, :q_tight[t]].tolist(), m, n,
                                              required=missing, limit=FACE_LIMIT)
                   if (ex[1] | ey[1]) == full]
            if not eys:
                rejected += 1
                continue
            for ey in eys:
                degenerate |= ey[1].bit_count() > n or ex[1].bit_count() > m
                found.add((ey[0], ex[0]) if swap else (ex[0], ey[0]))
    for a in exact_only:
        # an ill-conditioned complementary system, independent exactly: y solved exactly
        ex = exact_x(a)
        missing = tuple(np.flatnonzero(~L[a]).tolist())
        eys = [] if ex is None else [
            ey for ey in exact_cluster(ints[1], "Q", [], m, n, required=missing,
                                       limit=FACE_LIMIT) if (ex[1] | ey[1]) == full]
        rejected += not eys
        for ey in eys:
            degenerate |= ey[1].bit_count() > n or ex[1].bit_count() > m
            found.add((ey[0], ex[0]) if swap else (ex[0], ey[0]))
    info = {"vertices": int(pts.shape[0]),
            "candidates": int(ca.size) - origin + len(exact_only),
            "rejected": rejected,
            "enumerated": "column player's polytope" if swap else "row player's polytope"}
    return list(found), degenerate, info


def _full_degeneracy(Am: np.ndarray, Bm: np.ndarray, tol: float = 1e-9) -> bool:
    """Whether either best-response polytope has a vertex with too many labels (exact)."""
    for A2, B2 in ((Am, Bm), (Bm.T, Am.T)):
        m, n = A2.shape
        if m == 1:
            # P is a segment [0, 1/max_j B'_1j]: its far end is degenerate iff ties
            Bi = integer_matrix(B2)[0]
            if Bi.count(max(Bi)) > 1:
                return True
            continue
        V = _row_polytope_vertices(best_response_polytopes(A2, B2)[0])
        slack = V["slack"]
        sus = np.any((slack > tol) & (slack <= 1e-6), axis=1) | ((slack <= tol).sum(1) > m)
        if not np.any(sus):
            continue
        Bint = integer_matrix(B2)
        for a in np.flatnonzero(sus):
            if any(lab.bit_count() > m
                   for _, lab in exact_cluster(Bint, "P", _tight_order(slack[a]), m, n,
                                               limit=FACE_LIMIT)):
                return True
    return False


def is_degenerate(A: Any, B: Any = None) -> bool:
    r"""Whether a bimatrix game is degenerate (decided in exact arithmetic).

    A game is non-degenerate when no mixed strategy with support of size
    :math:`k` has more than :math:`k` pure best responses (von Stengel
    2002, Def. 3.2); this is checked through the best-response polytopes,
    which are simple exactly when the game is non-degenerate: both are
    enumerated in floating point and every vertex with extra or nearly tight
    constraints has its labels recomputed in exact integer arithmetic.

    Parameters
    ----------
    A, B : (m, n) payoff matrices (``B=None``: zero-sum)

    Returns
    -------
    bool

    Raises
    ------
    GameTooLargeError
        When a polytope may have more than :data:`VERTEX_LIMIT` vertices.

    References
    ----------
    von Stengel (2002), *Handbook of Game Theory* 3, ch. 45.

    Examples
    --------
    >>> is_degenerate([[1, -1], [-1, 1]])
    False
    >>> is_degenerate([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]])
    True
    """
    Am, Bm = bimatrix(A, B)
    _check_size(*Am.shape, "vertex")
    return _full_degeneracy(Am, Bm)


def is_equilibrium(A: Any, B: Any, x: Any, y: Any, tol: float = 1e-9) -> bool:
    """Whether ``(x, y)`` is a Nash equilibrium of ``(A, B)`` up to *tol* in payoff.

    Examples
    --------
    >>> is_equilibrium([[1, -1], [-1, 1]], None, [0.5, 0.5], [0.5, 0.5])
    True
    """
    Am, Bm = bimatrix(A, B)
    xa, ya = np.asarray(x, float), np.asarray(y, float)
    if xa.shape != (Am.shape[0],) or ya.shape != (Am.shape[1],):
        raise InvalidArgumentError("x", x, "strategy length does not match the game",
                                   f"Give x of length {Am.shape[0]} and y of length "
                                   f"{Am.shape[1]}")
    if np.any(xa < -tol) or np.any(ya < -tol) or abs(xa.sum() - 1) > tol or \
            abs(ya.sum() - 1) > tol:
        return False
    return bool(np.max(Am @ ya) <= xa @ Am @ ya + tol and
                np.max(xa @ Bm) <= xa @ Bm @ ya + tol)


def _dedupe(eqs: list[tuple[np.ndarray, np.ndarray]], tol: float = 1e-9
            ) -> list[tuple[np.ndarray, np.ndarray]]:
    out: list[tuple[np.ndarray, np.ndarray]] = []
    for x, y in eqs:
        if not any(np.allclose(x, a, atol=tol) and np.allclose(y, b, atol=tol) for a, b in out):
            out.append((x, y))
    out.sort(key=lambda e: tuple(np.round(np.concatenate(e), 12)))
    return out


def equilibria(A: Any, B: Any = None, method: str = "auto", *, warn: bool = True,
               tol: float = 1e-9) -> EquilibriaResult:
    r"""All (extreme) Nash equilibria of a two-player game.

    Parameters
    ----------
    A : (m, n) array
        Row player's payoffs.
    B : (m, n) array, optional
        Column player's payoffs (``None``: zero-sum, ``B = -A``).
    method : {"auto", "exact", "exhaustive", "vertex", "support", "lemke-howson"}
        ``"auto"`` (default) is ``"exact"``; see the module docstring for
        each method. ``"exact"`` and ``"exhaustive"`` return every extreme
        equilibrium in exact arithmetic; ``"vertex"`` does in floating point
        for non-degenerate games.
    warn : bool
        Emit :class:`DegenerateGameWarning` for degenerate games.
    tol : float
        Tolerance for de-duplicating and checking floating-point results.

    Returns
    -------
    EquilibriaResult

    Raises
    ------
    InvalidArgumentError
        Mismatched shapes, non-finite payoffs, unknown method.
    GameTooLargeError
        The game is too large for the method (checked before any work:
        :data:`VERTEX_LIMIT`, :data:`SUPPORT_LIMIT`, :data:`EXACT_LIMIT`,
        :data:`LEMKE_HOWSON_LIMIT`).

    References
    ----------
    Avis, Rosenberg, Savani and von Stengel (2010); Bareiss (1968) for the
    exact elimination; Knight and Campbell (2018) for the nashpy methods.

    Examples
    --------
    >>> res = equilibria([[3, 0], [0, 2]], [[2, 0], [0, 3]])   # battle of the sexes
    >>> len(res)
    3
    >>> [x.round(3).tolist() for x, y in res]
    [[0.0, 1.0], [0.6, 0.4], [1.0, 0.0]]
    """
    Am, Bm = bimatrix(A, B)
    if method not in METHODS + ("auto",):
        raise InvalidArgumentError("method", method, "unknown method",
                                   f"Use one of {('auto',) + METHODS}")
    m, n = Am.shape
    chosen = "exact" if method == "auto" else method
    _check_size(m, n, chosen)
    degenerate: bool | None = None
    rational = None
    info: dict[str, Any] = {"shape": (m, n)}
    if chosen in ("exact", "exhaustive"):
        if chosen == "exact":
            ints, degenerate, more = _certified_equilibria(Am, Bm)
            info.update(more)
            prof, xs, ys = _sorted_profiles(ints)
            rational = _IntegerProfiles(prof)
            # one read-only array per player, one row (a read-only view) per equilibrium
            X = frozen_array(xs).reshape(-1, m)
            Y = frozen_array(ys).reshape(-1, n)
            eqs = list(zip(X, Y, strict=True))
        else:
            reqs, degenerate = _exact_equilibria(Am, Bm)
            rational = tuple(reqs)
            eqs = [(frozen_array([float(v) for v in x]), frozen_array([float(v) for v in y]))
                   for x, y in reqs]
        exact = True
    else:
        import nashpy

        # nashpy's polytope methods need positive payoffs; shifting each player's
        # payoffs by a constant leaves the equilibria unchanged
        game = nashpy.Game(Am - Am.min() + 1.0, Bm - Bm.min() + 1.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nashpy warns about degeneracy itself
            try:
                if chosen == "vertex":
                    raw = list(game.vertex_enumeration())
                elif chosen == "support":
                    raw = list(game.support_enumeration(tol=tol))
                else:
                    raw = list(game.lemke_howson_enumeration())
            except Exception as exc:  # nashpy/qhull failures become our SolverError
                raise SolverError(f"nashpy {chosen} enumeration", type(exc).__name__,
                                  str(exc), "Use method='exact'") from exc
        cand = [(np.asarray(x, float), np.asarray(y, float)) for x, y in raw]
        cand = [(x, y) for x, y in cand
                if np.all(np.isfinite(x)) and np.all(np.isfinite(y))
                and is_equilibrium(Am, Bm, x, y, tol=1e-7)]
        eqs = [(frozen_array(x), frozen_array(y)) for x, y in _dedupe(cand, tol)]
        exact = False
    if warn and degenerate:
        warnings.warn(
            "the game is degenerate: some mixed strategy has more pure best responses than "
            "its support size; equilibria may form continua, of which only the extreme "
            "equilibria are listed", DegenerateGameWarning, stacklevel=2)
    return EquilibriaResult(equilibria=tuple(eqs), method=chosen, degenerate=degenerate,
                            exact=exact, _rational=rational,
                            params={"method": method, "tol": tol}, info=info)
