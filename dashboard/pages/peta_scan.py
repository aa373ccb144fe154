"""The map page's cluster section: the space-time scan run from the browser.

Parameters (longest cluster 1–8 weeks, 99 or 999 replications) and a button start
:func:`layers.diarrhoea.service.scan_for` as a Dash *background* callback (a child process
of the ``DiskcacheManager``, like the import page): the run callback writes a *scan ticket*
(:mod:`dashboard.jobs`) holding the server's scope (a kecamatan filter can only narrow it),
the week (the map's week; on a layer without weeks, the newest week with case data), the
parameters and the key of the app's database; the job opens its own engine from that key,
runs the scan in a spawned process (:func:`dashboard.jobs.run_scan`), reports the scan's
``progress(done, total)`` to a progress bar (the cancel button kills the job and its
children) and stores the clusters in the same ticket. The browser only ever holds the
ticket's random token and row numbers:

* the cluster list is rendered from the job's result, in
  :func:`~layers.diarrhoea.service.ordered_clusters` order;
* the villages of each significant cluster (p < 0.05) are outlined on the map by
  ``pws.applyOutline`` (assets/pws.js) from the ``cluster-outline`` store: codes and a
  colour, never geometry;
* clicking a row sends its row number; the bounds come from the stored result (computed
  server-side from the villages' polygons) and ``pws.zoomTo`` flies the map there;
* the XLSX downloads read the stored result (clusters) or the server-scoped alerts
  (:mod:`layers.diarrhoea.export`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from sqlalchemy.orm import Session

from dashboard import components, context, jobs
from dashboard.i18n import lang_of, t
from layers import base, codes, geometry
from layers.diarrhoea import export, service
from layers.epiweek import EpiWeek
from layers.scope import Scope
from layers.store import queries

log = logging.getLogger(__name__)

MAX_WEEKS = tuple(range(1, 9))
DEFAULT_MAX_WEEKS = 4
REPS = (99, 999)
DEFAULT_REPS = 999
ALPHA = service.ALPHA
#: outline colours of the significant clusters, in list order (then repeated)
OUTLINE_COLORS = ("#e7298a", "#00a6d6", "#7b3294", "#1a9850", "#ff7f00", "#4d4d4d")
HIDDEN = {"display": "none"}


def legend(lang: str) -> html.Div:
    """The legend row of the outlines, shown while significant clusters are outlined."""
    return html.Div([
        html.Span([html.Span(className="pws-scan-swatch", style={"borderColor": color})
                   for color in OUTLINE_COLORS[:3]]),
        html.Span(t("scan.legend", lang)),
    ], id="legend-scan", className="pws-legend-row", style=HIDDEN)  # fmt: skip


def section(lang: str) -> html.Details:
    """The cluster section of the side area."""
    return html.Details([
        html.Summary(t("scan.title", lang)),
        html.P(t("scan.intro", lang), className="pws-hint"),
        html.Div([
            html.Div([html.Label(t("scan.max_weeks", lang), htmlFor="scan-max-weeks"),
                      components.dropdown(lang, id="scan-max-weeks", value=DEFAULT_MAX_WEEKS,
                                   options=[{"label": str(n), "value": n} for n in MAX_WEEKS],
                                   clearable=False)]),
            html.Div([html.Label(t("scan.reps", lang)),
                      dcc.RadioItems(id="scan-reps", value=DEFAULT_REPS, inline=True,
                                     options=[{"label": str(n), "value": n} for n in REPS])]),
        ], className="pws-scan-params"),
        html.Div([
            html.Button(t("scan.run", lang), id="scan-run", className="pws-button pws-primary"),
            html.Button(t("scan.cancel", lang), id="scan-cancel", disabled=True,
                        className="pws-button pws-secondary"),
            html.Button(t("scan.clear", lang), id="scan-clear",
                        className="pws-button pws-secondary"),
        ], className="pws-buttons"),
        html.Div([
            html.Progress(id="scan-progress", value="0", max="1"),
            html.Span(id="scan-progress-label", className="pws-hint"),
        ], id="scan-progress-wrap", className="pws-progress", style=HIDDEN),
        html.Div(id="scan-result"),
        html.Div([
            html.Button(t("scan.download.clusters", lang), id="scan-download-clusters",
                        disabled=True, className="pws-button"),
            html.Button(t("scan.download.alerts", lang), id="scan-download-alerts",
                        className="pws-button"),
        ], className="pws-buttons"),
        html.Div(id="scan-export-msg", className="pws-hint"),
        dcc.Download(id="scan-xlsx-clusters"),
        dcc.Download(id="scan-xlsx-alerts"),
        dcc.Store(id="scan-job"),
        dcc.Store(id="cluster-outline"),
        dcc.Store(id="cluster-outline-applied"),
        dcc.Store(id="scan-zoom"),
        dcc.Store(id="scan-zoomed"),
        # changes with the week or kecamatan only while a scan runs or something is shown
        # (:data:`STALE_JS`): a plain week change sends no request for the scan
        dcc.Store(id="scan-stale"),
    ], open=True, id="scan-section", className="pws-scan")


# --- server side ------------------------------------------------------------------------


def _scope(kec: Any) -> Scope:
    """The server's scope, narrowed (never widened) by a kecamatan filter from the browser."""
    scope = context.current().scope()
    if kec is None or kec == "":
        return scope
    if not isinstance(kec, str) or not codes.is_valid(kec):
        raise PreventUpdate  # crafted or malformed: nothing to run on
    return scope.narrow(kec)


