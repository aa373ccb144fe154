"""What the import page shows of a file: its preview, the check's report, the result.

Pure rendering of :mod:`dashboard.pages.impor`: a table's first rows (or why it cannot be
read), the validation report (counts, mapped columns, notes, every problem) and what a
finished import wrote — in words (:mod:`layers.ingest.wording`), never table names or
count codes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dash import dcc, html

from dashboard.i18n import t
from layers.ingest import wording
from layers.ingest.problems import COLUMN, MESSAGE, ROW, VALUE, ImportReport, Rejected
from layers.ingest.readers import MAX_BYTES, read_table

PREVIEW_ROWS = 10
#: files read by :func:`read_table` (the rest, e.g. boundaries, get no preview)
TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")


def _table(header: list[str], rows: list[list[Any]], table_id: str, cls: str = "") -> html.Table:
    return html.Table([
        html.Thead(html.Tr([html.Th(h) for h in header])),
        html.Tbody([html.Tr([html.Td("" if v is None else str(v)) for v in row])
                    for row in rows]),  # fmt: skip
    ], id=table_id, className=f"pws-table {cls}".strip())


def _problems_list(problems: list[dict[str, Any]], lang: str) -> html.Table:
    keys = (ROW(lang), COLUMN(lang), VALUE(lang), MESSAGE(lang))  # Problem.to_dict(lang)
    header = [t("impor.col.row", lang), t("impor.col.column", lang),
              t("impor.col.value", lang), t("impor.col.message", lang)]  # fmt: skip
    rows = [[p.get(k) for k in keys] for p in problems]
    return _table(header, rows, "impor-problems", "pws-problems")


def preview(path: Path, name: str, lang: str) -> list:
    """The first rows of an uploaded table, or why it cannot be read."""
    head = [html.H3(t("impor.preview.title", lang)), html.P(name, className="pws-hint")]
    if path.suffix.lower() not in TABLE_SUFFIXES:
        return [*head, html.P(t("impor.preview.none", lang), className="pws-hint")]
    try:
        table = read_table(path, max_bytes=MAX_BYTES)
    except Rejected as rejected:
        return [*head, _problems_list([p.to_dict(lang) for p in rejected.problems], lang)]
    frame = table.frame
    first = frame.head(PREVIEW_ROWS)
    rows = [[int(table.rows.iloc[i]), *first.iloc[i].tolist()] for i in range(len(first))]
    return [
        *head,
        html.P(t("impor.preview.count", lang, shown=len(first), total=len(frame)),
               className="pws-hint"),
        html.Div(_table([t("impor.col.row", lang), *map(str, frame.columns)], rows,
                        "impor-preview-table"), className="pws-scroll"),
        *[html.P(n(lang), className="pws-hint") for n in table.notes],
    ]


def report_view(report: ImportReport, lang: str) -> list:
    """The validation report: counts, mapped columns, notes and every problem."""
    data = report.to_dict(lang)
    ok = report.ok
    verdict = t("impor.report.ok" if ok else "impor.report.bad", lang,
                problems=data["problem_count"])  # fmt: skip
    out: list = [
        html.H3(t("impor.report.title", lang)),
        html.P(verdict, id="impor-verdict",
               className="pws-ok" if ok else "pws-bad"),
        html.P(t("impor.report.counts", lang, total=data["rows_total"], ok=data["rows_ok"],
                 rejected=data["rows_rejected"]), id="impor-counts"),  # fmt: skip
    ]
    if data["mapped_columns"]:
        out.append(html.Details([
            html.Summary(t("impor.report.mapped", lang)),
            _table([t("impor.col.file", lang), t("impor.col.field", lang)],
                   [[k, v] for k, v in data["mapped_columns"].items()], "impor-mapped"),
        ], open=True))
    if data["notes"]:
        out.append(html.Ul([html.Li(n) for n in data["notes"]], id="impor-notes"))
    if data["problems"]:
        out.append(html.Div(_problems_list(data["problems"], lang), className="pws-scroll"))
        hidden = data["problem_count"] - len(data["problems"])
        if hidden > 0:
            out.append(html.P(t("impor.report.more", lang, n=hidden), className="pws-hint"))
    return out


def result_view(report: ImportReport, lang: str) -> list:
    """What a finished import wrote, with the way back to the map."""
    if not report.ok or report.impor_id is None:
        return report_view(report, lang)
    written = wording.written(report.written, lang)
    return [
        html.P(t("impor.result.done", lang, id=report.impor_id, file=report.file),
               id="impor-done", className="pws-ok"),
        html.P(t("impor.result.written", lang, written=written or "0"), id="impor-written"),
        dcc.Link(t("impor.result.to_map", lang), href=f"/?lang={lang}", id="impor-to-map"),
    ]
