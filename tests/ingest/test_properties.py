"""Property-based suite: mangled case files are imported exactly, or refused without a trace.

A valid weekly-case file (30 rows of 2025 from the demo, with changed counts so that an import
is visible) is mangled at random — rows deleted or duplicated, cells blanked, text, negative
or decimal counts, weeks 0/54, two headers swapped, the file cut mid-row, Latin-1 or UTF-8
with BOM, ``;`` as delimiter, an unknown column, a code from another province — and imported.
The property (design.md §3): EITHER the import succeeds AND the store holds exactly the valid
content of the mangled file (computed here, independently of the importer, by :func:`oracle`),
OR it is rejected with at least one problem AND every table is as before (only an
``impor_log`` row with status ``ditolak`` records the attempt). The oracle's verdict must
match the importer's: a valid file must not be refused either.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import sqlite3
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dashboard.testing import loaded_database
from layers.epiweek import weeks_in_year
from layers.ingest import run_import
from layers.scope import Scope
from layers.store.engine import make_engine

DEMO = Path(__file__).resolve().parents[2] / "data" / "geo" / "demo_9901"
HEADER = ("kode_desa", "penyakit", "tahun", "minggu", "kasus", "kematian")
N_ROWS = 30
TODAY = dt.date(2026, 6, 1)
#: well-formed village codes of other provinces (not in the demo store)
FOREIGN_CODES = ("35.10.01.2001", "64.74.01.1001", "98.01.01.2001")
EXTRA = "keterangan"
#: a whole number as a person types it: ASCII digits (``٣`` is a digit to ``\d``, not to us)
INTEGER = re.compile(r"^[+-]?[0-9]+(\.0+)?$")
#: a week with a prefix, as offices write it: ``W05``, ``M5``, ``Minggu 5``
WEEK_PREFIX = re.compile(r"^(?:m|w|wk|mg|minggu|minggu_ke|week)_?([0-9]{1,3})$")
#: the shipped disease catalogue: every code, name and alias (compared loosely) -> code
CATALOGUE = Path(__file__).resolve().parents[2] / "layers" / "data" / "penyakit.csv"


def _loose(value: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", value.strip().lower()).strip("_")


SYNONYMS = {
    _loose(name): row["kode"]
    for row in csv.DictReader(CATALOGUE.read_text(encoding="utf-8").splitlines())
    for name in (row["kode"], row["nama_id"], row["nama_en"], *row["alias"].split(";"))
    if name.strip()
}
#: per-example stores live in memory when possible (SQLite commits fsync; disks are slow)
FAST_TMP = "/dev/shm" if Path("/dev/shm").is_dir() else None
#: no shrinking: a failure prints its manglings (``steps``) and the file; keeps the run short
PROPERTY = settings(max_examples=40, deadline=None, derandomize=True, print_blob=False,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


# --------------------------------------------------------------------------- the file model


@dataclass(frozen=True)
class CaseFile:
    """A CSV file before it is written: headers, cells, and how it is serialised."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    delimiter: str = ","
    encoding: str = "utf-8"  # or "utf-8-sig", "latin-1"
    #: (data row index, characters kept of that row): the file ends there
    truncate: tuple[int, int] | None = None
    steps: tuple[str, ...] = field(default=())

    def text(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=self.delimiter, lineterminator="\n")
        writer.writerow(self.header)
        if self.truncate is None:
            writer.writerows(self.rows)
            return out.getvalue()
        index, keep = self.truncate
        writer.writerows(self.rows[:index])
        line = io.StringIO()
        csv.writer(line, delimiter=self.delimiter, lineterminator="").writerow(self.rows[index])
        return out.getvalue() + line.getvalue()[:keep]

    def data(self) -> bytes:
        return self.text().encode(self.encoding, errors="replace")


def _set(rows: tuple[tuple[str, ...], ...], i: int, j: int, value: str
         ) -> tuple[tuple[str, ...], ...]:  # fmt: skip
    row = list(rows[i])
    row[j] = value
    return (*rows[:i], tuple(row), *rows[i + 1 :])


