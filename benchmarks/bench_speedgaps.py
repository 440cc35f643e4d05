"""The speed-gap table: every workload where a peer was faster, timed side by side in one run.

Rows (restrat against the best peer on the same inputs, medians over repeats):

* all Nash equilibria of random 6x6, 10x10 and 14x14 games (normal payoffs) and of a
  degenerate 10x10 game with integer payoffs 0..9: restrat's ``"exact"`` method against
  quantecon's ``vertex_enumeration`` (floating point) and, on the degenerate game,
  pygambit's ``enummixed_solve(rational=True)`` (exact); the number of extreme
  equilibria each returns is printed, and restrat's set is compared with pygambit's;
* Nash bargaining solution of a polygon with 21, 101 and 20,001 vertices (no peer;
  target: milliseconds);
* nucleolus of a random dense 12-player game against coopgame-py;
* maximum-likelihood logit QRE precision from counts, 100 random games at each of
  5x5, 10x10 and 20x20, against pygambit's ``logit_estimate``; the stall count (an
  error, or more than 10 times the size's median time) is printed;
* Baron-Ferejohn with 100-150 members and 50-80 member classes (distinct discount
  factors; no peer; target 1 s).

The ratio column is restrat's time over the peer's (below 1: restrat is faster).

Run: ``python benchmarks/bench_speedgaps.py [--quick] [--json PATH] [--md PATH]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    alternating_block_times,
    fmt_time,
    machine,
    markdown_table,
    median_time,
    percentile,
    versions,
    write_json,
)

import gametheory as gt  # noqa: E402
from gametheory.bargaining import baron_ferejohn, nash  # noqa: E402
from gametheory.strategic import equilibria, logit_estimate  # noqa: E402

try:
    import quantecon.game_theory as qe
except ImportError:  # pragma: no cover
    qe = None
try:
    import pygambit as gbt
except ImportError:  # pragma: no cover
    gbt = None
try:
    import coopgame
except ImportError:  # pragma: no cover
    coopgame = None


def _key(eqs: Any) -> set[tuple[float, ...]]:
    return {tuple(np.round(np.concatenate([x, y]), 9)) for x, y in eqs}


def _quantecon(A: np.ndarray, B: np.ndarray) -> list[Any]:
    g = qe.NormalFormGame([qe.Player(np.asarray(A, float)), qe.Player(np.asarray(B, float).T)])
    return qe.vertex_enumeration(g)


def _gambit_enummixed(A: np.ndarray, B: np.ndarray) -> set[tuple[float, ...]]:
    g = gbt.Game.from_arrays(np.asarray(A).astype(int).tolist(),
                             np.asarray(B).astype(int).tolist())
    p1, p2 = g.players
    out = set()
    for prof in gbt.nash.enummixed_solve(g, rational=True).equilibria:
        out.add(tuple(round(float(prof[s]), 9) for s in list(p1.strategies)
                      + list(p2.strategies)))
    return out


def equilibrium_rows(repeats: int, quick: bool) -> list[dict[str, Any]]:
    rows = []
    warm = np.random.default_rng(0).normal(size=(3, 3))
    equilibria(warm, warm.T)                          # imports, qhull
    if qe is not None:
        _quantecon(warm, warm.T)                      # numba compilation
    sizes = (6, 10) if quick else (6, 10, 14)
    for k in sizes:
        rng = np.random.default_rng(k)
        A, B = rng.normal(size=(k, k)), rng.normal(size=(k, k))
        row = {"task": f"all Nash equilibria, random {k}x{k} (normal payoffs)",
               "peer": "quantecon", "target_s": 1.0 if k == 14 else None,
               # the target for 10x10: within 2x of quantecon
               "max_ratio": 2.0 if k == 10 else 1.0}
        if k <= 10 and qe is not None:
            # milliseconds or less: a single call is at the mercy of the scheduler, so
            # blocks of calls alternate with the peer's and the block medians are compared
            inner = 100 if k <= 6 else 10
            (t_o, t_p), (res, peer) = alternating_block_times(
                [lambda A=A, B=B: equilibria(A, B), lambda A=A, B=B: _quantecon(A, B)],
                blocks=3 * repeats, inner=inner)
            row.update(restrat_s=statistics.median(t_o), peer_s=statistics.median(t_p),
                       note=f"{3 * repeats} alternating blocks of {inner} calls; 10th "
                            f"percentiles {fmt_time(percentile(t_o, 0.1))} / "
                            f"{fmt_time(percentile(t_p, 0.1))}")
        else:
            row["restrat_s"], res = median_time(lambda A=A, B=B: equilibria(A, B), repeats)
            if qe is not None:
                row["peer_s"], peer = median_time(lambda A=A, B=B: _quantecon(A, B), repeats)
        row["restrat_found"] = len(res)
        if qe is not None:
            row.update(peer_found=len(peer), agree=_key(res) == _key(peer))
        rows.append(row)
    # degenerate: integer payoffs 0..9
    rng = np.random.default_rng(4)
    A, B = rng.integers(0, 10, (10, 10)), rng.integers(0, 10, (10, 10))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_ours, res = median_time(lambda: equilibria(A, B), repeats)
    base = {"task": "all Nash equilibria, degenerate 10x10 (integer payoffs 0-9, "
                    "default_rng(4))", "restrat_s": t_ours, "restrat_found": len(res)}
    if qe is not None:
        t_q, q = median_time(lambda: _quantecon(A, B), repeats)
        rows.append({**base, "peer": "quantecon (incomplete)", "peer_s": t_q,
                     "peer_found": len(q), "agree": _key(q) <= _key(res)})
    if gbt is not None:
        t_g, G = median_time(lambda: _gambit_enummixed(A, B), 1)
        rows.append({**base, "peer": "pygambit enummixed (rational)", "peer_s": t_g,
                     "peer_found": len(G), "agree": G == _key(res)})
    return rows


def bargaining_rows(repeats: int) -> list[dict[str, Any]]:
    rows = []
    for k in (21, 101, 20_001):
        th = np.linspace(0.0, np.pi / 2, k)
        V = np.vstack([np.column_stack([2 * np.cos(th), np.sin(th)]), [0.0, 0.0]])
        t, res = median_time(lambda V=V: nash(V), repeats)
        rows.append({"task": f"Nash bargaining solution of a polygon, {k} vertices",
                     "restrat_s": t, "peer": "-", "target_s": 0.05,
                     "note": f"certificate gap {res.info['certificate_gap']:.1e}"})
    return rows


def nucleolus_rows(repeats: int) -> list[dict[str, Any]]:
    from bench_tu import random_superadditive

    rows = []
    for n in (12,):
        v = random_superadditive(n, seed=100 + n)       # every coalition has a worth
        g = gt.TUGame(v)
        t, res = median_time(lambda g=g: gt.nucleolus(g), repeats)
        row = {"task": f"nucleolus, random dense game, {n} players", "restrat_s": t,
               "peer": "coopgame-py",
               "note": "Kohlberg " + ("pass" if gt.kohlberg_criterion(g, res) else "FAIL")}
        if coopgame is not None:
            cg = coopgame.Game(v[1:].tolist())
            t_p, peer = median_time(lambda cg=cg: coopgame.nucleolus(cg), repeats)
            row.update(peer_s=t_p, agree=bool(np.max(np.abs(
                np.asarray(peer["allocation"]) - res.values)) < 1e-6))
        rows.append(row)
    return rows


def _gambit_estimate(A: np.ndarray, B: np.ndarray, c1: np.ndarray, c2: np.ndarray) -> Any:
    g = gbt.Game.from_arrays(A, B)
    prof = g.mixed_strategy_profile()
    p1, p2 = g.players
    for s, c in zip(p1.strategies, c1, strict=True):
        prof[s] = float(c)
    for s, c in zip(p2.strategies, c2, strict=True):
        prof[s] = float(c)
    return gbt.qre.logit_estimate(prof)


def qre_rows(games: int) -> list[dict[str, Any]]:
    rows = []
    for k in (5, 10, 20):
        ours, theirs, diffs, errors = [], [], [], 0
        for seed in range(games):
            rng = np.random.default_rng(seed)
            A, B = rng.normal(size=(k, k)), rng.normal(size=(k, k))
            c1, c2 = rng.integers(0, 20, k), rng.integers(0, 20, k)
            t0 = time.perf_counter()
            try:
                est = logit_estimate(A, B, counts=(c1, c2))
            except gt.errors.RestratError:
                errors += 1
                est = None
            ours.append(time.perf_counter() - t0)
            if gbt is not None:
                t0 = time.perf_counter()
                ref = _gambit_estimate(A, B, c1, c2)
                theirs.append(time.perf_counter() - t0)
                if est is not None:
                    diffs.append(abs(ref.lam - est.lam))
        med = float(np.median(ours))
        stalls = errors + int(np.sum(np.array(ours) > 10 * med))
        row = {"task": f"logit QRE lambda estimate (MLE), {games} random {k}x{k} games",
               "restrat_s": med, "peer": "pygambit logit_estimate", "target_s":
               0.2 if k == 20 else None, "max_ratio": 2.0,     # the issue: within 2x
               "note": f"stalls {stalls}; slowest {max(ours):.3f} s"}
        if theirs:
            row.update(peer_s=float(np.median(theirs)),
                       agree=bool(max(diffs) < 1e-4) if diffs else None,
                       note=row["note"] + f"; max |lambda diff| {max(diffs):.1e}")
        rows.append(row)
    return rows


def baron_ferejohn_rows() -> list[dict[str, Any]]:
    rows = []
    rng = np.random.default_rng(1)
    for n, k in ((100, 50), (150, 80)):
        cls = np.arange(n) % k
        w = rng.integers(1, 21, k)[cls]
        delta = np.round(rng.uniform(0.8, 0.99, k), 4)[cls]
        t0 = time.perf_counter()
        try:
            res = baron_ferejohn(w, w.sum() // 2 + 1, delta=delta)
            note = (f"{res.info['types']} types, {res.info['outer_iterations']} outer "
                    f"iterations, {res.info['columns']} columns")
        except gt.errors.RestratError as exc:
            note = f"refused: {type(exc).__name__}"
        rows.append({"task": f"Baron-Ferejohn, {n} members, {k} discount-factor classes",
                     "restrat_s": time.perf_counter() - t0, "peer": "-", "target_s": 1.0,
                     "note": note})
    return rows


NOTES = """
## Notes

