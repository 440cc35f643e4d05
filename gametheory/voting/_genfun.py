r"""Generating-function kernels for weighted voting games (integer weights).

Everything here works on non-negative integer weights ``w`` (after the exact
scaling done by :class:`~gametheory.voting.WeightedVotingGame`) and an
integer quota ``q`` with ``0 < q <= W = sum(w)``.

Rescaling
---------
Counts of coalitions overflow a double beyond about 1,000 players, so the
kernels never store counts:

* :func:`weight_distribution` stores :math:`P[k] = \Pr(w(S) = k)` for a
  uniformly random coalition :math:`S \subseteq N`, i.e. the coefficients of
  :math:`\prod_j (1 + x^{w_j}) / 2`.
* :func:`size_weight_table` stores :math:`R[s, k] = N[s, k] / \binom{n}{s}`,
  the probability that a uniformly random coalition *of size s* weighs
  ``k``. The product is built with a fixed row scale so that every update is
  one fused multiply-add and no intermediate exceeds its final value.

Removing a player
-----------------
For player ``i`` of weight ``w`` the coefficients of the others satisfy
:math:`P = (P_{-i} + x^w P_{-i}) / 2`, hence

.. math:: P_{-i}[k] = 2 \sum_{t \ge 0} (-1)^t P[k - t w] .

Only window sums :math:`\sum_{k=a}^{b} P_{-i}[k]` with :math:`b - a < w` are
needed (the swing window ``[q - w, q - 1]``), and the shifted windows
``[a - tw, b - tw]`` are disjoint, so the window sum is a signed sum of
distinct entries of ``P``: its absolute rounding error is at most a few ulps
of :math:`\sum_k P[k] \le 1`, whatever the cancellation. The complement
symmetry :math:`P_{-i}[k] = P_{-i}[W - w - k]` keeps every index at or below
``W // 2``, which halves the work. The same division with sizes,
:math:`Q[s] = \sum_t (-1)^t N[s - t]\,x^{tw}`, is used for Shapley-Shubik,
only for sizes :math:`s \le (n-1)/2` (the other sizes follow from the
complement symmetry :math:`Q[s, k] = Q[n-1-s, W-w-k]`); there every
coefficient :math:`\binom{n}{r}/\binom{n-1}{s}` with :math:`r \le s` is at
most 2 and decays, so the signed sum is well conditioned as well.

Work is shared among players of equal weight: the division is done once per
distinct weight.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

__all__ = [
    "weight_distribution",
    "banzhaf_dp",
    "size_weight_table",
    "shapley_shubik_dp",
]

_RESCALE_EVERY = 512  # products of up to 2**512 stay far below the double range


def weight_distribution(weights: np.ndarray, K: int) -> np.ndarray:
    """``P[k] = Pr(w(S) = k)`` for ``k = 0..K``, ``S`` uniform over all coalitions.

    Parameters
    ----------
    weights : ndarray of int
        Non-negative integer weights.
    K : int
        Highest degree kept (the product is truncated exactly).
    """
    P = np.zeros(K + 1, dtype=float)
    P[0] = 1.0
    top = 0
    pending = 0  # number of factors (1 + x^w) applied without their 1/2
    for w in np.sort(np.asarray(weights, dtype=np.int64)):
        w = int(w)
        if w == 0:
            continue  # factor (1 + x^0) / 2 == 1
        new_top = min(top + w, K)
        if w <= new_top:
            # P[k] += P[k - w], from the old values (numpy buffers the overlap)
            P[w:new_top + 1] += P[: new_top + 1 - w]
        top = new_top
        pending += 1
        if pending == _RESCALE_EVERY:
            P[: top + 1] = np.ldexp(P[: top + 1], -pending)
            pending = 0
    if pending:
        P = np.ldexp(P, -pending)
    return P


def _window_sum_removed(P: np.ndarray, w: int, a: int, b: int) -> float:
    """``sum_{k=a}^{b} P_{-i}[k]`` where ``P_{-i}`` removes one factor ``(1 + x^w)/2``.

    Requires ``0 <= a``, ``b < len(P)`` and ``b - a < w``.
    """
    if b < a or b < 0:
        return 0.0
    width = b - a + 1
    rev = P[b::-1]  # rev[d] = P[b - d] with d = t*w + r (a view, no copy)
    full = (b + 1) // w
    block = rev[: full * w].reshape(full, w)[:, :width].sum(axis=1)
    total = float(block[0::2].sum() - block[1::2].sum())
    tail = rev[full * w: full * w + width]  # the last, partial row t = full
    if tail.size:
        total += float(tail.sum()) * (1.0 if full % 2 == 0 else -1.0)
    return 2.0 * total


def _removed_window(P: np.ndarray, W: int, w: int, lo: int, hi: int) -> float:
    """Window sum over ``[lo, hi]`` of the others' distribution, folded into ``[0, W_i // 2]``."""
    Wi = W - w
    lo = max(lo, 0)
    hi = min(hi, Wi)
    if hi < lo:
        return 0.0
    h = Wi // 2
    total = 0.0
    if lo <= h:
        total += _window_sum_removed(P, w, lo, min(hi, h))
    if hi > h:
        a = max(lo, h + 1)
        total += _window_sum_removed(P, w, Wi - hi, Wi - a)
    return total


