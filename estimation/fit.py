r"""Fitting the pymc models, and the results object.

:func:`fit` builds a model (:data:`estimation.models.MODELS`), samples its
posterior with NUTS and returns :class:`FitResults`, which owns the arviz
``InferenceData`` and gives the convergence summary, recovery tables,
posterior predictive checks, LOO, plots, predictions for new or
counterfactual regions and NetCDF save/load.

Samplers: ``"nutpie"`` (Rust NUTS; on the JAX backend when jax is installed,
numba otherwise), ``"pymc"`` (pymc's own NUTS on the C backend) and
``"auto"`` (nutpie on JAX when both nutpie and jax import, pymc's otherwise).
The sampler used is recorded in ``FitResults.sampler`` and in the saved file.

Convergence is judged as recommended by Vehtari et al. (2021): rank-normalised
:math:`\hat R \le 1.01`, bulk and tail ESS of at least 100 per chain, and no
divergent transitions; :meth:`FitResults.summary` warns
(:class:`~estimation.errors.SamplingWarning`) when any fails.

References
----------
Vehtari, A., Gelman, A., Simpson, D., Carpenter, B., Burkner, P.-C. (2021).
Rank-normalization, folding, and localization: an improved R-hat.
*Bayesian Analysis* 16(2), 667-718. Vehtari, A., Gelman, A., Gabry, J. (2017).
Practical Bayesian model evaluation using leave-one-out cross-validation and
WAIC. *Statistics and Computing* 27, 1413-1432.

Examples
--------
>>> import estimation as est
>>> data = est.simulate(n_regions=30, seed=2)
>>> res = est.fit(data, sampler="pymc", chains=2, draws=200, tune=200,
...               seed=1)  # doctest: +SKIP
>>> res.recovery()  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gametheory.errors import InvalidTypeError
from gametheory.restratification import spec
from gametheory.restratification.concessions import ROLE_KINDS, draw_packages

from .data import AllocationData, ChoiceSets, StructuralArrays
from .errors import EstimationError, MissingDependencyError, SamplingWarning
from .models.priors import Prior, resolve_priors

#: Largest saved fit :meth:`FitResults.load` reads (bytes on disk).
MAX_FIT_FILE_BYTES = 2 * 2**30
#: Most bytes the arrays of a saved fit may hold once decompressed.
MAX_FIT_DATA_BYTES = 4 * 2**30
#: NUTS metrics :func:`fit` adapts (``mass_matrix``)
MASS_MATRICES = ("diag", "low_rank", "laplace")
#: those of :data:`MASS_MATRICES` that only nutpie offers
NUTPIE_MASS_MATRICES = ("low_rank", "laplace")

__all__ = ["fit", "FitResults", "Refitter", "cli_fit", "demo_fit", "available_samplers",
           "compare", "choose_likelihood",
           "prior_predictive_check",
           "Prediction", "ESTIMANDS"]

#: the parameters reported by default, per model
ESTIMANDS: dict[str, tuple[str, ...]] = {
    "structural": tuple(spec.ESTIMANDS),
    "hierarchical": (*spec.ESTIMANDS, "sigma_lam_theta", "sigma_alpha",
                     "sigma_proposer_advantage"),
    "conditional_logit": ("b",),
    "naive": tuple(spec.ESTIMANDS),
}


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def available_samplers() -> dict[str, bool]:
    """Which samplers can run here: ``pymc`` always, ``nutpie`` and ``nutpie-jax`` if installed."""
    nut = _importable("nutpie")
    return {"pymc": True, "nutpie": nut, "nutpie-jax": nut and _importable("jax")}


def _choose_sampler(sampler: str) -> tuple[str, str | None]:
    av = available_samplers()
    if sampler == "auto":
        return ("nutpie", "jax") if av["nutpie-jax"] else ("pymc", None)
    if sampler == "pymc":
        return "pymc", None
    if sampler in ("nutpie", "nutpie-jax", "nutpie-numba"):
        if not av["nutpie"]:
            raise MissingDependencyError("sampler", sampler, "nutpie is not installed",
                                         "pip install 'restrat[fast]' (nutpie and jax), or "
                                         "use sampler='pymc'")
        if sampler == "nutpie-numba":
            return "nutpie", "numba"
        if sampler == "nutpie-jax" and not av["nutpie-jax"]:
            raise MissingDependencyError("sampler", sampler, "jax is not installed",
                                         "pip install jax jaxlib, or use sampler='nutpie-numba'")
        return "nutpie", ("jax" if av["nutpie-jax"] else "numba")
    raise EstimationError("sampler", sampler, "unknown sampler",
                          "Use 'auto', 'pymc', 'nutpie', 'nutpie-jax' or 'nutpie-numba'")


def default_cores(sampler: str, chains: int) -> int:
    """Chains run at once by default: all of them on nutpie, whose chains are threads
    (the operating system then shares the CPUs among them, so no CPU idles while the
    last chains finish: 295 s against 300-306 s of sampling for 4 chains on 2 CPUs at
    2,000 regions, ``benchmarks/RESULTS_estimation.md``); ``min(chains, CPUs)`` on
    pymc, whose chains are processes.

    Examples
    --------
    >>> default_cores("nutpie", 4)
    4
    """
    return chains if sampler == "nutpie" else min(chains, os.cpu_count() or 1)


def _seed_int(seed: int | np.random.Generator | None) -> int:
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**31 - 1))
    if seed is None:
        return int(np.random.default_rng().integers(2**31 - 1))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise EstimationError("seed", seed, "not an integer or numpy Generator",
                              "Give seed=an int or np.random.default_rng(...)")
    return int(seed) % (2**31 - 1)


def _positive_int(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise EstimationError(name, value, f"not an integer >= {minimum}",
                              f"Give {name} as an integer of at least {minimum}")
    return int(value)


def build_model(model: str, source: Any, priors: Mapping[str, Any] | None, *,
                role: str | None = None, group: str = "network", veto: bool = True,
                fixed: Mapping[str, float] | None = None, likelihood: str = "graph") -> Any:
    """The pymc model ``model`` for *source* (AllocationData, arrays or choice sets).

    ``likelihood`` (``"graph"`` or ``"jax"``) is passed to the structural models
    (:func:`~estimation.models.structural_model`); the others have only the graph.
    """
    from .models import MODELS

    if model not in MODELS:
        raise EstimationError("model", model, "unknown model", f"Use one of {sorted(MODELS)}")
    if model == "conditional_logit":
        return MODELS[model](source, priors, role=role)
    if model == "hierarchical":
        return MODELS[model](source, priors, group=group, veto=veto, fixed=fixed,
                             likelihood=likelihood)
    if model == "naive":
        return MODELS[model](source, priors)
    return MODELS[model](source, priors, veto=veto, fixed=fixed, likelihood=likelihood)


def choose_likelihood(model: str, backend: str | None, likelihood: str = "auto") -> str:
    """How a structural model's likelihood enters the pymc model for a sampler.

    ``"auto"`` is ``"jax"`` (one Op that JAX compiles and differentiates,
    :func:`~estimation.models.structural.loglik_op`) when the sampler runs the model
    on JAX (nutpie's JAX backend) and ``"graph"`` otherwise (pymc's NUTS and nutpie
    on numba differentiate the pytensor graph). Models other than the structural ones
    have only the graph.
    """
    from .models.structural import LIKELIHOODS

    if likelihood != "auto" and likelihood not in LIKELIHOODS:
        raise EstimationError("likelihood", likelihood, "unknown likelihood",
                              "Use 'auto', 'graph' or 'jax'")
    if model not in IMPUTING_MODELS:
        return "graph"
    if likelihood == "auto":
        return "jax" if backend == "jax" else "graph"
    if likelihood == "jax" and backend != "jax":
        raise EstimationError("likelihood", likelihood, f"the sampler runs on {backend or 'C'}"
                              ", and the JAX likelihood is differentiated by JAX only",
                              "Use likelihood='graph', or sampler='nutpie-jax'")
    return likelihood


def compile_nutpie(pm_model: Any, backend: str | None, *, keep_data: bool = False) -> Any:
    """The nutpie-compiled model (JAX gradients on the JAX backend).

    ``keep_data`` keeps the model's data containers as inputs of the compiled
    functions (nutpie otherwise freezes them into constants on JAX), so that
    ``with_data`` can swap them without compiling again.
    """
    import nutpie

    kw = {"freeze_model": False} if keep_data else {}
    return nutpie.compile_pymc_model(pm_model, backend=backend,
                                     gradient_backend="jax" if backend == "jax"
                                     else "pytensor", **kw)


def sample_model(pm_model: Any, sampler: str, backend: str | None, *, chains: int, draws: int,
                 tune: int, seed: int, cores: int, progressbar: bool,
                 target_accept: float, compiled: Any = None,
                 mass_matrix: str = "diag") -> tuple[Any, dict[str, float]]:
    """Sample *pm_model*; returns the InferenceData and timings (compile, sample).

    ``compiled`` reuses a nutpie compilation of the model (with new data set by
    ``compiled.with_data``). ``mass_matrix`` as in :func:`fit` (checked there).
    """
    t0 = time.perf_counter()
    if sampler == "nutpie":
        import nutpie

        if compiled is None:
            compiled = compile_nutpie(pm_model, backend)
        t1 = time.perf_counter()
        timing: dict[str, float] = {"compile": t1 - t0}
        if mass_matrix == "laplace":
            from .laplace import preconditioned_nutpie

            compiled, la = preconditioned_nutpie(compiled, seed)
            timing["laplace"] = la.seconds
            t1 = time.perf_counter()
        idata = nutpie.sample(compiled, draws=draws, tune=tune, chains=chains, cores=cores,
                              seed=seed, progress_bar=progressbar, save_warmup=False,
                              target_accept=target_accept,
                              low_rank_modified_mass_matrix=mass_matrix == "low_rank")
        timing["sample"] = time.perf_counter() - t1
        if mass_matrix == "laplace":
            # the approximation's own diagnostics travel with the draws (and the saved fit)
            idata.sample_stats.attrs.update(
                laplace_log_density=la.log_density, laplace_condition_number=la.condition_number,
                laplace_floored=la.n_floored, laplace_converged=int(la.converged),
                laplace_evaluations=la.n_evaluations)
        return idata, timing
    import logging

    import pymc as pm

    log = logging.getLogger("pymc")
    level = log.level
    if not progressbar:
        log.setLevel(logging.WARNING)
    # pymc draws its progress bar on stdout: send it to stderr with the other messages
    bar_to_stderr = contextlib.redirect_stdout(sys.stderr) if progressbar else \
        contextlib.nullcontext()
    try:
        with pm_model, warnings.catch_warnings(), bar_to_stderr:
            warnings.simplefilter("ignore", FutureWarning)
            # compile once up front so compile and sampling times are reported apart
            pm_model.compile_logp()
            pm_model.compile_dlogp()
            t1 = time.perf_counter()
            idata = pm.sample(draws=draws, tune=tune, chains=chains, cores=cores,
                              random_seed=seed, progressbar=progressbar,
                              target_accept=target_accept, compute_convergence_checks=False,
                              return_inferencedata=True)
    finally:
        log.setLevel(level)
    t2 = time.perf_counter()
    return idata, {"compile": t1 - t0, "sample": t2 - t1}


class Refitter:
    """A structural model compiled once and fitted to many data sets of one design.

    Recovery studies and simulation-based calibration redraw the outcomes of fixed
    regions: the model's observations are ``pm.Data`` containers
    (:data:`estimation.models.structural.OBSERVED_DATA`), so nutpie's compilation
    is reused with the new values (pymc's sampler recompiles its functions).

    Parameters
    ----------
    data : AllocationData
        The first data set (fixes the design).
    model, sampler, priors, veto, group, target_accept
        As in :func:`fit`.
    likelihood : {"graph", "jax"}
        ``"graph"`` (the default): compiled once, each data set swapped into the
        model's data containers. ``"jax"`` (nutpie on JAX only): the JAX likelihood Op
        (:func:`~estimation.models.structural.loglik_op`), whose observations are
        constants, so the model is built and compiled again for every data set (in
        seconds; worth it when the evaluations dominate, for large data).
    """

    def __init__(self, data: AllocationData, model: str = "structural", *,
                 sampler: str = "auto", priors: Mapping[str, Any] | None = None,
                 veto: bool = True, group: str = "network", target_accept: float = 0.9,
                 fixed: Mapping[str, float] | None = None, likelihood: str = "graph") -> None:
        from .models.structural import fixed_estimands

        if model not in ("structural", "hierarchical"):
            raise EstimationError("model", model, "refitting needs a structural model",
                                  "Use model='structural' or 'hierarchical'")
        self.name, self.backend = _choose_sampler(sampler)
        self.likelihood = choose_likelihood(model, self.backend, likelihood)
        self.priors = resolve_priors(priors)
        self.settings = {"model": model, "sampler": self.name, "backend": self.backend,
                         "group": group, "target_accept": target_accept, "veto": bool(veto),
                         "role": None, "fixed": fixed_estimands(fixed, veto),
                         "likelihood": self.likelihood}
        self._fixed = fixed
        t0 = time.perf_counter()
        self.source = data.arrays()
        self.pm_model = build_model(model, self.source, self.priors, group=group, veto=veto,
                                    fixed=fixed, likelihood=self.likelihood)
        self.compiled = (compile_nutpie(self.pm_model, self.backend, keep_data=True)
                         if self.name == "nutpie" and self.likelihood == "graph" else None)
        self.compile_seconds = time.perf_counter() - t0

    def fit(self, data: AllocationData, *, chains: int = 2, draws: int = 500, tune: int = 500,
            seed: int | np.random.Generator | None = None, cores: int | None = None
            ) -> FitResults:
        """Sample the posterior for *data* (same regions as the first data set)."""
        import pymc as pm

        from .models.structural import observed_data

        a = data.arrays()
        d0 = self.source.design
        if a.design.region_names != d0.region_names or a.design.cfg_mask.shape != \
                d0.cfg_mask.shape or not np.array_equal(a.design.cfg_x, d0.cfg_x):
            raise EstimationError("data", data, "not the regions the model was compiled for",
                                  "Refit data sets of the same regions, or use fit()")
        if a.obs.has_votes != self.source.obs.has_votes:
            raise EstimationError("data", data, "votes observed in one data set and not in "
                                  "the other", "Give data sets that observe the same things")
        values = observed_data(a.obs)
        seed_i = _seed_int(seed)
        cores = cores or default_cores(self.name, chains)
        compiled = None
        pm_model = self.pm_model
        if self.likelihood == "jax":
            # the observations are constants of the Op: a new model for these data
            st = self.settings
            pm_model = build_model(st["model"], a, self.priors, group=st["group"],
                                   veto=st["veto"], fixed=self._fixed, likelihood="jax")
        elif self.compiled is not None:
            known = getattr(self.compiled, "_shared_data", None)
            if known is None:
                known = getattr(self.compiled, "shared_data", {})
            compiled = self.compiled.with_data(**{k: v for k, v in values.items()
                                                  if k in known})
        if compiled is None and self.likelihood == "graph":
            with self.pm_model:
                pm.set_data(values)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*BLAS.*")
            idata, timing = sample_model(pm_model, self.name, self.backend,
                                         chains=_positive_int("chains", chains),
                                         draws=_positive_int("draws", draws),
                                         tune=_positive_int("tune", tune, 0), seed=seed_i,
                                         cores=cores, progressbar=False,
                                         target_accept=self.settings["target_accept"],
                                         compiled=compiled)
        settings = {**self.settings, "chains": chains, "draws": draws, "tune": tune,
                    "seed": seed_i, "n_regions": data.n_regions}
        res = FitResults(idata, settings=settings, source=a, priors=self.priors,
                         timing=timing, truth=getattr(data, "truth", None))
        return res


#: models that impute missing covariates (AllocationData with missing_covariates=True)
IMPUTING_MODELS: tuple[str, ...] = ("structural", "hierarchical")


def _fill_imputed(source: StructuralArrays | ChoiceSets, idata: Any
                  ) -> StructuralArrays | ChoiceSets:
    """Missing covariates set to their posterior means, so that the numpy predictions and
    checks of a fit see complete data (the posterior itself integrated over them)."""
    from dataclasses import replace

    from .models.structural import IMPUTED, filled_design

    post = getattr(idata, "posterior", None)
    if not isinstance(source, StructuralArrays) or post is None or not any(
            v in post for v in IMPUTED):
        return source
    vals = {v: post[v].mean(("chain", "draw")).to_numpy() for v in IMPUTED if v in post}
    return replace(source, design=filled_design(source.design, vals))


def fit(data: AllocationData, model: str = "structural", *, sampler: str = "auto",
        chains: int = 4, draws: int = 1000, tune: int = 1000,
        seed: int | np.random.Generator | None = None,
        priors: Mapping[str, Any] | None = None, role: str | None = None,
        group: str = "network", cores: int | None = None, progressbar: bool | None = None,
        target_accept: float = 0.9, veto: bool = True,
        fixed: Mapping[str, float] | None = None, likelihood: str = "auto",
        mass_matrix: str = "diag") -> FitResults:
    r"""Sample the posterior of a model of the observed allocations.

    Parameters
    ----------
    data : AllocationData
    model : {"structural", "hierarchical", "conditional_logit"}
        The pooled structural model, its hierarchical variant (non-centred
        group effects) or a reduced-form conditional logit of one ``role``.
    sampler : {"auto", "pymc", "nutpie", "nutpie-jax", "nutpie-numba"}
        ``auto`` = nutpie on JAX when nutpie and jax are installed, else pymc.
    chains, draws, tune : int
    seed : int or numpy Generator
        Same seed, same draws (for a given sampler).
    priors : mapping, optional
        Prior overrides (see :mod:`estimation.models.priors`).
    role : str, optional
        For ``conditional_logit``: which role's choices.
    group : {"network", "region"}
        For ``hierarchical``: what the groups are.
    veto : bool
        For the structural models: False fixes the bloc's aversion ``delta`` at 0
        (the nested model without the veto, to compare with :func:`compare`).
    fixed : mapping, optional
        For the structural models: scalar estimands held at given values
        (default :data:`~gametheory.restratification.spec.DEFAULT_FIXED`, the
        committee's patience at 0.9; a value ``None`` frees one:
        ``{"patience": None}`` estimates it too).
    cores : int, optional
        Chains run at once (default :func:`default_cores`: all of them on nutpie,
        ``min(chains, CPUs)`` on pymc).
    progressbar : bool, optional
        Default: shown when standard error is a terminal.
    target_accept : float
    likelihood : {"auto", "graph", "jax"}
        For the structural models: how the likelihood enters the pymc model
        (:func:`~estimation.models.structural_model`). ``auto`` (the default):
        ``"jax"``, one Op compiled and differentiated by JAX, when the sampler runs
        on JAX (nutpie-jax), ``"graph"`` otherwise (:func:`choose_likelihood`). The
        posterior is the same; the results' pointwise log-likelihood and
        predictive checks use the graph model either way.
    mass_matrix : {"diag", "low_rank", "laplace"}
        NUTS's metric, adapted during tuning. ``"diag"`` (the default): a diagonal
        mass matrix from the draws' variances (both samplers). ``"low_rank"``
        (nutpie only): nutpie's diagonal plus low-rank correction from the draws
        and the gradients (Seyboldt 2024), which follows the correlated directions of
        the structural posterior (the vote's scale ``kappa`` against the utilities'
        coefficients) with fewer leapfrog steps per draw; worth it when a
        gradient is expensive (``benchmarks/RESULTS_estimation.md``). ``"laplace"``
        (nutpie only): NUTS in the coordinates of the posterior's Laplace
        approximation (:mod:`estimation.laplace`), i.e. the dense mass matrix
        :math:`H^{-1}` of the negative Hessian at the mode, with nutpie's diagonal
        adapted on top; chains start from draws of the approximation. It costs an
        optimisation and a Hessian (about ``5 d`` evaluations for ``d`` unconstrained
        parameters) and saves most of the long trajectories of early tuning when the
        posterior is nearly Gaussian (many regions). ``timing["laplace"]`` records its
        seconds; the attributes ``laplace_*`` of ``idata.sample_stats`` the log density
        at the mode, the Hessian's condition number, the floored eigenvalues, the
        optimiser's convergence and the evaluations.

    Returns
    -------
    FitResults

    Examples
    --------
    >>> import estimation as est
    >>> res = est.fit(est.simulate(n_regions=20, seed=4), sampler="pymc", chains=2,
    ...               draws=100, tune=100, seed=3)  # doctest: +SKIP
    >>> res.sampler  # doctest: +SKIP
    'pymc'
    """
    if not isinstance(data, AllocationData):
        raise InvalidTypeError("data", type(data).__name__, "not AllocationData",
                              "Give an AllocationData (estimation.AllocationData or simulate())")
    chains = _positive_int("chains", chains)
    draws = _positive_int("draws", draws)
    tune = _positive_int("tune", tune, 0)
    if not (isinstance(target_accept, float | int) and 0 < target_accept < 1):
        raise EstimationError("target_accept", target_accept, "not in (0, 1)",
                              "Give e.g. target_accept=0.9")
    name, backend = _choose_sampler(sampler)
    if mass_matrix not in MASS_MATRICES:
        raise EstimationError("mass_matrix", mass_matrix, "unknown mass matrix",
                              "Use one of " + ", ".join(map(repr, MASS_MATRICES)))
    if mass_matrix in NUTPIE_MASS_MATRICES and name != "nutpie":
        raise EstimationError("mass_matrix", mass_matrix, f"not available with the {name} "
                              "sampler", "Use sampler='nutpie' (or 'auto' with the fast "
                              "extra), or mass_matrix='diag'")
    lik = choose_likelihood(model, backend, likelihood)
    seed_i = _seed_int(seed)
    pr = resolve_priors(priors)
    source: StructuralArrays | ChoiceSets
    if model not in IMPUTING_MODELS:
        data.require_complete(f"fit(model={model!r})")
    if model == "conditional_logit" and data.sampled and (role or "configuration") == \
            "configuration":
        raise EstimationError("data", data, "has sampled configurations (winner-only data); "
                              "the Bayesian conditional logit takes no correction offset",
                              "Fit the structural model, or fit_mle(data) (which applies "
                              "McFadden's correction)")
    if model == "conditional_logit":
        source = data.choice_sets(role or "configuration")
    else:
        source = data.arrays()
    t0 = time.perf_counter()
    pm_model = build_model(model, source, pr, role=role, group=group, veto=bool(veto),
                           fixed=fixed, likelihood=lik)
    t_build = time.perf_counter() - t0
    cores = cores or default_cores(name, chains)
    if progressbar is None:
        progressbar = bool(getattr(sys.stderr, "isatty", lambda: False)())
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*BLAS.*")
        idata, timing = sample_model(pm_model, name, backend, chains=chains, draws=draws,
                                     tune=tune, seed=seed_i, cores=cores,
                                     progressbar=progressbar, target_accept=target_accept,
                                     mass_matrix=mass_matrix)
    timing["build"] = t_build
    timing["total"] = time.perf_counter() - t0
    source = _fill_imputed(source, idata)
    settings = {"model": model, "sampler": name, "backend": backend, "chains": chains,
                "draws": draws, "tune": tune, "seed": seed_i, "role": role, "group": group,
                "target_accept": target_accept, "n_regions": data.n_regions,
                "veto": bool(veto), "likelihood": lik, "mass_matrix": mass_matrix}
    if model != "conditional_logit":
        from .models.structural import fixed_estimands

        settings["fixed"] = fixed_estimands(fixed, bool(veto))
    res = FitResults(idata, settings=settings, source=source, priors=pr, timing=timing,
                     truth=getattr(data, "truth", None))
    # the results' log-likelihood and predictive draws need the observed variables of
    # the graph model (built on demand by FitResults.model)
    res._model_cache = pm_model if lik == "graph" else None
    return res


# -------------------------------------------------------------- results
class FitResults:
    """The posterior of one fit, with diagnostics, checks, predictions and IO.

    Attributes
    ----------
    idata : arviz.InferenceData
    settings : dict
        Model, sampler (and backend), chains, draws, tune, seed...
    model_name, sampler : str
    timing : dict
        Seconds spent building, compiling and sampling.
    truth : dict or None
        True parameter values when the data were simulated.
    """

    def __init__(self, idata: Any, *, settings: Mapping[str, Any],
                 source: StructuralArrays | ChoiceSets, priors: Mapping[str, Prior],
                 timing: Mapping[str, float] | None = None,
                 truth: Mapping[str, float] | None = None) -> None:
        self.idata = idata
        self.settings = dict(settings)
        self.source = source
        self.priors = dict(priors)
        self.timing = dict(timing or {})
        self.truth = dict(truth) if truth else None
        self._model_cache: Any = None

    @property
    def model_name(self) -> str:
        return str(self.settings["model"])

    def _estimands(self) -> list[str]:
        """The model's reported parameters that are free in this fit."""
        return [v for v in ESTIMANDS[self.model_name] if v in self.idata.posterior]

    @property
    def sampler(self) -> str:
        b = self.settings.get("backend")
        return str(self.settings["sampler"]) + (f"-{b}" if b else "")

    def __repr__(self) -> str:
        post = self.idata.posterior
        return (f"FitResults(model={self.model_name!r}, sampler={self.sampler!r}, "
                f"chains={post.sizes['chain']}, draws={post.sizes['draw']})")

    def model(self) -> Any:
        """The pymc model with observed variables (rebuilt from the stored data after
        :meth:`load`; for a fit sampled with ``likelihood="jax"`` its ``"graph"`` twin,
        the same posterior, for pointwise log-likelihoods and predictive draws)."""
        if self._model_cache is None:
            self._model_cache = build_model(self.model_name, self.source, self.priors,
                                            role=self.settings.get("role"),
                                            group=self.settings.get("group", "network"),
                                            veto=bool(self.settings.get("veto", True)),
                                            fixed=self.settings.get("fixed"))
        return self._model_cache

    # ---------------------------------------------------------- summary
    def diagnostics(self) -> dict[str, float]:
        """Worst R-hat, smallest bulk/tail ESS, number of divergences, draws."""
        import arviz as az

        vn = self._estimands()
        rhat = az.rhat(self.idata, var_names=vn)
        ess_b = az.ess(self.idata, var_names=vn, method="bulk")
        ess_t = az.ess(self.idata, var_names=vn, method="tail")

        def agg(ds: Any, f: Any) -> float:
            vals = [np.asarray(ds[v]).ravel() for v in ds.data_vars]
            arr = np.concatenate(vals) if vals else np.array([np.nan])
            return float(f(arr))

        div = self.idata.sample_stats.get("diverging")
        post = self.idata.posterior
        return {"max_r_hat": agg(rhat, np.nanmax), "min_ess_bulk": agg(ess_b, np.nanmin),
                "min_ess_tail": agg(ess_t, np.nanmin),
                "divergences": int(np.asarray(div).sum()) if div is not None else 0,
                "chains": int(post.sizes["chain"]), "draws": int(post.sizes["draw"])}

    def problems(self) -> list[str]:
        """Convergence problems (empty when R-hat, ESS and divergences are fine)."""
        d = self.diagnostics()
        out = []
        if d["chains"] > 1 and not d["max_r_hat"] <= 1.01:
            out.append(f"R-hat up to {d['max_r_hat']:.3f} (> 1.01)")
        need = 100 * d["chains"]
        if d["min_ess_bulk"] < need or d["min_ess_tail"] < need:
            out.append(f"ESS as low as {min(d['min_ess_bulk'], d['min_ess_tail']):.0f} "
                       f"(< {need} = 100 per chain)")
        if d["divergences"]:
            out.append(f"{d['divergences']} divergent transitions")
        return out

    def summary(self, var_names: Sequence[str] | None = None, prob: float = 0.95,
                warn: bool = True) -> pd.DataFrame:
        """Posterior mean, sd, central ``prob`` interval, bulk/tail ESS and R-hat.

        Warns with :class:`~estimation.errors.SamplingWarning` when R-hat > 1.01,
        ESS < 100 per chain or any transition diverged. ``df.attrs`` holds
        :meth:`diagnostics`.
        """
        import arviz as az

        vn = list(var_names or self._estimands())
        post = self.idata.posterior[vn]
        lo, hi = (1 - prob) / 2, 1 - (1 - prob) / 2
        q = post.quantile([lo, hi], dim=("chain", "draw"))
        mean = post.mean(dim=("chain", "draw"))
        sd = post.std(dim=("chain", "draw"))
        ess_b = az.ess(post, method="bulk")
        ess_t = az.ess(post, method="tail")
        rhat = az.rhat(post)
        rows, labels = [], []
        for var in vn:
            da = mean[var]
            for lab, sel in _labels(var, da):
                labels.append(lab)
                rows.append({"mean": float(da.sel(sel)), "sd": float(sd[var].sel(sel)),
                             f"q{100 * lo:g}": float(q[var].sel(sel).isel(quantile=0)),
                             f"q{100 * hi:g}": float(q[var].sel(sel).isel(quantile=1)),
                             "ess_bulk": float(ess_b[var].sel(sel)),
                             "ess_tail": float(ess_t[var].sel(sel)),
                             "r_hat": float(rhat[var].sel(sel))})
        out = pd.DataFrame(rows, index=pd.Index(labels, name="parameter"))
        out.attrs["diagnostics"] = self.diagnostics()
        if warn:
            probs = self.problems()
            if probs:
                warnings.warn(f"{self.model_name} fit ({self.sampler}): " + "; ".join(probs)
                              + ". Run more draws/tune, raise target_accept or check the model.",
                              SamplingWarning, stacklevel=2)
        return out

    def identification(self, n_prior: int = 4000, seed: int = 0) -> pd.DataFrame:
        """Weak identification and separation in this posterior, by parameter and cause.

        Compares each reported parameter's posterior with its prior (variance
        ratio, distance from the prior's centre) and flags posterior correlations
        beyond 0.95 (:func:`estimation.identification.diagnose_posterior`), and
        names the parameters the fit held fixed (the committee's patience by
        default), with the reason. An empty table: nothing found.
        """
        from .identification import _cause, diagnose_posterior

        post = self.idata.posterior.stack(sample=("chain", "draw"))
        rng = np.random.default_rng(seed)
        draws: dict[str, np.ndarray] = {}
        sd: dict[str, float] = {}
        mean: dict[str, float] = {}
        for var in self._estimands():
            if var not in self.priors:
                continue
            da = post[var]
            prior = self.priors[var].draw(n_prior, rng)
            for lab, sel in _labels(var, da.isel(sample=0, drop=True)):
                draws[lab] = np.asarray(da.sel(sel)).ravel()
                sd[lab] = float(prior.std())
                mean[lab] = float(np.median(prior)) if self.priors[var].dist in (
                    "HalfNormal", "LogNormal") else float(prior.mean())
        out = diagnose_posterior(draws, sd, mean)
        held = [{"parameter": k, "issue": "held fixed", "detail": f"at {v:g}",
                 "cause": _cause(k, "not estimated: held at the given value")}
                for k, v in (self.settings.get("fixed") or {}).items()]
        return pd.concat([out, pd.DataFrame(held, columns=out.columns)],
                         ignore_index=True) if held else out

    def recovery(self, truth: Mapping[str, float] | None = None, prob: float = 0.95
                 ) -> pd.DataFrame:
        """True values beside posterior means and ``prob`` intervals, with coverage.

        Parameters
        ----------
        truth : mapping, optional
            Labels like ``"theta[centre_super]"``; default the simulated truth.
        """
        truth = dict(truth or self.truth or {})
        if not truth:
            raise EstimationError("truth", truth, "no true values known",
                                  "Give truth=... (these data were not simulated)")
        vn = sorted({_parse_label(k)[0] for k in truth} & set(self.idata.posterior.data_vars))
        s = self.summary(var_names=vn, prob=prob, warn=False)
        s = s[s.index.isin(list(truth))]
        lo, hi = s.columns[2], s.columns[3]
        out = pd.DataFrame({"truth": [truth[k] for k in s.index], "mean": s["mean"],
                            "lower": s[lo], "upper": s[hi]}, index=s.index)
        out["covered"] = (out["truth"] >= out["lower"]) & (out["truth"] <= out["upper"])
        out["r_hat"] = s["r_hat"]
        return out

    # ---------------------------------------------------- log likelihood
    def log_likelihood(self) -> Any:
        """Pointwise log-likelihood per observation (computed once, stored in ``idata``)."""
        import pymc as pm

        if "log_likelihood" not in self.idata.groups():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ll = pm.compute_log_likelihood(self.idata, model=self.model(),
                                               extend_inferencedata=False, progressbar=False)
            self.idata.add_groups({"log_likelihood": getattr(ll, "log_likelihood", ll)})
        return self.idata.log_likelihood

    def region_log_likelihood(self) -> Any:
        """Log-likelihood per region (configuration + its appointments + concessions)."""
        import xarray as xr

        ll = self.log_likelihood()
        src = self.source
        if isinstance(src, ChoiceSets):
            return ll["choice"].rename({"situation": "unit"})
        G = src.n_regions
        tot = np.asarray(ll["configuration"]).copy()
        for part in ("appointment", "concessions"):
            if part in ll:
                v = np.asarray(ll[part])
                tot += v.reshape(*v.shape[:3], -1).sum(axis=-1)     # (chain, draw, region)
        return xr.DataArray(tot, dims=("chain", "draw", "unit"),
                            coords={"unit": np.arange(G)})

    def loo(self) -> Any:
        """PSIS-LOO over regions (choice situations for a conditional logit)."""
        import arviz as az

        return az.loo(self._loo_idata(), var_name="unit_loglik")

    def _loo_idata(self) -> Any:
        import arviz as az
        import xarray as xr

        ll = self.region_log_likelihood()
        return az.InferenceData(posterior=self.idata.posterior,
                                log_likelihood=xr.Dataset({"unit_loglik": ll}))

    # ------------------------------------------------------------ PPC
    def ppc(self, n_draws: int = 200, seed: int | np.random.Generator | None = 0
            ) -> pd.DataFrame:
        """Posterior predictive checks of the observed allocations.

        Replicates the observed outcomes at ``n_draws`` posterior draws and
        compares statistics: for every choice, the mean of each covariate of
        the chosen alternative; for concessions, the mean count, its sd and its
        covariance with loss. Columns: observed, predictive mean, 95%
        predictive interval and the posterior predictive p-value
        :math:`P(T(y^{rep}) \\ge T(y))` (Gelman, Meng and Stern 1996).
        """
        return _check_table(self._replicates(n_draws, seed, prior=False), self.source)

    def _replicates(self, n_draws: int, seed: Any, prior: bool) -> dict[str, np.ndarray]:
        import pymc as pm

        rng = np.random.default_rng(_seed_int(seed))
        post = self.idata.posterior
        n_tot = post.sizes["chain"] * post.sizes["draw"]
        take = rng.choice(n_tot, size=min(n_draws, n_tot), replace=False)
        stacked = post.stack(sample=("chain", "draw")).isel(sample=np.sort(take))
        thin = stacked.drop_vars(["sample", "chain", "draw"]).expand_dims(chain=[0])
        thin = thin.rename({"sample": "draw"})
        import arviz as az

        small = az.InferenceData(posterior=thin)
        model = self.model()
        obs = [v.name for v in model.observed_RVs]
        with model, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pp = pm.sample_posterior_predictive(small, var_names=obs, progressbar=False,
                                                random_seed=int(rng.integers(2**31 - 1)),
                                                return_inferencedata=True)
        return {v: np.asarray(pp.posterior_predictive[v])[0] for v in obs}

    # ----------------------------------------------------------- plots
    def plot(self, var_names: Sequence[str] | None = None, kind: str = "forest", *,
             ax: Any = None) -> Any:
        """Parameter plot: ``forest`` (intervals, truth marked if known), ``trace`` or
        ``posterior``. Returns the matplotlib Figure.

        Draws on *ax* (a matplotlib Axes for ``forest`` and ``posterior``, an array of
        Axes for ``trace``, as arviz takes them) when given; otherwise on a new
        :class:`matplotlib.figure.Figure`. The user's pyplot state and backend are
        left untouched.
        """
        import arviz as az

        vn = list(var_names or self._estimands())
        if kind == "forest":
            from matplotlib.figure import Figure

            s = self.summary(var_names=vn, warn=False)
            if ax is None:
                ax = Figure(figsize=(6, 0.35 * len(s) + 1.2)).subplots()
            y = np.arange(len(s))[::-1]
            ax.hlines(y, s.iloc[:, 2], s.iloc[:, 3], color="C0")
            ax.plot(s["mean"], y, "o", color="C0", label="posterior mean, 95% interval")
            if self.truth:
                tv = [self.truth.get(k, np.nan) for k in s.index]
                ax.plot(tv, y, "x", color="C3", label="truth")
            ax.set_yticks(y, list(s.index), fontsize=8)
            ax.axvline(0, color="grey", lw=0.5)
            ax.legend(fontsize=8)
            ax.set_title(f"{self.model_name} ({self.sampler})")
            ax.figure.tight_layout()
            return ax.figure
        if kind == "trace":
            axes = az.plot_trace(self.idata, var_names=vn, axes=ax)
        elif kind == "posterior":
            axes = az.plot_posterior(self.idata, var_names=vn, ax=ax)
        else:
            raise EstimationError("kind", kind, "unknown plot kind",
                                  "Use 'forest', 'trace' or 'posterior'")
        return np.asarray(axes).ravel()[0].figure

    # ----------------------------------------------------------- IO
    def save(self, path: str | Path) -> Path:
        """Write everything (posterior, settings, priors, data arrays) to one NetCDF file.

        Written to a temporary file beside *path* and renamed, so an
        interrupted save never leaves a half-written file.
        """
        import arviz as az

        from gametheory.fileio import check_output_target

        p = check_output_target(path, name="path", kind="file", overwrite=True)
        p.parent.mkdir(parents=True, exist_ok=True)
        groups = {g: getattr(self.idata, g) for g in self.idata.groups()}
        groups.pop("constant_data", None)
        meta = {"settings": self.settings, "timing": self.timing, "truth": self.truth,
                "priors": {k: [v.dist, dict(v.params)] for k, v in self.priors.items()},
                "source_kind": type(self.source).__name__, "format": 1}
        groups["constant_data"] = _source_to_dataset(self.source)
        idata = az.InferenceData(**groups)
        idata.posterior.attrs["restrat_fit"] = json.dumps(meta, default=str)
        # provenance as plain NetCDF attributes, readable without restrat
        # (xarray.open_dataset(path, group="posterior").attrs)
        import hashlib

        from gametheory.provenance import provenance

        digest = hashlib.sha256()
        for name, var in sorted(groups["constant_data"].data_vars.items()):
            digest.update(str(name).encode() + np.ascontiguousarray(var.values).tobytes())
        rec = provenance(parameters=self.settings, seed=self.settings.get("seed"),
                         scenario_name=type(self.source).__name__,
                         data_hash=digest.hexdigest()[:16])
        idata.posterior.attrs.update({f"restrat_{k}": json.dumps(v, default=str)
                                      if isinstance(v, dict | list) else
                                      ("" if v is None else v) for k, v in rec.items()})
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".nc", dir=p.parent)
        os.close(fd)
        try:
            idata.to_netcdf(tmp, engine="h5netcdf")
            os.replace(tmp, p)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return p

    @classmethod
    def load(cls, path: str | Path, *, max_bytes: int = MAX_FIT_FILE_BYTES,
             max_data_bytes: int = MAX_FIT_DATA_BYTES) -> FitResults:
        """Read a file written by :meth:`save`, within bounds and with its contents checked.

        The file must be a NetCDF-4 (HDF5) file of at most *max_bytes*; the
        arrays it declares must hold at most *max_data_bytes* once
        decompressed (checked from the file's headers, before anything is
        decompressed); its metadata must be a restrat fit's (known format,
        model settings, priors naming only :data:`~estimation.models.priors.ALLOWED_DISTS`
        with numeric parameters, the data arrays the model needs). A missing,
        truncated, damaged or foreign file raises :class:`EstimationError`.
        """
        import arviz as az

        p = Path(path)
        fix = "Give a file written by FitResults.save (restrat fit --out)"
        try:
            st = os.stat(p)
        except OSError as exc:
            raise EstimationError("path", str(p), "no such file" if isinstance(
                exc, FileNotFoundError) else f"cannot be read ({exc.strerror})", fix) from None
        import stat as _stat

        if not _stat.S_ISREG(st.st_mode):
            raise EstimationError("path", str(p), "is not a regular file", fix)
        if st.st_size > max_bytes:
            raise EstimationError("path", str(p), f"is {st.st_size:,} bytes, over the limit of "
                                  f"{max_bytes:,}", "Pass max_bytes= to read a larger fit")
        try:
            with open(p, "rb") as fh:
                head = fh.read(8)
        except OSError as exc:
            raise EstimationError("path", str(p), f"cannot be read ({exc.strerror})",
                                  fix) from None
        if head != b"\x89HDF\r\n\x1a\n":
            raise EstimationError("path", str(p), "is not a NetCDF-4 file", fix)
        total = _declared_bytes(p)
        if total > max_data_bytes:
            raise EstimationError("path", str(p), f"declares {total:,} bytes of arrays once "
                                  f"decompressed, over the limit of {max_data_bytes:,}",
                                  "Pass max_data_bytes= to read a larger fit you trust")
        try:
            idata = az.from_netcdf(p, engine="h5netcdf")
            idata.load() if hasattr(idata, "load") else None
        except Exception as exc:  # h5py/xarray raise many kinds on a damaged file
            raise EstimationError("path", str(p), f"cannot be read as a fit (truncated or "
                                  f"damaged: {type(exc).__name__})", fix) from None
        meta = _fit_metadata(idata, p)
        try:
            source = _fill_imputed(_source_from_dataset(idata.constant_data,
                                                        meta["source_kind"]), idata)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise EstimationError("path", str(p), f"lacks the model's data arrays ({exc})",
                                  fix) from None
        priors = {k: Prior(d, prm) for k, (d, prm) in meta["priors"].items()}
        groups = {g: getattr(idata, g) for g in idata.groups() if g != "constant_data"}
        idata2 = az.InferenceData(**groups)
        return cls(idata2, settings=meta["settings"], source=source, priors=priors,
                   timing=meta.get("timing"), truth=meta.get("truth"))

    # ------------------------------------------------------- predict
    def predict(self, region: Any, n_draws: int = 500,
                seed: int | np.random.Generator | None = 0, prob: float = 0.95,
                params: Any = None) -> Prediction:
        """Posterior predictive probabilities for a new or counterfactual region.

        Parameters
        ----------
        region : Region or str
            A :class:`~gametheory.restratification.Region`, a built-in scenario
            name or a scenario file (e.g. the case region with a weaker bloc).
        n_draws : int
            Posterior draws used.
        params : ModelParameters, optional
            Fixed settings (``tier_concentration``) for the region's concentration
            (default: the model's defaults).

        Returns
        -------
        Prediction
            ``configurations``: pass probability and choice probability of every
            (host, centre) under the proposal-and-vote model (the same
            :mod:`~gametheory.restratification.spec` functions as ``restrat run``),
            with a ``prob`` credible interval; ``appointments``: probability that each
            candidate becomes network / centre director (integrating over the
            configuration); ``concessions``: for each organisation and kind of
            role, the probability that it sits on the concession committee, its
            expected roles (the committee's bargaining equilibrium averaged over
            the configuration, with a credible interval) and a 90% predictive
            interval of the count.
            Hierarchical fits predict at the population means (group effects 0).
        """
        from gametheory.restratification import ModelParameters, scenarios

        if self.model_name not in ("structural", "hierarchical", "naive"):
            raise EstimationError("model", self.model_name,
                                  "prediction needs a structural model",
                                  "Fit model='structural' or 'hierarchical'")
        if isinstance(region, str | Path):
            region = scenarios.load(str(region))
        fixed = params or ModelParameters()
        design = spec.compile_design(spec.region_frames(
            [region], tier_concentration=fixed.tier_concentration), fixed)
        rng = np.random.default_rng(_seed_int(seed))
        post = self.idata.posterior.stack(sample=("chain", "draw"))
        n = post.sizes["sample"]
        idx = np.sort(rng.choice(n, size=min(n_draws, n), replace=False))
        N = len(idx)
        draws = {}
        held = self.settings.get("fixed")
        if held is None:                     # fits saved before the setting was recorded
            held = {**spec.DEFAULT_FIXED, **({} if self.settings.get("veto", True)
                                             else {"delta": 0.0})}
        for name in spec.ESTIMANDS:
            if name in post:
                draws[name] = np.asarray(post[name].isel(sample=idx)).T       # (N, ...)
            else:                                                            # held fixed
                draws[name] = np.full(N, float(held.get(name, 0.0)))
        par = spec.parameters_from_draws(draws)
        prs = spec.probabilities(par, design)
        C = int(design.cfg_mask[0].sum())
        pc = prs.choice[:, 0, :C]                                           # (N, C)
        pp = prs.pass_probability[:, 0, :C]
        lo, hi = (1 - prob) / 2, 1 - (1 - prob) / 2
        cfg_rows = []
        for j, (h, m) in enumerate(design.configurations(0)):
            cfg_rows.append({"host": h, "centre": m,
                             "concentration": design.cfg_k[0, j],
                             "pass_probability": pp[:, j].mean(),
                             "probability": pc[:, j].mean(),
                             "lower": np.quantile(pc[:, j], lo),
                             "upper": np.quantile(pc[:, j], hi)})
        orgs = [str(x) for x in design.org_names[0] if x]
        app_rows = []
        for role, col in (("network_director", design.cfg_host[0, :C]),
                          ("centre_director", design.cfg_centre[0, :C])):
            for o in sorted(set(col.tolist())):
                p_org = pc[:, col == o].sum(axis=1)                         # (N,)
                mask = design.cand_mask[0, o]
                la = spec.appointment_logits(par, design.cand_z[0, o][mask], mask[mask])[:, 0]
                pd_ = np.exp(la - la.max(axis=1, keepdims=True))
                pd_ /= pd_.sum(axis=1, keepdims=True)
                for k, name in enumerate(design.cand_names[0, o][mask]):
                    pk = p_org * pd_[:, k]
                    app_rows.append({"role": role, "organisation": orgs[o], "doctor": name,
                                     "probability": pk.mean(), "lower": np.quantile(pk, lo),
                                     "upper": np.quantile(pk, hi)})
        cm = design.committee
        pk = spec.concession_probabilities(par, design)[:, 0, :C]           # (N, C, K, M)
        ex = (cm.pool_count[0, :C, :, None] * pk)[..., 1:len(orgs) + 1]     # (N, C, K, O)
        expect = np.einsum("nc,ncko->nko", pc, ex)
        on = cm.member[0, :C, 1:len(orgs) + 1].astype(float)                # (C, O)
        p_on = np.einsum("nc,co->no", pc, on)
        cfg_draw = np.array([rng.choice(C, p=p / p.sum()) for p in pc])
        rows_n = np.arange(N)
        counts = draw_packages(rng, pk[rows_n, cfg_draw],
                               cm.pool_count[0, cfg_draw])[..., 1:len(orgs) + 1]
        con_rows = []
        for i, o in enumerate(orgs):
            for k, kind in enumerate(ROLE_KINDS):
                con_rows.append({"organisation": o, "kind": kind,
                                 "p_on_committee": p_on[:, i].mean(),
                                 "expected_roles": expect[:, k, i].mean(),
                                 "lower": np.quantile(expect[:, k, i], lo),
                                 "upper": np.quantile(expect[:, k, i], hi),
                                 "predictive_5%": np.quantile(counts[:, k, i], 0.05),
                                 "predictive_95%": np.quantile(counts[:, k, i], 0.95)})
        return Prediction(region.name, pd.DataFrame(cfg_rows), pd.DataFrame(app_rows),
                          pd.DataFrame(con_rows), N)


