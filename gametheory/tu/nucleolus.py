r"""Nucleolus and prenucleolus by sequential LPs with constraint generation.

The (pre)nucleolus lexicographically minimises the vector of excesses
:math:`e(S, x) = v(S) - x(S)` sorted in decreasing order, over imputations
(nucleolus: :math:`x_i \ge v(i)`, :math:`x(N) = v(N)`) or pre-imputations
(prenucleolus: :math:`x(N) = v(N)` only).

Algorithm
---------
Stage k solves

.. math::
    \min \varepsilon \ \text{ s.t. }\ x(S) + \varepsilon \ge v(S)\ (S \text{ free}),\quad
    x(S) = v(S) - \varepsilon_j\ (S \text{ fixed at stage } j < k),\quad x(N) = v(N).

Coalitions whose constraint has a positive dual are tight in every optimum
(complementary slackness) and become fixed; coalitions whose indicator lies
in the span of the fixed ones have a constant excess and leave the problem.
The span grows by at least one dimension per stage, so at most n stages run
(Maschler, Peleg and Shapley 1979). Within a stage only the coalitions that
can bind enter HiGHS: the LP starts from a small working set and adds the
most violated of all :math:`2^n` coalitions, found with one vectorised pass,
until none is violated (constraint generation). The span test for all
coalitions is vectorised too: a coalition is in the span when its sums under
every vector of an orthonormal basis of the span's complement vanish.

The result can be checked with :func:`kohlberg_criterion`.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.linalg import null_space

from ..coalitions import mask_to_labels, require_dense
from ..errors import InvalidArgumentError, SolverError
from ..results import AllocationResult
from ._lp import coalition_sums, rows_of, solve_lp
from .game import TUGame
from .values import _check_game

__all__ = ["nucleolus", "prenucleolus", "kohlberg_criterion", "KohlbergCheck"]

MAX_NUCLEOLUS_PLAYERS = 24
#: Up to this many players the stage LPs run on one warm-started ``highspy`` model each
#: (no per-LP set-up); larger games use ``scipy.optimize.linprog``.
HIGHSPY_MAX_PLAYERS = 24


def _has_highspy() -> bool:
    try:
        import highspy  # noqa: F401
    except ImportError:  # pragma: no cover - highspy is a declared dependency
        return False
    return True



def _stage_setup(v: np.ndarray, n: int, imputation: bool,
                 tol: float) -> tuple[int, float, np.ndarray | None]:
    """The grand coalition's mask, the absolute tolerance and, over imputations, the
    players' lower bounds v({i}) (refusing a game whose imputation set is empty)."""
    full = (1 << n) - 1
    atol = tol * max(1.0, float(np.abs(v).max()))
    lower = v[1 << np.arange(n)] if imputation else None
    if imputation and lower.sum() > v[full] + atol:
        raise InvalidArgumentError(
            "game", f"v(N)={v[full]:.6g} < sum v(i)={lower.sum():.6g}",
            "the imputation set is empty, so the nucleolus is undefined",
            "Use prenucleolus(game), which is defined for every game")
    return full, atol, lower


def _fix_tight(work: np.ndarray, duals: np.ndarray, x: np.ndarray, eps: float,
               v: np.ndarray, n: int, atol: float, basis: np.ndarray, eq_rows: list,
               eq_rhs: list, stage: int) -> tuple[np.ndarray, np.ndarray]:
    """Fix the coalitions binding at this stage's optimum (positive dual) as equalities.

    Appends to *eq_rows*/*eq_rhs* every tight coalition whose row is independent of
    those already fixed (Gram-Schmidt against the orthonormal *basis*) and returns
    the extended basis and the tight coalitions; stops once *n* equalities determine
    the nucleolus.
    """
    dmax = float(duals.max()) if duals.size else 0.0
    tight = work[duals > 1e-9 * max(1.0, dmax)]
    if tight.size == 0:  # pragma: no cover - HiGHS returned no positive dual
        slack = v[work] - coalition_sums(x)[work] - eps
        tight = work[slack >= -atol]
    added = False
    for msk in tight:
        row = rows_of(np.array([msk]), n)[0]
        resid = row - basis.T @ (basis @ row)
        if np.linalg.norm(resid) > 1e-8:
            eq_rows.append(row)
            eq_rhs.append(float(v[msk] - eps))
            basis = np.vstack([basis, resid / np.linalg.norm(resid)])
            added = True
            if len(eq_rows) == n:
                break
    if not added:  # pragma: no cover - numerical trouble
        raise SolverError("nucleolus", "no-progress", f"stage {stage} fixed no new coalition",
                          "Rescale the game or use method='enumeration'")
    return basis, tight


