"""Village reconciliation (layers.ingest.villages) on the real Kemendagri boundaries.

The store holds Banyuwangi (35.10, 217 villages, three village names used in two kecamatan)
plus a few Jawa Timur kecamatan whose names differ between the boundary set and
idn-area-data (../shared/data/README.md §4): ``Tamba'an``/``Tamba"an``, ``Gedog``/``Gedok
Kulon``, ``Tundosuro``/``Tundosoro``, ``Tangjung``/``Tanjung Jati``, hyphen spacing and the
kecamatan ``Ra'as``/``Ra"as`` — real misspellings an office file will contain.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from layers.demo import load
from layers.ingest import run_import
from layers.ingest.villages import (
    REVIEW_COLUMNS,
    Proposal,
    name_key,
    normalize_name,
    proposals_to_csv,
    read_confirmations,
    reconcile,
)
from layers.scope import Scope
from layers.store import queries
from layers.store.engine import make_engine, upgrade
from layers.store.models import KasusMingguan

BOUNDARIES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "boundaries"
BANYUWANGI = BOUNDARIES / "desa_3510_banyuwangi.geojson"
JATIM = BOUNDARIES / "jatim" / "desa_35_jawa_timur.parquet"
#: Camplong, Panggungrejo (Kota Pasuruan), Turen, Kejayan, Kamal, Ra'as, Duduksampeyan
JATIM_KEC = ["35.27.04", "35.75.04", "35.07.09", "35.14.06", "35.26.04", "35.29.22", "35.25.05"]
EVERYTHING = Scope.everything()


def _read(path: Path) -> gpd.GeoDataFrame:
    if not path.exists():
        pytest.fail(f"shared boundary file missing: {path} (see ../shared/data/README.md)")
    return gpd.read_parquet(path) if path.suffix == ".parquet" else gpd.read_file(path)


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite store with Banyuwangi and the Jawa Timur kecamatan loaded."""
    path = tmp_path_factory.mktemp("villages") / "base.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    banyuwangi = _read(BANYUWANGI)
    jatim = _read(JATIM)
    jatim = jatim[jatim["kode_kec"].isin(JATIM_KEC)][list(banyuwangi.columns)]
    with Session(engine) as s, s.begin():
        load.load_boundaries(s, banyuwangi)
        load.load_boundaries(s, jatim)
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def gazetteer(base_db: Path) -> pd.DataFrame:
    engine = make_engine(f"sqlite:///{base_db}")
    with Session(engine) as s:
        table = queries.village_table(s, EVERYTHING)
    engine.dispose()
    return table


@pytest.fixture
def engine(base_db: Path, tmp_path: Path) -> Iterator[sa.Engine]:
    """A private copy of the base store (imports write to it)."""
    path = tmp_path / "store.sqlite"
    shutil.copy(base_db, path)
    eng = make_engine(f"sqlite:///{path}")
    try:
        yield eng
    finally:
        eng.dispose()


def _propose(gazetteer: pd.DataFrame, pairs: list[tuple[str, str]]) -> list[Proposal]:
    names = pd.DataFrame(pairs, columns=["nama_desa", "nama_kec"])
    return reconcile(names, gazetteer)


def _one(gazetteer: pd.DataFrame, desa: str, kec: str) -> Proposal:
    (proposal,) = _propose(gazetteer, [(desa, kec)])
    return proposal


def _cases(rows: list[tuple[str, ...]], header: str = "desa,kecamatan,penyakit,tahun,minggu,kasus"
           ) -> str:  # fmt: skip
    return header + "\n" + "\n".join(",".join(r) for r in rows) + "\n"


def _stored(engine: sa.Engine) -> list[tuple[str, str, int, int, int, int]]:
    k = KasusMingguan
    with Session(engine) as s:
        return [tuple(r) for r in s.execute(sa.select(
            k.kode_desa, k.penyakit, k.tahun, k.minggu, k.kasus, k.kematian
        ).order_by(k.kode_desa, k.minggu)).all()]  # fmt: skip


def _import(engine: sa.Engine, path: Path, **options: object):  # noqa: ANN202 - report
    return run_import(engine, "kasus", path, user="test", scope=EVERYTHING,
                      options=options)  # fmt: skip


