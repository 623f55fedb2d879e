"""Events that reach people off the portal: one outbox row per event, recipient and channel.

An event is raised inside the transaction that made it happen (or by the deadline and reminder
watches, as the system, many at once with :func:`raise_events`). Its message names a case by reference
and gives a link, never a child. The channels are the recipient's choice for that event
(``notification_preferences``), else the event's default; a channel the person has no address for is
skipped. A routine message written in the recipient's quiet hours waits until they end; an urgent one
(an emergency, a 12-hour step escalated or about to pass) never waits. The unique
``event_key`` per recipient and channel makes a repeated, retried or concurrent raise add nothing; the
rows really added are sent once the transaction commits, the others by the sweep when they are due.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from infra.after_commit import send_after_commit
from infra.clock import VIETNAM, utcnow
from infra.settings import get_settings
from portal.auth.models import User
from portal.notifications.models import EVENTS, Notification
from portal.notifications.outbox import DELIVER_TASK

DEFAULT_CHANNELS: dict[str, tuple[str, ...]] = {
    "case_received": ("email",),
    "emergency": ("email", "sms", "zalo"),
    "deadline_escalated": ("email",),
    "referral_waiting": ("email",),
    "report_returned": ("email",),
    "report_approved": ("email",),
    "recommendation_assigned": ("email",),
    "report_due": ("email",),
    "report_overdue": ("email",),
    "recommendation_overdue": ("email",),
    "deadline_approaching": ("email", "sms"),
}
# The staff who keep a unit's work, by the unit's level (a report's or a recommendation's people).
KEEPERS = {
    "hamlet": ("collaborator",),
    "commune": ("ward_officer",),
    "district": ("district_officer",),
    "province": ("provincial_inspector",),
}
MORNING = time(7, 0)  # the reminders' day starts with the working day, not at midnight
ROUTES_CHUNK = 1000  # recipients whose routes are read in one call
INSERT_CHUNK = 2000  # outbox rows per INSERT (10 values each: far below PostgreSQL's 65535)
ROUTE_COLUMNS = ("user_id", "email", "phone", "zalo_user_id", "quiet_from", "quiet_to", "event", "channels")


@dataclass(frozen=True)
class Message:
    event: str
    key: str  # unique per event (e.g. "escalation:<deadline>:<level>"): one message per recipient
    subject: str
    body: str
    urgent: bool = False


def reminder_day(now: datetime) -> date:
    """The day the reminder watches count by at ``now``: Vietnam's date, where a new day begins at
    ``MORNING`` (07:00), so that a reminder that opens with the day goes out in the morning, not at
    midnight."""
    local = now.astimezone(VIETNAM)
    return local.date() if local.time() >= MORNING else local.date() - timedelta(days=1)


def link(path: str) -> str:
    return f"{get_settings().public_url}{path}"


def case_link(case_id: object) -> str:
    return link(f"/cases/{case_id}")


def keepers(session: Session, unit_id: int, level: str, but: int | None = None) -> list[int]:
    """The active staff who keep ``unit_id``'s work (its level's role), the caller excepted."""
    rows = session.scalars(
        select(User.id).where(User.unit_id == unit_id, User.role.in_(KEEPERS.get(level, ())), User.is_active)
    )
    return [u for u in rows if u != but]


def quiet_until(now: datetime, start: time | None, end: time | None) -> datetime:
    """``now``, or the end of the quiet hours (Vietnam time) ``now`` falls in."""
    if start is None or end is None or start == end:
        return now
    local = now.astimezone(VIETNAM)
    t = local.time()
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return now
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return until if until > local else until + timedelta(days=1)


def _routes(session: Session, users: list[int]) -> dict[int, dict[str, Any]]:
    fn = func.notification_routes(users).table_valued(*ROUTE_COLUMNS)
    out: dict[int, dict[str, Any]] = {}
    for row in session.execute(select(fn)):
        person = out.setdefault(row.user_id, {**row._mapping, "preferences": {}})
        if row.event is not None:
            person["preferences"][row.event] = list(row.channels or [])
    return out


def _address(person: dict[str, Any], channel: str) -> str | None:
    value = {"email": person["email"], "sms": person["phone"], "zalo": person["zalo_user_id"]}[channel]
    return str(value) if value else None


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def raise_events(
    session: Session,
    batch: Iterable[tuple[Message, Iterable[int]]],
    requested_by: int | None = None,
    now: datetime | None = None,
) -> int:
    """Queue each message for its recipients on their channels: the routes of everyone in the batch are
    read at once (one call per thousand people) and the rows inserted together; the number really added."""
    now = now or utcnow()
    items = [(message, sorted({int(r) for r in recipients})) for message, recipients in batch]
    users = sorted({u for _message, people in items for u in people})
    routes: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(users, ROUTES_CHUNK):
        routes.update(_routes(session, chunk))
    rows = []
    for message, people in items:
        assert message.event in EVENTS, message.event
        for user_id in people:
            person = routes.get(user_id)
            if person is None:  # no active account
                continue
            channels = person["preferences"].get(message.event) or DEFAULT_CHANNELS[message.event]
            when = now if message.urgent else quiet_until(now, person["quiet_from"], person["quiet_to"])
            for channel in channels:
                address = _address(person, channel)
                if address:
                    rows.append(
                        {
                            "kind": message.event,
                            "channel": channel,
                            "user_id": user_id,
                            "address": address,
                            "requested_by": requested_by,
                            "event_key": message.key,
                            "subject": message.subject[:200],
                            "body": message.body,
                            "urgent": message.urgent,
                            "next_attempt_at": when,
                        }
                    )
    added = 0
    for chunk in _chunks(rows, INSERT_CHUNK):
        stmt = (
            insert(Notification)
            .values(chunk)
            .on_conflict_do_nothing(
                index_elements=["event_key", "user_id", "channel"], index_where=text("event_key IS NOT NULL")
            )
            .returning(Notification.id, Notification.next_attempt_at)
        )
        for notification_id, when in session.execute(stmt).all():
            added += 1
            if when <= now:
                send_after_commit(session, DELIVER_TASK, notification_id)
    return added


def raise_event(
    session: Session,
    message: Message,
    recipients: Iterable[int],
    requested_by: int | None = None,
    now: datetime | None = None,
) -> int:
    """Queue ``message`` for each recipient on their channels; the number of rows really added."""
    return raise_events(session, [(message, recipients)], requested_by, now)
