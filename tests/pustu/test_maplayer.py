"""Layer ``pustu``, overlay ``status_pustu`` and panel section ``pustu`` on the demo store."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from layers import base, overlays, panel
from layers.panel import Facts, Note, Table
from layers.pustu import maplayer, service
from layers.pustu import overlay as pustu_overlay
from layers.pustu import panel as pustu_panel
from layers.pustu.classes import CLASSES
from layers.scope import Scope
from layers.store import queries
from tests.ingest.helpers import demo_engine

ALL = Scope.everything()


def test_registered_as_a_snapshot_layer_with_its_overlay_and_section() -> None:
    assert base.REGISTRY["pustu"] is maplayer.PustuLayer
    assert maplayer.PustuLayer.period_kind == base.SNAPSHOT
    assert maplayer.PustuLayer.overlays == ("status_pustu",)
    assert "status_pustu" in overlays.OVERLAYS and not overlays.OVERLAYS["status_pustu"].always
    assert "pustu" in panel.SECTIONS
    kinds = {o.name: o.spec.kind for o in maplayer.PustuLayer.options()}
    assert kinds == {"jarak_km": "number", "puskesmas_melayani": "flag",
                     "tahun_target": "choice"}
    for text_ in (maplayer.PustuLayer.description, maplayer.PustuLayer().legend().title):
        assert "garis lurus" in text_.id and "bukan waktu tempuh" in text_.id
        assert "straight line" in text_.en and "not travel time" in text_.en


@pytest.mark.parametrize(("config", "match"), [
    ({"jarak_km": 0.1}, "outside"), ({"jarak_km": 51}, "outside"),
    ({"jarak_km": "5"}, "number"), ({"puskesmas_melayani": "ya"}, "true or false"),
    ({"tahun_target": 2029}, "not one of"), ({"tahun_target": "2028"}, "not one of"),
])
def test_crafted_options_are_refused(config: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        base.from_config({"type": "pustu", **config})


def test_config_round_trip() -> None:
    layer = maplayer.PustuLayer(jarak_km=2.5, puskesmas_melayani=False, tahun_target=2027)
    assert base.from_config(json.loads(json.dumps(layer.config()))) == layer


def test_layer_on_the_demo(session: Session) -> None:
    result = maplayer.PustuLayer().load(session, ALL, None, "id")
    table = result.table
    assert len(table) == 250 and set(table.columns) >= set(base.RESULT_COLUMNS)
    assert table["kode_desa"].tolist() == queries.village_table(session, ALL)["kode"].tolist()
    assert (table["klass"] == table["kelas"].map({k: i for i, k in enumerate(CLASSES)})).all()
    assert len(result.legend.classes) == len(CLASSES)
    np.testing.assert_allclose(table["value"], table["jarak_pustu_m"] / 1000)
    first = table.iloc[0]
    assert first["label"].startswith("Pustu aktif, tenaga minimal terpenuhi")
    assert "garis lurus" in first["label"] and "jiwa" in first["label"]
    gaps = service.gaps_for(session, ALL)
    t = gaps.total()
    assert f"{t['dengan_pustu']} dari 250 desa punya Pustu aktif" in result.summary.id
    assert f"{t['dengan_pustu']} of 250 villages have an active Pustu" in result.summary.en
    assert service.STRAIGHT_LINE.id in result.summary.id
    assert service.STRAIGHT_LINE.en in result.summary.en
    values = result.values()
    assert set(values) == set(table["kode_desa"]) and all(k >= 0 for k, _ in values.values())


def test_the_options_change_the_map(session: Session) -> None:
    served = maplayer.PustuLayer(jarak_km=1.0).load(session, ALL, None, "en")
    target = maplayer.PustuLayer(jarak_km=1.0, puskesmas_melayani=False).load(
        session, ALL, None, "en")
    pkm = served.table["kelas"] == "puskesmas"
    assert pkm.sum() > 0
    # the class stays; what it means for the target and for access changes
    assert (served.table["klass"] == target.table["klass"]).all()
    assert served.table.loc[pkm, "tercakup"].all() and not target.table.loc[pkm, "tercakup"].any()
    assert served.legend.classes[5].label.en.endswith("(counted as served)")
    assert target.legend.classes[5].label.en.endswith("(still counted toward the target)")
    assert (served.table["terlayani"] >= target.table["terlayani"]).all()
    assert (served.table["terlayani"] > target.table["terlayani"]).any()
    beyond = target.table.loc[~target.table["terlayani"], "label"]
    assert beyond.str.endswith("beyond 1 km of an active Pustu").all() and len(beyond) > 0
    wide = maplayer.PustuLayer(jarak_km=20.0, puskesmas_melayani=False).load(
        session, ALL, None, "en")
    assert wide.table["terlayani"].all()
    assert "people beyond 20 km: 0;" in wide.summary.en
    assert "people beyond 1 km: 0;" not in target.summary.en
    later = maplayer.PustuLayer(tahun_target=2027).load(session, ALL, None, "id")
    gaps = service.gaps_for(session, ALL, target_year=2027)
    assert f"target 2027: {gaps.total()['belum_tercakup']} desa lagi" in later.summary.id


def test_no_population_is_said_as_no_data(tmp_path: Path) -> None:
    engine = demo_engine(tmp_path)
    with Session(engine) as s:
        kode = queries.village_table(s, ALL)["kode"].iloc[3]
        s.execute(text("DELETE FROM penduduk WHERE kode_desa = :k"), {"k": kode})
        s.commit()
        result = maplayer.PustuLayer().load(s, ALL, None, "id")
        blocks = pustu_panel.PustuSection().blocks(s, ALL.narrow(kode), kode, None, "en",
                                                   area=ALL)  # fmt: skip
    engine.dispose()
    row = result.table.set_index("kode_desa").loc[kode]
    assert "penduduk: tidak ada data" in row["label"] and np.isnan(row["penduduk"])
    assert "(1 desa tanpa data penduduk)" in result.summary.id
    facts = dict(next(b for b in blocks if isinstance(b, Facts)).rows)
    assert facts["Population"] == "no data"


def test_an_empty_scope() -> None:
    gaps = service.build_gaps(*_empty_inputs(), current_year=2026)
    result = maplayer.PustuLayer().result(gaps, "en")
    assert result.table.empty and result.summary.en == "No villages in scope."


def _empty_inputs() -> tuple:
    import geopandas as gpd
    import pandas as pd

    villages = gpd.GeoDataFrame({"kode": [], "nama": [], "kode_kec": [], "nama_kec": [],
                                 "geometry": []}, crs="EPSG:4326")
    facilities = pd.DataFrame(columns=["id", "nama", "jenis", "kode_desa", "lon", "lat",
                                       "status", "perawat", "bidan"])
    return villages, facilities, pd.DataFrame(columns=["kode_desa", "jumlah"])


# --------------------------------------------------------------------------- overlay


def test_overlay_points_by_status(session: Session) -> None:
    points = overlays.OVERLAYS["status_pustu"].load(session, ALL)
    facilities = queries.facilities(session, ALL)
    pustu = facilities[facilities["jenis"] == "pustu"]
    assert len(points) == len(pustu)
    active = pustu["status"] == "aktif"
    full = active & (pustu["perawat"] >= 1) & (pustu["bidan"] >= 1)
    assert (points["klass"] == 0).sum() == full.sum()
    assert (points["klass"] == 1).sum() == (active & ~full).sum()
    assert (points["klass"] == 2).sum() == (~active).sum()
    short = points[points["klass"] == 1]
    assert short["kurang"].isin(["perawat", "bidan", "perawat, bidan"]).all()
    assert points["induk"].str.startswith("Puskesmas ").all()
    assert set(points.columns) >= {"lon", "lat", "klass", "nama", "perawat", "bidan", "kurang",
                                   "induk"}
    assert len(pustu_overlay.PustuStatusOverlay.classes) == 3


# --------------------------------------------------------------------------- panel


def _blocks(session: Session, kode: str, lang: str, area: Scope | None) -> list:
    return pustu_panel.PustuSection().blocks(session, ALL.narrow(kode), kode, None, lang,
                                             area=area)  # fmt: skip


def test_panel_with_the_kabupaten_around(session: Session) -> None:
    gaps = service.gaps_for(session, ALL)
    v = gaps.villages.set_index("kode_desa")
    kode = v.index[v["kelas"] == "tidak_ada"][0]
    area = pustu_panel.area_of(ALL, kode)
    assert area == Scope.of(["99.01"])
    blocks = _blocks(session, kode, "id", area)
    assert isinstance(blocks[0], Note) and blocks[0].text == "Tanpa Pustu" and \
        blocks[0].tone == "bad"
    assert not any(isinstance(b, Table) for b in blocks)  # no Pustu or Puskesmas in it
    facts = dict(next(b for b in blocks if isinstance(b, Facts)).rows)
    name = v.loc[kode, "pustu_terdekat_nama"]
    assert facts["Pustu aktif terdekat"].startswith(f"{name} (")
    assert facts["Pustu aktif terdekat"].endswith(
        service.distance_text(v.loc[kode, "jarak_pustu_m"], "id"))
    assert facts["Dalam 5 km dari Pustu/Puskesmas aktif"] == (
        "ya" if v.loc[kode, "terlayani"] else "tidak")
    assert any(isinstance(b, Note) and b.text == service.STRAIGHT_LINE.id for b in blocks)


def test_panel_of_a_pustu_village_lists_it_with_its_parent(session: Session) -> None:
    gaps = service.gaps_for(session, ALL)
    v = gaps.villages.set_index("kode_desa")
    kode = v.index[v["kelas"] == "tanpa_bidan"][0]
    blocks = _blocks(session, kode, "en", pustu_panel.area_of(ALL, kode))
    table = next(b for b in blocks if isinstance(b, Table))
    assert table.columns == ("Facility", "Status", "Perawat", "Bidan", "Parent Puskesmas")
    (row,) = table.rows
    assert row[1] == "active" and row[3] == "0" and row[4].startswith("Puskesmas ")
    facts = dict(next(b for b in blocks if isinstance(b, Facts)).rows)
    assert "(in this village)" in facts["Nearest active Pustu"]


def test_panel_without_an_area_sees_the_village_only(session: Session) -> None:
    gaps = service.gaps_for(session, ALL)
    v = gaps.villages.set_index("kode_desa")
    kode = v.index[v["kelas"] == "tidak_ada"][0]
    blocks = _blocks(session, kode, "en", None)
    facts = dict(next(b for b in blocks if isinstance(b, Facts)).rows)
    assert facts["Nearest active Pustu"] == "none in this village"
    assert blocks[-1].text.startswith("Facilities in other villages are not seen")
    # an area that does not hold the village is not used; a village out of scope: nothing
    assert _blocks(session, kode, "en", Scope.of(["98"]))[-1].text.startswith("Facilities")
    section = pustu_panel.PustuSection()
    assert section.blocks(session, Scope.of(["99.01.02"]), kode, None, "en") is None
    assert section.blocks(session, ALL, "not a code", None, "en") is None
    loaded = section.load(session, ALL.narrow(kode), kode, None, "id")
    assert loaded is not None and loaded.title == "Pustu dan akses"


def test_panel_says_two_active_pustu(tmp_path: Path) -> None:
    engine = demo_engine(tmp_path)
    kode = "99.01.01.2011"
    with Session(engine) as s:
        s.execute(text(
            "INSERT INTO fasilitas (nama, jenis, kode_desa, status, perawat, bidan) VALUES "
            "('Pustu A', 'pustu', :k, 'aktif', 1, 0), ('Pustu B', 'pustu', :k, 'aktif', 0, 1)"),
            {"k": kode})
        s.commit()
        blocks = _blocks(s, kode, "id", pustu_panel.area_of(ALL, kode))
    engine.dispose()
    notes = [b.text for b in blocks if isinstance(b, Note)]
    assert notes[0] == "Pustu aktif, tenaga minimal terpenuhi (≥ 1 perawat + 1 bidan)"
    assert notes[1].startswith("Desa ini punya 2 Pustu aktif")
    table = next(b for b in blocks if isinstance(b, Table))
    assert [r[0] for r in table.rows] == ["Pustu: Pustu A", "Pustu: Pustu B"]
