"""Coalition structures: Owen, Banzhaf-Owen, symmetric coalitional Banzhaf, Aumann-Drèze.

Checked against published tables, against brute force over the admissible orders, against
an independent exact big-integer dynamic program, and by the values' axioms.
"""

from fractions import Fraction
from itertools import permutations, product
from math import factorial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import integer_games

import gametheory as gt
from gametheory.coalitions import CoalitionStructure, all_partitions, bell_number

# ---------------------------------------------------------------------------
# published values
# ---------------------------------------------------------------------------

MADRID = ([48, 37, 27, 17], 65)  # PP, PSOE, Podemos, C's; 129 seats
# Giménez, J. M. and Puente, M. A. (2019). The Owen and the Owen-Banzhaf values applied to the
# study of the Madrid Assembly and the Andalusian Parliament in legislature 2015-2019.
# ICORES 2019, Table 1: columns (a) Shapley / Owen, (b) Banzhaf / Banzhaf-Owen,
# (c) Banzhaf / symmetric coalitional Banzhaf; (-) no unions, (R) {PP, C's}, (L) {PSOE,
# Podemos, C's}. The table prints four decimals, truncated (0.1666 for 1/6).
MADRID_STRUCTURES = {"-": [[0], [1], [2], [3]], "R": [[0, 3], [1], [2]], "L": [[0], [1, 2, 3]]}
MADRID_TABLE = {
    "owen": {"-": [0.5000, 0.1666, 0.1666, 0.1666], "R": [0.6666, 0.0, 0.0, 0.3333],
             "L": [0.0, 0.3333, 0.3333, 0.3333]},
    "banzhaf_owen": {"-": [0.75, 0.25, 0.25, 0.25], "R": [0.75, 0.0, 0.0, 0.25],
                     "L": [0.0, 0.25, 0.25, 0.25]},
    "symmetric_coalitional_banzhaf": {"-": [0.75, 0.25, 0.25, 0.25],
                                      "R": [0.75, 0.0, 0.0, 0.25],
                                      "L": [0.0, 0.3333, 0.3333, 0.3333]},
}
TU_FUNCS = {"owen": gt.owen_value, "banzhaf_owen": gt.banzhaf_owen_value,
            "symmetric_coalitional_banzhaf": gt.symmetric_coalitional_banzhaf_value}
POWER_FUNCS = {"owen": gt.power.owen, "banzhaf_owen": gt.power.banzhaf_owen,
               "symmetric_coalitional_banzhaf": gt.power.symmetric_coalitional_banzhaf}


@pytest.mark.parametrize("concept", list(MADRID_TABLE))
@pytest.mark.parametrize("key", ["-", "R", "L"])
def test_madrid_assembly_published(concept, key):
    g = gt.WeightedVotingGame(*MADRID, players=["PP", "PSOE", "Podemos", "Cs"])
    expected = np.array(MADRID_TABLE[concept][key])
    unions = MADRID_STRUCTURES[key]
    for method in ("dp", "enumeration"):
        got = POWER_FUNCS[concept](g, unions, method=method).values
        # the table truncates to four decimals
        np.testing.assert_array_less(np.abs(np.floor(got * 1e4 + 1e-6) / 1e4 - expected), 1e-9)
    tu = TU_FUNCS[concept](g.to_tugame(), unions).values
    np.testing.assert_allclose(tu, POWER_FUNCS[concept](g, unions).values, atol=1e-12)


# ---------------------------------------------------------------------------
# brute force
# ---------------------------------------------------------------------------

def owen_by_orders(v, n, blocks):
    """Average marginal contribution over the orders that keep every union together."""
    phi = np.zeros(n)
    count = 0
    for union_order in permutations(range(len(blocks))):
        inner = [list(permutations(blocks[k])) for k in union_order]
        for choice in product(*inner):
            order = [i for part in choice for i in part]
            mask = 0
            for i in order:
                phi[i] += v[mask | (1 << i)] - v[mask]
                mask |= 1 << i
            count += 1
    return phi / count


