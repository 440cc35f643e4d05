"""Government formation: cabinet covariates, ParlGov derivation, sampled alternatives, the MLE.

Independent computations: covariates from plain Python sets, the median party
from the list of legislators, the conditional logit against statsmodels on the
same real data, the sampled-alternatives estimator against known coefficients,
the derived files against a re-derivation from a raw ParlGov excerpt.
"""

from __future__ import annotations

import dataclasses
import itertools
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from estimation import government as G
from estimation.alternatives import SubsetSampler, UniformSampler, sample_choice_set
from estimation.datasets import parlgov_derive
from estimation.errors import DataValidationError
from estimation.mle import clogit_loglik
from gametheory.errors import InvalidArgumentError
from gametheory.government import FEATURES, Parliament

RAW = Path(__file__).parent / "data" / "parlgov_raw"


# ------------------------------------------------------------------ covariates
def brute_features(seats, pos, total, incumbent, members):
    """Covariates of one cabinet from plain sets (independent of Parliament.features)."""
    n = len(seats)
    quota = total // 2 + 1
    s = sum(seats[i] for i in members)
    majority = s >= quota
    mw = majority and all(s - seats[i] < quota for i in members)
    xs = [pos[i] for i in members]
    lo, hi = min(xs), max(xs)
    connected = not any(lo < pos[j] < hi for j in range(n) if j not in members)
    largest = any(seats[i] == max(seats) for i in members)
    # median legislator: line up every legislator from left to right
    legislators = sorted((pos[i], i) for i in range(n) for _ in range(seats[i]))
    med_party = legislators[sum(seats) // 2][1]
    inc = incumbent is not None and set(members) == {
        i for i in range(n) if incumbent >> i & 1}
    return [not majority, mw, len(members), hi - lo, connected, largest,
            med_party in members, inc]


@pytest.mark.parametrize("seed", range(6))
def test_features_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 7))
    seats = [int(v) for v in rng.integers(1, 30, n)]
    # distinct positions so that the left-right order (and the median) is unambiguous
    pos = [float(v) for v in rng.permutation(np.arange(n)) * 1.5 + rng.uniform(0, 1)]
    total = sum(seats) + int(rng.integers(0, 4))
    inc = int(rng.integers(1, 1 << n)) if seed % 2 else None
    p = Parliament.from_seats(seats, pos, total=total, incumbent=inc)
    masks = p.all_cabinets()
    got = p.features(masks)
    for row, m in zip(got, masks, strict=True):
        members = [i for i in range(n) if m >> i & 1]
        want = np.array(brute_features(seats, pos, total, inc, members), float)
        np.testing.assert_allclose(row, want, atol=1e-12, err_msg=f"cabinet {members}")


def test_parliament_refuses_bad_input():
    with pytest.raises(InvalidArgumentError, match=r"seats\[1\]"):
        Parliament.from_seats([3, 0], [1.0, 2.0])
    with pytest.raises(InvalidArgumentError, match="positions"):
        Parliament.from_seats([3, 2], [1.0, np.nan])
    with pytest.raises(InvalidArgumentError, match="total"):
        Parliament.from_seats([3, 2], [1.0, 2.0], total=4)
    with pytest.raises(InvalidArgumentError, match="incumbent"):
        Parliament.from_seats([3, 2], [1.0, 2.0], parties=("a", "b"), incumbent=["c"])
    p = Parliament.from_seats([3, 2], [1.0, 2.0])
    with pytest.raises(InvalidArgumentError, match="masks"):
        p.features([4])


# ------------------------------------------------------------------ derivation
def test_derivation_reproduces_the_shipped_rows():
    """Re-derive Bulgaria, Cyprus and Croatia from the raw excerpt: the same CSV lines as
    the shipped files' lines of those countries."""
    opp, par, exc = parlgov_derive.derive(RAW)
    assert set(opp["country"]) == {"BGR", "CYP", "HRV"}
    ids = set(opp["opportunity"])
    for name, df, key in (("opportunities", opp, "country"), ("parties", par, "opportunity"),
                          ("excluded", exc, "country")):
        path = parlgov_derive.OUT_DIR / f"{name}.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        shipped = pd.read_csv(path)
        keep = (shipped[key].isin(["BGR", "CYP", "HRV"]) if key == "country"
                else shipped[key].isin(ids)).to_numpy()
        want = [lines[0]] + [lines[i + 1] for i in np.flatnonzero(keep)]
        assert df.to_csv(index=False, lineterminator="\n").splitlines() == want, name
    # every reason of the rules occurs in the excerpt, and the counts are the raw ones
    raw = pd.read_csv(RAW / "view_cabinet.csv")
    assert len(opp) + len(exc) == raw["cabinet_id"].nunique()
    assert (exc["reason"] == "caretaker").sum() == raw.groupby("cabinet_id")["caretaker"].first(
        ).sum()
    assert {"caretaker", "seatless", "non_party", "empty"} <= set(exc["reason"])


