"""How a layer's village values roll up to kecamatan, kabupaten and province.

At national and provincial zoom the map colours whole regions instead of thousands of
villages, so every layer says how its values aggregate (:meth:`layers.base.Layer.
aggregation`). Three honest ways cover the registered layers:

* :class:`Rate` — a population-weighted rate: the sum of a numerator column over the
  sum of a denominator column (villages without both are left out, as on the village
  map), classified with the layer's own breaks, so a kabupaten and its villages share
  one legend;
* :class:`Share` — the share of villages (with data) in some of the layer's classes, e.g.
  the villages with an alert, in its own percentage legend;
* :class:`MedianClass` — the median class of the region's villages with data, for
  ordinal legends without a natural numerator (kader levels), in the layer's legend.

Each returns a table ``kode, value, klass, label`` per region (the label in the asked
language) and the legend the map shows for it. Pure: pandas and NumPy only.

>>> import pandas as pd
>>> table = pd.DataFrame({"kode_desa": ["35.10.01.2001", "35.10.01.2002", "35.11.01.2001"],
...                       "klass": [0, 1, 1], "value": [1.0, 0.0, 0.0]})
>>> share = Share(classes=(0,), what=Text("dengan peringatan", "with an alert"))
>>> share.apply(table, "kab", "en")[["kode", "value", "klass"]].to_dict("list")
{'kode': ['35.10', '35.11'], 'value': [0.5, 0.0], 'klass': [4, 0]}
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from layers import classify
from layers.base import Legend, LegendClass
from layers.text import Text, counted, fmt_number

#: the map's region levels above the village and the code prefix length of each
PREFIX = {"prov": 2, "kab": 5, "kec": 8}
LEVELS = tuple(PREFIX)
#: upper bounds (exclusive) of the share classes; the last class is open-ended
SHARE_BOUNDS = (0.0, 0.10, 0.25, 0.50)
SHARE_COLORS = ("#ffffcc", "#fed976", "#fd8d3c", "#e31a1c", "#800026")


def parent_codes(kode_desa: Sequence[str] | pd.Series, level: str) -> np.ndarray:
    """The ``level`` region of each village code (dotted codes: ``35.10.01.2001`` → ``35.10``)."""
    if level not in PREFIX:
        raise ValueError(f"unknown level {level!r}; known: {LEVELS}")
    return pd.Series(kode_desa, dtype=object).str.slice(0, PREFIX[level]).to_numpy()


def _villages(n: int, lang: str) -> str:
    return counted(n, lang, "desa", "village", "villages")


class Aggregation(ABC):
    """How one layer's village table rolls up to regions."""

    @abstractmethod
    def apply(self, table: pd.DataFrame, level: str, lang: str) -> pd.DataFrame:
        """``kode, value, klass, label`` per region of ``level`` present in ``table``
        (a :class:`layers.base.LayerResult` table), sorted by code."""

    @abstractmethod
    def legend(self, village_legend: Legend) -> Legend:
        """The legend of the aggregated map, given the layer's village legend."""

    @staticmethod
    def _frame(table: pd.DataFrame, level: str) -> pd.DataFrame:
        out = table.copy()
        out["kode"] = parent_codes(out["kode_desa"], level)
        return out

    @staticmethod
    def _sorted(out: pd.DataFrame) -> pd.DataFrame:
        out = out.sort_values("kode").reset_index(drop=True)
        out["klass"] = out["klass"].astype(int)
        return out[["kode", "value", "klass", "label"]]


@dataclass(frozen=True)
class Rate(Aggregation):
    """Σ ``numerator`` / Σ ``denominator`` × ``per`` over villages with both, classed by
    ``upper_bounds`` (inclusive, as :func:`layers.classify.fixed`) in the layer's legend."""

    numerator: str
    denominator: str
    per: float
    upper_bounds: tuple[float, ...]
    unit: Text = Text("kasus", "cases")

    def apply(self, table: pd.DataFrame, level: str, lang: str) -> pd.DataFrame:
        frame = self._frame(table, level)
        # a table without the columns (no data at all: layers.base.no_data_result) has none
        missing = pd.Series(np.nan, index=frame.index)
        num = pd.to_numeric(frame.get(self.numerator, missing), errors="coerce")
        den = pd.to_numeric(frame.get(self.denominator, missing), errors="coerce")
        usable = num.notna() & (den > 0)
        frame = frame.assign(num=num.where(usable, 0.0), den=den.where(usable, 0.0),
                             known=usable.astype(int), n=1)  # fmt: skip
        grouped = frame.groupby("kode", sort=True)[["num", "den", "known", "n"]].sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(grouped["den"] > 0, grouped["num"] / grouped["den"] * self.per,
                             np.nan)  # fmt: skip
        out = grouped.reset_index().assign(value=value)
        out["klass"] = classify.fixed(out["value"], (*self.upper_bounds, float("inf")))
        per = fmt_number(self.per, lang)
        out["label"] = [
            f"{fmt_number(num, lang)} {self.unit(lang)} · "
            + (f"{fmt_number(v, lang, 2)} per {per} · " if np.isfinite(v) else "")
            + Text(f"{known} dari {_villages(n, 'id')} melapor",
                   f"{known} of {_villages(n, 'en')} reporting")(lang)
            for num, v, known, n in zip(out["num"], out["value"], out["known"], out["n"],
                                        strict=True)
        ]  # fmt: skip
        return self._sorted(out)

    def legend(self, village_legend: Legend) -> Legend:
        return village_legend


