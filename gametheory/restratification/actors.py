"""Actors and roles of a care network: organisations, doctors, bids, the management group.

Representation
--------------
Everything is a frozen dataclass. Organisations and doctors are identified by
their ``name`` (unique within a region). Covariates are plain floats on a
common 0-1 scale (management track record, performance against targets,
breadth of specialist services), plus the set of super-specialist services
(e.g. ``{"paediatrics", "neurology"}``), size (beds, or any size measure) and
the trauma volume (cases a year) the organisation treated before the network.

A doctor's capital is three non-negative numbers (cultural, social,
symbolic; Bourdieu 1990), the domains they are active in (``practice``,
``research_education``, ``policy``) and whether they are an opinion leader
without a formal role. A doctor active in two or more domains is a
*multiplex elite* (Waring 2014).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from functools import cache
from typing import Any, ClassVar

import numpy as np

from ..errors import InvalidArgumentError, describe_value

__all__ = [
    "KINDS",
    "DOMAINS",
    "ScenarioError",
    "ScenarioProblem",
    "Rule",
    "check_value",
    "field_rules",
    "entry_problems",
    "Organisation",
    "Doctor",
    "Bid",
    "Member",
    "RoleSet",
    "TRAUMA_ROLES",
    "STROKE_ROLES",
    "CANCER_ROLES",
]

KINDS = ("teaching", "district", "non_teaching", "ambulance")
DOMAINS = ("practice", "research_education", "policy")


#: problems shown in one error message (all are kept in ``ScenarioError.problems``)
MAX_LISTED_PROBLEMS = 50


@dataclass(frozen=True)
class ScenarioProblem:
    """One problem in a region or scenario file: where, the value, what is wrong, the fix.

    ``path`` locates the value inside the scenario (``bids[3].organisation``,
    ``management_group.members[2].bloc``).
    """

    path: str
    value: Any
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path}: {describe_value(self.value, 60)} {self.problem}; {self.fix}"


class ScenarioError(InvalidArgumentError):
    """A region or scenario description is invalid (names the field and the fix).

    :attr:`problems` lists every problem found (one for a single error), each
    a :class:`ScenarioProblem` with its path inside the scenario.
    """

    def __init__(self, name: str, value: Any, problem: str, fix: str,
                 problems: Sequence[ScenarioProblem] | None = None) -> None:
        super().__init__(name, value, problem, fix)
        self.problems: list[ScenarioProblem] = (list(problems) if problems is not None
                                                else [ScenarioProblem(name, value, problem,
                                                                      fix)])

    @classmethod
    def collect(cls, problems: Sequence[ScenarioProblem], source: str = "scenario"
                ) -> ScenarioError:
        """One error listing every problem (the single problem itself when there is one)."""
        problems = list(problems)
        if len(problems) == 1:
            p = problems[0]
            return cls(p.path, p.value, p.problem, p.fix, problems)
        shown = [str(p) for p in problems[:MAX_LISTED_PROBLEMS]]
        if len(problems) > MAX_LISTED_PROBLEMS:
            shown.append(f"... and {len(problems) - MAX_LISTED_PROBLEMS} more (see the "
                         "error's .problems)")
        body = "\n  - ".join(shown)
        return cls(source, f"<{len(problems)} problems>",
                   f"{len(problems)} problems:\n  - {body}\n",
                   "Fix each field listed above", problems)


@dataclass(frozen=True)
class Rule:
    """What a field of a scenario accepts (checked in one place, :func:`check_value`).

    Attributes
    ----------
    kind : str
        ``"text"`` (a non-empty string), ``"optional_text"`` (a string or
        null), ``"number"`` (a finite real number, never a boolean or a
        string), ``"whole"`` (a number with no fractional part), ``"boolean"``
        (true or false only: the text ``"false"`` is refused, never read as
        true), ``"choice"`` (one of *choices*),
        ``"names"`` (a list of distinct non-empty strings, or one string),
        ``"number_table"`` (a table of name -> number).
    lo, hi : float, optional
        Closed range of a number (or of every number of a table).
    choices : tuple of str
        Allowed values of a choice, or of each of a list of names.
    noun : str
        What a choice names (``"role"``, ``"kind"``), for messages.
    """

    kind: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    noun: str = "value"

    def describe(self) -> str:
        """The rule in words (used in fixes)."""
        if self.kind in ("number", "whole", "number_table"):
            lo = "-inf" if self.lo is None else format_number(self.lo)
            hi = "inf" if self.hi is None else format_number(self.hi)
            what = {"number": "a number", "whole": "a whole number",
                    "number_table": "a table of numbers, each"}[self.kind]
            return f"{what} in [{lo}, {hi}]"
        if self.kind == "boolean":
            return "true or false (not text such as \"false\" or \"no\", not 0/1)"
        if self.kind == "choice":
            return f"one of {list(self.choices)}"
        if self.kind == "names":
            return ("a list of distinct names" + (f" from {list(self.choices)}"
                                                 if self.choices else ""))
        if self.kind == "optional_text":
            return "a string or null"
        return "a non-empty string"


def format_number(x: float) -> str:
    """A limit as people write it: ``1e6`` rather than ``1e+06``.

    Examples
    --------
    >>> format_number(1e6), format_number(0.5), format_number(-1e-7)
    ('1e6', '0.5', '-1e-7')
    """
    return f"{x:g}".replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")


def _type_name(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "a boolean"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple | set | frozenset):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, int | float | np.number):
        return "a number"
    return f"a {type(value).__name__}"


def _number(value: Any, rule: Rule, path: str, out: list[ScenarioProblem]) -> float | None:
    fix = f"Give {rule.describe()}"
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer
                                                             | np.floating):
        out.append(ScenarioProblem(path, value, f"is {_type_name(value)}, not a number", fix))
        return None
    try:
        x = float(value)
    except OverflowError:
        out.append(ScenarioProblem(path, value, "is too large", fix))
        return None
    if not np.isfinite(x):
        out.append(ScenarioProblem(path, value, "is not finite", fix))
        return None
    if rule.lo is not None and x < rule.lo:
        out.append(ScenarioProblem(path, value, f"is below the minimum {format_number(rule.lo)}",
                                   fix))
        return None
    if rule.hi is not None and x > rule.hi:
        out.append(ScenarioProblem(path, value, f"is above the maximum {format_number(rule.hi)}",
                                   fix))
        return None
    return x


def check_value(value: Any, rule: Rule, path: str, out: list[ScenarioProblem]) -> Any:
    """Check *value* against *rule*; append problems to *out*; return the normalised value.

    Numbers become floats, booleans ``bool``, names a ``frozenset``, tables a
    ``dict``. Returns None (and appends a problem) when the value is refused.

    Examples
    --------
    >>> probs = []
    >>> check_value("false", Rule("boolean"), "doctors[0].opinion_leader", probs) is None
    True
    >>> print(probs[0])  # doctest: +ELLIPSIS
    doctors[0].opinion_leader: 'false' is text, not true/false; Give true or false ...
    """
    k = rule.kind
    if k == "number":
        return _number(value, rule, path, out)
    if k == "whole":
        n0 = len(out)
        x = _number(value, rule, path, out)
        if len(out) == n0 and x is not None and x != round(x):
            out.append(ScenarioProblem(path, value, "is not a whole number (votes are "
                                       "counted in whole units)",
                                       f"Give {rule.describe()} (scale fractional weights to "
                                       "integers, e.g. 0.5/1.5 -> 1/3, and the quota with "
                                       "them)"))
            return None
        return x
    if k == "boolean":
        if isinstance(value, bool | np.bool_):
            return bool(value)
        out.append(ScenarioProblem(path, value, f"is {_type_name(value)}, not true/false",
                                   f"Give {rule.describe()}"))
        return None
    if k in ("text", "choice", "optional_text"):
        if value is None and k == "optional_text":
            return None
        if not isinstance(value, str):
            out.append(ScenarioProblem(path, value, f"is {_type_name(value)}, not text",
                                       f"Give {rule.describe()}"))
            return None
        if k == "choice" and value not in rule.choices:
            out.append(ScenarioProblem(path, value, f"is not a defined {rule.noun}",
                                       f"Give {rule.describe()}"))
            return None
        if not value.strip():
            out.append(ScenarioProblem(path, value, "is empty", f"Give {rule.describe()}"))
            return None
        return value
    if k == "names":
        items = (value,) if isinstance(value, str) else value
        if not isinstance(items, list | tuple | set | frozenset):
            out.append(ScenarioProblem(path, value, f"is {_type_name(value)}, not a list of "
                                       "names", f"Give {rule.describe()}"))
            return None
        n_before = len(out)
        seen: list[str] = []
        for j, it in enumerate(items):
            if not isinstance(it, str) or not it.strip():
                out.append(ScenarioProblem(f"{path}[{j}]", it, f"is {_type_name(it)}, not a "
                                           "name", f"Give {rule.describe()}"))
            elif rule.choices and it not in rule.choices:
                out.append(ScenarioProblem(f"{path}[{j}]", it, "is not a known name",
                                           f"Use names from {list(rule.choices)}"))
            elif it in seen:
                out.append(ScenarioProblem(f"{path}[{j}]", it, "is listed twice",
                                           "List each name once"))
            else:
                seen.append(it)
        return frozenset(seen) if len(out) == n_before else None
    if k == "number_table":
        if not isinstance(value, Mapping):
            out.append(ScenarioProblem(path, value, f"is {_type_name(value)}, not a table",
                                       f"Give {rule.describe()}"))
            return None
        n_before = len(out)
        table: dict[str, float] = {}
        for key, v in value.items():
            if not isinstance(key, str) or not key.strip():
                out.append(ScenarioProblem(path, key, "has a key that is not a name",
                                           "Use names as keys"))
                continue
            x = _number(v, Rule("number", rule.lo, rule.hi), f"{path}[{key!r}]", out)
            if x is not None:
                table[key] = x
        return table if len(out) == n_before else None
    raise ValueError(f"unknown rule kind {k!r}")  # pragma: no cover - programming error


def _rule_from_annotation(tp: Any) -> Rule | None:
    """A default rule for a field that has none in its class's ``RULES`` (from its type)."""
    import types
    import typing

    if tp is bool:
        return Rule("boolean")
    if tp is float or tp is int:
        return Rule("number")
    if tp is str:
        return Rule("text")
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType) and set(args) == {str, type(None)}:
        return Rule("optional_text")
    if origin in (frozenset, set, tuple, list) and args and args[0] is str:
        return Rule("names")
    if origin is not None and str(origin).endswith("Mapping'>"):
        return Rule("number_table")
    return None


