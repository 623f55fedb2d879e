"""Reports due and overdue, told to the people who keep them: the reminder watch's reports part.

For each definition, each level that makes it and each of the last ``LOOK_BACK`` ended periods, the due
date comes from ``portal.reports.due`` (working days after the period's end, on the working-day
calendar). From ``REPORT_REMINDER_WORKING_DAYS`` (2) working days before it until the day itself, the
units of that level with no submitted (or approved) report are reminded (``report_due``, to the unit's
keepers); once the day has passed (for ``OVERDUE_WINDOW``, so an old period is not raked up), the report
is overdue (``report_overdue``): to the unit's keepers, and one message to the keepers of the unit above
naming its units that are late. The event keys name the definition, the unit and the period, so each is
raised once, however many (or concurrent) runs find it. The watch's day begins at 07:00 Vietnam time
(``reminder_day``), so what a new day opens goes out in the morning, not at midnight.

Runs as the system: ``report_missing_units`` (SECURITY DEFINER, migration 0033) lists the units that
owe a report, one call per definition, period and level; their keepers and routes are read per chunk of
units, never per unit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infra.db import scoped_session
from infra.settings import get_settings
from portal.auth.models import User
from portal.notifications.events import KEEPERS, Message, link, raise_events, reminder_day
from portal.reports.due import all_due_days, due_on, levels_of
from portal.reports.models import ReportDefinition
from portal.reports.periods import Period, containing, previous
from portal.workdays.calendar import WorkingCalendar, load
from tenancy.scope import NO_SCOPE

LOOK_BACK = 4  # ended periods looked at: a due date at most 40 working days away, then overdue 31 days
OVERDUE_WINDOW = timedelta(days=31)
CHUNK = 1000  # units per batch of keepers and messages
NAMED_BELOW = 20  # units named in the message to the unit above; the others are counted
COLUMNS = ("unit_id", "unit_name", "parent_id", "parent_level", "report_id")


@dataclass(frozen=True)
class Owed:
    """The reports of one level for one period of one definition, due on ``due``."""

    definition: ReportDefinition
    period: Period
    level: str
    due: date
    event: str  # "report_due" or "report_overdue"


def owed(
    calendar: WorkingCalendar,
    days: dict[tuple[int, str], int],
    definitions: list[ReportDefinition],
    today: date,
) -> Iterator[Owed]:
    """What is due soon or overdue on ``today``, by definition, period and level."""
    lead = get_settings().report_reminder_working_days
    for definition in definitions:
        current = containing(definition.period_type, today)
        last = containing(definition.period_type, current.start - timedelta(days=1))
        for period in previous(definition.period_type, last, LOOK_BACK):
            for level in levels_of(definition.lowest_level):
                working_days = days.get((definition.id, level))
                if working_days is None:
                    continue
                due = due_on(calendar, period.end, working_days)
                if calendar.working_days_before(due, lead) <= today <= due:
                    yield Owed(definition, period, level, due, "report_due")
                elif due < today <= due + OVERDUE_WINDOW:
                    yield Owed(definition, period, level, due, "report_overdue")


def _link(item: Owed, level: str, report_id: int | None = None) -> str:
    """The unit's report, else the page where a unit of ``level`` starts it (or sees its hamlets')."""
    if report_id is not None:
        return link(f"/reports/{report_id}")
    if item.definition.code == "monthly" and level in ("hamlet", "commune"):
        return link(f"/reports/month?period={item.period.key}")
    return link("/reports")


def _what(item: Owed) -> tuple[str, str]:
    """The report's name in Vietnamese and English (lower-case first letter, for inside a sentence)."""
    d = item.definition
    return d.name_vi[:1].lower() + d.name_vi[1:], d.name_en[:1].lower() + d.name_en[1:]


def unit_message(item: Owed, unit_name: str, unit_id: int, report_id: int | None) -> Message:
    """The reminder, or the overdue notice, to the unit's own keepers."""
    vi, en = _what(item)
    p, due = item.period.key, f"{item.due:%d/%m/%Y}"
    if item.event == "report_due":
        subject = f"Sắp đến hạn nộp báo cáo kỳ {p} của {unit_name} ({due}) / Report {p} due {due}"
        said = (
            f"Hạn nộp {vi} kỳ {p} của {unit_name} là hết ngày {due}.\n"
            f"The {en} for {p} of {unit_name} is due by the end of {due}."
        )
    else:
        subject = f"Quá hạn nộp báo cáo kỳ {p} của {unit_name} / Report {p} overdue"
        said = (
            f"{vi[:1].upper() + vi[1:]} kỳ {p} của {unit_name} chưa được nộp; hạn nộp là hết ngày {due}.\n"
            f"The {en} for {p} of {unit_name} was due by the end of {due} and has not been submitted."
        )
    return Message(
        item.event,
        f"{item.event}:{item.definition.id}:{unit_id}:{p}",
        subject,
        f"{said}\n{_link(item, item.level, report_id)}",
    )


