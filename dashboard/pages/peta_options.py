"""The map's layer options: values from the URL and from the controls, checked one by one.

A value that does not fit its option (an emptied number box, 0 where 1–20 is allowed, a
crafted choice) does not freeze the layer: that option keeps its default, the others apply,
and the legend says which value was not used and why (:func:`warnings`).
"""

from __future__ import annotations

from typing import Any

from dash import html

from dashboard import components
from layers import base
from layers.text import Text, fmt_number

NOT_USED = Text("{label}: nilai {value} tidak dipakai ({why}); dipakai {default}.",
                "{label}: value {value} not used ({why}); using {default}.")
RANGE = Text("harus {low}–{high}", "must be {low}–{high}")
#: a number box sends nothing for an empty box and for a number outside its min–max
EMPTY_OR_OUTSIDE = Text("kosong atau di luar {low}–{high}", "empty or outside {low}–{high}")
EMPTY = Text("kosong", "empty")
NOT_CHOICE = Text("bukan salah satu pilihan", "not one of the choices")


def initial(cls: type[base.Layer], state: dict[str, str]) -> dict[str, Any]:
    """Option values asked for in the URL (``opt_<name>=value``); anything that is not a
    valid value of the option is dropped (the default stays)."""
    chosen: dict[str, Any] = {}
    for opt in cls.options():
        raw = state.get(f"opt_{opt.name}")
        if raw is None:
            continue
        if opt.spec.kind == "flag":
            value: Any = raw == "1"
        elif opt.spec.kind == "choice":
            value = next((c.value for c in opt.spec.choice_list() if str(c.value) == raw), None)
        else:
            try:
                value = float(raw)
            except ValueError:
                continue
        try:
            chosen[opt.name] = opt.spec.validate(value, opt.default)
        except ValueError:
            continue
    return chosen


def _why(spec: base.Option, value: object) -> Text:
    empty = value is None or value == ""
    if spec.kind == "number":
        text = EMPTY_OR_OUTSIDE if empty else RANGE
        return Text(text.id.format(low=fmt_number(spec.minimum, "id"),
                                   high=fmt_number(spec.maximum, "id")),
                    text.en.format(low=fmt_number(spec.minimum, "en"),
                                   high=fmt_number(spec.maximum, "en")))  # fmt: skip
    return EMPTY if empty else NOT_CHOICE


def chosen(cls: type[base.Layer], raw: list, ids: list) -> tuple[dict[str, Any], list[Text]]:
    """The option values the page sent for ``cls``, each checked against its option, and a
    sentence per value not used (that option keeps its default). Controls of another layer,
    sent while the page was switching, are ignored; missing ones keep their default."""
    fields = {o.name: o for o in cls.options()}
    values: dict[str, Any] = {}
    problems: list[Text] = []
    for ident, value in zip(ids, raw, strict=False):
        if not (isinstance(ident, dict) and ident.get("layer") == cls.type
                and ident.get("name") in fields):
            continue
        opt = fields[ident["name"]]
        value = components.option_value(opt.spec, value)
        try:
            values[opt.name] = opt.spec.validate(value, opt.default)
        except (TypeError, ValueError):
            shown = str(value)[:20] if value not in (None, "") else "–"
            why = _why(opt.spec, value)
            problems.append(Text(*(NOT_USED(lang).format(
                label=opt.spec.label(lang), value=shown, why=why(lang),
                default=str(opt.default)) for lang in ("id", "en"))))
    return values, problems


def warnings(problems: list[Text], lang: str) -> list[html.Div]:
    """The legend's lines for the values not used."""
    return [html.Div(p(lang), className="pws-option-warning") for p in problems]