* **Exactness.** Every equilibrium restrat lists is certified in exact integer
  arithmetic; "found" counts extreme equilibria. On the degenerate game the
  floating-point peer pairs triangulated facets by their label sets and misses
  extreme equilibria (its row is timed for reference, not as a target); restrat's set
  equals pygambit's rational `enummixed` set ("same result").
* **Small games (the 6x6 row).** On a 6x6 game the exact method's time is fixed cost
  per call, not enumeration (31 vertices, 3 equilibria). The 6x6 and 10x10 rows are now
  timed as medians over alternating blocks of calls (restrat's block, then quantecon's;
  10th percentiles in the note column), since a single sub-millisecond call is at the
  mercy of the scheduler on a loaded machine. This round (issue 14): qhull is run
  directly (scipy's `_Qhull` with `ConvexHull`'s options, without the volume, area and
  vertex bookkeeping; 58 -> 45 us alone on the 6x6 polar), the complementary systems'
  conditioning is bounded from the largest entry of the batched inverse (two reductions
  instead of an absolute value, a sum and a max over the stack; per system only when
  the batch bound fails), the complementary labels come from `np.nonzero` instead of an
  argsort, and the rational profiles are kept as coprime integer vectors and turned into
  Fractions on first access of `.rational` (sorted by their float shares, every
  adjacent pair then checked exactly by cross-multiplication). Measured in one process
  under the bench lock right before this run (CPU time per call, blocks of 200 calls
  alternating the previous code, the new code and quantecon; load average 24-30 from
  other agents' jobs): restrat/quantecon median 1.21 -> 1.14, 10th percentile 1.35 ->
  1.03 (10x10: 1.07 -> 0.98, 1.03 -> 0.92). Still not at or under 1 on 6x6: what
  remains is about 45 us of qhull, 28 us for the 31 batched 6x6 inverses (needed for
  the conditioning bound that makes the float feasibility filter safe), 27 us to turn
  both payoff matrices into exact integers, about 25 us certifying the 3 candidates and
  some 40 numpy calls on tiny arrays at 1-2 us each. quantecon runs two hulls and a
  numba-compiled label match and certifies nothing. The exact stage also got a
  correctness fix this round: a vertex whose nearly tight constraints are not all
  exactly tight (payoffs rounded to 0.1 are not dyadic) is split into every exact vertex
  they determine, and ill-conditioned complementary systems are decided exactly; see
  benchmarks/RESULTS_oracle_exact.md (exact = exhaustive and = pygambit on thousands of
  games).
* **Baron-Ferejohn with many classes.** Members with equal weight, recognition
  probability and discount factor form one type, and the solver works on types (with
  50-80 distinct discount factors every class is its own type). The pricing step
  solves every proposer type's covering knapsack at once (a prefix and a suffix
  dynamic programme over the types, joined at the weight each proposer still needs);
  the master at fixed proposer surpluses is an interior-point method whose steps are
  one Cholesky solve of order T (types), the proposers' variables eliminated, however
  many columns there are; and the exact prices come from Newton's method on the face
  of the coalitions the master uses, so one or two outer iterations suffice (the note
  column). Values agree with the previous solver to 4e-16 on 360 random instances.
  The time grows about as T^3: 0.74 s at 100 types and 3.4 s at 150 types (measured
  with the type limit lifted; `MAX_TYPES` stays 80).
