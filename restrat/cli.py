"""The ``restrat`` command line: a thin face over :mod:`gametheory` and :mod:`estimation`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__


def _demo(args: argparse.Namespace) -> int:
    from . import demo

    demo.run(out=sys.stdout)
    return 0


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
    p_demo = sub.add_parser("demo", help="demonstrate the TU-game solvers on classic games")
    p_demo.set_defaults(func=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