@dataclass(frozen=True)
class Share(Aggregation):
    """The share of villages with data whose class is one of ``classes``, in percentage
    classes (0 %, under 10 %, 10–25 %, 25–50 %, 50 % and more)."""

    classes: tuple[int, ...]
    #: what the counted villages are, completing "desa …" / "villages …" (e.g.
    #: "dengan peringatan" / "with an alert")
    what: Text

    def apply(self, table: pd.DataFrame, level: str, lang: str) -> pd.DataFrame:
        frame = self._frame(table, level)
        klass = frame["klass"].to_numpy()
        frame = frame.assign(hit=np.isin(klass, self.classes).astype(int),
                             known=(klass >= 0).astype(int))  # fmt: skip
        grouped = frame.groupby("kode", sort=True)[["hit", "known"]].sum().reset_index()
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(grouped["known"] > 0, grouped["hit"] / grouped["known"], np.nan)
        grouped["value"] = value
        bounds = np.asarray(SHARE_BOUNDS)
        grouped["klass"] = np.where(np.isnan(value), classify.NO_DATA,
                                    np.searchsorted(bounds, value, side="right")
                                    - (value == 0))  # fmt: skip
        grouped["label"] = [
            Text(f"{hit} dari {_villages(known, 'id')} {self.what.id}"
                 + (f" ({fmt_number(v * 100, 'id')} %)" if known else ""),
                 f"{hit} of {_villages(known, 'en')} {self.what.en}"
                 + (f" ({fmt_number(v * 100, 'en')} %)" if known else ""))(lang)
            for hit, known, v in zip(grouped["hit"], grouped["known"], value, strict=True)
        ]  # fmt: skip
        return self._sorted(grouped)

    def legend(self, village_legend: Legend) -> Legend:
        labels = [Text("0 %", "0 %"), Text("> 0 – < 10 %", "> 0 – < 10 %"),
                  Text("10 – < 25 %", "10 – < 25 %"), Text("25 – < 50 %", "25 – < 50 %"),
                  Text("≥ 50 %", "≥ 50 %")]  # fmt: skip
        title = Text(f"Persentase desa {self.what.id}", f"Share of villages {self.what.en}")
        return Legend(title=title, no_data=village_legend.no_data,
                      classes=tuple(LegendClass(c, t) for c, t in
                                    zip(SHARE_COLORS, labels, strict=True)))  # fmt: skip


@dataclass(frozen=True)
class MedianClass(Aggregation):
    """The median class of the region's villages with data (an ordinal legend), in the
    layer's own legend; the label says how many villages it summarises."""

    def apply(self, table: pd.DataFrame, level: str, lang: str) -> pd.DataFrame:
        frame = self._frame(table, level)
        known = frame[frame["klass"] >= 0]
        median = known.groupby("kode", sort=True)["klass"].median()
        frame = frame.assign(known=(frame["klass"] >= 0).astype(int), n=1)
        counts = frame.groupby("kode", sort=True)[["n", "known"]].sum()
        out = counts.join(median.rename("median")).reset_index()
        # an even count's median falls between two classes: the lower one is shown
        klass = np.floor(out["median"].to_numpy())
        out["klass"] = np.where(np.isnan(klass), classify.NO_DATA, klass).astype(int)
        out["value"] = out["median"].astype(float)
        out["label"] = [
            Text(f"Nilai tengah {_villages(known, 'id')} dengan data"
                 + (f" (dari {n})" if n != known else ""),
                 f"Median of {_villages(known, 'en')} with data"
                 + (f" (of {n})" if n != known else ""))(lang)
            for n, known in zip(out["n"], out["known"], strict=True)
        ]  # fmt: skip
        return self._sorted(out)

    def legend(self, village_legend: Legend) -> Legend:
        return Legend(title=Text(f"{village_legend.title.id} (nilai tengah desa)",
                                 f"{village_legend.title.en} (median village)"),
                      classes=village_legend.classes, no_data=village_legend.no_data)  # fmt: skip
