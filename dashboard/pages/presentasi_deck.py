"""The deck page (``/presentasi/dek?wilayah=CODE``): prepare the lokakarya mini.

Choose the region (the kabupaten and kecamatan of the server's scope) and the epi week,
arrange the region's deck — each slide kind shown or hidden, moved up or down — and save
it (:func:`layers.present.decks.validate` then :func:`~layers.present.decks.save_deck`) or
go back to the default (:func:`~layers.present.decks.reset_deck`); start the presentation
(it uses the saved deck), or export the deck for those who were not there
(:mod:`.presentasi_export`). Every region the page sends back is checked again against the
server's scope: a crafted one changes nothing and reads nothing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import components, context
from dashboard.i18n import lang_of, t
from dashboard.pages import presentasi_export
from dashboard.pages.presentasi import checked_region, parse_week, refused
from layers.diarrhoea.service import DEFAULT_PENYAKIT
from layers.epiweek import EpiWeek
from layers.present import deck, decks
from layers.present.deck import DeckError
from layers.scope import Scope
from layers.store import queries


def presentation_url(region: str, week: object, lang: str) -> str:
    query = {"wilayah": region, "lang": lang}
    if isinstance(week, str) and parse_week(week) is not None:
        query["minggu"] = week
    return "/presentasi?" + urlencode(query)


def _rows(entries: list[decks.Entry], lang: str) -> list[html.Div]:
    """One row per slide kind: shown or not, up, down."""
    last = len(entries) - 1
    out = []
    for i, entry in enumerate(entries):
        kind = deck.KINDS.get(entry.id)
        title = kind.title(lang) if kind else entry.id
        out.append(html.Div([
            html.Span(f"{i + 1}.", className="dek-n"),
            dcc.Checklist(id={"type": "dek-show", "kind": entry.id},
                          options=[{"label": title, "value": "on"}],
                          value=[] if entry.hidden else ["on"], className="dek-show"),
            html.Button("↑", id={"type": "dek-up", "kind": entry.id}, n_clicks=0,
                        title=t("dek.up", lang), disabled=i == 0, className="pws-button"),
            html.Button("↓", id={"type": "dek-down", "kind": entry.id}, n_clicks=0,
                        title=t("dek.down", lang), disabled=i == last, className="pws-button"),
        ], className="dek-row" + (" dek-hidden" if entry.hidden else ""),
            **{"data-kind": entry.id}))  # fmt: skip
    return out


def _region_options(session: Any, scope: Scope) -> list[dict[str, str]]:
    """The kabupaten/kota and kecamatan inside the server's scope."""
    options = []
    for level in ("kab", "kec"):
        names = queries.region_names(session, scope, level)
        for kode, nama in zip(names["kode"], names["nama"], strict=True):
            if scope.allows(str(kode)):
                label = nama if level == "kab" else f"— {nama}"
                options.append({"label": f"{label} ({kode})", "value": str(kode)})
    return sorted(options, key=lambda o: o["value"])


def _week_options(session: Any, scope: Scope, lang: str) -> list[dict[str, str]]:
    weeks = [EpiWeek(y, w) for y, w in queries.available_weeks(session, scope, DEFAULT_PENYAKIT)]
    return components.period_options(weeks[::-1], lang)


def layout(lang: str, state: dict[str, str] | None = None, **_: object) -> html.Div:
    state = state or {}
    app_ctx = context.current()
    scope = app_ctx.scope()
    with app_ctx.session() as session:
        region = checked_region(session, scope, state.get("wilayah"))
        if region is None:
            return html.Div(refused(lang, state.get("wilayah")), className="pws-page")
        entries = list(decks.load_deck(session, scope, region).entries)
        regions = _region_options(session, scope)
        weeks = _week_options(session, scope, lang)
    asked = parse_week(state.get("minggu"))
    values = [o["value"] for o in weeks]
    week = str(asked) if asked is not None and str(asked) in values else (
        values[0] if values else None)  # fmt: skip
    return html.Div([
        dcc.Store(id="dek-lang", data=lang),
        dcc.Store(id="dek-url-kept"),
        html.H2(t("dek.title", lang)),
        html.P(t("dek.intro", lang), className="pws-hint"),
        html.Div([
            html.Div([html.Label(t("dek.region", lang)),
                      components.dropdown(lang, id="dek-region", options=regions, value=region,
                                          clearable=False)], className="pws-control dek-control"),
            html.Div([html.Label(t("filter.week", lang)),
                      components.dropdown(lang, id="dek-week", options=weeks, value=week,
                                          clearable=False)], className="pws-control dek-control"),
            html.A(t("dek.start", lang), id="dek-start", href=presentation_url(region, week, lang),
                   className="pws-button pws-primary dek-start"),
        ], className="pws-buttons dek-choose"),
        html.Div([
            html.H3(t("dek.slides", lang)),
            html.P(t("dek.slides.hint", lang), className="pws-hint"),
            html.Div(_rows(entries, lang), id="dek-rows"),
            html.Div([
                html.Button(t("dek.save", lang), id="dek-save", n_clicks=0,
                            className="pws-button pws-primary"),
                html.Button(t("dek.reset", lang), id="dek-reset", n_clicks=0,
                            className="pws-button pws-secondary"),
            ], className="pws-buttons"),
            html.Div(id="dek-msg", role="status"),
        ], className="pws-card"),
        presentasi_export.section(lang),
    ], className="pws-page dek-page")  # fmt: skip


