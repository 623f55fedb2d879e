"""Statistics layer tasks (Celery beat): refresh stale hamlets, open the new month. Thin: the work is
in portal.stats.layer. Both are idempotent: a hamlet refreshed twice changes nothing the second time,
and the month rollover runs once per month whatever the number of calls."""

from __future__ import annotations

from typing import Any

from celery import Task
from sqlalchemy.exc import OperationalError

from infra.db import new_session
from portal.stats import layer
from tasks.celery_app import app
from tenancy.scope import NO_SCOPE

MAX_RETRIES = 5
REFRESH_EVERY_SECONDS = 30.0
REFRESH_BATCH = 2000  # hamlets per run; the next beat run takes the rest


@app.task(
    bind=True, name="tasks.stats.refresh", acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES
)
def refresh(self: Task[Any, Any], limit: int = REFRESH_BATCH) -> int:
    session = new_session(NO_SCOPE)
    try:
        return layer.refresh_dirty(session, limit)  # commits per hamlet
    except OperationalError as exc:  # database unreachable or a deadlock: the next attempt redoes it
        session.rollback()
        raise self.retry(exc=exc, countdown=min(60, 2**self.request.retries)) from exc
    finally:
        session.close()


@app.task(
    bind=True,
    name="tasks.stats.open_month",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def open_month(self: Task[Any, Any]) -> bool:
    session = new_session(NO_SCOPE)
    try:
        opened = layer.open_new_month(session)
        session.commit()
        return opened
    except OperationalError as exc:
        session.rollback()
        raise self.retry(exc=exc, countdown=min(60, 2**self.request.retries)) from exc
    finally:
        session.close()
