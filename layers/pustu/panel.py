"""The village panel's Pustu section: the village's Pustu and Puskesmas, staffing, access.

Shows the village's class (:mod:`layers.pustu.classes`), a table of the Pustu and
Puskesmas located in it (status, perawat, bidan, parent Puskesmas), the nearest active
Pustu and Puskesmas with their straight-line distances, its population, whether it lies
within the default access distance (:data:`~layers.pustu.service.DEFAULT_DISTANCE_KM`) and
whether the current plan — the Pustu stored with ``status = rencana`` — would cover it
(served now, or a planned Pustu in the village or within that distance).

Nearest facilities are looked up in ``area``: the server's scope narrowed to the village's
kabupaten when the page passes one (:attr:`PustuSection.uses_area`), else only the village
itself (then a facility in another village is not seen, and the section says so).
Documented in ``docs/layers.md``.
"""

from __future__ import annotations

from typing import ClassVar

import pandas as pd
from sqlalchemy.orm import Session

from layers import codes
from layers.base import Period
from layers.facility_points import kind_label
from layers.panel import Block, Facts, Note, PanelSection, Table, register
from layers.pustu import service
from layers.pustu.classes import CLASS_TEXT
from layers.pustu.service import STRAIGHT_LINE, PustuGaps, distance_text
from layers.scope import Scope
from layers.text import Text, fmt_number

CLASS = Text("Status Pustu", "Pustu status")
NEAREST_PUSTU = Text("Pustu aktif terdekat", "Nearest active Pustu")
NEAREST_PUSKESMAS = Text("Puskesmas aktif terdekat", "Nearest active Puskesmas")
POPULATION = Text("Penduduk", "Population")
NO_DATA = Text("tidak ada data", "no data")
WITHIN = Text("Dalam {km} km dari Pustu/Puskesmas aktif",
              "Within {km} km of an active Pustu/Puskesmas")
PLAN = Text("Terjangkau bila Pustu rencana dibuka", "Covered once the planned Pustu open")
YES, NO = Text("ya", "yes"), Text("tidak", "no")
NONE_SEEN = Text("tidak ada dalam wilayah", "none in the area")
NONE_HERE = Text("tidak ada di desa ini", "none in this village")
IN_VILLAGE = Text("di desa ini", "in this village")
ONLY_VILLAGE = Text(
    "Fasilitas di desa lain tidak terlihat di panel ini; jaraknya tampil pada lapisan Pustu.",
    "Facilities in other villages are not seen in this panel; the Pustu layer shows their "
    "distances.",
)
HEADS = (Text("Fasilitas", "Facility"), Text("Status", "Status"), Text("Perawat", "Perawat"),
         Text("Bidan", "Bidan"), Text("Puskesmas induk", "Parent Puskesmas"))  # fmt: skip
STATUS = {"aktif": Text("aktif", "active"), "rencana": Text("rencana", "planned")}
DOUBLE = Text("Desa ini punya {n} Pustu aktif: periksa file fasilitas (dihitung satu desa).",
              "This village has {n} active Pustu: check the facility file (counted as one "
              "village).")  # fmt: skip
TONES = {"lengkap": "ok", "tidak_ada": "bad"}


def _yes(flag: bool, lang: str) -> str:
    return (YES if flag else NO)(lang)


def _where(gaps: PustuGaps, facility_id: object, kode: str, lang: str) -> str:
    """`` (desa X)`` for a facility in another village, `` (di desa ini)`` in this one."""
    fac = gaps.facilities
    row = fac.loc[fac["id"] == facility_id]
    if row.empty:
        return ""
    where = str(row["kode_desa"].iloc[0])
    if where == kode:
        return f" ({IN_VILLAGE(lang)})"
    names = dict(zip(gaps.villages["kode_desa"], gaps.villages["nama"], strict=True))
    return f" ({names.get(where, where)})"


def _nearest(gaps: PustuGaps, row: pd.Series, kind: str, kode: str, lang: str,
             whole_area: bool) -> str:  # fmt: skip
    name = row[f"{kind}_terdekat_nama"]
    if name is None or pd.isna(name):
        return (NONE_SEEN if whole_area else NONE_HERE)(lang)
    where = _where(gaps, row[f"{kind}_terdekat"], kode, lang)
    return f"{name}{where}: {distance_text(row[f'jarak_{kind}_m'], lang)}"


