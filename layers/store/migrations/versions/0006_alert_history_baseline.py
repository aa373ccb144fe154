"""Alert rule kind ``ratio_to_history``; the diare akut default moves to it when unedited.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-16

The former diare akut default (``ratio_to_baseline``: ≥ 2 × the mean of the previous 4 weeks,
≥ 5 cases) takes an outbreak's own weeks into its baseline and falls silent inside a sustained
outbreak. The new kind ``ratio_to_history`` keeps the "≥ 2 × a baseline mean" form with the
baseline from the same weeks of earlier years, and a 2-week guard band where no earlier year
exists (:mod:`layers.diarrhoea.alerts`).

Upgrade widens the CHECK constraint on ``jenis`` and changes the ``diare_akut`` row to the new
default **only when the office has not touched it**: unconfirmed and still exactly the 0004
seed (kind, threshold, baseline weeks, minimum cases). Downgrade puts that seed back on a row
that is still exactly the new default and unconfirmed; any other ``ratio_to_history`` row
(an office's own) becomes ``ratio_to_baseline`` with the same numbers — the nearest rule the
older schema can hold — and the constraint is narrowed again.

The values are written here, not read from ``layers/data`` (a migration must not change when
the shipped files do); :data:`layers.diarrhoea.rules.DIARE_AKUT` holds the same.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS_0004 = ("fixed_count", "ratio_to_baseline", "any_case", "ears_c1", "ears_c2", "ears_c3")
KINDS = (*KINDS_0004, "ratio_to_history")
CHECK = "ck_aturan_peringatan_jenis"

#: the diare akut default seeded by 0004 (from the CSV of that time)
SEED_0004 = {
    "jenis": "ratio_to_baseline", "ambang": 2.0, "minggu_dasar": 4, "minimum_kasus": 5,
    "sumber": (
        "domain.md §4.1: aturan \"≥ 2× rerata minggu-minggu sebelumnya\" yang lazim dikutip "
        "dalam pelatihan SKDR — BELUM DIKONFIRMASI (teks nilai ambang Pedoman SKDR 2021/2023 "
        "tidak terbaca) / commonly cited SKDR training rule, UNCONFIRMED"
    ),
    "catatan": (
        "BAWAAN — Dinkes wajib mengonfirmasi sebelum dipakai. Peringatan bila kasus minggu ini "
        "≥ 2 × rerata 4 minggu sebelumnya dan ≥ 5 kasus. Alternatif: fixed_count, ambang 15 "
        "kasus/minggu (tabel \"nilai ambang\" di Scribd, asal dan tingkatnya tidak diketahui, "
        "mungkin per Puskesmas). / DEFAULT — the office must confirm it. Alternative: "
        "fixed_count 15/week (one Scribd table, provenance unknown, possibly per Puskesmas)."
    ),
}  # fmt: skip

#: the diare akut default from this revision on
DEFAULT = {
    "jenis": "ratio_to_history", "ambang": 2.0, "minggu_dasar": 5, "minimum_kasus": 5,
    "sumber": (
        "domain.md §4.1: bentuk aturan \"≥ 2× rerata\" yang lazim dikutip dalam pelatihan "
        "SKDR — BELUM DIKONFIRMASI (teks nilai ambang Pedoman SKDR 2021/2023 tidak terbaca); "
        "dasar dari minggu yang sama tahun-tahun sebelumnya (historical limits, Stroup dkk. "
        "1989), tanpa riwayat: jeda 2 minggu seperti EARS C2 (Hutwagner dkk. 2003) / commonly "
        "cited SKDR training rule form, UNCONFIRMED; baseline from the same weeks of earlier "
        "years (historical limits), else a 2-week guard band as in EARS C2"
    ),
    "catatan": (
        "BAWAAN — Dinkes wajib mengonfirmasi sebelum dipakai. Peringatan bila kasus minggu ini "
        "≥ 2 × rerata 5 minggu di sekitar minggu yang sama pada tahun-tahun sebelumnya (hingga "
        "3 tahun; desa tanpa riwayat itu: 5 minggu sebelum jeda 2 minggu) dan ≥ 5 kasus, agar "
        "wabah yang berlangsung beberapa minggu tidak menjadi dasarnya sendiri. Aturan lama: "
        "ratio_to_baseline, ambang 2, 4 minggu sebelumnya. Alternatif: fixed_count, ambang 15 "
        "kasus/minggu (tabel \"nilai ambang\" di Scribd, asal dan tingkatnya tidak diketahui, "
        "mungkin per Puskesmas). / DEFAULT — the office must confirm it. Alert when this week's "
        "cases ≥ 2 × the mean of the 5 weeks around the same week of earlier years (up to 3; "
        "without that history, the 5 weeks before a 2-week guard band) and ≥ 5, so that an "
        "outbreak lasting weeks does not become its own baseline. Former rule: "
        "ratio_to_baseline 2 × previous 4 weeks. Alternative: fixed_count 15/week (one Scribd "
        "table, provenance unknown, possibly per Puskesmas)."
    ),
}  # fmt: skip

rules = sa.table(
    "aturan_peringatan", sa.column("penyakit", sa.String), sa.column("jenis", sa.String),
    sa.column("ambang", sa.Float), sa.column("minggu_dasar", sa.Integer),
    sa.column("minimum_kasus", sa.Integer), sa.column("terkonfirmasi", sa.Boolean),
    sa.column("sumber", sa.Text), sa.column("catatan", sa.Text),
)  # fmt: skip


def _check(kinds: Sequence[str]) -> None:
    listed = ", ".join(f"'{k}'" for k in kinds)
    with op.batch_alter_table("aturan_peringatan") as batch:
        batch.drop_constraint(op.f(CHECK), type_="check")
        batch.create_check_constraint(op.f(CHECK), f"jenis IN ({listed})")


def _unedited(values: dict[str, object]) -> sa.ColumnElement[bool]:
    """The diare akut row, unconfirmed, with exactly these rule numbers."""
    return sa.and_(
        rules.c.penyakit == "diare_akut", rules.c.terkonfirmasi == sa.false(),
        rules.c.jenis == values["jenis"], rules.c.ambang == values["ambang"],
        rules.c.minggu_dasar == values["minggu_dasar"],
        rules.c.minimum_kasus == values["minimum_kasus"],
    )  # fmt: skip


def upgrade() -> None:
    _check(KINDS)
    op.execute(rules.update().where(_unedited(SEED_0004)).values(**DEFAULT))


def downgrade() -> None:
    op.execute(rules.update().where(_unedited(DEFAULT)).values(**SEED_0004))
    op.execute(rules.update().where(rules.c.jenis == "ratio_to_history").values(
        jenis="ratio_to_baseline", minggu_dasar=sa.func.coalesce(rules.c.minggu_dasar, 5)))
    _check(KINDS_0004)
