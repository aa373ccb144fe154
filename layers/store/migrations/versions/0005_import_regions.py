"""Import regions and trusted loads: ``impor_wilayah``, status ``dimuat``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-15

``impor_wilayah`` lists the regions each import touched (the codes of the rows it wrote or
overwrote; for a rejected attempt, the regions of the scope it was attempted in). The import
log and undo are scoped by it: a scoped deployment lists the imports that touched its
regions and undoes only an import whose regions all lie inside them.

Existing log rows get no regions (what they touched was not recorded): only an unscoped
deployment (or ``pws imports`` / ``pws undo`` without ``--scope``) lists them or undoes them.

The trusted demo loader (``pws load-demo``) used to log its files as ``ok``, like an
importer, so they looked undoable. Its rows are the ``ok`` rows without ``pesan`` (the
importers always write their counts there); upgrade marks them ``dimuat`` (loaded by a
trusted loader: not undoable). Downgrade turns them back into ``ok`` and drops the table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

impor_log = sa.table("impor_log", sa.column("status", sa.String), sa.column("pesan", sa.Text))


def upgrade() -> None:
    op.create_table(
        "impor_wilayah",
        sa.Column("impor_id", sa.Integer(), nullable=False, primary_key=True),
        sa.Column("kode", sa.String(), nullable=False, primary_key=True),
        sa.ForeignKeyConstraint(["impor_id"], ["impor_log.id"],
                                name=op.f("fk_impor_wilayah_impor_id_impor_log"),
                                ondelete="CASCADE"),  # fmt: skip
        sa.PrimaryKeyConstraint(name=op.f("pk_impor_wilayah")),
    )
    op.create_index("ix_impor_wilayah_kode", "impor_wilayah", ["kode"],
                    postgresql_ops={"kode": "text_pattern_ops"})  # fmt: skip
    op.execute(impor_log.update()
               .where(impor_log.c.status == "ok", impor_log.c.pesan.is_(None))
               .values(status="dimuat"))  # fmt: skip


def downgrade() -> None:
    op.execute(impor_log.update().where(impor_log.c.status == "dimuat").values(status="ok"))
    op.drop_index("ix_impor_wilayah_kode", table_name="impor_wilayah")
    op.drop_table("impor_wilayah")
