"""The server never trusts region codes from the browser (design.md §3).

Crafted JSON is POSTed to Dash's callback endpoint ``/_dash-update-component`` of an
app whose deployment scope is one kecamatan. Callback ids come from
``/_dash-dependencies``; expected villages come from the raw demo files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from flask.testing import FlaskClient

from dashboard import context
from dashboard.app import create_app
from dashboard.i18n import t
from dashboard.testing import loaded_database
from layers.scope import Scope
from layers.store import queries

DEMO = Path(__file__).resolve().parents[1] / "data" / "geo" / "demo_9901"
KEC = "99.01.01"
WEEK = "2025-W10"
NOT_FOUND = t("panel.not_found", "id")
_APP: list = []  # the server of the module's client (its store decodes the values)
CRAFTED = ["99.01.01' OR 1=1 --", "%", "99.01.%", "99.01.01.%", "' OR ''='", "99;--", "_"]


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    villages = pd.DataFrame(gpd.read_file(DEMO / "desa.geojson").drop(columns="geometry"))
    cases = pd.read_csv(DEMO / "kasus_mingguan.csv", dtype={"kode_desa": str})
    year, week = (int(x) for x in WEEK.split("-W"))
    cases = cases[(cases.tahun == year) & (cases.minggu == week)][["kode_desa", "kasus"]]
    return villages.merge(cases, on="kode_desa", how="left").set_index("kode_desa")


@pytest.fixture(scope="module")
def inside(raw: pd.DataFrame) -> set[str]:
    codes = set(raw.index[raw["kode_kec"] == KEC])
    assert 0 < len(codes) < len(raw)
    return codes


@pytest.fixture(scope="module")
def outsider(raw: pd.DataFrame) -> pd.Series:
    """A village of another kecamatan, with a name that no village in scope shares."""
    names_inside = set(raw.loc[raw["kode_kec"] == KEC, "nama_desa"])
    others = raw[(raw["kode_kec"] == "99.01.02") & ~raw["nama_desa"].isin(names_inside)]
    row = others.iloc[0]
    return pd.Series({"kode": row.name, "nama": row["nama_desa"]})


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    url = loaded_database(DEMO, tmp_path_factory.mktemp("callback_scope") / "demo.sqlite")
    server = create_app(url, Scope.of([KEC])).server
    _APP[:] = [server]
    return server.test_client()


@pytest.fixture(scope="module")
def deps(client: FlaskClient) -> dict[str, dict]:
    response = client.get("/_dash-dependencies")
    assert response.status_code == 200
    return {d["output"]: d for d in response.get_json()}


def _dep(deps: dict[str, dict], needle: str) -> dict:
    """The callback whose outputs include ``needle`` (not a duplicate-output one)."""
    (dep,) = [d for out, d in deps.items() if needle in out and "@" not in out]
    return dep


def _outputs(output: str) -> Any:
    """Dash's output spec: ``a.b`` or ``..a.b...c.d..`` (multi)."""
    def one(text: str) -> dict[str, str]:
        ident, prop = text.rsplit(".", 1)
        return {"id": ident, "property": prop}

    if output.startswith(".."):
        return [one(part) for part in output[2:-2].split("...")]
    return one(output)


def _item(spec: dict, values: dict[str, Any]) -> Any:
    """One input/state of a request body; a wildcard (pattern-matching) one is a list of
    the matching components, none unless ``values`` gives them."""
    if spec["id"].startswith("{"):
        return values.get(f"{json.loads(spec['id'])['type']}.{spec['property']}", [])
    return {**spec, "value": values[f"{spec['id']}.{spec['property']}"]}


def _call(client: FlaskClient, dep: dict, inputs: dict[str, Any], state: dict[str, Any],
          changed: str) -> Any:  # fmt: skip
    body = {
        "output": dep["output"],
        "outputs": _outputs(dep["output"]),
        "inputs": [_item(i, inputs) for i in dep["inputs"]],
        "state": [_item(s, state) for s in dep["state"]],
        "changedPropIds": [changed],
    }
    return client.post("/_dash-update-component", json=body)


def _values(client: FlaskClient, deps: dict, kec: Any, lang: str = "id",
            shown: tuple[Any, Any] = (None, None), changed: str = "kec.value",
            week: str = WEEK) -> Any:  # fmt: skip
    """The values callback; ``shown``: the legend key and village count the page shows."""
    return _call(client, _dep(deps, "layer-values.data"),
                 {"layer.value": "insidens", "period-shown.data": week, "kec.value": kec},
                 {"lang.data": lang, "geo-config.data": None, "legend-key.data": shown[0],
                  "village-count.children": shown[1]}, changed)  # fmt: skip


def _panel(client: FlaskClient, deps: dict, click: Any, lang: str = "id") -> Any:
    return _call(client, _dep(deps, "panel.children"), {"desa.clickData": click},
                 {"layer.value": "insidens", "period.value": WEEK, "lang.data": lang},
                 "desa.clickData")  # fmt: skip