def test_derivation_rules_on_the_raw_rows():
    """Chamber size, cabinet membership and incumbency, checked row by row against the raw."""
    opp, par, _ = parlgov_derive.derive(RAW)
    raw = pd.read_csv(RAW / "view_cabinet.csv")
    for _, o in opp.iterrows():
        rows = raw[raw["cabinet_id"] == o["opportunity"]]
        assert o["seats_total"] == max(rows["seats"].sum(), rows["election_seats_total"].iloc[0])
        real = rows[~rows["party_name_short"].isin(parlgov_derive.NON_PARTIES)
                    & (rows["seats"] > 0)]
        mine = par[par["opportunity"] == o["opportunity"]]
        assert set(mine["party_id"]) == set(real["party_id"])
        assert set(mine.loc[mine["in_cabinet"] == 1, "party_id"]) == set(
            real.loc[real["cabinet_party"] == 1, "party_id"])
        if pd.notna(o["incumbent_cabinet_id"]):
            prev = raw[raw["cabinet_id"] == o["incumbent_cabinet_id"]]
            assert prev["caretaker"].iloc[0] == 0
            inc = set(prev.loc[prev["cabinet_party"] == 1, "party_id"])
            assert set(mine.loc[mine["in_incumbent"] == 1, "party_id"]) == inc & set(
                mine["party_id"])


def test_bundled_parlgov_counts():
    d = G.load_parlgov()
    exc = d.excluded
    assert d.n_opportunities + len(exc) == 1618          # the cabinets of view_cabinet.csv
    assert (exc["reason"] == "caretaker").sum() == 149
    assert d.n_countries == 37
    assert (d.chosen > 0).all()
    # the formed cabinet's seats are what the table says
    seats = np.array([p.seats_of([c])[0] for p, c in zip(d.parliaments, d.chosen, strict=True)])
    want = d.parties[d.parties["in_cabinet"] == 1].groupby("opportunity", sort=False)[
        "seats"].sum().reindex(d.opportunities["opportunity"]).to_numpy()
    np.testing.assert_array_equal(seats, want)


# ------------------------------------------------------------------ bad input
def test_formation_data_names_every_problem():
    opp = pd.DataFrame({"opportunity": [1, 1, 2, 3], "country": ["A"] * 4,
                        "start_date": ["2000-01-01", "2001-01-01", "not a date", "2002-01-01"],
                        "seats_total": [10, 10, 5, 100]})
    par = pd.DataFrame({"opportunity": [1, 1, 2, 2, 9, 3],
                        "party_id": [1, 1, 1, 2, 1, 1],
                        "seats": [4, 4, 3, 2.5, 1, 10],
                        "left_right": [1.0, 2.0, "left", None, 3.0, 5.0],
                        "in_cabinet": [1, 0, 1, 2, 0, 0]})
    with pytest.raises(DataValidationError) as ei:
        G.FormationData(opp, par, impute="refuse")
    found = {(p.frame, p.row, p.column) for p in ei.value.problems}
    assert {("opportunities", 1, "opportunity"),       # duplicated opportunity
            ("opportunities", 2, "start_date"),        # not a date
            ("parties", 1, "party_id"),                # party listed twice
            ("parties", 3, "seats"),                   # 2.5 seats
            ("parties", 2, "left_right"),              # "left" is not a number
            ("parties", 3, "left_right"),              # missing, impute="refuse"
            ("parties", 3, "in_cabinet"),              # 2 is not 0/1
            ("parties", 4, "opportunity"),             # unknown opportunity 9
            ("opportunities", 3, "opportunity"),       # no cabinet party
            } <= found
    assert "row 3, column 'seats'" in str(ei.value)
    # seats above the chamber size
    with pytest.raises(DataValidationError, match="below the 12 seats"):
        G.FormationData(opp.iloc[[0]].assign(seats_total=10),
                        pd.DataFrame({"opportunity": [1, 1], "party_id": [1, 2],
                                      "seats": [6, 6], "left_right": [1, 2],
                                      "in_cabinet": [1, 0]}))


