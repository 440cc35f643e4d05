r"""Coalitional power indices of weighted voting games by two-level generating functions.

For the weighted game :math:`[q; w]` with a priori unions
:math:`P_1, \dots, P_m` (union weights :math:`W_1, \dots, W_m`), the
coalitional semivalue of player :math:`i \in P_k` of weight :math:`w` is

.. math::
    \psi_i = \sum_{x} a_k[x] \sum_{y} B_{k,w}[y]\;
             \mathbf{1}\{q - w \le x + y \le q - 1\},

where

* :math:`a_k[x] = \sum_{H \subseteq M\setminus k,\ W(H) = x} \lambda_m(|H|)` is the
  *between* distribution: the weight of the other unions that precede
  :math:`P_k`, with the Shapley weights :math:`\lambda_m(h) = h!(m-h-1)!/m!`
  or the Banzhaf weights :math:`2^{-(m-1)}`;
* :math:`B_{k,w}[y] = \sum_{S \subseteq P_k\setminus i,\ w(S) = y} \mu_{p_k}(|S|)` is the
  *within* distribution, with the same choice of weights inside the union.

Both are "leave one out" distributions of a weighted group: the unions
without :math:`P_k`, the union :math:`P_k` without :math:`i`. Each is read
off the group's size-by-weight table :math:`R[s, y]` (the probability that
a random :math:`s`-subset of the group weighs :math:`y`, see
:func:`~gametheory.voting._genfun.size_weight_table`) by dividing out one
factor :math:`(1 + z\,x^{w})`. In the same normalisation,

.. math::
    Q[s, y] = \frac{p}{p-s} R[s, y] - \frac{s}{p-s} Q[s-1, y-w],

for sizes :math:`s \le (p-1)/2`, where the factor :math:`s/(p-s) < 1`
damps every rounding error, and :math:`Q[s, y] = Q[p-1-s, W - w - y]` (the
complement) for the larger sizes; every entry is then accurate to a few
units in the last place of its own magnitude. Summing :math:`a_k` against
the window :math:`[q-w-y, q-1-y]` is a difference of its cumulative sums.
The work is one size table per level and per union plus :math:`O(p_k W_k)`
per distinct weight in the union, so a management group of a thousand
members in ten unions takes a fraction of a second.

References
----------
Owen, G. (1977, 1982) for the values; Alonso-Meijide, J. M. and Bowles, C.
(2005). Generating functions for coalitional power indices: an application
to the IMF. *Annals of Operations Research* 137, 21-44, for the two-level
generating functions.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from ._genfun import size_weight_table

__all__ = ["coalitional_dp"]


def _size_weights(p: int, kind: str) -> np.ndarray:
    """Weight of size ``s`` (``s = 0..p-1``) for a member of a group of ``p``, per normalised row.

    A row of the leave-one-out table is the distribution over *random*
    ``s``-subsets, so the semivalue weight of one subset times their number
    ``binom(p-1, s)`` is what multiplies it: ``1/p`` for Shapley, the
    binomial probabilities for Banzhaf.
    """
    s = np.arange(p, dtype=float)
    if kind == "shapley":
        return np.full(p, 1.0 / p)
    logc = gammaln(p) - gammaln(s + 1.0) - gammaln(p - s) - (p - 1) * np.log(2.0)
    return np.exp(logc)


def _leave_one_out(R: np.ndarray, p: int, ws: np.ndarray, total: int,
                   c: np.ndarray) -> np.ndarray:
    """``D[d, y] = sum_s c[s] Q_d[s, y]``: the group without one member of weight ``ws[d]``.

    *R* is the group's normalised size-by-weight table for sizes
    ``0..(p-1)//2`` and weights ``0..total``; row ``d`` of the result covers
    ``y = 0..total`` (zero beyond ``total - ws[d]``). All weights are
    handled at once, one vectorised step per size.
    """
    ws = np.asarray(ws, dtype=np.int64)
    D = ws.size
    S = (p - 1) // 2
    L = total + 1
    direct = np.zeros((D, L))
    mirror = np.zeros((D, L))
    q = np.zeros((D, L))
    q[:, 0] = 1.0
    wl = [int(w) for w in ws]
    for s in range(S + 1):
        if s > 0:
            prev = q * (-(s / (p - s)))
            q = np.broadcast_to(R[s] * (p / (p - s)), (D, L)).copy()
            for d, w in enumerate(wl):      # q[d, y] -= s/(p-s) * q_prev[d, y - w]
                if w < L:
                    q[d, w:] += prev[d, : L - w]
        direct += c[s] * q
        sm = p - 1 - s
        if sm > S:
            mirror += c[sm] * q
    # the complement: Q[p-1-s, y] = Q[s, (total - w) - y] for y <= total - w
    y = np.arange(L)
    rev = (total - ws)[:, None] - y[None, :]
    ok = rev >= 0
    back = np.take_along_axis(mirror, np.where(ok, rev, 0), axis=1)
    back[~ok] = 0.0
    out = direct + back
    out[~(y[None, :] <= (total - ws)[:, None])] = 0.0
    return out


def coalitional_dp(weights: np.ndarray, q: int, blocks: list[np.ndarray], between: str,
                   within: str) -> np.ndarray:
    """Coalitional power index of every player of ``[q; weights]`` with unions *blocks*.

    Parameters
    ----------
    weights : ndarray of int
        Non-negative integer weights.
    q : int
        Integer quota, ``0 < q <= sum(weights)``.
    blocks : list of index arrays
        The unions (a partition of ``range(n)``).
    between, within : {"shapley", "banzhaf"}
        Weights among unions and inside a union.
    """
    weights = np.asarray(weights, dtype=np.int64)
    n = weights.size
    m = len(blocks)
    union_w = np.array([int(weights[b].sum()) for b in blocks], dtype=np.int64)
    W = int(union_w.sum())
    R_top = size_weight_table(union_w, (m - 1) // 2, W)
    c_top = _size_weights(m, between)
    out = np.zeros(n)
    ext_cache: dict[int, np.ndarray] = {}
    for k, members in enumerate(blocks):
        Wk = int(union_w[k])
        ca = ext_cache.get(Wk)
        if ca is None:
            a = _leave_one_out(R_top, m, np.array([Wk]), W, c_top)[0]   # x = 0..W
            ca = np.concatenate([[0.0], np.cumsum(a)])    # ca[t + 1] = sum_{x <= t} a[x]
            ext_cache[Wk] = ca
        top = ca.size - 2
        p = members.size
        mw = weights[members]
        ws = np.unique(mw[mw > 0])
        if ws.size == 0:
            continue
        R = size_weight_table(mw, (p - 1) // 2, Wk)
        B = _leave_one_out(R, p, ws, Wk, _size_weights(p, within))    # (distinct, Wk + 1)
        y = np.arange(Wk + 1)[None, :]
        hi = np.clip(q - 1 - y, -1, top) + 1
        lo = np.clip(q - ws[:, None] - 1 - y, -1, top) + 1
        G = ca[hi] - ca[lo]                                # Pr(q - w - y <= x <= q - 1 - y)
        vals = np.maximum(np.einsum("dy,dy->d", B, G), 0.0)
        for w, val in zip(ws, vals, strict=True):
            out[members[mw == w]] = val
    return out
