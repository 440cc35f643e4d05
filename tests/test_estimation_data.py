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
    d = a.design
    bank = sim.bank
    # the data's arrays are the simulation's: one builder (the specification)
    assert np.array_equal(d.cfg_mask, bank.design.cfg_mask)
    assert np.allclose(d.cfg_x, bank.design.cfg_x) and np.allclose(d.cfg_k, bank.design.cfg_k)
    assert np.array_equal(d.bodies.weights, bank.design.bodies.weights)
    alloc = sim.allocations.pivot(index="region", columns="role", values="holder")
    for g, r in enumerate(a.region_names):
        c = a.cfg_chosen[g]
        assert d.org_names[g, d.cfg_host[g, c]] == alloc.loc[r, "host"]
        assert d.org_names[g, d.cfg_centre[g, c]] == alloc.loc[r, "centre"]
        for k, role in enumerate(("network_director", "centre_director")):
            org = (d.cfg_host if k == 0 else d.cfg_centre)[g, c]
            assert d.cand_names[g, org, a.obs.director[g, k]] == alloc.loc[r, role]
    # the members table is each region's management group, in its weights and quota
    mem = sim.members.groupby("region")["weight"].sum()
    for g, r in enumerate(a.region_names):
        assert d.bodies.total[g] == mem[r]


def test_old_data_without_management_group_are_refused_saying_what_to_add(sim):
    f = _frames(sim)
    members = f.pop("members")
    regions = f["regions"].drop(columns=["quota"]).assign(bloc_power=0.4)
    f["regions"] = regions
    probs = _problems(**f)
    text = " ".join(str(p) for p in probs)
    assert any(p.frame == "members" and "missing" in p.problem for p in probs)
    assert "add a members table" in text and "quota" in text
    assert any(p.column == "bloc_power" for p in probs)
    # organisations with the first schema's loss instead of trauma volumes
    f = _frames(sim)
    f["organisations"] = f["organisations"].drop(columns=["trauma_volume"]).assign(loss=1.0)
    probs = _problems(**f)
    assert any(p.column == "loss" and "trauma_volume" in p.fix for p in probs)
    assert len(members)


def test_bad_management_groups_refused_with_every_problem_named(sim):
    f = _frames(sim)
    mem = f["members"].copy()
    r0, r1, r2 = list(f["regions"]["region"][:3])
    i0 = mem.index[mem["region"] == r0][0]
    mem.loc[i0, "weight"] = 1.5                                   # not a whole number
    i1 = mem.index[mem["region"] == r0][1]
    mem.loc[i1, "weight"] = -2                                    # negative
    i2 = mem.index[(mem["region"] == r1) & mem["organisation"].str.startswith("District")][0]
    mem.loc[i2, "organisation"] = "Atlantis General"              # unknown organisation
    org = f["organisations"]
    teach = org[(org["region"] == r1) & (org["kind"] == "teaching")]["organisation"].iloc[0]
    i3 = mem.index[(mem["region"] == r1) & (mem["organisation"] == teach)][0]
    mem.loc[i3, "bloc"] = True                                    # bloc but not a district
    mem = mem[mem["region"] != r2]                                # a region without members
    f["members"] = mem
    f["regions"].loc[f["regions"]["region"] == sim.regions["region"][3], "quota"] = 10_000
    probs = _problems(**f)
    got = {(p.frame, p.column, p.row) for p in probs}
    assert ("members", "weight", i0) in got and ("members", "weight", i1) in got
    assert ("members", "organisation", i2) in got and ("members", "bloc", i3) in got
    assert any(p.frame == "members" and p.value == r2 and "no management-group" in p.problem
               for p in probs)
    assert any(p.frame == "regions" and p.column == "quota" and p.value == 10_000
               for p in probs)
    # every problem carries its fix
    assert all(p.fix for p in probs)
    # the bloc check follows the region's bloc_kind ("any" turns it off)
    f2 = _frames(sim)
    m2 = f2["members"]
    j = m2.index[(m2["region"] == r1) & (m2["organisation"] == teach)][0]
    m2.loc[j, "bloc"] = True
    f2["regions"]["bloc_kind"] = "any"
    AllocationData.from_frame(f2)


