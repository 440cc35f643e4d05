r"""Partition function games: coalition formation with externalities.

In a partition function game (Thrall and Lucas 1963) the worth of a
coalition :math:`S` depends on how the other players are organised: it is
:math:`v(S, \pi)` for every partition :math:`\pi` containing :math:`S` as a
block. A district bloc that forms changes what the teaching hospitals can
achieve, and the other way round. Members share their coalition's worth by
a sharing rule (equal split by default, or in proportion to given weights),
so every partition gives every player a payoff :math:`x_i(\pi)`.

Stability
---------
* **Nash** / **individual** stability: as for hedonic games, a single
  player moves to another block (or alone), and the new partition's payoff
  is what it compares (individual stability also needs the receiving block's
  members not to lose).
* **Core** stability: a coalition :math:`S` blocks :math:`\pi` when its
  members all gain in the partition that results after :math:`S` forms, and
  that depends on how the others react. Three standard assumptions:

  - ``"delta"`` (Hart and Kurz 1983): the others stay in their coalitions,
    minus the deserters;
  - ``"gamma"`` (Chander and Tulkens 1997): the others break up into
    singletons;
  - ``"pessimistic"`` (the :math:`\alpha`-like assumption, e.g. Bloch and van
    den Nouweland 2014): :math:`S` blocks only if its members gain whatever
    partition the others form.

Everything is exact: every partition (``n <=`` :data:`MAX_PFG_PLAYERS`) is
listed with its payoffs, and each deviation is looked up as the index of
the resulting partition, vectorised over all partitions at once.

References
----------
Thrall, R. M. and Lucas, W. F. (1963). n-person games in partition function
form. *Naval Research Logistics Quarterly* 10, 281-298.
Hart, S. and Kurz, M. (1983). Endogenous formation of coalitions.
*Econometrica* 51(4), 1047-1064.
Chander, P. and Tulkens, H. (1997). The core of an economy with multilateral
environmental externalities. *International Journal of Game Theory* 26,
379-401.
Bloch, F. and van den Nouweland, A. (2014). Expectation formation rules and
the core of partition function games. *Games and Economic Behavior* 88,
538-553.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np

from ..coalitions import (
    CoalitionStructure,
    all_partitions,
    as_structure,
    mask_to_indices,
    mask_to_labels,
    partition_block_masks,
    validate_players,
)
from ..errors import GameTooLargeError, InvalidArgumentError, InvalidTypeError
from .hedonic import StabilityResult

__all__ = ["PartitionFunctionGame", "ASSUMPTIONS", "MAX_PFG_PLAYERS"]

#: Reactions of the other players to a deviating coalition.
ASSUMPTIONS = ("delta", "gamma", "pessimistic")
#: Largest number of players (B(8) = 4,140 partitions).
MAX_PFG_PLAYERS = 8
_PFG_CONCEPTS = ("core", "nash", "individual")


def _keys(owner: np.ndarray, n: int) -> np.ndarray:
    """Canonical integer of each partition: every player's lowest block-mate, in base n."""
    low = np.bitwise_count((owner & -owner) - 1).astype(np.int64)
    return low @ (n ** np.arange(n, dtype=np.int64))


