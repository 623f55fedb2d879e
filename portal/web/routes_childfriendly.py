"""Child-friendly commune pages: the commune's years and the start of an assessment; the assessment by
criterion (computed values with their source, entered ones with their evidence, points against the
threshold), its review by the level above, the commune's category; the area's dashboard against the
plan's target. Every call goes through the service (portal.childfriendly) with the caller's scoped
session; refusals are the error pages."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.enforcer import allowed
from infra.clock import today
from infra.errors import FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.cases.attachments import MAX_BYTES
from portal.childfriendly import categories, decisions, files, listing, service
from portal.childfriendly.access import get_assessment, is_reviewer
from portal.childfriendly.criteria import load
from portal.childfriendly.schemas import ActionIn, AssessmentCreate, CategoryIn, DecisionIn, ValuesIn
from portal.childfriendly.view import assessment_view
from portal.web.child_friendly_forms import entered, form_values, inputs_of, read_values
from portal.web.deps import FormData, lang_of
from portal.web.i18n import field_errors
from portal.web.render import page, see_other

MultipartData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
RESOURCE = "child_friendly"
FIRST_YEAR = 2019


def _year(request: Request[Any, Any, Any], errors: list[FieldError]) -> int:
    text = request.query_params.get("year", "").strip()
    if not text:
        return today().year
    if text.isdigit() and FIRST_YEAR <= int(text) <= today().year:
        return int(text)
    errors.append(FieldError("year", "is not a year", "invalid"))
    return today().year


def _category_text(db: Session, unit: Any) -> dict[str, str] | None:
    if unit is None or unit.level != "commune":
        return None
    return load().categories[categories.category_of(db, unit).category].text


@get("/child-friendly", sync_to_thread=False, include_in_schema=False)
def child_friendly_index(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    errors: list[FieldError] = []
    year = _year(request, errors)
    unit = caller.unit
    history = area = dashboard = None
    if unit is not None and unit.level == "commune" and allowed(caller.role, RESOURCE, "read"):
        history = listing.history(db, caller, unit)
    if (
        unit is not None
        and unit.level in ("district", "province")
        and allowed(caller.role, RESOURCE, "dashboard")
    ):
        dashboard = listing.dashboard(db, caller, unit, year)
        area = listing.area_list(db, caller, unit, year, None)
    return page(
        request,
        "child_friendly.html",
        status_code=422 if errors else 200,
        year=year,
        years=list(range(today().year, FIRST_YEAR - 1, -1)),
        history=history,
        area=area,
        dashboard=dashboard,
        may_start=allowed(caller.role, RESOURCE, "create") and unit is not None and unit.level == "commune",
        category=_category_text(db, unit),
        errors=field_errors(errors, lang_of(request)),
    )


@post("/child-friendly/start", sync_to_thread=False, include_in_schema=False)
def child_friendly_start(caller: CallerDep, db: DbDep, data: FormData) -> Redirect:
    text = str(data.get("year") or "").strip()
    if caller.unit is None or not text.isdigit():
        raise ValidationFailed([FieldError("year", "is not a year", "invalid")])
    assessment, _unit = service.create(db, caller, AssessmentCreate(unit_id=caller.unit.id, year=int(text)))
    return see_other(f"/child-friendly/{assessment.id}?done=created")


def assessment_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    assessment_id: int,
    *,
    form: str | None = None,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    assessment, unit = get_assessment(db, caller, assessment_id)
    view = assessment_view(db, caller, assessment, unit)
    problems = errors or []
    lang = lang_of(request)
    return page(
        request,
        "child_friendly_assessment.html",
        status_code=status_code,
        a=view,
        form=form,
        values=values or form_values(assessment.values),
        entered={i.code for i in entered()},
        errors=field_errors(problems, lang, inputs_of(problems)),
        indicator_options=[(i.code, i.text["name_vi" if lang == "vi" else "name_en"]) for i in entered()],
        category_options=[
            (k.code, k.text["name_vi" if lang == "vi" else "name_en"]) for k in load().categories.values()
        ],
        may_categorise=allowed(caller.role, RESOURCE, "categorise")
        and is_reviewer(db, caller, unit, today().year),
        years=listing.history(db, caller, unit),
        done=request.query_params.get("done"),
    )


@get("/child-friendly/{assessment_id:int}", sync_to_thread=False, include_in_schema=False)
def child_friendly_page(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, assessment_id: FromPath[int]
) -> Template:
    return assessment_page(request, db, caller, assessment_id)


def _version(data: dict[str, Any]) -> int | None:
    text = str(data.get("version") or "").strip()
    return int(text) if text.isdigit() else None


@post("/child-friendly/{assessment_id:int}/values", sync_to_thread=False, include_in_schema=False)
def child_friendly_values(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    assessment_id: FromPath[int],
    data: FormData,
) -> Template | Redirect:
    values, shown = read_values(data)
    try:
        with db.begin_nested():
            service.enter(db, caller, assessment_id, ValuesIn(values=values, version=_version(data)))
    except ValidationFailed as exc:
        return assessment_page(
            request,
            db,
            caller,
            assessment_id,
            form="values",
            values=shown,
            errors=exc.errors,
            status_code=422,
        )
    return see_other(f"/child-friendly/{assessment_id}?done=saved")


def _action(name: str, run: Any, body: Any) -> Any:
    @post(
        f"/child-friendly/{{assessment_id:int}}/{name}",
        sync_to_thread=False,
        include_in_schema=False,
        name=f"child_friendly_page_{name}",
    )
    def handler(
        request: Request[Any, Any, Any],
        caller: CallerDep,
        db: DbDep,
        assessment_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        try:
            with db.begin_nested():
                run(db, caller, assessment_id, body(data))
        except ValidationFailed as exc:
            return assessment_page(
                request, db, caller, assessment_id, form=name, errors=exc.errors, status_code=422
            )
        return see_other(f"/child-friendly/{assessment_id}?done={name}")

    return handler


def _text(data: dict[str, Any], key: str) -> str | None:
    return str(data.get(key) or "").strip() or None


refresh_page = _action("refresh", service.refresh, lambda d: ActionIn(version=_version(d)))
submit_page = _action("submit", service.submit, lambda d: ActionIn(version=_version(d)))
return_page = _action(
    "return", decisions.send_back, lambda d: ActionIn(version=_version(d), comment=_text(d, "comment"))
)
decide_page = _action(
    "decide",
    decisions.decide,
    lambda d: DecisionIn(
        decision=_text(d, "decision") or "",
        decision_ref=_text(d, "decision_ref"),
        comment=_text(d, "comment"),
        version=_version(d),
    ),
)


@post("/child-friendly/{assessment_id:int}/category", sync_to_thread=False, include_in_schema=False)
def child_friendly_category(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    assessment_id: FromPath[int],
    data: FormData,
) -> Template | Redirect:
    _assessment, unit = get_assessment(db, caller, assessment_id)
    try:
        with db.begin_nested():
            categories.set_category(
                db,
                caller,
                unit,
                CategoryIn(category=_text(data, "category") or "", basis=_text(data, "basis")),
            )
    except ValidationFailed as exc:
        return assessment_page(
            request, db, caller, assessment_id, form="category", errors=exc.errors, status_code=422
        )
    return see_other(f"/child-friendly/{assessment_id}?done=category")


@post(
    "/child-friendly/{assessment_id:int}/files",
    sync_to_thread=True,
    include_in_schema=False,
    request_max_body_size=MAX_BYTES + 512 * 1024,
)
def child_friendly_file(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    assessment_id: FromPath[int],
    data: MultipartData,
) -> Template | Redirect:
    upload = data.get("file")
    indicator = str(data.get("indicator") or "")
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        errors = [FieldError("file", "is required", "required")]
    else:
        content = upload.file.read(MAX_BYTES + 1)
        try:
            files.upload(db, caller, assessment_id, indicator, upload.filename, upload.content_type, content)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/child-friendly/{assessment_id}?done=attached")
    db.rollback()
    return assessment_page(request, db, caller, assessment_id, form="files", errors=errors, status_code=422)


@get("/child-friendly/{assessment_id:int}/files/{file_id:uuid}", sync_to_thread=True, include_in_schema=False)
def child_friendly_download(
    caller: CallerDep, db: DbDep, assessment_id: FromPath[int], file_id: FromPath[uuid.UUID]
) -> Response[bytes]:
    content, row = files.download(db, caller, assessment_id, file_id)
    ascii_name = row.filename.encode("ascii", "replace").decode().replace('"', "")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(row.filename)}"
    return Response(content, media_type=row.content_type, headers={"Content-Disposition": disposition})


ROUTES = [
    child_friendly_index,
    child_friendly_start,
    child_friendly_page,
    child_friendly_values,
    refresh_page,
    submit_page,
    return_page,
    decide_page,
    child_friendly_category,
    child_friendly_file,
    child_friendly_download,
]
