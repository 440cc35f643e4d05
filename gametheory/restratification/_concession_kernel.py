r"""The concession log-likelihood and its exact gradient as one compiled loop (numba).

Imported only by :func:`gametheory.restratification.concessions.package_log_likelihood`
on the JAX backend, for unanimous committees and numpy data, and only when numba is
installed (it comes with pytensor); otherwise the backend's own graph runs. The loop
is, region by region, the chain that graph computes (one implementation of the model,
:func:`~.concessions.committee_values` with
:func:`~gametheory.bargaining.committee.unanimity_values`,
:func:`~.concessions.role_probabilities` and
:func:`~.concessions.observed_cells_log_likelihood`), and then its reverse-mode
derivative by hand:

* recognition :math:`\rho_j = w_j / \sum_i w_i`, :math:`w_0 = e^{\phi}\max(\Pi, 10^{-12})`
  (:math:`\Pi` the committee's power), :math:`w_j = \pi_j`; reservation shares
  :math:`r_j = \omega b_j`; :math:`a_j = \delta\rho_j/(1-\delta)`;
* when the pool covers the reservation values (:math:`R = \sum_j r_j < 1`), the binding
  set :math:`B` from the kinks :math:`t_j = r_j / a_j` (:math:`f(t_j) \ge 0`, no
  derivative), :math:`s = (1 - \sum_{B} r_j)/(1 + \sum_{\notin B} a_j)` and
  :math:`v_j = \rho_j s + \max(a_j s, r_j)`; otherwise :math:`v_j = r_j / \max(R, 1)`;
* role probabilities :math:`p_{kj} = v_j e_{kj}` (divided by the hospitals' total
  :math:`\sum_j v_j e_{kj}` for a kind the network does not keep) and the network's
  :math:`p_{k0}`, the sum of the shares of the members who cannot hold kind :math:`k`;
* the multinomial of the observed cells with the rest merged,
  :math:`\sum_{j} n_{kj}\log p_{kj} + n^{\text{rest}}_k \log p^{\text{rest}}_k` plus the
  constant.

Each region's members are packed at the front of its slots (the director first; the
caller packs them) and the slots are as many as the largest committee's: the loops
have the same length in every region (so their ends are predictable), and a padding
slot adds exact zeros (no share, no power, no reservation value, holds nothing).
Where the graph takes a maximum of two equal numbers its derivative is split half and
half (as JAX's is), so the two derivatives agree at the kinks too. The loops avoid
data-dependent branches (0/1 weights instead), and the positive observed counts come
as a list of cells, so only they take a logarithm.
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(nogil=True, cache=True, error_model="numpy")
def concession_log_likelihood(theta: np.ndarray, power: np.ndarray, base: np.ndarray,
                              hold: np.ndarray, keeps: np.ndarray, unobserved: np.ndarray,
                              cell_start: np.ndarray, cell_kind: np.ndarray,
                              cell_slot: np.ndarray, cell_count: np.ndarray,
                              rest_counts: np.ndarray, scored: np.ndarray, const: np.ndarray,
                              grad: bool, out: np.ndarray) -> None:  # pragma: no cover
    """Log-likelihood ``out[..., 0]`` (B, G) of every region's observed concessions and,
    if ``grad``, its derivatives ``out[..., 1:]`` (B, G, 3) in the parameters.

    ``theta`` (3, B, G): ``harm_weight``, ``proposer_advantage`` and ``patience``
    (one array: a callback from JAX costs per argument). Per region, its chosen
    committee packed at the front of the M slots, the director first (the other slots
    all 0): ``power``
    (G, M) the members' voting power (0 for the director), ``base`` (G, M) the
    reservation share per unit of ``harm_weight``, ``hold`` (G, K, M) 1 where the
    hospital may hold the kind (0 for the director), ``keeps`` (G, K) whether the
    network may keep it, ``unobserved`` (G, K, M) 1 where a hospital's count is not
    observed (0 for the director); the positive observed counts as cells
    ``cell_start[g]:cell_start[g + 1]`` of ``cell_kind``, ``cell_slot``,
    ``cell_count``; ``rest_counts`` (G, K) the rest of each pool, ``scored`` (G, K)
    the kinds with an observed cell and ``const`` (G, K) the multinomial coefficients.
    """
    B, G = theta.shape[1:]
    M = power.shape[1]
    K = hold.shape[1]
    rho = np.empty(M)
    r = np.empty(M)
    a = np.empty(M)
    t = np.empty(M)
    f = np.empty(M)
    bind = np.empty(M)
    v = np.empty(M)
    gv = np.empty(M)
    grho = np.empty(M)
    ga = np.empty(M)
    gr = np.empty(M)
    p = np.empty((K, M))
    gp = np.empty((K, M))
    scale = np.empty(K)
    held = np.empty(K)
    rest_raw = np.empty(K)
    rest_p = np.empty(K)
    lk = np.empty(K)
    for b in range(B):
        for g in range(G):
            n = M
            om, de = theta[0, b, g], theta[2, b, g]
            total = 0.0
            for j in range(n):
                total += power[g, j]
            w0 = math.exp(theta[1, b, g]) * max(total, 1e-12)
            S = w0 + total
            R = 0.0
            odd = 1.0 - de
            for j in range(n):
                rho[j] = (w0 if j == 0 else power[g, j]) / S
                r[j] = om * base[g, j]
                a[j] = de * rho[j] / odd
                R += r[j]
            covered = R < 1.0
            s = 0.0
            den = 1.0
            Rm = max(R, 1.0)
            if covered:
                # f at every kink t_i (the members without a kink bind)
                for i in range(n):
                    live = a[i] > 0.0
                    t[i] = r[i] / (a[i] if live else 1.0) if live else 0.0
                    f[i] = t[i]
                for j in range(n):
                    aj, rj = a[j], r[j]
                    for i in range(n):
                        f[i] += max(aj * t[i], rj)
                sum_r = 0.0
                sum_a = 0.0
                for i in range(n):
                    bi = 1.0 if (a[i] <= 0.0 or f[i] - 1.0 >= 0.0) else 0.0
                    bind[i] = bi
                    sum_r += bi * r[i]
                    sum_a += (1.0 - bi) * a[i]
                den = 1.0 + sum_a
                s = (1.0 - sum_r) / den
                for j in range(n):
                    v[j] = rho[j] * s + max(a[j] * s, r[j])
            else:
                for j in range(n):
                    v[j] = r[j] / Rm
            for k in range(K):
                lk[k] = 0.0
                if not scored[g, k]:
                    continue
                h = 0.0
                rest = 0.0
                for j in range(n):
                    e = hold[g, k, j]
                    h += v[j] * e
                    rest += v[j] * (1.0 - e)
                held[k] = h
                if keeps[g, k]:
                    sc = 1.0
                    p0 = rest
                else:
                    sc = 1.0 / max(h, 1e-300)
                    p0 = 0.0 if h > 0.0 else 1.0
                scale[k] = sc
                unobs = 0.0
                for j in range(n):
                    pj = (v[j] * hold[g, k, j]) * sc
                    p[k, j] = pj
                    unobs += pj * unobserved[g, k, j]
                rest_raw[k] = p0 + unobs
                rest_p[k] = max(rest_raw[k], 0.0)
                if rest_counts[g, k] > 0.5:
                    lk[k] = rest_counts[g, k] * math.log(rest_p[k])
            for c in range(cell_start[g], cell_start[g + 1]):
                k = cell_kind[c]
                lk[k] += cell_count[c] * math.log(p[k, cell_slot[c]])
            value = 0.0
            for k in range(K):
                if scored[g, k]:
                    value += lk[k] + const[g, k]
            out[b, g, 0] = value
            if not grad:
                continue
            # ---- reverse mode: the cotangents of the role probabilities, then the shares
            for k in range(K):
                if not scored[g, k]:
                    continue
                g_rest = 0.0
                if rest_counts[g, k] > 0.5:
                    tie = 1.0 if rest_raw[k] > 0.0 else (0.5 if rest_raw[k] == 0.0 else 0.0)
                    g_rest = rest_counts[g, k] / rest_p[k] * tie
                rest_p[k] = g_rest                  # from here on: the cotangent of p_k0
                for j in range(n):
                    gp[k, j] = g_rest * unobserved[g, k, j]
            for c in range(cell_start[g], cell_start[g + 1]):
                k, j = cell_kind[c], cell_slot[c]
                gp[k, j] += cell_count[c] / p[k, j]
            for j in range(n):
                gv[j] = 0.0
            for k in range(K):
                if not scored[g, k]:
                    continue
                g0 = rest_p[k]
                if keeps[g, k]:
                    for j in range(n):
                        e = hold[g, k, j]
                        gv[j] += e * gp[k, j] + (1.0 - e) * g0
                else:
                    sc = scale[k]
                    g_scale = 0.0
                    for j in range(n):
                        e = hold[g, k, j]
                        gv[j] += e * gp[k, j] * sc
                        g_scale += e * gp[k, j] * v[j]
                    if held[k] >= 1e-300:
                        g_held = -g_scale * sc * sc * (0.5 if held[k] == 1e-300 else 1.0)
                        for j in range(n):
                            gv[j] += hold[g, k, j] * g_held
            for j in range(n):
                grho[j] = 0.0
                ga[j] = 0.0
                gr[j] = 0.0
            if covered:
                gs = 0.0
                for j in range(n):
                    x = a[j] * s
                    up = 1.0 if x > r[j] else (0.5 if x == r[j] else 0.0)
                    grho[j] += gv[j] * s
                    gs += gv[j] * rho[j] + up * gv[j] * a[j]
                    ga[j] += up * gv[j] * s
                    gr[j] += (1.0 - up) * gv[j]
                g_num = gs / den
                g_den = -gs * s / den
                for j in range(n):
                    gr[j] -= bind[j] * g_num
                    ga[j] += (1.0 - bind[j]) * g_den
            else:
                g_rm = 0.0
                for j in range(n):
                    gr[j] += gv[j] / Rm
                    g_rm -= gv[j] * r[j] / (Rm * Rm)
                if R == 1.0:
                    g_rm *= 0.5
                for j in range(n):
                    gr[j] += g_rm
            g_om = 0.0
            g_de = 0.0
            for j in range(n):
                grho[j] += ga[j] * de / odd
                g_de += ga[j] * rho[j] / (odd * odd)
                g_om += gr[j] * base[g, j]
            dot = 0.0
            for j in range(n):
                dot += grho[j] * rho[j]
            out[b, g, 1] = g_om
            out[b, g, 2] = (grho[0] - dot) / S * w0
            out[b, g, 3] = g_de
