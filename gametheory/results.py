"""Result types shared by the solvers.

One frozen type per family of solvers:

* :class:`AllocationResult` for every solution that gives one number per
  player (Shapley, Banzhaf, nucleolus, tau value, power indices, ...). It
  records the concept, the method, its parameters, whether the numbers are
  exact, and standard errors when they are not.
* :class:`LeastCoreResult` for the least core (an epsilon and an
  allocation); it unpacks as ``epsilon, allocation``.

An :class:`AllocationResult` behaves like a read-only numpy array in the
game's player order (``np.asarray(res)``, ``res[0]``, ``res["A"]``,
arithmetic), and :meth:`AllocationResult.to_series` gives the labelled pandas
view.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InvalidArgumentError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["AllocationResult", "LeastCoreResult", "PointSetResult", "frozen_array"]


def frozen_array(x: Any, dtype: Any = float) -> np.ndarray:
    """A read-only copy of *x* as a numpy array."""
    arr = np.array(x, dtype=dtype, copy=True)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False, repr=False)
class AllocationResult:
    """One number per player, with how it was obtained.

    Attributes
    ----------
    values : ndarray
        The allocation, in the order of :attr:`players` (read-only).
    players : tuple
        Player labels.
    concept : str
        The solution concept, e.g. ``"shapley"`` or ``"nucleolus"``.
    method : str
        The algorithm used, e.g. ``"exact"``, ``"sample"``, ``"sequential-lp"``.
    exact : bool
        Whether :attr:`values` is exact up to floating point (``False`` for
        sampling estimates).
    params : mapping
        The method's parameters (samples, seed, tolerances, ...).
    stderr : ndarray or None
        Standard error per player for approximate methods.
    info : mapping
        Diagnostics specific to the method (LP count, epsilon levels, ...).
    game : object or None
        The game the allocation belongs to, when there is one; used by
        :meth:`blocking_coalitions` and :meth:`excesses`.
    """

    values: np.ndarray
    players: tuple[Hashable, ...]
    concept: str
    method: str
    exact: bool
    params: Mapping[str, Any] = field(default_factory=dict)
    stderr: np.ndarray | None = None
    info: Mapping[str, Any] = field(default_factory=dict)
    game: Any = None

    def __post_init__(self) -> None:
        vals = frozen_array(np.asarray(self.values, dtype=float) + 0.0)  # no -0.0
        if vals.ndim != 1 or vals.shape[0] != len(self.players):
            raise InvalidArgumentError("values", self.values,
                                       f"expected {len(self.players)} entries",
                                       "Give one value per player")
        if not np.all(np.isfinite(vals)):
            raise InvalidArgumentError("values", self.values, "non-finite entries",
                                       "This is a solver bug; please report it")
        object.__setattr__(self, "values", vals)
        object.__setattr__(self, "players", tuple(self.players))
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        object.__setattr__(self, "info", MappingProxyType(dict(self.info)))
        if self.stderr is not None:
            object.__setattr__(self, "stderr", frozen_array(self.stderr))

    # array behaviour -------------------------------------------------
    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if dtype is None:
            return self.values.copy() if copy else self.values
        return self.values.astype(dtype)

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self) -> Iterator[float]:
        return iter(self.values.tolist())

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, int | np.integer | slice) and not isinstance(key, bool):
            return self.values[key]
        if key in self.players:
            return float(self.values[self.players.index(key)])
        raise KeyError(key)

    def __repr__(self) -> str:
        vals = ", ".join(f"{p!r}: {v:.6g}" for p, v in zip(self.players, self.values,
                                                          strict=True))
        tag = "exact" if self.exact else "approximate"
        return f"AllocationResult({self.concept}, method={self.method!r}, {tag}, {{{vals}}})"

    @property
    def total(self) -> float:
        """Sum of the allocation."""
        return float(self.values.sum())

    def to_series(self) -> pd.Series:
        """Labelled pandas view, indexed by player."""
        import pandas as pd

        return pd.Series(self.values, index=pd.Index(self.players, name="player"),
                         name=self.concept)

    def to_frame(self) -> pd.DataFrame:
        """Labelled frame with the value and, for estimates, the standard error."""
        import pandas as pd

        data: dict[str, Any] = {self.concept: self.values}
        if self.stderr is not None:
            data["stderr"] = self.stderr
        return pd.DataFrame(data, index=pd.Index(self.players, name="player"))

    # self-checks ----------------------------------------------------
    def _require_game(self) -> Any:
        if self.game is None:
            raise InvalidArgumentError("game", None, "this result is not attached to a game",
                                       "Call gt.blocking_coalitions(game, x) directly")
        return self.game

    def blocking_coalitions(self, tol: float = 1e-9) -> Any:
        """Coalitions that can do better on their own than under this allocation."""
        from .tu.core import blocking_coalitions

        return blocking_coalitions(self._require_game(), self.values, tol=tol)

    def in_core(self, tol: float = 1e-9) -> bool:
        """Whether the allocation lies in the game's core."""
        from .tu.core import core_contains

        return core_contains(self._require_game(), self.values, tol=tol)


