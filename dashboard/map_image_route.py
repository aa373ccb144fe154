"""``GET /peta.png`` (and ``.svg``, ``.pdf``): the map of a layer as an image, server side.

The map page's download link (*Unduh peta (PNG)*) points here for its current view; the
slides and exports of a meeting use the same images. Query parameters:

* ``layer`` — the layer's JSON config (``{"type": "insidens", "penyakit": "diare_akut"}``),
  validated by :func:`layers.base.from_config`;
* ``period`` — ``2025-W50`` / ``2025`` (default: the layer's newest period with data;
  ignored for a snapshot layer);
* ``region`` — a region code that narrows the **server's** scope (:mod:`dashboard.context`);
  a region outside it is a 404, never data;
* ``lang`` (``id``/``en``), ``labels`` (``0``/``1``), ``width``/``height`` (pixels, at most
  :data:`MAX_PX`).

A malformed parameter is a 400 with a short message in ``lang``, never a 500. Responses
are ``Cache-Control: private, no-cache`` with an ETag from the boundary and data versions
and the parameters (and the day, which the image's source line names).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any
from urllib.parse import urlencode

import flask

from dashboard import context
from dashboard.i18n import lang_of
from layers import base, codes
from layers.render import mapimage
from layers.scope import Scope
from layers.store import queries
from layers.text import Text

bp = flask.Blueprint("map_image", __name__)

#: the largest width or height served, in pixels (the renderer allows more offline)
MAX_PX = 4000
MIN_PX = mapimage.MIN_PX
DEFAULT_SIZE = (1600, 1000)
#: the longest layer config accepted, in characters
MAX_CONFIG = 1000
#: the map page's download link
DOWNLOAD = Text("Unduh peta (PNG)", "Download map (PNG)")
DOWNLOAD_TITLE = Text("Peta tampilan ini sebagai gambar, dengan legenda dan skala",
                      "This view's map as an image, with legend and scale bar")  # fmt: skip
BAD_LAYER = Text("Lapisan peta tidak valid.", "Invalid map layer.")
BAD_PERIOD = Text("Periode tidak valid untuk lapisan ini.", "Invalid period for this layer.")
BAD_REGION = Text("Kode wilayah tidak valid.", "Invalid region code.")
BAD_SIZE = Text("Ukuran gambar harus bilangan bulat {low}–{high} piksel.",
                "The image size must be a whole number of {low}–{high} pixels.")  # fmt: skip
BAD_LABELS = Text("Nilai labels harus 0 atau 1.", "labels must be 0 or 1.")
NOT_FOUND = Text("Wilayah tidak ditemukan di wilayah Anda.", "Region not found in your area.")


class Refused(Exception):
    """A request parameter that does not fit: a 400 with ``text`` in the request's language."""

    def __init__(self, text: Text, status: int = 400) -> None:
        super().__init__(text.en)
        self.text = text
        self.status = status


def image_url(config: dict[str, Any], period: str | None, region: str | None, lang: str,
              fmt: str = "png") -> str:  # fmt: skip
    """The route's URL for a view: a layer config, a period, a region filter, a language.

    >>> image_url({"type": "insidens"}, "2025-W50", None, "en")
    '/peta.png?layer=%7B%22type%22%3A%22insidens%22%7D&period=2025-W50&lang=en'
    """
    query = {"layer": json.dumps(config, separators=(",", ":"), sort_keys=True)}
    if period:
        query["period"] = period
    if region:
        query["region"] = region
    query["lang"] = lang
    return f"/peta.{fmt}?{urlencode(query)}"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"not a JSON number: {name}")


def _layer(raw: str | None) -> base.Layer:
    if not raw or len(raw) > MAX_CONFIG:
        raise Refused(BAD_LAYER)
    try:
        config = json.loads(raw, parse_constant=_refuse_constant)
        return base.from_config(config)
    except (ValueError, TypeError, RecursionError) as exc:
        raise Refused(BAD_LAYER) from exc


def _size(raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or not MIN_PX <= int(raw) <= MAX_PX:
        raise Refused(BAD_SIZE.format(low=MIN_PX, high=MAX_PX))
    return int(raw)


def _labels(raw: str | None) -> bool:
    if raw in (None, "", "0"):
        return False
    if raw == "1":
        return True
    raise Refused(BAD_LABELS)


def _scope(scope: Scope, raw: str | None) -> tuple[Scope, str | None]:
    """The server's scope, narrowed to ``region`` (never widened); 404 outside it."""
    if raw is None or raw == "":
        return scope, None
    if not codes.is_valid(raw):
        raise Refused(BAD_REGION)
    region = codes.normalize(raw)
    narrowed = scope.narrow(region)
    if narrowed.is_empty:
        raise Refused(NOT_FOUND, 404)
    return narrowed, region


def _period(session: Any, scope: Scope, layer: base.Layer, raw: str | None) -> base.Period:
    if layer.period_kind == base.SNAPSHOT:
        return None
    if raw is None or raw == "":
        periods = layer.periods(session, scope)
        return periods[0] if periods else None
    try:
        return base.parse_period(layer.period_kind, raw)
    except ValueError as exc:
        raise Refused(BAD_PERIOD) from exc


def _etag(session: Any, scope: Scope, layer: base.Layer, period: base.Period,
          args: dict[str, Any]) -> str:  # fmt: skip
    key = json.dumps([queries.geometry_version(session), queries.data_version(session),
                      scope.key, layer.config(), base.period_text(period), args,
                      date.today().isoformat()], sort_keys=True, default=str)  # fmt: skip
    return hashlib.sha1(key.encode()).hexdigest()[:20]


def _message(text: Text, lang: str, status: int) -> flask.Response:
    response = flask.Response(text(lang), status=status, mimetype="text/plain")
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Language"] = lang
    return response


@bp.get("/peta.<fmt>")
def map_image(fmt: str) -> flask.Response:
    if fmt not in mapimage.MEDIA_TYPES:
        flask.abort(404)
    args = flask.request.args
    lang = lang_of(args.get("lang"))
    ctx = context.current()
    try:
        layer = _layer(args.get("layer"))
        width = _size(args.get("width"), DEFAULT_SIZE[0])
        height = _size(args.get("height"), DEFAULT_SIZE[1])
        labels = _labels(args.get("labels"))
        scope, region = _scope(ctx.scope(), args.get("region"))
        with ctx.session() as session:
            if region is not None and queries.region(session, ctx.scope(), region) is None:
                raise Refused(NOT_FOUND, 404)
            if queries.village_table(session, scope).empty:
                raise Refused(NOT_FOUND, 404)
            period = _period(session, scope, layer, args.get("period"))
            etag = _etag(session, scope, layer, period,
                         {"fmt": fmt, "lang": lang, "labels": labels, "w": width, "h": height})
            if flask.request.if_none_match.contains(etag):
                response = flask.Response(status=304)
            else:
                body = mapimage.render_map(session, scope, layer, period, lang, fmt=fmt,  # type: ignore[arg-type]
                                           width_px=width, height_px=height, labels=labels)
                response = flask.Response(body, mimetype=mapimage.MEDIA_TYPES[fmt])
    except Refused as refused:
        return _message(refused.text, lang, refused.status)
    name = "-".join(p for p in ("peta", layer.type, base.period_text(period), region) if p)
    response.headers["Content-Disposition"] = f'inline; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "private, no-cache"
    response.set_etag(etag)
    return response
