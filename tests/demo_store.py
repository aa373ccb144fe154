"""Shared fixtures: a copy of the demo store per test module, and a session on it.

Imported by the conftest of each test folder that reads the demo store
(``from tests.demo_store import session, store``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.ingest.helpers import demo_engine


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = demo_engine(tmp_path_factory.mktemp("demo"))
    yield engine
    engine.dispose()


@pytest.fixture
def session(store: Engine) -> Iterator[Session]:
    with Session(store) as s:
        yield s
