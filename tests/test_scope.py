"""The Scope: which regions a user may see, narrowing, and cache keys."""

from __future__ import annotations

import re

import pytest

from layers.codes import CodeError, within
from layers.scope import Scope


def _refused(scope: Scope, code: object) -> bool:
    """True when ``scope`` does not let ``code`` through (False or a CodeError)."""
    try:
        return not scope.allows(code)  # type: ignore[arg-type]
    except CodeError:
        return True


# --- everything ---------------------------------------------------------------------


def test_everything_allows_all_levels() -> None:
    everything = Scope.everything()
    assert everything.is_everything
    assert not everything.is_empty
    for code in ["35", "19.06", "35.10.01", "35.10.01.2001", "3510012001", "64.72.01.1001"]:
        assert everything.allows(code), code


def test_everything_narrowed_is_that_region() -> None:
    narrowed = Scope.everything().narrow("3510")
    assert narrowed == Scope.of(["35.10"])
    assert not narrowed.is_everything
    assert narrowed.allows("35.10.01.2001")
    assert not narrowed.allows("35.11.01.2001")
    assert not narrowed.allows("19.06.01.2001")


# --- of / allows ------------------------------------------------------------------------


def test_of_normalises_and_allows_inside() -> None:
    scope = Scope.of(["3510"])
    assert scope.regions == frozenset({"35.10"})
    assert not scope.is_everything and not scope.is_empty
    assert scope.allows("35.10")
    assert scope.allows("35.10.01")
    assert scope.allows("35.10.01.2001")
    assert scope.allows("3510012001")
    assert scope.allows(" 35.10.24.1005 ")


@pytest.mark.parametrize(
    "outside",
    [
        "35",  # the province around the kabupaten is wider, not inside
        "35.01.10.2001",  # "10" as the kecamatan of another kabupaten
        "35.01.10",
        "35.11.01.2001",  # a kabupaten sharing the text prefix "35.1"
        "35.11",
        "35.01",
        "36.10.01.2001",
        "19.06.01.2001",
        "3501102001",  # plain form of 35.01.10.2001
        "3511",
    ],
)
def test_kabupaten_scope_is_prefix_safe(outside: str) -> None:
    assert not Scope.of(["35.10"]).allows(outside)


@pytest.mark.parametrize("malformed", ["35.1", "35.100", "35.1001.2001", "351", "", None, 3510])
def test_malformed_codes_are_never_allowed_by_a_restricted_scope(malformed: object) -> None:
    assert _refused(Scope.of(["35.10"]), malformed)
    assert _refused(Scope.of(["35"]), malformed)


def test_kecamatan_and_village_scopes() -> None:
    kec = Scope.of(["35.10.01"])
    assert kec.allows("35.10.01.2001")
    assert kec.allows("35.10.01.2005")
    assert not kec.allows("35.10.02.2001")
    assert not kec.allows("35.10.10.2001")
    assert not kec.allows("35.10")

    villages = Scope.of(["35.10.01.2001", "3510022003"])
    assert villages.regions == frozenset({"35.10.01.2001", "35.10.02.2003"})
    assert villages.allows("35.10.01.2001")
    assert villages.allows("35.10.02.2003")
    assert not villages.allows("35.10.01.2002")
    assert not villages.allows("35.10.01")  # the kecamatan as a whole is wider
    assert _refused(villages, "35.10.01.200")  # a malformed 9-digit code


def test_multi_region_scope() -> None:
    scope = Scope.of(["35.10", "19.06.01"])
    assert scope.allows("35.10.05.1001")
    assert scope.allows("19.06.01.2001")
    assert not scope.allows("19.06.02.2001")
    assert not scope.allows("19.06")


@pytest.mark.parametrize("empty", [[], (), set(), iter([])])
def test_of_nothing_raises(empty: object) -> None:
    with pytest.raises(ValueError):
        Scope.of(empty)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [["35.1"], ["35.10", "35.1001.2001"], [3510], [None], "35.10"])
def test_of_refuses_malformed_regions(bad: object) -> None:
    # a bare string is iterated character by character, so it must fail too
    with pytest.raises(CodeError):
        Scope.of(bad)  # type: ignore[arg-type]


# --- narrow -----------------------------------------------------------------------------