def _week(period: Any, scope: Scope) -> EpiWeek:
    """The map's week, or the newest week with case data when the map shows no week."""
    if isinstance(period, str) and "-W" in period:
        try:
            return EpiWeek.parse(period)
        except ValueError as exc:
            raise PreventUpdate from exc
    with context.current().session() as session:
        week = service.latest_week(session, scope)
    if week is None:
        raise PreventUpdate  # no case data in scope: nothing to scan
    return week


def _stored(token: Any) -> dict[str, Any] | None:
    """A finished scan ticket of this deployment's scope (None: unknown token, other scope,
    or not finished); its ``result`` holds the clusters and their bounds."""
    job = jobs.ticket("scan", token, context.current().scope().key)
    if job is None:
        return None
    return job if "result" in job else None


def _on_run(_: int | None, period: Any, kec: Any, max_weeks: Any, reps: Any) -> tuple:
    """A scan ticket filled by the server: scope, week, parameters, database."""
    scope = _scope(kec)
    week = _week(period, scope)
    if not (type(max_weeks) is int and max_weeks in MAX_WEEKS
            and type(reps) is int and reps in REPS):
        raise PreventUpdate  # only the offered choices
    app_ctx = context.current()
    token = jobs.new_ticket("scan", {
        "scope": scope, "week": str(week), "max_weeks": int(max_weeks), "reps": int(reps),
        "db": jobs.database_key(app_ctx.engine),
    }, app_ctx.scope().key)
    return token, [], None, True, ""


def _result_rows(clusters: list, names: dict[str, str]) -> tuple[list, list[dict], dict]:
    """Clusters in reading order, their table rows and the outline {kode: colour} of the
    significant ones."""
    ordered = service.ordered_clusters(clusters, ALPHA)
    rows, outline = [], {}
    n_sig = 0
    for c, significant in ordered:
        color = None
        if significant:
            color = OUTLINE_COLORS[n_sig % len(OUTLINE_COLORS)]
            n_sig += 1
            outline.update({str(k): color for k in c.villages if str(k) not in outline})
        rows.append({
            "n_villages": len(c.villages), "names": ", ".join(names.get(str(k), str(k))
                                                              for k in c.villages),
            "observed": int(c.observed), "expected": float(c.expected),
            "relative_risk": float(c.relative_risk), "llr": float(c.llr),
            "p_value": float(c.p_value), "start_week": str(c.start_week),
            "end_week": str(c.end_week), "n_weeks": int(c.n_weeks), "color": color,
            "significant": significant,
        })
    return [c for c, _ in ordered], rows, outline


