"""Overlay ``status_pustu``: Pustu points by status, drawn with the layer ``pustu``.

Each Pustu by its own status and staff: active with the minimum staff (≥ 1 perawat + 1
bidan), active but understaffed (the ``kurang`` detail says which is missing), planned
(``status = rencana``, faded). A Pustu stored without coordinates has no point here (the
layer measures it from its village's point). Clicking a point shows its staff, what it
lacks and its parent Puskesmas. Documented in ``docs/layers.md``.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from layers.overlays import PointClass, PointOverlay, register
from layers.pustu.classes import CLASS_COLORS, staff_numbers
from layers.scope import Scope
from layers.store import queries
from layers.text import Text

#: point classes in order (``klass`` indexes them)
KEYS = ("pustu-lengkap", "pustu-kurang", "pustu-rencana")


def pustu_points(facilities: pd.DataFrame) -> pd.DataFrame:
    """The Pustu of ``facilities`` (as :func:`layers.store.queries.facilities`) with a
    position, as overlay rows: ``lon, lat, klass, nama, perawat, bidan, kurang, induk``.

    Examples
    --------
    >>> fac = pd.DataFrame({"id": [1, 2, 3, 4], "nama": ["PKM", "P1", "P2", "P3"],
    ...     "jenis": ["puskesmas", "pustu", "pustu", "pustu"], "lon": [1.0, 2.0, 3.0, None],
    ...     "lat": [0.0, 0.0, 0.0, 0.0], "status": ["aktif", "aktif", "rencana", "aktif"],
    ...     "perawat": [5, 1, 0, 1], "bidan": [4, 0, 0, 1], "induk_id": [None, 1, 1, 1]})
    >>> pustu_points(fac)[["nama", "klass", "kurang", "induk"]].values.tolist()
    [['P1', 1, 'bidan', 'PKM'], ['P2', 2, '', 'PKM']]
    """
    parents = dict(zip(facilities["id"], facilities["nama"], strict=True))
    pustu = facilities.loc[(facilities["jenis"] == "pustu")
                           & facilities["status"].isin(("aktif", "rencana"))
                           & facilities["lon"].notna() & facilities["lat"].notna()]  # fmt: skip
    perawat, _ = staff_numbers(pustu["perawat"])
    bidan, _ = staff_numbers(pustu["bidan"])
    active = (pustu["status"] == "aktif").to_numpy()
    no_p, no_b = active & (perawat < 1).to_numpy(), active & (bidan < 1).to_numpy()
    klass = np.where(~active, 2, np.where(no_p | no_b, 1, 0))
    lacking = np.select([no_p & no_b, no_p, no_b], ["perawat, bidan", "perawat", "bidan"],
                        default="")  # fmt: skip
    induk = pustu["induk_id"].map(parents).fillna("").to_numpy()
    return pd.DataFrame({
        "lon": pustu["lon"].astype(float).to_numpy(), "lat": pustu["lat"].astype(float).to_numpy(),
        "klass": klass, "nama": pustu["nama"].to_numpy(), "perawat": perawat.to_numpy(),
        "bidan": bidan.to_numpy(), "kurang": lacking, "induk": induk,
    })  # fmt: skip


@register
class PustuStatusOverlay(PointOverlay):
    """Pustu by status: minimum staff, understaffed, planned."""

    id: ClassVar[str] = "status_pustu"
    title: ClassVar[Text] = Text("Pustu menurut status", "Pustu by status")
    always: ClassVar[bool] = False
    classes: ClassVar[tuple[PointClass, ...]] = (
        PointClass(KEYS[0], CLASS_COLORS["lengkap"],
                   Text("Pustu aktif, tenaga minimal terpenuhi",
                        "Active Pustu with minimum staff"), radius=6),
        PointClass(KEYS[1], CLASS_COLORS["tanpa_keduanya"],
                   Text("Pustu aktif, kurang tenaga", "Active Pustu, understaffed"), radius=6),
        PointClass(KEYS[2], CLASS_COLORS["rencana"], Text("Pustu rencana", "Planned Pustu"),
                   radius=6, opacity=0.5),
    )  # fmt: skip
    details: ClassVar[tuple[tuple[str, Text], ...]] = (
        ("perawat", Text("Perawat", "Nurses (perawat)")),
        ("bidan", Text("Bidan", "Midwives (bidan)")),
        ("kurang", Text("Belum ada", "Missing")),
        ("induk", Text("Puskesmas induk", "Parent Puskesmas")),
    )

    def load(self, session: Session, scope: Scope) -> pd.DataFrame:
        return pustu_points(queries.facilities(session, scope))
