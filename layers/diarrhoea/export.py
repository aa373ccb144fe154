"""XLSX exports of the diarrhoea results: the alert list, the KLB signals, the scan clusters.

Each export is one workbook (returned as ``bytes``, for a download or a file) with

* a data sheet — a bold, frozen, filterable header in the chosen language (Indonesian by
  default, ``lang="en"`` for English) and one row per village in alert / signal / cluster.
  Counts and statistics are written as numbers (never text), village and region codes and
  epi weeks as text (format ``@``, so Excel never turns ``3510012001`` into a number). An
  empty cell is a missing value (NaN); an infinite ratio is written ``∞``;
* a ``Keterangan`` / ``Notes`` sheet: what the sheet holds, the rule or parameters used,
  the sentence that these are signals to verify and not a declared KLB (only the head of
  the health office declares one: Permenkes 1501/2010 Pasal 7), and the generation time;
* for the clusters, a third sheet ``Desa klaster`` / ``Cluster villages``: one row per
  village of each cluster (rank, code, name, kecamatan), ready to join to a map.

The functions take the result objects of :mod:`layers.diarrhoea.service` —
:class:`~layers.diarrhoea.alerts.Alerts`, :class:`~layers.diarrhoea.klb.KlbSignals`,
:class:`~layers.diarrhoea.scan.SpaceTimeScan` (or its list of clusters) — and optionally
the village table ``kode, nama, nama_kec`` (:func:`layers.store.queries.village_table`)
to add names.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from layers.diarrhoea.alerts import Alerts
from layers.diarrhoea.klb import CAVEAT, CRITERIA, KlbSignals
from layers.diarrhoea.rules import UNCONFIRMED
from layers.diarrhoea.scan import Cluster, SpaceTimeScan
from layers.text import Text

__all__ = ["DISEASE", "EPI_WEEK", "NOTE_SHEET", "SHEETS", "alerts_xlsx", "clusters_xlsx",
           "klb_xlsx"]  # fmt: skip

#: name of the notes sheet
NOTE_SHEET = Text("Keterangan", "Notes")
#: names of the data sheets
SHEETS = {
    "alerts": Text("Peringatan", "Alerts"),
    "klb": Text("Sinyal KLB", "KLB signals"),
    "clusters": Text("Klaster", "Clusters"),
    "cluster_villages": Text("Desa klaster", "Cluster villages"),
}
VERIFY = Text(
    "Peringatan dan sinyal ini harus diverifikasi di lapangan; ini bukan penetapan KLB. Hanya "
    "Kepala Dinas Kesehatan kabupaten/kota atau provinsi (atau Menteri) yang menetapkan KLB "
    "(Permenkes 1501/2010 Pasal 7).",
    "These alerts and signals are to be verified in the field; they are not a declared KLB "
    "(outbreak). Only the head of the district/city or provincial health office (or the "
    "Minister) declares a KLB (Permenkes 1501/2010 Art. 7).",
)
STATUS = {
    "alert": Text("peringatan", "alert"),
    "no_alert": Text("tidak ada peringatan", "no alert"),
    "no_report": Text("tidak melapor", "no report"),
    "no_baseline": Text("dasar tidak cukup", "baseline too short"),
}
RULE_KIND = {
    "fixed_count": Text("ambang tetap (kasus per minggu)", "fixed threshold (cases per week)"),
    "any_case": Text("setiap kasus", "any case"),
    "ratio_to_baseline": Text("rasio terhadap rerata minggu sebelumnya",
                              "ratio to the mean of the previous weeks"),
    "ratio_to_history": Text("rasio terhadap rerata minggu yang sama tahun-tahun sebelumnya",
                             "ratio to the mean of the same weeks of earlier years"),
    "ears_c1": Text("CDC EARS C1", "CDC EARS C1"),
    "ears_c2": Text("CDC EARS C2", "CDC EARS C2"),
    "ears_c3": Text("CDC EARS C3", "CDC EARS C3"),
}  # fmt: skip

BASELINE_SOURCE = {
    "history": Text("minggu yang sama tahun-tahun sebelumnya", "same weeks of earlier years"),
    "recent": Text("minggu-minggu sebelumnya", "previous weeks"),
    "": Text("", ""),
}
YES, NO = Text("ya", "yes"), Text("tidak", "no")
VILLAGE_CODE = Text("Kode desa", "Village code")
VILLAGE_NAME = Text("Nama desa", "Village")
KECAMATAN = Text("Kecamatan", "Kecamatan")
REGION = Text("Wilayah", "Region")
EPI_WEEK = Text("Minggu epidemiologi", "Epidemiological week")
DISEASE = Text("Penyakit", "Disease")
LEVEL = Text("Tingkat", "Level")
REASON = Text("Keterangan", "Reason")
GENERATED = Text("Dibuat", "Generated")

_BOLD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="DDEBF7")
#: number formats of the column kinds (``text``: codes and weeks, kept as text)
_FORMATS = {"text": "@", "int": "0", "float": "0.00", "p": "0.000", "ratio": "0.00",
            "label": "General"}  # fmt: skip
_WIDTHS = {"text": 16, "int": 10, "float": 12, "p": 10, "ratio": 10, "label": 24}


@dataclass(frozen=True)
class _Column:
    """One column of a data sheet: header text and kind (number format, width)."""

    header: Text
    kind: str
    width: int | None = None


def _lang(lang: str) -> str:
    if lang not in ("id", "en"):
        raise ValueError(f"lang must be 'id' or 'en', not {lang!r}")
    return lang


def _value(value: Any, kind: str) -> Any:
    """A cell value: text for codes/labels, a plain number (or None / ``∞``) otherwise."""
    if value is None:
        return None
    if kind in ("text", "label"):
        if isinstance(value, float) and math.isnan(value):
            return None
        return str(value)
    number = float(value)
    if math.isnan(number):
        return None
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    if kind == "int" and number.is_integer():
        return int(number)
    return number


def _table(ws: Worksheet, title: str, columns: Sequence[_Column],
           rows: Iterable[Sequence[Any]], lang: str) -> int:  # fmt: skip
    """Write the header and ``rows`` on ``ws``; returns the number of data rows."""
    ws.title = title
    for j, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j, value=col.header(lang))
        cell.font = _BOLD
        cell.fill = _FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        width = col.width or max(_WIDTHS[col.kind], len(col.header(lang)) + 2)
        ws.column_dimensions[get_column_letter(j)].width = width
    n = 0
    for i, row in enumerate(rows, start=2):
        n += 1
        for j, (col, value) in enumerate(zip(columns, row, strict=True), start=1):
            cell = ws.cell(row=i, column=j, value=_value(value, col.kind))
            if col.kind != "label":
                cell.number_format = _FORMATS[col.kind]
    ws.freeze_panes = "A2"
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{n + 1}"
    return n


def _notes(ws: Worksheet, lang: str, title: Text, lines: Sequence[tuple[Text, Any]],
           paragraphs: Sequence[Text] = ()) -> None:  # fmt: skip
    """The notes sheet: a title, ``label | value`` lines (empty ones left out), paragraphs
    ending with :data:`VERIFY`, and the generation time."""
    ws.title = NOTE_SHEET(lang)
    ws["A1"] = title(lang)
    ws["A1"].font = Font(bold=True, size=13)
    row = 3
    for label, value in lines:
        if value is None or value == "":
            continue
        ws.cell(row=row, column=1, value=label(lang)).font = _BOLD
        cell = ws.cell(row=row, column=2, value=_note_value(value, lang))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    row += 1
    for text in (*paragraphs, VERIFY):
        cell = ws.cell(row=row, column=1, value=text(lang))
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 15 * max(1, math.ceil(len(text(lang)) / 110))
        row += 1
    verify = ws.cell(row=row - 1, column=1)
    verify.font = Font(bold=True)
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    ws.cell(row=row + 1, column=1, value=GENERATED(lang)).font = _BOLD
    ws.cell(row=row + 1, column=2, value=now)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 90


def _note_value(value: Any, lang: str) -> Any:
    """A notes cell: a Text in ``lang``, text as text, a number as a number."""
    if isinstance(value, Text):
        return value(lang)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    return _value(value, "int" if isinstance(value, int) else "float")


def _bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _names(villages: pd.DataFrame | None) -> tuple[dict[str, str], dict[str, str]]:
    """(code → village name, code → kecamatan name) from ``kode, nama[, nama_kec]``."""
    if villages is None or villages.empty:
        return {}, {}
    codes = villages["kode"].astype(str)
    names = dict(zip(codes, villages["nama"].astype(str), strict=True))
    kec = ({} if "nama_kec" not in villages.columns else
           dict(zip(codes, villages["nama_kec"].fillna("").astype(str), strict=True)))
    return names, kec


def _with_names(columns: list[_Column], villages: pd.DataFrame | None) -> list[_Column]:
    if villages is None:
        return columns
    extra = [_Column(VILLAGE_NAME, "label")]
    if "nama_kec" in villages.columns:
        extra.append(_Column(KECAMATAN, "label", 20))
    return [columns[0], *extra, *columns[1:]]


# --------------------------------------------------------------------------- alerts


def alerts_xlsx(
    alerts: Alerts,
    lang: str = "id",
    villages: pd.DataFrame | None = None,
    *,
    only_alerts: bool = True,
    region: str | None = None,
) -> bytes:
    """The alert list of one week as an XLSX workbook.

    Parameters
    ----------
    alerts
        From :func:`~layers.diarrhoea.alerts.weekly_alerts` / ``service.alerts_for``.
    lang
        ``id`` (default) or ``en``: headers, status labels, reasons and notes.
    villages
        Optional ``kode, nama[, nama_kec]`` to add the village (and kecamatan) names.
    only_alerts
        One row per village in alert (default); False: every village with its status.
    region
        Optional name of the region, written in the notes.

    Returns
    -------
    bytes
        The workbook: sheet ``Peringatan``/``Alerts`` with ``kode_desa`` (text), cases,
        threshold, baseline mean and sd, reported / missing baseline weeks, the rule's
        statistic, status and the reason; sheet ``Keterangan``/``Notes`` with the rule.
    """
    lang = _lang(lang)
    frame = alerts.frame()
    if only_alerts:
        frame = frame[frame["alert"]]
    names, kec = _names(villages)
    columns = _with_names([
        _Column(VILLAGE_CODE, "text"),
        _Column(Text("Kasus", "Cases"), "int"),
        _Column(Text("Ambang", "Threshold"), "float"),
        _Column(Text("Rerata dasar", "Baseline mean"), "float"),
        _Column(Text("SD dasar", "Baseline SD"), "float"),
        _Column(Text("Minggu dasar melapor", "Baseline weeks reported"), "int"),
        _Column(Text("Minggu tanpa laporan", "Weeks unreported"), "int"),
        _Column(Text("Sumber dasar", "Baseline from"), "label", 24),
        _Column(Text("Statistik", "Statistic"), "ratio"),
        _Column(Text("Status", "Status"), "label", 20),
        _Column(REASON, "label", 80),
    ], villages)  # fmt: skip
    reasons = dict(zip(alerts.kode_desa, alerts.reasons(lang), strict=True))
    rows = []
    for r in frame.itertuples(index=False):
        code = str(r.kode_desa)
        named = [] if villages is None else [names.get(code)]
        if villages is not None and "nama_kec" in villages.columns:
            named.append(kec.get(code))
        rows.append([code, *named, r.observed, r.threshold, r.baseline_mean, r.baseline_sd,
                     r.baseline_weeks, r.missing_weeks,
                     BASELINE_SOURCE.get(r.baseline_source, BASELINE_SOURCE[""])(lang),
                     r.statistic, STATUS[r.status](lang) if r.status in STATUS else r.status,
                     reasons[code]])  # fmt: skip
    wb = Workbook()
    _table(wb.active, SHEETS["alerts"](lang), columns, rows, lang)
    rule = alerts.rule
    all_rows = alerts.frame()
    counts = {s: int((all_rows["status"] == s).sum()) for s in STATUS}
    baseline = ("" if alerts.baseline_first is None else
                f"{alerts.baseline_first} … {alerts.baseline_last}")  # fmt: skip
    history = ", ".join(f"{a} … {b}" for a, b in alerts.history_windows)
    lines: list[tuple[Text, Any]] = [
        (REGION, region),
        (EPI_WEEK, str(alerts.week)),
        (DISEASE, rule.penyakit),
        (Text("Aturan", "Rule"), f"{rule.jenis} — {RULE_KIND[rule.jenis](lang)}"),
        (Text("Uraian aturan", "Rule in words"), rule.describe()),
        (Text("Ambang", "Threshold (ambang)"), float(rule.ambang)),
        (Text("Minggu dasar", "Baseline weeks"), rule.minggu_dasar),
        (Text("Jendela riwayat (tahun-tahun sebelumnya)", "History windows (earlier years)"),
         history),
        (Text("Jendela dasar", "Baseline window") if not history else
         Text("Jendela dasar tanpa riwayat", "Baseline window without history"), baseline),
        (Text("Minimum kasus", "Minimum cases"), int(rule.minimum_kasus)),
        (Text("Dikonfirmasi Dinkes", "Confirmed by the health office"),
         YES if rule.terkonfirmasi else Text(f"{NO.id} ({UNCONFIRMED.id})",
                                             f"{NO.en} ({UNCONFIRMED.en})")),
        (Text("Sumber aturan", "Rule source"), rule.sumber),
        (Text("Baris", "Rows"), Text("hanya desa dengan peringatan", "villages in alert only")
         if only_alerts else Text("semua desa", "every village")),
        *[(Text(f"Desa: {STATUS[s].id}", f"Villages: {STATUS[s].en}"), counts[s])
          for s in STATUS],
    ]  # fmt: skip
    _notes(wb.create_sheet(), lang, Text("Peringatan mingguan per desa (SKDR)",
                                         "Weekly alerts per village (SKDR)"), lines, [
        Text("Ambang = jumlah kasus terkecil yang memicu peringatan minggu ini. Minggu tanpa "
             "laporan dianggap hilang, bukan nol kasus.",
             "Threshold = the smallest count that raises an alert this week. Unreported "
             "weeks are missing, not zero cases."),
    ])  # fmt: skip
    return _bytes(wb)


# --------------------------------------------------------------------------- KLB signals


def klb_xlsx(signals: KlbSignals, lang: str = "id", villages: pd.DataFrame | None = None,
             *, region: str | None = None) -> bytes:  # fmt: skip
    """The KLB signals (Permenkes 1501/2010 Pasal 6) of one week as an XLSX workbook.

    Parameters
    ----------
    signals
        From :func:`~layers.diarrhoea.klb.klb_signals` / ``service.klb_for``.
    lang
        ``id`` (default) or ``en``.
    villages
        Optional ``kode, nama[, nama_kec]``: names of the villages (``desa`` level) or of
        the kecamatan (``kec`` level, from ``kode_kec, nama_kec`` when present).
    region
        Optional name of the region, written in the notes.

    Returns
    -------
    bytes
        Sheet ``Sinyal KLB``/``KLB signals``, one row per (region, criterion) signal:
        code (text), name, level, criterion code and description, observed, comparison,
        ratio, text; sheet ``Keterangan``/``Notes`` with the parameters and the caveat.
    """
    lang = _lang(lang)
    names: dict[str, str] = {}
    if villages is not None and signals.level == "desa":
        names = _names(villages)[0]
    elif villages is not None and signals.level == "kec" and "kode_kec" in villages.columns:
        names = dict(zip(villages["kode_kec"].astype(str),
                         villages["nama_kec"].astype(str), strict=True))  # fmt: skip
    columns = [
        _Column(Text("Kode", "Code"), "text"),
        _Column(Text("Nama", "Name"), "label", 20),
        _Column(LEVEL, "label", 8),
        _Column(Text("Kriteria", "Criterion"), "label", 16),
        _Column(Text("Uraian kriteria", "Criterion description"), "label", 40),
        _Column(Text("Nilai sekarang", "Observed"), "float"),
        _Column(Text("Pembanding", "Comparison"), "float"),
        _Column(Text("Rasio", "Ratio"), "ratio"),
        _Column(Text("Keterangan", "Text"), "label", 90),
    ]
    rows = [[str(r.kode), names.get(str(r.kode)), r.level, r.kriteria,
             CRITERIA[r.kriteria](lang) if r.kriteria in CRITERIA else "", r.observed,
             r.comparison, r.ratio, text]
            for r, text in zip(signals.signals.itertuples(index=False), signals.texts(lang),
                               strict=True)]  # fmt: skip
    wb = Workbook()
    _table(wb.active, SHEETS["klb"](lang), columns, rows, lang)
    params = signals.params
    month = params.get("month")
    lines: list[tuple[Text, Any]] = [
        (REGION, region),
        (EPI_WEEK, str(signals.week)),
        (LEVEL, signals.level),
        (Text("Jumlah sinyal", "Signals"), signals.n_signals),
        *[(Text(f"Kriteria {k}", f"Criterion {k}"), v) for k, v in CRITERIA.items()],
        *[(Text(f"Parameter {k}", f"Parameter {k}"), _param(v)) for k, v in params.items()
          if k != "month"],
        (Text("Bulan (tahun-bulan)", "Month (year-month)"),
         "" if not month else f"{month[0]}-{int(month[1]):02d}"),
    ]  # fmt: skip
    status = signals.status
    for k in CRITERIA:
        if k in status.columns:
            counts = status[k].value_counts()
            shown = ", ".join(f"{s}: {int(n)}" for s, n in counts.items())
            lines.append((Text(f"Status {k}", f"Status {k}"), shown))
    _notes(wb.create_sheet(), lang, Text("Sinyal KLB (Permenkes 1501/2010 Pasal 6)",
                                         "KLB signals (Permenkes 1501/2010 Art. 6)"), lines,
           [CAVEAT])  # fmt: skip
    return _bytes(wb)


def _param(value: Any) -> Any:
    return value if isinstance(value, int | float | str) else str(value)


# --------------------------------------------------------------------------- clusters


def _cluster_dicts(clusters: SpaceTimeScan | Iterable[Cluster | Mapping[str, Any]]
                   ) -> list[dict[str, Any]]:  # fmt: skip
    items = clusters.clusters if isinstance(clusters, SpaceTimeScan) else clusters
    return [c.as_dict() if isinstance(c, Cluster) else dict(c) for c in items]


def clusters_xlsx(
    clusters: SpaceTimeScan | Iterable[Cluster | Mapping[str, Any]],
    lang: str = "id",
    villages: pd.DataFrame | None = None,
    *,
    alpha: float = 0.05,
    max_p: float | None = None,
    region: str | None = None,
    params: Mapping[str | Text, Any] | None = None,
) -> bytes:
    """The space-time scan clusters as an XLSX workbook, sorted as given (by LLR).

    Parameters
    ----------
    clusters
        A :class:`~layers.diarrhoea.scan.SpaceTimeScan` (its parameters go to the notes),
        or its clusters as :class:`~layers.diarrhoea.scan.Cluster` objects or
        ``Cluster.as_dict()`` dicts (e.g. from a browser store).
    lang
        ``id`` (default) or ``en``.
    villages
        Optional ``kode, nama[, nama_kec]``: names beside the codes.
    alpha
        Level of the ``significant`` column (``p ≤ alpha``).
    max_p
        Only the clusters with ``p ≤ max_p`` get a row (default: every cluster); ranks stay
        those of the full list.
    region
        Optional name of the region, written in the notes.
    params
        Extra ``label: value`` lines for the notes (e.g. the week, the disease, the seed);
        a label is a :class:`~layers.text.Text` or a plain string.

    Returns
    -------
    bytes
        Sheet ``Klaster``/``Clusters``: rank, number of villages, codes (text, comma
        separated), names, kecamatan, centre, radius (km), observed, expected, relative
        risk, LLR, p-value, significant, start / end week, weeks; sheet
        ``Keterangan``/``Notes``; sheet ``Desa klaster``/``Cluster villages`` (one row per
        cluster village).
    """
    lang = _lang(lang)
    items = _cluster_dicts(clusters)
    names, kec = _names(villages)
    columns = [
        _Column(Text("Peringkat", "Rank"), "int"),
        _Column(Text("Jumlah desa", "Villages (n)"), "int"),
        _Column(Text("Kode desa", "Village codes"), "text", 40),
        *([] if villages is None else [_Column(Text("Nama desa", "Village names"), "label", 40)]),
        *([] if not kec else [_Column(KECAMATAN, "label", 24)]),
        _Column(Text("Desa pusat", "Centre village"), "text"),
        _Column(Text("Radius (km)", "Radius (km)"), "float"),
        _Column(Text("Kasus teramati", "Observed"), "int"),
        _Column(Text("Kasus harapan", "Expected"), "float"),
        _Column(Text("Risiko relatif (RR)", "Relative risk (RR)"), "ratio"),
        _Column(Text("LLR", "LLR"), "float"),
        _Column(Text("Nilai p", "p-value"), "p"),
        _Column(Text(f"Signifikan (p ≤ {alpha:g})", f"Significant (p ≤ {alpha:g})"), "label",
                14),
        _Column(Text("Minggu awal", "Start week"), "text", 12),
        _Column(Text("Minggu akhir", "End week"), "text", 12),
        _Column(Text("Jumlah minggu", "Weeks"), "int"),
    ]  # fmt: skip
    rows, members = [], []
    for rank, c in enumerate(items, start=1):
        codes = [str(v) for v in c["villages"]]
        p = c.get("p_value")
        if max_p is not None and not (p is not None and p <= max_p):
            continue
        sig = "" if p is None or p != p else (YES if p <= alpha else NO)(lang)
        row: list[Any] = [rank, len(codes), ", ".join(codes)]
        if villages is not None:
            row.append(", ".join(names.get(v, "") for v in codes))
        if kec:
            row.append(", ".join(dict.fromkeys(kec[v] for v in codes if kec.get(v))))
        row += [c.get("centre"), float(c.get("radius_m", math.nan)) / 1000, c["observed"],
                c["expected"], c["relative_risk"], c["llr"], p, sig, c["start_week"],
                c["end_week"], c["n_weeks"]]  # fmt: skip
        rows.append(row)
        members += [[rank, v, names.get(v), kec.get(v)] for v in codes]
    wb = Workbook()
    _table(wb.active, SHEETS["clusters"](lang), columns, rows, lang)
    lines: list[tuple[Text, Any]] = [(REGION, region)]
    lines += [(k if isinstance(k, Text) else Text(str(k), str(k)), _param(v))
              for k, v in (params or {}).items()]  # fmt: skip
    if isinstance(clusters, SpaceTimeScan):
        scan = clusters
        lines += [
            (Text("Desa", "Villages"), len(scan.ids)),
            (Text("Minggu data", "Weeks of data"),
             f"{scan.weeks[0]} … {scan.weeks[-1]} ({len(scan.weeks)})" if scan.weeks else ""),
            (Text("Total kasus", "Total cases"), scan.total),
            (Text("Desa maksimum per lingkaran", "Most villages per circle"), scan.max_k),
            (Text("Bagian populasi maksimum", "Largest population share"), scan.max_pop_share),
            (Text("Minggu maksimum (berakhir minggu terakhir)",
                  "Most weeks (ending in the last week)"), scan.max_weeks),
            (Text("Replikasi Monte Carlo", "Monte Carlo replications"), scan.permutations),
            (Text("Jendela per data", "Windows per data set"), scan.n_windows),
        ]  # fmt: skip
    lines += [
        (Text("Jumlah klaster", "Clusters"), len(items)),
        (Text("Baris: klaster dengan p ≤", "Rows: clusters with p ≤"), max_p),
        (Text(f"Klaster signifikan (p ≤ {alpha:g})", f"Significant clusters (p ≤ {alpha:g})"),
         sum(1 for c in items if c.get("p_value") is not None and c["p_value"] <= alpha)),
    ]  # fmt: skip
    _notes(wb.create_sheet(), lang, Text("Klaster statistik pindai ruang-waktu",
                                         "Space-time scan statistic clusters"), lines, [
        Text("Statistik pindai ruang-waktu prospektif Kulldorff (model Poisson; Kulldorff "
             "1997, 2001): lingkaran desa terdekat × minggu-minggu terakhir; LLR = "
             "c·ln(c/E) + (C−c)·ln((C−c)/(C−E)) bila c > E; nilai p Monte Carlo; klaster "
             "sekunder tidak tumpang tindih dengan klaster sebelumnya.",
             "Kulldorff's prospective space-time scan statistic (Poisson model; Kulldorff "
             "1997, 2001): circles of nearest villages × the last weeks; LLR = c·ln(c/E) + "
             "(C−c)·ln((C−c)/(C−E)) when c > E; Monte Carlo p-value; secondary clusters do "
             "not overlap earlier ones."),
        Text("Kasus harapan dari jumlah penduduk (atau dari riwayat desa bila penduduk tidak "
             "ada). RR = (teramati/harapan di dalam) / (teramati/harapan di luar).",
             "Expected cases from the population (or from the village's own history when the "
             "population is missing). RR = (observed/expected inside) / (observed/expected "
             "outside)."),
    ])  # fmt: skip
    member_cols = [
        _Column(Text("Peringkat klaster", "Cluster rank"), "int"),
        _Column(VILLAGE_CODE, "text"),
        _Column(VILLAGE_NAME, "label"),
        _Column(KECAMATAN, "label", 20),
    ]
    _table(wb.create_sheet(), SHEETS["cluster_villages"](lang), member_cols, members, lang)
    return _bytes(wb)
