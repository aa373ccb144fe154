"""The presentation's pages and callbacks never read or write outside the server's scope.

Crafted JSON is POSTed to ``/_dash-update-component`` of apps whose deployment scope is one
kecamatan (``99.01.01``) or the kabupaten (``99.01``): the page route, a map click (zoom),
the closing slide's minutes, the deck's save and reset, and the export ticket. Each
request with a region outside the scope gets no data and writes nothing; the same request
inside the scope does get its data (so a test that only ever saw refusals cannot pass).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.app import create_app
from dashboard.pages.presentasi_slides import MAP_PX
from dashboard.testing import loaded_database
from layers import base
from layers.present import decks, notulen
from layers.render import locate
from layers.scope import Scope
from layers.store import engine as store_engine
from layers.store import queries
from layers.store.models import DekPresentasi, Notulen
from tests.test_impor_callbacks import Page

DEMO = Path(__file__).resolve().parents[1] / "data" / "geo" / "demo_9901"
KAB, KEC, OTHER = "99.01", "99.01.01", "99.01.02"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return loaded_database(DEMO, tmp_path_factory.mktemp("presentation") / "demo.sqlite")


@pytest.fixture(scope="module")
def engine(db: str) -> Iterator[Any]:
    engine = store_engine.make_engine(db)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def kec(db: str) -> FlaskClient:
    """An app whose server scope is one kecamatan."""
    return create_app(db, Scope.of([KEC])).server.test_client()


@pytest.fixture(scope="module")
def kab(db: str) -> FlaskClient:
    """An app whose server scope is the whole kabupaten."""
    return create_app(db, Scope.of([KAB])).server.test_client()


def _texts(node: Any) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        return " ".join(_texts(v) for v in node.values())
    if isinstance(node, list):
        return " ".join(_texts(v) for v in node)
    return ""


def _route(client: FlaskClient, path: str, search: str) -> Any:
    page = Page(client)
    return page.post("url.pathname", {"url.pathname": path, "url.search": search})


def _response(response: Any) -> dict:
    assert response.status_code == 200, response.data[:300]
    return response.get_json()["response"]


# --------------------------------------------------------------------------- the pages


def test_a_region_outside_the_scope_gets_a_message_and_no_slide(kec: FlaskClient) -> None:
    for search in (f"?wilayah={OTHER}", "?wilayah=99.01", "?wilayah=98", "?wilayah=x%27--",
                   f"?wilayah={OTHER}&lang=en"):  # fmt: skip
        page = _response(_route(kec, "/presentasi", search))["page"]["children"]
        text = json.dumps(page)
        assert "pres-refused" in text and "pres-slide" not in text, search
        assert "Bumimakmur" not in text  # the other kecamatan's name: no data at all
    english = _texts(_response(_route(kec, "/presentasi", f"?wilayah={OTHER}&lang=en")))
    assert "is not within your scope" in english and "cakupan" not in english
    deck_page = json.dumps(_response(_route(kec, "/presentasi/dek", f"?wilayah={OTHER}")))
    assert "pres-refused" in deck_page and "dek-rows" not in deck_page


def _build(client: FlaskClient, region: Any, week: Any = None, lang: str = "id") -> Any:
    return Page(client).post("pres-request.data", {"pres-request.data": {
        "region": region, "week": week}, "pres-lang.data": lang})


def test_the_slides_of_a_crafted_region_are_never_built(kec: FlaskClient) -> None:
    for region in (OTHER, KAB, "99", "98", "", None, ["99.01.01"], "x' OR 1=1 --"):
        assert _build(kec, region).status_code == 204, region


def test_the_same_page_in_scope_has_the_slides(kec: FlaskClient) -> None:
    response = _response(_route(kec, "/presentasi", f"?wilayah={KEC}"))
    assert response["header"]["children"] == []  # no app header over the slides
    frame = json.dumps(response["page"])
    assert "pres-refused" not in frame and f'"region": "{KEC}"' in frame
    assert "Purwoarum" in frame  # "preparing the slides of Purwoarum"
    slides = json.dumps(_response(_build(kec, KEC, "2025-W53")))
    assert slides.count('"pres-slide"') >= 5 and "Purwoarum" in slides
    default = json.dumps(_response(_route(kec, "/presentasi", ""))["page"])
    assert f'"region": "{KEC}"' in default and "pres-refused" not in default


# --------------------------------------------------------------------------- map clicks


def _click_body(meta: dict, x: float, y: float, key: str = "1-0") -> dict:
    """A map click on slide screen ``key``: the MATCH callback's request for that index."""
    def ident(kind: str) -> dict:
        return {"index": key, "type": kind}

    def pattern(kind: str, prop: str) -> str:
        return json.dumps({"index": ["MATCH"], "type": kind}, separators=(",", ":"),
                          sort_keys=True) + f".{prop}"  # fmt: skip

    spec = json.dumps(ident("pres-click"), separators=(",", ":"), sort_keys=True)
    outs = (("pres-map", "src"), ("pres-back", "style"), ("pres-caption", "children"),
            ("pres-map-meta", "data"))  # fmt: skip
    return {"output": ".." + "...".join(pattern(k, p) for k, p in outs) + "..",
            "outputs": [{"id": ident(k), "property": p} for k, p in outs],
            "inputs": [{"id": ident("pres-click"), "property": "data",
                        "value": {"x": x, "y": y, "t": 1}},
                       {"id": ident("pres-back"), "property": "n_clicks", "value": 0}],
            "state": [{"id": ident("pres-map-meta"), "property": "data", "value": meta}],
            "changedPropIds": [f"{spec}.data"]}  # fmt: skip


