"""The ``restrat`` command line: a thin face over :mod:`gametheory` and :mod:`estimation`.

One boundary (:func:`main`) runs every subcommand and sets one exit-code policy:

* ``0``: done;
* ``2``: a usage or input problem (a bad option, scenario file, data folder,
  parameter or output target). The message names the input, the value and the
  fix; nothing is written and nothing long has started (inputs and output
  targets are checked first);
* ``1``: a failure that is not the input's fault: a solver or sampler failed, a
  sweep point raised, a worker died, the disk filled up, or an unexpected
  internal error. For the last, one line is printed with the path of a saved
  crash report (the traceback is shown with ``--debug``);
* ``130``: interrupted (Ctrl-C).

Warnings go to standard error as ``restrat: warning: ...``; ``--quiet`` prints
nothing but errors (results go to ``--out`` files and the exit code).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import re
import sys
import tempfile
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_FAILURE", "EXIT_USAGE", "EXIT_INTERRUPTED"]

#: the models `restrat fit` accepts (estimation.fit.cli_fit)
FIT_MODELS = ("structural", "hierarchical", "conditional_logit")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

#: Seeds accepted on the command line: 0 <= seed < 2**63.
MAX_SEED = 2**63 - 1


# ------------------------------------------------------------------ option types
def _int_in(lo: int, hi: int, what: str = "an integer") -> Callable[[str], int]:
    """An argparse type: an integer in ``[lo, hi]`` written in decimal."""

    def parse(text: str) -> int:
        t = text.strip()
        if not re.fullmatch(r"[+-]?[0-9]+", t):
            raise argparse.ArgumentTypeError(f"{text!r} is not {what} (write digits, e.g. {lo})")
        v = int(t)
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{v} is outside [{lo}, {hi}]")
        return v

    parse.__name__ = what
    return parse


_SEED = _int_in(0, MAX_SEED, "a seed")
_CHAINS = _int_in(1, 64, "a number of chains")
_DRAWS = _int_in(1, 1_000_000, "a number of draws")
_TUNE = _int_in(0, 1_000_000, "a number of tuning steps")
_SIMS = _int_in(1, 100_000, "a number of simulations")
_REGIONS = _int_in(1, 1_000_000, "a number of regions")


# ------------------------------------------------------------------ commands
def _demo(args: argparse.Namespace) -> int:
    from . import demo

    demo.run(out=sys.stdout)
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    from gametheory.restratification import scenarios

    for name, desc in scenarios.describe():
        print(f"{name:<24} {desc}")
        for item, note in scenarios.stylised(name).items():
            print(f"{'':<24}   stylised input: {item}: {note}")
    return EXIT_OK


def _usage(name: str, value: Any, problem: str, fix: str) -> Exception:
    from gametheory.errors import InvalidArgumentError

    return InvalidArgumentError(name, value, problem, fix)


def _run(args: argparse.Namespace) -> int:
    from gametheory.fileio import check_output_target
    from gametheory.restratification import ModelParameters, run, scenarios

    if args.seed is not None and args.scenario != "random-region":
        raise _usage("--seed", args.seed, "applies only to random-region",
                     "Drop --seed, or run random-region")
    params = ModelParameters.from_strings(args.param or [])
    if args.out:
        check_output_target(args.out, name="--out", kind="folder", overwrite=args.overwrite)
    kwargs = {"seed": args.seed if args.seed is not None else 0} if (
        args.scenario == "random-region") else {}
    region = scenarios.load(args.scenario, **kwargs)
    result = run(region, params, blocs=args.blocs)
    if args.scenario == "random-region":
        result = replace(result, meta={**result.meta, "seed": kwargs["seed"]})
    print(result.report())
    if args.out:
        files = result.write(args.out, figures=not args.no_figures, overwrite=args.overwrite)
        print(f"\nwrote {len(files)} files to {args.out}")
    if args.fit_demo:
        _demo_fit()
    return EXIT_OK


def _sensitivity(args: argparse.Namespace) -> int:
    from gametheory.fileio import check_output_target
    from gametheory.restratification import ModelParameters, scenarios
    from gametheory.restratification.sensitivity import CONCLUSIONS, sensitivity

    if args.conclusion not in CONCLUSIONS:
        raise _usage("--conclusion", args.conclusion, "is not a conclusion",
                     f"Use one of {', '.join(CONCLUSIONS)}")
    params = ModelParameters.from_strings(args.param or [])
    if args.out:
        check_output_target(args.out, name="--out", kind="folder", overwrite=args.overwrite)
    draws = None
    if args.posterior:
        from estimation.draws import parameter_draws

        draws = parameter_draws(args.posterior, n_draws=args.draws, seed=args.seed,
                                base=params)
    region = scenarios.load(args.scenario, **({"seed": 0} if args.scenario == "random-region"
                                              else {}))
    res = sensitivity(region, params, which=args.factors, draws=draws, samples=args.samples,
                      seed=args.seed, conclusion=args.conclusion,
                      global_analysis=not args.no_global)
    print(res.report(top=args.top))
    if args.out:
        files = res.write(args.out, overwrite=args.overwrite, figures=not args.no_figures)
        print(f"\nwrote {len(files)} files to {args.out}")
    return EXIT_OK


def repository_url() -> str:
    """The source repository's address (the ``Source`` Project-URL of the installed package)."""
    from importlib import metadata

    try:
        for entry in metadata.metadata("restrat").get_all("Project-URL") or []:
            label, _, url = entry.partition(",")
            if label.strip().lower() == "source":
                return url.strip()
    except metadata.PackageNotFoundError:
        pass
    return "the restrat source repository"


