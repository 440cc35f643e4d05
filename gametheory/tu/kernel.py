r"""The kernel and the prekernel.

For an allocation :math:`x` the *surplus* of player :math:`i` over :math:`j`
is the most :math:`i` can gain, with allies, without :math:`j`:

.. math:: s_{ij}(x) = \max_{S \ni i,\ j \notin S} e(S, x), \qquad
          e(S, x) = v(S) - x(S).

The **prekernel** is the set of pre-imputations (:math:`x(N) = v(N)`) at
which every pair is balanced, :math:`s_{ij}(x) = s_{ji}(x)`. The **kernel**
(Davis and Maschler 1965) is the set of imputations at which
:math:`s_{ij}(x) > s_{ji}(x)` only if :math:`x_j = v(\{j\})`: a stronger
player may only outweigh a weaker one that is already down to its
stand-alone worth. The (pre)nucleolus is always a (pre)kernel point; in
zero-monotonic games (every superadditive game) the kernel equals the
prekernel, and in convex games both are the nucleolus alone (Maschler,
Peleg and Shapley 1972, 1979).

Algorithm
---------
A prekernel point is found by the method of Meinhardt (2013): at the
current :math:`x`, fix for every ordered pair a coalition :math:`S_{ij}`
attaining :math:`s_{ij}(x)`; the imbalance :math:`s_{ij} - s_{ji}` is then
affine in :math:`x`, and the efficient :math:`y` minimising the sum of the
squared imbalances is one least-squares solve. Accept :math:`y` (or a
shorter step along :math:`y - x`) when it lowers
:math:`h(x) = \sum_{i<j}(s_{ij} - s_{ji})^2`, and repeat until the largest
imbalance is below the tolerance: that is the certificate
(``info["max_imbalance"]``). Surpluses of all pairs come from one
vectorised pass over the :math:`2^n` excesses. If the iteration stalls,
the prenucleolus (a prekernel point) is returned and the result says so.

References
----------
Davis, M. and Maschler, M. (1965). The kernel of a cooperative game. *Naval
Research Logistics Quarterly* 12, 223-259.
Maschler, M., Peleg, B. and Shapley, L. S. (1972). The kernel and
bargaining set for convex games. *International Journal of Game Theory* 1,
73-93.
Maschler, M., Peleg, B. and Shapley, L. S. (1979). Geometric properties of
the kernel, nucleolus, and related solution concepts. *Mathematics of
Operations Research* 4(4), 303-338.
Meinhardt, H. I. (2013). *The Pre-Kernel as a Tractable Solution for
Cooperative Games*. Springer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..coalitions import require_dense
from ..errors import InvalidArgumentError
from ..results import AllocationResult
from ._lp import coalition_sums
from .game import TUGame
from .values import _check_game

__all__ = ["surplus_matrix", "prekernel", "kernel", "prekernel_contains", "kernel_contains",
           "is_zero_monotonic"]

MAX_KERNEL_PLAYERS = 20


def _surpluses(e: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``s[i, j]`` and an attaining coalition ``arg[i, j]`` for every ordered pair.

    The coalitions are scanned from the largest excess down, in chunks: the
    first one containing ``i`` and not ``j`` attains ``s[i, j]``. One chunk of
    a few hundred coalitions settles every pair in practice.
    """
    s = np.zeros((n, n))
    arg = np.zeros((n, n), dtype=np.int64)
    if n < 2:
        return s, arg
    e = e.copy()
    e[0] = e[-1] = -np.inf                      # neither the empty nor the grand coalition
    # s[i, j] >= max(e({i}), e(N - {j})): only coalitions above the smallest of these bounds
    # can attain a surplus, so only they are sorted
    full = (1 << n) - 1
    bit = np.arange(n)
    bound = np.maximum(e[1 << bit][:, None], e[full ^ (1 << bit)][None, :])
    np.fill_diagonal(bound, np.inf)
    cand = np.flatnonzero(e >= bound.min())
    order = cand[np.argsort(-e[cand], kind="stable")]
    found = np.eye(n, dtype=bool)
    lo, k = 0, max(64, 16 * n)
    while not found.all():
        top = order[lo: lo + k]
        M = ((top[:, None] >> bit) & 1).astype(bool)               # k x n
        ok = M[:, :, None] & ~M[:, None, :]                        # k x n x n
        hit = ok.any(axis=0) & ~found
        if hit.any():
            first = top[ok.argmax(axis=0)]
            s[hit] = e[first[hit]]
            arg[hit] = first[hit]
            found |= hit
        lo += k
        k *= 2
    return s, arg


