"""The ``restrat`` command line: a thin face over :mod:`gametheory` and :mod:`estimation`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import __version__

#: the models `restrat fit` accepts (estimation.fit.cli_fit)
FIT_MODELS = ("structural", "hierarchical", "conditional_logit")


def _parse_params(items: Sequence[str] | None) -> dict[str, float | str]:
    out: dict[str, float | str] = {}
    for it in items or []:
        if "=" not in it:
            raise SystemExit(f"restrat: --param {it!r}: expected NAME=VALUE, e.g. beta=1.5")
        k, v = it.split("=", 1)
        try:
            out[k.strip()] = float(v)
        except ValueError:
            out[k.strip()] = v.strip()
    return out


def _demo(args: argparse.Namespace) -> int:
    from . import demo

    demo.run(out=sys.stdout)
    return 0


def _list(args: argparse.Namespace) -> int:
    from gametheory.restratification import scenarios

    for name, desc in scenarios.describe():
        print(f"{name:<24} {desc}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from gametheory.errors import RestratError
    from gametheory.restratification import ModelParameters, run, scenarios

    try:
        kwargs = {"seed": args.seed} if args.scenario == "random-region" else {}
        if args.seed is not None and args.scenario != "random-region":
            raise SystemExit("restrat run: --seed applies only to random-region")
        region = scenarios.load(args.scenario, **kwargs)
        params = ModelParameters.from_dict(_parse_params(args.param))
        result = run(region, params, blocs=args.blocs)
        if args.seed is not None:
            result = replace(result, meta={**result.meta, "seed": args.seed})
    except RestratError as exc:
        print(f"restrat run: {exc}", file=sys.stderr)
        return 2
    print(result.report())
    if args.out:
        files = result.write(args.out, figures=not args.no_figures)
        print(f"\nwrote {len(files)} files to {args.out}")
    if args.fit_demo:
        _demo_fit()
    return 0


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

        return int(registry.run_all(args.names or None, args.json))
    bdir = _benchmarks_dir()
    if bdir is None:
        print("restrat bench speed: the speed comparisons with peer packages are long runs "
              "kept in the benchmarks/ folder of the source repository, not in the installed "
              f"package; clone {repository_url()} and run `make bench` there "
              "(`restrat bench scenarios` runs from any install)", file=sys.stderr)
        return 2
    cmd = [sys.executable, str(bdir / "run_all.py")]
    if args.quick:
        cmd.append("--quick")
    if args.names:
        cmd += ["--only", ",".join(args.names)]
    return subprocess.call(cmd)


def _fit(args: argparse.Namespace) -> int:
    from estimation.fit import cli_fit
    from gametheory.errors import RestratError

    if args.data == "parlgov":
        return _fit_parlgov(args)
    if args.model is not None and args.model not in FIT_MODELS:
        print(f"restrat fit: --model {args.model!r} does not fit allocation data; use one of "
              f"{', '.join(FIT_MODELS)} (clogit is the model of `restrat fit parlgov`)",
              file=sys.stderr)
        return 2
    try:
        print(cli_fit(args.data, args.model or "structural", sampler=args.sampler,
                      chains=args.chains, draws=args.draws, tune=args.tune, seed=args.seed,
                      role=args.role, out=args.out, mle=not args.no_mle))
    except RestratError as exc:
        print(f"restrat fit: {exc}", file=sys.stderr)
        return 2
    return 0


def _fit_parlgov(args: argparse.Namespace) -> int:
    from estimation.government import cli_fit_parlgov
    from gametheory.errors import RestratError

    try:
        print(cli_fit_parlgov(model=args.model or "clogit", cv=args.cv, seed=args.seed))
    except RestratError as exc:
        print(f"restrat fit parlgov: {exc}", file=sys.stderr)
        return 2
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from estimation.calibration import cli_calibrate
    from gametheory.errors import RestratError

    try:
        print(cli_calibrate(args.sims, args.regions, method=args.method, seed=args.seed,
                            draws=args.draws, tune=args.tune, chains=args.chains,
                            sampler=args.sampler, plot=args.plot,
                            progress=not args.no_progress))
    except RestratError as exc:
        print(f"restrat calibrate: {exc}", file=sys.stderr)
        return 2
    return 0


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
    lines = [f"\nmle_se is the MLE's standard error and mle_z = (mle - truth) / mle_se "
             f"({table.attrs.get('n_regions', '?')} regions; the MLE "
             f"{'converged' if table.attrs.get('mle_converged') else 'did NOT converge'})."]
    if wide:
        lines.append("Weakly identified here (standard error at least half the true value): "
                     + ", ".join(wide) + ".")
        if any(k.split("[")[0] in ("lam", "theta", "beta") for k in wide):
            lines.append("lam, theta and beta are ratios of the configuration logit's "
                         "coefficients (the host track record's weight is fixed at 1), so "
                         "with this many regions their MLE can sit far from the truth and "
                         "the posterior leans on the prior.")
    if far:
        lines.append("Outside the MLE's own 95% interval (|mle_z| >= 2): " + ", ".join(far)
                     + ". That is more than sampling noise; see the model's identification "
                     "notes in the documentation.")
    else:
        lines.append("Every MLE lies within two of its standard errors of the truth.")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="restrat",
        description=(
            "Model and measure how care networks re-stratify hospitals and doctors: "
            "cooperative games, voting power, bargaining and Bayesian estimation."
        ),
    )
    parser.add_argument("--version", action="version", version=f"restrat {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p_run = sub.add_parser("run", help="run a scenario (a built-in name or a scenario file)")
    p_run.add_argument("scenario", help="scenario name (see `restrat list`) or a "
                       ".toml/.json/.yaml file")
    p_run.add_argument("--out", help="folder for JSON, CSV and PNG outputs")
    p_run.add_argument("--param", action="append", metavar="NAME=VALUE",
                       help="set a model parameter, e.g. --param beta=1.5 (repeatable)")
    p_run.add_argument("--seed", type=int, default=None, help="seed for random-region")
    p_run.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p_run.add_argument("--blocs", choices=["declared", "endogenous"], default="declared",
                       help="declared: the scenario's district bloc; endogenous: the bloc "
                       "that forms from the organisations' stakes (a hedonic game)")
    p_run.set_defaults(func=_run)
    p_run.add_argument("--fit-demo", action="store_true",
                       help="afterwards, fit the structural model to the bundled synthetic "
                       "data and print the recovery table")
    p_fit = sub.add_parser("fit", help="fit the model to observed allocations (a data folder, "
                           "a `restrat run --out` folder, or the bundled synthetic data), or "
                           "the government-formation model to the bundled ParlGov cabinets "
                           "(`restrat fit parlgov`)")
    p_fit.add_argument("data", nargs="?", default=None,
                       help="data folder (default: bundled), or `parlgov`")
    p_fit.add_argument("--model", default=None,
                       help=f"{', '.join(FIT_MODELS)} (default structural); for parlgov: "
                       "clogit")
    p_fit.add_argument("--cv", default="time", choices=["time", "country", "none"],
                       help="parlgov: out-of-sample accuracy by a time split (fit before "
                       "2000, predict after) or leaving one country out (default time)")
    p_fit.add_argument("--sampler", default="auto", help="auto, nutpie or pymc")
    p_fit.add_argument("--chains", type=int, default=4)
    p_fit.add_argument("--draws", type=int, default=1000)
    p_fit.add_argument("--tune", type=int, default=1000)
    p_fit.add_argument("--seed", type=int, default=0)
    p_fit.add_argument("--role", default=None,
                       help="role for the reduced-form conditional_logit")
    p_fit.add_argument("--out", default=None, help="save the fit as NetCDF here")
    p_fit.add_argument("--no-mle", action="store_true", help="skip the MLE comparison")
    p_fit.set_defaults(func=_fit)
    p_cal = sub.add_parser("calibrate", help="simulation-based calibration (Talts et al. "
                           "2018) or a recovery study of the structural model")
    p_cal.add_argument("--sims", type=int, default=100, help="number of simulations")
    p_cal.add_argument("--regions", type=int, default=50, help="regions per simulation")
    p_cal.add_argument("--method", choices=["sbc", "recovery"], default="sbc")
    p_cal.add_argument("--seed", type=int, default=0)
    p_cal.add_argument("--draws", type=int, default=200)
    p_cal.add_argument("--tune", type=int, default=300)
    p_cal.add_argument("--chains", type=int, default=2)
    p_cal.add_argument("--sampler", default="auto")
    p_cal.add_argument("--plot", default=None, help="save rank histograms to this PNG")
    p_cal.add_argument("--no-progress", action="store_true")
    p_cal.set_defaults(func=_calibrate)
    p_list = sub.add_parser("list", help="list the built-in scenarios")
    p_list.set_defaults(func=_list)
    p_bench = sub.add_parser(
        "bench", help="benchmark scenarios (outcomes vs expectations) or speed comparisons "
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
    sub.add_parser("sweep", help="run a scenario or calibration over a grid or design of "
                   "parameters, locally or on a Dask cluster (restrat sweep --help)",
                   add_help=False)
    p_demo = sub.add_parser("demo", help="demonstrate the TU-game solvers on classic games")
    p_demo.set_defaults(func=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "sweep":
        # the sweep has its own parser (estimation.sweep.main); the face only forwards
        from estimation.sweep import main as sweep_main

        return int(sweep_main(argv[1:]))
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
