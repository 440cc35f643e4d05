"""Concessions as committee bargaining: behaviour, not restated inputs.

Independent computations: the exact Baron-Ferejohn solver, brute-force
stationary conditions, scipy's multinomial, a Monte Carlo of the package draws,
Hamilton's method from its definition, segment intersection for the figure.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from gametheory.bargaining import baron_ferejohn
from gametheory.restratification import ModelParameters, run, scenarios
from gametheory.restratification.concessions import (
    ROLE_KINDS,
    apportion,
    bargaining_parameters,
    committee_design,
    draw_packages,
    hierarchy_positions,
    package_log_likelihood,
    portfolio_match,
    role_probabilities,
    solve_committee,
)
from gametheory.restratification.scenarios import NT, TH1, TH2

CASE_CHOSEN = (NT, TH1)


@pytest.fixture(scope="module")
def case():
    return run(scenarios.load("case-region"))


@pytest.fixture(scope="module")
def weak():
    return run(scenarios.load("weak-districts"))


def _districts(res):
    kinds = {o.name: o.kind for o in res.region.organisations}
    return res.concessions.table[[kinds[o] == "district"
                                  for o in res.concessions.table.index]]


# --- concessions respond to power, harm and the pool ---------------------------------
def test_weak_districts_get_smaller_packages(case, weak):
    c, w = _districts(case), _districts(weak)
    assert list(c.index) == list(w.index)
    assert (w["share"] < c["share"]).all()
    assert w["package_value"].sum() < c["package_value"].sum()
    # without power the districts are never recognised: they get their reservation value
    committee = weak.concessions.committee_game.loc[list(w.index)]
    np.testing.assert_allclose(committee["recognition"], 0.0)
    np.testing.assert_allclose(committee["share"], committee["reservation"])


def test_concessions_respond_to_harm():
    region = scenarios.load("weak-districts")
    chosen = (TH1, TH1)
    base = solve_committee(region, chosen)
    # more trauma work in Dunmore: more harm, a higher reservation, a larger share
    orgs = [replace(o, trauma_volume=o.trauma_volume * 2) if o.name.startswith("Dunmore")
            else o for o in region.organisations]
    more = solve_committee(replace(region, organisations=orgs), chosen)
    i = base.names.index("Dunmore District Hospital")
    assert more.harm[i] == pytest.approx(2 * base.harm[i])
    assert more.values[i] > base.values[i]
    # and harm_weight scales what the powerless can claim
    hw = solve_committee(region, chosen, ModelParameters(harm_weight=0.3))
    assert hw.values[i] == pytest.approx(2 * base.values[i])


def test_concessions_respond_to_the_pool():
    region = scenarios.load("case-region")
    small = replace(region, roles=replace(region.roles, rotation_pool=0.0))
    big = replace(region, roles=replace(region.roles, rotation_pool=30.0))
    o_small, o_big = (solve_committee(r, CASE_CHOSEN) for r in (small, big))
    w_small = float(o_small.pool_count @ o_small.pool_value)
    w_big = float(o_big.pool_count @ o_big.pool_value)
    assert w_big > w_small
    # the expected value handed to the hospitals rises with the pool ...
    assert (o_big.values[1:] * w_big).sum() > (o_small.values[1:] * w_small).sum()
    # ... and a pool too small for the reservation values is rationed and flagged
    tiny = replace(region, roles=replace(region.roles, portfolios={"research": 0.1},
                                         seat_pool=1.0, rotation_pool=0.0, seat_value=0.1))
    o_tiny = solve_committee(tiny, CASE_CHOSEN)
    assert not o_tiny.covered
    np.testing.assert_allclose(o_tiny.values, o_tiny.reservation / o_tiny.reservation.sum())


def test_proposer_advantage_and_patience_move_the_network_share():
    region = scenarios.load("case-region")
    shares = [solve_committee(region, CASE_CHOSEN,
                              ModelParameters(proposer_advantage=phi)).values[0]
              for phi in (-1.0, 0.0, 1.0)]
    assert shares[0] < shares[1] < shares[2]
    assert shares[1] == pytest.approx(0.5, abs=0.02)   # log-odds 0: proposes half the time


# --- the equilibrium -----------------------------------------------------------------
def test_committee_shares_pass_one_shot_deviation_check(case):
    cg = case.concessions.committee_game
    rho, r, v = (cg[c].to_numpy(float) for c in ("recognition", "reservation", "share"))
    delta = case.params.patience
    c = np.maximum(delta * v, r)                  # the least offer each member accepts
    keep = 1 - (c.sum() - c)
    # stationarity: each member's value is what it keeps when recognised plus its price
    np.testing.assert_allclose(v, rho * keep + (1 - rho) * c, atol=1e-12)
    # no proposer would rather let the round fail or walk away
    assert np.all(keep >= np.maximum(delta * v, r) - 1e-12)
    # cutting any offer below the price loses that member's consent (unanimity), and
    # offering more than the price is a cost with no gain: the equilibrium offers are
    # exactly the prices
    np.testing.assert_allclose(cg["price"], c, atol=1e-12)


def test_without_reservation_values_the_committee_is_the_baron_ferejohn_solver():
    region = scenarios.load("case-region")
    out = solve_committee(region, CASE_CHOSEN, ModelParameters(harm_weight=0.0))
    n = len(out.names)
    bf = baron_ferejohn(np.ones(n), n, recognition=out.recognition, delta=0.9)
    np.testing.assert_allclose(out.values, bf.values.values, atol=1e-12)


def test_quota_committee_uses_the_quantal_proposer_close_to_the_solver():
    region = replace(scenarios.load("case-region"), committee_quota=0.6)
    params = ModelParameters(harm_weight=0.0)
    out = solve_committee(region, CASE_CHOSEN, params)
    n = len(out.names)
    quota = int(np.ceil(0.6 * n - 1e-9))
    bf = baron_ferejohn(np.ones(n), quota, recognition=out.recognition, delta=0.9)
    assert np.abs(out.values - bf.values.values).max() < 0.03     # tau = 0.01 of the pool
    una = solve_committee(scenarios.load("case-region"), CASE_CHOSEN, params)
    assert np.abs(out.values - una.values).max() > 0.01            # the rule matters


# --- from shares to integer packages -------------------------------------------------
def test_package_draws_have_the_equilibrium_expectation():
    design = committee_design([scenarios.load("case-region")], [[CASE_CHOSEN]])
    par = bargaining_parameters(ModelParameters())
    p = role_probabilities(par, design)[0, 0]                   # (K, M)
    N = design.pool_count[0, 0]
    rng = np.random.default_rng(11)
    draws = draw_packages(rng, np.broadcast_to(p, (4000, *p.shape)), N)
    assert np.all(draws.sum(axis=-1) == N)
    mean, expected = draws.mean(axis=0), N[:, None] * p
    se = np.sqrt(N[:, None] * p * (1 - p) / 4000)
    z = np.abs(mean - expected) / np.where(se > 0, se, 1.0)
    assert np.all(z[se > 0] < 4.5) and np.allclose(mean[se == 0], expected[se == 0])
    # the network never keeps a committee seat; a hospital without practice elites
    # (or that is not a district hospital) never gets a rotation place
    assert np.all(draws[:, ROLE_KINDS.index("seat"), 0] == 0)
    names = list(design.names[0, 0])
    th2 = names.index(TH2)
    assert np.all(draws[:, ROLE_KINDS.index("rotation"), th2] == 0)


@pytest.mark.parametrize("seed", range(20))
def test_hamilton_apportionment_keeps_quota_and_total(seed):
    rng = np.random.default_rng(seed)
    total = int(rng.integers(1, 20))
    e = rng.dirichlet(np.ones(int(rng.integers(2, 9)))) * total
    a = apportion(e)
    assert a.sum() == total
    assert np.all((a == np.floor(e)) | (a == np.ceil(e)))
    # the ones rounded up are those with the largest remainders
    up = a > np.floor(e + 1e-12)
    rem = e - np.floor(e)
    if up.any() and (~up).any():
        assert rem[up].min() >= rem[~up].max() - 1e-12


def test_package_likelihood_is_the_multinomial():
    regions = [scenarios.load("case-region"), scenarios.load("weak-districts")]
    cfgs = [[CASE_CHOSEN, (TH2, TH1)], [(TH1, TH1)]]
    design = committee_design(regions, cfgs)
    par = bargaining_parameters(ModelParameters(proposer_advantage=0.3))
    p = role_probabilities(par, design)
    chosen = np.array([1, 0])
    rng = np.random.default_rng(4)
    counts = np.stack([draw_packages(rng, p[g, chosen[g]], design.pool_count[g, chosen[g]])
                       for g in range(2)])
    every = np.ones(counts[..., 1:].shape, bool)
    ll = package_log_likelihood(par, design, counts[..., 1:], every, chosen)
    for g in range(2):
        ref = sum(stats.multinomial.logpmf(counts[g, k], counts[g, k].sum(),
                                           p[g, chosen[g], k]) for k in range(len(ROLE_KINDS)))
        assert ll[g] == pytest.approx(ref, abs=1e-9)
    none = every.copy()
    none[1] = False
    ll2 = package_log_likelihood(par, design, counts[..., 1:], none, chosen)
    assert ll2[1] == 0.0
    # one hospital's counts unobserved: its cell is merged with the network's (scipy's
    # multinomial over the merged cells)
    g = 0
    on = np.flatnonzero(design.member[g, chosen[g]])[1:]           # committee slots
    hidden = on[0]
    part = every.copy()
    part[g, :, hidden - 1] = False
    ll3 = package_log_likelihood(par, design, counts[..., 1:], part, chosen)
    ref = 0.0
    for k in range(len(ROLE_KINDS)):
        keep = [j for j in on if j != hidden]
        pk = p[g, chosen[g], k]
        cells = np.r_[counts[g, k, keep], counts[g, k].sum() - counts[g, k, keep].sum()]
        probs = np.r_[pk[keep], 1.0 - pk[keep].sum()]
        ref += stats.multinomial.logpmf(cells, cells.sum(), np.clip(probs, 0, 1))
    assert ll3[g] == pytest.approx(ref, abs=1e-9)


def test_array_backends_agree():
    import pytensor
    import pytensor.tensor as pt

    from gametheory.formation.backend import pytensor_backend

    regions = [scenarios.load("case-region"), replace(scenarios.load("weak-districts"),
                                                      committee_quota=0.7)]
    design = committee_design(regions, [[CASE_CHOSEN], [(TH1, TH1)]])
    xp = pytensor_backend()
    sym = {k: pt.vector(k, shape=(2,)) for k in ("harm_weight", "proposer_advantage",
                                                 "patience")}
    p_sym = role_probabilities(sym, design, xp)
    f = pytensor.function(list(sym.values()), p_sym, mode="FAST_COMPILE")
    vals = {"harm_weight": np.array([0.2, 0.1]), "proposer_advantage": np.array([0.0, -0.4]),
            "patience": np.array([0.9, 0.8])}
    np.testing.assert_allclose(f(*vals.values()), role_probabilities(vals, design),
                               atol=1e-10)


# --- who holds which role ------------------------------------------------------------
def test_service_portfolios_only_where_the_service_runs_and_best_matching_holders(case):
    roles = case.concessions.roles
    orgs = {o.name: o for o in case.region.organisations}
    docs = {d.name: d for d in case.region.doctors}
    for _, r in roles[roles["kind"] == "portfolio"].iterrows():
        name = r["role"][:-len(" lead")]
        if name in ("paediatrics", "critical care", "rehabilitation"):
            org = orgs[r["organisation"]]
            assert name in org.services | org.super_specialist, r["role"]
        if r["concession"] and r["holder"] in docs:
            # the holder is among the hospital's best matches for the portfolio
            cands = [d for d in case.region.doctors_of(r["organisation"])
                     if not d.opinion_leader]
            best = max(portfolio_match(d, name) for d in cands)
            held = [x for x in roles["holder"] if x == r["holder"]]
            assert portfolio_match(docs[r["holder"]], name) >= best - 1.0 or len(held) > 1


def test_paediatrics_lead_never_without_a_paediatric_service():
    for seed in range(12):
        res = run(scenarios.random_region(seed))
        orgs = {o.name: o for o in res.region.organisations}
        roles = res.concessions.roles
        for _, r in roles[(roles["kind"] == "portfolio") & roles["concession"]].iterrows():
            svc = r["role"][:-len(" lead")]
            if svc in ("paediatrics", "critical care", "rehabilitation"):
                o = orgs[r["organisation"]]
                assert svc in o.services | o.super_specialist
        # the host and the centre receive nothing as concessions
        assert not set(res.concessions.packages.get("organisation", [])) & set(res.chosen)


# --- stability -----------------------------------------------------------------------
def test_scarce_roles_is_reported_unstable_with_the_withdrawing_coalitions():
    res = run(scenarios.load("scarce-roles"))
    c = res.concessions
    assert not c.stable and c.n_withdrawing > 0 and c.shortfall > 0
    # the listed coalitions really lose out: worth from raw harm, packages from the roles
    h = c.table["harm"]
    total = h.sum()
    x = c.table["package_value"]
    p = res.params
    for _, w in c.withdrawing.iterrows():
        members = w["coalition"].split(", ")
        hs = h[members].sum()
        worth = p.harm_weight * (hs if hs >= p.credible_share * total - 1e-12
                                 else p.partial_hold * hs)
        assert worth == pytest.approx(w["worth"]) and x[members].sum() < worth
    # the shortfall, paid as computed, keeps every coalition (enumeration)
    s = c.table["shortfall"].to_numpy()
    n = len(h)
    masks = np.arange(1, 1 << n)
    member = ((masks[:, None] >> np.arange(n)) & 1).astype(float)
    hs = member @ h.to_numpy()
    worth = p.harm_weight * np.where(hs >= p.credible_share * total - 1e-12, hs,
                                     p.partial_hold * hs)
    assert np.all(member @ (x.to_numpy() + s) >= worth - 1e-7)
    assert c.shortfall >= c.withdrawing["deficit"].max() - 1e-9
    assert s.sum() == pytest.approx(c.shortfall)


def test_stable_flag_varies(case):
    # a pool with two committee seats per hospital keeps every coalition (even the
    # smallest hospital then holds a role); the scarce one does not
    region = scenarios.load("case-region")
    rich = replace(region, roles=replace(region.roles, seat_pool=14.0))
    assert run(rich).concessions.stable
    assert not run(scenarios.load("scarce-roles")).concessions.stable


# --- the report ----------------------------------------------------------------------
def test_report_gives_units_and_marks_stylised_inputs(case):
    text = case.report()
    assert "value units: hundreds of trauma cases a year" in text
    assert "units: loss, harm: 100 cases/yr" in text
    assert "recognition, share: unitless" in text
    assert "Stylised inputs" in text and "16 votes" in text
    assert "stable: " in text
    # no column repeats another by construction
    for col in ("stabilizing", "nucleolus", "expected_value", "power"):
        assert col not in case.concessions.table.columns


def test_restrat_list_marks_stylised_scenarios(capsys):
    from restrat.cli import main

    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "stylised" in out and "16 votes" in out


# --- the figure ----------------------------------------------------------------------
def _crosses(p1, p2, q1, q2) -> bool:
    def orient(a, b, c):
        return np.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))

    if len({p1, p2, q1, q2}) < 4:
        return False                       # edges sharing an end do not cross
    return (orient(p1, p2, q1) != orient(p1, p2, q2)
            and orient(q1, q2, p1) != orient(q1, q2, p2))


@pytest.mark.parametrize("name", ["case-region", "weak-districts", "random-region"])
def test_hierarchy_figure_is_layered_without_crossing_edges(name):
    res = run(scenarios.load(name))
    h = res.hierarchy
    pos = hierarchy_positions(h)
    edges = [(int(p), int(i)) for i, p in zip(h.index, h["parent"], strict=True) if p >= 0]
    for a in range(len(edges)):
        for b in range(a + 1, len(edges)):
            (u1, v1), (u2, v2) = edges[a], edges[b]
            assert not _crosses(pos[u1], pos[v1], pos[u2], pos[v2]), (edges[a], edges[b])
    # layers: every level on its own horizontal line, level 1 on top
    ys = pd.Series({i: pos[i][1] for i in h.index})
    for _, grp in h.groupby("level"):
        assert ys[grp.index].nunique() == 1
    assert ys[h.index[h["level"] == 1]].iloc[0] > ys.max() - 1e-12


def test_draw_hierarchy_accepts_an_axes_and_leaves_pyplot_alone(case):
    import matplotlib
    from matplotlib.figure import Figure

    from gametheory.restratification.concessions import draw_hierarchy

    backend = matplotlib.get_backend()
    ax = Figure().subplots()
    assert draw_hierarchy(case.hierarchy, ax=ax) is ax
    assert matplotlib.get_backend() == backend
