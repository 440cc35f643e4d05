r"""Parameter sweeps: many model runs at once, on local processes or a Dask cluster.

A sweep evaluates a *point function* ``f(point, rng) -> dict`` at every point of
a design (a table with one column per parameter) and stores one row per point
in a Parquet dataset. Three things make long sweeps safe:

* **Seeds.** One root :class:`numpy.random.SeedSequence` ``(seed)``; point
  ``i`` draws from its ``i``-th child (``SeedSequence(seed).spawn(n)[i]``,
  see :func:`point_seed`). A point's result depends only on the seed, its
  index and its parameters, never on the number of workers or the order in
  which points run.
* **Atomic batches.** Finished rows are buffered and written as a new part
  file (``part-RRR-BBBBBB.parquet``) to a temporary name in the output folder,
  then renamed with :func:`os.replace`. A killed sweep leaves only whole part
  files; :func:`read_results` (or ``pandas.read_parquet(folder)``) reads them.
  A small ``_manifest.json`` records the sweep (seed, point function, design
  hash), so a resumed sweep cannot silently mix two different sweeps.
* **Resume.** Every point is keyed by a stable hash of its index and
  parameters (:func:`point_key`); ``resume=True`` reads the keys already on
  disk and runs only the missing points.

Local execution uses :class:`concurrent.futures.ProcessPoolExecutor`
(``workers=1`` runs in this process); ``scheduler="tcp://HOST:PORT"`` sends the
same tasks to a :mod:`dask.distributed` cluster, whose workers must have
``restrat`` installed. :class:`ScenarioPoint` runs the restratification model
on a scenario; :class:`CalibrationPoint` runs one simulation-based-calibration
replicate (simulate, fit, rank the truth) on :mod:`estimation.calibration`;
any picklable function of the same shape plugs in (a fit, a simulation).

Designs come from grids (:func:`parse_param`, :func:`grid`), random draws
(:func:`random_design`) or files (:func:`read_design`); ``restrat sweep``
(:func:`main`) is the command line.

Examples
--------
>>> import tempfile, pathlib
>>> from estimation import sweep
>>> design = sweep.grid([sweep.parse_param("x=0:1:3"), sweep.parse_param("k=1,2")])
>>> len(design)
6
>>> def f(point, rng):
...     return {"y": point["x"] * point["k"] + rng.normal()}
>>> out = pathlib.Path(tempfile.mkdtemp()) / "demo.parquet"
>>> done = sweep.run_sweep(f, design, out, seed=1, workers=1, progress=False)
>>> (done.n_points, done.n_computed)
(6, 6)
>>> res = sweep.read_results(out)
>>> list(res.columns[:4])
['index', 'key', 'x', 'k']
>>> again = sweep.run_sweep(f, design, out, seed=1, workers=1, resume=True, progress=False)
>>> again.n_computed
0
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor
from concurrent.futures import wait as _futures_wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, ClassVar

import numpy as np
import pandas as pd

from gametheory.errors import InvalidArgumentError, RestratError, SolverError
from gametheory.fileio import atomic_write_bytes
from gametheory.provenance import provenance

__all__ = [
    "SweepError",
    "SweepWarning",
    "DesignError",
    "UnknownParameterError",
    "SchedulerError",
    "PointFailedError",
    "WorkerLostError",
    "ParamSpec",
    "parse_param",
    "grid",
    "random_design",
    "read_design",
    "cross",
    "point_key",
    "point_seed",
    "run_point",
    "ScenarioPoint",
    "CalibrationPoint",
    "point_function",
    "parse_options",
    "model_parameter_names",
    "SweepRun",
    "run_sweep",
    "read_results",
    "read_manifest",
    "Progress",
    "add_arguments",
    "run_args",
    "main",
    "RESERVED_COLUMNS",
    "MANIFEST",
    "MAX_POINTS",
    "LOCK",
    "CONFIRM_POINTS",
    "execute",
]

#: Columns every results row carries besides the parameters and the outputs.
RESERVED_COLUMNS = ("index", "key", "elapsed_s")
#: Name of the manifest file inside a results folder.
MANIFEST = "_manifest.json"
#: Name of the lock file a running sweep holds inside its results folder.
LOCK = ".lock"
#: Most points a design may hold (the design, keys and rows are kept in memory).
MAX_POINTS = 1_000_000
#: Most points ``restrat sweep`` runs without ``--yes``.
CONFIRM_POINTS = 10_000
#: Most local worker processes.
MAX_WORKERS = 256
#: Largest design file read (bytes).
MAX_DESIGN_BYTES = 256 * 2**20
_FORMAT = 1
_DESIGN_TAG = 0x73776565  # "swee": separates the random-design stream from point streams
_PART_PREFIX = "part-"


# ------------------------------------------------------------------ errors
class SweepError(InvalidArgumentError):
    """A sweep argument is invalid (a range, a design, an output folder, an option)."""


class DesignError(SweepError):
    """A design (grid, random design or design file) is empty, incomplete or malformed."""


class UnknownParameterError(SweepError):
    """A design names a parameter the point function does not know."""


class SchedulerError(SolverError):
    """The Dask scheduler could not be reached (or ``distributed`` is missing)."""


class WorkerLostError(SolverError):
    """A worker process died (killed, out of memory); finished points are saved."""


class PointFailedError(SolverError):
    """A point function raised; finished points are saved and the sweep can resume.

    Attributes
    ----------
    index : int
        The failing point's index in the design.
    point : dict
        Its parameters.
    worker_traceback : str
        The traceback text from the process that ran it.
    """

    def __init__(self, index: int, point: Mapping[str, Any], message: str,
                 worker_traceback: str) -> None:
        self.index = index
        self.point = dict(point)
        self.worker_traceback = worker_traceback
        super().__init__(f"sweep point {index} {self.point}", "exception", message,
                         "Fix the point function or the design; finished points are saved, "
                         "so rerun with resume=True (--resume) to continue")


# ------------------------------------------------------------------ designs
@dataclass(frozen=True)
class ParamSpec:
    """One ``--param`` item: a parameter name and its values or bounds.

    Attributes
    ----------
    name : str
        The parameter's name (``delta``, ``lambda``, ``theta_centre_super``...).
    values : tuple
        Grid values (a ``START:STOP:NUM`` range expanded with
        :func:`numpy.linspace`, a comma list, or one value). Empty for a
        continuous ``LOW:HIGH`` range.
    bounds : tuple of 2 floats or None
        ``(low, high)`` for a continuous range (random designs only).
    text : str
        The item as written.
    """

    name: str
    values: tuple[Any, ...] = ()
    bounds: tuple[float, float] | None = None
    text: str = ""

    @property
    def is_continuous(self) -> bool:
        return self.bounds is not None and not self.values


def _number(spec: str, part: str) -> float:
    try:
        if not _DECIMAL.fullmatch(part.strip()) and part.strip().lower().lstrip("+-") not in (
                "nan", "inf", "infinity"):
            raise ValueError(part)
        val = float(part)
    except ValueError:
        raise SweepError("--param", spec, f"{part.strip()!r} is not a number",
                         "Write numbers, e.g. delta=0:2:21 or lambda=0.5,1,2") from None
    if not math.isfinite(val):
        raise SweepError("--param", spec, f"{part.strip()!r} is not finite",
                         "Give finite numbers")
    return val


def _scalar(text: str) -> float | str:
    """A decimal number (ASCII digits; ``nan``/``inf`` too, refused by the callers), or text."""
    t = text.strip()
    if _DECIMAL.fullmatch(t) or t.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        return float(t)
    return text


def parse_param(spec: str) -> ParamSpec:
    """Parse ``NAME=START:STOP:NUM``, ``NAME=LOW:HIGH``, ``NAME=A,B,C`` or ``NAME=VALUE``.

    ``START:STOP:NUM`` is ``numpy.linspace(START, STOP, NUM)`` (``NUM >= 2``,
    ``START < STOP``); ``LOW:HIGH`` is a continuous range for random designs;
    a comma list gives the values themselves (numbers, or words such as
    ``power_index=banzhaf,shapley_shubik``).

    Raises
    ------
    SweepError
        On a missing ``=``, an empty, inverted or degenerate range, a
        non-integer count, repeated or mixed-type list items.

    Examples
    --------
    >>> parse_param("delta=0:2:5").values
    (0.0, 0.5, 1.0, 1.5, 2.0)
    >>> parse_param("lambda=0.5,1,2").values
    (0.5, 1.0, 2.0)
    >>> parse_param("delta=0:2").bounds
    (0.0, 2.0)
    >>> parse_param("delta=2:0:5")
    Traceback (most recent call last):
    ...
    estimation.sweep.SweepError: --param='delta=2:0:5': inverted range: start 2 is above stop 0. \
