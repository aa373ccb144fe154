"""Pustu figures per kecamatan, per kabupaten and for the whole scope.

From the per-village gap table (:func:`layers.pustu.service.build_gaps`) each row of a
summary gives:

* ``desa`` villages; ``dengan_pustu`` villages with an active Pustu; ``tercakup`` villages
  that count as covered toward the target (an active Pustu, or an active Puskesmas in the
  village when the office counts it as served) and ``cakupan_pct`` = tercakup / desa;
* ``staf_minimal`` villages whose active Pustu meet the minimum staff (≥ 1 perawat + 1
  bidan) and ``staf_minimal_pct`` of ``dengan_pustu`` (NaN without any Pustu);
* ``penduduk`` known population, ``penduduk_terlayani`` / ``penduduk_tidak_terlayani``
  the part within / beyond the distance (straight-line, not travel time), and
  ``desa_tanpa_penduduk`` villages without a population figure — no data, never zero: they
  are in neither sum, so served + unserved = ``penduduk`` (floats; NaN when no village of
  the row has a figure);
* ``kurang_perawat`` / ``kurang_bidan`` staff short at the active Pustu (one per village
  lacking one);
* progress toward the target year: ``belum_tercakup`` villages still to cover (of which
  ``rencana`` have a planned Pustu), ``tahun_tersisa`` years left counting the current one
  (:func:`years_left`) and ``per_tahun`` villages to cover per remaining year (all of them
  when the target year has passed).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

#: target years offered (the ministry's is 2028)
TARGET_YEARS = (2027, 2028)
DEFAULT_TARGET_YEAR = 2028
#: columns of :func:`summarise`
SUMMARY_COLUMNS = ("kode", "nama", "desa", "dengan_pustu", "tercakup", "cakupan_pct",
                   "staf_minimal", "staf_minimal_pct", "penduduk", "penduduk_terlayani",
                   "penduduk_tidak_terlayani", "desa_tanpa_penduduk", "kurang_perawat",
                   "kurang_bidan", "belum_tercakup", "rencana", "tahun_tersisa",
                   "per_tahun")  # fmt: skip
#: columns :func:`summarise` reads from the village table
NEEDS = ("pustu_aktif", "tercakup", "staf_minimal", "penduduk", "terlayani",
         "kurang_perawat", "kurang_bidan", "pustu_rencana")  # fmt: skip
_LEVELS = {"kec": ("kode_kec", "nama_kec"), "kab": ("kode_kab", "nama_kab")}


def this_year() -> int:
    """The current calendar year (the start of the countdown to the target year)."""
    return dt.date.today().year


def years_left(target_year: int, current_year: int) -> int:
    """Years left to the end of ``target_year``, the current one included (work can still
    be started in it); 0 once the target year has passed.

    Examples
    --------
    >>> years_left(2028, 2026), years_left(2027, 2026), years_left(2026, 2026)
    (3, 2, 1)
    >>> years_left(2027, 2028)
    0
    """
    return max(int(target_year) - int(current_year) + 1, 0)


def per_year(to_cover: int, years: int) -> int:
    """Villages to cover in each remaining year (rounded up); all of them when no year is
    left.

    Examples
    --------
    >>> per_year(10, 3), per_year(9, 3), per_year(0, 3), per_year(4, 0)
    (4, 3, 0, 4)
    """
    return int(to_cover) if years <= 0 else math.ceil(int(to_cover) / years)


def summarise(table: pd.DataFrame, level: str | None, target_year: int,
              current_year: int) -> pd.DataFrame:  # fmt: skip
    """The figures of the module docstring, one row per kecamatan (``level="kec"``), per
    kabupaten (``"kab"``) or one row for the whole table (None: ``kode``/``nama`` empty).

    Parameters
    ----------
    table
        One row per village with :data:`NEEDS` (``penduduk`` NaN = no figure), and for a
        level its ``kode_kec, nama_kec`` or ``kode_kab, nama_kab``.
    level
        ``"kec"``, ``"kab"`` or None.
    target_year, current_year
        For the progress columns (:func:`years_left`).

    Returns
    -------
    DataFrame
        :data:`SUMMARY_COLUMNS`, sorted by code.

    Examples
    --------
    >>> villages = pd.DataFrame({
    ...     "kode_kec": ["01", "01", "01", "02"], "nama_kec": ["A", "A", "A", "B"],
    ...     "pustu_aktif": [1, 0, 0, 0], "tercakup": [True, False, False, False],
    ...     "staf_minimal": [False, False, False, False],
    ...     "penduduk": [1000.0, 500.0, float("nan"), 800.0],
    ...     "terlayani": [True, True, False, False],
    ...     "kurang_perawat": [0, 0, 0, 0], "kurang_bidan": [1, 0, 0, 0],
    ...     "pustu_rencana": [0, 1, 0, 0]})
    >>> out = summarise(villages, "kec", 2028, 2026)
    >>> out[["kode", "desa", "cakupan_pct", "penduduk_tidak_terlayani",
    ...      "desa_tanpa_penduduk", "belum_tercakup", "per_tahun"]].values.tolist()
    [['01', 3, 33.3, 0.0, 1, 2, 1], ['02', 1, 0.0, 800.0, 0, 1, 1]]
    """
    missing = [c for c in NEEDS if c not in table.columns]
    if missing:
        raise ValueError(f"village table lacks columns {missing}")
    pop = pd.to_numeric(table["penduduk"], errors="coerce").astype(float)
    known = pop.notna()
    served = table["terlayani"].fillna(False).astype(bool)
    has = table["pustu_aktif"] > 0
    frame = pd.DataFrame({
        "desa": 1, "dengan_pustu": has.astype(int),
        "tercakup": table["tercakup"].astype(bool).astype(int),
        "staf_minimal": (has & table["staf_minimal"].astype(bool)).astype(int),
        "penduduk": pop, "penduduk_terlayani": pop.where(known & served),
        "penduduk_tidak_terlayani": pop.where(known & ~served),
        "desa_tanpa_penduduk": (~known).astype(int),
        "kurang_perawat": table["kurang_perawat"].astype(int),
        "kurang_bidan": table["kurang_bidan"].astype(int),
        "rencana": ((table["pustu_rencana"] > 0) & ~table["tercakup"].astype(bool)).astype(int),
    }, index=table.index)  # fmt: skip
    if level is None:
        keys = pd.Series("", index=table.index)
        names = {"": ""}
    else:
        code_col, name_col = _LEVELS[level]
        keys = table[code_col].astype(str)
        names = dict(zip(keys, table[name_col].fillna("").astype(str), strict=True))
    people = ["penduduk", "penduduk_terlayani", "penduduk_tidak_terlayani"]
    counts = [c for c in frame.columns if c not in people]
    grouped = frame.groupby(keys, sort=True)
    out = grouped[counts].sum()
    for col in people:  # no figure at all: NaN, not 0
        out[col] = grouped[col].sum(min_count=1)
    has_figure = out["desa_tanpa_penduduk"] < out["desa"]
    for col in people[1:]:
        out[col] = out[col].where(~has_figure, out[col].fillna(0))
    out["cakupan_pct"] = (100.0 * out["tercakup"] / out["desa"]).round(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = 100.0 * out["staf_minimal"] / out["dengan_pustu"].where(out["dengan_pustu"] > 0)
    out["staf_minimal_pct"] = pct.round(1)
    out["belum_tercakup"] = out["desa"] - out["tercakup"]
    years = years_left(target_year, current_year)
    out["tahun_tersisa"] = years
    out["per_tahun"] = [per_year(n, years) for n in out["belum_tercakup"]]
    out = out.reset_index(names="kode")
    out["nama"] = out["kode"].map(names)
    return out[list(SUMMARY_COLUMNS)]


def total(table: pd.DataFrame, target_year: int, current_year: int) -> dict[str, object]:
    """:func:`summarise` of the whole table as one dict (the layer's summary line); for no
    villages at all, zero villages and no figures."""
    found = summarise(table, None, target_year, current_year)
    if found.empty:
        years = years_left(target_year, current_year)
        empty = dict.fromkeys(SUMMARY_COLUMNS, 0)
        empty.update(kode="", nama="", cakupan_pct=np.nan, staf_minimal_pct=np.nan,
                     penduduk=np.nan, penduduk_terlayani=np.nan,
                     penduduk_tidak_terlayani=np.nan, tahun_tersisa=years)  # fmt: skip
        return empty
    return found.iloc[0].to_dict()
