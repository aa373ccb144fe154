"""The import page (impor data): upload, preview, check, import in the background, undo.

The browser never names a file path, a database or a region: an upload is saved
server-side under a random token, the check (a dry run) and the import take the scope and
the user from the server (``context.current()``; until accounts exist the user is
``"web"``), and the import itself runs as a Dash *background* callback in a child process
(``DiskcacheManager``). That child gets a *job ticket* written by
the server — file, kind, scope, user and a key naming the app's database — and rebuilds
its own engine from the database URL kept in this process's memory (never on disk). The
store of uploads and tickets and the job's engine live in :mod:`dashboard.jobs`;
this module is the layout and the callbacks. Every ticket — the upload's and the import
job's — is bound to the server scope that made it (``jobs.new_ticket(…, scope_key)``) and
looked up with the caller's scope on every use, in a request and in the job process (which
has no request: :func:`register` hands it this app's scope key), so a token made by another
deployment (another scope) is unknown here. When a file names villages, the check shows
the proposed matches for confirmation (:mod:`dashboard.pages.impor_review`); the log and
undo are :mod:`dashboard.pages.impor_undo`. Every callback checks the types of what it gets
(:mod:`dashboard.pages.impor_inputs`): a crafted request gets no update, never a 500.

The page opens on the safest kind (weekly cases, :data:`DEFAULT_KIND`), says which formats
the chosen kind takes and the one size limit (:data:`layers.ingest.readers.MAX_MB`), and
says so when a file is of a type the kind does not take (the browser is not asked to
filter: it would drop such a file without a word).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import context, jobs
from dashboard.i18n import CATALOGUE, t
from dashboard.pages import impor_inputs as inputs
from dashboard.pages import impor_review as review
from dashboard.pages import impor_undo as undo
from dashboard.pages.impor_inputs import WEB_USER
from dashboard.pages.impor_views import preview, report_view, result_view
from layers import ingest  # noqa: F401 - importing the package registers every importer
from layers.ingest import base as ingest_base
from layers.ingest import run as ingest_run
from layers.ingest import templates, wording
from layers.ingest.readers import MAX_BYTES, MAX_MB

log = logging.getLogger(__name__)

#: the kind the page opens on: the least risky one (boundaries rewrite the map)
DEFAULT_KIND = "kasus"

# --- rendering ----------------------------------------------------------------------------


def _kind_options(lang: str) -> list[dict[str, str]]:
    return [{"label": cls.title(lang), "value": jenis}
            for jenis, cls in ingest_base.REGISTRY.items()]  # fmt: skip


def kind_hint(jenis: str, lang: str) -> str:
    """The formats kind ``jenis`` takes and the size limit, for the upload's hint."""
    formats = ", ".join(ingest_base.REGISTRY[jenis].suffixes)
    return t("impor.upload.formats", lang, formats=formats, mb=MAX_MB)


def _step(what: str, lang: str) -> str:
    key = f"impor.step.{what}"
    return t(key, lang) if key in CATALOGUE else wording.step(what, lang)


def _scope_key() -> str:
    """The key of this server's scope for the request being answered."""
    return context.current().scope().key


def _upload_ticket(token: Any) -> dict[str, Any] | None:
    """The upload behind ``token`` if this server's scope made it (None otherwise)."""
    return jobs.ticket("upload", inputs.text(token), _scope_key())


