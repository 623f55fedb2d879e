"""The "Báo cáo tháng" page: this month's report of the caller's own unit (start it or open it) and, for a
commune, its hamlets' reports of the month (prepare all drafts at once, see their statuses).
Also the report documents (XLSX/PDF) with the progress bar and the download.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from infra.clock import today
from infra.errors import Forbidden, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.reports import bulk, documents, service
from portal.reports.periods import containing, parse
from portal.reports.schemas import DocumentIn, PrepareIn, ReportCreate
from portal.web.deps import FormData, lang_of
from portal.web.i18n import field_errors
from portal.web.render import is_fragment, page, see_other
from portal.web.routes_tasks import _progress
from tenancy.service import child_units

MONTHLY = "monthly"


def _period(text: object) -> str:
    found = parse("month", str(text or ""))
    return (found or containing("month", today())).key


@get("/reports/month", sync_to_thread=False, include_in_schema=False)
def month_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return _month(request, caller, db, _period(request.query_params.get("period")))


def _month(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    period: str,
    errors: Any = None,
    code: int = 200,
) -> Template:
    unit = caller.unit
    if unit is None or unit.level not in ("hamlet", "commune"):
        raise Forbidden("the monthly report page is for hamlets and communes", resource="page", action="read")
    definition = service.definition_by_code(db, MONTHLY)
    hamlets = [h for h in child_units(db, unit.id) if h.level == "hamlet"] if unit.level == "commune" else []
    ids = [unit.id] + [h.id for h in hamlets]
    found = service.month_reports(db, caller, definition, period, ids)
    return page(
        request,
        "report_month.html",
        status_code=code,
        unit=unit,
        period=period,
        own=found.get(unit.id),
        hamlets=[(h, found.get(h.id)) for h in hamlets],
        errors=field_errors(errors or [], lang_of(request)),
    )


@post("/reports/month", sync_to_thread=False, include_in_schema=False)
def month_start(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    """Start the caller's own report of the month (or open it when it exists)."""
    period = _period(data.get("period"))
    assert caller.unit is not None
    try:
        with db.begin_nested():
            report = service.create_report(
                db, caller, ReportCreate(definition=MONTHLY, unit_id=caller.unit.id, period=period)
            )
    except ValidationFailed as exc:
        return _month(request, caller, db, period, exc.errors, 422)
    return see_other(f"/reports/{report.id}?msg=created")


@post("/reports/month/prepare", sync_to_thread=False, include_in_schema=False)
def month_prepare(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    """Draft every hamlet's report of the month, counted from the registry (existing ones untouched)."""
    period = _period(data.get("period"))
    assert caller.unit is not None
    try:
        with db.begin_nested():
            bulk.prepare_drafts(db, caller, caller.unit, PrepareIn(definition=MONTHLY, period=period))
    except ValidationFailed as exc:
        return _month(request, caller, db, period, exc.errors, 422)
    return see_other(f"/reports/month?period={period}")


@post("/reports/{report_id:int}/documents", sync_to_thread=False, include_in_schema=False)
def document_submit(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, report_id: FromPath[int], data: FormData
) -> Redirect:
    doc = documents.request_document(db, caller, report_id, DocumentIn(format=str(data.get("format") or "")))
    return see_other(f"/report-documents/{doc.id}")


@get("/report-documents/{document_id:uuid}", sync_to_thread=False, include_in_schema=False)
def document_page(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, document_id: FromPath[uuid.UUID]
) -> Template:
    doc = documents.get_document(db, caller, document_id)
    name = "report_doc_progress.html" if is_fragment(request) else "report_doc.html"
    return page(request, name, doc=doc, progress=_progress(doc.status))


@get("/report-documents/{document_id:uuid}/download", sync_to_thread=True, include_in_schema=False)
def document_download(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, document_id: FromPath[uuid.UUID]
) -> Response[bytes]:
    data, media_type, filename = documents.download_document(db, caller, document_id)
    return Response(
        data, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


ROUTES = [month_page, month_start, month_prepare, document_submit, document_page, document_download]
