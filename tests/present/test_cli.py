"""``pws present export``: files written, exit codes, the scope, suppression options, both
languages."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader
from sqlalchemy import Engine

from layers.present import decks
from tests.ingest.helpers import pws
from tests.present import referee as ref


def _text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(path).pages)


def test_pptx_of_the_district(store: Engine, tmp_path: Path) -> None:
    out = tmp_path / "dek.pptx"
    run = pws(store, "present", "export", "--region", "99.01", "--format", "pptx", "--out", out)
    assert run.exit_code == 0, run.output
    assert f"ditulis: {out}" in run.output
    week = ref.week_text(store)
    assert f"Kabupaten Contoh (fiktif) (99.01) {week}: PPTX, jumlah kasus 1–4 ditulis < 5" \
        in run.output
    deck = Presentation(io.BytesIO(out.read_bytes()))
    assert len(deck.slides) == len(decks.default_deck().shown())


def test_a4_of_a_kecamatan_in_english(store: Engine, tmp_path: Path) -> None:
    out = tmp_path / "kec.pdf"
    run = pws(store, "present", "export", "--region", ref.KEC, "--week", "2025-W50",
              "--format", "a4", "--out", out, "--lang", "en")
    assert run.exit_code == 0, run.output
    assert f"written: {out}" in run.output and "ditulis" not in run.output
    assert len(PdfReader(out).pages) == 1
    text = _text(out)
    assert f"Cases this week {ref.cases(store, ref.KEC, (2025, 50))}" in text
    assert "2025-W50" in text and "Kasus" not in text


def test_threshold_is_configurable(store: Engine, tmp_path: Path) -> None:
    out = tmp_path / "kec.pdf"
    n = ref.cases(store, ref.KEC)
    assert 5 <= n < 100
    run = pws(store, "present", "export", "--region", ref.KEC, "--format", "a4", "--out", out,
              "--suppress", "100")
    assert run.exit_code == 0, run.output
    assert "jumlah kasus 1–99 ditulis < 100" in run.output
    assert "Kasus minggu ini < 100" in _text(out)


def test_no_suppress_shows_the_small_count(tmp_path: Path) -> None:
    engine, _ = ref.small_count_store(tmp_path)
    try:
        shown = {}
        for flag in ([], ["--no-suppress"]):
            out = tmp_path / f"kec{len(flag)}.pdf"
            run = pws(engine, "present", "export", "--region", ref.KEC, "--format", "pdf",
                      "--out", out, *flag)  # fmt: skip
            assert run.exit_code == 0, run.output
            shown[bool(flag)] = _text(out)
        assert "Kasus minggu ini < 5" in shown[False]
        assert not re.search(r"Kasus minggu ini 3\b", shown[False])
        assert re.search(r"Kasus minggu ini 3\b", shown[True])
        assert "ditulis < 5" not in shown[True]
    finally:
        engine.dispose()


@pytest.mark.parametrize(("args", "code", "says"), [
    (["--region", "99.02"], 2, ("'99.02' bukan wilayah di basis data",
                                "'99.02' is not a region in the database")),
    (["--region", "99.01.08", "--scope", "99.01.07"], 2,
     ("wilayah 99.01.08 tidak ada dalam cakupan --scope",
      "region 99.01.08 is not within --scope")),
    (["--region", "x"], 2, ("bukan kode wilayah", "is not a region code")),
    (["--region", "99.01", "--week", "2025-W60"], 2, ("di luar", "is outside")),
    (["--region", "99.01", "--week", "2030-W01"], 1, ("tidak ada data kasus",
                                                      "no case data")),
    (["--region", "99.01", "--suppress", "3", "--no-suppress"], 2,
     ("tidak bisa dipakai bersama", "cannot be used together")),
    (["--region", "99.01", "--suppress", "1"], 2, ("di luar rentang", "not in the range")),
])  # fmt: skip
def test_refusals(store: Engine, tmp_path: Path, args: list[str], code: int,
                  says: tuple[str, str]) -> None:  # fmt: skip
    out = tmp_path / "x.pdf"
    for lang, text in zip(("id", "en"), says, strict=True):
        run = pws(store, "present", "export", *args, "--format", "pdf", "--out", out,
                  "--lang", lang)  # fmt: skip
        assert run.exit_code == code, run.output
        assert text in run.output, run.output
        assert not out.exists()


def test_out_must_match_the_format(store: Engine, tmp_path: Path) -> None:
    for fmt, name in (("pptx", "x.pdf"), ("pdf", "x.pptx"), ("a4", "x.png")):
        run = pws(store, "present", "export", "--region", ref.KEC, "--format", fmt, "--out",
                  tmp_path / name, "--lang", "en")  # fmt: skip
        assert run.exit_code == 2 and f"format {fmt} is written to a" in run.output
    run = pws(store, "present", "export", "--region", ref.KEC, "--format", "pdf", "--out",
              tmp_path / "missing" / "x.pdf", "--lang", "en")  # fmt: skip
    assert run.exit_code == 1 and "cannot be written" in run.output


def test_help_in_both_languages(store: Engine) -> None:
    id_help = pws(store, "present", "export", "--help").output
    en_help = pws(store, "present", "export", "--help", "--lang", "en").output
    assert "Tulis dek lokakarya mini" in id_help and "--no-suppress" in id_help
    assert "Write the lokakarya mini deck" in en_help and "Tulis" not in en_help
    group = pws(store, "--lang", "en", "present", "--help").output
    assert "export" in group and "Lokakarya mini presentation" in group
