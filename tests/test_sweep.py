"""Tests of estimation.sweep: designs, seeds, atomic batches, kill and resume, Dask, bad input."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from estimation import sweep
from gametheory.errors import InvalidArgumentError, RestratError, SolverError
from gametheory.restratification import ModelParameters, run, scenarios

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ point functions
def draws(point, rng):
    """Outputs that depend on the point's stream and its parameters."""
    return {"u": float(rng.random()), "k": int(rng.integers(0, 10**9)),
            "y": float(point.get("x", 0.0)) * 2 + float(rng.normal())}


class Scrambled:
    """Sleeps so that points finish out of index order on several workers."""

    def describe(self):
        return {"kind": "test-scrambled"}

    def __call__(self, point, rng):
        time.sleep(0.002 * ((int(point["x"] * 7)) % 5))
        return draws(point, rng)


class Flaky:
    """Raises at one point index (identified by x); same description either way."""

    def __init__(self, fail_x=None):
        self.fail_x = fail_x

    def describe(self):
        return {"kind": "test-flaky"}

    def __call__(self, point, rng):
        if self.fail_x is not None and point["x"] == self.fail_x:
            raise RuntimeError("boom at the chosen point")
        return draws(point, rng)


def expected_rows(fn, design, seed):
    return pd.DataFrame([sweep.run_point(fn, seed, i, p)
                         for i, p in enumerate(design.to_dict("records"))])


def outputs(df):
    return df.drop(columns=["elapsed_s"]).reset_index(drop=True)


def x_design(n):
    return pd.DataFrame({"x": np.arange(n, dtype=float)})


# ------------------------------------------------------------------ designs
def test_parse_param_forms():
    assert sweep.parse_param("delta=0:2:21").values == tuple(np.linspace(0, 2, 21))
    assert sweep.parse_param("lambda=0.5,1,2").values == (0.5, 1.0, 2.0)
    assert sweep.parse_param("mu=3").values == (3.0,)
    s = sweep.parse_param("power_index=banzhaf,shapley_shubik")
    assert s.values == ("banzhaf", "shapley_shubik")
    c = sweep.parse_param(" delta = 0 : 2 ")
    assert c.name == "delta" and c.bounds == (0.0, 2.0) and c.is_continuous


def test_grid_is_product_first_slowest():
    g = sweep.grid(["delta=0:2:3", "lambda=0.5,1"])
    assert list(g.columns) == ["delta", "lambda"]
    assert g.to_dict("records") == [
        {"delta": b, "lambda": lam} for b in (0.0, 1.0, 2.0) for lam in (0.5, 1.0)]


def test_random_design_reproducible_and_in_range():
    specs = ["delta=0:2", "lambda=1,5", "mu=0:1:3", "eta=0.7"]
    d = sweep.random_design(specs, 200, seed=9)
    assert d.equals(sweep.random_design(specs, 200, seed=9))
    assert not d.equals(sweep.random_design(specs, 200, seed=10))
    assert d["delta"].between(0, 2).all() and d["delta"].nunique() == 200
    assert set(d["lambda"]) == {1.0, 5.0}
    assert set(d["mu"]) == {0.0, 0.5, 1.0}
    assert (d["eta"] == 0.7).all()


def test_read_design_csv_and_parquet(tmp_path):
    df = pd.DataFrame({"delta": [0.0, 1.5], "lambda": [1.0, 2.0],
                       "power_index": ["banzhaf", "shapley_shubik"]})
    df.to_csv(tmp_path / "d.csv", index=False)
    df.to_parquet(tmp_path / "d.parquet", index=False)
    for name in ("d.csv", "d.parquet"):
        got = sweep.read_design(tmp_path / name, required=["delta"])
        assert got.to_dict("records") == df.to_dict("records")


def test_design_crossed_with_grid(tmp_path):
    pd.DataFrame({"delta": [0, 1]}).to_csv(tmp_path / "d.csv", index=False)
    d = sweep.cross(sweep.read_design(tmp_path / "d.csv"), sweep.grid(["lambda=1,2,3"]))
    assert len(d) == 6 and list(d.columns) == ["delta", "lambda"]


