"""Boundaries (``batas``), what changes: a file compared with the stored regions, as notes.

Owns :class:`BoundaryDiff` (new, vanished, renamed and reshaped villages of the covered
kabupaten) and the notes of a region file (new rows, replaced dissolves, replaced outlines,
renames), of repaired geometries, of features left out for want of a geometry, and of what a
village file holds that is worth knowing (codes of unknown kind, names shared within a
kecamatan). Reads the store, never writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import shapely
from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from layers.ingest.boundaries_columns import LEVEL_WORDS
from layers.store.models import Wilayah
from layers.store.regions import own_outlines
from layers.text import Text

#: at most this many villages are named per kind of change in the notes
MAX_LISTED = 100


@dataclass
class BoundaryDiff:
    """How a boundary file differs from the stored villages of the kabupaten it covers."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    reshaped: list[str] = field(default_factory=list)
    stored: int = 0

    def notes(self, new_names: dict[str, str], old_names: dict[str, str]) -> list[Text]:
        out: list[Text] = []
        if not self.stored:
            return [Text(f"{len(self.added)} desa baru (belum ada batas tersimpan untuk "
                         "kabupaten di file ini).", f"{len(self.added)} new villages (no "
                         "boundaries stored yet for the kabupaten in this file).")]  # fmt: skip
        out.append(Text(
            f"Dibanding batas tersimpan: {len(self.added)} desa baru, {len(self.removed)} tidak "
            f"ada lagi di file, {len(self.renamed)} ganti nama, {len(self.reshaped)} berubah "
            "bentuk.",
            f"Compared with the stored boundaries: {len(self.added)} new villages, "
            f"{len(self.removed)} no longer in the file, {len(self.renamed)} renamed, "
            f"{len(self.reshaped)} reshaped.",
        ))  # fmt: skip
        for kode in self.added[:MAX_LISTED]:
            out.append(Text(f"Desa baru: {kode} {new_names[kode]}",
                            f"New village: {kode} {new_names[kode]}"))  # fmt: skip
        for kode in self.removed[:MAX_LISTED]:
            out.append(Text(
                f"Desa tidak ada lagi di file (tidak dihapus; datanya tetap): {kode} "
                f"{old_names[kode]}",
                f"Village no longer in the file (not deleted; its data is kept): {kode} "
                f"{old_names[kode]}",
            ))  # fmt: skip
        for kode, old, new in self.renamed[:MAX_LISTED]:
            out.append(Text(f"Desa ganti nama: {kode} {old!r} -> {new!r}",
                            f"Village renamed: {kode} {old!r} -> {new!r}"))  # fmt: skip
        longest = max(len(self.added), len(self.removed), len(self.renamed))
        if longest > MAX_LISTED:
            out.append(
                Text(
                    f"(hanya {MAX_LISTED} pertama per jenis perubahan yang dicantumkan)",
                    f"(only the first {MAX_LISTED} of each kind of change are listed)",
                )
            )
        return out

    def counts(self) -> dict[str, int]:
        return {"desa_baru": len(self.added), "desa_hilang": len(self.removed),
                "desa_ganti_nama": len(self.renamed),
                "desa_berubah_bentuk": len(self.reshaped)}  # fmt: skip


def compare_with_store(
    session: Session, villages: pd.DataFrame
) -> tuple[BoundaryDiff, dict[str, str]]:
    """Compare villages (``kode, nama, geometry``) with the stored villages of their kabupaten.

    Returns the diff and the stored names of the compared villages.
    """
    kabs = sorted({k[:5] for k in villages["kode"]})
    under = or_(false(), *(Wilayah.kode.like(f"{kab}.%") for kab in kabs))
    stored = pd.DataFrame(
        session.execute(select(Wilayah.kode, Wilayah.nama, Wilayah.geometry)
                        .where(Wilayah.level == "desa", under)).all(),
        columns=["kode", "nama", "geometry"],
    )  # fmt: skip
    diff = BoundaryDiff(stored=len(stored))
    old_names = dict(zip(stored["kode"], stored["nama"], strict=True))
    new = villages.set_index("kode")
    diff.added = sorted(set(new.index) - set(old_names))
    diff.removed = sorted(set(old_names) - set(new.index))
    both = stored[stored["kode"].isin(new.index)]
    for kode, nama in zip(both["kode"], both["nama"], strict=True):
        if str(new.at[kode, "nama"]) != nama:
            diff.renamed.append((kode, nama, str(new.at[kode, "nama"])))
    diff.renamed.sort()
    if len(both):
        fresh = new.loc[list(both["kode"]), "geometry"].to_numpy()
        same = shapely.equals_exact(both["geometry"].to_numpy(), fresh, tolerance=1e-9)
        diff.reshaped = sorted(both["kode"][~same])
    return diff, old_names


