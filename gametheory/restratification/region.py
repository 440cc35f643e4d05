"""A region: its organisations, doctors, bids, management group and roles.

A :class:`Region` is immutable and validated on construction: every
reference (a bid's organisation, a doctor's employer, a management-group
member's organisation) must name a known organisation, bids must be for the
defined organisational roles (``"host"`` and ``"centre"``), every bidder must
have at least one candidate doctor, at least one organisation must bid for
each role, and the management group must be a proper weighted voting game.
All problems are reported at once, each naming the field and the fix.

Regions are built in Python, or read from a scenario file (TOML, JSON or
YAML) with :meth:`Region.from_file`; :meth:`Region.to_dict` writes the same
structure back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..voting import WeightedVotingGame
from .actors import (
    Bid,
    Doctor,
    Member,
    Organisation,
    RoleSet,
    ScenarioError,
    roles_by_name,
)

__all__ = ["Region", "load_scenario_file"]


@dataclass(frozen=True)
class Region:
    """One region's network reorganisation.

    Attributes
    ----------
    name : str
    description : str
    organisations : tuple of Organisation
    doctors : tuple of Doctor
    bids : tuple of Bid
        Roles are ``"host"`` (network host) and ``"centre"`` (the MTC, HASU, ...).
    management_group : tuple of Member
    quota : float
        Weight needed to pass a decision in the management group.
    roles : RoleSet
    population : float
    expectations : mapping
        What the scenario is expected to show (used by benchmark scenarios and tests).
    cooperation : tuple of (str, str) pairs, or None
        Which organisations can cooperate directly (geography, referral routes):
        the links of a communication graph. None (the default) means everybody
        can cooperate with everybody. Coalitions of losers then hold out only
        along the graph (see :mod:`gametheory.restratification.blocs`).
    """

    name: str
    organisations: tuple[Organisation, ...]
    doctors: tuple[Doctor, ...]
    bids: tuple[Bid, ...]
    management_group: tuple[Member, ...]
    quota: float
    roles: RoleSet = field(default_factory=lambda: roles_by_name("trauma"))
    description: str = ""
    population: float = 0.0
    expectations: Mapping[str, Any] = field(default_factory=dict)
    cooperation: tuple[tuple[str, str], ...] | None = None

    def __post_init__(self) -> None:
        for f in ("organisations", "doctors", "bids", "management_group"):
            object.__setattr__(self, f, tuple(getattr(self, f)))
        object.__setattr__(self, "expectations", dict(self.expectations))
        problems: list[ScenarioError] = []
        names = [o.name for o in self.organisations]
        if not names:
            problems.append(ScenarioError("organisations", [], "no organisations",
                                          "List the region's organisations"))
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            problems.append(ScenarioError("organisations", sorted(dup), "duplicate names",
                                          "Give every organisation a distinct name"))
        known = set(names)
        dnames = [d.name for d in self.doctors]
        ddup = {n for n in dnames if dnames.count(n) > 1}
        if ddup:
            problems.append(ScenarioError("doctors", sorted(ddup), "duplicate names",
                                          "Give every doctor a distinct name"))
        for d in self.doctors:
            if d.employer not in known:
                problems.append(ScenarioError(f"doctors[{d.name!r}].employer", d.employer,
                                              "unknown organisation",
                                              f"Use one of {sorted(known)}"))
        for i, b in enumerate(self.bids):
            if b.organisation not in known:
                problems.append(ScenarioError(f"bids[{i}].organisation", b.organisation,
                                              "unknown organisation",
                                              f"Use one of {sorted(known)}"))
            if b.role not in ("host", "centre"):
                problems.append(ScenarioError(f"bids[{i}].role", b.role,
                                              "bid for an undefined role",
                                              "Bid for 'host' or 'centre'"))
        for role in ("host", "centre"):
            if not any(b.role == role for b in self.bids):
                problems.append(ScenarioError("bids", [(b.organisation, b.role)
                                                       for b in self.bids],
                                              f"nobody bids for {role!r}",
                                              f"Add at least one bid for {role!r}"))
        bidders = {b.organisation for b in self.bids}
        for org in sorted(bidders & known):
            if not any(d.employer == org and not d.opinion_leader for d in self.doctors):
                problems.append(ScenarioError(
                    "doctors", org, f"bidder {org!r} has no candidate doctor to lead",
                    f"Add a doctor employed by {org!r} who is not only an opinion leader"))
        mnames = [m.name for m in self.management_group]
        if not mnames:
            problems.append(ScenarioError("management_group", [], "empty",
                                          "List the management group's members"))
        if len(set(mnames)) != len(mnames):
            problems.append(ScenarioError("management_group", mnames, "duplicate member names",
                                          "Give every member a distinct name"))
        for m in self.management_group:
            if m.organisation is not None and m.organisation not in known:
                problems.append(ScenarioError(f"management_group[{m.name!r}].organisation",
                                              m.organisation, "unknown organisation",
                                              f"Use one of {sorted(known)} or null"))
        if self.cooperation is not None:
            links: list[tuple[str, str]] = []
            for i, link in enumerate(self.cooperation):
                try:
                    a, b = link
                except (TypeError, ValueError):
                    problems.append(ScenarioError(f"cooperation[{i}]", link,
                                                  "a link is not a pair of organisations",
                                                  "Give each link as [organisation, "
                                                  "organisation]"))
                    continue
                for x in (a, b):
                    if x not in known:
                        problems.append(ScenarioError(f"cooperation[{i}]", x,
                                                      "unknown organisation",
                                                      f"Use one of {sorted(known)}"))
                if a == b:
                    problems.append(ScenarioError(f"cooperation[{i}]", link,
                                                  "links an organisation to itself",
                                                  "Drop the self-link"))
                links.append((str(a), str(b)))
            object.__setattr__(self, "cooperation", tuple(links))
        if not problems and self.management_group:
            try:
                self.voting_game()
            except (ValueError, TypeError) as exc:
                problems.append(ScenarioError("quota", self.quota, str(exc),
                                              "Give a quota in (0, total weight]"))
        if problems:
            if len(problems) == 1:
                raise problems[0]
            msg = "; ".join(str(p) for p in problems)
            raise ScenarioError("region", self.name, f"{len(problems)} problems: {msg}",
                                "Fix each field named above")

    # ----------------------------------------------------------- accessors
    def organisation(self, name: str) -> Organisation:
        for o in self.organisations:
            if o.name == name:
                return o
        raise ScenarioError("organisation", name, "unknown organisation",
                            f"Use one of {[o.name for o in self.organisations]}")

    def bidders(self, role: str) -> tuple[str, ...]:
        """Organisations bidding for *role* (``"host"`` or ``"centre"``), in bid order."""
        seen: list[str] = []
        for b in self.bids:
            if b.role == role and b.organisation not in seen:
                seen.append(b.organisation)
        return tuple(seen)

    def doctors_of(self, organisation: str) -> tuple[Doctor, ...]:
        return tuple(d for d in self.doctors if d.employer == organisation)

    def voting_game(self) -> WeightedVotingGame:
        """The management group as a weighted voting game (one player per member)."""
        return WeightedVotingGame([m.weight for m in self.management_group], self.quota,
                                  players=[m.name for m in self.management_group])

    def bloc_members(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.management_group if m.bloc)

    def merged_voting_game(self, bloc_label: str = "district bloc") -> WeightedVotingGame:
        """The management group with the bloc's members merged into one player."""
        others = [m for m in self.management_group if not m.bloc]
        bloc_w = sum(m.weight for m in self.management_group if m.bloc)
        weights = [m.weight for m in others]
        labels = [m.name for m in others]
        if bloc_w > 0:
            weights.append(bloc_w)
            labels.append(bloc_label)
        return WeightedVotingGame(weights, self.quota, players=labels)

    # ------------------------------------------------------------- IO
    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (what :meth:`from_dict` reads)."""
        def org(o: Organisation) -> dict[str, Any]:
            d = {f.name: getattr(o, f.name) for f in fields(o)}
            d["super_specialist"] = sorted(o.super_specialist)
            return d

        def doc(d: Doctor) -> dict[str, Any]:
            out = {f.name: getattr(d, f.name) for f in fields(d)}
            out["domains"] = sorted(d.domains)
            return out

        r = self.roles
        return {
            "name": self.name,
            "description": self.description,
            "population": self.population,
            "network": r.network,
            "roles": {f.name: (dict(getattr(r, f.name)) if f.name == "portfolios"
                               else getattr(r, f.name)) for f in fields(r)},
            "organisations": [org(o) for o in self.organisations],
            "doctors": [doc(d) for d in self.doctors],
            "bids": [{"organisation": b.organisation, "role": b.role} for b in self.bids],
            "management_group": {
                "quota": self.quota,
                "members": [{"name": m.name, "weight": m.weight,
                             "organisation": m.organisation, "bloc": m.bloc}
                            for m in self.management_group],
            },
            "expectations": dict(self.expectations),
            **({"cooperation": [list(x) for x in self.cooperation]}
               if self.cooperation is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "scenario") -> Region:
        """Build a region from plain data (as read from TOML, JSON or YAML).

        Required fields: ``name``, ``organisations``, ``doctors``, ``bids``,
        ``management_group`` (with ``quota`` and ``members``). Optional:
        ``description``, ``population``, ``network`` (trauma, stroke, cancer)
        or a full ``roles`` table, ``expectations``, ``cooperation`` (a list
        of organisation pairs that can cooperate directly).
        """
        if not isinstance(data, Mapping):
            raise ScenarioError(source, type(data).__name__, "not a table/mapping",
                                "Write the scenario as a table with named fields")
        missing = [k for k in ("name", "organisations", "doctors", "bids", "management_group")
                   if k not in data]
        if missing:
            raise ScenarioError(f"{source}: {', '.join(missing)}", None,
                                "missing required field(s)",
                                "Add them; see restrat's scenario documentation "
                                "(Region.from_dict)")
        known_top = {"name", "organisations", "doctors", "bids", "management_group",
                     "description", "population", "network", "roles", "expectations",
                     "cooperation"}
        unknown = sorted(set(data) - known_top)
        if unknown:
            raise ScenarioError(f"{source}: {', '.join(unknown)}", None, "unknown field(s)",
                                f"Remove them or use one of {sorted(known_top)}")

        def build(kind: type, items: Any, field_name: str) -> tuple[Any, ...]:
            if not isinstance(items, Sequence) or isinstance(items, str | bytes):
                raise ScenarioError(field_name, items, "not a list",
                                    f"Give {field_name} as a list of tables")
            allowed = {f.name for f in fields(kind)}
            out = []
            for i, it in enumerate(items):
                if not isinstance(it, Mapping):
                    raise ScenarioError(f"{field_name}[{i}]", it, "not a table",
                                        "Give each entry as a table of fields")
                bad = sorted(set(it) - allowed)
                if bad:
                    raise ScenarioError(f"{field_name}[{i}]: {', '.join(bad)}", None,
                                        "unknown field(s)", f"Use only {sorted(allowed)}")
                try:
                    out.append(kind(**it))
                except TypeError as exc:
                    raise ScenarioError(f"{field_name}[{i}]", dict(it), str(exc),
                                        f"Give the required fields of {kind.__name__}") from None
            return tuple(out)

        mg = data["management_group"]
        if not isinstance(mg, Mapping) or "quota" not in mg or "members" not in mg:
            raise ScenarioError("management_group", mg, "needs 'quota' and 'members'",
                                "Give management_group = {quota = ..., members = [...]}")
        if "roles" in data:
            rd = dict(data["roles"])
            try:
                roles = RoleSet(**rd)
            except TypeError as exc:
                raise ScenarioError("roles", rd, str(exc), "Give every RoleSet field") from None
        else:
            roles = roles_by_name(data.get("network", "trauma"))
        return cls(
            name=str(data["name"]),
            description=str(data.get("description", "")),
            population=float(data.get("population", 0.0)),
            organisations=build(Organisation, data["organisations"], "organisations"),
            doctors=build(Doctor, data["doctors"], "doctors"),
            bids=build(Bid, data["bids"], "bids"),
            management_group=build(Member, mg["members"], "management_group.members"),
            quota=mg["quota"],
            roles=roles,
            expectations=data.get("expectations", {}),
            cooperation=(None if data.get("cooperation") is None
                         else _links(data["cooperation"])),
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Region:
        """Read a scenario file (``.toml``, ``.json``, ``.yaml``/``.yml``)."""
        return cls.from_dict(load_scenario_file(path), source=str(path))


def _links(items: Any) -> tuple[Any, ...]:
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise ScenarioError("cooperation", items, "not a list of links",
                            "Give cooperation = [[organisation, organisation], ...]")
    return tuple(tuple(x) if isinstance(x, Sequence) and not isinstance(x, str | bytes)
                 else x for x in items)


def load_scenario_file(path: str | Path) -> dict[str, Any]:
    """Parse a TOML, JSON or YAML scenario file into plain data."""
    p = Path(path)
    if not p.is_file():
        raise ScenarioError("path", str(p), "no such file",
                            "Give the path of a .toml, .json or .yaml scenario file")
    suffix = p.suffix.lower()
    text = p.read_text(encoding="utf-8")
    try:
        if suffix == ".toml":
            import tomllib

            return tomllib.loads(text)
        if suffix == ".json":
            return json.loads(text)
        if suffix in (".yaml", ".yml"):
            try:
                import yaml  # type: ignore[import-untyped]
            except ImportError:
                raise ScenarioError("path", str(p), "reading YAML needs PyYAML",
                                    "pip install pyyaml, or write the scenario as TOML/JSON"
                                    ) from None
            return yaml.safe_load(text)
    except ScenarioError:
        raise
    except Exception as exc:  # parse errors of the three formats
        raise ScenarioError("path", str(p), f"could not parse: {exc}",
                            "Fix the file's syntax") from None
    raise ScenarioError("path", str(p), f"unknown file type {suffix!r}",
                        "Use .toml, .json, .yaml or .yml")
