"""Village classes from hand-made facility tables, bad input included."""

from __future__ import annotations

import pandas as pd
import pytest

from layers.pustu import classes

VILLAGES = ["V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8"]


def facilities(*rows: tuple[str, str, str, object, object]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["jenis", "kode_desa", "status", "perawat", "bidan"])


def test_every_class_from_its_facilities() -> None:
    fac = facilities(
        ("pustu", "V1", "aktif", 1, 1),
        ("pustu", "V2", "aktif", 0, 2),
        ("pustu", "V3", "aktif", 2, 0),
        ("pustu", "V4", "aktif", 0, 0),
        ("pustu", "V5", "rencana", 0, 0),
        ("puskesmas", "V6", "aktif", 8, 6),
        ("posyandu", "V7", "aktif", 0, 0),  # not a Pustu: V7 has none
        ("puskesmas", "V8", "rencana", 0, 0),  # a planned Puskesmas serves nobody yet
    )
    table, ignored = classes.village_classes(VILLAGES, fac)
    assert table["kode_desa"].tolist() == VILLAGES
    assert table["kelas"].tolist() == ["lengkap", "tanpa_perawat", "tanpa_bidan",
                                       "tanpa_keduanya", "rencana", "puskesmas", "tidak_ada",
                                       "tidak_ada"]
    assert table["staf_minimal"].tolist() == [True] + [False] * 7
    assert table["kurang_perawat"].tolist() == [0, 1, 0, 1, 0, 0, 0, 0]
    assert table["kurang_bidan"].tolist() == [0, 0, 1, 1, 0, 0, 0, 0]
    # a Puskesmas' staff is not Pustu staff
    assert table.loc[5, ["perawat", "bidan"]].tolist() == [0, 0]
    assert ignored == classes.Ignored(0, 0)
    assert set(classes.CLASSES) == set(classes.CLASS_TEXT) == set(classes.CLASS_COLORS)


def test_the_first_matching_class_wins() -> None:
    fac = facilities(
        ("pustu", "V1", "aktif", 0, 1), ("pustu", "V1", "rencana", 0, 0),
        ("puskesmas", "V1", "aktif", 5, 5),  # active Pustu beats the rest
        ("pustu", "V2", "rencana", 0, 0), ("puskesmas", "V2", "aktif", 5, 5),  # planned first
    )
    table, _ = classes.village_classes(["V1", "V2"], fac)
    assert table["kelas"].tolist() == ["tanpa_perawat", "rencana"]
    assert table[["pustu_aktif", "pustu_rencana", "puskesmas"]].values.tolist() == [
        [1, 1, 1], [0, 1, 1]]


def test_two_active_pustu_are_one_village_with_their_staff_summed() -> None:
    fac = facilities(
        ("pustu", "V1", "aktif", 1, 0), ("pustu", "V1", "aktif", 0, 1),  # together: minimum
        ("pustu", "V2", "aktif", 1, 0), ("pustu", "V2", "aktif", 2, 0),  # both lack a bidan
    )
    table, _ = classes.village_classes(["V1", "V2", "V3"], fac)
    assert table["kelas"].tolist() == ["lengkap", "tanpa_bidan", "tidak_ada"]
    assert table["pustu_ganda"].tolist() == [True, True, False]
    assert table["pustu_aktif"].tolist() == [2, 2, 0]
    # staff short once per village, not once per duplicate
    assert table["kurang_bidan"].tolist() == [0, 1, 0]
    assert table[["perawat", "bidan"]].values.tolist() == [[1, 1], [3, 0], [0, 0]]


@pytest.mark.parametrize(("perawat", "bidan", "kelas", "bad"), [
    (None, 1, "tanpa_perawat", False),  # empty = 0, as the importer stores it
    ("1", "1", "lengkap", False),
    ("satu", 1, "tanpa_perawat", True),
    (-1, 1, "tanpa_perawat", True),
    (1.5, 1, "tanpa_perawat", True),
    (1, "", "tanpa_bidan", False),
])
def test_staffing_that_is_not_a_whole_number_counts_as_zero_and_is_flagged(
        perawat: object, bidan: object, kelas: str, bad: bool) -> None:
    table, _ = classes.village_classes(["V1"], facilities(("pustu", "V1", "aktif", perawat, bidan)))
    assert table.loc[0, "kelas"] == kelas
    assert bool(table.loc[0, "staf_tidak_sah"]) is bad


def test_rows_outside_the_villages_or_with_another_status_are_left_out_and_counted() -> None:
    fac = facilities(
        ("pustu", "V1", "aktif", 1, 1),
        ("pustu", "X9", "aktif", 1, 1),  # a village not shown
        ("pustu", "V2", "tutup", 1, 1),  # not a stored status
    )
    table, ignored = classes.village_classes(["V1", "V2"], fac)
    assert table["kelas"].tolist() == ["lengkap", "tidak_ada"]
    assert ignored == classes.Ignored(outside=1, status=1)


def test_no_facilities_at_all() -> None:
    table, _ = classes.village_classes(["V1", "V2"], facilities())
    assert table["kelas"].tolist() == ["tidak_ada", "tidak_ada"]
    assert not table["staf_minimal"].any()


def test_a_puskesmas_covers_its_village_only_when_the_office_says_so() -> None:
    fac = facilities(("pustu", "V1", "aktif", 0, 0), ("puskesmas", "V2", "aktif", 3, 3),
                     ("pustu", "V3", "rencana", 0, 0))
    table, _ = classes.village_classes(["V1", "V2", "V3", "V4"], fac)
    assert classes.covered(table, puskesmas_served=True).tolist() == [True, True, False, False]
    assert classes.covered(table, puskesmas_served=False).tolist() == [True, False, False, False]
