"""Case deadlines about to pass: one warning to whoever must meet each, before the escalation starts.

- A 12-hour step (the assessment, the emergency protection) is warned ``DEADLINE_WARNING_HOURS`` (2)
  hours before it is due, as urgent: quiet hours never hold it.
- A step counted in days (the plan: 5 working days; a review date) is warned from the morning
  (``MORNING``, Vietnam time) of the last ``DEADLINE_WARNING_WORKING_DAYS`` (1) working day(s) up to its
  last day, counted on the working-day calendar, so a plan due after Tết is not warned during it.

The warning goes to the assigned worker, or the commune's ward officers while nobody active is assigned
(the first level of the escalation). It runs as the system: the deadlines come from the SECURITY
DEFINER function ``case_approaching_deadlines`` (ids, paths and dates, never a case's content), and the
people and their routes are read once per chunk of deadlines. The event key names the deadline and the
time it is due, so a repeated, concurrent or retried run adds nothing, and a deadline the calendar moved
is warned again at its new time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from infra.clock import VIETNAM
from infra.db import scoped_session
from infra.settings import get_settings
from portal.cases.deadlines import end_of_day
from portal.cases.notices import URGENT_STEPS
from portal.cases.people import Directory
from portal.cases.reference import STEP_NAMES
from portal.notifications.events import MORNING, Message, case_link, raise_events
from portal.workdays.calendar import WorkingCalendar, load
from tenancy.scope import NO_SCOPE

CHUNK = 500  # deadlines per transaction
COLUMNS = ("deadline_id", "case_id", "reference", "step", "due_at", "hamlet_id", "unit_path", "assigned_to")


def last_day(due_at: datetime) -> date:
    """The last day a step due at ``due_at`` may be done on (a day step is due at the midnight after it)."""
    return (due_at.astimezone(VIETNAM) - timedelta(microseconds=1)).date()


def warn_from(calendar: WorkingCalendar, step: str, due_at: datetime) -> datetime:
    """When a step due at ``due_at`` starts to be "about to pass"."""
    settings = get_settings()
    if step in URGENT_STEPS:
        return due_at - timedelta(hours=settings.deadline_warning_hours)
    first = calendar.working_days_before(
        last_day(due_at) + timedelta(days=1), settings.deadline_warning_working_days
    )
    return datetime.combine(first, MORNING, tzinfo=VIETNAM)


def horizon(calendar: WorkingCalendar, now: datetime) -> datetime:
    """A due time beyond every step that may be about to pass at ``now`` (the query's upper bound)."""
    settings = get_settings()
    today = now.astimezone(VIETNAM).date()
    days = end_of_day(calendar.add_working_days(today, settings.deadline_warning_working_days))
    return max(days, now + timedelta(hours=settings.deadline_warning_hours))


def message(row: dict[str, Any]) -> Message:
    """The warning: the case's reference, the step and when it is due, a link; never the child."""
    vi, en = STEP_NAMES[row["step"]]
    reference, urgent = row["reference"], row["step"] in URGENT_STEPS
    if urgent:
        at = row["due_at"].astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")
        by_vi, by_en = f"trước {at}", f"by {at} (Vietnam time)"
        subject = f"KHẨN: sắp đến hạn hồ sơ {reference} / URGENT: case {reference} due soon"
    else:
        day = f"{last_day(row['due_at']):%d/%m/%Y}"
        by_vi, by_en = f"chậm nhất hết ngày {day}", f"by the end of {day}"
        subject = f"Sắp đến hạn: hồ sơ {reference} / Due soon: case {reference}"
    return Message(
        "deadline_approaching",
        f"approaching:{row['deadline_id']}:{int(row['due_at'].timestamp())}",
        subject,
        f"Hồ sơ {reference}: {vi.lower()} phải hoàn thành {by_vi}.\n"
        f"Case {reference}: {en.lower()} is due {by_en}.\n{case_link(row['case_id'])}",
        urgent=urgent,
    )


def watch(now: datetime) -> dict[str, int]:
    """Warn of every open step about to pass at ``now``; counts for the task's result."""
    with scoped_session(NO_SCOPE) as session:
        calendar = load(session)
        fn = func.case_approaching_deadlines(now, horizon(calendar, now)).table_valued(*COLUMNS)
        rows = [dict(r._mapping) for r in session.execute(select(fn))]
    soon = [r for r in rows if warn_from(calendar, r["step"], r["due_at"]) <= now]
    counts = {"approaching": len(soon), "messages": 0}
    for start in range(0, len(soon), CHUNK):
        chunk = soon[start : start + CHUNK]
        with scoped_session(NO_SCOPE) as session:
            directory = Directory(session)
            directory.preload([r["unit_path"] for r in chunk], [r["assigned_to"] for r in chunk])
            batch = [(message(r), directory.recipients(1, r["unit_path"], r["assigned_to"])) for r in chunk]
            counts["messages"] += raise_events(session, batch, now=now)
    return counts
