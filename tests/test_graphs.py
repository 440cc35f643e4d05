"""Graph-restricted games: the Myerson value and the position value.

The restricted game is checked against networkx's connected components coalition by
coalition; the values against hand derivations from the definitions (the published
papers state axioms rather than tables) and by their characterising axioms: component
efficiency and fairness (Myerson 1977), component efficiency and balanced link
contributions (Slikker 2005).
"""

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import integer_games

import gametheory as gt
from gametheory.coalitions import mask_to_indices
from gametheory.tu.graphs import CommunicationGraph


@st.composite
def games_with_graphs(draw, min_n=2, max_n=6, max_links=None):
    g = draw(integer_games(min_n=min_n, max_n=max_n))
    pairs = list(itertools.combinations(range(g.n), 2))
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True,
                           max_size=max_links if max_links is not None else len(pairs)))
    return g, CommunicationGraph(chosen, g.players)


def restricted_by_networkx(v, n, edges):
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_edges_from(edges)
    out = np.zeros(1 << n)
    for m in range(1, 1 << n):
        for comp in nx.connected_components(G.subgraph(mask_to_indices(m))):
            out[m] += v[sum(1 << i for i in comp)]
    return out


@settings(max_examples=60, deadline=None)
@given(games_with_graphs())
def test_restricted_game_matches_networkx_components(gg):
    g, G = gg
    got = gt.graph_restricted_game(g, G).values
    np.testing.assert_allclose(got, restricted_by_networkx(g.values, g.n, G.edge_indices))
    conn = set(G.connected_coalitions().tolist())
    nxg = G.to_networkx()
    for m in range(1, 1 << g.n):
        labels = [g.players[i] for i in mask_to_indices(m)]
        assert (m in conn) == nx.is_connected(nxg.subgraph(labels))


def test_myerson_majority_line_and_star_by_hand():
    # Three-player majority game (v = 1 for two or more players). On the line 0-1-2 the
    # restricted game is 1 exactly on {0,1}, {1,2} and {0,1,2}: v^G = u_01 + u_12 - u_012,
    # whose Shapley value is (1/2, 1/2, 0) + (0, 1/2, 1/2) - (1/3, 1/3, 1/3)
    # = (1/6, 2/3, 1/6): the central player's premium (Myerson 1977, derived by hand).
    g = gt.games.majority(3)
    np.testing.assert_allclose(gt.myerson_value(g, [(0, 1), (1, 2)]).values,
                               [1 / 6, 2 / 3, 1 / 6])
    # complete graph: the Shapley value; empty graph: the singletons' worths
    np.testing.assert_allclose(gt.myerson_value(g, CommunicationGraph.complete(g.players)),
                               gt.shapley_value(g).values)
    np.testing.assert_allclose(gt.myerson_value(g, []).values, [0, 0, 0])


def test_position_value_majority_line_by_hand():
    # Borm, Owen and Tijs (1992): link game on the line's two links a = {0,1}, b = {1,2}:
    # r(a) = r(b) = r(ab) = 1, so phi(r) = (1/2, 1/2) and the position value is
    # (1/4, 1/4 + 1/4, 1/4): the centre gets less than under the Myerson value (2/3).
    g = gt.games.majority(3)
    np.testing.assert_allclose(gt.position_value(g, [(0, 1), (1, 2)]).values,
                               [0.25, 0.5, 0.25])
    # a triangle: three symmetric links
    np.testing.assert_allclose(gt.position_value(g, [(0, 1), (1, 2), (0, 2)]).values,
                               [1 / 3] * 3)


def test_networkx_graph_is_accepted_and_labels_checked():
    g = gt.TUGame.from_function(lambda S: len(S) ** 2, ["a", "b", "c", "d"])
    nxg = nx.Graph([("a", "b"), ("b", "c")])
    nxg.add_node("d")
    a = gt.myerson_value(g, nxg).values
    b = gt.myerson_value(g, [("a", "b"), ("b", "c")]).values
    np.testing.assert_allclose(a, b)
    # the same graph with players in another order
    G = CommunicationGraph(nxg)
    assert set(G.players) == {"a", "b", "c", "d"}
    np.testing.assert_allclose(gt.myerson_value(g, G).values, a)