* **Nucleolus.** The stage LPs run on one warm-started highspy model; the full size
  range 8-22 and the BNF families are in benchmarks/RESULTS_tu.md.
"""


def verdict(r: dict[str, Any]) -> str:
    if r.get("peer_s"):
        ok = (r["restrat_s"] <= r.get("max_ratio", 1.0) * r["peer_s"]
              or "incomplete" in r["peer"])
    else:
        ok = True
    if r.get("target_s") is not None:
        ok = ok and r["restrat_s"] <= r["target_s"]
    return "met" if ok else "NOT met"


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer sizes and games")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--games", type=int, default=100, help="QRE games per size")
    ap.add_argument("--json", default=None)
    ap.add_argument("--md", default=None, help="also write the table to this markdown file")
    args = ap.parse_args(argv)
    games = 10 if args.quick else args.games
    rows = (equilibrium_rows(args.repeats, args.quick) + bargaining_rows(args.repeats)
            + nucleolus_rows(args.repeats) + qre_rows(games) + baron_ferejohn_rows())
    for r in rows:
        r["ratio"] = (r["restrat_s"] / r["peer_s"]) if r.get("peer_s") else None
        r["verdict"] = verdict(r)
    table = markdown_table(
        ["workload", "restrat", "peer", "peer time", "ratio (restrat/peer)", "found (ours/peer)",
         "same result", "target", "verdict", "note"],
        [[r["task"], fmt_time(r["restrat_s"]), r["peer"], fmt_time(r.get("peer_s")),
          f"{r['ratio']:.2f}x" if r["ratio"] else "-",
          f"{r['restrat_found']}/{r['peer_found']}" if "peer_found" in r else "",
          {True: "yes", False: "NO", None: ""}[r.get("agree")],
          "; ".join(([f"< {fmt_time(r['target_s'])}"] if r.get("target_s") else [])
                    + ([f"ratio <= {r.get('max_ratio', 1.0):g}"] if r.get("peer_s") and
                       "incomplete" not in r["peer"] else [])), r["verdict"],
          r.get("note", "")] for r in rows])
    print(table)
    meta = {"machine": machine(),
            "versions": versions("restrat", "numpy", "scipy", "quantecon", "pygambit",
                                 "coopgame-py", "highspy", "nashpy")}
    write_json(args.json, {"benchmark": "speedgaps", **meta, "rows": rows})
    if args.md:
        Path(args.md).write_text(
            "# Speed gaps against the peers\n\n"
            "Written by `python benchmarks/bench_speedgaps.py --md benchmarks/"
            "RESULTS_speedgaps.md --json benchmarks/RESULTS_speedgaps.json`. Times are "
            "medians; the ratio is restrat's time over the peer's.\n\n"
            f"Machine: {meta['machine']}\n\nVersions: {meta['versions']}\n\n" + table + "\n"
            + NOTES)
    return rows


if __name__ == "__main__":
    main()
