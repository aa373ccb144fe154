"""Downloadable XLSX templates for the importers: headers, examples, rules, validation.

Each template has a data sheet (``Data``) whose first row holds the canonical headers
(bold, frozen) followed by 2–3 example rows from the fictional demo district (codes
``99.01.xx.xxxx``), and a ``Petunjuk`` sheet listing every column — required or not,
accepted aliases, allowed values — in Indonesian with English beneath. The data sheet
carries Excel data validation (whole numbers ≥ 0 for counts, 1–53 for ``minggu``, lists
for ``jenis``/``status``/``aktif``…) and formats ``kode_desa`` as text so that Excel never
turns a village code into a number. ``batas`` (boundaries) gets a ``Petunjuk`` sheet only,
explaining the accepted GIS formats.

The columns, examples and notes of each kind live in :mod:`layers.ingest.template_specs`
and the ``Petunjuk`` sheet is written by :mod:`layers.ingest.template_instructions`; this
module merges a spec with its importer's ``COLUMNS`` (:func:`spec`), builds the data sheet
with its validation, and offers the public API.

A filled-in template is read by the importers as is: :func:`data_sheet` tells the caller
which sheet to read when a workbook is one of these templates (it has a ``Petunjuk``
sheet beside the data), so no ``--sheet`` is needed.
"""

from __future__ import annotations

import io
import sys
import zipfile
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from layers.ingest.template_instructions import NOTE_SHEET, note_sheet
from layers.ingest.template_specs import (
    CHOICE,
    CODE,
    COUNT,
    DATE,
    KINDS,
    LAT,
    LON,
    SPECS,
    WEEK,
    YEAR,
    Field,
    TemplateSpec,
)
from layers.ingest.template_specs import SKILLS_CSV as SKILLS_CSV  # re-exported
from layers.ingest.template_specs import TEXT as TEXT  # re-exported
from layers.text import Text

DATA_SHEET = "Data"
#: rows (after the header) given data validation
VALIDATED_ROWS = 10_000
#: rows (after the header) whose text-formatted cells are created explicitly
TEXT_ROWS = 1_000


def _importer_module(jenis: str) -> ModuleType | None:
    """The module of the importer registered for ``jenis``, if any."""
    import layers.ingest  # noqa: F401 - registers every importer
    from layers.ingest.base import REGISTRY

    cls = REGISTRY.get(jenis)
    return None if cls is None else sys.modules.get(cls.__module__)


def _allowed(module: ModuleType, f: Field) -> tuple[str, ...]:
    spellings = getattr(module, f.allowed_from or "", None)
    if not isinstance(spellings, dict) or not spellings:
        return f.allowed
    return tuple(dict.fromkeys(str(v) for v in spellings.values()))


def spec(jenis: str) -> TemplateSpec:
    """The template spec for ``jenis``, with aliases taken from its importer's ``COLUMNS``."""
    if jenis not in SPECS:
        raise KeyError(f"no template for {jenis!r}; known: {', '.join(KINDS)}")
    base = SPECS[jenis]()
    module = _importer_module(jenis)
    if module is None:
        return base
    base = replace(base, fields=tuple(replace(f, allowed=_allowed(module, f))
                                      for f in base.fields))  # fmt: skip
    columns = tuple(getattr(module, "COLUMNS", ()) or ())
    if not columns:
        return base
    by_name = {c.name: c for c in columns}
    fields = [replace(f, aliases=tuple(by_name[f.name].aliases)) if f.name in by_name else f
              for f in base.fields]  # fmt: skip
    known = {f.name for f in base.fields}
    fields += [
        Field(c.name, Text("Kolom yang diterima importer.", "A column the importer accepts."),
              TEXT, required=c.required, aliases=tuple(c.aliases), in_template=False)
        for c in columns if c.name not in known
    ]  # fmt: skip
    return replace(base, fields=tuple(fields), source="importer")