def _meta(region: str, zoom: str | None = None) -> dict:
    return {"layer": {"type": "pustu"}, "period": None, "region": region, "zoom": zoom,
            "caption": "Desa tanpa Pustu", "lang": "id"}  # fmt: skip


def _inside(engine: Any, kecamatan: str) -> tuple[float, float]:
    """Where a point inside ``kecamatan`` falls on the kabupaten's map image (fractions)."""
    with Session(engine) as session:
        scope = Scope.of([KAB])
        kec_gdf = queries.regions(session, scope, "kec")
        point = kec_gdf.set_index("kode").geometry[kecamatan].representative_point()
        figure = locate.figure_for(session, scope, base.from_config({"type": "pustu"}), None,
                                   "id", width_px=MAP_PX[0], height_px=MAP_PX[1])
    col, row = figure.to_pixel(point.x, point.y)[0]
    return float(col / MAP_PX[0]), float(row / MAP_PX[1])


def test_a_click_zooms_into_the_kecamatan_under_it(kab: FlaskClient, engine: Any) -> None:
    x, y = _inside(engine, OTHER)
    got = _response(kab.post("/_dash-update-component", json=_click_body(_meta(KAB), x, y)))
    src = got['{"index":"1-0","type":"pres-map"}']["src"]
    assert f"region={OTHER}" in src and got['{"index":"1-0","type":"pres-map-meta"}'][
        "data"]["zoom"] == OTHER  # fmt: skip
    assert "Bumimakmur" in got['{"index":"1-0","type":"pres-caption"}']["children"]
    # a click outside the kecamatan shown goes back to the kabupaten
    back = _response(kab.post("/_dash-update-component",
                              json=_click_body(_meta(KAB, OTHER), 0.01, 0.99)))
    assert f"region={KAB}&" in back['{"index":"1-0","type":"pres-map"}']["src"]


@pytest.mark.parametrize(("client", "meta"), [
    ("kec", _meta(OTHER)), ("kec", _meta(KAB)), ("kab", _meta("99.02")), ("kab", _meta("98")),
    ("kec", _meta("' OR 1=1 --")), ("kab", {**_meta(KAB), "layer": {"type": "x"}}),
])  # fmt: skip
def test_a_click_on_a_crafted_region_finds_nothing(request: pytest.FixtureRequest, client: str,
                                                   meta: dict, engine: Any) -> None:  # fmt: skip
    x, y = _inside(engine, OTHER)
    response = request.getfixturevalue(client).post("/_dash-update-component",
                                                    json=_click_body(meta, x, y))
    assert response.status_code == 204, response.data[:200]


def test_a_crafted_zoom_outside_the_region_is_ignored(kab: FlaskClient, engine: Any) -> None:
    x, y = _inside(engine, OTHER)
    got = _response(kab.post("/_dash-update-component",
                             json=_click_body(_meta(KAB, "99.02.01"), x, y)))
    assert got['{"index":"1-0","type":"pres-map-meta"}']["data"]["zoom"] == OTHER


# --------------------------------------------------------------------------- writes


def _rows(field_values: list[str]) -> dict[str, list]:
    fields = dict(zip(notulen.FIELDS, field_values, strict=True))
    return {f"notes-{f}.value": [({"type": f"notes-{f}", "row": 0}, v)] for f, v in
            fields.items()}


def _notes(engine: Any, region: str) -> list[Any]:
    with Session(engine) as session:
        return list(session.scalars(select(Notulen).where(Notulen.kode_wilayah == region)))


