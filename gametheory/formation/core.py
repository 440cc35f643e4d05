r"""Proposal-and-vote formation: exact pass and choice probabilities, vectorised.

The process (Baron and Ferejohn 1989; the conditional-logit formation models
of Martin and Stevenson 2001 add the proposer's logit) for one body :math:`g`:

1. a proposer offers configuration :math:`c` with probability
   :math:`P_{\text{prop}}(c) \propto e^{z_c}` (typically :math:`z = \lambda V`);
2. each member :math:`j` (integer weight :math:`w_j \ge 0`) supports :math:`c`
   independently with probability :math:`p_{jc} = \sigma(a_{jc})`, the
   *support logit* being :math:`a_{jc} = \kappa u_{jc}`;
3. :math:`c` passes when the supporting weight reaches the quota,
   :math:`\sum_j w_j v_j \ge q`; a failed proposal is replaced by a fresh draw.

The pass probability is a weighted Poisson-binomial tail, computed exactly by
dynamic programming over integer weights on the *opposing* weight: with slack
:math:`s = W - q` (:math:`W = \sum_j w_j`),

.. math::

    P_{\text{pass}}(c) = \Pr\Big(\sum_j w_j (1 - v_j) \le s\Big), \qquad
    d_j[k] = p_{jc}\, d_{j-1}[k] + (1 - p_{jc})\, d_{j-1}[k - w_j],

over :math:`k = 0..s` only, so every entry is a sum of non-negative products
(full relative precision even for tiny pass probabilities). When the quota is
smaller than the slack, the same probability is computed on the *supporting*
side in fewer states (``side="support"``): the state is the weight still needed,
:math:`k = q..0`, member :math:`j` lowers it by :math:`w_j` with probability
:math:`p_{jc}`, and :math:`k = 0` (passed) absorbs,

.. math::

    e_j[0] = e_{j-1}[0] + p_{jc} \sum_{0 < k \le w_j} e_{j-1}[k], \qquad
    e_j[k] = (1 - p_{jc})\, e_{j-1}[k] + p_{jc}\, e_{j-1}[k + w_j] \quad (k > 0),

:math:`P_{\text{pass}}(c) = e_J[0]`, again a sum of non-negative products. With every
:math:`p = 1/2` this is the generating function
:math:`\prod_j (1 + x^{w_j})/2` of :func:`gametheory.voting._genfun.weight_distribution`
read on the losing side. Because failed proposals are replaced, the chosen
configuration has

.. math::

    P(c) = \frac{e^{z_c} P_{\text{pass}}(c)}{\sum_{c'} e^{z_{c'}} P_{\text{pass}}(c')},

computed in log space. Observed votes :math:`v` on the chosen configuration
enter the same likelihood:
:math:`P(c, v) = e^{z_c} \prod_{j\,\text{observed}} p_{jc}^{v_j}(1-p_{jc})^{1-v_j}
\Pr(\text{pass} \mid v) / \sum_{c'} e^{z_{c'}} P_{\text{pass}}(c')`
(:func:`log_vote_probability` gives the factor
:math:`P(v \mid c\ \text{chosen})`).

**Deterministic limit** (:math:`\kappa \to \infty`): member :math:`j` supports
:math:`c` iff :math:`u_{jc} > 0` (a tie counts as opposition), so
:math:`P_{\text{pass}} \in \{0, 1\}` (:func:`passes_in_limit`) and the chosen
configuration is the proposer's logit restricted to the passing ones. **When
nothing can pass**: with finite :math:`\kappa` every configuration passes with
positive probability as long as the quota does not exceed the total weight,
which :class:`VotingBodies` refuses at construction; in the deterministic limit
(or if every pass probability underflows to 0) the body is flagged
``all_blocked`` and the rule falls back to the proposer's logit over all
configurations (:func:`choice_probability`).

Every function takes an array backend ``xp``
(:mod:`gametheory.formation.backend`), so the same code runs on numpy and on
pytensor (and from there on JAX); shapes are static and every index array is a
numpy constant built by :class:`VotingBodies`. On the JAX backend the programme
and its exact reverse-mode gradient (forward-backward: the same recursion run
back from the end, :mod:`gametheory.formation._kernel`) run as one compiled loop
called from JAX when numba is installed (it comes with pytensor), much cheaper
than JAX differentiating the folded programme (measured in
``benchmarks/RESULTS_estimation.md``); without numba, JAX folds the programme
itself. Either way the same sums of non-negative products. A likelihood of chosen
configurations whose logits are linear in their coefficients
(:class:`LinearUtilities`, :func:`formation_log_likelihood`) goes further on JAX: the
utilities, the programme, the choice probabilities, the observed votes and the exact
gradient in the coefficients run as one compiled loop, bodies of the same weights side
by side (one call per value and gradient, one input and one output). Leading axes
are batch axes (posterior draws); the last axes are (bodies ``G``, configurations
``C``, members ``J``). Padding members have weight 0 and change nothing.

References
----------
Baron, D. P. and Ferejohn, J. A. (1989). Bargaining in legislatures. *American
Political Science Review* 83(4), 1181-1206. Martin, L. W. and Stevenson, R. T.
(2001). Government formation in parliamentary democracies. *American Journal of
Political Science* 45(1), 33-50. Chen, S. X. and Liu, J. S. (1997). Statistical
applications of the Poisson-binomial and conditional Bernoulli distributions.
*Statistica Sinica* 7, 875-892.

Examples
--------
Three members of weights 2, 1, 1 and quota 3: a configuration passes when the
weight-2 member and at least one other support it.

>>> import numpy as np
>>> bodies = VotingBodies([[2, 1, 1]], [3])
>>> logit = np.log(np.array([[[0.9, 0.5, 0.5]]]) / (1 - np.array([[[0.9, 0.5, 0.5]]])))
>>> round(float(np.exp(log_pass_probability(logit, bodies))[0, 0]), 12)   # 0.9 * 0.75
0.675
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from .backend import NUMPY, ArrayBackend, compiled_on_jax

__all__ = [
    "VotingBodies",
    "LinearUtilities",
    "formation_log_likelihood",
    "log_pass_probability",
    "passes_in_limit",
    "log_choice_probability",
    "choice_probability",
    "log_vote_probability",
    "sample_votes",
    "simulate_process",
]


def _as_int_array(values: Any, name: str, ndim: int) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype == object or arr.ndim != ndim:
        raise InvalidArgumentError(name, values, f"not a {ndim}-dimensional array of numbers",
                                   f"Give {name} as a {ndim}-d array of whole numbers")
    if arr.size and not np.issubdtype(arr.dtype, np.number):
        raise InvalidArgumentError(name, values, "not numbers", f"Give {name} as whole numbers")
    f = arr.astype(float)
    bad = ~np.isfinite(f) | (f != np.round(f))
    if bad.any():
        pos = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InvalidArgumentError(f"{name}{list(pos)}", arr[pos], "not a whole number",
                                   "Votes are counted in whole units: give integer weights "
                                   "and quotas (scale fractional weights to integers)")
    return np.round(f).astype(np.int64)


class VotingBodies:
    """``G`` voting bodies with integer weights, padded to ``J`` members.

    Parameters
    ----------
    weights : array of shape (G, J)
        Non-negative whole-number weights; padding members have weight 0.
    quota : array of shape (G,)
        Whole-number quota of each body, ``1 <= quota[g] <= weights[g].sum()``
        (a quota above the total weight could never be reached and is refused).

    Attributes
    ----------
    slack : (G,) int
        Total weight minus quota: the opposing weight a configuration survives.
    n_states : int
        ``max(slack) + 1``, the length of the dynamic programme's state.

    Examples
    --------
    >>> b = VotingBodies([[4, 2, 2, 0], [1, 1, 1, 1]], [5, 3])
    >>> b.slack.tolist(), b.n_states
    ([3, 1], 4)
    >>> VotingBodies([[1, 1]], [3])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gametheory.errors.InvalidArgumentError: quota[0]=3: exceeds the total weight 2...
    """

    def __init__(self, weights: Any, quota: Any) -> None:
        w = _as_int_array(weights, "weights", 2)
        q = _as_int_array(quota, "quota", 1)
        if (w < 0).any():
            pos = tuple(int(i) for i in np.argwhere(w < 0)[0])
            raise InvalidArgumentError(f"weights{list(pos)}", int(w[pos]), "negative weight",
                                       "Give weights >= 0 (0 = a member without a vote)")
        if len(q) != w.shape[0]:
            raise InvalidArgumentError("quota", quota, f"{len(q)} quotas for {w.shape[0]} bodies",
                                       "Give one quota per body (row of weights)")
        tot = w.sum(axis=1)
        for g in range(len(q)):
            if q[g] < 1:
                raise InvalidArgumentError(f"quota[{g}]", int(q[g]), "must be at least 1",
                                           "Give a positive quota (the weight needed to pass)")
            if q[g] > tot[g]:
                raise InvalidArgumentError(
                    f"quota[{g}]", int(q[g]), f"exceeds the total weight {int(tot[g])}, so "
                    "nothing could ever pass", "Give a quota of at most the total weight")
        w.setflags(write=False)
        q.setflags(write=False)
        self.weights: np.ndarray = w
        self.quota: np.ndarray = q
        self.total: np.ndarray = tot
        self.slack: np.ndarray = tot - q

    def __repr__(self) -> str:
        return f"VotingBodies(G={self.n_bodies}, J={self.n_members}, states={self.n_states})"

    @property
    def n_bodies(self) -> int:
        return int(self.weights.shape[0])

    @property
    def n_members(self) -> int:
        return int(self.weights.shape[1])

    @property
    def n_states(self) -> int:
        return int(self.slack.max()) + 1

    def sub(self, g0: int, g1: int) -> VotingBodies:
        """The bodies ``g0..g1-1`` (cached): their own states and active members."""
        key = (g0, g1)
        cache = self.__dict__.setdefault("_subs", {})
        if key not in cache:
            cache[key] = self if (g0, g1) == (0, self.n_bodies) else VotingBodies(
                self.weights[g0:g1], self.quota[g0:g1])
        return cache[key]

    @cached_property
    def active(self) -> tuple[int, ...]:
        """Member slots with a positive weight in some body (the others change nothing)."""
        return tuple(int(j) for j in np.flatnonzero((self.weights > 0).any(axis=0)))

    @cached_property
    def _start(self) -> np.ndarray:
        d = np.zeros((self.n_bodies, 1, self.n_states))
        d[:, :, 0] = 1.0
        return d

    @cached_property
    def _state_mask(self) -> np.ndarray:
        k = np.arange(self.n_states)
        return (k[None, None, :] <= self.slack[:, None, None]).astype(float)   # (G, 1, K)


def _shift(d: Any, w: int, K: int, xp: ArrayBackend) -> Any:
    """``d`` moved ``w`` states up along its last axis (zeros enter at the bottom)."""
    if w >= K:
        return d * 0.0
    return xp.concatenate([d[..., :w] * 0.0, d[..., :K - w]], axis=-1)


def _lower(d: Any, w: int, K: int, xp: ArrayBackend) -> Any:
    """``d`` moved ``w`` states down along its last axis, state 0 absorbing the mass that
    reaches it (the supporting side: state = weight still needed)."""
    if w >= K - 1:
        return xp.concatenate([xp.sum(d, axis=-1, keepdims=True), d[..., 1:] * 0.0], axis=-1)
    return xp.concatenate([xp.sum(d[..., :w + 1], axis=-1, keepdims=True), d[..., w + 1:],
                           d[..., :w] * 0.0], axis=-1)


def _moved(d: Any, col: np.ndarray, K: int, xp: ArrayBackend, move: Any) -> Any:
    """``d`` (..., G, C, K) with body ``g``'s rows moved by ``col[g]`` states (``move`` is
    :func:`_shift` or :func:`_lower`).

    A weight shared by every body is one static move. Otherwise the cheaper of two
    exact constructions: one move per distinct weight, each masked to its bodies,
    or the weight's binary digits (moves by 1, 2, 4, ... composed, each selected
    per body); both copy entries. No gather: on pytensor its gradient would be a
    scatter, slow in the C backend (numpy and JAX gather, :func:`_folded_dp`).
    """
    col = np.minimum(col, K)                 # moving by K or more empties (or absorbs) alike
    vals = np.unique(col)
    if len(vals) == 1:
        return d if vals[0] == 0 else move(d, int(vals[0]), K, xp)
    bits = [b for b in range(int(K).bit_length()) if np.any((col >> b) & 1)]
    if len(vals) <= len(bits):
        out: Any = None
        for w in vals:
            term = d if w == 0 else move(d, int(w), K, xp)
            term = term * (col == w).astype(float)[:, None, None]
            out = term if out is None else out + term
        return out
    e = d
    for b in bits:
        sel = ((col >> b) & 1).astype(bool)
        e = xp.where(sel[:, None, None], move(e, 1 << b, K, xp), e)
    return e


def move_index(w: Any, K: int, lower: bool, xp: ArrayBackend) -> Any:
    """Gather index of one step of the folded vote programme.

    Returns the ``(G, 1, K)`` index that moves each body's row of ``K`` states by
    ``w[g]`` states (``w`` of shape ``(G,)``, each at most ``K``), taken from the
    concatenation ``[zeros, d]`` (``lower=False``: counting up) or
    ``[cumsum d, d, zeros]`` (``lower=True``: counting down, state 0 absorbing and
    taking the cumulative mass), each part ``K`` wide. Public so that an
    application's exact derivatives of the programme use the same moves.
    """
    k = np.arange(K)[None, None, :]
    w = w[:, None, None]
    if lower:
        return xp.where(k == 0, xp.minimum(w, K - 1), xp.minimum(K + k + w, 3 * K - 1))
    return K + k - w


def _folded_dp(p: Any, r: Any, bodies: VotingBodies, xp: ArrayBackend, K: int,
               start: np.ndarray, lower: bool) -> Any:
    """The programme on numpy or JAX: one step per member, folded (``lax.scan`` on
    JAX, so the graph does not grow with the members), each step one gather whose
    index is computed from the member's weights (:func:`move_index`)."""
    act = list(bodies.active)
    shape = tuple(p.shape[:-1]) + (K,)
    if not act:
        return xp.broadcast_to(xp.asarray(start), shape) + p[..., :1] * 0.0
    weights = np.ascontiguousarray(np.minimum(bodies.weights[:, act], K).T)     # (J, G)
    d0 = xp.broadcast_to(xp.asarray(start), shape)

    def step(d: Any, x: Sequence[Any]) -> Any:
        pj, rj, wj = x
        parts = [xp.cumsum(d, axis=-1), d, d * 0.0] if lower else [d * 0.0, d]
        idx = xp.broadcast_to(move_index(wj, K, lower, xp), shape[-3:])
        moved = xp.take_along_axis(xp.concatenate(parts, axis=-1), idx, axis=-1)
        stay, go = (rj, pj) if lower else (pj, rj)
        return d * stay[..., None] + moved * go[..., None]

    return xp.fold(step, d0, [xp.moveaxis(p[..., act], -1, 0), xp.moveaxis(r[..., act], -1, 0),
                              weights])


