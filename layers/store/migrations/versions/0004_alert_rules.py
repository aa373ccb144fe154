"""Weekly alert rules per disease: ``aturan_peringatan``, seeded from a shipped CSV.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08

One row per disease: the rule type (``fixed_count``, ``ratio_to_baseline``, ``any_case``,
``ears_c1``/``c2``/``c3``), its threshold (``ambang``), baseline weeks, minimum case count,
whether the health office confirmed it, and where the default comes from. Seeded from
``layers/data/aturan_peringatan.csv``; every seeded row is a default marked unconfirmed
(domain.md §4.1: the national SKDR threshold text could not be read). Offices edit the rows.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from importlib.resources import files

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("fixed_count", "ratio_to_baseline", "any_case", "ears_c1", "ears_c2", "ears_c3")


def _csv(name: str) -> list[dict[str, str]]:
    """The seed as it was when this migration was written: a frozen copy beside the
    migrations (``seeds/``), not the shipped, editable ``layers/data`` file, which moves on
    (its diare akut row changed with migration 0006)."""
    text = files("layers").joinpath("store", "migrations", "seeds", name).read_text(
        encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def upgrade() -> None:
    kinds = ", ".join(f"'{k}'" for k in KINDS)
    table = op.create_table(
        "aturan_peringatan",
        sa.Column("penyakit", sa.String(), nullable=False, primary_key=True),
        sa.Column("jenis", sa.String(), nullable=False),
        sa.Column("ambang", sa.Float(), nullable=False),
        sa.Column("minggu_dasar", sa.Integer(), nullable=True),
        sa.Column("minimum_kasus", sa.Integer(), nullable=False),
        sa.Column("terkonfirmasi", sa.Boolean(), nullable=False),
        sa.Column("sumber", sa.Text(), nullable=True),
        sa.Column("catatan", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint(name=op.f("pk_aturan_peringatan")),
        sa.CheckConstraint(f"jenis IN ({kinds})", name=op.f("ck_aturan_peringatan_jenis")),
        sa.CheckConstraint("ambang > 0", name=op.f("ck_aturan_peringatan_ambang")),
        sa.CheckConstraint(
            "minimum_kasus >= 0", name=op.f("ck_aturan_peringatan_minimum_kasus")
        ),  # fmt: skip
        sa.CheckConstraint(
            "minggu_dasar IS NULL OR minggu_dasar >= 1",
            name=op.f("ck_aturan_peringatan_minggu_dasar"),
        ),  # fmt: skip
    )
    op.bulk_insert(
        table,
        [
            {"penyakit": r["penyakit"].strip(), "jenis": r["jenis"].strip(),
             "ambang": float(r["ambang"]),
             "minggu_dasar": int(r["minggu_dasar"]) if r["minggu_dasar"].strip() else None,
             "minimum_kasus": int(r["minimum_kasus"]),
             "terkonfirmasi": r["terkonfirmasi"].strip().lower() in ("ya", "1", "true"),
             "sumber": r["sumber"] or None, "catatan": r["catatan"] or None}
            for r in _csv("0004_aturan_peringatan.csv")
        ],
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("aturan_peringatan")