def _benchmarks_dir() -> Path | None:
    here = Path(__file__).resolve().parents[1] / "benchmarks"
    return here if (here / "run_all.py").is_file() else None


def _bench(args: argparse.Namespace) -> int:
    import subprocess

    if args.what == "scenarios":
        from . import registry

        if args.json:
            from gametheory.fileio import check_output_target

            check_output_target(args.json, name="--json", kind="file", overwrite=True)
        return EXIT_OK if int(registry.run_all(args.names or None, args.json)) == 0 \
            else EXIT_FAILURE
    bdir = _benchmarks_dir()
    if bdir is None:
        raise _usage("bench speed", "speed", "the speed comparisons with peer packages are "
                     "long runs kept in the benchmarks/ folder of the source repository, not "
                     "in the installed package", f"Clone {repository_url()} and run `make "
                     "bench` there (`restrat bench scenarios` runs from any install)")
    cmd = [sys.executable, str(bdir / "run_all.py")]
    if args.quick:
        cmd.append("--quick")
    if args.names:
        cmd += ["--only", ",".join(args.names)]
    return EXIT_OK if subprocess.call(cmd) == 0 else EXIT_FAILURE


def _template(args: argparse.Namespace) -> int:
    from estimation.codebook import write_templates

    written = write_templates(args.dir, overwrite=args.overwrite)
    print(f"restrat template: {len(written)} empty tables in {Path(args.dir)}: "
          + ", ".join(p.name for p in written))
    print("Fill regions, organisations, doctors, bids, members and allocations (votes if "
          "recorded) and read them with AllocationData.from_csv(DIR), or fill long.csv "
          "(one row per region and configuration) with organisations, members and doctors "
          "and read them with AllocationData.from_long; the codebook in the documentation "
          "says what every column means.")
    return EXIT_OK


