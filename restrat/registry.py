"""Named benchmark scenarios: what each represents, its inputs and its expected outcomes.

``restrat bench scenarios`` runs every entry and prints observed outcomes
against expectations (``python -m restrat.registry`` does the same). The
registry ships with the package, so it runs from an installed wheel; the
long speed comparisons with peer packages live in the repository's
``benchmarks/`` folder. Each
entry's ``run()`` returns a mapping of observed outcomes (the keys of
``expected``, plus ``seconds``); an outcome passes when it equals its
expectation, or, for an expectation written as ``(">=", x)``, when it is at
least ``x``, or for ``("between", lo, hi)``, when it lies in ``[lo, hi]``.

Entries:

* the case region and its counterfactuals (the findings of the case study);
* random regions of 10, 100 and 1,000 organisations (bids, blocs and
  committees scale with them);
* on every model scenario, outcomes checked against independent computations:
  the choice probabilities against the logit formula recomputed from the raw
  covariates, blocking against the members' weights and the quota, the
  chosen configuration against the best unblocked one, package values
  against the roles handed out, the committee against the losers recomputed
  from the raw scenario, the stability flag against an enumeration of every
  coalition's worth from raw harm, the bargaining shares against the
  stationary (one-shot deviation) conditions, and who holds what (no
  concession for the host or the centre; a service-named portfolio only where
  the service runs);
* concessions respond to power: ``weak-districts`` gives the district
  hospitals smaller packages than the case, and ``scarce-roles`` (built to be
  unstable) reports that its concessions are not stable;
* estimation: recovery of the structural model's parameters by maximum
  likelihood on repeated simulated data at 50, 200 and 2,000 regions: the
  shares of true values inside the 95% and 50% Wald intervals must lie in the
  99% binomial range around the nominal levels.
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


def _independent_probabilities(region: Any, params: Any, pi: float) -> dict[tuple, float]:
    """Logit choice probabilities recomputed from the region's raw covariates.

    Written from the model's documented formula, not from its code:
    :math:`U_c = \\theta\\cdot x(c) - \\beta\\,\\pi\\,k(c)` with
    :math:`x = ` (host track record, host performance, centre breadth, centre
    super-specialist services), :math:`k = 1` for one organisation holding both roles,
    ``tier_concentration`` for two teaching hospitals, 0 otherwise;
    :math:`p_c \\propto e^{\\lambda U_c}`.
    """
    import numpy as np

    org = {o.name: o for o in region.organisations}
    hosts = [b.organisation for b in region.bids if b.role == "host"]
    centres = [b.organisation for b in region.bids if b.role == "centre"]
    util = {}
    for h in dict.fromkeys(hosts):
        for c in dict.fromkeys(centres):
            x = [org[h].track_record, org[h].performance, org[c].specialist_breadth,
                 float(org[c].n_super_specialist)]
            k = 1.0 if h == c else (params.tier_concentration
                                    if org[h].kind == org[c].kind == "teaching" else 0.0)
            util[(h, c)] = float(np.dot(params.theta, x)) - params.beta * pi * k
    top = max(util.values())
    w = {c: np.exp(params.lam * (u - top)) for c, u in util.items()}
    tot = sum(w.values())
    return {c: v / tot for c, v in w.items()}


def _committee_by_hand(region: Any, chosen: tuple[str, str]) -> tuple[list[str], Any]:
    """The committee hospitals and their harm, recomputed from the raw scenario.

    Written from the documented model, not from its code: a hospital bargains
    when it loses trauma work (a trauma unit keeps ``unit_retained`` of its
    volume, a hospital too small to be one ``lower_retained``; the ambulance
    service and organisations without volume lose nothing) and is neither host
    nor centre; its harm is volume / 100 + ``rehabilitation_return`` x loss.
    """
    import numpy as np

    r = region.roles
    names, harm = [], []
    for o in region.organisations:
        if o.name in chosen or o.kind == "ambulance" or o.trauma_volume <= 0:
            continue
        kept = r.unit_retained if o.can_be_trauma_unit else r.lower_retained
        loss = o.trauma_volume * (1 - kept) / 100.0
        if loss <= 0:
            continue
        names.append(o.name)
        harm.append(o.trauma_volume / 100.0 + r.rehabilitation_return * loss)
    return names, np.array(harm)


def _stable_by_enumeration(values: Any, harm: Any, omega: float, quota_share: float,
                           partial: float) -> bool | None:
    """Whether every coalition S of committee hospitals gets at least v(S) (all 2^n).

    :math:`v(S) = \\omega H(S)` when :math:`H(S) \\ge` ``quota_share`` :math:`H(N)`,
    else ``partial`` times that (the participation game). ``None`` above 16.
    """
    import numpy as np

    x = np.asarray(values, dtype=float)
    h = np.asarray(harm, dtype=float)
    n = len(h)
    if n > 16:
        return None
    if n == 0:
        return True
    masks = np.arange(1, 2**n)
    member = ((masks[:, None] >> np.arange(n)) & 1).astype(float)
    hs = member @ h
    v = omega * np.where(hs >= quota_share * h.sum() - 1e-12, hs, partial * hs)
    return bool(np.all(member @ x >= v - 1e-7))


def _one_shot_deviation_ok(committee: Any, delta: float) -> bool:
    """The committee's shares against the stationary conditions of unanimity bargaining.

    With prices :math:`c_j = \\max(\\delta v_j, r_j)`: every share satisfies
    :math:`v_i = \\rho_i (1 - \\sum_{j \\ne i} c_j) + (1 - \\rho_i) c_i`, and no
    proposer would rather let the round fail or walk away
    (:math:`1 - \\sum_{j\\ne k} c_j \\ge \\max(\\delta v_k, r_k)`).
    """
    import numpy as np

    if committee is None or committee.empty:
        return True
    rho = committee["recognition"].to_numpy(float)
    r = committee["reservation"].to_numpy(float)
    v = committee["share"].to_numpy(float)
    if r.sum() >= 1:
        return bool(np.allclose(v, r / r.sum()))
    c = np.maximum(delta * v, r)
    keep = 1 - (c.sum() - c)
    ok_values = np.allclose(v, rho * keep + (1 - rho) * c, atol=1e-9)
    ok_keep = bool(np.all(keep >= np.maximum(delta * v, r) - 1e-9))
    return bool(ok_values and ok_keep)


#: portfolios named after the clinical service they need
_SERVICE_PORTFOLIOS = {"paediatrics", "critical care", "rehabilitation", "radiotherapy",
                       "chemotherapy"}


def _district_packages(res: Any) -> float:
    t = res.concessions.table
    if t.empty:
        return 0.0
    kinds = {o.name: o.kind for o in res.region.organisations}
    return float(sum(v for o, v in t["package_value"].items() if kinds[o] == "district"))


def _model_outcomes(region: Any) -> dict[str, Any]:
    import numpy as np

    from gametheory.restratification import run

    t0 = time.perf_counter()
    res = run(region)
    secs = time.perf_counter() - t0
    params = res.params
    t = res.allocation.table
    conc = t[t["host"] == t["centre"]]
    a = res.appointments[res.appointments["appointed"]]
    docs = {d.name: d for d in region.doctors}
    ct = res.concessions.table
    pk = res.concessions.packages
    # the choice probabilities against the formula, recomputed from raw covariates
    ref = _independent_probabilities(region, params, res.allocation.bloc_power)
    got = {(h, c): p for h, c, p in zip(t["host"], t["centre"], t["probability"],
                                        strict=True)}
    probs_ok = set(ref) == set(got) and max(abs(ref[k] - got[k]) for k in ref) < 1e-9
    # blocking from the members' weights and the quota; the choice is the best unblocked
    weight = {m.name: m.weight for m in region.management_group}
    total = sum(weight.values())
    blocked = [total - sum(weight[m] for m in opp) < region.quota for opp in t["opponents"]]
    open_rows = t[~np.asarray(blocked)] if not all(blocked) else t
    best = open_rows.loc[open_rows["U"].idxmax()]
    # concessions: package values are the sum of the roles handed out; the committee is
    # the hospitals that lost work (host and centre excluded), recomputed by hand; the
    # stability flag against an enumeration of every coalition's worth from raw harm
    names, harm = _committee_by_hand(region, res.chosen)
    if ct.empty:
        sums_ok, stable_enum = True, not names
        committee_ok = not names
    else:
        per_org = pk.groupby("organisation")["value"].sum() if not pk.empty else {}
        sums_ok = bool(all(abs(float(per_org.get(o, 0.0)) - v) < 1e-9
                           for o, v in ct["package_value"].items()))
        committee_ok = list(ct.index) == names
        stable_enum = (_stable_by_enumeration(ct["package_value"], harm, params.harm_weight,
                                              params.credible_share, params.partial_hold)
                       if committee_ok else False)
    leads = pk[pk["kind"] == "portfolio"] if not pk.empty else pk
    orgs = {o.name: o for o in region.organisations}
    fits = all(p[:-len(" lead")] not in _SERVICE_PORTFOLIOS
               or p[:-len(" lead")] in (orgs[o].services | orgs[o].super_specialist)
               for p, o in zip(leads.get("role", []), leads.get("organisation", []),
                               strict=True))
    extra: dict[str, Any] = {}
    if "district_packages_smaller_than_in_case" in region.expectations:
        from gametheory.restratification import scenarios

        case = run(scenarios.load("case-region"))
        extra["district_packages_smaller_than_in_case"] = (
            _district_packages(res) < _district_packages(case))
    return {
        "host": res.chosen[0],
        "centre": res.chosen[1],
        "concentrated_blocked_by_bloc": bool(conc["blocked"].any()) if len(conc) else None,
        "directors_multiplex": bool(all(docs[n].multiplex for n in a["doctor"])),
        "probabilities_match_logit_formula": probs_ok,
        "blocking_matches_weights": bool(list(t["blocked"]) == blocked),
        "chosen_is_best_unblocked": (str(best["host"]), str(best["centre"])) == res.chosen,
        "package_values_add_up": sums_ok,
        "committee_matches_losers": committee_ok,
        "stable_flag_matches_enumeration": (stable_enum is None
                                            or stable_enum == res.concessions.stable),
        "concessions_stable": bool(res.concessions.stable),
        "equilibrium_passes_one_shot_check": _one_shot_deviation_ok(
            res.concessions.committee_game, params.patience),
        "host_and_centre_get_no_concessions": not (set(res.chosen)
                                                    & set(pk.get("organisation", []))),
        "portfolio_leads_fit_services": bool(fits),
        **extra,
        "configurations": len(t),
        "seconds": secs,
    }


#: outcomes every model scenario is checked on, each against an independent computation
MODEL_CHECKS: dict[str, Any] = {
    "probabilities_match_logit_formula": True, "blocking_matches_weights": True,
    "chosen_is_best_unblocked": True, "package_values_add_up": True,
    "committee_matches_losers": True, "stable_flag_matches_enumeration": True,
    "equilibrium_passes_one_shot_check": True, "host_and_centre_get_no_concessions": True,
    "portfolio_leads_fit_services": True,
}


def _region_entry(name: str) -> BenchScenario:
    from gametheory.restratification import scenarios

    region = scenarios.load(name)
    exp = {k: v for k, v in region.expectations.items()
           if k not in ("probabilities_sum_to_one", "chosen_unblocked")}
    exp.update(MODEL_CHECKS)
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
        dict(MODEL_CHECKS), go)


def _binomial_band(n: int, p: float, level: float = 0.99) -> tuple[float, float]:
    """Central *level* range of the share of successes in n Binomial(n, p) trials."""
    from scipy import stats

    lo, hi = stats.binom.ppf([(1 - level) / 2, (1 + level) / 2], n, p)
    return float(lo) / n, float(hi) / n


def _recovery_entry(n_regions: int, reps: int, seed: int = 7) -> BenchScenario:
    n_par = 12                        # lam, theta x3, beta, alpha x3, mu, eta, gamma0, gamma

    def go() -> dict[str, Any]:
        import estimation as est

        t0 = time.perf_counter()
        in50, in95, n = 0, 0, 0
        for r in range(reps):
            data = est.simulate(n_regions=n_regions, seed=seed + r)
            fit = est.fit_mle(data, model="structural")
            ci50 = fit.conf_int(alpha=0.5)
            for k, v in data.truth.items():
                if k in fit.table.index:
                    n += 1
                    in95 += bool(fit.table.at[k, "lower"] <= v <= fit.table.at[k, "upper"])
                    in50 += bool(ci50.at[k, 0] <= v <= ci50.at[k, 1])
        return {"coverage_95": in95 / n, "coverage_50": in50 / n, "intervals": n,
                "seconds": time.perf_counter() - t0}

    n = reps * n_par
    lo95, hi95 = _binomial_band(n, 0.95)
    lo50, hi50 = _binomial_band(n, 0.50)
    return BenchScenario(
        f"recovery-mle-{n_regions}",
        f"Simulate {reps} data sets of {n_regions} random regions at the default parameters "
        "and recover the structural model's parameters by maximum likelihood: the share of "
        "Wald intervals covering the truth must lie in the 99% binomial range around the "
        "nominal 95% and 50% (Wald intervals are asymptotic, so small data may miss).",
        {"n_regions": n_regions, "reps": reps, "seed": seed, "model": "structural",
         "method": "mle"},
        {"coverage_95": ("between", round(lo95, 4), round(hi95, 4)),
         "coverage_50": ("between", round(lo50, 4), round(hi50, 4)),
         "intervals": n}, go, group="estimation")


def registry() -> list[BenchScenario]:
    """Every benchmark scenario, in run order."""
    from gametheory.restratification import scenarios

    out = [_region_entry(n) for n in scenarios.names() if n != "random-region"]
    out += [_random_entry(n) for n in (10, 100, 1000)]
    out += [_recovery_entry(n, reps) for n, reps in ((50, 10), (200, 5), (2000, 2))]
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
        elif isinstance(want, tuple | list) and len(want) == 3 and want[0] == "between":
            res[k] = got is not None and want[1] <= got <= want[2]
        else:
            res[k] = got == want
    return res


def run_all(names: list[str] | None = None, json_path: str | None = None,
            out: Any = None) -> int:
    """Run the registry, print a table of outcomes against expectations, write JSON.

    *out* is the text stream for the table (default: ``sys.stdout`` at call time).
    """
    out = out if out is not None else sys.stdout
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
