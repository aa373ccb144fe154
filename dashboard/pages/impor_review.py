"""Village names on the import page: the table of proposed matches and the confirmations.

When a file names villages instead of coding them (:mod:`layers.ingest.villages`), the check
writes the review file (``tinjauan``) into the upload's own server-side folder and this
module shows its rows as a table: the name and kecamatan as written, the proposed village,
score, method, the candidates and a "setuju" checkbox. The browser sends back only which
rows are ticked and which of the offered candidates is picked (by row number of the review
file); every pick is checked against the review file the server wrote, and the confirmation
file (``konfirmasi``) is written beside it by the server. Checks and the import of that
upload then pass it as the ``konfirmasi`` option.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dash import dcc, html

from dashboard.i18n import t
from layers.ingest import run as ingest_run
from layers.ingest import villages

#: file names inside an upload's folder; ``+`` never occurs in a saved upload's name
#: (``jobs.save_upload`` replaces it), so they cannot overwrite the upload itself
REVIEW_NAME = "pws+tinjauan.csv"
CONFIRM_NAME = "pws+konfirmasi.csv"
#: a candidate as :meth:`villages.Candidate.label` writes it into ``catatan``
_CANDIDATE = re.compile(r"(?:^|;\s*)(?P<nama>[^;]+?) \((?P<kode>[0-9.]+), Kec\. [^;]*?, \d+\)")
_AMBIGUOUS = "AMBIGU"
HIDDEN = {"display": "none"}
SHOWN = {"display": "block"}


@dataclass(frozen=True)
class Paths:
    """The review and confirmation files of one upload."""

    review: Path
    confirm: Path


def paths(upload: dict[str, Any]) -> Paths:
    folder = Path(upload["path"]).parent
    return Paths(folder / REVIEW_NAME, folder / CONFIRM_NAME)


def options(p: Paths, *, check: bool) -> dict[str, str]:
    """Importer options: the review file for a check (none for the import itself), and the
    confirmations when there are any."""
    out = {"tinjauan": str(p.review) if check else ""}
    if p.confirm.is_file():
        out["konfirmasi"] = str(p.confirm)
    return out


def _sha(path: Path) -> str | None:
    return ingest_run.sha256_of(path) if path.is_file() else None


def confirm_sha(p: Paths) -> str | None:
    """The fingerprint of the confirmations a check used (None: there are none)."""
    return _sha(p.confirm)


@dataclass
class Row:
    """One proposal of the review file, as the server wrote it."""

    index: int
    nama_desa: str
    nama_kec: str
    kode: str
    nama: str
    skor: str
    metode: str
    auto: bool
    ambiguous: bool
    candidates: list[tuple[str, str]] = field(default_factory=list)

    @property
    def allowed(self) -> set[str]:
        return {k for k, _ in self.candidates}


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [{k: (v or "").strip() for k, v in r.items() if k} for r in csv.DictReader(f)]


def read_review(path: Path) -> list[Row]:
    """The rows of a review file; each row's choices are its proposal and candidates."""
    rows = []
    for i, r in enumerate(_read(path)):
        note = r.get("catatan", "")
        kode, nama = r.get("kode_desa_usulan", ""), r.get("nama_usulan", "")
        found = [(m["kode"], m.group(0).lstrip("; ").strip())
                 for m in _CANDIDATE.finditer(note.split(": ", 1)[-1] if note.startswith(
                     _AMBIGUOUS) else note)]  # fmt: skip
        choices = [(kode, next((lbl for k, lbl in found if k == kode), f"{nama} ({kode})"))]
        choices = [c for c in choices if c[0]]
        choices += [c for c in found if c[0] not in {k for k, _ in choices}]
        rows.append(Row(i, r.get("nama_desa", ""), r.get("nama_kec", ""), kode, nama,
                        r.get("skor", ""), r.get("metode", ""),
                        r.get("setuju", "").casefold() in villages.YES,
                        note.startswith(_AMBIGUOUS), choices))  # fmt: skip
    return rows


def _confirmed(p: Paths) -> dict[tuple[str, str], str]:
    """pair key -> code of the rows ticked in the confirmation file."""
    if not p.confirm.is_file():
        return {}
    return {villages.pair_key(r.get("nama_desa"), r.get("nama_kec")): r.get("kode_desa_usulan", "")
            for r in _read(p.confirm)
            if r.get("setuju", "").casefold() in villages.YES}  # fmt: skip


