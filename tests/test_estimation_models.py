"""pymc models: the log-likelihood against an independent enumeration and against the
spec's numpy run, gradients against finite differences, the hierarchical model at zero
effects, the no-veto model, the naive loop model, JAX compilation, priors."""

from __future__ import annotations

import numpy as np
import pytest
from _model_points import POINT, spec_params, value_point
from _reference import loglik as reference_loglik

import estimation as est
from estimation.models import (
    conditional_logit_model,
    hierarchical_model,
    naive_structural_model,
    structural_model,
)
from gametheory.restratification import scenarios, spec

#: the graphs are evaluated a few times only: skip the C compilation
FAST = {"mode": "FAST_COMPILE"}


def _small_region(rng):
    # small management groups, so that the reference can enumerate every vote profile
    return scenarios.random_region(rng, n_districts=int(rng.integers(2, 4)))


@pytest.fixture(scope="module")
def data():
    return est.simulate(_small_region, n_regions=10, seed=31, networks=["trauma", "stroke"],
                        votes=True)


@pytest.fixture(scope="module")
def few(data):
    """Four regions (two network types): enough for the comparisons between models."""
    return data.subset(list(data.regions["region"][:4]))


def test_structural_loglik_matches_enumeration_and_numpy(data):
    m = structural_model(data)
    logp = {v.name: m.compile_logp(vars=[v], jacobian=False, **FAST) for v in m.observed_RVs}
    x = value_point(m, POINT)
    ref = reference_loglik(data, POINT)
    for part in ("configuration", "appointment", "concessions"):
        assert logp[part](x) == pytest.approx(ref[part], rel=1e-9), part
    a = data.arrays()
    num = spec.log_likelihood(spec_params(POINT), a.design, a.obs)
    for part in ("configuration", "appointment", "concessions"):
        assert logp[part](x) == pytest.approx(float(num[part].sum()), rel=1e-10), part


def test_naive_loop_model_has_the_same_likelihood(few):
    m1, m2 = structural_model(few), naive_structural_model(few)
    f1 = m1.compile_logp(vars=m1.observed_RVs, **FAST)
    # one term per region and variable (a single sum of them all exceeds numpy's ufunc
    # argument limit in the Python implementation)
    f2 = m2.compile_logp(vars=m2.observed_RVs + m2.potentials, sum=False, **FAST)
    total = sum(float(np.sum(t)) for t in f2(value_point(m2, POINT)))
    assert f1(value_point(m1, POINT)) == pytest.approx(total, rel=1e-10)


def test_hierarchical_at_zero_effects_equals_pooled_and_no_veto_is_delta_zero(few):
    data = few
    m1, m2 = structural_model(data), hierarchical_model(data)
    f1 = m1.compile_logp(vars=m1.observed_RVs, **FAST)
    f2 = m2.compile_logp(vars=m2.observed_RVs, **FAST)
    pt2 = value_point(m2, POINT)                 # z = 0 at the initial point
    assert f1(value_point(m1, POINT)) == pytest.approx(f2(pt2), rel=1e-10)
    pt2["z_lam_theta"] = np.ones_like(pt2["z_lam_theta"])
    assert f2(pt2) != pytest.approx(f1(value_point(m1, POINT)))
    assert hierarchical_model(data, group="region").coords["group"] == tuple(
        data.arrays().region_names)
    m0 = structural_model(data, veto=False)
    assert "delta" not in {v.name for v in m0.free_RVs}
    f0 = m0.compile_logp(vars=m0.observed_RVs, **FAST)
    at0 = f1(value_point(m1, {**POINT, "delta": 1e-300}))
    assert f0(value_point(m0, POINT)) == pytest.approx(at0, rel=1e-10)


def test_gradient_matches_finite_differences(few):
    # the hierarchical model contains every parameter of the pooled one; the first and
    # last entry of each variable (the formation core's gradients are checked in full in
    # tests/test_formation.py); the committee's patience freed (patience: None) so that its
    # gradient is checked too
    m = hierarchical_model(few, fixed={"patience": None})
    assert {"harm_weight_log__", "proposer_advantage", "patience_interval__"} <= {
        v.name for v in m.value_vars}
    logp = m.compile_logp(**FAST)
    dlogp = m.compile_dlogp(**FAST)
    x0 = value_point(m, POINT)
    rng = np.random.default_rng(0)
    for k in x0:
        x0[k] = np.asarray(x0[k], float) + 0.1 * rng.standard_normal(np.shape(x0[k]))
    g = np.asarray(dlogp(x0))
    names = [v.name for v in m.value_vars]
    sizes = [int(np.size(x0[n])) for n in names]
    h = 1e-6
    pos = 0
    for n, size in zip(names, sizes, strict=True):
        for j in sorted({0, size - 1}):
            xp = {k: np.array(v, float, copy=True) for k, v in x0.items()}
            xm = {k: np.array(v, float, copy=True) for k, v in x0.items()}
            xp[n].flat[j] += h
            xm[n].flat[j] -= h
            fd = (float(logp(xp)) - float(logp(xm))) / (2 * h)
            assert g[pos + j] == pytest.approx(fd, rel=1e-5, abs=1e-5), (n, j)
        pos += size


def test_conditional_logit_model(data):
    m = conditional_logit_model(data, role="configuration")
    cs = data.choice_sets("configuration")
    b = np.array([2.0, 1.0, 0.5, 3.0, -1.0])
    ll = m.compile_logp(vars=m.observed_RVs, **FAST)({"b": b})
    assert ll == pytest.approx(est.mle.clogit_loglik(b, cs.x, cs.mask, cs.chosen, False))


def test_priors_overridable_and_validated(data):
    m = structural_model(data, priors={"delta": ("HalfNormal", {"sigma": 7.0})})
    assert m["delta"].owner.inputs[-1].eval() == pytest.approx(7.0)
    with pytest.raises(est.EstimationError, match="positive"):
        structural_model(data, priors={"kappa": ("Normal", {"mu": 0, "sigma": 1})})
    with pytest.raises(est.EstimationError, match="unknown parameter"):
        structural_model(data, priors={"beta": ("Normal", {"mu": 0, "sigma": 1})})
    with pytest.raises(est.EstimationError, match="not an allowed prior distribution"):
        structural_model(data, priors={"mu": ("Gaussian", {"mu": 0})})
    with pytest.raises(est.EstimationError, match="not an allowed prior distribution"):
        structural_model(data, priors={"mu": ("sample", {})})     # a pymc function, not a prior
    with pytest.raises(est.EstimationError, match="named finite numbers"):
        structural_model(data, priors={"mu": ("Normal", {"sigma": float("nan")})})
    with pytest.raises(TypeError):
        structural_model("not data")


def test_structural_model_compiles_to_jax(few):
    # jax is part of the dev extra: this runs in `make test`, it is not skipped
    from pymc.sampling.jax import get_jaxified_logp

    m = hierarchical_model(few)
    f = get_jaxified_logp(m)
    x = [np.asarray(v, float) for v in value_point(m, POINT).values()]
    ref = m.compile_logp(**FAST)(value_point(m, POINT))
    assert float(f(x)) == pytest.approx(float(ref), rel=1e-8)


def test_importing_gametheory_does_not_import_pymc():
    import subprocess
    import sys

    code = ("import gametheory, sys; from gametheory.restratification import spec; "
            "from gametheory import formation; print('pymc' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
