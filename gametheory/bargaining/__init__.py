r"""Axiomatic and sequential bargaining.

Axiomatic solutions for n players over a feasible set given by vertices
(convex hull with free disposal) or a concave Pareto frontier, with a
disagreement point: :func:`nash` (symmetric or with bargaining weights),
:func:`kalai_smorodinsky`, :func:`egalitarian` and :func:`ideal_point`.

Sequential models: :func:`rubinstein` (alternating offers, with breakdown
and outside options) and its frictionless limit :func:`rubinstein_limit`;
:func:`baron_ferejohn` (closed-rule legislative bargaining under weighted or
simple voting rules, heterogeneous recognition and discounting); and
:func:`zeuthen` (the Zeuthen–Harsanyi concession process). Committee
bargaining with reservation values (outside options) as array kernels that
run on numpy and pytensor/JAX: :func:`unanimity_values` (closed form) and
:func:`quantal_values` (any voting rule, a logit proposer) in
:mod:`gametheory.bargaining.committee`.

Per-player payoffs come back as :class:`~gametheory.results.AllocationResult`;
the richer outcomes have their own frozen result types
(:class:`BaronFerejohnResult`, :class:`ZeuthenResult`).

Examples
--------
>>> import gametheory as gt
>>> gt.bargaining.nash([[1, 0], [0, 1]]).values.round(6).tolist()
[0.5, 0.5]
>>> gt.bargaining.rubinstein(0.9, 0.8).values.round(6).tolist()
[0.714286, 0.285714]
"""

from __future__ import annotations

from .axiomatic import FeasibleSet, egalitarian, ideal_point, kalai_smorodinsky, nash
from .baron_ferejohn import BaronFerejohnResult, baron_ferejohn
from .committee import StationaryValues, quantal_values, unanimity_values, winning_coalitions
from .rubinstein import rubinstein, rubinstein_limit
from .zeuthen import ZeuthenResult, pareto_frontier_2d, zeuthen

__all__ = [
    "FeasibleSet",
    "nash",
    "kalai_smorodinsky",
    "egalitarian",
    "ideal_point",
    "rubinstein",
    "rubinstein_limit",
    "baron_ferejohn",
    "BaronFerejohnResult",
    "unanimity_values",
    "quantal_values",
    "winning_coalitions",
    "StationaryValues",
    "zeuthen",
    "ZeuthenResult",
    "pareto_frontier_2d",
]
