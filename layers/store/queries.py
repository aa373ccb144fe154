"""The one place data is read from the store; every read is scoped.

Owns the read queries used by the dashboard and the analytics. Every function takes the
session and then a :class:`~layers.scope.Scope`, and applies the scope *in SQL* through
:func:`scope_clause` (region codes are prefixes: scope ``35.10`` allows ``35.10`` and every
code starting ``35.10.``; an empty scope returns nothing). Codes coming from the browser
(``within``, ``kode``, ``kode_desa``) can only narrow the scope, never widen it.

Functions return pandas / GeoPandas frames (EPSG:4326) with fixed columns, empty frames with
the same columns when nothing is visible.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    and_,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.visitors import InternalTraversal

from layers import codes, geometry
from layers.scope import Scope
from layers.store.models import (
    Fasilitas,
    ImporLog,
    ImporWilayah,
    KasusMingguan,
    Meta,
    Penduduk,
    Wilayah,
)

CRS = "EPSG:4326"


def _valid_regions(scope: Scope) -> list[str]:
    """Scope regions as dotted codes; anything that is not a code is dropped (never widens)."""
    return sorted(r for r in scope.regions or () if codes.is_valid(r) and codes.normalize(r) == r)


class Below(ColumnElement[bool]):
    """SQL: the code in ``column`` lies strictly below region ``region`` (``r.…``).

    ``column LIKE 'r.%'`` (PostgreSQL: the code indexes use ``text_pattern_ops``), but on
    SQLite ``column > 'r.' AND column < 'r/'``: SQLite's LIKE is case-insensitive and never
    uses an index, so a kabupaten's share of 6.7 million skill rows was a full scan (1.7 s
    against 4 ms). The range is exact there because SQLite compares text bytewise ('/' is
    the byte after '.'); PostgreSQL under a locale collation does not, hence LIKE.
    """

    type = Boolean()
    inherit_cache = True
    # a comparison, not a boolean value: no "= 1" appended where booleans are not native
    _is_implicitly_boolean = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("region", InternalTraversal.dp_string)]  # fmt: skip

    def __init__(self, column: ColumnElement[str], region: str) -> None:
        self.column = column
        self.region = region


@compiles(Below)
def _below(element: Below, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column.like(f"{element.region}.%"), **kw)


@compiles(Below, "sqlite")
def _below_sqlite(element: Below, compiler: Any, **kw: Any) -> str:
    r = element.region
    range_ = and_(element.column > f"{r}.", element.column < f"{r}/").self_group()
    return compiler.process(range_, **kw)


def scope_clause(column: ColumnElement[str], scope: Scope) -> ColumnElement[bool]:
    """SQL condition: the code in ``column`` lies inside ``scope``.

    ``column = r OR`` :class:`Below` ``(column, r)`` per scope region ``r`` (codes are
    digits and dots, so nothing needs escaping).
    """
    if scope.regions is None:
        return true()
    terms = [or_(column == r, Below(column, r)) for r in _valid_regions(scope)]
    return or_(false(), *terms)


def _visible_clause(column: ColumnElement[str], scope: Scope) -> ColumnElement[bool]:
    """Inside the scope, or an ancestor of a scope region (the kecamatan of a village scope)."""
    up = sorted({a for r in _valid_regions(scope) for a in codes.ancestors(r)})
    return or_(scope_clause(column, scope), column.in_(up)) if up else scope_clause(column, scope)


def frame(session: Session, stmt: Select, columns: list[str]) -> pd.DataFrame:
    """The rows of ``stmt`` as a DataFrame of ``columns``.

    Rows are turned into plain tuples first: pandas probes each SQLAlchemy ``Row`` for
    attributes, which made building a 150,000-row frame 4× slower than the query itself.
    """
    return pd.DataFrame([tuple(r) for r in session.execute(stmt)], columns=columns)


def _geo(table: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(table, geometry="geometry", crs=CRS)


def _villages_select(scope: Scope, within: str | None, with_geometry: bool) -> Select:
    if within is not None:
        scope = scope.narrow(within) if codes.is_valid(within) else Scope(frozenset())
    kec = aliased(Wilayah)
    columns = [Wilayah.kode, Wilayah.nama, Wilayah.jenis, Wilayah.induk, kec.nama]
    if with_geometry:
        columns.append(Wilayah.geometry)
    return (
        select(*columns)
        .outerjoin(kec, kec.kode == Wilayah.induk)
        .where(Wilayah.level == "desa", scope_clause(Wilayah.kode, scope))
        .order_by(Wilayah.kode)
    )


def villages(session: Session, scope: Scope, within: str | None = None) -> gpd.GeoDataFrame:
    """Villages in the scope, optionally narrowed to the region ``within``.

    Returns
    -------
    GeoDataFrame
        ``kode, nama, jenis, kode_kec, nama_kec, geometry`` sorted by code.
    """
    stmt = _villages_select(scope, within, with_geometry=True)
    cols = ["kode", "nama", "jenis", "kode_kec", "nama_kec", "geometry"]
    return _geo(frame(session, stmt, cols))


def village_table(session: Session, scope: Scope, within: str | None = None) -> pd.DataFrame:
    """:func:`villages` without geometry, for value queries that must not parse polygons.

    Returns
    -------
    DataFrame
        ``kode, nama, jenis, kode_kec, nama_kec`` sorted by code.
    """
    stmt = _villages_select(scope, within, with_geometry=False)
    return frame(session, stmt, ["kode", "nama", "jenis", "kode_kec", "nama_kec"])


def scope_bounds(session: Session, scope: Scope) -> list[list[float]] | None:
    """Leaflet bounds ``[[south, west], [north, east]]`` of the scope; None when empty.

    Read from the scope's own region rows (provinces for everything), not its villages,
    so that it stays cheap at province scale.
    """
    if scope.regions is None:
        where = Wilayah.level == "prov"
    else:
        where = Wilayah.kode.in_(_valid_regions(scope))
    return geometry.bounds(list(session.scalars(select(Wilayah.geometry).where(where))))


def regions(session: Session, scope: Scope, level: str) -> gpd.GeoDataFrame:
    """Regions of one level (``prov``, ``kab``, ``kec``, ``desa``) visible in the scope.

    A region is visible when it lies inside a scope region, or contains one (a user scoped
    to some villages sees the outline of their kecamatan).

    Returns
    -------
    GeoDataFrame
        ``kode, nama, induk, geometry`` sorted by code.
    """
    if level not in ("prov", "kab", "kec", "desa"):
        raise ValueError(f"unknown level {level!r}")
    stmt = (
        select(Wilayah.kode, Wilayah.nama, Wilayah.induk, Wilayah.geometry)
        .where(Wilayah.level == level, _visible_clause(Wilayah.kode, scope))
        .order_by(Wilayah.kode)
    )
    return _geo(frame(session, stmt, ["kode", "nama", "induk", "geometry"]))


def region_names(session: Session, scope: Scope, level: str) -> pd.DataFrame:
    """:func:`regions` without geometry: codes and names of one level visible in the scope.

    Returns
    -------
    DataFrame
        ``kode, nama`` sorted by code.
    """
    if level not in ("prov", "kab", "kec", "desa"):
        raise ValueError(f"unknown level {level!r}")
    stmt = (
        select(Wilayah.kode, Wilayah.nama)
        .where(Wilayah.level == level, _visible_clause(Wilayah.kode, scope))
        .order_by(Wilayah.kode)
    )
    return frame(session, stmt, ["kode", "nama"])


def region(session: Session, scope: Scope, kode: str) -> dict[str, object] | None:
    """One region's ``kode, nama, level, induk, jenis, bounds`` (minx, miny, maxx, maxy).

    None when the code is unknown, malformed or not visible in the scope (see :func:`regions`).
    """
    if not codes.is_valid(kode):
        return None
    kode = codes.normalize(kode)
    w = Wilayah
    stmt = select(w.nama, w.level, w.induk, w.jenis, w.geometry).where(
        w.kode == kode, _visible_clause(w.kode, scope)
    )
    row = session.execute(stmt).first()
    if row is None:
        return None
    bounds = tuple(row.geometry.bounds) if row.geometry is not None else None
    return {"kode": kode, "nama": row.nama, "level": row.level, "induk": row.induk,
            "jenis": row.jenis, "bounds": bounds}  # fmt: skip


def population(session: Session, scope: Scope, tahun: int) -> pd.DataFrame:
    """Population per village for ``tahun``.

    When a village has no figure for ``tahun`` its latest earlier year is used (the year
    actually used is in column ``tahun``); villages with only later years are left out.

    Returns
    -------
    DataFrame
        ``kode_desa, jumlah, tahun``.
    """
    where = and_(Penduduk.tahun <= tahun, scope_clause(Penduduk.kode_desa, scope))
    latest = (
        select(Penduduk.kode_desa, func.max(Penduduk.tahun).label("tahun"))
        .where(where)
        .group_by(Penduduk.kode_desa)
        .subquery()
    )
    stmt = (
        select(Penduduk.kode_desa, Penduduk.jumlah, Penduduk.tahun)
        .join(latest, and_(latest.c.kode_desa == Penduduk.kode_desa,
                           latest.c.tahun == Penduduk.tahun))
        .order_by(Penduduk.kode_desa)
    )  # fmt: skip
    return frame(session, stmt, ["kode_desa", "jumlah", "tahun"])


def weekly_cases(
    session: Session, scope: Scope, penyakit: str, tahun: int, minggu: int
) -> pd.DataFrame:
    """Cases of one disease in one epi week, one row per reporting village in scope.

    Returns
    -------
    DataFrame
        ``kode_desa, kasus, kematian`` (villages without a row reported nothing).
    """
    k = KasusMingguan
    stmt = (
        select(k.kode_desa, k.kasus, k.kematian)
        .where(k.penyakit == penyakit, k.tahun == tahun, k.minggu == minggu,
               scope_clause(k.kode_desa, scope))
        .order_by(k.kode_desa)
    )  # fmt: skip
    return frame(session, stmt, ["kode_desa", "kasus", "kematian"])


def case_series(session: Session, scope: Scope, kode_desa: str, penyakit: str) -> pd.DataFrame:
    """Weekly series of one disease in one village; empty when the village is out of scope.

    Returns
    -------
    DataFrame
        ``tahun, minggu, kasus, kematian`` in time order.
    """
    cols = ["tahun", "minggu", "kasus", "kematian"]
    if not codes.is_valid(kode_desa):
        return pd.DataFrame(columns=cols)
    k = KasusMingguan
    stmt = (
        select(k.tahun, k.minggu, k.kasus, k.kematian)
        .where(k.kode_desa == codes.normalize(kode_desa), k.penyakit == penyakit,
               scope_clause(k.kode_desa, scope))
        .order_by(k.tahun, k.minggu)
    )  # fmt: skip
    return frame(session, stmt, cols)


def available_weeks(session: Session, scope: Scope, penyakit: str) -> list[tuple[int, int]]:
    """``(tahun, minggu)`` pairs with any data of ``penyakit`` in the scope, ascending."""
    k = KasusMingguan
    stmt = (
        select(k.tahun, k.minggu)
        .where(k.penyakit == penyakit, scope_clause(k.kode_desa, scope))
        .distinct()
        .order_by(k.tahun, k.minggu)
    )
    return [(int(t), int(m)) for t, m in session.execute(stmt)]


def facilities(session: Session, scope: Scope) -> pd.DataFrame:
    """Facilities located in villages of the scope.

    Returns
    -------
    DataFrame
        ``id, nama, jenis, kode_desa, lon, lat, status, perawat, bidan, induk_id``.
    """
    f = Fasilitas
    cols = ["id", "nama", "jenis", "kode_desa", "lon", "lat", "status", "perawat", "bidan",
            "induk_id"]  # fmt: skip
    stmt = select(*(getattr(f, c) for c in cols)).where(scope_clause(f.kode_desa, scope))
    return frame(session, stmt.order_by(f.id), cols)


def facility_counts(session: Session, scope: Scope) -> dict[str, int]:
    """How many facilities of each ``jenis`` lie in the scope."""
    f = Fasilitas
    stmt = select(f.jenis, func.count()).where(scope_clause(f.kode_desa, scope)).group_by(f.jenis)
    return {jenis: int(n) for jenis, n in session.execute(stmt)}


def geometry_version(session: Session) -> str:
    """Changes whenever boundaries are (re)loaded; ``"0"`` before any load."""
    value = session.scalar(select(Meta.value).where(Meta.key == "geometry_version"))
    return value or "0"


def data_version(session: Session, jenis: str | None = None) -> str:
    """Changes whenever data (of import kind ``jenis``, or any) is imported, loaded or undone.

    The newest import log id and the number of undone imports: every import and every trusted
    load writes a log row, and an undo turns one row ``dibatalkan``. Caches of values read
    from the store key on it (with :func:`geometry_version` for boundaries).
    """
    where = true() if jenis is None else ImporLog.jenis == jenis
    newest, undone = session.execute(
        select(func.max(ImporLog.id),
               func.count().filter(ImporLog.status == "dibatalkan")).where(where)).one()
    return f"{newest or 0}.{undone or 0}"


def case_matrix(
    session: Session,
    scope: Scope,
    penyakit: str,
    first: tuple[int, int],
    last: tuple[int, int],
) -> pd.DataFrame:
    """Weekly cases of one disease in every village of the scope, weeks ``first``…``last``.

    ``first`` and ``last`` are ``(tahun, minggu)`` epi weeks, both included; the bounds are
    compared as pairs, so a range may cross years (``(2024, 50)`` … ``(2025, 3)``). Only rows
    that exist are returned: a village-week without a row was not reported (never zero).

    Returns
    -------
    DataFrame
        ``kode_desa, tahun, minggu, kasus, kematian`` sorted by village and week.
    """
    cols = ["kode_desa", "tahun", "minggu", "kasus", "kematian"]
    (y0, w0), (y1, w1) = (int(first[0]), int(first[1])), (int(last[0]), int(last[1]))
    if (y0, w0) > (y1, w1):
        return pd.DataFrame(columns=cols)
    k = KasusMingguan
    after_first = or_(k.tahun > y0, and_(k.tahun == y0, k.minggu >= w0))
    before_last = or_(k.tahun < y1, and_(k.tahun == y1, k.minggu <= w1))
    stmt = (
        select(k.kode_desa, k.tahun, k.minggu, k.kasus, k.kematian)
        .where(k.penyakit == penyakit, k.tahun.between(y0, y1), after_first, before_last,
               scope_clause(k.kode_desa, scope))
        .order_by(k.kode_desa, k.tahun, k.minggu)
    )  # fmt: skip
    return frame(session, stmt, cols)


#: the columns of :func:`import_log`
IMPORT_LOG_COLUMNS = ["id", "jenis", "file", "sha256", "rows_ok", "rows_rejected", "pengguna",
                      "waktu", "status"]  # fmt: skip


def _touched_scope(scope: Scope) -> ColumnElement[bool]:
    """SQL: the ``impor_log`` row touched a region inside ``scope`` (see ``impor_wilayah``)."""
    if scope.regions is None:
        return true()
    w = ImporWilayah
    return exists(select(w.kode).where(w.impor_id == ImporLog.id, scope_clause(w.kode, scope)))


def import_log(session: Session, scope: Scope, limit: int | None = None) -> pd.DataFrame:
    """The import log, newest first: every attempt that touched the scope.

    An import touched the scope when one of the regions recorded for it in
    ``impor_wilayah`` (the rows it wrote or overwrote; for a rejected attempt, the regions
    of the scope it was attempted in) lies inside the scope. Entries without recorded
    regions (logged before migration 0005, or rejected without a scope) are listed only for
    :meth:`Scope.everything`.

    Parameters
    ----------
    session
        An open session.
    scope
        Whose log: only entries that touched it.
    limit
        Only the newest ``limit`` entries; all of them when None.

    Returns
    -------
    DataFrame
        ``id, jenis, file, sha256, rows_ok, rows_rejected, pengguna, waktu, status`` by
        ``id`` descending; ``waktu`` is timezone-aware UTC (the log writes UTC; SQLite
        returns it without the zone).
    """
    log = ImporLog
    stmt = (select(*(getattr(log, c) for c in IMPORT_LOG_COLUMNS))
            .where(_touched_scope(scope)).order_by(log.id.desc()))  # fmt: skip
    if limit is not None:
        stmt = stmt.limit(limit)
    found = frame(session, stmt, IMPORT_LOG_COLUMNS)
    found["waktu"] = pd.to_datetime(found["waktu"], utc=True)
    return found


def import_within(session: Session, scope: Scope, impor_id: int) -> bool | None:
    """Whether every region import ``impor_id`` touched lies inside ``scope``.

    True: all of them do (always for :meth:`Scope.everything`); False: some region lies
    outside; None: no region is recorded for it (logged before migration 0005), so a
    scoped caller cannot tell.
    """
    if scope.regions is None:
        return True
    w = ImporWilayah
    recorded = session.scalar(select(func.count()).where(w.impor_id == impor_id))
    if not recorded:
        return None
    outside = session.scalar(select(func.count()).where(
        w.impor_id == impor_id, not_(scope_clause(w.kode, scope))))  # fmt: skip
    return not outside


# --------------------------------------------------------------------------- layer values
#
# One set-based read per map layer value (bench/layer_values.py): every village of the scope
# with its figures joined in SQL, instead of a village table, a table per figure and pandas
# merges. Rows are fetched through the Core connection (no ORM row objects).


def fetch(session: Session, stmt: Select, columns: list[str]) -> pd.DataFrame:
    """The rows of ``stmt`` as a DataFrame of ``columns``, column by column, through the
    driver's own cursor on the session's connection (same transaction).

    For columns of text and numbers only: values come as the driver returns them, without
    SQLAlchemy's result processing (a SQLite date would stay text, a boolean 0/1), and the
    statement's parameters must be plain values (text, numbers). Skipping SQLAlchemy's row
    objects and the ORM's per-row loading makes a province's rows 2–4× faster to read than
    :func:`frame`.
    """
    rows = _driver_rows(session, stmt)
    if not rows:
        return pd.DataFrame(columns=columns)
    if len(rows[0]) != len(columns):
        raise ValueError(f"{len(columns)} column names for rows of {len(rows[0])}")
    return pd.DataFrame({name: _column(list(map(itemgetter(i), rows)))
                         for i, name in enumerate(columns)})


def _column(values: list[Any]) -> Any:
    """One fetched column as pandas would infer it from the rows (text → ``str``; whole
    numbers → int64, with a missing value float64; bools → bool), converted in one step per
    column (pandas' own inference from a list of tuples took most of the time)."""
    kinds = set(map(type, values))
    missing = type(None) in kinds
    kinds.discard(type(None))
    if kinds == {str}:
        return pd.array(values, dtype="str")
    if kinds == {int}:
        return np.array(values, dtype=float if missing else np.int64)
    if kinds <= {int, float} and kinds:
        return np.array(values, dtype=float)
    if kinds == {bool} and not missing:
        return np.array(values, dtype=bool)
    return pd.Series(list(values)).array  # anything else: pandas decides


def _driver_rows(session: Session, stmt: Select) -> list[tuple[Any, ...]]:
    """``stmt`` compiled for the session's dialect and run on the DBAPI cursor."""
    if session.autoflush:
        session.flush()  # as session.execute would (nothing to do on a clean session)
    connection = session.connection()
    compiled = stmt.compile(dialect=connection.dialect,
                            compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    args: Any = (tuple(params[name] for name in compiled.positiontup or ())
                 if compiled.positional else params)  # fmt: skip
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), args)
        return cursor.fetchall()
    finally:
        cursor.close()


