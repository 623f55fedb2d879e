"""The Celery application. Workers: ``celery -A tasks.celery_app:app worker``."""

from __future__ import annotations

from celery import Celery

import portal.models  # noqa: F401 - every mapper, so foreign keys resolve in the worker
from infra.logs import install_log_filter
from infra.settings import get_settings

install_log_filter()  # database errors in task logs carry no values

_settings = get_settings()

app = Celery(
    "portal",
    broker=_settings.broker_url,
    backend=_settings.result_backend,
    include=[
        "tasks.exports",
        "tasks.reports",
        "tasks.cases",
        "tasks.inspections",
        "tasks.notifications",
        "tasks.stats",
    ],
)
app.conf.update(
    task_acks_late=True,  # a task whose worker dies is delivered again
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    accept_content=["json"],
    result_expires=3600,
    broker_connection_retry_on_startup=True,
    broker_transport_options={"visibility_timeout": 3600},
    task_always_eager=_settings.celery_eager,
    task_default_queue=_settings.celery_queue,
    timezone="Asia/Ho_Chi_Minh",
)
# The case deadline watch (tasks/cases.py); `expires` drops runs queued while no worker was up.
app.conf.beat_schedule = {
    "case-deadlines": {
        "task": "tasks.cases.watch_deadlines",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
    # The outbox sweep (tasks/notifications.py): retries and messages whose task was lost.
    "notification-sweep": {
        "task": "tasks.notifications.sweep",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # The statistics layer (tasks/stats.py): stale hamlets, and the month rollover (idempotent).
    "stats-refresh": {
        "task": "tasks.stats.refresh",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    "stats-open-month": {
        "task": "tasks.stats.open_month",
        "schedule": 86400.0,
        "options": {"expires": 3600},
    },
}