class Prediction:
    """Posterior predictive probabilities for one region (see :meth:`FitResults.predict`)."""

    def __init__(self, region: str, configurations: pd.DataFrame, appointments: pd.DataFrame,
                 concessions: pd.DataFrame, n_draws: int) -> None:
        self.region = region
        self.configurations = configurations
        self.appointments = appointments
        self.concessions = concessions
        self.n_draws = n_draws

    def __repr__(self) -> str:
        best = self.configurations.sort_values("probability", ascending=False).iloc[0]
        return (f"Prediction({self.region!r}: most likely host={best['host']!r}, "
                f"centre={best['centre']!r} p={best['probability']:.2f})")

    def report(self) -> str:
        """The three tables as text."""
        f = "{:.3f}".format
        return "\n\n".join([
            f"Posterior predictive for {self.region} ({self.n_draws} draws)",
            "Configurations\n" + self.configurations.to_string(index=False, float_format=f),
            "Appointments\n" + self.appointments.to_string(index=False, float_format=f),
            "Concessions\n" + self.concessions.to_string(index=False, float_format=f)])


# ------------------------------------------------------------ helpers
def _declared_bytes(p: Path) -> int:
    """Bytes the arrays of an HDF5 file hold once decompressed (from headers only)."""
    import h5py

    total = 0

    def add(name: str, obj: Any) -> None:
        nonlocal total
        if isinstance(obj, h5py.Dataset):
            size = int(np.prod(obj.shape, dtype=object)) if obj.shape else 1
            total += size * max(int(obj.dtype.itemsize), 1)

    try:
        with h5py.File(p, "r") as f:
            f.visititems(add)
    except Exception as exc:  # truncated or not HDF5
        raise EstimationError("path", str(p), f"cannot be read (truncated or damaged: "
                              f"{type(exc).__name__})", "Give a file written by "
                              "FitResults.save (restrat fit --out)") from None
    return total


