"""Coalition formation: hedonic games and partition function games.

The vectorised enumeration is checked against a literal implementation of each
definition (sets and loops over every partition), the concepts' known inclusions, and
the standard examples of Bogomolnaia and Jackson (2002). Their paper could not be
consulted here, so the examples below are the textbook instances of the phenomena they
illustrate (an empty core, an empty Nash-stable set, existence for symmetric additively
separable preferences), each verified by brute force rather than by a quoted table.
"""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.blocs import HedonicGame, PartitionFunctionGame


def set_partitions(items):
    items = list(items)
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in set_partitions(rest):
        for k in range(len(part)):
            yield part[:k] + [part[k] | {first}] + part[k + 1:]
        yield [{first}] + part


def literal_stable(u, n, concept):
    """Stable partitions straight from the definitions; u(i, frozenset) -> utility."""
    out = []
    for part in set_partitions(range(n)):
        block = {i: frozenset(b) for b in part for i in b}
        cur = {i: u(i, block[i]) for i in range(n)}
        stable = True
        if concept in ("core", "strict_core"):
            for r in range(1, n + 1):
                for S in itertools.combinations(range(n), r):
                    S = frozenset(S)
                    gains = [u(i, S) - cur[i] for i in S]
                    if concept == "core" and all(g > 0 for g in gains):
                        stable = False
                    if (concept == "strict_core" and S not in block.values()
                            and all(g >= 0 for g in gains) and any(g > 0 for g in gains)):
                        stable = False
        else:
            for i in range(n):
                targets = [frozenset(b) for b in part if i not in b] + [frozenset()]
                for T in targets:
                    if not T and block[i] == {i}:
                        continue
                    if u(i, T | {i}) <= cur[i]:
                        continue
                    if concept in ("individual", "contractual") and any(
                            u(k, T | {i}) < u(k, T) for k in T):
                        continue
                    rest = block[i] - {i}
                    if concept == "contractual" and any(u(k, rest) < u(k, block[i])
                                                        for k in rest):
                        continue
                    stable = False
        if stable:
            out.append(sorted(tuple(sorted(b)) for b in part))
    return sorted(out)


def ours(game, concept):
    return sorted(sorted(tuple(b) for b in p.blocks) for p in game.stable_partitions(concept))


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 5), st.data())
def test_enumeration_matches_the_definitions(n, data):
    a = np.array(data.draw(st.lists(st.integers(-3, 3), min_size=n * n, max_size=n * n)),
                 dtype=float).reshape(n, n)
    g = HedonicGame.additively_separable(a)

    def u(i, S):
        return sum(a[i, j] for j in S if j != i)

    for concept in gt.blocs.CONCEPTS:
        assert ours(g, concept) == literal_stable(u, n, concept), concept


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 4), st.data())
def test_enumeration_matches_definitions_for_arbitrary_tables(n, data):
    table = np.array(data.draw(st.lists(st.integers(0, 4), min_size=n << n,
                                        max_size=n << n)), dtype=float).reshape(n, 1 << n)
    g = HedonicGame(table)

    def u(i, S):
        return table[i, sum(1 << j for j in S)]

    for concept in gt.blocs.CONCEPTS:
        assert ours(g, concept) == literal_stable(u, n, concept), concept


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 6), st.data())
def test_inclusions_between_concepts(n, data):
    # Bogomolnaia and Jackson (2002): Nash stable => individually stable => contractually
    # individually stable; strictly core stable => core stable
    a = np.array(data.draw(st.lists(st.integers(-4, 4), min_size=n * n, max_size=n * n)),
                 dtype=float).reshape(n, n)
    g = HedonicGame.additively_separable(a)
    sets = {c: {p for p in g.stable_partitions(c)} for c in gt.blocs.CONCEPTS}
    assert sets["nash"] <= sets["individual"] <= sets["contractual"]
    assert sets["strict_core"] <= sets["core"]
    # the contractually individually stable set is never empty (Ballester 2004)
    assert sets["contractual"]