def _latest_population_year(tahun: int) -> Any:
    """SQL: the latest ``penduduk`` year up to ``tahun`` of the village ``wilayah.kode``
    (correlated), as :func:`population` chooses it."""
    p = aliased(Penduduk)
    return (select(func.max(p.tahun))
            .where(p.kode_desa == Wilayah.kode, p.tahun <= tahun)
            .correlate(Wilayah).scalar_subquery())  # fmt: skip


def village_week(session: Session, scope: Scope, penyakit: str, tahun: int,
                 minggu: int) -> pd.DataFrame:  # fmt: skip
    """Every village of the scope with its cases of one disease in one epi week and its
    population of ``tahun`` (the latest earlier year when missing), in one query.

    The same values as :func:`village_table`'s codes left-joined with :func:`weekly_cases`
    and :func:`population`: ``kasus``/``kematian`` empty where the village did not report,
    ``jumlah``/``tahun`` empty where it has no population figure up to ``tahun``.

    Returns
    -------
    DataFrame
        ``kode_desa, kasus, kematian, jumlah, tahun`` sorted by code.
    """
    k, p = KasusMingguan, Penduduk
    stmt = (
        select(Wilayah.kode, k.kasus, k.kematian, p.jumlah, p.tahun)
        .outerjoin(k, and_(k.kode_desa == Wilayah.kode, k.penyakit == penyakit,
                           k.tahun == tahun, k.minggu == minggu))
        .outerjoin(p, and_(p.kode_desa == Wilayah.kode,
                           p.tahun == _latest_population_year(tahun)))
        .where(Wilayah.level == "desa", scope_clause(Wilayah.kode, scope))
        .order_by(Wilayah.kode)
    )  # fmt: skip
    return fetch(session, stmt, ["kode_desa", "kasus", "kematian", "jumlah", "tahun"])