def _signed_window_sums(P: np.ndarray, ws: np.ndarray, lo: np.ndarray,
                        hi: np.ndarray) -> np.ndarray:
    """Vectorised :func:`_window_sum_removed` for many ``(w, lo, hi)`` at once."""
    out = np.zeros(len(ws), dtype=float)
    ok = hi >= lo
    if not np.any(ok):
        return out
    idx = np.flatnonzero(ok)
    top = int(hi[idx].max())
    if len(idx) * (top + 1) > 300_000:
        # large tables: one reshape per weight costs O(hi) instead of O(top)
        for j in idx:
            out[j] = _window_sum_removed(P, int(ws[j]), int(lo[j]), int(hi[j]))
        return out
    chunk = max(1, 4_000_000 // (top + 1))
    k = np.arange(top + 1)
    for start in range(0, len(idx), chunk):
        sel = idx[start:start + chunk]
        w = ws[sel][:, None]
        d = hi[sel][:, None] - k[None, :]  # d = t*w + r
        t = d // w
        r = d - t * w
        use = (d >= 0) & (r <= (hi[sel] - lo[sel])[:, None])
        signs = np.where(t % 2 == 0, 2.0, -2.0)
        out[sel] = np.where(use, signs * P[: top + 1][None, :], 0.0).sum(axis=1)
    return out


def banzhaf_dp(weights: np.ndarray, q: int) -> tuple[np.ndarray, float, float]:
    """Absolute Banzhaf index of every player, and Pr(win), Pr(lose).

    Returns
    -------
    beta : ndarray
        ``beta[i] = #{S subset of N minus i : q - w_i <= w(S) < q} / 2**(n-1)``.
    p_win, p_lose : float
        Probability that a uniformly random coalition wins / loses.
    """
    weights = np.asarray(weights, dtype=np.int64)
    W = int(weights.sum())
    K = W // 2
    P = weight_distribution(weights, K)
    distinct, inverse = np.unique(weights, return_inverse=True)
    pos = distinct > 0  # a null weight never swings
    w = distinct[pos]
    Wi = W - w
    h = Wi // 2
    lo = np.maximum(q - w, 0)
    hi = np.minimum(q - 1, Wi)
    # direct part [lo, min(hi, h)] and the part above h folded by k -> Wi - k
    d_lo, d_hi = lo, np.minimum(hi, h)
    m_lo, m_hi = Wi - hi, Wi - np.maximum(lo, h + 1)
    both = _signed_window_sums(P, np.concatenate([w, w]), np.concatenate([d_lo, m_lo]),
                               np.concatenate([d_hi, m_hi]))
    sums = both[: len(w)] + both[len(w):]
    per_distinct = np.zeros(len(distinct), dtype=float)
    per_distinct[pos] = np.maximum(sums, 0.0)
    beta = per_distinct[inverse.ravel()]
    # Pr(w(S) >= q) = Pr(w(S) <= W - q) by complement symmetry
    if W - q <= K:
        p_win = float(P[: W - q + 1].sum())
        p_lose = 1.0 - p_win if q - 1 > K else float(P[:q].sum())
    else:
        p_lose = float(P[:q].sum())
        p_win = 1.0 - p_lose
    return beta, p_win, p_lose


def _log_binom(n: int, k: np.ndarray) -> np.ndarray:
    k = np.asarray(k, dtype=float)
    return gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0)


