"""``pws demo``, ``pws load-demo``, ``pws db`` and ``pws serve``.

Messages and help are :class:`~layers.text.Text` pairs shown in ``--lang``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from dashboard.cli.common import DEMO_DIR, LANG, main
from dashboard.cli.lang import INT, PathType, lang_option, option
from layers.text import Text

DEMO_WRITTEN = Text("demo ditulis ke {out}", "demo written to {out}")
NOTHING_LOADED = Text("basis data sudah berisi desa; tidak ada yang dimuat",
                      "database already has villages; nothing loaded")  # fmt: skip
LOADED = Text("dimuat", "loaded")
UPGRADED = Text("basis data sudah pada migrasi terbaru", "database is at the latest migration")
SERVING = Text("Peta PWS-ILP di http://{host}:{port}", "PWS-ILP map on http://{host}:{port}")


@main.command(texts=Text(
    "Buat kabupaten demo sintetis (atau data program sintetis di atas batas desa nyata).",
    "Generate the synthetic demo district (or programme data on real boundaries).",
))  # fmt: skip
@option("--out", type=PathType(path_type=Path), default=DEMO_DIR, show_default=True,
        metavar=Text("FOLDER", "FOLDER"),
        help=Text("Folder tujuan file demo.", "Folder to write the demo files to."))
@option("--seed", type=INT, default=None,
        help=Text("Seed acak (bawaan: seed demo sendiri).",
                  "Random seed (default: the demo's own)."))  # fmt: skip
@option("--boundaries", type=PathType(exists=True, path_type=Path), default=None,
        metavar=Text("FILE", "FILE"),
        help=Text("Batas desa nyata tempat data program sintetis diletakkan.",
                  "Real village boundaries to put the synthetic programme data on."))
@LANG
def demo(out: Path, seed: int | None, boundaries: Path | None, lang: str) -> None:
    from layers.demo import generate_demo

    kwargs = {} if seed is None else {"seed": seed}
    generate_demo(out, boundaries=boundaries, **kwargs)
    click.echo(DEMO_WRITTEN(lang).format(out=out))


@main.command("load-demo", texts=Text(
    "Muat folder demo (seperti ditulis `pws demo`) ke PWS_DATABASE_URL.",
    "Load a demo folder (as written by `pws demo`) into PWS_DATABASE_URL.",
))  # fmt: skip
@click.argument("folder", type=PathType(exists=True, path_type=Path), default=DEMO_DIR)
@option("--if-empty", is_flag=True,
        help=Text("Tidak melakukan apa pun bila basis data sudah berisi desa.",
                  "Do nothing when the database has villages."))  # fmt: skip
@option("--json", "as_json", is_flag=True,
        help=Text("Cetak jumlah baris per tabel sebagai JSON.",
                  "Print the rows per table as JSON."))  # fmt: skip
@LANG
def load_demo(folder: Path, if_empty: bool, as_json: bool, lang: str) -> None:
    from sqlalchemy.orm import Session

    from layers.demo import load
    from layers.ingest import wording
    from layers.scope import Scope
    from layers.store import engine as store_engine
    from layers.store import queries

    engine = store_engine.make_engine()
    store_engine.upgrade(engine)
    if if_empty:
        with Session(engine) as session:
            if not queries.village_table(session, Scope.everything()).empty:
                click.echo(NOTHING_LOADED(lang))
                return
    counts = load.load_demo_dir(engine, folder)
    if as_json:
        click.echo(json.dumps(counts))
    else:
        click.echo(f"{LOADED(lang)}: {wording.written(counts, lang)}")


@main.group(texts=Text("Pemeliharaan basis data.", "Database maintenance."))
@lang_option(expose=False)
def db() -> None:
    pass


@db.command(texts=Text("Terapkan semua migrasi ke PWS_DATABASE_URL.",
                       "Apply all migrations to PWS_DATABASE_URL."))  # fmt: skip
@LANG
def upgrade(lang: str) -> None:
    from layers.store import engine as store_engine

    store_engine.upgrade(store_engine.make_engine())
    click.echo(UPGRADED(lang))


@main.command(texts=Text(
    "Jalankan dasbor dengan server pengembangan (produksi: gunicorn).",
    "Serve the dashboard with the development server (use gunicorn in production).",
))  # fmt: skip
@option("--host", default="127.0.0.1", show_default=True, metavar=Text("HOST", "HOST"),
        help=Text("Alamat yang didengarkan.", "Address to listen on."))
@option("--port", type=INT, default=8050, show_default=True,
        help=Text("Port yang didengarkan.", "Port to listen on."))
@option("--debug", is_flag=True,
        help=Text("Mode debug Dash (muat ulang otomatis).", "Dash debug mode (auto-reload)."))
@LANG
def serve(host: str, port: int, debug: bool, lang: str) -> None:
    from dashboard.app import create_app

    click.echo(SERVING(lang).format(host=host, port=port))
    create_app().run(host=host, port=port, debug=debug)
