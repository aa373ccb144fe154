"""Weekly alert rules per disease: the rule model, the shipped defaults, the store loader.

Rules are data, not code: each disease has one row in the table ``aturan_peringatan``
(migration 0004; kind ``ratio_to_history`` and the current diare akut default: 0006), seeded
from ``layers/data/aturan_peringatan.csv`` and editable by the health office. A rule says
*how* :func:`layers.diarrhoea.alerts.weekly_alerts` decides:

``fixed_count``
    alert when this week's count ≥ ``ambang`` (and ≥ ``minimum_kasus``).
``ratio_to_baseline``
    alert when this week's count ≥ ``ambang`` × the mean of the previous ``minggu_dasar``
    weeks (and ≥ ``minimum_kasus``).
``ratio_to_history``
    alert when this week's count ≥ ``ambang`` × the mean of the ``minggu_dasar`` weeks around
    the same week of the earlier years (up to :data:`HISTORY_YEARS`); a village without
    that history uses the ``minggu_dasar`` weeks before a :data:`GUARD_WEEKS`-week guard band
    (and ≥ ``minimum_kasus``). See :mod:`layers.diarrhoea.alerts` for why.
``any_case``
    alert on any case (count ≥ max(1, ``minimum_kasus``)); ``ambang`` is ignored.
``ears_c1`` / ``ears_c2`` / ``ears_c3``
    the CDC EARS C1/C2/C3 statistics over ``minggu_dasar`` (default 7) baseline weeks, alert
    when the statistic ≥ ``ambang`` (3 for C1/C2, 2 for C3 by the EARS convention).

The shipped defaults are *defaults the office must confirm* (``terkonfirmasi`` false): the
national SKDR threshold text was not available (domain.md §4.1). The diare akut default keeps
the commonly cited training rule's form — at least 2 × a baseline mean, at least 5 cases —
but takes the baseline from the same weeks of earlier years (:data:`DIARE_AKUT`), because
the previous 4 weeks of an outbreak are outbreak weeks: the former default (≥ 2 × the mean
of the previous 4 weeks, :data:`DIARE_AKUT_0004`) alerts in no planted village in the 4th
week of either 4-week planted demo outbreak. The fixed 15 cases/week seen in one table is
the documented alternative.

The CSV still holds the 0004 seed for diare akut: migration 0004 reads the CSV when it runs,
and its CHECK constraint does not know ``ratio_to_history``, so the row can only change in
the CSV once 0004 seeds a frozen copy. Until then :func:`default_rules` replaces that seed by
:data:`DIARE_AKUT`, as migration 0006 does in the store — the two always agree.
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
from layers.text import Text, fmt_number

RuleKind = Literal["fixed_count", "ratio_to_baseline", "any_case", "ears_c1", "ears_c2",
                   "ears_c3", "ratio_to_history"]  # fmt: skip
KINDS: tuple[str, ...] = get_args(RuleKind)
EARS_KINDS = ("ears_c1", "ears_c2", "ears_c3")
#: EARS baseline length (7 periods: Hutwagner et al. 2003), used when ``minggu_dasar`` is empty
EARS_BASELINE = 7
#: ``ratio_to_history``: earlier years read (Stroup et al. 1989 and Farrington et al. 1996 use
#: 5; offices seldom hold more than a few years of weekly data)
HISTORY_YEARS = 3
#: ``ratio_to_history``: weeks per year (week ``t - 52 × y`` is the same season ±1 week)
YEAR_WEEKS = 52
#: ``ratio_to_history`` without history: weeks skipped before the baseline (EARS C2's lag)
GUARD_WEEKS = 2
#: ``ratio_to_history``: baseline weeks when ``minggu_dasar`` is empty
HISTORY_BASELINE = 5
DEFAULTS_CSV = "aturan_peringatan.csv"

#: what each kind of rule is called (CLI, exports); the code stays in the data
KIND_NAMES: dict[str, Text] = {
    "fixed_count": Text("ambang tetap (kasus per minggu)", "fixed threshold (cases per week)"),
    "any_case": Text("setiap kasus", "any case"),
    "ratio_to_baseline": Text("rasio terhadap rerata minggu sebelumnya",
                              "ratio to the mean of the previous weeks"),
    "ratio_to_history": Text("rasio terhadap rerata minggu yang sama tahun-tahun sebelumnya",
                             "ratio to the mean of the same weeks of earlier years"),
    "ears_c1": Text("CDC EARS C1", "CDC EARS C1"),
    "ears_c2": Text("CDC EARS C2", "CDC EARS C2"),
    "ears_c3": Text("CDC EARS C3", "CDC EARS C3"),
}  # fmt: skip

def bilingual(text: str | None) -> Text:
    """A data text written ``Indonesian / English`` (the convention of the ``sumber`` and
    ``catatan`` of ``aturan_peringatan.csv``) as a pair; one without `` / `` is the same in
    both languages."""
    first, sep, rest = (text or "").partition(" / ")
    return Text(first, rest) if sep else Text(first, first)


#: the rule is a shipped default the health office has not confirmed (legend, CLI, exports)
UNCONFIRMED = Text("aturan bawaan, belum dikonfirmasi Dinkes",
                   "default rule, not yet confirmed by the health office")  # fmt: skip


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
        if self.jenis == "ratio_to_history" and self.minggu_dasar is None:
            object.__setattr__(self, "minggu_dasar", HISTORY_BASELINE)
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

    def describe(self) -> Text:
        """The rule in one phrase (id/en), for a legend, a summary or an export's notes.

        Examples
        --------
        >>> print(DIARE_AKUT.describe().en)
        cases ≥ 2 × the mean of the 5 weeks around the same week of earlier years (up to 3; \
without that history: the 5 weeks before a 2-week guard band), at least 5 cases
        >>> print(Rule("x", "ratio_to_baseline", 2, 4, 5).describe().id)
        kasus ≥ 2 × rerata 4 minggu sebelumnya, minimal 5 kasus
        >>> print(Rule("x", "fixed_count", 15, minimum_kasus=5).describe().en)
        cases ≥ 15 per week
        """
        a = {lang: fmt_number(self.ambang, lang, 0 if float(self.ambang).is_integer() else 1)
             for lang in ("id", "en")}  # fmt: skip
        n, m = self.minggu_dasar, self.minimum_kasus
        at_least = Text(f", minimal {m} kasus", f", at least {m} cases") if m > 1 else Text("", "")
        if self.jenis == "fixed_count":
            amb = max(self.ambang, m)
            body = Text(f"kasus ≥ {fmt_number(amb, 'id')} per minggu",
                        f"cases ≥ {fmt_number(amb, 'en')} per week")  # fmt: skip
            return body
        if self.jenis == "any_case":
            return Text("setiap kasus", "any case")
        if self.jenis == "ratio_to_baseline":
            body = Text(f"kasus ≥ {a['id']} × rerata {n} minggu sebelumnya",
                        f"cases ≥ {a['en']} × the mean of the previous {n} weeks")  # fmt: skip
        elif self.jenis == "ratio_to_history":
            body = Text(
                f"kasus ≥ {a['id']} × rerata {n} minggu di sekitar minggu yang sama pada "
                f"tahun-tahun sebelumnya (hingga {HISTORY_YEARS}; tanpa riwayat itu: {n} minggu "
                f"sebelum jeda {GUARD_WEEKS} minggu)",
                f"cases ≥ {a['en']} × the mean of the {n} weeks around the same week of earlier "
                f"years (up to {HISTORY_YEARS}; without that history: the {n} weeks before a "
                f"{GUARD_WEEKS}-week guard band)",
            )  # fmt: skip
        else:
            name = "EARS " + self.jenis.removeprefix("ears_").upper()
            body = Text(f"{name} ≥ {a['id']} ({n} minggu dasar)",
                        f"{name} ≥ {a['en']} ({n} baseline weeks)")  # fmt: skip
        return Text(body.id + at_least.id, body.en + at_least.en)


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


#: the diare akut default seeded by migration 0004 (the CSV row), replaced by migration 0006
DIARE_AKUT_0004 = Rule("diare_akut", "ratio_to_baseline", 2.0, 4, 5, False)

#: the diare akut default since migration 0006 (the same values are written there)
DIARE_AKUT = Rule(
    "diare_akut", "ratio_to_history", 2.0, HISTORY_BASELINE, 5, False,
    sumber=(
        "domain.md §4.1: bentuk aturan \"≥ 2× rerata\" yang lazim dikutip dalam pelatihan "
        "SKDR — BELUM DIKONFIRMASI (teks nilai ambang Pedoman SKDR 2021/2023 tidak terbaca); "
        "dasar dari minggu yang sama tahun-tahun sebelumnya (historical limits, Stroup dkk. "
        "1989), tanpa riwayat: jeda 2 minggu seperti EARS C2 (Hutwagner dkk. 2003) / commonly "
        "cited SKDR training rule form, UNCONFIRMED; baseline from the same weeks of earlier "
        "years (historical limits), else a 2-week guard band as in EARS C2"
    ),
    catatan=(
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
)  # fmt: skip


def default_rules() -> dict[str, Rule]:
    """The shipped defaults, keyed by disease: what a freshly migrated store holds.

    ``layers/data/aturan_peringatan.csv``: the rules migrations 0004 (a frozen copy of its
    seed) and 0006 (diare akut: :data:`DIARE_AKUT`) leave in a new store. The store is the
    source of truth once it exists (:func:`load_rules`); this is for tests and store-less use.

    >>> default_rules()["diare_akut"].jenis
    'ratio_to_history'
    """
    text = files("layers").joinpath("data", DEFAULTS_CSV).read_text(encoding="utf-8")
    return {r.penyakit: r for r in (rule_from_mapping(row)
                                    for row in csv.DictReader(text.splitlines()))}  # fmt: skip


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
