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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError

__all__ = [
    "KINDS",
    "DOMAINS",
    "ScenarioError",
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


class ScenarioError(InvalidArgumentError):
    """A region or scenario description is invalid (names the field and the fix)."""


def _num(value: Any, field_name: str, *, lo: float | None = 0.0, hi: float | None = None) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ScenarioError(field_name, value, "not a number", "Give a finite number") from None
    if not np.isfinite(x):
        raise ScenarioError(field_name, value, "not finite", "Give a finite number")
    if lo is not None and x < lo:
        raise ScenarioError(field_name, value, f"must be >= {lo:g}",
                            f"Give a value of at least {lo:g}")
    if hi is not None and x > hi:
        raise ScenarioError(field_name, value, f"must be <= {hi:g}",
                            f"Give a value of at most {hi:g}")
    return x


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

    def __post_init__(self) -> None:
        where = f"organisations[{self.name!r}]"
        if not isinstance(self.name, str) or not self.name:
            raise ScenarioError("organisations.name", self.name, "missing or not a string",
                                "Give every organisation a non-empty name")
        if self.kind not in KINDS:
            raise ScenarioError(f"{where}.kind", self.kind, f"unknown kind; known: {KINDS}",
                                "Use one of the known kinds")
        for attr in ("track_record", "performance", "specialist_breadth"):
            object.__setattr__(self, attr, _num(getattr(self, attr), f"{where}.{attr}",
                                                lo=0.0, hi=1.0))
        for attr in ("size", "trauma_volume"):
            object.__setattr__(self, attr, _num(getattr(self, attr), f"{where}.{attr}"))
        ss = self.super_specialist
        if isinstance(ss, str):
            ss = (ss,)
        object.__setattr__(self, "super_specialist", frozenset(ss))
        object.__setattr__(self, "can_be_trauma_unit", bool(self.can_be_trauma_unit))

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
    """

    name: str
    employer: str
    cultural: float = 0.0
    social: float = 0.0
    symbolic: float = 0.0
    domains: frozenset[str] = field(default_factory=lambda: frozenset({"practice"}))
    opinion_leader: bool = False
    endorsed: bool = False

    def __post_init__(self) -> None:
        where = f"doctors[{self.name!r}]"
        if not isinstance(self.name, str) or not self.name:
            raise ScenarioError("doctors.name", self.name, "missing or not a string",
                                "Give every doctor a non-empty name")
        for attr in ("cultural", "social", "symbolic"):
            val = getattr(self, attr)
            try:
                neg = float(val) < 0
            except (TypeError, ValueError):
                neg = False
            if neg:
                raise ScenarioError(f"{where}.{attr}", val, "capital cannot be negative",
                                    "Give capital on a non-negative scale (e.g. 0-1)")
            object.__setattr__(self, attr, _num(val, f"{where}.{attr}"))
        doms = self.domains
        if isinstance(doms, str):
            doms = (doms,)
        doms = frozenset(doms)
        bad = doms - set(DOMAINS)
        if bad:
            raise ScenarioError(f"{where}.domains", sorted(bad), f"unknown domains; known: "
                                f"{DOMAINS}", "Use the known domain names")
        object.__setattr__(self, "domains", doms)
        object.__setattr__(self, "opinion_leader", bool(self.opinion_leader))
        object.__setattr__(self, "endorsed", bool(self.endorsed))

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


@dataclass(frozen=True)
class Member:
    """A member of the regional management group.

    Attributes
    ----------
    name : str
    weight : float
        Voting weight.
    organisation : str or None
        The organisation the member represents (None for commissioners).
    bloc : bool
        Member of the district bloc (acts as one collective).
    """

    name: str
    weight: float
    organisation: str | None = None
    bloc: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "weight", _num(self.weight,
                                                f"management_group[{self.name!r}].weight"))


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
        Subordinate portfolio roles and their values (in loss units).
    seat_value : float
        Value of a Network Clinical Committee seat.
    rotation_value : float
        Value of one rotation place at the centre.
    unit_retained, lower_retained : float
        Share of its previous specialist volume a unit / lower-tier unit keeps.
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

    def __post_init__(self) -> None:
        ports = dict(self.portfolios)
        for k, v in ports.items():
            ports[k] = _num(v, f"roles.portfolios[{k!r}]")
        object.__setattr__(self, "portfolios", ports)
        for attr in ("seat_value", "rotation_value"):
            object.__setattr__(self, attr, _num(getattr(self, attr), f"roles.{attr}"))
        for attr in ("unit_retained", "lower_retained"):
            object.__setattr__(self, attr, _num(getattr(self, attr), f"roles.{attr}",
                                                lo=0.0, hi=1.0))

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
