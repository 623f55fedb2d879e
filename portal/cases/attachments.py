"""Attachments (photos, reports, scanned documents) in object storage, with size and type limits.

The type is read from the content itself (magic bytes), not trusted from the client; the size is
bounded; the SHA-256 is kept and checked again on every download, and so is the caller's access to the
case. The object is written before the row; if the transaction then rolls back, the object is removed.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
import uuid

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import utcnow
from infra.errors import FieldError, NotVisible, ValidationFailed
from infra.storage import StorageUnavailable, get_storage
from portal.audit.service import record as audit
from portal.cases.access import get_case, log_event
from portal.cases.models import CaseAttachment
from portal.cases.workflow import load_for
from portal.stored_documents import StorageDown, fetch_checked

log = logging.getLogger(__name__)
MAX_BYTES = 10 * 1024 * 1024
MAX_PER_CASE = 100
SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
    "application/pdf": (b"%PDF-",),
}
_KEYS = "case_objects_written"


class FileTooLarge(ValidationFailed):
    status_code = 413


class UnsupportedType(ValidationFailed):
    status_code = 415


def sniff(data: bytes) -> str | None:
    return next((t for t, heads in SIGNATURES.items() if any(data.startswith(h) for h in heads)), None)


def clean_filename(name: str | None) -> str:
    """The last path segment, without control characters, at most 200 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    return base.strip().strip(".")[:200] or "attachment"


def check_file(data: bytes, declared: str | None) -> str:
    if len(data) > MAX_BYTES:
        raise FileTooLarge(
            [FieldError("file", f"is larger than {MAX_BYTES // (1024 * 1024)} MB", "too_large")]
        )
    if not data:
        raise ValidationFailed([FieldError("file", "is empty", "empty")])
    actual = sniff(data)
    allowed = ", ".join(SIGNATURES)
    if actual is None:
        raise UnsupportedType(
            [FieldError("file", f"is not an accepted type ({allowed})", "unsupported_type")]
        )
    declared = (declared or "").split(";")[0].strip().lower()
    if declared and declared not in ("application/octet-stream", actual):
        raise UnsupportedType(
            [FieldError("file", f"is declared as {declared} but its content is {actual}", "type_mismatch")]
        )
    return actual


def upload(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    filename: str | None,
    declared: str | None,
    data: bytes,
) -> CaseAttachment:
    case = load_for(session, caller, case_id, "attach", "work", None)
    content_type = check_file(data, declared)
    count = len(list(session.scalars(select(CaseAttachment.id).where(CaseAttachment.case_id == case.id))))
    if count >= MAX_PER_CASE:
        raise ValidationFailed(
            [FieldError("file", f"a case holds at most {MAX_PER_CASE} attachments", "too_many")]
        )
    attachment_id = uuid.uuid4()
    key = f"cases/{case.id}/{attachment_id}"
    try:
        get_storage().put(key, data, content_type)
    except StorageUnavailable as exc:
        raise StorageDown("document storage is unavailable: try again later") from exc
    session.info.setdefault(_KEYS, []).append(key)
    row = CaseAttachment(
        id=attachment_id,
        case_id=case.id,
        filename=clean_filename(filename),
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        uploaded_by=caller.user_id,
        uploaded_at=utcnow(),
    )
    session.add(row)
    log_event(
        session, caller, case, "attach", case.status, {"attachment": str(row.id), "size": row.size_bytes}
    )
    return row


def download(
    session: Session, caller: Caller, case_id: uuid.UUID, attachment_id: uuid.UUID
) -> tuple[bytes, CaseAttachment]:
    """The bytes, after the caller's access to the case is checked again and the checksum verified."""
    case = get_case(session, caller, case_id, "read")
    row = session.scalars(
        select(CaseAttachment).where(CaseAttachment.id == attachment_id, CaseAttachment.case_id == case.id)
    ).one_or_none()
    if row is None:
        raise NotVisible(
            "attachment not found", resource="case", action="download", resource_ids=[str(attachment_id)]
        )
    data = fetch_checked(row.storage_key, row.sha256)
    audit(
        caller.actor,
        "download",
        "case_attachment",
        "allowed",
        resource_ids=[case.id, row.id],
        unit_id=case.hamlet_id,
    )
    return data, row


def attachments_of(session: Session, case_id: uuid.UUID) -> list[CaseAttachment]:
    return list(
        session.scalars(
            select(CaseAttachment)
            .where(CaseAttachment.case_id == case_id)
            .order_by(CaseAttachment.uploaded_at)
        )
    )


@event.listens_for(Session, "after_commit")
def _keep_objects(session: Session) -> None:
    session.info.pop(_KEYS, None)


@event.listens_for(Session, "after_rollback")
def _remove_objects(session: Session) -> None:
    for key in session.info.pop(_KEYS, []):
        try:
            get_storage().delete(key)
        except StorageUnavailable:  # an orphan object: unreachable without its row, logged for cleanup
            log.warning("could not remove %s after a rollback", key)
