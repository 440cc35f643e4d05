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


@numba.njit(nogil=True, cache=True)
def _body(s: np.ndarray, gg: np.ndarray, dq: np.ndarray, mem: np.ndarray, nm: int,
          weights: np.ndarray, K: int, n: int, lower: bool, grad: bool, f: np.ndarray,
          b: np.ndarray, bn: np.ndarray, acc: np.ndarray, P: np.ndarray,
          dP: np.ndarray) -> None:  # pragma: no cover
    """One body's programme, its configurations ``0..n-1`` side by side.

    Members ``mem[0..nm-1]`` (weights ``weights[j]``), in that order; ``s``, ``gg``
    (stay and go probabilities) and ``dq`` (their derivative in the support logit,
    signed) are indexed ``[j, c]``. ``K`` states. Writes ``P[c]`` and, if ``grad``,
    ``dP[j, c]`` :math:`= \\partial P_c / \\partial a_{jc}` for the members in ``mem``.
    Work arrays: ``f`` (nm + 1, >= K, >= n), ``b``, ``bn`` (>= K, >= n), ``acc`` (>= n).
    """
    for k in range(K):
        for c in range(n):
            f[0, k, c] = 0.0
    start = K - 1 if lower else 0
    for c in range(n):
        f[0, start, c] = 1.0
    for i in range(nm):
        j = mem[i]
        w = weights[j]
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
    for i in range(nm - 1, -1, -1):
        j = mem[i]
        w = weights[j]
        # one store per loop, so that each loop vectorises over the configurations
        for c in range(n):
            acc[c] = 0.0
        for k in range(K):
            for c in range(n):
                acc[c] += f[i, k, c] * b[k, c]
        for c in range(n):
            dP[j, c] = acc[c]
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
            dP[j, c] = (dP[j, c] - acc[c]) * dq[j, c]
        for k in range(K):
            for c in range(n):
                b[k, c] = bn[k, c]


@numba.njit(nogil=True, cache=True)
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
                  P[m, g], dP)
            if not grad:
                continue
            for c in range(C):
                for j in range(J):
                    out[m, g, c, j] = dP[j, c] if c < n else 0.0
    return P


@numba.njit(nogil=True, cache=True)
def pack_logits(kappa: np.ndarray, mc: np.ndarray, cc: np.ndarray, e_g: np.ndarray,
                u0: np.ndarray, mx: np.ndarray, cx: np.ndarray, u: np.ndarray,
                a: np.ndarray) -> None:  # pragma: no cover
    """Utilities and support logits of the packed entries (:func:`formation_loglik`):
    :math:`u_e = u^0_e + \\sum_p m_{ep}\\gamma_{g_e p} + \\sum_q y_{eq}\\eta_{g_e q}`,
    :math:`a_e = \\kappa_{g_e} u_e`."""
    P1 = mx.shape[1]
    P2 = cx.shape[1]
    for e in range(u0.shape[0]):
        g = e_g[e]
        x = u0[e]
        for p in range(P1):
            x += mx[e, p] * mc[g, p]
        for q in range(P2):
            x += cx[e, q] * cc[g, q]
        u[e] = x
        a[e] = kappa[g] * x


