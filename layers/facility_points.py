"""The facility overlays: Puskesmas and Pustu (``fasilitas``) and Posyandu (``posyandu``).

Posyandu are many (about five per village), so they are an overlay of their own; a
province-scale map starts with both switched off (thousands of markers hide the villages).
A planned facility (``status = rencana``) is drawn faded. Documented in ``docs/layers.md``.
"""

from __future__ import annotations

from typing import ClassVar

import pandas as pd
from sqlalchemy.orm import Session

from layers.overlays import PointClass, PointOverlay, register
from layers.scope import Scope
from layers.store import queries
from layers.text import Text

#: names of the facility kinds the importer stores (``fasilitas.jenis``)
FACILITY_KINDS: dict[str, Text] = {
    "puskesmas": Text("Puskesmas", "Puskesmas (health centre)"),
    "pustu": Text("Pustu", "Pustu (auxiliary health post)"),
    "posyandu": Text("Posyandu", "Posyandu (village health post)"),
    "poskesdes": Text("Poskesdes", "Poskesdes (village health post)"),
    "polindes": Text("Polindes", "Polindes (village maternity post)"),
    "pusling": Text("Puskesmas keliling", "Mobile Puskesmas"),
    "klinik": Text("Klinik", "Clinic"),
    "rumah_sakit": Text("Rumah sakit", "Hospital"),
}
PLANNED = Text("rencana", "planned")
#: posyandu markers start switched on only up to this many (a district, not a province)
POSYANDU_ON_UP_TO = 5000
#: Puskesmas and Pustu markers likewise: a kabupaten has tens of Puskesmas and about one
#: Pustu per village (a few hundred); at a province's zoom thousands of them hide the
#: villages' colours (and drawing them took the page as long as drawing the villages)
FASILITAS_ON_UP_TO = 2500
STAFF = (("perawat", Text("Perawat", "Nurses")), ("bidan", Text("Bidan", "Midwives")))


def kind_label(jenis: str) -> Text:
    return FACILITY_KINDS.get(jenis, Text(jenis, jenis))


def _planned(kind: Text) -> Text:
    return Text(f"{kind.id} ({PLANNED.id})", f"{kind.en} ({PLANNED.en})")


def _points(session: Session, scope: Scope, keys: dict[tuple[str, str], int]) -> pd.DataFrame:
    """Facilities of the scope whose (jenis, status) has a class in ``keys``."""
    table = queries.facilities(session, scope)
    klass = pd.Series([keys.get((j, s), -1) for j, s in zip(table["jenis"], table["status"],
                                                          strict=True)], index=table.index)
    keep = (klass >= 0) & table["lon"].notna() & table["lat"].notna()
    out = table.loc[keep, ["lon", "lat", "nama", "perawat", "bidan"]].assign(klass=klass[keep])
    return out.reset_index(drop=True)


@register
class FacilityOverlay(PointOverlay):
    """Puskesmas and Pustu, active or planned; switched off at first above
    :data:`FASILITAS_ON_UP_TO` of them."""

    id: ClassVar[str] = "fasilitas"
    title: ClassVar[Text] = Text("Puskesmas & Pustu", "Puskesmas & Pustu")
    classes: ClassVar[tuple[PointClass, ...]] = (
        PointClass("puskesmas", "#b2182b", FACILITY_KINDS["puskesmas"], radius=7),
        PointClass("puskesmas-rencana", "#b2182b", _planned(FACILITY_KINDS["puskesmas"]),
                   radius=7, opacity=0.35),
        PointClass("pustu", "#2166ac", FACILITY_KINDS["pustu"], radius=5),
        PointClass("pustu-rencana", "#2166ac", _planned(FACILITY_KINDS["pustu"]), radius=5,
                   opacity=0.35),
    )
    details: ClassVar[tuple[tuple[str, Text], ...]] = STAFF
    _keys: ClassVar[dict[tuple[str, str], int]] = {
        ("puskesmas", "aktif"): 0, ("puskesmas", "rencana"): 1,
        ("pustu", "aktif"): 2, ("pustu", "rencana"): 3,
    }  # fmt: skip

    def load(self, session: Session, scope: Scope) -> pd.DataFrame:
        return _points(session, scope, self._keys)

    def count(self, session: Session, scope: Scope) -> int:
        counts = queries.facility_counts(session, scope)
        return counts.get("puskesmas", 0) + counts.get("pustu", 0)

    def on_by_default(self, count: int) -> bool:
        return count <= FASILITAS_ON_UP_TO


@register
class PosyanduOverlay(PointOverlay):
    """Posyandu; switched off at first above :data:`POSYANDU_ON_UP_TO` of them."""

    id: ClassVar[str] = "posyandu"
    title: ClassVar[Text] = FACILITY_KINDS["posyandu"]
    classes: ClassVar[tuple[PointClass, ...]] = (
        PointClass("posyandu", "#1b7837", FACILITY_KINDS["posyandu"], radius=2.5),
        PointClass("posyandu-rencana", "#1b7837", _planned(FACILITY_KINDS["posyandu"]),
                   radius=2.5, opacity=0.35),
    )

    def load(self, session: Session, scope: Scope) -> pd.DataFrame:
        return _points(session, scope, {("posyandu", "aktif"): 0, ("posyandu", "rencana"): 1})

    def count(self, session: Session, scope: Scope) -> int:
        return queries.facility_counts(session, scope).get("posyandu", 0)

    def on_by_default(self, count: int) -> bool:
        return count <= POSYANDU_ON_UP_TO
