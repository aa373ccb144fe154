"""Kader (posyandu cadre) rosters with their skill assessment (design.md §4, ``kader``).

Accepted layouts
----------------
* wide: ``kader_id, posyandu, kode_desa, aktif, tanggal_asesmen`` then one column per skill
  code (``PP1``…``DL5``) holding ``1`` (passed) / ``0`` (not passed) / empty (not assessed);
* list: the same first columns and one ``keterampilan`` column listing the passed codes
  (``"PP1, PP2;BB3"``); every other skill is then recorded as not passed (an empty cell
  means not assessed).

The skill codes are read from the ``keterampilan`` lookup table (a shipped, editable file),
never hard-coded: a header or listed code that looks like a skill code but is not in the
lookup is reported. ``aktif`` accepts ``1/0``, ``ya/tidak``, ``true/false``, ``aktif/tidak
aktif`` (column absent: active). Assessment dates in the future are reported. The posyandu
name is resolved to a stored posyandu of the same village when there is one (else kept as
text only, and the report notes how many kader that is: rosters often come before the
facility file).

Rows are matched on ``kader_id`` (stored as ``kader.kode``); skills on (kader, skill). A
``kader_id`` listed with two posyandu (or two villages) in one file is refused once per
kader, on the row naming the second one (``two_posyandu``); the same row twice is a plain
duplicate. A ``kader_id`` already stored for a village outside the user's region is refused;
one stored in another posyandu of the region is moved (a legitimate transfer), and the
report notes the moves.
Without a ``kode_desa`` column, ``nama_desa`` + ``nama_kec`` (``desa``, ``kecamatan``…) are
reconciled to codes by :func:`layers.ingest.villages.village_codes` (options
``konfirmasi``, ``tinjauan``, ``ambang``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from layers.ingest import checks, villages
from layers.ingest.base import Importer, Mapped, Prepared, Progress, read_mapped, register
from layers.ingest.checks import blank
from layers.ingest.columns import Column
from layers.ingest.parents import name_key
from layers.ingest.problems import ImportReport, Problem
from layers.ingest.write import upsert
from layers.scope import Scope
from layers.store.models import Fasilitas, Kader, KaderKeterampilan, Keterampilan, Wilayah
from layers.text import Text, counted

COLUMNS = (
    Column("kader_id", ("id_kader", "kode_kader", "no_kader", "nomor_kader", "kader")),
    Column("posyandu", ("nama_posyandu", "posyandu_nama"), required=False),
    Column("kode_desa", ("kd_desa", "kode_wilayah", "kode_kelurahan", "kode_desa_kelurahan",
                         "kode_kemendagri", "village_code")),  # fmt: skip
    Column("aktif", ("status", "status_aktif", "status_kader", "active"), required=False),
    Column("tanggal_asesmen", ("tgl_asesmen", "tanggal_penilaian", "tanggal",
                               "assessment_date"), required=False),  # fmt: skip
    Column("keterampilan", ("kode_keterampilan", "daftar_keterampilan", "skills"),
           required=False),  # fmt: skip
)
#: headers/list items that look like a skill code (two letters and a number)
SKILL_LIKE = re.compile(r"^[A-Za-z]{2}_?\d{1,2}$")
LIST_SEPARATORS = re.compile(r"[,;/|\s]+")
FLAGS = {**dict.fromkeys(("1", "ya", "y", "yes", "true", "t", "aktif", "active", "benar"), True),
         **dict.fromkeys(("0", "tidak", "no", "n", "false", "f", "tidak aktif",
                          "tidak_aktif", "nonaktif", "non aktif", "non-aktif", "inactive",
                          "salah"), False)}  # fmt: skip
PASSED = {**dict.fromkeys(("1", "ya", "y", "yes", "true", "lulus", "v", "x", "√", "✓"), True),
          **dict.fromkeys(("0", "tidak", "no", "n", "false", "belum", "tidak lulus", "-"),
                          False)}  # fmt: skip


def _skill_code(text: str) -> str:
    """``'pp_1'`` / ``'Pp1 '`` -> ``'PP1'``."""
    return str(text).strip().replace("_", "").replace(" ", "").upper()


def _flag(table: dict[str, bool], what: Text, code: str) -> checks.Judge:
    """A judge of yes/no cells using ``table`` (lower-case spelling -> bool)."""
    accepted = ", ".join(sorted({k for k in table if k.isascii() and " " not in k})[:8])

    def judge(value: str) -> tuple[Any, Text | None, str]:
        key = " ".join(str(value).strip().lower().split())
        if key in table:
            return table[key], None, ""
        return None, Text(f"{what.id}; contoh yang diterima: {accepted}.",
                          f"{what.en}; accepted e.g.: {accepted}."), code

    return judge


def _skill_columns(headers: list[str], skills: list[str]
                   ) -> tuple[dict[str, str], list[Problem]]:  # fmt: skip
    """Headers naming a skill (``{header: code}``) and a problem per unknown skill header."""
    known = set(skills)
    out: dict[str, str] = {}
    problems: list[Problem] = []
    for header in headers:
        code = _skill_code(header)
        if code in known:
            out[header] = code
        elif SKILL_LIKE.match(str(header).strip()):
            problems.append(Problem(
                Text(f"Kode keterampilan {code} tidak ada di daftar keterampilan.",
                     f"Skill code {code} is not in the skill list."),
                row=1, column=str(header), value=str(header), code="unknown_skill"))  # fmt: skip
    return out, problems


def _skill_lists(values: pd.Series, rows: pd.Series, skills: list[str]
                 ) -> tuple[pd.Series, list[Problem]]:  # fmt: skip
    """``"PP1, PP2;BB3"`` -> the set of passed codes; unknown codes reported."""
    known = set(skills)

    def judge(value: str) -> tuple[Any, Text | None, str]:
        items = [_skill_code(v) for v in LIST_SEPARATORS.split(str(value)) if v.strip()]
        items = [v for v in items if v not in ("", "-")]
        unknown = [v for v in items if v not in known]
        if unknown:
            return None, Text(f"Kode keterampilan tidak dikenal: {', '.join(unknown)}.",
                              f"Unknown skill codes: {', '.join(unknown)}."), "unknown_skill"
        return frozenset(items), None, ""

    return checks.per_unique(values, rows, "keterampilan", judge, required=False)


NO_POSYANDU = Text("(tanpa nama posyandu)", "(no posyandu named)")
#: how many examples a note lists
EXAMPLES = 3


def _name(value: Any) -> str:
    """A posyandu cell as compared (:func:`~layers.ingest.parents.name_key`; blank: '')."""
    return "" if blank(value) else name_key(value)


def _shown(value: Any, lang: str) -> str:
    """A posyandu cell as a message shows it."""
    return NO_POSYANDU(lang) if _name(value) == "" else str(value).strip()


def _and(items: list[str], word: str) -> str:
    """``a, b dan c`` / ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def _two_posyandu(kode: pd.Series, posyandu: pd.Series, kode_desa: pd.Series,
                  rows: pd.Series) -> tuple[list[Problem], set[str]]:  # fmt: skip
    """Kader listed with more than one posyandu (or village) in the file.

    One problem per kader, on the first row naming its second posyandu (column
    ``posyandu``, the value as written there); the message names every posyandu with the
    row where it first appears. Rows whose village was refused are left out (their row is
    already reported). Returns the problems and the kader ids concerned."""
    repeated = kode.notna() & kode.duplicated(keep=False) & kode_desa.notna()
    places: dict[str, dict[tuple[str, str], Any]] = {}
    for i in kode.index[repeated]:
        places.setdefault(kode[i], {}).setdefault((kode_desa[i], _name(posyandu[i])), i)
    problems: list[Problem] = []
    for k, found in places.items():
        if len(found) < 2:
            continue
        first = sorted(found.values(), key=lambda i: int(rows[i]))
        apart = len({kode_desa[i] for i in first}) > 1  # name the villages too

        def where(lang: str, first: list[Any] = first, apart: bool = apart) -> str:
            row, village = ("baris", "desa") if lang == "id" else ("row", "village")
            return _and([f"{_shown(posyandu[i], lang)} ("
                         + (f"{village} {kode_desa[i]}, " if apart else "")
                         + f"{row} {int(rows[i])})" for i in first],
                        "dan" if lang == "id" else "and")  # fmt: skip

        many_id = "dua" if len(first) == 2 else str(len(first))
        many_en = "two" if len(first) == 2 else str(len(first))
        later = first[1]
        problems.append(Problem(
            Text(f"Kader {k} tercatat di {many_id} posyandu: {where('id')}. Satu kader hanya "
                 "di satu posyandu: sisakan satu baris.",
                 f"Kader {k} is listed in {many_en} posyandu: {where('en')}. A kader belongs "
                 "to one posyandu: keep one row."),
            row=int(rows[later]), column="posyandu",
            value=None if blank(posyandu[later]) else str(posyandu[later]).strip(),
            code="two_posyandu"))  # fmt: skip
    return problems, {k for k, found in places.items() if len(found) > 1}