@numba.njit(nogil=True, cache=True)
def formation_loglik(a: np.ndarray, expo: np.ndarray, u: np.ndarray, kappa: np.ndarray,
                     z0: np.ndarray, zx: np.ndarray, zc: np.ndarray, ncfg: np.ndarray,
                     chosen: np.ndarray, colidx: np.ndarray, slots: np.ndarray,
                     votes: np.ndarray, vmask: np.ndarray, has_votes: bool,
                     t_eoff: np.ndarray, t_c0: np.ndarray, t_ncol: np.ndarray,
                     t_nm: np.ndarray, t_K: np.ndarray, t_lower: np.ndarray, t_w: np.ndarray,
                     col_tile: np.ndarray, e_g: np.ndarray, e_col: np.ndarray,
                     mx: np.ndarray, cx: np.ndarray, work: np.ndarray, colwork: np.ndarray,
                     f: np.ndarray, grad: bool, ll: np.ndarray, gz: np.ndarray,
                     gk: np.ndarray, gm: np.ndarray, gc: np.ndarray) -> None:  # pragma: no cover
    r"""Log-likelihood of the chosen configurations (and observed votes) and its gradient.

    For each body :math:`g`: :math:`z_c = z^0_c + x_c\cdot\beta`,
    :math:`\ell_g = z_{c^*} + \log P_{c^*} - \log\sum_c e^{z_c} P_c`; with observed votes
    :math:`\ell_g = z_{c^*} - \log\sum_c e^{z_c} P_c + \sum_{j\,\text{obs}}\log
    \Pr(v_j) + \log P^{v}_{c^*}` (:math:`P^v` the pass probability with the observed
    votes fixed; :func:`gametheory.formation.log_vote_probability`). If ``grad``,
    writes the derivatives of :math:`\ell_g` in :math:`\beta_g` (``gz``),
    :math:`\kappa_g` (``gk``) and the utilities' coefficients (``gm``, ``gc``). A body
    whose chosen configuration cannot pass gets :math:`-\infty` and a zero gradient.

    Layout. Every (body, configuration) pair is a *column*; bodies with the same
    active members' weights, quota and side are run side by side in *tiles* (columns
    ``t_c0[t]..t_c0[t] + t_ncol[t]``, members ``0..t_nm[t]-1`` of weights
    ``t_w[t]``, ``t_K[t]`` states), so that the programme's inner loop runs over
    many columns. Entry ``t_eoff[t] + i * t_ncol[t] + l`` is member ``i`` of the
    tile's column ``l``: ``a``, ``expo`` (:math:`e^{-|a|}`), ``u`` and the terms ``mx``,
    ``cx`` are packed so. ``colidx[g, c]`` is the column of configuration ``c`` of
    body ``g``, ``slots[g, i]`` the slot of its ``i``-th active member; ``e_g``,
    ``e_col`` the body and column of each entry. Work arrays, reused between calls
    (fresh ones would be paged in on every call): ``work`` (5, entries), ``colwork``
    (2, columns), ``f`` (members + 1, states, widest tile).
    """
    G, C, F = zx.shape
    NE = a.shape[0]
    NC = col_tile.shape[0]
    P1 = mx.shape[1]
    P2 = cx.shape[1]
    J = t_w.shape[1]
    T = t_eoff.shape[0]
    width = f.shape[2]
    kmax = f.shape[1]
    P = colwork[0]
    wcol = colwork[1]
    dP = work[0]
    st = work[1]
    go = work[2]
    dq = work[3]
    pv = work[4]
    b = np.empty((kmax, width))
    bn = np.empty((kmax, width))
    acc = np.empty(width)
    mem = np.arange(J)
    # the programme, tile by tile
    for t in range(T):
        lw = t_lower[t]
        for e in range(t_eoff[t], t_eoff[t] + t_nm[t] * t_ncol[t]):
            st[e], go[e], dq[e], pv[e] = _vote_probabilities(a[e], expo[e], lw)
        n, nm = t_ncol[t], t_nm[t]
        e0, e1 = t_eoff[t], t_eoff[t] + nm * n
        _body(st[e0:e1].reshape((nm, n)), go[e0:e1].reshape((nm, n)),
              dq[e0:e1].reshape((nm, n)), mem, nm, t_w[t], t_K[t], n, lw, grad, f, b, bn,
              acc, P[t_c0[t]:t_c0[t] + n], dP[e0:e1].reshape((nm, n)))
    # the choice (and the votes), body by body
    for c in range(NC):
        wcol[c] = 0.0
    sc = np.empty(C)
    zs = np.empty(C)
    f1 = np.empty((J + 1, kmax, 1))
    b1 = np.empty((kmax, 1))
    bn1 = np.empty((kmax, 1))
    s1 = np.empty((J, 1))
    g1 = np.empty((J, 1))
    d1 = np.empty((J, 1))
    acc1 = np.empty(1)
    P1v = np.empty(1)
    dP1 = np.zeros((J, 1))
    ent = np.empty(J, np.int64)
    if grad:
        for g in range(G):
            gk[g] = 0.0
            for k in range(F):
                gz[g, k] = 0.0
            for p in range(P1):
                gm[g, p] = 0.0
            for q in range(P2):
                gc[g, q] = 0.0
    for g in range(G):
        n = ncfg[g]
        ch = chosen[g]
        top = -np.inf
        for c in range(n):
            x = z0[g, c]
            for k in range(F):
                x += zx[g, c, k] * zc[g, k]
            zs[c] = x
            pc = P[colidx[g, c]]
            sc[c] = x + np.log(pc) if pc > 0.0 else -np.inf
            top = max(top, sc[c])
        if top == -np.inf or sc[ch] == -np.inf and not has_votes:
            ll[g] = -np.inf
            continue
        tot = 0.0
        for c in range(n):
            tot += np.exp(sc[c] - top)
        lse = top + np.log(tot)
        if not has_votes:
            ll[g] = sc[ch] - lse
        else:
            col = colidx[g, ch]
            t = col_tile[col]
            nm = t_nm[t]
            lv = 0.0
            for i in range(nm):
                e = t_eoff[t] + i * t_ncol[t] + col - t_c0[t]
                ent[i] = e
                j = slots[g, i]
                if vmask[g, j] != 0.0:
                    vj = votes[g, j]
                    s1[i, 0], g1[i, 0] = (1.0 - vj, vj) if t_lower[t] else (vj, 1.0 - vj)
                    d1[i, 0] = 0.0
                    # log sigma(a) to full precision: -log(1 + e^{-|a|}) + min(a, 0)
                    lp = -np.log1p(expo[e]) + min(a[e], 0.0)
                    lv += vj * lp + (1.0 - vj) * (lp - a[e])
                else:
                    s1[i, 0], g1[i, 0], d1[i, 0] = st[e], go[e], dq[e]
            _body(s1, g1, d1, mem, nm, t_w[t], t_K[t], 1, t_lower[t], grad, f1, b1, bn1,
                  acc1, P1v, dP1)
            pfix = P1v[0]
            if pfix <= 0.0 or zs[ch] == -np.inf:
                ll[g] = -np.inf
                continue
            ll[g] = zs[ch] - lse + lv + np.log(pfix)
            if grad:
                for i in range(nm):
                    e = ent[i]
                    j = slots[g, i]
                    if vmask[g, j] != 0.0:
                        da = votes[g, j] - pv[e]
                    else:
                        da = dP1[i, 0] / pfix
                    gk[g] += da * u[e]
                    du = kappa[g] * da
                    for p in range(P1):
                        gm[g, p] += du * mx[e, p]
                    for q in range(P2):
                        gc[g, q] += du * cx[e, q]
        if not grad:
            continue
        for c in range(n):
            pi = np.exp(sc[c] - lse)
            wz = (1.0 if c == ch else 0.0) - pi
            for k in range(F):
                gz[g, k] += wz * zx[g, c, k]
            pc = P[colidx[g, c]]
            wc = wz if not has_votes else -pi
            wcol[colidx[g, c]] = wc / pc if pc > 0.0 else 0.0
    if not grad:
        return
    # the pass probabilities' share of the gradient, entry by entry
    for e in range(NE):
        g = e_g[e]
        if ll[g] == -np.inf:
            continue
        da = wcol[e_col[e]] * dP[e]
        gk[g] += da * u[e]
        du = kappa[g] * da
        for p in range(P1):
            gm[g, p] += du * mx[e, p]
        for q in range(P2):
            gc[g, q] += du * cx[e, q]


