r"""Logit quantal response equilibrium (QRE) of two-player games.

Representation
--------------
For payoff matrices :math:`A, B` (``m x n``) and precision
:math:`\lambda \ge 0`, a logit QRE is a profile :math:`(x, y)` with

.. math::

    x_i = \frac{e^{\lambda (A y)_i}}{\sum_k e^{\lambda (A y)_k}}, \qquad
    y_j = \frac{e^{\lambda (B^\top x)_j}}{\sum_l e^{\lambda (B^\top x)_l}}.

At :math:`\lambda = 0` play is uniform; the *principal branch* is the
unique curve of solutions that starts there, and as
:math:`\lambda \to \infty` it converges to a Nash equilibrium (the logit
tracing selection; McKelvey and Palfrey 1995). Payoffs are used as given
(no normalisation), the convention of Gambit.

The branch is traced in the unknowns :math:`z = (\log x, \log y, \lambda)`
by predictor–corrector continuation along arclength: the tangent is the
null vector of the Jacobian of the equations (from a QR factorisation), the
predictor steps along it, and Newton's method corrects back to the curve
under an arclength constraint, with adaptive step length (Allgower and Georg
1990; Turocy 2005). Working with log-probabilities keeps the equations well
conditioned as probabilities vanish, so the branch can be followed to large
:math:`\lambda`. Profiles at requested :math:`\lambda` values are found by
Newton's method at fixed :math:`\lambda` from the bracketing branch points
(the first crossing on the branch, where it bends back). For generic games
the principal branch is a smooth curve; games with extra symmetry (e.g. a
battle of the sexes whose payoffs are invariant under swapping the roles)
can meet a pitchfork bifurcation, where the continuation stays on the
symmetric branch while other tracers (e.g. Gambit) may leave it.

:func:`logit_estimate` fits :math:`\lambda` by maximum likelihood to
observed action counts: it maximises
:math:`\sum_i n^1_i \log x_i + \sum_j n^2_j \log y_j` over the principal
branch (the global maximum along the branch, refined by bisection on the
derivative along the branch), the estimator of McKelvey and Palfrey (1995)
and Bland and Turocy (2023).

References
----------
McKelvey, R. D. and Palfrey, T. R. (1995). Quantal response equilibria for
normal form games. *Games and Economic Behavior* 10, 6–38.
Turocy, T. L. (2005). A dynamic homotopy interpretation of the logistic
quantal response equilibrium correspondence. *Games and Economic Behavior*
51, 243–263.
Allgower, E. L. and Georg, K. (1990). *Numerical Continuation Methods*.
Springer.
Bland, J. R. and Turocy, T. L. (2023). Quantal response equilibrium as a
structural model for estimation: the missing manual. SSRN 4425515.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ConvergenceError, InvalidArgumentError
from ..results import frozen_array
from ._payoffs import bimatrix

__all__ = ["QREBranch", "QREProfile", "QREEstimate", "logit_qre", "logit_qre_branch",
           "logit_estimate"]


@dataclass(frozen=True, eq=False)
class QREProfile:
    """A logit QRE on the principal branch.

    Attributes
    ----------
    lam : float
        Precision :math:`\\lambda`.
    x, y : ndarray
        Row and column players' mixed strategies.
    """

    lam: float
    x: np.ndarray
    y: np.ndarray

    def __iter__(self) -> Any:
        return iter((self.x, self.y))


@dataclass(frozen=True, eq=False)
class QREBranch:
    """Points of the principal branch, in tracing order.

    Attributes
    ----------
    lam : ndarray
        :math:`\\lambda` at each accepted point (may decrease where the branch bends).
    x, y : ndarray
        ``(k, m)`` and ``(k, n)`` profiles.
    info : dict
        Steps taken, rejected steps, largest corrector residual.
    """

    lam: np.ndarray
    x: np.ndarray
    y: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.lam)

    def __getitem__(self, k: int) -> QREProfile:
        return QREProfile(float(self.lam[k]), self.x[k], self.y[k])


@dataclass(frozen=True, eq=False)
class QREEstimate:
    """Maximum-likelihood fit of the logit QRE.

    Attributes
    ----------
    lam : float
        Estimated precision.
    profile : QREProfile
        The QRE at the estimate.
    log_like : float
        Log-likelihood of the counts at the estimate.
    counts : tuple of ndarray
    """

    lam: float
    profile: QREProfile
    log_like: float
    counts: tuple[np.ndarray, np.ndarray]
    info: dict[str, Any] = field(default_factory=dict)


class _System:
    """QRE equations in z = (log x, log y, lam)."""

    def __init__(self, A: np.ndarray, B: np.ndarray):
        self.A, self.B = A, B
        self.m, self.n = A.shape
        self.N = self.m + self.n
        m, N = self.m, self.N
        self.dA = A[1:] - A[0]                    # (m-1, n)
        self.dBT = B.T[1:] - B.T[0]               # (n-1, m)
        # the constant part of the Jacobian (the -1 / identity blocks)
        J0 = np.zeros((N, N + 1))
        J0[:m - 1, 0] = -1.0
        J0[np.arange(m - 1), np.arange(1, m)] = 1.0
        J0[m:N - 1, m] = -1.0
        J0[np.arange(m, N - 1), np.arange(m + 1, N)] = 1.0
        self.J0 = J0

    def split(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        return z[:self.m], z[self.m:self.N], float(z[self.N])

    def HJ(self, z: np.ndarray, out: np.ndarray | None = None,
           want_J: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """Residual and (into *out*, N x (N+1)) Jacobian at *z*."""
        m, N = self.m, self.N
        u, v, lam = z[:m], z[m:N], float(z[N])
        x, y = np.exp(u), np.exp(v)
        ay = self.dA @ y
        bx = self.dBT @ x
        r = np.empty(N)
        r[:m - 1] = u[1:] - u[0] - lam * ay
        r[m - 1] = x.sum() - 1.0
        r[m:N - 1] = v[1:] - v[0] - lam * bx
        r[N - 1] = y.sum() - 1.0
        if not want_J:
            return r, None
        Jm = out if out is not None else np.empty((N, N + 1))
        Jm[:] = self.J0
        Jm[:m - 1, m:N] = -lam * self.dA * y
        Jm[:m - 1, N] = -ay
        Jm[m - 1, :m] = x
        Jm[m:N - 1, :m] = -lam * self.dBT * x
        Jm[m:N - 1, N] = -bx
        Jm[N - 1, m:N] = y
        return r, Jm

    def H(self, z: np.ndarray) -> np.ndarray:
        return self.HJ(z, want_J=False)[0]

    def J(self, z: np.ndarray) -> np.ndarray:
        Jm = self.HJ(z)[1]
        assert Jm is not None
        return Jm


def _tangent(J: np.ndarray, prev: np.ndarray | None) -> np.ndarray:
    """Unit null vector of the N x (N+1) Jacobian, oriented like *prev*.

    With a previous tangent the bordered system ``[J; prev] t = e_{N+1}`` gives the
    null vector with one LU solve (its solution has ``prev . t = 1 > 0``, so the
    orientation is kept); the first tangent, or a singular border, uses QR.
    """
    if prev is not None:
        M = np.vstack([J, prev])
        rhs = np.zeros(M.shape[0])
        rhs[-1] = 1.0
        try:
            t = np.linalg.solve(M, rhs)
            nrm = np.linalg.norm(t)
            if np.isfinite(nrm) and nrm > 0:
                return t / nrm
        except np.linalg.LinAlgError:
            pass
    q, _ = np.linalg.qr(J.T, mode="complete")
    t = q[:, -1]
    if prev is None:
        if t[-1] < 0:
            t = -t
    elif t @ prev < 0:
        t = -t
    return t


def _correct(sys: _System, zp: np.ndarray, t: np.ndarray, maxit: int = 10,
             tol: float = 1e-12) -> tuple[np.ndarray, bool, int]:
    """Newton on H(z) = 0 with t . (z - zp) = 0 (a trial that overflows fails)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _correct_raw(sys, zp, t, maxit, tol)


