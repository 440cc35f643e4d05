r"""Observed role allocations: a validated schema over pandas tables.

A data set holds, for many regions (or networks), what the restratification
model (:mod:`gametheory.restratification.spec`) needs to explain who got which
role:

``regions``
    ``region`` (id), ``quota`` (the weight a decision of the management group
    needs, :math:`0 < q \le` the members' total weight), optional ``network``
    (``trauma``, ``stroke``, ``cancer``...; default ``trauma``),
    ``tier_concentration`` (the concentration :math:`k(c)` when two teaching
    hospitals share the two roles; default 0.5), ``unit_retained`` and
    ``lower_retained`` (share of its trauma volume a Trauma Unit / lower-tier unit
    keeps; default: the network type's) and ``bloc_kind`` (the kind of
    organisation every bloc member must represent, default ``district``; ``any``
    turns the check off); optional, the concession pool
    (:mod:`gametheory.restratification.concessions`; default: the network type's
    role set): ``portfolio_pool``, ``seat_pool``, ``rotation_pool`` (roles of each
    kind; a seat pool of 0 means one seat per committee hospital),
    ``portfolio_value``, ``seat_value``, ``rotation_value`` (mean value of a role,
    value units), ``rehabilitation_return`` and ``committee_quota`` (share of the
    committee's votes a division needs; default 1, unanimity).
``organisations``
    ``region``, ``organisation``, ``kind`` (``teaching``, ``district``,
    ``non_teaching``, ``ambulance``), ``track_record``, ``performance``,
    ``specialist_breadth``, ``n_super_specialist``, ``trauma_volume`` (major-trauma
    cases a year before the network, :math:`\ge 0`), optional
    ``can_be_trauma_unit`` (default true), ``practice_elites`` (its practice
    elites who are not opinion leaders, who may take rotation places; default 0)
    and the concession roles it holds of each kind, ``portfolio_roles``,
    ``seat_roles`` and ``rotation_roles`` (empty = not observed; only for the
    hospitals on the observed configuration's committee: those that lose work
    and are neither host nor centre). A committee whose counts are partly
    observed is scored exactly (the unobserved cells are merged with the
    network's).
``doctors``
    ``region``, ``doctor``, ``organisation`` (employer), ``cultural``,
    ``social``, ``symbolic`` (capital), ``multiplex``, ``endorsed`` and optional
    ``opinion_leader`` (0/1 or true/false; opinion leaders are never candidates).
``bids``
    ``region``, ``organisation``, ``role`` (``host`` or ``centre``).
``members``
    The management group of every region: ``region``, ``member`` (id),
    ``organisation`` (the organisation the member represents; empty for
    commissioners), ``weight`` (a whole number :math:`\ge 0`) and ``bloc``
    (member of the district bloc).
``allocations``
    Long form, ``region``, ``role``, ``holder``: exactly one ``host`` and one
    ``centre`` row per region, at most one ``network_director`` (a candidate
    doctor of the host) and one ``centre_director`` (of the centre).
``votes`` (optional)
    Observed votes on the chosen configuration: ``region``, ``member``, ``vote``
    (1 = support); members without a row are unobserved and integrated out.
``alternatives`` (optional)
    A sample of the configurations of winner-only data (see
    :func:`estimation.longdata.from_long`): ``region``, ``host``, ``centre`` and
    ``offset``, McFadden's correction :math:`\log \tilde k_j - \log q_j`
    (:mod:`estimation.alternatives`). Without it every pair of bidders is an
    alternative.

Covariates of an organisation that the model never reads may be left empty: a
host bidder's ``specialist_breadth`` and ``n_super_specialist`` matter only if
it also bids for centre, and a centre bidder's ``track_record`` and
``performance`` only if it bids for host. With ``missing_covariates=True`` the
bidders' covariates and the candidates' capital may be missing too; the
Bayesian structural model then imputes them (:func:`estimation.fit`), every
other fit refuses such data.

The feasible configurations of a region are all (host bidder, centre bidder)
pairs. Each organisation's work lost under every configuration follows from its
trauma volume (:func:`gametheory.restratification.spec.work_lost`).

Validation reports every problem at once (frame, row, column, value, fix) in
one :class:`~estimation.errors.DataValidationError`; it never changes the
user's frames or files (inputs are copied). Data of the first version of the
schema (a ``bloc_power`` number instead of a management group, a ``loss``
column instead of trauma volumes) are refused with the tables to add.

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
from gametheory.restratification import spec
from gametheory.restratification.actors import KINDS, roles_by_name
from gametheory.restratification.concessions import ROLE_KINDS

from .errors import DataValidationError, MissingDependencyError, Problem

__all__ = ["AllocationData", "StructuralArrays", "ChoiceSets", "FRAMES", "OPTIONAL_FRAMES",
           "SCHEMA", "DIRECTOR_ROLES", "region_tables"]

#: tables every data set has
FRAMES = ("regions", "organisations", "doctors", "bids", "members", "allocations")
#: tables a data set may have
OPTIONAL_FRAMES = ("votes", "alternatives")

#: columns of each frame: name -> (kind, required, default)
SCHEMA: dict[str, dict[str, tuple[str, bool, Any]]] = {
    "regions": {
        "region": ("id", True, None),
        "quota": ("float", True, None),
        "network": ("str", False, "trauma"),
        "tier_concentration": ("float", False, 0.5),
        "unit_retained": ("float", False, np.nan),
        "lower_retained": ("float", False, np.nan),
        "bloc_kind": ("str", False, "district"),
        **{f"{k}_pool": ("count", False, np.nan) for k in ROLE_KINDS},
        **{f"{k}_value": ("float", False, np.nan) for k in ROLE_KINDS},
        "rehabilitation_return": ("float", False, np.nan),
        "committee_quota": ("float", False, np.nan),
    },
    "organisations": {
        "region": ("id", True, None),
        "organisation": ("id", True, None),
        "kind": ("str", True, None),
        **{c: ("float", True, None) for c in dict.fromkeys(
            col for _, col in spec.CONFIG_SOURCES.values())},
        "trauma_volume": ("float", True, None),
        "can_be_trauma_unit": ("bool", False, True),
        "practice_elites": ("count", False, 0.0),
        **{c: ("count", False, np.nan) for c in spec.CONCESSION_COLUMNS},
    },
    "doctors": {
        "region": ("id", True, None),
        "doctor": ("id", True, None),
        "organisation": ("id", True, None),
        **{c: ("float", True, None) for c in spec.CAPITAL},
        **{c: ("bool", True, None) for c in spec.APPOINTMENT_FEATURES[len(spec.CAPITAL):]},
        "opinion_leader": ("bool", False, False),
    },
    "bids": {
        "region": ("id", True, None),
        "organisation": ("id", True, None),
        "role": ("str", True, None),
    },
    "members": {
        "region": ("id", True, None),
        "member": ("id", True, None),
        "organisation": ("str", False, ""),
        "weight": ("float", True, None),
        "bloc": ("bool", False, False),
    },
    "allocations": {
        "region": ("id", True, None),
        "role": ("str", True, None),
        "holder": ("id", True, None),
    },
    "votes": {
        "region": ("id", True, None),
        "member": ("id", True, None),
        "vote": ("bool", True, None),
    },
    "alternatives": {
        "region": ("id", True, None),
        "host": ("id", True, None),
        "centre": ("id", True, None),
        "offset": ("float", True, None),
    },
}
#: organisation columns the model reads only for bidders of one role
_ROLE_COLUMNS = {col: role for role, col in spec.CONFIG_SOURCES.values()}
#: columns a data set with ``missing_covariates=True`` may leave empty (imputed)
IMPUTABLE = {"organisations": tuple(_ROLE_COLUMNS), "doctors": spec.CAPITAL}

DIRECTOR_ROLES = spec.DIRECTOR_ROLES
ALLOCATION_ROLES = ("host", "centre", *DIRECTOR_ROLES)
#: columns of the first schema version, and what replaced them
_OLD_COLUMNS = {
    ("regions", "bloc_power"): "the bloc's power now comes from the management group's "
                               "vote: add a members table and a quota column in regions",
    ("organisations", "loss"): "work lost under every configuration is computed from "
                               "trauma_volume: add a trauma_volume column",
}

_TRUE = {"1", "true", "t", "yes", "y", "1.0"}
_FALSE = {"0", "false", "f", "no", "n", "0.0", ""}


# ----------------------------------------------------------------- arrays
@dataclass(frozen=True, eq=False)
class StructuralArrays:
    r"""The compiled arrays of a data set for the structural likelihood.

    ``design`` holds the regions' configurations, management groups and
    candidates and ``obs`` the observed outcomes, both built by
    :mod:`gametheory.restratification.spec` (the one builder); the groups are the
    regions' network types (hierarchical model).

    Attributes
    ----------
    design : gametheory.restratification.spec.Design
    obs : gametheory.restratification.spec.Observations
    group_names : tuple of str
    group_idx : (G,) int
        Index of each region's network type in ``group_names``.
    frames : dict of DataFrame
        The validated tables the arrays were built from (kept to save a fit).
    """

    design: spec.Design
    obs: spec.Observations
    group_names: tuple[str, ...]
    group_idx: np.ndarray
    frames: Mapping[str, pd.DataFrame]

    @property
    def region_names(self) -> tuple[str, ...]:
        return self.design.region_names

    @property
    def n_regions(self) -> int:
        return self.design.n_regions

    @property
    def cfg_chosen(self) -> np.ndarray:
        return self.obs.cfg_chosen


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
_IDS = {"region": str, "organisation": str, "doctor": str, "holder": str, "member": str}


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
        if df.empty and frame in OPTIONAL_FRAMES:
            return df      # an optional table left empty (e.g. the template's votes.csv)
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
        Tables described in the module docstring (in the first version's order).
    members : pandas.DataFrame
        The management group of every region (required: data without it are refused
        with a message saying what to add).
    votes : pandas.DataFrame, optional
        Observed votes on the chosen configurations.
    source : str, optional
        Where the data came from (shown in error messages and summaries). Every
        table is copied; the caller's frames are never modified.

    Raises
    ------
    DataValidationError
        Listing every problem found, by frame, row and column.

    Examples
    --------
    >>> import pandas as pd
    >>> from estimation import AllocationData
    >>> regions = pd.DataFrame({"region": ["r1"], "quota": [3]})
    >>> orgs = pd.DataFrame({
    ...     "region": "r1", "organisation": ["T", "N", "D"],
    ...     "kind": ["teaching", "non_teaching", "district"],
    ...     "track_record": [0.8, 0.7, 0.5], "performance": [0.7, 0.7, 0.6],
    ...     "specialist_breadth": [0.9, 0.2, 0.4], "n_super_specialist": [2, 0, 0],
    ...     "trauma_volume": [800, 0, 300], "portfolio_roles": [None, None, 2]})
    >>> docs = pd.DataFrame({
    ...     "region": "r1", "doctor": ["a", "b", "c", "d"], "organisation": ["T", "T", "N", "D"],
    ...     "cultural": [0.9, 0.5, 0.8, 0.3], "social": [0.8, 0.4, 0.9, 0.3],
    ...     "symbolic": [0.7, 0.5, 0.9, 0.2], "multiplex": [1, 0, 1, 0],
    ...     "endorsed": [1, 0, 1, 0]})
    >>> bids = pd.DataFrame({"region": "r1", "organisation": ["T", "T", "N"],
    ...                      "role": ["host", "centre", "host"]})
    >>> members = pd.DataFrame({"region": "r1", "member": ["chair", "T rep", "D rep"],
    ...                         "organisation": ["", "T", "D"], "weight": [2, 1, 1],
    ...                         "bloc": [False, False, True]})
    >>> alloc = pd.DataFrame({"region": "r1", "role": ["host", "centre", "centre_director"],
    ...                       "holder": ["N", "T", "a"]})
    >>> data = AllocationData(regions, orgs, docs, bids, alloc, members)
    >>> data.arrays().design.cfg_mask.sum(), data.arrays().cfg_chosen.tolist()
    (np.int64(2), [1])
    >>> bad = members.assign(weight=[2, 1.5, -1])
    >>> AllocationData(regions, orgs, docs, bids, alloc, bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    estimation.errors.DataValidationError: data='<AllocationData>': 3 problems:...
    """

    def __init__(self, regions: pd.DataFrame, organisations: pd.DataFrame,
                 doctors: pd.DataFrame, bids: pd.DataFrame, allocations: pd.DataFrame,
                 members: pd.DataFrame | None = None, votes: pd.DataFrame | None = None,
                 alternatives: pd.DataFrame | None = None, *, source: str = "",
                 missing_covariates: bool = False) -> None:
        self.source = source
        self.missing_covariates = bool(missing_covariates)
        #: true parameters when the data were simulated (see :func:`estimation.simulate`)
        self.truth: dict[str, float] | None = None
        self.params: Any = None
        frames = {"regions": regions, "organisations": organisations, "doctors": doctors,
                  "bids": bids, "members": members, "allocations": allocations,
                  "votes": votes, "alternatives": alternatives}
        for name, df in frames.items():
            if df is None:
                continue
            if not isinstance(df, pd.DataFrame):
                raise InvalidTypeError(name, type(df).__name__, "not a pandas DataFrame",
                                       f"Give {name} as a DataFrame with columns "
                                       f"{list(SCHEMA[name])}")
        clean, problems = _validate(frames, self.missing_covariates)
        if problems:
            raise DataValidationError("data", problems, source)
        for f in (*FRAMES, *OPTIONAL_FRAMES):
            setattr(self, f, clean[f])

    regions: pd.DataFrame
    organisations: pd.DataFrame
    doctors: pd.DataFrame
    bids: pd.DataFrame
    members: pd.DataFrame
    allocations: pd.DataFrame
    votes: pd.DataFrame
    alternatives: pd.DataFrame

    # ---------------------------------------------------------- basics
    @property
    def n_regions(self) -> int:
        return len(self.regions)

    @property
    def has_votes(self) -> bool:
        return len(self.votes) > 0

    @property
    def sampled(self) -> bool:
        """Whether the configurations are a sample (winner-only data, ``alternatives``)."""
        return len(self.alternatives) > 0

    def _missing_read(self) -> dict[str, int]:
        """Missing covariates the model reads, by ``table.column``: bidders' covariates of
        the role that reads them, candidates' (not opinion leaders') capital."""
        out: dict[str, int] = {}
        org = self.organisations
        for col, role in _ROLE_COLUMNS.items():
            b = self.bids[self.bids["role"] == role]
            bids = pd.MultiIndex.from_frame(b[["region", "organisation"]])
            keys = pd.MultiIndex.from_frame(org[["region", "organisation"]])
            n = int((org[col].isna().to_numpy() & keys.isin(bids)).sum())
            if n:
                out[f"organisations.{col}"] = n
        doc = self.doctors[~self.doctors["opinion_leader"].astype(bool)]
        for col in spec.CAPITAL:
            n = int(doc[col].isna().sum())
            if n:
                out[f"doctors.{col}"] = n
        return out

    @property
    def n_missing(self) -> int:
        """Number of missing covariates the model reads (imputed by the Bayesian model)."""
        return sum(self._missing_read().values())

    def require_complete(self, what: str) -> None:
        """Refuse missing covariates where *what* cannot impute them."""
        if self.n_missing:
            from .errors import EstimationError

            where = [f"{k} ({n})" for k, n in self._missing_read().items()]
            raise EstimationError("data", self, f"has {self.n_missing} missing covariates "
                                  f"({', '.join(where)}), which {what} cannot impute",
                                  "Fit the Bayesian structural model (estimation.fit, "
                                  "which imputes them), or supply the values")

    def frames(self) -> dict[str, pd.DataFrame]:
        """Copies of the tables (``votes`` and ``alternatives`` only when present)."""
        out = {f: getattr(self, f).copy() for f in FRAMES}
        for f in OPTIONAL_FRAMES:
            if len(getattr(self, f)):
                out[f] = getattr(self, f).copy()
        return out

    def __repr__(self) -> str:
        a = self.arrays()
        return (f"AllocationData({self.n_regions} regions, "
                f"{int(a.design.cfg_mask.sum())} configurations, "
                f"{len(self.members)} management-group members, "
                f"{int(a.obs.director_mask.sum())} appointments, "
                f"{len(spec.observed_concessions(a.design, a.obs)['count'])} concession "
                f"counts" + (f", {int(a.obs.vote_mask.sum())} votes" if self.has_votes else "")
                + (f", from {self.source}" if self.source else "") + ")")

    def subset(self, regions: Iterable[str]) -> AllocationData:
        """The data of the named regions only."""
        keep = {str(r) for r in regions}
        parts = {f: getattr(self, f)[getattr(self, f)["region"].isin(keep)].reset_index(
            drop=True) for f in (*FRAMES, *OPTIONAL_FRAMES)}
        return AllocationData.from_frame(parts, source=self.source,
                                         missing_covariates=self.missing_covariates)

    @classmethod
    def concat(cls, parts: Sequence[AllocationData]) -> AllocationData:
        """Stack several data sets (region ids must be distinct)."""
        if not parts:
            raise InvalidTypeError("parts", parts, "no data sets", "Give at least one")
        return cls.from_frame({f: pd.concat([getattr(p, f) for p in parts], ignore_index=True)
                               for f in (*FRAMES, *OPTIONAL_FRAMES)},
                              missing_covariates=any(p.missing_covariates for p in parts))

    @classmethod
    def from_frame(cls, frames: Mapping[str, pd.DataFrame] | None = None, **kwargs: Any
                   ) -> AllocationData:
        """Build from a mapping ``{"regions": df, ...}`` and/or keyword frames."""
        got = dict(frames or {})
        got.update({k: v for k, v in kwargs.items() if k in (*FRAMES, *OPTIONAL_FRAMES)})
        source = kwargs.get("source", "")
        missing = [f for f in FRAMES if f not in got and f != "members"]
        if missing:
            raise InvalidTypeError("frames", sorted(got), f"missing table(s) {missing}",
                                   f"Give all of {list(FRAMES)}")
        return cls(got["regions"], got["organisations"], got["doctors"], got["bids"],
                   got["allocations"], got.get("members"), got.get("votes"),
                   got.get("alternatives"), source=source,
                   missing_covariates=bool(kwargs.get("missing_covariates", False)))

    @classmethod
    def from_long(cls, frame: Any, **kwargs: Any) -> AllocationData:
        """Build from long-format data: one row per region and configuration, a chosen flag.

        See :func:`estimation.longdata.from_long` for the arguments (the
        organisations and the management groups, optional doctors, regions,
        votes and bids; ``columns=`` maps names; CSV, Parquet and Stata files
        with ``missing_codes=``; winner-only data with ``bids=`` and ``sample=``;
        ``missing="refuse"`` or ``"impute"``).

        Examples
        --------
        >>> from estimation.datasets import load_case
        >>> case = load_case()
        >>> AllocationData.from_long(**case.to_long()).n_regions
        1
        """
        from .longdata import from_long

        return from_long(frame, **kwargs)

    def to_long(self) -> dict[str, pd.DataFrame]:
        """The long form (:func:`estimation.longdata.to_long`): ``frame`` and the other
        tables, so that ``AllocationData.from_long(**data.to_long())`` gives these data."""
        from .longdata import to_long

        return to_long(self)

    from_frames = from_frame

    # ------------------------------------------------------------- IO
    @classmethod
    def from_csv(cls, path: str | Path) -> AllocationData:
        """Read ``regions.csv``, ``organisations.csv``, ... (and ``votes.csv`` if present).

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
        problems = []
        for f in FRAMES:
            if not (p / f"{f}.{fmt}").is_file():
                fix = (f"Write the {f} table to {f}.{fmt}" if f != "members" else
                       f"Add {f}.{fmt} (region, member, organisation, weight, bloc: each "
                       "region's management group) and a quota column in regions")
                problems.append(Problem(f"{f}.{fmt}", None, None, str(p / f"{f}.{fmt}"),
                                        "is missing", fix))
        if problems:
            raise DataValidationError("path", problems, str(p))
        frames: dict[str, pd.DataFrame] = {}
        for f in (*FRAMES, *OPTIONAL_FRAMES):
            fp = p / f"{f}.{fmt}"
            if f in OPTIONAL_FRAMES and not fp.is_file():
                continue
            got = _read_table(fp, f, fmt, problems)
            if got is not None:
                if f == "members" and "organisation" in got:
                    got["organisation"] = got["organisation"].fillna("")
                frames[f] = got
        if problems:
            raise DataValidationError("path", problems, str(p))
        return cls.from_frame(frames, source=str(p))

    def to_csv(self, path: str | Path) -> list[Path]:
        """Write the tables as CSV files into a folder (each written atomically),
        with a ``provenance.json`` sidecar (:mod:`gametheory.provenance`)."""
        return self._write_tables(path, "csv")

    def to_parquet(self, path: str | Path) -> list[Path]:
        """Write the tables as Parquet files (needs pyarrow), with a
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
        for f, df in self.frames().items():
            if fmt == "csv":
                data = df.to_csv(index=False, float_format="%.6g").encode()
            else:
                buf = io.BytesIO()
                df.to_parquet(buf, index=False)
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
        appointed directors; each committee hospital's ``portfolio_roles``,
        ``seat_roles`` and ``rotation_roles`` count the roles of its concession
        package.
        """
        from gametheory.fileio import decode_text, read_input_bytes
        from gametheory.restratification import Region

        items = [paths] if isinstance(paths, str | Path) else list(paths)
        tables: list[dict[str, pd.DataFrame]] = []
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
                committee = [o for o, L in losses.items() if L > 0 and o not in chosen]
                counts = {o: dict.fromkeys(ROLE_KINDS, 0) for o in committee}
                for pk in res.get("packages", []):
                    if pk["organisation"] in counts:
                        counts[pk["organisation"]][pk["kind"]] += 1
                tables.append(region_tables(
                    region, chosen, directors, counts,
                    tier_concentration=float(res["params"].get("tier_concentration", 0.5))))
            except (KeyError, TypeError, ValueError, RecursionError) as exc:
                problems.append(Problem("path", None, None, str(f),
                                        f"is not a readable restrat run result ({exc})",
                                        "Write it again with `restrat run --out DIR`"))
        if problems:
            raise DataValidationError("paths", problems, ", ".join(map(str, items)))
        return cls.from_frame({k: pd.concat([t[k] for t in tables], ignore_index=True)
                               for k in tables[0]}, source=", ".join(map(str, items)))

    # ----------------------------------------------------------- arrays
    def arrays(self) -> StructuralArrays:
        """The compiled arrays of the structural likelihood (computed once)."""
        return self._arrays

    @cached_property
    def _arrays(self) -> StructuralArrays:
        frames = {f: getattr(self, f) for f in (*FRAMES, *OPTIONAL_FRAMES)}
        design = spec.compile_design(frames)
        obs = spec.compile_observations(design, frames)
        groups = tuple(sorted(set(design.networks)))
        gidx = np.array([groups.index(n) for n in design.networks], dtype=np.int64)
        return StructuralArrays(design, obs, groups, gidx, frames)

    def choice_sets(self, role: str = "configuration") -> ChoiceSets:
        """Choice situations of one role for a reduced-form conditional logit.

        Parameters
        ----------
        role : {"configuration", "host", "centre", "network_director", "centre_director",
                "directors"}
            ``configuration``: alternatives are the (host, centre) pairs with
            the configuration features and the concentration :math:`k(c)` as
            covariates (a reduced form: no vote); ``host``/``centre``: the bidders
            for that role with their organisation covariates; the director roles:
            candidate doctors with their appointment features (``directors``
            pools both).
        """
        self.require_complete("a conditional logit")
        return _choice_sets(self, role)


def _need_pyarrow(what: str) -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise MissingDependencyError(
            "format", "parquet", f"{what} needs pyarrow, which is not installed",
            "pip install pyarrow, or use CSV (from_csv/to_csv)") from None


# ------------------------------------------------------------- validation
def _validate(frames: dict[str, pd.DataFrame], missing_covariates: bool = False
              ) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    problems: list[Problem] = []
    clean: dict[str, pd.DataFrame] = {}
    frames = dict(frames)
    for f in OPTIONAL_FRAMES:
        if frames.get(f) is None:
            frames[f] = pd.DataFrame(columns=list(SCHEMA[f]))
    imputable = {(t, c) for t, cols in IMPUTABLE.items() for c in cols}
    if frames["members"] is None:
        problems.append(Problem(
            "members", None, None, None, "table is missing (the vote model needs each "
            "region's management group)",
            "add a members table (region, member, organisation, weight, bloc) and a quota "
            "column in regions; a bloc_power number is no longer read"))
        frames["members"] = pd.DataFrame(columns=list(SCHEMA["members"]))
    if "concession_roles" in frames["organisations"].columns:
        problems.append(Problem(
            "organisations", None, "concession_roles", list(frames["organisations"].columns),
            "is a total count of concession roles, which the committee model does not score",
            "give the roles of each kind a hospital holds: "
            + ", ".join(spec.CONCESSION_COLUMNS) + " (empty = not observed)"))
    for (name, col), why in _OLD_COLUMNS.items():
        df = frames[name]
        new_cols = {"regions": "quota", "organisations": "trauma_volume"}
        if col in df.columns and new_cols[name] not in df.columns:
            problems.append(Problem(name, None, col, list(df.columns),
                                    "is a column of the first data schema", why))
    for name in (*FRAMES, *OPTIONAL_FRAMES):
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
                    if (kind == "float" and not cols[col][1] and _is_missing(cols[col][2])
                            and _is_missing(v)):
                        continue
                    if name == "organisations" and col in _ROLE_COLUMNS and _is_missing(v):
                        continue        # checked against the bids (_cross_checks)
                    if missing_covariates and (name, col) in imputable and _is_missing(v):
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
                    if b is None and _is_missing(v) and not cols[col][1]:
                        b = bool(cols[col][2])
                    if b is None:
                        problems.append(Problem(name, i, col, v, "is not true/false",
                                                "use 0/1 or true/false"))
                        b = False
                    bl.append(b)
                out[col] = np.asarray(bl, dtype=bool)
        clean[name] = out
    if any(p.row is None for p in problems):
        return clean, problems  # cross-table checks need every table and column
    problems += _cross_checks(clean, missing_covariates)
    return clean, problems


def _cross_checks(t: dict[str, pd.DataFrame], missing_covariates: bool = False
                  ) -> list[Problem]:
    P: list[Problem] = []
    reg, org, doc, bid, mem, alloc, vot, alt = (t[f] for f in (*FRAMES, *OPTIONAL_FRAMES))
    # regions
    for i in np.flatnonzero(reg["region"].duplicated().to_numpy()):
        P.append(Problem("regions", int(i), "region", reg.at[i, "region"], "is duplicated",
                         "give each region one row"))
    for col in ("tier_concentration", "unit_retained", "lower_retained"):
        v = reg[col].to_numpy()
        for i in np.flatnonzero(np.isfinite(v) & ((v < 0) | (v > 1))):
            P.append(Problem("regions", int(i), col, v[i], "is outside [0, 1]",
                             "give a share between 0 and 1"))
    for i, (net, ur, lr) in enumerate(zip(reg["network"], reg["unit_retained"],
                                          reg["lower_retained"], strict=True)):
        if np.isfinite(ur) and np.isfinite(lr):
            continue
        try:
            roles = roles_by_name(net or "trauma")
        except ValueError:
            continue                        # reported below
        if not np.isfinite(ur):
            reg.at[i, "unit_retained"] = roles.unit_retained
        if not np.isfinite(lr):
            reg.at[i, "lower_retained"] = roles.lower_retained
    for col in [f"{k}_value" for k in ROLE_KINDS] + ["rehabilitation_return"]:
        v = reg[col].to_numpy(dtype=float)
        for i in np.flatnonzero(np.isfinite(v) & (v < 0)):
            P.append(Problem("regions", int(i), col, v[i], "is negative",
                             "give a value >= 0 (value units), or leave it empty"))
    cq = reg["committee_quota"].to_numpy(dtype=float)
    for i in np.flatnonzero(np.isfinite(cq) & ((cq <= 0) | (cq > 1))):
        P.append(Problem("regions", int(i), "committee_quota", cq[i], "is outside (0, 1]",
                         "give the share of the committee's votes a division needs (1: "
                         "unanimity), or leave it empty"))
    for i, net in enumerate(reg["network"]):
        try:
            roles_by_name(net or "trauma")
        except ValueError:
            P.append(Problem("regions", i, "network", net, "is not a known network type, so "
                             "the concession pool and its portfolios are unknown",
                             "use network trauma, stroke or cancer"))
    regions = set(reg["region"])
    for name, df in (("organisations", org), ("doctors", doc), ("bids", bid),
                     ("members", mem), ("allocations", alloc), ("votes", vot),
                     ("alternatives", alt)):
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
    for col in ("trauma_volume", "n_super_specialist"):
        v = org[col].to_numpy()
        for i in np.flatnonzero(np.isfinite(v) & (v < 0)):
            P.append(Problem("organisations", int(i), col, v[i], "is negative",
                             "give a value >= 0"))
    orgkeys = set(zip(org["region"], org["organisation"], strict=True))
    kind_of = dict(zip(zip(org["region"], org["organisation"], strict=True), org["kind"],
                       strict=True))
    # doctors
    for i in np.flatnonzero(doc.duplicated(["region", "doctor"]).to_numpy()):
        P.append(Problem("doctors", int(i), "doctor", doc.at[i, "doctor"],
                         "is duplicated within its region", "give each doctor one row"))
    for col in spec.CAPITAL:
        v = doc[col].to_numpy()
        for i in np.flatnonzero(np.isfinite(v) & (v < 0)):
            P.append(Problem("doctors", int(i), col, v[i], "capital is negative",
                             "give capital >= 0"))
    for name, df, col in (("doctors", doc, "organisation"), ("bids", bid, "organisation")):
        for i, (r, o) in enumerate(zip(df["region"], df[col], strict=True)):
            if r in regions and (r, o) not in orgkeys:
                P.append(Problem(name, i, col, o, f"is an unknown organisation in region {r!r}",
                                 "add it to the organisations table or fix the name"))
    # management groups and quotas
    P += _member_checks(reg, mem, vot, orgkeys, kind_of, regions)
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
    # covariates the model reads: those of the bidders for the role that reads them
    for col, role in _ROLE_COLUMNS.items():
        v = org[col].to_numpy()
        for i in np.flatnonzero(~np.isfinite(v)):
            r, o = org.at[i, "region"], org.at[i, "organisation"]
            if o in bidders.get((r, role), set()) and not missing_covariates:
                P.append(Problem("organisations", int(i), col, None,
                                 f"is missing, and {o!r} bids for {role!r} (the model reads "
                                 "it)", "give the value (or read the data with "
                                 "missing='impute' to impute it in the Bayesian model)"))
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
    P += _alternative_checks(alt, bidders, chosen, regions)
    # concession counts belong to the committee (hospitals that lose work under the
    # allocation and hold neither role), and a region's counts of a kind fit in its pool
    rr = reg.set_index("region")
    cols = spec.CONCESSION_COLUMNS
    held: dict[tuple[str, int], float] = {}
    for i in np.flatnonzero(np.isfinite(org[list(cols)].to_numpy(dtype=float)).any(axis=1)):
        r, o = org.at[i, "region"], org.at[i, "organisation"]
        if (r not in rr.index or (r, "centre") not in chosen or (r, "host") not in chosen
                or not np.isfinite(org.at[i, "trauma_volume"])):
            continue
        lost = spec.work_lost(org.at[i, "trauma_volume"], o == chosen[(r, "centre")],
                              org.at[i, "kind"] == "ambulance",
                              bool(org.at[i, "can_be_trauma_unit"]),
                              rr.at[r, "unit_retained"], rr.at[r, "lower_retained"])
        on = lost > 0 and o not in (chosen[(r, "host")], chosen[(r, "centre")])
        for k, col in enumerate(cols):
            n = org.at[i, col]
            if not np.isfinite(n):
                continue
            held[(r, k)] = held.get((r, k), 0.0) + float(n)
            if not on and n > 0:
                P.append(Problem("organisations", int(i), col, n,
                                 "is positive for an organisation not on the concession "
                                 "committee (it loses no work under the observed allocation, "
                                 "or it is the host or the centre)",
                                 "give concessions only to the committee's hospitals, or "
                                 "leave it empty"))
    for (r, k), total in held.items():
        kind = ROLE_KINDS[k]
        pool = _pool_size(rr.loc[r], kind)
        if pool is not None and total > pool:
            P.append(Problem("organisations", None, cols[k], total,
                             f"region {r!r}: the hospitals hold {total:g} {kind} roles, "
                             f"more than the pool of {pool:g}",
                             f"check the counts, or give the pool in regions.{kind}_pool"))
    return P


def _alternative_checks(alt: pd.DataFrame, bidders: Mapping[tuple[str, str], set[str]],
                        chosen: Mapping[tuple[str, str], str], regions: set[str]
                        ) -> list[Problem]:
    """A sample of configurations: pairs of bidders, listed once, the chosen one among them."""
    P: list[Problem] = []
    if not len(alt):
        return P
    for i in np.flatnonzero(alt.duplicated(["region", "host", "centre"]).to_numpy()):
        P.append(Problem("alternatives", int(i), "host", alt.at[i, "host"],
                         "lists a configuration a second time", "keep one row per "
                         "configuration (repeated draws are counted in the offset)"))
    for i, (r, h, m, off) in enumerate(zip(alt["region"], alt["host"], alt["centre"],
                                           alt["offset"], strict=True)):
        if r not in regions:
            continue
        for col, o, role in (("host", h, "host"), ("centre", m, "centre")):
            if o not in bidders.get((r, role), set()):
                P.append(Problem("alternatives", i, col, o, f"did not bid for {role!r} in "
                                 f"region {r!r}", "sample pairs of bidders only"))
        if not np.isfinite(off):
            P.append(Problem("alternatives", i, "offset", off, "is not a finite number",
                             "give log(draws) - log(sampling probability)"))
    have = set(zip(alt["region"], alt["host"], alt["centre"], strict=True))
    for r in sorted(regions):
        if r not in set(alt["region"]):
            P.append(Problem("alternatives", None, "region", r, "region has no sampled "
                             "configurations", "sample every region's configurations, or "
                             "none"))
        elif (r, "host") in chosen and (r, chosen[(r, "host")], chosen.get((r, "centre"))) \
                not in have:
            P.append(Problem("alternatives", None, "region", r, "the chosen configuration "
                             "is not among the region's sampled ones",
                             "include the chosen configuration"))
    return P


def _pool_size(row: pd.Series, kind: str) -> float | None:
    """Roles of *kind* in a region's pool (None: the seat pool follows the committee)."""
    v = row.get(f"{kind}_pool", np.nan)
    if v is not None and np.isfinite(float(v)):
        n = float(v)
    else:
        roles = roles_by_name(str(row.get("network", "trauma")))
        n = float({"portfolio": len(roles.portfolios), "seat": roles.seat_pool,
                   "rotation": roles.rotation_pool}[kind])
    return None if kind == "seat" and n == 0 else n