def _sequential_lp(v: np.ndarray, n: int, *, imputation: bool, method: str,
                   tol: float) -> tuple[np.ndarray, dict[str, Any]]:
    full, atol, lower = _stage_setup(v, n, imputation, tol)
    bounds = ([(float(lo), None) for lo in lower] if imputation
              else [(None, None)] * n) + [(None, None)]
    c = np.zeros(n + 1)
    c[-1] = 1.0
    # fixed equalities: rows (n) and right-hand sides; start with the grand coalition
    eq_rows = [np.ones(n)]
    eq_rhs = [float(v[full])]
    basis = np.ones((1, n)) / np.sqrt(n)          # orthonormal rows spanning fixed rows
    free = np.ones(1 << n, dtype=bool)
    free[0] = free[full] = False
    singles = 1 << np.arange(n, dtype=np.int64)
    work = np.unique(np.concatenate([singles, full & ~singles]))
    work = work[(work != 0) & (work != full)]
    levels: list[float] = []
    lp_count = 0
    x = None
    while len(eq_rows) < n:
        work = work[free[work]]
        if method == "enumeration":
            work = np.flatnonzero(free).astype(np.int64)
        A_eq = np.hstack([np.array(eq_rows), np.zeros((len(eq_rows), 1))])
        b_eq = np.array(eq_rhs)
        while True:
            lp_count += 1
            if work.size == 0:  # pragma: no cover - only in degenerate tiny games
                raise SolverError("nucleolus stage", "no-free-coalitions",
                                  "no coalition left outside the span",
                                  "Report this game; it should not happen")
            A = -np.hstack([rows_of(work, n), np.ones((work.size, 1))])
            res = solve_lp(c, A_ub=A, b_ub=-v[work], A_eq=A_eq, b_eq=b_eq, bounds=bounds,
                           what=f"nucleolus LP (stage {len(levels) + 1})")
            x, eps = res.x[:n], float(res.x[-1])
            if method == "enumeration":
                break
            viol = v - coalition_sums(x) - eps
            viol[~free] = -np.inf
            k = max(2 * n, 16)
            cand = (np.argpartition(viol, -k)[-k:] if viol.size > k
                    else np.arange(viol.size))
            cand = cand[viol[cand] > atol]
            if cand.size == 0:
                break
            work = np.union1d(work, cand.astype(np.int64))
        levels.append(eps)
        duals = -np.asarray(res.ineqlin.marginals)   # >= 0 for binding constraints
        basis, tight = _fix_tight(work, duals, x, eps, v, n, atol, basis, eq_rows,
                                  eq_rhs, len(levels))
        if len(eq_rows) < n:
            comp = null_space(basis).T                       # (n - r) x n orthonormal
            sums = np.zeros((1 << n,), dtype=bool)
            for q in comp:
                sums |= np.abs(coalition_sums(q)) > 1e-8
            free &= sums
    # the equalities now determine x uniquely
    A = np.array(eq_rows)
    x = np.linalg.solve(A, np.array(eq_rhs))
    return x, {"levels": levels, "lp_count": lp_count, "stages": len(levels)}


_HIGHS_LOCAL = threading.local()


def _new_highs() -> Any:
    """An empty, silent ``highspy.Highs`` model, one reused per thread.

    Creating and destroying HiGHS instances now and then costs milliseconds (its
    thread pool), more than a small nucleolus LP; the instance is cleared and reused.
    The library prints a banner, from C, when the first instance is made: it is sent
    to the null device.
    """
    h = getattr(_HIGHS_LOCAL, "highs", None)
    if h is None:
        import highspy

        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _HIGHS_LOCAL.highs = h
    else:
        h.clearModel()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve", "off")      # small LPs: presolve costs more than it saves
    h.setOptionValue("threads", 1)           # and so does a thread pool
    return h


