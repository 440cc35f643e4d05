"""Tests for gametheory.strategic: equilibrium sets, QRE (against an independent
continuation), dynamics."""

import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gametheory.errors import InvalidArgumentError
from gametheory.strategic import (
    DegenerateGameWarning,
    asymmetric_replicator_dynamics,
    equilibria,
    fictitious_play,
    is_degenerate,
    is_equilibrium,
    logit_estimate,
    logit_qre,
    logit_qre_branch,
    replicator_dynamics,
)

F = Fraction


def _as_set(res):
    return sorted(tuple(np.round(np.concatenate([x, y]), 9)) for x, y in res)


# ------------------------------------------------------------ textbook games


def test_matching_pennies():
    res = equilibria([[1, -1], [-1, 1]])
    assert len(res) == 1
    assert res.rational == (((F(1, 2), F(1, 2)), (F(1, 2), F(1, 2))),)
    assert res.degenerate is False and res.exact


def test_battle_of_the_sexes():
    res = equilibria([[3, 0], [0, 2]], [[2, 0], [0, 3]])
    assert res.rational == (
        ((F(0), F(1)), (F(0), F(1))),
        ((F(3, 5), F(2, 5)), (F(2, 5), F(3, 5))),
        ((F(1), F(0)), (F(1), F(0))),
    )


def test_prisoners_dilemma():
    A = [[3, 0], [5, 1]]
    res = equilibria(A, np.array(A).T)
    assert len(res) == 1
    np.testing.assert_array_equal(res[0][0], [0, 1])
    np.testing.assert_array_equal(res[0][1], [0, 1])
    np.testing.assert_allclose(res.payoffs(A, np.array(A).T), [[1, 1]])


def test_rock_paper_scissors():
    A = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]
    res = equilibria(A)
    assert len(res) == 1
    assert res.rational[0] == ((F(1, 3),) * 3, (F(1, 3),) * 3)
    assert not is_degenerate(A)


def test_degenerate_game_all_extreme_equilibria_and_warning():
    # von Stengel (2002), degenerate example: row 1 gives the column player 3, 3
    A = [[3, 3], [2, 5], [0, 6]]
    B = [[3, 3], [2, 6], [3, 1]]
    with pytest.warns(DegenerateGameWarning):
        res = equilibria(A, B)
    assert res.degenerate
    expected = {
        ((F(1), F(0), F(0)), (F(1), F(0))),
        ((F(1), F(0), F(0)), (F(2, 3), F(1, 3))),
        ((F(0), F(1, 3), F(2, 3)), (F(1, 3), F(2, 3))),
    }
    assert set(res.rational) == expected
    for x, y in res:
        assert is_equilibrium(A, B, x, y)


def test_degenerate_game_support_enumeration_can_miss():
    # every strategy is a best response to everything: a continuum of equilibria
    A = np.zeros((2, 2))
    with pytest.warns(DegenerateGameWarning):
        res = equilibria(A, A)
    # extreme equilibria: the four pure profiles
    assert len(res) == 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sup = equilibria(A, A, method="support")
    assert len(sup) <= len(res)


@pytest.mark.parametrize("method", ["vertex", "support", "lemke-howson"])
def test_nashpy_methods_on_nondegenerate_game(method):
    A, B = [[3, 0], [0, 2]], [[2, 0], [0, 3]]
    res = equilibria(A, B, method=method)
    assert res.method == method and not res.exact
    for x, y in res:
        assert equilibria(A, B).contains(x, y, atol=1e-9)
    if method != "lemke-howson":
        assert len(res) == 3


@st.composite
def small_integer_games(draw):
    m = draw(st.integers(2, 3))  # nashpy's vertex enumeration needs two strategies each
    n = draw(st.integers(2, 3))
    vals = st.integers(0, 3)  # small range: many ties, many degenerate games
    A = np.array(draw(st.lists(vals, min_size=m * n, max_size=m * n))).reshape(m, n)
    B = np.array(draw(st.lists(vals, min_size=m * n, max_size=m * n))).reshape(m, n)
    return A, B


