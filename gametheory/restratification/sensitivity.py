r"""How robust are a scenario's conclusions? Thresholds, tornado, Sobol indices, probabilities.

A scenario's **conclusions** are the model's modal outcomes: the host, the
centre, the two directors, and which hospitals receive concessions
(:func:`conclusions`). Every conclusion also has a probability under the
model (:func:`outcome_probabilities`): the configuration's choice
probability, the appointment logits integrated over the configurations, and
the probability that a hospital receives at least one role of the
multinomial role draws, integrated over the configurations.

The **factors** are the model's parameters and the scenario's hand-set
covariates (bidders' scores, trauma volumes, doctors' capital, management
group weights and quota, role values and pool sizes), each with a search
range (:func:`default_factors`).

* :func:`thresholds` moves one factor at a time from its baseline towards
  each end of its range (a grid, then bisection) and reports the value at
  which a conclusion first flips, and to what;
* :func:`tornado` gives the swing of each conclusion's probability between the
  ends of each factor's range (:func:`draw_tornado` draws it);
* :func:`global_sensitivity` samples every factor at once, uniformly over
  its range, and estimates Sobol first-order and total indices of each
  conclusion's probability (:mod:`gametheory.sensitivity`); the mean of those
  probabilities over the sample is each conclusion's probability under that
  (uniform) prior;
* :func:`outcome_probabilities` averages the probabilities over any list of
  parameter draws: a posterior sample (``restrat sensitivity --posterior``)
  gives posterior probabilities of the conclusions.

Examples
--------
>>> from gametheory.restratification import ModelParameters, scenarios
>>> region = scenarios.load("case-region")
>>> c = conclusions(region, ModelParameters())
>>> c["host"], c["centre"]
('Riverside Care Trust', 'Northgate Teaching Hospital')
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidArgumentError
from ..sensitivity import SobolResult, saltelli_sample, sobol_from_outputs
from .actors import ScenarioError
from .region import Region

__all__ = ["CONCLUSIONS", "Factor", "default_factors", "conclusions", "outcome_probabilities",
           "baseline_probabilities", "thresholds", "tornado", "draw_tornado",
           "global_sensitivity", "GlobalSensitivity", "SensitivityAnalysis", "sensitivity"]

#: the conclusions of a scenario
CONCLUSIONS = ("host", "centre", "network_director", "centre_director", "concessions")

#: parameters that change nothing in ``run`` (none: the estimators fit the model run plays)
_NOT_IN_RUN: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Factor:
    """One input to vary: a parameter or a hand-set covariate of the scenario.

    Attributes
    ----------
    name : str
        ``lam``, ``theta[centre_super]``, ``organisations[Ashby District
        Hospital].trauma_volume``, ...
    kind : {"parameter", "covariate"}
    baseline, low, high : float
        The scenario's value and the search range.
    integer : bool
        Only whole values (voting weights, pool sizes).
    unit : str
    """

    name: str
    kind: str
    baseline: float
    low: float
    high: float
    integer: bool = False
    unit: str = ""
    setter: Callable[[Region, Any, float], tuple[Region, Any]] = field(repr=False,
                                                                      default=None)  # type: ignore[assignment]

    def apply(self, region: Region, params: Any, value: float) -> tuple[Region, Any]:
        """The region and parameters with this factor set to *value*."""
        if self.integer:
            value = float(round(value))
        return self.setter(region, params, float(value))


# ------------------------------------------------------------------ factors
def _param_factor(name: str, base: float, params: Any, index: int | None = None,
                  label: str | None = None) -> Factor | None:
    from .model import PARAMETER_RANGES, Range

    key = name
    rng = PARAMETER_RANGES.get(key, Range(-1e6, 1e6))
    if rng.lo == 0.0 and rng.hi == 1.0:
        lo, hi = 0.0, 1.0
    else:
        width = max(abs(base), 1.0)
        lo, hi = max(rng.lo, base - width), min(rng.hi, base + width)
    pad = 1e-3 * (hi - lo)
    if rng.open_lo:
        lo = max(lo, rng.lo + max(pad, 0.05 if rng.hi == 1.0 else pad))
    if rng.open_hi:
        hi = min(hi, rng.hi - max(pad, 0.01 if rng.hi == 1.0 else pad))
    if hi <= lo:
        return None

    def setter(region: Region, p: Any, v: float) -> tuple[Region, Any]:
        if index is None:
            return region, replace(p, **{name: v})
        vec = list(getattr(p, name))
        vec[index] = v
        return region, replace(p, **{name: tuple(vec)})

    return Factor(label or name, "parameter", float(base), float(lo), float(hi), False,
                  "model parameter", setter)


def _org_factor(region: Region, org: str, attr: str, lo: float, hi: float, unit: str
                ) -> Factor:
    base = float(getattr(region.organisation(org), attr))

    def setter(r: Region, p: Any, v: float) -> tuple[Region, Any]:
        orgs = tuple(replace(o, **{attr: v}) if o.name == org else o for o in r.organisations)
        return replace(r, organisations=orgs), p

    return Factor(f"organisations[{org}].{attr}", "covariate", base, lo, hi, False, unit,
                  setter)


def default_factors(region: Region, params: Any, which: str = "all") -> list[Factor]:
    """The parameters and hand-set covariates of *region*, with search ranges.

    Parameters: every numeric parameter of :class:`~.model.ModelParameters` that
    ``run`` uses, over its baseline plus or minus max(|baseline|, 1) within its
    valid range (shares over [0, 1]). Covariates: the bidders' 0-1 scores over
    [0, 1]; trauma volumes over half to one and a half times their value; the
    bidders' candidate doctors' capital over [0, max(1, 1.5 x value)]; the
    management group's weights (whole votes, keeping the quota reachable) and
    quota (half the total weight to all of it); role values over half to one and a
    half times their value; the rotation pool over 0 to twice its size.

    *which*: ``"parameters"``, ``"covariates"`` or ``"all"``.
    """
    from dataclasses import fields

    from .model import PARAMETER_VECTORS

    if which not in ("parameters", "covariates", "all"):
        raise InvalidArgumentError("which", which, "unknown set of factors",
                                   "Use 'parameters', 'covariates' or 'all'")
    out: list[Factor] = []
    if which in ("parameters", "all"):
        for f in fields(params):
            val = getattr(params, f.name)
            if f.name in _NOT_IN_RUN or isinstance(val, str):
                continue
            if isinstance(val, tuple):
                labels = PARAMETER_VECTORS.get(f.name, tuple(str(i) for i in range(len(val))))
                for i, (lab, v) in enumerate(zip(labels, val, strict=True)):
                    fac = _param_factor(f.name, float(v), params, i, f"{f.name}[{lab}]")
                    if fac is not None:
                        out.append(fac)
            else:
                fac = _param_factor(f.name, float(val), params)
                if fac is not None:
                    out.append(fac)
    if which in ("covariates", "all"):
        bidders = list(dict.fromkeys(b.organisation for b in region.bids))
        for org in bidders:
            for attr in ("track_record", "performance", "specialist_breadth"):
                out.append(_org_factor(region, org, attr, 0.0, 1.0, "0-1 score"))
        for o in region.organisations:
            if o.trauma_volume > 0:
                out.append(_org_factor(region, o.name, "trauma_volume", 0.5 * o.trauma_volume,
                                       1.5 * o.trauma_volume, "cases/yr"))
        for d in region.doctors:
            if d.employer not in bidders or d.opinion_leader:
                continue
            for attr in ("cultural", "social", "symbolic"):
                base = float(getattr(d, attr))

                def dset(r: Region, p: Any, v: float, name: str = d.name,
                         a: str = attr) -> tuple[Region, Any]:
                    docs = tuple(replace(x, **{a: v}) if x.name == name else x
                                 for x in r.doctors)
                    return replace(r, doctors=docs), p

                out.append(Factor(f"doctors[{d.name}].{attr}", "covariate", base, 0.0,
                                  max(1.0, 1.5 * base), False, "capital (0-1 scale)", dset))
        total = sum(m.weight for m in region.management_group)
        slack = total - region.quota
        for m in region.management_group:
            lo = max(0.0, m.weight - np.floor(slack))
            hi = max(2.0 * m.weight, 2.0)
            if hi <= lo:
                continue

            def wset(r: Region, p: Any, v: float, name: str = m.name) -> tuple[Region, Any]:
                mem = tuple(replace(x, weight=v) if x.name == name else x
                            for x in r.management_group)
                return replace(r, management_group=mem), p

            out.append(Factor(f"management_group[{m.name}].weight", "covariate",
                              float(m.weight), float(lo), float(hi), True, "votes", wset))

        def qset(r: Region, p: Any, v: float) -> tuple[Region, Any]:
            return replace(r, quota=v), p

        out.append(Factor("management_group.quota", "covariate", float(region.quota),
                          float(np.ceil(total / 2)), float(total), False, "votes", qset))
        roles = region.roles
        for pname, val in roles.portfolios.items():
            def pset(r: Region, p: Any, v: float, k: str = pname) -> tuple[Region, Any]:
                ports = {**r.roles.portfolios, k: v}
                return replace(r, roles=replace(r.roles, portfolios=ports)), p

            out.append(Factor(f"roles.portfolios[{pname}]", "covariate", float(val),
                              0.5 * val, 1.5 * val, False, "value units", pset))
        for attr in ("seat_value", "rotation_value"):
            val = float(getattr(roles, attr))

            def rset(r: Region, p: Any, v: float, a: str = attr) -> tuple[Region, Any]:
                return replace(r, roles=replace(r.roles, **{a: v})), p

            out.append(Factor(f"roles.{attr}", "covariate", val, 0.5 * val, 1.5 * val, False,
                              "value units", rset))

        def poolset(r: Region, p: Any, v: float) -> tuple[Region, Any]:
            return replace(r, roles=replace(r.roles, rotation_pool=v)), p

        rp = float(roles.rotation_pool)
        out.append(Factor("roles.rotation_pool", "covariate", rp, 0.0, max(2 * rp, 2.0), True,
                          "roles", poolset))
    return out


# ------------------------------------------------------------------ one evaluation
@dataclass(frozen=True)
class _Evaluation:
    conclusions: dict[str, Any]
    probabilities: dict[tuple[str, str], float]


def _evaluate(region: Region, params: Any) -> _Evaluation:
    """Modal conclusions and the probabilities of every outcome (one region, one draw)."""
    from .concessions import (
        apportion,
        bargaining_parameters,
        committee_design,
        role_probabilities,
    )
    from .model import allocation_analysis, appointments, configurations

    alloc = allocation_analysis(region, params)
    t = alloc.table
    cfgs = configurations(region)
    p_cfg = dict(zip(zip(t["host"], t["centre"], strict=True), t["probability"], strict=True))
    probs: dict[tuple[str, str], float] = {}
    for c, pc in p_cfg.items():
        probs[("host", c[0])] = probs.get(("host", c[0]), 0.0) + pc
        probs[("centre", c[1])] = probs.get(("centre", c[1]), 0.0) + pc
    directors: dict[str, str] = {}
    for c in cfgs:
        a = appointments(region, c, params, alloc.design)   # one compiled design
        for role_key, role in (("network_director", region.roles.network_director),
                               ("centre_director", region.roles.centre_director)):
            rows = a[a["role"] == role]
            for doc, p in zip(rows["doctor"], rows["probability"], strict=True):
                probs[(role_key, doc)] = probs.get((role_key, doc), 0.0) + p_cfg[c] * p
            if c == alloc.chosen:
                directors[role_key] = str(rows.loc[rows["appointed"], "doctor"].iloc[0])
    design = committee_design([region], [cfgs], params)
    pr = role_probabilities(bargaining_parameters(params), design)[0]      # (C, K, M)
    counts = design.pool_count[0]                                          # (C, K)
    recipients: frozenset[str] = frozenset()
    for ci, c in enumerate(cfgs):
        names = design.names[0, ci]
        none = np.prod((1.0 - pr[ci]) ** counts[ci][:, None], axis=0)      # (M,)
        for j in range(1, len(names)):
            if names[j]:
                key = ("concessions", str(names[j]))
                probs[key] = probs.get(key, 0.0) + p_cfg[c] * (1.0 - float(none[j]))
        if c == alloc.chosen:
            idx = np.flatnonzero(design.member[0, ci])
            pk = apportion(counts[ci][:, None] * pr[ci][:, idx])
            got = pk[:, 1:].sum(axis=0) > 0
            recipients = frozenset(str(names[j]) for j, g in zip(idx[1:], got, strict=True)
                                   if g)
    conc = {"host": alloc.chosen[0], "centre": alloc.chosen[1], **directors,
            "concessions": recipients}
    return _Evaluation(conc, probs)


def conclusions(region: Region, params: Any = None) -> dict[str, Any]:
    """The scenario's modal conclusions: host, centre, the two directors and the set of
    hospitals that receive concessions (the apportioned packages)."""
    from .model import ModelParameters

    return _evaluate(region, params or ModelParameters()).conclusions


def _conclusion_probability(ev: _Evaluation, base: dict[str, Any]) -> dict[str, float]:
    """Probability of each baseline conclusion under one evaluation."""
    out = {k: ev.probabilities.get((k, str(base[k])), 0.0)
           for k in ("host", "centre", "network_director", "centre_director")}
    rec = sorted(base["concessions"])
    out["concessions"] = (float(np.mean([ev.probabilities.get(("concessions", o), 0.0)
                                         for o in rec])) if rec else 1.0)
    return out


def baseline_probabilities(region: Region, params: Any = None) -> dict[str, float]:
    """Probability of each baseline conclusion at *params*; for ``concessions``, the mean
    probability that each baseline recipient receives at least one role."""
    from .model import ModelParameters

    params = params or ModelParameters()
    ev = _evaluate(region, params)
    return _conclusion_probability(ev, ev.conclusions)


def outcome_probabilities(region: Region, draws: Sequence[Any]) -> pd.DataFrame:
    """Probability of every outcome, averaged over parameter *draws* (e.g. a posterior).

    Returns one row per (conclusion, outcome) with the mean probability, its
    standard deviation over the draws, and its 5% and 95% quantiles over the
    draws (the uncertainty the parameters carry).
    """
    if not draws:
        raise InvalidArgumentError("draws", draws, "no parameter draws",
                                   "Give at least one ModelParameters")
    evs = [_evaluate(region, p).probabilities for p in draws]
    keys = sorted({k for e in evs for k in e}, key=lambda k: (CONCLUSIONS.index(k[0]), k[1]))
    rows = []
    for k in keys:
        v = np.array([e.get(k, 0.0) for e in evs])
        rows.append({"conclusion": k[0], "outcome": k[1], "probability": float(v.mean()),
                     "sd": float(v.std()), "q05": float(np.quantile(v, 0.05)),
                     "q95": float(np.quantile(v, 0.95))})
    df = pd.DataFrame(rows)
    return df.sort_values(["conclusion", "probability"], ascending=[True, False],
                          key=lambda s: s.map(CONCLUSIONS.index) if s.name == "conclusion"
                          else s).reset_index(drop=True)


# ------------------------------------------------------------------ one factor at a time
def _describe(a: dict[str, Any], b: dict[str, Any]) -> str:
    parts = []
    for k in CONCLUSIONS:
        if a[k] != b[k]:
            if k == "concessions":
                gained = sorted(set(b[k]) - set(a[k]))
                lost = sorted(set(a[k]) - set(b[k]))
                bits = ([f"+{', '.join(gained)}"] if gained else []) + (
                    [f"-{', '.join(lost)}"] if lost else [])
                parts.append(f"concessions: {'; '.join(bits)}")
            else:
                parts.append(f"{k}: {a[k]} -> {b[k]}")
    return " | ".join(parts)


def _safe(factor: Factor, region: Region, params: Any, value: float) -> dict[str, Any] | None:
    try:
        r, p = factor.apply(region, params, value)
        return _evaluate(r, p).conclusions
    except (ScenarioError, InvalidArgumentError):
        return None


def _search(factor: Factor, region: Region, params: Any, base: dict[str, Any], end: float,
            grid: int, tol: float) -> tuple[float, str]:
    """Nearest value between the baseline and *end* where a conclusion flips."""
    b = factor.baseline
    if end == b:
        return np.nan, ""
    steps = np.linspace(b, end, grid + 1)[1:]
    if factor.integer:
        steps = np.unique(np.round(steps))
        steps = steps[steps != round(b)]
        steps = steps if end > b else steps[::-1]
    prev = b
    for x in steps:
        got = _safe(factor, region, params, float(x))
        if got is None or got == base:
            if got is not None:
                prev = float(x)
            continue
        lo, hi, flipped = prev, float(x), got
        while abs(hi - lo) > (1.0 if factor.integer else tol * abs(factor.high - factor.low)):
            mid = (lo + hi) / 2
            if factor.integer:
                mid = float(np.round(mid))
                if mid in (lo, hi):
                    break
            g = _safe(factor, region, params, mid)
            if g is None or g == base:
                lo = mid
            else:
                hi, flipped = mid, g
        return hi, _describe(base, flipped)
    return np.nan, ""


def thresholds(region: Region, params: Any = None, factors: Sequence[Factor] | None = None,
               grid: int = 6, tol: float = 1e-3) -> pd.DataFrame:
    """Where each factor, moved alone, flips a conclusion.

    For each factor the conclusions are evaluated on ``grid`` points from the
    baseline to each end of its range; between the last point that keeps the
    baseline conclusions and the first that does not, bisection narrows the
    threshold to ``tol`` of the range (to one whole unit for integer factors).

    Returns one row per factor: ``baseline``, ``low``/``high`` (the range),
    ``threshold_below``/``threshold_above`` (the first value, going down / up
    from the baseline, at which a conclusion differs; NaN when none does in
    the range) and ``flips_below``/``flips_above`` (what changes, e.g.
    ``host: A -> B``), and ``margin`` (the distance from the baseline to the
    nearest threshold, as a share of the range).
    """
    from .model import ModelParameters

    params = params or ModelParameters()
    factors = list(factors) if factors is not None else default_factors(region, params)
    base = conclusions(region, params)
    rows = []
    for f in factors:
        below, fb = _search(f, region, params, base, f.low, grid, tol)
        above, fa = _search(f, region, params, base, f.high, grid, tol)
        dist = [abs(x - f.baseline) for x in (below, above) if np.isfinite(x)]
        rows.append({"factor": f.name, "kind": f.kind, "unit": f.unit,
                     "baseline": f.baseline, "low": f.low, "high": f.high,
                     "threshold_below": below, "flips_below": fb,
                     "threshold_above": above, "flips_above": fa,
                     "margin": (min(dist) / (f.high - f.low)) if dist else np.nan})
    df = pd.DataFrame(rows)
    return df.sort_values("margin", na_position="last", kind="stable").reset_index(drop=True)


def tornado(region: Region, params: Any = None, factors: Sequence[Factor] | None = None,
            conclusion: str = "host") -> pd.DataFrame:
    """Swing of one baseline conclusion's probability between the ends of each range.

    Returns one row per factor, largest swing first: the probability at the
    factor's low and high ends (the others at their baseline), the baseline
    probability and ``swing`` = |high - low| (probability, unitless).
    """
    from .model import ModelParameters

    if conclusion not in CONCLUSIONS:
        raise InvalidArgumentError("conclusion", conclusion, "unknown conclusion",
                                   f"Use one of {list(CONCLUSIONS)}")
    params = params or ModelParameters()
    factors = list(factors) if factors is not None else default_factors(region, params)
    ev0 = _evaluate(region, params)
    base, p0 = ev0.conclusions, _conclusion_probability(ev0, ev0.conclusions)[conclusion]
    rows = []
    for f in factors:
        vals = []
        for x in (f.low, f.high):
            try:
                r, p = f.apply(region, params, x)
                vals.append(_conclusion_probability(_evaluate(r, p), base)[conclusion])
            except (ScenarioError, InvalidArgumentError):
                vals.append(np.nan)
        rows.append({"factor": f.name, "low": f.low, "high": f.high, "p_low": vals[0],
                     "p_high": vals[1], "p_baseline": p0,
                     "swing": float(np.nan_to_num(abs(vals[1] - vals[0])))})
    df = pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable")
    df.attrs["conclusion"] = conclusion
    df.attrs["outcome"] = str(base[conclusion]) if conclusion != "concessions" else \
        ", ".join(sorted(base[conclusion]))
    return df.reset_index(drop=True)


def draw_tornado(table: pd.DataFrame, ax: Any = None, top: int = 15) -> Any:
    """Tornado figure of :func:`tornado`'s table (object-oriented matplotlib; accepts
    ``ax=``, never touches pyplot's state); returns the axes."""
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(8, 0.35 * min(top, len(table)) + 1.5)).subplots()
    t = table.head(top).iloc[::-1]
    y = np.arange(len(t))
    base = float(t["p_baseline"].iloc[0]) if len(t) else 0.0
    lo = np.minimum(t["p_low"], t["p_high"]).fillna(base).to_numpy()
    hi = np.maximum(t["p_low"], t["p_high"]).fillna(base).to_numpy()
    ax.barh(y, hi - lo, left=lo, color="#6c9bd2")
    ax.axvline(base, color="k", lw=0.8)
    ax.set_yticks(y, list(t["factor"]), fontsize=7)
    ax.set_xlim(-0.02, 1.02)
    what = table.attrs.get("conclusion", "conclusion")
    ax.set_xlabel(f"probability that {what} = {table.attrs.get('outcome', 'baseline')} "
                  "(unitless), factor at its low / high end")
    ax.set_title("Tornado: one factor at a time")
    return ax


