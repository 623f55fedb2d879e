"""Outbox tasks: send one message right after the request committed, and a sweep (Celery beat) that
sends whatever is due: a message whose task was lost with the broker, or one waiting to be retried.
Thin: the work is in portal.notifications.delivery."""

from __future__ import annotations

from typing import Any

from celery import Task
from sqlalchemy.exc import OperationalError

from portal.notifications.delivery import deliver as deliver_one
from portal.notifications.delivery import due
from tasks.celery_app import app

SWEEP_EVERY_SECONDS = 60.0


@app.task(
    bind=True, name="tasks.notifications.deliver", acks_late=True, reject_on_worker_lost=True, max_retries=5
)
def deliver(self: Task[Any, Any], notification_id: int) -> str:
    try:
        return deliver_one(int(notification_id))
    except OperationalError as exc:  # database unreachable: retried here, else the sweep sends it
        raise self.retry(exc=exc, countdown=min(60, 2**self.request.retries)) from exc


@app.task(name="tasks.notifications.sweep", acks_late=True)
def sweep() -> dict[str, int]:
    outcomes: dict[str, int] = {}
    for notification_id in due():
        outcome = deliver_one(notification_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
