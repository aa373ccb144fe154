"""``pws alerts``, ``pws klb`` and ``pws scan``: diarrhoea analytics.

Every message and table head is a :class:`~layers.text.Text` pair below (one definition per
phrase), shown in ``--lang``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dashboard.cli.common import LANG, _engine, main, progress_for
from layers.text import Text

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from layers.epiweek import EpiWeek
    from layers.scope import Scope


def _parse_region(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from layers import codes

    if not codes.is_valid(value):
        raise click.BadParameter(f"{value!r} is not a region code such as 35.10 or 3510")
    return codes.normalize(value)


def _parse_week(ctx: click.Context, param: click.Parameter, value: str) -> EpiWeek:
    from layers.epiweek import EpiWeek

    try:
        return EpiWeek.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


WRITTEN = Text("ditulis", "written")
NO_ALERTS = Text("tidak ada peringatan", "no alerts")
NO_CLUSTERS = Text("tidak ada klaster", "no clusters")
VILLAGES = Text("desa", "villages")
CASES = Text("kasus", "cases")
CODE = Text("kode", "code")
OBSERVED = Text("kasus", "observed")
#: table heads of ``pws alerts``, ``pws klb`` and ``pws scan``
ALERT_HEADS = (CODE, Text("desa", "village"), OBSERVED, Text("ambang", "threshold"),
               Text("rerata dasar", "baseline mean"), Text("status", "status"))  # fmt: skip
KLB_HEADS = (CODE, Text("kriteria", "criterion"), OBSERVED, Text("pembanding", "comparison"),
             Text("rasio", "ratio"))  # fmt: skip
SCAN_HEADS = (Text("#", "#"), VILLAGES, OBSERVED, Text("harapan", "expected"),
              Text("RR", "RR"), Text("LLR", "LLR"), Text("p", "p-value"),
              Text("minggu", "weeks"))  # fmt: skip


def _heads(heads: tuple[Text, ...], lang: str) -> list[str]:
    return [h(lang) for h in heads]


REGION = click.option("--region", required=True, callback=_parse_region,
                      help="Region code (province, kabupaten, kecamatan or village): the scope.")
WEEK = click.option("--week", required=True, callback=_parse_week,
                    help="Epidemiological week, YYYY-Www (e.g. 2025-W53).")
PENYAKIT = click.option("--penyakit", default="diare_akut", show_default=True,
                        help="Disease code as in kasus_mingguan.penyakit.")
JSON_OUT = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
XLSX_OUT = click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path),
                        default=None, callback=lambda ctx, param, value: _check_xlsx(value),
                        help="Also write the list to this .xlsx file (headers in --lang).")


def _check_xlsx(value: Path | None) -> Path | None:
    if value is not None and value.suffix.lower() != ".xlsx":
        raise click.BadParameter(f"{value}: the export is an .xlsx file", param_hint="--xlsx")
    return value


def _write_xlsx(path: Path, data: bytes, lang: str) -> None:
    """Write an export and say so on stderr (stdout stays the table or the JSON)."""
    path.write_bytes(data)
    click.echo(f"{WRITTEN(lang)}: {path}", err=True)


def _region_scope(engine: Engine, region: str) -> tuple[Scope, dict[str, Any]]:
    """The scope of ``region``; a usage error (exit 2) when the store does not know it."""
    from sqlalchemy.orm import Session

    from layers.scope import Scope
    from layers.store import queries

    with Session(engine) as session:
        info = queries.region(session, Scope.everything(), region)
    if info is None:
        raise click.BadParameter(f"{region!r} is not a region in the database",
                                 param_hint="--region")  # fmt: skip
    return Scope.of([region]), info


def _num(value: Any, decimals: int | None = None) -> float | int | None:
    """A JSON-safe number: None for NaN/inf, ints kept, floats optionally rounded."""
    if value is None:
        return None
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        return None
    if number.is_integer() and decimals is None:
        return int(number)
    return round(number, decimals) if decimals is not None else number


def _cell(value: Any, decimals: int = 1) -> str:
    number = _num(value)
    if number is None:
        return "–" if value is None or value != value else "∞"
    return str(number) if isinstance(number, int) else f"{number:.{decimals}f}"


def _print_table(heads: list[str], rows: list[list[str]]) -> None:
    table = [heads, *rows]
    widths = [max(len(line[j]) for line in table) for j in range(len(heads))]
    for line in table:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


@main.command()
@REGION
@WEEK
@PENYAKIT
@click.option("--all", "show_all", is_flag=True, help="List every village, not only alerts.")
@JSON_OUT
@XLSX_OUT
@LANG
def alerts(region: str, week: EpiWeek, penyakit: str, show_all: bool, as_json: bool,
           xlsx: Path | None, lang: str) -> None:  # fmt: skip
    """Weekly alerts per village in --region for --week (the disease's stored rule)."""
    from sqlalchemy.orm import Session

    from layers.diarrhoea import service
    from layers.diarrhoea.rules import UNCONFIRMED
    from layers.store import queries

    engine = _engine()
    scope, info = _region_scope(engine, region)
    with Session(engine) as session:
        try:
            result = service.alerts_for(session, scope, week, penyakit)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--penyakit") from exc
        villages = queries.village_table(session, scope)
    names = dict(villages[["kode", "nama"]].itertuples(index=False, name=None))
    if xlsx is not None:
        from layers.diarrhoea.export import alerts_xlsx

        _write_xlsx(xlsx, alerts_xlsx(result, lang, villages, only_alerts=not show_all,
                                      region=f"{info['nama']} ({region})"), lang)  # fmt: skip
    frame = result.frame().assign(reason=result.reasons(lang))
    shown = frame if show_all else frame[frame["alert"]]
    rows = [{"kode_desa": r.kode_desa, "nama": names.get(r.kode_desa), "status": r.status,
             "observed": _num(r.observed), "threshold": _num(r.threshold, 2),
             "baseline_mean": _num(r.baseline_mean, 2), "baseline_source": r.baseline_source,
             "statistic": _num(r.statistic, 3), "reason": r.reason}
            for r in shown.itertuples(index=False)]  # fmt: skip
    counts = {s: int((frame["status"] == s).sum()) for s in ("alert", "no_alert", "no_report",
                                                             "no_baseline")}  # fmt: skip
    rule = result.rule
    if as_json:
        click.echo(json.dumps({
            "region": region, "nama": info["nama"], "week": str(week), "penyakit": penyakit,
            "rule": {"jenis": rule.jenis, "ambang": rule.ambang,
                     "minggu_dasar": rule.minggu_dasar, "minimum_kasus": rule.minimum_kasus,
                     "terkonfirmasi": rule.terkonfirmasi},
            "counts": counts, "villages": rows,
        }, ensure_ascii=False, indent=2))  # fmt: skip
        return
    confirmed = "" if rule.terkonfirmasi else f" ({UNCONFIRMED(lang)})"
    click.echo(f"{info['nama']} ({region}) {week} {penyakit}: {rule.jenis} — "
               f"{rule.describe()(lang)}{confirmed}")  # fmt: skip
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))
    if not rows:
        click.echo(NO_ALERTS(lang))
        return
    _print_table(_heads(ALERT_HEADS, lang),
                 [[r["kode_desa"], str(r["nama"] or ""), _cell(r["observed"]),
                   _cell(r["threshold"]), _cell(r["baseline_mean"]), r["status"]]
                  for r in rows])  # fmt: skip