_WORKSPACE = threading.local()


def _compiled_programme(logit: Any, fixed: tuple[Any, Any] | None, bodies: VotingBodies,
                        ncfg: np.ndarray, lower: bool) -> Any:
    r"""The pass probabilities on JAX by the compiled forward-backward loop.

    :func:`gametheory.formation._kernel.vote_programme` (numba) runs the programme of
    every body over its own states and real configurations and, with the value, its
    exact derivative :math:`\partial P/\partial a` (one call per value and gradient: a
    sampler always wants both). JAX calls it through ``pure_callback`` under a
    ``custom_vjp`` rule (reverse mode only). ``logit`` is (..., G, C, J), ``fixed``
    the ``(votes, mask)`` of :func:`log_pass_probability`. Returns ``P`` (..., G, C), 1
    on padded configurations; ``None`` when numba is not installed.
    """
    try:
        from ._kernel import vote_programme
    except ImportError:          # pragma: no cover - numba comes with pytensor
        return None
    import jax
    import jax.numpy as jnp

    weights = np.ascontiguousarray(bodies.weights, dtype=np.int64)
    limit = np.ascontiguousarray(bodies.quota if lower else bodies.slack, dtype=np.int64)
    ncfg = np.ascontiguousarray(ncfg, dtype=np.int64)
    shape = tuple(int(n) for n in logit.shape)
    flat = (-1,) + shape[-3:]
    p_type = jax.ShapeDtypeStruct(shape[:-1], np.float64)
    d_type = jax.ShapeDtypeStruct(shape, np.float64)
    G, J = bodies.n_bodies, shape[-1]
    if fixed is None:
        fv, fm = np.zeros((G, J)), np.zeros((G, J))
    else:
        fv, fm = (jnp.broadcast_to(jnp.asarray(x, dtype=jnp.float64), (G, J)) for x in fixed)

    def run(a: Any, v: Any, m: Any, grad: bool) -> Any:
        a = np.ascontiguousarray(a, dtype=np.float64).reshape(flat)
        v = np.ascontiguousarray(v, dtype=np.float64)
        m = np.ascontiguousarray(m, dtype=np.float64)
        # work arrays per thread and shape, reused (JAX copies the results): fresh
        # ones would be paged in on every call
        bufs = _WORKSPACE.__dict__.setdefault("buffers", {})
        if a.shape not in bufs:
            bufs[a.shape] = (np.empty(a.shape), np.empty(a.shape))
        expo, out = bufs[a.shape]
        np.abs(a, out=expo)
        np.negative(expo, out=expo)
        np.exp(expo, out=expo)
        P = vote_programme(a, expo, v, m, weights, limit, ncfg, lower, grad, out)
        return (P.reshape(shape[:-1]), out.reshape(shape)) if grad \
            else P.reshape(shape[:-1])

    @jax.custom_vjp
    def programme(a: Any, v: Any, m: Any) -> Any:
        return jax.pure_callback(lambda a, v, m: run(a, v, m, False), p_type, a, v, m,
                                 vmap_method="sequential")

    def forward(a: Any, v: Any, m: Any) -> tuple[Any, Any]:
        P, d = jax.pure_callback(lambda a, v, m: run(a, v, m, True), (p_type, d_type),
                                 a, v, m, vmap_method="sequential")
        return P, (d, v, m)

    def backward(res: tuple[Any, Any, Any], bar: Any) -> tuple[Any, Any, Any]:
        d, v, m = res
        return bar[..., None] * d, jnp.zeros_like(v), jnp.zeros_like(m)

    programme.defvjp(forward, backward)
    return programme(logit, fv, fm)


