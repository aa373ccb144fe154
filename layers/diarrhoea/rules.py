"""Weekly alert rules per disease: the rule model, the shipped defaults, the store loader.

Rules are data, not code: each disease has one row in the table ``aturan_peringatan``
(migration 0004), seeded from ``layers/data/aturan_peringatan.csv`` and editable by the
health office. A rule says *how* :func:`layers.diarrhoea.alerts.weekly_alerts` decides:

``fixed_count``
    alert when this week's count ≥ ``ambang`` (and ≥ ``minimum_kasus``).
``ratio_to_baseline``
    alert when this week's count ≥ ``ambang`` × the mean of the previous ``minggu_dasar``
    weeks (and ≥ ``minimum_kasus``).
``any_case``
    alert on any case (count ≥ max(1, ``minimum_kasus``)); ``ambang`` is ignored.
``ears_c1`` / ``ears_c2`` / ``ears_c3``
    the CDC EARS C1/C2/C3 statistics over ``minggu_dasar`` (default 7) baseline weeks, alert
    when the statistic ≥ ``ambang`` (3 for C1/C2, 2 for C3 by the EARS convention).

The shipped defaults are *defaults the office must confirm* (``terkonfirmasi`` false): the
national SKDR threshold text was not available (domain.md §4.1), so the diare akut default —
≥ 2× the mean of the previous 4 weeks with at least 5 cases — is the commonly cited training
rule, unconfirmed; the fixed 15 cases/week seen in one table is the documented alternative.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Literal, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from layers.store.models import AturanPeringatan

RuleKind = Literal["fixed_count", "ratio_to_baseline", "any_case", "ears_c1", "ears_c2",
                   "ears_c3"]  # fmt: skip
KINDS: tuple[str, ...] = get_args(RuleKind)
EARS_KINDS = ("ears_c1", "ears_c2", "ears_c3")
#: EARS baseline length (7 periods: Hutwagner et al. 2003), used when ``minggu_dasar`` is empty
EARS_BASELINE = 7
DEFAULTS_CSV = "aturan_peringatan.csv"


@dataclass(frozen=True)
class Rule:
    """The weekly alert rule of one disease (one row of ``aturan_peringatan``).

    Parameters
    ----------
    penyakit
        Disease code as in ``kasus_mingguan.penyakit`` (``diare_akut``).
    jenis
        One of :data:`KINDS`.
    ambang
        Threshold: a count (``fixed_count``), a multiple of the baseline mean
        (``ratio_to_baseline``) or a statistic (EARS). Ignored by ``any_case``.
    minggu_dasar
        Baseline weeks (``ratio_to_baseline`` needs it; EARS default 7; else unused).
    minimum_kasus
        No alert below this many cases, whatever the rule says (guards small baselines).
    terkonfirmasi
        Whether the health office confirmed the values (false for every shipped default).
    sumber, catatan
        Where the values come from; free notes (alternatives, caveats).
    """

    penyakit: str
    jenis: RuleKind
    ambang: float
    minggu_dasar: int | None = None
    minimum_kasus: int = 1
    terkonfirmasi: bool = False
    sumber: str = field(default="", compare=False)
    catatan: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.jenis not in KINDS:
            raise ValueError(f"unknown rule type {self.jenis!r}; expected one of {KINDS}")
        if not (math.isfinite(self.ambang) and self.ambang > 0):
            raise ValueError(f"ambang must be a positive number, not {self.ambang!r}")
        if self.minimum_kasus < 0:
            raise ValueError("minimum_kasus must be ≥ 0")
        if self.jenis in EARS_KINDS and self.minggu_dasar is None:
            object.__setattr__(self, "minggu_dasar", EARS_BASELINE)
        if self.jenis == "ratio_to_baseline" and self.minggu_dasar is None:
            raise ValueError("ratio_to_baseline needs minggu_dasar (baseline weeks)")
        if self.minggu_dasar is not None and self.minggu_dasar < 1:
            raise ValueError("minggu_dasar must be ≥ 1")
        if self.jenis in EARS_KINDS and self.minggu_dasar is not None and self.minggu_dasar < 2:
            raise ValueError("EARS needs at least 2 baseline weeks (a standard deviation)")

    @property
    def needs_baseline(self) -> bool:
        """True for the rules that compare with previous weeks."""
        return self.jenis not in ("fixed_count", "any_case")


def _truthy(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("ya", "1", "true", "yes")


def rule_from_mapping(row: Mapping[str, object]) -> Rule:
    """A :class:`Rule` from a CSV row or a table row (strings or typed values)."""
    md = row.get("minggu_dasar")
    md_int = None if md is None or str(md).strip() == "" else int(str(md))
    return Rule(
        penyakit=str(row["penyakit"]).strip(),
        jenis=str(row["jenis"]).strip(),  # type: ignore[arg-type]
        ambang=float(str(row["ambang"])),
        minggu_dasar=md_int,
        minimum_kasus=int(str(row.get("minimum_kasus") or 0)),
        terkonfirmasi=_truthy(row.get("terkonfirmasi")),
        sumber=str(row.get("sumber") or ""),
        catatan=str(row.get("catatan") or ""),
    )


def default_rules() -> dict[str, Rule]:
    """The shipped defaults (``layers/data/aturan_peringatan.csv``), keyed by disease.

    The store is seeded from the same file (migration 0004); the store is the source of truth
    once it exists (:func:`load_rules`), this is for tests and store-less use.
    """
    text = files("layers").joinpath("data", DEFAULTS_CSV).read_text(encoding="utf-8")
    rules = [rule_from_mapping(r) for r in csv.DictReader(text.splitlines())]
    return {r.penyakit: r for r in rules}


def load_rules(session: Session) -> dict[str, Rule]:
    """Every rule in the store's ``aturan_peringatan`` table, keyed by disease.

    A reference table (like the skill lookups), not regional data, so no scope applies.
    """
    t = AturanPeringatan
    rows = session.execute(
        select(t.penyakit, t.jenis, t.ambang, t.minggu_dasar, t.minimum_kasus,
               t.terkonfirmasi, t.sumber, t.catatan).order_by(t.penyakit)
    ).mappings()  # fmt: skip
    return {r["penyakit"]: rule_from_mapping(r) for r in rows}