# ------------------------------------------------------------------ all factors at once
@dataclass(frozen=True)
class GlobalSensitivity:
    """Sobol indices of each conclusion's probability over the factors' box.

    Attributes
    ----------
    indices : dict of str -> SobolResult
        One per conclusion.
    prior_probability : DataFrame
        Mean, sd and 5%/95% quantiles of each baseline conclusion's probability
        over the sampled box (a uniform prior on the factors).
    n : int
        Base sample size; the model ran ``n * (d + 2)`` times.
    seconds : float
    """

    indices: dict[str, SobolResult]
    prior_probability: pd.DataFrame
    n: int
    seconds: float

    def table(self) -> pd.DataFrame:
        """Indices of every factor for every conclusion (long format)."""
        frames = []
        for k, res in self.indices.items():
            f = res.to_frame().reset_index()
            f.insert(0, "conclusion", k)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)


def global_sensitivity(region: Region, params: Any = None,
                       factors: Sequence[Factor] | None = None, n: int = 16,
                       seed: int = 0, n_boot: int = 100) -> GlobalSensitivity:
    """Sobol indices of the baseline conclusions' probabilities, every factor at once.

    Every factor is drawn uniformly over its range (integers rounded). A point
    where the region becomes invalid (e.g. a quota above the total weight) is
    given the baseline's probabilities, and such points are counted in each
    result's ``info["invalid"]``.
    """
    from .model import ModelParameters

    params = params or ModelParameters()
    factors = list(factors) if factors is not None else default_factors(region, params)
    if not factors:
        raise InvalidArgumentError("factors", factors, "no factors", "Give at least one")
    t0 = time.perf_counter()
    ev0 = _evaluate(region, params)
    base = ev0.conclusions
    rng = np.random.default_rng(seed)
    A, B, AB = saltelli_sample([(f.low, f.high) for f in factors], n, rng)
    d = len(factors)
    pts = np.concatenate([A, B, AB.reshape(-1, d)])
    out = np.zeros((len(pts), len(CONCLUSIONS)))
    invalid = 0
    for i, x in enumerate(pts):
        r, p = region, params
        try:
            for f, v in zip(factors, x, strict=True):
                r, p = f.apply(r, p, float(v))
            pr = _conclusion_probability(_evaluate(r, p), base)
        except (ScenarioError, InvalidArgumentError):
            invalid += 1
            pr = _conclusion_probability(ev0, base)
        out[i] = [pr[k] for k in CONCLUSIONS]
    names = [f.name for f in factors]
    idx = {}
    for j, k in enumerate(CONCLUSIONS):
        y = out[:, j]
        res = sobol_from_outputs(y[:n], y[n:2 * n], y[2 * n:].reshape(d, n), names,
                                 n_boot=n_boot, seed=rng)
        idx[k] = replace(res, info={**res.info, "invalid": invalid})
    sample = out[:2 * n]
    prior = pd.DataFrame({
        "outcome": [str(base[k]) if k != "concessions"
                    else f"{len(base[k])} hospitals (mean over them)" for k in CONCLUSIONS],
        "baseline_probability": [_conclusion_probability(ev0, base)[k] for k in CONCLUSIONS],
        "mean": sample.mean(axis=0), "sd": sample.std(axis=0),
        "q05": np.quantile(sample, 0.05, axis=0), "q95": np.quantile(sample, 0.95, axis=0)},
        index=pd.Index(CONCLUSIONS, name="conclusion"))
    return GlobalSensitivity(idx, prior, n, time.perf_counter() - t0)


