"""Plan pages: the plans of the caller's area and of the units above (by year), recording a plan of the
caller's own unit, a plan with its targets in force, activities and progress notes, its details and its
signed file. Every call goes through ``portal.plans`` with the caller's scoped session."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import today
from infra.errors import FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.cases.attachments import MAX_BYTES
from portal.plans import documents
from portal.plans.responses import plan_out
from portal.plans.schemas import PlanFilter, PlanIn, PlanPatch
from portal.web.deps import FormData, lang_of
from portal.web.form_input import read_form
from portal.web.i18n import field_errors
from portal.web.plan_forms import PLAN_FORM, keeps, plan_values, reports_progress
from portal.web.render import page, see_other
from portal.web.training_forms import year_filter
from tenancy.service import units_below

MultipartData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def _list_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    problems = list(errors or [])
    year = year_filter(request.query_params.get("year", ""), problems)
    rows = documents.list_plans(db, caller, PlanFilter(year=year))
    this_year = today().year
    return page(
        request,
        "plans.html",
        status_code=422 if problems and status_code == 200 else status_code,
        rows=rows,
        year=year,
        years=sorted({this_year, this_year + 1, *documents.plan_years(db, caller)}, reverse=True),
        may_create=keeps(caller, "plan", "create"),
        values={**dict.fromkeys(PLAN_FORM, ""), "year": str(this_year), **(values or {})},
        errors=field_errors(problems, lang_of(request)),
        form_message="form_errors" if errors else None,
    )


@get("/plans", sync_to_thread=False, include_in_schema=False)
def plans_list(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return _list_page(request, db, caller)


@post("/plans/new", sync_to_thread=False, include_in_schema=False)
def plan_create(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    values = {k: str(data.get(k) or "").strip() for k in PLAN_FORM}
    errors: list[FieldError] = []
    body = read_form(values, PlanIn, errors, inputs=PLAN_FORM)
    if body is not None:
        try:
            with db.begin_nested():
                plan, _unit = documents.create_plan(db, caller, body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/plans/{plan.id}?done=created")
    return _list_page(request, db, caller, values, errors, 422)


def plan_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    plan_id: int,
    *,
    form: str = "",
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    plan, unit = documents.get_plan(db, caller, plan_id)
    shown = plan_out(db, plan, unit)
    may_edit = keeps(caller, "plan", "update", unit)
    owners = [(str(u.id), u.name) for u in units_below(db, unit, current=True)][:300] if may_edit else []
    return page(
        request,
        "plan.html",
        status_code=status_code,
        plan=shown,
        unit=unit,
        may_edit=may_edit,
        progress_of={
            a.id
            for a in shown.activities
            if reports_progress(caller, plan, a.owner_unit.id if a.owner_unit else None)
        },
        owners=[("", "—"), *owners],
        form=form,
        values={**plan_values(plan), **(values or {})} if form == "edit" else (values or {}),
        errors=field_errors(errors or [], lang_of(request)),
        form_message="form_errors" if errors else None,
        done=request.query_params.get("done", ""),
        today=today(),
    )


@get("/plans/{plan_id:int}", sync_to_thread=False, include_in_schema=False)
def plan_view(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, plan_id: FromPath[int]
) -> Template:
    return plan_page(request, db, caller, plan_id)


@post("/plans/{plan_id:int}", sync_to_thread=False, include_in_schema=False)
def plan_update(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, plan_id: FromPath[int], data: FormData
) -> Template | Redirect:
    documents.get_plan(db, caller, plan_id, "update")  # refused (403) before any input is read
    inputs = PLAN_FORM[1:]
    values = {k: str(data.get(k) or "").strip() for k in inputs}
    errors: list[FieldError] = []
    read = read_form(values, PlanIn, errors, inputs=inputs, given={"year": today().year})
    if read is not None:
        patch = PlanPatch(
            number=read.number, issued_on=read.issued_on, title=read.title,
            issuing_body=read.issuing_body, summary=read.summary,
        )  # fmt: skip
        try:
            with db.begin_nested():
                documents.update_plan(db, caller, plan_id, patch)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/plans/{plan_id}?done=updated")
    return plan_page(request, db, caller, plan_id, form="edit", values=values, errors=errors, status_code=422)


@post(
    "/plans/{plan_id:int}/file",
    sync_to_thread=True,
    include_in_schema=False,
    request_max_body_size=MAX_BYTES + 512 * 1024,
)
def plan_file_upload(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, plan_id: FromPath[int], data: MultipartData
) -> Template | Redirect:
    documents.get_plan(db, caller, plan_id, "update")
    upload = data.get("file")
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        errors = [FieldError("file", "is required", "required")]
    else:
        content = upload.file.read(MAX_BYTES + 1)
        try:
            documents.attach_file(db, caller, plan_id, upload.filename, upload.content_type, content)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/plans/{plan_id}?done=file")
    db.rollback()
    return plan_page(request, db, caller, plan_id, form="file", errors=errors, status_code=422)


@get("/plans/{plan_id:int}/file", sync_to_thread=True, include_in_schema=False)
def plan_file(caller: CallerDep, db: DbDep, plan_id: FromPath[int]) -> Response[bytes]:
    content, plan = documents.download_file(db, caller, plan_id)
    name = plan.file_name or "plan"
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(
        content,
        media_type=plan.file_type or "application/octet-stream",
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


ROUTES = [plans_list, plan_create, plan_view, plan_update, plan_file_upload, plan_file]
