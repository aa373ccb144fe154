"""The ``pws`` command line: demo data, database, imports, templates, serving.

Exit codes of the import commands: 0 written (or a valid dry run), 1 rejected / refused
(the report is printed), 2 usage errors (click's own).
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from layers.scope import Scope

REPO = Path(__file__).resolve().parents[1]
DEMO_DIR = Path(os.environ.get("PWS_DEMO_DIR", REPO / "data" / "geo" / "demo_9901"))


@click.group()
def main() -> None:
    """PWS-ILP map: per-village PWS dashboard (Integrasi Layanan Primer)."""


@main.command()
@click.option("--out", type=click.Path(path_type=Path), default=DEMO_DIR, show_default=True,
              help="Folder to write the demo files to.")
@click.option("--seed", type=int, default=None, help="Random seed (default: the demo's own).")
@click.option("--boundaries", type=click.Path(exists=True, path_type=Path), default=None,
              help="Real village boundaries to put the synthetic programme data on.")
def demo(out: Path, seed: int | None, boundaries: Path | None) -> None:
    """Generate the synthetic demo district (or programme data on real boundaries)."""
    from layers.demo import generate_demo

    kwargs = {} if seed is None else {"seed": seed}
    generate_demo(out, boundaries=boundaries, **kwargs)
    click.echo(f"demo written to {out}")


@main.command("load-demo")
@click.argument("folder", type=click.Path(exists=True, path_type=Path), default=DEMO_DIR)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has villages.")
def load_demo(folder: Path, if_empty: bool) -> None:
    """Load a demo folder (as written by `pws demo`) into PWS_DATABASE_URL."""
    from sqlalchemy.orm import Session

    from layers.scope import Scope
    from layers.store import engine as store_engine
    from layers.store import load, queries

    engine = store_engine.make_engine()
    store_engine.upgrade(engine)
    if if_empty:
        with Session(engine) as session:
            if not queries.village_table(session, Scope.everything()).empty:
                click.echo("database already has villages; nothing loaded")
                return
    counts = load.load_demo_dir(engine, folder)
    click.echo(json.dumps(counts))


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command()
def upgrade() -> None:
    """Apply all migrations to PWS_DATABASE_URL."""
    from layers.store import engine as store_engine

    store_engine.upgrade(store_engine.make_engine())
    click.echo("database is at the latest migration")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True)
@click.option("--debug", is_flag=True)
def serve(host: str, port: int, debug: bool) -> None:
    """Serve the dashboard with the development server (use gunicorn in production)."""
    from dashboard.app import create_app

    click.echo(f"PWS-ILP map on http://{host}:{port}")
    create_app().run(host=host, port=port, debug=debug)


# --- imports -----------------------------------------------------------------------------

LANG = click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True,
                    help="Language of messages and reports.")  # fmt: skip


def _registry() -> dict[str, Any]:
    import layers.ingest  # noqa: F401 - importing the package registers every importer
    from layers.ingest.base import REGISTRY

    return REGISTRY


class RegistryChoice(click.Choice):
    """The import kinds registered in ``layers.ingest.base.REGISTRY``, read at call time."""

    def __init__(self) -> None:
        super().__init__((), case_sensitive=True)

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        return tuple(sorted(_registry()))

    @choices.setter
    def choices(self, value: Any) -> None:  # click's __init__ assigns; the registry rules
        return None


class TemplateChoice(click.Choice):
    """The kinds a template exists for (``layers.ingest.templates.KINDS``), read at call time."""

    def __init__(self) -> None:
        super().__init__((), case_sensitive=True)

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        from layers.ingest.templates import KINDS

        return KINDS

    @choices.setter
    def choices(self, value: Any) -> None:
        return None


def _engine() -> Engine:
    """The store at PWS_DATABASE_URL, migrated to the latest schema."""
    from layers.store import engine as store_engine

    engine = store_engine.make_engine()
    store_engine.upgrade(engine)
    return engine


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (containers)
        return "unknown"


def _parse_scope(ctx: click.Context, param: click.Parameter, value: str | None) -> Scope:
    from layers.codes import CodeError
    from layers.scope import Scope

    if value is None or not value.strip():
        return Scope.everything()
    try:
        return Scope.of(v.strip() for v in value.split(",") if v.strip())
    except (CodeError, ValueError) as exc:
        raise click.BadParameter(f"{value!r}: {exc}") from exc


def _parse_crs(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return f"EPSG:{text}"
    if text.upper().startswith("EPSG:") and text[5:].isdigit():
        return f"EPSG:{text[5:]}"
    raise click.BadParameter(f"{value!r}: expected an EPSG code such as 23835 or EPSG:23835")


class ProgressBar:
    """A text progress bar on a stream, driven by the importers' ``progress`` callback.

    ``progress(done, total, what)`` may restart with a new total per stage (read, write…);
    the bar shows the current stage. Nothing is drawn for the first ``delay`` seconds, so
    quick imports stay quiet; ``close`` ends the line when something was drawn.
    """

    def __init__(self, stream: IO[str], delay: float = 0.5, width: int = 30) -> None:
        self.stream = stream
        self.delay = delay
        self.width = width
        self.started = time.monotonic()
        self.drawn = False
        self.last = ""

    def __call__(self, done: int, total: int, what: str) -> None:
        if time.monotonic() - self.started < self.delay:
            return
        fraction = min(max(done / total, 0.0), 1.0) if total > 0 else 0.0
        filled = round(fraction * self.width)
        line = f"{what:<10} [{'#' * filled}{'-' * (self.width - filled)}] {fraction:4.0%}"
        if line == self.last:
            return
        self.stream.write("\r" + line)
        self.stream.flush()
        self.drawn = True
        self.last = line

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _no_progress(done: int, total: int, what: str) -> None:
    return None


def progress_for(as_json: bool, stream: IO[str]) -> ProgressBar | None:
    """A progress bar on ``stream`` when it is a terminal and the output is not JSON."""
    return ProgressBar(stream) if not as_json and stream.isatty() else None


@main.command("import")
@click.argument("jenis", type=RegistryChoice(), metavar="JENIS")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--sheet", default=None, help="Excel sheet to read (templates: found by itself).")
@click.option("--penyakit", default=None, help="Disease for rows without one (e.g. diare_akut).")
@click.option("--kolom-kode", "kolom_kode", default=None, help="Column holding the village code.")
@click.option("--crs", default=None, callback=_parse_crs,
              help="CRS of a file without one, as an EPSG code (23835 or EPSG:23835).")
@click.option("--tingkat", type=click.Choice(["prov", "kab", "kec", "desa"]), default=None,
              help="Level of a boundaries (batas) file (default: found from its columns).")
@click.option("--konfirmasi", type=click.Path(exists=True, path_type=Path), default=None,
              help="Edited review file confirming village-name matches (setuju = ya).")
@click.option("--tinjauan", type=click.Path(path_type=Path), default=None,
              help="Where to write the review file of village-name matches "
                   "(default: FILE.tinjauan.csv beside FILE).")
@click.option("--user", default=None, help="Who imports (default: the OS user).")
@click.option("--scope", "scope", default=None, callback=_parse_scope,
              help="Comma-separated region codes this import may write (default: all).")
@click.option("--dry-run", is_flag=True, help="Validate and report; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@LANG
def import_(jenis: str, file: Path, sheet: str | None, penyakit: str | None,
            kolom_kode: str | None, crs: str | None, tingkat: str | None,
            konfirmasi: Path | None, tinjauan: Path | None, user: str | None, scope: Scope,
            dry_run: bool, as_json: bool, lang: str) -> None:  # fmt: skip
    """Import FILE as JENIS: all rows or nothing, with a report of every problem.

    Exit code 0 when written (or a valid --dry-run), 1 when rejected.
    """
    from layers.ingest import run_import
    from layers.ingest.templates import data_sheet

    options: dict[str, Any] = {"sheet": sheet or data_sheet(file), "penyakit": penyakit,
                               "kolom_kode": kolom_kode, "crs": crs, "tingkat": tingkat,
                               "konfirmasi": konfirmasi, "tinjauan": tinjauan}  # fmt: skip
    options = {k: v for k, v in options.items() if v is not None}
    bar = progress_for(as_json, sys.stderr)
    try:
        report = run_import(_engine(), jenis, file, user=user or _default_user(), scope=scope,
                            options=options, dry_run=dry_run,
                            progress=bar or _no_progress)  # fmt: skip
    finally:
        if bar is not None:
            bar.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(lang), ensure_ascii=False, indent=2))
    else:
        click.echo(report.text(lang))
        if report.status == "ok" and report.impor_id is not None:
            click.echo(f"impor #{report.impor_id}; batalkan dengan `pws undo`" if lang == "id"
                       else f"import #{report.impor_id}; undo with `pws undo`")  # fmt: skip
        elif dry_run and report.ok:
            click.echo("uji coba: tidak ada yang ditulis" if lang == "id"
                       else "dry run: nothing written")  # fmt: skip
    if not report.ok:
        sys.exit(1)


@main.command()
@click.option("--id", "impor_id", type=int, default=None,
              help="The import to undo; refused unless it is the newest.")
@click.option("--user", default=None, help="Who undoes (default: the OS user).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON on stdout.")
@LANG
def undo(impor_id: int | None, user: str | None, as_json: bool, lang: str) -> None:
    """Undo the newest import: the previous state comes back."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from layers.ingest import UndoRefused, undo_last
    from layers.store.models import ImporLog

    engine = _engine()
    with Session(engine) as session:
        newest = session.scalars(select(ImporLog.id).where(ImporLog.status == "ok")
                                 .order_by(ImporLog.id.desc()).limit(1)).first()  # fmt: skip
    try:
        counts = undo_last(engine, user or _default_user(), impor_id)
    except UndoRefused as refused:
        if as_json:
            click.echo(json.dumps({"ok": False, "error": refused.text(lang)}, ensure_ascii=False))
        else:
            click.echo(refused.text(lang), err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps({"ok": True, "impor_id": newest, "counts": counts}))
    else:
        done = ", ".join(f"{k}: {v}" for k, v in counts.items())
        click.echo(f"impor #{newest} dibatalkan ({done})" if lang == "id"
                   else f"import #{newest} undone ({done})")  # fmt: skip


