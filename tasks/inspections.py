"""Inspection tasks: one audited unit's checks (idempotent: its rows are replaced), and the report PDF.

Both carry the requester's user id; the worker resolves the requester's scope again (tasks.requester),
so a deactivated account's job ends failed with the reason, undone.
"""

from __future__ import annotations

import uuid
from typing import Any

from celery import Task
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError, OperationalError

from infra.clock import utcnow
from infra.db import scoped_session
from portal.inspections.checks import check_target as compute_checks
from portal.inspections.document import build_pdf
from portal.inspections.models import InspectionDocument, RunTarget
from tasks.celery_app import app
from tasks.requester import OUTSIDE, refuse, requester
from tenancy.scope import Scope

MAX_RETRIES = 5


def _finish(run_id: int, target_id: int, scope: Scope, status: str, error: str | None) -> None:
    with scoped_session(scope) as session:
        session.execute(
            update(RunTarget)
            .where(RunTarget.run_id == run_id, RunTarget.target_id == target_id)
            .values(status=status, error=error, finished_at=utcnow())
        )


@app.task(
    bind=True,
    name="tasks.inspections.check_target",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def check_target(self: Task[Any, Any], run_id: int, target_id: int, user_id: int) -> str:
    caller = requester(user_id, "inspection", "check")
    if isinstance(caller, str):
        refuse(RunTarget, (RunTarget.run_id == run_id) & (RunTarget.target_id == target_id), caller)
        return "refused"
    scope = caller.scope
    try:
        with scoped_session(scope) as session:
            found = compute_checks(session, target_id)
        _finish(run_id, target_id, scope, "done" if found else "failed", None if found else "not visible")
    except OperationalError as exc:  # the database is unreachable: try again, then give up visibly
        if self.request.retries >= MAX_RETRIES:
            _finish(run_id, target_id, scope, "failed", type(exc).__name__)
            return "failed"
        raise self.retry(exc=exc, countdown=min(60, 2**self.request.retries)) from exc
    except DBAPIError as exc:  # refused (e.g. outside the requester's scope): the run must still end
        _finish(run_id, target_id, scope, "failed", f"{type(exc).__name__}: {exc.orig}"[:300])
        return "failed"
    return "done" if found else "not visible"


@app.task(
    bind=True,
    name="tasks.inspections.build_document",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def build_document(self: Task[Any, Any], document_id: str, user_id: int) -> str:
    caller = requester(user_id, "inspection", "export")
    if isinstance(caller, str):
        refuse(InspectionDocument, InspectionDocument.id == uuid.UUID(document_id), caller)
        return "refused"
    outcome = build_pdf(document_id, caller.username, caller.scope, final=self.request.retries >= MAX_RETRIES)
    if outcome == "not visible":
        refuse(InspectionDocument, InspectionDocument.id == uuid.UUID(document_id), OUTSIDE)
    if outcome == "retry":
        raise self.retry(countdown=min(60, 2**self.request.retries))
    return outcome
