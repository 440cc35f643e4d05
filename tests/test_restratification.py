"""The restratification model: the case region's findings, counterfactuals and bad input."""

import json

import numpy as np
import pandas as pd
import pytest

import gametheory as gt
from gametheory.restratification import (
    ModelParameters,
    Region,
    ScenarioError,
    run,
    scenarios,
)
from gametheory.restratification.model import allocation_analysis, configurations
from gametheory.restratification.scenarios import NT, TH1, TH2


@pytest.fixture(scope="module")
def case():
    return run(scenarios.load("case-region"))


# --- the case study's findings, each asserted --------------------------------
def _old_blocking_verdicts(region):
    """The deterministic veto of the first version of the model (independent code).

    A member opposes c when it is in the bloc and c gives both roles to one
    organisation other than its own, or when it represents a bidder that wins
    nothing; c is blocked when the supporters do not reach the quota.
    """
    wvg = region.voting_game()
    bidders = {b.organisation for b in region.bids}
    out = {}
    for c in configurations(region):
        opp = set()
        for m in region.management_group:
            elsewhere = c[0] == c[1] and m.organisation != c[0]
            if (m.bloc and elsewhere) or (m.organisation in bidders
                                          and m.organisation not in c):
                opp.add(m.name)
        out[c] = not wvg.is_winning([m.name for m in region.management_group
                                     if m.name not in opp])
    return out


def test_case_modal_outcome_is_the_neutral_host_and_the_super_specialist_mtc(case):
    host, mtc = case.chosen
    assert host == NT
    assert mtc == TH1
    assert case.region.organisation(mtc).super_specialist == {"paediatrics", "neurology"}
    t = case.allocation.table
    assert t.loc[t["chosen"], "probability"].item() == t["probability"].max()


def test_case_concentrated_allocation_blocked_by_district_bloc_in_the_limit(case):
    t = case.allocation.table
    conc = t[t["host"] == t["centre"]]
    assert len(conc) == 2 and conc["blocked"].all()
    assert not t.loc[t["host"] != t["centre"], "blocked"].any()
    bloc = set(case.region.bloc_members())
    wvg = case.region.voting_game()
    for _, row in conc.iterrows():
        # the district bloc is among every minimal blocking coalition the opponents contain
        assert row["blocking_coalitions"]
        assert all(set(c) & bloc for c in row["blocking_coalitions"])
        # and without the bloc's votes the opponents could not block
        support = [m.name for m in case.region.management_group
                   if m.name not in row["opponents"] or m.bloc]
        assert wvg.is_winning(support)
        # at finite kappa the veto is a low pass probability, not an impossibility
        assert 0 < row["pass_probability"] < 0.05


@pytest.mark.parametrize("name", ["case-region", "one-teaching-hospital", "weak-districts",
                                  "no-neutral-bidder", "stroke-network", "cancer-network"])
def test_deterministic_limit_matches_the_first_versions_blocking_logic(name):
    region = scenarios.load(name)
    old = _old_blocking_verdicts(region)
    t = allocation_analysis(region, ModelParameters(kappa=float("inf"))).table
    new = {(h, m): b for h, m, b in zip(t["host"], t["centre"], t["blocked"], strict=True)}
    assert new == old
    # kappa = inf is the limit itself: pass probabilities are 0/1, choice = limit's choice
    assert set(t["pass_probability"]) <= {0.0, 1.0}
    np.testing.assert_allclose(t["probability"], t["limit_probability"], atol=1e-15)


def _brute_force_probabilities(region, p):
    """P(c) of the case model by enumerating every vote profile (independent of the spec).

    Utilities from the model's definition: u_j(c) = baseline of j's type + rho (roles
    won - their mean) - (work lost - its mean) - delta bloc (concentration - mean).
    """
    from itertools import product

    from gametheory.restratification.model import designations_and_losses

    cfgs = configurations(region)
    kinds = {o.name: o.kind for o in region.organisations}
    losses = {c: designations_and_losses(region, c)["loss"] for c in cfgs}

    def k(c):
        if c[0] == c[1]:
            return 1.0
        return p.tier_concentration if kinds[c[0]] == kinds[c[1]] == "teaching" else 0.0

    members = region.management_group
    u = np.zeros((len(cfgs), len(members)))
    for j, m in enumerate(members):
        roles = np.array([(m.organisation == c[0]) + (m.organisation == c[1]) for c in cfgs],
                         float)
        lost = np.array([losses[c][m.organisation] if m.organisation else 0.0 for c in cfgs])
        conc = np.array([k(c) for c in cfgs]) * m.bloc
        if m.organisation is None:
            base = p.stake_commissioners
        elif kinds[m.organisation] == "ambulance":
            base = p.stake_ambulance
        else:
            base = p.support
        u[:, j] = (base + p.rho * (roles - roles.mean()) - (lost - lost.mean())
                   - p.delta * (conc - conc.mean()))
    prof = np.array(list(product([0, 1], repeat=len(members))), float)     # (2^n, n)
    w = np.array([m.weight for m in members])
    passing = prof @ w >= region.quota
    sup = 1 / (1 + np.exp(-p.kappa * u))                                   # (C, n)
    lik = np.prod(np.where(prof[None] == 1, sup[:, None], 1 - sup[:, None]), axis=2)
    p_pass = (lik * passing[None]).sum(axis=1)
    V = np.array([p.theta[0] * region.organisation(c[0]).track_record
                  + p.theta[1] * region.organisation(c[0]).performance
                  + p.theta[2] * region.organisation(c[1]).specialist_breadth
                  + p.theta[3] * region.organisation(c[1]).n_super_specialist for c in cfgs])
    e = np.exp(p.lam * (V - V.max())) * p_pass
    return cfgs, p_pass, e / e.sum()


