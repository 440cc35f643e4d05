"""The structural likelihood on JAX: the spec's JAX backend against numpy (1e-10), the
one-Op likelihood of the pymc model (``likelihood="jax"``) against the numpy spec plus
the priors, its JAX gradient against finite differences, imputation through the Op, and
a small nutpie fit on JAX (jax and nutpie are in the dev extra: nothing here skips)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from _model_points import POINT, spec_params, value_point

import estimation as est
from estimation.models import hierarchical_model, structural_model
from gametheory.formation import jax_backend
from gametheory.restratification import scenarios, spec

FAST = {"mode": "FAST_COMPILE"}


def _region(rng):
    r = scenarios.random_region(rng, n_districts=int(rng.integers(2, 4)))
    # every other region's committee decides by a quota below unanimity (the quantal
    # proposer's iterations, a lax.scan on JAX)
    return replace(r, committee_quota=0.7) if rng.random() < 0.5 else r


@pytest.fixture(scope="module")
def data():
    return est.simulate(_region, n_regions=8, seed=7, networks=["trauma", "stroke"],
                        votes=True)


@pytest.fixture(scope="module")
def few(data):
    """Four regions of two network types, a quota committee among them."""
    sub = data.subset(list(data.regions["region"][:4]))
    assert not sub.arrays().design.committee.unanimous.all()
    assert len(set(sub.arrays().group_idx)) == 2
    return sub


def _random_par(rng, G):
    """Parameters with a draw axis (2) and a region axis of size G (group effects)."""
    par = {}
    for name, labels in spec.ESTIMANDS.items():
        base = np.asarray(POINT[name], float)
        shape = (2, G, len(labels)) if labels else (2, G)
        par[name] = base + 0.3 * rng.standard_normal(shape)
    par["kappa"] = np.abs(par["kappa"])
    par["harm_weight"] = np.abs(par["harm_weight"])
    par["patience"] = np.clip(par["patience"], 0.6, 0.97)
    return par


def test_spec_on_jax_equals_numpy_on_random_regions(data):
    import jax

    a = data.arrays()
    assert a.obs.has_votes and not a.design.committee.unanimous.all()
    rng = np.random.default_rng(3)
    xp = jax_backend()
    ll_jax = jax.jit(lambda p: spec.log_likelihood(p, a.design, a.obs, xp))
    for _ in range(2):
        par = _random_par(rng, a.n_regions)
        num = spec.log_likelihood(par, a.design, a.obs)
        jx = ll_jax(par)
        for part in ("configuration", "appointment", "concessions"):
            # (a parameter draw may give an observed count probability 0: -inf in both)
            assert np.isfinite(num[part]).mean() > 0.8, part
            np.testing.assert_allclose(np.asarray(jx[part]), num[part], rtol=1e-10,
                                       atol=1e-10, err_msg=part)


def test_appointment_term_equals_a_softmax_over_the_chosen_organisations_doctors(data):
    # against a loop over regions and roles, from the candidates' named features
    a = data.arrays()
    d, obs = a.design, a.obs
    par = {k: (np.asarray(v, float)[None, :] if np.ndim(v) else np.array([float(v)]))
           for k, v in POINT.items()}
    got = spec.appointment_log_probability(par, d, obs)
    w = np.r_[POINT["alpha"], POINT["mu"], POINT["eta"]]
    assert list(spec.APPOINTMENT_FEATURES) == ["cultural", "social", "symbolic", "multiplex",
                                               "endorsed"]
    checked = 0
    for g in range(d.n_regions):
        c = int(obs.cfg_chosen[g])
        for role, org in enumerate((d.cfg_host[g, c], d.cfg_centre[g, c])):
            if not obs.director_mask[g, role]:
                assert got[g, role] == 0.0
                continue
            live = d.cand_mask[g, org]
            u = d.cand_z[g, org][live] @ w
            k = int(obs.director[g, role])
            want = u[k] - np.log(np.exp(u).sum())
            assert got[g, role] == pytest.approx(want, rel=1e-12, abs=1e-12)
            checked += 1
    assert checked > 0


def test_compiled_appointment_term_equals_the_graph_and_its_gradient(data, monkeypatch):
    """The appointment logit's compiled loop on JAX against the numpy graph (values to
    1e-12 with shared, per-region and batched parameters; some roles unobserved) and
    its gradient against JAX differentiating the graph (the path without numba)."""
    import jax
    import jax.numpy as jnp

    a = data.arrays()
    d, obs = a.design, a.obs
    mask = np.asarray(obs.director_mask, bool).copy()
    mask[0, 1] = mask[3, 0] = False
    obs = replace(obs, director_mask=mask)
    xp = jax_backend()
    rng = np.random.default_rng(8)
    G = a.n_regions
    shapes = {"shared": (1,), "region": (G,), "batch": (2, G)}
    for what, sh in shapes.items():
        par = {"alpha": rng.normal(size=sh + (3,)), "mu": rng.normal(size=sh),
               "eta": rng.normal(size=sh)}
        num = spec.appointment_log_probability(par, d, obs)
        got = np.asarray(jax.jit(lambda p: spec.appointment_log_probability(p, d, obs, xp))(
            par))
        assert got.shape == num.shape and (got == 0).sum() >= 2, what
        np.testing.assert_allclose(got, num, rtol=1e-12, atol=1e-12, err_msg=what)

    def total(p):
        return jnp.sum(spec.appointment_log_probability(p, d, obs, xp)
                       * np.arange(1, 2 * G + 1).reshape(G, 2))

    par = {"alpha": rng.normal(size=(G, 3)), "mu": rng.normal(size=G),
           "eta": rng.normal(size=G)}
    g_new = jax.jit(jax.grad(total))(par)
    monkeypatch.setattr(spec, "_appointment_compiled", lambda *args: None)
    g_old = jax.jit(jax.grad(total))(par)
    for k in par:
        assert np.abs(np.asarray(g_old[k])).max() > 1e-3, k
        np.testing.assert_allclose(np.asarray(g_new[k]), np.asarray(g_old[k]), rtol=1e-10,
                                   atol=1e-12, err_msg=k)


@pytest.mark.parametrize("builder", [structural_model, hierarchical_model])
def test_op_log_density_equals_the_numpy_likelihood_plus_the_priors(few, builder):
    data = few
    from pymc.sampling.jax import get_jaxified_logp

    mj = builder(data, likelihood="jax")
    mg = builder(data)
    assert [v.name for v in mj.potentials] == ["loglik"] and not mj.observed_RVs
    x = value_point(mj, POINT)
    rng = np.random.default_rng(1)
    if builder is hierarchical_model:       # non-zero group effects
        for k in ("z_lam_theta", "z_alpha", "z_proposer_advantage", "sigma_alpha_log__"):
            x[k] = np.asarray(x[k], float) + 0.5 * rng.standard_normal(np.shape(x[k]))
    # priors (with the transforms' Jacobians) from the graph model's free variables
    prior = float(mg.compile_logp(vars=mg.free_RVs, **FAST)(x))
    if builder is structural_model:
        ll = spec.log_likelihood(spec_params(POINT), data.arrays().design, data.arrays().obs)
    else:
        # every region's parameters: population values plus its group's deviation
        # sigma * z (non-centred)
        gi = data.arrays().group_idx
        par = spec_params(POINT)
        for eff in ("lam_theta", "alpha", "proposer_advantage"):
            dev = np.exp(x[f"sigma_{eff}_log__"]) * x[f"z_{eff}"]
            par[eff] = par[eff] + dev[gi]
        ll = spec.log_likelihood(par, data.arrays().design, data.arrays().obs)
    want = prior + sum(float(np.sum(v)) for v in ll.values())
    # the Op's numpy implementation (pytensor's Python mode) and its JAX implementation
    assert float(mj.compile_logp(**FAST)(x)) == pytest.approx(want, rel=1e-10)
    f = get_jaxified_logp(mj)
    assert float(f([x[v.name] for v in mj.value_vars])) == pytest.approx(want, rel=1e-10)
    # the graph model's density is the same
    assert float(mg.compile_logp(**FAST)(x)) == pytest.approx(want, rel=1e-10)


def test_op_gradient_on_jax_matches_finite_differences(few):
    import jax
    from pymc.sampling.jax import get_jaxified_logp

    m = hierarchical_model(few, likelihood="jax", fixed={"patience": None})
    f = jax.jit(get_jaxified_logp(m))
    names = [v.name for v in m.value_vars]
    x0 = value_point(m, POINT)
    rng = np.random.default_rng(2)
    x = [np.asarray(x0[n], float) + 0.1 * rng.standard_normal(np.shape(x0[n])) for n in names]
    grads = jax.jit(jax.grad(f))(x)
    h = 1e-6
    for i, n in enumerate(names):
        assert np.all(np.isfinite(np.asarray(grads[i]))), n
        for j in sorted({0, int(np.size(x[i])) - 1}):
            up = [np.array(v, copy=True) for v in x]
            dn = [np.array(v, copy=True) for v in x]
            up[i].flat[j] += h
            dn[i].flat[j] -= h
            fd = (float(f(up)) - float(f(dn))) / (2 * h)
            assert float(np.asarray(grads[i]).flat[j]) == pytest.approx(fd, rel=1e-5,
                                                                         abs=1e-5), (n, j)


def test_op_takes_imputed_covariates():
    from test_longdata import _with_missing

    from estimation.datasets import load_case

    miss, _, _ = _with_missing(load_case())
    mj, mg = structural_model(miss, likelihood="jax"), structural_model(miss)
    assert {"impute_config", "impute_capital"} <= {v.name for v in mj.free_RVs}
    x = value_point(mg, POINT)
    rng = np.random.default_rng(4)
    for k in x:
        if k.startswith("impute"):
            x[k] = np.asarray(x[k], float) + rng.standard_normal(np.shape(x[k]))
    want = float(mg.compile_logp(**FAST)(x))
    assert float(mj.compile_logp(**FAST)(x)) == pytest.approx(want, rel=1e-10)
    from pymc.sampling.jax import get_jaxified_logp

    f = get_jaxified_logp(mj)
    assert float(f([x[v.name] for v in mj.value_vars])) == pytest.approx(want, rel=1e-10)


def test_the_likelihood_option_follows_the_sampler():
    from estimation.fit import choose_likelihood

    assert choose_likelihood("structural", "jax") == "jax"
    assert choose_likelihood("hierarchical", "numba") == "graph"
    assert choose_likelihood("structural", None) == "graph"
    assert choose_likelihood("conditional_logit", "jax", "jax") == "graph"
    with pytest.raises(est.EstimationError, match="differentiated by JAX only"):
        choose_likelihood("structural", None, "jax")
    with pytest.raises(est.EstimationError, match="unknown likelihood"):
        choose_likelihood("structural", "jax", "fast")
    with pytest.raises(est.EstimationError, match="unknown likelihood"):
        structural_model(est.simulate(n_regions=2, seed=0), likelihood="numba")


def test_a_small_nutpie_fit_on_jax_runs_with_the_op_and_keeps_its_results():
    # jax and nutpie are in the dev extra: the JAX compilation runs in `make test`
    data = est.simulate(n_regions=6, seed=5, votes=True)
    res = est.fit(data, sampler="nutpie-jax", chains=2, draws=30, tune=30, seed=2,
                  mass_matrix="low_rank")
    assert res.settings["likelihood"] == "jax" and res.sampler == "nutpie-jax"
    assert res.settings["mass_matrix"] == "low_rank"
    post = res.idata.posterior
    assert set(spec.ESTIMANDS) - set(spec.DEFAULT_FIXED) <= set(post.data_vars)
    assert post.sizes["chain"] == 2 and post.sizes["draw"] == 30
    # pointwise log-likelihood per region (from the graph model), equal to the numpy spec
    ll = res.log_likelihood()
    assert {"configuration", "appointment", "concessions"} <= set(ll.data_vars)
    draw = post.isel(chain=1, draw=-1)
    par = spec_params({**{k: draw[k].to_numpy() for k in spec.ESTIMANDS
                           if k in draw}, **spec.DEFAULT_FIXED})
    a = data.arrays()
    num = spec.log_likelihood(par, a.design, a.obs)
    np.testing.assert_allclose(ll["configuration"].isel(chain=1, draw=-1).to_numpy(),
                               num["configuration"], rtol=1e-9, atol=1e-9)
    assert res.loo().n_data_points == data.n_regions


def test_members_alike_in_the_data_share_one_row_of_the_compiled_loop(data):
    """The vote terms are centred so that a term equal in every configuration is
    exactly 0: members whose support logits agree up to rounding in the data (the
    same to 9 decimals) are found as exact twins, and some are."""
    from gametheory.formation import core

    d = data.arrays().design
    lu = spec.linear_utilities(spec_params(POINT), d)
    keys = core._support_data(lu, d.bodies)
    w = np.asarray(d.bodies.weights)
    twins = 0
    for g in range(d.cfg_mask.shape[0]):
        idx = np.flatnonzero(w[g] > 0)
        seen: dict = {}
        rounded = []
        for j in idx:
            sig = [float(w[g, j])]
            for x in keys:
                col = x[g, :, j]
                col = col[d.cfg_mask[g]] if col.shape[0] == d.cfg_mask.shape[1] else col
                sig.extend((np.round(np.asarray(col, float), 9) + 0.0).tolist())
            rounded.append(seen.setdefault(tuple(sig), len(seen)))
        exact = core._rows(keys, g, idx, w, d.cfg_mask[g])
        assert exact == tuple(rounded), g
        twins += len(idx) - len(seen)
    assert twins >= d.cfg_mask.shape[0]