def _fit(args: argparse.Namespace) -> int:
    from estimation.fit import cli_fit
    from gametheory.fileio import check_output_target

    if args.data == "parlgov":
        return _fit_parlgov(args)
    if args.model is not None and args.model not in FIT_MODELS:
        raise _usage("--model", args.model, "does not fit allocation data",
                     f"Use one of {', '.join(FIT_MODELS)} (clogit and mle are models of "
                     "`restrat fit parlgov`)")
    for name in ("cv", "split_date", "countries", "regularities"):
        if getattr(args, name):
            flag = "--" + name.replace("_", "-")
            raise _usage(flag, getattr(args, name), "is an option of `restrat fit parlgov`",
                         f"Drop {flag} when fitting allocation data")
    if args.out:
        check_output_target(args.out, name="--out", kind="file", overwrite=args.overwrite)
    print(cli_fit(args.data, args.model or "structural", sampler=args.sampler,
                  chains=args.chains or 4, draws=args.draws or 1000,
                  tune=1000 if args.tune is None else args.tune, seed=args.seed,
                  role=args.role, out=args.out, mle=not args.no_mle, progress=not args.quiet,
                  overwrite=args.overwrite))
    return EXIT_OK


def _fit_parlgov(args: argparse.Namespace) -> int:
    from estimation.government_fit import cli_fit_parlgov, parse_models
    from gametheory.fileio import check_output_target

    models = parse_models(args.model or "clogit,mle")
    if args.out:
        check_output_target(args.out, name="--out", kind="file", overwrite=args.overwrite)
    print(cli_fit_parlgov(model=",".join(models), cv=args.cv or "time",
                          split_date=args.split_date or "2000-01-01",
                          countries=args.countries, seed=args.seed, sampler=args.sampler,
                          chains=args.chains or 2, draws=args.draws or 500,
                          tune=500 if args.tune is None else args.tune,
                          regularities=args.regularities, out=args.out,
                          progress=not args.quiet and sys.stderr.isatty()))
    return EXIT_OK


def _calibrate(args: argparse.Namespace) -> int:
    from estimation.calibration import cli_calibrate
    from gametheory.fileio import check_output_target

    if args.plot:
        if args.method != "sbc":
            raise _usage("--plot", args.plot, "rank histograms exist for --method sbc only",
                         "Drop --plot, or use --method sbc")
        check_output_target(args.plot, name="--plot", kind="file", overwrite=args.overwrite)
    print(cli_calibrate(args.sims, args.regions, method=args.method, seed=args.seed,
                        draws=args.draws, tune=args.tune, chains=args.chains,
                        sampler=args.sampler, plot=args.plot,
                        progress=not (args.no_progress or args.quiet),
                        overwrite=args.overwrite))
    return EXIT_OK


def _sweep(args: argparse.Namespace) -> int:
    from estimation.sweep import execute

    if args.quiet:
        args.no_progress = True
    done = execute(args)
    print(f"restrat sweep: {done.n_points} points in {done.path} (computed {done.n_computed}, "
          f"kept {done.n_reused}; seed {done.seed}; {done.seconds:.1f} s)")
    return EXIT_OK


def _demo_fit() -> None:
    from estimation.fit import demo_fit

    print("\nFitting the structural model to the bundled synthetic data set "
          "(2 chains x 300 draws; progress on stderr) ...")
    table = demo_fit()
    print(table.to_string(float_format=lambda x: f"{x:.3f}"))
    print(demo_footnote(table))


def demo_footnote(table: Any) -> str:
    """What the demo's recovery table shows, worded from its own numbers."""
    far = [str(k) for k, z in table["mle_z"].items() if abs(z) >= 2]
    wide = [str(k) for k, v in (table["mle_se"] / table["truth"].abs()).items() if v >= 0.5]
    flagged = table.attrs.get("mle_flagged", {})
    lines = [f"\nmle_se is the MLE's standard error and mle_z = (mle - truth) / mle_se "
             f"({table.attrs.get('n_regions', '?')} regions; the MLE "
             f"{'converged' if table.attrs.get('mle_converged') else 'did NOT converge'})."]
    if flagged:
        lines.append("The MLE's identification diagnostic flags: " + "; ".join(
            f"{k} ({v})" for k, v in flagged.items()) + ". From allocations alone (no "
            "recorded votes) the stakes of members whose stake is the same under every "
            "configuration (commissioners, the ambulance service) are not identified: the "
            "posterior keeps their prior, the MLE runs away.")
    if wide:
        lines.append("Weakly identified here (standard error at least half the true value): "
                     + ", ".join(wide) + ".")
    if far:
        lines.append("Outside the MLE's own 95% interval (|mle_z| >= 2): " + ", ".join(far)
                     + ". See the model's identification notes in the documentation.")
    else:
        lines.append("Every MLE lies within two of its standard errors of the truth.")
    return "\n".join(lines)


