r"""Coalitions as bitmasks: the one vocabulary every module of restrat uses.

Representation
--------------
Players are numbered :math:`0, \dots, n-1` in the order of a game's
``players`` tuple. A coalition :math:`S \subseteq N` is the integer

.. math:: m(S) = \sum_{i \in S} 2^i ,

so bit ``i`` is set exactly when player ``i`` belongs to ``S``; the empty
coalition is ``0`` and the grand coalition is ``2**n - 1``. A dense
characteristic function is then a float array ``v`` of length ``2**n`` with
``v[m(S)]`` the worth of ``S``.

The public API accepts a coalition as

* an ``int`` (including numpy integers): taken as the bitmask itself;
* any other iterable (list, tuple, set, frozenset) of player labels or of
  player indices: labels are looked up first, then integers in
  ``range(n)`` are taken as indices.

Everything is vectorised over arrays of masks; nothing here loops in Python
over the :math:`2^n` coalitions.

Examples
--------
>>> from gametheory.coalitions import to_mask, mask_to_labels, popcount
>>> to_mask(["B", "C"], players=("A", "B", "C"))
6
>>> mask_to_labels(6, ("A", "B", "C"))
('B', 'C')
>>> popcount(np.arange(8)).tolist()
[0, 1, 1, 2, 1, 2, 2, 3]
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from math import comb
from typing import Any

import numpy as np

from .errors import GameTooLargeError, InvalidArgumentError, InvalidTypeError

__all__ = [
    "MAX_DENSE_PLAYERS",
    "Coalition",
    "validate_players",
    "to_mask",
    "to_masks",
    "mask_to_indices",
    "mask_to_labels",
    "popcount",
    "popcount_table",
    "all_masks",
    "masks_of_size",
    "masks_by_size",
    "grand_mask",
    "membership",
    "singleton_masks",
    "submasks",
    "require_dense",
]

#: Largest number of players for which a dense array of ``2**n`` floats is
#: built (``2**28`` doubles are 2 GiB).
MAX_DENSE_PLAYERS = 28

Coalition = int | Iterable[Hashable]


def validate_players(players: Sequence[Hashable] | None, n: int | None = None,
                     name: str = "players") -> tuple[Hashable, ...]:
    """Return *players* as a tuple of unique hashable labels.

    ``None`` gives ``(0, 1, ..., n-1)``. Raises :class:`InvalidArgumentError`
    on duplicates or a length that differs from *n*.
    """
    if players is None:
        if n is None:
            raise InvalidArgumentError(name, players, "no players given",
                                       "Pass a list of player labels")
        return tuple(range(n))
    if isinstance(players, str | bytes):
        raise InvalidTypeError(name, players, "a string is not a list of labels",
                               "Pass a list such as ['A', 'B', 'C']")
    try:
        labels = tuple(players)
    except TypeError:
        raise InvalidTypeError(name, players, "not an iterable of labels",
                               "Pass a list of hashable player labels") from None
    for lab in labels:
        try:
            hash(lab)
        except TypeError:
            raise InvalidTypeError(name, players, f"label {lab!r} is not hashable",
                                   "Use strings or integers as player labels") from None
    if len(set(labels)) != len(labels):
        seen: set[Hashable] = set()
        dup = [x for x in labels if x in seen or seen.add(x)]  # type: ignore[func-returns-value]
        raise InvalidArgumentError(name, players, f"duplicate labels {dup!r}",
                                   "Give every player a distinct label")
    if n is not None and len(labels) != n:
        raise InvalidArgumentError(name, players,
                                   f"{len(labels)} labels for a game of {n} players",
                                   f"Pass exactly {n} labels")
    return labels


def _index_of(item: Any, players: Sequence[Hashable], lookup: dict[Hashable, int] | None,
              name: str) -> int:
    if lookup is not None:
        try:
            if item in lookup:
                return lookup[item]
        except TypeError:
            pass
    if isinstance(item, int | np.integer) and not isinstance(item, bool):
        if 0 <= int(item) < len(players):
            return int(item)
    raise InvalidArgumentError(name, item, f"not a player label or index of {tuple(players)!r}",
                               "Use one of the game's player labels or an index in range(n)")


def to_mask(coalition: Coalition, players: Sequence[Hashable] | None = None,
            n: int | None = None, name: str = "coalition") -> int:
    """Bitmask of one coalition.

    Parameters
    ----------
    coalition : int or iterable
        A bitmask (``int``) or an iterable of labels or indices.
    players : sequence of labels, optional
        The game's player labels (default ``range(n)``).
    n : int, optional
        Number of players, when *players* is not given.
    name : str
        Argument name used in error messages.

    Returns
    -------
    int
        The bitmask.
    """
    if players is None:
        if n is None:
            raise InvalidArgumentError("players", None, "neither players nor n given",
                                       "Pass the game's players or n")
        players = range(n)  # type: ignore[assignment]
    size = len(players)  # type: ignore[arg-type]
    if isinstance(coalition, bool):
        raise InvalidTypeError(name, coalition, "a bool is not a coalition",
                               "Pass a bitmask int or an iterable of players")
    if isinstance(coalition, int | np.integer):
        m = int(coalition)
        if m < 0 or m >> size:
            raise InvalidArgumentError(name, coalition,
                                       f"bitmask outside 0..2**{size}-1",
                                       "Pass a bitmask of the game's players")
        return m
    if isinstance(coalition, str | bytes):
        # a single string label, not an iterable of characters
        coalition = (coalition,)
    try:
        items = list(coalition)  # type: ignore[arg-type]
    except TypeError:
        raise InvalidTypeError(name, coalition, "not an int bitmask or iterable of players",
                               "Pass e.g. ['A', 'B'] or a bitmask such as 0b011") from None
    lookup = {p: i for i, p in enumerate(players)} if not isinstance(players, range) else None
    m = 0
    for it in items:
        m |= 1 << _index_of(it, players, lookup, name)  # type: ignore[arg-type]
    return m


def to_masks(coalitions: Iterable[Coalition], players: Sequence[Hashable] | None = None,
             n: int | None = None, name: str = "coalitions") -> np.ndarray:
    """Array (``int64``) of bitmasks for several coalitions."""
    return np.array([to_mask(c, players, n, name) for c in coalitions], dtype=np.int64)


def mask_to_indices(mask: int) -> tuple[int, ...]:
    """Indices of the players in *mask*, ascending."""
    mask = int(mask)
    out = []
    i = 0
    while mask:
        if mask & 1:
            out.append(i)
        mask >>= 1
        i += 1
    return tuple(out)


def mask_to_labels(mask: int, players: Sequence[Hashable]) -> tuple[Hashable, ...]:
    """Labels of the players in *mask*, in the game's order."""
    return tuple(players[i] for i in mask_to_indices(mask))