def repaired_note(repaired: list[str]) -> Text:
    listed = _listed(repaired)
    return Text(f"{len(repaired)} geometri tidak valid diperbaiki (make_valid): {listed}",
                f"{len(repaired)} invalid geometries repaired (make_valid): {listed}")  # fmt: skip


def region_notes(session: Session, regions: pd.DataFrame, level: str) -> list[Text]:
    """How a region file differs from the stored rows of its level."""
    stored = dict(session.execute(select(Wilayah.kode, Wilayah.nama).where(
        Wilayah.level == level, Wilayah.kode.in_(list(regions["kode"])))).all())  # fmt: skip
    own = own_outlines(session, stored)
    new = [k for k in regions["kode"] if k not in stored]
    renamed = [(k, stored[k], n) for k, n in zip(regions["kode"], regions["nama"], strict=True)
               if k in stored and stored[k] != n]  # fmt: skip
    word = LEVEL_WORDS[level]
    out = [Text(
        f"{len(regions)} {word[0]} dengan batas dari file ini: {len(new)} baru, "
        f"{len(stored) - len(own)} menggantikan gabungan batas desa, {len(own)} menggantikan "
        "batas dari file sebelumnya. Impor desa berikutnya tidak mengubah batas ini.",
        f"{len(regions)} {word[1]} rows with outlines from this file: {len(new)} new, "
        f"{len(stored) - len(own)} replace a dissolve of villages, {len(own)} replace outlines "
        "from an earlier file. Later village imports keep these outlines.",
    )]  # fmt: skip
    for kode, old, nama in renamed[:MAX_LISTED]:
        out.append(Text(f"Ganti nama: {kode} {old!r} -> {nama!r}",
                        f"Renamed: {kode} {old!r} -> {nama!r}"))  # fmt: skip
    return out


def _listed(items: list[str]) -> str:
    return ", ".join(items[:MAX_LISTED]) + (" …" if len(items) > MAX_LISTED else "")


def no_geometry_note(rows: pd.Series, kode: pd.Series, nama: pd.Series) -> Text:
    """The features left out because they have no geometry (feature number, code, name)."""
    items = [f"#{r} {k or ''} {n or ''}".strip()
             for r, k, n in zip(rows, kode, nama, strict=True)]  # fmt: skip
    return Text(
        f"{len(items)} fitur tanpa geometri dilewati (tidak ditulis; batas yang sudah "
        f"tersimpan untuknya tetap, datanya tetap): {_listed(items)}",
        f"{len(items)} features without geometry left out (not written; a boundary already "
        f"stored for them is kept, and so is their data): {_listed(items)}",
    )


def village_notes(villages: pd.DataFrame) -> list[Text]:
    """Notes on a village file's codes and names (``kode``, ``nama``, ``kode_kec``): codes
    whose 7th digit names no kind (stored without ``jenis``), names shared within a
    kecamatan (fine: codes are the key; name matching must then use codes)."""
    out: list[Text] = []
    unknown = villages.loc[villages["kode"].str[9] == "3", ["kode", "nama"]]
    if len(unknown):
        items = [f"{k} {n}" for k, n in zip(unknown["kode"], unknown["nama"], strict=True)]
        out.append(Text(
            f"{len(items)} desa dengan digit ke-7 kode 3 (bukan 1 kelurahan / 2 desa) diterima "
            f"tanpa jenis (jenis tidak diketahui): {_listed(items)}",
            f"{len(items)} villages whose code has a 7th digit of 3 (neither 1 kelurahan nor "
            f"2 desa) accepted without a kind (kind unknown): {_listed(items)}",
        ))  # fmt: skip
    shared = villages[villages.duplicated(["kode_kec", "nama"], keep=False)]
    if len(shared):
        groups = shared.groupby(["kode_kec", "nama"], sort=True)["kode"].apply(list)
        items = [f"{nama} ({' / '.join(kodes)})" for (_, nama), kodes in groups.items()]
        out.append(Text(
            f"{len(items)} nama desa dipakai lebih dari sekali dalam satu kecamatan (semua "
            f"disimpan; kode yang membedakan): {_listed(items)}",
            f"{len(items)} village names occur more than once within one kecamatan (all "
            f"stored; the codes tell them apart): {_listed(items)}",
        ))  # fmt: skip
    return out
