"""Nothing of one language shows in the other (issue 8.18): command line, reports, exports.

Collected in Indonesian and in English: the output of every ``pws`` command and of its
``--help`` (and of ``pws --help``), usage errors, the import reports of bad and good files
(the command line's and the /impor page's: check, result, undo, log), and the text of every
cell of the XLSX exports. Each text is scanned for words of the other language
(:data:`WORDS`) after removing what is the same in both — codes and identifiers (disease
codes, region codes, epi weeks, file names, options, commands, column names and values as
the file wrote them, quoted), the demo's village, kecamatan and kabupaten names, and the
few phrases :data:`SHARED` names with the reason they are the same in both.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import Engine

from dashboard.cli import main
from dashboard.pages import impor
from layers.scope import Scope
from tests.conftest import write_tiny_demo
from tests.ingest.helpers import DEMO, demo_engine
from tests.test_impor_callbacks import Page

LANGS = ("id", "en")
#: words that belong to one language only; found in the other language's text, they fail
WORDS = {
    "id": {"ditolak", "ambang", "kasus", "peringatan", "desa", "minggu", "berhasil",
           "dibatalkan", "penduduk", "baris", "kolom", "nilai", "ditulis", "tidak", "dengan",
           "untuk", "bukan", "wilayah", "penyakit", "diperiksa", "dimuat", "tingkat",
           "harapan", "klaster", "bawaan", "opsi", "perintah", "galat", "sinyal", "baru",
           "diperbarui", "dikembalikan", "mirip", "ditemukan", "semua", "rerata"},
    "en": {"rejected", "threshold", "cases", "alert", "alerts", "inserted", "updated",
           "restored", "village", "villages", "week", "weeks", "fuzzy", "none", "rows",
           "column", "value", "written", "default", "options", "usage", "commands", "error",
           "the", "and", "not", "region", "disease", "missing", "show", "signal", "signals",
           "found", "every", "mean", "new", "checked", "imported", "undone", "loaded"},
}
#: phrases the same in both languages, removed before the scan (with why)
SHARED = {
    "en": [
        "1 (kelurahan) or 2 (desa)",  # the two village kinds, as the code's digit names them
        "setuju = ya",  # the review file's column and the value to write in it
    ],
    "id": [],
}
#: identifiers, the same in both languages
IDENTIFIERS = [
    r"`[^`]*`",  # commands and code
    r"'[^']*'", r'"[^"]*"',  # what a file wrote (a value, a column), a name, a file
    r"--[\w-]+",  # options
    r"\[[^\]|]*(?:\|[^\]|]*)+\]",  # choices: [desa|kec|kab|prov]
    r"\bpws(?: [a-z][\w-]*){1,2}",  # a command: pws template kasus
    r"(?m)^  [a-z][\w-]*(?:, [a-z][\w-]*)?(?=\s{2,})",  # a help list's names (commands, kinds)
    r"(?:nama Indonesia|nama Inggris|Indonesian|English): [a-z, ]+",  # the kinds' names
    r"(?:default|bawaan): [\w-]+",  # an option's default value
    r"\S*(?:[\d_/@\\]|\.\w)\S*",  # codes, weeks, numbers, file names, paths
]


def foreign_words(text: str, lang: str, names: set[str]) -> list[str]:
    """Words of the other language in ``text`` (a text in ``lang``)."""
    for phrase in SHARED[lang]:
        text = text.replace(phrase, " ")
    # a column as the file names it: ``row 3, column minggu`` (the word "column" stays)
    text = re.sub(r"\b(column|kolom) [\w]+", r"\1", text)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    for pattern in IDENTIFIERS:
        text = re.sub(pattern, " ", text)
    other = WORDS["en" if lang == "id" else "id"]
    return [w for w in re.findall(r"[^\W\d_]+", text) if w.lower() in other]


def test_the_scan_finds_a_mixed_text() -> None:
    """The scanner itself: a known mix is found, identifiers are not."""
    assert foreign_words("w10.csv: ok, 3/3 baris valid; inserted: 3", "id", set()) == [
        "inserted"]
    assert foreign_words("x.csv: ditolak, 1/3 rows valid", "en", set()) == ["ditolak"]
    assert foreign_words("status: alert, no_alert", "id", set()) == ["alert"]
    assert foreign_words("(exact 1, fuzzy 1, none 3)", "id", set()) == ["fuzzy", "none"]
    assert foreign_words("kode 99.01.09 diare_akut 'kasus' `pws undo` --penyakit", "en",
                         set()) == []  # fmt: skip
    assert foreign_words("Srisari", "en", {"Srisari"}) == []


# --------------------------------------------------------------------------- collection


def _names() -> set[str]:
    """The demo's (and the tiny demo's) region names: proper names, the same in both."""
    frame = gpd.read_file(DEMO / "desa.geojson")
    names = set(frame["nama_desa"]) | set(frame["nama_kec"]) | set(frame["nama_kab"])
    from tests.conftest import TINY_VILLAGES

    names |= {n for v in TINY_VILLAGES for n in v[1:4]}
    return {str(n) for n in names if n}


def _cases_files(folder: Path) -> dict[str, Path]:
    """A good weekly-cases file, one with bad values, one by names (a typo and an unknown
    name), one without the disease and year columns."""
    demo = pd.read_csv(DEMO / "kasus_mingguan.csv", dtype=str)
    week = demo[(demo["tahun"] == "2025") & (demo["minggu"] == "10")].head(3).copy()
    week["kasus"] = (week["kasus"].astype(int) + 4).astype(str)
    villages = gpd.read_file(DEMO / "desa.geojson")
    first = villages.iloc[0]
    typo = first["nama_desa"][:-1] + ("a" if first["nama_desa"][-1] != "a" else "e")
    files = {
        "good.csv": week.to_csv(index=False),
        "bad.csv": ("kode_desa,penyakit,tahun,minggu,kasus,kematian\n"
                    "99.01.01.1001,diare_akut,2025,11,-3,0\n"
                    "99.01.01.1002,diare_akut,2025,60,4,0\n"
                    "99.01.09.9999,diare_akut,2025,11,4,0\n"
                    "99.01.01.1003,diare_akut,2025,11,2,5\n"
                    "99.01.01.1004,diare akuut,2025,11,dua,0\n"),
        "names.csv": ("nama_desa,nama_kec,penyakit,tahun,minggu,kasus\n"
                      f"{first['nama_desa']},{first['nama_kec']},diare_akut,2025,20,3\n"
                      f"{typo},{first['nama_kec']},diare_akut,2025,20,4\n"
                      f"Zzzzzz,{first['nama_kec']},diare_akut,2025,20,5\n"),
        "nocols.csv": "kode_desa,minggu,kasus\n99.01.01.1001,11,3\n99.01.01.1002,11,4\n",
    }  # fmt: skip
    out = {}
    for name, body in files.items():
        (folder / name).write_text(body, encoding="utf-8")
        out[name] = folder / name
        FILE_CELLS.update(c.strip() for line in body.splitlines() for c in line.split(","))
    return out


class Collected:
    """Texts by language, each with where it came from."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str, str]] = []

    def add(self, lang: str, where: str, text: str) -> None:
        assert text.strip(), f"nothing to scan from {where} ({lang})"
        self.texts.append((lang, where, text))