@pytest.mark.parametrize("kw", [{}, {"delta": 0.0}, {"kappa": 0.4, "lam": 1.0},
                                {"rho": -1.0, "support": 1.0, "tier_concentration": 0.2}])
def test_probabilities_equal_enumeration_of_every_vote_profile(kw):
    region = scenarios.load("case-region")
    p = ModelParameters(**kw)
    cfgs, p_pass, prob = _brute_force_probabilities(region, p)
    t = allocation_analysis(region, p).table
    assert list(zip(t["host"], t["centre"], strict=True)) == cfgs
    np.testing.assert_allclose(t["pass_probability"], p_pass, rtol=1e-10)
    np.testing.assert_allclose(t["probability"], prob, rtol=1e-10)


def test_the_veto_matters_and_lambda_kappa_delta_move_the_distribution(case):
    base = case.allocation.table.set_index(["host", "centre"])["probability"]

    def analysis(**kw):
        return allocation_analysis(case.region, ModelParameters(**kw))

    def probs(**kw):
        return analysis(**kw).table.set_index(["host", "centre"])["probability"]

    both = (TH1, TH1)
    no_veto = probs(delta=0.0)
    assert base[both] < 0.02 and no_veto[both] > 0.2          # the bloc's veto is pivotal
    assert analysis(delta=0.0).chosen != case.chosen
    # small kappa: votes nearly coin flips, so P(c) tends to the proposal probabilities
    weak = analysis(kappa=0.05).table
    assert np.abs(weak["probability"] - weak["proposal"]).max() < 0.05
    assert np.abs(base - probs(kappa=0.05)).max() > 0.2
    # lambda = 0: uniform proposals, so P(c) is proportional to the pass probability
    flat = analysis(lam=0.0).table
    np.testing.assert_allclose(flat["probability"],
                               flat["pass_probability"] / flat["pass_probability"].sum())


def test_all_blocked_in_the_limit_falls_back_to_the_proposers_logit():
    from dataclasses import replace

    region = scenarios.load("case-region")
    total = sum(m.weight for m in region.management_group)
    unanimity = replace(region, quota=float(total))      # every configuration has an opponent
    res = run(unanimity, ModelParameters(kappa=float("inf")))
    a = res.allocation
    assert a.all_blocked and a.table["blocked"].all()
    np.testing.assert_allclose(a.table["probability"], a.table["proposal"])
    best = a.table["V"].idxmax()
    assert a.limit_chosen == (a.table.at[best, "host"], a.table.at[best, "centre"])
    assert "every configuration is blocked" in res.report()
    # finite kappa: nothing is impossible, the stochastic model chooses normally
    fin = allocation_analysis(unanimity)
    assert fin.table["pass_probability"].gt(0).all()
    np.testing.assert_allclose(fin.table["probability"].sum(), 1.0)


def test_case_directors_come_from_host_and_mtc_and_are_multiplex(case):
    a = case.appointments[case.appointments["appointed"]]
    assert set(a["organisation"]) == {NT, TH1}
    assert a["multiplex"].all()
    docs = {d.name: d for d in case.region.doctors}
    assert all(docs[n].multiplex for n in a["doctor"])
    # the MTC director is the endorsed candidate
    mtc_dir = a[a["organisation"] == TH1]["doctor"].item()
    assert docs[mtc_dir].endorsed


def test_case_committee_seats_go_to_clinical_leads_first(case):
    roles = case.concessions.roles
    seats = roles[roles["kind"] == "seat"]
    docs = {d.name: d for d in case.region.doctors}
    for org, grp in seats.groupby("organisation"):
        leads = [d.name for d in case.region.doctors_of(org) if d.clinical_lead]
        if leads:
            assert grp["holder"].iloc[0] == leads[0], org
    # the host and the centre hold no committee seat (the committee is the hospitals'
    # body; the network director chairs it)
    assert not set(seats["organisation"]) & set(case.chosen)
    assert all(docs[h].employer == o for h, o in zip(seats["holder"], seats["organisation"],
                                                     strict=True))


