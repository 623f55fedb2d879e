"""Days and moments typed on the pages: one form, ``dd/mm/yyyy`` (``d/m/yyyy`` too) and ``dd/mm/yyyy hh:mm``.

Any other shape is refused, never read silently: ``2018-03-04`` and ``04.03.2018`` could each be taken
for a day the user did not mean. The problem (``BadDay``) carries what the message needs: the form
expected and an example, which is the typed text read as ``dd/mm/yyyy`` where it has only one reading
as a day (``2018-03-04``, ``04.03.2018``, ``04032018``, ``03/25/2018`` all read as one day), else a
sample. ``portal.web.i18n.field_errors`` adds the field's name (``date_label``).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from portal.locale import N_, Msg, translate

DAY_FORM = "dd/mm/yyyy"
MOMENT_FORM = "dd/mm/yyyy hh:mm"
DAY_SAMPLE = "04/03/2018"
MOMENT_SAMPLE = "04/03/2018 14:30"

_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_PARTS = re.compile(r"(\d+)[^\d]+(\d+)[^\d]+(\d+)")
_MOMENT = re.compile(r"(\S+)\s+(\d{1,2})[:h](\d{2})")


class BadDay(ValueError):
    """A typed day or moment not in the form: ``code`` ``date_form`` (another shape) or ``no_such_day``
    (the form, but no such day in the calendar), and the message's ``params`` (form, example)."""

    def __init__(self, code: str, form: str, example: str) -> None:
        super().__init__(f"is not a {form} {'moment' if form == MOMENT_FORM else 'date'}")
        self.message, self.code = str(self), code
        self.params = {"form": form, "example": example}


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _only(*readings: date | None) -> date | None:
    found = {r for r in readings if r is not None}
    return found.pop() if len(found) == 1 else None


def reading(text: str) -> date | None:
    """The one day ``text`` can mean when it is not written as ``dd/mm/yyyy`` (None: none, or more than
    one). Day first unless the year comes first; a month above 12 read with day and month swapped; a
    two-digit year has no reading (which century?)."""
    text = text.strip()
    if re.fullmatch(r"\d{8}", text):
        return _only(
            _day(int(text[4:]), int(text[2:4]), int(text[:2])),
            _day(int(text[:4]), int(text[4:6]), int(text[6:])),
        )
    parts = _PARTS.fullmatch(text)
    if parts is None:
        return None
    a, b, c = parts.groups()
    if len(a) == 4 and len(b) <= 2 and len(c) <= 2:
        return _day(int(a), int(b), int(c))
    if len(c) == 4 and len(a) <= 2 and len(b) <= 2:
        return _day(int(c), int(b), int(a)) or _day(int(c), int(a), int(b))
    return None


def read_day(text: str, form: str = DAY_FORM, sample: str = DAY_SAMPLE) -> date:
    """The day written ``dd/mm/yyyy`` (or ``d/m/yyyy``) in ``text``; else ``BadDay``."""
    text = text.strip()
    found = _DAY.fullmatch(text)
    day = _day(int(found[3]), int(found[2]), int(found[1])) if found else None
    if day is not None:
        return day
    meant = reading(text)
    if meant is not None:
        raise BadDay("date_form", form, meant.strftime("%d/%m/%Y"))
    raise BadDay("no_such_day" if found else "date_form", form, sample)


def read_moment(text: str) -> datetime:
    """The moment written ``dd/mm/yyyy hh:mm`` (also ``14h30``; a day alone is its midnight), Vietnam's
    time as a naive value (the case service reads it so); else ``BadDay``."""
    text = text.strip()
    found = _MOMENT.fullmatch(text)
    hour, minute = (int(found[2]), int(found[3])) if found else (0, 0)
    try:
        day = read_day(found[1] if found else text, MOMENT_FORM, MOMENT_SAMPLE)
    except BadDay as exc:
        if found and exc.params["example"] != MOMENT_SAMPLE:
            exc.params["example"] += f" {hour:02d}:{minute:02d}"
        raise
    if hour > 23 or minute > 59:
        raise BadDay("date_form", MOMENT_FORM, f"{day:%d/%m/%Y} {MOMENT_SAMPLE[-5:]}")
    return datetime(day.year, day.month, day.day, hour, minute)


def parse_day(text: str) -> date | None:
    """:func:`read_day`, None for anything not a ``dd/mm/yyyy`` day."""
    try:
        return read_day(text)
    except BadDay:
        return None


DATE_LABELS: dict[str, Msg] = {
    "date_of_birth": N_("Date of birth"),
    "child_date_of_birth": N_("Date of birth"),
    "new_child_date_of_birth": N_("Date of birth"),
    "group_since": N_("In the group since"),
    "moved_on": N_("Date of the move"),
    "received_at": N_("Received at"),
    "taken_at": N_("Taken at"),
    "meeting_on": N_("Meeting date"),
    "review_on": N_("Review on"),
    "next_review_on": N_("Review on"),
    "deadline": N_("Deadline"),
    "from": N_("From"),
    "to": N_("To"),
    "visit_from": N_("First day of the visit"),
    "visit_to": N_("Last day of the visit"),
}
"""The pages' date inputs by name, as their labels say."""
_ROW_LISTS: dict[str, Msg] = {
    "gp": N_("Special-circumstance groups"),
    "rk": N_("Risks"),
    "sp": N_("Supports received"),
}
"""The lists of rows, each row named as its list and number (as the child form's row selects are)."""
_PLAN_ACTION = N_("Action %(n)s")  # the case plan's rows, as their legends say
_ROW_PARTS: dict[str, Msg] = {"since": N_("Since"), "until": N_("Until"), "due_on": N_("Due")}
_ROW = re.compile(r"(gp|rk|sp|actions)_(\d+)_(since|until|due_on)")


def date_label(name: str, lang: str) -> str:
    """The name of a date input as the page labels it (a row's: "Risks 2 – Since")."""
    if name in DATE_LABELS:
        return translate(lang, DATE_LABELS[name])
    row = _ROW.fullmatch(name)
    if row is None:
        return translate(lang, N_("Date"))
    n = int(row[2]) + 1
    named = (
        translate(lang, _PLAN_ACTION, n=n)
        if row[1] == "actions"
        else f"{translate(lang, _ROW_LISTS[row[1]])} {n}"
    )
    return f"{named} – {translate(lang, _ROW_PARTS[row[3]])}"
