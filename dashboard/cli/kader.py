"""``pws kader levels`` and ``pws kader gaps``: kader levels, skill gaps, training priority.

``levels`` lists every kader of the region with its level (Purwa / Madya / Utama from the
skill groups held whole, :mod:`layers.kader.strata`); ``gaps`` lists per village and per
posyandu the active kader, their level mix, the skill codes no active kader holds and the
priority rank (:mod:`layers.kader.priority`). Both take the stale age (``--stale-months``)
and the norm (``--norm``) of the map layer ``kader``, and ``--xlsx``
(:mod:`layers.kader.export`).

Every message and table head is a :class:`~layers.text.Text` pair shown in ``--lang``.
JSON keeps the codes (level keys of :attr:`~layers.kader.strata.StrataRule.keys`, skill
and group codes) and writes a missing value (no assessment date, no population figure, no
gap to rank, no village name) as ``null`` — never 0. A region without any kader record is
not a region without gaps: the commands say there is no kader data there and exit 1.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from dashboard.cli.common import LANG, _engine, main
from dashboard.cli.diarrhoea import (
    JSON_OUT,
    REGION,
    XLSX_OUT,
    _print_table,
    _region_scope,
    _write_xlsx,
)
from dashboard.cli.lang import IntRange, option
from dashboard.cli.pustu import _plain
from layers.text import Text, fmt_number

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from layers.kader.gaps import KaderGaps
    from layers.scope import Scope

T = TypeVar("T")
NO_KADER = Text("tidak ada data kader di {region} (bukan nol): impor daftar kader dengan "
                "`pws import kader FILE`",
                "no kader data for {region} (not zero): import a kader roster with "
                "`pws import kader FILE`")  # fmt: skip
KADER_SUMMARY = Text("{kader} kader, {active} aktif", "{kader} kader, {active} active")
GAPS_SUMMARY = Text(
    "{villages} desa dengan data kader, {posyandu} posyandu, {active} kader aktif; "
    "keterampilan kurang di {v_gap} desa dan {p_gap} posyandu; {below} posyandu di bawah "
    "norma {norm} kader aktif",
    "{villages} villages with kader data, {posyandu} posyandu, {active} active kader; skills "
    "missing in {v_gap} villages and {p_gap} posyandu; {below} posyandu below the norm of "
    "{norm} active kader",
)  # fmt: skip
STALE_SUMMARY = Text("{n} asesmen usang (lebih dari {months} bulan)",
                     "{n} stale assessments (over {months} months)")  # fmt: skip
VILLAGES = Text("Desa", "Villages")
POSYANDU = Text("Posyandu", "Posyandu")
CODE = Text("kode", "code")
VILLAGE_CODE = Text("kode desa", "village code")
VILLAGE = Text("desa", "village")
LEVEL_HEADS = (CODE, Text("posyandu", "posyandu"), VILLAGE_CODE, VILLAGE,
               Text("aktif", "active"), Text("strata", "level"),
               Text("kelompok lengkap", "complete groups"))  # fmt: skip
RANK = Text("peringkat", "rank")
ACTIVE = Text("kader aktif", "active kader")
MISSING_N = Text("kurang", "missing")
MISSING = Text("keterampilan kurang", "missing skills")
YES, NO = Text("ya", "yes"), Text("tidak", "no")


class _Default:
    """An option's default read from :mod:`layers.kader.gaps` only when it is needed (the
    command line does not import pandas for every ``pws`` command); click calls it for the
    value and shows its text in ``--help``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self) -> int:
        from layers.kader import gaps

        return int(getattr(gaps, self.name))

    def __str__(self) -> str:
        return str(self())


STALE_MONTHS = option("--stale-months", type=IntRange(1, 120),
                      default=_Default("DEFAULT_STALE_MONTHS"), show_default=True,
                      help=Text("Asesmen yang lebih tua dari sekian bulan ditandai usang (tetap "
                                "dihitung), 1–120.",
                                "Assessments older than this many months are marked stale "
                                "(they still count), 1–120."))  # fmt: skip
