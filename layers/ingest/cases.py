"""Weekly case counts (SKDR W2-style recaps): long or wide, by epi week or by date.

Accepted layouts
----------------
* long: ``kode_desa, penyakit, tahun, minggu, kasus, kematian`` (one row per village-week);
* long by date: ``tanggal`` instead of ``tahun, minggu`` (converted to the epi week);
* wide: ``kode_desa, tahun`` then one column per week (``1``..``53``, ``M1``, ``minggu_1``,
  ``W01``) holding case counts (deaths are then 0).
``penyakit`` may be missing when ``--penyakit`` (option ``penyakit``) names the disease; a
disease is a code or another name of the catalogue (:mod:`layers.diseases`: ``Diare Akut``
-> ``diare_akut``, said in a note), anything else is refused with the known codes. A week
may be written ``W53``, ``M5`` or ``Minggu 5``. A column that is missing (or empty in every
row) is reported once, with how to fix it, not once per row.
Without a ``kode_desa`` column, ``nama_desa`` + ``nama_kec`` (``desa``, ``kecamatan``…) are
reconciled to codes by :func:`layers.ingest.villages.village_codes` (options ``konfirmasi``,
``tinjauan``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from layers import diseases
from layers.epiweek import EpiWeek
from layers.ingest import checks, villages
from layers.ingest.base import Importer, Mapped, Prepared, Progress, read_mapped, register
from layers.ingest.columns import CODE_ALIASES, Column, normalize_header
from layers.ingest.problems import ImportReport, Problem
from layers.ingest.write import upsert
from layers.scope import Scope
from layers.store.models import KasusMingguan, Wilayah
from layers.text import Text

COLUMNS = (
    Column("kode_desa", CODE_ALIASES),
    Column("penyakit", ("jenis_penyakit", "disease", "sindrom"), required=False),
    Column("tahun", ("year", "thn"), required=False),
    Column("minggu", ("minggu_ke", "week", "epi_week", "mg"), required=False),
    Column("tanggal", ("tgl", "date", "tanggal_kunjungan"), required=False),
    Column("kasus", ("jumlah", "jumlah_kasus", "cases", "jml_kasus"), required=False),
    Column("kematian", ("meninggal", "deaths", "jumlah_kematian", "mati"), required=False),
)
WEEK_COLUMN = re.compile(r"^(?:m|w|mg|minggu|minggu_ke|week)?_?0*([1-9]\d?)$")
#: a week value with a prefix (``W53``, ``M05``, ``Minggu 5``, ``mg-7``), as normalised
WEEK_VALUE = re.compile(r"^(?:m|w|wk|mg|minggu|minggu_ke|week)_?(\d{1,3})$")
#: how to fix a file without a disease column (the page has no --penyakit: the CLI does)
FIX_DISEASE = Text(
    "Tambahkan kolom penyakit (lihat templat kasus: tombol Templat XLSX di halaman impor, "
    "atau `pws template kasus`), atau di baris perintah beri satu penyakit untuk semua baris "
    "dengan --penyakit (mis. --penyakit diare_akut).",
    "Add a 'penyakit' column (see the cases template: the XLSX template button on the import "
    "page, or `pws template kasus`), or on the command line give one disease for every row "
    "with --penyakit (e.g. --penyakit diare_akut).",
)


def _week_columns(frame: pd.DataFrame) -> dict[str, int]:
    out = {}
    for header in frame.columns:
        match = WEEK_COLUMN.match(normalize_header(header))
        if match and 1 <= int(match.group(1)) <= 53:
            out[header] = int(match.group(1))
    return out


def _long_layout(frame: pd.DataFrame) -> bool:
    """True when the file names a week/date or a count column: then it is not wide, and a
    week-like header (``M1``) is just an unknown column."""
    long_names = {"minggu", "tanggal", "kasus"}
    lookup = {normalize_header(a): c.name for c in COLUMNS for a in (c.name, *c.aliases)}
    return any(lookup.get(normalize_header(h)) in long_names for h in frame.columns)


def _melt_wide(frame: pd.DataFrame, rows: pd.Series, weeks: dict[str, int]
               ) -> tuple[pd.DataFrame, pd.Series]:  # fmt: skip
    ids = [c for c in frame.columns if c not in weeks]
    frame = frame.assign(_row=rows.to_numpy())
    long = frame.melt(id_vars=[*ids, "_row"], value_vars=list(weeks), var_name="_week",
                      value_name="kasus")  # fmt: skip
    long["minggu"] = long["_week"].map(weeks).astype(str)
    long["kematian"] = "0"
    long = long[long["kasus"].notna()].sort_values(["_row", "minggu"], kind="stable")
    return long.drop(columns=["_week", "_row"]).reset_index(drop=True), \
        long["_row"].reset_index(drop=True)


def _unwide(frame: pd.DataFrame, rows: pd.Series, report: ImportReport
            ) -> tuple[pd.DataFrame, pd.Series]:  # fmt: skip
    """A wide recap (one column per week) as long rows; any other layout unchanged."""
    weeks = _week_columns(frame)
    if not weeks or _long_layout(frame):
        return frame, rows
    report.notes.append(Text(f"Format lebar: {len(weeks)} kolom minggu.",
                             f"Wide layout: {len(weeks)} week columns."))  # fmt: skip
    return _melt_wide(frame, rows, weeks)


def _absent(frame: pd.DataFrame, column: str) -> bool:
    """The column is not in the file, or empty in every row (then it is reported once)."""
    return bool(frame[column].isna().all())


def _missing(column: str, message: Text) -> Problem:
    return Problem(message, row=1, column=column, code="missing_column")


def _file_columns(read: Mapped, options: dict[str, Any]) -> list[Problem]:
    """A recap needs counts, weeks (``tahun`` + ``minggu``) or dates, and a disease (a column
    or ``--penyakit``): each missing column is one problem for the file, not one per row."""
    frame = read.frame
    problems = []
    if _absent(frame, "kasus"):
        problems.append(_missing("kasus", Text(
            "Kolom 'kasus' tidak ada. Tambahkan jumlah kasus per baris (lihat templat kasus).",
            "Column 'kasus' is missing. Add the number of cases of each row (see the cases "
            "template).")))  # fmt: skip
    if _absent(frame, "minggu") and _absent(frame, "tanggal"):
        problems.append(_missing("minggu", Text(
            "Perlu kolom 'tahun' dan 'minggu', atau 'tanggal'.",
            "Needs columns 'tahun' and 'minggu', or 'tanggal'.")))  # fmt: skip
    elif not _absent(frame, "minggu") and _absent(frame, "tahun"):
        problems.append(_missing("tahun", Text(
            "Kolom 'tahun' tidak ada: minggu epidemiologi perlu tahunnya. Tambahkan kolom "
            "tahun (lihat templat kasus), atau beri tanggal saja (kolom tanggal).",
            "Column 'tahun' is missing: an epidemiological week needs its year. Add a 'tahun' "
            "column (see the cases template), or give dates instead (a 'tanggal' column).")))
    default = options.get("penyakit")
    if default is not None and diseases.resolve(default) is None:
        problems.append(Problem(_unknown_disease(default), column="penyakit", value=default,
                                code="unknown_disease"))  # fmt: skip
    elif default is None and _absent(frame, "penyakit"):
        problems.append(_missing("penyakit", Text(
            "Kolom 'penyakit' tidak ada. " + FIX_DISEASE.id,
            "Column 'penyakit' is missing. " + FIX_DISEASE.en)))  # fmt: skip
    return problems


def _unknown_disease(value: object, listed: bool = True) -> Text:
    """Why a disease name is refused; ``listed``: with the known codes (else the report's
    notes list them once)."""
    near = diseases.suggest(value)
    where_id = (f"Penyakit yang dikenal: {diseases.known_text()}" if listed
                else "Daftar penyakit yang dikenal ada di catatan laporan")  # fmt: skip
    where_en = (f"Known diseases: {diseases.known_text()}" if listed
                else "The known diseases are listed in the report's notes")  # fmt: skip
    return Text(
        "Penyakit tidak dikenal" + (f" (maksudnya {near}?)" if near else "") + f". {where_id}.",
        "Unknown disease" + (f" (did you mean {near}?)" if near else "") + f". {where_en}.",
    )


#: the note listing the known diseases once, when a file names others
KNOWN_NOTE = Text(
    f"Penyakit yang dikenal (kode): {diseases.known_text()}. Nama lain dan ejaan lain ada di "
    "layers/data/penyakit.csv (kolom alias); tambahkan di sana bila perlu.",
    f"Known diseases (codes): {diseases.known_text()}. Other names and spellings are in "
    "layers/data/penyakit.csv (column alias); add them there if needed.",
)


def _diseases(values: pd.Series, rows: pd.Series,
              report: ImportReport) -> tuple[pd.Series, list[Problem]]:  # fmt: skip
    """Disease codes from the catalogue; other names of a disease are mapped (and said in a
    note), unknown ones refused (the known codes listed once, in a note)."""
    def judge(value: str) -> tuple[Any, Text | None, str]:
        kode = diseases.resolve(value)
        if kode is not None:
            return kode, None, ""
        return None, _unknown_disease(value, listed=False), "unknown_disease"

    out, problems = checks.per_unique(values, rows, "penyakit", judge)
    for value, n in values.value_counts().items():
        kode = diseases.resolve(value)
        if kode is not None and str(value).strip() != kode:
            report.notes.append(Text(f"Penyakit {value!r} dibaca sebagai {kode} ({n} baris).",
                                     f"Disease {value!r} read as {kode} ({n} rows)."))
    if any(p.code == "unknown_disease" for p in problems):
        report.notes.append(KNOWN_NOTE)
    return out, problems


def _weeks(values: pd.Series) -> pd.Series:
    """``W53``/``M05``/``Minggu 5`` -> ``53``/``05``/``5``; anything else unchanged."""
    def plain(value: Any) -> Any:
        match = WEEK_VALUE.match(normalize_header(value)) if isinstance(value, str) else None
        return match.group(1) if match else value

    return values.map({v: plain(v) for v in pd.unique(values.dropna())}).where(
        values.notna(), None)


@register
class CasesImporter(Importer):
    """Weekly case counts per village and disease."""

    jenis = "kasus"
    english = "cases"
    title = Text("Kasus mingguan (SKDR)", "Weekly cases (SKDR)")
    tables = ("kasus_mingguan",)

    def prepare(self, session: Session, path: Path, scope: Scope, options: dict[str, Any],
                report: ImportReport) -> Prepared | None:  # fmt: skip
        read = read_mapped(path, COLUMNS, options, report, reshape=_unwide,
                           check=lambda mapped: _file_columns(mapped, options))  # fmt: skip
        if read is None:
            return None
        frame, rows = read.frame, read.rows
        has_week = frame["minggu"].notna().any()
        known = set(session.scalars(select(Wilayah.kode).where(Wilayah.level == "desa")))
        kode, p1 = villages.village_codes(session, scope, read, options, report, path, known)
        default = options.get("penyakit")
        penyakit_in = frame["penyakit"] if default is None else frame["penyakit"].fillna(default)
        penyakit, p2 = _diseases(penyakit_in, rows, report)
        if has_week:
            tahun, p3 = checks.integers(frame["tahun"], rows, "tahun", minimum=2000,
                                        maximum=2100)  # fmt: skip
            minggu, p4 = checks.integers(_weeks(frame["minggu"]), rows, "minggu", minimum=1,
                                         maximum=53)  # fmt: skip
        else:
            tanggal, p3 = checks.dates(frame["tanggal"], rows, "tanggal")
            epi = tanggal.map(lambda d: EpiWeek.of(d) if d is not None else None)
            tahun = epi.map(lambda w: w.year if w else pd.NA).astype("Int64")
            minggu = epi.map(lambda w: w.week if w else pd.NA).astype("Int64")
            p4 = []
        kasus, p5 = checks.integers(frame["kasus"], rows, "kasus")
        kematian, p6 = checks.integers(frame["kematian"], rows, "kematian", required=False)
        kematian = kematian.fillna(0)
        p7 = checks.epi_weeks(tahun, minggu, rows, today=options.get("today"))
        more_deaths = (kematian > kasus).fillna(False).to_numpy(dtype=bool)
        p8 = [
            Problem(Text("Kematian lebih banyak dari kasus.", "More deaths than cases."),
                    row=int(rows[i]), column="kematian", value=int(kematian[i]),
                    code="deaths_gt_cases")
            for i in frame.index[more_deaths]
        ]  # fmt: skip
        clean = pd.DataFrame({"kode_desa": kode, "penyakit": penyakit, "tahun": tahun,
                              "minggu": minggu, "kasus": kasus, "kematian": kematian})  # fmt: skip
        p9 = checks.duplicates(clean, ["kode_desa", "penyakit", "tahun", "minggu"], rows)
        for group in (p1, p2, p3, p4, p5, p6, p7, p8, p9):
            report.add(group)
        bad = checks.bad_rows([*p1, *p2, *p3, *p4, *p5, *p6, *p7, *p8, *p9])
        report.rows_ok = int((~rows.isin(bad)).sum())
        if not report.ok:
            return None
        clean["sumber"] = options.get("sumber") or report.file
        return Prepared({"kasus_mingguan": clean})

    def write(self, session: Session, prepared: Prepared, impor_id: int,
              progress: Progress) -> dict[str, int]:  # fmt: skip
        frame = prepared.frames["kasus_mingguan"]
        k = KasusMingguan
        existing = and_(k.penyakit.in_(sorted(frame["penyakit"].unique())),
                        k.tahun.in_(sorted(int(t) for t in frame["tahun"].unique())))  # fmt: skip
        counts = upsert(session, "kasus_mingguan", frame,
                        ["kode_desa", "penyakit", "tahun", "minggu"], impor_id,
                        existing_filter=existing)  # fmt: skip
        return {"kasus_mingguan": counts["inserted"] + counts["updated"], **counts}
