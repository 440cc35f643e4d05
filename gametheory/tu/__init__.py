"""Transferable-utility games: :class:`TUGame` and its solutions.

See :mod:`gametheory.tu.game` for the representation (a dense float array of
length ``2**n`` indexed by coalition bitmask).
"""

from .core import (
    BlockingCoalition,
    blocking_coalitions,
    core_contains,
    core_is_empty,
    excesses,
    least_core,
    stabilizing_payments,
)
from .game import TUGame
from .graphs import CommunicationGraph, graph_restricted_game, myerson_value, position_value
from .kernel import (
    is_zero_monotonic,
    kernel,
    kernel_contains,
    prekernel,
    prekernel_contains,
    surplus_matrix,
)
from .nucleoli import modiclus, per_capita_nucleolus
from .nucleolus import KohlbergCheck, kohlberg_criterion, nucleolus, prenucleolus
from .unions import (
    aumann_dreze_value,
    banzhaf_owen_value,
    owen_value,
    quotient_game,
    symmetric_coalitional_banzhaf_value,
)
from .values import banzhaf_value, gately_point, shapley_value, tau_value
from .vertices import core_vertices, marginal_vectors, weber_set

__all__ = [
    "TUGame", "shapley_value", "banzhaf_value", "tau_value", "gately_point", "excesses",
    "core_contains", "core_is_empty", "blocking_coalitions", "BlockingCoalition",
    "least_core", "stabilizing_payments", "nucleolus", "prenucleolus", "kohlberg_criterion",
    "KohlbergCheck", "owen_value", "banzhaf_owen_value", "aumann_dreze_value", "quotient_game",
    "symmetric_coalitional_banzhaf_value", "CommunicationGraph", "graph_restricted_game",
    "myerson_value", "position_value", "prekernel", "kernel", "prekernel_contains",
    "kernel_contains", "surplus_matrix", "is_zero_monotonic", "core_vertices",
    "marginal_vectors", "weber_set", "per_capita_nucleolus", "modiclus",
]
