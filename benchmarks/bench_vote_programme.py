"""Speed of the configuration term of the structural likelihood on JAX (issue 11).

The configuration term (support logits, exact pass probabilities, proposal-and-vote
choice probabilities at the chosen configurations: :func:`spec.configuration_log_likelihood
<gametheory.restratification.spec.configuration_log_likelihood>`) on
``estimation.simulate(n_regions=N, params=ModelParameters(lam=2.0), seed=0)``, as
``jax.jit(jax.value_and_grad(...))`` of the parameters on the native JAX backend, in
one process, three ways:

* ``fused``: as shipped, :func:`gametheory.formation.formation_log_likelihood`'s
  compiled loop (numba: utilities, programme, choice probabilities and the exact
  gradient in the parameters in one call, bodies of the same weights side by side);
* ``composed``: the same term composed of JAX operations around the compiled
  pass-probability programme (:func:`gametheory.formation.log_pass_probability`'s
  forward-backward loop under a ``custom_vjp``; the path before the fused loop);
* ``folded``: the composition with the programme folded by JAX (``lax.scan`` with a
  gather per member) and differentiated by JAX (the path without numba).

Reports the median wall time and the median process CPU time of ``repeats`` calls
(CPU time is less disturbed by other processes on a shared machine), the JIT
compilation time, the load average, and the largest difference of the gradients.

Usage: ``python benchmarks/bench_vote_programme.py [--regions 2000] [--repeats 30]
[--quick] [--json PATH]`` (``--quick``: 200 regions, 5 calls).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import jax_call_times, machine, markdown_table, versions, write_json  # noqa: E402


def _config_term(d, obs, spec, xp):
    import jax.numpy as jnp

    def f(par):
        return jnp.sum(spec.configuration_log_likelihood(par, d, obs, xp))
    return f


def _measure(f, par, repeats: int) -> dict[str, float]:
    import jax

    g = jax.jit(jax.value_and_grad(f))
    t = time.perf_counter()
    v, gr = g(par)
    jax.block_until_ready(gr)
    compile_s = time.perf_counter() - t
    return {"compile_s": compile_s, **jax_call_times(g, par, repeats)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--regions", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="200 regions, 5 calls")
    ap.add_argument("--json", default=None, help="also write the results here")
    args = ap.parse_args()
    if args.quick:
        args.regions, args.repeats = 200, 5

    import jax.numpy as jnp

    import estimation as est
    from gametheory.formation import core, jax_backend
    from gametheory.restratification import ModelParameters, spec

    data = est.simulate(n_regions=args.regions, params=ModelParameters(lam=2.0), seed=0)
    a = data.arrays()
    xp = jax_backend()
    par = {k: jnp.asarray(v, dtype=float)
           for k, v in spec.parameters(ModelParameters(lam=2.0)).items()}
    f = _config_term(a.design, a.obs, spec, xp)
    load0 = os.getloadavg()[0]
    res = {"fused": _measure(f, par, args.repeats)}
    keep = core._formation_compiled, core._compiled_programme
    try:
        core._formation_compiled = lambda *args: None
        res["composed"] = _measure(f, par, args.repeats)
        core._compiled_programme = lambda *args: None
        res["folded"] = _measure(f, par, args.repeats)
    finally:
        core._formation_compiled, core._compiled_programme = keep
    load1 = os.getloadavg()[0]
    diff = max(float(np.max(np.abs(res["fused"]["grad"] - r["grad"]))) for r in res.values())
    rows = [[k, f"{r['wall_ms']:.1f}", f"{r['cpu_ms']:.1f}", f"{r['compile_s']:.1f}",
             f"{r['value']:.10f}"] for k, r in res.items()]
    print(f"{args.regions} regions, {machine()}, "
          f"{versions('jax', 'numba')}, load average {load0:.1f} -> {load1:.1f}")
    print(markdown_table(["term", f"value+grad wall ms (median of {args.repeats})",
                          "CPU ms (median)", "JIT compile s", "value"], rows))
    for k in ("composed", "folded"):
        print(f"CPU-time ratio {k}/fused: {res[k]['cpu_ms'] / res['fused']['cpu_ms']:.1f}x")
    print(f"max |gradient difference| {diff:.1e}")
    write_json(args.json, {
        "regions": args.regions, "repeats": args.repeats,
        "load_average": [load0, load1], "machine": machine(),
        "versions": versions("jax", "numba"), "max_gradient_difference": diff,
        "results": {k: {m: r[m] for m in ("wall_ms", "cpu_ms", "compile_s", "value")}
                    for k, r in res.items()}})


if __name__ == "__main__":
    main()
