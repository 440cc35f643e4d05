r"""Games restricted by a communication graph: the Myerson value and the position value.

A communication graph :math:`G = (N, L)` says who can talk to whom: a
coalition can only realise the worth of its connected parts. The
*graph-restricted game* (Myerson 1977) is

.. math:: v^G(S) = \sum_{C \in S/G} v(C),

where :math:`S/G` are the connected components of the subgraph induced by
:math:`S`. The **Myerson value** is the Shapley value of :math:`v^G`. The
**position value** (Borm, Owen and Tijs 1992) values the links instead: the
*link game* :math:`r^v(A) = \sum_{C \in N/A} v(C) - \sum_i v(\{i\})` on
subsets :math:`A \subseteq L`, and every player gets half of the Shapley
value of each of its links (plus its stand-alone worth).

Algorithms
----------
Components of every coalition at once: with :math:`\mathrm{nb}(S)` the
neighbours of :math:`S` (a table over all bitmasks, built by doubling), the
component of the lowest member of :math:`S` is the fixed point of
:math:`C \leftarrow (C \cup \mathrm{nb}(C)) \cap S`, iterated on the whole
array of coalitions (at most :math:`n` passes). Peeling that component off
and repeating gives :math:`v^G` for all :math:`2^n` coalitions in
:math:`O(n 2^n)` vectorised work. For the link game, the components of
:math:`(N, A)` for all :math:`2^{|L|}` link sets are built by doubling over
the links, merging the two end components of each new link.

The class :class:`CommunicationGraph` is generic (any set of players, edge
lists or networkx graphs) and is also what the restratification model uses
to say which organisations can cooperate.

References
----------
Myerson, R. B. (1977). Graphs and cooperation in games. *Mathematics of
Operations Research* 2(3), 225-229.
Borm, P., Owen, G. and Tijs, S. (1992). On the position value for
communication situations. *SIAM Journal on Discrete Mathematics* 5(3), 305-320.
Slikker, M. (2005). A characterization of the position value. *International
Journal of Game Theory* 33, 505-514.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from ..coalitions import (
    Coalition,
    grand_mask,
    mask_to_labels,
    require_dense,
    to_mask,
    validate_players,
)
from ..errors import GameTooLargeError, InvalidArgumentError, InvalidTypeError
from ..results import AllocationResult
from .game import TUGame
from .values import _check_game, _shapley_dense

__all__ = ["CommunicationGraph", "graph_restricted_game", "myerson_value", "position_value",
           "MAX_LINKS"]

#: Largest number of links for which the position value enumerates link sets.
MAX_LINKS = 22


def _is_graph_like(obj: Any) -> bool:
    return hasattr(obj, "edges") and hasattr(obj, "nodes") and not isinstance(obj, str)


class CommunicationGraph:
    r"""An undirected communication graph on a game's players.

    Parameters
    ----------
    edges : iterable of pairs, or a networkx graph
        Links as pairs of player labels (or indices); a networkx
        ``Graph`` (anything with ``nodes`` and ``edges``) is read through
        its edges, and its nodes must be players. Repeated links are merged.
    players : sequence of labels, optional
        The players. Defaults to the networkx graph's nodes; required for an
        edge list.

    Raises
    ------
    InvalidArgumentError
        A link names a player that is not in *players*, or joins a player
        to itself.

    Examples
    --------
    >>> from gametheory.tu.graphs import CommunicationGraph
    >>> g = CommunicationGraph([("A", "B"), ("B", "C")], players=["A", "B", "C", "D"])
    >>> g.components(["A", "C", "D"])
    [('A',), ('C',), ('D',)]
    >>> g.is_connected(["A", "B", "C"])
    True
    """

    __slots__ = ("_players", "_edges", "_adj")

    def __init__(self, edges: Any, players: Sequence[Hashable] | None = None) -> None:
        if _is_graph_like(edges):
            nodes = list(edges.nodes)
            if players is None:
                players = nodes
            labels = validate_players(players)
            unknown = [x for x in nodes if x not in labels]
            if unknown:
                raise InvalidArgumentError("graph", edges,
                                           f"nodes {unknown!r} are not players",
                                           f"Use only the players {labels!r} as nodes")
            pairs = [tuple(e[:2]) for e in edges.edges]
        else:
            if players is None:
                raise InvalidArgumentError("players", None,
                                           "an edge list needs the list of players",
                                           "Pass players=[...] (isolated players included)")
            labels = validate_players(players)
            if isinstance(edges, str | bytes) or not isinstance(edges, Iterable):
                raise InvalidTypeError("edges", edges, "not an iterable of pairs",
                                       "Pass e.g. [('A', 'B'), ('B', 'C')] or a networkx graph")
            pairs = []
            for e in edges:
                try:
                    a, b = e
                except (TypeError, ValueError):
                    raise InvalidArgumentError("edges", e, "a link is not a pair of players",
                                               "Give every link as (player, player)") from None
                pairs.append((a, b))
        lookup = {p: i for i, p in enumerate(labels)}
        n = len(labels)
        adj = [0] * n
        links: set[tuple[int, int]] = set()
        for a, b in pairs:
            ia = self._index(a, labels, lookup)
            ib = self._index(b, labels, lookup)
            if ia == ib:
                raise InvalidArgumentError("edges", (a, b), "a link joins a player to itself",
                                           "Drop self-loops: every player talks to itself")
            links.add((min(ia, ib), max(ia, ib)))
            adj[ia] |= 1 << ib
            adj[ib] |= 1 << ia
        object.__setattr__(self, "_players", labels)
        object.__setattr__(self, "_edges", tuple(sorted(links)))
        object.__setattr__(self, "_adj", tuple(adj))

    @staticmethod
    def _index(x: Any, labels: tuple, lookup: dict) -> int:
        try:
            if x in lookup:
                return lookup[x]
        except TypeError:
            pass
        raise InvalidArgumentError("edges", x, f"not a player of {labels!r}",
                                   "Link only the game's players (check the spelling)")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("CommunicationGraph is immutable")

    # -- named constructors ---------------------------------------------------
    @classmethod
    def complete(cls, players: Sequence[Hashable]) -> CommunicationGraph:
        """Everybody talks to everybody (the restricted game is the game itself)."""
        labels = validate_players(players)
        return cls([(a, b) for k, a in enumerate(labels) for b in labels[k + 1:]], labels)

    @classmethod
    def empty(cls, players: Sequence[Hashable]) -> CommunicationGraph:
        """Nobody talks to anybody."""
        return cls([], players)

    @classmethod
    def path(cls, players: Sequence[Hashable]) -> CommunicationGraph:
        """The line ``players[0] - players[1] - ...``."""
        labels = validate_players(players)
        return cls(list(zip(labels[:-1], labels[1:], strict=True)), labels)

    @classmethod
    def star(cls, centre: Hashable, players: Sequence[Hashable]) -> CommunicationGraph:
        """*centre* linked to every other player."""
        labels = validate_players(players)
        if centre not in labels:
            raise InvalidArgumentError("centre", centre, "not a player",
                                       f"Use one of {labels!r}")
        return cls([(centre, p) for p in labels if p != centre], labels)

    # -- accessors -------------------------------------------------------------
    @property
    def players(self) -> tuple[Hashable, ...]:
        """The players (nodes), in game order."""
        return self._players

    @property
    def n(self) -> int:
        """Number of players."""
        return len(self._players)

    @property
    def edges(self) -> tuple[tuple[Hashable, Hashable], ...]:
        """The links as label pairs, in index order."""
        return tuple((self._players[a], self._players[b]) for a, b in self._edges)

    @property
    def edge_indices(self) -> tuple[tuple[int, int], ...]:
        """The links as index pairs ``(i, j)`` with ``i < j``."""
        return self._edges

    @property
    def neighbour_masks(self) -> tuple[int, ...]:
        """Bitmask of every player's neighbours."""
        return self._adj

    def __len__(self) -> int:
        return len(self._edges)

    def __iter__(self) -> Iterator[tuple[Hashable, Hashable]]:
        return iter(self.edges)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CommunicationGraph):
            return NotImplemented
        return self._players == other._players and self._edges == other._edges

    def __hash__(self) -> int:
        return hash((self._players, self._edges))

    def __repr__(self) -> str:
        return f"CommunicationGraph(edges={list(self.edges)!r}, players={self._players!r})"

    def without(self, edge: tuple[Hashable, Hashable]) -> CommunicationGraph:
        """The graph with one link removed."""
        lookup = {p: i for i, p in enumerate(self._players)}
        a = self._index(edge[0], self._players, lookup)
        b = self._index(edge[1], self._players, lookup)
        key = (min(a, b), max(a, b))
        if key not in self._edges:
            raise InvalidArgumentError("edge", edge, "not a link of the graph",
                                       "Remove one of graph.edges")
        return CommunicationGraph([self.edges[k] for k, e in enumerate(self._edges)
                                   if e != key], self._players)

    def for_players(self, players: Sequence[Hashable]) -> CommunicationGraph:
        """The same graph checked against (and ordered by) *players*."""
        labels = validate_players(players)
        if set(labels) != set(self._players):
            raise InvalidArgumentError("graph", self, "its players differ from the game's",
                                       f"Build the graph over {labels!r}")
        return CommunicationGraph(self.edges, labels)

    def to_networkx(self) -> Any:
        """A ``networkx.Graph`` with the players as nodes."""
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(self._players)
        g.add_edges_from(self.edges)
        return g

    def neighbours(self, player: Hashable) -> tuple[Hashable, ...]:
        """The players linked to *player*."""
        i = to_mask([player], self._players, name="player").bit_length() - 1
        return mask_to_labels(self._adj[i], self._players)

    # -- components ------------------------------------------------------------
    def _component_of(self, start: int, within: int) -> int:
        comp = start
        while True:
            grow = comp
            m = comp
            while m:
                low = m & -m
                grow |= self._adj[low.bit_length() - 1]
                m ^= low
            grow &= within
            if grow == comp:
                return comp
            comp = grow

    def component_masks(self, coalition: Coalition) -> list[int]:
        """Bitmasks of the connected components of *coalition*, by lowest member."""
        rest = to_mask(coalition, self._players)
        out = []
        while rest:
            c = self._component_of(rest & -rest, rest)
            out.append(c)
            rest ^= c
        return out

    def components(self, coalition: Coalition | None = None) -> list[tuple[Hashable, ...]]:
        """Connected components of *coalition* (default: all players), as label tuples."""
        mask = grand_mask(self.n) if coalition is None else to_mask(coalition, self._players)
        return [mask_to_labels(c, self._players) for c in self.component_masks(mask)]

    def is_connected(self, coalition: Coalition | None = None) -> bool:
        """Whether *coalition* (default: all players) induces a connected subgraph."""
        mask = grand_mask(self.n) if coalition is None else to_mask(coalition, self._players)
        return mask != 0 and len(self.component_masks(mask)) == 1

    def _neighbour_table(self) -> np.ndarray:
        n = self.n
        nb = np.zeros(1 << n, dtype=np.int64)
        for i, a in enumerate(self._adj):
            nb[1 << i: 2 << i] = nb[: 1 << i] | a
        return nb

    def first_component_table(self) -> np.ndarray:
        """``F[S]``: the component of the lowest member of ``S``, for every bitmask ``S``."""
        n = self.n
        require_dense(n, "the components of every coalition", limit=26)
        nb = self._neighbour_table()
        masks = np.arange(1 << n, dtype=np.int64)
        comp = masks & -masks
        active = np.flatnonzero(comp)
        while active.size:
            c = comp[active]
            grown = (c | nb[c]) & masks[active]
            changed = grown != c
            comp[active] = grown
            active = active[changed]
        return comp

    def connected_coalitions(self) -> np.ndarray:
        """Bitmasks of every non-empty connected coalition, ascending."""
        F = self.first_component_table()
        masks = np.arange(F.size, dtype=np.int64)
        return masks[(F == masks) & (masks != 0)]

    def restrict_values(self, values: np.ndarray) -> np.ndarray:
        """Dense worths of the graph-restricted game :math:`v^G` from dense worths *v*."""
        v = np.asarray(values, dtype=float)
        F = self.first_component_table()
        out = np.zeros_like(v)
        cur = np.arange(v.size, dtype=np.int64)
        live = np.flatnonzero(cur)
        while live.size:
            f = F[cur[live]]
            out[live] += v[f]
            cur[live] ^= f
            live = live[cur[live] != 0]
        return out


