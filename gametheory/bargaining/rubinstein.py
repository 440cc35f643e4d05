r"""Rubinstein alternating-offers bargaining over a pie.

Representation
--------------
Two players (0 and 1) divide a pie of size ``pie``. In each period one
player proposes a split and the other accepts or rejects; proposers
alternate. Player :math:`i` discounts one period by :math:`\delta_i \in (0,1)`.
Two classical extensions are included:

* **breakdown** (Binmore, Rubinstein and Wolinsky 1986): after a rejection
  the negotiation breaks down with probability :math:`p` before the next
  period, and then player :math:`i` receives the breakdown payoff
  :math:`e_i` (discounted like any next-period payoff);
* **outside options** (Binmore, Shaked and Sutton 1989): a responder may opt
  out on receiving an offer and take :math:`o_i` at once.

The stationary subgame-perfect equilibrium is unique: with :math:`M_i` the
share player :math:`i` keeps when proposing, the responder :math:`j` is
offered exactly its reservation value

.. math::

    M_i = P - \max\bigl(o_j,\ \delta_j[(1-p) M_j + p\, e_j]\bigr),

a piecewise-linear contraction solved exactly by case analysis. Without
breakdown or outside options this is Rubinstein's
:math:`M_1 = (1-\delta_2)/(1-\delta_1\delta_2)`.

:func:`rubinstein_limit` gives the frictionless limit (period length
:math:`\Delta \to 0` with :math:`\delta_i = e^{-r_i\Delta}`,
:math:`p = 1 - e^{-\lambda\Delta}`): the asymmetric Nash bargaining solution
with weights :math:`1/(r_i+\lambda)` and disagreement point
:math:`\lambda e_i/(r_i+\lambda)`, capped by the outside options (the
outside-option principle).

Results are :class:`~gametheory.results.AllocationResult` objects with the
two players' equilibrium payoffs.

References
----------
Rubinstein, A. (1982). Perfect equilibrium in a bargaining model.
*Econometrica* 50, 97–109.
Binmore, K., Rubinstein, A. and Wolinsky, A. (1986). The Nash bargaining
solution in economic modelling. *RAND J. Econ.* 17, 176–188.
Binmore, K., Shaked, A. and Sutton, J. (1989). An outside option experiment.
*Quarterly J. Econ.* 104, 753–770.
Osborne, M. J. and Rubinstein, A. (1990). *Bargaining and Markets*, ch. 3–5.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from ..coalitions import validate_players
from ..errors import InvalidArgumentError, SolverError
from ..results import AllocationResult
from ._checks import as_finite_array, check_discount, check_probability

__all__ = ["rubinstein", "rubinstein_limit"]


def _pair(value: Any, name: str, pie: float) -> np.ndarray:
    arr = as_finite_array(value, name, ndim=1)
    if arr.shape[0] != 2:
        raise InvalidArgumentError(name, value, f"{arr.shape[0]} entries",
                                   "Give one value per player (two)")
    if arr.sum() >= pie:
        raise InvalidArgumentError(name, value, f"the two values sum to {arr.sum():g} >= "
                                   f"the pie {pie:g}, so no agreement is worth reaching",
                                   "Give values whose sum is below the pie")
    return arr


def _pie(pie: Any) -> float:
    P = float(as_finite_array(pie, "pie", ndim=0))
    if P <= 0:
        raise InvalidArgumentError("pie", pie, "the pie must be positive", "Pass pie > 0")
    return P


def rubinstein(delta1: float, delta2: float, *, breakdown: float = 0.0,
               breakdown_payoffs: Any = (0.0, 0.0), outside_options: Any = None,
               pie: float = 1.0, first: int = 0,
               players: Sequence[Hashable] | None = None) -> AllocationResult:
    r"""Subgame-perfect equilibrium payoffs of Rubinstein's alternating-offers game.

    With :math:`P` the pie, :math:`p` the breakdown probability, :math:`e`
    the breakdown payoffs and :math:`o` the outside options, the shares
    :math:`M_1, M_2` a player keeps when proposing solve

    .. math::

        M_1 = P - \max(o_2, \delta_2[(1-p)M_2 + p e_2]),\quad
        M_2 = P - \max(o_1, \delta_1[(1-p)M_1 + p e_1]).

    Agreement is immediate; if player ``first`` proposes it gets its
    :math:`M` and the other gets the rest. With no breakdown and no outside
    options, :math:`M_1 = (1-\delta_2)/(1-\delta_1\delta_2)` (Rubinstein 1982).

    Parameters
    ----------
    delta1, delta2 : float in (0, 1)
        Discount factors of players 0 and 1.
    breakdown : float in [0, 1)
        Probability that a rejection ends the negotiation.
    breakdown_payoffs : pair of floats
        Payoffs :math:`e` on breakdown (sum below the pie).
    outside_options : pair of floats, optional
        Payoffs :math:`o` a responder can take instead of an offer (sum
        below the pie).
    pie : float
        Size of the pie (default 1).
    first : {0, 1}
        Which player proposes first.
    players : labels, optional

    Returns
    -------
    AllocationResult
        Equilibrium payoffs; ``info`` holds ``proposer_shares`` (:math:`M_1,
        M_2`), ``responder_offers`` and which outside options bind.

    Raises
    ------
    InvalidArgumentError
        Discount factors outside (0, 1), breakdown outside [0, 1), payoffs
        summing to the pie or more.

    References
    ----------
    Rubinstein (1982); Binmore, Rubinstein and Wolinsky (1986); Binmore,
    Shaked and Sutton (1989).

    Examples
    --------
    >>> rubinstein(0.9, 0.9).values.round(6).tolist()
    [0.526316, 0.473684]
    """
    d = np.array([check_discount(delta1, "delta1"), check_discount(delta2, "delta2")])
    p = check_probability(breakdown, "breakdown")
    P = _pie(pie)
    e = _pair(breakdown_payoffs, "breakdown_payoffs", P)
    o = None if outside_options is None else _pair(outside_options, "outside_options", P)
    if first not in (0, 1):
        raise InvalidArgumentError("first", first, "not a player index",
                                   "Pass 0 or 1")
    q = 1.0 - p
    candidates = []
    binds_opts = [(False, False)] if o is None else [(a, b) for a in (False, True)
                                                     for b in (False, True)]
    for bind1, bind2 in binds_opts:  # bind_j: responder j's outside option binds
        # unknowns M1, M2: linear system
        A = np.eye(2)
        rhs = np.full(2, P)
        # equation for M1 involves responder 2 (index 1)
        if bind2:
            rhs[0] -= o[1]  # type: ignore[index]
        else:
            A[0, 1] += d[1] * q
            rhs[0] -= d[1] * p * e[1]
        if bind1:
            rhs[1] -= o[0]  # type: ignore[index]
        else:
            A[1, 0] += d[0] * q
            rhs[1] -= d[0] * p * e[0]
        M = np.linalg.solve(A, rhs)
        cont = np.array([d[0] * (q * M[0] + p * e[0]), d[1] * (q * M[1] + p * e[1])])
        ok = True
        if o is not None:
            tol = 1e-12 * P
            ok = ((cont[0] <= o[0] + tol) == bind1 or abs(cont[0] - o[0]) <= tol) and \
                 ((cont[1] <= o[1] + tol) == bind2 or abs(cont[1] - o[1]) <= tol)
        if ok:
            candidates.append((M, cont, (bind1, bind2)))
    if not candidates:  # pragma: no cover - the map is a contraction
        raise SolverError("Rubinstein equilibrium", "no case", "no consistent case found",
                          "Report this as a bug")
    M, cont, binds = candidates[0]
    offers = np.array([max(o[0], cont[0]) if o is not None else cont[0],
                       max(o[1], cont[1]) if o is not None else cont[1]])
    if first == 0:
        values = np.array([M[0], P - M[0]])
    else:
        values = np.array([P - M[1], M[1]])
    return AllocationResult(
        values=values, players=validate_players(players, 2), concept="rubinstein-spe",
        method="closed-form", exact=True,
        params={"delta": d.tolist(), "breakdown": p, "breakdown_payoffs": e.tolist(),
                "outside_options": None if o is None else o.tolist(), "pie": P,
                "first": first},
        info={"proposer_shares": M.tolist(), "responder_offers": offers.tolist(),
              "outside_option_binds": list(binds)})


def rubinstein_limit(rate1: float, rate2: float, *, breakdown_rate: float = 0.0,
                     breakdown_payoffs: Any = (0.0, 0.0), outside_options: Any = None,
                     pie: float = 1.0,
                     players: Sequence[Hashable] | None = None) -> AllocationResult:
    r"""Frictionless limit of :func:`rubinstein` as the time between offers vanishes.

    With :math:`\delta_i = e^{-r_i\Delta}` and breakdown probability
    :math:`1 - e^{-\lambda\Delta}` per period, as :math:`\Delta \to 0` both
    proposers' shares converge to

    .. math::

        x_1 = d_1 + \frac{\alpha_1}{\alpha_1+\alpha_2}(P - d_1 - d_2),\qquad
        \alpha_i = \frac{1}{r_i+\lambda},\quad d_i = \frac{\lambda e_i}{r_i+\lambda},

    the asymmetric Nash bargaining solution (Binmore, Rubinstein and
    Wolinsky 1986). Outside options act only as constraints: if
    :math:`x_j < o_j`, player :math:`j` gets :math:`o_j` and the other the
    rest (outside-option principle).

    Parameters
    ----------
    rate1, rate2 : float >= 0
        Time-preference rates :math:`r_i`.
    breakdown_rate : float >= 0
        Hazard rate :math:`\lambda` of breakdown; ``rate_i + breakdown_rate``
        must be positive.
    breakdown_payoffs, outside_options, pie, players
        As in :func:`rubinstein`.

    Returns
    -------
    AllocationResult
        Limit payoffs; ``info`` holds the Nash weights and disagreement point.

    References
    ----------
    Binmore, Rubinstein and Wolinsky (1986); Osborne and Rubinstein (1990), ch. 4.

    Examples
    --------
    >>> rubinstein_limit(1.0, 3.0).values.round(6).tolist()
    [0.75, 0.25]
    """
    r = as_finite_array([rate1, rate2], "rates", ndim=1)
    lam = float(as_finite_array(breakdown_rate, "breakdown_rate", ndim=0))
    if np.any(r < 0) or lam < 0 or np.any(r + lam <= 0):
        raise InvalidArgumentError("rates", [rate1, rate2, breakdown_rate],
                                   "rates must be non-negative with rate_i + breakdown_rate > 0",
                                   "Pass positive time-preference or breakdown rates")
    P = _pie(pie)
    e = _pair(breakdown_payoffs, "breakdown_payoffs", P)
    o = None if outside_options is None else _pair(outside_options, "outside_options", P)
    alpha = 1.0 / (r + lam)
    dpt = lam * e / (r + lam)
    x1 = dpt[0] + alpha[0] / alpha.sum() * (P - dpt.sum())
    values = np.array([x1, P - x1])
    binding = [False, False]
    if o is not None:
        if values[1] < o[1]:
            values = np.array([P - o[1], o[1]])
            binding[1] = True
        elif values[0] < o[0]:
            values = np.array([o[0], P - o[0]])
            binding[0] = True
    return AllocationResult(
        values=values, players=validate_players(players, 2), concept="rubinstein-limit",
        method="closed-form", exact=True,
        params={"rates": r.tolist(), "breakdown_rate": lam, "breakdown_payoffs": e.tolist(),
                "outside_options": None if o is None else o.tolist(), "pie": P},
        info={"nash_weights": (alpha / alpha.sum()).tolist(), "disagreement": dpt.tolist(),
              "outside_option_binds": binding})
