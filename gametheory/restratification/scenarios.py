"""Built-in scenarios: the case region, its counterfactuals, other networks, random regions.

Each scenario is a function returning a :class:`~.region.Region` whose
``description`` says what it represents and whose ``expectations`` say what
running it should show. :func:`load` takes a scenario name or a path to a
scenario file; :func:`names` lists them.

The case region encodes the ethnographic study in ``shared/case-study.txt``:
a trauma network for about three million people with two teaching hospitals
(one employing the paediatric and neurological super-specialists), six
district hospitals (one too small to be a trauma unit), a non-teaching care
provider that bids only to host, and an ambulance service. Covariate values
are stylised on a 0-1 scale from the study's descriptions (the study reports
no numbers): the teaching hospitals are "widely regarded as comparable" on
management; the non-teaching provider is slightly weaker on paper but seen
as neutral.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from .actors import (
    CANCER_ROLES,
    STROKE_ROLES,
    Bid,
    Doctor,
    Member,
    Organisation,
    ScenarioError,
    ScenarioProblem,
)
from .region import Region

__all__ = ["names", "load", "describe", "stylised", "case_region", "random_region", "SCENARIOS"]

TH1 = "Northgate Teaching Hospital"
TH2 = "Southfield Teaching Hospital"
NT = "Riverside Care Trust"
AMB = "Regional Ambulance Service"
DISTRICTS = [
    ("Ashby District Hospital", 420, 0.45, True),
    ("Brookvale District Hospital", 380, 0.55, True),
    ("Castleton District Hospital", 300, 0.40, True),
    ("Dunmore District Hospital", 260, 0.35, True),
    ("Eastwick District Hospital", 220, 0.30, True),
    ("Fenwick Community Hospital", 90, 0.15, False),     # too small to be a trauma unit
]


#: clinical services of the district hospitals (assumed: the study names rehabilitation,
#: paediatrics and critical care leads held in district hospitals, not which)
DISTRICT_SERVICES = {
    "Ashby District Hospital": {"critical care", "paediatrics"},
    "Brookvale District Hospital": {"critical care", "rehabilitation"},
    "Castleton District Hospital": {"rehabilitation"},
    "Dunmore District Hospital": {"paediatrics"},
    "Eastwick District Hospital": set(),
    "Fenwick Community Hospital": {"rehabilitation"},
}
#: narrow clinical domains of the district surgeons (assumed)
SURGEON_SPECIALTIES = {"Ashby": ("critical care", "paediatrics"), "Brookvale": ("rehabilitation",
                                                                             "critical care"),
                       "Castleton": ("rehabilitation",), "Dunmore": ("paediatrics",),
                       "Eastwick": ()}

#: the case's inputs that are stylised rather than measured (the study reports no numbers)
CASE_STYLISED = {
    "management_group": "16 votes (commissioners 4, each teaching hospital 2, every other "
                        "organisation 1) and a quota of 11 (about two thirds): invented, the "
                        "study reports no votes",
    "organisations covariates": "track record, performance and specialist breadth on a 0-1 "
                                "scale from the study's descriptions",
    "organisations.trauma_volume": "cases a year before the network: assumed",
    "organisations.services": "which district hospital runs which clinical service: assumed",
    "doctors": "capital on a 0-1 scale, domains and specialties from the study's "
               "descriptions; how many practice elites each district has: assumed",
    "roles values": "a portfolio lead 0.5-1.0, a committee seat 0.5 and a rotation place 0.3 "
                    "value units (hundreds of trauma cases a year): assumed",
    "roles pool": "the nine portfolios are the study's; six rotation places a year and one "
                  "seat per committee hospital: assumed",
    "roles.unit_retained/lower_retained": "a trauma unit keeps 40% of its trauma work, a "
                                          "lower-tier unit 10%: assumed",
    "roles.rehabilitation_return": "half the transferred patients come back for "
                                   "rehabilitation: assumed",
}


def _case_organisations() -> list[Organisation]:
    orgs = [
        Organisation(TH1, "teaching", track_record=0.80, performance=0.75,
                     specialist_breadth=0.90, super_specialist={"paediatrics", "neurology"},
                     size=1400, trauma_volume=900,
                     services={"critical care", "rehabilitation", "paediatrics"}),
        Organisation(TH2, "teaching", track_record=0.80, performance=0.72,
                     specialist_breadth=0.85, super_specialist=(), size=1200,
                     trauma_volume=800,
                     services={"critical care", "rehabilitation", "paediatrics"}),
        Organisation(NT, "non_teaching", track_record=0.74, performance=0.72,
                     specialist_breadth=0.20, size=300, trauma_volume=0,
                     services={"rehabilitation"}),
        Organisation(AMB, "ambulance", track_record=0.6, performance=0.6,
                     specialist_breadth=0.0, size=0, trauma_volume=0),
    ]
    for name, vol, breadth, tu in DISTRICTS:
        orgs.append(Organisation(name, "district", track_record=0.55, performance=0.6,
                                 specialist_breadth=breadth, size=vol, trauma_volume=vol,
                                 can_be_trauma_unit=tu, services=DISTRICT_SERVICES[name]))
    return orgs


def _case_doctors() -> list[Doctor]:
    docs = [
        # Teaching Hospital 1: the MTC's director-to-be, practice elites and opinion leaders
        Doctor("Dr Hale", TH1, 0.85, 0.80, 0.80,
               {"practice", "research_education", "policy"}, endorsed=True),
        Doctor("Dr Iqbal", TH1, 0.90, 0.75, 0.85, {"practice", "research_education"},
               endorsed=False),
        Doctor("Prof Okafor", TH1, 0.95, 0.90, 0.95,
               {"practice", "research_education", "policy"}, opinion_leader=True),
        Doctor("Prof Lindqvist", TH1, 0.90, 0.85, 0.90, {"research_education", "policy"},
               opinion_leader=True),
        Doctor("Dr Moss", TH1, 0.60, 0.40, 0.50, {"practice"}),
        # Teaching Hospital 2
        Doctor("Dr Reyes", TH2, 0.85, 0.80, 0.75, {"practice", "research_education"},
               endorsed=True),
        Doctor("Dr Achebe", TH2, 0.70, 0.85, 0.70, {"practice", "policy"}),
        Doctor("Dr Novak", TH2, 0.55, 0.40, 0.45, {"practice"}),
        # the non-teaching provider: a world-leading figurehead ("wrote the book")
        Doctor("Prof Alan Marsh", NT, 0.95, 0.95, 0.95,
               {"practice", "research_education", "policy"}, endorsed=True),
        Doctor("Dr Chen", NT, 0.50, 0.45, 0.40, {"practice"}),
        Doctor("Dr Wendy Pike", AMB, 0.40, 0.50, 0.40, {"practice"}),
    ]
    elites = {"Ashby District Hospital": 2, "Brookvale District Hospital": 2,
              "Castleton District Hospital": 1, "Dunmore District Hospital": 1,
              "Eastwick District Hospital": 1, "Fenwick Community Hospital": 0}
    for k, (name, _, _, _) in enumerate(DISTRICTS):
        short = name.split()[0]
        docs.append(Doctor(f"Dr {short} (clinical director)", name, 0.55, 0.55, 0.45,
                           {"practice", "policy"}, clinical_lead=True))
        spec = SURGEON_SPECIALTIES.get(short, ())
        for j in range(elites[name]):
            docs.append(Doctor(f"Dr {short} surgeon {j + 1}", name, 0.65 - 0.02 * k, 0.35,
                               0.40, {"practice"},
                               specialties={spec[j]} if j < len(spec) else frozenset()))
        docs.append(Doctor(f"Dr {short} consultant", name, 0.35, 0.30, 0.30, {"practice"}))
    return docs


def _case_group() -> tuple[list[Member], float]:
    members = [
        Member("Regional commissioners", 4, None),
        Member(f"{TH1} representative", 2, TH1),
        Member(f"{TH2} representative", 2, TH2),
        Member(f"{NT} representative", 1, NT),
        Member(f"{AMB} representative", 1, AMB),
    ]
    for name, *_ in DISTRICTS:
        members.append(Member(f"{name} representative", 1, name, bloc=True))
    return members, 11.0      # 16 votes in all; decisions need 11 (about two thirds)


def case_region() -> Region:
    """The case region of the ethnographic study (see the module docstring)."""
    members, quota = _case_group()
    return Region(
        name="case-region",
        description=("The trauma network of the case study: about three million people, two "
                     "teaching hospitals (Northgate has the paediatric and neurological "
                     "super-specialists), six district hospitals (Fenwick too small to be a "
                     "trauma unit), a non-teaching provider bidding only to host, and an "
                     "ambulance service. Both teaching hospitals bid for host and MTC."),
        population=3_000_000,
        organisations=_case_organisations(),
        doctors=_case_doctors(),
        bids=[Bid(TH1, "host"), Bid(TH1, "centre"), Bid(TH2, "host"), Bid(TH2, "centre"),
              Bid(NT, "host")],
        management_group=members,
        quota=quota,
        expectations={
            "concentrated_blocked_by_bloc": True,
            "host": NT,
            "centre": TH1,
            "directors_multiplex": True,
            "host_and_centre_get_no_concessions": True,
            "portfolio_leads_fit_services": True,
        },
        stylised=CASE_STYLISED,
    )


def one_teaching_hospital() -> Region:
    """Counterfactual: only one teaching hospital (Southfield merged away)."""
    base = case_region()
    members, quota = _case_group()
    members = [m for m in members if m.organisation != TH2]
    return replace(
        base, name="one-teaching-hospital",
        description="The case region with a single teaching hospital bidding for both roles.",
        organisations=[o for o in base.organisations if o.name != TH2],
        doctors=[d for d in base.doctors if d.employer != TH2],
        bids=[b for b in base.bids if b.organisation != TH2],
        management_group=members, quota=quota - 1.0,
        expectations={"host": NT, "centre": TH1, "concentrated_blocked_by_bloc": True})


def weak_districts() -> Region:
    """Counterfactual: district representatives hold too little weight to block."""
    base = case_region()
    members = [replace(m, weight=0.0) if m.bloc else m for m in base.management_group]
    total = sum(m.weight for m in members)
    return replace(
        base, name="weak-districts",
        description=("The case region with the district representatives sitting in an "
                     "advisory capacity (no votes) and decisions by simple majority: the "
                     "district bloc has no power, cannot block the concentrated allocation, "
                     "and Northgate takes both roles."),
        management_group=members, quota=round(total / 2 + 0.05, 2),
        expectations={"host": TH1, "centre": TH1, "concentrated_blocked_by_bloc": False,
                      "district_packages_smaller_than_in_case": True},
        stylised={**base.stylised, "management_group": "the case's group with the district "
                  "representatives' votes set to 0 and a simple majority: a counterfactual"})


def scarce_roles() -> Region:
    """Counterfactual: the network has few roles to hand out (built to be unstable)."""
    base = case_region()
    roles = replace(base.roles, portfolios={"education and training": 1.0,
                                            "service improvement": 0.6},
                    seat_pool=2.0, rotation_pool=0.0)
    return replace(
        base, name="scarce-roles", roles=roles,
        description=("The case region with only two portfolio leads, two committee seats and "
                     "no rotation places to offer: the pool cannot give every coalition of "
                     "losing hospitals what its withdrawal would cost the network, so the "
                     "concessions are not stable."),
        expectations={"host": NT, "centre": TH1, "concessions_stable": False},
        stylised={**base.stylised, "roles pool": "two portfolios, two seats, no rotation "
                  "places: a counterfactual built to be unstable"})


def no_neutral_bidder() -> Region:
    """Counterfactual: the non-teaching provider does not bid to host."""
    base = case_region()
    return replace(
        base, name="no-neutral-bidder",
        description="The case region without the non-teaching provider's bid to host.",
        bids=[b for b in base.bids if b.organisation != NT],
        expectations={"host": TH2, "centre": TH1, "concentrated_blocked_by_bloc": True})


def stroke_network() -> Region:
    """The case region's hospitals organising a stroke network (HASU instead of MTC)."""
    base = case_region()
    orgs = [replace(o, super_specialist=({"interventional neuroradiology"}
                                         if o.name == TH2 else frozenset()))
            for o in base.organisations]
    return replace(
        base, name="stroke-network", roles=STROKE_ROLES, organisations=orgs,
        description=("A stroke network in the same region: Southfield has interventional "
                     "neuroradiology (thrombectomy), so it should become the Hyper-Acute "
                     "Stroke Unit."),
        expectations={"centre": TH2, "concentrated_blocked_by_bloc": True})


