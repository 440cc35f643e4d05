"""Kernel and prekernel, core vertices and the Weber set, per-capita nucleolus, modiclus,
and the two least-core conventions.

Where no published table exists the test says so and checks against an independent
computation (brute-force vertex enumeration, a lexicographic comparison with perturbed
allocations) or against a theorem that names its source.
"""

import itertools
from math import factorial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import convex_games, integer_games

import gametheory as gt
from gametheory.coalitions import popcount_table
from gametheory.tu._lp import coalition_sums, rows_of


def superadditive_games(draw_n=(2, 6)):
    """Superadditive games: max over partitions of random blocks (the superadditive cover)."""
    @st.composite
    def strat(draw):
        g = draw(integer_games(min_n=draw_n[0], max_n=draw_n[1], lo=0, hi=20))
        n = g.n
        v = g.values.copy()
        for m in range(1, 1 << n):             # ascending: every proper submask is done
            sub = m
            while sub:
                sub = (sub - 1) & m
                if sub:
                    v[m] = max(v[m], v[sub] + v[m ^ sub])
        return gt.TUGame(v)
    return strat()


# ---------------------------------------------------------------------------
# kernel and prekernel
# ---------------------------------------------------------------------------

def surplus_by_loops(v, x, n):
    e = v - coalition_sums(np.asarray(x, float))
    s = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i != j:
                s[i, j] = max(e[m] for m in range(1 << n) if m >> i & 1 and not m >> j & 1)
    return s


@settings(max_examples=40, deadline=None)
@given(integer_games(min_n=2, max_n=6), st.data())
def test_surplus_matrix_matches_loops(g, data):
    x = data.draw(st.lists(st.integers(-5, 10), min_size=g.n, max_size=g.n))
    np.testing.assert_allclose(gt.surplus_matrix(g, x), surplus_by_loops(g.values, x, g.n))


@settings(max_examples=50, deadline=None)
@given(integer_games(min_n=2, max_n=7))
def test_prenucleolus_lies_in_the_prekernel_and_prekernel_point_is_certified(g):
    # Maschler, Peleg and Shapley (1979): the prenucleolus is a prekernel point
    assert gt.prekernel_contains(g, gt.prenucleolus(g))
    pk = gt.prekernel(g)
    assert gt.prekernel_contains(g, pk)
    assert pk.info["max_imbalance"] <= 1e-7 * max(1.0, np.abs(g.values).max())
    assert pk.total == pytest.approx(g.grand_value, abs=1e-8)


@settings(max_examples=40, deadline=None)
@given(superadditive_games())
def test_kernel_of_zero_monotonic_games_and_nucleolus_in_least_core(g):
    # Maschler, Peleg and Shapley (1979): in zero-monotonic games (every superadditive game)
    # the kernel coincides with the prekernel, and the nucleolus lies in the least core
    assert gt.tu.is_zero_monotonic(g)
    k = gt.kernel(g)
    assert k.method == "least-squares"
    assert gt.kernel_contains(g, k) and gt.prekernel_contains(g, k)
    nuc = gt.nucleolus(g)
    assert gt.kernel_contains(g, nuc)
    eps = gt.least_core(g).epsilon
    e = gt.excesses(g, nuc)
    e[0] = e[-1] = -np.inf
    assert e.max() == pytest.approx(eps, abs=1e-7)


@settings(max_examples=30, deadline=None)
@given(convex_games(min_n=2, max_n=6))
def test_kernel_of_convex_game_is_the_nucleolus(g):
    # Maschler, Peleg and Shapley (1972): the kernel of a convex game is its nucleolus
    np.testing.assert_allclose(gt.kernel(g).values, gt.nucleolus(g).values, atol=1e-6)
    np.testing.assert_allclose(gt.prekernel(g).values, gt.nucleolus(g).values, atol=1e-6)


def test_kernel_outside_zero_monotonic_games_uses_the_nucleolus():
    # v(12) = 0 < v(1) + v(2): not zero-monotonic; the nucleolus is still a kernel point
    g = gt.TUGame([0, 1, 1, 0, 0, 1, 1, 4])
    assert not gt.tu.is_zero_monotonic(g)
    k = gt.kernel(g)
    assert k.method == "nucleolus" and gt.kernel_contains(g, k)
    with pytest.raises(gt.InvalidArgumentError, match="zero-monotonic"):
        gt.kernel(g, method="least-squares")