def _click(kode: Any) -> dict:
    return {"type": "Feature", "properties": {"kode": kode, "nama": "x"}, "geometry": None}


def _village_codes(response: Any) -> set[str]:
    """The villages a values response colours: ``k`` has one character per village of the
    server's scope in code order (``.`` = not sent), decoded with that order."""
    assert response.status_code == 200, response.data[:300]
    k = response.get_json()["response"]["layer-values"]["data"]["k"]
    with _APP[0].app_context():
        app_ctx = context.current()
        with app_ctx.session() as session:
            order = queries.village_table(session, app_ctx.scope())["kode"].tolist()
    assert len(k) == len(order)
    return {kode for kode, ch in zip(order, k, strict=True) if ch != "."}


# ------------------------------------------------------------------- (a) values callback


def test_values_without_filter_is_the_server_scope(
    client: FlaskClient, deps: dict, inside: set[str]
) -> None:
    assert _village_codes(_values(client, deps, None)) == inside


@pytest.mark.parametrize("kec", ["99.01.02", "99.01.03", "99.01.02.2001", "98", "35.10"])
def test_values_other_region_gives_nothing(client: FlaskClient, deps: dict, kec: str,
                                           inside: set[str]) -> None:  # fmt: skip
    assert _village_codes(_values(client, deps, KEC)) == inside  # the same request, in scope
    response = _values(client, deps, kec)
    assert _village_codes(response) == set()
    summary = response.get_json()["response"]["legend-summary"]["children"]
    assert "0 kasus di 0 desa" in summary


@pytest.mark.parametrize("kec", ["99", "99.01", "9901", KEC, "990101"])
def test_values_wider_filter_never_widens(
    client: FlaskClient, deps: dict, raw: pd.DataFrame, inside: set[str], kec: str
) -> None:
    response = _values(client, deps, kec)
    assert _village_codes(response) == inside
    # the summary counts only the scope's cases, not the district's
    total = int(raw.loc[sorted(inside), "kasus"].sum())
    district = int(raw["kasus"].sum())
    assert total != district
    summary = response.get_json()["response"]["legend-summary"]["children"]
    assert f"{total} kasus di {len(inside)} desa" in summary


def test_a_new_week_sends_only_what_changed(client: FlaskClient, deps: dict) -> None:
    first = _values(client, deps, None).get_json()["response"]
    key = first["legend-key"]["data"]
    count = first["village-count"]["children"]
    summary = first["legend-summary"]["children"]
    assert key and first["legend-classes"]["children"] and count.endswith("desa/kelurahan")
    # the page shows that legend and count: another week sends the values, the summary
    # and the link, and leaves the legend (rebuilt by Dash on every change) as it is
    again = _values(client, deps, None, shown=(key, count), changed="period-shown.data",
                    week="2025-W11").get_json()["response"]
    assert {"legend-classes", "legend-key", "village-count"}.isdisjoint(again)
    assert again["layer-values"]["data"]["stamp"].split("|")[1] == "2025-W11"
    assert again["legend-summary"]["children"] != summary and "2025-W11" in again[
        "legend-summary"]["children"]  # fmt: skip
    assert "2025-W11" in again["map-download"]["href"]
    # another language is another legend: sent again
    english = _values(client, deps, None, lang="en", shown=(key, count)).get_json()["response"]
    assert english["legend-key"]["data"] != key and english["legend-classes"]["children"]


def test_values_single_village_inside(client: FlaskClient, deps: dict, inside: set[str]) -> None:
    kode = sorted(inside)[0]
    assert _village_codes(_values(client, deps, kode)) == {kode}


def test_zoom_never_leaves_the_scope(client: FlaskClient, deps: dict) -> None:
    dep = _dep(deps, "map.viewport")
    gdf = gpd.read_file(DEMO / "desa.geojson")
    minx, miny, maxx, maxy = gdf[gdf["kode_kec"] == KEC].total_bounds
    wide = _call(client, dep, {"kec.value": "99"}, {}, "kec.value")
    assert wide.status_code == 200
    (south, west), (north, east) = wide.get_json()["response"]["map"]["viewport"]["bounds"]
    assert (south, west, north, east) == pytest.approx((miny, minx, maxy, maxx), abs=1e-5)
    other = _call(client, dep, {"kec.value": "99.01.02"}, {}, "kec.value")
    assert other.status_code in (200, 204)
    if other.status_code == 200:
        assert "map" not in other.get_json()["response"]
    village = gdf[gdf["kode_kec"] == KEC].iloc[0]
    own = _call(client, dep, {"kec.value": village["kode_desa"]}, {}, "kec.value")
    (south, west), (north, east) = own.get_json()["response"]["map"]["viewport"]["bounds"]
    minx, miny, maxx, maxy = village.geometry.bounds
    assert (south, west, north, east) == pytest.approx((miny, minx, maxy, maxx), abs=1e-5)


