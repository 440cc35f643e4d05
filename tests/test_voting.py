"""Simple, weighted and multi-weighted voting games: queries, immutability, bad input."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gametheory as gt
from gametheory.errors import GameTooLargeError, InvalidArgumentError, InvalidTypeError
from gametheory.voting import ENUMERATION_LIMIT


def brute_queries(n, wins):
    full = (1 << n) - 1
    win = [bool(wins(m)) for m in range(1 << n)]

    def minimal(pred):
        return sorted((m for m in range(1 << n) if pred(m)
                       and all(not pred(m ^ (1 << i)) for i in range(n) if m >> i & 1)),
                      key=lambda m: (bin(m).count("1"), m))

    return {
        "mwc": minimal(lambda m: win[m]),
        "mbc": minimal(lambda m: not win[full ^ m]),
        "veto": [i for i in range(n) if not win[full ^ (1 << i)]],
        "dummy": [i for i in range(n) if not any(win[m] and not win[m ^ (1 << i)]
                                                 for m in range(1 << n) if m >> i & 1)],
        "proper": not any(win[m] and win[full ^ m] for m in range(1 << n)),
        "strong": not any(not win[m] and not win[full ^ m] for m in range(1 << n)),
        "win": win,
    }


@st.composite
def weighted(draw, max_n=8):
    n = draw(st.integers(1, max_n))
    w = draw(st.lists(st.integers(0, 15), min_size=n, max_size=n))
    if sum(w) == 0:
        w[-1] = 2
    return w, draw(st.integers(1, sum(w)))


def _check_queries(g, ref):
    n = g.n
    assert list(g.minimal_winning_coalitions(as_masks=True)) == ref["mwc"]
    assert list(g.minimal_blocking_coalitions(as_masks=True)) == ref["mbc"]
    assert list(g.veto_players()) == [g.players[i] for i in ref["veto"]]
    assert list(g.dummy_players()) == [g.players[i] for i in ref["dummy"]]
    assert g.is_proper() == ref["proper"]
    assert g.is_strong() == ref["strong"]
    assert g.is_decisive() == (ref["proper"] and ref["strong"])
    assert [g.is_winning(m) for m in range(1 << n)] == ref["win"]
    np.testing.assert_array_equal(g.winning_array(), ref["win"])


@given(weighted())
def test_weighted_queries_match_brute_force(wq):
    w, q = wq
    g = gt.WeightedVotingGame(w, q)
    ref = brute_queries(len(w), lambda m: sum(x for i, x in enumerate(w) if m >> i & 1) >= q)
    _check_queries(g, ref)


@given(st.integers(1, 6), st.lists(st.integers(1, 63), min_size=1, max_size=5))
def test_simple_game_queries_match_brute_force(n, raw):
    mwc = [m & ((1 << n) - 1) or 1 for m in raw]
    g = gt.SimpleGame(mwc, n=n)
    ref = brute_queries(n, lambda m: any((m & t) == t for t in mwc))
    _check_queries(g, ref)
    g2 = gt.SimpleGame.from_winning_array(ref["win"])
    assert g2.minimal_winning_coalitions() == g.minimal_winning_coalitions()


@given(st.integers(1, 6), st.data())
def test_multi_weighted_queries_match_brute_force(n, data):
    rows = [data.draw(st.lists(st.integers(1, 9), min_size=n, max_size=n)) for _ in range(2)]
    quotas = [data.draw(st.integers(1, sum(r))) for r in rows]
    g = gt.MultiWeightedVotingGame(rows, quotas)
    ref = brute_queries(n, lambda m: all(sum(x for i, x in enumerate(r) if m >> i & 1) >= q
                                         for r, q in zip(rows, quotas, strict=True)))
    _check_queries(g, ref)
    assert len(g.components) == 2 and g.weights.shape == (2, n)


def test_labels_and_named_constructors():
    g = gt.WeightedVotingGame.from_dict({"teachingA": 3, "teachingB": 3, "districts": 4}, 6)
    assert g.players == ("teachingA", "teachingB", "districts")
    assert g.is_winning(["districts", "teachingA"]) and not g.is_winning({"teachingA"})
    assert g.is_winning("districts") is False
    assert g.minimal_winning_coalitions() == (("teachingA", "teachingB"),
                                              ("teachingA", "districts"),
                                              ("teachingB", "districts"))
    # the districts can block any proposal only together with a teaching hospital
    assert g.minimal_blocking_coalitions() == g.minimal_winning_coalitions()
    m = gt.WeightedVotingGame.majority([3, 2, 2])
    assert m.quota == 4
    assert gt.WeightedVotingGame.majority([0.5, 0.25, 0.25]).quota == pytest.approx(0.75)
    assert gt.WeightedVotingGame.majority([1, 1, 1, 1]).is_winning([0, 1, 2])
    assert not gt.WeightedVotingGame.majority([1, 1, 1, 1]).is_winning([0, 1])


def test_attributes_are_read_only():
    g = gt.WeightedVotingGame([4, 4, 4, 2, 2, 1], 12)
    assert g.n == 6 and g.quota == 12 and g.total == 17
    assert g.weights.dtype == np.int64
    with pytest.raises(ValueError):
        g.weights[0] = 10
    with pytest.raises(AttributeError):
        g.quota = 3
    with pytest.raises(AttributeError):
        g.n = 3
    with pytest.raises(ValueError):
        g.winning_array()[0] = True
    s = gt.SimpleGame([[0, 1]], n=2)
    with pytest.raises(AttributeError):
        s.foo = 1
    multi = gt.MultiWeightedVotingGame([[1, 1, 1], [50, 30, 20]], [2, 65])
    with pytest.raises(ValueError):
        multi.quota[0] = 1
    assert multi.quotas.tolist() == [2.0, 65.0]


def test_real_weights_read_as_decimals():
    # 0.1 + 0.2 reaches 0.3 exactly (binary floats would not)
    g = gt.WeightedVotingGame([0.1, 0.2, 0.4], 0.3)
    assert g.is_winning([0, 1])
    assert g.integer_weights == (1, 2, 4) and g.integer_quota == 3
    h = gt.WeightedVotingGame([2, 4, 6], 5.5)
    assert h.integer_weights == (1, 2, 3) and h.integer_quota == 3


def test_eu_double_majority():
    # Lisbon-style double majority on a toy council: 55% of 5 members (3) and
    # 65% of the population (65 of 100)
    pop = [40, 25, 15, 12, 8]
    g = gt.MultiWeightedVotingGame([[1] * 5, pop], [3, 65])
    assert g.is_winning([0, 1, 4]) and not g.is_winning([0, 1])  # too few members
    assert not g.is_winning([1, 2, 3, 4])  # 60% of the population
    assert g.veto_players() == (0,)  # the others hold only 60% of the population
    assert gt.power.shapley_shubik(g).total == pytest.approx(1.0)
    eq = gt.MultiWeightedVotingGame.from_games([gt.WeightedVotingGame([1] * 5, 3),
                                                gt.WeightedVotingGame(pop, 65)])
    np.testing.assert_array_equal(eq.winning_array(), g.winning_array())


def test_to_tugame():
    g = gt.WeightedVotingGame([2, 1, 1], 3, players=["a", "b", "c"])
    tu = g.to_tugame()
    assert isinstance(tu, gt.TUGame)
    np.testing.assert_array_equal(np.asarray(tu.values), g.winning_array().astype(float))
    assert tuple(tu.players) == ("a", "b", "c")


def test_large_weighted_game_queries_without_enumeration():
    # 2000 players: veto, dummy and properness by exact subset-sum bitsets
    w = [1000] + [2] * 1999
    g = gt.WeightedVotingGame(w, 1001)
    assert g.dummy_players() == ()  # 1000 + any one other, or 501 twos
    assert not g.is_proper()  # {0, one 2} and 501 other twos both win
    g2 = gt.WeightedVotingGame([4] * 1000 + [1], 3000)
    assert g2.dummy_players() == (1000,)
    assert g2.is_proper() and not g2.is_strong()
    assert gt.WeightedVotingGame([3] * 1001, 1502).is_decisive()
    assert gt.WeightedVotingGame([5000, 1, 1], 5000).veto_players() == (0,)


# ---------------------------------------------------------------------------
# bad input: one test per case listed in the issue
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("weights", [[3, -1, 2], [-0.5, 1.0]])
def test_negative_weights(weights):
    with pytest.raises(InvalidArgumentError, match="negative"):
        gt.WeightedVotingGame(weights, 1)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_weights(bad):
    with pytest.raises(InvalidArgumentError, match="non-finite"):
        gt.WeightedVotingGame([1.0, bad, 2.0], 1)
    with pytest.raises(InvalidArgumentError, match="non-finite"):
        gt.MultiWeightedVotingGame([[1, 1], [1.0, bad]], [1, 1])


@pytest.mark.parametrize("quota", [0, -1, 7.5, 100, math.nan])
def test_quota_outside_range(quota):
    with pytest.raises(InvalidArgumentError, match="quota"):
        gt.WeightedVotingGame([3, 2, 2], quota)


def test_quota_at_total_is_unanimity():
    g = gt.WeightedVotingGame([3, 2, 2], 7)
    assert g.veto_players() == (0, 1, 2)


def test_weights_that_cannot_be_made_integer():
    g = gt.WeightedVotingGame([math.pi, math.sqrt(2), 1.0], 2.0)
    with pytest.raises(InvalidArgumentError, match="cannot be scaled to integers exactly"):
        gt.power.shapley_shubik(g, method="dp")


def test_mismatched_lengths():
    with pytest.raises(InvalidArgumentError, match="3 labels for a game of 2 players"):
        gt.WeightedVotingGame([1, 2], 2, players=["a", "b", "c"])
    with pytest.raises(InvalidArgumentError, match="2 quotas for 3 weight rows"):
        gt.MultiWeightedVotingGame([[1, 1], [1, 2], [3, 3]], [1, 1])
    with pytest.raises(InvalidArgumentError, match="rows of different lengths"):
        gt.MultiWeightedVotingGame([[1, 1, 1], [1, 2]], [1, 1])


def test_bad_types_and_shapes():
    with pytest.raises(InvalidTypeError):
        gt.WeightedVotingGame("123", 2)
    with pytest.raises(InvalidTypeError):
        gt.WeightedVotingGame(["a", "b"], 2)
    with pytest.raises(InvalidTypeError):
        gt.WeightedVotingGame([True, False], 1)
    with pytest.raises(InvalidArgumentError, match="1-D"):
        gt.WeightedVotingGame([[1, 2], [3, 4]], 2)
    with pytest.raises(InvalidArgumentError, match="no players"):
        gt.WeightedVotingGame([], 1)
    with pytest.raises(InvalidArgumentError, match="all weights are zero"):
        gt.WeightedVotingGame([0, 0], 1)
    with pytest.raises(InvalidArgumentError, match="empty coalition"):
        gt.SimpleGame([[]], n=2)
    with pytest.raises(InvalidArgumentError, match="neither players nor n"):
        gt.SimpleGame([[0]])
    with pytest.raises(InvalidArgumentError, match="not a player"):
        gt.SimpleGame([["x"]], players=["a", "b"])
    with pytest.raises(InvalidArgumentError, match="not monotone"):
        gt.SimpleGame.from_winning_array([False, True, False, True, False, False, False, True])


def test_n_too_large_for_enumeration():
    n = ENUMERATION_LIMIT + 5
    g = gt.SimpleGame([list(range(n // 2 + 1))], n=n)
    assert g.is_winning(range(n)) and g.veto_players() == tuple(range(n // 2 + 1))
    with pytest.raises(GameTooLargeError, match=f"limit n <= {ENUMERATION_LIMIT}"):
        g.to_tugame()
    with pytest.raises(GameTooLargeError, match=f"limit n <= {ENUMERATION_LIMIT}"):
        gt.power.banzhaf(g)
    with pytest.raises(GameTooLargeError, match="max_coalitions"):
        gt.WeightedVotingGame(list(range(1, 41)), 410).minimal_winning_coalitions(
            max_coalitions=500)
