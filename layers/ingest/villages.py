"""Village reconciliation: names as offices write them -> Kemendagri village codes.

Many files name villages instead of coding them (``Ds. Sumberagung``, ``KEL. PANDEREJO``,
``Tamba"an``). :func:`reconcile` matches each distinct (village, kecamatan) pair of a file
to the stored boundaries in the user's scope and returns a :class:`Proposal` per pair:

1. **exact** — the names as written equal the stored names;
2. **normalised** — equal after :func:`normalize_name` (case, spaces, punctuation,
   apostrophes vs quotes, prefixes ``Desa``/``Kelurahan``/``Kel.``/``Ds.``/``Kec.``, old
   spelling ``oe``->``u``, ``dj``->``j``, ``tj``->``c``…, spaces ignored);
3. **fuzzy** — the best rapidfuzz score (0–100) at or above ``threshold`` among the villages
   of the matched kecamatan (the kecamatan is itself matched exactly, normalised or fuzzily);
4. **none** — nothing good enough (the best candidates are kept for the message).

A proposal is *ambiguous* when two candidates are equally good (two villages with the same
normalised name, or fuzzy scores within ``margin`` points). Exact and normalised, unambiguous
proposals are used as they are; every other proposal needs a confirmation. Imports are all or
nothing (design.md §3): while any name is unmatched or unconfirmed the file is rejected and a
review file is written (:func:`proposals_to_csv`: ``nama_desa, nama_kec, kode_desa_usulan,
nama_usulan, skor, metode, setuju, catatan``). The user marks the right rows ``setuju = ya``
(the proposed code may be edited) and imports again with the option ``konfirmasi=<that file>``
(:func:`read_confirmations`).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from layers import codes
from layers.ingest import checks
from layers.ingest.columns import Column, normalize_header
from layers.ingest.problems import Problem, Rejected, reject
from layers.ingest.readers import read_table
from layers.scope import Scope
from layers.store import queries
from layers.text import Text

if TYPE_CHECKING:
    from layers.ingest.base import Mapped
    from layers.ingest.problems import ImportReport

#: the canonical village-code column that names may stand in for
CODE = "kode_desa"
#: minimum rapidfuzz score (0–100) for a fuzzy proposal
THRESHOLD = 80.0
#: two candidates whose scores differ by at most this many points are ambiguous
MARGIN = 5.0
#: candidates kept per proposal (for messages and the review file)
TOP = 3

DESA_ALIASES = ("desa", "kelurahan", "nama_kelurahan", "desa_kelurahan", "nama_desa_kelurahan",
                "kelurahan_desa", "village", "village_name", "nama_desa_kel")  # fmt: skip
KEC_ALIASES = ("kecamatan", "kec", "nama_kecamatan", "district", "subdistrict")
NAME_COLUMNS = (Column("nama_desa", DESA_ALIASES), Column("nama_kec", KEC_ALIASES, required=False))

#: the review file's columns, in order
REVIEW_COLUMNS = ("nama_desa", "nama_kec", "kode_desa_usulan", "nama_usulan", "skor", "metode",
                  "setuju", "catatan")  # fmt: skip
YES = frozenset({"ya", "y", "yes", "1", "true", "benar", "setuju", "ok", "x", "v"})
METHODS = ("exact", "normalised", "fuzzy", "none")

_PREFIX = re.compile(r"^(?:desa|ds|kelurahan|kel|kecamatan|kec)\b\.?\s*")
#: old (pre-1972) spelling -> current; ``nj`` is left alone (``Panjang`` is current spelling)
_ROMANISATION = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("ch", "kh"))
_QUOTES = re.compile(r"[\"'`´‘’‚‛“”„‟ʼʻ]")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


# --------------------------------------------------------------------------- normalising


def clean_text(value: object) -> str:
    """Whitespace-collapsed text; missing values become ``''``."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return " ".join(str(value).split())