def run_scan(set_progress: Callable[[tuple], None], token: Any, lang: Any,
             scope_key: str) -> tuple:  # fmt: skip
    """The background scan (in a child process): run the ticket — only one made under this
    deployment's scope ``scope_key`` — store and show the result."""
    lang = lang_of(lang)
    job = jobs.ticket("scan", token, scope_key)
    if job is None:
        raise PreventUpdate
    set_progress(("0", "1", t("scan.reading", lang, week=job["week"])))

    def progress(done: int, total: int) -> None:
        set_progress((str(done), str(max(total, 1)),
                      t("scan.progress", lang, done=done, total=total)))

    failed = html.P(t("scan.error", lang), className="pws-bad")
    try:
        with jobs.job_engine(job["db"]) as engine:
            if engine is None:
                return failed, None, True
            with Session(engine) as session:
                villages = queries.villages(session, job["scope"])
            if villages.empty:
                return html.P(t("scan.empty", lang), className="pws-hint"), None, True
            set_progress(("0", "1", t("scan.starting", lang, n=len(villages))))
            clusters = jobs.run_scan(engine, job, progress)
    except Exception:  # a failed scan must not leave the page silent
        log.exception("scan of %s failed", job["week"])
        return failed, None, True
    names = dict(zip(villages["kode"].astype(str), villages["nama"].astype(str), strict=True))
    ordered, rows, outline = _result_rows(clusters, names)
    jobs.update_ticket("scan", token, {**job, "result": {
        "clusters": ordered,
        "bounds": [geometry.bounds(villages[villages["kode"].isin([str(k) for k in c.villages])])
                   for c in ordered],
        "week": job["week"],
    }})
    n_sig = sum(r["significant"] for r in rows)
    summary = t("scan.summary", lang, week=job["week"], reps=job["reps"], n=len(rows),
                sig=n_sig)  # fmt: skip
    body: list = [html.P(summary, id="scan-summary")]
    if rows:
        body += [html.P(t("scan.hint", lang), className="pws-hint"),
                 html.Div(components.cluster_table(rows, lang), className="pws-scroll")]
    else:
        body.append(html.P(t("scan.none", lang), className="pws-hint"))
    return body, {"villages": outline, "stamp": token}, not rows


#: the week or kecamatan changed while a scan runs, its result or a note is shown: a new
#: ``scan-stale`` value (else none: the scan has nothing to stop or clear)
STALE_JS = """function(period, kec, running, noResult, shown) {
    var something = Array.isArray(shown) ? shown.length > 0 : Boolean(shown);
    if (running === true || noResult === false || something) { return Date.now(); }
    return window.dash_clientside.no_update;
}"""


def _on_stop(_cancel: Any, _clear: Any, _stale: Any, running: Any, no_result: Any,
             lang: Any) -> tuple:  # fmt: skip
    """Cancel, clear, or a new week / filter: the result shown no longer holds; say why
    when a scan was running or shown (a new week with no scan says nothing)."""
    lang = lang_of(lang)
    trigger = ctx.triggered_id
    if trigger == "scan-cancel":
        note: list = [html.P(t("scan.cancelled", lang), id="scan-cancelled", className="pws-bad")]
    elif trigger == "scan-stale" and (running is True or no_result is False):
        key = "scan.stopped.changed" if running is True else "scan.cleared.changed"
        note = [html.P(t(key, lang), id="scan-cancelled", className="pws-bad")]
    else:
        note = []
    return note, None, True


def _on_zoom(clicks: list, token: Any) -> dict:
    """Bounds of the clicked cluster, from the stored result (the browser sends a row)."""
    index = ctx.triggered_id.get("index") if isinstance(ctx.triggered_id, dict) else None
    if not isinstance(index, int) or not (ctx.triggered and ctx.triggered[0]["value"]):
        raise PreventUpdate  # rows appearing with a result are not clicks
    job = _stored(token)
    if job is None or not 0 <= index < len(job["result"]["bounds"]):
        raise PreventUpdate
    bounds = job["result"]["bounds"][index]
    if bounds is None:
        raise PreventUpdate
    return {"bounds": bounds, "click": [index, ctx.triggered[0]["value"]]}


def _on_download_clusters(_: int | None, token: Any, lang: Any) -> tuple:
    lang = lang_of(lang)
    job = _stored(token)
    if job is None:
        return no_update, t("scan.export.no_result", lang)
    with context.current().session() as session:
        villages = queries.village_table(session, job["scope"])
    params = {t("filter.week", lang): job["week"], t("scan.max_weeks", lang): job["max_weeks"],
              t("scan.reps", lang): job["reps"]}  # fmt: skip
    data = export.clusters_xlsx(job["result"]["clusters"], lang, villages, alpha=ALPHA,
                                params=params)  # fmt: skip
    return dcc.send_bytes(data, f"klaster_{job['week']}.xlsx"), ""


def _on_download_alerts(_: int | None, period: Any, kec: Any, lang: Any) -> tuple:
    lang = lang_of(lang)
    scope = _scope(kec)
    week = _week(period, scope)
    with context.current().session() as session:
        alerts = service.alerts_for(session, scope, week)
        villages = queries.village_table(session, scope)
    data = export.alerts_xlsx(alerts, lang, villages)
    return dcc.send_bytes(data, f"peringatan_{week}.xlsx"), ""


