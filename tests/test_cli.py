import subprocess
import sys

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
    assert rec["machine"]["cpus"] and {s["name"] for s in rec["scenarios"]} == {
        "case-region", "random-10"}


def test_fit_and_calibrate_commands_are_wired(capsys):
    from restrat.cli import build_parser

    p = build_parser()
    a = p.parse_args(["fit", "--draws", "10", "--chains", "2"])
    assert a.func.__name__ == "_fit" and a.draws == 10 and a.data is None
    b = p.parse_args(["calibrate", "--sims", "3", "--regions", "5"])
    assert b.func.__name__ == "_calibrate" and b.sims == 3
    assert main(["fit", "/nonexistent/folder", "--draws", "10"]) == 2
    assert "restrat fit" in capsys.readouterr().err
