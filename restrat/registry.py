"""Named benchmark scenarios: what each represents, its inputs and its expected outcomes.

``restrat bench scenarios`` runs every entry and prints observed outcomes
against expectations (``python -m restrat.registry`` does the same). The
registry ships with the package, so it runs from an installed wheel; the
long speed comparisons with peer packages live in the repository's
``benchmarks/`` folder. Each
entry's ``run()`` returns a mapping of observed outcomes (the keys of
``expected``, plus ``seconds``); an outcome passes when it equals its
expectation, or, for an expectation written as ``(">=", x)``, when it is at
least ``x``.

Entries:

* the case region and its counterfactuals (the findings of the case study);
* random regions of 10, 100 and 1,000 organisations (bids, blocs and
  committees scale with them): the model runs, its choice probabilities sum
  to one, the chosen configuration is unblocked and the concessions stabilise
  the losers;
* estimation: recovery of the structural model's parameters by maximum
  likelihood on simulated data at 50, 200 and 2,000 regions (share of true
  values inside 95% intervals).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class BenchScenario:
    """One benchmark scenario."""

    name: str
    description: str
    inputs: dict[str, Any]
    expected: dict[str, Any]
    run: Callable[[], dict[str, Any]] = field(repr=False)
    group: str = "model"


def _model_outcomes(region: Any) -> dict[str, Any]:
    import numpy as np

    from gametheory.restratification import run

    t0 = time.perf_counter()
    res = run(region)
    secs = time.perf_counter() - t0
    t = res.allocation.table
    conc = t[t["host"] == t["centre"]]
    a = res.appointments[res.appointments["appointed"]]
    docs = {d.name: d for d in region.doctors}
    ct = res.concessions.table
    rises = True
    if not ct.empty:
        s = ct.sort_values("loss")
        rises = bool(np.all(np.diff((s["package_value"] + s["shortfall"]).to_numpy())
                            >= -1e-9))
    pk = res.concessions.packages
    seats = set(pk[pk["kind"] == "seat"]["organisation"]) if not pk.empty else set()
    districts = {o.name for o in region.organisations if o.kind == "district"}
    chosen_row = t[(t["host"] == res.chosen[0]) & (t["centre"] == res.chosen[1])]
    return {
        "host": res.chosen[0],
        "centre": res.chosen[1],
        "concentrated_blocked_by_bloc": bool(conc["blocked"].any()) if len(conc) else None,
        "directors_multiplex": bool(all(docs[n].multiplex for n in a["doctor"])),
        "every_district_has_seat": districts <= seats,
        "concessions_rise_with_loss": rises,
        "probabilities_sum_to_one": bool(abs(t["probability"].sum() - 1) < 1e-9),
        "chosen_unblocked": bool(not chosen_row["blocked"].item()) or res.allocation.all_blocked,
        "concessions_stable": res.concessions.stable,
        "configurations": len(t),
        "seconds": secs,
    }


def _region_entry(name: str) -> BenchScenario:
    from gametheory.restratification import scenarios

    region = scenarios.load(name)
    exp = dict(region.expectations)
    return BenchScenario(name, region.description, {"scenario": name}, exp,
                         lambda: _model_outcomes(scenarios.load(name)))


def _random_entry(n: int, seed: int = 2026) -> BenchScenario:
    from gametheory.restratification import scenarios

    def go() -> dict[str, Any]:
        return _model_outcomes(scenarios.random_region(seed, n_organisations=n,
                                                       name=f"random-{n}"))

    return BenchScenario(
        f"random-{n}", f"A random region of {n} organisations (one teaching hospital per 20, "
        "the rest district hospitals, one neutral provider and an ambulance service).",
        {"n_organisations": n, "seed": seed},
        {"probabilities_sum_to_one": True, "chosen_unblocked": True,
         "concessions_stable": True},
        go)


def _recovery_entry(n_regions: int, seed: int = 7) -> BenchScenario:
    def go() -> dict[str, Any]:
        import estimation as est

        t0 = time.perf_counter()
        data = est.simulate(n_regions=n_regions, seed=seed)
        fit = est.fit_mle(data, model="structural")
        secs = time.perf_counter() - t0
        tab = fit.table
        truth = data.truth
        inside = [float(tab.at[k, "lower"]) <= float(v) <= float(tab.at[k, "upper"])
                  for k, v in truth.items() if k in tab.index]
        return {"coverage_95": sum(inside) / len(inside), "parameters": len(inside),
                "seconds": secs}

    return BenchScenario(
        f"recovery-mle-{n_regions}",
        f"Simulate {n_regions} random regions at the default parameters and recover the "
        "structural model's parameters by maximum likelihood.",
        {"n_regions": n_regions, "seed": seed, "model": "structural", "method": "mle"},
        {"coverage_95": (">=", 0.75)}, go, group="estimation")


def registry() -> list[BenchScenario]:
    """Every benchmark scenario, in run order."""
    from gametheory.restratification import scenarios

    out = [_region_entry(n) for n in scenarios.names() if n != "random-region"]
    out += [_random_entry(n) for n in (10, 100, 1000)]
    out += [_recovery_entry(n) for n in (50, 200, 2000)]
    return out


def _markdown_table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _versions(*names: str) -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {}
    for n in names:
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            out[n] = None
    return out


def check(expected: dict[str, Any], observed: dict[str, Any]) -> dict[str, bool]:
    """Outcome-by-outcome pass/fail."""
    res = {}
    for k, want in expected.items():
        got = observed.get(k)
        if isinstance(want, tuple | list) and len(want) == 2 and want[0] == ">=":
            res[k] = got is not None and got >= want[1]
        else:
            res[k] = got == want
    return res


def run_all(names: list[str] | None = None, json_path: str | None = None,
            out: Any = sys.stdout) -> int:
    """Run the registry, print a table of outcomes against expectations, write JSON."""
    from gametheory.fileio import atomic_write_bytes
    from gametheory.provenance import provenance

    rows = []
    records = []
    failures = 0
    for sc in registry():
        if names and sc.name not in names:
            continue
        try:
            obs = sc.run()
            ok = check(sc.expected, obs)
            err = None
        except Exception as exc:  # a failing scenario is reported, the rest still run
            obs, ok, err = {}, {k: False for k in sc.expected}, f"{type(exc).__name__}: {exc}"
        passed = all(ok.values()) and err is None
        failures += not passed
        for k, want in sc.expected.items():
            rows.append([sc.name, k, want, obs.get(k, err or "n/a"),
                         "pass" if ok.get(k) else "FAIL"])
        rows.append([sc.name, "seconds", "", f"{obs.get('seconds', float('nan')):.2f}", ""])
        records.append({"name": sc.name, "group": sc.group, "description": sc.description,
                        "inputs": sc.inputs, "expected": sc.expected, "observed": obs,
                        "passed": passed, "error": err})
    print(_markdown_table(["scenario", "outcome", "expected", "observed", ""], rows), file=out)
    print(f"\n{len(records) - failures} of {len(records)} scenarios meet every expectation",
          file=out)
    if json_path:
        doc = {"benchmark": "scenarios", "meta": provenance(platform=platform.platform(),
                                                            cpus=os.cpu_count()),
               "versions": _versions("numpy", "scipy", "pandas", "pymc"),
               "scenarios": records}
        atomic_write_bytes(Path(json_path), json.dumps(doc, indent=2, default=str).encode())
    return 1 if failures else 0


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("names", nargs="*")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    sys.exit(run_all(a.names or None, a.json))
