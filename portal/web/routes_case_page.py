"""One case's page: the record, its deadlines, the workflow actions the caller may take, attachments.

The page shows what ``portal.cases.view.case_json`` gives the caller (the same as the API: never the
informant); ``service.read_case`` refuses inspectors and district officers, and the error page says
so. Each action posts a small form to the same service function as the API's action route.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from portal.api.deps import CallerDep, DbDep
from portal.auth.caller import Caller
from portal.cases import attachments, plans, service, workflow
from portal.cases.view import case_json
from portal.errors import Conflict, FieldError, ValidationFailed
from portal.staff.schemas import StaffFilter
from portal.staff.service import list_accounts
from portal.web.case_words import case_names, form_errors, options, parse_moment
from portal.web.deps import lang_of
from portal.web.i18n import parse_date
from portal.web.render import page, see_other

PLAN_ROWS = 3
FLASH = {"filed": "case_filed", "done": "saved", "attached": "saved"}
Parse = Callable[[dict[str, Any], list[FieldError]], dict[str, Any]]
MultipartData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def _case_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    case_id: uuid.UUID,
    form: str = "",
    errors: list[FieldError] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
    message: str | None = None,
) -> Template:
    lang = lang_of(request)
    case = service.read_case(db, caller, case_id)
    view = case_json(db, caller, case)
    workers = []
    if "assign" in view["allowed_actions"]:
        staff = list_accounts(db, caller, StaffFilter(page=1, page_size=100))
        workers = [(str(u.id), u.full_name) for u, _unit in staff.items]
    return page(
        request,
        "case.html",
        status_code=status_code,
        c=view,
        names=case_names(lang),
        risk_options=options(lang, "risk"),
        measure_options=options(lang, "measure"),
        reason_options=options(lang, "reason"),
        workers=workers,
        plan_rows=range(PLAN_ROWS),
        form=form,
        errors=form_errors(errors or [], lang),
        values=values or {},
        form_message=message or ("form_errors" if errors else None),
        flash=FLASH.get(request.query_params.get("msg", "")),
    )


def _day(form: dict[str, Any], name: str, errors: list[FieldError]) -> date | None:
    text = str(form.get(name) or "").strip()
    if not text:
        return None
    found = parse_date(text)
    if found is None:
        errors.append(FieldError(name, "is not a dd/mm/yyyy date", "bad_date"))
    return found


def _text(form: dict[str, Any], name: str) -> str | None:
    return str(form.get(name) or "").strip() or None


def _plan_body(form: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    actions = []
    for i in range(PLAN_ROWS):
        row = {k: _text(form, f"actions_{i}_{k}") for k in ("description", "owner")}
        due = _day(form, f"actions_{i}_due_on", errors)
        if any(row.values()) or due:
            actions.append({**row, "due_on": due})
    return {"goals": _text(form, "goals"), "review_on": _day(form, "review_on", errors), "actions": actions}


def _assign_body(form: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    user = str(form.get("user_id") or "")
    if not user.isdigit():
        errors.append(FieldError("user_id", "is required", "required"))
    return {"user_id": int(user) if user.isdigit() else 0}


def _moment_body(form: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    text = _text(form, "taken_at")
    taken = parse_moment(text) if text else None
    if text and taken is None:
        errors.append(FieldError("taken_at", "is not dd/mm/yyyy hh:mm", "bad_moment"))
    return {"measure": _text(form, "measure"), "note": _text(form, "note"), "taken_at": taken}


def _fields(*names: str) -> Parse:
    return lambda form, errors: {n: _text(form, n) for n in names}


def _review_body(form: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    body = _fields("outcome", "summary")(form, errors)
    return {**body, "next_review_on": _day(form, "next_review_on", errors)}


ACTIONS: dict[str, tuple[Callable[..., Any], Parse]] = {
    "assign": (workflow.assign, _assign_body),
    "assess": (workflow.assess, _fields("risk_level", "summary")),
    "protect": (workflow.protect, _moment_body),
    "draft_plan": (plans.draft_plan, _plan_body),
    "submit_plan": (plans.submit_plan, _fields()),
    "approve_plan": (plans.approve_plan, _fields("decision_ref")),
    "return_plan": (plans.return_plan, _fields("comment")),
    "review": (plans.review, _review_body),
    "close": (workflow.close, _fields("reason", "note")),
    "note": (workflow.add_note, _fields("body")),
}


@get("/cases/{case_id:uuid}", sync_to_thread=True, include_in_schema=False)
def case_page(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, case_id: FromPath[uuid.UUID]
) -> Template:
    return _case_page(request, db, caller, case_id)


@post("/cases/{case_id:uuid}/act/{action:str}", sync_to_thread=True, include_in_schema=False)
def case_action(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    case_id: FromPath[uuid.UUID],
    action: FromPath[str],
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Template | Redirect:
    if action not in ACTIONS:
        return _case_page(request, db, caller, case_id, status_code=404, message="not_found")
    handler, parse = ACTIONS[action]
    errors: list[FieldError] = []
    body = parse(data, errors)
    version = str(data.get("version") or "")
    if version.isdigit() and action != "note":
        body["version"] = int(version)
    if not errors:
        try:
            handler(db, caller, case_id, body)
        except ValidationFailed as exc:
            errors = exc.errors
        except Conflict:
            db.rollback()
            return _case_page(request, db, caller, case_id, status_code=409, message="case_conflict")
        else:
            return see_other(f"/cases/{case_id}?msg=done")
    db.rollback()  # nothing of a refused action is kept
    return _case_page(request, db, caller, case_id, action, errors, dict(data), status_code=422)


@post(
    "/cases/{case_id:uuid}/attachments",
    sync_to_thread=True,
    include_in_schema=False,
    request_max_body_size=attachments.MAX_BYTES + 512 * 1024,
)
def case_attach(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    case_id: FromPath[uuid.UUID],
    data: MultipartData,
) -> Template | Redirect:
    upload = data.get("file")
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        errors = [FieldError("file", "is required", "required")]
    else:
        content = upload.file.read(attachments.MAX_BYTES + 1)
        try:
            attachments.upload(db, caller, case_id, upload.filename, upload.content_type, content)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/cases/{case_id}?msg=attached")
    db.rollback()
    return _case_page(request, db, caller, case_id, "attach", errors, status_code=422)


@get("/cases/{case_id:uuid}/attachments/{attachment_id:uuid}", sync_to_thread=True, include_in_schema=False)
def case_attachment(
    caller: CallerDep, db: DbDep, case_id: FromPath[uuid.UUID], attachment_id: FromPath[uuid.UUID]
) -> Response[bytes]:
    content, row = attachments.download(db, caller, case_id, attachment_id)
    ascii_name = row.filename.encode("ascii", "replace").decode().replace('"', "")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(row.filename)}"
    return Response(content, media_type=row.content_type, headers={"Content-Disposition": disposition})


ROUTES = [case_page, case_action, case_attach, case_attachment]