def field_rules(cls: type) -> dict[str, Rule]:
    """The rule of every field of a scenario dataclass (its ``RULES``, else from the type)."""
    return dict(_field_rules(cls))


@cache
def _field_rules(cls: type) -> dict[str, Rule]:
    # once per class: resolving the type hints costs far more than checking the values
    import typing

    own: dict[str, Rule] = dict(getattr(cls, "RULES", {}))
    hints = typing.get_type_hints(cls)
    out: dict[str, Rule] = {}
    for f in fields(cls):
        rule = own.get(f.name) or _rule_from_annotation(hints.get(f.name))
        if rule is not None:
            out[f.name] = rule
    return out


def entry_problems(cls: type, entry: Any, path: str) -> tuple[dict[str, Any], list[
        ScenarioProblem]]:
    """Check one table of a scenario file against *cls*'s fields (every problem at once).

    Returns the normalised keyword arguments and the problems (unknown or
    missing fields, wrong types, values out of range).
    """
    probs: list[ScenarioProblem] = []
    if not isinstance(entry, Mapping):
        probs.append(ScenarioProblem(path, entry, f"is {_type_name(entry)}, not a table",
                                     f"Give a table with fields {[f.name for f in fields(cls)]}"))
        return {}, probs
    allowed = [f.name for f in fields(cls)]
    required = [f.name for f in fields(cls) if f.default is MISSING
                and f.default_factory is MISSING]
    for key in entry:
        if key not in allowed:
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            probs.append(ScenarioProblem(f"{path}.{key}", entry[key], "is not a known field",
                                         (f"Did you mean {hint[0]!r}? " if hint else "")
                                         + f"Use only {allowed}"))
    for key in required:
        if key not in entry:
            probs.append(ScenarioProblem(f"{path}.{key}", None, "is missing",
                                         f"Add {key} ({field_rules(cls)[key].describe()})"
                                         if key in field_rules(cls) else f"Add {key}"))
    kwargs: dict[str, Any] = {}
    rules = field_rules(cls)
    for key, val in entry.items():
        if key not in allowed:
            continue
        if key in rules:
            n0 = len(probs)
            norm = check_value(val, rules[key], f"{path}.{key}", probs)
            if len(probs) == n0:
                kwargs[key] = norm
        else:
            kwargs[key] = val
    return kwargs, probs


