"""The workbook pieces of :mod:`layers.diarrhoea.export`: columns, cells, sheets, notes, labels.

A data sheet is a bold, frozen, filterable header and one row per item. Each column has a
*kind* that fixes how its cells are written: codes and weeks as text (format ``@``, so
Excel never turns ``3510012001`` into a number), labels as text, numbers as numbers —
rounded to the kind's decimals and given the matching number format (``0``, ``0.0``,
``0.00``, ``0.000``, ``0.0%``), never as strings. A single cell may have a kind of its own
(:class:`Cell`: a CFR among counts). An empty cell is a missing value (NaN); an infinite
ratio is written ``∞``.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from layers.text import Text

#: name of the notes sheet
NOTE_SHEET = Text("Keterangan", "Notes")
VERIFY = Text(
    "Peringatan dan sinyal ini harus diverifikasi di lapangan; ini bukan penetapan KLB. Hanya "
    "Kepala Dinas Kesehatan kabupaten/kota atau provinsi (atau Menteri) yang menetapkan KLB "
    "(Permenkes 1501/2010 Pasal 7).",
    "These alerts and signals are to be verified in the field; they are not a declared KLB "
    "(outbreak). Only the head of the district/city or provincial health office (or the "
    "Minister) declares a KLB (Permenkes 1501/2010 Art. 7).",
)
GENERATED = Text("Dibuat", "Generated")
VILLAGE_CODE = Text("Kode desa", "Village code")
VILLAGE_NAME = Text("Nama desa", "Village")
KECAMATAN = Text("Kecamatan", "Kecamatan")

#: names of the data sheets
SHEETS = {
    "alerts": Text("Peringatan", "Alerts"),
    "klb": Text("Sinyal KLB", "KLB signals"),
    "clusters": Text("Klaster", "Clusters"),
    "cluster_villages": Text("Desa klaster", "Cluster villages"),
}
YES, NO = Text("ya", "yes"), Text("tidak", "no")
REGION = Text("Wilayah", "Region")
EPI_WEEK = Text("Minggu epidemiologi", "Epidemiological week")
DISEASE = Text("Penyakit", "Disease")
LEVEL = Text("Tingkat", "Level")
REASON = Text("Keterangan", "Reason")
#: the KLB parameters (``KlbSignals.params``) in words
KLB_PARAMS = {
    "period_weeks": Text("Minggu per periode", "Weeks per period"),
    "rise_periods": Text("Periode naik berturut-turut", "Consecutive rising periods"),
    "min_cases": Text("Kasus minimum", "Minimum cases"),
    "cfr_period_weeks": Text("Minggu per periode CFR", "Weeks per CFR period"),
    "cfr_min_cases": Text("Kasus minimum untuk CFR", "Minimum cases for the CFR"),
    "min_year_coverage": Text("Bagian minggu tahun lalu yang melapor (minimum)",
                              "Least share of last year's weeks reported"),
    "month_weeks": Text("Minggu bulan ini", "Weeks of this month"),
    "last_year_weeks": Text("Minggu tahun lalu yang melapor", "Weeks of last year reported"),
}  # fmt: skip

_BOLD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="DDEBF7")
#: number format and decimals of each kind of number (``text``/``label``: written as text)
NUMBER_KINDS: dict[str, tuple[str, int | None]] = {
    "int": ("0", 0), "dec1": ("0.0", 1), "dec2": ("0.00", 2), "p": ("0.000", 3),
    "percent": ("0.0%", 3),
}  # fmt: skip
_FORMATS = {"text": "@", **{k: f for k, (f, _) in NUMBER_KINDS.items()}}
_WIDTHS = {"text": 16, "int": 10, "dec1": 12, "dec2": 12, "p": 10, "percent": 10, "label": 24}


@dataclass(frozen=True)
class Column:
    """One column of a data sheet: header text and kind (number format, width)."""

    header: Text
    kind: str
    width: int | None = None


@dataclass(frozen=True)
class Cell:
    """A value written with a kind of its own instead of its column's."""

    value: Any
    kind: str


def check_lang(lang: str) -> str:
    if lang not in ("id", "en"):
        raise ValueError(f"lang must be 'id' or 'en', not {lang!r}")
    return lang