def village_codes(session: Session, scope: Scope) -> list[str]:
    """The codes of the scope's villages, sorted (:func:`village_table`'s ``kode`` from the
    code index alone)."""
    stmt = (select(Wilayah.kode).where(Wilayah.level == "desa", scope_clause(Wilayah.kode, scope))
            .order_by(Wilayah.kode))  # fmt: skip
    return [row[0] for row in _driver_rows(session, stmt)]


def village_count(session: Session, scope: Scope) -> int:
    """How many villages the scope has (a count, not :func:`village_codes`' list: the map
    page needs only the number, 74,840 for the nation)."""
    stmt = select(func.count()).where(Wilayah.level == "desa", scope_clause(Wilayah.kode, scope))
    return int(session.scalar(stmt) or 0)


def case_ranges(session: Session, scope: Scope, penyakit: str,
                ranges: list[tuple[tuple[int, int], tuple[int, int]]]) -> pd.DataFrame:  # fmt: skip
    """:func:`case_matrix` of several week ranges in one query (a rule that reads this
    season of earlier years reads four): the rows of any range, each once.

    Each range is split into its years, each piece an index range
    ``penyakit = ? AND tahun = ? AND minggu >= ? AND minggu <= ?`` (SQLite then reads those
    rows of the ``(penyakit, tahun, minggu)`` index, one index range per piece, instead of
    every row of the disease); the rows come in no particular order.

    Returns
    -------
    DataFrame
        ``kode_desa, tahun, minggu, kasus, kematian``.
    """
    cols = ["kode_desa", "tahun", "minggu", "kasus", "kematian"]
    k = KasusMingguan
    # (year, first week or None, last week or None) of each year of each range
    pieces: set[tuple[int, int | None, int | None]] = set()
    for first, last in ranges:
        (y0, w0), (y1, w1) = (int(first[0]), int(first[1])), (int(last[0]), int(last[1]))
        if (y0, w0) <= (y1, w1):
            pieces.update((year, w0 if year == y0 else None, w1 if year == y1 else None)
                          for year in range(y0, y1 + 1))  # fmt: skip
    if not pieces:
        return pd.DataFrame(columns=cols)
    terms = [and_(k.penyakit == penyakit, k.tahun == year,
                  true() if lo is None else k.minggu >= lo,
                  true() if hi is None else k.minggu <= hi)
             for year, lo, hi in sorted(pieces, key=lambda p: (p[0], p[1] or 0, p[2] or 0))]
    stmt = (select(k.kode_desa, k.tahun, k.minggu, k.kasus, k.kematian)
            .where(or_(*terms), scope_clause(k.kode_desa, scope)))  # fmt: skip
    return fetch(session, stmt, cols)


