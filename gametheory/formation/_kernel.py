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

import math

import numba
import numpy as np
from numba import types
from numba.extending import intrinsic


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _body(s: np.ndarray, gg: np.ndarray, dq: np.ndarray, mem: np.ndarray, nm: int,
          weights: np.ndarray, K: int, n: int, lower: bool, grad: bool, f: np.ndarray,
          b: np.ndarray, bn: np.ndarray, acc: np.ndarray, acc2: np.ndarray, P: np.ndarray,
          dP: np.ndarray) -> None:  # pragma: no cover
    """One body's programme, its configurations ``0..n-1`` side by side.

    Members ``0..nm-1`` (weights ``weights[i]``), in that order; member ``i`` votes
    with the probabilities of row ``mem[i]`` of ``s``, ``gg`` (stay and go) and ``dq``
    (their derivative in the support logit, signed), indexed ``[row, c]``: members
    that share a row share their support logit. ``K`` states. Writes ``P[c]`` and, if
    ``grad``, ``dP[r, c]`` :math:`= \\partial P_c / \\partial a_{rc}`, the sum over the
    members ``i`` with ``mem[i] = r``. Work arrays: ``f`` (nm + 1, >= K, >= n), ``b``,
    ``bn`` (>= K, >= n), ``acc``, ``acc2`` (>= n).
    """
    for k in range(K):
        for c in range(n):
            f[0, k, c] = 0.0
    start = K - 1 if lower else 0
    for c in range(n):
        f[0, start, c] = 1.0
    for i in range(nm):
        j = mem[i]
        w = weights[i]
        for k in range(K):
            for c in range(n):
                f[i + 1, k, c] = s[j, c] * f[i, k, c]
        if not lower:
            for k in range(w, K):
                for c in range(n):
                    f[i + 1, k, c] += gg[j, c] * f[i, k - w, c]
        else:
            for c in range(n):
                acc[c] = 0.0
            for k in range(min(w, K - 1) + 1):
                for c in range(n):
                    acc[c] += f[i, k, c]
            for c in range(n):
                f[i + 1, 0, c] += gg[j, c] * acc[c]
            for k in range(1, K - w):
                for c in range(n):
                    f[i + 1, k, c] += gg[j, c] * f[i, k + w, c]
    for c in range(n):
        if lower:
            P[c] = f[nm, 0, c]
        else:
            acc[c] = 0.0
            for k in range(K):
                acc[c] += f[nm, k, c]
            P[c] = acc[c]
    if not grad:
        return
    for k in range(K):
        for c in range(n):
            b[k, c] = 0.0 if (lower and k > 0) else 1.0
    for i in range(nm):
        for c in range(n):
            dP[mem[i], c] = 0.0
    for i in range(nm - 1, -1, -1):
        j = mem[i]
        w = weights[i]
        # one store per loop, so that each loop vectorises over the configurations
        for c in range(n):
            acc2[c] = 0.0
        for k in range(K):
            for c in range(n):
                acc2[c] += f[i, k, c] * b[k, c]
        for c in range(n):
            acc[c] = 0.0
        for k in range(K):
            for c in range(n):
                bn[k, c] = s[j, c] * b[k, c]
        if not lower:
            for k in range(K - w):
                for c in range(n):
                    acc[c] += f[i, k, c] * b[k + w, c]
            for k in range(K - w):
                for c in range(n):
                    bn[k, c] += gg[j, c] * b[k + w, c]
        else:
            for k in range(min(w, K - 1) + 1):
                for c in range(n):
                    acc[c] += f[i, k, c] * b[0, c]
            for k in range(w + 1, K):
                for c in range(n):
                    acc[c] += f[i, k, c] * b[k - w, c]
            for k in range(min(w, K - 1) + 1):
                for c in range(n):
                    bn[k, c] += gg[j, c] * b[0, c]
            for k in range(w + 1, K):
                for c in range(n):
                    bn[k, c] += gg[j, c] * b[k - w, c]
        for c in range(n):
            dP[j, c] += (acc2[c] - acc[c]) * dq[j, c]
        for k in range(K):
            for c in range(n):
                b[k, c] = bn[k, c]


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _vote_probabilities(a: float, e: float, lower: bool) -> tuple[float, float, float, float]:
    """One member's vote on one configuration, from its support logit ``a`` and
    ``e`` :math:`= e^{-|a|}`: ``(stay, go, dq, p)`` with the support probability
    :math:`p = \\sigma(a)` and the opposition :math:`r = \\sigma(-a)` to full relative
    precision (the opposing side keeps the state with ``p`` and moves with ``r``, the
    supporting side the other way round) and ``dq`` the derivative of *stay* in ``a``
    (:math:`\\pm p r`)."""
    h = 1.0 / (1.0 + e)
    eh = e * h
    pos = a >= 0.0
    p = h if pos else eh
    r = eh if pos else h
    d = p * r
    if lower:
        return r, p, -d, p
    return p, r, d, p


