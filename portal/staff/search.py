"""Accent- and case-insensitive matching of staff names in SQL ("nguyen" finds "Nguyễn").

Accounts carry no folded search column (the users table belongs to auth), so the name is folded
in the query with ``translate``; names are stored in NFC (``clean_name``), which this relies on.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func

from portal.registry.text import fold

_VIETNAMESE = (
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
_PLAIN = "".join(fold(ch) for ch in _VIETNAMESE)
assert len(_PLAIN) == len(_VIETNAMESE)


def folded(column: ColumnElement[str]) -> ColumnElement[str]:
    return func.translate(column, _VIETNAMESE, _PLAIN)
