"""Inspection tasks: one audited unit's checks (idempotent: its rows are replaced), and the report PDF."""

from __future__ import annotations

from celery import Task
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from infra.clock import utcnow
from infra.db import scoped_session
from portal.inspections.checks import check_target as compute_checks
from portal.inspections.document import build_pdf
from portal.inspections.models import RunTarget
from tasks.celery_app import app
from tenancy.scope import Scope

MAX_RETRIES = 5


@app.task(
    bind=True,
    name="tasks.inspections.check_target",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def check_target(self: Task, run_id: int, target_id: int, records: str | None, aggregates: str | None) -> str:
    scope = Scope(records=records, aggregates=aggregates)
    try:
        with scoped_session(scope) as session:
            found = compute_checks(session, target_id)
            session.execute(
                update(RunTarget)
                .where(RunTarget.run_id == run_id, RunTarget.target_id == target_id)
                .values(
                    status="done" if found else "failed",
                    error=None if found else "not visible",
                    finished_at=utcnow(),
                )
            )
    except OperationalError as exc:
        if self.request.retries >= MAX_RETRIES:
            with scoped_session(scope) as session:
                session.execute(
                    update(RunTarget)
                    .where(RunTarget.run_id == run_id, RunTarget.target_id == target_id)
                    .values(status="failed", error=f"{type(exc).__name__}"[:200], finished_at=utcnow())
                )
            return "failed"
        raise self.retry(exc=exc, countdown=min(60, 2**self.request.retries)) from exc
    return "done" if found else "not visible"


@app.task(
    bind=True,
    name="tasks.inspections.build_document",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def build_document(
    self: Task, document_id: str, author: str, records: str | None, aggregates: str | None
) -> str:
    outcome = build_pdf(
        document_id,
        author,
        Scope(records=records, aggregates=aggregates),
        final=self.request.retries >= MAX_RETRIES,
    )
    if outcome == "retry":
        raise self.retry(countdown=min(60, 2**self.request.retries))
    return outcome
