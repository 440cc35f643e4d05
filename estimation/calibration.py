r"""Parameter recovery and simulation-based calibration (SBC).

**SBC** (Talts et al. 2018). Repeat for :math:`n = 1..N`: draw
:math:`\tilde\psi \sim p(\psi)` from the prior, simulate data
:math:`\tilde y \sim p(y \mid \tilde\psi)`, sample :math:`L` posterior draws
:math:`\psi_1..\psi_L` given :math:`\tilde y` and record the rank
:math:`r = \#\{l : \psi_l < \tilde\psi\} \in \{0, .., L\}` of each parameter.
If the sampler and the model's code are right, every rank is uniform on
:math:`\{0, .., L\}`. :class:`SBCResult` gives the ranks, rank histograms and
a chi-square test of uniformity per parameter (expected counts in each bin
proportional to the number of rank values it holds).

**Recovery**: the same loop at fixed true parameters; the share of
simulations whose central 50% and 95% intervals cover the truth should be
close to 0.50 and 0.95.

The regions (covariates, choice sets) are drawn once from ``seed``; each
simulation redraws the outcomes (configuration, directors, concessions),
which is SBC conditional on the covariates.

References
----------
Talts, S., Betancourt, M., Simpson, D., Vehtari, A., Gelman, A. (2018).
Validating Bayesian inference algorithms with simulation-based calibration.
arXiv:1804.06788. Cook, S. R., Gelman, A., Rubin, D. B. (2006). Validation of
software for Bayesian models using posterior quantiles. *JCGS* 15(3), 675-692.

Examples
--------
>>> import numpy as np
>>> r = SBCResult(pd.DataFrame({"a": np.arange(100) % 20}), n_posterior=19)
>>> float(r.uniformity().loc["a", "p_value"]) > 0.99
True
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from gametheory.restratification import ModelParameters, spec

from .errors import EstimationError
from .fit import Refitter, _positive_int
from .models.priors import resolve_priors
from .models.structural import fixed_estimands
from .simulate import SimulationBank, _as_params, _as_rng, _regions, normalised_truth

__all__ = ["cli_calibrate", "sbc", "recovery_study", "calibrate", "SBCResult", "RecoveryResult",
           "rank_statistics", "prior_draw_params"]

_SHAPES = {name: (len(labels),) if labels else () for name, labels in spec.ESTIMANDS.items()}


def rank_statistics(truth: Mapping[str, float], draws: Mapping[str, np.ndarray]
                    ) -> dict[str, int]:
    """Rank of each true value among its posterior draws (number of draws below it).

    Examples
    --------
    >>> rank_statistics({"a": 0.5}, {"a": np.array([0.1, 0.7, 0.3])})
    {'a': 2}
    """
    return {k: int(np.sum(np.asarray(draws[k]) < v)) for k, v in truth.items()}


def prior_draw_params(priors: Mapping[str, Any] | None, rng: np.random.Generator,
                      base: ModelParameters | None = None, *, veto: bool = True,
                      fixed: Mapping[str, float] | None = None) -> ModelParameters:
    r"""One parameter vector drawn from the structural model's priors.

    The estimands (:data:`gametheory.restratification.spec.ESTIMANDS`) are drawn
    and mapped to :class:`ModelParameters` with :math:`\lambda = 1` and
    :math:`\theta = ` ``lam_theta`` (the same probabilities); ``veto=False`` fixes
    ``delta`` at 0, and the estimands held fixed (*fixed*, default
    :data:`~gametheory.restratification.spec.DEFAULT_FIXED`) take their values.
    """
    pr = resolve_priors(priors)
    held = fixed_estimands(fixed, veto)
    values: dict[str, float] = {}
    for name, shape in _SHAPES.items():
        if name in held:
            values[name] = held[name]
            continue
        x = np.atleast_1d(pr[name].draw(1, rng, shape)[0])
        labels = spec.ESTIMANDS[name]
        if labels:
            values.update({f"{name}[{lab}]": float(v) for lab, v in zip(labels, x, strict=True)})
        else:
            values[name] = float(x[0])
    return spec.model_parameters(values, base)


def _flat_draws(res: Any, n_keep: int) -> dict[str, np.ndarray]:
    """Evenly thinned posterior draws of every estimand, by arviz label."""
    post = res.idata.posterior.stack(sample=("chain", "draw"))
    n = post.sizes["sample"]
    idx = np.linspace(0, n - 1, min(n_keep, n)).round().astype(int)
    out: dict[str, np.ndarray] = {}
    for name, labels in spec.ESTIMANDS.items():
        if name not in post:
            continue
        arr = np.asarray(post[name])
        if labels:
            for k, lab in enumerate(labels):
                out[f"{name}[{lab}]"] = arr[k, idx]
        else:
            out[name] = arr[idx]
    return out


class SBCResult:
    """Ranks of the true parameters among posterior draws, one row per simulation.

    Parameters
    ----------
    ranks : DataFrame
        Columns = parameters, values in ``0..n_posterior``.
    n_posterior : int
        Posterior draws per simulation (:math:`L`).
    """

    def __init__(self, ranks: pd.DataFrame, n_posterior: int,
                 info: Mapping[str, Any] | None = None) -> None:
        self.ranks = ranks
        self.n_posterior = int(n_posterior)
        self.info = dict(info or {})

    @property
    def n_sims(self) -> int:
        return len(self.ranks)

    def _bins(self, bins: int | None) -> int:
        b = bins or max(2, min(20, self.n_sims // 5, self.n_posterior + 1))
        return int(min(b, self.n_posterior + 1))

    def histogram(self, bins: int | None = None) -> pd.DataFrame:
        """Counts of ranks in ``bins`` equal-width bins over ``0..L`` (rows = bins)."""
        B = self._bins(bins)
        edges = np.floor(np.arange(self.n_posterior + 1) * B / (self.n_posterior + 1))
        out = {}
        for c in self.ranks.columns:
            b = edges[self.ranks[c].to_numpy(dtype=int)]
            out[c] = np.bincount(b.astype(int), minlength=B)
        return pd.DataFrame(out, index=pd.Index(range(B), name="bin"))

    def uniformity(self, bins: int | None = None) -> pd.DataFrame:
        """Chi-square test that each parameter's ranks are uniform on ``0..L``."""
        B = self._bins(bins)
        edges = np.floor(np.arange(self.n_posterior + 1) * B / (self.n_posterior + 1))
        share = np.bincount(edges.astype(int), minlength=B) / (self.n_posterior + 1)
        h = self.histogram(B)
        rows = []
        for c in h.columns:
            obs = h[c].to_numpy()
            chi2, p = stats.chisquare(obs, share * obs.sum())
            rows.append({"parameter": c, "chi2": float(chi2), "df": B - 1, "p_value": float(p)})
        return pd.DataFrame(rows).set_index("parameter")

    def coverage(self, prob: float = 0.95) -> pd.Series:
        """Share of simulations whose central ``prob`` interval held the truth."""
        q = self.ranks / self.n_posterior
        lo = (1 - prob) / 2
        return ((q >= lo) & (q <= 1 - lo)).mean()

    def table(self) -> pd.DataFrame:
        """Uniformity test and 95% coverage per parameter (printable)."""
        t = self.uniformity()
        t["coverage_95"] = self.coverage(0.95)
        return t

    def plot(self, bins: int | None = None, *, ax: Any = None) -> Any:
        """Rank histograms with the 99% band of counts expected under uniformity.

        One panel per parameter, on the Axes in *ax* (a sequence with at least one
        Axes per parameter) when given, otherwise on a new
        :class:`matplotlib.figure.Figure` (the user's pyplot state and backend are
        left untouched). Returns the Figure.
        """
        from matplotlib.figure import Figure

        h = self.histogram(bins)
        k = len(h.columns)
        if ax is None:
            ncol = min(4, k)
            nrow = int(np.ceil(k / ncol))
            fig = Figure(figsize=(3 * ncol, 2.2 * nrow))
            axes = list(fig.subplots(nrow, ncol, squeeze=False).ravel())
        else:
            axes = list(np.ravel(np.asarray(ax, dtype=object)))
            if len(axes) < k:
                raise EstimationError("ax", f"{len(axes)} Axes", f"{k} parameters to draw",
                                      f"Give at least {k} Axes, or ax=None")
            fig = axes[0].figure
        exp = self.n_sims / len(h)
        lo, hi = stats.binom.ppf([0.005, 0.995], self.n_sims, 1 / len(h))
        for a, c in zip(axes, h.columns, strict=False):
            a.bar(h.index, h[c], width=1.0, color="C0", edgecolor="white")
            a.axhspan(lo, hi, color="grey", alpha=0.25)
            a.axhline(exp, color="k", lw=0.6)
            a.set_title(c, fontsize=8)
        if ax is None:
            for a in axes[k:]:
                a.axis("off")
            fig.suptitle(f"SBC rank histograms ({self.n_sims} simulations, "
                         f"L={self.n_posterior})")
            fig.tight_layout()
        return fig