def test_point_key_stable_and_type_insensitive():
    k = sweep.point_key(3, {"delta": 1, "lambda": 0.5})
    assert k == sweep.point_key(3, {"lambda": 0.5, "delta": 1.0})
    assert k == sweep.point_key(3, {"delta": np.float64(1.0), "lambda": np.float32(0.5)})
    assert k != sweep.point_key(4, {"delta": 1, "lambda": 0.5})
    assert k != sweep.point_key(3, {"delta": 1, "lambda": 0.25})
    assert len(k) == 16 and int(k, 16) >= 0


# ------------------------------------------------------------------ seeds
def test_point_seed_is_spawned_child():
    kids = np.random.SeedSequence(123).spawn(6)
    for i in (0, 5):
        a = np.random.default_rng(sweep.point_seed(123, i)).random(3)
        b = np.random.default_rng(kids[i]).random(3)
        assert np.array_equal(a, b)


def test_results_independent_of_workers_and_order(tmp_path):
    design = x_design(24)
    fn = Scrambled()
    one = sweep.run_sweep(fn, design, tmp_path / "w1", seed=11, workers=1, progress=False)
    two = sweep.run_sweep(fn, design, tmp_path / "w2", seed=11, workers=2, chunk_size=1,
                          batch_size=5, progress=False)
    r1, r2 = outputs(one.results()), outputs(two.results())
    pd.testing.assert_frame_equal(r1, r2)
    # completion order really was scrambled on two workers (rows land in parts as they finish)
    parts = sorted((tmp_path / "w2").glob("part-*.parquet"))
    assert len(parts) == 5
    # the same points run one by one in a shuffled order give the same rows
    order = np.random.default_rng(0).permutation(len(design))
    pts = design.to_dict("records")
    shuffled = {int(i): sweep.run_point(fn, 11, int(i), pts[i]) for i in order}
    again = pd.DataFrame([shuffled[i] for i in range(len(design))])
    pd.testing.assert_frame_equal(r1[["u", "k", "y"]], again, check_dtype=False)
    # a different root seed changes every stream; each point's stream differs from the others
    other = outputs(sweep.run_sweep(fn, design, tmp_path / "w3", seed=12, workers=1,
                                    progress=False).results())
    assert not np.any(other["u"].to_numpy() == r1["u"].to_numpy())
    assert r1["u"].nunique() == len(design)


# ------------------------------------------------------------------ atomic batches
def test_batches_are_separate_atomic_parts(tmp_path):
    out = tmp_path / "res.parquet"
    run_ = sweep.run_sweep(draws, x_design(10), out, seed=1, workers=1, batch_size=3,
                           progress=False)
    parts = sorted(out.glob("part-*.parquet"))
    assert [len(pd.read_parquet(p)) for p in parts] == [3, 3, 3, 1]
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [sweep.LOCK]  # no temps
    manifest = json.loads((out / sweep.MANIFEST).read_text())
    assert manifest["seed"] == 1 and manifest["n_points"] == 10
    assert run_.n_computed == 10
    # the folder is an ordinary Parquet dataset
    assert len(pd.read_parquet(out)) == 10
    res = sweep.read_results(out)
    assert res["index"].tolist() == list(range(10))
    assert list(res.columns[:3]) == ["index", "key", "x"]


def test_failed_write_leaves_only_whole_parts(tmp_path, monkeypatch):
    out = tmp_path / "res.parquet"
    real = os.replace
    calls = {"n": 0}

    def flaky_replace(src, dst):
        if str(dst).endswith(".parquet") and "part-" in str(dst):
            calls["n"] += 1
            if calls["n"] >= 3:    # the disk stays full: the rescue flush fails too
                raise OSError("disk full (simulated)")
        return real(src, dst)

    monkeypatch.setattr(sweep.os, "replace", flaky_replace)
    with pytest.raises(OSError, match="disk full"):
        sweep.run_sweep(draws, x_design(12), out, seed=2, workers=1, batch_size=2,
                        progress=False)
    monkeypatch.setattr(sweep.os, "replace", real)
    names = sorted(p.name for p in out.iterdir())
    assert names == [sweep.LOCK, sweep.MANIFEST, "part-000-000000.parquet",
                     "part-000-000001.parquet"]
    assert len(sweep.read_results(out)) == 4
    done = sweep.run_sweep(draws, x_design(12), out, workers=1, resume=True, progress=False)
    assert (done.n_reused, done.n_computed, done.seed) == (4, 8, 2)
    res = sweep.read_results(out)
    pd.testing.assert_frame_equal(res[["u", "k", "y"]],
                                  expected_rows(draws, x_design(12), 2), check_dtype=False)


