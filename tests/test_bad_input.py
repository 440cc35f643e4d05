"""A catalogue of malformed and extreme inputs: every one gives the package's own error
(exit code 2 on the command line, naming the input, the value and the fix) or a correct
result, never a traceback or a hang, and nothing is written for a refused input.

The randomised companion is ``test_fuzz_inputs.py``; saved posteriors are in
``test_estimation_fit.py`` (they need a fit), sweep folders in ``test_sweep_faults.py``.
"""

from __future__ import annotations

import copy
import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

import gametheory as gt
from gametheory.errors import InvalidArgumentError, OutputPathError
from gametheory.restratification import ModelParameters, Region, run, scenarios
from gametheory.restratification.actors import Doctor, Member, Organisation, ScenarioError
from gametheory.restratification.model import (
    PARAMETER_CHOICES,
    PARAMETER_RANGES,
    PARAMETER_VECTORS,
    ParameterError,
)
from restrat.cli import main

TH1 = "Northgate Teaching Hospital"


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run the command line in this process; no traceback may reach the user."""
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return rc, out, err


@pytest.fixture(scope="module")
def case_dict() -> dict:
    return scenarios.load("case-region").to_dict()


def _write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data, default=list))
    return path


# ------------------------------------------------------------------ scenario files
def _set(d: dict, where: tuple, value) -> dict:
    d = copy.deepcopy(d)
    target = d
    for k in where[:-1]:
        target = target[k]
    target[where[-1]] = value
    return d


def _bloc(d: dict, value) -> dict:
    d = copy.deepcopy(d)
    for m in d["management_group"]["members"]:
        if m["bloc"]:
            m["bloc"] = value
    return d


WRONG_TYPES = [
    # (description, mutation, the path the error must name)
    ("bids as a table", lambda d: _set(d, ("bids",), {"a": 1}), "bids"),
    ("bids as a list of lists", lambda d: _set(d, ("bids",), [[TH1, "host"]]), "bids[0]"),
    ("employer as a list", lambda d: _set(d, ("doctors", 0, "employer"), [TH1]),
     "doctors[0].employer"),
    ("expectations as text", lambda d: _set(d, ("expectations",), "host"), "expectations"),
    ("roles as a list", lambda d: _set(d, ("roles",), ["trauma"]), "roles"),
    ("network as a list", lambda d: _set({k: v for k, v in d.items() if k != "roles"},
                                         ("network",), ["trauma"]), "network"),
    ("member name as a list", lambda d: _set(d, ("management_group", "members", 0, "name"),
                                             ["a"]), "management_group.members[0].name"),
    ("population as text", lambda d: _set(d, ("population",), "three million"), "population"),
    ("population negative", lambda d: _set(d, ("population",), -5), "population"),
    ("weight beyond int64", lambda d: _set(d, ("management_group", "members", 0, "weight"),
                                           2**63 + 5), "management_group.members[0].weight"),
    ("weight with 400 digits", lambda d: _set(d, ("management_group", "members", 0, "weight"),
                                              10**400), "management_group.members[0].weight"),
    ("track record above 1", lambda d: _set(d, ("organisations", 0, "track_record"), 1.5),
     "organisations[0].track_record"),
    ("size as a boolean", lambda d: _set(d, ("organisations", 1, "size"), True),
     "organisations[1].size"),
    ("domains as a number", lambda d: _set(d, ("doctors", 2, "domains"), 3),
     "doctors[2].domains"),
    ("unknown domain", lambda d: _set(d, ("doctors", 2, "domains"), ["surgery"]),
     "doctors[2].domains[0]"),
    ("kind unknown", lambda d: _set(d, ("organisations", 3, "kind"), "clinic"),
     "organisations[3].kind"),
    ("duplicate bid", lambda d: _set(d, ("bids",), d["bids"] + [dict(d["bids"][0])]),
     "bids[5]"),
    ("bid for an undefined role", lambda d: _set(d, ("bids",), d["bids"] + [
        {"organisation": TH1, "role": "helipad"}]), "bids[5].role"),
    ("unknown field with a suggestion", lambda d: _set(d, ("organisations", 0, "trackrecord"),
                                                       0.5), "organisations[0].trackrecord"),
    ("quota as text", lambda d: _set(d, ("management_group", "quota"), "11"),
     "management_group.quota"),
    ("portfolio value negative", lambda d: _set(d, ("roles", "portfolios", "research"), -1),
     "roles.portfolios['research']"),
    ("text booleans: bloc", lambda d: _bloc(d, "false"), "management_group.members[5].bloc"),
    ("text booleans: opinion leader", lambda d: _set(d, ("doctors", 2, "opinion_leader"),
                                                     "false"), "doctors[2].opinion_leader"),
    ("text booleans: trauma unit", lambda d: _set(d, ("organisations", 9,
                                                      "can_be_trauma_unit"), "no"),
     "organisations[9].can_be_trauma_unit"),
    ("0/1 for a boolean", lambda d: _set(d, ("doctors", 0, "endorsed"), 1),
     "doctors[0].endorsed"),
    ("network disagrees with roles", lambda d: _set(d, ("network",), "stroke"), "network"),
]


@pytest.mark.parametrize("what,mutate,path", WRONG_TYPES, ids=[w[0] for w in WRONG_TYPES])
def test_scenario_file_problem_named_by_path(tmp_path, capsys, case_dict, what, mutate, path):
    f = _write(tmp_path / "s.json", mutate(case_dict))
    with pytest.raises(ScenarioError) as err:
        Region.from_file(f)
    assert path in {p.path for p in err.value.problems}, err.value.problems
    out = tmp_path / "out"
    rc, stdout, stderr = cli(capsys, "run", f, "--out", out)
    assert rc == 2 and path in stderr and stdout == ""
    assert not out.exists()                       # nothing written for a refused input


def test_every_scenario_problem_reported_at_once(tmp_path, case_dict):
    d = _bloc(case_dict, "false")
    d["doctors"][0]["employer"] = "Atlantis General"
    d["organisations"][0]["performance"] = float("nan")
    d["bids"].append({"organisation": "Nowhere", "role": "helipad"})
    d["population"] = "many"
    d["colour"] = "blue"
    f = tmp_path / "s.yaml"
    import yaml

    f.write_text(yaml.safe_dump(d))
    with pytest.raises(ScenarioError) as err:
        Region.from_file(f)
    paths = {p.path for p in err.value.problems}
    assert {"doctors[0].employer", "organisations[0].performance", "bids[5].organisation",
            "bids[5].role", "population", "colour",
            "management_group.members[5].bloc"} <= paths
    assert f"{len(err.value.problems)} problems" in str(err.value)


def test_bad_management_group_every_problem_named_and_nothing_written(tmp_path, capsys,
                                                                     case_dict):
    # the list, in a scenario file: every problem in one error, nothing written
    d = copy.deepcopy(case_dict)
    mg = d["management_group"]
    mg["members"][1]["organisation"] = "Atlantis General"     # unknown organisation
    mg["members"][3]["bloc"] = True            # a non-teaching provider in the district bloc
    mg["members"][0]["bloc"] = True            # the commissioners: no organisation at all
    mg["quota"] = 10_000                       # above the total weight (16)
    want = {"management_group.members[1].organisation", "management_group.members[3].bloc",
            "management_group.members[0].bloc", "management_group.quota"}
    d2 = copy.deepcopy(case_dict)
    d2["management_group"]["members"][0]["weight"] = 1.5       # not a whole number
    d2["management_group"]["members"][1]["weight"] = -2        # negative
    d3 = copy.deepcopy(case_dict)
    d3["management_group"]["members"] = []                     # no members
    d4 = copy.deepcopy(case_dict)
    del d4["management_group"]["members"]                      # members missing
    for i, (data, paths) in enumerate((
            (d, want),
            (d2, {"management_group.members[0].weight", "management_group.members[1].weight"}),
            (d3, {"management_group.members"}), (d4, {"management_group.members"}))):
        with pytest.raises(ScenarioError) as err:
            Region.from_dict(data)
        assert {p.path for p in err.value.problems} == paths, err.value.problems
        f = _write(tmp_path / f"s{i}.json", data)
        out = tmp_path / f"out{i}"
        rc, stdout, stderr = cli(capsys, "run", f, "--out", out)
        assert rc == 2 and stdout == "" and all(p in stderr for p in paths)
        assert not out.exists()
    # the scenario can say otherwise: a bloc of any kind of organisation (but still one
    # organisation per bloc member), and only a known kind or "any"
    mg["members"][1]["organisation"] = TH1
    mg["quota"] = 11
    mg["bloc_kind"] = "any"
    with pytest.raises(ScenarioError) as err:
        Region.from_dict(d)
    assert {p.path for p in err.value.problems} == {"management_group.members[0].bloc"}
    mg["members"][0]["bloc"] = False
    assert Region.from_dict(d).bloc_kind == "any"
    assert Region.from_dict(Region.from_dict(d).to_dict()) == Region.from_dict(d)
    mg["bloc_kind"] = "hospices"
    with pytest.raises(ScenarioError, match="management_group.bloc_kind"):
        Region.from_dict(d)


def test_text_booleans_refused_and_real_booleans_give_the_python_region(tmp_path, case_dict):
    # each of the confident wrong answers is refused as text ...
    for mutate in (lambda d: _bloc(d, "false"),
                   lambda d: _set(d, ("doctors", 2, "opinion_leader"), "false"),
                   lambda d: _set(d, ("organisations", 9, "can_be_trauma_unit"), "no")):
        with pytest.raises(ScenarioError, match="not true/false"):
            Region.from_dict(mutate(case_dict))
    # ... while real booleans read back exactly the region built in Python
    assert Region.from_dict(copy.deepcopy(case_dict)) == scenarios.load("case-region")
    no_bloc = Region.from_dict(_bloc(case_dict, False))
    assert not no_bloc.bloc_members() and len(scenarios.load("case-region").bloc_members()) == 6


def test_python_constructors_are_as_strict_as_files():
    with pytest.raises(ScenarioError, match="opinion_leader"):
        Doctor("x", "y", opinion_leader="false")
    with pytest.raises(ScenarioError, match="bloc"):
        Member("m", 1.0, bloc="false")
    with pytest.raises(ScenarioError, match="can_be_trauma_unit"):
        Organisation("o", "district", can_be_trauma_unit="no")
    with pytest.raises(ScenarioError, match="employer"):
        Doctor("x", ["y"])
    with pytest.raises(ScenarioError) as err:     # every problem of one entry at once
        Doctor("x", "y", cultural="a", social=-1, domains=["foo"], endorsed=None)
    assert len(err.value.problems) == 4


BAD_FILES = [
    ("binary .json", "s.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("Latin-1 YAML", "s.yaml", "name: \"Caf\xe9\"\n".encode("latin-1"), "not UTF-8"),
    ("UTF-16 JSON", "s.json", '{"name": "x"}'.encode("utf-16"), "UTF-16"),
    ("empty JSON", "s.json", b"", "not valid JSON"),
    ("JSON list", "s.json", b"[1, 2]", "not a table"),
    ("JSON NaN", "s.json", b'{"name": "x", "population": NaN}', "NaN"),
    ("JSON repeated key", "s.json", b'{"name": "a", "name": "b"}', "repeats the key"),
    ("YAML repeated key", "s.yaml", b"name: a\nname: b\n", "repeats the key 'name'"),
    ("deep nesting", "s.json", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("bad TOML", "s.toml", b"name = [unclosed\n", "not valid TOML"),
    ("huge integer", "s.json", b'{"name": 1' + b"0" * 5000 + b"}", "could not parse"),
    ("recursive alias", "s.yaml", b"a: &a [*a]\n", "recursive YAML alias"),
    ("billion laughs", "s.yaml", (
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
                  for p, c in zip("abcdefgh", "bcdefghi", strict=True))).encode(),
     "expands to more than"),
    ("unknown suffix", "s.txt", b"name = 'x'", "unknown file type"),
]


@pytest.mark.parametrize("what,name,data,words", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_malformed_scenario_files(tmp_path, capsys, what, name, data, words):
    f = tmp_path / name
    f.write_bytes(data)
    with pytest.raises(ScenarioError, match=words):
        Region.from_file(f)
    rc, _, err = cli(capsys, "run", f)
    assert rc == 2 and words.split()[0] in err


def test_yaml_aliases_within_limits_are_read(tmp_path, case_dict):
    import yaml

    d = copy.deepcopy(case_dict)
    text = yaml.safe_dump(d).replace("- practice\n", "- practice\n", 1)
    anchored = "common_domains: &doms [practice, policy]\n"   # unknown top field: refused,
    f = tmp_path / "a.yaml"                                      # but read (not a parse error)
    f.write_text(anchored + text)
    with pytest.raises(ScenarioError, match="common_domains"):
        Region.from_file(f)
    f.write_text(text.replace("domains:\n  - practice\n", "domains: &d\n  - practice\n", 1))
    assert Region.from_file(f) == scenarios.load("case-region")


def test_scenario_paths_that_are_not_files(tmp_path, capsys, monkeypatch):
    for target, words in ((tmp_path / "missing.json", "no such file"),
                          (tmp_path, "unknown file type"),
                          ("/dev/zero", "unknown file type")):
        rc, _, err = cli(capsys, "run", target)
        assert rc == 2 and words in err
    d = tmp_path / "dir.json"
    d.mkdir()
    rc, _, err = cli(capsys, "run", d)
    assert rc == 2 and "is a folder" in err
    # a file without read permission (simulated: the tests may run as root)
    f = _write(tmp_path / "locked.json", {"name": "x"})
    real_open = open

    def deny(path, *a, **k):
        if str(path) == str(f):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *a, **k)

    monkeypatch.setattr("builtins.open", deny)
    rc, _, err = cli(capsys, "run", f)
    assert rc == 2 and "permission denied" in err


def test_regions_too_large_to_run_are_refused_with_their_size(tmp_path, capsys):
    from gametheory.restratification.region import MAX_CONFIGURATIONS, MAX_ORGANISATIONS

    d = scenarios.random_region(3, n_organisations=200).to_dict()
    for o in d["organisations"]:
        if o["kind"] == "district":
            d["bids"] += [{"organisation": o["name"], "role": r} for r in ("host", "centre")]
            d["doctors"].append({"name": f"{o['name']} lead", "employer": o["name"]})
    hosts = len({b["organisation"] for b in d["bids"] if b["role"] == "host"})
    centres = len({b["organisation"] for b in d["bids"] if b["role"] == "centre"})
    assert hosts * centres > MAX_CONFIGURATIONS
    f = _write(tmp_path / "big.json", d)
    rc, _, err = cli(capsys, "run", f)
    assert rc == 2 and f"{hosts * centres:,} configurations" in err
    d = scenarios.random_region(3, n_organisations=20).to_dict()
    extra = [dict(d["organisations"][-1], name=f"Clinic {i}") for i in range(MAX_ORGANISATIONS)]
    d["organisations"] += extra
    with pytest.raises(ScenarioError, match=f"more than {MAX_ORGANISATIONS:,} entries"):
        Region.from_dict(d)


def test_random_region_options_checked():
    for kw, words in (({"n_districts": "abc"}, "not a whole number"),
                      ({"n_districts": float("nan")}, "not a whole number"),
                      ({"n_districts": 10**12}, "outside"),
                      ({"n_organisations": 2}, "outside"),
                      ({"neutral_bidder": "no"}, "true/false"),
                      ({"seed": -1}, "outside")):
        with pytest.raises(ScenarioError, match=words):
            scenarios.random_region(**kw)
    with pytest.raises(ScenarioError, match="unknown option"):
        scenarios.load("random-region", colour="red")
    assert len(scenarios.random_region(1, n_organisations=12).organisations) == 12


# ------------------------------------------------------------------ model parameters
PARAM_STRINGS = [
    ("delta=abc", "delta", "not a number"),
    ("delta=", "delta", "is empty"),
    ("mu=0x10", "mu", "hexadecimal"),
    ("alpha=abc", "alpha[0]", "not a number"),
    ("seed=-1", "seed", "not a model parameter"),
    ("theta_host_track_record=nan", "theta_host_track_record", "not finite"),
    ("theta_host_track_record=inf", "theta_host_track_record", "not finite"),
    ("alpha_cultural=nan", "alpha_cultural", "not finite"),
    ("delta=1e400", "delta", "not finite"),
    ("delta=-1", "delta", "outside its valid range"),
    ("lam=2e6", "lam", "outside its valid range"),
    ("theta=1,2,3", "theta", "has 3 entries"),
    ("mu=1,2", "mu", "is a list"),
    ("power_index=majority", "power_index", "not a known value"),
    ("deltta=1", "deltta", "Did you mean 'delta'"),
    ("delta", "--param", "not NAME=VALUE"),
    ("=3", "--param", "no parameter name"),
]


@pytest.mark.parametrize("item,name,words", PARAM_STRINGS, ids=[p[0] for p in PARAM_STRINGS])
def test_param_strings(tmp_path, capsys, item, name, words):
    with pytest.raises(ParameterError, match=words) as err:
        ModelParameters.from_strings([item])
    assert name in {p.path for p in err.value.problems}
    out = tmp_path / "out"
    rc, stdout, stderr = cli(capsys, "run", "case-region", "--param", item, "--out", out)
    assert rc == 2 and words in stderr and stdout == "" and not out.exists()


@pytest.mark.parametrize("items,words", [
    (["lambda=1", "lam=2"], "same parameter as lambda"),
    (["delta=1", "delta=2"], "given twice"),
    (["theta=1,1,1,1", "theta_centre_super=2"], "same parameter as theta"),
    (["theta_centre_super=2", "theta=1,1,1,1"], "same parameter as theta_centre_super"),
])
def test_conflicting_and_repeated_parameters(capsys, items, words):
    with pytest.raises(ParameterError, match=words):
        ModelParameters.from_strings(items)
    rc, _, err = cli(capsys, "run", "case-region", *[a for it in items for a in ("--param", it)])
    assert rc == 2 and words in err


def test_several_parameter_problems_at_once():
    with pytest.raises(ParameterError) as err:
        ModelParameters.from_strings(["delta=abc", "mu=nan", "lam=-1", "colour=red"])
    assert {p.path for p in err.value.problems} == {"delta", "mu", "lam", "colour"}


def test_every_parameter_has_a_documented_range_enforced_at_both_edges():
    from dataclasses import fields

    doc = ModelParameters.__doc__ or ""
    for f in fields(ModelParameters):
        if f.name in PARAMETER_CHOICES:
            for bad in ("nope", 1.0, True):
                with pytest.raises(ParameterError, match=f.name):
                    ModelParameters(**{f.name: bad})
            continue
        assert f.name in PARAMETER_RANGES, f"{f.name} has no valid range"
        rng = PARAMETER_RANGES[f.name]
        assert f"``{f.name}``: {rng.text()}" in doc
        n = len(PARAMETER_VECTORS.get(f.name, ())) or None

        def make(x, n=n, name=f.name):
            return ModelParameters(**{name: (x,) * n if n else x})

        step_lo, step_hi = max(1e-9, abs(rng.lo) * 1e-9), max(1e-9, abs(rng.hi) * 1e-9)
        inside_lo = rng.lo + step_lo if rng.open_lo else rng.lo
        inside_hi = rng.hi - step_hi if rng.open_hi else rng.hi
        for x in (inside_lo, inside_hi):                           # the edges are valid
            assert np.all(np.asarray(getattr(make(x), f.name)) == x)
        bad = [rng.lo if rng.open_lo else rng.lo - step_lo, float("nan"), -float("inf"),
               True, "1.0", None]
        bad += [] if rng.infinite else [rng.hi if rng.open_hi else rng.hi + step_hi,
                                        float("inf")]
        for value in bad:
            with pytest.raises(ParameterError) as err:
                make(value)
            assert err.value.problems[0].path.startswith(f.name)


def test_range_table_semantics():
    from gametheory.restratification.model import Range

    r = Range(0.0, 1.0, open_lo=True)
    assert not r.contains(0.0) and r.contains(1e-12) and r.contains(1.0)
    assert not r.contains(float("nan")) and not r.contains(float("inf"))
    inf_ok = Range(0.0, math.inf, open_lo=True, infinite=True)
    assert inf_ok.contains(float("inf")) and inf_ok.text() == "(0, inf]"
    assert Range(-1e6, 1e6).text() == "[-1e6, 1e6]"


def test_non_finite_parameters_never_reach_a_report(capsys):
    # the case: NaN weights made every probability NaN while a host was reported
    for item in ("theta_host_track_record=nan", "theta_host_track_record=inf",
                 "alpha_cultural=nan"):
        rc, out, _ = cli(capsys, "run", "case-region", "--param", item)
        assert rc == 2 and "Chosen" not in out


def test_a_valid_vector_string_gives_the_same_result_as_python():
    a = ModelParameters.from_strings(["theta=1,1,1,2", "lambda=3"])
    assert a == ModelParameters(theta=(1, 1, 1, 2), lam=3.0)
    assert run(scenarios.load("case-region"), a).chosen == run(
        scenarios.load("case-region"), ModelParameters(theta=(1.0, 1.0, 1.0, 2.0), lam=3)).chosen


# ------------------------------------------------------------------ output targets
def test_output_targets_checked_before_work(tmp_path, capsys, monkeypatch):
    import gametheory.restratification as rs

    called = []
    monkeypatch.setattr(rs, "run", lambda *a, **k: called.append(1))
    f = tmp_path / "file.txt"
    f.write_text("x")
    for out, words in ((f, "exists and is a file"),
                       (f / "sub", "lies inside"),
                       ("/dev/null", "device or other special file")):
        rc, _, err = cli(capsys, "run", "case-region", "--out", out)
        assert rc == 2 and words in err
    monkeypatch.setattr(os, "access", lambda *a, **k: False)      # a read-only place
    rc, _, err = cli(capsys, "run", "case-region", "--out", tmp_path / "new")
    assert rc == 2 and "not writable" in err
    assert not called and sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_fit_and_calibrate_check_their_targets_before_fitting(tmp_path, capsys, monkeypatch):
    import importlib

    cal = importlib.import_module("estimation.calibration")
    fit_mod = importlib.import_module("estimation.fit")

    def no_fit(*a, **k):
        raise AssertionError("work started before the output target was checked")

    monkeypatch.setattr(fit_mod, "fit", no_fit)
    monkeypatch.setattr(cal, "calibrate", no_fit)
    (tmp_path / "old.nc").write_text("x")
    for args, words in ((["fit", "--out", tmp_path], "is a folder"),
                        (["fit", "--out", "/dev/null"], "special file"),
                        (["fit", "--out", tmp_path / "old.nc"], "exists"),
                        (["calibrate", "--plot", tmp_path / "old.nc" / "x.png"], "lies inside"),
                        (["calibrate", "--plot", tmp_path], "is a folder")):
        rc, _, err = cli(capsys, *args)
        assert rc == 2 and words in err, err
    # a missing folder for --plot is fine: it is created when the figure is written
    assert gt.fileio.check_output_target(tmp_path / "a" / "b" / "x.png", kind="file")


def test_fileio_targets():
    from gametheory.fileio import check_output_target

    with pytest.raises(OutputPathError, match="not a path"):
        check_output_target("  ")
    with pytest.raises(OutputPathError, match="current folder"):
        check_output_target(".", overwrite=True)


# ------------------------------------------------------------------ run --out
def test_run_out_is_one_complete_set(tmp_path, capsys, monkeypatch):
    out = tmp_path / "res"
    assert cli(capsys, "run", "case-region", "--out", out, "--quiet")[0] == 0
    first = {p.name for p in out.iterdir()}
    assert "_complete.json" in first and "hierarchy.png" in first
    marker = json.loads((out / "_complete.json").read_text())
    assert sorted(marker["files"]) == sorted(first - {"_complete.json"})
    # a second run into it is refused (nothing changed) ...
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    rc, _, err = cli(capsys, "run", "weak-districts", "--out", out, "--no-figures")
    assert rc == 2 and "--overwrite" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    # ... and with --overwrite replaced whole: no old figure beside the new tables
    rc, _, _ = cli(capsys, "run", "weak-districts", "--out", out, "--no-figures",
                   "--overwrite", "--quiet")
    assert rc == 0 and not list(out.glob("*.png"))
    assert json.loads((out / "result.json").read_text())["region"]["name"] == "weak-districts"
    # a run that fails while writing leaves the previous set as it was, and no partial folder
    import gametheory.restratification.report as rep

    calls = {"n": 0}
    real = rep.atomic_write_bytes

    def fail_late(path, data):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError(28, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(rep, "atomic_write_bytes", fail_late)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    rc, _, err = cli(capsys, "run", "case-region", "--out", out, "--overwrite")
    assert rc == 1 and "No space left" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]


# ------------------------------------------------------------------ data folders for fit
def _data_folder(tmp_path: Path) -> Path:
    from estimation.datasets import load_case

    folder = tmp_path / "data"
    load_case().to_csv(folder)
    return folder


@pytest.mark.parametrize("content,words", [
    (b"", "is empty"),
    (b"lorem ipsum \"dolor\nsit,,,\"amet\n\"\n", "column is missing"),
    (b"region,doctor,organisation,cultural,social,symbolic,multiplex,endorsed\n",
     "has a header but no rows"),
    (bytes(range(256)) * 4, "binary"),
    ("region,doctor\nr,Dr H\xe9l\xe8ne\n".encode("latin-1"), "not UTF-8"),
])
def test_bad_data_tables(tmp_path, capsys, monkeypatch, content, words):
    import importlib

    from estimation.errors import DataValidationError

    fit_mod = importlib.import_module("estimation.fit")
    monkeypatch.setattr(fit_mod, "fit", lambda *a, **k: (_ for _ in ()).throw(
        AssertionError("fitted bad data")))
    folder = _data_folder(tmp_path)
    (folder / "doctors.csv").write_bytes(content)
    from estimation import AllocationData

    with pytest.raises(DataValidationError, match=words):
        AllocationData.from_csv(folder)
    rc, _, err = cli(capsys, "fit", folder, "--out", tmp_path / "fit.nc")
    assert rc == 2 and words in err and not (tmp_path / "fit.nc").exists()


# ------------------------------------------------------------------ library sizes
def test_tugame_needs_a_player():
    with pytest.raises(gt.InvalidGameError, match="at least one player"):
        gt.TUGame([0.0])
    assert gt.shapley_value(gt.TUGame([0.0, 5.0])).values.tolist() == [5.0]


def test_minimal_winning_coalitions_of_huge_games_refused_with_their_count():
    from math import comb

    with pytest.raises(gt.GameTooLargeError, match="5000-member game has more than 1e300"):
        gt.WeightedVotingGame([1] * 5000, 2501).minimal_winning_coalitions()
    with pytest.raises(gt.GameTooLargeError, match=f"{comb(30, 15):,}"):
        gt.WeightedVotingGame([1] * 30, 15).minimal_winning_coalitions()
    # large weights and few classes: counted through coalition types
    with pytest.raises(gt.GameTooLargeError, match="minimal winning coalitions"):
        gt.WeightedVotingGame([1000] * 4999 + [1], 2_500_001).minimal_winning_coalitions()
    # under the limit, listed (brute force check on a small game)
    g = gt.WeightedVotingGame([4, 3, 2, 2, 1], 7)
    brute = [m for m in range(1, 32) if g.is_winning(m)
             and all(not g.is_winning(m & ~(1 << i)) for i in range(5) if m >> i & 1)]
    assert sorted(g.minimal_winning_coalitions(as_masks=True)) == sorted(brute)


def test_count_minimal_winning_against_brute_force():
    from gametheory.voting.weighted import count_minimal_winning

    rng = np.random.default_rng(3)
    for _ in range(30):
        n = int(rng.integers(1, 9))
        w = rng.integers(0, 6, size=n).tolist()
        q = int(rng.integers(1, max(2, sum(w)) + 1))
        win = [sum(w[i] for i in range(n) if m >> i & 1) >= q for m in range(1 << n)]
        brute = sum(1 for m in range(1 << n) if win[m] and all(
            not win[m & ~(1 << i)] for i in range(n) if m >> i & 1))
        assert count_minimal_winning(w, q) == brute, (w, q)


def test_baron_ferejohn_with_500_member_types_refused():
    from gametheory.bargaining import baron_ferejohn
    from gametheory.bargaining.baron_ferejohn import MAX_TYPES

    rng = np.random.default_rng(0)
    n = 500
    w = rng.integers(1, 10, n)
    with pytest.raises(gt.GameTooLargeError, match=f"limited to {MAX_TYPES}"):
        baron_ferejohn(w, int(w.sum()) // 2 + 1, rng.dirichlet(np.ones(n)), 0.9)
    # 500 members of one type are one type: solved (closed form of Baron and Ferejohn 1989)
    res = baron_ferejohn(np.ones(501), 251, np.full(501, 1 / 501), 0.9)
    assert res.values[0] == pytest.approx(1 / 501, rel=1e-6)


def test_invalid_argument_errors_are_value_errors():
    # the hierarchy callers rely on: every refusal above is also a ValueError
    assert issubclass(ScenarioError, ValueError) and issubclass(ParameterError, ValueError)
    assert issubclass(OutputPathError, InvalidArgumentError)


def test_endogenous_blocs_of_a_large_region_refused_not_crashed(tmp_path, capsys):
    f = _write(tmp_path / "r.json", scenarios.random_region(3, n_organisations=80).to_dict())
    rc, _, err = cli(capsys, "run", f, "--blocs", "endogenous")
    assert rc == 2 and "at most 62 players" in err


def test_damaged_run_folder_given_to_fit(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli(capsys, "run", "case-region", "--out", out, "--no-figures", "--quiet")[0] == 0
    text = (out / "result.json").read_text()
    for broken in (text[: len(text) // 2], "\x00\x01", json.dumps({"region": {}})):
        (out / "result.json").write_text(broken)
        rc, _, err = cli(capsys, "fit", out)
        assert rc == 2 and ("not a readable restrat run result" in err or "binary" in err), err