def test_case_hierarchy_directors_then_leads_and_bodies_then_members(case):
    h = case.hierarchy
    assert list(h[h["level"] == 1]["role"]) == ["Network Medical Director",
                                                 "MTC Medical Director"]
    level2 = h[h["level"] == 2]["role"]
    assert (level2.str.endswith(" lead") | level2.isin(
        ["Network Clinical Committee", "Major Trauma Centre rotation scheme"])).all()
    assert set(h[h["level"] == 3]["role"]) <= {"Network Clinical Committee seat",
                                               "Major Trauma Centre rotation place"}
    # every position reports to one of the level above (a tree)
    for _, row in h.iterrows():
        if row["level"] == 1:
            assert row["parent"] == -1
        else:
            assert h.at[row["parent"], "level"] == row["level"] - 1


def test_case_losses_and_designations(case):
    d = case.designations
    assert d.loc[TH1, "designation"] == "Major Trauma Centre"
    assert d.loc["Fenwick Community Hospital", "designation"] == "lower-tier unit"
    assert (d.loc[d["kind"] == "district", "designation"].isin(["Trauma Unit",
                                                                 "lower-tier unit"])).all()
    assert d.loc[TH1, "loss"] == 0 and d.loc[TH2, "loss"] > 0


def test_power_indices_are_published_concepts(case):
    # the definitions computed by brute force over every coalition of the management
    # group from its raw weights and quota: Shapley and Shubik (1954),
    # SS_i = sum over S not containing i with S losing and S + i winning of
    # |S|! (n - |S| - 1)! / n!; Banzhaf (1965), swings of i over all swings
    from math import factorial

    members = case.region.management_group
    w = np.array([m.weight for m in members])
    q, n = case.region.quota, len(members)
    masks = np.arange(2**n)
    member = (masks[:, None] >> np.arange(n)) & 1
    wins = member @ w >= q
    size = member.sum(axis=1)
    ss, swings = np.zeros(n), np.zeros(n)
    for i in range(n):
        without = member[:, i] == 0
        pivotal = without & ~wins & wins[masks | (1 << i)]
        ss[i] = sum(factorial(k) * factorial(n - k - 1) for k in size[pivotal]) / factorial(n)
        swings[i] = pivotal.sum()
    p = case.allocation.power
    np.testing.assert_allclose(p["shapley_shubik"], ss, atol=1e-12)
    np.testing.assert_allclose(p["banzhaf"], swings / swings.sum(), atol=1e-12)


# --- counterfactuals ----------------------------------------------------------
@pytest.mark.parametrize("name", ["one-teaching-hospital", "weak-districts",
                                  "no-neutral-bidder", "stroke-network", "cancer-network"])
def test_counterfactuals_meet_their_expectations(name):
    region = scenarios.load(name)
    res = run(region)
    exp = region.expectations
    if "host" in exp:
        assert res.chosen[0] == exp["host"]
    if "centre" in exp:
        assert res.chosen[1] == exp["centre"]
    t = res.allocation.table
    conc = t[t["host"] == t["centre"]]
    assert np.isclose(t["probability"].sum(), 1)
    if "concentrated_blocked_by_bloc" in exp and len(conc):
        assert bool(conc["blocked"].any()) == exp["concentrated_blocked_by_bloc"]


def test_stroke_and_cancer_networks_use_their_role_sets():
    s = run(scenarios.load("stroke-network"))
    assert s.region.roles.centre == "Hyper-Acute Stroke Unit"
    assert "HASU Clinical Lead" in set(s.appointments["role"])
    c = run(scenarios.load("cancer-network"))
    assert "Cancer Centre Director" in set(c.appointments["role"])


def test_random_region_same_seed_same_region_and_runs():
    a = scenarios.random_region(7)
    b = scenarios.random_region(7)
    assert a == b
    assert scenarios.random_region(8) != a
    res = run(a)
    assert res.chosen in configurations(a)
    assert np.isclose(res.allocation.table["probability"].sum(), 1)


# --- scenario files and bad input -----------------------------------------------
def test_scenario_file_round_trip_json_and_toml(tmp_path):
    region = scenarios.load("case-region")
    p = tmp_path / "case.json"
    p.write_text(json.dumps(region.to_dict()))
    again = scenarios.load(str(p))
    assert again == region
    toml = tmp_path / "tiny.toml"
    toml.write_text("""
name = "tiny"
network = "trauma"
[[organisations]]
name = "T"
kind = "teaching"
super_specialist = ["paediatrics"]
trauma_volume = 500
[[organisations]]
name = "D"
kind = "district"
trauma_volume = 200
[[doctors]]
name = "Dr T"
employer = "T"
cultural = 0.9
social = 0.8
symbolic = 0.7
domains = ["practice", "policy"]
[[bids]]
organisation = "T"
role = "host"
[[bids]]
organisation = "T"
role = "centre"
[management_group]
quota = 2
[[management_group.members]]
name = "Commissioners"
weight = 2
[[management_group.members]]
name = "D rep"
weight = 1
organisation = "D"
bloc = true
""")
    res = run(scenarios.load(str(toml)))
    assert res.chosen == ("T", "T")


