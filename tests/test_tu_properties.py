"""Axioms of the TU solutions as Hypothesis property tests on random games."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from strategies import convex_games, integer_games

import gametheory as gt


def _swap_players(values, n, i, j):
    masks = np.arange(1 << n)
    bi = (masks >> i) & 1
    bj = (masks >> j) & 1
    swapped = masks & ~((1 << i) | (1 << j)) | (bi << j) | (bj << i)
    return values[swapped]


@given(integer_games())
def test_shapley_efficiency(g):
    assert gt.shapley_value(g).total == np.float64(g.grand_value) or np.isclose(
        gt.shapley_value(g).total, g.grand_value)


@given(integer_games(), st.data())
def test_shapley_symmetry(g, data):
    n = g.n
    i, j = data.draw(st.sampled_from([(a, b) for a in range(n) for b in range(a + 1, n)]))
    sym = gt.TUGame((g.values + _swap_players(g.values, n, i, j)) / 2)
    phi = gt.shapley_value(sym).values
    assert np.isclose(phi[i], phi[j])


@given(integer_games(), st.data())
def test_shapley_null_player(g, data):
    n = g.n
    i = data.draw(st.integers(0, n - 1))
    masks = np.arange(1 << n)
    null = gt.TUGame(g.values[masks & ~(1 << i)])     # v'(S) = v(S minus i)
    assert np.isclose(gt.shapley_value(null).values[i], 0.0)
    assert np.isclose(gt.banzhaf_value(null).values[i], 0.0)


@given(integer_games(min_n=3, max_n=3), integer_games(min_n=3, max_n=3))
def test_shapley_and_banzhaf_additivity(g, h):
    np.testing.assert_allclose(gt.shapley_value(g + h).values,
                               gt.shapley_value(g).values + gt.shapley_value(h).values,
                               atol=1e-9)
    np.testing.assert_allclose(gt.banzhaf_value(g + h).values,
                               gt.banzhaf_value(g).values + gt.banzhaf_value(h).values,
                               atol=1e-9)


@given(integer_games(min_n=2, max_n=5))
def test_shapley_matches_permutation_definition(g):
    # brute force over all n! orders
    from itertools import permutations
    n = g.n
    phi = np.zeros(n)
    count = 0
    for order in permutations(range(n)):
        m = 0
        for p in order:
            phi[p] += g.values[m | (1 << p)] - g.values[m]
            m |= 1 << p
        count += 1
    np.testing.assert_allclose(gt.shapley_value(g).values, phi / count, atol=1e-9)


@given(integer_games(min_n=2, max_n=5), st.integers(0, 2**32 - 1))
def test_sampled_shapley_within_standard_errors(g, seed):
    exact = gt.shapley_value(g).values
    est = gt.shapley_value(g, method="sample", samples=4000, seed=seed)
    assert not est.exact and est.stderr is not None
    z = np.abs(est.values - exact) / np.maximum(est.stderr, 1e-12)
    # five standard errors per player: fails with probability < 1e-5 per player
    assert np.all((z < 5) | (np.abs(est.values - exact) < 1e-9))


def test_sampled_shapley_same_seed_same_answer():
    g = gt.games.majority(5)
    a = gt.shapley_value(g, method="sample", samples=500, seed=3)
    b = gt.shapley_value(g, method="sample", samples=500, seed=3)
    np.testing.assert_array_equal(a.values, b.values)


@given(integer_games(min_n=2, max_n=5))
def test_least_core_sign_matches_core_emptiness(g):
    eps, x = gt.least_core(g)
    assert (eps <= 1e-9) == (not gt.core_is_empty(g))
    eps_full, _ = gt.least_core(g, method="enumeration")
    assert np.isclose(eps, eps_full, atol=1e-8)


@given(integer_games(min_n=2, max_n=5))
def test_prenucleolus_unique_kohlberg_and_methods_agree(g):
    a = gt.prenucleolus(g)
    b = gt.prenucleolus(g, method="enumeration")
    np.testing.assert_allclose(a.values, b.values, atol=1e-7)
    assert np.isclose(a.total, g.grand_value)
    assert gt.kohlberg_criterion(g, a)


@given(integer_games(min_n=2, max_n=5), st.data())
def test_prenucleolus_permutation_equivariant(g, data):
    n = g.n
    perm = data.draw(st.permutations(list(range(n))))
    # relabel: new player k is old player perm[k]
    masks = np.arange(1 << n)
    old = np.zeros_like(masks)
    for k, p in enumerate(perm):
        old |= ((masks >> k) & 1) << p
    h = gt.TUGame(g.values[old])
    np.testing.assert_allclose(gt.prenucleolus(h).values,
                               gt.prenucleolus(g).values[list(perm)], atol=1e-7)


@given(convex_games())
def test_nucleolus_in_core_when_core_nonempty(g):
    assert not gt.core_is_empty(g)
    nuc = gt.nucleolus(g)
    assert gt.core_contains(g, nuc, tol=1e-7)
    assert nuc.blocking_coalitions(tol=1e-7) == []
    assert gt.kohlberg_criterion(g, nuc)
    np.testing.assert_allclose(nuc.values, gt.prenucleolus(g).values, atol=1e-7)


@given(integer_games(min_n=2, max_n=5, lo=0, hi=20))
def test_nucleolus_kohlberg_and_enumeration_agree(g):
    if g.grand_value < g.singleton_values().sum():
        return
    a = gt.nucleolus(g)
    b = gt.nucleolus(g, method="enumeration")
    np.testing.assert_allclose(a.values, b.values, atol=1e-7)
    assert np.all(a.values >= g.singleton_values() - 1e-7)
    assert gt.kohlberg_criterion(g, a, kind="nucleolus")


@given(integer_games(min_n=2, max_n=4), st.floats(0.5, 3.0), st.lists(
    st.integers(-5, 5), min_size=4, max_size=4))
def test_prenucleolus_covariant_under_strategic_equivalence(g, a, b):
    b = np.array(b[: g.n], dtype=float)
    h = g.scaled(a, b)
    np.testing.assert_allclose(gt.prenucleolus(h).values,
                               a * gt.prenucleolus(g).values + b, atol=1e-6)


def test_kohlberg_rejects_non_nucleolus():
    g = gt.games.bankruptcy(200, [100, 200, 300])
    assert not gt.kohlberg_criterion(g, [200 / 3] * 3, kind="nucleolus")
    assert gt.kohlberg_criterion(g, [50, 75, 75], kind="nucleolus")


@given(integer_games(min_n=2, max_n=4))
def test_blocking_coalitions_are_positive_excess_sorted(g):
    x = gt.shapley_value(g)
    blocks = gt.blocking_coalitions(g, x)
    e = gt.excesses(g, x)
    assert [b.excess for b in blocks] == sorted([b.excess for b in blocks], reverse=True)
    assert {b.mask for b in blocks} == set(np.flatnonzero(e > 1e-9 * max(
        1.0, np.abs(g.values).max())).tolist())
    assert (len(blocks) == 0) == gt.core_contains(g, x)


def test_structured_bankruptcy_shapley_matches_dense_and_scales():
    rng = np.random.default_rng(5)
    claims = rng.integers(1, 20, size=10)
    g = gt.games.bankruptcy(claims.sum() * 0.4, claims)
    dense = gt.TUGame(g.values)
    fresh = gt.games.bankruptcy(claims.sum() * 0.4, claims)
    np.testing.assert_allclose(gt.shapley_value(fresh).values,
                               gt.shapley_value(dense).values, atol=1e-9)
    big = gt.games.bankruptcy(3000.0, rng.integers(1, 4, size=2000))
    res = gt.shapley_value(big)
    assert res.exact and not big.has_dense
    assert np.isclose(res.total, 3000.0)
    smp = gt.shapley_value(big, method="sample", samples=200, seed=1)
    assert not big.has_dense and np.isclose(smp.total, 3000.0)


def test_airport_thousands_of_players_no_dense():
    rng = np.random.default_rng(2)
    g = gt.games.airport(rng.uniform(1, 10, size=5000))
    res = gt.shapley_value(g)
    assert res.exact and not g.has_dense
    assert np.isclose(res.total, g.costs.max())
    small = gt.games.airport(rng.uniform(1, 10, size=60))
    exact = gt.shapley_value(small).values
    est = gt.shapley_value(small, method="sample", samples=3000, seed=4)
    assert not small.has_dense
    z = np.abs(est.values - exact) / np.maximum(est.stderr, 1e-12)
    assert np.all(z < 5)


@given(integer_games(min_n=2, max_n=5))
def test_stabilizing_payments_cover_every_coalition(g):
    res = gt.stabilizing_payments(g)
    e = gt.excesses(g, res.values)      # excess may be negative at N (x(N) >= v(N))
    assert e.max() <= 1e-7 * max(1.0, np.abs(g.values).max())
    cos = res.info["cost_of_stability"]
    # independent LP (Bachrach et al. 2009): min x(N) s.t. x(S) >= v(S) for every
    # proper coalition S; the cost of stability is the optimum minus v(N), and the
    # core is empty exactly when it is positive
    from scipy.optimize import linprog

    n = g.n
    masks = np.arange(1, 2**n - 1)
    member = ((masks[:, None] >> np.arange(n)) & 1).astype(float)
    lp = linprog(np.ones(n), A_ub=-member, b_ub=-np.asarray(g.values)[masks],
                 bounds=[(None, None)] * n, method="highs")
    assert lp.status == 0
    ref = max(lp.fun - float(g.values[-1]), 0.0)
    scale = max(1.0, np.abs(g.values).max())
    assert abs(cos - ref) <= 1e-7 * scale
    assert gt.core_is_empty(g) == (ref > 1e-7 * scale)