def test_failed_point_saves_finished_rows_then_resumes(tmp_path):
    out = tmp_path / "res.parquet"
    design = x_design(15)
    with pytest.raises(sweep.PointFailedError) as info:
        sweep.run_sweep(Flaky(fail_x=9.0), design, out, seed=5, workers=1, batch_size=4,
                        progress=False)
    err = info.value
    assert isinstance(err, SolverError) and err.index == 9 and err.point == {"x": 9.0}
    assert "boom" in str(err) and "RuntimeError" in err.worker_traceback
    assert sorted(sweep.read_results(out)["index"]) == list(range(9))
    done = sweep.run_sweep(Flaky(), design, out, seed=5, workers=1, resume=True,
                           progress=False)
    assert (done.n_reused, done.n_computed) == (9, 6)
    res = sweep.read_results(out)
    assert res["index"].tolist() == list(range(15))
    pd.testing.assert_frame_equal(res[["u", "k", "y"]], expected_rows(draws, design, 5),
                                  check_dtype=False)


def test_failed_point_in_worker_process(tmp_path):
    with pytest.raises(sweep.PointFailedError, match="point 3"):
        sweep.run_sweep(Flaky(fail_x=3.0), x_design(8), tmp_path / "r", seed=1, workers=2,
                        chunk_size=1, progress=False)


class KillsItsWorker:
    """Kills the worker process running point x == kill_x (never the test process)."""

    def __init__(self, kill_x=None, parent=None):
        self.kill_x = kill_x
        self.parent = parent

    def describe(self):
        return {"kind": "test-lost-worker"}

    def __call__(self, point, rng):
        if point["x"] == self.kill_x and os.getpid() != self.parent:
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.01)
        return draws(point, rng)


def test_lost_worker_process_then_resume(tmp_path):
    out = tmp_path / "res.parquet"
    design = x_design(40)
    with pytest.raises(sweep.WorkerLostError, match="worker process died") as info:
        sweep.run_sweep(KillsItsWorker(30.0, os.getpid()), design, out, seed=6, workers=2,
                        chunk_size=1, batch_size=3, progress=False)
    assert isinstance(info.value, SolverError)
    before = sweep.read_results(out)
    assert 0 < len(before) < 40 and 30 not in set(before["index"])
    done = sweep.run_sweep(KillsItsWorker(), design, out, workers=2, resume=True,
                           progress=False)
    assert done.n_reused == len(before) and done.n_computed == 40 - len(before)
    res = sweep.read_results(out)
    assert res["index"].tolist() == list(range(40))
    pd.testing.assert_frame_equal(res[["u", "k", "y"]], expected_rows(draws, design, 6),
                                  check_dtype=False)


_KILL_SCRIPT = textwrap.dedent("""
    import faulthandler, signal, sys, time
    # take Ctrl-C as a terminal would deliver it, whatever signal state the process
    # that started this one left (an ignored or blocked SIGINT is inherited over exec),
    # and dump every thread's stack on SIGUSR1 so that a hang can be diagnosed
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    from estimation import sweep

    class Slow:
        def describe(self):
            return {"kind": "test-kill"}

        def __call__(self, point, rng):
            # slow after point 20, so the sweep cannot finish before the signal arrives
            # however late a loaded machine lets the test deliver it
            time.sleep(0.02 if point["x"] <= 20 else 0.5)
            if point["x"] == 20:
                open(sys.argv[1] + ".reached-20", "w").close()
            return {"u": float(rng.random()), "k": int(rng.integers(0, 10**9)),
                    "y": float(point["x"]) * 2 + float(rng.normal())}

    import pandas as pd, numpy as np
    design = pd.DataFrame({"x": np.arange(400, dtype=float)})
    try:
        sweep.run_sweep(Slow(), design, sys.argv[1], seed=77, workers=int(sys.argv[2]),
                        batch_size=int(sys.argv[3]), chunk_size=1, flush_seconds=600,
                        progress=False)
    except KeyboardInterrupt:
        sys.exit(130)
""")


class KillResume:
    def describe(self):
        return {"kind": "test-kill"}

    def __call__(self, point, rng):
        return draws(point, rng)


def _wait_for_parts(out: Path, proc: subprocess.Popen, k: int, timeout: float = 30) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if len(list(out.glob("part-*.parquet"))) >= k:
            return
        if proc.poll() is not None:
            raise AssertionError(f"sweep ended early: {proc.stderr.read()!r}")
        time.sleep(0.02)
    raise AssertionError("no parts written in time")


