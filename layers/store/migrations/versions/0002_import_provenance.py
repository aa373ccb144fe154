"""Import provenance and undo: ``impor_id`` on every data table, ``impor_cadangan`` backups.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

Every row written by an import carries the id of that import (``impor_id``; NULL for rows
loaded by the trusted demo loader). Rows an import overwrote are kept as JSON in
``impor_cadangan``, so undoing the import deletes its rows and puts those back.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("wilayah", "penduduk", "fasilitas", "kasus_mingguan", "kader", "kader_keterampilan")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("impor_id", sa.Integer(), nullable=True))
            batch.create_index(f"ix_{table}_impor_id", ["impor_id"])
    op.create_table(
        "impor_cadangan",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("impor_id", sa.Integer(), nullable=False),
        sa.Column("tabel", sa.String(), nullable=False),
        sa.Column("baris", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impor_cadangan")),
    )
    op.create_index("ix_impor_cadangan_impor_id", "impor_cadangan", ["impor_id"])


def downgrade() -> None:
    op.drop_index("ix_impor_cadangan_impor_id", table_name="impor_cadangan")
    op.drop_table("impor_cadangan")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_impor_id")
            batch.drop_column("impor_id")