def coalitional_by_formula(v, n, blocks, between, within):
    """The double sum over H (other unions) and S (inside the union), term by term."""
    m = len(blocks)
    out = np.zeros(n)

    def weight(kind, size, total):
        if kind == "shapley":
            return factorial(size) * factorial(total - size - 1) / factorial(total)
        return 1.0 / 2 ** (total - 1)

    for k, members in enumerate(blocks):
        others = [b for j, b in enumerate(blocks) if j != k]
        for i in members:
            rest = [j for j in members if j != i]
            for hbits in range(1 << (m - 1)):
                Q = 0
                for j, b in enumerate(others):
                    if hbits >> j & 1:
                        for x in b:
                            Q |= 1 << x
                h = bin(hbits).count("1")
                for sbits in range(1 << len(rest)):
                    S = Q
                    for j, x in enumerate(rest):
                        if sbits >> j & 1:
                            S |= 1 << x
                    s = bin(sbits).count("1")
                    out[i] += (weight(between, h, m) * weight(within, s, len(members))
                               * (v[S | (1 << i)] - v[S]))
    return out


@st.composite
def games_with_unions(draw, max_n=5):
    g = draw(integer_games(min_n=1, max_n=max_n))
    rgs = all_partitions(g.n)
    r = draw(st.integers(0, rgs.shape[0] - 1))
    return g, CoalitionStructure.from_rgs(rgs[r], g.players)