def write_confirmations(p: Paths, shown: str | None, ticks: dict[int, bool],
                        picks: dict[int, Any]) -> int | None:  # fmt: skip
    """Write the confirmation file from the browser's ticks and picks; the number of names
    approved, or None when the review file is not the one the browser showed.

    A pick that is not among the choices the review file offers for that row is ignored
    (the row keeps its proposal), so no code the server did not offer can get in.
    """
    if shown is None or _sha(p.review) != shown:
        return None
    rows = read_review(p.review)
    approved = 0
    with open(p.confirm, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(villages.REVIEW_COLUMNS)
        for row in rows:
            pick = picks.get(row.index)
            kode = pick if isinstance(pick, str) and pick in row.allowed else row.kode
            ok = row.auto or bool(ticks.get(row.index))
            approved += int(ok and not row.auto)
            writer.writerow([row.nama_desa, row.nama_kec, kode, "", row.skor, row.metode,
                             "ya" if ok else "", ""])  # fmt: skip
    return approved


def _method(row: Row, lang: str) -> str:
    known = row.metode in villages.METHODS
    text = t(f"impor.review.method.{row.metode}", lang) if known else row.metode
    return f"{text} · {t('impor.review.ambiguous', lang)}" if row.ambiguous else text


def _row(row: Row, confirmed: dict[tuple[str, str], str], lang: str) -> html.Tr:
    earlier = confirmed.get(villages.pair_key(row.nama_desa, row.nama_kec))
    chosen = earlier if earlier in row.allowed else row.kode
    ticked = row.auto or earlier in row.allowed
    pick: Any = t("impor.review.no_candidates", lang)
    if row.candidates:
        pick = dcc.RadioItems(
            id={"type": "impor-review-pick", "row": row.index}, value=chosen,
            options=[{"label": label, "value": kode} for kode, label in row.candidates],
            className="pws-review-pick",
        )
    box = dcc.Checklist(
        id={"type": "impor-review-ok", "row": row.index}, value=["ya"] if ticked else [],
        options=[{"label": t("impor.review.ok", lang), "value": "ya",
                  "disabled": row.auto or not row.candidates}],
    )  # fmt: skip
    proposal = f"{row.nama} ({row.kode})" if row.kode else "–"
    cells = [row.nama_desa, row.nama_kec or "–", proposal, row.skor, _method(row, lang)]
    return html.Tr([*[html.Td(c) for c in cells], html.Td(pick), html.Td(box)],
                   id=f"impor-review-row-{row.index}",
                   className="pws-review-auto" if row.auto else "pws-review-open")  # fmt: skip


def view(p: Paths, lang: str) -> tuple[list, str | None, dict[str, str]]:
    """The review table (children, review file fingerprint, style); empty when the check
    wrote no review file."""
    if not p.review.is_file():
        return [], None, HIDDEN
    rows = read_review(p.review)
    confirmed = _confirmed(p)
    rows.sort(key=lambda r: r.auto)  # the names to confirm first
    header = [t(f"impor.review.col.{c}", lang)
              for c in ("desa", "kec", "proposal", "score", "method", "candidates", "ok")]
    table = html.Table([
        html.Thead(html.Tr([html.Th(h) for h in header])),
        html.Tbody([_row(r, confirmed, lang) for r in rows]),
    ], id="impor-review-table", className="pws-table pws-review")  # fmt: skip
    open_rows = sum(not r.auto for r in rows)
    return [
        html.H3(t("impor.review.title", lang)),
        html.P(t("impor.review.hint", lang, n=open_rows, total=len(rows)), className="pws-hint"),
        html.Div(table, className="pws-scroll"),
    ], _sha(p.review), SHOWN


def by_row(values: list | None, ids: list | None) -> dict[int, Any]:
    """Pattern-matching values keyed by the ``row`` of their ids."""
    return {i["row"]: v for v, i in zip(values or [], ids or [], strict=False)
            if isinstance(i, dict) and isinstance(i.get("row"), int)}  # fmt: skip


def confirmation(ok: list | None, ok_ids: list | None, pick: list | None,
                 pick_ids: list | None, shown: str | None) -> tuple[dict, dict, str | None]:
    """The browser's ticks and picks (by review row) and the review fingerprint it showed."""
    ticks = {row: bool(v) for row, v in by_row(ok, ok_ids).items()}
    return ticks, by_row(pick, pick_ids), shown


def saved_message(approved: int | None, lang: str) -> html.P:
    if approved is None:
        return html.P(t("impor.review.stale", lang), id="impor-review-msg", className="pws-bad")
    return html.P(t("impor.review.saved", lang, n=approved), id="impor-review-msg",
                  className="pws-hint")  # fmt: skip
