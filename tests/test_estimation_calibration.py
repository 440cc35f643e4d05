"""Simulation-based calibration (reduced run) and the rank/uniformity machinery."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import estimation as est
from estimation.calibration import SBCResult, prior_draw_params, rank_statistics


def test_rank_statistics_and_uniformity_test():
    rng = np.random.default_rng(0)
    L = 49
    uniform = SBCResult(pd.DataFrame({"a": rng.integers(0, L + 1, 400)}), L)
    assert uniform.uniformity().loc["a", "p_value"] > 0.001
    assert uniform.histogram().sum().iloc[0] == 400
    # an over-confident posterior puts the truth in the tails: ranks pile up at 0 and L
    skew = SBCResult(pd.DataFrame({"a": rng.choice([0, L], 400)}), L)
    assert skew.uniformity().loc["a", "p_value"] < 1e-6
    assert skew.coverage(0.95)["a"] == 0.0
    # exact ranks: truth drawn with the posterior draws -> uniform ranks
    ranks = [rank_statistics({"x": rng.normal()}, {"x": rng.normal(size=L)})["x"]
             for _ in range(600)]
    assert SBCResult(pd.DataFrame({"x": ranks}), L).uniformity().loc["x", "p_value"] > 0.001


def test_prior_draws_reproducible():
    a = prior_draw_params(None, np.random.default_rng(3))
    b = prior_draw_params(None, np.random.default_rng(3))
    assert a == b and a.lam == 1.0 and a.kappa > 0 and a.delta >= 0
    assert prior_draw_params(None, np.random.default_rng(3), veto=False).delta == 0.0


def _rank_shift_and_spread_pvalues(ranks: pd.DataFrame, L: int, reps: int = 200_000):
    """Per parameter, p values of the mean of 2u - 1 (two-sided: a shifted posterior)
    and of the mean of (2u - 1)^2 (upper: an over-confident or sign-flipped posterior
    puts the truth in both tails), u = (rank + 1/2) / (L + 1). Null distributions by
    Monte Carlo of uniform ranks on {0..L} (fixed seed, so no sampler enters them)."""
    rng = np.random.default_rng(12345)
    n = len(ranks)
    null_u = (rng.integers(0, L + 1, size=(reps, n)) + 0.5) / (L + 1)
    null_shift = np.abs((2 * null_u - 1).mean(axis=1))
    null_spread = ((2 * null_u - 1) ** 2).mean(axis=1)
    out = {}
    for c in ranks.columns:
        u = (ranks[c].to_numpy() + 0.5) / (L + 1)
        shift = abs((2 * u - 1).mean())
        spread = ((2 * u - 1) ** 2).mean()
        out[c] = ((null_shift >= shift - 1e-12).mean(), (null_spread >= spread - 1e-12).mean())
    return pd.DataFrame(out, index=["p_shift", "p_spread"]).T


def test_reduced_sbc_on_the_games_own_data():
    # SBC in reduced form (the full study: benchmarks/bench_identification.py, results in
    # benchmarks/RESULTS_identification.md). 20 prior draws of all 17 estimands, data from
    # the one model (proposal and vote with the members' votes recorded, appointments,
    # concessions from the committee's bargaining; the patience held at 0.9) on 12 fixed
    # random regions, one compilation refitted 20 times. Per
    # parameter: ranks uniform (chi-square over 4 bins, p > 0.01 after Bonferroni over
    # the 17 parameters), no shift and no excess in the tails (Bonferroni over 17 x 2
    # statistics at 0.001), and the 95% intervals' coverage inside the binomial 99.9%
    # range.
    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = est.sbc(n_sims=20, n_regions=12, draws=100, tune=150, chains=2, n_posterior=19,
                    seed=1, votes=True)
    assert r.ranks.shape == (20, 17)
    assert r.ranks.to_numpy().min() >= 0 and r.ranks.to_numpy().max() <= 19
    t = r.table()
    assert {"chi2", "p_value", "coverage_95"} <= set(t.columns)
    p = _rank_shift_and_spread_pvalues(r.ranks, 19)
    assert (p.to_numpy() > 0.001 / 34).all(), pd.concat([p, r.ranks.T], axis=1)
    assert (r.uniformity(bins=4)["p_value"] > 0.01 / 17).all(), t
    lo, hi = stats.binom.ppf([0.0005, 0.9995], 20, 0.95) / 20
    assert t["coverage_95"].between(lo, hi).all(), t
    assert {"kappa", "delta", "harm_weight", "proposer_advantage"} <= set(t.index)
    assert len(r.plot().axes) >= 17


def test_rank_checks_detect_tails_and_shifts():
    rng = np.random.default_rng(1)
    ok = pd.DataFrame({"a": rng.integers(0, 20, 8)})
    assert (_rank_shift_and_spread_pvalues(ok, 19).to_numpy() > 0.01).all()
    tails = pd.DataFrame({"a": [19, 0, 19, 1, 0, 18, 19, 0]})
    assert _rank_shift_and_spread_pvalues(tails, 19).loc["a", "p_spread"] < 1e-4
    low = pd.DataFrame({"a": [0, 1, 0, 2, 0, 1, 0, 0]})
    assert _rank_shift_and_spread_pvalues(low, 19).loc["a", "p_shift"] < 1e-4


def test_calibrate_bad_input():
    with pytest.raises(est.EstimationError, match="model"):
        est.calibrate(model="conditional_logit", n_sims=1)
    with pytest.raises(est.EstimationError, match="method"):
        est.calibrate(method="bootstrap", n_sims=1)
    with pytest.raises(est.EstimationError, match="n_sims"):
        est.sbc(n_sims=0)