# ------------------------------------------------------------------ everything
@dataclass(frozen=True)
class SensitivityAnalysis:
    """Thresholds, tornado, global indices and outcome probabilities of one scenario."""

    region: Region
    params: Any
    baseline: dict[str, Any]
    thresholds: pd.DataFrame
    tornado: pd.DataFrame
    global_: GlobalSensitivity | None
    probabilities: pd.DataFrame
    source: str = "the parameters given"

    def report(self, top: int = 15) -> str:
        """Readable text: what flips where, the tornado, the indices, the probabilities."""
        b = self.baseline
        lines = [f"restrat sensitivity: {self.region.name}", "=" * 60,
                 "Baseline conclusions (the model's modal outcomes):"]
        for k in CONCLUSIONS:
            v = ", ".join(sorted(b[k])) if k == "concessions" else b[k]
            lines.append(f"   {k}: {v}")
        lines += ["", f"1. Probabilities of the outcomes ({self.source}; unitless):"]
        lines.append(self.probabilities.to_string(index=False,
                                                  float_format=lambda x: f"{x:.3f}"))
        t = self.thresholds
        lines += ["", "2. Thresholds: each factor alone, from its baseline to each end of its "
                  "range (NaN: no conclusion flips in the range; margin: distance to the "
                  "nearest flip as a share of the range)"]
        show = t[["factor", "unit", "baseline", "low", "high", "threshold_below",
                  "threshold_above", "margin"]].head(top)
        lines.append(show.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
        flips = t[(t["flips_below"] != "") | (t["flips_above"] != "")].head(top)
        for _, r in flips.iterrows():
            if r["flips_below"]:
                lines.append(f"   {r['factor']} <= {r['threshold_below']:.4g}: "
                             f"{r['flips_below']}")
            if r["flips_above"]:
                lines.append(f"   {r['factor']} >= {r['threshold_above']:.4g}: "
                             f"{r['flips_above']}")
        n_none = int((t["margin"].isna()).sum())
        lines.append(f"   {n_none} of {len(t)} factors flip no conclusion within their range")
        tt = self.tornado
        lines += ["", f"3. Tornado: probability that {tt.attrs.get('conclusion')} = "
                  f"{tt.attrs.get('outcome')} with each factor at the ends of its range "
                  "(figure tornado.png)"]
        lines.append(tt.head(top).to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        if self.global_ is not None:
            g = self.global_
            lines += ["", f"4. Global: every factor drawn uniformly over its range at once "
                      f"({g.n} x ({len(t)} + 2) runs, {g.seconds:.0f} s)",
                      "   probability of each baseline conclusion over that prior:"]
            lines.append(g.prior_probability.to_string(float_format=lambda x: f"{x:.3f}"))
            lines.append("   Sobol total indices (share of the variance of each conclusion's "
                         "probability due to the factor, interactions included; unitless), "
                         "largest first:")
            tab = g.table()
            for k in CONCLUSIONS:
                sub = tab[tab["conclusion"] == k].sort_values("total", ascending=False).head(5)
                if float(g.indices[k].variance) == 0.0:
                    lines.append(f"   {k}: the probability does not move over the box")
                    continue
                lines.append(f"   {k}: " + "; ".join(
                    f"{r['input']} {r['total']:.2f} [{r['total_lo']:.2f}, {r['total_hi']:.2f}]"
                    for _, r in sub.iterrows()))
            lines.append("   (bootstrap 95% intervals; with a small sample they are wide: "
                         "raise --samples)")
        return "\n".join(lines)

    def write(self, out: Any, *, overwrite: bool = False, figures: bool = True) -> list[Any]:
        """Write ``report.txt``, ``thresholds.csv``, ``tornado.csv``, ``probabilities.csv``,
        ``sobol.csv`` (with the global analysis) and ``tornado.png`` into a new folder
        (:func:`gametheory.fileio.fresh_folder`); returns the files written."""
        import io
        from pathlib import Path

        from ..fileio import check_output_target, fresh_folder

        target = check_output_target(out, name="out", kind="folder", overwrite=overwrite)
        tables = {"thresholds.csv": self.thresholds, "tornado.csv": self.tornado,
                  "probabilities.csv": self.probabilities}
        if self.global_ is not None:
            tables["sobol.csv"] = self.global_.table()
            tables["prior_probabilities.csv"] = self.global_.prior_probability.reset_index()
        names = []
        with fresh_folder(target, overwrite=overwrite,
                          meta={"scenario": self.region.name}) as tmp:
            (tmp / "report.txt").write_text(self.report(top=10**6), encoding="utf-8")
            names.append("report.txt")
            for name, df in tables.items():
                (tmp / name).write_text(df.to_csv(index=False), encoding="utf-8")
                names.append(name)
            if figures:
                from matplotlib.figure import Figure

                fig = Figure(figsize=(8, 6))
                draw_tornado(self.tornado, ax=fig.subplots())
                buf = io.BytesIO()
                fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
                (tmp / "tornado.png").write_bytes(buf.getvalue())
                names.append("tornado.png")
        return [Path(target) / n for n in names]


def sensitivity(region: Region, params: Any = None, *, which: str = "all",
                draws: Sequence[Any] | None = None, samples: int = 16, seed: int = 0,
                conclusion: str = "host", grid: int = 6,
                global_analysis: bool = True) -> SensitivityAnalysis:
    """Run the whole robustness analysis of a scenario (what ``restrat sensitivity`` prints).

    Parameters
    ----------
    region, params
    which : {"all", "parameters", "covariates"}
        The factors (:func:`default_factors`).
    draws : sequence of ModelParameters, optional
        Parameter draws (e.g. a posterior sample): the outcome probabilities are
        averaged over them; otherwise they are those at *params*.
    samples : int
        Base sample size of the global analysis.
    conclusion : str
        The conclusion of the tornado.
    """
    from .model import ModelParameters

    params = params or ModelParameters()
    factors = default_factors(region, params, which)
    base = conclusions(region, params)
    th = thresholds(region, params, factors, grid=grid)
    tor = tornado(region, params, factors, conclusion)
    glob = (global_sensitivity(region, params, factors, n=samples, seed=seed)
            if global_analysis else None)
    probs = outcome_probabilities(region, list(draws) if draws else [params])
    source = (f"averaged over {len(draws)} posterior draws" if draws
              else "at the parameters given")
    return SensitivityAnalysis(region, params, base, th, tor, glob, probs, source)
