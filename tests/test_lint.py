"""The code base stays ruff-clean (configuration in pyproject.toml)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_clean():
    # ruff is part of the dev extra: a missing ruff fails here rather than skipping
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    assert Path(ruff).exists(), "ruff is not installed (pip install -e '.[dev]')"
    out = subprocess.run([ruff, "check", "gametheory", "estimation", "restrat", "tests",
                          "benchmarks"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def _code(root: str):
    """(path, tree, docstring node ids) of every module under *root*."""
    import ast

    for f in sorted((ROOT / root).rglob("*.py")):
        tree = ast.parse(f.read_text(), filename=str(f))
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef
                              | ast.AsyncFunctionDef)
                and n.body and isinstance(n.body[0], ast.Expr)
                and isinstance(n.body[0].value, ast.Constant)}
        yield f, tree, docs


def test_only_the_specification_knows_the_features():
    # the model's features are named, counted and ordered in one module: no other
    # module's code (docstrings aside) spells a configuration feature, and estimation
    # and the CLI spell no appointment feature either
    import ast

    from gametheory.restratification import spec

    spec_path = ROOT / "gametheory" / "restratification" / "spec.py"
    # the codebook describes every data column in words, the long format's feature
    # columns (named by spec.CONFIG_SOURCES) and the doctors' capital among them
    prose = {ROOT / "estimation" / "codebook.py"}
    offenders = []
    for root in ("gametheory", "estimation", "restrat"):
        for f, tree, docs in _code(root):
            if f == spec_path or f in prose:
                continue
            for n in ast.walk(tree):
                if not (isinstance(n, ast.Constant) and isinstance(n.value, str)) \
                        or id(n) in docs:
                    continue
                if any(x in n.value for x in spec.CONFIG_FEATURES) or (
                        root != "gametheory" and n.value in spec.APPOINTMENT_FEATURES):
                    offenders.append(f"{f.relative_to(ROOT)}:{n.lineno}: {n.value!r}")
    assert not offenders, offenders


def test_estimation_imports_no_private_name_of_the_model():
    import ast

    offenders = []
    for root in ("estimation", "restrat"):
        for f, tree, _ in _code(root):
            bound = set()
            for n in ast.walk(tree):
                if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("gametheory"):
                    for a in n.names:
                        if a.name.startswith("_") and not a.name.startswith("__"):
                            offenders.append(f"{f.relative_to(ROOT)}:{n.lineno}: "
                                             f"from {n.module} import {a.name}")
                        bound.add(a.asname or a.name)
                elif isinstance(n, ast.Import):
                    bound |= {(a.asname or a.name).split(".")[0] for a in n.names
                              if a.name.startswith("gametheory")}
            for n in ast.walk(tree):
                if (isinstance(n, ast.Attribute) and n.attr.startswith("_")
                        and not n.attr.startswith("__") and isinstance(n.value, ast.Name)
                        and n.value.id in bound):
                    offenders.append(f"{f.relative_to(ROOT)}:{n.lineno}: "
                                     f"{n.value.id}.{n.attr}")
    assert not offenders, offenders