def _correct_raw(sys: _System, zp: np.ndarray, t: np.ndarray, maxit: int,
                 tol: float) -> tuple[np.ndarray, bool, int]:
    N = sys.N
    z = zp.copy()
    if np.max(zp[:N]) > 1.0:          # a log-probability above 1: far off the branch
        return z, False, 0
    M = np.empty((N + 1, N + 1))
    M[N] = t
    rhs = np.empty(N + 1)
    for k in range(maxit):
        r, _ = sys.HJ(z, out=M[:N])
        rhs[:N] = -r
        rhs[N] = -(t @ (z - zp))
        if not (np.isfinite(M).all() and np.isfinite(rhs).all()):
            return z, False, k
        try:
            dz = np.linalg.solve(M, rhs)
        except np.linalg.LinAlgError:
            return z, False, k
        z = z + dz
        if np.abs(dz).max() < tol * max(1.0, float(np.abs(z).max())):
            return z, bool(np.abs(sys.H(z)).max() < 1e-9), k + 1
    return z, bool(np.abs(sys.H(z)).max() < 1e-10), maxit


def _at_lambda(sys: _System, z0: np.ndarray, lam: float, tol: float = 1e-14) -> np.ndarray:
    """Newton at fixed lambda from z0."""
    N = sys.N
    z = z0.copy()
    z[N] = lam
    with np.errstate(over="ignore", invalid="ignore"):
        z = _newton_fixed(sys, z, tol)
    if not np.all(np.isfinite(z)) or np.max(np.abs(sys.H(z))) > 1e-9:
        raise ConvergenceError("logit QRE at fixed lambda", "newton",
                               f"residual {np.max(np.abs(sys.H(z))):.3g} at lambda={lam}",
                               "Report the game; try a smaller max_step")
    return z