def parent_message(item: Owed, parent_id: int, parent_level: str, late: list[str]) -> Message:
    """One notice to the keepers of the unit above: which of its units are late with the report."""
    vi, en = _what(item)
    p, due = item.period.key, f"{item.due:%d/%m/%Y}"
    named = ", ".join(sorted(late)[:NAMED_BELOW])
    more = len(late) - NAMED_BELOW
    vi_more, en_more = (f" và {more} đơn vị khác", f" and {more} more") if more > 0 else ("", "")
    return Message(
        "report_overdue",
        f"report_overdue:{item.definition.id}:{parent_id}:{p}:{item.level}:below",
        f"{len(late)} đơn vị chưa nộp báo cáo kỳ {p} / {len(late)} units late with report {p}",
        f"Quá hạn nộp {vi} kỳ {p} (hết ngày {due}) mà chưa nộp: {named}{vi_more}.\n"
        f"Past the due date of the {en} for {p} ({due}) and not submitted: {named}{en_more}.\n"
        f"{_link(item, parent_level)}",
    )


def _keepers(session: Session, units: dict[int, str]) -> dict[int, list[int]]:
    """unit id -> the active staff who keep its work (its level's roles), for many units in one query."""
    if not units:
        return {}
    roles = sorted({role for level in units.values() for role in KEEPERS.get(level, ())})
    rows = session.execute(
        select(User.id, User.unit_id, User.role)
        .where(User.unit_id.in_(list(units)), User.role.in_(roles), User.is_active.is_(True))
        .order_by(User.id)
    ).tuples()
    out: dict[int, list[int]] = {}
    for user_id, unit_id, role in rows:
        if unit_id is not None and role in KEEPERS.get(units[unit_id], ()):
            out.setdefault(unit_id, []).append(user_id)
    return out


def _raise(session: Session, item: Owed, rows: list[Any], now: datetime) -> int:
    """The messages for one chunk of units that owe ``item``'s report."""
    units = {r.unit_id: item.level for r in rows}
    parents = {r.parent_id: r.parent_level for r in rows if r.parent_id is not None}
    overdue = item.event == "report_overdue"
    keepers = _keepers(session, {**units, **(parents if overdue else {})})
    batch = [
        (unit_message(item, r.unit_name, r.unit_id, r.report_id), keepers.get(r.unit_id, [])) for r in rows
    ]
    if overdue:
        late: dict[int, list[str]] = {}
        for r in rows:
            if r.parent_id is not None:
                late.setdefault(r.parent_id, []).append(r.unit_name)
        batch += [
            (parent_message(item, p, parents[p], names), keepers.get(p, [])) for p, names in late.items()
        ]
    return raise_events(session, batch, now=now)


def watch(now: datetime) -> dict[str, int]:
    """Remind of the reports due soon and tell of the overdue ones at ``now``; counts for the task."""
    today = reminder_day(now)
    with scoped_session(NO_SCOPE) as session:
        calendar = load(session)
        days = all_due_days(session)
        definitions = list(session.scalars(select(ReportDefinition).order_by(ReportDefinition.id)))
        items = list(owed(calendar, days, definitions, today))
    counts = {"report_due": 0, "report_overdue": 0, "messages": 0}
    for item in items:
        with scoped_session(NO_SCOPE) as session:
            fn = func.report_missing_units(
                item.definition.id, item.period.key, item.level, item.period.end, today
            ).table_valued(*COLUMNS)
            missing = list(session.execute(select(fn)))
            counts[item.event] += len(missing)
            for chunk in _by_parent(missing):
                counts["messages"] += _raise(session, item, chunk, now)
    return counts


def _by_parent(rows: list[Any]) -> Iterator[list[Any]]:
    """Chunks of about ``CHUNK`` units that never split a parent's units (its notice names them all)."""
    groups: dict[int | None, list[Any]] = {}
    for row in rows:
        groups.setdefault(row.parent_id, []).append(row)
    chunk: list[Any] = []
    for group in groups.values():
        chunk += group
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
