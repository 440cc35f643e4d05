"""AllocationData: schema, validation (every problem at once), IO, arrays."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

import estimation as est
from estimation import AllocationData, DataValidationError
from estimation.data import FRAMES
from gametheory.errors import InvalidArgumentError


@pytest.fixture(scope="module")
def sim() -> AllocationData:
    return est.simulate(n_regions=6, seed=21)


def _frames(d: AllocationData) -> dict[str, pd.DataFrame]:
    return d.frames()


def _problems(**frames: pd.DataFrame) -> list:
    with pytest.raises(DataValidationError) as ei:
        AllocationData.from_frame(frames)
    assert isinstance(ei.value, ValueError) and isinstance(ei.value, InvalidArgumentError)
    return ei.value.problems


def test_valid_roundtrip_and_arrays_match_simulation(sim):
    a = sim.arrays()
    bank = sim.bank
    # the data's configuration order is the model's (host bidders x centre bidders)
    assert np.array_equal(a.cfg_mask, bank.cfg_mask)
    assert np.allclose(a.cfg_x, bank.cfg_x) and np.allclose(a.cfg_k, bank.cfg_k)
    alloc = sim.allocations.pivot(index="region", columns="role", values="holder")
    for g, r in enumerate(a.region_names):
        assert a.cfg_host[g, a.cfg_chosen[g]] == alloc.loc[r, "host"]
        assert a.cfg_centre[g, a.cfg_chosen[g]] == alloc.loc[r, "centre"]
    for s in range(len(a.app_chosen)):
        role = ("network_director", "centre_director")[a.app_role[s]]
        assert a.app_doctor[s, a.app_chosen[s]] == alloc.loc[a.region_names[a.app_region[s]],
                                                            role]
    assert np.all(a.con_loss > 0)


def test_missing_column_reported(sim):
    f = _frames(sim)
    f["organisations"] = f["organisations"].drop(columns=["track_record"])
    f["doctors"] = f["doctors"].drop(columns=["endorsed"])
    probs = _problems(**f)
    where = {(p.frame, p.column) for p in probs}
    assert ("organisations", "track_record") in where and ("doctors", "endorsed") in where


def test_every_problem_reported_at_once_by_row_and_column(sim):
    f = _frames(sim)
    org = f["organisations"]
    org.loc[2, "performance"] = np.nan                    # non-finite covariate
    org.loc[3, "specialist_breadth"] = np.inf
    doc = f["doctors"]
    doc.loc[0, "organisation"] = "Nowhere Hospital"       # unknown organisation
    al = f["allocations"]
    r0 = al.loc[0, "region"]
    host_row = al.index[(al["region"] == r0) & (al["role"] == "host")][0]
    districts = org[(org["region"] == r0) & (org["kind"] == "district")]["organisation"]
    al.loc[host_row, "holder"] = districts.iloc[0]        # did not bid: not in choice set
    r1 = al["region"].unique()[1]
    centre = al[(al["region"] == r1) & (al["role"] == "centre")].iloc[[0]]
    f["allocations"] = pd.concat([al, centre], ignore_index=True)   # two MTCs in one region
    probs = _problems(**f)
    msgs = [str(p) for p in probs]
    assert any(p.frame == "organisations" and p.row == 2 and p.column == "performance"
               for p in probs)
    assert any(p.frame == "organisations" and p.row == 3 and p.column == "specialist_breadth"
               for p in probs)
    assert any(p.frame == "doctors" and p.row == 0 and "unknown organisation" in p.problem
               for p in probs)
    assert any("not in the choice set" in m for m in msgs)
    assert any("MTCs" in m and r1 in m for m in msgs)
    assert len(probs) >= 5


def test_director_not_a_candidate(sim):
    f = _frames(sim)
    al = f["allocations"]
    i = al.index[al["role"] == "centre_director"][0]
    r = al.loc[i, "region"]
    other = f["doctors"][(f["doctors"]["region"] == r)
                         & (f["doctors"]["organisation"].str.startswith("District"))]
    al.loc[i, "holder"] = other["doctor"].iloc[0]
    probs = _problems(**f)
    assert any(p.column == "holder" and "not a candidate" in p.problem for p in probs)


def test_bad_values(sim):
    f = _frames(sim)
    f["regions"].loc[0, "bloc_power"] = 1.5
    f["organisations"].loc[0, "kind"] = "university"
    f["doctors"]["multiplex"] = f["doctors"]["multiplex"].astype(object)
    f["doctors"].loc[1, "multiplex"] = "maybe"
    f["bids"].loc[0, "role"] = "boss"
    probs = _problems(**f)
    cols = {(p.frame, p.column) for p in probs}
    assert {("regions", "bloc_power"), ("organisations", "kind"), ("doctors", "multiplex"),
            ("bids", "role")} <= cols


def test_not_a_dataframe(sim):
    f = _frames(sim)
    f["bids"] = f["bids"].to_dict()
    with pytest.raises(TypeError, match="bids"):
        AllocationData.from_frame(f)


def test_user_frames_not_modified(sim):
    f = _frames(sim)
    f["doctors"]["multiplex"] = f["doctors"]["multiplex"].map({False: "false", True: "true"})
    before = {k: v.copy() for k, v in f.items()}
    AllocationData.from_frame(f)
    for k in FRAMES:
        pd.testing.assert_frame_equal(f[k], before[k])


def test_csv_roundtrip_and_files_untouched(sim, tmp_path):
    sim.to_csv(tmp_path)
    stamp = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    d2 = AllocationData.from_csv(tmp_path)
    assert d2.n_regions == sim.n_regions
    a, b = sim.arrays(), d2.arrays()
    assert np.array_equal(a.cfg_chosen, b.cfg_chosen)
    assert np.allclose(a.cfg_x, b.cfg_x) and np.allclose(a.app_z, b.app_z)
    assert np.array_equal(a.con_count, b.con_count)
    # a broken file is reported, and never rewritten
    org = pd.read_csv(tmp_path / "organisations.csv", dtype=str)
    org.loc[0, "loss"] = "lots"
    org.to_csv(tmp_path / "organisations.csv", index=False)
    raw = (tmp_path / "organisations.csv").read_bytes()
    with pytest.raises(DataValidationError, match="row 0, column 'loss'"):
        AllocationData.from_csv(tmp_path)
    assert (tmp_path / "organisations.csv").read_bytes() == raw
    assert all((tmp_path / n).read_bytes() == v for n, v in stamp.items()
               if n != "organisations.csv")


def test_missing_files(tmp_path):
    with pytest.raises(DataValidationError, match="regions.csv"):
        AllocationData.from_csv(tmp_path)


def test_parquet(sim, tmp_path, monkeypatch):
    try:
        import pyarrow  # noqa: F401
        have = True
    except ImportError:
        have = False
    if have:
        sim.to_parquet(tmp_path)
        d2 = AllocationData.from_parquet(tmp_path)
        assert np.array_equal(d2.arrays().cfg_chosen, sim.arrays().cfg_chosen)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(est.MissingDependencyError, match="pip install pyarrow"):
        AllocationData.from_parquet(tmp_path)


def test_from_restrat_run_output(tmp_path):
    from gametheory.restratification import run, scenarios

    res = run(scenarios.load("case-region"))
    res.write(tmp_path / "case", figures=False)
    d = AllocationData.from_csv(tmp_path / "case")          # detects result.json
    al = d.allocations.set_index("role")["holder"]
    assert al["host"] == "Riverside Care Trust"
    assert al["centre"] == "Northgate Teaching Hospital"
    assert al["centre_director"] == res.directors["MTC Medical Director"]
    org = d.organisations.set_index("organisation")
    losers = org[org["loss"] > 0]
    assert losers["concession_roles"].notna().all()
    # the counts read back are the roles the run handed to each committee hospital
    held = res.concessions.packages.groupby("organisation").size()
    for o in res.concessions.table.index:
        assert losers.at[o, "concession_roles"] == held.get(o, 0)
    assert d.regions["bloc_power"].iloc[0] == pytest.approx(res.allocation.bloc_power)
    with pytest.raises(DataValidationError, match="result.json"):
        AllocationData.from_run_output(tmp_path / "nothing-here")


def test_choice_sets(sim):
    for role in ("configuration", "host", "centre", "network_director", "centre_director",
                 "directors"):
        cs = sim.choice_sets(role)
        assert cs.mask[np.arange(cs.n_situations), cs.chosen].all()
        long = cs.to_long()
        assert long.groupby("situation")["chosen"].sum().eq(1).all()
    with pytest.raises(est.EstimationError, match="role"):
        sim.choice_sets("janitor")


def test_subset_and_concat(sim):
    names = list(sim.regions["region"][:2])
    sub = sim.subset(names)
    assert sub.n_regions == 2
    other = est.simulate(n_regions=2, seed=99)
    renamed = {k: v.assign(region=v["region"] + "-b") for k, v in other.frames().items()}
    both = AllocationData.concat([sub, AllocationData.from_frame(renamed)])
    assert both.n_regions == 4


def test_bundled_datasets_match_their_generators(tmp_path):
    from estimation import datasets

    syn = datasets.load_synthetic()
    assert syn.n_regions == datasets.SYNTHETIC_N_REGIONS and syn.truth["beta"] == 2.0
    fresh = datasets.make_synthetic()
    fresh.to_csv(tmp_path)
    again = AllocationData.from_csv(tmp_path)
    for f in FRAMES:
        pd.testing.assert_frame_equal(getattr(again, f), getattr(syn, f))
    case = datasets.load_case()
    made = datasets.make_case()
    for f in FRAMES:
        pd.testing.assert_frame_equal(getattr(case, f).reset_index(drop=True),
                                      getattr(made, f).reset_index(drop=True),
                                      check_exact=False, rtol=1e-5)


def test_cli_fit_text():
    from estimation.datasets import HERE
    from estimation.errors import SamplingWarning

    with pytest.warns(SamplingWarning, match="ESS"):   # 60 draws: said (on stderr), not hidden
        text = est.cli_fit(str(HERE / "case"), sampler="pymc", chains=2, draws=30, tune=30,
                           seed=1)
    assert "model structural, sampler pymc" in text and "r_hat" in text
    assert "WARNING" not in text      # warnings go to standard error, not into the results