def test_kernel_membership_examples():
    # glove market: the unique core point (1, 0, 0) is a kernel point; an equal split of the
    # right holders' claim is not (L's surplus over R1 exceeds R1's and R1 is above v = 0)
    g = gt.games.glove(["L"], ["R1", "R2"])
    assert gt.kernel_contains(g, [1, 0, 0])
    assert not gt.kernel_contains(g, [0.5, 0.25, 0.25])
    assert not gt.prekernel_contains(gt.games.majority(3), [0.5, 0.5, 0.0])


# ---------------------------------------------------------------------------
# core vertices and the Weber set
# ---------------------------------------------------------------------------

def brute_core_vertices(v, n, atol=1e-7):
    """Every intersection of n - 1 independent constraints with efficiency that is feasible."""
    full = (1 << n) - 1
    masks = np.arange(1, full)
    A = rows_of(masks, n)
    b = v[masks]
    pts = []
    for sub in itertools.combinations(range(len(masks)), n - 1):
        M = np.vstack([np.ones(n), A[list(sub)]])
        if abs(np.linalg.det(M)) < 1e-9:
            continue
        x = np.linalg.solve(M, np.concatenate([[v[full]], b[list(sub)]]))
        if np.all(A @ x >= b - atol) and not any(np.abs(x - p).max() <= atol for p in pts):
            pts.append(x)
    return np.array(pts).reshape(-1, n)


def same_point_sets(a, b, atol=1e-7):
    return len(a) == len(b) and all(np.abs(b - x).max(axis=1).min() <= atol for x in a)


@settings(max_examples=40, deadline=None)
@given(integer_games(min_n=2, max_n=4, lo=0, hi=12))
def test_core_vertices_match_brute_force(g):
    v = g.values.copy()
    v[-1] += 20                                   # often a non-empty core, not always
    g = gt.TUGame(v)
    got = gt.core_vertices(g, method="polytope")
    assert same_point_sets(got.points, brute_core_vertices(v, g.n))
    assert (len(got) == 0) == gt.core_is_empty(g)
    for x in got.points:
        assert gt.core_contains(g, x, tol=1e-7)


def test_core_vertex_counts_of_known_games():
    # Glove markets (Shapley and Shubik 1969): with two left and two right holders the core is
    # the segment between "left takes all" and "right takes all": 2 vertices; with a scarce
    # side the scarce holders take everything: 1 vertex.
    assert len(gt.core_vertices(gt.games.glove(["L1", "L2"], ["R1", "R2"]))) == 2
    one = gt.core_vertices(gt.games.glove(["L1", "L2"], ["R1", "R2", "R3"]))
    np.testing.assert_allclose(one.points, [[1, 1, 0, 0, 0]], atol=1e-9)
    # Assignment game with a diagonal matrix (Shapley and Shubik 1971): the core is the product
    # of the pairs' segments, so m pairs give 2**m vertices
    for m in (1, 2, 3):
        cv = gt.core_vertices(gt.games.assignment(np.diag(np.arange(1, m + 1) * 2.0)))
        assert len(cv) == 2 ** m
    # a strictly convex game has n! distinct marginal vectors as core vertices (Shapley 1971)
    for n in (3, 4, 5, 6):
        g = gt.TUGame(popcount_table(n).astype(float) ** 2)
        cv = gt.core_vertices(g)
        assert cv.method == "marginal" and len(cv) == factorial(n)
        assert cv.info["strictly_convex"]


def test_assignment_core_vertices_bounded_and_contain_the_optimal_points():
    # Shapley and Shubik (1971): the core of an assignment game has a sellers-optimal and a
    # buyers-optimal point; Balinski and Gale (1987): an m x m core has at most C(2m, m)
    # vertices. The optimal points are found here by LPs over the core, independently.
    from scipy.optimize import linprog

    a = np.array([[5.0, 8.0, 2.0], [7.0, 9.0, 6.0], [2.0, 3.0, 0.0]])
    g = gt.games.assignment(a)
    cv = gt.core_vertices(g)
    assert 2 <= len(cv) <= 20
    masks = np.arange(1, (1 << 6) - 1)
    A = rows_of(masks, 6)
    for sellers_first in (True, False):
        c = np.array([-1.0] * 3 + [0.0] * 3) if sellers_first else np.array([0.0] * 3 + [-1.0] * 3)
        res = linprog(c, A_ub=-A, b_ub=-g.values[masks], A_eq=np.ones((1, 6)),
                      b_eq=[g.grand_value], bounds=[(None, None)] * 6, method="highs")
        side = slice(0, 3) if sellers_first else slice(3, 6)
        best = cv.points[:, side].sum(axis=1).max()
        assert best == pytest.approx(-res.fun, abs=1e-7)


