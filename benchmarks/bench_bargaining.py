"""Speed of the logit QRE continuation and the Baron–Ferejohn solver.

Rows: the principal logit-QRE branch of a random 10x10 game traced to
lambda = 100 (target < 1 s; compared with pygambit's ``logit_solve_lambda``
when installed) and the Baron–Ferejohn stationary equilibrium of a
100-member legislature with heterogeneous integer weights (target < 1 s).
Times are medians over repeats; the table is markdown.

Usage::

    python benchmarks/bench_bargaining.py [--repeats 7] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from gametheory.bargaining import baron_ferejohn
from gametheory.strategic import logit_qre, logit_qre_branch


def _median_time(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run(repeats: int = 7, seed: int = 0) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(10, 10)), rng.normal(size=(10, 10))
    rows: list[dict[str, Any]] = []

    t_branch = _median_time(lambda: logit_qre_branch(A, B, lam_max=100.0), repeats)
    t_lam = _median_time(lambda: logit_qre(A, B, 100.0), repeats)
    peer = None
    try:
        import pygambit as gbt

        g = gbt.Game.from_arrays(A, B)
        peer = _median_time(lambda: gbt.qre.logit_solve_lambda(g, [100.0]), repeats)
        mine = logit_qre(A, B, 100.0)
        theirs = gbt.qre.logit_solve_lambda(g, [100.0])[0]
        diff = float(np.max(np.abs(np.concatenate([mine.x, mine.y]) -
                                   np.array([theirs.profile[s] for s in g.strategies]))))
    except ImportError:
        diff = None
    rows.append({"task": "logit QRE branch 10x10 to lambda=100", "restrat_s": t_branch,
                 "peer": "-", "peer_s": None, "ratio": None, "target_s": 1.0,
                 "max_abs_diff": None})
    rows.append({"task": "logit QRE at lambda=100, 10x10", "restrat_s": t_lam,
                 "peer": "pygambit logit_solve_lambda" if peer is not None else "-",
                 "peer_s": peer, "ratio": (t_lam / peer) if peer else None, "target_s": 1.0,
                 "max_abs_diff": diff})

    for label, p_kind in (("recognition ~ weight", "weight"), ("uniform recognition", "unif")):
        w = np.random.default_rng(seed + 7).integers(1, 21, 100)
        p = w / w.sum() if p_kind == "weight" else None
        t_bf = _median_time(lambda w=w, p=p: baron_ferejohn(w, w.sum() // 2 + 1,
                                                            recognition=p, delta=0.9),
                            repeats)
        rows.append({"task": f"Baron-Ferejohn, 100 members, weights 1..20, {label}",
                     "restrat_s": t_bf, "peer": "-", "peer_s": None, "ratio": None,
                     "target_s": 1.0, "max_abs_diff": None})
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    out = ["| task | restrat (s, median) | peer | peer (s) | ratio | target (s) |",
           "|---|---|---|---|---|---|"]
    for r in rows:
        peer_s = f"{r['peer_s']:.4f}" if r["peer_s"] is not None else "-"
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        out.append(f"| {r['task']} | {r['restrat_s']:.4f} | {r['peer']} | {peer_s} | "
                   f"{ratio} | < {r['target_s']:g} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=str, default=None, help="write the rows to this file")
    args = ap.parse_args(argv)
    rows = run(args.repeats, args.seed)
    print(table(rows))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=2)


if __name__ == "__main__":
    main()
