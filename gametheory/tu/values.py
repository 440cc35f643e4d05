r"""Single-valued solutions that are linear or nearly so: Shapley, Banzhaf, tau, Gately.

All functions take a :class:`~gametheory.tu.game.TUGame` and return an
:class:`~gametheory.results.AllocationResult` in ``game.players`` order.

Exact dense methods are vectorised over the ``2**n`` bitmasks: the
characteristic function is viewed as an array of shape ``(2,) * n`` and each
player's sums are reductions along one axis, so no Python loop runs over
coalitions.
"""

from __future__ import annotations

from math import comb, lgamma
from typing import Any

import numpy as np

from ..coalitions import MAX_DENSE_PLAYERS, popcount_table, require_dense
from ..errors import InvalidArgumentError, InvalidTypeError
from ..results import AllocationResult
from .game import TUGame

__all__ = ["shapley_value", "banzhaf_value", "tau_value", "gately_point"]


def _check_game(game: Any) -> TUGame:
    if not isinstance(game, TUGame):
        raise InvalidTypeError("game", game, "not a TUGame",
                               "Build one with gt.TUGame(...) or gt.TUGame.from_dict(...)")
    return game


def _rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, int | np.integer | np.random.SeedSequence):
        return np.random.default_rng(seed)
    raise InvalidTypeError("seed", seed, "not an int, SeedSequence or numpy Generator",
                           "Pass seed=123 or seed=np.random.default_rng(123)")


def _check_samples(samples: Any) -> int:
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer) or samples < 2:
        raise InvalidArgumentError("samples", samples, "must be an integer >= 2",
                                   "Pass e.g. samples=10_000")
    return int(samples)


def shapley_weights(n: int) -> np.ndarray:
    r"""Shapley weights :math:`w(s) = s!\,(n-s-1)!/n!` for ``s = 0..n-1``."""
    if n <= 1000:
        return np.array([1.0 / (n * comb(n - 1, k)) for k in range(n)])
    return np.exp(np.array([lgamma(k + 1) + lgamma(n - k) - lgamma(n + 1) for k in range(n)]))


def _shapley_dense(values: np.ndarray, n: int) -> np.ndarray:
    r"""Exact Shapley value of a dense game in O(n 2**n) time, ~1.1x extra memory.

    Uses :math:`\phi_i = \sum_{T \ni i} v(T)\,[w(|T|-1) + w(|T|)] - \sum_T v(T) w(|T|)`
    (with :math:`w(n) = 0`), which follows from rewriting each marginal
    contribution :math:`v(S\cup i) - v(S)` in terms of the coalition it
    creates or the one it leaves. The sums over :math:`T \ni i` for all i
    come from folding the weighted array in half, top bit first, in place:
    the upper half of the array holds the coalitions containing the top
    player, and adding it onto the lower half leaves the same sums for
    every lower player.
    """
    w = np.zeros(n + 1)
    w[:n] = shapley_weights(n)
    coef = w.copy()
    coef[1:] += w[:-1]
    pc = popcount_table(n)
    # sum_T v(T) w(|T|), from the sums of v by coalition size, in chunks so that
    # bincount's integer copy of the sizes stays small
    size_sums = np.zeros(n + 1)
    step = max(1 << 10, pc.shape[0] >> 5)
    for lo in range(0, pc.shape[0], step):
        size_sums += np.bincount(pc[lo: lo + step], weights=values[lo: lo + step],
                                 minlength=n + 1)
    base = float(size_sums @ w)
    tmp = coef[pc]                      # one float array of 2**n
    del pc
    np.multiply(tmp, values, out=tmp)
    phi = np.empty(n)
    size = tmp.shape[0]
    for i in range(n - 1, -1, -1):
        half = size // 2
        upper = tmp[half:size]
        phi[i] = upper.sum() - base
        tmp[:half] += upper
        size = half
    return phi


def _prefix_values_dense(values: np.ndarray, perms: np.ndarray) -> np.ndarray:
    masks = np.bitwise_or.accumulate(np.left_shift(np.int64(1), perms.astype(np.int64)), axis=1)
    return values[masks]


