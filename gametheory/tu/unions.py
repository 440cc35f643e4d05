r"""Values of games with a coalition structure (a priori unions).

A game with a coalition structure is a TU game :math:`(N, v)` with a
partition :math:`\mathcal{P} = \{P_1, \dots, P_m\}` of the players
(:class:`~gametheory.coalitions.CoalitionStructure`). Three readings:

* **Owen (1977)**: the unions bargain as units and then share inside.
  Orders of the players are drawn uniformly among those that keep every
  union together; :math:`i`'s payoff is its expected marginal contribution.
  For :math:`i \in P_k`, with :math:`M = \{1..m\}`, :math:`Q_H = \bigcup_{h\in H} P_h`,
  :math:`p_k = |P_k|`:

  .. math::
      O_i(v, \mathcal{P}) = \sum_{H \subseteq M \setminus k}
          \frac{|H|!\,(m-|H|-1)!}{m!}
          \sum_{S \subseteq P_k \setminus i} \frac{|S|!\,(p_k-|S|-1)!}{p_k!}
          \bigl[v(Q_H \cup S \cup i) - v(Q_H \cup S)\bigr].

* **Banzhaf-Owen (Owen 1982)**: the same with the Banzhaf weights
  :math:`1/2^{m-1}` and :math:`1/2^{p_k-1}` at both levels.
* **symmetric coalitional Banzhaf (Alonso-Meijide and Fiestras-Janeiro
  2002)**: Banzhaf weights between unions, Shapley weights within.
* **Aumann-Drèze (1974)**: the unions do not cooperate: each player gets
  its Shapley value in the subgame of its own union.

Algorithm
---------
The double sum is linear in :math:`v`, so for each union :math:`k` the
outer weights fold into one game on :math:`P_k` alone,

.. math:: \bar u_k(S) = \sum_{H \subseteq M \setminus k} \lambda(|H|)
          \bigl[v(Q_H \cup S) - v(Q_H)\bigr], \qquad S \subseteq P_k,

and :math:`O_i` is the Shapley (or Banzhaf) value of :math:`\bar u_k`. Only
the :math:`2^{m-1} \cdot 2^{p_k}` worths :math:`v(Q_H \cup S)` are read, by
one vectorised gather, so a value with unions costs less than the plain
Shapley value of the same game.

References
----------
Owen, G. (1977). Values of games with a priori unions. In *Mathematical
Economics and Game Theory*, LNEMS 141, 76-88. Springer.
Owen, G. (1982). Modification of the Banzhaf-Coleman index for games with a
priori unions. In *Power, Voting and Voting Power*, 232-238. Physica.
Aumann, R. J. and Drèze, J. H. (1974). Cooperative games with coalition
structures. *International Journal of Game Theory* 3(4), 217-237.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ..coalitions import CoalitionStructure, as_structure, mask_to_indices, require_dense
from ..results import AllocationResult
from .game import TUGame
from .values import _check_game, _shapley_dense, shapley_weights

__all__ = ["owen_value", "banzhaf_owen_value", "symmetric_coalitional_banzhaf_value",
           "aumann_dreze_value", "quotient_game"]


def _union_sums(masks: list[int]) -> np.ndarray:
    """Bitmask of every union of a subfamily of *masks*, indexed by the subfamily's bits."""
    out = np.zeros(1 << len(masks), dtype=np.int64)
    for j, m in enumerate(masks):
        out[1 << j: 2 << j] = out[: 1 << j] | m
    return out


def _local_masks(mask: int) -> np.ndarray:
    """Global bitmask of each sub-coalition of *mask*, indexed by local bits (member order)."""
    return _union_sums([1 << i for i in mask_to_indices(mask)])


@lru_cache(maxsize=64)
def _value_matrix(p: int, kind: str) -> np.ndarray:
    r"""``C[T, i]`` with ``value_i(u) = sum_T u(T) C[T, i]`` (Shapley or Banzhaf, p players).

    Shapley: :math:`w(|T|-1)` when :math:`i \in T`, else :math:`-w(|T|)`; Banzhaf:
    :math:`\pm 2^{-(p-1)}`. Built once per size (for unions of at most 12).
    """
    masks = np.arange(1 << p)
    member = ((masks[:, None] >> np.arange(p)) & 1).astype(bool)
    if kind == "banzhaf":
        C = np.where(member, 1.0, -1.0) / 2.0 ** (p - 1)
    else:
        w = np.zeros(p + 1)
        w[:p] = shapley_weights(p)
        size = member.sum(axis=1)
        C = np.where(member, w[np.maximum(size - 1, 0)][:, None], -w[size][:, None])
    C.flags.writeable = False
    return C