def _check_fields(obj: Any, prefix: str) -> None:
    """Validate and normalise every field of *obj* by its rule; raise listing every problem."""
    probs: list[ScenarioProblem] = []
    for name, rule in field_rules(type(obj)).items():
        n0 = len(probs)
        norm = check_value(getattr(obj, name), rule, f"{prefix}.{name}", probs)
        if len(probs) == n0:
            object.__setattr__(obj, name, norm)
    if probs:
        raise ScenarioError.collect(probs, prefix)


def _label(obj: Any, kind: str) -> str:
    name = getattr(obj, "name", None)
    return f"{kind}[{name!r}]" if isinstance(name, str) else kind


@dataclass(frozen=True)
class Organisation:
    """An organisation of the region.

    Attributes
    ----------
    name : str
    kind : {"teaching", "district", "non_teaching", "ambulance"}
    track_record : float
        Management track record, 0-1.
    performance : float
        Performance against national targets, 0-1.
    specialist_breadth : float
        Breadth of specialist services linked to trauma care, 0-1.
    super_specialist : frozenset of str
        Super-specialist services (the MTC deal breaker).
    size : float
        Size (e.g. beds).
    trauma_volume : float
        Major-trauma cases a year before the network.
    can_be_trauma_unit : bool
        False for a hospital too small to be a trauma unit (it becomes a
        lower-tier unit).
    services : frozenset of str
        Clinical services it runs (e.g. ``paediatrics``, ``critical care``,
        ``rehabilitation``): a portfolio that needs a service is led only from a
        hospital that runs it (the super-specialist services count too).
    """

    name: str
    kind: str
    track_record: float = 0.5
    performance: float = 0.5
    specialist_breadth: float = 0.5
    super_specialist: frozenset[str] = field(default_factory=frozenset)
    size: float = 0.0
    trauma_volume: float = 0.0
    can_be_trauma_unit: bool = True
    services: frozenset[str] = field(default_factory=frozenset)

    #: what each field accepts (see :class:`Rule`); sizes and volumes up to 1e9
    RULES: ClassVar[dict[str, Rule]] = {
        "name": Rule("text"),
        "kind": Rule("choice", choices=KINDS, noun="kind of organisation"),
        "track_record": Rule("number", 0.0, 1.0),
        "performance": Rule("number", 0.0, 1.0),
        "specialist_breadth": Rule("number", 0.0, 1.0),
        "super_specialist": Rule("names"),
        "size": Rule("number", 0.0, 1e9),
        "trauma_volume": Rule("number", 0.0, 1e9),
        "can_be_trauma_unit": Rule("boolean"),
        "services": Rule("names"),
    }

    def __post_init__(self) -> None:
        _check_fields(self, _label(self, "organisations"))

    @property
    def n_super_specialist(self) -> int:
        """Number of super-specialist services."""
        return len(self.super_specialist)