Write START:STOP:NUM with START < STOP, e.g. delta=0:2:5
    """
    if not isinstance(spec, str) or "=" not in spec:
        raise SweepError("--param", spec, "expected NAME=VALUES",
                         "Write e.g. delta=0:2:21, lambda=0.5,1,2 or mu=1")
    name, rhs = (s.strip() for s in spec.split("=", 1))
    if not name:
        raise SweepError("--param", spec, "the parameter name is empty",
                         "Write NAME=VALUES, e.g. delta=0:2:21")
    if not rhs:
        raise SweepError("--param", spec, f"no values for {name}",
                         f"Give values, e.g. {name}=0:2:21 or {name}=0.5,1,2")
    if ":" in rhs:
        parts = rhs.split(":")
        if len(parts) not in (2, 3):
            raise SweepError("--param", spec, "a range has 2 or 3 parts",
                             f"Write {name}=START:STOP:NUM (grid) or {name}=LOW:HIGH "
                             "(random designs)")
        lo, hi = _number(spec, parts[0]), _number(spec, parts[1])
        if lo > hi:
            raise SweepError("--param", spec, f"inverted range: start {lo:g} is above "
                             f"stop {hi:g}",
                             f"Write START:STOP:NUM with START < STOP, e.g. {name}="
                             f"{hi:g}:{lo:g}:{parts[2].strip() if len(parts) == 3 else 5}")
        if len(parts) == 2:
            if lo == hi:
                raise SweepError("--param", spec, "empty range: low equals high",
                                 f"Give a single value ({name}={lo:g}) or a wider range")
            return ParamSpec(name, (), (lo, hi), spec)
        num_f = _number(spec, parts[2])
        if num_f != int(num_f):
            raise SweepError("--param", spec, f"number of points {parts[2].strip()!r} is not "
                             "an integer", f"Write e.g. {name}={lo:g}:{hi:g}:21")
        if num_f > MAX_POINTS:
            raise DesignError("--param", spec, f"asks for {num_f:,.0f} points, more than a "
                              f"sweep holds ({MAX_POINTS:,})",
                              f"Ask for fewer points, e.g. {name}={lo:g}:{hi:g}:21, or draw "
                              "a random design from a LOW:HIGH range (--random N)")
        num = int(num_f)
        if num < 1:
            raise SweepError("--param", spec, f"empty range: {num} points",
                             f"Ask for at least 2 points, e.g. {name}={lo:g}:{hi:g}:11")
        if lo == hi or num == 1:
            raise SweepError("--param", spec, "degenerate range: "
                             + ("start equals stop" if lo == hi else "one point between two ends"),
                             f"Give a single value ({name}={lo:g}) or START < STOP with NUM >= 2")
        vals = tuple(float(v) for v in np.linspace(lo, hi, num))
        return ParamSpec(name, vals, (lo, hi), spec)
    items = [s.strip() for s in rhs.split(",")]
    if any(not s for s in items):
        raise SweepError("--param", spec, "an empty item in the list",
                         f"Separate values with single commas, e.g. {name}=0.5,1,2")
    vals_l = [_scalar(s) for s in items]
    nonfinite = [s for s, v in zip(items, vals_l, strict=True)
                 if isinstance(v, float) and not math.isfinite(v)]
    if nonfinite:
        raise SweepError("--param", spec, f"{nonfinite[0]!r} is not a finite number",
                         "Give finite numbers")
    kinds = {type(v) for v in vals_l}
    if len(kinds) > 1:
        raise SweepError("--param", spec, "the list mixes numbers and words",
                         "Give only numbers or only words for one parameter")
    if len(set(vals_l)) != len(vals_l):
        dup = sorted({str(v) for v in vals_l if vals_l.count(v) > 1})
        raise SweepError("--param", spec, f"repeated values {dup}",
                         "List each value once")
    return ParamSpec(name, tuple(vals_l), None, spec)


def _check_names(specs: Sequence[ParamSpec]) -> None:
    seen: set[str] = set()
    for s in specs:
        if s.name in seen:
            raise SweepError("--param", s.text or s.name, f"parameter {s.name!r} given twice",
                             "Give each parameter once (join values with commas)")
        if s.name in RESERVED_COLUMNS:
            raise SweepError("--param", s.text or s.name, f"{s.name!r} is a reserved column",
                             f"Avoid the names {list(RESERVED_COLUMNS)}")
        seen.add(s.name)


def _as_specs(specs: Sequence[ParamSpec | str]) -> list[ParamSpec]:
    return [parse_param(s) if isinstance(s, str) else s for s in specs]


def grid(specs: Sequence[ParamSpec | str]) -> pd.DataFrame:
    """The full grid (Cartesian product) of the specs; the first spec varies slowest.

    Examples
    --------
    >>> grid(["a=1,2", "b=0:1:3"]).to_dict("list")
    {'a': [1.0, 1.0, 1.0, 2.0, 2.0, 2.0], 'b': [0.0, 0.5, 1.0, 0.0, 0.5, 1.0]}
    >>> len(grid([]))
    1
    """
    specs_ = _as_specs(specs)
    _check_names(specs_)
    for s in specs_:
        if s.bounds is not None and not s.values:
            lo, hi = s.bounds
            raise DesignError("--param", s.text, "a LOW:HIGH range has no grid points",
                              f"Add a number of points ({s.name}={lo:g}:{hi:g}:11) or use "
                              "a random design (--random N)")
    size = math.prod(len(s.values) for s in specs_)
    if size > MAX_POINTS:
        sizes = " x ".join(f"{len(s.values)} ({s.name})" for s in specs_)
        raise DesignError("--param", [s.text for s in specs_], f"the grid has {size:,} points "
                          f"({sizes}), more than a sweep holds ({MAX_POINTS:,})",
                          "Use fewer values per parameter, or a random design "
                          "(--random N) over LOW:HIGH ranges")
    rows = list(itertools.product(*(s.values for s in specs_)))
    return pd.DataFrame(rows, columns=[s.name for s in specs_], index=range(len(rows)))


def _fresh_seed() -> int:
    """A root seed from fresh OS entropy (128 bits), to be recorded."""
    entropy = np.random.SeedSequence().entropy
    assert isinstance(entropy, int)
    return entropy


def design_seed(seed: int) -> np.random.SeedSequence:
    """The seed sequence of a random design (separate from every point's stream)."""
    return np.random.SeedSequence([_DESIGN_TAG, int(seed)])


def random_design(specs: Sequence[ParamSpec | str], n: int, seed: int) -> pd.DataFrame:
    """*n* points drawn independently: uniform on ``LOW:HIGH`` ranges, uniform choice otherwise.

    A ``START:STOP:NUM`` range draws among its grid values, a list among its
    items, a single value is constant. The draws come from
    :func:`design_seed` ``(seed)``, so the design is reproducible and
    independent of the points' own streams.

    Examples
    --------
    >>> d = random_design(["delta=0:2", "lambda=1,5"], n=4, seed=3)
    >>> d.shape
    (4, 2)
    >>> bool(((d["delta"] >= 0) & (d["delta"] <= 2)).all())
    True
    >>> d.equals(random_design(["delta=0:2", "lambda=1,5"], n=4, seed=3))
    True
    """
    specs_ = _as_specs(specs)
    _check_names(specs_)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise DesignError("n", n, "a random design needs a positive number of points",
                          "Give e.g. --random 100")
    if n > MAX_POINTS:
        raise DesignError("--random", n, f"more points than a sweep holds ({MAX_POINTS:,})",
                          "Draw fewer points, or split the study into several sweeps")
    if seed is None:
        raise DesignError("seed", seed, "a random design needs a seed",
                          "Pass seed=... (--seed) so the design can be drawn again on resume")
    rng = np.random.default_rng(design_seed(seed))
    cols: dict[str, Any] = {}
    for s in specs_:
        if s.bounds is not None and not s.values:
            lo, hi = s.bounds
            cols[s.name] = rng.uniform(lo, hi, size=int(n))
        else:
            vals = np.asarray(s.values, dtype=object)
            picked = vals[rng.integers(0, len(vals), size=int(n))]
            cols[s.name] = (picked.astype(float) if isinstance(s.values[0], float)
                            else picked.astype(str))
    return pd.DataFrame(cols, index=range(int(n)))


def read_design(path: str | Path, required: Iterable[str] = ()) -> pd.DataFrame:
    """Read a design file (CSV or Parquet, one column per parameter, one row per point).

    Parameters
    ----------
    path : str or Path
        ``.csv`` (or ``.txt``/``.tsv``, comma- or tab-separated) or ``.parquet``.
    required : iterable of str
        Columns that must be present.

    Raises
    ------
    DesignError
        If the file is missing or unreadable, has no rows or columns, lacks a
        required column, has blank cells (a row with missing columns) or
        repeated/unnamed/reserved column names.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
    >>> _ = p.write_text("delta,lambda\\n0,1\\n1,2\\n")
    >>> read_design(p).to_dict("list")
    {'delta': [0.0, 1.0], 'lambda': [1.0, 2.0]}
    >>> read_design(p, required=["delta", "mu"])
    Traceback (most recent call last):
    ...
    estimation.sweep.DesignError: design=...: missing column(s) ['mu'] (has ['delta', 'lambda']). \
Add a column per parameter, one row per point
    """
    from gametheory.fileio import decode_text, read_input_bytes

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".parquet", ".pq", ".csv", ".txt", ".tsv"):
        raise DesignError("design", str(p), f"unknown file type {suffix!r}",
                          "Use a .csv or .parquet file")
    raw = read_input_bytes(p, name="design", max_bytes=MAX_DESIGN_BYTES,
                           what="CSV or Parquet design file", error=DesignError)
    try:
        if suffix in (".parquet", ".pq"):
            import io

            df = pd.read_parquet(io.BytesIO(raw))
        elif suffix in (".csv", ".txt", ".tsv"):
            import csv

            text = decode_text(raw, path=p, name="design", what="CSV design file",
                               error=DesignError)
            if not text.strip():
                raise DesignError("design", str(p), "the file is empty",
                                  "Write a header row of parameter names, then one row per point")
            sep = "\t" if suffix == ".tsv" else ","
            rows = list(csv.reader(text.splitlines(), delimiter=sep))
            rows = [r for r in rows if any(c.strip() for c in r)]
            header = [h.strip() for h in rows[0]]
            if any(not h for h in header) or len(set(header)) != len(header):
                raise DesignError("design", str(p), f"empty or repeated column names in "
                                  f"{header}", "Name each parameter once in the header row")
            if len(rows) - 1 > MAX_POINTS:
                raise DesignError("design", str(p), f"has {len(rows) - 1:,} rows, more than a "
                                  f"sweep holds ({MAX_POINTS:,})", "Split the design")
            for k, r in enumerate(rows[1:], start=2):
                if len(r) != len(header):
                    raise DesignError("design", str(p), f"line {k} has {len(r)} field(s), the "
                                      f"header {len(header)} ({header})",
                                      "Give every row one value per column")
            df = pd.DataFrame([[_scalar(c.strip()) if c.strip() else np.nan for c in r]
                               for r in rows[1:]], columns=header)
            for c in df.columns:
                words = df[c].map(lambda v: isinstance(v, str))
                if not words.any():
                    df[c] = df[c].astype(float)
                elif not words.all():
                    where = [(int(i) + 2, df[c].iloc[i]) for i in np.flatnonzero(words)][:5]
                    raise DesignError("design", str(p), f"column {c!r} mixes numbers and "
                                      f"words (line, value) {where}",
                                      "Give only numbers (or only words) in a column")
                else:
                    nonfinite = [v for v in df[c] if str(v).lower().lstrip("+-")
                                 in ("nan", "inf", "infinity")]
                    if nonfinite:
                        raise DesignError("design", str(p), f"column {c!r} holds "
                                          f"{nonfinite[:3]}, not finite numbers",
                                          "Give finite numbers")
    except DesignError:
        raise
    except Exception as exc:  # pyarrow / OS errors: report as bad input
        raise DesignError("design", str(p), f"cannot be read ({type(exc).__name__}: {exc})",
                          "Give a valid CSV or Parquet file") from exc
    cols = [str(c) for c in df.columns]
    if not cols or any(not c.strip() or c.startswith("Unnamed:") for c in cols):
        raise DesignError("design", str(p), f"unnamed column(s) in {cols}",
                          "Give every column a parameter name in the header row")
    if len(set(cols)) != len(cols):
        raise DesignError("design", str(p), f"repeated column names in {cols}",
                          "Name each parameter once")
    bad = [c for c in cols if c in RESERVED_COLUMNS]
    if bad:
        raise DesignError("design", str(p), f"reserved column name(s) {bad}",
                          f"Rename them; {list(RESERVED_COLUMNS)} are used by the results")
    missing = [c for c in required if c not in cols]
    if missing:
        raise DesignError("design", str(p), f"missing column(s) {missing} (has {cols})",
                          "Add a column per parameter, one row per point")
    if len(df) == 0:
        raise DesignError("design", str(p), "no rows", "Add one row per point")
    if len(df) > MAX_POINTS:
        raise DesignError("design", str(p), f"has {len(df):,} rows, more than a sweep holds "
                          f"({MAX_POINTS:,})", "Split the design")
    for c in df.columns:
        if df[c].dtype.kind == "f" and not np.isfinite(df[c].to_numpy()).all():
            bad_rows = [int(r) + 1 for r in np.flatnonzero(~np.isfinite(df[c].to_numpy())
                                                            & ~df[c].isna().to_numpy())]
            if bad_rows:
                raise DesignError("design", str(p), f"column {c!r} holds infinite values "
                                  f"(rows {bad_rows[:5]})", "Give finite numbers")
    blank = df.isna()
    if blank.to_numpy().any():
        where = [(int(r) + 1, c) for c in df.columns for r in np.flatnonzero(blank[c])][:5]
        raise DesignError("design", str(p), f"blank cells (row, column) {where}",
                          "Fill every cell: a row that lacks a column cannot be run")
    df.columns = cols
    return df.reset_index(drop=True)


