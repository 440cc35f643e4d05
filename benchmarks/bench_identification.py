"""Identification of the proposal-and-vote model: power table, full SBC, LOO veto vs no veto.

1. **Power table** (maximum likelihood, :func:`estimation.mle.fit_structural`): for 20,
   50 and 200 random regions (drawn once per size), ``--reps`` outcome data sets from
   the one model at ``ModelParameters(lam=2.0, harm_weight=0.5)`` (the committee's
   patience held at 0.9), with and without the members' votes
   recorded. Per parameter: share of converged fits, 95% Wald coverage, median
   interval width, power (share of intervals excluding 0) and the share of fits whose
   identification diagnostic names the parameter. The stakes the allocations cannot
   identify are held at their true values (commissioners always; the ambulance
   service without votes), as a user of ``fit_mle(..., fixed=...)`` would.
2. **Simulation-based calibration** (Talts et al. 2018) of the Bayesian fit on the
   game's own data (votes recorded), all 17 estimands drawn from the prior (the
   committee's harm_weight and proposer_advantage among them; patience held at 0.9):
   rank
   uniformity (chi-square, p > 0.01 per parameter) and 95% coverage against the
   binomial range.
3. **Model comparison**: data with a veto (delta = 2.5) and without (delta = 0),
   both fitted with the veto model and the nested no-veto model; PSIS-LOO's choice
   per replication.

Usage: ``python benchmarks/bench_identification.py [--quick] [--only power,sbc,loo]
[--json PATH] [--power-reps N] [--sbc-sims N] [--sbc-regions N] [--sbc-votes yes,no]
[--loo-reps N]
[--loo-regions N]``; then ``--report A.json B.json ...`` merges result files into
``benchmarks/RESULTS_identification.md``.
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

#: harm_weight 0.5: reservation values bind in most committees (at the default 0.15 almost
#: none does, and the role counts say little about it)
TRUTH = {"lam": 2.0, "harm_weight": 0.5}


def power_table(sizes: tuple[int, ...], reps: int, seed: int = 0,
                deadline: float | None = None,
                votes_settings: tuple[bool, ...] = (False, True)) -> pd.DataFrame:
    """Per size, *reps* outcome draws, each fitted from the allocations alone and with votes.

    Both fits of a replication use the same drawn outcome (the votes table dropped for
    the first). With a *deadline* (``time.time()`` value) a size stops after the
    replication that passes it; the rows record how many replications were fitted.
    """
    import estimation as est
    from estimation.mle import StructuralLikelihood, fit_structural
    from estimation.simulate import SimulationBank, _regions
    from gametheory.restratification import ModelParameters

    p = ModelParameters(**TRUTH)
    truth = est.normalised_truth(p)
    rows = []
    for n in sizes:
        rng = np.random.default_rng(seed + n)
        bank = SimulationBank.build(_regions("random-region", n, rng), p,
                                    [f"r{i:04d}" for i in range(n)])
        liks: dict[bool, StructuralLikelihood] = {}
        fits: dict[bool, list] = {v: [] for v in votes_settings}
        secs = {v: 0.0 for v in votes_settings}
        for _ in range(reps):
            outcome = bank.draw(p, rng)
            for votes in votes_settings:
                t0 = time.perf_counter()
                data = bank.to_data(outcome, votes=votes)
                if votes not in liks:
                    fixed = {"stake_commissioners": p.stake_commissioners}
                    if not votes:
                        fixed["stake_ambulance"] = p.stake_ambulance
                    liks[votes] = StructuralLikelihood(data.arrays(), fixed=fixed)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fits[votes].append(fit_structural(liks[votes], data.arrays().obs))
                secs[votes] += time.perf_counter() - t0
            if deadline is not None and time.time() > deadline:
                break
        for votes in votes_settings:
            lik, fv = liks[votes], fits[votes]
            print(f"# power: {n} regions, votes={votes}: {len(fv)} fits in {secs[votes]:.0f} s",
                  flush=True)
            for k in lik.labels:
                est_ = np.array([f.table.at[k, "estimate"] for f in fv])
                lo = np.array([f.table.at[k, "lower"] for f in fv])
                hi = np.array([f.table.at[k, "upper"] for f in fv])
                ok = np.array([f.converged for f in fv])
                flagged = np.array([k in set(f.diagnostics["parameter"]) for f in fv])
                v = truth[k]
                fin = np.isfinite(hi - lo)
                rows.append({
                    "regions": n, "votes": votes, "parameter": k, "truth": v,
                    "reps": len(fv), "seconds": secs[votes],
                    "converged": ok.mean(),
                    "median_estimate": float(np.median(est_)),
                    "coverage_95": float(((lo <= v) & (v <= hi))[fin].mean()) if fin.any()
                    else np.nan,
                    "median_width": float(np.median((hi - lo)[fin])) if fin.any() else np.inf,
                    "power": float(((lo > 0) | (hi < 0))[fin].mean()) if fin.any() else 0.0,
                    "finite": float(fin.mean()),
                    "flagged": flagged.mean()})
    return pd.DataFrame(rows)


def sbc_study(n_sims: int, n_regions: int, votes: bool, seed: int = 0) -> tuple[pd.DataFrame,
                                                                                 dict]:
    import estimation as est

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = est.sbc(n_sims=n_sims, n_regions=n_regions, draws=200, tune=300, chains=2,
                    n_posterior=99, seed=seed, votes=votes, progress=True)
    from scipy import stats

    t = r.table()
    lo, hi = stats.binom.ppf([0.005, 0.995], n_sims, 0.95) / n_sims
    t["coverage_in_99%_binomial_range"] = t["coverage_95"].between(lo, hi)
    t["uniform_p>0.01"] = t["p_value"] > 0.01
    return t, {**r.info, "coverage_range": (float(lo), float(hi))}


def loo_study(reps: int, n_regions: int, votes: bool, seed: int = 0,
              deadline: float | None = None) -> pd.DataFrame:
    """Per replication, one data set with a veto and one without, each fitted by both models.

    With a *deadline* (``time.time()`` value) the study stops after the replication
    that passes it.
    """
    import estimation as est
    from estimation.simulate import SimulationBank, _regions
    from gametheory.restratification import ModelParameters

    rows = []
    rng = np.random.default_rng(seed)
    truths = {}
    for delta in (2.5, 0.0):
        p = ModelParameters(lam=2.0, delta=delta)
        bank = SimulationBank.build(_regions("random-region", n_regions, rng), p,
                                    [f"r{i:04d}" for i in range(n_regions)])
        truths[delta] = (p, bank, {})
    for rep in range(reps):
        for delta, (p, bank, refits) in truths.items():
            data = bank.to_data(bank.draw(p, rng), votes=votes)
            res = {}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for name, veto in (("veto", True), ("no veto", False)):
                    if name not in refits:
                        refits[name] = est.Refitter(data, veto=veto)
                    res[name] = refits[name].fit(data, chains=2, draws=300, tune=300,
                                                 seed=int(rng.integers(2**31 - 1)))
                cmp = est.compare(res)
            best = str(cmp.index[0])
            d = float(cmp["elpd_diff"].iloc[1])
            se = float(cmp["dse"].iloc[1])
            delta_q = res["veto"].summary(var_names=["delta"], warn=False).iloc[0]
            rows.append({"true_delta": delta, "rep": rep, "loo_prefers": best,
                         "elpd_diff": d, "dse": se,
                         "delta_mean": float(delta_q["mean"]),
                         "delta_q2.5": float(delta_q["q2.5"]),
                         "delta_q97.5": float(delta_q["q97.5"])})
            print(f"# loo: delta={delta} rep {rep}: prefers {best} (diff {d:.1f} +- {se:.1f})",
                  flush=True)
        if deadline is not None and time.time() > deadline:
            break
    return pd.DataFrame(rows)


def _fmt(x: object) -> str:
    if isinstance(x, bool | np.bool_):
        return "yes" if x else "**no**"
    if isinstance(x, float | np.floating):
        return "inf" if np.isinf(x) else f"{x:.3g}" if abs(x) < 1e4 else f"{x:.2e}"
    return str(x)


BARGAINING = ("harm_weight", "proposer_advantage")


def _bargaining_mle(t: pd.DataFrame) -> list[str]:
    """Verdict on the bargaining parameters' Wald coverage, per size, against binomial bounds."""
    from scipy import stats

    out = []
    for _, r in t[t["parameter"].isin(BARGAINING)].iterrows():
        m = int(round(float(r["finite"]) * int(r["reps"])))
        if m == 0:
            out.append(f"- {r['parameter']}, {r['regions']} regions, votes "
                       f"{'yes' if r['votes'] else 'no'}: no finite interval")
            continue
        lo, hi = stats.binom.ppf([0.005, 0.995], m, 0.95) / m
        ok = lo <= r["coverage_95"] <= hi
        out.append(f"- `{r['parameter']}`, {r['regions']} regions, votes "
                   f"{'yes' if r['votes'] else 'no'}: Wald coverage {r['coverage_95']:.2f} "
                   f"over {m} finite intervals, 99% binomial range [{lo:.2f}, {hi:.2f}]: "
                   + ("within" if ok else "**outside**"))
    if not out:
        return []
    return ["### Recovery of the committee's bargaining parameters (maximum likelihood)", "",
            "Nominal 95% Wald coverage of the true `harm_weight` and `proposer_advantage`, "
            "judged against the 99% range of the binomial(fits, 0.95) share:", "", *out, ""]


