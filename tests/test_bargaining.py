"""Tests for gametheory.bargaining: closed forms, properties and bad input."""

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gametheory as gt
from gametheory.bargaining import (
    FeasibleSet,
    baron_ferejohn,
    egalitarian,
    ideal_point,
    kalai_smorodinsky,
    nash,
    rubinstein,
    rubinstein_limit,
    zeuthen,
)
from gametheory.errors import InvalidArgumentError

# ------------------------------------------------------------ axiomatic


def test_nash_triangle_closed_form():
    # S = conv{(0,0),(4,0),(0,2)}: maximise u1*u2 on u1/4 + u2/2 = 1 -> (2, 1)
    res = nash([[0, 0], [4, 0], [0, 2]])
    np.testing.assert_allclose(res.values, [2.0, 1.0], atol=1e-10)
    assert res.exact and res.concept == "nash-bargaining"


def test_nash_asymmetric_weights_closed_form():
    # line u1 + u2 = 1, weights (a, 1-a): u = (a, 1-a)
    res = nash([[1, 0], [0, 1]], weights=[3, 1])
    np.testing.assert_allclose(res.values, [0.75, 0.25], atol=1e-10)


def test_nash_with_disagreement_point():
    # u1 + u2 <= 10, d = (2, 4): split the surplus 4 equally
    res = nash([[10, 0], [0, 10]], disagreement=[2, 4])
    np.testing.assert_allclose(res.values, [4.0, 6.0], atol=1e-10)


def test_nash_polygon_at_vertex():
    # Pentagon with a kink at (3, 3): Nash point is the kink vertex
    V = [[0, 0], [4, 0], [3, 3], [0, 4]]
    res = nash(V)
    np.testing.assert_allclose(res.values, [3.0, 3.0], atol=1e-10)
    assert res.info["certificate_gap"] <= 1e-9


def test_nash_three_players_simplex():
    res = nash(np.eye(3) * 6)
    np.testing.assert_allclose(res.values, [2, 2, 2], atol=1e-9)


def test_nash_frontier_matches_vertices():
    f = nash(lambda x: 2 - 2 * x / 4 * 2, bounds=(0, 2))  # u2 = 2 - x
    v = nash([[2, 0], [0, 2]])
    np.testing.assert_allclose(f.values, v.values, atol=1e-8)


def test_nash_concave_frontier_closed_form():
    # u2 = 1 - u1^2: maximise u1 (1 - u1^2) -> u1 = 1/sqrt(3)
    res = nash(lambda x: 1 - x ** 2, bounds=(0, 1))
    np.testing.assert_allclose(res.values, [1 / np.sqrt(3), 2 / 3], atol=1e-9)


def test_ks_polygon_closed_form():
    # conv{(0,0),(1,0),(0.5,1),(0,1)}: ideal (1,1); diagonal meets edge
    # from (1,0) to (0.5,1): u2 = 2(1-u1) = u1 -> 2/3
    res = kalai_smorodinsky([[0, 0], [1, 0], [0.5, 1], [0, 1]])
    np.testing.assert_allclose(res.values, [2 / 3, 2 / 3], atol=1e-10)
    np.testing.assert_allclose(res.info["ideal"], [1, 1], atol=1e-10)


def test_ks_differs_from_nash_known_example():
    # Kalai and Smorodinsky (1975), "Other solutions to Nash's bargaining problem",
    # Econometrica 43(3), 513-518: S = conv{(0,0),(1,0),(0.75,0.75),(0,1)} and
    # T = conv{(0,0),(1,0),(1,0.7),(0,1)}. T gives player 2 more at every u1, yet Nash
    # gives player 2 less in T than in S (monotonicity fails); KS does not.
    S = [[0, 0], [1, 0], [0.75, 0.75], [0, 1]]
    T = [[0, 0], [1, 0], [1, 0.7], [0, 1]]
    # by hand: on T's edge u2 = 1 - 0.3 u1 the product u1 u2 rises up to u1 = 1, so the
    # Nash point is the vertex (1, 0.7); KS meets u2 = u1 at 1 - 0.3 u = u, u = 10/13
    np.testing.assert_allclose(nash(T).values, [1.0, 0.7], atol=1e-8)
    np.testing.assert_allclose(kalai_smorodinsky(T).values, [10 / 13, 10 / 13], atol=1e-10)
    np.testing.assert_allclose(nash(S).values, [0.75, 0.75], atol=1e-8)
    np.testing.assert_allclose(kalai_smorodinsky(S).values, [0.75, 0.75], atol=1e-10)
    assert nash(T).values[1] < nash(S).values[1]
    assert kalai_smorodinsky(T).values[1] >= kalai_smorodinsky(S).values[1]


