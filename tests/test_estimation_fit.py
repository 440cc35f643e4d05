"""Bayesian fits (pymc's NUTS; nutpie when installed): recovery, agreement with the MLE,
results object (summary, PPC, LOO, plots, save/load, predict), determinism, bad input."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import estimation as est
from gametheory.restratification import ModelParameters, scenarios

FAST = {"sampler": "pymc", "chains": 2, "cores": 2, "progressbar": False}


@pytest.fixture(scope="module")
def small():
    return est.simulate(n_regions=60, seed=5)


@pytest.fixture(scope="module")
def small_fit(small):
    return est.fit(small, draws=400, tune=400, seed=1, **FAST)


def test_recovery_true_values_inside_95_intervals(small_fit):
    # 12 parameters, so even a perfect method misses one 95% interval in about half of
    # all data sets (1 - 0.95**12): require at most one miss, and every truth inside 99%
    rec = small_fit.recovery()
    assert len(rec) == 12
    assert rec["covered"].sum() >= 11, rec
    assert small_fit.recovery(prob=0.99)["covered"].all()
    assert (rec["r_hat"] < 1.05).all()


def _pick(ds, name):
    """One reported parameter (``theta[centre_super]`` style) of an xarray Dataset."""
    var, _, coord = name.partition("[")
    da = ds[var]
    return da.sel({da.dims[-1]: coord.rstrip("]")}) if coord else da


def test_posterior_agrees_with_mle_on_large_data():
    # Bernstein-von Mises: with 600 regions the posterior of the parameters that enter
    # the likelihood linearly (appointments, concessions) is centred on the MLE with the
    # MLE's standard errors. The bound is a quarter posterior sd of asymptotic slack plus
    # four Monte Carlo standard errors of the posterior mean (the sampler's own error,
    # so the verdict does not depend on which sampler ran or for how long).
    import arviz as az

    p = ModelParameters(lam=2.0)
    data = est.simulate(n_regions=600, params=p, seed=17)
    res = est.fit(data, draws=300, tune=300, seed=2, **FAST)
    s = res.summary(warn=False)
    mle = est.fit_mle(data, model="structural")
    mcse = az.mcse(res.idata, method="mean")
    mcse_of = pd.Series({n: float(_pick(mcse, n)) for n in s.index})
    # lam, theta and beta are ratios of the logit's coefficients (normalisation
    # theta0 = 1): their posterior still carries the prior at 600 regions, so for them
    # the claim is only that the MLE lies inside the posterior's central 90% interval
    config = ["lam", "beta"] + [i for i in s.index if i.startswith("theta")]
    linear = [i for i in s.index if i not in config]
    gap = (s["mean"] - mle.params[s.index]).abs()
    bound = 0.25 * s["sd"] + 4 * mcse_of
    assert (gap[linear] < bound[linear]).all(), pd.DataFrame({"gap": gap, "bound": bound})
    assert np.allclose(s.loc[linear, "sd"], mle.se[linear], rtol=0.2)
    q = pd.Series({n: float((_pick(res.idata.posterior, n) < mle.params[n]).mean())
                   for n in config})
    assert q.between(0.05, 0.95).all(), q


def test_summary_columns_and_warning(small_fit, small):
    s = small_fit.summary(warn=False)
    assert list(s.columns) == ["mean", "sd", "q2.5", "q97.5", "ess_bulk", "ess_tail", "r_hat"]
    assert "theta[centre_super]" in s.index
    assert s.attrs["diagnostics"]["divergences"] >= 0
    assert small_fit.sampler == "pymc" and small_fit.settings["seed"] == 1
    tiny = est.fit(small, draws=20, tune=20, seed=3, **FAST)
    with pytest.warns(est.SamplingWarning, match="ESS"):
        tiny.summary()


def test_same_seed_same_draws(small):
    sub = small.subset(small.regions["region"][:15])
    a = est.fit(sub, draws=30, tune=30, seed=9, **FAST)
    b = est.fit(sub, draws=30, tune=30, seed=9, **FAST)
    assert np.array_equal(a.idata.posterior["lam"].values, b.idata.posterior["lam"].values)


def test_ppc_loo_plot(small_fit, small):
    t = small_fit.ppc(n_draws=50, seed=0)
    assert {"observed", "predictive_mean", "lower", "upper", "p_value"} <= set(t.columns)
    assert t["p_value"].between(0, 1).all() and len(t) == 13
    loo = small_fit.loo()
    assert loo.n_data_points == small.n_regions and np.isfinite(loo.elpd_loo)
    fig = small_fit.plot()
    assert len(fig.axes) == 1
    prior = est.prior_predictive_check(small, draws=50, seed=0)
    assert list(prior.index) == list(t.index)


def test_save_load_roundtrip(small_fit, tmp_path):
    path = small_fit.save(tmp_path / "sub" / "fit.nc")
    assert path.is_file() and not [p for p in path.parent.iterdir() if p.name.startswith(".")]
    import xarray as xr

    from gametheory import __version__

    attrs = xr.open_dataset(path, group="posterior", engine="h5netcdf").attrs
    assert attrs["restrat_version"] == __version__ and attrs["restrat_seed"] == 1
    assert json.loads(attrs["restrat_parameters"])["draws"] == 400
    assert len(attrs["restrat_data_hash"]) == 16
    r2 = est.FitResults.load(path)
    assert r2.sampler == small_fit.sampler and r2.truth == small_fit.truth
    pd.testing.assert_frame_equal(r2.summary(warn=False), small_fit.summary(warn=False))
    assert np.array_equal(r2.source.cfg_mask, small_fit.source.cfg_mask)
    assert r2.loo().elpd_loo == pytest.approx(small_fit.loo().elpd_loo)
    with pytest.raises(est.EstimationError, match="no such file"):
        est.FitResults.load(tmp_path / "missing.nc")


def test_load_refuses_damaged_foreign_and_crafted_files(small_fit, tmp_path):
    import json
    import shutil

    import h5py  # h5netcdf, a core dependency, requires it: never skipped
    good = small_fit.save(tmp_path / "fit.nc")
    data = good.read_bytes()
    cases = {"truncated.nc": data[: len(data) // 2], "text.nc": b"hello" * 20, "empty.nc": b""}
    for name, raw in cases.items():
        (tmp_path / name).write_bytes(raw)
        with pytest.raises(est.EstimationError, match="not a NetCDF-4 file|truncated"):
            est.FitResults.load(tmp_path / name)
    # metadata edited: a prior naming something that is not an allowed distribution is
    # refused before pymc is asked for it; broken or incomplete metadata likewise
    edits = {
        "evil_prior.nc": lambda m: m["priors"].__setitem__("beta", ["sample", {}]),
        "import_prior.nc": lambda m: m["priors"].__setitem__("beta", ["__import__", {}]),
        "text_param.nc": lambda m: m["priors"].__setitem__("beta", ["Normal", {"mu": "x"}]),
        "no_kind.nc": lambda m: m.pop("source_kind"),
        "bad_json.nc": None,
    }
    for name, edit in edits.items():
        shutil.copy(good, tmp_path / name)
        with h5py.File(tmp_path / name, "r+") as f:
            meta = json.loads(f["posterior"].attrs["restrat_fit"])
            if edit is None:
                f["posterior"].attrs["restrat_fit"] = "{not json"
            else:
                edit(meta)
                f["posterior"].attrs["restrat_fit"] = json.dumps(meta)
        with pytest.raises(est.EstimationError,
                           match="allowed prior|malformed|named finite numbers"):
            est.FitResults.load(tmp_path / name)
    # a small file declaring a huge array is refused from its headers, before decompressing
    with h5py.File(tmp_path / "bomb.nc", "w") as f:
        f.create_dataset("x", shape=(40_000, 40_000), dtype="f8", compression="gzip",
                         chunks=(4000, 4000), fillvalue=0)
    assert (tmp_path / "bomb.nc").stat().st_size < 100_000
    with pytest.raises(est.EstimationError, match="12,800,000,000 bytes"):
        est.FitResults.load(tmp_path / "bomb.nc")
    with pytest.raises(est.EstimationError, match="over the limit"):
        est.FitResults.load(good, max_bytes=100)
    with pytest.raises(est.EstimationError, match="not a regular file"):
        est.FitResults.load(tmp_path)
    # and saving never writes to a folder or a device
    from gametheory.errors import OutputPathError

    with pytest.raises(OutputPathError, match="is a folder"):
        small_fit.save(tmp_path)


def test_predict_counterfactual(small_fit):
    base = small_fit.predict("case-region", n_draws=100)
    assert base.configurations["probability"].sum() == pytest.approx(1.0)
    for role, grp in base.appointments.groupby("role"):
        assert grp["probability"].sum() == pytest.approx(1.0), role
    weak = small_fit.predict(scenarios.load("weak-districts"), n_draws=100)
    conc = lambda p: p.configurations.query("concentration == 1")["probability"].sum()  # noqa: E731
    assert conc(weak) > conc(base)          # no bloc power, so concentration is likelier
    assert "Configurations" in base.report()


def test_conditional_logit_and_hierarchical_fit(small):
    r = est.fit(small, model="conditional_logit", role="directors", draws=200, tune=200,
                seed=4, **FAST)
    m = est.fit_mle(small, role="directors")
    s = r.summary(warn=False)
    assert np.allclose(s["mean"], m.params, atol=0.35 * s["sd"].max() + 0.1)
    h = est.fit(small, model="hierarchical", draws=150, tune=150, seed=4, **FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert "sigma_theta" in h.summary().index
    cmp = est.compare({"clogit": r, "other": r})
    assert len(cmp) == 2


def test_nutpie_sampler(small):
    sub = small.subset(small.regions["region"][:20])
    r = est.fit(sub, sampler="nutpie", chains=2, draws=100, tune=100, seed=3,
                progressbar=False)
    assert r.sampler.startswith("nutpie")
    assert set(r.idata.posterior.data_vars) >= {"lam", "theta", "beta"}


def test_auto_sampler_choice():
    from estimation.fit import _choose_sampler

    av = est.available_samplers()
    name, backend = _choose_sampler("auto")
    assert (name, backend) == (("nutpie", "jax") if av["nutpie-jax"] else ("pymc", None))


@pytest.mark.parametrize("kwargs, match", [
    ({"model": "probit"}, "unknown model"),
    ({"sampler": "gibbs"}, "unknown sampler"),
    ({"draws": 0}, "draws"),
    ({"chains": 1.5}, "chains"),
    ({"seed": "x"}, "seed"),
    ({"target_accept": 1.2}, "target_accept"),
    ({"priors": {"beta": ("Normal", {"mu": 0, "sigma": 1})}}, "positive"),
])
def test_bad_input(small, kwargs, match):
    with pytest.raises(ValueError, match=match):
        est.fit(small, **{**FAST, **kwargs})


def test_not_data():
    with pytest.raises(TypeError, match="AllocationData"):
        est.fit({"regions": 1})


def test_library_calls_leave_the_backend_alone_and_draw_on_given_axes(small_fit, tmp_path):
    import matplotlib
    from matplotlib.figure import Figure

    from estimation.calibration import SBCResult
    from gametheory.restratification import run

    before = matplotlib.get_backend()
    matplotlib.use("template")      # a backend no library call would choose by itself
    try:
        run(scenarios.load("case-region")).write(tmp_path / "out")
        small_fit.plot()
        sbc = SBCResult(pd.DataFrame({"a": np.arange(40) % 20, "b": np.arange(40) % 7}), 19)
        sbc.plot()
        assert matplotlib.get_backend() == "template"
    finally:
        matplotlib.use(before)
    ax = Figure().subplots()
    assert small_fit.plot(ax=ax) is ax.figure and len(ax.lines) >= 1
    axes = Figure().subplots(1, 2)
    assert sbc.plot(ax=axes) is axes[0].figure and len(axes[1].patches) > 0
    with pytest.raises(est.EstimationError, match="Axes"):
        sbc.plot(ax=axes[:1])
