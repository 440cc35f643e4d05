"""Government formation on ParlGov: every fit of the docs page, with results committed.

Data: the bundled ParlGov formation opportunities (Döring, Quaas, Hesse and
Manow 2023, *Parliaments and governments database (ParlGov)*, development
version; derivation in ``estimation.datasets.parlgov_derive``).

Runs, on this machine:

1. the reduced-form conditional logit (MLE) on all 1,364 opportunities, and its
   out-of-sample top-1/top-5 accuracy beside the largest-party minimal-winning
   baseline: a time split (fit before 2000, predict from 2000 on) and leaving
   one country out;
2. the structural proposal-and-vote model: maximum likelihood, and the Bayesian
   fits (pooled, and hierarchical by country) on all opportunities, with wall
   times;
3. the same Bayesian fits on the opportunities before 2000, and their posterior
   expected top-1/top-5 accuracy on those from 2000 on (all potential cabinets
   ranked), beside the reduced form and the baseline on the same cabinets;
4. the classic regularities (minimal winning, largest party, median party,
   ideological range, incumbency, minority cabinets, number of parties):
   observed shares against the shares each fitted model predicts (parliaments
   of at most 10 parties, where every cabinet is listed).

Writes ``benchmarks/government.json``, ``benchmarks/RESULTS_government.md`` and
the figures under ``docs/assets/government/``.

Usage: ``python benchmarks/bench_government.py [--quick] [--sampler auto|nutpie-jax|pymc]
[--draws 500 --tune 500 --chains 2]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import machine, markdown_table, versions  # noqa: E402

HERE = Path(__file__).parent
FIGS = HERE.parent / "docs" / "assets" / "government"
SPLIT = "2000-01-01"


def _tab(df: pd.DataFrame) -> dict:
    return {str(k): {str(c): (None if pd.isna(v) else float(v)) for c, v in row.items()}
            for k, row in df.iterrows()}


def regularities(data, models: dict) -> pd.DataFrame:
    """Observed and model-predicted shares of the classic regularities (n <= 10)."""
    from gametheory.government import FEATURES

    keep = data.n_parties <= 10
    sub = data.subset(keep)
    names = {"minimal_winning": "minimal winning", "minority": "minority cabinet",
             "largest_party": "includes the largest party",
             "median_party": "includes the median party", "incumbent": "same as outgoing",
             "ideological_range": "ideological range (mean)",
             "n_parties": "number of parties (mean)", "single": "single-party"}
    rows = {k: {} for k in names}
    obs = np.array([p.features([c])[0] for p, c in zip(sub.parliaments, sub.chosen,
                                                         strict=True)])
    for k in names:
        rows[k]["observed"] = float(np.mean(obs[:, FEATURES.index("n_parties")] == 1)
                                    if k == "single" else obs[:, FEATURES.index(k)].mean())
    for label, score in models.items():
        acc = {k: 0.0 for k in names}
        for i, p in enumerate(sub.parliaments):
            masks = p.all_cabinets()
            f = p.features(masks)
            s = np.asarray(score(i, p, masks), float)
            w = np.exp(s - s.max())
            w /= w.sum()
            for k in names:
                col = (f[:, FEATURES.index("n_parties")] == 1) if k == "single" else f[
                    :, FEATURES.index(k)]
                acc[k] += float(w @ col)
        for k in names:
            rows[k][label] = acc[k] / sub.n_opportunities
    out = pd.DataFrame(rows).T
    out.index = [names[k] for k in out.index]
    out.attrs["n"] = int(sub.n_opportunities)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small fits (a smoke run)")
    ap.add_argument("--sampler", default="auto")
    ap.add_argument("--chains", type=int, default=2)
    ap.add_argument("--draws", type=int, default=500)
    ap.add_argument("--tune", type=int, default=500)
    ap.add_argument("--posterior-draws", type=int, default=40,
                    help="posterior draws used for the predictive accuracy")
    ap.add_argument("--json", default=str(HERE / "government.json"))
    ap.add_argument("--md", default=str(HERE / "RESULTS_government.md"))
    ap.add_argument("--no-figures", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        args.draws, args.tune, args.posterior_draws = 60, 60, 5

    from estimation import government as G
    from estimation import government_structural as S

    out: dict = {"machine": machine(), "load_at_start": open("/proc/loadavg").read().split()[:3],
                 "versions": versions("numpy", "scipy", "pymc", "pytensor", "nutpie", "jax",
                                      "statsmodels"),
                 "settings": vars(args), "citation": G.PARLGOV_CITATION}
    data = G.load_parlgov()
    exc = data.excluded["reason"].value_counts()
    out["data"] = {"opportunities": data.n_opportunities, "countries": data.n_countries,
                   "excluded": {k: int(v) for k, v in exc.items()},
                   "train_before": SPLIT, "train": int(data.before(SPLIT).sum()),
                   "test": int((~data.before(SPLIT)).sum())}
    print(f"# {data}", flush=True)

    # 1. reduced form ------------------------------------------------------------
    t0 = time.perf_counter()
    rf = G.fit_formation(data)
    out["reduced_form"] = {"table": _tab(rf.table), "loglik": rf.loglik,
                           "seconds": time.perf_counter() - t0, "converged": rf.converged}
    print(rf.table.round(3), flush=True)
    cv = {}
    for scheme in ("time", "country"):
        t0 = time.perf_counter()
        res = G.cross_validate(data, scheme, split_date=SPLIT)
        cv[scheme] = {"accuracy": _tab(G.accuracy_table(res)), "n": len(res),
                      "seconds": time.perf_counter() - t0}
        if scheme == "time":
            cv_time = res
        print(scheme, G.accuracy_table(res).round(3).to_dict(), flush=True)
    out["cross_validation"] = cv

    # 2. structural, all data ----------------------------------------------------
    t0 = time.perf_counter()
    sd = S.build_structural_design(data)
    t_design = time.perf_counter() - t0
    t0 = time.perf_counter()
    mle = S.fit_structural_mle(sd)
    out["structural_mle"] = {"table": _tab(mle.table), "loglik": mle.loglik,
                             "seconds": time.perf_counter() - t0, "design_seconds": t_design,
                             "converged": mle.converged, "settings": sd.settings}
    print(mle.table.round(3), flush=True)
    fits = {}
    for hier in (False, True):
        key = "hierarchical" if hier else "pooled"
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = S.fit_structural(sd, hierarchical=hier, sampler=args.sampler,
                                 chains=args.chains, draws=args.draws, tune=args.tune, seed=1)
        wall = time.perf_counter() - t0
        st = f.idata.sample_stats
        out[f"bayes_{key}"] = {"summary": _tab(f.summary), "wall_seconds": wall,
                               "timing": f.timing, "settings": f.settings,
                               "divergences": int(st["diverging"].sum()),
                               "mean_steps": float(st["n_steps"].mean())
                               if "n_steps" in st else None}
        if hier:
            al = f.idata.posterior["alpha"]
            out["bayes_hierarchical"]["alpha_by_country"] = {
                c: {"mean": float(al.sel(country=c).mean()),
                    "lo": float(al.sel(country=c).quantile(0.03)),
                    "hi": float(al.sel(country=c).quantile(0.97))}
                for c in f.design.countries}
        fits[key] = f
        print(key, f"{wall:.1f} s", f.summary[["mean", "sd", "r_hat"]].round(3), flush=True)

    # 3. out of sample ------------------------------------------------------------
    train = data.subset(data.before(SPLIT))
    test = data.subset(~data.before(SPLIT))
    sd_train = S.build_structural_design(train)
    acc = {"baseline": G.accuracy_table(cv_time).loc["baseline"].to_dict(),
           "reduced_form": G.accuracy_table(cv_time).loc["logit"].to_dict()}
    rng = np.random.default_rng(0)
    for hier in (False, True):
        key = "hierarchical" if hier else "pooled"
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = S.fit_structural(sd_train, hierarchical=hier, sampler=args.sampler,
                                 chains=args.chains, draws=args.draws, tune=args.tune, seed=2)
        dr = f.draws(args.posterior_draws, seed=3)
        countries = list(f.design.countries)
        if hier:
            post = f.idata.posterior
            mu = post["mu_alpha"].stack(s=("chain", "draw")).to_numpy()
            sg = post["sigma_alpha"].stack(s=("chain", "draw")).to_numpy()
            new = sorted(set(test.opportunities["country"]) - set(countries))
            pick = rng.choice(len(mu), len(dr["kappa"]), replace=False)
            extra = mu[pick, None] + sg[pick, None] * rng.normal(size=(len(pick), len(new)))
            dr["alpha"] = np.concatenate([dr["alpha"], extra], axis=1)
            countries += new
            out.setdefault("notes", []).append(
                f"countries without cabinets before {SPLIT} ({', '.join(new) or 'none'}) "
                "get tolerances drawn from the fitted population")
        topk = S.structural_topk(dr, test, countries=countries,
                                 max_units=f.design.settings["max_units"])
        acc[f"structural_{key}"] = {"top1": float(topk["top1"].mean()),
                                    "top5": float(topk["top5"].mean())}
        print(key, "out of sample", acc[f"structural_{key}"],
              f"{time.perf_counter() - t0:.1f} s", flush=True)
    out["out_of_sample"] = {"accuracy": acc, "n_test": test.n_opportunities,
                            "n_train": train.n_opportunities,
                            "what": f"fit before {SPLIT}, predict from then on; structural: "
                            "posterior expected accuracy over "
                            f"{args.posterior_draws} draws"}

    # 4. regularities -------------------------------------------------------------
    models = {"reduced form": G.linear_score(rf.params.to_numpy())}
    for key, f in fits.items():
        th = f.idata.posterior["theta"].mean(("chain", "draw")).to_numpy()
        ka = float(f.idata.posterior["kappa"].mean())
        al = f.idata.posterior["alpha"].mean(("chain", "draw")).to_numpy()
        models[f"structural ({key})"] = S.structural_score(
            th, al[None, :] if al.ndim else al, np.array([ka]), data.subset(
                data.n_parties <= 10), countries=list(f.design.countries),
            max_units=f.design.settings["max_units"])
    reg = regularities(data, models)
    out["regularities"] = {"table": _tab(reg), "n": reg.attrs["n"]}
    print(reg.round(3), flush=True)

    Path(args.json).write_text(json.dumps(out, indent=2, default=str))
    Path(args.md).write_text(render_markdown(out))
    if not args.no_figures:
        figures(out)
    return 0


def render_markdown(out: dict) -> str:
    """The committed results page (also what the docs page reads, via the JSON)."""
    d = out["data"]
    lines = ["# Government formation on ParlGov (`benchmarks/bench_government.py`)", "",
             f"Data: {out['citation']} {d['opportunities']} formation opportunities in "
             f"{d['countries']} countries (excluded: {d['excluded']}).", "",
             f"Machine: {out['machine']['cpus']} CPUs, shared and loaded (load average at start "
             f"{', '.join(out['load_at_start'])}); versions {out['versions']}.", ""]
    rf = pd.DataFrame(out["reduced_form"]["table"]).T
    lines += ["## Reduced-form conditional logit (MLE)", "",
              f"{out['reduced_form']['seconds']:.1f} s, log-likelihood "
              f"{out['reduced_form']['loglik']:.2f}.", "",
              markdown_table(["covariate", "estimate", "se"],
                             [[k, f"{r['estimate']:.3f}", f"{r['se']:.3f}"]
                              for k, r in rf.iterrows()]), ""]
    for scheme, v in out["cross_validation"].items():
        a = v["accuracy"]
        lines += [f"Out of sample ({scheme}, {v['n']} cabinets): "
                  + "; ".join(f"{m} top-1 {a[m]['top1']:.3f}, top-5 {a[m]['top5']:.3f}"
                              for m in a), ""]
    sm = pd.DataFrame(out["structural_mle"]["table"]).T
    lines += ["## Structural model, maximum likelihood", "",
              f"{out['structural_mle']['seconds']:.1f} s (design "
              f"{out['structural_mle']['design_seconds']:.1f} s), settings "
              f"{out['structural_mle']['settings']}.", "",
              markdown_table(["parameter", "estimate", "se"],
                             [[k, f"{r['estimate']:.3f}", f"{r['se']:.3f}"]
                              for k, r in sm.iterrows()]), ""]
    for key in ("pooled", "hierarchical"):
        b = out[f"bayes_{key}"]
        s = pd.DataFrame(b["summary"]).T
        lines += [f"## Structural model, Bayesian ({key})", "",
                  f"Wall time {b['wall_seconds']:.1f} s (design, compile, sample: "
                  + ", ".join(f"{k} {v:.1f} s" for k, v in b["timing"].items())
                  + f"); {b['settings']['chains']} chains x {b['settings']['draws']} draws "
                  f"({b['settings']['tune']} tuning), sampler {b['settings']['sampler']}"
                  f"/{b['settings']['backend']}; {b['divergences']} divergences.", "",
                  markdown_table(["parameter", "mean", "sd", "3%", "97%", "R-hat", "ESS bulk"],
                                 [[k, f"{r['mean']:.3f}", f"{r['sd']:.3f}",
                                   f"{r['hdi_3%']:.3f}", f"{r['hdi_97%']:.3f}",
                                   f"{r['r_hat']:.3f}", f"{r['ess_bulk']:.0f}"]
                                  for k, r in s.iterrows()]), ""]
    o = out["out_of_sample"]
    lines += ["## Out-of-sample accuracy", "", f"{o['what']}; {o['n_train']} training and "
              f"{o['n_test']} test cabinets.", "",
              markdown_table(["model", "top-1", "top-5"],
                             [[m, f"{a['top1']:.3f}", f"{a['top5']:.3f}"]
                              for m, a in o["accuracy"].items()]), ""]
    r = pd.DataFrame(out["regularities"]["table"]).T
    lines += ["## Regularities", "",
              f"Observed shares and the shares each fitted model predicts "
              f"({out['regularities']['n']} opportunities of at most 10 parties).", "",
              markdown_table(["", *r.columns], [[k, *(f"{v:.3f}" for v in row)]
                                                 for k, row in r.iterrows()]), ""]
    for n in out.get("notes", []):
        lines.append(f"- {n}")
    return "\n".join(lines) + "\n"


def figures(out: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    FIGS.mkdir(parents=True, exist_ok=True)
    r = pd.DataFrame(out["regularities"]["table"]).T
    shares = r.drop(index=[i for i in r.index if "mean" in i])
    ax = shares.plot.barh(figsize=(7, 4.2), width=0.8)
    ax.set_xlabel("share of cabinets")
    ax.invert_yaxis()
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Observed and predicted cabinet types (ParlGov)")
    plt.tight_layout()
    plt.savefig(FIGS / "regularities.png", dpi=110)
    plt.close()
    a = pd.DataFrame(out["out_of_sample"]["accuracy"]).T
    ax = a.plot.bar(figsize=(6.5, 3.6), rot=0)
    ax.set_ylabel("share of test cabinets")
    ax.set_title(f"Out of sample: fit before {SPLIT}, predict after")
    ax.set_xticklabels([t.get_text().replace("_", "\n") for t in ax.get_xticklabels()],
                       fontsize=8)
    plt.tight_layout()
    plt.savefig(FIGS / "accuracy.png", dpi=110)
    plt.close()
    al = pd.DataFrame(out["bayes_hierarchical"]["alpha_by_country"]).T.sort_values("mean")
    fig, ax = plt.subplots(figsize=(5.5, 7))
    y = np.arange(len(al))
    ax.errorbar(al["mean"], y, xerr=[al["mean"] - al["lo"], al["hi"] - al["mean"]], fmt="o",
                ms=3, lw=1)
    ax.set_yticks(y, al.index, fontsize=7)
    ax.set_xlabel("alpha: support logit of an outside party at the cabinet's position")
    ax.set_title("Tolerance of minority cabinets by country (94% intervals)", fontsize=9)
    plt.tight_layout()
    plt.savefig(FIGS / "alpha_by_country.png", dpi=110)
    plt.close()


if __name__ == "__main__":
    sys.exit(main())
