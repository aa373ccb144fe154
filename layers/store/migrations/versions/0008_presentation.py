"""Presentation decks and meeting minutes: ``dek_presentasi``, ``notulen``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

Issue 11. ``dek_presentasi``: one row per region, the slides of its lokakarya mini deck in
order with a hidden flag (JSON); a region without a row shows the default deck.
``notulen``: the actions agreed at a meeting (who, what, by when; JSON) per region and date,
with the epi week shown. No foreign key to ``wilayah`` (a boundary reload must never be
blocked by minutes). Downgrade drops both tables with their rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dek_presentasi",
        sa.Column("kode_wilayah", sa.String(), nullable=False),
        sa.Column("slide", sa.Text(), nullable=False),
        sa.Column("pengguna", sa.String(), nullable=True),
        sa.Column("diubah", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kode_wilayah", name=op.f("pk_dek_presentasi")),
    )
    op.create_index("ix_dek_presentasi_kode_wilayah", "dek_presentasi", ["kode_wilayah"],
                    postgresql_ops={"kode_wilayah": "text_pattern_ops"})  # fmt: skip
    op.create_table(
        "notulen",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("kode_wilayah", sa.String(), nullable=False),
        sa.Column("tanggal", sa.Date(), nullable=False),
        sa.Column("minggu", sa.String(), nullable=True),
        sa.Column("tindakan", sa.Text(), nullable=False),
        sa.Column("pengguna", sa.String(), nullable=True),
        sa.Column("diubah", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notulen")),
        sa.UniqueConstraint("kode_wilayah", "tanggal",
                            name=op.f("uq_notulen_kode_wilayah_tanggal")),  # fmt: skip
    )
    op.create_index("ix_notulen_kode_wilayah", "notulen", ["kode_wilayah"],
                    postgresql_ops={"kode_wilayah": "text_pattern_ops"})  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_notulen_kode_wilayah", table_name="notulen")
    op.drop_table("notulen")
    op.drop_index("ix_dek_presentasi_kode_wilayah", table_name="dek_presentasi")
    op.drop_table("dek_presentasi")
