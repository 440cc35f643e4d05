"""Long-format data (estimation.longdata): round trips, files, missing codes, bad input,
winner-only data with sampled alternatives, missing covariates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from estimation import AllocationData, DataValidationError
from estimation.datasets import load_case, load_synthetic
from estimation.longdata import check_long, read_table
from gametheory.restratification import ModelParameters, spec

KEYS = {"regions": ["region"], "organisations": ["region", "organisation"],
        "doctors": ["region", "doctor"], "bids": ["region", "role", "organisation"],
        "members": ["region", "member"], "allocations": ["region", "role"],
        "votes": ["region", "member"]}


def canonical(data: AllocationData) -> dict[str, pd.DataFrame]:
    return {f: df.sort_values(KEYS[f]).reset_index(drop=True)
            for f, df in data.frames().items()}


def total_loglik(data: AllocationData, params: ModelParameters | None = None) -> np.ndarray:
    a = data.arrays()
    parts = spec.log_likelihood(spec.parameters(params or ModelParameters()), a.design, a.obs)
    return np.array([float(np.sum(v)) for v in parts.values()])


@pytest.fixture(scope="module")
def case() -> AllocationData:
    return load_case()


@pytest.fixture(scope="module")
def synth() -> AllocationData:
    return load_synthetic().subset([f"sim-{i:05d}" for i in range(12)])


# ------------------------------------------------------------------ round trips
@pytest.mark.parametrize("which", ["case", "synthetic"])
def test_bundled_data_round_trip(which, case):
    data = case if which == "case" else load_synthetic()
    t = data.to_long()
    assert t["frame"]["chosen"].sum() == data.n_regions
    back = AllocationData.from_long(**t)
    a, b = canonical(data), canonical(back)
    assert a.keys() == b.keys()
    for f in a:
        pd.testing.assert_frame_equal(a[f], b[f], check_dtype=False, obj=f)
    # the same model: identical compiled configurations and likelihood
    assert back.arrays().design.configurations(0) == data.arrays().design.configurations(0)
    np.testing.assert_array_equal(back.arrays().cfg_chosen, data.arrays().cfg_chosen)
    np.testing.assert_allclose(total_loglik(back), total_loglik(data), rtol=0, atol=1e-9)
    np.testing.assert_allclose(total_loglik(back, ModelParameters(delta=0.3, kappa=5.0)),
                               total_loglik(data, ModelParameters(delta=0.3, kappa=5.0)),
                               rtol=0, atol=1e-9)


def test_long_frame_lists_every_configuration_once(synth):
    t = synth.to_long()
    # an independent count: host bidders x centre bidders per region, from the bids table
    n = synth.bids.groupby(["region", "role"]).size().unstack()
    assert len(t["frame"]) == int((n["host"] * n["centre"]).sum())
    assert check_long(t["frame"], opportunity="region", alternative=["host", "centre"],
                      chosen="chosen") == []


def _files(t: dict[str, pd.DataFrame], tmp_path, fmt: str) -> dict[str, str]:
    out = {}
    for k, df in t.items():
        p = tmp_path / f"{k}.{ {'csv': 'csv', 'parquet': 'parquet', 'stata': 'dta'}[fmt] }"
        if fmt == "csv":
            df.to_csv(p, index=False)
        elif fmt == "parquet":
            df.to_parquet(p, index=False)
        else:
            df = df.copy()
            for c in df.columns:
                if df[c].dtype == bool:
                    df[c] = df[c].astype(np.int8)
                elif df[c].dtype == object:
                    df[c] = df[c].fillna("").astype(str)
            df.to_stata(p, write_index=False, version=118)
        out[k] = str(p)
    return out


@pytest.mark.parametrize("fmt", ["csv", "parquet", "stata"])
def test_files_with_declared_missing_codes(fmt, case, tmp_path):
    t = case.to_long()
    long = t["frame"].copy()
    # a code where the same organisation's value is known elsewhere: missing, not 88888
    long.loc[1, "host_track_record"] = 88888
    long.loc[2, "centre_super"] = -99
    t["frame"] = long
    paths = _files(t, tmp_path, fmt)
    back = AllocationData.from_long(**paths, missing_codes={"host_track_record": 88888,
                                                            "centre_super": [-99]})
    np.testing.assert_allclose(total_loglik(back), total_loglik(case), atol=1e-9)
    a, b = canonical(case), canonical(back)
    for f in a:
        pd.testing.assert_frame_equal(a[f], b[f], check_dtype=False, obj=f)
    # undeclared, the codes are refused with their rows and columns
    with pytest.raises(DataValidationError) as err:
        AllocationData.from_long(**paths)
    got = {(p.frame, p.row, p.column) for p in err.value.problems}
    assert {("long", 1, "host_track_record"), ("long", 2, "centre_super")} <= got


def test_stata_file_written_by_pandas_reads_its_ids_and_codes(tmp_path):
    df = pd.DataFrame({"region": ["r1", "r1", "r2"], "x": [1.5, 88888.0, 2.0],
                       "n": [1, 2, 99999]})
    df.to_stata(tmp_path / "d.dta", write_index=False)
    got = read_table(tmp_path / "d.dta", missing_codes={"x": 88888, "n": 99999})
    assert got["region"].tolist() == ["r1", "r1", "r2"]
    assert got["x"].isna().tolist() == [False, True, False]
    assert got["n"].isna().tolist() == [False, False, True]


def test_csv_ids_keep_leading_zeros(case, tmp_path):
    t = case.to_long()
    for k in t:
        t[k] = t[k].assign(region="007")
    paths = _files(t, tmp_path, "csv")
    assert AllocationData.from_long(**paths).regions["region"].tolist() == ["007"]


def test_columns_mapped_by_name(case):
    t = case.to_long()
    names = {"region": "network_id", "host": "host_org", "centre": "mtc", "chosen": "picked",
             "quota": "q"}
    t["frame"] = t["frame"].rename(columns={v: k for v, k in names.items()})
    back = AllocationData.from_long(**t, columns=names)
    np.testing.assert_allclose(total_loglik(back), total_loglik(case), atol=1e-9)
    with pytest.raises(DataValidationError, match="'picked'"):
        AllocationData.from_long(**t, columns={**names, "chosen": "nowhere"})


def test_covariates_only_in_the_long_table(case):
    """Organisations without the configuration covariates: filled from the long table;
    the covariates of roles an organisation does not bid for stay empty and are unused."""
    t = case.to_long()
    t["organisations"] = t["organisations"].drop(columns=["track_record", "performance",
                                                          "specialist_breadth",
                                                          "n_super_specialist"])
    back = AllocationData.from_long(**t)
    np.testing.assert_allclose(total_loglik(back), total_loglik(case), atol=1e-9)
    org = back.organisations.set_index("organisation")
    hosts = set(case.bids.loc[case.bids["role"] == "host", "organisation"])
    for o in org.index:
        assert np.isfinite(org.at[o, "track_record"]) == (o in hosts)


# ------------------------------------------------------------------ bad input
def test_bad_input_every_problem_named_nothing_built(synth):
    t = synth.to_long()
    long = t["frame"].copy()
    regs = list(dict.fromkeys(long["region"]))
    r0 = long.index[long["region"] == regs[0]]
    r1 = long.index[long["region"] == regs[1]]
    r2 = long.index[long["region"] == regs[2]]
    long.loc[r0, "chosen"] = 0                        # no chosen configuration
    long.loc[r1, "chosen"] = 1                        # every configuration chosen
    dup = long.loc[[r2[0]]]                           # a configuration listed twice
    long = pd.concat([long.loc[:r2[-1]], dup, long.loc[r2[-1] + 1:]], ignore_index=True)
    long.loc[len(long) - 1, "centre_super"] = 99999   # an undeclared missing code
    mem = t["members"].copy()
    r3 = regs[3]
    mem.loc[mem.index[mem["region"] == r3][0], "weight"] = 1.5   # not a whole number
    r4 = regs[4]
    i4 = long.index[long["region"] == r4]
    long.loc[i4, "total_weight"] += 1                 # weights do not add up to the seats
    with pytest.raises(DataValidationError) as err:
        AllocationData.from_long(long, organisations=t["organisations"], members=mem,
                                 doctors=t["doctors"])
    probs = err.value.problems
    text = str(err.value)

    def has(frame, row, column, words):
        return any(p.frame == frame and p.row == row and p.column == column
                   and words in p.problem for p in probs)

    assert has("long", int(r0[0]), "chosen", "has no chosen alternative")
    for i in r1[1:]:
        assert has("long", int(i), "chosen", "second chosen alternative")
    assert has("long", int(r2[-1]) + 1, "host", "a second time")
    assert has("long", len(long) - 1, "centre_super", "missing-value code")
    mrow = int(mem.index[mem["region"] == r3][0])
    assert has("members", mrow, "weight", "not a whole number")
    assert has("long", int(i4[0]), "total_weight", "not the sum")
    assert text.count("\n  - ") == len(probs) >= 6


def test_unlisted_pair_and_inconsistent_values_named(case):
    t = case.to_long()
    long = t["frame"].copy()
    long = long.drop(index=4).reset_index(drop=True)          # one (host, centre) pair gone
    long.loc[0, "quota"] = 12                                 # differs within the region
    long.loc[3, "host_track_record"] = 0.1                    # differs for the same host
    with pytest.raises(DataValidationError) as err:
        AllocationData.from_long(long, organisations=t["organisations"],
                                 members=t["members"])
    msgs = [(p.row, p.column, p.problem) for p in err.value.problems]
    assert any(c == "centre" and "is not listed" in m for _, c, m in msgs)
    assert any(r in (1, 2, 3, 4) and c == "quota" and "differs within region" in m
               for r, c, m in msgs)
    assert any(r == 3 and c == "host_track_record" and "differs" in m for r, c, m in msgs)


def test_members_required(case):
    t = case.to_long()
    t["members"] = None
    with pytest.raises(DataValidationError, match="management group"):
        AllocationData.from_long(**t)


def test_unknown_missing_code_column_and_policy(case):
    t = case.to_long()
    with pytest.raises(DataValidationError, match="names a column that no table has"):
        AllocationData.from_long(**t, missing_codes={"capitol": 88888})
    with pytest.raises(ValueError, match="missing"):
        AllocationData.from_long(**t, missing="mean")


def test_unreadable_file_named(case, tmp_path):
    t = case.to_long()
    (tmp_path / "long.csv").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DataValidationError) as err:
        AllocationData.from_long(tmp_path / "long.csv", organisations=t["organisations"],
                                 members=t["members"])
    assert err.value.problems[0].frame == "long"


# ------------------------------------------------------------------ missing covariates
def test_missing_covariates_refused_by_row_or_kept_for_imputation(case):
    t = case.to_long()
    long = t["frame"].copy()
    org = t["organisations"].copy()
    host = long.at[0, "host"]
    org.loc[org["organisation"] == host, "track_record"] = np.nan
    long.loc[long["host"] == host, "host_track_record"] = np.nan
    doc = t["doctors"].copy()
    doc.loc[1, "social"] = np.nan
    kw = {"organisations": org, "members": t["members"], "doctors": doc}
    with pytest.raises(DataValidationError) as err:
        AllocationData.from_long(long, **kw)
    got = {(p.frame, p.row, p.column) for p in err.value.problems}
    want = {("long", int(i), "host_track_record") for i in long.index[long["host"] == host]}
    assert want | {("doctors", 1, "social")} == got
    data = AllocationData.from_long(long, **kw, missing="impute")
    assert data.missing_covariates and data.n_missing == 2


# ------------------------------------------------------------------ winner-only data
def _winner_only(data: AllocationData) -> dict[str, pd.DataFrame]:
    t = data.to_long()
    t["frame"] = t["frame"][t["frame"]["chosen"] == 1].drop(columns="chosen")
    t["bids"] = data.bids
    return t


def test_winner_only_with_every_pair_is_the_full_data(synth):
    back = AllocationData.from_long(**_winner_only(synth))
    assert not back.sampled
    np.testing.assert_allclose(total_loglik(back), total_loglik(synth), atol=1e-9)


def test_winner_only_sampled_alternatives_and_correction(synth):
    par = spec.parameters(ModelParameters(delta=1.0))
    sampled = AllocationData.from_long(**_winner_only(synth), sample=3, seed=4)
    assert sampled.sampled
    alt = sampled.alternatives
    ncfg = synth.arrays().design.n_configurations
    assert (sampled.arrays().design.n_configurations <= np.minimum(ncfg, 4)).all()
    # independent: the full data's choice probabilities p_j, reweighted on the sample
    full = synth.arrays()
    pr = spec.probabilities(par, full.design).choice
    a = sampled.arrays()
    got = spec.log_likelihood(par, a.design, a.obs)["configuration"]
    for g, r in enumerate(a.region_names):
        gf = full.region_names.index(r)
        cfgs = full.design.configurations(gf)
        sub = alt[alt["region"] == r]
        idx = [cfgs.index((h, m)) for h, m in zip(sub["host"], sub["centre"], strict=True)]
        logp = np.log(pr[gf, idx]) + sub["offset"].to_numpy()
        c = cfgs[int(full.cfg_chosen[gf])]
        k = [i for i, hm in enumerate(zip(sub["host"], sub["centre"], strict=True))
             if hm == c][0]
        want = logp[k] - np.log(np.exp(logp).sum())
        assert got[g] == pytest.approx(want, abs=1e-9)
    # the offset is McFadden's: log(times drawn, +1 for the chosen) - log(1 / n)
    g0 = a.region_names[0]
    n0 = int(ncfg[full.region_names.index(g0)])
    off = alt.loc[alt["region"] == g0, "offset"].to_numpy()
    counts = np.exp(off) / n0
    assert np.allclose(counts, np.round(counts)) and counts.sum() == 4


def test_winner_only_refuses_two_rows_per_region(synth):
    t = _winner_only(synth)
    t["frame"] = pd.concat([t["frame"], t["frame"].iloc[[0]]], ignore_index=True)
    with pytest.raises(DataValidationError, match="second row of a winner-only region"):
        AllocationData.from_long(**t)


# ------------------------------------------------------------------ imputation in the model
def _with_missing(case: AllocationData) -> tuple[AllocationData, str, str]:
    t = case.to_long()
    host = case.allocations.set_index("role").at["host", "holder"]
    t["frame"].loc[t["frame"]["host"] == host, "host_performance"] = np.nan
    org = t["organisations"]
    org.loc[org["organisation"] == host, "performance"] = np.nan
    doc = t["doctors"]
    cand = doc.index[(doc["organisation"] == host) & ~doc["opinion_leader"].astype(bool)][0]
    doc.loc[cand, "social"] = np.nan
    return AllocationData.from_long(**t, missing="impute"), host, doc.at[cand, "doctor"]


def test_missing_covariates_are_latent_variables_of_the_bayesian_model(case):
    import pymc as pm

    from estimation.models import structural_model

    data, host, _ = _with_missing(case)
    assert data.n_missing == 2
    m = structural_model(data)
    names = {v.name for v in m.free_RVs}
    assert {"impute_config", "impute_capital"} <= names
    # the prior is centred on the observed values of the column (host bidders' performance)
    hosts = set(case.bids.loc[case.bids["role"] == "host", "organisation"]) - {host}
    perf = case.organisations.set_index("organisation").loc[sorted(hosts), "performance"]
    # the likelihood at imputed value v equals the complete data's likelihood with v filled in
    v_perf, v_social = 0.31, 0.77
    t = case.to_long()
    t["organisations"].loc[t["organisations"]["organisation"] == host, "performance"] = v_perf
    t["frame"].loc[t["frame"]["host"] == host, "host_performance"] = v_perf
    doc = t["doctors"]
    cand = doc.index[(doc["organisation"] == host) & ~doc["opinion_leader"].astype(bool)][0]
    doc.loc[cand, "social"] = v_social
    complete = structural_model(AllocationData.from_long(**t))
    point = complete.initial_point()
    point["lam_theta"] = np.array([1.0, 2.0, 3.0, 0.5])   # the covariates matter
    point["alpha"] = np.array([0.5, 1.5, 1.0])
    f_c = complete.compile_fn(complete.observedlogp, inputs=complete.value_vars,
                              mode="FAST_COMPILE")
    ip = m.initial_point()
    for k in point:
        ip[k] = point[k]

    def transformed(name, v):
        rv = m[name]
        return m.rvs_to_transforms[rv].forward(np.array([v]), *rv.owner.inputs).eval()

    ip[m.rvs_to_values[m["impute_config"]].name] = transformed("impute_config", v_perf)
    ip[m.rvs_to_values[m["impute_capital"]].name] = transformed("impute_capital", v_social)
    f_m = m.compile_fn(m.observedlogp, inputs=m.value_vars, mode="FAST_COMPILE")
    assert float(f_m(ip)) == pytest.approx(float(f_c(point)), abs=1e-9)
    ip[m.rvs_to_values[m["impute_config"]].name] = transformed("impute_config", v_perf + .2)
    assert float(f_m(ip)) != pytest.approx(float(f_c(point)), abs=1e-6)
    ip[m.rvs_to_values[m["impute_config"]].name] = transformed("impute_config", v_perf)
    ip[m.rvs_to_values[m["impute_capital"]].name] = transformed("impute_capital", v_social + 1)
    assert float(f_m(ip)) != pytest.approx(float(f_c(point)), abs=1e-6)
    # prior: normal (truncated at 0) around the other host bidders' performance
    prior = pm.logp(m["impute_config"], np.array([v_perf])).eval()
    from scipy.stats import truncnorm

    mu_, sd_ = perf.mean(), (perf.std(ddof=1) if len(perf) > 1 else 1.0)
    want = truncnorm.logpdf(v_perf, (0 - mu_) / sd_, np.inf, loc=mu_, scale=sd_)
    assert float(prior[0]) == pytest.approx(float(want), rel=1e-6)


def test_fits_fill_the_missing_covariates_with_their_posterior_means(case):
    import arviz as az

    from estimation.fit import _fill_imputed
    from estimation.models.structural import imputation_index

    data, _, _ = _with_missing(case)
    a = data.arrays()
    assert np.isnan(a.design.cfg_x[a.design.cfg_mask]).any()
    post = {"impute_config": np.full((2, 5, 1), 0.4), "impute_capital": np.full((2, 5, 1), 0.6)}
    post["impute_config"][1] = 0.6                       # posterior mean 0.5
    filled = _fill_imputed(a, az.from_dict(posterior=post)).design
    assert np.isfinite(filled.cfg_x[filled.cfg_mask]).all()
    pos = imputation_index(a.design)["config"][0]
    assert np.allclose(filled.cfg_x[pos], 0.5)
    with pytest.raises(est_errors().EstimationError, match="cannot impute"):
        __import__("estimation").fit_mle(data)


def est_errors():
    import estimation.errors as e

    return e


def test_unread_empty_covariates_do_not_count_as_missing(case):
    t = case.to_long()
    t["organisations"] = t["organisations"].drop(columns=["track_record", "performance"])
    data = AllocationData.from_long(**t)
    assert data.organisations["track_record"].isna().any() and data.n_missing == 0
    data.require_complete("a test")          # nothing the model reads is missing
