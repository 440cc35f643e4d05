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
   solved exactly by dynamic programming over integer weights for all
   proposer types at once: a prefix and a suffix programme over the types,
   joined for each proposer type at the weight it still needs.
3. **Inner problem at fixed** :math:`K`: column generation. The restricted
   master (the program above in price form, over the count vectors found so
   far) is solved by a primal-dual interior-point method (Mehrotra
   predictor-corrector; the proposers' variables are eliminated, so each step
   is one Cholesky solve of order :math:`T` however many columns there are);
   its multipliers are the mixing probabilities. Knapsack columns are added
   while some proposer has a strictly cheaper coalition.
4. **Exact prices on the face, and the outer loop.** The master's solution
   names the coalitions each proposer uses. With :math:`K` now depending on
   the prices, the equilibrium conditions on that face (every used coalition
   of a proposer costs the same; the demands are those of some mix of the used
   coalitions) are :math:`T` smooth equations in the :math:`T` prices,
   solved by Newton's method; the mixes are then recovered by least squares
   (non-negative least squares when they are not unique). Where a price is
   zero those equations are singular and prices and mixes are solved together
   (Gauss-Newton on the polynomial equilibrium system). If the mixes are
   non-negative and no proposer can do better (exact knapsack), this is the
   equilibrium; otherwise :math:`K` is updated to :math:`p_j(1 - C_j)` and
   the inner problem re-solved.

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

