r"""Baron–Ferejohn legislative bargaining under the closed rule.

Representation
--------------
:math:`n` legislators divide a dollar. Each period member :math:`i` is
recognised with probability :math:`p_i` and proposes a division; it passes
if the members voting yes form a winning coalition of the voting rule,
otherwise the game moves to the next period. Member :math:`i` discounts a
period by :math:`\delta_i \in (0, 1]`. The voting rule is either

* a **weighted quota**: a coalition wins when its weight reaches the quota
  (weights must be integers after scaling by a power of ten; the proposer's
  problem is then a covering knapsack solved by dynamic programming over
  integer weights), or
* a **simple game** given by its minimal winning coalitions (bitmasks of
  :mod:`gametheory.coalitions` or iterables of indices); the proposer can
  buy any minimal winning coalition :math:`S` for the votes of
  :math:`S \setminus \{i\}`.

Either may be passed as plain arguments or as an object exposing
``weights``/``quota`` (e.g. :class:`gametheory.voting.WeightedVotingGame`)
or ``minimal_winning_coalitions()``.

Stationary subgame-perfect equilibrium
--------------------------------------
Let :math:`v_j` be member :math:`j`'s continuation value and
:math:`c_j = \delta_j v_j` the price of its vote. A proposer :math:`k` offers
:math:`c_j` to the members of the cheapest coalition that wins with it,

.. math:: C_k(c) = \min\{ c(S) : S \cup \{k\} \text{ winning},\ k \notin S\},

keeps :math:`1 - C_k` and may mix over cheapest coalitions (inclusion
probabilities :math:`\pi_{kj}`). Stationarity requires

.. math::

    v_j = p_j (1 - C_j) + \delta_j v_j \sum_{k \ne j} p_k \pi_{kj}.

With :math:`K_j = p_j(1 - C_j)` held fixed, the prices solve the concave
program (a fixed point over continuation values, in dual form)

.. math::

    \max_{Y \in \sum_k p_k \operatorname{conv}\{1_S\}}
        \sum_j K_j \log(1/\delta_j - Y_j), \qquad c_j = \frac{K_j}{1/\delta_j - Y_j},

whose optimality conditions say exactly that each proposer mixes only over
its cheapest coalitions.

Algorithm
---------
1. **Types.** Members with identical weight, recognition probability and
   discount factor are grouped into types (equilibrium payoffs are unique,
   Eraslan 2002; Eraslan and McLennan 2013, so members of a type get the same
   value, and a proposer mixes uniformly within a type). A proposer's
   coalition is then a vector of counts per type.
2. **Pricing.** Each proposer type's cheapest winning purchase is a bounded
   covering knapsack over types (how many members of each type to buy),
   solved exactly by dynamic programming over integer weights, vectorised
   over all proposer types at once.
3. **Inner problem at fixed** :math:`K`: column generation. The restricted
   master (the program above in price form, over the count vectors found so
   far) is solved by a primal-dual interior-point method (Mehrotra
   predictor-corrector, one small Cholesky solve per step); its multipliers
   are the mixing probabilities. Knapsack columns are added while some
   proposer has a strictly cheaper coalition.
4. **Polish and outer loop.** With the active columns fixed, Newton's method
   solves the full equilibrium system (value equations, indifference among
   the used coalitions, mixes summing to one); if the result has
   non-negative mixes and no proposer can do better (exact knapsack), it is
   the equilibrium. Otherwise :math:`K` is updated to
   :math:`p_j(1 - C_j)` and the inner problem re-solved.

For a simple game given by minimal winning coalitions every member is its own
type and the pricing step scans the coalitions. The result is verified:
values sum to one, every proposer's mix uses only cheapest coalitions
(checked by the exact knapsack), and the value equations hold.

Symmetric majority rule (odd :math:`n`, equal :math:`p`, common
:math:`\delta`) gives the closed form of Baron and Ferejohn (1989): the
proposer keeps :math:`1 - \delta(n-1)/(2n)` and each of its
:math:`(n-1)/2` partners gets :math:`\delta/n`.

References
----------
Baron, D. P. and Ferejohn, J. A. (1989). Bargaining in legislatures.
*American Political Science Review* 83, 1181–1206.
Eraslan, H. (2002). Uniqueness of stationary equilibrium payoffs in the
Baron–Ferejohn model. *J. Econ. Theory* 103, 11–30.
Eraslan, H. and McLennan, A. (2013). Uniqueness of stationary equilibrium
payoffs in coalitional bargaining. *J. Econ. Theory* 148, 2195–2222.
Snyder, J. M., Ting, M. M. and Ansolabehere, S. (2005). Legislative
bargaining under weighted voting. *American Economic Review* 95, 981–1004.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize

from ..coalitions import to_mask, validate_players
from ..errors import ConvergenceError, GameTooLargeError, InvalidArgumentError, InvalidTypeError
from ..results import AllocationResult, frozen_array
from ._checks import as_finite_array, check_discount

__all__ = ["BaronFerejohnResult", "baron_ferejohn", "MAX_TYPES"]

_MAX_WEIGHT_STATES = 2_000_000
#: Most distinct member types :func:`baron_ferejohn` takes (its time grows roughly with the
#: fourth power of the number of types: about a second at 50, tens of seconds at 100).
MAX_TYPES = 80


def _single_thread_blas() -> AbstractContextManager[Any]:
    """Limit BLAS to one thread while solving (the linear algebra is tiny, and
    BLAS threads only add synchronisation cost, badly so on a loaded machine).
    A no-op when :mod:`threadpoolctl` is not installed."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


