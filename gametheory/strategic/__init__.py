r"""Two-player normal-form games: equilibria, logit QRE, learning dynamics.

A game is a pair of payoff matrices ``A`` (row player) and ``B`` (column
player) of the same shape; ``B=None`` means zero-sum. Strategies are
probability vectors in the players' order of rows and columns.

* :func:`equilibria` — every extreme Nash equilibrium (exact rational
  enumeration by default; nashpy's vertex enumeration, support enumeration
  and Lemke–Howson by name), with :func:`is_degenerate` and a
  :class:`DegenerateGameWarning`.
* :func:`logit_qre`, :func:`logit_qre_branch`, :func:`logit_estimate` —
  logit quantal response equilibrium by predictor–corrector continuation of
  the principal branch, and the maximum-likelihood precision.
* :func:`replicator_dynamics`, :func:`asymmetric_replicator_dynamics`,
  :func:`fictitious_play` — through nashpy.

Examples
--------
>>> import gametheory as gt
>>> len(gt.strategic.equilibria([[1, -1], [-1, 1]]))
1
"""

from __future__ import annotations

from .dynamics import asymmetric_replicator_dynamics, fictitious_play, replicator_dynamics
from .equilibria import (
    METHODS,
    DegenerateGameWarning,
    EquilibriaResult,
    equilibria,
    is_degenerate,
    is_equilibrium,
)
from .qre import QREBranch, QREEstimate, QREProfile, logit_estimate, logit_qre, logit_qre_branch

__all__ = [
    "METHODS",
    "DegenerateGameWarning",
    "EquilibriaResult",
    "equilibria",
    "is_degenerate",
    "is_equilibrium",
    "logit_qre",
    "logit_qre_branch",
    "logit_estimate",
    "QREProfile",
    "QREBranch",
    "QREEstimate",
    "replicator_dynamics",
    "asymmetric_replicator_dynamics",
    "fictitious_play",
]