class RecoveryResult:
    """Coverage of the truth by posterior intervals over repeated simulations."""

    def __init__(self, truth: Mapping[str, float], rows: pd.DataFrame,
                 info: Mapping[str, Any] | None = None) -> None:
        self.truth = dict(truth)
        self.rows = rows
        self.info = dict(info or {})

    def table(self) -> pd.DataFrame:
        """Per parameter: truth, mean of posterior means, coverage of 50% and 95% intervals."""
        g = self.rows.groupby("parameter")
        return pd.DataFrame({"truth": pd.Series(self.truth), "mean_estimate": g["mean"].mean(),
                             "coverage_50": g["in50"].mean(), "coverage_95": g["in95"].mean(),
                             "n_sims": g.size()}).dropna(subset=["n_sims"])


def _loop(n_sims: int, n_regions: int, seed: Any, draws: int, tune: int, chains: int,
          sampler: str, priors: Any, params: Any, scenario: Any, progress: bool,
          votes: bool = False, veto: bool = True, cores: int | None = None,
          ) -> tuple[list[dict[str, float]], list[dict[str, np.ndarray]], dict[str, Any]]:
    n_sims = _positive_int("n_sims", n_sims)
    n_regions = _positive_int("n_regions", n_regions)
    rng = _as_rng(seed)
    base = _as_params(params) if params is not None else ModelParameters()
    regions = _regions(scenario, n_regions, rng)
    bank = SimulationBank.build(regions, base, [f"sbc-{i:04d}" for i in range(n_regions)])
    truths, post = [], []
    t0 = time.perf_counter()
    res: Any = None
    refit: Refitter | None = None
    for i in range(n_sims):
        p = prior_draw_params(priors, rng, base, veto=veto) if params is None else base
        outcome = bank.draw(p, rng)
        data = bank.to_data(outcome, source=f"simulation {i}", votes=votes)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if refit is None:     # one compilation for every simulation of these regions
                refit = Refitter(data, sampler=sampler, priors=priors, veto=veto)
            res = refit.fit(data, chains=chains, draws=draws, tune=tune,
                            seed=int(rng.integers(2**31 - 1)), cores=cores)
        held = fixed_estimands(None, veto)
        t = {k: v for k, v in normalised_truth(p).items() if k.split("[")[0] not in held}
        truths.append(t)
        post.append(_flat_draws(res, draws * chains))
        if progress:
            print(f"  simulation {i + 1}/{n_sims} ({time.perf_counter() - t0:.0f} s)",
                  file=sys.stderr, flush=True)
    info = {"n_sims": n_sims, "n_regions": n_regions, "draws": draws, "tune": tune,
            "chains": chains, "sampler": res.sampler, "seconds": time.perf_counter() - t0,
            "compile_seconds": refit.compile_seconds if refit else 0.0,
            "votes": votes, "veto": veto}
    return truths, post, info