def layout(lang: str, **_: object) -> html.Div:
    """The page in ``lang`` (other router arguments are ignored)."""
    app_ctx = context.current()
    options = _kind_options(lang)
    templates = [
        html.Button(cls.title(lang), id={"type": "impor-template", "jenis": jenis},
                    className="pws-button pws-secondary")
        for jenis, cls in ingest_base.REGISTRY.items()
    ]
    return html.Div([
        dcc.Store(id="impor-lang", data=lang),
        dcc.Store(id="impor-upload-token"),
        dcc.Store(id="impor-checked"),
        dcc.Store(id="impor-job"),
        html.H2(t("impor.title", lang)),
        html.P(t("impor.intro", lang), className="pws-hint"),
        html.Section([
            html.Label(t("impor.kind", lang), htmlFor="impor-jenis"),
            dcc.Dropdown(id="impor-jenis", options=options, value=DEFAULT_KIND,
                         clearable=False, className="pws-control"),
            dcc.Upload(
                id="impor-upload",
                children=html.Div([t("impor.upload.drop", lang), " ",
                                   html.A(t("impor.upload.pick", lang))]),
                max_size=MAX_BYTES, multiple=False, className="pws-upload",
            ),
            html.P(kind_hint(DEFAULT_KIND, lang), id="impor-upload-hint", className="pws-hint"),
            html.Div(id="impor-file-msg"),
            html.Div(id="impor-preview"),
        ], className="pws-card"),
        html.Section([
            html.Div([
                html.Button(t("impor.check", lang), id="impor-check", disabled=True,
                            className="pws-button"),
                html.Button(t("impor.run", lang), id="impor-run", disabled=True,
                            className="pws-button pws-primary"),
                html.Button(t("impor.cancel", lang), id="impor-cancel", disabled=True,
                            className="pws-button pws-secondary"),
            ], className="pws-buttons"),
            html.Div([
                html.Progress(id="impor-progress", value="0", max="1"),
                html.Span(id="impor-progress-label", className="pws-hint"),
            ], id="impor-progress-wrap", className="pws-progress", style={"display": "none"}),
            dcc.Loading(html.Div(id="impor-report"), type="dot"),
            dcc.Store(id="impor-review-sha"),
            html.Div([
                html.Div(id="impor-review-body"),
                html.Button(t("impor.review.apply", lang), id="impor-review-apply",
                            className="pws-button pws-primary"),
            ], id="impor-review", className="pws-review-box", style=review.HIDDEN),
            html.Div(id="impor-result"),
        ], className="pws-card"),
        html.Section([
            html.H3(t("impor.templates", lang)),
            html.P(t("impor.templates.hint", lang), className="pws-hint"),
            html.Div(templates, id="impor-templates", className="pws-buttons"),
            html.Div(id="impor-template-msg", className="pws-hint"),
            dcc.Download(id="impor-template-download"),
        ], className="pws-card"),
        undo.section(app_ctx.engine, app_ctx.scope(), lang),
    ], className="pws-page pws-impor")


# --- callbacks ----------------------------------------------------------------------------


def _on_kind(jenis: Any, lang: Any) -> str:
    return kind_hint(inputs.kind(jenis), inputs.lang(lang))


def _on_upload(contents: Any, filename: Any, lang: Any) -> tuple:
    lang = inputs.lang(lang)
    contents, filename = inputs.text(contents), inputs.text(filename)
    if not contents:
        raise PreventUpdate
    try:
        # bound to this server's scope before the token leaves the server
        token, path, name = jobs.save_upload(contents, filename or "upload", _scope_key())
    except ValueError:
        message = t("impor.upload.bad", lang, mb=MAX_MB)
        return None, html.P(message, className="pws-bad"), True
    return token, preview(path, name, lang), False


def _on_file_kind(token: Any, jenis: Any, lang: Any) -> list:
    """A word when the uploaded file is of a type the chosen kind does not take."""
    lang, jenis = inputs.lang(lang), inputs.kind(jenis)
    upload = _upload_ticket(token)
    problem = None if upload is None else ingest_base.wrong_type(jenis, upload["name"])
    if problem is None:
        return []
    return [html.P(problem.message(lang), id="impor-wrong-type", className="pws-bad")]


def _on_check(token: str | None, jenis: str | None, lang: str,
              confirm: tuple[dict, dict, str | None] | None = None) -> tuple:
    """Dry run of the uploaded file: the report, the check ticket when it is clean, and the
    village-name review table when names need confirming. ``confirm`` (ticks and picks by
    review row, and the review file's fingerprint the browser showed) is written first."""
    nothing = ([], None, review.HIDDEN)
    if ctx.triggered_id not in ("impor-check", "impor-review-apply"):
        return [], None, [], *nothing  # a new file or kind: check again
    upload = _upload_ticket(token)
    if upload is None or jenis not in ingest_base.REGISTRY:
        return html.P(t("impor.upload.missing", lang), className="pws-bad"), None, [], *nothing
    files = review.paths(upload)
    saved = []
    if confirm is not None:
        ticks, picks, shown = confirm
        approved = review.write_confirmations(files, shown, ticks, picks)
        saved = [review.saved_message(approved, lang)]
    files.review.unlink(missing_ok=True)  # only a review this check writes is shown
    app_ctx = context.current()
    try:
        report = ingest_run.run_import(
            app_ctx.engine, jenis, Path(upload["path"]), user=WEB_USER, scope=app_ctx.scope(),
            options=review.options(files, check=True), dry_run=True, display_name=upload["name"],
        )
    except Exception:  # an importer bug must not leave the page silent
        log.exception("check of %s as %s failed", upload["name"], jenis)
        return html.P(t("impor.error", lang), className="pws-bad"), None, [], *nothing
    # the review file's server path is no news to the user: the table shows its rows
    report.notes = [n for n in report.notes if str(files.review) not in n.id]
    checked = {"upload": token, "jenis": jenis, "sha256": report.sha256,
               "konfirmasi": review.confirm_sha(files)} if report.ok else None  # fmt: skip
    table = review.view(files, lang) if not report.ok else nothing
    return [*saved, *report_view(report, lang)], checked, [], *table


