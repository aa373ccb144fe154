"""XLSX exports of the Pustu planner: the ranked list of villages and a plan.

Each export is one workbook (``bytes``, for a download or a file) in the chosen language
(Indonesian by default):

* a data sheet with a bold, frozen, filterable header: the ranked villages
  (:func:`ranking_xlsx`), or the plan's villages in order (:func:`plan_xlsx`) followed by a
  sheet of the villages it newly serves. Codes are text (format ``@``: Excel never turns
  ``35.10.01.2001`` into a number); populations, people served, weeks and distances are
  numbers, never strings (distances in km, two decimals); an empty cell is a missing value
  (no population figure, no case data, no active Pustu / Puskesmas in the region);
* a ``Keterangan`` / ``Notes`` sheet: the region, that distances are **straight-line, not
  travel time**, the distance option, whether a Puskesmas serves its village, the solver
  (and for a plan its figures — sites, people newly served, coverage, time, the
  greedy/optimal gap — as numbers), the villages without population, the generation time.

Examples
--------
>>> import io, numpy as np, pandas as pd
>>> from openpyxl import load_workbook
>>> from scipy import sparse
>>> from layers.pustu.planner import Instance, greedy
>>> from layers.pustu.ranking import PlanningData, rank
>>> inst = Instance(sparse.csc_matrix(np.eye(2)), np.array([10.0, 20.0]),
...                 village_codes=["35.10.01.2001", "35.10.01.2002"],
...                 site_codes=["35.10.01.2001", "35.10.01.2002"])
>>> v = pd.DataFrame({"kode": inst.village_codes, "nama": ["A", "B"], "kode_kec": "35.10.01",
...     "nama_kec": "K", "penduduk": [10.0, 20.0], "jarak_pustu_m": np.inf,
...     "jarak_puskesmas_m": 1234.0, "pustu_rencana": 0})
>>> data = PlanningData(inst, v, np.arange(2), 5000.0, True)
>>> book = load_workbook(io.BytesIO(ranking_xlsx(rank(data), data, "en", "Contoh")))
>>> [[c.value for c in row] for row in book["Ranking"].iter_rows(max_col=6)]
[['Rank', 'Village code', 'Village', 'Kecamatan', 'Population', 'People newly served'], \
[1, '35.10.01.2002', 'B', 'K', 20, 20], [2, '35.10.01.2001', 'A', 'K', 10, 10]]
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from layers.pustu.planner import Plan
from layers.pustu.ranking import ALERT_WEEKS, PlanningData
from layers.text import Text

NOTE_SHEET = Text("Keterangan", "Notes")
SHEETS = {"ranking": Text("Peringkat", "Ranking"), "plan": Text("Rencana", "Plan"),
          "served": Text("Desa terlayani baru", "Newly served villages")}  # fmt: skip
STRAIGHT = Text(
    "Jarak adalah jarak garis lurus dari titik berpenduduk desa (bukan waktu tempuh di jalan, "
    "sungai atau laut), dalam km, diukur di zona UTM masing-masing desa.",
    "Distances are straight lines from each village's populated point (not travel time over "
    "roads, rivers or sea), in km, measured in each village's UTM zone.",
)
SERVED_RULE = Text(
    "Desa terlayani bila ada Pustu aktif atau terpilih di desa itu atau dalam {km} km.",
    "A village is served when an active or chosen Pustu is in it or within {km} km.",
)
PKM_YES = Text("Desa dengan Puskesmas dihitung terlayani.",
               "A village with a Puskesmas counts as served.")
PKM_NO = Text("Desa dengan Puskesmas tidak dihitung terlayani karenanya.",
              "A Puskesmas does not make its village count as served.")
EMPTY = Text(
    "Sel kosong: tidak ada data (penduduk, kasus) atau tidak ada Pustu aktif / Puskesmas di "
    "wilayah ini.",
    "An empty cell: no data (population, cases) or no active Pustu / Puskesmas in the region.",
)
SCOPE_EDGE = Text(
    "Hanya fasilitas di wilayah ini yang dihitung; desa di tepi wilayah mungkin dilayani "
    "Pustu di seberang batas.",
    "Only facilities inside the region count; a village at its edge may be served by a "
    "Pustu across the border.",
)
RANK_METHOD = Text(
    "Urutan: serakah (greedy) — tiap desa melayani penduduk baru terbanyak setelah desa di "
    "atasnya; lalu desa yang jangkauannya sudah terlayani, terjauh dari Pustu aktif dulu.",
    "Order: greedy — each village newly serves the most people after those above it; then "
    "the villages whose reach is served already, farthest from an active Pustu first.",
)
SOLVERS = {
    "greedy": Text("serakah (greedy malas, Minoux) — paling sedikit 63 % dari optimum",
                   "greedy (lazy, Minoux) — at least 63 % of the optimum"),
    "highs": Text("optimal: MCLP sebagai MILP, HiGHS (highspy)",
                  "optimal: MCLP as a MILP, HiGHS (highspy)"),
    "spopt": Text("optimal: MCLP PySAL spopt, HiGHS (PuLP)",
                  "optimal: PySAL spopt MCLP, HiGHS (PuLP)"),
}  # fmt: skip
YES, NO = Text("ya", "yes"), Text("tidak", "no")
GENERATED = Text("Dibuat", "Generated")
REGION = Text("Wilayah", "Region")
SOLVER = Text("Metode", "Method")
NO_POP = Text("Desa tanpa data penduduk (tidak dihitung)",
              "Villages without population data (not counted)")

_BOLD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="DDEBF7")
#: kind → (number format, decimals); ``text``/``label`` are written as text
_KINDS: dict[str, tuple[str, int | None]] = {"text": ("@", None), "label": ("General", None),
                                             "int": ("0", 0), "km": ("0.00", 2),
                                             "pct": ("0.0", 1), "s": ("0.000", 3)}  # fmt: skip


@dataclass(frozen=True)
class _Col:
    header: Text
    kind: str
    width: int = 14


def _lang(lang: str) -> str:
    if lang not in ("id", "en"):
        raise ValueError(f"lang must be 'id' or 'en', not {lang!r}")
    return lang


def _cell(raw: Any, kind: str) -> Any:
    """Text for codes and labels; a rounded number otherwise; None when missing/infinite."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    if kind in ("text", "label"):
        return str(raw)
    number = float(raw)
    if not math.isfinite(number):
        return None
    decimals = _KINDS[kind][1]
    return int(round(number)) if decimals == 0 else round(number, decimals)