@settings(max_examples=30, deadline=None)
@given(convex_games(min_n=2, max_n=5))
def test_convex_core_vertices_are_marginal_vectors_and_shapley_is_their_barycentre(g):
    cv = gt.core_vertices(g)
    assert cv.method == "marginal"
    assert same_point_sets(cv.points, gt.core_vertices(g, method="polytope").points)
    assert cv.multiplicity.sum() == factorial(g.n)
    # Shapley value = barycentre of the marginal vectors, each counted once per order
    np.testing.assert_allclose(cv.barycentre(weighted=True), gt.shapley_value(g).values,
                               atol=1e-9)
    # the nucleolus of a convex game is in its core
    assert gt.core_contains(g, gt.nucleolus(g), tol=1e-7)


def test_polytope_method_drops_points_qhull_reports_inside_an_edge():
    # a 5-player convex game (additive part plus unanimity games) whose core is a
    # 2-dimensional quadrilateral cut out by many coalitions that project onto the same
    # halfspaces; Qhull reported a fifth "vertex" (4.65, 4.35, 16, 5, 4) inside the edge
    # from (6, 3, 16, 5, 4) to (2, 7, 16, 5, 4). The four true vertices are the distinct
    # marginal vectors (Shapley 1971), computed here by hand from the orders.
    v = [0, 2, 3, 7, 16, 18, 19, 23, 5, 7, 8, 14, 21, 23, 24, 30, 4, 6, 7, 11, 20, 22, 23,
         27, 9, 11, 12, 18, 25, 27, 28, 34]
    g = gt.TUGame(np.array(v, dtype=float))
    poly = gt.core_vertices(g, method="polytope")
    expected = np.array([[2, 5, 16, 7, 4], [2, 7, 16, 5, 4], [4, 3, 16, 7, 4],
                         [6, 3, 16, 5, 4]], dtype=float)
    assert len(poly) == 4
    assert same_point_sets(poly.points, expected)


def test_unweighted_barycentre_differs_when_vertices_coincide():
    # v = u_{01} + u_{012} is convex but not strictly: its six orders give four vertices,
    # (2,0,0) and (0,2,0) twice each. The Shapley value (1/2,1/2,0) + (1/3,1/3,1/3) =
    # (5/6, 5/6, 1/3) is the barycentre weighted by orders, not the plain average of the
    # distinct vertices, which is (3/4, 3/4, 1/2) (both by hand).
    g = gt.TUGame([0, 0, 0, 1, 0, 0, 0, 2])
    cv = gt.core_vertices(g)
    assert len(cv) == 4 and sorted(cv.multiplicity.tolist()) == [1, 1, 2, 2]
    np.testing.assert_allclose(cv.barycentre(weighted=True), [5 / 6, 5 / 6, 1 / 3])
    np.testing.assert_allclose(cv.barycentre(), [0.75, 0.75, 0.5])
    np.testing.assert_allclose(gt.shapley_value(g).values, [5 / 6, 5 / 6, 1 / 3])


def test_weber_set_contains_core_and_averages_to_shapley():
    g = gt.TUGame([0, 1, 0, 3, 0, 2, 2, 5])
    ws = gt.weber_set(g)
    np.testing.assert_allclose(ws.barycentre(weighted=True), gt.shapley_value(g).values)
    mv = gt.marginal_vectors(g)
    assert len(mv) == 6 and mv.info["orders"].shape == (6, 3)
    # each core vertex is a convex combination of marginal vectors (the core lies in the
    # Weber set, Weber 1988): check by LP feasibility
    from scipy.optimize import linprog

    for x in gt.core_vertices(g, method="polytope").points:
        k = len(ws)
        res = linprog(np.zeros(k), A_eq=np.vstack([ws.points.T, np.ones((1, k))]),
                      b_eq=np.concatenate([x, [1.0]]), bounds=[(0, None)] * k, method="highs")
        assert res.status == 0