def cross(outer: pd.DataFrame, inner: pd.DataFrame) -> pd.DataFrame:
    """Every row of *outer* combined with every row of *inner* (outer varies slowest).

    Examples
    --------
    >>> cross(pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"b": [0, 1]})).to_dict("list")
    {'a': [1, 1, 2, 2], 'b': [0, 1, 0, 1]}
    """
    both = set(outer.columns) & set(inner.columns)
    size = max(len(outer), 1) * max(len(inner), 1)
    if size > MAX_POINTS:
        raise DesignError("design", f"{len(outer):,} x {len(inner):,} points",
                          f"the design file crossed with the --param grid has {size:,} points, "
                          f"more than a sweep holds ({MAX_POINTS:,})",
                          "Put fewer points in the file or the grid")
    if both:
        raise DesignError("--param", sorted(both), "given both in the design file and as --param",
                          "Give each parameter in one place")
    if len(inner.columns) == 0:
        return outer.reset_index(drop=True)
    if len(outer.columns) == 0:
        return inner.reset_index(drop=True)
    return outer.merge(inner, how="cross").reset_index(drop=True)


# ------------------------------------------------------------------ keys and seeds
def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, int) and not isinstance(v, bool):
        return {"f": repr(float(v))} if abs(v) < 2**53 else {"i": str(v)}
    if isinstance(v, float):
        return {"f": repr(v)}
    return v


def point_key(index: int, point: Mapping[str, Any]) -> str:
    """Stable 16-hex-digit key of a point: hash of its index and parameters.

    Integers and equal floats give the same key (``1`` and ``1.0``), so a design
    read back from CSV or Parquet keys like the one that was written.

    Examples
    --------
    >>> point_key(0, {"delta": 1, "lambda": 2.5}) == point_key(0, {"lambda": 2.5, "delta": 1.0})
    True
    >>> point_key(0, {"delta": 1}) == point_key(1, {"delta": 1})
    False
    """
    body = json.dumps({"i": int(index), "p": {str(k): _plain(v) for k, v in point.items()}},
                      sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def point_seed(seed: int, index: int) -> np.random.SeedSequence:
    """The seed sequence of point *index*: child *index* of ``SeedSequence(seed)``.

    Equal to ``numpy.random.SeedSequence(seed).spawn(n)[index]`` for any
    ``n > index``, without spawning the others.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.random.default_rng(point_seed(7, 3)).random()
    >>> b = np.random.default_rng(np.random.SeedSequence(7).spawn(5)[3]).random()
    >>> a == b
    True
    """
    root = np.random.SeedSequence(seed)
    return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, int(index)),
                                  pool_size=root.pool_size)


_SCALAR_TYPES = (bool, int, float, str, type(None))


def _clean_output(out: Any) -> dict[str, Any]:
    if not isinstance(out, Mapping):
        raise TypeError(f"the point function returned {type(out).__name__}, expected a dict "
                        "of scalars")
    clean: dict[str, Any] = {}
    for k, v in out.items():
        if isinstance(v, np.generic):
            v = v.item()
        if not isinstance(v, _SCALAR_TYPES):
            raise TypeError(f"output {k!r} is a {type(v).__name__}; return scalars (numbers, "
                            "strings, booleans) only")
        clean[str(k)] = v
    return clean


def run_point(fn: Callable[[dict[str, Any], np.random.Generator], Mapping[str, Any]],
              seed: int, index: int, point: Mapping[str, Any]) -> dict[str, Any]:
    """Evaluate one point exactly as a sweep does (same stream, same output checks).

    Examples
    --------
    >>> run_point(lambda p, rng: {"u": rng.random()}, 7, 3, {})["u"] == (
    ...     np.random.default_rng(point_seed(7, 3)).random())
    True
    """
    rng = np.random.default_rng(point_seed(seed, index))
    return _clean_output(fn(dict(point), rng))