def _log_rows(engine: Engine) -> list[dict[str, Any]]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from layers.store.models import ImporLog

    with Session(engine) as session:
        entries = session.scalars(select(ImporLog).order_by(ImporLog.id)).all()
        return [
            {"id": e.id, "jenis": e.jenis, "file": e.file, "sha256": e.sha256[:12],
             "rows_ok": e.rows_ok, "rows_rejected": e.rows_rejected, "user": e.pengguna,
             "time": _iso(e.waktu), "status": e.status}
            for e in entries
        ]  # fmt: skip


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite drops the zone; the log writes UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat(timespec="seconds")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the log as JSON on stdout.")
@LANG
def imports(as_json: bool, lang: str) -> None:
    """List the import log: every attempt, written, rejected or undone."""
    rows = _log_rows(_engine())
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("belum ada impor" if lang == "id" else "no imports yet")
        return
    heads = (["id", "jenis", "file", "sha256", "ok", "ditolak", "pengguna", "waktu", "status"]
             if lang == "id" else
             ["id", "kind", "file", "sha256", "ok", "rejected", "user", "time", "status"])
    keys = ["id", "jenis", "file", "sha256", "rows_ok", "rows_rejected", "user", "time",
            "status"]  # fmt: skip
    table = [heads] + [[str(r[k] if k != "time" else (r[k] or "")[:16].replace("T", " "))
                        for k in keys] for r in rows]  # fmt: skip
    widths = [max(len(line[j]) for line in table) for j in range(len(keys))]
    for line in table:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


