"""A region: its organisations, doctors, bids, management group and roles.

A :class:`Region` is immutable and validated on construction: every
reference (a bid's organisation, a doctor's employer, a management-group
member's organisation) must name a known organisation, bids must be for the
defined organisational roles (``"host"`` and ``"centre"``), every bidder must
have at least one candidate doctor, at least one organisation must bid for
each role, and the management group must be a proper weighted voting game.
A region holds at most :data:`MAX_ORGANISATIONS` organisations,
:data:`MAX_DOCTORS` doctors and :data:`MAX_CONFIGURATIONS` (host, centre)
configurations, so that running the model takes seconds, not hours. All
problems are reported at once, each naming the field and the fix.

Regions are built in Python, or read from a scenario file (TOML, JSON or
YAML) with :meth:`Region.from_file`; :meth:`Region.to_dict` writes the same
structure back.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..voting import WeightedVotingGame
from .actors import (
    KINDS,
    Bid,
    Doctor,
    Member,
    Organisation,
    RoleSet,
    Rule,
    ScenarioError,
    ScenarioProblem,
    check_value,
    entry_problems,
    roles_by_name,
)

__all__ = ["Region", "load_scenario_file", "region_problems", "scenario_schema",
           "MAX_SCENARIO_BYTES",
           "MAX_SCENARIO_VALUES", "MAX_ORGANISATIONS", "MAX_CONFIGURATIONS"]


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
    committee_quota : float
        Share of the clinical committee's votes (one per member, the network
        director included) a division of the concession pool needs, in (0, 1];
        1, the default, is unanimity (the network has no statutory authority, so
        every hospital on the committee can withdraw). See
        :mod:`gametheory.restratification.concessions`.
    stylised : mapping of str to str
        The inputs that are stylised rather than measured (input -> what was
        assumed), printed with the report and by ``restrat list``.
    bloc_kind : str
        The kind of organisation every bloc member represents: ``"district"``
        (the default: the district hospitals' bloc), another kind, or ``"any"``
        for a bloc of mixed kinds. A bloc member of another kind, or of no
        organisation, is refused (a scenario file sets it as
        ``management_group.bloc_kind``).
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
    committee_quota: float = 1.0
    stylised: Mapping[str, str] = field(default_factory=dict)
    bloc_kind: str = "district"

    def __post_init__(self) -> None:
        probs: list[ScenarioProblem] = []
        for f, kind, label in (("organisations", Organisation, "organisations"),
                               ("doctors", Doctor, "doctors"), ("bids", Bid, "bids"),
                               ("management_group", Member, "management_group")):
            items = getattr(self, f)
            if isinstance(items, str | bytes | Mapping) or not isinstance(items, Iterable):
                raise ScenarioError(f, items, f"is {type(items).__name__}, not a list",
                                    f"Give {f} as a list of {kind.__name__} objects")
            items = tuple(items)
            object.__setattr__(self, f, items)
            for i, it in enumerate(items):
                if not isinstance(it, kind):
                    probs.append(ScenarioProblem(f"{label}[{i}]", it,
                                                 f"is a {type(it).__name__}, not a "
                                                 f"{kind.__name__}",
                                                 f"Build it with {kind.__name__}(...)"))
        if not isinstance(self.roles, RoleSet):
            probs.append(ScenarioProblem("roles", self.roles, "is not a RoleSet",
                                         "Give a RoleSet (e.g. roles_by_name('trauma'))"))
        if not isinstance(self.expectations, Mapping):
            probs.append(ScenarioProblem("expectations", self.expectations, "is not a table",
                                         "Give a mapping of expected outcomes"))
        if not isinstance(self.stylised, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in self.stylised.items()):
            probs.append(ScenarioProblem("stylised", self.stylised, "is not a table of text",
                                         "Give stylised = {input = \"what was assumed\", ...}"))
        if probs:
            raise ScenarioError.collect(probs, "region")
        object.__setattr__(self, "expectations", dict(self.expectations))
        object.__setattr__(self, "stylised", dict(self.stylised))
        for name, rule in (("name", Rule("text")), ("population", POPULATION_RULE),
                           ("quota", QUOTA_RULE), ("committee_quota", COMMITTEE_QUOTA_RULE),
                           ("bloc_kind", BLOC_KIND_RULE)):
            n0 = len(probs)
            val = check_value(getattr(self, name), rule, name, probs)
            if len(probs) == n0:
                object.__setattr__(self, name, val)
        if not isinstance(self.description, str):
            probs.append(ScenarioProblem("description", self.description, "is not text",
                                         "Give a string"))
        probs += region_problems(
            list(self.organisations), [o.name for o in self.organisations],
            list(self.doctors), list(self.bids), list(self.management_group),
            self.quota if not probs else None, members_path="management_group",
            cooperation=self.cooperation, bloc_kind=self.bloc_kind)
        if probs:
            raise ScenarioError.collect(probs, f"region {self.name!r}")
        if self.cooperation is not None:
            object.__setattr__(self, "cooperation",
                               tuple((str(a), str(b)) for a, b in self.cooperation))

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
            d["services"] = sorted(o.services)
            return d

        def doc(d: Doctor) -> dict[str, Any]:
            out = {f.name: getattr(d, f.name) for f in fields(d)}
            out["domains"] = sorted(d.domains)
            out["specialties"] = sorted(d.specialties)
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
                **({"bloc_kind": self.bloc_kind} if self.bloc_kind != "district" else {}),
                "members": [{"name": m.name, "weight": m.weight,
                             "organisation": m.organisation, "bloc": m.bloc}
                            for m in self.management_group],
            },
            "expectations": dict(self.expectations),
            "committee_quota": self.committee_quota,
            "stylised": dict(self.stylised),
            **({"cooperation": [list(x) for x in self.cooperation]}
               if self.cooperation is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "scenario") -> Region:
        """Build a region from plain data (as read from TOML, JSON or YAML).

        Required fields: ``name``, ``organisations``, ``doctors``, ``bids``,
        ``management_group`` (with ``quota`` and ``members``, and optionally
        ``bloc_kind``: see :class:`Region`). Optional:
        ``description``, ``population``, ``network`` (trauma, stroke, cancer)
        or a full ``roles`` table, ``expectations``, ``cooperation`` (a list
        of organisation pairs that can cooperate directly).

        Every value is checked against its field's rule (types as well as
        values: a boolean must be ``true``/``false``, never the text
        ``"false"``; numbers finite and in range) and every reference against
        the region; *all* problems are reported at once in one
        :class:`ScenarioError` (its ``problems`` list), each with its path
        inside the data, e.g. ``bids[3].organisation``. :func:`scenario_schema`
        lists what every field accepts.
        """
        probs: list[ScenarioProblem] = []
        if not isinstance(data, Mapping):
            raise ScenarioError(source, data, f"is {type(data).__name__}, not a table",
                                "Write the scenario as a table with named fields")
        required = ("name", "organisations", "doctors", "bids", "management_group")
        known_top = (*required, "description", "population", "network", "roles",
                     "expectations", "cooperation", "committee_quota", "stylised")
        for key in data:
            if key not in known_top:
                hint = difflib.get_close_matches(str(key), known_top, n=1)
                probs.append(ScenarioProblem(str(key), data[key], "is not a known field",
                                             (f"Did you mean {hint[0]!r}? " if hint else "")
                                             + f"Use only {list(known_top)}"))
        for key in required:
            if key not in data:
                probs.append(ScenarioProblem(key, None, "is missing",
                                             "Add it; see restrat's scenario documentation "
                                             "(Region.from_dict)"))
        top: dict[str, Any] = {}
        for key, rule in (("name", Rule("text")), ("population", POPULATION_RULE),
                          ("committee_quota", COMMITTEE_QUOTA_RULE)):
            if key in data:
                n0 = len(probs)
                v = check_value(data[key], rule, key, probs)
                if len(probs) == n0:
                    top[key] = v
        if "description" in data:
            if isinstance(data["description"], str):
                top["description"] = data["description"]
            else:
                probs.append(ScenarioProblem("description", data["description"],
                                             "is not text", "Give a string"))
        roles: RoleSet | None = None
        if "roles" in data:
            kw, pr = entry_problems(RoleSet, data["roles"], "roles")
            probs += pr
            if not pr:
                roles = _build(RoleSet, kw, "roles", probs)
            if roles is not None and "network" in data and data["network"] != roles.network:
                probs.append(ScenarioProblem("network", data["network"], "disagrees with "
                                             f"roles.network ({roles.network!r})",
                                             "Give the network type once (drop 'network' "
                                             "when you give 'roles')"))
        else:
            net = data.get("network", "trauma")
            if not isinstance(net, str) or net not in NETWORKS:
                probs.append(ScenarioProblem("network", net, "is not a known network type",
                                             f"Use one of {list(NETWORKS)} or give a 'roles' "
                                             "table"))
            else:
                roles = roles_by_name(net)

        def entries(kind: type, items: Any, path: str) -> tuple[list[Any], list[Any], bool]:
            """Objects of the entries, the fields of each that passed, and whether all did."""
            if isinstance(items, str | bytes | Mapping) or not isinstance(items, Sequence):
                probs.append(ScenarioProblem(path, items, f"is {_kind(items)}, not a list",
                                             f"Give {path} as a list of tables"))
                return [], [], False
            objs: list[Any] = []
            partial: list[Any] = []
            for i, it in enumerate(items):
                kw, pr = entry_problems(kind, it, f"{path}[{i}]")
                probs.extend(pr)
                obj = None if pr else _build(kind, kw, f"{path}[{i}]", probs)
                objs.append(obj)
                partial.append(obj if obj is not None else kw)
            return objs, partial, all(o is not None for o in objs)

        orgs, p_orgs, c_orgs = entries(Organisation, data.get("organisations", []),
                                       "organisations")
        docs, p_docs, c_docs = entries(Doctor, data.get("doctors", []), "doctors")
        bids, p_bids, c_bids = entries(Bid, data.get("bids", []), "bids")
        members: list[Any] = []
        p_mem: list[Any] = []
        c_mem = False
        quota: float | None = None
        bloc_kind = "district"
        mg = data.get("management_group")
        if mg is not None:
            if not isinstance(mg, Mapping):
                probs.append(ScenarioProblem("management_group", mg, f"is {_kind(mg)}, not a "
                                             "table", "Give management_group = {quota = ..., "
                                             "members = [...]}"))
            else:
                for key in mg:
                    if key not in ("quota", "members", "bloc_kind"):
                        probs.append(ScenarioProblem(f"management_group.{key}", mg[key],
                                                     "is not a known field",
                                                     "Use only 'quota', 'members' and "
                                                     "'bloc_kind'"))
                if "bloc_kind" in mg:
                    n0 = len(probs)
                    bk = check_value(mg["bloc_kind"], BLOC_KIND_RULE,
                                     "management_group.bloc_kind", probs)
                    bloc_kind = bk if len(probs) == n0 else "any"   # no second complaint
                for key in ("quota", "members"):
                    if key not in mg:
                        probs.append(ScenarioProblem(f"management_group.{key}", None,
                                                     "is missing", "Add it"))
                if "quota" in mg:
                    n0 = len(probs)
                    q = check_value(mg["quota"], QUOTA_RULE, "management_group.quota", probs)
                    quota = q if len(probs) == n0 else None
                if "members" in mg:
                    members, p_mem, c_mem = entries(Member, mg["members"],
                                                    "management_group.members")
        styl = data.get("stylised", {})
        if not isinstance(styl, Mapping) or not all(isinstance(v, str) for v in styl.values()):
            probs.append(ScenarioProblem("stylised", styl, f"is {_kind(styl)}, not a table of "
                                         "text", "Give stylised = {input = \"what was "
                                         "assumed\", ...}"))
        exp = data.get("expectations", {})
        if not isinstance(exp, Mapping):
            probs.append(ScenarioProblem("expectations", exp, f"is {_kind(exp)}, not a table",
                                         "Give expected outcomes as a table"))
        raw = data.get("organisations", [])
        raw_names = ([it.get("name") if isinstance(it, Mapping) else None for it in raw]
                     if isinstance(raw, list | tuple) else [])
        links = data.get("cooperation")
        probs += region_problems(p_orgs, raw_names, p_docs, p_bids, p_mem, quota,
                                 members_path="management_group.members",
                                 complete=(c_orgs, c_docs, c_bids, c_mem), cooperation=links,
                                 bloc_kind=bloc_kind)
        if probs:
            raise ScenarioError.collect(probs, source)
        return cls(
            name=top["name"],
            description=top.get("description", ""),
            population=top.get("population", 0.0),
            organisations=orgs, doctors=docs, bids=bids, management_group=members,
            quota=quota, roles=roles, expectations=exp,
            cooperation=None if links is None else tuple(tuple(x) for x in links),
            committee_quota=top.get("committee_quota", 1.0), stylised=styl,
            bloc_kind=bloc_kind,
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Region:
        """Read a scenario file (``.toml``, ``.json``, ``.yaml``/``.yml``).

        The file is read by :func:`load_scenario_file` (size, encoding and
        YAML aliases bounded) and checked by :meth:`from_dict` (every problem
        reported at once).
        """
        return cls.from_dict(load_scenario_file(path), source=str(path))


NETWORKS = ("trauma", "stroke", "cancer")
#: population: a non-negative number up to 1e10
POPULATION_RULE = Rule("number", 0.0, 1e10)
#: quota of the management group: a positive number (checked against the weights)
QUOTA_RULE = Rule("number", 0.0, 1e13)
#: a share of the clinical committee's votes (1 = unanimity)
COMMITTEE_QUOTA_RULE = Rule("number", 0.01, 1.0)
#: the kind of organisation the bloc's members represent ("any": mixed)
BLOC_KIND_RULE = Rule("choice", choices=(*KINDS, "any"), noun="kind of organisation")
#: Most organisations a region may hold (a run then takes about ten seconds).
MAX_ORGANISATIONS = 1000
#: Most management-group members (one per organisation, plus the commissioners).
MAX_MEMBERS = MAX_ORGANISATIONS + 1
#: Most doctors a region may hold.
MAX_DOCTORS = 50_000
#: Most configurations (host bidders x centre bidders) a region may offer; every one is
#: valued and checked for blocking against every member.
MAX_CONFIGURATIONS = 2601
#: largest scenario file read (bytes)
MAX_SCENARIO_BYTES = 10 * 2**20
#: most values a scenario file may hold once YAML aliases are expanded
MAX_SCENARIO_VALUES = 1_000_000


def scenario_schema() -> list[tuple[str, str, bool, str]]:
    """What a scenario file accepts: ``(table, field, required, accepts)`` for every field.

    The same rules :meth:`Region.from_dict` checks (types as well as values),
    read from the classes' field rules, so the list cannot drift from the checks.

    Examples
    --------
    >>> rows = {(t, f): a for t, f, _, a in scenario_schema()}
    >>> rows["doctors[]", "opinion_leader"]
    'true or false (not text such as "false" or "no", not 0/1)'
    >>> rows["organisations[]", "track_record"]
    'a number in [0, 1]'
    """
    from dataclasses import MISSING

    from .actors import field_rules

    out: list[tuple[str, str, bool, str]] = [
        ("", "name", True, Rule("text").describe()),
        ("", "description", False, "text"),
        ("", "population", False, POPULATION_RULE.describe()),
        ("", "network", False, f"one of {list(NETWORKS)} (or give roles)"),
        ("", "expectations", False, "a table of expected outcomes"),
        ("", "cooperation", False, "a list of [organisation, organisation] links"),
        ("", "committee_quota", False, COMMITTEE_QUOTA_RULE.describe()
         + " (share of the clinical committee's votes; 1 = unanimity)"),
        ("", "stylised", False, "a table of input -> what was assumed (text)"),
        ("management_group", "quota", True, QUOTA_RULE.describe()),
        ("management_group", "bloc_kind", False, BLOC_KIND_RULE.describe()
         + " (default district)"),
    ]
    for table, cls in (("organisations[]", Organisation), ("doctors[]", Doctor),
                       ("bids[]", Bid), ("management_group.members[]", Member),
                       ("roles", RoleSet)):
        rules = field_rules(cls)
        for f in fields(cls):
            required = f.default is MISSING and f.default_factory is MISSING
            accepts = rules[f.name].describe() if f.name in rules else "any value"
            out.append((table, f.name, required, accepts))
    return out


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"


def _build(kind: type, kwargs: dict[str, Any], path: str, probs: list[ScenarioProblem]) -> Any:
    """Construct *kind*; problems its constructor finds are re-pathed under *path*."""
    try:
        return kind(**kwargs)
    except ScenarioError as exc:
        for p in exc.problems:
            field_name = p.path.rsplit(".", 1)[-1] if "." in p.path else p.path
            probs.append(ScenarioProblem(f"{path}.{field_name}", p.value, p.problem, p.fix))
        return None


def _fields_of(x: Any) -> dict[str, Any] | None:
    if x is None or isinstance(x, Mapping):
        return None if x is None else dict(x)
    return {f.name: getattr(x, f.name) for f in fields(x)}


def region_problems(orgs: Sequence[Any], org_names: Sequence[Any], docs: Sequence[Any],
                    bids: Sequence[Any], members: Sequence[Any], quota: float | None, *,
                    members_path: str = "management_group",
                    complete: Sequence[bool] = (True, True, True, True),
                    cooperation: Any = None,
                    bloc_kind: str = "district") -> list[ScenarioProblem]:
    """Every cross-reference problem of a region, paths by position (``bids[3].organisation``).

    Entries are objects, or tables of the fields that passed their own checks
    (from a scenario file); ``complete`` says, for doctors, bids and members
    (and organisations first), whether every entry passed, and checks that
    need the whole list (every bidder has a candidate, each role has a bid,
    the voting game) run only then. *cooperation* is the declared list of
    links (pairs of distinct known organisations, each once), or None.
    *bloc_kind* is the kind every bloc member's organisation must have
    (``"any"``: no check).
    """
    probs: list[ScenarioProblem] = []
    c_org, c_doc, c_bid, c_mem = complete
    names = list(org_names)
    for what, items, limit in (("organisations", names, MAX_ORGANISATIONS),
                               ("doctors", docs, MAX_DOCTORS),
                               (members_path, members, MAX_MEMBERS)):
        if len(items) > limit:
            probs.append(ScenarioProblem(what, f"<{len(items):,} entries>",
                                         f"has more than {limit:,} entries",
                                         "Model a smaller region (or several)"))
    if not names:
        probs.append(ScenarioProblem("organisations", [], "is empty",
                                     "List the region's organisations"))
    first: dict[str, int] = {}
    for i, nm in enumerate(names):
        if not isinstance(nm, str):
            continue
        if nm in first:
            probs.append(ScenarioProblem(f"organisations[{i}].name", nm,
                                         f"repeats organisations[{first[nm]}].name",
                                         "Give every organisation a distinct name"))
        else:
            first[nm] = i
    known = set(first)
    known_list = sorted(known)

    def unknown_fix() -> str:
        return f"Use one of {known_list[:12]}" + (" ..." if len(known_list) > 12 else "")

    dv = [_fields_of(d) or {} for d in docs]
    bv = [_fields_of(b) or {} for b in bids]
    mv = [_fields_of(m) or {} for m in members]
    dfirst: dict[str, int] = {}
    for i, d in enumerate(dv):
        nm, emp = d.get("name"), d.get("employer")
        if isinstance(nm, str):
            if nm in dfirst:
                probs.append(ScenarioProblem(f"doctors[{i}].name", nm,
                                             f"repeats doctors[{dfirst[nm]}].name",
                                             "Give every doctor a distinct name"))
            else:
                dfirst[nm] = i
        if isinstance(emp, str) and emp not in known:
            probs.append(ScenarioProblem(f"doctors[{i}].employer", emp,
                                         "is not an organisation of the region", unknown_fix()))
    bfirst: dict[tuple[Any, Any], int] = {}
    for i, b in enumerate(bv):
        org, role = b.get("organisation"), b.get("role")
        if isinstance(org, str) and org not in known:
            probs.append(ScenarioProblem(f"bids[{i}].organisation", org,
                                         "is not an organisation of the region", unknown_fix()))
        if isinstance(org, str) and isinstance(role, str):
            if (org, role) in bfirst:
                probs.append(ScenarioProblem(f"bids[{i}]", {"organisation": org, "role": role},
                                             f"repeats bids[{bfirst[org, role]}]",
                                             "List each bid once"))
            else:
                bfirst[org, role] = i
    hosts = {b.get("organisation") for b in bv if b.get("role") == "host"}
    centres = {b.get("organisation") for b in bv if b.get("role") == "centre"}
    if len(hosts) * len(centres) > MAX_CONFIGURATIONS:
        probs.append(ScenarioProblem("bids", f"<{len(hosts)} host x {len(centres)} centre "
                                     "bidders>", f"give {len(hosts) * len(centres):,} "
                                     f"configurations, more than {MAX_CONFIGURATIONS:,}",
                                     "Keep the bids to the organisations that can take the "
                                     "roles (at most 51 bidders for each)"))
    if c_bid:
        for role in ("host", "centre"):
            if not any(b.get("role") == role for b in bv):
                probs.append(ScenarioProblem("bids", [(b.get("organisation"), b.get("role"))
                                                      for b in bv],
                                             f"has no bid for {role!r}",
                                             f"Add at least one bid for {role!r}"))
    if c_doc:
        bidders = sorted({b.get("organisation") for b in bv} & known)
        for org in bidders:
            if not any(d.get("employer") == org and not d.get("opinion_leader", False)
                       for d in dv):
                probs.append(ScenarioProblem(
                    "doctors", org, f"has no candidate doctor to lead bidder {org!r}",
                    f"Add a doctor employed by {org!r} who is not only an opinion leader"))
    if not members:
        probs.append(ScenarioProblem(members_path, [], "is empty",
                                     "List the management group's members"))
    kind_of = {o.get("name"): o.get("kind") for o in (_fields_of(x) or {} for x in orgs)}
    mfirst: dict[str, int] = {}
    for i, m in enumerate(mv):
        nm, org = m.get("name"), m.get("organisation")
        if m.get("bloc") is True:
            if org is None:
                probs.append(ScenarioProblem(f"{members_path}[{i}].bloc", True,
                                             f"member {nm!r} is in the bloc but represents "
                                             "no organisation", "Give the organisation it "
                                             "represents, or bloc = false"))
            elif (bloc_kind != "any" and isinstance(org, str) and org in known
                  and kind_of.get(org) != bloc_kind):
                probs.append(ScenarioProblem(
                    f"{members_path}[{i}].bloc", True,
                    f"member {nm!r} is in the bloc but represents {org!r}, a "
                    f"{kind_of.get(org)} organisation, not a {bloc_kind} one",
                    f"Set bloc = false, or management_group.bloc_kind = 'any' if the bloc "
                    f"is not only {bloc_kind} organisations"))
        if isinstance(nm, str):
            if nm in mfirst:
                probs.append(ScenarioProblem(f"{members_path}[{i}].name", nm,
                                             f"repeats {members_path}[{mfirst[nm]}].name",
                                             "Give every member a distinct name"))
            else:
                mfirst[nm] = i
        if isinstance(org, str) and org not in known:
            probs.append(ScenarioProblem(f"{members_path}[{i}].organisation", org,
                                         "is not an organisation of the region",
                                         unknown_fix() + " or null"))
    if cooperation is not None:
        probs += _link_problems(cooperation, known, unknown_fix)
    if c_mem and quota is not None and mv:     # beside the other problems, not after them
        try:
            WeightedVotingGame([m["weight"] for m in mv], quota)
        except (ValueError, TypeError) as exc:
            total = sum(m["weight"] for m in mv)
            probs.append(ScenarioProblem("quota" if members_path == "management_group"
                                         else "management_group.quota", quota, str(exc),
                                         f"Give a quota in (0, {total:g}] (the total weight)"))
    return probs


def _link_problems(links: Any, known: set[str], unknown_fix: Any) -> list[ScenarioProblem]:
    """Problems of a cooperation graph: a list of pairs of distinct known organisations."""
    if isinstance(links, str | bytes | Mapping) or not isinstance(links, Iterable):
        return [ScenarioProblem("cooperation", links, f"is {_kind(links)}, not a list of links",
                                "Give cooperation = [[organisation, organisation], ...]")]
    probs: list[ScenarioProblem] = []
    first: dict[frozenset[str], int] = {}
    for i, link in enumerate(links):
        if (isinstance(link, str | bytes | Mapping) or not isinstance(link, Sequence)
                or len(link) != 2):
            probs.append(ScenarioProblem(f"cooperation[{i}]", link, "a link is not a pair of "
                                         "organisations", "Give each link as [organisation, "
                                         "organisation]"))
            continue
        ok = True
        for j, x in enumerate(link):
            if not isinstance(x, str):
                probs.append(ScenarioProblem(f"cooperation[{i}][{j}]", x, f"is {_kind(x)}, "
                                             "not an organisation's name",
                                             "Give organisations by name"))
                ok = False
            elif x not in known:
                probs.append(ScenarioProblem(f"cooperation[{i}][{j}]", x,
                                             "is an unknown organisation", unknown_fix()))
                ok = False
        if not ok:
            continue
        a, b = link
        if a == b:
            probs.append(ScenarioProblem(f"cooperation[{i}]", list(link), "links an "
                                         "organisation to itself", "Drop the self-link"))
            continue
        key = frozenset((a, b))
        if key in first:
            probs.append(ScenarioProblem(f"cooperation[{i}]", list(link),
                                         f"repeats cooperation[{first[key]}]",
                                         "List each link once"))
        else:
            first[key] = i
    return probs


def load_scenario_file(path: str | Path) -> dict[str, Any]:
    """Parse a TOML, JSON or YAML scenario file into plain data, within bounds.

    The file must be a regular file of at most :data:`MAX_SCENARIO_BYTES`
    bytes of UTF-8 text (binary data and other encodings are refused, with
    the position of the first offending byte). JSON refuses ``NaN`` and
    ``Infinity`` and a key repeated in one table; YAML is read with the
    safe loader, refuses repeated keys and recursive aliases, and refuses a
    document whose aliases expand to more than :data:`MAX_SCENARIO_VALUES`
    values (the "billion laughs" pattern) before building it.

    Raises
    ------
    ScenarioError
        Naming the file, what is wrong (with line and column where the
        parser gives them) and the fix.
    """
    from ..fileio import decode_text, read_input_bytes

    p = Path(path).expanduser()
    suffix = p.suffix.lower()
    if suffix not in (".toml", ".json", ".yaml", ".yml"):
        raise ScenarioError("scenario", str(p), f"unknown file type {suffix or '(none)'!r}",
                            "Use a .toml, .json, .yaml or .yml scenario file")
    what = f"scenario file ({suffix})"
    data = read_input_bytes(p, name="scenario", max_bytes=MAX_SCENARIO_BYTES, what=what,
                            error=ScenarioError)
    text = decode_text(data, path=p, name="scenario", what=what, error=ScenarioError)
    try:
        if suffix == ".toml":
            import tomllib

            try:
                out: Any = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise ScenarioError("scenario", str(p), f"is not valid TOML: could not parse: "
                                    f"{exc}", "Fix the file's syntax") from None
        elif suffix == ".json":
            try:
                out = json.loads(text, object_pairs_hook=_json_pairs,
                                 parse_constant=_json_constant)
            except json.JSONDecodeError as exc:
                raise ScenarioError("scenario", str(p), f"is not valid JSON: could not parse: "
                                    f"{exc.msg} (line {exc.lineno}, column {exc.colno})",
                                    "Fix the file's syntax") from None
        else:
            out = _load_yaml(text, p)
    except ScenarioError:
        raise
    except _DuplicateKey as exc:
        raise ScenarioError("scenario", str(p), f"repeats the key {exc.key!r} in one table"
                            + (f" (line {exc.line})" if exc.line else ""),
                            "Give each field once") from None
    except _NotANumber as exc:
        raise ScenarioError("scenario", str(p), f"holds {exc.text}, which is not a finite "
                            "number", "Give finite numbers") from None
    except RecursionError:
        raise ScenarioError("scenario", str(p), "is nested too deeply",
                            "Write a flat scenario (tables of fields, lists of tables)") from None
    except ValueError as exc:   # e.g. integers longer than Python's digit limit
        raise ScenarioError("scenario", str(p), f"could not parse: {exc}",
                            "Fix the file's syntax") from None
    if not isinstance(out, dict):
        raise ScenarioError("scenario", str(p), f"holds {_kind(out)}, not a table of fields",
                            "Write the scenario as a table (name = ..., organisations = "
                            "[...], ...)")
    return out


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int | None = None) -> None:
        self.key = key
        self.line = line


class _NotANumber(Exception):
    def __init__(self, text: str) -> None:
        self.text = text


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


def _json_constant(text: str) -> Any:
    raise _NotANumber(text)


def _yaml_budget(root: Any, path: Path) -> None:
    """Refuse recursive aliases and documents whose aliases expand past the limit.

    Counts the values of the document as if every alias were copied out
    (memoised on the shared nodes, so the count itself is linear in the
    file's size).
    """
    import yaml

    size: dict[int, int] = {}
    state: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            if isinstance(node, yaml.MappingNode):
                kids = [x for kv in node.value for x in kv]
            elif isinstance(node, yaml.SequenceNode):
                kids = list(node.value)
            else:
                kids = []
            total = 1 + sum(size[id(k)] for k in kids)
            if total > MAX_SCENARIO_VALUES:
                raise ScenarioError("scenario", str(path), f"expands to more than "
                                    f"{MAX_SCENARIO_VALUES:,} values through YAML aliases "
                                    "(*name)", "Write the values out, or use fewer "
                                    "aliases; nested aliases multiply") from None
            size[key] = total
            state[key] = 2
            continue
        st = state.get(key, 0)
        if st == 2:
            continue
        if st == 1:
            mark = getattr(node, "start_mark", None)
            raise ScenarioError("scenario", str(path), "holds a recursive YAML alias (a value "
                                "that contains itself)" + (f" at line {mark.line + 1}"
                                                           if mark else ""),
                                "Remove the alias") from None
        state[key] = 1
        stack.append((node, True))
        if isinstance(node, yaml.MappingNode):
            stack.extend((x, False) for kv in node.value for x in kv)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((x, False) for x in node.value)


def _load_yaml(text: str, path: Path) -> Any:
    try:
        import yaml
    except ImportError:  # pragma: no cover - pyyaml is a core dependency
        raise ScenarioError("scenario", str(path), "reading YAML needs PyYAML",
                            "pip install pyyaml, or write the scenario as TOML/JSON") from None

    class _Loader(yaml.SafeLoader):
        def compose_document(self) -> Any:
            node = super().compose_document()
            _yaml_budget(node, path)
            return node

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for k, _ in node.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    ident = (k.tag, k.value)
                    if ident in seen:
                        raise _DuplicateKey(k.value, k.start_mark.line + 1)
                    seen.add(ident)
            return super().construct_mapping(node, deep=deep)

    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ScenarioError("scenario", str(path), f"is not valid YAML: could not parse: "
                            f"{' '.join(str(exc).split())}", "Fix the file's syntax") from None
