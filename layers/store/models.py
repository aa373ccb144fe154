"""SQLAlchemy models of the canonical tables (design.md §4), Indonesian table names.

Owns the schema: table and column names, keys, constraints and the indexes the queries in
:mod:`layers.store.queries` need. The Alembic migrations in ``migrations/versions`` create
exactly this schema (a test compares them).

Conventions
-----------
* Region codes are always text, dotted (``35.10.01.2001``); never numbers.
* ``wilayah`` is the master list of regions at every level (prov/kab/kec/desa); fact tables
  reference village codes in it.
* Scale-out: the fact tables (``penduduk``, ``fasilitas``, ``kasus_mingguan``, ``kader``,
  ``kader_keterampilan``) are keyed and filtered by village code, so they can later be
  distributed by kabupaten code (Citus) while ``wilayah``, the skill lookups, ``pengguna``
  and ``meta`` stay reference tables. Queries always filter fact tables by a code prefix,
  never by joins that would need co-location beyond the region code.
* Prefix filters (``kode LIKE '35.10.%'``): on PostgreSQL the code indexes use
  ``text_pattern_ops`` so LIKE-prefix can use them whatever the database collation.
"""

from __future__ import annotations

import datetime as dt

from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from layers.store.types import Geometry

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LEVELS = ("prov", "kab", "kec", "desa")


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so constraint names are stable."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _pattern_index(name: str, column: str) -> Index:
    """A code index usable by ``LIKE 'prefix%'`` (``text_pattern_ops`` on PostgreSQL)."""
    return Index(name, column, postgresql_ops={column: "text_pattern_ops"})


def _impor_id() -> Mapped[int | None]:
    """Which import last wrote the row (NULL: the trusted demo loader); see impor_cadangan."""
    return mapped_column(Integer, nullable=True, index=True)


class Wilayah(Base):
    """A region at any level; villages carry the geometry everything else is drawn with."""

    __tablename__ = "wilayah"

    kode: Mapped[str] = mapped_column(String, primary_key=True)
    level: Mapped[str] = mapped_column(String, nullable=False)
    nama: Mapped[str] = mapped_column(String, nullable=False)
    induk: Mapped[str | None] = mapped_column(ForeignKey("wilayah.kode"), nullable=True)
    jenis: Mapped[str | None] = mapped_column(String, nullable=True)
    geometry: Mapped[BaseGeometry | None] = mapped_column(Geometry("MULTIPOLYGON"), nullable=True)
    luas_km2: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: the outline came from the region's own file (a region-level ``batas`` import), not a
    #: dissolve of its villages: village imports then leave it alone (migration 0003)
    batas_sendiri: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                server_default=false())  # fmt: skip

    impor_id: Mapped[int | None] = _impor_id()

    __table_args__ = (
        CheckConstraint("level IN ('prov', 'kab', 'kec', 'desa')", name="level"),
        CheckConstraint("jenis IS NULL OR jenis IN ('desa', 'kelurahan')", name="jenis"),
        Index(
            "ix_wilayah_level_kode", "level", "kode", postgresql_ops={"kode": "text_pattern_ops"}
        ),  # fmt: skip
        Index("ix_wilayah_induk", "induk"),
        Index("ix_wilayah_geometry", "geometry", postgresql_using="gist").ddl_if(
            dialect="postgresql"
        ),
    )


class Penduduk(Base):
    """Population of a village in a year, with optional target groups."""

    __tablename__ = "penduduk"

    kode_desa: Mapped[str] = mapped_column(ForeignKey("wilayah.kode"), primary_key=True)
    tahun: Mapped[int] = mapped_column(Integer, primary_key=True)
    jumlah: Mapped[int] = mapped_column(Integer, nullable=False)
    bayi: Mapped[int | None] = mapped_column(Integer, nullable=True)
    balita: Mapped[int | None] = mapped_column(Integer, nullable=True)
    bumil: Mapped[int | None] = mapped_column(Integer, nullable=True)
    remaja: Mapped[int | None] = mapped_column(Integer, nullable=True)
    usia_produktif: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lansia: Mapped[int | None] = mapped_column(Integer, nullable=True)

    impor_id: Mapped[int | None] = _impor_id()

    __table_args__ = (
        CheckConstraint("jumlah >= 0", name="jumlah"),
        _pattern_index("ix_penduduk_kode_desa", "kode_desa"),
    )