def _posyandu_ids(session: Session, names: pd.Series, villages: pd.Series
                  ) -> tuple[list[int | None], list[str]]:  # fmt: skip
    """The stored posyandu of that name in the same village (None when absent/ambiguous),
    and for each row why a named posyandu was not resolved: ``""`` (resolved or no name),
    ``"none"`` (the village has no stored posyandu), ``"absent"`` (it has others),
    ``"ambiguous"`` (several stored posyandu have that name)."""
    wanted = sorted(set(villages.dropna()))
    stored: dict[tuple[str, str], list[int]] = {}
    with_posyandu: set[str] = set()
    if wanted:
        query = select(Fasilitas.id, Fasilitas.nama, Fasilitas.kode_desa).where(
            Fasilitas.jenis == "posyandu", Fasilitas.kode_desa.in_(wanted))
        for fid, nama, kode in session.execute(query):
            stored.setdefault((kode, name_key(nama)), []).append(fid)
            with_posyandu.add(kode)
    out: list[int | None] = []
    why: list[str] = []
    for name, kode in zip(names, villages, strict=True):
        named = not (blank(name) or blank(kode) or _name(name) == "")
        hits = stored.get((kode, name_key(name)), []) if named else []
        out.append(hits[0] if len(hits) == 1 else None)
        why.append("" if not named or len(hits) == 1 else "ambiguous" if hits else
                   "absent" if kode in with_posyandu else "none")  # fmt: skip
    return out, why