def test_cyclic_pairs_have_an_empty_core():
    # the standard three-player cycle: each prefers pairing with the next player to pairing
    # with the previous one to being alone; the grand coalition is unacceptable
    g = HedonicGame.from_rankings({
        "x": [("x", "y"), ("x", "z"), ("x",)],
        "y": [("y", "z"), ("y", "x"), ("y",)],
        "z": [("z", "x"), ("z", "y"), ("z",)]})
    assert g.stable_partitions("core") == ()
    r = g.find_stable_partition("core")
    assert not r and "none is stable" in r.certificate
    # every partition is blocked; e.g. {x, y}, {z} by {y, z}
    check = g.is_stable([["x", "y"], ["z"]], "core")
    assert not check and set(check.deviation["coalition"]) == {"y", "z"}
    # the core dynamics cycle rather than settle
    dyn = g.find_stable_partition("core", method="dynamics", seed=0, max_steps=50)
    assert not dyn.stable and dyn.info["cycle_seen"]


def test_chasing_pair_has_no_nash_stable_partition_but_an_individually_stable_one():
    # a values b, b dislikes a: a follows b wherever b goes, so no partition is Nash
    # stable; b's veto over a's entry makes {a}, {b} individually stable
    g = HedonicGame.additively_separable([[0, 1], [-1, 0]], players=["a", "b"])
    assert g.stable_partitions("nash") == ()
    assert [p.blocks for p in g.stable_partitions("individual")] == [(("a",), ("b",))]


def test_symmetric_additively_separable_games_have_nash_stable_partitions():
    # Bogomolnaia and Jackson (2002): symmetric additively separable preferences admit a
    # Nash stable partition (better-response dynamics climb a potential); checked by
    # enumeration for small games and by the dynamics' certificate for a large one
    rng = np.random.default_rng(11)
    for n in (4, 6, 8):
        a = rng.integers(-5, 6, (n, n)).astype(float)
        a = a + a.T
        g = HedonicGame.additively_separable(a)
        assert g.stable_partitions("nash")
    n = 40
    a = rng.normal(size=(n, n))
    a = a + a.T
    g = HedonicGame.additively_separable(a)
    r = g.find_stable_partition("nash", seed=3)
    assert r.stable and r.method == "dynamics"
    assert g.is_stable(r.partition, "nash").stable
    assert "no deviation" in r.certificate


def test_dynamics_certificate_and_start():
    a = np.array([[0, 3, -2], [3, 0, 1], [-2, 1, 0]], dtype=float)
    g = HedonicGame.additively_separable(a, players=["p", "q", "r"])
    r = g.find_stable_partition("individual", method="dynamics", start=[["p", "q", "r"]],
                                seed=5)
    assert r.stable and g.is_stable(r.partition, "individual").stable
    assert r.partition in g.stable_partitions("individual")


def test_fractional_preferences():
    # two friends and a stranger: the friends pair up and leave the stranger alone
    a = [[0, 4, 0], [4, 0, 0], [0, 0, 0]]
    g = HedonicGame.fractional(a, players=["f1", "f2", "s"])
    assert g.utility("f1", ["f1", "f2"]) == pytest.approx(2.0)
    assert g.utility("f1", ["f1", "f2", "s"]) == pytest.approx(4 / 3)
    assert [p.blocks for p in g.stable_partitions("core")] == [(("f1", "f2"), ("s",))]


@pytest.mark.parametrize("rankings, problem", [
    ({"a": [("a", "b")], "b": [("b",)]}, "does not say where being alone"),
    ({"a": [("a", "b"), ("a",), ("b", "a")], "b": [("b",)]}, "ranked twice"),
    ({"a": [("b",), ("a",)], "b": [("b",)]}, "does not contain"),
    ({"a": [("a",)]}, None),
    ({"a": [("a",)], "b": [("b",)], "c": [("c",)]}, "unknown players"),
])
def test_incomplete_or_inconsistent_preferences_are_refused(rankings, problem):
    if problem is None:
        with pytest.raises(gt.InvalidArgumentError, match="not complete"):
            HedonicGame.from_rankings(rankings, players=["a", "b"])
        return
    players = None if "c" not in rankings else ["a", "b"]
    with pytest.raises(gt.InvalidArgumentError, match=problem):
        HedonicGame.from_rankings(rankings, players=players)


def test_ties_in_rankings():
    g = HedonicGame.from_rankings({"a": [{("a", "b"), ("a",)}], "b": [("a", "b"), ("b",)]})
    assert g.utility("a", ["a", "b"]) == g.utility("a", ["a"])
    # b strictly prefers the pair, a is indifferent: {a}, {b} is core stable (no strict
    # gain for a) but not strictly core stable
    assert (("a",), ("b",)) in [p.blocks for p in g.stable_partitions("core")]
    assert (("a",), ("b",)) not in [p.blocks for p in g.stable_partitions("strict_core")]