def cancer_network() -> Region:
    """The case region's hospitals organising a cancer network."""
    base = case_region()
    orgs = [replace(o, super_specialist=({"radiotherapy", "stem-cell transplant"}
                                         if o.name == TH1 else {"radiotherapy"}
                                         if o.name == TH2 else frozenset()))
            for o in base.organisations]
    return replace(
        base, name="cancer-network", roles=CANCER_ROLES, organisations=orgs,
        description="A cancer network in the same region with a Specialist Cancer Centre.",
        expectations={"centre": TH1, "concentrated_blocked_by_bloc": True})


def random_region(seed: int | np.random.Generator | None = 0, n_districts: int | None = None,
                  n_teaching: int | None = None, neutral_bidder: bool | None = None,
                  name: str | None = None, n_organisations: int | None = None) -> Region:
    """A random region drawn from a documented generator.

    Organisations: 1-3 teaching hospitals (covariates U(0.6, 0.95), 0-2
    super-specialist services), 3-8 district hospitals (volume U(80, 500),
    those under 120 cases too small to be trauma units), a non-teaching
    provider bidding to host with probability 0.7, an ambulance service.
    Doctors: 2-4 per hospital with capital U(0, 1) and random domains;
    candidate doctors at bidders always exist. Management group:
    commissioners weight 3-5, teaching hospitals 2, others 1, quota two
    thirds of the total weight.

    Parameters
    ----------
    seed : int or numpy Generator
        Same seed, same region.
    n_districts, n_teaching : int, optional
        Fix the numbers instead of drawing them.
    neutral_bidder : bool, optional
        Force the non-teaching bid on or off.
    n_organisations : int, optional
        Total size of the region (at least 4): one teaching hospital per 20
        organisations (at least one), a non-teaching provider, an ambulance
        service and district hospitals for the rest. Overrides
        ``n_teaching`` and ``n_districts``. A region holds at most
        :data:`MAX_RANDOM_ORGANISATIONS` (1000) organisations; every
        argument is checked (whole numbers in range, true/false) and every
        problem reported at once.

    Examples
    --------
    >>> r = random_region(3, n_organisations=40)
    >>> len(r.organisations), len(r.management_group)
    (40, 41)
    """
    _random_region_checks(seed, n_districts, n_teaching, neutral_bidder, name, n_organisations)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    if n_organisations is not None:
        n_teaching = max(1, round(n_organisations / 20))
        n_districts = n_organisations - n_teaching - 2
    nt = int(n_teaching if n_teaching is not None else rng.integers(1, 4))
    nd = int(n_districts if n_districts is not None else rng.integers(3, 9))
    if nt + nd + 2 > MAX_RANDOM_ORGANISATIONS:
        raise ScenarioError("n_teaching + n_districts", nt + nd, f"gives {nt + nd + 2} "
                            f"organisations, more than {MAX_RANDOM_ORGANISATIONS}",
                            "Ask for a smaller region")
    neutral = bool(rng.random() < 0.7) if neutral_bidder is None else bool(neutral_bidder)
    services = ["paediatrics", "neurology"]
    orgs: list[Organisation] = []
    docs: list[Doctor] = []
    all_domains = ["practice", "research_education", "policy"]

    def add_doctors(org: str, k: int, lo: float) -> None:
        for j in range(k):
            nd_ = int(rng.integers(1, 4))
            doms = set(rng.choice(all_domains, size=nd_, replace=False).tolist())
            cap = rng.uniform(lo, 1.0, size=3)
            docs.append(Doctor(f"{org} doctor {j + 1}", org, *cap.round(3), domains=doms,
                               opinion_leader=bool(j > 0 and rng.random() < 0.15),
                               endorsed=bool(rng.random() < 0.4)))

    for t in range(nt):
        name_t = f"Teaching {t + 1}"
        ns = int(rng.integers(0, 3))
        orgs.append(Organisation(name_t, "teaching", *rng.uniform(0.6, 0.95, size=3).round(3),
                                 super_specialist=set(services[:ns]),
                                 size=float(rng.integers(800, 1600)),
                                 trauma_volume=float(rng.integers(500, 1000))))
        add_doctors(name_t, int(rng.integers(2, 5)), 0.3)
    for d in range(nd):
        vol = float(rng.integers(80, 500))
        name_d = f"District {d + 1}"
        orgs.append(Organisation(name_d, "district", *rng.uniform(0.3, 0.7, size=3).round(3),
                                 size=vol, trauma_volume=vol, can_be_trauma_unit=vol >= 120))
        add_doctors(name_d, int(rng.integers(2, 4)), 0.0)
    orgs.append(Organisation("Neutral Provider", "non_teaching",
                             *rng.uniform(0.5, 0.85, size=2).round(3), 0.2))
    add_doctors("Neutral Provider", 2, 0.3)
    orgs.append(Organisation("Ambulance Service", "ambulance", 0.6, 0.6, 0.0))
    bids = []
    for t in range(nt):
        bids += [Bid(f"Teaching {t + 1}", "host"), Bid(f"Teaching {t + 1}", "centre")]
    if neutral:
        bids.append(Bid("Neutral Provider", "host"))
    # make sure every bidder has a candidate
    for b in bids:
        if not any(d.employer == b.organisation and not d.opinion_leader for d in docs):
            docs.append(Doctor(f"{b.organisation} candidate", b.organisation, 0.5, 0.5, 0.5))
    members = [Member("Commissioners", float(rng.integers(3, 6)))]
    members += [Member(f"{o.name} rep", 2.0 if o.kind == "teaching" else 1.0, o.name,
                       bloc=o.kind == "district") for o in orgs]
    total = sum(m.weight for m in members)
    return Region(
        name=name or f"random-region-{seed if isinstance(seed, int) else 'rng'}",
        description=f"Random region ({nt} teaching, {nd} district hospitals, "
                    f"neutral bidder: {neutral}) from random_region().",
        organisations=orgs, doctors=docs, bids=bids, management_group=members,
        quota=round(2 * total / 3, 3), population=float(rng.integers(500_000, 4_000_000)))


