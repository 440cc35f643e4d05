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

``fit_mle(data, model="structural")`` maximises the structural log-likelihood
(:class:`StructuralLikelihood`: the proposal-and-vote configuration stage, the
appointments and the concession roles as a multinomial over the committee's
bargaining equilibrium, all from :mod:`gametheory.restratification.spec`)
jointly in every estimand, the patience held at its documented value unless
``fixed={"patience": None}``.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from gametheory.errors import InvalidTypeError
from gametheory.restratification import spec

from .data import AllocationData, ChoiceSets, StructuralArrays
from .errors import EstimationError

__all__ = ["fit_mle", "MLEResults", "clogit_loglik", "fit_clogit",
           "StructuralLikelihood", "fit_structural",
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
    information : DataFrame or None
        Observed information at the estimate (structural MLE).
    diagnostics : DataFrame or None
        Weak identification and separation findings (parameter, issue, detail,
        cause); empty when nothing was found.
    """

    table: pd.DataFrame
    loglik: float
    n: int
    converged: bool
    seconds: float
    covariance: pd.DataFrame
    what: str = ""
    parts: dict[str, Any] = field(default_factory=dict)
    information: pd.DataFrame | None = None
    diagnostics: pd.DataFrame | None = None

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
        >>> import estimation as est
        >>> s = est.fit_mle(est.simulate(n_regions=200, seed=3), role="directors").summary()
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
    from .identification import diagnose_mle

    table = _table(res.x, cov, names)
    out = MLEResults(table, ll, int(len(chosen)), ok,
                     time.perf_counter() - t0, pd.DataFrame(cov, names, names),
                     f"conditional logit ({cs.role})")
    out.information = pd.DataFrame(info, names, names)
    out.diagnostics = diagnose_mle(names, res.x, info, se=table["se"].to_numpy())
    return out


class StructuralLikelihood:
    """The structural log-likelihood of one design, compiled once as a function of
    (parameters, observations).

    Written by :func:`gametheory.restratification.spec.log_likelihood` on the
    pytensor backend and compiled to JAX when jax is installed (C otherwise), with
    its gradient. The observations are inputs, so data sets sharing a design
    (recovery studies, power tables) reuse one compilation.

    Parameters
    ----------
    arrays : StructuralArrays
    veto : bool
        False fixes ``delta`` at 0 (the nested no-veto model).
    votes : bool, optional
        Include the vote term (default: whether ``arrays`` has observed votes).
    backend : {"auto", "jax", "c"}
    fixed : mapping, optional
        Scalar estimands held at given values (default
        :data:`~gametheory.restratification.spec.DEFAULT_FIXED`: the patience at
        0.9, to which these are added; ``{"patience": None}`` estimates it; e.g. the
        commissioners' and the
        ambulance service's stakes, which the allocations alone hardly identify).

    Attributes
    ----------
    labels : list of str
        Parameter labels, in the order of the parameter vector.
    bounds : list of (low, high)
    """

    def __init__(self, arrays: StructuralArrays, veto: bool = True, votes: bool | None = None,
                 backend: str = "auto", fixed: Mapping[str, float] | None = None) -> None:
        import importlib.util

        import pytensor
        import pytensor.tensor as pt

        from gametheory.formation import pytensor_backend

        self.design = arrays.design
        self.veto = bool(veto)
        self.votes = arrays.obs.has_votes if votes is None else bool(votes)
        xp = pytensor_backend()
        theta = pt.vector("theta")
        par: dict[str, Any] = {}
        self.labels: list[str] = []
        self.bounds: list[tuple[float | None, float | None]] = []
        self.logit_scale: list[bool] = []
        pos = 0
        from .models.structural import fixed_estimands

        self.fixed = fixed_estimands(fixed, self.veto)
        for name, labels in spec.ESTIMANDS.items():
            if name in self.fixed:
                par[name] = pt.constant(np.array([self.fixed[name]]))
                continue
            k = len(labels) or 1
            par[name] = theta[pos:pos + k][None, :] if labels else theta[pos][None]
            self.labels += [f"{name}[{lab}]" for lab in labels] if labels else [name]
            lo, hi = BOUNDS.get(name, (None, None))
            self.bounds += [(lo, hi)] * k
            self.logit_scale += [name not in ("kappa", "harm_weight", "patience")] * k
            pos += k
        d = self.design
        G, J = d.n_regions, d.bodies.n_members
        O = d.org_mask.shape[1]
        K = len(spec.CONCESSION_COLUMNS)
        self._inputs = {
            "cfg_chosen": pt.tensor("cfg_chosen", dtype="int64", shape=(G,)),
            "votes": pt.tensor("votes", dtype="float64", shape=(G, J)),
            "vote_mask": pt.tensor("vote_mask", dtype="bool", shape=(G, J)),
            "director": pt.tensor("director", dtype="int64", shape=(G, 2)),
            "director_mask": pt.tensor("director_mask", dtype="bool", shape=(G, 2)),
            "concessions": pt.tensor("concessions", dtype="float64", shape=(G, K, O)),
            "concession_mask": pt.tensor("concession_mask", dtype="bool", shape=(G, K, O)),
        }
        obs = spec.Observations(**self._inputs, votes_observed=self.votes)
        parts = spec.log_likelihood(par, d, obs, xp)
        ll = sum(pt.sum(v) for v in parts.values())
        grad = pt.grad(ll, theta)
        use_jax = (backend == "jax" or (backend == "auto"
                                        and importlib.util.find_spec("jax") is not None))
        self.backend = "jax" if use_jax else "c"
        self._mode = "JAX" if use_jax else "FAST_RUN"
        self._f = pytensor.function([theta, *self._inputs.values()], [ll, grad],
                                    mode=self._mode, on_unused_input="ignore")
        self._graph = (theta, grad)
        self._h: Any = None

    @property
    def n_params(self) -> int:
        return len(self.labels)

    def observations(self, obs: spec.Observations) -> list[np.ndarray]:
        dt = {"cfg_chosen": np.int64, "director": np.int64, "vote_mask": bool,
              "director_mask": bool, "concession_mask": bool}
        return [np.asarray(v, dtype=dt.get(k, float)) for k, v in obs.as_dict().items()]

    def __call__(self, theta: np.ndarray, obs_values: Sequence[np.ndarray]
                 ) -> tuple[float, np.ndarray]:
        ll, g = self._f(np.asarray(theta, float), *obs_values)
        return float(ll), np.asarray(g, dtype=float)

    def hessian(self, theta: np.ndarray, obs_values: Sequence[np.ndarray]) -> np.ndarray:
        """The Hessian of the log-likelihood at *theta*, by automatic differentiation of
        the same graph (the Jacobian of its gradient; compiled on first use).

        Exact where the log-likelihood is twice differentiable. Where a committee's
        reservation value is exactly at its kink (``max(a s, r)`` in
        :func:`~gametheory.bargaining.committee.unanimity_values`) it is the Hessian of
        the branch the graph selects there, which differs from either side's only by that
        committee's change of curvature, whereas a difference quotient across the kink
        divides the jump of the gradient by the step.
        """
        if self._h is None:
            if self.backend == "jax":
                import jax
                from pytensor.link.jax.dispatch import jax_funcify

                fn = jax_funcify(self._f.maker.fgraph)
                self._h = jax.jit(jax.jacfwd(lambda th, *obs: fn(th, *obs)[1]))
            else:
                import pytensor
                from pytensor.gradient import jacobian

                th, grad = self._graph
                self._h = pytensor.function([th, *self._inputs.values()],
                                            jacobian(grad, th), mode=self._mode,
                                            on_unused_input="ignore")
        H = np.asarray(self._h(np.asarray(theta, float), *obs_values), dtype=float)
        return 0.5 * (H + H.T)

    def start(self) -> np.ndarray:
        """Starting values: the centres of the default priors (kappa 2, delta 1,
        harm_weight 0.37, patience 0.9)."""
        from .models.priors import DEFAULT_PRIORS

        out = []
        for lab in self.labels:
            name = lab.split("[")[0]
            prm = DEFAULT_PRIORS[name].params
            centre = float(prm.get("mu", 0.0))
            if DEFAULT_PRIORS[name].dist == "LogNormal":
                centre = float(np.exp(centre))
            out.append({"kappa": 2.0, "delta": 1.0}.get(name, centre))
        return np.array(out)


#: ranges of the estimands the optimiser keeps to (None: unbounded)
BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "kappa": (1e-3, 200.0), "delta": (0.0, None), "harm_weight": (0.0, 1e3),
    "proposer_advantage": (-20.0, 20.0), "patience": (0.01, 0.99),
}


def _covariance(info: np.ndarray) -> np.ndarray:
    """Inverse information; infinite variance where a parameter is not identified."""
    K = len(info)
    cov = np.full((K, K), np.nan)
    d = np.diag(info)
    ok = d > 1e-12 * max(1.0, float(np.abs(d).max(initial=0.0)))
    sub = info[np.ix_(ok, ok)]
    try:
        inv = np.linalg.inv(sub)
        if not np.all(np.isfinite(inv)) or np.any(np.diag(inv) < 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        try:
            inv = np.linalg.pinv(sub)
        except np.linalg.LinAlgError:
            inv = np.full(sub.shape, np.nan)
    cov[np.ix_(ok, ok)] = inv
    dd = np.diag(cov).copy()
    dd[~(dd > 0)] = np.inf
    cov[np.diag_indices_from(cov)] = dd
    return cov


def _at_bound(x: np.ndarray, bounds: Sequence[tuple[float | None, float | None]]
              ) -> np.ndarray:
    return np.array([(lo is not None and xi <= lo + 1e-8) or (hi is not None and xi >= hi - 1e-8)
                     for xi, (lo, hi) in zip(x, bounds, strict=True)])


def _newton_polish(lik: StructuralLikelihood, vals: Sequence[np.ndarray], x: np.ndarray,
                   max_steps: int = 20) -> tuple[np.ndarray, float, np.ndarray, np.ndarray, int]:
    """Newton steps with the exact Hessian from *x*.

    The parameters off their bounds fall into blocks that share no curvature (the
    Hessian's connected components: e.g. the bargaining parameters enter only the
    concession term); each block takes its own Newton step, halved until the
    log-likelihood rises (a step onto its ``-inf`` region is halved too), so a block
    sitting on a kink does not hold the others back. Stops when no block improves or
    a block's Hessian is not negative definite. Returns (x, loglik, gradient,
    Hessian, steps taken).
    """
    from scipy.sparse.csgraph import connected_components

    ll, g = lik(x, vals)
    H = lik.hessian(x, vals)
    taken = 0
    for _ in range(max_steps):
        free = np.flatnonzero(~_at_bound(x, lik.bounds))
        if not (np.isfinite(ll) and np.all(np.isfinite(H)) and free.size):
            break
        Hf = H[np.ix_(free, free)]
        _, label = connected_components(Hf != 0.0, directed=False)
        moved = False
        for c in np.unique(label):
            idx = free[label == c]
            Hc = H[np.ix_(idx, idx)]
            try:
                np.linalg.cholesky(-Hc)
            except np.linalg.LinAlgError:
                continue
            step = np.zeros_like(x)
            step[idx] = np.linalg.solve(-Hc, g[idx])
            t = 1.0
            for _half in range(30):
                y = x + t * step
                if all((lo is None or yi >= lo) and (hi is None or yi <= hi)
                       for yi, (lo, hi) in zip(y, lik.bounds, strict=True)):
                    ly, gy = lik(y, vals)
                    if (np.isfinite(ly) and np.all(np.isfinite(gy))
                            and ly - ll > 1e-12 * (1.0 + abs(ll))):
                        x, ll, g = y, ly, gy
                        moved = True
                        break
                t *= 0.5
        if not moved:
            break
        H = lik.hessian(x, vals)
        taken += 1
    return x, float(ll), g, H, taken


def _remaining_step(lik: StructuralLikelihood, vals: Sequence[np.ndarray], x: np.ndarray,
                    g: np.ndarray, info: np.ndarray, rel: float = 1e-4) -> float:
    r"""How far the estimate may be from a maximum, in standard errors.

    The Newton step :math:`I^{-1} g` of the parameters off their bounds, as a
    multiple of their standard errors (largest over parameters). Where the
    log-likelihood has a kink at the estimate the gradient is one-sided and that step
    says nothing, so for a block of the information (parameters sharing curvature)
    whose step exceeds 1% of a standard error the gradients at the estimate and at
    :math:`\pm` ``rel`` standard errors along each of its parameters are sampled, and
    the step is taken from the smallest convex combination of them in the
    :math:`I^{-1}` metric (the gradient-sampling measure of Burke, Lewis and Overton
    2005, *SIAM J. Optim.* 15(3), 751-779: near zero exactly when a maximum of the
    nonsmooth log-likelihood is within ``rel`` standard errors). Returns ``inf``
    when the information of the free parameters is not positive definite.
    """
    from scipy.sparse.csgraph import connected_components

    free = np.flatnonzero(~_at_bound(x, lik.bounds))
    if not free.size:
        return 0.0
    If = info[np.ix_(free, free)]
    try:
        np.linalg.cholesky(If)
        cov = np.linalg.inv(If)
    except np.linalg.LinAlgError:
        return np.inf
    if not np.all(np.isfinite(g[free])):
        return np.inf
    se = np.sqrt(np.diag(cov))
    _, label = connected_components(If != 0.0, directed=False)
    worst = 0.0
    for c in np.unique(label):
        loc = np.flatnonzero(label == c)
        idx = free[loc]
        Cc = np.linalg.inv(If[np.ix_(loc, loc)])
        step = np.abs(Cc @ g[idx]) / se[loc]
        if step.max() >= 1e-2:
            grads = [g[idx]]
            for j, k in enumerate(idx):
                for sgn in (1.0, -1.0):
                    y = x.copy()
                    y[k] += sgn * rel * se[loc[j]]
                    ly, gy = lik(y, vals)
                    if np.isfinite(ly):
                        grads.append(gy[idx])
            G = np.array(grads)
            Q = G @ Cc @ G.T
            m = len(G)
            res = optimize.minimize(lambda lam, Q=Q: lam @ Q @ lam, np.full(m, 1.0 / m),
                                    jac=lambda lam, Q=Q: 2.0 * Q @ lam, method="SLSQP",
                                    bounds=[(0.0, 1.0)] * m,
                                    constraints=[{"type": "eq",
                                                  "fun": lambda lam: lam.sum() - 1.0,
                                                  "jac": lambda lam: np.ones_like(lam)}],
                                    options={"ftol": 1e-16, "maxiter": 500})
            lam = np.clip(res.x, 0.0, None)
            lam = lam / lam.sum()
            step = np.minimum(step, np.abs(Cc @ (lam @ G)) / se[loc])
        worst = max(worst, float(step.max()))
    return worst


def fit_structural(lik: StructuralLikelihood, obs: spec.Observations,
                   start: np.ndarray | None = None) -> MLEResults:
    r"""Maximise a compiled :class:`StructuralLikelihood` at observations *obs*.

    L-BFGS-B with the analytic gradient, within the parameters' ranges (``kappa``
    in [0.001, 200], ``delta >= 0``), then Newton steps with the exact Hessian
    (:meth:`StructuralLikelihood.hessian`, automatic differentiation of the same
    graph); standard errors from the inverse observed information, the negative of
    that Hessian; the identification diagnostics of
    :func:`estimation.identification.diagnose_mle` in ``diagnostics``.

    Notes
    -----
    The log-likelihood is continuous but only piecewise smooth in the bargaining
    parameters: a hospital's equilibrium price :math:`\max(a_j s, r_j)` has a kink
    where its reservation value starts to bind, so the maximum may sit on a kink,
    where the gradient jumps. A difference quotient of the gradient across it would
    divide that jump by the step (an indefinite "information", infinite standard
    errors); the Hessian by automatic differentiation is the curvature of the smooth
    pieces. ``converged`` is True when the log-likelihood is finite, the information
    of the parameters off their bounds is positive definite, every standard error is
    finite, no coefficient runs away, and the Newton step that remains,
    :math:`I^{-1}\nabla\ell`, is below 1% of every standard error (what is left of the
    optimisation is negligible beside the sampling error); at a kink, where the
    gradient is one-sided, the step is that of the smallest generalised gradient
    (:func:`_remaining_step`). ``parts["newton_step_se"]`` holds that largest
    remaining step in standard errors.
    """
    from .identification import diagnose_mle

    t0 = time.perf_counter()
    vals = lik.observations(obs)
    x0 = lik.start() if start is None else np.asarray(start, float)
    # precondition: scale each parameter by the curvature of the log-likelihood at the
    # start (the blocks of the likelihood differ in curvature by orders of magnitude)
    h0 = np.abs(np.diag(lik.hessian(x0, vals)))
    scale = 1.0 / np.sqrt(np.where(np.isfinite(h0) & (h0 > 1e-8), h0, 1.0))
    bounds = [(None if lo is None else lo / sc, None if hi is None else hi / sc)
              for (lo, hi), sc in zip(lik.bounds, scale, strict=True)]

    def negf(y: np.ndarray) -> tuple[float, np.ndarray]:
        ll, g = lik(y * scale, vals)
        if not (np.isfinite(ll) and np.all(np.isfinite(g))):
            return 1e100, np.zeros_like(y)
        return -ll, -g * scale

    # the log-likelihood is -inf where a committee's pool cannot cover its reservation
    # values yet the network kept roles: a line search that steps there stops, so the
    # search restarts (with a fresh curvature memory) while it still improves. A point
    # whose gradient is not finite (the vote block's gradient overflows where kappa and
    # delta run away together while the log-likelihood is still finite) is treated the
    # same way: passed on, a NaN gradient would send every estimate to NaN
    y = x0 / scale
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        best = np.inf
        for _ in range(30):
            res = optimize.minimize(negf, y, jac=True, method="L-BFGS-B", bounds=bounds,
                                    options={"maxiter": 3000, "maxfun": 6000, "ftol": 1e-14,
                                             "gtol": 1e-8, "maxcor": 30})
            y = res.x
            if not best - res.fun > 1e-9 * (1.0 + abs(res.fun)):
                break
            best = res.fun
        x, ll, g, H, n_newton = _newton_polish(lik, vals, res.x * scale)
    info = -H
    # a parameter whose information is not finite (a gradient overflowing where it ran
    # away) carries none: zero its row and column, report it as such
    bad = ~np.isfinite(info).all(axis=1) | ~np.isfinite(info).all(axis=0)
    info[bad, :] = 0.0
    info[:, bad] = 0.0
    cov = _covariance(info)
    names = list(lik.labels)
    table = _table(x, cov, names)
    diag = diagnose_mle(names, x, info, se=table["se"].to_numpy(), bounds=lik.bounds,
                        logit_scale=lik.logit_scale, fixed=lik.fixed)
    step_se = _remaining_step(lik, vals, x, g, info)
    ok = bool(np.isfinite(ll) and step_se < 1e-2
              and not (diag["issue"] == "runaway coefficient").any()
              and np.all(np.isfinite(table["se"])))
    n = int(np.asarray(obs.cfg_chosen).size)
    out = MLEResults(table, ll, n, ok, time.perf_counter() - t0,
                     pd.DataFrame(cov, names, names), "structural MLE (proposal and vote)",
                     {"optimizer": res, "backend": lik.backend, "newton_steps": n_newton,
                      "newton_step_se": step_se})
    out.information = pd.DataFrame(info, names, names)
    out.diagnostics = diag
    return out


def fit_mle(data: AllocationData | ChoiceSets, model: str = "conditional_logit", *,
            role: str = "configuration", veto: bool = True,
            fixed: Mapping[str, float] | None = None) -> MLEResults:
    """Maximum-likelihood estimates with standard errors.

    Parameters
    ----------
    data : AllocationData or ChoiceSets
    model : {"conditional_logit", "structural"}
        A reduced-form conditional logit of ``role``, or the structural
        proposal-and-vote model (the likelihood of
        :func:`gametheory.restratification.spec.log_likelihood`, the same as the
        Bayesian fit's; labels as in its summary, e.g. ``lam_theta[centre_super]``).
    role : str
        See :meth:`AllocationData.choice_sets`.
    veto : bool
        Structural model only: False fixes ``delta`` at 0.
    fixed : mapping, optional
        Structural model only: scalar estimands held at given values (default
        :data:`~gametheory.restratification.spec.DEFAULT_FIXED`, the patience at
        0.9; ``{"patience": None}`` estimates it too).

    Returns
    -------
    MLEResults
        Its ``diagnostics`` table names weakly identified parameters and
        coefficients running away (:mod:`estimation.identification`).
    """
    if isinstance(data, ChoiceSets):
        return fit_clogit(data)
    if not isinstance(data, AllocationData):
        raise InvalidTypeError("data", type(data).__name__, "not AllocationData",
                               "Give an AllocationData or ChoiceSets")
    data.require_complete(f"fit_mle(model={model!r})")
    if model == "conditional_logit":
        cs = data.choice_sets(role)
        off = data.arrays().design.cfg_offset
        if role == "configuration" and off is not None:
            # sampled configurations (winner-only data): McFadden's correction
            return fit_clogit(cs, offset=off)
        return fit_clogit(cs)
    if model != "structural":
        raise EstimationError("model", model, "unknown model",
                              "Use 'conditional_logit' or 'structural'")
    a = data.arrays()
    t0 = time.perf_counter()
    lik = StructuralLikelihood(a, veto=veto, fixed=fixed)
    res = fit_structural(lik, a.obs)
    res.parts["compile_seconds"] = time.perf_counter() - t0 - res.seconds
    return res


def compare_statsmodels(data: AllocationData | ChoiceSets, role: str = "configuration",
                        ) -> pd.DataFrame:
    """Fit one role's conditional logit here and with statsmodels' ``ConditionalLogit``.

    Returns a table of both estimates and standard errors per covariate, with
    the seconds each took in ``df.attrs`` (``seconds_restrat``,
    ``seconds_statsmodels``).
    """
    from statsmodels.discrete.conditional_models import ConditionalLogit

    if isinstance(data, AllocationData) and data.sampled and role == "configuration":
        raise EstimationError("data", data, "has sampled configurations (winner-only data), "
                              "whose correction offset statsmodels' ConditionalLogit cannot "
                              "take", "Compare on data listing every configuration")
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
