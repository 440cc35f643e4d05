"""Linear programs on scipy's HiGHS, with failures turned into errors.

Internal helpers shared by the core, least core and nucleolus.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import linprog

from ..coalitions import membership
from ..errors import SolverError

__all__ = ["solve_lp", "rows_of", "coalition_sums"]


def solve_lp(c: np.ndarray, *, A_ub: Any = None, b_ub: Any = None, A_eq: Any = None,
             b_eq: Any = None, bounds: Any = None, what: str = "linear program") -> Any:
    """``linprog(method="highs")``; any status but optimal raises :class:`SolverError`."""
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds,
                  method="highs")
    if res.status != 0:
        raise SolverError(
            what, res.status, str(res.message),
            "Check that the game's worths are finite and of moderate scale; "
            "rescale the game (g.scaled(a)) if they span many orders of magnitude",
        )
    return res


def rows_of(masks: np.ndarray, n: int) -> np.ndarray:
    """0/1 constraint rows (float) for the coalitions in *masks*."""
    return membership(np.asarray(masks, dtype=np.int64), n).astype(float)


def coalition_sums(x: np.ndarray) -> np.ndarray:
    """``x(S)`` for every bitmask S (length ``2**n``), built by doubling."""
    n = x.shape[0]
    out = np.zeros(1 << n)
    for i in range(n):
        np.add(out[: 1 << i], x[i], out=out[1 << i: 2 << i])
    return out