def test_ks_frontier():
    # u2 = 1 - u1^2, ideal (1, 1): t = 1 - t^2 -> t = (sqrt5 - 1)/2
    t = (np.sqrt(5) - 1) / 2
    res = kalai_smorodinsky(lambda x: 1 - x ** 2, bounds=(0, 1))
    np.testing.assert_allclose(res.values, [t, t], atol=1e-10)


def test_egalitarian_closed_form():
    res = egalitarian([[2, 0], [0, 1]])
    np.testing.assert_allclose(res.values, [2 / 3, 2 / 3], atol=1e-10)
    res = egalitarian([[2, 0], [0, 1]], disagreement=[0.5, 0])
    # (0.5 + t, t) on u1/2 + u2 = 1 -> t = 0.5
    np.testing.assert_allclose(res.values, [1.0, 0.5], atol=1e-10)


def test_egalitarian_frontier_and_ideal():
    res = egalitarian(lambda x: 1 - x ** 2, bounds=(0, 1))
    t = (np.sqrt(5) - 1) / 2
    np.testing.assert_allclose(res.values, [t, t], atol=1e-10)
    np.testing.assert_allclose(ideal_point([[3, 0], [0, 2], [1, 1.5]]), [3, 2], atol=1e-10)


def test_feasible_set_object_and_labels():
    S = FeasibleSet.from_vertices([[1, 0], [0, 1]])
    res = nash(S, players=["A", "B"])
    assert res["A"] == pytest.approx(0.5)
    assert gt.bargaining.nash is nash


@st.composite
def polygons(draw):
    k = draw(st.integers(2, 6))
    pts = draw(st.lists(st.tuples(st.integers(0, 10), st.integers(0, 10)), min_size=k,
                        max_size=k))
    pts = [(a, b) for a, b in pts if a + b > 0]
    if len(pts) < 2 or all(a == 0 for a, b in pts) or all(b == 0 for a, b in pts):
        pts = pts + [(1, 0), (0, 1), (1, 1)]
    return np.array(pts + [(0, 0)], dtype=float)


@given(polygons(), st.floats(0.2, 5.0))
def test_nash_maximises_product_property(V, w1):
    res = nash(V, weights=[w1, 1.0])
    w = np.array([w1, 1.0]) / (w1 + 1.0)
    u = res.values
    best = w @ np.log(u)
    # no point of a fine sample of the hull does better
    rng = np.random.default_rng(0)
    lam = rng.dirichlet(np.ones(len(V)), size=2000)
    P = lam @ V
    P = P[np.all(P > 0, axis=1)]
    assert np.all(np.log(P) @ w <= best + 1e-9)
    # Pareto optimal: the KS and egalitarian points are weakly below the frontier too
    ks = kalai_smorodinsky(V).values
    eg = egalitarian(V).values
    assert ks[0] >= eg[0] - 1e-9 or ks[1] >= eg[1] - 1e-9


def _lp_ray(V, d, direction):
    """max t with d + t dir <= V^T lam, lam in the simplex (an LP, independent of the
    closed form, which works on the Pareto chain)."""
    from scipy.optimize import linprog

    m = V.shape[0]
    c = np.zeros(m + 1)
    c[-1] = -1.0
    res = linprog(c, A_ub=np.hstack([-V.T, direction.reshape(-1, 1)]), b_ub=-d,
                  A_eq=np.append(np.ones(m), 0.0).reshape(1, -1), b_eq=[1.0],
                  bounds=[(0, None)] * m + [(None, None)], method="highs")
    return res.x[-1]


