"""The Pustu gap list as an XLSX workbook (``pws pustu gaps --xlsx``), in one language.

Sheets: the villages without an active Pustu (class, distances, nearest facilities,
population, served), the kecamatan and kabupaten figures of :mod:`layers.pustu.summary`,
and a notes sheet with the parameters, the problems found in the data and the sentence
that distances are straight lines, not travel time. Codes are written as text (format
``@``: Excel never turns ``3510012001`` into a number), numbers as numbers, a missing
figure (no population) as an empty cell — never 0.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from layers.pustu.classes import CLASS_TEXT
from layers.pustu.service import STRAIGHT_LINE, PustuGaps
from layers.text import Text

_BOLD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="DDEBF7")
#: number formats of the column kinds (``text``: a code, written as text; ``label``: text)
_FORMATS = {"text": "@", "label": "General", "int": "0", "dec1": "0.0"}

LACKING = Text("Desa tanpa Pustu aktif", "Villages without active Pustu")
KECAMATAN = Text("Kecamatan", "Kecamatan")
KABUPATEN = Text("Kabupaten", "Kabupaten")
NOTES = Text("Keterangan", "Notes")
YES, NO = Text("ya", "yes"), Text("tidak", "no")
VILLAGE_HEADS: tuple[tuple[str, Text, str], ...] = (
    ("kode_desa", Text("Kode desa", "Village code"), "text"),
    ("nama", Text("Nama desa", "Village"), "label"),
    ("nama_kec", Text("Kecamatan", "Kecamatan"), "label"),
    ("kelas", Text("Status Pustu", "Pustu status"), "label"),
    ("puskesmas", Text("Puskesmas di desa", "Puskesmas in the village"), "int"),
    ("pustu_rencana", Text("Pustu rencana di desa", "Planned Pustu in the village"), "int"),
    ("jarak_pustu_km", Text("Jarak Pustu aktif terdekat (km)", "Nearest active Pustu (km)"),
     "dec1"),
    ("pustu_terdekat_nama", Text("Pustu aktif terdekat", "Nearest active Pustu"), "label"),
    ("jarak_puskesmas_km", Text("Jarak Puskesmas terdekat (km)", "Nearest Puskesmas (km)"),
     "dec1"),
    ("puskesmas_terdekat_nama", Text("Puskesmas terdekat", "Nearest Puskesmas"), "label"),
    ("penduduk", Text("Penduduk", "Population"), "int"),
    ("terlayani", Text("Terlayani (dalam jarak)", "Served (within the distance)"), "label"),
)  # fmt: skip
SUMMARY_HEADS: tuple[tuple[str, Text, str], ...] = (
    ("kode", Text("Kode", "Code"), "text"),
    ("nama", Text("Nama", "Name"), "label"),
    ("desa", Text("Desa", "Villages"), "int"),
    ("dengan_pustu", Text("Dengan Pustu aktif", "With active Pustu"), "int"),
    ("cakupan_pct", Text("Cakupan (%)", "Coverage (%)"), "dec1"),
    ("staf_minimal_pct", Text("Tenaga minimal terpenuhi (%)", "Minimum staff met (%)"), "dec1"),
    ("penduduk", Text("Penduduk", "Population"), "int"),
    ("penduduk_tidak_terlayani", Text("Penduduk tidak terlayani", "Population unserved"),
     "int"),
    ("desa_tanpa_penduduk", Text("Desa tanpa data penduduk", "Villages without population"),
     "int"),
    ("kurang_perawat", Text("Kurang perawat", "Perawat short"), "int"),
    ("kurang_bidan", Text("Kurang bidan", "Bidan short"), "int"),
    ("belum_tercakup", Text("Desa belum tercakup", "Villages still to cover"), "int"),
    ("rencana", Text("Di antaranya dengan Pustu rencana", "Of which with a planned Pustu"),
     "int"),
    ("tahun_tersisa", Text("Tahun tersisa", "Years left"), "int"),
    ("per_tahun", Text("Desa per tahun", "Villages per year"), "int"),
)  # fmt: skip


def _cell(raw: Any, kind: str) -> Any:
    if raw is None or (isinstance(raw, float) and not math.isfinite(raw)) or pd.isna(raw):
        return None
    if kind in ("text", "label"):
        return str(raw)
    number = float(raw)
    return round(number) if kind == "int" else round(number, 1)


def _sheet(ws: Worksheet, title: str, heads: Sequence[tuple[str, Text, str]],
           frame: pd.DataFrame, lang: str) -> None:  # fmt: skip
    ws.title = title[:31]
    for j, (_, head, kind) in enumerate(heads, start=1):
        cell = ws.cell(row=1, column=j, value=head(lang))
        cell.font, cell.fill = _BOLD, _FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        width = 24 if kind == "label" else max(10, min(len(head(lang)) + 2, 22))
        ws.column_dimensions[get_column_letter(j)].width = width
    for i, row in enumerate(frame[[h[0] for h in heads]].itertuples(index=False), start=2):
        for j, (raw, (_, _, kind)) in enumerate(zip(row, heads, strict=True), start=1):
            cell = ws.cell(row=i, column=j, value=_cell(raw, kind))
            cell.number_format = _FORMATS[kind]
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{len(frame) + 1}"


def lacking_frame(gaps: PustuGaps, lang: str) -> pd.DataFrame:
    """The villages without an active Pustu as the list shows them (class as text, km)."""
    v = gaps.lacking()
    return v.assign(
        kelas=[CLASS_TEXT[k](lang) for k in v["kelas"]],
        jarak_pustu_km=v["jarak_pustu_m"] / 1000, jarak_puskesmas_km=v["jarak_puskesmas_m"] / 1000,
        terlayani=[(YES if s else NO)(lang) for s in v["terlayani"]],
    )  # fmt: skip


def gaps_xlsx(gaps: PustuGaps, lang: str = "id", region: str = "") -> bytes:
    """The workbook as bytes (sheets in the module docstring), in ``lang``."""
    if lang not in ("id", "en"):
        raise ValueError(f"lang must be 'id' or 'en', not {lang!r}")
    wb = Workbook()
    _sheet(wb.active, LACKING(lang), VILLAGE_HEADS, lacking_frame(gaps, lang), lang)
    _sheet(wb.create_sheet(), KECAMATAN(lang), SUMMARY_HEADS, gaps.kecamatan(), lang)
    _sheet(wb.create_sheet(), KABUPATEN(lang), SUMMARY_HEADS, gaps.kabupaten(), lang)
    _notes(wb.create_sheet(), gaps, lang, region)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _notes(ws: Worksheet, gaps: PustuGaps, lang: str, region: str) -> None:
    ws.title = NOTES(lang)
    ws["A1"] = Text("Desa tanpa Pustu", "Villages without a Pustu")(lang) + (
        f" — {region}" if region else "")
    ws["A1"].font = Font(bold=True, size=13)
    served = (YES if gaps.puskesmas_served else NO)(lang)
    lines = [
        (Text("Jarak layanan (km, garis lurus)", "Service distance (km, straight line)"),
         gaps.distance_m / 1000),
        (Text("Puskesmas di desa dihitung melayani", "A Puskesmas in the village serves it"),
         served),
        (Text("Tahun target", "Target year"), gaps.target_year),
        (Text("Tahun berjalan", "Current year"), gaps.current_year),
        (Text("Dibuat", "Generated"), dt.datetime.now().astimezone().isoformat(timespec="seconds")),
    ]  # fmt: skip
    row = 3
    for label, shown in lines:
        ws.cell(row=row, column=1, value=label(lang)).font = _BOLD
        ws.cell(row=row, column=2, value=shown).alignment = Alignment(horizontal="left")
        row += 1
    for text in (STRAIGHT_LINE, *gaps.problems):
        row += 1
        cell = ws.cell(row=row, column=1, value=text(lang))
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 15 * max(1, math.ceil(len(text(lang)) / 100))
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 70