def _sequential_lp_highs(v: np.ndarray, n: int, *, imputation: bool,
                         tol: float) -> tuple[np.ndarray, dict[str, Any]]:
    """The same sequential LPs as :func:`_sequential_lp`, on one ``highspy`` model per
    stage: violated coalitions are added as rows and the LP is re-solved from the
    previous basis (warm start) instead of being rebuilt."""
    import highspy

    inf = highspy.kHighsInf
    full, atol, lower = _stage_setup(v, n, imputation, tol)
    col_lo = np.append(lower if imputation else np.full(n, -inf), -inf)
    col_hi = np.full(n + 1, inf)
    eq_rows = [np.ones(n)]
    eq_rhs = [float(v[full])]
    basis = np.ones((1, n)) / np.sqrt(n)
    free = np.ones(1 << n, dtype=bool)
    free[0] = free[full] = False
    singles = 1 << np.arange(n, dtype=np.int64)
    work = np.unique(np.concatenate([singles, full & ~singles]))
    work = work[(work != 0) & (work != full)]
    levels: list[float] = []
    lp_count = 0
    bits = np.arange(n)
    ok_status = highspy.HighsModelStatus.kOptimal

    def add_rows(h: Any, masks: np.ndarray) -> None:
        # rows x(S) + eps >= v(S) in compressed sparse row form, built without a loop
        M = np.ones((masks.size, n + 1), dtype=bool)
        M[:, :n] = (masks[:, None] >> bits) & 1
        rows, cols = np.nonzero(M)
        starts = np.searchsorted(rows, np.arange(masks.size)).astype(np.int32)
        h.addRows(masks.size, v[masks].astype(float), np.full(masks.size, inf), cols.size,
                  starts, cols.astype(np.int32), np.ones(cols.size))

    # one model for every stage: row r of the model holds coalition row_mask[r]; a
    # coalition fixed at a stage keeps its row with the eps coefficient removed and both
    # bounds at v(S) - eps_k; a coalition whose excess became constant is relaxed
    h = _new_highs()
    h.addVars(n + 1, col_lo, col_hi)
    h.changeColCost(n, 1.0)
    allp = np.arange(n, dtype=np.int32)
    h.addRow(float(v[full]), float(v[full]), n, allp, np.ones(n))
    row_of: dict[int, int] = {}
    n_rows = 1

    def add_work(masks: np.ndarray) -> None:
        nonlocal n_rows
        add_rows(h, masks)
        for k, msk in enumerate(masks.tolist()):
            row_of[msk] = n_rows + k
        n_rows += masks.size

    add_work(work)
    while len(eq_rows) < n:
        while True:
            lp_count += 1
            h.run()
            if h.getModelStatus() != ok_status:
                raise SolverError(f"nucleolus LP (stage {len(levels) + 1})",
                                  str(h.getModelStatus()), "HiGHS did not reach an optimum",
                                  "Rescale the game (g.scaled(a)) or use "
                                  "method='enumeration'")
            sol = h.getSolution()
            z = np.asarray(sol.col_value)
            x, eps = z[:n], float(z[n])
            viol = v - coalition_sums(x) - eps
            viol[~free] = -np.inf
            viol[work] = -np.inf
            k = max(2 * n, 16)
            cand = (np.argpartition(viol, -k)[-k:] if viol.size > k else np.arange(viol.size))
            cand = cand[viol[cand] > atol].astype(np.int64)
            if cand.size == 0:
                break
            add_work(cand)
            work = np.concatenate([work, cand])
        levels.append(eps)
        rdual = np.abs(np.asarray(sol.row_dual))
        duals = rdual[[row_of[msk] for msk in work.tolist()]]
        basis, tight = _fix_tight(work, duals, x, eps, v, n, atol, basis, eq_rows,
                                  eq_rhs, len(levels))
        if len(eq_rows) == n:
            break
        q, _ = np.linalg.qr(basis.T, mode="complete")
        comp = q[:, basis.shape[0]:].T                       # orthonormal complement
        sums = np.zeros((1 << n,), dtype=bool)
        for qq in comp:
            sums |= np.abs(coalition_sums(qq)) > 1e-8
        newly_out = work[free[work] & ~sums[work]]
        free &= sums
        # rows of the working set that left the problem: fix (tight ones) or relax
        tight_set = set(tight.tolist())
        rows_out = np.array([row_of[msk] for msk in newly_out.tolist()], dtype=np.int32)
        lo_out = np.full(rows_out.size, -inf)
        hi_out = np.full(rows_out.size, inf)
        for k, msk in enumerate(newly_out.tolist()):
            if msk in tight_set:
                h.changeCoeff(int(rows_out[k]), n, 0.0)
                lo_out[k] = hi_out[k] = float(v[msk] - eps)
        if rows_out.size:
            h.changeRowsBounds(rows_out.size, rows_out, lo_out, hi_out)
        work = work[free[work]]
    x = np.linalg.solve(np.array(eq_rows), np.array(eq_rhs))
    return x, {"levels": levels, "lp_count": lp_count, "stages": len(levels),
               "solver": "highspy"}