@given(small_integer_games())
def test_default_matches_vertex_enumeration_property(game):
    A, B = game
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = equilibria(A, B)
        vert = equilibria(A, B, method="vertex")
        sup = equilibria(A, B, method="support")
    assert res.method == "exact"
    # every profile is an equilibrium, checked exactly
    for x, y in res.rational:
        Ax = [sum(F(int(A[i][j])) * y[j] for j in range(len(y))) for i in range(len(x))]
        By = [sum(F(int(B[i][j])) * x[i] for i in range(len(x))) for j in range(len(y))]
        assert sum(xi * a for xi, a in zip(x, Ax, strict=True)) == max(Ax)
        assert sum(yj * b for yj, b in zip(y, By, strict=True)) == max(By)
    # the same extreme equilibria as nashpy's vertex enumeration
    assert _as_set(res) == _as_set(vert)
    # support enumeration finds nothing the exact method misses (it is no completeness
    # oracle: nashpy's support enumeration returns nothing for the nondegenerate game
    # A = [[0, 2, 0], [3, 0, 1]], B = [[0, 0, 1], [0, 1, 0]], whose one equilibrium is
    # ((1/2, 1/2), (0, 1/3, 2/3)))
    for x, y in sup:
        assert is_equilibrium(A, B, x, y, tol=1e-9)
    if not res.degenerate:
        assert set(_as_set(sup)) <= set(_as_set(res))


