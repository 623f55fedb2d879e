"""XLSX and PDF documents of a report, built by a worker and kept in object storage.

A document is of one report version, and exact or published as its requester may read: an
aggregate-only reader's document shows its counts through the disclosure policy (small cells "<5", the
others perturbed, see portal.stats.disclosure), and an exact document can only be
downloaded by someone who keeps the records of that unit. Downloads re-check access every time.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.after_commit import send_after_commit
from infra.clock import utcnow
from infra.errors import Conflict, FieldError, Forbidden, NotVisible, ValidationFailed
from portal.audit.service import record as audit
from portal.auth.models import User
from portal.reports.access import get_report
from portal.reports.models import ReportDocument
from portal.reports.numbering import assign_number
from portal.reports.render_pdf import render_pdf
from portal.reports.render_xlsx import render_xlsx
from portal.reports.schemas import DocumentIn
from portal.reports.view import document_data
from portal.stats.access import keeps_records
from portal.stored_documents import build, fetch
from tenancy.scope import Scope

TASK = "tasks.reports.build_document"
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
STALE_QUEUED = timedelta(minutes=5)


def request_document(session: Session, caller: Caller, report_id: int, body: DocumentIn) -> ReportDocument:
    fmt = body.format
    if fmt not in MEDIA:
        raise ValidationFailed([FieldError("format", "must be 'xlsx' or 'pdf'")])
    report, _definition, unit = get_report(session, caller, report_id, "export", lock=True)
    assign_number(session, report.id, unit.id, report.status, caller.user_id)  # an issued report's, once
    doc = ReportDocument(
        id=uuid.uuid4(),
        report_id=report.id,
        format=fmt,
        report_version=report.version,
        suppressed=not keeps_records(caller, unit),
        status="queued",
        attempts=0,
        requested_by=caller.user_id,
    )
    session.add(doc)
    session.flush()
    session.refresh(doc, ["created_at"])
    send_after_commit(session, TASK, str(doc.id), caller.user_id)
    audit(caller.actor, "create", "report_document", "allowed", resource_ids=[doc.id], unit_id=unit.id)
    return doc


def get_document(
    session: Session, caller: Caller, document_id: uuid.UUID, action: str = "read"
) -> ReportDocument:
    doc = session.get(ReportDocument, document_id)
    if doc is None:
        raise NotVisible(
            "document not found", resource="report_document", action=action, resource_ids=[str(document_id)]
        )
    _report, _definition, unit = get_report(session, caller, doc.report_id, "export")
    if not doc.suppressed and not keeps_records(caller, unit):
        raise Forbidden(
            "this document holds exact small counts: only the unit's record keepers may open it",
            resource="report_document",
            action=action,
            unit_id=unit.id,
        )
    return doc


def can_retry(doc: ReportDocument) -> bool:
    """A failed document, or one queued so long that its task was surely lost, may be built again."""
    return doc.status == "failed" or (doc.status == "queued" and utcnow() - doc.created_at > STALE_QUEUED)


def retry_document(session: Session, caller: Caller, document_id: uuid.UUID) -> ReportDocument:
    doc = get_document(session, caller, document_id, "retry")
    if not can_retry(doc):
        raise Conflict(f"document is {doc.status}: only a failed (or long-queued) document can be retried")
    doc.status, doc.error = "queued", None
    send_after_commit(session, TASK, str(doc.id), caller.user_id)
    return doc


def download_document(session: Session, caller: Caller, document_id: uuid.UUID) -> tuple[bytes, str, str]:
    doc = get_document(session, caller, document_id, "download")
    data = fetch(doc)
    audit(caller.actor, "download", "report_document", "allowed", resource_ids=[doc.id])
    return data, MEDIA[doc.format], f"bao-cao-{doc.report_id}-v{doc.report_version}.{doc.format}"


def _render(session: Session, doc: ReportDocument) -> tuple[bytes, dict[str, Any]]:
    requester = session.scalar(select(User.username).where(User.id == doc.requested_by))
    data = document_data(session, doc.report_id, not doc.suppressed, requester)
    rendered = render_xlsx(data) if doc.format == "xlsx" else render_pdf(data)
    return rendered, {"report_version": data["version"]}


def build_document(document_id: str, scope: Scope, final: bool) -> str:
    """Render and store one document; "retry" when storage or the database is down (and not final)."""
    return build(
        ReportDocument,
        document_id,
        scope,
        lambda d: (f"reports/{d.id}.{d.format}", MEDIA[d.format]),
        _render,
        final,
    )


def documents_of(session: Session, report_id: int) -> list[ReportDocument]:
    return list(
        session.scalars(
            select(ReportDocument)
            .where(ReportDocument.report_id == report_id)
            .order_by(ReportDocument.created_at)
        )
    )
