r"""Power indices of simple and weighted voting games.

Every function takes a :class:`~gametheory.voting.SimpleGame` (including
:class:`~gametheory.voting.WeightedVotingGame` and
:class:`~gametheory.voting.MultiWeightedVotingGame`) and returns an
:class:`~gametheory.results.AllocationResult`: one number per player in
``game.players`` order, with the concept, the method and diagnostics.

Notation: :math:`N` the players, :math:`n = |N|`; :math:`\mathcal{W}` the
winning coalitions, :math:`\mathcal{M}` the minimal winning ones; player
:math:`i` is *critical* (a swing) in a winning :math:`S \ni i` when
:math:`S \setminus \{i\}` loses; :math:`\eta_i` is the number of such
:math:`S`.

Methods
-------
``"dp"``
    Weighted games only: dynamic programming on generating functions (counts
    of coalitions by weight, and by size and weight for Shapley-Shubik), one
    pass for all players: each player's factor is divided out of the full
    product, once per distinct weight. Counts are stored rescaled to
    probabilities, so nothing overflows for thousands of players; see
    :mod:`gametheory.voting._genfun` for the numerical analysis.
``"enumeration"``
    Any simple game with ``n <= 25``: all :math:`2^n` bitmasks, vectorised.
``"sample"``
    Shapley-Shubik and Banzhaf only, any simple game and any ``n``: Monte
    Carlo estimates with standard errors (``exact=False``), reproducible with
    ``seed``.
``"auto"`` (default)
    ``"dp"`` for weighted games whose exact integer total is at most
    :data:`~gametheory.voting.MAX_DP_TOTAL`, otherwise ``"enumeration"``.

The indices based on minimal winning coalitions (Deegan-Packel, Holler)
enumerate them; for weighted games they are enumerated up to permutations
of equal weights. Both refuse, naming the limit, when there are more than
``max_coalitions``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .coalitions import mask_to_indices
from .errors import GameTooLargeError, InvalidArgumentError, InvalidTypeError, SolverError
from .results import AllocationResult
from .voting._genfun import banzhaf_dp, shapley_shubik_dp
from .voting.simple import ENUMERATION_LIMIT, SimpleGame
from .voting.weighted import WeightedVotingGame, mwc_types

__all__ = [
    "shapley_shubik",
    "banzhaf",
    "coleman_prevent",
    "coleman_initiate",
    "deegan_packel",
    "public_good_index",
    "holler",
    "johnston",
    "owen",
    "banzhaf_owen",
    "symmetric_coalitional_banzhaf",
    "MAX_SHAPLEY_SHUBIK_CELLS",
]

#: Largest table (sizes x weights) the Shapley-Shubik dynamic program builds:
#: ``((n - 1) // 2 + 1) * (max(q - 1, W - q) + 1)`` doubles (8 bytes each).
MAX_SHAPLEY_SHUBIK_CELLS = 60_000_000

_METHODS = ("auto", "dp", "enumeration", "sample")


def _check_game(game: Any) -> SimpleGame:
    if not isinstance(game, SimpleGame):
        raise InvalidTypeError("game", game, "not a simple game",
                               "Pass a WeightedVotingGame, MultiWeightedVotingGame or SimpleGame")
    return game


def _choose(game: SimpleGame, method: str) -> str:
    if method not in _METHODS:
        raise InvalidArgumentError("method", method, f"unknown method; expected one of {_METHODS}",
                                   "Use method='auto'")
    weighted = isinstance(game, WeightedVotingGame)
    if method == "dp":
        if not weighted:
            raise InvalidArgumentError("method", method,
                                       f"dynamic programming needs a WeightedVotingGame, "
                                       f"not a {type(game).__name__}",
                                       "Use method='enumeration' (n <= 25)")
        game._dp_arrays()  # raises when the weights cannot be made integer
        return "dp"
    if method == "auto":
        if weighted and (game._dp_feasible() or game.n > ENUMERATION_LIMIT):
            game._dp_arrays()
            return "dp"
        return "enumeration"
    return method


def _result(game: SimpleGame, values: np.ndarray, concept: str, method: str,
            params: dict[str, Any] | None = None,
            info: dict[str, Any] | None = None,
            stderr: np.ndarray | None = None) -> AllocationResult:
    return AllocationResult(values=np.asarray(values, dtype=float), players=game.players,
                            concept=concept, method=method, exact=stderr is None,
                            params=params or {}, info=info or {}, game=game, stderr=stderr)


def _method_name(kind: str) -> str:
    return {"dp": "generating-function-dp", "sample": "sample"}.get(kind, "enumeration")


def _check_samples(samples: Any, method: str) -> int:
    if method != "sample":
        return 0
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer) or samples < 1:
        raise InvalidArgumentError("samples", samples, "not a positive integer",
                                   "Pass e.g. samples=10_000")
    return int(samples)


def _sample_shapley_shubik(game: SimpleGame, samples: int,
                           rng: np.random.Generator) -> np.ndarray:
    """Pivot counts over random orders; the pivot is found by bisection on prefixes."""
    n = game.n
    counts = np.zeros(n, dtype=float)
    batch = max(1, min(samples, 1_000_000 // max(n, 1)))
    done = 0
    while done < samples:
        B = min(batch, samples - done)
        perm = rng.permuted(np.tile(np.arange(n), (B, 1)), axis=1)
        rank = np.empty_like(perm)
        rank[np.arange(B)[:, None], perm] = np.arange(n)
        lo = np.zeros(B, dtype=np.int64)  # prefix of length lo loses (the empty one does)
        hi = np.full(B, n, dtype=np.int64)  # prefix of length hi wins (the grand one does)
        while np.any(hi - lo > 1):
            active = hi - lo > 1
            mid = (lo + hi) // 2
            wins = game._wins_rows(rank < mid[:, None])
            hi = np.where(active & wins, mid, hi)
            lo = np.where(active & ~wins, mid, lo)
        counts += np.bincount(perm[np.arange(B), hi - 1], minlength=n)
        done += B
    return counts


def _sample_swings(game: SimpleGame, samples: int, rng: np.random.Generator) -> np.ndarray:
    """Swing counts of every player over uniformly random coalitions of the others."""
    n = game.n
    counts = np.zeros(n, dtype=float)
    batch = max(1, min(samples, 1_000_000 // max(n, 1)))
    done = 0
    while done < samples:
        B = min(batch, samples - done)
        members = rng.random((B, n)) < 0.5
        for i in range(n):
            own = members[:, i].copy()
            members[:, i] = True
            win_with = game._wins_rows(members)
            members[:, i] = False
            counts[i] += np.count_nonzero(win_with & ~game._wins_rows(members))
            members[:, i] = own
        done += B
    return counts


# ---------------------------------------------------------------------------
# swing-based indices
# ---------------------------------------------------------------------------

def shapley_shubik(game: SimpleGame, *, method: str = "auto", samples: int = 10_000,
                   seed: Any = None) -> AllocationResult:
    r"""Shapley-Shubik power index.

    The probability that player :math:`i` is pivotal when the players join
    in a uniformly random order:

    .. math:: \phi_i = \sum_{S \subseteq N \setminus \{i\},\; S \notin \mathcal{W},\;
              S \cup \{i\} \in \mathcal{W}} \frac{|S|!\,(n - |S| - 1)!}{n!} ,

    the Shapley value of the 0-1 game. The values sum to 1.

    Parameters
    ----------
    game : SimpleGame
        A simple, weighted or multi-weighted voting game.
    method : {"auto", "dp", "enumeration", "sample"}
        See the module notes. The dynamic program counts coalitions by size
        and weight and needs about ``n/2 * W/2`` doubles (refused beyond
        :data:`MAX_SHAPLEY_SHUBIK_CELLS`). ``"sample"`` estimates the index
        from *samples* random orders (any game, any ``n``; the pivot of each
        order is found by bisection), with standard errors.
    samples : int
        Number of random orders for ``method="sample"``.
    seed : int or numpy Generator, optional
        Randomness for ``method="sample"``.

    Returns
    -------
    AllocationResult
        ``concept="shapley_shubik"``; ``exact=False`` and ``stderr`` set when
        sampled.

    References
    ----------
    L. S. Shapley and M. Shubik (1954), "A method for evaluating the
    distribution of power in a committee system", *American Political
    Science Review* 48(3), 787-792.

    Examples
    --------
    The UN Security Council (5 permanent members with a veto, 10 others; 9
    votes needed), as weights 7 and 1 with quota 39:

    >>> import gametheory as gt
    >>> unsc = gt.WeightedVotingGame([7] * 5 + [1] * 10, 39)
    >>> ss = gt.power.shapley_shubik(unsc)
    >>> ss.values[[0, 5]].round(5).tolist()
    [0.19627, 0.00186]
    """
    game = _check_game(game)
    kind = _choose(game, method)
    n = game.n
    if kind == "sample":
        samples = _check_samples(samples, kind)
        counts = _sample_shapley_shubik(game, samples, np.random.default_rng(seed))
        p = counts / samples
        return _result(game, p, "shapley_shubik", "sample", {"samples": samples, "seed": seed},
                       {}, stderr=np.sqrt(p * (1 - p) / samples))
    if kind == "dp":
        w, q = game._dp_arrays()
        W = int(w.sum())
        cells = ((n - 1) // 2 + 1) * (max(q - 1, W - q) + 1)
        if cells > MAX_SHAPLEY_SHUBIK_CELLS:
            raise GameTooLargeError(
                "game", game,
                f"the Shapley-Shubik dynamic program needs {cells} cells (limit "
                f"{MAX_SHAPLEY_SHUBIK_CELLS}: sizes up to n/2 times weights up to W/2)",
                "Rescale and round the weights to shrink the total, or use "
                "banzhaf(), whose dynamic program needs only W/2 cells")
        values = shapley_shubik_dp(w, q)
    else:
        by_size = game._swing_data()["by_size"].astype(float)
        # gamma[s] = s! (n-1-s)! / n! = 1 / (n * binom(n-1, s))
        gamma = np.array([math.exp(math.lgamma(k + 1.0) + math.lgamma(n - k + 0.0)
                                   - math.lgamma(n + 1.0)) for k in range(n)])
        values = by_size @ gamma
    return _result(game, values, "shapley_shubik", _method_name(kind))


def _swing_probabilities(game: SimpleGame, kind: str) -> tuple[np.ndarray, float, float,
                                                                dict[str, Any]]:
    """Absolute Banzhaf ``eta_i / 2**(n-1)``, Pr(win), Pr(lose) for a uniform coalition."""
    n = game.n
    if kind == "sample":
        raise InvalidArgumentError("method", kind, "the Coleman indices are not sampled",
                                   "Use method='auto', 'dp' or 'enumeration'")
    if kind == "dp":
        w, q = game._dp_arrays()
        beta, p_win, p_lose = banzhaf_dp(w, q)
        tiny = np.finfo(float).tiny
        if beta.sum() < tiny or min(p_win, p_lose) < tiny:
            raise SolverError(
                "Banzhaf dynamic program", "underflow",
                f"swing or winning probabilities below {tiny:.1e} (about 2**-1022) for "
                f"{n} players: the game is too extreme for double precision",
                "Use method='enumeration' for n <= 25, or method='sample' for estimates")
        return beta, p_win, p_lose, {}
    data = game._swing_data()
    swings = data["swings"]
    n_win = int(data["n_winning"])
    beta = swings / float(1 << (n - 1))
    total = float(1 << n)
    return beta, n_win / total, (total - n_win) / total, {
        "swings": tuple(int(x) for x in swings), "n_winning": n_win}


def banzhaf(game: SimpleGame, normalized: bool = True, *, method: str = "auto",
            samples: int = 10_000, seed: Any = None) -> AllocationResult:
    r"""Banzhaf power index, normalised or absolute.

    The absolute (Penrose-Banzhaf) index is the probability that :math:`i`
    is critical when every other player votes yes or no with probability
    1/2; the normalised index divides the swing counts by their total:

    .. math:: \beta'_i = \frac{\eta_i}{2^{n-1}}, \qquad
              \beta_i = \frac{\eta_i}{\sum_{j \in N} \eta_j} .

    Parameters
    ----------
    game : SimpleGame
        A simple, weighted or multi-weighted voting game.
    normalized : bool
        ``True`` (default) for :math:`\beta` (sums to 1), ``False`` for
        :math:`\beta'`.
    method : {"auto", "dp", "enumeration", "sample"}
        See the module notes. ``"sample"`` estimates the swing probabilities
        from *samples* random coalitions (any game, any ``n``), with standard
        errors (for the normalised index, the absolute standard errors
        divided by the estimated total: a first-order approximation).
    samples : int
        Number of random coalitions for ``method="sample"``.
    seed : int or numpy Generator, optional
        Randomness for ``method="sample"``.

    Returns
    -------
    AllocationResult
        ``concept="banzhaf"`` (normalised) or ``"banzhaf_absolute"``; the
        other variant is in ``info["absolute"]`` / ``info["normalized"]``.

    References
    ----------
    J. F. Banzhaf III (1965), "Weighted voting doesn't work: a mathematical
    analysis", *Rutgers Law Review* 19, 317-343; L. S. Penrose (1946), "The
    elementary statistics of majority voting", *J. Royal Statistical
    Society* 109, 53-57; D. S. Felsenthal and M. Machover (1998), *The
    Measurement of Voting Power*, Edward Elgar, ch. 3.

    Examples
    --------
    >>> import gametheory as gt
    >>> eec = gt.WeightedVotingGame([4, 4, 4, 2, 2, 1], 12)
    >>> gt.power.banzhaf(eec).values.round(4).tolist()
    [0.2381, 0.2381, 0.2381, 0.1429, 0.1429, 0.0]
    """
    game = _check_game(game)
    kind = _choose(game, method)
    if kind == "sample":
        samples = _check_samples(samples, kind)
        beta = _sample_swings(game, samples, np.random.default_rng(seed)) / samples
        se = np.sqrt(beta * (1 - beta) / samples)
        total = beta.sum()
        if total == 0:
            raise InvalidArgumentError("samples", samples, "no swing was sampled",
                                       "Increase samples")
        params = {"normalized": normalized, "samples": samples, "seed": seed}
        if normalized:
            return _result(game, beta / total, "banzhaf", "sample", params,
                           {"absolute": beta}, stderr=se / total)
        return _result(game, beta, "banzhaf_absolute", "sample", params, {}, stderr=se)
    beta, p_win, _, extra = _swing_probabilities(game, kind)
    norm = beta / beta.sum()
    info = {"absolute": beta.copy(), "normalized": norm.copy(), "p_win": p_win, **extra}
    if normalized:
        return _result(game, norm, "banzhaf", _method_name(kind), {"normalized": True}, info)
    return _result(game, beta, "banzhaf_absolute", _method_name(kind), {"normalized": False},
                   info)


def coleman_prevent(game: SimpleGame, *, method: str = "auto") -> AllocationResult:
    r"""Coleman's power of a member to prevent action.

    The share of winning coalitions in which :math:`i` is critical, i.e. the
    probability that :math:`i` can stop a winning coalition it belongs to:

    .. math:: C^{P}_i = \frac{\eta_i}{|\mathcal{W}|} .

    Veto players get 1. Not normalised (the values need not sum to 1).

    Parameters
    ----------
    game : SimpleGame
    method : {"auto", "dp", "enumeration"}

    References
    ----------
    J. S. Coleman (1971), "Control of collectivities and the power of a
    collectivity to act", in B. Lieberman (ed.), *Social Choice*, Gordon and
    Breach, 269-300.

    Examples
    --------
    >>> import gametheory as gt
    >>> unsc = gt.WeightedVotingGame([7] * 5 + [1] * 10, 39)
    >>> gt.power.coleman_prevent(unsc).values[[0, 5]].round(4).tolist()
    [1.0, 0.0991]
    """
    game = _check_game(game)
    kind = _choose(game, method)
    beta, p_win, _, extra = _swing_probabilities(game, kind)
    values = np.minimum((beta / 2.0) / p_win, 1.0)
    return _result(game, values, "coleman_prevent", _method_name(kind), {},
                   {"p_win": p_win, **extra})


def coleman_initiate(game: SimpleGame, *, method: str = "auto") -> AllocationResult:
    r"""Coleman's power of a member to initiate action.

    The share of losing coalitions that :math:`i` turns into winning ones by
    joining:

    .. math:: C^{I}_i = \frac{\eta_i}{2^n - |\mathcal{W}|} .

    Not normalised.

    Parameters
    ----------
    game : SimpleGame
    method : {"auto", "dp", "enumeration"}

    References
    ----------
    J. S. Coleman (1971), "Control of collectivities and the power of a
    collectivity to act", in B. Lieberman (ed.), *Social Choice*, Gordon and
    Breach, 269-300.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.WeightedVotingGame([1, 1, 1], 2)   # majority of three
    >>> gt.power.coleman_initiate(g).values.tolist()
    [0.5, 0.5, 0.5]
    """
    game = _check_game(game)
    kind = _choose(game, method)
    beta, _, p_lose, extra = _swing_probabilities(game, kind)
    values = np.minimum((beta / 2.0) / p_lose, 1.0)
    return _result(game, values, "coleman_initiate", _method_name(kind), {},
                   {"p_lose": p_lose, **extra})


# ---------------------------------------------------------------------------
# indices on minimal winning coalitions
# ---------------------------------------------------------------------------

def _mwc_shares(game: SimpleGame, max_coalitions: int) -> tuple[np.ndarray, np.ndarray,
                                                                  float, str, dict[str, Any]]:
    """Per player: (number of MWCs containing i, sum over them of 1/|S|), scaled by a
    common factor; the number of MWCs on the same scale; method; info."""
    n = game.n
    if isinstance(game, WeightedVotingGame):
        classes, cls = game._classes()
        types = mwc_types(classes, game._int_quota, int(max_coalitions))
        m = len(classes)
        lc = [[math.lgamma(c + 1) - math.lgamma(k + 1) - math.lgamma(c - k + 1)
               for k in range(c + 1)] for _, c in classes]
        logs = np.array([sum(lc[h][k] for h, k in t) for t in types])
        top = float(logs.max())
        a = np.exp(logs - top)
        member = np.zeros(m)
        per_size = np.zeros(m)
        for at, t in zip(a, types, strict=True):
            size = sum(k for _, k in t)
            for h, k in t:
                share = at * k / classes[h][1]
                member[h] += share
                per_size[h] += share / size
        cnt = np.array([member[h] if h >= 0 else 0.0 for h in cls])
        dp = np.array([per_size[h] if h >= 0 else 0.0 for h in cls])
        total = float(a.sum())
        info = {"n_types": len(types), "log_n_minimal_winning": top + math.log(total)}
        return cnt, dp, total, "mwc-types", info
    masks = game._minimal_winning_masks(max_coalitions)
    if len(masks) > max_coalitions:
        raise GameTooLargeError("max_coalitions", max_coalitions,
                                f"the game has {len(masks)} minimal winning coalitions",
                                "Raise max_coalitions=")
    cnt = np.zeros(n)
    dp = np.zeros(n)
    for mk in masks:
        idx = list(mask_to_indices(mk))
        cnt[idx] += 1.0
        dp[idx] += 1.0 / len(idx)
    return cnt, dp, float(len(masks)), "mwc-list", {"n_minimal_winning": len(masks)}


def deegan_packel(game: SimpleGame, *, max_coalitions: int = 100_000) -> AllocationResult:
    r"""Deegan-Packel index.

    Each minimal winning coalition is equally likely to form and splits the
    power equally among its members:

    .. math:: DP_i = \frac{1}{|\mathcal{M}|} \sum_{S \in \mathcal{M},\, i \in S}
              \frac{1}{|S|} .

    The values sum to 1.

    Parameters
    ----------
    game : SimpleGame
    max_coalitions : int
        Refuse (:class:`~gametheory.errors.GameTooLargeError`) when there are
        more minimal winning coalitions than this (for weighted games: more
        types of them up to permutations of equal weights).

    References
    ----------
    J. Deegan and E. W. Packel (1978), "A new index of power for simple
    n-person games", *International Journal of Game Theory* 7(2), 113-123.

    Examples
    --------
    Holler's (1982) game [51; 35, 20, 15, 15, 15]:

    >>> import gametheory as gt
    >>> g = gt.WeightedVotingGame([35, 20, 15, 15, 15], 51)
    >>> gt.power.deegan_packel(g).values.round(4).tolist()
    [0.3, 0.15, 0.1833, 0.1833, 0.1833]
    """
    game = _check_game(game)
    _, dp, total, method, info = _mwc_shares(game, max_coalitions)
    return _result(game, dp / total, "deegan_packel", method,
                   {"max_coalitions": max_coalitions}, info)


def public_good_index(game: SimpleGame, *, max_coalitions: int = 100_000) -> AllocationResult:
    r"""Holler's public good index.

    Power is the number of minimal winning coalitions a player belongs to,
    normalised to sum to 1:

    .. math:: h_i = \frac{|\{S \in \mathcal{M} : i \in S\}|}
              {\sum_{j \in N} |\{S \in \mathcal{M} : j \in S\}|} .

    Parameters
    ----------
    game : SimpleGame
    max_coalitions : int
        As in :func:`deegan_packel`.

    References
    ----------
    M. J. Holler (1982), "Forming coalitions and measuring voting power",
    *Political Studies* 30(2), 262-271; M. J. Holler and E. W. Packel
    (1983), "Power, luck and the right index", *Journal of Economics* 43,
    21-29.

    Examples
    --------
    Holler's example, where the player of weight 20 gets less than those of
    weight 15:

    >>> import gametheory as gt
    >>> g = gt.WeightedVotingGame([35, 20, 15, 15, 15], 51)
    >>> (gt.power.public_good_index(g).values * 15).round(6).tolist()
    [4.0, 2.0, 3.0, 3.0, 3.0]
    """
    game = _check_game(game)
    cnt, _, _, method, info = _mwc_shares(game, max_coalitions)
    return _result(game, cnt / cnt.sum(), "public_good_index", method,
                   {"max_coalitions": max_coalitions}, info)


holler = public_good_index


def johnston(game: SimpleGame, normalized: bool = True) -> AllocationResult:
    r"""Johnston power index.

    In every *vulnerable* winning coalition (one with at least one critical
    member) each of its :math:`\kappa(S)` critical members gets
    :math:`1/\kappa(S)`:

    .. math:: J_i = \frac{1}{|\mathcal{V}|} \sum_{S \in \mathcal{V},\;
              i \text{ critical in } S} \frac{1}{\kappa(S)} ,

    where :math:`\mathcal{V}` are the vulnerable coalitions; the normalised
    values sum to 1 (``normalized=False`` omits the division by
    :math:`|\mathcal{V}|`).

    Computed by enumerating the :math:`2^n` coalitions, for ``n <= 25``
    (:class:`~gametheory.errors.GameTooLargeError` beyond).

    References
    ----------
    R. J. Johnston (1978), "On the measurement of power: some reactions to
    Laver", *Environment and Planning A* 10(8), 907-914.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.WeightedVotingGame([2, 1, 1], 3)
    >>> gt.power.johnston(g).values.round(4).tolist()
    [0.6667, 0.1667, 0.1667]
    """
    game = _check_game(game)
    raw, n_vulnerable = game._johnston_raw()
    values = raw / n_vulnerable if normalized else raw
    return _result(game, values, "johnston", "enumeration", {"normalized": normalized},
                   {"n_vulnerable": n_vulnerable})


# ---------------------------------------------------------------------------
# coalitional indices: a priori unions
# ---------------------------------------------------------------------------

_COALITIONAL = {
    # concept: (between, within, TU-game function name)
    "owen": ("shapley", "shapley", "owen_value"),
    "banzhaf_owen": ("banzhaf", "banzhaf", "banzhaf_owen_value"),
    "symmetric_coalitional_banzhaf": ("banzhaf", "shapley",
                                      "symmetric_coalitional_banzhaf_value"),
}


def _coalitional_index(game: SimpleGame, unions: Any, concept: str, method: str,
                       normalized: bool = False) -> AllocationResult:
    from .coalitions import as_structure

    game = _check_game(game)
    cs = as_structure(unions, game.players, name="unions")
    if method == "sample":
        raise InvalidArgumentError("method", method,
                                   "coalitional indices are computed exactly, not sampled",
                                   "Use method='auto', 'dp' or 'enumeration'")
    kind = _choose(game, method)
    between, within, tu_name = _COALITIONAL[concept]
    if kind == "dp":
        from .voting._unions_dp import coalitional_dp

        w, q = game._dp_arrays()
        blocks = [np.array(mask_to_indices(mk), dtype=np.int64) for mk in cs.masks]
        values = coalitional_dp(w, q, blocks, between, within)
    else:
        from .tu import unions as tu_unions

        values = getattr(tu_unions, tu_name)(game.to_tugame(), cs).values
    totals = {nm: float(values[list(mask_to_indices(mk))].sum())
              for nm, mk in zip(cs.names, cs.masks, strict=True)}
    info: dict[str, Any] = {"union_totals": totals, "structure": cs}
    if normalized:
        s = values.sum()
        if s <= 0:
            raise InvalidArgumentError("normalized", normalized,
                                       "every player's index is 0, nothing to normalise",
                                       "Use normalized=False")
        info["absolute"] = values.copy()
        values = values / s
    return _result(game, values, concept, _method_name(kind),
                   {"unions": cs.blocks, "normalized": normalized}, info)


def owen(game: SimpleGame, unions: Any, *, method: str = "auto") -> AllocationResult:
    r"""Owen power index: the Shapley-Shubik index with a priori unions.

    The Owen value (Owen 1977) of the simple game: orders of the players
    are drawn uniformly among those that keep every union together, and a
    player's power is the probability that it is pivotal. For :math:`i` in
    union :math:`P_k` of :math:`m` unions,

    .. math::
        O_i = \sum_{H \subseteq M \setminus k} \frac{h!(m-h-1)!}{m!}
              \sum_{S \subseteq P_k \setminus i} \frac{s!(p_k-s-1)!}{p_k!}
              \bigl[v(Q_H \cup S \cup i) - v(Q_H \cup S)\bigr].

    The values sum to 1 and each union's total is its Shapley-Shubik index
    in the quotient game among the unions.

    Parameters
    ----------
    game : SimpleGame
        A simple, weighted or multi-weighted voting game.
    unions : CoalitionStructure, iterable of coalitions or mapping
        A partition of ``game.players``; overlapping or incomplete
        partitions are refused.
    method : {"auto", "dp", "enumeration"}
        ``"dp"`` (weighted games): two-level generating functions, over the
        unions and then within a union (see
        :mod:`gametheory.voting._unions_dp`), exact for any number of
        players whose integer weights total at most
        :data:`~gametheory.voting.MAX_DP_TOTAL`. ``"enumeration"``: the
        Owen value of the 0-1 game over all :math:`2^n` coalitions
        (``n <= 25``).

    Returns
    -------
    AllocationResult
        ``concept="owen"``; ``info["union_totals"]`` maps each union's name
        to its total power.

    References
    ----------
    Owen, G. (1977). Values of games with a priori unions. In *Mathematical
    Economics and Game Theory*, LNEMS 141, 76-88. Alonso-Meijide, J. M. and
    Bowles, C. (2005). Generating functions for coalitional power indices:
    an application to the IMF. *Annals of Operations Research* 137, 21-44.

    Examples
    --------
    The Madrid Assembly 2015-2019, [65; 48, 37, 27, 17] (PP, PSOE, Podemos,
    C's), with the right-wing alliance PP + C's (Giménez and Puente 2019):

    >>> import gametheory as gt
    >>> g = gt.WeightedVotingGame([48, 37, 27, 17], 65, ["PP", "PSOE", "Podemos", "Cs"])
    >>> gt.power.owen(g, [["PP", "Cs"], ["PSOE"], ["Podemos"]]).values.round(4).tolist()
    [0.6667, 0.0, 0.0, 0.3333]
    """
    return _coalitional_index(game, unions, "owen", method)


def banzhaf_owen(game: SimpleGame, unions: Any, *, normalized: bool = False,
                 method: str = "auto") -> AllocationResult:
    r"""Banzhaf-Owen power index (Owen's modified Banzhaf index) with a priori unions.

    .. math::
        BO_i = \frac{1}{2^{m-1}} \sum_{H \subseteq M \setminus k}
               \frac{1}{2^{p_k-1}} \sum_{S \subseteq P_k \setminus i}
               \bigl[v(Q_H \cup S \cup i) - v(Q_H \cup S)\bigr]

    With singleton unions (or one union of everybody) it is the absolute
    Banzhaf index.

    Parameters
    ----------
    game : SimpleGame
    unions : CoalitionStructure, iterable of coalitions or mapping
    normalized : bool, default False
        Divide by the total (the absolute values are kept in
        ``info["absolute"]``). The coalitional value itself, as published,
        is the absolute one.
    method : {"auto", "dp", "enumeration"}
        As in :func:`owen`.

    References
    ----------
    Owen, G. (1982). Modification of the Banzhaf-Coleman index for games
    with a priori unions. In *Power, Voting and Voting Power*, 232-238.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.WeightedVotingGame([48, 37, 27, 17], 65)
    >>> gt.power.banzhaf_owen(g, [[0], [1, 2, 3]]).values.tolist()
    [0.0, 0.25, 0.25, 0.25]
    """
    return _coalitional_index(game, unions, "banzhaf_owen", method, normalized)


def symmetric_coalitional_banzhaf(game: SimpleGame, unions: Any, *, normalized: bool = False,
                                  method: str = "auto") -> AllocationResult:
    r"""Symmetric coalitional Banzhaf index: Banzhaf between unions, Shapley within.

    .. math::
        SCB_i = \frac{1}{2^{m-1}} \sum_{H \subseteq M \setminus k}
                \sum_{S \subseteq P_k \setminus i} \frac{s!(p_k-s-1)!}{p_k!}
                \bigl[v(Q_H \cup S \cup i) - v(Q_H \cup S)\bigr]

    Parameters
    ----------
    game, unions, normalized, method
        As in :func:`banzhaf_owen`.

    References
    ----------
    Alonso-Meijide, J. M. and Fiestras-Janeiro, M. G. (2002). Modification of
    the Banzhaf value for games with a coalition structure. *Annals of
    Operations Research* 109, 213-227.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.WeightedVotingGame([48, 37, 27, 17], 65)
    >>> gt.power.symmetric_coalitional_banzhaf(g, [[0], [1, 2, 3]]).values.round(4).tolist()
    [0.0, 0.3333, 0.3333, 0.3333]
    """
    return _coalitional_index(game, unions, "symmetric_coalitional_banzhaf", method, normalized)
