"""The Laplace approximation (mode and inverse Hessian) and NUTS in its coordinates
(estimation.laplace, fit(mass_matrix="laplace")): against closed forms, as a property
over random Gaussians, through nutpie, and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import estimation as est
from estimation.laplace import EIGENVALUE_FLOOR, laplace_approximation, preconditioned_nutpie


def _gaussian(mu: np.ndarray, S: np.ndarray):
    P = np.linalg.inv(S)
    return lambda x: (float(-0.5 * (x - mu) @ P @ (x - mu)), -P @ (x - mu))


def test_a_gaussian_is_its_own_laplace_approximation():
    mu = np.array([1.0, -2.0, 0.5, 3.0])
    A = np.array([[2.0, 0.3, 0.0, 0.1], [0.0, 1.0, 0.5, 0.0],
                  [0.2, 0.0, 0.7, 0.0], [0.0, 0.4, 0.0, 1.5]])
    S = A @ A.T + 0.1 * np.eye(4)
    la = laplace_approximation(_gaussian(mu, S), np.zeros(4))
    np.testing.assert_allclose(la.mode, mu, atol=1e-5)
    np.testing.assert_allclose(la.covariance, S, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(la.eigenvalues, np.linalg.eigvalsh(np.linalg.inv(S)),
                               rtol=1e-6)
    assert la.n_floored == 0 and la.converged
    assert la.log_density == pytest.approx(0.0, abs=1e-10)
    # x = m + L z maps N(0, I) onto N(m, S): L L^T = S
    np.testing.assert_allclose(la.to_position(np.zeros(4)), la.mode)
    w = np.linalg.eigvalsh(S)
    assert la.condition_number == pytest.approx(w.max() / w.min(), rel=1e-6)


def test_the_hessian_of_a_logistic_regression_posterior_matches_its_closed_form():
    # log p(b) = sum_i [y_i x_i.b - log(1 + e^{x_i.b})] - |b|^2 / 2 (a N(0, I) prior):
    # the negative Hessian is X' diag(p(1-p)) X + I at the mode (McCullagh and Nelder
    # 1989, section 4.4), computed here from the formula, not by differences
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 3))
    y = (rng.random(200) < 1 / (1 + np.exp(-X @ np.array([1.0, -0.5, 0.2])))).astype(float)

    def f(b):
        eta = X @ b
        p = 1 / (1 + np.exp(-eta))
        return float(y @ eta - np.logaddexp(0, eta).sum() - 0.5 * b @ b), X.T @ (y - p) - b

    la = laplace_approximation(f, np.zeros(3))
    p = 1 / (1 + np.exp(-X @ la.mode))
    H = X.T @ (X * (p * (1 - p))[:, None]) + np.eye(3)
    np.testing.assert_allclose(np.linalg.norm(f(la.mode)[1]), 0.0, atol=1e-4)
    # the differences span a tenth of each coordinate's scale (module docstring): their
    # error is of order (h^2 / 6) |third derivative| / |second| ~ 1e-3 here
    np.testing.assert_allclose(la.covariance, np.linalg.inv(H), rtol=3e-3)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 5), st.integers(0, 2**31 - 1))
def test_property_mode_and_covariance_of_random_gaussians(d, seed):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    S = Q @ np.diag(rng.uniform(0.05, 20.0, d)) @ Q.T        # condition number <= 400
    mu = rng.normal(scale=5.0, size=d)
    la = laplace_approximation(_gaussian(mu, S), rng.normal(size=d))
    np.testing.assert_allclose(la.mode, mu, atol=1e-4 * (1 + np.abs(mu).max()))
    np.testing.assert_allclose(la.covariance, S, rtol=1e-4, atol=1e-6)
    # L^T H L = I: in z the approximation is a standard normal
    np.testing.assert_allclose(la.scale.T @ np.linalg.inv(S) @ la.scale, np.eye(d),
                               atol=1e-5)


def test_a_kink_at_the_mode_does_not_decide_the_curvature():
    # log p = -x^2/2 - a|x - b| (a constraint that binds at b): the gradient jumps by 2a
    # at the mode b; differences over 1e-5 would give a curvature of about 1 + a / 1e-5
    # = 101, those over a tenth of the scale about 1 + a / (0.1 * 0.1) = 1.1 (the
    # sampler moves over widths of order 1 here)
    a, b = 1e-3, 2e-6

    def f(x):
        return float(-0.5 * x @ x - a * abs(x[0] - b)), -x - a * np.sign(x - b) * [1, 0]

    la = laplace_approximation(f, np.array([0.5, 0.5]))
    assert la.mode[0] == pytest.approx(b, abs=1e-4)
    assert 0.8 < la.covariance[0, 0] < 1.0 and la.covariance[1, 1] == pytest.approx(1.0)


def test_flat_directions_are_floored_and_counted():
    # no information on x[1]: its eigenvalue 0 is raised to the floor, not inverted
    def f(x):
        return float(-0.5 * x[0] ** 2), np.array([-x[0], 0.0])

    la = laplace_approximation(f, np.array([3.0, 1.0]))
    assert la.n_floored == 1
    assert la.scale[1, :] @ la.scale[1, :] == pytest.approx(1 / EIGENVALUE_FLOOR, rel=1e-6)


def test_no_finite_start_and_no_concave_direction_are_refused():
    with pytest.raises(est.EstimationError, match="not finite at any"):
        laplace_approximation(lambda x: (-np.inf, np.zeros_like(x)), lambda i: np.zeros(2),
                              tries=3)
    with pytest.raises(est.EstimationError, match="no direction is concave"):
        laplace_approximation(lambda x: (0.0, np.zeros_like(x)), np.zeros(2))


@pytest.fixture(scope="module")
def gaussian_nutpie():
    import pymc as pm

    from estimation.fit import compile_nutpie

    S = np.array([[1.0, 0.95 * 0.1], [0.95 * 0.1, 0.01]])     # correlation 0.95, sds 1, 0.1
    with pm.Model() as model:
        pm.MvNormal("x", mu=np.array([2.0, -1.0]), cov=S)
        pm.LogNormal("s", 0.5, 0.3)
    return compile_nutpie(model, "jax"), S


def test_nutpie_in_laplace_coordinates_keeps_the_log_density_and_the_draws(gaussian_nutpie):
    import nutpie

    compiled, S = gaussian_nutpie
    pre, la = preconditioned_nutpie(compiled, seed=4)
    f0 = compiled._make_logp_func()
    f1 = pre._make_logp_func()
    rng = np.random.default_rng(0)
    z = rng.normal(size=3)
    v1, g1 = f1(z)
    v0, _ = f0(la.to_position(z))
    assert v1 == pytest.approx(v0, abs=1e-12)
    # the gradient in z against central differences of the z density
    h = 1e-6
    fd = [(f1(z + h * e)[0] - f1(z - h * e)[0]) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(g1, fd, rtol=1e-6, atol=1e-7)
    # the mode of x (unconstrained: x and log s) and the covariance of x
    # the mode in the unconstrained space (x and log s, in nutpie's order): the Jacobian
    # makes log s ~ N(0.5, 0.3), so its mode is 0.5; the approximation is exact here
    np.testing.assert_allclose(np.sort(la.mode), [-1.0, 0.5, 2.0], atol=1e-5)
    np.testing.assert_allclose(np.sort(np.diag(la.covariance)), [0.01, 0.09, 1.0], rtol=1e-4)
    assert la.condition_number > 100                 # the correlated pair is ill-conditioned
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        idata = nutpie.sample(pre, draws=1500, tune=300, chains=2, cores=2, seed=5,
                              progress_bar=False)
    x = idata.posterior["x"].to_numpy().reshape(-1, 2)
    # the draws are of the original variables: mean and covariance of N([2, -1], S)
    se = np.sqrt(np.diag(S) / 1000)                   # conservative ESS of 1000
    assert np.all(np.abs(x.mean(0) - [2.0, -1.0]) < 4 * se), x.mean(0)
    np.testing.assert_allclose(np.corrcoef(x.T)[0, 1], 0.95, atol=0.02)
    np.testing.assert_allclose(x.std(0), [1.0, 0.1], rtol=0.08)
    logs = np.log(idata.posterior["s"].to_numpy().ravel())
    assert abs(float(logs.mean()) - 0.5) < 0.05, float(logs.mean())
    assert abs(float(logs.std()) / 0.3 - 1.0) < 0.1, float(logs.std())


def test_a_structural_fit_in_laplace_coordinates_records_its_approximation():
    data = est.simulate(n_regions=30, seed=5, votes=True)
    res = est.fit(data, sampler="nutpie-jax", chains=2, draws=150, tune=150, seed=2,
                  mass_matrix="laplace", progressbar=False)
    assert res.settings["mass_matrix"] == "laplace"
    attrs = res.idata.sample_stats.attrs
    assert attrs["laplace_condition_number"] > 1.0 and attrs["laplace_converged"] == 1
    assert np.isfinite(attrs["laplace_log_density"]) and res.timing["laplace"] > 0
    # the same posterior as a fit in the original coordinates (means within a few
    # posterior sds / sqrt(ESS))
    ref = est.fit(data, sampler="nutpie-jax", chains=2, draws=300, tune=300, seed=3,
                  progressbar=False)
    import arviz as az

    names = [v for v in res.idata.posterior.data_vars if not v.endswith("__")]
    a, b = (az.summary(r.idata, var_names=names) for r in (res, ref))
    z = (a["mean"] - b["mean"]).abs() / np.sqrt(a["mcse_mean"] ** 2 + b["mcse_mean"] ** 2)
    assert (z < 5).all(), z.sort_values()
    assert res.diagnostics()["max_r_hat"] < 1.05


def test_laplace_coordinates_need_nutpie():
    data = est.simulate(n_regions=3, seed=1)
    with pytest.raises(est.EstimationError, match="not available with the pymc"):
        est.fit(data, sampler="pymc", mass_matrix="laplace", chains=1, draws=5, tune=5)
    # an unknown metric is refused with the argument, the value and every known metric
    with pytest.raises(est.EstimationError, match=r"mass_matrix='dense'.*unknown.*'diag', "
                                                  r"'low_rank', 'laplace'"):
        est.fit(data, mass_matrix="dense", chains=1, draws=5, tune=5)


def test_an_optimiser_stopped_short_reports_it():
    S = np.array([[4.0, 1.9], [1.9, 1.0]])
    la = laplace_approximation(_gaussian(np.array([3.0, -2.0]), S), np.zeros(2),
                               max_iterations=1)
    assert not la.converged
    full = laplace_approximation(_gaussian(np.array([3.0, -2.0]), S), np.zeros(2))
    assert full.converged
