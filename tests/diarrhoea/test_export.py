"""XLSX exports of alerts, KLB signals and scan clusters (layers.diarrhoea.export, CLI --xlsx)."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from sqlalchemy.orm import Session

from dashboard.cli import main
from layers.diarrhoea import service
from layers.diarrhoea.alerts import Alerts
from layers.diarrhoea.export import alerts_xlsx, clusters_xlsx, klb_xlsx
from layers.diarrhoea.klb import CRITERIA_SHORT, LEVEL_NAMES, KlbSignals
from layers.diarrhoea.scan import SpaceTimeScan
from layers.epiweek import EpiWeek
from layers.scope import Scope
from layers.store import queries
from tests.ingest.helpers import demo_engine

WEEK = EpiWeek.parse("2025-W53")
REGION = "99.01"


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("export")
    engine = demo_engine(folder)
    scope = Scope.of([REGION])
    with Session(engine) as session:
        out = {
            "alerts": service.alerts_for(session, scope, WEEK),
            "klb": service.klb_for(session, scope, WEEK),
            "scan": service.scan_for(session, scope, WEEK, reps=49, seed=1),
            "villages": queries.village_table(session, scope),
        }
    engine.dispose()
    out["db"] = folder / "pws.sqlite"
    return out


def book(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def header(ws: Any) -> list[str]:
    return [c.value for c in ws[1]]


def body(ws: Any) -> list[tuple[Any, ...]]:
    return list(ws.iter_rows(min_row=2, values_only=True))


def same(cell: Any, value: float, decimals: int) -> bool:
    """A numeric cell is ``value`` rounded to ``decimals`` (NaN ↔ empty, inf ↔ ∞), as a
    number, never as text."""
    if value != value:
        return cell is None
    if math.isinf(value):
        return cell == "∞"
    return isinstance(cell, int | float) and cell == pytest.approx(round(value, decimals))


def notes_text(ws: Any) -> str:
    return "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v)


def test_alerts_sheet_matches_the_alerts(results: dict[str, Any]) -> None:
    alerts: Alerts = results["alerts"]
    wb = book(alerts_xlsx(alerts, villages=results["villages"]))
    assert wb.sheetnames == ["Peringatan", "Keterangan"]
    ws = wb["Peringatan"]
    assert header(ws)[:5] == ["Kode desa", "Nama desa", "Kecamatan", "Kasus", "Ambang"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    rows = body(ws)
    frame = alerts.frame().set_index("kode_desa")
    assert alerts.n_alerts > 0 and len(rows) == alerts.n_alerts
    names = results["villages"].set_index("kode")["nama"]
    for row in rows:
        code = row[0]
        ref = frame.loc[code]
        assert ws.cell(row=2, column=1).data_type == "s" and isinstance(code, str)
        assert row[1] == names[code] and bool(ref["alert"])
        assert isinstance(row[3], int) and row[3] == ref["observed"]
        assert same(row[4], ref["threshold"], 1) and same(row[5], ref["baseline_mean"], 1)
        assert row[-2] == "peringatan" and row[-1] == ref["reason_id"]
    assert ws.cell(row=2, column=1).number_format == "@"

    notes = notes_text(wb["Keterangan"])
    assert "rasio terhadap rerata minggu yang sama" in notes and str(WEEK) in notes
    assert "bukan penetapan KLB" in notes and "Dibuat" in notes
    # the default's baseline: the same weeks of earlier years, said per village and in notes
    assert alerts.rule.describe().id in notes and "belum dikonfirmasi Dinkes" in notes
    assert "2024-W51 … 2025-W03" in notes  # the window one year before 2025-W53
    source = header(ws).index("Sumber dasar")
    assert {row[source] for row in rows} == {"minggu yang sama tahun-tahun sebelumnya"}


def test_alerts_every_village_in_english(results: dict[str, Any]) -> None:
    alerts: Alerts = results["alerts"]
    wb = book(alerts_xlsx(alerts, "en", only_alerts=False))
    assert wb.sheetnames == ["Alerts", "Notes"]
    ws = wb["Alerts"]
    assert header(ws)[:4] == ["Village code", "Cases", "Threshold", "Baseline mean"]
    rows = body(ws)
    assert [r[0] for r in rows] == list(alerts.kode_desa) and len(rows) == 250
    statuses = {r[-2] for r in rows}
    assert "alert" in statuses and statuses <= {"alert", "no alert", "no report",
                                                "baseline too short"}  # fmt: skip
    for row, reason in zip(rows, alerts.reason_en, strict=True):
        assert row[-1] == reason
    notes = notes_text(wb["Notes"])
    assert "not a declared KLB" in notes and "Generated" in notes
    assert "History windows (earlier years)" in notes and alerts.rule.describe().en in notes
    assert "no (default rule, not yet confirmed by the health office)" in notes


def test_klb_sheet_matches_the_signals(results: dict[str, Any]) -> None:
    signals: KlbSignals = results["klb"]
    assert signals.n_signals > 0
    for lang, sheet, heads in (("id", "Sinyal KLB", ["Kode", "Nama", "Tingkat", "Kriteria"]),
                               ("en", "KLB signals", ["Code", "Name", "Level", "Criterion"])):
        wb = book(klb_xlsx(signals, lang, villages=results["villages"]))
        assert wb.sheetnames == [sheet, "Keterangan" if lang == "id" else "Notes"]
        ws = wb[sheet]
        assert header(ws)[:4] == heads
        rows = body(ws)
        assert len(rows) == signals.n_signals
        text = "text_en" if lang == "en" else "text_id"
        for row, ref in zip(rows, signals.signals.itertuples(index=False), strict=True):
            assert row[0] == ref.kode and row[3] == CRITERIA_SHORT[ref.kriteria](lang)
            assert row[2] == LEVEL_NAMES["desa"](lang)
            cfr = ref.kriteria == "cfr_naik_50"  # a rate: a percent of 1 decimal
            assert same(row[5], ref.observed, 3 if cfr else 0)
            assert same(row[6], ref.comparison, 3 if cfr else 1)
            assert same(row[7], ref.ratio, 2) and row[-1] == getattr(ref, text)
    assert "bukan penetapan KLB" in notes_text(book(klb_xlsx(signals))["Keterangan"])


def test_clusters_sheet_matches_the_scan(results: dict[str, Any]) -> None:
    scan: SpaceTimeScan = results["scan"]
    villages = results["villages"]
    wb = book(clusters_xlsx(scan, villages=villages))
    assert wb.sheetnames == ["Klaster", "Keterangan", "Desa klaster"]
    ws = wb["Klaster"]
    heads = header(ws)
    assert heads[:5] == ["Peringkat", "Jumlah desa", "Kode desa", "Nama desa", "Kecamatan"]
    col = {h: i for i, h in enumerate(heads)}
    rows = body(ws)
    ranked = service.ordered_clusters(scan.clusters)  # the map's order
    assert scan.clusters and len(rows) == len(ranked)
    names = villages.set_index("kode")["nama"]
    for rank, (row, (c, significant)) in enumerate(zip(rows, ranked, strict=True), start=1):
        assert row[col["Peringkat"]] == rank and row[col["Jumlah desa"]] == len(c.villages)
        assert row[col["Kode desa"]].split(", ") == list(c.villages)
        assert row[col["Nama desa"]].split(", ") == [names[v] for v in c.villages]
        assert row[col["Kasus teramati"]] == c.observed
        assert same(row[col["Kasus harapan"]], c.expected, 1)
        assert same(row[col["Risiko relatif (RR)"]], c.relative_risk, 2)
        assert same(row[col["LLR"]], c.llr, 1) and same(row[col["Nilai p"]], c.p_value, 3)
        assert row[col["Signifikan (p < 0,05)"]] == ("ya" if significant else "tidak")
        assert (row[col["Minggu awal"]], row[col["Minggu akhir"]]) == (c.start_week,
                                                                        c.end_week)
    assert rows[0][col["Minggu akhir"]] == "2025-W53"
    members = body(wb["Desa klaster"])
    assert len(members) == sum(len(c.villages) for c in scan.clusters)
    assert [m[1] for m in members if m[0] == 1] == list(ranked[0][0].villages)
    notes = notes_text(wb["Keterangan"])
    assert "bukan penetapan KLB" in notes and "Kulldorff" in notes and "49" in notes


def test_clusters_in_english_from_dicts(results: dict[str, Any]) -> None:
    scan: SpaceTimeScan = results["scan"]
    dicts = [c.as_dict() for c in scan.clusters]
    wb = book(clusters_xlsx(dicts, "en", only_significant=True))
    assert wb.sheetnames == ["Clusters", "Notes", "Cluster villages"]
    ws = wb["Clusters"]
    assert header(ws)[:3] == ["Rank", "Villages (n)", "Village codes"]
    assert "Relative risk (RR)" in header(ws) and "p-value" in header(ws)
    assert "Significant (p < 0.05)" in header(ws)
    assert len(body(ws)) == sum(sig for _, sig in service.ordered_clusters(scan.clusters))
    assert "not a declared KLB" in notes_text(wb["Notes"])


#: clusters as a browser store holds them: p exactly 0.05, and a low p with a low LLR
STORED = [
    {"villages": ["99.01.01.2001", "99.01.01.2002"], "centre": "99.01.01.2001",
     "radius_m": 1234.5678, "observed": 40, "expected": 12.34567, "relative_risk": 3.45678,
     "llr": 25.6789, "p_value": 0.05, "start_week": "2025-W50", "end_week": "2025-W53",
     "n_weeks": 4},
    {"villages": ["99.01.02.2001"], "centre": "99.01.02.2001", "radius_m": 0.0,
     "observed": 9, "expected": 2.04999, "relative_risk": 4.44444, "llr": 7.04999,
     "p_value": 0.0123456, "start_week": "2025-W53", "end_week": "2025-W53", "n_weeks": 1},
]  # fmt: skip


def test_cluster_numbers_rounded_like_the_screen_with_number_formats() -> None:
    """Expected 1 decimal, RR 2, LLR 1, p 3 (``fmt_number(p, lang, 3)`` on the map), each a
    number with the matching number format; significant as on the map (p < 0.05), in its
    words; ranked as on the map (by p-value first)."""
    for lang, heading, yes, no in (("id", "Signifikan (p < 0,05)", "ya", "tidak"),
                                   ("en", "Significant (p < 0.05)", "yes", "no")):
        wb = book(clusters_xlsx(STORED, lang))
        ws = wb.worksheets[0]
        col = {h: i + 1 for i, h in enumerate(header(ws))}
        expected, rr, llr, p = (col[h] for h in (
            ("Kasus harapan", "Risiko relatif (RR)", "LLR", "Nilai p") if lang == "id" else
            ("Expected", "Relative risk (RR)", "LLR", "p-value")))  # fmt: skip
        first, second = (list(ws.iter_rows(min_row=r, max_row=r))[0] for r in (2, 3))
        assert first[col[heading] - 1].value == yes and second[col[heading] - 1].value == no
        want = {expected: (2.0, "0.0"), rr: (4.44, "0.00"), llr: (7.0, "0.0"),
                p: (0.012, "0.000")}
        for j, (number, fmt) in want.items():
            cell = first[j - 1]
            assert cell.data_type == "n" and cell.value == pytest.approx(number), (j, cell.value)
            assert cell.number_format == fmt
        assert second[p - 1].value == pytest.approx(0.05)  # p = 0.05 is not significant
        assert second[expected - 1].value == pytest.approx(12.3)
        assert second[rr - 1].value == pytest.approx(3.46)
        assert second[llr - 1].value == pytest.approx(25.7)
        notes = notes_text(wb.worksheets[1])
        assert ("Klaster signifikan (p < 0,05)" if lang == "id" else
                "Significant clusters (p < 0.05)") in notes  # fmt: skip


def test_alert_and_klb_numbers_are_rounded_numbers(results: dict[str, Any]) -> None:
    ws = book(alerts_xlsx(results["alerts"], "en", only_alerts=False)).worksheets[0]
    col = {h: i for i, h in enumerate(header(ws))}
    formats = {"Threshold": "0.0", "Baseline mean": "0.0", "Baseline SD": "0.0",
               "Statistic": "0.00", "Cases": "0"}
    for row in ws.iter_rows(min_row=2):
        for name, fmt in formats.items():
            cell = row[col[name]]
            if cell.value is None or cell.value == "∞":
                continue
            assert cell.data_type == "n" and cell.number_format == fmt
            decimals = len(fmt.partition(".")[2])
            assert cell.value == round(cell.value, decimals)
    ws = book(klb_xlsx(results["klb"], "en")).worksheets[0]
    kinds = {r.kriteria for r in results["klb"].signals.itertuples()}
    assert "cfr_naik_50" in kinds  # the demo has one: a rate among counts
    for row in ws.iter_rows(min_row=2):
        cfr = row[3].value == CRITERIA_SHORT["cfr_naik_50"]("en")
        assert row[5].number_format == ("0.0%" if cfr else "0")
        assert row[7].value == "∞" or row[7].number_format == "0.00"


def test_bad_language(results: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="lang"):
        alerts_xlsx(results["alerts"], "fr")


@pytest.mark.parametrize("command", [
    ("alerts",), ("klb",), ("scan", "--reps", "19", "--seed", "1"),
])  # fmt: skip
def test_cli_writes_a_workbook(results: dict[str, Any], tmp_path: Path,
                               command: tuple[str, ...]) -> None:  # fmt: skip
    out = tmp_path / f"{command[0]}.xlsx"
    env = {"PWS_DATABASE_URL": f"sqlite:///{results['db']}"}
    runner = CliRunner()
    args = [*command, "--region", REGION, "--week", str(WEEK), "--lang", "en",
            "--xlsx", str(out)]  # fmt: skip
    res = runner.invoke(main, args, env=env)
    assert res.exit_code == 0, res.output
    wb = load_workbook(out)
    first = {"alerts": "Alerts", "klb": "KLB signals", "scan": "Clusters"}[command[0]]
    assert wb.sheetnames[:2] == [first, "Notes"]
    assert len(body(wb[first])) >= 1
    assert wb[first]["A1"].font.bold and wb[first].freeze_panes == "A2"

    bad = runner.invoke(main, [*args[:-1], str(tmp_path / "x.csv")], env=env)
    assert bad.exit_code == 2 and "xlsx" in bad.output