def sbc(n_sims: int = 100, n_regions: int = 50, *, draws: int = 200, tune: int = 300,
        chains: int = 2, n_posterior: int = 99, seed: int | np.random.Generator | None = 0,
        sampler: str = "auto", priors: Mapping[str, Any] | None = None,
        scenario: Any = "random-region", progress: bool = False, votes: bool = False,
        veto: bool = True, cores: int | None = None) -> SBCResult:
    """Simulation-based calibration of the structural model (Talts et al. 2018).

    Every simulation draws the estimands from the priors, outcomes from the one
    model (:func:`gametheory.restratification.spec.draw`: proposal and vote,
    appointments, concessions; the votes recorded when ``votes``) and fits the
    same model.

    Parameters
    ----------
    n_sims : int
        Simulations (prior draw, data set, posterior) to run.
    n_regions : int
        Regions per simulated data set.
    draws, tune, chains : int
        Per fit.
    n_posterior : int
        Posterior draws kept (evenly thinned) for the ranks, :math:`L`.
    seed, sampler, priors, scenario
        As in :func:`~estimation.fit` and :func:`~estimation.simulate`.
    votes : bool
        Simulate and fit the members' votes on the chosen configurations too.
    veto : bool
        False: the nested no-veto model (``delta = 0``) is simulated and fitted.
    cores : int, optional
        Parallel chains per fit.
    """
    L = min(_positive_int("n_posterior", n_posterior), draws * chains)
    truths, post, info = _loop(n_sims, n_regions, seed, draws, tune, chains, sampler, priors,
                               None, scenario, progress, votes, veto, cores)
    ranks = []
    for t, d in zip(truths, post, strict=True):
        idx = np.linspace(0, len(next(iter(d.values()))) - 1, L).round().astype(int)
        ranks.append(rank_statistics(t, {k: v[idx] for k, v in d.items()}))
    return SBCResult(pd.DataFrame(ranks), L, info)


