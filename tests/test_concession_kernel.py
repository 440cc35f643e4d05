"""The concession likelihood on JAX by the compiled loop (numba under ``custom_vjp``)
against the backend graph it stands for.

Independent computations: the numpy graph's values, JAX's own reverse-mode derivative
of the graph (the path taken without numba, forced by monkeypatching), and central
finite differences of the numpy likelihood.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gametheory.restratification import ModelParameters
from gametheory.restratification import concessions as cn

pytest.importorskip("numba")
jax = pytest.importorskip("jax")

NAMES = cn.BARGAINING_PARAMETERS


@pytest.fixture(scope="module")
def problem():
    """Simulated committees with a third of the counts hidden, one region unobserved,
    one committee without power (the director proposes every time), and per-region
    harm weights from small to past the pool (reservation values not covered)."""
    import estimation as est

    a = est.simulate(n_regions=20, params=ModelParameters(lam=2.0), seed=3).arrays()
    design = a.design.committee
    power = design.power.copy()
    power[0] = 0.0
    design = replace(design, power=power)
    chosen = np.asarray(a.obs.cfg_chosen)
    G = chosen.size
    rng = np.random.default_rng(11)
    counts = np.asarray(a.obs.concessions, float)
    mask = np.asarray(a.obs.concession_mask, bool) & (rng.random(counts.shape) < 0.7)
    # the first hospital on every committee unobserved: the rest of each pool has a
    # positive probability even where the hospitals' reservation values take it all
    first = np.argmax(design.member[np.arange(G), chosen, 1:], axis=-1)
    mask[np.arange(G), :, first] = False
    mask[2] = False
    base = design.reservation_base[np.arange(G), chosen].sum(axis=-1)
    omega = np.linspace(0.2, 1.6, G) / base.mean()
    par = {"harm_weight": omega, "proposer_advantage": rng.normal(0.0, 0.7, G),
           "patience": rng.uniform(0.6, 0.97, G)}
    uncovered = omega * base >= 1.0
    assert uncovered.any() and (~uncovered).any()
    return design, counts, mask, chosen, par


def _jax_loglik(design, counts, mask, chosen):
    from gametheory.formation import jax_backend

    xp = jax_backend()
    return lambda p: cn.package_log_likelihood(p, design, counts, mask, chosen, xp)


@pytest.mark.parametrize("shape", ["region", "one", "batch"])
def test_compiled_concession_likelihood_equals_the_numpy_graph(problem, shape):
    """Values to 1e-12 relative, per region, with parameters per region (G,), shared
    (1,) and with a leading sample axis (2, G); the compiled loop did run."""
    design, counts, mask, chosen, par = problem
    G = chosen.size
    if shape == "one":
        par = {k: v[3:4] for k, v in par.items()}
    elif shape == "batch":
        par = {k: np.stack([v, v[::-1]]) for k, v in par.items()}
    calls = []
    real = cn._compiled_package_log_likelihood

    def spy(*args):
        out = real(*args)
        calls.append(out is not None)
        return out

    import unittest.mock as um

    with um.patch.object(cn, "_compiled_package_log_likelihood", spy):
        got = np.asarray(jax.jit(_jax_loglik(design, counts, mask, chosen))(
            {k: jax.numpy.asarray(v) for k, v in par.items()}))
    assert calls == [True]
    ref = cn.package_log_likelihood(par, design, counts, mask, chosen)
    assert got.shape == ref.shape == ((2, G) if shape == "batch" else (G,))
    assert np.all(np.isfinite(ref)) and np.all(ref[..., 2] == 0) and np.all(got[..., 2] == 0)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=0)


@pytest.mark.parametrize("shape", ["region", "one", "batch"])
def test_compiled_concession_gradient_equals_the_graphs(problem, monkeypatch, shape):
    """The loop's hand-written gradient against JAX's derivative of the graph (numba
    switched off), a weighted sum over regions so that every region's cotangent counts;
    and against central differences of the numpy likelihood."""
    design, counts, mask, chosen, par = problem
    G = chosen.size
    if shape == "one":
        par = {k: v[5:6] for k, v in par.items()}
    elif shape == "batch":
        par = {k: np.stack([v, v[::-1]]) for k, v in par.items()}
    w = np.random.default_rng(2).uniform(0.5, 1.5, (2, G) if shape == "batch" else G)
    f = _jax_loglik(design, counts, mask, chosen)
    jpar = {k: jax.numpy.asarray(v) for k, v in par.items()}

    def value_and_grad():
        v, g = jax.jit(jax.value_and_grad(lambda p: (w * f(p)).sum()))(jpar)
        return float(v), {k: np.asarray(x) for k, x in g.items()}

    v_new, g_new = value_and_grad()
    monkeypatch.setattr(cn, "_compiled_package_log_likelihood", lambda *args: None)
    v_old, g_old = value_and_grad()
    assert v_new == pytest.approx(v_old, rel=1e-12)
    for k in NAMES:
        assert np.sum(np.abs(g_new[k]) > 1e-3) >= min(g_new[k].size, 5), k
        np.testing.assert_allclose(g_new[k], g_old[k], rtol=1e-10, atol=1e-12, err_msg=k)
    h = 1e-6
    for k in NAMES:
        for idx in list(np.ndindex(par[k].shape))[::4]:
            up, dn = ({**par, k: par[k].copy()} for _ in range(2))
            up[k][idx] += h
            dn[k][idx] -= h
            fd = ((w * cn.package_log_likelihood(up, design, counts, mask, chosen)).sum()
                  - (w * cn.package_log_likelihood(dn, design, counts, mask, chosen)).sum()
                  ) / (2 * h)
            assert g_new[k][idx] == pytest.approx(fd, rel=1e-5, abs=1e-6), (k, idx)
