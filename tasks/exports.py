"""Export tasks: thin wrappers around portal.exports, idempotent and retried.

The task carries ids and the requester's user id (never ORM objects or a scope): the worker resolves
the requester's scope again (tasks.requester) and opens its sessions under it, so row-level security
applies to the worker as to the request, and a deactivated account's export ends failed, unbuilt.
The object key is fixed per export: a retry, or a redelivery after a worker died, rewrites the
same object and changes nothing else.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from celery import Task
from sqlalchemy.exc import OperationalError

from infra.clock import utcnow
from infra.db import scoped_session
from infra.storage import StorageUnavailable, get_storage
from portal.exports.models import Export
from portal.exports.register import build_child_register
from portal.exports.service import XLSX
from tasks.celery_app import app
from tasks.requester import OUTSIDE, refuse, requester
from tenancy.models import Unit

MAX_RETRIES = 5


@app.task(
    bind=True,
    name="tasks.exports.build_export",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def build_export(self: Task[Any, Any], export_id: str, user_id: int) -> str:
    eid = uuid.UUID(export_id)
    caller = requester(user_id, "export", "create")
    if isinstance(caller, str):
        refuse(Export, Export.id == eid, caller)
        return "refused"
    scope = caller.scope
    with scoped_session(scope) as session:
        export = session.get(Export, eid, with_for_update=True)
        if export is None:  # gone, or outside the requester's scope now: never build it
            refuse(Export, Export.id == eid, OUTSIDE)
            return "not visible"
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
