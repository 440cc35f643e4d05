"""Simple and weighted voting games.

Classes
-------
SimpleGame
    A monotone simple game given by its minimal winning coalitions.
WeightedVotingGame
    ``[q; w_1, ..., w_n]``: a coalition wins when its weight reaches the quota.
MultiWeightedVotingGame
    Several weight vectors with one quota each; a coalition must meet all.

Power indices live in :mod:`gametheory.power`.

Examples
--------
>>> import gametheory as gt
>>> unsc = gt.WeightedVotingGame([7] * 5 + [1] * 10, 39)
>>> len(unsc.veto_players())
5
>>> gt.power.shapley_shubik(unsc).values[[0, 5]].round(5).tolist()
[0.19627, 0.00186]
"""

from .simple import ENUMERATION_LIMIT, SimpleGame
from .weighted import MAX_DP_TOTAL, MultiWeightedVotingGame, WeightedVotingGame

__all__ = [
    "ENUMERATION_LIMIT",
    "MAX_DP_TOTAL",
    "SimpleGame",
    "WeightedVotingGame",
    "MultiWeightedVotingGame",
]