def _profit(game: TUGame, x: Any | None = None) -> tuple[np.ndarray, np.ndarray | None, float]:
    v = game.profit_values()
    sign = -1.0 if game.is_cost_game else 1.0
    if x is None:
        return v, None, sign
    xx = x.values if isinstance(x, AllocationResult) else x
    return v, sign * game.allocation(np.asarray(xx, dtype=float)), sign


def surplus_matrix(game: TUGame, x: Any) -> np.ndarray:
    r"""The surpluses :math:`s_{ij}(x) = \max_{S \ni i, j \notin S} e(S, x)` (profit form).

    Returns an ``n x n`` array with ``nan``-free zeros on the diagonal.

    Examples
    --------
    >>> import gametheory as gt
    >>> gt.surplus_matrix(gt.games.majority(3), [0.5, 0.5, 0.0]).tolist()
    [[0.0, 0.5, 0.0], [0.5, 0.0, 0.0], [0.5, 0.5, 0.0]]
    """
    game = _check_game(game)
    require_dense(game.n, "the surplus matrix", limit=MAX_KERNEL_PLAYERS)
    v, xx, _ = _profit(game, x)
    s, _ = _surpluses(v - coalition_sums(xx), game.n)
    np.fill_diagonal(s, 0.0)
    return s


def is_zero_monotonic(game: TUGame) -> bool:
    r"""Whether :math:`v(S \cup i) \ge v(S) + v(i)` for every :math:`S \not\ni i` (profit form).

    Equivalently, the zero-normalised game is monotone. Every superadditive
    game is zero-monotonic; for these games the kernel equals the prekernel.
    """
    game = _check_game(game)
    require_dense(game.n, "the zero-monotonicity check")
    return _zero_monotonic(game.profit_values(), game.n)


def _zero_monotonic(v: np.ndarray, n: int) -> bool:
    tol = 1e-9 * _scale(v)
    single = v[1 << np.arange(n)]
    for i in range(n):
        r = v.reshape(-1, 2, 1 << i)
        if np.any(r[:, 1, :] < r[:, 0, :] + single[i] - tol):
            return False
    return True


def _scale(v: np.ndarray) -> float:
    return max(1.0, float(np.abs(v).max()))


def _h(v: np.ndarray, x: np.ndarray, n: int) -> tuple[float, float, np.ndarray, np.ndarray]:
    s, arg = _surpluses(v - coalition_sums(x), n)
    iu = np.triu_indices(n, 1)
    d = s[iu] - s.T[iu]
    return float(d @ d), float(np.abs(d).max()) if d.size else 0.0, arg, s


def _prekernel_lsq(v: np.ndarray, n: int, x0: np.ndarray, tol: float,
                   max_iter: int) -> tuple[np.ndarray, dict[str, Any]]:
    full = (1 << n) - 1
    iu, ju = np.triu_indices(n, 1)
    bit = np.arange(n)
    # parametrise x = x0 + Z z with sum(Z z) = 0
    Z = np.linalg.svd(np.ones((1, n)))[2][1:].T                    # n x (n-1)
    x = x0.copy()
    x += (v[full] - x.sum()) / n
    h, worst, arg, s = _h(v, x, n)
    atol = tol * _scale(v)
    it = 0
    while worst > atol and it < max_iter:
        it += 1
        Sij, Sji = arg[iu, ju], arg[ju, iu]
        A = ((Sji[:, None] >> bit) & 1) - ((Sij[:, None] >> bit) & 1)   # d = b + A x
        b = v[Sij] - v[Sji]
        r = A @ x + b
        z, *_ = np.linalg.lstsq(A @ Z, -r, rcond=None)
        step = Z @ z
        t = 1.0
        while True:
            y = x + t * step
            hy, wy, argy, sy = _h(v, y, n)
            if hy < h or t < 1e-10:
                break
            t *= 0.5
        if hy >= h:
            break
        x, h, worst, arg, s = y, hy, wy, argy, sy
    return x, {"iterations": it, "max_imbalance": worst, "converged": worst <= atol,
               "surpluses": s}