def test_family_imputation():
    opp = pd.DataFrame({"opportunity": [1], "country": ["A"], "start_date": ["2000-01-01"],
                        "seats_total": [10]})
    par = pd.DataFrame({"opportunity": [1] * 4, "party_id": [1, 2, 3, 4],
                        "seats": [3, 3, 2, 2], "left_right": [2.0, 4.0, None, None],
                        "family": ["soc", "soc", "soc", "grn"], "in_cabinet": [1, 0, 0, 0]})
    d = G.FormationData(opp, par)
    assert d.parties["left_right"].tolist() == [2.0, 4.0, 3.0, 3.0]  # family / overall median
    assert d.parties["left_right_imputed"].tolist() == [0, 0, 1, 1]


# ------------------------------------------------------------------ sampled alternatives
def test_subset_sampler_law_matches_frequencies():
    s = SubsetSampler(4, size_weights=[1, 2, 3, 4])
    rng = np.random.default_rng(5)
    draws = s.draw(rng, 200_000)
    freq = np.bincount(draws, minlength=16)[1:] / len(draws)
    q = np.exp(s.log_prob(np.arange(1, 16)))
    # q by hand: size k has weight k/10, split over comb(4, k) subsets
    by_hand = np.array([(bin(m).count("1") / 10) / {1: 4, 2: 6, 3: 4, 4: 1}[bin(m).count("1")]
                        for m in range(1, 16)])
    np.testing.assert_allclose(q, by_hand, rtol=1e-12)
    np.testing.assert_allclose(freq, by_hand, atol=4e-3)


def test_sample_choice_set_offsets_are_log_counts_over_q():
    s = UniformSampler(3)
    rng = np.random.default_rng(0)
    alts, off = sample_choice_set(rng, 1, s, n_draws=50)
    draws = UniformSampler(3).draw(np.random.default_rng(0), 50)   # the same draws
    counts = {a: int((draws == a).sum()) + (a == 1) for a in alts}
    assert alts[0] == 1
    np.testing.assert_allclose(off, [np.log(counts[a]) + np.log(3) for a in alts])
    with pytest.raises(InvalidArgumentError, match="probability 0"):
        sample_choice_set(rng, 1, SubsetSampler(2, size_weights=[0, 1]), 5)


def test_clogit_offset_against_a_direct_sum():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 5, 2))
    mask = np.ones((4, 5), bool)
    mask[0, 3:] = False
    off = rng.normal(size=(4, 5))
    chosen = np.array([1, 0, 4, 2])
    b = np.array([0.3, -0.7])
    ll, g, _ = clogit_loglik(b, x, mask, chosen, offset=off)
    want = 0.0
    for s in range(4):
        u = [x[s, j] @ b + off[s, j] for j in range(5) if mask[s, j]]
        want += x[s, chosen[s]] @ b + off[s, chosen[s]] - np.log(np.sum(np.exp(u)))
    assert ll == pytest.approx(want, abs=1e-12)
    eps = 1e-6
    num = [(clogit_loglik(b + eps * e, x, mask, chosen, False, off)
            - clogit_loglik(b - eps * e, x, mask, chosen, False, off)) / (2 * eps)
           for e in np.eye(2)]
    np.testing.assert_allclose(g, num, atol=1e-6)


def test_sampled_alternatives_recover_known_coefficients():
    """Simulated opportunities of 10 parties (1,023 cabinets each): every opportunity
    estimated on the formed cabinet plus 60 draws. With the correction the estimates are
    within 3.5 standard errors of the truth; without it, they are not."""
    b = np.array([-1.5, 0.5, -0.7, -0.5, 0.3, 1.0, 0.9, 2.5])
    d = G.simulate_formation(b, n_opportunities=300, n_parties=10, seed=1)
    s = G.formation_choice_sets(d, max_exact=1, n_draws=60, seed=2)
    assert not s.exact.any()
    m = G.fit_formation(s)
    z = (m.params.to_numpy() - b) / m.se.to_numpy()
    assert np.all(np.abs(z) < 3.5), z
    naive = G.fit_formation(dataclasses.replace(s, offset=np.zeros_like(s.offset)))
    zn = (naive.params.to_numpy() - b) / naive.se.to_numpy()
    assert np.max(np.abs(zn)) > 3.5, zn


