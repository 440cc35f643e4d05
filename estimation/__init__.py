"""Bayesian (pymc) and maximum-likelihood estimation of the restratification model.

Importing :mod:`gametheory` never imports this package; pymc is imported only
when a model is built or fitted.

>>> import estimation as est
>>> data = est.simulate(n_regions=3, seed=0)
>>> data.n_regions
3
"""

from . import datasets, identification, models
from .calibration import SBCResult, calibrate, cli_calibrate, recovery_study, sbc
from .data import AllocationData, ChoiceSets, StructuralArrays
from .errors import DataValidationError, EstimationError, MissingDependencyError, SamplingWarning
from .fit import (
    FitResults,
    Prediction,
    Refitter,
    available_samplers,
    cli_fit,
    compare,
    demo_fit,
    fit,
    prior_predictive_check,
)
from .mle import MLEResults, compare_statsmodels, fit_mle
from .simulate import SimulationBank, normalised_truth, simulate

__all__ = [
    "AllocationData", "ChoiceSets", "StructuralArrays", "DataValidationError",
    "EstimationError", "MissingDependencyError", "SamplingWarning", "FitResults", "Prediction",
    "Refitter", "identification",
    "available_samplers", "compare", "fit", "prior_predictive_check", "SimulationBank",
    "normalised_truth", "simulate", "MLEResults", "compare_statsmodels", "fit_mle",
    "SBCResult", "calibrate", "recovery_study", "sbc", "cli_fit", "cli_calibrate", "demo_fit",
    "datasets", "models",
]
