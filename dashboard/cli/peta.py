"""``pws peta``: a layer's map of a region as a PNG, SVG or PDF file (no browser needed).

The map is drawn by :func:`layers.render.render_map`, as the map page's download does.
Layer options (``--option name=value``) go through :func:`layers.base.from_config`, so a
wrong name or value is a usage error (exit 2) in ``--lang``; the period defaults to the
layer's newest period with data, and a region without data for a weekly or yearly layer
(or a period outside its data) is said so, with the periods that have data (exit 1), as
``pws alerts`` does.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dashboard.cli.common import LANG, _engine, main
from dashboard.cli.diarrhoea import REGION, WRITTEN, _region_scope
from dashboard.cli.lang import Choice, IntRange, PathType, current, option
from layers.text import Text

if TYPE_CHECKING:
    from layers.base import Layer, Period

FORMATS = ("png", "svg", "pdf")
#: the image size bounds (as layers.render.MIN_PX / MAX_PX; kept here so --help needs no
#: matplotlib import)
MIN_PX, MAX_PX = 200, 8000
UNKNOWN_LAYER = Text("lapisan {value!r} tidak dikenal; yang dikenal: {known}",
                     "unknown layer {value!r}; known: {known}")  # fmt: skip
NOT_NAME_VALUE = Text("{value!r} bukan nama=nilai", "{value!r} is not name=value")
UNKNOWN_OPTION = Text("lapisan {layer} tidak punya opsi {name!r}; opsinya: {known}",
                      "layer {layer} has no option {name!r}; its options: {known}")  # fmt: skip
BAD_VALUE = Text("nilai {value!r} tidak sah untuk opsi {name} ({label}): {expected}",
                 "{value!r} is not a valid value of option {name} ({label}): {expected}")
EXPECT_CHOICE = Text("salah satu dari {choices}", "one of {choices}")
EXPECT_FLAG = Text("true atau false", "true or false")
EXPECT_NUMBER = Text("angka {low}–{high}", "a number {low}–{high}")
EXPECT_WHOLE = Text("bilangan bulat {low}–{high}", "a whole number {low}–{high}")
EXPECT_LIKE = Text("nilai seperti {default!r}", "a value like {default!r}")
NOT_A_PERIOD = Text("{value!r} bukan periode lapisan ini ({example})",
                    "{value!r} is not a period of this layer ({example})")  # fmt: skip
NO_PERIOD_TAKEN = Text("lapisan {layer} menampilkan keadaan terkini; tanpa --period",
                       "layer {layer} shows the current state; it takes no --period")
NO_DATA = Text("tidak ada data {layer} di {region} untuk {period} ({data})",
               "no {layer} data in {region} for {period} ({data})")  # fmt: skip
NO_DATA_YET = Text("tidak ada data {layer} di {region} ({data})",
                   "no {layer} data in {region} ({data})")  # fmt: skip
DATA_PERIODS = Text("data: {first}–{last}", "data: {first}–{last}")
NO_DATA_AT_ALL = Text("belum ada data sama sekali", "no data at all")
NO_VILLAGES = Text("tidak ada desa di {region}", "no villages in {region}")
SIZE = Text("{width}×{height} piksel", "{width}×{height} pixels")
EXAMPLES = {"weekly": "2025-W50", "yearly": "2025"}


def _parse_layer(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from layers import base, catalog  # noqa: F401 - registers every layer

    if value not in base.REGISTRY:
        raise click.BadParameter(UNKNOWN_LAYER(current(ctx)).format(
            value=value, known=", ".join(repr(k) for k in sorted(base.REGISTRY))))  # fmt: skip
    return value


def _split(ctx: click.Context, param: click.Parameter,
           values: tuple[str, ...]) -> list[tuple[str, str]]:  # fmt: skip
    pairs = []
    for item in values:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(NOT_NAME_VALUE(current(ctx)).format(value=item))
        pairs.append((name.strip(), raw.strip()))
    return pairs


def _typed(raw: str, default: object) -> object:
    """``raw`` read as the type of the field's ``default`` (what a JSON config holds)."""
    if isinstance(default, bool):
        lowered = raw.lower()
        if lowered in ("true", "1", "ya", "yes", "on"):
            return True
        if lowered in ("false", "0", "tidak", "no", "off"):
            return False
        return raw
    if isinstance(default, int | float):
        try:
            number = float(raw)
        except ValueError:
            return raw
        return int(number) if number.is_integer() and isinstance(default, int) else number
    if isinstance(default, tuple):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _expected(field: Any, lang: str) -> str:
    spec = field.metadata.get("option")
    if spec is None:
        return EXPECT_LIKE(lang).format(default=field.default)
    if spec.kind == "flag":
        return EXPECT_FLAG(lang)
    if spec.kind == "choice":
        return EXPECT_CHOICE(lang).format(
            choices=", ".join(repr(c.value) for c in spec.choice_list()))
    low = "" if spec.minimum is None else f"{spec.minimum:g}"
    high = "" if spec.maximum is None else f"{spec.maximum:g}"
    whole = isinstance(field.default, int)
    return (EXPECT_WHOLE if whole else EXPECT_NUMBER)(lang).format(low=low, high=high)


