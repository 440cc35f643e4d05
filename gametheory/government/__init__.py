"""Government formation in parliaments: potential cabinets and their covariates.

An application of the coalition vocabulary (:mod:`gametheory.coalitions`) to
the formation of cabinets: :class:`Parliament` holds parties with seats and
left-right positions and computes the covariates of every potential cabinet
used in the empirical literature (Martin and Stevenson 2001); :mod:`.model` is
the structural proposal-and-vote model of cabinet choice, an application of
the generic core :mod:`gametheory.formation`.
"""

from .model import (
    MAX_UNITS,
    PROPOSER_FEATURES,
    CabinetDesign,
    log_choice_probability,
    log_weight,
    support_logit,
)
from .parliament import FEATURES, MAX_PARTIES, Parliament

__all__ = ["Parliament", "FEATURES", "MAX_PARTIES", "PROPOSER_FEATURES", "CabinetDesign",
           "log_choice_probability", "log_weight", "support_logit", "MAX_UNITS"]
