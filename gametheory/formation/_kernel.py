r"""The vote programme and its exact gradient as one compiled loop (numba).

Imported only by :mod:`gametheory.formation.core` on the JAX backend, and only when
numba is installed (it comes with pytensor); otherwise the backend's own folded
programme runs. The loop is the dynamic programme of :mod:`.core`, body by body
and member by member, every configuration of a body side by side:

.. math::

    f_j = s_j f_{j-1} + g_j M_{w_j} f_{j-1}, \qquad
    P = \langle f_J, e \rangle,

with ``s`` (*stay*) and ``g`` (*go*) the probabilities of the two votes and
:math:`M_w` the move of member :math:`j`'s weight: on the opposing side
:math:`(M_w f)[k] = f[k - w]` (states :math:`0..\text{slack}`, :math:`e = 1`), on the
supporting side :math:`(M_w f)[0] = \sum_{k \le w} f[k]`,
:math:`(M_w f)[k] = f[k + w]` (states :math:`0..q`, start at :math:`q`,
:math:`e = \delta_0`). The gradient runs the same recursion backwards on
:math:`b_J = e`, :math:`b_{j-1} = s_j b_j + g_j M_{w_j}^\top b_j`, and

.. math::

    \frac{\partial P}{\partial s_j} = \langle f_{j-1}, b_j \rangle, \qquad
    \frac{\partial P}{\partial g_j} = \langle M_{w_j} f_{j-1}, b_j \rangle
    = \langle f_{j-1}, M_{w_j}^\top b_j \rangle,

(forward-backward; Rabiner 1989), about twice the cost of the value. Every number
is a sum of non-negative products, so tiny probabilities keep their relative
precision. Each body has only its own states (``limit + 1``) and real
configurations, the states of a body stay in cache from the first member to the
last, and the loop runs without the Python interpreter lock.

Reference: Rabiner, L. R. (1989). A tutorial on hidden Markov models and selected
applications in speech recognition. *Proceedings of the IEEE* 77(2), 257-286.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(nogil=True, cache=True)
def vote_programme(logit: np.ndarray, expo: np.ndarray, fixed_vote: np.ndarray,
                   fixed: np.ndarray, weights: np.ndarray, limit: np.ndarray, ncfg: np.ndarray,
                   lower: bool, grad: bool, out: np.ndarray) -> np.ndarray:  # pragma: no cover
    """Pass probabilities ``P`` (M, G, C) for the support logits ``logit`` (M, G, C, J);
    if ``grad``, writes :math:`\\partial P/\\partial a` into ``out`` (M, G, C, J).
    ``expo`` is :math:`e^{-|a|}` (numpy's vectorised exponential is several times
    faster than a scalar one in the loop).

    Members with ``fixed[g, j]`` (0 or 1) vote ``fixed_vote[g, j]`` (1 = support) for
    sure (derivative 0). ``weights`` (G, J) >= 0; ``limit`` (G,) the slack (opposing
    side) or the quota (``lower``: supporting side); ``ncfg`` (G,) the real
    configurations of each body (the others get ``P = 1`` and derivative 0). The
    support probability is :math:`p = 1/(1 + e^{-a})` and the opposition
    :math:`r = e^{-a} p` for :math:`a \\ge 0` (mirrored below), both to full relative
    precision; the opposing side keeps the state with :math:`s = p` and moves with
    :math:`g = r`, the supporting side the other way round.
    """
    M, G, C, J = logit.shape
    kmax = 1
    for g in range(G):
        kmax = max(kmax, limit[g] + 1)
    P = np.ones((M, G, C))
    f = np.empty((J + 1, kmax, C))
    b = np.empty((kmax, C))
    bn = np.empty((kmax, C))
    s = np.empty((J, C))
    gg = np.empty((J, C))
    dq = np.empty((J, C))
    acc = np.empty(C)
    for m in range(M):
        for g in range(G):
            n = ncfg[g]
            K = limit[g] + 1
            for c in range(n):
                for j in range(J):
                    if fixed[g, j] != 0.0:
                        p = fixed_vote[g, j]
                        r = 1.0 - p
                        d = 0.0
                    else:
                        e = expo[m, g, c, j]
                        h = 1.0 / (1.0 + e)
                        eh = e * h
                        pos = logit[m, g, c, j] >= 0.0
                        p = h if pos else eh
                        r = eh if pos else h
                        d = p * r
                    s[j, c], gg[j, c] = (r, p) if lower else (p, r)
                    dq[j, c] = -d if lower else d
            for k in range(K):
                for c in range(n):
                    f[0, k, c] = 0.0
            start = K - 1 if lower else 0
            for c in range(n):
                f[0, start, c] = 1.0
            for j in range(J):
                w = weights[g, j]
                for k in range(K):
                    for c in range(n):
                        f[j + 1, k, c] = s[j, c] * f[j, k, c]
                if not lower:
                    for k in range(w, K):
                        for c in range(n):
                            f[j + 1, k, c] += gg[j, c] * f[j, k - w, c]
                else:
                    for c in range(n):
                        acc[c] = 0.0
                    for k in range(min(w, K - 1) + 1):
                        for c in range(n):
                            acc[c] += f[j, k, c]
                    for c in range(n):
                        f[j + 1, 0, c] += gg[j, c] * acc[c]
                    for k in range(1, K - w):
                        for c in range(n):
                            f[j + 1, k, c] += gg[j, c] * f[j, k + w, c]
            for c in range(n):
                if lower:
                    P[m, g, c] = f[J, 0, c]
                else:
                    acc[c] = 0.0
                    for k in range(K):
                        acc[c] += f[J, k, c]
                    P[m, g, c] = acc[c]
            if not grad:
                continue
            for c in range(n, C):
                for j in range(J):
                    out[m, g, c, j] = 0.0
            for k in range(K):
                for c in range(n):
                    b[k, c] = 0.0 if (lower and k > 0) else 1.0
            for j in range(J - 1, -1, -1):
                w = weights[g, j]
                # one store per loop, so that each loop vectorises over the configurations
                for c in range(n):
                    acc[c] = 0.0
                for k in range(K):
                    for c in range(n):
                        acc[c] += f[j, k, c] * b[k, c]
                for c in range(n):
                    out[m, g, c, j] = acc[c]
                    acc[c] = 0.0
                for k in range(K):
                    for c in range(n):
                        bn[k, c] = s[j, c] * b[k, c]
                if not lower:
                    for k in range(K - w):
                        for c in range(n):
                            acc[c] += f[j, k, c] * b[k + w, c]
                    for k in range(K - w):
                        for c in range(n):
                            bn[k, c] += gg[j, c] * b[k + w, c]
                else:
                    for k in range(min(w, K - 1) + 1):
                        for c in range(n):
                            acc[c] += f[j, k, c] * b[0, c]
                    for k in range(w + 1, K):
                        for c in range(n):
                            acc[c] += f[j, k, c] * b[k - w, c]
                    for k in range(min(w, K - 1) + 1):
                        for c in range(n):
                            bn[k, c] += gg[j, c] * b[0, c]
                    for k in range(w + 1, K):
                        for c in range(n):
                            bn[k, c] += gg[j, c] * b[k - w, c]
                for c in range(n):
                    out[m, g, c, j] = (out[m, g, c, j] - acc[c]) * dq[j, c]
                b, bn = bn, b
    return P
