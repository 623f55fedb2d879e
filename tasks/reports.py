"""Report tasks: consolidation runs and report documents. Thin: the work is in portal.reports.

Each task carries ids and the requesting caller's scopes, and opens its own sessions under them,
so row-level security applies in the worker as in the request. Both are idempotent: a retry, a
second delivery or a delivery after a worker died finishes the same run or rewrites the same object.
"""

from __future__ import annotations

from celery import Task
from sqlalchemy.exc import OperationalError

from portal.reports.consolidation import run_consolidation
from portal.reports.documents import build_document
from tasks.celery_app import app
from tenancy.scope import Scope

MAX_RETRIES = 5


@app.task(
    bind=True,
    name="tasks.reports.consolidate",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def consolidate(self: Task, run_id: int, records_scope: str | None, aggregates_scope: str | None) -> str:
    try:
        return run_consolidation(run_id, Scope(records=records_scope, aggregates=aggregates_scope))
    except OperationalError as exc:  # database unreachable: the run stays active and is retried
        raise self.retry(exc=exc, countdown=min(60, 2**self.request.retries)) from exc


@app.task(
    bind=True,
    name="tasks.reports.build_document",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def build_report_document(
    self: Task, document_id: str, records_scope: str | None, aggregates_scope: str | None
) -> str:
    scope = Scope(records=records_scope, aggregates=aggregates_scope)
    outcome = build_document(document_id, scope, final=self.request.retries >= MAX_RETRIES)
    if outcome == "retry":
        raise self.retry(countdown=min(60, 2**self.request.retries))
    return outcome
