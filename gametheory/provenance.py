r"""Provenance of every file the package writes: who wrote it, from what, when.

:func:`provenance` returns one flat, JSON-ready record: the package and its
version, the Python version, the UTC time of writing, the parameters, the seed
and a hash of the scenario (or data) the output was computed from. Writers put
it in ``result.json`` (``"meta"``), in a ``provenance.json`` sidecar beside the
CSV and Parquet tables they write, in the attributes of saved NetCDF
posteriors and in the sweep manifest, so a result found on disk can be traced
to the run that made it.

:func:`content_hash` is the SHA-256 (first 16 hex digits) of the canonical
JSON of an object (keys sorted), so the same scenario gives the same hash on
every machine and any change to it gives another.

Examples
--------
>>> p = provenance(parameters={"beta": 1.5}, seed=3, scenario={"name": "x"})
>>> p["package"], p["seed"], p["parameters"]
('restrat', 3, {'beta': 1.5})
>>> p["scenario_hash"] == content_hash({"name": "x"}) != content_hash({"name": "y"})
True
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["provenance", "content_hash", "write_sidecar", "SIDECAR"]

#: name of the provenance file written beside tables (CSV, Parquet)
SIDECAR = "provenance.json"


def _plain(obj: Any) -> Any:
    """JSON-ready copy (numpy scalars and arrays, tuples, paths become plain types)."""
    return json.loads(json.dumps(obj, default=_default, sort_keys=True))


def _default(o: Any) -> Any:
    if hasattr(o, "tolist"):
        return o.tolist()
    if hasattr(o, "item"):
        return o.item()
    if isinstance(o, set | frozenset):
        return sorted(o, key=str)
    return str(o)


def content_hash(obj: Any) -> str:
    """SHA-256 (16 hex digits) of the canonical JSON of *obj* (sorted keys)."""
    text = json.dumps(obj, default=_default, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def provenance(*, parameters: Mapping[str, Any] | None = None, seed: Any = None,
               scenario: Any = None, scenario_name: str | None = None,
               **extra: Any) -> dict[str, Any]:
    """The provenance record of one output.

    Parameters
    ----------
    parameters : mapping, optional
        The model or method parameters the output was computed with.
    seed : int, optional
        The seed (``None`` when the computation is deterministic).
    scenario : object, optional
        The scenario or data (anything JSON-serialisable, e.g. ``Region.to_dict()``);
        only its :func:`content_hash` is recorded.
    scenario_name : str, optional
    **extra
        Further JSON-ready fields (e.g. ``command="restrat fit"``).

    Returns
    -------
    dict
        ``package``, ``version``, ``python``, ``created`` (UTC, ISO 8601),
        ``parameters``, ``seed``, ``scenario``, ``scenario_hash`` and *extra*.
    """
    from . import __version__

    rec: dict[str, Any] = {
        "package": "restrat", "version": __version__,
        "python": platform.python_version(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameters": _plain(dict(parameters)) if parameters is not None else None,
        "seed": _plain(seed),
        "scenario": scenario_name,
        "scenario_hash": content_hash(scenario) if scenario is not None else None,
    }
    rec.update(_plain(extra))
    return rec


def write_sidecar(folder: str | Path, record: Mapping[str, Any],
                  files: list[Path] | list[str]) -> Path:
    """Write ``provenance.json`` into *folder*: *record* plus the names of *files*."""
    from .fileio import atomic_write_bytes

    out = Path(folder) / SIDECAR
    body = {"provenance": dict(record), "files": sorted(Path(f).name for f in files)}
    atomic_write_bytes(out, json.dumps(body, indent=2, default=_default).encode())
    return out
