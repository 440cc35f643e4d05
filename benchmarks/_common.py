"""Shared helpers for the speed benchmarks: timing, machine description, tables."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any


def median_time(fn: Callable[[], Any], repeats: int = 5, budget: float = 60.0) -> tuple[float, Any]:
    """Median wall time of *fn* over up to *repeats* runs (fewer if over *budget* s)."""
    times = []
    out = None
    start = time.perf_counter()
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        if time.perf_counter() - start > budget:
            break
    return statistics.median(times), out


def alternating_block_times(fns: list[Callable[[], Any]], blocks: int = 15,
                            inner: int = 100) -> tuple[list[list[float]], list[Any]]:
    """Per-call times of each of *fns* over *blocks* blocks of *inner* calls, the
    functions' blocks alternating (so a change in the machine's load hits them alike).

    Returns one list of per-call block times per function, and each one's last result.
    """
    times: list[list[float]] = [[] for _ in fns]
    outs: list[Any] = [None] * len(fns)
    for _ in range(blocks):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            for _ in range(inner):
                outs[k] = fn()
            times[k].append((time.perf_counter() - t0) / inner)
    return times, outs


def percentile(values: list[float], q: float) -> float:
    """The *q*-quantile of *values* (nearest rank)."""
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


def versions(*names: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for n in names:
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            out[n] = None
    return out


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


def fmt_time(t: float | None) -> str:
    if t is None:
        return "n/a"
    if t < 1e-3:
        return f"{t * 1e6:.0f} us"
    if t < 1:
        return f"{t * 1e3:.1f} ms"
    return f"{t:.2f} s"


def markdown_table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for r in rows:
        lines.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(lines)


def write_json(path: str | None, payload: dict[str, Any]) -> None:
    if not path:
        return
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(p.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, default=str))
    os.replace(tmp, p)


def jax_call_times(g: Callable[[Any], Any], par: Any, repeats: int) -> dict[str, Any]:
    """Median wall and process CPU time (ms) of ``repeats`` calls of a jitted
    value-and-gradient function ``g(par)``, with the last value and the gradient
    flattened (to compare programmes)."""
    import statistics
    import time

    import jax
    import numpy as np

    wall, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        v, gr = g(par)
        jax.block_until_ready(gr)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return {"wall_ms": 1e3 * statistics.median(wall), "cpu_ms": 1e3 * statistics.median(cpu),
            "value": float(v),
            "grad": np.concatenate([np.ravel(np.asarray(x)) for x in jax.tree.leaves(gr)])}
