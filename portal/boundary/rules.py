"""The rules every input value meets before any handler sees it, whatever the route.

Text: no control characters (C0, DEL, C1), no lone surrogates, no bidirectional controls (embeddings,
overrides, isolates, direction marks: a name must read the same everywhere it is shown). Tab, line feed
and carriage return only in the free-text fields of ``FREE_TEXT`` (notes, descriptions, addresses...).
Integers: ids (``id``, ``*_id``, items of ``*_ids``) fit PostgreSQL's bigint, every other integer its
integer (32-bit). Dates written in ISO form (or dd/mm/yyyy on the pages) lie within 1900-2100; each
service checks the narrower range its meaning allows. Lists hold at most ``MAX_ITEMS`` items (each
service checks the smaller size of its domain). ``page`` is at least 1, ``page_size`` 1 to 100.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from infra.errors import FieldError

BIGINT = (-(2**63), 2**63 - 1)
INTEGER = (-(2**31), 2**31 - 1)
MAX_PAGE_SIZE = 100
MAX_ITEMS = 1000
YEARS = (1900, 2100)

FREE_TEXT = frozenset(
    {
        "notes",
        "note",
        "description",
        "summary",
        "goals",
        "comment",
        "text",
        "body",
        "reason",
        "result",
        "actions_taken",
        "family_situation",
        "caregiver",
        "address",
        "place",
        "topic",
        "legal_basis",
        "measure",
        "agenda",
        "conclusions",
    }
)
"""Fields where a person writes several lines: tab, line feed and carriage return are allowed there."""

SECRETS = frozenset({"password", "code", "_csrf", "token"})
"""Opaque values: only the character rules apply (a password may look like a date or a number)."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_EXCEPT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_INTEGER_TEXT = re.compile(r"^[+-]?[0-9]+$")
_ISO_DATE = re.compile(r"^([0-9]{4,})-[0-9]{2}-[0-9]{2}(?:[T ][0-9:.]+(?:Z|[+-][0-9:]+)?)?$")
_VN_DATE = re.compile(r"^[0-9]{1,2}/[0-9]{1,2}/([0-9]{4,})$")


def leaf(field: str) -> str:
    """The last name of a field path: ``guardians[0].full_name`` -> ``full_name``."""
    return re.sub(r"\[\d+\]", "", field).rsplit(".", 1)[-1]


def is_id(field: str) -> bool:
    name = leaf(field)
    return name == "id" or name.endswith(("_id", "_ids"))


def text_errors(field: str, value: str, dates: bool = True) -> list[FieldError]:
    """Control and bidirectional characters, and dates outside 1900-2100 (not in free text)."""
    free = leaf(field) in FREE_TEXT
    if (_CONTROL_EXCEPT_LINES if free else _CONTROL).search(value):
        allowed = "" if free else " (line breaks and tabs only in notes, descriptions and addresses)"
        return [FieldError(field, f"contains a control character{allowed}", "control_character")]
    if _BIDI.search(value):
        return [
            FieldError(
                field,
                "contains a bidirectional control character (U+202A-U+202E, U+2066-U+2069...)",
                "bidi_control",
            )
        ]
    if dates and not free and leaf(field) not in SECRETS:
        year = _ISO_DATE.match(value) or _VN_DATE.match(value)
        if year and not YEARS[0] <= int(year.group(1)) <= YEARS[1]:
            return [FieldError(field, f"the year must be from {YEARS[0]} to {YEARS[1]}", "out_of_range")]
    return []


def integer_errors(field: str, value: int) -> list[FieldError]:
    low, high = BIGINT if is_id(field) else INTEGER
    if low <= value <= high:
        return []
    return [FieldError(field, f"must be between {low} and {high}", "out_of_range")]


def _whole(value: str) -> int | None:
    """The whole number a parameter spells, if it is one (a number of many digits as one beyond any range)."""
    digits = value.strip()
    if not _INTEGER_TEXT.match(digits):
        return None
    return int(digits) if len(digits) <= 30 else 10**30


def page_errors(field: str, value: str) -> list[FieldError]:
    """``page`` >= 1 and ``page_size`` 1-100, wherever a list is paged."""
    number = _whole(value)
    if number is None:
        return []  # not a number: the route's own decoding answers
    if field == "page" and not 1 <= number <= INTEGER[1]:
        return [FieldError("page", f"must be between 1 and {INTEGER[1]}", "out_of_range")]
    if field == "page_size" and not 1 <= number <= MAX_PAGE_SIZE:
        return [FieldError("page_size", f"must be between 1 and {MAX_PAGE_SIZE}", "out_of_range")]
    return []


def parameter_errors(field: str, value: str) -> list[FieldError]:
    """A query or form value: text rules; a whole number must fit a bigint (the widest column)."""
    found = text_errors(field, value)
    if found:
        return found
    if field in ("page", "page_size"):
        return page_errors(field, value)
    number = None if field in SECRETS else _whole(value)
    if number is not None and not BIGINT[0] <= number <= BIGINT[1]:
        return [FieldError(field, f"must be between {BIGINT[0]} and {BIGINT[1]}", "out_of_range")]
    return []


def json_errors(value: Any, field: str = "") -> Iterator[FieldError]:
    """Every problem of a decoded JSON document, each named by its path (``guardians[0].full_name``)."""
    if isinstance(value, str):
        yield from text_errors(field or "body", value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield FieldError(field or "body", "must be a finite number", "malformed")
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        yield from integer_errors(field or "body", value)
    elif isinstance(value, list):
        if len(value) > MAX_ITEMS:
            yield FieldError(field or "body", f"must have at most {MAX_ITEMS} items", "too_many")
            return
        for i, item in enumerate(value):
            yield from json_errors(item, f"{field}[{i}]")
    elif isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            yield FieldError(field or "body", f"must have at most {MAX_ITEMS} entries", "too_many")
            return
        for key, item in value.items():
            path = f"{field}.{key}" if field else str(key)
            if text_errors(path, key, dates=False):
                shown = key.encode("unicode_escape").decode("ascii")
                yield FieldError(
                    f"{field}.{shown}" if field else shown, "is not an accepted name", "malformed"
                )
                continue
            yield from json_errors(item, path)