def _fit_metadata(idata: Any, p: Path) -> dict[str, Any]:
    """The checked ``restrat_fit`` metadata of a saved fit."""
    fix = "Give a file written by FitResults.save (restrat fit --out)"
    try:
        raw = idata.posterior.attrs["restrat_fit"]
    except (AttributeError, KeyError):
        raise EstimationError("path", str(p), "not a restrat fit (no metadata)", fix) from None
    try:
        meta = json.loads(raw) if isinstance(raw, str) else None
    except (json.JSONDecodeError, RecursionError):
        meta = None
    ok = (isinstance(meta, dict) and meta.get("format") == 1
          and isinstance(meta.get("settings"), dict) and "model" in meta["settings"]
          and "sampler" in meta["settings"]
          and meta.get("source_kind") in ("StructuralArrays", "ChoiceSets")
          and isinstance(meta.get("priors"), dict)
          and all(isinstance(v, list) and len(v) == 2 for v in meta["priors"].values())
          and isinstance(meta.get("timing") or {}, dict)
          and isinstance(meta.get("truth") or {}, dict))
    if not ok:
        raise EstimationError("path", str(p), "has malformed restrat metadata", fix)
    assert isinstance(meta, dict)
    return meta


def _parse_label(label: str) -> tuple[str, str]:
    """``"theta[centre_super]"`` -> ``("theta", "centre_super")``."""
    if "[" not in label:
        return label, ""
    return label.split("[", 1)[0], label.split("[", 1)[1][:-1]


