"""Parent Puskesmas names that recur across a province resolve to the nearest one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from layers.ingest.parents import resolve_parents
from layers.store.engine import make_engine, upgrade


def test_a_name_shared_by_two_kabupaten_resolves_within_each(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 's.sqlite'}")
    upgrade(engine)
    facilities = pd.DataFrame({
        "kode_desa": ["35.01.01.2001", "35.02.03.2001", "35.01.01.2002", "35.02.03.2004",
                      "35.02.05.2001"],
        "jenis": ["puskesmas", "puskesmas", "pustu", "pustu", "pustu"],
        "nama": ["Puskesmas Sawahan", "Puskesmas Sawahan", "Pustu A", "Pustu B", "Pustu C"],
    })  # fmt: skip
    induk = pd.Series([None, None, "Puskesmas Sawahan", "puskesmas  sawahan",
                       "Puskesmas Sawahan"])  # fmt: skip
    with Session(engine) as session:
        targets, problems = resolve_parents(session, facilities, induk,
                                            pd.Series(range(2, 7)))  # fmt: skip
    engine.dispose()
    assert problems == []
    assert targets[2] == ("35.01.01.2001", "puskesmas", "Puskesmas Sawahan")
    assert targets[3] == ("35.02.03.2001", "puskesmas", "Puskesmas Sawahan")
    # another kecamatan of the second kabupaten: still that kabupaten's Puskesmas
    assert targets[4] == ("35.02.03.2001", "puskesmas", "Puskesmas Sawahan")
    # a third kabupaten with no Puskesmas of that name: two candidates, ambiguous
    facilities.loc[4, "kode_desa"] = "35.09.01.2001"
    with Session(make_engine(f"sqlite:///{tmp_path / 's.sqlite'}")) as session:
        _, problems = resolve_parents(session, facilities, induk, pd.Series(range(2, 7)))
    assert [p.code for p in problems] == ["ambiguous_parent"]
