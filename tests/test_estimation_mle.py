"""MLE: the conditional logit (derivatives, statsmodels), the structural proposal-and-vote
MLE (recovery, the same likelihood as the pymc model), identification diagnostics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import estimation as est
from estimation.mle import clogit_loglik
from gametheory.restratification import ModelParameters

# lam = 2 keeps every covariate's effect finite (the default lam = 5 makes the
# super-specialist "deal breaker" nearly deterministic: quasi-separation, no finite MLE);
# harm_weight = 0.5 makes reservation values bind in most committees (at the default 0.15
# almost none binds and the role counts carry no information on it)
P = ModelParameters(lam=2.0, harm_weight=0.5, proposer_advantage=0.4)


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


@pytest.fixture(scope="module")
def voted():
    # the members' votes recorded: they identify the vote parameters (except the
    # commissioners' stake: their recorded votes are almost all support, which separates)
    return est.simulate(n_regions=300, params=P, seed=43, votes=True)


def test_structural_mle_recovers_truth_and_is_the_models_likelihood(voted):
    from estimation.mle import StructuralLikelihood
    from estimation.models import structural_model
    from gametheory.restratification import spec

    m = est.fit_mle(voted, model="structural", fixed={"stake_commissioners": 2.0,
                                                      "patience": 0.9})
    d = m.diagnostics
    assert m.converged and (d["issue"] == "held fixed").all(), d
    # what is left of the optimisation (at a kink of the bargaining block too) is
    # negligible beside the standard errors, and the information is positive definite
    assert m.parts["newton_step_se"] < 1e-2
    assert np.all(np.linalg.eigvalsh(m.information.to_numpy()) > 0)
    assert set(d["parameter"]) == {"stake_commissioners", "patience"}
    assert "unanimity" in d.set_index("parameter").at["patience", "cause"]
    # every estimand, the committee's bargaining parameters included, within 4 SE
    truth = pd.Series(est.normalised_truth(P))[m.params.index]
    z = (m.params - truth) / m.se
    assert {"harm_weight", "proposer_advantage"} <= set(z.index)
    assert (z.abs() < 4).all(), z
    # the function maximised is the pymc model's log-likelihood, and the spec's on numpy
    # (on a few of the regions: the same functions, a smaller graph)
    few = voted.subset(list(voted.regions["region"][:8]))
    a = few.arrays()
    lik = StructuralLikelihood(a)
    x = np.array([est.normalised_truth(P)[k] for k in lik.labels]) + 0.1
    # inside the support: harm_weight 0.6 leaves some committee's pool short of its
    # reservation values although the network kept roles (log-likelihood -inf)
    x[lik.labels.index("harm_weight")] -= 0.2
    ll, g = lik(x, lik.observations(a.obs))
    assert np.isfinite(ll) and np.all(np.isfinite(g))
    # the Hessian by automatic differentiation against central differences of the
    # gradient, along a few directions (a point where the bargaining block is smooth)
    vals = lik.observations(a.obs)
    H = lik.hessian(x, vals)
    rng = np.random.default_rng(0)
    for v in rng.normal(size=(3, len(x))):
        h = 1e-6
        fd = (lik(x + h * v, vals)[1] - lik(x - h * v, vals)[1]) / (2 * h)
        np.testing.assert_allclose(H @ v, fd, rtol=1e-5, atol=1e-5 * np.abs(H).max())
    par = {}
    for name, labels in spec.ESTIMANDS.items():
        if name in lik.fixed:                          # the patience, held at 0.9
            par[name] = np.array([lik.fixed[name]])
            continue
        vals = [x[lik.labels.index(f"{name}[{lab}]")] for lab in labels] if labels else \
            [x[lik.labels.index(name)]]
        par[name] = np.array(vals)[None, :] if labels else np.array(vals)
    assert ll == pytest.approx(sum(float(v.sum()) for v in spec.log_likelihood(
        par, a.design, a.obs).values()), rel=1e-10)
    model = structural_model(few)
    point = model.initial_point()
    for name in spec.ESTIMANDS:
        v = par[name][0]
        key = f"{name}_log__" if f"{name}_log__" in point else name
        if key in point:
            point[key] = np.log(v) if key.endswith("_log__") else v
    f = model.compile_logp(vars=model.observed_RVs, mode="FAST_COMPILE")
    assert f(point) == pytest.approx(ll, rel=1e-10)


def test_structural_mle_steps_back_from_a_nan_gradient():
    # where kappa and delta run away together the vote block's gradient can overflow to
    # NaN while the log-likelihood is still finite (seen in bench_identification at 20
    # regions without votes); the optimiser must treat such a point as outside the
    # support, not follow the NaN (every estimate came back NaN). Here the gradient is
    # made NaN beyond the midpoint of kappa's start and its unrestricted estimate.
    from estimation.mle import StructuralLikelihood, fit_structural

    data = est.simulate(n_regions=40, params=P, seed=5, votes=True)
    a = data.arrays()
    lik = StructuralLikelihood(a)
    k = lik.labels.index("kappa")
    free = fit_structural(lik, a.obs)
    k0, k_hat = lik.start()[k], free.params["kappa"]
    assert abs(k_hat - k0) > 0.2, (k0, k_hat)
    mid, side = 0.5 * (k0 + k_hat), np.sign(k_hat - k0)

    class NaNGradient(StructuralLikelihood):
        def __call__(self, x, vals):
            ll, g = super().__call__(x, vals)
            return (ll, np.full_like(g, np.nan)) if side * (x[k] - mid) > 0 else (ll, g)

    lik.__class__ = NaNGradient          # same compiled functions, no second compilation
    capped = fit_structural(lik, a.obs)
    assert np.all(np.isfinite(capped.params)), capped.params
    assert np.isfinite(capped.loglik) and side * (capped.params["kappa"] - mid) <= 1e-9
    # the capped maximum is below the free one and is the log-likelihood at its estimate
    assert capped.loglik <= free.loglik + 1e-9
    x = capped.params[list(lik.labels)].to_numpy()
    assert StructuralLikelihood.__call__(lik, x, lik.observations(a.obs))[0] == \
        pytest.approx(capped.loglik, rel=1e-12)


def test_weak_identification_and_separation_are_named():
    # allocations only: the stakes of members whose stake is the same under every
    # configuration (commissioners, the ambulance service) are not identified, and the
    # MLE runs away or goes flat along them; the diagnostic names them
    data = est.simulate(n_regions=200, params=P, seed=3)
    m = est.fit_mle(data, model="structural")
    d = m.diagnostics
    assert not m.converged or not d.empty
    assert {"stake_commissioners", "stake_ambulance"} & set(d["parameter"]), d
    assert d["cause"].str.len().gt(20).all()
    # a flat direction by construction: two parameters entering only through their sum
    from estimation.identification import diagnose_mle

    t = diagnose_mle(["a", "b", "c"], np.zeros(3), np.array([[4.0, 4, 0], [4, 4, 0],
                                                              [0, 0, 1]]))
    assert set(t["parameter"]) == {"a", "b"} and set(t["issue"]) == {"flat direction"}
    # and the bound: no veto in the data puts delta at 0
    t = diagnose_mle(["delta"], np.zeros(1), np.eye(1), bounds=[(0.0, None)],
                     logit_scale=[True])
    assert t["issue"].tolist() == ["at a bound"]


def test_separation_is_flagged():
    x = np.array([[[0.0], [1.0]]] * 20)
    mask = np.ones((20, 2), bool)
    cs = est.ChoiceSets("toy", x, mask, np.ones(20, int), ("x",),
                        np.full((20, 2), "a", dtype=object), np.arange(20))
    m = est.fit_mle(cs)
    assert not m.converged
    assert m.diagnostics["issue"].tolist() == ["runaway coefficient"]
    assert "separation" in m.diagnostics["cause"].iloc[0]


def test_bad_input(big):
    with pytest.raises(est.EstimationError, match="model"):
        est.fit_mle(big, model="probit")
    with pytest.raises(TypeError, match="data"):
        est.fit_mle([1, 2, 3])


def test_summary_speaks_statsmodels_and_agrees_with_it(big):
    from statsmodels.discrete.conditional_models import ConditionalLogit

    from estimation.data import ChoiceSets

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
    s = m.summary(alpha=0.1)
    assert list(s.columns) == ["coef", "std err", "z", "P>|z|", "[0.05", "0.95]"]
    np.testing.assert_allclose(s["std err"], cl.bse, rtol=1e-2)
    assert (m.llf, m.aic, m.bic) == (s.attrs["llf"], s.attrs["aic"], s.attrs["bic"])
    assert s.attrs["aic"] == pytest.approx(2 * len(s) - 2 * m.llf, rel=1e-12)
    with pytest.raises(est.EstimationError, match="alpha"):
        m.conf_int(alpha=1.5)