def _labels(var: str, da: Any) -> list[tuple[str, dict[str, Any]]]:
    """arviz-style labels and selections of every element of a posterior summary array."""
    import itertools

    dims = list(da.dims)
    if not dims:
        return [(var, {})]
    vals = [list(da.coords[d].values) for d in dims]
    out = []
    for combo in itertools.product(*vals):
        out.append((f"{var}[{', '.join(str(c) for c in combo)}]", dict(zip(dims, combo,
                                                                         strict=True))))
    return out


def _source_to_dataset(src: StructuralArrays | ChoiceSets) -> Any:
    """The data a fit was made from, as one xarray Dataset (to save in the NetCDF file).

    Structural fits store their validated tables (rebuilt into arrays on load);
    conditional-logit fits their choice-set arrays.
    """
    import xarray as xr

    dv: dict[str, Any] = {}
    if isinstance(src, StructuralArrays):
        for name, df in src.frames.items():
            for col in df.columns:
                v = df[col].to_numpy()
                if v.dtype == object:
                    v = v.astype(str)
                if v.dtype == bool:
                    v = v.astype(np.int8)
                    key = f"{name}__{col}__bool"
                else:
                    key = f"{name}__{col}"
                dv[key] = ((f"{name}_row",), v)
        return xr.Dataset(dv)
    for f in fields(src):
        v = getattr(src, f.name)
        if isinstance(v, tuple):
            v = np.asarray(v, dtype=str)
        else:
            v = np.asarray(v)
        if v.dtype == object:
            v = v.astype(str)
        if v.dtype == bool:
            v = v.astype(np.int8)
            f_name = f"{f.name}__bool"
        else:
            f_name = f.name
        dv[f_name] = (tuple(f"{f.name}_d{i}" for i in range(v.ndim)), v)
    return xr.Dataset(dv)