def village_population(session: Session, scope: Scope, tahun: int) -> pd.DataFrame:
    """:func:`village_table` with each village's population of ``tahun`` (the latest
    earlier year when missing, as :func:`population`), in one query.

    Returns
    -------
    DataFrame
        ``kode, nama, jenis, kode_kec, nama_kec, jumlah, tahun`` sorted by code
        (``jumlah``/``tahun`` empty where the village has no figure up to ``tahun``).
    """
    p = Penduduk
    stmt = (_villages_select(scope, None, with_geometry=False)
            .add_columns(p.jumlah, p.tahun)
            .outerjoin(p, and_(p.kode_desa == Wilayah.kode,
                               p.tahun == _latest_population_year(tahun))))  # fmt: skip
    return fetch(session, stmt, ["kode", "nama", "jenis", "kode_kec", "nama_kec", "jumlah",
                                 "tahun"])  # fmt: skip


def facilities_of(session: Session, scope: Scope, jenis: tuple[str, ...]) -> pd.DataFrame:
    """:func:`facilities` of the kinds ``jenis`` only (the Pustu layer reads Pustu and
    Puskesmas, not the scope's posyandu), by ``id``."""
    f = Fasilitas
    cols = ["id", "nama", "jenis", "kode_desa", "lon", "lat", "status", "perawat", "bidan",
            "induk_id"]  # fmt: skip
    stmt = (select(*(getattr(f, c) for c in cols))
            .where(f.jenis.in_(list(jenis)), scope_clause(f.kode_desa, scope)).order_by(f.id))
    return fetch(session, stmt, cols)
