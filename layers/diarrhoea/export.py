"""XLSX exports of the diarrhoea results: the alert list, the KLB signals, the scan clusters.

Each export is one workbook (returned as ``bytes``, for a download or a file) with

* a data sheet — a bold, frozen, filterable header in the chosen language (Indonesian by
  default, ``lang="en"`` for English) and one row per village in alert / signal / cluster.
  Counts and statistics are numbers, rounded as the screen shows them and given a number
  format (:mod:`layers.diarrhoea.export_book`): counts whole, expected counts, thresholds
  and means 1 decimal, relative risks and ratios 2, LLR 1, p-values 3, a CFR as a percent.
  Codes and weeks are text. Statuses, levels and criteria are words, never codes;
* a ``Keterangan`` / ``Notes`` sheet: what the sheet holds, the rule or parameters used,
  the sentence that these are signals to verify and not a declared KLB (only the head of
  the health office declares one: Permenkes 1501/2010 Pasal 7), and the generation time;
* for the clusters, a third sheet ``Desa klaster`` / ``Cluster villages``: one row per
  village of each cluster (rank, code, name, kecamatan), ready to join to a map.

The clusters are ranked and called significant as the map's cluster table does
(:func:`layers.diarrhoea.service.ordered_clusters`: by p-value, then LLR; significant when
p < alpha, :data:`~layers.diarrhoea.service.ALPHA`), with the screen's wording.

The functions take the result objects of :mod:`layers.diarrhoea.service` —
:class:`~layers.diarrhoea.alerts.Alerts`, :class:`~layers.diarrhoea.klb.KlbSignals`,
:class:`~layers.diarrhoea.scan.SpaceTimeScan` (or its list of clusters) — and optionally
the village table ``kode, nama, nama_kec`` (:func:`layers.store.queries.village_table`)
to add names.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook

from layers.diarrhoea import service
from layers.diarrhoea.alerts import BASELINE_NAMES, STATUS_NAMES, Alerts
from layers.diarrhoea.export_book import (
    DISEASE,
    EPI_WEEK,
    KECAMATAN,
    KLB_PARAMS,
    LEVEL,
    NO,
    NOTE_SHEET,
    REASON,
    REGION,
    SHEETS,
    VILLAGE_CODE,
    VILLAGE_NAME,
    YES,
    Cell,
    Column,
    check_lang,
    names,
    notes,
    table,
    with_names,
    workbook_bytes,
)
from layers.diarrhoea.klb import (
    CAVEAT,
    CRITERIA,
    CRITERIA_SHORT,
    LEVEL_NAMES,
    KlbSignals,
)
from layers.diarrhoea.klb import STATUS_NAMES as KLB_STATUS_NAMES
from layers.diarrhoea.rules import KIND_NAMES, UNCONFIRMED, bilingual
from layers.diarrhoea.scan import Cluster, SpaceTimeScan
from layers.text import Text, fmt_number

__all__ = ["DISEASE", "EPI_WEEK", "NOTE_SHEET", "SHEETS", "alerts_xlsx", "clusters_xlsx",
           "klb_xlsx", "significance"]  # fmt: skip

#: the map's wording of a significant cluster (``scan.summary`` in dashboard/i18n.py)
SIGNIFICANT = Text("Signifikan (p < {alpha})", "Significant (p < {alpha})")
SIGNIFICANT_N = Text("Klaster signifikan (p < {alpha})", "Significant clusters (p < {alpha})")


def _alpha(alpha: float, lang: str) -> str:
    """``0,05`` / ``0.05``: the level as the screen writes it."""
    decimals = max(2, len(f"{alpha:g}".partition(".")[2]))
    return fmt_number(alpha, lang, decimals)


def significance(alpha: float, lang: str) -> str:
    """The heading of the significance column: ``Signifikan (p < 0,05)``."""
    return SIGNIFICANT(lang).format(alpha=_alpha(alpha, lang))


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
    lang = check_lang(lang)
    frame = alerts.frame()
    if only_alerts:
        frame = frame[frame["alert"]]
    village, kec = names(villages)
    columns = with_names([
        Column(VILLAGE_CODE, "text"),
        Column(Text("Kasus", "Cases"), "int"),
        Column(Text("Ambang", "Threshold"), "dec1"),
        Column(Text("Rerata dasar", "Baseline mean"), "dec1"),
        Column(Text("SD dasar", "Baseline SD"), "dec1"),
        Column(Text("Minggu dasar melapor", "Baseline weeks reported"), "int"),
        Column(Text("Minggu tanpa laporan", "Weeks unreported"), "int"),
        Column(Text("Sumber dasar", "Baseline from"), "label", 24),
        Column(Text("Statistik", "Statistic"), "dec2"),
        Column(Text("Status", "Status"), "label", 20),
        Column(REASON, "label", 80),
    ], villages)  # fmt: skip
    reasons = dict(zip(alerts.kode_desa, alerts.reasons(lang), strict=True))
    rows = []
    for r in frame.itertuples(index=False):
        code = str(r.kode_desa)
        named = [] if villages is None else [village.get(code)]
        if villages is not None and "nama_kec" in villages.columns:
            named.append(kec.get(code))
        rows.append([code, *named, r.observed, r.threshold, r.baseline_mean, r.baseline_sd,
                     r.baseline_weeks, r.missing_weeks,
                     BASELINE_NAMES.get(r.baseline_source, BASELINE_NAMES[""])(lang),
                     r.statistic, STATUS_NAMES[r.status](lang), reasons[code]])  # fmt: skip
    wb = Workbook()
    table(wb.active, SHEETS["alerts"](lang), columns, rows, lang)
    rule = alerts.rule
    all_rows = alerts.frame()
    counts = {s: int((all_rows["status"] == s).sum()) for s in STATUS_NAMES}
    baseline = ("" if alerts.baseline_first is None else
                f"{alerts.baseline_first} … {alerts.baseline_last}")  # fmt: skip
    history = ", ".join(f"{a} … {b}" for a, b in alerts.history_windows)
    lines: list[tuple[Text, Any]] = [
        (REGION, region),
        (EPI_WEEK, str(alerts.week)),
        (DISEASE, rule.penyakit),
        (Text("Aturan", "Rule"), Text(f"{KIND_NAMES[rule.jenis].id} ({rule.jenis})",
                                      f"{KIND_NAMES[rule.jenis].en} ({rule.jenis})")),
        (Text("Uraian aturan", "Rule in words"), rule.describe()),
        (Text("Ambang", "Threshold"), float(rule.ambang)),
        (Text("Minggu dasar", "Baseline weeks"), rule.minggu_dasar),
        (Text("Jendela riwayat (tahun-tahun sebelumnya)", "History windows (earlier years)"),
         history),
        (Text("Jendela dasar", "Baseline window") if not history else
         Text("Jendela dasar tanpa riwayat", "Baseline window without history"), baseline),
        (Text("Minimum kasus", "Minimum cases"), int(rule.minimum_kasus)),
        (Text("Dikonfirmasi Dinkes", "Confirmed by the health office"),
         YES if rule.terkonfirmasi else Text(f"{NO.id} ({UNCONFIRMED.id})",
                                             f"{NO.en} ({UNCONFIRMED.en})")),
        (Text("Sumber aturan", "Rule source"), bilingual(rule.sumber)),
        (Text("Baris", "Rows"), Text("hanya desa dengan peringatan", "villages in alert only")
         if only_alerts else Text("semua desa", "every village")),
        *[(Text(f"Desa: {name.id}", f"Villages: {name.en}"), counts[s])
          for s, name in STATUS_NAMES.items()],
    ]  # fmt: skip
    notes(wb.create_sheet(), lang, Text("Peringatan mingguan per desa (SKDR)",
                                        "Weekly alerts per village (SKDR)"), lines, [
        Text("Ambang = jumlah kasus terkecil yang memicu peringatan minggu ini. Minggu tanpa "
             "laporan dianggap hilang, bukan nol kasus.",
             "Threshold = the smallest count that raises an alert this week. Unreported "
             "weeks are missing, not zero cases."),
    ])  # fmt: skip
    return workbook_bytes(wb)


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
        code (text), name, level, criterion (short name) and description, observed,
        comparison (counts; a CFR as a percent), ratio, text; sheet ``Keterangan``/``Notes``
        with the parameters and the caveat.
    """
    lang = check_lang(lang)
    found: dict[str, str] = {}
    if villages is not None and signals.level == "desa":
        found = names(villages)[0]
    elif villages is not None and signals.level == "kec" and "kode_kec" in villages.columns:
        found = dict(zip(villages["kode_kec"].astype(str),
                         villages["nama_kec"].astype(str), strict=True))  # fmt: skip
    columns = [
        Column(Text("Kode", "Code"), "text"),
        Column(Text("Nama", "Name"), "label", 20),
        Column(LEVEL, "label", 12),
        Column(Text("Kriteria", "Criterion"), "label", 16),
        Column(Text("Uraian kriteria", "Criterion description"), "label", 40),
        Column(Text("Nilai sekarang", "Observed"), "int"),
        Column(Text("Pembanding", "Comparison"), "dec1"),
        Column(Text("Rasio", "Ratio"), "dec2"),
        Column(Text("Keterangan", "Text"), "label", 90),
    ]
    level = LEVEL_NAMES[signals.level](lang)
    rows = []
    for r, text in zip(signals.signals.itertuples(index=False), signals.texts(lang),
                       strict=True):  # fmt: skip
        cfr = r.kriteria == "cfr_naik_50"
        rows.append([str(r.kode), found.get(str(r.kode)), level,
                     CRITERIA_SHORT[r.kriteria](lang), CRITERIA[r.kriteria](lang),
                     Cell(r.observed, "percent") if cfr else r.observed,
                     Cell(r.comparison, "percent") if cfr else r.comparison, r.ratio,
                     text])  # fmt: skip
    wb = Workbook()
    table(wb.active, SHEETS["klb"](lang), columns, rows, lang)
    params = signals.params
    month = params.get("month")
    lines: list[tuple[Text, Any]] = [
        (REGION, region),
        (EPI_WEEK, str(signals.week)),
        (LEVEL, LEVEL_NAMES[signals.level]),
        (Text("Jumlah sinyal", "Signals"), signals.n_signals),
        *[(Text(f"Kriteria: {CRITERIA_SHORT[k].id}", f"Criterion: {CRITERIA_SHORT[k].en}"), v)
          for k, v in CRITERIA.items()],
        *[(KLB_PARAMS[k], Cell(v, "percent") if k == "min_year_coverage" else v)
          for k, v in params.items() if k in KLB_PARAMS],
        (Text("Bulan (tahun-bulan)", "Month (year-month)"),
         "" if not month else f"{month[0]}-{int(month[1]):02d}"),
    ]  # fmt: skip
    status = signals.status
    for k in CRITERIA:
        if k in status.columns:
            counts = status[k].value_counts()
            shown = Text(*(", ".join(f"{KLB_STATUS_NAMES[s](lang)}: {int(n)}"
                                     for s, n in counts.items()) for lang in ("id", "en")))
            lines.append((Text(f"Status: {CRITERIA_SHORT[k].id}",
                               f"Status: {CRITERIA_SHORT[k].en}"), shown))  # fmt: skip
    notes(wb.create_sheet(), lang, Text("Sinyal KLB (Permenkes 1501/2010 Pasal 6)",
                                        "KLB signals (Permenkes 1501/2010 Art. 6)"), lines,
          [CAVEAT])  # fmt: skip
    return workbook_bytes(wb)


