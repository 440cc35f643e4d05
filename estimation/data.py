r"""Observed role allocations: a validated schema over five pandas tables.

A data set holds, for many regions (or networks), what the restratification
model needs to explain who got which role:

``regions``
    ``region`` (id), ``bloc_power`` (:math:`\pi \in [0, 1]`, the district bloc's
    power index in the management group), optional ``network`` (``trauma``,
    ``stroke``, ``cancer``...; default ``trauma``) and optional
    ``tier_concentration`` (the concentration :math:`k(c)` when two teaching
    hospitals share the two roles; default 0.5).
``organisations``
    ``region``, ``organisation``, ``kind`` (``teaching``, ``district``,
    ``non_teaching``, ``ambulance``), ``track_record``, ``performance``,
    ``specialist_breadth``, ``n_super_specialist``, ``loss`` (the work the
    organisation lost under the observed allocation, :math:`L_i \ge 0`) and
    optional ``concession_roles`` (roles it received as concessions; empty =
    not observed).
``doctors``
    ``region``, ``doctor``, ``organisation`` (employer), ``cultural``,
    ``social``, ``symbolic`` (capital), ``multiplex``, ``endorsed`` and optional
    ``opinion_leader`` (0/1 or true/false; opinion leaders are never candidates).
``bids``
    ``region``, ``organisation``, ``role`` (``host`` or ``centre``).
``allocations``
    Long form, ``region``, ``role``, ``holder``: exactly one ``host`` and one
    ``centre`` row per region, at most one ``network_director`` (a candidate
    doctor of the host) and one ``centre_director`` (of the centre).

The feasible configurations of a region are all (host bidder, centre bidder)
pairs, exactly as :func:`gametheory.restratification.model.configurations`.

Validation reports every problem at once (frame, row, column, value, fix) in
one :class:`~estimation.errors.DataValidationError`; it never changes the
user's frames or files (inputs are copied).

Examples
--------
>>> from estimation.datasets import load_case
>>> data = load_case()
>>> data.n_regions, data.allocations.set_index("role").loc["centre", "holder"]
(1, 'Northgate Teaching Hospital')
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gametheory.errors import InvalidTypeError
from gametheory.restratification.actors import KINDS

from .errors import DataValidationError, MissingDependencyError, Problem

__all__ = ["AllocationData", "StructuralArrays", "ChoiceSets", "FRAMES", "SCHEMA",
           "DIRECTOR_ROLES", "CONFIG_FEATURES", "APPOINTMENT_FEATURES"]

FRAMES = ("regions", "organisations", "doctors", "bids", "allocations")

#: columns of each frame: name -> (kind, required, default)
SCHEMA: dict[str, dict[str, tuple[str, bool, Any]]] = {
    "regions": {
        "region": ("id", True, None),
        "bloc_power": ("float", True, None),
        "network": ("str", False, "trauma"),
        "tier_concentration": ("float", False, 0.5),
    },
    "organisations": {
        "region": ("id", True, None),
        "organisation": ("id", True, None),
        "kind": ("str", True, None),
        "track_record": ("float", True, None),
        "performance": ("float", True, None),
        "specialist_breadth": ("float", True, None),
        "n_super_specialist": ("float", True, None),
        "loss": ("float", True, None),
        "concession_roles": ("count", False, np.nan),
    },
    "doctors": {
        "region": ("id", True, None),
        "doctor": ("id", True, None),
        "organisation": ("id", True, None),
        "cultural": ("float", True, None),
        "social": ("float", True, None),
        "symbolic": ("float", True, None),
        "multiplex": ("bool", True, None),
        "endorsed": ("bool", True, None),
        "opinion_leader": ("bool", False, False),
    },
    "bids": {
        "region": ("id", True, None),
        "organisation": ("id", True, None),
        "role": ("str", True, None),
    },
    "allocations": {
        "region": ("id", True, None),
        "role": ("str", True, None),
        "holder": ("id", True, None),
    },
}

DIRECTOR_ROLES = ("network_director", "centre_director")
ALLOCATION_ROLES = ("host", "centre", *DIRECTOR_ROLES)
#: covariates x(c) of a configuration, in THETA_NAMES order
CONFIG_FEATURES = ("host_track_record", "host_performance", "centre_breadth", "centre_super")
#: covariates of a candidate doctor (alpha's three, then mu's and eta's)
APPOINTMENT_FEATURES = ("cultural", "social", "symbolic", "multiplex", "endorsed")

_TRUE = {"1", "true", "t", "yes", "y", "1.0"}
_FALSE = {"0", "false", "f", "no", "n", "0.0", ""}


# ----------------------------------------------------------------- arrays
@dataclass(frozen=True)
class StructuralArrays:
    r"""Padded, masked numpy arrays for the vectorised structural likelihood.

    ``G`` regions with at most ``C`` configurations each, ``S`` appointment
    situations with at most ``D`` candidates each, ``N`` hospitals with
    observed concessions. Padded slots have ``mask == False`` and zero
    covariates; they never enter the likelihood.

    Attributes
    ----------
    cfg_x : (G, C, 4) float
        :math:`x(c)` per configuration (``CONFIG_FEATURES``).
    cfg_k : (G, C) float
        Concentration :math:`k(c)`.
    cfg_mask : (G, C) bool
    cfg_chosen : (G,) int
        Slot of the observed configuration.
    bloc_power : (G,) float
    app_z : (S, D, 5) float
        Candidate covariates (``APPOINTMENT_FEATURES``).
    app_mask : (S, D) bool
    app_chosen : (S,) int
    app_region : (S,) int
    app_role : (S,) int
        0 = network director, 1 = centre director.
    con_loss, con_count : (N,) float
    con_region : (N,) int
    group_idx : (G,) int
        Index of each region's network type in ``group_names``.
    """

    region_names: tuple[str, ...]
    group_names: tuple[str, ...]
    group_idx: np.ndarray
    cfg_x: np.ndarray
    cfg_k: np.ndarray
    cfg_mask: np.ndarray
    cfg_chosen: np.ndarray
    cfg_host: np.ndarray
    cfg_centre: np.ndarray
    bloc_power: np.ndarray
    app_z: np.ndarray
    app_mask: np.ndarray
    app_chosen: np.ndarray
    app_region: np.ndarray
    app_role: np.ndarray
    app_doctor: np.ndarray
    con_loss: np.ndarray
    con_count: np.ndarray
    con_region: np.ndarray
    con_org: np.ndarray

    @property
    def n_regions(self) -> int:
        return len(self.region_names)

    def padded(self, n_cfg: int | None = None, n_cand: int | None = None) -> StructuralArrays:
        """The same arrays padded to at least ``n_cfg`` configurations / ``n_cand`` candidates.

        Used to give many simulated data sets one static shape (one compilation).
        """
        C, D = self.cfg_mask.shape[1], self.app_mask.shape[1]
        c2, d2 = max(C, n_cfg or 0), max(D, n_cand or 0)

        def pad(a: np.ndarray, axis: int, new: int, fill: Any = 0) -> np.ndarray:
            if a.shape[axis] == new:
                return a
            widths = [(0, 0)] * a.ndim
            widths[axis] = (0, new - a.shape[axis])
            return np.pad(a, widths, constant_values=fill)

        return StructuralArrays(
            self.region_names, self.group_names, self.group_idx,
            pad(self.cfg_x, 1, c2), pad(self.cfg_k, 1, c2), pad(self.cfg_mask, 1, c2, False),
            self.cfg_chosen, pad(self.cfg_host, 1, c2, ""), pad(self.cfg_centre, 1, c2, ""),
            self.bloc_power, pad(self.app_z, 1, d2), pad(self.app_mask, 1, d2, False),
            self.app_chosen, self.app_region, self.app_role, pad(self.app_doctor, 1, d2, ""),
            self.con_loss, self.con_count, self.con_region, self.con_org)


@dataclass(frozen=True)
class ChoiceSets:
    r"""Choice situations of one role for a conditional logit, padded and masked.

    Attributes
    ----------
    role : str
    x : (S, J, K) float
        Covariates of each alternative.
    mask : (S, J) bool
        True for a real alternative.
    chosen : (S,) int
        Slot of the chosen alternative.
    names : tuple of str
        Covariate names (length K).
    alternatives : (S, J) object
        Labels of the alternatives ("" for padding).
    situation_region : (S,) int
    """

    role: str
    x: np.ndarray
    mask: np.ndarray
    chosen: np.ndarray
    names: tuple[str, ...]
    alternatives: np.ndarray
    situation_region: np.ndarray

    @property
    def n_situations(self) -> int:
        return int(self.x.shape[0])

    def to_long(self) -> pd.DataFrame:
        """Long form (one row per real alternative): ``situation``, ``chosen``, covariates."""
        s, j = np.nonzero(self.mask)
        df = pd.DataFrame(self.x[s, j], columns=list(self.names))
        df.insert(0, "chosen", (self.chosen[s] == j).astype(int))
        df.insert(0, "alternative", self.alternatives[s, j])
        df.insert(0, "situation", s)
        return df


# -------------------------------------------------------------- helpers
#: Largest data table read (bytes).
MAX_TABLE_BYTES = 2**30
_IDS = {"region": str, "organisation": str, "doctor": str, "holder": str}


def _read_table(path: Path, frame: str, fmt: str, problems: list[Problem]
                ) -> pd.DataFrame | None:
    """One table of a data folder, or None with a problem (unreadable, empty, binary, not UTF-8,
    not CSV/Parquet): never a raw parser error."""
    import io

    from gametheory.errors import InvalidArgumentError
    from gametheory.fileio import decode_text, read_input_bytes

    where = f"{frame}.{fmt}"
    try:
        raw = read_input_bytes(path, name=where, max_bytes=MAX_TABLE_BYTES,
                               what=f"{fmt.upper()} table")
        if fmt == "parquet":
            return pd.read_parquet(io.BytesIO(raw))
        text = decode_text(raw, path=path, name=where, what="CSV table")
        if not text.strip():
            problems.append(Problem(where, None, None, str(path), "is empty",
                                    f"Write a header row ({', '.join(SCHEMA[frame])}) and one "
                                    "row per record"))
            return None
        df = pd.read_csv(io.StringIO(text), dtype=_IDS, keep_default_na=True)
        if df.empty:
            problems.append(Problem(where, None, None, str(path), "has a header but no rows",
                                    "Add one row per record"))
            return None
        return df
    except InvalidArgumentError as exc:
        problems.append(Problem(where, None, None, str(path), exc.problem, exc.fix))
    except pd.errors.EmptyDataError:
        problems.append(Problem(where, None, None, str(path), "has no header row",
                                f"Write a header row ({', '.join(SCHEMA[frame])})"))
    except (pd.errors.ParserError, ValueError, UnicodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        problems.append(Problem(where, None, None, str(path),
                                f"is not a valid {fmt.upper()} table ({first})",
                                "Fix the file (one header row, comma-separated values)"
                                if fmt == "csv" else "Write it again with pandas.to_parquet"))
    except Exception as exc:   # pyarrow's own errors for damaged Parquet files
        problems.append(Problem(where, None, None, str(path), f"cannot be read "
                                f"({type(exc).__name__}: {exc})", "Write it again"))
    return None


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or (
        isinstance(v, str) and v.strip() == "")


def _as_bool(v: Any) -> bool | None:
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer) and int(v) in (0, 1):
        return bool(v)
    if isinstance(v, float | np.floating) and v in (0.0, 1.0):
        return bool(v)
    if isinstance(v, str):
        s = v.strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE and s != "":
            return False
    return None


def _id(v: Any) -> str:
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v)


# ------------------------------------------------------------------ class
class AllocationData:
    """Validated observed role allocations over many regions.

    Parameters
    ----------
    regions, organisations, doctors, bids, allocations : pandas.DataFrame
        The five tables described in the module docstring. They are copied;
        the caller's frames are never modified.
    source : str, optional
        Where the data came from (shown in error messages and summaries).

    Raises
    ------
    DataValidationError
        Listing every problem found, by frame, row and column.

    Examples
    --------
    >>> import pandas as pd
    >>> from estimation import AllocationData
    >>> regions = pd.DataFrame({"region": ["r1"], "bloc_power": [0.3]})
    >>> orgs = pd.DataFrame({
    ...     "region": "r1", "organisation": ["T", "N", "D"],
    ...     "kind": ["teaching", "non_teaching", "district"],
    ...     "track_record": [0.8, 0.7, 0.5], "performance": [0.7, 0.7, 0.6],
    ...     "specialist_breadth": [0.9, 0.2, 0.4], "n_super_specialist": [2, 0, 0],
    ...     "loss": [0.0, 0.0, 1.2], "concession_roles": [None, None, 2]})
    >>> docs = pd.DataFrame({
    ...     "region": "r1", "doctor": ["a", "b", "c", "d"], "organisation": ["T", "T", "N", "D"],
    ...     "cultural": [0.9, 0.5, 0.8, 0.3], "social": [0.8, 0.4, 0.9, 0.3],
    ...     "symbolic": [0.7, 0.5, 0.9, 0.2], "multiplex": [1, 0, 1, 0],
    ...     "endorsed": [1, 0, 1, 0]})
    >>> bids = pd.DataFrame({"region": "r1", "organisation": ["T", "T", "N"],
    ...                      "role": ["host", "centre", "host"]})
    >>> alloc = pd.DataFrame({"region": "r1", "role": ["host", "centre", "centre_director"],
    ...                       "holder": ["N", "T", "a"]})
    >>> data = AllocationData(regions, orgs, docs, bids, alloc)
    >>> data.arrays().cfg_mask.sum(), data.arrays().cfg_chosen.tolist()
    (np.int64(2), [1])
    >>> bad = alloc.assign(holder=["N", "T", "c"])   # c works for N, not the centre
    >>> AllocationData(regions, orgs, docs, bids, bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    estimation.errors.DataValidationError: data='<AllocationData>': 1 problem:...
    """

    def __init__(self, regions: pd.DataFrame, organisations: pd.DataFrame,
                 doctors: pd.DataFrame, bids: pd.DataFrame, allocations: pd.DataFrame,
                 *, source: str = "") -> None:
        self.source = source
        #: true parameters when the data were simulated (see :func:`estimation.simulate`)
        self.truth: dict[str, float] | None = None
        self.params: Any = None
        self.bank: Any = None
        frames = {"regions": regions, "organisations": organisations, "doctors": doctors,
                  "bids": bids, "allocations": allocations}
        for name, df in frames.items():
            if not isinstance(df, pd.DataFrame):
                raise InvalidTypeError(name, type(df).__name__, "not a pandas DataFrame",
                                       f"Give {name} as a DataFrame with columns "
                                       f"{list(SCHEMA[name])}")
        clean, problems = _validate(frames)
        if problems:
            raise DataValidationError("data", problems, source)
        self.regions: pd.DataFrame = clean["regions"]
        self.organisations: pd.DataFrame = clean["organisations"]
        self.doctors: pd.DataFrame = clean["doctors"]
        self.bids: pd.DataFrame = clean["bids"]
        self.allocations: pd.DataFrame = clean["allocations"]

    # ---------------------------------------------------------- basics
    @property
    def n_regions(self) -> int:
        return len(self.regions)

    def frames(self) -> dict[str, pd.DataFrame]:
        """Copies of the five tables."""
        return {f: getattr(self, f).copy() for f in FRAMES}

    def __repr__(self) -> str:
        a = self.arrays()
        return (f"AllocationData({self.n_regions} regions, {int(a.cfg_mask.sum())} "
                f"configurations, {len(a.app_chosen)} appointments, "
                f"{len(a.con_count)} concession counts"
                + (f", from {self.source}" if self.source else "") + ")")

    def subset(self, regions: Iterable[str]) -> AllocationData:
        """The data of the named regions only."""
        keep = {str(r) for r in regions}
        return AllocationData(*(getattr(self, f)[getattr(self, f)["region"].isin(keep)]
                                .reset_index(drop=True) for f in FRAMES), source=self.source)

    @classmethod
    def concat(cls, parts: Sequence[AllocationData]) -> AllocationData:
        """Stack several data sets (region ids must be distinct)."""
        if not parts:
            raise InvalidTypeError("parts", parts, "no data sets", "Give at least one")
        return cls(*(pd.concat([getattr(p, f) for p in parts], ignore_index=True)
                     for f in FRAMES))

    @classmethod
    def from_frame(cls, frames: Mapping[str, pd.DataFrame] | None = None, **kwargs: Any
                   ) -> AllocationData:
        """Build from a mapping ``{"regions": df, ...}`` and/or keyword frames."""
        got = dict(frames or {})
        got.update({k: v for k, v in kwargs.items() if k in FRAMES})
        source = kwargs.get("source", "")
        missing = [f for f in FRAMES if f not in got]
        if missing:
            raise InvalidTypeError("frames", sorted(got), f"missing table(s) {missing}",
                                   f"Give all of {list(FRAMES)}")
        return cls(*(got[f] for f in FRAMES), source=source)

    from_frames = from_frame

    # ------------------------------------------------------------- IO
    @classmethod
    def from_csv(cls, path: str | Path) -> AllocationData:
        """Read ``regions.csv``, ``organisations.csv``, ... from a folder.

        A folder written by ``restrat run --out DIR`` (it holds ``result.json``)
        is read with :meth:`from_run_output` instead.
        """
        p = Path(path)
        if (p / "result.json").is_file() and not (p / "regions.csv").is_file():
            return cls.from_run_output(p)
        return cls._read(p, "csv")

    @classmethod
    def from_parquet(cls, path: str | Path) -> AllocationData:
        """Read ``regions.parquet``, ... from a folder (needs pyarrow)."""
        _need_pyarrow("AllocationData.from_parquet")
        return cls._read(Path(path), "parquet")

    @classmethod
    def _read(cls, p: Path, fmt: str) -> AllocationData:
        if not p.is_dir():
            raise DataValidationError("path", [Problem(
                "path", None, None, str(p), "is not a folder",
                f"Give a folder holding {', '.join(f + '.' + fmt for f in FRAMES)}")], str(p))
        problems = [Problem(f"{f}.{fmt}", None, None, str(p / f"{f}.{fmt}"), "is missing",
                            f"Write the {f} table to {f}.{fmt}")
                    for f in FRAMES if not (p / f"{f}.{fmt}").is_file()]
        if problems:
            raise DataValidationError("path", problems, str(p))
        frames = {}
        for f in FRAMES:
            got = _read_table(p / f"{f}.{fmt}", f, fmt, problems)
            if got is not None:
                frames[f] = got
        if problems:
            raise DataValidationError("path", problems, str(p))
        return cls(*(frames[f] for f in FRAMES), source=str(p))

    def to_csv(self, path: str | Path) -> list[Path]:
        """Write the five tables as CSV files into a folder (each written atomically),
        with a ``provenance.json`` sidecar (:mod:`gametheory.provenance`)."""
        return self._write_tables(path, "csv")

    def to_parquet(self, path: str | Path) -> list[Path]:
        """Write the five tables as Parquet files (needs pyarrow), with a
        ``provenance.json`` sidecar (:mod:`gametheory.provenance`)."""
        _need_pyarrow("AllocationData.to_parquet")
        return self._write_tables(path, "parquet")

    def _write_tables(self, path: str | Path, fmt: str) -> list[Path]:
        import hashlib
        import io

        from gametheory.fileio import atomic_write_bytes
        from gametheory.provenance import provenance, write_sidecar

        out = Path(path)
        written = []
        digest = hashlib.sha256()
        for f in FRAMES:
            if fmt == "csv":
                data = getattr(self, f).to_csv(index=False, float_format="%.6g").encode()
            else:
                buf = io.BytesIO()
                getattr(self, f).to_parquet(buf, index=False)
                data = buf.getvalue()
            digest.update(data)
            atomic_write_bytes(out / f"{f}.{fmt}", data)
            written.append(out / f"{f}.{fmt}")
        record = provenance(parameters=self.truth or None, source=self.source,
                            data_hash=digest.hexdigest()[:16])
        write_sidecar(out, record, written)
        return written

    @classmethod
    def from_run_output(cls, paths: str | Path | Iterable[str | Path]) -> AllocationData:
        """Read one or more folders (or ``result.json`` files) written by ``restrat run``.

        The observed allocation is the model's chosen configuration and
        appointed directors; a hospital's ``concession_roles`` counts the
        roles of its concession package (portfolio leads, committee seat,
        rotation places) when it lost work.
        """
        from gametheory.fileio import decode_text, read_input_bytes
        from gametheory.restratification import Region

        items = [paths] if isinstance(paths, str | Path) else list(paths)
        tables: list[dict[str, list[dict[str, Any]]]] = []
        problems: list[Problem] = []
        for it in items:
            p = Path(it)
            f = p / "result.json" if p.is_dir() else p
            if not f.is_file():
                problems.append(Problem("path", None, None, str(p), "holds no result.json",
                                        "Give a folder written by `restrat run --out DIR`"))
                continue
            try:
                raw = read_input_bytes(f, name="result.json", max_bytes=MAX_TABLE_BYTES // 4,
                                       what="restrat run result")
                res = json.loads(decode_text(raw, path=f, name="result.json"))
                region = Region.from_dict(res["region"], source=str(f))
                appointed = {a["role"]: a["doctor"] for a in res.get("appointments", [])
                             if a.get("appointed")}
                roles = region.roles
                directors = {"network_director": appointed.get(roles.network_director),
                             "centre_director": appointed.get(roles.centre_director)}
                chosen = (res["chosen"]["host"], res["chosen"]["centre"])
                losses = {d["organisation"]: float(d["loss"]) for d in res["designations"]}
                counts: dict[str, int] = {}
                for pk in res.get("packages", []):
                    if losses.get(pk["organisation"], 0.0) > 0:
                        counts[pk["organisation"]] = counts.get(pk["organisation"], 0) + 1
                counts = {o: counts.get(o, 0) for o, L in losses.items() if L > 0}
                tables.append(region_tables(
                    region, chosen, directors, losses, counts,
                    bloc_power=float(res["bloc_power"]),
                    tier_concentration=float(res["params"].get("tier_concentration", 0.5))))
            except (KeyError, TypeError, ValueError, RecursionError) as exc:
                problems.append(Problem("path", None, None, str(f),
                                        f"is not a readable restrat run result ({exc})",
                                        "Write it again with `restrat run --out DIR`"))
        if problems:
            raise DataValidationError("paths", problems, ", ".join(map(str, items)))
        return cls.from_tables(tables, source=", ".join(map(str, items)))

    @classmethod
    def from_tables(cls, tables: Sequence[Mapping[str, list[dict[str, Any]]]],
                    source: str = "") -> AllocationData:
        """Build from per-region row lists as produced by :func:`region_tables`."""
        frames = {f: pd.DataFrame([row for t in tables for row in t[f]],
                                  columns=list(SCHEMA[f])) for f in FRAMES}
        return cls(*(frames[f] for f in FRAMES), source=source)

    # ----------------------------------------------------------- arrays
    def arrays(self) -> StructuralArrays:
        """Padded and masked arrays for the structural likelihood (computed once)."""
        return self._arrays

    @cached_property
    def _arrays(self) -> StructuralArrays:
        return _build_arrays(self)

    def choice_sets(self, role: str = "configuration") -> ChoiceSets:
        """Choice situations of one role for a reduced-form conditional logit.

        Parameters
        ----------
        role : {"configuration", "host", "centre", "network_director", "centre_director",
                "directors"}
            ``configuration``: alternatives are the (host, centre) pairs with
            covariates :math:`x(c)` and :math:`-\\pi k(c)` (coefficients
            :math:`\\lambda\\theta` and :math:`\\lambda\\beta`); ``host``/``centre``:
            the bidders for that role with their track record, performance,
            breadth and super-specialist count; the director roles: candidate
            doctors with ``APPOINTMENT_FEATURES`` (``directors`` pools both).
        """
        return _choice_sets(self, role)


def _need_pyarrow(what: str) -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise MissingDependencyError(
            "format", "parquet", f"{what} needs pyarrow, which is not installed",
            "pip install pyarrow, or use CSV (from_csv/to_csv)") from None


# ------------------------------------------------------------- validation
def _validate(frames: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    problems: list[Problem] = []
    clean: dict[str, pd.DataFrame] = {}
    for name in FRAMES:
        df = frames[name].reset_index(drop=True).copy()
        cols = SCHEMA[name]
        for col, (kind, required, default) in cols.items():
            if col not in df.columns:
                if required:
                    problems.append(Problem(name, None, col, list(df.columns),
                                            "column is missing",
                                            f"add column {col!r} ({kind})"))
                else:
                    df[col] = default
        present = [c for c in cols if c in df.columns]
        out = pd.DataFrame(index=df.index)
        for col in present:
            kind = cols[col][0]
            vals = df[col].tolist()
            if kind == "id":
                conv: list[Any] = []
                for i, v in enumerate(vals):
                    if _is_missing(v):
                        problems.append(Problem(name, i, col, v, "is missing",
                                                f"give every row a {col}"))
                        conv.append("")
                    else:
                        conv.append(_id(v))
                out[col] = pd.Series(conv, index=df.index, dtype=object)
            elif kind == "str":
                out[col] = pd.Series(["" if _is_missing(v) else str(v).strip() for v in vals],
                                     index=df.index, dtype=object)
            elif kind in ("float", "count"):
                num = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
                for i, v in enumerate(vals):
                    if kind == "count" and _is_missing(v):
                        continue
                    if isinstance(v, bool | np.bool_):
                        problems.append(Problem(name, i, col, v, "is true/false, not a number",
                                                f"give a number for {col}"))
                        continue
                    if not np.isfinite(num[i]):
                        problems.append(Problem(
                            name, i, col, v, "is not a finite number",
                            f"give a finite number for {col}"
                            + (" (or leave it empty if not observed)" if kind == "count"
                               else "")))
                    elif kind == "count" and (num[i] < 0 or not float(num[i]).is_integer()):
                        problems.append(Problem(name, i, col, v,
                                                "is not a non-negative whole number",
                                                "give a count 0, 1, 2, ..."))
                out[col] = num
            elif kind == "bool":
                bl = []
                for i, v in enumerate(vals):
                    b = _as_bool(v)
                    if b is None:
                        problems.append(Problem(name, i, col, v, "is not true/false",
                                                "use 0/1 or true/false"))
                        b = False
                    bl.append(b)
                out[col] = np.asarray(bl, dtype=bool)
        clean[name] = out
    if any(p.row is None and p.problem == "column is missing" for p in problems):
        return clean, problems  # cross-table checks need the columns
    problems += _cross_checks(clean)
    return clean, problems


def _cross_checks(t: dict[str, pd.DataFrame]) -> list[Problem]:
    P: list[Problem] = []
    reg, org, doc, bid, alloc = (t[f] for f in FRAMES)
    # regions
    for i in np.flatnonzero(reg["region"].duplicated().to_numpy()):
        P.append(Problem("regions", int(i), "region", reg.at[i, "region"], "is duplicated",
                         "give each region one row"))
    for col in ("bloc_power", "tier_concentration"):
        v = reg[col].to_numpy()
        for i in np.flatnonzero(np.isfinite(v) & ((v < 0) | (v > 1))):
            P.append(Problem("regions", int(i), col, v[i], "is outside [0, 1]",
                             "give a power index / share between 0 and 1"))
    regions = set(reg["region"])
    for name, df in (("organisations", org), ("doctors", doc), ("bids", bid),
                     ("allocations", alloc)):
        for i in np.flatnonzero(~df["region"].isin(regions).to_numpy()):
            P.append(Problem(name, int(i), "region", df.at[i, "region"], "is an unknown region",
                             "add it to the regions table or fix the id"))
    # organisations
    for i in np.flatnonzero(org.duplicated(["region", "organisation"]).to_numpy()):
        P.append(Problem("organisations", int(i), "organisation", org.at[i, "organisation"],
                         "is duplicated within its region", "give each organisation one row"))
    for i in np.flatnonzero(~org["kind"].isin(KINDS).to_numpy()):
        P.append(Problem("organisations", int(i), "kind", org.at[i, "kind"],
                         "is an unknown kind", f"use one of {list(KINDS)}"))
    for col in ("loss", "n_super_specialist"):
        v = org[col].to_numpy()
        for i in np.flatnonzero(np.isfinite(v) & (v < 0)):
            P.append(Problem("organisations", int(i), col, v[i], "is negative",
                             "give a value >= 0"))
    orgkeys = set(zip(org["region"], org["organisation"], strict=True))
    # doctors
    for i in np.flatnonzero(doc.duplicated(["region", "doctor"]).to_numpy()):
        P.append(Problem("doctors", int(i), "doctor", doc.at[i, "doctor"],
                         "is duplicated within its region", "give each doctor one row"))
    for col in ("cultural", "social", "symbolic"):
        v = doc[col].to_numpy()
        for i in np.flatnonzero(np.isfinite(v) & (v < 0)):
            P.append(Problem("doctors", int(i), col, v[i], "capital is negative",
                             "give capital >= 0"))
    for name, df, col in (("doctors", doc, "organisation"), ("bids", bid, "organisation")):
        for i, (r, o) in enumerate(zip(df["region"], df[col], strict=True)):
            if r in regions and (r, o) not in orgkeys:
                P.append(Problem(name, i, col, o, f"is an unknown organisation in region {r!r}",
                                 "add it to the organisations table or fix the name"))
    # bids
    for i in np.flatnonzero(~bid["role"].isin(("host", "centre")).to_numpy()):
        P.append(Problem("bids", int(i), "role", bid.at[i, "role"], "is not a bid role",
                         "use 'host' or 'centre'"))
    bidders: dict[tuple[str, str], set[str]] = {}
    for r, o, role in zip(bid["region"], bid["organisation"], bid["role"], strict=True):
        bidders.setdefault((r, role), set()).add(o)
    for r in reg["region"]:
        for role in ("host", "centre"):
            if not bidders.get((r, role)):
                P.append(Problem("bids", None, "role", r, f"region has no {role!r} bid",
                                 f"add at least one bid for {role!r} in region {r!r}"))
    # candidates
    cands: dict[tuple[str, str], set[str]] = {}
    for r, d, o, ol in zip(doc["region"], doc["doctor"], doc["organisation"],
                           doc["opinion_leader"], strict=True):
        if not ol:
            cands.setdefault((r, o), set()).add(d)
    # allocations
    for i in np.flatnonzero(~alloc["role"].isin(ALLOCATION_ROLES).to_numpy()):
        P.append(Problem("allocations", int(i), "role", alloc.at[i, "role"],
                         "is not an allocation role", f"use one of {list(ALLOCATION_ROLES)}"))
    holders: dict[tuple[str, str], list[int]] = {}
    for i, (r, role) in enumerate(zip(alloc["region"], alloc["role"], strict=True)):
        holders.setdefault((r, role), []).append(i)
    label = {"host": "hosts", "centre": "MTCs (centres)", "network_director":
             "network directors", "centre_director": "centre directors"}
    for (r, role), rows in holders.items():
        if len(rows) > 1 and role in label:
            for i in rows[1:]:
                P.append(Problem("allocations", i, "role", role,
                                 f"gives region {r!r} {len(rows)} {label[role]}",
                                 f"keep exactly one {role!r} row per region"))
    for r in reg["region"]:
        for role in ("host", "centre"):
            if (r, role) not in holders:
                P.append(Problem("allocations", None, "role", r,
                                 f"region has no observed {role!r}",
                                 f"add a row (region={r!r}, role={role!r}, holder=...)"))
    chosen: dict[tuple[str, str], str] = {}
    for i, (r, role, h) in enumerate(zip(alloc["region"], alloc["role"], alloc["holder"],
                                         strict=True)):
        if r not in regions:
            continue
        if role in ("host", "centre"):
            chosen.setdefault((r, role), h)
            if (r, h) not in orgkeys:
                P.append(Problem("allocations", i, "holder", h,
                                 f"is an unknown organisation in region {r!r}",
                                 "name an organisation of the organisations table"))
            elif h not in bidders.get((r, role), set()):
                P.append(Problem("allocations", i, "holder", h,
                                 f"did not bid for {role!r} (not in the choice set)",
                                 f"choose one of {sorted(bidders.get((r, role), set()))}"))
    for i, (r, role, h) in enumerate(zip(alloc["region"], alloc["role"], alloc["holder"],
                                         strict=True)):
        if r not in regions or role not in DIRECTOR_ROLES:
            continue
        org_role = "host" if role == "network_director" else "centre"
        o = chosen.get((r, org_role))
        if o is None:
            continue
        pool = cands.get((r, o), set())
        if h not in pool:
            P.append(Problem("allocations", i, "holder", h,
                             f"is not a candidate for {role} (candidates: doctors of the "
                             f"{org_role} {o!r} who are not opinion leaders)",
                             f"choose one of {sorted(pool)}"))
    # concession counts must belong to organisations that lost work
    obs = np.isfinite(org["concession_roles"].to_numpy())
    for i in np.flatnonzero(obs & (org["loss"].to_numpy() <= 0)):
        if org.at[i, "concession_roles"] > 0:
            P.append(Problem("organisations", int(i), "concession_roles",
                             org.at[i, "concession_roles"],
                             "is positive for an organisation with no loss",
                             "give concessions only to hospitals that lost work (loss > 0), "
                             "or leave it empty"))
    return P


# --------------------------------------------------------------- arrays
def _slots(keys: pd.Series) -> np.ndarray:
    return keys.groupby(keys, sort=False).cumcount().to_numpy()


def _build_arrays(data: AllocationData) -> StructuralArrays:
    reg = data.regions.reset_index(drop=True)
    rid = {r: i for i, r in enumerate(reg["region"])}
    G = len(reg)
    groups = tuple(sorted(set(reg["network"])))
    gidx = np.array([groups.index(n) for n in reg["network"]], dtype=np.int64)
    org = data.organisations.set_index(["region", "organisation"])
    bids = data.bids.drop_duplicates(["region", "organisation", "role"])
    host = bids[bids["role"] == "host"][["region", "organisation"]]
    centre = bids[bids["role"] == "centre"][["region", "organisation"]]
    cfg = host.merge(centre, on="region", suffixes=("_h", "_m"), how="inner", sort=False)
    cfg["g"] = cfg["region"].map(rid).to_numpy()
    cfg = cfg.sort_values("g", kind="stable").reset_index(drop=True)
    cfg["slot"] = _slots(cfg["g"])
    C = int(cfg["slot"].max()) + 1
    hk = pd.MultiIndex.from_arrays([cfg["region"], cfg["organisation_h"]])
    mk = pd.MultiIndex.from_arrays([cfg["region"], cfg["organisation_m"]])
    ho, mo = org.loc[hk], org.loc[mk]
    feats = np.column_stack([ho["track_record"].to_numpy(), ho["performance"].to_numpy(),
                             mo["specialist_breadth"].to_numpy(),
                             mo["n_super_specialist"].to_numpy()])
    tier = reg["tier_concentration"].to_numpy()[cfg["g"].to_numpy()]
    same = (cfg["organisation_h"] == cfg["organisation_m"]).to_numpy()
    both_teach = ((ho["kind"].to_numpy() == "teaching") & (mo["kind"].to_numpy() == "teaching"))
    k = np.where(same, 1.0, np.where(both_teach, tier, 0.0))
    g_, s_ = cfg["g"].to_numpy(), cfg["slot"].to_numpy()
    cfg_x = np.zeros((G, C, 4))
    cfg_x[g_, s_] = feats
    cfg_k = np.zeros((G, C))
    cfg_k[g_, s_] = k
    cfg_mask = np.zeros((G, C), dtype=bool)
    cfg_mask[g_, s_] = True
    cfg_host = np.full((G, C), "", dtype=object)
    cfg_host[g_, s_] = cfg["organisation_h"].to_numpy()
    cfg_centre = np.full((G, C), "", dtype=object)
    cfg_centre[g_, s_] = cfg["organisation_m"].to_numpy()
    al = data.allocations
    wide = al.pivot_table(index="region", columns="role", values="holder", aggfunc="first")
    wide = wide.reindex(reg["region"])
    ch_h = wide["host"].to_numpy()
    ch_m = wide["centre"].to_numpy()
    match = (cfg_host == ch_h[:, None]) & (cfg_centre == ch_m[:, None]) & cfg_mask
    cfg_chosen = match.argmax(axis=1).astype(np.int64)

    # appointments
    doc = data.doctors[~data.doctors["opinion_leader"]]
    sit_rows = []
    for role_i, role in enumerate(DIRECTOR_ROLES):
        if role not in wide.columns:
            continue
        holder = wide[role]
        org_of = wide["host" if role_i == 0 else "centre"]
        ok = holder.notna().to_numpy()
        for r, o, h in zip(reg["region"].to_numpy()[ok], org_of.to_numpy()[ok],
                           holder.to_numpy()[ok], strict=True):
            sit_rows.append((rid[r], role_i, r, o, h))
    S = len(sit_rows)
    sits = pd.DataFrame(sit_rows, columns=["g", "role", "region", "organisation", "holder"])
    sits["s"] = np.arange(S)
    cand = sits.merge(doc, on=["region", "organisation"], how="inner", sort=False)
    cand = cand.sort_values(["s"], kind="stable").reset_index(drop=True)
    cand["slot"] = _slots(cand["s"]) if S else np.zeros(0, dtype=int)
    D = int(cand["slot"].max()) + 1 if len(cand) else 1
    si, sl = cand["s"].to_numpy(), cand["slot"].to_numpy()
    app_z = np.zeros((S, D, 5))
    app_z[si, sl] = cand[list(APPOINTMENT_FEATURES)].to_numpy(dtype=float)
    app_mask = np.zeros((S, D), dtype=bool)
    app_mask[si, sl] = True
    app_doc = np.full((S, D), "", dtype=object)
    app_doc[si, sl] = cand["doctor"].to_numpy()
    app_chosen = np.zeros(S, dtype=np.int64)
    hit = cand["doctor"].to_numpy() == cand["holder"].to_numpy()
    app_chosen[si[hit]] = sl[hit]

    # concessions
    o = data.organisations
    keep = (o["loss"].to_numpy() > 0) & np.isfinite(o["concession_roles"].to_numpy())
    ok = o[keep]
    return StructuralArrays(
        region_names=tuple(reg["region"]), group_names=groups, group_idx=gidx,
        cfg_x=cfg_x, cfg_k=cfg_k, cfg_mask=cfg_mask, cfg_chosen=cfg_chosen,
        cfg_host=cfg_host, cfg_centre=cfg_centre,
        bloc_power=reg["bloc_power"].to_numpy(dtype=float),
        app_z=app_z, app_mask=app_mask, app_chosen=app_chosen,
        app_region=sits["g"].to_numpy(dtype=np.int64), app_role=sits["role"].to_numpy(
            dtype=np.int64), app_doctor=app_doc,
        con_loss=ok["loss"].to_numpy(dtype=float),
        con_count=ok["concession_roles"].to_numpy(dtype=float),
        con_region=ok["region"].map(rid).to_numpy(dtype=np.int64),
        con_org=ok["organisation"].to_numpy(dtype=object))


def _choice_sets(data: AllocationData, role: str) -> ChoiceSets:
    from .errors import EstimationError

    a = data.arrays()
    roles = ("configuration", "host", "centre", "network_director", "centre_director",
             "directors")
    if role not in roles:
        raise EstimationError("role", role, "unknown role", f"Use one of {list(roles)}")
    G = a.n_regions
    if role == "configuration":
        x = np.concatenate([a.cfg_x, -(a.bloc_power[:, None] * a.cfg_k)[..., None]], axis=2)
        alts = np.where(a.cfg_mask, a.cfg_host + " | " + a.cfg_centre, "")
        return ChoiceSets(role, x, a.cfg_mask.copy(), a.cfg_chosen.copy(),
                          (*CONFIG_FEATURES, "minus_power_x_concentration"), alts,
                          np.arange(G))
    if role in ("host", "centre"):
        org = data.organisations.set_index(["region", "organisation"])
        b = data.bids[data.bids["role"] == role].drop_duplicates(["region", "organisation"])
        rid = {r: i for i, r in enumerate(a.region_names)}
        b = b.assign(g=b["region"].map(rid)).sort_values("g", kind="stable")
        slot = _slots(b["g"])
        J = int(slot.max()) + 1
        names = ("track_record", "performance", "specialist_breadth", "n_super_specialist")
        x = np.zeros((G, J, 4))
        mask = np.zeros((G, J), dtype=bool)
        alts = np.full((G, J), "", dtype=object)
        g = b["g"].to_numpy()
        x[g, slot] = org.loc[pd.MultiIndex.from_arrays([b["region"], b["organisation"]]),
                             list(names)].to_numpy(dtype=float)
        mask[g, slot] = True
        alts[g, slot] = b["organisation"].to_numpy()
        holder = data.allocations[data.allocations["role"] == role].drop_duplicates("region")
        hmap = dict(zip(holder["region"], holder["holder"], strict=True))
        ch = np.array([hmap[r] for r in a.region_names], dtype=object)
        chosen = ((alts == ch[:, None]) & mask).argmax(axis=1)
        return ChoiceSets(role, x, mask, chosen, names, alts, np.arange(G))
    sel = (np.ones(len(a.app_role), dtype=bool) if role == "directors"
           else a.app_role == DIRECTOR_ROLES.index(role))
    return ChoiceSets(role, a.app_z[sel], a.app_mask[sel], a.app_chosen[sel],
                      APPOINTMENT_FEATURES, a.app_doctor[sel], a.app_region[sel])


# -------------------------------------------------------- from a Region
def region_tables(region: Any, chosen: tuple[str, str] | None,
                  directors: Mapping[str, str | None] | None = None,
                  losses: Mapping[str, float] | None = None,
                  concession_roles: Mapping[str, int] | None = None, *,
                  bloc_power: float, tier_concentration: float = 0.5,
                  name: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Rows of the five tables for one :class:`~gametheory.restratification.Region`.

    ``chosen`` is the observed (host, centre); ``directors`` maps
    ``network_director``/``centre_director`` to a doctor's name; ``losses`` and
    ``concession_roles`` map organisations to their loss and count.
    """
    rname = name or region.name
    losses = dict(losses or {})
    conc = dict(concession_roles or {})
    out: dict[str, list[dict[str, Any]]] = {f: [] for f in FRAMES}
    out["regions"].append({"region": rname, "bloc_power": bloc_power,
                           "network": region.roles.network,
                           "tier_concentration": tier_concentration})
    for o in region.organisations:
        out["organisations"].append({
            "region": rname, "organisation": o.name, "kind": o.kind,
            "track_record": o.track_record, "performance": o.performance,
            "specialist_breadth": o.specialist_breadth,
            "n_super_specialist": o.n_super_specialist, "loss": losses.get(o.name, 0.0),
            "concession_roles": conc.get(o.name, np.nan)})
    for d in region.doctors:
        out["doctors"].append({
            "region": rname, "doctor": d.name, "organisation": d.employer,
            "cultural": d.cultural, "social": d.social, "symbolic": d.symbolic,
            "multiplex": int(d.multiplex), "endorsed": int(d.endorsed),
            "opinion_leader": int(d.opinion_leader)})
    seen = set()
    for b in region.bids:
        if (b.organisation, b.role) not in seen:
            seen.add((b.organisation, b.role))
            out["bids"].append({"region": rname, "organisation": b.organisation,
                                "role": b.role})
    if chosen is not None:
        out["allocations"].append({"region": rname, "role": "host", "holder": chosen[0]})
        out["allocations"].append({"region": rname, "role": "centre", "holder": chosen[1]})
    for role in DIRECTOR_ROLES:
        h = (directors or {}).get(role)
        if h is not None:
            out["allocations"].append({"region": rname, "role": role, "holder": h})
    return out
