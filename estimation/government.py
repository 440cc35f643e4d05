r"""Government formation data: which cabinet forms, fitted to real parliaments.

A *formation opportunity* is a parliament (parties with seats and left-right
positions, the chamber size, the outgoing cabinet) and the cabinet that
formed. :class:`FormationData` holds many of them as two tables:

``opportunities``
    one row per opportunity: ``opportunity`` (id), ``country``, ``start_date``
    (ISO date), ``seats_total`` (chamber size), and optionally
    ``incumbent_complete`` (1 when every party of the outgoing cabinet holds
    seats, so that the outgoing cabinet is a potential cabinet).
``parties``
    one row per party with seats: ``opportunity``, ``party_id``, ``seats``
    (whole number >= 1), ``left_right`` (may be missing: see ``impute``),
    ``in_cabinet`` (0/1), optionally ``in_incumbent`` (0/1), ``party``,
    ``family``.

:func:`load_parlgov` reads the bundled ParlGov opportunities (Döring, Quaas,
Hesse and Manow 2023; derivation rules in
:mod:`estimation.datasets.parlgov_derive`).

Every non-empty set of parties is a potential cabinet, with the covariates of
:class:`gametheory.government.Parliament` (minority, minimal winning, number of
parties, ideological range, connectedness, largest party, median party,
incumbent). The reduced-form model is McFadden's conditional logit over
potential cabinets (Martin and Stevenson 2001),

.. math:: P(C \mid \text{opportunity}) = \frac{e^{b \cdot x(C)}}{\sum_{C'} e^{b \cdot x(C')}},

fitted by :func:`fit_formation` (the package's conditional-logit MLE). An
opportunity with at most ``max_exact`` parties lists all
:math:`2^n - 1` cabinets; a larger one is estimated on the formed cabinet plus
``n_draws`` sampled ones with the sampling correction of
:mod:`estimation.alternatives` (consistent; tested on simulated data).
Predictions (:func:`predictive_accuracy`) always rank *all* :math:`2^n - 1`
potential cabinets.

References
----------
Döring, H., Quaas, A., Hesse, M. and Manow, P. (2023). *Parliaments and
governments database (ParlGov): Information on parties, elections and cabinets
in established democracies.* Development version. Martin, L. W. and
Stevenson, R. T. (2001). Government formation in parliamentary democracies.
*American Journal of Political Science* 45(1), 33-50.

Examples
--------
>>> data = load_parlgov()
>>> data.n_opportunities, data.n_countries
(1364, 37)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gametheory.errors import InvalidArgumentError, InvalidTypeError
from gametheory.government import FEATURES, Parliament

from .alternatives import SubsetSampler, WeightedSampler, sample_choice_set
from .data import ChoiceSets
from .errors import DataValidationError, Problem
from .mle import MLEResults, fit_clogit

__all__ = ["FormationData", "FormationChoiceSets", "load_parlgov", "formation_choice_sets",
           "fit_formation", "predictive_accuracy", "baseline_score", "cross_validate",
           "simulate_formation", "linear_score", "top_k_probability", "accuracy_table",
           "PARLGOV_CITATION", "PARLGOV_DIR", "IMPUTE"]

PARLGOV_DIR = Path(__file__).parent / "datasets" / "parlgov"
PARLGOV_CITATION = (
    "Döring, H., Quaas, A., Hesse, M. and Manow, P. (2023). Parliaments and governments "
    "database (ParlGov): Information on parties, elections and cabinets in established "
    "democracies. Development version.")
#: how missing left-right positions are handled (see :class:`FormationData`)
IMPUTE = ("family", "refuse")

_OPP_REQUIRED = ("opportunity", "country", "start_date", "seats_total")
_PARTY_REQUIRED = ("opportunity", "party_id", "seats", "left_right", "in_cabinet")


class FormationData:
    """Formation opportunities (two tables; see the module docstring), validated.

    Parameters
    ----------
    opportunities, parties : DataFrame
    impute : {"family", "refuse"}
        Missing ``left_right``: ``"family"`` fills the median position of the
        other parties of the same ``family`` in the data (the median of all
        parties if the family has no position) and marks the row in
        ``left_right_imputed``; ``"refuse"`` raises naming every row.
    source : str
        Shown in error messages.

    Raises
    ------
    DataValidationError
        Listing every problem (table, row, column): duplicate opportunities or
        parties, parties of unknown opportunities, seats that are not whole
        numbers >= 1, seats adding up to more than ``seats_total``, opportunities
        without a cabinet party, flags that are not 0/1, missing positions
        under ``impute="refuse"``.
    """

    def __init__(self, opportunities: pd.DataFrame, parties: pd.DataFrame, *,
                 impute: str = "family", source: str = "") -> None:
        for name, df in (("opportunities", opportunities), ("parties", parties)):
            if not isinstance(df, pd.DataFrame):
                raise InvalidTypeError(name, type(df).__name__, "not a pandas DataFrame",
                                       f"Give the {name} table as a DataFrame")
        if impute not in IMPUTE:
            raise InvalidArgumentError("impute", impute, "unknown rule",
                                       f"Use one of {list(IMPUTE)}")
        opp = opportunities.reset_index(drop=True).copy()
        par = parties.reset_index(drop=True).copy()
        problems = _validate(opp, par, impute)
        if problems:
            raise DataValidationError("data", problems, source or "formation data")
        if "incumbent_complete" not in opp:
            opp["incumbent_complete"] = 0
        if "in_incumbent" not in par:
            par["in_incumbent"] = 0
        for col in ("party", "family"):
            if col not in par:
                par[col] = par["party_id"].astype(str) if col == "party" else ""
        par["left_right_imputed"] = par["left_right"].isna().astype(int)
        if par["left_right_imputed"].any():
            par["left_right"] = _impute_family(par)
        opp["start_date"] = pd.to_datetime(opp["start_date"]).dt.strftime("%Y-%m-%d")
        order = {o: i for i, o in enumerate(opp["opportunity"])}
        par = par.assign(_o=par["opportunity"].map(order)).sort_values(
            ["_o", "party_id"], kind="stable").drop(columns="_o").reset_index(drop=True)
        self.opportunities = opp
        self.parties = par
        self.impute = impute
        self.source = source

    def __repr__(self) -> str:
        return (f"FormationData({self.n_opportunities} opportunities, {self.n_countries} "
                f"countries, {len(self.parties)} party rows)")

    @property
    def n_opportunities(self) -> int:
        return len(self.opportunities)

    @property
    def n_countries(self) -> int:
        return int(self.opportunities["country"].nunique())

    @cached_property
    def _groups(self) -> list[pd.DataFrame]:
        g = dict(tuple(self.parties.groupby("opportunity", sort=False)))
        return [g[o] for o in self.opportunities["opportunity"]]

    @cached_property
    def parliaments(self) -> tuple[Parliament, ...]:
        """One :class:`~gametheory.government.Parliament` per opportunity (parties by id)."""
        out = []
        for (_, o), rows in zip(self.opportunities.iterrows(), self._groups, strict=True):
            inc = rows["in_incumbent"].to_numpy() == 1
            inc_mask = int(np.sum(np.left_shift(1, np.flatnonzero(inc))))
            complete = bool(o["incumbent_complete"]) and inc_mask > 0
            out.append(Parliament.from_seats(
                rows["seats"].to_numpy(), rows["left_right"].to_numpy(float),
                total=int(o["seats_total"]), parties=tuple(rows["party_id"].tolist()),
                incumbent=inc_mask if complete else None))
        return tuple(out)

    @cached_property
    def chosen(self) -> np.ndarray:
        """Bitmask of the formed cabinet of each opportunity."""
        return np.array([int(np.sum(np.left_shift(1, np.flatnonzero(
            rows["in_cabinet"].to_numpy() == 1)))) for rows in self._groups], dtype=np.int64)

    @property
    def n_parties(self) -> np.ndarray:
        return np.array([p.n for p in self.parliaments])

    def subset(self, keep: Any) -> FormationData:
        """The opportunities selected by a boolean array (or index list), same imputation."""
        k = np.asarray(keep)
        sel = self.opportunities.iloc[np.flatnonzero(k) if k.dtype == bool else k]
        ids = set(sel["opportunity"])
        new = object.__new__(FormationData)
        new.opportunities = sel.reset_index(drop=True)
        new.parties = self.parties[self.parties["opportunity"].isin(ids)].reset_index(drop=True)
        new.impute, new.source = self.impute, self.source
        return new

    def before(self, date: str) -> np.ndarray:
        """Boolean: opportunities that started before ``date`` (ISO)."""
        return (pd.to_datetime(self.opportunities["start_date"]) < pd.Timestamp(date)).to_numpy()


def _is01(v: Any) -> bool:
    try:
        return float(v) in (0.0, 1.0)
    except (TypeError, ValueError):
        return False


def _validate(opp: pd.DataFrame, par: pd.DataFrame, impute: str) -> list[Problem]:
    P: list[Problem] = []
    for name, df, req in (("opportunities", opp, _OPP_REQUIRED),
                          ("parties", par, _PARTY_REQUIRED)):
        for col in req:
            if col not in df:
                P.append(Problem(name, None, col, None, "column is missing",
                                 f"add a {col!r} column"))
    if P:
        return P
    for i in np.flatnonzero(opp["opportunity"].duplicated().to_numpy()):
        P.append(Problem("opportunities", int(i), "opportunity", opp.at[i, "opportunity"],
                         "is duplicated", "give each opportunity one row"))
    ids = set(opp["opportunity"])
    for i in np.flatnonzero(~par["opportunity"].isin(ids).to_numpy()):
        P.append(Problem("parties", int(i), "opportunity", par.at[i, "opportunity"],
                         "is an unknown opportunity", "add it to the opportunities table"))
    for i in np.flatnonzero(par.duplicated(["opportunity", "party_id"]).to_numpy()):
        P.append(Problem("parties", int(i), "party_id", par.at[i, "party_id"],
                         "is listed twice in its opportunity", "give each party one row"))
    seats = pd.to_numeric(par["seats"], errors="coerce").to_numpy(float)
    for i in np.flatnonzero(~(np.isfinite(seats) & (seats >= 1) & (seats == np.round(seats)))):
        P.append(Problem("parties", int(i), "seats", par.at[i, "seats"],
                         "is not a whole number of at least 1",
                         "give whole seat counts; leave parties without seats out"))
    tot = pd.to_numeric(opp["seats_total"], errors="coerce").to_numpy(float)
    for i in np.flatnonzero(~(np.isfinite(tot) & (tot >= 1) & (tot == np.round(tot)))):
        P.append(Problem("opportunities", int(i), "seats_total", opp.at[i, "seats_total"],
                         "is not a whole number of at least 1", "give the chamber size"))
    for col in ("in_cabinet", "in_incumbent"):
        if col in par:
            for i in np.flatnonzero(~par[col].map(_is01).to_numpy(bool)):
                P.append(Problem("parties", int(i), col, par.at[i, col], "is not 0 or 1",
                                 "use 1 for yes and 0 for no"))
    if "incumbent_complete" in opp:
        for i in np.flatnonzero(~opp["incumbent_complete"].map(_is01).to_numpy(bool)):
            P.append(Problem("opportunities", int(i), "incumbent_complete",
                             opp.at[i, "incumbent_complete"], "is not 0 or 1",
                             "use 1 for yes and 0 for no"))
    lr = pd.to_numeric(par["left_right"], errors="coerce")
    for i in np.flatnonzero((lr.isna() & par["left_right"].notna()).to_numpy()):
        P.append(Problem("parties", int(i), "left_right", par.at[i, "left_right"],
                         "is not a number", "give a number or leave the cell empty"))
    if impute == "refuse":
        for i in np.flatnonzero(par["left_right"].isna().to_numpy()):
            P.append(Problem("parties", int(i), "left_right", None, "is missing",
                             "give the party's position, or use impute='family'"))
    dates = pd.to_datetime(opp["start_date"], errors="coerce")
    for i in np.flatnonzero(dates.isna().to_numpy()):
        P.append(Problem("opportunities", int(i), "start_date", opp.at[i, "start_date"],
                         "is not a date", "use YYYY-MM-DD"))
    ok = np.isfinite(seats)
    sums = pd.Series(np.where(ok, seats, 0)).groupby(par["opportunity"].to_numpy()).sum()
    cab = pd.Series(par["in_cabinet"].map(_is01).to_numpy(bool)
                    & (pd.to_numeric(par["in_cabinet"], errors="coerce") == 1).to_numpy()
                    ).groupby(par["opportunity"].to_numpy()).any()
    for i, (o, t) in enumerate(zip(opp["opportunity"], tot, strict=True)):
        if o not in sums.index:
            P.append(Problem("opportunities", i, "opportunity", o, "has no parties",
                             "add its parties to the parties table"))
            continue
        if np.isfinite(t) and sums[o] > t:
            P.append(Problem("opportunities", i, "seats_total", int(t),
                             f"is below the {int(sums[o])} seats of its parties",
                             "give the chamber size (at least the parties' seats)"))
        if not cab[o]:
            P.append(Problem("opportunities", i, "opportunity", o, "has no cabinet party",
                             "mark the cabinet's parties with in_cabinet = 1"))
    return P


def _impute_family(par: pd.DataFrame) -> pd.Series:
    lr = pd.to_numeric(par["left_right"], errors="coerce")
    per_party = pd.DataFrame({"party_id": par["party_id"], "family": par["family"],
                              "lr": lr}).drop_duplicates("party_id")
    fam = per_party.dropna(subset=["lr"]).groupby("family")["lr"].median()
    overall = float(per_party["lr"].median())
    fill = par["family"].map(fam).fillna(overall)
    return lr.fillna(fill)


def load_parlgov(impute: str = "family") -> FormationData:
    """The bundled ParlGov formation opportunities (1,364 cabinets, 37 countries).

    Cite Döring, Quaas, Hesse and Manow (2023) (:data:`PARLGOV_CITATION`)
    wherever results from these data are shown. ``excluded`` (caretaker and
    unmatched cabinets, with the reason) is attached as ``.excluded``.
    """
    opp = pd.read_csv(PARLGOV_DIR / "opportunities.csv")
    par = pd.read_csv(PARLGOV_DIR / "parties.csv")
    data = FormationData(opp, par, impute=impute, source="bundled ParlGov data")
    data.excluded = pd.read_csv(PARLGOV_DIR / "excluded.csv")  # type: ignore[attr-defined]
    return data


def simulate_formation(coef: Sequence[float], *, n_opportunities: int = 200,
                       n_parties: int | tuple[int, int] = 8,
                       seed: int | np.random.Generator = 0,
                       features: Sequence[str] = FEATURES) -> FormationData:
    """Formation data drawn from the conditional logit with known coefficients.

    Each opportunity has ``n_parties`` parties (or a number drawn uniformly from
    ``lo..hi`` when a pair is given) with seats uniform on 1..60,
    positions uniform on [0, 10], a chamber 0-5 seats larger than the parties'
    seats and, with probability 0.8, an outgoing cabinet (a uniform non-empty
    subset). The formed cabinet is drawn from the logit over all ``2**n - 1``
    cabinets with utilities ``coef . x(C)``.
    """
    cols = [_feature_index(f) for f in features]
    b = np.asarray(coef, float)
    if b.shape != (len(cols),):
        raise InvalidArgumentError("coef", coef, f"{b.size} coefficients for {len(cols)} "
                                   "covariates", "Give one coefficient per covariate")
    lo, hi = (n_parties, n_parties) if np.ndim(n_parties) == 0 else tuple(n_parties)
    if any(int(v) != v or not 1 <= v <= 16 for v in (lo, hi)) or lo > hi:
        raise InvalidArgumentError("n_parties", n_parties, "not a whole number (or a pair "
                                   "lo <= hi) from 1 to 16", "Give e.g. 8 or (3, 7)")
    rng = np.random.default_rng(seed)
    opp, par = [], []
    for o in range(int(n_opportunities)):
        n = int(rng.integers(lo, hi + 1))
        seats = rng.integers(1, 61, n)
        pos = np.round(rng.uniform(0, 10, n), 4)
        total = int(seats.sum() + rng.integers(0, 6))
        inc = int(rng.integers(1, 1 << n)) if rng.random() < 0.8 else None
        p = Parliament.from_seats(seats, pos, total=total, incumbent=inc)
        masks = p.all_cabinets()
        u = p.features(masks)[:, cols] @ b
        g = rng.gumbel(size=len(masks))
        c = int(masks[np.argmax(u + g)])
        opp.append({"opportunity": o, "country": f"C{o % 10}",
                    "start_date": str(pd.Timestamp("1950-01-01") + pd.Timedelta(days=30 * o))[:10],
                    "seats_total": total, "incumbent_complete": int(inc is not None)})
        for i in range(n):
            par.append({"opportunity": o, "party_id": i, "seats": int(seats[i]),
                        "left_right": pos[i], "in_cabinet": (c >> i) & 1,
                        "in_incumbent": ((inc or 0) >> i) & 1})
    return FormationData(pd.DataFrame(opp), pd.DataFrame(par), source="simulated")


# ------------------------------------------------------------------ choice sets
@dataclass(frozen=True)
class FormationChoiceSets:
    """Potential cabinets of each opportunity, ready for the conditional logit.

    Attributes
    ----------
    choice_sets : ChoiceSets
        ``x`` (S, J, K) covariates, ``mask``, ``chosen`` (slot of the formed
        cabinet, always 0), ``alternatives`` (S, J) int64 bitmasks (0 = padding).
    offset : (S, J) float
        Sampling correction (0 for listed opportunities).
    exact : (S,) bool
        True where every potential cabinet is listed.
    """

    choice_sets: ChoiceSets
    offset: np.ndarray
    exact: np.ndarray

    @property
    def masks(self) -> np.ndarray:
        return self.choice_sets.alternatives


def formation_choice_sets(data: FormationData, *, max_exact: int = 10, n_draws: int = 100,
                          seed: int | np.random.Generator = 0,
                          features: Sequence[str] = FEATURES,
                          importance: Sequence[float] | None = None) -> FormationChoiceSets:
    r"""Listed or sampled potential cabinets with their covariates.

    Parameters
    ----------
    data : FormationData
    max_exact : int
        Opportunities with at most this many parties list all ``2**n - 1``
        cabinets; larger ones get the formed cabinet plus ``n_draws`` draws of
        :class:`~estimation.alternatives.SubsetSampler` (cabinet size uniform,
        then uniform within the size) and the correction offset.
    n_draws : int
    seed : int or Generator
    features : sequence of str
        Covariates (names from :data:`gametheory.government.FEATURES`).
    importance : sequence of float, optional
        Coefficients ``g`` over :data:`~gametheory.government.FEATURES`: sample
        instead from :math:`q(C) \propto e^{g \cdot x(C)}` over all cabinets
        (:class:`~estimation.alternatives.WeightedSampler`), e.g. a reduced-form
        fit, so that few draws cover the likely cabinets. Any fixed ``q`` gives
        consistent estimates with the correction.
    """
    if not isinstance(data, FormationData):
        raise InvalidTypeError("data", type(data).__name__, "not FormationData",
                               "Use load_parlgov() or FormationData(opportunities, parties)")
    if int(max_exact) != max_exact or not 1 <= max_exact <= 16:
        raise InvalidArgumentError("max_exact", max_exact, "not a whole number from 1 to 16",
                                   "Give e.g. 10 (1,023 listed cabinets per opportunity)")
    cols = [_feature_index(f) for f in features]
    g_imp = None if importance is None else np.asarray(importance, float)
    if g_imp is not None and g_imp.shape != (len(FEATURES),):
        raise InvalidArgumentError("importance", importance, f"{g_imp.size} coefficients",
                                   f"Give one coefficient per covariate of {list(FEATURES)}")
    rng = np.random.default_rng(seed)
    rows_m, rows_o, exact = [], [], []
    for p, c in zip(data.parliaments, data.chosen, strict=True):
        if p.n <= max_exact:
            alts = p.all_cabinets()
            alts = np.r_[c, alts[alts != c]]
            off = np.zeros(len(alts))
            exact.append(True)
        else:
            if importance is None:
                sampler: Any = SubsetSampler(p.n)
            else:
                every = p.all_cabinets()
                sampler = WeightedSampler(every, p.features(every) @ g_imp)
            alts, off = sample_choice_set(rng, int(c), sampler, int(n_draws))
            exact.append(False)
        rows_m.append(alts)
        rows_o.append(off)
    S = len(rows_m)
    J = max(len(a) for a in rows_m)
    K = len(cols)
    x = np.zeros((S, J, K))
    masks = np.zeros((S, J), dtype=np.int64)
    offset = np.zeros((S, J))
    mask = np.zeros((S, J), dtype=bool)
    for s, (p, alts, off) in enumerate(zip(data.parliaments, rows_m, rows_o, strict=True)):
        m = len(alts)
        x[s, :m] = p.features(alts)[:, cols]
        masks[s, :m] = alts
        offset[s, :m] = off
        mask[s, :m] = True
    cs = ChoiceSets("cabinet", x, mask, np.zeros(S, dtype=np.int64), tuple(features), masks,
                    np.arange(S))
    return FormationChoiceSets(cs, offset, np.asarray(exact))


def _feature_index(name: str) -> int:
    if name not in FEATURES:
        raise InvalidArgumentError("features", name, "unknown covariate",
                                   f"Use names from {list(FEATURES)}")
    return FEATURES.index(name)


def fit_formation(data: FormationData | FormationChoiceSets, **kwargs: Any) -> MLEResults:
    """Reduced-form conditional-logit MLE of cabinet choice (module docstring).

    ``data`` is :class:`FormationData` (then ``kwargs`` go to
    :func:`formation_choice_sets`) or ready :class:`FormationChoiceSets`.

    Examples
    --------
    >>> m = fit_formation(load_parlgov(), max_exact=8, n_draws=50)
    >>> m.converged, m.n
    (True, 1364)
    """
    t0 = time.perf_counter()
    fcs = data if isinstance(data, FormationChoiceSets) else formation_choice_sets(data, **kwargs)
    res = fit_clogit(fcs.choice_sets, offset=fcs.offset)
    res.what = "conditional logit (cabinet)"
    res.seconds = time.perf_counter() - t0
    return res


# ------------------------------------------------------------------ prediction
def baseline_score(parliament: Parliament, masks: np.ndarray) -> np.ndarray:
    r"""The largest-party minimal-winning prediction as a score (higher = predicted first).

    Minimal winning cabinets that contain the largest party come first, fewer
    parties before more (Leiserson's bargaining proposition), then fewer seats
    (Riker's minimum winning); every other cabinet ties below them.
    """
    f = parliament.features(masks)
    lmw = (f[:, FEATURES.index("minimal_winning")] == 1) & (
        f[:, FEATURES.index("largest_party")] == 1)
    seats = parliament.seats_of(masks)
    return np.where(lmw, 1e9 - 1e6 * f[:, FEATURES.index("n_parties")] - seats, 0.0)


def top_k_probability(scores: np.ndarray, chosen: int, k: int) -> float:
    """Probability that alternative ``chosen`` is among the ``k`` best scores, ties broken at
    random: :math:`\\min(1, \\max(0, (k - a) / t))` with ``a`` strictly better and ``t`` tied.

    Examples
    --------
    >>> top_k_probability(np.array([3.0, 1.0, 1.0, 1.0]), 1, 2)
    0.3333333333333333
    """
    sc = np.asarray(scores, float)
    c = sc[chosen]
    tol = 1e-9 * (1.0 + abs(c))
    above = int(np.sum(sc > c + tol))
    tied = int(np.sum(np.abs(sc - c) <= tol))
    return float(min(1.0, max(0.0, (k - above) / tied)))


def predictive_accuracy(data: FormationData,
                        score: Callable[[int, Parliament, np.ndarray], np.ndarray],
                        ks: Sequence[int] = (1, 5)) -> pd.DataFrame:
    """Share of opportunities whose formed cabinet is among the ``k`` best-scored.

    ``score(i, parliament, masks)`` scores all ``2**n - 1`` potential cabinets of
    opportunity ``i`` (e.g. log choice probabilities); ties are broken at random
    (:func:`top_k_probability`, so the shares are expectations). Returns one
    row per opportunity (``opportunity``, ``country``, ``top1``, ``top5``...).
    """
    out = []
    for i, (p, c) in enumerate(zip(data.parliaments, data.chosen, strict=True)):
        masks = p.all_cabinets()
        sc = np.asarray(score(i, p, masks), float)
        ci = int(c) - 1                    # all_cabinets()[m - 1] == m
        out.append([top_k_probability(sc, ci, k) for k in ks])
    df = pd.DataFrame(out, columns=[f"top{k}" for k in ks])
    df.insert(0, "country", data.opportunities["country"].to_numpy())
    df.insert(0, "opportunity", data.opportunities["opportunity"].to_numpy())
    return df


def linear_score(coef: np.ndarray, features: Sequence[str] = FEATURES
                 ) -> Callable[[int, Parliament, np.ndarray], np.ndarray]:
    """Score function :math:`b \\cdot x(C)` for :func:`predictive_accuracy`."""
    cols = [_feature_index(f) for f in features]
    b = np.asarray(coef, float)
    return lambda i, p, masks: p.features(masks)[:, cols] @ b


def cross_validate(data: FormationData, scheme: str = "time", *, split_date: str = "2000-01-01",
                   max_exact: int = 10, n_draws: int = 100, seed: int = 0,
                   features: Sequence[str] = FEATURES) -> pd.DataFrame:
    """Out-of-sample top-1/top-5 accuracy of the conditional logit and the baseline.

    Parameters
    ----------
    scheme : {"time", "country"}
        ``"time"``: fit on opportunities before ``split_date``, predict the rest.
        ``"country"``: leave one country out (fit on the others, predict it), for
        every country.

    Returns
    -------
    DataFrame
        One row per predicted opportunity: ``fold``, ``opportunity``,
        ``country``, ``n_parties`` and ``top1``/``top5`` of ``logit`` and of
        ``baseline`` (largest-party minimal-winning).
    """
    if scheme == "time":
        train = data.before(split_date)
        folds = [("time", train, ~train)]
    elif scheme == "country":
        cty = data.opportunities["country"].to_numpy()
        folds = [(c, cty != c, cty == c) for c in sorted(set(cty))]
    else:
        raise InvalidArgumentError("scheme", scheme, "unknown scheme", "Use 'time' or 'country'")
    fcs_all = formation_choice_sets(data, max_exact=max_exact, n_draws=n_draws, seed=seed,
                                    features=features)
    rows = []
    for name, tr, te in folds:
        if not tr.any() or not te.any():
            continue
        cs = fcs_all.choice_sets
        sub = FormationChoiceSets(
            ChoiceSets(cs.role, cs.x[tr], cs.mask[tr], cs.chosen[tr], cs.names,
                       cs.alternatives[tr], cs.situation_region[tr]),
            fcs_all.offset[tr], fcs_all.exact[tr])
        fit = fit_formation(sub)
        test = data.subset(te)
        lg = predictive_accuracy(test, linear_score(fit.params.to_numpy(), features))
        bl = predictive_accuracy(test, lambda i, p, m: baseline_score(p, m))
        df = lg[["opportunity", "country"]].copy()
        df.insert(0, "fold", name)
        df["n_parties"] = test.n_parties
        df["logit_top1"], df["logit_top5"] = lg["top1"], lg["top5"]
        df["baseline_top1"], df["baseline_top5"] = bl["top1"], bl["top5"]
        rows.append(df)
    return pd.concat(rows, ignore_index=True)


def accuracy_table(cv: pd.DataFrame) -> pd.DataFrame:
    """Mean top-1/top-5 accuracy per model from :func:`cross_validate` output."""
    out = {}
    for model in ("baseline", "logit"):
        cols = [c for c in cv.columns if c.startswith(model + "_top")]
        out[model] = {c.split("_", 1)[1]: float(cv[c].mean()) for c in cols}
    return pd.DataFrame(out).T.rename_axis("model")
