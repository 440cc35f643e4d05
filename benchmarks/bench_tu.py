"""Speed of the TU-game solvers against coopgame-py, in one run.

Exact Shapley for dense games n = 16, 20, 24 (with peak memory relative to
the game's own array; each checked by efficiency and the formula for two
players), the nucleolus of random superadditive games n = 8, 10, ..., 22 and
of the BNF families (types 1, 2, 3, 4, 6; n = 8, 12, 16, 20), each verified
by Kohlberg's criterion computed in the run. Prints a markdown table with
medians and ratios; ``--json PATH`` writes the rows, ``--md PATH`` the table.

Run: ``python benchmarks/bench_tu.py [--quick] [--json out.json] [--md out.md]``
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import fmt_time, machine, markdown_table, median_time, versions, write_json  # noqa: E402
from tu_families import bnf, random_superadditive  # noqa: E402

import gametheory as gt  # noqa: E402

try:
    import coopgame
except ImportError:  # pragma: no cover
    coopgame = None


def peak_ratio(fn, nbytes: int) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (peak + nbytes) / nbytes   # the game's own array plus everything allocated


def _shapley_check(v: np.ndarray, values: np.ndarray) -> bool:
    """Efficiency, and the formula on a random sample of players by brute force."""
    n = values.size
    full = (1 << n) - 1
    if abs(values.sum() - v[full]) > 1e-8 * max(1.0, abs(v[full])):
        return False
    from math import factorial

    rng = np.random.default_rng(0)
    for i in rng.choice(n, size=min(n, 2), replace=False):
        masks = np.arange(1 << n)
        without = masks[(masks >> i) & 1 == 0]
        sizes = np.array([bin(s).count("1") for s in without])
        wts = np.array([factorial(k) * factorial(n - k - 1) for k in sizes],
                       dtype=float) / factorial(n)
        phi = float(wts @ (v[without | (1 << i)] - v[without]))
        if abs(phi - values[i]) > 1e-8 * max(1.0, abs(phi)):
            return False
    return True


def nucleolus_row(family: str, n: int, v: np.ndarray, reps: int) -> dict:
    g = gt.TUGame(v)
    t_ours, res = median_time(lambda g=g: gt.nucleolus(g), repeats=reps)
    check = gt.kohlberg_criterion(g, res)
    t_peer = agree = None
    if coopgame is not None:
        cg = coopgame.Game(v[1:].tolist())
        try:
            t_peer, peer = median_time(lambda cg=cg: coopgame.nucleolus(cg), repeats=reps)
            agree = float(np.max(np.abs(np.asarray(peer["allocation"]) - res.values)))
        except Exception as exc:  # pragma: no cover - peer failure is reported
            print(f"coopgame nucleolus failed ({family}, n={n}): {exc}", file=sys.stderr)
    return {"task": f"nucleolus, {family}", "n": n, "restrat_s": t_ours,
            "coopgame_s": t_peer, "peak_mem_x_game": None, "max_abs_diff": agree,
            "verified": bool(check), "check": f"Kohlberg ({check.levels_checked} levels)",
            "lps": res.info["lp_count"]}


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller sizes (smoke run)")
    ap.add_argument("--json", default=None)
    ap.add_argument("--md", default=None, help="also write the table to this markdown file")
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
                     "verified": _shapley_check(v, res.values),
                     "check": "efficiency + 2 players by the formula"})

    nuc_ns = [8, 12] if args.quick else [8, 10, 12, 14, 16, 18, 20, 22]
    for n in nuc_ns:
        reps = 5 if n <= 14 else (2 if n <= 18 else 1)
        rows.append(nucleolus_row("random superadditive", n,
                                  random_superadditive(n, seed=100 + n), reps))
    bnf_ns = [8, 12] if args.quick else [8, 12, 16, 20]
    for kind in (1, 2, 3, 4, 6):
        for n in bnf_ns:
            reps = 5 if n <= 12 else (2 if n <= 16 else 1)
            rows.append(nucleolus_row(f"BNF type {kind}", n, bnf(kind, n, seed=n), reps))

    table = markdown_table(
        ["task", "n", "restrat", "coopgame-py", "ratio (restrat/peer)",
         "peak mem (incl. game) / game", "max |diff|", "check", "verified"],
        [[r["task"], r["n"], fmt_time(r["restrat_s"]), fmt_time(r["coopgame_s"]),
          f"{r['restrat_s'] / r['coopgame_s']:.2f}x" if r["coopgame_s"] else "n/a",
          f"{r['peak_mem_x_game']:.2f}" if r["peak_mem_x_game"] else "",
          f"{r['max_abs_diff']:.1e}" if r["max_abs_diff"] is not None else "n/a",
          r["check"], "pass" if r["verified"] else "FAIL"] for r in rows])
    print(table)
    meta = {"machine": machine(),
            "versions": versions("restrat", "numpy", "scipy", "highspy", "coopgame-py")}
    write_json(args.json, {"benchmark": "tu", **meta, "rows": rows})
    if args.md:
        Path(args.md).write_text(
            "# TU-game speed against coopgame-py\n\n"
            "Written by `python benchmarks/bench_tu.py --md benchmarks/RESULTS_tu.md --json "
            "benchmarks/RESULTS_tu.json` (times are medians; the ratio is restrat's time "
            "over coopgame-py's; every nucleolus is verified by Kohlberg's criterion, "
            "computed in the run). BNF types: the test-game families of Benedek, Fliege "
            "and Nguyen (2021), see `benchmarks/tu_families.py`.\n\n"
            f"Machine: {meta['machine']}\n\nVersions: {meta['versions']}\n\n"
            + table + "\n")
    return rows


if __name__ == "__main__":
    main()
