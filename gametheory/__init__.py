"""Games and their solutions: the game-theoretic half of restrat.

Subpackages
-----------
coalitions
    Coalitions as bitmasks: the shared vocabulary.
tu
    Transferable-utility games (:class:`TUGame`) and their solutions.
games
    Classic games (glove, majority, unanimity, airport, bankruptcy).
bankruptcy
    Division rules for bankruptcy problems.
voting, power
    Simple and weighted voting games and power indices.
bargaining
    Axiomatic and sequential bargaining.
strategic
    Two-player normal-form games (on nashpy) and logit QRE.
government
    Parliaments and the covariates of potential cabinets (government formation).
formation
    Generic proposal-and-vote formation (proposer's logit, stochastic weighted votes).

Importing :mod:`gametheory` is cheap: subpackages load on first use, and
nothing here imports pymc.

Examples
--------
>>> import gametheory as gt
>>> g = gt.games.glove(left=["L"], right=["R1", "R2"])
>>> gt.shapley_value(g).values.round(4).tolist()
[0.6667, 0.1667, 0.1667]
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import (
    ConvergenceError,
    GameTooLargeError,
    InvalidAllocationError,
    InvalidArgumentError,
    InvalidGameError,
    InvalidTypeError,
    RestratError,
    SolverError,
)
from .results import AllocationResult, LeastCoreResult

#: the one source of the package version (pyproject.toml reads it from here)
__version__ = "0.1.0"

_SUBMODULES = {
    "coalitions", "tu", "games", "bankruptcy", "voting", "power", "bargaining",
    "strategic", "errors", "results", "restratification", "government", "blocs", "formation",
}

_LAZY = {
    # TU games
    "TUGame": "gametheory.tu.game",
    "shapley_value": "gametheory.tu.values",
    "banzhaf_value": "gametheory.tu.values",
    "tau_value": "gametheory.tu.values",
    "gately_point": "gametheory.tu.values",
    "core_contains": "gametheory.tu.core",
    "core_is_empty": "gametheory.tu.core",
    "blocking_coalitions": "gametheory.tu.core",
    "excesses": "gametheory.tu.core",
    "least_core": "gametheory.tu.core",
    "stabilizing_payments": "gametheory.tu.core",
    "nucleolus": "gametheory.tu.nucleolus",
    "prenucleolus": "gametheory.tu.nucleolus",
    "kohlberg_criterion": "gametheory.tu.nucleolus",
    # coalition structures
    "CoalitionStructure": "gametheory.coalitions",
    "owen_value": "gametheory.tu.unions",
    "banzhaf_owen_value": "gametheory.tu.unions",
    "aumann_dreze_value": "gametheory.tu.unions",
    "symmetric_coalitional_banzhaf_value": "gametheory.tu.unions",
    "quotient_game": "gametheory.tu.unions",
    # communication graphs
    "CommunicationGraph": "gametheory.tu.graphs",
    "graph_restricted_game": "gametheory.tu.graphs",
    "myerson_value": "gametheory.tu.graphs",
    "position_value": "gametheory.tu.graphs",
    # kernel
    "prekernel": "gametheory.tu.kernel",
    "kernel": "gametheory.tu.kernel",
    "prekernel_contains": "gametheory.tu.kernel",
    "kernel_contains": "gametheory.tu.kernel",
    "surplus_matrix": "gametheory.tu.kernel",
    # vertices
    "core_vertices": "gametheory.tu.vertices",
    "weber_set": "gametheory.tu.vertices",
    "marginal_vectors": "gametheory.tu.vertices",
    "PointSetResult": "gametheory.results",
    # nucleolus variants
    "per_capita_nucleolus": "gametheory.tu.nucleoli",
    "modiclus": "gametheory.tu.nucleoli",
    # coalition formation
    "HedonicGame": "gametheory.blocs",
    "PartitionFunctionGame": "gametheory.blocs",
    # voting
    "WeightedVotingGame": "gametheory.voting",
    "MultiWeightedVotingGame": "gametheory.voting",
    "SimpleGame": "gametheory.voting",
}

__all__ = [  # noqa: RUF022 - grouped by family
    "__version__",
    # errors and result types
    "RestratError", "InvalidArgumentError", "InvalidTypeError", "InvalidGameError",
    "InvalidAllocationError", "GameTooLargeError", "SolverError", "ConvergenceError",
    "AllocationResult", "LeastCoreResult",
    # subpackages
    "coalitions", "tu", "games", "bankruptcy", "voting", "power", "bargaining", "strategic",
    "errors", "results", "restratification", "government", "blocs", "formation",
    # lazily imported names
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        mod = importlib.import_module(f"gametheory.{name}")
        globals()[name] = mod
        return mod
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'gametheory' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