def _member_checks(reg: pd.DataFrame, mem: pd.DataFrame, vot: pd.DataFrame,
                   orgkeys: set[tuple[str, str]], kind_of: Mapping[tuple[str, str], str],
                   regions: set[str]) -> list[Problem]:
    """Management groups: members, whole-number weights, quotas, blocs, observed votes."""
    P: list[Problem] = []
    for i in np.flatnonzero(mem.duplicated(["region", "member"]).to_numpy()):
        P.append(Problem("members", int(i), "member", mem.at[i, "member"],
                         "is duplicated within its region", "give each member one row"))
    w = mem["weight"].to_numpy()
    for i in np.flatnonzero(np.isfinite(w) & (w < 0)):
        P.append(Problem("members", int(i), "weight", w[i], "is negative",
                         "give a weight >= 0 (0 = a member without a vote)"))
    for i in np.flatnonzero(np.isfinite(w) & (w >= 0) & (w != np.round(w))):
        P.append(Problem("members", int(i), "weight", w[i], "is not a whole number",
                         "votes are counted in whole units: scale the weights to integers "
                         "(e.g. 0.5/1.5 -> 1/3) and the quota with them"))
    bloc_kind = dict(zip(reg["region"], reg["bloc_kind"], strict=True))
    for i, (r, m, o, b) in enumerate(zip(mem["region"], mem["member"], mem["organisation"],
                                         mem["bloc"], strict=True)):
        if r not in regions:
            continue
        if o and (r, o) not in orgkeys:
            P.append(Problem("members", i, "organisation", o,
                             f"is an unknown organisation in region {r!r}",
                             "name an organisation of the organisations table, or leave it "
                             "empty for commissioners"))
        elif b:
            want = bloc_kind.get(r, "district") or "district"
            if not o:
                P.append(Problem("members", i, "bloc", b, f"member {m!r} is in the bloc but "
                                 "represents no organisation",
                                 "give the organisation it represents, or bloc = false"))
            elif want != "any" and kind_of.get((r, o)) != want:
                P.append(Problem("members", i, "bloc", b,
                                 f"member {m!r} is in the bloc but represents {o!r}, a "
                                 f"{kind_of.get((r, o))} organisation, not a {want} one",
                                 f"set bloc = false, or bloc_kind = 'any' in regions if the "
                                 f"bloc of region {r!r} is not only {want} hospitals"))
    tot = mem.groupby("region")["weight"].sum()
    for i, (r, q) in enumerate(zip(reg["region"], reg["quota"], strict=True)):
        if r not in set(mem["region"]):
            P.append(Problem("members", None, "region", r, "region has no management-group "
                             "members", f"add the members of region {r!r} (region, member, "
                             "organisation, weight, bloc)"))
            continue
        W = float(tot.get(r, 0.0))
        if np.isfinite(q) and not 0 < q <= W:
            P.append(Problem("regions", i, "quota", q, f"must lie in (0, {W:g}] (the total "
                             "weight of the region's members)",
                             "give the weight a decision needs, at most the total weight"))
    # votes
    if len(vot):
        known = set(zip(mem["region"], mem["member"], strict=True))
        for i in np.flatnonzero(vot.duplicated(["region", "member"]).to_numpy()):
            P.append(Problem("votes", int(i), "member", vot.at[i, "member"],
                             "voted twice", "keep one vote per member and region"))
        for i, (r, m) in enumerate(zip(vot["region"], vot["member"], strict=True)):
            if r in regions and (r, m) not in known:
                P.append(Problem("votes", i, "member", m,
                                 f"is not a member of region {r!r}'s management group",
                                 "name a member of the members table"))
        wmap = dict(zip(zip(mem["region"], mem["member"], strict=True), mem["weight"],
                        strict=True))
        qmap = dict(zip(reg["region"], reg["quota"], strict=True))
        for r, grp in vot.groupby("region"):
            if r not in qmap:
                continue
            against = sum(wmap.get((r, m), 0.0) for m, v in zip(grp["member"], grp["vote"],
                                                                strict=True) if not v)
            if float(tot.get(r, 0.0)) - against < qmap[r]:
                P.append(Problem("votes", int(grp.index[0]), "vote", f"{against:g} against",
                                 f"the observed votes of region {r!r} already block the "
                                 "chosen configuration (it could not have passed)",
                                 "check the votes: they are votes on the chosen configuration"))
    return P


