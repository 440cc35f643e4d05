"""The ``"exact"`` equilibrium method against exact oracles on thousands of games.

Compares the sets of rational extreme equilibria (and the degeneracy verdicts where
both give one) of ``equilibria(A, B, method="exact")``

* with the package's own exhaustive enumerator (``method="exhaustive"``: every choice
  of tight constraints in ``Fraction`` arithmetic, no floating point anywhere) on
  ``--games`` games up to 7x7, ``m, n = default_rng(seed).integers(1, 8, 2)``, of four
  kinds by ``seed % 4``: 0 normal payoffs; 1 integers 0-3 (mostly degenerate); 2
  normal payoffs rounded to one decimal (not dyadic: sums that are equal in decimal
  differ in binary by about 1e-17, so constraints are tight in floating point but not
  exactly); 3 "degenerate": normal payoffs with ``A[0] = A[1]`` (when m > 1), ``B[0] = B[-1]``,
  ``A[:, 0] = A[:, -1]``, rounded to one decimal (seed 439, a 4x7 game, was a
  missed-equilibrium case before the near-tight clusters were enumerated exactly);
* with pygambit's rational ``enummixed`` (when installed) on ``--large`` integer games
  up to 10x10 (``default_rng(10**6 + seed)``, payoffs 0-9 or 0-3 alternately; the
  exhaustive enumerator is refused at 10x10) and on the first ``--gambit-degenerate``
  degenerate-kind games above, passed to Gambit as the exact rationals of the floats.

Run: ``python benchmarks/oracle_exact_sweep.py --games 2000 --large 300
--gambit-degenerate 300 --jobs 2 --md benchmarks/RESULTS_oracle_exact.md``. Exit code 1 when any
game differs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, versions  # noqa: E402
from oracle_pygambit import gambit_extreme_equilibria  # noqa: E402

from gametheory.strategic import equilibria  # noqa: E402

KINDS = ("normal", "integer 0-3", "normal rounded to 0.1", "degenerate rounded to 0.1")


def small_game(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Game *seed* of the small sweep (kind ``seed % 4``, see the module docstring)."""
    rng = np.random.default_rng(seed)
    m, n = (int(v) for v in rng.integers(1, 8, 2))
    kind = seed % 4
    if kind == 1:
        return rng.integers(0, 4, (m, n)).astype(float), rng.integers(0, 4, (m, n)).astype(float)
    A, B = rng.normal(size=(m, n)), rng.normal(size=(m, n))
    if kind == 3:
        A[0] = A[min(1, m - 1)]
        B[0] = B[-1]
        A[:, 0] = A[:, -1]
    if kind >= 2:
        A, B = np.round(A, 1), np.round(B, 1)
    return A, B


def large_game(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(10**6 + seed)
    m, n = (int(v) for v in rng.integers(1, 11, 2))
    hi = 10 if seed % 2 == 0 else 4
    return rng.integers(0, hi, (m, n)).astype(float), rng.integers(0, hi, (m, n)).astype(float)


def _small_task(seed: int) -> tuple[int, int, bool, bool, bool]:
    A, B = small_game(seed)
    fast = equilibria(A, B, method="exact")
    ref = equilibria(A, B, method="exhaustive")
    return (len(ref), bool(ref.degenerate), bool(fast.degenerate and not ref.degenerate),
            set(fast.rational) != set(ref.rational), seed)


def _gambit_task(item: tuple[str, int]) -> tuple[int, bool, bool, int]:
    import pygambit as gbt

    which, seed = item
    A, B = large_game(seed) if which == "large" else small_game(seed)
    fast = equilibria(A, B, method="exact")
    theirs = gambit_extreme_equilibria(gbt, A, B)
    return len(theirs), bool(fast.degenerate), set(fast.rational) != theirs, seed


def _init_worker() -> None:
    warnings.simplefilter("ignore")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--games", type=int, default=2000)
    ap.add_argument("--large", type=int, default=300)
    ap.add_argument("--gambit-degenerate", type=int, default=300)
    ap.add_argument("--jobs", type=int, default=1, help="worker processes")
    ap.add_argument("--md", type=Path, default=None)
    args = ap.parse_args(argv)
    _init_worker()
    try:
        import pygambit  # noqa: F401

        have_gambit = True
    except ImportError:
        have_gambit = False
    gambit_items = ([("large", s) for s in range(args.large)]
                    + [("degenerate", 3 + 4 * k) for k in range(args.gambit_degenerate)]
                    if have_gambit else [])
    t0 = time.perf_counter()
    if args.jobs > 1:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(args.jobs, initializer=_init_worker) as pool:
            gambit_async = pool.map_async(_gambit_task, gambit_items, chunksize=4)
            small = []
            for k, r in enumerate(pool.imap(_small_task, range(args.games), chunksize=8)):
                small.append(r)
                if (k + 1) % 250 == 0:
                    print(f"{k + 1} games, {time.perf_counter() - t0:.0f} s", file=sys.stderr,
                          flush=True)
            gambit = gambit_async.get()
    else:
        small = [_small_task(s) for s in range(args.games)]
        gambit = [_gambit_task(it) for it in gambit_items]
    elapsed = time.perf_counter() - t0
    rows = []
    n_bad = 0
    for k in range(4):
        recs = [r for r in small if r[4] % 4 == k]
        bad = [r[4] for r in recs if r[3]]
        dd = sum(r[2] for r in recs)
        n_bad += len(bad) + dd
        rows.append((f"exact = exhaustive, up to 7x7, {KINDS[k]}", len(recs),
                     f"{sum(r[0] for r in recs)} equilibria; {sum(r[1] for r in recs)} games "
                     f"degenerate; {dd} flagged degenerate by exact but not by exhaustive",
                     f"{len(bad)} differ" + (f" (seeds {bad[:10]})" if bad else "")))
    if have_gambit:
        for which, label in (("large", "integer payoffs 0-9 or 0-3, up to 10x10"),
                             ("degenerate", "degenerate rounded to 0.1, up to 7x7 (seeds 3, "
                                            "7, 11, ...; the floats' exact rationals)")):
            recs = [r for r, it in zip(gambit, gambit_items, strict=True) if it[0] == which]
            bad = [r[3] for r in recs if r[2]]
            n_bad += len(bad)
            rows.append((f"exact = pygambit enummixed (rational), {label}", len(recs),
                         f"{sum(r[0] for r in recs)} equilibria; "
                         f"{sum(r[1] for r in recs)} flagged degenerate",
                         f"{len(bad)} differ" + (f" (seeds {bad[:10]})" if bad else "")))
    cmd = (f"python benchmarks/oracle_exact_sweep.py --games {args.games} --large {args.large} "
           f"--gambit-degenerate {args.gambit_degenerate} --jobs {args.jobs}")
    text = ["# The exact equilibrium method against exact oracles", "",
            f"Written by `{cmd}` ({elapsed:.0f} s).", "",
            f"Machine: {json.dumps(machine())}", "",
            f"Versions: {json.dumps(versions('restrat', 'pygambit', 'numpy', 'scipy'))}", "",
            "| check | games | detail | verdict |", "|---|---|---|---|"]
    text += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    if not have_gambit:
        text += ["", "pygambit is not installed: the Gambit rows were skipped."]
    out = "\n".join(text) + "\n"
    print(out)
    if args.md is not None:
        args.md.write_text(out)
    return 1 if n_bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
