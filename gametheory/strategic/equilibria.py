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
``"exact"`` (the default for small games)
    Our own enumeration of the extreme equilibria in exact rational
    arithmetic: the vertices of the best-response polytopes
    :math:`P = \{x \ge 0 : B^\top x \le 1\}` and
    :math:`Q = \{y \ge 0 : A y \le 1\}` (payoffs shifted positive) are found
    by solving every choice of tight constraints with
    :class:`fractions.Fraction`, labels are read off exactly, and the
    completely labelled pairs are the extreme equilibria (Avis, Rosenberg,
    Savani and von Stengel 2010). Exactness means degenerate games — where
    nashpy's floating-point support enumeration can miss equilibria — are
    handled correctly, and degeneracy is detected exactly.
``"vertex"``
    nashpy's vertex enumeration (floating point).
``"support"``
    nashpy's support enumeration (equal-size supports; may miss equilibria
    of degenerate games).
``"lemke-howson"``
    nashpy's Lemke–Howson from every initial label (finds some, not all,
    equilibria).

A game is *degenerate* when some mixed strategy with support of size
:math:`k` has more than :math:`k` pure best responses; equivalently a
best-response polytope has a vertex with more tight constraints than its
dimension. :func:`equilibria` warns (:class:`DegenerateGameWarning`) when a
game is degenerate, since the equilibrium set may then contain continua of
which only the extreme points are listed.

References
----------
Avis, D., Rosenberg, G. D., Savani, R. and von Stengel, B. (2010).
Enumeration of Nash equilibria for two-player games. *Economic Theory* 42,
9–37.
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

__all__ = [
    "DegenerateGameWarning",
    "EquilibriaResult",
    "equilibria",
    "is_degenerate",
    "is_equilibrium",
    "METHODS",
]

METHODS = ("exact", "vertex", "support", "lemke-howson")

#: Largest number of tight-constraint choices the exact method will try.
EXACT_LIMIT = 200_000


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
        Whether the game is degenerate (``None`` when not checked).
    exact : bool
        Whether the profiles were computed in exact arithmetic.
    rational : tuple or None
        For the exact method, the profiles as tuples of
        :class:`fractions.Fraction`.
    params : dict
    info : dict
    """

    equilibria: tuple[tuple[np.ndarray, np.ndarray], ...]
    method: str
    degenerate: bool | None
    exact: bool
    rational: tuple[tuple[tuple[Fraction, ...], tuple[Fraction, ...]], ...] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

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
    work = comb(m + n, m) * 2
    if work > EXACT_LIMIT:
        raise GameTooLargeError("A", f"{m}x{n} game",
                                f"exact enumeration would try about {work} constraint sets "
                                f"(limit {EXACT_LIMIT})",
                                "Use method='vertex' (floating point) or 'lemke-howson'")
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


def is_degenerate(A: Any, B: Any = None) -> bool:
    r"""Whether a bimatrix game is degenerate (decided in exact arithmetic).

    A game is non-degenerate when no mixed strategy with support of size
    :math:`k` has more than :math:`k` pure best responses (von Stengel
    2002, Def. 3.2); this is checked through the best-response polytopes,
    which are simple exactly when the game is non-degenerate.

    Parameters
    ----------
    A, B : (m, n) payoff matrices (``B=None``: zero-sum)

    Returns
    -------
    bool

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
    return _exact_equilibria(Am, Bm)[1]


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
    method : {"auto", "exact", "vertex", "support", "lemke-howson"}
        ``"auto"`` (default) is ``"exact"`` when the game is small enough
        (see :data:`EXACT_LIMIT`) and ``"vertex"`` otherwise; see the module
        docstring for each method. Only ``"exact"`` and ``"vertex"`` are
        guaranteed to return every extreme equilibrium.
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

    References
    ----------
    Avis, Rosenberg, Savani and von Stengel (2010); Knight and Campbell
    (2018) for the nashpy methods.

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
    chosen = method
    if method == "auto":
        chosen = "exact" if comb(m + n, m) * 2 <= EXACT_LIMIT else "vertex"
    degenerate: bool | None = None
    rational = None
    if chosen == "exact":
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
                                  str(exc), "Use method='exact' for small games") from exc
        cand = [(np.asarray(x, float), np.asarray(y, float)) for x, y in raw]
        cand = [(x, y) for x, y in cand
                if np.all(np.isfinite(x)) and np.all(np.isfinite(y))
                and is_equilibrium(Am, Bm, x, y, tol=1e-7)]
        eqs = [(frozen_array(x), frozen_array(y)) for x, y in _dedupe(cand, tol)]
        exact = False
        if comb(m + n, m) * 2 <= EXACT_LIMIT:
            degenerate = _exact_equilibria(Am, Bm)[1]
    if warn and degenerate:
        warnings.warn(
            "the game is degenerate: some mixed strategy has more pure best responses than "
            "its support size; equilibria may form continua, of which only the extreme "
            "equilibria are listed" + ("" if chosen in ("exact", "vertex") else
                                       f", and method={chosen!r} may miss some of those"),
            DegenerateGameWarning, stacklevel=2)
    return EquilibriaResult(equilibria=tuple(eqs), method=chosen, degenerate=degenerate,
                            exact=exact, rational=rational,
                            params={"method": method, "tol": tol},
                            info={"shape": (m, n)})
