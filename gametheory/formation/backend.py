r"""Array namespaces: the numerical code of a model is written once against one of these.

A backend is a small object exposing the array operations the formation core
and the model specifications need (``exp``, ``log``, ``sigmoid``,
``log_sigmoid``, ``logsumexp``, ``where``, ``sum``, ``take_along_axis``...).
The same function then runs on numpy arrays (simulation, reports, predictions,
maximum likelihood) and on pytensor tensors (the pymc model, which compiles to
C, numba or JAX).

* :data:`NUMPY` is always available.
* :func:`pytensor_backend` imports pytensor only when called (pytensor is a
  dependency of pymc; :mod:`gametheory` never imports pymc).
* :func:`jax_backend` imports JAX only when called (the ``fast`` extra): the
  same functions traced by JAX directly, e.g. inside one pytensor Op of a pymc
  model sampled by nutpie on JAX, where a large likelihood compiles and
  differentiates much faster than its pytensor graph translated op by op.

Conventions that keep the pytensor graphs compilable to JAX: every index or
mask array is built in numpy before the graph (:func:`as_constant` passes numpy
arrays through unchanged), shapes are static, and no loop bound is symbolic.

Examples
--------
>>> import numpy as np
>>> xp = NUMPY
>>> round(float(xp.logsumexp(np.log(np.array([0.25, 0.75])), axis=0)), 12)
0.0
>>> xp.sigmoid(np.array([0.0])).tolist(), round(float(xp.log_sigmoid(np.array(-800.0))), 1)
([0.5], -800.0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from scipy import special

__all__ = ["ArrayBackend", "NUMPY", "pytensor_backend", "jax_backend", "get_backend",
           "compiled_on_jax"]


@dataclass(frozen=True)
class ArrayBackend:
    """A namespace of array operations (see the module docstring).

    Attributes
    ----------
    name : str
        ``"numpy"``, ``"pytensor"`` or ``"jax"``.
    """

    name: str
    _m: Any

    # elementwise ---------------------------------------------------------
    def exp(self, x: Any) -> Any:
        return self._m.exp(x)

    def log(self, x: Any) -> Any:
        return self._m.log(x)

    def log1p(self, x: Any) -> Any:
        return self._m.log1p(x)

    def sigmoid(self, x: Any) -> Any:
        r""":math:`1 / (1 + e^{-x})`."""
        return self._m.sigmoid(x)

    def log_sigmoid(self, x: Any) -> Any:
        r""":math:`\log \sigma(x) = -\log(1 + e^{-x})`, accurate for large :math:`|x|`."""
        return self._m.log_sigmoid(x)

    def where(self, cond: Any, a: Any, b: Any) -> Any:
        return self._m.where(cond, a, b)

    def maximum(self, a: Any, b: Any) -> Any:
        return self._m.maximum(a, b)

    def minimum(self, a: Any, b: Any) -> Any:
        return self._m.minimum(a, b)

    def equal(self, a: Any, b: Any) -> Any:
        """Elementwise ``a == b`` (``==`` on a pytensor variable is not elementwise)."""
        return self._m.equal(a, b)

    def logical_and(self, a: Any, b: Any) -> Any:
        return self._m.logical_and(a, b)

    # reductions and shapes -----------------------------------------------
    def sum(self, x: Any, axis: int | None = None, keepdims: bool = False) -> Any:
        return self._m.sum(x, axis=axis, keepdims=keepdims)

    def logsumexp(self, x: Any, axis: int = -1, keepdims: bool = False) -> Any:
        r""":math:`\log\sum e^{x}` along *axis*; ``-inf`` entries contribute nothing."""
        return self._m.logsumexp(x, axis, keepdims)

    def stack(self, xs: Sequence[Any], axis: int = 0) -> Any:
        return self._m.stack(list(xs), axis=axis)

    def cumsum(self, x: Any, axis: int = -1) -> Any:
        return self._m.cumsum(x, axis=axis)

    def moveaxis(self, x: Any, source: int, destination: int) -> Any:
        return self._m.moveaxis(x, source, destination)

    def broadcast_to(self, x: Any, shape: tuple[int, ...]) -> Any:
        return self._m.broadcast_to(x, shape)

    def fold(self, step: Any, init: Any, xs: Sequence[Any]) -> Any:
        """``carry = step(carry, [x[i] for x in xs])`` for ``i`` along the first axis of
        the ``xs``; the final carry. numpy loops in Python, JAX runs one ``lax.scan``
        (a small graph whatever the length); pytensor has no fold (unroll instead)."""
        return self._m.fold(step, init, list(xs))

    def concatenate(self, xs: Sequence[Any], axis: int = 0) -> Any:
        return self._m.concatenate(list(xs), axis=axis)

    def take_along_axis(self, x: Any, idx: np.ndarray, axis: int) -> Any:
        """Gather along *axis* with a numpy index array that broadcasts against *x* (on
        JAX also a traced index of *x*'s shape, e.g. a slice of a folded constant)."""
        if self.name == "jax" and not isinstance(idx, np.ndarray | list | tuple):
            idx = idx.reshape((1,) * (x.ndim - idx.ndim) + tuple(idx.shape))
            return self._m.take_along_axis(x, idx, axis)
        idx = np.asarray(idx)
        ndim = int(x.ndim)
        if idx.ndim < ndim:
            idx = idx.reshape((1,) * (ndim - idx.ndim) + idx.shape)
        if isinstance(x, np.ndarray):
            # a constant (e.g. a start vector): gather in numpy, so pytensor keeps its
            # static shape (a symbolic gather would forget it and break broadcasting)
            return np.take_along_axis(x, idx, axis)
        return self._m.take_along_axis(x, idx, axis)

    def asarray(self, x: Any) -> Any:
        return self._m.asarray(x)

    def is_symbolic(self, x: Any) -> bool:
        """True for a pytensor variable (False for numpy arrays and Python numbers)."""
        return not isinstance(x, np.ndarray | np.generic | int | float | bool | list | tuple)

    def ndim(self, x: Any) -> int:
        return int(np.ndim(x)) if self.name != "pytensor" else int(x.ndim)


class _NumpyOps:
    exp = staticmethod(np.exp)
    log1p = staticmethod(np.log1p)
    where = staticmethod(np.where)
    maximum = staticmethod(np.maximum)
    minimum = staticmethod(np.minimum)
    equal = staticmethod(np.equal)
    logical_and = staticmethod(np.logical_and)
    sum = staticmethod(np.sum)
    stack = staticmethod(np.stack)
    concatenate = staticmethod(np.concatenate)
    take_along_axis = staticmethod(np.take_along_axis)
    cumsum = staticmethod(np.cumsum)
    moveaxis = staticmethod(np.moveaxis)
    broadcast_to = staticmethod(np.broadcast_to)

    @staticmethod
    def fold(step: Any, init: Any, xs: list[Any]) -> Any:
        carry = init
        for i in range(len(xs[0])):
            carry = step(carry, [x[i] for x in xs])
        return carry

    @staticmethod
    def asarray(x: Any) -> np.ndarray:
        return np.asarray(x, dtype=float)

    @staticmethod
    def log(x: Any) -> Any:
        with np.errstate(divide="ignore"):     # log(0) = -inf is meant
            return np.log(x)

    @staticmethod
    def sigmoid(x: Any) -> Any:
        return special.expit(x)

    @staticmethod
    def log_sigmoid(x: Any) -> Any:
        return -np.logaddexp(0.0, -np.asarray(x, dtype=float))

    @staticmethod
    def logsumexp(x: Any, axis: int, keepdims: bool) -> Any:
        x = np.asarray(x, dtype=float)
        m = np.max(x, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0.0)
        with np.errstate(divide="ignore"):
            out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
        return out if keepdims else np.squeeze(out, axis=axis)


#: The numpy backend.
NUMPY = ArrayBackend("numpy", _NumpyOps())


class _PytensorOps:
    def __init__(self) -> None:
        import pytensor.tensor as pt

        self.pt = pt
        self.exp, self.log, self.log1p = pt.exp, pt.log, pt.log1p
        self.where, self.maximum, self.sigmoid = pt.where, pt.maximum, pt.sigmoid
        self.minimum = pt.minimum
        self.equal, self.logical_and = pt.eq, pt.and_

    def sum(self, x: Any, axis: int | None = None, keepdims: bool = False) -> Any:
        return self.pt.sum(x, axis=axis, keepdims=keepdims)

    def stack(self, xs: list[Any], axis: int = 0) -> Any:
        return self.pt.stack(xs, axis=axis)

    def concatenate(self, xs: list[Any], axis: int = 0) -> Any:
        return self.pt.concatenate(xs, axis=axis)

    def cumsum(self, x: Any, axis: int = -1) -> Any:
        return self.pt.cumsum(x, axis=axis)

    def take_along_axis(self, x: Any, idx: np.ndarray, axis: int) -> Any:
        return self.pt.take_along_axis(x, idx, axis=axis)

    def asarray(self, x: Any) -> Any:
        return self.pt.as_tensor_variable(x)

    def log_sigmoid(self, x: Any) -> Any:
        return -self.pt.softplus(-x)

    def logsumexp(self, x: Any, axis: int, keepdims: bool) -> Any:
        pt = self.pt
        m = pt.max(x, axis=axis, keepdims=True)
        m = pt.switch(pt.isinf(m), 0.0, m)
        out = pt.log(pt.sum(pt.exp(x - m), axis=axis, keepdims=True)) + m
        return out if keepdims else pt.squeeze(out, axis=axis)


@cache
def pytensor_backend() -> ArrayBackend:
    """The pytensor backend (imports pytensor on first call).

    Examples
    --------
    >>> xp = pytensor_backend()
    >>> xp.name
    'pytensor'
    """
    return ArrayBackend("pytensor", _PytensorOps())


class _JaxOps:
    def __init__(self) -> None:
        import jax

        # the likelihoods are written for double precision (as numpy and pytensor run them)
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        self.jnp, self.lax = jnp, jax.lax
        self.exp, self.log, self.log1p = jnp.exp, jnp.log, jnp.log1p
        self.where, self.maximum, self.equal = jnp.where, jnp.maximum, jnp.equal
        self.minimum = jnp.minimum
        self.logical_and, self.take_along_axis = jnp.logical_and, jnp.take_along_axis
        self.sigmoid, self.log_sigmoid = jax.nn.sigmoid, jax.nn.log_sigmoid

    def sum(self, x: Any, axis: int | None = None, keepdims: bool = False) -> Any:
        return self.jnp.sum(x, axis=axis, keepdims=keepdims)

    def stack(self, xs: list[Any], axis: int = 0) -> Any:
        return self.jnp.stack(xs, axis=axis)

    def concatenate(self, xs: list[Any], axis: int = 0) -> Any:
        return self.jnp.concatenate(xs, axis=axis)

    def cumsum(self, x: Any, axis: int = -1) -> Any:
        return self.jnp.cumsum(x, axis=axis)

    def moveaxis(self, x: Any, source: int, destination: int) -> Any:
        return self.jnp.moveaxis(x, source, destination)

    def broadcast_to(self, x: Any, shape: tuple[int, ...]) -> Any:
        return self.jnp.broadcast_to(x, shape)

    def fold(self, step: Any, init: Any, xs: list[Any]) -> Any:
        return self.lax.scan(lambda c, x: (step(c, x), None), init, tuple(xs))[0]

    def asarray(self, x: Any) -> Any:
        return self.jnp.asarray(x, dtype=self.jnp.float64)

    def logsumexp(self, x: Any, axis: int, keepdims: bool) -> Any:
        jnp = self.jnp
        m = jnp.max(x, axis=axis, keepdims=True)
        m = jnp.where(jnp.isfinite(m), m, 0.0)
        out = jnp.log(jnp.sum(jnp.exp(x - m), axis=axis, keepdims=True)) + m
        return out if keepdims else jnp.squeeze(out, axis=axis)


@cache
def jax_backend() -> ArrayBackend:
    """The JAX backend (imports JAX on first call and switches on its double precision).

    Examples
    --------
    >>> xp = jax_backend()
    >>> round(float(xp.logsumexp(xp.asarray([0.0, -np.inf]), axis=0)), 12)
    0.0
    """
    return ArrayBackend("jax", _JaxOps())


def get_backend(name_or_backend: str | ArrayBackend = "numpy") -> ArrayBackend:
    """A backend by name (``"numpy"``, ``"pytensor"`` or ``"jax"``), or the backend given."""
    from ..errors import InvalidArgumentError

    if isinstance(name_or_backend, ArrayBackend):
        return name_or_backend
    if name_or_backend == "numpy":
        return NUMPY
    if name_or_backend == "pytensor":
        return pytensor_backend()
    if name_or_backend == "jax":
        return jax_backend()
    raise InvalidArgumentError("backend", name_or_backend, "unknown array backend",
                               "Use 'numpy', 'pytensor' or 'jax'")


def compiled_on_jax(run: Callable[[np.ndarray, bool], np.ndarray], theta: Any,
                    out_shape: tuple[int, ...], backward: Callable[[Any, Any], Any]) -> Any:
    r"""A term computed by compiled code with its exact gradient, as a JAX function of
    ``theta`` (reverse mode only).

    ``run(theta, grad)`` (numpy in, numpy out, shape ``out_shape``) returns the value
    in ``[..., 0]`` and, when ``grad``, its derivatives in ``[..., 1:]``;
    ``backward(d, bar)`` maps those derivatives and the value's cotangent ``bar`` to
    ``theta``'s cotangent. JAX calls ``run`` through ``pure_callback`` under a
    ``custom_vjp`` rule, with one input and one output (a callback costs per
    argument, under the interpreter lock that a sampler's chains share), and one call
    per value and gradient (a sampler always wants both). Used by the compiled loops
    of the formation, appointment and concession terms.

    Examples
    --------
    >>> import jax, jax.numpy as jnp
    >>> def run(t, grad):                       # value sum(t^2), derivative 2t
    ...     return np.stack([t * t, 2 * t], axis=-1)
    >>> f = lambda t: compiled_on_jax(run, t, (3, 2), lambda d, bar: bar * d[..., 0]).sum()
    >>> jax.grad(f)(jnp.arange(3.0)).tolist()
    [0.0, 2.0, 4.0]
    """
    import jax

    out_type = jax.ShapeDtypeStruct(tuple(out_shape), np.float64)

    @jax.custom_vjp
    def term(x: Any) -> Any:
        return jax.pure_callback(lambda y: run(y, False), out_type, x,
                                 vmap_method="sequential")[..., 0]

    def forward(x: Any) -> tuple[Any, Any]:
        out = jax.pure_callback(lambda y: run(y, True), out_type, x, vmap_method="sequential")
        return out[..., 0], out[..., 1:]

    def reverse(d: Any, bar: Any) -> tuple[Any]:
        return (backward(d, bar),)

    term.defvjp(forward, reverse)
    return term(theta)
