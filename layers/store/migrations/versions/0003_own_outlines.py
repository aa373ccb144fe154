"""Own outlines as a column: ``wilayah.batas_sendiri``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

A kecamatan/kabupaten/province row whose outline came from its own file (a region-level
``batas`` import) must not be overwritten by a dissolve of villages. Until now that was
read from the import log (``<level>_sendiri`` > 0 in the JSON ``written`` counts of
``impor_log.pesan`` of the import that last wrote the row); now it is the column
``batas_sendiri`` (true: own outline, false: a dissolve).

Upgrade fills the column, and the ``wilayah`` rows saved in ``impor_cadangan``, from that
old rule, so stores migrate with their own outlines kept and undo restores the flag.
Downgrade drops the column and the key from the backups.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REGION_LEVELS = ("prov", "kab", "kec")

wilayah = sa.table(
    "wilayah", sa.column("impor_id", sa.Integer), sa.column("level", sa.String),
    sa.column("batas_sendiri", sa.Boolean),
)  # fmt: skip
impor_log = sa.table("impor_log", sa.column("id", sa.Integer), sa.column("jenis", sa.String),
                     sa.column("pesan", sa.Text))  # fmt: skip
cadangan = sa.table("impor_cadangan", sa.column("id", sa.Integer),
                    sa.column("tabel", sa.String), sa.column("baris", sa.Text))  # fmt: skip


def _own_levels(conn: sa.Connection) -> dict[int, set[str]]:
    """Per ``batas`` import, the levels it wrote from their own file (the old rule)."""
    out: dict[int, set[str]] = {}
    rows = conn.execute(sa.select(impor_log.c.id, impor_log.c.pesan)
                        .where(impor_log.c.jenis == "batas"))  # fmt: skip
    for iid, pesan in rows:
        try:
            written = json.loads(pesan or "{}").get("written") or {}
        except (ValueError, AttributeError):
            continue
        levels = {lvl for lvl in REGION_LEVELS if written.get(f"{lvl}_sendiri")}
        if levels:
            out[iid] = levels
    return out


def _rewrite_backups(conn: sa.Connection, change: Callable[[dict[str, Any]], object]
                     ) -> None:  # fmt: skip
    """Apply ``change(row)`` to every ``wilayah`` row saved in ``impor_cadangan``."""
    backups = conn.execute(sa.select(cadangan.c.id, cadangan.c.baris)
                           .where(cadangan.c.tabel == "wilayah")).all()  # fmt: skip
    for bid, baris in backups:
        rows = json.loads(baris)
        for row in rows:
            change(row)
        conn.execute(sa.update(cadangan).where(cadangan.c.id == bid)
                     .values(baris=json.dumps(rows)))  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("wilayah", recreate="never") as batch:  # plain ADD COLUMN
        batch.add_column(sa.Column("batas_sendiri", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))  # fmt: skip
    conn = op.get_bind()
    own = _own_levels(conn)
    for iid, levels in own.items():
        conn.execute(sa.update(wilayah)
                     .where(wilayah.c.impor_id == iid, wilayah.c.level.in_(sorted(levels)))
                     .values(batas_sendiri=True))  # fmt: skip

    def mark(row: dict[str, Any]) -> None:
        row["batas_sendiri"] = row.get("level") in own.get(row.get("impor_id") or 0, set())

    _rewrite_backups(conn, mark)


def downgrade() -> None:
    _rewrite_backups(op.get_bind(), lambda row: row.pop("batas_sendiri", None))
    # no copy of the table on SQLite (its DROP COLUMN, 3.35+, suffices): copying ``wilayah``
    # means dropping it, which the foreign keys onto it refuse when it holds rows
    with op.batch_alter_table("wilayah", recreate="never") as batch:
        batch.drop_column("batas_sendiri")
