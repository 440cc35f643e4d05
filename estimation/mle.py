r"""Maximum-likelihood estimation: a vectorised conditional logit and the structural MLE.

The conditional-logit log-likelihood over padded, masked choice sets,

.. math::

    \ell(b) = \sum_s \Big[b\cdot x_{s y_s} - \log\sum_{j \in J_s} e^{b\cdot x_{sj}}\Big],
    \quad \nabla\ell = \sum_s (x_{s y_s} - \bar x_s),
    \quad -\nabla^2\ell = \sum_s \Big[\sum_j p_{sj} x_{sj} x_{sj}^\top
    - \bar x_s \bar x_s^\top\Big],

with :math:`\bar x_s = \sum_j p_{sj} x_{sj}`, is globally concave (McFadden
1974). It is maximised by scipy's exact trust-region Newton method with the
analytic gradient and Hessian, all computed as whole-array operations (no
loop over choice situations); standard errors come from the inverse observed
information. :func:`compare_statsmodels` fits the same data with statsmodels'
``ConditionalLogit`` (Chamberlain 1980) to check estimates and time both.

``fit_mle(data, model="structural")`` estimates the structural parameters:
the configuration logit gives :math:`b = (\lambda\theta, \lambda\beta)`,
mapped to the normalisation :math:`\theta_0 = 1` (:math:`\lambda = b_0`,
:math:`\theta_k = b_k / b_0`, :math:`\beta = b_4 / b_0`) with delta-method
standard errors; the two director logits (pooled) give
:math:`(\alpha, \mu, \eta)`; a Poisson regression of concession counts on loss
gives :math:`(\gamma_0, \gamma)`.

References
----------
McFadden, D. (1974). Conditional logit analysis of qualitative choice
behavior. In *Frontiers in Econometrics*, 105-142. Chamberlain, G. (1980).
Analysis of covariance with qualitative data. *Review of Economic Studies*
47(1), 225-238.

Examples
--------
>>> import estimation as est
>>> data = est.simulate(n_regions=300, seed=7)
>>> m = est.fit_mle(data, role="directors")
>>> m.converged, list(m.table.index[:2])
(True, ['cultural', 'social'])
>>> bool(abs(m.table.loc["endorsed", "estimate"] - 1.0) < 4 * m.table.loc["endorsed", "se"])
True
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from gametheory.errors import InvalidTypeError
from gametheory.restratification.model import ALPHA_NAMES

from .data import AllocationData, ChoiceSets
from .errors import EstimationError
from .simulate import THETA_FREE

__all__ = ["fit_mle", "MLEResults", "clogit_loglik", "fit_clogit", "fit_poisson",
           "compare_statsmodels"]


def clogit_loglik(b: np.ndarray, x: np.ndarray, mask: np.ndarray, chosen: np.ndarray,
                  derivatives: bool = True, offset: np.ndarray | None = None
                  ) -> tuple[float, np.ndarray, np.ndarray] | float:
    """Conditional-logit log-likelihood, and (optionally) its gradient and Hessian.

    Parameters
    ----------
    b : (K,) coefficients
    x : (S, J, K) covariates; mask : (S, J) bool; chosen : (S,) int
    offset : (S, J) float, optional
        A known term added to every utility (coefficient one), e.g. the
        correction for sampled alternatives (:mod:`estimation.alternatives`).

    Examples
    --------
    >>> x = np.array([[[0.0], [1.0]]]); mask = np.ones((1, 2), bool)
    >>> ll, g, h = clogit_loglik(np.array([0.0]), x, mask, np.array([1]))
    >>> round(ll, 6), g.tolist(), h.tolist()
    (-0.693147, [0.5], [[-0.25]])
    """
    u = np.einsum("sjk,k->sj", x, b)
    if offset is not None:
        u = u + offset
    u = np.where(mask, u, -np.inf)
    m = u.max(axis=1, keepdims=True)
    e = np.exp(u - m)
    tot = e.sum(axis=1, keepdims=True)
    lse = (m + np.log(tot))[:, 0]
    s = np.arange(len(chosen))
    ll = float((u[s, chosen] - lse).sum())
    if not derivatives:
        return ll
    p = e / tot
    xbar = np.einsum("sj,sjk->sk", p, x)
    grad = (x[s, chosen] - xbar).sum(axis=0)
    hess = -(np.einsum("sj,sjk,sjl->kl", p, x, x) - xbar.T @ xbar)
    return ll, grad, hess


@dataclass
class MLEResults:
    """Estimates, standard errors and fit statistics of a maximum-likelihood fit.

    Attributes
    ----------
    table : DataFrame
        ``estimate``, ``se``, ``z``, ``lower``, ``upper`` (95% Wald interval).
    loglik : float
    n : int
        Observations (choice situations, or situations + counts).
    converged : bool
    seconds : float
    covariance : DataFrame
    """

    table: pd.DataFrame
    loglik: float
    n: int
    converged: bool
    seconds: float
    covariance: pd.DataFrame
    what: str = ""
    parts: dict[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> pd.Series:
        return self.table["estimate"]

    @property
    def se(self) -> pd.Series:
        return self.table["se"]

    # ---- the statsmodels vocabulary
    @property
    def bse(self) -> pd.Series:
        """Standard errors (statsmodels' name for :attr:`se`)."""
        return self.table["se"]

    @property
    def tvalues(self) -> pd.Series:
        """Wald z statistics, estimate / se."""
        return self.table["z"]

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p values of the z statistics, :math:`2\\Phi(-|z|)`."""
        return pd.Series(2.0 * stats.norm.sf(np.abs(self.table["z"].to_numpy())),
                         index=self.table.index, name="pvalues")

    @property
    def llf(self) -> float:
        """Log-likelihood at the estimate."""
        return float(self.loglik)

    @property
    def nobs(self) -> int:
        return int(self.n)

    @property
    def df_model(self) -> int:
        """Number of estimated parameters, :math:`k`."""
        return len(self.table)

    @property
    def aic(self) -> float:
        """Akaike information criterion, :math:`-2\\ell + 2k`."""
        return -2.0 * self.llf + 2.0 * self.df_model

    @property
    def bic(self) -> float:
        """Bayesian information criterion, :math:`-2\\ell + k \\log n`."""
        return -2.0 * self.llf + self.df_model * float(np.log(self.nobs))

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Wald confidence intervals at level :math:`1 - \\alpha` (columns 0 and 1, as
        statsmodels' ``conf_int`` returns them for pandas input)."""
        if not (isinstance(alpha, float | int) and 0 < alpha < 1):
            raise EstimationError("alpha", alpha, "not in (0, 1)", "Give e.g. alpha=0.05")
        q = stats.norm.ppf(1 - alpha / 2)
        est, se = self.params.to_numpy(), self.bse.to_numpy()
        return pd.DataFrame({0: est - q * se, 1: est + q * se}, index=self.table.index)

    def summary(self, alpha: float = 0.05) -> pd.DataFrame:
        """Coefficient table with statsmodels' column names.

        Columns ``coef``, ``std err``, ``z``, ``P>|z|`` and the interval bounds
        (``[0.025``, ``0.975]`` at ``alpha=0.05``); ``attrs`` holds ``llf``,
        ``aic``, ``bic``, ``nobs``, ``df_model`` and ``converged``.

        Examples
        --------
        >>> import numpy as np
        >>> from estimation.mle import fit_poisson
        >>> rng = np.random.default_rng(0)
        >>> L = rng.uniform(0, 2, 300)
        >>> s = fit_poisson(rng.poisson(np.exp(-0.5 + 0.7 * L)), L).summary()
        >>> list(s.columns)
        ['coef', 'std err', 'z', 'P>|z|', '[0.025', '0.975]']
        >>> sorted(s.attrs)[:3]
        ['aic', 'bic', 'converged']
        """
        ci = self.conf_int(alpha)
        lo, hi = f"[{alpha / 2:g}", f"{1 - alpha / 2:g}]"
        out = pd.DataFrame({"coef": self.params, "std err": self.bse, "z": self.tvalues,
                            "P>|z|": self.pvalues, lo: ci[0], hi: ci[1]})
        out.attrs.update(llf=self.llf, aic=self.aic, bic=self.bic, nobs=self.nobs,
                         df_model=self.df_model, converged=bool(self.converged),
                         model=self.what)
        return out

    def __repr__(self) -> str:
        return (f"MLEResults({self.what}: {len(self.table)} parameters, n={self.n}, "
                f"loglik={self.loglik:.3f}, converged={self.converged})")


def _table(est: np.ndarray, cov: np.ndarray, names: list[str]) -> pd.DataFrame:
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    q = stats.norm.ppf(0.975)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = est / se
    return pd.DataFrame({"estimate": est, "se": se, "z": z, "lower": est - q * se,
                         "upper": est + q * se}, index=pd.Index(names, name="parameter"))


def fit_clogit(cs: ChoiceSets, start: np.ndarray | None = None, gtol: float = 1e-8,
               offset: np.ndarray | None = None) -> MLEResults:
    """Conditional-logit MLE of one set of choice situations (see the module docstring).

    ``offset`` (S, J) is a known term added to the utilities (see :func:`clogit_loglik`).
    """
    t0 = time.perf_counter()
    x, mask, chosen = cs.x, cs.mask, cs.chosen
    K = x.shape[2]
    keep = mask.sum(axis=1) > 1     # one-alternative situations carry no information
    x, mask, chosen = x[keep], mask[keep], chosen[keep]
    if offset is not None:
        offset = np.where(mask, np.asarray(offset, float)[keep], 0.0)
    if not keep.any():
        raise EstimationError("data", cs.role, "no choice situation has two alternatives",
                              "Give data where some choices are between several candidates")
    cache: dict[bytes, tuple[float, np.ndarray, np.ndarray]] = {}

    def f(b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        key = b.tobytes()
        if key not in cache:
            cache.clear()
            cache[key] = clogit_loglik(b, x, mask, chosen,  # type: ignore[assignment]
                                       offset=offset)
        return cache[key]

    b0 = np.zeros(K) if start is None else np.asarray(start, float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = optimize.minimize(lambda b: -f(b)[0], b0, jac=lambda b: -f(b)[1],
                                hess=lambda b: -f(b)[2], method="trust-exact",
                                options={"gtol": gtol, "maxiter": 200})
    ll, g, h = f(res.x)
    info = -h
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        cov = np.full((K, K), np.inf)
    ok = bool(np.max(np.abs(g)) < 1e-5 * max(1.0, len(chosen)) and np.all(np.isfinite(cov))
              and np.all(np.abs(res.x) < 50) and np.all(np.sqrt(np.abs(np.diag(cov))) < 100))
    # a huge standard error or coefficient means (quasi-)separation: no finite MLE
    names = list(cs.names)
    return MLEResults(_table(res.x, cov, names), ll, int(len(chosen)), ok,
                      time.perf_counter() - t0, pd.DataFrame(cov, names, names),
                      f"conditional logit ({cs.role})")


def fit_poisson(y: np.ndarray, L: np.ndarray, gtol: float = 1e-10) -> MLEResults:
    r"""Poisson regression :math:`y_i \sim \text{Poisson}(e^{\gamma_0 + \gamma L_i})` by Newton."""
    t0 = time.perf_counter()
    X = np.column_stack([np.ones_like(L), L])
    b = np.array([np.log(max(y.mean(), 1e-3)), 0.0])
    ok = False
    for _ in range(100):
        eta = X @ b
        mu = np.exp(eta)
        g = X.T @ (y - mu)
        H = X.T @ (X * mu[:, None])
        step = np.linalg.solve(H, g)
        ll_old = float(np.sum(y * eta - mu))
        t = 1.0
        while True:
            nb = b + t * step
            e2 = X @ nb
            if float(np.sum(y * e2 - np.exp(e2))) >= ll_old - 1e-12 or t < 1e-8:
                break
            t /= 2
        b = nb
        if np.max(np.abs(g)) < gtol * max(1.0, len(y)):
            ok = True
            break
    mu = np.exp(X @ b)
    H = X.T @ (X * mu[:, None])
    cov = np.linalg.inv(H)
    ll = float(np.sum(stats.poisson.logpmf(y, mu)))
    return MLEResults(_table(b, cov, ["gamma0", "gamma"]), ll, int(len(y)), ok,
                      time.perf_counter() - t0, pd.DataFrame(cov, ["gamma0", "gamma"],
                                                             ["gamma0", "gamma"]),
                      "Poisson regression (concessions)")


def fit_mle(data: AllocationData | ChoiceSets, model: str = "conditional_logit", *,
            role: str = "configuration") -> MLEResults:
    """Maximum-likelihood estimates with standard errors.

    Parameters
    ----------
    data : AllocationData or ChoiceSets
    model : {"conditional_logit", "structural"}
        A reduced-form conditional logit of ``role``, or the structural
        parameters in the model's normalisation (labels as in the Bayesian
        summary, e.g. ``theta[centre_super]``).
    role : str
        See :meth:`AllocationData.choice_sets`.

    Returns
    -------
    MLEResults
    """
    if isinstance(data, ChoiceSets):
        return fit_clogit(data)
    if not isinstance(data, AllocationData):
        raise InvalidTypeError("data", type(data).__name__, "not AllocationData",
                              "Give an AllocationData or ChoiceSets")
    if model == "conditional_logit":
        return fit_clogit(data.choice_sets(role))
    if model != "structural":
        raise EstimationError("model", model, "unknown model",
                              "Use 'conditional_logit' or 'structural'")
    t0 = time.perf_counter()
    cfg = fit_clogit(data.choice_sets("configuration"))
    b = cfg.params.to_numpy()
    V = cfg.covariance.to_numpy()
    lam = b[0]
    if not lam > 0:
        raise EstimationError("data", f"lambda*theta0 = {lam:.3g}",
                              "the host track-record weight is not positive at the MLE, so "
                              "the normalisation theta0 = 1 is not possible",
                              "Use the reduced form (model='conditional_logit')")
    est = np.concatenate([[lam], b[1:4] / lam, [b[4] / lam]])
    J = np.zeros((5, 5))
    J[0, 0] = 1.0
    for k in range(1, 5):
        J[k, 0] = -b[k] / lam**2
        J[k, k] = 1.0 / lam
    cov_c = J @ V @ J.T
    names_c = ["lam", *(f"theta[{n}]" for n in THETA_FREE), "beta"]
    parts = {"configuration": cfg}
    tabs = [_table(est, cov_c, names_c)]
    covs = [cov_c]
    names = list(names_c)
    ll, n, ok = cfg.loglik, cfg.n, cfg.converged
    a = data.arrays()
    if len(a.app_chosen) and (a.app_mask.sum(axis=1) > 1).any():
        app = fit_clogit(data.choice_sets("directors"))
        parts["appointments"] = app
        nm = [f"alpha[{x}]" for x in ALPHA_NAMES] + ["mu", "eta"]
        tabs.append(_table(app.params.to_numpy(), app.covariance.to_numpy(), nm))
        covs.append(app.covariance.to_numpy())
        names += nm
        ll, n, ok = ll + app.loglik, n + app.n, ok and app.converged
    if len(a.con_count):
        con = fit_poisson(a.con_count, a.con_loss)
        parts["concessions"] = con
        tabs.append(con.table)
        covs.append(con.covariance.to_numpy())
        names += ["gamma0", "gamma"]
        ll, n, ok = ll + con.loglik, n + con.n, ok and con.converged
    from scipy.linalg import block_diag

    cov = block_diag(*covs)
    return MLEResults(pd.concat(tabs), ll, n, ok, time.perf_counter() - t0,
                      pd.DataFrame(cov, names, names), "structural MLE", parts)


def compare_statsmodels(data: AllocationData | ChoiceSets, role: str = "configuration",
                        ) -> pd.DataFrame:
    """Fit one role's conditional logit here and with statsmodels' ``ConditionalLogit``.

    Returns a table of both estimates and standard errors per covariate, with
    the seconds each took in ``df.attrs`` (``seconds_restrat``,
    ``seconds_statsmodels``).
    """
    from statsmodels.discrete.conditional_models import ConditionalLogit

    cs = data if isinstance(data, ChoiceSets) else data.choice_sets(role)
    mine = fit_clogit(cs)
    keep = cs.mask.sum(axis=1) > 1
    sub = ChoiceSets(cs.role, cs.x[keep], cs.mask[keep], cs.chosen[keep], cs.names,
                     cs.alternatives[keep], cs.situation_region[keep])
    long = sub.to_long()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = ConditionalLogit(long["chosen"].to_numpy(), long[list(cs.names)].to_numpy(),
                              groups=long["situation"].to_numpy()).fit(disp=0)
    t_sm = time.perf_counter() - t0
    out = pd.DataFrame({"restrat": mine.params.to_numpy(), "restrat_se": mine.se.to_numpy(),
                        "statsmodels": np.asarray(sm.params),
                        "statsmodels_se": np.asarray(sm.bse)},
                       index=pd.Index(list(cs.names), name="covariate"))
    out["abs_diff"] = (out["restrat"] - out["statsmodels"]).abs()
    out.attrs.update(seconds_restrat=mine.seconds, seconds_statsmodels=t_sm,
                     n_situations=int(keep.sum()))
    return out