def _opposition_dp(p: Any, r: Any, bodies: VotingBodies, xp: ArrayBackend) -> Any:
    """Distribution of the opposing weight over states ``0..n_states-1``: (..., G, C, K).

    Member ``j`` moves the distribution up by its weight when it opposes. The
    weights of a member slot differ between bodies (see :func:`_moved`).
    """
    K = bodies.n_states
    if xp.name != "pytensor":
        return _folded_dp(p, r, bodies, xp, K, bodies._start, lower=False)
    d: Any = bodies._start
    for j in bodies.active:
        shifted = _moved(d, bodies.weights[:, j], K, xp, _shift)
        d = d * p[..., j][..., None] + shifted * r[..., j][..., None]
    return d


def _support_dp(p: Any, r: Any, bodies: VotingBodies, xp: ArrayBackend) -> Any:
    """Distribution of the weight still needed, ``quota..0`` (0 = passed, absorbing):
    (..., G, C, max(quota) + 1)."""
    K = int(bodies.quota.max()) + 1
    start = np.zeros((bodies.n_bodies, 1, K))
    start[np.arange(bodies.n_bodies), 0, bodies.quota] = 1.0
    if xp.name != "pytensor":
        return _folded_dp(p, r, bodies, xp, K, start, lower=True)
    d: Any = start
    for j in bodies.active:
        lowered = _moved(d, bodies.weights[:, j], K, xp, _lower)
        d = d * r[..., j][..., None] + lowered * p[..., j][..., None]
    return d


