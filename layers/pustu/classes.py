"""Each village's Pustu class, from the facilities located in it.

ILP wants one Pustu (*Puskesmas Pembantu*) in every village with at least one perawat and
one bidan. A village's class (:data:`CLASSES`, in legend order) follows from its facilities,
first match wins:

1. an **active Pustu** (``status = aktif``): ``lengkap`` when its staff meets the minimum
   (≥ 1 perawat and ≥ 1 bidan), else ``tanpa_perawat`` / ``tanpa_bidan`` /
   ``tanpa_keduanya`` — which of the two is missing;
2. ``rencana``: only a planned Pustu (``status = rencana``);
3. ``puskesmas``: no Pustu at all, but an active Puskesmas in the village (it is served,
   and counts toward the one-Pustu-per-village target only when the office says so);
4. ``tidak_ada``: none of these.

Bad input is never a crash and never counted twice: a village with **two or more active
Pustu** is one village with a Pustu, its staff summed over them (the minimum is met when
the village has a perawat and a bidan among its active Pustu), and is listed as a problem
(``pustu_ganda``) to check in the facility file. Staffing is read as the importer stores
it (whole numbers ≥ 0; empty = 0); a value that is not a whole number ≥ 0 counts as 0 and
is listed (``staf_tidak_sah``). Facilities of villages not in the list and statuses other
than ``aktif``/``rencana`` are left out and counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from layers.text import Text

#: class keys in legend order (``klass`` of the map layer indexes this tuple)
CLASSES = ("lengkap", "tanpa_perawat", "tanpa_bidan", "tanpa_keduanya", "rencana",
           "puskesmas", "tidak_ada")  # fmt: skip
#: classes of a village with an active Pustu
ACTIVE = CLASSES[:4]
CLASS_TEXT: dict[str, Text] = {
    "lengkap": Text("Pustu aktif, tenaga minimal terpenuhi (≥ 1 perawat + 1 bidan)",
                    "Active Pustu with minimum staff (≥ 1 perawat + 1 bidan)"),
    "tanpa_perawat": Text("Pustu aktif, tanpa perawat", "Active Pustu, no perawat (nurse)"),
    "tanpa_bidan": Text("Pustu aktif, tanpa bidan", "Active Pustu, no bidan (midwife)"),
    "tanpa_keduanya": Text("Pustu aktif, tanpa perawat dan bidan",
                           "Active Pustu, neither perawat nor bidan"),
    "rencana": Text("Hanya Pustu rencana", "Only a planned Pustu"),
    "puskesmas": Text("Tanpa Pustu, ada Puskesmas di desa",
                      "No Pustu, a Puskesmas in the village"),
    "tidak_ada": Text("Tanpa Pustu", "No Pustu"),
}  # fmt: skip
CLASS_COLORS: dict[str, str] = {
    "lengkap": "#1a9850", "tanpa_perawat": "#fdae61", "tanpa_bidan": "#fee08b",
    "tanpa_keduanya": "#f46d43", "rencana": "#74add1", "puskesmas": "#8073ac",
    "tidak_ada": "#a50026",
}  # fmt: skip
#: columns of :func:`village_classes`
COLUMNS = ("kode_desa", "kelas", "pustu_aktif", "pustu_rencana", "puskesmas", "perawat",
           "bidan", "staf_minimal", "kurang_perawat", "kurang_bidan", "pustu_ganda",
           "staf_tidak_sah")  # fmt: skip


@dataclass(frozen=True)
class Ignored:
    """Facility rows :func:`village_classes` left out, by reason (counts)."""

    outside: int = 0
    status: int = 0


def staff_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Staff counts as the importer stores them: whole numbers ≥ 0, empty = 0.

    Returns the counts (anything else as 0) and a mask of the values that were not a whole
    number ≥ 0.

    Examples
    --------
    >>> counts, bad = staff_numbers(pd.Series([1, None, "2", "dua", -1, 1.5]))
    >>> counts.tolist(), bad.tolist()
    ([1, 0, 2, 0, 0, 0], [False, False, False, True, True, True])
    """
    number = pd.to_numeric(values, errors="coerce")
    empty = values.isna() | values.astype(str).str.strip().eq("")
    ok = number.notna() & (number >= 0) & (number == np.floor(number.fillna(0)))
    bad = ~ok & ~empty
    return number.where(ok, 0).fillna(0).astype(int), bad


