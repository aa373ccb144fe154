"""Initial schema: all canonical tables, PostGIS geometry, seeded skill lookups.

Revision ID: 0001
Revises:
Create Date: 2025-11-24

On PostgreSQL the ``postgis`` extension is created first and ``wilayah.geometry`` is a
``geometry(MULTIPOLYGON, 4326)`` with a GiST index; on SQLite it is WKB in a BLOB.
The skill lookups (``kelompok_keterampilan``, ``keterampilan``) are seeded from the CSV files
shipped in ``layers/data``.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from importlib.resources import files

import sqlalchemy as sa
from alembic import op

from layers.store.types import Geometry

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _csv(name: str) -> list[dict[str, str]]:
    text = files("layers").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(name=op.f(f"pk_{table}"))


def upgrade() -> None:
    is_pg = op.get_bind().dialect.name == "postgresql"
    if is_pg:
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    pattern = {"postgresql_ops": {"kode_desa": "text_pattern_ops"}}

    op.create_table(
        "impor_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False, primary_key=True),
        sa.Column("jenis", sa.String(), nullable=False),
        sa.Column("file", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows_ok", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("pengguna", sa.String(), nullable=False),
        sa.Column("waktu", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("pesan", sa.Text(), nullable=True),
        _pk("impor_log"),
    )
    op.create_index("ix_impor_log_sha256", "impor_log", ["sha256"])
    kelompok = op.create_table(
        "kelompok_keterampilan",
        sa.Column("kode", sa.String(), nullable=False, primary_key=True),
        sa.Column("urut", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.String(), nullable=False),
        sa.Column("label_en", sa.String(), nullable=False),
        _pk("kelompok_keterampilan"),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(), nullable=False, primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        _pk("meta"),
    )
    op.create_table(
        "pengguna",
        sa.Column("username", sa.String(), nullable=False, primary_key=True),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        _pk("pengguna"),
    )
    op.create_table(
        "wilayah",
        sa.Column("kode", sa.String(), nullable=False, primary_key=True),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("nama", sa.String(), nullable=False),
        sa.Column("induk", sa.String(), nullable=True),
        sa.Column("jenis", sa.String(), nullable=True),
        sa.Column("geometry", Geometry("MULTIPOLYGON"), nullable=True),
        sa.Column("luas_km2", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "jenis IS NULL OR jenis IN ('desa', 'kelurahan')", name=op.f("ck_wilayah_jenis")
        ),
        sa.CheckConstraint(
            "level IN ('prov', 'kab', 'kec', 'desa')", name=op.f("ck_wilayah_level")
        ),
        sa.ForeignKeyConstraint(["induk"], ["wilayah.kode"], name=op.f("fk_wilayah_induk_wilayah")),
        _pk("wilayah"),
    )
    if is_pg:
        op.create_index("ix_wilayah_geometry", "wilayah", ["geometry"], postgresql_using="gist")
    op.create_index("ix_wilayah_induk", "wilayah", ["induk"])
    op.create_index(
        "ix_wilayah_level_kode", "wilayah", ["level", "kode"],
        postgresql_ops={"kode": "text_pattern_ops"},
    )  # fmt: skip
    op.create_table(
        "fasilitas",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False, primary_key=True),
        sa.Column("kode_fasyankes", sa.String(), nullable=True),
        sa.Column("nama", sa.String(), nullable=False),
        sa.Column("jenis", sa.String(), nullable=False),
        sa.Column("kode_desa", sa.String(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("perawat", sa.Integer(), nullable=False),
        sa.Column("bidan", sa.Integer(), nullable=False),
        sa.Column("induk_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('aktif', 'rencana')", name=op.f("ck_fasilitas_status")),
        sa.CheckConstraint("perawat >= 0 AND bidan >= 0", name=op.f("ck_fasilitas_tenaga")),
        sa.ForeignKeyConstraint(
            ["induk_id"], ["fasilitas.id"], name=op.f("fk_fasilitas_induk_id_fasilitas")
        ),
        sa.ForeignKeyConstraint(
            ["kode_desa"], ["wilayah.kode"], name=op.f("fk_fasilitas_kode_desa_wilayah")
        ),
        _pk("fasilitas"),
        sa.UniqueConstraint("kode_fasyankes", name=op.f("uq_fasilitas_kode_fasyankes")),
    )
    op.create_index("ix_fasilitas_kode_desa", "fasilitas", ["kode_desa"], **pattern)
    op.create_table(
        "kasus_mingguan",
        sa.Column("kode_desa", sa.String(), nullable=False, primary_key=True),
        sa.Column("penyakit", sa.String(), nullable=False, primary_key=True),
        sa.Column("tahun", sa.Integer(), nullable=False, primary_key=True),
        sa.Column("minggu", sa.Integer(), nullable=False, primary_key=True),
        sa.Column("kasus", sa.Integer(), nullable=False),
        sa.Column("kematian", sa.Integer(), nullable=False),
        sa.Column("sumber", sa.String(), nullable=True),
        sa.CheckConstraint("kasus >= 0 AND kematian >= 0", name=op.f("ck_kasus_mingguan_jumlah")),
        sa.CheckConstraint("minggu BETWEEN 1 AND 53", name=op.f("ck_kasus_mingguan_minggu")),
        sa.ForeignKeyConstraint(
            ["kode_desa"], ["wilayah.kode"], name=op.f("fk_kasus_mingguan_kode_desa_wilayah")
        ),
        _pk("kasus_mingguan"),
    )
    op.create_index(
        "ix_kasus_mingguan_penyakit_tahun_minggu", "kasus_mingguan",
        ["penyakit", "tahun", "minggu"],
    )  # fmt: skip
    keterampilan = op.create_table(
        "keterampilan",
        sa.Column("kode", sa.String(), nullable=False, primary_key=True),
        sa.Column("kelompok", sa.String(), nullable=False),
        sa.Column("urut", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.String(), nullable=False),
        sa.Column("label_en", sa.String(), nullable=False),
        sa.Column("terkonfirmasi", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kelompok"],
            ["kelompok_keterampilan.kode"],
            name=op.f("fk_keterampilan_kelompok_kelompok_keterampilan"),
        ),  # fmt: skip
        _pk("keterampilan"),
    )
    op.create_table(
        "penduduk",
        sa.Column("kode_desa", sa.String(), nullable=False, primary_key=True),
        sa.Column("tahun", sa.Integer(), nullable=False, primary_key=True),
        sa.Column("jumlah", sa.Integer(), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=True)
            for name in ("bayi", "balita", "bumil", "remaja", "usia_produktif", "lansia")
        ),
        sa.CheckConstraint("jumlah >= 0", name=op.f("ck_penduduk_jumlah")),
        sa.ForeignKeyConstraint(
            ["kode_desa"], ["wilayah.kode"], name=op.f("fk_penduduk_kode_desa_wilayah")
        ),
        _pk("penduduk"),
    )
    op.create_index("ix_penduduk_kode_desa", "penduduk", ["kode_desa"], **pattern)
    op.create_table(
        "kader",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False, primary_key=True),
        sa.Column("kode", sa.String(), nullable=False),
        sa.Column("posyandu_id", sa.Integer(), nullable=True),
        sa.Column("posyandu", sa.String(), nullable=True),
        sa.Column("kode_desa", sa.String(), nullable=False),
        sa.Column("aktif", sa.Boolean(), nullable=False),
        sa.Column("tanggal_asesmen", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["kode_desa"], ["wilayah.kode"], name=op.f("fk_kader_kode_desa_wilayah")
        ),
        sa.ForeignKeyConstraint(
            ["posyandu_id"], ["fasilitas.id"], name=op.f("fk_kader_posyandu_id_fasilitas")
        ),
        _pk("kader"),
        sa.UniqueConstraint("kode", name=op.f("uq_kader_kode")),
    )
    op.create_index("ix_kader_kode_desa", "kader", ["kode_desa"], **pattern)
    op.create_table(
        "kader_keterampilan",
        sa.Column("kader_id", sa.Integer(), nullable=False, primary_key=True),
        sa.Column("keterampilan", sa.String(), nullable=False, primary_key=True),
        sa.Column("lulus", sa.Boolean(), nullable=False),
        sa.Column("tanggal", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["kader_id"],
            ["kader.id"],
            name=op.f("fk_kader_keterampilan_kader_id_kader"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["keterampilan"],
            ["keterampilan.kode"],
            name=op.f("fk_kader_keterampilan_keterampilan_keterampilan"),
        ),  # fmt: skip
        _pk("kader_keterampilan"),
    )

    op.bulk_insert(
        kelompok,
        [
            {"kode": r["kode"], "urut": int(r["urut"]), "label_id": r["label_id"],
             "label_en": r["label_en"]}
            for r in _csv("kelompok_keterampilan.csv")
        ],
    )  # fmt: skip
    op.bulk_insert(
        keterampilan,
        [
            {"kode": r["kode"], "kelompok": r["kelompok"], "urut": int(r["urut"]),
             "label_id": r["label_id"], "label_en": r["label_en"],
             "terkonfirmasi": r["terkonfirmasi"].strip().lower() in ("ya", "1", "true")}
            for r in _csv("keterampilan.csv")
        ],
    )  # fmt: skip


def downgrade() -> None:
    for table in (
        "kader_keterampilan", "kader", "penduduk", "keterampilan", "kasus_mingguan",
        "fasilitas", "wilayah", "pengguna", "meta", "kelompok_keterampilan", "impor_log",
    ):  # fmt: skip
        op.drop_table(table)
