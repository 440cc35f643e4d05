import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gametheory import coalitions as co
from gametheory.errors import GameTooLargeError, InvalidArgumentError, InvalidTypeError


def test_to_mask_labels_indices_and_bitmask():
    players = ("A", "B", "C")
    assert co.to_mask(["A", "C"], players) == 0b101
    assert co.to_mask([0, 2], players) == 0b101
    assert co.to_mask(0b101, players) == 5
    assert co.to_mask("B", players) == 0b010
    assert co.to_mask(frozenset(), players) == 0


def test_round_trip_labels():
    players = ("x", "y", "z", "w")
    for m in range(16):
        assert co.to_mask(co.mask_to_labels(m, players), players) == m


def test_bad_coalitions_raise_named_errors():
    with pytest.raises(InvalidArgumentError, match="coalition"):
        co.to_mask(["Q"], ("A", "B"))
    with pytest.raises(InvalidArgumentError, match="bitmask"):
        co.to_mask(8, ("A", "B", "C"))
    with pytest.raises(InvalidTypeError):
        co.to_mask(True, ("A",))


def test_validate_players_duplicates_and_length():
    with pytest.raises(InvalidArgumentError, match="duplicate"):
        co.validate_players(["a", "a"])
    with pytest.raises(InvalidArgumentError, match="3 labels"):
        co.validate_players(["a", "b", "c"], 2)
    with pytest.raises(InvalidTypeError):
        co.validate_players("abc")


@given(st.integers(1, 12))
def test_popcount_table_matches_bitwise_count(n):
    t = co.popcount_table(n)
    assert t.dtype == np.uint8
    np.testing.assert_array_equal(t, np.bitwise_count(np.arange(1 << n)))


def test_masks_by_size_partition():
    groups = co.masks_by_size(5)
    assert [len(g) for g in groups] == [1, 5, 10, 10, 5, 1]
    assert sorted(np.concatenate(groups).tolist()) == list(range(32))
    np.testing.assert_array_equal(co.masks_of_size(4, 2), [3, 5, 6, 9, 10, 12])


def test_submasks_and_membership():
    assert co.submasks(0b1010).tolist() == [0, 2, 8, 10]
    m = co.membership(np.array([5]), 3)
    assert m.tolist() == [[True, False, True]]


def test_require_dense_names_alternative():
    with pytest.raises(GameTooLargeError, match="method='sample'"):
        co.require_dense(40, "exact Shapley", "method='sample'")