@numba.njit(nogil=True, cache=True)
def exp_minus_abs(a: np.ndarray, out: np.ndarray, bits: np.ndarray) -> None:  # pragma: no cover
    r""":math:`e^{-|a|}` of every entry, to within an ulp of the C library's ``exp``.

    :math:`e^{x} = 2^k e^{r}` with :math:`k = \lfloor x/\log 2 + 1/2\rfloor` and
    :math:`|r| \le \log(2)/2` (Cody and Waite's two-part :math:`\log 2`), :math:`e^r` by
    its Taylor polynomial of degree 13 (remainder below :math:`10^{-17}`) and
    :math:`2^k` written as the bits of a double (``bits``, a work array), so that the
    loop vectorises; below :math:`x = -708` (where :math:`2^k` would be subnormal) the
    library's ``exp``. Cody, W. J. and Waite, W. (1980). *Software Manual for the
    Elementary Functions*. Prentice-Hall.
    """
    log2e = 1.4426950408889634
    ln2_hi = 6.93147180369123816490e-01
    ln2_lo = 1.90821492927058770002e-10
    n = a.shape[0]
    for i in range(n):
        x = -abs(a[i])
        x = max(x, -708.0)
        k = math.floor(x * log2e + 0.5)
        r = (x - k * ln2_hi) - k * ln2_lo
        out[i] = 1.0 + r * (1.0 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (
            1 / 120 + r * (1 / 720 + r * (1 / 5040 + r * (1 / 40320 + r * (
                1 / 362880 + r * (1 / 3628800 + r * (1 / 39916800 + r * (
                    1 / 479001600 + r / 6227020800))))))))))))
        bits[i] = (np.int64(k) + 1023) << 52
    scale = bits.view(np.float64)
    for i in range(n):
        out[i] *= scale[i]
    for i in range(n):
        if not -708.0 <= a[i] <= 708.0:            # NaN included
            out[i] = math.exp(-abs(a[i]))