@main.command()
@click.argument("jenis", type=TemplateChoice(), metavar="JENIS")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The .xlsx file to write.")
def template(jenis: str, out: Path) -> None:
    """Write an XLSX template for JENIS: headers, examples, validation and instructions."""
    from layers.ingest.templates import write_template

    if out.suffix.lower() != ".xlsx":
        raise click.BadParameter("the template is an .xlsx file", param_hint="--out")
    click.echo(f"{jenis}: {write_template(jenis, out)}")


# --- diarrhoea analytics ------------------------------------------------------------------

if TYPE_CHECKING:
    from layers.epiweek import EpiWeek


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
    click.echo(f"{'ditulis' if lang == 'id' else 'written'}: {path}", err=True)


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
    frame = result.frame()
    shown = frame if show_all else frame[frame["alert"]]
    reason = "reason_en" if lang == "en" else "reason_id"
    rows = [{"kode_desa": r.kode_desa, "nama": names.get(r.kode_desa), "status": r.status,
             "observed": _num(r.observed), "threshold": _num(r.threshold, 2),
             "baseline_mean": _num(r.baseline_mean, 2), "statistic": _num(r.statistic, 3),
             "reason": getattr(r, reason)} for r in shown.itertuples(index=False)]  # fmt: skip
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
    confirmed = "" if rule.terkonfirmasi else (" (bawaan, belum dikonfirmasi)" if lang == "id"
                                               else " (default, unconfirmed)")  # fmt: skip
    click.echo(f"{info['nama']} ({region}) {week} {penyakit}: {rule.jenis} "
               f"ambang={rule.ambang:g}{confirmed}")  # fmt: skip
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))
    if not rows:
        click.echo("tidak ada peringatan" if lang == "id" else "no alerts")
        return
    heads = (["kode", "desa", "kasus", "ambang", "rerata dasar", "status"] if lang == "id"
             else ["code", "village", "observed", "threshold", "baseline mean", "status"])
    _print_table(heads, [[r["kode_desa"], str(r["nama"] or ""), _cell(r["observed"]),
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
    text = "text_en" if lang == "en" else "text_id"
    rows = [{"kode": r.kode, "level": r.level, "kriteria": r.kriteria,
             "observed": _num(r.observed, 4), "comparison": _num(r.comparison, 4),
             "ratio": _num(r.ratio, 3), "text": getattr(r, text)}
            for r in result.signals.itertuples(index=False)]  # fmt: skip
    if as_json:
        click.echo(json.dumps({"region": region, "nama": info["nama"], "week": str(week),
                               "penyakit": penyakit, "level": level, "caveat": CAVEAT(lang),
                               "signals": rows}, ensure_ascii=False, indent=2))  # fmt: skip
        return
    click.echo(f"{info['nama']} ({region}) {week} {penyakit}, level {level}: "
               f"{len(rows)} — {CAVEAT(lang)}")  # fmt: skip
    if not rows:
        return
    heads = (["kode", "kriteria", "kasus", "pembanding", "rasio"] if lang == "id"
             else ["code", "criterion", "observed", "comparison", "ratio"])
    _print_table(heads, [[r.kode, r.kriteria, _cell(r.observed, 3), _cell(r.comparison, 3),
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
        from layers.diarrhoea.export import clusters_xlsx
        from layers.text import Text

        params = {Text("Minggu epidemiologi", "Epidemiological week"): str(week),
                  Text("Penyakit", "Disease"): penyakit, Text("Seed", "Seed"): seed}
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
               f"{'desa' if lang == 'id' else 'villages'}, {result.total} "
               f"{'kasus' if lang == 'id' else 'cases'}, {reps} reps, seed {seed}")  # fmt: skip
    if not clusters:
        click.echo("tidak ada klaster" if lang == "id" else "no clusters")
        return
    heads = (["#", "desa", "kasus", "harapan", "RR", "LLR", "p", "minggu"] if lang == "id"
             else ["#", "villages", "observed", "expected", "RR", "LLR", "p-value", "weeks"])
    rows = []
    for i, c in enumerate(clusters, 1):
        shown = ", ".join(str(v) for v in c.villages[:3])
        more = f" +{len(c.villages) - 3}" if len(c.villages) > 3 else ""
        rows.append([str(i), f"{len(c.villages)}: {shown}{more}", str(c.observed),
                     f"{c.expected:.1f}", _cell(c.relative_risk, 2), f"{c.llr:.2f}",
                     _cell(c.p_value, 3),
                     f"{c.start_week}…{c.end_week} ({c.n_weeks})"])  # fmt: skip
    _print_table(heads, rows)
