"""Speed of coalition structures, graphs, the kernel and core vertices, in one run.

Targets (issue "blocs and networks as game structure"):

* Owen value of a dense 20-player game with 4 unions within 2x of the exact
  Shapley value's time (and against coopgame-py's ``owen``);
* Owen power index of a weighted game with 1,000 members in 10 unions under 1 s;
* prekernel and kernel at 12 players at least as fast as coopgame-py's
  ``kernel_point`` (transfer scheme), with the certificate of each;
* core vertices of a 10-player convex game under 1 s.

Also: the Myerson value against coopgame-py's ``myerson``. Times are medians;
ratios are peer time / restrat time. ``--json PATH`` writes the rows.

Run: ``python benchmarks/bench_structures.py [--quick] [--json out.json]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import fmt_time, machine, markdown_table, versions, write_json  # noqa: E402

import gametheory as gt  # noqa: E402
from gametheory.coalitions import CoalitionStructure, popcount_table  # noqa: E402

try:
    import coopgame
except ImportError:  # pragma: no cover
    coopgame = None


def timed(fn, repeats: int) -> tuple[float, float, object]:
    """Median wall time, median CPU time of this process, and the last result.

    The CPU time is what the call costs when the machine is shared (other jobs
    inflate wall time but not the process's own CPU time much).
    """
    walls, cpus = [], []
    out = None
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), out


def _ratio(r: dict) -> str:
    cpu = r["peer_cpu_s"] / max(r["restrat_cpu_s"], 1e-9)
    return f"{r['peer_s'] / r['restrat_s']:.2f}x ({cpu:.2f}x)"


def dense_game(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = popcount_table(n).astype(float) ** 2 + rng.uniform(0, 1, size=1 << n)
    v[0] = 0.0
    return v


def threshold_game(n: int, seed: int) -> np.ndarray:
    """Superadditive, not convex: a weighted majority paying the winners' weight."""
    rng = np.random.default_rng(seed)
    w = rng.integers(1, 10, n)
    masks = np.arange(1 << n)
    ws = ((masks[:, None] >> np.arange(n)) & 1) @ w
    return np.where(ws >= w.sum() / 2, ws.astype(float), 0.0)


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller sizes (smoke run)")
    ap.add_argument("--json", default=None)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args(argv)
    reps = args.repeats
    rows: list[dict] = []

    def add(task, n, ours, peer=None, note="", target=""):
        rows.append({"task": task, "n": n, "restrat_s": ours[0], "restrat_cpu_s": ours[1],
                     "peer_s": None if peer is None else peer[0],
                     "peer_cpu_s": None if peer is None else peer[1], "note": note,
                     "target": target})

    def median_time(fn, repeats):
        w, c, out = timed(fn, repeats)
        return (w, c), out

    # 1. Owen value vs Shapley value, dense game
    n = 16 if args.quick else 20
    v = dense_game(n, 1)
    g = gt.TUGame(v)
    unions = CoalitionStructure.from_labels([i % 4 for i in range(n)], g.players)
    t_sh, sh = median_time(lambda: gt.shapley_value(g), repeats=reps)
    t_ow, ow = median_time(lambda: gt.owen_value(g, unions), repeats=reps)
    peer = None
    note = (f"Owen/Shapley time ratio {t_ow[0] / t_sh[0]:.2f} (wall), "
            f"{t_ow[1] / max(t_sh[1], 1e-9):.2f} (CPU)")
    if coopgame is not None and n <= 20:
        cg = coopgame.Game(v[1:].tolist())
        blocks = [list(b) for b in unions.blocks]
        peer, po = median_time(lambda: coopgame.owen(cg, blocks), repeats=3)
        note += f"; max |diff| vs coopgame {np.abs(np.asarray(po) - ow.values).max():.1e}"
    add("Owen value, 4 unions (vs exact Shapley)", n, t_ow, peer, note,
        "<= 2x Shapley's time")
    rows[-1]["shapley_s"] = t_sh[0]
    rows[-1]["shapley_cpu_s"] = t_sh[1]

    # 2. Owen power index, 1,000 members in 10 unions
    m = 300 if args.quick else 1000
    rng = np.random.default_rng(7)
    w = rng.integers(1, 51, m)
    wg = gt.WeightedVotingGame(w, int(w.sum() // 2 + 1))
    cs = CoalitionStructure.from_labels([i % 10 for i in range(m)], wg.players)
    t_o, o = median_time(lambda: gt.power.owen(wg, cs), repeats=reps)
    t_bo, _ = median_time(lambda: gt.power.banzhaf_owen(wg, cs), repeats=reps)
    add("Owen power index, 10 unions (weights 1..50)", m, t_o, None,
        f"sum = {o.values.sum():.12f}", "< 1 s")
    add("Banzhaf-Owen power index, 10 unions", m, t_bo, None, "", "")

    # 3. prekernel and kernel at 12 players (superadditive, not convex)
    for nk in ([8] if args.quick else [10, 12]):
        vk = threshold_game(nk, nk)
        gk = gt.TUGame(vk)
        t_pk, pk = median_time(lambda gk=gk: gt.prekernel(gk), repeats=reps)
        t_k, kk = median_time(lambda gk=gk: gt.kernel(gk), repeats=reps)
        p_pk = p_k = None
        notes = [f"ours: {pk.method}, {pk.info['iterations']} iteration(s), max imbalance "
                 f"{pk.info['max_imbalance']:.1e}"]
        if coopgame is not None:
            cg = coopgame.Game(vk[1:].tolist())
            p_pk, ppk = median_time(lambda cg=cg: coopgame.kernel_point(
                cg, domain="preimputation"), repeats=reps)
            p_k, pkk = median_time(lambda cg=cg: coopgame.kernel_point(cg), repeats=reps)
            notes.append(f"coopgame: {ppk['iterations']} transfers, violation "
                         f"{ppk['violation']:.1e}")
        add("prekernel point", nk, t_pk, p_pk, "; ".join(notes), ">= as fast as coopgame-py")
        add("kernel point", nk, t_k, p_k,
            f"ours: kernel violation {kk.info['max_violation']:.1e}",
            ">= as fast as coopgame-py")

    # 4. core vertices of a 10-player (strictly) convex game
    nc = 8 if args.quick else 10
    gc = gt.TUGame(dense_game(nc, 3))
    assert gc.is_convex
    t_cv, cv = median_time(lambda: gt.core_vertices(gc), repeats=3)
    add("core vertices, convex game", nc, t_cv, None,
        f"{len(cv)} vertices ({cv.method}); weighted barycentre = Shapley to "
        f"{np.abs(cv.barycentre(weighted=True) - gt.shapley_value(gc).values).max():.1e}",
        "< 1 s")

    # 5. Myerson value on a random graph
    nm = 14 if args.quick else 16
    vm = dense_game(nm, 5)
    gm = gt.TUGame(vm)
    pairs = [(i, j) for i in range(nm) for j in range(i + 1, nm)]
    edges = [pairs[k] for k in np.random.default_rng(5).choice(len(pairs), 2 * nm,
                                                                replace=False)]
    t_my, my = median_time(lambda: gt.myerson_value(gm, edges), repeats=reps)
    peer = None
    note = ""
    if coopgame is not None:
        cg = coopgame.Game(vm[1:].tolist())
        peer, pm = median_time(lambda: coopgame.myerson(cg, edges), repeats=3)
        note = f"max |diff| vs coopgame {np.abs(np.asarray(pm) - my.values).max():.1e}"
    add(f"Myerson value ({2 * nm} links)", nm, t_my, peer, note, "")

    table = markdown_table(
        ["task", "n", "restrat wall (CPU)", "coopgame-py wall (CPU)", "ratio peer/ours (CPU)",
         "target", "notes"],
        [[r["task"], r["n"], f"{fmt_time(r['restrat_s'])} ({fmt_time(r['restrat_cpu_s'])})",
          f"{fmt_time(r['peer_s'])} ({fmt_time(r['peer_cpu_s'])})" if r["peer_s"] else "n/a",
          _ratio(r) if r["peer_s"] else "n/a", r["target"], r["note"]] for r in rows])
    print(table)
    print(f"\nexact Shapley value at n={n}: {fmt_time(rows[0]['shapley_s'])} wall, "
          f"{fmt_time(rows[0]['shapley_cpu_s'])} CPU")
    write_json(args.json, {"benchmark": "structures", "machine": machine(),
                           "versions": versions("restrat", "numpy", "scipy", "coopgame-py"),
                           "rows": rows})
    return rows


if __name__ == "__main__":
    main()
