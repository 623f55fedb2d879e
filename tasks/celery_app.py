"""The Celery application (infra.broker's object) with its task modules and beat schedule.

Workers: ``celery -A tasks.celery_app:app worker``.
"""

from __future__ import annotations

import portal.models  # noqa: F401 - every mapper, so foreign keys resolve in the worker
from infra.broker import celery_app
from infra.logs import install_log_filter

install_log_filter()  # database errors in task logs carry no values

app = celery_app()
app.conf.update(
    include=[
        "tasks.exports",
        "tasks.imports",
        "tasks.reports",
        "tasks.cases",
        "tasks.inspections",
        "tasks.notifications",
        "tasks.reminders",
        "tasks.stats",
        "tasks.workdays",
    ]
)
# The case deadline watch (tasks/cases.py); `expires` drops runs queued while no worker was up.
app.conf.beat_schedule = {
    "case-deadlines": {
        "task": "tasks.cases.watch_deadlines",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
    # Reminders (tasks/reminders.py): case deadlines about to pass, as often as the deadline watch;
    # reports due or overdue and recommendations overdue, every hour (they change by the day).
    "deadlines-approaching": {
        "task": "tasks.reminders.deadlines_approaching",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
    "reports-and-recommendations": {
        "task": "tasks.reminders.reports_and_recommendations",
        "schedule": 3600.0,
        "options": {"expires": 1800},
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