class Fasilitas(Base):
    """A health facility (puskesmas, pustu, posyandu, …) located in a village."""

    __tablename__ = "fasilitas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kode_fasyankes: Mapped[str | None] = mapped_column(String, nullable=True, unique=True)
    nama: Mapped[str] = mapped_column(String, nullable=False)
    jenis: Mapped[str] = mapped_column(String, nullable=False)
    kode_desa: Mapped[str] = mapped_column(ForeignKey("wilayah.kode"), nullable=False)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str] = mapped_column(String, nullable=False, default="aktif")
    perawat: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    bidan: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    induk_id: Mapped[int | None] = mapped_column(ForeignKey("fasilitas.id"), nullable=True)

    impor_id: Mapped[int | None] = _impor_id()

    __table_args__ = (
        CheckConstraint("status IN ('aktif', 'rencana')", name="status"),
        CheckConstraint("perawat >= 0 AND bidan >= 0", name="tenaga"),
        _pattern_index("ix_fasilitas_kode_desa", "kode_desa"),
    )


class KasusMingguan(Base):
    """Weekly case counts of one disease in one village (epi week, see layers.epiweek)."""

    __tablename__ = "kasus_mingguan"

    kode_desa: Mapped[str] = mapped_column(ForeignKey("wilayah.kode"), primary_key=True)
    penyakit: Mapped[str] = mapped_column(String, primary_key=True)
    tahun: Mapped[int] = mapped_column(Integer, primary_key=True)
    minggu: Mapped[int] = mapped_column(Integer, primary_key=True)
    kasus: Mapped[int] = mapped_column(Integer, nullable=False)
    kematian: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    sumber: Mapped[str | None] = mapped_column(String, nullable=True)

    impor_id: Mapped[int | None] = _impor_id()

    __table_args__ = (
        CheckConstraint("kasus >= 0 AND kematian >= 0", name="jumlah"),
        CheckConstraint("minggu BETWEEN 1 AND 53", name="minggu"),
        Index("ix_kasus_mingguan_penyakit_tahun_minggu", "penyakit", "tahun", "minggu"),
    )


class KelompokKeterampilan(Base):
    """A group of kader skills (5 groups, shipped lookup)."""

    __tablename__ = "kelompok_keterampilan"

    kode: Mapped[str] = mapped_column(String, primary_key=True)
    urut: Mapped[int] = mapped_column(Integer, nullable=False)
    label_id: Mapped[str] = mapped_column(String, nullable=False)
    label_en: Mapped[str] = mapped_column(String, nullable=False)


class Keterampilan(Base):
    """One of the 25 kader skills (shipped, editable lookup)."""

    __tablename__ = "keterampilan"

    kode: Mapped[str] = mapped_column(String, primary_key=True)
    kelompok: Mapped[str] = mapped_column(ForeignKey("kelompok_keterampilan.kode"), nullable=False)
    urut: Mapped[int] = mapped_column(Integer, nullable=False)
    label_id: Mapped[str] = mapped_column(String, nullable=False)
    label_en: Mapped[str] = mapped_column(String, nullable=False)
    terkonfirmasi: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Kader(Base):
    """A community health worker (kader) attached to a posyandu in a village."""

    __tablename__ = "kader"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kode: Mapped[str] = mapped_column(String, nullable=False, unique=True)
    posyandu_id: Mapped[int | None] = mapped_column(ForeignKey("fasilitas.id"), nullable=True)
    posyandu: Mapped[str | None] = mapped_column(String, nullable=True)
    kode_desa: Mapped[str] = mapped_column(ForeignKey("wilayah.kode"), nullable=False)
    aktif: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    tanggal_asesmen: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    impor_id: Mapped[int | None] = _impor_id()

    __table_args__ = (_pattern_index("ix_kader_kode_desa", "kode_desa"),)


