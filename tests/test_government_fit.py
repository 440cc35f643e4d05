"""Every government-formation fit from one call (``restrat fit parlgov``).

Independent computations: the largest-party minimal-winning baseline from
plain Python sets over the raw CSV rows, the reduced form's out-of-sample
accuracy against :func:`estimation.government.cross_validate` (which slices a
choice set built once instead of rebuilding it), the structural model's pruned
top-k ranking against ranking every cabinet by its full probability, the
regularities under a flat or a dominating score against closed forms.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest

from estimation import government as G
from estimation import government_fit as F
from estimation import government_structural as S
from gametheory.errors import InvalidArgumentError

COUNTRIES = "MLT,CAN"      # small parliaments (<= 7 parties), cabinets before and after 2000


@pytest.fixture(scope="module")
def small():
    return F.select_countries(G.load_parlgov(), COUNTRIES)


def test_parse_models():
    assert F.parse_models("hierarchical, clogit") == ("clogit", "hierarchical")
    assert F.parse_models("all") == F.GOVERNMENT_MODELS
    assert F.parse_models(["mle", "mle"]) == ("mle",)
    for bad in ("clogit,probit", "", "all,mle"):
        with pytest.raises(InvalidArgumentError, match="--model"):
            F.parse_models(bad)


def test_select_countries_counts_the_csv_rows(small):
    opp = pd.read_csv(G.PARLGOV_DIR / "opportunities.csv")
    exc = pd.read_csv(G.PARLGOV_DIR / "excluded.csv")
    names = COUNTRIES.split(",")
    assert small.n_opportunities == int(opp["country"].isin(names).sum())
    assert len(small.excluded) == int(exc["country"].isin(names).sum())
    with pytest.raises(InvalidArgumentError, match="XXX"):
        F.select_countries(small, "MLT,XXX")


def brute_baseline_top(seats, total, chosen, k):
    """Top-k probability of the formed cabinet under the largest-party minimal-winning rule,
    from plain sets: the rule's cabinets ordered by (parties, seats), ties at random, every
    other cabinet tied below."""
    n = len(seats)
    quota = total // 2 + 1
    big = {i for i in range(n) if seats[i] == max(seats)}     # tied largest: any of them
    ranked = []
    for r in range(1, n + 1):
        for c in itertools.combinations(range(n), r):
            s = sum(seats[i] for i in c)
            if big & set(c) and s >= quota and all(s - seats[i] < quota for i in c):
                ranked.append(((r, s), frozenset(c)))
    others = (1 << n) - 1 - len(ranked)
    if chosen not in {c for _, c in ranked}:
        return min(1.0, max(0.0, (k - len(ranked)) / others))
    key = next(kk for kk, c in ranked if c == chosen)
    above = sum(kk < key for kk, _ in ranked)
    tied = sum(kk == key for kk, _ in ranked)
    return min(1.0, max(0.0, (k - above) / tied))


def test_time_split_accuracy_against_independent_computations(small):
    res = F.fit_government(small, ("clogit", "mle"), cv="time")
    o = res.results["out_of_sample"]
    test = small.subset(~small.before(F.SPLIT_DATE))
    assert o["n_test"] == test.n_opportunities and o["n_train"] + o["n_test"] == 64
    # baseline: plain sets over the raw rows
    want = {1: [], 5: []}
    par = test.parties
    for opp, tot in zip(test.opportunities["opportunity"], test.opportunities["seats_total"],
                        strict=True):
        rows = par[par["opportunity"] == opp]
        seats = rows["seats"].tolist()
        chosen = frozenset(np.flatnonzero(rows["in_cabinet"].to_numpy() == 1).tolist())
        for k in want:
            want[k].append(brute_baseline_top(seats, int(tot), chosen, k))
    assert o["accuracy"]["baseline"]["top1"] == pytest.approx(np.mean(want[1]), abs=1e-12)
    assert o["accuracy"]["baseline"]["top5"] == pytest.approx(np.mean(want[5]), abs=1e-12)
    # reduced form: every cabinet is listed here, so cross_validate's fit is the same
    cv = G.accuracy_table(G.cross_validate(small, "time"))
    for k in ("top1", "top5"):
        assert o["accuracy"]["reduced_form"][k] == pytest.approx(cv.loc["logit", k], abs=1e-6)
    # structural MLE: the pruned ranking against every cabinet's full probability
    train = small.subset(small.before(F.SPLIT_DATE))
    m = S.fit_structural_mle(S.build_structural_design(train))
    p = m.params.to_numpy()
    full = G.predictive_accuracy(test, S.structural_score(p[None, :-2], p[-2:-1], p[-1:], test))
    for k in ("top1", "top5"):
        assert o["accuracy"]["structural_mle"][k] == pytest.approx(full[k].mean(), abs=1e-9)
    # every reported accuracy is a share and top-5 >= top-1
    for a in o["accuracy"].values():
        assert 0 <= a["top1"] <= a["top5"] <= 1


def test_regularities_closed_forms(small):
    sub = small.subset(small.n_parties <= 6)
    flat = F.regularities(sub, {"flat": lambda i, p, m: np.zeros(len(m)),
                                "incumbent": G.linear_score(
                                    [0, 0, 0, 0, 0, 0, 0, 60.0])})
    n = sub.n_parties.astype(float)
    # a flat score: every one of the 2^n - 1 cabinets equally likely
    assert flat.loc["single-party", "flat"] == pytest.approx(np.mean(n / (2 ** n - 1)))
    assert flat.loc["number of parties (mean)", "flat"] == pytest.approx(
        np.mean(n * 2 ** (n - 1) / (2 ** n - 1)))
    # an overwhelming incumbency score: the outgoing cabinet wherever it is a candidate
    complete = sub.opportunities["incumbent_complete"].to_numpy() == 1
    inc = np.array([p.incumbent is not None for p in sub.parliaments])
    assert (inc <= complete).all()
    assert flat.loc["same parties as the outgoing cabinet", "incumbent"] == pytest.approx(
        inc.mean(), abs=1e-9)
    # observed shares from the raw rows
    size = sub.parties.groupby("opportunity")["in_cabinet"].sum()
    assert flat.loc["single-party", "observed"] == pytest.approx((size == 1).mean())
    assert flat.loc["number of parties (mean)", "observed"] == pytest.approx(size.mean())
    with pytest.raises(InvalidArgumentError, match="data"):
        F.regularities(small.subset(small.n_parties > 99), {})


def test_refuses_bad_requests(small):
    with pytest.raises(InvalidArgumentError, match="--cv"):
        F.fit_government(small, "clogit", cv="random")
    with pytest.raises(InvalidArgumentError, match="split_date"):
        F.fit_government(small, "clogit", split_date="1900-01-01")
    with pytest.raises(InvalidArgumentError, match="two or more countries"):
        F.fit_government(F.select_countries(small, "MLT"), "hierarchical", cv="none")


def test_cli_runs_every_model_from_one_command(tmp_path, capsys):
    """reduced form, structural MLE, Bayesian pooled and hierarchical (sampled tiny), each
    timed, from one command on two countries; then the time split on its own."""
    from restrat.cli import main

    out = tmp_path / "gov.json"
    assert main(["fit", "parlgov", "--model", "all", "--countries", COUNTRIES, "--cv", "none",
                 "--chains", "1", "--draws", "15", "--tune", "15", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    for part in ("Reduced-form conditional logit", "Maximum likelihood", "Bayesian, pooled",
                 "Bayesian, hierarchical by country", "Döring"):
        assert part in text, part
    r = json.loads(out.read_text())
    assert r["models"] == list(F.GOVERNMENT_MODELS) and "out_of_sample" not in r
    for key in ("bayes_pooled", "bayes_hierarchical"):
        assert r[key]["settings"]["draws"] == 15 and r[key]["wall_seconds"] > 0
        assert r[key]["settings"]["chains"] == 1
    assert set(r["bayes_hierarchical"]["alpha_by_country"]) == {"CAN", "MLT"}
    assert r["data"]["opportunities"] == 64
    # the time split follows --split-date (counted from the CSV)
    out.unlink()
    assert main(["fit", "parlgov", "--model", "clogit", "--countries", COUNTRIES,
                 "--split-date", "1990-01-01", "--out", str(out)]) == 0
    r = json.loads(out.read_text())
    opp = pd.read_csv(G.PARLGOV_DIR / "opportunities.csv")
    opp = opp[opp["country"].isin(COUNTRIES.split(","))]
    assert r["out_of_sample"]["n_train"] == int((opp["start_date"] < "1990-01-01").sum())
    assert "Out-of-sample accuracy" in capsys.readouterr().out
    # refused before anything is fitted: an existing --out, an unknown model or country
    assert main(["fit", "parlgov", "--model", "clogit", "--out", str(out)]) == 2
    assert main(["fit", "parlgov", "--model", "probit"]) == 2
    assert main(["fit", "parlgov", "--countries", "XXX"]) == 2
    assert main(["fit", "parlgov", "--split-date", "soon"]) == 2
    err = capsys.readouterr().err
    assert all(w in err for w in ("--out", "--model", "XXX", "split_date"))
    # parlgov options are refused for allocation data
    assert main(["fit", "--countries", "DNK", "--draws", "5"]) == 2


def test_new_countries_get_tolerances_from_the_fitted_population():
    """A hierarchical fit predicting a country it never saw draws that country's tolerance
    from N(mu_alpha, sigma_alpha), draw by draw (a hand-made posterior, no sampling)."""
    import arviz as az

    rng = np.random.default_rng(0)
    S_, C = 4000, 2
    mu, sg = rng.normal(1.0, 0.1, S_), rng.uniform(0.5, 1.5, S_)
    post = {"theta": rng.normal(size=(1, S_, 5)), "kappa": rng.uniform(size=(1, S_)),
            "mu_alpha": mu[None], "sigma_alpha": sg[None],
            "alpha": rng.normal(size=(1, S_, C))}
    idata = az.from_dict(posterior=post, dims={"alpha": ["country"], "theta": ["feature"]},
                         coords={"country": ["AAA", "BBB"]})
    design = S.StructuralDesign([], [], ("AAA", "BBB"), 0, {})
    fit = S.StructuralFit(idata, pd.DataFrame(), design, True, {}, {})
    test = G.simulate_formation(np.zeros(8), n_opportunities=3, n_parties=3)
    test.opportunities["country"] = ["AAA", "CCC", "DDD"]
    dr, countries, new = F._posterior_draws(fit, 2000, test, seed=1)
    assert new == ["CCC", "DDD"] and countries == ["AAA", "BBB", "CCC", "DDD"]
    assert dr["alpha"].shape == (2000, 4) and dr["theta"].shape == (2000, 5)
    # the draw each row came from (kappa values are distinct)
    idx = np.searchsorted(np.sort(post["kappa"][0]), dr["kappa"])
    idx = np.argsort(post["kappa"][0])[idx]
    np.testing.assert_array_equal(dr["alpha"][:, :2], post["alpha"][0, idx])
    # standardised by the population parameters of the same draw: N(0, 1)
    z = (dr["alpha"][:, 2:] - mu[idx, None]) / sg[idx, None]
    assert abs(z.mean()) < 0.05 and z.std() == pytest.approx(1.0, abs=0.04)
