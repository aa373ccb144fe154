"""``pws import``, ``pws undo``, ``pws imports`` and ``pws template``.

Exit codes of the import commands: 0 written (or a valid dry run), 1 rejected / refused
(the report is printed), 2 usage errors (click's own).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dashboard.cli.common import (
    LANG,
    _default_user,
    _engine,
    _no_progress,
    _parse_crs,
    _parse_scope,
    main,
    progress_for,
)
from layers.text import Text

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from layers.scope import Scope


def _registry() -> dict[str, Any]:
    import layers.ingest  # noqa: F401 - importing the package registers every importer
    from layers.ingest.base import REGISTRY

    return REGISTRY


def _import_kinds() -> tuple[str, ...]:
    """Every registered kind (canonical ``jenis``), in registration order."""
    return tuple(_registry())


def _template_kinds() -> tuple[str, ...]:
    """The kinds a template exists for (``layers.ingest.templates.KINDS``)."""
    from layers.ingest.templates import KINDS

    return KINDS


class KindType(click.ParamType):
    """An import kind in Indonesian or English (``batas`` or ``boundaries``), as its ``jenis``.

    The names are resolved by :func:`layers.ingest.base.canonical`; ``offered`` gives the
    canonical kinds the command takes, read at call time. Anything else is a usage error
    (exit 2) listing both sets of names.
    """

    name = "jenis"

    def __init__(self, offered: Callable[[], tuple[str, ...]]) -> None:
        self.offered = offered

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> str:  # fmt: skip
        from layers.ingest.base import UnknownKind, canonical, kinds_text

        offered = self.offered()
        try:
            jenis = canonical(value)
        except UnknownKind:
            jenis = None
        if jenis is None or jenis not in offered:
            self.fail(f"{value!r} is not one of the kinds; {kinds_text(offered)}", param, ctx)
        return jenis


class KindsCommand(click.Command):
    """A command taking JENIS whose help lists each kind on one line: both names, what it is."""

    def __init__(self, *args: Any, kinds: Callable[[], tuple[str, ...]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = kinds

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from layers.ingest.base import kind_names

        rows = [(jenis if english == jenis else f"{jenis}, {english}", f"{title.en} / {title.id}")
                for jenis, english, title in kind_names(self.kinds())]  # fmt: skip
        with formatter.section("JENIS (Indonesian, English)"):
            formatter.write_dl(rows)
        super().format_epilog(ctx, formatter)


@main.command("import", cls=KindsCommand, kinds=_import_kinds)
@click.argument("jenis", type=KindType(_import_kinds), metavar="JENIS")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--sheet", default=None, help="Excel sheet to read (templates: found by itself).")
@click.option("--penyakit", default=None, help="Disease for rows without one (e.g. diare_akut).")
@click.option("--kolom-kode", "kolom_kode", default=None, help="Column holding the village code.")
@click.option("--crs", default=None, callback=_parse_crs,
              help="CRS of a file without one, as an EPSG code (23835 or EPSG:23835).")
@click.option("--tingkat", type=click.Choice(["prov", "kab", "kec", "desa"]), default=None,
              help="Level of a batas (boundaries) file (default: found from its columns).")
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

    JENIS in Indonesian or English (below); the import log records the Indonesian.
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
            n = report.impor_id
            click.echo(Text(f"impor #{n}; batalkan dengan `pws undo`",
                            f"import #{n}; undo with `pws undo`")(lang))  # fmt: skip
        elif dry_run and report.ok:
            click.echo(Text("uji coba: tidak ada yang ditulis", "dry run: nothing written")(lang))
    if not report.ok:
        sys.exit(1)


@main.command()
@click.option("--id", "impor_id", type=int, default=None,
              help="The import you mean to undo; refused unless it is the one undo reverses.")
@click.option("--user", default=None, help="Who undoes (default: the OS user).")
@click.option("--scope", "scope", default=None, callback=_parse_scope,
              help="Comma-separated region codes you may change (default: all); an import "
                   "that touched regions outside them is not undone.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON on stdout.")
@LANG
def undo(impor_id: int | None, user: str | None, scope: Scope, as_json: bool,
         lang: str) -> None:  # fmt: skip
    """Undo the newest import (the previous data comes back) and say which one it was.

    Only the newest change to the data can be undone, and only when it was made by an
    importer (not `pws load-demo`) and, with --scope, touched only those regions.
    """
    from layers.ingest.run import UndoRefused, undo_newest

    try:
        done = undo_newest(_engine(), user or _default_user(), scope=scope, impor_id=impor_id)
    except UndoRefused as refused:
        if as_json:
            click.echo(json.dumps({"ok": False, "error": refused.text(lang)}, ensure_ascii=False))
        else:
            click.echo(refused.text(lang), err=True)
        sys.exit(1)
    if as_json:
        target = done.target
        click.echo(json.dumps({"ok": True, "impor_id": target.impor_id, "jenis": target.jenis,
                               "file": target.file, "user": target.pengguna,
                               "time": _iso(target.waktu), "counts": done.counts},
                              ensure_ascii=False))  # fmt: skip
    else:
        click.echo(done.text(lang))


def _log_rows(engine: Engine, scope: Scope) -> list[dict[str, Any]]:
    """The import log oldest first (:func:`layers.store.queries.import_log`), JSON-ready."""
    from sqlalchemy.orm import Session

    from layers.store import queries

    with Session(engine) as session:
        log = queries.import_log(session, scope).iloc[::-1]
    return [
        {"id": int(e.id), "jenis": e.jenis, "file": e.file, "sha256": e.sha256[:12],
         "rows_ok": int(e.rows_ok), "rows_rejected": int(e.rows_rejected), "user": e.pengguna,
         "time": _iso(e.waktu), "status": e.status}
        for e in log.itertuples(index=False)
    ]  # fmt: skip


def _iso(moment: dt.datetime) -> str:
    """``2025-03-09T07:15:02+00:00``: the log's times are UTC (see ``queries.import_log``)."""
    return moment.isoformat(timespec="seconds")