def _as_graph(graph: Any, players: tuple[Hashable, ...]) -> CommunicationGraph:
    if isinstance(graph, CommunicationGraph):
        if graph.players != players:
            return graph.for_players(players)
        return graph
    return CommunicationGraph(graph, players)


def graph_restricted_game(game: TUGame, graph: Any) -> TUGame:
    r"""The graph-restricted game :math:`v^G(S) = \sum_{C \in S/G} v(C)` (Myerson 1977).

    Parameters
    ----------
    game : TUGame
    graph : CommunicationGraph, iterable of links or networkx graph
        Links between ``game.players``; a link naming another player is
        refused.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.games.majority(3)
    >>> gt.graph_restricted_game(g, [(0, 1), (1, 2)]).values.tolist()
    [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0]
    """
    game = _check_game(game)
    G = _as_graph(graph, game.players)
    require_dense(game.n, "the graph-restricted game", limit=26)
    return TUGame(G.restrict_values(game.values), game.players, cost=game.is_cost_game)


def myerson_value(game: TUGame, graph: Any) -> AllocationResult:
    r"""The Myerson value: the Shapley value of the graph-restricted game.

    .. math:: \mu(v, G) = \phi(v^G), \qquad v^G(S) = \sum_{C \in S/G} v(C).

    It is the only allocation rule that is *component efficient* (each
    connected component :math:`C` of :math:`G` shares exactly :math:`v(C)`)
    and *fair* (removing a link changes its two ends' payoffs by the same
    amount).

    Parameters
    ----------
    game : TUGame
    graph : CommunicationGraph, iterable of links or networkx graph

    Returns
    -------
    AllocationResult
        ``concept="myerson"``; ``info["components"]`` lists the graph's
        components.

    References
    ----------
    Myerson, R. B. (1977). Graphs and cooperation in games. *Mathematics of
    Operations Research* 2(3), 225-229.

    Examples
    --------
    Three-player majority game on the line 0 - 1 - 2: the middle player is
    needed by every connected winning coalition except the grand one.

    >>> import gametheory as gt
    >>> gt.myerson_value(gt.games.majority(3), [(0, 1), (1, 2)]).values.round(4).tolist()
    [0.1667, 0.6667, 0.1667]
    """
    game = _check_game(game)
    G = _as_graph(graph, game.players)
    require_dense(game.n, "the Myerson value", limit=26)
    phi = _shapley_dense(G.restrict_values(game.values), game.n)
    return AllocationResult(phi, game.players, "myerson", "exact-bitmask", True,
                            {"edges": G.edges}, info={"components": G.components()},
                            game=game)


