"""Reading one cell as the value of its field: dates (dd/mm/yyyy, an Excel date, a serial number or a year
alone), sex in words, personal id numbers typed as numbers, phone numbers, special-circumstance groups
by letter or name. Each reader returns the value and the problem codes it found ("" when none)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from portal.registry.reference import SPECIAL_GROUPS
from portal.registry.text import fold

Cell = str | int | float | date | datetime | None

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_YEAR = re.compile(r"^(\d{4})(?:\.0)?$")
_EXCEL_EPOCH = date(1899, 12, 30)
_SPLIT = re.compile(r"[,;\n]+")
_GROUP_WORDS = re.compile(r"\b(nhom|diem|khoan)\b|[().:]")
_LETTER_WORDS = re.compile(r"^(nhóm|điểm|khoản)\s+")


def text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _year(y: int) -> tuple[date | None, str]:
    return (date(y, 1, 1), "year_only") if 1900 <= y <= 2100 else (None, "bad_date")


def read_date(value: Cell) -> tuple[date | None, str]:
    """A date, and ``year_only`` when only the year was given (then 1 January of it), ``bad_date`` when
    it is not a date. The registry has no "estimated" flag: the row's warning says so."""
    if isinstance(value, datetime):
        return value.date(), ""
    if isinstance(value, date):
        return value, ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = int(value)
        if 1900 <= number <= 2100:
            return _year(number)
        if 1 <= number < 80_000:  # an Excel serial day number shown without a date format
            return _EXCEL_EPOCH + timedelta(days=number), ""
        return None, "bad_date"
    raw = text(value)
    for pattern, order in ((_DMY, (3, 2, 1)), (_ISO, (1, 2, 3))):
        m = pattern.match(raw)
        if m:
            try:
                return date(int(m[order[0]]), int(m[order[1]]), int(m[order[2]])), ""
            except ValueError:
                return None, "bad_date"
    m = _YEAR.match(raw)
    if m:
        return _year(int(m[1]))
    return None, "bad_date"


_SEXES = {"nam": "male", "trai": "male", "male": "male", "m": "male"}
_SEXES |= {"nu": "female", "gai": "female", "female": "female", "f": "female"}


def read_sex(value: Cell) -> str:
    """``male``/``female`` from Nam/Nữ (or the codes); anything else as given, for the registry to refuse."""
    raw = text(value)
    return _SEXES.get(fold(raw), raw)


def read_national_id(value: Cell) -> str | None:
    """The number as text; one typed as a number lost its leading zeros (province codes start 0)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)).zfill(12)
    raw = re.sub(r"[\s.]", "", text(value))
    return raw or None


def read_phone(value: Cell) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        digits = str(int(value))
        return "0" + digits if len(digits) == 9 else digits
    raw = text(value)
    return "0" + raw if raw.isdigit() and len(raw) == 9 else raw or None  # a number that lost its 0


def names(value: Cell) -> list[str]:
    """Several names in one cell, separated by ';' or line breaks."""
    return [n.strip() for n in re.split(r"[;\n]+", text(value)) if n.strip()]


_GROUP_NAMES = [(code, fold(vi)) for code, vi, _en in SPECIAL_GROUPS]


def _group(token: str) -> str:
    bare = _LETTER_WORDS.sub("", token.strip().lower()).strip("().: ")
    if bare in ("đ", "dd"):  # folding would make "đ" the letter d (another group)
        return "dd"
    key = " ".join(_GROUP_WORDS.sub(" ", fold(token)).split())
    if key in {code for code, _ in _GROUP_NAMES}:
        return key
    for code, name in _GROUP_NAMES:
        if key in (name, name.removeprefix("tre em ")):
            return code
    found = [code for code, name in _GROUP_NAMES if len(key) >= 4 and key in name]
    return found[0] if len(found) == 1 else token.strip()


def read_groups(value: Cell) -> list[str]:
    """Art. 10 group codes from letters ("a", "đ", "điểm d") or names ("Trẻ em khuyết tật", "khuyết
    tật"); what is not recognised is kept as written, for the registry to refuse as an unknown code."""
    return [_group(t) for t in _SPLIT.split(text(value)) if t.strip()]