@main.command()
@REGION
@WEEK
@PENYAKIT
@click.option("--level", type=click.Choice(["desa", "kec", "kab", "prov"]), default="desa",
              show_default=True, help="Per village, or summed to this region level.")
@JSON_OUT
@XLSX_OUT
@LANG
def klb(region: str, week: EpiWeek, penyakit: str, level: str, as_json: bool,
        xlsx: Path | None, lang: str) -> None:  # fmt: skip
    """KLB signals (Permenkes 1501/2010 Pasal 6) to verify — never a declared KLB."""
    from sqlalchemy.orm import Session

    from layers.diarrhoea import service
    from layers.diarrhoea.klb import CAVEAT
    from layers.store import queries

    engine = _engine()
    scope, info = _region_scope(engine, region)
    with Session(engine) as session:
        result = service.klb_for(session, scope, week, penyakit, level=level)
        villages = queries.village_table(session, scope) if xlsx is not None else None
    if xlsx is not None:
        from layers.diarrhoea.export import klb_xlsx

        _write_xlsx(xlsx, klb_xlsx(result, lang, villages,
                                   region=f"{info['nama']} ({region})"), lang)  # fmt: skip
    rows = [{"kode": r.kode, "level": r.level, "kriteria": r.kriteria,
             "observed": _num(r.observed, 4), "comparison": _num(r.comparison, 4),
             "ratio": _num(r.ratio, 3), "text": text}
            for r, text in zip(result.signals.itertuples(index=False), result.texts(lang),
                               strict=True)]  # fmt: skip
    if as_json:
        click.echo(json.dumps({"region": region, "nama": info["nama"], "week": str(week),
                               "penyakit": penyakit, "level": level, "caveat": CAVEAT(lang),
                               "signals": rows}, ensure_ascii=False, indent=2))  # fmt: skip
        return
    click.echo(f"{info['nama']} ({region}) {week} {penyakit}, level {level}: "
               f"{len(rows)} — {CAVEAT(lang)}")  # fmt: skip
    if not rows:
        return
    _print_table(_heads(KLB_HEADS, lang),
                 [[r.kode, r.kriteria, _cell(r.observed, 3), _cell(r.comparison, 3),
                   _cell(r.ratio, 2)]
                  for r in result.signals.itertuples(index=False)])  # fmt: skip


