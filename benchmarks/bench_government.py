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
[--draws 500 --tune 500 --chains 2] [--stages 2,3 --resume] [--bayes-cv none]``.
``--resume`` keeps the results of the stages already in the JSON and runs the
stages named by ``--stages`` (1: reduced form and structural MLE, 2: Bayesian
pooled, 3: Bayesian hierarchical, 4: leave one country out); ``--bayes-cv
none`` fits the Bayesian models to all the cabinets only (no refit before the
time split).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import machine, markdown_table, versions, write_json  # noqa: E402

HERE = Path(__file__).parent
FIGS = HERE.parent / "docs" / "assets" / "government"
SPLIT = "2000-01-01"
LOAD_AT_START = open("/proc/loadavg").read().split()[:3]


STAGES = (("clogit", "mle"), ("structural",), ("hierarchical",))


def merge(out: dict, new: dict) -> None:
    """Add one stage's results to the others (accuracy, timings, regularity columns)."""
    for key, val in new.items():
        if key == "models":
            out.setdefault("models", []).extend(val)
        elif key == "out_of_sample" and key in out:
            o = out[key]
            for part in ("accuracy", "seconds"):
                o[part].update(val[part])
            o["notes"] += val["notes"]
        elif key == "regularities" and key in out:
            for row, cols in val["table"].items():
                out[key]["table"][row].update(cols)
            out[key]["seconds"] += val["seconds"]
        elif key not in out or key not in ("data", "structural_design"):
            out[key] = val


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
    ap.add_argument("--stages", default="1,2,3,4", help="stages to run (comma list)")
    ap.add_argument("--resume", action="store_true",
                    help="start from the results in --json (stages run again replace theirs)")
    ap.add_argument("--bayes-cv", default="time", choices=("time", "none"),
                    help="time split for the Bayesian stages too, or none")
    args = ap.parse_args(argv)
    stages = {int(x) for x in args.stages.split(",") if x.strip()}
    if args.quick:
        args.draws, args.tune, args.posterior_draws = 60, 60, 5

    from estimation.government import PARLGOV_CITATION, load_parlgov
    from estimation.government_fit import fit_government

    t0 = time.perf_counter()
    data = load_parlgov()
    print(f"# {data}", flush=True)
    new = {"machine": machine(), "load_at_start": LOAD_AT_START,
           "versions": versions("numpy", "scipy", "pymc", "pytensor", "nutpie", "jax",
                                "statsmodels"),
           "settings": vars(args), "citation": PARLGOV_CITATION}
    out = new
    if args.resume and Path(args.json).is_file():
        import json

        out = json.loads(Path(args.json).read_text(encoding="utf-8"))
        out["runs"] = [*out.get("runs", [{k: out.get(k) for k in
                                          ("machine", "load_at_start", "versions", "settings",
                                           "load_at_end", "total_seconds")}]),
                       {**new, "stages": sorted(stages)}]
        out.update(new)
        for models in (STAGES[s - 1] for s in stages if s <= len(STAGES)):
            drop_stage(out, models)
    # one stage at a time, results written after each (the Bayesian fits take longest)
    for i, models in enumerate((*STAGES, ())):
        if i + 1 not in stages:
            continue
        bayes = bool(models) and models[0] in ("structural", "hierarchical")
        cv = "country" if not models else ("none" if bayes and args.bayes_cv == "none"
                                           else "time")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = fit_government(
                data, models or "clogit", cv=cv,
                split_date=SPLIT, sampler=args.sampler, chains=args.chains, draws=args.draws,
                tune=args.tune, posterior_draws=args.posterior_draws,
                with_regularities=bool(models), seed=0,
                log=lambda s: print(f"[{time.perf_counter() - t0:7.1f} s] {s}", flush=True))
        if models:
            merge(out, res.results)
            print(res.report(), flush=True)
        else:                                   # leave one country out (reduced form)
            out["cross_validation"] = res.results["cross_validation"]
        prev = out.get("stages_done", [])
        prev = list(range(1, prev + 1)) if isinstance(prev, int) else prev
        out["stages_done"] = sorted({*prev, i + 1})
        out["load_at_end"] = open("/proc/loadavg").read().split()[:3]
        out["total_seconds"] = time.perf_counter() - t0
        if out.get("runs"):
            out["runs"][-1].update(load_at_end=out["load_at_end"],
                                   total_seconds=out["total_seconds"])
        write_json(args.json, out)
        Path(args.md).write_text(render_markdown(out), encoding="utf-8")
        if not args.no_figures:
            figures(out)
    return 0


