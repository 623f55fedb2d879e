"""Recommendations past their deadline with no answer: the reminder watch's inspections part.

An open recommendation (never answered, or re-opened by the inspectors) whose deadline has passed is
overdue (``recommendation_overdue``): told once to the keepers of the responsible unit and to the
inspecting side, the plan's owner and its team. An answered one waits on the inspectors, not on the
unit, and is not told. Only deadlines passed within ``LOOK_BACK`` are looked at, so an old one is not
raked up; it is told from 07:00 the morning after the deadline (``reminder_day``). The message names
the unit and the deadline, never the recommendation's text (it may name people).

Runs as the system: ``inspection_overdue_recommendations`` (SECURITY DEFINER, migration 0033) lists
them with ids, names of units and dates; keepers and routes are read per chunk, never per row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infra.db import scoped_session
from portal.auth.models import User
from portal.notifications.events import KEEPERS, Message, link, raise_events, reminder_day
from tenancy.scope import NO_SCOPE

LOOK_BACK = timedelta(days=31)
CHUNK = 500
COLUMNS = (
    "recommendation_id", "deadline", "unit_id", "unit_name", "unit_level", "plan_id", "plan_owner", "team",
)  # fmt: skip


def message(row: Any) -> Message:
    due = f"{row.deadline:%d/%m/%Y}"
    return Message(
        "recommendation_overdue",
        f"recommendation_overdue:{row.recommendation_id}:{row.deadline.isoformat()}",
        f"Kiến nghị quá hạn: {row.unit_name} (hạn {due}) / Overdue recommendation: {row.unit_name}",
        f"Một kiến nghị sau kiểm tra giao cho {row.unit_name} đã quá hạn ({due}) mà chưa được trả lời.\n"
        f"A recommendation to {row.unit_name} after an inspection is past its deadline ({due}) "
        f"without an answer.\n{link('/recommendations')}",
    )


def _keepers(session: Session, rows: list[Any]) -> dict[int, list[int]]:
    """Responsible unit id -> its active keepers (its level's roles), for a chunk in one query."""
    levels = {r.unit_id: r.unit_level for r in rows}
    roles = sorted({role for level in levels.values() for role in KEEPERS.get(level, ())})
    out: dict[int, list[int]] = {}
    found = session.execute(
        select(User.id, User.unit_id, User.role).where(
            User.unit_id.in_(list(levels)), User.role.in_(roles), User.is_active.is_(True)
        )
    ).tuples()
    for user_id, unit_id, role in found:
        if unit_id is not None and role in KEEPERS.get(levels[unit_id], ()):
            out.setdefault(unit_id, []).append(user_id)
    return out


def watch(now: datetime) -> dict[str, int]:
    """Tell of every open recommendation past its deadline at ``now``; counts for the task's result."""
    today = reminder_day(now)
    counts = {"recommendation_overdue": 0, "messages": 0}
    with scoped_session(NO_SCOPE) as session:
        fn = func.inspection_overdue_recommendations(today, today - LOOK_BACK).table_valued(*COLUMNS)
        rows = list(session.execute(select(fn)))
    counts["recommendation_overdue"] = len(rows)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        with scoped_session(NO_SCOPE) as session:
            keepers = _keepers(session, chunk)
            batch = [
                (
                    message(r),
                    [*keepers.get(r.unit_id, []), *([r.plan_owner] if r.plan_owner else []), *(r.team or [])],
                )
                for r in chunk
            ]
            counts["messages"] += raise_events(session, batch, now=now)
    return counts
