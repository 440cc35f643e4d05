"""Conditional-logit MLE: derivatives, agreement with statsmodels, structural recovery."""

from __future__ import annotations

import numpy as np
import pytest

import estimation as est
from estimation.mle import clogit_loglik, fit_poisson
from gametheory.restratification import ModelParameters

# lam = 2 keeps every covariate's effect finite (the default lam = 5 makes the
# super-specialist "deal breaker" nearly deterministic: quasi-separation, no finite MLE)
P = ModelParameters(lam=2.0)


@pytest.fixture(scope="module")
def big():
    return est.simulate(n_regions=1500, params=P, seed=41)


def test_gradient_and_hessian_match_finite_differences(big):
    cs = big.choice_sets("configuration")
    b = np.array([1.5, 0.8, 2.0, 2.5, 3.0])
    ll, g, H = clogit_loglik(b, cs.x, cs.mask, cs.chosen)
    h = 1e-6
    for k in range(len(b)):
        e = np.zeros_like(b)
        e[k] = h
        fd = (clogit_loglik(b + e, cs.x, cs.mask, cs.chosen, False)
              - clogit_loglik(b - e, cs.x, cs.mask, cs.chosen, False)) / (2 * h)
        assert g[k] == pytest.approx(fd, rel=1e-6, abs=1e-6)
        g1 = clogit_loglik(b + e, cs.x, cs.mask, cs.chosen)[1]
        g0 = clogit_loglik(b - e, cs.x, cs.mask, cs.chosen)[1]
        assert np.allclose(H[:, k], (g1 - g0) / (2 * h), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("role", ["configuration", "directors", "host"])
def test_agrees_with_statsmodels(big, role):
    t = est.compare_statsmodels(big, role)
    assert (t["abs_diff"] < 0.05 * t["restrat_se"]).all(), t
    assert np.allclose(t["restrat_se"], t["statsmodels_se"], rtol=1e-2)
    # ours is the maximum: statsmodels' estimates never have a higher log-likelihood
    cs = big.choice_sets(role)
    ours = clogit_loglik(t["restrat"].to_numpy(), cs.x, cs.mask, cs.chosen, False)
    theirs = clogit_loglik(t["statsmodels"].to_numpy(), cs.x, cs.mask, cs.chosen, False)
    assert ours >= theirs - 1e-8
    assert t.attrs["n_situations"] > 0


def test_structural_mle_recovers_truth(big):
    m = est.fit_mle(big, model="structural")
    assert m.converged
    truth = est.normalised_truth(P)
    z = (m.params - pd_series(truth)[m.params.index]) / m.se
    assert (z.abs() < 4).all(), z
    assert set(m.parts) == {"configuration", "appointments", "concessions"}


def pd_series(d):
    import pandas as pd

    return pd.Series(d)


def test_poisson_regression():
    rng = np.random.default_rng(0)
    L = rng.uniform(0, 5, 4000)
    y = rng.poisson(np.exp(-0.3 + 0.4 * L))
    r = fit_poisson(y.astype(float), L)
    assert r.converged
    assert abs(r.params["gamma"] - 0.4) < 4 * r.se["gamma"]
    assert abs(r.params["gamma0"] + 0.3) < 4 * r.se["gamma0"]


def test_separation_is_flagged():
    x = np.array([[[0.0], [1.0]]] * 20)
    mask = np.ones((20, 2), bool)
    cs = est.ChoiceSets("toy", x, mask, np.ones(20, int), ("x",),
                        np.full((20, 2), "a", dtype=object), np.arange(20))
    assert not est.fit_mle(cs).converged


def test_bad_input(big):
    with pytest.raises(est.EstimationError, match="model"):
        est.fit_mle(big, model="probit")
    with pytest.raises(TypeError, match="data"):
        est.fit_mle([1, 2, 3])


def test_summary_speaks_statsmodels_and_agrees_with_it(big):
    import statsmodels.api as sm
    from statsmodels.discrete.conditional_models import ConditionalLogit

    from estimation.data import ChoiceSets

    # Poisson regression of the concessions: statsmodels' discrete Poisson has the same
    # likelihood, parameter count and observation count, so every statistic must match
    rng = np.random.default_rng(5)
    L = rng.uniform(0, 2, 400)
    y = rng.poisson(np.exp(-0.4 + 0.8 * L))
    mine = fit_poisson(y, L)
    theirs = sm.Poisson(y, sm.add_constant(L)).fit(disp=0)
    s = mine.summary(alpha=0.1)
    assert list(s.columns) == ["coef", "std err", "z", "P>|z|", "[0.05", "0.95]"]
    np.testing.assert_allclose(s["coef"], theirs.params, rtol=1e-7)
    np.testing.assert_allclose(s["std err"], theirs.bse, rtol=1e-6)
    np.testing.assert_allclose(s["z"], theirs.tvalues, rtol=1e-6)
    np.testing.assert_allclose(s["P>|z|"], theirs.pvalues, rtol=1e-5, atol=1e-300)
    np.testing.assert_allclose(s[["[0.05", "0.95]"]], theirs.conf_int(alpha=0.1), rtol=1e-6)
    for k in ("llf", "aic", "bic"):
        assert s.attrs[k] == pytest.approx(getattr(theirs, k), rel=1e-9), k
    assert (mine.llf, mine.aic, mine.bic) == (s.attrs["llf"], s.attrs["aic"], s.attrs["bic"])
    # the conditional logit of the directors against statsmodels' ConditionalLogit
    cs = big.choice_sets("directors")
    keep = cs.mask.sum(axis=1) > 1
    sub = ChoiceSets(cs.role, cs.x[keep], cs.mask[keep], cs.chosen[keep], cs.names,
                     cs.alternatives[keep], cs.situation_region[keep])
    long = sub.to_long()
    cl = ConditionalLogit(long["chosen"].to_numpy(), long[list(cs.names)].to_numpy(),
                          groups=long["situation"].to_numpy()).fit(disp=0)
    m = est.fit_mle(big, role="directors")
    # statsmodels stops its optimiser earlier (estimates ~1e-3 apart, ours at least as
    # likely): agreement to a small fraction of a standard error
    se = m.bse.to_numpy()
    assert np.all(np.abs(m.params - cl.params) < 0.05 * se)
    np.testing.assert_allclose(m.bse, cl.bse, rtol=1e-2)
    np.testing.assert_allclose(m.tvalues, cl.tvalues, atol=0.1)
    assert np.all(np.abs(m.conf_int().to_numpy() - cl.conf_int()) < 0.1 * se[:, None])
    assert cl.llf - 1e-8 <= m.llf < cl.llf + 1e-3
    with pytest.raises(est.EstimationError, match="alpha"):
        m.conf_int(alpha=1.5)
