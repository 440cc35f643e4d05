"""Power indices: published values, brute force, properties, numerical checks, peers."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gametheory as gt
from gametheory import power
from gametheory.errors import GameTooLargeError, InvalidArgumentError, InvalidTypeError

# ---------------------------------------------------------------------------
# brute force, written from the definitions and independent of the package
# ---------------------------------------------------------------------------


def brute_indices(n, wins):
    """Every index from the definitions, with ``wins(mask) -> bool``."""
    win = [bool(wins(m)) for m in range(1 << n)]
    size = [bin(m).count("1") for m in range(1 << n)]
    ss = [0.0] * n
    eta = [0] * n
    crit = [[] for _ in range(1 << n)]
    for m in range(1 << n):
        for i in range(n):
            if m >> i & 1 and win[m] and not win[m ^ (1 << i)]:
                s = size[m] - 1
                eta[i] += 1
                ss[i] += math.factorial(s) * math.factorial(n - 1 - s) / math.factorial(n)
                crit[m].append(i)
    n_win = sum(win)
    mwc = [m for m in range(1 << n) if win[m] and all(not win[m ^ (1 << i)]
                                                    for i in range(n) if m >> i & 1)]
    pgi = [sum(1 for m in mwc if m >> i & 1) for i in range(n)]
    dp = [sum(1 / size[m] for m in mwc if m >> i & 1) / len(mwc) for i in range(n)]
    vulnerable = [m for m in range(1 << n) if crit[m]]
    jr = [sum(1 / len(crit[m]) for m in vulnerable if i in crit[m]) for i in range(n)]
    return {
        "shapley_shubik": np.array(ss),
        "banzhaf_absolute": np.array(eta) / 2 ** (n - 1),
        "banzhaf": np.array(eta) / sum(eta),
        "coleman_prevent": np.array(eta) / n_win,
        "coleman_initiate": np.array(eta) / (2 ** n - n_win),
        "deegan_packel": np.array(dp),
        "public_good_index": np.array(pgi) / sum(pgi),
        "johnston": np.array(jr) / len(vulnerable),
        "dummies": [i for i in range(n) if eta[i] == 0],
    }


def weighted_wins(weights, quota):
    fw = [Fraction(repr(float(w))) if not isinstance(w, int) else Fraction(w) for w in weights]
    fq = Fraction(repr(float(quota))) if not isinstance(quota, int) else Fraction(quota)
    return lambda m: sum(w for i, w in enumerate(fw) if m >> i & 1) >= fq


def all_indices(game, method="auto"):
    return {
        "shapley_shubik": power.shapley_shubik(game, method=method).values,
        "banzhaf_absolute": power.banzhaf(game, normalized=False, method=method).values,
        "banzhaf": power.banzhaf(game, method=method).values,
        "coleman_prevent": power.coleman_prevent(game, method=method).values,
        "coleman_initiate": power.coleman_initiate(game, method=method).values,
        "deegan_packel": power.deegan_packel(game).values,
        "public_good_index": power.public_good_index(game).values,
        "johnston": power.johnston(game).values,
    }


@st.composite
def weighted_games(draw, max_n=8, max_w=12, zero_ok=True):
    n = draw(st.integers(1, max_n))
    lo = 0 if zero_ok else 1
    w = draw(st.lists(st.integers(lo, max_w), min_size=n, max_size=n))
    if sum(w) == 0:
        w[0] = 1
    q = draw(st.integers(1, sum(w)))
    return w, q


# ---------------------------------------------------------------------------
# published values
# ---------------------------------------------------------------------------

UNSC = ([7] * 5 + [1] * 10, 39)


def test_unsc_shapley_shubik_published():
    # Shapley-Shubik index of the UN Security Council after 1965 (5 permanent
    # members, 10 others, 9 votes with no veto): 0.19627 and 0.00186, as in
    # P. D. Straffin, Game Theory and Strategy (MAA, 1993), ch. 9, and
    # Felsenthal & Machover, The Measurement of Voting Power (1998), sec. 2.3.
    g = gt.WeightedVotingGame(*UNSC)
    for method in ("dp", "enumeration"):
        ss = power.shapley_shubik(g, method=method).values
        assert ss[0] == pytest.approx(0.19627, abs=5e-6)
        assert ss[5] == pytest.approx(0.00186, abs=5e-6)
        # exact: 421/2145 and 4/2145
        assert ss[0] == pytest.approx(421 / 2145, rel=1e-12)
        assert ss[5] == pytest.approx(4 / 2145, rel=1e-12)


def test_unsc_banzhaf_published():
    # Banzhaf index of the UN Security Council: absolute 0.0518 (permanent)
    # and 0.0051 (non-permanent), normalised 0.1669 and 0.0165; Felsenthal &
    # Machover (1998), The Measurement of Voting Power, sec. 3.2 / 4.3
    # (swing counts 848 and 84 out of 2**14).
    g = gt.WeightedVotingGame(*UNSC)
    for method in ("dp", "enumeration"):
        bz = power.banzhaf(g, method=method).values
        ab = power.banzhaf(g, normalized=False, method=method).values
        assert bz[0] == pytest.approx(0.1669, abs=5e-5)
        assert bz[5] == pytest.approx(0.0165, abs=5e-5)
        assert ab[0] == pytest.approx(0.0518, abs=5e-5)
        assert ab[5] == pytest.approx(0.0051, abs=5e-5)
        assert ab[0] == pytest.approx(848 / 2 ** 14, rel=1e-12)
        assert ab[5] == pytest.approx(84 / 2 ** 14, rel=1e-12)


def test_unsc_coleman_hand_count():
    # Coleman (1971) indices by counting: 848 winning coalitions; a permanent
    # member is critical in all of them (power to prevent 1) and a
    # non-permanent one in 84; 2**15 - 848 = 31920 losing coalitions.
    g = gt.WeightedVotingGame(*UNSC)
    cp = power.coleman_prevent(g).values
    ci = power.coleman_initiate(g).values
    assert cp[0] == pytest.approx(1.0, rel=1e-12)
    assert cp[5] == pytest.approx(84 / 848, rel=1e-12)
    assert ci[0] == pytest.approx(848 / 31920, rel=1e-12)
    assert ci[5] == pytest.approx(84 / 31920, rel=1e-12)


def test_eec_1958_luxembourg_powerless():
    # Council of Ministers of the EEC, 1958: weights 4,4,4,2,2,1, quota 12.
    # Shapley-Shubik 14/60, 9/60, 0 and Banzhaf 5/21, 3/21, 0 (Felsenthal &
    # Machover 1998, sec. 2.3 and 3.2): Luxembourg is a dummy.
    g = gt.WeightedVotingGame([4, 4, 4, 2, 2, 1], 12,
                              players=["F", "D", "I", "B", "NL", "L"])
    ss = power.shapley_shubik(g)
    bz = power.banzhaf(g)
    np.testing.assert_allclose(ss.values, np.array([14, 14, 14, 9, 9, 0]) / 60, atol=1e-14)
    np.testing.assert_allclose(bz.values, np.array([5, 5, 5, 3, 3, 0]) / 21, atol=1e-14)
    assert ss["L"] == 0.0 and bz["L"] == 0.0
    assert g.dummy_players() == ("L",)
    for name, vals in all_indices(g).items():
        assert vals[5] == pytest.approx(0.0, abs=1e-14), name


def test_nassau_county_banzhaf_1965():
    # Banzhaf (1965), "Weighted voting doesn't work", Rutgers Law Review 19:
    # Nassau County Board of Supervisors 1964, weights 31, 31, 28, 21, 2, 2 of
    # 115, majority 58: North Hempstead, Long Beach and Glen Cove have no power.
    g = gt.WeightedVotingGame([31, 31, 28, 21, 2, 2], 58,
                              players=["Hempstead1", "Hempstead2", "OysterBay",
                                       "NorthHempstead", "LongBeach", "GlenCove"])
    bz = power.banzhaf(g).values
    np.testing.assert_allclose(bz, [1 / 3, 1 / 3, 1 / 3, 0, 0, 0], atol=1e-14)
    np.testing.assert_allclose(power.shapley_shubik(g).values, [1 / 3] * 3 + [0] * 3,
                               atol=1e-14)
    assert set(g.dummy_players()) == {"NorthHempstead", "LongBeach", "GlenCove"}


def test_holler_1982_public_good_index():
    # Holler (1982), Political Studies 30: [51; 35, 20, 15, 15, 15] has minimal
    # winning coalitions {1,2}, {1,3,4}, {1,3,5}, {1,4,5}, {2,3,4,5}; PGI
    # (4, 2, 3, 3, 3)/15, so the weight-20 player is below the weight-15 ones.
    g = gt.WeightedVotingGame([35, 20, 15, 15, 15], 51)
    np.testing.assert_allclose(power.public_good_index(g).values,
                               np.array([4, 2, 3, 3, 3]) / 15, atol=1e-14)
    # Deegan & Packel (1978) on the same game, by the definition:
    # (1/5)(1/2 + 3/3), (1/5)(1/2 + 1/4), (1/5)(2/3 + 1/4)
    np.testing.assert_allclose(power.deegan_packel(g).values,
                               [0.3, 0.15, 11 / 60, 11 / 60, 11 / 60], atol=1e-14)
    assert sorted(g.minimal_winning_coalitions()) == sorted(
        [(0, 1), (0, 2, 3), (0, 2, 4), (0, 3, 4), (1, 2, 3, 4)])


def test_johnston_hand_count():
    # Johnston (1978) on [3; 2, 1, 1]: vulnerable coalitions {0,1}, {0,2}
    # (two critical members each) and {0,1,2} (player 0 alone critical).
    g = gt.WeightedVotingGame([2, 1, 1], 3)
    np.testing.assert_allclose(power.johnston(g).values, [2 / 3, 1 / 6, 1 / 6], atol=1e-14)
    np.testing.assert_allclose(power.johnston(g, normalized=False).values, [2, 0.5, 0.5])


def test_dictator_weight_at_least_quota():
    # a player whose weight reaches a quota above half the total is a dictator
    g = gt.WeightedVotingGame([6, 2, 1, 1], 6)
    for name, vals in all_indices(g).items():
        if name.startswith("coleman") or name == "banzhaf_absolute":
            continue
        np.testing.assert_allclose(vals, [1, 0, 0, 0], atol=1e-14, err_msg=name)
    assert g.dummy_players() == (1, 2, 3)
    assert g.veto_players() == (0,)


def test_improper_game_with_weight_above_quota():
    # [2; 3, 1, 1] is improper (quota below half the total): player 0 wins
    # alone but so does {1, 2}. Hand count of the 6 orders: player 0 pivotal
    # in 4, players 1 and 2 in one each. Packages that give all power to a
    # player whose weight reaches the quota get this wrong.
    g = gt.WeightedVotingGame([3, 1, 1], 2)
    assert not g.is_proper()
    np.testing.assert_allclose(power.shapley_shubik(g).values, [4 / 6, 1 / 6, 1 / 6])
    # swings: player 0 in {0}, {0,1}, {0,2}; player 1 in {1,2}; player 2 in {1,2}
    np.testing.assert_allclose(power.banzhaf(g).values, [3 / 5, 1 / 5, 1 / 5])


def test_zero_weights_get_nothing():
    g = gt.WeightedVotingGame([2, 0, 2, 0], 3)
    for name, vals in all_indices(g).items():
        assert vals[1] == 0.0 and vals[3] == 0.0, name
    np.testing.assert_allclose(power.shapley_shubik(g).values, [0.5, 0, 0.5, 0])


def test_unanimity_and_single_player():
    g = gt.WeightedVotingGame([1, 1, 1, 1], 4)
    np.testing.assert_allclose(power.shapley_shubik(g).values, [0.25] * 4)
    np.testing.assert_allclose(power.coleman_prevent(g).values, [1.0] * 4)
    one = gt.WeightedVotingGame([5], 3)
    for vals in all_indices(one).values():
        np.testing.assert_allclose(vals, [1.0])


# ---------------------------------------------------------------------------
# brute force on random games (Hypothesis)
# ---------------------------------------------------------------------------


@given(weighted_games())
def test_every_index_matches_brute_force(wq):
    w, q = wq
    g = gt.WeightedVotingGame(w, q)
    ref = brute_indices(len(w), weighted_wins(w, q))
    for method in ("dp", "enumeration"):
        got = all_indices(g, method=method)
        for name, vals in got.items():
            np.testing.assert_allclose(vals, ref[name], rtol=1e-10, atol=1e-13,
                                       err_msg=f"{name} {method} {w} {q}")
    assert list(g.dummy_players()) == ref["dummies"]


@given(st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 1.5, 2.3, 3.05]), min_size=1, max_size=6),
       st.floats(0.01, 1.0))
def test_real_weights_scaled_exactly(w, frac):
    if sum(w) == 0:
        w[0] = 0.1
    q = round(frac * sum(w), 2) or 0.01
    q = min(q, sum(w))
    g = gt.WeightedVotingGame(w, q)
    ref = brute_indices(len(w), weighted_wins(w, q))
    np.testing.assert_allclose(power.shapley_shubik(g).values, ref["shapley_shubik"],
                               atol=1e-13)
    np.testing.assert_allclose(power.banzhaf(g).values, ref["banzhaf"], atol=1e-13)


@st.composite
def multi_games(draw):
    n = draw(st.integers(1, 7))
    rows = []
    quotas = []
    for _ in range(draw(st.integers(1, 3))):
        w = draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
        if sum(w) == 0:
            w[0] = 1
        rows.append(w)
        quotas.append(draw(st.integers(1, sum(w))))
    return rows, quotas


@given(multi_games())
def test_multi_weighted_matches_brute_force(rq):
    rows, quotas = rq
    n = len(rows[0])
    g = gt.MultiWeightedVotingGame(rows, quotas)

    def wins(m):
        return all(sum(w[i] for i in range(n) if m >> i & 1) >= q
                   for w, q in zip(rows, quotas, strict=True))

    if not wins((1 << n) - 1):
        return
    ref = brute_indices(n, wins)
    for name, vals in all_indices(g).items():
        np.testing.assert_allclose(vals, ref[name], rtol=1e-10, atol=1e-13, err_msg=name)


@st.composite
def simple_games(draw):
    n = draw(st.integers(1, 6))
    k = draw(st.integers(1, 5))
    mwc = [draw(st.integers(1, (1 << n) - 1)) for _ in range(k)]
    return n, mwc


@given(simple_games())
def test_simple_game_matches_brute_force(nm):
    n, mwc = nm
    g = gt.SimpleGame(mwc, n=n)
    ref = brute_indices(n, lambda m: any((m & t) == t for t in mwc))
    for name, vals in all_indices(g).items():
        np.testing.assert_allclose(vals, ref[name], rtol=1e-10, atol=1e-13, err_msg=name)


@given(weighted_games(max_n=12, max_w=30))
def test_efficiency_dummies_symmetry_monotonicity(wq):
    w, q = wq
    g = gt.WeightedVotingGame(w, q)
    got = all_indices(g)
    for name in ("shapley_shubik", "banzhaf", "deegan_packel", "public_good_index",
                 "johnston"):
        assert got[name].sum() == pytest.approx(1.0, abs=1e-12), name
    dummies = [g.players.index(p) for p in g.dummy_players()]
    for name, vals in got.items():
        assert np.all(vals >= 0), name
        np.testing.assert_allclose(vals[dummies], 0.0, atol=1e-13, err_msg=name)
    w_arr = np.array(w)
    for name, vals in got.items():
        for i in range(len(w)):
            for j in range(len(w)):
                if w_arr[i] == w_arr[j]:  # symmetric players
                    assert vals[i] == pytest.approx(vals[j], abs=1e-13), name
                elif w_arr[i] > w_arr[j] and name in ("shapley_shubik", "banzhaf",
                                                      "banzhaf_absolute", "coleman_prevent",
                                                      "coleman_initiate"):
                    # local monotonicity of the swing-based indices
                    assert vals[i] >= vals[j] - 1e-13, name


@given(weighted_games(max_n=10, max_w=20, zero_ok=False), st.integers(0, 9),
       st.integers(1, 10))
def test_own_weight_monotonicity(wq, who, extra):
    # adding weight to one player (same quota) never lowers its SS or absolute Banzhaf
    w, q = wq
    i = who % len(w)
    w2 = list(w)
    w2[i] += extra
    g1, g2 = gt.WeightedVotingGame(w, q), gt.WeightedVotingGame(w2, q)
    assert power.shapley_shubik(g2)[i] >= power.shapley_shubik(g1)[i] - 1e-13
    assert (power.banzhaf(g2, normalized=False)[i]
            >= power.banzhaf(g1, normalized=False)[i] - 1e-13)


# ---------------------------------------------------------------------------
# numerical accuracy at scale, against exact integer counts
# ---------------------------------------------------------------------------


def exact_counts(weights, q):
    """Exact Banzhaf swing counts and Shapley-Shubik fractions (Python integers)."""
    n = len(weights)
    W = sum(weights)
    out_bz, out_ss = {}, {}
    for w in set(weights):
        others = list(weights)
        others.remove(w)
        N = [[0] * (W + 1) for _ in range(n)]  # N[s][k]
        N[0][0] = 1
        for j, x in enumerate(others):
            for s in range(j + 1, 0, -1):
                row, prev = N[s], N[s - 1]
                for k in range(W, x - 1, -1):
                    if prev[k - x]:
                        row[k] += prev[k - x]
        lo, hi = max(q - w, 0), q - 1
        out_bz[w] = sum(N[s][k] for s in range(n) for k in range(lo, hi + 1))
        out_ss[w] = sum(Fraction(math.factorial(s) * math.factorial(n - 1 - s)
                                 * sum(N[s][lo:hi + 1]), math.factorial(n)) for s in range(n))
    return ([out_bz[w] for w in weights], [out_ss[w] for w in weights])


@pytest.mark.parametrize("quota_frac", [0.2, 0.5, 0.75, 0.95])
def test_dp_accuracy_against_exact_integers(quota_frac):
    rng = np.random.default_rng(7)
    w = [int(x) for x in rng.choice([1, 2, 3, 5, 8, 13, 40], size=28)]
    q = max(1, int(quota_frac * sum(w)))
    eta, ss = exact_counts(w, q)
    g = gt.WeightedVotingGame(w, q)
    ab = power.banzhaf(g, normalized=False).values
    np.testing.assert_allclose(ab, [float(Fraction(e, 2 ** 27)) for e in eta], rtol=1e-11, atol=0)
    np.testing.assert_allclose(power.shapley_shubik(g).values, [float(x) for x in ss],
                               rtol=1e-10, atol=0)


def test_thousands_of_players_no_overflow():
    rng = np.random.default_rng(3)
    w = rng.integers(1, 60, size=3000)
    g = gt.WeightedVotingGame(w, int(w.sum() * 2 // 3))
    bz = power.banzhaf(g)
    assert np.all(np.isfinite(bz.values)) and bz.total == pytest.approx(1.0)
    assert np.all(np.diff(bz.values[np.argsort(w)]) >= -1e-15)
    cp = power.coleman_prevent(g).values
    assert np.all((cp > 0) & (cp <= 1))
    # Shapley-Shubik beyond the double range of counts (binom(1200, 600) ~ 1e360)
    w2 = rng.integers(1, 4, size=1200)
    g2 = gt.WeightedVotingGame(w2, int(w2.sum() // 2 + 1))
    ss = power.shapley_shubik(g2)
    assert ss.total == pytest.approx(1.0, abs=1e-10)
    assert np.all(ss.values > 0)
    # equal weights are symmetric: each class gets the same value
    for k in (1, 2, 3):
        vals = ss.values[w2 == k]
        assert np.ptp(vals) == 0.0


def test_large_majority_game_closed_form():
    # n equal players, quota m: Shapley-Shubik 1/n; absolute Banzhaf
    # binom(n-1, m-1) / 2**(n-1) (computed here with exact integers)
    n, m = 1001, 601
    g = gt.WeightedVotingGame([1] * n, m)
    np.testing.assert_allclose(power.shapley_shubik(g).values, 1 / n, rtol=1e-12)
    exact = Fraction(math.comb(n - 1, m - 1), 2 ** (n - 1))
    np.testing.assert_allclose(power.banzhaf(g, normalized=False).values, float(exact),
                               rtol=1e-11)


# ---------------------------------------------------------------------------
# results, conversions, errors
# ---------------------------------------------------------------------------


def test_result_metadata_and_labels():
    g = gt.WeightedVotingGame.from_dict({"A": 3, "B": 2, "C": 1}, 4)
    r = power.shapley_shubik(g)
    assert isinstance(r, gt.AllocationResult)
    assert r.concept == "shapley_shubik" and r.method == "generating-function-dp" and r.exact
    assert r.players == ("A", "B", "C")
    assert power.shapley_shubik(g, method="enumeration").method == "enumeration"
    assert power.banzhaf(g, normalized=False).concept == "banzhaf_absolute"
    assert power.holler is power.public_good_index
    s = r.to_series()
    assert list(s.index) == ["A", "B", "C"]


def test_tugame_shapley_equals_shapley_shubik():
    g = gt.WeightedVotingGame([4, 3, 2, 1, 1], 6)
    tu = g.to_tugame()
    np.testing.assert_allclose(gt.shapley_value(tu).values, power.shapley_shubik(g).values,
                               atol=1e-12)
    np.testing.assert_allclose(gt.banzhaf_value(tu).values,
                               power.banzhaf(g, normalized=False).values, atol=1e-12)


def test_errors_bad_method_and_game():
    g = gt.WeightedVotingGame([1, 1, 1], 2)
    with pytest.raises(InvalidArgumentError, match="method"):
        power.banzhaf(g, method="magic")
    with pytest.raises(InvalidTypeError, match="game"):
        power.shapley_shubik([1, 2, 3])
    s = gt.SimpleGame([[0, 1]], n=3)
    with pytest.raises(InvalidArgumentError, match="WeightedVotingGame"):
        power.shapley_shubik(s, method="dp")


def test_error_weights_cannot_be_made_integer():
    g = gt.WeightedVotingGame([math.pi, math.e, 1.0], 3.5)
    with pytest.raises(InvalidArgumentError, match="cannot be scaled to integers"):
        power.banzhaf(g, method="dp")
    # small n: auto falls back to exact enumeration, which still agrees with brute force
    ref = brute_indices(3, weighted_wins([math.pi, math.e, 1.0], 3.5))
    np.testing.assert_allclose(power.banzhaf(g).values, ref["banzhaf"])
    big = gt.WeightedVotingGame([math.pi] * 15 + [math.e] * 15, 40.0)
    with pytest.raises(InvalidArgumentError, match="cannot be scaled to integers"):
        power.shapley_shubik(big)


def test_error_too_large_for_enumerating_indices():
    rng = np.random.default_rng(0)
    w = [int(x) for x in rng.integers(1, 1000, size=30)]
    g = gt.WeightedVotingGame(w, sum(w) // 2 + 1)
    with pytest.raises(GameTooLargeError, match="limit n <= 25"):
        power.johnston(g)
    with pytest.raises(GameTooLargeError, match="max_coalitions"):
        power.deegan_packel(g, max_coalitions=1000)
    with pytest.raises(GameTooLargeError, match="max_coalitions"):
        power.public_good_index(g, max_coalitions=1000)
    multi = gt.MultiWeightedVotingGame([w, [1] * 30], [sum(w) // 2 + 1, 16])
    with pytest.raises(GameTooLargeError, match="limit n <= 25"):
        power.banzhaf(multi)
    huge = gt.WeightedVotingGame(rng.integers(1, 5000, size=2000), 2_000_000)
    with pytest.raises(GameTooLargeError, match="Shapley-Shubik dynamic program"):
        power.shapley_shubik(huge)


def test_error_total_weight_beyond_dp_limit():
    g = gt.WeightedVotingGame([10 ** 9 + 7, 10 ** 9 + 9] + [1] * 28, 10 ** 9 + 8)
    with pytest.raises(GameTooLargeError, match="exceeds the dynamic program"):
        power.banzhaf(g)


def test_against_powerindex_package():
    import powerindex as pi
    rng = np.random.default_rng(11)
    for _ in range(5):
        n = int(rng.integers(3, 30))
        w = [int(x) for x in rng.integers(1, 50, size=n)]
        q = sum(w) // 2 + 1
        if max(w) >= q:
            continue
        g = gt.WeightedVotingGame(w, q)
        np.testing.assert_allclose(power.banzhaf(g).values,
                                   pi.calculate_power_index(w, q, "bz"), atol=1e-10)
        np.testing.assert_allclose(power.shapley_shubik(g).values,
                                   pi.calculate_power_index(w, q, "ss"), atol=1e-10)


# ---------------------------------------------------------------------------
# Monte Carlo estimates (the alternative named when enumeration refuses)
# ---------------------------------------------------------------------------


def test_sampling_agrees_with_exact_within_standard_errors():
    g = gt.MultiWeightedVotingGame([[1] * 8, [30, 20, 15, 10, 10, 5, 5, 5]], [5, 61])
    exact_ss = power.shapley_shubik(g).values
    exact_bz = power.banzhaf(g, normalized=False).values
    ss = power.shapley_shubik(g, method="sample", samples=20_000, seed=1)
    bz = power.banzhaf(g, normalized=False, method="sample", samples=20_000, seed=2)
    assert not ss.exact and ss.method == "sample" and ss.stderr is not None
    assert np.all(np.abs(ss.values - exact_ss) <= 4.5 * ss.stderr + 1e-12)
    assert np.all(np.abs(bz.values - exact_bz) <= 4.5 * bz.stderr + 1e-12)
    again = power.shapley_shubik(g, method="sample", samples=20_000, seed=1)
    np.testing.assert_array_equal(again.values, ss.values)  # reproducible by seed
    assert ss.total == pytest.approx(1.0)


def test_sampling_large_simple_game_named_by_refusal():
    n = 40
    g = gt.SimpleGame([list(range(10)), list(range(10, 40))], n=n)
    with pytest.raises(GameTooLargeError, match="method='sample'"):
        power.shapley_shubik(g)
    ss = power.shapley_shubik(g, method="sample", samples=4000, seed=3)
    # symmetric within each block; the 10-block members are far stronger
    assert ss.values[:10].mean() > 3 * ss.values[10:].mean()
    bz = power.banzhaf(g, method="sample", samples=2000, seed=4)
    assert bz.total == pytest.approx(1.0)


def test_sampling_bad_arguments():
    g = gt.WeightedVotingGame([3, 2, 2], 4)
    for bad in (0, -5, 2.5, True):
        with pytest.raises(InvalidArgumentError, match="samples"):
            power.shapley_shubik(g, method="sample", samples=bad)
    with pytest.raises(InvalidArgumentError, match="not sampled"):
        power.coleman_prevent(g, method="sample")


def test_underflow_is_an_error_not_a_nan():
    # unanimity of 1,100 players: every swing probability is 2**-1099, below the
    # double range; the Shapley-Shubik index (1/n each) is unaffected
    g = gt.WeightedVotingGame([1] * 1100, 1100)
    np.testing.assert_allclose(power.shapley_shubik(g).values, 1 / 1100, rtol=1e-12)
    with pytest.raises(gt.SolverError, match="underflow"):
        power.banzhaf(g)
    # 1,000 players still fit: Coleman's power to initiate is 1 / (2**1000 - 1)
    g = gt.WeightedVotingGame([1] * 1000, 1000)
    np.testing.assert_allclose(power.coleman_initiate(g).values, 2.0 ** -1000, rtol=1e-12)
    np.testing.assert_allclose(power.banzhaf(g).values, 1e-3, rtol=1e-12)
