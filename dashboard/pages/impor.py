"""The import page (impor data): upload, preview, check, import in the background, undo.

The browser never names a file path, a database or a region: an upload is saved
server-side under a random token, the check (a dry run) and the import take the scope and
the user from the server (``context.current()``; until accounts exist the user is
``"web"``), and the import itself runs as a Dash *background* callback in a child process
(``DiskcacheManager``). That child gets a *job ticket* written by
the server — file, kind, scope, user and a key naming the app's database — and rebuilds
its own engine from the database URL kept in this process's memory (never on disk). The
store of uploads and tickets and the job's engine live in :mod:`dashboard.jobs`;
this module is the layout and the callbacks. When a file names villages, the check shows
the proposed matches for confirmation (:mod:`dashboard.pages.impor_review`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from dashboard import context, jobs
from dashboard.i18n import CATALOGUE, t
from dashboard.pages import impor_review as review
from layers import ingest  # noqa: F401 - importing the package registers every importer
from layers.ingest import base as ingest_base
from layers.ingest import run as ingest_run
from layers.ingest import templates
from layers.ingest.problems import ImportReport, Rejected
from layers.ingest.readers import read_table
from layers.store.models import ImporLog

log = logging.getLogger(__name__)

PREVIEW_ROWS = 10
RECENT_IMPORTS = 10
#: who imports from the browser until user accounts exist
WEB_USER = "web"
#: files read by :func:`read_table` (the rest, e.g. boundaries, get no preview)
TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")

# --- rendering ----------------------------------------------------------------------------


def _kind_options(lang: str) -> list[dict[str, str]]:
    return [{"label": cls.title(lang), "value": jenis}
            for jenis, cls in ingest_base.REGISTRY.items()]  # fmt: skip


def _accept(jenis: str | None) -> str:
    cls = ingest_base.REGISTRY.get(jenis or "")
    suffixes = cls.suffixes if cls else (".csv", ".xlsx")
    return ",".join(suffixes)


def _table(header: list[str], rows: list[list[Any]], table_id: str, cls: str = "") -> html.Table:
    return html.Table([
        html.Thead(html.Tr([html.Th(h) for h in header])),
        html.Tbody([html.Tr([html.Td("" if v is None else str(v)) for v in row])
                    for row in rows]),  # fmt: skip
    ], id=table_id, className=f"pws-table {cls}".strip())


def _problems_list(problems: list[dict[str, Any]], lang: str) -> html.Table:
    keys = ("baris", "kolom", "nilai", "pesan") if lang == "id" else (
        "row", "column", "value", "message")
    header = [t("impor.col.row", lang), t("impor.col.column", lang),
              t("impor.col.value", lang), t("impor.col.message", lang)]  # fmt: skip
    rows = [[p.get(k) for k in keys] for p in problems]
    return _table(header, rows, "impor-problems", "pws-problems")


def preview(path: Path, name: str, lang: str) -> list:
    """The first rows of an uploaded table, or why it cannot be read."""
    head = [html.H3(t("impor.preview.title", lang)), html.P(name, className="pws-hint")]
    if path.suffix.lower() not in TABLE_SUFFIXES:
        return [*head, html.P(t("impor.preview.none", lang), className="pws-hint")]
    try:
        table = read_table(path, max_bytes=jobs.UPLOAD_MAX_BYTES)
    except Rejected as rejected:
        return [*head, _problems_list([p.to_dict(lang) for p in rejected.problems], lang)]
    frame = table.frame
    first = frame.head(PREVIEW_ROWS)
    rows = [[int(table.rows.iloc[i]), *first.iloc[i].tolist()] for i in range(len(first))]
    return [
        *head,
        html.P(t("impor.preview.count", lang, shown=len(first), total=len(frame)),
               className="pws-hint"),
        html.Div(_table([t("impor.col.row", lang), *map(str, frame.columns)], rows,
                        "impor-preview-table"), className="pws-scroll"),
        *[html.P(n(lang), className="pws-hint") for n in table.notes],
    ]


def report_view(report: ImportReport, lang: str) -> list:
    """The validation report: counts, mapped columns, notes and every problem."""
    data = report.to_dict(lang)
    ok = report.ok
    verdict = t("impor.report.ok" if ok else "impor.report.bad", lang,
                problems=data["problem_count"])  # fmt: skip
    out: list = [
        html.H3(t("impor.report.title", lang)),
        html.P(verdict, id="impor-verdict",
               className="pws-ok" if ok else "pws-bad"),
        html.P(t("impor.report.counts", lang, total=data["rows_total"], ok=data["rows_ok"],
                 rejected=data["rows_rejected"]), id="impor-counts"),  # fmt: skip
    ]
    if data["mapped_columns"]:
        out.append(html.Details([
            html.Summary(t("impor.report.mapped", lang)),
            _table([t("impor.col.file", lang), t("impor.col.field", lang)],
                   [[k, v] for k, v in data["mapped_columns"].items()], "impor-mapped"),
        ], open=True))
    if data["notes"]:
        out.append(html.Ul([html.Li(n) for n in data["notes"]], id="impor-notes"))
    if data["problems"]:
        out.append(html.Div(_problems_list(data["problems"], lang), className="pws-scroll"))
        hidden = data["problem_count"] - len(data["problems"])
        if hidden > 0:
            out.append(html.P(t("impor.report.more", lang, n=hidden), className="pws-hint"))
    return out


def result_view(report: ImportReport, lang: str) -> list:
    """What a finished import wrote, with the way back to the map."""
    if not report.ok or report.impor_id is None:
        return report_view(report, lang)
    written = ", ".join(f"{k}: {v}" for k, v in report.written.items())
    return [
        html.P(t("impor.result.done", lang, id=report.impor_id, file=report.file),
               id="impor-done", className="pws-ok"),
        html.P(t("impor.result.written", lang, written=written or "0"), id="impor-written"),
        dcc.Link(t("impor.result.to_map", lang), href=f"/?lang={lang}", id="impor-to-map"),
    ]


def recent_view(engine: Engine, lang: str) -> html.Table:
    """The newest entries of ``impor_log``."""
    with Session(engine) as session:
        entries = session.scalars(
            select(ImporLog).order_by(ImporLog.id.desc()).limit(RECENT_IMPORTS)
        ).all()
    header = ["#", t("impor.col.when", lang), t("impor.col.kind", lang),
              t("impor.col.file", lang), t("impor.col.status", lang),
              t("impor.col.rows_ok", lang), t("impor.col.rows_rejected", lang),
              t("impor.col.user", lang)]  # fmt: skip
    titles = {j: cls.title(lang) for j, cls in ingest_base.REGISTRY.items()}
    rows = [[e.id, e.waktu.strftime("%Y-%m-%d %H:%M"), titles.get(e.jenis, e.jenis), e.file,
             _status(e.status, lang), e.rows_ok, e.rows_rejected, e.pengguna]
            for e in entries]  # fmt: skip
    return _table(header, rows, "impor-recent-table")


def _status(status: str, lang: str) -> str:
    key = f"impor.status.{status}"
    return t(f"impor.status.{status}", lang) if key in CATALOGUE else status


def _step(what: str, lang: str) -> str:
    key = f"impor.step.{what}"
    return t(f"impor.step.{what}", lang) if key in CATALOGUE else what


def layout(lang: str, **_: object) -> html.Div:
    """The page in ``lang`` (other router arguments are ignored)."""
    engine = context.current().engine
    options = _kind_options(lang)
    first = options[0]["value"] if options else None
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
            dcc.Dropdown(id="impor-jenis", options=options, value=first, clearable=False,
                         className="pws-control"),
            dcc.Upload(
                id="impor-upload",
                children=html.Div([t("impor.upload.drop", lang), " ",
                                   html.A(t("impor.upload.pick", lang))]),
                accept=_accept(first), max_size=jobs.UPLOAD_MAX_BYTES, multiple=False,
                className="pws-upload",
            ),
            html.P(t("impor.upload.limit", lang, mb=jobs.UPLOAD_MAX_BYTES // (1024 * 1024)),
                   className="pws-hint"),
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
        html.Section([
            html.H3(t("impor.recent", lang)),
            html.Div([
                html.Button(t("impor.undo", lang), id="impor-undo", className="pws-button"),
                html.Span(t("impor.undo.hint", lang), className="pws-hint"),
            ], className="pws-buttons"),
            html.Div(id="impor-undo-result"),
            html.Div(recent_view(engine, lang), id="impor-recent", className="pws-scroll"),
        ], className="pws-card"),
    ], className="pws-page pws-impor")


# --- callbacks ----------------------------------------------------------------------------


def _on_upload(contents: str | None, filename: str | None, lang: str) -> tuple:
    if not contents:
        raise PreventUpdate
    try:
        token, path, name = jobs.save_upload(contents, filename or "upload")
    except ValueError:
        message = t("impor.upload.bad", lang, mb=jobs.UPLOAD_MAX_BYTES // (1024 * 1024))
        return None, html.P(message, className="pws-bad"), True
    return token, preview(path, name, lang), False


def _on_check(token: str | None, jenis: str | None, lang: str,
              confirm: tuple[dict, dict, str | None] | None = None) -> tuple:
    """Dry run of the uploaded file: the report, the check ticket when it is clean, and the
    village-name review table when names need confirming. ``confirm`` (ticks and picks by
    review row, and the review file's fingerprint the browser showed) is written first."""
    nothing = ([], None, review.HIDDEN)
    if ctx.triggered_id not in ("impor-check", "impor-review-apply"):
        return [], None, [], *nothing  # a new file or kind: check again
    upload = jobs.ticket("upload", token)
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


def _check_callback(_c: int | None, _a: int | None, token: str | None, jenis: str | None,
                    lang: str, *review_state: Any) -> tuple:  # fmt: skip
    applied = ctx.triggered_id == "impor-review-apply"
    return _on_check(token, jenis, lang, review.confirmation(*review_state) if applied else None)


def _on_run(_: int | None, checked: dict | None, lang: str) -> tuple:
    """Turn a clean check into a job ticket that the server fills (scope, user, database)."""
    if not isinstance(checked, dict):
        raise PreventUpdate
    upload = jobs.ticket("upload", checked.get("upload"))
    jenis = checked.get("jenis")
    if upload is None or jenis not in ingest_base.REGISTRY:
        raise PreventUpdate
    if ingest_run.sha256_of(Path(upload["path"])) != checked.get("sha256"):
        raise PreventUpdate  # the checked file is not the one on disk any more
    files = review.paths(upload)
    if review.confirm_sha(files) != checked.get("konfirmasi"):
        raise PreventUpdate  # the names were confirmed differently since the check
    app_ctx = context.current()
    token = jobs.new_ticket("job", {
        "path": upload["path"], "name": upload["name"], "jenis": jenis,
        "options": review.options(files, check=False),
        "scope": app_ctx.scope(), "user": WEB_USER, "db": jobs.database_key(app_ctx.engine),
    })
    return token, None, {"display": "flex"}, []


def run_job(set_progress: Callable[[tuple], None], token: str | None, lang: str) -> tuple:
    """The background import (in a child process): run the ticket, report progress."""
    job = jobs.ticket("job", token)
    if job is None:
        raise PreventUpdate

    def progress(done: int, total: int, what: str) -> None:
        set_progress((str(done), str(max(total, 1)), _step(what, lang)))

    done = jobs.run_ticket(job, progress, lambda engine: recent_view(engine, lang))
    if done is None:
        return html.P(t("impor.error", lang), className="pws-bad"), []
    report, recent = done
    return result_view(report, lang), recent


def _on_undo(_: int | None, lang: str) -> tuple:
    engine = context.current().engine
    try:
        counts = ingest_run.undo_last(engine, WEB_USER)
    except ingest_run.UndoRefused as refused:
        message = html.P(refused.text(lang), className="pws-bad")
    else:
        done = ", ".join(f"{k}: {v}" for k, v in counts.items()) or "0"
        message = html.P(t("impor.undo.done", lang, counts=done), id="impor-undone",
                         className="pws-ok")
    return message, recent_view(engine, lang)


def _on_template(_: list, lang: str) -> tuple:
    jenis = ctx.triggered_id.get("jenis") if isinstance(ctx.triggered_id, dict) else None
    if jenis not in ingest_base.REGISTRY or not (ctx.triggered and ctx.triggered[0]["value"]):
        raise PreventUpdate  # a button appearing with the page is not a click
    data = templates.template_bytes(jenis)
    return dcc.send_bytes(data, f"template_{jenis}.xlsx"), ""


def register(app: Dash) -> None:
    """The page's callbacks; the import itself is a background callback."""
    app_ctx = app.server.extensions[context.EXTENSION_KEY]
    jobs.database_key(app_ctx.engine)  # known in this process before any job forks

    app.callback(Output("impor-upload", "accept"), Input("impor-jenis", "value"))(_accept)

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
        Input("impor-job", "data"),
        State("impor-lang", "data"),
        background=True,
        progress=[Output("impor-progress", "value"), Output("impor-progress", "max"),
                  Output("impor-progress-label", "children")],
        running=[(Output("impor-cancel", "disabled"), False, True),
                 (Output("impor-undo", "disabled"), True, False)],
        cancel=[Input("impor-cancel", "n_clicks")],
        interval=300,
        prevent_initial_call=True,
    )(run_job)

    app.callback(
        Output("impor-result", "children", allow_duplicate=True),
        Input("impor-cancel", "n_clicks"),
        State("impor-lang", "data"),
        prevent_initial_call=True,
    )(lambda _, lang: html.P(t("impor.cancelled", lang), id="impor-cancelled",
                             className="pws-bad"))

    app.callback(
        Output("impor-undo-result", "children"),
        Output("impor-recent", "children", allow_duplicate=True),
        Input("impor-undo", "n_clicks"),
        State("impor-lang", "data"),
        prevent_initial_call=True,
    )(_on_undo)

    app.callback(
        Output("impor-template-download", "data"),
        Output("impor-template-msg", "children"),
        Input({"type": "impor-template", "jenis": ALL}, "n_clicks"),
        State("impor-lang", "data"),
        prevent_initial_call=True,
    )(_on_template)
