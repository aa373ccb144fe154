"""The UI string catalogue: Indonesian first, English available.

Every visible string of the dashboard comes from ``CATALOGUE`` through :func:`t`.
Layer titles, legends and descriptions live with their layers (``layers/``).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qs

from layers.text import LANGS, Text

DEFAULT_LANG = "id"

CATALOGUE: dict[str, Text] = {
    "app.title": Text("Peta PWS-ILP", "PWS-ILP map"),
    "app.subtitle": Text(
        "Pemantauan Wilayah Setempat — Integrasi Layanan Primer",
        "Local area monitoring — Primary care integration",
    ),
    "lang.switch": Text("English", "Bahasa Indonesia"),
    "filter.week": Text("Minggu epidemiologi", "Epidemiological week"),
    "filter.kecamatan": Text("Kecamatan", "Sub-district (kecamatan)"),
    "filter.kecamatan.all": Text("Semua kecamatan", "All sub-districts"),
    "filter.layer": Text("Lapisan peta", "Map layer"),
    "map.kecamatan": Text("Batas kecamatan", "Sub-district borders"),
    "map.puskesmas": Text("Puskesmas", "Puskesmas (health centre)"),
    "map.pustu": Text("Pustu", "Pustu (auxiliary health post)"),
    "map.posyandu": Text("Posyandu", "Posyandu (village health post)"),
    "map.desa": Text("Desa/kelurahan", "Villages"),
    "panel.hint": Text(
        "Klik sebuah desa di peta untuk melihat rinciannya.",
        "Click a village on the map to see its details.",
    ),
    "panel.code": Text("Kode", "Code"),
    "panel.kecamatan": Text("Kecamatan", "Sub-district"),
    "panel.population": Text("Penduduk", "Population"),
    "panel.facilities": Text("Fasilitas", "Facilities"),
    "panel.series": Text("Kasus mingguan", "Weekly cases"),
    "panel.cases": Text("Kasus", "Cases"),
    "panel.week": Text("Minggu", "Week"),
    "panel.close": Text("Tutup", "Close"),
    "panel.not_found": Text(
        "Desa tidak ditemukan di wilayah Anda.", "Village not found in your region."
    ),
    "kind.desa": Text("Desa", "Village (desa)"),
    "kind.kelurahan": Text("Kelurahan", "Urban village (kelurahan)"),
    "week.label": Text("Minggu {week} ({start} – {end})", "Week {week} ({start} – {end})"),
    "nodata": Text(
        "Belum ada data. Jalankan `pws load-demo`.", "No data yet. Run `pws load-demo`."
    ),
}


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The string ``key`` in ``lang``; ``values`` fill ``{placeholders}``."""
    text = CATALOGUE[key](lang)
    return text.format(**values) if values else text


def query_param(search: str | None, name: str, default: str, allowed: Iterable[str]) -> str:
    """One parameter of a URL query string (``?lang=en``), or ``default`` if not allowed."""
    asked = parse_qs((search or "").lstrip("?")).get(name, [default])[0]
    return asked if asked in set(allowed) else default


def lang_from_search(search: str | None) -> str:
    """The language asked for in a URL query string (``?lang=en``), else Indonesian."""
    return query_param(search, "lang", DEFAULT_LANG, LANGS)


MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def fmt_date(d, lang: str = DEFAULT_LANG) -> str:  # noqa: ANN001 - a datetime.date
    """``3 Jan 2025`` / ``3 Agu 2025``."""
    months = MONTHS_EN if lang == "en" else MONTHS_ID
    return f"{d.day} {months[d.month - 1]} {d.year}"