@dataclass(frozen=True, eq=False)
class BaronFerejohnResult:
    r"""Stationary subgame-perfect equilibrium of a Baron–Ferejohn game.

    Attributes
    ----------
    values : AllocationResult
        Expected equilibrium payoffs :math:`v_i` (ex ante, before
        recognition); they sum to one.
    prices : ndarray
        :math:`c_i = \delta_i v_i`, the offer member :math:`i` accepts.
    proposer_share : ndarray
        :math:`1 - C_i`, what member :math:`i` keeps when recognised.
    inclusion : ndarray
        ``inclusion[k, j]``: probability that proposer :math:`k` buys
        :math:`j`'s vote (0 on the diagonal).
    coalitions : tuple
        For each proposer, a tuple of ``(probability, mask)`` pairs: the
        coalitions (bitmasks, proposer included) it proposes and how often.
        For grouped members the mix shown is one representative
        equilibrium mix over the members of each type.
    players : tuple
    params : dict
    info : dict
        ``outer_iterations``, ``columns``, ``types`` and the verification
        residuals ``value_residual``, ``cost_gap``, ``sum_residual``.
    """

    values: AllocationResult
    prices: np.ndarray
    proposer_share: np.ndarray
    inclusion: np.ndarray
    coalitions: tuple[tuple[tuple[float, int], ...], ...]
    players: tuple[Hashable, ...]
    params: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    def partner_offer(self, proposer: Any, member: Any) -> float:
        """What *proposer* offers *member* in equilibrium, times the inclusion probability."""
        k = self.players.index(proposer) if proposer in self.players else int(proposer)
        j = self.players.index(member) if member in self.players else int(member)
        return float(self.inclusion[k, j] * self.prices[j])