def test_bad_concepts_and_sizes():
    g = HedonicGame.additively_separable(np.zeros((3, 3)))
    with pytest.raises(gt.InvalidArgumentError, match="stability concept"):
        g.stable_partitions("stable")
    big = HedonicGame.additively_separable(np.zeros((12, 12)))
    with pytest.raises(gt.GameTooLargeError):
        big.stable_partitions("nash")
    with pytest.raises(gt.InvalidArgumentError, match="do not cover"):
        g.is_stable([[0, 1]], "nash")


# ---------------------------------------------------------------------------
# partition function games
# ---------------------------------------------------------------------------

@settings(max_examples=20, deadline=None)
@given(st.integers(2, 4), st.data())
def test_partition_function_without_externalities_is_the_hedonic_game(n, data):
    vals = data.draw(st.lists(st.integers(0, 9), min_size=(1 << n) - 1,
                              max_size=(1 << n) - 1))
    tu = gt.TUGame(np.array([0, *vals], dtype=float))
    pfg = PartitionFunctionGame.from_tu_game(tu)
    assert pfg.externalities() == "none"
    size = np.bitwise_count(np.arange(1 << n)).astype(float)
    table = np.tile(tu.values / np.maximum(size, 1), (n, 1))
    hed = HedonicGame(table)
    for concept in ("core", "nash", "individual"):
        want = set(hed.stable_partitions(concept))
        for assumption in gt.blocs.ASSUMPTIONS:
            assert set(pfg.stable_partitions(concept, assumption=assumption)) == want


def test_cournot_externalities_by_hand():
    # worth 9 / (m + 1)^2 for a coalition when the partition has m blocks (a Cournot market
    # with linear demand): merging others raises a coalition's worth (positive
    # externalities). Grand coalition: 2.25, 0.75 each. Under gamma a deviating pair faces
    # a singleton, m = 2: 1.0, 0.5 each < 0.75; a deviating firm faces two singletons,
    # m = 3: 0.5625 < 0.75. So the grand coalition is gamma-stable; from the singletons
    # (0.5625 each) the grand coalition blocks.
    g = PartitionFunctionGame(lambda S, P: 9.0 / (len(P) + 1) ** 2, ["a", "b", "c"])
    assert g.externalities() == "positive"
    np.testing.assert_allclose(g.payoffs([["a", "b", "c"]]), [0.75] * 3)
    assert g.is_stable([["a", "b", "c"]], "core", assumption="gamma")
    r = g.is_stable([["a"], ["b"], ["c"]], "core", assumption="gamma")
    assert not r and set(r.deviation["coalition"]) == {"a", "b", "c"}
    # with free riding (Nash moves): from the grand coalition a firm gains by leaving,
    # 9/9 = 1.0 alone against the pair's 0.5 each
    assert not g.is_stable([["a", "b", "c"]], "nash")
    assert g.value(["a"], [["a"], ["b", "c"]]) == pytest.approx(1.0)


def test_pessimistic_blocking_is_hardest():
    rng = np.random.default_rng(4)
    for _ in range(5):
        table = {}

        def worth(S, P, table=table):
            key = (S, P.blocks)
            if key not in table:
                table[key] = float(rng.integers(0, 10))
            return table[key]

        g = PartitionFunctionGame(worth, [0, 1, 2, 3])
        pess = set(g.stable_partitions("core", assumption="pessimistic"))
        for a in ("delta", "gamma"):
            assert set(g.stable_partitions("core", assumption=a)) <= pess


def test_partition_function_bad_input():
    with pytest.raises(gt.InvalidArgumentError, match="unknown reaction"):
        PartitionFunctionGame(lambda S, P: 1.0, [0, 1]).stable_partitions(assumption="beta")
    with pytest.raises(gt.InvalidArgumentError, match="positive"):
        PartitionFunctionGame(lambda S, P: 1.0, [0, 1], share=[1, -1])
    with pytest.raises(gt.GameTooLargeError):
        PartitionFunctionGame(lambda S, P: 1.0, list(range(9)))
    with pytest.raises(gt.InvalidArgumentError, match="finite"):
        PartitionFunctionGame(lambda S, P: float("nan"), [0, 1])