def _cli(url: str, *args: Any) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args], env={"PWS_DATABASE_URL": url},
                                prog_name="pws")  # fmt: skip
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args, result.output)
    return result.output


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield prefix
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


def _xlsx_text(path: Path) -> str:
    wb = load_workbook(path)
    return "\n".join([*wb.sheetnames, *(str(v) for ws in wb for row in ws.iter_rows(
        values_only=True) for v in row if isinstance(v, str))])  # fmt: skip


def _collect_cli(found: Collected, folder: Path) -> None:
    (folder / "demo").mkdir()
    store = demo_engine(folder / "demo")
    url = store.url.render_as_string(hide_password=False)
    bare = f"sqlite:///{folder / 'bare.sqlite'}"
    files = _cases_files(folder)
    tiny = write_tiny_demo(folder / "tiny")
    for lang in LANGS:
        for command in _commands(main):
            found.add(lang, f"pws {' '.join(command)} --help",
                      _cli(url, *command, "--help", "--lang", lang))

        def say(where: str, *args: Any, lang: str = lang) -> None:
            found.add(lang, where, _cli(url, *args, "--lang", lang))

        say("demo", "demo", "--out", folder / f"demo_{lang}", "--seed", "3")
        found.add(lang, "load-demo", _cli(f"sqlite:///{folder / f'load_{lang}.sqlite'}",
                                          "load-demo", tiny, "--lang", lang))
        found.add(lang, "load-demo --if-empty", _cli(url, "load-demo", tiny, "--if-empty",
                                                     "--lang", lang))
        found.add(lang, "db upgrade", _cli(f"sqlite:///{folder / f'up_{lang}.sqlite'}", "db",
                                           "upgrade", "--lang", lang))
        found.add(lang, "import batas (empty store)", _cli(
            bare, "import", "batas", DEMO / "desa.geojson", "--lang", lang))
        for name in ("bad.csv", "names.csv", "nocols.csv"):
            say(f"import {name}", "import", "kasus", files[name], "--tinjauan",
                folder / f"{name}.{lang}.tinjauan.csv")
        say("import --dry-run", "import", "kasus", files["good.csv"], "--dry-run")
        say("import good.csv", "import", "cases", files["good.csv"])
        say("imports", "imports")
        say("undo", "undo")
        say("undo refused", "undo")
        say("template", "template", "kasus", "--out", folder / f"t_{lang}.xlsx")
        for command, extra in (("alerts", ("--all",)), ("klb", ()), ("scan", ("--reps", "19"))):
            out = folder / f"{command}_{lang}.xlsx"
            say(command, command, "--region", "99.01.09", "--week", "2025-W53", *extra,
                "--xlsx", out)
            found.add(lang, f"{command} --xlsx", _xlsx_text(out))
            say(f"{command}: no data", command, "--region", "99.01.09", "--week", "2026-W05",
                *extra)
        say("klb --level kec", "klb", "--region", "99.01.09", "--week", "2025-W53", "--level",
            "kec")
        for where, args in (
            ("bad region", ("alerts", "--region", "abc", "--week", "2025-W53")),
            ("bad week", ("scan", "--region", "99.01", "--week", "2025-W54")),
            ("missing option", ("klb", "--week", "2025-W53")),
            ("unknown kind", ("import", "village", files["good.csv"])),
            ("unknown disease", ("alerts", "--region", "99.01", "--week", "2025-W50",
                                 "--penyakit", "diare akuut")),
            ("bad choice", ("klb", "--region", "99.01", "--week", "2025-W50", "--level", "x")),
            ("bad number", ("scan", "--region", "99.01", "--week", "2025-W50", "--reps", "x")),
            ("missing file", ("import", "kasus", folder / "missing.csv")),
            ("unknown option", ("imports", "--nope")),
        ):  # fmt: skip
            say(where, *args)
    store.dispose()