def _unresolved_notes(clean: pd.DataFrame, why: list[str]) -> list[Text]:
    """Notes (not errors) on the kader whose posyandu name matched no single stored posyandu
    of their village: the name is kept as text."""
    reasons = pd.Series(why, index=clean.index)
    notes: list[Text] = []
    missing = reasons.isin(["absent", "none"])
    if missing.any():
        rows = clean[missing]
        names = rows.assign(nama=rows["posyandu"].map(_name)).drop_duplicates(
            ["kode_desa", "nama"])  # names compared loosely, as they are resolved
        shown = ", ".join(f"{str(n).strip()!r} ({d})" for n, d in
                          zip(names["posyandu"].iloc[:EXAMPLES],
                              names["kode_desa"].iloc[:EXAMPLES], strict=True))  # fmt: skip
        more = " …" if len(names) > EXAMPLES else ""
        empty = rows.loc[reasons[missing] == "none", "kode_desa"].nunique()
        none_id = f" ({empty} desa belum punya posyandu tersimpan)" if empty else ""
        none_en = f" ({empty} villages have no stored posyandu yet)" if empty else ""
        notes.append(Text(
            f"{len(rows)} kader dengan nama posyandu yang tidak ada di antara posyandu "
            f"tersimpan desanya ({len(names)} nama, mis. {shown}{more}); nama disimpan sebagai "
            f"teks{none_id}. Impor data fasilitas untuk menautkannya.",
            f"{len(rows)} kader with a posyandu name not found among their village's stored "
            f"posyandu ({counted(len(names), 'en', 'nama', 'name')}, e.g. {shown}{more}); the "
            "name is kept as "
            f"text{none_en}. Import the facilities to link them."))  # fmt: skip
    ambiguous = int((reasons == "ambiguous").sum())
    if ambiguous:
        notes.append(Text(
            f"{ambiguous} kader dengan nama posyandu yang dipakai lebih dari satu posyandu "
            "tersimpan di desanya; nama disimpan sebagai teks.",
            f"{ambiguous} kader with a posyandu name shared by several stored posyandu of "
            "their village; the name is kept as text."))  # fmt: skip
    return notes


def _stored_kader(session: Session, ids: pd.Series) -> dict[str, tuple[str, str | None]]:
    """The stored village and posyandu text of the file's ``kader_id``s that exist."""
    wanted = sorted(set(ids.dropna()))
    if not wanted:
        return {}
    query = select(Kader.kode, Kader.kode_desa, Kader.posyandu).where(Kader.kode.in_(wanted))
    return {k: (d, p) for k, d, p in session.execute(query)}


