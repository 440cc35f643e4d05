"""Sweeps under faults and hostile input: nothing lost, nothing mixed, nothing left running.

A sweep folder is locked while a run writes it; local workers die with the sweep that
started them (``kill -9`` included); copied or damaged part files are detected by
``read_results`` and repaired by ``resume`` without losing a row; designs state their
size and big ones need ``--yes``; options are checked before anything runs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from estimation import sweep
from restrat.cli import main


def draws(point, rng):
    return {"u": float(rng.random()), "y": float(point["x"]) * 2}


def x_design(n: int) -> pd.DataFrame:
    return pd.DataFrame({"x": np.arange(n, dtype=float)})


def cli(capsys, *args):
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return rc, out, err


# ------------------------------------------------------------------ lock
def test_a_locked_folder_is_refused_and_left_alone(tmp_path):
    out = tmp_path / "res.parquet"
    sweep.run_sweep(draws, x_design(6), out, seed=3, workers=1, batch_size=2, progress=False)
    before = sorted(p.name for p in out.iterdir())
    with sweep._FolderLock(out):              # another run holds the folder
        with pytest.raises(sweep.SweepError, match="being written by another sweep") as err:
            sweep.run_sweep(draws, x_design(6), out, workers=1, resume=True, progress=False)
        assert str(os.getpid()) in str(err.value)         # names the holder
    assert sorted(p.name for p in out.iterdir()) == before
    # released: resuming works (and computes nothing)
    assert sweep.run_sweep(draws, x_design(6), out, workers=1, resume=True,
                           progress=False).n_computed == 0


_ORPHAN_HOLDER = r"""
import fcntl, json, os, sys, time
# an orphaned worker of a killed sweep: it still holds the folder's lock (inherited by
# fork), the lock file names a sweep process that is already dead
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
os.ftruncate(fd, 0)
os.write(fd, json.dumps({"pid": int(sys.argv[2])}).encode())
print("held", flush=True)
time.sleep(float(sys.argv[3]))
"""


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_lock_of_a_dead_sweep_is_waited_for_not_refused(tmp_path):
    out = tmp_path / "res.parquet"
    sweep.run_sweep(draws, x_design(6), out, seed=3, workers=1, batch_size=2, progress=False)
    holder = subprocess.Popen([sys.executable, "-c", _ORPHAN_HOLDER, str(out / sweep.LOCK),
                               str(_dead_pid()), "1.5"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        done = sweep.run_sweep(draws, x_design(6), out, workers=1, resume=True,
                               progress=False)
        assert done.n_reused == 6
        assert time.monotonic() - t0 > 0.5          # it waited for the orphan to let go
    finally:
        holder.kill()
        holder.wait()


def test_lock_of_a_live_sweep_is_refused_at_once(tmp_path):
    out = tmp_path / "res.parquet"
    sweep.run_sweep(draws, x_design(6), out, seed=3, workers=1, batch_size=2, progress=False)
    holder = subprocess.Popen([sys.executable, "-c", _ORPHAN_HOLDER, str(out / sweep.LOCK),
                               str(os.getpid()), "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(sweep.SweepError, match="being written by another sweep"):
            sweep.run_sweep(draws, x_design(6), out, workers=1, resume=True, progress=False)
    finally:
        holder.kill()
        holder.wait()


_TWO_RUNS = r"""
import os, sys, time
from estimation import sweep
import pandas as pd, numpy as np

class Held:
    # from point 8 on, wait until the test releases the run (so it is surely still running)
    def describe(self):
        return {"kind": "test-two-runs"}
    def __call__(self, point, rng):
        while point["x"] >= 8 and not os.path.exists(sys.argv[1] + ".release"):
            time.sleep(0.02)
        return {"u": float(rng.random())}

try:
    r = sweep.run_sweep(Held(), pd.DataFrame({"x": np.arange(40.0)}), sys.argv[1], seed=5,
                        workers=1, batch_size=4, progress=False, resume=sys.argv[2] == "1")
    print("done", r.n_computed)
except sweep.SweepError as exc:
    print("refused", exc)
"""


def test_two_concurrent_resumes_do_not_interfere(tmp_path):
    out = tmp_path / "res.parquet"
    first = subprocess.Popen([sys.executable, "-c", _TWO_RUNS, str(out), "0"],
                             stdout=subprocess.PIPE, text=True)
    t0 = time.monotonic()
    while not list(out.glob("part-*.parquet")):
        assert first.poll() is None and time.monotonic() - t0 < 60
        time.sleep(0.02)
    try:
        second = subprocess.run([sys.executable, "-c", _TWO_RUNS, str(out), "1"],
                                capture_output=True, text=True, timeout=120)
    finally:
        Path(str(out) + ".release").touch()
    assert second.stdout.startswith("refused") and "another sweep" in second.stdout
    assert first.wait(120) == 0 and first.stdout.read().startswith("done 40")
    res = sweep.read_results(out)
    assert res["index"].tolist() == list(range(40)) and res["key"].is_unique
    assert len(sweep.read_manifest(out)["runs"]) == 1          # the refused run left no record


# ------------------------------------------------------------------ workers die with the sweep
_SLOW_SWEEP = r"""
import sys, time
from estimation import sweep
import pandas as pd, numpy as np

