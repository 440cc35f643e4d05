r"""Reading long-format choice data: CSV, Parquet and Stata files with missing-value codes.

Researchers bring data as one row per *opportunity* (a region's reorganisation,
a government formation) and *alternative* (a configuration, a potential
cabinet), with a flag for the chosen one, often from Stata with numeric codes
for missing answers (88888 = "not applicable", -99 = "refused"...).

:func:`read_table` reads a file (or takes a DataFrame) and turns the missing
codes the user declares into missing values; a value that looks like a code
but was not declared is refused (with its row and column), as is a Stata
extended missing value (``.a`` to ``.z``) that was not declared: silently
treating 99999 as a number would bias every estimate. :func:`check_long`
checks the choice structure (every opportunity has exactly one chosen
alternative, no alternative is listed twice, the flag is 0/1). Every problem
is reported at once in one :class:`~estimation.errors.DataValidationError`.

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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gametheory.errors import InvalidArgumentError, InvalidTypeError

from .errors import DataValidationError, Problem

__all__ = ["read_table", "check_long", "SUSPECT_CODES", "FORMATS"]

#: numeric values that are far more often missing-value codes than data: refused
#: unless declared (or the check is switched off)
SUSPECT_CODES = frozenset({-9, -99, -999, -9999, -99999, -8, -88, -888, -8888, -88888,
                           7777, 77777, 777777, 8888, 88888, 888888, 9999, 99999, 999999})
#: file suffixes read by :func:`read_table`
FORMATS = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
           ".dta": "stata"}


def _codes_by_column(missing_codes: Any, columns: Sequence[str]) -> dict[str, set[Any]]:
    if missing_codes is None:
        return {c: set() for c in columns}
    if isinstance(missing_codes, Mapping):
        unknown = [k for k in missing_codes if k not in columns]
        if unknown:
            raise InvalidArgumentError("missing_codes", dict(missing_codes),
                                       f"names columns {unknown} that the data do not have",
                                       f"Use columns of the data: {list(columns)}")
        out = {c: set() for c in columns}
        for k, v in missing_codes.items():
            out[k] = set(_as_list(v))
        return out
    codes = set(_as_list(missing_codes))
    return {c: set(codes) for c in columns}


def _as_list(v: Any) -> list[Any]:
    if isinstance(v, str) or not isinstance(v, Iterable):
        return [v]
    return list(v)


def _read(source: str | Path, fmt: str | None) -> tuple[pd.DataFrame, str]:
    path = Path(source)
    kind = fmt or FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InvalidArgumentError("source", str(source), f"unknown file type {path.suffix!r}",
                                   f"Use one of {sorted(FORMATS)} or give format=")
    if not path.is_file():
        raise InvalidArgumentError("source", str(source), "no such file",
                                   "Give the path of a CSV, Parquet or Stata file")
    if kind == "csv":
        return pd.read_csv(path), kind
    if kind == "parquet":
        return pd.read_parquet(path), kind
    if kind == "stata":
        # extended missing values (.a-.z) stay visible as StataMissingValue objects
        return pd.read_stata(path, convert_missing=True, convert_categoricals=False), kind
    raise InvalidArgumentError("format", fmt, "unknown format", "Use csv, parquet or stata")


def read_table(source: str | Path | pd.DataFrame, *, missing_codes: Any = None,
               check_codes: bool = True, format: str | None = None,
               name: str = "data") -> pd.DataFrame:
    """A table with the declared missing-value codes turned into missing values.

    Parameters
    ----------
    source : path or DataFrame
        A ``.csv``, ``.parquet`` or ``.dta`` (Stata, read by ``pandas.read_stata``)
        file, or a DataFrame (copied, never changed).
    missing_codes : value, list, or {column: value or list}, optional
        Codes meaning "missing": for every column, or per column. Stata extended
        missing values are named as strings (``".a"``).
    check_codes : bool
        Refuse undeclared values of :data:`SUSPECT_CODES` in numeric columns and
        undeclared Stata extended missing values (default). Switch off only when
        such values are real data.
    format : {"csv", "parquet", "stata"}, optional
        Overrides the file suffix.
    name : str
        The table's name in error messages.

    Raises
    ------
    DataValidationError
        Every undeclared code, with its row and column.
    """
    if isinstance(source, pd.DataFrame):
        df, kind = source.copy(), "frame"
    elif isinstance(source, str | Path):
        df, kind = _read(source, format)
    else:
        raise InvalidTypeError("source", type(source).__name__, "not a path or a DataFrame",
                               "Give a file path or a pandas DataFrame")
    df = df.reset_index(drop=True)
    codes = _codes_by_column(missing_codes, [str(c) for c in df.columns])
    problems: list[Problem] = []
    for col in df.columns:
        declared = codes[str(col)]
        s = df[col]
        if s.dtype == object:
            stata = s.map(lambda v: type(v).__name__ == "StataMissingValue")
            if stata.any():
                text = s.where(~stata).astype(object)
                for i in np.flatnonzero(stata.to_numpy()):
                    code = str(s.iat[i])
                    if code == "." or code in declared:
                        text.iat[i] = np.nan
                    elif check_codes:
                        problems.append(Problem(name, int(i), str(col), code,
                                                "is a Stata missing-value code that was not "
                                                "declared", f"declare it: missing_codes="
                                                f"{{{str(col)!r}: [{code!r}]}}"))
                        text.iat[i] = np.nan
                    else:
                        text.iat[i] = np.nan
                s = text
                if text.map(lambda v: isinstance(v, int | float | np.number)).all():
                    s = pd.to_numeric(text)
            num = [c for c in declared if not isinstance(c, str)]
            strs = [c for c in declared if isinstance(c, str)]
            if strs:
                s = s.mask(s.astype(str).isin(strs))
            if num:
                s = s.mask(pd.to_numeric(s, errors="coerce").isin(num))
            df[col] = s
            continue
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            num = [c for c in declared if not isinstance(c, str)]
            hit = s.isin(num) if num else pd.Series(False, index=s.index)
            if check_codes:
                sus = s.isin(SUSPECT_CODES - set(num)) & ~hit
                for i in np.flatnonzero(sus.to_numpy()):
                    v = s.iat[i]
                    v = int(v) if float(v).is_integer() else v
                    problems.append(Problem(name, int(i), str(col), v,
                                            "looks like a missing-value code that was not "
                                            "declared", f"declare it (missing_codes={{"
                                            f"{str(col)!r}: [{v}]}}), or pass "
                                            "check_codes=False if it is a real value"))
            df[col] = s.mask(hit)
    if problems:
        raise DataValidationError(name, problems, f"{name} ({kind})")
    return df


def check_long(frame: pd.DataFrame, *, opportunity: str, alternative: str | Sequence[str],
               chosen: str, name: str = "data") -> list[Problem]:
    """Problems of the choice structure of a long-format table (empty list = fine).

    Every opportunity must have exactly one row with ``chosen`` = 1, the flag
    must be 0/1, and no alternative may be listed twice in an opportunity.
    ``alternative`` may be several columns (e.g. host and centre).
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
    flag = pd.to_numeric(df[chosen], errors="coerce")
    bad = ~flag.isin([0, 1])
    for i in np.flatnonzero(bad.to_numpy()):
        P.append(Problem(name, int(i), chosen, df.at[i, chosen], "is not 0 or 1",
                         "mark the chosen alternative with 1 and the others with 0"))
    dup = df.duplicated([opportunity, *alts], keep="first")
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
                             f"opportunity {opp!r} (rows {rows[0]}-{rows[-1]}) has no chosen "
                             "alternative", "mark the observed alternative with 1"))
        elif n > 1:
            picked = [int(r) for r in rows if one.loc[r]]
            for r in picked[1:]:
                P.append(Problem(name, r, chosen, opp,
                                 f"is a second chosen alternative of opportunity {opp!r} "
                                 f"(rows {picked})", "keep exactly one chosen row"))
    return P