@given(polygons(), st.floats(0.2, 5.0), st.floats(0.0, 0.4), st.floats(0.0, 0.4))
def test_polygon_closed_forms_match_independent_algorithms(V, w1, f1, f2):
    # closed-form polygon solutions vs independent algorithms on the same vertices: LPs
    # over the convex weights, and the general Nash path (SLSQP + face Newton, certified)
    from gametheory.bargaining.axiomatic import _nash_vertices

    d = np.array([f1, f2]) * V.max(axis=0)
    eg_lp = _lp_ray(V, d, np.ones(2))
    if eg_lp <= 1e-6:
        return
    w = np.array([w1, 1.0]) / (w1 + 1.0)
    res = nash(V, d, weights=[w1, 1.0])
    assert res.method == "closed-form"
    u, gap, _, _ = _nash_vertices(V, d, w, d + eg_lp)
    np.testing.assert_allclose(res.values, u, atol=1e-7)
    eg = egalitarian(V, d)
    np.testing.assert_allclose(eg.info["gain"], eg_lp, atol=1e-9)
    # ideal point by LPs, then KS by the LP ray toward it
    a = np.array([_lp_ray(V, d, np.array([1.0, 0.0])) + d[0],
                  _lp_ray(V, d, np.array([0.0, 1.0])) + d[1]])
    ks = kalai_smorodinsky(V, d)
    np.testing.assert_allclose(ks.info["ideal"], a, atol=1e-9)
    np.testing.assert_allclose(ks.values, d + _lp_ray(V, d, a - d) * (a - d), atol=1e-9)


def test_polygon_20001_vertices_exact():
    # 20,001 collinear points on u1/2 + u2 = 1 plus the origin: Nash (1, 1/2) exactly,
    # egalitarian 2/3 each, KS (1, 1/2) (ideal (2, 1))
    t = np.linspace(0.0, 1.0, 20_001)
    V = np.vstack([np.column_stack([2 * t, 1 - t]), [0.0, 0.0]])
    np.testing.assert_allclose(nash(V).values, [1.0, 0.5], rtol=0, atol=1e-12)
    np.testing.assert_allclose(egalitarian(V).values, [2 / 3, 2 / 3], rtol=0, atol=1e-12)
    np.testing.assert_allclose(kalai_smorodinsky(V).values, [1.0, 0.5], rtol=0, atol=1e-12)
    # 20,001 vertices on the quarter ellipse u1^2/4 + u2^2 = 1: the polygon's Nash point
    # is within the chord error of the ellipse's, (sqrt 2, 1/sqrt 2)
    th = np.linspace(0.0, np.pi / 2, 20_001)
    E = np.vstack([np.column_stack([2 * np.cos(th), np.sin(th)]), [0.0, 0.0]])
    res = nash(E)
    np.testing.assert_allclose(res.values, [np.sqrt(2), 1 / np.sqrt(2)], atol=1e-8)
    assert res.info["certificate_gap"] <= 1e-12


@given(polygons())
def test_zeuthen_converges_to_nash(V):
    nb = nash(V).values
    res = zeuthen(V, grid=4001)
    step = res.info["step"]
    assert abs(res.agreement[0] - nb[0]) <= 2.5 * step + 1e-9
    # Nash products of the offers never fall
    NP = np.prod(res.offers - 0.0, axis=2).min(axis=1)
    assert np.all(np.diff(NP) >= -1e-12)


def test_zeuthen_history_and_risk_rule():
    res = zeuthen([[4, 0], [0, 2]], grid=2001)
    np.testing.assert_allclose(res.agreement, [2.0, 1.0], atol=3 * res.info["step"])
    # the conceder is the player with the smaller risk limit
    for (r0, r1), who in zip(res.risk_limits, res.conceders, strict=True):
        if who == 0:
            assert r0 <= r1 + 1e-12
        elif who == 1:
            assert r1 <= r0 + 1e-12
        else:
            assert r0 == pytest.approx(r1)
    assert res.rounds == len(res.offers) > 1