def recovery_study(params: ModelParameters | Mapping[str, Any] | None = None,
                   n_sims: int = 20, n_regions: int = 100, *, draws: int = 500,
                   tune: int = 500, chains: int = 2, seed: int | np.random.Generator | None = 0,
                   sampler: str = "auto", priors: Mapping[str, Any] | None = None,
                   scenario: Any = "random-region", progress: bool = False,
                   votes: bool = False, cores: int | None = None) -> RecoveryResult:
    """Coverage of fixed true parameters by 50% and 95% posterior intervals.

    The data are drawn from the one model at *params* (votes recorded when ``votes``).
    """
    p = _as_params(params)
    truths, post, info = _loop(n_sims, n_regions, seed, draws, tune, chains, sampler, priors,
                               p, scenario, progress, votes, True, cores)
    rows = []
    for i, (t, d) in enumerate(zip(truths, post, strict=True)):
        for k, v in t.items():
            q = np.quantile(d[k], [0.025, 0.25, 0.75, 0.975])
            rows.append({"sim": i, "parameter": k, "mean": float(d[k].mean()),
                         "in50": bool(q[1] <= v <= q[2]), "in95": bool(q[0] <= v <= q[3])})
    return RecoveryResult(truths[0], pd.DataFrame(rows), info)


def calibrate(model: str = "structural", n_sims: int = 100, n_regions: int = 50, *,
              method: str = "sbc", seed: int | None = 0, draws: int = 200, tune: int = 300,
              chains: int = 2, sampler: str = "auto", progress: bool = False
              ) -> SBCResult | RecoveryResult:
    """Entry point for ``restrat calibrate``: SBC (``method="sbc"``) or a recovery study.

    Returns an object whose ``table()`` is the printable result.
    """
    if model != "structural":
        raise EstimationError("model", model, "calibration is implemented for the "
                              "structural model", "Use model='structural'")
    if method == "sbc":
        return sbc(n_sims, n_regions, draws=draws, tune=tune, chains=chains, seed=seed,
                   sampler=sampler, progress=progress)
    if method == "recovery":
        return recovery_study(None, n_sims, n_regions, draws=draws, tune=tune, chains=chains,
                              seed=seed, sampler=sampler, progress=progress)
    raise EstimationError("method", method, "unknown method", "Use 'sbc' or 'recovery'")


def cli_calibrate(n_sims: int = 100, n_regions: int = 50, *, method: str = "sbc",
                  seed: int | None = 0, draws: int = 200, tune: int = 300, chains: int = 2,
                  sampler: str = "auto", plot: str | None = None, progress: bool = True,
                  overwrite: bool = False) -> str:
    """What ``restrat calibrate --sims N`` prints (optionally saving rank histograms).

    The *plot* target is checked before any simulation runs; the PNG is
    written atomically.
    """
    import io

    from gametheory.fileio import atomic_write_bytes, check_output_target

    if plot:
        check_output_target(plot, name="plot", kind="file", overwrite=overwrite)
    res = calibrate("structural", n_sims, n_regions, method=method, seed=seed, draws=draws,
                    tune=tune, chains=chains, sampler=sampler, progress=progress)
    info = res.info
    head = (f"restrat calibrate: {method}, {info['n_sims']} simulations x "
            f"{info['n_regions']} regions, {info['chains']} chains x {info['draws']} draws "
            f"({info['sampler']}), {info['seconds']:.0f} s")
    lines = [head, res.table().to_string(float_format=lambda x: f"{x:.3f}")]
    if plot and isinstance(res, SBCResult):
        import matplotlib.pyplot as plt

        fig = res.plot()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        atomic_write_bytes(plot, buf.getvalue())
        lines.append(f"rank histograms written to {plot}")
    return "\n".join(lines)
