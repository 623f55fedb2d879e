"""Shapes of the calendar API's answers and requests."""

from __future__ import annotations

import msgspec

from portal.shapes import Out


class CalendarDayOut(Out):
    """``kind``: "holiday" (statutory, from the law), or "off" / "working" (a government decision)."""

    day: str
    kind: str
    name: str
    decision_ref: str | None


class CalendarOut(Out):
    year: int
    days: list[CalendarDayOut]


class DecidedDayIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: str
    name: str
    decision_ref: str