def test_observed_votes_validated(sim):
    f = _frames(sim)
    r = f["regions"]["region"][0]
    mem = f["members"][f["members"]["region"] == r]
    f["votes"] = pd.DataFrame({"region": r, "member": list(mem["member"]) + ["Nobody"],
                               "vote": [0] * len(mem) + [1]})
    probs = _problems(**f)
    assert any(p.frame == "votes" and p.value == "Nobody" for p in probs)
    assert any(p.frame == "votes" and "already block" in p.problem for p in probs)


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
    hosts = f["bids"].loc[f["bids"]["role"] == "host", ["region", "organisation"]]
    bidder = int(org.reset_index().merge(hosts)["index"].iloc[1])
    org.loc[bidder, "performance"] = np.nan               # a host bidder's covariate missing
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
    assert any(p.frame == "organisations" and p.row == bidder and p.column == "performance"
               and "bids for 'host'" in p.problem for p in probs)
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
    f["regions"].loc[0, "tier_concentration"] = 1.5
    f["organisations"].loc[0, "kind"] = "university"
    f["doctors"]["multiplex"] = f["doctors"]["multiplex"].astype(object)
    f["doctors"].loc[1, "multiplex"] = "maybe"
    f["bids"].loc[0, "role"] = "boss"
    probs = _problems(**f)
    cols = {(p.frame, p.column) for p in probs}
    assert {("regions", "tier_concentration"), ("organisations", "kind"), ("doctors", "multiplex"),
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
    assert np.allclose(a.design.cfg_x, b.design.cfg_x)
    assert np.allclose(a.design.cand_z, b.design.cand_z)
    for k, v in a.obs.as_dict().items():
        assert np.array_equal(v, getattr(b.obs, k)), k
    # a broken file is reported, and never rewritten
    org = pd.read_csv(tmp_path / "organisations.csv", dtype=str)
    org.loc[0, "trauma_volume"] = "lots"
    org.to_csv(tmp_path / "organisations.csv", index=False)
    raw = (tmp_path / "organisations.csv").read_bytes()
    with pytest.raises(DataValidationError, match="row 0, column 'trauma_volume'"):
        AllocationData.from_csv(tmp_path)
    assert (tmp_path / "organisations.csv").read_bytes() == raw
    assert all((tmp_path / n).read_bytes() == v for n, v in stamp.items()
               if n != "organisations.csv")


def test_missing_files(tmp_path, sim):
    with pytest.raises(DataValidationError, match="regions.csv"):
        AllocationData.from_csv(tmp_path)
    sim.to_csv(tmp_path)
    (tmp_path / "members.csv").unlink()
    with pytest.raises(DataValidationError, match="members.csv.*management group"):
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
    committee = list(res.concessions.table.index)
    cols = ["portfolio_roles", "seat_roles", "rotation_roles"]
    assert org.loc[committee, cols].notna().all().all()
    assert org.loc[list(res.chosen), cols].isna().all().all()       # host, centre: none
    # the counts read back are the roles of each kind the run handed to each hospital
    held = res.concessions.packages.groupby(["organisation", "kind"]).size()
    for o in committee:
        for c in cols:
            assert org.at[o, c] == held.get((o, c.split("_")[0]), 0)
    assert org.loc[committee, cols].to_numpy().sum() == len(res.concessions.packages)
    # the management group travels with the run: same weights and quota
    assert d.regions["quota"].iloc[0] == res.region.quota
    assert list(d.members["weight"]) == [m.weight for m in res.region.management_group]
    with pytest.raises(DataValidationError, match="result.json"):
        AllocationData.from_run_output(tmp_path / "nothing-here")
    # a scenario whose bloc is of any kind travels with its output: the non-teaching
    # provider in the bloc is read back, not refused as a non-district bloc member
    from dataclasses import replace

    mixed = res.region
    mixed = replace(mixed, bloc_kind="any", management_group=tuple(
        replace(m, bloc=True) if m.organisation == "Riverside Care Trust" else m
        for m in mixed.management_group))
    run(mixed).write(tmp_path / "mixed", figures=False)
    d = AllocationData.from_csv(tmp_path / "mixed")
    assert d.regions["bloc_kind"].iloc[0] == "any"
    assert d.members.set_index("organisation").at["Riverside Care Trust", "bloc"]


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
    assert syn.n_regions == datasets.SYNTHETIC_N_REGIONS and syn.truth["delta"] == 2.5
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
        text = est.cli_fit(str(HERE / "case"), chains=2, draws=30, tune=30, seed=1)
    assert "model structural, sampler nutpie" in text and "r_hat" in text
    assert "WARNING" not in text      # warnings go to standard error, not into the results


def test_covariates_the_model_never_reads_may_be_empty(sim):
    """A covariate of an organisation that does not bid for the role that reads it is not
    used: it may be empty, and the likelihood does not change."""
    from gametheory.restratification import ModelParameters, spec

    f = _frames(sim)
    org = f["organisations"]
    bidders = {(r, o) for r, o, role in zip(f["bids"]["region"], f["bids"]["organisation"],
                                            f["bids"]["role"], strict=True) if role == "host"}
    unused = [i for i, k in enumerate(zip(org["region"], org["organisation"], strict=True))
              if k not in bidders]
    org.loc[unused, "track_record"] = np.nan
    got = AllocationData.from_frame(f)
    par = spec.parameters(ModelParameters())
    for a, b in ((got.arrays(), sim.arrays()),):
        la = spec.log_likelihood(par, a.design, a.obs)
        lb = spec.log_likelihood(par, b.design, b.obs)
        for k in la:
            np.testing.assert_allclose(la[k], lb[k])
