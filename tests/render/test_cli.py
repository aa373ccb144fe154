"""``pws peta`` (click's runner, in process, the store passed as ``PWS_DATABASE_URL``) on
a copy of the demo store: the files it writes (PNG of the size asked, SVG and PDF with the
layer's legend), layer options, the default period, a region without data for a weekly
layer and a period outside its data (exit 1, said in the language), usage errors (exit 2)
in both languages."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import Engine, text

import dashboard.cli.peta  # noqa: F401 - registers the command (as dashboard.cli does)
from layers import base, catalog  # noqa: F401
from layers.scope import Scope
from tests.ingest.helpers import pws
from tests.test_language_mix import _names, foreign_words

KAB = "99.01"
KEC = "99.01.01"
EMPTY_KEC = "99.01.02"  # its case rows are deleted: no data for a weekly layer
SVG_NS = "{http://www.w3.org/2000/svg}"


def _svg_text(path: Path) -> str:
    root = ET.fromstring(path.read_bytes())
    return " ".join(" ".join(t.itertext()) for t in root.iter(f"{SVG_NS}text"))


@pytest.fixture(scope="module")
def db(store: Engine) -> Engine:
    with store.begin() as conn:
        conn.execute(text("DELETE FROM kasus_mingguan WHERE kode_desa LIKE :k"),
                     {"k": f"{EMPTY_KEC}.%"})  # fmt: skip
    return store


@pytest.fixture(scope="module")
def runs(db: Engine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("peta")
    calls = {
        "png": ["peta", "--region", KAB, "--layer", "insidens", "--out", out / "a.png",
                "--width", "1200", "--height", "800"],
        "svg_en": ["peta", "--region", KAB.replace(".", ""), "--layer", "peringatan",
                   "--out", out / "b.svg", "--lang", "en", "--labels"],
        "pdf": ["peta", "--region", KEC, "--layer", "titik_panas", "--option", "fdr=false",
                "--option", "permutations=99", "--period", "2025-W40", "--out", out / "c.pdf"],
        "format": ["peta", "--region", KEC, "--layer", "pustu", "--format", "svg",
                   "--out", out / "d.img", "--option", "jarak_km=3"],
        "title": ["--lang", "en", "peta", "--region", KEC, "--layer", "kader",
                  "--option", "tampilan=kurang", "--title", "Lokakarya mini",
                  "--out", out / "e.svg"],
        "no_data": ["peta", "--region", EMPTY_KEC, "--layer", "insidens", "--out",
                    out / "x.png"],
        "no_data_en": ["peta", "--region", EMPTY_KEC, "--layer", "insidens", "--out",
                       out / "x.png", "--lang", "en"],
        "outside": ["peta", "--region", KAB, "--layer", "insidens", "--period", "2019-W10",
                    "--out", out / "x.png", "--lang", "en"],
        "snapshot_empty": ["peta", "--region", EMPTY_KEC, "--layer", "pustu", "--out",
                           out / "f.png"],
        "unknown_layer": ["peta", "--region", KAB, "--layer", "nope", "--out", out / "x.png"],
        "unknown_option": ["peta", "--region", KAB, "--layer", "insidens", "--option",
                           "warna=merah", "--out", out / "x.png", "--lang", "en"],
        "bad_value": ["peta", "--region", KAB, "--layer", "titik_panas", "--option",
                      "permutations=5", "--out", out / "x.png"],
        "bad_flag": ["peta", "--region", KAB, "--layer", "titik_panas", "--option",
                     "fdr=mungkin", "--out", out / "x.png", "--lang", "en"],
        "bad_choice": ["peta", "--region", KAB, "--layer", "insidens", "--option",
                       "penyakit=flu", "--out", out / "x.png"],
        "not_pair": ["peta", "--region", KAB, "--layer", "insidens", "--option", "penyakit",
                     "--out", out / "x.png"],
        "bad_period": ["peta", "--region", KAB, "--layer", "insidens", "--period", "2025",
                       "--out", out / "x.png", "--lang", "en"],
        "period_snapshot": ["peta", "--region", KAB, "--layer", "pustu", "--period", "2025",
                            "--out", out / "x.png"],
        "unknown_region": ["peta", "--region", "98.01", "--layer", "pustu", "--out",
                           out / "x.png", "--lang", "en"],
        "too_wide": ["peta", "--region", KAB, "--layer", "pustu", "--width", "9000", "--out",
                     out / "x.png"],
        "help_id": ["peta", "--help"],
        "help_en": ["peta", "--help", "--lang", "en"],
    }
    results: dict[str, Any] = {name: pws(db, *args) for name, args in calls.items()}
    results["_dir"] = out
    return results


def test_png_of_the_size_asked_for(runs: dict) -> None:
    run = runs["png"]
    assert run.exit_code == 0, run.output
    path = runs["_dir"] / "a.png"
    assert run.stdout.strip() == f"ditulis: {path} (png, 1200×800 piksel)"
    image = Image.open(path)
    assert (image.format, image.size) == ("PNG", (1200, 800))


def test_svg_in_english_with_the_newest_week(runs: dict, db: Engine) -> None:
    from sqlalchemy.orm import Session

    run = runs["svg_en"]
    assert run.exit_code == 0, run.output
    assert run.stdout.startswith("written: ") and "(svg, 1600×1000 pixels)" in run.stdout
    layer = base.from_config({"type": "peringatan"})
    with Session(db) as session:
        newest = layer.periods(session, Scope.of([KAB]))[0]
    shown = _svg_text(runs["_dir"] / "b.svg")
    assert f"Week {newest} (" in shown and "Weekly alerts" in shown
    legend = layer.legend()
    for entry in [*legend.classes, legend.no_data]:
        assert entry.label.en in shown
    assert foreign_words(shown, "en", _names()) == []


def test_options_and_period_reach_the_layer(runs: dict) -> None:
    run = runs["pdf"]
    assert run.exit_code == 0, run.output
    reader = PdfReader(runs["_dir"] / "c.pdf")
    shown = " ".join(reader.pages[0].extract_text().split())
    legend = base.from_config({"type": "titik_panas", "fdr": False}).legend()
    assert " ".join(legend.title.id.split()) in shown
    assert "Minggu 2025-W40" in shown and f"({KEC})" in shown
    run = runs["format"]
    assert run.exit_code == 0, run.output
    shown = _svg_text(runs["_dir"] / "d.img")  # --format svg whatever the suffix
    assert "3 km" in base.from_config({"type": "pustu", "jarak_km": 3}).legend().title.id
    assert "3 km" in shown and "Keadaan terkini" in shown
    run = runs["title"]
    assert run.exit_code == 0, run.output
    shown = _svg_text(runs["_dir"] / "e.svg")
    assert "Lokakarya mini" in shown and "Kader competency" not in shown


def test_no_data_for_a_weekly_layer_is_exit_1(runs: dict) -> None:
    run = runs["no_data"]
    assert run.exit_code == 1
    assert run.stderr.strip() == (f"tidak ada data Insidens mingguan di Bumimakmur ({EMPTY_KEC}) "
                                  "(belum ada data sama sekali)")
    assert runs["no_data_en"].exit_code == 1
    assert runs["no_data_en"].stderr.strip() == (
        f"no Weekly incidence data in Bumimakmur ({EMPTY_KEC}) (no data at all)")
    run = runs["outside"]
    assert run.exit_code == 1
    assert "for 2019-W10 (data: 2024-W01–2025-W53)" in run.stderr
    assert not (runs["_dir"] / "x.png").exists()
    # a snapshot layer draws without case data
    assert runs["snapshot_empty"].exit_code == 0, runs["snapshot_empty"].output


@pytest.mark.parametrize(("name", "needle"), [
    ("unknown_layer", "lapisan 'nope' tidak dikenal; yang dikenal: 'insidens'"),
    ("unknown_option", "layer insidens has no option 'warna'; its options: 'penyakit'"),
    ("bad_value", "nilai '5' tidak sah untuk opsi permutations (Permutasi): salah satu dari "
                  "99, 999, 9999"),
    ("bad_flag", "'mungkin' is not a valid value of option fdr"),
    ("bad_choice", "nilai 'flu' tidak sah untuk opsi penyakit (Penyakit): salah satu dari "
                   "'diare_akut'"),
    ("not_pair", "'penyakit' bukan nama=nilai"),
    ("bad_period", "'2025' is not a period of this layer (2025-W50)"),
    ("period_snapshot", "lapisan pustu menampilkan keadaan terkini; tanpa --period"),
    ("unknown_region", "'98.01' is not a region in the database"),
    ("too_wide", "9000 di luar rentang"),
])  # fmt: skip
def test_usage_errors_are_exit_2_in_the_language(runs: dict, name: str, needle: str) -> None:
    run = runs[name]
    assert run.exit_code == 2, run.output
    assert needle in " ".join(run.stderr.split()), run.stderr


def test_help_in_each_language(runs: dict) -> None:
    names = _names()
    for lang in ("id", "en"):
        run = runs[f"help_{lang}"]
        assert run.exit_code == 0
        assert "--option" in run.stdout and "--labels" in run.stdout
        assert foreign_words(run.stdout, lang, names) == [], lang
    assert "Peta sebuah lapisan" in runs["help_id"].stdout
    assert "A layer's map" in runs["help_en"].stdout


def test_png_holds_the_legend_colours(runs: dict) -> None:
    image = Image.open(io.BytesIO((runs["_dir"] / "a.png").read_bytes())).convert("RGB")
    colors = {tuple(int(c.color[i:i + 2], 16) for i in (1, 3, 5))
              for c in base.from_config({"type": "insidens"}).legend().classes}
    present = {color for _, color in image.getcolors(image.width * image.height)}
    assert colors <= present
