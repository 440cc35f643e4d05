"""Running the model on a region, and its report (text, JSON, CSV, PNG).

:func:`run` applies the four mechanisms of :mod:`.model` and returns a frozen
:class:`RestratificationResult`; :meth:`RestratificationResult.report` gives
the readable text and :meth:`RestratificationResult.write` writes JSON, CSV
and PNG figures into a fresh folder that is swapped into place with a
completion marker, so an interrupted write never leaves a half-written or
mixed set of files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidArgumentError
from ..fileio import atomic_write_bytes
from ..provenance import provenance, write_sidecar
from .model import (
    AllocationAnalysis,
    ConcessionAnalysis,
    ModelParameters,
    allocation_analysis,
    appointments,
    concessions,
    designations_and_losses,
    hierarchy,
)
from .region import Region

__all__ = ["RestratificationResult", "run", "atomic_write_bytes"]


@dataclass(frozen=True)
class RestratificationResult:
    """Everything the model says about one region."""

    region: Region
    params: ModelParameters
    allocation: AllocationAnalysis
    appointments: pd.DataFrame
    designations: pd.DataFrame
    concessions: ConcessionAnalysis
    hierarchy: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def chosen(self) -> tuple[str, str]:
        return self.allocation.chosen

    @property
    def directors(self) -> dict[str, str]:
        a = self.appointments
        return {r: d for r, d in zip(a.loc[a["appointed"], "role"],
                                     a.loc[a["appointed"], "doctor"], strict=True)}

    # ------------------------------------------------------------ text
    def report(self) -> str:
        r = self.region
        roles = r.roles
        lines = [f"restrat: {r.name} ({roles.network} network)", "=" * 60]
        if r.description:
            lines += [r.description, ""]
        if r.stylised:
            lines.append("Stylised inputs (assumed, not measured; conclusions that rest on them "
                         "are as good as the assumptions, see `restrat sensitivity`):")
            lines += [f"   [stylised] {k}: {v}" for k, v in r.stylised.items()]
            lines.append("")
        blocs = self.meta.get("endogenous_blocs")
        if blocs is not None:
            lines.append("0. Which blocs form (hedonic game from the stakes; the model is "
                         "played with the bloc that forms)")
            lines.append(f"   {blocs['summary']}")
            lines.append("")
        t = self.allocation.table
        p = self.params
        lines.append(f"1. Configurations ({roles.host}, {roles.centre}): proposal and vote "
                     f"(lambda {p.lam:g}, kappa {p.kappa:g}, delta {p.delta:g})")
        show = t[["host", "centre", "V", "concentration", "proposal", "pass_probability",
                  "probability", "support_weight", "blocked"]].rename(
            columns={"pass_probability": "P(pass)", "probability": "P(chosen)",
                     "support_weight": "limit: support", "blocked": "limit: blocked"})
        lines.append(show.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        lines.append("   P(chosen) is proportional to proposal x P(pass) (failed proposals are "
                     "replaced); the limit columns are the deterministic veto "
                     "(kappa -> inf: a member supports iff its utility is positive)")
        lines.append("   units: V: the chair's valuation (logit scale, unitless); proposal, "
                     "P(pass), P(chosen), concentration: unitless; support: votes")
        for _, row in t[t["blocked"]].iterrows():
            lines.append(f"   blocked in the limit: ({row['host']}, {row['centre']}) by "
                         f"{', '.join(row['opponents'])}")
        lines.append("")
        lines.append("2. Power in the management group "
                     f"(quota {r.quota:g} of {sum(m.weight for m in r.management_group):g})")
        lines.append(self.allocation.power.to_string(float_format=lambda x: f"{x:.4f}"))
        lines.append("   units: weight: votes; shapley_shubik, banzhaf: unitless (shares of "
                     "power)")
        lines.append(f"   district bloc as one player: {self.params.power_index} power "
                     f"{self.allocation.bloc_power:.4f}")
        readings = self.bloc_readings
        if readings is not None:
            lines.append(f"   district bloc as an a priori union ({readings.index}): "
                         f"{readings.union:.4f}; its members voting separately: "
                         f"{readings.separate:.4f}")
            lines.append(f"   {readings.explanation}")
        lines.append("")
        h, m = self.chosen
        best = t[t["chosen"]].iloc[0]
        lines.append(f"3. Chosen: {roles.host} = {h}; {roles.centre} = {m} "
                     f"(the most probable configuration, P = {best['probability']:.3f})")
        lh, lm = self.allocation.limit_chosen
        lines.append(f"   deterministic limit: {roles.host} = {lh}; {roles.centre} = {lm}"
                     + ("  (every configuration is blocked; the chair's best is imposed)"
                        if self.allocation.all_blocked else ""))
        lines.append("")
        lines.append("4. Appointments")
        a = self.appointments
        lines.append(a[["role", "organisation", "doctor", "utility", "probability",
                        "multiplex", "endorsed", "appointed"]].to_string(
            index=False, float_format=lambda x: f"{x:.3f}"))
        lines.append("   units: utility: logit scale (unitless); probability: unitless")
        lines.append("")
        lines.append("5. Designations and losses")
        lines.append(self.designations.to_string(float_format=lambda x: f"{x:.2f}"))
        lines.append("   units: volume_before: trauma cases a year; retained_share: unitless; "
                     "loss: 100 cases/yr")
        lines.append("")
        lines += self._concession_lines()
        lines.append("")
        lines.append("7. The resulting hierarchy (who reports to whom; figure hierarchy.png)")
        hi = self.hierarchy
        lines.append(hi[["level", "role", "holder", "organisation", "reports_to"]].to_string(
            index=False) if not hi.empty else "   (no appointments)")
        return "\n".join(lines)

    def _concession_lines(self) -> list[str]:
        from .concessions import VALUE_UNIT, units_line

        c = self.concessions
        p = self.params
        r = self.region
        quota = float(getattr(r, "committee_quota", 1.0))
        rule = ("unanimity: every committee hospital can withdraw" if quota >= 1.0
                else f"quota {quota:g} of the members' votes, a quantal proposer")
        lines = ["6. Concessions: the network director proposes a division of a pool of roles "
                 "to the clinical committee",
                 f"   ({VALUE_UNIT})"]
        pool = c.pool
        if not pool.empty:
            lines.append("   Pool of roles:")
            lines.append(pool.to_string(float_format=lambda x: f"{x:.3f}"))
            lines.append(f"   {units_line(pool.columns)}; total "
                         f"{float(pool['value'].sum()):.3f} value units")
        if c.table.empty:
            lines.append("   no committee: no hospital other than the host and the centre lost "
                         "work, so nobody bargains for concessions")
            return lines
        lines.append(f"   Committee bargaining ({rule}; recognition proportional to voting "
                     f"power, director's log-odds proposer_advantage = "
                     f"{p.proposer_advantage:g}; patience {p.patience:g} per round; "
                     f"harm_weight {p.harm_weight:g} value units per 100 cases/yr of harm):")
        cg = c.committee_game
        lines.append(cg.to_string(float_format=lambda x: f"{x:.3f}"))
        lines.append(f"   {units_line(cg.columns)}")
        if not c.covered:
            lines.append("   the pool does not cover the reservation values: it is rationed "
                         "in proportion to them")
        lines.append("   Packages (roles held; the expected number of roles of a kind is its "
                     "pool size times the member's probability, apportioned by Hamilton's "
                     "method):")
        t = c.table
        lines.append(t.to_string(float_format=lambda x: f"{x:.3f}"))
        lines.append(f"   {units_line(t.columns)}")
        if c.stable:
            lines.append("   stable: True (the role packages alone give every coalition of "
                         "committee hospitals at least what its withdrawal costs the network)")
        else:
            lines.append(f"   stable: False ({c.n_withdrawing} coalition"
                         f"{'s' if c.n_withdrawing != 1 else ''} would still withdraw; "
                         f"shortfall {c.shortfall:.3f} value units: the least extra value "
                         "that would keep every coalition)")
            lines.append(c.withdrawing.to_string(index=False,
                                                 float_format=lambda x: f"{x:.3f}"))
            lines.append(f"   {units_line(['worth', 'deficit'])}; receives: value units")
            lines.append("   with the expected packages (share x pool value, as if roles were "
                         f"divisible): stable {c.stable_in_expectation}"
                         + (" - the instability comes from indivisible roles"
                            if c.stable_in_expectation else ""))
        if not c.exact:
            lines.append("   (more than 16 committee hospitals: checked on the singletons, the "
                         "whole committee and the greedy coalitions of largest deficit)")
        lines.append("   Who holds which role (concession: held by a committee hospital; "
                     "otherwise kept by the network):")
        lines.append(c.roles[["role", "holder", "organisation", "value", "concession",
                              "reports_to"]].to_string(index=False,
                                                       float_format=lambda x: f"{x:.2f}"))
        notes = [n for n in c.roles["note"] if n and n != "additional seat"]
        for n in notes:
            lines.append(f"   note: {n}")
        return lines

    @property
    def bloc_readings(self) -> Any:
        """The bloc's power as a merged player, an a priori union and separate members."""
        from .blocs import bloc_power_readings

        return bloc_power_readings(self.region, self.params.power_index)

    # ------------------------------------------------------------ files
    def to_dict(self) -> dict[str, Any]:
        def frame(df: pd.DataFrame | None) -> Any:
            if df is None or df.empty:
                return []
            return json.loads(df.reset_index().to_json(orient="records"))

        c = self.concessions
        return {
            "region": self.region.to_dict(),
            "params": self.params.to_dict(),
            "chosen": {"host": self.chosen[0], "centre": self.chosen[1]},
            "all_blocked": self.allocation.all_blocked,
            "limit_chosen": {"host": self.allocation.limit_chosen[0],
                             "centre": self.allocation.limit_chosen[1]},
            "bloc_power": self.allocation.bloc_power,
            "bloc_power_readings": (None if self.bloc_readings is None
                                    else self.bloc_readings.to_dict()),
            "configurations": frame(self.allocation.table),
            "power": frame(self.allocation.power),
            "appointments": frame(self.appointments),
            "designations": frame(self.designations),
            "concessions": frame(c.table),
            "packages": frame(c.packages),
            "committee_bargaining": frame(c.committee_game),
            "roles": frame(c.roles),
            "pool": frame(c.pool),
            "withdrawing": frame(c.withdrawing),
            "concessions_stable": c.stable,
            "concessions_stable_in_expectation": c.stable_in_expectation,
            "shortfall": c.shortfall,
            "units": _units(),
            "hierarchy": frame(self.hierarchy),
            "meta": self.meta,
        }

    def write(self, out: str | Path, figures: bool = True, *, overwrite: bool = False
              ) -> list[Path]:
        """Write ``result.json``, ``report.txt``, one CSV per table and PNG figures to *out*.

        The files go into a new folder beside *out*; a completion marker
        (``_complete.json``, listing the files) is written last and the folder
        is swapped into place, so *out* always holds one run's complete set
        (never old figures beside new tables, never a half-written set). An
        existing non-empty *out* is replaced only with ``overwrite=True``;
        the target is checked before anything is computed
        (:func:`gametheory.fileio.check_output_target`).
        """
        from ..fileio import check_output_target, fresh_folder

        target = check_output_target(out, name="out", kind="folder", overwrite=overwrite)
        record = self.provenance()
        doc = self.to_dict()
        doc["meta"] = record
        files: dict[str, bytes] = {
            "result.json": json.dumps(doc, indent=2, default=str).encode(),
            "report.txt": self.report().encode(),
        }
        tables = {
            "configurations.csv": self.allocation.table,
            "power.csv": self.allocation.power.reset_index(),
            "appointments.csv": self.appointments,
            "designations.csv": self.designations.reset_index(),
            "concessions.csv": self.concessions.table.reset_index()
            if not self.concessions.table.empty else pd.DataFrame(),
            "packages.csv": self.concessions.packages,
            "roles.csv": self.concessions.roles,
            "hierarchy.csv": self.hierarchy,
        }
        for name, df in tables.items():
            files[name] = df.to_csv(index=False).encode()
        if figures:
            files.update(self._figures())
        with fresh_folder(target, overwrite=overwrite,
                          meta={"written_by": "RestratificationResult.write",
                                "provenance": record}) as tmp:
            for name, data in files.items():
                atomic_write_bytes(tmp / name, data)
            sidecar = write_sidecar(tmp, record, [tmp / n for n in files if n.endswith(".csv")])
        return [target / name for name in files] + [target / sidecar.name]

    def provenance(self) -> dict[str, Any]:
        """Provenance of this result (:func:`gametheory.provenance.provenance`): version,
        parameters, seed (from ``meta["seed"]`` when the region was drawn at random),
        scenario name and hash, date; ``meta``'s other entries are added as they are."""
        extra = {k: v for k, v in self.meta.items() if k != "seed"}
        return provenance(parameters=self.params.to_dict(), seed=self.meta.get("seed"),
                          scenario=self.region.to_dict(), scenario_name=self.region.name,
                          **extra)

    def _figures(self) -> dict[str, bytes]:
        import io

        # figures are drawn on matplotlib.figure.Figure objects, never through pyplot, so
        # writing files leaves the user's backend and open figures alone
        from matplotlib.figure import Figure

        out: dict[str, bytes] = {}

        def save(fig: Any, name: str) -> None:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
            out[name] = buf.getvalue()

        pw = self.allocation.power
        fig = Figure(figsize=(8, 0.4 * len(pw) + 1.5))
        ax = fig.subplots()
        y = np.arange(len(pw))
        ax.barh(y - 0.2, pw["shapley_shubik"], 0.4, label="Shapley-Shubik")
        ax.barh(y + 0.2, pw["banzhaf"], 0.4, label="Banzhaf (normalised)")
        ax.set_yticks(y, [str(i) for i in pw.index], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("power index")
        ax.set_title(f"Power in the management group: {self.region.name}")
        ax.legend()
        save(fig, "power_indices.png")

        ct = self.concessions.table
        fig = Figure(figsize=(6, 4))
        ax = fig.subplots()
        if not ct.empty:
            ax.scatter(ct["harm"], ct["package_value"], marker="o", label="package held")
            pool_value = float(self.concessions.pool["value"].sum())
            ax.scatter(ct["harm"], ct["share"] * pool_value, marker="^",
                       label="expected value (share x pool)")
            ax.legend(fontsize=8)
        ax.set_xlabel("harm: work the network needs from the hospital (100 cases/yr)")
        ax.set_ylabel("concession value (value units)")
        ax.set_title("Concessions by harm")
        save(fig, "concessions_by_harm.png")

        from .concessions import draw_hierarchy

        hi = self.hierarchy
        widest = int(hi.groupby("level").size().max()) if not hi.empty else 1
        fig = Figure(figsize=(max(10.0, 1.9 * widest), 7))
        draw_hierarchy(hi, ax=fig.subplots(),
                       title=f"Resulting hierarchy: {self.region.name} (red outline: a "
                             "concession)")
        save(fig, "hierarchy.png")
        return out


def _units() -> dict[str, str]:
    from .concessions import UNITS

    return dict(UNITS)


def run(region: Region, params: ModelParameters | None = None, *,
        blocs: str = "declared") -> RestratificationResult:
    """Apply the model to *region*.

    ``blocs="endogenous"`` first finds which blocs form from the organisations'
    stakes (:func:`gametheory.restratification.blocs.endogenous_blocs`) and
    plays the model with the bloc that forms instead of the declared one; the
    formation analysis is in ``meta["endogenous_blocs"]``.

    Examples
    --------
    >>> from gametheory.restratification import run, scenarios
    >>> res = run(scenarios.load("case-region"))
    >>> res.chosen
    ('Riverside Care Trust', 'Northgate Teaching Hospital')
    """
    params = params or ModelParameters()
    if blocs not in ("declared", "endogenous"):
        raise InvalidArgumentError("blocs", blocs, "unknown bloc mode",
                                   "Use blocs='declared' or blocs='endogenous'")
    meta: dict[str, Any] = {"blocs": blocs}
    if blocs == "endogenous":
        from .blocs import with_endogenous_bloc

        region, formed = with_endogenous_bloc(region)
        meta["endogenous_blocs"] = formed.to_dict()
    alloc = allocation_analysis(region, params)
    appt = appointments(region, alloc.chosen, params, alloc.design)
    des = designations_and_losses(region, alloc.chosen)
    conc = concessions(region, alloc.chosen, params,
                       directors=list(appt.loc[appt["appointed"], "doctor"]))
    hier = hierarchy(region, appt, conc.roles)
    return RestratificationResult(region, params, alloc, appt, des, conc, hier, meta)
