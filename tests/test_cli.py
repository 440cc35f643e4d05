import importlib
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from restrat import __version__
from restrat import cli as cli_mod
from restrat.cli import main


def test_version_and_help(capsys):
    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert __version__ in capsys.readouterr().out
    try:
        main(["--help"])
    except SystemExit as exc:
        assert exc.code == 0
    assert "restrat" in capsys.readouterr().out


def test_demo_runs(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Talmud" in out and "[50.0, 75.0, 75.0]" in out


def test_console_script_entry_point():
    out = subprocess.run([sys.executable, "-m", "restrat.cli", "--version"],
                         capture_output=True, text=True, check=True)
    assert __version__ in out.stdout


def test_importing_gametheory_does_not_import_pymc():
    code = "import sys, gametheory as gt; gt.shapley_value(gt.games.majority(3)); " \
           "print('pymc' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_bench_scenarios_subset(tmp_path, capsys):
    import json

    out = tmp_path / "scen.json"
    assert main(["bench", "scenarios", "case-region", "random-10", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "2 of 2 scenarios meet every expectation" in text
    rec = json.loads(out.read_text())
    assert rec["meta"]["cpus"] and rec["meta"]["version"]
    assert {s["name"] for s in rec["scenarios"]} == {"case-region", "random-10"}


def test_bench_speed_outside_a_checkout_names_the_repository(monkeypatch, capsys):
    from restrat import cli

    monkeypatch.setattr(cli, "_benchmarks_dir", lambda: None)
    assert main(["bench", "speed"]) == 2
    err = capsys.readouterr().err
    assert cli.repository_url() in err and "benchmarks/" in err


def test_fit_help_offers_only_models_it_fits(capsys):
    from estimation.models import MODELS
    from restrat.cli import FIT_MODELS

    assert set(FIT_MODELS) <= set(MODELS)
    assert main(["fit", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert all(m in help_text for m in FIT_MODELS)
    # clogit is offered only for the ParlGov data, and refused for allocation data
    before, parlgov = help_text.split("for parlgov:", 1)
    assert before.replace("conditional_logit", "").count("clogit") == 0
    assert parlgov.startswith(" a comma list of clogit")
    assert main(["fit", "--model", "clogit", "--draws", "5"]) == 2
    assert "conditional_logit" in capsys.readouterr().err


def test_demo_footnote_follows_the_numbers():
    import pandas as pd

    from restrat.cli import demo_footnote

    t = pd.DataFrame({"truth": [2.0, 1.0], "mle": [2.1, 1.0], "mle_se": [0.1, 0.01]},
                     index=["kappa", "gamma"])
    t["mle_z"] = (t["mle"] - t["truth"]) / t["mle_se"]
    t.attrs.update(n_regions=50, mle_converged=True)
    note = demo_footnote(t)
    assert "50 regions" in note and "within two of its standard errors" in note
    assert "Weakly identified" not in note
    far = t.assign(mle=[9.0, 1.0], mle_se=[3.0, 0.01])
    far["mle_z"] = (far["mle"] - far["truth"]) / far["mle_se"]
    note = demo_footnote(far)
    assert "Outside the MLE's own 95% interval (|mle_z| >= 2): kappa" in note
    assert "Weakly identified here (standard error at least half the true value): kappa." in note
    assert "identification diagnostic" not in note
    far.attrs.update(mle_flagged={"stake_ambulance": "runaway coefficient"})
    assert "stake_ambulance (runaway coefficient)" in demo_footnote(far)


# ------------------------------------------------------------------ one exit-code policy
def _run(capsys, *args):
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


def _boom(*a, **k):
    raise RuntimeError("simulated internal bug")


def _interrupt(*a, **k):
    raise KeyboardInterrupt


# (subcommand arguments, (module, attribute) doing its work, a usage error)
SUBCOMMANDS = {
    "run": (["run", "case-region"], ("gametheory.restratification", "run"),
            ["run", "case-region", "--param", "delta=x"]),
    "list": (["list"], ("gametheory.restratification.scenarios", "describe"),
             ["list", "--bogus"]),
    "demo": (["demo"], ("restrat.demo", "run"), ["demo", "extra"]),
    "fit": (["fit", "--draws", "10"], ("estimation.fit", "cli_fit"),
            ["fit", "--chains", "0"]),
    "calibrate": (["calibrate", "--sims", "2"], ("estimation.calibration", "cli_calibrate"),
                  ["calibrate", "--sims", "-3"]),
    "bench": (["bench", "scenarios", "case-region"], ("restrat.registry", "run_all"),
              ["bench", "nothing"]),
    "sweep": (["sweep", "case-region", "--param", "delta=0,1", "--workers", "1"],
              ("estimation.sweep", "run_sweep"),
              ["sweep", "case-region", "--param", "delta=0:1:1e12"]),
}


@pytest.mark.parametrize("name", list(SUBCOMMANDS))
def test_exit_codes_of_every_subcommand(name, tmp_path, capsys, monkeypatch):
    args, (module, attr), usage = SUBCOMMANDS[name]
    if name == "sweep":
        args = [*args, "--out", tmp_path / "sw"]
    # 2: a usage or input error, named on stderr, nothing on stdout
    rc, out, err = _run(capsys, *usage)
    assert rc == 2 and err.strip() and "Traceback" not in err
    # 1: an internal error prints one line and the path of a saved crash report
    monkeypatch.setattr(importlib.import_module(module), attr, _boom)
    rc, out, err = _run(capsys, *args)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == 1 and "Traceback" not in err
    assert "internal error (RuntimeError: simulated internal bug)" in lines[-1]
    report = Path(lines[-1].split("details saved in ")[1].split(". Please")[0])
    text = report.read_text()
    assert "Traceback" in text and "simulated internal bug" in text and name in text
    report.unlink()
    # --debug shows the traceback instead
    rc, out, err = _run(capsys, *args, "--debug")
    assert rc == 1 and "Traceback" in err and "RuntimeError" in err
    # 130: interrupted
    monkeypatch.setattr(importlib.import_module(module), attr, _interrupt)
    rc, out, err = _run(capsys, *args)
    assert rc == 130 and "interrupted" in err and "Traceback" not in err


def test_exit_code_0_of_every_subcommand(tmp_path, capsys, monkeypatch):
    assert _run(capsys, "list")[0] == 0
    assert _run(capsys, "run", "one-teaching-hospital", "--no-figures")[0] == 0
    rc, _, err = _run(capsys, "sweep", "case-region", "--param", "delta=0,1", "--workers", "1",
                      "--out", tmp_path / "sw", "--no-progress")
    assert rc == 0, err
    # fit and calibrate are wired through the boundary (their work is tested elsewhere)
    monkeypatch.setattr(importlib.import_module("estimation.fit"), "cli_fit",
                        lambda *a, **k: "fitted")
    monkeypatch.setattr(importlib.import_module("estimation.calibration"), "cli_calibrate",
                        lambda *a, **k: "calibrated")
    assert _run(capsys, "fit") == (0, "fitted\n", "")
    assert _run(capsys, "calibrate") == (0, "calibrated\n", "")


def test_solver_failures_exit_1_without_crash_report(capsys, monkeypatch):
    import gametheory.restratification as rs
    from gametheory.errors import SolverError

    def fail(*a, **k):
        raise SolverError("the concession MILP", 4, "infeasible", "Check the role values")

    monkeypatch.setattr(rs, "run", fail)
    rc, out, err = _run(capsys, "run", "case-region")
    assert rc == 1 and "concession MILP failed" in err and "crash" not in err


def test_quiet_and_warnings_on_stderr(tmp_path, capsys, monkeypatch):
    import gametheory.restratification as rs

    real = rs.run

    def warn_then_run(*a, **k):
        warnings.warn("the bloc is tiny", UserWarning, stacklevel=1)
        return real(*a, **k)

    monkeypatch.setattr(rs, "run", warn_then_run)
    rc, out, err = _run(capsys, "run", "case-region", "--no-figures")
    assert rc == 0 and "restrat: warning: the bloc is tiny" in err and "Chosen" in out
    assert "warning" not in out
    rc, out, err = _run(capsys, "run", "case-region", "--out", tmp_path / "o", "--quiet")
    assert rc == 0 and out == "" and err == ""
    assert json.loads((tmp_path / "o" / "_complete.json").read_text())["complete"]
    # --quiet before the subcommand too; errors still shown
    rc, out, err = _run(capsys, "--quiet", "run", "case-region", "--param", "delta=-1")
    assert rc == 2 and out == "" and "delta" in err


def test_python_m_restrat(tmp_path):
    out = subprocess.run([sys.executable, "-m", "restrat", "run", "case-region", "--param",
                          "mu=0x10"], capture_output=True, text=True,
                         cwd=Path(cli_mod.__file__).resolve().parents[1])
    assert out.returncode == 2 and "hexadecimal" in out.stderr and "Traceback" not in out.stderr


def test_file_system_errors_are_named_not_tracebacks(capsys, monkeypatch):
    import gametheory.restratification as rs

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied", "/data/region.json")

    def full(*a, **k):
        raise OSError(28, "No space left on device", "/results/x.csv")

    monkeypatch.setattr(rs, "run", denied)
    rc, _, err = _run(capsys, "run", "case-region")
    assert rc == 2 and "/data/region.json" in err and "permissions" in err
    monkeypatch.setattr(rs, "run", full)
    rc, _, err = _run(capsys, "run", "case-region")
    assert rc == 1 and "No space left" in err and "Traceback" not in err
