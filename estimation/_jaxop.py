"""One pytensor Op type for a log-likelihood written once against an array backend.

A log-likelihood ``fn(args, xp)`` (``args`` the Op's inputs, ``xp`` an
:class:`~gametheory.formation.ArrayBackend`) enters a pymc model as one scalar Op:
evaluated by the numpy backend in Python, and by the JAX backend when the graph is
compiled to JAX (nutpie on JAX), where JAX differentiates it. The Op has no pytensor
gradient. Used by the restratification model
(:func:`estimation.models.structural.loglik_op`) and the government-formation model
(:func:`estimation.government_structural.government_model`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import numpy as np

from .errors import EstimationError

_OP_TYPE: list[Any] = []


def backend_loglik_op(fn: Callable[[Any, Any], Any], key: Hashable, hint: str) -> Any:
    """The Op computing ``fn(args, xp)``; two Ops with equal ``key`` are equal (pytensor
    merges them). ``hint`` says what to do when a pytensor gradient is asked for."""
    return _op_type()(fn, key, hint)


def _op_type() -> Any:
    if _OP_TYPE:
        return _OP_TYPE[0]
    import pytensor.tensor as pt
    from pytensor.graph.basic import Apply
    from pytensor.graph.op import Op
    from pytensor.link.jax.dispatch import jax_funcify

    from gametheory.formation import NUMPY, jax_backend

    class BackendLogLik(Op):
        """``fn(args, xp)`` as one scalar Op (see :func:`backend_loglik_op`)."""

        def __init__(self, fn: Callable[[Any, Any], Any], key: Hashable, hint: str) -> None:
            self.fn, self.key, self.hint = fn, key, hint

        def __eq__(self, other: object) -> bool:
            return type(other) is type(self) and other.key == self.key  # type: ignore

        def __hash__(self) -> int:
            return hash((type(self), self.key))

        def make_node(self, *args: Any) -> Apply:
            ins = [pt.as_tensor_variable(x).astype("float64") for x in args]
            return Apply(self, ins, [pt.dscalar()])

        def perform(self, node: Any, inputs: Any, outputs: Any) -> None:
            v = self.fn([np.asarray(x) for x in inputs], NUMPY)
            outputs[0][0] = np.asarray(v, dtype=np.float64)

        def grad(self, inputs: Any, output_grads: Any) -> Any:
            raise EstimationError("likelihood", "jax",
                                  "the JAX likelihood is differentiated by JAX only", self.hint)

    @jax_funcify.register(BackendLogLik)
    def _funcify(op: Any, **kwargs: Any) -> Callable[..., Any]:
        xp = jax_backend()
        fn = op.fn

        def loglik(*args: Any) -> Any:
            return fn(args, xp)

        return loglik

    _OP_TYPE.append(BackendLogLik)
    return BackendLogLik
