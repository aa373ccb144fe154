"""The diarrhoea map layers `peringatan` and `titik_panas` on the demo store."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy.orm import Session

from layers.diarrhoea.maplayers import HOTSPOT_CLASSES, AlertLayer, HotSpotLayer
from layers.epiweek import EpiWeek
from layers.scope import Scope
from tests.diarrhoea.test_service import PLANTED

DOCS = Path(__file__).resolve().parents[2] / "docs" / "layers.md"
W50, W53 = EpiWeek(2025, 50), EpiWeek(2025, 53)


def _components(tree: object, ident: str) -> list[dict]:
    """Every component with id ``ident`` in a serialised Dash layout."""
    found = []
    if isinstance(tree, dict):
        if tree.get("props", {}).get("id") == ident:
            found.append(tree)
        for value in tree.get("props", {}).values():
            found += _components(value, ident)
    elif isinstance(tree, list):
        for item in tree:
            found += _components(item, ident)
    return found


def test_listed_on_the_map_page_with_their_options(store) -> None:  # noqa: ANN001
    """The map page a person opens lists both layers, and offers their options."""
    from dashboard.app import create_app

    app = create_app(store.url.render_as_string(hide_password=False))
    client = app.server.test_client()
    body = {"output": "..header.children...page.children..",
            "outputs": [{"id": "header", "property": "children"},
                        {"id": "page", "property": "children"}],
            "inputs": [{"id": "url", "property": "pathname", "value": "/"},
                       {"id": "url", "property": "search", "value": ""}],
            "changedPropIds": ["url.pathname"]}  # fmt: skip
    page = client.post("/_dash-update-component", json=body).get_json()["response"]
    (dropdown,) = _components(page["page"]["children"], "layer")
    titles = [o["label"] for o in dropdown["props"]["options"]]
    assert AlertLayer.title.id in titles and HotSpotLayer.title.id in titles
    deps = client.get("/_dash-dependencies").get_json()
    (dep,) = [d for d in deps if d["output"].startswith("..period.options")]
    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True))
               for o in dep["output"][2:-2].split("...")]  # fmt: skip
    for kind, cls in (("peringatan", AlertLayer), ("titik_panas", HotSpotLayer)):
        values = {"layer.value": kind, "lang.data": "id"}
        body = {"output": dep["output"], "outputs": outputs,
                "inputs": [{**i, "value": values.get(f"{i['id']}.{i['property']}")}
                           for i in dep["inputs"]],
                "state": [{**i, "value": values.get(f"{i['id']}.{i['property']}")}
                          for i in dep["state"]],
                "changedPropIds": ["layer.value"]}  # fmt: skip
        got = client.post("/_dash-update-component", json=body).get_json()["response"]
        assert got["period"]["value"] == "2025-W53"  # the newest week of the demo
        controls = json.dumps(got["layer-options"]["children"])
        for opt in cls.options():
            assert opt.spec.label.id in controls
    docs = DOCS.read_text(encoding="utf-8")
    for kind in ("peringatan", "titik_panas"):
        assert re.search(rf"^## `{kind}`$", docs, re.MULTILINE)


def test_alert_layer_values_and_labels(session: Session) -> None:
    result = AlertLayer().load(session, Scope.everything(), W50, "id")
    table = result.table.set_index("kode_desa")
    assert len(table) == 250 and set(table["klass"]) <= {0, 1, 2, -1}
    planted = table.loc[sorted(PLANTED)]
    assert (planted["klass"] == 0).all() and (planted["status"] == "alert").all()
    row = table.loc["99.01.09.2001"]
    assert row["value"] == 55 and row["label"] == "Peringatan: 55 kasus ≥ ambang 22,8"
    quiet = table[table["klass"] == 1].iloc[0]
    assert re.fullmatch(r"\d+ kasus < ambang [\d,]+", quiet["label"])
    values = result.values()
    assert values["99.01.09.2001"] == [0, row["label"]]
    assert "belum dikonfirmasi" in result.summary.id and "17 dari 250" in result.summary.id
    en = AlertLayer().load(session, Scope.everything(), W50, "en").table.set_index("kode_desa")
    assert en.loc["99.01.09.2001", "label"] == "Alert: 55 cases ≥ threshold 22.8"
    assert [c.label.en for c in result.legend.classes][0].startswith("Alert")
    assert result.legend.no_data.label.en == "No report"


def test_alert_layer_no_report_and_scope(session: Session) -> None:
    # 2023 is before the demo: every village is "no report", shown as no data
    result = AlertLayer().load(session, Scope.of(["99.01.09"]), EpiWeek(2023, 10), "en")
    assert (result.table["klass"] == -1).all()
    assert set(result.table["label"]) == {"No report"}
    assert result.table["kode_desa"].str.startswith("99.01.09.").all()


def test_hotspot_layer_classes(session: Session) -> None:
    layer = HotSpotLayer(permutations=99, fdr=False)
    result = layer.load(session, Scope.everything(), W53, "id")
    table = result.table.set_index("kode_desa")
    assert len(table) == 250 and set(table["klass"]) <= set(range(len(HOTSPOT_CLASSES)))
    hot = {HOTSPOT_CLASSES.index(c) for c in ("hot_99", "hot_95", "hot_90")}
    assert len(PLANTED & set(table.index[table["klass"].isin(hot)])) >= 2
    assert (table["gi_class"] == [HOTSPOT_CLASSES[k] for k in table["klass"]]).all()
    label = table.loc["99.01.09.2008", "label"]
    assert re.fullmatch(r"Titik (panas|dingin) \(\d\d%\) · [\d,]+ per 1\.000 · p = [\d,]+|"
                        r"Tidak signifikan · [\d,]+ per 1\.000 · p = [\d,]+", label)  # fmt: skip
    assert "tanpa koreksi FDR" in result.summary.id
    assert "tanpa koreksi FDR" in result.legend.title.id
    fdr = HotSpotLayer(permutations=99).load(session, Scope.everything(), W53, "en")
    n_fdr = int((fdr.table["klass"].isin(hot)).sum())
    assert n_fdr <= int(table["klass"].isin(hot).sum())
    # the summary says how significance was decided: the FDR family and the permutations
    assert "Benjamini–Hochberg FDR over the 250 villages" in fdr.summary.en
    assert "99 conditional permutations" in fdr.summary.en
    assert "FDR within each kabupaten/kota" in fdr.legend.title.en


def test_hotspot_layer_small_or_empty_scope(session: Session) -> None:
    one = HotSpotLayer(permutations=9).load(session, Scope.of(["99.01.09.2001"]), W53, "en")
    assert list(one.table["klass"]) == [-1]
    assert "cannot be computed" in one.summary.en
    before = HotSpotLayer(permutations=9).load(session, Scope.of(["99.01.09"]), EpiWeek(2023, 5))
    assert (before.table["klass"] == -1).all()
