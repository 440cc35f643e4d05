r"""A parliament and the covariates of its potential cabinets.

A parliament has :math:`n` parties with seats :math:`s_i` (whole numbers) and
left-right positions :math:`x_i`, in a chamber of :math:`T \ge \sum_i s_i`
seats (seats of independents and other non-parties count in :math:`T` but
belong to no party). A potential cabinet is any non-empty set of parties,
encoded as a bitmask in the vocabulary of :mod:`gametheory.coalitions`
(bit :math:`i` = party :math:`i`). With :math:`s(C) = \sum_{i\in C} s_i` and the
quota :math:`q = \lfloor T/2 \rfloor + 1` (a majority of the chamber), the
covariates of cabinet :math:`C` follow the coding of Martin and Stevenson (2001):

``minority``
    :math:`s(C) < q`.
``minimal_winning``
    :math:`s(C) \ge q` and :math:`s(C) - s_i < q` for every :math:`i \in C`
    (every member is needed for the majority; Riker 1962).
``n_parties``
    :math:`|C|`.
``ideological_range``
    :math:`\max_{i\in C} x_i - \min_{i\in C} x_i` (0 for one party).
``connected``
    No party outside :math:`C` lies strictly between the leftmost and the
    rightmost member (Axelrod's connected coalitions; one party is connected).
``largest_party``
    :math:`C` contains a party with the most seats.
``median_party``
    :math:`C` contains the median party: the party holding the median seat when
    the parties' seats are lined up from left to right (the first party whose
    cumulative seats exceed half of :math:`\sum_i s_i`; Laver and Schofield 1990).
``incumbent``
    :math:`C` is the outgoing cabinet.

The surplus majority cabinet (majority, not minimal winning) is the omitted
category of the size covariates.

References
----------
Martin, L. W. and Stevenson, R. T. (2001). Government formation in
parliamentary democracies. *American Journal of Political Science* 45(1),
33-50. Riker, W. H. (1962). *The Theory of Political Coalitions*. Yale UP.
Axelrod, R. (1970). *Conflict of Interest*. Markham. Laver, M. and Schofield,
N. (1990). *Multiparty Government*. Oxford UP.

Examples
--------
Four parties in a 100-seat chamber, ordered left to right:

>>> p = Parliament.from_seats([30, 25, 20, 25], [2.0, 4.0, 6.0, 8.0], total=100,
...                           parties=("L", "CL", "CR", "R"))
>>> p.quota, p.parties[p.median], p.largest_mask
(51, 'CL', 1)
>>> f = p.features([0b0011, 0b0101, 0b1111])
>>> f[:, FEATURES.index("minimal_winning")].tolist()
[1.0, 0.0, 0.0]
>>> f[:, FEATURES.index("connected")].tolist()
[1.0, 0.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..coalitions import all_masks, membership, popcount, validate_players
from ..errors import GameTooLargeError, InvalidArgumentError

__all__ = ["Parliament", "FEATURES", "MAX_PARTIES"]

#: covariates of a potential cabinet, in column order (see the module docstring)
FEATURES = ("minority", "minimal_winning", "n_parties", "ideological_range", "connected",
            "largest_party", "median_party", "incumbent")
#: bitmasks are int64
MAX_PARTIES = 62


@dataclass(frozen=True, eq=False)
class Parliament:
    """Parties with seats and positions in a chamber (see the module docstring).

    Build one with :meth:`from_seats`.

    Attributes
    ----------
    parties : tuple
        Party labels (bit ``i`` of a cabinet mask is ``parties[i]``).
    seats : (n,) int array
    positions : (n,) float array
    total : int
        Seats in the chamber (at least the parties' seats).
    incumbent : int or None
        Bitmask of the outgoing cabinet, if it is among the potential cabinets.
    """

    parties: tuple[Hashable, ...]
    seats: np.ndarray
    positions: np.ndarray
    total: int
    incumbent: int | None

    @classmethod
    def from_seats(cls, seats: Sequence[int] | np.ndarray, positions: Sequence[float] | np.ndarray,
                   *, total: int | None = None, parties: Sequence[Hashable] | None = None,
                   incumbent: int | Sequence[Hashable] | None = None) -> Parliament:
        """A parliament from seats and left-right positions.

        Parameters
        ----------
        seats : sequence of int
            Seats of each party (whole numbers, at least 1).
        positions : sequence of float
            Left-right position of each party (finite).
        total : int, optional
            Chamber size; default the sum of the seats.
        parties : sequence, optional
            Labels; default ``0..n-1``.
        incumbent : int or sequence of labels, optional
            The outgoing cabinet (a bitmask or its parties).
        """
        s = np.asarray(seats)
        if s.ndim != 1 or not len(s) or not np.issubdtype(s.dtype, np.number):
            raise InvalidArgumentError("seats", seats, "not a non-empty list of numbers",
                                       "Give one whole number of seats per party")
        if np.any(~np.isfinite(s)) or np.any(s != np.round(s)) or np.any(s < 1):
            i = int(np.flatnonzero(~np.isfinite(s) | (s != np.round(s)) | (s < 1))[0])
            raise InvalidArgumentError(f"seats[{i}]", s[i], "not a whole number of at least 1",
                                       "Give whole seat counts; leave seatless parties out")
        n = len(s)
        if n > MAX_PARTIES:
            raise GameTooLargeError("seats", f"<{n} parties>", f"more than {MAX_PARTIES} parties",
                                    "Merge the smallest parties")
        x = np.asarray(positions, dtype=float)
        if x.shape != (n,):
            raise InvalidArgumentError("positions", positions, f"{x.size} positions for {n} "
                                       "parties", "Give one position per party")
        if not np.all(np.isfinite(x)):
            i = int(np.flatnonzero(~np.isfinite(x))[0])
            raise InvalidArgumentError(f"positions[{i}]", x[i], "not a finite number",
                                       "Impute or drop parties without a position")
        s = np.round(s).astype(np.int64)
        tot = int(s.sum()) if total is None else total
        if int(tot) != tot or tot < s.sum():
            raise InvalidArgumentError("total", total, f"below the parties' {int(s.sum())} seats",
                                       "Give the chamber size (at least the sum of the seats)")
        labels = validate_players(parties, n, "parties")
        inc: int | None
        if incumbent is None:
            inc = None
        elif isinstance(incumbent, int | np.integer):
            inc = int(incumbent)
        else:
            look = {p: i for i, p in enumerate(labels)}
            missing = [p for p in incumbent if p not in look]
            if missing:
                raise InvalidArgumentError("incumbent", incumbent, f"parties {missing} are not "
                                           "in the parliament", "Give parties of this parliament")
            inc = sum(1 << look[p] for p in incumbent)
        if inc is not None and not 0 < inc < (1 << n):
            raise InvalidArgumentError("incumbent", incumbent, "not a non-empty cabinet of "
                                       "this parliament", "Give a bitmask in 1..2**n-1")
        for a in (s, x):
            a.setflags(write=False)
        return cls(labels, s, x, int(tot), inc)

    # ------------------------------------------------------------ basics
    @property
    def n(self) -> int:
        """Number of parties."""
        return len(self.parties)

    @property
    def quota(self) -> int:
        """Seats needed for a majority: ``total // 2 + 1``."""
        return self.total // 2 + 1

    @property
    def largest_mask(self) -> int:
        """Bitmask of the party (or tied parties) with the most seats."""
        return int(sum(1 << int(i) for i in np.flatnonzero(self.seats == self.seats.max())))

    @property
    def median(self) -> int:
        """Index of the median party (see the module docstring)."""
        order = np.argsort(self.positions, kind="stable")
        cum = np.cumsum(self.seats[order])
        return int(order[np.searchsorted(cum, cum[-1] / 2, side="right")])

    def all_cabinets(self) -> np.ndarray:
        """Every non-empty set of parties (bitmasks ``1 .. 2**n - 1``)."""
        return all_masks(self.n)[1:]

    def seats_of(self, masks: Any) -> np.ndarray:
        """Seats of each cabinet."""
        return membership(np.asarray(masks, np.int64), self.n) @ self.seats

    def __repr__(self) -> str:
        return (f"Parliament(n={self.n}, seats={self.seats.tolist()}, total={self.total}, "
                f"quota={self.quota})")

    # ------------------------------------------------------------ covariates
    def features(self, masks: Any) -> np.ndarray:
        """Covariates of each cabinet: a float array (M, len(FEATURES)) (module docstring).

        Booleans are 0/1; cabinets must be non-empty bitmasks of this parliament.
        """
        m = np.asarray(masks, dtype=np.int64).ravel()
        if len(m) and (m.min() < 1 or m.max() >= (1 << self.n)):
            raise InvalidArgumentError("masks", masks, "not non-empty cabinets of this "
                                       f"{self.n}-party parliament",
                                       f"Give bitmasks in 1..{(1 << self.n) - 1}")
        mem = membership(m, self.n)
        s = mem @ self.seats
        majority = s >= self.quota
        smallest = np.where(mem, self.seats, np.iinfo(np.int64).max).min(axis=1)
        x = self.positions
        hi = np.where(mem, x, -np.inf).max(axis=1)
        lo = np.where(mem, x, np.inf).min(axis=1)
        between = (~mem) & (x > lo[:, None]) & (x < hi[:, None])
        out = np.empty((len(m), len(FEATURES)))
        out[:, 0] = ~majority
        out[:, 1] = majority & (s - smallest < self.quota)
        out[:, 2] = popcount(m)
        out[:, 3] = hi - lo
        out[:, 4] = ~between.any(axis=1)
        out[:, 5] = (m & self.largest_mask) != 0
        out[:, 6] = mem[:, self.median]
        out[:, 7] = (m == self.incumbent) if self.incumbent is not None else False
        return out