@pytest.mark.parametrize("workers", [1, 2])
def test_killed_sweep_resumes_without_loss_or_duplicates(tmp_path, workers):
    out = tmp_path / "res.parquet"
    proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(out), str(workers), "5"],
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _wait_for_parts(out, proc, 4)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    before = sweep.read_results(out)
    assert 0 < len(before) < 400, "the kill came too late to test anything"
    design = x_design(400)
    done = sweep.run_sweep(KillResume(), design, out, workers=1, resume=True, progress=False)
    assert done.seed == 77 and done.n_reused == len(before)
    assert done.n_reused + done.n_computed == 400
    res = sweep.read_results(out)
    assert res["index"].tolist() == list(range(400))          # nothing lost, nothing twice
    assert res["key"].is_unique
    pd.testing.assert_frame_equal(res[["u", "k", "y"]], expected_rows(draws, design, 77),
                                  check_dtype=False)
    # rows written before the kill are kept as they were
    kept = res.set_index("index").loc[before["index"]]
    assert np.array_equal(kept["u"].to_numpy(), before["u"].to_numpy())
    # resuming a finished sweep computes nothing
    assert sweep.run_sweep(KillResume(), design, out, workers=1, resume=True,
                           progress=False).n_computed == 0


def test_ctrl_c_saves_unwritten_rows_then_resumes(tmp_path):
    out = tmp_path / "res.parquet"
    marker = Path(str(out) + ".reached-20")
    # the child's stderr goes to a file, not a pipe nobody reads while waiting (a full
    # pipe would block the child)
    err_path = tmp_path / "child-stderr.txt"
    # one batch would be 1000 rows: only the rescue flush on Ctrl-C writes anything
    with open(err_path, "w") as err:
        proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(out), "1", "1000"],
                                stderr=err, text=True, start_new_session=True)
    try:
        t0 = time.monotonic()
        while not marker.exists():
            assert proc.poll() is None, err_path.read_text()
            assert time.monotonic() - t0 < 120   # generous: a loaded machine is slow
            time.sleep(0.02)
        assert not list(out.glob("part-*.parquet"))
        os.killpg(proc.pid, signal.SIGINT)
        try:
            code = proc.wait(120)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGUSR1)        # the child dumps its stacks
            time.sleep(2)
            raise AssertionError("the sweep did not end within 120 s of Ctrl-C; its "
                                 f"stacks:\n{err_path.read_text()}") from None
        assert code == 130, err_path.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    before = sweep.read_results(out)
    assert len(before) >= 20 and before["index"].tolist() == list(range(len(before)))
    done = sweep.run_sweep(KillResume(), x_design(400), out, workers=1, resume=True,
                           progress=False)
    assert done.n_reused == len(before)
    res = sweep.read_results(out)
    pd.testing.assert_frame_equal(res[["u", "k", "y"]], expected_rows(draws, x_design(400), 77),
                                  check_dtype=False)


