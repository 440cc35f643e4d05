r"""The appointment log-likelihood and its exact gradient as one compiled loop (numba).

Imported only by :func:`gametheory.restratification.spec.appointment_log_probability`
on the JAX backend, for numpy data, and only when numba is installed (it comes with
pytensor); otherwise the backend's own graph runs. For each observed appointment
situation :math:`s` (a region and a director role) with candidates :math:`d` of
features :math:`z_{sd}` and the appointed :math:`d^*_s`, the conditional logit

.. math::

    \ell_s = u_{s d^*_s} - \log\sum_d e^{u_{sd}}, \qquad u_{sd} = z_{sd}\cdot w_{g(s)},
    \qquad \frac{\partial \ell_s}{\partial w} = z_{s d^*_s} - \sum_d \pi_{sd} z_{sd},

(McFadden 1974) with :math:`\pi` the softmax, the same quantity as the graph of
:func:`~gametheory.restratification.spec.appointment_log_probability`. The caller packs
each situation's candidates at the front (``n_alt``), so the loops run over real
candidates only.

Reference: McFadden, D. (1974). Conditional logit analysis of qualitative choice
behavior. In *Frontiers in Econometrics*, 105-142.
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(nogil=True, cache=True)
def appointment_log_likelihood(theta: np.ndarray, z: np.ndarray, n_alt: np.ndarray,
                               pick: np.ndarray, sit_g: np.ndarray, sit_r: np.ndarray,
                               grad: bool, out: np.ndarray) -> None:  # pragma: no cover
    """``theta`` (B, G, K) coefficients per draw and region; ``z`` (S, D, K) the packed
    candidates of the observed situations, ``n_alt`` (S,) how many, ``pick`` (S,) the
    appointed one's position, ``sit_g``, ``sit_r`` (S,) the region and the role.
    Writes ``out`` (B, G, R, 1 + K): the log-likelihood of each region's roles (0 where
    not observed) and, if ``grad``, its derivatives in ``theta``."""
    B = theta.shape[0]
    S, D, K = z.shape
    u = np.empty(D)
    for b in range(B):
        out[b] = 0.0
        for s in range(S):
            g = sit_g[s]
            r = sit_r[s]
            n = n_alt[s]
            p = pick[s]
            top = -np.inf
            for d in range(max(n, p + 1)):
                x = 0.0
                for k in range(K):
                    x += z[s, d, k] * theta[b, g, k]
                u[d] = x
                if d < n:
                    top = max(top, x)
            up = u[p]
            tot = 0.0
            for d in range(n):
                u[d] = math.exp(u[d] - top)
                tot += u[d]
            out[b, g, r, 0] = (up - top) - math.log(tot)
            if not grad:
                continue
            for k in range(K):
                acc = 0.0
                for d in range(n):
                    acc += u[d] * z[s, d, k]
                out[b, g, r, 1 + k] = z[s, p, k] - acc / tot