def _sheet(ws: Worksheet, title: str, cols: Sequence[_Col], rows: Iterable[Sequence[Any]],
           lang: str) -> int:  # fmt: skip
    ws.title = title
    for j, col in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=j, value=col.header(lang))
        cell.font, cell.fill = _BOLD, _FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(j)].width = col.width
    n = 0
    for i, row in enumerate(rows, start=2):
        n += 1
        for j, (col, raw) in enumerate(zip(cols, row, strict=True), start=1):
            cell = ws.cell(row=i, column=j, value=_cell(raw, col.kind))
            cell.number_format = _KINDS[col.kind][0]
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{n + 1}"
    return n


def _notes(ws: Worksheet, lang: str, pairs: Sequence[tuple[Text, Any]],
           lines: Sequence[Text]) -> None:  # fmt: skip
    """Key/value rows (values as numbers where they are numbers), then sentences."""
    ws.title = NOTE_SHEET(lang)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 44, 60
    r = 1
    for key, value in pairs:
        ws.cell(row=r, column=1, value=key(lang)).font = _BOLD
        ws.cell(row=r, column=2, value=value(lang) if isinstance(value, Text) else value)
        r += 1
    for line in lines:
        r += 1
        ws.cell(row=r, column=1, value=line(lang)).alignment = Alignment(wrap_text=False)


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _common(data: PlanningData, region: str, lang: str) -> tuple[list, list]:
    km = data.distance_m / 1000.0
    pairs = [(REGION, region), (Text("Jarak layanan (km)", "Service distance (km)"), km),
             (Text("Puskesmas melayani desanya", "A Puskesmas serves its village"),
              YES if data.puskesmas_serves else NO),
             (NO_POP, data.no_population),
             (GENERATED, dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))]  # fmt: skip
    kms = f"{km:g}".replace(".", ",") if lang == "id" else f"{km:g}"
    lines = [STRAIGHT, SERVED_RULE.format(km=kms),
             PKM_YES if data.puskesmas_serves else PKM_NO, SCOPE_EDGE, EMPTY]  # fmt: skip
    return pairs, lines