def delete_row(f: CaseFile, i: int) -> CaseFile:
    i %= len(f.rows)
    return replace(f, rows=f.rows[:i] + f.rows[i + 1 :], steps=(*f.steps, f"delete row {i}"))


def duplicate_row(f: CaseFile, i: int, at: int) -> CaseFile:
    i, at = i % len(f.rows), at % (len(f.rows) + 1)
    rows = (*f.rows[:at], f.rows[i], *f.rows[at:])
    return replace(f, rows=rows, steps=(*f.steps, f"duplicate row {i} at {at}"))


def set_cell(f: CaseFile, i: int, column: str, value: str) -> CaseFile:
    i = i % len(f.rows)
    rows = _set(f.rows, i, f.header.index(column), value)
    return replace(f, rows=rows, steps=(*f.steps, f"row {i} {column}={value!r}"))


def swap_headers(f: CaseFile, a: int, b: int) -> CaseFile:
    header = list(f.header)
    a, b = a % len(header), b % len(header)
    header[a], header[b] = header[b], header[a]
    return replace(f, header=tuple(header), steps=(*f.steps, f"swap headers {a}<->{b}"))


def add_column(f: CaseFile, accent: bool = False, name: str = EXTRA) -> CaseFile:
    if name in f.header:
        return f
    note = "Catatan pétugas {}" if accent else "catatan {}"
    rows = tuple((*r, note.format(n)) for n, r in enumerate(f.rows))
    return replace(f, header=(*f.header, name), rows=rows,
                   steps=(*f.steps, f"add column {name}"))  # fmt: skip


def encode(f: CaseFile, encoding: str) -> CaseFile:
    if encoding == "latin-1":  # make the encoding matter: a non-ASCII character
        f = add_column(f, accent=True) if EXTRA not in f.header else f
        f = set_cell(f, 0, EXTRA, "Désa Sukamaju")
    return replace(f, encoding=encoding, steps=(*f.steps, f"encode {encoding}"))


def rename_header(f: CaseFile, column: str, to: str) -> CaseFile:
    header = tuple(to if h == column else h for h in f.header)
    return replace(f, header=header, steps=(*f.steps, f"rename header {column} -> {to}"))


def truncate_at(f: CaseFile, i: int, keep: int) -> CaseFile:
    return replace(f, truncate=(i, keep), steps=(*f.steps, f"truncate row {i} at {keep}"))


def truncate(f: CaseFile, i: int, fraction: float) -> CaseFile:
    i = i % len(f.rows)
    line = io.StringIO()
    csv.writer(line, delimiter=f.delimiter, lineterminator="").writerow(f.rows[i])
    length = len(line.getvalue())
    keep = min(length - 1, max(1, int(length * fraction)))
    return replace(f, truncate=(i, keep), steps=(*f.steps, f"truncate row {i} at {keep}"))


# --------------------------------------------------------------------------- the oracle


def _integer(value: str, minimum: int | None, maximum: int | None) -> int | None:
    text = value.replace(" ", "")
    if not INTEGER.match(text):
        return None
    number = int(float(text))
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        return None
    return number


def _disease(value: str) -> str | None:
    """A code, name or alias of the catalogue; anything else is no disease."""
    return SYNONYMS.get(_loose(value))


def _week(value: str) -> str:
    match = WEEK_PREFIX.match(_loose(value))
    return match.group(1) if match else value


#: counts are stored in 32-bit INTEGER columns (the same limit on SQLite and PostgreSQL)
COUNT_MAX = 2**31 - 1