# --------------------------------------------------------------------- (b) panel callback


def test_panel_inside_scope_shows_the_village(
    client: FlaskClient, deps: dict, raw: pd.DataFrame, inside: set[str]
) -> None:
    kode = sorted(inside)[0]
    text = _panel(client, deps, _click(kode)).get_data(as_text=True)
    assert raw.loc[kode, "nama_desa"] in text
    assert "panel-section-diare" in text
    assert NOT_FOUND not in text


def test_panel_outside_scope_is_not_found(
    client: FlaskClient, deps: dict, outsider: pd.Series
) -> None:
    for kode in (outsider["kode"], outsider["kode"].replace(".", "")):
        response = _panel(client, deps, _click(kode))
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert NOT_FOUND in text
        assert outsider["nama"] not in text
        assert outsider["kode"] not in text
        assert "panel-section-diare" not in text
        assert "panel-name" not in text


@pytest.mark.parametrize("kode", [KEC, "99.01", "99", "99.01.02"])
def test_panel_region_codes_are_not_villages(client: FlaskClient, deps: dict, kode: str) -> None:
    text = _panel(client, deps, _click(kode)).get_data(as_text=True)
    assert NOT_FOUND in text
    assert "panel-section-diare" not in text


# ------------------------------------------------------------- (c) malformed and crafted


@pytest.mark.parametrize("kec", [*CRAFTED, "", 12345, ["99.01.02"], {"kode": "99"}, True])
def test_values_crafted_kec_does_not_crash_or_leak(
    client: FlaskClient, deps: dict, inside: set[str], kec: Any
) -> None:
    assert _village_codes(_values(client, deps, None)) == inside  # the same call, honest
    response = _values(client, deps, kec)
    assert response.status_code in (200, 204), response.status_code
    if response.status_code == 200:
        assert _village_codes(response) <= inside


@pytest.mark.parametrize("kec", CRAFTED)
def test_zoom_crafted_kec_does_not_crash(client: FlaskClient, deps: dict, kec: str) -> None:
    dep = _dep(deps, "map.viewport")
    own = _call(client, dep, {"kec.value": KEC}, {}, "kec.value")
    assert own.get_json()["response"]["map"]["viewport"]["bounds"]  # in scope: a zoom
    response = _call(client, dep, {"kec.value": kec}, {}, "kec.value")
    assert response.status_code in (200, 204)
    if response.status_code == 200:  # never the bounds of another region than the scope
        got = response.get_json()["response"]["map"]["viewport"]["bounds"]
        assert got == own.get_json()["response"]["map"]["viewport"]["bounds"]


@pytest.mark.parametrize(
    "click",
    [*(_click(k) for k in CRAFTED), _click(9901022001), _click(None), _click(["99.01.02"]),
     ["99.01.02.2001"], "99.01.02.2001", {"properties": "99.01.02.2001"}, {"properties": None},
     {}],
)  # fmt: skip
def test_panel_crafted_click_does_not_crash_or_leak(
    client: FlaskClient, deps: dict, outsider: pd.Series, raw: pd.DataFrame, inside: set[str],
    click: Any,
) -> None:
    kode = sorted(inside)[0]
    own = _panel(client, deps, _click(kode)).get_data(as_text=True)
    assert "panel-name" in own and raw.loc[kode, "nama_desa"] in own  # a real click works
    response = _panel(client, deps, click)
    assert response.status_code in (200, 204), response.status_code
    text = response.get_data(as_text=True)
    assert "panel-name" not in text
    assert outsider["nama"] not in text
    if response.status_code == 200:
        assert NOT_FOUND in text


@pytest.mark.parametrize("week", ["2025-W99", "garbage", 2025, None, ["2025-W10"]])
def test_panel_crafted_week_still_shows_the_village(
    client: FlaskClient, deps: dict, raw: pd.DataFrame, inside: set[str], week: Any
) -> None:
    kode = sorted(inside)[0]
    response = _call(client, _dep(deps, "panel.children"), {"desa.clickData": _click(kode)},
                     {"layer.value": "insidens", "period.value": week, "lang.data": "id"},
                     "desa.clickData")  # fmt: skip
    assert response.status_code == 200
    assert raw.loc[kode, "nama_desa"] in response.get_data(as_text=True)


def test_page_layout_lists_only_the_scope(client: FlaskClient, deps: dict,
                                          raw: pd.DataFrame) -> None:  # fmt: skip
    response = _call(client, _dep(deps, "header.children"),
                     {"url.pathname": "/"}, {"url.search": "?kec=99.01.02"}, "url.pathname")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    other_kec = set(raw.loc[raw["kode_kec"] != KEC, "kode_kec"])
    assert KEC in text
    assert not [k for k in other_kec if f'"{k}"' in text]
