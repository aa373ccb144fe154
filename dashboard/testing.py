"""Run the app in-process and drive it with headless Chromium.

For the test suite, the benchmarks and the screenshot script (like ``flask.testing``).
Chromium is Debian's /usr/bin/chromium — never a browser downloaded by Playwright —
with flags that keep it off the closed network (see shared/docs/stack.md).
Playwright is a development dependency, imported only when a browser is launched.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.serving import make_server

from dashboard.app import create_app
from layers.demo import load
from layers.scope import Scope
from layers.store import engine as store_engine

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

#: in a map page: the periods next to the one shown were fetched ahead (pws.prefetchNear,
#: assets/pws_periods.js), or there are none (a wait of the browser tests and benchmarks)
NEAR_FETCHED_JS = """() => {
    const pws = window.pws, fast = pws && pws.fast, cur = pws && pws.current;
    if (!cur || !cur.values) { return true; }
    const list = fast.periods, at = list.indexOf(cur.stamp.split("|")[1]);
    return [list[at - 1], list[at + 1]].every(p => !p || fast.kept.has(pws.valuesUrl(cur, p)));
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(database_url: str, scope: Scope | None = None) -> Iterator[str]:
    """Serve the app on a free localhost port in a thread; yields its base URL."""
    app = create_app(database_url, scope)
    port = free_port()
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def loaded_database(folder: Path, path: Path) -> str:
    """A fresh SQLite database at ``path`` with a demo folder loaded; returns its URL."""
    url = f"sqlite:///{path}"
    engine = store_engine.make_engine(url)
    store_engine.upgrade(engine)
    load.load_demo_dir(engine, folder)
    engine.dispose()
    return url


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `make test` as root installs chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def component_props(layout: Any, ident: str) -> dict[str, Any]:
    """The props of the component with id ``ident`` in a layout as Dash sends it (JSON of
    ``{"type", "namespace", "props"}`` trees); :class:`LookupError` when there is none."""
    stack = [layout]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            props = item.get("props")
            if isinstance(props, dict) and props.get("id") == ident:
                return props
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    raise LookupError(f"no component {ident!r}")


def page_layout(client: Any, search: str = "", path: str = "/") -> Any:
    """The page callback's answer (header and page) for ``path`` with the query ``search``,
    as the browser gets it after a navigation."""
    body = {"output": "..header.children...page.children..",
            "outputs": [{"id": "header", "property": "children"},
                        {"id": "page", "property": "children"}],
            "inputs": [{"id": "url", "property": "pathname", "value": path}],
            "state": [{"id": "url", "property": "search", "value": search}],
            "changedPropIds": ["url.pathname"]}  # fmt: skip
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.data[:300]
    return response.get_json()