def _within(u: np.ndarray, p: int, kind: str) -> np.ndarray:
    if p <= 12:
        return u @ _value_matrix(p, kind)
    if kind == "shapley":
        return _shapley_dense(u, p)
    tot = u.sum()
    return np.array([2.0 * u.reshape(-1, 2, 1 << i)[:, 1, :].sum() - tot
                     for i in range(p)]) / 2.0 ** (p - 1)


def _coalitional(game: TUGame, cs: CoalitionStructure, between: str,
                 within: str) -> np.ndarray:
    """Coalitional value with Shapley or Banzhaf weights between and within unions.

    ``("shapley", "shapley")`` is the Owen value, ``("banzhaf", "banzhaf")`` the
    Banzhaf-Owen value, ``("banzhaf", "shapley")`` the symmetric coalitional
    Banzhaf value.
    """
    v = game.values
    m = cs.m
    if between == "shapley":
        outer = shapley_weights(m)
    else:
        outer = np.full(m, 1.0 / 2.0 ** (m - 1))
    out = np.empty(game.n)
    masks = list(cs.masks)
    for k, mk in enumerate(masks):
        others = masks[:k] + masks[k + 1:]
        q = _union_sums(others)                        # 2**(m-1) unions of other unions
        h = np.bitwise_count(np.arange(q.size, dtype=np.int64))
        lam = outer[h]
        local = _local_masks(mk)                       # 2**p_k sub-coalitions of P_k
        G = v[q[:, None] | local[None, :]]             # (2**(m-1), 2**p_k)
        u = lam @ (G - G[:, :1])
        p = len(mask_to_indices(mk))
        vals = _within(u, p, within)
        out[list(mask_to_indices(mk))] = vals
    return out


def _prepare(game: Any, unions: Any, what: str) -> tuple[TUGame, CoalitionStructure]:
    game = _check_game(game)
    cs = as_structure(unions, game.players, name="unions")
    require_dense(game.n, what)
    return game, cs


def _result(game: TUGame, cs: CoalitionStructure, x: np.ndarray, concept: str,
            method: str) -> AllocationResult:
    totals = {nm: float(x[list(mask_to_indices(mk))].sum())
              for nm, mk in zip(cs.names, cs.masks, strict=True)}
    return AllocationResult(x, game.players, concept, method, True,
                            {"unions": cs.blocks},
                            info={"union_totals": totals, "structure": cs}, game=game)


def owen_value(game: TUGame, unions: Any) -> AllocationResult:
    r"""The Owen value of a game with a priori unions.

    .. math::
        O_i = \sum_{H \subseteq M \setminus k} \frac{h!\,(m-h-1)!}{m!}
              \sum_{S \subseteq P_k \setminus i} \frac{s!\,(p_k-s-1)!}{p_k!}
              \bigl[v(Q_H \cup S \cup i) - v(Q_H \cup S)\bigr]

    for :math:`i` in union :math:`P_k` (see the module notes). It is
    efficient, gives each union its Shapley value in the quotient game
    (:func:`quotient_game`), and treats symmetric players of one union
    alike. With singleton unions, or one union of everybody, it is the
    Shapley value.

    Parameters
    ----------
    game : TUGame
    unions : CoalitionStructure or iterable of coalitions or mapping
        A partition of ``game.players`` (see
        :class:`~gametheory.coalitions.CoalitionStructure`); a partition
        that overlaps or leaves players out is refused.

    Returns
    -------
    AllocationResult
        ``concept="owen"``; ``info["union_totals"]`` holds each union's
        total (its quotient-game Shapley value).

    References
    ----------
    Owen, G. (1977). Values of games with a priori unions. In *Mathematical
    Economics and Game Theory*, LNEMS 141, 76-88.

    Examples
    --------
    Three-player majority game where players 0 and 1 form a union: the union
    is pivotal whenever it enters second or first with the other second, so it
    takes everything in the quotient game and splits it equally.

    >>> import gametheory as gt
    >>> g = gt.games.majority(3)
    >>> gt.owen_value(g, [[0, 1], [2]]).values.tolist()
    [0.5, 0.5, 0.0]
    """
    game, cs = _prepare(game, unions, "the Owen value")
    return _result(game, cs, _coalitional(game, cs, "shapley", "shapley"), "owen", "exact-bitmask")


