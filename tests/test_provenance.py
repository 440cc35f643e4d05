"""Every file the package writes says which version wrote it, from what, with which seed."""

from __future__ import annotations

import json

import pandas as pd

import estimation as est
from gametheory import __version__
from gametheory.provenance import SIDECAR, content_hash, provenance
from gametheory.restratification import ModelParameters, run, scenarios
from restrat.cli import main


def test_content_hash_changes_with_content_and_only_with_it():
    a = {"name": "x", "delta": 1.5}
    assert content_hash(a) == content_hash(dict(reversed(list(a.items()))))
    assert content_hash(a) != content_hash({**a, "delta": 1.6})
    p = provenance(parameters={"delta": 2}, seed=5, scenario=a, scenario_name="x")
    assert (p["version"], p["seed"], p["scenario_hash"]) == (__version__, 5, content_hash(a))


def test_run_output_carries_provenance(tmp_path):
    region = scenarios.load("case-region")
    res = run(region, ModelParameters(delta=1.25))
    res.write(tmp_path, figures=False)
    meta = json.loads((tmp_path / "result.json").read_text())["meta"]
    assert meta["version"] == __version__ and meta["scenario"] == region.name
    assert meta["parameters"]["delta"] == 1.25
    assert meta["scenario_hash"] == content_hash(region.to_dict())
    assert meta["created"][:2] == "20"
    side = json.loads((tmp_path / SIDECAR).read_text())
    assert side["provenance"] == meta
    assert "configurations.csv" in side["files"] and "result.json" not in side["files"]


def test_cli_run_records_the_seed(tmp_path):
    assert main(["run", "random-region", "--seed", "11", "--out", str(tmp_path),
                 "--no-figures"]) == 0
    meta = json.loads((tmp_path / "result.json").read_text())["meta"]
    assert meta["seed"] == 11
    assert meta["scenario_hash"] == content_hash(
        scenarios.load("random-region", seed=11).to_dict())


def test_data_tables_carry_a_sidecar(tmp_path):
    data = est.simulate(n_regions=5, seed=3)
    data.to_csv(tmp_path / "a")
    side = json.loads((tmp_path / "a" / SIDECAR).read_text())
    assert side["provenance"]["parameters"] == json.loads(json.dumps(data.truth))
    assert sorted(side["files"]) == sorted(f"{f}.csv" for f in
                                           ("regions", "organisations", "doctors", "bids",
                                            "members", "allocations"))
    other = est.simulate(n_regions=5, seed=4)
    other.to_csv(tmp_path / "b")
    side_b = json.loads((tmp_path / "b" / SIDECAR).read_text())
    assert side_b["provenance"]["data_hash"] != side["provenance"]["data_hash"]
    # the reader ignores the sidecar
    back = est.AllocationData.from_csv(tmp_path / "a")
    pd.testing.assert_frame_equal(back.regions.reset_index(drop=True),
                                  data.regions.reset_index(drop=True), check_dtype=False)


def test_sweep_manifest_carries_provenance(tmp_path):
    from estimation import sweep

    sweep.run_sweep(sweep.ScenarioPoint("case-region"), sweep.grid(["delta=0,1"]),
                    tmp_path / "s", workers=1, progress=False, seed=8)
    man = sweep.read_manifest(tmp_path / "s")
    assert man["provenance"]["seed"] == 8 and man["provenance"]["version"] == __version__
    assert man["provenance"]["scenario"] == "case-region"
