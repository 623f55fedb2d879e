"""A report's documents (XLSX/PDF) on the pages: asked for from the report, a page with the progress bar
and the download, and building a failed (or long-queued) document again, as the API's
``POST /report-documents/{id}/retry`` does. Access is checked again on every request
(``portal.reports.documents``).
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from infra.errors import Conflict
from portal.boundary.deps import CallerDep, DbDep
from portal.reports import documents
from portal.reports.schemas import DocumentIn
from portal.web.deps import FormData
from portal.web.render import is_fragment, page, see_other
from portal.web.routes_tasks import _progress


@post("/reports/{report_id:int}/documents", sync_to_thread=False, include_in_schema=False)
def document_submit(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, report_id: FromPath[int], data: FormData
) -> Redirect:
    doc = documents.request_document(db, caller, report_id, DocumentIn(format=str(data.get("format") or "")))
    return see_other(f"/report-documents/{doc.id}")


def _document(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    document_id: uuid.UUID,
    status_code: int = 200,
    message: str | None = None,
) -> Template:
    doc = documents.get_document(db, caller, document_id)
    name = "report_doc_progress.html" if is_fragment(request) else "report_doc.html"
    return page(
        request,
        name,
        status_code=status_code,
        doc=doc,
        progress=_progress(doc.status),
        retry=documents.can_retry(doc),
        form_message=message,
        flash="document_retried" if request.query_params.get("msg") == "retried" else None,
    )


@get("/report-documents/{document_id:uuid}", sync_to_thread=False, include_in_schema=False)
def document_page(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, document_id: FromPath[uuid.UUID]
) -> Template:
    return _document(request, caller, db, document_id)


@post("/report-documents/{document_id:uuid}/retry", sync_to_thread=False, include_in_schema=False)
def document_retry(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, document_id: FromPath[uuid.UUID]
) -> Template | Redirect:
    """Build a failed document again; one that is ready or being built is shown as it is (409)."""
    try:  # no savepoint: releasing one would send the worker's task before the request commits
        documents.retry_document(db, caller, document_id)
    except Conflict:
        db.expire_all()
        return _document(request, caller, db, document_id, status_code=409, message="document_not_failed")
    return see_other(f"/report-documents/{document_id}?msg=retried")


@get("/report-documents/{document_id:uuid}/download", sync_to_thread=True, include_in_schema=False)
def document_download(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, document_id: FromPath[uuid.UUID]
) -> Response[bytes]:
    data, media_type, filename = documents.download_document(db, caller, document_id)
    return Response(
        data, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


ROUTES = [document_submit, document_page, document_retry, document_download]