def _source_from_dataset(ds: Any, kind: str) -> StructuralArrays | ChoiceSets:
    if kind == "StructuralArrays":
        cols: dict[str, dict[str, Any]] = {}
        for key in ds.data_vars:
            parts = str(key).split("__")
            v = np.asarray(ds[key])
            if len(parts) == 3:
                v = v.astype(bool)
            elif v.dtype.kind in ("U", "S", "O"):
                v = v.astype(str).astype(object)
            cols.setdefault(parts[0], {})[parts[1]] = v
        frames = {name: pd.DataFrame(c) for name, c in cols.items()}
        # the tables were validated when fitted; missing covariates were imputed
        return AllocationData.from_frame(frames, missing_covariates=True).arrays()
    kw: dict[str, Any] = {}
    for f in fields(ChoiceSets):
        if f"{f.name}__bool" in ds:
            kw[f.name] = np.asarray(ds[f"{f.name}__bool"]).astype(bool)
            continue
        v = np.asarray(ds[f.name])
        if v.dtype.kind in ("U", "S", "O"):
            v = v.astype(str).astype(object)
        if f.name == "names":
            kw[f.name] = tuple(str(x) for x in v)
        elif f.name == "role":
            kw[f.name] = str(v)
        else:
            kw[f.name] = v
    return ChoiceSets(**kw)