@settings(max_examples=60, deadline=None)
@given(games_with_unions())
def test_owen_equals_average_over_union_respecting_orders(gu):
    g, cs = gu
    blocks = [list(gt.coalitions.mask_to_indices(m)) for m in cs.masks]
    np.testing.assert_allclose(gt.owen_value(g, cs).values,
                               owen_by_orders(g.values, g.n, blocks), atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(games_with_unions())
def test_banzhaf_variants_equal_their_double_sums(gu):
    g, cs = gu
    blocks = [list(gt.coalitions.mask_to_indices(m)) for m in cs.masks]
    np.testing.assert_allclose(gt.banzhaf_owen_value(g, cs).values,
                               coalitional_by_formula(g.values, g.n, blocks, "banzhaf",
                                                      "banzhaf"), atol=1e-9)
    np.testing.assert_allclose(gt.symmetric_coalitional_banzhaf_value(g, cs).values,
                               coalitional_by_formula(g.values, g.n, blocks, "banzhaf",
                                                      "shapley"), atol=1e-9)


# ---------------------------------------------------------------------------
# axioms
# ---------------------------------------------------------------------------

@settings(max_examples=80, deadline=None)
@given(games_with_unions(max_n=6))
def test_owen_efficiency_and_quotient_game_property(gu):
    g, cs = gu
    o = gt.owen_value(g, cs)
    assert o.total == pytest.approx(g.grand_value, abs=1e-9)
    # quotient-game property: union totals are the Shapley value of the game among unions
    quo = gt.shapley_value(gt.quotient_game(g, cs)).values
    totals = np.array([o.values[list(gt.coalitions.mask_to_indices(m))].sum()
                       for m in cs.masks])
    np.testing.assert_allclose(totals, quo, atol=1e-9)
    assert list(o.info["union_totals"].values()) == pytest.approx(list(quo), abs=1e-9)
    # symmetric coalitional Banzhaf: union totals are the quotient's Banzhaf value
    bq = gt.banzhaf_value(gt.quotient_game(g, cs)).values
    sb = gt.symmetric_coalitional_banzhaf_value(g, cs)
    totals_sb = np.array([sb.values[list(gt.coalitions.mask_to_indices(m))].sum()
                          for m in cs.masks])
    np.testing.assert_allclose(totals_sb, bq, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(integer_games(min_n=2, max_n=6), st.data())
def test_owen_symmetry_within_unions(g, data):
    n = g.n
    i, j = data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
    # symmetrise the game in i and j: w(S) = v(S) + v(swap_ij(S))
    masks = np.arange(1 << n)
    bi, bj = (masks >> i) & 1, (masks >> j) & 1
    swapped = (masks & ~((1 << i) | (1 << j))) | (bi << j) | (bj << i)
    sym = gt.TUGame(g.values + g.values[swapped])
    # a random partition with i and j in the same union
    rgs = all_partitions(n)
    rows = rgs[rgs[:, i] == rgs[:, j]]
    cs = CoalitionStructure.from_rgs(rows[data.draw(st.integers(0, rows.shape[0] - 1))],
                                     sym.players)
    for f in (gt.owen_value, gt.banzhaf_owen_value, gt.symmetric_coalitional_banzhaf_value):
        x = f(sym, cs).values
        assert x[i] == pytest.approx(x[j], abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(integer_games(min_n=1, max_n=6))
def test_trivial_structures_give_the_plain_values(g):
    sh = gt.shapley_value(g).values
    bz = gt.banzhaf_value(g).values
    for cs in (CoalitionStructure.singletons(g.players), CoalitionStructure.grand(g.players)):
        np.testing.assert_allclose(gt.owen_value(g, cs).values, sh, atol=1e-9)
        np.testing.assert_allclose(gt.banzhaf_owen_value(g, cs).values, bz, atol=1e-9)
    np.testing.assert_allclose(gt.aumann_dreze_value(g, [g.players]).values, sh, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(games_with_unions(max_n=6))
def test_aumann_dreze_is_shapley_of_each_union(gu):
    # Aumann and Drèze (1974): relative efficiency, each union shares v(P_k), by the Shapley
    # value of its subgame
    g, cs = gu
    ad = gt.aumann_dreze_value(g, cs)
    for m in cs.masks:
        idx = list(gt.coalitions.mask_to_indices(m))
        assert ad.values[idx].sum() == pytest.approx(g.values[m], abs=1e-9)
        np.testing.assert_allclose(ad.values[idx], gt.shapley_value(g.subgame(m)).values,
                                   atol=1e-9)


def test_aumann_dreze_glove_market():
    # Derived by hand from the definitions (no published table was available to check):
    # Aumann-Dreze (1974) with structure {{L, R1}, {R2}}: the pair shares its own worth 1 by
    # the Shapley value of its subgame, equally, and R2 gets v(R2) = 0.
    g = gt.games.glove(["L"], ["R1", "R2"])
    np.testing.assert_allclose(gt.aumann_dreze_value(g, [["L", "R1"], ["R2"]]).values,
                               [0.5, 0.5, 0.0])
    # Owen: the union {L, R1} takes the whole unit in the quotient game against R2 ... split
    # by the union's internal game u(S) = (v(S) + v(S + R2) - v(R2)) / 2: L gets 3/4.
    np.testing.assert_allclose(gt.owen_value(g, [["L", "R1"], ["R2"]]).values,
                               [0.75, 0.25, 0.0])


# ---------------------------------------------------------------------------
# power indices by generating functions
# ---------------------------------------------------------------------------

def exact_coalitional_index(weights, q, blocks, between, within):
    """Exact rational coalitional index by counting (size, weight) with Python integers.

    Independent of the floating-point leave-one-out division: for every player the
    counts of the other members of its union and of the other unions are built afresh.
    """
    def counts(ws):
        table = {(0, 0): 1}
        for w in ws:
            new = dict(table)
            for (s, x), c in table.items():
                new[(s + 1, x + w)] = new.get((s + 1, x + w), 0) + c
            table = new
        return table

    def weight(kind, size, total):
        if kind == "shapley":
            return Fraction(factorial(size) * factorial(total - size - 1), factorial(total))
        return Fraction(1, 2 ** (total - 1))

    m = len(blocks)
    out = [Fraction(0)] * len(weights)
    for k, members in enumerate(blocks):
        others = [sum(weights[x] for x in b) for j, b in enumerate(blocks) if j != k]
        ext = counts(others)
        for i in members:
            rest = [weights[x] for x in members if x != i]
            inn = counts(rest)
            w = weights[i]
            tot = Fraction(0)
            for (h, x), ch in ext.items():
                for (s, y), cs_ in inn.items():
                    if q - w <= x + y <= q - 1:
                        tot += (ch * weight(between, h, m) * cs_
                                * weight(within, s, len(members)))
            out[i] = tot
    return np.array([float(x) for x in out])


@pytest.mark.parametrize("concept, between, within", [
    ("owen", "shapley", "shapley"), ("banzhaf_owen", "banzhaf", "banzhaf"),
    ("symmetric_coalitional_banzhaf", "banzhaf", "shapley")])
def test_dp_matches_exact_integer_counts_beyond_enumeration(concept, between, within):
    rng = np.random.default_rng(7)
    n = 30                                       # 2**30 coalitions: no enumeration possible
    weights = rng.integers(1, 9, n).tolist()
    q = sum(weights) // 2 + 1
    labels = rng.integers(0, 4, n)
    blocks = [np.flatnonzero(labels == b).tolist() for b in range(4)]
    g = gt.WeightedVotingGame(weights, q)
    got = POWER_FUNCS[concept](g, [b for b in blocks if b], method="dp")
    expected = exact_coalitional_index(weights, q, [b for b in blocks if b], between, within)
    np.testing.assert_allclose(got.values, expected, rtol=1e-10, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=1, max_size=9), st.data())
def test_dp_matches_enumeration(weights, data):
    if sum(weights) == 0:
        weights[0] = 1
    q = data.draw(st.integers(1, sum(weights)))
    g = gt.WeightedVotingGame(weights, q)
    rgs = all_partitions(g.n)
    cs = CoalitionStructure.from_rgs(rgs[data.draw(st.integers(0, rgs.shape[0] - 1))],
                                     g.players)
    for f in POWER_FUNCS.values():
        np.testing.assert_allclose(f(g, cs, method="dp").values,
                                   f(g, cs, method="enumeration").values, atol=1e-12)


def test_owen_index_large_group_is_a_distribution_and_reduces_to_shapley_shubik():
    rng = np.random.default_rng(3)
    w = rng.integers(1, 6, 300)
    g = gt.WeightedVotingGame(w, int(w.sum() * 2 // 3))
    cs = CoalitionStructure.from_labels(list(np.arange(300) % 6), g.players)
    o = gt.power.owen(g, cs)
    assert o.values.sum() == pytest.approx(1.0, abs=1e-9)
    assert np.all(o.values >= 0)
    # a priori unions of size one (or one union of all) give the Shapley-Shubik index
    small = gt.WeightedVotingGame(w[:60], int(w[:60].sum() // 2 + 1))
    ss = gt.power.shapley_shubik(small).values
    np.testing.assert_allclose(gt.power.owen(small, [small.players]).values, ss, atol=1e-12)
    np.testing.assert_allclose(
        gt.power.owen(small, CoalitionStructure.singletons(small.players)).values, ss,
        atol=1e-12)
    bz = gt.power.banzhaf(small, normalized=False).values
    np.testing.assert_allclose(
        gt.power.banzhaf_owen(small, CoalitionStructure.singletons(small.players)).values,
        bz, atol=1e-12)


def test_banzhaf_owen_normalized_keeps_absolute():
    g = gt.WeightedVotingGame(*MADRID)
    r = gt.power.banzhaf_owen(g, MADRID_STRUCTURES["R"], normalized=True)
    np.testing.assert_allclose(r.values, [0.75, 0, 0, 0.25])
    np.testing.assert_allclose(r.info["absolute"], [0.75, 0, 0, 0.25])


# ---------------------------------------------------------------------------
# the partition vocabulary and bad input
# ---------------------------------------------------------------------------

def test_all_partitions_counts_and_uniqueness():
    for n in range(1, 9):
        rgs = all_partitions(n)
        assert rgs.shape == (bell_number(n), n)
        # distinct partitions: canonical block masks differ row by row
        blocks = gt.coalitions.partition_block_masks(rgs)
        keys = {tuple(sorted(set(r.tolist()))) for r in blocks}
        assert len(keys) == rgs.shape[0]


@pytest.mark.parametrize("unions, problem", [
    ([["A", "B"], ["B", "C"]], "overlap"),
    ([["A"], ["B"]], "do not cover"),
    ([["A", "B", "C"], []], "empty"),
    ([["A", "B"], ["C", "Z"]], "not a player"),
])
def test_bad_partitions_are_refused(unions, problem):
    g = gt.TUGame(np.arange(8.0) * (np.arange(8) > 0), players=["A", "B", "C"])
    for f in (gt.owen_value, gt.banzhaf_owen_value, gt.aumann_dreze_value):
        with pytest.raises(gt.InvalidArgumentError, match=problem) as err:
            f(g, unions)
        assert err.value.name.startswith("unions")
    w = gt.WeightedVotingGame([3, 2, 1], 4, players=["A", "B", "C"])
    with pytest.raises(gt.InvalidArgumentError, match=problem):
        gt.power.owen(w, unions)


def test_structure_over_other_players_is_refused():
    cs = CoalitionStructure([["x"], ["y"]], ["x", "y"])
    with pytest.raises(gt.InvalidArgumentError, match="different players"):
        gt.owen_value(gt.games.majority(2), cs)
    with pytest.raises(gt.InvalidArgumentError, match="not sampled"):
        gt.power.owen(gt.WeightedVotingGame([1, 1], 2), [[0], [1]], method="sample")
