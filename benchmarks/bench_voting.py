"""Speed of the power indices: restrat vs the ``powerindex`` package, side by side.

Cases (issue 3): the US Electoral College (2020 apportionment: 51 members,
538 votes, quota 270); 200 players with total weight about 10,000; 2,000
players with total weight about 100,000 (Banzhaf); 500 players with total
weight about 25,000 (Shapley-Shubik). Weights of the random games are drawn
uniformly from 1..99 with a fixed seed, quota a simple majority.

Each timing is the median of several repeats and includes building the game
(``powerindex.calculate_power_index`` builds its ``Game`` too). ``powerindex`` runs in a
subprocess with a time limit (``--peer-timeout``, default 60 s) because it
takes minutes to hours on the large cases; a run that hits the limit is
reported as ``> limit`` and the speed-up as a lower bound. When both finish,
the largest absolute difference between their results is reported too.

Usage::

    python benchmarks/bench_voting.py [--json results/voting.json] [--repeats 5] [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import fmt_time, machine, markdown_table, median_time, versions, write_json  # noqa: E402

import gametheory as gt  # noqa: E402

try:
    import powerindex  # noqa: F401
    HAVE_PEER = True
except ImportError:  # pragma: no cover
    HAVE_PEER = False

#: Electoral votes by state after the 2020 census (elections of 2024 and 2028).
ELECTORAL_COLLEGE_2020 = {
    "AL": 9, "AK": 3, "AZ": 11, "AR": 6, "CA": 54, "CO": 10, "CT": 7, "DE": 3, "DC": 3,
    "FL": 30, "GA": 16, "HI": 4, "ID": 4, "IL": 19, "IN": 11, "IA": 6, "KS": 6, "KY": 8,
    "LA": 8, "ME": 4, "MD": 10, "MA": 11, "MI": 15, "MN": 10, "MS": 6, "MO": 10, "MT": 4,
    "NE": 5, "NV": 6, "NH": 4, "NJ": 14, "NM": 5, "NY": 28, "NC": 16, "ND": 3, "OH": 17,
    "OK": 7, "OR": 8, "PA": 19, "RI": 4, "SC": 9, "SD": 3, "TN": 11, "TX": 40, "UT": 6,
    "VT": 3, "VA": 13, "WA": 12, "WV": 4, "WI": 10, "WY": 3,
}
assert sum(ELECTORAL_COLLEGE_2020.values()) == 538 and len(ELECTORAL_COLLEGE_2020) == 51


def random_game(n: int, seed: int) -> tuple[list[int], int]:
    rng = np.random.default_rng(seed)
    w = [int(x) for x in rng.integers(1, 100, size=n)]
    return w, sum(w) // 2 + 1


def cases() -> list[dict]:
    ec = list(ELECTORAL_COLLEGE_2020.values())
    w200, q200 = random_game(200, 200)
    w2000, q2000 = random_game(2000, 2000)
    w500, q500 = random_game(500, 500)
    return [
        {"case": "US Electoral College (n=51, W=538, q=270)", "index": "shapley_shubik",
         "weights": ec, "quota": 270},
        {"case": "US Electoral College (n=51, W=538, q=270)", "index": "banzhaf",
         "weights": ec, "quota": 270},
        {"case": f"n=200, W={sum(w200)}", "index": "shapley_shubik", "weights": w200,
         "quota": q200},
        {"case": f"n=200, W={sum(w200)}", "index": "banzhaf", "weights": w200, "quota": q200},
        {"case": f"n=2000, W={sum(w2000)}", "index": "banzhaf", "weights": w2000,
         "quota": q2000},
        {"case": f"n=500, W={sum(w500)}", "index": "shapley_shubik", "weights": w500,
         "quota": q500},
    ]


_PEER_SCRIPT = textwrap.dedent("""
    import json, statistics, sys, time
    from powerindex import calculate_power_index
    spec = json.loads(sys.stdin.read())
    kind = "ss" if spec["index"] == "shapley_shubik" else "bz"
    times, out = [], None
    for _ in range(spec["repeats"]):
        t0 = time.perf_counter()
        out = calculate_power_index(spec["weights"], spec["quota"], kind)
        times.append(time.perf_counter() - t0)
        if sum(times) > spec["budget"]:
            break
    print(json.dumps({"time": statistics.median(times), "values": list(out)}))
