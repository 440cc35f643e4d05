"""Speed of the TU-game solvers against coopgame-py, in one run.

Exact Shapley for dense games n = 16, 20, 24 (with peak memory relative to
the game's own array) and the nucleolus of random superadditive games
n = 8, 12, 16, 20, each verified by the Kohlberg criterion. Prints a markdown
table with medians and ratios; ``--json PATH`` writes the rows.

Run: ``python benchmarks/bench_tu.py [--quick] [--json out.json]``
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import fmt_time, machine, markdown_table, median_time, versions, write_json  # noqa: E402

import gametheory as gt  # noqa: E402
from gametheory.coalitions import popcount_table  # noqa: E402

try:
    import coopgame
except ImportError:  # pragma: no cover
    coopgame = None


def random_superadditive(n: int, seed: int) -> np.ndarray:
    """v(S) = |S|^2 + U[0, 1): superadditive (the square's cross term >= 2 beats the noise)."""
    rng = np.random.default_rng(seed)
    v = popcount_table(n).astype(float) ** 2 + rng.uniform(0, 1, size=1 << n)
    v[0] = 0.0
    return v


def peak_ratio(fn, nbytes: int) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (peak + nbytes) / nbytes   # the game's own array plus everything allocated


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller sizes (smoke run)")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    rows: list[dict] = []

    shapley_ns = [12, 16] if args.quick else [16, 20, 24]
    for n in shapley_ns:
        v = random_superadditive(n, seed=n)
        g = gt.TUGame(v)
        reps = 3 if n < 24 else 2
        t_ours, res = median_time(lambda g=g: gt.shapley_value(g), repeats=reps)
        mem = peak_ratio(lambda g=g: gt.shapley_value(g), v.nbytes)
        t_peer = None
        agree = None
        if coopgame is not None:
            cg = coopgame.Game(v[1:].tolist())
            t_peer, peer = median_time(lambda cg=cg: coopgame.shapley(cg), repeats=reps)
            agree = float(np.max(np.abs(np.asarray(peer) - res.values)))
        rows.append({"task": "shapley exact", "n": n, "restrat_s": t_ours,
                     "coopgame_s": t_peer, "peak_mem_x_game": mem, "max_abs_diff": agree,
                     "verified": True})

    nuc_ns = [8, 12] if args.quick else [8, 12, 16, 20]
    for n in nuc_ns:
        v = random_superadditive(n, seed=100 + n)
        g = gt.TUGame(v)
        reps = 3 if n <= 16 else 1
        t_ours, res = median_time(lambda g=g: gt.nucleolus(g), repeats=reps)
        ok = bool(gt.kohlberg_criterion(g, res))
        t_peer = None
        agree = None
        if coopgame is not None:
            cg = coopgame.Game(v[1:].tolist())
            try:
                t_peer, peer = median_time(lambda cg=cg: coopgame.nucleolus(cg), repeats=reps)
                agree = float(np.max(np.abs(np.asarray(peer['allocation']) - res.values)))
            except Exception as exc:  # pragma: no cover - peer failure is reported
                print(f"coopgame nucleolus failed at n={n}: {exc}", file=sys.stderr)
        rows.append({"task": "nucleolus", "n": n, "restrat_s": t_ours, "coopgame_s": t_peer,
                     "peak_mem_x_game": None, "max_abs_diff": agree, "verified": ok,
                     "lps": res.info["lp_count"]})

    table = markdown_table(
        ["task", "n", "restrat", "coopgame-py", "ratio (peer/ours)", "peak mem (incl. game) / game",
         "max |diff|", "Kohlberg"],
        [[r["task"], r["n"], fmt_time(r["restrat_s"]), fmt_time(r["coopgame_s"]),
          f"{r['coopgame_s'] / r['restrat_s']:.2f}x" if r["coopgame_s"] else "n/a",
          f"{r['peak_mem_x_game']:.2f}" if r["peak_mem_x_game"] else "",
          f"{r['max_abs_diff']:.1e}" if r["max_abs_diff"] is not None else "n/a",
          "pass" if r["verified"] else "FAIL"] for r in rows])
    print(table)
    write_json(args.json, {"benchmark": "tu", "machine": machine(),
                           "versions": versions("restrat", "numpy", "scipy", "coopgame-py"),
                           "rows": rows})
    return rows


if __name__ == "__main__":
    main()