def test_zeuthen_error_shrinks_with_grid():
    f = lambda x: 1 - x ** 2  # noqa: E731
    target = nash(f, bounds=(0, 1)).values
    errs = [abs(zeuthen(f, bounds=(0, 1), grid=g).agreement[0] - target[0])
            for g in (101, 1001, 10001)]
    assert errs[2] < 2e-4 and errs[2] <= errs[0]


# ------------------------------------------------------------ Rubinstein


@pytest.mark.parametrize("d1,d2", [(0.9, 0.9), (0.5, 0.8), (0.99, 0.3)])
def test_rubinstein_closed_form(d1, d2):
    res = rubinstein(d1, d2)
    x = (1 - d2) / (1 - d1 * d2)
    np.testing.assert_allclose(res.values, [x, 1 - x], atol=1e-14)
    res2 = rubinstein(d1, d2, first=1)
    y = (1 - d1) / (1 - d1 * d2)
    np.testing.assert_allclose(res2.values, [1 - y, y], atol=1e-14)


def _finite_horizon(d1, d2, T, p=0.0, e=(0, 0), o=None):
    """Backward induction of the T-period game (last proposer takes all)."""
    shares = [1.0, 1.0]  # M_i in the last period
    for _ in range(T):
        m1 = 1 - max(o[1] if o else -np.inf, d2 * ((1 - p) * shares[1] + p * e[1]))
        m2 = 1 - max(o[0] if o else -np.inf, d1 * ((1 - p) * shares[0] + p * e[0]))
        shares = [m1, m2]
    return shares


@pytest.mark.parametrize("kw", [{}, {"p": 0.1, "e": (0.2, 0.1)},
                                {"o": (0.0, 0.45)}, {"p": 0.05, "e": (0.1, 0.3),
                                                     "o": (0.3, 0.0)}])
def test_rubinstein_matches_long_finite_horizon(kw):
    d1, d2 = 0.8, 0.7
    M = _finite_horizon(d1, d2, 400, kw.get("p", 0.0), kw.get("e", (0, 0)), kw.get("o"))
    res = rubinstein(d1, d2, breakdown=kw.get("p", 0.0),
                     breakdown_payoffs=kw.get("e", (0, 0)), outside_options=kw.get("o"))
    np.testing.assert_allclose(res.info["proposer_shares"], M, atol=1e-12)


def test_rubinstein_limit_is_asymmetric_nash_and_discrete_limit():
    lim = rubinstein_limit(1.0, 2.0, breakdown_rate=0.5, breakdown_payoffs=(0.2, 0.1))
    nb = nash([[1, 0], [0, 1]], disagreement=lim.info["disagreement"],
              weights=lim.info["nash_weights"])
    np.testing.assert_allclose(lim.values, nb.values, atol=1e-9)
    dt = 1e-5
    disc = rubinstein(np.exp(-dt), np.exp(-2 * dt), breakdown=1 - np.exp(-0.5 * dt),
                      breakdown_payoffs=(0.2, 0.1))
    np.testing.assert_allclose(disc.values, lim.values, atol=1e-4)
    # pure breakdown: symmetric Nash with disagreement at the breakdown payoffs
    pure = rubinstein_limit(0.0, 0.0, breakdown_rate=1.0, breakdown_payoffs=(0.4, 0.2))
    np.testing.assert_allclose(pure.values, [0.6, 0.4], atol=1e-12)
    # outside option principle
    oo = rubinstein_limit(1.0, 1.0, outside_options=(0.0, 0.7))
    np.testing.assert_allclose(oo.values, [0.3, 0.7], atol=1e-12)


# ------------------------------------------------------------ Baron–Ferejohn


