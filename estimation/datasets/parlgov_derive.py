r"""Derive the bundled government-formation data from the raw ParlGov files.

The package ships only a derived subset of the ParlGov development version
(Döring, Quaas, Hesse and Manow 2023, *Parliaments and governments database
(ParlGov)*): one row per formation opportunity, one row per party with seats
in that opportunity's parliament, and one row per cabinet left out with the
reason. This module is the script that makes those three files from the raw
``view_cabinet.csv`` and ``view_party.csv``; run it as

    python -m estimation.datasets.parlgov_derive RAW_DIR [OUT_DIR]

(``OUT_DIR`` defaults to ``estimation/datasets/parlgov``). A test re-derives
the files from a raw excerpt of a few countries and checks they equal the
shipped rows of those countries.

Rules (each cabinet of ``view_cabinet.csv`` is one candidate opportunity):

* **Opportunity.** Every cabinet that is not a caretaker cabinet is a
  formation opportunity (ParlGov records a new cabinet after each election and
  whenever the prime minister or the party composition changes).
  Caretaker cabinets (``caretaker == 1``) are excluded and listed.
* **Parties.** The parliament is the cabinet's row set: the parties and seats
  of the election before it. Aggregates that are not parties (``none`` = no
  party affiliation, ``one-seat``, ``etc`` = others, ``ethnic``, ``etnice``,
  ``vac`` = vacancy, ``GrFa`` = the Greenland and Faroe seats) keep their seats
  in the chamber's total but are never cabinet members; only parties with at
  least one seat can be members of a potential cabinet.
* **Chamber size.** ``seats_total`` is the larger of ParlGov's
  ``election_seats_total`` and the sum of the listed seats (they differ for
  some cabinets; the counts are in the data folder's README).
* **Cabinet.** The cabinet is the set of parties with ``cabinet_party == 1``.
  Non-partisan ministers (a non-party aggregate with no seats flagged as a
  cabinet member) are ignored. The cabinet *cannot be matched* to a subset of
  the parliament's parties, and is excluded and listed, when a cabinet party
  holds no seat, when a non-party aggregate with seats is flagged as a member
  (independent MPs in government), or when no party is in the cabinet.
* **Incumbent.** The previous cabinet (``previous_cabinet_id``), followed
  back past caretaker cabinets to the last non-caretaker one; ``in_incumbent``
  marks its parties. ``incumbent_complete`` says whether every party of that
  cabinet holds seats in the new parliament (otherwise no potential cabinet
  equals the incumbent one). ``post_election`` is true when the opportunity's
  election differs from the incumbent's (or there is no incumbent).
* **Positions.** ``left_right`` is ParlGov's 0-10 left-right position of the
  party (missing for some parties; :mod:`estimation.parlgov` imputes them when
  it builds covariates, not here).

References
----------
Döring, H., Quaas, A., Hesse, M. and Manow, P. (2023). *Parliaments and
governments database (ParlGov): Information on parties, elections and cabinets
in established democracies.* Development version.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

__all__ = ["derive", "write", "NON_PARTIES", "OUT_DIR"]

#: ``party_name_short`` values of ParlGov rows that aggregate seats of non-parties
NON_PARTIES = frozenset({"none", "one-seat", "etc", "ethnic", "etnice", "vac", "GrFa"})
OUT_DIR = Path(__file__).parent / "parlgov"

OPPORTUNITY_COLUMNS = ["opportunity", "country", "cabinet_name", "start_date", "election_date",
                       "election_id", "previous_cabinet_id", "incumbent_cabinet_id",
                       "incumbent_complete", "post_election", "seats_total",
                       "seats_total_reported", "n_parties", "pm_party_id"]
PARTY_COLUMNS = ["opportunity", "party_id", "party", "family", "seats", "left_right",
                 "in_cabinet", "prime_minister", "in_incumbent"]
EXCLUDED_COLUMNS = ["cabinet_id", "country", "cabinet_name", "start_date", "reason"]

REASONS = {
    "caretaker": "caretaker cabinet",
    "seatless": "a cabinet party holds no seat in the parliament",
    "non_party": "a non-party aggregate with seats is a cabinet member",
    "empty": "no party in the cabinet",
}


def _read(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    cab = pd.read_csv(raw / "view_cabinet.csv", encoding="utf-8")
    party = pd.read_csv(raw / "view_party.csv", encoding="utf-8",
                        usecols=["party_id", "family_name_short"])
    return cab, party


def derive(raw_dir: str | Path, countries: list[str] | None = None
           ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three derived tables ``(opportunities, parties, excluded)`` from the raw files.

    Parameters
    ----------
    raw_dir : path
        Folder with ParlGov's ``view_cabinet.csv`` and ``view_party.csv``.
    countries : list of str, optional
        Only these countries (``country_name_short``); default all.
    """
    cab, party = _read(Path(raw_dir))
    if countries is not None:
        cab = cab[cab["country_name_short"].isin(countries)]
    family = dict(zip(party["party_id"], party["family_name_short"], strict=True))
    cab = cab.copy()
    cab["non_party"] = cab["party_name_short"].isin(NON_PARTIES)
    info = cab.groupby("cabinet_id").first()
    caretaker = info["caretaker"].astype(int) == 1
    members: dict[int, frozenset[int]] = {}
    for cid, rows in cab.groupby("cabinet_id"):
        real = rows[~rows["non_party"] & (rows["cabinet_party"] == 1)]
        members[int(cid)] = frozenset(int(p) for p in real["party_id"])

    def incumbent_of(cid: int) -> int | None:
        prev = info.at[cid, "previous_cabinet_id"]
        seen = set()
        while pd.notna(prev) and int(prev) in info.index and int(prev) not in seen:
            prev = int(prev)
            seen.add(prev)
            if not caretaker.loc[prev]:
                return prev
            prev = info.at[prev, "previous_cabinet_id"]
        return None

    opps, parts, excl = [], [], []
    for cid, rows in cab.groupby("cabinet_id", sort=True):
        cid = int(cid)
        first = info.loc[cid]
        head = {"cabinet_id": cid, "country": first["country_name_short"],
                "cabinet_name": first["cabinet_name"], "start_date": first["start_date"]}
        if caretaker.loc[cid]:
            excl.append({**head, "reason": "caretaker"})
            continue
        cabinet_rows = rows[rows["cabinet_party"] == 1]
        if ((~cabinet_rows["non_party"]) & (cabinet_rows["seats"] <= 0)).any():
            excl.append({**head, "reason": "seatless"})
            continue
        if (cabinet_rows["non_party"] & (cabinet_rows["seats"] > 0)).any():
            excl.append({**head, "reason": "non_party"})
            continue
        if not members[cid]:
            excl.append({**head, "reason": "empty"})
            continue
        real = rows[~rows["non_party"] & (rows["seats"] > 0)]
        real = real.groupby("party_id", sort=True).agg(
            party=("party_name_short", "first"), seats=("seats", "sum"),
            left_right=("left_right", "first"), in_cabinet=("cabinet_party", "max"),
            prime_minister=("prime_minister", "max")).reset_index()
        inc = incumbent_of(cid)
        inc_set = members[inc] if inc is not None else frozenset()
        present = set(int(p) for p in real["party_id"])
        listed = int(rows["seats"].sum())
        reported = int(first["election_seats_total"])
        pm = rows.loc[rows["prime_minister"] == 1, "party_id"]
        opps.append({
            "opportunity": cid, "country": first["country_name_short"],
            "cabinet_name": first["cabinet_name"], "start_date": first["start_date"],
            "election_date": first["election_date"], "election_id": int(first["election_id"]),
            "previous_cabinet_id": (int(first["previous_cabinet_id"])
                                    if pd.notna(first["previous_cabinet_id"]) else pd.NA),
            "incumbent_cabinet_id": inc if inc is not None else pd.NA,
            "incumbent_complete": int(inc is not None and bool(inc_set)
                                      and inc_set <= present),
            "post_election": int(inc is None
                                 or int(info.at[inc, "election_id"]) != int(first["election_id"])),
            "seats_total": max(listed, reported), "seats_total_reported": reported,
            "n_parties": len(real), "pm_party_id": int(pm.iloc[0]) if len(pm) else pd.NA,
        })
        real.insert(0, "opportunity", cid)
        real["family"] = real["party_id"].map(family)
        real["in_incumbent"] = real["party_id"].isin(inc_set).astype(int)
        parts.append(real[PARTY_COLUMNS])
    opportunities = pd.DataFrame(opps, columns=OPPORTUNITY_COLUMNS)
    for col in ("previous_cabinet_id", "incumbent_cabinet_id", "pm_party_id"):
        opportunities[col] = opportunities[col].astype("Int64")
    parties = (pd.concat(parts, ignore_index=True) if parts
               else pd.DataFrame(columns=PARTY_COLUMNS))
    parties[["in_cabinet", "prime_minister", "in_incumbent"]] = parties[
        ["in_cabinet", "prime_minister", "in_incumbent"]].astype(int)
    parties["left_right"] = parties["left_right"].astype(float).round(4)
    excluded = pd.DataFrame(excl, columns=EXCLUDED_COLUMNS)
    return opportunities, parties, excluded


