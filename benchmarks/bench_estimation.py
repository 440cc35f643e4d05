"""Speed of the estimation package (not asserted in tests).

Measures, on this machine:

1. the vectorised structural (proposal-and-vote) model on 200 simulated regions, 4 chains x
   1000 draws,
   wall time including compilation, and bulk ESS per second against a straightforward
   per-region-loop pymc model (``estimation.models.naive_structural_model``) fitted in
   the same run with the same sampler;
2. the structural model on 2,000 regions;
3. the conditional-logit MLE on 20,000 choice situations against statsmodels'
   ``ConditionalLogit`` (median of repeats);
4. a small simulation-based calibration run (per-simulation time, extrapolated to 100).

Usage: ``python benchmarks/bench_estimation.py [--quick] [--sampler auto|pymc|nutpie]
[--mass-matrix diag|low_rank|laplace] [--tune N] [--target-accept P] [--json PATH]``.
``--quick`` shrinks every size for a smoke run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import fmt_time, machine, markdown_table, median_time, versions, write_json  # noqa: E402


def _ess_per_s(res) -> tuple[float, float]:
    import arviz as az

    from gametheory.restratification import spec

    vn = [v for v in spec.ESTIMANDS if v in res.idata.posterior]   # not the held-fixed
    ess = az.ess(res.idata, var_names=vn, method="bulk")
    vals = np.concatenate([np.ravel(ess[v]) for v in vn])
    return float(vals.min()), float(np.median(vals))


def bench_structural(n_regions: int, draws: int, chains: int, sampler: str, naive: bool,
                     seed: int = 0, naive_sampler: str = "pymc",
                     naive_draws: int | None = None, mass_matrix: str = "diag",
                     tune: int | None = None, target_accept: float = 0.9) -> dict:
    import estimation as est
    from gametheory.restratification import ModelParameters

    data = est.simulate(n_regions=n_regions, params=ModelParameters(lam=2.0), seed=seed)
    out: dict = {"n_regions": n_regions, "draws": draws, "chains": chains,
                 "mass_matrix": mass_matrix, "tune": tune or draws,
                 "target_accept": target_accept}
    nd = naive_draws or draws
    runs = [("structural", "structural", sampler, draws)]
    if naive:
        if naive_sampler != sampler or nd != draws:
            runs.append(("structural_same_sampler", "structural", naive_sampler, nd))
        runs.append(("naive", "naive", naive_sampler, nd))
    for key, kind, smp, draws in runs:
        print(f"# fitting {key}: {n_regions} regions, {chains}x{draws}, {smp}", flush=True)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = est.fit(data, kind, sampler=smp, chains=chains, draws=draws,
                          tune=tune or draws, seed=1, progressbar=False,
                          target_accept=target_accept if key == "structural" else 0.9,
                          mass_matrix=mass_matrix if key == "structural" else "diag")
        wall = time.perf_counter() - t0
        print(f"#   {wall:.1f} s", flush=True)
        ess_min, ess_med = _ess_per_s(res)
        stats = res.idata.sample_stats
        out[key] = {"draws": draws, "wall_s": wall, "compile_s": res.timing["compile"],
                    "steps_per_draw": float(stats["n_steps"].mean())
                    if "n_steps" in stats else None,
                     "sample_s": res.timing["sample"], "ess_bulk_min": ess_min,
                     "ess_bulk_median": ess_med, "ess_min_per_s": ess_min / wall,
                     "sampler": res.sampler,
                     "max_r_hat": res.diagnostics()["max_r_hat"],
                     "divergences": res.diagnostics()["divergences"]}
    return out


def bench_mle(n_situations: int, repeats: int) -> dict:
    import estimation as est
    from gametheory.restratification import ModelParameters

    # 2 director choices per region -> n_situations / 2 regions
    data = est.simulate(n_regions=n_situations // 2, params=ModelParameters(lam=2.0), seed=3)
    cs = data.choice_sets("directors")
    t_ours, res = median_time(lambda: est.fit_mle(cs), repeats=repeats, budget=60)
    t_sm = []
    for _ in range(max(1, repeats // 2)):
        cmp = est.compare_statsmodels(cs)
        t_sm.append(cmp.attrs["seconds_statsmodels"])
    return {"n_situations": int(cs.n_situations), "ours_s": t_ours,
            "statsmodels_s": statistics.median(t_sm),
            "max_abs_diff": float(cmp["abs_diff"].max()), "converged": res.converged}


def bench_sbc(n_sims: int, n_regions: int, sampler: str) -> dict:
    import estimation as est

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = est.sbc(n_sims=n_sims, n_regions=n_regions, draws=200, tune=300, chains=2,
                    sampler=sampler, seed=0)
    wall = time.perf_counter() - t0
    return {"n_sims": n_sims, "n_regions": n_regions, "wall_s": wall,
            "per_sim_s": wall / n_sims, "extrapolated_100_s": 100 * wall / n_sims,
            "sampler": r.info["sampler"], "min_p_value": float(r.uniformity()["p_value"].min())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    ap.add_argument("--sampler", default="auto")
    ap.add_argument("--naive-sampler", default="pymc",
                    help="sampler of the per-region-loop model (its JAX compile is very slow)")
    ap.add_argument("--naive-draws", type=int, default=None,
                    help="draws (= tune) for the naive model and its vectorised twin "
                         "(ESS/s is a rate, so fewer draws still compare)")
    ap.add_argument("--no-naive", action="store_true",
                    help="skip the per-region-loop model (its compilation takes very long)")
    ap.add_argument("--json", default=None, help="write the results as JSON here")
    ap.add_argument("--skip", default="", help="comma list of: 200,2000,mle,sbc")
    from estimation.fit import MASS_MATRICES

    ap.add_argument("--mass-matrix", default="diag", choices=MASS_MATRICES,
                    help="NUTS metric of the vectorised structural fits (estimation.fit)")
    ap.add_argument("--tune", type=int, default=None,
                    help="tuning steps of the vectorised structural fits (default: = draws)")
    ap.add_argument("--target-accept", type=float, default=0.9,
                    help="NUTS target acceptance of the vectorised structural fits "
                         "(estimation.fit's default 0.9)")
    args = ap.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    q = args.quick
    results: dict = {"machine": machine(),
                     "versions": versions("pymc", "pytensor", "nutpie", "jax", "statsmodels",
                                          "numpy", "scipy")}
    rows = []
    if "200" not in skip:
        r = bench_structural(40 if q else 200, 100 if q else 1000, 4, args.sampler,
                             naive=not args.no_naive,
                             naive_sampler=args.naive_sampler, naive_draws=args.naive_draws,
                             mass_matrix=args.mass_matrix, tune=args.tune,
                             target_accept=args.target_accept)
        results["structural_200"] = r
        s = r["structural"]
        n = r.get("naive")
        same = r.get("structural_same_sampler", s)
        rows.append([f"structural, {r['n_regions']} regions, 4x{r['draws']} ({s['sampler']})",
                     fmt_time(s["wall_s"]), f"compile {fmt_time(s['compile_s'])}",
                     f"ESS/s {s['ess_min_per_s']:.1f}", "target < 60 s"])
    if "200" not in skip and n is not None:
        rows.append([f"naive per-region loop, same data, 4x{n['draws']} ({n['sampler']})",
                     fmt_time(n["wall_s"]), f"compile {fmt_time(n['compile_s'])}",
                     f"ESS/s {n['ess_min_per_s']:.1f}",
                     f"vectorised/naive ESS/s = {s['ess_min_per_s'] / n['ess_min_per_s']:.1f}x"
                     " (target >= 3x)"])
        if same is not s:
            rows.append([f"structural, same data, 4x{same['draws']} ({same['sampler']})",
                         fmt_time(same["wall_s"]),
                         f"compile {fmt_time(same['compile_s'])}",
                         f"ESS/s {same['ess_min_per_s']:.1f}",
                         f"vs naive, same sampler: "
                         f"{same['ess_min_per_s'] / n['ess_min_per_s']:.1f}x"])
    if "2000" not in skip:
        r = bench_structural(200 if q else 2000, 100 if q else 1000, 4, args.sampler,
                             naive=False, mass_matrix=args.mass_matrix, tune=args.tune,
                             target_accept=args.target_accept)
        results["structural_2000"] = r
        s = r["structural"]
        rows.append([f"structural, {r['n_regions']} regions, 4x{r['draws']} ({s['sampler']}, "
                     f"{args.mass_matrix} mass matrix, tune {r['tune']}, "
                     f"target_accept {r['target_accept']})",
                     fmt_time(s["wall_s"]), f"compile {fmt_time(s['compile_s'])}, "
                     f"{s['steps_per_draw']:.1f} steps/draw, R-hat {s['max_r_hat']:.3f}, "
                     f"{s['divergences']} divergences",
                     f"ESS/s {s['ess_min_per_s']:.1f}", "target < 300 s"])
    if "mle" not in skip:
        r = bench_mle(2000 if q else 20000, 3 if q else 5)
        results["mle"] = r
        rows.append([f"conditional-logit MLE, {r['n_situations']} situations",
                     fmt_time(r["ours_s"]), f"statsmodels {fmt_time(r['statsmodels_s'])}",
                     f"max |diff| {r['max_abs_diff']:.1e}",
                     f"{r['statsmodels_s'] / r['ours_s']:.0f}x faster (target >= 20x, < 1 s)"])
    if "sbc" not in skip:
        r = bench_sbc(2 if q else 5, 50, args.sampler)
        results["sbc"] = r
        rows.append([f"SBC, {r['n_sims']} sims x {r['n_regions']} regions ({r['sampler']})",
                     fmt_time(r["wall_s"]), f"{fmt_time(r['per_sim_s'])} per simulation",
                     f"100 sims ~ {fmt_time(r['extrapolated_100_s'])}", "target < 15 min"])
    print(markdown_table(["case", "wall time", "detail", "speed", "ratio / target"], rows))
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
