"""The restratification model of care networks, built on the generic game modules.

Submodules: :mod:`.actors` (organisations, doctors, bids, roles), :mod:`.region`
(a validated region and scenario files), :mod:`.model` (the four mechanisms),
:mod:`.scenarios` (the case region, counterfactuals, random regions) and
:mod:`.report` (running the model and writing its outputs). It adds no solver
of its own: voting power comes from :mod:`gametheory.power`, stabilising
payments, Shapley values and nucleoli from :mod:`gametheory.tu`, and the
committee's bargaining from :mod:`gametheory.bargaining`.
"""

from . import scenarios
from .actors import (
    CANCER_ROLES,
    STROKE_ROLES,
    TRAUMA_ROLES,
    Bid,
    Doctor,
    Member,
    Organisation,
    RoleSet,
    ScenarioError,
)
from .model import ModelParameters
from .region import Region
from .report import RestratificationResult, run

__all__ = [
    "Bid", "Doctor", "Member", "Organisation", "RoleSet", "ScenarioError", "TRAUMA_ROLES",
    "STROKE_ROLES", "CANCER_ROLES", "ModelParameters", "Region", "RestratificationResult",
    "run", "scenarios",
]
