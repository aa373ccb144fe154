"""Bilingual text and number formatting for the domain core.

Layers describe themselves in Indonesian (default) and English. ``Text`` is a pair;
``fmt_number`` writes numbers the way each locale reads them (Indonesian uses a
decimal comma and a dot for thousands: ``1.234,5``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Lang = Literal["id", "en"]
LANGS: tuple[Lang, ...] = ("id", "en")


@dataclass(frozen=True)
class Text:
    """A string in Indonesian and English."""

    id: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.id

    def format(self, **values: object) -> Text:
        return Text(self.id.format(**values), self.en.format(**values))


def fmt_number(value: float | int | None, lang: str = "id", decimals: int = 0) -> str:
    """Format a number for display: ``fmt_number(1234.5, "id", 1) == "1.234,5"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def counted(n: float | int, lang: str, word_id: str, one_en: str,
            many_en: str | None = None) -> str:  # fmt: skip
    """A number with its noun: Indonesian nouns do not inflect, English ones do.

    >>> counted(1, "en", "desa", "village"), counted(1200, "en", "desa", "village")
    ('1 village', '1,200 villages')
    >>> counted(1200, "id", "desa", "village")
    '1.200 desa'
    """
    number = fmt_number(n, lang)
    if lang != "en":
        return f"{number} {word_id}"
    return f"{number} {one_en if n == 1 else (many_en or one_en + 's')}"


def loose_key(name: object) -> str:
    """Names compared loosely (facility and posyandu names): case and repeated spaces do not
    matter.

    >>> loose_key("  Posyandu  MAWAR 1")
    'posyandu mawar 1'
    """
    return " ".join(str(name).lower().split())


class TextError(ValueError):
    """A refusal whose reason is a :class:`Text` pair (``text``), shown in the reader's
    language; ``str()`` is the English. The domain's own refusals (a deck, a plan, a rule
    file) subclass it."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text