def build_layer(kind: str, pairs: list[tuple[str, str]], lang: str) -> Layer:
    """The layer ``kind`` with the ``name=value`` options, validated by ``from_config``;
    a usage error (exit 2, in ``lang``) naming the option that does not fit."""
    from layers import base

    cls = base.REGISTRY[kind]
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    config: dict[str, object] = {"type": kind}
    for name, raw in pairs:
        field = fields.get(name)
        if field is None:
            known = ", ".join(repr(o.name) for o in cls.options()) or "–"
            raise click.BadParameter(UNKNOWN_OPTION(lang).format(layer=kind, name=name,
                                                                 known=known),
                                     param_hint="--option")  # fmt: skip
        value = _typed(raw, field.default)
        try:
            base.from_config({"type": kind, name: value})
        except ValueError as exc:
            label = field.metadata["option"].label(lang) if "option" in field.metadata \
                else name
            raise click.BadParameter(BAD_VALUE(lang).format(
                value=raw, name=name, label=label, expected=_expected(field, lang)),
                param_hint="--option") from exc  # fmt: skip
        config[name] = value
    return base.from_config(config)


def _period(layer: Layer, text: str | None, lang: str) -> Period | None:
    from layers import base

    if layer.period_kind == base.SNAPSHOT:
        if text is not None:
            raise click.BadParameter(NO_PERIOD_TAKEN(lang).format(layer=layer.type),
                                     param_hint="--period")  # fmt: skip
        return None
    if text is None:
        return None
    try:
        return base.parse_period(layer.period_kind, text)
    except ValueError as exc:
        raise click.BadParameter(NOT_A_PERIOD(lang).format(
            value=text, example=EXAMPLES[layer.period_kind]), param_hint="--period") from exc


def _no_data(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@main.command(texts=Text(
    "Peta sebuah lapisan untuk --region sebagai file PNG, SVG atau PDF: judul, legenda, "
    "skala, arah utara, batas kecamatan, sumber dan tanggal.",
    "A layer's map of --region as a PNG, SVG or PDF file: title, legend, scale bar, "
    "north arrow, sub-district borders, source and date.",
))  # fmt: skip
@REGION
@option("--layer", "layer_type", required=True, callback=_parse_layer,
        metavar=Text("JENIS", "TYPE"),
        help=Text("Jenis lapisan (lihat docs/layers.md), mis. insidens atau pustu.",
                  "Layer type (see docs/layers.md), e.g. insidens or pustu."))
@option("--option", "options", multiple=True, callback=_split,
        metavar=Text("NAMA=NILAI", "NAME=VALUE"),
        help=Text("Opsi lapisan (boleh berulang), mis. penyakit=diare_akut.",
                  "A layer option (repeatable), e.g. penyakit=diare_akut."))
@option("--period", default=None, metavar=Text("PERIODE", "PERIOD"),
        help=Text("Minggu (2025-W50) atau tahun (2025); bawaan: periode terbaru yang "
                  "berdata.",
                  "Week (2025-W50) or year (2025); by default the newest period with "
                  "data."))
@option("--format", "fmt", type=Choice(FORMATS), default=None,
        help=Text("Format gambar; bawaan: dari akhiran --out, selain itu png.",
                  "Image format; by default from the --out suffix, else png."))
@option("--labels", is_flag=True,
        help=Text("Tulis nama desa (yang tidak bertumpuk).",
                  "Write village names (those that do not overlap)."))
@option("--width", type=IntRange(MIN_PX, MAX_PX), default=1600, show_default=True,
        help=Text("Lebar gambar dalam piksel.", "Image width in pixels."))
@option("--height", type=IntRange(MIN_PX, MAX_PX), default=1000, show_default=True,
        help=Text("Tinggi gambar dalam piksel.", "Image height in pixels."))
@option("--title", default=None, metavar=Text("JUDUL", "TITLE"),
        help=Text("Judul peta; bawaan: lapisan, wilayah dan periode.",
                  "Map title; by default the layer, the region and the period."))
@option("--out", required=True, type=PathType(dir_okay=False, path_type=Path),
        metavar=Text("FILE", "FILE"),
        help=Text("File yang ditulis.", "File to write."))
@LANG
def peta(region: str, layer_type: str, options: list[tuple[str, str]], period: str | None,
         fmt: str | None, labels: bool, width: int, height: int, title: str | None,
         out: Path, lang: str) -> None:  # fmt: skip
    from sqlalchemy.orm import Session

    from layers import base
    from layers.render import render_map
    from layers.store import queries

    layer = build_layer(layer_type, options, lang)
    chosen = _period(layer, period, lang)
    suffix = out.suffix.lower().lstrip(".")
    fmt = fmt or (suffix if suffix in FORMATS else "png")
    engine = _engine()
    scope, info = _region_scope(engine, region, lang)
    where = f"{info['nama']} ({info['kode']})"
    name = layer.title(lang)
    with Session(engine) as session:
        if queries.village_table(session, scope).empty:
            _no_data(NO_VILLAGES(lang).format(region=where))
        if layer.period_kind != base.SNAPSHOT:
            periods = layer.periods(session, scope)
            data = (DATA_PERIODS(lang).format(first=periods[-1], last=periods[0])
                    if periods else NO_DATA_AT_ALL(lang))  # fmt: skip
            if chosen is None and not periods:
                _no_data(NO_DATA_YET(lang).format(layer=name, region=where, data=data))
            if chosen is None:
                chosen = periods[0]
            elif chosen not in periods:
                _no_data(NO_DATA(lang).format(layer=name, region=where, period=chosen,
                                              data=data))  # fmt: skip
        image = render_map(session, scope, layer, chosen, lang, fmt=fmt,  # type: ignore[arg-type]
                           width_px=width, height_px=height, labels=labels, title=title)
    out.write_bytes(image)
    size = SIZE(lang).format(width=width, height=height)
    click.echo(f"{WRITTEN(lang)}: {out} ({fmt}, {size})")