def _link_game(v: np.ndarray, n: int, links: tuple[tuple[int, int], ...]) -> np.ndarray:
    """``r[A] = sum over components C of (N, A) of v(C) - sum_i v(i)``, for all link sets."""
    L = len(links)
    label = np.zeros((1 << L, n), dtype=np.int8)
    label[0] = np.arange(n)
    for j, (a, b) in enumerate(links):
        lo = label[: 1 << j]
        la, lb = lo[:, a], lo[:, b]
        keep, drop = np.minimum(la, lb), np.maximum(la, lb)
        new = np.where(lo == drop[:, None], keep[:, None], lo)
        label[1 << j: 2 << j] = new
    masks = np.zeros((1 << L, n), dtype=np.int64)
    rows = np.arange(1 << L)
    for i in range(n):
        masks[rows, label[:, i]] |= np.int64(1) << i
    r = v[masks].sum(axis=1)            # empty roots read v[0] = 0
    return r - r[0]


def position_value(game: TUGame, graph: Any) -> AllocationResult:
    r"""The position value (Borm, Owen and Tijs 1992): each player gets half its links' values.

    The link game on the set of links :math:`L` is
    :math:`r^v(A) = \sum_{C \in N/A} v(C) - \sum_{i \in N} v(\{i\})` for
    :math:`A \subseteq L`, and

    .. math:: \pi_i(v, G) = v(\{i\}) + \sum_{l \in L,\ i \in l} \tfrac12\, \phi_l(r^v).

    (For zero-normalised games, as in the original paper, the first term is
    0.) It is component efficient, and satisfies balanced link
    contributions (Slikker 2005).

    Parameters
    ----------
    game : TUGame
    graph : CommunicationGraph, iterable of links or networkx graph
        At most :data:`MAX_LINKS` links (the link game has
        :math:`2^{|L|}` link sets).

    References
    ----------
    Borm, P., Owen, G. and Tijs, S. (1992). On the position value for
    communication situations. *SIAM Journal on Discrete Mathematics* 5(3),
    305-320. Slikker, M. (2005). A characterization of the position value.
    *International Journal of Game Theory* 33, 505-514.

    Examples
    --------
    >>> import gametheory as gt
    >>> gt.position_value(gt.games.majority(3), [(0, 1), (1, 2)]).values.tolist()
    [0.25, 0.5, 0.25]
    """
    game = _check_game(game)
    G = _as_graph(graph, game.players)
    L = len(G)
    if L > MAX_LINKS:
        raise GameTooLargeError("graph", G, f"{L} links: the link game has 2**{L} link sets "
                                f"(limit {MAX_LINKS})", "Use myerson_value, which works "
                                "on the players' 2**n coalitions")
    require_dense(game.n, "the position value", limit=26)
    v = game.values
    single = v[1 << np.arange(game.n)]
    x = single.copy()
    if L:
        phi_links = _shapley_dense(_link_game(v, game.n, G.edge_indices), L)
        for (a, b), val in zip(G.edge_indices, phi_links, strict=True):
            x[a] += val / 2.0
            x[b] += val / 2.0
    return AllocationResult(x, game.players, "position", "exact-bitmask", True,
                            {"edges": G.edges}, info={"components": G.components()},
                            game=game)
