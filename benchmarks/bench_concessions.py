"""Concessions: the committee kernels against the exact solver, Sobol indices against SALib.

Rows:

* the closed-form unanimity kernel (``bargaining.unanimity_values``) against
  the exact Baron-Ferejohn solver (``bargaining.baron_ferejohn`` with quota =
  all members) on committees of 8, 32 and 64 members with heterogeneous
  recognition and patience (64 is near the solver's limit of 80 member
  types): median times, their ratio and the largest
  difference of the shares;
* the quantal proposer (``bargaining.quantal_values``, tau = 0.01 of the pool)
  against the solver under simple majority (8 members);
* the Sobol first-order and total indices of Ishigami's function
  (``gametheory.sensitivity.sobol_indices``, Saltelli/Jansen estimators)
  against SALib's ``sobol.analyze`` on the same number of model runs, with
  each one's largest error against the analytic indices;
* the whole concession analysis (committee, packages, holders, stability) of
  random regions of 10, 100 and 1,000 organisations.

Usage::

    python benchmarks/bench_concessions.py [--repeats 5] [--json PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fmt_time, machine, markdown_table, median_time, versions, write_json  # noqa: E402

from gametheory.bargaining import (  # noqa: E402
    baron_ferejohn,
    quantal_values,
    unanimity_values,
    winning_coalitions,
)
from gametheory.sensitivity import sobol_indices  # noqa: E402


def _ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def _ishigami_truth(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    v1 = 0.5 * (1 + b * np.pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * np.pi ** 8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def run(repeats: int = 5, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows: list[dict] = []
    for n in (8, 32, 64):
        rho = rng.dirichlet(np.ones(n))
        delta = rng.uniform(0.7, 0.97, n)
        t_k, k = median_time(lambda n=n, rho=rho, delta=delta:
                             unanimity_values(rho, delta, np.zeros(n)), repeats)
        t_s, s = median_time(lambda n=n, rho=rho, delta=delta:
                             baron_ferejohn(np.ones(n), n, recognition=rho, delta=delta), repeats)
        rows.append({"task": f"unanimity committee, {n} members", "restrat": "closed form",
                     "t_restrat": t_k, "peer": "exact BF solver", "t_peer": t_s,
                     "ratio": t_s / t_k,
                     "max_abs_diff": float(np.abs(k.values - s.values.values).max())})
    n = 8
    rho = rng.dirichlet(np.ones(n))
    delta = rng.uniform(0.7, 0.97, n)
    member, options = winning_coalitions(np.ones(n), n // 2 + 1)
    t_q, q = median_time(lambda: quantal_values(rho, delta, np.zeros(n), member, options),
                         repeats)
    t_s, s = median_time(lambda: baron_ferejohn(np.ones(n), n // 2 + 1, recognition=rho,
                                                delta=delta), repeats)
    rows.append({"task": "majority committee, 8 members", "restrat": "quantal, tau=0.01",
                 "t_restrat": t_q, "peer": "exact BF solver", "t_peer": t_s,
                 "ratio": t_s / t_q,
                 "max_abs_diff": float(np.abs(q.values - s.values.values).max())})
    # Sobol indices: restrat's estimators against SALib on as many model runs
    s1, st = _ishigami_truth()
    N = 2 ** 12
    t_r, res = median_time(lambda: sobol_indices(_ishigami, [(-np.pi, np.pi)] * 3, n=N,
                                                 seed=1, n_boot=0), repeats)
    err_r = float(max(np.abs(res.first_order - s1).max(), np.abs(res.total - st).max()))
    t_p = err_p = None
    try:
        from SALib.analyze import sobol as sa_sobol
        from SALib.sample import sobol as sa_sample

        problem = {"num_vars": 3, "names": ["x1", "x2", "x3"],
                   "bounds": [[-np.pi, np.pi]] * 3}

        def salib() -> dict:
            X = sa_sample.sample(problem, N, calc_second_order=False, seed=1)
            return sa_sobol.analyze(problem, _ishigami(X), calc_second_order=False,
                                    print_to_console=False, seed=1)

        t_p, out = median_time(salib, repeats)
        err_p = float(max(np.abs(out["S1"] - s1).max(), np.abs(out["ST"] - st).max()))
    except ImportError:
        pass
    rows.append({"task": f"Sobol indices of Ishigami, N={N} (5N runs)",
                 "restrat": "Saltelli/Jansen, scrambled Sobol'", "t_restrat": t_r,
                 "peer": "SALib sobol (Sobol' sequence)", "t_peer": t_p,
                 "ratio": (t_p / t_r) if t_p else None,
                 "max_abs_diff": f"restrat {err_r:.3f}, SALib "
                                 f"{'n/a' if err_p is None else f'{err_p:.3f}'} (vs analytic)"})
    from gametheory.restratification import scenarios
    from gametheory.restratification.model import allocation_analysis, concessions

    for size in (10, 100, 1000):
        region = scenarios.random_region(2026, n_organisations=size)
        chosen = allocation_analysis(region).chosen
        t_c, c = median_time(lambda r=region, ch=chosen: concessions(r, ch), max(1, repeats // 2))
        rows.append({"task": f"concession analysis, random region of {size} organisations",
                     "restrat": f"{len(c.table)} committee hospitals", "t_restrat": t_c,
                     "peer": "-", "t_peer": None, "ratio": None, "max_abs_diff": "-"})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", default=None)
    a = ap.parse_args(argv)
    rows = run(2 if a.quick else a.repeats)
    print(markdown_table(
        ["task", "restrat", "time", "peer", "peer time", "peer/restrat", "max |diff|"],
        [[r["task"], r["restrat"], fmt_time(r["t_restrat"]), r["peer"], fmt_time(r["t_peer"]),
          "-" if r["ratio"] is None else f"{r['ratio']:.1f}",
          r["max_abs_diff"] if isinstance(r["max_abs_diff"], str)
          else f"{r['max_abs_diff']:.2e}"] for r in rows]))
    write_json(a.json, {"benchmark": "concessions", "machine": machine(),
                        "versions": versions("numpy", "scipy", "salib"), "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