def oracle(f: CaseFile, known: set[str]) -> tuple[bool, dict[tuple[str, str, int, int], tuple[int, int]]]:  # noqa: E501
    """What the mangled file validly says: ``(every row valid, {key: (kasus, kematian)})``.

    Reads the serialised file back with the csv module (the delimiter and encoding are known
    here), then applies the rules of the case importer: the columns ``kode_desa, penyakit,
    tahun, minggu, kasus`` each exactly once (``kematian`` optional), known village codes, a
    disease slug,
    year 2000–2100, week 1..weeks of that year, non-negative whole counts (``7.0`` is
    whole, an empty ``kematian`` is 0), deaths <= cases, no repeated key.
    """
    text = f.data().decode(f.encoding).removeprefix("\ufeff")
    if text.count('"') % 2:  # a quote left open: the file was cut, whatever csv makes of it
        return False, {}
    table = list(csv.reader(io.StringIO(text), delimiter=f.delimiter))
    header = [h.strip() for h in table[0]]
    where = {name: header.index(name) for name in HEADER if name in header}
    content: dict[tuple[str, str, int, int], tuple[int, int]] = {}
    # every column but kematian is required; a column named twice is ambiguous
    ok = set(where) >= set(HEADER[:5]) and all(header.count(n) <= 1 for n in HEADER)
    if not set(where) >= set(HEADER[:5]):
        return False, {}
    rows = [[c.strip() for c in r] + [""] * (len(header) - len(r)) for r in table[1:]]
    rows = [r for r in rows if any(r)]
    if not rows:
        return False, {}
    for r in rows:
        cell = {name: r[j] for name, j in where.items()}
        cell.setdefault("kematian", "")
        kode = cell["kode_desa"] if cell["kode_desa"] in known else None
        penyakit = _disease(cell["penyakit"]) if cell["penyakit"] else None
        tahun = _integer(cell["tahun"], 2000, 2100)
        minggu = _integer(_week(cell["minggu"]), 1, 53)
        if tahun is not None and minggu is not None and minggu > weeks_in_year(tahun):
            minggu = None
        kasus = _integer(cell["kasus"], 0, COUNT_MAX)
        kematian = _integer(cell["kematian"], 0, COUNT_MAX) if cell["kematian"] else 0
        values = (kode, penyakit, tahun, minggu, kasus, kematian)
        if any(v is None for v in values) or kematian > kasus:  # type: ignore[operator]
            ok = False
            continue
        key = (kode, penyakit, tahun, minggu)
        if key in content:
            ok = False
            continue
        content[key] = (kasus, kematian)  # type: ignore[assignment]
    return ok, content


# --------------------------------------------------------------------------- the store


@dataclass(repr=False)
class Base:
    """The demo store loaded once, the valid file, and what the store holds."""

    def __repr__(self) -> str:
        return f"Base({self.db.name}, {len(self.file.rows)} rows)"

    db: Path
    file: CaseFile
    known: set[str]
    dump: dict[str, Counter[tuple[Any, ...]]]


