"""Input checks shared by the bargaining modules (private)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgumentError, InvalidTypeError


def as_finite_array(value: Any, name: str, ndim: int | None = None) -> np.ndarray:
    """*value* as a float array, refusing non-numeric or non-finite entries."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidTypeError(name, value, "not an array of numbers",
                               "Pass a list or numpy array of real numbers") from None
    if ndim is not None and arr.ndim != ndim:
        raise InvalidArgumentError(name, value, f"expected a {ndim}-dimensional array, "
                                   f"got shape {arr.shape}",
                                   f"Pass a {ndim}-dimensional array")
    if not np.all(np.isfinite(arr)):
        raise InvalidArgumentError(name, value, "contains NaN or infinite entries",
                                   "Replace the non-finite entries by finite numbers")
    return arr


def check_discount(value: Any, name: str, allow_one: bool = False) -> float:
    """A discount factor in (0, 1) (or (0, 1] with *allow_one*)."""
    try:
        d = float(value)
    except (TypeError, ValueError):
        raise InvalidTypeError(name, value, "a discount factor must be a number",
                               "Pass a float such as 0.9") from None
    upper_ok = d <= 1.0 if allow_one else d < 1.0
    if not (np.isfinite(d) and d > 0.0 and upper_ok):
        interval = "(0, 1]" if allow_one else "(0, 1)"
        raise InvalidArgumentError(name, value, f"discount factor outside {interval}",
                                   f"Pass a discount factor in {interval}, e.g. 0.9")
    return d


def check_probability(value: Any, name: str, open_upper: bool = True) -> float:
    """A probability in [0, 1) (or [0, 1])."""
    try:
        p = float(value)
    except (TypeError, ValueError):
        raise InvalidTypeError(name, value, "a probability must be a number",
                               "Pass a float in [0, 1)") from None
    upper_ok = p < 1.0 if open_upper else p <= 1.0
    if not (np.isfinite(p) and p >= 0.0 and upper_ok):
        interval = "[0, 1)" if open_upper else "[0, 1]"
        raise InvalidArgumentError(name, value, f"probability outside {interval}",
                                   f"Pass a probability in {interval}")
    return p