def write(raw_dir: str | Path, out_dir: str | Path = OUT_DIR) -> list[Path]:
    """Derive the tables and write them as CSV into ``out_dir``; returns the paths."""
    from gametheory.fileio import atomic_write_bytes

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = dict(zip(("opportunities", "parties", "excluded"), derive(raw_dir), strict=True))
    paths = []
    for name, df in tables.items():
        p = out / f"{name}.csv"
        atomic_write_bytes(p, df.to_csv(index=False, lineterminator="\n").encode("utf-8"))
        paths.append(p)
    return paths


def summary(opportunities: pd.DataFrame, excluded: pd.DataFrame) -> dict[str, object]:
    """Counts reported beside the data: opportunities, countries, exclusions by reason."""
    counts = excluded["reason"].value_counts()
    return {
        "opportunities": int(len(opportunities)),
        "countries": int(opportunities["country"].nunique()),
        "cabinets": int(len(opportunities) + len(excluded)),
        "excluded": {k: int(counts.get(k, 0)) for k in REASONS},
        "max_parties": int(opportunities["n_parties"].max()) if len(opportunities) else 0,
        "seats_total_differs": int((opportunities["seats_total"]
                                    != opportunities["seats_total_reported"]).sum()),
    }


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - thin script face
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print(__doc__.split("\n\n")[1])
        return 2
    paths = write(argv[0], argv[1] if len(argv) > 1 else OUT_DIR)
    for p in paths:
        print(p)
    opp = pd.read_csv(paths[0])
    exc = pd.read_csv(paths[2])
    print(summary(opp, exc))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