# --------------------------------------------------------------- arrays
def _slots(keys: pd.Series) -> np.ndarray:
    return keys.groupby(keys, sort=False).cumcount().to_numpy()


def _choice_sets(data: AllocationData, role: str) -> ChoiceSets:
    from .errors import EstimationError

    roles = ("configuration", "host", "centre", "network_director", "centre_director",
             "directors")
    if role not in roles:
        raise EstimationError("role", role, "unknown role", f"Use one of {list(roles)}")
    a = data.arrays()
    d, o = a.design, a.obs
    G = a.n_regions
    if role == "configuration":
        x = np.concatenate([d.cfg_x, d.cfg_k[..., None]], axis=2)
        rows = np.arange(G)[:, None]
        alts = np.where(d.cfg_mask, d.org_names[rows, d.cfg_host] + " | "
                        + d.org_names[rows, d.cfg_centre], "")
        return ChoiceSets(role, x, d.cfg_mask.copy(), o.cfg_chosen.copy(),
                          (*spec.CONFIG_FEATURES, "concentration"), alts, np.arange(G))
    if role in ("host", "centre"):
        org = data.organisations.set_index(["region", "organisation"])
        b = data.bids[data.bids["role"] == role].drop_duplicates(["region", "organisation"])
        rid = {r: i for i, r in enumerate(a.region_names)}
        b = b.assign(g=b["region"].map(rid)).sort_values("g", kind="stable")
        slot = _slots(b["g"])
        J = int(slot.max()) + 1
        names = tuple(dict.fromkeys(c for _, c in spec.CONFIG_SOURCES.values()))
        x = np.zeros((G, J, len(names)))
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
    sit = spec.observed_situations(d, o)
    sel = (np.ones(len(sit["role"]), dtype=bool) if role == "directors"
           else sit["role"] == DIRECTOR_ROLES.index(role))
    return ChoiceSets(role, sit["z"][sel], sit["mask"][sel], sit["chosen"][sel],
                      spec.APPOINTMENT_FEATURES, sit["names"][sel], sit["region"][sel])


