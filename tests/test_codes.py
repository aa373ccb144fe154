"""Kemendagri region codes: normalising, levels, parents, village kind, bad input.

Cross-checked against the real code list (Belitung Timur, Banyuwangi, Kalimantan
Timur) and the Banyuwangi village boundaries in /work/shared/data.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from layers import codes
from layers.codes import CodeError

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CODE_LIST = SHARED / "codes" / "idn_area_data_villages_1906_3510_64.csv"
DESA_BANYUWANGI = SHARED / "boundaries" / "desa_3510_banyuwangi.geojson"


def _code_rows() -> list[dict[str, str]]:
    with CODE_LIST.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _desa_properties() -> list[dict]:
    with DESA_BANYUWANGI.open(encoding="utf-8") as fh:
        return [f["properties"] for f in json.load(fh)["features"]]


# --- normalize: well-formed input -------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("35", "35"),
        ("3510", "35.10"),
        ("351001", "35.10.01"),
        ("3510012001", "35.10.01.2001"),
        ("35.10", "35.10"),
        ("35.10.01", "35.10.01"),
        ("35.10.01.2001", "35.10.01.2001"),
        ("0101010001", "01.01.01.0001"),  # leading zeros survive
        (" 35.10.01 ", "35.10.01"),
        ("\t3510012001\n", "35.10.01.2001"),
    ],
)
def test_normalize_accepts_dotted_and_plain(given: str, expected: str) -> None:
    assert codes.normalize(given) == expected
    assert codes.is_valid(given)


@pytest.mark.parametrize("code", ["35", "35.10", "35.10.01", "35.10.01.2001"])
def test_normalize_is_idempotent(code: str) -> None:
    assert codes.normalize(codes.normalize(code)) == code


@pytest.mark.parametrize(
    ("code", "digits"),
    [("35", "35"), ("35.10", "3510"), ("35.10.01", "351001"), ("35.10.01.2001", "3510012001")],
)
def test_plain_drops_dots_and_round_trips(code: str, digits: str) -> None:
    assert codes.plain(code) == digits
    assert codes.plain(digits) == digits
    assert codes.normalize(codes.plain(code)) == code


# --- normalize: malformed input ---------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "3",  # 1 digit
        "351",  # 3 digits
        "35100",  # 5 digits
        "3510012",  # 7 digits
        "35100120",  # 8 digits
        "351001200",  # 9 digits
        "35100120011",  # 11 digits
        "35.1",
        "3.51",
        "35.100",
        "35.10.1",
        "35.10.001",
        "35.10.01.201",
        "35.10.01.20011",
        "35.1001.2001",  # mixed dotted / plain
        "3510.01.2001",
        "35.10.012001",
        "35.10.",
        ".35.10",
        "35..10",
        "35-10-01-2001",
        "35 10 01 2001",
        "35. 10",
        "35.1A",
        "AB",
        "35.10.01.200a",
        "kab 35.10",
        "-35",
        "+35",
        "3.5",
    ],
)
def test_normalize_refuses_malformed_text(bad: str) -> None:
    with pytest.raises(CodeError) as info:
        codes.normalize(bad)
    err = info.value
    assert err.value == bad
    assert "Kemendagri" in err.reason_id and "bukan" in err.reason_id
    assert "not a Kemendagri region code" in err.reason_en
    assert err.reason_en in str(err)
    assert not codes.is_valid(bad)


@pytest.mark.parametrize("number", [3510012001, 35, 35.10, 3510.0, True, None, b"3510"])
def test_normalize_refuses_non_text_with_both_languages(number: object) -> None:
    with pytest.raises(CodeError) as info:
        codes.normalize(number)
    err = info.value
    assert err.value is number
    assert "angka" in err.reason_id and "teks" in err.reason_id
    assert "not a number" in err.reason_en
    assert not codes.is_valid(number)


def test_code_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        codes.normalize("nonsense")


def test_functions_taking_codes_refuse_malformed_input() -> None:
    for fn in (codes.plain, codes.level, codes.parent, codes.ancestors, codes.village_kind):
        with pytest.raises(CodeError):
            fn("35.1001.2001")
        with pytest.raises(CodeError):
            fn(3510012001)  # type: ignore[arg-type]
    with pytest.raises(CodeError):
        codes.within("35.10.01.2001", "35.1")
    with pytest.raises(CodeError):
        codes.within("35.100", "35.10")


# --- levels, parents, ancestors ---------------------------------------------------


@pytest.mark.parametrize(
    ("code", "lvl"),
    [
        ("35", "prov"),
        ("35.10", "kab"),
        ("3510", "kab"),
        ("35.10.01", "kec"),
        ("351001", "kec"),
        ("35.10.01.2001", "desa"),
        ("3510011001", "desa"),
    ],
)
def test_level(code: str, lvl: str) -> None:
    assert codes.level(code) == lvl


@pytest.mark.parametrize(
    ("code", "up"),
    [
        ("35.10.01.2001", "35.10.01"),
        ("3510012001", "35.10.01"),  # plain in, dotted out
        ("35.10.01", "35.10"),
        ("35.10", "35"),
        ("35", None),
    ],
)
def test_parent(code: str, up: str | None) -> None:
    assert codes.parent(code) == up


def test_ancestors_nearest_first() -> None:
    assert codes.ancestors("35.10.01.2001") == ["35.10.01", "35.10", "35"]
    assert codes.ancestors("3510012001") == ["35.10.01", "35.10", "35"]
    assert codes.ancestors("35.10.01") == ["35.10", "35"]
    assert codes.ancestors("35.10") == ["35"]
    assert codes.ancestors("35") == []


# --- village kind (7th digit) -----------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("35.10.01.2001", "desa"),
        ("3510012001", "desa"),
        ("35.10.05.1001", "kelurahan"),
        ("3510051001", "kelurahan"),
    ],
)
def test_village_kind_from_seventh_digit(code: str, kind: str) -> None:
    assert codes.village_kind(code) == kind


@pytest.mark.parametrize("code", ["35.10.01.0001", "35.10.01.3001", "35.10.01.9001"])
def test_village_kind_refuses_other_seventh_digits(code: str) -> None:
    with pytest.raises(CodeError) as info:
        codes.village_kind(code)
    assert "digit ke-7" in info.value.reason_id
    assert "7th digit" in info.value.reason_en


@pytest.mark.parametrize(("code", "kind"), [
    ("91.03.01.3007", None), ("9103013007", None), ("35.10.01.2001", "desa"),
    ("35.10.05.1001", "kelurahan"),
])  # fmt: skip
def test_village_kind_or_none_knows_a_seventh_digit_of_3_as_unknown(code: str,
                                                                    kind: str | None) -> None:
    """Real codes (../shared/data/README.md §5: the Desa Adat of 91.03) have a 7th digit of 3."""
    assert codes.village_kind_or_none(code) == kind
    assert codes.village_code(code) == codes.normalize(code)


def test_village_kind_stays_strict_for_a_seventh_digit_of_3() -> None:
    with pytest.raises(CodeError) as info:
        codes.village_kind("91.03.01.3007")
    assert "1 (kelurahan) or 2 (desa)" in info.value.reason_en


@pytest.mark.parametrize("code", ["35.10.01.0001", "35.10.01.9001", "35.10.01", "35", "x"])
def test_village_code_refuses_other_digits_and_levels(code: str) -> None:
    with pytest.raises(CodeError) as info:
        codes.village_code(code)
    assert info.value.reason_id != info.value.reason_en
    with pytest.raises(CodeError):
        codes.village_kind_or_none(code)


def test_village_kinds_of_many_dotted_codes() -> None:
    assert codes.village_kinds(["35.10.01.2001", "35.10.05.1001", "91.03.01.3007"]) == [
        "desa", "kelurahan", None]  # fmt: skip
    assert codes.village_kinds([]) == []


@pytest.mark.parametrize("code", ["35", "35.10", "35.10.01", "351001"])
def test_village_kind_refuses_non_village_levels(code: str) -> None:
    with pytest.raises(CodeError) as info:
        codes.village_kind(code)
    assert info.value.reason_en == "not a village code"
    assert "desa/kelurahan" in info.value.reason_id


# --- within -----------------------------------------------------------------------


def test_within_is_segment_safe() -> None:
    assert codes.within("35.10.01.2001", "35.10")
    assert codes.within("35.10.01.2001", "35")
    assert codes.within("35.10.01.2001", "35.10.01.2001")
    assert codes.within("3510012001", "3510")
    # "35.10" is a text prefix of "35.10" only at a segment boundary
    assert not codes.within("35.01.10.2001", "35.10")
    assert not codes.within("35.11.01.2001", "35.10")
    assert not codes.within("35.10", "35.10.01")  # a wider region is not inside
    assert not codes.within("36.10.01.2001", "35")
    assert not codes.within("35.10.01.2001", "35.10.02")
    assert not codes.within("35.10.01.2001", "35.10.01.2002")


# --- cross-check against the real code list and boundaries --------------------------


def test_code_list_is_large_and_has_both_kinds() -> None:
    rows = _code_rows()
    assert len(rows) > 1000
    sevenths = {codes.plain(r["code"])[6] for r in rows}
    assert sevenths == {"1", "2"}


def test_every_listed_code_normalises_round_trips_and_has_its_district_as_parent() -> None:
    rows = _code_rows()
    for row in rows:
        code = row["code"]
        assert codes.normalize(code) == code, code
        assert codes.level(code) == "desa", code
        digits = codes.plain(code)
        assert len(digits) == 10 and digits.isdigit(), code
        assert codes.normalize(digits) == code, code
        assert codes.parent(code) == row["district_code"], code
        assert codes.parent(digits) == row["district_code"], code
        assert codes.level(row["district_code"]) == "kec", code
        assert codes.within(code, row["district_code"]), code
        assert codes.village_kind(code) in ("desa", "kelurahan"), code
    assert len({r["code"] for r in rows}) == len(rows)  # no duplicate codes


def test_seventh_digit_matches_jenis_in_banyuwangi_boundaries() -> None:
    props = _desa_properties()
    assert len(props) > 200
    kinds = {p["jenis"] for p in props}
    assert kinds == {"desa", "kelurahan"}  # both kinds are exercised
    for p in props:
        code = p["kode_desa"]
        assert codes.village_kind(code) == p["jenis"], code
        assert codes.village_kind(p["kode_desa_10"]) == p["jenis"], code
        assert codes.plain(code) == p["kode_desa_10"], code
        assert codes.normalize(p["kode_desa_10"]) == code, code
        assert codes.ancestors(code) == [p["kode_kec"], p["kode_kab"], p["kode_prov"]], code


def test_banyuwangi_boundaries_agree_with_code_list() -> None:
    listed = {r["code"]: r["district_code"] for r in _code_rows()}
    for p in _desa_properties():
        assert p["kode_desa"] in listed, p["kode_desa"]
        assert listed[p["kode_desa"]] == codes.parent(p["kode_desa"])
