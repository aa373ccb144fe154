"""Population per village per year, optionally by target group (design.md §4, ``penduduk``).

Accepted layout: ``kode_desa, tahun, jumlah`` plus any of the target-group columns
``bayi, balita, bumil, remaja, usia_produktif, lansia`` (common header variants are mapped
and reported). Every count is a whole number ≥ 0, a target group never exceeds ``jumlah``
and the year lies between 2000 and next year. Rows are matched on ``(kode_desa, tahun)``:
re-importing a file updates the same rows. A target-group column missing from the file
leaves the stored figures of that group untouched.
Without a ``kode_desa`` column, ``nama_desa`` + ``nama_kec`` (``desa``, ``kecamatan``…) are
reconciled to codes by :func:`layers.ingest.villages.village_codes` (options
``konfirmasi``, ``tinjauan``, ``ambang``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from layers.ingest import checks, villages
from layers.ingest.base import Importer, Prepared, Progress, read_mapped, register
from layers.ingest.columns import CODE_ALIASES, Column, normalize_header
from layers.ingest.problems import ImportReport, Problem
from layers.ingest.write import upsert
from layers.scope import Scope
from layers.store.models import Penduduk, Wilayah
from layers.text import Text

FIRST_YEAR = 2000
#: target groups: canonical column -> accepted header variants
GROUPS: dict[str, tuple[str, ...]] = {
    "bayi": ("jumlah_bayi", "jml_bayi", "infants", "bayi_0_11_bulan"),
    "balita": ("jumlah_balita", "jml_balita", "under_five", "under5", "anak_balita"),
    "bumil": ("ibu_hamil", "jumlah_ibu_hamil", "jml_bumil", "jumlah_bumil", "pregnant_women"),
    "remaja": ("jumlah_remaja", "jml_remaja", "adolescents"),
    "usia_produktif": ("produktif", "jumlah_usia_produktif", "working_age"),
    "lansia": ("lanjut_usia", "jumlah_lansia", "jml_lansia", "elderly"),
}
COLUMNS = (
    Column("kode_desa", CODE_ALIASES),
    Column("tahun", ("year", "thn")),
    Column("jumlah", ("jumlah_penduduk", "jml_penduduk", "penduduk", "total", "population",
                      "populasi")),  # fmt: skip
    *(Column(name, aliases, required=False) for name, aliases in GROUPS.items()),
)
KEY = ["kode_desa", "tahun"]


@register
class PopulationImporter(Importer):
    """Population per village and year (``penduduk``)."""

    jenis = "penduduk"
    english = "population"
    title = Text("Penduduk per desa", "Population per village")
    tables = ("penduduk",)

    def prepare(self, session: Session, path: Path, scope: Scope, options: dict[str, Any],
                report: ImportReport) -> Prepared | None:  # fmt: skip
        read = read_mapped(path, COLUMNS, options, report)
        if read is None:
            return None
        frame, rows = read.frame, read.rows
        present = _present_groups(read.source)
        today = options.get("today") or dt.date.today()
        known = set(session.scalars(select(Wilayah.kode).where(Wilayah.level == "desa")))
        kode, p_kode = villages.village_codes(session, scope, read, options, report, path, known)
        tahun, p_tahun = checks.integers(frame["tahun"], rows, "tahun", minimum=FIRST_YEAR,
                                         maximum=today.year + 1)  # fmt: skip
        jumlah, p_jumlah = checks.integers(frame["jumlah"], rows, "jumlah")
        clean = pd.DataFrame({"kode_desa": kode, "tahun": tahun, "jumlah": jumlah})
        found = [*p_kode, *p_tahun, *p_jumlah]
        for group in present:
            values, p_group = checks.integers(frame[group], rows, group, required=False)
            clean[group] = values
            found += p_group
            found += [
                Problem(Text(f"{group} lebih besar dari jumlah penduduk ({int(jumlah[i])}).",
                             f"{group} exceeds the total population ({int(jumlah[i])})."),
                        row=int(rows[i]), column=group, value=int(values[i]),
                        code="group_gt_total")
                for i in clean.index
                if pd.notna(values[i]) and pd.notna(jumlah[i]) and values[i] > jumlah[i]
            ]  # fmt: skip
        found += checks.duplicates(clean, KEY, rows)
        report.add(found)
        report.rows_ok = int((~rows.isin(checks.bad_rows(found))).sum())
        if not report.ok:
            return None
        return Prepared({"penduduk": clean})

    def write(self, session: Session, prepared: Prepared, impor_id: int,
              progress: Progress) -> dict[str, int]:  # fmt: skip
        frame = prepared.frames["penduduk"]
        existing = Penduduk.kode_desa.in_(sorted(frame["kode_desa"].unique()))
        counts = upsert(session, "penduduk", frame, KEY, impor_id, existing_filter=existing)
        return {"penduduk": counts["inserted"] + counts["updated"], **counts}


def _present_groups(frame: pd.DataFrame) -> list[str]:
    """The target groups the file has a column for (by name or accepted variant)."""
    headers = {normalize_header(h) for h in frame.columns}
    return [g for g, aliases in GROUPS.items()
            if headers & {normalize_header(a) for a in (g, *aliases)}]  # fmt: skip