def popcount(masks: np.ndarray | int) -> np.ndarray:
    """Number of players in each coalition (vectorised)."""
    arr = np.asarray(masks)
    if arr.dtype.kind not in "iu":
        raise InvalidTypeError("masks", masks, "bitmasks must be integers",
                               "Pass an integer array of bitmasks")
    return np.bitwise_count(arr).astype(np.int64)


def popcount_table(n: int) -> np.ndarray:
    """``uint8`` array of length ``2**n``: the size of every coalition.

    Built by doubling (``t[2^k + m] = t[m] + 1``), so it costs one byte per
    coalition and no temporary integer array.
    """
    t = np.zeros(1 << n, dtype=np.uint8)
    half = 1
    for _ in range(n):
        np.add(t[:half], 1, out=t[half:2 * half])
        half *= 2
    return t


def all_masks(n: int) -> np.ndarray:
    """``arange(2**n)``: every coalition, in bitmask order."""
    require_dense(n, "all_masks")
    return np.arange(1 << n, dtype=np.int64)


def grand_mask(n: int) -> int:
    """Bitmask of the grand coalition."""
    return (1 << n) - 1


def singleton_masks(n: int) -> np.ndarray:
    """Bitmasks ``1 << i`` of the singletons."""
    return np.left_shift(np.int64(1), np.arange(n, dtype=np.int64))


def masks_of_size(n: int, k: int) -> np.ndarray:
    """All coalitions of exactly *k* players, ascending (``comb(n, k)`` masks)."""
    if not 0 <= k <= n:
        raise InvalidArgumentError("k", k, f"coalition size outside 0..{n}",
                                   "Pass a size between 0 and n")
    if k == 0:
        return np.zeros(1, dtype=np.int64)
    if comb(n, k) > 1 << 27:
        raise GameTooLargeError("k", k, f"comb({n}, {k}) coalitions is too many to list",
                                "Enumerate a smaller size or sample coalitions")
    # Gosper's hack, vectorised by building from smaller sizes would be more
    # complex; select from the popcount table instead.
    require_dense(n, "masks_of_size")
    t = popcount_table(n)
    return np.flatnonzero(t == k).astype(np.int64)


def masks_by_size(n: int) -> list[np.ndarray]:
    """List whose entry ``k`` holds every coalition of size ``k``."""
    require_dense(n, "masks_by_size")
    t = popcount_table(n)
    order = np.argsort(t, kind="stable")
    counts = np.bincount(t, minlength=n + 1)
    return [a.astype(np.int64) for a in np.split(order, np.cumsum(counts)[:-1])]


def membership(masks: np.ndarray, n: int) -> np.ndarray:
    """Boolean matrix ``M[k, i]`` = player ``i`` in coalition ``masks[k]``."""
    masks = np.asarray(masks, dtype=np.int64)
    return ((masks[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(bool)


def submasks(mask: int) -> np.ndarray:
    """Every sub-coalition of *mask* (including 0 and *mask*), ascending."""
    idx = mask_to_indices(mask)
    k = len(idx)
    if k > MAX_DENSE_PLAYERS:
        raise GameTooLargeError("mask", mask, f"{k} players have 2**{k} sub-coalitions",
                                "Use a smaller coalition")
    sub = np.zeros(1 << k, dtype=np.int64)
    for j, i in enumerate(idx):
        sub[1 << j: 2 << j] = sub[: 1 << j] | (1 << i)
    return np.sort(sub)


def require_dense(n: int, method: str, alternative: str | None = None,
                  limit: int = MAX_DENSE_PLAYERS) -> None:
    """Raise :class:`GameTooLargeError` when ``2**n`` state is too much.

    Parameters
    ----------
    n : int
        Number of players.
    method : str
        What needs the dense state (shown in the message).
    alternative : str, optional
        The approximate method to use instead (named in the message).
    limit : int
        Largest allowed *n*.
    """
    if n > limit:
        alt = alternative or "a structured game or a sampling method"
        raise GameTooLargeError(
            "n", n,
            f"{method} needs 2**{n} coalitions (limit n <= {limit})",
            f"Use {alt} instead",
        )