def _check_table(reps: Mapping[str, np.ndarray], src: StructuralArrays | ChoiceSets
                 ) -> pd.DataFrame:
    """Statistics of observed vs replicated outcomes (replicates: (n, units))."""
    rows = []

    def add(stat: str, obs: float, rep: np.ndarray) -> None:
        rep = np.asarray(rep, float)
        rows.append({"statistic": stat, "observed": obs, "predictive_mean": rep.mean(),
                     "lower": np.quantile(rep, 0.025), "upper": np.quantile(rep, 0.975),
                     "p_value": float(np.mean(rep >= obs))})

    def choice(name: str, x: np.ndarray, chosen: np.ndarray, rep: np.ndarray,
               names: Sequence[str]) -> None:
        s = np.arange(len(chosen))
        obs = x[s, chosen]                            # (S, K)
        rx = x[s[None, :], rep.astype(int)]            # (n, S, K)
        for k, nm in enumerate(names):
            add(f"{name}: mean {nm} of chosen", float(obs[:, k].mean()), rx[..., k].mean(1))

    if isinstance(src, ChoiceSets):
        choice(src.role, src.x, src.chosen, reps["choice"], src.names)
    else:
        d, o = src.design, src.obs
        x = np.concatenate([d.cfg_x, d.cfg_k[..., None]], axis=2)
        choice("configuration", x, o.cfg_chosen, reps["configuration"],
               (*spec.CONFIG_FEATURES, "concentration"))
        if "appointment" in reps:
            sit = spec.observed_situations(d, o)
            rep = reps["appointment"][:, sit["region"], sit["role"]]
            choice("appointment", sit["z"], sit["chosen"], rep, spec.APPOINTMENT_FEATURES)
        if "concessions" in reps:
            con = spec.observed_concessions(d, o)
            y, L = con["count"], con["loss"]
            r = reps["concessions"][:, con["region"], con["kind"], con["org"]]
            for k, kind in enumerate(ROLE_KINDS):
                sel = con["kind"] == k
                if sel.any():
                    add(f"concessions: mean {kind} roles", float(y[sel].mean()),
                        r[:, sel].mean(1))
            add("concessions: sd of count", float(y.std()), r.std(1))
            add("concessions: cov(count, loss)", float(np.cov(y, L)[0, 1]),
                np.array([np.cov(ri, L)[0, 1] for ri in r]))
    return pd.DataFrame(rows).set_index("statistic")


