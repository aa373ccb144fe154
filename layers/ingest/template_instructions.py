"""The ``Petunjuk`` (instructions) sheet of an import template.

Owns :data:`NOTE_SHEET`, the general filling-in notes every template starts with and
:func:`note_sheet`, which lists every column of a template spec
(:class:`layers.ingest.template_specs.TemplateSpec`: required or not, accepted aliases,
allowed values, description) in Indonesian with English beneath.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from layers.ingest.template_specs import TemplateSpec
from layers.text import Text

NOTE_SHEET = "Petunjuk"

_GENERAL = (
    Text("Satu baris per data; jangan ubah atau gabungkan judul kolom di baris 1.",
         "One row per record; do not change or merge the column headers in row 1."),
    Text("Baris contoh memakai kabupaten fiktif 99.01: hapus sebelum mengisi data Anda.",
         "The example rows use the fictional district 99.01: delete them before entering "
         "your data."),
    Text("Isi nilai, bukan rumus (salin lalu tempel sebagai nilai).",
         "Enter values, not formulas (copy, then paste as values)."),
    Text("Impor lewat halaman Impor, atau: pws import {jenis} FILE.xlsx",
         "Import on the Import page, or: pws import {jenis} FILE.xlsx"),
)  # fmt: skip


def note_sheet(ws: Worksheet, s: TemplateSpec) -> None:
    """Fill ``ws`` as the Petunjuk sheet of ``s``: general notes, then one row per column."""
    ws.title = NOTE_SHEET
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.append([f"Petunjuk pengisian — {s.title.id}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"Instructions — {s.title.en}"])
    ws["A2"].font = Font(italic=True)
    ws.append([])
    general = _GENERAL if s.tabular else _GENERAL[3:]
    for note in (*general, *s.notes):
        text = note.format(jenis=s.jenis) if "{jenis}" in note.id else note
        ws.append([text.id])
        ws.append([text.en])
        ws.cell(row=ws.max_row, column=1).font = Font(italic=True, color="555555")
    if not s.fields:
        ws.column_dimensions["A"].width = 110
        return
    ws.append([])
    header = ["Kolom / Column", "Wajib / Required", "Nama lain yang diterima / Aliases",
              "Nilai yang diizinkan / Allowed values", "Keterangan / Description"]  # fmt: skip
    ws.append(header)
    for j in range(1, len(header) + 1):
        ws.cell(row=ws.max_row, column=j).font = bold
    for f in s.fields:
        required, values = f.required_text(), f.values_text()
        where = "" if f.in_template else "\n(tidak di templat / not in the template)"
        ws.append([f.name + where, f"{required.id}\n{required.en}", ", ".join(f.aliases),
                   f"{values.id}\n{values.en}",
                   f"{f.description.id}\n{f.description.en}"])  # fmt: skip
        for j in range(1, len(header) + 1):
            ws.cell(row=ws.max_row, column=j).alignment = wrap
    for letter, width in zip("ABCDE", (18, 18, 34, 38, 60), strict=True):
        ws.column_dimensions[letter].width = width
