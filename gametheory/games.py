r"""Classic TU games.

Dense games (glove, majority, unanimity) are plain
:class:`~gametheory.tu.game.TUGame` objects. Structured games
(:class:`AirportGame`, :class:`BankruptcyGame`) keep their parameters and
build the ``2**n`` array only when a method needs it; their Shapley values
come from closed forms or recursions that work for thousands of players,
and :func:`~gametheory.shapley_value` with ``method="sample"`` evaluates their
coalitions along random orders without any dense array.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from .bankruptcy import validate_problem
from .coalitions import MAX_DENSE_PLAYERS, popcount_table, require_dense, validate_players
from .errors import InvalidArgumentError
from .tu.game import TUGame, _additive_values

__all__ = ["glove", "majority", "unanimity", "assignment", "airport", "bankruptcy", "threshold",
           "AirportGame", "BankruptcyGame", "ThresholdGame"]


def _members_mask(group: Sequence[Hashable], labels: tuple, offset: int) -> int:
    return sum(1 << (offset + k) for k in range(len(group)))


def glove(left: Sequence[Hashable], right: Sequence[Hashable]) -> TUGame:
    r"""Glove game: :math:`v(S) = \min(|S \cap L|, |S \cap R|)`.

    Players are the left-glove holders followed by the right-glove holders.

    References
    ----------
    Shapley, L. S. and Shubik, M. (1969). Pure competition, coalitional
    power, and fair division. *International Economic Review* 10, 337-362.

    Examples
    --------
    >>> g = glove(["L"], ["R1", "R2"])
    >>> g.v(["L", "R2"]), g.v(["R1", "R2"])
    (1.0, 0.0)
    """
    if isinstance(left, int) or isinstance(right, int):
        raise InvalidArgumentError("left/right", (left, right), "give lists of labels",
                                   "Pass e.g. glove(['L1'], ['R1', 'R2'])")
    labels = validate_players(list(left) + list(right))
    nl, n = len(left), len(labels)
    if nl == 0 or nl == n:
        raise InvalidArgumentError("left/right", (left, right), "both sides need a player",
                                   "Give at least one left and one right holder")
    require_dense(n, "the glove game")
    lmask = (1 << nl) - 1
    masks = np.arange(1 << n, dtype=np.int64)
    cl = np.bitwise_count(masks & lmask)
    cr = np.bitwise_count(masks & ~lmask)
    return TUGame(np.minimum(cl, cr).astype(float), labels)


def assignment(values: Any, sellers: Sequence[Hashable] | None = None,
               buyers: Sequence[Hashable] | None = None) -> TUGame:
    r"""Assignment game (Shapley and Shubik 1971): the best matching within a coalition.

    Seller :math:`i` and buyer :math:`j` together produce :math:`a_{ij} \ge 0`;
    a coalition is worth its best one-to-one matching of its sellers with
    its buyers,

    .. math:: v(S) = \max_{\mu} \sum_{(i, j) \in \mu,\ i, j \in S} a_{ij}.

    Players are the sellers followed by the buyers. The core is never empty
    (it is the set of optimal dual solutions of the assignment LP).

    Parameters
    ----------
    values : array_like, shape (m, k)
        :math:`a_{ij}`, non-negative and finite.
    sellers, buyers : sequences of labels, optional
        Defaults ``S0..`` and ``B0..``.

    References
    ----------
    Shapley, L. S. and Shubik, M. (1971). The assignment game I: the core.
    *International Journal of Game Theory* 1, 111-130.

    Examples
    --------
    >>> g = assignment([[3, 1], [2, 2]])
    >>> g.players, g.v(["S0", "S1", "B0", "B1"])
    (('S0', 'S1', 'B0', 'B1'), 5.0)
    """
    try:
        a = np.array(values, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgumentError("values", values, "not a matrix of numbers",
                                   "Pass an m x k array of match values") from None
    if a.ndim != 2 or a.size == 0:
        raise InvalidArgumentError("values", values, f"expected an m x k matrix, got shape "
                                   f"{a.shape}", "Pass one row per seller, one column per buyer")
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise InvalidArgumentError("values", values, "entries must be finite and >= 0",
                                   "Replace negative match values by 0 (they never match)")
    m, k = a.shape
    sl = [f"S{i}" for i in range(m)] if sellers is None else list(sellers)
    bl = [f"B{j}" for j in range(k)] if buyers is None else list(buyers)
    labels = validate_players(sl + bl)
    if len(sl) != m or len(bl) != k:
        raise InvalidArgumentError("sellers/buyers", (sellers, buyers),
                                   f"{len(sl)} sellers and {len(bl)} buyers for a {m} x {k} matrix",
                                   "Give one label per row and per column")
    n = m + k
    require_dense(n, "the assignment game", limit=22)
    # v(S) by recursion on the lowest seller in S: unmatched, or matched to a buyer in S
    v = np.zeros(1 << n)
    masks = np.arange(1 << n, dtype=np.int64)
    smask = (1 << m) - 1
    order = np.argsort(np.bitwise_count(masks), kind="stable")
    for S in order.tolist():
        sel = S & smask
        if sel == 0 or S == sel:
            continue
        low = sel & -sel
        i = low.bit_length() - 1
        best = v[S ^ low]
        rest = S >> m
        while rest:
            bj = rest & -rest
            j = bj.bit_length() - 1
            cand = a[i, j] + v[S ^ low ^ (bj << m)]
            if cand > best:
                best = cand
            rest ^= bj
        v[S] = best
    return TUGame(v, labels)


def majority(n: int, quota: int | None = None,
             players: Sequence[Hashable] | None = None) -> TUGame:
    r"""Symmetric majority game: :math:`v(S) = 1` if :math:`|S| \ge q`, else 0.

    The default quota is a strict majority, :math:`q = \lfloor n/2 \rfloor + 1`.

    Examples
    --------
    >>> majority(3).values.tolist()
    [0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0]
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise InvalidArgumentError("n", n, "must be a positive integer", "Pass e.g. n=3")
    q = n // 2 + 1 if quota is None else quota
    if isinstance(q, bool) or not isinstance(q, int | np.integer) or not 1 <= q <= n:
        raise InvalidArgumentError("quota", quota, f"must be an integer in 1..{n}",
                                   "Pass a quota between 1 and n")
    require_dense(int(n), "the majority game")
    return TUGame((popcount_table(int(n)) >= q).astype(float),
                  validate_players(players, int(n)))