#: Largest number of cells of the two knapsack tables (types x integer quota) accepted.
_MAX_TABLE_CELLS = 40_000_000
#: Most distinct member types :func:`baron_ferejohn` takes (its time grows roughly with the
#: cube of the number of types or faster: about 0.3 s at 80 types, 3 s at 150).
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
    r"""Weighted quota over member types (integer weights).

    :meth:`price` solves every proposer type's bounded covering knapsack at once.
    Two dynamic programmes over integer weights, a prefix over types
    :math:`0..t-1` and a suffix over :math:`t+1..T-1` (each with all members
    of every type available), are combined for proposer type :math:`s` with the
    :math:`m_s - 1` other members of its own type by a min-plus convolution at the
    single point :math:`q - w_s`; the cost is :math:`O(T W)` array work for
    :math:`T` types and quota :math:`W`, instead of one programme per proposer.
    """

    def __init__(self, w_int: np.ndarray, quota: int, type_of: np.ndarray, n_types: int):
        self.w = w_int
        self.quota = int(quota)
        self.type_of = type_of
        self.T = n_types
        self.tw = np.zeros(n_types, dtype=np.int64)
        self.tw[type_of] = w_int
        self.mult = np.bincount(type_of, minlength=n_types).astype(np.int64)
        self.need = self.quota - self.tw                   # weight to buy, per proposer type
        self.W = int(max(self.need.max(initial=0), 0)) + 1

    @staticmethod
    def table_cells(quota: int, n_types: int) -> int:
        """Cells of the two dynamic-programming tables for this size."""
        return 2 * (n_types + 1) * (max(int(quota), 0) + 1)

    def _sweep(self, c: np.ndarray, seq: range) -> tuple[np.ndarray, np.ndarray]:
        """Covering DP over the types in *seq*: ``F[i, r]`` is the least cost of weight
        at least ``r`` from the first ``i`` types of *seq*; ``ch[i, r]`` the count of
        type ``seq[i]`` bought to reach ``F[i + 1, r]``."""
        W = self.W
        F = np.full((len(seq) + 1, W), np.inf)
        F[0, 0] = 0.0
        ch = np.zeros((len(seq), W), dtype=np.int32)
        for i, t in enumerate(seq):
            f, g, cht = F[i], F[i + 1], ch[i]
            g[:] = f
            wt, ct = int(self.tw[t]), float(c[t])
            if wt <= 0:
                continue
            cand = np.empty(W)
            for k in range(1, int(self.mult[t]) + 1):
                sh = min(k * wt, W)
                cand[sh:] = f[:W - sh]
                cand[:sh] = 0.0                           # f(max(r - k w, 0)), f(0) = 0
                cand += k * ct
                better = cand < g
                g[better] = cand[better]
                cht[better] = k
                if sh == W:
                    break
        return F, ch

    def price(self, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cheapest winning purchase of every proposer type at prices *c*.

        Returns the costs (length :math:`T`) and the count vectors (row ``s``:
        how many members of each type proposer type ``s`` buys; exact, ties broken
        by the dynamic programme's order).
        """
        T, W, tw = self.T, self.W, self.tw
        need = self.need
        pre, chp = self._sweep(c, range(T))
        suf_rev, chs_rev = self._sweep(c, range(T - 1, -1, -1))
        # suffix over types s+1..T-1 is the reversed sweep after T-1-s types
        suf = suf_rev[::-1]                                # suf[s] covers types s..T-1
        idx = np.arange(W)
        best = np.full(T, np.inf)
        own = np.zeros(T, dtype=np.int64)
        split = np.zeros(T, dtype=np.int64)
        active = np.flatnonzero(need > 0)
        for k in range(int(self.mult.max(initial=1))):
            s = active[self.mult[active] - 1 >= k]
            if s.size == 0:
                break
            rest = np.maximum(need[s] - k * tw[s], 0)
            j = rest[:, None] - idx[None, :]
            comb = pre[s] + np.take_along_axis(suf[s + 1], np.maximum(j, 0), axis=1)
            comb[j < 0] = np.inf
            r1 = np.argmin(comb, axis=1)
            val = comb[np.arange(s.size), r1] + k * c[s]
            better = val < best[s]
            sb = s[better]
            best[sb] = val[better]
            own[sb] = k
            split[sb] = r1[better]
        best[need <= 0] = 0.0
        counts = np.zeros((T, T), dtype=np.int64)
        props = np.arange(T)
        counts[props, props] = own
        ok = (need > 0) & np.isfinite(best)
        # types before s: walk the prefix table back from the split point
        res = np.where(ok, split, 0)
        for t in range(T - 1, -1, -1):
            k = np.where(props > t, chp[t][res], 0)
            counts[:, t] += k
            res = np.maximum(res - k * tw[t], 0)
        # types after s: walk the suffix table forward from the remainder
        res = np.where(ok, np.maximum(need - own * tw, 0) - split, 0)
        for t in range(T):
            k = np.where(props < t, chs_rev[T - 1 - t][res], 0)
            counts[:, t] += k
            res = np.maximum(res - k * tw[t], 0)
        counts[~ok] = 0
        return best, counts

    def cheapest_all(self, c: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """:meth:`price` with the count vectors as a list (one array per proposer type)."""
        costs, counts = self.price(c)
        return costs, list(counts)


class _MWCRule:
    """Simple game from minimal winning coalitions; each member its own type."""

    def __init__(self, masks: list[int], n: int):
        self.T = n
        self.mult = np.ones(n, dtype=np.int64)
        self.M = ((np.array(masks, dtype=object)[:, None] >> np.arange(n)) & 1).astype(float)

    def price(self, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cheapest coalition for every proposer: a minimal winning coalition, less the
        proposer itself if it belongs to it."""
        cost = (self.M @ c)[:, None] - self.M * c[None, :]      # coalition x proposer
        pick = np.argmin(cost, axis=0)
        props = np.arange(self.T)
        counts = self.M[pick].astype(np.int64)
        counts[props, props] = 0
        return cost[pick, props], counts

    def cheapest_all(self, c: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """:meth:`price` with the coalitions as a list."""
        costs, counts = self.price(c)
        return costs, list(counts)


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
    Newton's method for the exact prices on the face of the used coalitions,
    proposer problems solved exactly by knapsack DP).

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
        Discount factors (common or per member). With discount factors below
        one the stationary payoffs are unique (Eraslan 2002); with
        :math:`\delta_i = 1` they need not be (e.g. unanimity among the members
        with positive weight: any split of the dollar among them is
        stationary), and one verified equilibrium is returned.
    game : object, optional
        Alternative to *weights*: a voting game as above.
    minimal_winning : iterable of coalitions, optional
        Alternative voting rule: minimal winning coalitions (bitmasks or
        iterables of indices/labels).
    players : labels, optional
    tol : float
        Largest residual accepted when the result is verified (cost gap of the
        used coalitions, value equations, values summing to one, mixes).
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
        keys = list(zip(w_int.tolist(), p.tolist(), dl.tolist(), strict=True))
        uniq = {k: i for i, k in enumerate(dict.fromkeys(keys))}
        type_of = np.array([uniq[k] for k in keys], dtype=np.int64)
        T = len(uniq)
        if _WeightedRule.table_cells(q_int, T) > _MAX_TABLE_CELLS:
            raise GameTooLargeError(
                "quota", q, f"the proposers' knapsack tables would hold "
                f"{_WeightedRule.table_cells(q_int, T):,} cells ({T} member types, "
                f"integer quota {q_int:,}); the limit is {_MAX_TABLE_CELLS:,}",
                "Use smaller integer weights (e.g. seat shares rounded to whole seats) or "
                "pass the voting rule as minimal winning coalitions")
        rule: Any = _WeightedRule(w_int, q_int, type_of, T)
    else:
        type_of = np.arange(n, dtype=np.int64)
        T = n
        rule = _MWCRule(masks, n)
    if T > MAX_TYPES:
        raise GameTooLargeError(
            "members", n, f"{T} distinct member types (members with equal weight, "
            f"recognition probability and discount factor form one type); the solver's work "
            f"grows with the cube of the number of types and is limited to {MAX_TYPES}",
            "Group members into fewer types (common recognition probabilities or discount "
            "factors), or model blocs as single members")
    first = np.zeros(T, dtype=np.int64)
    first[type_of[::-1]] = np.arange(n)[::-1]
    mult = np.bincount(type_of, minlength=T).astype(float)
    pt = p[first]
    b = 1.0 / dl[first]

    with _single_thread_blas():
        c_t, A, own, pi, outer, masters, n_cols = _solve(rule, mult, pt, b, max_iter)
        # verification, recomputed from the prices and mixes alone
        best, counts = rule.price(c_t)
    paid = A @ c_t
    C_t = np.zeros(T)
    np.add.at(C_t, own, pi * paid)
    mix_sum = np.bincount(own, weights=pi, minlength=T)
    proposers = mult * pt > 0
    idle = np.flatnonzero(~proposers)
    if idle.size:                         # never recognised: they would buy a cheapest one
        A = np.vstack([A, counts[idle]])
        own = np.concatenate([own, idle])
        pi = np.concatenate([pi, np.ones(idle.size)])
        paid = np.concatenate([paid, best[idle]])
        C_t[idle] = best[idle]
    cost_gap = float(np.max(paid - best[own], initial=0.0))
    mix_res = float(max(np.max(np.abs(mix_sum[proposers] - 1.0), initial=0.0),
                        -np.min(pi, initial=0.0)))
    K_t = pt * (1.0 - C_t)
    y_t = _demand(A, own, pi, mult, pt)
    v_t = c_t * b
    value_res = float(np.max(np.abs(v_t - (K_t + y_t * c_t)), initial=0.0))
    v = v_t[type_of]
    sum_res = float(abs(v.sum() - 1.0))
    worst = max(cost_gap, value_res, sum_res, mix_res)
    if not worst <= tol:
        raise ConvergenceError("Baron-Ferejohn fixed point", "unverified",
                               f"cost gap {cost_gap:.3g}, value residual {value_res:.3g}, "
                               f"sum residual {sum_res:.3g}, mix residual {mix_res:.3g} "
                               f"(tolerance {tol:g})",
                               "Raise tol or max_iter, or report the instance")
    inclusion, coalitions = _member_mixes(A, own, pi, type_of, mult)
    share = 1.0 - C_t[type_of]
    values = AllocationResult(values=v, players=labels, concept="baron-ferejohn",
                              method="column-generation-newton", exact=True,
                              params={"delta": dl.tolist(), "recognition": p.tolist()},
                              info={"outer_iterations": outer})
    return BaronFerejohnResult(
        values=values, prices=frozen_array(dl * v), proposer_share=frozen_array(share),
        inclusion=frozen_array(inclusion), coalitions=coalitions, players=labels,
        params={"rule": kind, "delta": dl.tolist(), "recognition": p.tolist(),
                **({"weights": w.tolist(), "quota": q} if kind == "weighted" else
                   {"minimal_winning": masks})},
        info={"outer_iterations": outer, "masters": masters, "types": T,
              "columns": n_cols, "cost_gap": cost_gap, "value_residual": value_res,
              "sum_residual": sum_res, "mix_residual": mix_res})


def _member_mixes(A: np.ndarray, own: np.ndarray, pi: np.ndarray, type_of: np.ndarray,
                  mult: np.ndarray) -> tuple[np.ndarray, tuple[tuple[tuple[float, int], ...], ...]]:
    """Member-level inclusion probabilities and one representative coalition per used
    column: proposer ``k`` of type ``s`` buying ``a_t`` members of type ``t`` buys the
    first ``a_t`` of them (in member order, ``k`` itself skipped); inclusion spreads
    ``a_t`` evenly over the type."""
    n = len(type_of)
    T = len(mult)
    eye = np.eye(T)
    ex = np.zeros((T, T))
    np.add.at(ex, own, A * pi[:, None])
    pool = mult[None, :] - eye
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(pool > 0, ex / np.where(pool > 0, pool, 1.0), 0.0)
    inclusion = per[type_of][:, type_of]
    inclusion[np.arange(n), np.arange(n)] = 0.0
    # rank of member j within its type, with member k removed from k's own type
    rank0 = np.zeros(n, dtype=np.int64)
    for t in range(T):
        members = np.flatnonzero(type_of == t)
        rank0[members] = np.arange(members.size)
    same = type_of[:, None] == type_of[None, :]
    rank = rank0[None, :] - (same & (np.arange(n)[:, None] < np.arange(n)[None, :]))
    coalitions = []
    for k in range(n):
        sel = np.flatnonzero((own == type_of[k]) & (pi > 0))
        buys = rank[k][None, :] < A[sel][:, type_of]           # columns x members
        buys[:, k] = True
        mix = []
        for i, row in zip(sel, buys, strict=True):
            mask = int.from_bytes(np.packbits(row, bitorder="little").tobytes(), "little")
            mix.append((float(pi[i]), mask))
        coalitions.append(tuple(mix))
    return inclusion, tuple(coalitions)


# ---------------------------------------------------------------- solver internals
class _Columns:
    """The proposal columns generated so far: count vectors with their proposer type."""

    def __init__(self, T: int):
        self.rows: list[np.ndarray] = []
        self.owner: list[int] = []
        self.keys: list[set[bytes]] = [set() for _ in range(T)]

    def add(self, s: int, a: np.ndarray) -> bool:
        key = np.asarray(a, dtype=np.int64).tobytes()
        if key in self.keys[s]:
            return False
        self.keys[s].add(key)
        self.rows.append(np.asarray(a, dtype=np.int64))
        self.owner.append(s)
        return True

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.array(self.rows, dtype=float), np.array(self.owner, dtype=np.int64)


def _bound(x: np.ndarray, dx: np.ndarray) -> float:
    """Largest step keeping ``x + t dx`` non-negative."""
    neg = dx < 0
    return float(np.min(-x[neg] / dx[neg], initial=np.inf))


def _ip_direction(state: tuple[np.ndarray, ...], rc: np.ndarray) -> tuple[np.ndarray, ...]:
    """Newton direction of the interior-point master for complementarity target *rc*,
    with the proposers' variables eliminated (Schur complement factor *fac*)."""
    A, own, fac, abar, dsum, rdc, rdz, rp, sig, lam = state
    t = (rc - lam * rp) / sig
    r2 = -rdz - np.bincount(own, weights=t, minlength=len(dsum))
    rhs = -rdc + A.T @ t + abar.T @ r2
    dc = np.linalg.solve(fac.T, np.linalg.solve(fac, rhs))
    dz = r2 / dsum + abar @ dc
    ds = A @ dc - dz[own] + rp
    return dc, dz, ds, (rc - lam * ds) / sig


def _master(A: np.ndarray, own: np.ndarray, mK: np.ndarray, mb: np.ndarray, P: np.ndarray,
            c0: np.ndarray, tol: float = 1e-10,
            max_steps: int = 100) -> tuple[np.ndarray, np.ndarray, bool]:
    r"""Restricted master at fixed :math:`K` by a primal-dual interior-point method.

    Minimises :math:`\sum_t (mb_t c_t - mK_t \log c_t) - \sum_s P_s z_s` subject to
    :math:`z_s \le a \cdot c` for every column :math:`a` (row of *A*) of proposer
    :math:`s` = ``own[a]``. The multipliers :math:`\lambda_a` (summing to
    :math:`P_s` over the columns of :math:`s`) are the proposers' mixes times
    :math:`P_s`. Mehrotra predictor-corrector steps; the proposers' variables
    :math:`z` are eliminated, leaving one Cholesky solve of order :math:`T` per
    step, with the Schur complement formed from the columns centred on their
    proposer's weighted mean (positive semi-definite by construction). The
    centring target never falls below a tenth of the initial complementarity times
    the relative infeasibility, so the complementarity does not race ahead of the
    (slower, logarithmic) price equations. Returns the prices, the multipliers
    (zero where a column's multiplier does not exceed its slack) and whether the
    tolerance was met.
    """
    J, nT = A.shape
    nS = len(P)
    c = np.maximum(c0, 1e-300)
    Ac = A @ c
    zmin = np.full(nS, np.inf)
    np.minimum.at(zmin, own, Ac)
    scale = max(float(c.max(initial=0.0)), 1e-300)
    z = zmin - 1e-3 * np.maximum(np.abs(zmin), scale)
    sig = Ac - z[own]
    cnt = np.bincount(own, minlength=nS).astype(float)
    lam = P[own] / cnt[own]
    dscale = max(float(np.max(mb, initial=0.0)), 1.0)
    gscale = float(P @ np.abs(zmin)) + 1e-300
    infeas0 = mu0 = 1.0
    ok = False
    for step in range(max_steps):
        rdc = mb - mK / c - A.T @ lam
        rdz = np.bincount(own, weights=lam, minlength=nS) - P
        rp = A @ c - z[own] - sig
        gap = float(sig @ lam)
        infeas = max(np.max(np.abs(rdc), initial=0.0) / dscale,
                     np.max(np.abs(rdz), initial=0.0), np.max(np.abs(rp)) / scale)
        if step == 0:
            infeas0, mu0 = max(infeas, 1e-300), gap / J
        if infeas <= tol and gap <= tol * gscale:
            ok = True
            break
        D = lam / sig
        dsum = np.bincount(own, weights=D, minlength=nS)
        abar = np.zeros((nS, nT))
        np.add.at(abar, own, A * D[:, None])
        abar /= dsum[:, None]
        cen = A - abar[own]
        schur = cen.T @ (cen * D[:, None])
        schur[np.diag_indices(nT)] += mK / c ** 2
        try:
            fac = np.linalg.cholesky(schur)
        except np.linalg.LinAlgError:
            break

        state = (A, own, fac, abar, dsum, rdc, rdz, rp, sig, lam)
        dc, dz, ds, dl = _ip_direction(state, -sig * lam)
        a_aff = min(1.0, _bound(sig, ds), _bound(lam, dl), _bound(c, dc))
        mu_aff = float((sig + a_aff * ds) @ (lam + a_aff * dl)) / J
        mu = gap / J
        target = max((mu_aff / max(mu, 1e-300)) ** 3 * mu, 0.1 * mu0 * min(1.0, infeas / infeas0))
        dc, dz, ds, dl = _ip_direction(state, target - sig * lam - ds * dl)
        alpha = min(1.0, 0.995 * min(_bound(sig, ds), _bound(lam, dl), _bound(c, dc)))
        c_new = c + alpha * dc
        if not np.all(np.isfinite(c_new)):
            break
        c, z = c_new, z + alpha * dz
        sig = np.maximum(sig + alpha * ds, 1e-300)
        lam = np.maximum(lam + alpha * dl, 1e-300)
    lam = np.where(lam > sig, lam, 0.0)
    return c, lam, ok


def _newton_prices(A: np.ndarray, own: np.ndarray, weight: np.ndarray, mult: np.ndarray,
                   pt: np.ndarray, b: np.ndarray, pos: np.ndarray, c0: np.ndarray,
                   max_steps: int = 60) -> tuple[np.ndarray, bool]:
    r"""Equilibrium prices given which coalitions each proposer type mixes over.

    *A* holds the used columns (``own``: proposer type, ``weight``: mixing
    weight, used to pick each proposer's reference column). On the face where
    every proposer is indifferent among its used columns the equilibrium
    conditions are smooth in the prices alone: with :math:`U` an orthonormal basis
    of the differences between a proposer's columns (the ties) and :math:`N` of
    their orthogonal complement,

    .. math::

        U c = 0, \qquad N^\top \big(m \circ y(c) - \textstyle\sum_s P_s a^0_s\big) = 0,
        \qquad y_t(c) = b_t - p_t\,(1 - a^0_t \cdot c) / c_t,

    since along directions :math:`d` that keep the ties, every mix of the used
    columns has the same demand :math:`d \cdot \sum_s P_s \pi_s a = d \cdot \sum_s
    P_s a^0_s`. These are :math:`T` equations in :math:`T` prices, however many
    columns are tied (the mixes themselves need not be unique); Newton's method
    solves them to rounding error. Types with zero recognition have price 0 and
    are left out (*pos* marks the others). Returns the prices and whether the
    iteration converged.
    """
    T = len(mult)
    P = mult * pt
    ip = np.flatnonzero(pos)
    a0 = np.zeros((T, T))
    for s in np.unique(own):
        sel = np.flatnonzero(own == s)
        a0[s] = A[sel[np.argmax(weight[sel])]]
    diff = A - a0[own]
    diff = diff[np.any(diff[:, ip] != 0, axis=1)][:, ip]
    if diff.shape[0]:
        _, sv, vt = np.linalg.svd(diff, full_matrices=diff.shape[0] < len(ip))
        r = int(np.sum(sv > 1e-9 * sv[0]))
    else:
        vt, r = np.eye(len(ip)), 0
    ties, free = vt[:r], vt[r:]
    g0 = (P @ a0)[ip]
    a0p = a0[np.ix_(ip, ip)]
    pp, bp, mp = pt[ip], b[ip], mult[ip]
    c = np.maximum(c0[ip], 1e-300)
    converged = False
    for _ in range(max_steps):
        K = pp * (1.0 - a0p @ c)
        F = np.concatenate([ties @ c, free @ (mp * (bp - K / c) - g0)])
        dy = np.diag(K / c ** 2) + (pp / c)[:, None] * a0p
        jac = np.vstack([ties, free @ (mp[:, None] * dy)])
        try:
            dc = np.linalg.solve(jac, -F)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(dc)):
            break
        neg = dc < 0
        t = min(1.0, 0.9 * float(np.min(-c[neg] / dc[neg], initial=np.inf)))
        c = c + t * dc
        if t == 1.0 and np.max(np.abs(dc)) <= 4e-16 * np.max(c):
            converged = True
            break
    out = np.zeros(T)
    out[ip] = c
    return out, converged


def _realise(A: np.ndarray, own: np.ndarray, lam: np.ndarray, mult: np.ndarray,
             pt: np.ndarray, y: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, float]:
    r"""Mixing weights over the used columns that produce the demands *y* exactly.

    Starting from the master's weights *lam* (scaled by :math:`P_s`), adds the
    least-norm correction solving :math:`\sum_a P_s \pi_a a_t = m_t y_t`
    (positive-price types) and :math:`\sum_{a \in s} \pi_a = 1` (twice, for
    rounding). When the mixes are not unique (several tied coalitions giving the same
    demands) that correction can leave a weight slightly negative; then a
    non-negative solution is sought by non-negative least squares and refined by
    least squares on its support. Returns the mixes and the largest equation
    residual; the caller checks the mixes are non-negative.
    """
    P = mult * pt
    props = np.unique(own)
    pi = lam / P[own]
    M = np.vstack([(A[:, pos] * P[own][:, None]).T,
                   (own[None, :] == props[:, None]).astype(float)])
    rhs = np.concatenate([(mult * y)[pos], np.ones(len(props))])
    for _ in range(2):
        d, *_ = np.linalg.lstsq(M, rhs - M @ pi, rcond=None)
        pi = pi + d
    if np.any(pi < 0.0):
        pi, _ = optimize.nnls(M, rhs)
        support = pi > 0.0
        refined = pi.copy()
        for _ in range(2):
            d, *_ = np.linalg.lstsq(M[:, support], rhs - M @ refined, rcond=None)
            refined[support] += d
        if np.all(refined >= 0.0):
            pi = refined
    return pi, float(np.max(np.abs(M @ pi - rhs), initial=0.0))


def _polish(A: np.ndarray, own: np.ndarray, pi0: np.ndarray, mult: np.ndarray,
            pt: np.ndarray, b: np.ndarray, c0: np.ndarray,
            max_steps: int = 60) -> tuple[np.ndarray, np.ndarray, bool]:
    r"""Prices and mixes on the face of the used columns, zero prices allowed.

    The fallback of :func:`_newton_prices` when some price is (or tends to) zero,
    where its equations in the prices alone are singular. Unknowns: the prices
    :math:`c` and the mixes :math:`\pi` over the used columns (rows of *A*, proposer
    ``own``). Equations, all polynomial, so a zero price is a regular point: the
    value equations :math:`c_t (b_t - y_t) = p_t (1 - \sum_{a \in t} \pi_a\, a \cdot c)`
    with :math:`m_t y_t = \sum_a P_{s(a)} \pi_a a_t`, equal cost of every used column
    of a proposer, and each proposer's mix summing to one. Gauss-Newton with
    least-norm steps (the system may be singular when mixes are not unique). Returns
    the prices, the mixes and whether the residual reached rounding level.
    """
    T = len(mult)
    J = A.shape[0]
    P = mult * pt
    props, first = np.unique(own, return_index=True)
    ref = first[np.searchsorted(props, own)]                 # each column's reference column
    other = np.flatnonzero(np.arange(J) != ref)
    Pa = P[own]
    S = (own[None, :] == props[:, None]).astype(float)       # proposer x column
    O = (own[None, :] == np.arange(T)[:, None]).astype(float)  # type x column
    c, pi = c0.astype(float).copy(), pi0.astype(float).copy()

    def residual(c: np.ndarray, pi: np.ndarray) -> np.ndarray:
        y = (A.T @ (Pa * pi)) / mult
        cost = A @ c
        C = O @ (pi * cost)
        return np.concatenate([c * (b - y) - pt * (1.0 - C), cost[other] - cost[ref[other]],
                               S @ pi - 1.0])

    r = residual(c, pi)
    ok = False
    for _ in range(max_steps):
        if np.max(np.abs(r)) <= 1e-15:
            ok = True
            break
        y = (A.T @ (Pa * pi)) / mult
        cost = A @ c
        jc = np.diag(b - y) + pt[:, None] * (O @ (A * pi[:, None]))
        jp = -(c / mult)[:, None] * (A * Pa[:, None]).T + pt[:, None] * O * cost[None, :]
        jac = np.block([[jc, jp],
                        [A[other] - A[ref[other]], np.zeros((other.size, J))],
                        [np.zeros((props.size, T)), S]])
        step, *_ = np.linalg.lstsq(jac, -r, rcond=None)
        if not np.all(np.isfinite(step)):
            break
        c_new, pi_new = c + step[:T], pi + step[T:]
        r_new = residual(c_new, pi_new)
        if np.max(np.abs(r_new)) >= np.max(np.abs(r)):
            ok = bool(np.max(np.abs(r)) <= 1e-13)
            break
        c, pi, r = c_new, pi_new, r_new
    return c, pi, ok


def _demand(A: np.ndarray, own: np.ndarray, pi: np.ndarray, mult: np.ndarray,
            pt: np.ndarray) -> np.ndarray:
    r"""Probability :math:`y_t` that a given member of type :math:`t` is bought in a period:
    :math:`\sum_s p_s (m_s - [s=t]) E_s[a_t] / (m_t - [s=t])`."""
    T = len(mult)
    ex = np.zeros((T, T))                      # E_s[a_t]
    np.add.at(ex, own, A * pi[:, None])
    eye = np.eye(T)
    others = mult[:, None] - eye               # proposers of type s other than a member of t
    pool = mult[None, :] - eye                 # members of type t other than the proposer
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(pool > 0, pt[:, None] * others * ex / np.where(pool > 0, pool, 1.0), 0.0)
    return g.sum(axis=0)


def _solve(rule: Any, mult: np.ndarray, pt: np.ndarray, b: np.ndarray,
           max_iter: int) -> tuple[Any, ...]:
    """Equilibrium over member types (see the module docstring). Returns the prices,
    the used columns with their proposer types and mixes, and counters."""
    T = len(mult)
    P = mult * pt
    pos = pt > 0
    props = np.flatnonzero(P > 0)
    cols = _Columns(T)
    c = pt / b
    best, counts = rule.price(c)
    if not np.all(np.isfinite(best)):
        raise InvalidArgumentError("quota", None, "some proposer cannot form a winning "
                                   "coalition", "Check the quota or the coalitions")
    for s in props:
        cols.add(s, counts[s])
    K = pt * (1.0 - best)
    masters = 0
    for outer in range(1, max_iter + 1):
        # column generation at fixed K
        for _ in range(500):
            A, own = cols.arrays()
            kp = pos & (K > 0)
            cp, lam, _ = _master(A[:, kp], np.searchsorted(props, own), (mult * K)[kp],
                                 (mult * b)[kp], P[props], np.where(kp, c, 0.0)[kp])
            masters += 1
            c = np.zeros(T)
            c[kp] = cp
            best, counts = rule.price(c)
            cur = np.full(T, np.inf)
            np.minimum.at(cur, own, A @ c)
            added = False
            for s in props:
                if best[s] < cur[s] - 1e-10 * max(1.0, cur[s]):
                    added |= cols.add(s, counts[s])
            if not added:
                break
        used = lam > 0
        pi_master = lam / P[props][np.searchsorted(props, own)]
        # exact prices on the face of the used columns, with K depending on them
        cn, conv = _newton_prices(A[used], own[used], lam[used], mult, pt, b, pos, c)
        # a price at (or tending to) zero makes those equations singular, and then
        # prices and mixes are solved together instead
        joint = not (conv and np.all(cn[pos] > 0))
        gap = np.inf
        if not joint:
            best_n, counts_n = rule.price(cn)
            paid = A[used] @ cn
            gap = float(np.max(paid - best_n[own[used]], initial=0.0))
            if gap <= 1e-13 * max(1.0, float(np.max(paid, initial=0.0))):
                Cn = np.zeros(T)
                Cn[own[used]] = paid
                y = b - np.where(pos, pt * (1.0 - Cn) / np.where(pos, cn, 1.0), b)
                pi, res = _realise(A[used], own[used], lam[used], mult, pt, y, pos)
                if res <= 1e-13 and np.all(pi >= 0.0):
                    return cn, A[used], own[used], pi, outer, masters, len(cols.rows)
                joint = True                  # no mix realises the demands at these prices
            for s in props:
                cols.add(s, counts_n[s])
        if joint:
            cq, pq, okq = _polish(A[used], own[used], pi_master[used], mult, pt, b, c)
            if okq and np.all(cq >= -1e-15) and np.all(pq >= -1e-13):
                cq, pq = np.maximum(cq, 0.0), np.maximum(pq, 0.0)
                best_q, counts_q = rule.price(cq)
                paid = A[used] @ cq
                gap_q = float(np.max(paid[pq > 0] - best_q[own[used]][pq > 0], initial=0.0))
                if gap_q <= 1e-13 * max(1.0, float(np.max(paid, initial=0.0))):
                    return cq, A[used], own[used], pq, outer, masters, len(cols.rows)
                for s in props:
                    cols.add(s, counts_q[s])
        if gap <= 1e-9:
            K, c = pt * (1.0 - best_n), cn
            continue
        # the fixed-point step on K: each proposer's expected cost at the master's mixes
        Cbar = np.zeros(T)
        np.add.at(Cbar, own, pi_master * (A @ c))
        K = pt * (1.0 - Cbar)
    raise ConvergenceError("Baron-Ferejohn fixed point", "max_iter",
                           f"no verified equilibrium in {max_iter} outer iterations",
                           "Raise max_iter, or report the instance")
