r"""The codebook of the data tables: every table and column, its meaning, unit and measurement.

:data:`CODEBOOK` describes every column of the observed-allocation schema
(:data:`estimation.data.SCHEMA`) and of the long format
(:data:`estimation.longdata.LONG_COLUMNS`): what it means, its unit, and how it
would be measured from documents and interviews. :func:`problems` compares it
with the schema (a test keeps it empty, so the codebook cannot drift from the
code), :func:`markdown` renders it (the documentation's codebook page is this
function's output at build time), and :func:`write_templates` writes the empty
CSV templates shipped with the package (``restrat template DIR``), whose header
rows a test compares with the schema too.

Examples
--------
>>> problems()
[]
>>> CODEBOOK["members"]["weight"].unit
'votes (a whole number)'
>>> TEMPLATES[:3]
('regions', 'organisations', 'doctors')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Column", "CODEBOOK", "TABLES", "TEMPLATES", "problems", "markdown",
           "template_header", "write_templates", "TEMPLATE_DIR"]

#: the folder of the shipped CSV templates (package data)
TEMPLATE_DIR = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Column:
    """One column of the codebook.

    Attributes
    ----------
    meaning : str
        What the value is.
    unit : str
        Its unit or coding.
    measure : str
        How it would be measured from documents and interviews.
    """

    meaning: str
    unit: str
    measure: str


_C = Column
_ID_REGION = _C("The region (or care network) the row belongs to: the opportunity in which "
                "roles were allocated.", "identifier (text)",
                "One id per network reorganisation, e.g. from the commissioning documents "
                "that set the network up.")

#: what each table holds, one sentence
TABLES: dict[str, str] = {
    "regions": "One row per region (care network): its management group's quota and the "
               "network type.",
    "organisations": "One row per organisation of a region (hospitals and the ambulance "
                     "service), with the covariates the model reads.",
    "doctors": "One row per doctor who could hold or influence a network role: employer, "
               "capital, positions and endorsement.",
    "bids": "One row per bid: an organisation that sought the host or the centre (MTC) role.",
    "members": "One row per member of a region's management group (the body that votes on "
               "the allocation), with its whole-number weight.",
    "allocations": "The observed outcome: who became host and centre, and who was appointed "
                   "to the director roles.",
    "votes": "Optional: recorded votes of management-group members on the chosen "
             "configuration.",
    "alternatives": "Optional, written by the package for winner-only data: the sampled "
                    "configurations and their sampling correction.",
    "long": "The long format (AllocationData.from_long): one row per region and "
            "configuration (host, centre), with the chosen flag; organisations, members and "
            "doctors come in their own tables.",
}

CODEBOOK: dict[str, dict[str, Column]] = {
    "regions": {
        "region": _ID_REGION,
        "quota": _C("The weight of supporting votes a decision of the management group "
                    "needs.", "votes, on the members' weight scale",
                    "Terms of reference or standing orders of the network board (e.g. "
                    "'two thirds of the votes' of 15 = 10); interviews with the chair when "
                    "decisions were by consensus (code unanimity as the total weight)."),
        "network": _C("The network type, which sets the shares of trauma work that units "
                      "keep.", "trauma, stroke or cancer",
                      "The network's designation in the commissioning documents."),
        "tier_concentration": _C("Concentration k(c) when two different teaching hospitals "
                                 "hold the two roles (1 when one organisation holds both, 0 "
                                 "when no teaching hospital holds both roles).", "share, 0-1",
                                 "Interviews with district members on whether two teaching "
                                 "hospitals sharing the roles still concentrates power; 0.5 "
                                 "when unknown."),
        "unit_retained": _C("Share of its trauma volume a Trauma Unit keeps after the "
                            "network.", "share, 0-1 (empty: the network type's default)",
                            "Activity data before and after designation (Trauma Audit and "
                            "Research Network reports), or the network's triage protocol."),
        "lower_retained": _C("Share of its trauma volume a lower-tier unit (a hospital too "
                             "small to be a Trauma Unit) keeps.",
                             "share, 0-1 (empty: the network type's default)",
                             "As unit_retained, for local emergency hospitals."),
        "bloc_kind": _C("The kind of organisation the district bloc's members represent "
                        "('any' turns the check off).", "an organisation kind, or any",
                        "Minutes and interviews: who acted together to block concentration."),
        **{f"{k}_pool": _C(f"Number of {what} in the pool of concession roles the network "
                           "director divides among the committee.",
                           "count (empty: the network type's role set" +
                           ("; 0 = one per committee hospital)" if k == "seat" else ")"),
                           "Network organograms and terms of reference after designation.")
           for k, what in (("portfolio", "portfolio leads"), ("seat", "committee seats"),
                           ("rotation", "rotation places at the centre"))},
        **{f"{k}_value": _C(f"Mean value of one {what} to a hospital's doctors.",
                            "value units: hundreds of trauma cases a year (empty: the "
                            "network type's role set)",
                            "Interviews: the work a hospital would give up for the role; a "
                            "stylised input when unknown.")
           for k, what in (("portfolio", "portfolio lead"), ("seat", "committee seat"),
                           ("rotation", "rotation place"))},
        "rehabilitation_return": _C("Share of the patients a hospital transfers away that "
                                    "come back to it for rehabilitation (part of the harm its "
                                    "withdrawal does to the network).",
                                    "share, 0-1 (empty: the network type's default)",
                                    "Network pathway documents; audit of repatriations."),
        "committee_quota": _C("Share of the clinical committee's votes a division of the "
                              "concession pool needs.", "share, (0, 1] (empty: 1, "
                              "unanimity)", "The committee's terms of reference."),
    },
    "organisations": {
        "region": _ID_REGION,
        "organisation": _C("The organisation (hospital trust, ambulance service).",
                           "identifier (text), unique within the region",
                           "Names as in the network's documents."),
        "kind": _C("The kind of organisation.", "teaching, district, non_teaching or "
                   "ambulance", "University affiliation and status from the trust's annual "
                   "report; 'district' for general hospitals, 'non_teaching' for other "
                   "providers."),
        "track_record": _C("Management track record, read for the host bidders (the "
                           "proposer's valuation of a host).", "score, 0-1",
                           "Regulator ratings (e.g. Care Quality Commission 'well-led'), "
                           "financial balance and delivery of past projects, scaled to 0-1; "
                           "interviews with commissioners on the trust's reputation. Needed "
                           "only for host bidders."),
        "performance": _C("Performance against national targets, read for host bidders.",
                          "score, 0-1", "Share of national targets met (waiting times, "
                          "emergency four-hour standard) in the year before the bids. "
                          "Needed only for host bidders."),
        "specialist_breadth": _C("Breadth of the specialist services linked to trauma care, "
                                 "read for centre bidders.", "score, 0-1",
                                 "Share of the services a Major Trauma Centre needs "
                                 "(neurosurgery, cardiothoracic, plastics, interventional "
                                 "radiology...) the hospital runs on site, from its service "
                                 "directory. Needed only for centre bidders."),
        "n_super_specialist": _C("Number of super-specialist services (the Major Trauma "
                                 "Centre's deal breaker), read for centre bidders.",
                                 "count (whole number >= 0)",
                                 "Services commissioned nationally or regionally (e.g. "
                                 "paediatric neurosurgery, burns), from the specialised "
                                 "commissioning lists. Needed only for centre bidders."),
        "trauma_volume": _C("Major-trauma cases the organisation treated in a year before "
                            "the network; with the retained shares it gives the work each "
                            "organisation loses under each configuration.",
                            "cases a year (>= 0; the model works in hundreds)",
                            "Trauma Audit and Research Network submissions, or hospital "
                            "episode statistics coded for major trauma (ISS > 15)."),
        "can_be_trauma_unit": _C("Whether the hospital is large enough to become a Trauma "
                                 "Unit (else it becomes a lower-tier unit).", "true/false "
                                 "(default true)", "The network's designation of units."),
        "practice_elites": _C("The hospital's practice elites who are not opinion leaders "
                              "(doctors who may take rotation places at the centre).",
                              "count (whole number >= 0; default 0)",
                              "Interviews and clinical directories: consultants known for "
                              "their clinical practice rather than management or research."),
        "portfolio_roles": _C("Portfolio leads the hospital holds as concessions, for the "
                              "hospitals on the concession committee (those that lost work, "
                              "neither host nor centre).", "count (empty: not observed)",
                              "Network organograms after designation: who leads each "
                              "portfolio (education, research, rehabilitation...)."),
        "seat_roles": _C("Seats on the Network Clinical Committee the hospital holds, for "
                         "committee hospitals.", "count (empty: not observed)",
                         "Committee membership lists after designation."),
        "rotation_roles": _C("Rotation places at the centre held by the hospital's doctors, "
                             "for committee hospitals.", "count (empty: not observed)",
                             "The centre's rotation rota; interviews on who was offered a "
                             "place."),
    },
    "doctors": {
        "region": _ID_REGION,
        "doctor": _C("The doctor.", "identifier (text), unique within the region",
                     "Pseudonymised names from the fieldwork."),
        "organisation": _C("The doctor's employer.", "an organisation of the region",
                           "Staff lists, the General Medical Council register."),
        "cultural": _C("Cultural capital: expertise, research and education.",
                       "score >= 0 (0-1 is the usual scale)",
                       "Publications (e.g. h-index or papers in five years), grants, "
                       "academic titles and teaching posts, scaled within the region."),
        "social": _C("Social capital: the networks a doctor can mobilise.",
                     "score >= 0 (0-1 is the usual scale)",
                     "National posts and committees (royal colleges, national clinical "
                     "directors, guideline groups), from CVs and committee lists; "
                     "interviews naming who colleagues turn to."),
        "symbolic": _C("Symbolic capital: recognised prestige.",
                       "score >= 0 (0-1 is the usual scale)",
                       "Honours and awards (national clinical excellence awards, "
                       "honours lists), invited lectures; reputation in interviews."),
        "multiplex": _C("A multiplex elite: active in two or more domains (clinical "
                        "practice, research and education, policy).", "true/false",
                        "Positions held at once in several domains, from CVs and "
                        "committee lists."),
        "endorsed": _C("Whether the doctor had the tacit endorsement of the opinion "
                       "leaders.", "true/false", "Interviews (who the opinion leaders "
                       "backed), letters of support, minutes."),
        "opinion_leader": _C("An opinion leader without a formal role: endorses, is never a "
                             "candidate.", "true/false (default false)",
                             "Interviews: doctors named as influential who held no "
                             "network post and did not apply."),
    },
    "bids": {
        "region": _ID_REGION,
        "organisation": _C("The bidding organisation.", "an organisation of the region",
                           "Expressions of interest and bids in the procurement or "
                           "designation documents."),
        "role": _C("The role bid for.", "host or centre",
                   "As organisation: a bid for the network host, or for Major Trauma "
                   "Centre status."),
    },
    "members": {
        "region": _ID_REGION,
        "member": _C("A member of the management group (the network board).",
                     "identifier (text), unique within the region",
                     "Board membership in the terms of reference and minutes."),
        "organisation": _C("The organisation the member represents.",
                           "an organisation of the region (empty for commissioners)",
                           "Terms of reference."),
        "weight": _C("The member's votes.", "votes (a whole number)",
                     "Terms of reference (one member one vote = 1; weighted votes as "
                     "written; scale fractional weights to whole numbers with the quota)."),
        "bloc": _C("Member of the district bloc.", "true/false (default false)",
                   "Minutes and interviews: members who acted together against "
                   "concentration."),
    },
    "allocations": {
        "region": _ID_REGION,
        "role": _C("The role allocated.", "host, centre, network_director or "
                   "centre_director", "The designation letter and appointment "
                   "announcements."),
        "holder": _C("Who holds it: an organisation for host and centre, a doctor for the "
                     "director roles.", "an organisation or doctor of the region",
                     "As role."),
    },
    "votes": {
        "region": _ID_REGION,
        "member": _C("The member who voted.", "a member of the region's management group",
                     "Minutes with recorded votes."),
        "vote": _C("The vote on the chosen configuration.", "1 = support, 0 = against",
                   "Recorded votes in the minutes; interviews when the vote was not "
                   "recorded (members without a row are integrated out)."),
    },
    "alternatives": {
        "region": _ID_REGION,
        "host": _C("The host of a sampled configuration.", "a host bidder",
                   "Drawn by the package (AllocationData.from_long(..., sample=R))."),
        "centre": _C("The centre of a sampled configuration.", "a centre bidder",
                     "As host."),
        "offset": _C("McFadden's sampling correction, log(times drawn) - log(sampling "
                     "probability).", "log scale", "Computed by the package."),
    },
    "long": {
        "region": _ID_REGION,
        "host": _C("The host of this configuration (the alternative).",
                   "an organisation of the region", "The bids for host."),
        "centre": _C("The centre (Major Trauma Centre) of this configuration.",
                     "an organisation of the region", "The bids for centre."),
        "chosen": _C("Whether this configuration was the one adopted.",
                     "1 = chosen, 0 = not (exactly one 1 per region)",
                     "The designation letter."),
        "quota": _C("As regions.quota (constant within a region).",
                    "votes, on the members' weight scale", "As regions.quota."),
        "total_weight": _C("The total votes (seats) of the management group, checked "
                           "against the sum of the members' weights.", "votes",
                           "Terms of reference (number of seats and their votes)."),
        "network": _C("As regions.network.", "trauma, stroke or cancer", "As regions."),
        "tier_concentration": _C("As regions.tier_concentration.", "share, 0-1",
                                 "As regions."),
        "unit_retained": _C("As regions.unit_retained.", "share, 0-1", "As regions."),
        "lower_retained": _C("As regions.lower_retained.", "share, 0-1", "As regions."),
        "bloc_kind": _C("As regions.bloc_kind.", "an organisation kind, or any",
                        "As regions."),
        **{c: _C(f"As regions.{c} (constant within a region).",
                 "as regions", "As regions.")
           for c in ("portfolio_pool", "seat_pool", "rotation_pool", "portfolio_value",
                     "seat_value", "rotation_value", "rehabilitation_return",
                     "committee_quota")},
        "network_director": _C("The doctor appointed network director (read on the chosen "
                               "row).", "a doctor of the host", "Appointment announcements."),
        "centre_director": _C("The doctor appointed centre director (read on the chosen "
                              "row).", "a doctor of the centre",
                              "Appointment announcements."),
        "host_track_record": _C("The host's track_record (organisations).", "score, 0-1",
                                "As organisations.track_record."),
        "host_performance": _C("The host's performance (organisations).", "score, 0-1",
                               "As organisations.performance."),
        "centre_breadth": _C("The centre's specialist_breadth (organisations).",
                             "score, 0-1", "As organisations.specialist_breadth."),
        "centre_super": _C("The centre's n_super_specialist (organisations).", "count",
                           "As organisations.n_super_specialist."),
    },
}

#: the tables of the templates, in the order written (``long`` last)
TEMPLATES = ("regions", "organisations", "doctors", "bids", "members", "allocations",
             "votes", "long")


def _schema() -> dict[str, list[str]]:
    from .data import SCHEMA
    from .longdata import LONG_COLUMNS

    out = {t: list(cols) for t, cols in SCHEMA.items()}
    out["long"] = list(LONG_COLUMNS)
    return out


def problems() -> list[str]:
    """Differences between :data:`CODEBOOK` and the schema in code (empty: none).

    Examples
    --------
    >>> problems()
    []
    """
    out = []
    schema = _schema()
    for t, cols in schema.items():
        if t not in CODEBOOK:
            out.append(f"table {t!r} is in the schema but not in the codebook: add it to "
                       "estimation/codebook.py")
            continue
        if t not in TABLES:
            out.append(f"table {t!r} has no description in TABLES")
        for c in cols:
            if c not in CODEBOOK[t]:
                out.append(f"column {t}.{c} is in the schema but not in the codebook: add "
                           "it to CODEBOOK in estimation/codebook.py")
        for c in CODEBOOK[t]:
            if c not in cols:
                out.append(f"column {t}.{c} is in the codebook but not in the schema")
        if list(CODEBOOK[t]) != [c for c in cols if c in CODEBOOK[t]]:
            out.append(f"table {t!r}: the codebook lists the columns in another order than "
                       "the schema")
    for t in CODEBOOK:
        if t not in schema:
            out.append(f"table {t!r} is in the codebook but not in the schema")
    return out


def _required() -> dict[str, dict[str, str]]:
    from .data import SCHEMA
    from .longdata import LONG_COLUMNS

    out: dict[str, dict[str, str]] = {}
    for t, cols in SCHEMA.items():
        out[t] = {c: ("required" if req else "optional") for c, (_, req, _) in cols.items()}
    out["long"] = {c: ("required" if req else "optional")
                   for c, (_, req) in LONG_COLUMNS.items()}
    return out


def markdown(heading_level: int = 2) -> str:
    """The codebook as Markdown: one section per table, one row per column.

    Examples
    --------
    >>> print(markdown().splitlines()[0])
    ## regions
    """
    h = "#" * heading_level
    req = _required()
    lines = []
    for t in TEMPLATES + tuple(t for t in CODEBOOK if t not in TEMPLATES):
        lines += [f"{h} {t}", "", TABLES[t], "",
                  "| column | | meaning | unit | how it is measured |",
                  "|---|---|---|---|---|"]
        for c, col in CODEBOOK[t].items():
            cells = [f"`{c}`", req[t][c], col.meaning, col.unit, col.measure]
            lines.append("| " + " | ".join(x.replace("|", "/") for x in cells) + " |")
        lines.append("")
    return "\n".join(lines)


def template_header(table: str) -> list[str]:
    """The header row of a table's template: the schema's columns."""
    return _schema()[table]


def write_templates(folder: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Copy the shipped empty CSV templates (one per table, and ``long.csv``) to *folder*.

    Refuses to replace an existing file unless *overwrite*; nothing is written
    then.

    Raises
    ------
    gametheory.errors.OutputPathError
        A template file exists already (all are named), or *folder* cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in write_templates(d)][-2:]
    ['votes.csv', 'long.csv']
    """
    from gametheory.errors import OutputPathError
    from gametheory.fileio import atomic_write_bytes, check_output_target

    out = check_output_target(folder, name="DIR", kind="folder", overwrite=True,
                              allow_nonempty=True)
    targets = [out / f"{t}.csv" for t in TEMPLATES]
    there = [p.name for p in targets if p.exists()]
    if there and not overwrite:
        raise OutputPathError("DIR", str(out), f"already holds {', '.join(there)}",
                              "Choose an empty folder, or pass --overwrite to replace them")
    for t, p in zip(TEMPLATES, targets, strict=True):
        atomic_write_bytes(p, (TEMPLATE_DIR / f"{t}.csv").read_bytes())
    return targets