def dump(db: Path) -> dict[str, Counter[tuple[Any, ...]]]:
    """Every row of every table as a multiset (read with sqlite3, not through the app)."""
    con = sqlite3.connect(db)
    try:
        tables = [t for (t,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {t: Counter(con.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}
    finally:
        con.close()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    db = tmp_path_factory.mktemp("props") / "demo.sqlite"
    loaded_database(DEMO, db)
    con = sqlite3.connect(db)
    try:
        known = {k for (k,) in con.execute("SELECT kode FROM wilayah WHERE level = 'desa'")}
        every = con.execute(
            "SELECT kode_desa, penyakit, tahun, minggu, kasus, kematian FROM kasus_mingguan "
            "WHERE tahun = 2025 ORDER BY kode_desa, penyakit, minggu").fetchall()
    finally:
        con.close()
    step = len(every) // N_ROWS
    chosen = every[::step][:N_ROWS]
    assert len(chosen) == N_ROWS
    rows = tuple(
        (k, p, str(t), str(w), str(c + 3 + i % 4), str(1 if i % 5 == 0 else 0))
        for i, (k, p, t, w, c, _d) in enumerate(chosen)
    )  # counts changed so that a successful import is visible
    return Base(db, CaseFile(HEADER, rows), known, dump(db))


def check(base: Base, f: CaseFile, strict: bool = True) -> tuple[str, bool]:
    """Import ``f`` into a copy of the base store and assert the property.

    ``strict``: the importer must also refuse only what the oracle finds invalid.
    Returns the importer's status and the oracle's verdict.
    """
    with tempfile.TemporaryDirectory(dir=FAST_TMP) as tmp:
        db = Path(tmp) / "store.sqlite"
        shutil.copy(base.db, db)
        path = Path(tmp) / "kasus_2025.csv"
        path.write_bytes(f.data())
        engine = make_engine(f"sqlite:///{db}")
        try:
            report = run_import(engine, "kasus", path, user="hypothesis",
                                scope=Scope.everything(), options={"today": TODAY})  # fmt: skip
        finally:
            engine.dispose()
        after = dump(db)
    valid, content = oracle(f, base.known)
    story = f"{' / '.join(f.steps)}\n{f.text()[:600]}\n{report.text('en')[:1500]}"
    changed = {t for t in after if after[t] != base.dump[t]}
    if report.status == "ok":
        assert valid, f"accepted a file with invalid rows: {story}"
        assert report.problem_count == 0
        expected = {(k, p, t, w): (c, d) for k, p, t, w, c, d, *_ in base.dump["kasus_mingguan"]}
        expected.update(content)
        got = {(k, p, t, w): (c, d) for k, p, t, w, c, d, *_ in after["kasus_mingguan"]}
        assert got == expected, story
        assert changed <= {"kasus_mingguan", "impor_log", "impor_cadangan", "impor_wilayah"}, story
        assert report.written["kasus_mingguan"] == len(content)
    else:
        assert report.status == "ditolak", story
        assert report.problem_count >= 1 and report.problems, story
        assert not (strict and valid), f"refused a valid file: {story}"
        assert changed <= {"impor_log"}, f"a refused import changed {changed}: {story}"
        new_log = list((after["impor_log"] - base.dump["impor_log"]).elements())
        assert len(new_log) == 1 and "ditolak" in new_log[0], story
    return report.status, valid


# --------------------------------------------------------------------------- manglings


COUNT_JUNK = ("lima", "-3", "2.5", "1,5", "7.0", "+2", "0", " 4 ", "1e3")
WEEK_JUNK = ("0", "54", "53", "-1", "1", "W05")


@st.composite
def mangled(draw: st.DrawFn, f: CaseFile) -> CaseFile:
    """``f`` with one to four random manglings."""
    for op in draw(st.lists(st.sampled_from((
        "delete", "duplicate", "blank", "count", "week", "swap", "truncate", "latin1", "bom",
        "semicolon", "extra", "foreign", "rename",
    )), min_size=1, max_size=4)):  # fmt: skip
        row = draw(st.integers(0, 10_000))
        if op == "delete" and len(f.rows) > 1:
            f = delete_row(f, row)
        elif op == "duplicate":
            f = duplicate_row(f, row, draw(st.integers(0, 10_000)))
        elif op == "blank":
            f = set_cell(f, row, draw(st.sampled_from(HEADER)), "")
        elif op == "count":
            column = draw(st.sampled_from(("kasus", "kematian")))
            f = set_cell(f, row, column, draw(st.sampled_from(COUNT_JUNK)))
        elif op == "week":
            f = set_cell(f, row, "minggu", draw(st.sampled_from(WEEK_JUNK)))
        elif op == "swap":
            f = swap_headers(f, draw(st.integers(0, 6)), draw(st.integers(0, 6)))
        elif op == "truncate":
            f = truncate(f, row, draw(st.floats(0.0, 1.0)))
        elif op in ("latin1", "bom"):
            f = encode(f, "latin-1" if op == "latin1" else "utf-8-sig")
        elif op == "semicolon":
            f = replace(f, delimiter=";", steps=(*f.steps, "delimiter ;"))
        elif op == "extra":
            f = add_column(f)
        elif op == "rename":
            f = rename_header(f, draw(st.sampled_from(HEADER)), draw(st.sampled_from(HEADER)))
        elif op == "foreign":
            f = set_cell(f, row, "kode_desa", draw(st.sampled_from(FOREIGN_CODES)))
    return f


@given(data=st.data())
@PROPERTY
def test_mangled_file_is_imported_exactly_or_refused_untouched(base: Base,
                                                               data: st.DataObject) -> None:
    check(base, data.draw(mangled(base.file)))


# --------------------------------------------------------------------------- each mangling once

ACCEPTED, REFUSED = "ok", "ditolak"


def _cut_inside_quotes(f: CaseFile) -> CaseFile:
    """The last row gets kasus ``1,5`` (written ``"1,5"``); the file ends at ``"1``."""
    f = set_cell(f, len(f.rows) - 1, "kasus", "1,5")
    last = f.text().splitlines()[-1]
    return truncate_at(f, len(f.rows) - 1, last.index('"') + 2)

ONE_MANGLING = {
    "valid file": (lambda f: f, ACCEPTED),
    "delete a row": (lambda f: delete_row(f, 4), ACCEPTED),
    "duplicate a row": (lambda f: duplicate_row(f, 4, 20), REFUSED),
    "blank kode_desa": (lambda f: set_cell(f, 2, "kode_desa", ""), REFUSED),
    "blank kasus": (lambda f: set_cell(f, 2, "kasus", ""), REFUSED),
    "blank kematian (= 0)": (lambda f: set_cell(f, 2, "kematian", ""), ACCEPTED),
    "text count": (lambda f: set_cell(f, 3, "kasus", "lima"), REFUSED),
    "negative count": (lambda f: set_cell(f, 3, "kematian", "-1"), REFUSED),
    "decimal count": (lambda f: set_cell(f, 3, "kasus", "2.5"), REFUSED),
    "decimal comma": (lambda f: set_cell(f, 3, "kasus", "1,5"), REFUSED),
    "whole decimal": (lambda f: set_cell(f, 3, "kasus", "7.0"), ACCEPTED),
    "week 0": (lambda f: set_cell(f, 5, "minggu", "0"), REFUSED),
    "week 54": (lambda f: set_cell(f, 5, "minggu", "54"), REFUSED),
    "week W05": (lambda f: set_cell(f, 5, "minggu", "W05"), ACCEPTED),
    "week M54": (lambda f: set_cell(f, 5, "minggu", "M54"), REFUSED),
    "disease alias 'Diare Akut'": (lambda f: set_cell(f, 6, "penyakit", "Diare Akut"), ACCEPTED),
    "unknown disease 'diare akuut'": (lambda f: set_cell(f, 6, "penyakit", "diare akuut"),
                                      REFUSED),  # fmt: skip
    "swap kode/penyakit headers": (lambda f: swap_headers(f, 0, 1), REFUSED),
    "swap kasus/kematian headers": (lambda f: swap_headers(f, 4, 5), REFUSED),
    "truncated in a code": (lambda f: truncate(f, 29, 0.3), REFUSED),
    "truncated after kasus": (lambda f: truncate(f, 29, 0.99), ACCEPTED),
    "Latin-1": (lambda f: encode(f, "latin-1"), ACCEPTED),
    "UTF-8 with BOM": (lambda f: encode(f, "utf-8-sig"), ACCEPTED),
    "semicolons": (lambda f: replace(f, delimiter=";"), ACCEPTED),
    "unknown column": (add_column, ACCEPTED),
    "code of another province": (lambda f: set_cell(f, 7, "kode_desa", "35.10.01.2001"),
                                 REFUSED),  # fmt: skip
    "no kematian column": (lambda f: replace(f, header=f.header[:5],
                                             rows=tuple(r[:5] for r in f.rows)), ACCEPTED),
    # the following found bugs in the core (layers/ingest/readers.py, checks.py, cases.py)
    "header named twice (kasus, kasus)": (lambda f: rename_header(f, "kematian", "kasus"),
                                          REFUSED),  # fmt: skip
    "truncated inside a quoted '1,5'": (_cut_inside_quotes, REFUSED),
    "count too large for 64 bits": (
        lambda f: set_cell(f, 3, "kasus", "99999999999999999999"), REFUSED),
}


@pytest.mark.parametrize("name", list(ONE_MANGLING))
def test_each_mangling_alone(base: Base, name: str) -> None:
    """Each mangling on its own, with the outcome the rules call for (checks the oracle too)."""
    mangle, outcome = ONE_MANGLING[name]
    status, valid = check(base, mangle(base.file))
    assert status == outcome
    assert valid == (outcome == ACCEPTED)


def test_a_column_named_like_a_week_is_refused_not_a_crash(base: Base) -> None:
    """An extra column headed ``M1`` in a long file: either reading is defensible, a crash is
    not (found: the wide-layout melt raised ValueError)."""
    check(base, add_column(base.file, name="M1"), strict=False)