def _km(metres: Any) -> float:
    return float(metres) / 1000.0


RANK_COLS = [
    _Col(Text("Urut", "Rank"), "int", 7), _Col(Text("Kode desa", "Village code"), "text", 16),
    _Col(Text("Nama desa", "Village"), "label", 22), _Col(Text("Kecamatan", "Kecamatan"),
                                                          "label", 18),
    _Col(Text("Penduduk", "Population"), "int", 11),
    _Col(Text("Penduduk terlayani baru", "People newly served"), "int", 13),
    _Col(Text("Jangkauan sendiri", "Reach alone"), "int", 12),
    _Col(Text("Desa terlayani baru", "Villages newly served"), "int", 11),
    _Col(Text("Jarak ke Pustu aktif (km)", "To an active Pustu (km)"), "km", 12),
    _Col(Text("Jarak ke Puskesmas (km)", "To a Puskesmas (km)"), "km", 12),
    _Col(Text(f"Minggu peringatan diare ({ALERT_WEEKS} mgg)",
              f"Diarrhoea alert weeks ({ALERT_WEEKS} wk)"), "int", 12),
    _Col(Text("Pustu rencana", "Pustu planned"), "label", 9),
    _Col(Text("Alasan", "Reasons"), "label", 90),
]  # fmt: skip


def ranking_xlsx(ranked: pd.DataFrame, data: PlanningData, lang: str = "id",
                 region: str = "", top: int | None = None) -> bytes:  # fmt: skip
    """The ranked list (:func:`layers.pustu.ranking.rank`) as XLSX; ``top``: only the first
    ``top`` villages."""
    lang = _lang(lang)
    shown = ranked if top is None else ranked.head(top)
    book = Workbook()
    rows = ([r.urut, r.kode_desa, r.nama, r.nama_kec, r.penduduk, r.tambahan, r.jangkauan,
             r.desa_baru, _km(r.jarak_pustu_m), _km(r.jarak_puskesmas_m), r.minggu_peringatan,
             (YES if r.pustu_rencana else NO)(lang),
             r.alasan_en if lang == "en" else r.alasan_id]
            for r in shown.itertuples(index=False))  # fmt: skip
    _sheet(book.active, SHEETS["ranking"](lang), RANK_COLS, rows, lang)
    pairs, lines = _common(data, region, lang)
    pairs.insert(1, (SOLVER, SOLVERS["greedy"]))
    _notes(book.create_sheet(), lang, pairs, [RANK_METHOD, *lines])
    return _bytes(book)


PLAN_COLS = [
    _Col(Text("Urut", "Order"), "int", 7), _Col(Text("Kode desa", "Village code"), "text", 16),
    _Col(Text("Nama desa", "Village"), "label", 22),
    _Col(Text("Kecamatan", "Kecamatan"), "label", 18),
    _Col(Text("Penduduk", "Population"), "int", 11),
    _Col(Text("Penduduk terlayani baru", "People newly served"), "int", 13),
    _Col(Text("Jarak ke Pustu aktif (km)", "To an active Pustu (km)"), "km", 12),
    _Col(Text("Jarak ke Puskesmas (km)", "To a Puskesmas (km)"), "km", 12),
]  # fmt: skip
SERVED_COLS = [
    _Col(Text("Kode desa", "Village code"), "text", 16),
    _Col(Text("Nama desa", "Village"), "label", 22),
    _Col(Text("Kecamatan", "Kecamatan"), "label", 18),
    _Col(Text("Penduduk", "Population"), "int", 11),
    _Col(Text("Dilayani Pustu baru di (kode desa)", "Served by the new Pustu in (code)"),
         "text", 18),
]  # fmt: skip