def banzhaf_owen_value(game: TUGame, unions: Any) -> AllocationResult:
    r"""The Banzhaf-Owen value (Owen's modified Banzhaf value) with a priori unions.

    .. math::
        BO_i = \frac{1}{2^{m-1}} \sum_{H \subseteq M \setminus k}
               \frac{1}{2^{p_k-1}} \sum_{S \subseteq P_k \setminus i}
               \bigl[v(Q_H \cup S \cup i) - v(Q_H \cup S)\bigr]

    It is not efficient. With singleton unions, or one union of everybody,
    it is the Banzhaf value; each union's total equals its Banzhaf value in
    the quotient game (the quotient-game property of Owen 1982).

    Parameters
    ----------
    game : TUGame
    unions : CoalitionStructure or iterable of coalitions or mapping

    References
    ----------
    Owen, G. (1982). Modification of the Banzhaf-Coleman index for games
    with a priori unions. In *Power, Voting and Voting Power*, 232-238.
    Alonso-Meijide, J. M. and Fiestras-Janeiro, M. G. (2002). Modification of
    the Banzhaf value for games with a coalition structure. *Annals of
    Operations Research* 109, 213-227.

    Examples
    --------
    >>> import gametheory as gt
    >>> gt.banzhaf_owen_value(gt.games.majority(3), [[0, 1], [2]]).values.tolist()
    [0.5, 0.5, 0.0]
    """
    game, cs = _prepare(game, unions, "the Banzhaf-Owen value")
    return _result(game, cs, _coalitional(game, cs, "banzhaf", "banzhaf"),
                   "banzhaf_owen",
                   "exact-bitmask")


def symmetric_coalitional_banzhaf_value(game: TUGame, unions: Any) -> AllocationResult:
    r"""The symmetric coalitional Banzhaf value: Banzhaf between unions, Shapley within.

    .. math::
        SCB_i = \frac{1}{2^{m-1}} \sum_{H \subseteq M \setminus k}
                \sum_{S \subseteq P_k \setminus i} \frac{s!\,(p_k-s-1)!}{p_k!}
                \bigl[v(Q_H \cup S \cup i) - v(Q_H \cup S)\bigr]

    Each union's total is its Banzhaf value in the quotient game, shared
    inside the union as a Shapley value would (so it is efficient within
    unions, not overall).

    References
    ----------
    Alonso-Meijide, J. M. and Fiestras-Janeiro, M. G. (2002). Modification of
    the Banzhaf value for games with a coalition structure. *Annals of
    Operations Research* 109, 213-227.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.WeightedVotingGame([48, 37, 27, 17], 65).to_tugame()
    >>> gt.symmetric_coalitional_banzhaf_value(g, [[0], [1, 2, 3]]).values.round(4).tolist()
    [0.0, 0.3333, 0.3333, 0.3333]
    """
    game, cs = _prepare(game, unions, "the symmetric coalitional Banzhaf value")
    return _result(game, cs, _coalitional(game, cs, "banzhaf", "shapley"),
                   "symmetric_coalitional_banzhaf", "exact-bitmask")


def aumann_dreze_value(game: TUGame, unions: Any) -> AllocationResult:
    r"""The Aumann-Drèze value: the Shapley value of each union's own subgame.

    .. math:: AD_i(v, \mathcal{P}) = \phi_i(v|_{P_k}), \qquad i \in P_k ,

    so every union shares exactly its own worth :math:`v(P_k)`
    (relative efficiency) and no payment crosses unions.

    Parameters
    ----------
    game : TUGame
    unions : CoalitionStructure or iterable of coalitions or mapping

    References
    ----------
    Aumann, R. J. and Drèze, J. H. (1974). Cooperative games with coalition
    structures. *International Journal of Game Theory* 3(4), 217-237.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.TUGame([0, 1, 2, 6, 0, 1, 2, 9])
    >>> gt.aumann_dreze_value(g, [[0, 1], [2]]).values.tolist()
    [2.5, 3.5, 0.0]
    """
    game, cs = _prepare(game, unions, "the Aumann-Drèze value")
    out = np.empty(game.n)
    for mk in cs.masks:
        idx = list(mask_to_indices(mk))
        out[idx] = _within(game.values[_local_masks(mk)], len(idx), "shapley")
    return _result(game, cs, out, "aumann_dreze", "exact-bitmask")


def quotient_game(game: TUGame, unions: Any) -> TUGame:
    r"""The quotient game among the unions: :math:`v^{\mathcal{P}}(H) = v(\bigcup_{k \in H} P_k)`.

    Its players are the unions' names (``unions.names``; positions unless
    named).

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.games.majority(3)
    >>> gt.quotient_game(g, {"pair": [0, 1], "single": [2]}).values.tolist()
    [0.0, 1.0, 0.0, 1.0]
    """
    game = _check_game(game)
    cs = as_structure(unions, game.players, name="unions")
    require_dense(cs.m, "the quotient game")
    masks = _union_sums(list(cs.masks))
    if not game.has_dense and cs.m < game.n:
        vals = np.array([game._worth_of_mask(int(m)) for m in masks])
    else:
        vals = game.values[masks]
    return TUGame(vals, cs.names, cost=game.is_cost_game)