def prior_predictive_check(data: AllocationData, model: str = "structural", *,
                           draws: int = 200, seed: int | np.random.Generator | None = 0,
                           priors: Mapping[str, Any] | None = None, role: str | None = None,
                           group: str = "network", veto: bool = True,
                           fixed: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Prior predictive checks: the :meth:`FitResults.ppc` statistics under the prior.

    Shows whether the priors generate allocations like the observed ones
    (an observed statistic far in the tail means the priors are at odds with
    the data).
    """
    import pymc as pm

    pr = resolve_priors(priors)
    source = (data.choice_sets(role or "configuration") if model == "conditional_logit"
              else data.arrays())
    m = build_model(model, source, pr, role=role, group=group, veto=veto, fixed=fixed)
    obs = [v.name for v in m.observed_RVs]
    with m, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        idata = pm.sample_prior_predictive(draws=_positive_int("draws", draws),
                                           var_names=obs, random_seed=_seed_int(seed))
    reps = {v: np.asarray(idata.prior_predictive[v])[0] for v in obs}
    return _check_table(reps, source)


def compare(results: Mapping[str, FitResults]) -> pd.DataFrame:
    """LOO comparison (arviz ``compare``) of fits to the same data, by region."""
    import arviz as az

    if len(results) < 2:
        raise EstimationError("results", list(results), "need at least two fits",
                              "Give a mapping name -> FitResults of two or more fits")
    return az.compare({k: r._loo_idata() for k, r in results.items()}, var_name="unit_loglik")


# ------------------------------------------------------------ CLI helpers
def cli_fit(path: str | None = None, model: str = "structural", *, sampler: str = "auto",
            chains: int = 4, draws: int = 1000, tune: int = 1000, seed: int | None = 0,
            role: str | None = None, out: str | None = None, mle: bool = True,
            progress: bool | None = None, overwrite: bool = False) -> str:
    """What ``restrat fit`` prints: fit a data folder (or the bundled synthetic data).

    Poor convergence diagnostics are issued as :class:`SamplingWarning`
    (the command line prints them on standard error), not in the text.

    Parameters
    ----------
    path : str, optional
        A folder of CSV tables, a ``restrat run --out`` folder, or ``None`` for
        the bundled synthetic data set.
    out : str, optional
        Save the fit as NetCDF here; the target is checked before fitting.
    mle : bool
        Add the maximum-likelihood estimates beside the posterior (structural model).
    progress : bool, optional
        The sampler's progress bar (default: when standard error is a terminal).
    overwrite : bool
        Replace an existing *out* file.
    """
    from gametheory.fileio import check_output_target

    from .datasets import load_synthetic

    if out:
        check_output_target(out, name="out", kind="file", overwrite=overwrite)
    data = load_synthetic() if path is None else AllocationData.from_csv(path)
    res = fit(data, model, sampler=sampler, chains=chains, draws=draws, tune=tune, seed=seed,
              role=role, progressbar=progress)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SamplingWarning)
        s = res.summary()
    lines = [f"restrat fit: {data!r}",
             f"model {res.model_name}, sampler {res.sampler}, {chains} chains x {draws} draws "
             f"(tune {tune}); {res.timing['total']:.1f} s "
             f"(compile {res.timing['compile']:.1f} s, sample {res.timing['sample']:.1f} s)", ""]
    table = s
    if mle and model == "structural":
        from .mle import fit_mle

        try:
            m = fit_mle(data, model="structural")
            table = s.join(m.table[["estimate", "se"]].rename(
                columns={"estimate": "mle", "se": "mle_se"}))
        except ValueError as exc:
            lines.append(f"(no MLE: {exc})")
    if data.truth:
        table = table.join(pd.Series(data.truth, name="truth"))
    lines.append(table.to_string(float_format=lambda x: f"{x:.3f}"))
    d = s.attrs["diagnostics"]
    lines.append(f"\nmax R-hat {d['max_r_hat']:.3f}, min bulk ESS {d['min_ess_bulk']:.0f}, "
                 f"divergences {d['divergences']}")
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if out:
        lines.append(f"saved {res.save(out)}")
    return "\n".join(lines)


def demo_fit(draws: int = 300, tune: int = 300, chains: int = 2, seed: int = 0,
             sampler: str = "auto") -> pd.DataFrame:
    """Fit the structural model to the bundled synthetic data; return the recovery table.

    Columns: truth, posterior mean, 95% interval, covered, R-hat and the MLE.
    Used by ``make demo``; takes well under a minute on two cores.
    """
    from .datasets import load_synthetic
    from .mle import fit_mle

    data = load_synthetic()
    name, backend = _choose_sampler(sampler)
    print(f"[restrat] compiling the model and sampling {chains} chains x ({tune} tuning + "
          f"{draws} draws) with {name}{'-' + backend if backend else ''} ...",
          file=sys.stderr, flush=True)
    res = fit(data, "structural", sampler=sampler, chains=chains, draws=draws, tune=tune,
              seed=seed, progressbar=True)
    print(f"[restrat] sampled in {res.timing['total']:.0f} s; maximum likelihood ...",
          file=sys.stderr, flush=True)
    rec = res.recovery()
    m = fit_mle(data, model="structural")
    rec["mle"] = m.params.reindex(rec.index)
    # the estimator's own diagnostics: its standard error and how many of them the
    # estimate lies from the truth (|z| < 2: the gap is within the MLE's uncertainty)
    rec["mle_se"] = m.se.reindex(rec.index)
    rec["mle_z"] = (rec["mle"] - rec["truth"]) / rec["mle_se"]
    flagged = {}
    if m.diagnostics is not None:
        for par, grp in m.diagnostics.groupby("parameter"):
            flagged[str(par)] = ", ".join(sorted(set(grp["issue"])))
    rec.attrs.update(sampler=res.sampler, seconds=res.timing["total"],
                     mle_converged=bool(m.converged), n_regions=data.n_regions,
                     mle_flagged=flagged)
    return rec
