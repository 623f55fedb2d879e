"""The legal deadlines of a case (Decree 56/2017/NĐ-CP, Chapter III) and their escalation rule.

- ``assessment``: the report is assessed at once; the portal allows 12 hours from receipt.
- ``emergency_protection``: an urgent danger is met with protection within 12 hours of receipt.
- ``plan``: the support/intervention plan is drafted (submitted for approval) within 5 working days of
  receipt, counted in Vietnam's calendar: Saturdays and Sundays are skipped; public holidays (Tết, 30
  April, 1 May, 2 September...) are not modelled, so the portal may warn a day or two early around them.
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

EMERGENCY_WINDOW = timedelta(hours=12)
ASSESSMENT_WINDOW = timedelta(hours=12)
PLAN_WORKING_DAYS = 5
ESCALATION_STEP = timedelta(hours=24)
LEVELS = (1, 2, 3)


def add_working_days(day: date, n: int) -> date:
    """The ``n``-th working day (Monday to Friday) after ``day``."""
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def end_of_day(day: date) -> datetime:
    """Midnight after ``day`` in Vietnam: a step due "on" a day may be done until the day ends."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=VIETNAM)


def plan_due(start: datetime) -> datetime:
    return end_of_day(add_working_days(start.astimezone(VIETNAM).date(), PLAN_WORKING_DAYS))


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
