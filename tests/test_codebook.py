"""The codebook, the CSV templates and `restrat template`: generated from the schema in
code and checked against it, so that neither can drift."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import pytest

from estimation import codebook
from estimation.data import SCHEMA
from estimation.datasets import load_case
from estimation.longdata import LONG_COLUMNS
from restrat.cli import EXIT_OK, EXIT_USAGE, main

ROOT = Path(__file__).resolve().parents[1]


def test_every_table_and_column_documented():
    assert codebook.problems() == []
    want = {t: list(c) for t, c in SCHEMA.items()} | {"long": list(LONG_COLUMNS)}
    assert {t: list(c) for t, c in codebook.CODEBOOK.items()} == want
    for t, cols in codebook.CODEBOOK.items():
        for c, col in cols.items():
            assert col.meaning and col.unit and col.measure, (t, c)


def test_a_new_schema_column_without_an_entry_is_caught(monkeypatch):
    monkeypatch.setitem(SCHEMA, "members", {**SCHEMA["members"],
                                            "tenure": ("float", False, 0.0)})
    assert any("members.tenure" in p for p in codebook.problems())


def test_markdown_has_a_row_per_column():
    md = codebook.markdown()
    for t, cols in codebook.CODEBOOK.items():
        assert f"## {t}\n" in md
        for c in cols:
            assert f"| `{c}` |" in md


def test_docs_page_is_generated_from_the_code():
    page = (ROOT / "docs" / "codebook.md").read_text(encoding="utf-8")
    assert 'exec="on"' in page and "codebook.markdown(" in page
    assert "codebook.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def test_shipped_templates_match_the_schema():
    for t in codebook.TEMPLATES:
        with open(codebook.TEMPLATE_DIR / f"{t}.csv", newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        want = list(LONG_COLUMNS) if t == "long" else list(SCHEMA[t])
        assert rows == [want], t
    # every table of the schema but the package's own sample table has a template
    assert set(codebook.TEMPLATES) == (set(SCHEMA) - {"alternatives"}) | {"long"}


def test_templates_are_package_data():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "templates/*.csv" in py["tool"]["setuptools"]["package-data"]["estimation"]
    assert "recursive-include estimation/templates *.csv" in (
        ROOT / "MANIFEST.in").read_text(encoding="utf-8")


def test_long_form_fills_the_long_template():
    assert list(load_case().to_long()["frame"].columns) == codebook.template_header("long")


def test_cli_template_writes_then_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "tables"
    assert main(["template", str(out)]) == EXIT_OK
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{t}.csv" for t in codebook.TEMPLATES)
    for t in codebook.TEMPLATES:
        assert (out / f"{t}.csv").read_bytes() == (codebook.TEMPLATE_DIR / f"{t}.csv"
                                                   ).read_bytes()
    (out / "regions.csv").write_text("region,quota\nr1,3\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["template", str(out)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "already holds" in err and "regions.csv" in err and "--overwrite" in err
    assert (out / "regions.csv").read_text(encoding="utf-8") == "region,quota\nr1,3\n"
    assert main(["template", str(out), "--overwrite"]) == EXIT_OK
    assert (out / "regions.csv").read_bytes() == (codebook.TEMPLATE_DIR / "regions.csv"
                                                  ).read_bytes()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert main(["template", str(tmp_path / "file")]) == EXIT_USAGE


def test_filled_templates_read_back(tmp_path):
    """The templates filled with the bundled case (empty votes.csv left as shipped)."""
    case = load_case()
    codebook.write_templates(tmp_path)
    for name, df in case.frames().items():
        df[codebook.template_header(name)].to_csv(tmp_path / f"{name}.csv", index=False)
    back = type(case).from_csv(tmp_path)
    assert not back.has_votes
    assert back.arrays().cfg_chosen.tolist() == case.arrays().cfg_chosen.tolist()
    with pytest.raises(Exception, match="has a header but no rows"):
        (tmp_path / "bids.csv").write_text(",".join(SCHEMA["bids"]) + "\n")
        type(case).from_csv(tmp_path)
