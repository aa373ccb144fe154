"""``GET /peta.png`` (``dashboard/map_image_route.py``) through the Flask test client.

An image for the server's scope; a region outside that scope is a 404 (never data) while
the same request inside it answers; crafted parameters (bad JSON, unknown layer or option,
huge or malformed sizes, bad periods and regions) are a 400 with a short message in the
request's language, never a 500; caching headers and ETag revalidation.
"""

from __future__ import annotations

import doctest
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from PIL import Image
from pypdf import PdfReader

from dashboard import map_image_route
from dashboard.app import create_app
from dashboard.testing import loaded_database
from layers.scope import Scope

DEMO = Path(__file__).resolve().parents[1] / "data" / "geo" / "demo_9901"
KEC = "99.01.01"
OTHER_KEC = "99.01.02"
INSIDENS = json.dumps({"type": "insidens"})
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return loaded_database(DEMO, tmp_path_factory.mktemp("map_image") / "demo.sqlite")


@pytest.fixture(scope="module")
def client(db_url: str) -> FlaskClient:
    return create_app(db_url).server.test_client()


@pytest.fixture(scope="module")
def restricted(db_url: str) -> FlaskClient:
    """A deployment whose scope is one kecamatan."""
    return create_app(db_url, Scope.of([KEC])).server.test_client()


def _get(client: FlaskClient, fmt: str = "png", **params: object) -> object:
    query = {"layer": INSIDENS, **params}
    return client.get(f"/peta.{fmt}?{urlencode(query)}")


def _svg_text(data: bytes) -> str:
    root = ET.fromstring(data)
    return " ".join(" ".join(t.itertext()) for t in root.iter(f"{SVG_NS}text"))


def test_an_image_of_the_servers_scope(restricted: FlaskClient) -> None:
    response = _get(restricted)
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert (image.format, image.size) == ("PNG", (1600, 1000))
    assert response.headers["Cache-Control"].startswith("private")
    assert response.headers["ETag"]
    assert 'filename="peta-insidens-2025-W53.png"' in response.headers["Content-Disposition"]
    shown = _svg_text(_get(restricted, "svg", width=800, height=600).data)
    assert f"({KEC})" in shown and "Insidens mingguan" in shown
    small = Image.open(io.BytesIO(_get(restricted, width=640, height=400, labels=1).data))
    assert small.size == (640, 400)


def test_a_region_outside_the_servers_scope_is_a_404(client: FlaskClient,
                                                     restricted: FlaskClient) -> None:  # fmt: skip
    inside = _get(client, "svg", region=OTHER_KEC)  # the whole district's deployment
    assert inside.status_code == 200
    assert f"({OTHER_KEC})" in _svg_text(inside.data)
    outside = _get(restricted, "svg", region=OTHER_KEC)
    assert outside.status_code == 404
    assert outside.mimetype == "text/plain" and b"<svg" not in outside.data
    assert outside.data.decode() == map_image_route.NOT_FOUND.id
    for region in (f"{OTHER_KEC}.1001", "98", "98.01.01.2001"):
        assert _get(restricted, region=region).status_code == 404, region
    # inside the server's scope: a village of it, or the kabupaten (narrowed, not widened)
    village = _get(restricted, "svg", region=f"{KEC}.1001")
    assert village.status_code == 200 and f"({KEC}.1001)" in _svg_text(village.data)
    wider = _get(restricted, "svg", region="99.01")
    assert wider.status_code == 200
    assert f"({KEC})" in _svg_text(wider.data) and "(99.01)" not in _svg_text(wider.data)


def test_other_formats(restricted: FlaskClient) -> None:
    svg = _get(restricted, "svg", lang="en")
    assert svg.mimetype == "image/svg+xml" and "Weekly incidence" in _svg_text(svg.data)
    pdf = _get(restricted, "pdf", lang="en")
    assert pdf.mimetype == "application/pdf"
    assert "Weekly incidence" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert restricted.get(f"/peta.gif?{urlencode({'layer': INSIDENS})}").status_code == 404


