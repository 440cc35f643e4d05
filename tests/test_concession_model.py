"""One concession model: run, simulate, the likelihood, the MLE and predict agree.

The estimators' concession stage (:func:`gametheory.restratification.spec.concession_probabilities`,
compiled from tables) is compared with the committee that ``restrat run`` solves for a
Region (:func:`~gametheory.restratification.concessions.solve_committee`, compiled from
the Region object), with scipy's multinomial, and with the posterior predictions of a
fit whose posterior sits at known values.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import estimation as est
from gametheory.restratification import ModelParameters, scenarios, spec
from gametheory.restratification.concessions import ROLE_KINDS, solve_committee
from gametheory.restratification.model import allocation_analysis, compile_region

P = ModelParameters(lam=2.0, harm_weight=0.4, proposer_advantage=0.3)


def _run_probabilities(region, params):
    """(configuration, committee slot name) -> the run's role probabilities (K,)."""
    out = {}
    for cfg in _choice(region, params):
        com = solve_committee(region, cfg, params)
        for j, name in enumerate(com.names):
            out[(cfg, name)] = (com.probabilities[:, j], com.pool_count)
    return out


def _choice(region, params):
    """(host, centre) -> the run's choice probability."""
    t = allocation_analysis(region, params).table
    return dict(zip(zip(t["host"], t["centre"], strict=True), t["probability"], strict=True))


def test_weak_districts_get_smaller_expected_packages_because_the_model_says_so():
    # the model's expected packages (the estimators' compiled design) of the district
    # hospitals, under every configuration where they bargain: smaller in the
    # counterfactual without the districts' votes than in the case (equal harm and
    # pool; only their voting power, hence their recognition, differs)
    par = spec.parameters(P)
    totals = {}
    for name in ("case-region", "weak-districts"):
        region = scenarios.load(name)
        d = compile_region(region, P)
        ex = spec.expected_packages(par, d)[0]                          # (C, K, O)
        districts = [i for i, o in enumerate(region.organisations) if o.kind == "district"]
        on = d.committee.member[0][:, 1:][:, districts]                 # (C, n_districts)
        totals[name] = np.where(on, ex[:, :, districts].sum(axis=1), np.nan)
    case, weak = totals["case-region"], totals["weak-districts"]
    both = np.isfinite(case) & np.isfinite(weak)
    assert both.sum() >= 3
    assert (weak[both] < case[both] - 1e-6).all(), (case, weak)
    # and the difference is the districts' recognition: when the director proposes
    # (almost) every time, every hospital gets (about) its reservation value, the same
    # in both regions
    par_d = spec.parameters(ModelParameters(lam=2.0, harm_weight=0.4,
                                            proposer_advantage=20.0))
    ex = {}
    for name in ("case-region", "weak-districts"):
        region = scenarios.load(name)
        districts = [i for i, o in enumerate(region.organisations) if o.kind == "district"]
        e = spec.expected_packages(par_d, compile_region(region, P))[0]
        ex[name] = e[:, :, districts].sum(axis=1)
    np.testing.assert_allclose(ex["case-region"][both], ex["weak-districts"][both], atol=1e-6)


