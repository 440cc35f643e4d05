"""Simulation from the one model: determinism, the estimands, frequencies against the
model's probabilities computed independently, votes, group effects, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import estimation as est
from estimation.simulate import params_from_estimands
from gametheory.restratification import ModelParameters, scenarios, spec
from gametheory.restratification.model import allocation_analysis


def test_same_seed_same_data_and_different_seed_differs():
    a = est.simulate(n_regions=8, seed=3)
    b = est.simulate(n_regions=8, seed=3)
    c = est.simulate(n_regions=8, seed=4)
    for f in ("regions", "organisations", "doctors", "bids", "members", "allocations"):
        assert getattr(a, f).equals(getattr(b, f))
    assert not a.organisations.equals(c.organisations)
    rng1, rng2 = np.random.default_rng(5), np.random.default_rng(5)
    assert est.simulate(n_regions=3, seed=rng1).allocations.equals(
        est.simulate(n_regions=3, seed=rng2).allocations)


def test_estimands_are_lambda_theta_and_the_vote_parameters():
    p = ModelParameters(theta=(2.0, 1.0, 4.0, 3.0), lam=1.5, kappa=3.0, delta=0.7)
    t = est.normalised_truth(p)
    assert t["lam_theta[host_track_record]"] == 3.0
    assert t["lam_theta[centre_breadth]"] == 6.0
    assert t["kappa"] == 3.0 and t["delta"] == 0.7
    # only lam * theta is identified: (lam, theta) and (1, lam * theta) give the same model
    region = scenarios.load("case-region")
    a1 = allocation_analysis(region, p).table["probability"]
    a2 = allocation_analysis(region, params_from_estimands(t)).table["probability"]
    np.testing.assert_allclose(a1, a2, rtol=1e-12)
    with pytest.raises(est.EstimationError, match="kappa"):
        est.normalised_truth(ModelParameters(kappa=float("inf")))


def test_choice_frequencies_follow_the_models_probabilities():
    # the case region repeated: the frequency of each configuration against the
    # probabilities restrat run reports, and the concession counts against the rate
    region = scenarios.load("case-region")
    p = ModelParameters(lam=2.0, kappa=1.5)
    n = 3000
    d = est.simulate(region, p, n_regions=n, seed=8)
    prob = allocation_analysis(region, p).table["probability"].to_numpy()
    freq = np.bincount(d.arrays().cfg_chosen, minlength=len(prob)) / n
    se = np.sqrt(prob * (1 - prob) / n)
    assert np.all(np.abs(freq - prob) < 4.5 * se + 1e-12), (freq, prob)
    # concession roles: for the chosen (Riverside, Northgate), the mean count of each
    # kind held by each committee hospital against the equilibrium the run reports
    from gametheory.restratification.concessions import solve_committee

    a = d.arrays()
    cfgs = a.design.configurations(0)
    chosen = ("Riverside Care Trust", "Northgate Teaching Hospital")
    rows = a.obs.cfg_chosen == cfgs.index(chosen)
    out = solve_committee(region, chosen, p)
    orgs = list(a.design.org_names[0])
    for j, name in enumerate(out.names[1:], start=1):
        o = orgs.index(name)
        for k in range(3):
            n = a.obs.concessions[rows, k, o]
            N, q = out.pool_count[k], out.probabilities[k, j]
            assert abs(n.mean() - N * q) < 4.5 * np.sqrt(N * q * (1 - q) / rows.sum()) + 1e-12
    assert (a.obs.concessions[rows][:, :, [orgs.index(c) for c in chosen]] == 0).all()


def test_simulated_votes_pass_and_follow_the_support_probabilities():
    region = scenarios.load("case-region")
    p = ModelParameters(kappa=1.0)
    d = est.simulate(region, p, n_regions=2000, seed=4, votes=True)
    a = d.arrays()
    w = a.design.bodies.weights
    votes = a.obs.votes
    assert a.obs.vote_mask.sum(axis=1).min() == len(region.management_group)
    # every recorded profile reaches the quota (the chosen configuration passed)
    assert ((votes * w).sum(axis=1) >= a.design.bodies.quota).all()
    # among regions that chose (Riverside, Northgate), the commissioners' support rate is
    # their support probability conditional on passing, by enumeration of the profiles
    from itertools import product

    cfg = a.design.configurations(0).index(("Riverside Care Trust",
                                            "Northgate Teaching Hospital"))
    rows = a.obs.cfg_chosen == cfg
    u = spec.vote_utilities(spec.parameters(p), a.design)[0, cfg]
    ps = 1 / (1 + np.exp(-p.kappa * u))
    J = len(region.management_group)
    prof = np.array(list(product([0, 1], repeat=J)), float)
    lik = np.prod(np.where(prof == 1, ps[:J], 1 - ps[:J]), axis=1)
    passing = prof @ w[0, :J] >= a.design.bodies.quota[0]
    cond = (lik * passing) @ prof / (lik * passing).sum()        # P(v_j = 1 | pass)
    obs = votes[rows, :J].mean(axis=0)
    se = np.sqrt(cond * (1 - cond) / rows.sum())
    assert np.all(np.abs(obs - cond) < 4.5 * se + 1e-9), (obs, cond)


def test_group_effects_and_networks():
    d = est.simulate(n_regions=9, seed=2, networks=["trauma", "stroke", "cancer"],
                     group_sd={"lam_theta": 0.5, "proposer_advantage": 0.3})
    assert set(d.regions["network"]) == {"trauma", "stroke", "cancer"}
    assert "sigma_lam_theta" in d.truth and "proposer_advantage_dev[stroke]" in d.truth
    assert "lam_theta_dev[cancer, centre_super]" in d.truth


def test_deterministic_veto_can_be_simulated():
    d = est.simulate("case-region", {"kappa": float("inf")}, n_regions=200, seed=1)
    chosen = d.allocations.pivot(index="region", columns="role", values="holder")
    # in the limit a concentrated allocation never passes in the case region
    assert not (chosen["host"] == chosen["centre"]).any()
    assert d.truth == {}


@pytest.mark.parametrize("kwargs, match", [
    ({"n_regions": 0}, "n_regions"),
    ({"seed": "abc"}, "seed"),
    ({"scenario": 42}, "scenario"),
    ({"params": {"nonsense": 1}}, "unknown parameter"),
    ({"params": {"beta": 1}}, "delta"),
    ({"group_sd": {"lam": 1.0}}, "group_sd"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        est.simulate(**kwargs)
