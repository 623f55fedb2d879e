"""Recompute the open working-day deadlines after the calendar changed. Thin: the work is in
portal.workdays.service; idempotent (a deadline already where the calendar puts it is left alone)."""

from __future__ import annotations

from typing import Any

from celery import Task
from sqlalchemy.exc import OperationalError

from portal.workdays.service import recompute_deadlines as recompute
from tasks.celery_app import app

MAX_RETRIES = 5


@app.task(
    bind=True,
    name="tasks.workdays.recompute_deadlines",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def recompute_deadlines(self: Task[Any, Any]) -> int:
    try:
        return recompute()
    except OperationalError as exc:  # database unreachable: the next attempt redoes it
        raise self.retry(exc=exc, countdown=min(60, 2**self.request.retries)) from exc