def test_run_simulate_likelihood_mle_and_predict_agree_on_concession_probabilities():
    region = scenarios.load("case-region")
    par = spec.parameters(P)
    d = compile_region(region, P)
    pk = spec.concession_probabilities(par, d)[0]                       # (C, K, M)
    orgs = [o.name for o in region.organisations]
    ref = _run_probabilities(region, P)
    cfgs = d.configurations(0)
    # run: the committee restrat run solves, configuration by configuration
    for c, cfg in enumerate(cfgs):
        for j in np.flatnonzero(d.committee.member[0, c]):
            name = "(network)" if j == 0 else orgs[j - 1]
            prob, pool = ref[(cfg, name)]
            np.testing.assert_allclose(pk[c, :, j], prob, rtol=0, atol=1e-12)
            np.testing.assert_array_equal(d.committee.pool_count[0, c], pool)
    # the likelihood of observed counts: scipy's multinomial over the run's probabilities
    chosen = allocation_analysis(region, P).chosen
    c = cfgs.index(chosen)
    rng = np.random.default_rng(3)
    com = solve_committee(region, chosen, P)
    counts = np.stack([rng.multinomial(int(com.pool_count[k]), com.probabilities[k])
                       for k in range(len(ROLE_KINDS))])                # (K, members)
    concessions = {name: dict(zip(ROLE_KINDS, counts[:, j].tolist(), strict=True))
                   for j, name in enumerate(com.names) if j > 0}
    tables = est.data.region_tables(region, chosen, concessions=concessions)
    data = est.AllocationData.from_frame(tables)
    a = data.arrays()
    ll = float(spec.concession_log_probability(par, a.design, a.obs)[0])
    ref_ll = sum(stats.multinomial.logpmf(counts[k], counts[k].sum(), com.probabilities[k])
                 for k in range(len(ROLE_KINDS)))
    assert ll == pytest.approx(ref_ll, abs=1e-9)
    # the MLE's compiled likelihood: moving the bargaining parameters changes it by
    # exactly the change of that log-probability (nothing else depends on them)
    from estimation.mle import StructuralLikelihood

    lik = StructuralLikelihood(a)
    x = np.array([spec.estimands(P)[k] for k in lik.labels])
    vals = lik.observations(a.obs)
    moved = x.copy()
    moved[lik.labels.index("harm_weight")] = 0.25
    moved[lik.labels.index("proposer_advantage")] = -0.5
    par2 = spec.parameters(ModelParameters(lam=2.0, harm_weight=0.25,
                                           proposer_advantage=-0.5))
    ll2 = float(spec.concession_log_probability(par2, a.design, a.obs)[0])
    assert np.isfinite(ll2) and ll2 != ll
    assert lik(moved, vals)[0] - lik(x, vals)[0] == pytest.approx(ll2 - ll, abs=1e-9)
    # where the pool cannot cover the reservation values the network keeps nothing: a
    # count it kept has probability 0 on both backends
    moved[lik.labels.index("harm_weight")] = 5.0
    par3 = spec.parameters(ModelParameters(lam=2.0, harm_weight=5.0,
                                           proposer_advantage=-0.5))
    assert float(spec.concession_log_probability(par3, a.design, a.obs)[0]) == -np.inf
    assert lik(moved, vals)[0] == -np.inf
    # simulate draws from the same probabilities: each configuration's committee
    # packages have mean N_k p_kj (checked with frequencies in test_estimation_simulate)
    bank = est.simulate(region, P, n_regions=2, seed=0).bank
    np.testing.assert_allclose(spec.concession_probabilities(par, bank.design)[0], pk,
                               atol=1e-12)
    # predict: a posterior sitting at P predicts the run's packages averaged over the
    # configuration's probability
    fit = _point_posterior(data, P)
    pred = fit.predict(region, n_draws=4, params=P).concessions.set_index(
        ["organisation", "kind"])
    pc = _choice(region, P)
    for o in orgs:
        for k, kind in enumerate(ROLE_KINDS):
            want = sum(pc[cfg] * ref[(cfg, o)][1][k] * ref[(cfg, o)][0][k]
                       for cfg in pc if (cfg, o) in ref)
            assert pred.at[(o, kind), "expected_roles"] == pytest.approx(want, abs=1e-9)


def _point_posterior(data, params):
    """FitResults whose every posterior draw is *params* (no sampling)."""
    import arviz as az
    import xarray as xr

    from estimation.fit import FitResults
    from estimation.models.priors import resolve_priors

    e = spec.estimands(params)
    n = 4
    dims = {"lam_theta": "config_feature", "alpha": "capital"}
    coords = {"config_feature": list(spec.CONFIG_FEATURES), "capital": list(spec.CAPITAL)}
    post = {}
    for name, labels in spec.ESTIMANDS.items():
        if name in spec.DEFAULT_FIXED:
            continue
        if labels:
            v = np.array([e[f"{name}[{lab}]"] for lab in labels])
            post[name] = xr.DataArray(np.broadcast_to(v, (1, n, len(v))),
                                      dims=("chain", "draw", dims[name]))
        else:
            post[name] = xr.DataArray(np.full((1, n), e[name]), dims=("chain", "draw"))
    idata = az.InferenceData(posterior=xr.Dataset(post, coords=coords))
    settings = {"model": "structural", "sampler": "pymc", "backend": None, "veto": True,
                "fixed": dict(spec.DEFAULT_FIXED), "role": None, "group": "network"}
    return FitResults(idata, settings=settings, source=data.arrays(),
                      priors=resolve_priors(None))


def test_observed_counts_outside_the_committee_or_the_pool_are_refused():
    region = scenarios.load("case-region")
    chosen = allocation_analysis(region, P).chosen
    host = chosen[0]
    bad = est.data.region_tables(region, chosen, concessions={host: {"portfolio": 1}})
    with pytest.raises(est.DataValidationError, match="not on the concession committee"):
        est.AllocationData.from_frame(bad)
    com = solve_committee(region, chosen, P)
    over = est.data.region_tables(region, chosen, concessions={
        com.names[1]: {"portfolio": int(com.pool_count[0]) + 1}})
    with pytest.raises(est.DataValidationError, match="more than the pool"):
        est.AllocationData.from_frame(over)
    old = est.data.region_tables(region, chosen)
    old["organisations"]["concession_roles"] = 1.0
    with pytest.raises(est.DataValidationError, match="portfolio_roles"):
        est.AllocationData.from_frame(old)