#: Largest random region (organisations); running the model on one takes about 10 s.
MAX_RANDOM_ORGANISATIONS = 1000
#: Options of ``random-region`` (the arguments of :func:`random_region`).
RANDOM_REGION_OPTIONS = ("seed", "n_districts", "n_teaching", "neutral_bidder", "name",
                         "n_organisations")


def _random_region_checks(seed: Any, n_districts: Any, n_teaching: Any, neutral_bidder: Any,
                          name: Any, n_organisations: Any) -> None:
    """Every problem with :func:`random_region`'s arguments, at once."""
    probs: list[ScenarioProblem] = []

    def whole(arg: str, v: Any, lo: int, hi: int) -> None:
        if v is None:
            return
        if isinstance(v, bool | np.bool_) or not isinstance(v, int | np.integer):
            probs.append(ScenarioProblem(arg, v, "is not a whole number",
                                         f"Give an integer in [{lo}, {hi}]"))
        elif not lo <= int(v) <= hi:
            probs.append(ScenarioProblem(arg, v, f"is outside [{lo}, {hi}]",
                                         f"Give an integer in [{lo}, {hi}]"))

    if not isinstance(seed, np.random.Generator):
        whole("seed", seed, 0, 2**128 - 1)
    whole("n_districts", n_districts, 0, MAX_RANDOM_ORGANISATIONS - 3)
    whole("n_teaching", n_teaching, 1, MAX_RANDOM_ORGANISATIONS - 2)
    whole("n_organisations", n_organisations, 4, MAX_RANDOM_ORGANISATIONS)
    if neutral_bidder is not None and not isinstance(neutral_bidder, bool | np.bool_):
        probs.append(ScenarioProblem("neutral_bidder", neutral_bidder, "is not true/false",
                                     "Give true, false or leave it out (drawn)"))
    if name is not None and (not isinstance(name, str) or not name.strip()):
        probs.append(ScenarioProblem("name", name, "is not a non-empty string",
                                     "Give a name or leave it out"))
    if probs:
        raise ScenarioError.collect(probs, "random_region")


