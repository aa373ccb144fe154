"""What the import page takes from the browser: type guards, and who the browser is.

Anyone can POST any JSON to a Dash callback. Each guard returns the value when it has the
type the page itself sends, and raises :class:`~dash.exceptions.PreventUpdate` (an empty
204 answer) otherwise, so a list where a kind belongs, or a dict where a language belongs,
never reaches the importers (where it would be a 500).
"""

from __future__ import annotations

from typing import Any

from dash.exceptions import PreventUpdate

from layers.ingest import base as ingest_base
from layers.text import LANGS

#: who imports and undoes from the browser until user accounts exist
WEB_USER = "web"


def lang(value: Any) -> str:
    """A language the page knows (``id``, ``en``)."""
    if isinstance(value, str) and value in LANGS:
        return value
    raise PreventUpdate


def kind(value: Any) -> str:
    """A registered import kind (``kasus``…)."""
    if isinstance(value, str) and value in ingest_base.REGISTRY:
        return value
    raise PreventUpdate


def text(value: Any, *, optional: bool = True) -> str | None:
    """A string (or None when ``optional``)."""
    if isinstance(value, str) or (value is None and optional):
        return value
    raise PreventUpdate


def clicks(value: Any) -> int | None:
    """A button's ``n_clicks``: None or a whole number."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise PreventUpdate


def record(value: Any) -> dict[str, Any] | None:
    """A store's dict (or None)."""
    if value is None or isinstance(value, dict):
        return value
    raise PreventUpdate


def items(value: Any) -> list[Any]:
    """A pattern-matching input's list of values (None: none)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise PreventUpdate