@dataclass(frozen=True)
class Doctor:
    """A doctor with an employer, capital and domains of activity.

    Attributes
    ----------
    name : str
    employer : str
        Name of the employing organisation.
    cultural, social, symbolic : float
        Capital (non-negative; 0-1 is the usual scale).
    domains : frozenset of str
        Subset of ``("practice", "research_education", "policy")``.
    opinion_leader : bool
        An opinion leader without a formal role (endorses, is not a candidate).
    endorsed : bool
        Whether the doctor has the tacit endorsement of the opinion leaders.
    specialties : frozenset of str
        Narrow clinical domains (e.g. ``paediatrics``, ``rehabilitation``):
        a portfolio needing that service matches the doctor best.
    clinical_lead : bool
        The hospital's clinical lead (its representative on the clinical
        committee); when nobody is flagged, the hospital's policy-active doctor
        of most social capital.
    """

    name: str
    employer: str
    cultural: float = 0.0
    social: float = 0.0
    symbolic: float = 0.0
    domains: frozenset[str] = field(default_factory=lambda: frozenset({"practice"}))
    opinion_leader: bool = False
    endorsed: bool = False
    specialties: frozenset[str] = field(default_factory=frozenset)
    clinical_lead: bool = False

    #: what each field accepts (see :class:`Rule`); capital is non-negative, up to 1e6
    RULES: ClassVar[dict[str, Rule]] = {
        "name": Rule("text"),
        "employer": Rule("text"),
        "cultural": Rule("number", 0.0, 1e6),
        "social": Rule("number", 0.0, 1e6),
        "symbolic": Rule("number", 0.0, 1e6),
        "domains": Rule("names", choices=DOMAINS),
        "opinion_leader": Rule("boolean"),
        "endorsed": Rule("boolean"),
        "specialties": Rule("names"),
        "clinical_lead": Rule("boolean"),
    }

    def __post_init__(self) -> None:
        _check_fields(self, _label(self, "doctors"))

    @property
    def capital(self) -> np.ndarray:
        """(cultural, social, symbolic)."""
        return np.array([self.cultural, self.social, self.symbolic])

    @property
    def multiplex(self) -> bool:
        """Active in two or more domains (a multiplex elite)."""
        return len(self.domains) >= 2

    @property
    def practice_elite(self) -> bool:
        """Active in clinical practice with cultural capital of at least 0.5."""
        return "practice" in self.domains and self.cultural >= 0.5