def _case_dict():
    return scenarios.load("case-region").to_dict()


def test_missing_fields_named():
    d = _case_dict()
    del d["bids"]
    with pytest.raises(ScenarioError, match="bids"):
        Region.from_dict(d)


def test_unknown_organisation_named():
    d = _case_dict()
    d["bids"].append({"organisation": "Atlantis General", "role": "host"})
    with pytest.raises(ScenarioError, match="Atlantis General"):
        Region.from_dict(d)


def test_bid_for_undefined_role_named():
    d = _case_dict()
    d["bids"].append({"organisation": TH1, "role": "helipad"})
    with pytest.raises(ScenarioError, match=r"bids\[5\]\.role.*not a defined role"):
        Region.from_dict(d)


def test_negative_capital_named():
    d = _case_dict()
    d["doctors"][0]["social"] = -0.2
    with pytest.raises(ScenarioError, match=r"doctors\[0\]\.social.*below the minimum 0"):
        Region.from_dict(d)


def test_infeasible_settings_named():
    d = _case_dict()
    d["management_group"]["quota"] = 1000
    with pytest.raises(ScenarioError, match="quota"):
        Region.from_dict(d)
    d = _case_dict()
    d["doctors"] = [x for x in d["doctors"] if x["employer"] != NT]
    with pytest.raises(ScenarioError, match="no candidate doctor"):
        Region.from_dict(d)


def test_several_problems_reported_at_once():
    d = _case_dict()
    d["bids"].append({"organisation": "Nowhere", "role": "helipad"})
    with pytest.raises(ScenarioError, match="2 problems") as err:
        Region.from_dict(d)
    assert {p.path for p in err.value.problems} == {"bids[5].organisation", "bids[5].role"}


def test_unknown_scenario_and_parameter():
    with pytest.raises(ScenarioError, match="restrat list"):
        scenarios.load("no-such-scenario")
    with pytest.raises(gt.InvalidArgumentError, match="unknown parameter"):
        ModelParameters.from_dict({"betta": 1.0})
    with pytest.raises(gt.InvalidArgumentError, match="lam"):
        ModelParameters(lam=-1.0)


# --- outputs -------------------------------------------------------------------
def test_write_outputs_atomically(tmp_path, case, monkeypatch):
    files = case.write(tmp_path / "out")
    names = {f.name for f in files}
    assert {"result.json", "configurations.csv", "power_indices.png",
            "concessions_by_harm.png", "hierarchy.png"} <= names
    data = json.loads((tmp_path / "out" / "result.json").read_text())
    assert data["chosen"] == {"host": NT, "centre": TH1}
    cfg = pd.read_csv(tmp_path / "out" / "configurations.csv")
    assert len(cfg) == 6
    # a failure while writing leaves the earlier file intact and no temporary files
    before = (tmp_path / "out" / "result.json").read_bytes()
    import gametheory.fileio as fio

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(fio.os, "fsync", boom)
    with pytest.raises(OSError):
        case.write(tmp_path / "out", figures=False, overwrite=True)
    assert (tmp_path / "out" / "result.json").read_bytes() == before
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]    # no partial folder left


def test_cli_run_and_list(tmp_path, capsys):
    from restrat.cli import main

    assert main(["list"]) == 0
    assert "case-region" in capsys.readouterr().out
    assert main(["run", "case-region", "--out", str(tmp_path), "--no-figures"]) == 0
    out = capsys.readouterr().out
    assert "Chosen: network host = Riverside Care Trust" in out
    assert (tmp_path / "result.json").exists()
    assert main(["run", "does-not-exist"]) == 2
    assert "unknown scenario" in capsys.readouterr().err
    assert main(["run", "case-region", "--param", "delta=0"]) == 0
    assert "delta 0" in capsys.readouterr().out
    assert main(["run", "case-region", "--param", "beta=1"]) == 2
    assert "delta" in capsys.readouterr().err


def test_yaml_scenario_file(tmp_path):
    import yaml
    region = scenarios.load("one-teaching-hospital")
    p = tmp_path / "one.yaml"
    p.write_text(yaml.safe_dump(region.to_dict()))
    assert scenarios.load(str(p)) == region
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ScenarioError, match="could not parse"):
        scenarios.load(str(bad))
