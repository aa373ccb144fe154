"""Work in a spawned process (layers/spawned.py): result, progress, errors carried back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from layers import spawned
from layers.present.deck import DeckError
from layers.text import Text


def _count(session: Session, table: str, *, progress: spawned.Progress) -> int:
    progress(1, 2)
    found = int(session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar())
    progress(2, 2)
    return found


def _refuse(session: Session, *, progress: spawned.Progress) -> None:
    raise DeckError(Text("Wilayah di luar cakupan.", "Region outside the scope."))


def _break(session: Session, *, progress: spawned.Progress) -> None:
    raise KeyError("nope")


def test_result_and_progress_come_back(tmp_path: Path) -> None:
    from layers.store import engine as store_engine

    engine: Engine = store_engine.make_engine(f"sqlite:///{tmp_path / 's.sqlite'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1), (2), (3)"))
    seen: list[tuple[int, int]] = []
    assert spawned.call(engine, _count, ("t",), lambda d, n: seen.append((d, n))) == 3
    assert seen == [(1, 2), (2, 2)]
    with pytest.raises(DeckError) as caught:
        spawned.call(engine, _refuse, ())
    assert caught.value.text.en == "Region outside the scope."
    with pytest.raises(RuntimeError, match="KeyError"):
        spawned.call(engine, _break, ())
