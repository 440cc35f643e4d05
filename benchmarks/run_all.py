"""Run every speed benchmark (``benchmarks/bench_*.py``) in one go.

Each benchmark prints its markdown table (times are medians, ratios are
peer time / restrat time) and writes JSON with the machine's description and
package versions to ``benchmarks/results/<name>.json`` so that runs can be
compared later.

Run: ``python benchmarks/run_all.py [--quick] [--only tu,voting]``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="pass --quick to benchmarks that "
                    "support it")
    ap.add_argument("--only", default="", help="comma-separated names (tu, voting, ...)")
    ap.add_argument("--out", default=str(HERE / "results"))
    args = ap.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    failures = 0
    for script in sorted(HERE.glob("bench_*.py")):
        name = script.stem.removeprefix("bench_")
        if only and name not in only:
            continue
        cmd = [sys.executable, str(script), "--json", str(Path(args.out) / f"{name}.json")]
        if args.quick and "--quick" in script.read_text():
            cmd.append("--quick")
        print(f"\n## {name}\n", flush=True)
        rc = subprocess.call(cmd)
        if rc:
            print(f"benchmark {name} failed with exit code {rc}", file=sys.stderr)
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
