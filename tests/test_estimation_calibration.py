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
    assert a == b and a.theta[0] == 1.0 and a.lam > 0 and a.beta >= 0


def test_reduced_sbc_ranks_uniform():
    # SBC in reduced form (longer runs: `restrat calibrate --sims 100`, and the SBC of
    # benchmarks/bench_estimation.py): 8 prior draws, small data. The ranks of each
    # parameter must be uniform: chi-square over 4 bins, Bonferroni over the 12
    # parameters at 0.001. With 8 simulations this catches gross errors (a simulator
    # and a likelihood that disagree put every rank of a parameter in one tail).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = est.sbc(n_sims=8, n_regions=15, draws=100, tune=150, chains=2, n_posterior=19,
                    sampler="pymc", seed=1)
    assert r.ranks.shape == (8, 12)
    assert r.ranks.to_numpy().min() >= 0 and r.ranks.to_numpy().max() <= 19
    t = r.table()
    assert {"chi2", "p_value", "coverage_95"} <= set(t.columns)
    assert (r.uniformity(bins=4)["p_value"] > 0.001 / 12).all(), r.table()
    assert len(r.plot().axes) >= 12


def test_calibrate_bad_input():
    with pytest.raises(est.EstimationError, match="model"):
        est.calibrate(model="conditional_logit", n_sims=1)
    with pytest.raises(est.EstimationError, match="method"):
        est.calibrate(method="bootstrap", n_sims=1)
    with pytest.raises(est.EstimationError, match="n_sims"):
        est.sbc(n_sims=0)
