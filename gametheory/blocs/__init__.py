"""Which blocs form: coalition formation with hedonic preferences and externalities.

Classes
-------
HedonicGame
    Each player ranks the coalitions it could belong to (ordinal rankings,
    additively separable or fractional utilities, or any function).
PartitionFunctionGame
    The worth of a coalition depends on how the others are organised.

Both find core-stable, Nash-stable and individually stable partitions:
exactly by listing every partition for small games, by dynamics with a
certificate for larger ones.

Examples
--------
>>> from gametheory.blocs import HedonicGame
>>> g = HedonicGame.additively_separable([[0, 2], [2, 0]], players=["a", "b"])
>>> g.find_stable_partition("core").partition.blocks
(('a', 'b'),)
"""

from .externalities import ASSUMPTIONS, PartitionFunctionGame
from .hedonic import CONCEPTS, MAX_EXACT_PLAYERS, HedonicGame, StabilityResult

__all__ = ["HedonicGame", "PartitionFunctionGame", "StabilityResult", "CONCEPTS",
           "ASSUMPTIONS", "MAX_EXACT_PLAYERS"]
