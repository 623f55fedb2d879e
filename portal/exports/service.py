"""Requesting, following and downloading exports. Downloads re-check access every time."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.after_commit import send_after_commit
from infra.clock import utcnow
from infra.errors import Conflict, NotVisible
from infra.storage import ObjectMissing, StorageUnavailable, get_storage
from portal.audit.service import record as audit
from portal.exports.access import exports_for
from portal.exports.models import Export
from portal.stored_documents import StorageDown
from tenancy.models import Unit

TASK = "tasks.exports.build_export"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STALE_QUEUED = timedelta(minutes=5)


def request_export(session: Session, caller: Caller, unit: Unit) -> Export:
    authorize(caller, "export", "create", unit)
    export = Export(
        id=uuid.uuid4(),
        kind="child_register",
        unit_id=unit.id,
        unit_path=unit.path,
        requested_by=caller.user_id,
        status="queued",
        attempts=0,
    )
    session.add(export)
    session.flush()
    session.refresh(export, ["created_at"])
    send_after_commit(session, TASK, str(export.id), caller.user_id)
    audit(caller.actor, "create", "export", "allowed", resource_ids=[export.id], unit_id=unit.id)
    return export


def get_export(
    session: Session, caller: Caller, export_id: uuid.UUID, action: str = "read"
) -> tuple[Export, Unit]:
    authorize_action(caller, "export", "read")
    row = session.execute(exports_for(caller).where(Export.id == export_id)).one_or_none()
    if row is None:
        raise NotVisible("export not found", resource="export", action=action, resource_ids=[str(export_id)])
    export, unit = row
    authorize(caller, "export", "read", unit)
    return export, unit


def retry_export(session: Session, caller: Caller, export_id: uuid.UUID) -> Export:
    export, _unit = get_export(session, caller, export_id, "retry")
    stale = export.status == "queued" and utcnow() - export.created_at > STALE_QUEUED
    if export.status != "failed" and not stale:
        raise Conflict(f"export is {export.status}: only a failed (or long-queued) export can be retried")
    export.status, export.error = "queued", None
    send_after_commit(session, TASK, str(export.id), caller.user_id)
    return export


def download_export(session: Session, caller: Caller, export_id: uuid.UUID) -> tuple[bytes, str]:
    export, unit = get_export(session, caller, export_id, "download")
    if export.status != "done" or export.storage_key is None:
        raise Conflict(f"export is {export.status}, not ready")
    try:
        data = get_storage().get(export.storage_key)
    except (StorageUnavailable, ObjectMissing) as exc:
        raise StorageDown("document storage is unavailable: try again later") from exc
    audit(caller.actor, "download", "export", "allowed", resource_ids=[export.id], unit_id=unit.id)
    return data, f"danh-sach-tre-em-{unit.id}-{export.created_at:%Y%m%d}.xlsx"
