"""Fuzzing the input boundary: malformed scenario files, parameter strings and data tables
generated from the schemas (the scenario field rules, the parameter range table, the data
table schema). Each must give exit code 2 with the offending input named, no traceback,
and nothing written. Bounded example counts keep the default suite short.
"""

from __future__ import annotations

import contextlib
import io
import math
import tempfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estimation.data import SCHEMA, AllocationData
from estimation.errors import DataValidationError
from gametheory.restratification import ModelParameters, Region, scenarios
from gametheory.restratification.actors import (
    Bid,
    Doctor,
    Member,
    Organisation,
    RoleSet,
    Rule,
    ScenarioError,
    field_rules,
)
from gametheory.restratification.model import (
    PARAMETER_CHOICES,
    PARAMETER_RANGES,
    PARAMETER_VECTORS,
    ParameterError,
)
from restrat.cli import main

FUZZ = settings(max_examples=int(__import__("os").environ.get("RESTRAT_FUZZ", 30)), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

CASE = scenarios.load("case-region").to_dict()
#: the lists of a scenario file, their entry class and where they sit
LISTS = {"organisations": (Organisation, ("organisations",)),
         "doctors": (Doctor, ("doctors",)),
         "bids": (Bid, ("bids",)),
         "management_group.members": (Member, ("management_group", "members"))}


def run_cli(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main([str(a) for a in args])
    assert "Traceback" not in err.getvalue() and "Traceback" not in out.getvalue()
    return rc, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------ bad values by rule
def _junk() -> st.SearchStrategy:
    return st.one_of(st.none(), st.lists(st.integers(), max_size=3),
                     st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def bad_values(rule: Rule) -> st.SearchStrategy:
    """Values a field with *rule* must refuse (wrong type, out of range, not finite)."""
    k = rule.kind
    if k in ("number", "whole"):
        outs = [st.text(max_size=8), st.booleans(), _junk(),
                st.sampled_from([math.nan, math.inf, -math.inf])]
        if k == "whole":     # a fractional value inside the range
            lo = rule.lo if rule.lo is not None else -1e6
            outs.append(st.floats(min_value=lo, max_value=lo + 1e3, allow_nan=False)
                        .filter(lambda x: x != round(x)))
        if rule.lo is not None:
            outs.append(st.floats(max_value=rule.lo, exclude_max=True, allow_nan=False,
                                  allow_infinity=False).filter(lambda x: x < rule.lo))
        if rule.hi is not None:
            outs.append(st.one_of(st.floats(min_value=rule.hi, exclude_min=True,
                                            allow_nan=False, allow_infinity=False),
                                  st.integers(min_value=int(rule.hi) + 1)))
        return st.one_of(*outs)
    if k == "boolean":
        return st.one_of(st.sampled_from(["false", "true", "no", "yes", "0", "1", "False"]),
                         st.integers(), st.floats(allow_nan=False), _junk())
    if k in ("text", "choice", "optional_text"):
        outs = [st.integers(), st.floats(), st.booleans(), st.lists(st.text(), max_size=2),
                st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.just("")]
        if k != "optional_text":
            outs.append(st.none())
        if k == "choice":
            outs.append(st.text(min_size=1).filter(lambda t: t not in rule.choices))
        return st.one_of(*outs)
    if k == "names":
        outs = [st.integers(), st.booleans(), st.dictionaries(st.text(max_size=3),
                                                                st.integers(), max_size=2),
                st.lists(st.integers(), min_size=1, max_size=3),
                st.just(["x", "x"])]
        if rule.choices:
            outs.append(st.lists(st.text(min_size=1).filter(lambda t: t not in rule.choices),
                                 min_size=1, max_size=2))
        return st.one_of(*outs)
    if k == "number_table":
        return st.one_of(st.text(), st.lists(st.integers(), max_size=2),
                         st.dictionaries(st.sampled_from(["a", "b"]), st.text(), min_size=1))
    raise AssertionError(k)


@st.composite
def malformed_scenario(draw) -> tuple[dict, str]:
    """The case region with one field of one entry replaced by a value its rule refuses."""
    import copy

    d = copy.deepcopy(CASE)
    where = draw(st.sampled_from([*LISTS, "roles", "top"]))
    if where == "top":
        name = draw(st.sampled_from(["name", "population"]))
        rule = Rule("text") if name == "name" else Rule("number", 0.0, 1e10)
        d[name] = draw(bad_values(rule))
        return d, name
    if where == "roles":
        rules = field_rules(RoleSet)
        name = draw(st.sampled_from(sorted(rules)))
        d["roles"][name] = draw(bad_values(rules[name]))
        d.pop("network", None)
        return d, f"roles.{name}"
    cls, keys = LISTS[where]
    entries = d
    for k in keys:
        entries = entries[k]
    i = draw(st.integers(0, len(entries) - 1))
    rules = field_rules(cls)
    name = draw(st.sampled_from(sorted(rules)))
    rule = rules[name]
    entries[i][name] = draw(bad_values(rule))
    return d, f"{where}[{i}].{name}"


@FUZZ
@given(malformed_scenario(), st.sampled_from(["yaml", "json"]))
def test_fuzz_malformed_scenario_files(case, fmt):
    data, path = case
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / f"s.{fmt}"
        if fmt == "yaml":
            f.write_text(yaml.safe_dump(data))
        else:
            import json

            f.write_text(json.dumps(data))       # NaN / Infinity are written as such
        with pytest.raises(ScenarioError) as err:
            Region.from_file(f)
        named = {p.path for p in err.value.problems}
        nonfinite_json = fmt == "json" and "is not a finite number" in str(err.value)
        assert nonfinite_json or any(p == path or p.startswith(path + "[") or
                                     p.startswith(path + ".") for p in named) or (
            # a broken name or reference is also reported where it is used
            path.endswith((".name", ".employer", ".organisation")) and named), (path, named)
        out = Path(tmp) / "out"
        rc, stdout, stderr = run_cli("run", f, "--out", out)
        assert rc == 2 and stdout == "" and stderr.startswith("restrat run: ")
        assert not out.exists()


# ------------------------------------------------------------------ parameter strings
_ACCEPTED = sorted({*PARAMETER_RANGES, *PARAMETER_CHOICES, "lambda"}
                   | {f"{v}_{e}" for v, es in PARAMETER_VECTORS.items() for e in es})


def _range_of(name: str) -> tuple[float, float]:
    """The finite closed part of a parameter's range (its ends may be open)."""
    base = "lam" if name == "lambda" else name.split("_")[0] if name.split("_")[0] in \
        PARAMETER_VECTORS else name
    r = PARAMETER_RANGES[base]
    lo = math.nextafter(r.lo, math.inf) if r.open_lo else r.lo
    hi = math.nextafter(r.hi, -math.inf) if r.open_hi else r.hi
    return lo, (hi if math.isfinite(hi) else 1e300)


@st.composite
def bad_param_string(draw) -> tuple[str, str]:
    name = draw(st.sampled_from([n for n in _ACCEPTED if n not in PARAMETER_CHOICES]))
    lo, hi = _range_of(name)
    value = draw(st.one_of(
        st.text(alphabet="abcdxyz_-!? ", min_size=1, max_size=6),
        st.sampled_from(["", "nan", "NaN", "-inf", "inf", "Infinity", "0x10", "1e999",
                         "1,2,3,4,5", "1..2", "--1", "1e", "٣"]),
        st.floats(max_value=lo, exclude_max=True, allow_nan=False, allow_infinity=False,
                  width=64).filter(lambda x: x < lo).map(repr),
        st.floats(min_value=hi, exclude_min=True, allow_nan=False, allow_infinity=False,
                  width=64).filter(lambda x: x > hi).map(repr),
    ))
    r = PARAMETER_RANGES["lam" if name == "lambda" else name.split("_")[0]
                         if name.split("_")[0] in PARAMETER_VECTORS else name]
    if r.infinite and value.lower().lstrip("+") in ("inf", "infinity", "1e999"):
        value = "nan"
    if name in PARAMETER_VECTORS and value.count(",") == len(PARAMETER_VECTORS[name]) - 1:
        value += ",1"            # a whole vector of the right length could be valid
    return name, f"{name}={value}"


@FUZZ
@given(bad_param_string())
def test_fuzz_bad_parameter_strings(case):
    name, item = case
    with pytest.raises(ParameterError) as err:
        ModelParameters.from_strings([item])
    assert any(p.path.split("[")[0] == name for p in err.value.problems)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        rc, stdout, stderr = run_cli("run", "case-region", "--param", item, "--out", out)
        assert rc == 2 and name in stderr and stdout == "" and not out.exists()


@FUZZ
@given(st.sampled_from([n for n in _ACCEPTED if n not in PARAMETER_CHOICES]), st.data())
def test_fuzz_valid_parameter_strings_are_read_exactly(name, data):
    lo, hi = _range_of(name)
    x = data.draw(st.floats(min_value=lo, max_value=hi, allow_nan=False))
    if name in PARAMETER_VECTORS:
        text = ",".join([repr(x)] * len(PARAMETER_VECTORS[name]))
    else:
        text = repr(x)
    p = ModelParameters.from_strings([f"{name}={text}"])
    base = "lam" if name == "lambda" else name
    if base in PARAMETER_VECTORS:
        assert getattr(p, base) == (x,) * len(PARAMETER_VECTORS[base])
    elif base.split("_")[0] in PARAMETER_VECTORS:
        vec, entry = base.split("_", 1)
        assert getattr(p, vec)[PARAMETER_VECTORS[vec].index(entry)] == x
    else:
        assert getattr(p, base) == x


# ------------------------------------------------------------------ data tables
_CASE_TABLES = None


def _case_tables() -> dict[str, pd.DataFrame]:
    global _CASE_TABLES
    if _CASE_TABLES is None:
        from estimation.datasets import load_case

        _CASE_TABLES = load_case().frames()
    return {k: v.copy() for k, v in _CASE_TABLES.items()}


_BAD_CELLS = {"float": ["abc", "inf", "-inf", "1.2.3", "true"],
              "count": ["-1", "1.5", "abc", "inf"],
              "bool": ["maybe", "2", "-1", "0.5", "yes please"],
              "id": [""]}


@st.composite
def bad_table_cell(draw) -> tuple[str, str, int, str]:
    # tables the case data have (optional ones such as sampled alternatives are absent)
    frame = draw(st.sampled_from([f for f in SCHEMA if f not in ("allocations", "votes")
                                  and f in _case_tables()]))
    cols = [c for c, (kind, required, _) in SCHEMA[frame].items()
            if kind in _BAD_CELLS and required]
    col = draw(st.sampled_from(cols))
    kind = SCHEMA[frame][col][0]
    n_rows = len(_case_tables()[frame])
    row = draw(st.integers(0, n_rows - 1))
    return frame, col, row, draw(st.sampled_from(_BAD_CELLS[kind]))


@FUZZ
@given(bad_table_cell())
def test_fuzz_bad_data_tables(case):
    import importlib

    frame, col, row, value = case
    tables = _case_tables()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir()
        for name, df in tables.items():
            df = df.astype(object)
            if name == frame:
                df.iloc[row, df.columns.get_loc(col)] = value
            df.to_csv(folder / f"{name}.csv", index=False)
        with pytest.raises(DataValidationError) as err:
            AllocationData.from_csv(folder)
        assert any(p.frame == frame for p in err.value.problems), err.value
        fit_mod = importlib.import_module("estimation.fit")
        real = fit_mod.fit

        def no_fit(*a, **k):
            raise AssertionError("fitted bad data")

        fit_mod.fit = no_fit
        try:
            out = Path(tmp) / "fit.nc"
            rc, stdout, stderr = run_cli("fit", folder, "--out", out)
        finally:
            fit_mod.fit = real
        assert rc == 2 and frame in stderr and not out.exists()


def test_schema_covers_every_field():
    # the fuzzers draw from these: every field of every scenario entry has a rule
    from dataclasses import fields

    for cls in (Organisation, Doctor, Bid, Member, RoleSet):
        assert set(field_rules(cls)) == {f.name for f in fields(cls)}, cls
    assert all(r.lo < r.hi for r in PARAMETER_RANGES.values())
