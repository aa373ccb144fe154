"""dashboard/i18n.py: the UI string catalogue and language selection."""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path

import pytest

from dashboard.i18n import CATALOGUE, fmt_date, lang_from_search, query_param, t
from layers import base

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"
#: keys whose Indonesian and English strings may be identical (proper nouns). None today.
SAME_IN_BOTH: frozenset[str] = frozenset()

#: t("key" ...) / t('key' ...), and the literal prefix of t(f"prefix.{...}" ...)
_LITERAL = re.compile(r"""\bt\(\s*(["'])([^"'{}]+)\1""")
_FSTRING = re.compile(r"""\bt\(\s*f(["'])([^"'{}]*)\{""")


def _sources() -> dict[Path, str]:
    files = {p: p.read_text(encoding="utf-8") for p in DASHBOARD.rglob("*.py")}
    assert len(files) >= 5
    return files


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_catalogue_is_complete_in_both_languages() -> None:
    assert len(CATALOGUE) >= 10
    for key, text in CATALOGUE.items():
        assert text.id.strip() == text.id and text.id, key
        assert text.en.strip() == text.en and text.en, key
        if key not in SAME_IN_BOTH:
            assert text.id != text.en, f"{key}: untranslated {text.id!r}"
        assert _placeholders(text.id) == _placeholders(text.en), key
    assert set(CATALOGUE) >= SAME_IN_BOTH


def test_t_picks_language_and_defaults_to_indonesian() -> None:
    assert t("app.title") == CATALOGUE["app.title"].id
    assert t("app.title", "id") == CATALOGUE["app.title"].id
    assert t("app.title", "en") == CATALOGUE["app.title"].en
    assert t("panel.close", "en") == "Close"
    assert t("panel.close", "id") == "Tutup"
    with pytest.raises(KeyError):
        t("no.such.key")


def test_t_fills_placeholders() -> None:
    assert _placeholders(CATALOGUE["week.label"].id) == {"week", "start", "end"}
    got_id = t("week.label", "id", week="2025-W07", start="9 Feb 2025", end="15 Feb 2025")
    got_en = t("week.label", "en", week="2025-W07", start="9 Feb 2025", end="15 Feb 2025")
    assert got_id == "Minggu 2025-W07 (9 Feb 2025 – 15 Feb 2025)"
    assert got_en == "Week 2025-W07 (9 Feb 2025 – 15 Feb 2025)"
    assert "{" not in got_id and "{" not in got_en
    with pytest.raises(KeyError):
        t("week.label", "id", week="2025-W07")  # a missing value is an error, not "{start}"


@pytest.mark.parametrize(
    ("search", "lang"),
    [
        (None, "id"),
        ("", "id"),
        ("?lang=en", "en"),
        ("lang=en", "en"),
        ("?detail=rendah&lang=en", "en"),
        ("?lang=id", "id"),
        ("?lang=fr", "id"),
        ("?lang=", "id"),
        ("?lang=en-US", "id"),
        ("?lang=en%00", "id"),
        ("?lang=<script>", "id"),
    ],
)
def test_lang_from_search(search: str | None, lang: str) -> None:
    assert lang_from_search(search) == lang


def test_query_param_only_allowed_values() -> None:
    allowed = ("rendah", "sedang", "tinggi", "asli")
    assert query_param("?detail=asli", "detail", "sedang", allowed) == "asli"
    assert query_param("?detail=../../etc", "detail", "sedang", allowed) == "sedang"
    assert query_param("?other=asli", "detail", "sedang", allowed) == "sedang"
    assert query_param(None, "detail", "sedang", allowed) == "sedang"


def test_fmt_date() -> None:
    assert fmt_date(date(2025, 8, 3), "id") == "3 Agu 2025"
    assert fmt_date(date(2025, 8, 3), "en") == "3 Aug 2025"
    assert fmt_date(date(2024, 5, 31)) == "31 Mei 2024"
    assert fmt_date(date(2024, 12, 1), "en") == "1 Dec 2024"


def test_every_literal_key_used_exists() -> None:
    used: dict[str, list[str]] = {}
    for path, text in _sources().items():
        for match in _LITERAL.finditer(text):
            used.setdefault(match.group(2), []).append(path.name)
    # the scan finds the keys we know are used (so an empty scan cannot pass)
    assert {"app.title", "panel.not_found", "map.desa", "week.label"} <= set(used)
    missing = {k: v for k, v in used.items() if k not in CATALOGUE}
    assert not missing, f"keys used but not in the catalogue: {missing}"


def test_every_fstring_key_family_exists() -> None:
    prefixes: set[str] = set()
    for text in _sources().values():
        prefixes |= {m.group(2) for m in _FSTRING.finditer(text)}
    assert {"filter.period.", "kind."} <= prefixes
    for prefix in prefixes:
        assert any(k.startswith(prefix) for k in CATALOGUE), prefix
    # the values those f-strings are built from
    for period_kind in base.PERIOD_KINDS:
        if period_kind != base.SNAPSHOT:
            assert f"filter.period.{period_kind}" in CATALOGUE
    for kind in ("desa", "kelurahan"):
        assert f"kind.{kind}" in CATALOGUE