def _start_point(game: TUGame, v: np.ndarray, start: Any) -> np.ndarray:
    n = game.n
    if start is None:
        single = v[1 << np.arange(n)]
        return single + (v[-1] - single.sum()) / n
    sign = -1.0 if game.is_cost_game else 1.0
    xs = start.values if isinstance(start, AllocationResult) else start
    return sign * game.allocation(np.asarray(xs, dtype=float), "start")


def prekernel(game: TUGame, method: str = "auto", *, start: Any = None, tol: float = 1e-10,
              max_iter: int = 200) -> AllocationResult:
    r"""A point of the prekernel: an efficient :math:`x` with :math:`s_{ij}(x) = s_{ji}(x)`.

    The prekernel may hold many points; this returns one (see the module
    notes for the algorithm and its certificate).

    Parameters
    ----------
    game : TUGame
    method : {"auto", "least-squares", "prenucleolus"}
        ``"least-squares"``: the iteration of the module notes from *start*.
        ``"prenucleolus"``: the prenucleolus, always a prekernel point.
        ``"auto"``: least squares, with the prenucleolus as fallback. (In
        a convex game the prekernel is the nucleolus alone, Maschler, Peleg
        and Shapley 1972, and the iteration finds it.)
    start : array_like, optional
        Starting allocation (default: equal split of the surplus over the
        stand-alone worths).
    tol : float
        Largest accepted imbalance :math:`|s_{ij} - s_{ji}|`, relative to
        the largest worth.
    max_iter : int
        Iteration budget of the least-squares method.

    Returns
    -------
    AllocationResult
        ``concept="prekernel"``; ``info["max_imbalance"]`` is the
        certificate, ``info["fallback"]`` is True when the prenucleolus was
        used after the iteration stalled.

    References
    ----------
    Maschler, M., Peleg, B. and Shapley, L. S. (1979). Geometric properties
    of the kernel, nucleolus, and related solution concepts. *Mathematics of
    Operations Research* 4(4), 303-338. Meinhardt, H. I. (2013). *The
    Pre-Kernel as a Tractable Solution for Cooperative Games*. Springer.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.TUGame([0, 0, 0, 60, 0, 80, 90, 100])
    >>> x = gt.prekernel(g)
    >>> x.values.round(6).tolist(), gt.prekernel_contains(g, x)
    ([20.0, 30.0, 50.0], True)
    """
    return _kernel_common(game, method, start, tol, max_iter, imputations=False)


def kernel(game: TUGame, method: str = "auto", *, start: Any = None, tol: float = 1e-10,
           max_iter: int = 200) -> AllocationResult:
    r"""A point of the kernel (Davis and Maschler 1965).

    An imputation :math:`x` is in the kernel when for every pair
    :math:`s_{ij}(x) > s_{ji}(x)` implies :math:`x_j = v(\{j\})`.

    Parameters
    ----------
    game : TUGame
        A game with a non-empty imputation set.
    method : {"auto", "least-squares", "nucleolus"}
        ``"auto"``: for zero-monotonic games (every superadditive game) the
        least-squares prekernel iteration, since the kernel equals the
        prekernel there (Maschler, Peleg and Shapley 1979); otherwise the
        nucleolus, which always lies in the kernel. ``"least-squares"`` is
        refused for games that are not zero-monotonic, where a prekernel
        point need not be an imputation.
    start, tol, max_iter
        As in :func:`prekernel`.

    Returns
    -------
    AllocationResult
        ``concept="kernel"``; ``info["max_violation"]`` is the largest
        :math:`\min(s_{ij} - s_{ji}, x_j - v(j))` over the pairs with
        :math:`s_{ij} > s_{ji}` (0 in the kernel).

    References
    ----------
    Davis, M. and Maschler, M. (1965). The kernel of a cooperative game.
    *Naval Research Logistics Quarterly* 12, 223-259.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.games.glove(["L"], ["R1", "R2"])
    >>> gt.kernel(g).values.round(6).tolist() == [1.0, 0.0, 0.0]
    True
    """
    return _kernel_common(game, method, start, tol, max_iter, imputations=True)


