"""``pws import``, ``pws undo``, ``pws imports`` and ``pws template``.

Exit codes of the import commands: 0 written (or a valid dry run), 1 rejected / refused
(the report is printed), 2 usage errors (click's own). Help, messages, reports and the
log's kinds and statuses are in ``--lang`` (:mod:`layers.ingest.wording`); JSON keeps the
codes.
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
from dashboard.cli.lang import INT, Choice, Command, PathType, current, option
from layers.text import Text

NOT_A_KIND = Text("{value!r} bukan salah satu jenis; {kinds}",
                  "{value!r} is not one of the kinds; {kinds}")  # fmt: skip
KINDS_SECTION = Text("JENIS (nama Indonesia, nama Inggris)", "JENIS (Indonesian, English)")
IMPORTED = Text("impor #{n}; batalkan dengan `pws undo`", "import #{n}; undo with `pws undo`")
DRY_RUN = Text("uji coba: tidak ada yang ditulis", "dry run: nothing written")
NO_IMPORTS = Text("belum ada impor", "no imports yet")
NOT_XLSX = Text("templat adalah file .xlsx", "the template is an .xlsx file")
TEMPLATE_WRITTEN = Text("templat {kind} ditulis: {path}", "{kind} template written: {path}")
SCOPE_HELP = Text("Kode wilayah dipisah koma yang boleh ditulis impor ini (bawaan: semua).",
                  "Comma-separated region codes this import may write (default: all).")  # fmt: skip
CODES = Text("KODE,...", "CODES,...")
USER = Text("PENGGUNA", "USER")

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
            lang = current(ctx)
            self.fail(NOT_A_KIND(lang).format(value=value, kinds=kinds_text(offered, lang)),
                      param, ctx)  # fmt: skip
        return jenis


class KindsCommand(Command):
    """A command taking JENIS whose help lists each kind on one line: both names (the
    argument takes either), what it is in ``--lang``."""

    def __init__(self, *args: Any, kinds: Callable[[], tuple[str, ...]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = kinds

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from layers.ingest.base import kind_names

        lang = current(ctx)
        rows = [(jenis if english == jenis else f"{jenis}, {english}", title(lang))
                for jenis, english, title in kind_names(self.kinds())]  # fmt: skip
        with formatter.section(KINDS_SECTION(lang)):
            formatter.write_dl(rows)
        super().format_epilog(ctx, formatter)


@main.command("import", cls=KindsCommand, kinds=_import_kinds, texts=Text(
    """Impor FILE sebagai JENIS: semua baris atau tidak sama sekali, dengan laporan setiap
    masalah.

    JENIS dalam bahasa Indonesia atau Inggris (di bawah); log impor mencatat yang
    Indonesia. Kode keluar 0 bila ditulis (atau --dry-run yang valid), 1 bila ditolak.""",
    """Import FILE as JENIS: all rows or nothing, with a report of every problem.

    JENIS in Indonesian or English (below); the import log records the Indonesian.
    Exit code 0 when written (or a valid --dry-run), 1 when rejected.""",
))  # fmt: skip
@click.argument("jenis", type=KindType(_import_kinds), metavar="JENIS")
@click.argument("file", type=PathType(exists=True, path_type=Path))
@option("--sheet", default=None, metavar=Text("SHEET", "SHEET"),
        help=Text("Sheet Excel yang dibaca (templat: ditemukan sendiri).",
                  "Excel sheet to read (templates: found by itself)."))  # fmt: skip
@option("--penyakit", default=None, metavar=Text("PENYAKIT", "DISEASE"),
        help=Text("Penyakit untuk baris tanpa penyakit (mis. diare_akut).",
                  "Disease for rows without one (e.g. diare_akut)."))  # fmt: skip
@option("--kolom-kode", "kolom_kode", default=None, metavar=Text("KOLOM", "COLUMN"),
        help=Text("Kolom yang berisi kode desa.", "Column holding the village code."))
@option("--crs", default=None, callback=_parse_crs, metavar="EPSG",
        help=Text("CRS file yang tidak menyebutkannya, sebagai kode EPSG (23835 atau "
                  "EPSG:23835).",
                  "CRS of a file without one, as an EPSG code (23835 or EPSG:23835)."))
@option("--tingkat", type=Choice(["prov", "kab", "kec", "desa"]), default=None,
        help=Text("Tingkat file batas (bawaan: dari kolomnya).",
                  "Level of a batas (boundaries) file (default: found from its columns)."))
@option("--konfirmasi", type=PathType(exists=True, path_type=Path), default=None,
        metavar=Text("FILE", "FILE"),
        help=Text("File tinjauan yang sudah diedit, mengonfirmasi kecocokan nama desa "
                  "(setuju = ya).",
                  "Edited review file confirming village-name matches (setuju = ya)."))
@option("--tinjauan", type=PathType(path_type=Path), default=None, metavar=Text("FILE", "FILE"),
        help=Text("Tempat menulis file tinjauan kecocokan nama desa (bawaan: "
                  "FILE.tinjauan.csv di samping FILE).",
                  "Where to write the review file of village-name matches (default: "
                  "FILE.tinjauan.csv beside FILE)."))
@option("--user", default=None, metavar=USER,
        help=Text("Siapa yang mengimpor (bawaan: pengguna OS).",
                  "Who imports (default: the OS user)."))  # fmt: skip
@option("--scope", "scope", default=None, callback=_parse_scope, metavar=CODES, help=SCOPE_HELP)
@option("--dry-run", is_flag=True,
        help=Text("Periksa dan laporkan; tidak menulis apa pun.",
                  "Validate and report; write nothing."))  # fmt: skip
@option("--json", "as_json", is_flag=True,
        help=Text("Cetak laporan sebagai JSON di stdout.",
                  "Print the report as JSON on stdout."))  # fmt: skip
@LANG
def import_(jenis: str, file: Path, sheet: str | None, penyakit: str | None,
            kolom_kode: str | None, crs: str | None, tingkat: str | None,
            konfirmasi: Path | None, tinjauan: Path | None, user: str | None, scope: Scope,
            dry_run: bool, as_json: bool, lang: str) -> None:  # fmt: skip
    from layers.ingest import run_import
    from layers.ingest.templates import data_sheet

    options: dict[str, Any] = {"sheet": sheet or data_sheet(file), "penyakit": penyakit,
                               "kolom_kode": kolom_kode, "crs": crs, "tingkat": tingkat,
                               "konfirmasi": konfirmasi, "tinjauan": tinjauan}  # fmt: skip
    options = {k: v for k, v in options.items() if v is not None}
    bar = progress_for(as_json, sys.stderr, lang)
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
            click.echo(IMPORTED(lang).format(n=report.impor_id))
        elif dry_run and report.ok:
            click.echo(DRY_RUN(lang))
    if not report.ok:
        sys.exit(1)


@main.command(texts=Text(
    """Batalkan impor terbaru (data sebelumnya kembali) dan sebutkan impor yang mana.

    Hanya perubahan data terbaru yang bisa dibatalkan, dan hanya bila dibuat oleh
    importir (bukan `pws load-demo`) dan, dengan --scope, hanya menyentuh wilayah itu.""",
    """Undo the newest import (the previous data comes back) and say which one it was.

    Only the newest change to the data can be undone, and only when it was made by an
    importer (not `pws load-demo`) and, with --scope, touched only those regions.""",
))  # fmt: skip
@option("--id", "impor_id", type=INT, default=None, metavar="N",
        help=Text("Impor yang ingin dibatalkan; ditolak bila bukan impor yang akan "
                  "dibatalkan.",
                  "The import you mean to undo; refused unless it is the one undo reverses."))
@option("--user", default=None, metavar=USER,
        help=Text("Siapa yang membatalkan (bawaan: pengguna OS).",
                  "Who undoes (default: the OS user)."))  # fmt: skip
@option("--scope", "scope", default=None, callback=_parse_scope, metavar=CODES,
        help=Text("Kode wilayah dipisah koma yang boleh Anda ubah (bawaan: semua); impor yang "
                  "menyentuh wilayah lain tidak dibatalkan.",
                  "Comma-separated region codes you may change (default: all); an import "
                  "that touched regions outside them is not undone."))
@option("--json", "as_json", is_flag=True,
        help=Text("Cetak hasilnya sebagai JSON di stdout.",
                  "Print the outcome as JSON on stdout."))  # fmt: skip
@LANG
def undo(impor_id: int | None, user: str | None, scope: Scope, as_json: bool,
         lang: str) -> None:  # fmt: skip
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


def _log_cells(row: dict[str, Any], lang: str) -> list[str]:
    """A row of `pws imports`: the kind and status in words, the time to the minute."""
    from layers.ingest import wording

    return [str(row["id"]), wording.kind(row["jenis"], lang), row["file"], row["sha256"],
            str(row["rows_ok"]), str(row["rows_rejected"]), str(row["user"]),
            (row["time"] or "")[:16].replace("T", " "),
            wording.status(row["status"], lang)]  # fmt: skip


@main.command(texts=Text(
    """Tampilkan log impor: setiap percobaan, ditulis, ditolak atau dibatalkan (dengan
    --scope: yang menyentuh wilayah itu).""",
    """List the import log: every attempt, written, rejected or undone (with --scope: those
    that touched the regions).""",
))  # fmt: skip
@option("--scope", "scope", default=None, callback=_parse_scope, metavar=CODES,
        help=Text("Kode wilayah dipisah koma: hanya impor yang menyentuhnya (bawaan: semua "
                  "impor).",
                  "Comma-separated region codes: only imports that touched them (default: "
                  "every import)."))
@option("--json", "as_json", is_flag=True,
        help=Text("Cetak log sebagai JSON di stdout.", "Print the log as JSON on stdout."))
@LANG
def imports(scope: Scope, as_json: bool, lang: str) -> None:
    rows = _log_rows(_engine(), scope)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(NO_IMPORTS(lang))
        return
    table = [LOG_HEADERS(lang).split()] + [_log_cells(r, lang) for r in rows]
    widths = [max(len(line[j]) for line in table) for j in range(len(table[0]))]
    for line in table:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


@main.command(cls=KindsCommand, kinds=_template_kinds, texts=Text(
    """Tulis templat XLSX untuk JENIS: kepala kolom, contoh, validasi dan petunjuk.

    JENIS dalam bahasa Indonesia atau Inggris (di bawah); batas (boundaries) memberi
    catatan format yang diterima, bukan sheet data.""",
    """Write an XLSX template for JENIS: headers, examples, validation and instructions.

    JENIS in Indonesian or English (below); batas (boundaries) gives a note on the accepted
    formats instead of a data sheet.""",
))  # fmt: skip
@click.argument("jenis", type=KindType(_template_kinds), metavar="JENIS")
@option("--out", type=PathType(dir_okay=False, path_type=Path), required=True,
        metavar=Text("FILE.xlsx", "FILE.xlsx"),
        help=Text("File .xlsx yang ditulis.", "The .xlsx file to write."))
@LANG
def template(jenis: str, out: Path, lang: str) -> None:
    from layers.ingest.templates import write_template

    if out.suffix.lower() != ".xlsx":
        raise click.BadParameter(NOT_XLSX(lang), param_hint="--out")
    from layers.ingest import wording

    written = write_template(jenis, out)
    click.echo(TEMPLATE_WRITTEN(lang).format(kind=wording.kind(jenis, lang), path=written))
