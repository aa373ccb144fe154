"""``pws demo``, ``pws load-demo``, ``pws db`` and ``pws serve``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dashboard.cli.common import DEMO_DIR, main


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

    from layers.demo import load
    from layers.scope import Scope
    from layers.store import engine as store_engine
    from layers.store import queries

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