def test_layer_options_and_periods(restricted: FlaskClient) -> None:
    config = json.dumps({"type": "peringatan", "penyakit": "diare_akut"})
    response = _get(restricted, "svg", layer=config, period="2025-W40", lang="en")
    assert response.status_code == 200
    shown = _svg_text(response.data)
    assert "Weekly alerts" in shown and "Week 2025-W40" in shown
    pustu = _get(restricted, "svg", layer=json.dumps({"type": "pustu", "jarak_km": 3}),
                 period="ignored-for-a-snapshot")  # fmt: skip
    assert pustu.status_code == 200 and "3 km" in _svg_text(pustu.data)


def test_etag_revalidates(restricted: FlaskClient) -> None:
    first = _get(restricted, width=400, height=300)
    etag = first.headers["ETag"]
    query = urlencode({"layer": INSIDENS, "width": 400, "height": 300})
    again = restricted.get(f"/peta.png?{query}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    other = _get(restricted, width=400, height=300, period="2025-W52")
    assert other.headers["ETag"] != etag
    assert _get(restricted, width=400, height=300, lang="en").headers["ETag"] != etag


CRAFTED = [
    {"layer": ""},
    {"layer": "insidens"},  # not JSON
    {"layer": "{not json"},
    {"layer": "[1, 2]"},
    {"layer": "null"},
    {"layer": json.dumps({"type": "nope"})},
    {"layer": json.dumps({"type": "insidens", "penyakit": "flu"})},
    {"layer": json.dumps({"type": "insidens", "warna": "merah"})},
    {"layer": json.dumps({"type": "titik_panas", "permutations": 5})},
    {"layer": json.dumps({"type": "insidens", "bounds": [0, 1]})},
    {"layer": '{"type": "insidens", "per": NaN}'},
    {"layer": '{"type": "insidens", "per": Infinity}'},
    {"layer": "[" * 5000},
    {"layer": json.dumps({"type": "insidens", "x": "y" * 2000})},
    {"width": "99999"},
    {"width": "0"},
    {"width": "-5"},
    {"width": "1e3"},
    {"width": "abc"},
    {"height": "4001"},
    {"height": "١٢٠٠"},  # Arabic-Indic digits are digits to str.isdigit
    {"period": "garbage"},
    {"period": "2025-W99"},
    {"period": "2025"},  # a year for a weekly layer
    {"labels": "yes"},
    {"region": "xyz"},
    {"region": "' OR 1=1 --"},
    {"region": "../../etc/passwd"},
]


@pytest.mark.parametrize("params", CRAFTED, ids=[str(i) for i in range(len(CRAFTED))])
def test_crafted_parameters_are_a_400_never_a_500(restricted: FlaskClient,
                                                  params: dict) -> None:  # fmt: skip
    for lang in ("id", "en"):
        response = _get(restricted, **{**params, "lang": lang})
        assert response.status_code == 400, (params, response.status_code)
        assert response.mimetype == "text/plain"
        message = response.data.decode()
        texts = [v for k, v in vars(map_image_route).items() if k.startswith("BAD_")]
        expected = {t(lang).format(low=map_image_route.MIN_PX, high=map_image_route.MAX_PX)
                    for t in texts}  # fmt: skip
        assert message in expected, message


def test_a_bad_language_falls_back_to_indonesian(restricted: FlaskClient) -> None:
    response = _get(restricted, "svg", lang="fr")
    assert response.status_code == 200 and "Insidens mingguan" in _svg_text(response.data)
    assert _get(restricted, width="x", lang="<script>").data.decode().startswith("Ukuran")


def test_image_url_examples() -> None:
    result = doctest.testmod(map_image_route)
    assert result.attempted > 0 and result.failed == 0
    url = map_image_route.image_url({"type": "pustu", "jarak_km": 3.0}, None, KEC, "id")
    assert url.startswith("/peta.png?layer=") and "region=99.01.01" in url
