"""What each import template holds: its columns (name, kind, rules), examples and notes.

Owns :class:`Field`, :class:`TemplateSpec`, the value kinds (``CODE``, ``COUNT``, ``YEAR``…)
and the local spec of every kind in :data:`KINDS` (:data:`SPECS`); the workbooks are built
from them by :mod:`layers.ingest.templates`.

The tables below carry what a template needs beyond an importer's ``COLUMNS``
(description, kind of value, allowed values, examples). When the importer registered for
a kind exposes ``COLUMNS`` (:class:`layers.ingest.columns.Column`),
:func:`layers.ingest.templates.spec` uses its aliases and lists its columns unknown here
too, and a choice column naming a ``{spelling: canonical}`` dict of that module
(``allowed_from``, e.g. the facilities' ``KINDS``) takes its allowed values from it, so the
Petunjuk and the Excel lists never drift from what the importer accepts. When these tables
were written only ``kasus`` (``layers/ingest/cases.py``) was registered; the local
``fasilitas``, ``penduduk`` and ``kader`` tables follow the canonical headers of design.md §4
and the demo files in ``data/geo/demo_9901`` (``TemplateSpec.source`` says which applies).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from layers.text import Text

SKILLS_CSV = Path(__file__).resolve().parents[1] / "data" / "keterampilan.csv"

# value kinds: how a column is validated in Excel and described in the Petunjuk
CODE, COUNT, YEAR, WEEK, CHOICE, DATE, LON, LAT, TEXT = (
    "code", "count", "year", "week", "choice", "date", "lon", "lat", "text")  # fmt: skip

_KIND_VALUES: dict[str, Text] = {
    CODE: Text("kode desa PP.KK.CC.DDDD (mis. 99.01.01.1001) atau 10 digit, sebagai teks",
               "village code PP.KK.CC.DDDD (e.g. 99.01.01.1001) or 10 digits, as text"),
    COUNT: Text("bilangan bulat ≥ 0", "whole number ≥ 0"),
    YEAR: Text("tahun, 2000–2100", "year, 2000–2100"),
    WEEK: Text("minggu epidemiologi 1–53 (Minggu–Sabtu)", "epi week 1–53 (Sunday–Saturday)"),
    DATE: Text("tanggal YYYY-MM-DD atau DD/MM/YYYY, tidak di masa depan",
               "date YYYY-MM-DD or DD/MM/YYYY, not in the future"),
    LON: Text("bujur (desimal, WGS84), 94–142", "longitude (decimal, WGS84), 94–142"),
    LAT: Text("lintang (desimal, WGS84), −12–7", "latitude (decimal, WGS84), −12–7"),
    TEXT: Text("teks", "text"),
}  # fmt: skip


@dataclass(frozen=True)
class Field:
    """One column of a template."""

    name: str
    description: Text
    kind: str = TEXT
    required: bool = True
    #: when ``required`` depends on other columns, says how (shown in the Petunjuk)
    condition: Text | None = None
    aliases: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    #: False for alternative columns that are documented but not put in the header row
    in_template: bool = True
    #: name of a ``{spelling: canonical}`` dict in the importer's module whose canonical
    #: values replace ``allowed`` when that importer is registered
    allowed_from: str | None = None

    def values_text(self) -> Text:
        """The allowed values, in both languages."""
        if self.kind == CHOICE:
            joined = ", ".join(self.allowed)
            return Text(f"salah satu: {joined}", f"one of: {joined}")
        return _KIND_VALUES[self.kind]

    def required_text(self) -> Text:
        if self.condition is not None:
            return self.condition
        return Text("ya", "yes") if self.required else Text("tidak", "no")


@dataclass(frozen=True)
class TemplateSpec:
    """What a template for one import kind holds."""

    jenis: str
    title: Text
    fields: tuple[Field, ...]
    #: example rows, one value per template column (``fields`` with ``in_template``)
    examples: tuple[tuple[Any, ...], ...] = ()
    notes: tuple[Text, ...] = ()
    #: where the column list comes from: ``"importer"`` (its COLUMNS) or ``"design.md §4"``
    source: str = "design.md §4"
    #: False for kinds that are not tables (``batas``): the workbook is instructions only
    tabular: bool = True

    @property
    def columns(self) -> tuple[Field, ...]:
        """The columns of the header row."""
        return tuple(f for f in self.fields if f.in_template)


_KODE_DESA = Field("kode_desa", Text("Kode Kemendagri desa/kelurahan.",
                                     "Kemendagri village code."), CODE)  # fmt: skip


def _skill_fields() -> tuple[Field, ...]:
    """One 0/1 column per skill of the shipped, editable lookup (layers/data)."""
    with open(SKILLS_CSV, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return tuple(
        Field(r["kode"], Text(r["label_id"] + ".", r["label_en"] + "."), CHOICE, required=False,
              condition=Text("tidak (atau kolom keterampilan)", "no (or the keterampilan column)"),
              allowed=("1", "0"))
        for r in rows
    )  # fmt: skip


def _kasus() -> TemplateSpec:
    fields = (
        _KODE_DESA,
        Field("penyakit", Text("Penyakit/sindrom SKDR: kode dari layers/data/penyakit.csv "
                               "(diare akut = diare_akut) atau nama SKDR-nya (Diare Akut). "
                               "Boleh kosong bila penyakit dipilih saat impor (--penyakit).",
                               "SKDR disease/syndrome: a code of layers/data/penyakit.csv "
                               "(acute diarrhoea = diare_akut) or its SKDR name (Diare Akut). "
                               "May be empty when the disease is chosen at import "
                               "(--penyakit)."),
              TEXT, condition=Text("ya (atau --penyakit)", "yes (or --penyakit)")),
        Field("tahun", Text("Tahun minggu epidemiologi.", "Year of the epi week."), YEAR,
              condition=Text("ya (atau tanggal)", "yes (or tanggal)")),
        Field("minggu", Text("Minggu epidemiologi (Minggu–Sabtu); W10 atau M10 juga diterima.",
                             "Epidemiological week (Sunday–Saturday); W10 or M10 are read "
                             "too."), WEEK,
              condition=Text("ya (atau tanggal)", "yes (or tanggal)")),
        Field("tanggal", Text("Pengganti tahun + minggu: tanggal, diubah ke minggu epid. "
                              "Kolom ini tidak ada di templat; tambahkan bila perlu.",
                              "Instead of tahun + minggu: a date, converted to the epi week. "
                              "Not in the template; add it when needed."), DATE,
              required=False, in_template=False),
        Field("kasus", Text("Jumlah kasus minggu itu.", "Number of cases that week."), COUNT),
        Field("kematian", Text("Jumlah kematian (tidak lebih dari kasus); kosong = 0.",
                               "Number of deaths (not more than cases); empty = 0."), COUNT,
              required=False),
    )  # fmt: skip
    notes = (Text("Format lebar juga diterima: kode_desa, tahun, lalu satu kolom per minggu "
                  "(1..53, M1, minggu_1, W01) berisi jumlah kasus.",
                  "A wide layout is accepted too: kode_desa, tahun, then one column per week "
                  "(1..53, M1, minggu_1, W01) holding case counts."),)  # fmt: skip
    examples = (
        ("99.01.01.1001", "diare_akut", 2025, 10, 3, 0),
        ("99.01.01.1002", "diare_akut", 2025, 10, 0, 0),
        ("99.01.02.2015", "diare_akut", 2025, 11, 7, 1),
    )
    return TemplateSpec("kasus", Text("Kasus mingguan (SKDR W2)", "Weekly cases (SKDR W2)"),
                        fields, examples, notes)  # fmt: skip


def _fasilitas() -> TemplateSpec:
    fields = (
        Field("nama", Text("Nama fasilitas.", "Facility name."), TEXT),
        Field("jenis", Text("Jenis fasilitas.", "Kind of facility."), CHOICE,
              allowed=("puskesmas", "pustu", "posyandu"), allowed_from="KINDS"),
        Field("kode_desa", _KODE_DESA.description, CODE,
              condition=Text("ya (atau lon + lat)", "yes (or lon + lat)")),
        Field("lon", Text("Bujur lokasi. Bila kode_desa juga diisi, titik harus di desa itu.",
                          "Longitude. With kode_desa too, the point must lie in that village."),
              LON, required=False),
        Field("lat", Text("Lintang lokasi (negatif di selatan khatulistiwa).",
                          "Latitude (negative south of the equator)."), LAT, required=False),
        Field("status", Text("aktif = beroperasi, rencana = direncanakan.",
                             "aktif = operating, rencana = planned."), CHOICE,
              allowed=("aktif", "rencana"), allowed_from="STATUSES"),
        Field("perawat", Text("Jumlah perawat.", "Number of nurses."), COUNT, required=False),
        Field("bidan", Text("Jumlah bidan.", "Number of midwives."), COUNT, required=False),
        Field("induk", Text("Nama Puskesmas induk (untuk pustu dan posyandu).",
                            "Name of the parent Puskesmas (for pustu and posyandu)."), TEXT,
              required=False),
    )  # fmt: skip
    examples = (
        ("Puskesmas Purwoarum", "puskesmas", "99.01.01.1004", 111.911674, -5.410565, "aktif",
         6, 14, None),
        ("Pustu Sukamulyo", "pustu", "99.01.01.1001", 111.924138, -5.439741, "aktif", 1, 1,
         "Puskesmas Purwoarum"),
        ("Posyandu Melati 1", "posyandu", "99.01.01.1001", 111.928760, -5.432549, "aktif", 0, 0,
         "Puskesmas Purwoarum"),
    )  # fmt: skip
    return TemplateSpec("fasilitas", Text("Fasilitas kesehatan", "Health facilities"), fields,
                        examples)  # fmt: skip


_GROUPS = ("bayi", "balita", "bumil", "remaja", "usia_produktif", "lansia")
_GROUP_LABELS = {
    "bayi": Text("bayi (0–11 bulan)", "infants (0–11 months)"),
    "balita": Text("balita (0–59 bulan)", "under-fives (0–59 months)"),
    "bumil": Text("ibu hamil", "pregnant women"),
    "remaja": Text("remaja", "adolescents"),
    "usia_produktif": Text("usia produktif", "working-age adults"),
    "lansia": Text("lansia", "elderly"),
}


def _penduduk() -> TemplateSpec:
    fields = (
        _KODE_DESA,
        Field("tahun", Text("Tahun data penduduk.", "Year of the population figure."), YEAR),
        Field("jumlah", Text("Jumlah penduduk desa.", "Village population."), COUNT),
        *(Field(g, Text(f"Sasaran: jumlah {_GROUP_LABELS[g].id}.",
                        f"Target group: number of {_GROUP_LABELS[g].en}."), COUNT,
                required=False) for g in _GROUPS),
    )  # fmt: skip
    examples = (
        ("99.01.01.1001", 2025, 9475, 184, 717, 204, 1566, 5943, 1114),
        ("99.01.01.1002", 2025, 4010, 70, 322, 82, 688, 2372, 481),
    )
    return TemplateSpec("penduduk", Text("Penduduk per desa", "Population per village"), fields,
                        examples)  # fmt: skip


def _kader() -> TemplateSpec:
    skills = _skill_fields()
    fields = (
        Field("kader_id", Text("ID kader (tetap, unik).", "Cadre id (stable, unique)."), TEXT),
        Field("posyandu", Text("Nama posyandu tempat kader bertugas.",
                               "Name of the cadre's posyandu."), TEXT),
        _KODE_DESA,
        Field("aktif", Text("1 = aktif, 0 = tidak aktif.", "1 = active, 0 = inactive."),
              CHOICE, allowed=("1", "0")),
        Field("tanggal_asesmen", Text("Tanggal penilaian keterampilan.",
                                      "Date of the skills assessment."), DATE),
        *skills,
        Field("keterampilan", Text("Pengganti kolom per keterampilan: daftar kode yang lulus "
                                   "dipisah koma (mis. PP1,PP2,BB3). Tidak ada di templat.",
                                   "Instead of one column per skill: the passed codes separated "
                                   "by commas (e.g. PP1,PP2,BB3). Not in the template."), TEXT,
              required=False, in_template=False),
    )  # fmt: skip
    # skill results of three demo cadres, fitted to the lookup's length when it is edited
    passed = ("0111" "1111111" "111111" "011" "00001", "1111" "0001000" "111111" "110" "00011",
              "1111" "1111111" "111111" "111" "00000")  # fmt: skip
    people = (("K-9901011001-001", 1, dt.date(2025, 6, 30)),
              ("K-9901011001-002", 1, dt.date(2025, 6, 6)),
              ("K-9901011001-003", 0, dt.date(2025, 10, 6)))  # fmt: skip
    examples = tuple(
        (kid, "Posyandu Melati 1", "99.01.01.1001", aktif, day,
         *(int(c) for c in bits.ljust(len(skills), "0")[: len(skills)]))
        for (kid, aktif, day), bits in zip(people, passed, strict=True)
    )  # fmt: skip
    notes = (Text("Kolom keterampilan (PP1–DL5) mengikuti daftar 25 keterampilan di "
                  "layers/data/keterampilan.csv: 1 = lulus, 0 = belum.",
                  "The skill columns (PP1–DL5) follow the 25-skill list in "
                  "layers/data/keterampilan.csv: 1 = passed, 0 = not yet."),)  # fmt: skip
    return TemplateSpec("kader", Text("Kader posyandu dan keterampilan",
                                      "Posyandu cadres and skills"), fields, examples,
                        notes)  # fmt: skip


def _batas() -> TemplateSpec:
    notes = (
        Text("Batas wilayah tidak diisi di Excel. Format yang diterima: shapefile (zip atau "
             "folder, dengan .shp, .shx, .dbf dan .prj), GeoPackage (.gpkg), GeoJSON, "
             "GeoParquet.",
             "Boundaries are not entered in Excel. Accepted formats: shapefile (zip or folder, "
             "with .shp, .shx, .dbf and .prj), GeoPackage (.gpkg), GeoJSON, GeoParquet."),
        Text("Sistem koordinat apa pun (diubah ke EPSG:4326). Bila .prj hilang, sebutkan "
             "CRS-nya: pws import batas FILE --crs EPSG:23835.",
             "Any coordinate system (reprojected to EPSG:4326). When the .prj is missing, "
             "name the CRS: pws import batas FILE --crs EPSG:23835."),
        Text("Satu poligon per desa dengan kolom kode desa (bertitik 35.10.01.2001 atau 10 "
             "digit); kolom dikenali otomatis atau disebut dengan --kolom-kode.",
             "One polygon per village with a village-code column (dotted 35.10.01.2001 or 10 "
             "digits); the column is detected or named with --kolom-kode."),
        Text("Kolom nama desa (nama/desa/namobj) dipakai bila ada. Geometri tidak valid "
             "diperbaiki (make_valid) dan dilaporkan; MultiPolygon dipertahankan.",
             "A village-name column (nama/desa/namobj) is used when present. Invalid "
             "geometries are repaired (make_valid) and reported; MultiPolygons are kept."),
        Text("Kecamatan dan kabupaten dibentuk dari gabungan desa bila filenya tidak ada. "
             "Impor ulang versi batas baru mempertahankan data desa yang kodenya tetap.",
             "Kecamatan and kabupaten are derived by dissolving villages when their own files "
             "are missing. Re-importing a newer boundary version keeps the data of villages "
             "whose code is unchanged."),
    )  # fmt: skip
    return TemplateSpec("batas", Text("Batas wilayah (peta)", "Boundaries (map)"), (), (),
                        notes, tabular=False)  # fmt: skip


#: the spec builder of each kind
SPECS = {"kasus": _kasus, "fasilitas": _fasilitas, "penduduk": _penduduk, "kader": _kader,
          "batas": _batas}  # fmt: skip
#: the kinds a template exists for
KINDS: tuple[str, ...] = tuple(SPECS)