def _open_for(layer_type: Any) -> bool:
    """The section starts open with a weekly layer (the diarrhoea maps) and folded with the
    others, whose own tools then come first; a click still opens it on any layer."""
    cls = base.REGISTRY.get(layer_type) if isinstance(layer_type, str) else None
    return cls is not None and cls.period_kind == base.WEEKLY


def register(app: Dash) -> None:
    """The section's callbacks; the scan itself is a background callback."""
    app_ctx = app.server.extensions[context.EXTENSION_KEY]
    jobs.database_key(app_ctx.engine)
    app.callback(Output("scan-section", "open"), Input("layer", "value"))(_open_for)

    def background_scan(set_progress: Callable[[tuple], None], token: Any, lang: Any) -> tuple:
        # runs in a job process, outside any request: the scope comes from this app's own
        # context (fixed or from the environment), never from the browser
        return run_scan(set_progress, token, lang, app_ctx.scope().key)

    app.callback(
        Output("scan-job", "data"),
        Output("scan-result", "children"),
        Output("cluster-outline", "data"),
        Output("scan-download-clusters", "disabled"),
        Output("scan-export-msg", "children"),
        Input("scan-run", "n_clicks"),
        State("period", "value"),
        State("kec", "value"),
        State("scan-max-weeks", "value"),
        State("scan-reps", "value"),
        prevent_initial_call=True,
    )(_on_run)

    app.callback(
        Output("scan-result", "children", allow_duplicate=True),
        Output("cluster-outline", "data", allow_duplicate=True),
        Output("scan-download-clusters", "disabled", allow_duplicate=True),
        Input("scan-job", "data"),
        State("lang", "data"),
        background=True,
        progress=[Output("scan-progress", "value"), Output("scan-progress", "max"),
                  Output("scan-progress-label", "children")],
        running=[(Output("scan-run", "disabled"), True, False),
                 (Output("scan-cancel", "disabled"), False, True),
                 (Output("scan-progress-wrap", "style"), {"display": "flex"}, HIDDEN)],
        cancel=[Input("scan-cancel", "n_clicks"), Input("scan-clear", "n_clicks"),
                Input("scan-stale", "data")],
        interval=250,
        prevent_initial_call=True,
    )(background_scan)

    app.clientside_callback(
        STALE_JS,
        Output("scan-stale", "data"),
        Input("period", "value"),
        Input("kec", "value"),
        State("scan-run", "disabled"),
        State("scan-download-clusters", "disabled"),
        State("scan-result", "children"),
        prevent_initial_call=True,
    )

    # cancel, clear, or a new week / filter: the result shown no longer holds
    app.callback(
        Output("scan-result", "children", allow_duplicate=True),
        Output("cluster-outline", "data", allow_duplicate=True),
        Output("scan-download-clusters", "disabled", allow_duplicate=True),
        Input("scan-cancel", "n_clicks"),
        Input("scan-clear", "n_clicks"),
        Input("scan-stale", "data"),
        State("scan-run", "disabled"),
        State("scan-download-clusters", "disabled"),
        State("lang", "data"),
        prevent_initial_call=True,
    )(_on_stop)

    app.clientside_callback(
        "function(data) { return window.pws.applyOutline(data, 'scan'); }",
        Output("cluster-outline-applied", "data"),
        Input("cluster-outline", "data"),
    )

    app.callback(
        Output("scan-zoom", "data"),
        Input({"type": "scan-cluster", "index": ALL}, "n_clicks"),
        State("scan-job", "data"),
        prevent_initial_call=True,
    )(_on_zoom)

    app.clientside_callback(
        "function(data) { return window.pws.zoomTo(data); }",
        Output("scan-zoomed", "data"),
        Input("scan-zoom", "data"),
        prevent_initial_call=True,
    )

    app.callback(
        Output("scan-xlsx-clusters", "data"),
        Output("scan-export-msg", "children", allow_duplicate=True),
        Input("scan-download-clusters", "n_clicks"),
        State("scan-job", "data"),
        State("lang", "data"),
        prevent_initial_call=True,
    )(_on_download_clusters)

    app.callback(
        Output("scan-xlsx-alerts", "data"),
        Output("scan-export-msg", "children", allow_duplicate=True),
        Input("scan-download-alerts", "n_clicks"),
        State("period", "value"),
        State("kec", "value"),
        State("lang", "data"),
        prevent_initial_call=True,
    )(_on_download_alerts)
