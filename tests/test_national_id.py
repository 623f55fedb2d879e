"""The personal identification number checked against each of its four parts (pure functions)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.registry.national_id import (
    ID_PROVINCES,
    accepted_province_codes,
    blocking,
    century_sex_digit,
    mismatches,
)


def codes(number: str, born: date, sex: str, province: str | None = None) -> list[str]:
    return [m.code for m in mismatches(number, born, sex, province)]


def test_the_table_holds_the_63_codes_of_circular_07_2016():
    assert len(ID_PROVINCES) == 63
    assert ID_PROVINCES["001"].name == "Thành phố Hà Nội"
    assert ID_PROVINCES["006"].name == "Tỉnh Bắc Kạn"
    assert ID_PROVINCES["070"].name == "Tỉnh Bình Phước"
    assert ID_PROVINCES["070"].province_2025_name == "Tỉnh Đồng Nai"
    assert "003" not in ID_PROVINCES and "100" not in ID_PROVINCES


@pytest.mark.parametrize(
    ("year", "sex", "digit"),
    [(1999, "male", 0), (1900, "female", 1), (2000, "male", 2), (2018, "female", 3), (2150, "male", 4)],
)
def test_century_and_sex_digit(year, sex, digit):
    assert century_sex_digit(year, sex) == digit


@pytest.mark.parametrize(
    ("number", "born", "sex", "province"),
    [
        ("001218000123", date(2018, 3, 4), "male", "001"),  # Hà Nội, boy, 2018
        ("006318000001", date(2018, 5, 1), "female", "006"),  # Bắc Kạn, girl, 2018
        ("070099123456", date(1999, 12, 31), "male", "070"),  # Bình Phước, man born 1999
        ("070199654321", date(1999, 1, 1), "female", None),  # woman born 1999, no birth province
        ("075324000777", date(2024, 7, 1), "female", "070"),  # Bình Phước, in Đồng Nai since 2025
    ],
)
def test_numbers_that_fit(number, born, sex, province):
    assert mismatches(number, born, sex, province) == []


def test_each_part_that_disagrees_is_named():
    born = date(2018, 3, 4)
    assert codes("006218000123", born, "male", "001") == ["id_province"]
    assert codes("001318000123", born, "male", "001") == ["id_century_sex"]  # 3: a girl
    assert codes("001018000123", born, "male", "001") == ["id_century_sex"]  # 0: born in the 1900s
    assert codes("001217000123", born, "male", "001") == ["id_year"]
    assert codes("006119000123", born, "male", "001") == ["id_province", "id_century_sex", "id_year"]


def test_girls_and_boys_of_both_centuries():
    assert codes("001105000001", date(2005, 1, 1), "female") == ["id_century_sex"]  # 1 is 19xx
    assert codes("001305000001", date(2005, 1, 1), "female") == []
    assert codes("001205000001", date(2005, 1, 1), "female") == ["id_century_sex"]
    assert codes("001099000001", date(1999, 1, 1), "female") == ["id_century_sex"]
    assert codes("001199000001", date(1999, 1, 1), "female") == []
    assert codes("001299000001", date(1999, 1, 1), "male") == ["id_century_sex"]


def test_an_unknown_province_code_blocks_only_against_a_birth_province():
    found = mismatches("999218000123", date(2018, 3, 4), "male")
    assert [m.code for m in found] == ["id_province"] and blocking(found) == []
    found = mismatches("999218000123", date(2018, 3, 4), "male", "001")
    assert blocking(found) and found[0].code == "id_province"


def test_a_merged_province_accepts_its_2025_code_and_no_other():
    assert accepted_province_codes("015") == {"015"}  # Yên Bái went into Lào Cai, which kept 15
    assert accepted_province_codes("010") == {"010", "015"}  # Lào Cai is now coded 15
    assert codes("010218000123", date(2018, 1, 1), "male", "015") == ["id_province"]


def test_a_malformed_number_is_not_read_further():
    assert codes("12345", date(2018, 1, 1), "male") == ["invalid"]
    assert codes("00121800012a", date(2018, 1, 1), "male") == ["invalid"]