def test_minutes_are_written_only_inside_the_scope(kec: FlaskClient, engine: Any) -> None:
    page = Page(kec)
    values = {"notes-save.n_clicks": 1, "notes-week.data": "2025-W53", "pres-lang.data": "id",
              **_rows(["Bidan desa", "Kunjungan rumah", "2026-01-15"])}  # fmt: skip
    for region in (OTHER, KAB, "98", None, ["99.01.01"]):
        response = page.post("notes-save.n_clicks", {**values, "notes-region.data": region})
        assert response.status_code == 204 or "notes-refused" in response.get_data(as_text=True)
        assert not _notes(engine, OTHER) and not _notes(engine, KAB)
    done = page.post("notes-save.n_clicks", {**values, "notes-region.data": KEC})
    assert "notes-done" in done.get_data(as_text=True)
    with Session(engine) as session:
        saved = notulen.on(session, Scope.of([KEC]), KEC, dt.date.today())
    assert saved is not None and saved.actions == [
        {"siapa": "Bidan desa", "apa": "Kunjungan rumah", "kapan": "2026-01-15"}]
    # a row refused by notulen.clean writes nothing and says why, in the page's language
    bad = page.post("notes-save.n_clicks", {**values, "notes-region.data": KEC,
                                            "pres-lang.data": "en",
                                            **_rows(["Kader", "", "2026-01-15"])})
    text = _texts(_response(bad))
    assert "Row 1" in text and "cannot be empty" in text and "Baris" not in text
    with Session(engine) as session:
        again = notulen.on(session, Scope.of([KEC]), KEC, dt.date.today())
    assert again is not None and again.actions == saved.actions


def _deck_values(region: Any, hidden: str = "kader") -> dict[str, Any]:
    kinds = decks.known_kinds()
    return {"dek-save.n_clicks": 1, "dek-region.value": region, "dek-lang.data": "id",
            "dek-show.value": [({"type": "dek-show", "kind": k}, [] if k == hidden else ["on"])
                               for k in kinds]}  # fmt: skip


def test_the_deck_is_saved_and_reset_only_inside_the_scope(kec: FlaskClient,
                                                           engine: Any) -> None:  # fmt: skip
    page = Page(kec)
    for region in (OTHER, KAB, "98", None, 7):
        assert page.post("dek-save.n_clicks", _deck_values(region)).status_code == 204
        assert page.post("dek-reset.n_clicks", {"dek-reset.n_clicks": 1,
                                                "dek-region.value": region}).status_code == 204
        assert page.post("dek-region.value", {"dek-region.value": region,
                                              "dek-week.value": "2025-W53"}).status_code == 204
    with Session(engine) as session:
        assert session.get(DekPresentasi, OTHER) is None and session.get(DekPresentasi, KAB) is None
    done = page.post("dek-save.n_clicks", _deck_values(KEC))
    assert "dek-done" in done.get_data(as_text=True)
    with Session(engine) as session:
        assert "kader" not in decks.load_deck(session, Scope.of([KEC]), KEC).shown()
    rows = _response(page.post("dek-region.value", {"dek-region.value": KEC,
                                                    "dek-week.value": "2025-W53"}))
    assert "wilayah=99.01.01" in rows["dek-start"]["href"]
    reset = page.post("dek-reset.n_clicks", {"dek-reset.n_clicks": 1, "dek-region.value": KEC})
    assert "dek-done" in reset.get_data(as_text=True)
    with Session(engine) as session:
        assert session.get(DekPresentasi, KEC) is None


def test_an_export_ticket_is_made_only_inside_the_scope(kec: FlaskClient) -> None:
    page = Page(kec)
    values = {"export-pptx.n_clicks": 1, "dek-week.value": "2025-W53",
              "export-suppress.value": ["on"], "dek-lang.data": "id"}  # fmt: skip
    for region in (OTHER, KAB, "98", None):
        response = page.post("export-pptx.n_clicks", {**values, "dek-region.value": region})
        assert response.status_code == 204
    token = _response(page.post("export-pptx.n_clicks", {**values, "dek-region.value": KEC}))
    assert re.fullmatch(r"[0-9a-f]{32}", token["export-job"]["data"])


def test_the_click_geometry_is_the_served_image(kab: FlaskClient, engine: Any) -> None:
    """locate.figure_for lays out the very image the map route serves (same bytes), so a
    click's fraction of the image means the same point on the ground."""
    layer = base.from_config({"type": "pustu"})
    with Session(engine) as session:
        scope = Scope.of([KAB]).narrow(OTHER)
        mine = locate.figure_for(session, scope, layer, None, "id", width_px=MAP_PX[0],
                                 height_px=MAP_PX[1]).save("png")  # fmt: skip
    served = kab.get("/peta.png", query_string={
        "layer": json.dumps({"type": "pustu"}), "region": OTHER, "lang": "id",
        "width": MAP_PX[0], "height": MAP_PX[1]})  # fmt: skip
    assert served.status_code == 200 and served.data == mine