# --------------------------------------------------------------------------- clusters


def _as_cluster(c: Cluster | Mapping[str, Any]) -> Cluster:
    if isinstance(c, Cluster):
        return c
    fields = ("villages", "centre", "radius_m", "observed", "expected", "relative_risk",
              "llr", "p_value", "start_week", "end_week", "n_weeks")  # fmt: skip
    return Cluster(indices=np.empty(0, dtype=int),
                   **{k: c.get(k, math.nan) for k in fields})  # type: ignore[arg-type]


def clusters_xlsx(
    clusters: SpaceTimeScan | Iterable[Cluster | Mapping[str, Any]],
    lang: str = "id",
    villages: pd.DataFrame | None = None,
    *,
    alpha: float = service.ALPHA,
    only_significant: bool = False,
    region: str | None = None,
    params: Mapping[str | Text, Any] | None = None,
) -> bytes:
    """The space-time scan clusters as an XLSX workbook, ranked as the map ranks them.

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
        Level of the ``significant`` column (p < alpha, as on the map).
    only_significant
        Only the significant clusters get a row (default: every cluster); ranks stay
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
    lang = check_lang(lang)
    items = clusters.clusters if isinstance(clusters, SpaceTimeScan) else clusters
    ranked = service.ordered_clusters([_as_cluster(c) for c in items], alpha)
    village, kec = names(villages)
    columns = [
        Column(Text("Peringkat", "Rank"), "int"),
        Column(Text("Jumlah desa", "Villages (n)"), "int"),
        Column(Text("Kode desa", "Village codes"), "text", 40),
        *([] if villages is None else [Column(Text("Nama desa", "Village names"), "label", 40)]),
        *([] if not kec else [Column(KECAMATAN, "label", 24)]),
        Column(Text("Desa pusat", "Centre village"), "text"),
        Column(Text("Radius (km)", "Radius (km)"), "dec1"),
        Column(Text("Kasus teramati", "Observed"), "int"),
        Column(Text("Kasus harapan", "Expected"), "dec1"),
        Column(Text("Risiko relatif (RR)", "Relative risk (RR)"), "dec2"),
        Column(Text("LLR", "LLR"), "dec1"),
        Column(Text("Nilai p", "p-value"), "p"),
        Column(Text(significance(alpha, "id"), significance(alpha, "en")), "label", 16),
        Column(Text("Minggu awal", "Start week"), "text", 12),
        Column(Text("Minggu akhir", "End week"), "text", 12),
        Column(Text("Jumlah minggu", "Weeks"), "int"),
    ]  # fmt: skip
    rows, members = [], []
    for rank, (c, significant) in enumerate(ranked, start=1):
        if only_significant and not significant:
            continue
        codes = [str(v) for v in c.villages]
        p = float(c.p_value)
        row: list[Any] = [rank, len(codes), ", ".join(codes)]
        if villages is not None:
            row.append(", ".join(village.get(v, "") for v in codes))
        if kec:
            row.append(", ".join(dict.fromkeys(kec[v] for v in codes if kec.get(v))))
        row += [None if c.centre is None else str(c.centre), float(c.radius_m) / 1000,
                c.observed, c.expected, c.relative_risk, c.llr, p,
                "" if p != p else (YES if significant else NO)(lang), str(c.start_week),
                str(c.end_week), c.n_weeks]  # fmt: skip
        rows.append(row)
        members += [[rank, v, village.get(v), kec.get(v)] for v in codes]
    wb = Workbook()
    table(wb.active, SHEETS["clusters"](lang), columns, rows, lang)
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
            (Text("Bagian populasi maksimum", "Largest population share"),
             Cell(scan.max_pop_share, "percent")),
            (Text("Minggu maksimum (berakhir minggu terakhir)",
                  "Most weeks (ending in the last week)"), scan.max_weeks),
            (Text("Replikasi Monte Carlo", "Monte Carlo replications"), scan.permutations),
            (Text("Jendela per data", "Windows per data set"), scan.n_windows),
        ]  # fmt: skip
    lines += [
        (Text("Jumlah klaster", "Clusters"), len(ranked)),
        (Text("Baris", "Rows"), Text("hanya klaster signifikan", "significant clusters only")
         if only_significant else Text("semua klaster", "every cluster")),
        (Text(*(SIGNIFICANT_N(x).format(alpha=_alpha(alpha, x)) for x in ("id", "en"))),
         sum(significant for _, significant in ranked)),
    ]  # fmt: skip
    notes(wb.create_sheet(), lang, Text("Klaster statistik pindai ruang-waktu",
                                        "Space-time scan statistic clusters"), lines, [
        Text("Statistik pindai ruang-waktu prospektif Kulldorff (model Poisson; Kulldorff "
             "1997, 2001): lingkaran desa terdekat × minggu-minggu terakhir; LLR = "
             "c·ln(c/E) + (C−c)·ln((C−c)/(C−E)) bila c > E; nilai p Monte Carlo; klaster "
             "sekunder tidak tumpang tindih dengan klaster sebelumnya. Urutan dan "
             "signifikansi seperti di peta: menurut nilai p, lalu LLR.",
             "Kulldorff's prospective space-time scan statistic (Poisson model; Kulldorff "
             "1997, 2001): circles of nearest villages × the last weeks; LLR = c·ln(c/E) + "
             "(C−c)·ln((C−c)/(C−E)) when c > E; Monte Carlo p-value; secondary clusters do "
             "not overlap earlier ones. Ranked and called significant as on the map: by "
             "p-value, then LLR."),
        Text("Kasus harapan dari jumlah penduduk (atau dari riwayat desa bila penduduk tidak "
             "ada). RR = (teramati/harapan di dalam) / (teramati/harapan di luar).",
             "Expected cases from the population (or from the village's own history when the "
             "population is missing). RR = (observed/expected inside) / (observed/expected "
             "outside)."),
    ])  # fmt: skip
    member_cols = [
        Column(Text("Peringkat klaster", "Cluster rank"), "int"),
        Column(VILLAGE_CODE, "text"),
        Column(VILLAGE_NAME, "label"),
        Column(KECAMATAN, "label", 20),
    ]
    table(wb.create_sheet(), SHEETS["cluster_villages"](lang), member_cols, members, lang)
    return workbook_bytes(wb)


def _param(value: Any) -> Any:
    return value if isinstance(value, int | float | str | Text) else str(value)
