r"""The Laplace approximation of a posterior, and NUTS preconditioned by it.

Representation: a log density :math:`\log p(x)` on the sampler's unconstrained space
:math:`x \in \mathbb{R}^d`, given as a function returning the value and its exact
gradient. Its Laplace approximation is :math:`N(m, H^{-1})` with :math:`m` the mode
and :math:`H = -\nabla^2 \log p(m)`. Writing :math:`H = V \Lambda V^\top` and

.. math::

    x = m + L z, \qquad L = V \Lambda^{-1/2}, \qquad L L^\top = H^{-1},

the density of :math:`z` is :math:`p(m + L z)\,|\det L|` (its log differs from
:math:`\log p(m + Lz)` by a constant), with gradient :math:`L^\top \nabla \log p`.
Sampling :math:`z` with NUTS and mapping the draws back is sampling :math:`x` with
the dense mass matrix :math:`M^{-1} = H^{-1}` (Neal 2011, section 4.1: a linear
transformation of the position is equivalent to a mass matrix), on top of which the
sampler still adapts its own diagonal during tuning. The draws are exact draws of
:math:`p`: the approximation only chooses the coordinates, so where the posterior is
nearly Gaussian (a large data set) the first tuning steps already see a well
scaled target instead of spending their longest trajectories on learning the
scales.

The mode is found by L-BFGS (scipy) from a finite starting point; :math:`H` by
central differences of the exact gradient, symmetrised, in two passes: a small step
gives each coordinate's scale :math:`H_{jj}^{-1/2}`, then steps of
:data:`HESSIAN_RELATIVE_STEP` times that scale give the curvature over the width the
sampler moves in (a piecewise-smooth density, e.g. a constraint that starts to bind,
has kinks where tiny steps give meaningless curvatures). Eigenvalues below
:data:`EIGENVALUE_FLOOR` times the largest (flat or non-concave directions at the
mode) are raised to that floor and counted in ``n_floored``.

References
----------
Neal, R. M. (2011). MCMC using Hamiltonian dynamics. In *Handbook of Markov Chain
Monte Carlo*, ch. 5. Chapman & Hall/CRC. Nocedal, J. and Wright, S. J. (2006).
*Numerical Optimization*, 2nd ed., ch. 7 (L-BFGS) and 8.1 (finite-difference
Hessians). Springer.

Examples
--------
>>> import numpy as np
>>> S = np.array([[2.0, 0.9], [0.9, 1.0]])           # a Gaussian N(1, S)
>>> P = np.linalg.inv(S)
>>> f = lambda x: (-0.5 * (x - 1) @ P @ (x - 1), -P @ (x - 1))
>>> la = laplace_approximation(f, np.zeros(2))
>>> np.round(la.mode, 4).tolist(), np.allclose(la.covariance, S, atol=1e-6)
([1.0, 1.0], True)
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import EstimationError

#: eigenvalues of the negative Hessian below this fraction of the largest are raised to it
EIGENVALUE_FLOOR = 1e-8
#: step of the first pass of central differences of the gradient (relative to |x|, at least 1)
HESSIAN_STEP = 1e-5
#: step of the second pass, as a fraction of each coordinate's scale from the first
HESSIAN_RELATIVE_STEP = 0.1

LogDensity = Callable[[np.ndarray], tuple[float, np.ndarray]]


@dataclass(frozen=True)
class LaplaceApproximation:
    r"""A mode :math:`m` of a log density and the scale :math:`L` with
    :math:`L L^\top = H^{-1}` there (module docstring).

    Attributes
    ----------
    mode : ndarray (d,)
    log_density : float
        :math:`\log p(m)`.
    scale : ndarray (d, d)
        :math:`L = V \Lambda^{-1/2}`.
    eigenvalues : ndarray (d,)
        Of :math:`H` as computed (before the floor), ascending.
    n_floored : int
        Eigenvalues raised to the floor (flat or non-concave directions).
    n_evaluations : int
        Evaluations of the log density (optimiser and Hessian).
    seconds : float
    converged : bool
        The optimiser's verdict.
    """

    mode: np.ndarray
    log_density: float
    scale: np.ndarray
    eigenvalues: np.ndarray
    n_floored: int
    n_evaluations: int
    seconds: float
    converged: bool

    @property
    def covariance(self) -> np.ndarray:
        r""":math:`H^{-1} = L L^\top` (with the floor applied)."""
        return self.scale @ self.scale.T

    @property
    def condition_number(self) -> float:
        """Largest over smallest eigenvalue of :math:`H` after the floor."""
        lam = np.maximum(self.eigenvalues, EIGENVALUE_FLOOR * self.eigenvalues.max())
        return float(lam.max() / lam.min())

    def to_position(self, z: np.ndarray) -> np.ndarray:
        """:math:`x = m + L z`."""
        return self.mode + self.scale @ z


def _finite_start(f: LogDensity, starts: Callable[[int], np.ndarray], tries: int
                  ) -> np.ndarray:
    for i in range(tries):
        x = np.asarray(starts(i), dtype=float)
        v, g = f(x)
        if np.isfinite(v) and np.all(np.isfinite(g)):
            return x
    raise EstimationError("start", f"{tries} starting points",
                          "the log density is not finite at any of them",
                          "Check the model's priors and data, or use mass_matrix='diag'")


def laplace_approximation(f: LogDensity, start: np.ndarray | Callable[[int], np.ndarray],
                          *, tries: int = 50, max_iterations: int = 2000
                          ) -> LaplaceApproximation:
    r"""The mode of ``f`` and the inverse square root of its negative Hessian there.

    Parameters
    ----------
    f : callable
        ``f(x) -> (log p(x), gradient)`` on :math:`\mathbb{R}^d` (numpy arrays).
    start : ndarray or callable
        A starting point, or ``start(i)`` giving the ``i``-th candidate; the first
        with a finite density and gradient is used (at most ``tries``).
    tries : int
    max_iterations : int
        Of L-BFGS; when it stops short, the result's ``converged`` is False and the
        Hessian is taken where it stopped.

    Returns
    -------
    LaplaceApproximation

    Raises
    ------
    EstimationError
        No finite starting point, or a non-finite value at the mode.

    Examples
    --------
    >>> f = lambda x: (-0.5 * float(x @ x) / 4.0, -x / 4.0)     # N(0, 4 I)
    >>> la = laplace_approximation(f, np.ones(3))
    >>> np.allclose(la.covariance, 4 * np.eye(3))
    True
    """
    from scipy.optimize import minimize

    t0 = time.perf_counter()
    count = [0]

    def counted(x: np.ndarray) -> tuple[float, np.ndarray]:
        count[0] += 1
        v, g = f(np.ascontiguousarray(x, dtype=float))
        return float(v), np.asarray(g, dtype=float)

    if callable(start):
        x0 = _finite_start(counted, start, tries)
    else:
        fixed = np.asarray(start, dtype=float)
        x0 = _finite_start(counted, lambda i: fixed, 1)

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        v, g = counted(x)
        if not (np.isfinite(v) and np.all(np.isfinite(g))):
            return np.inf, np.zeros_like(x)         # the line search steps back
        return -v, -g

    opt = minimize(objective, x0, jac=True, method="L-BFGS-B", options={"maxiter": max_iterations})
    m = np.asarray(opt.x, dtype=float)
    v, _ = counted(m)
    if not np.isfinite(v):
        raise EstimationError("mode", m, "the log density is not finite at the optimum",
                              "Use mass_matrix='diag'")
    d = m.size

    def hessian(steps: np.ndarray) -> np.ndarray:
        H = np.empty((d, d))
        for j in range(d):
            e = np.zeros(d)
            e[j] = steps[j]
            H[:, j] = -(counted(m + e)[1] - counted(m - e)[1]) / (2.0 * steps[j])
        return 0.5 * (H + H.T)

    # a first pass gives each coordinate's scale; the second differences over a tenth
    # of it, so that kinks of a piecewise-smooth density (a constraint that starts to
    # bind) within a tiny step do not decide the curvature the sampler sees
    H = hessian(HESSIAN_STEP * np.maximum(1.0, np.abs(m)))
    diag = np.diag(H)
    scale = np.where(np.isfinite(diag) & (diag > 0), 1.0 / np.sqrt(np.abs(diag)), 1.0)
    H = hessian(np.clip(HESSIAN_RELATIVE_STEP * scale, 1e-7, 1.0))
    if not np.all(np.isfinite(H)):
        raise EstimationError("hessian", "non-finite entries", "the gradient is not "
                              "finite next to the mode", "Use mass_matrix='diag'")
    lam, V = np.linalg.eigh(H)
    top = max(float(lam.max()), 0.0)
    if top <= 0.0:
        raise EstimationError("hessian", lam, "no direction is concave at the optimum",
                              "Use mass_matrix='diag'")
    floor = EIGENVALUE_FLOOR * top
    return LaplaceApproximation(
        mode=m, log_density=float(v), scale=V / np.sqrt(np.maximum(lam, floor)),
        eigenvalues=lam, n_floored=int(np.sum(lam < floor)), n_evaluations=count[0],
        seconds=time.perf_counter() - t0, converged=bool(opt.success))


def preconditioned_nutpie(compiled: Any, seed: int, *, spread: float = 1.0
                          ) -> tuple[Any, LaplaceApproximation]:
    r"""A nutpie-compiled model sampled in the coordinates :math:`z` of its Laplace
    approximation (module docstring), with the approximation.

    The returned model's log density at :math:`z` is that of the original at
    :math:`m + Lz` (a constant apart) with gradient :math:`L^\top\nabla\log p`, and its
    draws are mapped back to the original variables, so its trace is the original
    model's. Chain ``k`` starts at :math:`m + L z_k` with :math:`z_k \sim N(0,
    \text{spread}^2 I)` drawn from nutpie's seed for that chain. The starting points
    of the search are nutpie's own (pymc's initial point, jittered), then uniform
    draws in :math:`[-2, 2]^d` from ``seed``.

    Relies on the fields of nutpie's ``PyFuncModel`` (nutpie 0.16, the version the
    ``fast`` extra pins).
    """
    if not all(hasattr(compiled, a) for a in ("_make_logp_func", "_make_expand_func",
                                              "_make_initial_points", "_shared_data")):
        raise EstimationError("mass_matrix", "laplace", "this nutpie model has no Python "
                              "log density to precondition", "Use mass_matrix='diag' or "
                              "'low_rank', or sampler='nutpie-jax'")
    shared = dict(compiled._shared_data)
    logp0 = compiled._make_logp_func()
    rng = np.random.default_rng(seed)
    n = int(compiled.n_dim)

    def f(x: np.ndarray) -> tuple[float, np.ndarray]:
        return logp0(x, **shared)

    def starts(i: int) -> np.ndarray:
        if i < 5 and compiled._make_initial_points is not None:
            return compiled._make_initial_points(seed + i)
        return rng.uniform(-2.0, 2.0, n)

    la = laplace_approximation(f, starts)
    m, L = la.mode, la.scale
    make_logp, make_expand = compiled._make_logp_func, compiled._make_expand_func

    def make_logp_z() -> Callable[..., tuple[float, np.ndarray]]:
        inner = make_logp()

        def logp(z: np.ndarray, **sh: Any) -> tuple[float, np.ndarray]:
            v, g = inner(m + L @ z, **sh)
            return v, np.ascontiguousarray(L.T @ g)
        return logp

    def make_expand_z(seed1: int, seed2: int, chain: int) -> Callable[..., Any]:
        inner = make_expand(seed1, seed2, chain)
        return lambda z, **sh: inner(m + L @ z, **sh)

    def initial_z(s: Any) -> np.ndarray:
        return spread * np.random.default_rng(s).standard_normal(n)

    return dataclasses.replace(compiled, _make_logp_func=make_logp_z,
                               _make_expand_func=make_expand_z,
                               _make_initial_points=initial_z, _raw_logp_fn=None), la
