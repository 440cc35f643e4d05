"""pymc models: structural (pooled), hierarchical, reduced-form conditional logit.

Every builder takes the data (an :class:`~estimation.AllocationData`) and
optional prior overrides and returns a ``pymc.Model``; :data:`MODELS` maps
the names :func:`estimation.fit` accepts to the builders.
"""

from __future__ import annotations

from .clogit import conditional_logit_model
from .naive import naive_structural_model
from .priors import DEFAULT_PRIORS, Prior, resolve_priors
from .structural import hierarchical_model, structural_model

__all__ = ["structural_model", "hierarchical_model", "conditional_logit_model",
           "naive_structural_model", "MODELS", "Prior", "DEFAULT_PRIORS", "resolve_priors"]

MODELS = {
    "structural": structural_model,
    "hierarchical": hierarchical_model,
    "conditional_logit": conditional_logit_model,
    "naive": naive_structural_model,
}