def _run_chunk(fn: Callable[..., Mapping[str, Any]], seed: int,
               items: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    """Worker task: run a chunk of points; stop at the first failure and report it."""
    done: list[tuple[int, dict[str, Any], float]] = []
    for index, point in items:
        t0 = time.perf_counter()
        try:
            out = run_point(fn, seed, index, point)
        except Exception as exc:
            return {"done": done, "failed": (index, f"{type(exc).__name__}: {exc}",
                                             traceback.format_exc())}
        done.append((index, out, time.perf_counter() - t0))
    return {"done": done, "failed": None}


# ------------------------------------------------------------------ the scenario kind
def model_parameter_names() -> list[str]:
    """Names a design may use for the model's parameters (``ModelParameters.from_dict``):
    every field, its aliases (``lambda``) and one entry of a vector (``theta_<name>``)."""
    from dataclasses import fields

    from gametheory.restratification.model import (
        PARAMETER_ALIASES,
        PARAMETER_VECTORS,
        ModelParameters,
    )

    known = {f.name for f in fields(ModelParameters)} | set(PARAMETER_ALIASES)
    known |= {f"{v}_{e}" for v, entries in PARAMETER_VECTORS.items() for e in entries}
    return sorted(known)


def _check_model_params(design: pd.DataFrame) -> None:
    from gametheory.restratification import ModelParameters

    known = model_parameter_names()
    unknown = [c for c in design.columns if c not in known]
    if unknown:
        raise UnknownParameterError("--param", unknown, "unknown model parameter name(s)",
                                    f"Use any of {known}")
    if "lam" in design.columns and "lambda" in design.columns:
        raise SweepError("--param", ["lam", "lambda"], "two names for one parameter",
                         "Give lambda (or lam) once")
    # each column's distinct values on their own (cheap for big designs), then the first
    # point whole (conflicts between columns: a vector and one of its entries)
    problems: list[str] = []
    for col in design.columns:
        values = pd.unique(design[col].to_numpy(dtype=object))
        for v in values:
            try:
                ModelParameters.from_dict({col: v})
            except InvalidArgumentError as exc:
                first = int(np.flatnonzero((design[col] == v).to_numpy())[0]) if not (
                    isinstance(v, float) and math.isnan(v)) else 0
                problems.append(f"point {first} (and any other with this value): {exc}")
                if len(problems) >= 10:
                    break
    if not problems and len(design):
        try:
            ModelParameters.from_dict(design.iloc[0].to_dict())
        except InvalidArgumentError as exc:
            problems.append(f"point 0: {exc}")
    if problems:
        raise SweepError("design", f"{len(design):,} point{'s' if len(design) != 1 else ''}",
                         "invalid model parameters:\n  - "
                         + "\n  - ".join(problems) + "\n",
                         "Keep every value within the parameter's range (ModelParameters)")


@dataclass(frozen=True)
class ScenarioPoint:
    """Point function running the restratification model on a scenario.

    For each point: load the region (``random-region`` draws its own region
    seed from the point's stream and records it as ``region_seed``), build
    :meth:`ModelParameters.from_dict <gametheory.restratification.ModelParameters.from_dict>`
    from the point and call :func:`gametheory.restratification.run`.

    Outputs per point: ``host``, ``centre``, ``probability`` (choice probability
    of the chosen, i.e. most probable, configuration), ``all_blocked`` (in the
    deterministic limit), ``bloc_power``,
    ``network_director``, ``centre_director``, ``concession_value`` (total value
    of the concession packages), ``n_concession_roles``, ``stable``,
    ``shortfall`` (and ``region_seed`` for random regions).

    Parameters
    ----------
    scenario : str
        A built-in scenario name (``restrat list``) or a scenario file path.
    scenario_kwargs : dict, optional
        Extra options for :func:`gametheory.restratification.scenarios.load`
        (``random-region``: ``n_districts``, ``n_teaching``...). ``seed=S``
        fixes one random region for every point (common random numbers);
        without it each point draws its own region.

    Examples
    --------
    >>> f = ScenarioPoint("random-region")
    >>> out = f({"delta": 1.0}, np.random.default_rng(0))
    >>> sorted(out)[:4]
    ['all_blocked', 'bloc_power', 'centre', 'centre_director']
    """

    scenario: str
    scenario_kwargs: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        seed = self.scenario_kwargs.get("seed")
        if "seed" in self.scenario_kwargs and (
                not self.is_random or isinstance(seed, bool)
                or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise SweepError("scenario_kwargs", dict(self.scenario_kwargs),
                             "seed= fixes the region of random-region only, as an integer >= 0",
                             "Drop seed= (each point then draws its own region) or give an "
                             "integer with scenario random-region")

    def describe(self) -> dict[str, Any]:
        """What identifies this point function in a results manifest."""
        return {"kind": "scenario", "scenario": str(self.scenario),
                "scenario_kwargs": {k: repr(v) for k, v in sorted(self.scenario_kwargs.items())}}

    def _load(self, region_seed: int | None) -> Any:
        from gametheory.restratification import scenarios

        kw = {k: v for k, v in self.scenario_kwargs.items() if k != "seed"}
        if region_seed is not None:
            kw["seed"] = region_seed
        return scenarios.load(self.scenario, **kw)

    @property
    def is_random(self) -> bool:
        return str(self.scenario) == "random-region"

    def validate(self, design: pd.DataFrame) -> None:
        """Check the scenario loads and every point gives valid model parameters."""
        self._load(0 if self.is_random else None)
        _check_model_params(design)

    def __call__(self, point: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
        from gametheory.restratification import ModelParameters, run

        out: dict[str, Any] = {}
        region_seed = None
        if self.is_random:
            fixed = self.scenario_kwargs.get("seed")
            region_seed = int(fixed) if fixed is not None else int(rng.integers(0, 2**63 - 1))
            out["region_seed"] = region_seed
        region = self._load(region_seed)
        res = run(region, ModelParameters.from_dict(point))
        table = res.allocation.table
        chosen = table.loc[table["chosen"]]
        directors = res.directors
        conc = res.concessions
        out.update({
            "host": str(res.chosen[0]),
            "centre": str(res.chosen[1]),
            "probability": float(chosen["probability"].iloc[0]),
            "all_blocked": bool(res.allocation.all_blocked),
            "bloc_power": float(res.allocation.bloc_power),
            "network_director": str(directors.get(region.roles.network_director, "")),
            "centre_director": str(directors.get(region.roles.centre_director, "")),
            "concession_value": float(conc.table["package_value"].sum())
            if not conc.table.empty else 0.0,
            "n_concession_roles": int(len(conc.packages)),
            "stable": bool(conc.stable),
            "shortfall": float(conc.shortfall),
        })
        return out


# ------------------------------------------------------------------ the calibration kind
@dataclass(frozen=True)
class CalibrationPoint:
    r"""Point function: one simulation-based-calibration (or recovery) replicate.

    For each point, from the point's own stream: take the true parameters
    (those in the point fixed; the others drawn from the structural model's
    prior when ``prior=True``, SBC, or kept at their defaults, a recovery
    study), simulate ``n_regions`` regions with
    :func:`estimation.simulate`, fit the structural model with
    :func:`estimation.fit` and compare the posterior with the truth (see
    :mod:`estimation.calibration`). A sweep of ``--random N`` empty points is
    an SBC run of N replicates spread over workers; a grid over ``delta``
    checks recovery along ``delta``.

    Outputs, for each estimand ``k`` of
    :func:`estimation.simulate.normalised_truth` (``lam_theta[...]``, ``kappa``, ``delta``,
    ``alpha[social]``...): ``k_truth``, ``k_rank`` (number of the
    ``n_posterior`` evenly thinned draws below the truth; uniform on
    ``0..n_posterior`` under correct calibration), ``k_mean`` (posterior
    mean), ``k_in50`` and ``k_in95`` (the central interval covers the truth);
    plus ``n_posterior`` and ``sampler``.

    Parameters
    ----------
    scenario : str
        Where regions come from (``random-region`` or a scenario name).
    n_regions, draws, tune, chains, n_posterior : int
        Regions per simulated data set; sampler settings; draws kept for ranks.
    sampler : str
        As in :func:`estimation.fit` (``auto``, ``pymc``, ``nutpie``...).
    prior : bool
        Draw the parameters a point does not set from the prior (SBC).
    """

    scenario: str = "random-region"
    n_regions: int = 50
    draws: int = 200
    tune: int = 300
    chains: int = 2
    n_posterior: int = 99
    sampler: str = "auto"
    prior: bool = True

    #: valid range of each integer option
    LIMITS: ClassVar[dict[str, tuple[int, int]]] = {
        "n_regions": (1, 100_000), "draws": (1, 1_000_000), "tune": (1, 1_000_000),
        "chains": (1, 64), "n_posterior": (1, 1_000_000)}

    def __post_init__(self) -> None:
        for name, (lo, hi) in self.LIMITS.items():
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
                raise SweepError(name, v, f"must be an integer in [{lo:,}, {hi:,}]",
                                 f"Give e.g. --option {name}=10")
        if not isinstance(self.sampler, str) or not self.sampler.strip():
            raise SweepError("sampler", self.sampler, "must be a sampler name",
                             "Give --option sampler=auto (or pymc, nutpie...)")
        if not isinstance(self.prior, bool):
            raise SweepError("prior", self.prior, "must be true or false",
                             "Give --option prior=true (SBC) or prior=false (recovery)")

    def describe(self) -> dict[str, Any]:
        """What identifies this point function in a results manifest."""
        return {"kind": "calibration", "scenario": str(self.scenario),
                "n_regions": int(self.n_regions), "draws": int(self.draws),
                "tune": int(self.tune), "chains": int(self.chains),
                "n_posterior": int(self.n_posterior), "sampler": str(self.sampler),
                "prior": bool(self.prior)}

    def validate(self, design: pd.DataFrame) -> None:
        """Check the scenario, the sampler and the parameter names before anything runs."""
        from gametheory.restratification import scenarios

        from .fit import available_samplers

        if self.scenario != "random-region":
            scenarios.load(self.scenario)
        if self.sampler != "auto" and self.sampler not in available_samplers():
            raise SweepError("sampler", self.sampler, "unknown sampler",
                             f"Use auto or one of {sorted(available_samplers())}")
        _check_model_params(design)

    def truth(self, point: Mapping[str, Any], rng: np.random.Generator) -> Any:
        """The true :class:`ModelParameters` of a point (draws from *rng* when ``prior``)."""
        from gametheory.restratification import ModelParameters
        from gametheory.restratification.model import ALPHA_NAMES, THETA_NAMES

        from .calibration import prior_draw_params

        given = {("lam" if k == "lambda" else k): v for k, v in point.items()}
        if not self.prior:
            return ModelParameters.from_dict(given)
        drawn = prior_draw_params(None, rng)
        base: dict[str, Any] = {k: v for k, v in drawn.to_dict().items()
                                if k not in ("theta", "alpha")}
        base.update({f"theta_{n}": v for n, v in zip(THETA_NAMES, drawn.theta, strict=True)})
        base.update({f"alpha_{n}": v for n, v in zip(ALPHA_NAMES, drawn.alpha, strict=True)})
        base.update(given)
        return ModelParameters.from_dict(base)

    def __call__(self, point: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
        import warnings

        from .calibration import _flat_draws, rank_statistics
        from .fit import fit
        from .simulate import normalised_truth, simulate

        params = self.truth(point, rng)
        data = simulate(self.scenario, params, n_regions=int(self.n_regions), seed=rng)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = fit(data, "structural", sampler=self.sampler, chains=int(self.chains),
                      draws=int(self.draws), tune=int(self.tune),
                      seed=int(rng.integers(2**31 - 1)), progressbar=False, cores=1)
        post = _flat_draws(res, int(self.draws) * int(self.chains))
        # the estimands the fit sampled (the patience is held fixed by default)
        truth = {k: v for k, v in normalised_truth(params).items() if k in post}
        n_all = len(next(iter(post.values())))
        n_post = min(int(self.n_posterior), n_all)
        idx = np.linspace(0, n_all - 1, n_post).round().astype(int)
        ranks = rank_statistics(truth, {k: v[idx] for k, v in post.items()})
        out: dict[str, Any] = {}
        for k, v in truth.items():
            q = np.quantile(post[k], [0.025, 0.25, 0.75, 0.975])
            out[f"{k}_truth"] = float(v)
            out[f"{k}_rank"] = int(ranks[k])
            out[f"{k}_mean"] = float(np.mean(post[k]))
            out[f"{k}_in50"] = bool(q[1] <= v <= q[2])
            out[f"{k}_in95"] = bool(q[0] <= v <= q[3])
        out["n_posterior"] = int(n_post)
        out["sampler"] = str(getattr(res, "sampler", self.sampler))
        return out


# ------------------------------------------------------------------ progress
class Progress:
    """A small progress bar with rate and time left, written to a stream (stderr).

    On a terminal it redraws one line; otherwise it prints a line at most
    every ``log_every`` seconds and at the end.

    Examples
    --------
    >>> import io
    >>> clock = iter([0.0, 10.0, 10.0]).__next__
    >>> buf = io.StringIO()
    >>> p = Progress(100, done=20, stream=buf, clock=clock, tty=False, log_every=0)
    >>> p.update(40)
    >>> p.line()
    ' 60/100  60% [##############----------] 4.0/s  elapsed 0:10  left ~0:10'
    """

    def __init__(self, total: int, done: int = 0, stream: IO[str] | None = None,
                 enabled: bool = True, label: str = "", min_interval: float = 0.2,
                 log_every: float = 10.0, clock: Callable[[], float] = time.monotonic,
                 tty: bool | None = None, width: int = 24) -> None:
        self.total = int(total)
        self.done = int(done)
        self.start_done = int(done)
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.label = label
        self.clock = clock
        self.t0 = clock()
        self.now = self.t0
        self.last_draw = -math.inf
        self.drawn = -1
        self.tty = tty if tty is not None else self._isatty()
        self.min_interval = min_interval if self.tty else log_every
        self.width = width

    def _isatty(self) -> bool:
        try:
            return bool(self.stream.isatty())
        except Exception:
            return False

    @staticmethod
    def _clock_text(seconds: float) -> str:
        s = int(round(seconds))
        h, rem = divmod(s, 3600)
        m, s = divmod(rem, 60)
        return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"

    def line(self) -> str:
        """The current progress line (no drawing)."""
        total = max(self.total, 1)
        frac = self.done / total
        fill = int(round(frac * self.width))
        elapsed = self.now - self.t0
        ran = self.done - self.start_done
        rate = ran / elapsed if elapsed > 0 and ran > 0 else 0.0
        left = (f"~{self._clock_text((self.total - self.done) / rate)}" if rate > 0
                else "?")
        digits = len(str(self.total))
        head = f"{self.label} " if self.label else ""
        return (f"{head}{self.done:>{digits}}/{self.total} {100 * frac:3.0f}% "
                f"[{'#' * fill}{'-' * (self.width - fill)}] {rate:.1f}/s  "
                f"elapsed {self._clock_text(elapsed)}  left {left}")

    def update(self, n: int = 1) -> None:
        """Count *n* more finished points and redraw if due."""
        self.done += int(n)
        self.now = self.clock()
        if self.enabled and (self.now - self.last_draw >= self.min_interval
                             or self.done >= self.total):
            self._draw()

    def _draw(self) -> None:
        self.last_draw = self.now
        self.drawn = self.done
        text = self.line()
        if self.tty:
            self.stream.write("\r" + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Draw the final state and end the line."""
        if not self.enabled:
            return
        self.now = self.clock()
        if self.tty:
            self._draw()
            self.stream.write("\n")
        elif self.drawn != self.done:
            self._draw()
        self.stream.flush()


# ------------------------------------------------------------------ storage
def _part_files(out: Path) -> list[Path]:
    return sorted(p for p in out.glob(f"{_PART_PREFIX}*.parquet") if p.is_file())


def read_manifest(out: str | Path) -> dict[str, Any] | None:
    """The manifest of a results folder, or None when there is none."""
    m = Path(out) / MANIFEST
    if not m.is_file():
        return None
    try:
        return json.loads(m.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise SweepError("out", str(out), f"unreadable manifest ({exc})",
                         "Start again in a new folder (or pass overwrite=True)") from exc


class SweepWarning(UserWarning):
    """A results folder needed attention (repeated rows were dropped when reading)."""


def _read_part(p: Path, columns: list[str] | None = None) -> pd.DataFrame | None:
    """A part file's rows, or None when it cannot be read (truncated, not Parquet)."""
    try:
        df = pd.read_parquet(p, columns=columns)
    except Exception:   # pyarrow raises several kinds for a damaged file
        return None
    if not set(columns or ["index", "key"]) <= set(df.columns):
        return None
    return df


def read_results(out: str | Path) -> pd.DataFrame:
    """All rows of a results folder, sorted by point index.

    A row stored twice (a part file copied, or written by two runs) is read
    once, with a :class:`SweepWarning`; ``--resume`` (``resume=True``)
    repairs the folder for good without losing a row.

    Raises
    ------
    SweepError
        If the folder holds no sweep, a part file cannot be read (resume sets
        it aside and recomputes its points), or one point index carries two
        different sets of parameters (the folder mixes two sweeps).
    """
    import warnings

    out = Path(out)
    if not out.is_dir() or read_manifest(out) is None:
        raise SweepError("out", str(out), "is not a sweep results folder",
                         "Give the --out folder of a sweep")
    parts = _part_files(out)
    if not parts:
        return pd.DataFrame(columns=list(RESERVED_COLUMNS))
    frames = [(p, _read_part(p)) for p in parts]
    bad = [p.name for p, df in frames if df is None]
    if bad:
        raise SweepError("out", str(out), f"part file(s) {bad[:5]} cannot be read (truncated "
                         "or not Parquet)", "Run the sweep again with --resume (resume=True): "
                         "it sets them aside and recomputes their points; other rows are kept")
    df = pd.concat([d for _, d in frames if d is not None], ignore_index=True)
    twice = df["key"].duplicated(keep="first")
    if twice.any():
        warnings.warn(f"{int(twice.sum())} rows of {out} are stored more than once (a copied "
                      "part file?); each is read once. Resume the sweep (--resume) to repair "
                      "the folder", SweepWarning, stacklevel=2)
        df = df[~twice]
    dup = df["index"][df["index"].duplicated()]
    if len(dup):
        raise SweepError("out", str(out), f"points {sorted(set(dup.tolist()))[:10]} appear "
                         "with different parameters", "The folder mixes two sweeps: keep "
                         "the part files of one (part-*.parquet), or start again in a new "
                         "folder")
    df = df.sort_values("index", kind="stable").reset_index(drop=True)
    lead = ["index", "key"]
    return df[lead + [c for c in df.columns if c not in lead]]


def _repair_parts(out: Path, run_no: int) -> list[str]:
    """Set unreadable part files aside and rewrite parts holding repeated rows (keeps one).

    Nothing is lost: the merged part is written (atomically) before the parts
    it replaces are removed. Returns notes for the user.
    """
    notes: list[str] = []
    keys: dict[Path, list[str]] = {}
    for p in _part_files(out):
        df = _read_part(p, columns=["key"])
        if df is None:
            aside = out / f"corrupt-{p.name}"
            os.replace(p, aside)
            notes.append(f"{p.name} cannot be read; set aside as {aside.name}, its points "
                         "are recomputed")
            continue
        keys[p] = df["key"].tolist()
    seen: dict[str, int] = {}
    for ks in keys.values():
        for k in ks:
            seen[k] = seen.get(k, 0) + 1
    repeated = {k for k, c in seen.items() if c > 1}
    if repeated:
        involved = [p for p, ks in keys.items() if repeated.intersection(ks)]
        rows = pd.concat([pd.read_parquet(p) for p in involved], ignore_index=True)
        merged = rows.drop_duplicates("key", keep="first").sort_values("index", kind="stable")
        import io

        buf = io.BytesIO()
        merged.to_parquet(buf, index=False)
        name = f"{_PART_PREFIX}{run_no:03d}-repaired.parquet"
        atomic_write_bytes(out / name, buf.getvalue())
        for p in involved:
            if p.name != name:
                p.unlink(missing_ok=True)
        notes.append(f"{len(rows) - len(merged)} repeated rows in {len(involved)} part "
                     f"file(s) merged into {name} (no row lost)")
    return notes


def _check_out(out: Path) -> None:
    from gametheory.errors import OutputPathError
    from gametheory.fileio import check_output_target

    try:
        check_output_target(out, name="out", kind="folder", allow_nonempty=True)
    except OutputPathError as exc:
        raise SweepError(exc.name, exc.value, exc.problem,
                         exc.fix + " (results are a Parquet dataset folder)") from None


class _FolderLock:
    """An exclusive lock on a results folder while a sweep writes it (``fcntl.flock``).

    Released when the sweep ends or its process dies (even by ``kill -9``);
    a second sweep on the same folder is refused at once, naming the first.
    Where ``fcntl`` is missing (Windows) there is no lock.
    """

    def __init__(self, out: Path) -> None:
        self.path = out / LOCK
        self.fd: int | None = None

    def __enter__(self) -> _FolderLock:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            self._acquire(fcntl, fd)
        except OSError:
            try:
                holder = os.read(fd, 4096).decode(errors="replace").strip()
            finally:
                os.close(fd)
            raise SweepError("out", str(self.path.parent), "is being written by another sweep "
                             f"({holder or 'unknown process'})",
                             "Wait for that sweep to finish (or stop it), then run again "
                             "with --resume") from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "host": os.uname().nodename
                                 if hasattr(os, "uname") else "",
                                 "since": datetime.now(UTC).isoformat(timespec="seconds")}
                                ).encode())
        self.fd = fd
        return self

    #: seconds to wait for the lock when its recorded holder is dead: the workers of a
    #: killed sweep inherit the lock and release it only as they finish dying
    DEAD_HOLDER_GRACE = 10.0

    @classmethod
    def _acquire(cls, fcntl: Any, fd: int) -> None:
        """Take the lock; wait briefly only while the sweep that held it is already dead."""
        deadline = time.monotonic() + cls.DEAD_HOLDER_GRACE
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except OSError:
                if time.monotonic() > deadline or _holder_alive(fd):
                    raise
                time.sleep(0.05)

    def __exit__(self, *exc: Any) -> None:
        if self.fd is not None:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


_PR_SET_PDEATHSIG = 1


def _holder_alive(fd: int) -> bool:
    """Whether the process recorded in a held lock file still runs (unknown: assume so)."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        pid = int(json.loads(os.read(fd, 4096).decode())["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return True
    finally:
        os.lseek(fd, 0, os.SEEK_SET)
    return _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _worker_init(parent: int) -> None:
    """Make a local worker die with the sweep that started it.

    On Linux the kernel kills the worker when its parent dies
    (``prctl(PR_SET_PDEATHSIG, SIGKILL)``); everywhere a watchdog thread
    ends it within a second of being orphaned (its parent process changes).
    """
    import signal
    import threading

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl
            pass
    start = os.getppid()   # the sweep (or, under forkserver, the server that dies with it)
    if start == 1 or not _alive(parent):
        os._exit(1)            # orphaned before the checks were in place

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != start:
                os._exit(1)

    threading.Thread(target=watch, name="restrat-orphan-watch", daemon=True).start()


def _done_keys(out: Path) -> set[str]:
    keys: set[str] = set()
    for p in _part_files(out):
        keys.update(pd.read_parquet(p, columns=["key"])["key"].tolist())
    return keys


def _clear(out: Path) -> None:
    for p in list(_part_files(out)) + [out / MANIFEST]:
        p.unlink(missing_ok=True)
    _clean_temps(out)


def _clean_temps(out: Path) -> None:
    for p in out.glob(f".{_PART_PREFIX}*"):
        p.unlink(missing_ok=True)
    for p in out.glob(f".{MANIFEST}.*"):
        p.unlink(missing_ok=True)


class _Writer:
    """Buffers rows and writes them as atomic part files."""

    def __init__(self, out: Path, run_no: int, batch_size: int, flush_seconds: float,
                 param_cols: list[str]) -> None:
        self.out = out
        self.run_no = run_no
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.param_cols = param_cols
        self.rows: list[dict[str, Any]] = []
        self.batch = 0
        self.last = time.monotonic()
        self.written = 0

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if (len(self.rows) >= self.batch_size
                or time.monotonic() - self.last >= self.flush_seconds):
            self.flush()

    def flush(self) -> None:
        self.last = time.monotonic()
        if not self.rows:
            return
        df = pd.DataFrame(self.rows).sort_values("index", kind="stable")
        import io

        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        name = f"{_PART_PREFIX}{self.run_no:03d}-{self.batch:06d}.parquet"
        atomic_write_bytes(self.out / name, buf.getvalue())
        self.batch += 1
        self.written += len(self.rows)
        self.rows = []


# ------------------------------------------------------------------ running
@dataclass(frozen=True)
class SweepRun:
    """What a call of :func:`run_sweep` did.

    Attributes
    ----------
    path : Path
        The results folder (a Parquet dataset plus ``_manifest.json``).
    seed : int
        The root seed (drawn and recorded when none was given).
    n_points : int
        Points in the design.
    n_computed : int
        Points computed by this call.
    n_reused : int
        Points already on disk (``resume=True``) and skipped.
    seconds : float
        Wall time of this call.
    """

    path: Path
    seed: int
    n_points: int
    n_computed: int
    n_reused: int
    seconds: float

    def results(self) -> pd.DataFrame:
        """All rows, sorted by index (see :func:`read_results`)."""
        return read_results(self.path)


def _describe_fn(fn: Any) -> dict[str, Any]:
    if hasattr(fn, "describe") and callable(fn.describe):
        return dict(fn.describe())
    target = fn if hasattr(fn, "__qualname__") else type(fn)
    return {"kind": "function",
            "function": f"{getattr(target, '__module__', '?')}.{target.__qualname__}"}


def _as_design(design: pd.DataFrame | Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    if isinstance(design, pd.DataFrame):
        df = design.reset_index(drop=True)
    else:
        rows = list(design)
        keys = list(dict.fromkeys(k for r in rows for k in r))
        df = pd.DataFrame([[r.get(k, np.nan) for k in keys] for r in rows], columns=keys)
        if len(rows) and not keys:
            df = pd.DataFrame(index=range(len(rows)))
    if len(df) == 0:
        raise DesignError("design", "<empty>", "no points", "Give at least one point")
    cols = [str(c) for c in df.columns]
    bad = [c for c in cols if c in RESERVED_COLUMNS or not c.strip()]
    if bad:
        raise DesignError("design", cols, f"reserved or empty column name(s) {bad}",
                          f"Rename them; {list(RESERVED_COLUMNS)} are used by the results")
    if df.isna().to_numpy().any():
        raise DesignError("design", cols, "missing values (a point lacks a parameter)",
                          "Give every point a value for every column")
    df.columns = cols
    return df


def _check_scheduler(address: str) -> str:
    if not isinstance(address, str) or "://" not in address or ":" not in address.split("://",
                                                                                          1)[1]:
        raise SweepError("scheduler", address, "not a scheduler address",
                         "Give tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786")
    return address


def _connect(address: str, timeout: float) -> Any:
    _check_scheduler(address)
    try:
        from distributed import Client
    except ImportError as exc:
        raise SchedulerError(f"connecting to {address}", "missing", "dask.distributed is not "
                             "installed", 'Install it: pip install "dask[distributed]" '
                             '(or restrat[distributed])') from exc
    try:
        return Client(address, timeout=f"{max(float(timeout), 0.1)}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise SchedulerError(f"connecting to the Dask scheduler at {address}", "unreachable",
                             f"{exc}", "Start one (dask scheduler; dask worker "
                             f"{address}) or check the address and firewall") from exc


def _chunks(todo: list[tuple[int, dict[str, Any]]], size: int
            ) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    for i in range(0, len(todo), size):
        yield todo[i:i + size]


def _require_parquet() -> None:
    """Refuse before computing anything when no Parquet engine is installed."""
    import importlib.util

    if importlib.util.find_spec("pyarrow") is None:
        raise SweepError("pyarrow", "not installed",
                         "the sweep writes its results as Parquet, which needs pyarrow",
                         "pip install 'restrat[sweep]' (or 'restrat[distributed]' for a "
                         "Dask cluster)")


def run_sweep(fn: Callable[[dict[str, Any], np.random.Generator], Mapping[str, Any]],
              design: pd.DataFrame | Sequence[Mapping[str, Any]],
              out: str | Path,
              *,
              seed: int | None = None,
              workers: int | None = None,
              scheduler: str | None = None,
              resume: bool = False,
              overwrite: bool = False,
              batch_size: int = 64,
              chunk_size: int | None = None,
              flush_seconds: float = 30.0,
              progress: bool | IO[str] = True,
              connect_timeout: float = 5.0,
              mp_context: Any = None,
              announce: Callable[[int, int], None] | None = None) -> SweepRun:
    """Run *fn* at every point of *design*, writing rows to the Parquet folder *out*.

    Parameters
    ----------
    fn : callable
        ``fn(point: dict, rng: numpy.random.Generator) -> dict`` of scalar
        outputs; picklable (a module-level function or an instance such as
        :class:`ScenarioPoint`). If it has ``validate(design)`` it is called
        before anything runs; ``describe()`` identifies it in the manifest.
    design : DataFrame or sequence of dict
        One row per point, one column per parameter.
    out : str or Path
        Results folder (created). Rows carry ``index``, ``key``, the
        parameters, the outputs and ``elapsed_s``.
    seed : int, optional
        Root seed; drawn from fresh entropy (and recorded) when omitted. On
        resume it defaults to the recorded one.
    workers : int, optional
        Local processes (default: CPU count); ``1`` runs in this process.
        Ignored with *scheduler*.
    scheduler : str, optional
        ``tcp://HOST:PORT`` of a Dask scheduler to run on instead.
    resume : bool
        Keep the rows already in *out* and compute only the missing points.
    overwrite : bool
        Delete earlier results in *out* first.
    batch_size : int
        Rows per part file (a part is also written every *flush_seconds*).
    chunk_size : int, optional
        Points per task sent to a worker (default: chosen from the size).
    progress : bool or text stream
        Progress bar with time left on stderr (or the given stream).
    connect_timeout : float
        Seconds to wait for the scheduler before :class:`SchedulerError`.
    mp_context : multiprocessing context, optional
        For the local process pool.
    announce : callable, optional
        Called as ``announce(n_points, n_to_compute)`` once everything is
        checked, just before the first point runs (the command line states the
        size of the sweep there).

    Returns
    -------
    SweepRun

    Raises
    ------
    SweepError, DesignError, UnknownParameterError
        Bad design, options or output folder (nothing has run).
    SchedulerError
        The scheduler is unreachable within *connect_timeout* seconds.
    PointFailedError
        A point raised; every finished point is saved first.
    WorkerLostError
        A local worker process died; every finished point is saved first.
    """
    t_start = time.monotonic()
    _require_parquet()
    out = Path(out)
    design = _as_design(design)
    for name, val, lo in (("batch_size", batch_size, 1), ("workers", workers, 1),
                          ("chunk_size", chunk_size, 1)):
        if val is not None and (isinstance(val, bool) or not isinstance(val, (int, np.integer))
                                or val < lo):
            raise SweepError(name, val, f"must be an integer >= {lo}", f"Give {name}={lo} or more")
    if workers is not None and workers > MAX_WORKERS:
        raise SweepError("workers", workers, f"more than {MAX_WORKERS} local processes",
                         f"Give at most {MAX_WORKERS} (this machine has {os.cpu_count()} CPUs), "
                         "or use a Dask cluster (--scheduler)")
    if not (isinstance(connect_timeout, (int, float)) and not isinstance(connect_timeout, bool)
            and 0 < connect_timeout <= 3600):
        raise SweepError("connect_timeout", connect_timeout, "must be a number of seconds in "
                         "(0, 3600]", "Give seconds, e.g. 5")
    _check_out(out)
    if scheduler is not None:
        _check_scheduler(scheduler)
    if resume and overwrite:
        raise SweepError("overwrite", overwrite, "resume and overwrite contradict each other",
                         "Choose one")
    if hasattr(fn, "validate") and callable(fn.validate):
        fn.validate(design)
    points = design.to_dict("records")
    keys = [point_key(i, p) for i, p in enumerate(points)]
    design_hash = hashlib.sha256("".join(keys).encode()).hexdigest()[:16]
    described = _describe_fn(fn)
    if out.is_dir() and read_manifest(out) is None and any(
            q.name != LOCK for q in out.iterdir()):
        raise SweepError("out", str(out), "is a non-empty folder that holds no sweep",
                         "Choose a new or empty folder")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                             or seed < 0):
        raise SweepError("seed", seed, "must be a non-negative integer", "Give e.g. seed=1")
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        with _FolderLock(out):
            return _sweep_into(out, fn, points, keys, design, design_hash, described,
                               t_start, seed=seed, workers=workers, scheduler=scheduler,
                               resume=resume, overwrite=overwrite, batch_size=batch_size,
                               chunk_size=chunk_size, flush_seconds=flush_seconds,
                               progress=progress, connect_timeout=connect_timeout,
                               mp_context=mp_context, announce=announce)
    except BaseException:
        if created:                 # refused or failed before anything was recorded
            leftover = {q.name for q in out.iterdir()}
            if leftover <= {LOCK}:
                (out / LOCK).unlink(missing_ok=True)
                out.rmdir()
        raise


def _sweep_into(out: Path, fn: Any, points: list[dict[str, Any]], keys: list[str],
                design: pd.DataFrame, design_hash: str, described: dict[str, Any],
                t_start: float, *, seed: int | None, workers: int | None,
                scheduler: str | None, resume: bool, overwrite: bool, batch_size: int,
                chunk_size: int | None, flush_seconds: float, progress: bool | IO[str],
                connect_timeout: float, mp_context: Any,
                announce: Callable[[int, int], None] | None = None) -> SweepRun:
    """The part of :func:`run_sweep` that runs with the results folder locked."""
    # ---- the output folder
    manifest: dict[str, Any] | None = None
    if out.exists() and not out.is_dir():
        raise SweepError("out", str(out), "exists and is a file",
                         "Give a folder name (results are a Parquet dataset folder)")
    if out.is_dir():
        manifest = read_manifest(out)
        if manifest is None and any(q.name != LOCK for q in out.iterdir()):
            raise SweepError("out", str(out), "is a non-empty folder that holds no sweep",
                             "Choose a new or empty folder")
        if manifest is not None and overwrite:
            _clear(out)
            manifest = None
        elif manifest is not None and not resume:
            raise SweepError("out", str(out), "already holds sweep results",
                             "Pass resume=True (--resume) to finish it, overwrite=True "
                             "(--overwrite) to start again, or choose another folder")
    if manifest is not None:
        if manifest.get("seed") is not None and seed is not None and int(seed) != int(
                manifest["seed"]):
            raise SweepError("seed", seed, f"differs from the seed {manifest['seed']} of the "
                             f"results in {out}", "Resume with the same seed (or omit it)")
        if manifest.get("design_hash") != design_hash or manifest.get("n_points") != len(points):
            raise SweepError("design", f"{len(points)} points", f"differs from the design of the "
                             f"results in {out} ({manifest.get('n_points')} points)",
                             "Resume with the same --param/--design/--random/--seed, or use a "
                             "new folder")
        if manifest.get("function") != described:
            raise SweepError("fn", described, f"differs from the sweep in {out} "
                             f"({manifest.get('function')})",
                             "Resume with the same scenario and kind, or use a new folder")
        seed = int(manifest["seed"])
    if seed is None:
        seed = _fresh_seed()  # recorded below, so resumable
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise SweepError("seed", seed, "must be a non-negative integer", "Give e.g. seed=1")
    seed = int(seed)

    out.mkdir(parents=True, exist_ok=True)
    _clean_temps(out)
    runs = list(manifest.get("runs", [])) if manifest else []
    run_no = len(runs)
    if manifest is not None:
        for note in _repair_parts(out, run_no):
            print(f"restrat sweep: {note}", file=sys.stderr)
    done_keys = _done_keys(out) if manifest is not None else set()
    stray = done_keys - set(keys)
    if stray:
        raise SweepError("out", str(out), f"{len(stray)} stored rows match no point of this "
                         "design", "Use a new folder or overwrite=True")
    todo = [(i, p) for i, (p, k) in enumerate(zip(points, keys, strict=True))
            if k not in done_keys]
    n_reused = len(points) - len(todo)
    # connect before recording the run, so an unreachable scheduler leaves nothing behind
    client = _connect(scheduler, connect_timeout) if (todo and scheduler is not None) else None
    runs.append({"started": datetime.now(UTC).isoformat(timespec="seconds"),
                 "workers": workers, "scheduler": scheduler})
    new_manifest = {"format": _FORMAT, "seed": seed, "n_points": len(points),
                    "design_hash": design_hash, "params": list(design.columns),
                    "function": described, "runs": runs,
                    "provenance": provenance(parameters={"design": list(design.columns)},
                                             seed=seed, scenario=described,
                                             scenario_name=described.get("scenario"),
                                             design_hash=design_hash)}
    try:
        atomic_write_bytes(out / MANIFEST, json.dumps(new_manifest, indent=2).encode())
    except BaseException:
        if client is not None:
            client.close()
        raise
    if announce is not None:
        announce(len(points), len(todo))

    stream = progress if not isinstance(progress, bool) else sys.stderr
    bar = Progress(len(points), done=n_reused, stream=stream, enabled=bool(progress))
    writer = _Writer(out, run_no, int(batch_size), float(flush_seconds), list(design.columns))
    param_cols = set(design.columns)

    def take(result: dict[str, Any]) -> None:
        for index, outputs, elapsed in result["done"]:
            clash = [k for k in outputs if k in param_cols or k in RESERVED_COLUMNS]
            if clash:
                writer.flush()
                raise SweepError("fn", clash, "outputs named like parameters or reserved "
                                 "columns", "Rename the point function's outputs")
            writer.add({"index": index, "key": keys[index], **points[index], **outputs,
                        "elapsed_s": float(elapsed)})
        bar.update(len(result["done"]))
        if result["failed"] is not None:
            index, message, tb = result["failed"]
            writer.flush()
            raise PointFailedError(index, points[index], message, tb)

    if todo:
        n_workers = int(workers) if workers is not None else (os.cpu_count() or 1)
        if client is not None:
            try:
                n_workers = max(1, sum(w.get("nthreads", 1) for w in
                                       client.scheduler_info().get("workers", {}).values()))
            except Exception:  # pragma: no cover - informational only
                n_workers = 1
        size = chunk_size or max(1, min(16, len(todo) // (n_workers * 16)))
        chunks = _chunks(todo, size)
        try:
            if client is not None:
                _drive_dask(client, fn, seed, chunks, n_workers, take)
            elif n_workers == 1:
                for ch in chunks:
                    take(_run_chunk(fn, seed, ch))
            else:
                from concurrent.futures.process import BrokenProcessPool

                with ProcessPoolExecutor(n_workers, mp_context=mp_context,
                                         initializer=_worker_init,
                                         initargs=(os.getpid(),)) as pool:
                    try:
                        _drive(lambda ch: pool.submit(_run_chunk, fn, seed, ch),
                               lambda fs: _futures_wait(fs, return_when=FIRST_COMPLETED),
                               chunks, 2 * n_workers, take)
                    except BrokenProcessPool as exc:
                        raise WorkerLostError(
                            "the local worker pool", "broken", f"a worker process died ({exc})",
                            "Finished points are saved; rerun with resume=True (--resume), "
                            "with fewer workers if memory ran out") from exc
                    except BaseException:
                        pool.shutdown(wait=False, cancel_futures=True)
                        raise
            writer.flush()
        except BaseException:
            try:   # keep every finished row (Ctrl-C, a failed point, a lost pool)
                writer.flush()
            except Exception as exc:  # the original error matters more; say what was lost
                print(f"restrat sweep: could not save {len(writer.rows)} finished rows "
                      f"({exc}); they will be recomputed on resume", file=sys.stderr)
            raise
        finally:
            bar.close()
            if client is not None:
                client.close()
    return SweepRun(out, seed, len(points), len(todo), n_reused, time.monotonic() - t_start)


def _drive(submit: Callable[[Any], Any], wait: Callable[[set[Any]], Any],
           chunks: Iterator[Any], max_inflight: int, take: Callable[[Any], None]) -> None:
    pending: set[Any] = set()

    def fill() -> None:
        while len(pending) < max_inflight:
            ch = next(chunks, None)
            if ch is None:
                return
            pending.add(submit(ch))

    try:
        fill()
        while pending:
            done, not_done = wait(pending)
            pending.clear()
            pending.update(not_done)
            for fut in done:
                take(fut.result())
            fill()
    except BaseException:
        for fut in pending:
            fut.cancel()
        raise


def _drive_dask(client: Any, fn: Any, seed: int, chunks: Iterator[Any], n_workers: int,
                take: Callable[[Any], None]) -> None:
    import distributed

    if not client.scheduler_info().get("workers"):
        print("restrat sweep: the scheduler has no workers yet; waiting for some to join",
              file=sys.stderr)
    pending: set[Any] = set()
    queue = distributed.as_completed(loop=client.loop)

    def submit_next() -> None:
        ch = next(chunks, None)
        if ch is not None:
            fut = client.submit(_run_chunk, fn, seed, ch, pure=False)
            pending.add(fut)
            queue.add(fut)

    try:
        for _ in range(2 * n_workers + 2):
            submit_next()
        for fut in queue:
            pending.discard(fut)
            try:
                result = fut.result()
            except distributed.KilledWorker as exc:
                raise WorkerLostError(
                    "the Dask cluster", "killed worker", f"{exc}",
                    "Workers died repeatedly on the same task (memory? a crash in the point "
                    "function?); finished points are saved, rerun with --resume") from exc
            take(result)
            submit_next()
    except BaseException:
        for fut in pending:
            fut.cancel()
        raise


# ------------------------------------------------------------------ kinds and the CLI
KINDS = ("scenario", "calibration")


_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def _option_value(item: str, text: str) -> Any:
    t = text.strip()
    low = t.lower()
    if not t:
        raise SweepError("--option", item, "has an empty value", "Write e.g. n_regions=20")
    if low in ("true", "false"):
        return low == "true"
    if low.lstrip("+-") in ("nan", "inf", "infinity"):
        raise SweepError("--option", item, f"{t!r} is not a finite number",
                         "Give a finite number")
    if _INTEGER.fullmatch(t):
        if len(t.lstrip("+-")) > 30:
            raise SweepError("--option", item, "the number is too large",
                             "Give a number of reasonable size")
        return int(t)
    if _DECIMAL.fullmatch(t):
        x = float(t)
        if not math.isfinite(x):
            raise SweepError("--option", item, f"{t!r} is too large", "Give a finite number")
        return x
    return t


def parse_options(items: Sequence[str]) -> dict[str, Any]:
    """``KEY=VALUE`` items (``--option``) to a dict; numbers and true/false are converted.

    Integers are written in decimal digits, other numbers as decimals
    (``NaN`` and ``inf`` are refused), ``true``/``false`` become booleans,
    anything else stays text; an empty value or a key given twice is refused.

    Examples
    --------
    >>> parse_options(["n_regions=20", "sampler=pymc", "prior=false"])
    {'n_regions': 20, 'sampler': 'pymc', 'prior': False}
    """
    out: dict[str, Any] = {}
    for it in items:
        if "=" not in it or not it.split("=", 1)[0].strip():
            raise SweepError("--option", it, "expected KEY=VALUE", "Write e.g. n_regions=20")
        k, v = it.split("=", 1)
        k = k.strip()
        if k in out:
            raise SweepError("--option", it, f"option {k!r} is given twice",
                             "Give each option once")
        out[k] = _option_value(it, v)
    return out


_CALIBRATION_OPTIONS = ("n_regions", "draws", "tune", "chains", "n_posterior", "sampler",
                        "prior")


def point_function(kind: str, scenario: str, options: Mapping[str, Any] | None = None,
                   region_seed: int | None = None) -> Any:
    """The point function of a sweep kind (``scenario`` or ``calibration``).

    *options* go to :func:`gametheory.restratification.scenarios.load` for
    ``scenario`` (e.g. ``n_districts`` for ``random-region``) and to
    :class:`CalibrationPoint` for ``calibration`` (``n_regions``, ``draws``,
    ``tune``, ``chains``, ``n_posterior``, ``sampler``, ``prior``).

    Examples
    --------
    >>> point_function("scenario", "case-region")
    ScenarioPoint(scenario='case-region', scenario_kwargs={})
    >>> point_function("calibration", "random-region", {"n_regions": 5}).n_regions
    5
    """
    options = dict(options or {})
    if kind == "scenario":
        if region_seed is not None:
            if scenario != "random-region":
                raise SweepError("--region-seed", region_seed, "applies only to random-region",
                                 "Drop --region-seed")
            options["seed"] = region_seed
        if "seed" in options and region_seed is None:
            raise SweepError("--option", "seed", "the region seed has its own option",
                             "Use --region-seed S")
        if options and scenario != "random-region":
            raise SweepError("--option", sorted(options), f"scenario {scenario!r} takes no "
                             "options", "Drop --option (only random-region takes options: "
                             "n_districts, n_teaching, n_organisations, neutral_bidder)")
        return ScenarioPoint(scenario, options)
    if kind == "calibration":
        if region_seed is not None:
            raise SweepError("--region-seed", region_seed, "applies only to --kind scenario",
                             "Drop --region-seed")
        bad = [k for k in options if k not in _CALIBRATION_OPTIONS]
        if bad:
            raise SweepError("--option", bad, "unknown calibration option(s)",
                             f"Use any of {list(_CALIBRATION_OPTIONS)}")
        return CalibrationPoint(scenario, **options)
    raise SweepError("--kind", kind, "unknown sweep kind", f"Use one of {list(KINDS)}")


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``restrat sweep`` options to *parser* (for a subcommand parser)."""
    parser.add_argument("scenario", help="scenario name (restrat list) or scenario file; "
                        "for --kind calibration, where the simulated regions come from")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=SPEC",
                        help="START:STOP:NUM (linspace), A,B,C (list), VALUE, or LOW:HIGH "
                        "(with --random); repeatable, the grid is their product")
    parser.add_argument("--design", metavar="FILE",
                        help="CSV/Parquet design, one column per parameter (crossed with "
                        "any --param grid)")
    parser.add_argument("--random", type=int, metavar="N",
                        help="draw N random points from the --param ranges")
    parser.add_argument("--seed", type=int, help="root seed (recorded; drawn if omitted)")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="scenario kind: options of the scenario (random-region: "
                        "n_districts, n_teaching...); calibration kind: n_regions, draws, "
                        "tune, chains, n_posterior, sampler, prior (repeatable)")
    parser.add_argument("--region-seed", type=int, metavar="S",
                        help="random-region: one fixed region for every point (default: "
                        "each point draws its own from its stream)")
    parser.add_argument("--workers", type=int, help="local processes (default: all CPUs)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="run on this Dask scheduler instead of local processes")
    parser.add_argument("--out", default="results.parquet",
                        help="results folder (Parquet dataset; default results.parquet)")
    parser.add_argument("--resume", action="store_true",
                        help="finish an interrupted sweep: compute only missing points")
    parser.add_argument("--overwrite", action="store_true",
                        help="delete earlier results in --out first")
    parser.add_argument("--kind", choices=KINDS, default="scenario",
                        help="what each point runs (default: scenario)")
    parser.add_argument("--batch-size", type=int, default=64,
                        help="rows per atomically written part file (default 64)")
    parser.add_argument("--connect-timeout", type=float, default=5.0,
                        help="seconds to wait for the scheduler (default 5)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--yes", action="store_true",
                        help=f"run a design of more than {CONFIRM_POINTS:,} points (at most "
                        f"{MAX_POINTS:,})")
    return parser


def _design_from_args(args: argparse.Namespace, seed: int | None) -> tuple[pd.DataFrame, int |
                                                                           None]:
    specs = [parse_param(s) for s in args.param]
    if args.random is not None:
        if args.design:
            raise SweepError("--random", args.random, "cannot be combined with --design",
                             "Use either a design file or a random design")
        if seed is None:
            seed = _fresh_seed()
        return random_design(specs, args.random, seed), seed
    g = grid(specs)
    if args.design:
        return cross(read_design(args.design), g), seed
    return g, seed


def execute(args: argparse.Namespace) -> SweepRun:
    """Run ``restrat sweep`` from parsed arguments (see :func:`add_arguments`); raise on errors.

    Checks everything before any point runs: the output folder, the point
    function and its options, the design and its size: a design of more than
    :data:`CONFIRM_POINTS` points needs ``--yes`` (``args.yes``), and no
    design may exceed :data:`MAX_POINTS`. The number of points is stated on
    standard error before the sweep starts.
    """
    _check_out(Path(args.out))
    seed = args.seed
    if args.resume and seed is None:
        m = read_manifest(args.out) if Path(args.out).is_dir() else None
        seed = int(m["seed"]) if m else None
    fn = point_function(args.kind, args.scenario, parse_options(args.option),
                        args.region_seed)
    design, seed = _design_from_args(args, seed)
    n = len(design)
    if n > CONFIRM_POINTS and not getattr(args, "yes", False):
        raise SweepError("design", f"{n:,} points", f"is larger than {CONFIRM_POINTS:,} points "
                         "(a long computation)", "Pass --yes to run it, or use fewer points")
    def announce(n_points: int, n_todo: int) -> None:
        if not args.no_progress:
            left = f", {n_todo:,} to compute" if n_todo != n_points else ""
            print(f"restrat sweep: {n_points:,} point{'s' if n_points != 1 else ''} over "
                  f"{list(design.columns) or 'no parameters'}{left}", file=sys.stderr)

    try:
        return run_sweep(fn, design, args.out, seed=seed, workers=args.workers,
                         scheduler=args.scheduler, resume=args.resume,
                         overwrite=args.overwrite, batch_size=args.batch_size,
                         progress=not args.no_progress, connect_timeout=args.connect_timeout,
                         announce=announce)
    except KeyboardInterrupt:
        print(f"\nrestrat sweep: interrupted; finished points are in {args.out}. Continue with "
              "the same command plus --resume", file=sys.stderr)
        raise


def run_args(args: argparse.Namespace) -> int:
    """Run ``restrat sweep`` from parsed arguments; returns the exit code.

    Exit codes: 0 done, 2 bad input, 1 a failed point, a lost worker or an
    unreachable scheduler, 130 interrupted (rerun with ``--resume``).
    """
    try:
        done = execute(args)
    except KeyboardInterrupt:
        return 130
    except SolverError as exc:
        print(f"restrat sweep: {exc}", file=sys.stderr)
        return 1
    except RestratError as exc:
        print(f"restrat sweep: {exc}", file=sys.stderr)
        return 2
    print(f"restrat sweep: {done.n_points} points in {done.path} (computed {done.n_computed}, "
          f"kept {done.n_reused}; seed {done.seed}; {done.seconds:.1f} s)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``restrat sweep SCENARIO --param ... [options]``; returns the exit code.

    Exit codes: 0 done, 2 bad input, 1 a failed point, a lost worker or an
    unreachable scheduler, 130 interrupted (rerun with ``--resume``).
    """
    parser = add_arguments(argparse.ArgumentParser(
        prog="restrat sweep",
        description="Run a scenario over a grid, random design or design file of "
                    "parameters, on local processes or a Dask cluster."))
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:
        return int(exc.code or 0)
    return run_args(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