@numba.njit(nogil=True, cache=True, error_model="numpy")
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
    acc2 = np.empty(C)
    dP = np.zeros((J, C))
    mem = np.arange(J)
    for m in range(M):
        for g in range(G):
            n = ncfg[g]
            for c in range(n):
                for j in range(J):
                    if fixed[g, j] != 0.0:
                        p = fixed_vote[g, j]
                        s[j, c], gg[j, c] = (1.0 - p, p) if lower else (p, 1.0 - p)
                        dq[j, c] = 0.0
                    else:
                        s[j, c], gg[j, c], dq[j, c], _ = _vote_probabilities(
                            logit[m, g, c, j], expo[m, g, c, j], lower)
            _body(s, gg, dq, mem, J, weights[g], limit[g] + 1, n, lower, grad, f, b, bn, acc,
                  acc2, P[m, g], dP)
            if not grad:
                continue
            for c in range(C):
                for j in range(J):
                    out[m, g, c, j] = dP[j, c] if c < n else 0.0
    return P


@intrinsic
def _int_bits_as_float(typingctx, x):  # type: ignore[no-untyped-def]  # pragma: no cover
    """The bits of an int64 read as a float64 (LLVM's bitcast; it vectorises)."""
    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.bitcast(args[0], context.get_value_type(types.float64))
    return types.float64(types.int64), codegen


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _exp_minus_abs(a: np.ndarray, out: np.ndarray, n: int) -> None:  # pragma: no cover
    r""":math:`e^{-|a|}` of ``a[0, :n]``, ``a[1, :n]``, ... into ``out``, to within an ulp
    of the C library's ``exp``.

    :math:`e^{x} = 2^k e^{r}` with :math:`k = \lfloor x/\log 2 + 1/2\rfloor` and
    :math:`|r| \le \log(2)/2` (Cody and Waite's two-part :math:`\log 2`), :math:`e^r` by
    its Taylor polynomial of degree 13 (remainder below :math:`10^{-17}`) and
    :math:`2^k` written as the bits of a double, so that the loop vectorises; below
    :math:`x = -708` (where :math:`2^k` would be subnormal) and for NaN the library's
    ``exp``. Cody, W. J. and Waite, W. (1980). *Software Manual for the Elementary
    Functions*. Prentice-Hall.
    """
    for i in range(a.shape[0]):
        for l in range(n):
            x = max(-abs(a[i, l]), -708.0)
            k = math.floor(x * 1.4426950408889634 + 0.5)
            r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10
            p = 1.0 + r * (1.0 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (
                1 / 120 + r * (1 / 720 + r * (1 / 5040 + r * (1 / 40320 + r * (
                    1 / 362880 + r * (1 / 3628800 + r * (1 / 39916800 + r * (
                        1 / 479001600 + r / 6227020800))))))))))))
            out[i, l] = p * _int_bits_as_float((np.int64(k) + 1023) << 52)
        for l in range(n):
            if not -708.0 <= a[i, l] <= 708.0:        # NaN included
                out[i, l] = math.exp(-abs(a[i, l]))