NORM = option("--norm", type=IntRange(1, 20), default=_Default("DEFAULT_NORM"),
              show_default=True,
              help=Text("Norma kader aktif per posyandu, 1–20.",
                        "Norm of active kader per posyandu, 1–20."))  # fmt: skip


def _options(command: Callable[..., None]) -> Callable[..., None]:
    """The options both commands take, in the order ``--help`` lists them."""
    for add in reversed((REGION, STALE_MONTHS, NORM, JSON_OUT, XLSX_OUT, LANG)):
        command = add(command)
    return command


@main.group(texts=Text("Kader posyandu: strata, keterampilan yang kurang dan prioritas "
                       "pelatihan.",
                       "Posyandu kader: levels, missing skills and training priority."))
def kader() -> None:
    pass


def _require_kader(engine: Engine, scope: Scope, info: dict[str, Any], as_json: bool,
                   lang: str) -> None:  # fmt: skip
    """Exit 1, saying so, when no kader record lies in the region (no data, not zero)."""
    from sqlalchemy.orm import Session

    from layers.kader import service

    with Session(engine) as session:
        if service.has_kader(session, scope):
            return
    message = NO_KADER(lang).format(region=f"{info['nama']} ({info['kode']})")
    if as_json:
        click.echo(json.dumps({"ok": False, "error": message}, ensure_ascii=False))
    else:
        click.echo(message, err=True)
    sys.exit(1)


def _compute(region: str, stale_months: int, norm: int, as_json: bool, lang: str,
             more: Callable[[Session, Scope, KaderGaps], T]) -> tuple[KaderGaps, T, dict[str, Any]]:
    """The region's levels and gaps (exit 2: unknown region, exit 1: no kader data), and
    what ``more`` reads with them in the same session; and the region's row."""
    from sqlalchemy.orm import Session

    from layers.kader import service

    engine = _engine()
    scope, info = _region_scope(engine, region, lang)
    _require_kader(engine, scope, info, as_json, lang)
    with Session(engine) as session:
        found = service.gaps_for(session, scope, stale_months=stale_months, norm=norm)
        return found, more(session, scope, found), info


