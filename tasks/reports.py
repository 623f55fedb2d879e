"""Report tasks: consolidation runs and report documents. Thin: the work is in portal.reports.

Each task carries ids and the requester's user id; the worker resolves the requester's scope again
(tasks.requester) and opens its sessions under it, so row-level security applies in the worker as in
the request, and a deactivated account's job ends failed with the reason, undone. Both are
idempotent: a retry, a second delivery or a delivery after a worker died finishes the same run or
rewrites the same object.
"""

from __future__ import annotations

import uuid
from typing import Any

from celery import Task
from sqlalchemy.exc import OperationalError

from portal.reports.consolidation import run_consolidation
from portal.reports.documents import build_document
from portal.reports.models import ConsolidationRun, ReportDocument
from tasks.celery_app import app
from tasks.requester import OUTSIDE, refuse, requester

MAX_RETRIES = 5


@app.task(
    bind=True,
    name="tasks.reports.consolidate",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def consolidate(self: Task[Any, Any], run_id: int, user_id: int) -> str:
    caller = requester(user_id, "report", "consolidate")
    if isinstance(caller, str):
        refuse(ConsolidationRun, ConsolidationRun.id == run_id, caller)
        return "refused"
    try:
        outcome = run_consolidation(run_id, caller.scope)
    except OperationalError as exc:  # database unreachable: the run stays active and is retried
        raise self.retry(exc=exc, countdown=min(60, 2**self.request.retries)) from exc
    if outcome == "not visible":
        refuse(ConsolidationRun, ConsolidationRun.id == run_id, OUTSIDE)
    return outcome


@app.task(
    bind=True,
    name="tasks.reports.build_document",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def build_report_document(self: Task[Any, Any], document_id: str, user_id: int) -> str:
    caller = requester(user_id, "report", "export")
    if isinstance(caller, str):
        refuse(ReportDocument, ReportDocument.id == uuid.UUID(document_id), caller)
        return "refused"
    outcome = build_document(document_id, caller.scope, final=self.request.retries >= MAX_RETRIES)
    if outcome == "not visible":
        refuse(ReportDocument, ReportDocument.id == uuid.UUID(document_id), OUTSIDE)
    if outcome == "retry":
        raise self.retry(countdown=min(60, 2**self.request.retries))
    return outcome
