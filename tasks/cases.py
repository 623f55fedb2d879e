"""Case tasks: the deadline watch, sent by Celery beat every few minutes. Thin: the work is in
portal.cases.escalation.

``now`` is explicit (ISO 8601) so a test can send the task to a real worker with a frozen time; beat
sends none and the worker reads the clock. The watch is idempotent: a repeated, concurrent or
redelivered run writes nothing twice (unique keys per deadline, level and recipient).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from celery import Task
from sqlalchemy.exc import OperationalError

from infra.clock import utcnow
from portal.cases.escalation import watch
from tasks.celery_app import app

MAX_RETRIES = 5
WATCH_EVERY_SECONDS = 300.0


@app.task(
    bind=True,
    name="tasks.cases.watch_deadlines",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def watch_deadlines(self: Task[Any, Any], now: str | None = None) -> dict[str, int]:
    at = datetime.fromisoformat(now) if now else utcnow()
    if at.tzinfo is None:
        raise ValueError(f"now must carry a time zone: {now!r}")
    try:
        return watch(at)
    except OperationalError as exc:  # database unreachable: the next attempt (or beat run) redoes it
        raise self.retry(exc=exc, countdown=min(60, 2**self.request.retries)) from exc