def test_nondegenerate_game_that_nashpy_support_enumeration_misses():
    # found by Hypothesis: the unique equilibrium, checked by hand (row indifferent
    # between rows when 2 y2 = 3 y1 + y3 with y1 = 0; column indifferent between
    # columns 2 and 3 when x1 = x2), is found by the exact method
    A, B = np.array([[0, 2, 0], [3, 0, 1]]), np.array([[0, 0, 1], [0, 1, 0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = equilibria(A, B)
    assert not res.degenerate
    assert set(res.rational) == {((F(1, 2), F(1, 2)), (F(0), F(1, 3), F(2, 3)))}


# ------------------------------------- exact (certified) vs independent oracles
@st.composite
def integer_games(draw, max_dim=4, max_val=3):
    m = draw(st.integers(1, max_dim))
    n = draw(st.integers(1, max_dim))
    vals = st.integers(0, max_val)
    A = np.array(draw(st.lists(vals, min_size=m * n, max_size=m * n))).reshape(m, n)
    B = np.array(draw(st.lists(vals, min_size=m * n, max_size=m * n))).reshape(m, n)
    return A, B


@settings(max_examples=150, deadline=None)
@given(integer_games())
def test_exact_equals_exhaustive_on_degenerate_integer_games(game):
    # the certified float enumeration against the exhaustive rational enumerator (every
    # choice of tight constraints in Fraction arithmetic): identical rational profiles,
    # and the same verdict on degeneracy
    A, B = game
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast = equilibria(A, B, method="exact")
        ref = equilibria(A, B, method="exhaustive")
    assert fast.rational == ref.rational
    assert is_degenerate(A, B) == ref.degenerate
    assert not fast.degenerate or ref.degenerate


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(0, 2 ** 32 - 1))
def test_exact_equals_exhaustive_on_random_real_games(m, n, seed):
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(m, n)), rng.normal(size=(m, n))
    fast = equilibria(A, B)
    ref = equilibria(A, B, method="exhaustive")
    assert fast.rational == ref.rational
    assert fast.degenerate == ref.degenerate is False


def _rounded_game(seed):
    # normal payoffs rounded to one decimal (not dyadic: sums equal in decimal differ in
    # binary by about 1e-17), every fourth with repeated rows and columns (degenerate);
    # the generator of benchmarks/oracle_exact_sweep.py, kinds 2 and 3
    rng = np.random.default_rng(seed)
    m, n = (int(v) for v in rng.integers(1, 8, 2))
    A, B = rng.normal(size=(m, n)), rng.normal(size=(m, n))
    if seed % 4 == 3:
        A[0] = A[min(1, m - 1)]
        B[0] = B[-1]
        A[:, 0] = A[:, -1]
    return np.round(A, 1), np.round(B, 1)


def test_exact_finds_vertices_split_by_rounding_seed_439():
    # at x = (0, 1/14, 0, 13/14) (as the float payoffs' exact rationals give it) column 5
    # pays the column player 9e-17 less than columns 2 and 3: tight in floating point, not
    # exactly. The float vertex stands for an exact vertex of P with labels {0, 2, 6, 7}
    # (and another with column 5 tight); the exact method must keep both. Checked here
    # against the exhaustive enumerator and, for the equilibrium that was missed, by the
    # best-response conditions in Fraction arithmetic
    A, B = _rounded_game(439)
    assert A.shape == (4, 7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast = equilibria(A, B, method="exact")
        ref = equilibria(A, B, method="exhaustive")
    assert len(ref) == 19 and fast.rational == ref.rational
    Af = [[F(float(v)) for v in r] for r in A]
    Bf = [[F(float(v)) for v in r] for r in B]
    (x, y), = [(x, y) for x, y in fast.rational
               if [i for i, v in enumerate(x) if v] == [1, 3]
               and [j for j, v in enumerate(y) if v] == [2, 3]]
    Ay = [sum(a * v for a, v in zip(r, y, strict=True)) for r in Af]
    xB = [sum(Bf[i][j] * x[i] for i in range(4)) for j in range(7)]
    assert Ay[1] == Ay[3] == max(Ay) and xB[2] == xB[3] == max(xB)
    assert 0 < max(xB) - xB[5] < F(1, 10**15)         # nearly, not exactly, tight
    assert abs(x[1] - F(1, 14)) < 1e-15


def test_exact_equals_exhaustive_on_rounded_decimal_games():
    # games whose constraints are tight in floating point but not exactly; seeds 106,
    # 439 and 750 each lost an equilibrium before near-tight vertices were split exactly
    seeds = [106, 439, 750] + [s for s in range(400) if s % 4 >= 2
                               and max(_rounded_game(s)[0].shape) <= 5][:40]
    for seed in seeds:
        A, B = _rounded_game(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fast = equilibria(A, B, method="exact")
            ref = equilibria(A, B, method="exhaustive")
        assert fast.rational == ref.rational, seed
        assert not fast.degenerate or ref.degenerate


def test_ill_conditioned_complementary_systems_solved_exactly(monkeypatch):
    # with the conditioning bound at 0 every complementary system is decided exactly (an
    # independent one solved in exact arithmetic only, a singular one as a degenerate
    # face): same equilibria and degeneracy verdicts as the floating-point route
    import importlib

    eq = importlib.import_module("gametheory.strategic.equilibria")
    games = [_rounded_game(s) for s in range(24)]
    rng = np.random.default_rng(7)
    games += [(rng.normal(size=(4, 5)), rng.normal(size=(4, 5))) for _ in range(6)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = [eq._certified_equilibria(A, B) for A, B in games]
        monkeypatch.setattr(eq, "_COND_SCALE", 0.0)
        after = [eq._certified_equilibria(A, B) for A, B in games]
    assert sum(r[2]["candidates"] for r in after) > 50
    for (f0, d0, _), (f1, d1, _) in zip(before, after, strict=True):
        assert set(f0) == set(f1) and d0 == d1


def test_profiles_sorted_exactly_when_floats_tie():
    # shares 1/(10^20 + 1) and 1/(10^20 + 2) differ but round to the same float: the
    # float order cannot decide, the exact check must (against sorting Fractions)
    import importlib

    eq = importlib.import_module("gametheory.strategic.equilibria")
    big = 10**20
    profiles = [((1, big), (1, 1)), ((1, big + 1), (2, 1)), ((1, big + 1), (1, 1)),
                ((3, 1), (1, 0))]
    prof, xs, ys = eq._sorted_profiles(profiles)

    def shares(v):
        return tuple(F(a, sum(v)) for a in v)

    assert prof == sorted(profiles, key=lambda p: (shares(p[0]), shares(p[1])))
    assert xs[0] == xs[1] == xs[2] and prof[0] != profiles[0]
    res = eq.EquilibriaResult((), "exact", False, True, eq._IntegerProfiles(prof))
    assert res.rational == tuple((shares(x), shares(y)) for x, y in prof)
    assert res.rational is res.rational          # built once, then the same tuple


def test_short_path_equals_general_path_on_small_games(monkeypatch):
    # the short path of the exact method (clean simple polytope: labels from float slacks,
    # candidates certified by the two square integer systems on their supports) against
    # its general path (exact relabelling of every vertex, exact_point on both sides of
    # every candidate) on 360 small games: real, integer (mostly degenerate) and real
    # with repeated rows and columns rounded to one decimal (degenerate, not dyadic)
    import importlib

    eq = importlib.import_module("gametheory.strategic.equilibria")
    pairs = []                     # the short path's certifications, counted

    def counted(*args):
        pairs.append(args[2])
        return certify_pair(*args)

    certify_pair = eq.certify_pair
    monkeypatch.setattr(eq, "certify_pair", counted)
    rng = np.random.default_rng(20261201)
    for t in range(360):
        m, n = (int(v) for v in rng.integers(1, 7, 2))
        kind = t % 3
        if kind == 0:
            A, B = rng.normal(size=(m, n)), rng.normal(size=(m, n))
        elif kind == 1:
            A, B = rng.integers(0, 4, (m, n)).astype(float), rng.integers(0, 4, (m, n)) * 1.0
        else:
            A, B = rng.normal(size=(m, n)), rng.normal(size=(m, n))
            A[0], B[-1] = A[-1], B[0]
            A[:, 0] = A[:, -1]
            A, B = np.round(A, 1), np.round(B, 1)
        before = len(pairs)
        general, deg_g, info_g = eq._certified_equilibria(A, B, short_path=False)
        assert len(pairs) == before
        short, deg_s, info_s = eq._certified_equilibria(A, B)
        assert set(short) == set(general), (t, A, B)
        assert deg_s == deg_g and info_s == info_g
    # the short path certified candidates with supports of 1 and 2 (Cramer's rule) and
    # larger ones (fraction-free elimination)
    assert len(pairs) > 300 and {1, 2, 3, 4} <= {len(S) for S in pairs}


def test_certify_pair_flags_extra_labels_as_exact_point_does():
    # a pure pair where the column player has two best replies: certify_pair's degeneracy
    # flag against the label count of exact_point (which recomputes every label)
    from gametheory.strategic._vertex import certify_pair, exact_point

    Bv = [[2, 2], [1, 3]]           # B', row i: x_i's coefficients
    Av = [[2, 1], [1, 2]]           # A'^T, row j: y_j's coefficients
    x, y, deg = certify_pair(Bv, Av, [0], [0])
    ex = exact_point(Bv, "P", [1, 2], 2, 2)
    assert (x, y) == ((1, 0), (1, 0)) and ex[0] == x
    assert deg is True and ex[1].bit_count() > 2
    x, y, deg = certify_pair(Bv, Av, [1], [1])
    assert deg is False and exact_point(Bv, "P", [0, 3], 2, 2)[1].bit_count() == 2
    assert certify_pair(Bv, Av, [0], [1]) is None       # column 1 is not tight at x = e_0


def test_exact_degenerate_10x10_all_31_extreme_equilibria():
    # integer payoffs 0..9: a degenerate game. Gambit 16.7 enummixed (rational) lists 31
    # extreme equilibria for it (the exhaustive enumerator takes minutes at this size);
    # each profile is checked here in exact arithmetic
    rng = np.random.default_rng(4)
    A, B = rng.integers(0, 10, (10, 10)), rng.integers(0, 10, (10, 10))
    with pytest.warns(DegenerateGameWarning):
        res = equilibria(A, B)
    assert len(res) == 31 and res.degenerate
    for x, y in res.rational:
        Ay = [sum(F(int(A[i][j])) * y[j] for j in range(10)) for i in range(10)]
        xB = [sum(F(int(B[i][j])) * x[i] for i in range(10)) for j in range(10)]
        assert sum(xi * a for xi, a in zip(x, Ay, strict=True)) == max(Ay)
        assert sum(yj * b for yj, b in zip(y, xB, strict=True)) == max(xB)


def test_float_vertex_enumerations_agree():
    # qhull facet enumeration of the polar vs breadth-first pivoting: same vertex sets
    from gametheory.strategic._vertex import (
        best_response_polytopes,
        enumerate_vertices,
        hull_vertices,
    )

    for seed in range(5):
        rng = np.random.default_rng(seed)
        A, B = rng.normal(size=(6, 5)), rng.normal(size=(6, 5))
        for poly in best_response_polytopes(A, B):
            h = hull_vertices(poly)["points"]
            b = enumerate_vertices(poly)["points"]
            assert h.shape == b.shape
            key = lambda P: sorted(map(tuple, np.round(P, 8)))  # noqa: E731
            assert key(h) == key(b)


def test_direct_qhull_equals_convex_hull(monkeypatch):
    # scipy's qhull run directly (without ConvexHull's bookkeeping) gives ConvexHull's
    # facet equations, and the fallback (private interface missing) gives them too
    from scipy.spatial import ConvexHull

    from gametheory.strategic import _vertex

    rng = np.random.default_rng(3)
    for d in (2, 4, 6):
        pts = rng.normal(size=(3 * d, d))
        ref = ConvexHull(pts).equations
        assert np.array_equal(_vertex._hull_equations(pts), ref)
        monkeypatch.setattr(_vertex, "_QHULL", [None])
        assert np.array_equal(_vertex._hull_equations(pts), ref)
        monkeypatch.undo()


def test_large_games_refused_or_solved_without_hanging():
    from gametheory.errors import GameTooLargeError

    rng = np.random.default_rng(12)
    A, B = rng.normal(size=(12, 12)), rng.normal(size=(12, 12))
    res = equilibria(A, B)
    assert len(res) % 2 == 1          # non-degenerate game: an odd number of equilibria
    for x, y in res:
        assert is_equilibrium(A, B, x, y)
    A40 = rng.normal(size=(40, 40))
    for method in ("auto", "exact", "vertex", "support", "exhaustive", "lemke-howson"):
        with pytest.raises(GameTooLargeError, match="limit"):
            equilibria(A40, -A40.T, method=method)


def test_bad_payoffs():
    with pytest.raises(InvalidArgumentError, match="shape"):
        equilibria([[1, 2], [3, 4]], [[1, 2, 3], [4, 5, 6]])
    with pytest.raises(InvalidArgumentError, match="non-finite|NaN"):
        equilibria([[1, np.inf], [3, 4]])
    with pytest.raises(InvalidArgumentError, match="NaN"):
        logit_qre([[1, 2], [3, 4]], [[1, np.nan], [3, 4]], 1.0)
    with pytest.raises(InvalidArgumentError):
        equilibria([1, 2, 3])
    with pytest.raises(InvalidArgumentError, match="method"):
        equilibria([[1]], method="magic")
    with pytest.raises(InvalidArgumentError, match="lam"):
        logit_qre([[1, 0], [0, 1]], None, -1.0)
    with pytest.raises(InvalidArgumentError, match="counts"):
        logit_estimate([[1, 0], [0, 1]], None, counts=([1, 2, 3], [1, 1]))


# ------------------------------------------------------------ logit QRE


def _qre_fixed_point_residual(A, B, lam, x, y):
    def softmax(v):
        e = np.exp(v - v.max())
        return e / e.sum()

    return max(np.max(np.abs(x - softmax(lam * (A @ y)))),
               np.max(np.abs(y - softmax(lam * (B.T @ x)))))


def test_qre_solves_fixed_point_and_starts_uniform():
    rng = np.random.default_rng(3)
    A, B = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    q0, q1, q5 = logit_qre(A, B, [0.0, 1.0, 5.0])
    np.testing.assert_allclose(q0.x, 1 / 3)
    np.testing.assert_allclose(q0.y, 1 / 4)
    for q in (q1, q5):
        assert _qre_fixed_point_residual(A, B, q.lam, q.x, q.y) < 1e-12


def test_qre_limit_is_nash_equilibrium():
    # battle of the sexes: the branch selects the mixed equilibrium, at rate 1/lambda
    A, B = [[3, 0], [0, 2]], [[2, 0], [0, 3]]
    eqs = equilibria(A, B)
    errs = []
    for q in logit_qre(A, B, [100.0, 1000.0]):
        errs.append(min(max(np.max(np.abs(q.x - x)), np.max(np.abs(q.y - y)))
                        for x, y in eqs))
    assert errs[1] < 2e-4 and errs[1] < errs[0] / 5
    # prisoner's dilemma: converges (exponentially fast) to the pure equilibrium
    q = logit_qre([[3, 0], [5, 1]], [[3, 5], [0, 1]], 50.0)
    np.testing.assert_allclose(q.x, [0, 1], atol=1e-6)
    # matching pennies: the whole branch sits at the mixed equilibrium
    br = logit_qre_branch([[1, -1], [-1, 1]], lam_max=50)
    np.testing.assert_allclose(br.x, 0.5, atol=1e-12)
    # an asymmetric zero-sum game converges to its unique mixed equilibrium
    A2 = np.array([[2.0, -1.0], [-1.0, 1.0]])
    q2 = logit_qre(A2, None, 500.0)
    x_star = equilibria(A2)[0]
    np.testing.assert_allclose(q2.x, x_star[0], atol=1e-3)
    np.testing.assert_allclose(q2.y, x_star[1], atol=1e-3)


GAMES = [
    (np.array([[3.0, 0.0], [5.0, 1.0]]), np.array([[3.0, 5.0], [0.0, 1.0]])),
    # a coordination game without the role-swap symmetry of the textbook battle of
    # the sexes (whose branch meets a non-generic pitchfork bifurcation)
    (np.array([[3.0, 0.0], [0.0, 2.0]]), np.array([[2.0, 0.0], [0.0, 4.0]])),
    (np.array([[0.0, -1, 1], [1, 0, -1], [-1, 1, 0]]) + np.array([[0.5, 0, 0], [0, 0, 0],
                                                                  [0, 0, 0]]),
     -np.array([[0.0, -1, 1], [1, 0, -1], [-1, 1, 0]])),
    (np.random.default_rng(11).normal(size=(4, 3)), np.random.default_rng(12).normal(size=(4, 3))),
]


def _qre_by_natural_continuation(A, B, lam, n_steps=120):
    """Independent principal-branch QRE: Newton (scipy.optimize.root) on the logit
    fixed point x = softmax(lam A y), y = softmax(lam B'x), stepping lam up from 0 in
    small equal steps from the centroid (natural-parameter continuation; the games
    here have no fold in lam up to 12)."""
    from scipy.optimize import root
    from scipy.special import softmax

    m, n = A.shape

    def resid(v, t):
        x, y = softmax(v[:m]), softmax(v[m:])
        return np.concatenate([v[:m] - np.log(softmax(t * A @ y)),
                               v[m:] - np.log(softmax(t * B.T @ x))])

    v = np.concatenate([np.full(m, -np.log(m)), np.full(n, -np.log(n))])
    for t in np.linspace(0.0, lam, n_steps + 1)[1:]:
        v = root(resid, v, args=(t,), tol=1e-12).x
    assert np.abs(resid(v, lam)).max() < 1e-10
    return softmax(v[:m]), softmax(v[m:])


@pytest.mark.parametrize("k", range(len(GAMES)))
def test_qre_matches_independent_continuation(k):
    # the package traces the branch by predictor-corrector arc-length continuation;
    # the reference is Newton on the fixed point along a fine grid of lam
    A, B = GAMES[k]
    lams = [0.3, 1.0, 4.0, 12.0]
    for q, lam in zip(logit_qre(A, B, lams), lams, strict=True):
        x, y = _qre_by_natural_continuation(A, B, lam)
        np.testing.assert_allclose(np.concatenate([q.x, q.y]), np.concatenate([x, y]),
                                   atol=1e-6)


@pytest.mark.parametrize("k", range(len(GAMES)))
def test_lambda_estimate_maximises_independent_likelihood(k):
    from scipy.optimize import minimize_scalar

    A, B = GAMES[k]
    # counts generated from the QRE at lambda = 1.3 plus distortion: interior optimum
    q = logit_qre(A, B, 1.3)
    c1 = np.round(200 * q.x) + 3
    c2 = np.round(200 * q.y) + 1

    def loglik(lam):
        x, y = _qre_by_natural_continuation(A, B, lam, n_steps=25)
        return float(c1 @ np.log(x) + c2 @ np.log(y))

    mine = logit_estimate(A, B, counts=(c1, c2))
    ref = minimize_scalar(lambda t: -loglik(t), bracket=(0.5 * mine.lam, mine.lam,
                                                          2.0 * mine.lam + 1.0),
                          tol=1e-10)
    assert mine.lam == pytest.approx(ref.x, abs=1e-4)
    assert mine.log_like == pytest.approx(-ref.fun, abs=1e-8)


def test_lambda_estimate_recovers_true_lambda():
    A, B = GAMES[3]
    q = logit_qre(A, B, 2.5)
    est = logit_estimate(A, B, counts=(1e6 * q.x, 1e6 * q.y))
    assert est.lam == pytest.approx(2.5, abs=1e-6)


def test_qre_at_huge_lambda_converges_to_nash_without_hanging():
    # the step grows with lambda, so lam = 1e6 is reached in a few hundred steps; the
    # profile there is the limiting Nash equilibrium (checked by the exact enumerator)
    A, B = [[3, 0], [5, 1]], [[3, 5], [0, 1]]       # prisoner's dilemma: (D, D)
    q = logit_qre(A, B, 1e6)
    np.testing.assert_allclose(np.concatenate([q.x, q.y]), [0, 1, 0, 1], atol=1e-12)
    rng = np.random.default_rng(3)
    A, B = rng.normal(size=(6, 6)), rng.normal(size=(6, 6))
    q = logit_qre(A, B, 1e6)
    assert any(np.allclose(q.x, x, atol=1e-6) and np.allclose(q.y, y, atol=1e-6)
               for x, y in equilibria(A, B, method="exhaustive"))


def test_qre_branch_follows_folds_without_jumping():
    # a 20x20 game whose principal branch folds twice (lambda rises to about 7.36, falls
    # to about 4.35, then rises again): the trace must follow the S-shape, never jump
    # to the lower sheet and run back toward lambda = 0
    rng = np.random.default_rng(84)
    A, B = rng.normal(size=(20, 20)), rng.normal(size=(20, 20))
    br = logit_qre_branch(A, B, lam_max=30)
    lam = np.asarray(br.lam)
    peak = int(np.flatnonzero(np.diff(lam) < 0)[0])       # the first fold
    assert 7.0 < lam[peak] < 7.7
    assert lam[peak:].min() > 4.0 and lam[-1] >= 30
    for k in range(0, len(br), 10):
        assert _qre_fixed_point_residual(A, B, br.lam[k], br.x[k], br.y[k]) < 1e-9


def test_qre_branch_10x10_reaches_lambda_100():
    # speed is tracked by benchmarks/bench_bargaining.py, never asserted here
    rng = np.random.default_rng(5)
    A, B = rng.normal(size=(10, 10)), rng.normal(size=(10, 10))
    br = logit_qre_branch(A, B, lam_max=100)
    assert br.lam[-1] >= 100
    k = len(br) - 1
    assert _qre_fixed_point_residual(A, B, br.lam[k], br.x[k], br.y[k]) < 1e-9


# ------------------------------------------------------------ dynamics


def test_replicator_dynamics_hawk_dove():
    xs = replicator_dynamics([[0, 3], [1, 2]], [0.2, 0.8], np.linspace(0, 30, 100))
    np.testing.assert_allclose(xs[-1], [0.5, 0.5], atol=1e-3)
    xs2, ys2 = asymmetric_replicator_dynamics([[3, 0], [0, 2]], [[2, 0], [0, 3]],
                                              [0.9, 0.1], [0.9, 0.1], np.linspace(0, 30, 60))
    np.testing.assert_allclose(xs2[-1], [1, 0], atol=1e-3)
    with pytest.raises(InvalidArgumentError):
        replicator_dynamics([[0, 3, 1], [1, 2, 0]])
    with pytest.raises(InvalidArgumentError):
        replicator_dynamics([[0, 3], [1, 2]], [0.5, 0.6])


def test_fictitious_play_reproducible_and_converges():
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    r1, c1 = fictitious_play([[1, -1], [-1, 1]], iterations=3000, seed=4)
    r2, c2 = fictitious_play([[1, -1], [-1, 1]], iterations=3000, seed=4)
    np.testing.assert_array_equal(r1, r2)
    # the caller's global state is untouched
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    np.testing.assert_allclose(r1[-1] / r1[-1].sum(), [0.5, 0.5], atol=0.02)
    with pytest.raises(InvalidArgumentError):
        fictitious_play([[1, -1], [-1, 1]], iterations=0)
