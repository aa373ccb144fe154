"""``pws pustu gaps``: villages without an active Pustu, their access and the summaries.

Every message and table head is a :class:`~layers.text.Text` pair shown in ``--lang``;
numbers are written as the map writes them. JSON keeps the codes (class keys of
:data:`layers.pustu.classes.CLASSES`) and writes a missing figure (no population, no
facility in the region) as ``null`` — never 0. The planner's ``pws pustu plan`` joins the
same group (:data:`pustu`).
"""

from __future__ import annotations

import json
import math
import numbers
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np

from dashboard.cli.common import LANG, _engine, main
from dashboard.cli.diarrhoea import (
    JSON_OUT,
    REGION,
    XLSX_OUT,
    _num,
    _print_table,
    _region_scope,
    _write_xlsx,
)
from dashboard.cli.lang import FLOAT, Choice, current, option
from layers.text import Text, fmt_number

if TYPE_CHECKING:
    from layers.pustu.service import PustuGaps

#: the distance bounds of the map layer's option (km)
DISTANCE_RANGE = (0.5, 50.0)
OUTSIDE = Text("{value} km di luar {low}–{high} km", "{value} km is outside {low}–{high} km")
NONE_LACKING = Text("setiap desa punya Pustu aktif", "every village has an active Pustu")
LACKING = Text("desa tanpa Pustu aktif", "villages without an active Pustu")
GAP_HEADS = (Text("kode", "code"), Text("desa", "village"), Text("kecamatan", "kecamatan"),
             Text("status", "status"), Text("Pustu (km)", "Pustu (km)"),
             Text("Puskesmas (km)", "Puskesmas (km)"), Text("penduduk", "population"),
             Text("terlayani", "served"))  # fmt: skip
SUMMARY_HEADS = (Text("kode", "code"), Text("nama", "name"), Text("desa", "villages"),
                 Text("Pustu", "Pustu"), Text("cakupan", "coverage"),
                 Text("tenaga min.", "min. staff"), Text("tak terlayani", "unserved"),
                 Text("kurang P/B", "short P/B"), Text("belum", "to cover"),
                 Text("per tahun", "per year"))  # fmt: skip
YES, NO = Text("ya", "yes"), Text("tidak", "no")


def _check_distance(ctx: click.Context, param: click.Parameter, value: float) -> float:
    from layers.pustu.maplayer import km_text

    low, high = DISTANCE_RANGE
    if not low <= value <= high:
        lang = current(ctx)
        raise click.BadParameter(OUTSIDE(lang).format(
            value=km_text(value, lang), low=km_text(low, lang), high=km_text(high, lang)))
    return value


@main.group(texts=Text("Pustu: desa tanpa Pustu, akses dan rencana pembangunan.",
                       "Pustu: villages without a Pustu, access and building plans."))
def pustu() -> None:
    pass


def _missing(value: Any) -> bool:
    """None, NaN or infinite (no figure, or no facility in the region)."""
    return value is None or not math.isfinite(float(value))


def _cell(value: Any, lang: str, decimals: int = 0) -> str:
    return "–" if _missing(value) else fmt_number(float(value), lang, decimals)


def _pct(value: Any, lang: str) -> str:
    return "–" if _missing(value) else f"{fmt_number(float(value), lang, 1)} %"


def _summary_rows(frame: Any, lang: str) -> list[list[str]]:
    return [[str(r.kode), str(r.nama), _cell(r.desa, lang), _cell(r.dengan_pustu, lang),
             _pct(r.cakupan_pct, lang), _pct(r.staf_minimal_pct, lang),
             _cell(r.penduduk_tidak_terlayani, lang),
             f"{_cell(r.kurang_perawat, lang)}/{_cell(r.kurang_bidan, lang)}",
             _cell(r.belum_tercakup, lang), _cell(r.per_tahun, lang)]
            for r in frame.itertuples(index=False)]  # fmt: skip