def test_cli_scenario_sweep_killed_and_resumed(tmp_path):
    out = tmp_path / "cli.parquet"
    args = ["random-region", "--random", "14", "--param", "delta=0:3", "--seed", "21",
            "--workers", "1", "--batch-size", "2", "--out", str(out), "--no-progress"]
    code = f"import sys; from estimation.sweep import main; sys.exit(main({args!r}))"
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        _wait_for_parts(out, proc, 2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    before = sweep.read_results(out)
    assert 0 < len(before) < 14
    # resume without repeating --seed: the recorded seed redraws the same design
    resume_args = [a for a in args if a not in ("--seed", "21")] + ["--resume"]
    assert sweep.main(resume_args) == 0
    res = sweep.read_results(out)
    assert res["index"].tolist() == list(range(14)) and res["key"].is_unique
    assert res["delta"].between(0, 3).all()
    # one resumed row checked against the model run directly
    row = res.iloc[-1]
    direct = run(scenarios.load("random-region", seed=int(row["region_seed"])),
                 ModelParameters(delta=float(row["delta"])))
    assert (row["host"], row["centre"]) == direct.chosen


# ------------------------------------------------------------------ the scenario kind
def test_scenario_point_outputs(tmp_path):
    design = sweep.grid(["delta=0,4"])
    r = sweep.run_sweep(sweep.ScenarioPoint("random-region", {"seed": 3}), design,
                        tmp_path / "s", seed=1, workers=1, progress=False).results()
    assert set(r.columns) >= {"host", "centre", "probability", "all_blocked", "bloc_power",
                              "network_director", "centre_director", "concession_value",
                              "n_concession_roles", "stable", "shortfall", "region_seed"}
    assert (r["region_seed"] == 3).all()
    for _, row in r.iterrows():
        res = run(scenarios.load("random-region", seed=3), ModelParameters(delta=row["delta"]))
        t = res.allocation.table
        assert (row["host"], row["centre"]) == res.chosen
        assert row["probability"] == pytest.approx(float(t.loc[t["chosen"], "probability"]
                                                         .iloc[0]))
        assert row["bloc_power"] == pytest.approx(res.allocation.bloc_power)
        assert row["shortfall"] == pytest.approx(res.concessions.shortfall)
        assert row["centre_director"] == res.directors[res.region.roles.centre_director]
    assert 0 < r["probability"].max() <= 1


def test_random_region_seed_comes_from_point_stream():
    f = sweep.ScenarioPoint("random-region")
    a = sweep.run_point(f, 4, 0, {"delta": 1.0})
    b = sweep.run_point(f, 4, 1, {"delta": 1.0})
    expect = int(np.random.default_rng(sweep.point_seed(4, 0)).integers(0, 2**63 - 1))
    assert a["region_seed"] == expect != b["region_seed"]


# ------------------------------------------------------------------ the calibration kind
def test_calibration_kind_runs_sbc_replicate(tmp_path):
    fn = sweep.point_function("calibration", "random-region",
                              sweep.parse_options(["n_regions=4", "draws=20", "tune=20",
                                                   "chains=1", "n_posterior=10",
                                                   "sampler=auto"]))
    design = pd.DataFrame({"delta": [1.5]})
    res = sweep.run_sweep(fn, design, tmp_path / "cal", seed=3, workers=1,
                          progress=False).results()
    row = res.iloc[0]
    assert row["delta_truth"] == 1.5                      # fixed by the point
    # the other truths are the prior draw from the point's own stream
    truth = fn.truth({"delta": 1.5}, np.random.default_rng(sweep.point_seed(3, 0)))
    from estimation.simulate import normalised_truth
    from gametheory.restratification.spec import DEFAULT_FIXED
    for k, v in normalised_truth(truth).items():
        if k in DEFAULT_FIXED:                # held fixed by the fit: no rank
            assert f"{k}_rank" not in row.index
            continue
        assert row[f"{k}_truth"] == pytest.approx(v)
        assert 0 <= row[f"{k}_rank"] <= 10
        assert isinstance(row[f"{k}_in95"], (bool, np.bool_))
    assert row["kappa_truth"] != 2.0 and row["n_posterior"] == 10


def test_calibration_options_errors(tmp_path, capsys):
    with pytest.raises(sweep.SweepError, match="unknown calibration option"):
        sweep.point_function("calibration", "random-region", {"n_sim": 3})
    with pytest.raises(sweep.SweepError, match=r"integer in \[1, 1,000,000\]"):
        sweep.point_function("calibration", "random-region", {"draws": 0})
    with pytest.raises(sweep.UnknownParameterError):
        sweep.run_sweep(sweep.CalibrationPoint(), sweep.grid(["deltta=1,2"]), tmp_path / "c",
                        progress=False)
    assert sweep.main(["random-region", "--kind", "calibration", "--option", "sampler=nope",
                       "--out", str(tmp_path / "o")]) == 2
    assert "unknown sampler" in capsys.readouterr().err
    with pytest.raises(sweep.SweepError, match="KEY=VALUE"):
        sweep.parse_options(["n_regions"])


# ------------------------------------------------------------------ progress
def test_progress_bar_time_left():
    ticks = iter([0.0, 5.0, 20.0, 20.0])
    buf = io.StringIO()
    p = sweep.Progress(40, stream=buf, clock=ticks.__next__, tty=True, min_interval=0)
    p.update(10)
    assert "10/40" in buf.getvalue() and "left ~0:15" in buf.getvalue()
    p.update(30)
    p.close()
    text = buf.getvalue()
    assert text.startswith("\r") and text.endswith("\n") and "40/40 100%" in text
    assert "left ~0:00" in text


def test_sweep_reports_progress_to_stream(tmp_path):
    buf = io.StringIO()
    sweep.run_sweep(draws, x_design(5), tmp_path / "p", seed=0, workers=1, progress=buf)
    assert "5/5 100%" in buf.getvalue() and "elapsed" in buf.getvalue()


# ------------------------------------------------------------------ Dask on loopback
@pytest.fixture(scope="module")
def dask_cluster():
    import distributed
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  protocol="tcp") as cluster:
        yield cluster


