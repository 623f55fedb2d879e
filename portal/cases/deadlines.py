"""The legal deadlines of a case (Decree 56/2017/NĐ-CP, Chapter III) and their escalation rule.

- ``assessment``: the report is assessed at once; the portal allows 12 hours from receipt.
- ``emergency_protection``: an urgent danger is met with protection within 12 hours of receipt.
- ``plan``: the support/intervention plan is drafted (submitted for approval) within 5 working days of
  receipt, counted in Vietnam's working-day calendar (``portal.workdays``: weekends, the statutory
  public holidays with Tết, and the government's yearly decisions). The deadline keeps the day it counts
  from, so a change to the calendar moves it (``portal.workdays.service.recompute_deadlines``).
- ``review``: the approved plan's review date (end of that day, Vietnam time).

An open deadline past due escalates by levels, ``ESCALATION_STEP`` apart: 1 the assigned worker, 2 the
commune's ward officers, 3 the district above the commune (the province where there is none).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from infra.clock import VIETNAM
from portal.cases.models import CaseDeadline
from portal.workdays.calendar import WorkingCalendar, load

EMERGENCY_WINDOW = timedelta(hours=12)
ASSESSMENT_WINDOW = timedelta(hours=12)
PLAN_WORKING_DAYS = 5
ESCALATION_STEP = timedelta(hours=24)
LEVELS = (1, 2, 3)


WORKING_DAY_STEPS = {"plan": PLAN_WORKING_DAYS}
"""The steps whose deadline counts working days, and how many."""


def end_of_day(day: date) -> datetime:
    """Midnight after ``day`` in Vietnam: a step due "on" a day may be done until the day ends."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=VIETNAM)


def working_due(calendar: WorkingCalendar, step: str, counted_from: date) -> datetime:
    """The end of the last working day a working-day step may take, counted from ``counted_from``."""
    return end_of_day(calendar.add_working_days(counted_from, WORKING_DAY_STEPS[step]))


def open_plan_deadline(session: Session, case_id: uuid.UUID, start: datetime) -> CaseDeadline:
    """The plan deadline: 5 working days after ``start`` (the receipt, a review, a reopening)."""
    first = start.astimezone(VIETNAM).date()
    deadline = open_deadline(session, case_id, "plan", working_due(load(session), "plan", first))
    deadline.counted_from = first
    return deadline


def level_at(due_at: datetime, now: datetime) -> int:
    """How far a deadline has escalated at ``now``: 0 not yet due, then 1, 2, 3 (the highest)."""
    if now < due_at:
        return 0
    return min(len(LEVELS), 1 + int((now - due_at) / ESCALATION_STEP))


def open_deadline(session: Session, case_id: uuid.UUID, step: str, due_at: datetime) -> CaseDeadline:
    deadline = CaseDeadline(id=uuid.uuid4(), case_id=case_id, step=step, due_at=due_at)
    session.add(deadline)
    return deadline


def _open(session: Session, case_id: uuid.UUID, step: str | None = None) -> list[CaseDeadline]:
    stmt = select(CaseDeadline).where(
        CaseDeadline.case_id == case_id, CaseDeadline.met_at.is_(None), CaseDeadline.cancelled_at.is_(None)
    )
    if step is not None:
        stmt = stmt.where(CaseDeadline.step == step)
    return list(session.scalars(stmt))


def meet(session: Session, case_id: uuid.UUID, step: str, at: datetime) -> None:
    for deadline in _open(session, case_id, step):
        deadline.met_at = at


def cancel_all(session: Session, case_id: uuid.UUID, at: datetime) -> None:
    for deadline in _open(session, case_id):
        deadline.cancelled_at = at


def deadlines_of(session: Session, case_id: uuid.UUID) -> list[CaseDeadline]:
    return list(
        session.scalars(
            select(CaseDeadline)
            .where(CaseDeadline.case_id == case_id)
            .order_by(CaseDeadline.due_at, CaseDeadline.created_at)
        )
    )
