"""Health facilities (Puskesmas, Pustu, Posyandu, …) with location, staffing and parent.

Accepted layout: ``nama, jenis, kode_desa, lon, lat, status, perawat, bidan, induk`` and an
optional ``kode_fasyankes`` (header variants are mapped and reported).

* ``jenis``: ``puskesmas`` (also ``PKM``, ``Puskesmas Rawat Inap`` …), ``pustu`` (``Puskesmas
  Pembantu``), ``posyandu``, and a few other kinds (``poskesdes``, ``polindes``, ``pusling``,
  ``klinik``, ``rumah_sakit``); anything else is reported.
* Location: ``kode_desa``, or ``lon``/``lat`` (WGS84 degrees), or both. With only coordinates
  the village containing the point is looked up in the stored boundaries; with both, the point
  must lie in that village (within :data:`TOLERANCE_M`, boundaries are simplified). Points
  outside Indonesia are reported, and swapped lon/lat are recognised and said so.
  Without a ``kode_desa`` column, rows without coordinates are placed by ``nama_desa`` +
  ``nama_kec`` (:func:`layers.ingest.villages.village_codes`, options ``konfirmasi``, ``tinjauan``).
* ``status``: ``aktif`` (default) or ``rencana``; ``perawat``/``bidan``: whole numbers ≥ 0
  (empty = 0).
* ``induk``: the name of the parent Puskesmas, either in the same file or already stored
  (:func:`layers.ingest.parents.resolve_parents`).

Rows are matched on ``(kode_desa, jenis, nama)``; re-importing a file updates the same rows.
Columns missing from the file (``lon``/``lat``, ``status``, ``perawat``, ``bidan``,
``kode_fasyankes``) leave the stored values of existing facilities untouched.
Writing happens in two passes inside the import's transaction: the Puskesmas first, then the
other facilities with ``induk_id`` pointing at them.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from layers.ingest import checks, villages
from layers.ingest.base import Importer, Mapped, Prepared, Progress, read_mapped, register
from layers.ingest.checks import blank
from layers.ingest.columns import CODE_ALIASES, Column
from layers.ingest.parents import KEY, parent_ids, resolve_parents
from layers.ingest.problems import ImportReport, Problem
from layers.ingest.write import upsert
from layers.scope import Scope
from layers.store.models import Fasilitas, Wilayah
from layers.text import Text

#: how far (metres) a point may lie outside its village's (simplified) boundary
TOLERANCE_M = 100.0
METRES_PER_DEGREE = 111_320.0
#: Indonesia's bounding box, degrees
LON_RANGE = (94.0, 142.0)
LAT_RANGE = (-11.5, 6.5)

COLUMNS = (
    Column("nama", ("nama_fasilitas", "nama_faskes", "nama_fasyankes", "name", "fasilitas")),
    Column("jenis", ("jenis_fasilitas", "jenis_faskes", "tipe", "type", "kategori")),
    Column("kode_desa", CODE_ALIASES, required=False),
    Column("lon", ("longitude", "long", "lng", "bujur", "x"), required=False),
    Column("lat", ("latitude", "lintang", "y"), required=False),
    Column("status", ("status_fasilitas", "keadaan"), required=False),
    Column("perawat", ("jumlah_perawat", "jml_perawat", "nurses"), required=False),
    Column("bidan", ("jumlah_bidan", "jml_bidan", "midwives"), required=False),
    Column("induk", ("puskesmas_induk", "induk_puskesmas", "nama_puskesmas", "parent"),
           required=False),  # fmt: skip
    Column("kode_fasyankes", ("kode_faskes", "kode_fasilitas", "facility_code"), required=False),
)

#: spellings of facility kinds (lower case, single spaces) -> canonical ``jenis``
KINDS: dict[str, str] = {
    **dict.fromkeys(("puskesmas", "pkm", "puskesmas induk", "puskesmas rawat inap",
                     "puskesmas non rawat inap", "puskesmas perawatan",
                     "puskesmas non perawatan", "health centre", "health center"),
                    "puskesmas"),
    **dict.fromkeys(("pustu", "puskesmas pembantu", "pusban", "auxiliary health centre",
                     "auxiliary health center"), "pustu"),
    **dict.fromkeys(("posyandu", "pos yandu", "pos pelayanan terpadu", "posyandu balita",
                     "posyandu lansia", "posyandu remaja", "integrated health post"),
                    "posyandu"),
    **dict.fromkeys(("poskesdes", "pos kesehatan desa"), "poskesdes"),
    **dict.fromkeys(("polindes", "pondok bersalin desa"), "polindes"),
    **dict.fromkeys(("pusling", "puskesmas keliling"), "pusling"),
    **dict.fromkeys(("klinik", "klinik pratama", "clinic"), "klinik"),
    **dict.fromkeys(("rumah sakit", "rs", "rsud", "hospital", "rumah_sakit"), "rumah_sakit"),
}  # fmt: skip
STATUSES = {"aktif": "aktif", "active": "aktif", "ada": "aktif", "beroperasi": "aktif",
            "rencana": "rencana", "direncanakan": "rencana", "usulan": "rencana",
            "planned": "rencana"}  # fmt: skip


def _kind(value: str) -> tuple[Any, Text | None, str]:
    key = " ".join(re.sub(r"[^0-9a-z]+", " ", str(value).lower()).split())
    if key in KINDS:
        return KINDS[key], None, ""
    if key.replace(" ", "_") in KINDS.values():
        return key.replace(" ", "_"), None, ""
    accepted = ", ".join(sorted(set(KINDS.values())))
    return None, Text(f"Jenis fasilitas tidak dikenal; yang diterima: {accepted}.",
                      f"Unknown facility kind; accepted: {accepted}."), "bad_choice"


def _degrees(text: str) -> float | None:
    """``111.92`` or ``111,92`` (decimal comma) -> float; None when not a number."""
    text = str(text).strip().replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _in_indonesia(lon: float, lat: float) -> bool:
    return LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]


def _coordinates(frame: pd.DataFrame, rows: pd.Series
                 ) -> tuple[pd.Series, pd.Series, list[Problem]]:  # fmt: skip
    """Parsed lon/lat (NaN where absent or bad) and a problem per bad coordinate."""
    lon = pd.Series(np.nan, index=frame.index)
    lat = pd.Series(np.nan, index=frame.index)
    problems: list[Problem] = []
    for i in frame.index:
        raw_lon, raw_lat, row = frame.at[i, "lon"], frame.at[i, "lat"], int(rows[i])
        if blank(raw_lon) and blank(raw_lat):
            continue
        if blank(raw_lon) or blank(raw_lat):
            column = "lon" if blank(raw_lon) else "lat"
            problems.append(Problem(
                Text("Koordinat tidak lengkap: isi lon dan lat, atau kosongkan keduanya.",
                     "Incomplete coordinates: give both lon and lat, or neither."),
                row=row, column=column, code="missing"))  # fmt: skip
            continue
        x, y = _degrees(raw_lon), _degrees(raw_lat)
        bad = [(c, v) for c, v, p in (("lon", raw_lon, x), ("lat", raw_lat, y)) if p is None]
        for column, value in bad:
            problems.append(Problem(
                Text("Harus angka derajat desimal (contoh: 111.9241).",
                     "Must be decimal degrees (e.g. 111.9241)."),
                row=row, column=column, value=value, code="not_number"))  # fmt: skip
        if bad or x is None or y is None:
            continue
        if not _in_indonesia(x, y):
            if _in_indonesia(y, x):
                problems.append(Problem(
                    Text("Titik di luar Indonesia: lon dan lat tertukar?",
                         "Point outside Indonesia: are lon and lat swapped?"),
                    row=row, column="lon", value=f"{raw_lon}, {raw_lat}", code="swapped"))
            else:
                problems.append(Problem(
                    Text(f"Titik di luar Indonesia (lon {LON_RANGE[0]:g}–{LON_RANGE[1]:g}, "
                         f"lat {LAT_RANGE[0]:g}–{LAT_RANGE[1]:g}).",
                         f"Point outside Indonesia (lon {LON_RANGE[0]:g}–{LON_RANGE[1]:g}, "
                         f"lat {LAT_RANGE[0]:g}–{LAT_RANGE[1]:g})."),
                    row=row, column="lon", value=f"{raw_lon}, {raw_lat}",
                    code="outside_indonesia"))  # fmt: skip
            continue
        lon[i], lat[i] = x, y
    return lon, lat, problems


class _Villages:
    """Stored village polygons with a spatial index, for point-in-village questions."""

    def __init__(self, session: Session, provinces: set[str] | None) -> None:
        stmt = select(Wilayah.kode, Wilayah.nama, Wilayah.geometry).where(
            Wilayah.level == "desa", Wilayah.geometry.is_not(None))
        if provinces:
            stmt = stmt.where(or_(*(Wilayah.kode.like(f"{p}.%") for p in sorted(provinces))))
        found = session.execute(stmt).all()
        self.kode = [k for k, _, _ in found]
        self.nama = {k: n for k, n, _ in found}
        self.geoms = np.array([g for _, _, g in found], dtype=object)
        self.index = {k: j for j, k in enumerate(self.kode)}
        self.tree = shapely.STRtree(self.geoms)
        self.tolerance = TOLERANCE_M / METRES_PER_DEGREE

    def distance_m(self, kode: str, point: shapely.Point) -> float | None:
        """Metres from ``point`` to village ``kode`` (0 inside), None without geometry."""
        j = self.index.get(kode)
        if j is None:
            return None
        return float(self.geoms[j].distance(point)) * METRES_PER_DEGREE

    def containing(self, point: shapely.Point) -> str | None:
        """The village holding ``point`` (within the tolerance), nearest first."""
        hits = self.tree.query(point, predicate="intersects")
        if len(hits) == 0:
            hits = self.tree.query(point, predicate="dwithin", distance=self.tolerance)
        if len(hits) == 0:
            return None
        best = min(hits, key=lambda j: (self.geoms[j].distance(point), self.kode[j]))
        return self.kode[best]


def _locate(frame: pd.DataFrame, rows: pd.Series, kode: pd.Series, lon: pd.Series,
            lat: pd.Series, villages: _Villages, scope: Scope
            ) -> tuple[pd.Series, list[Problem]]:  # fmt: skip
    """Fill codes from points, check points lie in their named village."""
    kode = kode.copy()
    problems: list[Problem] = []
    for i in frame.index[lon.notna()]:
        point = shapely.Point(lon[i], lat[i])
        row, seen = int(rows[i]), f"{lon[i]:g}, {lat[i]:g}"
        here = villages.containing(point)
        where = (Text(f" Titik ada di desa {here} ({villages.nama[here]}).",
                      f" The point is in village {here} ({villages.nama[here]}).")
                 if here else Text("", ""))  # fmt: skip
        if not blank(frame.at[i, "kode_desa"]):
            if blank(kode[i]):
                continue  # bad code, already reported
            distance = villages.distance_m(kode[i], point)
            if distance is not None and distance > TOLERANCE_M:
                problems.append(Problem(
                    Text(f"Titik berada {distance:,.0f} m di luar desa {kode[i]}.{where.id}",
                         f"The point lies {distance:,.0f} m outside village {kode[i]}."
                         f"{where.en}"),
                    row=row, column="lon", value=seen, code="point_outside_village"))
            continue
        if here is None:
            problems.append(Problem(
                Text("Titik tidak berada di desa mana pun yang tersimpan (impor batas dulu?).",
                     "The point lies in no stored village (import boundaries first?)."),
                row=row, column="lon", value=seen, code="no_village"))  # fmt: skip
        elif not scope.allows(here):
            problems.append(Problem(
                Text(f"Titik ada di desa {here}, di luar wilayah Anda.",
                     f"The point is in village {here}, outside your region."),
                row=row, column="lon", value=seen, code="out_of_scope"))  # fmt: skip
        else:
            kode[i] = here
    return kode, problems


def _fasyankes_taken(session: Session, clean: pd.DataFrame, rows: pd.Series) -> list[Problem]:
    """``kode_fasyankes`` already used by another stored facility."""
    given = clean["kode_fasyankes"].dropna()
    if given.empty:
        return []
    query = select(Fasilitas.kode_fasyankes, Fasilitas.kode_desa, Fasilitas.jenis,
                   Fasilitas.nama).where(Fasilitas.kode_fasyankes.in_(sorted(set(given))))
    owner = {k: (d, j, n) for k, d, j, n in session.execute(query)}
    return [
        Problem(Text(f"Kode fasyankes sudah dipakai {owner[k][2]} ({owner[k][0]}).",
                     f"The facility code is already used by {owner[k][2]} ({owner[k][0]})."),
                row=int(rows[i]), column="kode_fasyankes", value=k, code="code_taken")
        for i, k in given.items()
        if k in owner and owner[k] != tuple(clean.loc[i, KEY])
    ]  # fmt: skip


def _place_columns(read: Mapped) -> list[Problem]:
    """A facility needs a village code, its name, or both coordinates (a lone lon or lat is a
    mistake)."""
    present = read.present
    if not read.by_name and "kode_desa" not in present and not {"lon", "lat"} <= present:
        return [Problem(
            Text("Perlu kolom 'kode_desa' atau kolom 'lon' dan 'lat'.",
                 "Needs column 'kode_desa' or columns 'lon' and 'lat'."),
            row=1, column="kode_desa", code="missing_column")]  # fmt: skip
    if len({"lon", "lat"} & present) == 1:
        missing = "lat" if "lon" in present else "lon"
        return [Problem(
            Text(f"Kolom '{missing}' tidak ada (koordinat perlu lon dan lat).",
                 f"Column '{missing}' is missing (coordinates need lon and lat)."),
            row=1, column=missing, code="missing_column")]  # fmt: skip
    return []


@register
class FacilitiesImporter(Importer):
    """Health facilities (``fasilitas``)."""

    jenis = "fasilitas"
    english = "facilities"
    title = Text("Fasilitas kesehatan", "Health facilities")
    tables = ("fasilitas",)

    def prepare(self, session: Session, path: Path, scope: Scope, options: dict[str, Any],
                report: ImportReport) -> Prepared | None:  # fmt: skip
        read = read_mapped(path, COLUMNS, options, report, check=_place_columns)
        if read is None:
            return None
        frame, rows, present = read.frame, read.rows, read.present

        known = set(session.scalars(select(Wilayah.kode).where(Wilayah.level == "desa")))
        has_code = ~frame["kode_desa"].map(blank)
        no_point = frame["lon"].map(blank) & frame["lat"].map(blank)
        # by name: a row without coordinates is placed by its village name
        where = no_point if read.by_name else has_code
        kode, found = villages.village_codes(session, scope, read, options, report, path, known,
                                             where=where)  # fmt: skip
        lon, lat, p_coords = _coordinates(frame, rows)
        found += p_coords
        unlocated = [] if read.by_name else frame.index[~has_code & no_point]
        found += [Problem(Text("Lokasi kosong: isi kode_desa atau lon dan lat.",
                               "No location: give kode_desa or lon and lat."),
                          row=int(rows[i]), column="kode_desa", code="missing")
                  for i in unlocated]  # fmt: skip
        if lon.notna().any():
            provinces = {k.split(".")[0] for k in kode.dropna()}
            if not has_code[lon.notna()].all():
                provinces = set()  # a point without a code may lie anywhere: all villages
            polygons = _Villages(session, provinces or None)
            kode, p_place = _locate(frame, rows, kode, lon, lat, polygons, scope)
            found += p_place

        nama, p_nama = checks.per_unique(frame["nama"], rows, "nama",
                                         lambda v: (str(v), None, ""))  # fmt: skip
        jenis, p_jenis = checks.per_unique(frame["jenis"], rows, "jenis", _kind)
        status, p_status = checks.choices(frame["status"], rows, "status", STATUSES,
                                          default="aktif")  # fmt: skip
        perawat, p_perawat = checks.integers(frame["perawat"], rows, "perawat", required=False)
        bidan, p_bidan = checks.integers(frame["bidan"], rows, "bidan", required=False)
        found += [*p_nama, *p_jenis, *p_status, *p_perawat, *p_bidan]
        clean = pd.DataFrame({
            "nama": nama, "jenis": jenis, "kode_desa": kode,
            "lon": lon.round(7), "lat": lat.round(7), "status": status,
            "perawat": perawat.fillna(0), "bidan": bidan.fillna(0),
            "kode_fasyankes": frame["kode_fasyankes"],
        })  # fmt: skip
        found += checks.duplicates(clean, KEY, rows)
        found += checks.duplicates(clean[["kode_fasyankes"]], ["kode_fasyankes"], rows)
        found += _fasyankes_taken(session, clean, rows)
        targets, p_induk = resolve_parents(session, clean, frame["induk"], rows)
        found += p_induk

        report.add(found)
        report.rows_ok = int((~rows.isin(checks.bad_rows(found))).sum())
        if not report.ok:
            return None
        keep = [c for c in clean.columns if c in KEY or c in present]
        return Prepared({"fasilitas": clean[keep]}, {"induk": targets})

    def write(self, session: Session, prepared: Prepared, impor_id: int,
              progress: Progress) -> dict[str, int]:  # fmt: skip
        frame = prepared.frames["fasilitas"].reset_index(drop=True)
        targets = prepared.extra["induk"]
        in_villages = Fasilitas.kode_desa.in_(sorted(frame["kode_desa"].unique()))
        heads = frame["jenis"] == "puskesmas"
        counts = {"inserted": 0, "updated": 0}
        if heads.any():
            step = upsert(session, "fasilitas", frame[heads].assign(induk_id=None), KEY,
                          impor_id, existing_filter=in_villages)  # fmt: skip
            counts = {k: counts[k] + step[k] for k in counts}
        progress(2, 3, "induk")
        if (~heads).any():
            induk_id = parent_ids(session, targets, in_villages)
            rest = frame.assign(induk_id=pd.array(induk_id, dtype="Int64"))[~heads]
            step = upsert(session, "fasilitas", rest, KEY, impor_id, existing_filter=in_villages)
            counts = {k: counts[k] + step[k] for k in counts}
        return {"fasilitas": counts["inserted"] + counts["updated"], **counts}
