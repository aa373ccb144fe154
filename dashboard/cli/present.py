"""``pws present export``: the lokakarya mini deck of a region as PPTX, PDF or an A4 page
per kecamatan — the same files as the presentation page's export
(:func:`layers.present.export_job.export`).

The deck is the region's saved one (its shown slides in order; the default deck when none
is saved), for ``--week`` (default: the newest week with case data). Case counts 1–4 are
written ``< 5`` by default, as in every document that leaves the office (``--suppress N``
sets the threshold, ``--no-suppress`` shows every count).

Exit codes: 0 written; 1 for a week outside the region's case data (as ``pws alerts``) or a
file that cannot be written; 2 for usage errors — an unknown region, one outside
``--scope``, a bad week, a file name whose extension does not match ``--format``.
Every message is a :class:`~layers.text.Text` pair shown in ``--lang``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dashboard.cli.common import LANG, _engine, _parse_scope, main, progress_for
from dashboard.cli.diarrhoea import REGION, WRITTEN, _parse_week, _region_scope, _require_data
from dashboard.cli.lang import Choice, IntRange, PathType, option
from layers.text import Text

if TYPE_CHECKING:
    from layers.epiweek import EpiWeek
    from layers.scope import Scope

OUTSIDE = Text("wilayah {kode} tidak ada dalam cakupan --scope",
               "region {kode} is not within --scope")  # fmt: skip
BAD_SUFFIX = Text("{value}: format {fmt} ditulis ke file {suffix}",
                  "{value}: format {fmt} is written to a {suffix} file")  # fmt: skip
BOTH = Text("--suppress dan --no-suppress tidak bisa dipakai bersama",
            "--suppress and --no-suppress cannot be used together")  # fmt: skip
NOT_WRITTEN = Text("file tidak dapat ditulis: {path} ({why})",
                   "the file cannot be written: {path} ({why})")  # fmt: skip
NO_FOLDER = Text("foldernya tidak ada", "no such folder")
SLIDES = Text("slide", "slides")
PAGES = Text("halaman", "pages")
DONE = Text("{region} ({kode}) {week}: {fmt}, {shown}",
            "{region} ({kode}) {week}: {fmt}, {shown}")  # fmt: skip
SUPPRESSED = Text("jumlah kasus 1–{n} ditulis < {t}", "case counts 1–{n} written < {t}")
UNSUPPRESSED = Text("semua jumlah kasus ditampilkan", "every case count shown")
NO_WEEK = Text("tanpa data kasus", "no case data")
SUFFIXES = {"pptx": ".pptx", "pdf": ".pdf", "a4": ".pdf"}
FORMAT_NAMES = {"pptx": "PPTX", "pdf": "PDF", "a4": Text("PDF A4 per kecamatan",
                                                        "A4 PDF per kecamatan")}  # fmt: skip


def _optional_week(ctx: click.Context, param: click.Parameter,
                   value: str | None) -> EpiWeek | None:  # fmt: skip
    return None if value is None else _parse_week(ctx, param, value)


@main.group(texts=Text("Presentasi lokakarya mini: dek slide dari basis data.",
                       "Lokakarya mini presentation: the slide deck from the database."))
def present() -> None:
    pass


@present.command("export", texts=Text(
    """Tulis dek lokakarya mini --region sebagai PPTX, PDF, atau ringkasan A4 satu halaman per
    kecamatan (--format a4).

    Dek adalah dek tersimpan wilayah itu (slide yang ditampilkan, urutannya), angka langsung
    dari basis data untuk --week. Jumlah kasus 1–4 ditulis "< 5" (dokumen yang keluar
    kantor); --suppress N mengubah ambangnya, --no-suppress menampilkan semua.""",
    """Write the lokakarya mini deck of --region as PPTX, PDF, or an A4 one-page summary per
    kecamatan (--format a4).

    The deck is the region's saved deck (the slides shown, their order), its numbers read
    live from the database for --week. Case counts 1–4 are written "< 5" (documents that
    leave the office); --suppress N changes the threshold, --no-suppress shows them all.""",
))  # fmt: skip
@REGION
@option("--week", default=None, callback=_optional_week, metavar="YYYY-Www",
        help=Text("Minggu epidemiologi, YYYY-Www (bawaan: minggu terbaru dengan data kasus).",
                  "Epidemiological week, YYYY-Www (default: the newest week with case "
                  "data)."))  # fmt: skip
@option("--format", "fmt", type=Choice(["pptx", "pdf", "a4"]), required=True,
        help=Text("pptx: PowerPoint; pdf: satu halaman per slide; a4: satu halaman A4 per "
                  "kecamatan.",
                  "pptx: PowerPoint; pdf: one page per slide; a4: one A4 page per "
                  "kecamatan."))  # fmt: skip
@option("--out", "out", type=PathType(dir_okay=False, path_type=Path), required=True,
        metavar=Text("FILE", "FILE"),
        help=Text("File yang ditulis (.pptx, atau .pdf untuk pdf dan a4).",
                  "The file to write (.pptx, or .pdf for pdf and a4)."))  # fmt: skip
@option("--suppress", "threshold", type=IntRange(2, 100), default=None,
        metavar=Text("N", "N"),
        help=Text("Jumlah kasus di bawah N (kecuali 0) ditulis '< N' (bawaan: 5).",
                  "Case counts below N (except 0) are written '< N' (default: 5)."))
@option("--no-suppress", "no_suppress", is_flag=True,
        help=Text("Tampilkan setiap jumlah kasus (hanya untuk dalam kantor).",
                  "Show every case count (for use inside the office only)."))  # fmt: skip
@option("--scope", "scope", default=None, callback=_parse_scope,
        metavar=Text("KODE,...", "CODES,..."),
        help=Text("Kode wilayah dipisah koma yang boleh dibaca (bawaan: semua).",
                  "Comma-separated region codes that may be read (default: all)."))  # fmt: skip
@LANG
def export(region: str, week: EpiWeek | None, fmt: str, out: Path, threshold: int | None,
           no_suppress: bool, scope: Scope, lang: str) -> None:  # fmt: skip
    from sqlalchemy.orm import Session

    from layers.present import export_job
    from layers.present.deck import DeckError
    from layers.present.suppress import DEFAULT_THRESHOLD

    ctx = click.get_current_context()
    if threshold is not None and no_suppress:
        raise click.UsageError(BOTH(lang), ctx=ctx)
    if out.suffix.lower() != SUFFIXES[fmt]:
        raise click.BadParameter(BAD_SUFFIX(lang).format(value=out, fmt=fmt,
                                                         suffix=SUFFIXES[fmt]),
                                 param_hint="--out")  # fmt: skip
    if not out.parent.is_dir():  # say so before the work, not after it
        click.echo(NOT_WRITTEN(lang).format(path=out, why=NO_FOLDER(lang)), err=True)
        sys.exit(1)
    engine = _engine()
    _, info = _region_scope(engine, region, lang)
    if scope.narrow(region).is_empty:
        raise click.BadParameter(OUTSIDE(lang).format(kode=region), param_hint="--region")
    if week is not None:
        _require_data(engine, scope.narrow(region), info, week, "diare_akut", False, lang)
    chosen = None if no_suppress else (threshold or DEFAULT_THRESHOLD)
    label = (PAGES if fmt == "a4" else SLIDES)(lang)
    bar = progress_for(False, sys.stderr, lang)
    try:
        with Session(engine) as session:
            data, _, _ = export_job.export(
                session, scope, region, week, fmt, lang, chosen,  # type: ignore[arg-type]
                progress=(lambda done, total: bar(done, total, label)) if bar else None)
            used = export_job.used_week(session, scope, region, week)
    except DeckError as exc:
        raise click.BadParameter(exc.text(lang), param_hint="--region") from exc
    finally:
        if bar is not None:
            bar.close()
    try:
        out.write_bytes(data)
    except OSError as exc:
        click.echo(NOT_WRITTEN(lang).format(path=out, why=exc.strerror or exc), err=True)
        sys.exit(1)
    name = FORMAT_NAMES[fmt]
    shown = (UNSUPPRESSED(lang) if chosen is None
             else SUPPRESSED(lang).format(n=chosen - 1, t=chosen))  # fmt: skip
    click.echo(DONE(lang).format(region=info["nama"], kode=region,
                                 week=used if used is not None else NO_WEEK(lang),
                                 fmt=name if isinstance(name, str) else name(lang),
                                 shown=shown))  # fmt: skip
    click.echo(f"{WRITTEN(lang)}: {out}")
