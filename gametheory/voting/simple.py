r"""Simple games: the shared base class and games given by minimal winning coalitions.

A *simple game* on players :math:`N` is a monotone family of *winning*
coalitions: :math:`\emptyset` loses, :math:`N` wins, and every superset of a
winning coalition wins. It is determined by its minimal winning coalitions.
Definitions follow Taylor & Zwicker, *Simple Games* (1999), and Peleg &
Sudhölter, *Introduction to the Theory of Cooperative Games* (2007, ch. 1):

* a coalition :math:`B` is *blocking* when :math:`N \setminus B` loses, i.e.
  the joint opposition of :math:`B` defeats every proposal;
* player :math:`i` is a *veto* player when :math:`N \setminus \{i\}` loses,
  and a *dummy* when it is critical in no winning coalition;
* the game is *proper* when the complement of a winning coalition always
  loses, *strong* when the complement of a losing coalition always wins,
  and *decisive* when it is both (a constant-sum game).

Queries that need every coalition enumerate the :math:`2^n` bitmasks in
numpy and refuse beyond :data:`ENUMERATION_LIMIT` players.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np

from ..coalitions import (
    Coalition,
    mask_to_indices,
    mask_to_labels,
    popcount_table,
    require_dense,
    to_mask,
    validate_players,
)
from ..errors import InvalidArgumentError, InvalidGameError, InvalidTypeError

__all__ = ["ENUMERATION_LIMIT", "SimpleGame"]

#: Largest number of players for which a method enumerates all ``2**n``
#: coalitions (``2**25`` booleans are 32 MiB; every pass is vectorised).
ENUMERATION_LIMIT = 25


def _halves(arr: np.ndarray, i: int) -> tuple[np.ndarray, np.ndarray]:
    """Views ``(without_i, with_i)`` of a bitmask-indexed array, paired ``m <-> m | 1<<i``."""
    v = arr.reshape(-1, 2, 1 << i)
    return v[:, 0, :], v[:, 1, :]


def upward_closure(masks: np.ndarray, n: int) -> np.ndarray:
    """Boolean array of length ``2**n``: True on every superset of some mask."""
    win = np.zeros(1 << n, dtype=bool)
    win[np.asarray(masks, dtype=np.int64)] = True
    for i in range(n):
        lo, hi = _halves(win, i)
        hi |= lo
    return win


def minimal_true(win: np.ndarray, n: int) -> np.ndarray:
    """Masks ``m`` with ``win[m]`` and ``not win[m - {i}]`` for every member ``i``."""
    minimal = win.copy()
    for i in range(n):
        lo_w, _ = _halves(win, i)
        _, hi_m = _halves(minimal, i)
        hi_m &= ~lo_w
    return np.flatnonzero(minimal).astype(np.int64)


def reduce_to_minimal(masks: Sequence[int]) -> tuple[int, ...]:
    """Drop every mask that contains another one; sorted by size then value."""
    uniq = sorted(set(int(m) for m in masks), key=lambda m: (m.bit_count(), m))
    kept: list[int] = []
    for m in uniq:
        if not any((m & k) == k for k in kept):
            kept.append(m)
    return tuple(kept)


class SimpleGame:
    """A monotone simple game given by its minimal winning coalitions.

    Parameters
    ----------
    minimal_winning : iterable of coalitions
        The minimal winning coalitions, each an iterable of player labels or
        indices, or an ``int`` bitmask. Supersets of listed coalitions are
        dropped, so any generating family of winning coalitions may be given.
    players : sequence of labels, optional
        Player labels (default ``0..n-1``; then *n* is required).
    n : int, optional
        Number of players when *players* is not given.

    Attributes
    ----------
    players : tuple
        Player labels.
    n : int
        Number of players.

    Notes
    -----
    Objects are immutable. Methods that need all :math:`2^n` coalitions
    (blocking coalitions, the Johnston index, conversion to a TU game)
    refuse beyond :data:`ENUMERATION_LIMIT` players.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.SimpleGame([["A", "B"], ["A", "C"]], players=["A", "B", "C"])
    >>> g.is_winning(["A", "C"]), g.is_winning(["B", "C"])
    (True, False)
    >>> g.veto_players()
    ('A',)
    """

    _players: tuple[Hashable, ...]
    _n: int
    _cache: dict[str, Any]

    def __init__(self, minimal_winning: Iterable[Coalition],
                 players: Sequence[Hashable] | None = None, *, n: int | None = None) -> None:
        if players is None and n is None:
            raise InvalidArgumentError("players", None, "neither players nor n given",
                                       "Pass players=[...] or n=<number of players>")
        labels = validate_players(players, n)
        if isinstance(minimal_winning, str | bytes) or not isinstance(minimal_winning, Iterable):
            raise InvalidTypeError("minimal_winning", minimal_winning,
                                   "not an iterable of coalitions",
                                   "Pass e.g. [['A', 'B'], ['A', 'C']]")
        masks = [to_mask(c, labels, name="minimal_winning") for c in minimal_winning]
        if not masks:
            raise InvalidGameError("minimal_winning", minimal_winning,
                                   "no winning coalition: the grand coalition must win",
                                   "Give at least one winning coalition")
        if 0 in masks:
            raise InvalidGameError("minimal_winning", minimal_winning,
                                   "the empty coalition cannot win",
                                   "Remove the empty coalition")
        self._init_common(labels)
        object.__setattr__(self, "_mwc", reduce_to_minimal(masks))

    # -- construction helpers ------------------------------------------------
    def _init_common(self, labels: tuple[Hashable, ...]) -> None:
        object.__setattr__(self, "_players", labels)
        object.__setattr__(self, "_n", len(labels))
        object.__setattr__(self, "_cache", {})

    @classmethod
    def from_winning_array(cls, winning: Any,
                           players: Sequence[Hashable] | None = None) -> SimpleGame:
        """Build from a boolean array of length ``2**n`` indexed by bitmask.

        The array must describe a monotone game (empty loses, grand coalition
        wins, supersets of winners win).
        """
        arr = np.asarray(winning)
        if arr.ndim != 1 or arr.size < 2 or arr.size & (arr.size - 1):
            raise InvalidGameError("winning", winning, "length is not a power of two >= 2",
                                   "Pass one truth value per bitmask, length 2**n")
        n = arr.size.bit_length() - 1
        require_dense(n, "SimpleGame.from_winning_array", limit=ENUMERATION_LIMIT)
        win = arr.astype(bool)
        if win[0] or not win[-1]:
            raise InvalidGameError("winning", winning,
                                   "the empty coalition must lose and the grand coalition win",
                                   "Fix the first and last entries")
        if not np.array_equal(upward_closure(np.flatnonzero(win), n), win):
            raise InvalidGameError("winning", winning, "not monotone",
                                   "Every superset of a winning coalition must win")
        return cls(minimal_true(win, n).tolist(), players, n=n)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} objects are immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} objects are immutable")

    def __repr__(self) -> str:
        mwc = [mask_to_labels(m, self._players) for m in self._mwc[:6]]
        more = ", ..." if len(self._mwc) > 6 else ""
        return f"SimpleGame(minimal_winning={mwc}{more}, players={self._players!r})"

    # -- attributes ---------------------------------------------------------
    @property
    def players(self) -> tuple[Hashable, ...]:
        """Player labels, in index order."""
        return self._players

    @property
    def n(self) -> int:
        """Number of players."""
        return self._n

    # -- core predicate (subclasses override) -------------------------------
    def _wins(self, mask: int) -> bool:
        return any((mask & m) == m for m in self._mwc)

    def _winning_array(self) -> np.ndarray:
        """Read-only boolean array ``win[m]`` over all ``2**n`` bitmasks."""
        win = self._cache.get("win")
        if win is None:
            require_dense(self._n, f"{type(self).__name__} enumeration",
                          self._enumeration_alternative(), limit=ENUMERATION_LIMIT)
            win = self._compute_winning_array()
            win.flags.writeable = False
            self._cache["win"] = win
        return win

    def _compute_winning_array(self) -> np.ndarray:
        return upward_closure(np.array(self._mwc, dtype=np.int64), self._n)

    def _enumeration_alternative(self) -> str:
        return ("method='sample' (Monte Carlo) for Shapley-Shubik and Banzhaf, or a "
                "WeightedVotingGame (dynamic programming) if the game is weighted")

    def _minimal_winning_masks(self, max_coalitions: int | None = None) -> tuple[int, ...]:
        return self._mwc

    def _wins_rows(self, members: np.ndarray) -> np.ndarray:
        """Vectorised winning test: ``members`` is a boolean matrix (coalitions x players)."""
        out = np.zeros(members.shape[0], dtype=bool)
        for m in self._mwc:
            idx = list(mask_to_indices(m))
            out |= members[:, idx].all(axis=1)
        return out

    # -- public queries -----------------------------------------------------
    def is_winning(self, coalition: Coalition) -> bool:
        """Whether *coalition* (labels, indices or a bitmask) wins."""
        return bool(self._wins(to_mask(coalition, self._players)))

    def winning_array(self) -> np.ndarray:
        """Boolean array of length ``2**n``: ``win[m]`` for every bitmask ``m`` (read-only).

        Refuses beyond :data:`ENUMERATION_LIMIT` players.
        """
        return self._winning_array()

    def minimal_winning_coalitions(self, *, as_masks: bool = False,
                                   max_coalitions: int = 200_000) -> tuple[Any, ...]:
        """The minimal winning coalitions.

        Parameters
        ----------
        as_masks : bool
            Return bitmasks (``int``) instead of tuples of labels.
        max_coalitions : int
            Refuse (:class:`~gametheory.errors.GameTooLargeError`) when a
            weighted game has more minimal winning coalitions than this.

        Returns
        -------
        tuple
            Tuples of labels in player order (or bitmasks), by size then mask.
        """
        masks = self._minimal_winning_masks(max_coalitions)
        if as_masks:
            return tuple(masks)
        return tuple(mask_to_labels(m, self._players) for m in masks)

    def minimal_blocking_coalitions(self, *, as_masks: bool = False) -> tuple[Any, ...]:
        """The minimal blocking coalitions.

        A coalition :math:`B` blocks when :math:`N \\setminus B` loses: its joint
        opposition defeats every proposal. Enumerates all coalitions, so it
        refuses beyond :data:`ENUMERATION_LIMIT` players.
        """
        win = self._winning_array()
        blocking = ~win[::-1]  # complement of m is full ^ m == (2**n - 1) - m
        masks = sorted(minimal_true(blocking, self._n).tolist(),
                       key=lambda m: (m.bit_count(), m))
        if as_masks:
            return tuple(masks)
        return tuple(mask_to_labels(m, self._players) for m in masks)

    def veto_players(self) -> tuple[Hashable, ...]:
        """Players whose absence makes the rest lose (members of every winning coalition)."""
        full = (1 << self._n) - 1
        return tuple(p for i, p in enumerate(self._players) if not self._wins(full ^ (1 << i)))

    def dummy_players(self) -> tuple[Hashable, ...]:
        """Players critical in no winning coalition (in no minimal winning coalition)."""
        union = 0
        for m in self._minimal_winning_masks():
            union |= m
        return tuple(p for i, p in enumerate(self._players) if not union >> i & 1)

    def is_proper(self) -> bool:
        """Whether no two disjoint coalitions both win (S wins => N minus S loses)."""
        mwc = self._minimal_winning_masks()
        if len(mwc) <= 2000:
            return not any((a & b) == 0 for k, a in enumerate(mwc) for b in mwc[k + 1:])
        win = self._winning_array()
        return not bool(np.any(win & win[::-1]))

    def is_strong(self) -> bool:
        """Whether S loses => N minus S wins (no two complementary losing coalitions)."""
        win = self._winning_array()
        return not bool(np.any(~win & ~win[::-1]))

    def is_decisive(self) -> bool:
        """Whether the game is proper and strong (constant-sum, Peleg & Sudhölter 2007)."""
        return self.is_proper() and self.is_strong()

    def to_tugame(self) -> Any:
        """The 0-1 TU game ``v(S) = 1`` if ``S`` wins else ``0`` (dense, ``n <= 25``)."""
        from gametheory.tu.game import TUGame

        return TUGame(self._winning_array().astype(float), self._players)

    # -- enumeration helpers for the power indices --------------------------
    def _swing_data(self) -> dict[str, np.ndarray]:
        """Per-player swing counts, by size, and critical-player counts (enumeration)."""
        data = self._cache.get("swings")
        if data is not None:
            return data
        win = self._winning_array()
        n = self._n
        pc = popcount_table(n)
        swings = np.zeros(n, dtype=np.int64)
        by_size = np.zeros((n, n), dtype=np.int64)  # by_size[i, s]: swings with |S minus i| = s
        kappa = np.zeros(1 << n, dtype=np.uint8)
        for i in range(n):
            lo, hi = _halves(win, i)
            crit = hi & ~lo
            swings[i] = int(np.count_nonzero(crit))
            pc_lo, _ = _halves(pc, i)
            by_size[i] = np.bincount(pc_lo[crit], minlength=n)[:n]
            _, k_hi = _halves(kappa, i)
            k_hi += crit
        data = {"swings": swings, "by_size": by_size, "kappa": kappa,
                "n_winning": np.int64(np.count_nonzero(win))}
        self._cache["swings"] = data
        return data

    def _johnston_raw(self) -> tuple[np.ndarray, int]:
        win = self._winning_array()
        data = self._swing_data()
        kappa = data["kappa"]
        inv = np.zeros(kappa.shape, dtype=float)
        nz = kappa > 0
        inv[nz] = 1.0 / kappa[nz]
        raw = np.zeros(self._n, dtype=float)
        for i in range(self._n):
            lo, hi = _halves(win, i)
            _, inv_hi = _halves(inv, i)
            raw[i] = inv_hi[hi & ~lo].sum()
        return raw, int(np.count_nonzero(nz))

    def _mask_indices(self, mask: int) -> tuple[int, ...]:
        return mask_to_indices(mask)