# ------------------------------------------------------------------ MLE vs statsmodels
def test_clogit_matches_statsmodels_on_parlgov():
    """The package's conditional logit and statsmodels' ConditionalLogit (Newton) on the
    same real data: the 300 ParlGov opportunities with at most four parties."""
    from statsmodels.discrete.conditional_models import ConditionalLogit

    d = G.load_parlgov()
    small = d.subset(d.n_parties <= 4)
    fcs = G.formation_choice_sets(small, max_exact=4)
    assert fcs.exact.all()
    mine = G.fit_formation(fcs)
    long = fcs.choice_sets.to_long()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = ConditionalLogit(long["chosen"].to_numpy(), long[list(FEATURES)].to_numpy(),
                              groups=long["situation"].to_numpy()).fit(
            method="newton", tol=1e-10, maxiter=100, disp=0)
    np.testing.assert_allclose(mine.params.to_numpy(), sm.params, atol=1e-7)
    np.testing.assert_allclose(mine.se.to_numpy(), sm.bse, rtol=1e-5)
    assert mine.loglik == pytest.approx(sm.llf, abs=1e-7)


# ------------------------------------------------------------------ prediction
def test_top_k_probability_is_the_random_tie_breaking_average():
    rng = np.random.default_rng(2)
    for _ in range(20):
        sc = rng.integers(0, 3, size=6).astype(float)
        c = int(rng.integers(0, 6))
        for k in (1, 2, 5):
            # average over every tie-breaking order (all permutations of equal scores)
            hits = []
            for perm in itertools.permutations(range(6)):
                order = sorted(range(6), key=lambda j: (-sc[j], perm.index(j)))
                hits.append(c in order[:k])
            assert G.top_k_probability(sc, c, k) == pytest.approx(np.mean(hits))


def test_baseline_on_a_hand_example():
    # parties 40, 35, 25 of 100: largest-party minimal-winning cabinets {0,1} and {0,2};
    # {0,2} has fewer seats (65 < 75) so it is predicted first
    p = Parliament.from_seats([40, 35, 25], [1.0, 5.0, 9.0])
    sc = G.baseline_score(p, p.all_cabinets())
    order = np.argsort(-sc, kind="stable")
    assert [int(p.all_cabinets()[i]) for i in order[:2]] == [0b101, 0b011]
    assert G.top_k_probability(sc, 0b101 - 1, 1) == 1.0
    # every other cabinet ties: P(top-5) of a single party is (5 - 2) / 5
    assert G.top_k_probability(sc, 0b001 - 1, 5) == pytest.approx(3 / 5)


def test_cross_validation_time_split_runs_and_counts():
    d = G.simulate_formation([-1.5, 0.5, -0.7, -0.5, 0.3, 1.0, 0.9, 2.5],
                             n_opportunities=60, n_parties=5, seed=4)
    cv = G.cross_validate(d, "time", split_date=d.opportunities["start_date"].iloc[40])
    assert len(cv) == 20 and (cv["logit_top5"] >= cv["logit_top1"]).all()
    with pytest.raises(InvalidArgumentError, match="scheme"):
        G.cross_validate(d, "random")


def test_cli_fit_parlgov(capsys):
    from restrat.cli import main

    assert main(["fit", "parlgov", "--model", "clogit", "--cv", "none"]) == 0
    out = capsys.readouterr().out
    # counts from the raw data: 1,618 cabinets, 149 caretakers, 105 unmatched
    assert "1364 formation opportunities in 37 countries" in out
    assert "excluded: 149 caretaker cabinets, 105 cabinets" in out
    assert "incumbent" in out and "Döring" in out
    assert main(["fit", "parlgov", "--model", "nonsense", "--cv", "none"]) == 2
    assert "--model" in capsys.readouterr().err