@dataclass(frozen=True)
class Bid:
    """An organisation's bid for an organisational role (``"host"`` or ``"centre"``)."""

    organisation: str
    role: str

    RULES: ClassVar[dict[str, Rule]] = {
        "organisation": Rule("text"),
        "role": Rule("choice", choices=("host", "centre"), noun="role"),
    }

    def __post_init__(self) -> None:
        _check_fields(self, "bid")


@dataclass(frozen=True)
class Member:
    """A member of the regional management group.

    Attributes
    ----------
    name : str
    weight : float
        Voting weight, a whole number (the vote of the proposal-and-vote model counts
        whole units; scale fractional weights to integers).
    organisation : str or None
        The organisation the member represents (None for commissioners).
    bloc : bool
        Member of the district bloc (acts as one collective).
    """

    name: str
    weight: float
    organisation: str | None = None
    bloc: bool = False

    #: what each field accepts (see :class:`Rule`); whole-number weights up to 1e12
    RULES: ClassVar[dict[str, Rule]] = {
        "name": Rule("text"),
        "weight": Rule("whole", 0.0, 1e12),
        "organisation": Rule("optional_text"),
        "bloc": Rule("boolean"),
    }

    def __post_init__(self) -> None:
        _check_fields(self, _label(self, "management_group"))


