r"""Transferable-utility games.

Representation
--------------
A TU game on players :math:`N = \{0, \dots, n-1\}` is a characteristic
function :math:`v : 2^N \to \mathbb{R}` with :math:`v(\emptyset) = 0`. restrat
stores it densely: a read-only float array ``values`` of length ``2**n`` with
``values[m]`` the worth of the coalition whose bitmask is ``m`` (bit ``i`` =
player ``i``; see :mod:`gametheory.coalitions`).

A game may be a *cost game* (``cost=True``): its numbers are costs
:math:`c(S)` that players share, and a coalition objects to paying more than
its stand-alone cost. Every solver treats a cost game :math:`c` through the
profit game :math:`-c` and negates the answer, so cost shares come out
positive. Linear values (Shapley, Banzhaf) are the same either way.

Structured games (:class:`~gametheory.games.AirportGame`,
:class:`~gametheory.games.BankruptcyGame`) keep their parameters and build the
dense array only when a method needs it, so that their closed-form solutions
work for thousands of players.

References
----------
Peleg, B. and Sudhölter, P. (2007). *Introduction to the Theory of
Cooperative Games*, 2nd ed. Springer.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..coalitions import (
    MAX_DENSE_PLAYERS,
    Coalition,
    grand_mask,
    mask_to_indices,
    mask_to_labels,
    popcount_table,
    require_dense,
    to_mask,
    validate_players,
)
from ..errors import (
    GameTooLargeError,
    InvalidAllocationError,
    InvalidArgumentError,
    InvalidGameError,
    InvalidTypeError,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["TUGame"]

#: Largest n for which the 3**n pair checks (superadditivity) run.
MAX_PAIR_CHECK_PLAYERS = 16


def _log2_length(length: int, name: str) -> int:
    n = length.bit_length() - 1
    if length < 1 or (1 << n) != length:
        raise InvalidGameError(
            name, f"array of length {length}",
            "the length must be a power of two, 2**n (one worth per coalition)",
            "Pass a dense array indexed by bitmask, or use TUGame.from_dict",
        )
    return n


class TUGame:
    r"""A transferable-utility game :math:`(N, v)` stored densely by bitmask.

    Parameters
    ----------
    values : array_like
        ``2**n`` finite numbers; ``values[m]`` is :math:`v(S)` for the
        coalition with bitmask ``m``. ``values[0]`` must be 0.
    players : sequence of hashable, optional
        Player labels (default ``0..n-1``), unique.
    cost : bool, default False
        Whether the numbers are costs to be shared (see module docstring).

    Raises
    ------
    InvalidGameError
        Wrong length, non-finite worths, or :math:`v(\emptyset) \ne 0`.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.TUGame([0, 0, 0, 1], players=["A", "B"])
    >>> g.v(["A", "B"])
    1.0
    >>> gt.shapley_value(g).to_series().to_dict()
    {'A': 0.5, 'B': 0.5}
    """

    __slots__ = ("_n", "_players", "_values", "_cost", "_index")

    def __init__(self, values: Any, players: Sequence[Hashable] | None = None, *,
                 cost: bool = False) -> None:
        if isinstance(values, TUGame):
            raise InvalidTypeError("values", values, "already a TUGame",
                                   "Use the game itself, or pass game.values")
        try:
            arr = np.array(values, dtype=float, copy=True)
        except (TypeError, ValueError):
            raise InvalidTypeError("values", values, "not an array of numbers",
                                   "Pass a 1-D sequence of 2**n floats") from None
        if arr.ndim != 1:
            raise InvalidGameError("values", values, f"array has shape {arr.shape}",
                                   "Pass a 1-D array of length 2**n")
        n = _log2_length(arr.shape[0], "values")
        self._init_common(n, players, cost)
        self._set_values(arr)

    # --- construction helpers -----------------------------------------
    def _init_common(self, n: int, players: Sequence[Hashable] | None, cost: bool) -> None:
        if n < 1:
            raise InvalidGameError("n", n, "a game needs at least one player (the values "
                                   "have length 2**n with n >= 1)",
                                   "Give 2**n worths for n >= 1 players, e.g. [0, 5] for one "
                                   "player worth 5")
        if not isinstance(cost, bool | np.bool_):
            raise InvalidTypeError("cost", cost, "must be True or False",
                                   "Pass cost=True for a cost game")
        object.__setattr__(self, "_n", n)
        object.__setattr__(self, "_players", validate_players(players, n))
        object.__setattr__(self, "_cost", bool(cost))
        object.__setattr__(self, "_values", None)
        object.__setattr__(self, "_index", None)

    def _set_values(self, arr: np.ndarray) -> None:
        bad = ~np.isfinite(arr)
        if bad.any():
            m = int(np.flatnonzero(bad)[0])
            raise InvalidGameError(
                "values", arr[m],
                f"non-finite worth for coalition {mask_to_labels(m, self._players)!r} "
                f"(bitmask {m}); {int(bad.sum())} non-finite in all",
                "Replace NaN/inf worths with finite numbers",
            )
        if arr[0] != 0.0:
            raise InvalidGameError("values[0]", float(arr[0]),
                                   "the empty coalition must be worth 0",
                                   "Set v(empty) = 0 (subtract a constant if needed)")
        arr.flags.writeable = False
        object.__setattr__(self, "_values", arr)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; build a new game instead")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    @classmethod
    def from_dict(cls, worths: Mapping[Any, float], players: Sequence[Hashable], *,
                  default: float = 0.0, cost: bool = False) -> TUGame:
        """Game from a mapping coalition -> worth.

        Parameters
        ----------
        worths : mapping
            Keys are coalitions (iterables of labels or indices, or bitmask
            ints); values their worths. Listing a coalition twice (e.g. as
            ``("A", "B")`` and ``("B", "A")``) is an error.
        players : sequence
            Player labels.
        default : float, default 0.0
            Worth of coalitions not listed.
        cost : bool, default False
            Whether the worths are costs.

        Examples
        --------
        >>> g = TUGame.from_dict({("A", "B"): 1.0}, players=["A", "B"])
        >>> g.values.tolist()
        [0.0, 0.0, 0.0, 1.0]
        """
        labels = validate_players(players)
        n = len(labels)
        require_dense(n, "TUGame.from_dict")
        if not isinstance(worths, Mapping):
            raise InvalidTypeError("worths", worths, "not a mapping",
                                   "Pass a dict {coalition: worth}")
        arr = np.full(1 << n, float(default))
        arr[0] = 0.0
        seen: dict[int, Any] = {}
        for key, val in worths.items():
            m = to_mask(key, labels, name="worths key")
            if m in seen:
                raise InvalidGameError("worths", key,
                                       f"coalition listed twice (also as {seen[m]!r})",
                                       "List every coalition once")
            seen[m] = key
            try:
                arr[m] = float(val)
            except (TypeError, ValueError):
                raise InvalidGameError(f"worths[{key!r}]", val, "not a number",
                                       "Give every coalition a numeric worth") from None
        return cls(arr, labels, cost=cost)

    @classmethod
    def from_function(cls, f: Callable[[frozenset], float], players: Sequence[Hashable], *,
                      cost: bool = False) -> TUGame:
        """Game from a function of the coalition's labels.

        ``f`` is called once per non-empty coalition with a ``frozenset`` of
        labels; ``v(empty)`` is 0.

        Examples
        --------
        >>> g = TUGame.from_function(lambda S: len(S) ** 2, players=["a", "b", "c"])
        >>> g.v(["a", "b", "c"])
        9.0
        """
        labels = validate_players(players)
        n = len(labels)
        require_dense(n, "TUGame.from_function", limit=22)
        if not callable(f):
            raise InvalidTypeError("f", f, "not callable",
                                   "Pass a function of a frozenset of labels")
        arr = np.zeros(1 << n)
        for m in range(1, 1 << n):
            arr[m] = float(f(frozenset(mask_to_labels(m, labels))))
        return cls(arr, labels, cost=cost)

    # --- basic accessors ------------------------------------------------
    @property
    def n(self) -> int:
        """Number of players."""
        return self._n

    @property
    def players(self) -> tuple[Hashable, ...]:
        """Player labels, in bit order."""
        return self._players

    @property
    def is_cost_game(self) -> bool:
        """Whether the worths are costs."""
        return self._cost

    @property
    def values(self) -> np.ndarray:
        """Read-only dense array of worths, length ``2**n``, by bitmask."""
        if self._values is None:
            require_dense(self._n, f"the dense form of {type(self).__name__}",
                          "the game's structured methods (e.g. shapley_value) or "
                          "shapley_value(method='sample')")
            self._set_values(self._dense_values())
        return self._values

    def _dense_values(self) -> np.ndarray:
        """The dense worths; structured subclasses build them from their parameters."""
        return np.array(self._values, dtype=float)

    @property
    def has_dense(self) -> bool:
        """Whether the dense array has been built (always for plain games)."""
        return self._values is not None

    def mask(self, coalition: Coalition, name: str = "coalition") -> int:
        """Bitmask of *coalition* (labels, indices or a bitmask)."""
        return to_mask(coalition, self._players, name=name)

    def v(self, coalition: Coalition) -> float:
        """Worth of *coalition*."""
        return float(self._worth_of_mask(self.mask(coalition)))

    __call__ = v

    def _worth_of_mask(self, m: int) -> float:
        return float(self.values[m])

    @property
    def grand_value(self) -> float:
        """:math:`v(N)`."""
        return self._worth_of_mask(grand_mask(self._n))

    def singleton_values(self) -> np.ndarray:
        """:math:`v(\\{i\\})` for every player."""
        return np.array([self._worth_of_mask(1 << i) for i in range(self._n)])

    def allocation(self, x: Any, name: str = "x") -> np.ndarray:
        """Validate an allocation: length n, finite; returns a float array."""
        try:
            arr = np.asarray(x, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise InvalidAllocationError(name, x, "not a vector of numbers",
                                         f"Pass {self._n} numbers in players order") from None
        if np.ndim(x) > 1 and np.asarray(x).ndim != 1:
            raise InvalidAllocationError(name, x, f"has shape {np.shape(x)}",
                                         f"Pass a 1-D vector of {self._n} numbers")
        if arr.shape[0] != self._n:
            raise InvalidAllocationError(name, x,
                                         f"{arr.shape[0]} entries for {self._n} players",
                                         f"Pass {self._n} numbers in the order {self._players!r}")
        if not np.all(np.isfinite(arr)):
            raise InvalidAllocationError(name, x, "non-finite entries",
                                         "Replace NaN/inf by finite numbers")
        return arr

    def to_series(self, x: Any, name: str = "allocation") -> pd.Series:
        """Labelled pandas view of an allocation."""
        import pandas as pd

        arr = np.asarray(x, dtype=float) if not hasattr(x, "values") or isinstance(
            x, np.ndarray) else np.asarray(x)
        arr = self.allocation(arr)
        return pd.Series(arr, index=pd.Index(self._players, name="player"), name=name)

    def to_frame(self) -> pd.DataFrame:
        """Every coalition with its members and worth (dense games only)."""
        import pandas as pd

        vals = self.values
        masks = np.arange(vals.shape[0])
        return pd.DataFrame({
            "mask": masks,
            "coalition": [mask_to_labels(m, self._players) for m in masks],
            "size": popcount_table(self._n),
            "worth": vals,
        }).set_index("mask")

    def __repr__(self) -> str:
        kind = "cost game" if self._cost else "game"
        return f"{type(self).__name__}({kind}, n={self._n}, players={self._players!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TUGame):
            return NotImplemented
        return (self._players == other._players and self._cost == other._cost
                and np.array_equal(self.values, other.values))

    __hash__ = None  # type: ignore[assignment]

    # --- the profit form used by solvers ---------------------------------
    def profit_values(self) -> np.ndarray:
        """Worths of the profit game (``-c`` for a cost game, else ``v``)."""
        return -self.values if self._cost else self.values

    def as_profit_game(self) -> TUGame:
        """This game as a profit game (``-c`` for cost games; ``self`` otherwise)."""
        if not self._cost:
            return self
        return TUGame(-self.values, self._players)

    # --- derived games ---------------------------------------------------
    def zero_normalized(self) -> TUGame:
        r"""The 0-normalised game :math:`v_0(S) = v(S) - \sum_{i\in S} v(\{i\})`."""
        vals = self.values
        n = self._n
        single = vals[1 << np.arange(n)]
        add = _additive_values(single)
        return TUGame(vals - add, self._players, cost=self._cost)

    def dual(self) -> TUGame:
        r"""The dual game :math:`v^*(S) = v(N) - v(N \setminus S)`."""
        vals = self.values
        return TUGame(vals[-1] - vals[::-1], self._players, cost=self._cost)

    def subgame(self, coalition: Coalition) -> TUGame:
        """The game restricted to the players of *coalition* (in game order)."""
        m = self.mask(coalition)
        idx = mask_to_indices(m)
        if not idx:
            raise InvalidArgumentError("coalition", coalition, "empty coalition",
                                       "Pass at least one player")
        vals = self.values
        k = len(idx)
        sub = np.zeros(1 << k, dtype=np.int64)
        for j, i in enumerate(idx):
            sub[1 << j: 2 << j] = sub[: 1 << j] | (1 << i)
        return TUGame(vals[sub], [self._players[i] for i in idx], cost=self._cost)

    def scaled(self, a: float, b: Any = None) -> TUGame:
        r"""Strategically equivalent game :math:`a\,v(S) + \sum_{i \in S} b_i`, ``a > 0``."""
        if not (np.isfinite(a) and a > 0):
            raise InvalidArgumentError("a", a, "must be a positive finite number",
                                       "Pass a > 0")
        bb = np.zeros(self._n) if b is None else self.allocation(b, "b")
        return TUGame(a * self.values + _additive_values(bb), self._players, cost=self._cost)

    def __add__(self, other: TUGame) -> TUGame:
        if not isinstance(other, TUGame):
            return NotImplemented
        if other._players != self._players or other._cost != self._cost:
            raise InvalidArgumentError("other", other, "games have different players or kinds",
                                       "Add games on the same players")
        return TUGame(self.values + other.values, self._players, cost=self._cost)

    # --- properties (on the profit form) ---------------------------------
    @property
    def is_superadditive(self) -> bool:
        r""":math:`v(S \cup T) \ge v(S) + v(T)` for disjoint S, T (profit form).

        Checks all :math:`3^n` disjoint pairs, vectorised per coalition
        size; refuses beyond ``n = 16``.
        """
        require_dense(self._n, "the superadditivity check (3**n pairs)",
                      limit=MAX_PAIR_CHECK_PLAYERS)
        v = self.profit_values()
        n = self._n
        tol = 1e-9 * max(1.0, float(np.abs(v).max()))
        for t in range(1, 1 << n):
            # all S disjoint from t with S > t (each unordered pair once)
            comp = grand_mask(n) & ~t
            s = _submasks_of(comp)
            s = s[s > t]
            if s.size and np.any(v[s | t] < v[s] + v[t] - tol):
                return False
        return True

    @property
    def is_convex(self) -> bool:
        r"""Supermodularity :math:`v(S\cup T) + v(S \cap T) \ge v(S) + v(T)`.

        Uses the equivalent local test
        :math:`v(S+i+j) - v(S+i) - v(S+j) + v(S) \ge 0` for ``i, j`` not in S,
        which is :math:`O(n^2 2^n)` and vectorised.
        """
        v = self.profit_values()
        n = self._n
        tol = 1e-9 * max(1.0, float(np.abs(v).max()))
        masks = np.arange(1 << n)
        for i in range(n):
            for j in range(i + 1, n):
                bi, bj = 1 << i, 1 << j
                s = masks[(masks & (bi | bj)) == 0]
                d = v[s | bi | bj] - v[s | bi] - v[s | bj] + v[s]
                if np.any(d < -tol):
                    return False
        return True

    @property
    def is_monotone(self) -> bool:
        r""":math:`S \subseteq T \Rightarrow v(S) \le v(T)` (profit form)."""
        v = self.profit_values()
        n = self._n
        tol = 1e-9 * max(1.0, float(np.abs(v).max()))
        for i in range(n):
            r = v.reshape(-1, 2, 1 << i)
            if np.any(r[:, 1, :] < r[:, 0, :] - tol):
                return False
        return True

    @property
    def is_essential(self) -> bool:
        r""":math:`v(N) > \sum_i v(\{i\})` (profit form)."""
        sign = -1.0 if self._cost else 1.0
        return bool(sign * self.grand_value > sign * self.singleton_values().sum() + 1e-12)

    @property
    def is_balanced(self) -> bool:
        """Whether the core is non-empty (Bondareva-Shapley LP); see :func:`core_is_empty`."""
        from .core import core_is_empty

        return not core_is_empty(self)


def _submasks_of(mask: int) -> np.ndarray:
    idx = mask_to_indices(mask)
    sub = np.zeros(1 << len(idx), dtype=np.int64)
    for j, i in enumerate(idx):
        sub[1 << j: 2 << j] = sub[: 1 << j] | (1 << i)
    return sub


def _additive_values(weights: np.ndarray) -> np.ndarray:
    """``a[m] = sum_{i in m} w_i`` for every bitmask, built by doubling."""
    n = len(weights)
    if n > MAX_DENSE_PLAYERS:
        raise GameTooLargeError("n", n, "additive game too large to store densely",
                                "Use fewer players")
    a = np.zeros(1 << n)
    for i, w in enumerate(np.asarray(weights, dtype=float)):
        np.add(a[: 1 << i], w, out=a[1 << i: 2 << i])
    return a


def additive_values(weights: Iterable[float]) -> np.ndarray:
    """Dense worths of the additive game :math:`v(S) = \\sum_{i \\in S} w_i`."""
    return _additive_values(np.asarray(list(weights), dtype=float))
