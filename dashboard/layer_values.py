"""A layer's values for the map: computed once per data version, sent compactly.

"Geometry once, values many" (design.md §3). A layer's values for a (scope, kecamatan
filter, period, options, language) are computed by the layer (:meth:`layers.base.Layer.
load`) and its aggregation (:mod:`layers.aggregate`) once per boundary and data version
— any import or undo changes the key — and kept in the shared cache
(:class:`dashboard.cache.SharedCache`), so every worker and every later request reuses
them. The browser gets only what colours the map:

* ``k``: one character per village of the scope, in code order (the position is the
  geometry feature's ``i``): the class index in base 36, ``-`` no data, ``.`` outside the
  kecamatan filter (:func:`encode_classes`);
* ``agg``: per region level (``prov``, ``kab``, ``kec``) the region codes, their classes
  and labels (a few hundred regions: labels included), with the aggregated legend;
* ``labels``: the URL of the villages' tooltip texts (:data:`LABELS_PATH`), fetched by the
  browser after painting or on the first hover, never on the way to a painted week;
* ``values``: the same request without its period at :data:`VALUES_PATH`. The page asks it
  for another period directly when only the period changes (``pws.onPeriod``), so a
  week's colours are painted before Dash's callback has returned that week's legend.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import flask
import numpy as np

from dashboard import context
from layers import base, codes
from layers.scope import Scope
from layers.store import queries
from layers.text import Text

bp = flask.Blueprint("nilai", __name__)

#: class index → character (base 36: a legend of up to 36 classes)
CLASS_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"
NO_DATA_CHAR = "-"
OUTSIDE_CHAR = "."
LABELS_PATH = "/nilai/label.json"
VALUES_PATH = "/nilai/values.json"
#: region levels aggregated for the map (the page shows those it draws)
AGGREGATE_LEVELS = ("prov", "kab", "kec")


def encode_classes(positions: np.ndarray, klass: np.ndarray, n: int) -> str:
    """``n`` characters: the class of each position given, ``.`` elsewhere.

    >>> encode_classes(np.array([0, 2]), np.array([1, -1]), 4)
    '1.-.'
    """
    chars = np.full(n, OUTSIDE_CHAR, dtype="<U1")
    table = np.array(list(CLASS_CHARS), dtype="<U1")
    klass = np.asarray(klass, dtype=int)
    chars[positions] = np.where(klass >= 0, table[np.clip(klass, 0, len(table) - 1)],
                                NO_DATA_CHAR)  # fmt: skip
    return "".join(chars.tolist())


@dataclass(frozen=True)
class Request:
    """What the map asks for; every field checked by :func:`parse` (never trusted)."""

    layer: base.Layer
    period: str | None
    kec: str | None
    lang: str

    def config_text(self) -> str:
        return json.dumps(self.layer.config(), sort_keys=True, separators=(",", ":"))

    def query(self) -> dict[str, str]:
        out = {"layer": self.config_text(), "lang": self.lang}
        if self.period:
            out["period"] = self.period
        if self.kec:
            out["kec"] = self.kec
        return out


def parse(layer: object, period: object, kec: object, lang: object) -> Request:
    """A :class:`Request` from browser values; :class:`ValueError` for anything crafted."""
    if isinstance(layer, str):
        try:
            layer = json.loads(layer)
        except json.JSONDecodeError as exc:
            raise ValueError("layer is not JSON") from exc
    built = base.from_config(layer)
    cls = type(built)
    if cls.period_kind == base.SNAPSHOT:
        period = None
    elif period is not None:
        base.parse_period(cls.period_kind, period)  # raises for a crafted period
    if kec is not None and not (isinstance(kec, str) and codes.is_valid(kec)):
        raise ValueError("not a region code")
    if lang not in ("id", "en"):
        raise ValueError("unknown language")
    return Request(built, period if isinstance(period, str) else None, kec or None, lang)  # type: ignore[arg-type]


# --- the scope's village order (positions of the geometry features) --------------------

_ORDER: dict[tuple[str, str], np.ndarray] = {}
_ORDER_LOCK = threading.Lock()


def village_order(session: Any, scope: Scope, version: str) -> np.ndarray:
    """The scope's village codes in code order: position ``i`` of each geometry feature."""
    key = (version, scope.key)
    with _ORDER_LOCK:
        found = _ORDER.get(key)
    if found is None:
        found = queries.village_table(session, scope)["kode"].to_numpy(dtype=object)
        with _ORDER_LOCK:
            if len(_ORDER) > 16:
                _ORDER.clear()
            _ORDER[key] = found
    return found


# --- computing ------------------------------------------------------------------------


def _result(session: Any, scope: Scope, req: Request) -> base.LayerResult:
    cls = type(req.layer)
    if cls.period_kind != base.SNAPSHOT and req.period is None:
        villages = queries.village_table(session, scope)["kode"]
        return base.no_data_result(villages, req.layer.legend(), req.layer.no_periods_text(),
                                   req.lang)  # fmt: skip
    period = base.parse_period(cls.period_kind, req.period)
    return req.layer.load(session, scope, period, req.lang)


