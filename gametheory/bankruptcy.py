r"""Division rules for bankruptcy (claims) problems.

A bankruptcy problem is an estate :math:`E \ge 0` and claims
:math:`c \in \mathbb{R}^n_{\ge 0}` with :math:`\sum_i c_i \ge E`. A rule
divides the estate: :math:`0 \le x_i \le c_i`, :math:`\sum_i x_i = E`.

Every rule returns an :class:`~gametheory.results.AllocationResult` in the
claimants' order and runs in :math:`O(n \log n)`, so problems with millions of
claimants are fine.

References
----------
Aumann, R. J. and Maschler, M. (1985). Game theoretic analysis of a
bankruptcy problem from the Talmud. *Journal of Economic Theory* 36, 195-213.
Thomson, W. (2003). Axiomatic and game-theoretic analysis of bankruptcy and
taxation problems: a survey. *Mathematical Social Sciences* 45, 249-297.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from .coalitions import validate_players
from .errors import InvalidArgumentError
from .results import AllocationResult

__all__ = ["proportional", "cea", "cel", "talmud", "validate_problem"]


def validate_problem(estate: Any, claims: Any) -> tuple[float, np.ndarray]:
    """Check ``0 <= estate <= sum(claims)``, claims finite and non-negative."""
    try:
        c = np.asarray(claims, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InvalidArgumentError("claims", claims, "not a vector of numbers",
                                   "Pass a list of non-negative claims") from None
    if c.size == 0:
        raise InvalidArgumentError("claims", claims, "no claimants",
                                   "Pass at least one claim")
    if not np.all(np.isfinite(c)) or np.any(c < 0):
        raise InvalidArgumentError("claims", claims, "claims must be finite and >= 0",
                                   "Remove negative or non-finite claims")
    try:
        e = float(estate)
    except (TypeError, ValueError):
        raise InvalidArgumentError("estate", estate, "not a number",
                                   "Pass the estate as a number") from None
    if not np.isfinite(e) or e < 0:
        raise InvalidArgumentError("estate", estate, "must be finite and >= 0",
                                   "Pass a non-negative estate")
    total = c.sum()
    if e > total * (1 + 1e-12) + 1e-12:
        raise InvalidArgumentError("estate", estate,
                                   f"exceeds the total claims {total:.6g}",
                                   "This is not a bankruptcy problem: pay every claim")
    return min(e, total), c


def _result(x: np.ndarray, rule: str, players: Sequence[Hashable] | None,
            estate: float, claims: np.ndarray) -> AllocationResult:
    labels = validate_players(players, len(claims))
    return AllocationResult(x, labels, rule, "closed-form", True,
                            {"estate": estate, "claims": tuple(claims.tolist())})


def _cea_level(estate: float, c: np.ndarray) -> float:
    """The lambda with sum(min(c, lambda)) = estate (c sorted internally)."""
    s = np.sort(c)
    n = s.size
    # after paying the k smallest claims in full, the rest get lambda each
    paid = np.concatenate([[0.0], np.cumsum(s)[:-1]])
    lam = (estate - paid) / (n - np.arange(n))
    ok = lam <= s
    k = int(np.argmax(ok)) if ok.any() else n - 1
    return float(lam[k])


def proportional(estate: float, claims: Any,
                 players: Sequence[Hashable] | None = None) -> AllocationResult:
    r"""Proportional rule :math:`x_i = E\,c_i / \sum_j c_j`.

    Examples
    --------
    >>> from gametheory import bankruptcy
    >>> bankruptcy.proportional(300, [100, 200, 300]).values.tolist()
    [50.0, 100.0, 150.0]
    """
    e, c = validate_problem(estate, claims)
    total = c.sum()
    x = np.zeros_like(c) if total == 0 else e * c / total
    return _result(x, "proportional", players, e, c)


def cea(estate: float, claims: Any,
        players: Sequence[Hashable] | None = None) -> AllocationResult:
    r"""Constrained equal awards :math:`x_i = \min(c_i, \lambda)`, :math:`\sum x = E`.

    Examples
    --------
    >>> from gametheory import bankruptcy
    >>> bankruptcy.cea(200, [100, 200, 300]).values.round(6).tolist()
    [66.666667, 66.666667, 66.666667]
    """
    e, c = validate_problem(estate, claims)
    lam = _cea_level(e, c)
    return _result(np.minimum(c, lam), "cea", players, e, c)


def cel(estate: float, claims: Any,
        players: Sequence[Hashable] | None = None) -> AllocationResult:
    r"""Constrained equal losses :math:`x_i = \max(0, c_i - \lambda)`, :math:`\sum x = E`.

    Examples
    --------
    >>> from gametheory import bankruptcy
    >>> bankruptcy.cel(300, [100, 200, 300]).values.tolist()
    [0.0, 100.0, 200.0]
    """
    e, c = validate_problem(estate, claims)
    # losses are CEA of the deficit
    loss_lam = _cea_level(c.sum() - e, c)
    return _result(c - np.minimum(c, loss_lam), "cel", players, e, c)


def talmud(estate: float, claims: Any,
           players: Sequence[Hashable] | None = None) -> AllocationResult:
    r"""The Talmud rule (Aumann and Maschler 1985).

    With half-claims :math:`h = c/2`: if :math:`E \le \sum h`, CEA on
    :math:`h`; otherwise :math:`x = h + \mathrm{CEL}(E - \sum h, h)`. It is
    the nucleolus of the bankruptcy game
    :math:`v(S) = \max(0, E - \sum_{j \notin S} c_j)`.

    Examples
    --------
    >>> from gametheory import bankruptcy
    >>> bankruptcy.talmud(200, [100, 200, 300]).values.tolist()
    [50.0, 75.0, 75.0]
    """
    e, c = validate_problem(estate, claims)
    h = c / 2.0
    if e <= h.sum():
        x = np.minimum(h, _cea_level(e, h))
    else:
        loss_lam = _cea_level(c.sum() - e, h)
        x = h + (h - np.minimum(h, loss_lam))
    return _result(x, "talmud", players, e, c)