# -------------------------------------------------------- from a Region
def region_tables(region: Any, chosen: tuple[str, str] | None,
                  directors: Mapping[str, str | None] | None = None,
                  concessions: Mapping[str, Mapping[str, int]] | None = None, *,
                  tier_concentration: float = 0.5, name: str | None = None,
                  votes: Mapping[str, bool] | None = None) -> dict[str, pd.DataFrame]:
    """The tables of one :class:`~gametheory.restratification.Region` and its outcome.

    The region's description comes from :func:`gametheory.restratification.spec.region_frames`;
    ``chosen`` is the observed (host, centre); ``directors`` maps
    ``network_director``/``centre_director`` to a doctor's name;
    ``concessions`` maps organisations to their counts of each kind of role
    (``{"portfolio": 2, "seat": 1, "rotation": 0}``; organisations or kinds not
    given are not observed); ``votes`` maps members to their observed vote.
    """
    rname = name or region.name
    out = spec.region_frames([region], names=[rname], tier_concentration=tier_concentration)
    conc = dict(concessions or {})
    for kind, col in zip(ROLE_KINDS, spec.CONCESSION_COLUMNS, strict=True):
        out["organisations"][col] = [float(conc[o].get(kind, np.nan)) if o in conc else np.nan
                                     for o in out["organisations"]["organisation"]]
    alloc = []
    if chosen is not None:
        alloc += [{"region": rname, "role": "host", "holder": chosen[0]},
                  {"region": rname, "role": "centre", "holder": chosen[1]}]
    for role in DIRECTOR_ROLES:
        h = (directors or {}).get(role)
        if h is not None:
            alloc.append({"region": rname, "role": role, "holder": h})
    out["allocations"] = pd.DataFrame(alloc, columns=list(SCHEMA["allocations"]))
    out["votes"] = pd.DataFrame([{"region": rname, "member": m, "vote": bool(v)}
                                 for m, v in (votes or {}).items()],
                                columns=list(SCHEMA["votes"]))
    return out
