"""The importer registry: Indonesian and English kind names resolved in one place."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from layers.ingest import REGISTRY, run_import
from layers.ingest.base import NAMES, UnknownKind, canonical, importer_for, kind_names, register
from layers.ingest.boundaries import BoundariesImporter
from layers.ingest.cases import CasesImporter
from layers.ingest.facilities import FacilitiesImporter
from layers.ingest.kader import KaderImporter
from layers.ingest.population import PopulationImporter
from layers.scope import Scope
from tests.ingest.helpers import DEMO, demo_store

BOTH = [("batas", "boundaries", BoundariesImporter), ("kasus", "cases", CasesImporter),
        ("fasilitas", "facilities", FacilitiesImporter), ("kader", "kader", KaderImporter),
        ("penduduk", "population", PopulationImporter)]  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    yield from demo_store(tmp_path)


@pytest.mark.parametrize(("jenis", "english", "cls"), BOTH)
def test_both_names_resolve_to_the_canonical_kind(jenis: str, english: str, cls: type) -> None:
    assert canonical(jenis) == canonical(english) == canonical(f" {english.upper()} ") == jenis
    assert importer_for(english) is importer_for(jenis) is cls is REGISTRY[jenis]
    assert (jenis, english, cls.title) in kind_names()


def test_every_registered_kind_has_its_two_names() -> None:
    assert sorted(REGISTRY) == sorted(j for j, _, _ in BOTH)
    assert dict(NAMES) == {name: j for j, e, _ in BOTH for name in (j, e)}


def test_unknown_kind_lists_both_sets() -> None:
    with pytest.raises(UnknownKind) as raised:
        canonical("village")
    message = str(raised.value)
    assert "'village'" in message
    assert "Indonesian: batas, kasus, fasilitas, kader, penduduk" in message
    assert "English: boundaries, cases, facilities, kader, population" in message
    assert isinstance(raised.value, ValueError)  # run_import callers catch ValueError


def test_a_name_cannot_mean_two_kinds() -> None:
    class Clash(CasesImporter):
        jenis = "rujukan"
        english = "cases"  # already the English name of kasus

    class Nameless(CasesImporter):
        jenis = "rujukan"
        english = ""

    with pytest.raises(ValueError, match="'cases' already means 'kasus'"):
        register(Clash)
    with pytest.raises(TypeError, match="no English name"):
        register(Nameless)
    assert "rujukan" not in REGISTRY and "rujukan" not in NAMES


def test_run_import_takes_the_english_name_and_logs_the_canonical(store: Engine) -> None:
    report = run_import(store, "population", DEMO / "penduduk.csv", user="uji",
                        scope=Scope.everything())  # fmt: skip
    assert report.status == "ok", report.text("en")
    assert report.jenis == "penduduk"
    with store.connect() as conn:
        logged = conn.execute(text("SELECT jenis FROM impor_log WHERE id = :i"),
                              {"i": report.impor_id}).scalar_one()  # fmt: skip
    assert logged == "penduduk"
    with pytest.raises(UnknownKind):
        run_import(store, "people", DEMO / "penduduk.csv", user="uji", scope=Scope.everything())
