"""The map's point overlays: markers drawn from a registered overlay's route, and the
switches of the overlays offered with every layer.

The switches are a plain checklist over the map, not Leaflet's layers control: unchecking
an overlay in dash-leaflet's ``LayersControl`` threw a TypeError in its ``overlayremove``
handler (a console error on every layer), and an overlay switched off is not fetched at
all (its GeoJSON is only created while it is on).
"""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl
from dash import Dash, Input, Output, State, dcc, html

from dashboard import context, geo_routes
from dashboard.i18n import lang_of
from layers import overlays
from layers.scope import Scope


def _fn(name: str) -> dict[str, str]:
    return {"variable": f"pws.{name}"}


def points(overlay: overlays.PointOverlay, scope: Scope, lang: str) -> dl.GeoJSON:
    """An overlay's points, styled in the browser from its classes (``hideout``)."""
    style = {
        "classes": [{"key": c.key, "color": c.color, "radius": c.radius, "opacity": c.opacity,
                     "label": c.label(lang)} for c in overlay.classes],
        "details": [[name, label(lang)] for name, label in overlay.details],
        "overlay": overlay.id,
    }  # fmt: skip
    return dl.GeoJSON(id=f"titik-{overlay.id}", url=geo_routes.overlay_url(scope, overlay.id),
                      pointToLayer=_fn("pointMarker"), hideout=style)  # fmt: skip


def always() -> list[overlays.PointOverlay]:
    """The overlays offered with every layer, in registration order."""
    return [o for o in overlays.OVERLAYS.values() if o.always]


def switched_on(counts: dict[str, int]) -> list[str]:
    """The overlays on when the page opens (``on_by_default`` of the scope's counts)."""
    return [o.id for o in always() if o.on_by_default(counts.get(o.id, 0))]


def layer_group(on: list[str], scope: Scope, lang: str) -> dl.LayerGroup:
    """The always-offered overlays that are on, in a group the switches refill."""
    return dl.LayerGroup([points(o, scope, lang) for o in always() if o.id in on],
                         id="always-points")  # fmt: skip


def switches(on: list[str], lang: str) -> html.Div:
    """The checklist over the map's top right corner."""
    return html.Div(dcc.Checklist(
        id="points-on", value=on, className="pws-points-switches",
        options=[{"label": o.title(lang), "value": o.id} for o in always()],
    ), className="pws-points-box")  # fmt: skip


def _refill(on: Any, lang: Any) -> list:
    """The markers of the overlays switched on (ids not offered are ignored)."""
    wanted = {v for v in on if isinstance(v, str)} if isinstance(on, list) else set()
    scope = context.current().scope()
    return [points(o, scope, lang_of(lang)) for o in always() if o.id in wanted]


def register(app: Dash) -> None:
    app.callback(Output("always-points", "children"), Input("points-on", "value"),
                 State("lang", "data"), prevent_initial_call=True)(_refill)  # fmt: skip