@dataclass(frozen=True)
class RoleSet:
    """Names and values of a network's roles.

    Attributes
    ----------
    network : str
        The kind of network ("trauma", "stroke", "cancer").
    host : str
        Organisational role that hosts the network.
    centre : str
        The specialist centre (MTC for trauma).
    unit : str, lower_unit : str
        Designations of the other hospitals.
    network_director, centre_director : str
        The two elite professional roles.
    portfolios : mapping str -> float
        Subordinate portfolio roles (one lead each) and their values, in value
        units (hundreds of trauma cases a year: the work a role is worth to a
        hospital's doctors). The built-in values are stylised.
    seat_value : float
        Value of a Network Clinical Committee seat (value units; stylised).
    rotation_value : float
        Value of one rotation place at the centre (value units; stylised).
    unit_retained, lower_retained : float
        Share of its previous specialist volume a unit / lower-tier unit keeps.
    seat_pool : float
        Committee seats in the pool (roles); 0, the default, means one per
        hospital on the committee.
    rotation_pool : float
        Rotation places at the centre in the pool (roles a year; stylised 6).
    rehabilitation_return : float
        Share of the patients a hospital transfers away that come back to it for
        rehabilitation (unitless; stylised 0.5): part of the harm its withdrawal
        does to the network.
    """

    network: str
    host: str
    centre: str
    unit: str
    lower_unit: str
    network_director: str
    centre_director: str
    portfolios: Mapping[str, float]
    seat_value: float = 0.5
    rotation_value: float = 0.3
    unit_retained: float = 0.4
    lower_retained: float = 0.1
    seat_pool: float = 0.0
    rotation_pool: float = 6.0
    rehabilitation_return: float = 0.5

    #: what each field accepts (see :class:`Rule`); values up to 1e6
    RULES: ClassVar[dict[str, Rule]] = {
        **{k: Rule("text") for k in ("network", "host", "centre", "unit", "lower_unit",
                                     "network_director", "centre_director")},
        "portfolios": Rule("number_table", 0.0, 1e6),
        "seat_value": Rule("number", 0.0, 1e6),
        "rotation_value": Rule("number", 0.0, 1e6),
        "unit_retained": Rule("number", 0.0, 1.0),
        "lower_retained": Rule("number", 0.0, 1.0),
        "seat_pool": Rule("number", 0.0, 1e4),
        "rotation_pool": Rule("number", 0.0, 1e4),
        "rehabilitation_return": Rule("number", 0.0, 1.0),
    }

    def __post_init__(self) -> None:
        _check_fields(self, "roles")

    def organisational_roles(self) -> tuple[str, str]:
        return ("host", "centre")


TRAUMA_ROLES = RoleSet(
    network="trauma", host="network host", centre="Major Trauma Centre",
    unit="Trauma Unit", lower_unit="lower-tier unit",
    network_director="Network Medical Director", centre_director="MTC Medical Director",
    portfolios={
        "education and training": 1.0, "research": 1.0, "information governance": 0.6,
        "rehabilitation": 0.8, "paediatrics": 0.8, "critical care": 0.8,
        "pre-hospital": 0.8, "service improvement": 0.6, "transfer course": 0.5,
    },
)

STROKE_ROLES = RoleSet(
    network="stroke", host="network host", centre="Hyper-Acute Stroke Unit",
    unit="Acute Stroke Unit", lower_unit="stroke rehabilitation unit",
    network_director="Network Clinical Director", centre_director="HASU Clinical Lead",
    portfolios={
        "thrombectomy pathway": 1.0, "rehabilitation": 0.9, "education and training": 0.8,
        "audit and data": 0.6, "community stroke care": 0.7, "research": 0.9,
    },
    unit_retained=0.5, lower_retained=0.2,
)

CANCER_ROLES = RoleSet(
    network="cancer", host="network host", centre="Specialist Cancer Centre",
    unit="Cancer Unit", lower_unit="diagnostic centre",
    network_director="Network Medical Director", centre_director="Cancer Centre Director",
    portfolios={
        "tumour site group: lung": 0.9, "tumour site group: colorectal": 0.9,
        "tumour site group: breast": 0.9, "chemotherapy": 0.8, "radiotherapy": 1.0,
        "research": 1.0, "early diagnosis": 0.7, "education and training": 0.8,
    },
    seat_value=0.6, rotation_value=0.4, unit_retained=0.6, lower_retained=0.3,
)


def roles_by_name(name: str) -> RoleSet:
    """The built-in role set of a network type."""
    table = {"trauma": TRAUMA_ROLES, "stroke": STROKE_ROLES, "cancer": CANCER_ROLES}
    if name not in table:
        raise ScenarioError("network", name, f"unknown network type; known: {sorted(table)}",
                            "Use one of the known network types or give 'roles' explicitly")
    return table[name]


def as_tuple(items: Iterable[Any] | None) -> tuple[Any, ...]:
    return tuple(items) if items is not None else ()
