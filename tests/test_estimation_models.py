"""pymc models: log-likelihood against numpy, gradients against finite differences,
the naive loop model, the hierarchical model at zero effects, JAX compilation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import poisson

import estimation as est
from estimation.models import (
    conditional_logit_model,
    hierarchical_model,
    naive_structural_model,
    structural_model,
)


@pytest.fixture(scope="module")
def data():
    return est.simulate(n_regions=12, seed=31, networks=["trauma", "stroke"])


POINT = {"lam": 3.0, "theta": np.array([0.7, 1.2, 1.4]), "beta": 1.5,
         "alpha": np.array([1.0, 0.5, -0.3]), "mu": 0.8, "eta": 1.1, "gamma0": -0.4,
         "gamma": 0.45}


def _value_point(model, point):
    ip = model.initial_point()
    out = dict(ip)
    for k, v in point.items():
        if f"{k}_log__" in ip:
            out[f"{k}_log__"] = np.log(np.asarray(v, dtype=float))
        elif k in ip:
            out[k] = np.asarray(v, dtype=float)
    return out


def _numpy_loglik(a, p):
    th = np.concatenate([[1.0], p["theta"]])
    u = p["lam"] * (a.cfg_x @ th - p["beta"] * a.bloc_power[:, None] * a.cfg_k)
    u = np.where(a.cfg_mask, u, -np.inf)
    ll = (u[np.arange(len(u)), a.cfg_chosen] - logsumexp(u, axis=1)).sum()
    w = np.concatenate([p["alpha"], [p["mu"], p["eta"]]])
    v = np.where(a.app_mask, a.app_z @ w, -np.inf)
    ll += (v[np.arange(len(v)), a.app_chosen] - logsumexp(v, axis=1)).sum()
    ll += poisson.logpmf(a.con_count, np.exp(p["gamma0"] + p["gamma"] * a.con_loss)).sum()
    return ll


def test_structural_loglik_matches_numpy(data):
    m = structural_model(data)
    f = m.compile_logp(vars=m.observed_RVs, jacobian=False)
    assert f(_value_point(m, POINT)) == pytest.approx(_numpy_loglik(data.arrays(), POINT),
                                                      rel=1e-10)


def test_naive_loop_model_has_the_same_likelihood(data):
    m1, m2 = structural_model(data), naive_structural_model(data)
    f1 = m1.compile_logp(vars=m1.observed_RVs)
    f2 = m2.compile_logp(vars=m2.observed_RVs)
    assert f1(_value_point(m1, POINT)) == pytest.approx(f2(_value_point(m2, POINT)), rel=1e-10)


def test_hierarchical_at_zero_effects_equals_pooled(data):
    m1, m2 = structural_model(data), hierarchical_model(data)
    f1 = m1.compile_logp(vars=m1.observed_RVs)
    f2 = m2.compile_logp(vars=m2.observed_RVs)
    pt2 = _value_point(m2, POINT)                 # z = 0 at the initial point
    assert f1(_value_point(m1, POINT)) == pytest.approx(f2(pt2), rel=1e-10)
    pt2["z_theta"] = np.ones_like(pt2["z_theta"])
    assert f2(pt2) != pytest.approx(f1(_value_point(m1, POINT)))
    assert hierarchical_model(data, group="region").coords["group"] == tuple(
        data.arrays().region_names)


@pytest.mark.parametrize("builder", [structural_model, hierarchical_model])
def test_gradient_matches_finite_differences(data, builder):
    m = builder(data)
    logp = m.compile_logp()
    dlogp = m.compile_dlogp()
    x0 = _value_point(m, POINT)
    rng = np.random.default_rng(0)
    for k in x0:
        x0[k] = np.asarray(x0[k], float) + 0.1 * rng.standard_normal(np.shape(x0[k]))
    g = dlogp(x0)
    names = [v.name for v in m.value_vars]
    sizes = [int(np.size(x0[n])) for n in names]
    h = 1e-6
    pos = 0
    for n, size in zip(names, sizes, strict=True):
        for j in range(size):
            xp = {k: np.array(v, float, copy=True) for k, v in x0.items()}
            xm = {k: np.array(v, float, copy=True) for k, v in x0.items()}
            xp[n].flat[j] += h
            xm[n].flat[j] -= h
            fd = (logp(xp) - logp(xm)) / (2 * h)
            assert g[pos + j] == pytest.approx(fd, rel=1e-5, abs=1e-5), (n, j)
        pos += size


def test_conditional_logit_model(data):
    m = conditional_logit_model(data, role="configuration")
    cs = data.choice_sets("configuration")
    b = np.array([2.0, 1.0, 0.5, 3.0, 1.0])
    ll = m.compile_logp(vars=m.observed_RVs)({"b": b})
    assert ll == pytest.approx(est.mle.clogit_loglik(b, cs.x, cs.mask, cs.chosen, False))


def test_priors_overridable_and_validated(data):
    m = structural_model(data, priors={"beta": ("HalfNormal", {"sigma": 7.0})})
    assert m["beta"].owner.inputs[-1].eval() == pytest.approx(7.0)
    with pytest.raises(est.EstimationError, match="positive"):
        structural_model(data, priors={"lam": ("Normal", {"mu": 0, "sigma": 1})})
    with pytest.raises(est.EstimationError, match="unknown parameter"):
        structural_model(data, priors={"kappa": ("Normal", {"mu": 0, "sigma": 1})})
    with pytest.raises(est.EstimationError, match="not an allowed prior distribution"):
        structural_model(data, priors={"mu": ("Gaussian", {"mu": 0})})
    with pytest.raises(est.EstimationError, match="not an allowed prior distribution"):
        structural_model(data, priors={"mu": ("sample", {})})     # a pymc function, not a prior
    with pytest.raises(est.EstimationError, match="named finite numbers"):
        structural_model(data, priors={"mu": ("Normal", {"sigma": float("nan")})})
    with pytest.raises(TypeError):
        structural_model("not data")


def test_structural_model_compiles_to_jax(data):
    from pymc.sampling.jax import get_jaxified_logp

    m = hierarchical_model(data)
    f = get_jaxified_logp(m)
    x = [np.asarray(v, float) for v in _value_point(m, POINT).values()]
    ref = m.compile_logp()(_value_point(m, POINT))
    assert float(f(x)) == pytest.approx(float(ref), rel=1e-8)


def test_importing_gametheory_does_not_import_pymc():
    import subprocess
    import sys

    code = "import gametheory, sys; print('pymc' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
