"""Payoff-matrix checks shared by the strategic modules (private)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgumentError, InvalidTypeError


def payoff_matrix(value: Any, name: str) -> np.ndarray:
    """*value* as a finite 2-d float array with at least one row and column."""
    try:
        M = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidTypeError(name, value, "not a matrix of numbers",
                               "Pass a 2-d list or numpy array of payoffs") from None
    if M.ndim != 2 or M.shape[0] < 1 or M.shape[1] < 1:
        raise InvalidArgumentError(name, value, f"expected a non-empty 2-d matrix, got shape "
                                   f"{M.shape}", "Pass one row per row-player strategy and "
                                   "one column per column-player strategy")
    if not np.isfinite(M).all():
        raise InvalidArgumentError(name, value, "contains NaN or infinite payoffs",
                                   "Replace the non-finite payoffs by finite numbers")
    return M


def bimatrix(A: Any, B: Any | None) -> tuple[np.ndarray, np.ndarray]:
    """Row and column payoffs; ``B=None`` means zero-sum (``B = -A``)."""
    Am = payoff_matrix(A, "A")
    Bm = -Am if B is None else payoff_matrix(B, "B")
    if Am.shape != Bm.shape:
        raise InvalidArgumentError("B", B, f"shape {Bm.shape} differs from A's {Am.shape}",
                                   "Give both players' payoffs as matrices of the same shape "
                                   "(rows: row player's strategies)")
    return Am, Bm
