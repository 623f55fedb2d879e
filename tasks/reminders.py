"""Reminder tasks, sent by Celery beat. Thin: the work is in portal.cases.approaching (case deadlines
about to pass), portal.reports.reminders (reports due and overdue) and portal.inspections.reminders
(recommendations overdue).

``now`` is explicit (ISO 8601) so a test can send a task to a real worker with a frozen time; beat sends
none and the worker reads the clock. Every run is idempotent: the unique event key per unit, period and
event (or per deadline) makes a repeated, concurrent or redelivered run add nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from celery import Task
from sqlalchemy.exc import OperationalError

from infra.clock import utcnow
from portal.cases.approaching import watch as watch_deadlines
from portal.inspections.reminders import watch as watch_recommendations
from portal.reports.reminders import watch as watch_reports
from tasks.celery_app import app

MAX_RETRIES = 5


def _at(now: str | None) -> datetime:
    at = datetime.fromisoformat(now) if now else utcnow()
    if at.tzinfo is None:
        raise ValueError(f"now must carry a time zone: {now!r}")
    return at


@app.task(
    bind=True,
    name="tasks.reminders.deadlines_approaching",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def deadlines_approaching(self: Task[Any, Any], now: str | None = None) -> dict[str, int]:
    at = _at(now)
    try:
        return watch_deadlines(at)
    except OperationalError as exc:  # database unreachable: the next attempt (or beat run) redoes it
        raise self.retry(exc=exc, countdown=min(60, 2**self.request.retries)) from exc


@app.task(
    bind=True,
    name="tasks.reminders.reports_and_recommendations",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def reports_and_recommendations(self: Task[Any, Any], now: str | None = None) -> dict[str, int]:
    at = _at(now)
    try:
        reports, recommendations = watch_reports(at), watch_recommendations(at)
    except OperationalError as exc:
        raise self.retry(exc=exc, countdown=min(60, 2**self.request.retries)) from exc
    return {**reports, **recommendations, "messages": reports["messages"] + recommendations["messages"]}