def village_classes(villages: Iterable[str], facilities: pd.DataFrame,
                    ) -> tuple[pd.DataFrame, Ignored]:  # fmt: skip
    """The Pustu class of every village, and what was left out.

    Parameters
    ----------
    villages
        Village codes (every one gets a row, in this order).
    facilities
        Facilities with ``jenis, kode_desa, status, perawat, bidan`` (as
        :func:`layers.store.queries.facilities` returns them; other kinds are ignored).

    Returns
    -------
    table : DataFrame
        :data:`COLUMNS`: ``kelas`` (a key of :data:`CLASSES`); counts of active Pustu,
        planned Pustu and active Puskesmas in the village; ``perawat``/``bidan`` summed over
        its active Pustu; ``staf_minimal`` (an active Pustu and ≥ 1 of each);
        ``kurang_perawat``/``kurang_bidan`` (1 when a village with an active Pustu lacks
        one, else 0); ``pustu_ganda`` (more than one active Pustu); ``staf_tidak_sah`` (a
        staffing value of its active Pustu was not a whole number ≥ 0).
    ignored : Ignored
        Rows of villages not listed, and rows with another status.

    Examples
    --------
    >>> fac = pd.DataFrame({
    ...     "jenis": ["pustu", "pustu", "puskesmas", "pustu", "pustu"],
    ...     "kode_desa": ["A", "B", "C", "D", "D"],
    ...     "status": ["aktif", "rencana", "aktif", "aktif", "aktif"],
    ...     "perawat": [1, 0, 5, 1, 0], "bidan": [0, 0, 4, 0, 1]})
    >>> table, _ = village_classes(["A", "B", "C", "D", "E"], fac)
    >>> table[["kode_desa", "kelas", "pustu_ganda"]].values.tolist()
    [['A', 'tanpa_bidan', False], ['B', 'rencana', False], ['C', 'puskesmas', False], \
['D', 'lengkap', True], ['E', 'tidak_ada', False]]
    """
    codes = pd.Index(list(villages), name="kode_desa")
    fac = facilities.loc[facilities["jenis"].isin(("pustu", "puskesmas"))]
    inside = fac["kode_desa"].isin(codes)
    known = fac["status"].isin(("aktif", "rencana"))
    ignored = Ignored(outside=int((~inside).sum()), status=int((inside & ~known).sum()))
    fac = fac.loc[inside & known]
    perawat, bad_p = staff_numbers(fac["perawat"])
    bidan, bad_b = staff_numbers(fac["bidan"])
    pustu = (fac["jenis"] == "pustu").to_numpy()
    aktif = (fac["status"] == "aktif").to_numpy()
    active = pd.DataFrame({
        "kode_desa": fac["kode_desa"].to_numpy(),
        "pustu_aktif": pustu & aktif, "pustu_rencana": pustu & ~aktif,
        "puskesmas": ~pustu & aktif,
        "perawat": np.where(pustu & aktif, perawat, 0),
        "bidan": np.where(pustu & aktif, bidan, 0),
        "staf_tidak_sah": pustu & aktif & (bad_p | bad_b).to_numpy(),
    })  # fmt: skip
    sums = active.groupby("kode_desa").sum().reindex(codes, fill_value=0)
    out = pd.DataFrame({"kode_desa": codes.to_numpy()})
    for col in ("pustu_aktif", "pustu_rencana", "puskesmas", "perawat", "bidan"):
        out[col] = sums[col].to_numpy().astype(int)
    has = out["pustu_aktif"] > 0
    p_ok, b_ok = out["perawat"] >= 1, out["bidan"] >= 1
    out["kelas"] = np.select(
        [has & p_ok & b_ok, has & b_ok, has & p_ok, has, out["pustu_rencana"] > 0,
         out["puskesmas"] > 0],
        ["lengkap", "tanpa_perawat", "tanpa_bidan", "tanpa_keduanya", "rencana", "puskesmas"],
        default="tidak_ada",
    )  # fmt: skip
    out["staf_minimal"] = has & p_ok & b_ok
    out["kurang_perawat"] = (has & ~p_ok).astype(int)
    out["kurang_bidan"] = (has & ~b_ok).astype(int)
    out["pustu_ganda"] = out["pustu_aktif"] > 1
    out["staf_tidak_sah"] = sums["staf_tidak_sah"].to_numpy().astype(bool)
    return out[list(COLUMNS)], ignored


def covered(table: pd.DataFrame, puskesmas_served: bool) -> pd.Series:
    """Villages that count as covered toward the one-Pustu-per-village target: an active
    Pustu, or (when ``puskesmas_served``) an active Puskesmas in the village."""
    own = table["pustu_aktif"] > 0
    return own | (table["puskesmas"] > 0) if puskesmas_served else own