@pytest.mark.parametrize("n", [3, 5, 7])
@pytest.mark.parametrize("delta", [0.5, 0.9, 1.0])
def test_baron_ferejohn_symmetric_closed_form(n, delta):
    res = baron_ferejohn([1] * n, (n + 1) // 2, delta=delta)
    np.testing.assert_allclose(res.proposer_share, 1 - delta * (n - 1) / (2 * n), atol=1e-12)
    np.testing.assert_allclose(res.prices, delta / n, atol=1e-12)
    np.testing.assert_allclose(res.values.values, 1 / n, atol=1e-12)
    # each proposer buys (n-1)/2 partners
    np.testing.assert_allclose(res.inclusion.sum(axis=1), (n - 1) / 2, atol=1e-12)


def test_baron_ferejohn_minimal_winning_form_matches():
    n = 5
    mwc = [sum(1 << i for i in c) for c in combinations(range(n), 3)]
    res = baron_ferejohn(minimal_winning=mwc, delta=0.9)
    np.testing.assert_allclose(res.proposer_share, 1 - 0.9 * 4 / 10, atol=1e-12)
    np.testing.assert_allclose(res.values.values, 0.2, atol=1e-12)
    # coalitions given as index tuples work too
    res2 = baron_ferejohn(minimal_winning=list(combinations(range(n), 3)), delta=0.9)
    np.testing.assert_allclose(res2.values.values, 0.2, atol=1e-12)


def _check_equilibrium(res, weights, quota):
    """Independent check: brute-force cheapest coalitions and value equations."""
    n = len(weights)
    p = np.array(res.params["recognition"])
    d = np.array(res.params["delta"])
    v = res.values.values
    c = d * v
    w = np.array(weights)
    for k in range(n):
        best = np.inf
        for mask in range(1 << n):
            if mask >> k & 1:
                continue
            members = [j for j in range(n) if mask >> j & 1]
            if w[members].sum() + w[k] >= quota:
                best = min(best, c[members].sum())
        paid = res.inclusion[k] @ c
        assert paid == pytest.approx(best, abs=1e-10)
        assert res.proposer_share[k] == pytest.approx(1 - best, abs=1e-10)
    incl = res.inclusion
    for j in range(n):
        rhs = p[j] * res.proposer_share[j] + c[j] * (p @ incl[:, j])
        assert v[j] == pytest.approx(rhs, abs=1e-10)
    assert v.sum() == pytest.approx(1.0, abs=1e-12)


def test_baron_ferejohn_heterogeneous_verified_by_brute_force():
    w = [1, 1, 1, 1, 1]
    res = baron_ferejohn(w, 3, recognition=[0.3, 0.25, 0.2, 0.15, 0.1],
                         delta=[0.9, 0.8, 0.95, 0.7, 0.85])
    _check_equilibrium(res, w, 3)
    w2 = [4, 3, 2, 1, 1, 1]
    res2 = baron_ferejohn(w2, 7, recognition=[0.25, 0.2, 0.2, 0.15, 0.1, 0.1], delta=0.85)
    _check_equilibrium(res2, w2, 7)


def test_baron_ferejohn_three_player_known_mixing():
    # Eraslan (2002)-type example: the most recognised member is excluded, the
    # other two have equal values and the top proposer mixes between them
    res = baron_ferejohn([1, 1, 1], 2, recognition=[0.5, 0.3, 0.2], delta=0.9)
    _check_equilibrium(res, [1, 1, 1], 2)
    v = res.values.values
    assert v[1] == pytest.approx(v[2], abs=1e-12)
    assert v[0] > v[1]
    # closed form: all proposers keep 1 - c with c = delta * v2, and
    # v1 = 0.5 (1 - c)  ->  with v2 = v3 = (1 - v1)/2
    c = 0.9 * v[1]
    assert v[0] == pytest.approx(0.5 * (1 - c), abs=1e-12)


@given(st.lists(st.integers(1, 6), min_size=3, max_size=7), st.floats(0.3, 0.99),
       st.integers(0, 10_000))
def test_baron_ferejohn_property_random_weighted(weights, delta, seed):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(len(weights)))
    quota = sum(weights) // 2 + 1
    res = baron_ferejohn(weights, quota, recognition=p, delta=delta)
    _check_equilibrium(res, weights, quota)