def shapley_value(game: TUGame, method: str = "exact", *, samples: int = 10_000,
                  seed: Any = None, batch: int = 4096) -> AllocationResult:
    r"""The Shapley value.

    .. math::
        \phi_i(v) = \sum_{S \subseteq N \setminus \{i\}}
            \frac{|S|!\,(n-|S|-1)!}{n!}\,\bigl(v(S \cup \{i\}) - v(S)\bigr)

    Parameters
    ----------
    game : TUGame
    method : {"exact", "sample"}, default "exact"
        ``"exact"``: the formula above, vectorised over bitmasks, or the
        game's own closed form when it has one (the sequential cost-sharing
        rule of an airport game, the generating-function recursion of a
        bankruptcy game), which needs no dense array. ``"sample"``: the
        average marginal contribution over ``samples`` random orders of the
        players (Castro, Gómez and Tejada 2009), with a standard error per
        player; works for any n on structured games.
    samples : int, default 10000
        Number of random orders (``method="sample"`` only).
    seed : int, SeedSequence or numpy Generator, optional
        Source of randomness (``method="sample"`` only).
    batch : int, default 4096
        Orders evaluated per vectorised batch (``method="sample"`` only).

    Returns
    -------
    AllocationResult
        ``exact`` is False for sampling, with ``stderr`` set.

    References
    ----------
    Shapley, L. S. (1953). A value for n-person games. *Contributions to the
    Theory of Games II*, 307-317.
    Castro, J., Gómez, D. and Tejada, J. (2009). Polynomial calculation of the
    Shapley value based on sampling. *Computers & OR* 36(5), 1726-1730.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.games.majority(3)
    >>> gt.shapley_value(g).values.round(4).tolist()
    [0.3333, 0.3333, 0.3333]
    """
    game = _check_game(game)
    n = game.n
    if method == "exact":
        closed = getattr(game, "_shapley_closed_form", None)
        if closed is not None and not game.has_dense:
            out = closed()
            if out is not None:
                phi, how = out
                return AllocationResult(phi, game.players, "shapley", how, True,
                                        {"method": "exact"}, game=game)
        require_dense(n, "exact Shapley value", "shapley_value(game, method='sample')",
                      limit=MAX_DENSE_PLAYERS)
        if samples != 10_000 or seed is not None:
            raise InvalidArgumentError("samples/seed", (samples, seed),
                                       "only used by method='sample'",
                                       "Drop them, or pass method='sample'")
        phi = _shapley_dense(game.values, n)
        return AllocationResult(phi, game.players, "shapley", "exact-bitmask", True,
                                {"method": "exact"}, game=game)
    if method == "sample":
        samples = _check_samples(samples)
        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
            raise InvalidArgumentError("batch", batch, "must be a positive integer",
                                       "Pass e.g. batch=4096")
        rng = _rng(seed)
        prefix = getattr(game, "_prefix_values", None)
        if prefix is None or game.has_dense:
            require_dense(n, "sampled Shapley value of a dense game", limit=62)
            vals = game.values

            def prefix(perms: np.ndarray) -> np.ndarray:
                return _prefix_values_dense(vals, perms)

        total = np.zeros(n)
        total_sq = np.zeros(n)
        done = 0
        rows = np.arange(1)
        while done < samples:
            m = min(batch, samples - done)
            perms = rng.permuted(np.tile(np.arange(n), (m, 1)), axis=1)
            pv = prefix(perms)
            marg = np.diff(pv, axis=1, prepend=0.0)
            rows = np.arange(m)[:, None]
            contrib = np.empty_like(marg)
            contrib[rows, perms] = marg
            total += contrib.sum(axis=0)
            total_sq += (contrib ** 2).sum(axis=0)
            done += m
        mean = total / samples
        var = np.maximum(total_sq / samples - mean ** 2, 0.0) * samples / (samples - 1)
        se = np.sqrt(var / samples)
        return AllocationResult(mean, game.players, "shapley", "permutation-sampling", False,
                                {"method": "sample", "samples": samples,
                                 "seed": seed if not isinstance(seed, np.random.Generator)
                                 else "Generator"},
                                stderr=se, game=game)
    raise InvalidArgumentError("method", method, "unknown Shapley method",
                               "Use method='exact' or method='sample'")


