"""The working-day calendar as a service: read it, record the government's decisions, recompute.

Anyone signed in reads the calendar (it is public law). Only an administrator records or removes a
decided day (Casbin: ``calendar`` ``edit``), with the decision that declared it; each change is audited
and, once committed, the open working-day deadlines of every case are recomputed by a task
(``tasks.workdays.recompute_deadlines``) that writes each move in the case's history.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.after_commit import send_after_commit
from infra.clock import today
from infra.db import scoped_session
from infra.errors import FieldError, NotVisible, ValidationFailed
from portal.audit.service import record as audit
from portal.workdays.calendar import WorkingCalendar, load, statutory
from portal.workdays.models import CalendarDay
from tenancy.scope import NO_SCOPE

RECOMPUTE_TASK = "tasks.workdays.recompute_deadlines"
FIRST_YEAR, YEARS_AHEAD = 2000, 3


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= today().year + YEARS_AHEAD:
        raise ValidationFailed(
            [
                FieldError(
                    "year", f"must be {FIRST_YEAR} to {today().year + YEARS_AHEAD}", "input_out_of_range"
                )
            ]
        )
    return year


def calendar_json(session: Session, year: int) -> dict[str, Any]:
    """The year's public holidays and the government's decided days, in date order."""
    year = _year(year)
    decided = {
        row.day: row
        for row in session.scalars(
            select(CalendarDay).where(func.extract("year", CalendarDay.day) == year).order_by(CalendarDay.day)
        )
    }
    days = [
        {"day": d.isoformat(), "kind": "holiday", "name": name, "decision_ref": None}
        for d, name in sorted(statutory(year).items())
        if d not in decided
    ]
    days += [
        {"day": d.isoformat(), "kind": row.kind, "name": row.name, "decision_ref": row.decision_ref}
        for d, row in decided.items()
    ]
    return {"year": year, "days": sorted(days, key=lambda d: str(d["day"]))}


def decide_day(
    session: Session, caller: Caller, day: date, kind: str, name: str, decision_ref: str
) -> CalendarDay:
    """Record (or replace) a day the government declared off, or worked in exchange."""
    authorize_action(caller, "calendar", "edit")
    errors = []
    if kind not in ("off", "working"):
        errors.append(FieldError("kind", "must be off or working", "unknown_code"))
    name, decision_ref = " ".join(name.split())[:200], " ".join(decision_ref.split())[:200]
    if not name:
        errors.append(FieldError("name", "is required", "required"))
    if not decision_ref:
        errors.append(FieldError("decision_ref", "name the decision that declared the day", "required"))
    _year(day.year)
    if errors:
        raise ValidationFailed(errors)
    row = session.get(CalendarDay, day)
    before = None if row is None else {"kind": row.kind, "name": row.name, "decision_ref": row.decision_ref}
    if row is None:
        row = CalendarDay(day=day, created_by=caller.user_id)
        session.add(row)
    row.kind, row.name, row.decision_ref = kind, name, decision_ref
    session.flush()
    after = {"kind": kind, "name": name, "decision_ref": decision_ref}
    audit(
        caller.actor,
        "edit",
        "calendar",
        "allowed",
        resource_ids=[day.isoformat()],
        detail={"before": before, "after": after},
    )
    send_after_commit(session, RECOMPUTE_TASK)
    return row


def remove_day(session: Session, caller: Caller, day: date) -> None:
    authorize_action(caller, "calendar", "edit")
    row = session.get(CalendarDay, day)
    if row is None:
        raise NotVisible(
            "no decided day on this date", resource="calendar", action="edit", resource_ids=[day.isoformat()]
        )
    before = {"kind": row.kind, "name": row.name, "decision_ref": row.decision_ref}
    session.delete(row)
    session.flush()
    audit(
        caller.actor,
        "remove",
        "calendar",
        "allowed",
        resource_ids=[day.isoformat()],
        detail={"before": before},
    )
    send_after_commit(session, RECOMPUTE_TASK)


def recompute_deadlines(reason: str = "the working-day calendar changed") -> int:
    """Move every open working-day deadline to what the calendar says now; the moved count. Runs as the
    system (no user): the database's functions list and move the deadlines and write the history."""
    from portal.cases.deadlines import working_due

    moved = 0
    with scoped_session(NO_SCOPE) as session:
        calendar = load(session)
        rows = session.execute(
            select(
                func.case_working_deadlines().table_valued(
                    "deadline_id", "case_id", "step", "counted_from", "due_at"
                )
            )
        ).all()
        for row in rows:
            due: datetime = working_due(calendar, row.step, row.counted_from)
            if due != row.due_at:
                moved += bool(
                    session.execute(
                        select(func.case_deadline_move(row.deadline_id, due, reason))
                    ).scalar_one()
                )
    return moved


__all__ = ["WorkingCalendar", "calendar_json", "decide_day", "recompute_deadlines", "remove_day"]