class KaderKeterampilan(Base):
    """Whether a kader passed the assessment of one skill."""

    __tablename__ = "kader_keterampilan"

    kader_id: Mapped[int] = mapped_column(
        ForeignKey("kader.id", ondelete="CASCADE"), primary_key=True
    )
    keterampilan: Mapped[str] = mapped_column(ForeignKey("keterampilan.kode"), primary_key=True)
    lulus: Mapped[bool] = mapped_column(Boolean, nullable=False)
    tanggal: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    impor_id: Mapped[int | None] = _impor_id()


#: ``impor_log.status`` values: written by an importer (undoable), written by a trusted
#: loader (``pws load-demo``: not undoable, and nothing before it can be undone), rejected,
#: undone, checked (a dry run; never logged)
LOG_STATUSES = ("ok", "dimuat", "ditolak", "dibatalkan", "diperiksa")


class ImporLog(Base):
    """One import of one file: who, when, what, how many rows, outcome (:data:`LOG_STATUSES`).

    The regions it touched are in ``impor_wilayah``.
    """

    __tablename__ = "impor_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    jenis: Mapped[str] = mapped_column(String, nullable=False)
    file: Mapped[str] = mapped_column(String, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    rows_ok: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    pengguna: Mapped[str] = mapped_column(String, nullable=False)
    waktu: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    status: Mapped[str] = mapped_column(String, nullable=False)
    pesan: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_impor_log_sha256", "sha256"),)


class ImporWilayah(Base):
    """A region one import touched (migration 0005): what scopes its log row and its undo.

    For a written import: the codes of the rows it wrote or overwrote (village codes for
    facts; the file's own region codes for boundaries — the parents it re-dissolved are
    implied by them and not listed). For a rejected attempt: the regions of the scope it was
    attempted in. An import with no rows here (logged before migration 0005, or attempted
    without a scope) is listed and undone only without a scope.
    """

    __tablename__ = "impor_wilayah"

    impor_id: Mapped[int] = mapped_column(
        ForeignKey("impor_log.id", ondelete="CASCADE"), primary_key=True
    )
    kode: Mapped[str] = mapped_column(String, primary_key=True)

    __table_args__ = (_pattern_index("ix_impor_wilayah_kode", "kode"),)


class Pengguna(Base):
    """A user account; ``scope`` is a comma-separated list of region codes."""

    __tablename__ = "pengguna"

    username: Mapped[str] = mapped_column(String, primary_key=True)
    password_hash: Mapped[str] = mapped_column(String, nullable=False)
    role: Mapped[str] = mapped_column(String, nullable=False)
    scope: Mapped[str] = mapped_column(Text, nullable=False, default="")


class Meta(Base):
    """Key/value settings of the store, e.g. ``geometry_version``."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class ImporCadangan(Base):
    """Rows an import overwrote, as JSON, so that undoing the import can put them back."""

    __tablename__ = "impor_cadangan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    impor_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    tabel: Mapped[str] = mapped_column(String, nullable=False)
    baris: Mapped[str] = mapped_column(Text, nullable=False)


class AturanPeringatan(Base):
    """The weekly alert rule of one disease (shipped defaults, editable; migration 0004).

    ``jenis`` is one of ``fixed_count``, ``ratio_to_baseline``, ``ratio_to_history``,
    ``any_case``, ``ears_c1``,
    ``ears_c2``, ``ears_c3``; see :mod:`layers.diarrhoea.rules`. ``terkonfirmasi`` stays false
    until the health office confirms the values; ``sumber``/``catatan`` say where they came from.
    """

    __tablename__ = "aturan_peringatan"

    penyakit: Mapped[str] = mapped_column(String, primary_key=True)
    jenis: Mapped[str] = mapped_column(String, nullable=False)
    ambang: Mapped[float] = mapped_column(Float, nullable=False)
    minggu_dasar: Mapped[int | None] = mapped_column(Integer, nullable=True)
    minimum_kasus: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    terkonfirmasi: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    sumber: Mapped[str | None] = mapped_column(Text, nullable=True)
    catatan: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (
        CheckConstraint("jenis IN ('fixed_count', 'ratio_to_baseline', 'ratio_to_history', "
                        "'any_case', 'ears_c1', "
                        "'ears_c2', 'ears_c3')", name="jenis"),  # fmt: skip
        CheckConstraint("ambang > 0", name="ambang"),
        CheckConstraint("minimum_kasus >= 0", name="minimum_kasus"),
        CheckConstraint("minggu_dasar IS NULL OR minggu_dasar >= 1", name="minggu_dasar"),
    )


class RencanaPustu(Base):
    """A saved Pustu plan (issue 9; migration 0007): villages chosen for new Pustu in a region.

    ``kode_wilayah`` is the region the plan belongs to (its scope: listed and loaded only by
    a scope that allows it); ``desa`` the chosen village codes as a JSON list, in the plan's
    order; ``jarak_m`` and ``puskesmas_melayani`` the options it was made with; ``metode``
    ``greedy``, ``highs``, ``spopt`` or ``manual`` (edited by hand); ``terlayani_baru`` /
    ``cakupan_persen`` the population newly served and the coverage when it was saved. No
    foreign key to ``wilayah``: a boundary reload must never be blocked by a plan (a code
    that no longer exists is reported when the plan is loaded).
    """

    __tablename__ = "rencana_pustu"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    nama: Mapped[str] = mapped_column(String, nullable=False)
    kode_wilayah: Mapped[str] = mapped_column(String, nullable=False)
    desa: Mapped[str] = mapped_column(Text, nullable=False)
    jarak_m: Mapped[float] = mapped_column(Float, nullable=False)
    puskesmas_melayani: Mapped[bool] = mapped_column(Boolean, nullable=False)
    metode: Mapped[str] = mapped_column(String, nullable=False)
    terlayani_baru: Mapped[float | None] = mapped_column(Float, nullable=True)
    cakupan_persen: Mapped[float | None] = mapped_column(Float, nullable=True)
    pengguna: Mapped[str | None] = mapped_column(String, nullable=True)
    dibuat: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    catatan: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (
        UniqueConstraint("kode_wilayah", "nama"),
        CheckConstraint("jarak_m > 0", name="jarak_m"),
        CheckConstraint("metode IN ('greedy', 'highs', 'spopt', 'manual')", name="metode"),
        _pattern_index("ix_rencana_pustu_kode_wilayah", "kode_wilayah"),
    )


class DekPresentasi(Base):
    """The saved slide deck of a region (issue 11; migration 0008): which slides, in which
    order, hidden or not, as a JSON list ``[{"id": "diare", "hidden": false}, ...]``.

    One row per region (``kode_wilayah``, its scope); a region without a row uses the
    default deck (:func:`layers.present.decks.default_deck`). No foreign key to ``wilayah``.
    """

    __tablename__ = "dek_presentasi"

    kode_wilayah: Mapped[str] = mapped_column(String, primary_key=True)
    slide: Mapped[str] = mapped_column(Text, nullable=False)
    pengguna: Mapped[str | None] = mapped_column(String, nullable=True)
    diubah: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (_pattern_index("ix_dek_presentasi_kode_wilayah", "kode_wilayah"),)


class Notulen(Base):
    """The minutes (notulen) of one lokakarya mini of a region on a date (migration 0008):
    the actions agreed — who, what, by when — as a JSON list
    ``[{"siapa": ..., "apa": ..., "kapan": "YYYY-MM-DD"}, ...]``, and the epi week shown.
    """

    __tablename__ = "notulen"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kode_wilayah: Mapped[str] = mapped_column(String, nullable=False)
    tanggal: Mapped[dt.date] = mapped_column(Date, nullable=False)
    minggu: Mapped[str | None] = mapped_column(String, nullable=True)
    tindakan: Mapped[str] = mapped_column(Text, nullable=False)
    pengguna: Mapped[str | None] = mapped_column(String, nullable=True)
    diubah: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        UniqueConstraint("kode_wilayah", "tanggal"),
        _pattern_index("ix_notulen_kode_wilayah", "kode_wilayah"),
    )