# ------------------------------------------------- vectorised builder and likelihood
def _random_frames(seed, n, quota=None, max_orgs=10):
    from dataclasses import replace

    rng = np.random.default_rng(seed)
    regions = [scenarios.random_region(rng) for _ in range(n)]
    if quota is not None:           # a quota below unanimity needs small committees
        regions = [replace(r, committee_quota=quota if i % 2 else 1.0)
                   for i, r in enumerate(regions) if len(r.organisations) <= max_orgs]
    return spec.region_frames(regions, names=[f"r{i}" for i in range(len(regions))])


@pytest.mark.parametrize("quota, params", [
    (None, P),
    (0.6, ModelParameters(power_index="shapley_shubik", credible_share=0.3, partial_hold=0.2)),
])
def test_vectorised_committee_builder_equals_the_per_region_loop(quota, params):
    # the builder vectorised over regions and configurations against the loop it
    # replaced (kept in tests/_reference.py), on random regions: the same arrays
    from _reference import committee_design_by_loop

    frames = _random_frames(11, 14, quota)
    d = spec.compile_design(frames, params)
    mem = frames["members"].assign(
        organisation=frames["members"]["organisation"].fillna("").astype(str))
    old = committee_design_by_loop(
        {"regions": frames["regions"], "organisations": frames["organisations"],
         "members": mem}, list(d.region_names), d.org_names, d.cfg_host, d.cfg_centre,
        d.cfg_mask, d.loss, params)
    new = d.committee
    assert (quota is None) == bool(new.unanimous.all())
    for f in ("names", "member", "eligible", "pool_count", "unanimous", "cfg_mask",
              "quota_options", "coalitions"):
        a, b = getattr(new, f), getattr(old, f)
        assert (a is None) == (b is None), f
        if a is not None:
            np.testing.assert_array_equal(a, b, err_msg=f)
    for f in ("power", "reservation_base", "pool_value", "loss", "harm", "worth_single"):
        np.testing.assert_allclose(getattr(new, f), getattr(old, f), rtol=0, atol=1e-10,
                                   err_msg=f)
    assert new.power[new.member].max() > 0 and new.reservation_base.max() > 0


@pytest.mark.parametrize("quota", [None, 0.6])
def test_chosen_committee_likelihood_equals_solving_every_configuration(quota):
    # the likelihood solves only the observed configuration's committee (numpy and a
    # symbolic chosen index, as in the pymc model); it equals solving every
    # configuration and picking the chosen one
    import pytensor
    import pytensor.tensor as pt

    from gametheory.formation import pytensor_backend
    from gametheory.restratification.concessions import (
        chosen_committee,
        draw_packages,
        observed_cells_log_likelihood,
    )

    frames = _random_frames(5, 12, quota, max_orgs=7)
    d = spec.compile_design(frames, P)
    rng = np.random.default_rng(0)
    chosen = np.array([rng.integers(n) for n in d.n_configurations])
    par = {"harm_weight": np.array([0.7]), "proposer_advantage": np.array([-0.4]),
           "patience": np.array([0.8])}
    every = spec.concession_probabilities(par, d)                     # (G, C, K, M)
    picked = every[np.arange(d.n_regions), chosen]
    cm = d.committee
    numpy_path = chosen_committee(cm, chosen, par=par)
    np.testing.assert_allclose(numpy_path["p"], picked, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(numpy_path["pool"], cm.pool_count[np.arange(d.n_regions),
                                                                     chosen])
    assert (quota is None) == bool(cm.unanimous.all())
    xp = pytensor_backend()
    ch = pt.lvector("chosen")
    sym = {k: pt.tensor(k, shape=(1,), dtype="float64") for k in par}
    out = chosen_committee(cm, ch, xp, par=sym)
    f = pytensor.function([ch, *sym.values()], [out["p"], out["pool"], out["member"]],
                          mode="FAST_COMPILE")
    p_s, pool_s, mem_s = f(chosen, *par.values())
    np.testing.assert_allclose(p_s, picked, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(mem_s, cm.member[np.arange(d.n_regions), chosen])
    # and the multinomial over them, against the probabilities of every configuration
    pool = cm.pool_count[np.arange(d.n_regions), chosen]
    counts = draw_packages(rng, picked, pool)[..., 1:]
    seen = rng.random(counts.shape) < 0.7
    on = seen & numpy_path["member"][:, None, 1:]
    ll = observed_cells_log_likelihood(numpy_path["p"], numpy_path["pool"], counts, on)
    ref = observed_cells_log_likelihood(picked, pool.astype(float), counts, on)
    np.testing.assert_allclose(ll, ref, rtol=0, atol=1e-10)
    assert np.isfinite(ll).all() and (ll < 0).any()