def _foreign_ids(stored: dict[str, tuple[str, str | None]], ids: pd.Series, rows: pd.Series,
                 scope: Scope) -> list[Problem]:  # fmt: skip
    """``kader_id``s already stored for a village outside the user's region."""
    if scope.is_everything:
        return []
    outside = {k: d for k, (d, _) in stored.items() if not scope.allows(d)}
    return [
        Problem(Text(f"ID kader ini sudah dipakai kader di desa {outside[k]}, di luar wilayah "
                     "Anda.",
                     f"This kader id belongs to a kader in village {outside[k]}, outside your "
                     "region."),
                row=int(rows[i]), column="kader_id", value=k, code="out_of_scope")
        for i, k in ids.items() if k in outside
    ]  # fmt: skip


def _moves_note(stored: dict[str, tuple[str, str | None]], clean: pd.DataFrame
                ) -> Text | None:  # fmt: skip
    """A note on the stored kader this file moves to another posyandu or village (allowed:
    kader transfer; out-of-region ids were refused before)."""
    moved = []
    for k, village, name in zip(clean["kode"], clean["kode_desa"], clean["posyandu"],
                                strict=True):  # fmt: skip
        if k in stored and (stored[k][0], _name(stored[k][1])) != (village, _name(name)):
            moved.append((k, stored[k], (village, name)))
    if not moved:
        return None

    def example(lang: str) -> str:
        parts = []
        for k, (d0, p0), (d1, p1) in moved[:EXAMPLES]:
            if d0 == d1:
                parts.append(f"{k}: {_shown(p0, lang)} → {_shown(p1, lang)}")
            else:
                parts.append(f"{k}: {_shown(p0, lang)} ({d0}) → {_shown(p1, lang)} ({d1})")
        return "; ".join(parts) + (" …" if len(moved) > EXAMPLES else "")

    return Text(f"{len(moved)} kader tersimpan pindah posyandu (mis. {example('id')}).",
                f"{len(moved)} stored kader move to another posyandu (e.g. {example('en')}).")


def _skill_layout(read: Mapped, skills: list[str]) -> tuple[dict[str, str], list[Problem]]:
    """The skill columns of a mapped file (``{header: code}``) and its header problems:
    unknown skill headers, or both layouts (skill columns and a ``keterampilan`` list) at once."""
    canonical = {c.name for c in COLUMNS}
    skill_cols, problems = _skill_columns(
        [c for c in read.frame.columns if c not in canonical], skills)
    if skill_cols and "keterampilan" in read.present:
        problems.append(Problem(
            Text("Pakai salah satu: kolom per keterampilan atau satu kolom 'keterampilan'.",
                 "Use one layout: a column per skill or one 'keterampilan' column."),
            row=1, column="keterampilan", code="layout"))  # fmt: skip
    return skill_cols, problems