def test_dask_cluster_runs_sweep_like_local(tmp_path, dask_cluster):
    address = dask_cluster.scheduler_address
    assert address.startswith("tcp://127.0.0.1:")
    fn = sweep.ScenarioPoint("random-region")
    design = sweep.grid(["delta=0,2", "lambda=1,5"])
    d = sweep.run_sweep(fn, design, tmp_path / "dask", seed=3, scheduler=address,
                        batch_size=3, chunk_size=1, progress=False)
    local = sweep.run_sweep(fn, design, tmp_path / "local", seed=3, workers=1,
                            progress=False)
    assert d.n_computed == 4 and len(list((tmp_path / "dask").glob("part-*"))) == 2
    pd.testing.assert_frame_equal(outputs(d.results()), outputs(local.results()))
    # the CLI through the same scheduler, resuming on the cluster after a local start
    out = tmp_path / "cli"
    base = ["random-region", "--region-seed", "3", "--param", "delta=0,2", "--seed", "8",
            "--out", str(out), "--no-progress"]
    assert sweep.main(base + ["--workers", "1"]) == 0
    (sorted(out.glob("part-*.parquet"))[0]).unlink()
    assert sweep.main(base + ["--scheduler", address, "--resume"]) == 0
    assert sweep.read_results(out)["index"].tolist() == [0, 1]


class KillsOneDaskWorker:
    """Kills the first worker that runs point x == kill_x; a marker file stops a second kill."""

    def __init__(self, kill_x, marker):
        self.kill_x = kill_x
        self.marker = str(marker)

    def describe(self):
        return {"kind": "test-lost-dask-worker"}

    def __call__(self, point, rng):
        time.sleep(0.02)
        if point["x"] == self.kill_x:
            try:
                fd = os.open(self.marker, os.O_CREAT | os.O_EXCL)
            except FileExistsError:
                pass
            else:
                os.close(fd)
                os.kill(os.getpid(), signal.SIGKILL)
        return {"u": float(rng.random()), "k": int(rng.integers(0, 10**9)),
                "y": float(point["x"]) * 2 + float(rng.normal())}


def test_dask_lost_worker_is_recovered(tmp_path, dask_cluster):
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])   # workers lack tests/
    try:
        marker = tmp_path / "killed-once"
        design = x_design(30)
        done = sweep.run_sweep(KillsOneDaskWorker(12.0, marker), design, tmp_path / "lost",
                               seed=13, scheduler=dask_cluster.scheduler_address,
                               chunk_size=1, batch_size=4, progress=False)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert marker.exists()                      # a worker really died mid-sweep
    assert done.n_computed == 30
    res = sweep.read_results(tmp_path / "lost")
    assert res["index"].tolist() == list(range(30))
    pd.testing.assert_frame_equal(res[["u", "k", "y"]], expected_rows(draws, design, 13),
                                  check_dtype=False)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("spec, problem", [
    ("delta=2:0:5", "inverted range"),
    ("delta=0:1:0", "empty range"),
    ("delta=0:1:-3", "empty range"),
    ("delta=1:1:5", "degenerate"),
    ("delta=0:1:1", "degenerate"),
    ("delta=1:1", "empty range"),
    ("delta=3:1", "inverted range"),
    ("delta=0:1:2.5", "not an integer"),
    ("delta=0:x:5", "not a number"),
    ("delta=0:1:2:3", "2 or 3 parts"),
    ("delta=nan:1:3", "not finite"),
    ("delta", "expected NAME=VALUES"),
    ("=1", "name is empty"),
    ("delta=", "no values"),
    ("delta=1,,2", "empty item"),
    ("delta=1,1", "repeated"),
    ("delta=1,banzhaf", "mixes"),
])
def test_bad_param_specs(spec, problem):
    with pytest.raises(sweep.SweepError, match=problem) as info:
        sweep.parse_param(spec)
    assert isinstance(info.value, InvalidArgumentError)


