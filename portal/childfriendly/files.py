"""Evidence files of an assessment (a health station's report, a survey's minutes, a photo) in object
storage. The type is read from the content, the size bounded (the case attachments' rules), the SHA-256
kept and checked on every download, and the caller's access to the assessment checked again. The object
is written before the row; if the transaction then rolls back, the object is removed."""

from __future__ import annotations

import hashlib
import logging
import uuid

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import utcnow
from infra.errors import FieldError, NotVisible, ValidationFailed
from infra.storage import StorageUnavailable, get_storage
from portal.audit.service import record as audit
from portal.cases.attachments import check_file, clean_filename
from portal.childfriendly.access import RESOURCE, get_assessment, require_owner
from portal.childfriendly.criteria import load
from portal.childfriendly.models import EvidenceFile
from portal.childfriendly.service import require_editable, touch
from portal.stored_documents import StorageDown, fetch_checked

log = logging.getLogger(__name__)
MAX_PER_ASSESSMENT = 100
_KEYS = "child_friendly_objects_written"


def upload(
    session: Session,
    caller: Caller,
    assessment_id: int,
    indicator: str | None,
    filename: str | None,
    declared: str | None,
    data: bytes,
) -> EvidenceFile:
    """Attach a document to an entered indicator of a draft or returned assessment (its own staff)."""
    assessment, unit = get_assessment(session, caller, assessment_id, "enter", lock=True)
    require_owner(caller, unit, "attach evidence to")
    require_editable(assessment)
    ind = load().indicators.get(indicator or "")
    if ind is None or ind.computed:
        raise ValidationFailed(
            [FieldError("indicator", "give the code of an indicator entered by the commune", "unknown")]
        )
    content_type = check_file(data, declared)
    count = session.scalar(select(func.count()).where(EvidenceFile.assessment_id == assessment.id)) or 0
    if count >= MAX_PER_ASSESSMENT:
        raise ValidationFailed(
            [FieldError("file", f"an assessment holds at most {MAX_PER_ASSESSMENT} files", "too_many")]
        )
    file_id = uuid.uuid4()
    key = f"child-friendly/{assessment.id}/{file_id}"
    try:
        get_storage().put(key, data, content_type)
    except StorageUnavailable as exc:
        raise StorageDown("document storage is unavailable: try again later") from exc
    session.info.setdefault(_KEYS, []).append(key)
    row = EvidenceFile(
        id=file_id,
        assessment_id=assessment.id,
        indicator=ind.code,
        filename=clean_filename(filename),
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        uploaded_by=caller.user_id,
        uploaded_at=utcnow(),
    )
    session.add(row)
    touch(assessment)
    audit(caller.actor, "attach", RESOURCE, "allowed", resource_ids=[assessment.id, file_id], unit_id=unit.id)
    return row


def download(
    session: Session, caller: Caller, assessment_id: int, file_id: uuid.UUID
) -> tuple[bytes, EvidenceFile]:
    """The bytes, after the caller's access to the assessment is checked again and the checksum verified."""
    assessment, unit = get_assessment(session, caller, assessment_id, "read")
    row = session.scalars(
        select(EvidenceFile).where(EvidenceFile.id == file_id, EvidenceFile.assessment_id == assessment.id)
    ).one_or_none()
    if row is None:
        raise NotVisible("file not found", resource=RESOURCE, action="download", resource_ids=[str(file_id)])
    data = fetch_checked(row.storage_key, row.sha256)
    audit(
        caller.actor, "download", RESOURCE, "allowed", resource_ids=[assessment.id, row.id], unit_id=unit.id
    )
    return data, row


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