@numba.njit(nogil=True, cache=True, error_model="numpy")
def formation_value_grad(theta: np.ndarray, out: np.ndarray, u0: np.ndarray,
                         cx: np.ndarray, mxb: np.ndarray, z0: np.ndarray, zx: np.ndarray,
                         ncfg: np.ndarray, chosen: np.ndarray, slots: np.ndarray,
                         votes: np.ndarray, vmask: np.ndarray, has_votes: bool,
                         t_eoff: np.ndarray, t_c0: np.ndarray, t_ncol: np.ndarray,
                         t_nm: np.ndarray, t_K: np.ndarray, t_lower: np.ndarray,
                         t_w: np.ndarray, t_nr: np.ndarray, t_row: np.ndarray,
                         t_first: np.ndarray, t_b0: np.ndarray, t_b1: np.ndarray,
                         body: np.ndarray, body_c0: np.ndarray, col_g: np.ndarray,
                         grad: bool) -> None:  # pragma: no cover
    r"""Log-likelihood of the chosen configurations (and observed votes) and its gradient.

    For each body :math:`g`, with :math:`z_c = z^0_c + x_c\cdot\beta`,
    :math:`u_{cj} = u^0_{cj} + m_j\cdot\gamma + y_{cj}\cdot\eta`, :math:`a = \kappa u`:
    :math:`\ell_g = z_{c^*} + \log P_{c^*} - \log\sum_c e^{z_c} P_c`; with observed votes
    :math:`\ell_g = z_{c^*} - \log\sum_c e^{z_c} P_c + \sum_{j\,\text{obs}}\log
    \Pr(v_j) + \log P^{v}_{c^*}` (:math:`P^v` the pass probability with the observed
    votes fixed; :func:`gametheory.formation.log_vote_probability`). ``theta``
    (G, F + 1 + P1 + P2) holds :math:`(\beta, \kappa, \gamma, \eta)` per body; writes
    ``out[:, 0]`` :math:`\ell_g` and, if ``grad``, ``out[:, 1:]`` its derivatives in
    ``theta``'s order. A body whose chosen configuration cannot pass gets
    :math:`-\infty` and a zero gradient.

    Layout. Every (body, configuration) pair is a *column*; bodies with the same
    active members' weights, quota and side are run side by side in *tiles* of whole
    bodies (``body[t_b0[t]:t_b1[t]]``, the first column of each ``body_c0``), columns
    ``t_c0[t]..t_c0[t] + t_ncol[t]`` (``col_g`` their body), members ``0..t_nm[t]-1``
    of weights ``t_w[t]``, ``t_K[t]`` states. Members whose support logit is the same
    function of the coefficients in every configuration of the body (same weight,
    member terms, offsets and configuration terms) share a *row*: member ``i`` has row
    ``t_row[t, i]``, row ``r < t_nr[t]`` is first held by member ``t_first[t, r]``.
    Entry ``t_eoff[t] + r * t_ncol[t] + l`` is row ``r`` of the tile's column ``l``:
    ``u0`` and the configuration terms ``cx`` (entries, P2) are packed so; ``mxb``
    (G, J, P1) holds the member terms of each body's ``i``-th active member (slot
    ``slots[g, i]``). A row's support probability and its share of the gradient are
    computed once; the programme still moves every member. Everything about a tile
    (support probabilities, programme, choice, gradient) is done while the tile is in
    cache.
    """
    G, C, F = zx.shape
    J = t_w.shape[1]
    P1 = mxb.shape[2]
    P2 = cx.shape[1]
    T = t_eoff.shape[0]
    W = 1
    KM = 1
    for t in range(T):
        W = max(W, t_ncol[t])
        KM = max(KM, t_K[t])
    kappa = np.empty(G)
    base = np.zeros((G, J))            # each active member's member terms, m_j . gamma
    for g in range(G):
        kappa[g] = theta[g, F]
        for i in range(J):
            x = 0.0
            for p in range(P1):
                x += mxb[g, i, p] * theta[g, F + 1 + p]
            base[g, i] = x
    sb = np.zeros((G, J))              # d l / d base, per body and active member
    out[:, :] = 0.0
    f = np.empty((J + 1, KM, W))
    b = np.empty((KM, W))
    bn = np.empty((KM, W))
    acc = np.empty(W)
    acc2 = np.empty(W)
    st = np.empty((J, W))
    go = np.empty((J, W))
    dq = np.empty((J, W))
    ua = np.empty((J, W))
    aa = np.empty((J, W))
    ee = np.empty((J, W))
    dP = np.zeros((J, W))
    P = np.empty(W)
    wcol = np.empty(W)
    sc = np.empty(C)
    zs = np.empty(C)
    f1 = np.empty((J + 1, KM, 1))
    b1 = np.empty((KM, 1))
    bn1 = np.empty((KM, 1))
    s1 = np.empty((J, 1))
    g1 = np.empty((J, 1))
    d1 = np.empty((J, 1))
    acc1 = np.empty(1)
    acc21 = np.empty(1)
    P1v = np.empty(1)
    dP1 = np.zeros((J, 1))
    mem = np.arange(J)
    for t in range(T):
        n, nm, lw, c0, e0 = t_ncol[t], t_nm[t], t_lower[t], t_c0[t], t_eoff[t]
        nr, row, first = t_nr[t], t_row[t], t_first[t]
        # support probabilities of the tile's rows (three loops that vectorise)
        for r in range(nr):
            i = first[r]
            for l in range(n):
                g = col_g[c0 + l]
                e = e0 + r * n + l
                u = u0[e] + base[g, i]
                for q in range(P2):
                    u += cx[e, q] * theta[g, F + 1 + P1 + q]
                ua[r, l] = u
                aa[r, l] = kappa[g] * u
        _exp_minus_abs(aa[:nr], ee, n)
        for i in range(nr):
            for l in range(n):
                h = 1.0 / (1.0 + ee[i, l])
                eh = ee[i, l] * h
                pos = aa[i, l] >= 0.0
                p = h if pos else eh
                r = eh if pos else h
                st[i, l] = r if lw else p
                go[i, l] = p if lw else r
                dq[i, l] = -(p * r) if lw else p * r
        _body(st, go, dq, row, nm, t_w[t], t_K[t], n, lw, grad, f, b, bn, acc, acc2, P, dP)
        # the choice (and the votes), body by body
        for bi in range(t_b0[t], t_b1[t]):
            g = body[bi]
            lc0 = body_c0[bi] - c0
            nc = ncfg[g]
            ch = chosen[g]
            for c in range(nc):
                wcol[lc0 + c] = 0.0
            top = -np.inf
            for c in range(nc):
                x = z0[g, c]
                for k in range(F):
                    x += zx[g, c, k] * theta[g, k]
                zs[c] = x
                pc = P[lc0 + c]
                sc[c] = x + math.log(pc) if pc > 0.0 else -np.inf
                top = max(top, sc[c])
            if top == -np.inf or (sc[ch] == -np.inf and not has_votes):
                out[g, 0] = -np.inf
                continue
            tot = 0.0
            for c in range(nc):
                tot += math.exp(sc[c] - top)
            lse = top + math.log(tot)
            if not has_votes:
                out[g, 0] = sc[ch] - lse
            else:
                lch = lc0 + ch
                lv = 0.0
                for i in range(nm):
                    j = slots[g, i]
                    r = row[i]
                    if vmask[g, j] != 0.0:
                        vj = votes[g, j]
                        s1[i, 0], g1[i, 0] = (1.0 - vj, vj) if lw else (vj, 1.0 - vj)
                        d1[i, 0] = 0.0
                        a = aa[r, lch]
                        # log sigma(a) to full precision: -log(1 + e^{-|a|}) + min(a, 0)
                        lp = -math.log1p(ee[r, lch]) + min(a, 0.0)
                        lv += vj * lp + (1.0 - vj) * (lp - a)
                    else:
                        s1[i, 0], g1[i, 0], d1[i, 0] = st[r, lch], go[r, lch], dq[r, lch]
                _body(s1, g1, d1, mem, nm, t_w[t], t_K[t], 1, lw, grad, f1, b1, bn1, acc1,
                      acc21, P1v, dP1)
                pfix = P1v[0]
                if pfix <= 0.0 or zs[ch] == -np.inf:
                    out[g, 0] = -np.inf
                    continue
                out[g, 0] = zs[ch] - lse + lv + math.log(pfix)
                if grad:
                    for i in range(nm):
                        j = slots[g, i]
                        r = row[i]
                        if vmask[g, j] != 0.0:
                            p = go[r, lch] if lw else st[r, lch]
                            da = votes[g, j] - p
                        else:
                            da = dP1[i, 0] / pfix
                        out[g, 1 + F] += da * ua[r, lch]
                        du = kappa[g] * da
                        sb[g, first[r]] += du
                        for q in range(P2):
                            out[g, 2 + F + P1 + q] += du * cx[e0 + r * n + lch, q]
            if not grad:
                continue
            for c in range(nc):
                pi = math.exp(sc[c] - lse)
                wz = (1.0 if c == ch else 0.0) - pi
                for k in range(F):
                    out[g, 1 + k] += wz * zx[g, c, k]
                pc = P[lc0 + c]
                wc = wz if not has_votes else -pi
                wcol[lc0 + c] = wc / pc if pc > 0.0 else 0.0
        if not grad:
            continue
        # the pass probabilities' share of the gradient, row by row
        for r in range(nr):
            i = first[r]
            for l in range(n):
                da = wcol[l] * dP[r, l]
                g = col_g[c0 + l]
                e = e0 + r * n + l
                out[g, 1 + F] += da * ua[r, l]
                du = kappa[g] * da
                sb[g, i] += du
                for q in range(P2):
                    out[g, 2 + F + P1 + q] += du * cx[e, q]
    if grad:
        for g in range(G):
            for p in range(P1):
                x = 0.0
                for i in range(J):
                    x += sb[g, i] * mxb[g, i, p]
                out[g, 2 + F + p] = x