def test_bad_grids():
    with pytest.raises(sweep.SweepError, match="given twice"):
        sweep.grid(["delta=1,2", "delta=3"])
    with pytest.raises(sweep.DesignError, match="no grid points"):
        sweep.grid(["delta=0:2"])
    with pytest.raises(sweep.SweepError, match="reserved"):
        sweep.grid(["index=1,2"])
    with pytest.raises(sweep.DesignError, match="positive number"):
        sweep.random_design(["delta=0:1"], 0, seed=1)


def test_unknown_parameter_names(tmp_path, capsys):
    with pytest.raises(sweep.UnknownParameterError, match="theta_bogus") as info:
        sweep.run_sweep(sweep.ScenarioPoint("case-region"), sweep.grid(["theta_bogus=1,2"]),
                        tmp_path / "u", workers=1, progress=False)
    assert isinstance(info.value, InvalidArgumentError) and "delta" in str(info.value)
    assert not (tmp_path / "u").exists()      # nothing ran, nothing written
    code = sweep.main(["case-region", "--param", "betta=0:1:3", "--out", str(tmp_path / "c")])
    assert code == 2
    assert "unknown model parameter" in capsys.readouterr().err
    with pytest.raises(sweep.SweepError, match="invalid model parameters"):
        sweep.run_sweep(sweep.ScenarioPoint("case-region"), sweep.grid(["delta=-1,1"]),
                        tmp_path / "v", workers=1, progress=False)


def test_cli_bad_ranges_exit_2(tmp_path, capsys):
    for spec in ("delta=2:0:5", "delta=0:1:0"):
        assert sweep.main(["case-region", "--param", spec,
                           "--out", str(tmp_path / "o")]) == 2
        err = capsys.readouterr().err
        assert "inverted range" in err or "empty range" in err
    assert not (tmp_path / "o").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_scheduler_fails_fast(tmp_path, capsys):
    address = f"tcp://127.0.0.1:{_free_port()}"
    t0 = time.monotonic()
    with pytest.raises(sweep.SchedulerError, match="unreachable") as info:
        sweep.run_sweep(draws, x_design(3), tmp_path / "s", seed=1, scheduler=address,
                        connect_timeout=1.5, progress=False)
    assert time.monotonic() - t0 < 8
    assert isinstance(info.value, SolverError) and "dask scheduler" in str(info.value)
    t0 = time.monotonic()
    code = sweep.main(["random-region", "--scheduler", address, "--connect-timeout", "1",
                       "--out", str(tmp_path / "c"), "--no-progress"])
    assert code == 1 and time.monotonic() - t0 < 8      # a failure, not a usage error
    assert "unreachable" in capsys.readouterr().err
    assert not (tmp_path / "s").exists() and not (tmp_path / "c").exists()  # nothing left
    with pytest.raises(sweep.SweepError, match="not a scheduler address"):
        sweep.run_sweep(draws, x_design(3), tmp_path / "a", scheduler="127.0.0.1",
                        progress=False)


def test_design_file_problems(tmp_path, capsys):
    p = tmp_path / "d.csv"
    p.write_text("delta,lambda\n0,1\n")
    with pytest.raises(sweep.DesignError, match=r"missing column\(s\) \['mu'\]"):
        sweep.read_design(p, required=["delta", "mu"])
    p.write_text("delta,lambda\n0,1\n2\n")
    with pytest.raises(sweep.DesignError, match="line 3 has 1 field"):
        sweep.read_design(p)
    assert sweep.main(["case-region", "--design", str(p), "--out", str(tmp_path / "o")]) == 2
    assert "line 3" in capsys.readouterr().err
    p.write_text("delta,lambda\n0,1\n2,\n")
    with pytest.raises(sweep.DesignError, match="blank cells"):
        sweep.read_design(p)
    pd.DataFrame({"delta": [0.0, None]}).to_parquet(tmp_path / "d.parquet")
    with pytest.raises(sweep.DesignError, match="blank cells"):
        sweep.read_design(tmp_path / "d.parquet")
    p.write_text("delta,lambda\n")
    with pytest.raises(sweep.DesignError, match="no rows"):
        sweep.read_design(p)
    p.write_text("")
    with pytest.raises(sweep.DesignError, match="empty"):
        sweep.read_design(p)
    p.write_text("delta,delta\n1,2\n")
    with pytest.raises(sweep.DesignError, match="repeated column"):
        sweep.read_design(p)
    with pytest.raises(sweep.DesignError, match="no such file"):
        sweep.read_design(tmp_path / "absent.csv")
    (tmp_path / "d.xlsx").write_text("x")
    with pytest.raises(sweep.DesignError, match="unknown file type"):
        sweep.read_design(tmp_path / "d.xlsx")
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(sweep.DesignError, match="cannot be read"):
        sweep.read_design(tmp_path / "bad.parquet")
    with pytest.raises(sweep.DesignError, match="missing values"):
        sweep.run_sweep(draws, [{"x": 1.0}, {"y": 2.0}], tmp_path / "m", progress=False)


