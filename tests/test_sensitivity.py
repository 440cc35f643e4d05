"""Robustness of conclusions: Sobol estimators on a function with known indices,
thresholds against a brute-force scan, tornado and outcome probabilities, the CLI."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gametheory.errors import InvalidArgumentError
from gametheory.restratification import ModelParameters, scenarios
from gametheory.restratification.scenarios import NT, TH1
from gametheory.restratification.sensitivity import (
    conclusions,
    default_factors,
    draw_tornado,
    global_sensitivity,
    outcome_probabilities,
    thresholds,
    tornado,
)
from gametheory.sensitivity import sobol_indices


def _ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def _ishigami_indices(a=7.0, b=0.1):
    """Analytic indices (Ishigami and Homma 1990; Sobol' and Levitan 1999)."""
    v1 = 0.5 * (1 + b * np.pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * np.pi ** 8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def test_sobol_estimators_recover_ishigami_indices():
    s1, st = _ishigami_indices()
    res = sobol_indices(_ishigami, [(-np.pi, np.pi)] * 3, n=2 ** 14, seed=3, n_boot=50)
    np.testing.assert_allclose(res.first_order, s1, atol=0.03)
    np.testing.assert_allclose(res.total, st, atol=0.03)
    # the bootstrap intervals cover the truth
    assert np.all((res.first_order_ci[:, 0] - 0.01 <= s1) & (s1 <= res.first_order_ci[:, 1]
                                                             + 0.01))


def test_sobol_additive_function_and_a_dummy_input():
    # y = 2 x1 + x2 on U(0,1): S = (4/5, 1/5), S_T = S; x3 does nothing
    res = sobol_indices(lambda x: 2 * x[:, 0] + x[:, 1], [(0, 1)] * 3, n=4096, seed=0,
                        n_boot=0)
    np.testing.assert_allclose(res.first_order, [0.8, 0.2, 0.0], atol=0.03)
    np.testing.assert_allclose(res.total, [0.8, 0.2, 0.0], atol=0.03)
    flat = sobol_indices(lambda x: np.zeros(len(x)), [(0, 1)] * 2, n=8, n_boot=0)
    assert flat.variance == 0.0 and np.all(flat.total == 0.0)
    with pytest.raises(InvalidArgumentError, match="bounds"):
        sobol_indices(_ishigami, [(1, 0)], n=8)


@pytest.fixture(scope="module")
def case():
    return scenarios.load("case-region")


def test_threshold_of_delta_matches_a_brute_force_scan(case):
    params = ModelParameters()
    delta = next(f for f in default_factors(case, params, "parameters") if f.name == "delta")
    th = thresholds(case, params, [delta], tol=1e-4)
    row = th.iloc[0]
    assert "host" in row["flips_below"] and np.isnan(row["threshold_above"])
    t = row["threshold_below"]

    def host(b):
        return conclusions(case, replace(params, delta=float(b)))["host"]

    # independent: the host on a grid of the bloc's aversion switches once, from
    # Northgate (no aversion: it takes both roles) to the neutral host, in the grid
    # step holding the threshold ...
    grid = np.linspace(0.0, 0.5, 26)
    hosts = np.array([host(b) for b in grid])
    first_same = int(np.argmax(hosts == NT))
    assert hosts[0] == TH1 and (hosts[:first_same] == TH1).all() and \
        (hosts[first_same:] == NT).all()
    assert grid[first_same - 1] <= t <= grid[first_same]
    # ... and the switch itself lies within 2e-3 of the threshold (the 401-point scan's
    # resolution is 1.25e-3 plus its tolerance)
    assert host(t - 2e-3) == TH1 and host(t + 2e-3) == NT


def test_tornado_and_probabilities_vary_with_the_factors(case):
    params = ModelParameters()
    facs = [f for f in default_factors(case, params, "parameters")
            if f.name in ("delta", "lam", "patience")]
    tor = tornado(case, params, facs, "host")
    assert list(tor["factor"])[0] in ("delta", "lam")
    assert tor["swing"].max() > 0.2 and 0 <= tor["p_low"].min() <= 1
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    assert draw_tornado(tor, ax=ax) is ax
    # averaging over draws: the mean of the probabilities at each draw
    draws = [replace(params, delta=b) for b in (0.0, 2.0, 4.0)]
    avg = outcome_probabilities(case, draws)
    each = [outcome_probabilities(case, [d]) for d in draws]

    def p(df):
        return float(df[(df["conclusion"] == "host") & (df["outcome"] == NT)]["probability"]
                     .iloc[0])

    assert p(avg) == pytest.approx(np.mean([p(e) for e in each]))
    hosts = avg[avg["conclusion"] == "host"]
    assert hosts["probability"].sum() == pytest.approx(1.0)


def test_global_sensitivity_finds_the_inputs_that_matter(case):
    params = ModelParameters()
    facs = [f for f in default_factors(case, params, "parameters")
            if f.name in ("delta", "tier_concentration", "mu", "partial_hold")]
    g = global_sensitivity(case, params, facs, n=8, seed=1, n_boot=0)
    host = g.indices["host"]
    order = list(np.array(host.names)[np.argsort(-host.total)])
    assert set(order[:2]) == {"delta", "tier_concentration"}
    # mu changes the appointments only: no share of the host's variance
    assert host.total[host.names.index("mu")] == pytest.approx(0.0, abs=1e-12)
    assert 0 <= g.prior_probability.loc["host", "mean"] <= 1
    assert g.prior_probability.loc["host", "sd"] > 0


def test_factors_cover_parameters_and_stylised_covariates(case):
    facs = default_factors(case, ModelParameters())
    names = {f.name for f in facs}
    assert {"lam", "harm_weight", "patience", "proposer_advantage",
            "management_group.quota"} <= names
    assert any(n.startswith("organisations[") for n in names)
    assert any(n.startswith("doctors[") for n in names)
    assert not {"gamma", "gamma0"} & names              # they change nothing in run
    for f in facs:
        assert f.low <= f.baseline <= f.high, f.name
    with pytest.raises(InvalidArgumentError, match="which"):
        default_factors(case, ModelParameters(), "everything")


def test_cli_sensitivity(tmp_path, capsys, monkeypatch):
    from gametheory.restratification import sensitivity as sens
    from restrat.cli import main

    # the command's plumbing on four of the parameters (the analyses themselves are
    # checked above): the report, the files and the refusals
    every = sens.default_factors
    keep = ("delta", "lam", "kappa", "rho")
    monkeypatch.setattr(sens, "default_factors", lambda *a, **k: [
        f for f in every(*a, **k) if f.name in keep])
    out = tmp_path / "sens"
    code = main(["sensitivity", "case-region", "--factors", "parameters", "--samples", "2",
                 "--top", "5", "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert "Thresholds" in text and "delta <= " in text and "Tornado" in text
    assert {"report.txt", "thresholds.csv", "tornado.csv", "sobol.csv",
            "tornado.png"} <= {p.name for p in out.iterdir()}
    assert main(["sensitivity", "case-region", "--conclusion", "weather"]) == 2
    assert main(["sensitivity", "no-such-scenario"]) == 2
    assert main(["sensitivity", "case-region", "--posterior",
                 str(tmp_path / "missing.nc"), "--no-global"]) == 2


def test_posterior_draws_become_model_parameters():
    import arviz as az

    from estimation.draws import parameter_draws
    from estimation.simulate import normalised_truth
    from gametheory.restratification import spec

    rng = np.random.default_rng(0)
    post, dims, coords = {}, {}, {}
    for name, labels in spec.ESTIMANDS.items():
        if name in spec.DEFAULT_FIXED:         # held fixed by the fit: not in a posterior
            continue
        if labels:
            post[name] = rng.uniform(0.5, 1.5, (2, 5, len(labels)))
            dims[name] = [f"{name}_dim"]
            coords[f"{name}_dim"] = list(labels)
        else:
            post[name] = rng.uniform(0.5, 3.0, (2, 5))
    idata = az.from_dict(posterior=post, coords=coords, dims=dims)

    class Fit:
        pass

    fit = Fit()
    fit.idata = idata
    draws = parameter_draws(fit, n_draws=4, seed=1)
    assert len(draws) == 4
    flat = idata.posterior.stack(sample=("chain", "draw"))
    kappas = np.asarray(flat["kappa"])
    for d in draws:
        t = normalised_truth(d)              # the estimands back, independently
        k = int(np.flatnonzero(np.isclose(kappas, t["kappa"]))[0])
        assert t["lam_theta[centre_super]"] == pytest.approx(float(flat["lam_theta"][3, k]))
        assert t["delta"] == pytest.approx(float(flat["delta"][k]))
