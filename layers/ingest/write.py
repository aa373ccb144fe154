"""Writing imported rows so that an import can be undone.

:func:`upsert` inserts new rows and updates existing ones (matched on a natural key),
stamping each with the import's id (``impor_id``) and saving the versions it overwrote in
``impor_cadangan``. :func:`undo` reverses one import: it deletes the rows that import
wrote, then puts the saved versions back. Only the newest import may be undone (a stack),
so an undo never clobbers a later import.

Every :func:`upsert` also notes the regions its rows lie in (:func:`touched`): the village
codes of the rows it wrote and of the rows it overwrote (the region codes for ``wilayah``).
The runner stores them in ``impor_wilayah`` (:func:`record_regions`), which scopes the
import log and undo.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from layers.store.models import Base, ImporCadangan, ImporWilayah
from layers.store.types import Geometry, encode_many

CHUNK = 20_000
#: keys per ``IN (…)`` query (a national boundary file has 82,000 region codes)
IN_CHUNK = 5_000
#: where :func:`upsert` collects the regions of each import (``session.info`` key)
_TOUCHED = "pws.touched"


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


def _plain_values(column: pd.Series) -> list[Any]:
    """A column as plain Python values (NaN/NA -> None, numpy scalars -> Python)."""
    values = column.astype(object).where(column.notna(), None).tolist()
    if any(isinstance(v, np.generic) for v in values):
        values = [v.item() if isinstance(v, np.generic) else v for v in values]
    return values


def _records(frame: pd.DataFrame, encode: tuple[str, Sequence[str], str] | None = None
             ) -> list[dict[str, Any]]:  # fmt: skip
    """Plain Python records (NaN/NA -> None, numpy scalars -> Python).

    ``encode`` = ``(dialect name, geometry columns, geometry type)``: those columns go as
    WKB bytes encoded at once (:func:`layers.store.types.encode_many`), not row by row.
    """
    names = [str(c) for c in frame.columns]
    columns = []
    for name in names:
        if encode is not None and name in encode[1]:
            columns.append(encode_many(frame[name], encode[0], encode[2]))
        else:
            columns.append(_plain_values(frame[name]))
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _geometry_columns(model: type[Base]) -> tuple[list[str], str]:
    """The model's geometry columns and their geometry type (one type per table here)."""
    found = [(c.name, c.type.geometry_type) for c in model.__table__.columns
             if isinstance(c.type, Geometry)]  # fmt: skip
    return [n for n, _ in found], (found[0][1] if found else "GEOMETRY")


def _region_column(table: str, columns: Sequence[str]) -> str | None:
    """The column holding a row's region: ``kode`` of ``wilayah``, else ``kode_desa``."""
    if table == "wilayah":
        return "kode"
    return "kode_desa" if "kode_desa" in columns else None


def _note_regions(session: Session, impor_id: int, *values: pd.Series) -> None:
    found = session.info.setdefault(_TOUCHED, {}).setdefault(impor_id, set())
    for series in values:
        found.update(str(v) for v in pd.unique(series.dropna()))


def minimal_regions(kodes: set[str]) -> set[str]:
    """``kodes`` without those that are an ancestor of another one (dotted codes).

    A village boundary import rewrites the kecamatan, kabupaten and province it lies in
    (dissolved again from their villages): they follow from the villages, so only the
    villages say which regions the import touched.
    """
    above = set()
    for kode in kodes:
        while "." in kode:
            kode = kode.rsplit(".", 1)[0]
            above.add(kode)
    return kodes - above


def touched(session: Session, impor_id: int) -> set[str]:
    """The regions :func:`upsert` wrote for ``impor_id`` in this session (minimal set)."""
    return minimal_regions(set(session.info.get(_TOUCHED, {}).get(impor_id, set())))


def record_regions(session: Session, impor_id: int, kodes: set[str]) -> None:
    """Store the regions of ``impor_id`` in ``impor_wilayah`` (inside the caller's
    transaction)."""
    rows = [{"impor_id": impor_id, "kode": k} for k in sorted(kodes)]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(ImporWilayah), rows[start : start + CHUNK])
    session.info.get(_TOUCHED, {}).pop(impor_id, None)


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
    geometry_cols, geometry_type = _geometry_columns(model)
    encode = (session.get_bind().dialect.name, geometry_cols, geometry_type)
    cols = [c.name for c in model.__table__.columns]
    pk = [c.name for c in model.__table__.primary_key.columns]
    key = list(key)
    stmt = select(*(getattr(model, c) for c in cols))
    if existing_filter is not None:
        found = session.execute(stmt.where(existing_filter)).all()
    elif len(key) == 1:  # in chunks: PostgreSQL takes at most 65,535 parameters a statement
        values = list(pd.unique(frame[key[0]]))
        found = [row for start in range(0, len(values), IN_CHUNK)
                 for row in session.execute(stmt.where(getattr(model, key[0]).in_(
                     values[start : start + IN_CHUNK])))]  # fmt: skip
    else:
        found = session.execute(stmt).all()
    old = pd.DataFrame(found, columns=cols)
    new = frame.assign(impor_id=impor_id)
    merged = new.merge(old[key + [c for c in pk if c not in key]], on=key, how="left",
                       indicator=True)  # fmt: skip
    exists = (merged["_merge"] == "both").to_numpy()
    region = _region_column(table, cols)
    if region is not None:
        _note_regions(session, impor_id, new[region])
    if exists.any():
        keys_hit = merged.loc[exists, key]
        previous = old.merge(keys_hit, on=key, how="inner")
        if region is not None:
            _note_regions(session, impor_id, previous[region])
        for start in range(0, len(previous), CHUNK):  # chunks: no giant JSON values
            part = _records(previous.iloc[start : start + CHUNK])
            session.add(ImporCadangan(impor_id=impor_id, tabel=table, baris=json.dumps(
                [{k: _encode(v) for k, v in r.items()} for r in part]
            )))  # fmt: skip
        updates = merged.loc[exists].drop(columns="_merge")
        for start in range(0, len(updates), CHUNK):
            session.execute(update(model),
                            _records(updates.iloc[start : start + CHUNK], encode))  # fmt: skip
    inserts = new.loc[~exists]
    for start in range(0, len(inserts), CHUNK):
        session.execute(insert(model), _records(inserts.iloc[start : start + CHUNK], encode))
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
