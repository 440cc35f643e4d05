r"""Hedonic games: which blocs form when each player cares only about its own coalition.

A hedonic game (Drèze and Greenberg 1980; Bogomolnaia and Jackson 2002)
gives every player :math:`i` a preference over the coalitions containing
it, here a utility :math:`u_i(S)` (ordinal rankings are turned into ranks).
A partition :math:`\pi` of the players is

* **core stable** when no coalition :math:`S` *blocks* it: there is no
  :math:`S` with :math:`u_i(S) > u_i(\pi(i))` for every :math:`i \in S`
  (*strictly core stable*: not even weakly blocked, every member at least
  as well off and one better);
* **Nash stable** when no player prefers joining another coalition of
  :math:`\pi` (or being alone): :math:`u_i(\pi(i)) \ge u_i(T \cup i)` for
  every :math:`T \in \pi \cup \{\emptyset\}`;
* **individually stable** when no such move is both profitable and welcome:
  moving to :math:`T` needs every member of :math:`T` to weakly prefer
  :math:`T \cup i` to :math:`T`;
* **contractually individually stable** when, in addition, the coalition
  left behind must weakly prefer losing :math:`i`.

Nash stable partitions are individually stable, which are contractually
individually stable (Bogomolnaia and Jackson 2002).

Algorithms
----------
*Exact* (``n <=`` :data:`MAX_EXACT_PLAYERS`): every partition is listed
(:func:`~gametheory.coalitions.all_partitions`) with each player's
current utility; a concept's deviations are then tested for all partitions
at once, one vectorised pass per coalition (core) or per pair of players
(moves), discarding partitions as soon as a deviation is found.
*Dynamics* (any size whose utilities can be evaluated): better-response
moves for the individual concepts, or forming a blocking coalition for the
core, from a given start, with random tie-breaking from ``seed``, until no
deviation exists or a step budget is spent. A stable end point comes with a
certificate: the exhaustive check of every move (every coalition for the
core) that found none.

References
----------
Drèze, J. H. and Greenberg, J. (1980). Hedonic coalitions: optimality and
stability. *Econometrica* 48(4), 987-1003.
Bogomolnaia, A. and Jackson, M. O. (2002). The stability of hedonic
coalition structures. *Games and Economic Behavior* 38(2), 201-230.
Banerjee, S., Konishi, H. and Sönmez, T. (2001). Core in a simple coalition
formation game. *Social Choice and Welfare* 18, 135-153.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from ..coalitions import (
    CoalitionStructure,
    all_partitions,
    as_structure,
    mask_to_indices,
    mask_to_labels,
    partition_block_masks,
    to_mask,
    validate_players,
)
from ..errors import GameTooLargeError, InvalidArgumentError, InvalidTypeError

__all__ = ["HedonicGame", "StabilityResult", "CONCEPTS", "MAX_EXACT_PLAYERS",
           "MAX_DENSE_HEDONIC_PLAYERS"]

#: Stability concepts understood by :meth:`HedonicGame.is_stable` and friends.
CONCEPTS = ("core", "strict_core", "nash", "individual", "contractual")
#: Largest n for which every partition is listed (B(10) = 115,975).
MAX_EXACT_PLAYERS = 10
#: Largest n for which a utility table over all coalitions is stored.
MAX_DENSE_HEDONIC_PLAYERS = 18
#: Most players of additively separable and fractional games (coalitions are int64 bitmasks).
MAX_BITMASK_PLAYERS = 62

_NEG = -1e300  # utility of a coalition that does not contain the player (never reported)


@dataclass(frozen=True)
class StabilityResult:
    """A partition and whether it is stable for a concept, with the evidence.

    Truthy exactly when :attr:`stable`.

    Attributes
    ----------
    partition : CoalitionStructure or None
        The partition examined or found (None when a search found none).
    concept : str
        One of :data:`CONCEPTS`.
    stable : bool
    method : str
        ``"check"``, ``"enumeration"`` or ``"dynamics"``.
    certificate : str
        What was checked to conclude stability, or the deviation that
        breaks it.
    deviation : mapping or None
        The deviation found (``{"coalition": ...}`` for the core,
        ``{"player": ..., "joins": ...}`` for moves).
    info : mapping
        Steps, cycles, candidate counts.
    """

    partition: CoalitionStructure | None
    concept: str
    stable: bool
    method: str
    certificate: str
    deviation: Mapping[str, Any] | None = None
    info: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "info", MappingProxyType(dict(self.info)))
        if self.deviation is not None:
            object.__setattr__(self, "deviation", MappingProxyType(dict(self.deviation)))

    def __bool__(self) -> bool:
        return self.stable


def _check_concept(concept: str) -> str:
    if concept not in CONCEPTS:
        raise InvalidArgumentError("concept", concept, "unknown stability concept",
                                   f"Use one of {CONCEPTS}")
    return concept


class HedonicGame:
    r"""Players with preferences over the coalitions they could belong to.

    Build one with a named constructor: :meth:`from_rankings` (ordinal
    preferences), :meth:`additively_separable`, :meth:`fractional` or
    :meth:`from_function`; the constructor itself takes a utility table.

    Parameters
    ----------
    utilities : array_like, shape (n, 2**n)
        ``utilities[i, m]`` is :math:`u_i(S)` for the coalition with bitmask
        ``m``; only entries with bit ``i`` set are read.
    players : sequence of labels, optional

    Examples
    --------
    Two players who like each other, a third who likes nobody:

    >>> from gametheory.blocs import HedonicGame
    >>> g = HedonicGame.additively_separable([[0, 2, -1], [2, 0, -1], [-1, -1, 0]],
    ...                                      players=["a", "b", "c"])
    >>> [p.blocks for p in g.stable_partitions("core")]
    [(('a', 'b'), ('c',))]
    """

    __slots__ = ("_players", "_n", "_dense", "_eval", "_kind", "_params")

    def __init__(self, utilities: Any, players: Sequence[Hashable] | None = None) -> None:
        try:
            u = np.array(utilities, dtype=float)
        except (TypeError, ValueError):
            raise InvalidTypeError("utilities", utilities, "not a table of numbers",
                                   "Pass an (n, 2**n) array") from None
        if u.ndim != 2 or u.shape[1] != 1 << u.shape[0]:
            raise InvalidArgumentError("utilities", utilities,
                                       f"shape {u.shape} is not (n, 2**n)",
                                       "Give one row per player, one column per bitmask")
        n = u.shape[0]
        if n > MAX_DENSE_HEDONIC_PLAYERS:
            raise GameTooLargeError("utilities", utilities,
                                    f"a table for {n} players is too large",
                                    "Use additively_separable or fractional preferences")
        own = ((np.arange(1 << n)[None, :] >> np.arange(n)[:, None]) & 1).astype(bool)
        if not np.all(np.isfinite(u[own])):
            raise InvalidArgumentError("utilities", utilities,
                                       "non-finite utility of a coalition containing its player",
                                       "Give every coalition a finite utility")
        u = np.where(own, u, _NEG)
        u.flags.writeable = False
        self._init(validate_players(players, n), u, None, "table", {})

    def _init(self, players: tuple, dense: np.ndarray | None,
              evaluator: Callable[[int, np.ndarray], np.ndarray] | None, kind: str,
              params: dict) -> None:
        object.__setattr__(self, "_players", players)
        object.__setattr__(self, "_n", len(players))
        object.__setattr__(self, "_dense", dense)
        object.__setattr__(self, "_eval", evaluator)
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_params", params)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("HedonicGame is immutable")

    # -- named constructors -----------------------------------------------------
    @classmethod
    def from_rankings(cls, rankings: Mapping[Hashable, Sequence[Any]],
                      players: Sequence[Hashable] | None = None) -> HedonicGame:
        r"""Ordinal preferences: each player's coalitions from best to worst.

        Parameters
        ----------
        rankings : mapping player -> list
            For every player, the coalitions containing it, best first. An
            entry may be a coalition (iterable of labels) or a ``set`` /
            ``frozenset`` of coalitions (a tie, written as a set of tuples).
            The player's singleton must appear: coalitions not listed rank
            below everything listed (they are *unacceptable*); this is the
            convention of Bogomolnaia and Jackson (2002), under which no
            stability concept depends on how unacceptable coalitions are
            ordered among themselves.
        players : sequence, optional
            Player order (default: the mapping's keys).

        Raises
        ------
        InvalidArgumentError
            A player without a ranking, a ranking for an unknown player, a
            coalition without the player, a coalition listed twice, or a
            ranking that does not place the player's singleton: such lists
            are not complete orders.

        Examples
        --------
        Each player prefers its pair with the next player to its pair with
        the previous one, and either to being alone: every partition is
        blocked by some pair, so the core is empty.

        >>> from gametheory.blocs import HedonicGame
        >>> g = HedonicGame.from_rankings({
        ...     1: [(1, 2), (1, 3), (1,)], 2: [(2, 3), (2, 1), (2,)],
        ...     3: [(3, 1), (3, 2), (3,)]})
        >>> g.stable_partitions("core")
        ()
        """
        if not isinstance(rankings, Mapping):
            raise InvalidTypeError("rankings", rankings, "not a mapping player -> ranking",
                                   "Pass {player: [best coalition, ..., (player,)]}")
        labels = validate_players(list(rankings) if players is None else players)
        n = len(labels)
        if n > MAX_DENSE_HEDONIC_PLAYERS:
            raise GameTooLargeError("rankings", f"{n} players", "too many for ordinal tables",
                                    "Use additively_separable or fractional preferences")
        unknown = [p for p in rankings if p not in labels]
        if unknown:
            raise InvalidArgumentError("rankings", rankings,
                                       f"rankings for unknown players {unknown!r}",
                                       f"Rank only the players {labels!r}")
        missing = [p for p in labels if p not in rankings]
        if missing:
            raise InvalidArgumentError("rankings", rankings,
                                       f"no ranking for {missing!r}: the preferences are not "
                                       "complete", "Give every player a ranking")
        u = np.full((n, 1 << n), _NEG)
        for i, p in enumerate(labels):
            order = rankings[p]
            if isinstance(order, str | bytes) or not isinstance(order, Sequence):
                raise InvalidTypeError(f"rankings[{p!r}]", order, "not a list of coalitions",
                                       "List coalitions best first, e.g. [('a','b'), ('a',)]")
            seen: dict[int, int] = {}
            depth = len(order)
            for t, tier in enumerate(order):
                group = list(tier) if isinstance(tier, set | frozenset) else [tier]
                if not group:
                    raise InvalidArgumentError(f"rankings[{p!r}]", order,
                                               f"tie number {t} is empty",
                                               "Drop empty ties")
                for coal in group:
                    m = to_mask(coal, labels, name=f"rankings[{p!r}]")
                    if not m >> i & 1:
                        raise InvalidArgumentError(
                            f"rankings[{p!r}]", coal,
                            f"the coalition {mask_to_labels(m, labels)!r} does not contain "
                            f"{p!r}", "Rank only coalitions the player belongs to")
                    if m in seen:
                        raise InvalidArgumentError(
                            f"rankings[{p!r}]", coal,
                            f"{mask_to_labels(m, labels)!r} is ranked twice (positions "
                            f"{seen[m]} and {t}): not an order",
                            "Rank every coalition once; write ties as a set of coalitions")
                    seen[m] = t
                    u[i, m] = float(depth - t)
            if (1 << i) not in seen:
                raise InvalidArgumentError(
                    f"rankings[{p!r}]", order,
                    f"the order is not complete: it does not say where being alone, "
                    f"({p!r},), ranks",
                    "List the singleton; coalitions after it (or unlisted) are unacceptable")
            own = (np.arange(1 << n) >> i) & 1 == 1
            u[i, own & (u[i] == _NEG)] = 0.0          # unlisted: below every listed coalition
        u.flags.writeable = False
        g = cls.__new__(cls)
        g._init(labels, u, None, "rankings", {})
        return g

    @classmethod
    def additively_separable(cls, values: Any,
                             players: Sequence[Hashable] | None = None) -> HedonicGame:
        r"""Additively separable preferences: :math:`u_i(S) = \sum_{j \in S \setminus i} a_{ij}`.

        Parameters
        ----------
        values : array_like, shape (n, n)
            :math:`a_{ij}`, the value of ``j`` to ``i`` (the diagonal is
            ignored). Works for up to :data:`MAX_BITMASK_PLAYERS` players with
            the dynamics.

        References
        ----------
        Bogomolnaia, A. and Jackson, M. O. (2002), Section 4.
        """
        a = _square(values, "values")
        labels = validate_players(players, a.shape[0])
        np.fill_diagonal(a, 0.0)
        a.flags.writeable = False
        bits = np.arange(a.shape[0], dtype=np.int64)

        def evaluate(i: int, masks: np.ndarray) -> np.ndarray:
            member = (np.asarray(masks, dtype=np.int64)[:, None] >> bits) & 1
            return member @ a[i]

        g = cls.__new__(cls)
        g._init(labels, None, evaluate, "additively_separable", {"values": a})
        return g

    @classmethod
    def fractional(cls, values: Any, players: Sequence[Hashable] | None = None
                   ) -> HedonicGame:
        r"""Fractional preferences: :math:`u_i(S) = \sum_{j \in S \setminus i} a_{ij} / |S|`.

        References
        ----------
        Aziz, H., Brandl, F., Brandt, F., Harrenstein, P., Olsen, M. and Peters,
        D. (2019). Fractional hedonic games. *ACM Transactions on Economics and
        Computation* 7(2), 6.
        """
        a = _square(values, "values")
        labels = validate_players(players, a.shape[0])
        np.fill_diagonal(a, 0.0)
        a.flags.writeable = False
        bits = np.arange(a.shape[0], dtype=np.int64)

        def evaluate(i: int, masks: np.ndarray) -> np.ndarray:
            member = (np.asarray(masks, dtype=np.int64)[:, None] >> bits) & 1
            return (member @ a[i]) / np.maximum(member.sum(axis=1), 1)

        g = cls.__new__(cls)
        g._init(labels, None, evaluate, "fractional", {"values": a})
        return g

    @classmethod
    def from_function(cls, f: Callable[[Hashable, frozenset], float],
                      players: Sequence[Hashable]) -> HedonicGame:
        """Utilities from ``f(player, coalition)`` (a frozenset of labels containing player)."""
        labels = validate_players(players)
        n = len(labels)
        if n > MAX_DENSE_HEDONIC_PLAYERS:
            raise GameTooLargeError("players", labels, f"{n} players is too many for a table",
                                    "Use additively_separable or fractional preferences")
        if not callable(f):
            raise InvalidTypeError("f", f, "not callable", "Pass f(player, coalition)")
        u = np.full((n, 1 << n), _NEG)
        for m in range(1, 1 << n):
            members = mask_to_labels(m, labels)
            fs = frozenset(members)
            for i in mask_to_indices(m):
                val = float(f(labels[i], fs))
                if not np.isfinite(val):
                    raise InvalidArgumentError("f", f, f"u({labels[i]!r}, {members!r}) = {val}",
                                               "Return finite utilities")
                u[i, m] = val
        return cls(np.where(u == _NEG, 0.0, u), labels)

    # -- accessors ----------------------------------------------------------------
    @property
    def players(self) -> tuple[Hashable, ...]:
        """Player labels."""
        return self._players

    @property
    def n(self) -> int:
        """Number of players."""
        return self._n

    @property
    def kind(self) -> str:
        """How the preferences were given."""
        return self._kind

    def __repr__(self) -> str:
        return f"HedonicGame({self._kind}, n={self._n}, players={self._players!r})"

    def _utils(self, i: int, masks: np.ndarray) -> np.ndarray:
        masks = np.asarray(masks, dtype=np.int64)
        if self._dense is not None:
            return self._dense[i, masks]
        return self._eval(i, masks)

    def utility(self, player: Hashable, coalition: Any) -> float:
        """:math:`u_i(S)` for a coalition containing *player*."""
        i = to_mask([player], self._players, name="player").bit_length() - 1
        m = to_mask(coalition, self._players)
        if not m >> i & 1:
            raise InvalidArgumentError("coalition", coalition,
                                       f"does not contain {player!r}",
                                       "Ask for a coalition the player belongs to")
        return float(self._utils(i, np.array([m]))[0])

    def utility_table(self) -> np.ndarray:
        """Dense ``(n, 2**n)`` table (entries for coalitions without the player are 0)."""
        n = self._n
        if self._dense is None:
            if n > MAX_DENSE_HEDONIC_PLAYERS:
                raise GameTooLargeError("game", self, f"{n} players is too many for a table",
                                        "Query utility() or use the dynamics")
            masks = np.arange(1 << n, dtype=np.int64)
            t = np.stack([self._utils(i, masks) for i in range(n)])
        else:
            t = np.array(self._dense)
        own = ((np.arange(1 << n)[None, :] >> np.arange(n)[:, None]) & 1).astype(bool)
        return np.where(own, t, 0.0)

    def _table(self) -> np.ndarray:
        if self._dense is not None:
            return self._dense
        n = self._n
        if n > MAX_DENSE_HEDONIC_PLAYERS:
            raise GameTooLargeError("game", self, f"{n} players: the core needs every coalition",
                                    "Check Nash or individual stability, which need only moves")
        t = self.utility_table()
        own = ((np.arange(1 << n)[None, :] >> np.arange(n)[:, None]) & 1).astype(bool)
        return np.where(own, t, _NEG)

    # -- one partition -----------------------------------------------------------
    def _current(self, masks_of: np.ndarray) -> np.ndarray:
        """Each player's utility in its block; ``masks_of[i]`` is i's block."""
        return np.array([self._utils(i, masks_of[i: i + 1])[0] for i in range(self._n)])

    def is_stable(self, partition: Any, concept: str = "core") -> StabilityResult:
        """Whether *partition* is stable for *concept*, with the deviation if not.

        Parameters
        ----------
        partition : CoalitionStructure or iterable of coalitions
        concept : {"core", "strict_core", "nash", "individual", "contractual"}

        Examples
        --------
        >>> from gametheory.blocs import HedonicGame
        >>> g = HedonicGame.additively_separable([[0, 1], [-1, 0]], players=["a", "b"])
        >>> r = g.is_stable([["a"], ["b"]], "nash")
        >>> bool(r), dict(r.deviation)["player"]
        (False, 'a')
        """
        concept = _check_concept(concept)
        cs = as_structure(partition, self._players, name="partition")
        owner = np.array([cs.masks[b] for b in cs.block_of], dtype=np.int64)
        moves = self._all_deviations(owner, concept)
        if concept in ("core", "strict_core"):
            what = f"all {2 ** self._n - 1} coalitions"
        else:
            what = f"all moves of {self._n} players to {cs.m} coalitions or alone"
        if not moves:
            return StabilityResult(cs, concept, True, "check", f"no deviation among {what}")
        kind, i, target = moves[0]
        if kind == "coalition":
            members = mask_to_labels(target, self._players)
            dev = {"coalition": members,
                   "gains": {self._players[k]: float(
                       self._utils(k, np.array([target]))[0]
                       - self._utils(k, owner[k: k + 1])[0]) for k in mask_to_indices(target)}}
            desc = f"{members!r} blocks"
        else:
            new = target | (1 << i)
            gain = float(self._utils(i, np.array([new]))[0] - self._utils(i, owner[i: i + 1])[0])
            dev = {"player": self._players[i],
                   "leaves": mask_to_labels(int(owner[i]), self._players),
                   "joins": mask_to_labels(target, self._players), "gain": gain}
            desc = f"{self._players[i]!r} gains {gain:.6g} by moving to {dev['joins']!r}"
        return StabilityResult(cs, concept, False, "check", desc, dev)

    # -- every partition ---------------------------------------------------------
    def stable_partitions(self, concept: str = "core") -> tuple[CoalitionStructure, ...]:
        """Every partition stable for *concept* (exact, ``n <=`` :data:`MAX_EXACT_PLAYERS`).

        Returns
        -------
        tuple of CoalitionStructure
            Empty when no partition is stable.

        Examples
        --------
        >>> from gametheory.blocs import HedonicGame
        >>> g = HedonicGame.additively_separable([[0, 1], [-1, 0]], players=["a", "b"])
        >>> g.stable_partitions("nash"), len(g.stable_partitions("individual"))
        ((), 1)
        """
        concept = _check_concept(concept)
        n = self._n
        if n > MAX_EXACT_PLAYERS:
            raise GameTooLargeError("game", self,
                                    f"{n} players: listing every partition is too much "
                                    f"(limit {MAX_EXACT_PLAYERS})",
                                    "Use find_stable_partition (dynamics with a certificate)")
        rgs = all_partitions(n)
        owner = partition_block_masks(rgs)
        alive = self._stable_mask(owner, concept)
        return tuple(CoalitionStructure.from_rgs(r, self._players) for r in rgs[alive])

    def _stable_mask(self, owner: np.ndarray, concept: str) -> np.ndarray:
        n = self._n
        P = owner.shape[0]
        cols = np.arange(n)
        if self._dense is not None or n <= MAX_DENSE_HEDONIC_PLAYERS:
            u = self._table()

            def util(i: int, m: np.ndarray) -> np.ndarray:
                return u[i, m]
        else:  # pragma: no cover - exact enumeration is limited to small n
            util = self._utils
        cur = np.stack([util(i, owner[:, i]) for i in cols], axis=1)      # (P, n)
        tol = 1e-12 * max(1.0, float(np.abs(cur).max()))
        alive = np.ones(P, dtype=bool)
        if concept in ("core", "strict_core"):
            masks = np.arange(1, 1 << n, dtype=np.int64)
            masks = masks[np.argsort(np.bitwise_count(masks), kind="stable")]
            for S in masks.tolist():
                idx = np.flatnonzero(alive)
                if idx.size == 0:
                    break
                mem = list(mask_to_indices(S))
                uS = np.array([util(i, np.array([S]))[0] for i in mem])
                d = uS[None, :] - cur[np.ix_(idx, mem)]
                if concept == "core":
                    blocked = np.all(d > tol, axis=1)
                else:
                    is_block = np.any(owner[idx] == S, axis=1)
                    blocked = (np.all(d >= -tol, axis=1) & np.any(d > tol, axis=1)
                               & ~is_block)
                alive[idx[blocked]] = False
            return alive
        for i in cols:
            mine = owner[:, i]
            # moving out alone
            alone = util(i, np.full(1, 1 << i))[0]
            bad = (mine != (1 << i)) & (alone > cur[:, i] + tol)
            if concept == "contractual":
                bad &= self._leavers_consent(owner, i, util, tol)
            alive &= ~bad
            for j in cols:
                if j == i:
                    continue
                T = owner[:, j]
                other = ((T >> i) & 1) == 0
                new = T | (1 << i)
                gain = util(i, new) > cur[:, i] + tol
                cand = other & gain & alive
                if not cand.any():
                    continue
                if concept in ("individual", "contractual"):
                    welcome = np.ones(P, dtype=bool)
                    for k in cols:
                        if k == i:
                            continue
                        inT = ((T >> k) & 1) == 1
                        welcome &= ~inT | (util(k, new) >= util(k, T) - tol)
                    cand &= welcome
                    if concept == "contractual":
                        cand &= self._leavers_consent(owner, i, util, tol)
                alive &= ~cand
        return alive

    def _leavers_consent(self, owner: np.ndarray, i: int, util: Callable,
                         tol: float) -> np.ndarray:
        mine = owner[:, i]
        rest = mine & ~(1 << i)
        ok = np.ones(owner.shape[0], dtype=bool)
        for k in range(self._n):
            if k == i:
                continue
            inR = ((rest >> k) & 1) == 1
            ok &= ~inR | (util(k, np.where(inR, rest, 1 << k)) >= util(k, mine) - tol)
        return ok

    # -- search -----------------------------------------------------------------
    def find_stable_partition(self, concept: str = "core", *, method: str = "auto",
                              start: Any = None, seed: Any = None,
                              max_steps: int = 10_000) -> StabilityResult:
        """A stable partition: by exact enumeration for small games, else by dynamics.

        Parameters
        ----------
        concept : {"core", "strict_core", "nash", "individual", "contractual"}
        method : {"auto", "enumeration", "dynamics"}
            ``"auto"``: enumeration when ``n <=`` :data:`MAX_EXACT_PLAYERS`.
            ``"enumeration"`` returns the first stable partition (in
            restricted-growth order) or an unstable result saying none
            exists. ``"dynamics"``: from *start* (default: every player
            alone), repeatedly apply a deviation (a profitable allowed move
            of a random player to its best coalition; for the core, a
            randomly chosen blocking coalition forms) until none exists.
        start : partition, optional
        seed : int or numpy Generator, optional
            Randomness of the dynamics.
        max_steps : int
            Step budget of the dynamics; a run that ends without reaching a
            stable partition reports ``stable=False`` with the last
            partition and whether a cycle was seen.

        Examples
        --------
        >>> from gametheory.blocs import HedonicGame
        >>> import numpy as np
        >>> a = np.array([[0, 3, -2], [3, 0, 1], [-2, 1, 0]])
        >>> r = HedonicGame.additively_separable(a).find_stable_partition(
        ...     "nash", method="dynamics", seed=1)
        >>> bool(r), r.partition.blocks
        (True, ((0, 1), (2,)))
        """
        concept = _check_concept(concept)
        if method not in ("auto", "enumeration", "dynamics"):
            raise InvalidArgumentError("method", method, "unknown search method",
                                       "Use 'auto', 'enumeration' or 'dynamics'")
        if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
            raise InvalidArgumentError("max_steps", max_steps, "must be a positive integer",
                                       "Pass e.g. max_steps=10_000")
        if method == "auto":
            method = "enumeration" if self._n <= MAX_EXACT_PLAYERS else "dynamics"
        if method == "enumeration":
            found = self.stable_partitions(concept)
            if found:
                return StabilityResult(found[0], concept, True, "enumeration",
                                       f"checked all partitions; {len(found)} are stable",
                                       info={"n_stable": len(found)})
            return StabilityResult(None, concept, False, "enumeration",
                                   "checked all partitions: none is stable",
                                   info={"n_stable": 0})
        return self._dynamics(concept, start, seed, max_steps)

    def _dynamics(self, concept: str, start: Any, seed: Any,
                  max_steps: int) -> StabilityResult:
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        n = self._n
        if start is None:
            owner = np.left_shift(np.int64(1), np.arange(n, dtype=np.int64))
        else:
            cs = as_structure(start, self._players, name="start")
            owner = np.array([cs.masks[b] for b in cs.block_of], dtype=np.int64)
        seen: set[tuple] = set()
        cycled = False
        for step in range(max_steps):
            key = tuple(sorted(set(owner.tolist())))
            if key in seen:
                cycled = True
            seen.add(key)
            moves = self._all_deviations(owner, concept)
            if not moves:
                cs = CoalitionStructure([list(mask_to_indices(m)) for m in key],
                                        self._players, name="partition")
                check = self.is_stable(cs, concept)
                return StabilityResult(cs, concept, check.stable, "dynamics",
                                       check.certificate,
                                       info={"steps": step, "cycle_seen": cycled})
            kind, who, target = moves[int(rng.integers(len(moves)))]
            if kind == "coalition":
                S = target
                owner = np.where((owner & S) != 0, owner & ~S, owner)
                owner[list(mask_to_indices(S))] = S
            else:
                i = who
                old = int(owner[i])
                rest = old & ~(1 << i)
                if rest:
                    owner[list(mask_to_indices(rest))] = rest
                new = target | (1 << i)
                owner[list(mask_to_indices(new))] = new
        key = tuple(sorted(set(owner.tolist())))
        cs = CoalitionStructure([list(mask_to_indices(m)) for m in key], self._players,
                                name="partition")
        return StabilityResult(cs, concept, False, "dynamics",
                               f"no stable partition reached in {max_steps} steps"
                               + (" (the dynamics cycled)" if cycled else ""),
                               info={"steps": max_steps, "cycle_seen": cycled})

    def _all_deviations(self, owner: np.ndarray, concept: str) -> list[tuple]:
        n = self._n
        if concept in ("core", "strict_core"):
            u = self._table()
            cur = u[np.arange(n), owner]
            masks = np.arange(1, 1 << n, dtype=np.int64)
            member = ((masks[:, None] >> np.arange(n)) & 1).astype(bool)
            diff = np.where(member, u[:, masks].T - cur[None, :], np.inf)
            tol = 1e-12 * max(1.0, float(np.abs(cur).max()))
            if concept == "core":
                ok = np.all(diff > tol, axis=1)
            else:
                ok = (np.all(diff >= -tol, axis=1) & np.any(member & (diff > tol), axis=1)
                      & ~np.isin(masks, owner))
            return [("coalition", None, int(m)) for m in masks[ok]]
        out = []
        cur = self._current(owner)
        blocks = sorted(set(owner.tolist()))
        for i in range(n):
            mine = int(owner[i])
            targets = [b for b in blocks if b != mine] + ([0] if mine != (1 << i) else [])
            best, best_gain = None, 1e-12 * max(1.0, abs(cur[i]))
            for T in targets:
                new = T | (1 << i)
                gain = self._utils(i, np.array([new]))[0] - cur[i]
                if gain <= best_gain:
                    continue
                if concept in ("individual", "contractual") and T and any(
                        self._utils(k, np.array([new]))[0] < self._utils(k, np.array([T]))[0]
                        for k in mask_to_indices(T)):
                    continue
                if concept == "contractual":
                    rest = mine & ~(1 << i)
                    if rest and any(self._utils(k, np.array([rest]))[0]
                                    < self._utils(k, np.array([mine]))[0]
                                    for k in mask_to_indices(rest)):
                        continue
                best, best_gain = T, gain
            if best is not None:
                out.append(("move", i, best))
        return out


def _square(values: Any, name: str) -> np.ndarray:
    try:
        a = np.array(values, dtype=float)
    except (TypeError, ValueError):
        raise InvalidTypeError(name, values, "not a matrix of numbers",
                               "Pass an n x n array") from None
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise InvalidArgumentError(name, values, f"shape {a.shape} is not square",
                                   "Pass an n x n array: row i holds what each j is worth to i")
    if not np.all(np.isfinite(a)):
        raise InvalidArgumentError(name, values, "non-finite entries",
                                   "Replace NaN/inf by finite numbers")
    if a.shape[0] > MAX_BITMASK_PLAYERS:
        raise GameTooLargeError(name, f"<{a.shape[0]} players>", f"coalitions are 64-bit "
                                f"bitmasks, so a game has at most {MAX_BITMASK_PLAYERS} "
                                "players", "Group the players into fewer (e.g. one per bloc "
                                "or organisation type)")
    return a
