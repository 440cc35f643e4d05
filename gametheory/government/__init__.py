"""Government formation in parliaments: potential cabinets and their covariates.

An application of the coalition vocabulary (:mod:`gametheory.coalitions`) to
the formation of cabinets: :class:`Parliament` holds parties with seats and
left-right positions and computes the covariates of every potential cabinet
used in the empirical literature (Martin and Stevenson 2001).
"""

from .parliament import FEATURES, MAX_PARTIES, Parliament

__all__ = ["Parliament", "FEATURES", "MAX_PARTIES"]