def unanimity(players: Sequence[Hashable], carrier: Sequence[Hashable]) -> TUGame:
    r"""Unanimity game :math:`u_T(S) = 1` if :math:`T \subseteq S`, else 0.

    Examples
    --------
    >>> unanimity(["a", "b", "c"], ["a", "b"]).v(["a", "b"])
    1.0
    """
    labels = validate_players(players)
    n = len(labels)
    require_dense(n, "the unanimity game")
    from .coalitions import to_mask

    t = to_mask(carrier, labels, name="carrier")
    if t == 0:
        raise InvalidArgumentError("carrier", carrier, "empty carrier",
                                   "Name at least one player")
    masks = np.arange(1 << n, dtype=np.int64)
    return TUGame(((masks & t) == t).astype(float), labels)


class AirportGame(TUGame):
    r"""Airport cost game :math:`c(S) = \max_{i \in S} c_i` (Littlechild and Owen 1973).

    Each player needs a runway of cost :math:`c_i`; a coalition pays for the
    longest runway its members need. This is a cost game: solutions are cost
    shares. Its Shapley value is the sequential cost-sharing rule: with costs
    sorted :math:`c_{(1)} \le \dots \le c_{(n)}`, every player using segment
    :math:`k` (cost :math:`c_{(k)} - c_{(k-1)}`) pays an equal share of it.

    Parameters
    ----------
    costs : array_like
        Non-negative finite cost per player.
    players : sequence, optional
        Labels.
    """

    __slots__ = ("_costs",)

    def __init__(self, costs: Any, players: Sequence[Hashable] | None = None) -> None:
        try:
            c = np.array(costs, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise InvalidArgumentError("costs", costs, "not a vector of numbers",
                                       "Pass one non-negative cost per player") from None
        if c.size == 0 or not np.all(np.isfinite(c)) or np.any(c < 0):
            raise InvalidArgumentError("costs", costs,
                                       "costs must be a non-empty list of finite numbers >= 0",
                                       "Pass one non-negative cost per player")
        self._init_common(c.size, players, True)
        c.flags.writeable = False
        object.__setattr__(self, "_costs", c)

    @property
    def costs(self) -> np.ndarray:
        """Per-player costs (read-only)."""
        return self._costs

    def _dense_values(self) -> np.ndarray:
        n = self.n
        a = np.zeros(1 << n)
        for i, ci in enumerate(self._costs):
            np.maximum(a[: 1 << i], ci, out=a[1 << i: 2 << i])
        return a

    def _worth_of_mask(self, m: int) -> float:
        if self.has_dense:
            return float(self.values[m])
        idx = [i for i in range(self.n) if (m >> i) & 1]
        return float(self._costs[idx].max()) if idx else 0.0

    def _prefix_values(self, perms: np.ndarray) -> np.ndarray:
        return np.maximum.accumulate(self._costs[perms], axis=1)

    def _shapley_closed_form(self) -> tuple[np.ndarray, str]:
        c = self._costs
        n = c.size
        order = np.argsort(c, kind="stable")
        s = c[order]
        seg = np.diff(s, prepend=0.0)            # cost of segment k
        users = n - np.arange(n)                 # players needing segment k
        share_sorted = np.cumsum(seg / users)
        phi = np.empty(n)
        phi[order] = share_sorted
        return phi, "sequential-cost-sharing"

    def __repr__(self) -> str:
        return f"AirportGame(n={self.n}, costs={self._costs.tolist()!r})"


class BankruptcyGame(TUGame):
    r"""Bankruptcy game :math:`v(S) = \max(0, E - \sum_{j \notin S} c_j)` (O'Neill 1982).

    What a coalition can secure by paying everyone else in full first. Its
    nucleolus is the Talmud rule and its Shapley value the random-arrival
    rule (Aumann and Maschler 1985).

    The exact Shapley value needs no dense array: it integrates each
    claimant's expected marginal contribution over its arrival time, with
    the distribution of earlier claims from a generating function evaluated
    by FFT (claims are integers, or scale to integers exactly by a power of
    ten). It refuses when that would be too costly and names
    ``method="sample"``.
    """

    __slots__ = ("_estate", "_claims")

    def __init__(self, estate: float, claims: Any,
                 players: Sequence[Hashable] | None = None) -> None:
        e, c = validate_problem(estate, claims)
        self._init_common(c.size, players, False)
        c.flags.writeable = False
        object.__setattr__(self, "_estate", e)
        object.__setattr__(self, "_claims", c)

    @property
    def estate(self) -> float:
        """The estate."""
        return self._estate

    @property
    def claims(self) -> np.ndarray:
        """The claims (read-only)."""
        return self._claims

    def _dense_values(self) -> np.ndarray:
        n = self.n
        if n > MAX_DENSE_PLAYERS:  # pragma: no cover - guarded by TUGame.values
            raise AssertionError
        a = _additive_values(self._claims)
        total = self._claims.sum()
        return np.maximum(0.0, self._estate - (total - a))

    def _worth_of_mask(self, m: int) -> float:
        if self.has_dense:
            return float(self.values[m])
        inside = sum(self._claims[i] for i in range(self.n) if (m >> i) & 1)
        return float(max(0.0, self._estate - (self._claims.sum() - inside)))

    def _prefix_values(self, perms: np.ndarray) -> np.ndarray:
        inside = np.cumsum(self._claims[perms], axis=1)
        return np.maximum(0.0, self._estate - (self._claims.sum() - inside))

    def _integer_scale(self) -> float | None:
        c = self._claims
        for scale in (1.0, 10.0, 100.0, 1000.0):
            s = c * scale
            if np.all(np.abs(s - np.round(s)) <= 1e-9 * np.maximum(1.0, s)):
                return scale
        return None

    def _shapley_closed_form(self) -> tuple[np.ndarray, str] | None:
        r"""Random-arrival rule by an exact quadrature over arrival times.

        Let every claimant arrive at an independent uniform time; claimant i,
        arriving at time :math:`u`, finds each other claimant already there
        with probability :math:`u`, independently. Its expected marginal
        contribution is therefore

        .. math:: \phi_i = \int_0^1 \mathbb{E}_u\bigl[\min(c_i, \max(0,
                 E - C + T + c_i))\bigr]\,du,

        with :math:`T` the claims of those already there, whose distribution
        at fixed :math:`u` is the product :math:`\prod_j (1 - u + u z^{c_j})`
        (evaluated by FFT over the integer claim sums, one factor per distinct
        claim). The integrand is a polynomial of degree n - 1 in u, so
        Gauss-Legendre quadrature with ceil(n/2) nodes is exact.
        """
        scale = self._integer_scale()
        n = self.n
        if scale is None:
            if n <= 20:
                return None          # dense exact path
            raise InvalidArgumentError(
                "claims", self._claims,
                "exact Shapley of a large bankruptcy game needs claims that scale to integers",
                "Use shapley_value(game, method='sample')")
        w = np.round(self._claims * scale).astype(np.int64)
        total = int(w.sum())
        distinct, counts = np.unique(w, return_counts=True)
        L = total + 1
        nodes = (n + 1) // 2 + 1
        work = float(nodes) * distinct.size * (distinct.size + 8) * L
        if work > 5e9:
            if n <= 20:
                return None
            raise InvalidArgumentError(
                "claims", self._claims,
                f"the exact recursion needs about {work:.2g} operations",
                "Use shapley_value(game, method='sample')")
        E = self._estate * scale
        x, wq = np.polynomial.legendre.leggauss(nodes)
        u = (x + 1.0) / 2.0
        wq = wq / 2.0
        k = np.arange(L // 2 + 1)
        t = np.arange(L, dtype=float)
        phi = np.empty(n)
        chunk = max(1, int(2e7 // max(L, 1)))
        for ci in distinct:
            marg = np.clip(E - (total - t - ci), 0.0, float(ci))
            val = 0.0
            for lo in range(0, nodes, chunk):
                uu = u[lo: lo + chunk, None]
                gf = np.ones((uu.shape[0], k.size), dtype=complex)
                for a, m in zip(distinct, counts, strict=True):
                    mm = m - 1 if a == ci else m
                    if mm:
                        base = 1.0 - uu + uu * np.exp(-2j * np.pi * k * a / L)
                        gf *= base ** mm
                dist = np.fft.irfft(gf, n=L, axis=1)
                val += float(wq[lo: lo + chunk] @ (dist @ marg))
            phi[w == ci] = val / scale
        return phi, "random-arrival-quadrature"

    def __repr__(self) -> str:
        return f"BankruptcyGame(estate={self._estate:g}, claims={self._claims.tolist()!r})"


def airport(costs: Any, players: Sequence[Hashable] | None = None) -> AirportGame:
    """Airport cost game from per-player runway costs; see :class:`AirportGame`.

    Examples
    --------
    >>> import gametheory as gt
    >>> gt.shapley_value(airport([1, 2, 3])).values.round(4).tolist()
    [0.3333, 0.8333, 1.8333]
    """
    return AirportGame(costs, players)


def bankruptcy(estate: float, claims: Any,
               players: Sequence[Hashable] | None = None) -> BankruptcyGame:
    """Bankruptcy game of a claims problem; see :class:`BankruptcyGame`.

    Examples
    --------
    >>> g = bankruptcy(200, [100, 200, 300])
    >>> g.v([1, 2])
    100.0
    """
    return BankruptcyGame(estate, claims, players)


class ThresholdGame(TUGame):
    r"""Weighted threshold game with claims: :math:`v(S) = a(S)\,[\,w(S) \ge q\,]
    + p\,a(S)\,[\,w(S) < q\,]`.

    A coalition whose weight reaches the quota :math:`q` can claim the sum of
    its members' claims :math:`a_i`; a smaller one only the fraction
    :math:`p \in [0, 1]` of it. With :math:`a = w` and :math:`p = 0` it is the
    weighted majority game scaled by members' weights. It models, for
    instance, hospitals that can hold a network to their losses only when
    together they carry enough of its work.

    The game keeps its parameters; the dense array is built only when a
    method needs it, and ``shapley_value(..., method="sample")`` works for any
    number of players.

    Parameters
    ----------
    claims : array_like
        :math:`a_i \ge 0`.
    weights : array_like
        :math:`w_i \ge 0`.
    quota : float
        :math:`q`.
    partial : float, default 0.0
        :math:`p`, in [0, 1].
    players : sequence, optional
    """

    __slots__ = ("_claims", "_weights", "_quota", "_partial")

    def __init__(self, claims: Any, weights: Any, quota: float, partial: float = 0.0,
                 players: Sequence[Hashable] | None = None) -> None:
        a = np.array(claims, dtype=float).reshape(-1)
        w = np.array(weights, dtype=float).reshape(-1)
        if a.size == 0 or a.shape != w.shape:
            raise InvalidArgumentError("claims/weights", (claims, weights),
                                       "need one claim and one weight per player",
                                       "Pass two vectors of the same, non-zero length")
        for nm, arr in (("claims", a), ("weights", w)):
            if not np.all(np.isfinite(arr)) or np.any(arr < 0):
                raise InvalidArgumentError(nm, arr, "must be finite and >= 0",
                                           f"Pass non-negative finite {nm}")
        if not np.isfinite(quota) or quota < 0:
            raise InvalidArgumentError("quota", quota, "must be finite and >= 0",
                                       "Pass a non-negative quota")
        if not 0.0 <= float(partial) <= 1.0:
            raise InvalidArgumentError("partial", partial, "must lie in [0, 1]",
                                       "Pass a fraction between 0 and 1")
        self._init_common(a.size, players, False)
        a.flags.writeable = False
        w.flags.writeable = False
        object.__setattr__(self, "_claims", a)
        object.__setattr__(self, "_weights", w)
        object.__setattr__(self, "_quota", float(quota))
        object.__setattr__(self, "_partial", float(partial))

    @property
    def claims(self) -> np.ndarray:
        return self._claims

    @property
    def weights(self) -> np.ndarray:
        return self._weights

    @property
    def quota(self) -> float:
        return self._quota

    @property
    def partial(self) -> float:
        return self._partial

    def _worth(self, a: np.ndarray, w: np.ndarray) -> np.ndarray:
        eps = 1e-12 * max(1.0, self._quota)
        return np.where(w >= self._quota - eps, a, self._partial * a)

    def _dense_values(self) -> np.ndarray:
        return self._worth(_additive_values(self._claims), _additive_values(self._weights))

    def _worth_of_mask(self, m: int) -> float:
        if self.has_dense:
            return float(self.values[m])
        idx = [i for i in range(self.n) if (m >> i) & 1]
        return float(self._worth(np.array(self._claims[idx].sum()),
                                 np.array(self._weights[idx].sum())))

    def _prefix_values(self, perms: np.ndarray) -> np.ndarray:
        return self._worth(np.cumsum(self._claims[perms], axis=1),
                           np.cumsum(self._weights[perms], axis=1))

    def __repr__(self) -> str:
        return (f"ThresholdGame(n={self.n}, quota={self._quota:g}, "
                f"partial={self._partial:g})")


def threshold(claims: Any, weights: Any, quota: float, partial: float = 0.0,
              players: Sequence[Hashable] | None = None) -> ThresholdGame:
    """Weighted threshold game with claims; see :class:`ThresholdGame`.

    Examples
    --------
    >>> g = threshold([3, 2, 1], [3, 2, 1], quota=4, partial=0.5)
    >>> g.v([0, 1]), g.v([1, 2])
    (5.0, 1.5)
    """
    return ThresholdGame(claims, weights, quota, partial, players)