def _nucleolus_common(game: TUGame, imputation: bool, method: str, tol: float,
                      concept: str) -> AllocationResult:
    game = _check_game(game)
    if method not in ("constraint-generation", "enumeration"):
        raise InvalidArgumentError("method", method, f"unknown {concept} method",
                                   "Use 'constraint-generation' or 'enumeration'")
    n = game.n
    require_dense(n, f"the {concept}", limit=MAX_NUCLEOLUS_PLAYERS)
    if method == "enumeration":
        require_dense(n, f"the {concept} by enumeration", "method='constraint-generation'",
                      limit=16)
    v = game.profit_values()
    if n == 1:
        x, info = np.array([v[1]]), {"levels": [], "lp_count": 0, "stages": 0}
    elif method == "constraint-generation" and n <= HIGHSPY_MAX_PLAYERS and _has_highspy():
        x, info = _sequential_lp_highs(v, n, imputation=imputation, tol=tol)
    else:
        x, info = _sequential_lp(v, n, imputation=imputation, method=method, tol=tol)
    sign = -1.0 if game.is_cost_game else 1.0
    return AllocationResult(sign * x, game.players, concept, method, True, {"tol": tol},
                            info=info, game=game)


def nucleolus(game: TUGame, method: str = "constraint-generation",
              tol: float = 1e-9) -> AllocationResult:
    r"""The nucleolus (Schmeidler 1969).

    The imputation :math:`x` (:math:`x(N) = v(N)`, :math:`x_i \ge v(i)`)
    whose excess vector, sorted in decreasing order, is lexicographically
    smallest. It lies in the core whenever the core is non-empty.

    Parameters
    ----------
    game : TUGame
        A game with a non-empty imputation set (:math:`v(N) \ge \sum_i v(i)`).
    method : {"constraint-generation", "enumeration"}, default "constraint-generation"
        ``"enumeration"`` passes every coalition to each LP (n <= 16), for
        checking; the default adds only coalitions that can bind.
    tol : float
        Tolerance relative to the largest worth.

    References
    ----------
    Schmeidler, D. (1969). The nucleolus of a characteristic function game.
    *SIAM Journal on Applied Mathematics* 17(6), 1163-1170.
    Maschler, M., Peleg, B. and Shapley, L. S. (1979). Geometric properties
    of the kernel, nucleolus, and related solution concepts. *Mathematics of
    Operations Research* 4(4), 303-338.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.games.bankruptcy(200, [100, 200, 300])
    >>> gt.nucleolus(g).values.round(6).tolist()
    [50.0, 75.0, 75.0]
    """
    return _nucleolus_common(game, True, method, tol, "nucleolus")


def prenucleolus(game: TUGame, method: str = "constraint-generation",
                 tol: float = 1e-9) -> AllocationResult:
    r"""The prenucleolus: the nucleolus over pre-imputations (:math:`x(N) = v(N)` only).

    Defined for every game; it equals the nucleolus for zero-monotonic games
    and whenever the core is non-empty.

    References
    ----------
    Sobolev, A. I. (1975). The characterization of optimality principles by
    functional equations. *Mathematical Methods in the Social Sciences* 6,
    95-151. Peleg, B. and Sudhölter, P. (2007), ch. 5-6.

    Examples
    --------
    >>> import gametheory as gt
    >>> gt.prenucleolus(gt.games.majority(3)).values.round(6).tolist()
    [0.333333, 0.333333, 0.333333]
    """
    return _nucleolus_common(game, False, method, tol, "prenucleolus")


@dataclass(frozen=True)
class KohlbergCheck:
    """Outcome of the Kohlberg test: truthy when it passes.

    Attributes
    ----------
    passed : bool
    levels_checked : int
        Number of distinct excess levels examined.
    failed_level : float or None
        The excess level whose collection is not balanced, if any.
    failed_collection : tuple or None
        That collection's coalitions (as label tuples).
    """

    passed: bool
    levels_checked: int
    failed_level: float | None = None
    failed_collection: tuple | None = None

    def __bool__(self) -> bool:
        return self.passed


