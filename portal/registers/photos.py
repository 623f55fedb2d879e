"""Photos of water points in object storage (``infra.storage``), keyed by purpose
(``water-points/<point>/<photo>``): JPEG or PNG read from the content itself, at most 5 MB, at most 20 per
point, the SHA-256 kept and checked again on every download, and so is the caller's access to the point.
The object is written before the row; if the transaction then rolls back, the object is removed.
"""

from __future__ import annotations

import hashlib
import logging
import uuid

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import FieldError, NotVisible, ValidationFailed
from infra.storage import StorageUnavailable, get_storage
from portal.audit.service import record as audit
from portal.registers import fields
from portal.registers.models import WaterPointPhoto
from portal.registers.water_points import RESOURCE, get_point
from portal.stored_documents import StorageDown, fetch_checked

log = logging.getLogger(__name__)
MAX_BYTES = 5 * 1024 * 1024
MAX_PER_POINT = 20
SIGNATURES = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
_KEYS = "water_point_photos_written"


class PhotoTooLarge(ValidationFailed):
    status_code = 413


class NotAPhoto(ValidationFailed):
    status_code = 415


def photo_type(data: bytes, declared: str | None) -> str:
    """The photo's type from its first bytes; refusals name the field ``file``."""
    if len(data) > MAX_BYTES:
        raise PhotoTooLarge(
            [FieldError("file", f"is larger than {MAX_BYTES // (1024 * 1024)} MB", "photo_too_large")]
        )
    if not data:
        raise ValidationFailed([FieldError("file", "is empty", "empty")])
    actual = next((t for t, head in SIGNATURES.items() if data.startswith(head)), None)
    if actual is None:
        raise NotAPhoto([FieldError("file", "is not a JPEG or PNG photo", "not_a_photo")])
    declared = (declared or "").split(";")[0].strip().lower()
    if declared and declared not in ("application/octet-stream", actual):
        raise NotAPhoto(
            [FieldError("file", f"is declared as {declared} but its content is {actual}", "type_mismatch")]
        )
    return actual


def upload(
    session: Session, caller: Caller, point_id: int, declared: str | None, data: bytes
) -> WaterPointPhoto:
    """Store a photo of a point the caller may change (403/404 before anything is read or written)."""
    point, _hamlet = get_point(session, caller, point_id, "record", lock=True)
    content_type = photo_type(data, declared)
    held = session.scalar(select(func.count()).where(WaterPointPhoto.point_id == point.id)) or 0
    if held >= MAX_PER_POINT:
        raise ValidationFailed(
            [FieldError("file", f"a point holds at most {MAX_PER_POINT} photos", "too_many")]
        )
    photo_id = uuid.uuid4()
    key = f"water-points/{point.id}/{photo_id}"
    try:
        get_storage().put(key, data, content_type)
    except StorageUnavailable as exc:
        raise StorageDown("photo storage is unavailable: try again later") from exc
    session.info.setdefault(_KEYS, []).append(key)
    row = WaterPointPhoto(
        id=photo_id,
        point_id=point.id,
        storage_key=key,
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=caller.user_id,
    )
    session.add(row)
    session.flush()
    fields.history(
        session, caller, RESOURCE, point.id, point.hamlet_id, "photo", None, {"photo": str(photo_id)}
    )
    audit(
        caller.actor,
        "photo",
        RESOURCE,
        "allowed",
        resource_ids=[point.id, str(photo_id)],
        unit_id=point.hamlet_id,
    )
    return row


def download(
    session: Session, caller: Caller, point_id: int, photo_id: uuid.UUID
) -> tuple[bytes, WaterPointPhoto]:
    """The photo's bytes after the caller's access to the point is checked again and the checksum verified."""
    point, _hamlet = get_point(session, caller, point_id, "read")
    row = session.scalars(
        select(WaterPointPhoto).where(WaterPointPhoto.id == photo_id, WaterPointPhoto.point_id == point.id)
    ).one_or_none()
    if row is None:
        raise NotVisible("photo not found", resource=RESOURCE, action="read", resource_ids=[str(photo_id)])
    return fetch_checked(row.storage_key, row.sha256), row


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
