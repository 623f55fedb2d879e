"""The deadline watch: alerts for overdue steps, escalated level by level, each exactly once.

Runs in a system session (no user, no scope): it reads overdue deadlines through the SECURITY DEFINER
function ``case_overdue_deadlines`` (ids, paths, dates and the highest level already escalated; never
case content) and writes, for each new level, one escalation row (primary key: deadline, level) and one
alert per recipient (unique: deadline, level, recipient), with ``ON CONFLICT DO NOTHING``, one
transaction per chunk of deadlines. So a repeated, concurrent or retried run adds nothing, and a run
that died before committing left nothing to lose: the next run (every few minutes from Celery beat)
finds the same overdue steps again and catches up every level at once. The people a chunk reaches are
read at once (``Directory.preload``) and its messages raised in one batch (``raise_events``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from infra.clock import VIETNAM
from infra.db import scoped_session
from portal.cases.deadlines import level_at
from portal.cases.models import CaseAlert, CaseEscalation
from portal.cases.notices import escalated
from portal.cases.people import Directory
from portal.cases.reference import STEP_NAMES
from tenancy.scope import NO_SCOPE

CHUNK = 500  # deadlines per transaction
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


Notice = tuple[dict[str, Any], int, str, list[int]]


def _rows(
    directory: Directory, row: dict[str, Any], now: datetime, notices: list[Notice] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The escalation rows and alert rows a deadline is owed at ``now`` beyond what it already has
    (and, in ``notices``, what to send off the portal for each new level)."""
    escalations, alerts = [], []
    commune = directory.commune(row["unit_path"])
    for level in range(row["escalated"] + 1, level_at(row["due_at"], now) + 1):
        people = directory.recipients(level, row["unit_path"], row["assigned_to"])
        escalations.append(
            {
                "deadline_id": row["deadline_id"],
                "level": level,
                "case_id": row["case_id"],
                "at": now,
                "recipients": len(people),
            }
        )
        message = _message(row, level, commune.name if commune else "")
        if notices is not None:
            notices.append((row, level, message, people))
        alerts += [
            {
                "id": uuid.uuid4(),
                "recipient_id": person,
                "deadline_id": row["deadline_id"],
                "case_id": row["case_id"],
                "reference": row["reference"],
                "unit_id": commune.id if commune else row["hamlet_id"],
                "step": row["step"],
                "level": level,
                "due_at": row["due_at"],
                "message": message,
                "created_at": now,
            }
            for person in people
        ]
    return escalations, alerts


def _write(session: Session, table: Any, rows: list[dict[str, Any]]) -> int:
    """Insert many rows with one compiled statement (executemany); the count of rows really written."""
    if not rows:
        return 0
    stmt = insert(table).on_conflict_do_nothing()
    # INSERT rowcounts are kept only when asked for; no RETURNING (the system session may not read rows)
    result = session.execute(stmt.execution_options(preserve_rowcount=True), rows)
    return int(cast("CursorResult[Any]", result).rowcount)


def watch(now: datetime) -> dict[str, int]:
    """Escalate every overdue step as far as ``now`` says; returns counts for the task's result."""
    with scoped_session(NO_SCOPE) as session:
        overdue = _overdue(session, now)
    written = {"overdue": len(overdue), "escalations": 0, "alerts": 0}
    pending = [r for r in overdue if level_at(r["due_at"], now) > r["escalated"]]
    with scoped_session(NO_SCOPE) as lookups:
        directory = Directory(lookups)
        for start in range(0, len(pending), CHUNK):
            escalations, alerts = [], []
            notices: list[Notice] = []
            chunk = pending[start : start + CHUNK]
            directory.preload([r["unit_path"] for r in chunk], [r["assigned_to"] for r in chunk])
            for row in chunk:
                more = _rows(directory, row, now, notices)
                escalations += more[0]
                alerts += more[1]
            with scoped_session(NO_SCOPE) as session:
                written["escalations"] += _write(session, CaseEscalation.__table__, escalations)
                written["alerts"] += _write(session, CaseAlert.__table__, alerts)
                escalated(session, notices, now)  # one message per event and person, however many runs
    return written
