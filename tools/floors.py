"""Print a pip constraints file pinning every core dependency of pyproject.toml to its floor.

``make floors`` installs the package with these constraints in a new virtual
environment (pip has no lowest-version resolution of its own) and runs
``tools/smoke.py`` there, so the declared floors are known to make a working
environment.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path


def floors(pyproject: Path) -> list[str]:
    deps = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    out = []
    for dep in deps:
        m = re.match(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$", dep)
        if not m:
            raise SystemExit(f"cannot read the requirement {dep!r}")
        name, spec = m.group(1), m.group(3)
        low = re.search(r">=\s*([0-9][^,;\s]*)", spec)
        if low is None:
            raise SystemExit(f"{name}: no floor (>=) declared in pyproject.toml")
        out.append(f"{name}=={low.group(1)}")
    return out


if __name__ == "__main__":
    print("\n".join(floors(Path(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml"))))
