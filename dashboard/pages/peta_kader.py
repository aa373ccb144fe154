"""The map's kader training tool: where to train first, per Puskesmas (issue 10).

Shown while the ``kader`` layer is chosen. For the map's scope — the server's, narrowed
(never widened) by the kecamatan filter — it lists per Puskesmas the skills to train
first (:func:`layers.kader.priority.training_priority`): rank, skill code and name, how
many posyandu have no active kader holding it, the people reached once each of them has
one trained kader, and those posyandu. The first :data:`TOP` skills of each Puskesmas are
shown; the button downloads the whole priority with the gaps per village and posyandu as
XLSX (:func:`layers.kader.export.gaps_xlsx`), computed with the layer's stale age and norm
as the page has them set. The browser sends only the layer, the kecamatan code and the
option values; every one is checked here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate
from sqlalchemy.orm import Session

from dashboard import components, context
from dashboard.i18n import lang_of, t
from layers import base, codes
from layers.kader import export, service
from layers.kader.gaps import NO_NAME, KaderGaps
from layers.kader.priority import NO_PUSKESMAS, TrainingPriority, training_priority
from layers.scope import Scope
from layers.store import queries
from layers.text import fmt_number

LAYER = "kader"
HIDDEN = {"display": "none"}
#: skills shown per Puskesmas (the download has them all)
TOP = 5
#: posyandu named per skill before "+ n more"
NAMED = 3
FILE_NAME = {"id": "prioritas_pelatihan_kader.xlsx", "en": "kader_training_priority.xlsx"}
#: the list fits the side area's width: headers and the skill cell wrap, cells align top
HEAD = {"whiteSpace": "normal", "verticalAlign": "bottom"}
CELL = {"verticalAlign": "top"}
SKILL = {**CELL, "whiteSpace": "normal", "minWidth": "160px", "maxWidth": "220px"}
LIST = {"maxHeight": "380px"}


def section(lang: str) -> html.Details:
    """The tool's part of the side area (hidden until the ``kader`` layer is chosen)."""
    return html.Details([
        html.Summary(t("kader.title", lang)),
        html.P(t("kader.intro", lang), className="pws-hint"),
        html.Div(id="kader-priority"),
        html.Div([
            html.Button(t("kader.download", lang), id="kader-download",
                        className="pws-button"),
        ], className="pws-buttons"),
        html.P(t("kader.weights", lang), className="pws-hint"),
        dcc.Download(id="kader-xlsx"),
    ], open=True, id="kader-section", className="pws-scan", style=HIDDEN)


# --- server side ------------------------------------------------------------------------


def _scope(kec: Any) -> Scope:
    """The server's scope, narrowed (never widened) by a kecamatan filter from the browser."""
    scope = context.current().scope()
    if kec is None or kec == "":
        return scope
    if not isinstance(kec, str) or not codes.is_valid(kec):
        raise PreventUpdate  # crafted or malformed: nothing to show
    return scope.narrow(kec)


def _layer(states: list) -> base.Layer:
    """The ``kader`` layer as the page has it set (its stale age and norm); values of other
    layers' controls are ignored, a value the option refuses refuses the call."""
    cls = base.REGISTRY[LAYER]
    specs = {o.name: o.spec for o in cls.options()}
    items = next((s for s in states if isinstance(s, list)), [])
    chosen = {}
    for item in items:
        ident = item.get("id") if isinstance(item, dict) else None
        if isinstance(ident, dict) and ident.get("layer") == LAYER \
                and ident.get("name") in specs:
            chosen[ident["name"]] = components.option_value(specs[ident["name"]],
                                                            item.get("value"))  # fmt: skip
    try:
        return base.from_config({"type": LAYER, **chosen})
    except (TypeError, ValueError) as exc:
        raise PreventUpdate from exc


def _region_name(session: Session, scope: Scope, kec: Any) -> str:
    """The name of the area shown: the kecamatan filtered on, else the scope's regions."""
    if isinstance(kec, str) and kec:
        found = queries.region(session, scope, kec)
        return str(found["nama"]) if found else kec
    if scope.regions is None:
        return ", ".join(queries.region_names(session, scope, "kab")["nama"].astype(str))
    names = [queries.region(session, scope, r) for r in sorted(scope.regions)]
    return ", ".join(str(n["nama"]) if n else r for n, r in zip(names, sorted(scope.regions),
                                                                 strict=True))  # fmt: skip


def _priority(scope: Scope, layer: base.Layer | None = None) -> tuple[KaderGaps,
                                                                      TrainingPriority]:
    """The gaps and the training priority of ``scope`` (with the layer's stale age and norm
    when given; the missing skills do not depend on them)."""
    options = {} if layer is None else {"stale_months": layer.umur_asesmen,
                                        "norm": layer.norma}  # fmt: skip
    with context.current().session() as session:
        gaps = service.gaps_for(session, scope, **options)
        return gaps, training_priority(session, scope, gaps)


