"""Reporting periods in words: ``2026-12`` is "Tháng 12/2026" ("December 2026"), ``2026-Q4`` "Quý 4/2026",
``2026-H1`` "6 tháng đầu năm 2026", ``2026`` "Năm 2026". The one place pages turn a period key into text
(the templates' ``period`` filter, the dashboard's chart labels)."""

from __future__ import annotations

import re

from babel.dates import get_month_names

from portal.locale import DEFAULT_LANG, LOCALES, NP_, Msg, translate

_KEY = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])|H([12])))?$")

# The month's name is Babel's stand-alone one ("Tháng 12", "December"); the rest is the catalogue's.
MONTH: Msg = NP_("period", "%(month)s %(year)s")
QUARTER: Msg = NP_("period", "Q%(n)s %(year)s")
HALF: dict[str, Msg] = {
    "1": NP_("period", "First half of %(year)s"),
    "2": NP_("period", "Second half of %(year)s"),
}
YEAR: Msg = NP_("period", "Year %(year)s")


def period_name(key: str | None, lang: str = DEFAULT_LANG) -> str:
    """A period key (month, quarter, half year or year) as the reader says it; any other text unchanged."""
    found = _KEY.match(key or "")
    if found is None:
        return key or ""
    year, month, quarter, half = found.groups()
    if month:
        locale = LOCALES.get(lang, LOCALES[DEFAULT_LANG])
        name = get_month_names("wide", context="stand-alone", locale=locale)[int(month)]
        return translate(lang, MONTH, month=name, year=year)
    if quarter:
        return translate(lang, QUARTER, n=quarter, year=year)
    if half:
        return translate(lang, HALF[half], year=year)
    return translate(lang, YEAR, year=year)
