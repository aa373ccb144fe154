"""The deck page's exports: PPTX, PDF and an A4 page per kecamatan, as a background job.

A button writes an *export ticket* (:mod:`dashboard.jobs`) holding what the server decided
— the region checked inside its own scope and that scope narrowed to it, the week, the
format, the language, the small-count threshold (on by default: *Sembunyikan angka kecil*)
and the key of the app's database — bound to the server's scope. A Dash background
callback (like the map page's scan, :mod:`.peta_scan`) runs
:func:`layers.present.export_job.export` on an engine of its own, reports its progress to
a progress bar (the cancel button stops it) and keeps the document in the same ticket;
the download reads it back from a ticket of this scope only. The browser only ever holds
the ticket's random token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import context, jobs
from dashboard.i18n import lang_of, t
from dashboard.pages.presentasi import checked_region, parse_week
from layers.present.deck import DeckError
from layers.present.suppress import DEFAULT_THRESHOLD
from layers.text import fmt_number

log = logging.getLogger(__name__)

FORMATS = ("pptx", "pdf", "a4")
HIDDEN = {"display": "none"}


def section(lang: str) -> html.Div:
    """The export card of the deck page."""
    return html.Div([
        html.H3(t("export.title", lang)),
        html.P(t("export.intro", lang), className="pws-hint"),
        dcc.Checklist(id="export-suppress", value=["on"], className="pws-flag",
                      options=[{"label": t("export.suppress", lang, n=DEFAULT_THRESHOLD),
                                "value": "on"}]),
        html.P(t("export.suppress.help", lang, n=DEFAULT_THRESHOLD,
                 top=DEFAULT_THRESHOLD - 1), className="pws-hint"),
        html.Div([
            *(html.Button(t(f"export.{fmt}", lang), id=f"export-{fmt}", n_clicks=0,
                          className="pws-button pws-primary") for fmt in FORMATS),
            html.Button(t("export.cancel", lang), id="export-cancel", disabled=True,
                        className="pws-button pws-secondary"),
        ], className="pws-buttons"),
        html.Div([
            html.Progress(id="export-progress", value="0", max="1"),
            html.Span(id="export-progress-label", className="pws-hint"),
        ], id="export-progress-wrap", className="pws-progress", style=HIDDEN),
        html.Div(id="export-msg", role="status"),
        dcc.Store(id="export-job"),
        dcc.Store(id="export-done"),
        dcc.Download(id="export-file"),
    ], className="pws-card", id="export-section")  # fmt: skip


def _size(n: int, lang: str) -> str:
    if n >= 1024 * 1024:
        return f"{fmt_number(n / 1024 / 1024, lang, 1)} MB"
    return f"{fmt_number(max(n / 1024, 1), lang)} kB"


def on_run(_pptx: Any, _pdf: Any, _a4: Any, region: Any, week: Any, suppress: Any,
           lang: Any) -> tuple:  # fmt: skip
    """An export ticket filled by the server: the region checked inside its scope."""
    trigger = ctx.triggered_id
    fmt = trigger.removeprefix("export-") if isinstance(trigger, str) else None
    if fmt not in FORMATS or not (ctx.triggered and ctx.triggered[0]["value"]):
        raise PreventUpdate
    app_ctx = context.current()
    scope = app_ctx.scope()
    with app_ctx.session() as session:
        kode = checked_region(session, scope, region) if isinstance(region, str) and region \
            else None
    if kode is None:
        raise PreventUpdate  # crafted: no ticket for a region outside the scope
    epi = parse_week(week)
    threshold = DEFAULT_THRESHOLD if isinstance(suppress, list) and "on" in suppress else None
    token = jobs.new_ticket("export", {
        "scope": scope.narrow(kode), "region": kode, "week": str(epi) if epi else None,
        "fmt": fmt, "lang": lang_of(lang), "threshold": threshold,
        "db": jobs.database_key(app_ctx.engine),
    }, scope.key)
    return token, ""


def run_export(set_progress: Callable[[tuple], None], token: Any, scope_key: str) -> tuple:
    """The background export (in a child process): only a ticket of ``scope_key``. The deck
    is built and written in a spawned process of its own
    (:func:`layers.present.export_job.export_spawned`: the scan's threads do not survive a
    fork); the cancel button stops both."""
    from layers.present import export_job

    job = jobs.ticket("export", token, scope_key)
    if job is None:
        raise PreventUpdate
    lang = job["lang"]
    set_progress(("0", "1", t("export.starting", lang)))

    def progress(done: int, total: int) -> None:
        set_progress((str(done), str(max(total, 1)),
                      t("export.progress", lang, done=done, total=total)))

    try:
        with jobs.job_engine(job["db"]) as engine:
            if engine is None:
                return None, html.P(t("export.error", lang), className="pws-bad")
            data, filename, mimetype = export_job.export_spawned(
                engine, job["scope"], job["region"], job["week"], job["fmt"], lang,
                suppress_threshold=job["threshold"], progress=progress)
    except DeckError as exc:
        return None, html.P(exc.text(lang), className="pws-bad")
    except Exception:  # a failed export must not leave the page silent
        log.exception("export %s of %s failed", job["fmt"], job["region"])
        return None, html.P(t("export.error", lang), className="pws-bad")
    jobs.update_ticket("export", token, {**job, "result": {
        "data": data, "filename": filename, "mimetype": mimetype}})
    done = html.P(t("export.done", lang, file=filename, size=_size(len(data), lang)),
                  className="pws-ok", id="export-ready")  # fmt: skip
    return {"token": token}, done


def on_done(done: Any) -> Any:
    """The finished document, from a ticket of this deployment's scope only."""
    token = done.get("token") if isinstance(done, dict) else None
    job = jobs.ticket("export", token, context.current().scope().key)
    if job is None or not isinstance(job.get("result"), dict):
        raise PreventUpdate
    result = job["result"]
    return dcc.send_bytes(result["data"], result["filename"], type=result["mimetype"])