def _newton_fixed(sys: _System, z: np.ndarray, tol: float) -> np.ndarray:
    N = sys.N
    for _ in range(50):
        r, Jf = sys.HJ(z)
        assert Jf is not None
        try:
            dz = np.linalg.solve(Jf[:, :N], -r)
        except np.linalg.LinAlgError:
            break
        z[:N] += dz
        if not np.all(np.isfinite(dz)) or \
                np.max(np.abs(dz)) < tol * max(1.0, float(np.max(np.abs(z[:N])))):
            break
    return z


def _trace(sys: _System, lam_max: float, first_step: float, max_step: float,
           targets: Sequence[float] = (), on_point: Any = None,
           max_steps: int = 100_000) -> tuple[list[np.ndarray], dict[float, np.ndarray],
                                              dict[str, Any]]:
    r"""Predictor–corrector continuation of the branch from lambda = 0 to *lam_max*.

    The arclength step adapts to the corrector's effort and may grow with
    :math:`\lambda` (up to ``max(max_step, lambda)``): far out on the branch
    the log-probabilities of inferior strategies fall linearly in
    :math:`\lambda`, so steps proportional to :math:`\lambda` keep the number
    of steps logarithmic in *lam_max* (a trace to :math:`10^6` takes a few
    hundred steps). *on_point(z, zn, t, tn)* is called after each accepted step
    with both end points and their tangents.
    """
    m, n, N = sys.m, sys.n, sys.N
    z = np.concatenate([np.full(m, -np.log(m)), np.full(n, -np.log(n)), [0.0]])
    pts = [z.copy()]
    found: dict[float, np.ndarray] = {}
    pending = sorted(set(float(t) for t in targets))
    for lt in list(pending):
        if lt == 0.0:
            found[lt] = z.copy()
            pending.remove(lt)
    h = first_step
    t = _tangent(sys.J(z), None)
    steps = rejected = 0
    while z[N] < lam_max:
        if steps >= max_steps:
            raise ConvergenceError("logit QRE continuation", "steps",
                                   f"{max_steps} steps reached at lambda={z[N]:.6g}",
                                   "Rescale the payoffs or lower lam")
        while True:
            zp = z + h * t
            zn, ok, its = _correct(sys, zp, t)
            # guards against jumping to another sheet of the branch (near folds): the
            # corrector stays close to the prediction, and the tangent turns little
            if ok and zn[N] >= -1e-12 and np.linalg.norm(zn - zp) <= 0.25 * h + 1e-9:
                t_new = _tangent(sys.J(zn), t)
                if t_new @ t > 0.8:
                    break
            rejected += 1
            h /= 2.0
            if h < 1e-12:
                raise ConvergenceError("logit QRE continuation", "step",
                                       f"step length underflow at lambda={z[N]:.6g}",
                                       "Rescale the payoffs or lower lam")
        steps += 1
        lo, hi = z[N], zn[N]
        for lt in list(pending):
            if lo <= lt <= hi or (lt > lam_max and hi >= lam_max):
                w = (lt - lo) / (hi - lo) if hi != lo else 1.0
                found[lt] = _at_lambda(sys, z + w * (zn - z), lt)
                pending.remove(lt)
        if on_point is not None:
            on_point(z, zn, t, t_new)
        z = zn
        pts.append(z.copy())
        t = t_new
        cap = max(max_step, float(z[N]))
        h = min(cap, h * (2.0 if its <= 3 else (1.0 if its <= 5 else 0.6)))
    return pts, found, {"steps": steps, "rejected": rejected}