""")


def run_peer(spec: dict, repeats: int, timeout: float) -> dict:
    """Median time of ``powerindex`` in a subprocess; ``{"timeout": True}`` past *timeout*."""
    payload = json.dumps({**spec, "repeats": repeats, "budget": timeout / 3})
    try:
        proc = subprocess.run([sys.executable, "-c", _PEER_SCRIPT], input=payload,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timeout": True}
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    return json.loads(proc.stdout)


def restrat_call(spec: dict):
    """The timed call: build the game and compute the index (as the peer does)."""
    index = gt.power.shapley_shubik if spec["index"] == "shapley_shubik" else gt.power.banzhaf
    return lambda: index(gt.WeightedVotingGame(spec["weights"], spec["quota"])).values


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", default=None, help="write the rows as JSON to this path")
    ap.add_argument("--repeats", type=int, default=5, help="repeats per timing (median)")
    ap.add_argument("--peer-timeout", type=float, default=60.0,
                    help="seconds before a powerindex run is stopped")
    ap.add_argument("--no-peer", action="store_true", help="skip powerindex")
    ap.add_argument("--quick", action="store_true",
                    help="3 repeats and a 10 s limit for powerindex (a smoke run)")
    args = ap.parse_args(argv)
    if args.quick:
        args.repeats = min(args.repeats, 3)
        args.peer_timeout = min(args.peer_timeout, 10.0)

    rows = []
    for spec in cases():
        fn = restrat_call(spec)
        fn()  # warm-up (imports, caches of the first call)
        t_ours, ours = median_time(fn, repeats=args.repeats, budget=60.0)
        row = {"case": spec["case"], "index": spec["index"], "n": len(spec["weights"]),
               "total_weight": sum(spec["weights"]), "quota": spec["quota"],
               "restrat_s": t_ours, "powerindex_s": None, "speedup": None,
               "peer_status": "missing", "max_abs_diff": None}
        if HAVE_PEER and not args.no_peer:
            peer = run_peer(spec, repeats=max(1, min(args.repeats, 3)),
                            timeout=args.peer_timeout)
            if peer.get("timeout"):
                row["peer_status"] = f"timeout>{args.peer_timeout:g}s"
                row["powerindex_s"] = args.peer_timeout
                row["speedup"] = args.peer_timeout / t_ours
            elif "error" in peer:
                row["peer_status"] = f"error: {peer['error']}"
            else:
                row["peer_status"] = "ok"
                row["powerindex_s"] = peer["time"]
                row["speedup"] = peer["time"] / t_ours
                row["max_abs_diff"] = float(np.max(np.abs(np.asarray(peer["values"]) - ours)))
        rows.append(row)
        print(f"  {spec['case']:45s} {spec['index']:15s} restrat {fmt_time(t_ours):>9s}  "
              f"powerindex {row['peer_status']}", file=sys.stderr, flush=True)

    table = []
    for r in rows:
        if r["peer_status"].startswith("timeout"):
            peer_t, ratio = f"> {fmt_time(r['powerindex_s'])}", f"> {r['speedup']:.0f}x"
        elif r["peer_status"] == "ok":
            peer_t, ratio = fmt_time(r["powerindex_s"]), f"{r['speedup']:.0f}x"
        else:
            peer_t, ratio = r["peer_status"], "n/a"
        diff = "n/a" if r["max_abs_diff"] is None else f"{r['max_abs_diff']:.1e}"
        table.append([r["case"], r["index"].replace("_", "-"), fmt_time(r["restrat_s"]),
                      peer_t, ratio, diff])
    print(markdown_table(["case", "index", "restrat (median)", "powerindex (median)",
                          "speed-up", "max abs diff"], table))
    write_json(args.json, {"benchmark": "voting", "machine": machine(),
                           "versions": versions("restrat", "numpy", "powerindex"),
                           "repeats": args.repeats, "peer_timeout_s": args.peer_timeout,
                           "rows": rows})
    return rows


if __name__ == "__main__":
    main()
