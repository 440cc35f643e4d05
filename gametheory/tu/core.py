r"""The core, excesses, blocking coalitions and the least core.

For a (profit) game :math:`v` and an allocation :math:`x`, the excess of a
coalition is :math:`e(S, x) = v(S) - x(S)`: what S could gain by leaving.
:math:`S` *blocks* :math:`x` when :math:`e(S, x) > 0`. The core is

.. math:: C(v) = \{x \in \mathbb{R}^N : x(N) = v(N),\ x(S) \ge v(S)\ \forall S\}.

For a cost game :math:`c` the excess is :math:`x(S) - c(S)` (S pays more than
its stand-alone cost), i.e. the excess in the profit game :math:`-c` at
:math:`-x`.

LPs use constraint generation: start from the singletons and their
complements, solve, find the most violated coalitions among all ``2**n`` with
one vectorised pass, add them, repeat. Only the coalitions that can bind ever
enter HiGHS.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..coalitions import mask_to_labels, require_dense
from ..errors import InvalidArgumentError, SolverError
from ..results import AllocationResult, LeastCoreResult
from ._lp import coalition_sums, rows_of, solve_lp
from .game import TUGame
from .values import _check_game

__all__ = [
    "excesses",
    "core_contains",
    "blocking_coalitions",
    "core_is_empty",
    "least_core",
    "stabilizing_payments",
    "BlockingCoalition",
]

MAX_CG_ROUNDS = 10_000


def _profit_and_x(game: TUGame, x: Any) -> tuple[np.ndarray, np.ndarray]:
    game = _check_game(game)
    arr = game.allocation(np.asarray(x, dtype=float) if not isinstance(x, AllocationResult)
                          else x.values)
    require_dense(game.n, "excesses of every coalition")
    if game.is_cost_game:
        return -game.values, -arr
    return game.values, arr


def excesses(game: TUGame, x: Any) -> np.ndarray:
    """Excess :math:`e(S,x)` of every coalition, indexed by bitmask (``e[0] = 0``).

    Positive entries are coalitions that would gain by leaving.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.games.majority(3)
    >>> gt.excesses(g, [1/3, 1/3, 1/3]).round(4).tolist()
    [0.0, -0.3333, -0.3333, 0.3333, -0.3333, 0.3333, 0.3333, 0.0]
    """
    v, xx = _profit_and_x(game, x)
    return v - coalition_sums(xx)


def core_contains(game: TUGame, x: Any, tol: float = 1e-9) -> bool:
    """Whether *x* is efficient and no coalition blocks it (up to *tol*).

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.games.glove(left=["L"], right=["R1", "R2"])
    >>> gt.core_contains(g, [1, 0, 0]), gt.core_contains(g, [0.5, 0.25, 0.25])
    (True, False)
    """
    e = excesses(game, x)
    scale = max(1.0, float(np.abs(game.values).max()))
    return bool(abs(e[-1]) <= tol * scale and e.max() <= tol * scale)


@dataclass(frozen=True)
class BlockingCoalition:
    """A coalition that blocks an allocation, with its excess."""

    coalition: tuple[Hashable, ...]
    mask: int
    excess: float


def blocking_coalitions(game: TUGame, x: Any, tol: float = 1e-9) -> list[BlockingCoalition]:
    """Coalitions with positive excess at *x*, largest excess first.

    Ties are broken by larger coalitions first, then by bitmask. An
    inefficient allocation with :math:`x(N) < v(N)` is blocked by the grand
    coalition, which is then listed too.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.games.majority(3)
    >>> [b.coalition for b in gt.blocking_coalitions(g, [0.5, 0.5, 0.0])]
    [(0, 2), (1, 2)]
    """
    e = excesses(game, x)
    scale = max(1.0, float(np.abs(game.values).max()))
    idx = np.flatnonzero(e > tol * scale)
    if idx.size == 0:
        return []
    sizes = np.bitwise_count(idx)
    order = np.lexsort((idx, -sizes, -e[idx]))
    return [BlockingCoalition(mask_to_labels(int(m), game.players), int(m), float(e[m]))
            for m in idx[order]]


def _least_core_lp(v: np.ndarray, n: int, *, method: str, tol: float,
                   x_lower: np.ndarray | None = None) -> tuple[float, np.ndarray, dict]:
    """min eps s.t. x(S) + eps >= v(S) for proper S, x(N) = v(N)."""
    full = (1 << n) - 1
    scale = max(1.0, float(np.abs(v).max()))
    bounds = [(None, None)] * n + [(None, None)]
    if x_lower is not None:
        bounds = [(float(lo), None) for lo in x_lower] + [(None, None)]
    c = np.zeros(n + 1)
    c[-1] = 1.0
    A_eq = np.ones((1, n + 1))
    A_eq[0, -1] = 0.0
    b_eq = np.array([v[full]])
    if method == "enumeration":
        require_dense(n, "least core by enumeration", limit=20)
        work = np.arange(1, full, dtype=np.int64)
    else:
        singles = 1 << np.arange(n, dtype=np.int64)
        work = np.unique(np.concatenate([singles, full & ~singles]))
        work = work[(work != 0) & (work != full)]
    proper = np.ones(1 << n, dtype=bool)
    proper[0] = proper[full] = False
    rounds = 0
    while True:
        rounds += 1
        A = -np.hstack([rows_of(work, n), np.ones((work.size, 1))])
        res = solve_lp(c, A_ub=A, b_ub=-v[work], A_eq=A_eq, b_eq=b_eq, bounds=bounds,
                       what="least-core LP")
        x, eps = res.x[:n], float(res.x[-1])
        if method == "enumeration":
            break
        viol = v - coalition_sums(x) - eps
        viol[~proper] = -np.inf
        k = max(2 * n, 16)
        cand = np.argpartition(viol, -k)[-k:] if viol.size > k else np.arange(viol.size)
        cand = cand[viol[cand] > tol * scale]
        if cand.size == 0:
            break
        work = np.union1d(work, cand.astype(np.int64))
        if rounds > MAX_CG_ROUNDS:  # pragma: no cover - safety net
            raise SolverError("least-core constraint generation", "max-rounds",
                              f"{rounds} rounds", "Use method='enumeration'")
    return eps, x, {"lp_rounds": rounds, "constraints": int(work.size)}


def least_core(game: TUGame, method: str = "constraint-generation",
               tol: float = 1e-9, *, over: str = "preimputations") -> LeastCoreResult:
    r"""The least core value :math:`\varepsilon^*` and an allocation in the least core.

    .. math::
        \varepsilon^* = \min\{\varepsilon : x(N) = v(N),\
                         x(S) \ge v(S) - \varepsilon\ \ \forall S \ne \emptyset, N\}

    The core is non-empty exactly when :math:`\varepsilon^* \le 0`.

    Two conventions are in use and the result names the one taken
    (``result.convention``): over *pre-imputations* (only efficiency, as in
    Maschler, Peleg and Shapley 1979; the default) or over *imputations*
    (also :math:`x_i \ge v(\{i\})`, as in Peleg and Sudhölter 2007, Def.
    3.3.1, and several software packages). They agree whenever the least
    core over pre-imputations contains an imputation, for instance when the
    core is non-empty; otherwise the imputation version can be larger.

    Parameters
    ----------
    game : TUGame
    method : {"constraint-generation", "enumeration"}, default "constraint-generation"
        ``"enumeration"`` passes all :math:`2^n - 2` constraints to HiGHS
        (n <= 20); the default adds only violated coalitions.
    tol : float
        Violation tolerance, relative to the largest worth.
    over : {"preimputations", "imputations"}
        The set minimised over (see above).

    Returns
    -------
    LeastCoreResult
        Unpacks as ``epsilon, allocation``; ``convention`` is *over*.

    References
    ----------
    Peleg, B. and Sudhölter, P. (2007). *Introduction to the Theory of
    Cooperative Games*, 2nd ed., Section 3.3.
    Maschler, M., Peleg, B. and Shapley, L. S. (1979). Geometric properties
    of the kernel, nucleolus, and related solution concepts. *Mathematics of
    Operations Research* 4(4), 303-338.

    Examples
    --------
    >>> import gametheory as gt
    >>> eps, x = gt.least_core(gt.games.majority(3))
    >>> round(eps, 6), x.values.round(6).tolist()
    (0.333333, [0.333333, 0.333333, 0.333333])
    """
    game = _check_game(game)
    if method not in ("constraint-generation", "enumeration"):
        raise InvalidArgumentError("method", method, "unknown least-core method",
                                   "Use 'constraint-generation' or 'enumeration'")
    if over not in ("preimputations", "imputations"):
        raise InvalidArgumentError("over", over, "unknown least-core convention",
                                   "Use over='preimputations' or over='imputations'")
    n = game.n
    require_dense(n, "the least core", limit=24)
    v = game.profit_values()
    lower = v[1 << np.arange(n)] if over == "imputations" else None
    if lower is not None and lower.sum() > v[-1] + tol * max(1.0, float(np.abs(v).max())):
        raise InvalidArgumentError("over", over,
                                   "the imputation set is empty (v(N) < sum of v(i))",
                                   "Use over='preimputations'")
    if n == 1:
        x = np.array([v[1]])
        eps = 0.0
        info: dict = {"lp_rounds": 0, "constraints": 0}
    else:
        eps, x, info = _least_core_lp(v, n, method=method, tol=tol, x_lower=lower)
    sign = -1.0 if game.is_cost_game else 1.0
    params = {"tol": tol, "over": over}
    alloc = AllocationResult(sign * x, game.players, "least_core", method, True,
                             params, info={**info, "epsilon": eps}, game=game)
    return LeastCoreResult(eps, alloc, method, True, params, convention=over)


def _min_cover(game: TUGame, tol: float) -> tuple[np.ndarray, float, int]:
    """min sum(x) s.t. x(S) >= v(S) for every non-empty S, by constraint generation."""
    n = game.n
    require_dense(n, "the Bondareva-Shapley LP", limit=24)
    v = game.profit_values()
    full = (1 << n) - 1
    scale = max(1.0, float(np.abs(v).max()))
    singles = 1 << np.arange(n, dtype=np.int64)
    work = np.unique(np.concatenate([singles, full & ~singles, [full]]))
    work = work[work != 0]
    c = np.ones(n)
    rounds = 0
    while True:
        rounds += 1
        res = solve_lp(c, A_ub=-rows_of(work, n), b_ub=-v[work],
                       bounds=[(None, None)] * n, what="Bondareva-Shapley LP")
        viol = v - coalition_sums(res.x)
        viol[0] = -np.inf
        k = max(2 * n, 16)
        cand = np.argpartition(viol, -k)[-k:] if viol.size > k else np.arange(viol.size)
        cand = cand[viol[cand] > tol * scale]
        if cand.size == 0:
            break
        work = np.union1d(work, cand.astype(np.int64))
    return res.x, float(res.fun), rounds


def core_is_empty(game: TUGame, tol: float = 1e-9) -> bool:
    r"""Whether the core is empty (Bondareva-Shapley).

    By the Bondareva-Shapley theorem the core is non-empty iff the game is
    balanced, i.e. iff :math:`\min\{\sum_i x_i : x(S) \ge v(S)\ \forall S\} \le
    v(N)`; this is the LP dual of the balanced-collection program. It is
    solved with constraint generation.

    References
    ----------
    Bondareva, O. N. (1963). Some applications of linear programming methods
    to the theory of cooperative games. *Problemy Kibernetiki* 10, 119-139.
    Shapley, L. S. (1967). On balanced sets and cores. *Naval Research
    Logistics Quarterly* 14, 453-460.

    Examples
    --------
    >>> import gametheory as gt
    >>> gt.core_is_empty(gt.games.majority(3)), gt.core_is_empty(gt.games.glove(["L"], ["R"]))
    (True, False)
    """
    game = _check_game(game)
    _, total, _ = _min_cover(game, tol)
    v = game.profit_values()
    scale = max(1.0, float(np.abs(v).max()))
    return bool(total > v[-1] + tol * scale)


def stabilizing_payments(game: TUGame, tol: float = 1e-9) -> AllocationResult:
    r"""Least-cost payments that no coalition can improve on: the cost of stability.

    .. math:: x^* \in \arg\min\Bigl\{\sum_i x_i : x(S) \ge v(S)\ \ \forall S \ne
              \emptyset\Bigr\}

    An external party (a network's leaders handing out concessions) must pay
    :math:`\sum_i x^*_i`; the excess over :math:`v(N)` is the *cost of
    stability* (``info["cost_of_stability"]``, 0 exactly when the core is
    non-empty, in which case :math:`x^*` is a core allocation). Solved by
    constraint generation on HiGHS; when several minimisers exist, HiGHS
    returns a vertex.

    References
    ----------
    Bachrach, Y., Elkind, E., Meir, R., Pasechnik, D., Zuckerman, M., Rothe, J.
    and Rosenschein, J. S. (2009). The cost of stability in coalitional games.
    *Algorithmic Game Theory (SAGT 2009)*, LNCS 5814, 122-134.

    Examples
    --------
    >>> import gametheory as gt
    >>> res = gt.stabilizing_payments(gt.games.majority(3))
    >>> round(res.total, 6), round(res.info["cost_of_stability"], 6)
    (1.5, 0.5)
    """
    game = _check_game(game)
    x, total, rounds = _min_cover(game, tol)
    v = game.profit_values()
    sign = -1.0 if game.is_cost_game else 1.0
    return AllocationResult(sign * x, game.players, "stabilizing_payments",
                            "constraint-generation", True, {"tol": tol},
                            info={"cost_of_stability": total - float(v[-1]),
                                  "lp_rounds": rounds}, game=game)
