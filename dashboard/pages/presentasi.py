"""The presentation page (``/presentasi``): the lokakarya mini deck, full screen.

``/presentasi?wilayah=CODE&minggu=YYYY-Www&lang=id|en``: the region (default: the server
scope's own region, see :func:`default_region`) and the epi week (default: the newest with
case data). The region is checked against the server's scope — a region outside it gets a
message page and no slide at all — and the deck is built live from the store with
:func:`layers.present.deck.build`, using the region's saved deck
(:func:`layers.present.decks.load_deck`, only its shown slides).

Slides are cut into screens and rendered by :mod:`.presentasi_slides`; the closing slide's
editor is :mod:`.presentasi_notes`. The keys, the counter, full screen, auto-advance and
leaving (Esc, to the map page for the same region) run in the browser
(``assets/presentasi.js``). A click on a map image sends only where it fell (a fraction of
the image) and the slide's key; the server finds the kecamatan under that point in the
region it re-checks (:func:`kecamatan_at`, with the image's own geometry) and answers the
map route's URL for that kecamatan (the route checks the scope again).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import Any
from urllib.parse import urlencode

import numpy as np
import shapely
from dash import MATCH, Dash, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate
from sqlalchemy.orm import Session

from dashboard import context
from dashboard.i18n import lang_of, t
from dashboard.pages import presentasi_notes
from dashboard.pages.presentasi_slides import MAP_PX, ZOOMS_FROM, map_src, render_slide
from layers import base, codes
from layers.epiweek import EpiWeek
from layers.present import deck, decks
from layers.present.deck import DeckError, MapFigure, Slide
from layers.render import locate
from layers.scope import Scope
from layers.store import queries

log = logging.getLogger(__name__)

#: the page draws no app header: the slides are the whole screen
CHROMELESS = True
#: auto-advance intervals offered, in seconds (DHIS2 offers 10–120 s)
AUTO_SECONDS = (10, 15, 20, 30, 45, 60, 90, 120)
HIDDEN = {"display": "none"}


# --- regions and weeks, checked on the server ---------------------------------------------


def default_region(session: Session, scope: Scope) -> str | None:
    """The server scope's own region: its region when it has one, the first of several,
    else (everything) the first kabupaten in the store, else the first province."""
    if scope.regions is not None:
        return min(scope.regions) if scope.regions else None
    for level in ("kab", "prov"):
        found = queries.region_names(session, scope, level)
        if not found.empty:
            return str(found["kode"].iloc[0])
    return None


def checked_region(session: Session, scope: Scope, asked: object) -> str | None:
    """``asked`` (None/empty: the default region) when it lies inside the server's scope
    and exists; None otherwise (outside, unknown or malformed)."""
    if asked is None or asked == "":
        return default_region(session, scope)
    if not isinstance(asked, str) or not codes.is_valid(asked):
        return None
    kode = codes.normalize(asked)
    if not scope.allows(kode) or queries.region(session, scope, kode) is None:
        return None
    return kode


def parse_week(text: object) -> EpiWeek | None:
    """An epi week from the URL, None for anything else (the newest week is used)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return EpiWeek.parse(text)
    except ValueError:
        return None


def map_page_url(region: str, lang: str) -> str:
    """The map page showing ``region``: its kecamatan filter, or the village's panel."""
    query = {"lang": lang}
    level = codes.level(region)
    if level == "kec":
        query["kec"] = region
    elif level == "desa":
        query.update({"kec": codes.parent(region) or "", "desa": region})
    return "/?" + urlencode(query)


def deck_page_url(region: str, week: EpiWeek | None, lang: str) -> str:
    query = {"wilayah": region, "lang": lang}
    if week is not None:
        query["minggu"] = str(week)
    return "/presentasi/dek?" + urlencode(query)


# --- the slides, built live (and kept a few minutes) ------------------------------------


_BUILT: OrderedDict[tuple, tuple[float, Slide]] = OrderedDict()
_BUILT_LOCK = threading.Lock()
#: a built slide is reused this long while the store's data and boundaries are unchanged
#: (the diarrhoea slide runs a 999-replication scan); editable slides are always rebuilt
BUILT_SECONDS = 300
BUILT_KEPT = 64


def built_slides(session: Session, deck_ctx: deck.DeckContext, kinds: list[str]) -> list[Slide]:
    """:func:`layers.present.deck.build` of ``kinds``, each non-editable slide reused for
    :data:`BUILT_SECONDS` when nothing was imported, loaded or undone in between."""
    base_key = (session.get_bind().url.render_as_string(hide_password=True),
                deck_ctx.scope.key, deck_ctx.region, str(deck_ctx.week), deck_ctx.lang,
                deck_ctx.today.isoformat(), repr(deck_ctx.suppress),
                queries.data_version(session), queries.geometry_version(session))  # fmt: skip
    out = []
    now = time.monotonic()
    for kind in kinds:
        if kind not in deck.KINDS:
            continue
        if deck.KINDS[kind].editable:
            out += deck.build(deck_ctx, [kind])
            continue
        key = (*base_key, kind)
        with _BUILT_LOCK:
            found = _BUILT.get(key)
        if found is not None and now - found[0] < BUILT_SECONDS:
            out.append(found[1])
            continue
        (slide,) = deck.build(deck_ctx, [kind])
        with _BUILT_LOCK:
            _BUILT[key] = (now, slide)
            _BUILT.move_to_end(key)
            while len(_BUILT) > BUILT_KEPT:
                _BUILT.popitem(last=False)
        out.append(slide)
    return out


