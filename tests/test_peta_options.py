"""Option values from the page, checked one by one (dashboard/pages/peta_options.py)."""

from __future__ import annotations

from dashboard.pages import peta_options
from layers import base, catalog  # noqa: F401 - registers the layers

KADER = base.REGISTRY["kader"]


def ident(name: str, layer: str = "kader") -> dict:
    return {"type": "layer-opt", "layer": layer, "name": name}


def test_a_bad_value_keeps_its_default_and_is_said_in_both_languages() -> None:
    values, problems = peta_options.chosen(
        KADER, ["kurang", 25, "ZZ9", None, 12],
        [ident("tampilan"), ident("norma"), ident("keterampilan"), ident("umur_asesmen"),
         ident("norma", "pustu")])  # fmt: skip
    assert values == {"tampilan": "kurang"}
    layer = base.from_config({"type": "kader", **values})
    assert (layer.tampilan, layer.norma, layer.keterampilan) == ("kurang", 5, "DL2")
    texts = [p("en") for p in problems]
    assert texts == [
        "Kader norm per posyandu: value 25 not used (must be 1–20); using 5.",
        "Skill or group: value ZZ9 not used (not one of the choices); using DL2.",
        "Assessment stale after (months): value – not used (empty or outside 1–120); "
        "using 24.",
    ]
    assert problems[0]("id") == ("Norma kader per posyandu: nilai 25 tidak dipakai (harus "
                                 "1–20); dipakai 5.")


def test_good_values_give_no_warning() -> None:
    values, problems = peta_options.chosen(KADER, ["rasio", 6], [ident("tampilan"),
                                                                 ident("norma")])
    assert values == {"tampilan": "rasio", "norma": 6} and problems == []
    assert peta_options.warnings(problems, "id") == []