@register
class KaderImporter(Importer):
    """Kader roster and skill assessments (``kader``, ``kader_keterampilan``)."""

    jenis = "kader"
    english = "kader"
    title = Text("Kader posyandu", "Posyandu cadres (kader)")
    tables = ("kader", "kader_keterampilan")

    def prepare(self, session: Session, path: Path, scope: Scope, options: dict[str, Any],
                report: ImportReport) -> Prepared | None:  # fmt: skip
        skills = list(session.scalars(select(Keterampilan.kode).order_by(Keterampilan.urut,
                                                                          Keterampilan.kode)))
        read = read_mapped(path, COLUMNS, options, report, keep_other=True,
                           # two layouts at once leave nothing to read; an unknown skill
                           # header is reported with the rows' problems below
                           check=lambda read: [p for p in _skill_layout(read, skills)[1]
                                               if p.code == "layout"])  # fmt: skip
        if read is None:
            return None
        frame, rows, present = read.frame, read.rows, read.present
        skill_cols, header_problems = _skill_layout(read, skills)
        has_list = "keterampilan" in present
        if not skill_cols and not has_list:
            report.notes.append(Text("Tidak ada kolom keterampilan: hanya data kader diimpor.",
                                     "No skill columns: only the kader rows are imported."))
        absent = [c for c in skills if skill_cols and c not in skill_cols.values()]
        if absent:
            listed = ", ".join(absent)
            report.notes.append(Text(
                f"Kolom keterampilan tidak ada di file: {listed}. Kader yang sudah tersimpan "
                "tetap dengan nilai lamanya untuk keterampilan ini; kader baru tercatat belum "
                "dinilai.",
                f"Skill columns not in the file: {listed}. Kader already stored keep their "
                "previous values for these skills; new kader are recorded as not assessed."))

        known = set(session.scalars(select(Wilayah.kode).where(Wilayah.level == "desa")))
        kode_desa, found = villages.village_codes(session, scope, read, options, report, path,
                                                  known)  # fmt: skip
        kode, p_id = checks.per_unique(frame["kader_id"], rows, "kader_id",
                                       lambda v: (str(v).strip(), None, ""))  # fmt: skip
        stored = _stored_kader(session, kode)
        # a row already refused for its village is not reported twice
        found += header_problems + p_id + _foreign_ids(stored, kode[kode_desa.notna()], rows,
                                                       scope)
        has_aktif = "aktif" in present
        if has_aktif:
            aktif, p_aktif = checks.per_unique(
                frame["aktif"], rows, "aktif",
                _flag(FLAGS, Text("Status aktif tidak dikenali", "Unrecognised active flag"),
                      "bad_flag"))  # fmt: skip
            found += p_aktif
        else:
            aktif = pd.Series(True, index=frame.index, dtype=object)
        tanggal, p_date = checks.dates(frame["tanggal_asesmen"], rows, "tanggal_asesmen",
                                       today=options.get("today"), required=False)  # fmt: skip
        found += p_date
        posyandu = frame["posyandu"]
        clean = pd.DataFrame({"kode": kode, "posyandu": posyandu, "kode_desa": kode_desa,
                              "aktif": aktif, "tanggal_asesmen": tanggal})  # fmt: skip
        p_two, two = _two_posyandu(kode, posyandu, kode_desa, rows)
        found += p_two + checks.duplicates(  # a kader in two posyandu is reported once
            pd.DataFrame({"kader_id": kode.where(~kode.isin(two), None)}), ["kader_id"], rows)

        passed: dict[str, pd.Series] = {}
        judge = _flag(PASSED, Text("Nilai keterampilan harus 1 (lulus) atau 0 (belum)",
                                   "A skill value must be 1 (passed) or 0 (not yet)"),
                      "bad_flag")  # fmt: skip
        for header, code in skill_cols.items():
            values, p_skill = checks.per_unique(frame[header], rows, str(header), judge,
                                                required=False)  # fmt: skip
            passed[code] = values
            found += p_skill
        if has_list:
            lists, p_list = _skill_lists(frame["keterampilan"], rows, skills)
            found += p_list
            for code in skills:
                passed[code] = lists.map(lambda s, c=code: None if s is None else c in s)

        report.add(found)
        report.rows_ok = int((~rows.isin(checks.bad_rows(found))).sum())
        if not report.ok:
            return None
        ids, why = _posyandu_ids(session, posyandu, kode_desa)
        clean["posyandu_id"] = pd.array(ids, dtype="Int64")
        report.notes += _unresolved_notes(clean, why)
        moves = _moves_note(stored, clean)
        if moves is not None:
            report.notes.append(moves)
        skill_rows = [
            pd.DataFrame({"kode": clean["kode"], "keterampilan": code, "lulus": values,
                          "tanggal": clean["tanggal_asesmen"]})[values.notna()]
            for code, values in passed.items()
        ]  # fmt: skip
        skill_frame = (pd.concat(skill_rows, ignore_index=True) if skill_rows else
                       pd.DataFrame(columns=["kode", "keterampilan", "lulus", "tanggal"]))
        if not has_aktif:
            clean = clean.drop(columns="aktif")
        return Prepared({"kader": clean, "kader_keterampilan": skill_frame})

    def write(self, session: Session, prepared: Prepared, impor_id: int,
              progress: Progress) -> dict[str, int]:  # fmt: skip
        kader = prepared.frames["kader"]
        step = upsert(session, "kader", kader, ["kode"], impor_id)
        counts = {"kader": len(kader), "kader_keterampilan": 0, **step}
        skills = prepared.frames["kader_keterampilan"]
        if skills.empty:
            return counts
        progress(2, 3, "keterampilan")
        ids = dict(session.execute(
            select(Kader.kode, Kader.id).where(Kader.kode.in_(sorted(kader["kode"])))).all())
        frame = skills.assign(kader_id=skills["kode"].map(ids)).drop(columns="kode")
        step = upsert(session, "kader_keterampilan", frame, ["kader_id", "keterampilan"],
                      impor_id, existing_filter=KaderKeterampilan.kader_id.in_(
                          sorted(set(ids.values()))))  # fmt: skip
        counts["kader_keterampilan"] = len(frame)
        counts["inserted"] += step["inserted"]
        counts["updated"] += step["updated"]
        return counts