def test_narrow_to_sub_region_gives_that_region() -> None:
    kab = Scope.of(["35.10"])
    assert kab.narrow("35.10.01") == Scope.of(["35.10.01"])
    assert kab.narrow("351001") == Scope.of(["35.10.01"])
    assert kab.narrow("35.10.01.2001") == Scope.of(["35.10.01.2001"])
    assert kab.narrow("35.10") == kab


@pytest.mark.parametrize("outside", ["35.11", "35.01.10", "35.11.01.2001", "19.06", "36"])
def test_narrow_outside_gives_empty_scope(outside: str) -> None:
    narrowed = Scope.of(["35.10"]).narrow(outside)
    assert narrowed.is_empty
    assert not narrowed.is_everything
    assert not narrowed.allows(outside)
    assert not narrowed.allows("35.10.01.2001")
    assert narrowed.narrow("35.10").is_empty  # narrowing an empty scope stays empty


def test_narrow_to_wider_region_never_widens() -> None:
    kab = Scope.of(["35.10"])
    narrowed = kab.narrow("35")
    assert narrowed == kab
    assert not narrowed.allows("35.11.01.2001")
    two = Scope.of(["35.10", "35.11.01", "19.06"])
    assert two.narrow("35") == Scope.of(["35.10", "35.11.01"])


def test_narrow_village_scope_to_kecamatan_keeps_only_its_villages() -> None:
    villages = Scope.of(["35.10.01.2001", "35.10.01.2002", "35.10.02.2001", "35.10.10.2001"])
    narrowed = villages.narrow("35.10.01")
    assert narrowed == Scope.of(["35.10.01.2001", "35.10.01.2002"])
    assert not narrowed.allows("35.10.01")
    assert not narrowed.allows("35.10.01.2003")
    assert not narrowed.allows("35.10.02.2001")
    assert villages.narrow("35.10.03").is_empty


@pytest.mark.parametrize(
    "scope",
    [
        Scope.everything(),
        Scope.of(["35"]),
        Scope.of(["35.10"]),
        Scope.of(["35.10.01.2001", "35.10.02.2001"]),
        Scope.of(["35.10", "19.06.01"]),
    ],
)
@pytest.mark.parametrize(
    "region", ["35", "35.10", "35.10.01", "35.10.01.2001", "35.11", "19.06", "19.06.01.2001"]
)
@pytest.mark.parametrize(
    "probe",
    ["35.10.01.2001", "35.10.02.2001", "35.11.01.2001", "19.06.01.2001", "19.06.02.2001", "35"],
)
def test_narrow_allows_exactly_the_intersection(scope: Scope, region: str, probe: str) -> None:
    narrowed = scope.narrow(region)
    assert narrowed.allows(probe) == (scope.allows(probe) and within(probe, region))


def test_narrow_refuses_malformed_region() -> None:
    with pytest.raises(CodeError):
        Scope.of(["35.10"]).narrow("35.1")
    with pytest.raises(CodeError):
        Scope.everything().narrow("35.1001.2001")


# --- key --------------------------------------------------------------------------------


def test_key_is_stable_and_independent_of_order_and_form() -> None:
    a = Scope.of(["35.10", "19.06.01"])
    b = Scope.of(["190601", " 3510", "35.10"])
    assert a == b
    assert a.key == b.key
    assert a.key == Scope.of(["35.10", "19.06.01"]).key
    assert re.fullmatch(r"[0-9a-f]{12}", a.key)
    assert Scope.everything().key == "all"


def test_keys_differ_between_scopes() -> None:
    scopes = [
        Scope.everything(),
        Scope.of(["35"]),
        Scope.of(["35.10"]),
        Scope.of(["35.11"]),
        Scope.of(["35.10.01"]),
        Scope.of(["35.10", "35.11"]),
        Scope.of(["35.10.01.2001"]),
        Scope.of(["35.10.01.2001", "35.10.01.2002"]),
        Scope.of(["35.10"]).narrow("36"),  # empty
    ]
    keys = [s.key for s in scopes]
    assert len(set(keys)) == len(keys)


def test_scope_is_hashable_and_frozen() -> None:
    assert len({Scope.of(["35.10"]), Scope.of(["3510"]), Scope.everything()}) == 2
    with pytest.raises(AttributeError):
        Scope.of(["35.10"]).regions = None  # type: ignore[misc]
