"""Browser fixtures: the real app served on a free port, driven by Playwright in Chromium.

Chromium is Debian's /usr/bin/chromium (never a downloaded build); the flags keep it
from trying the closed network (see shared/docs/stack.md).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from dashboard.app import create_app
from layers.scope import Scope
from layers.store import engine as store_engine
from layers.store import load

REPO = Path(__file__).resolve().parents[2]
DEMO_DIR = REPO / "data" / "geo" / "demo_9901"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


class LiveApp:
    """A running app: its URL and the database behind it."""

    def __init__(self, url: str, database_url: str) -> None:
        self.url = url
        self.database_url = database_url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(database_url: str, scope: Scope | None = None) -> Iterator[LiveApp]:
    """Serve the app on a free port in a thread for the duration of the generator."""
    app = create_app(database_url, scope)
    port = _free_port()
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveApp(f"http://127.0.0.1:{port}", database_url)
    finally:
        server.shutdown()
        thread.join(timeout=10)


def loaded_database(folder: Path, path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = store_engine.make_engine(url)
    store_engine.upgrade(engine)
    load.load_demo_dir(engine, folder)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return loaded_database(DEMO_DIR, tmp_path_factory.mktemp("demo") / "pws.sqlite")


@pytest.fixture(scope="session")
def live_app(demo_db: str) -> Iterator[LiveApp]:
    yield from serve(demo_db)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` as root to install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="id-ID")
    page = context.new_page()
    yield page
    context.close()
