"""Undo on the import page: name the import, ask to confirm, then undo exactly that one.

The section always says which import an undo would reverse (id, kind, file, when, user) or
why there is none the user may undo (a trusted load, a change outside the deployment's
scope…), and the button is disabled with that reason. A click opens a confirmation naming
the import again; only "Ya, batalkan" undoes it, and only if it is still the one that
would be undone (:func:`layers.ingest.run.undo_newest` checks the id and the scope, both
decided on the server). The import log beside it lists only the imports that touched the
scope (:func:`layers.store.queries.import_log`).
"""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from dashboard import context
from dashboard.i18n import CATALOGUE, t
from dashboard.pages import impor_inputs as inputs
from layers.ingest import run as ingest_run
from layers.ingest import wording
from layers.scope import Scope
from layers.store import queries

RECENT_IMPORTS = 10
HIDDEN = {"display": "none"}
SHOWN = {"display": "block"}
#: the outputs :func:`state` fills, in order
STATE_OUTPUTS = (("impor-undo-target", "children"), ("impor-undo", "disabled"),
                 ("impor-undo", "title"), ("impor-undo-confirm", "style"))  # fmt: skip


def _table(header: list[str], rows: list[list[Any]], table_id: str) -> html.Table:
    return html.Table([
        html.Thead(html.Tr([html.Th(h) for h in header])),
        html.Tbody([html.Tr([html.Td("" if v is None else str(v)) for v in row])
                    for row in rows]),  # fmt: skip
    ], id=table_id, className="pws-table")


def _status(status: str, lang: str) -> str:
    key = f"impor.status.{status}"
    return t(key, lang) if key in CATALOGUE else wording.status(status, lang)


def recent_view(engine: Engine, scope: Scope, lang: str) -> html.Table:
    """The newest entries of the import log that touched ``scope``."""
    with Session(engine) as session:
        log = queries.import_log(session, scope, limit=RECENT_IMPORTS)
    header = ["#", t("impor.col.when", lang), t("impor.col.kind", lang),
              t("impor.col.file", lang), t("impor.col.status", lang),
              t("impor.col.rows_ok", lang), t("impor.col.rows_rejected", lang),
              t("impor.col.user", lang)]  # fmt: skip
    rows = [[e.id, e.waktu.strftime("%Y-%m-%d %H:%M"), wording.kind_title(e.jenis, lang), e.file,
             _status(e.status, lang), e.rows_ok, e.rows_rejected, e.pengguna]
            for e in log.itertuples(index=False)]  # fmt: skip
    return _table(header, rows, "impor-recent-table")


def _target(engine: Engine, scope: Scope) -> ingest_run.UndoTarget | None:
    with Session(engine) as session:
        return ingest_run.undo_target(session, scope)


def state(engine: Engine, scope: Scope, lang: str) -> tuple[str, bool, str, dict[str, str]]:
    """What the undo controls show (:data:`STATE_OUTPUTS`): the import an undo would reverse
    or why there is none, the button's disabled flag and its tooltip; confirmation closed."""
    target = _target(engine, scope)
    if target is None:
        reason = t("impor.undo.none", lang)
        return reason, True, reason, HIDDEN
    if not target.allowed:
        reason = target.refusal(lang)
        return reason, True, reason, HIDDEN
    what = target.describe(lang)
    return t("impor.undo.target", lang, what=what), False, "", HIDDEN


def section(engine: Engine, scope: Scope, lang: str) -> html.Section:
    """The log and undo card of the import page."""
    text, disabled, title, style = state(engine, scope, lang)
    return html.Section([
        dcc.Store(id="impor-undo-id"),
        html.H3(t("impor.recent", lang)),
        html.Div([
            html.P(text, id="impor-undo-target", className="pws-hint"),
            html.Div([
                html.Button(t("impor.undo", lang), id="impor-undo", className="pws-button",
                            disabled=disabled, title=title),
                html.Span(t("impor.undo.hint", lang), className="pws-hint"),
            ], className="pws-buttons"),
            html.Div([
                html.P(id="impor-undo-question"),
                html.Div([
                    html.Button(t("impor.undo.yes", lang), id="impor-undo-yes",
                                className="pws-button pws-primary"),
                    html.Button(t("impor.undo.no", lang), id="impor-undo-no",
                                className="pws-button pws-secondary"),
                ], className="pws-buttons"),
            ], id="impor-undo-confirm", className="pws-review-box", style=style),
        ], id="impor-undo-controls"),
        html.Div(id="impor-undo-result"),
        html.Div(recent_view(engine, scope, lang), id="impor-recent", className="pws-scroll"),
    ], className="pws-card")


# --- callbacks ----------------------------------------------------------------------------


def _on_ask(n_clicks: Any, lang: Any) -> tuple:
    """The confirmation, naming the import the server would undo now (or why none)."""
    lang = inputs.lang(lang)
    if not inputs.clicks(n_clicks):
        raise PreventUpdate
    app_ctx = context.current()
    target = _target(app_ctx.engine, app_ctx.scope())
    if target is None or not target.allowed:
        reason = t("impor.undo.none", lang) if target is None else target.refusal(lang)
        return "", HIDDEN, None, html.P(reason, id="impor-undo-refused", className="pws-bad")
    question = t("impor.undo.confirm", lang, what=target.describe(lang))
    return question, SHOWN, target.impor_id, []


def _on_answer(_yes: Any, _no: Any, impor_id: Any, lang: Any) -> tuple:
    """"Yes": undo the confirmed import (refused unless it is still the one to undo)."""
    lang = inputs.lang(lang)
    inputs.clicks(_yes)
    inputs.clicks(_no)
    if ctx.triggered_id not in ("impor-undo-yes", "impor-undo-no"):
        raise PreventUpdate
    app_ctx = context.current()
    engine, scope = app_ctx.engine, app_ctx.scope()
    if ctx.triggered_id == "impor-undo-no":
        message = html.P(t("impor.undo.kept", lang), id="impor-undo-kept", className="pws-hint")
    elif not isinstance(impor_id, int) or isinstance(impor_id, bool):
        raise PreventUpdate
    else:
        try:
            done = ingest_run.undo_newest(engine, inputs.WEB_USER, scope=scope,
                                          impor_id=impor_id)  # fmt: skip
        except ingest_run.UndoRefused as refused:
            message = html.P(refused.text(lang), id="impor-undo-refused", className="pws-bad")
        else:
            message = html.P(done.text(lang), id="impor-undone", className="pws-ok")
    return (message, recent_view(engine, scope, lang), None,
            *state(engine, scope, lang))  # fmt: skip


def register(app: Dash) -> None:
    """The undo callbacks (the import's background callback refreshes :func:`state` too)."""
    app.callback(
        Output("impor-undo-question", "children"),
        Output("impor-undo-confirm", "style", allow_duplicate=True),
        Output("impor-undo-id", "data"),
        Output("impor-undo-result", "children"),
        Input("impor-undo", "n_clicks"),
        State("impor-lang", "data"),
        prevent_initial_call=True,
    )(_on_ask)

    app.callback(
        Output("impor-undo-result", "children", allow_duplicate=True),
        Output("impor-recent", "children", allow_duplicate=True),
        Output("impor-undo-id", "data", allow_duplicate=True),
        *(Output(i, p, allow_duplicate=True) for i, p in STATE_OUTPUTS),
        Input("impor-undo-yes", "n_clicks"),
        Input("impor-undo-no", "n_clicks"),
        State("impor-undo-id", "data"),
        State("impor-lang", "data"),
        prevent_initial_call=True,
    )(_on_answer)
