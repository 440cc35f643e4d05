r"""Long-format data: one row per opportunity and alternative, read from CSV, Parquet or Stata.

Researchers bring choice data as one row per *opportunity* (a region's
reorganisation) and *alternative* (a configuration: a host and a centre), with
a flag for the chosen one, often from Stata with numeric codes for missing
answers (88888 = "not applicable", -99 = "refused"...).

:func:`read_table` reads a file (or takes a DataFrame) and turns the missing
codes the user declares into missing values; a value that looks like a code
(:data:`SUSPECT_CODES`) but was not declared is refused with its row and
column, as is a Stata extended missing value (``.a`` to ``.z``) that was not
declared: silently treating 99999 as a number would bias every estimate.
:func:`check_long` checks the choice structure (exactly one chosen alternative
per opportunity, no alternative listed twice, a 0/1 flag).

:func:`from_long` (also :meth:`estimation.AllocationData.from_long`) turns a
long table of configurations, with the organisations, the management groups
(``members``, required: the vote model needs them) and optionally the doctors
and observed votes, into validated :class:`~estimation.AllocationData`; the
columns of :data:`LONG_COLUMNS` are mapped by name (``columns=``).
:func:`to_long` is its inverse. *Winner-only* data (one row per region, the
chosen configuration, with the bidders in a ``bids`` table) are completed with
every (host bidder, centre bidder) pair, or with a sample of them and
McFadden's correction (``sample=``, :mod:`estimation.alternatives`).

Every problem of every table is reported at once, by table, row (0-based, as
read) and column, in one :class:`~estimation.errors.DataValidationError`; nothing
is built from data with a problem.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"region": [1, 1, 2, 2], "config": ["a", "b", "a", "b"],
...                    "chosen": [1, 0, 0, 1], "capital": [3.0, 88888, 2.0, 5.0]})
>>> clean = read_table(df, missing_codes=[88888])
>>> clean["capital"].isna().tolist()
[False, True, False, False]
>>> check_long(clean, opportunity="region", alternative="config", chosen="chosen")
[]
>>> try:
...     read_table(df)
... except DataValidationError as err:
...     p = err.problems[0]
...     print(p.row, p.column, p.value, p.problem)
1 capital 88888 looks like a missing-value code that was not declared
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gametheory.errors import InvalidArgumentError, InvalidTypeError
from gametheory.restratification import spec

from .errors import DataValidationError, Problem

if TYPE_CHECKING:
    from .data import AllocationData

__all__ = ["read_table", "check_long", "from_long", "to_long", "SUSPECT_CODES", "FORMATS",
           "LONG_COLUMNS", "REGION_COLUMNS", "FEATURE_COLUMNS", "MISSING_POLICIES"]

#: numeric values that are far more often missing-value codes than data: refused
#: unless declared (or the check is switched off)
SUSPECT_CODES = frozenset({-9, -99, -999, -9999, -99999, -8, -88, -888, -8888, -88888,
                           7777, 77777, 777777, 8888, 88888, 888888, 9999, 99999, 999999})
#: file suffixes read by :func:`read_table`
FORMATS = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
           ".dta": "stata"}
#: largest file read (bytes)
MAX_BYTES = 2**30

#: the concession pool's region-level columns (:data:`estimation.data.SCHEMA`)
_COMMITTEE_COLUMNS = ("portfolio_pool", "seat_pool", "rotation_pool", "portfolio_value",
                      "seat_value", "rotation_value", "rehabilitation_return",
                      "committee_quota")
#: region-level columns a long table may carry (constant within an opportunity); they
#: fill the ``regions`` table. ``total_weight`` (the seats of the management group) is
#: only checked against the members' weights.
REGION_COLUMNS = ("quota", "total_weight", "network", "tier_concentration", "unit_retained",
                  "lower_retained", "bloc_kind", *_COMMITTEE_COLUMNS)
#: configuration covariates of the long table -> (role whose holder they describe,
#: organisations column): :data:`gametheory.restratification.spec.CONFIG_SOURCES`
FEATURE_COLUMNS: dict[str, tuple[str, str]] = dict(spec.CONFIG_SOURCES)
#: every column of the long table: name -> (kind, required)
LONG_COLUMNS: dict[str, tuple[str, bool]] = {
    "region": ("id", True),
    "host": ("id", True),
    "centre": ("id", True),
    "chosen": ("flag", True),
    **{c: ("str" if c in ("network", "bloc_kind") else "float", False) for c in REGION_COLUMNS},
    **{r: ("id", False) for r in spec.DIRECTOR_ROLES},
    **{c: ("float", False) for c in FEATURE_COLUMNS},
}
#: what :func:`from_long` does with missing covariates
MISSING_POLICIES = ("refuse", "impute")
#: id columns of the other tables (read as text so that "007" stays "007")
_TABLE_IDS = {"organisations": ("region", "organisation"),
              "doctors": ("region", "doctor", "organisation"),
              "members": ("region", "member", "organisation"),
              "votes": ("region", "member"), "regions": ("region",),
              "bids": ("region", "organisation")}


# ------------------------------------------------------------------ reading
def _as_list(v: Any) -> list[Any]:
    if isinstance(v, str) or not isinstance(v, Iterable):
        return [v]
    return list(v)


def _codes_by_column(missing_codes: Any, columns: Sequence[str]) -> dict[str, set[Any]]:
    if missing_codes is None:
        return {c: set() for c in columns}
    if isinstance(missing_codes, Mapping):
        out: dict[str, set[Any]] = {c: set() for c in columns}
        for k, v in missing_codes.items():
            if k in out:
                out[k] = set(_as_list(v))
        return out
    codes = set(_as_list(missing_codes))
    return {c: set(codes) for c in columns}


def _read(source: str | Path, fmt: str | None, name: str, dtype: Mapping[str, Any] | None
          ) -> tuple[pd.DataFrame, str]:
    from gametheory.fileio import decode_text, read_input_bytes

    path = Path(source).expanduser()
    kind = fmt or FORMATS.get(path.suffix.lower())
    if kind not in ("csv", "parquet", "stata"):
        raise InvalidArgumentError(name, str(source), f"unknown file type {path.suffix!r}"
                                   if fmt is None else f"unknown format {fmt!r}",
                                   f"Use a file ending in one of {sorted(FORMATS)}, or give "
                                   "format='csv', 'parquet' or 'stata'")
    raw = read_input_bytes(path, name=name, max_bytes=MAX_BYTES, what=f"{kind} file")
    try:
        if kind == "csv":
            text = decode_text(raw, path=path, name=name, what="CSV file")
            return pd.read_csv(io.StringIO(text), dtype=dict(dtype or {})), kind
        if kind == "parquet":
            return pd.read_parquet(io.BytesIO(raw)), kind
        # extended missing values (.a-.z) stay visible as StataMissingValue objects
        return pd.read_stata(io.BytesIO(raw), convert_missing=True,
                             convert_categoricals=False), kind
    except InvalidArgumentError:
        raise
    except pd.errors.EmptyDataError:
        raise InvalidArgumentError(name, str(path), "is empty (no header row)",
                                   "Write a header row and one row per record") from None
    except Exception as exc:   # the parsers' own errors for damaged files
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InvalidArgumentError(name, str(path), f"is not a readable {kind} file ({first})",
                                   "Write it again (CSV: one header row, comma-separated; "
                                   "Parquet: DataFrame.to_parquet; Stata: .dta)") from None


def read_table(source: str | Path | pd.DataFrame, *, missing_codes: Any = None,
               check_codes: bool = True, format: str | None = None,
               name: str = "data", dtype: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """A table with the declared missing-value codes turned into missing values.

    Parameters
    ----------
    source : path or DataFrame
        A ``.csv``, ``.parquet`` or ``.dta`` (Stata, read by ``pandas.read_stata``)
        file, or a DataFrame (copied, never changed).
    missing_codes : value, list, or {column: value or list}, optional
        Codes meaning "missing": for every column, or per column (columns this
        table does not have are ignored here; :func:`from_long` checks that each
        names a column of some table). Stata extended missing values are named as
        strings (``".a"``); Stata's system missing ``.`` is always missing.
    check_codes : bool
        Refuse undeclared values of :data:`SUSPECT_CODES` in numeric columns and
        undeclared Stata extended missing values (default). Switch off only when
        such values are real data.
    format : {"csv", "parquet", "stata"}, optional
        Overrides the file suffix.
    name : str
        The table's name in error messages.
    dtype : mapping, optional
        Column types for CSV files (e.g. ``{"region": str}`` keeps leading zeros).

    Raises
    ------
    DataValidationError
        Every undeclared code, with its row and column.
    InputFileError
        An unreadable file (missing, a folder, not UTF-8, damaged, unknown type).
    """
    if isinstance(source, pd.DataFrame):
        df, kind = source.copy(), "frame"
    elif isinstance(source, str | Path):
        df, kind = _read(source, format, name, dtype)
    else:
        raise InvalidTypeError(name, type(source).__name__, "not a path or a DataFrame",
                               "Give a file path (CSV, Parquet, Stata) or a pandas DataFrame")
    df, problems = _clean(df, missing_codes, check_codes, name)
    if problems:
        raise DataValidationError(name, problems, f"{name} ({kind})")
    return df


def _clean(df: pd.DataFrame, missing_codes: Any, check_codes: bool, name: str
           ) -> tuple[pd.DataFrame, list[Problem]]:
    """Declared codes -> missing; undeclared codes -> problems (and missing, so that the
    other checks can go on)."""
    df = df.reset_index(drop=True)
    df.columns = [str(c) for c in df.columns]
    codes = _codes_by_column(missing_codes, list(df.columns))
    problems: list[Problem] = []
    for col in df.columns:
        declared = codes[col]
        num = [c for c in declared if not isinstance(c, str)]
        strs = {c for c in declared if isinstance(c, str)}
        s = df[col]
        if s.dtype == object:
            stata = s.map(lambda v: type(v).__name__ == "StataMissingValue").to_numpy(bool)
            if stata.any():
                for i in np.flatnonzero(stata):
                    code = str(s.iat[i])
                    if check_codes and code != "." and code not in strs:
                        problems.append(Problem(name, int(i), col, code,
                                                "is a Stata missing-value code that was not "
                                                "declared", f"declare it: missing_codes="
                                                f"{{{col!r}: [{code!r}]}}"))
                s = s.where(~stata).astype(object)
                rest = s[~stata]
                if rest.map(lambda v: isinstance(v, int | float | np.number)).all():
                    s = pd.to_numeric(s)
        if s.dtype == object:
            if strs:
                s = s.mask(s.astype(str).str.strip().isin(strs))
            if num:
                s = s.mask(pd.to_numeric(s, errors="coerce").isin(num))
        elif pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            hit = s.isin(num) if num else pd.Series(False, index=s.index)
            if check_codes:
                sus = s.isin(SUSPECT_CODES - set(num)) & ~hit
                for i in np.flatnonzero(sus.to_numpy()):
                    v = s.iat[i]
                    v = int(v) if float(v).is_integer() else v
                    problems.append(Problem(name, int(i), col, v,
                                            "looks like a missing-value code that was not "
                                            "declared", f"declare it (missing_codes={{"
                                            f"{col!r}: [{v}]}}), or pass check_codes=False "
                                            "if it is a real value"))
                hit = hit | sus
            s = s.mask(hit)
        df[col] = s
    return df, problems


def check_long(frame: pd.DataFrame, *, opportunity: str, alternative: str | Sequence[str],
               chosen: str, name: str = "data") -> list[Problem]:
    """Problems of the choice structure of a long-format table (empty list = fine).

    Every opportunity must have exactly one row with ``chosen`` = 1, the flag
    must be 0/1, and no alternative may be listed twice in an opportunity.
    ``alternative`` may be several columns (e.g. host and centre).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"o": [1, 1, 2, 2], "a": ["x", "x", "x", "y"], "c": [1, 0, 0, 0]})
    >>> for p in check_long(df, opportunity="o", alternative="a", chosen="c"):
    ...     print(p.row, p.column, " ".join(p.problem.split()[:3]))
    1 a lists the alternative
    2 c opportunity 2 (rows
    """
    alts = [alternative] if isinstance(alternative, str) else list(alternative)
    P: list[Problem] = []
    for col in (opportunity, *alts, chosen):
        if col not in frame.columns:
            P.append(Problem(name, None, col, None, "column is missing",
                             f"map it to a column of the data (columns: {list(frame.columns)})"))
    if P:
        return P
    df = frame.reset_index(drop=True)
    for col in (opportunity, *alts):
        for i in np.flatnonzero(df[col].isna().to_numpy()):
            P.append(Problem(name, int(i), col, None, "is missing",
                             "every row needs its opportunity and alternative"))
    flag = pd.to_numeric(df[chosen].map(_flag), errors="coerce")
    bad = ~flag.isin([0, 1])
    for i in np.flatnonzero(bad.to_numpy()):
        P.append(Problem(name, int(i), chosen, df.at[i, chosen], "is not 0 or 1",
                         "mark the chosen alternative with 1 and the others with 0"))
    keys = [opportunity, *alts]
    dup = df.duplicated(keys, keep="first") & df[keys].notna().all(axis=1)
    for i in np.flatnonzero(dup.to_numpy()):
        what = ", ".join(f"{a}={df.at[i, a]!r}" for a in alts)
        P.append(Problem(name, int(i), alts[0], df.at[i, alts[0]],
                         f"lists the alternative ({what}) a second time in opportunity "
                         f"{df.at[i, opportunity]!r}", "keep one row per alternative"))
    ok = df[opportunity].notna()
    one = flag.where(~bad, 0).eq(1)
    for opp, rows in df[ok].groupby(opportunity, sort=False).groups.items():
        rows = list(rows)
        n = int(one.loc[rows].sum())
        if n == 0:
            P.append(Problem(name, int(rows[0]), chosen, opp,
                             f"opportunity {opp!r} (rows {_rows(rows)}) has no chosen "
                             "alternative", "mark the observed alternative with 1"))
        elif n > 1:
            picked = [int(r) for r in rows if one.loc[r]]
            for r in picked[1:]:
                P.append(Problem(name, r, chosen, opp,
                                 f"is a second chosen alternative of opportunity {opp!r} "
                                 f"(rows {picked})", "keep exactly one chosen row"))
    return P


def _rows(rows: Sequence[int]) -> str:
    rows = [int(r) for r in rows]
    if rows == list(range(rows[0], rows[-1] + 1)):
        return f"{rows[0]}-{rows[-1]}" if len(rows) > 1 else str(rows[0])
    return ", ".join(map(str, rows))


def _flag(v: Any) -> Any:
    if isinstance(v, bool | np.bool_):
        return int(v)
    if isinstance(v, str):
        s = v.strip().lower()
        return {"1": 1, "true": 1, "yes": 1, "0": 0, "false": 0, "no": 0}.get(s, v)
    return v


def _is_missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float | np.floating) and np.isnan(v)) or (
        isinstance(v, str) and v.strip() == "")


def _id(v: Any) -> Any:
    from .data import _id as as_id

    return np.nan if _is_missing(v) else as_id(v).strip()


# ------------------------------------------------------------------ from_long
def from_long(frame: str | Path | pd.DataFrame, *, organisations: str | Path | pd.DataFrame,
              members: str | Path | pd.DataFrame | None,
              doctors: str | Path | pd.DataFrame | None = None,
              regions: str | Path | pd.DataFrame | None = None,
              votes: str | Path | pd.DataFrame | None = None,
              bids: str | Path | pd.DataFrame | None = None,
              columns: Mapping[str, str] | None = None, missing_codes: Any = None,
              check_codes: bool = True, missing: str = "refuse", sample: int | None = None,
              seed: int | np.random.Generator = 0, format: str | None = None,
              source: str = "") -> AllocationData:
    r"""Validated :class:`~estimation.AllocationData` from long-format data.

    Parameters
    ----------
    frame : path or DataFrame
        The long table: one row per region (opportunity) and configuration
        (alternative: a ``host`` and a ``centre`` organisation), with the 0/1
        flag ``chosen``; optional region-level columns (:data:`REGION_COLUMNS`,
        constant within a region: ``quota`` is required unless ``regions``
        gives it; ``total_weight`` is checked against the members' weights), the
        appointed directors (``network_director``, ``centre_director``, read on
        the chosen row) and the configuration covariates of
        :data:`FEATURE_COLUMNS` (``host_track_record`` is the host's
        ``track_record``...: constant per organisation, they fill or are checked
        against the organisations table). Without ``bids`` every (host bidder,
        centre bidder) pair of a region must be listed, the bidders being the
        hosts and centres that appear.
    organisations, members : path or DataFrame
        The organisations and each region's management group (tables of
        :mod:`estimation.data`; ``members`` is required).
    doctors, regions, votes : path or DataFrame, optional
        Doctors (without them nobody is appointed in the data), region-level
        columns not in the long table, observed votes.
    bids : path or DataFrame, optional
        *Winner-only* data: the bidders (region, organisation, role); ``frame``
        then holds one row per region, the chosen configuration (``chosen`` may be
        omitted), and the alternatives are every pair of bidders, or a sample of
        them (``sample``). The covariates of alternatives nobody chose come from
        ``organisations``.
    columns : mapping, optional
        ``{name in LONG_COLUMNS: column of frame}`` where the names differ.
    missing_codes : value, list or {column: codes}, optional
        Codes meaning missing, in every table (:func:`read_table`); per-column
        codes must name a column of some table.
    check_codes : bool
        Refuse values that look like undeclared missing codes (:data:`SUSPECT_CODES`).
    missing : {"refuse", "impute"}
        What to do with missing covariates (a bidder's track record, performance,
        specialist breadth or super-specialist services; a candidate's capital):
        ``"refuse"`` names every row and column; ``"impute"`` keeps them missing,
        to be imputed inside the Bayesian model (:func:`estimation.fit`, which
        draws them from a normal distribution with the column's observed mean and
        standard deviation). Ids, flags, quotas, weights and trauma volumes are
        never imputed.
    sample : int, optional
        Winner-only data: draw this many configurations (uniformly, with
        replacement) besides the chosen one and weight the likelihood by
        McFadden's correction (:mod:`estimation.alternatives`); default: every pair.
    seed : int or Generator
        For ``sample``.
    format : {"csv", "parquet", "stata"}, optional
        File type of every path given (default: from the suffix).
    source : str
        Shown in error messages.

    Raises
    ------
    DataValidationError
        Every problem of every table at once (rows are 0-based positions in the
        table as read): no chosen configuration in a region, two chosen, a
        configuration listed twice, a pair of bidders not listed, region-level
        values that differ within a region, covariates that differ for the same
        organisation, members' weights that are not whole numbers or do not add
        up to ``total_weight``, a quota above the total weight, undeclared
        missing codes, missing covariates (``missing="refuse"``).

    Examples
    --------
    >>> from estimation.datasets import load_case
    >>> case = load_case()
    >>> t = case.to_long()
    >>> t["frame"].loc[1, "host"], t["frame"].loc[1, "centre"]
    ('Northgate Teaching Hospital', 'Southfield Teaching Hospital')
    >>> back = from_long(**t)
    >>> back.arrays().cfg_chosen.tolist() == case.arrays().cfg_chosen.tolist()
    True
    """
    from .data import AllocationData

    if missing not in MISSING_POLICIES:
        raise InvalidArgumentError("missing", missing, "is not a policy for missing covariates",
                                   f"Use one of {list(MISSING_POLICIES)}")
    if sample is not None and (isinstance(sample, bool) or int(sample) != sample
                               or sample < 1):
        raise InvalidArgumentError("sample", sample, "is not a positive whole number",
                                   "Give how many configurations to draw (e.g. 20), or None")
    if sample is not None and bids is None:
        raise InvalidArgumentError("sample", sample, "applies to winner-only data",
                                   "Give the bidders (bids=...) with one chosen row per region")
    if members is None:
        raise DataValidationError("members", [Problem(
            "members", None, None, None, "table is missing (the vote model needs each "
            "region's management group)", "give members= (region, member, organisation, "
            "weight, bloc) and a quota per region")], source)
    cmap = {k: v for k, v in (columns or {}).items()}
    unknown = sorted(set(cmap) - set(LONG_COLUMNS))
    if unknown:
        raise InvalidArgumentError("columns", dict(cmap), f"maps unknown names {unknown}",
                                   f"Map names of the long format: {list(LONG_COLUMNS)}")
    P: list[Problem] = []
    ids_long = {cmap.get(c, c): str for c, (k, _) in LONG_COLUMNS.items() if k == "id"}
    inputs = {"long": frame, "organisations": organisations, "members": members,
              "doctors": doctors, "regions": regions, "votes": votes, "bids": bids}
    got: dict[str, pd.DataFrame] = {}
    for name, src in inputs.items():
        if src is None:
            continue
        dtype = ids_long if name == "long" else {c: str for c in _TABLE_IDS.get(name, ())}
        try:
            if isinstance(src, pd.DataFrame):
                raw = src.copy()
            elif isinstance(src, str | Path):
                raw = _read(src, format, name, dtype)[0]
            else:
                raise InvalidTypeError(name, type(src).__name__, "not a path or a DataFrame",
                                       "Give a file path (CSV, Parquet, Stata) or a DataFrame")
        except InvalidTypeError:
            raise
        except InvalidArgumentError as exc:
            P.append(Problem(name, None, None, exc.value, exc.problem, exc.fix))
            continue
        got[name], found = _clean(raw, missing_codes, check_codes, name)
        P += found
    if isinstance(missing_codes, Mapping):
        seen = set().union(*(set(map(str, t.columns)) for t in got.values())) if got else set()
        for col in missing_codes:
            if str(col) not in seen and len(got) == sum(v is not None for v in inputs.values()):
                P.append(Problem("missing_codes", None, str(col), missing_codes[col],
                                 "names a column that no table has",
                                 "name columns of the tables as read (before columns=)"))
    if len(got) < sum(v is not None for v in inputs.values()):
        raise DataValidationError("data", P, source or "long-format data")
    long = got["long"].rename(columns={v: k for k, v in cmap.items()})
    for c in cmap:
        if cmap[c] not in got["long"].columns:
            P.append(Problem("long", None, cmap[c], list(got["long"].columns),
                             f"is not a column of the long table (mapped from {c!r})",
                             "map to one of its columns"))
    winner_only = "bids" in got
    if winner_only and "chosen" not in long.columns:
        long["chosen"] = 1
    P += check_long(long, opportunity="region", alternative=["host", "centre"],
                    chosen="chosen", name="long")
    for c in ("region", "host", "centre", *spec.DIRECTOR_ROLES):
        if c in long.columns:
            long[c] = long[c].map(_id).astype(object)
    for name, ids in _TABLE_IDS.items():
        if name in got:
            for c in ids:
                if c in got[name].columns:
                    if name == "members" and c == "organisation":
                        got[name][c] = got[name][c].map(_id).fillna("").astype(object)
                    else:
                        got[name][c] = got[name][c].map(_id).astype(object)
    if any(p.row is None for p in P):   # a missing column: the rest cannot be checked
        raise DataValidationError("data", P, source or "long-format data")
    flag = pd.to_numeric(long["chosen"].map(_flag), errors="coerce")
    long["chosen"] = flag
    first = long.groupby("region", sort=False).head(1).index
    chosen_row = {r: int(i) for r, i in zip(long.loc[flag == 1, "region"],
                                            long.index[flag == 1], strict=True)}
    regions_order = list(dict.fromkeys(long["region"].dropna()))
    if winner_only:
        for r, rows in long.groupby("region", sort=False).groups.items():
            if len(rows) > 1:
                for i in list(rows)[1:]:
                    P.append(Problem("long", int(i), "region", r,
                                     "is a second row of a winner-only region (with bids= the "
                                     "long table holds only the chosen configuration)",
                                     "keep one row per region, or drop bids= and list every "
                                     "configuration"))
    # region-level columns: constant within a region
    reg = _region_table(long, got.get("regions"), regions_order, P)
    built: dict[str, list[tuple[int | None, str]]] = {}
    if "regions" not in got:
        row_of = dict(zip(long.loc[first, "region"], first, strict=True))
        built["regions"] = [(int(row_of[r]), "region") for r in regions_order]
    # bids and the completeness of the listed configurations
    if winner_only:
        bid = got["bids"]
        for c in ("region", "organisation", "role"):
            if c not in bid.columns:
                P.append(Problem("bids", None, c, list(bid.columns), "column is missing",
                                 f"add column {c!r}"))
        if any(p.row is None for p in P):
            raise DataValidationError("data", P, source or "long-format data")
        bid = bid[["region", "organisation", "role"]].copy()
        bid["role"] = bid["role"].astype(str).str.strip()
    else:
        bid, built["bids"] = _bids_from_long(long, P)
    org = _organisations(got["organisations"], long, bid, missing, P)
    alloc, built["allocations"] = _allocations(long, chosen_row, P)
    frames: dict[str, pd.DataFrame] = {"regions": reg, "organisations": org, "bids": bid,
                                       "members": got["members"], "allocations": alloc}
    frames["doctors"] = got.get("doctors", _empty_doctors())
    if "votes" in got:
        frames["votes"] = got["votes"]
    if missing == "refuse":
        P += _missing_candidates(frames["doctors"])
    _weights_add_up(long, reg, got["members"], first, P)
    if P:
        # the tables' own checks too, so that every problem is named at once
        from .data import _validate

        try:
            more = _validate({**{f: None for f in ("votes", "alternatives")}, **frames},
                             missing == "impute")[1]
        except Exception:   # tables too broken for their own checks: the problems above
            more = []
        said = {(p.frame, p.row, p.column) for p in P}
        for p, q in zip(more, _relabel(more, built), strict=True):
            if (q.frame, q.row, q.column) in said or (
                    p.frame == "organisations" and p.problem.startswith("is missing, and")):
                continue
            if p.frame == "allocations" and p.row is None:
                continue            # a region without a chosen row: named above
            P.append(q)
        raise DataValidationError("data", P, source or "long-format data")
    if winner_only and sample is not None:
        frames["alternatives"] = _sampled_alternatives(long, bid, int(sample), seed)
    try:
        return AllocationData.from_frame(frames, source=source or "long-format data",
                                         missing_covariates=missing == "impute")
    except DataValidationError as exc:
        raise DataValidationError("data", _relabel(exc.problems, built),
                                  source or "long-format data") from None


def _empty_doctors() -> pd.DataFrame:
    from .data import SCHEMA

    return pd.DataFrame(columns=list(SCHEMA["doctors"]))


def _region_table(long: pd.DataFrame, given: pd.DataFrame | None, order: list[Any],
                  P: list[Problem]) -> pd.DataFrame:
    reg = pd.DataFrame({"region": order})
    for c in REGION_COLUMNS:
        if c not in long.columns:
            continue
        vals = long[c].map(lambda v: str(v).strip() if isinstance(v, str) else v)
        for r, rows in long.groupby("region", sort=False).groups.items():
            v = vals.loc[rows]
            distinct = v.dropna().unique()
            if len(distinct) > 1:
                i = next(int(k) for k in rows if not _same(vals.at[k], distinct[0]))
                P.append(Problem("long", i, c, vals.at[i],
                                 f"differs within region {r!r} (also {distinct[0]!r}); a "
                                 "region-level column must be constant within a region",
                                 f"give region {r!r} one {c}"))
        reg[c] = [vals.loc[long.index[long["region"] == r]].dropna().iloc[0]
                  if vals.loc[long.index[long["region"] == r]].notna().any() else np.nan
                  for r in order]
    if given is not None:
        if "region" not in given.columns:
            P.append(Problem("regions", None, "region", list(given.columns),
                             "column is missing", "add column 'region'"))
            return reg
        g = given.drop_duplicates("region").set_index("region")
        for c in g.columns:
            if c in reg.columns:
                P.append(Problem("regions", None, c, c, "is given both in the long table and "
                                 "in regions", "keep it in one of them"))
                continue
            reg[c] = [g.at[r, c] if r in g.index else np.nan for r in order]
        for i, r in enumerate(given["region"]):
            if r not in set(order):
                P.append(Problem("regions", i, "region", r, "has no row in the long table",
                                 "add its configurations, or drop it from regions"))
    if "quota" not in reg.columns:
        P.append(Problem("long", None, "quota", None, "column is missing (the weight a "
                         "decision of the management group needs)",
                         "add a quota column to the long table or to regions="))
    return reg


def _same(a: Any, b: Any) -> bool:
    if _is_missing(a):
        return True
    try:
        return bool(a == b) or (float(a) == float(b))
    except (TypeError, ValueError):
        return False


def _bids_from_long(long: pd.DataFrame, P: list[Problem]
                    ) -> tuple[pd.DataFrame, list[tuple[int | None, str]]]:
    """The bidders are the hosts and centres listed; every pair must be listed."""
    rows = []
    src: list[tuple[int | None, str]] = []
    ok = long[["region", "host", "centre"]].notna().all(axis=1)
    for r, idx in long[ok].groupby("region", sort=False).groups.items():
        sub = long.loc[idx]
        hosts = list(dict.fromkeys(sub["host"]))
        centres = list(dict.fromkeys(sub["centre"]))
        have = set(zip(sub["host"], sub["centre"], strict=True))
        for h in hosts:
            rows.append((r, h, "host"))
            src.append((int(sub.index[sub["host"] == h][0]), "host"))
        for m in centres:
            rows.append((r, m, "centre"))
            src.append((int(sub.index[sub["centre"] == m][0]), "centre"))
        lacking = [(h, m) for h in hosts for m in centres if (h, m) not in have]
        for h, m in lacking:
            P.append(Problem("long", int(idx[0]), "centre", m,
                             f"configuration (host={h!r}, centre={m!r}) of region {r!r} is "
                             f"not listed, although {h!r} is a host and {m!r} a centre in "
                             f"other rows (rows {_rows(list(idx))})",
                             "list every (host, centre) pair of the region's bidders, or give "
                             "winner-only data with bids="))
    return pd.DataFrame(rows, columns=["region", "organisation", "role"]), src


def _organisations(org: pd.DataFrame, long: pd.DataFrame, bid: pd.DataFrame, missing: str,
                   P: list[Problem]) -> pd.DataFrame:
    """Fill the organisations' configuration covariates from the long table (checked)."""
    org = org.copy()
    for c in ("region", "organisation"):
        if c not in org.columns:
            P.append(Problem("organisations", None, c, list(org.columns), "column is missing",
                             f"add column {c!r}"))
            return org
    key = list(zip(org["region"], org["organisation"], strict=True))
    pos = {k: i for i, k in enumerate(key)}
    for feat, (role, col) in FEATURE_COLUMNS.items():
        if feat not in long.columns:
            if col not in org.columns:
                P.append(Problem("organisations", None, col, list(org.columns),
                                 f"column is missing (and the long table has no {feat!r})",
                                 f"add {col!r} to organisations or {feat!r} to the long table"))
            continue
        vals = pd.to_numeric(long[feat], errors="coerce")
        for i in np.flatnonzero((long[feat].notna() & vals.isna()).to_numpy()):
            P.append(Problem("long", int(i), feat, long.at[i, feat], "is not a number",
                             f"give a number for {feat}"))
        seen: dict[tuple[Any, Any], tuple[float, int]] = {}
        for i, (r, o, v) in enumerate(zip(long["region"], long[role], vals, strict=True)):
            if _is_missing(r) or _is_missing(o):
                continue
            if (r, o) not in pos:
                continue                   # named as an unknown organisation by the data
            if not np.isfinite(v):
                if missing == "refuse" and not (col in org.columns
                                                and np.isfinite(_num(org.at[pos[(r, o)], col]))):
                    P.append(Problem("long", i, feat, long.at[i, feat],
                                     f"is missing (the {role} {o!r}'s {col})",
                                     "give the value, or pass missing='impute' to impute it "
                                     "in the Bayesian model"))
                continue
            if (r, o) in seen and seen[(r, o)][0] != v:
                P.append(Problem("long", i, feat, v,
                                 f"differs for {role} {o!r} of region {r!r} from row "
                                 f"{seen[(r, o)][1]} ({seen[(r, o)][0]:g}); it describes the "
                                 "organisation, not the configuration",
                                 f"give {o!r} one {feat}"))
                continue
            seen.setdefault((r, o), (float(v), i))
        if col in org.columns:
            base = pd.to_numeric(org[col], errors="coerce").to_numpy(dtype=float)
            for (r, o), (v, i) in seen.items():
                b = base[pos[(r, o)]]
                if np.isfinite(b) and not np.isclose(b, v, rtol=1e-9, atol=1e-12):
                    P.append(Problem("long", i, feat, v,
                                     f"differs from organisations row {pos[(r, o)]} "
                                     f"({col} = {b:g})", f"give {o!r} one {col}"))
        else:
            base = np.full(len(org), np.nan)
        for (r, o), (v, _) in seen.items():
            if not np.isfinite(base[pos[(r, o)]]):
                base[pos[(r, o)]] = v
        org[col] = base
    return org


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def _allocations(long: pd.DataFrame, chosen_row: Mapping[Any, int], P: list[Problem]
                 ) -> tuple[pd.DataFrame, list[tuple[int | None, str]]]:
    rows = []
    src: list[tuple[int | None, str]] = []
    for r, i in chosen_row.items():
        rows.append((r, "host", long.at[i, "host"]))
        rows.append((r, "centre", long.at[i, "centre"]))
        src += [(i, "host"), (i, "centre")]
        for role in spec.DIRECTOR_ROLES:
            if role not in long.columns:
                continue
            h = long.at[i, role]
            sub = long.loc[long["region"] == r, role]
            for k, v in sub.items():
                if not _is_missing(v) and v != h:
                    P.append(Problem("long", int(k), role, v,
                                     f"differs from the chosen row {i} of region {r!r} "
                                     f"({'empty' if _is_missing(h) else repr(h)})",
                                     "give the appointed director on the chosen row (other "
                                     "rows empty or the same)"))
            if not _is_missing(h):
                rows.append((r, role, h))
                src.append((i, role))
    return pd.DataFrame(rows, columns=["region", "role", "holder"]), src


def _missing_candidates(doc: pd.DataFrame) -> list[Problem]:
    """Missing capital of a candidate, refused (``missing="refuse"``)."""
    P = []
    for c in spec.CAPITAL:
        if c not in doc.columns:
            continue
        v = pd.to_numeric(doc[c], errors="coerce")
        for i in np.flatnonzero((doc[c].isna() | (doc[c].astype(str).str.strip() == ""))
                                .to_numpy() & v.isna().to_numpy()):
            P.append(Problem("doctors", int(i), c, None, "is missing",
                             "give the value, or pass missing='impute' to impute it in the "
                             "Bayesian model"))
    return P


def _weights_add_up(long: pd.DataFrame, reg: pd.DataFrame, mem: pd.DataFrame,
                    first: pd.Index, P: list[Problem]) -> None:
    """``total_weight`` (the management group's seats) against the members' weights."""
    if "total_weight" not in reg.columns or not {"region", "weight"} <= set(mem.columns):
        return
    w = pd.to_numeric(mem["weight"], errors="coerce")
    tot = w.groupby(mem["region"]).sum()
    row_of = {r: int(i) for r, i in zip(long.loc[first, "region"], first, strict=True)}
    for r, t in zip(reg["region"], pd.to_numeric(reg["total_weight"], errors="coerce"),
                    strict=True):
        if np.isfinite(t) and r in tot.index and not np.isclose(tot[r], t):
            P.append(Problem("long", row_of.get(r), "total_weight", t,
                             f"is not the sum of region {r!r}'s members' weights "
                             f"({tot[r]:g}, members rows "
                             f"{_rows(list(np.flatnonzero((mem['region'] == r).to_numpy())))})",
                             "correct the weights or the total (the weights must add up)"))


def _sampled_alternatives(long: pd.DataFrame, bid: pd.DataFrame, sample: int,
                          seed: int | np.random.Generator) -> pd.DataFrame:
    """The chosen configuration plus ``sample`` uniform draws, with the correction offset."""
    from .alternatives import UniformSampler, sample_choice_set

    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    out = []
    for _, row in long.iterrows():
        r = row["region"]
        hosts = list(dict.fromkeys(bid.loc[(bid["region"] == r) & (bid["role"] == "host"),
                                           "organisation"]))
        centres = list(dict.fromkeys(bid.loc[(bid["region"] == r) & (bid["role"] == "centre"),
                                             "organisation"]))
        pairs = [(h, m) for h in hosts for m in centres]
        try:
            c = pairs.index((row["host"], row["centre"]))
        except ValueError:
            continue                    # not a pair of bidders: named by the data's checks
        alts, off = sample_choice_set(rng, c, UniformSampler(len(pairs)), sample)
        order = np.argsort(alts, kind="stable")   # the design's order (bids order)
        for a, o in zip(alts[order], off[order], strict=True):
            out.append((r, pairs[int(a)][0], pairs[int(a)][1], float(o)))
    return pd.DataFrame(out, columns=["region", "host", "centre", "offset"])


def _relabel(problems: Sequence[Problem], built: Mapping[str, list[tuple[int | None, str]]],
             ) -> list[Problem]:
    """Name the rows of the tables built from the long table as rows of the long table.

    ``built[table][row]`` is the (long row, long column) a built row came from.
    """
    out = []
    for p in problems:
        src = built.get(p.frame)
        if src is not None and p.row is not None and p.row < len(src):
            i, col = src[p.row]
            column = col if p.column in ("holder", "organisation") else p.column
            out.append(Problem("long", i, column, p.value, p.problem, p.fix))
        elif src is not None:
            out.append(Problem("long", None, p.column, p.value, p.problem, p.fix))
        else:
            out.append(p)
    return out


# ------------------------------------------------------------------ to_long
def to_long(data: AllocationData) -> dict[str, pd.DataFrame]:
    """The long form of *data*: ``frame`` (one row per region and configuration) and the
    other tables, such that ``from_long(**to_long(data))`` gives the same data.

    ``frame`` has ``region``, ``host``, ``centre``, ``chosen``, the region-level
    columns (with ``total_weight``, the sum of the members' weights), the
    appointed directors on the chosen row and the configuration covariates of
    :data:`FEATURE_COLUMNS`; configurations are listed in the model's order.
    The other keys are ``organisations``, ``members``, ``doctors`` and, when
    votes were observed, ``votes``.
    """
    a = data.arrays()
    d = a.design
    reg = data.regions.set_index("region")
    tot = data.members.groupby("region")["weight"].sum()
    al = data.allocations.drop_duplicates(["region", "role"]).pivot(
        index="region", columns="role", values="holder")
    org = data.organisations.set_index(["region", "organisation"])
    gi = {r: g for g, r in enumerate(d.region_names)}
    rows = []
    for r in data.regions["region"]:
        g = gi[r]
        for c, (h, m) in enumerate(d.configurations(g)):
            row: dict[str, Any] = {"region": r, "host": h, "centre": m,
                                   "chosen": int(c == int(a.cfg_chosen[g]))}
            for col in REGION_COLUMNS:
                row[col] = float(tot.get(r, 0.0)) if col == "total_weight" else reg.at[r, col]
            for role in spec.DIRECTOR_ROLES:
                h_ = al.at[r, role] if role in al.columns else None
                row[role] = h_ if row["chosen"] and isinstance(h_, str) else ""
            for feat, (role, col) in FEATURE_COLUMNS.items():
                row[feat] = float(org.at[(r, h if role == "host" else m), col])
            rows.append(row)
    out = {"frame": pd.DataFrame(rows, columns=list(LONG_COLUMNS)),
           "organisations": data.organisations.copy(), "members": data.members.copy(),
           "doctors": data.doctors.copy()}
    if data.has_votes:
        out["votes"] = data.votes.copy()
    return out
