"""The deadline watch: alerts for overdue steps, escalated level by level, each exactly once.

Runs in a system session (no user, no scope): it reads overdue deadlines through the SECURITY DEFINER
function ``case_overdue_deadlines`` (ids, paths and dates only) and writes, per deadline and level, one
escalation row (primary key: deadline, level) and one alert per recipient (unique: deadline, level,
recipient), both with ``ON CONFLICT DO NOTHING`` in one transaction per deadline. So a repeated,
concurrent or retried run adds nothing, and a run that died before committing left nothing to lose:
the next run (every few minutes from Celery beat) finds the same overdue steps again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from infra.clock import VIETNAM
from infra.db import scoped_session
from portal.cases.deadlines import level_at
from portal.cases.models import CaseAlert, CaseEscalation
from portal.cases.people import commune_of, recipients
from portal.cases.reference import STEP_NAMES
from tenancy.scope import NO_SCOPE

LEVEL_NAMES = {1: "người phụ trách", 2: "cán bộ cấp xã", 3: "cấp huyện/tỉnh"}
COLUMNS = (
    "deadline_id",
    "case_id",
    "reference",
    "step",
    "due_at",
    "hamlet_id",
    "unit_path",
    "assigned_to",
    "escalated",
)


def _overdue(session: Session, now: datetime) -> list[dict[str, Any]]:
    fn = func.case_overdue_deadlines(now).table_valued(*COLUMNS)
    return [dict(r._mapping) for r in session.execute(select(fn))]


def _message(row: dict[str, Any], level: int, unit_name: str) -> str:
    vi, en = STEP_NAMES[row["step"]]
    due = row["due_at"].astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")
    return (
        f"Hồ sơ {row['reference']} ({unit_name}): {vi} quá hạn từ {due}; báo {LEVEL_NAMES[level]}. "
        f"Case {row['reference']}: {en.lower()} overdue since {due} (level {level})."
    )


def _escalate(session: Session, row: dict[str, Any], level: int, now: datetime) -> tuple[int, int]:
    """One level of one deadline: the escalation row, then its alerts. Returns what was written."""
    people = recipients(session, level, row["unit_path"], row["assigned_to"])
    written = session.execute(
        insert(CaseEscalation.__table__)
        .values(
            deadline_id=row["deadline_id"],
            level=level,
            case_id=row["case_id"],
            at=now,
            recipients=len(people),
        )
        .on_conflict_do_nothing()
        .execution_options(preserve_rowcount=True)  # INSERT rowcounts are kept only when asked for
    ).rowcount
    if not written or not people:
        return written, 0
    commune = commune_of(session, row["unit_path"])
    unit_id = commune.id if commune else row["hamlet_id"]
    message = _message(row, level, commune.name if commune else "")
    alerts = [
        {
            "id": uuid.uuid4(),
            "recipient_id": person,
            "deadline_id": row["deadline_id"],
            "case_id": row["case_id"],
            "reference": row["reference"],
            "unit_id": unit_id,
            "step": row["step"],
            "level": level,
            "due_at": row["due_at"],
            "message": message,
            "created_at": now,
        }
        for person in people
    ]
    stmt = insert(CaseAlert.__table__).values(alerts).on_conflict_do_nothing()
    return written, session.execute(stmt.execution_options(preserve_rowcount=True)).rowcount


def watch(now: datetime) -> dict[str, int]:
    """Escalate every overdue step as far as ``now`` says; returns counts for the task's result."""
    with scoped_session(NO_SCOPE) as session:
        rows = _overdue(session, now)
    escalations = alerts = 0
    for row in rows:
        levels = range(row["escalated"] + 1, level_at(row["due_at"], now) + 1)
        if not levels:
            continue
        with scoped_session(NO_SCOPE) as session:
            for level in levels:
                done = _escalate(session, row, level, now)
                escalations, alerts = escalations + done[0], alerts + done[1]
    return {"overdue": len(rows), "escalations": escalations, "alerts": alerts}