# --- the page -----------------------------------------------------------------------------


def refused(lang: str, asked: object) -> html.Div:
    """The page for a region outside the server's scope (or unknown): a message, no data."""
    code = asked if isinstance(asked, str) else ""
    exit_url = f"/?lang={lang}"
    return html.Div([
        html.H1(t("pres.outside.title", lang)),
        html.P(deck.NOT_IN_SCOPE.format(kode=code[:40])(lang), id="pres-refused"),
        html.A(t("pres.menu.map", lang), href=exit_url, className="pres-button"),
    ], id="pres-message", className="pres-message", **{"data-exit": exit_url})  # fmt: skip


def _chrome(lang: str, exit_url: str, deck_url: str) -> html.Div:
    """What shows on the title slide and while the mouse moves: never during slides."""
    options = [html.Option(t("pres.auto.off", lang), value="0")] + [
        html.Option(t("pres.auto.seconds", lang, n=n), value=str(n)) for n in AUTO_SECONDS]
    return html.Div([
        html.Label([t("pres.auto", lang), html.Select(options, id="pres-auto")],
                   className="pres-auto"),
        html.Button(t("pres.fullscreen", lang), id="pres-fullscreen", className="pres-button"),
        html.A(t("pres.menu.deck", lang), href=deck_url, id="pres-deck-link",
               className="pres-button"),
        html.A(t("pres.menu.map", lang), href=exit_url, id="pres-exit-link",
               className="pres-button"),
        html.P(t("pres.keys", lang), className="pres-keys"),
    ], id="pres-chrome", className="pres-chrome")  # fmt: skip


def sections(region: str, week: EpiWeek | None, lang: str) -> list[html.Section]:
    """The rendered slides of the region's saved deck (``region`` checked by the caller)."""
    app_ctx = context.current()
    scope = app_ctx.scope()
    with app_ctx.session() as session:
        deck_ctx = deck.context(session, scope, region, week, lang)
        kinds = decks.load_deck(session, scope, region).shown()
        out = []
        for i, slide in enumerate(built_slides(session, deck_ctx, kinds)):
            editor, rows = None, 3
            if deck.KINDS[slide.kind].editable:
                editor, rows = presentasi_notes.editor(session, scope, region, deck_ctx.week,
                                                       deck_ctx.today, lang)  # fmt: skip
            out.append(render_slide(slide, i, region, deck_ctx.region_name, lang, editor,
                                    rows))  # fmt: skip
    if not out:
        out = [html.Section(html.Div([
            html.Header(html.H1(t("pres.empty", lang), className="pres-title"),
                        className="pres-head")], className="pres-screen"),
            className="pres-slide")]  # fmt: skip
    return out


def layout(lang: str, state: dict[str, str] | None = None, **_: object) -> html.Div:
    """The presentation of the region and week in the URL (``wilayah``, ``minggu``): at once
    a frame saying the slides are being prepared; the slides follow (:func:`on_build`)."""
    state = state or {}
    app_ctx = context.current()
    scope = app_ctx.scope()
    asked = state.get("wilayah")
    with app_ctx.session() as session:
        region = checked_region(session, scope, asked)
        if region is None:
            return refused(lang, asked)
        try:
            deck_ctx = deck.context(session, scope, region, parse_week(state.get("minggu")),
                                    lang)  # fmt: skip
        except DeckError:
            return refused(lang, asked)
    week = str(deck_ctx.week) if deck_ctx.week else None
    exit_url = map_page_url(region, lang)
    return html.Div([
        dcc.Store(id="pres-lang", data=lang),
        dcc.Store(id="pres-request", data={"region": region, "week": week}),
        dcc.Store(id="pres-ready"),
        html.Div(html.P(t("pres.loading", lang, name=deck_ctx.region_name),
                        className="pres-loading"), id="pres-slides"),
        html.Footer([html.Span(id="pres-auto-on"), html.Span(id="pres-dots", className="pres-dots"),
                     html.Span(id="pres-counter")], className="pres-footer"),  # fmt: skip
        _chrome(lang, exit_url, deck_page_url(region, deck_ctx.week, lang)),
        html.Div(t("pres.notes.unsaved", lang), id="pres-warning", className="pres-warning",
                 style=HIDDEN),
    ], id="pres", className="pres", lang=lang, tabIndex="-1",
        **{"data-exit": exit_url, "data-region": region, "data-week": week or ""})  # fmt: skip


