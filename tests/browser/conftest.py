"""Browser fixtures: the real app served on a free port, driven by Playwright in Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard import testing, values_prefetch

# CI machines are small and busy: give the page time, but fail rather than hang
expect.set_options(timeout=20_000)

REPO = Path(__file__).resolve().parents[2]
DEMO_DIR = REPO / "data" / "geo" / "demo_9901"


@dataclass
class LiveApp:
    """A running app: its URL and the database behind it."""

    url: str
    database_url: str


@pytest.fixture(scope="module", autouse=True)
def prefetch_periods() -> Iterator[None]:
    """The app as deployed: the weeks around the one shown computed in the background
    (off for the other tests, tests/conftest.py); done before the next module runs."""
    before = os.environ.get("PWS_PREFETCH_PERIODS")
    os.environ["PWS_PREFETCH_PERIODS"] = str(values_prefetch.DEFAULT_PERIODS)
    yield
    values_prefetch.wait_idle()
    if before is None:
        os.environ.pop("PWS_PREFETCH_PERIODS", None)
    else:
        os.environ["PWS_PREFETCH_PERIODS"] = before


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return testing.loaded_database(DEMO_DIR, tmp_path_factory.mktemp("demo") / "pws.sqlite")


@pytest.fixture(scope="session")
def live_app(demo_db: str) -> Iterator[LiveApp]:
    with testing.serve(demo_db) as url:
        yield LiveApp(url, demo_db)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with testing.chromium() as browser:
        yield browser


#: what a person's screen shows: an office laptop
VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh tab at 1366×768; the test fails on any console error or uncaught exception."""
    context = browser.new_context(viewport=VIEWPORT, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    yield page
    context.close()
    assert not errors, f"the page logged errors: {errors}"
