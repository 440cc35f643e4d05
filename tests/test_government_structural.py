"""The structural proposal-and-vote model of cabinet formation on the generic formation core.

Independent computations: choice probabilities by enumerating every vote
profile of the parties (no dynamic programme), the coarsened vote likewise on
the rounded seats, the pytensor graph against numpy, maximum likelihood against
the parameters that simulated the data.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.special import expit

from estimation import government as G
from estimation import government_structural as S
from gametheory.errors import InvalidArgumentError
from gametheory.government import (
    FEATURES,
    PROPOSER_FEATURES,
    CabinetDesign,
    Parliament,
    log_choice_probability,
)


def brute_force(p: Parliament, theta, alpha, kappa, unit=1):
    """P(C) over all cabinets by enumerating the votes of every party and of the
    non-party seats; seats rounded to ``unit`` as documented (slack rounded directly)."""
    cabs = p.all_cabinets()
    f = p.features(cabs)[:, [FEATURES.index(x) for x in PROPOSER_FEATURES]]
    seats = list(p.seats)
    other = p.total - sum(seats)
    w = [round(s / unit) for s in seats] + [round(other / unit)]
    slack = round((p.total - p.quota) / unit)
    out = []
    for c, z in zip(cabs, f, strict=True):
        mem = [(c >> i) & 1 for i in range(p.n)]
        pol = sum(s * x for s, x, m in zip(seats, p.positions, mem, strict=True) if m) / sum(
            s for s, m in zip(seats, mem, strict=True) if m)
        if sum(s for s, m in zip(seats, mem, strict=True) if m) >= p.quota:
            pp = 1.0        # a majority cabinet passes with its own votes
        else:
            prob = [1.0 if m else expit(alpha - kappa * abs(x - pol))
                    for x, m in zip(p.positions, mem, strict=True)] + [expit(alpha)]
            pp = 0.0
            for v in itertools.product([0, 1], repeat=p.n + 1):
                pr = np.prod([q if vi else 1 - q for q, vi in zip(prob, v, strict=True)])
                if sum(wi for wi, vi in zip(w, v, strict=True) if not vi) <= slack:
                    pp += pr
        out.append(np.exp(z @ theta) * pp)
    out = np.array(out)
    return out / out.sum()


@pytest.mark.parametrize("seed", range(4))
def test_probabilities_equal_brute_force_enumeration(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 6))
    seats = rng.integers(1, 40, n)
    p = Parliament.from_seats(seats, rng.uniform(0, 10, n), total=int(seats.sum()
                              + rng.integers(0, 5)), incumbent=int(rng.integers(1, 1 << n)))
    theta = rng.normal(size=5)
    alpha, kappa = float(rng.normal()), float(rng.uniform(0, 2))
    d = CabinetDesign.build([p], [p.all_cabinets()], max_units=10_000)      # unit 1: exact
    got = np.exp(log_choice_probability(theta, alpha, kappa, d)[0, d.order[0]])
    np.testing.assert_allclose(got, brute_force(p, theta, alpha, kappa), atol=1e-13)


def test_coarsened_vote_is_the_documented_rounding():
    rng = np.random.default_rng(7)
    seats = np.array([212, 167, 93, 61, 40])
    p = Parliament.from_seats(seats, rng.uniform(0, 10, 5), total=598)
    theta, alpha, kappa = rng.normal(size=5), 0.3, 0.8
    d = CabinetDesign.build([p], [p.all_cabinets()], max_units=60)
    assert d.unit[0] == 10
    got = np.exp(log_choice_probability(theta, alpha, kappa, d)[0, d.order[0]])
    np.testing.assert_allclose(got, brute_force(p, theta, alpha, kappa, unit=10), atol=1e-13)


def test_design_refuses_a_formed_cabinet_outside_the_choice_set():
    p = Parliament.from_seats([3, 2], [1.0, 2.0])
    with pytest.raises(InvalidArgumentError, match="chosen"):
        CabinetDesign.build([p], [np.array([1, 2])], chosen=[3])


def test_pytensor_loglik_equals_numpy():
    """The one likelihood, compiled by pytensor (as in the pymc model) and on numpy."""
    import pytensor
    import pytensor.tensor as pt

    from gametheory.formation import pytensor_backend

    d = S.simulate_structural([-0.8, -0.4, 0.5, 0.7, 2.0], -1.0, 0.6, n_opportunities=12,
                              n_parties=(3, 7), seed=2)
    sd = S.build_structural_design(d, max_exact=3, n_draws=8, importance=None,
                                   edges=(3, 5))
    assert len(sd.buckets[0].blocks) >= 2
    v = pt.dvector("v")
    alpha = pt.dvector("a")
    ll = S.structural_loglik(v[:5], alpha, v[5], sd, pytensor_backend())
    f = pytensor.function([v, alpha], ll)
    rng = np.random.default_rng(1)
    for _ in range(3):
        x = rng.normal(size=6)
        x[5] = abs(x[5])
        a = rng.normal(size=sd.n_countries)
        want = S.structural_loglik(x[:5], a, x[5], sd)
        assert float(f(x, a)) == pytest.approx(float(want), abs=1e-10)


def test_exact_derivatives_match_differences_of_the_likelihood():
    """The forward-mode gradient and Hessian against central differences of
    structural_loglik (the programme as the models run it), over several vote blocks."""
    d = S.simulate_structural([-0.8, -0.4, 0.5, 0.7, 2.0], -1.0, 0.6, n_opportunities=15,
                              n_parties=(3, 7), seed=5)
    sd = S.build_structural_design(d, max_exact=3, n_draws=8, importance=None,
                                   edges=(3, 5))
    assert len(sd.buckets[0].blocks) >= 2

    def ll(x):
        return float(S.structural_loglik(x[:5], x[5], x[6], sd))

    rng = np.random.default_rng(4)
    for _ in range(2):
        x = np.append(rng.normal(scale=0.7, size=6), rng.uniform(0.1, 1.5))
        val, g, H = S.structural_loglik_derivatives(x, sd)
        assert val == pytest.approx(ll(x), abs=1e-10)
        h = 1e-5
        fd = np.array([(ll(x + h * e) - ll(x - h * e)) / (2 * h) for e in np.eye(7)])
        np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-6)
        fh = np.array([(S.structural_loglik_derivatives(x + h * e, sd, order=1)[1]
                        - S.structural_loglik_derivatives(x - h * e, sd, order=1)[1])
                       / (2 * h) for e in np.eye(7)])
        np.testing.assert_allclose(H, fh, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(H, H.T, atol=1e-12)


def test_mle_recovers_the_simulating_parameters():
    truth = np.array([-0.8, -0.4, 0.5, 0.7, 2.0, -1.0, 0.6])
    d = S.simulate_structural(truth[:5], truth[5], truth[6], n_opportunities=250,
                              n_parties=4, seed=3)
    m = S.fit_structural_mle(d, max_exact=4, importance=None)
    assert m.converged
    z = (m.params.to_numpy() - truth) / m.se.to_numpy()
    assert np.all(np.abs(z) < 3.5), z
    # the estimates are a maximum: the likelihood at the truth is lower
    sd = m.parts["design"]
    assert m.loglik >= float(S.structural_loglik(truth[:5], truth[5], truth[6], sd)) - 1e-6
    # ... and a maximum of the function the models use: no coordinate step improves it
    x = m.params.to_numpy()
    for e in np.eye(len(x)) * 1e-3 * m.se.to_numpy()[:, None] * 10:
        for y in (x + e, x - e):
            if y[-1] >= 0:
                assert float(S.structural_loglik(y[:5], y[5], y[6], sd)) <= m.loglik + 1e-9
    assert m.parts["newton_step_se"] < 1e-2


def test_posterior_predictive_score_is_the_mean_probability():
    p = Parliament.from_seats([30, 25, 20, 15], [1.0, 4.0, 6.0, 9.0], total=92)
    d = G.simulate_formation(np.zeros(8), n_opportunities=1, n_parties=4, seed=0)
    draws = {"theta": np.array([[-0.5, -0.3, 0.4, 0.6, 1.0], [-1.0, 0.0, 0.2, 0.1, 2.0]]),
             "alpha": np.array([0.2, -0.4]), "kappa": np.array([0.5, 1.5])}
    score = S.structural_score(draws["theta"], draws["alpha"], draws["kappa"], d, chunk=5,
                               max_units=10_000)
    masks = p.all_cabinets()
    got = np.exp(score(0, p, masks))
    want = np.mean([brute_force(p, draws["theta"][s], draws["alpha"][s], draws["kappa"][s])
                    for s in range(2)], axis=0)
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_pruned_topk_equals_full_ranking():
    """The pruned ranking gives the same top-k probabilities as ranking every cabinet by
    brute-force probabilities, draw by draw and averaged over draws."""
    d = G.simulate_formation(np.zeros(8), n_opportunities=6, n_parties=(3, 6), seed=5)
    rng = np.random.default_rng(0)
    draws = {"theta": rng.normal(size=(3, 5)), "alpha": rng.normal(size=3),
             "kappa": rng.uniform(0, 2, 3)}
    got = S.structural_topk(draws, d, ks=(1, 2, 5), chunk=3, max_units=10_000)
    for i, (p, c) in enumerate(zip(d.parliaments, d.chosen, strict=True)):
        want = np.zeros(3)
        for s in range(3):
            P = brute_force(p, draws["theta"][s], draws["alpha"][s], draws["kappa"][s])
            want += [G.top_k_probability(np.log(P), int(c) - 1, k) for k in (1, 2, 5)]
        np.testing.assert_allclose(got.loc[i, ["top1", "top2", "top5"]].to_numpy(float),
                                   want / 3, atol=1e-9)


@pytest.mark.parametrize("hierarchical", [False, True])
def test_jax_model_logp_is_the_mle_likelihood_plus_the_priors(hierarchical):
    """The pymc model as nutpie samples it (likelihood="jax": one Op, compiled to JAX):
    its log density at a point is the likelihood the MLE maximises plus the priors
    (scipy densities, the log-transforms' Jacobians), and JAX's gradient of it equals
    central finite differences of the numpy likelihood."""
    import jax
    from pymc.sampling.jax import get_jaxified_graph
    from scipy import stats

    d = S.simulate_structural([-0.8, -0.4, 0.5, 0.7, 2.0], -1.0, 0.6, n_opportunities=14,
                              n_parties=(3, 5), seed=0)
    d.opportunities["country"] = np.where(np.arange(14) % 3 == 0, "AAA", "BBB")
    sd = S.build_structural_design(d, max_exact=5, importance=None)
    sides = {bl.side for bl in sd.buckets[0].blocks}
    assert sides == {"opposition", "support"}, sides      # both programmes are exercised
    m = S.government_model(sd, hierarchical=hierarchical, likelihood="jax")
    names = [v.name for v in m.value_vars]
    f = get_jaxified_graph(inputs=m.value_vars, outputs=[m.logp()])
    f_ll = get_jaxified_graph(inputs=m.value_vars, outputs=[m.logp(vars=m.potentials)])
    rng = np.random.default_rng(5)
    th, lk = rng.normal(0, 0.5, 5), np.log(0.7)
    if hierarchical:
        mu, ls, z = -0.5, np.log(0.8), rng.normal(size=2)
        alpha = mu + np.exp(ls) * z
        vals = {"theta": th, "kappa_log__": lk, "mu_alpha": mu, "sigma_alpha_log__": ls,
                "z_alpha": z}
        prior = (stats.norm(0, 2).logpdf(mu) + stats.halfnorm(0, 1).logpdf(np.exp(ls)) + ls
                 + stats.norm.logpdf(z).sum())
    else:
        alpha = -0.5
        vals = {"theta": th, "kappa_log__": lk, "alpha": alpha}
        prior = stats.norm(0, 2).logpdf(alpha)
    prior += stats.norm(0, 2).logpdf(th).sum() + stats.halfnorm(0, 2).logpdf(0.7) + lk
    args = [np.asarray(vals[n], float) for n in names]
    ll = float(S.structural_loglik(th, alpha, 0.7, sd))
    assert float(f_ll(*args)[0]) == pytest.approx(ll, rel=1e-12)
    # pymc rounds the normal densities' constant (about 2e-9 each): hence abs=1e-7
    assert float(f(*args)[0]) == pytest.approx(ll + prior, abs=1e-7)
    # the likelihood the MLE maximises is this function (its negative is the objective)
    m_ll = S.fit_structural_mle(sd, start=np.r_[th, -0.5, 0.7]).parts["design"]
    assert float(S.structural_loglik(th, alpha, 0.7, m_ll)) == ll
    # JAX's gradient with respect to theta against finite differences of numpy
    i = names.index("theta")
    g = jax.grad(lambda t: f(*args[:i], t, *args[i + 1:])[0])(args[i])
    h = 1e-6
    for k in range(5):
        e = np.eye(5)[k] * h
        fd = (S.structural_loglik(th + e, alpha, 0.7, sd)
              - S.structural_loglik(th - e, alpha, 0.7, sd)) / (2 * h)
        fd += stats.norm(0, 2).logpdf(th[k] + h) / (2 * h) - stats.norm(0, 2).logpdf(
            th[k] - h) / (2 * h)
        assert float(g[k]) == pytest.approx(fd, rel=1e-5, abs=1e-6)


def test_jax_model_refuses_pytensor_gradients_and_unknown_likelihoods():
    d = S.simulate_structural([-0.8, -0.4, 0.5, 0.7, 2.0], -1.0, 0.6, n_opportunities=5,
                              n_parties=3, seed=1)
    sd = S.build_structural_design(d, max_exact=3, importance=None)
    with pytest.raises(InvalidArgumentError, match="likelihood"):
        S.government_model(sd, likelihood="numba")
    m = S.government_model(sd, likelihood="jax")
    with pytest.raises(InvalidArgumentError, match="nutpie"):
        m.compile_dlogp()
