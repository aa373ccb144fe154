"""``pws kader levels`` and ``pws kader gaps`` (click's runner, in process, the store passed
as ``PWS_DATABASE_URL``) on a spoiled copy of the demo store: the JSON numbers against a
plain-Python recomputation from the store's rows (:mod:`tests.kader.recompute`), the text
tables, the XLSX files, a region without kader (exit 1) and usage errors (exit 2)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from click.testing import Result
from openpyxl import load_workbook
from sqlalchemy import Engine

from tests.ingest.helpers import pws
from tests.kader.recompute import (
    EMPTY_POSYANDU,
    KEC,
    NAMED_ONLY,
    NO_KADER_KEC,
    NO_POP,
    PART_POP,
    SPOILED,
    STALE,
    UNDATED,
    Expected,
    proper_names,
    recompute,
    spoil,
)
from tests.test_language_mix import foreign_words


@pytest.fixture(scope="module")
def db(store: Engine) -> Engine:
    spoil(store)
    return store


@pytest.fixture(scope="module")
def runs(db: Engine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("xlsx")
    calls = {
        "levels_json": ["kader", "levels", "--region", KEC, "--json"],
        "gaps_json": ["kader", "gaps", "--region", KEC.replace(".", ""), "--json"],
        "gaps_norm": ["kader", "gaps", "--region", KEC, "--json", "--norm", "8",
                      "--stale-months", "1"],
        "levels_old": ["kader", "levels", "--region", SPOILED, "--json", "--stale-months",
                       "120"],
        "levels_id": ["kader", "levels", "--region", SPOILED],
        "levels_en": ["kader", "levels", "--region", SPOILED, "--lang", "en"],
        "gaps_id": ["kader", "gaps", "--region", KEC],
        "gaps_en": ["--lang", "en", "kader", "gaps", "--region", KEC],
        "levels_xlsx_id": ["kader", "levels", "--region", SPOILED, "--xlsx",
                           str(out / "levels_id.xlsx")],
        "levels_xlsx_en": ["kader", "levels", "--region", SPOILED, "--xlsx",
                           str(out / "levels_en.xlsx"), "--lang", "en"],
        "gaps_xlsx_id": ["kader", "gaps", "--region", KEC, "--xlsx", str(out / "gaps_id.xlsx"),
                         "--json"],
        "gaps_xlsx_en": ["kader", "gaps", "--region", KEC, "--xlsx", str(out / "gaps_en.xlsx"),
                         "--lang", "en"],
        "none_levels": ["kader", "levels", "--region", NO_KADER_KEC],
        "none_gaps_en": ["kader", "gaps", "--region", NO_KADER_KEC, "--lang", "en"],
        "none_json": ["kader", "gaps", "--region", f"{NO_KADER_KEC}.2001", "--json"],
        "bad_code": ["kader", "gaps", "--region", "9x"],
        "bad_code_en": ["kader", "levels", "--region", "9x", "--lang", "en"],
        "unknown_region": ["kader", "levels", "--region", "98.01"],
        "bad_norm": ["kader", "gaps", "--region", KEC, "--norm", "0"],
        "bad_stale": ["kader", "levels", "--region", KEC, "--stale-months", "121", "--lang",
                      "en"],
        "csv": ["kader", "gaps", "--region", KEC, "--xlsx", str(out / "gaps.csv")],
        "no_region": ["kader", "levels"],
        "help_id": ["kader", "gaps", "--help"],
        "help_en": ["kader", "levels", "--help", "--lang", "en"],
        "group_id": ["kader", "--help"],
        "group_en": ["--lang", "en", "kader", "--help"],
    }
    results: dict[str, Any] = {name: pws(db, *args) for name, args in calls.items()}
    results["_dir"] = out
    return results


def _json(run: Result) -> dict[str, Any]:
    assert run.exit_code == 0, (run.stdout, run.stderr, run.exception)
    return json.loads(run.stdout)


def _today(data: dict[str, Any]) -> dt.date:
    today = dt.date.fromisoformat(data["today"])
    assert dt.date.today() - dt.timedelta(days=1) <= today <= dt.date.today()
    return today


@pytest.fixture(scope="module")
def expected(db: Engine, runs: dict[str, Any]) -> Expected:
    return recompute(db, KEC, _today(_json(runs["gaps_json"])))


def test_levels_json_equals_the_rows(runs: dict[str, Any], db: Engine) -> None:
    data = _json(runs["levels_json"])
    want = recompute(db, KEC, _today(data))
    assert (data["region"], data["rule"], data["stale_months"], data["norm"]) == (
        KEC, "strata_kader.csv", 24, 5)
    assert data["levels"] == ["belum", "purwa", "madya", "utama"] == want.levels
    got = {k["kode"]: k for k in data["kader"]}
    assert len(data["kader"]) == len(got) == len(want.kader) == data["kader_count"]
    for kode, row in want.kader.items():
        shown = {k: got[kode][k] for k in row}
        assert shown == row, kode
    active = [k for k in want.kader.values() if k["aktif"]]
    assert data["active"] == len(active)
    assert data["active_levels"] == {key: sum(k["level"] == key for k in active)
                                     for key in want.levels}  # fmt: skip
    assert all(v > 0 for v in data["active_levels"].values())  # the demo has every level
    # the spoiled rows: stale, undated (null, never false), named only by the roster
    assert all(got[k]["stale"] is True for k in STALE)
    assert got[UNDATED]["stale"] is None and got[UNDATED]["tanggal_asesmen"] is None
    assert got[NAMED_ONLY[0]]["posyandu_nama"] == NAMED_ONLY[1]
    assert got[NAMED_ONLY[0]]["nama_desa"] == "Wonotengah"
    old = {k["kode"]: k for k in _json(runs["levels_old"])["kader"]}
    assert all(old[k]["stale"] is False for k in STALE)  # 120 months: not stale


def _close(a: float | None, b: float | None) -> bool:
    return a is None and b is None or (a is not None and b is not None
                                       and abs(a - b) <= 0.051)  # rounded to 0.1


def test_gaps_json_villages_equal_the_rows(runs: dict[str, Any], expected: Expected) -> None:
    data = _json(runs["gaps_json"])
    assert data["region"] == KEC
    villages = data["villages"]
    assert {v["kode_desa"] for v in villages} == set(expected.villages)
    for v in villages:
        want = expected.villages[v["kode_desa"]]
        for key in ("kader", "kader_aktif", "level", "missing", "kurang", "posyandu", "stale",
                    "tanpa_tanggal", "bobot", "peringkat"):
            assert v[key] == want[key], (v["kode_desa"], key)
        assert _close(v["sasaran"], want["sasaran"]), v["kode_desa"]
        assert v["per_posyandu"] == pytest.approx(want["kader_aktif"] / want["posyandu"],
                                                  abs=0.051)  # fmt: skip
    # in rank order, the villages without a gap last (rank null, never 0)
    ranks = [v["peringkat"] for v in villages]
    gapped = sum(v["kurang"] > 0 for v in villages)
    assert ranks[:gapped] == list(range(1, gapped + 1))
    assert ranks[gapped:] == [None] * (len(villages) - gapped) and gapped < len(villages)
    no_pop = next(v for v in villages if v["kode_desa"] == NO_POP)
    assert no_pop["kurang"] > 0 and no_pop["sasaran"] is None and no_pop["bobot"] is None
    assert no_pop["peringkat"] == gapped  # no figure: last of the villages with a gap
    assert next(v for v in villages if v["kode_desa"] == PART_POP)["bobot"] == "penduduk"


def test_gaps_json_posyandu_equal_the_rows(runs: dict[str, Any], expected: Expected) -> None:
    data = _json(runs["gaps_json"])
    got = {(p["kode_desa"], p["id"] if p["id"] is not None else p["nama"]): p
           for p in data["posyandu"]}  # fmt: skip
    assert len(got) == len(data["posyandu"]) == len(expected.posyandu)
    empty = next(k for k, p in expected.posyandu.items() if p["nama"] == EMPTY_POSYANDU)
    for key, want in expected.posyandu.items():
        p = got[key]
        for field in ("nama", "kader", "kader_aktif", "level", "missing", "kurang",
                      "below_norm", "stale", "tanpa_tanggal", "peringkat"):
            assert p[field] == want[field], (key, field)
        assert _close(p["sasaran"], want["sasaran"]), key
    assert got[empty]["kader"] == 0 and got[empty]["missing"] == expected.codes
    assert got[(SPOILED, NAMED_ONLY[1])]["id"] is None
    assert got[(SPOILED, NAMED_ONLY[1])]["kader_aktif"] == 1
    assert [p["peringkat"] for p in data["posyandu"] if p["kurang"] > 0] == list(
        range(1, 1 + sum(p["kurang"] > 0 for p in data["posyandu"])))


def test_gaps_json_training_equals_the_rows(runs: dict[str, Any], expected: Expected) -> None:
    training = _json(runs["gaps_json"])["training"]
    got = {(t["puskesmas_id"], t["keterampilan"]): t for t in training}
    assert set(got) == set(expected.training)
    for key, want in expected.training.items():
        assert got[key]["posyandu"] == want["posyandu"], key
        assert got[key]["kelompok"] == expected.group_of[key[1]]
        assert _close(got[key]["sasaran"], want["sasaran"]), key
    by_pkm: dict[Any, list[dict[str, Any]]] = {}
    for t in training:
        by_pkm.setdefault(t["puskesmas_id"], []).append(t)
    for rows in by_pkm.values():
        assert [t["peringkat"] for t in rows] == list(range(1, len(rows) + 1))
        people = [t["sasaran"] for t in rows if t["sasaran"] is not None]
        assert people == sorted(people, reverse=True)


def test_norm_and_stale_months(runs: dict[str, Any], db: Engine) -> None:
    data = _json(runs["gaps_norm"])
    assert (data["norm"], data["stale_months"]) == (8, 1)
    want = recompute(db, KEC, _today(data), stale_months=1, norm=8)
    below = {(p["kode_desa"], p["id"] if p["id"] is not None else p["nama"]): p["below_norm"]
             for p in data["posyandu"]}  # fmt: skip
    assert below == {k: p["below_norm"] for k, p in want.posyandu.items()}
    default = _json(runs["gaps_json"])
    assert sum(below.values()) > sum(p["below_norm"] for p in default["posyandu"])
    stale = {v["kode_desa"]: v["stale"] for v in data["villages"]}
    assert stale == {d: v["stale"] for d, v in want.villages.items()}
    assert sum(stale.values()) > sum(v["stale"] for v in default["villages"]) > 0


def test_levels_text(runs: dict[str, Any], db: Engine) -> None:
    want = recompute(db, SPOILED, dt.date.today())
    for lang, head, level in (("id", "kelompok lengkap", "Belum berstrata"),
                              ("en", "complete groups", "No level yet")):
        run = runs[f"levels_{lang}"]
        assert run.exit_code == 0, run.stderr
        lines = run.stdout.splitlines()
        assert lines[0].startswith(f"Wonotengah ({SPOILED}): {len(want.kader)} kader, ")
        assert lines[2].rstrip().endswith(head)
        rows = {line.split()[0]: line for line in lines[3:]}
        assert list(rows) == sorted(want.kader)
        assert NAMED_ONLY[1] in rows[NAMED_ONLY[0]]
        nothing = [k for k, v in want.kader.items() if v["level"] == "belum"]
        assert nothing and all(level in rows[k] for k in nothing)
        full = [k for k, v in want.kader.items() if len(v["groups_complete"]) == 5]
        assert full and all(rows[k].rstrip().endswith("PP BB IH UR DL") for k in full)


def test_gaps_text(runs: dict[str, Any], expected: Expected) -> None:
    order = expected.village_order()
    for lang, villages, below in (("id", "Desa:", "di bawah norma 5"),
                                  ("en", "Villages:", "below the norm of 5")):
        run = runs[f"gaps_{lang}"]
        assert run.exit_code == 0, run.stderr
        lines = run.stdout.splitlines()
        assert lines[0].startswith(f"Purwoarum ({KEC}): {len(expected.villages)} ")
        assert below in lines[0]
        start = lines.index(villages) + 2
        table = lines[start:start + len(expected.villages)]
        assert [line.split()[1] for line in table] == order
        no_pop = next(line for line in table if line.split()[1] == NO_POP)
        assert no_pop.endswith(" ".join(expected.villages[NO_POP]["missing"]))
        complete = next(line for line in table if expected.villages[line.split()[1]][
            "kurang"] == 0)
        assert complete.startswith("–") and complete.rstrip().endswith("–")
        assert "Posyandu:" in lines
        empty = next(line for line in lines if EMPTY_POSYANDU in line)
        assert empty.rstrip().endswith(" ".join(expected.codes))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_xlsx_files(runs: dict[str, Any], expected: Expected, db: Engine, lang: str) -> None:
    said = {"id": "ditulis: ", "en": "written: "}[lang]
    run = runs[f"gaps_xlsx_{lang}"]
    assert run.exit_code == 0 and said in run.stderr, run.stderr
    book = load_workbook(runs["_dir"] / f"gaps_{lang}.xlsx")
    assert book.sheetnames == {"id": ["Desa", "Posyandu", "Prioritas pelatihan", "Keterangan"],
                               "en": ["Villages", "Posyandu", "Training priority",
                                      "Notes"]}[lang]  # fmt: skip
    rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert {r[1]: r[0] for r in rows} == {d: v["peringkat"] for d, v in
                                          expected.villages.items()}  # fmt: skip
    if lang == "id":  # the same command printed its JSON too: the same villages in order
        assert [r[1] for r in rows] == [v["kode_desa"] for v in
                                        json.loads(run.stdout)["villages"]]  # fmt: skip
    run = runs[f"levels_xlsx_{lang}"]
    assert run.exit_code == 0 and said in run.stderr, run.stderr
    book = load_workbook(runs["_dir"] / f"levels_{lang}.xlsx")
    assert book.sheetnames == ["Kader", {"id": "Keterangan", "en": "Notes"}[lang]]
    codes = [r[0] for r in book["Kader"].iter_rows(min_row=2, values_only=True)]
    assert codes == sorted(recompute(db, SPOILED, dt.date.today()).kader)


def test_region_without_kader(runs: dict[str, Any]) -> None:
    run = runs["none_levels"]
    assert run.exit_code == 1 and run.stdout == ""
    assert "tidak ada data kader di" in run.stderr and f"({NO_KADER_KEC})" in run.stderr
    run = runs["none_gaps_en"]
    assert run.exit_code == 1 and run.stdout == ""
    assert "no kader data for" in run.stderr and f"({NO_KADER_KEC})" in run.stderr
    run = runs["none_json"]
    assert run.exit_code == 1
    said = json.loads(run.stdout)
    assert said["ok"] is False and f"({NO_KADER_KEC}.2001)" in said["error"]


@pytest.mark.parametrize(("name", "says"), [
    ("bad_code", "'9x' bukan kode wilayah"),
    ("bad_code_en", "'9x' is not a region code"),
    ("unknown_region", "bukan wilayah di basis data"),
    ("bad_norm", "--norm"),
    ("bad_stale", "121 is not in the range"),
    ("csv", ".xlsx"),
    ("no_region", "--region"),
])
def test_usage_errors(runs: dict[str, Any], name: str, says: str) -> None:
    run = runs[name]
    assert run.exit_code == 2 and says in run.stderr, (run.stdout, run.stderr)


def test_help_lists_both_commands(runs: dict[str, Any]) -> None:
    for key in ("group_id", "group_en"):
        run = runs[key]
        assert run.exit_code == 0
        listed = run.stdout.split("\n\n")[-1]
        assert "levels" in listed and "gaps" in listed, run.stdout
    assert "--stale-months" in runs["help_id"].stdout and "24" in runs["help_id"].stdout
    assert "--norm" in runs["help_en"].stdout and "default: 5" in runs["help_en"].stdout


def test_no_word_of_the_other_language(runs: dict[str, Any], db: Engine) -> None:
    names = proper_names(db)
    for key, lang in (("levels_id", "id"), ("levels_en", "en"), ("gaps_id", "id"),
                      ("gaps_en", "en"), ("help_id", "id"), ("help_en", "en"),
                      ("group_id", "id"), ("group_en", "en"), ("none_levels", "id"),
                      ("none_gaps_en", "en"), ("bad_code", "id"), ("bad_code_en", "en")):
        run = runs[key]
        shown = run.stdout + run.stderr
        assert shown.strip() and foreign_words(shown, lang, names) == [], (key, shown)