class PartitionFunctionGame:
    r"""A game whose coalitions' worths depend on the whole partition.

    Parameters
    ----------
    worth : callable
        ``worth(coalition, partition)`` with ``coalition`` a tuple of labels
        and ``partition`` a :class:`~gametheory.coalitions.CoalitionStructure`
        that contains it as a block; must return a finite number. It is
        called once per embedded coalition.
    players : sequence of labels
        At most :data:`MAX_PFG_PLAYERS`.
    share : "equal" or sequence of positive weights, default "equal"
        How a coalition's worth is divided among its members: equally, or in
        proportion to the weights.

    Examples
    --------
    Cournot-like externalities: a coalition earns more the more fragmented
    the others are.

    >>> from gametheory.blocs import PartitionFunctionGame
    >>> g = PartitionFunctionGame(lambda S, P: 1.0 / (len(P) + 1) ** 2 * 9,
    ...                           ["a", "b", "c"])
    >>> round(g.value(["a", "b"], [["a", "b"], ["c"]]), 4)
    1.0
    >>> [p.blocks for p in g.stable_partitions("core", assumption="gamma")]
    [(('a', 'b', 'c'),)]
    """

    __slots__ = ("_players", "_n", "_rgs", "_owner", "_keys", "_worth", "_pay", "_share")

    def __init__(self, worth: Callable[[tuple, CoalitionStructure], float],
                 players: Sequence[Hashable], *, share: Any = "equal") -> None:
        labels = validate_players(players)
        n = len(labels)
        if n > MAX_PFG_PLAYERS:
            raise GameTooLargeError("players", labels,
                                    f"{n} players: the partition function has too many "
                                    f"embedded coalitions (limit {MAX_PFG_PLAYERS})",
                                    "Use a hedonic game (no externalities) for larger groups")
        if not callable(worth):
            raise InvalidTypeError("worth", worth, "not callable",
                                   "Pass worth(coalition, partition) -> float")
        rgs = all_partitions(n)
        owner = partition_block_masks(rgs)
        W = np.zeros(owner.shape)
        for p in range(rgs.shape[0]):
            cs = CoalitionStructure.from_rgs(rgs[p], labels)
            for m in cs.masks:
                val = float(worth(mask_to_labels(m, labels), cs))
                if not np.isfinite(val):
                    raise InvalidArgumentError("worth", worth,
                                               f"worth({mask_to_labels(m, labels)!r}, "
                                               f"{cs.blocks!r}) = {val}",
                                               "Return finite worths")
                W[p, list(mask_to_indices(m))] = val
        self._setup(labels, rgs, owner, W, share)

    def _setup(self, labels: tuple, rgs: np.ndarray, owner: np.ndarray, W: np.ndarray,
               share: Any) -> None:
        n = len(labels)
        if isinstance(share, str):
            if share != "equal":
                raise InvalidArgumentError("share", share, "unknown sharing rule",
                                           "Use 'equal' or a list of positive weights")
            w = np.ones(n)
        else:
            try:
                w = np.asarray(share, dtype=float).reshape(-1)
            except (TypeError, ValueError):
                raise InvalidTypeError("share", share, "not 'equal' or numbers",
                                       "Pass share='equal' or one positive weight per "
                                       "player") from None
            if w.size != n or not np.all(np.isfinite(w)) or np.any(w <= 0):
                raise InvalidArgumentError("share", share,
                                           f"need {n} positive finite weights",
                                           "Pass one positive weight per player")
        member = ((owner[:, :, None] >> np.arange(n)) & 1).astype(float)    # (P, n, n)
        block_weight = member @ w                                            # (P, n)
        pay = W * w[None, :] / block_weight
        keys = _keys(owner, n)
        order = np.argsort(keys)
        for name, val in (("_players", labels), ("_n", n), ("_rgs", rgs[order]),
                          ("_owner", owner[order]), ("_keys", keys[order]),
                          ("_worth", W[order]), ("_pay", pay[order]),
                          ("_share", "equal" if isinstance(share, str) else tuple(w))):
            object.__setattr__(self, name, val)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("PartitionFunctionGame is immutable")

    @classmethod
    def from_tu_game(cls, game: Any, *, share: Any = "equal") -> PartitionFunctionGame:
        """The game without externalities: :math:`v(S, \\pi) = v(S)`."""
        from ..tu.game import TUGame

        if not isinstance(game, TUGame):
            raise InvalidTypeError("game", game, "not a TUGame", "Pass a gt.TUGame")
        v = game.values
        labels = game.players
        lookup = {p: i for i, p in enumerate(labels)}
        return cls(lambda S, P: v[sum(1 << lookup[x] for x in S)], labels, share=share)

    # -- accessors ----------------------------------------------------------------
    @property
    def players(self) -> tuple[Hashable, ...]:
        """Player labels."""
        return self._players

    @property
    def n(self) -> int:
        """Number of players."""
        return self._n

    def __repr__(self) -> str:
        return f"PartitionFunctionGame(n={self._n}, players={self._players!r})"

    def _index(self, owner: np.ndarray) -> np.ndarray:
        return np.searchsorted(self._keys, _keys(owner, self._n))

    def _owner_of(self, partition: Any) -> tuple[CoalitionStructure, np.ndarray]:
        cs = as_structure(partition, self._players, name="partition")
        return cs, np.array([cs.masks[b] for b in cs.block_of], dtype=np.int64)

    def value(self, coalition: Any, partition: Any) -> float:
        r""":math:`v(S, \pi)` for a block *coalition* of *partition*."""
        cs, owner = self._owner_of(partition)
        from ..coalitions import to_mask

        m = to_mask(coalition, self._players)
        if m not in cs.masks:
            raise InvalidArgumentError("coalition", coalition, "not a block of the partition",
                                       f"Use one of {cs.blocks!r}")
        p = int(self._index(owner[None, :])[0])
        return float(self._worth[p, (m & -m).bit_length() - 1])

    def payoffs(self, partition: Any) -> np.ndarray:
        """Every player's share in *partition*."""
        _, owner = self._owner_of(partition)
        return self._pay[int(self._index(owner[None, :])[0])].copy()

    def externalities(self) -> str:
        """``"none"``, ``"positive"``, ``"negative"`` or ``"mixed"``.

        Positive when merging two *other* coalitions never lowers a
        coalition's worth (and sometimes raises it); negative when it never
        raises it.
        """
        n = self._n
        up = down = False
        for p in range(self._owner.shape[0]):
            blocks = sorted(set(self._owner[p].tolist()))
            for a in range(len(blocks)):
                for b in range(a + 1, len(blocks)):
                    merged = self._owner[p].copy()
                    both = blocks[a] | blocks[b]
                    merged[(merged == blocks[a]) | (merged == blocks[b])] = both
                    q = int(self._index(merged[None, :])[0])
                    for c in blocks:
                        if c in (blocks[a], blocks[b]):
                            continue
                        i = (c & -c).bit_length() - 1
                        d = self._worth[q, i] - self._worth[p, i]
                        tol = 1e-12 * max(1.0, abs(self._worth[p, i]))
                        up |= d > tol
                        down |= d < -tol
        del n
        return "none" if not (up or down) else ("mixed" if up and down else
                                                ("positive" if up else "negative"))

    # -- stability ------------------------------------------------------------------
    def _unstable(self, concept: str, assumption: str, idx: np.ndarray
                  ) -> tuple[np.ndarray, list]:
        """Which of the partitions *idx* have a deviation; the first deviation of each."""
        n = self._n
        owner = self._owner[idx]
        cur = self._pay[idx]
        tol = 1e-12 * max(1.0, float(np.abs(self._pay).max()))
        bad = np.zeros(idx.size, dtype=bool)
        why: list = [None] * idx.size
        if concept == "core":
            for S in range(1, 1 << n):
                mem = list(mask_to_indices(S))
                inS = ((S >> np.arange(n)) & 1).astype(bool)
                if assumption == "delta":
                    new = np.where(inS[None, :], S, owner & ~S)
                    after = self._pay[self._index(new)][:, mem]
                elif assumption == "gamma":
                    new = np.where(inS, S, np.left_shift(np.int64(1), np.arange(n)))
                    after = np.broadcast_to(self._pay[self._index(new[None, :])[0], mem],
                                            (idx.size, len(mem)))
                else:
                    has = self._owner[:, mem[0]] == S
                    after = np.broadcast_to(self._pay[has][:, mem].min(axis=0),
                                            (idx.size, len(mem)))
                hit = np.all(after > cur[:, mem] + tol, axis=1) & ~bad
                for k in np.flatnonzero(hit):
                    why[k] = {"coalition": mask_to_labels(S, self._players)}
                bad |= hit
            return bad, why
        for i in range(n):
            mine = owner[:, i]
            rest = mine & ~(1 << i)
            for j in [*range(n), None]:
                if j == i:
                    continue
                T = owner[:, j] if j is not None else np.zeros(idx.size, dtype=np.int64)
                valid = ((T >> i) & 1) == 0
                if j is None:
                    valid &= rest != 0
                new = owner.copy()
                new = np.where(new == mine[:, None], rest[:, None], new)
                joined = T | (1 << i)
                new = np.where((new == T[:, None]) & (T[:, None] != 0), joined[:, None], new)
                new[:, i] = joined
                q = self._index(new)
                hit = valid & (self._pay[q, i] > cur[:, i] + tol)
                if concept == "individual":
                    inT = ((T[:, None] >> np.arange(n)) & 1).astype(bool)
                    ok = np.all(~inT | (self._pay[q] >= cur - tol), axis=1)
                    hit &= ok
                hit &= ~bad
                for k in np.flatnonzero(hit):
                    why[k] = {"player": self._players[i],
                              "joins": mask_to_labels(int(T[k]), self._players)}
                bad |= hit
        return bad, why

    def _check(self, concept: str, assumption: str) -> tuple[str, str]:
        if concept not in _PFG_CONCEPTS:
            raise InvalidArgumentError("concept", concept, "unknown stability concept",
                                       f"Use one of {_PFG_CONCEPTS}")
        if assumption not in ASSUMPTIONS:
            raise InvalidArgumentError("assumption", assumption,
                                       "unknown reaction of the other players",
                                       f"Use one of {ASSUMPTIONS}")
        return concept, assumption

    def stable_partitions(self, concept: str = "core", *,
                          assumption: str = "delta") -> tuple[CoalitionStructure, ...]:
        """Every stable partition (exact).

        Parameters
        ----------
        concept : {"core", "nash", "individual"}
        assumption : {"delta", "gamma", "pessimistic"}
            How the others react to a deviating coalition (core only).
        """
        concept, assumption = self._check(concept, assumption)
        idx = np.arange(self._owner.shape[0])
        bad, _ = self._unstable(concept, assumption, idx)
        return tuple(CoalitionStructure.from_rgs(r, self._players) for r in self._rgs[~bad])

    def is_stable(self, partition: Any, concept: str = "core", *,
                  assumption: str = "delta") -> StabilityResult:
        """Whether *partition* is stable, with the deviation that breaks it if not."""
        concept, assumption = self._check(concept, assumption)
        cs, owner = self._owner_of(partition)
        p = self._index(owner[None, :])
        bad, why = self._unstable(concept, assumption, p)
        if bad[0]:
            dev = why[0]
            desc = (f"{dev['coalition']!r} blocks (others react: {assumption})"
                    if "coalition" in dev else f"{dev['player']!r} gains by joining "
                    f"{dev['joins']!r}")
            return StabilityResult(cs, concept, False, "check", desc, dev,
                                   {"assumption": assumption})
        return StabilityResult(cs, concept, True, "check",
                               "no deviation among all coalitions" if concept == "core"
                               else "no profitable move", None, {"assumption": assumption})
