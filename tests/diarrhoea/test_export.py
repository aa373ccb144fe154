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
from layers.diarrhoea.klb import KlbSignals
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


def same(cell: Any, value: float) -> bool:
    """A numeric cell equals ``value`` (NaN ↔ empty, inf ↔ ∞)."""
    if value != value:
        return cell is None
    if math.isinf(value):
        return cell == "∞"
    return isinstance(cell, int | float) and cell == pytest.approx(value)


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
        assert same(row[4], ref["threshold"]) and same(row[5], ref["baseline_mean"])
        assert row[-2] == "peringatan" and row[-1] == ref["reason_id"]
    assert ws.cell(row=2, column=1).number_format == "@"

    notes = notes_text(wb["Keterangan"])
    assert alerts.rule.jenis in notes and str(WEEK) in notes
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
            assert row[0] == ref.kode and row[3] == ref.kriteria
            assert same(row[5], ref.observed) and same(row[6], ref.comparison)
            assert same(row[7], ref.ratio) and row[-1] == getattr(ref, text)
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
    assert scan.clusters and len(rows) == len(scan.clusters)
    names = villages.set_index("kode")["nama"]
    for rank, (row, c) in enumerate(zip(rows, scan.clusters, strict=True), start=1):
        assert row[col["Peringkat"]] == rank and row[col["Jumlah desa"]] == len(c.villages)
        assert row[col["Kode desa"]].split(", ") == list(c.villages)
        assert row[col["Nama desa"]].split(", ") == [names[v] for v in c.villages]
        assert row[col["Kasus teramati"]] == c.observed
        assert same(row[col["Kasus harapan"]], c.expected)
        assert same(row[col["Risiko relatif (RR)"]], c.relative_risk)
        assert same(row[col["LLR"]], c.llr) and same(row[col["Nilai p"]], c.p_value)
        assert (row[col["Minggu awal"]], row[col["Minggu akhir"]]) == (c.start_week,
                                                                        c.end_week)
    assert rows[0][col["Minggu akhir"]] == "2025-W53"
    members = body(wb["Desa klaster"])
    assert len(members) == sum(len(c.villages) for c in scan.clusters)
    assert [m[1] for m in members if m[0] == 1] == list(scan.clusters[0].villages)
    notes = notes_text(wb["Keterangan"])
    assert "bukan penetapan KLB" in notes and "Kulldorff" in notes and "49" in notes


def test_clusters_in_english_from_dicts(results: dict[str, Any]) -> None:
    scan: SpaceTimeScan = results["scan"]
    dicts = [c.as_dict() for c in scan.clusters]
    wb = book(clusters_xlsx(dicts, "en", max_p=0.05))
    assert wb.sheetnames == ["Clusters", "Notes", "Cluster villages"]
    ws = wb["Clusters"]
    assert header(ws)[:3] == ["Rank", "Villages (n)", "Village codes"]
    assert "Relative risk (RR)" in header(ws) and "p-value" in header(ws)
    assert len(body(ws)) == len(scan.significant(0.05))
    assert "not a declared KLB" in notes_text(wb["Notes"])


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