SCENARIOS: dict[str, Callable[[], Region]] = {
    "case-region": case_region,
    "one-teaching-hospital": one_teaching_hospital,
    "weak-districts": weak_districts,
    "scarce-roles": scarce_roles,
    "no-neutral-bidder": no_neutral_bidder,
    "stroke-network": stroke_network,
    "cancer-network": cancer_network,
    "random-region": lambda: random_region(0),
}


def names() -> list[str]:
    """Names of the built-in scenarios."""
    return list(SCENARIOS)


def describe() -> list[tuple[str, str]]:
    """(name, description) of every built-in scenario."""
    return [(k, f().description) for k, f in SCENARIOS.items()]


def stylised(name: str) -> dict[str, str]:
    """The stylised (assumed, not measured) inputs of a built-in scenario."""
    if name not in SCENARIOS:
        raise ScenarioError("scenario", name, "unknown scenario name", f"Use one of {names()}")
    return dict(SCENARIOS[name]().stylised)


def load(name_or_path: str | Path, **kwargs: Any) -> Region:
    """A built-in scenario by name (``random-region`` takes ``seed=``) or a scenario file."""
    key = str(name_or_path)
    if key == "random-region":
        bad = [k for k in kwargs if k not in RANDOM_REGION_OPTIONS]
        if bad:
            raise ScenarioError("options", bad, "unknown option(s) of random-region",
                                f"Use any of {list(RANDOM_REGION_OPTIONS)}")
        return random_region(**kwargs)
    if kwargs:
        raise ScenarioError("kwargs", kwargs, f"scenario {key!r} takes no options",
                            "Drop the options (only random-region takes seed=...)")
    if key in SCENARIOS:
        return SCENARIOS[key]()
    p = Path(key)
    if p.suffix.lower() in (".toml", ".json", ".yaml", ".yml") or p.exists():
        return Region.from_file(p)
    raise ScenarioError("scenario", key, "unknown scenario name and not a scenario file",
                        f"Use one of {names()} (restrat list) or a .toml/.json/.yaml path")
