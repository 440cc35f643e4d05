import subprocess
import sys

import pytest

from restrat import __version__
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
    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert all(m in help_text for m in FIT_MODELS)
    # clogit is offered only for the ParlGov data, and refused for allocation data
    assert help_text.replace("conditional_logit", "").count("clogit") == 1
    assert "for parlgov: clogit" in help_text
    assert main(["fit", "--model", "clogit", "--draws", "5"]) == 2
    assert "conditional_logit" in capsys.readouterr().err


def test_demo_footnote_follows_the_numbers():
    import pandas as pd

    from restrat.cli import demo_footnote

    t = pd.DataFrame({"truth": [2.0, 1.0], "mle": [2.1, 1.0], "mle_se": [0.1, 0.01]},
                     index=["lam", "gamma"])
    t["mle_z"] = (t["mle"] - t["truth"]) / t["mle_se"]
    t.attrs.update(n_regions=50, mle_converged=True)
    note = demo_footnote(t)
    assert "50 regions" in note and "within two of its standard errors" in note
    assert "Weakly identified" not in note
    far = t.assign(mle=[9.0, 1.0], mle_se=[3.0, 0.01])
    far["mle_z"] = (far["mle"] - far["truth"]) / far["mle_se"]
    note = demo_footnote(far)
    assert "Outside the MLE's own 95% interval (|mle_z| >= 2): lam" in note
    assert "Weakly identified here (standard error at least half the true value): lam." in note
    assert "ratios" in note
