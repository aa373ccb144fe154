"""layers/indicators.py IncidenceLayer on the loaded demo district.

Expectations are computed from the raw demo CSVs with pandas, not from the store.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from sqlalchemy.orm import Session

from dashboard.testing import loaded_database
from layers.base import from_config
from layers.epiweek import EpiWeek
from layers.indicators import IncidenceLayer
from layers.scope import Scope
from layers.store.engine import make_engine

DEMO = Path(__file__).resolve().parents[1] / "data" / "geo" / "demo_9901"
WEEK = EpiWeek(2025, 10)
#: villages changed in the copy of the database
NO_REPORT = "99.01.03.2004"
NO_POPULATION = "99.01.04.2003"


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """Per village of the demo: kasus of WEEK (may be NaN) and jumlah of WEEK's year."""
    villages = gpd.read_file(DEMO / "desa.geojson")[["kode_desa", "kode_kec"]]
    cases = pd.read_csv(DEMO / "kasus_mingguan.csv", dtype={"kode_desa": str})
    cases = cases[(cases.penyakit == "diare_akut") & (cases.tahun == WEEK.year)
                  & (cases.minggu == WEEK.week)]  # fmt: skip
    pop = pd.read_csv(DEMO / "penduduk.csv", dtype={"kode_desa": str})
    pop = pop[pop.tahun == WEEK.year]
    table = villages.merge(cases[["kode_desa", "kasus"]], on="kode_desa", how="left")
    table = table.merge(pop[["kode_desa", "jumlah"]], on="kode_desa", how="left")
    return table.set_index("kode_desa")


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("indicators") / "demo.sqlite"
    loaded_database(DEMO, path)
    return path


