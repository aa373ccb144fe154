"""Village values roll up to regions as each layer says (layers/aggregate.py), checked
against plain recomputations on hand-made tables and on every layer's demo result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.orm import Session

from layers import aggregate, base, catalog  # noqa: F401 - registers every layer
from layers.scope import Scope
from layers.text import Text
from tests.ingest.helpers import demo_engine

V = ["35.10.01.2001", "35.10.01.2002", "35.10.02.2001", "35.11.01.2001", "36.01.01.2001"]


def test_parent_codes_per_level() -> None:
    assert list(aggregate.parent_codes(V[:1], "prov")) == ["35"]
    assert list(aggregate.parent_codes(V[:1], "kab")) == ["35.10"]
    assert list(aggregate.parent_codes(V[:1], "kec")) == ["35.10.01"]
    with pytest.raises(ValueError, match="unknown level"):
        aggregate.parent_codes(V, "desa")


def test_rate_is_population_weighted_and_leaves_out_the_unknown() -> None:
    table = pd.DataFrame({"kode_desa": V, "kasus": [2, 0, np.nan, 3, 1],
                          "jumlah": [1000, 3000, 5000, 0, 2000],
                          "klass": 0, "value": 0.0})  # fmt: skip
    rate = aggregate.Rate("kasus", "jumlah", 1000, (0.0, 0.5, 1.0, 2.0))
    out = rate.apply(table, "kab", "en").set_index("kode")
    # 35.10: (2 + 0) / (1000 + 3000) per 1,000 = 0.5; the village without a report is out
    assert out.loc["35.10", "value"] == pytest.approx(0.5)
    assert out.loc["35.10", "klass"] == 1  # (0, 0.5]
    assert "2 of 3 villages reporting" in out.loc["35.10", "label"]
    # 35.11: its only village has no population: no rate, no data
    assert np.isnan(out.loc["35.11", "value"]) and out.loc["35.11", "klass"] == -1
    assert out.loc["36.01", "value"] == pytest.approx(0.5)
    assert list(out.index) == ["35.10", "35.11", "36.01"]


def test_rate_of_a_table_without_its_columns_is_no_data() -> None:
    table = pd.DataFrame({"kode_desa": V, "klass": -1, "value": np.nan})  # no case data at all
    out = aggregate.Rate("kasus", "jumlah", 1000, (0.0, 1.0)).apply(table, "prov", "id")
    assert list(out["klass"]) == [-1, -1] and out["value"].isna().all()


def test_share_counts_villages_with_data_only() -> None:
    table = pd.DataFrame({"kode_desa": V, "klass": [0, 1, -1, 1, 0], "value": 0.0})
    share = aggregate.Share((0,), Text("dengan peringatan", "with an alert"))
    out = share.apply(table, "prov", "id").set_index("kode")
    assert out.loc["35", "value"] == pytest.approx(1 / 3)  # 1 of 3 with data; 1 no data
    assert out.loc["35", "klass"] == 3  # 25 – < 50 %
    assert out.loc["35", "label"] == "1 dari 3 desa dengan peringatan (33 %)"
    assert out.loc["36", "klass"] == 4  # 100 %
    legend = share.legend(base.Legend(Text("a", "b"), ()))
    assert [c.label.en for c in legend.classes][0] == "0 %"
    assert legend.title.en == "Share of villages with an alert"
    none = share.apply(table.assign(klass=1), "prov", "en")
    assert list(none["klass"]) == [0, 0]  # no village alerting: the 0 % class


def test_median_class_takes_the_lower_middle() -> None:
    table = pd.DataFrame({"kode_desa": V, "klass": [4, 1, 2, -1, -1], "value": 0.0})
    out = aggregate.MedianClass().apply(table, "prov", "en").set_index("kode")
    assert out.loc["35", "klass"] == 2  # median of 4, 1, 2 (the no-data one left out)
    assert out.loc["36", "klass"] == -1
    assert out.loc["35", "label"] == "Median of 3 villages with data (of 4)"
    even = aggregate.MedianClass().apply(table.iloc[:2], "prov", "en")
    assert list(even["klass"]) == [2]  # between 1 and 4: 2.5 shown as the lower class 2


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Session:
    engine = demo_engine(Path(tmp_path_factory.mktemp("aggregate")))
    with Session(engine) as session:
        yield session


@pytest.mark.parametrize("kind", sorted(base.REGISTRY))
def test_every_layer_aggregates_its_demo_result(demo: Session, kind: str) -> None:
    cls = base.REGISTRY[kind]
    # the fewest permutations a hot-spot layer offers: the roll-up, not Gi*, is tested
    fast = {"permutations": 99} if any(o.name == "permutations" for o in cls.options()) else {}
    layer = base.from_config({"type": kind, **fast})
    periods = layer.periods(demo, Scope.everything())
    result = layer.load(demo, Scope.everything(), periods[0] if periods else None, "en")
    agg = layer.aggregation()
    legend = agg.legend(result.legend)
    table = result.table
    kec = agg.apply(table, "kec", "en")
    assert sorted(kec["kode"]) == sorted({k[:8] for k in table["kode_desa"]})
    assert kec["klass"].between(-1, len(legend.classes) - 1).all()
    assert kec["label"].str.len().gt(0).all()
    # recompute one kecamatan by hand from the village table
    first = kec.iloc[0]
    rows = table[table["kode_desa"].str.startswith(first["kode"] + ".")]
    if isinstance(agg, aggregate.Share):
        known = rows[rows["klass"] >= 0]
        assert first["value"] == pytest.approx(known["klass"].isin(agg.classes).mean())
    elif isinstance(agg, aggregate.Rate):
        ok = rows[rows[agg.numerator].notna() & (rows[agg.denominator] > 0)]
        expected = ok[agg.numerator].sum() / ok[agg.denominator].sum() * agg.per
        assert first["value"] == pytest.approx(expected)
    else:
        known = rows.loc[rows["klass"] >= 0, "klass"]
        assert first["klass"] == int(np.floor(known.median()))
