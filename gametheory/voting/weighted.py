r"""Weighted and multi-weighted voting games.

A weighted voting game :math:`[q; w_1, \dots, w_n]` has non-negative weights
and a quota :math:`0 < q \le W = \sum_i w_i`; a coalition wins when its
weight reaches the quota, :math:`w(S) \ge q`. A multi-weighted game has
several weight vectors with one quota each and a coalition wins when it
meets every quota (double majorities such as the EU Council's Lisbon rule).

Exact integers
--------------
The exact algorithms (generating functions, subset-sum bitsets) work on
integers. Real weights are read as the decimals they print as (``0.1`` is
one tenth) and scaled by the least common multiple of their denominators;
everything is then divided by the greatest common divisor, and the quota
becomes :math:`\lceil q \rceil` in those units, which defines the same game.
Scaling is exact, so the game is unchanged; the dynamic programs refuse
(:class:`~gametheory.errors.InvalidArgumentError`) when the scaled total
exceeds :data:`MAX_DP_TOTAL`, for instance for weights such as ``math.pi``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from fractions import Fraction
from numbers import Integral, Real
from typing import Any

import numpy as np

from ..coalitions import mask_to_labels, validate_players
from ..errors import GameTooLargeError, InvalidArgumentError, InvalidGameError, InvalidTypeError
from ..results import frozen_array
from .simple import ENUMERATION_LIMIT, SimpleGame, minimal_true

__all__ = ["MAX_DP_TOTAL", "WeightedVotingGame", "MultiWeightedVotingGame"]

#: Largest total integer weight (after exact scaling and division by the gcd)
#: for which the generating-function dynamic programs run.
MAX_DP_TOTAL = 20_000_000

_INT64_SAFE = 1 << 62


def _fraction(x: Any, name: str, whole: Any) -> Fraction:
    """Exact rational value of one weight or quota (reals by their printed decimals)."""
    if isinstance(x, bool | np.bool_):
        raise InvalidTypeError(name, whole, "booleans are not weights",
                               "Pass numbers, e.g. [4, 4, 2, 1]")
    if isinstance(x, Integral | np.integer):
        return Fraction(int(x))
    if isinstance(x, Fraction):
        return x
    if isinstance(x, Real | np.floating):
        f = float(x)
        if not math.isfinite(f):
            raise InvalidArgumentError(name, whole, f"non-finite value {f!r}",
                                       "Pass finite numbers")
        return Fraction(repr(f))
    raise InvalidTypeError(name, whole, f"{x!r} is not a real number",
                           "Pass integers or floats")


def _parse_weights(weights: Any, name: str = "weights"
                   ) -> tuple[list[Fraction] | None, np.ndarray]:
    """Validated weights: exact rationals (``None`` for an integer array) and the array."""
    if isinstance(weights, str | bytes) or isinstance(weights, Mapping):
        raise InvalidTypeError(name, weights, "not a sequence of numbers",
                               "Pass a list or array of weights")
    try:
        raw = np.asarray(weights)
    except Exception:  # pragma: no cover - exotic sequences
        raise InvalidTypeError(name, weights, "not a sequence of numbers",
                               "Pass a list or array of weights") from None
    if raw.ndim != 1:
        raise InvalidArgumentError(name, weights, f"expected a 1-D sequence, got shape {raw.shape}",
                                   "Pass one weight per player")
    if raw.size == 0:
        raise InvalidArgumentError(name, weights, "no players", "Pass at least one weight")
    if raw.dtype.kind not in "iuf" and raw.dtype != object:
        raise InvalidTypeError(name, weights, f"dtype {raw.dtype} is not numeric",
                               "Pass integers or floats")
    if raw.dtype.kind in "iu":  # fast path: integers need no rational arithmetic
        if raw.min() < 0:
            raise InvalidArgumentError(name, weights,
                                       f"negative weights {raw[raw < 0][:5].tolist()}",
                                       "Weights must be >= 0")
        return None, frozen_array(raw.astype(np.int64), dtype=np.int64)
    items = list(weights) if raw.dtype == object else raw.tolist()
    fr = [_fraction(x, name, weights) for x in items]
    bad = [float(f) for f in fr if f < 0]
    if bad:
        raise InvalidArgumentError(name, weights, f"negative weights {bad[:5]}",
                                   "Weights must be >= 0")
    if all(f.denominator == 1 for f in fr) and max(abs(f) for f in fr) < _INT64_SAFE:
        arr = np.array([int(f) for f in fr], dtype=np.int64)
    else:
        arr = np.array([float(f) for f in fr], dtype=float)
    return fr, frozen_array(arr, dtype=arr.dtype)


def _integer_form(fr: list[Fraction] | None, quota: Fraction,
                  ints: np.ndarray | None = None) -> tuple[tuple[int, ...], int]:
    """Exact integer weights and quota defining the same game (scaled, divided by the gcd)."""
    if fr is None:
        iw = [int(x) for x in ints.tolist()]  # type: ignore[union-attr]
        g = math.gcd(*iw) or 1
        return tuple(x // g for x in iw), math.ceil(quota / g)
    L = 1
    for f in fr:
        L = math.lcm(L, f.denominator)
    iw = [int(f * L) for f in fr]
    g = math.gcd(*iw)
    if g == 0:  # pragma: no cover - excluded by quota > 0 and quota <= total
        g = 1
    iw = [x // g for x in iw]
    q = math.ceil(quota * L / g)
    return tuple(iw), q


def _parse_quota(quota: Any, total: Fraction, name: str = "quota") -> Fraction:
    fq = _fraction(quota, name, quota)
    if not 0 < fq <= total:
        raise InvalidArgumentError(
            name, quota, f"outside (0, total weight] = (0, {float(total):g}]",
            "Pass a quota q with 0 < q <= sum(weights); q <= 0 makes the empty "
            "coalition win and q > total makes nobody win")
    return fq


def subset_sum_bitset(items: Iterable[tuple[int, int]], nbits: int) -> int:
    """Bitset (Python int) of reachable subset sums below ``nbits``.

    *items* are ``(weight, multiplicity)`` pairs; multiplicities are handled
    by binary splitting, so the cost is ``sum log(multiplicity)`` shifts.
    """
    mask = (1 << nbits) - 1
    reach = 1
    for w, c in items:
        if w == 0 or c == 0:
            continue
        k = 1
        while c > 0:
            take = min(k, c)
            reach |= (reach << (w * take)) & mask
            c -= take
            k *= 2
    return reach


def _mwc_dfs(weights: Sequence[int], q: int, limit: int) -> list[int]:
    """Bitmasks of all minimal winning coalitions of ``[q; weights]`` (integers).

    Players are taken by decreasing weight; a coalition is recorded when the
    lightest member brings it to the quota. Every explored node leads to at
    least one minimal winning coalition, so the work is O(n * count).
    """
    order = sorted((i for i, w in enumerate(weights) if w > 0), key=lambda i: -weights[i])
    ws = [weights[i] for i in order]
    L = len(order)
    rem = [0] * (L + 1)
    for t in range(L - 1, -1, -1):
        rem[t] = rem[t + 1] + ws[t]
    out: list[int] = []
    stack = [(0, 0, 0)]  # (next position, weight so far, mask)
    budget = 20 * (limit + L) + 1_000_000   # steps; deep games may need many per coalition
    steps = 0
    while stack:
        j, cur, mask = stack.pop()
        t = j
        while t < L and cur + rem[t] >= q:
            steps += 1
            if steps > budget:
                raise GameTooLargeError(
                    "max_coalitions", limit,
                    f"listing the minimal winning coalitions of this {len(weights)}-member "
                    f"game stopped after {budget:,} steps ({len(out):,} found so far)",
                    "Use an index computed by dynamic programming (Banzhaf, Shapley-Shubik, "
                    "Coleman) or Deegan-Packel, which works on coalition types")
            nw = cur + ws[t]
            bit = 1 << order[t]
            if nw >= q:
                out.append(mask | bit)
                if len(out) > limit:
                    raise GameTooLargeError(
                        "max_coalitions", limit,
                        f"the game has more than {limit} minimal winning coalitions",
                        "Raise max_coalitions= (time and memory grow with it) or use an "
                        "index computed by dynamic programming (Banzhaf, Shapley-Shubik, "
                        "Coleman)")
            else:
                stack.append((t + 1, nw, mask | bit))
            t += 1
    out.sort(key=lambda m: (m.bit_count(), m))
    return out


#: Largest ``n * quota`` (integer weights) for which the minimal winning coalitions are
#: counted by dynamic programming before they are listed.
MAX_COUNT_CELLS = 200_000_000


def count_minimal_winning(weights: Sequence[int], q: int, cap: float = 1e30) -> float | None:
    r"""Number of minimal winning coalitions of ``[q; weights]`` (integers), capped at *cap*.

    Take the players by decreasing weight; a winning coalition is minimal
    exactly when it loses without its lightest member :math:`j`, so the count
    is :math:`\sum_j \#\{T \subseteq \text{players before } j : q - w_j \le w(T) < q\}`,
    computed by dynamic programming over the sums below :math:`q` in
    :math:`O(n q)` (counts saturate at *cap*). Returns None when :math:`n q`
    exceeds :data:`MAX_COUNT_CELLS`.

    Examples
    --------
    >>> count_minimal_winning([1] * 5, 3)      # 3 of 5: C(5, 3)
    10.0
    >>> count_minimal_winning([35, 20, 15, 15, 15], 51)   # Holler (1982)
    5.0
    """
    ws = sorted((int(w) for w in weights if w > 0), reverse=True)
    if q < 1 or not ws:
        return 0.0
    if len(ws) * q > MAX_COUNT_CELLS:
        return None
    f = np.zeros(q, dtype=float)   # f[s]: subsets of the players so far with weight s < q
    f[0] = 1.0
    total = 0.0
    for w in ws:
        total = min(cap, total + float(f[max(0, q - w):].sum()))
        if total >= cap:
            return cap
        if w < q:
            f[w:] = np.minimum(f[w:] + f[:-w], cap)
    return total


def mwc_types(classes: Sequence[tuple[int, int]], q: int,
              limit: int) -> list[tuple[tuple[int, int], ...]]:
    """Minimal winning coalitions of a weighted game up to symmetry among equal weights.

    *classes* are ``(weight, multiplicity)`` with positive weights sorted by
    decreasing weight. A type is a tuple of ``(class index, k)``: ``k``
    players from that class. It stands for ``prod binom(c, k)`` coalitions.
    """
    m = len(classes)
    rem = [0] * (m + 1)
    for h in range(m - 1, -1, -1):
        rem[h] = rem[h + 1] + classes[h][0] * classes[h][1]
    out: list[tuple[tuple[int, int], ...]] = []
    stack: list[tuple[int, int, tuple[tuple[int, int], ...]]] = [(0, 0, ())]
    while stack:
        g, cur, chosen = stack.pop()
        h = g
        while h < m and cur + rem[h] >= q:
            v, c = classes[h]
            k_min = max(1, -(-(q - cur - rem[h + 1]) // v))
            for k in range(k_min, c + 1):
                nw = cur + k * v
                if nw >= q:
                    out.append(chosen + ((h, k),))
                    if len(out) > limit:
                        raise GameTooLargeError(
                            "max_coalitions", limit,
                            f"more than {limit} types of minimal winning coalitions "
                            "(coalitions up to permutations of equal weights)",
                            "Raise max_coalitions= (time and memory grow with it), or use "
                            "Banzhaf, Shapley-Shubik or Coleman, computed by dynamic "
                            "programming")
                    break
                stack.append((h + 1, nw, chosen + ((h, k),)))
            h += 1
    return out


class WeightedVotingGame(SimpleGame):
    r"""Weighted voting game :math:`[q; w_1, \dots, w_n]`: S wins iff :math:`w(S) \ge q`.

    Parameters
    ----------
    weights : sequence of non-negative reals
        One weight per player (integers, or reals that are read as the
        decimals they print as; see the module notes on exact scaling).
    quota : real
        The quota, with ``0 < quota <= sum(weights)``.
    players : sequence of labels, optional
        Player labels (default ``0..n-1``).

    Attributes
    ----------
    weights : ndarray
        The weights as given (read-only; ``int64`` for integers, else float).
    quota : int or float
        The quota as given.
    total : int or float
        Sum of the weights.
    players : tuple
        Player labels.
    n : int
        Number of players.

    Raises
    ------
    InvalidArgumentError
        Negative or non-finite weights, a quota outside ``(0, total]``, or
        labels that do not match the weights in number.

    Examples
    --------
    The Council of Ministers of the EEC in 1958 (France, Germany, Italy,
    Belgium, the Netherlands, Luxembourg):

    >>> import gametheory as gt
    >>> eec = gt.WeightedVotingGame([4, 4, 4, 2, 2, 1], 12,
    ...                             players=["F", "D", "I", "B", "NL", "L"])
    >>> eec.is_winning(["F", "D", "B", "NL"])
    True
    >>> eec.dummy_players()
    ('L',)
    """

    def __init__(self, weights: Any, quota: Any,
                 players: Sequence[Hashable] | None = None) -> None:
        fr, arr = _parse_weights(weights)
        total = Fraction(int(arr.sum())) if fr is None else sum(fr, Fraction(0))
        labels = validate_players(players, len(arr))
        if total == 0:
            raise InvalidArgumentError("weights", weights, "all weights are zero",
                                       "Give at least one player a positive weight")
        fq = _parse_quota(quota, total)
        iw, iq = _integer_form(fr, fq, arr)
        self._init_common(labels)
        object.__setattr__(self, "_weights", arr)
        object.__setattr__(self, "_quota", quota if isinstance(quota, int | float) else
                           (int(quota) if isinstance(quota, Integral | np.integer)
                            else float(quota)))
        object.__setattr__(self, "_int_weights", iw)
        object.__setattr__(self, "_int_quota", iq)
        object.__setattr__(self, "_int_total", sum(iw))
        object.__setattr__(self, "_mwc", None)

    # -- named constructors -------------------------------------------------
    @classmethod
    def from_dict(cls, weights: Mapping[Hashable, Any], quota: Any) -> WeightedVotingGame:
        """Build from ``{label: weight}`` (labels in the mapping's order)."""
        if not isinstance(weights, Mapping):
            raise InvalidTypeError("weights", weights, "not a mapping",
                                   "Pass a dict such as {'A': 3, 'B': 2}")
        return cls(list(weights.values()), quota, players=list(weights))

    @classmethod
    def majority(cls, weights: Any, players: Sequence[Hashable] | None = None
                 ) -> WeightedVotingGame:
        """Simple weighted majority: a coalition wins with more than half the total weight."""
        fr, arr = _parse_weights(weights)
        if fr is None:
            fr = [Fraction(int(x)) for x in arr.tolist()]
        total = sum(fr, Fraction(0))
        if total == 0:
            raise InvalidArgumentError("weights", weights, "all weights are zero",
                                       "Give at least one player a positive weight")
        L = 1
        for f in fr:
            L = math.lcm(L, f.denominator)
        # smallest multiple of 1/L strictly above total/2
        q = Fraction(math.floor(total * L / 2) + 1, L)
        quota: Any = int(q) if q.denominator == 1 else float(q)
        if float(quota) != q:
            quota = q
        return cls(weights, quota, players)

    # -- attributes ---------------------------------------------------------
    @property
    def weights(self) -> np.ndarray:
        """The weights (read-only array)."""
        return self._weights

    @property
    def quota(self) -> int | float:
        """The quota."""
        return self._quota

    @property
    def total(self) -> int | float:
        """Sum of the weights."""
        t = self._weights.sum()
        return int(t) if self._weights.dtype.kind == "i" else float(t)

    @property
    def integer_weights(self) -> tuple[int, ...]:
        """Integer weights of an equivalent game (exact scaling, divided by the gcd)."""
        return self._int_weights

    @property
    def integer_quota(self) -> int:
        """Quota of the equivalent integer game."""
        return self._int_quota

    def __repr__(self) -> str:
        return (f"WeightedVotingGame(weights={self._weights.tolist()!r}, "
                f"quota={self._quota!r}, players={self._players!r})")

    # -- dynamic-programming support ------------------------------------------
    def _dp_arrays(self) -> tuple[np.ndarray, int]:
        """``(integer weights, integer quota)`` for the dynamic programs, or raise."""
        W = self._int_total
        if W > MAX_DP_TOTAL:
            scaled = self._weights.dtype.kind == "f" and not bool(
                np.all(np.mod(self._weights, 1.0) == 0.0))
            if scaled:
                raise InvalidArgumentError(
                    "weights", self._weights,
                    f"real weights cannot be scaled to integers exactly with a total of at "
                    f"most {MAX_DP_TOTAL} (exact scaling gives {W}), as the dynamic "
                    "program requires",
                    "Round the weights to a few decimals, or use method='enumeration' "
                    f"(n <= {ENUMERATION_LIMIT})")
            raise GameTooLargeError(
                "weights", self._weights,
                f"total integer weight {W} (after dividing by the gcd) exceeds the dynamic "
                f"program's limit {MAX_DP_TOTAL}",
                "Rescale and round the weights (e.g. population in thousands), or use "
                f"method='enumeration' (n <= {ENUMERATION_LIMIT})")
        return np.array(self._int_weights, dtype=np.int64), self._int_quota

    def _dp_feasible(self) -> bool:
        return self._int_total <= MAX_DP_TOTAL

    def _enumeration_alternative(self) -> str:
        return "the power indices' dynamic programs (method='dp')"

    # -- predicates -----------------------------------------------------------
    def _wins(self, mask: int) -> bool:
        iw = self._int_weights
        s = 0
        i = 0
        while mask:
            if mask & 1:
                s += iw[i]
            mask >>= 1
            i += 1
        return s >= self._int_quota

    def _compute_winning_array(self) -> np.ndarray:
        if self._int_total >= _INT64_SAFE:
            raise InvalidArgumentError(
                "weights", self._weights, "exact integer weights exceed 64 bits",
                "Round the weights to fewer significant digits")
        n = self._n
        sums = np.zeros(1 << n, dtype=np.int64)
        for i, w in enumerate(self._int_weights):
            sums[1 << i: 2 << i] = sums[: 1 << i] + w
        return sums >= self._int_quota

    def _wins_rows(self, members: np.ndarray) -> np.ndarray:
        if self._int_total < 1 << 53:
            w = np.array(self._int_weights, dtype=float)
            return members @ w >= self._int_quota
        w_obj = np.array(self._int_weights, dtype=object)
        return np.array([int(x) >= self._int_quota for x in members.astype(object) @ w_obj],
                        dtype=bool)

    def _minimal_winning_masks(self, max_coalitions: int | None = None) -> tuple[int, ...]:
        limit = 200_000 if max_coalitions is None else int(max_coalitions)
        cached = self._cache.get("mwc")
        if cached is not None and (len(cached) <= limit):
            return cached
        count = count_minimal_winning(self._int_weights, self._int_quota, cap=1e300)
        classes, _ = self._classes()
        if count is None and len(classes) <= 64:
            # few distinct weights: count through coalition types (sum of products of
            # binomials), whatever the size of the weights
            try:
                types = mwc_types(classes, self._int_quota, 100_000)
            except GameTooLargeError:
                types = None
            if types is not None:
                logs = [sum(math.lgamma(classes[h][1] + 1) - math.lgamma(k + 1)
                            - math.lgamma(classes[h][1] - k + 1) for h, k in t) for t in types]
                top = max(logs) if logs else 0.0
                count = (math.exp(top) * sum(math.exp(v - top) for v in logs)
                         if top < 690 else 1e300)
        if count is not None and count > limit:
            size = (f"{count:,.0f}" if count < 1e15 else
                    "more than 1e300" if count >= 1e300 else f"about {count:.3g}")
            raise GameTooLargeError(
                "max_coalitions", limit,
                f"the {self.n}-member game has {size} minimal winning coalitions (counted "
                "before listing them)",
                "Raise max_coalitions= if you can hold that many, or use an index computed "
                "by dynamic programming (Banzhaf, Shapley-Shubik, Coleman) or Deegan-Packel, "
                "which works on coalition types")
        out = tuple(_mwc_dfs(self._int_weights, self._int_quota, limit))
        self._cache["mwc"] = out
        return out

    def _classes(self) -> tuple[list[tuple[int, int]], list[int]]:
        """Positive weight classes by decreasing weight, and each player's class (-1 for 0)."""
        iw = self._int_weights
        distinct = sorted({w for w in iw if w > 0}, reverse=True)
        index = {w: h for h, w in enumerate(distinct)}
        counts = [0] * len(distinct)
        for w in iw:
            if w > 0:
                counts[index[w]] += 1
        cls = [index[w] if w > 0 else -1 for w in iw]
        return list(zip(distinct, counts, strict=True)), cls

    def veto_players(self) -> tuple[Hashable, ...]:
        W, q = self._int_total, self._int_quota
        return tuple(p for p, w in zip(self._players, self._int_weights, strict=True)
                     if W - w < q)

    def dummy_players(self) -> tuple[Hashable, ...]:
        """Players critical in no winning coalition (exact subset-sum bitsets)."""
        q = self._int_quota
        classes, cls = self._classes()
        nondummy = [False] * len(classes)
        for h, (v, _c) in enumerate(classes):
            if v >= q:
                nondummy[h] = True
                continue
            items = [(w, c - (1 if g == h else 0)) for g, (w, c) in enumerate(classes)]
            reach = subset_sum_bitset(items, q)
            window = ((1 << v) - 1) << (q - v)  # sums q-v .. q-1
            nondummy[h] = bool(reach & window)
        return tuple(p for p, h in zip(self._players, cls, strict=True)
                     if h < 0 or not nondummy[h])

    def is_proper(self) -> bool:
        """Whether no two disjoint coalitions win: no subset sum lies in ``[q, W - q]``."""
        W, q = self._int_total, self._int_quota
        if 2 * q > W:
            return True
        classes, _ = self._classes()
        reach = subset_sum_bitset(classes, W - q + 1)
        return not (reach >> q)

    def is_strong(self) -> bool:
        """Whether the complement of a losing coalition wins: no subset sum in ``[W-q+1, q-1]``."""
        W, q = self._int_total, self._int_quota
        lo = W - q + 1
        if lo > q - 1:
            return True
        classes, _ = self._classes()
        reach = subset_sum_bitset(classes, q)
        return not (reach >> lo)

    def minimal_blocking_coalitions(self, *, as_masks: bool = False,
                                    max_coalitions: int = 200_000) -> tuple[Any, ...]:
        """Minimal blocking coalitions: ``B`` blocks iff ``w(B) > W - q``.

        They are the minimal winning coalitions of the weighted game with
        quota ``W - q + 1`` (in exact integer units); enumerated by a bounded
        search that refuses beyond *max_coalitions*.
        """
        masks = _mwc_dfs(self._int_weights, self._int_total - self._int_quota + 1,
                         int(max_coalitions))
        if as_masks:
            return tuple(masks)
        return tuple(mask_to_labels(m, self._players) for m in masks)


class MultiWeightedVotingGame(SimpleGame):
    r"""Intersection of weighted games: S wins iff :math:`w^{(r)}(S) \ge q_r` for every ``r``.

    Parameters
    ----------
    weights : array-like, shape (r, n)
        One row of non-negative weights per criterion.
    quotas : sequence of r reals
        One quota per row, each in ``(0, row total]``.
    players : sequence of labels, optional
        Player labels (default ``0..n-1``).

    Attributes
    ----------
    weights : ndarray, shape (r, n)
        The weights (read-only).
    quota : ndarray, shape (r,)
        The quotas (read-only); also available as ``quotas``.
    components : tuple of WeightedVotingGame
        One weighted game per row.

    Notes
    -----
    Power indices of multi-weighted games are computed by enumerating the
    :math:`2^n` coalitions, for ``n <= 25``.

    Examples
    --------
    A double majority: at least 2 of 3 members and 65% of the population.

    >>> import gametheory as gt
    >>> g = gt.MultiWeightedVotingGame([[1, 1, 1], [50, 30, 20]], [2, 65])
    >>> g.is_winning([0, 1]), g.is_winning([1, 2])
    (True, False)
    """

    def __init__(self, weights: Any, quotas: Any,
                 players: Sequence[Hashable] | None = None) -> None:
        if isinstance(weights, str | bytes) or isinstance(weights, Mapping):
            raise InvalidTypeError("weights", weights, "not a 2-D array of numbers",
                                   "Pass one row of weights per criterion")
        try:
            ndim = np.ndim(weights)
        except ValueError:
            raise InvalidArgumentError("weights", weights, "rows of different lengths",
                                       "Give every row one weight per player") from None
        rows = [weights] if ndim == 1 else list(weights) if ndim == 2 else []
        if not rows:
            raise InvalidArgumentError("weights", weights,
                                       f"expected shape (r, n), got {np.shape(weights)}",
                                       "Pass one row of weights per criterion")
        if isinstance(quotas, str | bytes):
            raise InvalidTypeError("quotas", quotas, "not a sequence of numbers",
                                   "Pass one quota per row of weights")
        qs = list(np.atleast_1d(np.asarray(quotas, dtype=object)))
        if len(qs) != len(rows):
            raise InvalidArgumentError("quotas", quotas,
                                       f"{len(qs)} quotas for {len(rows)} weight rows",
                                       "Pass exactly one quota per row of weights")
        comps = []
        for r, (row, q) in enumerate(zip(rows, qs, strict=True)):
            if np.ndim(row) != 1:
                raise InvalidArgumentError("weights", weights, f"row {r} is not 1-D",
                                           "Pass a rectangular 2-D array")
            comps.append(WeightedVotingGame(row, q, players))
        n = comps[0].n
        if any(c.n != n for c in comps):
            raise InvalidArgumentError("weights", weights, "rows of different lengths",
                                       "Give every row one weight per player")
        self._init_common(comps[0].players)
        object.__setattr__(self, "_components", tuple(comps))
        object.__setattr__(self, "_weights", frozen_array(np.array([c.weights for c in comps],
                                                                   dtype=float)))
        object.__setattr__(self, "_quota", frozen_array([float(c.quota) for c in comps]))
        object.__setattr__(self, "_mwc", None)

    @classmethod
    def from_games(cls, games: Iterable[WeightedVotingGame]) -> MultiWeightedVotingGame:
        """Intersection of weighted games on the same players."""
        games = list(games)
        if not games or not all(isinstance(g, WeightedVotingGame) for g in games):
            raise InvalidTypeError("games", games, "not a non-empty list of WeightedVotingGame",
                                   "Pass weighted games on the same players")
        players = games[0].players
        if any(g.players != players for g in games):
            raise InvalidGameError("games", games, "the games have different players",
                                   "Use the same player labels in every game")
        return cls([list(g.weights) for g in games], [g.quota for g in games], players)

    @property
    def weights(self) -> np.ndarray:
        """The weights, one row per criterion (read-only)."""
        return self._weights

    @property
    def quota(self) -> np.ndarray:
        """The quotas, one per row (read-only)."""
        return self._quota

    @property
    def quotas(self) -> np.ndarray:
        """Alias of :attr:`quota`."""
        return self._quota

    @property
    def components(self) -> tuple[WeightedVotingGame, ...]:
        """The weighted games whose intersection this is."""
        return self._components

    def __repr__(self) -> str:
        return (f"MultiWeightedVotingGame(weights={self._weights.tolist()!r}, "
                f"quotas={self._quota.tolist()!r}, players={self._players!r})")

    def _wins(self, mask: int) -> bool:
        return all(c._wins(mask) for c in self._components)

    def _compute_winning_array(self) -> np.ndarray:
        win = np.ones(1 << self._n, dtype=bool)
        for c in self._components:
            win &= c._compute_winning_array()
        return win

    def _enumeration_alternative(self) -> str:
        return "method='sample' (Monte Carlo) for Shapley-Shubik and Banzhaf"

    def _wins_rows(self, members: np.ndarray) -> np.ndarray:
        out = np.ones(members.shape[0], dtype=bool)
        for c in self._components:
            out &= c._wins_rows(members)
        return out

    def _minimal_winning_masks(self, max_coalitions: int | None = None) -> tuple[int, ...]:
        cached = self._cache.get("mwc")
        if cached is None:
            masks = minimal_true(self._winning_array(), self._n).tolist()
            cached = tuple(sorted(masks, key=lambda m: (m.bit_count(), m)))
            self._cache["mwc"] = cached
        if max_coalitions is not None and len(cached) > max_coalitions:
            raise GameTooLargeError("max_coalitions", max_coalitions,
                                    f"the game has {len(cached)} minimal winning coalitions",
                                    "Raise max_coalitions=")
        return cached

    def veto_players(self) -> tuple[Hashable, ...]:
        vetoes: set[Hashable] = set()
        for c in self._components:
            vetoes.update(c.veto_players())
        return tuple(p for p in self._players if p in vetoes)
