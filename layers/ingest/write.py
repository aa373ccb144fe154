"""Writing imported rows so that an import can be undone.

:func:`upsert` inserts new rows and updates existing ones (matched on a natural key),
stamping each with the import's id (``impor_id``) and saving the versions it overwrote in
``impor_cadangan``. :func:`undo` reverses one import: it deletes the rows that import
wrote, then puts the saved versions back. Only the newest import may be undone (a stack),
so an undo never clobbers a later import.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from layers.store.models import Base, ImporCadangan

CHUNK = 20_000


def _model(table: str) -> type[Base]:
    for mapper in Base.registry.mappers:
        if mapper.class_.__tablename__ == table:
            return mapper.class_
    raise KeyError(table)


def _encode(value: Any) -> Any:
    if isinstance(value, BaseGeometry):
        return {"wkb": shapely.to_wkb(value, hex=True)}
    if isinstance(value, dt.datetime | dt.date):
        return {"date": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "wkb" in value:
        return shapely.from_wkb(value["wkb"])
    if isinstance(value, dict) and "date" in value:
        text = value["date"]
        return dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Plain Python records (NaN/NA -> None, numpy scalars -> Python)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [
        {k: (v.item() if hasattr(v, "item") and not isinstance(v, BaseGeometry) else v)
         for k, v in row.items()}
        for row in clean.to_dict("records")
    ]  # fmt: skip


def upsert(
    session: Session, table: str, frame: pd.DataFrame, key: Sequence[str], impor_id: int,
    existing_filter: Any = None,
) -> dict[str, int]:
    """Insert or update ``frame``'s rows in ``table`` matched on ``key``; back up old rows.

    ``existing_filter`` narrows the query for existing rows (e.g. the years in the file)
    so that a large table is not read whole.
    Returns ``{"inserted": n, "updated": m}``.
    """
    model = _model(table)
    cols = [c.name for c in model.__table__.columns]
    pk = [c.name for c in model.__table__.primary_key.columns]
    key = list(key)
    stmt = select(*(getattr(model, c) for c in cols))
    if existing_filter is not None:
        stmt = stmt.where(existing_filter)
    elif len(key) == 1:
        values = list(pd.unique(frame[key[0]]))
        stmt = stmt.where(getattr(model, key[0]).in_(values))
    old = pd.DataFrame(session.execute(stmt).all(), columns=cols)
    new = frame.assign(impor_id=impor_id)
    merged = new.merge(old[key + [c for c in pk if c not in key]], on=key, how="left",
                       indicator=True)  # fmt: skip
    exists = (merged["_merge"] == "both").to_numpy()
    if exists.any():
        keys_hit = merged.loc[exists, key]
        previous = old.merge(keys_hit, on=key, how="inner")
        for start in range(0, len(previous), CHUNK):  # chunks: no giant JSON values
            part = _records(previous.iloc[start : start + CHUNK])
            session.add(ImporCadangan(impor_id=impor_id, tabel=table, baris=json.dumps(
                [{k: _encode(v) for k, v in r.items()} for r in part]
            )))  # fmt: skip
        updates = merged.loc[exists].drop(columns="_merge")
        for start in range(0, len(updates), CHUNK):
            session.execute(update(model), _records(updates.iloc[start : start + CHUNK]))
    inserts = new.loc[~exists]
    for start in range(0, len(inserts), CHUNK):
        session.execute(insert(model), _records(inserts.iloc[start : start + CHUNK]))
    return {"inserted": int((~exists).sum()), "updated": int(exists.sum())}


def undo(session: Session, impor_id: int, tables: Sequence[str]) -> dict[str, int]:
    """Restore what import ``impor_id`` overwrote, then delete the rows it inserted.

    Overwritten rows are restored in place (UPDATE by primary key), so rows that other
    tables reference keep their ids. ``tables`` in write order; deletes of inserted rows
    run in reverse order (children first).
    """
    backups = session.scalars(
        select(ImporCadangan).where(ImporCadangan.impor_id == impor_id).order_by(ImporCadangan.id)
    ).all()
    for backup in backups:
        rows = [{k: _decode(v) for k, v in r.items()} for r in json.loads(backup.baris)]
        for start in range(0, len(rows), CHUNK):
            session.execute(update(_model(backup.tabel)), rows[start : start + CHUNK])
    counts: dict[str, int] = {"restored": sum(len(json.loads(b.baris)) for b in backups)}
    for table in reversed(tables):
        model = _model(table)
        result = session.execute(delete(model).where(model.impor_id == impor_id))
        counts[table] = result.rowcount or 0
    session.execute(delete(ImporCadangan).where(ImporCadangan.impor_id == impor_id))
    return counts
