"""The closing slide's editor: the actions agreed at the meeting, typed during it.

Rows of who (*siapa*), what (*apa*) and by when (*kapan*, a date input); a button adds a
row, another saves them as the meeting's minutes (:func:`layers.present.notulen.save`,
today's date, the deck's week). The region saved under is the page's, checked again on
the server against its own scope (a crafted one writes nothing); every row is checked by
:func:`~layers.present.notulen.clean` first and a refusal is shown in the page's language,
with nothing written. What was saved today comes back in the rows after a reload; the
previous meeting's actions are the slide's own blocks.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from sqlalchemy.orm import Session

from dashboard import context
from dashboard.i18n import lang_of, t
from layers import codes
from layers.epiweek import EpiWeek
from layers.present import notulen
from layers.present.deck import DeckError
from layers.present.slides.penutup import HEADS
from layers.scope import Scope

log = logging.getLogger(__name__)

#: rows shown at least (empty ones are not saved)
MIN_ROWS = 3
FIELDS = notulen.FIELDS


def _row(i: int, action: dict[str, str], lang: str) -> html.Div:
    who, what, when = (action.get(f, "") for f in FIELDS)
    return html.Div([
        dcc.Input(id={"type": "notes-siapa", "row": i}, value=who, type="text",
                  maxLength=notulen.LIMITS["siapa"], placeholder=t("pres.notes.who.hint", lang),
                  className="pres-input"),
        # what was agreed wraps (the room reads it whole), as it will in the minutes
        dcc.Textarea(id={"type": "notes-apa", "row": i}, value=what, rows=2,
                     maxLength=notulen.LIMITS["apa"], placeholder=t("pres.notes.what.hint", lang),
                     className="pres-input pres-textarea"),
        # a native date picker (dcc.Input passes the type through to the <input>)
        dcc.Input(id={"type": "notes-kapan", "row": i}, value=when, type="date",
                  className="pres-input"),
    ], className="pres-notes-row")  # fmt: skip


def rows(actions: list[dict[str, str]], lang: str, extra: int = 1) -> list:
    """Input rows holding ``actions`` and ``extra`` empty ones (at least :data:`MIN_ROWS`)."""
    n = min(max(len(actions) + extra, MIN_ROWS), notulen.MAX_ACTIONS)
    padded = [*actions, *({} for _ in range(n - len(actions)))][:n]
    return [_row(i, a, lang) for i, a in enumerate(padded)]


def editor(session: Session, scope: Scope, region: str, week: EpiWeek | None,
           today: dt.date, lang: str) -> tuple[html.Div, int]:  # fmt: skip
    """The editor with what was saved ``today`` for ``region``; and its number of rows."""
    saved = notulen.on(session, scope, region, today)
    shown = rows(saved.actions if saved else [], lang)
    return html.Div([
        dcc.Store(id="notes-region", data=region),
        dcc.Store(id="notes-week", data=str(week) if week else None),
        dcc.Store(id="notes-saved"),
        dcc.Store(id="notes-clean"),
        html.Div([html.Span(h(lang)) for h in HEADS], className="pres-notes-head"),
        html.Div(shown, id="notes-rows"),
        html.Div([
            html.Button(t("pres.notes.add", lang), id="notes-add", n_clicks=0,
                        className="pres-button"),
            html.Button(t("pres.notes.save", lang), id="notes-save", n_clicks=0,
                        className="pres-button pres-primary"),
            html.Span(t("pres.notes.empty", lang), className="pres-hint"),
        ], className="pres-notes-buttons"),
        html.Div(id="notes-msg", role="status"),
    ], id="notes-editor", className="pres-notes"), len(shown)  # fmt: skip


def _typed() -> list[dict[str, Any]]:
    """The rows as typed, in row order, from the callback's states (ids name the row)."""
    found: dict[int, dict[str, Any]] = {}
    for group, field in zip(ctx.states_list[:3], FIELDS, strict=False):
        for item in group if isinstance(group, list) else []:
            ident = item.get("id") if isinstance(item, dict) else None
            row = ident.get("row") if isinstance(ident, dict) else None
            if type(row) is int and 0 <= row < notulen.MAX_ACTIONS * 2:
                found.setdefault(row, {})[field] = item.get("value")
    return [{f: (v if isinstance(v := found[r].get(f), str) else "") for f in FIELDS}
            for r in sorted(found)]  # fmt: skip


def on_add(clicks: Any, _who: Any, _what: Any, _when: Any, lang: Any) -> list:
    """One more empty row, keeping what is typed."""
    if not isinstance(clicks, int) or isinstance(clicks, bool) or clicks < 1:
        raise PreventUpdate
    typed = _typed()
    if len(typed) >= notulen.MAX_ACTIONS:
        raise PreventUpdate
    return [_row(i, a, lang_of(lang)) for i, a in enumerate([*typed, {}])]


def on_save(clicks: Any, _who: Any, _what: Any, _when: Any, region: Any, week: Any,
            lang: Any) -> tuple:  # fmt: skip
    """Save the typed rows as today's minutes of the page's region (checked here)."""
    if not isinstance(clicks, int) or isinstance(clicks, bool) or clicks < 1:
        raise PreventUpdate
    lang = lang_of(lang)
    app_ctx = context.current()
    scope = app_ctx.scope()
    if not isinstance(region, str) or not codes.is_valid(region):
        raise PreventUpdate
    try:
        epi = str(EpiWeek.parse(week)) if isinstance(week, str) else None
    except ValueError:
        epi = None
    typed = _typed()
    try:
        with app_ctx.session() as session:
            saved = notulen.save(session, scope, region, dt.date.today(), epi, typed)
    except DeckError as exc:
        return html.P(exc.text(lang), className="pres-bad", id="notes-refused"), no_update, None
    when = dt.datetime.now().strftime("%H:%M")
    note = html.P(t("pres.notes.saved", lang, n=len(saved.actions), time=when),
                  className="pres-ok", id="notes-done")  # fmt: skip
    return note, rows(saved.actions, lang), {"n": len(saved.actions), "at": when}


def register(app: Dash) -> None:
    values = [State({"type": f"notes-{f}", "row": ALL}, "value") for f in FIELDS]
    app.callback(
        Output("notes-rows", "children"),
        Input("notes-add", "n_clicks"),
        *values,
        State("pres-lang", "data"),
        prevent_initial_call=True,
    )(on_add)
    app.callback(
        Output("notes-msg", "children"),
        Output("notes-rows", "children", allow_duplicate=True),
        Output("notes-saved", "data"),
        Input("notes-save", "n_clicks"),
        *values,
        State("notes-region", "data"),
        State("notes-week", "data"),
        State("pres-lang", "data"),
        prevent_initial_call=True,
    )(on_save)
    app.clientside_callback(
        "function(saved) { return window.pws.present.saved(saved); }",
        Output("notes-clean", "data"),
        Input("notes-saved", "data"),
        prevent_initial_call=True,
    )
