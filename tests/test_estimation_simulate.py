"""Simulation from the model: determinism, the normalisation, group effects, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import estimation as est
from gametheory.restratification import ModelParameters, scenarios


def test_same_seed_same_data_and_different_seed_differs():
    a = est.simulate(n_regions=8, seed=3)
    b = est.simulate(n_regions=8, seed=3)
    c = est.simulate(n_regions=8, seed=4)
    for f in ("regions", "organisations", "doctors", "bids", "allocations"):
        assert getattr(a, f).equals(getattr(b, f))
    assert not a.organisations.equals(c.organisations)
    rng1, rng2 = np.random.default_rng(5), np.random.default_rng(5)
    assert est.simulate(n_regions=3, seed=rng1).allocations.equals(
        est.simulate(n_regions=3, seed=rng2).allocations)


def test_normalisation():
    t = est.normalised_truth(ModelParameters(theta=(2.0, 1.0, 4.0, 3.0), lam=1.5, beta=1.0))
    assert t["lam"] == 3.0 and t["theta[host_performance]"] == 0.5
    assert t["theta[centre_breadth]"] == 2.0 and t["beta"] == 0.5
    # the likelihood only depends on lam*theta and lam*beta: same choice probabilities
    bank = est.RegionBank.build([scenarios.load("case-region")])
    l1 = bank.config_logits(1.5, np.array([2.0, 1.0, 4.0, 3.0]), 1.0)
    l2 = bank.config_logits(3.0, np.array([1.0, 0.5, 2.0, 1.5]), 0.5)
    assert np.allclose(l1, l2)
    with pytest.raises(est.EstimationError, match="numeraire"):
        est.normalised_truth(ModelParameters(theta=(0.0, 1.0, 1.0, 1.0)))


def test_choice_frequencies_follow_the_logit():
    region = scenarios.load("case-region")
    p = ModelParameters(lam=2.0)
    d = est.simulate(region, p, n_regions=3000, seed=8)
    bank = d.bank
    logits = bank.config_logits(p.lam, np.asarray(p.theta), p.beta)[0]
    prob = np.exp(logits - logits.max())
    prob /= prob.sum()
    freq = np.bincount(d.arrays().cfg_chosen, minlength=len(prob)) / 3000
    assert np.allclose(freq, prob, atol=0.03)
    # concession counts: mean matches the Poisson rate
    a = d.arrays()
    rate = np.exp(p.gamma0 + p.gamma * a.con_loss)
    assert abs(a.con_count.mean() - rate.mean()) < 4 * np.sqrt(rate.mean() / len(rate))


def test_group_effects_and_networks():
    d = est.simulate(n_regions=9, seed=2, networks=["trauma", "stroke", "cancer"],
                     group_sd={"theta": 0.5, "gamma0": 0.3})
    assert set(d.regions["network"]) == {"trauma", "stroke", "cancer"}
    assert "sigma_theta" in d.truth and "gamma0_dev[stroke]" in d.truth
    assert "theta_dev[cancer, centre_super]" in d.truth


@pytest.mark.parametrize("kwargs, match", [
    ({"n_regions": 0}, "n_regions"),
    ({"seed": "abc"}, "seed"),
    ({"scenario": 42}, "scenario"),
    ({"params": {"nonsense": 1}}, "unknown parameter"),
    ({"group_sd": {"lam": 1.0}}, "group_sd"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        est.simulate(**kwargs)
