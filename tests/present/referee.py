"""The export tests' referee: the numbers a deck should show, read from the store's rows with
plain SQL (and the kader tests' plain-Python recomputation of levels), never through the
code under test; and a store copy with one small case count.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, text

from tests.ingest.helpers import demo_engine
from tests.kader.recompute import DATA, recompute

REGION = "99.01"
#: the kecamatan whose week is rewritten to hold one small count (as the model tests do)
KEC = "99.01.07"
WHERE = "penyakit = 'diare_akut' AND tahun = :y AND minggu = :w AND kode_desa LIKE :p"


def id_number(n: int) -> str:
    """``7033`` as Indonesian writes it: ``7.033``."""
    return f"{n:,}".replace(",", ".")


def newest_week(engine: Engine) -> tuple[int, int]:
    with engine.connect() as c:
        row = c.execute(text("SELECT tahun, minggu FROM kasus_mingguan WHERE penyakit = "
                             "'diare_akut' ORDER BY tahun DESC, minggu DESC LIMIT 1")).one()
    return int(row[0]), int(row[1])


def week_text(engine: Engine) -> str:
    y, w = newest_week(engine)
    return f"{y}-W{w:02d}"


def cases(engine: Engine, prefix: str, week: tuple[int, int] | None = None) -> int:
    """The diarrhoea cases of the villages under ``prefix`` in ``week`` (default newest)."""
    y, w = week or newest_week(engine)
    with engine.connect() as c:
        return int(c.execute(text(f"SELECT COALESCE(SUM(kasus), 0) FROM kasus_mingguan "
                                  f"WHERE {WHERE}"), {"y": y, "w": w, "p": prefix + ".%"}
                             ).scalar())  # fmt: skip


def active_kader(engine: Engine, prefix: str) -> int:
    with engine.connect() as c:
        return int(c.execute(text("SELECT COUNT(*) FROM kader WHERE aktif AND kode_desa LIKE :p"),
                             {"p": prefix + ".%"}).scalar())  # fmt: skip


def level_mix(engine: Engine, prefix: str, today: dt.date) -> dict[str, int]:
    """Active kader per level name (Indonesian), from the kader tests' recomputation."""
    found = recompute(engine, prefix + ".", today)
    keys = found.levels
    rows = list(csv.DictReader((DATA / "strata_kader.csv").read_text("utf-8").splitlines()))
    names = {"belum": "Belum berstrata", **{r["kode"]: r["label_id"] for r in rows}}
    return {names[k]: sum(v["level"][k] for v in found.villages.values()) for k in keys}


def kecamatan(engine: Engine, prefix: str) -> list[tuple[str, str]]:
    with engine.connect() as c:
        return [(str(k), str(n)) for k, n in c.execute(text(
            "SELECT kode, nama FROM wilayah WHERE level = 'kec' AND kode LIKE :p ORDER BY kode"),
            {"p": prefix + ".%"})]  # fmt: skip


def villages(engine: Engine, prefix: str) -> int:
    with engine.connect() as c:
        return int(c.execute(text("SELECT COUNT(*) FROM wilayah WHERE level = 'desa' AND kode "
                                  "LIKE :p"), {"p": prefix + ".%"}).scalar())  # fmt: skip


def small_count_store(folder: Path) -> tuple[Engine, str]:
    """A demo copy where every village of :data:`KEC` has 0 cases in the newest week but
    one, which has 3; the engine and that village's code."""
    engine = demo_engine(folder)
    y, w = newest_week(engine)
    params = {"y": y, "w": w, "p": KEC + ".%"}
    with engine.begin() as c:
        c.execute(text(f"UPDATE kasus_mingguan SET kasus = 0 WHERE {WHERE}"), params)
        kode = c.execute(text(f"SELECT MIN(kode_desa) FROM kasus_mingguan WHERE {WHERE}"),
                         params).scalar()  # fmt: skip
        c.execute(text(f"UPDATE kasus_mingguan SET kasus = 3 WHERE {WHERE} AND kode_desa = :k"),
                  {**params, "k": kode})  # fmt: skip
    return engine, str(kode)
