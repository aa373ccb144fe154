"""Portable geometry column type: shapely in, shapely out, EPSG:4326.

Owns how geometries are stored on each backend:

* PostgreSQL: a real PostGIS ``geometry(<TYPE>, 4326)`` column (DDL through geoalchemy2),
  so spatial SQL (``ST_Area``, ``ST_Contains``, …) works on it. Values travel as EWKB:
  the bind is wrapped in ``ST_GeomFromEWKB(...)`` and the column in ``ST_AsEWKB(...)``.
* SQLite (and anything else): plain WKB bytes in a BLOB, no SpatiaLite needed.

Bulk writers (the importers' upsert) encode a whole column at once with :func:`encode_many`
(shapely's vectorised WKB writer) and bind the bytes: :meth:`Geometry.process_bind_param`
passes ``bytes`` through as already encoded for the dialect.

Why not simply reuse geoalchemy2's bind/column expressions: a ``TypeDecorator`` forwards
``bind_expression``/``column_expression`` to its *static* ``impl`` (not to the per-dialect
implementation chosen in ``load_dialect_impl``), so geoalchemy2's ``ST_GeomFromEWKT`` /
``ST_AsEWKB`` wrapping would silently not happen. This module renders its own dialect-aware
wrappers instead (see :class:`_ToDb` and :class:`_FromDb`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from geoalchemy2 import Geometry as PostgisGeometry
from shapely.geometry.base import BaseGeometry
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import LargeBinary, TypeDecorator, TypeEngine

SRID = 4326


class _ToDb(FunctionElement[Any]):
    """Bind wrapper: ``ST_GeomFromEWKB(:param)`` on PostgreSQL, the bare param elsewhere."""

    inherit_cache = True
    type = LargeBinary()


class _FromDb(FunctionElement[Any]):
    """Column wrapper: ``ST_AsEWKB(col)`` on PostgreSQL, the bare column elsewhere.

    Typed as the geometry type itself so the result still goes through
    :meth:`Geometry.process_result_value`.
    """

    inherit_cache = True

    def __init__(self, column: Any, type_: TypeEngine[Any]) -> None:
        super().__init__(column)
        self.type = type_


@compiles(_ToDb)
@compiles(_FromDb)
def _bare(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_ToDb, "postgresql")
def _pg_to_db(element: _ToDb, compiler: SQLCompiler, **kw: Any) -> str:
    return f"ST_GeomFromEWKB({compiler.process(element.clauses, **kw)})"


@compiles(_FromDb, "postgresql")
def _pg_from_db(element: _FromDb, compiler: SQLCompiler, **kw: Any) -> str:
    return f"ST_AsEWKB({compiler.process(element.clauses, **kw)})"


class Geometry(TypeDecorator[BaseGeometry]):
    """A shapely geometry column in EPSG:4326, PostGIS on PostgreSQL, WKB elsewhere.

    Parameters
    ----------
    geometry_type
        PostGIS geometry type name (``"MULTIPOLYGON"``, ``"POINT"``, ``"GEOMETRY"``).
        With ``"MULTIPOLYGON"`` a plain Polygon is promoted to a one-part MultiPolygon
        on write.
    """

    impl = LargeBinary
    cache_ok = True
    #: read by geoalchemy2's DDL hooks; the GiST index is declared explicitly instead
    spatial_index = False

    def __init__(self, geometry_type: str = "GEOMETRY") -> None:
        super().__init__()
        self.geometry_type = geometry_type.upper()

    def __repr__(self) -> str:
        return f"Geometry({self.geometry_type!r})"

    def load_dialect_impl(self, dialect: Dialect | None) -> TypeEngine[Any]:
        # geoalchemy2's DDL helpers call this with dialect=None; answer "not spatial" then.
        if dialect is not None and dialect.name == "postgresql":
            return dialect.type_descriptor(
                PostgisGeometry(geometry_type=self.geometry_type, srid=SRID, spatial_index=False)
            )
        if dialect is None:
            return LargeBinary()
        return dialect.type_descriptor(LargeBinary())

    def bind_expression(self, bindvalue: Any) -> ColumnElement[Any]:
        return _ToDb(bindvalue)

    def column_expression(self, colexpr: Any) -> ColumnElement[Any]:
        return _FromDb(colexpr, self)

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        if isinstance(value, bytes):  # already encoded for this dialect (encode_many)
            return value
        if not isinstance(value, BaseGeometry):
            raise TypeError(f"expected a shapely geometry, got {type(value).__name__}")
        if self.geometry_type == "MULTIPOLYGON" and value.geom_type == "Polygon":
            value = shapely.MultiPolygon([value])
        if dialect.name == "postgresql":
            return bytes(shapely.to_wkb(shapely.set_srid(value, SRID), include_srid=True))
        return bytes(shapely.to_wkb(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> BaseGeometry | None:
        if value is None:
            return None
        data = getattr(value, "data", value)  # geoalchemy2 WKBElement -> raw
        if isinstance(data, memoryview):
            data = data.tobytes()
        geom = shapely.from_wkb(data)
        return shapely.set_srid(geom, 0) if shapely.get_srid(geom) else geom


def encode_many(values: Any, dialect_name: str, geometry_type: str = "GEOMETRY"
                ) -> list[bytes | None]:  # fmt: skip
    """What :meth:`Geometry.process_bind_param` makes of each value, for a whole column at
    once: WKB (EWKB with SRID 4326 on PostgreSQL), a Polygon promoted to a MultiPolygon for
    a ``MULTIPOLYGON`` column; None stays None."""
    arr = np.asarray(list(values), dtype=object)
    out: list[bytes | None] = [None] * len(arr)
    present = np.flatnonzero(~shapely.is_missing(arr))
    if not len(present):
        return out
    geoms = arr[present]
    if geometry_type.upper() == "MULTIPOLYGON":
        single = shapely.get_type_id(geoms) == 3
        if single.any():
            geoms = geoms.copy()
            geoms[single] = shapely.multipolygons(geoms[single], indices=np.arange(single.sum()))
    if dialect_name == "postgresql":
        wkb = shapely.to_wkb(shapely.set_srid(geoms, SRID), include_srid=True)
    else:
        wkb = shapely.to_wkb(geoms)
    for i, data in zip(present.tolist(), wkb, strict=True):
        out[i] = bytes(data)
    return out