def village_blocks(gaps: PustuGaps, kode: str, lang: str, *,
                   whole_area: bool = True) -> list[Block] | None:  # fmt: skip
    """The section's blocks for village ``kode`` of ``gaps`` (None: not among them)."""
    found = gaps.villages.loc[gaps.villages["kode_desa"] == kode]
    if found.empty:
        return None
    row = found.iloc[0]
    km = fmt_number(gaps.distance_m / 1000, lang, 0 if (gaps.distance_m / 1000).is_integer()
                    else 1)  # fmt: skip
    pop = NO_DATA(lang) if pd.isna(row["penduduk"]) else fmt_number(row["penduduk"], lang)
    if not pd.isna(row["penduduk"]) and not pd.isna(row["tahun_penduduk"]):
        pop += f" ({int(row['tahun_penduduk'])})"
    blocks: list[Block] = [Note(CLASS_TEXT[row["kelas"]](lang),
                                tone=TONES.get(row["kelas"], "hint"))]  # type: ignore[arg-type]
    if row["pustu_ganda"]:
        blocks.append(Note(DOUBLE(lang).format(n=int(row["pustu_aktif"])), tone="bad"))
    fac = gaps.facilities
    own = fac.loc[fac["kode_desa"] == kode].sort_values(["jenis", "status", "nama"],
                                                         ascending=[True, True, True])
    if not own.empty:
        parents = dict(zip(fac["id"], fac["nama"], strict=True))
        blocks.append(Table(
            columns=tuple(h(lang) for h in HEADS),
            rows=tuple((f"{kind_label(r.jenis)(lang)}: {r.nama}",
                        STATUS.get(r.status, Text(str(r.status), str(r.status)))(lang),
                        str(r.perawat), str(r.bidan),
                        str(parents.get(r.induk_id, "")) if pd.notna(r.induk_id) else "")
                       for r in own.itertuples(index=False)),
        ))  # fmt: skip
    blocks.append(Facts(rows=(
        (NEAREST_PUSTU(lang), _nearest(gaps, row, "pustu", kode, lang, whole_area)),
        (NEAREST_PUSKESMAS(lang), _nearest(gaps, row, "puskesmas", kode, lang, whole_area)),
        (POPULATION(lang), pop),
        (WITHIN(lang).format(km=km), _yes(bool(row["terlayani"]), lang)),
        (PLAN(lang), _yes(bool(row["terlayani_rencana"]), lang)),
    )))  # fmt: skip
    blocks.append(Note(STRAIGHT_LINE(lang)))
    if not whole_area:
        blocks.append(Note(ONLY_VILLAGE(lang)))
    return blocks


def area_of(scope: Scope, kode: str) -> Scope:
    """``scope`` narrowed to the kabupaten of village ``kode`` (never wider than ``scope``)."""
    kab = codes.parent(codes.parent(kode) or kode) or kode
    return scope.narrow(kab)


@register
class PustuSection(PanelSection):
    """The village's Pustu and Puskesmas, staffing, distances and the plan."""

    id: ClassVar[str] = "pustu"
    title: ClassVar[Text] = Text("Pustu dan akses", "Pustu and access")
    order: ClassVar[int] = 20
    #: :meth:`blocks` takes ``area`` (the server's scope narrowed to the kabupaten)
    uses_area: ClassVar[bool] = True

    def blocks(self, session: Session, village: Scope, kode: str, period: Period,
               lang: str, area: Scope | None = None) -> list[Block] | None:  # fmt: skip
        """Blocks for ``kode``; nearest facilities within ``area`` (default: the village)."""
        if not codes.is_valid(kode):
            return None
        kode = codes.normalize(kode)
        if not village.allows(kode):
            return None
        look = area if area is not None and area.allows(kode) else village
        gaps = service.gaps_for(session, look)
        return village_blocks(gaps, kode, lang, whole_area=look is not village)
