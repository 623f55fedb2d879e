"""Putting a message in the outbox (inside the request's transaction) and describing it to a manager.

The row is sent to a worker only after the transaction commits (infra.after_commit); a periodic sweep
sends whatever a lost broker message left behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from infra.after_commit import send_after_commit
from portal.notifications.models import Notification

DELIVER_TASK = "tasks.notifications.deliver"


def mask(address: str) -> str:
    """What the manager may see of the address: enough to recognise it, not to reuse it."""
    if "@" in address:
        local, _, domain = address.partition("@")
        name, dot, tld = domain.rpartition(".")
        shown = f"{local[:1]}***@{name[:1]}***{dot}{tld}" if dot else f"{local[:1]}***@{domain[:1]}***"
        return shown
    return f"{'*' * max(0, len(address) - 3)}{address[-3:]}"


@dataclass(frozen=True)
class Queued:
    notification_id: int
    channel: str
    masked: str

    def as_json(self) -> dict[str, object]:
        return {
            "notification_id": self.notification_id,
            "channel": self.channel,
            "to": self.masked,
            "status": "queued",
        }


def enqueue(
    session: Session, user_id: int, kind: str, channel: str, address: str, requested_by: int | None
) -> Queued:
    row = Notification(
        kind=kind, channel=channel, user_id=user_id, address=address, requested_by=requested_by
    )
    session.add(row)
    session.flush()
    send_after_commit(session, DELIVER_TASK, row.id)
    return Queued(row.id, channel, mask(address))