def _is_balanced(rows: np.ndarray, weak_rows: np.ndarray | None) -> bool:
    """Positive weights on *rows* (>= 0 on *weak_rows*) summing to a multiple of 1_N."""
    n = rows.shape[1]
    k = rows.shape[0]
    kw = 0 if weak_rows is None else weak_rows.shape[0]
    # variables: lambda (k, >= 1), mu (kw, >= 0), t (>= 0): sum lambda*row + sum mu*w = t*1
    A = np.hstack([rows.T, (weak_rows.T if kw else np.zeros((n, 0))), -np.ones((n, 1))])
    bounds = [(1.0, None)] * k + [(0.0, None)] * kw + [(0.0, None)]
    c = np.zeros(k + kw + 1)
    from scipy.optimize import linprog

    res = linprog(c, A_eq=A, b_eq=np.zeros(n), bounds=bounds, method="highs")
    if res.status == 2:
        return False
    if res.status != 0:  # pragma: no cover
        raise SolverError("balancedness LP", res.status, str(res.message),
                          "Rescale the game")
    return True


def kohlberg_criterion(game: TUGame, x: Any, kind: str = "auto",
                       tol: float = 1e-7) -> KohlbergCheck:
    r"""Check whether *x* is the (pre)nucleolus by Kohlberg's criterion.

    For the prenucleolus: :math:`x` (efficient) is the prenucleolus iff for
    every :math:`\alpha` the collection :math:`\mathcal{D}(\alpha, x) = \{S :
    e(S, x) \ge \alpha\}` of proper coalitions is empty or balanced. For the
    nucleolus the collections may be completed with the singletons
    :math:`\{i\}` at which :math:`x_i = v(i)` with weights allowed to be zero.
    Levels are examined from the largest excess down until the collection's
    span (with :math:`1_N`) is all of :math:`\mathbb{R}^N`, after which every
    larger collection is balanced too.

    Parameters
    ----------
    game : TUGame
    x : array_like or AllocationResult
    kind : {"auto", "nucleolus", "prenucleolus"}
        ``"auto"`` takes the concept of an :class:`AllocationResult`, else
        ``"prenucleolus"``.
    tol : float
        Excesses within ``tol * scale`` are one level.

    References
    ----------
    Kohlberg, E. (1971). On the nucleolus of a characteristic function game.
    *SIAM Journal on Applied Mathematics* 20(1), 62-66.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.games.majority(3)
    >>> bool(gt.kohlberg_criterion(g, gt.prenucleolus(g)))
    True
    >>> bool(gt.kohlberg_criterion(g, [0.5, 0.5, 0.0]))
    False
    """
    game = _check_game(game)
    if kind == "auto":
        kind = x.concept if isinstance(x, AllocationResult) and x.concept in (
            "nucleolus", "prenucleolus") else "prenucleolus"
    if kind not in ("nucleolus", "prenucleolus"):
        raise InvalidArgumentError("kind", kind, "unknown kind",
                                   "Use 'nucleolus', 'prenucleolus' or 'auto'")
    xv = x.values if isinstance(x, AllocationResult) else x
    n = game.n
    require_dense(n, "the Kohlberg criterion", limit=MAX_NUCLEOLUS_PLAYERS)
    v = game.profit_values()
    xx = game.allocation(-np.asarray(xv, dtype=float) if game.is_cost_game
                         else np.asarray(xv, dtype=float))
    scale = max(1.0, float(np.abs(v).max()))
    full = (1 << n) - 1
    if abs(xx.sum() - v[full]) > tol * scale:
        return KohlbergCheck(False, 0, None, None)
    weak = None
    if kind == "nucleolus":
        vi = v[1 << np.arange(n)]
        if np.any(xx < vi - tol * scale):
            return KohlbergCheck(False, 0, None, None)
        at_bound = np.flatnonzero(np.abs(xx - vi) <= tol * scale)
        if at_bound.size:
            weak = np.eye(n)[at_bound]
    e = v - coalition_sums(xx)
    e[0] = e[full] = -np.inf
    order = np.argsort(-e, kind="stable")
    order = order[np.isfinite(e[order])]
    chosen: list[int] = []
    levels = 0
    pos = 0
    ones = np.ones((1, n))
    while pos < order.size:
        level = e[order[pos]]
        end = pos
        while end < order.size and e[order[end]] >= level - tol * scale:
            end += 1
        chosen.extend(order[pos:end].tolist())
        pos = end
        levels += 1
        rows = rows_of(np.array(chosen), n)
        if not _is_balanced(rows, weak):
            return KohlbergCheck(False, levels, float(level),
                                 tuple(mask_to_labels(m, game.players) for m in chosen))
        if np.linalg.matrix_rank(np.vstack([rows, ones])) == n:
            break
    return KohlbergCheck(True, levels)