def banzhaf_value(game: TUGame, method: str = "exact", *, normalized: bool = False,
                  samples: int = 10_000, seed: Any = None) -> AllocationResult:
    r"""The Banzhaf value.

    .. math::
        \beta_i(v) = \frac{1}{2^{n-1}} \sum_{S \subseteq N\setminus\{i\}}
            \bigl(v(S \cup \{i\}) - v(S)\bigr)
        = \frac{2 \sum_{T \ni i} v(T) - \sum_T v(T)}{2^{n-1}}

    Parameters
    ----------
    game : TUGame
    method : {"exact", "sample"}, default "exact"
        ``"sample"`` draws ``samples`` uniformly random coalitions per player.
    normalized : bool, default False
        Rescale so the values sum to :math:`v(N)` (the normalised Banzhaf
        value; not defined when the raw values sum to 0).
    samples, seed
        For ``method="sample"`` only.

    References
    ----------
    Banzhaf, J. F. (1965). Weighted voting doesn't work. *Rutgers Law Review*
    19, 317-343. Owen, G. (1975). Multilinear extensions and the Banzhaf
    value. *Naval Research Logistics Quarterly* 22, 741-750.

    Examples
    --------
    >>> import gametheory as gt
    >>> gt.banzhaf_value(gt.games.majority(3)).values.tolist()
    [0.5, 0.5, 0.5]
    """
    game = _check_game(game)
    n = game.n
    if method == "exact":
        if samples != 10_000 or seed is not None:
            raise InvalidArgumentError("samples/seed", (samples, seed),
                                       "only used by method='sample'",
                                       "Drop them, or pass method='sample'")
        require_dense(n, "exact Banzhaf value", "banzhaf_value(game, method='sample')")
        v = game.values
        tot = v.sum()
        beta = np.array([2.0 * v.reshape(-1, 2, 1 << i)[:, 1, :].sum() - tot
                         for i in range(n)]) / 2.0 ** (n - 1)
        se = None
        exact, how, params = True, "exact-bitmask", {"method": "exact"}
    elif method == "sample":
        samples = _check_samples(samples)
        rng = _rng(seed)
        require_dense(n, "sampled Banzhaf value of a dense game", limit=62)
        v = game.values
        beta = np.empty(n)
        se = np.empty(n)
        for i in range(n):
            bits = rng.integers(0, 2, size=(samples, n), dtype=np.int64)
            bits[:, i] = 0
            masks = bits @ (np.int64(1) << np.arange(n, dtype=np.int64))
            d = v[masks | (1 << i)] - v[masks]
            beta[i] = d.mean()
            se[i] = d.std(ddof=1) / np.sqrt(samples)
        exact, how, params = False, "coalition-sampling", {"method": "sample",
                                                           "samples": samples}
    else:
        raise InvalidArgumentError("method", method, "unknown Banzhaf method",
                                   "Use method='exact' or method='sample'")
    if normalized:
        s = beta.sum()
        if abs(s) < 1e-300:
            raise InvalidArgumentError("normalized", normalized,
                                       "the Banzhaf values sum to 0 and cannot be rescaled",
                                       "Use normalized=False")
        factor = game.grand_value / s
        beta = beta * factor
        if se is not None:
            se = se * abs(factor)
    params = {**params, "normalized": normalized}
    return AllocationResult(beta, game.players, "banzhaf", how, exact, params, stderr=se,
                            game=game)


def utopia_payoffs(game: TUGame) -> np.ndarray:
    r"""Utopia payoffs :math:`M_i = v(N) - v(N \setminus \{i\})` (profit form)."""
    n = game.n
    full = (1 << n) - 1
    sign = -1.0 if game.is_cost_game else 1.0
    vN = sign * game._worth_of_mask(full)
    return np.array([vN - sign * game._worth_of_mask(full & ~(1 << i)) for i in range(n)])