@numba.njit(nogil=True, cache=True)
def formation_value_grad(theta: np.ndarray, out: np.ndarray, e_g: np.ndarray,
                         u0: np.ndarray, mx: np.ndarray, cx: np.ndarray, z0: np.ndarray,
                         zx: np.ndarray, ncfg: np.ndarray, chosen: np.ndarray,
                         colidx: np.ndarray, slots: np.ndarray, votes: np.ndarray,
                         vmask: np.ndarray, has_votes: bool, t_eoff: np.ndarray,
                         t_c0: np.ndarray, t_ncol: np.ndarray, t_nm: np.ndarray,
                         t_K: np.ndarray, t_lower: np.ndarray, t_w: np.ndarray,
                         col_tile: np.ndarray, e_col: np.ndarray, work: np.ndarray,
                         bits: np.ndarray, colwork: np.ndarray, f: np.ndarray,
                         grad: bool) -> None:  # pragma: no cover
    """:func:`formation_loglik` from the coefficients in one call (one dispatch, no
    interpreter between the steps): ``theta`` (G, F + 1 + P1 + P2) holds
    :math:`(\\beta, \\kappa, \\gamma, \\eta)` per body; writes ``out[:, 0]`` the
    log-likelihood and, if ``grad``, ``out[:, 1:]`` its derivatives in ``theta``'s
    order. ``work`` (8, entries) and ``bits`` (entries) are work arrays."""
    G, C, F = zx.shape
    P1 = mx.shape[1]
    zc = np.ascontiguousarray(theta[:, :F])
    kappa = np.ascontiguousarray(theta[:, F])
    mc = np.ascontiguousarray(theta[:, F + 1:F + 1 + P1])
    cc = np.ascontiguousarray(theta[:, F + 1 + P1:])
    u, a, expo = work[5], work[6], work[7]
    pack_logits(kappa, mc, cc, e_g, u0, mx, cx, u, a)
    exp_minus_abs(a, expo, bits)
    ll = np.empty(G)
    gz = np.empty((G, F))
    gk = np.empty(G)
    gm = np.empty((G, P1))
    gc = np.empty((G, cc.shape[1]))
    formation_loglik(a, expo, u, kappa, z0, zx, zc, ncfg, chosen, colidx, slots, votes,
                     vmask, has_votes, t_eoff, t_c0, t_ncol, t_nm, t_K, t_lower, t_w,
                     col_tile, e_g, e_col, mx, cx, work[:5], colwork, f, grad, ll, gz, gk,
                     gm, gc)
    for g in range(G):
        out[g, 0] = ll[g]
        if grad:
            for k in range(F):
                out[g, 1 + k] = gz[g, k]
            out[g, 1 + F] = gk[g]
            for p in range(P1):
                out[g, 2 + F + p] = gm[g, p]
            for q in range(cc.shape[1]):
                out[g, 2 + F + P1 + q] = gc[g, q]