def _at(out: dict, key: str) -> str:
    """Which commit a section was measured at (as recorded in its result file)."""
    c = out.get("commit_of", {}).get(key)
    return f"Measured at commit `{c}`. " if c else "Commit not recorded. "


def _power_at(t: pd.DataFrame) -> str:
    """Which commit each size of the power table was measured at."""
    if "commit" not in t or t["commit"].isna().all():
        return "Commit not recorded. "
    parts = []
    for c, g in t.groupby("commit", sort=False):
        cells = sorted({(int(n), bool(v)) for n, v in zip(g["regions"], g["votes"], strict=True)})
        parts.append(f"commit `{c}` (" + ", ".join(
            f"{n} regions {'with' if v else 'without'} votes" for n, v in cells) + ")")
    return "Measured at " + "; ".join(parts) + ". "


def report(out: dict) -> str:
    """The results as markdown (everything computed from *out*, nothing typed in)."""
    lines = ["# Identification of the proposal-and-vote model", "",
             "Produced by `python benchmarks/bench_identification.py` "
             f"(sizes: `{out.get('sizes', {})}`).", "",
             f"Machine: `{out['machine']}`; versions: `{out['versions']}`.", ""]
    if "power" in out:
        from scipy import stats

        t = pd.DataFrame(out["power"])
        if "reps" not in t:
            t["reps"] = out["sizes"]["power_reps"]
        if "finite" not in t:
            t["finite"] = 1.0
        reps = t.groupby(["regions", "votes"])["reps"].first()
        secs = (t.groupby(["regions", "votes"])["seconds"].first() if "seconds" in t
                else None)
        lines += ["## Number of regions needed to recover each parameter (maximum likelihood)",
                  "", _power_at(t),
                  "Data sets drawn from the one model at "
                  f"`ModelParameters({', '.join(f'{k}={v}' for k, v in TRUTH.items())})` "
                  "(every other parameter at its default; the `truth` column gives the "
                  "normalised estimand) on random regions, each data set fitted by "
                  "`fit_structural` from the allocations alone and again with the members' "
                  "votes recorded; commissioners' stake held at its true value (and the "
                  "ambulance service's when no votes are recorded), the committee's patience "
                  "at 0.9. Data sets per size: "
                  + ", ".join(f"{n} regions {reps[(n, False)]}" for n in
                              sorted(t["regions"].unique())) + ". "
                  "Columns per size: 95% Wald coverage (over the fits with a finite "
                  "interval; in **bold** when outside the 99% binomial range for that many "
                  "fits), median interval width, power (share of intervals excluding 0; "
                  "for a parameter whose truth is 0 this is the false-positive rate), share "
                  "of fits whose identification diagnostic names the parameter. "
                  "`converged` is the share of fits the optimiser reported converged.", ""]
        for votes in (False, True):
            sub = t[t["votes"] == votes]
            sizes = sorted(sub["regions"].unique())
            conv = sub.groupby("regions")["converged"].first()
            timing = ("" if secs is None else "; wall time of the fits: " + ", ".join(
                f"{n} regions {secs[(n, votes)] / reps[(n, votes)]:.0f} s per fit"
                for n in sizes))
            lines += [f"### Votes recorded: {'yes' if votes else 'no'}", "",
                      "converged: " + ", ".join(f"{n} regions {conv[n]:.0%}" for n in sizes)
                      + timing, ""]
            heads = ["parameter", "truth"]
            for n in sizes:
                heads += [f"cov {n}", f"width {n}", f"power {n}", f"flagged {n}"]
            rows = []
            for k in dict.fromkeys(sub["parameter"]):
                r = sub[sub["parameter"] == k].set_index("regions")
                row = [k, _fmt(float(r["truth"].iloc[0]))]
                for n in sizes:
                    cov = float(r.at[n, "coverage_95"])
                    m = int(round(float(r.at[n, "finite"]) * int(r.at[n, "reps"])))
                    c = _fmt(cov)
                    if m > 0 and np.isfinite(cov):
                        blo, bhi = stats.binom.ppf([0.005, 0.995], m, 0.95) / m
                        if not blo <= cov <= bhi:
                            c = f"**{c}**"
                    row += [c] + [_fmt(float(r.at[n, c_])) for c_ in
                                  ("median_width", "power", "flagged")]
                rows.append(row)
            lines += [markdown_table(heads, rows), ""]
        lines += _bargaining_mle(t)
    for votes in (True, False):
        key = f"sbc_votes_{votes}"
        if key not in out:
            continue
        info = out[key]["info"]
        t = pd.DataFrame(out[key]["table"])
        lo, hi = info["coverage_range"]
        lines += [f"## Simulation-based calibration, votes recorded: {'yes' if votes else 'no'}",
                  "", _at(out, key),
                  f"{info['n_sims']} simulations, {info['n_regions']} random regions each, "
                  f"{info['chains']} chains x {info['draws']} draws (tune {info['tune']}), "
                  f"sampler {info['sampler']}, L = {out[key]['n_posterior']} posterior draws "
                  f"per rank, {info['seconds'] / 60:.0f} min. Every estimand drawn from the "
                  "prior; ranks tested for uniformity by chi-square; 95% coverage against "
                  f"the 99% binomial range [{lo:.2f}, {hi:.2f}].", "",
                  f"Parameters with p > 0.01: {int(t['uniform_p>0.01'].sum())} of {len(t)}; "
                  "coverage in the binomial range: "
                  f"{int(t['coverage_in_99%_binomial_range'].sum())} of {len(t)}."
                  + "".join(f" Failing: `{r['parameter']}` (p = {r['p_value']:.3g}, coverage "
                            f"{r['coverage_95']:.2f})." for _, r in t.iterrows()
                            if not (r["uniform_p>0.01"]
                                    and r["coverage_in_99%_binomial_range"])), ""]
        barg = t[t["parameter"].isin(BARGAINING)]
        if len(barg):
            lines += ["Recovery of the committee's bargaining parameters (drawn from the "
                      "prior): " + "; ".join(
                          f"`{r['parameter']}` 95% coverage {r['coverage_95']:.2f} "
                          + ("within" if r["coverage_in_99%_binomial_range"] else
                             "**outside**")
                          + f" the binomial range, rank p = {r['p_value']:.3g}"
                          for _, r in barg.iterrows()) + ".", ""]
        lines += [markdown_table(
            ["parameter", "chi2", "df", "p", "p > 0.01", "coverage 95%", "in range"],
            [[r["parameter"], _fmt(r["chi2"]), r["df"], _fmt(r["p_value"]),
              _fmt(bool(r["uniform_p>0.01"])), _fmt(r["coverage_95"]),
              _fmt(bool(r["coverage_in_99%_binomial_range"]))] for _, r in t.iterrows()]), ""]
    for votes in (True, False):
        key = f"loo_votes_{votes}"
        if key not in out:
            continue
        t = pd.DataFrame(out[key])
        lines += [f"## LOO, veto vs no-veto model, votes recorded: {'yes' if votes else 'no'}",
                  "", _at(out, key), f"{t['rep'].nunique()} data sets per truth, "
                  f"{out['sizes']['loo_regions']} random regions each, both models fitted "
                  "(2 chains x 300 draws); PSIS-LOO's choice per data set.", ""]
        for d, g in t.groupby("true_delta", sort=False):
            truth = "veto" if d > 0 else "no veto"
            right = int((g["loo_prefers"] == truth).sum())
            lines.append(f"- data with delta = {d:g} (true model: {truth}): LOO prefers the "
                         f"true model in {right} of {len(g)}; median |elpd difference| "
                         f"{g['elpd_diff'].abs().median():.1f} (median dse "
                         f"{g['dse'].median():.1f})")
        lines += ["", markdown_table(
            ["true delta", "rep", "LOO prefers", "elpd diff", "dse", "delta mean",
             "delta 95% interval"],
            [[_fmt(r["true_delta"]), r["rep"], r["loo_prefers"], _fmt(r["elpd_diff"]),
              _fmt(r["dse"]), _fmt(r["delta_mean"]),
              f"[{r['delta_q2.5']:.2f}, {r['delta_q97.5']:.2f}]"] for _, r in t.iterrows()]),
            ""]
    return "\n".join(lines)


