"""Hypothesis strategies shared by the tests."""

import numpy as np
from hypothesis import strategies as st

import gametheory as gt


@st.composite
def integer_games(draw, min_n=2, max_n=5, lo=-5, hi=20):
    n = draw(st.integers(min_n, max_n))
    vals = draw(st.lists(st.integers(lo, hi), min_size=(1 << n) - 1, max_size=(1 << n) - 1))
    return gt.TUGame(np.array([0, *vals], dtype=float))


@st.composite
def convex_games(draw, min_n=2, max_n=5):
    """Convex (hence superadditive, balanced) games: an additive game plus
    non-negative multiples of unanimity games, v(S) = a(S) + sum_k c_k [T_k subset S]."""
    n = draw(st.integers(min_n, max_n))
    masks = np.arange(1 << n)
    add = np.array(draw(st.lists(st.integers(-3, 5), min_size=n, max_size=n)), dtype=float)
    v = ((masks[:, None] >> np.arange(n)) & 1) @ add
    k = draw(st.integers(1, 6))
    for _ in range(k):
        t = draw(st.integers(1, (1 << n) - 1))
        c = draw(st.integers(1, 10))
        v = v + c * ((masks & t) == t)
    return gt.TUGame(v.astype(float))
