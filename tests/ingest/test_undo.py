"""Undo and the import log, scoped: `pws undo --scope`, `pws imports --scope`, trusted loads.

On the demo district: another office's import (kecamatan 99.01.05) is never undone by a
caller scoped to 99.01.01 (refused, saying why), the caller's own import is; the log lists
what touched the scope; the demo's trusted loads are not undoable, and the CLI says which
import it undid.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from layers.ingest import run_import
from layers.ingest.run import UndoRefused, undo_last, undo_newest, undo_target
from layers.scope import Scope
from tests.ingest.helpers import DEMO, demo_store, pws, rows

KEC = "99.01.01"
MINE = ["99.01.01.1001", "99.01.01.1002"]
THEIRS = ["99.01.05.2001", "99.01.05.2002"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    yield from demo_store(tmp_path)


def _week(path: Path, kodes: list[str], add: int) -> Path:
    demo = pd.read_csv(DEMO / "kasus_mingguan.csv", dtype=str)
    week = demo[(demo["tahun"] == "2025") & (demo["minggu"] == "10")
                & demo["kode_desa"].isin(kodes)].copy()  # fmt: skip
    week["kasus"] = (week["kasus"].astype(int) + add).astype(str)
    week.to_csv(path, index=False)
    return path


def _statuses(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT id, status FROM impor_log")).all())  # type: ignore


def test_cli_undo_with_a_scope_refuses_another_offices_import(store: Engine,
                                                               tmp_path: Path) -> None:  # fmt: skip
    theirs = run_import(store, "kasus", _week(tmp_path / "lain.csv", THEIRS, 9),
                        user="dinkes-lain", scope=Scope.of(["99.01.05"]))  # fmt: skip
    before = rows(store)
    refused = pws(store, "undo", "--scope", KEC, "--lang", "en")
    assert refused.exit_code == 1
    assert f"import #{theirs.impor_id}) touched regions outside yours" in refused.output
    assert "lain.csv" not in refused.output and "dinkes-lain" not in refused.output
    as_json = pws(store, "undo", "--scope", KEC, "--json")
    assert as_json.exit_code == 1 and json.loads(as_json.stdout)["ok"] is False
    assert rows(store) == before
    assert _statuses(store)[theirs.impor_id] == "ok"

    # the same command within the scope undoes the caller's own import, and says which
    mine = run_import(store, "kasus", _week(tmp_path / "saya.csv", MINE, 2), user="kec",
                      scope=Scope.of([KEC]))  # fmt: skip
    done = pws(store, "undo", "--scope", KEC, "--id", mine.impor_id)
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith(f"Impor #{mine.impor_id} · Kasus mingguan (SKDR) · saya.csv · ")
    assert "· kec dibatalkan: 2 baris dikembalikan ke isi sebelumnya, 0 baris baru dihapus." in (
        done.stdout)
    assert rows(store) == before
    # an unscoped caller may undo the other office's import
    english = pws(store, "undo", "--lang", "en")
    assert english.exit_code == 0, english.output
    assert english.stdout.startswith(f"Import #{theirs.impor_id} · Weekly cases (SKDR) · lain.csv")
    assert "dibatalkan" not in english.stdout


def test_cli_imports_with_a_scope_lists_what_touched_it(store: Engine, tmp_path: Path) -> None:
    run_import(store, "kasus", _week(tmp_path / "lain.csv", THEIRS, 9), user="dinkes-lain",
               scope=Scope.everything())  # fmt: skip
    bad = tmp_path / "gagal.csv"
    bad.write_text("kode_desa,penyakit,tahun,minggu,kasus\n99.01.01.1001,diare_akut,2025,10,-1\n")
    run_import(store, "kasus", bad, user="kec", scope=Scope.of([KEC]))
    run_import(store, "kasus", _week(tmp_path / "saya.csv", MINE, 2), user="kec",
               scope=Scope.of([KEC]))  # fmt: skip
    scoped = json.loads(pws(store, "imports", "--scope", KEC, "--json").stdout)
    files = [r["file"] for r in scoped]
    assert files[-2:] == ["gagal.csv", "saya.csv"] and "lain.csv" not in files
    assert "desa.geojson" in files  # the trusted load wrote every village, these too
    other = json.loads(pws(store, "imports", "--scope", "99.01.05", "--json").stdout)
    assert "lain.csv" in [r["file"] for r in other]
    assert not {"gagal.csv", "saya.csv"} & {r["file"] for r in other}
    every = json.loads(pws(store, "imports", "--json").stdout)
    assert {"lain.csv", "gagal.csv", "saya.csv"} <= {r["file"] for r in every}
    human = pws(store, "imports", "--scope", KEC, "--lang", "en").stdout
    assert human.splitlines()[0].split()[:3] == ["id", "kind", "file"] and "lain.csv" not in human


def test_trusted_loads_cannot_be_undone(store: Engine) -> None:
    before, statuses = rows(store), _statuses(store)
    assert set(statuses.values()) == {"dimuat"}
    refused = pws(store, "undo")
    assert refused.exit_code == 1
    assert "pemuat tepercaya (pws load-demo)" in refused.output
    assert rows(store) == before and _statuses(store) == statuses
    with pytest.raises(UndoRefused) as info:
        undo_last(store, "uji")
    assert "trusted loader" in info.value.text("en")
    with Session(store) as session:
        target = undo_target(session, Scope.everything())
    assert target is not None and not target.allowed and target.impor_id == max(statuses)


def test_nothing_before_a_trusted_load_is_undone(store: Engine, tmp_path: Path) -> None:
    """An import, then a trusted load over it: undo stops at the load (it would otherwise
    undo the import beneath, whose rows the load replaced)."""
    from layers.demo import load

    run_import(store, "kasus", _week(tmp_path / "w.csv", MINE, 2), user="u",
               scope=Scope.everything())  # fmt: skip
    load.load_demo_dir(store, DEMO)
    before = rows(store)
    with pytest.raises(UndoRefused):
        undo_last(store, "uji")
    assert rows(store) == before


def test_undo_target_hides_what_lies_outside_the_scope(store: Engine, tmp_path: Path) -> None:
    theirs = run_import(store, "kasus", _week(tmp_path / "lain.csv", THEIRS, 9),
                        user="dinkes-lain", scope=Scope.everything())  # fmt: skip
    with Session(store) as session:
        outside = undo_target(session, Scope.of([KEC]))
        inside = undo_target(session, Scope.of(["99.01.05"]))
        village = undo_target(session, Scope.of([THEIRS[0]]))
    assert outside is not None and outside.hidden and not outside.allowed
    assert outside.describe("id") == f"#{theirs.impor_id}"
    assert inside is not None and inside.allowed and "lain.csv" in inside.describe("en")
    assert village is not None and not village.allowed  # it touched two villages
    done = undo_newest(store, "uji", scope=Scope.of(["99.01.05"]))
    assert done.target.impor_id == theirs.impor_id and done.restored == 2


def test_rejected_attempts_record_the_scope_they_were_made_in(store: Engine,
                                                               tmp_path: Path) -> None:  # fmt: skip
    bad = tmp_path / "gagal.csv"
    bad.write_text("kode_desa,penyakit,tahun,minggu,kasus\n99.01.01.1001,diare_akut,2025,10,-1\n")
    run_import(store, "kasus", bad, user="kec", scope=Scope.of([KEC]))
    run_import(store, "kasus", bad, user="cli", scope=Scope.everything())
    with store.connect() as conn:
        ids = conn.execute(text("SELECT id FROM impor_log WHERE status = 'ditolak' "
                                "ORDER BY id")).scalars().all()
        regions = conn.execute(text("SELECT impor_id, kode FROM impor_wilayah WHERE impor_id "
                                    f"IN ({ids[0]}, {ids[1]})")).all()  # fmt: skip
    assert len(ids) == 2
    assert [tuple(r) for r in regions] == [(ids[0], KEC)]  # the unscoped attempt: none


def test_an_import_records_the_villages_it_wrote(store: Engine, tmp_path: Path) -> None:
    done = run_import(store, "kasus", _week(tmp_path / "w.csv", MINE + THEIRS, 1), user="u",
                      scope=Scope.everything())  # fmt: skip
    with store.connect() as conn:
        kodes = conn.execute(text("SELECT kode FROM impor_wilayah WHERE impor_id = :i "
                                  "ORDER BY kode"), {"i": done.impor_id}).scalars().all()
    assert kodes == sorted(MINE + THEIRS)


def test_a_kader_moved_elsewhere_records_both_villages(store: Engine, tmp_path: Path) -> None:
    """Rows an import overwrote count too: a kader moved from village A to B touched both,
    so a caller scoped to B alone cannot undo it (it would put the kader back in A)."""
    frame = pd.read_csv(DEMO / "kader.csv", dtype=str, keep_default_na=False).head(1)
    old = frame.loc[0, "kode_desa"]
    new = "99.01.05.2001" if not old.startswith("99.01.05.") else "99.01.01.1001"
    frame.loc[0, "kode_desa"] = new
    path = tmp_path / "pindah.csv"
    frame.to_csv(path, index=False)
    done = run_import(store, "kader", path, user="u", scope=Scope.everything())
    assert done.status == "ok", done.text("en")
    with store.connect() as conn:
        kodes = conn.execute(text("SELECT kode FROM impor_wilayah WHERE impor_id = :i"),
                             {"i": done.impor_id}).scalars().all()  # fmt: skip
    assert sorted(kodes) == sorted({old, new})
    with pytest.raises(UndoRefused):
        undo_newest(store, "u", scope=Scope.of([new]))
    undo_newest(store, "u", scope=Scope.of([old, new]))


def test_a_boundary_import_records_its_villages_not_their_parents(tmp_path: Path) -> None:
    from layers.store.engine import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    upgrade(engine)
    done = run_import(engine, "batas", DEMO / "desa.geojson", user="u", scope=Scope.everything())
    assert done.status == "ok", done.text("en")
    with engine.connect() as conn:
        kodes = set(conn.execute(text("SELECT kode FROM impor_wilayah WHERE impor_id = :i"),
                                 {"i": done.impor_id}).scalars())  # fmt: skip
        villages = set(conn.execute(text("SELECT kode FROM wilayah WHERE level = 'desa'"))
                       .scalars())  # fmt: skip
    engine.dispose()
    assert kodes == villages and len(kodes) == 250