def test_output_folder_and_resume_mismatches(tmp_path):
    out = tmp_path / "r"
    sweep.run_sweep(draws, x_design(3), out, seed=1, workers=1, progress=False)
    with pytest.raises(sweep.SweepError, match="already holds sweep results"):
        sweep.run_sweep(draws, x_design(3), out, seed=1, workers=1, progress=False)
    with pytest.raises(sweep.SweepError, match="differs from the seed"):
        sweep.run_sweep(draws, x_design(3), out, seed=2, workers=1, resume=True,
                        progress=False)
    with pytest.raises(sweep.SweepError, match="differs from the design"):
        sweep.run_sweep(draws, x_design(4), out, workers=1, resume=True, progress=False)
    with pytest.raises(sweep.SweepError, match="differs from the sweep"):
        sweep.run_sweep(Flaky(), x_design(3), out, workers=1, resume=True, progress=False)
    again = sweep.run_sweep(draws, x_design(3), out, seed=4, workers=1, overwrite=True,
                            progress=False)
    assert again.n_computed == 3 and sweep.read_results(out)["index"].tolist() == [0, 1, 2]
    (tmp_path / "f").write_text("x")
    with pytest.raises(sweep.SweepError, match="is a file"):
        sweep.run_sweep(draws, x_design(3), tmp_path / "f", progress=False)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(sweep.SweepError, match="holds no sweep"):
        sweep.run_sweep(draws, x_design(3), tmp_path / "busy", progress=False)
    for kw in ({"workers": 0}, {"batch_size": 0}, {"seed": -1}, {"connect_timeout": 0}):
        with pytest.raises(sweep.SweepError):
            sweep.run_sweep(draws, x_design(3), tmp_path / "k", progress=False, **kw)


def test_bad_point_outputs(tmp_path):
    with pytest.raises(sweep.SweepError, match="named like parameters"):
        sweep.run_sweep(lambda p, rng: {"x": 1.0}, x_design(2), tmp_path / "a", seed=0,
                        workers=1, progress=False)
    with pytest.raises(sweep.PointFailedError, match="expected a dict"):
        sweep.run_sweep(lambda p, rng: 1.0, x_design(2), tmp_path / "b", seed=0, workers=1,
                        progress=False)
    with pytest.raises(sweep.PointFailedError, match="scalars"):
        sweep.run_sweep(lambda p, rng: {"v": [1, 2]}, x_design(2), tmp_path / "c", seed=0,
                        workers=1, progress=False)


def test_cli_options_errors(tmp_path, capsys):
    assert sweep.main(["case-region", "--random", "3", "--design", "x.csv",
                       "--out", str(tmp_path / "o")]) == 2
    assert "cannot be combined" in capsys.readouterr().err
    assert sweep.main(["case-region", "--region-seed", "3", "--out", str(tmp_path / "o")]) == 2
    assert "random-region" in capsys.readouterr().err
    assert sweep.main(["nowhere-region", "--out", str(tmp_path / "o")]) == 2
    assert "unknown scenario" in capsys.readouterr().err
    assert sweep.main(["case-region", "--kind", "nonsense"]) == 2
    with pytest.raises(RestratError):
        sweep.ScenarioPoint("case-region", {"seed": 1})


def test_sweep_without_pyarrow_refuses_before_computing(tmp_path, monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "pyarrow" else real(name, *a))
    out = tmp_path / "r"
    code = sweep.main(["case-region", "--param", "delta=0:1:3", "--out", str(out),
                       "--workers", "1"])
    assert code == 2
    assert "restrat[sweep]" in capsys.readouterr().err
    assert not out.exists()          # nothing computed, not even a manifest