def _validation(f: Field) -> DataValidation | None:
    common: dict[str, Any] = {"allow_blank": True, "showErrorMessage": True,
                              "errorTitle": f.name}  # fmt: skip
    if f.kind == COUNT:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", **common)
    elif f.kind == WEEK:
        dv = DataValidation(type="whole", operator="between", formula1="1", formula2="53",
                            **common)  # fmt: skip
    elif f.kind == YEAR:
        dv = DataValidation(type="whole", operator="between", formula1="2000",
                            formula2="2100", **common)  # fmt: skip
    elif f.kind == CHOICE:
        dv = DataValidation(type="list", formula1='"' + ",".join(f.allowed) + '"', **common)
    elif f.kind == DATE:
        dv = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)",
                            formula2="TODAY()", **common)  # fmt: skip
    elif f.kind in (LON, LAT):
        low, high = ("94", "142") if f.kind == LON else ("-12", "7")
        dv = DataValidation(type="decimal", operator="between", formula1=low, formula2=high,
                            **common)  # fmt: skip
    elif f.kind == CODE:
        dv = DataValidation(type="textLength", operator="between", formula1="10",
                            formula2="13", **common)  # fmt: skip
    else:
        return None
    values = f.values_text()
    dv.error = f"{values.id} / {values.en}"[:255]
    dv.prompt = values.id[:255]
    dv.showInputMessage = True
    return dv


def _data_sheet(ws: Worksheet, s: TemplateSpec) -> None:
    ws.title = DATA_SHEET
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for j, f in enumerate(s.columns, start=1):
        cell = ws.cell(row=1, column=j, value=f.name)
        cell.font = bold
        cell.fill = fill
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(10, len(f.name) + 4) if f.kind != CODE else 16
        dv = _validation(f)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{VALIDATED_ROWS + 1}")
        if f.kind == CODE:
            # text format: Excel keeps "99.01.01.1001" and "3510012001" as typed
            ws.column_dimensions[letter].number_format = "@"
            for r in range(2, TEXT_ROWS + 2):
                ws.cell(row=r, column=j).number_format = "@"
        if f.kind == DATE:
            ws.column_dimensions[letter].width = 14
    for i, example in enumerate(s.examples, start=2):
        for j, (f, value) in enumerate(zip(s.columns, example, strict=True), start=1):
            cell = ws.cell(row=i, column=j, value=value)
            if f.kind == CODE:
                cell.number_format = "@"
            elif f.kind == DATE:
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"


def build_workbook(jenis: str) -> Workbook:
    """The template workbook for ``jenis`` (see the module docstring)."""
    s = spec(jenis)
    book = Workbook()
    if s.tabular:
        _data_sheet(book.active, s)
        note_sheet(book.create_sheet(NOTE_SHEET), s)
    else:
        note_sheet(book.active, s)
    return book


def template_bytes(jenis: str) -> bytes:
    """The template for ``jenis`` as XLSX bytes (for a download)."""
    buffer = io.BytesIO()
    build_workbook(jenis).save(buffer)
    return buffer.getvalue()


def write_template(jenis: str, path: Path) -> Path:
    """Write the template for ``jenis`` to ``path`` (an ``.xlsx`` file); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(template_bytes(jenis))
    return path


def data_sheet(path: Path) -> str | None:
    """The sheet to import when ``path`` is a filled-in template, else None.

    A template holds its data beside a ``Petunjuk`` sheet; readers that refuse workbooks
    with several sheets are told which one holds the data. Any other file (CSV, a
    damaged workbook, a workbook without ``Petunjuk``) gives None and is read as usual.
    """
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm") or not path.is_file():
        return None
    try:
        book = load_workbook(path, read_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    try:
        names = book.sheetnames
    finally:
        book.close()
    if NOTE_SHEET in names and len(names) == 2:
        return next(n for n in names if n != NOTE_SHEET)
    return None


__all__ = ["DATA_SHEET", "KINDS", "NOTE_SHEET", "Field", "TemplateSpec", "build_workbook",
           "data_sheet", "spec", "template_bytes", "write_template"]  # fmt: skip
