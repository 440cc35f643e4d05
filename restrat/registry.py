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
  the pass probabilities against the members' utilities recomputed from the raw
  covariates and the generating function of the vote evaluated by a discrete
  Fourier transform, the choice probabilities against the proposal-and-vote
  formula, the deterministic limit's blocking against the members' weights and
  the quota, the chosen configuration against the most probable one and the
  limit's against the best unblocked one, package values against the roles
  handed out, the committee against the losers recomputed from the raw
  scenario, the stability flag against an enumeration of every coalition's
  worth from raw harm, the bargaining shares against the stationary (one-shot
  deviation) conditions, and who holds what (no concession for the host or the
  centre; a service-named portfolio only where the service runs);
* concessions respond to power: ``weak-districts`` gives the district
  hospitals smaller packages than the case, and ``scarce-roles`` (built to be
  unstable) reports that its concessions are not stable;
* estimation: recovery of the structural model's parameters by maximum
  likelihood on repeated simulated data (with the members' votes recorded; the
  commissioners' stake held at its true value, since their votes are almost
  always support, which separates) at 50, 200 and 2,000 regions: the shares of
  true values inside the 95% and 50% Wald intervals must lie in the 99%
  binomial range around the nominal levels.
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


def _independent_model(region: Any, params: Any, max_pass: int = 60) -> dict[str, Any]:
    """The proposal-and-vote model recomputed from the region's raw description.

    Written from the model's documented definition, not from its code: member
    :math:`j`'s utility for configuration :math:`c` is its type's baseline plus
    :math:`\rho` times the roles its organisation wins minus the work it loses minus
    :math:`\\delta` times the concentration for bloc members, each relative to its
    mean over the region's configurations; the pass probability is read off the
    generating function :math:`\\prod_j (1 - p_j + p_j x^{w_j})` evaluated by a
    discrete Fourier transform (a different algorithm from the package's dynamic
    programme), for at most ``max_pass`` configurations (the most probable under
    the proposer's logit when there are more).
    """
    import numpy as np

    org = {o.name: o for o in region.organisations}
    hosts = list(dict.fromkeys(b.organisation for b in region.bids if b.role == "host"))
    cents = list(dict.fromkeys(b.organisation for b in region.bids if b.role == "centre"))
    cfgs = [(h, c) for h in hosts for c in cents]
    roles = region.roles

    def lost(name: str, centre: str) -> float:
        o = org[name]
        if name == centre or o.trauma_volume <= 0 or o.kind == "ambulance":
            return 0.0
        kept = roles.unit_retained if o.can_be_trauma_unit else roles.lower_retained
        return o.trauma_volume * (1 - kept) / 100.0

    V = np.array([float(np.dot(params.theta, [org[h].track_record, org[h].performance,
                                              org[c].specialist_breadth,
                                              org[c].n_super_specialist])) for h, c in cfgs])
    k = np.array([1.0 if h == c else (params.tier_concentration
                                       if org[h].kind == org[c].kind == "teaching" else 0.0)
                  for h, c in cfgs])
    members = region.management_group
    U = np.zeros((len(cfgs), len(members)))
    for j, m in enumerate(members):
        own = m.organisation
        if own is None:
            base, R, L = params.stake_commissioners, np.zeros(len(cfgs)), np.zeros(len(cfgs))
        else:
            base = params.stake_ambulance if org[own].kind == "ambulance" else params.support
            R = np.array([(own == h) + (own == c) for h, c in cfgs], float)
            L = np.array([lost(own, c) for _, c in cfgs])
        K = k * m.bloc
        U[:, j] = (base + params.rho * (R - R.mean()) - (L - L.mean())
                   - params.delta * (K - K.mean()))
    w = np.array([int(round(m.weight)) for m in members])
    q = int(np.ceil(region.quota - 1e-9))
    supported = (U > 0) @ w
    order = np.argsort(-V, kind="stable")[:max_pass]
    n = 1 << int(np.ceil(np.log2(w.sum() + 1)))
    omega = np.exp(-2j * np.pi * np.arange(n) / n)
    ppass = {}
    for c in order:
        p = 1 / (1 + np.exp(-params.kappa * U[c]))
        F = np.prod((1 - p)[:, None] + p[:, None] * omega[None, :] ** w[:, None], axis=0)
        coef = np.fft.ifft(F).real
        ppass[cfgs[c]] = float(coef[q:].sum())
    return {"configurations": cfgs, "V": V, "blocked": supported < q, "pass": ppass}


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
    # pass and choice probabilities against the model recomputed from raw covariates
    ref = _independent_model(region, params)
    keys = list(zip(t["host"], t["centre"], strict=True))
    got_pass = dict(zip(keys, t["pass_probability"], strict=True))
    got_p = dict(zip(keys, t["probability"], strict=True))
    pass_ok = all(abs(got_pass[c] - v) < 1e-9 for c, v in ref["pass"].items())
    cfgs = ref["configurations"]
    if len(ref["pass"]) == len(cfgs):
        e = np.array([np.exp(params.lam * (v - ref["V"].max())) * ref["pass"][c]
                      for c, v in zip(cfgs, ref["V"], strict=True)])
        probs_ok = bool(np.max(np.abs(e / e.sum() - [got_p[c] for c in cfgs])) < 1e-9)
        modal = cfgs[int(np.argmax(e))]
    else:     # too many configurations: check the ratios of the ones recomputed
        sel = list(ref["pass"])
        i0 = cfgs.index(sel[0])
        probs_ok = all(abs(got_p[c] * ref["pass"][sel[0]] * np.exp(params.lam * (
            ref["V"][i0] - ref["V"][cfgs.index(c)])) - got_p[sel[0]] * ref["pass"][c])
            < 1e-9 * max(got_p[sel[0]], 1e-300) for c in sel)
        modal = max(got_p, key=got_p.get)
    # the deterministic limit: blocked when the members with positive utility fall short
    # of the quota; its choice is the proposer's best unblocked configuration
    blocked = dict(zip(cfgs, ref["blocked"], strict=True))
    open_ = [c for c in cfgs if not blocked[c]] or cfgs
    best = max(open_, key=lambda c: ref["V"][cfgs.index(c)])
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
        "pass_probabilities_match_generating_function": pass_ok,
        "probabilities_match_vote_model": bool(probs_ok),
        "blocking_matches_weights": all(bool(b) == blocked[(h, c)] for h, c, b in
                                        zip(t["host"], t["centre"], t["blocked"],
                                            strict=True)),
        "chosen_is_most_probable": modal == res.chosen,
        "limit_chosen_is_best_unblocked": best == res.allocation.limit_chosen,
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
    "pass_probabilities_match_generating_function": True,
    "probabilities_match_vote_model": True, "blocking_matches_weights": True,
    "chosen_is_most_probable": True, "limit_chosen_is_best_unblocked": True,
    "package_values_add_up": True,
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
    fixed = {"stake_commissioners": 2.0}
    from gametheory.restratification import spec

    n_par = sum(len(v) or 1 for k, v in spec.ESTIMANDS.items() if k not in fixed)

    def go() -> dict[str, Any]:
        import estimation as est

        t0 = time.perf_counter()
        in50, in95, n = 0, 0, 0
        for r in range(reps):
            data = est.simulate(n_regions=n_regions, seed=seed + r, votes=True,
                                params={"lam": 2.0, **fixed})
            fit = est.fit_mle(data, model="structural", fixed=fixed)
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
        f"Simulate {reps} data sets of {n_regions} random regions (votes recorded, lam = 2) "
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
