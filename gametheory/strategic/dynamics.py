r"""Learning dynamics on two-player games, through nashpy.

Representation
--------------
Payoff matrices as in :mod:`gametheory.strategic.equilibria`. Replicator
dynamics integrate :math:`\dot x_i = x_i((Ax)_i - x^\top A x)` (one
population playing the symmetric game ``A``) or the two-population version
:math:`\dot x_i = x_i((Ay)_i - x^\top A y)`,
:math:`\dot y_j = y_j((B^\top x)_j - x^\top B y)`. Fictitious play has each
player best-respond to the empirical frequency of the other's past play.

Both are thin wrappers around nashpy (Knight and Campbell 2018) adding input
checks and, for fictitious play, reproducible tie-breaking: nashpy breaks
ties with NumPy's legacy global generator, so the wrapper seeds that
generator from ``seed`` for the duration of the call and restores its state
afterwards — the caller's global random state is left untouched.

References
----------
Taylor, P. D. and Jonker, L. B. (1978). Evolutionarily stable strategies and
game dynamics. *Mathematical Biosciences* 40, 145–156.
Brown, G. W. (1951). Iterative solution of games by fictitious play. In
*Activity Analysis of Production and Allocation*, 374–376.
Knight, V. and Campbell, J. (2018). Nashpy. *JOSS* 3(30), 904.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ._payoffs import bimatrix, payoff_matrix

__all__ = ["replicator_dynamics", "asymmetric_replicator_dynamics", "fictitious_play"]


def _simplex(v: Any, k: int, name: str) -> np.ndarray | None:
    if v is None:
        return None
    arr = np.asarray(v, dtype=float)
    if arr.shape != (k,) or not np.all(np.isfinite(arr)) or np.any(arr < 0) or \
            abs(arr.sum() - 1) > 1e-9:
        raise InvalidArgumentError(name, v, f"not a probability vector of length {k}",
                                   "Pass non-negative entries summing to one")
    return arr


def _times(timepoints: Any) -> np.ndarray | None:
    if timepoints is None:
        return None
    t = np.asarray(timepoints, dtype=float)
    if t.ndim != 1 or t.size < 2 or not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
        raise InvalidArgumentError("timepoints", timepoints, "not an increasing 1-d grid",
                                   "Pass e.g. np.linspace(0, 10, 101)")
    return t


def replicator_dynamics(A: Any, y0: Any = None, timepoints: Any = None) -> np.ndarray:
    r"""Single-population replicator dynamics :math:`\dot x_i = x_i((Ax)_i - x^\top A x)`.

    Parameters
    ----------
    A : (k, k) payoff matrix of the symmetric game
    y0 : probability vector, optional (default uniform)
    timepoints : increasing 1-d array, optional (nashpy's default grid)

    Returns
    -------
    ndarray
        ``(len(timepoints), k)`` population shares over time.

    References
    ----------
    Taylor and Jonker (1978).

    Examples
    --------
    >>> xs = replicator_dynamics([[0, 3], [1, 2]], [0.2, 0.8], np.linspace(0, 20, 50))
    >>> xs[-1].round(3).tolist()
    [0.5, 0.5]
    """
    import nashpy

    Am = payoff_matrix(A, "A")
    if Am.shape[0] != Am.shape[1]:
        raise InvalidArgumentError("A", A, f"shape {Am.shape} is not square",
                                   "Replicator dynamics need a square (symmetric-game) matrix")
    x0 = _simplex(y0, Am.shape[0], "y0")
    t = _times(timepoints)
    return np.asarray(nashpy.Game(Am).replicator_dynamics(y0=x0, timepoints=t))


def asymmetric_replicator_dynamics(A: Any, B: Any, x0: Any = None, y0: Any = None,
                                   timepoints: Any = None) -> tuple[np.ndarray, np.ndarray]:
    r"""Two-population replicator dynamics for a bimatrix game.

    .. math::

        \dot x_i = x_i((Ay)_i - x^\top A y), \qquad
        \dot y_j = y_j((B^\top x)_j - x^\top B y).

    Returns
    -------
    (ndarray, ndarray)
        Row and column populations over time.

    References
    ----------
    Taylor and Jonker (1978); Knight and Campbell (2018).

    Examples
    --------
    >>> xs, ys = asymmetric_replicator_dynamics([[3, 0], [0, 2]], [[2, 0], [0, 3]],
    ...                                          [0.9, 0.1], [0.9, 0.1], np.linspace(0, 30, 60))
    >>> xs[-1].round(3).tolist()[0]
    1.0
    """
    import nashpy

    Am, Bm = bimatrix(A, B)
    x = _simplex(x0, Am.shape[0], "x0")
    y = _simplex(y0, Am.shape[1], "y0")
    t = _times(timepoints)
    xs, ys = nashpy.Game(Am, Bm).asymmetric_replicator_dynamics(x0=x, y0=y, timepoints=t)
    return np.asarray(xs), np.asarray(ys)


def fictitious_play(A: Any, B: Any = None, iterations: int = 1000, *,
                    play_counts: Any = None, seed: int | np.random.Generator | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    r"""Fictitious play: empirical play counts after each iteration.

    At each step each player plays a best response to the other's empirical
    frequencies so far (ties broken at random, reproducibly from *seed*).

    Parameters
    ----------
    A, B : (m, n) payoff matrices (``B=None``: zero-sum)
    iterations : int
        Number of rounds.
    play_counts : pair of arrays, optional
        Initial counts.
    seed : int or numpy Generator, optional
        Source of the tie-breaking randomness.

    Returns
    -------
    (ndarray, ndarray)
        ``(iterations + 1, m)`` and ``(iterations + 1, n)`` play counts.

    References
    ----------
    Brown (1951); Robinson, J. (1951). An iterative method of solving a game.
    *Annals of Mathematics* 54, 296–301.

    Examples
    --------
    >>> r, c = fictitious_play([[1, -1], [-1, 1]], iterations=2000, seed=0)
    >>> (r[-1] / r[-1].sum()).round(1).tolist()
    [0.5, 0.5]
    """
    import nashpy

    Am, Bm = bimatrix(A, B)
    if not isinstance(iterations, int | np.integer) or iterations < 1:
        raise InvalidArgumentError("iterations", iterations, "need a positive integer",
                                   "Pass e.g. iterations=1000")
    pc = None
    if play_counts is not None:
        pc = [np.asarray(play_counts[0], float), np.asarray(play_counts[1], float)]
        if pc[0].shape != (Am.shape[0],) or pc[1].shape != (Am.shape[1],):
            raise InvalidArgumentError("play_counts", play_counts, "wrong lengths",
                                       "Give one count per strategy of each player")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    # nashpy draws ties from the legacy global generator: seed it for this call only
    state = np.random.get_state()  # noqa: NPY002
    np.random.seed(int(rng.integers(2**32 - 1)))  # noqa: NPY002
    try:
        plays = list(nashpy.Game(Am, Bm).fictitious_play(iterations=int(iterations),
                                                         play_counts=pc))
    finally:
        np.random.set_state(state)  # noqa: NPY002
    rows = np.array([p[0] for p in plays], dtype=float)
    cols = np.array([p[1] for p in plays], dtype=float)
    return rows, cols
