r"""Weak identification and separation: which parameter the data do not pin down, and why.

Two readings of the same question.

**From a maximum-likelihood fit** (:func:`diagnose_mle`), with the observed
information :math:`I = -\nabla^2\ell` at the estimate:

* *flat directions*: eigenvectors :math:`v` of the correlation form of
  :math:`I` (:math:`D^{-1/2} I D^{-1/2}`, :math:`D = \operatorname{diag} I`) whose
  eigenvalue is below ``flat`` (default :math:`10^{-6}`) times the largest: the
  likelihood barely changes along :math:`v`, so the parameters loading on it
  (:math:`|v_k| \ge 0.3`) are traded off against each other;
* *no information*: a parameter whose own information is (numerically) zero
  (it does not enter the likelihood of these data: a covariate that never
  varies, votes of a kind of member no region has);
* *runaway coefficients* (separation): an estimate beyond ``runaway`` (default
  15, on the logit scale) or at an optimisation bound with a large standard
  error: the choices are (nearly) perfectly predicted along that coefficient and
  no finite maximum exists (Albert and Anderson 1984);
* *boundary*: a parameter at the boundary of its range (``delta = 0``), where
  Wald intervals are not valid;
* *held fixed*: a parameter the fit did not estimate (the committee's
  ``patience`` by default), named with the reason it is held.

The committee's bargaining parameters have a known cause of weak
identification (:data:`KNOWN_CAUSES`): under unanimity a hospital whose
reservation value does not bind gets its recognition probability whatever
``harm_weight`` and ``patience`` are, so both are informed only by committees
where some reservation binds. A finding about them carries that cause.

**From a posterior** (:func:`diagnose_posterior`): posterior-to-prior variance
ratio above ``0.9`` (the data hardly inform the parameter), posterior
correlations beyond ``0.95`` (a flat direction), and posterior means more than
three prior standard deviations from the prior's centre (the likelihood keeps
increasing: separation held back only by the prior).

Both return a table with one row per finding: ``parameter``, ``issue``,
``detail`` and ``cause``; an empty table means nothing was found.

References
----------
Albert, A. and Anderson, J. A. (1984). On the existence of maximum likelihood
estimates in logistic regression models. *Biometrika* 71(1), 1-10. Rothenberg,
T. J. (1971). Identification in parametric models. *Econometrica* 39(3), 577-591.
Gelman, A. et al. (2013). *Bayesian Data Analysis*, 3rd ed., ch. 4.

Examples
--------
Two parameters that enter only through their sum:

>>> import numpy as np
>>> info = np.array([[4.0, 4.0], [4.0, 4.0]])
>>> t = diagnose_mle(["a", "b"], np.array([0.5, 0.5]), info)
>>> t["issue"].tolist(), t["parameter"].tolist()
(['flat direction', 'flat direction'], ['a', 'b'])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["diagnose_mle", "diagnose_posterior", "COLUMNS", "KNOWN_CAUSES"]

COLUMNS = ["parameter", "issue", "detail", "cause"]

_UNANIMITY = ("under unanimity a hospital whose reservation value does not bind gets its "
              "recognition probability whatever harm_weight and patience are, so the role "
              "counts inform {p} only through committees where some reservation binds "
              "(harmful or powerless hospitals)")
#: parameters with a known cause of weak identification, and that cause
KNOWN_CAUSES: dict[str, str] = {
    "harm_weight": _UNANIMITY.format(p="harm_weight"),
    "patience": _UNANIMITY.format(p="patience") + "; and there only weakly, through the "
                "prices of the members whose reservation does not bind",
    "proposer_advantage": "the role counts inform the director's recognition only through "
                          "what the network keeps: regions without observed concession "
                          "counts carry no information on it",
}


def _cause(name: str, generic: str) -> str:
    """The known cause for a parameter (by its base name), else *generic*."""
    known = KNOWN_CAUSES.get(name.split("[")[0])
    return f"{known} ({generic})" if known else generic


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def diagnose_mle(names: Sequence[str], estimate: np.ndarray, information: np.ndarray, *,
                 se: np.ndarray | None = None,
                 bounds: Sequence[tuple[float | None, float | None]] | None = None,
                 logit_scale: Sequence[bool] | None = None, flat: float = 1e-6,
                 runaway: float = 15.0, fixed: Mapping[str, float] | None = None
                 ) -> pd.DataFrame:
    """Findings of weak identification and separation at a maximum-likelihood estimate.

    Parameters
    ----------
    names : sequence of str
    estimate : (K,) array
    information : (K, K) array
        Observed information (negative Hessian of the log-likelihood).
    se : (K,) array, optional
        Standard errors (default from the inverse information).
    bounds : sequence of (low, high), optional
        The parameters' ranges (None = unbounded).
    logit_scale : sequence of bool, optional
        Which parameters are coefficients on the logit scale (checked for runaway
        values); default all.
    flat, runaway : float
        Thresholds (see the module docstring).
    fixed : mapping, optional
        Parameters the fit held at given values (each gets a ``held fixed`` row).
    """
    names = list(names)
    K = len(names)
    est = np.asarray(estimate, float)
    info = np.asarray(information, float)
    info = 0.5 * (info + info.T)
    rows: list[dict[str, Any]] = []
    d = np.diag(info).copy()
    none = ~(d > 1e-12 * max(1.0, float(np.abs(d).max(initial=0.0))))
    logit = list(logit_scale) if logit_scale is not None else [True] * K
    # a logit-scale coefficient far out with no information left has run away
    gone = none & np.array(logit) & (np.abs(est) > runaway / 3)
    for k in np.flatnonzero(none & ~gone):
        rows.append({"parameter": names[k], "issue": "no information",
                     "detail": f"information {d[k]:.2g}",
                     "cause": _cause(names[k], "the log-likelihood does not change with this "
                                     "parameter in these data (the covariate or the members "
                                     "it describes never vary or are absent)")})
    keep = np.flatnonzero(~none)
    if len(keep) > 1:
        s = 1.0 / np.sqrt(d[keep])
        corr = info[np.ix_(keep, keep)] * s[:, None] * s[None, :]
        w, v = np.linalg.eigh(corr)
        top = max(float(w.max()), 1e-300)
        for i in np.flatnonzero(w < flat * top):
            load = np.abs(v[:, i])
            who = [names[keep[j]] for j in np.argsort(-load) if load[j] >= 0.3]
            for nm in who:
                rows.append({"parameter": nm, "issue": "flat direction",
                             "detail": f"eigenvalue {w[i] / top:.1e} of the largest, with "
                                       f"{', '.join(x for x in who if x != nm) or 'others'}",
                             "cause": _cause(nm, "the likelihood is nearly flat along a "
                                             "combination of these parameters: the data do "
                                             "not separate them (too few regions, or "
                                             "covariates moving together)")})
    if se is None:
        try:
            se = np.sqrt(np.clip(np.diag(np.linalg.pinv(info)), 0, None))
        except np.linalg.LinAlgError:  # pragma: no cover - pinv of a symmetric matrix
            se = np.full(K, np.inf)
    se = np.asarray(se, float)
    bnds = list(bounds) if bounds is not None else [(None, None)] * K
    for k in range(K):
        lo, hi = bnds[k]
        at_lo = lo is not None and est[k] <= lo + 1e-6 * max(1.0, abs(lo))
        at_hi = hi is not None and est[k] >= hi - 1e-6 * max(1.0, abs(hi))
        if logit[k] and (abs(est[k]) > runaway or at_hi or gone[k]) and not at_lo:
            rows.append({"parameter": names[k], "issue": "runaway coefficient",
                         "detail": f"estimate {est[k]:.3g}, standard error {se[k]:.3g}",
                         "cause": "separation: the observed choices are (nearly) perfectly "
                                  "predicted along this coefficient, so the likelihood keeps "
                                  "rising and no finite maximum exists; use the Bayesian fit "
                                  "(its prior keeps it finite) or more varied data"})
        elif at_lo or at_hi:
            rows.append({"parameter": names[k], "issue": "at a bound",
                         "detail": f"estimate {est[k]:.3g} at the bound "
                                   f"{lo if at_lo else hi:g}",
                         "cause": _cause(names[k], "the maximum lies on the boundary of the "
                                         "parameter's range: its Wald interval is not valid "
                                         "there (compare the nested models instead, e.g. by "
                                         "LOO)")})
    for nm, v in (fixed or {}).items():
        rows.append({"parameter": nm, "issue": "held fixed", "detail": f"at {v:g}",
                     "cause": _cause(nm, "not estimated: held at the given value")})
    return _frame(rows)


def diagnose_posterior(draws: Mapping[str, np.ndarray], prior_sd: Mapping[str, float],
                       prior_mean: Mapping[str, float] | None = None, *,
                       contraction: float = 0.1, correlation: float = 0.95,
                       tail: float = 3.0) -> pd.DataFrame:
    """Findings of weak identification and separation in posterior draws.

    Parameters
    ----------
    draws : mapping label -> (n,) array
        Posterior draws of every scalar parameter.
    prior_sd, prior_mean : mapping label -> float
        The prior's standard deviation (and centre, default 0) of each parameter.
    contraction, correlation, tail : float
        Thresholds: posterior variance above ``1 - contraction`` of the prior's,
        absolute posterior correlation above ``correlation``, posterior mean more
        than ``tail`` prior sds from the prior's centre.
    """
    rows: list[dict[str, Any]] = []
    labels = [k for k in draws if k in prior_sd]
    prior_mean = dict(prior_mean or {})
    for k in labels:
        x = np.asarray(draws[k], float)
        ratio = float(x.var() / prior_sd[k] ** 2) if prior_sd[k] > 0 else 0.0
        if ratio > 1 - contraction:
            rows.append({"parameter": k, "issue": "not informed by the data",
                         "detail": f"posterior variance {ratio:.2f} of the prior's",
                         "cause": _cause(k, "the posterior is the prior: the data carry "
                                        "(almost) no information on this parameter")})
        m0 = prior_mean.get(k, 0.0)
        if abs(x.mean() - m0) > tail * prior_sd[k]:
            rows.append({"parameter": k, "issue": "runaway coefficient",
                         "detail": f"posterior mean {x.mean():.3g}, "
                                   f"{abs(x.mean() - m0) / prior_sd[k]:.1f} prior sds from "
                                   "the prior's centre",
                         "cause": "the likelihood keeps rising along this parameter "
                                  "(separation): only the prior holds it back"})
    if len(labels) > 1:
        X = np.column_stack([np.asarray(draws[k], float) for k in labels])
        sd = X.std(axis=0)
        ok = sd > 0
        C = np.corrcoef(X[:, ok], rowvar=False)
        lab = [k for k, o in zip(labels, ok, strict=True) if o]
        for i in range(len(lab)):
            for j in range(i + 1, len(lab)):
                if abs(C[i, j]) > correlation:
                    for a, b in ((lab[i], lab[j]), (lab[j], lab[i])):
                        rows.append({"parameter": a, "issue": "flat direction",
                                     "detail": f"posterior correlation {C[i, j]:.3f} with {b}",
                                     "cause": "the data inform only a combination of the two "
                                              "parameters"})
    return _frame(rows)