def drop_stage(out: dict, models: tuple[str, ...]) -> None:
    """Remove one stage's results (it runs again)."""
    keys = {"structural": ["bayes_pooled"], "hierarchical": ["bayes_hierarchical"],
            "clogit": ["reduced_form", "structural_mle"]}
    cols = {"structural": ("structural_pooled", "structural (pooled)"),
            "hierarchical": ("structural_hierarchical", "structural (hierarchical)")}
    for m in models:
        for k in keys.get(m, []):
            out.pop(k, None)
        if m in cols:
            if m in out.get("models", []):
                out["models"].remove(m)
            o = out.get("out_of_sample", {})
            for part in ("accuracy", "seconds"):
                o.get(part, {}).pop(cols[m][0], None)
            for row in out.get("regularities", {}).get("table", {}).values():
                row.pop(cols[m][1], None)


def render_markdown(out: dict) -> str:
    """The committed results page (the docs page reads the JSON)."""
    d = out["data"]
    lines = ["# Government formation on ParlGov (`benchmarks/bench_government.py`)", "",
             f"Data: {out['citation']} {d['opportunities']} formation opportunities in "
             f"{d['countries']} countries (excluded: {d['excluded']}).", "",
             f"Machine: {out['machine']['cpus']} CPUs, shared with other work (load average "
             f"at start {', '.join(out['load_at_start'])}, at end "
             f"{', '.join(out['load_at_end'])}), so the times are upper bounds; total "
             f"{out['total_seconds'] / 60:.1f} min. Versions {out['versions']}.", ""]
    if out.get("runs"):
        first = out["runs"][0]
        lines[-2] = (f"Runs on {out['machine']['cpus']} CPUs shared with other work, so the "
                     "times are upper bounds. Versions of the latest run "
                     f"{out['versions']}.")
        lines[-1:] = [""] + [
            f"- {'stages ' + ', '.join(map(str, r['stages'])) if r.get('stages') else 'first run'}"
            f": load average at start {', '.join(r['load_at_start'])}"
            + (f", at end {', '.join(r['load_at_end'])}" if r.get("load_at_end") else "")
            + (f"; {r['total_seconds'] / 60:.1f} min" if r.get("total_seconds") else "")
            + (f"; versions {r['versions']}" if r is first else "")
            for r in out["runs"]] + [""]
    rf = pd.DataFrame(out["reduced_form"]["table"]).T
    lines += ["## Reduced-form conditional logit (MLE)", "",
              f"{out['reduced_form']['seconds']:.1f} s, log-likelihood "
              f"{out['reduced_form']['loglik']:.2f}.", "",
              markdown_table(["covariate", "estimate", "se"],
                             [[k, f"{r['estimate']:.3f}", f"{r['se']:.3f}"]
                              for k, r in rf.iterrows()]), ""]
    sm = pd.DataFrame(out["structural_mle"]["table"]).T
    sd = out["structural_design"]
    lines += ["## Structural model, maximum likelihood", "",
              f"{out['structural_mle']['seconds']:.1f} s (choice sets built in "
              f"{sd['seconds']:.1f} s: every cabinet up to {sd['max_exact']} parties, "
              f"otherwise the formed one and {sd['n_draws']} importance draws), "
              f"log-likelihood {out['structural_mle']['loglik']:.2f}.", "",
              markdown_table(["parameter", "estimate", "se"],
                             [[k, f"{r['estimate']:.3f}", f"{r['se']:.3f}"]
                              for k, r in sm.iterrows()]), ""]
    for key in ("pooled", "hierarchical"):
        if f"bayes_{key}" not in out:
            lines += [f"## Structural model, Bayesian ({key})", "", "Not run yet.", ""]
            continue
        b = out[f"bayes_{key}"]
        s = pd.DataFrame(b["summary"]).T
        lines += [f"## Structural model, Bayesian ({key})", "",
                  f"Wall time {b['wall_seconds']:.1f} s ("
                  + ", ".join(f"{k} {v:.1f} s" for k, v in b["timing"].items())
                  + f"); {b['settings']['chains']} chains x {b['settings']['draws']} draws "
                  f"({b['settings']['tune']} tuning), sampler {b['settings']['sampler']}"
                  f"/{b['settings']['backend']}; {b['divergences']} divergences.", "",
                  markdown_table(["parameter", "mean", "sd", "3%", "97%", "R-hat", "ESS bulk"],
                                 [[k, f"{r['mean']:.3f}", f"{r['sd']:.3f}",
                                   f"{r['hdi_3%']:.3f}", f"{r['hdi_97%']:.3f}",
                                   f"{r['r_hat']:.3f}", f"{r['ess_bulk']:.0f}"]
                                  for k, r in s.iterrows()]), ""]
    fits = [(k, out[f"bayes_{k}"]) for k in ("pooled", "hierarchical") if f"bayes_{k}" in out]
    if fits:
        lines += ["## The Bayesian fits against the 10-minute target", "",
                  "The issue asks for the Bayesian fit within 10 minutes on this machine with "
                  "the `fast` extra. Wall time of each fit (nutpie compiles the JAX function "
                  "at its first evaluation, so that compile time is inside *sample*) plus the "
                  "choice sets the fit needs (built once, with the reduced-form logit for the "
                  f"importance draws: {out['structural_design']['seconds']:.1f} s in the run "
                  "that built them):", ""]
        for k, b in fits:
            tot = b["wall_seconds"] + out["structural_design"]["seconds"]
            lines += [f"- {k}: {b['wall_seconds'] / 60:.1f} min fit, {tot / 60:.1f} min with "
                      f"the choice sets: {'within' if tot <= 600 else 'over'} 10 minutes "
                      f"(max R-hat {b['max_r_hat']:.3f}, min bulk ESS "
                      f"{b['min_ess_bulk']:.0f}, {b['divergences']} divergences)."]
        lines += ["", "Times on a shared machine depend on the other work running (the load "
                  "averages of each run are listed above).", ""]
    o = out["out_of_sample"]
    missing = [k for k, _ in fits if f"structural_{k}" not in o["accuracy"]]
    if missing:
        o = {**o, "notes": [*o["notes"], f"Bayesian {', '.join(missing)}: not refitted before "
                            "the split in the committed run (--bayes-cv none), so no "
                            "out-of-sample accuracy; the structural MLE is the same model."]}
    lines += ["## Out-of-sample accuracy", "", f"{o['what']}; {o['n_train']} training and "
              f"{o['n_test']} test cabinets. Seconds: fit on the training cabinets and "
              "ranking of the test cabinets.", "",
              markdown_table(["model", "top-1", "top-5", "seconds"],
                             [[m, f"{a['top1']:.3f}", f"{a['top5']:.3f}",
                               f"{o['seconds'][m]:.1f}"]
                              for m, a in o["accuracy"].items()]), ""]
    lines += [f"- {n}" for n in o["notes"]]
    c = out.get("cross_validation", {}).get("country")
    if c is not None:
        lines += ["", f"Leaving one country out ({c['n']} cabinets, {c['seconds']:.1f} s): "
                  + "; ".join(f"{m} top-1 {a['top1']:.3f}, top-5 {a['top5']:.3f}"
                              for m, a in c["accuracy"].items()), ""]
    done = out["stages_done"]
    done = list(range(1, done + 1)) if isinstance(done, int) else done
    lines += [f"Stages done: {', '.join(map(str, done))} of {len(STAGES) + 1} (1: reduced "
              "form and structural MLE; 2: Bayesian pooled; 3: Bayesian hierarchical; 4: leave "
              "one country out).", ""]
    skip = ("json", "md")
    for run in out.get("runs", []):
        if run.get("stages"):
            lines += [f"- stages {', '.join(map(str, run['stages']))} were run on "
                      f"{run['machine'].get('cpus')} CPUs with load average at start "
                      f"{', '.join(run['load_at_start'])} (settings "
                      f"{ {k: v for k, v in run['settings'].items() if k not in skip} })."]
    lines += [""]
    r = pd.DataFrame(out["regularities"]["table"]).T
    lines += ["## Regularities", "",
              f"Observed shares and the shares each fitted model predicts "
              f"({out['regularities']['n']} opportunities of at most "
              f"{out['regularities']['max_parties']} parties).", "",
              markdown_table(["", *r.columns], [[k, *(f"{v:.3f}" for v in row)]
                                                 for k, row in r.iterrows()]), ""]
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
    if "bayes_hierarchical" not in out:
        return
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
