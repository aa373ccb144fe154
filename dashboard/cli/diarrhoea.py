"""``pws alerts``, ``pws klb`` and ``pws scan``: diarrhoea analytics.

Every message, table head, status and level is a :class:`~layers.text.Text` pair (one
definition per phrase) shown in ``--lang``; numbers are written as the map writes them
(:func:`~layers.text.fmt_number`: ``22,8`` in Indonesian). JSON keeps the codes.

A week outside the disease's case data in the region (none at all, after the newest week,
before the oldest) is not a week without alerts: the three commands say there is no case
data, with the weeks that have some, and exit 1.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dashboard.cli.common import LANG, _engine, main, progress_for
from dashboard.cli.lang import FLOAT, INT, Choice, IntRange, PathType, current, option
from layers.text import Text, fmt_number

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from layers.diarrhoea.scan import Cluster
    from layers.epiweek import EpiWeek
    from layers.scope import Scope

WRITTEN = Text("ditulis", "written")
NO_ALERTS = Text("tidak ada peringatan", "no alerts")
NO_SIGNALS = Text("tidak ada sinyal", "no signals")
NO_CLUSTERS = Text("tidak ada klaster", "no clusters")
VILLAGES = Text("desa", "villages")
CASES = Text("kasus", "cases")
REPLICATIONS = Text("replikasi", "replications")
SEED = Text("seed", "seed")
LEVEL = Text("tingkat", "level")
SIGNALS = Text("sinyal", "signals")
CODE = Text("kode", "code")
OBSERVED = Text("kasus", "observed")
NO_DATA = Text("tidak ada data kasus {disease} di {region} untuk {week} ({data})",
               "no case data for {disease} in {region} for {week} ({data})")  # fmt: skip
DATA_WEEKS = Text("data: {first}–{last}", "data: {first}–{last}")
NO_DATA_AT_ALL = Text("belum ada data sama sekali", "no data at all")
#: table heads of ``pws alerts``, ``pws klb`` and ``pws scan``
ALERT_HEADS = (CODE, Text("desa", "village"), OBSERVED, Text("ambang", "threshold"),
               Text("rerata dasar", "baseline mean"), Text("status", "status"))  # fmt: skip
KLB_HEADS = (CODE, Text("kriteria", "criterion"), OBSERVED, Text("pembanding", "comparison"),
             Text("rasio", "ratio"))  # fmt: skip
SCAN_HEADS = (Text("#", "#"), VILLAGES, OBSERVED, Text("harapan", "expected"),
              Text("RR", "RR"), Text("LLR", "LLR"), Text("p", "p-value"),
              Text("minggu", "weeks"))  # fmt: skip
NOT_A_REGION_CODE = Text("{value!r} bukan kode wilayah seperti 35.10 atau 3510",
                         "{value!r} is not a region code such as 35.10 or 3510")  # fmt: skip
NOT_A_REGION = Text("{value!r} bukan wilayah di basis data",
                    "{value!r} is not a region in the database")  # fmt: skip
NOT_A_WEEK = Text("{value!r} bukan minggu epidemiologi seperti 2025-W07",
                  "{value!r} is not an epi week like 2025-W07")  # fmt: skip
WEEK_OUTSIDE = Text("minggu {week} di luar 1–{last} tahun {year}",
                    "week {week} is outside 1–{last} of {year}")  # fmt: skip
UNKNOWN_DISEASE = Text("penyakit {value!r} tidak dikenal; yang dikenal: {known}",
                       "unknown disease {value!r}; known: {known}")  # fmt: skip
NOT_XLSX = Text("{value}: ekspor adalah file .xlsx", "{value}: the export is an .xlsx file")
IS_FOLDER = Text("{value} adalah folder; beri nama file .xlsx",
                 "{value} is a folder; give an .xlsx file name")
NO_FOLDER = Text("folder {folder} tidak ada", "folder {folder} does not exist")


def _heads(heads: tuple[Text, ...], lang: str) -> list[str]:
    return [h(lang) for h in heads]


def _parse_region(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from layers import codes

    if not codes.is_valid(value):
        raise click.BadParameter(NOT_A_REGION_CODE(current(ctx)).format(value=value))
    return codes.normalize(value)


def _parse_week(ctx: click.Context, param: click.Parameter, value: str) -> EpiWeek:
    from layers.epiweek import EpiWeek

    try:
        return EpiWeek.parse(value)
    except ValueError as exc:
        outside = re.match(r"week (\d+) is outside 1–(\d+) of (\d+)", str(exc))
        text = (WEEK_OUTSIDE.format(week=outside[1], last=outside[2], year=outside[3])
                if outside else NOT_A_WEEK.format(value=value))  # fmt: skip
        raise click.BadParameter(text(current(ctx))) from exc


def _parse_disease(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from layers import diseases

    kode = diseases.resolve(value)
    if kode is None:
        raise click.BadParameter(UNKNOWN_DISEASE(current(ctx)).format(
            value=value, known=diseases.known_text()))  # fmt: skip
    return kode


def _check_xlsx(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """An .xlsx path whose folder exists (checked here, in --lang, not by click in English)."""
    if value is None:
        return value
    lang = current(ctx)
    if value.is_dir():
        raise click.BadParameter(IS_FOLDER(lang).format(value=value))
    if value.suffix.lower() != ".xlsx":
        raise click.BadParameter(NOT_XLSX(lang).format(value=value))
    if not value.parent.is_dir():
        raise click.BadParameter(NO_FOLDER(lang).format(folder=value.parent))
    return value


REGION = option("--region", required=True, callback=_parse_region,
                metavar=Text("KODE", "CODE"),
                help=Text("Kode wilayah (provinsi, kabupaten, kecamatan atau desa): "
                          "cakupannya.",
                          "Region code (province, kabupaten, kecamatan or village): the "
                          "scope."))  # fmt: skip
WEEK = option("--week", required=True, callback=_parse_week, metavar="YYYY-Www",
              help=Text("Minggu epidemiologi, YYYY-Www (mis. 2025-W53).",
                        "Epidemiological week, YYYY-Www (e.g. 2025-W53)."))  # fmt: skip
PENYAKIT = option("--penyakit", default="diare_akut", show_default=True,
                  callback=_parse_disease, metavar=Text("PENYAKIT", "DISEASE"),
                  help=Text("Penyakit: kode atau nama dari katalog penyakit "
                            "(layers/data/penyakit.csv).",
                            "Disease: a code or name of the disease catalogue "
                            "(layers/data/penyakit.csv)."))  # fmt: skip
JSON_OUT = option("--json", "as_json", is_flag=True,
                  help=Text("Cetak hasilnya sebagai JSON.", "Print the result as JSON."))
XLSX_OUT = option("--xlsx", "xlsx", type=PathType(path_type=Path),
                  default=None, callback=_check_xlsx, metavar=Text("FILE.xlsx", "FILE.xlsx"),
                  help=Text("Tulis juga daftarnya ke file .xlsx ini (dalam --lang).",
                            "Also write the list to this .xlsx file (in --lang)."))  # fmt: skip


def _write_xlsx(path: Path, data: bytes, lang: str) -> None:
    """Write an export and say so on stderr (stdout stays the table or the JSON)."""
    path.write_bytes(data)
    click.echo(f"{WRITTEN(lang)}: {path}", err=True)


def _region_scope(engine: Engine, region: str, lang: str) -> tuple[Scope, dict[str, Any]]:
    """The scope of ``region``; a usage error (exit 2) when the store does not know it."""
    from sqlalchemy.orm import Session

    from layers.scope import Scope
    from layers.store import queries

    with Session(engine) as session:
        info = queries.region(session, Scope.everything(), region)
    if info is None:
        raise click.BadParameter(NOT_A_REGION(lang).format(value=region),
                                 param_hint="--region")  # fmt: skip
    return Scope.of([region]), info


def _require_data(engine: Engine, scope: Scope, info: dict[str, Any], week: EpiWeek,
                  penyakit: str, as_json: bool, lang: str) -> None:  # fmt: skip
    """Exit 1, saying so, when ``week`` lies outside the disease's case data in the region
    (no data at all, after its newest week, before its oldest)."""
    from sqlalchemy.orm import Session

    from layers.diseases import DISEASES
    from layers.epiweek import EpiWeek
    from layers.store import queries

    with Session(engine) as session:
        weeks = queries.available_weeks(session, scope, penyakit)
    if weeks and EpiWeek(*weeks[0]) <= week <= EpiWeek(*weeks[-1]):
        return
    data = (DATA_WEEKS(lang).format(first=EpiWeek(*weeks[0]), last=EpiWeek(*weeks[-1]))
            if weeks else NO_DATA_AT_ALL(lang))  # fmt: skip
    name = DISEASES[penyakit](lang) if penyakit in DISEASES else penyakit
    message = NO_DATA(lang).format(disease=name, region=f"{info['nama']} ({info['kode']})",
                                   week=week, data=data)  # fmt: skip
    if as_json:
        click.echo(json.dumps({"ok": False, "error": message}, ensure_ascii=False))
    else:
        click.echo(message, err=True)
    sys.exit(1)


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


def _cell(value: Any, lang: str, decimals: int = 1) -> str:
    """A table cell as the map writes it: ``–`` missing, ``∞`` infinite, whole numbers
    without decimals."""
    if value is None or value != value:
        return "–"
    number = float(value)
    if number in (float("inf"), float("-inf")):
        return "∞"
    return fmt_number(number, lang, 0 if number.is_integer() else decimals)


def _print_table(heads: list[str], rows: list[list[str]]) -> None:
    table = [heads, *rows]
    widths = [max(len(line[j]) for line in table) for j in range(len(heads))]
    for line in table:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


@main.command(texts=Text(
    "Peringatan mingguan per desa di --region untuk --week (aturan penyakit yang tersimpan).",
    "Weekly alerts per village in --region for --week (the disease's stored rule).",
))  # fmt: skip
@REGION
@WEEK
@PENYAKIT
@option("--all", "show_all", is_flag=True,
        help=Text("Tampilkan setiap desa, bukan hanya yang peringatan.",
                  "List every village, not only alerts."))  # fmt: skip
@JSON_OUT
@XLSX_OUT
@LANG
def alerts(region: str, week: EpiWeek, penyakit: str, show_all: bool, as_json: bool,
           xlsx: Path | None, lang: str) -> None:  # fmt: skip
    from sqlalchemy.orm import Session

    from layers.diarrhoea import service
    from layers.diarrhoea.alerts import STATUS_NAMES
    from layers.diarrhoea.rules import KIND_NAMES, UNCONFIRMED
    from layers.store import queries

    engine = _engine()
    scope, info = _region_scope(engine, region, lang)
    _require_data(engine, scope, info, week, penyakit, as_json, lang)
    with Session(engine) as session:
        try:
            result = service.alerts_for(session, scope, week, penyakit)
        except ValueError as exc:  # no rule for the disease
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
    counts = {s: int((frame["status"] == s).sum()) for s in STATUS_NAMES}
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
    kind = KIND_NAMES[rule.jenis](lang) if rule.jenis in KIND_NAMES else rule.jenis
    click.echo(f"{info['nama']} ({region}) {week} {penyakit}: {kind} — "
               f"{rule.describe()(lang)}{confirmed}")  # fmt: skip
    click.echo(", ".join(f"{STATUS_NAMES[k](lang)}: {v}" for k, v in counts.items()))
    if not rows:
        click.echo(NO_ALERTS(lang))
        return
    _print_table(_heads(ALERT_HEADS, lang),
                 [[r["kode_desa"], str(r["nama"] or ""), _cell(r["observed"], lang),
                   _cell(r["threshold"], lang), _cell(r["baseline_mean"], lang),
                   STATUS_NAMES[r["status"]](lang)]
                  for r in rows])  # fmt: skip


@main.command(texts=Text(
    "Sinyal KLB untuk diverifikasi, tidak pernah penetapan KLB (Permenkes 1501/2010 Pasal 6).",
    "KLB signals to verify, never a declared KLB (Permenkes 1501/2010 Article 6).",
))  # fmt: skip
@REGION
@WEEK
@PENYAKIT
@option("--level", type=Choice(["desa", "kec", "kab", "prov"]), default="desa",
        show_default=True,
        help=Text("Per desa, atau dijumlahkan ke tingkat wilayah ini.",
                  "Per village, or summed to this region level."))  # fmt: skip
@JSON_OUT
@XLSX_OUT
@LANG
def klb(region: str, week: EpiWeek, penyakit: str, level: str, as_json: bool,
        xlsx: Path | None, lang: str) -> None:  # fmt: skip
    from sqlalchemy.orm import Session

    from layers.diarrhoea import service
    from layers.diarrhoea.klb import CAVEAT, CRITERIA_SHORT, LEVEL_NAMES
    from layers.store import queries

    engine = _engine()
    scope, info = _region_scope(engine, region, lang)
    _require_data(engine, scope, info, week, penyakit, as_json, lang)
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
    click.echo(f"{info['nama']} ({region}) {week} {penyakit}, {LEVEL(lang)} "
               f"{LEVEL_NAMES[level](lang)}: {len(rows)} {SIGNALS(lang)} — "
               f"{CAVEAT(lang)}")  # fmt: skip
    if not rows:
        click.echo(NO_SIGNALS(lang))
        return
    table = []
    for r in result.signals.itertuples(index=False):
        cfr = r.kriteria == "cfr_naik_50"  # a fatality rate, shown as a percent
        values = [_cell(100 * v, lang, 1) + " %" if cfr and v == v and abs(v) != float("inf")
                  else _cell(v, lang, 1) for v in (r.observed, r.comparison)]  # fmt: skip
        table.append([r.kode, CRITERIA_SHORT[r.kriteria](lang), *values,
                      _cell(r.ratio, lang, 2)])  # fmt: skip
    _print_table(_heads(KLB_HEADS, lang), table)


@main.command(texts=Text(
    "Pemindaian ruang-waktu (Kulldorff, prospektif, Poisson): klaster yang berakhir pada "
    "--week.",
    "Space-time scan (Kulldorff, prospective, Poisson): clusters ending in --week.",
))  # fmt: skip
@REGION
@WEEK
@PENYAKIT
@option("--max-weeks", type=IntRange(1, 52), default=4, show_default=True,
        help=Text("Klaster terpanjang, dalam minggu yang berakhir pada --week.",
                  "Longest cluster, in weeks ending in --week."))  # fmt: skip
@option("--reps", type=IntRange(0, 99_999), default=999, show_default=True,
        help=Text("Replikasi Monte Carlo (0: tanpa nilai p).",
                  "Monte Carlo replications (0: no p-values)."))  # fmt: skip
@option("--seed", type=INT, default=None,
        help=Text("Seed replikasi (bawaan: seed tetap, hasil dapat diulang).",
                  "Seed of the replications (default: a fixed seed, reproducible)."))
@option("--alpha", type=FLOAT, default=None,
        help=Text("Hanya klaster signifikan, nilai p < alpha (bawaan: semua; signifikan "
                  "berarti p < 0,05).",
                  "Only significant clusters, p-value < alpha (default: all; significant "
                  "means p < 0.05)."))
@JSON_OUT
@XLSX_OUT
@LANG
def scan(region: str, week: EpiWeek, penyakit: str, max_weeks: int, reps: int,
         seed: int | None, alpha: float | None, as_json: bool, xlsx: Path | None,
         lang: str) -> None:  # fmt: skip
    from sqlalchemy.orm import Session

    from layers.diarrhoea import service
    from layers.store import queries

    engine = _engine()
    scope, info = _region_scope(engine, region, lang)
    _require_data(engine, scope, info, week, penyakit, as_json, lang)
    seed = service.DEFAULT_SEED if seed is None else seed
    bar = progress_for(as_json, sys.stderr, lang)
    try:
        with Session(engine) as session:
            result = service.scan_for(
                session, scope, week, penyakit, max_weeks=max_weeks, reps=reps, seed=seed,
                progress=(lambda done, total: bar(done, total, "scan")) if bar else None,
            )  # fmt: skip
            villages = queries.village_table(session, scope) if xlsx is not None else None
    finally:
        if bar is not None:
            bar.close()
    level = service.ALPHA if alpha is None else alpha
    ranked = service.ordered_clusters(result.clusters, level)
    clusters = [c for c, significant in ranked if alpha is None or significant]
    if xlsx is not None:
        from layers.diarrhoea.export import DISEASE, EPI_WEEK, clusters_xlsx

        params = {EPI_WEEK: str(week), DISEASE: penyakit, SEED: seed}
        _write_xlsx(xlsx, clusters_xlsx(
            result, lang, villages, alpha=level, only_significant=alpha is not None,
            region=f"{info['nama']} ({region})", params=params), lang)  # fmt: skip
    if as_json:
        click.echo(json.dumps({
            "region": region, "nama": info["nama"], "week": str(week), "penyakit": penyakit,
            "max_weeks": max_weeks, "reps": reps, "seed": seed, "total_cases": result.total,
            "villages": len(result.ids), "clusters": [c.as_dict() for c in clusters],
        }, ensure_ascii=False, indent=2))  # fmt: skip
        return
    click.echo(f"{info['nama']} ({region}) {week} {penyakit}: {len(result.ids)} "
               f"{VILLAGES(lang)}, {fmt_number(result.total, lang)} {CASES(lang)}, {reps} "
               f"{REPLICATIONS(lang)}, {SEED(lang)} {seed}")  # fmt: skip
    if not clusters:
        click.echo(NO_CLUSTERS(lang))
        return
    _print_table(_heads(SCAN_HEADS, lang),
                 [_scan_row(i, c, lang) for i, c in enumerate(clusters, 1)])


def _scan_row(i: int, c: Cluster, lang: str) -> list[str]:
    """A cluster as the map's cluster table shows it (same decimals)."""
    shown = ", ".join(str(v) for v in c.villages[:3])
    more = f" +{len(c.villages) - 3}" if len(c.villages) > 3 else ""
    return [str(i), f"{len(c.villages)}: {shown}{more}", fmt_number(c.observed, lang),
            fmt_number(c.expected, lang, 1), _cell(c.relative_risk, lang, 2),
            fmt_number(c.llr, lang, 1), fmt_number(c.p_value, lang, 3),
            f"{c.start_week}…{c.end_week} ({c.n_weeks})"]  # fmt: skip