def value(raw: Any, kind: str) -> Any:
    """A cell value: text for codes/labels, a number rounded to the kind's decimals (an
    ``int`` when it has none), None for a missing value, ``∞`` for an infinite one."""
    if raw is None:
        return None
    if kind in ("text", "label"):
        if isinstance(raw, float) and math.isnan(raw):
            return None
        return str(raw)
    number = float(raw)
    if math.isnan(number):
        return None
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    decimals = NUMBER_KINDS[kind][1]
    return int(round(number)) if decimals == 0 else round(number, decimals)


def table(ws: Worksheet, title: str, columns: Sequence[Column],
          rows: Iterable[Sequence[Any]], lang: str) -> int:  # fmt: skip
    """Write the header and ``rows`` on ``ws``; returns the number of data rows."""
    ws.title = title
    for j, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j, value=col.header(lang))
        cell.font = _BOLD
        cell.fill = _FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        width = col.width or max(_WIDTHS[col.kind], len(col.header(lang)) + 2)
        ws.column_dimensions[get_column_letter(j)].width = width
    n = 0
    for i, row in enumerate(rows, start=2):
        n += 1
        for j, (col, raw) in enumerate(zip(columns, row, strict=True), start=1):
            kind = raw.kind if isinstance(raw, Cell) else col.kind
            raw = raw.value if isinstance(raw, Cell) else raw
            cell = ws.cell(row=i, column=j, value=value(raw, kind))
            if kind != "label" and not (isinstance(cell.value, str) and kind != "text"):
                cell.number_format = _FORMATS[kind]
    ws.freeze_panes = "A2"
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{n + 1}"
    return n


def notes(ws: Worksheet, lang: str, title: Text, lines: Sequence[tuple[Text, Any]],
          paragraphs: Sequence[Text] = ()) -> None:  # fmt: skip
    """The notes sheet: a title, ``label | value`` lines (empty ones left out), paragraphs
    ending with :data:`VERIFY`, and the generation time."""
    ws.title = NOTE_SHEET(lang)
    ws["A1"] = title(lang)
    ws["A1"].font = Font(bold=True, size=13)
    row = 3
    for label, shown in lines:
        if shown is None or shown == "":
            continue
        ws.cell(row=row, column=1, value=label(lang)).font = _BOLD
        kind = shown.kind if isinstance(shown, Cell) else None
        cell = ws.cell(row=row, column=2, value=_note_value(shown, lang))
        if kind is not None and kind != "label":
            cell.number_format = _FORMATS[kind]
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        row += 1
    row += 1
    for text in (*paragraphs, VERIFY):
        cell = ws.cell(row=row, column=1, value=text(lang))
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 15 * max(1, math.ceil(len(text(lang)) / 110))
        row += 1
    ws.cell(row=row - 1, column=1).font = Font(bold=True)
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    ws.cell(row=row + 1, column=1, value=GENERATED(lang)).font = _BOLD
    ws.cell(row=row + 1, column=2, value=now)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 90


def _note_value(shown: Any, lang: str) -> Any:
    """A notes cell: a Text in ``lang``, text as text, a number as a number."""
    if isinstance(shown, Cell):
        return value(shown.value, shown.kind)
    if isinstance(shown, Text):
        return shown(lang)
    if shown is None or isinstance(shown, str):
        return shown
    if isinstance(shown, bool):
        return str(shown)
    return value(shown, "int" if isinstance(shown, int) else "dec2")


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def names(villages: pd.DataFrame | None) -> tuple[dict[str, str], dict[str, str]]:
    """(code → village name, code → kecamatan name) from ``kode, nama[, nama_kec]``."""
    if villages is None or villages.empty:
        return {}, {}
    codes = villages["kode"].astype(str)
    village = dict(zip(codes, villages["nama"].astype(str), strict=True))
    kec = ({} if "nama_kec" not in villages.columns else
           dict(zip(codes, villages["nama_kec"].fillna("").astype(str), strict=True)))
    return village, kec


def with_names(columns: list[Column], villages: pd.DataFrame | None) -> list[Column]:
    """``columns`` with the village (and kecamatan) name after the first one."""
    if villages is None:
        return columns
    extra = [Column(VILLAGE_NAME, "label")]
    if "nama_kec" in villages.columns:
        extra.append(Column(KECAMATAN, "label", 20))
    return [columns[0], *extra, *columns[1:]]