# ---------------------------------------------------------------- rules
class _WeightedRule:
    """Weighted quota over member types (integer weights)."""

    def __init__(self, w_int: np.ndarray, quota: int, type_of: np.ndarray, n_types: int):
        self.w = w_int
        self.quota = quota
        self.type_of = type_of
        self.T = n_types
        self.tw = np.zeros(n_types, dtype=np.int64)
        self.mult = np.bincount(type_of, minlength=n_types)
        self.tw[type_of] = w_int

    def cheapest_all(self, c: np.ndarray, props: Sequence[int] | None = None
                     ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Cheapest winning purchase for several proposer types at once.

        Bounded covering knapsack over types, vectorised over proposers:
        ``f[s, r]`` is the least cost of buying weight at least ``r`` from the
        types processed so far, with at most ``m_t - [t = s]`` members of type
        ``t``. Returns the costs and the count vectors (exact; ties broken by
        the smallest count of the later types).
        """
        props = list(range(self.T)) if props is None else list(props)
        S = len(props)
        R = np.array([int(self.quota - self.tw[s]) for s in props], dtype=np.int64)
        Rmax = int(max(R.max(initial=0), 0))
        out_a = [np.zeros(self.T, dtype=np.int64) for _ in range(S)]
        costs = np.zeros(S)
        if Rmax <= 0 or S == 0:
            return costs, out_a
        limits = np.tile(self.mult, (S, 1))
        limits[np.arange(S), props] -= 1
        f = np.full((S, Rmax + 1), np.inf)
        f[:, 0] = 0.0
        choices = []
        order = [t for t in range(self.T) if self.tw[t] > 0 and limits[:, t].max() > 0]
        for t in order:
            wt = int(self.tw[t])
            ct = float(c[t])
            lim = limits[:, t]
            g = f.copy()
            ch = np.zeros((S, Rmax + 1), dtype=np.int16)
            for k in range(1, int(lim.max()) + 1):
                shift = k * wt
                cand = np.empty_like(f)
                if shift <= Rmax:
                    cand[:, shift:] = f[:, :Rmax + 1 - shift]
                    cand[:, :shift] = f[:, :1]
                else:
                    cand[:] = f[:, :1]
                cand += k * ct
                cand[lim < k] = np.inf
                better = cand < g
                g = np.where(better, cand, g)
                ch[better] = k
            f = g
            choices.append(ch)
        for i in range(S):
            r = int(R[i])
            if r <= 0:
                continue
            costs[i] = f[i, r]
            if not np.isfinite(costs[i]):
                continue
            a = out_a[i]
            for t, ch in zip(reversed(order), reversed(choices), strict=True):
                k = int(ch[i, r])
                a[t] = k
                r = max(r - k * int(self.tw[t]), 0)
                if r == 0:
                    break
        return costs, out_a

    def cheapest(self, s: int, c: np.ndarray) -> tuple[float, np.ndarray]:
        """Min-cost counts per type for a proposer of type s (bounded covering knapsack)."""
        costs, a = self.cheapest_all(c, [s])
        return float(costs[0]), a[0]


class _MWCRule:
    """Simple game from minimal winning coalitions; each member its own type."""

    def __init__(self, masks: list[int], n: int):
        self.T = n
        self.mult = np.ones(n, dtype=np.int64)
        self.M = ((np.array(masks, dtype=np.int64)[:, None] >> np.arange(n)) & 1).astype(float)

    def cheapest_all(self, c: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Cheapest coalition for every proposer."""
        out = [self.cheapest(s, c) for s in range(self.T)]
        return np.array([o[0] for o in out]), [o[1] for o in out]

    def cheapest(self, s: int, c: np.ndarray) -> tuple[float, np.ndarray]:
        A = self.M.copy()
        A[:, s] = 0.0
        costs = A @ c
        j = int(np.argmin(costs))
        return float(costs[j]), A[j].astype(np.int64)


# ---------------------------------------------------------------- inputs
def _scale_to_int(w: np.ndarray, q: float) -> tuple[np.ndarray, int, int]:
    for k in range(7):
        s = 10 ** k
        ws = w * s
        if np.all(np.abs(ws - np.round(ws)) <= 1e-9 * np.maximum(1.0, np.abs(ws))):
            wi = np.round(ws).astype(np.int64)
            qi = int(np.ceil(q * s - 1e-9 * max(1.0, abs(q * s))))
            return wi, qi, s
    raise InvalidArgumentError("weights", w.tolist(),
                               "not integers after scaling by any power of ten up to 10**6",
                               "Round the weights, or pass the voting rule as minimal "
                               "winning coalitions (minimal_winning=...)")


def _resolve_rule(weights: Any, quota: Any, game: Any, minimal_winning: Any,
                  players: Any) -> tuple[str, Any, Any, Any]:
    """Return (kind, data, quota, players) from the accepted input forms."""
    obj = game
    if obj is None and weights is not None and not isinstance(weights, list | tuple | np.ndarray):
        if hasattr(weights, "weights") or hasattr(weights, "minimal_winning_coalitions"):
            obj = weights
            weights = None
    if obj is not None:
        labels = getattr(obj, "players", None)
        if players is None and labels is not None:
            players = tuple(labels)
        if getattr(obj, "weights", None) is not None and getattr(obj, "quota", None) is not None:
            return "weighted", np.asarray(obj.weights, dtype=float), float(obj.quota), players
        if hasattr(obj, "minimal_winning_coalitions"):
            return "mwc", list(obj.minimal_winning_coalitions()), None, players
        raise InvalidTypeError("game", obj,
                               "has neither weights/quota nor minimal_winning_coalitions()",
                               "Pass a WeightedVotingGame, a SimpleGame, or weights and quota")
    if minimal_winning is not None:
        return "mwc", list(minimal_winning), None, players
    if weights is None or quota is None:
        raise InvalidArgumentError("quota", quota, "no voting rule given",
                                   "Pass weights and quota, game=..., or minimal_winning=...")
    w = as_finite_array(weights, "weights", ndim=1)
    q = float(as_finite_array(quota, "quota", ndim=0))
    return "weighted", w, q, players


def _per_member(value: Any, n: int, name: str) -> np.ndarray:
    arr = as_finite_array(value, name)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.ndim != 1 or arr.shape[0] != n:
        raise InvalidArgumentError(name, value, f"shape {arr.shape} for {n} members",
                                   f"Give a scalar or one value per member ({n})")
    return arr


# ---------------------------------------------------------------- solver
def baron_ferejohn(weights: Any = None, quota: Any = None, recognition: Any = None,
                   delta: Any = 0.9, *, game: Any = None, minimal_winning: Any = None,
                   players: Sequence[Hashable] | None = None, tol: float = 1e-12,
                   max_iter: int = 500) -> BaronFerejohnResult:
    r"""Stationary subgame-perfect equilibrium of closed-rule legislative bargaining.

    Solves for continuation values :math:`v` with

    .. math::

        v_j = p_j\,(1 - C_j(c)) + c_j \sum_{k \ne j} p_k \pi_{kj},
        \qquad c_j = \delta_j v_j,

    where :math:`C_k(c)` is the cost of proposer :math:`k`'s cheapest
    winning coalition at vote prices :math:`c` and :math:`\pi_{k\cdot}` a
    mix over its cheapest coalitions (see the module docstring for the
    algorithm: members grouped into types, column generation with an
    interior-point master inside a fixed point over continuation values,
    Newton polish, proposer problems solved exactly by knapsack DP).

    Parameters
    ----------
    weights : array of n non-negative numbers, or a voting-game object
        Voting weights (integers after scaling by a power of ten), or an
        object with ``weights``/``quota`` or ``minimal_winning_coalitions()``.
    quota : float
        A coalition wins when its weight is at least the quota.
    recognition : array of n probabilities, optional
        Recognition probabilities :math:`p` (sum to one; default uniform).
    delta : float or array of n floats in (0, 1]
        Discount factors (common or per member).
    game : object, optional
        Alternative to *weights*: a voting game as above.
    minimal_winning : iterable of coalitions, optional
        Alternative voting rule: minimal winning coalitions (bitmasks or
        iterables of indices/labels).
    players : labels, optional
    tol : float
        Convergence tolerance of the fixed point.
    max_iter : int
        Cap on outer iterations.

    Returns
    -------
    BaronFerejohnResult

    Raises
    ------
    InvalidArgumentError
        Recognition probabilities negative or not summing to one, discount
        factors outside (0, 1], mismatched lengths, no winning coalition.
    ConvergenceError
        The fixed point did not converge or failed verification.

    References
    ----------
    Baron and Ferejohn (1989); Eraslan (2002); Snyder, Ting and
    Ansolabehere (2005).

    Examples
    --------
    >>> res = baron_ferejohn([1, 1, 1, 1, 1], 3, delta=0.8)
    >>> round(float(res.proposer_share[0]), 6), round(float(res.prices[1]), 6)
    (0.68, 0.16)
    """
    kind, data, q, players = _resolve_rule(weights, quota, game, minimal_winning, players)
    if kind == "weighted":
        w = data
        n = w.shape[0]
        if n < 1:
            raise InvalidArgumentError("weights", weights, "no members", "Give at least one")
        if np.any(w < 0):
            raise InvalidArgumentError("weights", w.tolist(), "negative weights",
                                       "Voting weights must be non-negative")
        if q <= 0 or q > w.sum():
            raise InvalidArgumentError("quota", q, f"no proper winning coalition "
                                       f"(total weight {w.sum():g})",
                                       "Pass a quota in (0, sum(weights)]")
    else:
        labels = validate_players(players, None) if players is not None else None
        masks = []
        for S in data:
            if isinstance(S, int | np.integer):
                masks.append(int(S))
            else:
                pl = labels if labels is not None else None
                n_guess = None if pl is not None else 1 + max(
                    (int(x) for c in data if not isinstance(c, int | np.integer) for x in c),
                    default=0)
                masks.append(to_mask(S, pl, n_guess, name="minimal_winning"))
        if not masks or any(m <= 0 for m in masks):
            raise InvalidArgumentError("minimal_winning", data, "empty list or empty coalition",
                                       "Give the non-empty minimal winning coalitions")
        n = len(labels) if labels is not None else max(m.bit_length() for m in masks)
    labels = validate_players(players, n)
    p = (np.full(n, 1.0 / n) if recognition is None
         else _per_member(recognition, n, "recognition"))
    if np.any(p < 0) or abs(p.sum() - 1.0) > 1e-9:
        raise InvalidArgumentError("recognition", p.tolist(),
                                   f"recognition probabilities must be non-negative and sum "
                                   f"to one (sum {p.sum():.12g})",
                                   "Normalise them, e.g. p / p.sum()")
    p = p / p.sum()
    dl = _per_member(delta, n, "delta")
    for i, di in enumerate(dl):
        check_discount(di, f"delta[{i}]", allow_one=True)

    # member types
    if kind == "weighted":
        w_int, q_int, scale = _scale_to_int(w, q)
        if q_int * max(1, n) > _MAX_WEIGHT_STATES * 50:
            raise InvalidArgumentError("quota", q, "integer knapsack too large",
                                       "Use smaller integer weights or minimal winning "
                                       "coalitions")
        keys = list(zip(w_int.tolist(), p.tolist(), dl.tolist(), strict=True))
        uniq = {k: i for i, k in enumerate(dict.fromkeys(keys))}
        type_of = np.array([uniq[k] for k in keys], dtype=np.int64)
        T = len(uniq)
        rule: Any = _WeightedRule(w_int, q_int, type_of, T)
    else:
        type_of = np.arange(n, dtype=np.int64)
        T = n
        rule = _MWCRule(masks, n)
    if T > MAX_TYPES:
        raise GameTooLargeError(
            "members", n, f"{T} distinct member types (members with equal weight, "
            f"recognition probability and discount factor form one type); the solver's work "
            f"grows steeply with the number of types and is limited to {MAX_TYPES}",
            "Group members into fewer types (common recognition probabilities or discount "
            "factors), or model blocs as single members")
    first = np.zeros(T, dtype=np.int64)
    first[type_of[::-1]] = np.arange(n)[::-1]
    mult = np.bincount(type_of, minlength=T).astype(float)
    pt = p[first]
    dt = dl[first]
    b = 1.0 / dt

    with _single_thread_blas():
        sol = _solve(rule, T, mult, pt, b, tol, max_iter)
    c_t, y_t, K_t, cols, mu, C_t, outer = sol
    v_t = c_t * b
    v = v_t[type_of]
    # verification
    gaps = []
    all_costs, all_a = rule.cheapest_all(c_t)
    for s in range(T):
        if pt[s] * mult[s] == 0:
            continue
        best, _ = float(all_costs[s]), all_a[s]
        used = [float(a @ c_t) for a, m_ in zip(cols[s], mu[s], strict=True) if m_ > 1e-12]
        gaps.append(max(used) - best if used else 0.0)
    cost_gap = float(max(gaps, default=0.0))
    value_res = float(np.max(np.abs(v_t - (K_t + y_t * c_t)))) if T else 0.0
    sum_res = float(abs(v.sum() - 1.0))
    if max(cost_gap, value_res, sum_res) > 1e-8:
        raise ConvergenceError("Baron-Ferejohn fixed point", "unverified",
                               f"cost gap {cost_gap:.3g}, value residual {value_res:.3g}, "
                               f"sum residual {sum_res:.3g}",
                               "Raise max_iter, or report the instance")
    # member-level inclusion probabilities and representative coalitions
    inclusion = np.zeros((n, n))
    members_of = [np.flatnonzero(type_of == t) for t in range(T)]
    coalitions: list[tuple[tuple[float, int], ...]] = []
    for k in range(n):
        s = int(type_of[k])
        mix = []
        for a, m_ in zip(cols[s], mu[s], strict=True):
            if m_ <= 1e-12:
                continue
            mask = 1 << k
            for t in range(T):
                pool = [j for j in members_of[t] if j != k]
                cnt = int(a[t])
                denom = len(pool)
                if cnt and denom:
                    inclusion[k, pool] += m_ * cnt / denom
                    for j in pool[:cnt]:
                        mask |= 1 << int(j)
            mix.append((float(m_), mask))
        coalitions.append(tuple(mix))
    share = 1.0 - C_t[type_of]
    values = AllocationResult(values=v, players=labels, concept="baron-ferejohn",
                              method="column-generation-fixed-point", exact=True,
                              params={"delta": dl.tolist(), "recognition": p.tolist()},
                              info={"outer_iterations": outer})
    return BaronFerejohnResult(
        values=values, prices=frozen_array(dl * v), proposer_share=frozen_array(share),
        inclusion=frozen_array(inclusion), coalitions=tuple(coalitions), players=labels,
        params={"rule": kind, "delta": dl.tolist(), "recognition": p.tolist(),
                **({"weights": w.tolist(), "quota": q} if kind == "weighted" else
                   {"minimal_winning": masks})},
        info={"outer_iterations": outer, "types": T,
              "columns": int(sum(len(cs) for cs in cols)), "cost_gap": cost_gap,
              "value_residual": value_res, "sum_residual": sum_res})


def _demand_matrix(cols: list[list[np.ndarray]], mult: np.ndarray,
                   pt: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Rows: columns (s, a); entries: per-member demand contribution to each type."""
    T = len(mult)
    rows = []
    owner = []
    for s, cs in enumerate(cols):
        Pp = mult[s] * pt[s] - pt[s] * (np.arange(T) == s)
        denom = mult - (np.arange(T) == s)
        for a in cs:
            with np.errstate(divide="ignore", invalid="ignore"):
                g = np.where(denom > 0, Pp * a / np.where(denom > 0, denom, 1.0), 0.0)
            rows.append(g)
            owner.append(s)
    return np.array(rows).reshape(-1, T), owner


def _kkt_step(fac: np.ndarray, B: np.ndarray, rd: np.ndarray, rp: np.ndarray,
              sig: np.ndarray, lam: np.ndarray, rc: np.ndarray) -> tuple[np.ndarray, ...]:
    """Newton step of the interior-point master from the Cholesky factor of the
    reduced matrix :math:`H + B^T \\operatorname{diag}(\\lambda/\\sigma) B`."""
    rhs = -rd + B.T @ ((rc - lam * rp) / sig)
    du = np.linalg.solve(fac.T, np.linalg.solve(fac, rhs))
    ds = B @ du + rp
    return du, ds, (rc - lam * ds) / sig


def _to_boundary(x: np.ndarray, dx: np.ndarray, cap: float = 1.0) -> float:
    """Largest step (at most *cap*) keeping ``x + t dx`` non-negative."""
    neg = dx < 0
    return float(min(cap, np.min(-x[neg] / dx[neg], initial=np.inf)))


def _master(cols: list[list[np.ndarray]], mult: np.ndarray, pt: np.ndarray, K: np.ndarray,
            b: np.ndarray, c0: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    r"""Restricted master over the current columns, by a primal-dual interior point.

    Minimises :math:`\sum_t m_t (b_t c_t - K_t \log c_t) - \sum_s P_s z_s` subject to
    :math:`z_s \le a \cdot c` for every column :math:`a` of proposer type :math:`s`
    (:math:`P_s = m_s p_s`); the multipliers divided by :math:`P_s` are the
    proposers' mixing probabilities. Types with :math:`K_t = 0` have price 0.
    Newton steps on the perturbed KKT system (Mehrotra predictor-corrector);
    each step solves one symmetric system of size (types + proposers).
    Columns whose multiplier does not dominate their slack at the end get
    mixing weight 0. Returns prices and the mixes; falls back to SLSQP
    (:func:`_master_slsqp`) if the iteration fails.
    """
    T = len(mult)
    P = mult * pt
    props = [s for s in range(T) if P[s] > 0]
    pos = K > 0
    tp = np.flatnonzero(pos)
    nT, nS = len(tp), len(props)
    spos = {s: i for i, s in enumerate(props)}
    rows, owners = [], []
    for s in props:
        for a in cols[s]:
            rows.append(np.asarray(a, dtype=float)[tp])
            owners.append(spos[s])
    J = len(rows)
    own = np.array(owners, dtype=np.int64)
    B = np.zeros((J, nT + nS))
    if J:
        B[:, :nT] = np.array(rows)
        B[np.arange(J), nT + own] = -1.0
    mK = (mult * K)[tp]
    mb = (mult * b)[tp]
    Pp = P[props]
    c = np.maximum(np.where(pos, c0, 0.0)[tp], 1e-12)
    if nT:
        c = np.where(np.isfinite(c), c, 1e-3)
    scale = max(float(np.max(c, initial=0.0)), 1e-12)
    u = np.concatenate([c, np.zeros(nS)])
    Ac = B[:, :nT] @ c
    zmin = np.full(nS, np.inf)
    np.minimum.at(zmin, own, Ac)
    u[nT:] = zmin - 0.1 * scale
    sig = B @ u
    cnt = np.bincount(own, minlength=nS).astype(float)
    lam = Pp[own] / cnt[own]
    dscale = max(float(np.max(mb, initial=0.0)), 1.0)
    gscale = scale * max(float(np.max(Pp, initial=0.0)), 1e-300)
    ok = False
    for _ in range(100):
        cc = u[:nT]
        grad = np.concatenate([mb - mK / cc, -Pp])
        rd = grad - B.T @ lam
        rp = B @ u - sig
        gap = float(sig @ lam) / max(J, 1)
        err_d = np.max(np.abs(rd), initial=0.0) / dscale
        err_p = np.max(np.abs(rp), initial=0.0) / scale
        if err_d < 1e-10 and err_p < 1e-13 and gap < 1e-15 * gscale:
            ok = True
            break
        # near the end sigma -> 0 can make the reduced matrix numerically
        # indefinite; an iterate this close is good enough (the Newton polish
        # that follows solves the equilibrium system exactly)
        ok = err_d < 1e-8 and err_p < 1e-11 and gap < 1e-13 * gscale
        H = np.zeros((nT + nS, nT + nS))
        H[np.arange(nT), np.arange(nT)] = mK / cc ** 2
        D = lam / sig
        M = H + (B.T * D) @ B
        try:
            fac = np.linalg.cholesky(M)
        except np.linalg.LinAlgError:
            break

        # predictor (affine scaling), then Mehrotra's centring corrector
        du, ds, dl = _kkt_step(fac, B, rd, rp, sig, lam, -sig * lam)
        a_p = min(_to_boundary(sig, ds), _to_boundary(lam, dl), _to_boundary(cc, du[:nT]))
        mu_aff = float((sig + a_p * ds) @ (lam + a_p * dl)) / max(J, 1)
        centring = (mu_aff / max(gap, 1e-300)) ** 3
        du, ds, dl = _kkt_step(fac, B, rd, rp, sig, lam, centring * gap - sig * lam - ds * dl)
        alpha = min(1.0, 0.995 * min(_to_boundary(sig, ds, np.inf),
                                     _to_boundary(lam, dl, np.inf),
                                     _to_boundary(cc, du[:nT], np.inf)))
        u_new = u + alpha * du
        if not np.all(np.isfinite(u_new)):
            break
        u = u_new
        sig = np.maximum(sig + alpha * ds, 1e-300)
        lam = np.maximum(lam + alpha * dl, 1e-300)
        ok = False
    if not ok:
        return _master_slsqp(cols, mult, pt, K, b, c0)
    cfull = np.zeros(T)
    cfull[tp] = u[:nT]
    mixes: list[np.ndarray] = []
    i = 0
    for s in range(T):
        k = len(cols[s])
        if P[s] > 0:
            lam_s = lam[i:i + k].copy()
            sig_s = sig[i:i + k]
            lam_s[lam_s <= sig_s] = 0.0
            if lam_s.sum() <= 0:
                costs = np.array([float(a @ cfull) for a in cols[s]])
                lam_s = (costs <= costs.min() + 1e-12).astype(float)
            mixes.append(lam_s / lam_s.sum())
            i += k
        else:
            mixes.append(np.full(k, 1.0 / k))
    return cfull, mixes


def _master_slsqp(cols: list[list[np.ndarray]], mult: np.ndarray, pt: np.ndarray, K: np.ndarray,
            b: np.ndarray, c0: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    r"""Restricted master over the current columns, solved in price space.

    Minimises :math:`\sum_t m_t (b_t c_t - K_t \log c_t) - \sum_s P_s z_s` subject to
    :math:`z_s \le a \cdot c` for every column :math:`a` of proposer type :math:`s`
    (:math:`P_s = m_s p_s`); the multipliers divided by :math:`P_s` are the
    proposers' mixing probabilities. Returns prices and the mixes.
    """
    T = len(mult)
    P = mult * pt
    props = [s for s in range(T) if P[s] > 0]
    zpos = {s: T + i for i, s in enumerate(props)}
    nv = T + len(props)
    rows = []
    owners = []
    for s in props:
        for a in cols[s]:
            r = np.zeros(nv)
            r[:T] = a
            r[zpos[s]] = -1.0
            rows.append(r)
            owners.append(s)
    Acon = np.array(rows)
    mK = mult * K
    pos = K > 0

    def f(x: np.ndarray) -> float:
        c = x[:T]
        val = float(mult @ (b * c))
        if np.any(pos):
            val -= float(mK[pos] @ np.log(np.maximum(c[pos], 1e-300)))
        return val - float(P[props] @ x[T:])

    def grad(x: np.ndarray) -> np.ndarray:
        g = np.zeros(nv)
        c = x[:T]
        g[:T] = mult * b - np.where(pos, mK / np.maximum(c, 1e-300), 0.0)
        g[T:] = -P[props]
        return g

    x0 = np.zeros(nv)
    x0[:T] = np.where(pos, np.maximum(c0, 1e-12), 0.0)
    for s in props:
        x0[zpos[s]] = min(float(a @ x0[:T]) for a in cols[s])
    bounds = [(1e-14, None) if pos[t] else (0.0, 0.0) for t in range(T)] + \
        [(None, None)] * len(props)
    res = optimize.minimize(f, x0, jac=grad, method="SLSQP", bounds=bounds,
                            constraints=[{"type": "ineq", "fun": lambda x: Acon @ x,
                                          "jac": lambda x: Acon}],
                            options={"ftol": 1e-15, "maxiter": 1000})
    c = np.where(pos, res.x[:T], 0.0)
    lam = np.clip(np.asarray(getattr(res, "multipliers", np.zeros(len(rows))))[:len(rows)],
                  0.0, None)
    mixes: list[np.ndarray] = []
    i = 0
    owner_arr = np.array(owners)
    for s in range(T):
        k = len(cols[s])
        if P[s] > 0:
            lam_s = lam[owner_arr == s]
            costs = np.array([float(a @ c) for a in cols[s]])
            if lam_s.sum() <= 0:
                lam_s = (costs <= costs.min() + 1e-12).astype(float)
            mixes.append(lam_s / lam_s.sum())
            i += k
        else:
            mixes.append(np.full(k, 1.0 / k))
    return c, mixes


def _polish(G: np.ndarray, owner: list[int], cols_flat: list[np.ndarray], mult: np.ndarray,
            pt: np.ndarray, b: np.ndarray, mu: np.ndarray, C_prev: np.ndarray,
            act: np.ndarray | None = None, raw: bool = False) -> Any:
    """Newton on the full equilibrium system with the active columns fixed.

    Unknowns: c (T), mu over active columns. Equations: value equations
    c_t (b_t - y_t) = p_t (1 - C_t), each active column of s costs C_s (the
    mu-weighted mean), and each proposer's mix sums to one.
    """
    T = len(mult)
    if act is None:
        act = np.flatnonzero(mu > 1e-10)
    Ga = G[act]
    own = np.array(owner)[act]
    Acols = np.array([cols_flat[i] for i in act], dtype=float)
    m_act = mu[act].copy()
    ncol = len(act)
    # the proposer's own cost C_s for types s with positive recognition
    c = None
    x = None

    def unpack(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return z[:T], z[T:]

    def residual(z: np.ndarray) -> np.ndarray:
        c_, m_ = unpack(z)
        y = m_ @ Ga
        costs = Acols @ c_
        Cs = np.zeros(T)
        np.add.at(Cs, own, m_ * costs)
        r1 = c_ * (b - y) - pt * (1.0 - Cs)
        r2 = []
        r3 = []
        for s in np.unique(own):
            idx = np.flatnonzero(own == s)
            r3.append(m_[idx].sum() - 1.0)
            r2.extend((costs[idx[1:]] - costs[idx[0]]).tolist())
        return np.concatenate([r1, np.array(r2), np.array(r3)])

    def jac(z: np.ndarray) -> np.ndarray:
        c_, m_ = unpack(z)
        y = m_ @ Ga
        costs = Acols @ c_
        J1c = np.diag(b - y)
        # d/dc of +p_s C_s: p_s * sum_a mu_a A_a
        for i in range(ncol):
            J1c[own[i]] += pt[own[i]] * m_[i] * Acols[i]
        J1m = -(Ga.T * c_[:, None])
        for i in range(ncol):
            J1m[own[i], i] += pt[own[i]] * costs[i]
        rows2c, rows2m, rows3 = [], [], []
        for s in np.unique(own):
            idx = np.flatnonzero(own == s)
            for i in idx[1:]:
                rows2c.append(Acols[i] - Acols[idx[0]])
                rows2m.append(np.zeros(ncol))
            r = np.zeros(ncol)
            r[idx] = 1.0
            rows3.append(r)
        top = np.hstack([J1c, J1m])
        mid = np.hstack([np.array(rows2c).reshape(-1, T), np.array(rows2m).reshape(-1, ncol)])
        bot = np.hstack([np.zeros((len(rows3), T)), np.array(rows3)])
        return np.vstack([top, mid, bot])

    y0 = m_act @ Ga
    c0 = pt * (1.0 - C_prev) / (b - y0)
    z = np.concatenate([c0, m_act])
    for _ in range(50):
        r = residual(z)
        if np.max(np.abs(r)) < 1e-15:
            break
        J = jac(z)
        step, *_ = np.linalg.lstsq(J, -r, rcond=None)
        z = z + step
        if np.max(np.abs(step)) < 1e-16:
            break
    c, x = unpack(z)
    if raw:
        mu_raw = np.zeros_like(mu)
        mu_raw[act] = x
        return c, mu_raw, float(np.max(np.abs(residual(z))))
    if np.any(x < -1e-12) or np.max(np.abs(residual(z))) > 1e-12:
        return None
    x = np.clip(x, 0.0, None)
    mu_new = np.zeros_like(mu)
    mu_new[act] = x
    y = mu_new @ G
    return c, y, mu_new


def _solve(rule: Any, T: int, mult: np.ndarray, pt: np.ndarray, b: np.ndarray, tol: float,
           max_iter: int) -> tuple[Any, ...]:
    """Equilibrium over member types: column generation with the interior-point
    master at fixed proposer surpluses K, Newton polish on the active columns,
    outer fixed-point iteration on K. Returns prices, demands, K, columns,
    mixes, expected proposer costs and the number of outer iterations."""
    # start: symmetric-ish prices from v = p
    c = pt / b
    cols: list[list[np.ndarray]] = [[] for _ in range(T)]
    C = np.zeros(T)
    all_costs, all_a = rule.cheapest_all(c)
    for s in range(T):
        Cs, a = float(all_costs[s]), all_a[s]
        if not np.isfinite(Cs):
            raise InvalidArgumentError("quota", None, "some proposer cannot form a winning "
                                       "coalition", "Check the quota or the coalitions")
        cols[s].append(a)
        C[s] = Cs
    mu_list = [np.ones(1) for _ in range(T)]
    K = pt * (1.0 - C)
    outer = 0
    y = np.zeros(T)
    for outer in range(1, max_iter + 1):
        # inner: column generation at fixed K
        for _ in range(200):
            c, mu_list = _master(cols, mult, pt, K, b, c)
            added = False
            all_costs, all_a = rule.cheapest_all(c)
            for s in range(T):
                if pt[s] * mult[s] == 0:
                    continue
                Cs, a = float(all_costs[s]), all_a[s]
                cur = min(float(ai @ c) for ai in cols[s])
                if Cs < cur - 1e-13 * max(1.0, cur) and not any(
                        np.array_equal(a, ai) for ai in cols[s]):
                    cols[s].append(a)
                    mu_list[s] = np.append(mu_list[s], 0.0)
                    added = True
            if not added:
                break
        G, owner = _demand_matrix(cols, mult, pt)
        y = np.concatenate(mu_list) @ G
        # expected cost per proposer, then the exact linear update of prices
        pos = 0
        Cbar = np.zeros(T)
        for s in range(T):
            k = len(cols[s])
            ms = mu_list[s]
            Cbar[s] = float(sum(m_ * float(a @ c) for m_, a in zip(ms, cols[s], strict=True)))
            pos += k
        K_new = pt * (1.0 - Cbar)
        # polish: solve the full system with the current active columns
        G, owner = _demand_matrix(cols, mult, pt)
        flat = [a for cs in cols for a in cs]
        mu_flat = np.concatenate(mu_list)
        pol = _polish(G, owner, flat, mult, pt, b, mu_flat, Cbar)
        if pol is not None:
            c_p, y_p, mu_p = pol
            # check no cheaper column exists at the polished prices
            ok = True
            mus_p = _split(mu_p, cols)
            all_costs, all_a = rule.cheapest_all(c_p)
            for s in range(T):
                if pt[s] * mult[s] == 0:
                    continue
                Cs, a = float(all_costs[s]), all_a[s]
                used = [float(ai @ c_p) for ai, m_ in zip(cols[s], mus_p[s], strict=True)
                        if m_ > 1e-12]
                if used and Cs < max(used) - 1e-12:
                    ok = False
                    if not any(np.array_equal(a, ai) for ai in cols[s]):
                        cols[s].append(a)
                        mu_list[s] = np.append(mu_list[s], 0.0)
            if ok:
                mus = mus_p
                Cfin = np.array([sum(m_ * float(a @ c_p) for m_, a in
                                     zip(mus[s], cols[s], strict=True)) for s in range(T)])
                K_fin = pt * (1.0 - Cfin)
                return c_p, y_p, K_fin, cols, mus, Cfin, outer
        if np.max(np.abs(K_new - K)) < tol:
            K = K_new
            return c, y, K, cols, mu_list, Cbar, outer
        K = K_new
    raise ConvergenceError("Baron-Ferejohn fixed point", "max_iter",
                           f"no convergence in {max_iter} outer iterations",
                           "Raise max_iter")


def _split(mu: np.ndarray, cols: list[list[np.ndarray]]) -> list[np.ndarray]:
    out = []
    pos = 0
    for cs in cols:
        out.append(mu[pos:pos + len(cs)])
        pos += len(cs)
    return out
