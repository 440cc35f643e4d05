r"""Reduced-form conditional logit of one role on its candidates' covariates.

For choice situation :math:`s` with alternatives :math:`j \in J_s` and
covariates :math:`x_{sj}`,
:math:`P(y_s = j) = e^{b\cdot x_{sj}} / \sum_{k \in J_s} e^{b\cdot x_{sk}}`
(McFadden 1974). For the ``configuration`` role the covariates are
:math:`x(c)` and :math:`-\pi k(c)`, so :math:`b = (\lambda\theta, \lambda\beta)`
without a normalisation; for the director roles :math:`b = (\alpha, \mu, \eta)`.
:func:`estimation.fit_mle` fits the same likelihood by maximum likelihood.

Examples
--------
>>> from estimation import simulate
>>> from estimation.models import conditional_logit_model
>>> m = conditional_logit_model(simulate(n_regions=4, seed=0), role="directors")
>>> m.coords["covariate"]
('cultural', 'social', 'symbolic', 'multiplex', 'endorsed')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from gametheory.errors import InvalidTypeError

from ..data import AllocationData, ChoiceSets
from .priors import resolve_priors
from .structural import MASKED_LOGIT, categorical_logp, categorical_random

__all__ = ["conditional_logit_model", "as_choice_sets"]


def as_choice_sets(data: AllocationData | ChoiceSets, role: str | None) -> ChoiceSets:
    if isinstance(data, ChoiceSets):
        return data
    if isinstance(data, AllocationData):
        return data.choice_sets(role or "configuration")
    raise InvalidTypeError("data", type(data).__name__, "not AllocationData or ChoiceSets",
                          "Give an AllocationData or data.choice_sets(role)")


def conditional_logit_model(data: AllocationData | ChoiceSets, priors: Mapping[str, Any]
                            | None = None, *, role: str | None = None) -> Any:
    """pymc conditional logit with coefficients ``b`` (dims ``covariate``), observed ``choice``.

    Parameters
    ----------
    data : AllocationData or ChoiceSets
    priors : mapping, optional
        Only ``b`` is used (default Normal(0, 2.5)).
    role : str, optional
        Which role's choices (see :meth:`AllocationData.choice_sets`); default
        ``configuration``.
    """
    import pymc as pm
    import pytensor.tensor as pt

    cs = as_choice_sets(data, role)
    pr = resolve_priors(priors)
    S, J, _ = cs.x.shape
    with pm.Model(coords={"covariate": cs.names, "situation": np.arange(S)}) as model:
        b = pr["b"].build("b", dims="covariate")
        u = pt.tensordot(cs.x, b, axes=[[2], [0]])
        pm.CustomDist("choice", pt.where(cs.mask, u, MASKED_LOGIT), logp=categorical_logp(J),
                      random=categorical_random, signature="(c)->()",
                  dtype="int64", observed=cs.chosen, dims="situation")
    return model
