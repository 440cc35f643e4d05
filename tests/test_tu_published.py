"""Published reference values for the TU solvers; each test names its source."""

import numpy as np
import pytest

import gametheory as gt


def test_glove_game_shapley_and_core():
    # Shapley and Shubik (1969), glove market with one left and two right holders;
    # also Maschler, Solan and Zamir (2013), Game Theory, ch. 17-18:
    # Shapley (2/3, 1/6, 1/6); core = nucleolus = (1, 0, 0).
    g = gt.games.glove(["L"], ["R1", "R2"])
    np.testing.assert_allclose(gt.shapley_value(g).values, [2 / 3, 1 / 6, 1 / 6])
    np.testing.assert_allclose(gt.nucleolus(g).values, [1, 0, 0], atol=1e-9)
    eps, x = gt.least_core(g)
    assert eps == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(x.values, [1, 0, 0], atol=1e-9)
    assert gt.core_contains(g, [1, 0, 0])
    assert not gt.core_contains(g, [2 / 3, 1 / 6, 1 / 6])
    np.testing.assert_allclose(gt.banzhaf_value(g).values, [0.75, 0.25, 0.25])


def test_three_player_majority_game():
    # Peleg and Sudhölter (2007), Example 2.2.x: the 3-player simple majority game has an
    # empty core; Shapley = nucleolus = (1/3, 1/3, 1/3); least-core value 1/3.
    g = gt.games.majority(3)
    np.testing.assert_allclose(gt.shapley_value(g).values, [1 / 3] * 3)
    assert gt.core_is_empty(g)
    eps, x = gt.least_core(g)
    assert eps == pytest.approx(1 / 3)
    np.testing.assert_allclose(gt.nucleolus(g).values, [1 / 3] * 3)
    np.testing.assert_allclose(gt.prenucleolus(g).values, [1 / 3] * 3)


@pytest.mark.parametrize("costs, expected", [
    # Wikipedia "Airport problem" example (Littlechild and Owen 1973 rule): costs 8, 11, 13, 18
    ([8, 11, 13, 18], [2, 3, 4, 9]),
    # six runways 40..90: Shapley (40, 52, 67, 87, 117, 177) / 6
    ([40, 50, 60, 70, 80, 90], np.array([40, 52, 67, 87, 117, 177]) / 6),
])
def test_airport_shapley_sequential_rule(costs, expected):
    g = gt.games.airport(costs)
    res = gt.shapley_value(g)
    assert res.method == "sequential-cost-sharing" and res.exact
    assert not g.has_dense
    np.testing.assert_allclose(res.values, expected)
    # the same from the dense array
    np.testing.assert_allclose(gt.shapley_value(gt.TUGame(g.values, cost=True)).values,
                               expected)


def test_airport_nucleolus_littlechild():
    # Littlechild (1974) nucleolus of the airport game, worked by hand for costs 8, 11, 13, 18
    # (the Wikipedia example): savings of N minus {i} are x_i (i = 1, 2, 3) and of {1, 2, 3}
    # are x_4 - 5; maximising the smallest saving gives 3 t <= 13 - t, so t = 13/4 and
    # x = (3.25, 3.25, 3.25, 8.25); every other coalition then saves more.
    g = gt.games.airport([8, 11, 13, 18])
    nuc = gt.nucleolus(g)
    np.testing.assert_allclose(nuc.values, [3.25, 3.25, 3.25, 8.25], atol=1e-8)
    assert nuc.total == pytest.approx(18)
    assert gt.core_contains(g, nuc)
    assert gt.kohlberg_criterion(g, nuc)


@pytest.mark.parametrize("estate, expected", [
    (100, [100 / 3, 100 / 3, 100 / 3]),
    (200, [50, 75, 75]),
    (300, [50, 100, 150]),
])
def test_talmud_table_aumann_maschler_1985(estate, expected):
    # Aumann and Maschler (1985), JET 36, Table 1: claims 100, 200, 300 (the Talmud's
    # three widows); the Talmud's division is the nucleolus of the bankruptcy game.
    claims = [100, 200, 300]
    np.testing.assert_allclose(gt.bankruptcy.talmud(estate, claims).values, expected)
    game = gt.games.bankruptcy(estate, claims)
    nuc = gt.nucleolus(game)
    np.testing.assert_allclose(nuc.values, expected, atol=1e-7)
    assert gt.kohlberg_criterion(game, nuc)


def test_bankruptcy_rules_textbook_values():
    # Thomson (2003), survey, definitions of the rules; claims (100, 200, 300) as in
    # Aumann and Maschler (1985); the values follow directly from the definitions.
    claims = [100, 200, 300]
    np.testing.assert_allclose(gt.bankruptcy.proportional(300, claims).values, [50, 100, 150])
    np.testing.assert_allclose(gt.bankruptcy.cea(300, claims).values, [100, 100, 100])
    np.testing.assert_allclose(gt.bankruptcy.cel(300, claims).values, [0, 100, 200])
    np.testing.assert_allclose(gt.bankruptcy.cel(200, claims).values, [0, 50, 150])


def test_bankruptcy_shapley_random_arrival():
    # O'Neill (1982): the Shapley value of the bankruptcy game is the random-arrival rule;
    # for estate 200 and claims 100, 200, 300: (33 1/3, 83 1/3, 83 1/3).
    g = gt.games.bankruptcy(200, [100, 200, 300])
    res = gt.shapley_value(g)
    np.testing.assert_allclose(res.values, [100 / 3, 250 / 3, 250 / 3])


def test_gately_point_equalises_propensity_to_disrupt():
    # Gately (1974) definition; example from Staudacher and Anwander (2019), 3 players
    # v(12)=4, v(13)=3, v(23)=2, v(N)=6, singletons 0: M=(4,3,2), x = M * 6/9.
    g = gt.TUGame([0, 0, 0, 4, 0, 3, 2, 6])
    x = gt.gately_point(g).values
    np.testing.assert_allclose(x, np.array([4, 3, 2]) * 6 / 9)
    vN = 6
    prop = [(vN - x[i] - g.v([j for j in range(3) if j != i])) / (x[i] - 0) for i in range(3)]
    np.testing.assert_allclose(prop, [prop[0]] * 3)


def test_tau_value_glove_and_bankruptcy():
    # Tijs (1981): for bankruptcy games the tau value is the "adjusted proportional" rule;
    # Curiel, Maschler and Tijs (1987). Estate 200, claims 100/200/300: minimal rights 0,
    # truncated claims (100, 200, 200), tau = (40, 80, 80).
    g = gt.games.bankruptcy(200, [100, 200, 300])
    np.testing.assert_allclose(gt.tau_value(g).values, [40, 80, 80])
    np.testing.assert_allclose(gt.tau_value(gt.games.glove(["L"], ["R1", "R2"])).values,
                               [1, 0, 0])


def test_cost_of_stability_majority_game():
    # Bachrach et al. (2009), "The cost of stability in coalitional games": the symmetric
    # 3-player majority game needs x_i + x_j >= 1 for every pair, so the cheapest stabilising
    # payments are (1/2, 1/2, 1/2) and the cost of stability is 1/2.
    res = gt.stabilizing_payments(gt.games.majority(3))
    np.testing.assert_allclose(res.values, [0.5, 0.5, 0.5])
    assert res.info["cost_of_stability"] == pytest.approx(0.5)
