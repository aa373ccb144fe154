"""Saved Pustu plans: ``rencana_pustu``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-20

One row per plan saved by name (issue 9, item 4): the region it belongs to (its scope), the
chosen village codes as a JSON list, the options it was made with (distance, whether a
Puskesmas serves its village), the method (``greedy``, ``highs``, ``spopt``, ``manual``), the
population newly served and the coverage when saved, who and when. A name is unique within
its region. No foreign key to ``wilayah`` (a boundary reload must never be blocked by a
plan). Downgrade drops the table and its plans.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rencana_pustu",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("nama", sa.String(), nullable=False),
        sa.Column("kode_wilayah", sa.String(), nullable=False),
        sa.Column("desa", sa.Text(), nullable=False),
        sa.Column("jarak_m", sa.Float(), nullable=False),
        sa.Column("puskesmas_melayani", sa.Boolean(), nullable=False),
        sa.Column("metode", sa.String(), nullable=False),
        sa.Column("terlayani_baru", sa.Float(), nullable=True),
        sa.Column("cakupan_persen", sa.Float(), nullable=True),
        sa.Column("pengguna", sa.String(), nullable=True),
        sa.Column("dibuat", sa.DateTime(timezone=True), nullable=False),
        sa.Column("catatan", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rencana_pustu")),
        sa.UniqueConstraint("kode_wilayah", "nama",
                            name=op.f("uq_rencana_pustu_kode_wilayah_nama")),  # fmt: skip
        sa.CheckConstraint("jarak_m > 0", name=op.f("ck_rencana_pustu_jarak_m")),
        sa.CheckConstraint("metode IN ('greedy', 'highs', 'spopt', 'manual')",
                           name=op.f("ck_rencana_pustu_metode")),  # fmt: skip
    )
    op.create_index("ix_rencana_pustu_kode_wilayah", "rencana_pustu", ["kode_wilayah"],
                    postgresql_ops={"kode_wilayah": "text_pattern_ops"})  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_rencana_pustu_kode_wilayah", table_name="rencana_pustu")
    op.drop_table("rencana_pustu")
