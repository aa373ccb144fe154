"""Reading tabular files as offices have them: CSV (any common delimiter and encoding) and XLSX.

Everything comes back as text (a code like ``3510012001`` must never become a number),
with the row number a user sees in a spreadsheet program. Problems with the file itself —
empty, too large, not decodable, a truncated workbook, merged header cells, several sheets
without saying which, formulas instead of values — raise :class:`Rejected`.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from layers.ingest.problems import FIRST_DATA_ROW, Problem, Rejected, reject
from layers.text import Text

#: the one size limit of an imported file, in MB (MiB): the command line, the import page
#: and docs/imports.md all state this one
MAX_MB = 100
MAX_BYTES = MAX_MB * 1024 * 1024
_MB = 1024 * 1024
DELIMITERS = ",;\t|"
#: how to shrink a table that is too large (boundary files say it their own way)
SPLIT_TABLE = Text("Bagi file per tahun atau per kecamatan.", "Split it by year or by kecamatan.")


@dataclass
class Table:
    """A file's rows as text. ``rows`` holds each row's number as the user counts it."""

    frame: pd.DataFrame
    rows: pd.Series
    notes: list[Text] = field(default_factory=list)


def check_size(path: Path, max_bytes: int = MAX_BYTES, split: Text = SPLIT_TABLE) -> None:
    """Reject an empty file or one over ``max_bytes``; ``split`` tells how to make it smaller."""
    size = path.stat().st_size
    if size == 0:
        raise reject("File kosong.", "The file is empty.", code="empty")
    if size > max_bytes:
        raise reject(
            f"File terlalu besar ({size / _MB:.0f} MB; batas {max_bytes / _MB:.0f} MB). "
            + split.id,
            f"File too large ({size / _MB:.0f} MB; limit {max_bytes / _MB:.0f} MB). " + split.en,
            code="too_large",
        )


def read_table(path: Path, sheet: str | None = None, max_bytes: int = MAX_BYTES) -> Table:
    """Read a CSV or XLSX file into a :class:`Table` of strings (empty cells are None)."""
    path = Path(path)
    check_size(path, max_bytes)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix == ".xls":
        raise reject(
            "Format .xls lama tidak didukung: simpan ulang sebagai .xlsx atau .csv.",
            "The old .xls format is not supported: save it again as .xlsx or .csv.",
            code="format",
        )
    return _read_csv(path.read_bytes())


def _decode(data: bytes) -> tuple[str, list[Text]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        # Excel on Windows in Indonesia saves "CSV" as cp1252 (Latin-1 superset)
        note = Text(
            "File bukan UTF-8; dibaca sebagai Windows-1252 (Latin-1).",
            "The file is not UTF-8; read as Windows-1252 (Latin-1).",
        )
        return data.decode("cp1252", errors="replace"), [note]


def _read_csv(data: bytes) -> Table:
    if b"\x00" in data[:4096]:
        raise reject(
            "File ini bukan teks CSV (mungkin file biner atau Excel yang diganti namanya).",
            "This file is not CSV text (perhaps a binary or a renamed Excel file).",
            code="format",
        )
    text, notes = _decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # old Mac Excel writes CR only
    if not text.strip():
        raise reject("File kosong.", "The file is empty.", code="empty")
    try:
        delimiter = csv.Sniffer().sniff(text.splitlines()[0], delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    try:
        # header=None: pandas would silently rename a repeated header ("kasus.1")
        raw = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                          skip_blank_lines=False, header=None)  # fmt: skip
    except (pd.errors.ParserError, csv.Error) as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise reject(
            "Baris CSV tidak bisa dibaca (jumlah kolom tidak cocok, tanda kutip tidak "
            "ditutup, atau file terpotong). Periksa pemisah kolom dan tanda kutip.",
            "A CSV line cannot be read (wrong number of fields, an unclosed quote, or a "
            "truncated file). Check the delimiter and the quotes.",
            code="parse", row=int(line.group(1)) if line else None,
        ) from exc
    header = [str(v) if v is not None else "" for v in raw.iloc[0]]
    frame = raw.iloc[1:].reset_index(drop=True)
    frame.columns = header
    return _finish(frame, notes)


def _finish(frame: pd.DataFrame, notes: list[Text], header_row: int = 1) -> Table:
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_headers(frame)
    frame = frame.map(lambda v: v.strip() if isinstance(v, str) else v).astype(object)
    # one "empty" for every reader and pandas version: None (never "", NaN or pd.NA)
    frame = frame.where(frame.notna() & (frame != ""), None)
    rows = pd.Series(range(header_row + 1, header_row + 1 + len(frame)), index=frame.index)
    keep = frame.notna().any(axis=1)
    frame, rows = frame[keep].reset_index(drop=True), rows[keep].reset_index(drop=True)
    if frame.empty:
        raise reject("File tidak berisi baris data.", "The file has no data rows.", code="empty")
    return Table(frame, rows, notes)


def _check_headers(frame: pd.DataFrame) -> None:
    """Refuse repeated headers and data under an empty header (either would lose data)."""
    problems = []
    seen: set[str] = set()
    for position, name in enumerate(frame.columns):
        column = frame.iloc[:, position]
        if not name and column.map(lambda v: v not in (None, "")).any():
            problems.append(Problem(
                Text(f"Kolom ke-{position + 1} berisi data tetapi tidak punya judul.",
                     f"Column {position + 1} holds data but has no header."),
                row=1, column=f"#{position + 1}", code="blank_header",
            ))  # fmt: skip
        elif name and name in seen:
            problems.append(Problem(
                Text("Judul kolom ini muncul dua kali.", "This header appears twice."),
                row=1, column=name, value=name, code="duplicate_column",
            ))  # fmt: skip
        seen.add(name)
    if problems:
        raise Rejected(problems)


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise reject(
            f"File Excel rusak atau terpotong ({type(exc).__name__}). Simpan ulang dari Excel.",
            f"The Excel file is damaged or truncated ({type(exc).__name__}). Save it again.",
            code="corrupt",
        ) from exc
    used = [ws for ws in book.worksheets if ws.max_row > 1 or ws.max_column > 1]
    if sheet is not None:
        if sheet not in book.sheetnames:
            raise reject(
                f"Sheet {sheet!r} tidak ada; yang ada: {', '.join(book.sheetnames)}.",
                f"No sheet {sheet!r}; the workbook has: {', '.join(book.sheetnames)}.",
                code="sheet",
            )
        ws = book[sheet]
    elif len(used) > 1:
        names = ", ".join(w.title for w in used)
        raise reject(
            f"File berisi beberapa sheet berisi data ({names}); pilih satu (opsi --sheet).",
            f"The workbook has several sheets with data ({names}); choose one (--sheet).",
            code="sheet",
        )
    else:
        ws = used[0] if used else book.worksheets[0]
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= 1:
            raise reject(
                f"Sel judul kolom digabung ({merged.coord}); pisahkan agar tiap kolom punya judul.",
                f"Header cells are merged ({merged.coord}); unmerge so each column has a header.",
                code="merged_header",
                row=1,
            )
    problems: list[Problem] = []
    values: list[list[object]] = []
    for r, row in enumerate(ws.iter_rows(), start=1):
        out = []
        for cell in row:
            if cell.data_type == "f":
                problems.append(Problem(
                    Text("Sel berisi rumus, bukan nilai: salin lalu tempel sebagai nilai.",
                         "The cell holds a formula, not a value: paste it as values."),
                    row=r, column=cell.coordinate, value=str(cell.value), code="formula",
                ))  # fmt: skip
            out.append(_cell_text(cell.value))
        values.append(out)
    if problems:
        raise Rejected(problems)
    if not values or not any(v is not None for v in values[0]):
        raise reject("File tidak berisi judul kolom.", "The file has no header row.", code="empty")
    header = [v if v is not None else "" for v in values[0]]
    frame = pd.DataFrame(values[1:], columns=header, dtype=object)
    return _finish(frame, [], header_row=FIRST_DATA_ROW - 1)


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if hasattr(value, "date") else value.isoformat()
    return str(value)
