"""Export tasks: thin wrappers around portal.exports, idempotent and retried.

The task carries ids and the requesting caller's record scope (never ORM objects); it opens its
own sessions under that scope, so row-level security applies to the worker as to the request.
The object key is fixed per export: a retry, or a redelivery after a worker died, rewrites the
same object and changes nothing else.
"""

from __future__ import annotations

import hashlib
import uuid

from celery import Task
from sqlalchemy.exc import OperationalError

from infra.clock import utcnow
from infra.db import scoped_session
from infra.storage import StorageUnavailable, get_storage
from portal.exports.models import Export
from portal.exports.register import build_child_register
from portal.exports.service import XLSX
from tasks.celery_app import app
from tenancy.models import Unit
from tenancy.scope import Scope

MAX_RETRIES = 5


@app.task(
    bind=True,
    name="tasks.exports.build_export",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def build_export(self: Task, export_id: str, records_scope: str | None) -> str:
    scope = Scope(records=records_scope, aggregates=None)
    eid = uuid.UUID(export_id)
    with scoped_session(scope) as session:
        export = session.get(Export, eid, with_for_update=True)
        if export is None:
            return "not visible"  # gone, or outside the requester's scope: never build it
        if export.status == "done":
            return "done"
        export.status, export.attempts = "running", export.attempts + 1
    try:
        with scoped_session(scope) as session:
            export = session.get(Export, eid)
            assert export is not None
            unit = session.get(Unit, export.unit_id)
            assert unit is not None
            data, rows = build_child_register(session, unit)
        key = f"exports/{eid}.xlsx"
        get_storage().put(key, data, XLSX)
    except (StorageUnavailable, OperationalError) as exc:
        final = self.request.retries >= MAX_RETRIES
        with scoped_session(scope) as session:
            export = session.get(Export, eid)
            assert export is not None
            export.status = "failed" if final else "queued"
            export.error = f"{type(exc).__name__}: {exc}"[:500]
        if final:
            return "failed"
        raise self.retry(exc=exc, countdown=min(60, 2**self.request.retries)) from exc
    with scoped_session(scope) as session:
        export = session.get(Export, eid)
        assert export is not None
        export.status, export.error, export.storage_key = "done", None, key
        export.size_bytes, export.sha256, export.row_count = len(data), hashlib.sha256(data).hexdigest(), rows
        export.finished_at = utcnow()
    return "done"