def _check_callback(_c: Any, _a: Any, token: Any, jenis: Any, lang: Any,
                    *review_state: Any) -> tuple:  # fmt: skip
    lang, jenis, token = inputs.lang(lang), inputs.kind(jenis), inputs.text(token)
    inputs.clicks(_c)
    inputs.clicks(_a)
    ok, ok_ids, pick, pick_ids, shown = review_state
    review_state = (*map(inputs.items, (ok, ok_ids, pick, pick_ids)), inputs.text(shown))
    applied = ctx.triggered_id == "impor-review-apply"
    return _on_check(token, jenis, lang, review.confirmation(*review_state) if applied else None)


def _on_run(_: Any, checked: Any, lang: Any) -> tuple:
    """Turn a clean check into a job ticket that the server fills (scope, user, database)."""
    inputs.lang(lang)
    inputs.clicks(_)
    checked = inputs.record(checked)
    if checked is None:
        raise PreventUpdate
    upload = jobs.ticket("upload", checked.get("upload"), _scope_key())
    jenis = checked.get("jenis")
    if upload is None or not isinstance(jenis, str) or jenis not in ingest_base.REGISTRY:
        raise PreventUpdate
    if ingest_run.sha256_of(Path(upload["path"])) != checked.get("sha256"):
        raise PreventUpdate  # the checked file is not the one on disk any more
    files = review.paths(upload)
    if review.confirm_sha(files) != checked.get("konfirmasi"):
        raise PreventUpdate  # the names were confirmed differently since the check
    app_ctx = context.current()
    scope = app_ctx.scope()
    token = jobs.new_ticket("job", {
        "path": upload["path"], "name": upload["name"], "jenis": jenis,
        "options": review.options(files, check=False),
        "scope": scope, "user": WEB_USER, "db": jobs.database_key(app_ctx.engine),
    }, scope.key)
    return token, None, {"display": "flex"}, []


def run_job(set_progress: Callable[[tuple], None], token: Any, lang: Any,
            scope_key: str) -> tuple:  # fmt: skip
    """The background import (in a child process): run the ticket — only one made under
    this server's scope ``scope_key`` —, report progress; then the scoped log and the undo
    controls as they are after it."""
    lang = inputs.lang(lang)
    job = jobs.ticket("job", inputs.text(token), scope_key)
    if job is None:
        raise PreventUpdate

    def progress(done: int, total: int, what: str) -> None:
        set_progress((str(done), str(max(total, 1)), _step(what, lang)))

    def after(engine: Any) -> tuple:
        scope = job["scope"]
        return undo.recent_view(engine, scope, lang), undo.state(engine, scope, lang)

    done = jobs.run_ticket(job, progress, after)
    if done is None:  # the ticket names a database this server does not know
        return html.P(t("impor.error", lang), className="pws-bad"), *[no_update] * 5
    report, (recent, undo_state) = done
    return result_view(report, lang), recent, *undo_state


def _on_cancel(_: Any, lang: Any) -> html.P:
    lang = inputs.lang(lang)
    inputs.clicks(_)
    return html.P(t("impor.cancelled", lang), id="impor-cancelled", className="pws-bad")


