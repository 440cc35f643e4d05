import numpy as np
import pandas as pd
import pytest

import gametheory as gt
from gametheory.errors import (
    GameTooLargeError,
    InvalidAllocationError,
    InvalidArgumentError,
    InvalidGameError,
    InvalidTypeError,
    RestratError,
)


def test_construction_and_immutability():
    g = gt.TUGame([0, 1, 2, 4], players=["A", "B"])
    assert g.n == 2 and g.players == ("A", "B")
    assert g.v(["A", "B"]) == 4.0 and g(["B"]) == 2.0 and g.v(0b01) == 1.0
    with pytest.raises(ValueError):
        g.values[1] = 7.0
    with pytest.raises(AttributeError):
        g.foo = 1


def test_from_dict_labels_indices_and_default():
    g = gt.TUGame.from_dict({("A",): 1, ("B",): 2, ("A", "B"): 5}, players=["A", "B"])
    assert g.values.tolist() == [0, 1, 2, 5]
    h = gt.TUGame.from_dict({(0, 1): 3}, players=["A", "B"], default=1.0)
    assert h.values.tolist() == [0, 1, 1, 3]


def test_from_function_matches_dense():
    g = gt.TUGame.from_function(lambda S: len(S) ** 2, players=list("abc"))
    assert g.values.tolist() == [0, 1, 1, 4, 1, 4, 4, 9]


def test_wrong_length_raises():
    with pytest.raises(InvalidGameError, match="power of two"):
        gt.TUGame([0, 1, 2])


def test_non_finite_raises():
    with pytest.raises(InvalidGameError, match="non-finite"):
        gt.TUGame([0, 1, np.nan, 2])


def test_nonzero_empty_coalition_raises():
    with pytest.raises(InvalidGameError, match="empty coalition"):
        gt.TUGame([1, 1, 1, 2])


def test_duplicate_and_unknown_labels_raise():
    with pytest.raises(InvalidArgumentError, match="duplicate"):
        gt.TUGame([0, 1, 1, 2], players=["A", "A"])
    with pytest.raises(InvalidArgumentError, match="not a player"):
        gt.TUGame.from_dict({("A", "Z"): 1}, players=["A", "B"])
    with pytest.raises(InvalidGameError, match="twice"):
        gt.TUGame.from_dict({("A", "B"): 1, ("B", "A"): 2}, players=["A", "B"])


def test_allocation_of_wrong_length_raises():
    g = gt.games.majority(3)
    with pytest.raises(InvalidAllocationError, match="2 entries for 3 players"):
        gt.core_contains(g, [0.5, 0.5])
    with pytest.raises(InvalidAllocationError, match="non-finite"):
        gt.excesses(g, [np.nan, 0.5, 0.5])


def test_errors_are_value_errors_of_the_package():
    for exc in (InvalidGameError, InvalidAllocationError, GameTooLargeError):
        assert issubclass(exc, RestratError) and issubclass(exc, ValueError)
    assert issubclass(InvalidTypeError, TypeError)


def test_too_large_names_sampling_alternative():
    big = gt.games.airport(np.arange(1.0, 41.0))
    with pytest.raises(GameTooLargeError, match="method='sample'"):
        _ = big.values
    with pytest.raises(GameTooLargeError, match="sample"):
        gt.banzhaf_value(big)


def test_properties_of_classic_games():
    maj = gt.games.majority(3)
    assert maj.is_superadditive and not maj.is_convex and maj.is_monotone
    assert maj.is_essential and not maj.is_balanced
    glove = gt.games.glove(["L"], ["R1", "R2"])
    assert glove.is_superadditive and glove.is_balanced and not glove.is_convex
    u = gt.games.unanimity(["a", "b", "c"], ["a", "b"])
    assert u.is_convex and u.is_superadditive and u.is_balanced
    air = gt.games.airport([1, 2, 3])        # a concave cost game: its profit form is convex
    assert air.is_convex and air.is_balanced


def test_zero_normalized_dual_subgame():
    g = gt.TUGame([0, 1, 2, 6, 3, 7, 8, 12], players=list("abc"))
    z = g.zero_normalized()
    assert z.singleton_values().tolist() == [0, 0, 0]
    assert z.v(list("abc")) == 12 - 6
    d = g.dual()
    # v*(S) = v(N) - v(N \ S)
    assert d.v(["a"]) == 12 - g.v(["b", "c"])
    assert d.dual() == g
    s = g.subgame(["a", "c"])
    assert s.players == ("a", "c") and s.values.tolist() == [0, 1, 3, 7]


def test_labelled_views():
    g = gt.games.glove(["L"], ["R1", "R2"])
    ser = g.to_series([1, 0, 0])
    assert isinstance(ser, pd.Series) and ser["L"] == 1.0
    res = gt.shapley_value(g)
    assert res.to_series().index.tolist() == ["L", "R1", "R2"]
    assert res["L"] == pytest.approx(2 / 3)
    frame = g.to_frame()
    assert frame.loc[7, "worth"] == 1.0


def test_cost_game_flag_validated():
    with pytest.raises(InvalidTypeError, match="cost"):
        gt.TUGame([0, 1], cost="yes")
