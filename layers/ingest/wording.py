"""What the codes of an import are called in a report: statuses, counts, steps, kinds.

The importers keep short codes where a machine reads them — the import log's ``status``
(``ok``, ``ditolak``…), the keys of ``ImportReport.written`` (table names, ``inserted``,
``updated``…), the progress steps (``baca``, ``tulis``…), the village-matching methods
(``exact``, ``fuzzy``…) — and JSON output keeps them. A person reads them through the
:class:`~layers.text.Text` pairs here, in Indonesian or English, never the raw code.
"""

from __future__ import annotations

from collections.abc import Mapping

from layers.text import Text

#: the import log's statuses (``impor_log.status``) and a report's (``diperiksa``, ``baru``)
STATUS = {
    "ok": Text("berhasil", "imported"),
    "ditolak": Text("ditolak", "rejected"),
    "dibatalkan": Text("dibatalkan", "undone"),
    "diperiksa": Text("diperiksa", "checked"),
    "dimuat": Text("dimuat (tepercaya)", "loaded (trusted)"),
    "baru": Text("baru", "new"),
}

#: the keys of ``ImportReport.written`` (and of an undo's counts)
WRITTEN = {
    "wilayah": Text("wilayah", "regions"),
    "desa": Text("desa", "villages"),
    "kec": Text("kecamatan", "kecamatan"),
    "kab": Text("kabupaten/kota", "kabupaten/kota"),
    "prov": Text("provinsi", "provinces"),
    "kasus_mingguan": Text("baris kasus mingguan", "weekly case rows"),
    "fasilitas": Text("fasilitas", "facilities"),
    "penduduk": Text("baris penduduk", "population rows"),
    "kader": Text("kader", "kader"),
    "kader_keterampilan": Text("keterampilan kader", "kader skills"),
    "inserted": Text("baris baru", "new rows"),
    "updated": Text("baris diperbarui", "rows updated"),
    "restored": Text("baris dikembalikan", "rows put back"),
    "desa_baru": Text("desa baru", "new villages"),
    "desa_hilang": Text("desa hilang", "villages gone"),
    "desa_ganti_nama": Text("desa ganti nama", "villages renamed"),
    "desa_berubah_bentuk": Text("desa berubah bentuk", "villages reshaped"),
    "diperbaiki": Text("geometri diperbaiki", "geometries repaired"),
    "batas_sendiri_tetap": Text("batas sendiri dipertahankan", "own outlines kept"),
    "prov_sendiri": Text("batas provinsi sendiri", "own province outlines"),
    "kab_sendiri": Text("batas kabupaten/kota sendiri", "own kabupaten/kota outlines"),
    "kec_sendiri": Text("batas kecamatan sendiri", "own kecamatan outlines"),
    "tanpa_geometri": Text("fitur tanpa geometri dilewati", "features without geometry left out"),
    "jenis_tak_dikenal": Text("desa tanpa jenis (digit ke-7 kode 3)",
                              "villages of unknown kind (7th digit 3)"),
}

#: the progress steps of an import, short (a progress bar's label)
STEPS = {
    "baca": Text("membaca", "reading"),
    "tulis": Text("menulis", "writing"),
    "selesai": Text("selesai", "done"),
    "dissolve": Text("batas induk", "outlines"),
    "induk": Text("wilayah induk", "parents"),
    "keterampilan": Text("keterampilan", "skills"),
}

#: how a village name was matched (``layers.ingest.matching.METHODS``)
METHODS = {
    "exact": Text("sama persis", "exact"),
    "normalised": Text("ejaan disamakan", "spelling normalised"),
    "fuzzy": Text("mirip", "approximate"),
    "none": Text("tidak ditemukan", "not found"),
}


def label(table: Mapping[str, Text], code: str, lang: str) -> str:
    """``code`` as ``table`` names it in ``lang`` (the code itself when it is not there)."""
    text = table.get(code)
    return text(lang) if text is not None else code


def status(code: str, lang: str) -> str:
    """An import status in words: ``ok`` -> ``berhasil`` / ``imported``."""
    return label(STATUS, code, lang)


def written(counts: Mapping[str, int], lang: str) -> str:
    """What an import wrote, in words: ``baris kasus mingguan: 2, baris baru: 2, …``."""
    return ", ".join(f"{label(WRITTEN, k, lang)}: {v}" for k, v in counts.items())


def step(code: str, lang: str) -> str:
    """A progress step in words: ``baca`` -> ``membaca`` / ``reading``."""
    return label(STEPS, code, lang)


def method(code: str, lang: str) -> str:
    """A village-matching method in words: ``fuzzy`` -> ``mirip`` / ``approximate``."""
    return label(METHODS, code, lang)


def _importer(jenis: str) -> type | None:
    """The importer of ``jenis``, or the one whose first table is called so (the demo's
    trusted loads are logged under their table's name: ``kasus_mingguan``, ``wilayah``)."""
    from layers.ingest.base import REGISTRY

    return REGISTRY.get(jenis) or next(
        (c for c in REGISTRY.values() if c.tables and c.tables[0] == jenis), None)


def kind(jenis: str, lang: str) -> str:
    """An import kind by its short name in ``lang`` (``kasus`` / ``cases``), the demo's
    tables too; the code itself when no importer has it."""
    cls = _importer(jenis)
    return Text(cls.jenis, cls.english)(lang) if cls is not None else jenis


def kind_title(jenis: str, lang: str) -> str:
    """An import kind by its title (``Kasus mingguan (SKDR)``), the demo's tables too."""
    cls = _importer(jenis)
    return cls.title(lang) if cls is not None else jenis