def _on_template(_: Any, lang: Any) -> tuple:
    inputs.lang(lang)
    inputs.items(_)
    jenis = ctx.triggered_id.get("jenis") if isinstance(ctx.triggered_id, dict) else None
    if not isinstance(jenis, str) or jenis not in ingest_base.REGISTRY:
        raise PreventUpdate
    if not (ctx.triggered and ctx.triggered[0]["value"]):
        raise PreventUpdate  # a button appearing with the page is not a click
    data = templates.template_bytes(jenis)
    return dcc.send_bytes(data, f"template_{jenis}.xlsx"), ""


def register(app: Dash) -> None:
    """The page's callbacks; the import itself is a background callback."""
    app_ctx = app.server.extensions[context.EXTENSION_KEY]
    jobs.database_key(app_ctx.engine)  # known in this process before any job forks

    def background_import(set_progress: Callable[[tuple], None], token: Any,
                          lang: Any) -> tuple:  # fmt: skip
        # runs in a job process, outside any request: the scope comes from this app's own
        # context (fixed or from the environment), never from the browser
        return run_job(set_progress, token, lang, app_ctx.scope().key)

    app.callback(
        Output("impor-upload-hint", "children"),
        Input("impor-jenis", "value"),
        State("impor-lang", "data"),
        prevent_initial_call=True,
    )(_on_kind)

    app.callback(
        Output("impor-upload-token", "data"),
        Output("impor-preview", "children"),
        Output("impor-check", "disabled"),
        Input("impor-upload", "contents"),
        State("impor-upload", "filename"),
        State("impor-lang", "data"),
        prevent_initial_call=True,
    )(_on_upload)

    app.callback(
        Output("impor-file-msg", "children"),
        Input("impor-upload-token", "data"),
        Input("impor-jenis", "value"),
        State("impor-lang", "data"),
        prevent_initial_call=True,
    )(_on_file_kind)

    app.callback(
        Output("impor-report", "children"),
        Output("impor-checked", "data"),
        Output("impor-result", "children"),
        Output("impor-review-body", "children"),
        Output("impor-review-sha", "data"),
        Output("impor-review", "style"),
        Input("impor-check", "n_clicks"),
        Input("impor-review-apply", "n_clicks"),
        Input("impor-upload-token", "data"),
        Input("impor-jenis", "value"),
        State("impor-lang", "data"),
        State({"type": "impor-review-ok", "row": ALL}, "value"),
        State({"type": "impor-review-ok", "row": ALL}, "id"),
        State({"type": "impor-review-pick", "row": ALL}, "value"),
        State({"type": "impor-review-pick", "row": ALL}, "id"),
        State("impor-review-sha", "data"),
        prevent_initial_call=True,
    )(_check_callback)

    app.clientside_callback(
        "function(checked) { return !checked; }",
        Output("impor-run", "disabled"),
        Input("impor-checked", "data"),
    )

    app.callback(
        Output("impor-job", "data"),
        Output("impor-checked", "data", allow_duplicate=True),
        Output("impor-progress-wrap", "style"),
        Output("impor-result", "children", allow_duplicate=True),
        Input("impor-run", "n_clicks"),
        State("impor-checked", "data"),
        State("impor-lang", "data"),
        prevent_initial_call=True,
    )(_on_run)

    app.callback(
        Output("impor-result", "children", allow_duplicate=True),
        Output("impor-recent", "children", allow_duplicate=True),
        *(Output(i, p, allow_duplicate=True) for i, p in undo.STATE_OUTPUTS),
        Input("impor-job", "data"),
        State("impor-lang", "data"),
        background=True,
        progress=[Output("impor-progress", "value"), Output("impor-progress", "max"),
                  Output("impor-progress-label", "children")],
        # no undo while an import runs (the undo controls come back with the result)
        running=[(Output("impor-cancel", "disabled"), False, True),
                 (Output("impor-undo-controls", "style"), {"display": "none"}, {})],
        cancel=[Input("impor-cancel", "n_clicks")],
        interval=300,
        prevent_initial_call=True,
    )(background_import)

    app.callback(
        Output("impor-result", "children", allow_duplicate=True),
        Input("impor-cancel", "n_clicks"),
        State("impor-lang", "data"),
        prevent_initial_call=True,
    )(_on_cancel)

    undo.register(app)

    app.callback(
        Output("impor-template-download", "data"),
        Output("impor-template-msg", "children"),
        Input({"type": "impor-template", "jenis": ALL}, "n_clicks"),
        State("impor-lang", "data"),
        prevent_initial_call=True,
    )(_on_template)