@dataclass(frozen=True, eq=False, repr=False)
class LeastCoreResult:
    """The least core value and an allocation in the least core.

    Unpacks as ``epsilon, allocation``.

    Attributes
    ----------
    epsilon : float
        Smallest :math:`\\varepsilon` with :math:`x(S) \\ge v(S) - \\varepsilon`
        for every proper coalition; ``epsilon <= 0`` exactly when the core is
        non-empty.
    allocation : AllocationResult
        An allocation attaining it.
    method : str
        The algorithm used.
    exact : bool
        Always ``True`` for the LP methods.
    convention : str
        ``"preimputations"`` (efficiency only) or ``"imputations"`` (also
        individual rationality): the set the least core is taken over.
    """

    epsilon: float
    allocation: AllocationResult
    method: str
    exact: bool = True
    params: Mapping[str, Any] = field(default_factory=dict)
    convention: str = "preimputations"

    def __iter__(self) -> Iterator[Any]:
        return iter((self.epsilon, self.allocation))

    def __repr__(self) -> str:
        return (f"LeastCoreResult(epsilon={self.epsilon:.6g}, over {self.convention}, "
                f"allocation={self.allocation!r})")


@dataclass(frozen=True, eq=False, repr=False)
class PointSetResult:
    """A finite set of allocations: the vertices of a core, the Weber set's marginal vectors.

    Attributes
    ----------
    points : ndarray, shape (k, n)
        One allocation per row, in the order of :attr:`players` (read-only).
    players : tuple
        Player labels.
    concept : str
        What the points are, e.g. ``"core_vertices"`` or ``"weber_set"``.
    method : str
        The algorithm used.
    exact : bool
        Whether the points are exact up to floating point.
    multiplicity : ndarray or None
        For points that are marginal vectors: how many orders of the
        players give each point (they sum to ``n!``).
    info : mapping
        Diagnostics (dimension of the set, shortcuts taken, ...).
    """

    points: np.ndarray
    players: tuple[Hashable, ...]
    concept: str
    method: str
    exact: bool = True
    multiplicity: np.ndarray | None = None
    info: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        pts = np.asarray(self.points)
        if not (pts.dtype == float and pts.ndim == 2 and not pts.flags.writeable):
            # anything but a read-only float matrix (which solvers hand over) is copied
            pts = frozen_array(np.asarray(self.points, dtype=float).reshape(
                -1, len(self.players)) + 0.0)
        if pts.shape[1] != len(self.players):
            raise InvalidArgumentError("points", self.points,
                                       f"{pts.shape[1]} columns for {len(self.players)} players",
                                       "Give one column per player")
        if not np.all(np.isfinite(pts)):
            raise InvalidArgumentError("points", self.points, "non-finite entries",
                                       "This is a solver bug; please report it")
        object.__setattr__(self, "points", pts)
        object.__setattr__(self, "players", tuple(self.players))
        object.__setattr__(self, "info", MappingProxyType(dict(self.info)))
        if self.multiplicity is not None:
            object.__setattr__(self, "multiplicity",
                               frozen_array(self.multiplicity, dtype=np.int64))

    def __len__(self) -> int:
        return int(self.points.shape[0])

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        return self.points if dtype is None else self.points.astype(dtype)

    def __repr__(self) -> str:
        return (f"PointSetResult({self.concept}, method={self.method!r}, {len(self)} points, "
                f"players={self.players!r})")

    def barycentre(self, weighted: bool = False) -> np.ndarray:
        """Mean of the points; ``weighted=True`` weighs each by its multiplicity.

        The multiplicity-weighted barycentre of the marginal vectors is the
        Shapley value.
        """
        if len(self) == 0:
            raise InvalidArgumentError("points", self.points, "the set is empty",
                                       "There is no barycentre of an empty set")
        if weighted:
            if self.multiplicity is None:
                raise InvalidArgumentError("weighted", weighted,
                                           "these points carry no multiplicities",
                                           "Use weighted=False")
            w = self.multiplicity.astype(float)
            return (w @ self.points) / w.sum()
        return self.points.mean(axis=0)

    def to_frame(self) -> pd.DataFrame:
        """One row per point, one column per player (plus ``multiplicity`` when known)."""
        import pandas as pd

        df = pd.DataFrame(self.points, columns=pd.Index(self.players, name="player"))
        if self.multiplicity is not None:
            df["multiplicity"] = self.multiplicity
        return df
