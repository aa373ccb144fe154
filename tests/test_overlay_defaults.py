"""Which point overlays a map opens with: all of them for a district; at a province's
scale (thousands of markers hiding the villages' colours) neither facility overlay."""

from __future__ import annotations

from dashboard.pages import peta_points
from layers import facility_points, overlays


def test_facility_overlays_are_on_for_a_district_and_off_for_a_province() -> None:
    fasilitas, posyandu = overlays.OVERLAYS["fasilitas"], overlays.OVERLAYS["posyandu"]
    assert fasilitas.on_by_default(facility_points.FASILITAS_ON_UP_TO)
    assert not fasilitas.on_by_default(facility_points.FASILITAS_ON_UP_TO + 1)
    assert posyandu.on_by_default(facility_points.POSYANDU_ON_UP_TO)
    assert not posyandu.on_by_default(facility_points.POSYANDU_ON_UP_TO + 1)
    # a kabupaten (tens of Puskesmas, a Pustu per village) and Jawa Timur's demo data
    assert peta_points.switched_on({"fasilitas": 420, "posyandu": 1800}) == [
        "fasilitas", "posyandu"]
    assert peta_points.switched_on({"fasilitas": 5963, "posyandu": 35813}) == []
    assert peta_points.switched_on({"fasilitas": 5963, "posyandu": 100}) == ["posyandu"]
