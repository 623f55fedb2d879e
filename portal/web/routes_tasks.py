"""Long tasks with a progress bar: register exports and report consolidations.

The page holds a ``<progress>`` that portal.js refreshes every second from a small fragment
until the task is done or failed (without JavaScript, the page refreshes itself by a link).
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from infra.errors import Conflict
from portal.boundary.deps import CallerDep, DbDep
from portal.exports.service import XLSX, download_export, get_export, request_export
from portal.reports.consolidation import NotApprovedYet, get_run, request_consolidation
from portal.reports.models import Report
from portal.reports.schemas import ConsolidateIn
from portal.web.deps import FormData
from portal.web.render import is_fragment, page, see_other
from portal.web.report_periods import kind_of
from portal.web.routes_reports import report_page
from tenancy.service import get_unit


def _progress(status: str, done: int | None = None, total: int | None = None) -> dict[str, Any]:
    finished = status in ("done", "failed")
    if status == "done":
        value = 100
    elif total:
        value = round(100 * (done or 0) / total)
    else:
        value = 5 if status == "running" else 0
    return {"status": status, "value": value, "finished": finished, "done": done, "total": total}


@post("/exports", sync_to_thread=False, include_in_schema=False)
def export_submit(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData) -> Redirect:
    unit_id = str(data.get("unit") or "")
    unit = get_unit(db, int(unit_id)) if unit_id.isdigit() else caller.unit
    export = request_export(db, caller, unit or caller.unit)  # type: ignore[arg-type]
    return see_other(f"/exports/{export.id}")


@get("/exports/{export_id:uuid}", sync_to_thread=False, include_in_schema=False)
def export_page(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, export_id: FromPath[uuid.UUID]
) -> Template:
    export, unit = get_export(db, caller, export_id)
    progress = _progress(export.status)
    name = "progress_export.html" if is_fragment(request) else "export.html"
    return page(request, name, export=export, unit=unit, progress=progress)


@get("/exports/{export_id:uuid}/download", sync_to_thread=True, include_in_schema=False)
def export_download(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, export_id: FromPath[uuid.UUID]
) -> Response[bytes]:
    data, filename = download_export(db, caller, export_id)
    return Response(
        data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@post("/reports/{report_id:int}/consolidate", sync_to_thread=False, include_in_schema=False)
def consolidate_submit(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, report_id: FromPath[int], data: FormData
) -> Template | Redirect:
    """Queue a consolidation; refused (sub-units not approved, a locked report), the report's page says
    why, with the units not approved listed at its top."""
    try:  # no savepoint here: releasing one would send the worker's task before the request commits
        run = request_consolidation(
            db, caller, report_id, ConsolidateIn(with_missing=bool(data.get("with_missing")))
        )
    except Conflict as exc:
        db.expire_all()
        key = "consolidate_pending" if isinstance(exc, NotApprovedYet) else "report_conflict"
        return report_page(request, db, caller, report_id, status_code=409, message=key)
    return see_other(f"/consolidations/{run.id}")


@get("/consolidations/{run_id:int}", sync_to_thread=False, include_in_schema=False)
def consolidation_page(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, run_id: FromPath[int]
) -> Template:
    run = get_run(db, caller, run_id)
    report = db.get(Report, run.report_id)
    assert report is not None  # get_run read it
    progress = _progress(run.status, run.done_units, run.total_units)
    name = "progress_run.html" if is_fragment(request) else "consolidation.html"
    month = kind_of(report.period) == "month"  # consolidated from the month's page: a way back there too
    return page(request, name, run=run, report=report, progress=progress, month=month)


ROUTES = [export_submit, export_page, export_download, consolidate_submit, consolidation_page]