def on_build(request: Any, lang: Any) -> list[html.Section]:
    """The slides for the page's region and week, the region checked again here."""
    if not isinstance(request, dict):
        raise PreventUpdate
    lang = lang_of(lang)
    app_ctx = context.current()
    with app_ctx.session() as session:
        region = checked_region(session, app_ctx.scope(), request.get("region") or None)
    if region is None or not request.get("region"):
        raise PreventUpdate  # crafted: no slide of a region outside the scope
    try:
        return sections(region, parse_week(request.get("week")), lang)
    except DeckError as exc:
        raise PreventUpdate from exc


# --- click a kecamatan on a map slide ----------------------------------------------------


def kecamatan_at(session: Session, scope: Scope, shown: str, layer: base.Layer,
                 period: base.Period, lang: str, x: float, y: float) -> str | None:  # fmt: skip
    """The kecamatan under the image point (``x``, ``y``) of the map of ``shown`` (inside
    the server's ``scope``, checked by the caller); None outside every kecamatan."""
    narrowed = scope.narrow(shown)
    figure = locate.figure_for(session, narrowed, layer, period, lang, width_px=MAP_PX[0],
                               height_px=MAP_PX[1])
    lon, lat = locate.lonlat_at(figure, x, y)
    kec = queries.regions(session, narrowed, "kec")
    if kec.empty:
        return None
    hit = shapely.contains_xy(np.asarray(kec.geometry.values), lon, lat)
    inside = kec[hit & kec["kode"].map(lambda k: codes.within(str(k), shown))]
    return str(inside["kode"].iloc[0]) if len(inside) else None


def _point(click: object) -> tuple[float, float]:
    if not isinstance(click, dict):
        raise PreventUpdate
    x, y = click.get("x"), click.get("y")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1
               for v in (x, y)):  # fmt: skip
        raise PreventUpdate
    return float(x), float(y)


def on_map(click: Any, _back: Any, meta: Any) -> tuple:
    """A click on a map slide's image (zoom into the kecamatan under it, or back when
    outside) or its back button: the image's new URL, the back button, the caption."""
    if not isinstance(meta, dict) or not isinstance(meta.get("region"), str):
        raise PreventUpdate
    lang = lang_of(meta.get("lang"))
    app_ctx = context.current()
    scope = app_ctx.scope()
    try:
        layer = base.from_config(meta.get("layer"))
        period = base.parse_period(layer.period_kind, meta.get("period"))
    except (TypeError, ValueError) as exc:
        raise PreventUpdate from exc
    with app_ctx.session() as session:
        region = checked_region(session, scope, meta["region"] or None)
        if region is None or not meta["region"]:
            raise PreventUpdate  # a crafted region: nothing drawn, nothing found
        zoom = meta.get("zoom")
        zoom = checked_region(session, scope, zoom) if isinstance(zoom, str) and zoom else None
        if zoom is not None and not codes.within(zoom, region):
            zoom = None
        trigger = ctx.triggered_id if isinstance(ctx.triggered_id, dict) else {}
        target: str | None = None  # the back button: the whole region again
        if trigger.get("type") != "pres-back":
            x, y = _point(click)
            if zoom is None:
                if codes.level(region) not in ZOOMS_FROM:
                    raise PreventUpdate  # a kecamatan or village deck: nothing to open
                target = kecamatan_at(session, scope, region, layer, period, lang, x, y)
                if target is None:
                    raise PreventUpdate  # outside every kecamatan of the region
            elif kecamatan_at(session, scope, zoom, layer, period, lang, x, y) == zoom:
                raise PreventUpdate  # inside the kecamatan shown: it stays
        name = queries.region(session, scope, target)["nama"] if target else None
    figure = MapFigure(meta["layer"], meta.get("period"), str(meta.get("caption") or ""))
    caption = figure.caption if name is None else f"{figure.caption} — {name}"
    return (map_src(figure, target or region, lang), {} if target else HIDDEN, caption,
            {**meta, "region": region, "zoom": target})


def register(app: Dash) -> None:
    presentasi_notes.register(app)
    app.callback(
        Output({"type": "pres-map", "index": MATCH}, "src"),
        Output({"type": "pres-back", "index": MATCH}, "style"),
        Output({"type": "pres-caption", "index": MATCH}, "children"),
        Output({"type": "pres-map-meta", "index": MATCH}, "data"),
        Input({"type": "pres-click", "index": MATCH}, "data"),
        Input({"type": "pres-back", "index": MATCH}, "n_clicks"),
        State({"type": "pres-map-meta", "index": MATCH}, "data"),
        prevent_initial_call=True,
    )(on_map)
    app.callback(
        Output("pres-slides", "children"),
        Input("pres-request", "data"),
        State("pres-lang", "data"),
    )(on_build)
    app.clientside_callback(
        "function(slides) { return window.pws.present.start(); }",
        Output("pres-ready", "data"),
        Input("pres-slides", "children"),
    )