def size_weight_table(weights: np.ndarray, S: int, K: int) -> np.ndarray:
    r"""``R[s, k] = #{S : |S| = s, w(S) = k} / binom(n, s)`` for ``s <= S``, ``k <= K``."""
    weights = np.sort(np.asarray(weights, dtype=np.int64))
    n = len(weights)
    R = np.zeros((S + 1, K + 1), dtype=float)
    R[0, 0] = 1.0
    s_idx = np.arange(1, S + 1, dtype=float)
    rho = (s_idx / (n - s_idx + 1.0))[:, None]  # binom(n, s-1) / binom(n, s)
    top = 0
    for j, w in enumerate(weights):
        w = int(w)
        rows = min(j + 1, S)  # sizes 1..rows can change
        new_top = min(top + w, K)
        if rows >= 1 and w <= new_top:
            cols = new_top + 1 - w
            R[1: rows + 1, w: new_top + 1] += rho[:rows] * R[0: rows, :cols]
        top = new_top
    return R


def shapley_shubik_dp(weights: np.ndarray, q: int) -> np.ndarray:
    r"""Shapley-Shubik index of every player of the weighted game ``[q; w]``.

    ``phi_i = (1/n) sum_{s=0}^{n-1} Pr(a random s-subset of N minus i is a swing for i)``.
    """
    weights = np.asarray(weights, dtype=np.int64)
    n = len(weights)
    W = int(weights.sum())
    S = (n - 1) // 2  # sizes computed directly; the rest by complement symmetry
    K = max(q - 1, W - q)
    R = size_weight_table(weights, S, K)
    # CR[r, k] = sum_{k' < k} R[r, k']
    CR = np.zeros((S + 1, K + 2), dtype=float)
    np.cumsum(R, axis=1, out=CR[:, 1:])
    s = np.arange(S + 1)
    r = np.arange(S + 1)
    d = s[:, None] - r[None, :]  # number of removed factors t = s - r
    tri = d >= 0
    # coef[s, r] = (-1)^(s-r) binom(n, r) / binom(n-1, s), zero above the diagonal
    logc = _log_binom(n, r)[None, :] - _log_binom(n - 1, s)[:, None]
    coef = np.where(tri, np.exp(np.where(tri, logc, -np.inf)), 0.0)
    coef = np.where(d % 2 == 0, coef, -coef)
    rows = np.broadcast_to(r[None, :], d.shape)
    n_mirror = n - 2 - S  # sizes S+1..n-1 map to n-1-s in 0..n-2-S

    def windows(lo: int, hi: int, w: int) -> np.ndarray:
        """G[s] = sum_{k=lo}^{hi} Q[s, k] / binom(n-1, s) for s = 0..S."""
        lo_m = lo - d * w
        hi_m = hi - d * w
        lo_c = np.clip(lo_m, 0, K + 1)
        hi_c = np.clip(hi_m + 1, 0, K + 1)
        vals = CR[rows, hi_c] - CR[rows, lo_c]
        vals = np.where(hi_c > lo_c, vals, 0.0)
        return (coef * vals).sum(axis=1)

    phi = np.zeros(n, dtype=float)
    for w in np.unique(weights):
        w = int(w)
        if w == 0:
            continue
        Wi = W - w
        a, b = max(q - w, 0), min(q - 1, Wi)
        if b < a:
            continue
        direct = windows(a, min(b, K), w)
        total = direct.sum()
        if n_mirror >= 0:
            mirrored = windows(Wi - b, Wi - a, w)
            total += mirrored[: n_mirror + 1].sum()
        phi[weights == w] = max(total / n, 0.0)
    return phi