def _check_lams(lam: Any) -> tuple[np.ndarray, bool]:
    arr = np.asarray(lam, dtype=float)
    scalar = arr.ndim == 0
    arr = np.atleast_1d(arr)
    if arr.ndim != 1 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise InvalidArgumentError("lam", lam, "precision must be finite and non-negative",
                                   "Pass lam >= 0 (a float or a list of floats)")
    return arr, scalar


def logit_qre(A: Any, B: Any = None, lam: Any = 1.0, *, first_step: float = 0.03,
              max_step: float = 5.0) -> QREProfile | list[QREProfile]:
    r"""Logit QRE on the principal branch at one or several precisions.

    Solves :math:`x = \sigma(\lambda A y)`, :math:`y = \sigma(\lambda B^\top x)`
    (:math:`\sigma` the softmax) by tracing the principal branch from
    :math:`\lambda = 0` (see the module docstring).

    Parameters
    ----------
    A, B : (m, n) payoff matrices (``B=None``: zero-sum)
    lam : float or sequence of floats >= 0
        Precision(s) wanted.
    first_step, max_step : float
        Initial and largest arclength step of the continuation.

    Returns
    -------
    QREProfile or list of QREProfile
        One profile per requested :math:`\lambda` (a list when *lam* is a
        sequence, in the order given).

    References
    ----------
    McKelvey and Palfrey (1995); Turocy (2005).

    Examples
    --------
    >>> q = logit_qre([[3, 0], [5, 1]], [[3, 5], [0, 1]], lam=1.0)
    >>> q.x.round(6).tolist()
    [0.226751, 0.773249]
    """
    Am, Bm = bimatrix(A, B)
    lams, scalar = _check_lams(lam)
    sys = _System(Am, Bm)
    lam_max = float(lams.max()) if lams.size else 0.0
    _, found, _ = _trace(sys, lam_max, first_step, max_step, targets=lams.tolist())
    out = []
    for lt in lams:
        z = found[float(lt)]
        u, v, _ = sys.split(z)
        out.append(QREProfile(float(lt), frozen_array(np.exp(u)), frozen_array(np.exp(v))))
    return out[0] if scalar else out


def logit_qre_branch(A: Any, B: Any = None, lam_max: float = 100.0, *,
                     first_step: float = 0.03, max_step: float = 5.0) -> QREBranch:
    r"""Trace the principal logit-QRE branch from :math:`\lambda = 0` to *lam_max*.

    Parameters
    ----------
    A, B : (m, n) payoff matrices (``B=None``: zero-sum)
    lam_max : float
        Stop at the first branch point with :math:`\lambda \ge` *lam_max*.
    first_step, max_step : float
        Initial and largest arclength step.

    Returns
    -------
    QREBranch

    References
    ----------
    Turocy (2005); Allgower and Georg (1990).

    Examples
    --------
    >>> br = logit_qre_branch([[1, -1], [-1, 1]], lam_max=10)
    >>> br.x[-1].round(6).tolist()
    [0.5, 0.5]
    """
    Am, Bm = bimatrix(A, B)
    lm, _ = _check_lams(lam_max)
    sys = _System(Am, Bm)
    pts, _, info = _trace(sys, float(lm[0]), first_step, max_step)
    Z = np.array(pts)
    return QREBranch(lam=frozen_array(Z[:, sys.N]), x=frozen_array(np.exp(Z[:, :sys.m])),
                     y=frozen_array(np.exp(Z[:, sys.m:sys.N])), info=info)