def on_cancel(clicks: Any, lang: Any) -> Any:
    if not isinstance(clicks, int) or isinstance(clicks, bool) or clicks < 1:
        return no_update
    return html.P(t("export.cancelled", lang_of(lang)), className="pws-bad", id="export-stopped")


def register(app: Dash) -> None:
    app_ctx = app.server.extensions[context.EXTENSION_KEY]
    jobs.database_key(app_ctx.engine)

    def background_export(set_progress: Callable[[tuple], None], token: Any) -> tuple:
        # runs in a job process, outside any request: the scope is this app's own
        return run_export(set_progress, token, app_ctx.scope().key)

    app.callback(
        Output("export-job", "data"),
        Output("export-msg", "children"),
        Input("export-pptx", "n_clicks"),
        Input("export-pdf", "n_clicks"),
        Input("export-a4", "n_clicks"),
        State("dek-region", "value"),
        State("dek-week", "value"),
        State("export-suppress", "value"),
        State("dek-lang", "data"),
        prevent_initial_call=True,
    )(on_run)
    app.callback(
        Output("export-done", "data"),
        Output("export-msg", "children", allow_duplicate=True),
        Input("export-job", "data"),
        background=True,
        progress=[Output("export-progress", "value"), Output("export-progress", "max"),
                  Output("export-progress-label", "children")],
        running=[*((Output(f"export-{fmt}", "disabled"), True, False) for fmt in FORMATS),
                 (Output("export-cancel", "disabled"), False, True),
                 (Output("export-progress-wrap", "style"), {"display": "flex"}, HIDDEN)],
        cancel=[Input("export-cancel", "n_clicks")],
        interval=300,
        prevent_initial_call=True,
    )(background_export)
    app.callback(
        Output("export-file", "data"),
        Input("export-done", "data"),
        prevent_initial_call=True,
    )(on_done)
    app.callback(
        Output("export-msg", "children", allow_duplicate=True),
        Input("export-cancel", "n_clicks"),
        State("dek-lang", "data"),
        prevent_initial_call=True,
    )(on_cancel)
