"""Saved plans on SQLite and PostGIS: save, list, load, replace, delete, compare, scope."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from scipy import sparse
from sqlalchemy.orm import Session

from layers.pustu.planner import Instance, greedy
from layers.pustu.plans import (
    LIST_COLUMNS,
    PlanError,
    compare,
    compare_saved,
    delete,
    list_plans,
    load,
    save,
    sites_of,
)
from layers.pustu.ranking import PlanningData
from layers.scope import Scope
from layers.store import engine as store_engine

ALL = Scope.everything()
KAB = Scope.of(["35.10"])
OTHER = Scope.of(["35.11"])
V = ["35.10.01.2001", "35.10.01.2002", "35.10.02.2003", "35.10.02.2004"]


def data() -> PlanningData:
    """Four villages: site 0 an existing Pustu serving V0; candidates V1-V3, the one in V2
    reaching V1 too."""
    cover = sparse.csc_matrix(np.array([[1, 0, 0, 0], [0, 1, 1, 0], [0, 0, 1, 0],
                                        [0, 0, 0, 1]]))  # fmt: skip
    inst = Instance(cover, np.array([1000.0, 300, 500, 200]),
                    fixed=np.array([True, False, False, False]), village_codes=V,
                    site_codes=["pustu:1", *V[1:]])  # fmt: skip
    return PlanningData(inst, pd.DataFrame({"kode": V}), np.arange(4), 3000.0, True)


def test_save_list_load_compare(engine: sa.Engine) -> None:
    d = data()
    g = greedy(d.instance, 2)
    assert g.codes == (V[2], V[3])
    with Session(engine) as s:
        saved = save(s, KAB, " Rencana 2027 ", "3510", g.codes, jarak_m=3000, metode="greedy",
                     figures=g, pengguna="dinkes")  # fmt: skip
        save(s, KAB, "Alternatif", "35.10.01", [V[1], V[1]], jarak_m=3000)
        s.commit()
    assert saved.nama == "Rencana 2027" and saved.kode_wilayah == "35.10"
    with Session(engine) as s:
        listed = list_plans(s, KAB)
        back = load(s, KAB, "Rencana 2027", "35.10")
        alt = load(s, ALL, "Alternatif", "351001")
        kec = list_plans(s, KAB, within="35.10.01")
    assert listed.columns.tolist() == LIST_COLUMNS
    assert listed["nama"].tolist() == ["Rencana 2027", "Alternatif"]
    assert listed["desa"].tolist() == [2, 1]
    assert kec["nama"].tolist() == ["Alternatif"]
    assert back is not None and back.desa == (V[2], V[3]) and back.metode == "greedy"
    assert back.terlayani_baru == g.newly_served == 1000
    assert back.cakupan_persen == pytest.approx(g.coverage_pct)
    assert back.pengguna == "dinkes" and back.jarak_m == 3000 and back.puskesmas_melayani
    assert back.dibuat.tzinfo is not None
    assert abs(back.dibuat - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert alt is not None and alt.desa == (V[1],) and alt.terlayani_baru is None
    table = compare(d, {back.nama: back.desa, alt.nama: alt.desa})
    assert table["terlayani_baru"].tolist() == [1000.0, 300.0]
    assert table["terlayani"].tolist() == [2000.0, 1300.0]
    assert table["sama_dengan_pertama"].tolist() == [2, 0]
    with Session(engine) as s:
        assert compare_saved(s, KAB, d, "35.10", ["Rencana 2027", "nope"])[
            "nama"].tolist() == ["Rencana 2027"]  # fmt: skip


def test_scope_decides_what_is_seen(engine: sa.Engine) -> None:
    with Session(engine) as s:
        save(s, KAB, "A", "35.10", [V[1]], jarak_m=5000)
        save(s, OTHER, "A", "35.11", ["35.11.01.2001"], jarak_m=5000)  # same name, elsewhere
        save(s, ALL, "Provinsi", "35", [V[1], "35.11.01.2001"], jarak_m=5000)
        s.commit()
    with Session(engine) as s:
        assert list_plans(s, KAB)["kode_wilayah"].tolist() == ["35.10"]
        assert list_plans(s, OTHER)["kode_wilayah"].tolist() == ["35.11"]
        assert list_plans(s, ALL)["kode_wilayah"].tolist() == ["35", "35.10", "35.11"]
        assert list_plans(s, Scope.of(["35.10.01"])).empty  # a kecamatan sees no kab plan
        assert list_plans(s, Scope(frozenset())).empty
        assert list_plans(s, KAB, within="35.11").empty  # narrowing never widens
        assert load(s, OTHER, "A", "35.10") is None
        assert load(s, KAB, "Provinsi", "35") is None
        assert load(s, KAB, "A", "35.10") is not None
        assert load(s, KAB, "A", "not a code") is None
        assert not delete(s, OTHER, "A", "35.10")
        with pytest.raises(PlanError, match="outside your scope"):
            save(s, KAB, "B", "35.11", ["35.11.01.2001"], jarak_m=5000)
        with pytest.raises(PlanError, match="not a village in 35.10"):
            save(s, KAB, "B", "35.10", ["35.11.01.2001"], jarak_m=5000)
        with pytest.raises(PlanError, match="not a village"):
            save(s, KAB, "B", "35.10", ["35.10.01"], jarak_m=5000)


def test_names_replace_and_delete(engine: sa.Engine) -> None:
    with Session(engine) as s:
        save(s, KAB, "Rencana", "35.10", [V[1]], jarak_m=5000)
        s.commit()
        with pytest.raises(PlanError, match="already exists") as info:
            save(s, KAB, "Rencana", "35.10", [V[2]], jarak_m=5000)
        assert "sudah ada" in info.value.text.id
        save(s, KAB, "Rencana", "35.10", [V[2], V[3]], jarak_m=2000, metode="manual",
             replace=True)  # fmt: skip
        s.commit()
        back = load(s, KAB, "Rencana", "35.10")
        assert back is not None and back.desa == (V[2], V[3]) and back.jarak_m == 2000
        assert len(list_plans(s, KAB)) == 1
        for bad in ("", " ", "x" * 101):
            with pytest.raises(PlanError, match="name"):
                save(s, KAB, bad, "35.10", [V[1]], jarak_m=5000)
        with pytest.raises(PlanError, match="method"):
            save(s, KAB, "M", "35.10", [V[1]], jarak_m=5000, metode="cbc")
        assert delete(s, KAB, "Rencana", "35.10")
        s.commit()
        assert list_plans(s, KAB).empty and load(s, KAB, "Rencana", "35.10") is None


def test_database_refuses_a_second_plan_of_the_same_name(engine: sa.Engine) -> None:
    row = {"nama": "X", "kode_wilayah": "35.10", "desa": "[]", "jarak_m": 1.0,
           "puskesmas_melayani": True, "metode": "greedy", "dibuat": dt.datetime.now(dt.UTC)}
    table = sa.table("rencana_pustu", *(sa.column(c) for c in row))
    with engine.begin() as conn:
        conn.execute(table.insert().values(**row))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(table.insert().values(**row))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(table.insert().values(**{**row, "nama": "Y", "jarak_m": 0.0}))


def test_sites_of_a_plan_that_aged() -> None:
    d = data()
    sites, gone = sites_of(d, [V[2], V[0], "35.10.09.9999"])
    assert sites == [2] and gone == [V[0], "35.10.09.9999"]  # V0 has an active Pustu now
    table = compare(d, {"old": [V[2], V[0], "35.10.09.9999"]})
    assert table[["desa", "dinilai", "tidak_dinilai"]].values.tolist() == [[3, 1, 2]]
    assert table["terlayani_baru"].tolist() == [800.0]


def test_migration_0007_down_and_up(engine: sa.Engine) -> None:
    with Session(engine) as s:
        save(s, KAB, "Rencana", "35.10", [V[1]], jarak_m=5000)
        s.commit()
    store_engine.downgrade(engine, "0006")
    assert "rencana_pustu" not in sa.inspect(engine).get_table_names()
    store_engine.upgrade(engine)
    with Session(engine) as s:
        assert list_plans(s, ALL).empty
        save(s, KAB, "Rencana", "35.10", [V[1]], jarak_m=5000)
        s.commit()
