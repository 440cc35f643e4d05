"""Identification of the proposal-and-vote model: power table, full SBC, LOO veto vs no veto.

1. **Power table** (maximum likelihood, :func:`estimation.mle.fit_structural`): for 20,
   50 and 200 random regions (drawn once per size), ``--reps`` outcome data sets from
   the one model at ``ModelParameters(lam=2.0)``, with and without the members' votes
   recorded. Per parameter: share of converged fits, 95% Wald coverage, median
   interval width, power (share of intervals excluding 0) and the share of fits whose
   identification diagnostic names the parameter. The stakes the allocations cannot
   identify are held at their true values (commissioners always; the ambulance
   service without votes), as a user of ``fit_mle(..., fixed=...)`` would.
2. **Simulation-based calibration** (Talts et al. 2018) of the Bayesian fit on the
   game's own data (votes recorded), all 17 estimands drawn from the prior: rank
   uniformity (chi-square, p > 0.01 per parameter) and 95% coverage against the
   binomial range.
3. **Model comparison**: data with a veto (delta = 2.5) and without (delta = 0),
   both fitted with the veto model and the nested no-veto model; PSIS-LOO's choice
   per replication.

Usage: ``python benchmarks/bench_identification.py [--quick] [--only power,sbc,loo]
[--json PATH]``. Results: ``benchmarks/RESULTS_identification.md``.
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

TRUTH = {"lam": 2.0}


def power_table(sizes: tuple[int, ...], reps: int, seed: int = 0) -> pd.DataFrame:
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
        for votes in (False, True):
            fixed = {"stake_commissioners": p.stake_commissioners}
            if not votes:
                fixed["stake_ambulance"] = p.stake_ambulance
            t0 = time.perf_counter()
            lik = None
            fits = []
            for _ in range(reps):
                data = bank.to_data(bank.draw(p, rng), votes=votes)
                if lik is None:
                    lik = StructuralLikelihood(data.arrays(), fixed=fixed)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fits.append(fit_structural(lik, data.arrays().obs))
            secs = time.perf_counter() - t0
            print(f"# power: {n} regions, votes={votes}: {reps} fits in {secs:.0f} s",
                  flush=True)
            for k in lik.labels:
                est_ = np.array([f.table.at[k, "estimate"] for f in fits])
                lo = np.array([f.table.at[k, "lower"] for f in fits])
                hi = np.array([f.table.at[k, "upper"] for f in fits])
                ok = np.array([f.converged for f in fits])
                flagged = np.array([k in set(f.diagnostics["parameter"]) for f in fits])
                v = truth[k]
                fin = np.isfinite(hi - lo)
                rows.append({
                    "regions": n, "votes": votes, "parameter": k, "truth": v,
                    "converged": ok.mean(),
                    "median_estimate": float(np.median(est_)),
                    "coverage_95": float(((lo <= v) & (v <= hi))[fin].mean()) if fin.any()
                    else np.nan,
                    "median_width": float(np.median((hi - lo)[fin])) if fin.any() else np.inf,
                    "power": float(((lo > 0) | (hi < 0))[fin].mean()) if fin.any() else 0.0,
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


def loo_study(reps: int, n_regions: int, votes: bool, seed: int = 0) -> pd.DataFrame:
    import estimation as est
    from estimation.simulate import SimulationBank, _regions
    from gametheory.restratification import ModelParameters

    rows = []
    rng = np.random.default_rng(seed)
    for delta in (2.5, 0.0):
        p = ModelParameters(lam=2.0, delta=delta)
        bank = SimulationBank.build(_regions("random-region", n_regions, rng), p,
                                    [f"r{i:04d}" for i in range(n_regions)])
        refits: dict[str, est.Refitter] = {}
        for rep in range(reps):
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
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="power,sbc,loo")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    only = set(args.only.split(","))
    q = args.quick
    out: dict = {"machine": machine(),
                 "versions": versions("pymc", "pytensor", "nutpie", "jax", "numpy", "arviz")}
    pd.set_option("display.width", 200)
    if "power" in only:
        t = power_table((20, 50) if q else (20, 50, 200), 4 if q else 40)
        out["power"] = t.to_dict(orient="records")
        for votes in (False, True):
            sub = t[t["votes"] == votes]
            wide = sub.pivot(index="parameter", columns="regions",
                             values=["coverage_95", "median_width", "power", "flagged"])
            print(f"\n## power table, votes recorded: {votes}\n")
            print(wide.round(2).to_string())
    if "sbc" in only:
        for votes in (True, False):
            t, info = sbc_study(10 if q else 100, 20 if q else 30, votes)
            out[f"sbc_votes_{votes}"] = {"table": t.reset_index().to_dict(orient="records"),
                                        "info": info}
            print(f"\n## SBC, votes recorded: {votes}: {info}\n")
            print(markdown_table(["parameter", *t.columns],
                                 [[i, *[f"{x:.3f}" if isinstance(x, float) else x
                                        for x in r]] for i, r in t.iterrows()]))
    if "loo" in only:
        for votes in (True, False):
            t = loo_study(2 if q else 10, 40 if q else 60, votes)
            out[f"loo_votes_{votes}"] = t.to_dict(orient="records")
            print(f"\n## LOO, votes recorded: {votes}\n")
            print(t.round(2).to_string(index=False))
            print(t.groupby("true_delta")["loo_prefers"].value_counts().to_string())
    write_json(args.json, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