def normalize_name(value: object) -> str:
    """The comparable form of a village or kecamatan name.

    Lower case, accents dropped, apostrophes and quotes removed (``Tamba'an`` =
    ``Tamba"an``), other punctuation as spaces, prefixes such as ``Desa``, ``Ds.``,
    ``Kelurahan``, ``Kel.``, ``Kec.`` removed, old spelling modernised (``oe``->``u``,
    ``dj``->``j``, ``tj``->``c``, ``sj``->``sy``, ``ch``->``kh``).

    >>> normalize_name("DS. Tjoeroek  -  Sari")
    'curuk sari'
    """
    text = unicodedata.normalize("NFKD", clean_text(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = _QUOTES.sub("", text)
    text = text.strip(" .,-")
    while True:  # "Desa Kel. X" and "Ds.X" alike; a name that is only a prefix stays
        stripped = _PREFIX.sub("", text, count=1).strip(" .,-")
        if stripped == text or not stripped:
            break
        text = stripped
    text = _NOT_ALNUM.sub(" ", text)
    for old, new in _ROMANISATION:
        text = text.replace(old, new)
    return " ".join(text.split())


def name_key(value: object) -> str:
    """:func:`normalize_name` without spaces: ``Karang Rejo`` = ``Karangrejo``."""
    return normalize_name(value).replace(" ", "")


def _score(a: str, b: str, **_: Any) -> float:
    """Similarity of two keys (0–100): rapidfuzz's normalised Indel ratio."""
    return float(fuzz.ratio(a, b))


# --------------------------------------------------------------------------- proposals


@dataclass(frozen=True)
class Candidate:
    """A stored village that may be the one a file names."""

    kode: str
    nama: str
    nama_kec: str
    score: float

    def label(self) -> str:
        return f"{self.nama} ({self.kode}, Kec. {self.nama_kec}, {self.score:.0f})"


@dataclass
class Proposal:
    """The proposed code for one distinct (village, kecamatan) pair of a file."""

    nama_desa: str
    nama_kec: str
    kode: str | None
    nama: str | None
    nama_kec_usulan: str | None
    score: float
    method: str
    ambiguous: bool = False
    candidates: tuple[Candidate, ...] = ()
    rows: list[int] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return pair_key(self.nama_desa, self.nama_kec)

    @property
    def needs_confirmation(self) -> bool:
        """True unless an exact or normalised, unambiguous match."""
        return self.method not in ("exact", "normalised") or self.ambiguous

    def describe(self) -> str:
        """``'Ds. Sarongan' / 'Pesanggaran'``, for messages."""
        return f"{self.nama_desa!r}" + (f" / Kec. {self.nama_kec!r}" if self.nama_kec else "")

    def candidates_text(self) -> str:
        return "; ".join(c.label() for c in self.candidates) or "-"


def pair_key(nama_desa: object, nama_kec: object) -> tuple[str, str]:
    """How a (village, kecamatan) pair of a file is identified (file and review file alike)."""
    return clean_text(nama_desa).casefold(), clean_text(nama_kec).casefold()


_RANK = {m: i for i, m in enumerate(METHODS)}


def _worse(a: str, b: str) -> str:
    return a if _RANK[a] >= _RANK[b] else b


class _Gazetteer:
    """The stored villages of a scope, indexed for matching."""

    def __init__(self, villages: pd.DataFrame) -> None:
        table = villages[["kode", "nama", "kode_kec", "nama_kec"]].copy()
        table["nama"] = table["nama"].map(clean_text)
        table["nama_kec"] = table["nama_kec"].map(clean_text)
        table["key"] = table["nama"].map(name_key)
        table["kec_key"] = table["nama_kec"].map(name_key)
        self.table = table.reset_index(drop=True)
        kec = table.drop_duplicates("kode_kec")
        self.kec_names: dict[str, list[str]] = {}
        self.kec_keys: dict[str, list[str]] = {}
        for kode_kec, nama_kec, kec_key in zip(kec["kode_kec"], kec["nama_kec"], kec["kec_key"],
                                               strict=True):  # fmt: skip
            self.kec_names.setdefault(nama_kec, []).append(kode_kec)
            self.kec_keys.setdefault(kec_key, []).append(kode_kec)
        self.by_kec = {k: g for k, g in self.table.groupby("kode_kec", sort=False)}

    def kecamatan(self, written: str, threshold: float, margin: float
                  ) -> tuple[list[str] | None, str, float]:  # fmt: skip
        """The kecamatan codes a name may mean, the method and the score.

        ``None`` codes mean "search everywhere" (no kecamatan given, or none matched).
        """
        if not written:
            return None, "exact", 100.0
        if written in self.kec_names:
            return self.kec_names[written], "exact", 100.0
        key = name_key(written)
        if key in self.kec_keys:
            return self.kec_keys[key], "normalised", 100.0
        if not key or not self.kec_keys:
            return None, "none", 0.0
        found = process.extract(key, list(self.kec_keys), scorer=_score, limit=5)
        best = found[0][1] if found else 0.0
        if best < threshold:
            return None, "none", best
        near = [k for k, s, _ in found if s >= threshold and best - s <= margin]
        return [c for k in near for c in self.kec_keys[k]], "fuzzy", best

    def villages_in(self, kec: list[str] | None) -> pd.DataFrame:
        if kec is None:
            return self.table
        parts = [self.by_kec[k] for k in kec if k in self.by_kec]
        return pd.concat(parts) if parts else self.table.iloc[0:0]


def _candidate(row: Any, score: float) -> Candidate:
    return Candidate(row.kode, row.nama, row.nama_kec, round(float(score), 1))


def _propose(g: _Gazetteer, desa: str, kec: str, threshold: float, margin: float) -> Proposal:
    blank = Proposal(desa, kec, None, None, None, 0.0, "none")
    if not desa:
        return blank
    kec_codes, kec_method, kec_score = g.kecamatan(kec, threshold, margin)
    pool = g.villages_in(kec_codes)
    if kec_method == "none":
        # a kecamatan was written but matches nothing: look everywhere, confirm always
        kec_method = "fuzzy"
    key = name_key(desa)
    scored = [(row, _score(key, row.key)) for row in pool.itertuples(index=False)]
    scored.sort(key=lambda rs: (-rs[1], rs[0].kode))
    top = tuple(_candidate(r, s) for r, s in scored[:TOP])
    exact = [r for r, _ in scored if r.nama == desa]
    same = [r for r, _ in scored if r.key == key] if key else []
    if exact:
        hits, method, score = exact, "exact", 100.0
    elif same:
        hits, method, score = same, "normalised", 100.0
    elif scored and scored[0][1] >= threshold:
        score = scored[0][1]
        hits = [r for r, s in scored if s >= threshold and score - s <= margin]
        method = "fuzzy"
    else:
        best_score = round(scored[0][1], 1) if scored else 0.0
        return Proposal(desa, kec, None, None, None, best_score, "none", candidates=top)
    best = hits[0]
    if method != "fuzzy":
        top = tuple(_candidate(r, 100.0) for r in hits[:TOP]) + tuple(
            c for c in top if c.kode not in {r.kode for r in hits[:TOP]}
        )[: max(0, TOP - len(hits))]
    return Proposal(
        desa, kec, best.kode, best.nama, best.nama_kec,
        round(min(score, kec_score), 1), _worse(method, kec_method),
        ambiguous=len(hits) > 1, candidates=top,
    )  # fmt: skip


def reconcile(
    names: pd.DataFrame, villages: pd.DataFrame, rows: pd.Series | None = None,
    threshold: float = THRESHOLD, margin: float = MARGIN,
) -> list[Proposal]:
    """One :class:`Proposal` per distinct (village, kecamatan) pair of ``names``.

    Parameters
    ----------
    names
        Columns ``nama_desa`` and (optionally) ``nama_kec`` as written in the file.
    villages
        The stored villages in scope: ``kode, nama, kode_kec, nama_kec``
        (:func:`layers.store.queries.village_table`).
    rows
        The user's row numbers of ``names`` (for :attr:`Proposal.rows`); default 2, 3, …
    threshold, margin
        Minimum fuzzy score, and the score gap under which two candidates are ambiguous.

    Returns
    -------
    list of Proposal
        In the order the pairs first appear.
    """
    desa = names["nama_desa"].map(clean_text)
    kec = names["nama_kec"].map(clean_text) if "nama_kec" in names else pd.Series(
        [""] * len(names), index=names.index)  # fmt: skip
    if rows is None:
        rows = pd.Series(range(2, 2 + len(names)), index=names.index)
    g = _Gazetteer(villages)
    out: dict[tuple[str, str], Proposal] = {}
    for d, k, r in zip(desa, kec, rows, strict=True):
        key = pair_key(d, k)
        if key not in out:
            out[key] = _propose(g, d, k, threshold, margin)
        out[key].rows.append(int(r))
    return list(out.values())


def reconcile_in_scope(
    session: Session, scope: Scope, names: pd.DataFrame, rows: pd.Series | None = None,
    threshold: float = THRESHOLD, margin: float = MARGIN,
) -> list[Proposal]:
    """:func:`reconcile` against the villages stored in ``scope``."""
    return reconcile(names, queries.village_table(session, scope), rows, threshold, margin)


# --------------------------------------------------------------------------- review files


def proposals_to_csv(proposals: Iterable[Proposal], path: Path) -> Path:
    """Write the review file (UTF-8 with BOM so Excel shows names right); return ``path``.

    ``setuju`` is pre-filled ``ya`` for exact and normalised unambiguous matches and left
    empty for the rest; ``catatan`` lists the candidates (and says when a match is ambiguous).
    """
    path = Path(path)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(REVIEW_COLUMNS)
        for p in proposals:
            best = p.candidates[0] if p.candidates else None
            kode = p.kode or (best.kode if best else "")
            nama = p.nama or (best.nama if best else "")
            note = ("AMBIGU / ambiguous: " if p.ambiguous else "") + p.candidates_text()
            writer.writerow([p.nama_desa, p.nama_kec, kode, nama, f"{p.score:.0f}", p.method,
                             "" if p.needs_confirmation else "ya", note])  # fmt: skip
    return path


def read_confirmations(path: Path) -> dict[tuple[str, str], str]:
    """The confirmed mappings of an edited review file: ``pair_key -> dotted village code``.

    Only rows with ``setuju`` = ya/y/yes/1/true count. Raises :class:`Rejected` when the file
    cannot be read, lacks the needed columns, or a confirmed row has a malformed code.
    """
    path = Path(path)
    if not path.exists():
        raise reject(f"File konfirmasi tidak ditemukan: {path}.",
                     f"Confirmation file not found: {path}.", code="konfirmasi",
                     column="konfirmasi")  # fmt: skip
    table = read_table(path)
    frame = table.frame.rename(columns={c: normalize_header(c) for c in table.frame.columns})
    missing = [c for c in ("nama_desa", "kode_desa_usulan", "setuju") if c not in frame.columns]
    if missing:
        raise reject(
            f"File konfirmasi tanpa kolom {', '.join(missing)} (pakai file tinjauan).",
            f"The confirmation file lacks column(s) {', '.join(missing)} (use the review file).",
            code="konfirmasi", column="konfirmasi",
        )  # fmt: skip
    out: dict[tuple[str, str], str] = {}
    problems: list[Problem] = []
    kec = frame["nama_kec"] if "nama_kec" in frame.columns else pd.Series(None, frame.index)
    for i in frame.index:
        if clean_text(frame.at[i, "setuju"]).casefold() not in YES:
            continue
        value = clean_text(frame.at[i, "kode_desa_usulan"])
        try:
            kode = codes.normalize(value)
            codes.village_kind(kode)
        except codes.CodeError as exc:
            problems.append(Problem(
                Text(f"File konfirmasi: kode desa tidak sah ({exc.reason_id}).",
                     f"Confirmation file: invalid village code ({exc.reason_en})."),
                row=int(table.rows[i]), column="kode_desa_usulan", value=value,
                code="konfirmasi",
            ))  # fmt: skip
            continue
        out[pair_key(frame.at[i, "nama_desa"], kec[i])] = kode
    if problems:
        raise Rejected(problems)
    return out


# --------------------------------------------------------------------------- importers


def uses_names(frame: pd.DataFrame, code_column: Column) -> bool:
    """True when ``frame`` has no village-code column but a village-name column."""
    headers = {normalize_header(h) for h in frame.columns}
    code_names = {normalize_header(a) for a in (code_column.name, *code_column.aliases)}
    desa = NAME_COLUMNS[0]
    name_names = {normalize_header(a) for a in (desa.name, *desa.aliases)}
    return not headers & code_names and bool(headers & name_names)


def columns_with_names(columns: tuple[Column, ...], code: str = CODE) -> tuple[Column, ...]:
    """``columns`` with the code column optional and the name columns added."""
    relaxed = tuple(Column(c.name, c.aliases, required=False) if c.name == code else c
                    for c in columns)  # fmt: skip
    return relaxed + NAME_COLUMNS


@dataclass
class Resolution:
    """What reconciliation did for an importer."""

    kode: pd.Series
    problems: list[Problem]
    notes: list[Text]
    proposals: list[Proposal]
    review_file: Path | None = None


def _review_path(source: Path | None, options: dict[str, Any]) -> Path | None:
    if "tinjauan" in options:
        return Path(options["tinjauan"]) if options["tinjauan"] else None
    if source is None:
        return None
    return source.with_name(f"{source.stem}.tinjauan.csv")


def resolve(
    session: Session, scope: Scope, frame: pd.DataFrame, rows: pd.Series,
    options: dict[str, Any], source: Path | None = None,
) -> Resolution:
    """Village codes for a frame with ``nama_desa`` (and ``nama_kec``) columns.

    Options: ``konfirmasi`` (an edited review file), ``tinjauan`` (where to write the review
    file when something needs confirming; default ``<file>.tinjauan.csv`` beside ``source``,
    empty to write none), ``ambang`` (fuzzy threshold, default 80).

    Returns the codes (``None`` where unresolved), one problem per unresolved row, notes on
    the names mapped, and the proposals. Writes the review file when a problem remains.
    """
    threshold = float(options.get("ambang") or THRESHOLD)
    villages = queries.village_table(session, scope)
    proposals = reconcile(frame, villages, rows, threshold=threshold)
    confirmed: dict[tuple[str, str], str] = {}
    if options.get("konfirmasi"):
        confirmed = read_confirmations(Path(options["konfirmasi"]))
    known = dict(zip(villages["kode"], villages["nama"], strict=True))
    chosen: dict[tuple[str, str], str] = {}
    problems: list[Problem] = []
    notes: list[Text] = []
    counts = dict.fromkeys(METHODS, 0)
    n_confirmed = 0
    for p in proposals:
        kode = confirmed.get(p.key)
        if kode is not None and kode == p.kode and not p.needs_confirmation:
            kode = None  # a pre-approved row of the review file: nothing to confirm
        if kode is not None and kode not in known:
            problems += _row_problems(p, Text(
                f"Kode {kode} dari file konfirmasi tidak ada di batas wilayah Anda.",
                f"Code {kode} from the confirmation file is not in your stored boundaries."),
                "konfirmasi")  # fmt: skip
            continue
        if kode is not None:
            n_confirmed += 1
            chosen[p.key] = kode
            if p.method != "exact" or kode != p.kode:
                notes.append(Text(
                    f"Nama {p.describe()} -> {kode} {known[kode]} (dikonfirmasi; usulan "
                    f"{p.method}, skor {p.score:.0f}).",
                    f"Name {p.describe()} -> {kode} {known[kode]} (confirmed; proposal "
                    f"{p.method}, score {p.score:.0f}).",
                ))  # fmt: skip
            continue
        counts[p.method] += 1
        if not p.nama_desa:
            problems += _row_problems(p, Text("Nama desa kosong.", "The village name is empty."),
                                      "missing")  # fmt: skip
            continue
        if not p.needs_confirmation:
            chosen[p.key] = p.kode  # type: ignore[assignment]
            if p.method == "normalised":
                notes.append(Text(f"Nama {p.describe()} -> {p.kode} {p.nama} (ejaan disamakan).",
                                  f"Name {p.describe()} -> {p.kode} {p.nama} (spelling "
                                  "normalised)."))  # fmt: skip
        elif p.method == "none":
            problems += _row_problems(p, Text(
                f"Desa {p.describe()} tidak ditemukan di batas wilayah. Kandidat terdekat: "
                f"{p.candidates_text()}.",
                f"Village {p.describe()} not found in the stored boundaries. Closest "
                f"candidates: {p.candidates_text()}."), "unknown_name")  # fmt: skip
        else:
            why = ("ambigu" if p.ambiguous else "kira-kira", "ambiguous" if p.ambiguous
                   else "approximate")  # fmt: skip
            problems += _row_problems(p, Text(
                f"Nama desa {p.describe()} hanya cocok {why[0]} (skor {p.score:.0f}): "
                f"{p.candidates_text()}. Setujui di file tinjauan lalu impor lagi dengan "
                "opsi konfirmasi.",
                f"Village name {p.describe()} matches only {why[1]}ly (score {p.score:.0f}): "
                f"{p.candidates_text()}. Approve it in the review file and import again with "
                "the konfirmasi option."), "needs_confirmation")  # fmt: skip
    summary = ", ".join(f"{m} {n}" for m, n in counts.items() if n)
    notes.insert(0, Text(
        f"Kode desa dari nama desa + kecamatan: {len(proposals)} nama ({summary}"
        f"{', dikonfirmasi ' + str(n_confirmed) if n_confirmed else ''}).",
        f"Village codes from village + kecamatan names: {len(proposals)} names ({summary}"
        f"{', confirmed ' + str(n_confirmed) if n_confirmed else ''}).",
    ))  # fmt: skip
    keys = [pair_key(d, k) for d, k in zip(
        frame["nama_desa"], frame["nama_kec"] if "nama_kec" in frame else [None] * len(frame),
        strict=True)]  # fmt: skip
    kode = pd.Series([chosen.get(k) for k in keys], index=frame.index, dtype=object)
    review = None
    if problems:
        review = _review_path(source, options)
        if review is not None:
            try:
                proposals_to_csv(proposals, review)
                notes.append(Text(f"File tinjauan ditulis: {review}.",
                                  f"Review file written: {review}."))  # fmt: skip
            except OSError as exc:
                notes.append(Text(f"File tinjauan tidak bisa ditulis ({exc}).",
                                  f"Could not write the review file ({exc})."))  # fmt: skip
                review = None
    return Resolution(kode, problems, notes, proposals, review)


def village_codes(
    session: Session, scope: Scope, read: Mapped, options: dict[str, Any],
    report: ImportReport, source: Path | None, known: set[str] | None,
    where: pd.Series | None = None,
) -> tuple[pd.Series, list[Problem]]:
    """The village codes of a file read by :func:`layers.ingest.base.read_mapped`.

    The one place every importer gets its codes: from the ``kode_desa`` column, or — when
    :attr:`Mapped.by_name` — from ``nama_desa``/``nama_kec`` through :func:`resolve` (notes go
    to ``report``; unresolved names are reported by name, not as missing codes; the review
    file is written). Either way the codes are then checked by
    :func:`layers.ingest.checks.village_codes` against ``known`` and ``scope``.

    ``where`` (a boolean mask) limits this to some rows (the others get ``None``): a facility
    located by its coordinates needs no village name.
    """
    frame, rows = read.frame, read.rows
    index = frame.index if where is None else frame.index[where.to_numpy(dtype=bool)]
    out = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    if read.by_name and len(index) == 0:
        return out, []
    named = None
    values = frame.loc[index, CODE]
    if read.by_name:
        named = resolve(session, scope, frame.loc[index], rows[index], options, source=source)
        report.notes += named.notes
        values = named.kode
    coded, problems = checks.village_codes(values, rows, known, scope)
    if named is not None:
        problems = named.problems + [p for p in problems if p.code != "missing"]
    if where is None:
        return coded, problems
    out[index] = coded
    return out, problems


def _row_problems(p: Proposal, message: Text, code: str) -> list[Problem]:
    return [Problem(message, row=r, column="nama_desa", value=p.nama_desa, code=code)
            for r in p.rows]  # fmt: skip