def _plain(value: Any) -> Any:
    """A JSON value: booleans as they are, whole numbers as integers, other numbers rounded
    to 0.1 (NaN/inf → null), text as text."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            return None
        return int(number) if number.is_integer() else _num(number, 1)
    return value


def _records(frame: Any, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()}
            for row in frame[list(columns)].to_dict("records")]


#: columns of each village in ``--json``
VILLAGE_JSON = ("kode_desa", "nama", "kode_kec", "nama_kec", "kelas", "pustu_rencana",
                "puskesmas", "jarak_pustu_m", "pustu_terdekat_nama", "jarak_puskesmas_m",
                "puskesmas_terdekat_nama", "penduduk", "terlayani")  # fmt: skip


def gaps_json(gaps: PustuGaps, region: str, nama: str, lang: str) -> dict[str, Any]:
    """What ``--json`` prints."""
    from layers.pustu.service import STRAIGHT_LINE
    from layers.pustu.summary import SUMMARY_COLUMNS

    total = gaps.total()
    return {
        "region": region, "nama": nama, "distance_km": gaps.distance_m / 1000,
        "puskesmas_served": gaps.puskesmas_served, "target_year": gaps.target_year,
        "current_year": gaps.current_year, "straight_line": STRAIGHT_LINE(lang),
        "total": {k: _plain(v) for k, v in total.items() if k not in ("kode", "nama")},
        "kabupaten": _records(gaps.kabupaten(), SUMMARY_COLUMNS),
        "kecamatan": _records(gaps.kecamatan(), SUMMARY_COLUMNS),
        "villages": _records(gaps.lacking(), VILLAGE_JSON),
        "problems": [p(lang) for p in gaps.problems],
    }  # fmt: skip


@pustu.command(texts=Text(
    "Setiap desa tanpa Pustu aktif di --region (status, jarak garis lurus ke Pustu dan "
    "Puskesmas terdekat, penduduk) dan ringkasan per kecamatan dan kabupaten.",
    "Every village without an active Pustu in --region (class, straight-line distances to "
    "the nearest Pustu and Puskesmas, population) and the kecamatan and kabupaten figures.",
))  # fmt: skip
@REGION
@option("--distance-km", type=FLOAT, default=5.0, show_default=True,
        callback=_check_distance,
        help=Text("Jarak layanan dalam km (garis lurus, bukan waktu tempuh), 0,5–50.",
                  "Service distance in km (straight line, not travel time), 0.5–50."))
@option("--target-year", type=Choice(["2027", "2028"]), default="2028", show_default=True,
        help=Text("Tahun target satu Pustu per desa.", "Target year of one Pustu per village."))
@option("--puskesmas-target", is_flag=True,
        help=Text("Desa dengan Puskesmas tetap dihitung menuju target (bawaan: terlayani).",
                  "A village with a Puskesmas still counts toward the target (default: "
                  "served)."))  # fmt: skip
@JSON_OUT
@XLSX_OUT
@LANG
def gaps(region: str, distance_km: float, target_year: str, puskesmas_target: bool,
         as_json: bool, xlsx: Path | None, lang: str) -> None:  # fmt: skip
    from sqlalchemy.orm import Session

    from layers.pustu import service
    from layers.pustu.classes import CLASS_TEXT
    from layers.pustu.maplayer import summary_text

    engine = _engine()
    scope, info = _region_scope(engine, region, lang)
    with Session(engine) as session:
        found = service.gaps_for(session, scope, distance_km=distance_km,
                                 puskesmas_served=not puskesmas_target,
                                 target_year=int(target_year))  # fmt: skip
    where = f"{info['nama']} ({region})"
    if xlsx is not None:
        from layers.pustu.gaps_book import gaps_xlsx

        _write_xlsx(xlsx, gaps_xlsx(found, lang, where), lang)
    if as_json:
        click.echo(json.dumps(gaps_json(found, region, str(info["nama"]), lang),
                              ensure_ascii=False, indent=2))  # fmt: skip
        return
    click.echo(f"{where}: {summary_text(found)(lang)}")
    click.echo("")
    _print_table([h(lang) for h in SUMMARY_HEADS], _summary_rows(found.kabupaten(), lang))
    click.echo("")
    _print_table([h(lang) for h in SUMMARY_HEADS], _summary_rows(found.kecamatan(), lang))
    click.echo("")
    lacking = found.lacking()
    if lacking.empty:
        click.echo(NONE_LACKING(lang))
        return
    click.echo(f"{len(lacking)} {LACKING(lang)}:")
    _print_table([h(lang) for h in GAP_HEADS], [
        [r.kode_desa, str(r.nama), str(r.nama_kec), CLASS_TEXT[r.kelas](lang),
         _cell(r.jarak_pustu_m / 1000, lang, 1), _cell(r.jarak_puskesmas_m / 1000, lang, 1),
         _cell(r.penduduk, lang), (YES if r.terlayani else NO)(lang)]
        for r in lacking.itertuples(index=False)])  # fmt: skip
