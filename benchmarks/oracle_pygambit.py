"""pygambit as an external oracle for equilibria and the logit QRE estimate.

pygambit has no wheel for every platform (it builds from source), so it is not part
of the ``dev`` extra and the test suite never depends on it: the suite checks the
exact enumerator against the package's own exhaustive enumerator and the QRE
estimate against an independent likelihood. This script adds the external check
where pygambit is installed (``pip install pygambit``) and writes what it saw:

* the extreme equilibria of random integer games (3x3 to 7x7, payoffs 0-3, many of
  them degenerate) against pygambit's rational ``enummixed``: the sets must be equal;
* the logit QRE precision estimated from counts against pygambit's
  ``logit_estimate``: equal to 1e-5, or else ours has the higher log-likelihood.

Run: ``python benchmarks/oracle_pygambit.py --games 200 --md
benchmarks/RESULTS_oracle_pygambit.md``. The exit code is 1 when any game differs.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from fractions import Fraction as F
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, versions  # noqa: E402

from gametheory.strategic import equilibria, logit_estimate, logit_qre  # noqa: E402


def gambit_extreme_equilibria(gbt, A, B) -> set:
    """pygambit's rational enummixed on the exact rationals of the (float) payoffs."""
    g = gbt.Game.from_arrays([[F(float(v)) for v in r] for r in np.asarray(A)],
                             [[F(float(v)) for v in r] for r in np.asarray(B)])
    p1, p2 = g.players
    out = set()
    for prof in gbt.nash.enummixed_solve(g, rational=True).equilibria:
        out.add((tuple(F(str(prof[s])) for s in p1.strategies),
                 tuple(F(str(prof[s])) for s in p2.strategies)))
    return out


def gambit_lambda(gbt, A, B, c1, c2) -> float:
    g = gbt.Game.from_arrays(A, B)
    prof = g.mixed_strategy_profile()
    p1, p2 = g.players
    for st, c in zip(p1.strategies, c1, strict=True):
        prof[st] = float(c)
    for st, c in zip(p2.strategies, c2, strict=True):
        prof[st] = float(c)
    return float(gbt.qre.logit_estimate(prof).lam)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--games", type=int, default=200)
    ap.add_argument("--qre-games", type=int, default=40)
    ap.add_argument("--md", type=Path, default=None)
    args = ap.parse_args(argv)
    try:
        import pygambit as gbt
    except ImportError:
        print("pygambit is not installed (pip install pygambit): nothing to compare",
              file=sys.stderr)
        return 2
    eq_diff, n_degenerate, n_eq = [], 0, 0
    for seed in range(args.games):
        rng = np.random.default_rng(1000 + seed)
        k = 3 + seed % 5
        shape = (k, k + seed % 2)
        A, B = rng.integers(0, 4, shape), rng.integers(0, 4, shape)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = equilibria(A, B)
        ours, theirs = set(res.rational), gambit_extreme_equilibria(gbt, A, B)
        n_degenerate += bool(res.degenerate)
        n_eq += len(theirs)
        if ours != theirs:
            eq_diff.append(seed)
    lam_err, lam_bad, n_higher = [], [], 0
    for seed in range(args.qre_games):
        rng = np.random.default_rng(seed)
        k = 3 + 2 * (seed % 4)
        A, B = rng.normal(size=(k, k)), rng.normal(size=(k, k))
        c1, c2 = rng.integers(0, 20, k), rng.integers(0, 20, k)
        ours, theirs = logit_estimate(A, B, counts=(c1, c2)).lam, gambit_lambda(gbt, A, B, c1, c2)
        lam_err.append(abs(ours - theirs))
        if lam_err[-1] > 1e-5:
            # a difference is a failure only when our estimate has the lower likelihood
            ll = [float(c1 @ np.log(q.x) + c2 @ np.log(q.y))
                  for q in (logit_qre(A, B, ours), logit_qre(A, B, theirs))]
            if ll[0] < ll[1] - 1e-9:
                lam_bad.append(seed)
            else:
                n_higher += 1
    rows = [
        ("extreme equilibria = pygambit enummixed (rational)", args.games,
         f"{n_eq} equilibria, {n_degenerate} games flagged degenerate",
         f"{len(eq_diff)} differ" + (f" (seeds {eq_diff[:10]})" if eq_diff else "")),
        ("logit QRE lambda estimate = pygambit logit_estimate (1e-5, else higher likelihood)",
         args.qre_games,
         f"max |diff| {max(lam_err):.1e}; {n_higher} differ by > 1e-5 with our "
         "log-likelihood at least as high",
         f"{len(lam_bad)} differ" + (f" (seeds {lam_bad[:10]})" if lam_bad else "")),
    ]
    text = ["# pygambit as an external oracle", "",
            "Written by `python benchmarks/oracle_pygambit.py "
            f"--games {args.games} --qre-games {args.qre_games}`.", "",
            f"Machine: {json.dumps(machine())}", "",
            f"Versions: {json.dumps(versions('restrat', 'pygambit', 'numpy', 'scipy'))}", "",
            "| check | games | detail | verdict |", "|---|---|---|---|"]
    text += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    out = "\n".join(text) + "\n"
    print(out)
    if args.md is not None:
        args.md.write_text(out)
    return 1 if eq_diff or lam_bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