def test_baron_ferejohn_100_members_solves_and_verifies():
    # speed is tracked by benchmarks/bench_bargaining.py, never asserted here
    rng = np.random.default_rng(7)
    w = rng.integers(1, 21, 100)
    res = baron_ferejohn(w, w.sum() // 2 + 1, recognition=w / w.sum(), delta=0.9)
    assert res.values.values.sum() == pytest.approx(1.0, abs=1e-12)
    assert res.info["cost_gap"] < 1e-10


def test_baron_ferejohn_100_members_uniform_recognition_verified():
    rng = np.random.default_rng(7)
    w = rng.integers(1, 21, 100)
    res = baron_ferejohn(w, w.sum() // 2 + 1, delta=0.9)
    assert res.values.values.sum() == pytest.approx(1.0, abs=1e-12)
    for key in ("cost_gap", "value_residual", "sum_residual"):
        assert res.info[key] < 1e-10
    # members with equal weight (and hence equal recognition and delta) get equal values
    v = res.values.values
    for wt in np.unique(w):
        assert np.ptp(v[w == wt]) < 1e-12
    # inclusion rows buy a winning coalition in expectation: weight bought covers the gap
    incl = np.asarray(res.inclusion)
    q = w.sum() // 2 + 1
    for k in range(100):
        for _, mask in res.coalitions[k]:
            members = [j for j in range(100) if mask >> j & 1]
            assert w[members].sum() >= q
        assert incl[k, k] == 0.0


@given(st.lists(st.integers(1, 4), min_size=3, max_size=7), st.floats(0.3, 1.0),
       st.integers(0, 10_000))
def test_baron_ferejohn_type_reduction_matches_member_level(weights, delta, seed):
    # the weighted form groups identical members into types; the minimal-winning
    # form of the same rule treats every member on its own: values must agree
    rng = np.random.default_rng(seed)
    n = len(weights)
    levels = rng.dirichlet(np.ones(2))
    p = levels[rng.integers(0, 2, n)]
    p = p / p.sum()
    quota = sum(weights) // 2 + 1
    w = np.array(weights)
    winning = [m for m in range(1, 1 << n)
               if w[[j for j in range(n) if m >> j & 1]].sum() >= quota]
    minimal = [m for m in winning
               if all(w[[j for j in range(n) if (m & ~(1 << i)) >> j & 1]].sum() < quota
                      for i in range(n) if m >> i & 1)]
    grouped = baron_ferejohn(weights, quota, recognition=p, delta=delta)
    single = baron_ferejohn(minimal_winning=minimal, recognition=p, delta=delta,
                            players=list(range(n)))
    np.testing.assert_allclose(grouped.values.values, single.values.values, atol=1e-9)
    _check_equilibrium(grouped, weights, quota)


def test_baron_ferejohn_knapsack_matches_brute_force():
    from gametheory.bargaining.baron_ferejohn import _WeightedRule

    rng = np.random.default_rng(3)
    for _ in range(60):
        n = int(rng.integers(2, 11))
        w = rng.integers(0, 6, n)
        if w.sum() == 0:
            continue
        quota = int(rng.integers(1, w.sum() + 1))
        group = rng.integers(0, 3, n)
        keys = list(zip(w.tolist(), group.tolist(), strict=True))
        uniq = {k: i for i, k in enumerate(dict.fromkeys(keys))}
        type_of = np.array([uniq[k] for k in keys])
        T = len(uniq)
        rule = _WeightedRule(w, quota, type_of, T)
        c = rng.random(T)
        if rng.random() < 0.5:
            c = np.round(c * 3) / 3  # many ties
        costs, counts = rule.cheapest_all(c)
        for s in range(T):
            k = int(np.flatnonzero(type_of == s)[0])
            best = np.inf
            for mask in range(1 << n):
                if mask >> k & 1:
                    continue
                members = [j for j in range(n) if mask >> j & 1]
                if w[members].sum() + w[k] >= quota:
                    best = min(best, c[type_of[members]].sum())
            assert costs[s] == pytest.approx(best, abs=1e-12)
            if np.isfinite(best):
                a = counts[s]
                assert a @ c == pytest.approx(best, abs=1e-12)
                assert a @ rule.tw >= quota - w[k]
                assert np.all(a <= np.bincount(type_of, minlength=T) - (np.arange(T) == s))


def test_baron_ferejohn_accepts_game_objects():
    class Duck:
        weights = np.array([3.0, 2.0, 2.0])
        quota = 4.0
        players = ("A", "B", "C")

    res = baron_ferejohn(Duck(), delta=0.8)
    res2 = baron_ferejohn(game=Duck(), delta=0.8)
    np.testing.assert_allclose(res.values.values, res2.values.values)
    assert res.players == ("A", "B", "C")

    class Simple:
        def minimal_winning_coalitions(self):
            return [0b011, 0b101, 0b110]

    res3 = baron_ferejohn(game=Simple(), delta=0.8)
    np.testing.assert_allclose(res3.values.values, 1 / 3, atol=1e-12)


def test_baron_ferejohn_with_weighted_voting_game():
    from gametheory.voting import WeightedVotingGame

    g = WeightedVotingGame([1, 1, 1, 1, 1], 3)
    res = baron_ferejohn(g, delta=0.9)
    np.testing.assert_allclose(res.proposer_share, 1 - 0.9 * 4 / 10, atol=1e-12)


# ------------------------------------------------------------ bad input


def test_bad_disagreement_not_dominated():
    with pytest.raises(InvalidArgumentError, match="disagreement"):
        nash([[1, 0], [0, 1]], disagreement=[1, 0])
    with pytest.raises(InvalidArgumentError, match="disagreement"):
        kalai_smorodinsky([[1, 0], [0, 1]], disagreement=[0.6, 0.6])


def test_bad_nonconvex_frontier():
    with pytest.raises(InvalidArgumentError, match="not concave"):
        nash(lambda x: (1 - x) ** 2, bounds=(0, 1))
    with pytest.raises(InvalidArgumentError, match="not concave"):
        FeasibleSet.from_frontier(lambda x: 1 - np.sqrt(x), bounds=(0, 1))


def test_bad_shapes_and_values():
    with pytest.raises(InvalidArgumentError):
        nash([[1, 0], [0, np.nan]])
    with pytest.raises(InvalidArgumentError):
        nash([[1, 0], [0, 1]], disagreement=[0, 0, 0])
    with pytest.raises(InvalidArgumentError):
        nash([[1, 0], [0, 1]], weights=[1, -1])
    with pytest.raises(InvalidArgumentError):
        nash(lambda x: 1 - x)  # no bounds


@pytest.mark.parametrize("bad", [0.0, 1.0, 1.5, -0.2, np.nan])
def test_bad_discount_factors(bad):
    with pytest.raises(InvalidArgumentError, match="discount"):
        rubinstein(bad, 0.9)
    with pytest.raises(InvalidArgumentError, match="discount"):
        rubinstein(0.9, bad)


@pytest.mark.parametrize("bad", [0.0, 1.5, -0.2])
def test_bad_discount_baron_ferejohn(bad):
    with pytest.raises(InvalidArgumentError, match="discount"):
        baron_ferejohn([1, 1, 1], 2, delta=bad)
    with pytest.raises(InvalidArgumentError, match="discount"):
        baron_ferejohn([1, 1, 1], 2, delta=[0.9, bad, 0.9])


def test_bad_recognition_probabilities():
    with pytest.raises(InvalidArgumentError, match="sum"):
        baron_ferejohn([1, 1, 1], 2, recognition=[0.5, 0.3, 0.3])
    with pytest.raises(InvalidArgumentError, match="recognition"):
        baron_ferejohn([1, 1, 1], 2, recognition=[1.2, -0.1, -0.1])
    with pytest.raises(InvalidArgumentError, match="recognition"):
        baron_ferejohn([1, 1, 1], 2, recognition=[0.5, 0.5])


def test_bad_rule_inputs():
    with pytest.raises(InvalidArgumentError, match="quota"):
        baron_ferejohn([1, 1, 1], 4)
    with pytest.raises(InvalidArgumentError, match="weights"):
        baron_ferejohn([1, -1, 1], 2)
    with pytest.raises(InvalidArgumentError, match="breakdown"):
        rubinstein(0.9, 0.9, breakdown=1.0)
    with pytest.raises(InvalidArgumentError, match="outside_options"):
        rubinstein(0.9, 0.9, outside_options=(0.6, 0.5))