def test_core_vertices_refusals():
    with pytest.raises(gt.InvalidArgumentError, match="not convex"):
        gt.core_vertices(gt.games.majority(3), method="marginal")
    assert len(gt.core_vertices(gt.games.majority(3))) == 0
    with pytest.raises(gt.GameTooLargeError):
        gt.core_vertices(gt.TUGame(np.r_[0.0, np.ones((1 << 11) - 1)]), method="polytope")


# ---------------------------------------------------------------------------
# per-capita nucleolus and modiclus
# ---------------------------------------------------------------------------

def lexi_not_worse_than_perturbations(complaints, x, rng, trials=200, step=1e-3):
    """Sorted complaints at x are lexicographically <= those at efficient perturbations."""
    base = np.sort(complaints(x))[::-1]
    n = x.size
    for _ in range(trials):
        d = rng.normal(size=n)
        d -= d.mean()
        y = np.sort(complaints(x + step * d / np.abs(d).max()))[::-1]
        diff = y - base
        k = np.flatnonzero(np.abs(diff) > 1e-9)
        if k.size and diff[k[0]] < 0:
            return False
    return True


@settings(max_examples=25, deadline=None)
@given(integer_games(min_n=2, max_n=5))
def test_per_capita_prenucleolus_is_a_lexicographic_minimum(g):
    # no published table: check the defining property against random efficient perturbations
    v = g.values
    size = np.maximum(popcount_table(g.n).astype(float), 1.0)

    def complaints(x):
        e = (v - coalition_sums(x)) / size
        return e[1:-1]

    x = gt.per_capita_nucleolus(g, imputations=False).values
    assert x.sum() == pytest.approx(g.grand_value)
    assert lexi_not_worse_than_perturbations(complaints, x, np.random.default_rng(0))


def test_per_capita_nucleolus_symmetric_and_two_player():
    g = gt.TUGame([0, 1, 2, 9])
    # two players: both per-capita excesses of the singletons are equalised -> standard solution
    np.testing.assert_allclose(gt.per_capita_nucleolus(g).values, [4.0, 5.0])
    np.testing.assert_allclose(gt.per_capita_nucleolus(gt.games.majority(4)).values, [0.25] * 4)


@settings(max_examples=20, deadline=None)
@given(integer_games(min_n=2, max_n=4))
def test_modiclus_definition_duality_and_constant_sum(g):
    v = g.values

    def complaints(x):
        e = v - coalition_sums(x)
        return (e[:, None] - e[None, :]).ravel()

    x = gt.modiclus(g).values
    assert lexi_not_worse_than_perturbations(complaints, x, np.random.default_rng(1),
                                             trials=100)
    # Sudhölter (1997): the modiclus treats a game and its dual alike
    np.testing.assert_allclose(gt.modiclus(g.dual()).values, x, atol=1e-7)


def test_modiclus_of_constant_sum_game_is_prenucleolus():
    # Sudhölter (1997): for constant-sum games the modiclus coincides with the prenucleolus
    rng = np.random.default_rng(3)
    for n in (3, 4, 5):
        v = rng.integers(0, 20, 1 << n).astype(float)
        full = (1 << n) - 1
        for s in range(1 << n):
            if s & 1:
                v[full ^ s] = 40.0 - v[s]
        v[0], v[full] = 0.0, 40.0
        g = gt.TUGame(v)
        np.testing.assert_allclose(gt.modiclus(g).values, gt.prenucleolus(g).values,
                                   atol=1e-7)


# ---------------------------------------------------------------------------
# least core: the two conventions
# ---------------------------------------------------------------------------

def test_least_core_conventions_are_named_and_differ_when_they_should():
    # v(1) = 2 but the pair's worth is low: over pre-imputations the least core pays player 1
    # less than its stand-alone worth; over imputations it may not, so epsilon is larger.
    g = gt.TUGame([0, 2, 0, 0, 0, 0, 1, 2])
    pre = gt.least_core(g)
    imp = gt.least_core(g, over="imputations")
    assert pre.convention == "preimputations" and imp.convention == "imputations"
    assert imp.allocation.values[0] >= 2 - 1e-9
    assert imp.epsilon > pre.epsilon + 1e-6
    assert "imputations" in repr(imp)
    # with a non-empty core both agree
    gl = gt.games.glove(["L"], ["R1", "R2"])
    assert gt.least_core(gl, over="imputations").epsilon == pytest.approx(
        gt.least_core(gl).epsilon, abs=1e-9)
    with pytest.raises(gt.InvalidArgumentError, match="convention"):
        gt.least_core(g, over="both")