def _kernel_common(game: TUGame, method: str, start: Any, tol: float, max_iter: int,
                   imputations: bool) -> AllocationResult:
    from .nucleolus import nucleolus, prenucleolus

    game = _check_game(game)
    concept = "kernel" if imputations else "prekernel"
    nuc_name = "nucleolus" if imputations else "prenucleolus"
    allowed = ("auto", "least-squares", nuc_name)
    if method not in allowed:
        raise InvalidArgumentError("method", method, f"unknown {concept} method",
                                   f"Use one of {allowed}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise InvalidArgumentError("max_iter", max_iter, "must be a positive integer",
                                   "Pass e.g. max_iter=200")
    n = game.n
    require_dense(n, f"the {concept}", limit=MAX_KERNEL_PLAYERS)
    v = game.profit_values()
    sign = -1.0 if game.is_cost_game else 1.0
    if imputations and v[1 << np.arange(n)].sum() > v[-1] + 1e-9 * _scale(v):
        raise InvalidArgumentError("game", game, "the imputation set is empty (v(N) < sum v(i))",
                                   "Use prekernel(game), defined for every game")
    info: dict[str, Any] = {}
    how = method
    x = None
    if method == "auto":
        if imputations and not _zero_monotonic(v, n):
            how = nuc_name
            info["shortcut"] = "not zero-monotonic: the nucleolus is a kernel point"
        else:
            how = "least-squares"
    elif method == "least-squares" and imputations and not _zero_monotonic(v, n):
        raise InvalidArgumentError(
            "method", method,
            "the game is not zero-monotonic, so a prekernel point need not be in the kernel",
            "Use method='auto' or 'nucleolus'")
    if how == "least-squares" and n > 1:
        x, it_info = _prekernel_lsq(v, n, _start_point(game, v, start), tol, max_iter)
        info.update(it_info)
        if not it_info["converged"]:
            info["fallback"] = True
            how = nuc_name
            x = None
    s = info.pop("surpluses", None)
    if x is None:
        ref = (nucleolus if imputations else prenucleolus)(game)
        x = sign * ref.values
        info.setdefault("iterations", 0)
        s = None
    if s is None:
        s, _ = _surpluses(v - coalition_sums(x), n)
    iu = np.triu_indices(n, 1)
    info["max_imbalance"] = float(np.abs(s[iu] - s.T[iu]).max()) if n > 1 else 0.0
    if imputations:
        info["max_violation"] = _kernel_violation(v, x, s)
    info.setdefault("fallback", False)
    return AllocationResult(sign * x, game.players, concept, how, True,
                            {"tol": tol, "start": None if start is None else "given"},
                            info=info, game=game)


def _kernel_violation(v: np.ndarray, x: np.ndarray, s: np.ndarray) -> float:
    n = x.size
    if n < 2:
        return 0.0
    lower = x - v[1 << np.arange(n)]
    d = s - s.T
    np.fill_diagonal(d, -np.inf)
    viol = np.minimum(d, lower[None, :])
    return float(max(viol.max(), 0.0))


def prekernel_contains(game: TUGame, x: Any, tol: float = 1e-7) -> bool:
    """Whether *x* is efficient and balances every pair's surpluses (up to *tol*).

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.games.majority(3)
    >>> gt.prekernel_contains(g, [1/3, 1/3, 1/3]), gt.prekernel_contains(g, [0.5, 0.5, 0])
    (True, False)
    """
    game = _check_game(game)
    require_dense(game.n, "the prekernel test", limit=MAX_KERNEL_PLAYERS)
    v, xx, _ = _profit(game, x)
    scale = _scale(v)
    if abs(xx.sum() - v[-1]) > tol * scale:
        return False
    s, _ = _surpluses(v - coalition_sums(xx), game.n)
    np.fill_diagonal(s, 0.0)
    return bool(np.abs(s - s.T).max() <= tol * scale)


def kernel_contains(game: TUGame, x: Any, tol: float = 1e-7) -> bool:
    """Whether *x* is an imputation in the kernel (up to *tol*).

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.games.glove(["L"], ["R1", "R2"])
    >>> gt.kernel_contains(g, [1, 0, 0]), gt.kernel_contains(g, [0.5, 0.25, 0.25])
    (True, False)
    """
    game = _check_game(game)
    require_dense(game.n, "the kernel test", limit=MAX_KERNEL_PLAYERS)
    v, xx, _ = _profit(game, x)
    scale = _scale(v)
    n = game.n
    if abs(xx.sum() - v[-1]) > tol * scale or np.any(xx < v[1 << np.arange(n)] - tol * scale):
        return False
    s, _ = _surpluses(v - coalition_sums(xx), n)
    return _kernel_violation(v, xx, s) <= tol * scale