def logit_estimate(A: Any, B: Any = None, counts: Any = None, *, lam_max: float = 1e3,
                   first_step: float = 0.03, max_step: float = 5.0) -> QREEstimate:
    r"""Maximum-likelihood precision of the logit QRE from observed action counts.

    .. math::

        \hat\lambda = \arg\max_{\lambda} \sum_i n^1_i \log x_i(\lambda)
                      + \sum_j n^2_j \log y_j(\lambda),

    maximised over the principal branch up to *lam_max* (a maximum at the
    end of the range is reported with ``info["at_bound"] = True``).

    Parameters
    ----------
    A, B : (m, n) payoff matrices (``B=None``: zero-sum)
    counts : pair of arrays
        ``(row_counts, column_counts)``: how often each strategy was observed
        (non-negative; proportions work too, but the log-likelihood then is
        per observation).
    lam_max : float
        Largest precision considered.
    first_step, max_step : float
        Continuation steps.

    Returns
    -------
    QREEstimate

    References
    ----------
    McKelvey and Palfrey (1995); Bland and Turocy (2023).

    Examples
    --------
    >>> est = logit_estimate([[3, 0], [5, 1]], [[3, 5], [0, 1]], counts=([10, 30], [25, 15]))
    >>> round(est.lam, 4)
    0.1748
    """
    Am, Bm = bimatrix(A, B)
    m, n = Am.shape
    if counts is None or len(counts) != 2:
        raise InvalidArgumentError("counts", counts, "need (row_counts, column_counts)",
                                   "Pass a pair of arrays of observed strategy counts")
    c1 = np.asarray(counts[0], dtype=float)
    c2 = np.asarray(counts[1], dtype=float)
    if c1.shape != (m,) or c2.shape != (n,):
        raise InvalidArgumentError("counts", counts,
                                   f"shapes {c1.shape} and {c2.shape} for a {m}x{n} game",
                                   f"Give {m} row counts and {n} column counts")
    if not (np.all(np.isfinite(c1)) and np.all(np.isfinite(c2))) or np.any(c1 < 0) or \
            np.any(c2 < 0) or c1.sum() + c2.sum() <= 0:
        raise InvalidArgumentError("counts", counts, "counts must be finite, non-negative "
                                   "and not all zero", "Pass observed frequencies")
    sys = _System(Am, Bm)
    N = sys.N
    cc = np.concatenate([c1, c2])

    def loglik(z: np.ndarray) -> float:
        return float(cc @ z[:N])

    def dlds(z: np.ndarray, t: np.ndarray) -> float:
        return float(cc @ t[:N])

    best = {"L": loglik(np.concatenate([np.full(m, -np.log(m)), np.full(n, -np.log(n)),
                                        [0.0]])), "z": None}
    z0 = np.concatenate([np.full(m, -np.log(m)), np.full(n, -np.log(n)), [0.0]])
    best["z"] = z0
    maxima: list[np.ndarray] = []

    def on_point(z: np.ndarray, zn: np.ndarray, tz: np.ndarray, tn: np.ndarray) -> None:
        f_lo, f_hi = dlds(z, tz), dlds(zn, tn)
        if f_lo > 0 >= f_hi:
            # root of dL/ds on the step: Illinois (regula falsi) on the chord parameter,
            # each trial point corrected back to the branch
            a, b, fa, fb = 0.0, 1.0, f_lo, f_hi
            zm = zn
            side = 0
            for _ in range(60):
                w = (a * fb - b * fa) / (fb - fa)
                zc, ok, _ = _correct(sys, z + w * (zn - z), tz)
                if not ok:
                    break
                zm = zc
                fm = dlds(zm, _tangent(sys.J(zm), tz))
                if fm > 0:
                    a, fa = w, fm
                    if side == -1:
                        fb /= 2.0
                    side = -1
                else:
                    b, fb = w, fm
                    if side == 1:
                        fa /= 2.0
                    side = 1
                if abs(fm) < 1e-13 * max(1.0, float(np.abs(cc).sum())) or b - a < 1e-15:
                    break
            maxima.append(zm)
        if loglik(zn) > best["L"]:
            best["L"], best["z"] = loglik(zn), zn

    _, _, trace_info = _trace(sys, lam_max, first_step, max_step, on_point=on_point)
    cands = [best["z"]] + [_at_lambda(sys, zz, float(zz[N])) for zz in maxima]
    zbest = max(cands, key=loglik)
    at_bound = zbest is best["z"] and not maxima and float(zbest[N]) >= lam_max
    u, v, lam = sys.split(zbest)
    prof = QREProfile(lam, frozen_array(np.exp(u)), frozen_array(np.exp(v)))
    return QREEstimate(lam=lam, profile=prof, log_like=loglik(zbest),
                       counts=(frozen_array(c1), frozen_array(c2)),
                       info={**trace_info, "local_maxima": [float(zz[N]) for zz in maxima],
                             "at_bound": bool(at_bound), "lam_max": lam_max})
