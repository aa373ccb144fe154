"""XLSX exports of kader competency: the kader with their levels, and the gaps with the
training priority (``pws kader levels --xlsx``, ``pws kader gaps --xlsx``).

Each export is one workbook (``bytes``, for a download or a file) in the chosen language
(Indonesian by default):

* :func:`levels_xlsx` — one row per kader: code, posyandu, village code and name, active,
  level, the skill groups held whole, the assessment date and whether it is stale;
* :func:`gaps_xlsx` — the villages with kader data (active kader, level mix of the active
  kader, kader per posyandu, the skill codes no active kader holds, the people those gaps
  leave unserved and the priority rank), the same per posyandu (with the norm), the
  training priority per Puskesmas (:attr:`~layers.kader.priority.TrainingPriority.skills`);

and a ``Keterangan`` / ``Notes`` sheet: the region, the level rule's file and its levels,
the stale age, the norm, how the gaps are weighed (the target population of the skill's
group, else the village population) and the generation time.

The cells follow the other exports (the pieces are :mod:`layers.diarrhoea.export_book`'s):
a bold, frozen, filterable header; codes as text (format ``@``: Excel never turns
``35.10.01.2001`` into a number), dates as ISO text, counts and people as numbers, never
strings; an empty cell is a missing value (no population figure, no gap to rank) — never 0.
:func:`kader_frame`, :func:`village_frame` and :func:`posyandu_frame` are the rows both
the workbooks and the command line write.

Examples
--------
>>> import datetime as dt, io
>>> import pandas as pd
>>> from openpyxl import load_workbook
>>> from layers.kader.gaps import compute
>>> from layers.kader.roster import from_frames
>>> from layers.kader.skills import SkillBook
>>> book = SkillBook.shipped()
>>> kader = pd.DataFrame({"kode": ["a", "b"], "kode_desa": "35.10.01.2001",
...     "posyandu_id": pd.NA, "posyandu_nama": "Mawar", "aktif": [True, False],
...     "tanggal_asesmen": pd.to_datetime(["2025-01-02", None])})
>>> passed = pd.DataFrame({"kode": "a", "keterampilan": list(book.codes[:17])})
>>> gaps = compute(from_frames(kader, passed, book), today=dt.date(2025, 6, 1))
>>> wb = load_workbook(io.BytesIO(levels_xlsx(gaps, "en", "Contoh")))
>>> [[c.value for c in row] for row in wb["Kader"].iter_rows(max_col=7)]
[['Kader code', 'Posyandu', 'Village code', 'Village', 'Active', 'Level', \
'Complete groups'], ['a', 'Mawar', '35.10.01.2001', None, 'yes', 'Purwa', 'PP BB IH'], \
['b', 'Mawar', '35.10.01.2001', None, 'no', 'No level yet', None]]
>>> wb.sheetnames, wb["Kader"]["C2"].number_format
(['Kader', 'Notes'], '@')
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from layers.diarrhoea.export_book import (
    GENERATED,
    NO,
    NOTE_SHEET,
    REGION,
    VILLAGE_CODE,
    VILLAGE_NAME,
    YES,
    Column,
    check_lang,
    names,
    table,
    workbook_bytes,
)
from layers.kader.gaps import NO_NAME, KaderGaps
from layers.kader.priority import NO_PUSKESMAS, TrainingPriority
from layers.kader.strata import StrataRule
from layers.text import Text

__all__ = ["NOTE_SHEET", "SHEETS", "gaps_xlsx", "kader_frame", "levels_xlsx",
           "posyandu_frame", "village_frame"]  # fmt: skip

SHEETS = {
    "kader": Text("Kader", "Kader"),
    "villages": Text("Desa", "Villages"),
    "posyandu": Text("Posyandu", "Posyandu"),
    "training": Text("Prioritas pelatihan", "Training priority"),
}
#: the placeholders of :mod:`layers.kader.gaps` and :mod:`~layers.kader.priority` (stored in
#: Indonesian, as the frames carry them) in both languages
UNNAMED = Text(NO_NAME, "(no posyandu named)")
NO_PKM = Text(NO_PUSKESMAS, "(no Puskesmas)")
#: how a village's gaps were weighed (``TrainingPriority.villages.bobot``)
WEIGHTS = {"kelompok": Text("sasaran kelompok", "group target population"),
           "penduduk": Text("seluruh penduduk desa", "whole village population")}  # fmt: skip

KADER_CODE = Text("Kode kader", "Kader code")
POSYANDU = Text("Posyandu", "Posyandu")
ACTIVE = Text("Aktif", "Active")
LEVEL = Text("Strata", "Level")
COMPLETE = Text("Kelompok lengkap", "Complete groups")
COMPLETE_N = Text("Jumlah kelompok lengkap", "Number of complete groups")
DATE = Text("Tanggal asesmen", "Assessment date")
STALE = Text("Asesmen usang", "Stale assessment")
RANK = Text("Peringkat", "Rank")
KADER = Text("Kader", "Kader")
ACTIVE_KADER = Text("Kader aktif", "Active kader")
MISSING_N = Text("Keterampilan kurang", "Skills missing")
MISSING = Text("Kode keterampilan kurang", "Missing skill codes")
UNSERVED = Text("Sasaran tak terlayani", "People unserved")
STALE_N = Text("Asesmen usang (kader aktif)", "Stale assessments (active kader)")
NO_DATE_N = Text("Tanpa tanggal asesmen (kader aktif)", "No assessment date (active kader)")

RULE_FILE = Text("File aturan strata", "Level rule file")
STALE_AGE = Text("Asesmen usang setelah (bulan)", "Assessment stale after (months)")
STALE_FROM = Text("Usang bila sebelum", "Stale when before")
NORM = Text("Norma kader aktif per posyandu", "Norm of active kader per posyandu")
ONE_OF = Text("{n} dari {groups}", "{n} of {groups}")
RULE_WORDS = Text("Strata dihitung dari kelompok keterampilan yang dimiliki lengkap (bukan "
                  "dari jumlah keterampilan); kader yang tidak memenuhi strata mana pun belum "
                  "berstrata.",
                  "Levels come from the skill groups a kader holds whole (not from a count of "
                  "skills); a kader meeting no level has no level yet.")  # fmt: skip
STALE_WORDS = Text("Asesmen usang tetap dihitung; hanya ditandai. Asesmen tanpa tanggal tidak "
                   "dinilai usang (sel kosong).",
                   "Stale assessments still count; they are only marked. An assessment "
                   "without a date is not judged (an empty cell).")  # fmt: skip
ACTIVE_WORDS = Text("Hanya kader aktif yang dihitung: keterampilan dimiliki posyandu atau desa "
                    "bila setidaknya satu kader aktifnya lulus; kader tidak aktif terdaftar "
                    "tetapi tidak memiliki apa pun.",
                    "Only active kader count: a posyandu or village holds a skill when at "
                    "least one of its active kader passed it; inactive kader are listed but "
                    "hold nothing.")  # fmt: skip
NO_DATA_WORDS = Text("Desa tanpa data kader tidak ada di daftar: tidak ada data, bukan nol. "
                     "Posyandu di desa dengan data kader tetapi tanpa kader sendiri kurang "
                     "semua keterampilan.",
                     "Villages without kader data are not listed: no data, not zero. A "
                     "posyandu of a village with kader data but no kader of its own lacks "
                     "every skill.")  # fmt: skip
WEIGHT_WORDS = Text(
    "Bobot kesenjangan: penduduk sasaran kelompok keterampilan di desa (bila file penduduk "
    "melaporkan setiap kolom kelompok, menurut pemetaan kelompok ke kolom penduduk yang dapat "
    "diubah dinas), selain itu seluruh "
    "penduduk desa, dibagi rata antar posyandu desa itu. Tanpa angka penduduk sel kosong dan "
    "peringkatnya terakhir.",
    "Gaps are weighted by the target population of the skill's group in the village (when "
    "the population file reports every group column, by the office's editable mapping of "
    "groups to population columns), "
    "else by the whole village population, shared equally among the village's posyandu. "
    "Without a population figure the cell is empty and ranked last.",
)
TRAINING_WORDS = Text(
    "Prioritas pelatihan: per Puskesmas (induk posyandu, selain itu Puskesmas pertama di "
    "kecamatannya), keterampilan diurutkan menurut penduduk yang terjangkau bila setiap "
    "posyandu yang kurang mendapat satu kader terlatih.",
    "Training priority: per Puskesmas (the posyandu's parent, else the first Puskesmas of "
    "its kecamatan), the skills ranked by the people reached when every posyandu lacking "
    "them gets one trained kader.",
)
EMPTY_WORDS = Text("Sel kosong: tidak ada data (tanggal asesmen, penduduk, nama desa) atau "
                   "tidak ada kesenjangan untuk diberi peringkat.",
                   "An empty cell: no data (assessment date, population, village name) or "
                   "no gap to rank.")  # fmt: skip


def _missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA (lists and text are values)."""
    if isinstance(value, list | tuple):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _clean(value: Any) -> Any:
    """A value as the workbook pieces take it: None for any kind of missing."""
    return None if _missing(value) else value


