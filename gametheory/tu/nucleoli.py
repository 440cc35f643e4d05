r"""Variants of the nucleolus: the per-capita nucleolus and the modiclus.

Both lexicographically minimise a vector of affine "complaints"
:math:`f_k(x) = (c_k - a_k \cdot x) / w_k`, sorted in decreasing order:

* **per-capita nucleolus** (Grotte 1970): one complaint per coalition,
  the excess per member :math:`e(S, x) / |S|`, over imputations (or over
  pre-imputations for the per-capita prenucleolus);
* **modiclus** (Sudhölter 1997): one complaint per *pair* of coalitions,
  the bi-excess :math:`e(S, x) - e(T, x)`, over pre-imputations. It
  treats a game and its dual alike and equals the prenucleolus of a
  constant-sum game.

Algorithm
---------
Sequential LPs on the explicit list of complaints. Stage :math:`t` solves
:math:`\min \varepsilon` subject to :math:`a_k \cdot x + w_k \varepsilon \ge c_k`
for the free complaints, the fixed ones held at their levels, and
efficiency (plus :math:`x_i \ge v(\{i\})` over imputations). Complaints
with a positive dual are tight at every optimum and are fixed at
:math:`\varepsilon_t`; complaints whose row lies in the span of the fixed
rows are constant from then on and leave; at most :math:`n` stages run
(Maschler, Peleg and Shapley 1979 for the argument, which does not depend
on the weights). The modiclus has :math:`4^n` complaints; it is refused
beyond :data:`MAX_MODICLUS_PLAYERS`.

References
----------
Grotte, J. H. (1970). *Computation of and Observations on the Nucleolus, the
Normalised Nucleolus and the Central Games*. MSc thesis, Cornell University.
Sudhölter, P. (1997). The modified nucleolus: properties and
axiomatizations. *International Journal of Game Theory* 26, 147-182.
Maschler, M., Peleg, B. and Shapley, L. S. (1979). Geometric properties of
the kernel, nucleolus, and related solution concepts. *Mathematics of
Operations Research* 4(4), 303-338.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.linalg import null_space

from ..coalitions import require_dense
from ..errors import InvalidArgumentError, SolverError
from ..results import AllocationResult
from ._lp import rows_of, solve_lp
from .game import TUGame
from .values import _check_game

__all__ = ["per_capita_nucleolus", "modiclus", "lexicographic_center",
           "MAX_MODICLUS_PLAYERS", "MAX_PER_CAPITA_PLAYERS"]

#: Largest n for the modiclus (4**n complaints).
MAX_MODICLUS_PLAYERS = 8
#: Largest n for the per-capita nucleolus (2**n complaints per LP).
MAX_PER_CAPITA_PLAYERS = 14


def lexicographic_center(A: np.ndarray, c: np.ndarray, w: np.ndarray, total: float, *,
                         lower: np.ndarray | None = None,
                         tol: float = 1e-9) -> tuple[np.ndarray, dict[str, Any]]:
    r"""The efficient :math:`x` lexicographically minimising the sorted ``(c - A x) / w``.

    Parameters
    ----------
    A : ndarray, shape (K, n)
        One row per complaint.
    c : ndarray, shape (K,)
    w : ndarray, shape (K,)
        Positive weights.
    total : float
        :math:`\sum_i x_i`.
    lower : ndarray, optional
        Lower bounds on :math:`x` (imputations).
    tol : float
        Tolerance relative to the largest ``|c|``.

    Returns
    -------
    x : ndarray
    info : dict
        ``levels`` (the :math:`\varepsilon_t`), ``lp_count``, ``stages``.
    """
    K, n = A.shape
    scale = max(1.0, float(np.abs(c).max()) if K else 1.0)
    if np.any(w <= 0):
        raise InvalidArgumentError("w", w, "weights must be positive", "Pass positive weights")
    bounds = ([(float(lo), None) for lo in lower] if lower is not None
              else [(None, None)] * n) + [(None, None)]
    obj = np.zeros(n + 1)
    obj[-1] = 1.0
    eq_rows = [np.ones(n)]
    eq_rhs = [float(total)]
    basis = np.ones((1, n)) / np.sqrt(n)
    free = np.ones(K, dtype=bool)
    resid = A - (A @ basis.T) @ basis
    free &= np.linalg.norm(resid, axis=1) > 1e-9
    levels: list[float] = []
    lps = 0
    while len(eq_rows) < n and free.any():
        idx = np.flatnonzero(free)
        A_ub = -np.hstack([A[idx], w[idx, None]])
        A_eq = np.hstack([np.array(eq_rows), np.zeros((len(eq_rows), 1))])
        res = solve_lp(obj, A_ub=A_ub, b_ub=-c[idx], A_eq=A_eq, b_eq=np.array(eq_rhs),
                       bounds=bounds, what=f"lexicographic LP (stage {len(levels) + 1})")
        lps += 1
        x, eps = res.x[:n], float(res.x[-1])
        levels.append(eps)
        duals = -np.asarray(res.ineqlin.marginals)
        dmax = float(duals.max()) if duals.size else 0.0
        tight = idx[duals > 1e-9 * max(1.0, dmax)]
        if tight.size == 0:
            slack = (c[idx] - A[idx] @ x) / w[idx] - eps
            tight = idx[slack >= -tol * scale]
        added = False
        for k in tight:
            r = A[k] - basis.T @ (basis @ A[k])
            nr = np.linalg.norm(r)
            if nr > 1e-8:
                eq_rows.append(A[k].copy())
                eq_rhs.append(float(c[k] - w[k] * eps))
                basis = np.vstack([basis, r / nr])
                added = True
                if len(eq_rows) == n:
                    break
        if not added:
            if lower is not None:
                # the bounds pin the remaining directions: fix the binding bounds
                at = np.flatnonzero(np.abs(x - lower) <= tol * scale)
                for i in at:
                    e = np.zeros(n)
                    e[i] = 1.0
                    r = e - basis.T @ (basis @ e)
                    if np.linalg.norm(r) > 1e-8:
                        eq_rows.append(e)
                        eq_rhs.append(float(lower[i]))
                        basis = np.vstack([basis, r / np.linalg.norm(r)])
                        added = True
            if not added:  # pragma: no cover - numerical trouble
                raise SolverError("lexicographic LP", "no-progress",
                                  f"stage {len(levels)} fixed no new complaint",
                                  "Rescale the game")
        comp = null_space(basis)
        if comp.size:
            free &= np.abs(A @ comp).max(axis=1) > 1e-8
        else:
            free[:] = False
    if len(eq_rows) < n:
        # remaining directions do not affect any complaint: take the last LP's point
        # projected on the fixed equalities
        E = np.array(eq_rows)
        x = x + np.linalg.lstsq(E, np.array(eq_rhs) - E @ x, rcond=None)[0]
    else:
        x = np.linalg.solve(np.array(eq_rows), np.array(eq_rhs))
    return x, {"levels": levels, "lp_count": lps, "stages": len(levels)}


def per_capita_nucleolus(game: TUGame, *, imputations: bool = True,
                         tol: float = 1e-9) -> AllocationResult:
    r"""The per-capita nucleolus: the nucleolus of the excesses per member.

    The imputation :math:`x` whose vector of per-capita excesses
    :math:`e(S, x)/|S| = (v(S) - x(S))/|S|`, sorted in decreasing order, is
    lexicographically smallest (over pre-imputations with
    ``imputations=False``).

    Parameters
    ----------
    game : TUGame
        At most :data:`MAX_PER_CAPITA_PLAYERS` players.
    imputations : bool, default True
        Minimise over imputations (:math:`x_i \ge v(\{i\})`) or over
        pre-imputations (the per-capita prenucleolus).
    tol : float

    Returns
    -------
    AllocationResult
        ``concept="per_capita_nucleolus"`` (or ``"per_capita_prenucleolus"``);
        ``info["levels"]`` holds the per-capita excess levels.

    References
    ----------
    Grotte, J. H. (1970). Computation of and observations on the nucleolus,
    the normalised nucleolus and the central games. MSc thesis, Cornell
    University. Solymosi, T. (2019). Weighted nucleoli and dually essential
    coalitions. *International Journal of Game Theory* 48, 1087-1109.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.TUGame([0, 0, 0, 6, 0, 6, 6, 12])
    >>> gt.per_capita_nucleolus(g).values.round(6).tolist()
    [4.0, 4.0, 4.0]
    """
    game = _check_game(game)
    n = game.n
    require_dense(n, "the per-capita nucleolus", limit=MAX_PER_CAPITA_PLAYERS)
    v = game.profit_values()
    sign = -1.0 if game.is_cost_game else 1.0
    concept = "per_capita_nucleolus" if imputations else "per_capita_prenucleolus"
    lower = v[1 << np.arange(n)] if imputations else None
    if imputations and lower.sum() > v[-1] + tol * max(1.0, float(np.abs(v).max())):
        raise InvalidArgumentError("game", game, "the imputation set is empty",
                                   "Pass imputations=False for the per-capita prenucleolus")
    if n == 1:
        x, info = np.array([v[1]]), {"levels": [], "lp_count": 0, "stages": 0}
    else:
        masks = np.arange(1, (1 << n) - 1, dtype=np.int64)
        A = rows_of(masks, n)
        x, info = lexicographic_center(A, v[masks], A.sum(axis=1), float(v[-1]),
                                       lower=lower, tol=tol)
    return AllocationResult(sign * x, game.players, concept, "sequential-lp", True,
                            {"tol": tol, "imputations": imputations}, info=info, game=game)


def modiclus(game: TUGame, *, tol: float = 1e-9) -> AllocationResult:
    r"""The modiclus (modified nucleolus, Sudhölter 1997).

    The pre-imputation lexicographically minimising the bi-excesses
    :math:`e(S, x) - e(T, x)` over all pairs of coalitions, sorted in
    decreasing order. It depends on the game only through differences of
    worths, so a game and its dual have the same modiclus; for constant-sum
    games it is the prenucleolus.

    Parameters
    ----------
    game : TUGame
        At most :data:`MAX_MODICLUS_PLAYERS` players (:math:`4^n`
        bi-excesses).
    tol : float

    References
    ----------
    Sudhölter, P. (1997). The modified nucleolus: properties and
    axiomatizations. *International Journal of Game Theory* 26, 147-182.

    Examples
    --------
    >>> import gametheory as gt
    >>> gt.modiclus(gt.games.majority(3)).values.round(6).tolist()
    [0.333333, 0.333333, 0.333333]
    """
    game = _check_game(game)
    n = game.n
    require_dense(n, "the modiclus", limit=MAX_MODICLUS_PLAYERS)
    v = game.profit_values()
    sign = -1.0 if game.is_cost_game else 1.0
    if n == 1:
        x, info = np.array([v[1]]), {"levels": [], "lp_count": 0, "stages": 0}
    else:
        masks = np.arange(1 << n, dtype=np.int64)
        R = rows_of(masks, n)
        S, T = np.meshgrid(masks, masks, indexing="ij")
        S, T = S.ravel(), T.ravel()
        keep = S != T
        S, T = S[keep], T[keep]
        # excess difference e(S) - e(T) = (v(S) - v(T)) - (1_S - 1_T) . x
        A = R[S] - R[T]
        c = v[S] - v[T]
        # identical rows carry identical complaints: keep one of each
        key = np.concatenate([A, c[:, None]], axis=1)
        _, first = np.unique(key, axis=0, return_index=True)
        A, c = A[first], c[first]
        x, info = lexicographic_center(A, c, np.ones(c.size), float(v[-1]), tol=tol)
    return AllocationResult(sign * x, game.players, "modiclus", "sequential-lp", True,
                            {"tol": tol}, info=info, game=game)