def log_pass_probability(support_logit: Any, bodies: VotingBodies, xp: ArrayBackend = NUMPY,
                         *, fixed: tuple[np.ndarray, np.ndarray] | None = None,
                         blocks: Sequence[tuple[int, int, int]] | None = None,
                         side: str = "opposition") -> Any:
    r"""Log probability that each configuration reaches the quota.

    Parameters
    ----------
    support_logit : array (..., G, C, J)
        :math:`a_{jc}`; member ``j`` supports ``c`` with probability :math:`\sigma(a_{jc})`.
    bodies : VotingBodies
    xp : ArrayBackend
    fixed : (votes, mask), optional
        Arrays (G, J): members with ``mask`` true vote ``votes`` (1 = support)
        for sure (used for observed votes).
    blocks : sequence of (g0, g1, n), optional
        Contiguous runs of bodies ``g0..g1-1`` whose configurations are the first
        ``n`` (the others are padding). Each block runs its own programme over only
        its real configurations, members and states (the entries of padded
        configurations are 0); the blocks must cover ``0..G-1`` in order.
    side : {"opposition", "support", "auto"}
        Count the opposing weight up to the slack (``max(slack) + 1`` states), or
        the weight still needed down from the quota (``max(quota) + 1`` states;
        module docstring); ``"auto"`` takes the side with fewer states. The same
        probability either way (to rounding).

    Returns
    -------
    array (..., G, C)
        :math:`\log P_{\text{pass}}` (``-inf`` only if the probability underflows, or
        when fixed votes already make passing impossible).

    Notes
    -----
    On JAX with numba installed the result is differentiable in reverse mode only
    (a ``custom_vjp`` rule around the compiled loop); forward-mode derivatives
    (``jax.jvp``, ``jax.jacfwd``) need the pytensor graph or numpy.
    """
    if xp.name == "jax" and side in ("opposition", "support", "auto"):
        out = _log_pass_compiled(support_logit, bodies, xp, fixed, blocks, side)
        if out is not None:
            return out
    if blocks is not None:
        width = max(n for _, _, n in blocks)
        outs = []
        for g0, g1, n in blocks:
            fx = None if fixed is None else (fixed[0][g0:g1], fixed[1][g0:g1])
            lp = log_pass_probability(support_logit[..., g0:g1, :n, :], bodies.sub(g0, g1),
                                      xp, fixed=fx, side=side)
            if n < width:       # padded configurations: 0 (from the logits, always finite)
                pad = support_logit[..., g0:g1, :1, 0] * 0.0
                lp = xp.concatenate([lp] + [pad] * (width - n), axis=-1)
            outs.append(lp)
        return outs[0] if len(outs) == 1 else xp.concatenate(outs, axis=-2)
    p, r = _support_probabilities(support_logit, xp, fixed)
    if side == "auto":
        side = "support" if int(bodies.quota.max()) + 1 < bodies.n_states else "opposition"
    if side == "support":
        return xp.log(_support_dp(p, r, bodies, xp)[..., 0])
    if side != "opposition":
        raise InvalidArgumentError("side", side, "unknown side of the vote",
                                   "Use 'opposition', 'support' or 'auto'")
    d = _opposition_dp(p, r, bodies, xp)
    return xp.log(xp.sum(d * bodies._state_mask, axis=-1))


def _support_probabilities(support_logit: Any, xp: ArrayBackend,
                           fixed: tuple[np.ndarray, np.ndarray] | None) -> tuple[Any, Any]:
    r""":math:`p = \sigma(a)`, :math:`r = \sigma(-a)`, set to the fixed votes where given."""
    p = xp.sigmoid(support_logit)
    r = xp.sigmoid(-support_logit)
    if fixed is not None:
        v, m = (x if xp.is_symbolic(x) else np.asarray(x, dtype=dt)
                for x, dt in zip(fixed, (float, bool), strict=True))
        m = m[:, None, :]
        v = v[:, None, :]
        p = xp.where(m, v, p)
        r = xp.where(m, 1.0 - v, r)
    return p, r


def _log_pass_compiled(support_logit: Any, bodies: VotingBodies, xp: ArrayBackend,
                       fixed: tuple[np.ndarray, np.ndarray] | None,
                       blocks: Sequence[tuple[int, int, int]] | None, side: str) -> Any:
    """:func:`log_pass_probability` on JAX by :func:`_compiled_programme` (``None`` if
    it cannot run). Blocks only say how many configurations of each body are real."""
    G = bodies.n_bodies
    if blocks is None:
        width = int(support_logit.shape[-2])
        ncfg = np.full(G, width, dtype=np.int64)
    else:
        width = max(n for _, _, n in blocks)
        ncfg = np.zeros(G, dtype=np.int64)
        for g0, g1, n in blocks:
            ncfg[g0:g1] = n
        support_logit = support_logit[..., :width, :]
    if side == "auto":
        side = "support" if int(bodies.quota.max()) + 1 < bodies.n_states else "opposition"
    P = _compiled_programme(support_logit, fixed, bodies, ncfg, side == "support")
    return None if P is None else xp.log(P)


def passes_in_limit(utility: np.ndarray, bodies: VotingBodies) -> np.ndarray:
    r"""Deterministic limit :math:`\kappa \to \infty`: does each configuration pass?

    Member ``j`` supports ``c`` iff :math:`u_{jc} > 0`. ``utility`` is (..., G, C, J);
    returns a boolean (..., G, C).
    """
    support = np.asarray(utility, dtype=float) > 0
    weight = (support * bodies.weights[:, None, :]).sum(axis=-1)
    return weight >= bodies.quota[:, None]