@main.command()
@REGION
@WEEK
@PENYAKIT
@click.option("--max-weeks", type=click.IntRange(1, 52), default=4, show_default=True,
              help="Longest cluster, in weeks ending in --week.")
@click.option("--reps", type=click.IntRange(0, 99_999), default=999, show_default=True,
              help="Monte Carlo replications (0: no p-values).")
@click.option("--seed", type=int, default=None,
              help="Seed of the replications (default: a fixed seed, reproducible).")
@click.option("--alpha", type=float, default=None,
              help="Only clusters with p-value ≤ alpha (default: all reported).")
@JSON_OUT
@XLSX_OUT
@LANG
def scan(region: str, week: EpiWeek, penyakit: str, max_weeks: int, reps: int,
         seed: int | None, alpha: float | None, as_json: bool, xlsx: Path | None,
         lang: str) -> None:  # fmt: skip
    """Space-time scan (Kulldorff, prospective, Poisson): clusters ending in --week."""
    from sqlalchemy.orm import Session

    from layers.diarrhoea import service
    from layers.store import queries

    engine = _engine()
    scope, info = _region_scope(engine, region)
    seed = service.DEFAULT_SEED if seed is None else seed
    bar = progress_for(as_json, sys.stderr)
    try:
        with Session(engine) as session:
            result = service.scan_for(
                session, scope, week, penyakit, max_weeks=max_weeks, reps=reps, seed=seed,
                progress=(lambda done, total: bar(done, total, "scan")) if bar else None,
            )  # fmt: skip
            villages = queries.village_table(session, scope) if xlsx is not None else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--region") from exc
    finally:
        if bar is not None:
            bar.close()
    clusters = [c for c in result.clusters if alpha is None or c.p_value <= alpha]
    if xlsx is not None:
        from layers.diarrhoea.export import DISEASE, EPI_WEEK, clusters_xlsx

        params = {EPI_WEEK: str(week), DISEASE: penyakit, Text("Seed", "Seed"): seed}
        _write_xlsx(xlsx, clusters_xlsx(
            result, lang, villages, alpha=0.05 if alpha is None else alpha, max_p=alpha,
            region=f"{info['nama']} ({region})", params=params), lang)  # fmt: skip
    if as_json:
        click.echo(json.dumps({
            "region": region, "nama": info["nama"], "week": str(week), "penyakit": penyakit,
            "max_weeks": max_weeks, "reps": reps, "seed": seed, "total_cases": result.total,
            "villages": len(result.ids), "clusters": [c.as_dict() for c in clusters],
        }, ensure_ascii=False, indent=2))  # fmt: skip
        return
    click.echo(f"{info['nama']} ({region}) {week} {penyakit}: {len(result.ids)} "
               f"{VILLAGES(lang)}, {result.total} {CASES(lang)}, {reps} reps, "
               f"seed {seed}")  # fmt: skip
    if not clusters:
        click.echo(NO_CLUSTERS(lang))
        return
    rows = []
    for i, c in enumerate(clusters, 1):
        shown = ", ".join(str(v) for v in c.villages[:3])
        more = f" +{len(c.villages) - 3}" if len(c.villages) > 3 else ""
        rows.append([str(i), f"{len(c.villages)}: {shown}{more}", str(c.observed),
                     f"{c.expected:.1f}", _cell(c.relative_risk, 2), f"{c.llr:.2f}",
                     _cell(c.p_value, 3),
                     f"{c.start_week}…{c.end_week} ({c.n_weeks})"])  # fmt: skip
    _print_table(_heads(SCAN_HEADS, lang), rows)