@pytest.fixture(scope="module")
def altered_db_path(db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo database without one report row and one village's population."""
    path = tmp_path_factory.mktemp("indicators_altered") / "demo.sqlite"
    src, dst = sqlite3.connect(db_path), sqlite3.connect(path)
    src.backup(dst)
    src.close()
    with dst:
        n = dst.execute(
            "DELETE FROM kasus_mingguan WHERE kode_desa = ? AND penyakit = 'diare_akut'"
            " AND tahun = ? AND minggu = ?", (NO_REPORT, WEEK.year, WEEK.week)
        ).rowcount
        assert n == 1
        n = dst.execute("DELETE FROM penduduk WHERE kode_desa = ?", (NO_POPULATION,)).rowcount
        assert n >= 1
    dst.close()
    return path


def _session(path: Path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture(scope="module")
def session(db_path: Path) -> Iterator[Session]:
    yield from _session(db_path)


@pytest.fixture(scope="module")
def altered_session(altered_db_path: Path) -> Iterator[Session]:
    yield from _session(altered_db_path)


def _expected_class(rate: float) -> int:
    if math.isnan(rate):
        return -1
    if rate <= 0.0:
        return 0
    if rate <= 0.5:
        return 1
    if rate <= 1.0:
        return 2
    if rate <= 2.0:
        return 3
    return 4


def _id_number(x: float, decimals: int) -> str:
    """Indonesian number format written out by hand: 1.234,56."""
    whole, _, frac = f"{x:.{decimals}f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return ".".join(groups) + ("," + frac if frac else "")


def test_incidence_values_classes_and_labels(session: Session, raw: pd.DataFrame) -> None:
    layer = IncidenceLayer()
    result_id = layer.load(session, Scope.everything(), WEEK, "id")
    result_en = layer.load(session, Scope.everything(), WEEK, "en")
    table = result_id.table.set_index("kode_desa")
    assert sorted(table.index) == sorted(raw.index)
    assert len(table) == 250
    seen_classes = set()
    for kode, row in raw.iterrows():
        kasus, jumlah = int(row["kasus"]), int(row["jumlah"])
        rate = kasus / jumlah * 1000
        got = table.loc[kode]
        assert got["value"] == pytest.approx(rate, rel=1e-12)
        assert got["klass"] == _expected_class(rate)
        seen_classes.add(_expected_class(rate))
        assert got["label"] == f"{kasus} kasus · {_id_number(rate, 2)} per 1.000"
    # the chosen week exercises every class (so the class check above means something)
    assert seen_classes == {0, 1, 2, 3, 4}
    labels_en = dict(zip(result_en.table["kode_desa"], result_en.table["label"], strict=True))
    for kode, row in raw.iterrows():
        kasus, jumlah = int(row["kasus"]), int(row["jumlah"])
        noun = "case" if kasus == 1 else "cases"
        assert labels_en[kode] == f"{kasus} {noun} · {kasus / jumlah * 1000:.2f} per 1,000"
    values = result_id.values()
    assert values[raw.index[0]] == [int(table.loc[raw.index[0], "klass"]),
                                    table.loc[raw.index[0], "label"]]  # fmt: skip
    total, reported = int(raw["kasus"].sum()), int(raw["kasus"].notna().sum())
    assert result_id.summary.id == (
        f"{_id_number(total, 0)} kasus di {reported} desa melapor, minggu 2025-W10"
    )


def test_one_case_label_singular_in_english(session: Session, raw: pd.DataFrame) -> None:
    one = raw.index[raw["kasus"] == 1]
    assert len(one) > 0
    result = IncidenceLayer().load(session, Scope.everything(), WEEK, "en")
    labels = dict(zip(result.table["kode_desa"], result.table["label"], strict=True))
    assert labels[one[0]].startswith("1 case · ")


def test_missing_report_and_population(altered_session: Session, raw: pd.DataFrame) -> None:
    assert not math.isnan(raw.loc[NO_REPORT, "kasus"])  # the raw data has the row we removed
    layer = IncidenceLayer()
    table = layer.load(altered_session, Scope.everything(), WEEK, "id").table.set_index(
        "kode_desa"
    )
    assert len(table) == 250
    assert table.loc[NO_REPORT, "klass"] == -1
    assert math.isnan(table.loc[NO_REPORT, "value"])
    assert table.loc[NO_REPORT, "label"] == "Tidak ada laporan"
    kasus = int(raw.loc[NO_POPULATION, "kasus"])
    assert table.loc[NO_POPULATION, "klass"] == -1
    assert math.isnan(table.loc[NO_POPULATION, "value"])
    assert table.loc[NO_POPULATION, "label"] == f"{kasus} kasus (penduduk tidak diketahui)"
    en = layer.load(altered_session, Scope.everything(), WEEK, "en").table.set_index("kode_desa")
    assert en.loc[NO_REPORT, "label"] == "No report"
    assert "population unknown" in en.loc[NO_POPULATION, "label"]
    # the rest is untouched
    other = raw.index[0]
    assert table.loc[other, "value"] == pytest.approx(
        raw.loc[other, "kasus"] / raw.loc[other, "jumlah"] * 1000
    )


@pytest.mark.parametrize("kec", ["99.01.01", "99.01.07"])
def test_scope_narrowing(session: Session, raw: pd.DataFrame, kec: str) -> None:
    scope = Scope.everything().narrow(kec)
    result = IncidenceLayer().load(session, scope, WEEK, "id")
    expected = raw.index[raw["kode_kec"] == kec]
    assert len(expected) > 0
    assert sorted(result.table["kode_desa"]) == sorted(expected)
    total = int(raw.loc[expected, "kasus"].sum())
    assert result.summary.id.startswith(f"{_id_number(total, 0)} kasus di {len(expected)} desa")


def test_empty_scope_gives_empty_table(session: Session) -> None:
    result = IncidenceLayer().load(session, Scope(frozenset()), WEEK, "id")
    assert result.table.empty


def test_legend_labels_and_config() -> None:
    layer = from_config({"type": "insidens"})
    assert isinstance(layer, IncidenceLayer)
    legend = layer.legend()
    assert [c.label.id for c in legend.classes] == [
        "0 kasus", "> 0,0 – 0,5", "> 0,5 – 1,0", "> 1,0 – 2,0", "> 2,0",
    ]
    assert [c.label.en for c in legend.classes][1:] == [
        "> 0.0 – 0.5", "> 0.5 – 1.0", "> 1.0 – 2.0", "> 2.0",
    ]
    assert legend.no_data.label.id == "Tidak ada laporan"
    assert legend.title.id == "Diare akut: kasus per 1.000 penduduk"