class Slow:
    def describe(self):
        return {"kind": "test-orphans"}
    def __call__(self, point, rng):
        time.sleep(0.5)
        return {"u": float(rng.random())}

sweep.run_sweep(Slow(), pd.DataFrame({"x": np.arange(400.0)}), sys.argv[1], seed=1,
                workers=2, batch_size=1, chunk_size=1, progress=False)
"""


def _children(pid: int) -> set[int]:
    kids = set()
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            kids.add(int(d.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_a_sweep_leaves_no_worker_running(tmp_path):
    out = tmp_path / "res.parquet"
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_SWEEP, str(out)],
                            stderr=subprocess.PIPE, text=True)
    workers: set[int] = set()
    try:
        t0 = time.monotonic()
        while len(workers) < 2 or not list(out.glob("part-*.parquet")):
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() - t0 < 60, "the sweep did not start"
            workers = {k for k in _children(proc.pid) if _alive(k)}
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)           # the sweep only, not its process group
        proc.wait(10)
        t0 = time.monotonic()
        while any(_alive(w) for w in workers) and time.monotonic() - t0 < 20:
            time.sleep(0.1)
        left = [w for w in workers if _alive(w)]
        assert not left, f"workers {left} outlived the sweep"
    finally:
        for w in workers | _children(proc.pid):
            if _alive(w):
                os.kill(w, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
    # the kill released the folder's lock (the kernel drops it with the last holder)
    t0 = time.monotonic()
    while True:
        try:
            with sweep._FolderLock(out):
                break
        except sweep.SweepError:
            assert time.monotonic() - t0 < 20, "the lock outlived the sweep"
            time.sleep(0.1)


# ------------------------------------------------------------------ copied and damaged parts
def test_copied_part_file_is_read_once_and_repaired_by_resume(tmp_path):
    out = tmp_path / "res.parquet"
    sweep.run_sweep(draws, x_design(12), out, seed=4, workers=1, batch_size=3, progress=False)
    good = sweep.read_results(out)
    parts = sorted(out.glob("part-*.parquet"))
    shutil.copy(parts[1], out / "part-000-000001 (copy).parquet")
    # a partly overlapping part, as two runs computing the same points would leave
    pd.read_parquet(parts[2]).iloc[:2].to_parquet(out / "part-009-000000.parquet", index=False)
    with pytest.warns(sweep.SweepWarning, match="5 rows .* stored more than once"):
        again = sweep.read_results(out)
    pd.testing.assert_frame_equal(again, good)
    done = sweep.run_sweep(draws, x_design(12), out, workers=1, resume=True, progress=False)
    assert (done.n_reused, done.n_computed) == (12, 0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")             # repaired: no warning any more
        pd.testing.assert_frame_equal(sweep.read_results(out), good)
    keys = pd.concat([pd.read_parquet(p) for p in out.glob("part-*.parquet")])["key"]
    assert keys.is_unique and len(keys) == 12


def test_damaged_part_file_named_then_set_aside_and_recomputed(tmp_path):
    out = tmp_path / "res.parquet"
    sweep.run_sweep(draws, x_design(9), out, seed=8, workers=1, batch_size=3, progress=False)
    good = sweep.read_results(out)
    victim = sorted(out.glob("part-*.parquet"))[1]
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])                # truncated
    with pytest.raises(sweep.SweepError, match="cannot be read.*--resume"):
        sweep.read_results(out)
    done = sweep.run_sweep(draws, x_design(9), out, workers=1, resume=True, progress=False)
    assert (done.n_reused, done.n_computed) == (6, 3)
    assert (out / f"corrupt-{victim.name}").exists()
    pd.testing.assert_frame_equal(sweep.read_results(out).drop(columns="elapsed_s"),
                                  good.drop(columns="elapsed_s"))


def test_rows_of_two_sweeps_are_refused_not_mixed(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    sweep.run_sweep(draws, x_design(4), a, seed=1, workers=1, progress=False)
    sweep.run_sweep(draws, pd.DataFrame({"x": np.arange(4.0) + 10}), b, seed=1, workers=1,
                    progress=False)
    shutil.copy(next(b.glob("part-*.parquet")), a / "part-005-000000.parquet")
    with pytest.raises(sweep.SweepError, match="different parameters"):
        sweep.read_results(a)


# ------------------------------------------------------------------ sizes and options
@pytest.mark.parametrize("args,words", [
    (["--param", "delta=0:1:1e12"], "1,000,000,000,000 points"),
    (["--param", "delta=0:1:2e8"], "200,000,000 points"),
    (["--param", "delta=0:1:2000", "--param", "mu=0:1:2000", "--param", "eta=0,1"],
     "8,000,000 points"),
    (["--random", "1000000000000", "--param", "delta=0:1"], "more points than a sweep holds"),
    (["--param", "delta=0:1:200", "--param", "mu=0:1:100"], "Pass --yes"),
    (["--param", "delta=nan"], "not a finite number"),
    (["--param", "delta=abc"], "not a number"),
    (["--param", "lambda=1,2", "--param", "lam=3"], "two names for one parameter"),
    (["--option", "n_districts=3"], "takes no options"),
    (["--workers", "100000"], "more than 256 local processes"),
    (["--connect-timeout", "nan"], "connect_timeout"),
    (["--seed", "-5"], "non-negative integer"),
    (["--batch-size", "0"], "integer >= 1"),
])
def test_sweep_designs_and_options_refused_before_running(tmp_path, capsys, args, words):
    out = tmp_path / "out"
    rc, _, err = cli(capsys, "sweep", "case-region", *args, "--out", out)
    assert rc == 2 and words in err, err
    assert not out.exists()


@pytest.mark.parametrize("option,words", [
    ("foo=1", "unknown option"),
    ("n_districts=abc", "not a whole number"),
    ("n_districts=nan", "not a finite number"),
    ("n_districts=1e12", "not a whole number"),
    ("n_districts=1000000000000", "outside"),
    ("n_districts=", "empty value"),
    ("neutral_bidder=maybe", "true/false"),
])
def test_random_region_options(tmp_path, capsys, option, words):
    rc, _, err = cli(capsys, "sweep", "random-region", "--option", option,
                     "--out", tmp_path / "o")
    assert rc == 2 and words in err, err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("option,words", [
    ("n_regions=1000000000", "integer in [1, 100,000]"),
    ("draws=nan", "not a finite number"),
    ("chains=2.5", "integer in [1, 64]"),
    ("prior=maybe", "true or false"),
    ("draws=1", "given twice"),
])
def test_calibration_options(tmp_path, capsys, option, words):
    extra = ["--option", "draws=5"] if "twice" in words else []
    rc, _, err = cli(capsys, "sweep", "random-region", "--kind", "calibration", *extra,
                     "--option", option, "--out", tmp_path / "o")
    assert rc == 2 and words in err, err


def test_design_file_with_words_in_a_numeric_column(tmp_path, capsys):
    p = tmp_path / "d.csv"
    p.write_text("delta,mu\n0.5,1\nlots,2\n1.5,3\n")
    rc, _, err = cli(capsys, "sweep", "case-region", "--design", p, "--out", tmp_path / "o")
    assert rc == 2 and "column 'delta' mixes numbers and words" in err and "'lots'" in err
    p.write_text("delta,mu\n0.5,inf\n")
    rc, _, err = cli(capsys, "sweep", "case-region", "--design", p, "--out", tmp_path / "o")
    assert rc == 2 and "infinite" in err
    p.write_bytes(b"delta,mu\n\x00\x01,2\n")
    rc, _, err = cli(capsys, "sweep", "case-region", "--design", p, "--out", tmp_path / "o")
    assert rc == 2 and "binary" in err
    assert not (tmp_path / "o").exists()


def test_big_design_runs_with_yes(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sweep, "CONFIRM_POINTS", 3)
    args = ["sweep", "case-region", "--param", "delta=0,1,2,3", "--workers", "1",
            "--out", tmp_path / "o"]
    rc, _, err = cli(capsys, *args)
    assert rc == 2 and "4 points" in err and "--yes" in err and not (tmp_path / "o").exists()
    rc, _, err = cli(capsys, *args, "--yes")
    assert rc == 0 and "4 points over ['delta']" in err
    assert len(sweep.read_results(tmp_path / "o")) == 4


def test_sweep_out_targets(tmp_path, capsys):
    f = tmp_path / "f.txt"
    f.write_text("x")
    for out, words in ((f, "exists and is a file"), (f / "sub", "lies inside"),
                       ("/dev/null", "special file")):
        rc, _, err = cli(capsys, "sweep", "case-region", "--out", out)
        assert rc == 2 and words in err
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    rc, _, err = cli(capsys, "sweep", "case-region", "--out", tmp_path / "mine")
    assert rc == 2 and "holds no sweep" in err
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]


def test_manifest_that_is_not_json(tmp_path):
    out = tmp_path / "res"
    sweep.run_sweep(draws, x_design(3), out, seed=1, workers=1, progress=False)
    (out / sweep.MANIFEST).write_text("{oops")
    with pytest.raises(sweep.SweepError, match="unreadable manifest"):
        sweep.read_results(out)
    json.loads("{}")