#: component properties a person reads (the rest are ids, styles, codes, data)
READ = ("children", "title", "placeholder", "label")


def _page_text(response: Any) -> str:
    """Every string a person reads in a callback's answer (Dash components as JSON)."""

    def walk(node: Any, shown: bool) -> list[str]:
        if isinstance(node, str):
            return [node] if shown else []
        if isinstance(node, list):
            return [t for v in node for t in walk(v, shown)]
        if isinstance(node, dict):  # a component, its props, an option, an answer
            return [t for k, v in node.items() for t in walk(v, k in READ)]
        return []

    strings = walk(json.loads(json.dumps(response, cls=PlotlyJSONEncoder)), False)
    return "\n".join(t for t in strings if t.strip() not in FILE_CELLS)


#: what the test files hold (headers, values): a table cell showing one is the file's own
FILE_CELLS: set[str] = set()


def _collect_page(found: Collected, folder: Path) -> None:
    from dashboard.app import create_app

    (folder / "page").mkdir()
    store: Engine = demo_engine(folder / "page")
    url = store.url.render_as_string(hide_password=False)
    page = Page(create_app(url, None).server.test_client())
    files = _cases_files(folder / "page")
    for lang in LANGS:
        for name in ("bad.csv", "names.csv", "nocols.csv", "good.csv"):
            data = "data:text/csv;base64," + base64.b64encode(files[name].read_bytes()).decode()
            got = page.post("impor-upload.contents", {"impor-upload.contents": data,
                                                      "impor-upload.filename": name,
                                                      "impor-lang.data": lang})  # fmt: skip
            token = got.get_json()["response"]["impor-upload-token"]["data"]
            checked = page.post("impor-check.n_clicks", {
                "impor-check.n_clicks": 1, "impor-upload-token.data": token,
                "impor-jenis.value": "kasus", "impor-lang.data": lang}).get_json()["response"]
            found.add(lang, f"/impor check {name}", _page_text(checked))
        ticket = checked["impor-checked"]["data"]
        assert ticket, "the good file is clean"
        job = page.post("impor-run.n_clicks", {"impor-run.n_clicks": 1,
                                               "impor-checked.data": ticket,
                                               "impor-lang.data": lang})  # fmt: skip
        token = job.get_json()["response"]["impor-job"]["data"]
        steps: list[tuple] = []
        done = impor.run_job(steps.append, token, lang, Scope.everything().key)
        found.add(lang, "/impor result", _page_text(list(done[:2])))
        found.add(lang, "/impor progress", " ".join(s[2] for s in steps))
        asked = page.post("impor-undo.n_clicks", {"impor-undo.n_clicks": 1,
                                                  "impor-lang.data": lang})  # fmt: skip
        undo_id = asked.get_json()["response"]["impor-undo-id"]["data"]
        found.add(lang, "/impor undo question", _page_text(asked.get_json()["response"]))
        yes = page.post("impor-undo-yes.n_clicks", {"impor-undo-yes.n_clicks": 1,
                                                    "impor-undo-id.data": undo_id,
                                                    "impor-lang.data": lang})  # fmt: skip
        found.add(lang, "/impor undo", _page_text(yes.get_json()["response"]))
        routed = page.post("url.pathname", {"url.pathname": "/impor",
                                            "url.search": f"?lang={lang}"})  # fmt: skip
        found.add(lang, "/impor page", _page_text(routed.get_json()["response"]))
    store.dispose()


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Collected:
    found = Collected()
    _collect_cli(found, tmp_path_factory.mktemp("cli"))
    _collect_page(found, tmp_path_factory.mktemp("page"))
    return found


def test_every_text_is_in_its_own_language(collected: Collected) -> None:
    names = _names()
    mixed = []
    for lang, where, text in collected.texts:
        words = foreign_words(text, lang, names)
        if words:
            mixed.append(f"{lang} {where}: {sorted(set(words))}")
    assert len(collected.texts) >= 100  # every command, both languages, and the page
    assert not mixed, "\n".join(mixed)


def test_the_texts_hold_what_they_should(collected: Collected) -> None:
    """The scan saw the real outputs (not only errors): reports, tables, exports."""
    by = {(lang, where): text for lang, where, text in collected.texts}
    assert "ditolak" in by["id", "import bad.csv"] and "rejected" in by["en", "import bad.csv"]
    assert "peringatan" in by["id", "alerts"] and "alert" in by["en", "alerts"]
    assert "Klaster" in by["id", "scan --xlsx"] and "Clusters" in by["en", "scan --xlsx"]
    assert "tidak ada data kasus" in by["id", "alerts: no data"]
    assert "Opsi" in by["id", "pws alerts --help"]
    assert "Options" in by["en", "pws alerts --help"]
    assert "baris kasus mingguan" in by["id", "/impor result"]
    assert "weekly case rows" in by["en", "/impor result"]
