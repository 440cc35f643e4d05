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

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
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
    "bell_number",
    "all_partitions",
    "partition_block_masks",
    "CoalitionStructure",
    "as_structure",
    "MAX_PARTITION_PLAYERS",
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


# ---------------------------------------------------------------------------
# partitions of the players: coalition structures
# ---------------------------------------------------------------------------

def bell_number(n: int) -> int:
    """Number of partitions of an ``n``-set (the Bell number :math:`B_n`).

    Examples
    --------
    >>> [bell_number(k) for k in range(7)]
    [1, 1, 2, 5, 15, 52, 203]
    """
    row = [1]
    for _ in range(n):
        nxt = [row[-1]]
        for x in row:
            nxt.append(nxt[-1] + x)
        row = nxt
    return row[0]


#: Largest number of players whose partitions :func:`all_partitions` lists
#: (:math:`B_{12} = 4{,}213{,}597`).
MAX_PARTITION_PLAYERS = 12


def all_partitions(n: int) -> np.ndarray:
    """Every partition of ``n`` players as restricted-growth strings.

    Row ``r`` gives each player's block number: player 0 is in block 0 and
    player ``i`` is in a block numbered at most one more than the largest
    number among players ``0..i-1``. This labels every partition exactly
    once; there are :func:`bell_number` ``(n)`` rows. Built level by level
    with ``np.repeat``, no Python loop over partitions.

    Examples
    --------
    >>> all_partitions(3).tolist()
    [[0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1], [0, 1, 2]]
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise InvalidArgumentError("n", n, "must be a positive integer",
                                   "Pass the number of players")
    if n > MAX_PARTITION_PLAYERS:
        raise GameTooLargeError("n", n,
                                f"{bell_number(int(n))} partitions is too many to list "
                                f"(limit n <= {MAX_PARTITION_PLAYERS})",
                                "Use a local search (e.g. the formation module's dynamics)")
    rgs = np.zeros((1, 1), dtype=np.int8)
    top = np.zeros(1, dtype=np.int8)          # largest block number so far, per row
    for _ in range(1, int(n)):
        choices = top.astype(np.int64) + 2    # blocks 0..top and a new one
        rows = np.repeat(np.arange(rgs.shape[0]), choices)
        starts = np.cumsum(choices) - choices
        new = (np.arange(rows.size) - np.repeat(starts, choices)).astype(np.int8)
        rgs = np.hstack([rgs[rows], new[:, None]])
        top = np.maximum(top[rows], new)
    return rgs


def partition_block_masks(rgs: np.ndarray) -> np.ndarray:
    """For restricted-growth strings ``rgs`` (rows), the bitmask of each player's block.

    Returns an ``int64`` array of the same shape: ``out[r, i]`` is the
    coalition of player ``i`` in partition ``r``.
    """
    rgs = np.asarray(rgs)
    rows, n = rgs.shape
    blocks = np.zeros((rows, n), dtype=np.int64)
    r = np.arange(rows)
    for i in range(n):
        blocks[r, rgs[:, i]] |= np.int64(1) << i
    return np.take_along_axis(blocks, rgs.astype(np.int64), axis=1)


def _canonical_blocks(masks: Iterable[int]) -> tuple[int, ...]:
    """Blocks ordered by their lowest member."""
    return tuple(sorted((int(m) for m in masks), key=lambda m: m & -m))


class CoalitionStructure:
    r"""A partition of the players into blocks: a priori unions, blocs, a coalition structure.

    A coalition structure :math:`\mathcal{P} = \{P_1, \dots, P_m\}` is a
    family of non-empty, pairwise disjoint coalitions whose union is
    :math:`N`. Blocks are stored as bitmasks, ordered by their lowest
    member, each with a name (its position unless names are given).

    Parameters
    ----------
    blocks : iterable of coalitions, or mapping name -> coalition
        The blocks, each an iterable of player labels or indices, or a
        bitmask. A mapping names the blocks.
    players : sequence of labels
        The players being partitioned (a game's ``players``).
    name : str
        Argument name used in error messages (``"unions"``, ``"partition"``).

    Raises
    ------
    InvalidArgumentError
        A block is empty, a player is in two blocks, or some player is in
        none: the message names the players concerned.

    Examples
    --------
    >>> from gametheory.coalitions import CoalitionStructure
    >>> cs = CoalitionStructure([["A", "C"], ["B"]], players=["A", "B", "C"])
    >>> cs.blocks, cs.masks, cs.block_of.tolist()
    ((('A', 'C'), ('B',)), (5, 2), [0, 1, 0])
    >>> CoalitionStructure({"left": ["A"], "right": ["B", "C"]}, ["A", "B", "C"]).names
    ('left', 'right')
    """

    __slots__ = ("_players", "_masks", "_names", "_block_of")

    def __init__(self, blocks: Any, players: Sequence[Hashable], *,
                 name: str = "unions") -> None:
        labels = validate_players(players)
        n = len(labels)
        if isinstance(blocks, CoalitionStructure):
            if blocks.players != labels:
                raise InvalidArgumentError(name, blocks,
                                           "the structure is over different players",
                                           f"Build it over {labels!r}")
            items = list(zip(blocks.names, blocks.masks, strict=True))
        elif isinstance(blocks, Mapping):
            items = [(k, to_mask(b, labels, name=f"{name}[{k!r}]")) for k, b in blocks.items()]
        else:
            if isinstance(blocks, str | bytes) or not isinstance(blocks, Iterable):
                raise InvalidTypeError(name, blocks, "not an iterable of coalitions",
                                       "Pass e.g. [['A', 'B'], ['C']]")
            items = [(None, to_mask(b, labels, name=name)) for b in blocks]
        if not items:
            raise InvalidArgumentError(name, blocks, "no blocks", "Give at least one block")
        seen = 0
        for key, m in items:
            if m == 0:
                raise InvalidArgumentError(name, blocks,
                                           f"block {key!r} is empty" if key is not None
                                           else "a block is empty",
                                           "Every block needs at least one player")
            both = seen & m
            if both:
                raise InvalidArgumentError(
                    name, blocks,
                    f"the blocks overlap: {mask_to_labels(both, labels)!r} in more than one",
                    "Put every player in exactly one block")
            seen |= m
        missing = grand_mask(n) & ~seen
        if missing:
            raise InvalidArgumentError(
                name, blocks,
                f"the blocks do not cover the players: {mask_to_labels(missing, labels)!r} "
                "in no block",
                "Put every player in exactly one block (a singleton block is fine)")
        items.sort(key=lambda kv: kv[1] & -kv[1])
        masks = tuple(m for _, m in items)
        if all(k is None for k, _ in items):
            names: tuple[Hashable, ...] = tuple(range(len(items)))
        else:
            names = tuple(k for k, _ in items)
            if len(set(names)) != len(names):  # pragma: no cover - mapping keys are unique
                raise InvalidArgumentError(name, blocks, "duplicate block names",
                                           "Name every block differently")
        owner = np.empty(n, dtype=np.int64)
        for b, m in enumerate(masks):
            owner[list(mask_to_indices(m))] = b
        owner.flags.writeable = False
        object.__setattr__(self, "_players", labels)
        object.__setattr__(self, "_masks", masks)
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "_block_of", owner)

    # -- named constructors ---------------------------------------------------
    @classmethod
    def singletons(cls, players: Sequence[Hashable]) -> CoalitionStructure:
        """Every player alone."""
        labels = validate_players(players)
        return cls([[p] for p in labels], labels)

    @classmethod
    def grand(cls, players: Sequence[Hashable]) -> CoalitionStructure:
        """One block holding every player."""
        labels = validate_players(players)
        return cls([labels], labels)

    @classmethod
    def from_labels(cls, block_of: Mapping[Hashable, Hashable] | Sequence[Hashable],
                    players: Sequence[Hashable]) -> CoalitionStructure:
        """From each player's block name: a mapping player -> name, or a list in player order.

        Examples
        --------
        >>> cs = CoalitionStructure.from_labels({"A": "x", "B": "y", "C": "x"}, ["A", "B", "C"])
        >>> cs.names, cs.blocks
        (('x', 'y'), (('A', 'C'), ('B',)))
        """
        labels = validate_players(players)
        if isinstance(block_of, Mapping):
            unknown = [p for p in block_of if p not in labels]
            if unknown:
                raise InvalidArgumentError("block_of", block_of,
                                           f"unknown players {unknown!r}",
                                           f"Use the players {labels!r}")
            absent = [p for p in labels if p not in block_of]
            if absent:
                raise InvalidArgumentError("block_of", block_of,
                                           f"the blocks do not cover the players: {absent!r} "
                                           "have no block", "Give every player a block")
            tags = [block_of[p] for p in labels]
        else:
            tags = list(block_of)
            if len(tags) != len(labels):
                raise InvalidArgumentError("block_of", block_of,
                                           f"{len(tags)} block names for {len(labels)} players",
                                           "Give one block name per player, in player order")
        groups: dict[Hashable, list[Hashable]] = {}
        for p, t in zip(labels, tags, strict=True):
            groups.setdefault(t, []).append(p)
        return cls(groups, labels)

    @classmethod
    def from_rgs(cls, rgs: Sequence[int], players: Sequence[Hashable]) -> CoalitionStructure:
        """From a restricted-growth string (a row of :func:`all_partitions`)."""
        return cls.from_labels([int(x) for x in rgs], players)

    # -- accessors ------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("CoalitionStructure is immutable")

    @property
    def players(self) -> tuple[Hashable, ...]:
        """The players being partitioned."""
        return self._players

    @property
    def n(self) -> int:
        """Number of players."""
        return len(self._players)

    @property
    def m(self) -> int:
        """Number of blocks."""
        return len(self._masks)

    @property
    def masks(self) -> tuple[int, ...]:
        """Bitmask of each block, ordered by lowest member."""
        return self._masks

    @property
    def names(self) -> tuple[Hashable, ...]:
        """Name of each block (its position unless names were given)."""
        return self._names

    @property
    def blocks(self) -> tuple[tuple[Hashable, ...], ...]:
        """Each block's player labels, in game order."""
        return tuple(mask_to_labels(m, self._players) for m in self._masks)

    @property
    def block_of(self) -> np.ndarray:
        """Block index of every player (read-only ``int64`` array)."""
        return self._block_of

    @property
    def sizes(self) -> np.ndarray:
        """Number of players in each block."""
        return np.array([int(m).bit_count() for m in self._masks], dtype=np.int64)

    def block_containing(self, player: Hashable) -> tuple[Hashable, ...]:
        """Labels of the block of *player*."""
        i = _index_of(player, self._players, {p: k for k, p in enumerate(self._players)},
                      "player")
        return mask_to_labels(self._masks[int(self._block_of[i])], self._players)

    def is_trivial(self) -> bool:
        """Whether the structure is all singletons or the grand coalition alone."""
        return self.m in (1, self.n)

    def is_finer_than(self, other: CoalitionStructure) -> bool:
        """Whether every block lies inside a block of *other* (same players)."""
        if not isinstance(other, CoalitionStructure) or other.players != self._players:
            raise InvalidArgumentError("other", other, "not a structure over the same players",
                                       "Compare structures over the same players")
        return all(any((m & o) == m for o in other.masks) for m in self._masks)

    def __len__(self) -> int:
        return len(self._masks)

    def __iter__(self) -> Iterator[tuple[Hashable, ...]]:
        return iter(self.blocks)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CoalitionStructure):
            return NotImplemented
        return self._players == other._players and self._masks == other._masks

    def __hash__(self) -> int:
        return hash((self._players, self._masks))

    def __repr__(self) -> str:
        parts = ", ".join(f"{nm!r}: {b!r}" if not isinstance(nm, int) else repr(b)
                          for nm, b in zip(self._names, self.blocks, strict=True))
        return f"CoalitionStructure({parts})"


def as_structure(blocks: Any, players: Sequence[Hashable],
                 name: str = "unions") -> CoalitionStructure:
    """*blocks* as a :class:`CoalitionStructure` over *players* (validated)."""
    if isinstance(blocks, CoalitionStructure) and blocks.players == tuple(players):
        return blocks
    return CoalitionStructure(blocks, players, name=name)
