r"""One formation problem as an object: members, configurations, valuations, utilities.

:class:`FormationGame` wraps the vectorised functions of
:mod:`gametheory.formation.core` for a single body: who votes with which
integer weight, the quota, the feasible configurations (coalition bitmasks of
:mod:`gametheory.coalitions` when they are subsets of some players, or tuples
for assignments), the proposer's valuation :math:`V(c)` and each member's
utility :math:`u_j(c)`. With precisions :math:`\lambda` (proposer) and
:math:`\kappa` (votes) it gives the proposal, pass and choice probabilities,
the deterministic limit and a literal simulation of the process.

Examples
--------
Three members A, B, C with weights 40, 35 and 25 and quota 51; the
configurations are the two-member subsets and the grand coalition (bitmasks
over the members). Each member's utility is 1 in a subset it belongs to and
-1 otherwise; the proposer values small subsets.

>>> import numpy as np
>>> from gametheory.coalitions import to_mask
>>> names = ("A", "B", "C")
>>> subsets = [to_mask(c, names) for c in (("A", "B"), ("A", "C"), ("B", "C"),
...                                        ("A", "B", "C"))]
>>> inside = np.array([[(m >> j) & 1 for m in subsets] for j in range(3)])
>>> g = FormationGame(weights=[40, 35, 25], quota=51, values=[1.0, 1.0, 1.0, 0.0],
...                   utilities=2.0 * inside - 1.0, members=names,
...                   configurations=subsets, players=names)
>>> g.labels()
[('A', 'B'), ('A', 'C'), ('B', 'C'), ('A', 'B', 'C')]
>>> g.choice_probability(lam=1.0, kappa=float("inf")).round(3).tolist()
[0.297, 0.297, 0.297, 0.109]
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..coalitions import mask_to_labels
from ..errors import InvalidArgumentError
from .core import (
    VotingBodies,
    choice_probability,
    log_pass_probability,
    passes_in_limit,
    simulate_process,
)

__all__ = ["FormationGame"]


def _precision(name: str, value: float, allow_inf: bool) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(name, value, "not a number", f"Give {name} >= 0") from None
    if np.isnan(x) or x < 0 or (np.isinf(x) and not allow_inf):
        raise InvalidArgumentError(name, value, "must be a number >= 0"
                                   + (" (inf = the deterministic limit)" if allow_inf else ""),
                                   f"Give {name} >= 0")
    return x


class FormationGame:
    """A proposal-and-vote formation problem for one body (see the module docstring).

    Parameters
    ----------
    weights : sequence of int
        Members' whole-number voting weights.
    quota : int
        Weight needed to pass a configuration (``1 <= quota <= sum(weights)``).
    values : sequence of float, length C
        The proposer's valuation :math:`V(c)` of each configuration.
    utilities : array (J, C)
        :math:`u_j(c)`: member ``j`` supports ``c`` with probability
        :math:`\\sigma(\\kappa u_j(c))`.
    members : sequence of labels, optional
    configurations : sequence, optional
        Labels of the configurations: ints are coalition bitmasks over ``players``;
        anything else (e.g. tuples for assignments) is kept as given.
    players : sequence of labels, optional
        The players the bitmasks refer to (default: ``members``).
    """

    def __init__(self, weights: Sequence[int], quota: int, values: Sequence[float],
                 utilities: Any, *, members: Sequence[Hashable] | None = None,
                 configurations: Sequence[Any] | None = None,
                 players: Sequence[Hashable] | None = None) -> None:
        self.bodies = VotingBodies([list(weights)], [quota])
        v = np.asarray(values, dtype=float)
        u = np.asarray(utilities, dtype=float)
        J = self.bodies.n_members
        if v.ndim != 1 or not len(v):
            raise InvalidArgumentError("values", values, "not a non-empty 1-d sequence",
                                       "Give one valuation per configuration")
        if u.shape != (J, len(v)):
            raise InvalidArgumentError("utilities", u.shape, f"shape must be ({J}, {len(v)}) "
                                       "(members x configurations)",
                                       "Give one utility per member and configuration")
        for name, arr in (("values", v), ("utilities", u)):
            if not np.all(np.isfinite(arr)):
                raise InvalidArgumentError(name, arr, "has non-finite entries",
                                           "Give finite numbers")
        self.values = v
        self.utilities = u
        self.members = tuple(members) if members is not None else tuple(range(J))
        if len(self.members) != J:
            raise InvalidArgumentError("members", members, f"{len(self.members)} labels for "
                                       f"{J} weights", "Give one label per member")
        self.configurations = (tuple(configurations) if configurations is not None
                               else tuple(range(len(v))))
        if len(self.configurations) != len(v):
            raise InvalidArgumentError("configurations", configurations,
                                       f"{len(self.configurations)} labels for {len(v)} values",
                                       "Give one label per configuration")
        self.players = tuple(players) if players is not None else self.members

    def __repr__(self) -> str:
        return (f"FormationGame({len(self.members)} members, quota {int(self.bodies.quota[0])}"
                f" of {int(self.bodies.total[0])}, {len(self.values)} configurations)")

    def labels(self) -> list[Any]:
        """Configurations as readable labels (bitmasks become tuples of players)."""
        return [mask_to_labels(c, self.players) if isinstance(c, int | np.integer) else c
                for c in self.configurations]

    # ---------------------------------------------------------------- probabilities
    def proposal_probability(self, lam: float) -> np.ndarray:
        r""":math:`P_{\text{prop}}(c) \propto e^{\lambda V(c)}`."""
        z = _precision("lam", lam, False) * self.values
        e = np.exp(z - z.max())
        return e / e.sum()

    def pass_probability(self, kappa: float) -> np.ndarray:
        r""":math:`P_{\text{pass}}(c)`; ``kappa=inf`` gives the deterministic limit (0 or 1)."""
        k = _precision("kappa", kappa, True)
        if np.isinf(k):
            return passes_in_limit(self.utilities.T[None, :, :], self.bodies)[0].astype(float)
        return np.exp(log_pass_probability(k * self.utilities.T[None, :, :], self.bodies)[0])

    def choice_probability(self, lam: float, kappa: float) -> np.ndarray:
        r""":math:`P(c) \propto e^{\lambda V(c)} P_{\text{pass}}(c)` (proposer's logit if
        nothing can pass; see :attr:`all_blocked`)."""
        z = _precision("lam", lam, False) * self.values
        with np.errstate(divide="ignore"):
            lp = np.log(self.pass_probability(kappa))
        P, _ = choice_probability(z[None, :], lp[None, :], np.ones((1, len(z)), bool))
        return P[0]

    def all_blocked(self, kappa: float) -> bool:
        """True when no configuration can pass (possible only in the limit ``kappa=inf``)."""
        return bool(not np.any(self.pass_probability(kappa) > 0))

    def support_weight_in_limit(self) -> np.ndarray:
        """Weight of the members with :math:`u_j(c) > 0`, per configuration."""
        return ((self.utilities > 0) * self.bodies.weights[0][:, None]).sum(axis=0)

    def table(self, lam: float, kappa: float) -> pd.DataFrame:
        """Per configuration: value, proposal, pass and choice probability, and the limit."""
        return pd.DataFrame({
            "configuration": self.labels(), "value": self.values,
            "proposal": self.proposal_probability(lam),
            "pass_probability": self.pass_probability(kappa),
            "probability": self.choice_probability(lam, kappa),
            "support_weight_limit": self.support_weight_in_limit(),
            "passes_in_limit": self.pass_probability(float("inf")) > 0,
        })

    def simulate(self, lam: float, kappa: float, n: int, seed: int | np.random.Generator
                 | None = 0) -> np.ndarray:
        """Run the proposal-vote-replace process ``n`` times; counts of each configuration.

        Refused in the limit when nothing can pass (the process would never stop).
        """
        k = _precision("kappa", kappa, True)
        if np.isinf(k) and self.all_blocked(k):
            raise InvalidArgumentError("kappa", kappa, "nothing can pass in the deterministic "
                                       "limit, so the process never stops",
                                       "Use a finite kappa, or choice_probability() for the "
                                       "documented fallback")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        C, J = len(self.values), len(self.members)
        p = (self.utilities.T > 0).astype(float) if np.isinf(k) else 1.0 / (
            1.0 + np.exp(-k * self.utilities.T))
        bodies = VotingBodies(np.repeat(self.bodies.weights, n, axis=0),
                              np.repeat(self.bodies.quota, n))
        z = np.broadcast_to(_precision("lam", lam, False) * self.values, (n, C))
        chosen, _, _ = simulate_process(rng, z, np.broadcast_to(p, (n, C, J)), bodies,
                                        np.ones((n, C), bool))
        return np.bincount(chosen, minlength=C)