# ------------------------------------------------------------------ parser
def _common() -> argparse.ArgumentParser:
    """Options every subcommand accepts (also before the subcommand)."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show the full traceback of an internal error")
    p.add_argument("--quiet", "-q", action="store_true", default=argparse.SUPPRESS,
                   help="print nothing but errors (no report, progress or warnings)")
    return p


def build_parser(with_sweep: bool = False) -> argparse.ArgumentParser:
    """The ``restrat`` argument parser (the sweep's options are added when *with_sweep*)."""
    common = _common()
    parser = argparse.ArgumentParser(
        prog="restrat",
        description=(
            "Model and measure how care networks re-stratify hospitals and doctors: "
            "cooperative games, voting power, bargaining and Bayesian estimation."
        ),
        epilog="Exit codes: 0 done, 2 usage or input error, 1 failure (a solver, a sweep "
               "point or an internal error), 130 interrupted.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"restrat {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p_run = sub.add_parser("run", parents=[common],
                           help="run a scenario (a built-in name or a scenario file)")
    p_run.add_argument("scenario", help="scenario name (see `restrat list`) or a "
                       ".toml/.json/.yaml file")
    p_run.add_argument("--out", help="folder for JSON, CSV and PNG outputs (written whole: a "
                       "new folder swapped into place, with a _complete.json marker)")
    p_run.add_argument("--overwrite", action="store_true",
                       help="replace a non-empty --out folder")
    p_run.add_argument("--param", action="append", metavar="NAME=VALUE",
                       help="set a model parameter, e.g. --param delta=1.5, kappa=inf or "
                       "theta=1,1,1,1.5 (repeatable; see ModelParameters for the valid "
                       "ranges)")
    p_run.add_argument("--seed", type=_SEED, default=None,
                       help="seed for random-region (0 <= seed < 2**63; default 0)")
    p_run.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p_run.add_argument("--blocs", choices=["declared", "endogenous"], default="declared",
                       help="declared: the scenario's district bloc; endogenous: the bloc "
                       "that forms from the organisations' stakes (a hedonic game)")
    p_run.set_defaults(func=_run)
    p_run.add_argument("--fit-demo", action="store_true",
                       help="afterwards, fit the structural model to the bundled synthetic "
                       "data and print the recovery table")
    p_sen = sub.add_parser(
        "sensitivity", parents=[common],
        help="how robust are a scenario's conclusions: the thresholds at which the host, "
        "the centre, the directors or who gets concessions flip, a tornado and Sobol indices "
        "over the parameters and hand-set covariates, and the conclusions' probabilities",
        description="For each model parameter and each hand-set covariate of the scenario, "
        "moved alone from its value to the ends of its range, the value at which a "
        "conclusion flips (grid, then bisection); a tornado of the probability of one "
        "conclusion; Sobol first-order and total indices with every factor drawn at once "
        "(uniform over its range: the conclusions' probabilities over that prior); and the "
        "probability of every outcome at the parameters given or averaged over a posterior "
        "(--posterior FILE.nc from `restrat fit --out`).")
    p_sen.add_argument("scenario", help="scenario name (see `restrat list`) or a "
                       ".toml/.json/.yaml file")
    p_sen.add_argument("--param", action="append", metavar="NAME=VALUE",
                       help="set a model parameter (the baseline), repeatable")
    p_sen.add_argument("--factors", choices=["all", "parameters", "covariates"], default="all",
                       help="which factors to vary (default all)")
    p_sen.add_argument("--samples", type=_int_in(2, 100_000, "a sample size"), default=16,
                       help="base sample of the global analysis: the model runs samples x "
                       "(factors + 2) times (default 16)")
    p_sen.add_argument("--no-global", action="store_true",
                       help="skip the global (Sobol) analysis")
    p_sen.add_argument("--conclusion", default="host",
                       help="conclusion of the tornado: host, centre, network_director, "
                       "centre_director or concessions (default host)")
    p_sen.add_argument("--posterior", default=None, metavar="FILE.nc",
                       help="average the outcome probabilities over draws of this fit")
    p_sen.add_argument("--draws", type=_DRAWS, default=100,
                       help="posterior draws used with --posterior (default 100)")
    p_sen.add_argument("--seed", type=_SEED, default=0)
    p_sen.add_argument("--top", type=_int_in(1, 100_000, "a number of rows"), default=15,
                       help="rows of each table printed (all are written with --out)")
    p_sen.add_argument("--out", help="folder for report.txt, CSV tables and tornado.png")
    p_sen.add_argument("--overwrite", action="store_true",
                       help="replace a non-empty --out folder")
    p_sen.add_argument("--no-figures", action="store_true", help="skip tornado.png")
    p_sen.set_defaults(func=_sensitivity)
    p_fit = sub.add_parser("fit", parents=[common],
                           help="fit the model to observed allocations (a data folder, "
                           "a `restrat run --out` folder, or the bundled synthetic data), or "
                           "the government-formation model to the bundled ParlGov cabinets "
                           "(`restrat fit parlgov`)")
    p_fit.add_argument("data", nargs="?", default=None,
                       help="data folder (default: bundled), or `parlgov`")
    p_fit.add_argument("--model", default=None,
                       help=f"{', '.join(FIT_MODELS)} (default structural); for parlgov: a "
                       "comma list of clogit (reduced-form conditional logit, MLE), mle "
                       "(structural proposal-and-vote model, MLE), structural (Bayesian, "
                       "pooled), hierarchical (Bayesian, tolerance by country), or all "
                       "(default clogit,mle: seconds; the Bayesian fits take minutes)")
    p_fit.add_argument("--cv", default=None,
                       help="parlgov: out-of-sample accuracy of every model fitted by a time "
                       "split (fit before 2000, predict after: time, the default), plus "
                       "leaving one country out for the reduced form (country or "
                       "time,country), or none")
    p_fit.add_argument("--split-date", default=None, metavar="YYYY-MM-DD",
                       help="parlgov: the time split of --cv time (default 2000-01-01)")
    p_fit.add_argument("--countries", default=None, metavar="CODES",
                       help="parlgov: only these countries (comma list of ParlGov codes, "
                       "e.g. DNK,NLD)")
    p_fit.add_argument("--regularities", action="store_true",
                       help="parlgov: observed and predicted shares of minimal winning, "
                       "minority, largest-party... cabinets")
    p_fit.add_argument("--sampler", default="auto", help="auto, nutpie or pymc")
    p_fit.add_argument("--chains", type=_CHAINS, default=None,
                       help="1-64 (default 4; parlgov 2)")
    p_fit.add_argument("--draws", type=_DRAWS, default=None,
                       help="1-1000000 (default 1000; parlgov 500)")
    p_fit.add_argument("--tune", type=_TUNE, default=None,
                       help="0-1000000 (default 1000; parlgov 500)")
    p_fit.add_argument("--seed", type=_SEED, default=0, help="0 <= seed < 2**63 (default 0)")
    p_fit.add_argument("--role", default=None,
                       help="role for the reduced-form conditional_logit")
    p_fit.add_argument("--out", default=None, help="save the fit as NetCDF here (parlgov: "
                       "every result as JSON; checked before fitting)")
    p_fit.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    p_fit.add_argument("--no-mle", action="store_true", help="skip the MLE comparison")
    p_fit.set_defaults(func=_fit)
    p_cal = sub.add_parser("calibrate", parents=[common],
                           help="simulation-based calibration (Talts et al. "
                           "2018) or a recovery study of the structural model")
    p_cal.add_argument("--sims", type=_SIMS, default=100,
                       help="number of simulations (1-100000)")
    p_cal.add_argument("--regions", type=_REGIONS, default=50,
                       help="regions per simulation (1-1000000)")
    p_cal.add_argument("--method", choices=["sbc", "recovery"], default="sbc")
    p_cal.add_argument("--seed", type=_SEED, default=0)
    p_cal.add_argument("--draws", type=_DRAWS, default=200)
    p_cal.add_argument("--tune", type=_TUNE, default=300)
    p_cal.add_argument("--chains", type=_CHAINS, default=2)
    p_cal.add_argument("--sampler", default="auto")
    p_cal.add_argument("--plot", default=None, help="save rank histograms to this PNG "
                       "(checked before any simulation)")
    p_cal.add_argument("--overwrite", action="store_true", help="replace an existing --plot")
    p_cal.add_argument("--no-progress", action="store_true")
    p_cal.set_defaults(func=_calibrate)
    p_list = sub.add_parser("list", parents=[common], help="list the built-in scenarios")
    p_list.set_defaults(func=_list)
    p_bench = sub.add_parser(
        "bench", parents=[common],
        help="benchmark scenarios (outcomes vs expectations) or speed comparisons "
        "with peer packages",
        description="`restrat bench scenarios` runs the scenario registry shipped with the "
        "package (observed outcomes against expectations computed independently). "
        "`restrat bench speed` runs the long speed comparisons with peer packages, which "
        f"live in the benchmarks/ folder of the source repository ({repository_url()}); "
        "it needs a clone of it.")
    p_bench.add_argument("what", choices=["scenarios", "speed"])
    p_bench.add_argument("names", nargs="*", help="only these scenarios / benchmarks")
    p_bench.add_argument("--json", help="also write the JSON record (with provenance) here "
                         "(scenarios)")
    p_bench.add_argument("--quick", action="store_true", help="short speed runs")
    p_bench.set_defaults(func=_bench)
    sweep_help = ("run a scenario or calibration over a grid or design of parameters, "
                  "locally or on a Dask cluster (restrat sweep --help)")
    if with_sweep:
        from estimation.sweep import add_arguments

        p_sweep = sub.add_parser("sweep", parents=[common], help=sweep_help,
                                 description="Run a scenario over a grid, random design or "
                                 "design file of parameters, on local processes or a Dask "
                                 "cluster.")
        add_arguments(p_sweep)
        p_sweep.set_defaults(func=_sweep)
    else:
        sub.add_parser("sweep", help=sweep_help, add_help=False)
    p_tpl = sub.add_parser("template", parents=[common],
                           help="write empty CSV templates of the data tables into DIR",
                           description="Write the empty CSV tables of the data schema "
                           "(regions, organisations, doctors, bids, members, allocations, "
                           "votes, and long.csv for the long format) into DIR. Existing "
                           "templates are never replaced without --overwrite.")
    p_tpl.add_argument("dir", metavar="DIR", help="folder to write the templates into")
    p_tpl.add_argument("--overwrite", action="store_true",
                       help="replace template files that exist in DIR")
    p_tpl.set_defaults(func=_template)
    p_demo = sub.add_parser("demo", parents=[common],
                            help="demonstrate the TU-game solvers on classic games")
    p_demo.set_defaults(func=_demo)
    return parser


def _command_of(argv: Sequence[str]) -> str | None:
    for a in argv:
        if not a.startswith("-"):
            return a
    return None


# ------------------------------------------------------------------ the boundary
@contextlib.contextmanager
def _warnings_to_stderr(quiet: bool) -> Iterator[None]:
    """Warnings as one ``restrat: warning: ...`` line on stderr (none with --quiet)."""
    def show(message: Any, category: Any, filename: str, lineno: int, file: Any = None,
             line: Any = None) -> None:
        text = " ".join(str(message).split())
        print(f"restrat: warning: {text}", file=sys.stderr)

    with warnings.catch_warnings():
        if quiet:
            warnings.simplefilter("ignore")
        else:
            warnings.simplefilter("default")
            warnings.showwarning = show
        yield


def _crash_report(exc: BaseException, argv: Sequence[str]) -> Path | None:
    """Save the traceback and context of an internal error; return the file (None on failure)."""
    try:
        fd, name = tempfile.mkstemp(prefix="restrat-crash-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"restrat {__version__} internal error, "
                     f"{datetime.now(UTC).isoformat(timespec='seconds')}\n")
            fh.write(f"command: restrat {' '.join(argv)}\n")
            fh.write(f"python {sys.version.split()[0]} on {platform.platform()}\n\n")
            fh.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
            extra = getattr(exc, "worker_traceback", None)
            if extra:
                fh.write("\ntraceback in the worker process:\n" + str(extra))
        return Path(name)
    except OSError:
        return None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (see the module docstring).

    Examples
    --------
    >>> main(["run", "case-region", "--param", "delta=abc", "--quiet"])
    2
    """
    from gametheory.errors import RestratError, SolverError

    argv = list(sys.argv[1:] if argv is None else argv)
    command = _command_of(argv)
    try:
        parser = build_parser(with_sweep=command == "sweep")
    except Exception as exc:  # pragma: no cover - the parser itself failed to build
        print(f"restrat: internal error building the command line: {_one_line(exc)}",
              file=sys.stderr)
        return EXIT_FAILURE
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:   # argparse: 0 after --help/--version, 2 on a usage error
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    debug = bool(getattr(args, "debug", False))
    quiet = bool(getattr(args, "quiet", False))
    args.debug, args.quiet = debug, quiet
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_OK
    label = f"restrat {args.command}"
    out = io.StringIO() if quiet and args.command != "list" else None
    try:
        with _warnings_to_stderr(quiet), (contextlib.redirect_stdout(out) if out is not None
                                          else contextlib.nullcontext()):
            return int(args.func(args))
    except KeyboardInterrupt:
        print(f"\n{label}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of our output went away (restrat list | head): say nothing more
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
    except SolverError as exc:
        if debug:
            traceback.print_exc()
        print(f"{label}: {exc}", file=sys.stderr)
        extra = getattr(exc, "worker_traceback", None)
        if extra and not debug:
            report = _crash_report(exc, argv)
            if report is not None:
                print(f"{label}: the point's traceback is saved in {report}", file=sys.stderr)
        return EXIT_FAILURE
    except RestratError as exc:
        if debug:
            traceback.print_exc()
        print(f"{label}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as exc:
        if isinstance(exc.code, int) or exc.code is None:
            return int(exc.code or 0)
        print(str(exc.code), file=sys.stderr)
        return EXIT_FAILURE
    except OSError as exc:      # the file system, not the code
        if debug:
            traceback.print_exc()
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        path_problem = isinstance(exc, PermissionError | FileNotFoundError | IsADirectoryError
                                  | NotADirectoryError | FileExistsError)
        print(f"{label}: could not read or write a file{where}: {exc.strerror or exc}. "
              + ("Check the path and its permissions" if path_problem else
                 "Check the disk space and the file system, then run again"), file=sys.stderr)
        return EXIT_USAGE if path_problem else EXIT_FAILURE
    except MemoryError:
        print(f"{label}: out of memory. Use a smaller input (fewer points, regions or draws)",
              file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:
        if debug:
            traceback.print_exc()
            return EXIT_FAILURE
        report = _crash_report(exc, argv)
        where = (f"details saved in {report}" if report is not None
                 else "the details could not be saved")
        print(f"{label}: internal error ({type(exc).__name__}: {_one_line(exc)}); {where}. "
              "Please report it with that file; --debug shows the traceback.", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