def _commit() -> str | None:
    """Short id of the checked-out commit of this repository (None outside git)."""
    import subprocess

    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True, cwd=Path(__file__).parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _deadline(hhmm: str | None) -> float | None:
    """``time.time()`` of today's UTC time *hhmm* (None: no deadline)."""
    if hhmm is None:
        return None
    import datetime as dt

    h, m = (int(x) for x in hhmm.split(":"))
    now = dt.datetime.now(dt.UTC)
    return now.replace(hour=h, minute=m, second=0, microsecond=0).timestamp()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="power,sbc,loo")
    ap.add_argument("--json", default=None)
    ap.add_argument("--power-reps", type=int, default=None)
    ap.add_argument("--power-votes", default="no,yes",
                    help="power fits from the allocations alone (no), with votes (yes), or both")
    ap.add_argument("--power-sizes", default=None,
                    help="comma-separated numbers of regions (default 20,50,200)")
    ap.add_argument("--deadline", default=None, metavar="HH:MM",
                    help="UTC time after which each power size and each LOO study stop adding "
                         "replications")
    ap.add_argument("--sbc-sims", type=int, default=None)
    ap.add_argument("--sbc-regions", type=int, default=None)
    ap.add_argument("--sbc-votes", default="yes,no",
                    help="which SBC studies to run: yes (votes recorded), no, or yes,no")
    ap.add_argument("--loo-reps", type=int, default=None)
    ap.add_argument("--loo-regions", type=int, default=None)
    ap.add_argument("--loo-votes", default="yes,no",
                    help="which LOO studies to run: yes (votes recorded), no, or yes,no")
    ap.add_argument("--report", nargs="+", default=None, metavar="JSON",
                    help="merge these result files into RESULTS_identification.md")
    ap.add_argument("--markdown", default=str(Path(__file__).with_name(
        "RESULTS_identification.md")))
    args = ap.parse_args(argv)
    if args.report:
        import json
        out: dict = {}
        for f in args.report:
            d = json.loads(Path(f).read_text())
            out["sizes"] = {**out.get("sizes", {}), **d.pop("sizes", {})}
            commit = d.pop("commit", None)
            for r in d.get("power", []):
                r.setdefault("commit", commit)
            if "power" in d and "power" in out:     # power sizes run in separate files
                d["power"] = out["power"] + d["power"]
            out.setdefault("commit_of", {}).update(
                {k: commit for k in d if k.startswith(("power", "sbc_", "loo_"))})
            out.update(d)
        Path(args.markdown).write_text(report(out))
        return 0
    only = set(args.only.split(","))
    q = args.quick
    sizes = {"power_reps": args.power_reps or (4 if q else 40),
             "sbc_sims": args.sbc_sims or (10 if q else 100),
             "sbc_regions": args.sbc_regions or (20 if q else 30),
             "loo_reps": args.loo_reps or (2 if q else 10),
             "loo_regions": args.loo_regions or (40 if q else 60)}
    out = {"machine": machine(), "sizes": {}, "commit": _commit(),
           "versions": versions("pymc", "pytensor", "nutpie", "jax", "numpy", "arviz")}
    pd.set_option("display.width", 200)
    if "power" in only:
        out["sizes"]["power_reps"] = sizes["power_reps"]
        psizes = (tuple(int(x) for x in args.power_sizes.split(",")) if args.power_sizes
                  else (20, 50) if q else (20, 50, 200))
        pv = tuple(v for v in (False, True)
                   if ("yes" if v else "no") in {x.strip() for x in args.power_votes.split(",")})
        t = power_table(psizes, sizes["power_reps"], deadline=_deadline(args.deadline),
                        votes_settings=pv)
        out["power"] = t.to_dict(orient="records")
        for votes in pv:
            sub = t[t["votes"] == votes]
            wide = sub.pivot(index="parameter", columns="regions",
                             values=["coverage_95", "median_width", "power", "flagged"])
            print(f"\n## power table, votes recorded: {votes}\n")
            print(wide.round(2).to_string())
        write_json(args.json, out)
    if "sbc" in only:
        out["sizes"].update(sbc_sims=sizes["sbc_sims"], sbc_regions=sizes["sbc_regions"])
        chosen = {v.strip() for v in args.sbc_votes.split(",")}
        if not chosen <= {"yes", "no"}:
            ap.error(f"--sbc-votes {args.sbc_votes!r}: give yes, no or yes,no")
        for votes in (v for v in (True, False) if ("yes" if v else "no") in chosen):
            t, info = sbc_study(sizes["sbc_sims"], sizes["sbc_regions"], votes)
            out[f"sbc_votes_{votes}"] = {"table": t.reset_index().to_dict(orient="records"),
                                        "info": info, "n_posterior": 99}
            print(f"\n## SBC, votes recorded: {votes}: {info}\n")
            print(t.round(3).to_string())
            write_json(args.json, out)
    if "loo" in only:
        out["sizes"].update(loo_reps=sizes["loo_reps"], loo_regions=sizes["loo_regions"])
        for votes in (v for v in (True, False)
                      if ("yes" if v else "no") in {x.strip() for x in args.loo_votes.split(",")}):
            t = loo_study(sizes["loo_reps"], sizes["loo_regions"], votes,
                          deadline=_deadline(args.deadline))
            out[f"loo_votes_{votes}"] = t.to_dict(orient="records")
            print(f"\n## LOO, votes recorded: {votes}\n")
            print(t.round(2).to_string(index=False))
            print(t.groupby("true_delta")["loo_prefers"].value_counts().to_string())
            write_json(args.json, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