def _places(text: Any, lang: str) -> str:
    """The posyandu of a skill row (``Name (Village), ...``), the first :data:`NAMED`."""
    if not isinstance(text, str) or not text:
        return ""
    text = text.replace(NO_NAME, t("kader.no_name", lang))
    places = text.split(", ")
    shown = ", ".join(places[:NAMED])
    return shown + (f" {t('kader.more', lang, n=len(places) - NAMED)}"
                    if len(places) > NAMED else "")  # fmt: skip


def _render(gaps: KaderGaps, priority: TrainingPriority, lang: str, area: str) -> list:
    """Per Puskesmas the first :data:`TOP` skills to train, or why there is nothing."""
    head = html.P(t("kader.area", lang, name=area), id="kader-area", className="pws-hint")
    if gaps.villages.empty:
        return [head, html.P(t("kader.nodata", lang), id="kader-none", className="pws-hint")]
    skills = priority.skills
    if skills.empty:
        return [head, html.P(t("kader.complete", lang), id="kader-none", className="pws-ok")]
    book = gaps.book
    columns = [t(f"kader.col.{c}", lang) for c in ("rank", "skill", "posyandu", "people")]
    blocks: list = []
    # the Puskesmas by name, posyandu without one last
    order = sorted(skills["puskesmas"].unique(), key=lambda n: (n == NO_PUSKESMAS, str(n)))
    for number, name in enumerate(order):
        rows = skills[skills["puskesmas"] == name]
        shown = t("kader.no_puskesmas", lang) if name == NO_PUSKESMAS else str(name)
        body = [html.Tr([
            html.Td(str(int(r.peringkat)), style=CELL),
            html.Td([html.Div(html.B(book.label(r.keterampilan, lang))),
                     html.Div(_places(r.daftar_posyandu, lang), className="pws-hint")],
                    style=SKILL),
            html.Td(fmt_number(int(r.posyandu), lang), style=CELL),
            html.Td(fmt_number(None if pd.isna(r.sasaran) else float(r.sasaran), lang),
                    style=CELL),
        ], className="pws-kader-row") for r in rows.head(TOP).itertuples(index=False)]
        blocks += [
            html.H4(t("kader.puskesmas", lang, name=shown, n=len(rows))),
            html.Table([html.Thead(html.Tr([html.Th(c, style=HEAD) for c in columns])),
                        html.Tbody(body)],
                       id={"type": "kader-table", "index": number},
                       className="pws-table pws-scan-table"),
        ]  # fmt: skip
    return [head, html.P(t("kader.top", lang, n=TOP), className="pws-hint"),
            html.Div(blocks, className="pws-scroll", id="kader-list", style=LIST)]


def _on_show(layer_type: Any, kec: Any, lang: Any) -> list:
    """The list for the map's scope and kecamatan, while the ``kader`` layer is shown."""
    if layer_type != LAYER:
        raise PreventUpdate  # another layer: the tool is hidden, nothing to compute
    lang = lang_of(lang)
    scope = _scope(kec)
    gaps, priority = _priority(scope)
    with context.current().session() as session:
        area = _region_name(session, context.current().scope(), kec)
    return _render(gaps, priority, lang, area)


def _on_download(clicks: Any, kec: Any, _options: Any, lang: Any) -> Any:
    """The whole priority, with the gaps per village and posyandu, as XLSX."""
    if not clicks:
        raise PreventUpdate
    lang = lang_of(lang)
    scope = _scope(kec)
    layer = _layer(list(ctx.states_list))
    gaps, priority = _priority(scope, layer)
    if gaps.villages.empty:
        raise PreventUpdate  # nothing to download: the tool already says there is no data
    with context.current().session() as session:
        area = _region_name(session, context.current().scope(), kec)
    return dcc.send_bytes(export.gaps_xlsx(gaps, priority, lang, area), FILE_NAME[lang])


def register(app: Dash) -> None:
    app.callback(Output("kader-section", "style"), Input("layer", "value"))(
        lambda layer: {} if layer == LAYER else HIDDEN)

    app.callback(
        Output("kader-priority", "children"),
        Input("layer", "value"),
        Input("kec", "value"),
        State("lang", "data"),
    )(_on_show)

    app.callback(
        Output("kader-xlsx", "data"),
        Input("kader-download", "n_clicks"),
        State("kec", "value"),
        State({"type": "layer-opt", "layer": ALL, "name": ALL}, "value"),
        State("lang", "data"),
        prevent_initial_call=True,
    )(_on_download)
