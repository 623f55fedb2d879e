"""An inspection's long tasks with a progress bar: the automated checks and the report PDF.

Progress comes from ``service.run_progress`` and the document's state; the page's bar is
``_progress.html``, refreshed by portal.js from a fragment until the task has finished.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from portal.boundary.deps import CallerDep, DbDep
from portal.inspections import document, service
from portal.inspections.schemas import ChecksIn
from portal.web.deps import FormData
from portal.web.render import is_fragment, page, see_other
from portal.web.routes_tasks import _progress


@post("/inspections/{plan_id:int}/checks", sync_to_thread=False, include_in_schema=False)
def checks_submit(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, plan_id: FromPath[int], data: FormData
) -> Redirect:
    run = service.start_checks(db, caller, plan_id, ChecksIn())
    db.flush()
    return see_other(f"/inspection-runs/{run.id}")


@get("/inspection-runs/{run_id:int}", sync_to_thread=False, include_in_schema=False)
def run_page(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, run_id: FromPath[int]
) -> Template:
    run = service.run_progress(db, caller, run_id)
    finished = run["done"] + run["failed"]
    status = run["status"] if run["status"] == "running" and finished else "queued"
    if run["status"] == "done":
        status = "failed" if run["failed"] else "done"
    progress = _progress(status, finished, run["total"])
    name = "inspection_run_progress.html" if is_fragment(request) else "inspection_run.html"
    return page(request, name, run=run, progress=progress)


@post("/inspections/{plan_id:int}/documents", sync_to_thread=False, include_in_schema=False)
def document_submit(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, plan_id: FromPath[int], data: FormData
) -> Redirect:
    doc = document.request_document(db, caller, plan_id)
    return see_other(f"/inspection-documents/{doc.id}")


@get("/inspection-documents/{document_id:uuid}", sync_to_thread=False, include_in_schema=False)
def document_page(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, document_id: FromPath[uuid.UUID]
) -> Template:
    doc = document.get_document(db, caller, document_id)
    progress = _progress(doc.status)
    name = "inspection_doc_progress.html" if is_fragment(request) else "inspection_doc.html"
    return page(request, name, doc=doc, progress=progress)


@get("/inspection-documents/{document_id:uuid}/download", sync_to_thread=True, include_in_schema=False)
def document_download(caller: CallerDep, db: DbDep, document_id: FromPath[uuid.UUID]) -> Response[bytes]:
    data, filename = document.download(db, caller, document_id)
    return Response(
        data, media_type=document.PDF, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


ROUTES = [checks_submit, run_page, document_submit, document_page, document_download]