#: the headers of `pws imports` (the JSON keys stay as they are)
LOG_HEADERS = Text("id jenis file sha256 ok ditolak pengguna waktu status",
                   "id kind file sha256 ok rejected user time status")  # fmt: skip


@main.command()
@click.option("--scope", "scope", default=None, callback=_parse_scope,
              help="Comma-separated region codes: only imports that touched them "
                   "(default: every import).")
@click.option("--json", "as_json", is_flag=True, help="Print the log as JSON on stdout.")
@LANG
def imports(scope: Scope, as_json: bool, lang: str) -> None:
    """List the import log: every attempt, written, rejected or undone (with --scope: those
    that touched the regions)."""
    rows = _log_rows(_engine(), scope)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(Text("belum ada impor", "no imports yet")(lang))
        return
    heads = LOG_HEADERS(lang).split()
    keys = ["id", "jenis", "file", "sha256", "rows_ok", "rows_rejected", "user", "time",
            "status"]  # fmt: skip
    table = [heads] + [[str(r[k] if k != "time" else (r[k] or "")[:16].replace("T", " "))
                        for k in keys] for r in rows]  # fmt: skip
    widths = [max(len(line[j]) for line in table) for j in range(len(keys))]
    for line in table:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


@main.command(cls=KindsCommand, kinds=_template_kinds)
@click.argument("jenis", type=KindType(_template_kinds), metavar="JENIS")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The .xlsx file to write.")
def template(jenis: str, out: Path) -> None:
    """Write an XLSX template for JENIS: headers, examples, validation and instructions.

    JENIS in Indonesian or English (below); batas (boundaries) gives a note on the accepted
    formats instead of a data sheet.
    """
    from layers.ingest.templates import write_template

    if out.suffix.lower() != ".xlsx":
        raise click.BadParameter("the template is an .xlsx file", param_hint="--out")
    click.echo(f"{jenis}: {write_template(jenis, out)}")