@pytest.mark.parametrize("edges, problem", [
    ([("a", "b"), ("b", "zz")], "not a player"),
    ([("a", "a")], "itself"),
    ([("a", "b", "c")], "not a pair"),
])
def test_bad_graphs_are_refused(edges, problem):
    g = gt.TUGame.from_function(len, ["a", "b", "c"])
    with pytest.raises(gt.InvalidArgumentError, match=problem):
        gt.myerson_value(g, edges)
    with pytest.raises(gt.InvalidArgumentError, match=problem):
        gt.position_value(g, edges)


def test_networkx_graph_with_unknown_node_is_refused():
    g = gt.TUGame.from_function(len, ["a", "b", "c"])
    with pytest.raises(gt.InvalidArgumentError, match="not players"):
        gt.myerson_value(g, nx.Graph([("a", "b"), ("c", "x")]))


def _component_sums(x, G):
    return [(sum(x[i] for i in mask_to_indices(c)), c) for c in G.component_masks(
        (1 << G.n) - 1)]


@settings(max_examples=60, deadline=None)
@given(games_with_graphs())
def test_myerson_component_efficiency_and_fairness(gg):
    g, G = gg
    mu = gt.myerson_value(g, G).values
    for total, c in _component_sums(mu, G):
        assert total == pytest.approx(g.values[c], abs=1e-9)
    for a, b in G.edge_indices:
        without = gt.myerson_value(g, G.without((g.players[a], g.players[b]))).values
        assert mu[a] - without[a] == pytest.approx(mu[b] - without[b], abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(games_with_graphs(max_n=5, max_links=7))
def test_position_value_component_efficiency_and_balanced_link_contributions(gg):
    g, G = gg
    pi = gt.position_value(g, G).values
    for total, c in _component_sums(pi, G):
        assert total == pytest.approx(g.values[c], abs=1e-9)
    # Slikker (2005): sum over i's links l of [pi_j(G) - pi_j(G - l)] equals the same with
    # i and j exchanged
    n = g.n
    drop = {}
    for e in G.edges:
        drop[e] = gt.position_value(g, G.without(e)).values
    for i, j in itertools.combinations(range(n), 2):
        lhs = sum(pi[j] - drop[e][j] for e in G.edges if g.players[i] in e)
        rhs = sum(pi[i] - drop[e][i] for e in G.edges if g.players[j] in e)
        assert lhs == pytest.approx(rhs, abs=1e-9)


def brute_link_game_position(v, n, edges):
    """Position value from the definition: Shapley value of the link game over link orders."""
    L = len(edges)
    phi = np.zeros(L)

    def worth(sub):
        G = nx.Graph()
        G.add_nodes_from(range(n))
        G.add_edges_from(sub)
        return sum(v[sum(1 << i for i in c)] for c in nx.connected_components(G))

    base = worth([])
    perms = list(itertools.permutations(range(L)))
    for order in perms:
        have = []
        prev = base
        for e in order:
            have.append(edges[e])
            cur = worth(have)
            phi[e] += cur - prev
            prev = cur
    phi /= len(perms)
    x = np.array([v[1 << i] for i in range(n)], dtype=float)
    for (a, b), val in zip(edges, phi, strict=True):
        x[a] += val / 2
        x[b] += val / 2
    return x


@settings(max_examples=25, deadline=None)
@given(games_with_graphs(max_n=5, max_links=5))
def test_position_value_matches_brute_force(gg):
    g, G = gg
    np.testing.assert_allclose(gt.position_value(g, G).values,
                               brute_link_game_position(g.values, g.n, list(G.edge_indices)),
                               atol=1e-9)