# --- server side --------------------------------------------------------------------------


def _region(region: Any) -> tuple[Scope, str]:
    """The server's scope and the page's region, checked inside it (else no update)."""
    app_ctx = context.current()
    scope = app_ctx.scope()
    if not isinstance(region, str) or not region:
        raise PreventUpdate
    with app_ctx.session() as session:
        kode = checked_region(session, scope, region)
    if kode is None:
        raise PreventUpdate  # crafted: a region outside the scope reads and writes nothing
    return scope, kode


def _shown_states() -> list[decks.Entry]:
    """The rows as the page holds them, in page order (ids name the kinds)."""
    entries, seen = [], set()
    group = ctx.states_list[0] if ctx.states_list else []
    for item in group if isinstance(group, list) else []:
        ident = item.get("id") if isinstance(item, dict) else None
        kind = ident.get("kind") if isinstance(ident, dict) else None
        if isinstance(kind, str) and kind in deck.KINDS and kind not in seen:
            seen.add(kind)
            value = item.get("value")
            entries.append(decks.Entry(kind, not (isinstance(value, list) and "on" in value)))
    return entries


def on_choose(region: Any, week: Any, lang: Any) -> tuple:
    """A new region or week: the region's saved deck and the start link."""
    lang = lang_of(lang)
    scope, kode = _region(region)
    with context.current().session() as session:
        entries = list(decks.load_deck(session, scope, kode).entries)
    return _rows(entries, lang), presentation_url(kode, week, lang), ""


def on_move(_up: Any, _down: Any, _shown: Any, lang: Any) -> list:
    """Move the clicked slide up or down, keeping every row's shown state."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not (ctx.triggered and ctx.triggered[0]["value"]):
        raise PreventUpdate  # rows appearing are not clicks
    entries = _shown_states()
    ids = [e.id for e in entries]
    if trigger.get("kind") not in ids:
        raise PreventUpdate
    i = ids.index(trigger["kind"])
    j = i - 1 if trigger.get("type") == "dek-up" else i + 1
    if not 0 <= j < len(entries):
        raise PreventUpdate
    entries[i], entries[j] = entries[j], entries[i]
    return _rows(entries, lang_of(lang))


def on_save(clicks: Any, _shown: Any, region: Any, lang: Any) -> Any:
    if not isinstance(clicks, int) or isinstance(clicks, bool) or clicks < 1:
        raise PreventUpdate
    lang = lang_of(lang)
    entries = _shown_states()
    try:
        checked = decks.validate([{"id": e.id, "hidden": e.hidden} for e in entries])
        scope, kode = _region(region)
        with context.current().session() as session:
            decks.save_deck(session, scope, kode, checked)
    except DeckError as exc:
        return html.P(exc.text(lang), className="pws-bad", id="dek-refused")
    return html.P(t("dek.saved", lang, n=len(checked.shown()), total=len(checked.entries)),
                  className="pws-ok", id="dek-done")  # fmt: skip


def on_reset(clicks: Any, region: Any, lang: Any) -> tuple:
    if not isinstance(clicks, int) or isinstance(clicks, bool) or clicks < 1:
        raise PreventUpdate
    lang = lang_of(lang)
    scope, kode = _region(region)
    with context.current().session() as session:
        decks.reset_deck(session, scope, kode)
    return (_rows(list(decks.default_deck().entries), lang),
            html.P(t("dek.reset.done", lang), className="pws-ok", id="dek-done"))


def register(app: Dash) -> None:
    presentasi_export.register(app)
    shown = State({"type": "dek-show", "kind": ALL}, "value")
    app.callback(
        Output("dek-rows", "children"),
        Output("dek-start", "href"),
        Output("dek-msg", "children"),
        Input("dek-region", "value"),
        Input("dek-week", "value"),
        State("dek-lang", "data"),
        prevent_initial_call=True,
    )(on_choose)
    app.callback(
        Output("dek-rows", "children", allow_duplicate=True),
        Input({"type": "dek-up", "kind": ALL}, "n_clicks"),
        Input({"type": "dek-down", "kind": ALL}, "n_clicks"),
        shown,
        State("dek-lang", "data"),
        prevent_initial_call=True,
    )(on_move)
    app.callback(
        Output("dek-msg", "children", allow_duplicate=True),
        Input("dek-save", "n_clicks"),
        shown,
        State("dek-region", "value"),
        State("dek-lang", "data"),
        prevent_initial_call=True,
    )(on_save)
    app.callback(
        Output("dek-rows", "children", allow_duplicate=True),
        Output("dek-msg", "children", allow_duplicate=True),
        Input("dek-reset", "n_clicks"),
        State("dek-region", "value"),
        State("dek-lang", "data"),
        prevent_initial_call=True,
    )(on_reset)
    app.clientside_callback(
        "function(region, week, lang) { return window.pws.present.keepDeckUrl(region, week,"
        " lang); }",
        Output("dek-url-kept", "data"),
        Input("dek-region", "value"),
        Input("dek-week", "value"),
        State("dek-lang", "data"),
    )