def log_choice_probability(proposal_logit: Any, log_pass: Any, mask: np.ndarray,
                           xp: ArrayBackend = NUMPY) -> Any:
    r"""Log choice probabilities of the configurations.

    :math:`\log P(c) = z_c + \log P_{\text{pass}}(c)
    - \log\sum_{c'} e^{z_{c'}} P_{\text{pass}}(c')`.
    ``proposal_logit`` and ``log_pass`` are (..., G, C); ``mask`` (G, C) marks real
    configurations (padding gets ``-inf``).
    """
    s = xp.where(np.asarray(mask, bool), proposal_logit + log_pass, -np.inf)
    return s - xp.logsumexp(s, axis=-1, keepdims=True)


def choice_probability(proposal_logit: np.ndarray, log_pass: np.ndarray, mask: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Choice probabilities (numpy), with the documented rule when nothing can pass.

    Returns ``(P, all_blocked)``: ``P`` (..., G, C) sums to one over the real
    configurations of each body; ``all_blocked`` (..., G) flags bodies where every
    pass probability is 0 (deterministic limit, or underflow), whose ``P`` is then
    the proposer's logit over all configurations.

    Examples
    --------
    >>> z = np.log(np.array([[0.5, 0.3, 0.2]]))
    >>> P, blocked = choice_probability(z, np.array([[0.0, -np.inf, 0.0]]),
    ...                                  np.ones((1, 3), bool))
    >>> P.round(4).tolist(), blocked.tolist()
    ([[0.7143, 0.0, 0.2857]], [False])
    >>> P, blocked = choice_probability(z, np.full((1, 3), -np.inf), np.ones((1, 3), bool))
    >>> P.round(4).tolist(), blocked.tolist()
    ([[0.5, 0.3, 0.2]], [True])
    """
    mask = np.asarray(mask, bool)
    lp = np.asarray(log_pass, dtype=float)
    blocked = ~np.any(np.isfinite(lp) & mask, axis=-1)
    lp = np.where(blocked[..., None], 0.0, lp)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.exp(log_choice_probability(np.asarray(proposal_logit, float), lp, mask))
    return np.where(mask, out, 0.0), blocked


def log_vote_probability(support_logit: Any, votes: np.ndarray, vote_mask: np.ndarray,
                         bodies: VotingBodies, xp: ArrayBackend = NUMPY, *,
                         blocks: Sequence[tuple[int, int, int]] | None = None,
                         log_pass: Any = None) -> Any:
    r"""Log probability of observed votes on the chosen configuration, given it was chosen.

    .. math::

        \log P(v \mid c) = \sum_{j\ \text{obs}} [v_j \log p_{jc} + (1 - v_j)\log(1 - p_{jc})]
        + \log\Pr(\text{pass} \mid v) - \log P_{\text{pass}}(c),

    so that :math:`\log P(c) + \log P(v \mid c)` is the joint likelihood of the
    module docstring. Unobserved members are integrated out exactly.

    Parameters
    ----------
    support_logit : array (..., G, J)
        Support logits at the chosen configuration of each body.
    votes, vote_mask : arrays (G, J)
        Observed votes (1 = support) and which are observed (numpy constants, or
        tensors of the backend).
    blocks : sequence of (g0, g1, n), optional
        Runs of bodies computed separately (see :func:`log_pass_probability`).
    log_pass : array (..., G), optional
        :math:`\log P_{\text{pass}}` of the chosen configurations when already known
        (saves one dynamic programme).
    """
    v = votes if xp.is_symbolic(votes) else np.asarray(votes, float)
    m = vote_mask if xp.is_symbolic(vote_mask) else np.asarray(vote_mask, bool)
    ll = xp.sum(xp.where(m, v * xp.log_sigmoid(support_logit)
                         + (1.0 - v) * xp.log_sigmoid(-support_logit), 0.0), axis=-1)
    a = support_logit[..., None, :]
    bl = None if blocks is None else [(g0, g1, 1) for g0, g1, _ in blocks]
    lp_fixed = log_pass_probability(a, bodies, xp, fixed=(v, m), blocks=bl)[..., 0]
    lp = log_pass_probability(a, bodies, xp, blocks=bl)[..., 0] if log_pass is None \
        else log_pass
    return ll + lp_fixed - lp


def sample_votes(rng: np.random.Generator, support_prob: np.ndarray, bodies: VotingBodies
                 ) -> np.ndarray:
    """Votes drawn exactly from their distribution given that the configuration passed.

    ``support_prob`` (..., G, J) are the members' support probabilities on the
    chosen configuration. Members are drawn in turn from their conditional law
    given the earlier draws and the event "the quota is reached", using suffix
    tables of the opposing-weight dynamic programme. Returns int8 (..., G, J)
    (padding members vote 0).
    """
    p = np.asarray(support_prob, dtype=float)
    r = 1.0 - p
    J, K = bodies.n_members, bodies.n_states
    w = bodies.weights
    batch = p.shape[:-1]
    # T[j][..., s] = P(members j.. oppose with weight <= s)
    T = [np.ones((*batch, K))]
    s_idx = np.arange(K)
    for j in range(J - 1, -1, -1):
        nxt = T[0]
        src = s_idx[None, :] - w[:, j][:, None]                              # (G, K)
        shifted = np.where(src >= 0, np.take_along_axis(
            nxt, np.broadcast_to(np.clip(src, 0, K - 1), nxt.shape), axis=-1), 0.0)
        T.insert(0, p[..., j][..., None] * nxt + r[..., j][..., None] * shifted)
    slack = np.broadcast_to(bodies.slack, batch).copy()
    votes = np.zeros((*batch, J), dtype=np.int8)
    if np.any(np.take_along_axis(T[0], slack[..., None], axis=-1) <= 0):
        raise InvalidArgumentError("support_prob", "(array)", "a configuration cannot pass "
                                   "with these support probabilities",
                                   "Sample votes only for configurations that can pass")
    for j in range(J):
        here = np.take_along_axis(T[j], slack[..., None], axis=-1)[..., 0]
        wj = np.broadcast_to(w[:, j], batch)
        after = slack - wj
        ok = after >= 0
        tail = np.where(ok, np.take_along_axis(T[j + 1], np.clip(after, 0, None)[..., None],
                                               axis=-1)[..., 0], 0.0)
        p_oppose = np.where(wj > 0, r[..., j] * tail / here, 0.0)
        oppose = rng.random(batch) < p_oppose
        votes[..., j] = np.where(wj > 0, ~oppose, False)
        slack = np.where(oppose, after, slack)
    return votes


def simulate_process(rng: np.random.Generator, proposal_logit: np.ndarray,
                     support_prob: np.ndarray, bodies: VotingBodies, mask: np.ndarray,
                     max_rounds: int = 100_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The proposal-vote-replace process simulated literally (a Monte Carlo check).

    Each round, every body still undecided draws a proposal from the proposer's
    logit, draws each member's vote independently and stops if the supporting
    weight reaches the quota. Returns ``(chosen, rounds, votes)`` with shapes
    (G,), (G,), (G, J). Bodies that have not passed after ``max_rounds`` raise.

    Examples
    --------
    >>> b = VotingBodies([[1, 1]], [2])
    >>> c, rounds, v = simulate_process(np.random.default_rng(0), np.zeros((1, 2)),
    ...                                 np.array([[[1.0, 1.0], [0.0, 1.0]]]), b,
    ...                                 np.ones((1, 2), bool))
    >>> int(c[0]), v.tolist()
    (0, [[1, 1]])
    """
    z = np.where(mask, np.asarray(proposal_logit, float), -np.inf)
    p = np.asarray(support_prob, dtype=float)
    G, C, J = p.shape
    chosen = np.full(G, -1, dtype=np.int64)
    rounds = np.zeros(G, dtype=np.int64)
    votes = np.zeros((G, J), dtype=np.int8)
    todo = np.arange(G)
    for _ in range(max_rounds):
        if not len(todo):
            break
        rounds[todo] += 1
        c = np.argmax(z[todo] + rng.gumbel(size=(len(todo), C)), axis=1)
        pv = p[todo, c]                                               # (n, J)
        v = rng.random(pv.shape) < pv
        ok = (v * bodies.weights[todo]).sum(axis=1) >= bodies.quota[todo]
        done = todo[ok]
        chosen[done] = c[ok]
        votes[done] = v[ok]
        todo = todo[~ok]
    if len(todo):
        raise InvalidArgumentError("max_rounds", max_rounds, f"{len(todo)} bodies had not "
                                   "agreed", "Raise max_rounds (or check that something "
                                   "can pass)")
    return chosen, rounds, votes



@dataclass(frozen=True, eq=False)
class LinearUtilities:
    r"""Proposer's logits and members' vote utilities, linear in their coefficients.

    .. math::

        z_{gc} = z^0_{gc} + \sum_f x_{gcf}\,\beta_{gf}, \qquad
        u_{gcj} = u^0_{gcj} + \sum_p m^{(p)}_{gj}\,\gamma^{(p)}_g
        + \sum_q y^{(q)}_{gcj}\,\eta^{(q)}_g, \qquad a_{gcj} = \kappa_g u_{gcj},

    with data arrays (numpy, or tensors of the backend) and coefficients of the
    backend, each with a body axis of size ``G`` or 1 after any batch axes. An
    application says once which of its terms are which (member terms depend on
    the member only, configuration terms on the member and the configuration) and
    every backend, and :func:`formation_log_likelihood`'s compiled path, computes
    the same sums.

    Attributes
    ----------
    proposal_x : (G, C, F) array
        :math:`x`.
    proposal_coef : (..., G or 1, F)
        :math:`\beta`.
    member_terms : tuple of (array (G, J), coefficient (..., G or 1))
        :math:`(m^{(p)}, \gamma^{(p)})`.
    config_terms : tuple of (array (G, C, J), coefficient (..., G or 1))
        :math:`(y^{(q)}, \eta^{(q)})`.
    utility_offset : (G, C, J) array
        :math:`u^0`.
    kappa : (..., G or 1)
        :math:`\kappa`.
    proposal_offset : (G, C) array or None
        :math:`z^0` (None: 0).

    Examples
    --------
    >>> lu = LinearUtilities(np.ones((1, 2, 1)), np.array([[0.5]]),
    ...                      ((np.ones((1, 3)), np.array([1.0])),),
    ...                      ((np.full((1, 2, 3), 2.0), np.array([-1.0])),),
    ...                      np.zeros((1, 2, 3)), np.array([3.0]))
    >>> lu.proposal_logits(NUMPY).tolist(), lu.support_logits(NUMPY)[0, 0].tolist()
    ([[0.5, 0.5]], [-3.0, -3.0, -3.0])
    """

    proposal_x: Any
    proposal_coef: Any
    member_terms: tuple[tuple[Any, Any], ...]
    config_terms: tuple[tuple[Any, Any], ...]
    utility_offset: Any
    kappa: Any
    proposal_offset: Any = None

    def proposal_logits(self, xp: ArrayBackend = NUMPY) -> Any:
        """:math:`z`, (..., G, C)."""
        z = xp.sum(self.proposal_x * self.proposal_coef[..., None, :], axis=-1)
        return z if self.proposal_offset is None else z + self.proposal_offset

    def utilities(self, xp: ArrayBackend = NUMPY) -> Any:
        """:math:`u`, (..., G, C, J)."""
        base: Any = 0.0
        for x, coef in self.member_terms:
            base = base + x * coef[..., None]                               # (..., G, J)
        u = self.utility_offset + (base[..., None, :] if self.member_terms else 0.0)
        for x, coef in self.config_terms:
            u = u + x * coef[..., None, None]
        return u

    def support_logits(self, xp: ArrayBackend = NUMPY) -> Any:
        """:math:`a = \\kappa u`, (..., G, C, J)."""
        return self.kappa[..., None, None] * self.utilities(xp)


def formation_log_likelihood(utilities: LinearUtilities, bodies: VotingBodies,
                             mask: np.ndarray, chosen: Any, votes: Any = None,
                             vote_mask: Any = None, xp: ArrayBackend = NUMPY, *,
                             blocks: Sequence[tuple[int, int, int]] | None = None) -> Any:
    r"""Log-likelihood of each body's chosen configuration, with its observed votes.

    .. math::

        \ell_g = \log P(c_g) + \log P(v_g \mid c_g)

    (:func:`log_choice_probability` at the chosen configuration, and
    :func:`log_vote_probability` when ``votes`` are given), (..., G); :math:`-\infty`
    where the chosen configuration cannot pass.

    Parameters
    ----------
    utilities : LinearUtilities
    bodies : VotingBodies
    mask : (G, C) bool
        Real configurations.
    chosen : (G,) int
        Slot of each body's chosen configuration (numpy or a tensor of ``xp``).
    votes, vote_mask : (G, J), optional
        Observed votes on the chosen configuration (1 = support) and which are
        observed; None: no vote term.
    xp : ArrayBackend
    blocks : sequence of (g0, g1, n), optional
        As in :func:`log_pass_probability`.

    Notes
    -----
    On JAX, with numba installed, numpy data arrays and coefficients without batch
    axes (what a sampler evaluates), the whole term and its exact gradient in the
    coefficients run as one compiled loop (:func:`._kernel.formation_loglik`: the
    programme of :func:`log_pass_probability` per body over its own real
    configurations, active members and states, the choice probabilities and the
    vote term) under a ``custom_vjp`` (reverse mode only). Otherwise the functions
    above are composed on ``xp``; both give the same numbers (tested).

    Examples
    --------
    >>> lu = LinearUtilities(np.zeros((1, 2, 1)), np.array([[0.0]]), (),
    ...                      (), np.array([[[1.0, 1.0], [-1.0, 1.0]]]), np.array([2.0]))
    >>> b = VotingBodies([[1, 1]], [2])
    >>> p = np.exp(formation_log_likelihood(lu, b, np.ones((1, 2), bool), np.array([0])))
    >>> s = 1 / (1 + np.exp(-2.0))
    >>> bool(np.isclose(p[0], s * s / (s * s + (1 - s) * s)))
    True
    """
    if xp.name == "jax":
        out = _formation_compiled(utilities, bodies, mask, chosen, votes, vote_mask, xp)
        if out is not None:
            return out
    z = utilities.proposal_logits(xp)
    a = utilities.support_logits(xp)
    lp = log_pass_probability(a, bodies, xp, blocks=blocks)
    lc = log_choice_probability(z, lp, mask, xp)
    ch = chosen if xp.is_symbolic(chosen) else np.asarray(chosen)
    oh = xp.equal(ch[:, None], np.arange(np.shape(mask)[1])[None, :])             # (G, C)
    out = xp.sum(xp.where(oh, lc, 0.0), axis=-1)
    if votes is None:
        return out
    a_obs = xp.sum(xp.where(oh[:, :, None], a, 0.0), axis=-2)                   # (..., G, J)
    lp_obs = xp.sum(xp.where(oh, lp, 0.0), axis=-1)
    return out + log_vote_probability(a_obs, votes, vote_mask, bodies, xp, blocks=blocks,
                                      log_pass=lp_obs)


def _formation_compiled(lu: LinearUtilities, bodies: VotingBodies, mask: np.ndarray,
                        chosen: Any, votes: Any, vote_mask: Any, xp: ArrayBackend) -> Any:
    """:func:`formation_log_likelihood` on JAX by the compiled loop; ``None`` when it
    does not apply (numba missing, symbolic data, batch axes)."""
    arrays = [lu.proposal_x, lu.utility_offset, chosen, votes, vote_mask, lu.proposal_offset,
              *(x for x, _ in lu.member_terms), *(x for x, _ in lu.config_terms)]
    if any(x is not None and not isinstance(x, np.ndarray | np.generic) for x in arrays):
        return None
    coefs = [lu.proposal_coef, lu.kappa, *(c for _, c in lu.member_terms),
             *(c for _, c in lu.config_terms)]
    if np.ndim(lu.proposal_coef) != 2 or any(np.ndim(c) != 1 for c in coefs[1:]):
        return None
    try:
        from ._kernel import formation_value_grad
    except ImportError:          # pragma: no cover - numba comes with pytensor
        return None
    import jax.numpy as jnp

    G, C, F = lu.proposal_x.shape
    f64 = np.float64
    has_votes = votes is not None
    P1, P2 = len(lu.member_terms), len(lu.config_terms)
    data = _support_data(lu, bodies)
    lay = _tiles(bodies, np.asarray(mask, bool), vote_mask, data)
    e_g, e_c, e_j = lay["e_g"], lay["e_c"], lay["e_j"]
    J = bodies.n_members
    # the data of every row, packed once (the compiled loop streams through them)
    u0 = np.ascontiguousarray(data[0][e_g, e_c, e_j], f64)
    cx = np.ascontiguousarray(np.stack([x[e_g, e_c, e_j] for x in data[1:1 + P2]], axis=-1)
                              if P2 else np.zeros((len(e_g), 0)), f64)
    # member terms of each body's active members, in the order of the tiles' members
    live = np.arange(J)[None, :] < lay["nmem"][:, None]
    rows = np.arange(G)[:, None]
    mxb = np.ascontiguousarray(np.stack(
        [np.where(live, x[:, 0, :][rows, lay["slots"]], 0.0) for x in data[1 + P2:]],
        axis=-1)
        if P1 else np.zeros((G, J, 0)), f64)
    z0 = np.zeros((G, C)) if lu.proposal_offset is None \
        else np.ascontiguousarray(lu.proposal_offset, f64)
    zx = np.ascontiguousarray(lu.proposal_x, f64)
    ch = np.ascontiguousarray(chosen, np.int64)
    v = np.zeros((G, J)) if votes is None else np.asarray(votes, f64)
    vm = np.zeros((G, J)) if vote_mask is None else np.asarray(vote_mask, bool).astype(f64)
    layout = tuple(lay[k] for k in ("t_eoff", "t_c0", "t_ncol", "t_nm", "t_K", "t_lower",
                                    "t_w", "t_nr", "t_row", "t_first", "t_b0", "t_b1",
                                    "body", "body_c0", "col_g"))
    width = F + 1 + P1 + P2

    def run(theta: Any, grad: bool) -> Any:
        out = np.empty((G, 1 + width))
        formation_value_grad(np.ascontiguousarray(theta, f64), out, u0, cx, mxb, z0, zx,
                             lay["ncfg"], ch, lay["slots"], v, vm, has_votes, *layout, grad)
        return out

    def per_body(c: Any, width: int) -> Any:
        return jnp.broadcast_to(jnp.asarray(c, dtype=f64), (G,) if width < 0 else (G, width))

    cols = [per_body(lu.proposal_coef, F), per_body(lu.kappa, -1)[:, None],
            *(per_body(c, -1)[:, None] for _, c in lu.member_terms),
            *(per_body(c, -1)[:, None] for _, c in lu.config_terms)]
    return compiled_on_jax(run, jnp.concatenate(cols, axis=1), (G, 1 + width),
                           lambda d, bar: bar[:, None] * d)


#: columns (body x configuration) of one tile of the compiled loop: enough to fill the
#: vector units, few enough that a tile's states stay in cache (a tile holds whole
#: bodies, so one body with more configurations makes a wider tile)
TILE_COLUMNS = 256


def _support_data(lu: LinearUtilities, bodies: VotingBodies) -> list[np.ndarray]:
    """The data a member's support logit is built from, as arrays (G, C or 1, J), in
    this order: its offsets, its configuration terms and its member terms (the keys of
    :func:`_tiles`' twins, and what the compiled loop packs)."""
    G, C, _ = lu.proposal_x.shape
    J = bodies.n_members
    return [np.broadcast_to(lu.utility_offset, (G, C, J)),
            *(np.broadcast_to(x, (G, C, J)) for x, _ in lu.config_terms),
            *(np.broadcast_to(x, (G, J))[:, None, :] for x, _ in lu.member_terms)]


def _rows(keys: Sequence[np.ndarray], g: int, idx: np.ndarray, weights: np.ndarray,
          real: np.ndarray) -> tuple[int, ...]:
    """Body ``g``'s active members ``idx`` labelled by their first twin: members with
    the same weight and the same values of every key array (G, C or 1, J) in every
    real configuration get one label, in order of first appearance."""
    seen: dict[bytes, int] = {}
    labels = []
    for j in idx:
        sig = [np.array([weights[g, j]], np.float64)]
        for x in keys:
            col = x[g, :, j]
            sig.append(np.asarray(col[real] if col.shape[0] == real.shape[0] else col,
                                  np.float64))
        # + 0.0: -0.0 and 0.0 are the same datum (the bytes differ)
        labels.append(seen.setdefault((np.concatenate(sig) + 0.0).tobytes(), len(seen)))
    return tuple(labels)


def _tiles(bodies: VotingBodies, mask: np.ndarray, vote_mask: Any,
           keys: Sequence[np.ndarray] = ()) -> dict[str, np.ndarray]:
    """The packed layout of :func:`._kernel.formation_value_grad`: bodies with the same
    active members' weights, states, side and twins in tiles of whole bodies, at most
    :data:`TILE_COLUMNS` columns where the bodies allow (one column per real
    configuration). Members are twins when they have the same weight and the same
    values of every array in ``keys`` ((G, C or 1, J): the data their support logit is
    built from) in every real configuration; twins share one row of entries (without
    ``keys`` every member has its own)."""
    G, J = bodies.weights.shape
    weights = np.asarray(bodies.weights, np.int64)
    ncfg = mask.sum(axis=1).astype(np.int64)
    # members that vote (an observed vote of a member without weight still counts)
    active = weights > 0
    if vote_mask is not None:
        active = active | np.asarray(vote_mask, bool)
    lower = bodies.quota < bodies.slack            # the side with fewer states
    limit = np.where(lower, bodies.quota, bodies.slack).astype(np.int64)
    slots = np.zeros((G, J), np.int64)
    nmem = active.sum(axis=1)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for g in range(G):
        idx = np.flatnonzero(active[g])
        slots[g, :len(idx)] = idx
        rows = (_rows(keys, g, idx, weights, mask[g]) if keys
                else tuple(range(len(idx))))
        groups.setdefault((tuple(weights[g, idx].tolist()), int(limit[g]), bool(lower[g]),
                           rows), []).append(g)
    tiles: list[tuple[list[int], tuple[int, ...], int, bool, tuple[int, ...]]] = []
    for (w, lim, low, rows), members in groups.items():
        cur: list[int] = []
        for g in members:
            if cur and ncfg[cur].sum() + ncfg[g] > TILE_COLUMNS:
                tiles.append((cur, w, lim, low, rows))
                cur = []
            cur.append(g)
        tiles.append((cur, w, lim, low, rows))
    t_eoff, t_c0, t_ncol, t_nm, t_K, t_lower, t_w, t_b0, t_b1 = ([] for _ in range(9))
    t_nr, t_row, t_first = [], [], []
    body, body_c0, col_g, e_parts = [], [], [], []
    ne = nc = 0
    for members, w, lim, low, rows in tiles:
        gs = np.repeat(np.array(members, np.int64), ncfg[members])
        cs = np.concatenate([np.arange(ncfg[g]) for g in members]).astype(np.int64)
        n, nm = len(gs), len(w)
        t_b0.append(len(body))
        body.extend(members)
        t_b1.append(len(body))
        body_c0.extend((nc + np.concatenate([[0], np.cumsum(ncfg[members])[:-1]])).tolist())
        t_eoff.append(ne)
        t_c0.append(nc)
        t_ncol.append(n)
        t_nm.append(nm)
        t_K.append(lim + 1)
        t_lower.append(low)
        t_w.append(list(w) + [0] * (J - nm))
        nr = max(rows, default=-1) + 1
        first = [rows.index(r) for r in range(nr)]
        t_nr.append(nr)
        t_row.append(list(rows) + [0] * (J - nm))
        t_first.append(first + [0] * (J - nr))
        col_g.append(gs)
        for i in first:
            e_parts.append((gs, cs, slots[gs, i]))
        ne += nr * n
        nc += n
    def cat(k: int) -> np.ndarray:
        return (np.concatenate([p[k] for p in e_parts]) if e_parts
                else np.zeros(0)).astype(np.int64)

    def arr(x: list[Any], dt: Any = np.int64) -> np.ndarray:
        return np.array(x, dt)

    return {"t_eoff": arr(t_eoff), "t_c0": arr(t_c0), "t_ncol": arr(t_ncol),
            "t_nm": arr(t_nm), "t_K": arr(t_K), "t_lower": arr(t_lower, bool),
            "t_w": arr(t_w).reshape(len(t_w), J), "t_nr": arr(t_nr),
            "t_row": arr(t_row).reshape(len(t_row), J),
            "t_first": arr(t_first).reshape(len(t_first), J),
            "t_b0": arr(t_b0), "t_b1": arr(t_b1),
            "body": arr(body), "body_c0": arr(body_c0),
            "col_g": np.concatenate(col_g).astype(np.int64) if col_g else arr([]),
            "e_g": cat(0), "e_c": cat(1), "e_j": cat(2), "slots": slots, "nmem": nmem,
            "ncfg": ncfg}
