"""``pws pustu plan``: where to build the next ``--n`` Pustu in a region.

Runs the planner of :mod:`layers.pustu.planner` on the region's planning problem
(:func:`layers.pustu.ranking.planning_data`: existing active Pustu fixed, a village served
when a Pustu is in it or within ``--distance-km``, straight-line): the greedy always, and with
``--exact`` the optimal plan beside it. It prints the chosen villages in order with the people
each newly serves, the population newly served, served in all and the coverage, and greedy
vs optimal — the gap when both ran, else the greedy's own bound on the optimum. ``--xlsx``
writes the plan (:func:`layers.pustu.export.plan_xlsx`).

Every message and table head is a :class:`~layers.text.Text` pair shown in ``--lang``;
numbers as the map writes them. JSON keeps codes and plain numbers (``null`` for a missing
figure, never 0). Joins the ``pws pustu`` group of :mod:`dashboard.cli.pustu`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dashboard.cli.common import LANG, _engine
from dashboard.cli.diarrhoea import (
    JSON_OUT,
    REGION,
    XLSX_OUT,
    _print_table,
    _region_scope,
    _write_xlsx,
)
from dashboard.cli.lang import FLOAT, IntRange, current, option
from dashboard.cli.pustu import _check_distance, pustu
from layers.text import Text, fmt_number

if TYPE_CHECKING:
    from layers.pustu.planner import Plan
    from layers.pustu.ranking import PlanningData

HEADER = Text("{where}: {n} Pustu baru, jarak layanan {km} km (garis lurus, bukan waktu tempuh)",
              "{where}: {n} new Pustu, service distance {km} km (straight line, not travel "
              "time)")  # fmt: skip
SERVED = Text("penduduk terlayani baru {new}; terlayani {total} dari {pop} ({pct}); "
              "sebelumnya {before}",
              "people newly served {new}; served {total} of {pop} ({pct}); before "
              "{before}")  # fmt: skip
VERSUS = Text("greedy {greedy} vs optimal {best}: selisih {gap} ({solver}, {seconds} dtk{proof})",
              "greedy {greedy} vs optimal {best}: gap {gap} ({solver}, {seconds} s{proof})")
NOT_PROVEN = Text("; batas waktu, belum terbukti optimal — batas atas {bound}",
                  "; time limit, not proven optimal — upper bound {bound}")
BOUND = Text("greedy {greedy}; optimum paling banyak {bound} (greedy ≥ {share} darinya; "
             "--exact untuk optimum)",
             "greedy {greedy}; the optimum is at most {bound} (greedy ≥ {share} of it; "
             "--exact for the optimum)")  # fmt: skip
GREEDY_OPTIMAL = Text("greedy {greedy}: optimal (tidak ada yang lebih baik)",
                      "greedy {greedy}: optimal (nothing does better)")
FEWER = Text("hanya {k} Pustu menambah penduduk terlayani pada jarak ini",
             "only {k} Pustu add people served at this distance")
NO_POPULATION = Text("{k} desa tanpa data penduduk (tidak dihitung)",
                     "{k} villages without population data (not counted)")
NOTHING = Text("tidak ada desa yang bisa menambah penduduk terlayani",
               "no village would add people served")
#: how the solvers are named in the greedy-vs-optimal line
SOLVER_NAMES = {"highs": "MILP HiGHS (highspy)", "spopt": "spopt MCLP + HiGHS (PuLP)",
                "greedy": "greedy"}  # fmt: skip
NOT_POSITIVE = Text("{value} bukan angka > 0", "{value} is not a number > 0")
PLAN_HEADS = (Text("#", "#"), Text("kode", "code"), Text("desa", "village"),
              Text("kecamatan", "kecamatan"), Text("penduduk", "population"),
              Text("terlayani baru", "newly served"), Text("Pustu (km)", "Pustu (km)"),
              Text("Puskesmas (km)", "Puskesmas (km)"))  # fmt: skip


def _positive(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not value > 0:
        raise click.BadParameter(NOT_POSITIVE(current(ctx)).format(value=value))
    return value


def _n(value: Any, lang: str, decimals: int = 0) -> str:
    if value is None or not math.isfinite(float(value)):
        return "–"
    return fmt_number(float(value), lang, decimals)


def _pct(value: float, lang: str) -> str:
    return f"{_n(value, lang, 1)} %"


def _plain(value: Any) -> Any:
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else round(number, 4)


def _sites(plan: Plan, data: PlanningData) -> list[dict[str, Any]]:
    v = data.villages.set_index("kode")
    out = []
    for k, (code, gain) in enumerate(zip(plan.codes, plan.gains, strict=True), start=1):
        r = v.loc[code]
        out.append({"urut": k, "kode_desa": code, "nama": r["nama"], "nama_kec": r["nama_kec"],
                    "penduduk": _plain(r["penduduk"]), "terlayani_baru": _plain(gain),
                    "jarak_pustu_m": _plain(r["jarak_pustu_m"]),
                    "jarak_puskesmas_m": _plain(r["jarak_puskesmas_m"])})  # fmt: skip
    return out


def plan_json(plan: Plan, data: PlanningData, region: str, nama: str,
              lang: str) -> dict[str, Any]:  # fmt: skip
    """What ``--json`` prints."""
    from layers.pustu.export import STRAIGHT

    figures = {k: (_plain(v) if isinstance(v, int | float) and not isinstance(v, bool) else v)
               for k, v in plan.as_dict().items() if k not in ("sites", "gains")}
    return {"region": region, "nama": nama, "distance_km": data.distance_m / 1000,
            "puskesmas_served": data.puskesmas_serves, "straight_line": STRAIGHT(lang),
            "no_population": data.no_population, **figures,
            "sites": _sites(plan, data)}  # fmt: skip


def versus(plan: Plan, lang: str) -> str:
    """The greedy-vs-optimal line."""
    if plan.greedy_newly_served is not None:
        proof = "" if plan.optimal else NOT_PROVEN(lang).format(bound=_n(plan.bound, lang))
        return VERSUS(lang).format(greedy=_n(plan.greedy_newly_served, lang),
                                   best=_n(plan.newly_served, lang),
                                   gap=_pct(100 * (plan.gap or 0.0), lang),
                                   solver=SOLVER_NAMES.get(plan.solver, plan.solver),
                                   seconds=_n(plan.seconds, lang, 2),
                                   proof=proof)  # fmt: skip
    if plan.optimal:
        return GREEDY_OPTIMAL(lang).format(greedy=_n(plan.newly_served, lang))
    share = 100 * plan.newly_served / plan.bound if plan.bound > 0 else 100.0
    return BOUND(lang).format(greedy=_n(plan.newly_served, lang), bound=_n(plan.bound, lang),
                              share=_pct(share, lang))  # fmt: skip


@pustu.command("plan", texts=Text(
    "Di desa mana --n Pustu baru berikutnya dibangun di --region agar penduduk terlayani "
    "baru terbanyak (Pustu aktif tetap; greedy, dan optimal dengan --exact).",
    "Where to build the next --n Pustu in --region to serve the most people not yet served "
    "(active Pustu fixed; greedy, and optimal with --exact).",
))  # fmt: skip
@REGION
@option("--n", "n", type=IntRange(1, 100_000), required=True,
        help=Text("Jumlah Pustu baru.", "Number of new Pustu."))
@option("--distance-km", type=FLOAT, default=5.0, show_default=True, callback=_check_distance,
        help=Text("Jarak layanan dalam km (garis lurus, bukan waktu tempuh), 0,5–50.",
                  "Service distance in km (straight line, not travel time), 0.5–50."))
@option("--exact", is_flag=True,
        help=Text("Juga hitung rencana optimal (MCLP, HiGHS) dan selisihnya dengan greedy.",
                  "Also solve for the optimal plan (MCLP, HiGHS) and state the greedy's gap."))
@option("--time-limit", type=FLOAT, default=120.0, show_default=True, callback=_positive,
        help=Text("Batas waktu --exact, detik.", "Time limit of --exact, seconds."))
@option("--puskesmas-target", is_flag=True,
        help=Text("Desa dengan Puskesmas tidak dihitung terlayani karenanya (bawaan: "
                  "terlayani).",
                  "A Puskesmas does not make its village count as served (default: it "
                  "does)."))  # fmt: skip
@JSON_OUT
@XLSX_OUT
@LANG
def plan_command(region: str, n: int, distance_km: float, exact: bool, time_limit: float,
                 puskesmas_target: bool, as_json: bool, xlsx: Path | None,
                 lang: str) -> None:  # fmt: skip
    from sqlalchemy.orm import Session

    from layers.pustu import planner
    from layers.pustu.ranking import planning_data

    engine = _engine()
    scope, info = _region_scope(engine, region, lang)
    with Session(engine) as session:
        data = planning_data(session, scope, distance_km * 1000,
                             puskesmas_serves=not puskesmas_target)  # fmt: skip
    result = planner.plan(data.instance, n, exact_too=exact, time_limit=time_limit)
    where = f"{info['nama']} ({region})"
    if xlsx is not None:
        from layers.pustu.export import plan_xlsx

        _write_xlsx(xlsx, plan_xlsx(result, data, lang, where), lang)
    if as_json:
        click.echo(json.dumps(plan_json(result, data, region, str(info["nama"]), lang),
                              ensure_ascii=False, indent=2))  # fmt: skip
        return
    click.echo(HEADER(lang).format(where=where, n=n, km=_n(distance_km, lang, 1)))
    click.echo(SERVED(lang).format(new=_n(result.newly_served, lang),
                                   total=_n(result.total_served, lang),
                                   pop=_n(result.population, lang),
                                   pct=_pct(result.coverage_pct, lang),
                                   before=_pct(100 * result.base_served / result.population
                                               if result.population else math.nan, lang)))
    click.echo(versus(result, lang))
    if data.no_population:
        click.echo(NO_POPULATION(lang).format(k=data.no_population))
    if not result.sites:
        click.echo(NOTHING(lang))
        return
    if len(result.sites) < n:
        click.echo(FEWER(lang).format(k=len(result.sites)))
    click.echo("")
    _print_table([h(lang) for h in PLAN_HEADS], [
        [str(s["urut"]), s["kode_desa"], str(s["nama"]), str(s["nama_kec"]),
         _n(s["penduduk"], lang), _n(s["terlayani_baru"], lang),
         _n(None if s["jarak_pustu_m"] is None else s["jarak_pustu_m"] / 1000, lang, 1),
         _n(None if s["jarak_puskesmas_m"] is None else s["jarak_puskesmas_m"] / 1000, lang, 1)]
        for s in _sites(result, data)])  # fmt: skip
