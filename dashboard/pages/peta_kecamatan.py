"""The map's kecamatan filter: a dropdown listing every kecamatan of the scope, or, for a
scope with many (a province, the nation), searching them on the server.

``dcc.Dropdown`` builds a search index of all its options when it mounts, opened or not:
measured on the national store (6,709 kecamatan) that took 0.9 s of the page's main
thread, before the map could draw anything (Jawa Timur's 666: ~45 ms). Above
:data:`LISTED_MAX` the dropdown therefore starts with the chosen kecamatan, the first
:data:`SEARCH_RESULTS` by code and a line saying how many more a search finds; each
search (``search_value``) asks the server for at most :data:`SEARCH_RESULTS` matches,
labelled with their kabupaten (names repeat across the country). This is Dash's
documented "dynamic options" pattern; the scope is the server's, never the browser's.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import Dash, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import components, context
from dashboard.i18n import lang_of, t
from layers.scope import Scope
from layers.store import queries

#: a scope with at most this many kecamatan lists them all in the dropdown
LISTED_MAX = 300
#: matches sent for one search (the dropdown shows about ten at a time)
SEARCH_RESULTS = 50
#: the dropdown's modes (store ``kec-mode``)
LISTED, SEARCHED = "listed", "searched"
#: the value of the searched dropdown's last line ("… more: type to search")
MORE = "+"


def names(session: Any, scope: Scope) -> pd.DataFrame:
    """The scope's kecamatan: ``kode, nama, kab`` (its kabupaten's name) sorted by code."""
    kec = queries.region_names(session, scope, "kec")
    kab = queries.region_names(session, scope, "kab")
    parent = kec["kode"].str.rsplit(".", n=1).str[0]
    kec["kab"] = parent.map(dict(zip(kab["kode"], kab["nama"], strict=True))).fillna("")
    return kec


def label(row: Any) -> str:
    """A searched option's text: the kecamatan and its kabupaten."""
    return f"{row.nama} — {row.kab}" if row.kab else str(row.nama)


def matching(table: pd.DataFrame, query: str, limit: int | None = None) -> pd.DataFrame:
    """The kecamatan whose name, kabupaten or code contains every word of ``query``
    (case-insensitive), those whose name starts with the query first, then by code;
    at most ``limit`` (:data:`SEARCH_RESULTS`). An empty query gives the first by code.

    >>> t = pd.DataFrame({"kode": ["35.01.01", "35.02.01", "35.02.02"],
    ...                   "nama": ["Donorojo", "Sukorejo", "Ngrayun Sukorejo"],
    ...                   "kab": ["Pacitan", "Ponorogo", "Ponorogo"]})
    >>> matching(t, "suko")["kode"].tolist()
    ['35.02.01', '35.02.02']
    >>> matching(t, "ponorogo ngra")["kode"].tolist()
    ['35.02.02']
    """
    limit = SEARCH_RESULTS if limit is None else limit
    words = query.casefold().split()
    if not words:
        return table.head(limit)
    text = (table["nama"] + " " + table["kab"] + " " + table["kode"]).str.casefold()
    hit = pd.Series(True, index=table.index)
    for word in words:
        hit &= text.str.contains(word, regex=False)
    found = table[hit]
    first = found["nama"].str.casefold().str.startswith(query.casefold().strip())
    return pd.concat([found[first], found[~first]]).head(limit)


def _options(table: pd.DataFrame, searched: bool) -> list[dict[str, Any]]:
    return [{"label": label(r) if searched else str(r.nama), "value": str(r.kode)}
            for r in table.itertuples()]  # fmt: skip


def searched_options(table: pd.DataFrame, query: str, value: object,
                     lang: str) -> list[dict[str, Any]]:  # fmt: skip
    """A searched dropdown's options: the chosen kecamatan (a dropdown shows its value only
    while it is among its options), the matches of ``query``, and for an empty query a
    last line, not selectable, saying how many more a search finds."""
    found = matching(table, query)
    if isinstance(value, str) and value not in set(found["kode"]):
        found = pd.concat([table[table["kode"] == value], found])
    options = _options(found, searched=True)
    more = len(table) - len(found)
    if not query.strip() and more > 0:
        options.append({"label": t("filter.kecamatan.more", lang, n=more), "value": MORE,
                        "disabled": True})  # fmt: skip
    return options


def control(session: Any, scope: Scope, lang: str, asked: object) -> tuple[list, str | None]:
    """The filter's label, dropdown and stores, and the kecamatan chosen: ``asked`` (from
    the URL) when it is one of the scope's, else none (all kecamatan)."""
    table = names(session, scope)
    value = asked if isinstance(asked, str) and asked in set(table["kode"]) else None
    searched = len(table) > LISTED_MAX
    options = searched_options(table, "", value, lang) if searched else _options(table, False)
    return [
        html.Label(t("filter.kecamatan", lang)),
        components.dropdown(lang, id="kec", options=options, value=value,
                            placeholder=t("filter.kecamatan.all", lang)),
        dcc.Store(id="kec-mode", data=SEARCHED if searched else LISTED),
        dcc.Store(id="kec-query"),
    ], value


def search(query: Any, value: Any, lang: Any) -> list[dict[str, Any]]:
    """The options for one search, in the server's scope."""
    if not isinstance(query, str) or len(query) > 100:
        raise PreventUpdate  # crafted
    app_ctx = context.current()
    with app_ctx.session() as session:
        table = names(session, app_ctx.scope())
    return searched_options(table, query, value, lang_of(lang))


def register(app: Dash) -> None:
    # only a searched dropdown asks the server: a listed one filters its own options
    app.clientside_callback(
        "function(q, mode) { return mode === 'searched' && typeof q === 'string' ? q"
        " : window.dash_clientside.no_update; }",
        Output("kec-query", "data"),
        Input("kec", "search_value"),
        State("kec-mode", "data"),
        prevent_initial_call=True,
    )
    app.callback(
        Output("kec", "options"),
        Input("kec-query", "data"),
        State("kec", "value"),
        State("lang", "data"),
        prevent_initial_call=True,
    )(search)
