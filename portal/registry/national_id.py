"""The 12-digit personal identification number (số định danh cá nhân) checked against a child's record.

Structure (Decree 137/2015/NĐ-CP, Art. 13; Circular 07/2016/TT-BCA, Art. 7 and Appendix I):

- digits 1-3: the code of the province where the birth was registered (``data/id_province_codes.csv``:
  the 63 codes of Circular 07/2016, which are the statistics office's pre-2025 province codes with a
  leading zero: 001 Hà Nội, 006 Bắc Kạn, 070 Bình Phước). A birth registered abroad carries a country
  code instead, which is not in that table;
- digit 4: century of birth and sex: 0 male / 1 female born 1900-1999, 2 / 3 in 2000-2099, 4 / 5 in
  2100-2199, and so on (8 / 9 in 2300-2399);
- digits 5-6: the last two digits of the year of birth;
- digits 7-12: a random number.

The 2025 merger of provinces (Resolution 202/2025/QH15) does not change numbers already issued: a child
whose birth was registered in Yên Bái keeps 015. For a birth province that went into a 2025 province,
the code of that 2025 province (its statistics office code with a leading zero, always one of the 63)
is accepted too, for numbers issued after the merger.

Pure functions: no database, no clock.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

_TABLE = Path(__file__).with_name("data") / "id_province_codes.csv"
_FORMAT = re.compile(r"^[0-9]{12}$")


@dataclass(frozen=True)
class IdProvince:
    code: str
    """Three digits, as in the number (Circular 07/2016/TT-BCA, Appendix I)."""
    name: str
    province_2025_code: str
    """The statistics office code of the 2025 province it went into (Resolution 202/2025/QH15)."""
    province_2025_name: str


def _load() -> dict[str, IdProvince]:
    with open(_TABLE, encoding="utf-8", newline="") as f:
        return {
            r["id_code"]: IdProvince(
                r["id_code"], r["name"], r["province_2025_code"], r["province_2025_name"]
            )
            for r in csv.DictReader(f)
        }


ID_PROVINCES: dict[str, IdProvince] = _load()
"""The 63 province codes of the number, in code order."""


@dataclass(frozen=True)
class Mismatch:
    """One part of the number that disagrees with the record: ``code`` names the part."""

    code: str  # id_province | id_century_sex | id_year
    message: str
    blocking: bool = True


def well_formed(number: str) -> bool:
    return bool(_FORMAT.match(number))


def century_sex_digit(year: int, sex: str) -> int | None:
    """The fourth digit for a child born in ``year`` of ``sex`` (None outside 1900-2399)."""
    if not 1900 <= year <= 2399 or sex not in ("male", "female"):
        return None
    return 2 * ((year - 1900) // 100) + (1 if sex == "female" else 0)


def accepted_province_codes(birth_province: str) -> set[str]:
    """The province parts a number may carry for a birth registered in ``birth_province`` (a code of
    the table): its own, and the code of the 2025 province it went into."""
    known = ID_PROVINCES.get(birth_province)
    if known is None:
        return {birth_province}
    return {birth_province, "0" + known.province_2025_code}


def mismatches(number: str, born: date, sex: str, birth_province: str | None = None) -> list[Mismatch]:
    """Which parts of a well-formed ``number`` disagree with the record (empty: it fits).

    The province part is checked against the record's birth province when it has one (blocking); without
    one, a code outside the table is reported as not blocking (it may be a country code)."""
    if not well_formed(number):
        return [Mismatch("invalid", "must be the 12-digit personal identification number")]
    out: list[Mismatch] = []
    province, digit, year = number[:3], int(number[3]), number[4:6]
    if birth_province is not None:
        if province not in accepted_province_codes(birth_province):
            named = ID_PROVINCES.get(birth_province)
            where = named.name if named else birth_province
            out.append(
                Mismatch(
                    "id_province",
                    f"digits 1-3 ({province}) are not the code of {where} ({birth_province}), "
                    "the province where the birth was registered",
                )
            )
    elif province not in ID_PROVINCES:
        out.append(
            Mismatch(
                "id_province",
                f"digits 1-3 ({province}) are not a province code of Circular 07/2016/TT-BCA",
                blocking=False,
            )
        )
    expected = century_sex_digit(born.year, sex)
    if expected is not None and digit != expected:
        out.append(
            Mismatch(
                "id_century_sex",
                f"digit 4 ({digit}) does not fit a {sex} child born in {born.year} (it should be {expected})",
            )
        )
    if year != f"{born.year % 100:02d}":
        out.append(
            Mismatch("id_year", f"digits 5-6 ({year}) are not the year of birth ({born.year % 100:02d})")
        )
    return out


def blocking(found: list[Mismatch]) -> list[Mismatch]:
    """The mismatches that refuse a save: every part except an unknown province code on a record
    without a birth province."""
    return [m for m in found if m.blocking]
