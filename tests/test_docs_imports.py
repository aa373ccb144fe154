"""The import docs state what the code does: one size limit, scoped undo, the lookups."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from dashboard.cli import main
from layers.ingest import readers

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
IMPORTS = (REPO / "docs" / "imports.md").read_text(encoding="utf-8")


def test_one_size_limit_stated_everywhere() -> None:
    """Every size limit the docs state is the one constant the readers and the page use."""
    assert readers.MAX_BYTES == readers.MAX_MB * 1024 * 1024
    stated = re.findall(r"(\d+) MB", README + IMPORTS)
    assert stated, "the docs state no size limit"
    assert set(stated) == {str(readers.MAX_MB)}, stated
    from dashboard.pages import impor

    assert impor.MAX_BYTES == readers.MAX_BYTES  # the upload's own limit (max_size)
    assert f"{readers.MAX_MB} MB" in impor.kind_hint("kasus", "id")


def test_the_import_docs_describe_undo_scope_catalogue_and_names() -> None:
    for word in ("impor_wilayah", "dimuat", "--scope CODES", "layers/data/penyakit.csv",
                 "layers/data/wilayah_nama.csv", "asks to confirm", "W53"):  # fmt: skip
        assert word in IMPORTS, word
    assert "## Undo and the import log" in IMPORTS
    for row in ("`pws undo [--id N] [--scope CODES]", "`pws imports [--scope CODES]"):
        assert row in README, row
    for option in ("--scope", "--id", "--user", "--json", "--lang"):
        assert option in CliRunner().invoke(main, ["undo", "--help"]).output
    assert "--scope" in CliRunner().invoke(main, ["imports", "--help"]).output
    readme = (REPO / "layers" / "data" / "README.md").read_text(encoding="utf-8")
    assert "MIT" in readme and "cahyadsn/wilayah_boundaries" in readme
