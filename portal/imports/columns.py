"""Which column of a register file holds which field: the usual Vietnamese headings, recognised without
regard to accents or case, a commune's remembered choices on top, and the choices given for one file."""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.registry.text import fold

FIELDS = (
    "full_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "national_id",
    "guardian_name",
    "guardian_phone",
    "hamlet",
    "groups",
    "address",
    "notes",
)
IGNORE = "ignore"
REQUIRED = ("full_name", "date_of_birth", "sex", "ethnicity")
"""Fields every row must give (the hamlet too, unless the import is into one hamlet)."""

HEADINGS_VI = {
    "full_name": "Họ và tên",
    "date_of_birth": "Ngày sinh",
    "sex": "Giới tính",
    "ethnicity": "Dân tộc",
    "national_id": "Số định danh",
    "guardian_name": "Họ tên cha/mẹ/người nuôi dưỡng",
    "guardian_phone": "Số điện thoại",
    "hamlet": "Thôn/Tổ",
    "groups": "Hoàn cảnh đặc biệt",
    "address": "Địa chỉ",
    "notes": "Ghi chú",
}
"""The template's headings (each is also recognised)."""

_EXACT = {
    "stt": IGNORE,
    "so thu tu": IGNORE,
    "ho va ten": "full_name",
    "ho ten": "full_name",
    "ho va ten tre": "full_name",
    "ho va ten tre em": "full_name",
    "ten tre": "full_name",
    "ngay sinh": "date_of_birth",
    "ngay thang nam sinh": "date_of_birth",
    "nam sinh": "date_of_birth",
    "gioi tinh": "sex",
    "dan toc": "ethnicity",
    "so dinh danh": "national_id",
    "so dinh danh ca nhan": "national_id",
    "ma dinh danh": "national_id",
    "cccd": "national_id",
    "ho ten cha me nguoi nuoi duong": "guardian_name",
    "ho ten cha me": "guardian_name",
    "nguoi nuoi duong": "guardian_name",
    "nguoi cham soc": "guardian_name",
    "so dien thoai": "guardian_phone",
    "dien thoai": "guardian_phone",
    "sdt": "guardian_phone",
    "thon to": "hamlet",
    "thon": "hamlet",
    "to": "hamlet",
    "to dan pho": "hamlet",
    "thon to dan pho": "hamlet",
    "ap": "hamlet",
    "ban": "hamlet",
    "hoan canh dac biet": "groups",
    "nhom hcdb": "groups",
    "nhom hoan canh dac biet": "groups",
    "dia chi": "address",
    "ghi chu": "notes",
}
# Headings that contain these words (checked in this order, after the exact names).
_CONTAINS = (
    ("cha", "guardian_name"),
    ("nuoi duong", "guardian_name"),
    ("giam ho", "guardian_name"),
    ("ngay sinh", "date_of_birth"),
    ("nam sinh", "date_of_birth"),
    ("gioi tinh", "sex"),
    ("dan toc", "ethnicity"),
    ("dinh danh", "national_id"),
    ("dien thoai", "guardian_phone"),
    ("hoan canh", "groups"),
    ("ho va ten", "full_name"),
    ("thon", "hamlet"),
    ("to dan pho", "hamlet"),
)
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def heading_key(heading: str) -> str:
    """A heading as compared: accents, case and punctuation dropped ("Thôn/Tổ" -> "thon to")."""
    return _NOT_WORD.sub(" ", fold(heading)).strip()


def _recognised(key: str) -> str | None:
    if key in _EXACT:
        return _EXACT[key]
    padded = f" {key} "
    return next((field for words, field in _CONTAINS if f" {words} " in padded), None)


@dataclass(frozen=True)
class Column:
    index: int
    heading: str
    field: str | None
    how: str
    """``recognised`` (a usual heading), ``commune`` (the commune's remembered choice), ``given`` (asked
    for this file), ``repeat`` (a field an earlier column already holds: ignored) or ``unknown``."""

    def as_json(self) -> dict[str, object]:
        return {"index": self.index, "heading": self.heading, "field": self.field, "how": self.how}


def map_columns(headings: list[str], remembered: dict[str, str], given: dict[str, str]) -> list[Column]:
    """Each heading's field: given for this file, else the commune's, else recognised. A field held by an
    earlier column is not taken again. Keys of ``remembered`` and ``given`` are compared as
    :func:`heading_key`; their values are fields or ``ignore``."""
    given_keys = {heading_key(k): v for k, v in given.items()}
    remembered_keys = {heading_key(k): v for k, v in remembered.items()}
    taken: set[str] = set()
    out = []
    for index, heading in enumerate(headings):
        key = heading_key(heading)
        field: str | None
        if key in given_keys:
            field, how = given_keys[key], "given"
        elif key in remembered_keys:
            field, how = remembered_keys[key], "commune"
        else:
            found = _recognised(key) if key else None
            field, how = (found, "recognised") if found else (None, "unknown")
        if field == IGNORE:
            field = None
        elif field in taken:
            field, how = None, "repeat"
        if field:
            taken.add(field)
        out.append(Column(index, heading, field, how))
    return out


def bad_mapping_fields(mapping: dict[str, str]) -> list[str]:
    """Headings of ``mapping`` whose field is not one the import knows."""
    return [heading for heading, field in mapping.items() if field not in (*FIELDS, IGNORE)]