def _name(value: Any, placeholder: Text, lang: str) -> Any:
    """A stored name, its placeholder (no name) said in ``lang``."""
    if _missing(value):
        return None
    text = str(value)
    return text.replace(placeholder.id, placeholder(lang)) if placeholder.id in text else text


def _codes(codes: Sequence[str]) -> str | None:
    return " ".join(codes) if len(codes) else None


def _yes(value: Any, lang: str) -> str | None:
    return None if _missing(value) else (YES if value else NO)(lang)


# --------------------------------------------------------------------------- frames


def kader_frame(gaps: KaderGaps, villages: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per kader: ``kode, posyandu`` (the grouping key), ``posyandu_nama,
    kode_desa, nama_desa`` (None without ``villages``: ``kode, nama``), ``aktif, level``
    (0..), ``level_key, kelompok_lengkap`` (group codes), ``tanggal_asesmen`` (a date or
    None), ``stale`` (None without a date)."""
    k = gaps.kader
    pos = dict(zip(gaps.posyandu["posyandu"], gaps.posyandu["nama"], strict=True))
    village, _ = names(villages)
    groups = gaps.book.groups
    complete = k[[f"complete_{g}" for g in groups]].to_numpy(bool)
    dates = pd.to_datetime(k["tanggal_asesmen"])
    keys = gaps.rule.keys
    return pd.DataFrame({
        "kode": k["kode"].astype(str), "posyandu": k["posyandu"],
        "posyandu_nama": [pos.get(p, NO_NAME) for p in k["posyandu"]],
        "kode_desa": k["kode_desa"].astype(str),
        "nama_desa": [village.get(str(c)) for c in k["kode_desa"]],
        "aktif": k["aktif"].astype(bool), "level": k["level"].astype(int),
        "level_key": [keys[int(v)] for v in k["level"]],
        "kelompok_lengkap": [[g for g, held in zip(groups, row, strict=True) if held]
                             for row in complete],
        "tanggal_asesmen": [None if pd.isna(d) else d.date() for d in dates],
        "stale": [None if pd.isna(d) else bool(s) for d, s in zip(dates, k["stale"],
                                                                  strict=True)],
    })  # fmt: skip


def village_frame(gaps: KaderGaps, priority: TrainingPriority) -> pd.DataFrame:
    """:attr:`KaderGaps.villages` with ``missing`` (the skill codes no active kader holds),
    ``nama_desa, sasaran`` (people the gaps leave unserved), ``bobot, peringkat`` (Int64,
    NA without a gap) of the priority; in rank order, villages without a gap last by code."""
    v = gaps.villages.assign(missing=gaps.missing_lists("villages"))
    ranked = priority.villages[["kode_desa", "nama_desa", "sasaran", "bobot", "peringkat"]]
    out = v.merge(ranked, on="kode_desa", how="left", validate="one_to_one")
    out["peringkat"] = out["peringkat"].astype("Int64")
    return out.sort_values(["peringkat", "kode_desa"], na_position="last",
                           kind="stable").reset_index(drop=True)  # fmt: skip


def posyandu_frame(gaps: KaderGaps, priority: TrainingPriority) -> pd.DataFrame:
    """:attr:`KaderGaps.posyandu` with ``missing``, ``below_norm`` (active kader under the
    norm), ``nama_desa``, ``sasaran`` (0 without a gap: nobody unserved; NaN without a
    population figure) and ``peringkat`` (Int64, NA without a gap); in rank order, posyandu
    without a gap last by village and name."""
    p = gaps.posyandu.assign(missing=gaps.missing_lists("posyandu"),
                             below_norm=gaps.posyandu["kader_aktif"] < gaps.norm)  # fmt: skip
    ranked = priority.posyandu[["posyandu", "sasaran", "peringkat"]]
    out = p.merge(ranked, on="posyandu", how="left", validate="one_to_one")
    out["sasaran"] = out["sasaran"].where(out["kurang"] > 0, 0.0)
    out["peringkat"] = out["peringkat"].astype("Int64")
    village = dict(zip(priority.villages["kode_desa"], priority.villages["nama_desa"],
                       strict=True))  # fmt: skip
    out["nama_desa"] = [_clean(village.get(c)) for c in out["kode_desa"]]
    return out.sort_values(["peringkat", "kode_desa", "nama"], na_position="last",
                           kind="stable").reset_index(drop=True)  # fmt: skip


# --------------------------------------------------------------------------- notes


def _rule_lines(rule: StrataRule) -> list[tuple[Text, Text]]:
    """Each level in words: ``PP, BB + 1 dari IH, UR, DL``."""
    out = []
    for s in rule.strata:
        required = ", ".join(s.wajib)
        more = ONE_OF.format(n=s.jumlah_pilihan, groups=", ".join(s.pilihan))
        said = (Text(f"{required} + {more.id}", f"{required} + {more.en}")
                if s.jumlah_pilihan else Text(required, required))  # fmt: skip
        out.append((Text(f"{LEVEL.id} {s.label.id}", f"{LEVEL.en} {s.label.en}"), said))
    return out


def _notes(ws: Worksheet, lang: str, title: Text, lines: Sequence[tuple[Text, Any]],
           paragraphs: Sequence[Text]) -> None:  # fmt: skip
    """A title, ``label | value`` rows (a Text said in ``lang``, a number as a number),
    then the sentences, then the generation time."""
    ws.title = NOTE_SHEET(lang)
    ws["A1"] = title(lang)
    ws["A1"].font = Font(bold=True, size=13)
    at = 3
    for label, shown in [*lines, (GENERATED, dt.datetime.now().astimezone().isoformat(
            timespec="seconds"))]:  # fmt: skip
        ws.cell(row=at, column=1, value=label(lang)).font = Font(bold=True)
        said = shown(lang) if isinstance(shown, Text) else _clean(shown)
        ws.cell(row=at, column=2, value=said).alignment = Alignment(horizontal="left")
        at += 1
    for text in paragraphs:
        at += 1
        cell = ws.cell(row=at, column=1, value=text(lang))
        ws.merge_cells(start_row=at, start_column=1, end_row=at, end_column=2)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[at].height = 15 * max(1, math.ceil(len(text(lang)) / 100))
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 70


def _common(gaps: KaderGaps, region: str) -> list[tuple[Text, Any]]:
    stale_from = (pd.Timestamp(gaps.today) - pd.DateOffset(months=gaps.stale_months)).date()
    return [(REGION, region), (RULE_FILE, gaps.rule.source), *_rule_lines(gaps.rule),
            (STALE_AGE, gaps.stale_months), (STALE_FROM, stale_from.isoformat())]


def _level_columns(rule: StrataRule) -> list[Column]:
    """One count column per level (0 first) of the active kader."""
    return [Column(Text(f"{rule.name(i, 'id')} (kader aktif)",
                        f"{rule.name(i, 'en')} (active kader)"), "int")
            for i in range(len(rule.keys))]  # fmt: skip


# --------------------------------------------------------------------------- workbooks

LEVEL_COLS = [
    Column(KADER_CODE, "text", 20), Column(POSYANDU, "label"), Column(VILLAGE_CODE, "text"),
    Column(VILLAGE_NAME, "label"), Column(ACTIVE, "label", 8), Column(LEVEL, "label", 16),
    Column(COMPLETE, "text", 18), Column(COMPLETE_N, "int"), Column(DATE, "text", 14),
    Column(STALE, "label", 10),
]  # fmt: skip


def levels_xlsx(gaps: KaderGaps, lang: str = "id", region_name: str = "",
                villages: pd.DataFrame | None = None) -> bytes:  # fmt: skip
    """Every kader of ``gaps`` with its level as XLSX (see the module doc); ``villages``
    (``kode, nama``) adds the village names."""
    lang = check_lang(lang)
    frame = kader_frame(gaps, villages)
    rows = ([r.kode, _name(r.posyandu_nama, UNNAMED, lang), r.kode_desa, r.nama_desa,
             _yes(r.aktif, lang), gaps.rule.name(r.level, lang), _codes(r.kelompok_lengkap),
             len(r.kelompok_lengkap),
             None if r.tanggal_asesmen is None else r.tanggal_asesmen.isoformat(),
             _yes(r.stale, lang)] for r in frame.itertuples(index=False))  # fmt: skip
    wb = Workbook()
    table(wb.active, SHEETS["kader"](lang), LEVEL_COLS, rows, lang)
    active = frame[frame["aktif"]]
    counts = [(Text(f"{ACTIVE_KADER.id}: {gaps.rule.name(i, 'id')}",
                    f"{ACTIVE_KADER.en}: {gaps.rule.name(i, 'en')}"),
               int((active["level"] == i).sum())) for i in range(len(gaps.rule.keys))]
    lines = [*_common(gaps, region_name), (KADER, len(frame)), (ACTIVE_KADER, len(active)),
             *counts, (STALE_N, int(active["stale"].eq(True).sum()))]  # fmt: skip
    _notes(wb.create_sheet(), lang, Text("Strata kader", "Kader levels"), lines,
           [RULE_WORDS, STALE_WORDS, Text("Strata kader tidak aktif ditampilkan dari "
                                          "keterampilannya; kader tidak aktif tidak dihitung "
                                          "di posyandu dan desa.",
                                          "The level of an inactive kader is shown from its "
                                          "skills; inactive kader do not count in the "
                                          "posyandu and villages."), EMPTY_WORDS])  # fmt: skip
    return workbook_bytes(wb)


def gaps_xlsx(gaps: KaderGaps, priority: TrainingPriority, lang: str = "id",
              region_name: str = "") -> bytes:  # fmt: skip
    """The gaps per village and posyandu and the training priority per Puskesmas as XLSX
    (see the module doc); ``priority`` is :func:`~layers.kader.priority.training_priority`
    of the same ``gaps``."""
    lang = check_lang(lang)
    keys = [f"level_{k}" for k in gaps.rule.keys]
    levels = _level_columns(gaps.rule)
    wb = Workbook()

    v = village_frame(gaps, priority)
    v_cols = [Column(RANK, "int", 10), Column(VILLAGE_CODE, "text"),
              Column(VILLAGE_NAME, "label"), Column(POSYANDU, "int"), Column(KADER, "int"),
              Column(ACTIVE_KADER, "int"), *levels,
              Column(Text("Kader aktif per posyandu", "Active kader per posyandu"), "dec1"),
              Column(MISSING_N, "int"), Column(MISSING, "text", 40),
              Column(UNSERVED, "int"), Column(Text("Bobot", "Weighted by"), "label"),
              Column(STALE_N, "int"), Column(NO_DATE_N, "int")]  # fmt: skip
    rows = ([_clean(r["peringkat"]), r["kode_desa"], _clean(r["nama_desa"]), r["posyandu"],
             r["kader"], r["kader_aktif"], *(r[k] for k in keys), r["per_posyandu"],
             r["kurang"], _codes(r["missing"]), _clean(r["sasaran"]),
             None if _missing(r["bobot"]) else WEIGHTS[r["bobot"]](lang), r["stale"],
             r["tanpa_tanggal"]] for r in v.to_dict("records"))  # fmt: skip
    table(wb.active, SHEETS["villages"](lang), v_cols, rows, lang)

    p = posyandu_frame(gaps, priority)
    p_cols = [Column(RANK, "int", 10), Column(VILLAGE_CODE, "text"),
              Column(VILLAGE_NAME, "label"), Column(POSYANDU, "label"), Column(KADER, "int"),
              Column(ACTIVE_KADER, "int"),
              Column(Text(f"Di bawah norma ({gaps.norm})", f"Below the norm ({gaps.norm})"),
                     "label"), *levels,
              Column(MISSING_N, "int"), Column(MISSING, "text", 40), Column(UNSERVED, "int"),
              Column(STALE_N, "int"), Column(NO_DATE_N, "int")]  # fmt: skip
    rows = ([_clean(r["peringkat"]), r["kode_desa"], _clean(r["nama_desa"]),
             _name(r["nama"], UNNAMED, lang), r["kader"], r["kader_aktif"],
             _yes(r["below_norm"], lang), *(r[k] for k in keys), r["kurang"],
             _codes(r["missing"]), _clean(r["sasaran"]), r["stale"], r["tanpa_tanggal"]]
            for r in p.to_dict("records"))  # fmt: skip
    table(wb.create_sheet(), SHEETS["posyandu"](lang), p_cols, rows, lang)

    book = gaps.book
    t_cols = [Column(Text("Puskesmas", "Puskesmas"), "label"), Column(RANK, "int", 10),
              Column(Text("Kode keterampilan", "Skill code"), "text", 12),
              Column(Text("Keterampilan", "Skill"), "label", 48),
              Column(Text("Kelompok", "Group"), "label"),
              Column(Text("Posyandu yang kurang", "Posyandu lacking it"), "int"),
              Column(Text("Penduduk terjangkau", "People reached"), "int"),
              Column(Text("Daftar posyandu", "The posyandu"), "label", 90)]  # fmt: skip
    rows = ([_name(r.puskesmas, NO_PKM, lang), r.peringkat, r.keterampilan,
             book.skill_labels[r.keterampilan](lang) if r.keterampilan in book.skill_labels
             else None, book.label(r.kelompok, lang), r.posyandu, _clean(r.sasaran),
             _name(r.daftar_posyandu, UNNAMED, lang)]
            for r in priority.skills.itertuples(index=False))  # fmt: skip
    table(wb.create_sheet(), SHEETS["training"](lang), t_cols, rows, lang)

    bobot = v["bobot"]
    lines = [*_common(gaps, region_name), (NORM, gaps.norm),
             (Text("Desa dengan data kader", "Villages with kader data"), len(v)),
             (Text("Desa dengan keterampilan kurang", "Villages with a skill missing"),
              int((v["kurang"] > 0).sum())),
             (POSYANDU, len(p)),
             (Text("Posyandu dengan keterampilan kurang", "Posyandu with a skill missing"),
              int((p["kurang"] > 0).sum())),
             (Text("Posyandu di bawah norma", "Posyandu below the norm"),
              int(p["below_norm"].sum())),
             (Text("Desa berbobot seluruh penduduk", "Villages weighted by the whole "
                   "population"), int((bobot == "penduduk").sum())),
             (Text("Desa tanpa angka penduduk", "Villages without a population figure"),
              int(bobot.isna().sum()))]  # fmt: skip
    _notes(wb.create_sheet(), lang, Text("Kesenjangan kompetensi kader",
                                         "Kader competency gaps"), lines,
           [RULE_WORDS, ACTIVE_WORDS, NO_DATA_WORDS, WEIGHT_WORDS, TRAINING_WORDS,
            STALE_WORDS, EMPTY_WORDS])  # fmt: skip
    return workbook_bytes(wb)
