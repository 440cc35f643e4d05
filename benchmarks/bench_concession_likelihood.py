"""Speed of the concession term's log-likelihood and its gradient on JAX.

The concession term of the structural model
(:func:`gametheory.restratification.spec.concession_log_probability`: the chosen
committee's unanimity solution, its role probabilities and the multinomial of the
observed counts) on ``estimation.simulate(n_regions=N, params=ModelParameters(lam=2.0),
seed=0)``, as ``jax.jit(jax.value_and_grad(...))`` of the parameters on the native JAX
backend, in one process, two ways:

* ``compiled``: as shipped (the compiled loop, numba, with its hand-written gradient
  under a ``custom_vjp``; :mod:`gametheory.restratification._concession_kernel`);
* ``graph``: the same function with the compiled loop switched off, so JAX runs and
  differentiates the backend graph (the implementation before; still the path without
  numba).

Both with the parameters shared (region axis of size 1) and per region (size G, as in
a hierarchical model). Reports the median wall time and the median process CPU time of
``repeats`` calls (the median over ``rounds`` rounds that alternate the programmes,
with the range of the rounds' CPU medians), the JIT compilation time, the load
average, the relative difference of the values and the largest difference of the
gradients relative to their largest element.

Usage: ``python benchmarks/bench_concession_likelihood.py [--regions 2000] [--repeats 30]
[--rounds 3] [--quick] [--json PATH]`` (``--quick``: 200 regions, 5 calls, 1 round).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import jax_call_times, machine, markdown_table, versions, write_json  # noqa: E402


def _compile(f, par) -> tuple[object, float]:
    import jax

    g = jax.jit(jax.value_and_grad(f))
    t = time.perf_counter()
    _, gr = g(par)
    jax.block_until_ready(gr)
    return g, time.perf_counter() - t


def _measure(g, par, repeats: int) -> dict[str, object]:
    return jax_call_times(g, par, repeats)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--regions", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3,
                    help="rounds of `repeats` calls, alternating the programmes")
    ap.add_argument("--quick", action="store_true", help="200 regions, 5 calls")
    ap.add_argument("--json", default=None, help="also write the results here")
    args = ap.parse_args()
    if args.quick:
        args.regions, args.repeats, args.rounds = 200, 5, 1

    import jax.numpy as jnp

    import estimation as est
    from gametheory.formation import jax_backend
    from gametheory.restratification import ModelParameters, spec
    from gametheory.restratification import concessions as cn

    data = est.simulate(n_regions=args.regions, params=ModelParameters(lam=2.0), seed=0)
    a = data.arrays()
    xp = jax_backend()
    shared = {k: jnp.asarray(v, dtype=float)
              for k, v in spec.parameters(ModelParameters(lam=2.0)).items()}
    G = a.design.n_regions
    rng = np.random.default_rng(1)
    per_region = {**shared, **{k: shared[k] * (1.0 + 0.05 * rng.uniform(-1, 1, G))
                               for k in spec.BARGAINING}}

    def f(par):
        return jnp.sum(spec.concession_log_probability(par, a.design, a.obs, xp))

    load0 = os.getloadavg()[0]
    fns, compile_s = {}, {}
    pars = {"shared": shared, "per region": per_region}
    keep = cn._compiled_package_log_likelihood
    for label, par in pars.items():
        fns[("compiled", label)], compile_s[("compiled", label)] = _compile(f, par)
        cn._compiled_package_log_likelihood = lambda *args: None
        try:
            fns[("graph", label)], compile_s[("graph", label)] = _compile(f, par)
        finally:
            cn._compiled_package_log_likelihood = keep
    # rounds alternate the programmes (a shared machine's load drifts); the figure is
    # the median over rounds of each round's median, with the rounds' range
    runs: dict[tuple[str, str], list[dict[str, object]]] = {k: [] for k in fns}
    for _ in range(args.rounds):
        for key, g in fns.items():
            runs[key].append(_measure(g, pars[key[1]], args.repeats))
    res = {}
    for key, rs in runs.items():
        res[key] = {**rs[-1], "compile_s": compile_s[key],
                    **{m: statistics.median(r[m] for r in rs) for m in ("wall_ms", "cpu_ms")},
                    "cpu_range": (min(r["cpu_ms"] for r in rs), max(r["cpu_ms"] for r in rs))}
    load1 = os.getloadavg()[0]
    diffs = {}
    for label in ("shared", "per region"):
        new, old = res[("compiled", label)], res[("graph", label)]
        dv = abs(new["value"] - old["value"]) / abs(old["value"])
        # relative to the gradient's scale (a region's element can be ~1e-15 by cancellation)
        dg = float(np.max(np.abs(new["grad"] - old["grad"])) / np.max(np.abs(old["grad"])))
        diffs[label] = (dv, dg)
    rows = [[k, lab, f"{r['wall_ms']:.2f}", f"{r['cpu_ms']:.2f}",
             "{:.2f}-{:.2f}".format(*r["cpu_range"]), f"{r['compile_s']:.1f}",
             f"{r['value']:.10f}"] for (k, lab), r in res.items()]
    print(f"{args.regions} regions, committee slots {a.design.committee.shape[-1]}, "
          f"{machine()}, {versions('jax', 'numba')}, load average {load0:.1f} -> {load1:.1f}")
    print(markdown_table(["likelihood", "parameters",
                          f"value+grad wall ms (median of {args.repeats})",
                          "CPU ms (median)", f"CPU ms, range of {args.rounds} rounds",
                          "JIT compile s", "value"], rows))
    for label, (dv, dg) in diffs.items():
        ratio = res[("graph", label)]["cpu_ms"] / res[("compiled", label)]["cpu_ms"]
        print(f"{label}: CPU-time ratio graph/compiled {ratio:.1f}x; relative difference "
              f"of the values {dv:.1e}, largest difference of the gradients "
              f"{dg:.1e} of their largest element")
    write_json(args.json, {
        "regions": args.regions, "repeats": args.repeats, "rounds": args.rounds,
        "load_average": [load0, load1], "machine": machine(),
        "versions": versions("jax", "numba"),
        "differences": {k: {"value": v[0], "gradient": v[1]} for k, v in diffs.items()},
        "results": {f"{k}/{lab}": {m: r[m] for m in ("wall_ms", "cpu_ms", "cpu_range",
                                                     "compile_s", "value")}
                    for (k, lab), r in res.items()}})


if __name__ == "__main__":
    main()