def tau_value(game: TUGame) -> AllocationResult:
    r"""The tau value (Tijs 1981) of a quasi-balanced game.

    With utopia payoffs :math:`M_i = v(N) - v(N\setminus i)` and minimal rights
    :math:`m_i = \max_{S \ni i}\bigl(v(S) - \sum_{j \in S\setminus i} M_j\bigr)`,
    the tau value is the efficient point on the segment from :math:`m` to
    :math:`M`: :math:`\tau = m + \alpha (M - m)` with :math:`\sum_i \tau_i = v(N)`.
    It is defined when :math:`m \le M` and :math:`\sum m \le v(N) \le \sum M`
    (quasi-balancedness); otherwise an error says so.

    References
    ----------
    Tijs, S. H. (1981). Bounds for the core and the tau-value. In *Game
    Theory and Mathematical Economics*, 123-132. North-Holland.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.games.glove(left=["L"], right=["R1", "R2"])
    >>> gt.tau_value(g).values.tolist()
    [1.0, 0.0, 0.0]
    """
    game = _check_game(game)
    n = game.n
    require_dense(n, "the tau value (minimal rights)")
    sign = -1.0 if game.is_cost_game else 1.0
    v = game.profit_values()
    M = utopia_payoffs(game)
    from .game import _additive_values

    R = v - _additive_values(M)
    m = np.array([M[i] + R.reshape(-1, 2, 1 << i)[:, 1, :].max() for i in range(n)])
    vN = v[-1]
    tol = 1e-9 * max(1.0, float(np.abs(v).max()))
    if np.any(m > M + tol) or m.sum() > vN + tol or vN > M.sum() + tol:
        raise InvalidArgumentError(
            "game", game,
            "not quasi-balanced (needs m <= M and sum(m) <= v(N) <= sum(M)), "
            "so the tau value is undefined",
            "Use shapley_value or nucleolus, which are defined for every game")
    gap = (M - m).sum()
    alpha = 0.0 if gap <= tol else (vN - m.sum()) / gap
    tau = m + alpha * (M - m)
    return AllocationResult(sign * tau, game.players, "tau", "closed-form", True,
                            info={"utopia": sign * M, "minimal_rights": sign * m},
                            game=game)


def gately_point(game: TUGame) -> AllocationResult:
    r"""The Gately point: the allocation equalising every player's propensity to disrupt.

    The propensity to disrupt of player i at allocation x is
    :math:`d_i(x) = \frac{\sum_{j \ne i} x_j - v(N\setminus i)}{x_i - v(i)}`.
    Equalising it across players gives, with :math:`M_i = v(N) - v(N\setminus i)`,

    .. math::
        x_i = v(i) + (M_i - v(i))\,
              \frac{v(N) - \sum_j v(j)}{\sum_j (M_j - v(j))}.

    Defined when the game is essential and :math:`\sum_j (M_j - v(j)) > 0`.
    Needs only :math:`v(N)`, :math:`v(N\setminus i)` and :math:`v(i)`, so
    structured games of any size work.

    References
    ----------
    Gately, D. (1974). Sharing the gains from regional cooperation: a game
    theoretic application to planning investment in electric power.
    *International Economic Review* 15(1), 195-208. Staudacher, J. and
    Anwander, J. (2019). Conditions for the uniqueness of the Gately point
    for cooperative games. arXiv:1901.01485.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.TUGame([0, 0, 0, 4, 0, 3, 2, 6])
    >>> gt.gately_point(g).values.round(6).tolist()
    [2.666667, 2.0, 1.333333]
    """
    game = _check_game(game)
    n = game.n
    sign = -1.0 if game.is_cost_game else 1.0
    vi = sign * game.singleton_values()
    vN = sign * game.grand_value
    M = utopia_payoffs(game)
    denom = (M - vi).sum()
    surplus = vN - vi.sum()
    scale = max(1.0, abs(vN))
    if surplus <= 1e-12 * scale or denom <= 1e-12 * scale:
        raise InvalidArgumentError(
            "game", game,
            "the Gately point needs an essential game (v(N) > sum v(i)) with "
            "sum_i (v(N) - v(N\\i) - v(i)) > 0",
            "Use shapley_value or nucleolus, which are defined for every game")
    x = vi + (M - vi) * surplus / denom
    d = (surplus / denom)
    prop = (1.0 - d) / d if d > 0 else np.inf
    return AllocationResult(sign * x, game.players, "gately", "closed-form", True,
                            info={"propensity_to_disrupt": float(prop), "n": n}, game=game)