def newly_served(plan: Plan, data: PlanningData) -> pd.DataFrame:
    """The villages a plan newly serves: ``kode, nama, nama_kec, penduduk, oleh`` (the code
    of the first village of the plan, in order, whose Pustu reaches it)."""
    inst = data.instance
    served = inst.base_served.copy()
    rows, by = [], []
    for j, code in zip(plan.sites, plan.codes, strict=True):
        col = inst.column(j)
        new = col[~served[col]]
        served[col] = True
        rows += new.tolist()
        by += [code] * len(new)
    v = data.villages.iloc[rows]
    return pd.DataFrame({"kode": v["kode"].to_numpy(), "nama": v["nama"].to_numpy(),
                         "nama_kec": v["nama_kec"].to_numpy(),
                         "penduduk": v["penduduk"].to_numpy(dtype=float), "oleh": by})


def plan_xlsx(plan: Plan, data: PlanningData, lang: str = "id", region: str = "",
              name: str | None = None) -> bytes:  # fmt: skip
    """A plan (:class:`~layers.pustu.planner.Plan` on ``data``) as XLSX: its villages in
    order, the villages it newly serves, and its figures on the notes sheet."""
    lang = _lang(lang)
    v = data.villages
    where = pd.Index(v["kode"])
    chosen = v.iloc[where.get_indexer(list(plan.codes))] if plan.codes else v.iloc[:0]
    book = Workbook()
    rows = ([k, r.kode, r.nama, r.nama_kec, r.penduduk, gain, _km(r.jarak_pustu_m),
             _km(r.jarak_puskesmas_m)]
            for k, (r, gain) in enumerate(zip(chosen.itertuples(index=False), plan.gains,
                                              strict=True), start=1))  # fmt: skip
    _sheet(book.active, SHEETS["plan"](lang), PLAN_COLS, rows, lang)
    served = newly_served(plan, data)
    _sheet(book.create_sheet(), SHEETS["served"](lang), SERVED_COLS,
           served[["kode", "nama", "nama_kec", "penduduk", "oleh"]].itertuples(index=False),
           lang)  # fmt: skip
    pairs, lines = _common(data, region, lang)
    figures = [
        (Text("Nama rencana", "Plan name"), name or ""),
        (SOLVER, SOLVERS.get(plan.solver, Text(plan.solver, plan.solver))),
        (Text("Optimal terbukti", "Proven optimal"), YES if plan.optimal else NO),
        (Text("Pustu baru diminta", "New Pustu asked for"), plan.requested),
        (Text("Pustu baru dipilih", "New Pustu chosen"), len(plan.sites)),
        (Text("Penduduk terlayani baru", "People newly served"), plan.newly_served),
        (Text("Penduduk terlayani sebelumnya", "People served before"), plan.base_served),
        (Text("Penduduk terlayani", "People served"), plan.total_served),
        (Text("Penduduk seluruhnya", "Population"), plan.population),
        (Text("Cakupan penduduk (%)", "Population coverage (%)"),
         _cell(plan.coverage_pct, "pct")),
        (Text("Batas atas terlayani baru", "Upper bound on people newly served"), plan.bound),
        (Text("Waktu hitung (detik)", "Solver time (seconds)"), _cell(plan.seconds, "s")),
    ]  # fmt: skip
    if plan.greedy_newly_served is not None:
        figures += [(Text("Terlayani baru, greedy", "Newly served, greedy"),
                     plan.greedy_newly_served),
                    (Text("Selisih greedy/optimal (%)", "Greedy/optimal gap (%)"),
                     _cell(100 * (plan.gap or 0.0), "pct"))]  # fmt: skip
    if len(plan.sites) < plan.requested:
        lines = [Text("Pustu lain tidak menambah penduduk terlayani pada jarak ini.",
                      "Further Pustu would serve nobody new at this distance."), *lines]
    _notes(book.create_sheet(), lang, [pairs[0], *figures, *pairs[1:]], lines)
    return _bytes(book)


__all__ = ["NOTE_SHEET", "SHEETS", "newly_served", "plan_xlsx", "ranking_xlsx"]