def _aggregates(result: base.LayerResult, req: Request) -> dict[str, Any]:
    agg = req.layer.aggregation()
    legend = agg.legend(result.legend)
    levels = {}
    for level in AGGREGATE_LEVELS:
        table = agg.apply(result.table, level, req.lang)
        levels[level] = {
            "codes": table["kode"].tolist(),
            "k": encode_classes(np.arange(len(table)), table["klass"].to_numpy(), len(table)),
            "labels": table["label"].tolist(),
        }
    return {"levels": levels, "colors": [c.color for c in legend.classes],
            "no_data": legend.no_data.color}


def _compute(ctx: context.AppContext, scope: Scope, req: Request, version: str,
             regions: bool) -> bytes:  # fmt: skip
    with ctx.session() as session:
        order = village_order(session, scope, version)
        narrowed = scope.narrow(req.kec) if req.kec else scope
        result = _result(session, narrowed, req)
    table = result.table
    positions = np.searchsorted(order, table["kode_desa"].to_numpy(dtype=object))
    positions = np.clip(positions, 0, max(len(order) - 1, 0))
    inside = (len(order) > 0) & (order[positions] == table["kode_desa"].to_numpy(dtype=object))
    klass = table["klass"].to_numpy()
    labels: list[str | None] = [None] * len(order)
    for pos, label in zip(positions[inside], table["label"][inside], strict=True):
        labels[pos] = label
    body = {
        "k": encode_classes(positions[inside], klass[inside], len(order)),
        "n": int(inside.sum()),
        "labels": labels,
        "summary": {"id": result.summary.id, "en": result.summary.en},
        # only a drill-down map shows the regions (a third of the time of a week's values
        # on Jawa Timur, which opens on its villages)
        "agg": _aggregates(result, req) if regions else None,
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def cache_key(session: Any, scope: Scope, req: Request, regions: bool = False) -> tuple:
    return ("nilai", queries.geometry_version(session), queries.data_version(session),
            scope.key, req.config_text(), req.period, req.kec, req.lang,
            "wilayah" if regions else "desa")  # fmt: skip


@dataclass
class Values:
    """The cached values of one request, decoded."""

    body: dict[str, Any]
    key: tuple

    def summary(self) -> Text:
        return Text(self.body["summary"]["id"], self.body["summary"]["en"])


def values(ctx: context.AppContext, req: Request, regions: bool = False,
           scope: Scope | None = None) -> Values:  # fmt: skip
    """The values of ``req`` for the server's scope (computed once per data version); with
    the kabupaten and province aggregates when ``regions`` (a drill-down map). ``scope``:
    the one the server resolved for the request (a background thread has no request)."""
    scope = ctx.scope() if scope is None else scope
    with ctx.session() as session:
        key = cache_key(session, scope, req, regions)
    body = ctx.geo_cache.get_or_make(key, lambda: _compute(ctx, scope, req, key[1], regions))
    return Values(json.loads(body), key)


def browser_payload(req: Request, found: Values, regions: bool) -> dict[str, Any]:
    """What the page's ``layer-values`` store carries: classes, colours, the labels' URL —
    no tooltip text for the villages — and, when the map drills down by ``regions``, the
    aggregated levels."""
    legend = req.layer.legend()
    # the labels of this very cache entry (``agg``: the one with the aggregates)
    query = {**req.query(), "v": found.key[2], **({"agg": "1"} if regions else {})}
    other_periods = {k: v for k, v in query.items() if k != "period"}
    return {
        "k": found.body["k"],
        "colors": [c.color for c in legend.classes],
        "no_data": legend.no_data.color,
        "agg": found.body["agg"] if regions else None,
        "labels": f"{LABELS_PATH}?{urlencode(query)}",
        # another period of the same request: this URL and ``&period=…``
        "values": f"{VALUES_PATH}?{urlencode(other_periods)}",
        # layer|period|kec|lang|options|data version: tests and the page read its parts
        "stamp": f"{req.layer.type}|{req.period or ''}|{req.kec or ''}|{req.lang}|"
                 f"{sorted(req.layer.config().items())}|{found.key[2]}",
    }


def _from_query() -> tuple[Request, Values, bool]:
    """The request a route's query names (400 when crafted) and its values, for the
    server's scope (never one the browser names)."""
    args = flask.request.args
    try:
        req = parse(args.get("layer"), args.get("period"), args.get("kec"), args.get("lang"))
    except (TypeError, ValueError):
        flask.abort(400)
    regions = args.get("agg") == "1"
    return req, values(context.current(), req, regions=regions), regions


def _json(data: Any, found: Values) -> flask.Response:
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    response = flask.Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha1(repr(found.key).encode()).hexdigest()[:20])
    # the data version is in the URL: the same URL always means the same data
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.get(LABELS_PATH)
def labels() -> flask.Response:
    """The villages' tooltip texts of one request, in the order of ``k`` (null outside
    the filter). Recomputed from the query when not cached; the scope is the server's."""
    _req, found, _regions = _from_query()
    return _json(found.body["labels"], found)


@bp.get(VALUES_PATH)
def browser_values() -> flask.Response:
    """What :func:`browser_payload` gives the page's store, for the request the query
    names: the page's way to another period without waiting for Dash (``pws.onPeriod``)."""
    req, found, regions = _from_query()
    return _json(browser_payload(req, found, regions), found)