def _value(value: Any) -> Any:
    """A JSON value: lists as lists, any missing value (None, NaN, NA) as null, numbers as
    :func:`dashboard.cli.pustu._plain` writes them."""
    import pandas as pd

    if isinstance(value, list | tuple):
        return list(value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return _plain(value)


def _levels(row: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    return {k: _value(row[f"level_{k}"]) for k in keys}


def _name(value: Any, lang: str) -> str:
    """A posyandu name; the placeholder of a posyandu the roster names none said in ``lang``."""
    from layers.kader.export import UNNAMED

    return UNNAMED(lang) if value is None or value == UNNAMED.id else str(value)


def _no_name(value: Any) -> Any:
    """A posyandu name for JSON: null when the roster names none."""
    from layers.kader.gaps import NO_NAME

    return None if value == NO_NAME else _value(value)


def _header(gaps: KaderGaps, lang: str) -> str:
    """The level mix of the active kader and the stale assessments, as one line."""
    k = gaps.kader[gaps.kader["aktif"]]
    mix = ", ".join(f"{gaps.rule.name(i, lang)}: {fmt_number(int((k['level'] == i).sum()), lang)}"
                    for i in range(len(gaps.rule.keys)))  # fmt: skip
    stale = STALE_SUMMARY(lang).format(n=fmt_number(int(k["stale"].sum()), lang),
                                       months=gaps.stale_months)  # fmt: skip
    return f"{mix}; {stale}"


def _common_json(gaps: KaderGaps, region: str, info: dict[str, Any]) -> dict[str, Any]:
    return {"region": region, "nama": info["nama"], "rule": gaps.rule.source,
            "levels": gaps.rule.keys, "stale_months": gaps.stale_months, "norm": gaps.norm,
            "today": gaps.today.isoformat()}  # fmt: skip


def levels_json(gaps: KaderGaps, frame: pd.DataFrame, region: str,
                info: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """What ``pws kader levels --json`` prints (``frame``:
    :func:`~layers.kader.export.kader_frame`)."""
    active = frame[frame["aktif"]]
    return {
        **_common_json(gaps, region, info),
        "kader_count": len(frame), "active": len(active),
        "active_levels": {k: int((active["level_key"] == k).sum()) for k in gaps.rule.keys},
        "kader": [{
            "kode": r.kode, "posyandu": r.posyandu, "posyandu_nama": _no_name(r.posyandu_nama),
            "kode_desa": r.kode_desa, "nama_desa": _value(r.nama_desa), "aktif": bool(r.aktif),
            "level": r.level_key, "groups_complete": list(r.kelompok_lengkap),
            "tanggal_asesmen": None if r.tanggal_asesmen is None else
            r.tanggal_asesmen.isoformat(),
            "stale": r.stale,
        } for r in frame.itertuples(index=False)],
    }  # fmt: skip


@kader.command(texts=Text(
    "Setiap kader di --region: posyandu, desa, aktif, strata (Purwa/Madya/Utama dari kelompok "
    "keterampilan yang lengkap) dan kelompok yang lengkap.",
    "Every kader in --region: posyandu, village, active, level (Purwa/Madya/Utama from the "
    "skill groups held whole) and the complete groups.",
))  # fmt: skip
@_options
def levels(region: str, stale_months: int, norm: int, as_json: bool, xlsx: Path | None,
           lang: str) -> None:  # fmt: skip
    from layers.kader.export import kader_frame
    from layers.store import queries

    found, villages, info = _compute(region, stale_months, norm, as_json, lang,
                                     lambda session, scope, _: queries.village_table(
                                         session, scope))  # fmt: skip
    where = f"{info['nama']} ({region})"
    if xlsx is not None:
        from layers.kader.export import levels_xlsx

        _write_xlsx(xlsx, levels_xlsx(found, lang, where, villages), lang)
    frame = kader_frame(found, villages)
    if as_json:
        click.echo(json.dumps(levels_json(found, frame, region, info), ensure_ascii=False,
                              indent=2))  # fmt: skip
        return
    counts = KADER_SUMMARY(lang).format(kader=fmt_number(len(frame), lang),
                                        active=fmt_number(int(frame["aktif"].sum()), lang))
    click.echo(f"{where}: {counts} — {_header(found, lang)}")
    click.echo("")
    _print_table([h(lang) for h in LEVEL_HEADS], [
        [r.kode, _name(r.posyandu_nama, lang), r.kode_desa, r.nama_desa or "–",
         (YES if r.aktif else NO)(lang), found.rule.name(r.level, lang),
         " ".join(r.kelompok_lengkap) or "–"]
        for r in frame.itertuples(index=False)])  # fmt: skip


def gaps_json(gaps: KaderGaps, villages: pd.DataFrame, posyandu: pd.DataFrame,
              training: pd.DataFrame, region: str, info: dict[str, Any]) -> dict[str, Any]:
    """What ``pws kader gaps --json`` prints (frames of :mod:`layers.kader.export`)."""
    keys = gaps.rule.keys
    return {
        **_common_json(gaps, region, info),
        "villages": [{
            "kode_desa": r["kode_desa"], "nama_desa": _value(r["nama_desa"]),
            "posyandu": _value(r["posyandu"]), "kader": _value(r["kader"]),
            "kader_aktif": _value(r["kader_aktif"]), "level": _levels(r, keys),
            "per_posyandu": _value(r["per_posyandu"]), "kurang": _value(r["kurang"]),
            "missing": r["missing"], "stale": _value(r["stale"]),
            "tanpa_tanggal": _value(r["tanpa_tanggal"]), "sasaran": _value(r["sasaran"]),
            "bobot": _value(r["bobot"]), "peringkat": _value(r["peringkat"]),
        } for r in villages.to_dict("records")],
        "posyandu": [{
            "posyandu": r["posyandu"], "id": _value(r["id"]), "nama": _no_name(r["nama"]),
            "kode_desa": r["kode_desa"], "nama_desa": _value(r["nama_desa"]),
            "kader": _value(r["kader"]), "kader_aktif": _value(r["kader_aktif"]),
            "below_norm": bool(r["below_norm"]), "level": _levels(r, keys),
            "kurang": _value(r["kurang"]), "missing": r["missing"],
            "stale": _value(r["stale"]), "tanpa_tanggal": _value(r["tanpa_tanggal"]),
            "sasaran": _value(r["sasaran"]), "peringkat": _value(r["peringkat"]),
        } for r in posyandu.to_dict("records")],
        "training": [{k: _value(v) for k, v in r.items()}
                     for r in training.to_dict("records")],
    }  # fmt: skip


def _gap_row(r: dict[str, Any], place: list[str], keys: list[str], lang: str) -> list[str]:
    """The rank, the ``place`` (village or posyandu), active kader, level mix, gap count and
    missing codes of one row."""
    rank = "–" if _value(r["peringkat"]) is None else str(r["peringkat"])
    return [rank, *place, fmt_number(int(r["kader_aktif"]), lang),
            *(fmt_number(int(r[f"level_{k}"]), lang) for k in keys),
            fmt_number(int(r["kurang"]), lang), " ".join(r["missing"]) or "–"]


@kader.command(texts=Text(
    "Per desa dan per posyandu di --region: kader aktif, campuran strata, kode keterampilan "
    "yang tidak dimiliki kader aktif mana pun dan peringkat prioritas pelatihan.",
    "Per village and per posyandu in --region: active kader, level mix, the skill codes no "
    "active kader holds and the training priority rank.",
))  # fmt: skip
@_options
def gaps(region: str, stale_months: int, norm: int, as_json: bool, xlsx: Path | None,
         lang: str) -> None:  # fmt: skip
    from layers.kader.export import posyandu_frame, village_frame
    from layers.kader.priority import training_priority

    found, priority, info = _compute(region, stale_months, norm, as_json, lang,
                                     training_priority)
    where = f"{info['nama']} ({region})"
    if xlsx is not None:
        from layers.kader.export import gaps_xlsx

        _write_xlsx(xlsx, gaps_xlsx(found, priority, lang, where), lang)
    v, p = village_frame(found, priority), posyandu_frame(found, priority)
    if as_json:
        click.echo(json.dumps(gaps_json(found, v, p, priority.skills, region, info),
                              ensure_ascii=False, indent=2))  # fmt: skip
        return
    keys = found.rule.keys
    summary = GAPS_SUMMARY(lang).format(
        villages=fmt_number(len(v), lang), posyandu=fmt_number(len(p), lang),
        active=fmt_number(int(v["kader_aktif"].sum()), lang),
        v_gap=fmt_number(int((v["kurang"] > 0).sum()), lang),
        p_gap=fmt_number(int((p["kurang"] > 0).sum()), lang),
        below=fmt_number(int(p["below_norm"].sum()), lang), norm=norm)  # fmt: skip
    click.echo(f"{where}: {summary}")
    click.echo(_header(found, lang))
    tail = [ACTIVE(lang), *found.rule.names(lang), MISSING_N(lang), MISSING(lang)]
    click.echo("")
    click.echo(f"{VILLAGES(lang)}:")
    _print_table([RANK(lang), CODE(lang), VILLAGE(lang), *tail],
                 [_gap_row(r, [r["kode_desa"], str(r["nama_desa"] or "–")], keys, lang)
                  for r in v.to_dict("records")])  # fmt: skip
    click.echo("")
    click.echo(f"{POSYANDU(lang)}:")
    _print_table([RANK(lang), VILLAGE_CODE(lang), POSYANDU(lang), *tail],
                 [_gap_row(r, [r["kode_desa"], _name(r["nama"], lang)], keys, lang)
                  for r in p.to_dict("records")])  # fmt: skip