# --------------------------------------------------------------------------- normalising


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Tamba'an", 'Tamba"an'),
        ("Tamba'an", "Tamba’an"),
        ("Ra'as", "Kec. Ra`as"),
        ("Ambeng-ambeng Watangrejo", "Ambeng - Ambeng  Watangrejo"),
        ("Sarongan", "DS. SARONGAN"),
        ("Sarongan", "Desa Sarongan"),
        ("Panderejo", "Kel.Panderejo"),
        ("Panderejo", "Kelurahan PANDEREJO"),
        ("Sumberrejo", "Soemberredjo"),
        ("Cungking", "Tjoengking"),
        ("Karangrejo", "Karang Rejo"),
        ("Seloka", "Séloka"),
    ],
)
def test_spellings_that_normalise_alike(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_normalising_keeps_names_apart() -> None:
    assert name_key("Gedog Kulon") != name_key("Gedog Wetan")
    assert name_key("Kecil") == "kecil"  # a prefix only at a word boundary
    assert normalize_name("Desa") == "desa"  # a name that is only a prefix stays
    assert name_key("Panjang") != name_key("Panyang")  # 'nj' is current spelling


# --------------------------------------------------------------------------- proposals


def test_exact_normalised_fuzzy_none_on_banyuwangi(gazetteer: pd.DataFrame) -> None:
    exact, normal, typo, unknown = _propose(gazetteer, [
        ("Sarongan", "Pesanggaran"), ("DS. SARONGAN", "kec. pesanggaran"),
        ("Sarongn", "Pesanggaran"), ("Xyzabc", "Pesanggaran"),
    ])  # fmt: skip
    assert (exact.kode, exact.method, exact.score, exact.ambiguous) == (
        "35.10.01.2001", "exact", 100.0, False)  # fmt: skip
    assert not exact.needs_confirmation
    assert (normal.kode, normal.nama, normal.method) == ("35.10.01.2001", "Sarongan", "normalised")
    assert not normal.needs_confirmation
    assert (typo.kode, typo.nama, typo.method) == ("35.10.01.2001", "Sarongan", "fuzzy")
    assert 80 <= typo.score < 100 and typo.needs_confirmation and not typo.ambiguous
    assert unknown.kode is None and unknown.method == "none" and unknown.needs_confirmation
    assert len(unknown.candidates) == 3  # the closest names, for the message
    assert all(c.nama_kec == "Pesanggaran" for c in unknown.candidates)


def test_every_banyuwangi_village_in_office_spelling(gazetteer: pd.DataFrame) -> None:
    """All 217 villages written ``DESA <UPPER>`` / ``KEC. <UPPER>`` resolve, none fuzzily."""
    bwi = gazetteer[gazetteer["kode"].str.startswith("35.10.")]
    assert len(bwi) == 217
    names = pd.DataFrame({"nama_desa": "DESA " + bwi["nama"].str.upper(),
                          "nama_kec": "KEC. " + bwi["nama_kec"].str.upper()})  # fmt: skip
    proposals = reconcile(names, gazetteer)
    assert [p.kode for p in proposals] == list(bwi["kode"])
    assert {p.method for p in proposals} == {"normalised"}
    assert not any(p.ambiguous for p in proposals)


def test_typos_in_every_banyuwangi_village_are_fuzzy_and_right(gazetteer: pd.DataFrame) -> None:
    """One letter dropped from each name (of 6+ letters): the right village, to confirm."""
    bwi = gazetteer[gazetteer["kode"].str.startswith("35.10.") & (gazetteer["nama"].str.len() > 5)]
    typo = bwi["nama"].map(lambda n: n[:3] + n[4:])
    proposals = reconcile(pd.DataFrame({"nama_desa": typo, "nama_kec": bwi["nama_kec"]}),
                          gazetteer)  # fmt: skip
    assert {p.method for p in proposals} == {"fuzzy"}
    wrong = [(p.nama_desa, p.kode, k) for p, k in zip(proposals, bwi["kode"], strict=True)
             if p.kode != k and not p.ambiguous]  # fmt: skip
    assert wrong == []
    assert sum(p.ambiguous for p in proposals) <= 3


def test_same_name_in_two_kecamatan_is_told_apart_by_kecamatan(gazetteer: pd.DataFrame) -> None:
    both = gazetteer[gazetteer["nama"] == "Karangrejo"]
    assert sorted(both["nama_kec"]) == ["Banyuwangi", "Blimbingsari"]
    bwi, blb, nokec = _propose(gazetteer, [("Karangrejo", "Banyuwangi"),
                                           ("karang rejo", "Blimbingsari"), ("Karangrejo", "")])
    assert (bwi.kode, bwi.method) == ("35.10.16.1007", "exact")
    assert (blb.kode, blb.method) == ("35.10.25.2008", "normalised")
    assert nokec.ambiguous and nokec.needs_confirmation  # without a kecamatan: either
    assert {c.kode for c in nokec.candidates[:2]} == {"35.10.16.1007", "35.10.25.2008"}
    pasuruan, sampang = _propose(gazetteer, [('Tamba"an', "Panggungrejo"),
                                             ('Tamba"an', "Camplong")])  # fmt: skip
    assert (pasuruan.kode, pasuruan.method) == ("35.75.04.1002", "normalised")
    assert (sampang.kode, sampang.method) == ("35.27.04.2003", "normalised")


def test_jawa_timur_name_differences(gazetteer: pd.DataFrame) -> None:
    """idn-area-data's spellings of README §4 against the boundary names."""
    expect = {
        ('Tamba"an', "Camplong"): ("35.27.04.2003", "normalised"),
        ("Ambeng - Ambeng Watangrejo", "Duduksampeyan"): ("35.25.05.2023", "normalised"),
        ("Kropoh", 'Ra"as'): ("35.29.22.2003", "normalised"),
        ("Gedok Kulon", "Turen"): ("35.07.09.2005", "fuzzy"),
        ("Gedok Wetan", "Turen"): ("35.07.09.2006", "fuzzy"),
        ("Tundosoro", "Kejayan"): ("35.14.06.2021", "fuzzy"),
        ("Tanjung Jati", "Kamal"): ("35.26.04.2010", "fuzzy"),
    }
    proposals = _propose(gazetteer, list(expect))
    got = {(p.nama_desa, p.nama_kec): (p.kode, p.method) for p in proposals}
    assert got == expect
    assert not any(p.ambiguous for p in proposals)
    assert all(p.score >= 80 for p in proposals)


def test_fuzzy_kecamatan_makes_the_proposal_fuzzy(gazetteer: pd.DataFrame) -> None:
    p = _one(gazetteer, "Sarongan", "Pesangaran")
    assert (p.kode, p.nama_kec_usulan, p.method) == ("35.10.01.2001", "Pesanggaran", "fuzzy")
    assert p.needs_confirmation
    # a kecamatan that matches nothing: searched everywhere, never accepted unconfirmed
    q = _one(gazetteer, "Sarongan", "Atlantis")
    assert (q.kode, q.method) == ("35.10.01.2001", "fuzzy")


def test_proposals_per_distinct_pair_with_rows(gazetteer: pd.DataFrame) -> None:
    names = pd.DataFrame({"nama_desa": ["Sarongan", " sarongan ", "Sarongan", "Kandangan"],
                          "nama_kec": ["Pesanggaran"] * 4})  # fmt: skip
    proposals = reconcile(names, gazetteer, rows=pd.Series([5, 6, 9, 12]))
    assert [(p.nama_desa, p.rows) for p in proposals] == [("Sarongan", [5, 6, 9]),
                                                          ("Kandangan", [12])]  # fmt: skip


def test_review_file_round_trip(gazetteer: pd.DataFrame, tmp_path: Path) -> None:
    proposals = _propose(gazetteer, [("Sarongan", "Pesanggaran"), ("Gedok Kulon", "Turen"),
                                     ("Xyzabc", "Pesanggaran")])  # fmt: skip
    path = proposals_to_csv(proposals, tmp_path / "review.csv")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == REVIEW_COLUMNS
    assert [(r["nama_desa"], r["kode_desa_usulan"], r["metode"], r["setuju"]) for r in rows] == [
        ("Sarongan", "35.10.01.2001", "exact", "ya"),
        ("Gedok Kulon", "35.07.09.2005", "fuzzy", ""),
        ("Xyzabc", "35.10.01.2001", "none", ""),  # the best candidate, for the user to judge
    ]
    assert rows[1]["nama_usulan"] == "Gedog Kulon" and rows[1]["skor"] == "90"
    assert read_confirmations(path) == {("sarongan", "pesanggaran"): "35.10.01.2001"}


# --------------------------------------------------------------------------- the importer


def test_import_by_name_exact_and_normalised_needs_no_confirmation(
    engine: sa.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "kasus.csv"
    path.write_text(_cases([
        ("Sarongan", "Pesanggaran", "diare", "2025", "3", "4"),
        ("DS. SARONGAN", "Kec. Pesanggaran", "diare", "2025", "4", "1"),
        ("Karangrejo", "Banyuwangi", "diare", "2025", "3", "2"),
        ("KARANG REJO", "BLIMBINGSARI", "diare", "2025", "3", "5"),
        ('Tamba"an', "Camplong", "diare", "2025", "3", "6"),
    ]))  # fmt: skip
    report = _import(engine, path)
    assert report.status == "ok", report.text("en")
    assert _stored(engine) == [
        ("35.10.01.2001", "diare_akut", 2025, 3, 4, 0),
        ("35.10.01.2001", "diare_akut", 2025, 4, 1, 0),
        ("35.10.16.1007", "diare_akut", 2025, 3, 2, 0),
        ("35.10.25.2008", "diare_akut", 2025, 3, 5, 0),
        ("35.27.04.2003", "diare_akut", 2025, 3, 6, 0),
    ]
    notes = " ".join(n("en") for n in report.notes)
    assert "5 names (exact 2, spelling normalised 3)" in notes
    assert "'KARANG REJO' / Kec. 'BLIMBINGSARI' -> 35.10.25.2008 Karangrejo" in notes
    assert report.mapped_columns == {"desa": "nama_desa", "kecamatan": "nama_kec"}
    assert not (tmp_path / "kasus.tinjauan.csv").exists()


def test_fuzzy_match_rejects_the_file_until_confirmed(engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "w2.csv"
    path.write_text(_cases([
        ("Sarongan", "Pesanggaran", "diare", "2025", "3", "4"),
        ("Gedok Kulon", "Turen", "diare", "2025", "3", "7"),
        ("Gedok Kulon", "Turen", "diare", "2025", "4", "8"),
        ("Tanjung Jati", "Kamal", "diare", "2025", "3", "1"),
    ]))  # fmt: skip
    report = _import(engine, path)
    assert report.status == "ditolak"
    assert _stored(engine) == []  # nothing written, not even the exact match
    assert [(p.row, p.column, p.value, p.code) for p in report.problems] == [
        (3, "nama_desa", "Gedok Kulon", "needs_confirmation"),
        (4, "nama_desa", "Gedok Kulon", "needs_confirmation"),
        (5, "nama_desa", "Tanjung Jati", "needs_confirmation"),
    ]
    assert "Gedog Kulon (35.07.09.2005, Kec. Turen, 90)" in report.problems[0].message("id")
    assert "konfirmasi" in report.problems[0].message("en")
    review = tmp_path / "w2.tinjauan.csv"
    assert review.exists() and any("w2.tinjauan.csv" in n("en") for n in report.notes)

    # the user approves the two fuzzy matches in the review file and imports again
    frame = pd.read_csv(review, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame["metode"]) == ["exact", "fuzzy", "fuzzy"]
    frame.loc[frame["metode"] == "fuzzy", "setuju"] = "YA"
    edited = tmp_path / "review_ok.csv"
    frame.to_csv(edited, index=False, sep=";")  # Excel in Indonesia saves with ';'
    report = _import(engine, path, konfirmasi=str(edited))
    assert report.status == "ok", report.text("en")
    assert _stored(engine) == [
        ("35.07.09.2005", "diare_akut", 2025, 3, 7, 0),
        ("35.07.09.2005", "diare_akut", 2025, 4, 8, 0),
        ("35.10.01.2001", "diare_akut", 2025, 3, 4, 0),
        ("35.26.04.2010", "diare_akut", 2025, 3, 1, 0),
    ]
    assert "3 names (exact 1, confirmed 2)" in report.notes[0]("en")


def test_partly_confirmed_review_still_rejects(engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "w2.csv"
    path.write_text(_cases([("Gedok Kulon", "Turen", "diare", "2025", "3", "7"),
                            ("Tundosoro", "Kejayan", "diare", "2025", "3", "1")]))  # fmt: skip
    review = tmp_path / "review.csv"
    report = _import(engine, path, tinjauan=str(review))
    assert report.status == "ditolak" and review.exists()
    frame = pd.read_csv(review, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.loc[frame["nama_desa"] == "Gedok Kulon", "setuju"] = "ya"
    frame.loc[frame["nama_desa"] == "Tundosoro", "setuju"] = "tidak"
    frame.to_csv(review, index=False)
    report = _import(engine, path, konfirmasi=str(review))
    assert report.status == "ditolak"
    assert [(p.row, p.value) for p in report.problems] == [(3, "Tundosoro")]
    assert _stored(engine) == []


def test_unmatched_name_is_a_problem_with_candidates(engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "kasus.csv"
    path.write_text(_cases([("Sarongan", "Pesanggaran", "diare", "2025", "3", "4"),
                            ("Kampung Fiktif", "Pesanggaran", "diare", "2025", "3", "1"),
                            ("", "Pesanggaran", "diare", "2025", "4", "1")]))  # fmt: skip
    report = _import(engine, path, tinjauan="")
    assert report.status == "ditolak"
    problems = {(p.row, p.column, p.code): p for p in report.problems}
    assert set(problems) == {(3, "nama_desa", "unknown_name"), (4, "nama_desa", "missing")}
    message = problems[3, "nama_desa", "unknown_name"].message
    assert "tidak ditemukan" in message("id") and "Kec. Pesanggaran" in message("id")
    assert "not found" in message("en") and "Closest candidates" in message("en")
    assert not list(tmp_path.glob("*.tinjauan.csv"))  # tinjauan="" writes no review file
    assert _stored(engine) == []


def test_a_user_may_correct_the_proposed_code(engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "kasus.csv"
    path.write_text(_cases([("Kampung Fiktif", "Pesanggaran", "diare", "2025", "3", "4")]))
    review = tmp_path / "review.csv"
    review.write_text("nama_desa,nama_kec,kode_desa_usulan,setuju\n"
                      "kampung fiktif,PESANGGARAN,3510012004,ya\n")  # fmt: skip
    report = _import(engine, path, konfirmasi=str(review))
    assert report.status == "ok", report.text("en")
    assert _stored(engine) == [("35.10.01.2004", "diare_akut", 2025, 3, 4, 0)]
    # a confirmed code that is not a stored village is refused
    review.write_text("nama_desa,nama_kec,kode_desa_usulan,setuju\n"
                      "Kampung Fiktif,Pesanggaran,35.10.01.2999,ya\n")  # fmt: skip
    report = _import(engine, path, konfirmasi=str(review))
    assert report.status == "ditolak"
    assert [p.code for p in report.problems] == ["konfirmasi"]


def test_wide_layout_and_scope_by_name(engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("Nama Desa,Kecamatan,tahun,penyakit,M1,M2\n"
                    "Sarongan,Pesanggaran,2025,diare,1,2\n"
                    "Kropoh,Ra'as,2025,diare,3,\n")  # fmt: skip
    report = run_import(engine, "kasus", path, user="t", scope=Scope.of(["35.10"]))
    assert report.status == "ditolak"  # Kropoh (Sumenep) is outside a Banyuwangi user's scope
    assert {(p.row, p.code) for p in report.problems} == {(3, "unknown_name")}
    report = run_import(engine, "kasus", path, user="t", scope=Scope.of(["35"]))
    assert report.status == "ok", report.text("en")
    assert _stored(engine) == [("35.10.01.2001", "diare_akut", 2025, 1, 1, 0),
                               ("35.10.01.2001", "diare_akut", 2025, 2, 2, 0),
                               ("35.29.22.2003", "diare_akut", 2025, 1, 3, 0)]  # fmt: skip


def test_a_file_with_codes_is_not_reconciled(engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "kasus.csv"
    path.write_text(_cases([("35.10.01.2001", "Wrong Name", "diare", "2025", "3", "4")],
                           header="kode_desa,desa,penyakit,tahun,minggu,kasus"))  # fmt: skip
    report = _import(engine, path)
    assert report.status == "ok", report.text("en")
    assert not any("names" in n("en") for n in report.notes)
