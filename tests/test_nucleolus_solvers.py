"""The warm-started highspy nucleolus against the linprog enumeration path and Kohlberg."""

import sys
from pathlib import Path

import numpy as np
import pytest

import gametheory as gt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from tu_families import bnf, random_superadditive  # noqa: E402


@pytest.mark.parametrize("kind", [1, 2, 3, 4, 6])
@pytest.mark.parametrize("n", [5, 8])
def test_highspy_nucleolus_matches_enumeration_on_bnf_families(kind, n):
    # default (one incremental highspy model) vs method="enumeration" (every coalition in
    # every scipy linprog), both checked by Kohlberg's criterion
    for seed in range(3):
        v = bnf(kind, n, seed)
        if v[(1 << n) - 1] < sum(v[1 << i] for i in range(n)):
            continue
        g = gt.TUGame(v)
        fast = gt.nucleolus(g)
        assert fast.info["solver"] == "highspy"
        ref = gt.nucleolus(g, method="enumeration")
        scale = max(1.0, float(np.abs(v).max()))
        np.testing.assert_allclose(fast.values, ref.values, atol=1e-7 * scale)
        assert gt.kohlberg_criterion(g, fast)
        pre = gt.prenucleolus(g)
        assert gt.kohlberg_criterion(g, pre)


def test_highspy_nucleolus_dense_random_games():
    for n in (6, 9, 11):
        g = gt.TUGame(random_superadditive(n, seed=n))
        fast = gt.nucleolus(g)
        ref = gt.nucleolus(g, method="enumeration")
        np.testing.assert_allclose(fast.values, ref.values, atol=1e-8)
        assert gt.kohlberg_criterion(g, fast)
