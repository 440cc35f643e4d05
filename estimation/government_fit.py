r"""Every government-formation fit from one call: what ``restrat fit parlgov`` runs.

:func:`fit_government` fits, to the same formation data, any of

``clogit``
    the reduced-form conditional logit over potential cabinets (MLE,
    :func:`estimation.government.fit_formation`);
``mle``
    the structural proposal-and-vote model by maximum likelihood
    (:func:`estimation.government_structural.fit_structural_mle`);
``structural``
    the same model, Bayesian, pooled (one tolerance :math:`\alpha`);
``hierarchical``
    the same model, Bayesian, with a tolerance :math:`\alpha_c \sim
    N(\mu_\alpha, \sigma_\alpha)` per country
    (:func:`estimation.government_structural.fit_structural`),

times each fit, and scores each model out of sample: fitted again to the
opportunities before ``split_date``, it ranks *all* :math:`2^n - 1` potential
cabinets of every later opportunity; the top-1 (top-5) accuracy is the share
of those cabinets whose party set is ranked first (among the first five), ties
broken at random, beside the largest-party minimal-winning baseline
(:func:`estimation.government.baseline_score`). For the Bayesian models the
accuracy is the posterior expectation over ``posterior_draws`` draws
(:func:`estimation.government_structural.structural_topk`); a country without
cabinets before the split gets, in each draw, a tolerance drawn from the
fitted population :math:`N(\mu_\alpha, \sigma_\alpha)`. ``cv="country"`` adds
leave-one-country-out accuracy of the reduced form and the baseline.

:func:`regularities` compares the observed shares of the classic cabinet
types of coalition research (minimal winning, minority, single-party, with the
largest or the median party, incumbent; the mean ideological range and number
of parties) with the shares each fitted model predicts.

Examples
--------
>>> from estimation.government import load_parlgov
>>> data = select_countries(load_parlgov(), "MLT,CAN")
>>> res = fit_government(data, "clogit", cv="time")
>>> sorted(res.results["out_of_sample"]["accuracy"])
['baseline', 'reduced_form']
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gametheory.errors import InvalidArgumentError, InvalidTypeError
from gametheory.government import FEATURES, Parliament

from . import government as G
from . import government_structural as S

__all__ = ["GOVERNMENT_MODELS", "SPLIT_DATE", "GovernmentResults", "parse_models",
           "select_countries", "fit_government", "regularities", "cli_fit_parlgov"]

#: the models :func:`fit_government` fits, in the order it fits them
GOVERNMENT_MODELS = ("clogit", "mle", "structural", "hierarchical")
#: default split of the out-of-sample check: fit before, predict from then on
SPLIT_DATE = "2000-01-01"
_LABEL = {"clogit": "reduced-form conditional logit (MLE)",
          "mle": "structural proposal-and-vote model (MLE)",
          "structural": "structural model, Bayesian, pooled",
          "hierarchical": "structural model, Bayesian, tolerance by country"}
_KEY = {"clogit": "reduced_form", "mle": "structural_mle", "structural": "structural_pooled",
        "hierarchical": "structural_hierarchical"}
_REGULARITIES = {"minimal_winning": "minimal winning", "minority": "minority cabinet",
                 "single": "single-party", "largest_party": "includes the largest party",
                 "median_party": "includes the median party",
                 "incumbent": "same parties as the outgoing cabinet",
                 "ideological_range": "ideological range (mean)",
                 "n_parties": "number of parties (mean)"}


def parse_models(spec: str | Sequence[str]) -> tuple[str, ...]:
    """Models named by a comma list (``"clogit,mle"``) or ``"all"``, in fitting order.

    Examples
    --------
    >>> parse_models("hierarchical,clogit")
    ('clogit', 'hierarchical')
    >>> parse_models("all")
    ('clogit', 'mle', 'structural', 'hierarchical')
    """
    items = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec)]
    items = [s for s in items if s]
    if items == ["all"]:
        return GOVERNMENT_MODELS
    bad = [s for s in items if s not in GOVERNMENT_MODELS]
    if bad or not items:
        raise InvalidArgumentError("--model", spec, f"unknown model(s) {bad} for the ParlGov "
                                   "data" if bad else "no model named",
                                   f"Use a comma list of {', '.join(GOVERNMENT_MODELS)}, "
                                   "or all")
    return tuple(m for m in GOVERNMENT_MODELS if m in items)


def select_countries(data: G.FormationData, countries: str | Sequence[str] | None
                     ) -> G.FormationData:
    """The opportunities of the named countries (ParlGov codes such as ``"DNK"``).

    ``None`` keeps every country. Unknown codes are refused, naming them and
    the codes present.
    """
    if countries is None:
        return data
    names = [c.strip() for c in (countries.split(",") if isinstance(countries, str)
                                 else countries)]
    names = [c for c in names if c]
    have = sorted(set(data.opportunities["country"]))
    bad = [c for c in names if c not in have]
    if bad or not names:
        raise InvalidArgumentError("--countries", countries,
                                   f"unknown country code(s) {bad}" if bad else "no country",
                                   f"Use a comma list of {', '.join(have)}")
    out = data.subset(data.opportunities["country"].isin(names).to_numpy())
    exc = getattr(data, "excluded", None)
    if exc is not None:
        out.excluded = exc[exc["country"].isin(names)].reset_index(  # type: ignore[attr-defined]
            drop=True)
    return out


def _tab(df: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    return {str(k): {str(c): (None if pd.isna(v) else float(v)) for c, v in row.items()}
            for k, row in df.iterrows()}


@dataclass
class GovernmentResults:
    """What :func:`fit_government` fitted and measured.

    Attributes
    ----------
    results : dict
        JSON-ready: ``data``, ``reduced_form``, ``structural_mle``,
        ``bayes_pooled``, ``bayes_hierarchical`` (those fitted: estimates,
        log-likelihood or sampler diagnostics, seconds), ``out_of_sample``
        (accuracy per model, train and test sizes, seconds of each refit),
        ``cross_validation`` (leave one country out), ``regularities``.
    fits : dict
        The fitted objects by model name (:class:`~estimation.mle.MLEResults`,
        :class:`~estimation.government_structural.StructuralFit`).
    data : FormationData
    """

    results: dict[str, Any]
    fits: dict[str, Any] = field(default_factory=dict)
    data: Any = None

    def to_json(self, path: str | Path) -> None:
        """Write :attr:`results` as JSON."""
        Path(path).write_text(json.dumps(self.results, indent=2, default=str),
                              encoding="utf-8")

    def report(self) -> str:
        """The printed report (``restrat fit parlgov``)."""
        return _report(self.results)

    def scores(self, data: G.FormationData | None = None
               ) -> dict[str, Callable[[int, Parliament, np.ndarray], np.ndarray]]:
        """Score functions (log-probabilities of every potential cabinet) of the fitted
        models over the opportunities of ``data`` (default: the fitted data), keyed by
        label; the Bayesian models at the posterior mean of their parameters."""
        return _scores(self.fits, self.data if data is None else data)


def _bayes_summary(f: S.StructuralFit, wall: float) -> dict[str, Any]:
    st = f.idata.sample_stats
    out: dict[str, Any] = {"summary": _tab(f.summary), "wall_seconds": wall,
                           "timing": f.timing, "settings": f.settings,
                           "divergences": int(st["diverging"].sum()),
                           "max_r_hat": float(f.summary["r_hat"].max()),
                           "min_ess_bulk": float(f.summary["ess_bulk"].min())}
    if f.hierarchical:
        al = f.idata.posterior["alpha"]
        out["alpha_by_country"] = {
            c: {"mean": float(al.sel(country=c).mean()),
                "lo": float(al.sel(country=c).quantile(0.03)),
                "hi": float(al.sel(country=c).quantile(0.97))}
            for c in f.design.countries}
    return out


def _posterior_draws(f: S.StructuralFit, n: int, test: G.FormationData,
                     seed: int) -> tuple[dict[str, np.ndarray], list[str], list[str]]:
    r"""``n`` posterior draws for prediction; a hierarchical fit gives a country without
    training cabinets, in each draw, a tolerance from that draw's population
    :math:`N(\mu_\alpha, \sigma_\alpha)`."""
    rng = np.random.default_rng(seed)
    dr = f.draws()
    total = len(dr["kappa"])
    pick = rng.choice(total, min(n, total), replace=False)
    dr = {k: v[pick] for k, v in dr.items()}
    countries = list(f.design.countries)
    new: list[str] = []
    if f.hierarchical:
        new = sorted(set(test.opportunities["country"]) - set(countries))
        if new:
            post = f.idata.posterior
            mu = post["mu_alpha"].stack(s=("chain", "draw")).to_numpy()[pick]
            sg = post["sigma_alpha"].stack(s=("chain", "draw")).to_numpy()[pick]
            extra = mu[:, None] + sg[:, None] * rng.normal(size=(len(pick), len(new)))
            dr["alpha"] = np.concatenate([dr["alpha"], extra], axis=1)
            countries += new
    return dr, countries, new


def fit_government(data: G.FormationData, models: str | Sequence[str] = ("clogit", "mle"), *,
                   cv: str | Sequence[str] = "time", split_date: str = SPLIT_DATE,
                   max_exact: int = 10, n_draws: int = 100, sampler: str = "auto",
                   chains: int = 2, draws: int = 500, tune: int = 500, seed: int = 0,
                   posterior_draws: int = 40, with_regularities: bool = False,
                   max_regularity_parties: int = 10, progress: bool = False,
                   log: Callable[[str], None] | None = None) -> GovernmentResults:
    """Fit the named models to formation data, time them and score them out of sample.

    Parameters
    ----------
    data : FormationData
    models : str or sequence of str
        From :data:`GOVERNMENT_MODELS` (a comma list, or ``"all"``).
    cv : str or sequence of str
        ``"time"`` (every model: fitted again before ``split_date``, scored
        after), ``"country"`` (leave one country out: reduced form and
        baseline), both (``"time,country"``) or ``"none"``.
    split_date : str
        ISO date of the time split.
    max_exact, n_draws : int
        Reduced form: parliaments of at most ``max_exact`` parties list every
        cabinet, larger ones the formed cabinet and ``n_draws`` sampled ones
        (with the sampling correction).
    sampler, chains, draws, tune : str, int
        The Bayesian fits (:func:`~estimation.government_structural.fit_structural`).
    seed : int
        Seeds the sampled choice sets and the samplers.
    posterior_draws : int
        Posterior draws over which the Bayesian accuracy is averaged.
    with_regularities : bool
        Also compute :func:`regularities` (parliaments of at most
        ``max_regularity_parties`` parties).
    progress : bool
        Show the samplers' progress bars.
    log : callable, optional
        Called with a line of text after each step (e.g. ``print``).

    Returns
    -------
    GovernmentResults

    Raises
    ------
    InvalidArgumentError
        Unknown models or validation schemes, a time split that leaves no
        training or no test opportunity, fewer than two countries for the
        hierarchical model.
    """
    if not isinstance(data, G.FormationData):
        raise InvalidTypeError("data", type(data).__name__, "not FormationData",
                               "Use estimation.government.load_parlgov()")
    todo = parse_models(models)
    schemes = [s.strip() for s in (cv.split(",") if isinstance(cv, str) else cv)]
    schemes = [s for s in schemes if s and s != "none"]
    if any(s not in ("time", "country") for s in schemes):
        raise InvalidArgumentError("--cv", cv, "unknown validation scheme",
                                   "Use time, country, time,country or none")
    if "hierarchical" in todo and data.n_countries < 2:
        raise InvalidArgumentError("--model", "hierarchical", f"needs two or more countries, "
                                   f"the data have {data.n_countries}",
                                   "Select more countries, or fit the pooled model")
    say = log or (lambda s: None)
    try:
        pd.Timestamp(split_date)
    except (TypeError, ValueError):
        raise InvalidArgumentError("split_date", split_date, "not a date",
                                   "Give an ISO date such as 2000-01-01") from None
    train_mask = data.before(split_date)
    if "time" in schemes and (train_mask.all() or not train_mask.any()):
        raise InvalidArgumentError("split_date", split_date, f"leaves {int(train_mask.sum())} "
                                   f"training and {int((~train_mask).sum())} test "
                                   "opportunities", "Choose a date inside the data's range, "
                                   "or --cv none")
    exc = getattr(data, "excluded", None)
    out: dict[str, Any] = {"data": {
        "opportunities": data.n_opportunities, "countries": data.n_countries,
        "country_codes": sorted(set(data.opportunities["country"])),
        "excluded": {} if exc is None else {str(k): int(v) for k, v in
                                            exc["reason"].value_counts().items()},
        "split_date": split_date, "train": int(train_mask.sum()),
        "test": int((~train_mask).sum()), "max_exact": max_exact, "n_draws": n_draws},
        "models": list(todo)}
    fits: dict[str, Any] = {}
    bayes = {"sampler": sampler, "chains": chains, "draws": draws, "tune": tune,
             "progressbar": progress}

    # ---- all the data ---------------------------------------------------------------
    if "clogit" in todo:
        rf = G.fit_formation(data, max_exact=max_exact, n_draws=n_draws, seed=seed)
        fits["clogit"] = rf
        out["reduced_form"] = {"table": _tab(rf.table), "loglik": rf.loglik,
                               "seconds": rf.seconds, "converged": rf.converged}
        say(f"reduced form: {rf.seconds:.1f} s")
    structural = [m for m in todo if m != "clogit"]
    sd = None
    if structural:
        t0 = time.perf_counter()
        sd = S.build_structural_design(data, seed=seed)
        out["structural_design"] = {"seconds": time.perf_counter() - t0, **sd.settings}
        say(f"structural design: {out['structural_design']['seconds']:.1f} s")
    if "mle" in todo:
        m = S.fit_structural_mle(sd)
        fits["mle"] = m
        out["structural_mle"] = {"table": _tab(m.table), "loglik": m.loglik,
                                 "seconds": m.seconds, "converged": m.converged}
        say(f"structural MLE: {m.seconds:.1f} s")
    for key in ("structural", "hierarchical"):
        if key not in todo:
            continue
        t0 = time.perf_counter()
        f = _sample(sd, key == "hierarchical", seed=seed + 1, **bayes)
        wall = time.perf_counter() - t0
        fits[key] = f
        name = "bayes_pooled" if key == "structural" else "bayes_hierarchical"
        out[name] = _bayes_summary(f, wall)
        say(f"{_LABEL[key]}: {wall:.1f} s, {out[name]['divergences']} divergences, "
            f"max R-hat {out[name]['max_r_hat']:.3f}")

    # ---- out of sample ---------------------------------------------------------------
    if "time" in schemes:
        out["out_of_sample"] = _time_split(data, todo, train_mask, split_date, max_exact,
                                           n_draws, seed, posterior_draws, bayes, say)
    if "country" in schemes:
        t0 = time.perf_counter()
        res = G.cross_validate(data, "country", max_exact=max_exact, n_draws=n_draws,
                               seed=seed)
        out["cross_validation"] = {"country": {
            "accuracy": {("reduced_form" if k == "logit" else k): v for k, v in
                         _tab(G.accuracy_table(res)).items()},
            "n": len(res), "seconds": time.perf_counter() - t0}}
        say(f"leave one country out: {out['cross_validation']['country']['seconds']:.1f} s")
    results = GovernmentResults(out, fits, data)
    if with_regularities:
        t0 = time.perf_counter()
        small = data.subset(data.n_parties <= max_regularity_parties)
        reg = regularities(small, results.scores(small))
        out["regularities"] = {"table": _tab(reg), "n": reg.attrs["n"],
                               "max_parties": max_regularity_parties,
                               "seconds": time.perf_counter() - t0}
        say(f"regularities: {out['regularities']['seconds']:.1f} s")
    return results


def _sample(sd: S.StructuralDesign, hierarchical: bool, *, seed: int, sampler: str,
            chains: int, draws: int, tune: int, progressbar: bool) -> S.StructuralFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return S.fit_structural(sd, hierarchical=hierarchical, sampler=sampler, chains=chains,
                                draws=draws, tune=tune, seed=seed, progressbar=progressbar)


def _time_split(data: G.FormationData, todo: tuple[str, ...], train_mask: np.ndarray,
                split_date: str, max_exact: int, n_draws: int, seed: int,
                posterior_draws: int, bayes: dict[str, Any],
                say: Callable[[str], None]) -> dict[str, Any]:
    train, test = data.subset(train_mask), data.subset(~train_mask)
    t0 = time.perf_counter()
    base = G.predictive_accuracy(test, lambda i, p, m: G.baseline_score(p, m))
    acc: dict[str, dict[str, float]] = {"baseline": {"top1": float(base["top1"].mean()),
                                                     "top5": float(base["top5"].mean())}}
    secs: dict[str, float] = {"baseline": time.perf_counter() - t0}
    notes: list[str] = []
    if "clogit" in todo:
        t0 = time.perf_counter()
        rf = G.fit_formation(train, max_exact=max_exact, n_draws=n_draws, seed=seed)
        lg = G.predictive_accuracy(test, G.linear_score(rf.params.to_numpy()))
        acc["reduced_form"] = {"top1": float(lg["top1"].mean()),
                               "top5": float(lg["top5"].mean())}
        secs["reduced_form"] = time.perf_counter() - t0
    sd_train = None
    for key in todo:
        if key == "clogit":
            continue
        t0 = time.perf_counter()
        if sd_train is None:
            sd_train = S.build_structural_design(train, seed=seed)
        if key == "mle":
            m = S.fit_structural_mle(sd_train)
            p = m.params.to_numpy()
            dr = {"theta": p[None, :-2], "alpha": p[-2:-1], "kappa": p[-1:]}
            countries = list(sd_train.countries)
        else:
            f = _sample(sd_train, key == "hierarchical", seed=seed + 2, **bayes)
            dr, countries, new = _posterior_draws(f, posterior_draws, test, seed + 3)
            if new:
                notes.append(f"{_KEY[key]}: countries without cabinets before {split_date} "
                             f"({', '.join(new)}) get tolerances drawn from the fitted "
                             "population")
        top = S.structural_topk(dr, test, countries=countries,
                                max_units=sd_train.settings["max_units"])
        acc[_KEY[key]] = {"top1": float(top["top1"].mean()), "top5": float(top["top5"].mean())}
        secs[_KEY[key]] = time.perf_counter() - t0
        say(f"out of sample, {_LABEL[key]}: {secs[_KEY[key]]:.1f} s")
    return {"accuracy": acc, "seconds": secs, "n_train": train.n_opportunities,
            "n_test": test.n_opportunities, "split_date": split_date,
            "posterior_draws": posterior_draws, "notes": notes,
            "what": f"fitted to the cabinets formed before {split_date}, ranking every "
                    "potential cabinet of those formed from then on; Bayesian models: "
                    f"posterior expected accuracy over {posterior_draws} draws"}


def _scores(fits: dict[str, Any], data: G.FormationData
            ) -> dict[str, Callable[[int, Parliament, np.ndarray], np.ndarray]]:
    out: dict[str, Callable[[int, Parliament, np.ndarray], np.ndarray]] = {}
    if "clogit" in fits:
        out["reduced form"] = G.linear_score(fits["clogit"].params.to_numpy())
    if "mle" in fits:
        p = fits["mle"].params.to_numpy()
        out["structural (MLE)"] = S.structural_score(p[None, :-2], p[-2:-1], p[-1:], data,
                                                     max_units=_units(fits["mle"]))
    for key in ("structural", "hierarchical"):
        if key in fits:
            f = fits[key]
            post = f.idata.posterior
            al = post["alpha"].mean(("chain", "draw")).to_numpy()
            out[f"structural ({'pooled' if key == 'structural' else key})"] = \
                S.structural_score(post["theta"].mean(("chain", "draw")).to_numpy()[None],
                                   al.reshape(1, -1), np.array([float(post["kappa"].mean())]),
                                   data, countries=list(f.design.countries),
                                   max_units=_units(f))
    return out


def _units(fit: Any) -> int:
    design = fit.parts["design"] if hasattr(fit, "parts") else fit.design
    return int(design.settings["max_units"])


def regularities(data: G.FormationData,
                 scores: dict[str, Callable[[int, Parliament, np.ndarray], np.ndarray]]
                 ) -> pd.DataFrame:
    r"""Observed and predicted shares of the classic cabinet types.

    Over the opportunities of ``data`` (every potential cabinet is listed, so
    give parliaments of moderate size, e.g. ``data.subset(data.n_parties <=
    10)``), the observed share of formed cabinets of each type (minimal
    winning, minority, single-party, with the largest party, with the median
    party, the outgoing cabinet's parties) and the mean ideological range and
    number of parties, beside each model's prediction
    :math:`\frac1G \sum_g \sum_C P_g(C)\, t(C)` with
    :math:`P_g \propto e^{\text{score}}` and :math:`t(C)` the type indicator
    (or the range, the number of parties).

    Parameters
    ----------
    data : FormationData
    scores : dict
        Label to ``score(i, parliament, masks)`` (log-probabilities up to a
        constant; opportunity ``i`` of ``data``), as
        :func:`estimation.government.predictive_accuracy` takes.

    Returns
    -------
    DataFrame
        One row per regularity, columns ``observed`` and one per model;
        ``attrs["n"]`` is the number of opportunities.

    Examples
    --------
    >>> from estimation.government import simulate_formation, linear_score
    >>> d = simulate_formation([0, 0, 0, 0, 0, 0, 0, 4.0], n_opportunities=80, n_parties=4)
    >>> reg = regularities(d, {"logit": linear_score(np.r_[np.zeros(7), 4.0])})
    >>> row = reg.loc["same parties as the outgoing cabinet"]
    >>> bool(abs(row["logit"] - row["observed"]) < 0.1)
    True
    """
    if data.n_opportunities == 0 or int(data.n_parties.max()) > 16:
        raise InvalidArgumentError("data", data, "has no opportunity, or parliaments of more "
                                   "than 16 parties", "Give e.g. data.subset(data.n_parties "
                                   "<= 10)")
    names = list(_REGULARITIES)
    cols = [FEATURES.index("n_parties" if k == "single" else k) for k in names]

    def types(f: np.ndarray) -> np.ndarray:
        t = f[:, cols].astype(float)
        t[:, names.index("single")] = t[:, names.index("single")] == 1
        return t

    obs = types(np.array([p.features([c])[0] for p, c in zip(data.parliaments, data.chosen,
                                                              strict=True)]))
    sums = {label: np.zeros(len(names)) for label in scores}
    for i, p in enumerate(data.parliaments):
        masks = p.all_cabinets()
        t = types(p.features(masks))
        for label, fn in scores.items():
            s = np.asarray(fn(i, p, masks), float)
            w = np.exp(s - s.max())
            sums[label] += (w / w.sum()) @ t
    table = {"observed": obs.mean(axis=0),
             **{label: v / data.n_opportunities for label, v in sums.items()}}
    out = pd.DataFrame(table, index=[_REGULARITIES[k] for k in names])
    out.attrs["n"] = int(data.n_opportunities)
    return out


# ------------------------------------------------------------------ the report
def _fmt(df: pd.DataFrame) -> str:
    return df.to_string(float_format=lambda v: f"{v:.3f}")


def _report(r: dict[str, Any]) -> str:
    d = r["data"]
    exc = d["excluded"]
    lines = [f"Government formation on ParlGov: {', '.join(_LABEL[m] for m in r['models'])}",
             f"  {d['opportunities']} formation opportunities in {d['countries']} countries"]
    if exc:
        lines[-1] += (f"; excluded: {exc.get('caretaker', 0)} caretaker cabinets, "
                      f"{sum(v for k, v in exc.items() if k != 'caretaker')} cabinets whose "
                      "party set cannot be matched")
    if "reduced_form" in r:
        rf = r["reduced_form"]
        lines += ["", f"Reduced-form conditional logit (MLE): every cabinet listed for "
                  f"parliaments of <= {d['max_exact']} parties, larger ones: formed cabinet + "
                  f"{d['n_draws']} sampled (with the sampling correction); log-likelihood "
                  f"{rf['loglik']:.2f}, converged {rf['converged']}, {rf['seconds']:.1f} s",
                  _fmt(pd.DataFrame(rf["table"]).T[["estimate", "se", "z"]])]
    if "structural_design" in r:
        s = r["structural_design"]
        lines += ["", f"Structural model: choice sets listed up to {s['max_exact']} parties, "
                  f"otherwise the formed cabinet + {s['n_draws']} importance draws "
                  f"({s['importance']}, tempered {s['temper']}); built in {s['seconds']:.1f} s"]
    if "structural_mle" in r:
        m = r["structural_mle"]
        lines += [f"Maximum likelihood: log-likelihood {m['loglik']:.2f}, converged "
                  f"{m['converged']}, {m['seconds']:.1f} s",
                  _fmt(pd.DataFrame(m["table"]).T[["estimate", "se", "z"]])]
    for key, what in (("bayes_pooled", "pooled"), ("bayes_hierarchical",
                                                     "hierarchical by country")):
        if key not in r:
            continue
        b = r[key]
        st = b["settings"]
        lines += ["", f"Bayesian, {what}: {st['chains']} chains x {st['draws']} draws "
                  f"({st['tune']} tuning), {st['sampler']}"
                  + (f"/{st['backend']}" if st.get("backend") else "")
                  + f"; {b['wall_seconds']:.1f} s; {b['divergences']} divergences, max R-hat "
                  f"{b['max_r_hat']:.3f}, min bulk ESS {b['min_ess_bulk']:.0f}",
                  _fmt(pd.DataFrame(b["summary"]).T[["mean", "sd", "hdi_3%", "hdi_97%",
                                                      "r_hat"]])]
    if "out_of_sample" in r:
        o = r["out_of_sample"]
        acc = pd.DataFrame(o["accuracy"]).T
        acc["seconds"] = pd.Series(o["seconds"])
        lines += ["", f"Out-of-sample accuracy ({o['what']}; {o['n_train']} training and "
                  f"{o['n_test']} test cabinets; share whose party set is ranked first / in "
                  "the top five; baseline: largest-party minimal winning):", _fmt(acc)]
        lines += [f"  {n}" for n in o["notes"]]
    if "cross_validation" in r:
        c = r["cross_validation"]["country"]
        lines += ["", f"Leaving one country out ({c['n']} predicted cabinets):",
                  _fmt(pd.DataFrame(c["accuracy"]).T)]
    if "regularities" in r:
        g = r["regularities"]
        lines += ["", f"Classic regularities: observed and predicted shares ({g['n']} "
                  f"opportunities of <= {g['max_parties']} parties):",
                  _fmt(pd.DataFrame(g["table"]).T)]
    lines += ["", "Data: " + G.PARLGOV_CITATION]
    return "\n".join(lines)


def cli_fit_parlgov(*, model: str = "clogit,mle", cv: str = "time",
                    split_date: str = SPLIT_DATE, countries: str | None = None,
                    max_exact: int = 10, n_draws: int = 100, seed: int = 0,
                    sampler: str = "auto", chains: int = 2, draws: int = 500, tune: int = 500,
                    posterior_draws: int = 40, regularities: bool = False,
                    out: str | None = None, progress: bool = False) -> str:
    """What ``restrat fit parlgov`` prints (and, with ``out``, writes as JSON)."""
    todo = parse_models(model)
    data = select_countries(G.load_parlgov(), countries)
    res = fit_government(data, todo, cv=cv, split_date=split_date, max_exact=max_exact,
                         n_draws=n_draws, seed=seed, sampler=sampler, chains=chains,
                         draws=draws, tune=tune, posterior_draws=posterior_draws,
                         with_regularities=regularities, progress=progress)
    if out:
        res.to_json(out)
    return res.report()
